from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel
from xiaoneng.core.nav import NavItem, NavSection


class CasesConfig(AppConfig):
    """Cases (办件): collection from department systems, windows and files; the clock of every case."""

    name = "xiaoneng.cases"
    label = "cases"
    verbose_name = _("办件")
    nav_section = NavSection("cases", _("办件服务"), 20)
    nav_items = (
        NavItem(_("办件"), "cases:case_list", "folder2-open", None, 40),
        NavItem(_("受理登记"), "cases:case_register", "person-vcard", ("window", "handler", "head"), 41),
    )
    # A window queue page, when it comes, registers its own "window" panel with an order below 20.
    start_panels = (
        StartPanel("head", "xiaoneng.cases.landing.department_due", 10),
        StartPanel("window", "xiaoneng.cases.landing.window_today", 20),
    )

    def ready(self) -> None:
        # Cases have deadlines: supervision judges them through the one port (core/clocks.py), never by import.
        # The applicant's SMS go through the platform's one outbox (core/outbox.py). Both registered here and
        # nowhere else.
        from xiaoneng.core import clocks
        from xiaoneng.core.outbox import outbox_register

        from .clocks import CASE_CLOCKS
        from .outbox import SOURCE

        clocks.register_owner(CASE_CLOCKS)
        outbox_register(SOURCE)
