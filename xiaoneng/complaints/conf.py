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
    "RATE_PER_IP": "5/h",  # submissions per IP address
    "RATE_PER_CONTACT": "5/h",  # submissions per phone number / e-mail
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
