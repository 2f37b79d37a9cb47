# ruff: noqa: F811  (the complaint fixtures are imported by name and used as test arguments)
"""Cards, orders and proposals name their subject by kind and id (subjects.py, migration 0008): one unique
constraint for every kind, numbers read once per kind, what deleting a case or a complaint does to its cards
(what ON DELETE CASCADE / PROTECT did), and the migration carrying every row forward and back."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from xiaoneng.cases.models import Case
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.tests.conftest import (  # noqa: F401 - fixtures
    LETTER,
    T0,
    TZ,
    _media_and_limits,
    submit,
)
from xiaoneng.supervision import subjects
from xiaoneng.supervision.models import (
    Notification,
    SupervisionOrder,
    SupervisionProposal,
    Warning,
    WarningAction,
)
from xiaoneng.supervision.services import supervise_tick

from .conftest import SECOND, at

CARD_LEAF = ("supervision", "0009_cards_orders_proposals_name_their_subject")
BEFORE = ("supervision", "0008_rule_subject_kind")


def complaint_at(month, day, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def two_kinds(accepted_case, submit):
    """A case with a yellow card (and its automatic order) and a complaint with a yellow card."""
    c = accepted_case()
    supervise_tick(now=at("2026-10-12 18:00"))
    t = submit()
    supervise_tick(now=complaint_at(3, 11))
    return c, t


def test_one_constraint_for_every_kind(two_kinds):
    c, t = two_kinds
    w = Warning.objects.about(c).filter(level="yellow").get()
    fields = dict(rule=w.rule, level=w.level, deadline_key=w.deadline_key, department=w.department,
                  crossed_at=w.crossed_at, issued_at=w.issued_at, updated_at=w.issued_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Warning.objects.create(subject_kind=subjects.CASE, subject_id=c.pk, **fields)
    # The same rule and key about another kind of subject with the same id is another card.
    Warning.objects.create(subject_kind="test-kind", subject_id=c.pk, **fields)


def test_numbers_one_query_per_kind_and_pages(two_kinds, django_assert_num_queries):
    c, t = two_kinds
    cards = list(Warning.objects.filter(subject_kind__in=(subjects.CASE, subjects.COMPLAINT)).order_by("id"))
    assert {w.subject_kind for w in cards} == {subjects.CASE, subjects.COMPLAINT}
    with django_assert_num_queries(2):
        subjects.subjects_attach(cards)
    with django_assert_num_queries(0):
        numbers = {(w.subject_kind, w.subject_id): w.subject_no for w in cards}
    assert numbers[(subjects.CASE, c.pk)] == c.case_no and numbers[(subjects.COMPLAINT, t.pk)] == t.number
    with django_assert_num_queries(1):  # the same in the list's own query
        annotated = list(subjects.with_subject_numbers(Warning.objects.order_by("id")))
    assert [w.subject_no for w in annotated] == [w.subject_no for w in cards]
    assert subjects.subject_url(subjects.CASE, c.pk, c.case_no).endswith(f"/{c.case_no}/")
    assert subjects.subject_url(subjects.COMPLAINT, t.pk, t.number).endswith(f"/{t.number}/")
    assert (subjects.subject_label(subjects.CASE), subjects.subject_label(subjects.COMPLAINT)) == ("办件", "投诉")
    # A complaint's card says nothing about the complainant: its number only.
    complaint_card = next(w for w in cards if w.subject_kind == subjects.COMPLAINT)
    assert complaint_card.subject_no == t.number and complaint_card.subject_badge == "投诉"


# ======================================================================== deleting a subject
def test_deleting_a_case_deletes_its_cards_and_their_history(accepted_case):
    """No service, page or admin deletes a case; a deletion by hand takes the case's cards (with their
    history and notifications) with it, as the foreign key's ON DELETE CASCADE did."""
    c = accepted_case()
    other = accepted_case("C2")
    supervise_tick(now=c.committed_deadline - SECOND)  # the reminders only: no order, no proposal
    assert Warning.objects.about(c).exists() and Warning.objects.about(other).exists()
    ids = list(Warning.objects.about(c).values_list("id", flat=True))
    WarningAction.objects.create(warning_id=ids[0], kind="explain", at=c.committed_deadline, text="已加快办理。")
    c.delete()
    assert not Warning.objects.filter(id__in=ids).exists()
    assert not WarningAction.objects.filter(warning_id__in=ids).exists()
    assert not Notification.objects.filter(warning_id__in=ids).exists()
    assert Warning.objects.about(other).exists()  # the other case's cards stay


def test_a_case_with_an_order_cannot_be_deleted(accepted_case):
    """As the order's PROTECT foreign key refused it: the case, its cards and its order all stay."""
    c = accepted_case()
    supervise_tick(now=at("2026-10-12 18:00"))
    assert SupervisionOrder.objects.about(c).exists()
    n = Warning.objects.about(c).count()
    with pytest.raises(ProtectedError), transaction.atomic():
        c.delete()
    assert Case.objects.filter(pk=c.pk).exists() and Warning.objects.about(c).count() == n


def test_deleting_a_complaint_deletes_its_cards(submit):
    t = submit()
    supervise_tick(now=complaint_at(3, 5, 18))  # the acceptance reminder only
    ids = list(Warning.objects.about(t).values_list("id", flat=True))
    assert ids and not SupervisionOrder.objects.about(t).exists()
    Complaint.objects.get(pk=t.pk).delete()
    assert not Warning.objects.filter(id__in=ids).exists()


# ============================================================================================ migration
@pytest.mark.django_db(transaction=True)
def test_migration_carries_every_subject_back_and_forward(accepted_case, submit):
    """Cards, orders and proposals of cases and complaints: migrating back to the per-kind foreign keys
    fills case_id / complaint_id from the subject, and forward again gives the same subjects."""
    from django.db.migrations.executor import MigrationExecutor

    c = accepted_case()
    supervise_tick(now=at("2026-11-04 18:00"))  # yellow, red: orders and a draft proposal
    t = submit()
    supervise_tick(now=complaint_at(3, 13))
    models = (Warning, SupervisionOrder, SupervisionProposal)
    before = {m.__name__: sorted(m.objects.values_list("id", "subject_kind", "subject_id")) for m in models}
    for name in ("Warning", "SupervisionOrder", "SupervisionProposal"):
        assert {k for _i, k, _s in before[name]} == {"case", "complaint"}, name

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    for name, rows in before.items():
        model = old.get_model("supervision", name)
        back = {pk: (case_id, complaint_id) for pk, case_id, complaint_id in
                model.objects.values_list("id", "case_id", "complaint_id")}
        assert back == {pk: ((sid, None) if kind == "case" else (None, sid)) for pk, kind, sid in rows}, name
    # The old constraints are back: a card with no subject is refused.
    w = old.get_model("supervision", "Warning").objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(w).objects.filter(pk=w.pk).update(case_id=None, complaint_id=None)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = {m.__name__: sorted(m.objects.values_list("id", "subject_kind", "subject_id")) for m in models}
    assert after == before
    assert Warning.objects.about(c).exists() and Warning.objects.about(t).exists()
