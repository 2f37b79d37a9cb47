"""The tick's schedule (CaseCheck, cases/schedule.py): one row per watched case with something ahead, written
with the fold, moved and removed set-wise, made due by a rule edit; and the upgrade that moved it off the
case row keeps every open case's schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xiaoneng.cases.models import Case, CaseCheck
from xiaoneng.cases.schedule import schedule_due_now, schedule_write
from xiaoneng.cases.selectors import case_next_check
from xiaoneng.core.bulk import sqlite_datetime

from .conftest import TZ, ev

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ)


def _three(ingest):
    ingest([ev("S1", "received", "2026-11-02 09:00"), ev("S1", "accepted", "2026-11-02 09:00"),
            ev("S2", "received", "2026-11-02 09:00"), ev("S2", "accepted", "2026-11-02 09:00"),
            ev("S3", "received", "2026-10-12 09:00"), ev("S3", "accepted", "2026-10-12 09:00"),
            ev("S3", "completed", "2026-10-13 09:00"), ev("S3", "delivered", "2026-10-13 10:00")], now=T)
    return {c.case_no: c for c in Case.objects.filter(case_no__in=["S1", "S2", "S3"])}


def test_fold_writes_one_row_per_watched_case_and_none_for_a_closed_one(items, ingest):
    cases = _three(ingest)
    assert set(CaseCheck.objects.values_list("case_id", flat=True)) == {cases["S1"].pk, cases["S2"].pk}
    # The schedule is the watcher's (supervision's default rules): 5 wd committed from 2 Nov is 9 Nov, so the
    # first threshold ahead is the reminder 2 wd before it, 5 Nov at the close, looked at just after it (1 µs).
    # (The 受理 step's own limit, 3 Nov, is not one: the `accepted` event completed that step.)
    assert case_next_check(cases["S1"]) == dt.datetime(2026, 11, 5, 17, 30, 0, 1, tzinfo=TZ)
    assert not cases["S3"].is_open and case_next_check(cases["S3"]) is None
    # The case closes: its row goes with the refold.
    ingest([ev("S2", "refused", "2026-11-02 11:00", reason="材料不符合法定形式")], now=T)
    assert case_next_check(cases["S2"]) is None and CaseCheck.objects.count() == 1


def test_schedule_write_upserts_removes_and_the_last_pair_wins(items, ingest):
    cases = _three(ingest)
    s1, s2, s3 = (cases[n].pk for n in ("S1", "S2", "S3"))
    later = T + dt.timedelta(days=3)
    schedule_write([(s1, later), (s2, None), (s3, T), (s3, later)])
    assert dict(CaseCheck.objects.values_list("case_id", "due_at")) == {s1: later, s3: later}
    schedule_write([])  # nothing to do is not an error
    schedule_write([(s1, None), (s3, None)])
    assert not CaseCheck.objects.exists()


def test_schedule_write_of_a_tick_sized_batch(items, ingest):
    # ≥ 200 rows take the COPY path on PostgreSQL (core/bulk.py); the result is the same on both databases.
    cases = _three(ingest)
    ids = [cases["S1"].pk] * 150 + [cases["S2"].pk] * 150
    pairs = [(pk, T + dt.timedelta(minutes=i)) for i, pk in enumerate(ids)]
    schedule_write(pairs)
    assert dict(CaseCheck.objects.values_list("case_id", "due_at")) == {
        cases["S1"].pk: T + dt.timedelta(minutes=149), cases["S2"].pk: T + dt.timedelta(minutes=299)}


def test_due_now_keeps_an_earlier_check_and_skips_closed_cases(items, ingest):
    cases = _three(ingest)
    s1, s2, s3 = (cases[n].pk for n in ("S1", "S2", "S3"))
    earlier, now = T - dt.timedelta(hours=1), T + dt.timedelta(hours=1)
    schedule_write([(s1, earlier), (s2, None)])  # S2: open, clock stopped (no row)
    assert schedule_due_now(Case.objects.all(), now=now) == 1  # S2 gets one; S1 is due earlier already
    assert dict(CaseCheck.objects.values_list("case_id", "due_at")) == {s1: earlier, s2: now}
    schedule_write([(s1, now + dt.timedelta(days=2))])
    assert schedule_due_now(Case.objects.filter(pk__in=[s1, s3]), now=now) == 1
    assert dict(CaseCheck.objects.values_list("case_id", "due_at")) == {s1: now, s2: now}  # S3 closed: none


@pytest.mark.django_db(transaction=True)
def test_upgrade_moves_every_open_cases_schedule_to_its_own_table(items, ingest):
    """Migration cases 0005: the schedule kept on the case row before the upgrade is the schedule after it
    (an upgrade that lost it would silently stop watching old cases), and the way back restores it."""
    cases = _three(ingest)
    due = {cases["S1"].pk: T + dt.timedelta(hours=5), cases["S2"].pk: T + dt.timedelta(hours=7)}
    executor = MigrationExecutor(connection)
    before, after = [("cases", "0004_document_void")], executor.loader.graph.leaf_nodes("cases")
    try:
        executor.migrate(before)
        with connection.cursor() as cur:
            for pk, at in [*due.items(), (cases["S3"].pk, T)]:  # S3 is closed: not watched, not carried
                cur.execute("UPDATE cases_case SET next_check_at = %s WHERE id = %s",
                            [at if connection.vendor == "postgresql" else sqlite_datetime(at), pk])
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        assert dict(CaseCheck.objects.values_list("case_id", "due_at")) == due
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
