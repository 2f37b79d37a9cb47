"""The government this platform serves: its name (settings.XIAONENG_COUNTY_NAME, e.g. "清源县") and its level,
which names what the public sees — the public mailbox is 县长信箱 in a county, 区长信箱 in a district, 市长信箱
in a city (issue 10 §4: a county's platform said 区长信箱).

The level is settings.XIAONENG_GOVERNMENT_LEVEL ("county", "district" or "city") when set, else read from
the name's last character (县/旗 → county, 区 → district, 市 → city), else a county: the platform is built
for county governments (DESIGN.md).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext as _

LEVELS = ("county", "district", "city")
_BY_SUFFIX = {"县": "county", "旗": "county", "区": "district", "市": "city"}


def government_level() -> str:
    """"county", "district" or "city" (see the module docstring)."""
    level = (getattr(settings, "XIAONENG_GOVERNMENT_LEVEL", "") or "").strip().lower()
    if level in LEVELS:
        return level
    name = (getattr(settings, "XIAONENG_COUNTY_NAME", "") or "").strip()
    return _BY_SUFFIX.get(name[-1:], "county")


def mailbox_title() -> str:
    """The public mailbox's name for this government's level: 县长信箱, 区长信箱 or 市长信箱."""
    return {"county": _("县长信箱"), "district": _("区长信箱"), "city": _("市长信箱")}[government_level()]


# For labels defined at import time (form fields, choices): evaluated when shown, in the reader's language.
mailbox_title_lazy = lazy(mailbox_title, str)
