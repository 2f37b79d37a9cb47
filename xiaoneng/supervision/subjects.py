"""The subjects of cards, supervision orders and rectification proposals: what a (`subject_kind`,
`subject_id`) pair names, as pages, notices and the API show it.

A card, an order and a proposal name their subject by kind and primary key, without a foreign key per kind
(docs/architecture.md, "Cards about any subject"): cases and complaints today, the clocks of the next issues
(a bad rating's rectification, an inspection finding, an information request, a disclosure) tomorrow. This
module is the ONE place that knows the kinds — their label, their number, their page, the case handler who
answers, and what deleting a subject does to its cards; nothing else in supervision branches on a kind. (It is
to be re-pointed at the clock owners' port, each owner describing its own subjects.)

Cards never show anything about a complainant: a complaint is shown by its number only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.signals import pre_delete
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiaoneng.cases.models import Case
from xiaoneng.complaints.models import Complaint

CASE = "case"
COMPLAINT = "complaint"


@dataclass(frozen=True, slots=True)
class _Kind:
    """How supervision shows one kind of subject: its model, the field holding its number, its word (in
    Chinese, as stored notices say it; pages translate it, and both words are in the catalogue), the
    URL name of its page (which takes the number), whether lists mark it with a badge (cases, the common
    subject, are not marked) and the field of the staff member answering for it now ("" when none)."""

    model: type[models.Model]
    number_field: str
    word: str
    url_name: str
    badge: bool
    handler_field: str


# The words as makemessages must see them (subject_label translates the word it looks up).
_WORDS = (_("办件"), _("投诉"))

KINDS: dict[str, _Kind] = {
    CASE: _Kind(Case, "case_no", "办件", "cases:case_detail", False, "handler_id"),
    COMPLAINT: _Kind(Complaint, "number", "投诉", "complaints:detail", True, ""),
}


def subject_of(obj: models.Model) -> tuple[str, int]:
    """(kind, id) of a subject instance (a Case or a Complaint)."""
    for kind, k in KINDS.items():
        if isinstance(obj, k.model):
            return kind, obj.pk
    raise TypeError(f"not a supervised subject: {type(obj).__name__}")


def subject_number_of(obj: models.Model) -> str:
    """The number of a subject instance already in hand (no query)."""
    kind, _pk = subject_of(obj)
    return getattr(obj, KINDS[kind].number_field)


def about(obj: models.Model) -> Q:
    """The filter of the cards (orders, proposals) about one subject instance."""
    kind, pk = subject_of(obj)
    return Q(subject_kind=kind, subject_id=pk)


def subject_label(kind: str, *, stored: bool = False) -> str:
    """办件 / 投诉: translated for a page, or as stored texts (notifications, proposals) say it (`stored`)."""
    k = KINDS.get(kind)
    if k is None:
        return kind
    return k.word if stored else gettext(k.word)


def subject_badge(kind: str) -> str:
    """The label lists put before the subject's number ("" for cases, which lists do not mark)."""
    k = KINDS.get(kind)
    return gettext(k.word) if k is not None and k.badge else ""


def subject_numbers(kind_ids: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """{(kind, id): number} of the given subjects, one query per kind present."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, pk in kind_ids:
        wanted[kind].add(pk)
    out: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        k = KINDS[kind]
        for pk, number in k.model.objects.filter(pk__in=ids).values_list("pk", k.number_field):
            out[(kind, pk)] = number
    return out


def subject_url(kind: str, pk: int, number: str) -> str:
    """The staff page of the subject (cases and complaints are addressed by their number)."""
    return reverse(KINDS[kind].url_name, args=[number])


def subjects_attach(objs: Iterable) -> list:
    """Give each card/order/proposal of `objs` its subject's number (`subject_number`, read by the models'
    `subject_no`), one query per kind for those that do not have it yet. Returns the objects as a list."""
    objs = list(objs)
    missing = [o for o in objs if "subject_number" not in o.__dict__]
    if missing:
        numbers = subject_numbers((o.subject_kind, o.subject_id) for o in missing)
        for o in missing:
            o.subject_number = numbers.get((o.subject_kind, o.subject_id), "")
    return objs


def _per_kind(field_of, output_field) -> models.Expression:
    """CASE subject_kind WHEN kind THEN (the subject's `field_of(kind)` by subquery) … END, over the kinds
    that have such a field."""
    whens = []
    for kind, k in KINDS.items():
        field = field_of(k)
        if field:
            whens.append(models.When(subject_kind=kind, then=Subquery(
                k.model.objects.filter(pk=OuterRef("subject_id")).values(field)[:1])))
    return models.Case(*whens, default=models.Value(None), output_field=output_field)


def with_subject_numbers(qs):
    """The queryset with each row's subject number annotated (`subject_number`) in the same query: a list
    page shows numbers without a query per kind (pinned query counts stay)."""
    return qs.annotate(subject_number=_per_kind(lambda k: k.number_field, models.CharField()))


def current_handler_expression() -> models.Expression:
    """The staff member answering for the subject now (a case's handler, who may have been reassigned since
    the card was issued), NULL for kinds without one — for a queryset of cards."""
    return _per_kind(lambda k: k.handler_field, models.BigIntegerField())


def subject_handler(kind: str, pk: int) -> tuple[int | None, str]:
    """(staff id, name the department system reported) answering for the subject now: a case's handler and
    handler name; (None, "") for kinds without one."""
    if kind == CASE:
        row = Case.objects.filter(pk=pk).values_list("handler_id", "handler_name").first()
        return row if row is not None else (None, "")
    return None, ""


def number_filter(prefix: str) -> Q:
    """Cards (orders, proposals) whose subject's number starts with `prefix` (the lists' search box)."""
    q = Q(pk__in=[])
    for kind, k in KINDS.items():
        q |= Q(subject_kind=kind, subject_id__in=k.model.objects.filter(
            **{f"{k.number_field}__startswith": prefix}).values("pk"))
    return q


def api_numbers(kind: str, number: str) -> dict[str, str | None]:
    """The API's per-kind number fields of a card (`case_no`, `complaint_no`: the v1 schema)."""
    return {"case_no": number if kind == CASE else None, "complaint_no": number if kind == COMPLAINT else None}


def manual_order_offered(kind: str) -> bool:
    """Whether a card's page offers the office a supervision order form: for case cards (a complaint card
    gets its automatic order; the complaint's own page is where the office handles it)."""
    return kind == CASE


def proposal_opening(kind: str, number: str) -> str:
    """The first sentence of a printed rectification proposal, which says where the problem was found."""
    if kind == CASE:
        return _("本机关在电子监察中发现你单位办理的办件（编号 %(no)s）存在以下问题：") % {"no": number}
    return _("本机关在办理效能投诉（编号 %(no)s）中发现你单位存在以下问题：") % {"no": number}


# ============================================================================ deleting a subject
def _before_subject_deleted(sender, instance, **kwargs) -> None:
    """What the cards' ON DELETE CASCADE and the orders' PROTECT did when they were foreign keys: a subject
    with supervision orders or proposals cannot be deleted (ProtectedError, as before); otherwise its cards
    go with it (their actions and notifications cascade from the card). The application never deletes a case
    or a complaint (no service, view, admin or merge does); this keeps a deletion by hand (shell, a test's
    clean-up) from leaving cards about nothing."""
    from django.db.models import ProtectedError

    from .models import SupervisionOrder, SupervisionProposal, Warning

    kind, pk = subject_of(instance)
    q = Q(subject_kind=kind, subject_id=pk)
    blocking = list(SupervisionOrder.objects.filter(q)[:1]) + list(SupervisionProposal.objects.filter(q)[:1])
    if blocking:
        raise ProtectedError(f"{subject_label(kind)} {pk} 有督办单或整改建议书，不能删除。",
                             set(blocking))
    Warning.objects.filter(q).delete()


def connect_subject_deletion() -> None:
    """Called once by SupervisionConfig.ready(): the deletion rule above for every kind."""
    for kind, k in KINDS.items():
        pre_delete.connect(_before_subject_deleted, sender=k.model, dispatch_uid=f"supervision-subject-{kind}")
