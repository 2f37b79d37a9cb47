"""Small display helpers for case pages."""

from django import template

register = template.Library()

_STATUS = {
    "received": "secondary", "accepted": "primary", "supplementing": "warning", "suspended": "info",
    "completed": "success", "denied": "dark", "refused": "dark", "delivered": "success", "withdrawn": "light",
}
_VERDICT = {"early": "success", "on_time": "primary", "overdue": "danger"}
_LEVEL = {"reminder": "info", "yellow": "warning", "red": "danger"}


@register.filter
def status_colour(status: str) -> str:
    return _STATUS.get(status, "secondary")


@register.filter
def verdict_colour(verdict: str) -> str:
    return _VERDICT.get(verdict, "secondary")


@register.filter
def level_colour(level: str) -> str:
    return _LEVEL.get(level, "secondary")


@register.filter
def step_label(step: str) -> str:
    """A step as the office names it: a workflow step without a name of its own, or a step a department
    system reported by its kind ("review", "approve"), is shown by the glossary's name (审核, 批准)."""
    from xiaoneng.catalog.models import StepKind

    if step in StepKind.values:
        return str(StepKind(step).label)
    return step
