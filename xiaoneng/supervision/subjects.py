"""The subjects of cards, supervision orders and rectification proposals: what a (`subject_kind`,
`subject_id`) pair names, as pages, notices and the API show it.

A card, an order and a proposal name their subject by kind and primary key, without a foreign key per kind
(docs/architecture.md, "Cards about any subject"): cases and complaints today, the clocks of the next issues
(a bad rating's rectification, an inspection finding, an information request, a disclosure) tomorrow. Each
kind is a clock owner (core/clocks.py) that describes its own subjects — its label, its model and number
column, its page, who answers for it now — so this module imports no owner and knows no kind but by the
strings the API's v1 schema and the printed proposal spell out.

Cards never show anything about a complainant: a complaint is shown by its number only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.signals import pre_delete
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from xiaoneng.core import clocks

CASE = "case"
COMPLAINT = "complaint"


def _owner(kind: str):
    try:
        return clocks.owner(kind)
    except ImproperlyConfigured:  # a card of an owner no longer installed keeps its kind and id; pages show those
        return None


def subject_of(obj: models.Model) -> tuple[str, int]:
    """(kind, id) of a subject instance (a Case, a Complaint, …: whatever an owner's `subject_model` is)."""
    for owner in clocks.owners():
        if owner.subject_model is not None and isinstance(obj, owner.subject_model):
            return owner.kind, obj.pk
    raise TypeError(f"not a supervised subject: {type(obj).__name__}")


def subject_number_of(obj: models.Model) -> str:
    """The number of a subject instance already in hand (no query)."""
    kind, _pk = subject_of(obj)
    return getattr(obj, clocks.owner(kind).number_field)


def about(obj: models.Model) -> Q:
    """The filter of the cards (orders, proposals) about one subject instance."""
    kind, pk = subject_of(obj)
    return Q(subject_kind=kind, subject_id=pk)


_STORED_LABELS: dict[tuple[str, int], str] = {}


def subject_label(kind: str, *, stored: bool = False) -> str:
    """办件 / 投诉 / …: translated for a page, or as stored texts (notifications, proposals) say it (`stored`:
    in the platform's language, whoever's request triggers it)."""
    owner = _owner(kind)
    if owner is None:
        return kind
    if stored:
        # Memoised per owner: escalation names the kind once per order and proposal (thousands a tick), and
        # switching the language for each cost ~10 µs.
        key = (kind, id(owner))
        out = _STORED_LABELS.get(key)
        if out is None:
            with translation.override(settings.LANGUAGE_CODE):
                out = _STORED_LABELS[key] = str(owner.label)
        return out
    return str(owner.label)


def subject_badge(kind: str) -> str:
    """The label lists put before the subject's number ("" for cases, the common subject, not marked)."""
    return "" if kind == CASE else subject_label(kind)


def subject_numbers(kind_ids: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """{(kind, id): number} of the given subjects, one query per kind present (an owner without a model
    describes its subjects itself)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, pk in kind_ids:
        wanted[kind].add(pk)
    out: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        owner = _owner(kind)
        if owner is None:
            continue
        if owner.subject_model is None:
            out.update({(kind, pk): sub.number for pk, sub in owner.subjects(ids).items()})
            continue
        for pk, number in owner.subject_model.objects.filter(pk__in=ids).values_list("pk", owner.number_field):
            out[(kind, pk)] = number
    return out


def subject_url(kind: str, pk: int, number: str) -> str:
    """The staff page of the subject ("" for a kind no owner describes any more)."""
    owner = _owner(kind)
    return owner.url_of(pk, number) if owner is not None else ""


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
    for owner in clocks.owners():
        field = field_of(owner) if owner.subject_model is not None else ""
        if field:
            whens.append(models.When(subject_kind=owner.kind, then=Subquery(
                owner.subject_model.objects.filter(pk=OuterRef("subject_id")).values(field)[:1])))
    return models.Case(*whens, default=models.Value(None), output_field=output_field)


def with_subject_numbers(qs):
    """The queryset with each row's subject number annotated (`subject_number`) in the same query: a list
    page shows numbers without a query per kind (pinned query counts stay)."""
    return qs.annotate(subject_number=_per_kind(lambda o: o.number_field, models.CharField()))


def current_handler_expression() -> models.Expression:
    """The staff member answering for the subject now (a case's handler, who may have been reassigned since
    the card was issued), NULL for kinds without one — for a queryset of cards."""
    return _per_kind(lambda o: o.handler_field, models.BigIntegerField())


def subject_handler(kind: str, pk: int) -> tuple[int | None, str]:
    """(staff id, name the department system reported) answering for the subject now: a case's handler and
    handler name; (None, "") for kinds without one."""
    owner = _owner(kind)
    if owner is None or owner.subject_model is None or not owner.handler_field:
        return None, ""
    model = owner.subject_model
    # The name the reporting system gave, where the subject keeps one (a case's `handler_name`).
    named = "handler_name" in {f.name for f in model._meta.get_fields()}
    row = model.objects.filter(pk=pk).values_list(owner.handler_field, "handler_name" if named else "pk").first()
    if row is None:
        return None, ""
    return row[0], (row[1] if named else "")


def number_filter(prefix: str) -> Q:
    """Cards (orders, proposals) whose subject's number starts with `prefix` (the lists' search box)."""
    q = Q(pk__in=[])
    for owner in clocks.owners():
        if owner.subject_model is not None:
            q |= Q(subject_kind=owner.kind, subject_id__in=owner.subject_model.objects.filter(
                **{f"{owner.number_field}__startswith": prefix}).values("pk"))
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
    if kind == COMPLAINT:
        return _("本机关在办理效能投诉（编号 %(no)s）中发现你单位存在以下问题：") % {"no": number}
    return _("本机关在电子监察中发现你单位的%(what)s（编号 %(no)s）存在以下问题：") % {
        "what": subject_label(kind), "no": number}


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
    for owner in clocks.owners():
        if owner.subject_model is not None:
            pre_delete.connect(_before_subject_deleted, sender=owner.subject_model,
                               dispatch_uid=f"supervision-subject-{owner.kind}")
