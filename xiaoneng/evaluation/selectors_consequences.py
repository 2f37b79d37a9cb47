"""Reads of the consequences (bulletins, the sanctions register, staff records), scoped by who asks.

- Bulletins: the office (supervisors) and leaders.
- The register: supervisors and leaders every sanction; a head its department's (and the units below it); a
  handler the sanctions against itself. Window staff and administrators none (the views refuse them).
- A staff member's record (绩效档案): the office, the member, and the heads of the member's department only.
Out of scope reads are 404 (we do not say whether the record exists).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.accounts.selectors import department_scope_q
from xiaoneng.core.periods import Period

from .models import (
    Bulletin,
    Evaluation,
    EvaluationStatus,
    EvidenceKind,
    Sanction,
    SanctionKind,
    SanctionSource,
    SanctionStatus,
)
from .services.sanctions import may_appeal


def is_office(staff) -> bool:
    return bool(staff and staff.is_authenticated and staff.has_role(R.SUPERVISOR))


# ----------------------------------------------------------------------------------------------- bulletins
def bulletin_list() -> QuerySet[Bulletin]:
    return Bulletin.objects.select_related("evaluation").order_by("-generated_at", "-id")


def bulletin_get(pk: int) -> Bulletin:
    b = Bulletin.objects.select_related("evaluation", "generated_by", "published_by").filter(pk=pk).first()
    if b is None:
        raise Http404
    return b


def evaluations_without_bulletin() -> list[Evaluation]:
    """Published evaluations with no bulletin yet: what the office may generate."""
    return list(Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED, bulletins__isnull=True)
                .order_by("-starts_at", "-revision")[:20])


# ----------------------------------------------------------------------------------------------- the register
def sanction_scope_q(staff) -> Q:
    if staff is None or not staff.is_authenticated or not staff.is_active:
        return Q(pk__in=[])
    if staff.has_any_role(R.SUPERVISOR, R.LEADER):
        return Q()
    q = Q(pk__in=[])
    if staff.has_role(R.HEAD):
        q |= department_scope_q(staff, "department")
    if staff.has_role(R.HANDLER):
        q |= Q(staff_id=staff.pk)
    return q


# The register's status filter: by default what is pending or decided (a dismissed proposal — the office said no,
# or a correction withdrew it — is history, one choice away); "decided" is every decision that counts (confirmed,
# under appeal, upheld on appeal); "all" everything; else one status.
STATUS_DEFAULT = ""
STATUS_ALL = "all"
STATUS_DECIDED = "decided"
DECIDED = (SanctionStatus.CONFIRMED, SanctionStatus.APPEALED, SanctionStatus.UPHELD)


def status_choices() -> list[tuple[str, str]]:
    labels = dict(SanctionStatus.choices)
    return [(STATUS_DEFAULT, _("待确认和已决定")), (STATUS_ALL, _("全部（含不予处理）")),
            (SanctionStatus.PROPOSED, labels[SanctionStatus.PROPOSED]),
            (STATUS_DECIDED, _("已决定（含申诉中、申诉驳回维持）")),
            *[(v, labels[v]) for v in (SanctionStatus.CONFIRMED, SanctionStatus.APPEALED, SanctionStatus.UPHELD,
                                       SanctionStatus.REVOKED, SanctionStatus.DISMISSED)]]


@dataclass
class SanctionFilters:
    status: str = ""
    kind: str = ""
    source: str = ""
    department: Department | None = None


def sanction_list_for(staff, f: SanctionFilters) -> QuerySet[Sanction]:
    qs = Sanction.objects.filter(sanction_scope_q(staff)).select_related("department", "staff")
    if f.status == STATUS_DEFAULT:
        qs = qs.exclude(status=SanctionStatus.DISMISSED)
    elif f.status == STATUS_DECIDED:
        qs = qs.filter(status__in=DECIDED)
    elif f.status != STATUS_ALL:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.department is not None:
        qs = qs.filter(department__path__startswith=f.department.path)
    return qs.order_by("-proposed_at", "-id")


def sanction_get_for(staff, pk: int) -> Sanction:
    s = (Sanction.objects.filter(sanction_scope_q(staff)).select_related(
        "department", "department__head", "staff", "staff__department", "evaluation", "proposed_by", "decided_by",
        "appeal_decided_by").filter(pk=pk).first())
    if s is None:
        raise Http404
    return s


def filter_departments_for(staff) -> QuerySet[Department]:
    return Department.objects.filter(department_scope_q(staff, "")).filter(is_active=True).exclude(
        kind__in=(Department.Kind.COUNTY, Department.Kind.OFFICE)).order_by("path")


def choices() -> dict:
    return {"statuses": status_choices(), "kinds": SanctionKind.choices, "sources": SanctionSource.choices}


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def evidence_rows(staff, s: Sanction) -> list[dict]:
    """The evidence with a link where the target's page exists (and the reader may open it: the target pages
    scope themselves; we link, they decide)."""
    rows = []
    ev = list(s.evidence.all())
    complaint_numbers = {}
    if any(e.kind == EvidenceKind.COMPLAINT for e in ev):
        from xiaoneng.complaints.models import Complaint

        complaint_numbers = dict(Complaint.objects.filter(
            pk__in=[e.object_id for e in ev if e.kind == EvidenceKind.COMPLAINT]).values_list("pk", "number"))
    case_numbers = {}
    if any(e.kind == EvidenceKind.CASE for e in ev):
        from xiaoneng.cases.models import Case

        case_numbers = dict(Case.objects.filter(
            pk__in=[e.object_id for e in ev if e.kind == EvidenceKind.CASE]).values_list("pk", "case_no"))
    for e in ev:
        url = None
        if e.kind == EvidenceKind.CARD:
            url = _url("supervision:warning_detail", e.object_id)
        elif e.kind == EvidenceKind.COMPLAINT and e.object_id in complaint_numbers:
            url = _url("complaints:detail", complaint_numbers[e.object_id])
        elif e.kind == EvidenceKind.RATING:
            url = _url("ratings:office_detail", e.object_id)
        elif e.kind == EvidenceKind.FINDING:
            url = _url("inspections:finding", e.object_id)
        elif e.kind == EvidenceKind.BULLETIN and staff.has_any_role(R.SUPERVISOR, R.LEADER):
            url = _url("evaluation:bulletin_detail", e.object_id)
        elif e.kind == EvidenceKind.CASE and e.object_id in case_numbers:
            url = _url("cases:case_detail", case_numbers[e.object_id])
        rows.append({"kind": e.get_kind_display(), "label": e.label, "url": url})
    return rows


def sanction_permissions(staff, s: Sanction) -> dict:
    office = is_office(staff)
    return {
        "confirm": office and s.status == SanctionStatus.PROPOSED,
        "dismiss": office and s.status == SanctionStatus.PROPOSED,
        "decide": office and s.status == SanctionStatus.APPEALED,
        "appeal": s.status == SanctionStatus.CONFIRMED and may_appeal(staff, s),
        "record": s.staff_id is not None and record_visible(staff, s.staff),
        "document": bool(s.number),
    }


def _date(at) -> str:
    if at is None:
        return ""
    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日"


def decision_document(s: Sanction) -> dict:
    """The decision document (效能问责决定书) as data: what the printable page and the PDF print."""
    office = Department.objects.filter(kind=Department.Kind.OFFICE).order_by("path").first()
    target = s.department.name + (f"（{s.staff.display_name}同志）" if s.staff_id else "")
    kind = SanctionKind(s.kind).label
    period = Period.current(s.decided_at).label if s.decided_at else ""
    points = f"{s.points.normalize():f}"
    basis = (s.basis or "机关效能建设有关规定").rstrip("。；;，, ")
    paragraphs = [
        f"经查，{s.reason}",
        f"依据：{basis}。经研究，决定对{target}予以{kind}"
        + (f"，并在{period}机关效能考核中扣{points}分。" if s.points else "。"),  # a rank's consequence deducts nothing
    ]
    if s.decision_note:
        paragraphs.append(f"决定意见：{s.decision_note}")
    paragraphs.append("如对本决定有异议，可自收到本决定之日起10个工作日内，由单位负责人或本人通过平台向效能办提出申诉。"
                      "申诉期间不停止本决定的执行。")
    if s.status in (SanctionStatus.REVOKED, SanctionStatus.UPHELD):
        outcome = "申诉成立，本决定撤销，所扣分值不再计算。" if s.status == SanctionStatus.REVOKED else "申诉不成立，维持本决定。"
        paragraphs.append(f"申诉处理（{_date(s.appeal_decided_at)}）：{outcome}{s.appeal_note}")
    return {
        "title": "效能问责决定书", "number": s.number, "addressee": s.department.name,
        "paragraphs": paragraphs, "issuer": office.name if office else "机关效能建设领导小组办公室",
        "date_text": _date(s.decided_at),
    }


# ----------------------------------------------------------------------------------------------- staff record
def record_visible(viewer, member: Staff) -> bool:
    """The office, the member, and heads of the member's department (or a unit above it) only."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return False
    if viewer.has_role(R.SUPERVISOR) or viewer.pk == member.pk:
        return True
    return (viewer.has_role(R.HEAD) and viewer.department_id is not None and member.department_id is not None
            and member.department.is_within(viewer.department))


def record_member_get_for(viewer, pk: int) -> Staff:
    """The member whose record is asked for: 404 outside the viewer's department scope, and the caller answers
    403 when in scope but not the office, the member or a head."""
    member = Staff.objects.select_related("department").filter(pk=pk).first()
    if member is None:
        raise Http404
    if member.department_id is None:
        if not viewer.has_role(R.SUPERVISOR) and viewer.pk != member.pk:
            raise Http404
        return member
    if not Department.objects.filter(department_scope_q(viewer, ""), pk=member.department_id).exists() \
            and viewer.pk != member.pk:
        raise Http404
    return member


def staff_record(member: Staff, *, quarters: int = 8, now=None) -> dict:
    """A staff member's cards (as handler), ratings (as the rated person) and sanctions, by quarter, the last
    `quarters` quarters, newest first; and the lists."""
    from xiaoneng.ratings.models import Rating

    now = now or timezone.now()
    periods = Period.current(now).recent(quarters)[::-1]
    start, end = periods[-1].start, periods[0].end
    from xiaoneng.supervision.models import Level, Warning, WarningStatus

    cards = list(Warning.objects.filter(handler=member, issued_at__gte=start, issued_at__lt=end)
                 .exclude(status__in=(WarningStatus.WITHDRAWN, WarningStatus.PENDING_CONFIRMATION))
                 .select_related("department").order_by("-issued_at")[:200])
    ratings = list(Rating.objects.filter(staff=member, rated_at__gte=start, rated_at__lt=end)
                   .order_by("-rated_at")[:200])
    sanctions = list(Sanction.objects.filter(staff=member).order_by("-proposed_at", "-id")[:200])
    rows = []
    for p in periods:
        pc = [c for c in cards if p.contains(c.issued_at)]
        pr = [r for r in ratings if p.contains(r.rated_at) and not r.voided_at]
        ps = [s for s in sanctions if s.decided_at and p.contains(s.decided_at)
              and s.status in (SanctionStatus.CONFIRMED, SanctionStatus.APPEALED, SanctionStatus.UPHELD)]
        good = sum(1 for r in pr if r.level >= 4)
        rows.append({
            "period": p, "reminder": sum(1 for c in pc if c.level == Level.REMINDER),
            "yellow": sum(1 for c in pc if c.level == Level.YELLOW), "red": sum(1 for c in pc if c.level == Level.RED),
            "ratings": len(pr), "good": good, "bad": sum(1 for r in pr if r.level <= 2),
            "good_rate": f"{good * 100 / len(pr):.1f}%" if pr else "—",
            "sanctions": len(ps), "points": sum((s.points for s in ps), 0),
        })
    return {"rows": rows, "cards": cards, "ratings": ratings, "sanctions": sanctions}


# ----------------------------------------------------------------------------------------------- landing panel
def office_panel(user, *, now) -> dict | None:
    """效能监察员's landing panel (core/landing.py): proposals waiting for a decision, appeals waiting, published
    evaluations without a bulletin; the oldest proposals listed."""
    if not is_office(user):
        return None
    qs = Sanction.objects.all()
    proposed = qs.filter(status=SanctionStatus.PROPOSED)
    n_proposed, n_appealed = proposed.count(), qs.filter(status=SanctionStatus.APPEALED).count()
    pending = len(evaluations_without_bulletin())
    base = reverse("evaluation:sanction_list")
    rows = list(proposed.select_related("department", "staff").order_by("proposed_at", "id")[:5])
    return {
        "key": "evaluation-consequences", "title": _("效能问责与通报"), "url": base, "link": _("效能问责登记"),
        "tiles": [
            {"key": "proposed", "label": _("待确认的问责事项"), "value": n_proposed, "tone": "warning" if n_proposed else "",
             "url": f"{base}?status=proposed"},
            {"key": "appealed", "label": _("待处理的申诉"), "value": n_appealed, "tone": "danger" if n_appealed else "",
             "url": f"{base}?status=appealed"},
            {"key": "bulletins", "label": _("待生成通报的考核"), "value": pending, "tone": "warning" if pending else "",
             "url": reverse("evaluation:bulletin_list")},
        ],
        "rows_title": _("最早提出的待确认事项"),
        "rows": [{"text": f"{s.get_kind_display()} · {s.department.name}"
                          + (f" · {s.staff.display_name}" if s.staff_id else ""),
                  "url": reverse("evaluation:sanction_detail", args=[s.pk]),
                  "meta": f"{s.get_source_display()} · {timezone.localtime(s.proposed_at):%Y-%m-%d %H:%M}",
                  "tone": ""} for s in rows],
        "empty": _("没有待确认的问责事项。"),
    }
