"""Navigation registry: each app declares its staff menu entries in its AppConfig as `nav_items`, and the menu
section they fall under as `nav_section` (a `NavSection`); an entry may name another section by its key
(`NavItem.section`), such as core's OVERVIEW or SETTINGS.

Core reads them without importing the apps, so dependencies stay one-way. An entry is visible when the
user holds one of its roles (None = every member of staff: anyone holding one of the staff roles — not an
invited supervisor, whose account reaches its own pages only, nor an account without a role).

Why sections: the supervision office's menu holds some forty entries; in one flat list its staff had to read
the whole column to find a page. Grouped by the work they serve (cases, supervision, complaints, the people's
verdict, evaluation, disclosure, settings), each group is short, and a role that has one entry in a group
still sees it under the same heading as everybody else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    roles: tuple[str, ...] | None = None
    order: int = 100
    section: str = ""  # a section key; "" = the declaring app's nav_section


# Core's own sections, for entries any app may place there: the pages a role starts from, and the settings.
OVERVIEW = NavSection("overview", _("总览"), 10)
SETTINGS = NavSection("settings", _("系统设置"), 90)
OTHER = NavSection("other", _("其他"), 95)


def _entries() -> tuple[dict[str, NavSection], list[tuple[NavItem, str]]]:
    sections = {s.key: s for s in (OVERVIEW, SETTINGS, OTHER)}
    items: list[tuple[NavItem, str]] = []
    for cfg in apps.get_app_configs():
        own = getattr(cfg, "nav_section", None)
        if own is not None:
            sections.setdefault(own.key, own)
        for item in getattr(cfg, "nav_items", ()):
            items.append((item, item.section or (own.key if own is not None else OTHER.key)))
    return sections, items


def nav_sections_for(user) -> list[dict]:
    """The staff menu of `user`: sections in order, each {"key", "label", "items": [{"label", "url", "icon"}]},
    only sections with an entry the user may open."""
    if not getattr(user, "is_authenticated", False):
        return []
    sections, items = _entries()
    grouped: dict[str, list[tuple[int, dict]]] = {}
    for item, key in items:
        if item.roles is None and not getattr(user, "holds_staff_role", True):
            continue
        if item.roles is not None and not user.has_any_role(*item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        if key not in sections:
            key = OTHER.key
        grouped.setdefault(key, []).append((item.order, {"label": item.label, "url": url, "icon": item.icon}))
    out = []
    for key in sorted(grouped, key=lambda k: (sections[k].order, k)):
        entries = [entry for _order, entry in sorted(grouped[key], key=lambda pair: pair[0])]
        out.append({"key": key, "label": sections[key].label, "items": entries})
    return out


def nav_for(user) -> list[dict]:
    """The same menu as one flat list, in section order (the home page's quick links)."""
    return [entry for section in nav_sections_for(user) for entry in section["items"]]
