"""Landing pages (工作台): each role opens the day on its own page, built from panels the apps register.

Like the menu (core/nav.py), each app declares what it contributes in its AppConfig, as `start_panels`, so
core never imports an app: a panel names its provider by dotted path, loaded when the page is drawn. A
provider is `provider(user, *, now) -> dict | None` and computes its figures with the app's own selectors,
scoped as every list is (accounts.selectors.scope_to_staff); None leaves the panel out.

The dict a provider returns is drawn by core/_start_panel.html unless the panel names its own template:
    {"title": str, "url": str (the page behind the panel), "link": str (that link's words),
     "tiles": [{"label", "value", "url", "tone" ("danger"/"warning"/"" ), "hint"}],
     "rows_title": str, "rows": [{"text", "url", "meta", "tone"}], "empty": str (when there are no rows),
     "trend": {"title", "labels": [...], "values": [...], "unit"}}

A person with several roles opens the most senior role's page (accounts.roles.SENIORITY) and gets links to
the others (`?role=<code>`); a role they do not hold is ignored, never shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.utils.module_loading import import_string

DEFAULT_TEMPLATE = "core/_start_panel.html"


@dataclass(frozen=True)
class StartPanel:
    """One panel of a role's landing page. `order` sorts panels of the same role across apps (lower first)."""

    role: str
    provider: str  # dotted path to provider(user, *, now) -> dict | None
    order: int = 100
    template: str = DEFAULT_TEMPLATE


def registered_panels() -> list[StartPanel]:
    found: list[StartPanel] = []
    for cfg in apps.get_app_configs():
        found.extend(getattr(cfg, "start_panels", ()))
    return sorted(found, key=lambda p: (p.order, p.provider))


def landing_role(user, asked: str | None) -> tuple[str | None, list[tuple[str, str]]]:
    """The role whose page to draw (the one asked for if the user holds it, else the most senior) and the
    user's roles, most senior first."""
    held = list(user.roles_by_seniority()) if getattr(user, "is_authenticated", False) else []
    codes = [c for c, _label in held]
    if asked in codes:
        return asked, held
    return (codes[0] if codes else None), held


def panels_for(user, role: str | None, *, now) -> list[dict]:
    """The panels of `role`'s page, each provider run once, in order."""
    if role is None:
        return []
    out = []
    for panel in registered_panels():
        if panel.role != role:
            continue
        data = import_string(panel.provider)(user, now=now)
        if data is not None:
            out.append({"template": panel.template, "data": data})
    return out
