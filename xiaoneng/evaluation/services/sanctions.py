"""The sanctions register (效能问责): proposals (escalation of repeated bottom places, vetoes, thresholds,
inspections, by hand), decisions with numbered documents, appeals.

The life of a sanction: PROPOSED → CONFIRMED (numbered decision document, the points it deducts) or DISMISSED
(with reasons); a CONFIRMED one may be appealed (APPEALED) by the department's head or the sanctioned staff
member, and the office decides: appeal upheld → REVOKED (the sanction and its deduction are gone), rejected →
UPHELD. Every transition is refused from the wrong state with a Chinese message, and who did it and when is kept
on the row (proposed_*, decided_*, appealed_at, appeal_decided_*): the register is its own audit trail.

Automatic proposals (`sanctions_propose_after_publish`) are idempotent by `source_key`: re-publishing a
corrected revision of a period never proposes the same thing twice. A corrected revision withdraws (dismisses,
naming the revision) the still-proposed ones it no longer calls for, and names in the evaluation's notes the
decided ones it no longer supports and the later periods' escalations whose count it changed: decisions are
the office's, never changed by the system.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.errors import DomainError, NotPermitted

from ..models import (
    Bulletin,
    Evaluation,
    EvaluationStatus,
    EvidenceKind,
    Sanction,
    SanctionEvidence,
    SanctionKind,
    SanctionSeries,
    SanctionSource,
    SanctionStatus,
    Score,
)

D = Decimal

# Points a confirmed sanction deducts by default, by severity (DOMAIN.md §5: "−10 … −50 by severity"); the office
# may set other points when confirming.
DEFAULT_POINTS = {
    SanctionKind.WARNING: D(10),
    SanctionKind.CRITICISM: D(20),
    SanctionKind.ADMONISHMENT: D(20),
    SanctionKind.RECTIFY: D(10),
    SanctionKind.ORGANISATIONAL: D(30),
    SanctionKind.DISCIPLINARY: D(50),
}
MAX_POINTS = D(100)

# Escalation of repeated bottom places (issue 13 §3): the 1st time 通报批评, the 2nd consecutive 诫勉谈话 (with the
# head), the 3rd and later a proposal of organisational measures (组织调整).
ESCALATION = (SanctionKind.CRITICISM, SanctionKind.ADMONISHMENT, SanctionKind.ORGANISATIONAL)
ESCALATION_BASIS = "机关效能考核方案：连续排名后进的，第一次通报批评，连续第二次对主要负责人诫勉谈话，连续第三次提出组织调整建议。"

# Thresholds (issue 13 §3): the red-card threshold is the scheme's (Scheme.red_card_threshold, .red_card_sanction;
# shipped: three red cards issued to one handler within a quarter → 效能告诫, services.schemes), counted within the
# evaluated period; the office confirms or dismisses what it proposes.

# The automatic proposals a period's results call for (what a corrected revision re-decides); the inspections'
# proposals are not bound to a period.
AUTO_SOURCES = (SanctionSource.ESCALATION, SanctionSource.VETO, SanctionSource.THRESHOLD)
DECIDED_STATUSES = (SanctionStatus.CONFIRMED, SanctionStatus.APPEALED, SanctionStatus.UPHELD)

# The inspections app's kinds (its SanctionProposal) → the register's kinds.
INSPECTION_KINDS = {
    "admonition": SanctionKind.WARNING,
    "talk": SanctionKind.ADMONISHMENT,
    "criticism": SanctionKind.CRITICISM,
    "organisational": SanctionKind.ORGANISATIONAL,
    "disciplinary": SanctionKind.DISCIPLINARY,
}

SERIES_SANCTION = "sanction"
SERIES_BULLETIN = "bulletin"


# ----------------------------------------------------------------------------------------------- numbering
def county_short_name() -> str:
    """The issuing government's short name for document numbers ('清源县'): the county department's short name,
    else its name without 人民政府, else settings.XIAONENG_COUNTY_NAME, else 本县."""
    county = Department.objects.filter(kind=Department.Kind.COUNTY).order_by("path").first()
    if county is not None:
        name = county.short_name or county.name.replace("人民政府", "")
        if name:
            return name
    return (getattr(settings, "XIAONENG_COUNTY_NAME", "") or "").strip() or "本县"


def series_next(kind: str, year: int) -> int:
    """The next number of a yearly series, taken under a row lock (two decisions never share a number)."""
    SanctionSeries.objects.get_or_create(kind=kind, year=year)
    row = SanctionSeries.objects.select_for_update().get(kind=kind, year=year)
    row.last_number += 1
    row.save(update_fields=["last_number"])
    return row.last_number


def document_number(kind: str, year: int, serial: int) -> str:
    """'清源县效能〔2026〕3号' (decisions) or '清源县效通〔2026〕1号' (bulletins)."""
    abbr = "效通" if kind == SERIES_BULLETIN else "效能"
    return f"{county_short_name()}{abbr}〔{year}〕{serial}号"


# ----------------------------------------------------------------------------------------------- evidence
def _dept_ok(obj_dept: Department | None, department: Department) -> bool:
    return obj_dept is not None and obj_dept.is_within(department)


def evidence_resolve(kind: str, object_id, department: Department) -> str:
    """The label of one piece of evidence, after checking it exists and concerns `department` (or a unit below
    it); DomainError naming the field otherwise."""
    field = f"evidence_{kind}"
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise DomainError("依据的编号应为数字。", field=field) from None
    if not 0 < pk < 2**62:
        raise DomainError("依据不存在。", field=field)
    missing = DomainError(f"所选{EvidenceKind(kind).label if kind in EvidenceKind.values else '依据'}不存在，"
                          f"或与对象单位“{department.name}”无关。", field=field)
    if kind == EvidenceKind.CARD:
        from xiaoneng.supervision.models import Warning

        o = Warning.objects.select_related("department").filter(pk=pk).first()
        if o is None or not _dept_ok(o.department, department):
            raise missing
        return f"{o.get_level_display()}：{o.detail or o.department.name}"[:200]
    if kind == EvidenceKind.COMPLAINT:
        from xiaoneng.complaints.models import Complaint

        o = Complaint.objects.select_related("department").filter(pk=pk).first()
        if o is None or not _dept_ok(o.department, department):
            raise missing
        return f"投诉 {o.number}"
    if kind == EvidenceKind.RATING:
        from xiaoneng.ratings.models import Rating

        o = Rating.objects.select_related("department").filter(pk=pk).first()
        if o is None or not _dept_ok(o.department, department):
            raise missing
        local = timezone.localtime(o.rated_at)
        return f"评价：{o.get_level_display()}（{local.year}年{local.month}月{local.day}日）"
    if kind == EvidenceKind.FINDING:
        from xiaoneng.inspections.models import Finding

        o = Finding.objects.select_related("department").filter(pk=pk).first()
        if o is None or not _dept_ok(o.department, department):
            raise missing
        return f"发现问题 {o.number}：{o.item_name}"[:200]
    if kind == EvidenceKind.CASE:
        from xiaoneng.cases.models import Case

        o = Case.objects.select_related("department").filter(pk=pk).first()
        if o is None or not _dept_ok(o.department, department):
            raise missing
        return f"办件 {o.case_no}"
    if kind == EvidenceKind.SCORE:
        o = Score.objects.select_related("department", "evaluation").filter(pk=pk).first()
        if o is None or not _dept_ok(o.department, department):
            raise missing
        return score_label(o)
    if kind == EvidenceKind.BULLETIN:
        o = Bulletin.objects.filter(pk=pk).first()
        if o is None or department.pk not in bulletin_department_ids(o):
            raise missing
        return f"{o.title}（{o.number}）"[:200]
    raise DomainError("依据类型无效。", field="evidence")


def bulletin_department_ids(bulletin: Bulletin) -> set[int]:
    ids = set()
    for g in (bulletin.content or {}).get("groups", []):
        for row in g.get("commended", []) + g.get("named", []):
            ids.add(row.get("department_id"))
    return ids


def score_label(s: Score) -> str:
    return (f"{s.evaluation.period_label}考核：{s.score} 分，{s.get_grade_display()}，"
            f"{s.group_name}第{s.rank}名（共{s.group_size}个）")


def _points(raw, kind: str) -> Decimal:
    if raw is None or raw == "":
        return DEFAULT_POINTS.get(kind, D(0))
    try:
        p = D(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("扣分应为数字。", field="points") from None
    if not p.is_finite() or p < 0 or p > MAX_POINTS:
        raise DomainError(f"扣分应在 0 至 {MAX_POINTS} 分之间。", field="points")
    if p != p.quantize(D("0.01")):
        raise DomainError("扣分最多保留两位小数。", field="points")
    return p


def _text(raw, field: str, label: str, *, required: bool, max_len: int = 2000) -> str:
    text = (raw or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field)
    if len(text) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 字。", field=field)
    return text


# ----------------------------------------------------------------------------------------------- transitions
@transaction.atomic
def sanction_propose(*, kind: str, department: Department, reason: str, now: dt.datetime, by=None,
                     staff: Staff | None = None, evidence=(), basis: str = "", points=None,
                     source: str = SanctionSource.MANUAL, source_key: str | None = None,
                     evaluation: Evaluation | None = None) -> Sanction:
    """Enter a proposed sanction in the register (the office by hand, or a rule): against `department`, or
    `staff` of it, resting on `evidence` ((kind, id) pairs, each checked to exist and to concern the department).
    Nothing is stored when anything is wrong."""
    if kind not in SanctionKind.values:
        raise DomainError("请选择处理方式。", field="kind")
    if department is None:
        raise DomainError("请选择对象单位。", field="department")
    reason = _text(reason, "reason", "事由", required=True)
    basis = _text(basis, "basis", "依据", required=False, max_len=300)
    if staff is not None and (staff.department is None or not staff.department.is_within(department)):
        raise DomainError(f"对象人员不属于“{department.name}”。", field="staff")
    pts = _points(points, kind)
    pairs, seen = [], set()
    for ek, oid in evidence:
        if ek not in EvidenceKind.values:
            raise DomainError("依据类型无效。", field="evidence")
        label = evidence_resolve(ek, oid, department)
        if (ek, int(oid)) not in seen:
            seen.add((ek, int(oid)))
            pairs.append((ek, int(oid), label))
    s = Sanction.objects.create(kind=kind, department=department, staff=staff, source=source, source_key=source_key,
                                evaluation=evaluation, reason=reason, basis=basis, points=pts, proposed_at=now,
                                proposed_by=by)
    SanctionEvidence.objects.bulk_create([SanctionEvidence(sanction=s, kind=k, object_id=i, label=lb)
                                          for k, i, lb in pairs])
    return s


def _locked(sanction: Sanction) -> Sanction:
    return Sanction.objects.select_for_update(of=("self",)).select_related("department", "staff").get(pk=sanction.pk)


def _refuse(s: Sanction, what: str) -> DomainError:
    return DomainError(f"该问责事项当前状态为“{s.get_status_display()}”，不能{what}。", field="status",
                       code="wrong_state")


@transaction.atomic
def sanction_confirm(sanction: Sanction, *, now: dt.datetime, by=None, points=None, note: str = "",
                     basis: str | None = None) -> Sanction:
    """The office decides a proposed sanction: the decision document's number (「清源县效能〔2026〕N号」, the
    year's series under a row lock), the points it deducts (default by kind), its opinion and basis."""
    s = _locked(sanction)
    if s.status != SanctionStatus.PROPOSED:
        raise _refuse(s, "确认")
    pts = _points(points, s.kind) if points not in (None, "") else s.points  # as proposed (0 for a rank's consequence)
    note = _text(note, "note", "决定意见", required=False)
    if basis is not None:
        s.basis = _text(basis, "basis", "依据", required=False, max_len=300)
    year = timezone.localtime(now).year
    s.number = document_number(SERIES_SANCTION, year, series_next(SERIES_SANCTION, year))
    s.status, s.points, s.decision_note, s.decided_at, s.decided_by = SanctionStatus.CONFIRMED, pts, note, now, by
    s.save()
    return s


@transaction.atomic
def sanction_dismiss(sanction: Sanction, *, now: dt.datetime, by=None, reason: str = "") -> Sanction:
    """The office decides not to sanction (不予处理), giving its reasons."""
    s = _locked(sanction)
    if s.status != SanctionStatus.PROPOSED:
        raise _refuse(s, "作不予处理")
    s.decision_note = _text(reason, "reason", "不予处理的理由", required=True)
    s.status, s.decided_at, s.decided_by = SanctionStatus.DISMISSED, now, by
    s.save()
    return s


def may_appeal(staff, s: Sanction) -> bool:
    """The sanctioned staff member, or a head of the sanctioned department (its recorded head, or a holder of
    the head role in it or above it)."""
    if staff is None or not getattr(staff, "is_authenticated", False) or not staff.is_active:
        return False
    if s.staff_id and s.staff_id == staff.pk:
        return True
    if s.department.head_id == staff.pk:
        return True
    return (staff.has_role(R.HEAD) and staff.department_id is not None
            and s.department.is_within(staff.department))


@transaction.atomic
def sanction_appeal(sanction: Sanction, *, now: dt.datetime, by, text: str) -> Sanction:
    """An appeal against a decided sanction (申诉), by its department's head or the sanctioned staff member."""
    s = _locked(sanction)
    if not may_appeal(by, s):
        raise NotPermitted("只有被处理单位的负责人或被处理人员本人可以申诉。")
    if s.status != SanctionStatus.CONFIRMED:
        raise _refuse(s, "申诉")
    s.appeal_text = _text(text, "text", "申诉理由", required=True)
    s.status, s.appealed_at = SanctionStatus.APPEALED, now
    s.save()
    return s


@transaction.atomic
def sanction_appeal_decide(sanction: Sanction, *, now: dt.datetime, by=None, upheld, note: str) -> Sanction:
    """The office decides an appeal: upheld → the sanction is revoked (its deduction gone); rejected → upheld
    as decided (维持)."""
    s = _locked(sanction)
    if s.status != SanctionStatus.APPEALED:
        raise _refuse(s, "处理申诉")
    if upheld not in (True, False):
        raise DomainError("请选择申诉是否成立。", field="outcome")
    s.appeal_note = _text(note, "note", "申诉处理意见", required=True)
    s.status = SanctionStatus.REVOKED if upheld else SanctionStatus.UPHELD
    s.appeal_decided_at, s.appeal_decided_by = now, by
    s.save()
    return s


# ----------------------------------------------------------------------------------------------- after publish
def bottom_size(n: int, size: int) -> int:
    """How many of a group of `size` are its bottom (or top) places: `n`, never more than half the group."""
    return max(0, min(n, size // 2))


def in_bottom(score: Score, n: int) -> bool:
    k = bottom_size(n, score.group_size)
    return k > 0 and score.rank > score.group_size - k


def _published(period_code: str) -> Evaluation | None:
    return Evaluation.objects.filter(period=period_code, status=EvaluationStatus.PUBLISHED).order_by("-revision").first()


def _bottom_streak(evaluation: Evaluation, score: Score, n: int) -> list[Score]:
    """The scores of the consecutive published periods (this one first, then back) in which the department was
    among the bottom places of its group."""
    streak = [score]
    p = evaluation.period_obj
    while len(streak) < 12:
        try:
            p = p.previous()
        except DomainError:
            break
        ev = _published(p.code)
        if ev is None:
            break
        prev = Score.objects.filter(evaluation=ev, department_id=score.department_id).select_related("evaluation").first()
        if prev is None or not in_bottom(prev, n):
            break
        streak.append(prev)
    return streak


def _propose_auto(created: list, existing: set, *, key: str, **kw) -> None:
    if key in existing:
        return
    existing.add(key)
    created.append(sanction_propose(source_key=key, **kw))


def withdrawal_reason(ev: Evaluation) -> str:
    return f"第{ev.revision}次修订后的考核结果不再支持该建议，系统自动撤回。"


@transaction.atomic
def sanctions_propose_after_publish(evaluation, *, now: dt.datetime, by=None) -> list[Sanction]:
    """After `evaluation` is published: propose what its results call for — escalation of repeated bottom places,
    each veto's sanction, the scheme's red-card threshold, and the inspections' proposals not yet in the
    register. Each proposal carries its evidence and a reason in words. Idempotent (by source_key, per period):
    a corrected revision never proposes the same thing twice; what it no longer calls for is withdrawn or named
    for review (`sanctions_withdraw_unsupported`)."""
    ev = evaluation
    created: list[Sanction] = []
    existing = set(Sanction.objects.filter(source_key__isnull=False).values_list("source_key", flat=True))
    planned = auto_proposals(ev)
    for key, kw in planned:
        _propose_auto(created, existing, key=key, now=now, by=by, evaluation=ev, **kw)
    sanctions_withdraw_unsupported(ev, {key for key, _kw in planned}, now=now)
    # the inspections' proposals not yet in the register
    created += _inspection_proposals(existing, now=now, by=by, evaluation=ev)
    return created


def auto_proposals(ev: Evaluation) -> list[tuple[str, dict]]:
    """What `ev`'s results call for, as (source_key, sanction_propose's arguments): (a) escalation of repeated
    bottom places, (b) each veto's sanction, (c) the scheme's red-card threshold. Reads only; the same results
    always give the same list (a corrected revision is compared with it)."""
    scheme = ev.scheme
    period = ev.period
    out: list[tuple[str, dict]] = []
    scores = list(ev.scores.select_related("department", "department__head", "evaluation"))
    n = scheme.escalation_bottom
    # (a) escalation of repeated bottom places
    for s in scores:
        if not in_bottom(s, n):
            continue
        streak = _bottom_streak(ev, s, n)
        times = len(streak)
        kind = ESCALATION[min(times, len(ESCALATION)) - 1]
        k = bottom_size(n, s.group_size)
        dept = s.department
        staff = dept.head if kind == SanctionKind.ADMONISHMENT and dept.head_id else None
        if staff is not None and (staff.department is None or not staff.department.is_within(dept)):
            staff = None
        periods_text = "、".join(x.evaluation.period_label for x in reversed(streak))
        reason = (f"{ev.period_label}考核在{s.group_name}中排名第{s.rank}名（共{s.group_size}个单位），"
                  f"位列后{k}名" + (f"，已连续{times}个考核期（{periods_text}）位列后{k}名" if times > 1 else "，为第一次")
                  + f"，依照连续排名后进的处理办法，建议{SanctionKind(kind).label}。")
        # A rank's consequence deducts nothing (points=0): the low rank is the penalty, and a deduction would
        # carry it into the next period and keep the department at the bottom whatever it did (the office may
        # still set points when it confirms).
        out.append((f"esc:{period}:{dept.pk}", dict(
            kind=kind, department=dept, staff=staff, points=0, reason=reason, basis=ESCALATION_BASIS,
            source=SanctionSource.ESCALATION, evidence=[(EvidenceKind.SCORE, x.pk) for x in streak])))
    # (b) vetoes: their sanction at once
    for s in scores:
        v = s.veto or {}
        if not v.get("sanction_kind") or v["sanction_kind"] not in SanctionKind.values:
            continue
        reason = f"{ev.period_label}考核触发一票否决：{v.get('text') or v.get('name', '')}"
        out.append((f"veto:{period}:{s.department_id}:{v.get('code', '')}"[:80], dict(
            kind=v["sanction_kind"], department=s.department, reason=reason, points=0,  # the veto failed it
            basis=f"机关效能考核方案一票否决项：{v.get('name', '')}", source=SanctionSource.VETO,
            evidence=[(EvidenceKind.SCORE, s.pk)])))
    # (c) the scheme's red-card threshold, within the period
    out += _red_card_threshold(ev)
    return out


def _red_card_threshold(ev: Evaluation) -> list[tuple[str, dict]]:
    """One proposal of the scheme's `red_card_sanction` per handler issued at least `red_card_threshold` red
    cards (withdrawn and unconfirmed ones not counted) within the evaluated period; none when the rule is off."""
    from xiaoneng.supervision.models import Level, Warning, WarningStatus

    from .schemes import WITHIN

    scheme = ev.scheme
    threshold = scheme.red_card_threshold
    if not threshold:
        return []
    kind = scheme.red_card_sanction if scheme.red_card_sanction in SanctionKind.values else SanctionKind.WARNING
    label = SanctionKind(kind).label
    within = WITHIN.get(ev.period_kind, "一个考核期内")
    cards = (Warning.objects.filter(level=Level.RED, issued_at__gte=ev.starts_at, issued_at__lt=ev.ends_at,
                                    handler__isnull=False)
             .exclude(status__in=(WarningStatus.WITHDRAWN, WarningStatus.PENDING_CONFIRMATION))
             .select_related("handler", "handler__department", "department").order_by("issued_at", "id"))
    by_handler: dict[int, list] = {}
    for c in cards:
        by_handler.setdefault(c.handler_id, []).append(c)
    out: list[tuple[str, dict]] = []
    for _hid, cs in sorted(by_handler.items()):
        if len(cs) < threshold:
            continue
        handler = cs[0].handler
        own = handler.department
        dept = own if own is not None and all(c.department.is_within(own) for c in cs) else cs[0].department
        staff = handler if own is not None and own.is_within(dept) else None
        reason = (f"{handler.display_name}在{ev.period_label}被发出红牌{len(cs)}张，达到“{within}"
                  f"{threshold}张红牌”的处理标准，建议{label}。")
        out.append((f"red:{ev.period}:{handler.pk}", dict(
            kind=kind, department=dept, staff=staff, reason=reason,
            basis=f"{scheme.name}（第{scheme.version}版）：{within}同一承办人被发出红牌{threshold}张及以上的，"
                  f"予以{label}。",
            source=SanctionSource.THRESHOLD,
            evidence=[(EvidenceKind.CARD, c.pk) for c in cs if c.department.is_within(dept)])))
    return out


def sanctions_withdraw_unsupported(ev: Evaluation, wanted: set[str], *, now: dt.datetime) -> dict:
    """A corrected revision `ev` (n+1) is published: the automatic proposals of its period made under an earlier
    revision that `ev` would not make (`wanted`: its source keys) are withdrawn — dismissed by the system with
    the revision named, if still PROPOSED; decided ones are never changed, but are named (in the evaluation's
    notes, shown on its page) for the office to review. Answers {"withdrawn": [...], "review": [...]}."""
    stale = list(Sanction.objects.filter(evaluation__period=ev.period, evaluation__revision__lt=ev.revision,
                                         source__in=AUTO_SOURCES)
                 .exclude(source_key__in=wanted).select_related("department", "staff").order_by("pk"))
    withdrawn = [s for s in stale if s.status == SanctionStatus.PROPOSED]
    review = [s for s in stale if s.status in DECIDED_STATUSES]
    later = _later_escalations(ev)
    for s in withdrawn:
        # the key is freed: should a later revision call for the same proposal again, it is proposed afresh
        s.status, s.decision_note, s.decided_at, s.decided_by = (SanctionStatus.DISMISSED, withdrawal_reason(ev),
                                                                 now, None)
        s.source_key = None
        s.save(update_fields=["status", "decision_note", "decided_at", "decided_by", "source_key"])
    notes = []
    if withdrawn:
        notes.append(f"第{ev.revision}次修订后不再支持、已自动撤回的问责建议{len(withdrawn)}项："
                     + "；".join(_who(s) for s in withdrawn) + "。")
    if review:
        notes.append(f"第{ev.revision}次修订后不再支持、但已作出决定的问责事项{len(review)}项（系统不作改动，请效能办复核）："
                     + "；".join(f"{s.number or '未编号'}（{_who(s)}）" for s in review) + "。")
    if later:
        notes.append(f"第{ev.revision}次修订改变了部分单位本期是否位列后{ev.scheme.escalation_bottom}名，以后考核期据此计算"
                     f"连续次数的问责事项{len(later)}项可能需要调整（系统不作改动，请效能办复核）："
                     + "；".join(f"{s.evaluation.period_label}{s.number or ''}（{_who(s)}，{s.get_status_display()}）"
                                for s in later) + "。")
    if notes:
        Evaluation.objects.filter(pk=ev.pk).update(notes=[*(ev.notes or []), *notes])
        ev.notes = [*(ev.notes or []), *notes]
    return {"withdrawn": withdrawn, "review": review, "later": later}


def _later_escalations(ev: Evaluation) -> list[Sanction]:
    """Escalations of later periods whose count of consecutive bottom places the correction `ev` changed: a
    department the corrected revision takes out of the bottom places (its later escalations rest on the old
    score, as evidence), or puts into them (the next period's escalation counted without it). Not withdrawn:
    the later period may still call for a sanction, at another step — the office reviews."""
    previous = (Evaluation.objects.filter(period=ev.period, revision__lt=ev.revision, published_at__isnull=False)
                .order_by("-revision").first())
    if previous is None:
        return []
    n = ev.scheme.escalation_bottom
    before = {s.department_id: s for s in previous.scores.all()}
    after = {s.department_id: s for s in ev.scores.all()}
    left = [before[d].pk for d in before if in_bottom(before[d], n) and not (d in after and in_bottom(after[d], n))]
    joined = [d for d in after if in_bottom(after[d], n) and not (d in before and in_bottom(before[d], n))]
    q = Q(pk__in=[])
    if left:
        q |= Q(evidence__kind=EvidenceKind.SCORE, evidence__object_id__in=left)
    try:
        following = ev.period_obj.next()
    except DomainError:
        following = None
    if joined and following is not None:
        q |= Q(source_key__in=[f"esc:{following.code}:{d}" for d in joined])
    return list(Sanction.objects.filter(q, source=SanctionSource.ESCALATION)
                .exclude(evaluation__period=ev.period)
                .exclude(status__in=(SanctionStatus.DISMISSED, SanctionStatus.REVOKED))
                .select_related("department", "staff", "evaluation").distinct().order_by("pk"))


def _who(s: Sanction) -> str:
    return f"{s.department.name}{'·' + s.staff.display_name if s.staff_id else ''}{s.get_kind_display()}"


def sanction_unsupported(s: Sanction) -> Evaluation | None:
    """The later published revision of `s`'s period that no longer calls for this automatic proposal, if any
    (the register's page says so, for the office to review a decided one)."""
    if s.source not in AUTO_SOURCES or s.evaluation_id is None or not s.source_key:
        return None
    latest = _published(s.evaluation.period)
    if latest is None or latest.revision <= s.evaluation.revision:
        return None
    if s.source_key in {key for key, _kw in auto_proposals(latest)}:
        return None
    return latest


def _inspection_proposals(existing: set, *, now, by, evaluation) -> list[Sanction]:
    from xiaoneng.inspections.models import SanctionProposal

    created: list[Sanction] = []
    rows = SanctionProposal.objects.select_related("department", "staff", "staff__department", "finding")
    for p in rows.order_by("proposed_at", "id"):
        key = f"insp:{p.pk}"
        if key in existing:
            continue
        staff = p.staff if p.staff_id and p.staff.department_id and p.staff.department.is_within(p.department) else None
        evidence = [(EvidenceKind.FINDING, p.finding_id)] if p.finding_id and p.finding.department.is_within(
            p.department) else []
        _propose_auto(created, existing, key=key, kind=INSPECTION_KINDS.get(p.kind, SanctionKind.WARNING),
                      department=p.department, staff=staff, reason=p.reason or "明查暗访发现问题，提出问责建议。",
                      basis="明查暗访问责建议", now=now, by=p.proposed_by or by, source=SanctionSource.INSPECTION,
                      evidence=evidence)
    return created


def sanctions_propose_for_period(period_code: str, *, now: dt.datetime, by=None) -> list[Sanction]:
    """The command's entry (xiaoneng propose-sanctions --period 2026Q3): run the proposals for the period's
    published revision again (idempotent); DomainError when the period has none."""
    ev = _published(period_code)
    if ev is None:
        raise DomainError(f"{period_code} 没有已发布的考核结果。", field="period")
    return sanctions_propose_after_publish(ev, now=now, by=by)
