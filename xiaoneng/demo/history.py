"""A year of card follow-up for the demo county, as if the supervision office had worked all year.

Cards raised while the demo's twelve months of events were ingested carry the moment each threshold was
crossed (`crossed_at`) but were all issued "now", and none has been answered. Here each card is dated at
its crossing, and older cards get the life a real office gives them: the department corrects or explains,
the supervisor confirms, withdraws or escalates; a few stay unanswered, which the monitor's "oldest
unanswered" list then shows. Recent cards are still being worked on.
"""

from __future__ import annotations

import datetime as dt
import random

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
    "escalate": ["整改不到位，升级处理并发出督办。"],
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
