"""Navigation registry: each app declares its staff menu entries in its AppConfig as `nav_items`.

Core reads them without importing the apps, so dependencies stay one-way. An entry is visible when the
user holds one of its roles (None = every member of staff: anyone holding one of the staff roles — not an
invited supervisor, whose account reaches its own pages only, nor an account without a role).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    roles: tuple[str, ...] | None = None
    order: int = 100


def nav_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[NavItem] = []
    for cfg in apps.get_app_configs():
        items.extend(getattr(cfg, "nav_items", ()))
    visible = []
    for item in sorted(items, key=lambda i: i.order):
        if item.roles is None and not getattr(user, "holds_staff_role", True):
            continue
        if item.roles is not None and not user.has_any_role(*item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "icon": item.icon})
    return visible
