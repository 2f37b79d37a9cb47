"""Periodic work of the platform, declared in one place. `xiaoneng worker` runs these; each entry is
(name, every seconds, dotted path of a callable taking `now=`). Other apps append their own schedules here
when they need one (complaints' clocks, evaluations …)."""

from __future__ import annotations

SCHEDULES: list[tuple[str, int, str]] = [
    ("supervise", 60, "xiaoneng.supervision.services.supervise_tick"),
    # Complaint clocks (reminder / yellow / red flags, follow-up expiry) until supervision takes them over;
    # named by path so supervision does not import complaints.
    ("complaints", 60, "xiaoneng.complaints.services.complaints_tick"),
]
