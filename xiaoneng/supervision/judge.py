"""Supervision as the clocks' judge (core/clocks.py `Judge`), registered once in `SupervisionConfig.ready()`.

For the cases' ingest every rule is judged once per case while a batch is folded, on the state ingest just
computed — no case or event is read back. `evaluate` runs before the batch's cases are written: it sets each row's `next_check_at` (so the tick
schedule, CaseCheck, is written with the batch, not in a second pass) and keeps the evaluations; `commit` runs after
the write, when rows have ids, and issues, withdraws and marks what the evaluations say (services.rejudge).
Event-based cards name their event's id (`event:<id>`): only those events' ids are read back.

For owners of the deadline family (complaints …) `next_check` says when a row whose deadline just changed is
next looked at; `cards_of` lists a subject's cards for the owner's own pages and API.
"""

from __future__ import annotations

from collections import defaultdict

from xiaoneng.catalog.models import FeeRule
from xiaoneng.workdays.calendar import get_calendar

from . import deadlines
from .engine import evaluate_case
from .rulecache import rule_set
from .services import rejudge, warnings_for_cases


class Judge:
    """The one judge of every clock owner's rows (core.clocks.register_judge in AppConfig.ready)."""

    def evaluate(self, kind: str, pairs: list, *, now):
        if kind != "case":
            raise ValueError(f"rows of kind {kind!r} are judged by the tick, not pushed")
        rules = rule_set()
        if not rules.by_id:
            for row, _evs in pairs:
                row.next_check_at = None
            return None
        cal = get_calendar()
        fee_versions = {row.version.id for row, evs in pairs
                        if row.version is not None and any(e.type == "fee_charged" for e in evs)}
        fees: dict[int, dict] = defaultdict(dict)
        if fee_versions and (rules.all_enabled("fee_irregular") or rules.all_enabled("fee_above_minimum")):
            for vid, name, amount, lo, hi in FeeRule.objects.filter(version_id__in=fee_versions).values_list(
                "version_id", "name", "amount", "amount_min", "amount_max"
            ):
                fees[vid][name.strip()] = (amount, lo, hi)
        results = []
        for row, events in pairs:
            v = row.version
            ev = evaluate_case(
                cal, rules, row, now=now, deemed=bool(v is not None and v.deemed_approval), events=events,
                version_steps=[(kind, name) for kind, name, _lv, _lu in v.steps] if v is not None else None,
                fee_rules=fees.get(v.id, {}) if v is not None else {},
            )
            row.next_check_at = ev.next_check
            results.append((row, ev))
        return rules, results

    def next_check(self, row, *, now):
        return deadlines.next_check(get_calendar(), rule_set(), row, now)

    def cards_of(self, kind: str, ids) -> dict[int, list[dict]]:
        return warnings_for_cases(kind, list(ids))

    def card_raise(self, kind: str, subject_id: int, *, rule_code: str, department_id: int, basis: str, by_id: int,
                   now) -> int:
        """A manual card on an owner's subject, on one of its MANUAL_CHECKS rules (services.warning_raise_manual)."""
        from .services.cards import warning_raise_manual

        return warning_raise_manual(kind=kind, subject_id=subject_id, rule_code=rule_code, department_id=department_id,
                                    basis=basis, by_id=by_id, now=now)

    def commit(self, token, *, now, fill_event_ids) -> None:
        if token is None:
            return
        rules, results = token
        # A case a concurrent batch inserted first has no id here: it was refolded and judged again.
        results = [(row, ev) for row, ev in results if row.id is not None]
        named = [c for _row, ev in results for c in ev.cards if c.event is not None]
        if named:
            fill_event_ids([c.event for c in named])
            for c in named:
                c.key = f"event:{c.event.pk}"
        rejudge(rules, results, now=now)


JUDGE = Judge()
