from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel
from xiaoneng.core.nav import NavItem, NavSection

OFFICE = ("supervisor",)
INVITED = ("invited_supervisor",)


def _default_checklist(sender, **kwargs) -> None:
    """The shipped checklist (在岗在位, 挂牌上岗 …) exists once the tables do (office-editable afterwards)."""
    if sender.label != "inspections":
        return
    from django.utils import timezone

    from .services import checklist_ensure_default

    checklist_ensure_default(now=timezone.now())


class InspectionsConfig(AppConfig):
    """Inspections (明查暗访) and invited supervisors (特邀监督员): checklists, plans, open and covert visits, and
    findings that lead to cards, rectification tasks with their own clock, or sanction proposals."""

    name = "xiaoneng.inspections"
    label = "inspections"
    verbose_name = _("明查暗访")
    nav_section = NavSection("opinion", _("评价与检查"), 50)
    nav_items = (
        NavItem(_("明查暗访"), "inspections:visits", "binoculars", ("supervisor", "leader", "admin"), 60),
        NavItem(_("检查发现问题"), "inspections:findings", "clipboard-x", ("supervisor", "leader"), 61),
        NavItem(_("检查计划"), "inspections:plans", "calendar-check", ("supervisor", "invited_supervisor"), 62),
        NavItem(_("检查表"), "inspections:checklists", "list-check", OFFICE, 63, section="settings"),
        NavItem(_("特邀监督员"), "inspections:supervisors", "person-badge", OFFICE, 66),
        NavItem(_("我的检查记录"), "inspections:visits", "binoculars", INVITED, 64),
        NavItem(_("检查发现问题整改"), "inspections:findings", "clipboard-check", ("handler", "head"), 65),
    )
    start_panels = (
        StartPanel("supervisor", "xiaoneng.inspections.landing.office_panel", 40),
        StartPanel("head", "xiaoneng.inspections.landing.department_panel", 40),
        StartPanel("invited_supervisor", "xiaoneng.inspections.landing.invited_panel", 10),
    )

    def ready(self) -> None:
        # A finding's correction has a deadline: supervision judges it through the one port (core/clocks.py).
        from xiaoneng.core import clocks

        from .clocks import FINDING_CLOCKS

        clocks.register_owner(FINDING_CLOCKS)
        post_migrate.connect(_default_checklist, sender=self, dispatch_uid="inspections-default-checklist")
