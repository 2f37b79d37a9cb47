from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel
from xiaoneng.core.nav import NavItem, NavSection


def _default_schemes(sender, **kwargs) -> None:
    """The shipped scheme (DOMAIN.md §5) exists for every period kind once the tables do (office-editable by new
    versions afterwards)."""
    if sender.label != "evaluation":
        return
    from django.utils import timezone

    from .services.schemes import schemes_ensure_default

    schemes_ensure_default(now=timezone.now())


class EvaluationConfig(AppConfig):
    """Evaluation (效能考核): schemes, quarterly scores and rankings, bulletins, escalation and the sanctions register.
    The top of the chain: it reads every app below and only the portal reads it."""

    name = "xiaoneng.evaluation"
    label = "evaluation"
    verbose_name = _("效能考核")
    nav_section = NavSection("evaluation", _("考核与问责"), 60)
    nav_items = (
        # ---- office pages (helper "pages")
        NavItem(_("效能考核"), "evaluation:office_list", "award", ("supervisor", "leader"), 70),
        NavItem(_("考核方案"), "evaluation:schemes", "sliders2", ("supervisor",), 71, section="settings"),
        NavItem(_("本单位考核"), "evaluation:my_scores", "award", ("head",), 70),
        # ---- consequences (helper "cons"): bulletins and the sanctions register
        NavItem(_("考核通报"), "evaluation:bulletin_list", "megaphone", ("supervisor", "leader"), 72),
        NavItem(_("效能问责"), "evaluation:sanction_list", "shield-exclamation", ("supervisor", "leader"), 73),
        NavItem(_("本部门效能问责"), "evaluation:sanction_list", "shield-exclamation", ("head",), 73),
        NavItem(_("我的效能问责"), "evaluation:sanction_list", "shield-exclamation", ("handler",), 74),
        # ---- end consequences
        # ---- the leader's view (helper "dashboard")
        NavItem(_("领导驾驶舱"), "evaluation:dashboard", "speedometer2", ("leader", "supervisor"), 20, section="overview"),
    )
    start_panels = (
        # ---- office pages (helper "pages"): this period's evaluation status
        StartPanel("supervisor", "xiaoneng.evaluation.views_office.office_panel", 50),
        # ---- consequences (helper "cons"): proposals and appeals to decide, bulletins to generate
        StartPanel("supervisor", "xiaoneng.evaluation.selectors_consequences.office_panel", 51),
        # ---- the leader's view (helper "dashboard"): the latest published quarter on the leader's landing page
        # (+1 query when nothing is published, +2 otherwise: supervision/tests/test_landing.py pins it)
        StartPanel("leader", "xiaoneng.evaluation.selectors_dashboard.landing_leader", 10),
    )

    def ready(self) -> None:
        from . import indicators

        indicators.load()
        # The shipped scheme names every calculation of DOMAIN.md §5 (all registered: calculations/).
        post_migrate.connect(_default_schemes, sender=self)
