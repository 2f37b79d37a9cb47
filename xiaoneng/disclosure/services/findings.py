"""Putting a disclosure day's findings right (整改): the entry and catalogue services call these when a
department publishes an item or has its catalogue accepted, so a finding closes the moment its cause does."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from ..models import CheckFinding, FindingKind, FindingStatus


def findings_rectify_for_entry(entry, *, now: dt.datetime) -> int:
    """Close the open missing/stale findings of `entry`'s department and item (published after the check's
    day): the clock stops (`next_check_at` cleared). Returns how many closed."""
    return CheckFinding.objects.filter(
        department_id=entry.department_id, item_code=entry.item_code, status=FindingStatus.OPEN,
        kind__in=(FindingKind.MISSING, FindingKind.STALE),
    ).update(status=FindingStatus.RECTIFIED, rectified_at=now, rectified_entry=entry, next_check_at=None)


def findings_rectify_for_catalogue(catalogue, *, now: dt.datetime) -> int:
    """Close the open "catalogue not filed" findings of `catalogue`'s department once a version is accepted."""
    return CheckFinding.objects.filter(
        Q(department_id=catalogue.department_id), kind=FindingKind.UNFILED, status=FindingStatus.OPEN,
    ).update(status=FindingStatus.RECTIFIED, rectified_at=now, next_check_at=None)
