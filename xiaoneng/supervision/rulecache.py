"""The rules as the engine sees them, cached per process.

The ingest path asks for the rules once per case it folds (the tick schedule), so they are kept in memory
and re-read at most once a second (XIAONENG_RULES_CHECK_SECONDS) — a rule edit in another process takes
effect within that second; `rules_invalidate()` (called by `rule_update`) makes it immediate here. The
tick always reads them fresh.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

from .engine import RuleInfo, RuleSet

_lock = threading.Lock()
_cached: RuleSet | None = None
_read_at = 0.0


def _load() -> RuleSet:
    from xiaoneng.accounts.models import Department

    from .models import Rule, RuleScope

    by_check: dict[str, list[RuleInfo]] = {}
    by_id: dict[int, RuleInfo] = {}
    rows = list(Rule.objects.select_related("scope_department").order_by("position", "id"))
    for r in rows:
        info = RuleInfo(
            id=r.pk, code=r.code, name=r.name, check=r.check_code, kind=r.kind, level=r.level,
            thresholds=dict(r.thresholds or {}), scope=r.scope,
            department_path=r.scope_department.path if r.scope_department_id else None,
            item_id=r.scope_item_id, mode=r.mode, enabled=r.enabled, auto_order=r.auto_order,
            order_due_wd=r.order_due_wd, auto_proposal=r.auto_proposal, subject_kind=r.subject_kind,
        )
        by_check.setdefault(r.check_code, []).append(info)
        by_id[r.pk] = info
    paths: dict[int, str] = {}
    if any(r.scope == RuleScope.DEPARTMENT for r in rows):
        paths = dict(Department.objects.values_list("id", "path"))
    return RuleSet(by_check=by_check, department_paths=paths, by_id=by_id)


def rule_set(*, fresh: bool = False) -> RuleSet:
    """The current rules; `fresh=True` reads them from the database now (and refreshes the cache)."""
    global _cached, _read_at
    now = time.monotonic()
    ttl = float(getattr(settings, "XIAONENG_RULES_CHECK_SECONDS", 1.0))
    cached = _cached
    if not fresh and cached is not None and now - _read_at < ttl:
        return cached
    rs = _load()
    with _lock:
        _cached, _read_at = rs, now
    return rs


def rules_invalidate() -> None:
    global _cached
    with _lock:
        _cached = None
