from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel  # noqa: F401  (helpers add panels below)
from xiaoneng.core.nav import NavItem, NavSection  # noqa: F401


class DisclosureConfig(AppConfig):
    """Government-affairs disclosure (政务公开): catalogues filed with the office, entries, the unified disclosure
    day and its check, information requests (依申请公开) and the annual report. Above evaluation: it feeds the
    evaluation's `disclosure` indicator by registering its calculations (ready below), and its two clocks (a
    check finding's rectification, an information request's answer) are clock owners judged by supervision."""

    name = "xiaoneng.disclosure"
    label = "disclosure"
    verbose_name = _("政务公开")
    nav_section = NavSection("disclosure", _("政务公开"), 70)
    nav_items = (
        # ---- catalogues and entries (helper "catalogue")
        NavItem(_("公开目录"), "disclosure:catalogue_home", "journal-text",
                ("supervisor", "leader", "admin", "head", "handler"), 70),
        NavItem(_("公开信息"), "disclosure:entry_list", "megaphone",
                ("supervisor", "leader", "admin", "head", "handler"), 71),
        # ---- end catalogue
        # ---- the disclosure day and its check (helper "check")
        NavItem(_("统一公开日检查"), "disclosure:check_list", "calendar2-check", ("supervisor", "leader"), 72),
        NavItem(_("政务公开问题整改"), "disclosure:check_findings", "clipboard-check", ("handler", "head"), 73),
        # ---- end check
        # ---- information requests (helper "requests")
        NavItem(_("依申请公开"), "disclosure:request_desk", "envelope-paper",
                ("supervisor", "leader", "head", "handler"), 72),
        NavItem(_("登记公开申请"), "disclosure:request_register", "envelope-plus", ("window",), 73),
        # ---- end requests
        # ---- the annual report (helper "report")
        NavItem(_("公开年度报告"), "disclosure:report_list", "journal-text", ("supervisor", "leader", "head"), 86),
        # ---- end report
    )
    start_panels = (
        # ---- catalogue
        StartPanel("supervisor", "xiaoneng.disclosure.landing_catalogue.office_panel", 50),
        StartPanel("head", "xiaoneng.disclosure.landing_catalogue.department_panel", 50),
        # ---- end catalogue
        # ---- check
        StartPanel("supervisor", "xiaoneng.disclosure.landing_check.office_panel", 55),
        StartPanel("head", "xiaoneng.disclosure.landing_check.department_panel", 45),
        # ---- end check
        # ---- requests
        StartPanel("head", "xiaoneng.disclosure.views_requests.department_panel", 90),
        # ---- end requests
        # ---- report
    )

    def ready(self) -> None:
        from xiaoneng.core import clocks
        from xiaoneng.evaluation import indicators

        from .calculations import register_calculations
        from .clocks import DISCLOSURE_CLOCKS
        from .clocks_requests import INFOREQUEST_CLOCKS

        # The two clocks, judged by supervision through the port: a check finding's rectification, a request's answer.
        clocks.register_owner(DISCLOSURE_CLOCKS)
        clocks.register_owner(INFOREQUEST_CLOCKS)
        # Evaluation's `disclosure` indicator and `disclosure_late` deduction replace their placeholders.
        indicators.load()
        register_calculations()
