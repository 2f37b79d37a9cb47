from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel
from xiaoneng.core.nav import NavItem, NavSection


class SurveysConfig(AppConfig):
    """Surveys (民主评议, 万人评机关): questionnaires answered by weighted respondent groups through public links and
    one-time invitation codes; a department's survey score per period."""

    name = "xiaoneng.surveys"
    label = "surveys"
    verbose_name = _("民主评议")
    nav_section = NavSection("opinion", _("评价与检查"), 50)
    nav_items = (
        NavItem(_("民主评议"), "surveys:list", "clipboard-check", ("supervisor", "leader"), 60),
        NavItem(_("本单位评议得分"), "surveys:my_scores", "clipboard-data", ("head",), 61),
    )
    start_panels = (
        StartPanel("supervisor", "xiaoneng.surveys.landing.supervisor_surveys", 40),
    )

    def ready(self) -> None:
        # Invitation codes by SMS go through the platform's one outbox (core/outbox.py), registered here only.
        from xiaoneng.core.outbox import outbox_register

        from .outbox import SOURCE

        outbox_register(SOURCE)
