"""A year of card follow-up for the demo county, as if the supervision office had worked all year.

Cards raised while the demo's twelve months of events were ingested carry the moment each threshold was
crossed (`crossed_at`) but were all issued "now", and none has been answered. Here each card is dated at
its crossing, and older cards get the life a real office gives them: the department corrects or explains,
the supervisor confirms, withdraws or escalates; a few stay unanswered, which the monitor's "oldest
unanswered" list then shows. Recent cards are still being worked on.

The supervision orders (督办) the yellow and red cards brought, and the draft rectification proposals
(整改建议书) of the red ones, were likewise written "now": `age_orders` dates each at its card, answers and
closes it as the card's history says, and has the office send or decline the older proposals, numbered in
the order they were sent.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import connection
from django.db.models import F, OuterRef, Subquery

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff

# (share, department action, supervisor action, final status) for cards older than ten days.
OLD_OUTCOMES = [
    (0.62, "correct", "confirm", "confirmed"),
    (0.20, "explain", "confirm", "confirmed"),
    (0.09, "explain", "withdraw", "withdrawn"),
    (0.04, "correct", "escalate", "escalated"),
    (0.05, None, None, "issued"),
]
RECENT_OUTCOMES = [(0.5, None, None, "issued"), (0.3, "explain", None, "explained"), (0.2, "correct", None, "corrected")]
TEXTS = {
    "correct": ["已督促承办人办结并送达，今后严格按承诺时限办理。", "已补办相关手续，并对承办人进行提醒谈话。",
                "已退还多收费用，并在窗口公示收费标准。"],
    "explain": ["因申请人补充材料延迟，已与申请人沟通确认。", "系统对接数据延迟上报，实际已按时办结。",
                "因现场勘查受天气影响顺延，已书面告知申请人。"],
    "confirm": ["经核实，整改到位，予以确认。", "情况属实，予以确认。"],
    "withdraw": ["经核实，说明理由成立，撤销该预警。"],
    "escalate": ["整改不到位，升级处理。"],
}


def _pick(rng: random.Random, outcomes):
    roll, acc = rng.random(), 0.0
    for share, *rest in outcomes:
        acc += share
        if roll < acc:
            return rest
    return outcomes[-1][1:]


def age_cards(*, rng: random.Random, now: dt.datetime) -> int:
    """Date every card at its crossing and give older ones a follow-up history. Returns cards aged."""
    from xiaoneng.supervision.models import Warning, WarningAction

    Warning.objects.filter(crossed_at__lte=now).update(issued_at=F("crossed_at"), updated_at=F("crossed_at"))
    WarningAction.objects.filter(kind="issue").update(
        at=Subquery(Warning.objects.filter(pk=OuterRef("warning_id")).values("issued_at")[:1])
    )
    supervisors = list(Staff.objects.filter(groups__name=R.SUPERVISOR).order_by("username"))
    answerers: dict[int, Staff] = {}
    for s in Staff.objects.filter(groups__name__in=[R.HEAD, R.HANDLER]).order_by("username"):
        answerers.setdefault(s.department_id, s)
    cards = list(Warning.objects.filter(status="issued").only("id", "department_id", "issued_at", "status"))
    changed, actions = [], []
    ten_days_ago = now - dt.timedelta(days=10)
    for w in cards:
        old = w.issued_at < ten_days_ago
        dept_action, sup_action, status = _pick(rng, OLD_OUTCOMES if old else RECENT_OUTCOMES)
        if dept_action is None:
            continue
        answered = min(now, w.issued_at + dt.timedelta(days=rng.randrange(1, 5), hours=rng.randrange(0, 6)))
        actions.append(WarningAction(warning_id=w.pk, kind=dept_action, by=answerers.get(w.department_id),
                                     at=answered, text=rng.choice(TEXTS[dept_action]), from_status="issued",
                                     to_status="corrected" if dept_action == "correct" else "explained"))
        w.answered_at, w.status, w.updated_at = answered, ("corrected" if dept_action == "correct" else "explained"), answered
        if sup_action is not None:
            closed = min(now, answered + dt.timedelta(days=rng.randrange(1, 4)))
            actions.append(WarningAction(warning_id=w.pk, kind=sup_action, by=rng.choice(supervisors) if supervisors else None,
                                         at=closed, text=rng.choice(TEXTS[sup_action]), from_status=w.status,
                                         to_status=status))
            w.status, w.updated_at = status, closed
            if status in ("confirmed", "withdrawn"):
                w.closed_at = closed
        changed.append(w)
    # One parameterised UPDATE per card through executemany: bulk_update's CASE … WHEN per row made this step
    # take 23-35 s at county scale (a batch's cost grows with its square), executemany takes a second or two.
    adapt = connection.ops.adapt_datetimefield_value
    q = connection.ops.quote_name
    sql = (f"UPDATE {q(Warning._meta.db_table)} SET {q('status')} = %s, {q('answered_at')} = %s, "
           f"{q('closed_at')} = %s, {q('updated_at')} = %s WHERE {q('id')} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(w.status, adapt(w.answered_at), adapt(w.closed_at), adapt(w.updated_at), w.pk)
                                 for w in changed])
    WarningAction.objects.bulk_create(actions, batch_size=2000)
    return len(cards)


PROPOSAL_DECLINED = ["已由纪检监察机关另案处理，不再单独发出建议书。", "部门已在督办中整改到位，经研究不再发出建议书。"]
PROPOSAL_SUGGESTIONS = [
    "请立即办结超期办件，查明超期原因，对相关责任人进行效能告诫，并完善限时办结制度。",
    "请严格执行收费公示制度，退还多收费用，对相关责任人进行批评教育，防止类似问题再次发生。",
    "请对照行政许可法和承诺时限逐件清理在办件，落实首问负责制和 AB 岗制度，确保按时办结。",
]


def age_orders(*, rng: random.Random, now: dt.datetime) -> tuple[int, int]:
    """Date every automatic order at its card and give it the life the card's history implies: answered
    when the department answered the card, closed when the office confirmed or withdrew it; an answer after
    the due date is marked late. Proposals drafted for red cards are dated at their card; for cards older
    than ten days the office has sent most (numbered in the order sent, in the office's yearly series) and
    declined a few; recent ones wait as drafts. Returns (orders, proposals) aged."""
    from xiaoneng.accounts.models import Department
    from xiaoneng.cases.services import document_number_next
    from xiaoneng.supervision.models import Notification, SupervisionOrder, SupervisionProposal, WarningAction
    from xiaoneng.supervision.services import PROPOSAL_SERIES, order_instructions, proposal_number_text
    from xiaoneng.supervision.subjects import subject_label, subjects_attach
    from xiaoneng.workdays.calendar import get_calendar

    cal = get_calendar()
    adapt = connection.ops.adapt_datetimefield_value
    q = connection.ops.quote_name
    orders = list(SupervisionOrder.objects.filter(automatic=True).select_related("warning__rule").order_by("id"))
    subjects_attach(o.warning for o in orders)  # the subjects' numbers, one query per kind
    acts: dict[int, dict[str, tuple]] = defaultdict(dict)
    kinds = ("explain", "correct", "confirm", "withdraw", "appeal_upheld", "appeal_rejected")
    for wid, kind, at, by, text in WarningAction.objects.filter(
            kind__in=kinds, warning__orders__automatic=True).values_list("warning_id", "kind", "at", "by_id", "text"):
        acts[wid].setdefault(kind, (at, by, text))
    rows, action_rows, note_rows = [], [], []
    for o in orders:
        w = o.warning
        issued = w.issued_at
        due = cal.close_of(cal.add_working_days(issued.astimezone(cal.tz).date(), o.due_wd).date)
        number = f"DB{issued.astimezone(cal.tz):%Y}-{o.pk:06d}"
        text = order_instructions(w.rule.name, w.detail, due.astimezone(cal.tz), o.due_wd)
        a = acts.get(w.pk, {})
        status, answer, answered_at, answered_by = "issued", "", None, None
        closed_at, closed_by, note, late = None, None, "", None
        dept = a.get("correct") or a.get("explain")
        if dept is not None:
            status, (answered_at, answered_by, answer) = "answered", dept
        office = a.get("confirm") or a.get("withdraw") or a.get("appeal_upheld") or a.get("appeal_rejected")
        if office is not None:
            status, (closed_at, closed_by, note) = "closed", office
        elif w.status == "withdrawn":  # withdrawn automatically (a later event): the order went with it
            status, closed_at, note = "closed", w.closed_at or w.updated_at, "预警纠错卡已撤销，督办随之办结。"
        if answered_at is not None and answered_at > due:
            late = due  # answered after its due date: marked late (an unanswered one the next tick escalates)
        rows.append((number, text, issued, due, status, answer, adapt(answered_at), answered_by, adapt(closed_at),
                     closed_by, note, adapt(late), o.pk))
        action_rows.append((adapt(issued), f"系统自动发出督办 {number}。{text}", w.pk))
        subject = f"【督办】{number} {subject_label(w.subject_kind, stored=True)} {w.subject_no}"
        body = f"{subject}。督办要求：{text}答复期限：{due.astimezone(cal.tz):%Y-%m-%d %H:%M}。"
        note_rows.append((adapt(issued), adapt(issued), adapt(answered_at or closed_at), subject, body, o.pk))
    with connection.cursor() as cur:
        t = q(SupervisionOrder._meta.db_table)
        cur.executemany(
            f"UPDATE {t} SET {q('number')} = %s, {q('instructions')} = %s, {q('issued_at')} = %s, {q('due_at')} = %s, "
            f"{q('status')} = %s, {q('answer')} = %s, {q('answered_at')} = %s, {q('answered_by_id')} = %s, "
            f"{q('closed_at')} = %s, {q('closed_by_id')} = %s, {q('close_note')} = %s, {q('escalated_at')} = %s "
            f"WHERE {q('id')} = %s",
            [(r[0], r[1], adapt(r[2]), adapt(r[3]), *r[4:]) for r in rows])
        t = q(WarningAction._meta.db_table)
        cur.executemany(f"UPDATE {t} SET {q('at')} = %s, {q('text')} = %s WHERE {q('warning_id')} = %s "
                        f"AND {q('kind')} = 'order' AND {q('by_id')} IS NULL", action_rows)
        # The messages about these orders went out when they were issued (not a year of e-mail at the first
        # office hour after the build), read once the department answered, and quote the order's own due date.
        t = q(Notification._meta.db_table)
        cur.executemany(f"UPDATE {t} SET {q('created_at')} = %s, {q('sent_at')} = %s, {q('read_at')} = %s, "
                        f"{q('subject')} = %s, {q('body')} = %s WHERE {q('order_id')} = %s", note_rows)

    # Proposals of red cards.
    office = Department.objects.filter(kind=Department.Kind.OFFICE, is_active=True).order_by("path").first()
    supervisors = list(Staff.objects.filter(groups__name=R.SUPERVISOR).order_by("username"))
    props = list(SupervisionProposal.objects.filter(status="draft").select_related("warning").order_by("id"))
    ten_days_ago = now - dt.timedelta(days=10)
    sent: list = []
    for p in props:
        w = p.warning
        p.created_at = w.issued_at
        if office is None or w.issued_at >= ten_days_ago or w.status == "withdrawn":
            continue
        by = rng.choice(supervisors) if supervisors else None
        at = min(now, w.issued_at + dt.timedelta(days=rng.randrange(1, 4), hours=rng.randrange(0, 6)))
        if rng.random() < 0.15:
            p.status, p.discarded_at, p.discarded_by, p.discard_reason = "discarded", at, by, rng.choice(PROPOSAL_DECLINED)
            continue
        p.status, p.issued_at, p.issued_by, p.issuer = "issued", at, by, office
        p.suggestion = rng.choice(PROPOSAL_SUGGESTIONS)
        p.due_wd = 15
        p.due_at = cal.close_of(cal.add_working_days(at.astimezone(cal.tz).date(), 15).date)
        sent.append(p)
    sent.sort(key=lambda p: (p.issued_at, p.pk))
    by_year: dict[int, list] = defaultdict(list)
    for p in sent:
        by_year[p.issued_at.astimezone(cal.tz).year].append(p)
    actions = []
    for year, items in by_year.items():
        first = document_number_next(department=office, kind=PROPOSAL_SERIES, year=year, count=len(items))
        for k, p in enumerate(items):
            p.year, p.serial = year, first + k
            p.number = proposal_number_text(office, year, p.serial)
            actions.append(WarningAction(
                warning_id=p.warning_id, kind="proposal", by=p.issued_by, at=p.issued_at,
                text=f"发出整改建议书 {p.number}，整改期限 {p.due_at.astimezone(cal.tz):%Y-%m-%d %H:%M}。",
                from_status=p.warning.status, to_status=p.warning.status))
    SupervisionProposal.objects.bulk_update(props, ["created_at", "status", "issued_at", "issued_by", "issuer",
                                                    "suggestion", "due_wd", "due_at", "year", "serial", "number",
                                                    "discarded_at", "discarded_by", "discard_reason"], batch_size=500)
    WarningAction.objects.bulk_create(actions, batch_size=2000)
    return len(orders), len(props)


def date_notifications() -> int:
    """Date the messages about cards when their card was issued (or escalated), not at build time: the
    ticks that replayed the year wrote every "new card" message "now", so a department's inbox showed a
    year of cards all arriving the moment the demo was built. Sent when written (not a year of SMS queued
    for the first office hour after the build) and, in the app, read once the department answered the card.
    Messages about orders are dated by `age_orders`. Returns the messages dated."""
    from xiaoneng.supervision.models import Notification, NotificationKind, WarningAction

    escalated: dict[int, dt.datetime] = {}
    for wid, at in WarningAction.objects.filter(kind="escalate").values_list("warning_id", "at").order_by("at"):
        escalated[wid] = at  # the latest escalation of each card
    rows = []
    for pk, kind, channel, issued, answered, wid in Notification.objects.filter(
            order__isnull=True, warning__isnull=False).values_list(
            "id", "kind", "channel", "warning__issued_at", "warning__answered_at", "warning_id"):
        at = escalated.get(wid, issued) if kind == NotificationKind.WARNING_ESCALATED else issued
        read = answered if channel == "in_app" and answered is not None and answered >= at else None
        rows.append((at, at, read, pk))
    adapt = connection.ops.adapt_datetimefield_value
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {q(Notification._meta.db_table)} SET {q('created_at')} = %s, {q('sent_at')} = %s, "
                        f"{q('read_at')} = %s WHERE {q('id')} = %s",
                        [(adapt(a), adapt(s), adapt(r), pk) for a, s, r, pk in rows])
    return len(rows)
