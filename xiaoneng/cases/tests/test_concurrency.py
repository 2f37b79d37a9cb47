"""Two department systems' threads writing events of the same cases at once lose nothing (PostgreSQL:
row locks in the ingest path). SQLite serialises writers by design and has no row locks to test."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xiaoneng.accounts.services import api_client_create
from xiaoneng.cases.models import Case, CaseEvent
from xiaoneng.cases.services import case_events_ingest

from .conftest import NOW, ev

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-level locking is a PostgreSQL concern; SQLite runs one writer at a time (IMMEDIATE transactions)",
)


@pytest.mark.django_db(transaction=True)
def test_two_clients_writing_the_same_cases_concurrently_lose_nothing(depts, make_item, calendar):
    make_item()
    c1, _ = api_client_create(name="系统一", department=depts["a"], by=None, now=NOW)
    c2, _ = api_client_create(name="系统二", department=depts["a"], by=None, now=NOW)
    cases = [f"CC{i}" for i in range(20)]
    plans = {
        c1: [[ev(no, "received", "2026-11-02 09:00") for no in cases],
             [ev(no, "step_completed", "2026-11-03 09:00", step="accept") for no in cases],
             [ev(no, "fee_charged", "2026-11-04 09:00", fee_item="工本费", amount=1) for no in cases]],
        c2: [[ev(no, "accepted", "2026-11-02 10:00") for no in reversed(cases)],
             [ev(no, "fee_charged", "2026-11-03 10:00", fee_item="工本费", amount=2) for no in reversed(cases)],
             [ev(no, "completed", "2026-11-05 10:00") for no in reversed(cases)]],
    }
    errors = []
    barrier = threading.Barrier(2)

    def run(client, batches):
        try:
            barrier.wait()
            for batch in batches:
                r = case_events_ingest(events=batch, client=client, now=NOW)
                assert r.accepted == len(batch) and not r.errors, r.errors
        except Exception as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c, b)) for c, b in plans.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert CaseEvent.objects.count() == 120
    for case in Case.objects.filter(case_no__in=cases):
        assert case.events_count == 6 and case.status == "completed" and str(case.fees_total) == "3.00"
        assert case.registered and case.accepted_at is not None and case.verdict


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_twice_at_once_is_stored_once(depts, make_item, calendar):
    make_item()
    client, _ = api_client_create(name="系统", department=depts["a"], by=None, now=NOW)
    batch = [ev(f"DD{i}", "received", "2026-11-02 09:00") for i in range(30)]
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(case_events_ingest(events=batch, client=client, now=NOW))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted((r.accepted, r.duplicates) for r in results) == [(0, 30), (30, 0)]
    assert CaseEvent.objects.count() == 30


@pytest.mark.django_db(transaction=True)
def test_two_departments_creating_the_same_numbers_at_once_never_write_into_each_others_cases(depts, make_item,
                                                                                               calendar):
    """Issue 9: the batch that loses the race for a new case number (ON CONFLICT DO NOTHING) used to fold its
    events into the winner's case, whichever department's. Now each number holds one department's events."""
    make_item()
    make_item(code="ZR001", dept="b", name="建设用地规划许可证核发")
    ca, _ = api_client_create(name="系统A", department=depts["a"], by=None, now=NOW)
    cb, _ = api_client_create(name="系统B", department=depts["b"], by=None, now=NOW)
    numbers = [f"RACE{i}" for i in range(200)]
    plans = {ca: [ev(no, "received", "2026-11-02 09:00") for no in numbers],
             cb: [ev(no, "received", "2026-11-02 09:00", code="ZR001") for no in reversed(numbers)]}
    barrier = threading.Barrier(2)
    outcomes = []

    def run(client, batch):
        try:
            barrier.wait()
            outcomes.append(case_events_ingest(events=batch, client=client, now=NOW))
        except Exception as exc:  # a DomainError is a legitimate answer; reported to the main thread
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c, b)) for c, b in plans.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    from xiaoneng.core.errors import DomainError

    assert all(not isinstance(o, Exception) or isinstance(o, DomainError) for o in outcomes), outcomes
    mixed = [c.case_no for c in Case.objects.filter(case_no__in=numbers)
             if {e.client.department_id for e in c.events.select_related("client")} != {c.department_id}]
    assert mixed == []
