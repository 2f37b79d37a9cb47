from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel
from xiaoneng.core.nav import NavItem, NavSection


class ComplaintsConfig(AppConfig):
    """The complaint centre (效能投诉中心): intake from every channel, acceptance, dispatch, reply, follow-up;
    有诉必理、有理必果、有果必复."""

    name = "xiaoneng.complaints"
    label = "complaints"
    verbose_name = _("效能投诉")
    nav_section = NavSection("complaints", _("投诉处理"), 40)
    nav_items = (
        NavItem(_("投诉受理"), "complaints:inbox", "megaphone", ("supervisor", "leader", "admin"), 50),
        NavItem(_("转办看板"), "complaints:board", "kanban", ("supervisor",), 51),
        NavItem(_("超期投诉"), "complaints:overdue", "alarm", ("supervisor", "leader"), 52),
        NavItem(_("交办我单位的投诉"), "complaints:inbox", "inbox", ("handler", "head"), 53),
        NavItem(_("投诉统计"), "complaints:figures", "bar-chart", ("supervisor", "leader", "admin", "head"), 54),
        NavItem(_("投诉黑名单"), "complaints:blocklist", "slash-circle", ("supervisor",), 55),
    )
    start_panels = (
        StartPanel("leader", "xiaoneng.complaints.landing.leader_complaints", 20),
        StartPanel("supervisor", "xiaoneng.complaints.landing.supervisor_intake", 20),
        StartPanel("head", "xiaoneng.complaints.landing.department_complaints", 30),
    )

    def ready(self) -> None:
        # Complaints have deadlines: supervision judges them through the one port (core/clocks.py). Notices to
        # the complainant go through the platform's one outbox (core/outbox.py). Both registered here only.
        from xiaoneng.core import clocks
        from xiaoneng.core.outbox import outbox_register

        from .clocks import COMPLAINT_CLOCKS
        from .outbox import SOURCE

        clocks.register_owner(COMPLAINT_CLOCKS)
        outbox_register(SOURCE)
