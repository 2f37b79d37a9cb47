"""The complaint centre's configurable numbers (DOMAIN.md §3-4), read from settings.XIAONENG_COMPLAINTS.

Every value here is a default a supervision office may change in settings (or through the environment
variables that config/settings.py maps onto them); tests change them with pytest-django's `settings`.
"""

from __future__ import annotations

import re

from django.conf import settings

DEFAULTS = {
    "ACCEPT_LIMIT_WD": 5,  # decide on acceptance within 5 wd (local efficiency-complaint rules)
    "HANDLING_LIMIT_WD": 10,  # a dispatched department answers within 10 wd
    "URGENT_LIMIT_WD": 3,  # … or 3 wd when the office marks the complaint urgent
    "DISPUTE_LIMIT_WD": 1,  # a department may dispute a dispatch within 1 wd
    "REPLY_LIMIT_WD": 3,  # the reply goes out within 3 wd of the department's result
    "FOLLOW_UP_DAYS": 7,  # no rating within 7 d counts as no rating
    "MAX_EXTENSION_WD": 10,  # one extension at most this long
    # Reminder / yellow / red on these clocks are supervision rules (complaint-reminder, -yellow, -red),
    # edited on the rule pages, not here.
    "DUPLICATE_DAYS": 30,  # same complainant + department + similar text within 30 d → possible duplicate
    "DUPLICATE_SIMILARITY": 0.6,
    # Anonymous channels (public form): per IP address and per phone number / e-mail.
    "RATE_PER_IP": "5/h",
    "RATE_PER_CONTACT": "5/h",
    # A department system's token (API, Open311) forwards many citizens' complaints (a 12345 hotline platform):
    # its own quota, counted per token, instead of a citizen's limits.
    "RATE_PER_TOKEN": "2000/h",
    # A supervisor entering complaints (staff page or staff API session): per account, never per IP (a call
    # centre's clerks share one address); far above what a person types, it stops a stolen session's script.
    "RATE_PER_STAFF": "200/h",
    # 满意率 counts these follow-up levels as satisfied (DOMAIN.md §3: the top levels only by default; local rules
    # differ, e.g. some count 基本满意 too). The figures page and the API print the definition that follows.
    "SATISFIED_LEVELS": ("very_satisfied", "satisfied"),
    "MAX_FILES": 5,
    "MAX_FILE_MB": 10,
    "MAX_IMAGE_PIXELS": 40_000_000,  # a decompression bomb is refused before it is decoded
}

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def cfg(name: str):
    return {**DEFAULTS, **getattr(settings, "XIAONENG_COMPLAINTS", {})}[name]


def rate(name: str) -> tuple[int, int]:
    """A rate such as "5/h" or "20/10m" as (count, period in seconds)."""
    m = _RATE.match(str(cfg(name)))
    if not m:
        raise ValueError(f"XIAONENG_COMPLAINTS[{name!r}] must look like '5/h', got {cfg(name)!r}")
    count, mult, unit = m.groups()
    return int(count), int(mult or 1) * _UNIT_SECONDS[unit]
