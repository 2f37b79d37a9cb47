from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel  # noqa: F401  (panels join below as the pages land)
from xiaoneng.core.nav import NavItem  # noqa: F401


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
    nav_items = (
        # ---- the leader's view (helper "dashboard")
        NavItem(_("领导驾驶舱"), "evaluation:dashboard", "speedometer2", ("leader", "supervisor"), 20),
    )
    start_panels = (
        # ---- the leader's view (helper "dashboard"): the latest published quarter on the leader's landing page
        StartPanel("leader", "xiaoneng.evaluation.selectors_dashboard.landing_leader", 10),
    )

    def ready(self) -> None:
        from . import indicators

        indicators.load()
        # The shipped scheme names every calculation of DOMAIN.md §5 (all registered: calculations/).
        post_migrate.connect(_default_schemes, sender=self)
