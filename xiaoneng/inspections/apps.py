from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Inspections (明查暗访) and invited supervisors (特邀监督员): checklists, plans, open and covert visits, and
    findings that lead to cards, rectification tasks with their own clock, or sanction proposals."""

    name = "xiaoneng.inspections"
    label = "inspections"
    verbose_name = _("明查暗访")
    nav_items = ()
    start_panels = ()
