"""Complaint clocks watched by the supervision engine (DOMAIN.md §4: reminder 2 wd before due, yellow more
than 1 wd over, red more than 2 wd over, on the acceptance decision, the handling and the reply).

The complaints app decides which clock runs and until when (`complaints.services._common._evaluate` sets
`due_stage` and `due_at` on every transition); this module only compares that due date with the rules of
the complaint checks (`Check.COMPLAINT_*`, editable on the rule pages like every other rule), issues the
cards, notifies, and writes back the complaint's `flag` and `next_check_at` through complaint services.

Whose card it is (the card's `department`, which decides who sees it):
- handling stage, dispatched: the lead department of the dispatch — it is the one late;
- acceptance, reply, and a handling clock not yet dispatched: the supervision office — the complainant is
  waiting for the office (the office handler's own department, else the first department of kind
  "office", else the root of the tree).
The card's `handler` is the office handler for the office's stages, none for a department's (the department
answers as a whole). Notifications go to the office handler (the office's heads when nobody is assigned)
and, for the handling stage, to the lead department's heads. A card never carries the complainant's
identity: departments see these cards.

Semantics kept from the complaint centre's own tick: the reminder threshold is the close of office hours
`before_wd` working days before the due day and is crossed AT that moment; yellow and red are crossed one
microsecond after `over_wd` working days past the due date. A reminder is issued only while the due date
has not passed (a reminder about a complaint already late is noise); the flag still records it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.db.models import Q

from xiaoneng.accounts.models import Department
from xiaoneng.complaints import services as complaint_services
from xiaoneng.complaints.models import Complaint, Dispatch, Stage, Status
from xiaoneng.core.errors import DomainError
from xiaoneng.core.text import sentence
from xiaoneng.workdays.calendar import get_calendar

from .engine import ONE_US, RETRY_AFTER_ERROR, FollowUp, RuleInfo, RuleSet, iso_key
from .models import Check, NotificationKind, RuleMode, Warning, WarningStatus

log = logging.getLogger(__name__)

BATCH = 1000
CHECKS = (Check.COMPLAINT_REMINDER, Check.COMPLAINT_OVERDUE, Check.COMPLAINT_OVERDUE_LONG)
FLAG_ORDER = {"": -1, "reminder": 0, "yellow": 1, "red": 2}
STAGE_TEXT = {Stage.ACCEPT: "受理", Stage.HANDLE: "办理", Stage.REPLY: "答复"}
LEVEL_TEXT = {"reminder": "预警提醒", "yellow": "黄牌", "red": "红牌"}
FIELDS = ("id", "number", "status", "due_stage", "due_at", "flag", "follow_up_due_at", "office_handler_id",
          "office_handler__department_id")


def threshold(cal, rule: RuleInfo, due: dt.datetime) -> tuple[dt.datetime, bool]:
    """(moment, strict) of a rule on a due date: crossed when now > moment (strict) or now >= moment."""
    if rule.check == Check.COMPLAINT_REMINDER:
        day = cal.add_working_days(due.astimezone(cal.tz).date(), -rule.n("before_wd", 2)).date
        return cal.close_of(day), False
    n = rule.n("over_wd", 1 if rule.check == Check.COMPLAINT_OVERDUE else 2)
    return (cal.deadline(due, n, "wd").at if n else due), True


def judge(cal, rules_for, *, due: dt.datetime, flag: str, now: dt.datetime):
    """Which rules a clock due at `due` has crossed as of `now`: ([(rule, crossed at, issue?)], flag, next
    check). `rules_for(check)` gives the rules to apply for each check (one, or every enabled one when
    only scheduling)."""
    crossed, nexts = [], []
    for check in CHECKS:
        for r in rules_for(check):
            try:
                t, strict = threshold(cal, r, due)
            except DomainError:  # a calendar year missing: look again later, never guess
                nexts.append(now + RETRY_AFTER_ERROR)
                continue
            if (now > t) if strict else (now >= t):
                issue = check != Check.COMPLAINT_REMINDER or now <= due
                crossed.append((r, t, issue))
                if FLAG_ORDER[r.level] > FLAG_ORDER.get(flag or "", -1):
                    flag = r.level
            else:
                nexts.append(t + ONE_US if strict else t)
    return crossed, flag, (min(nexts) if nexts else None)


def next_check_for(rules: RuleSet, complaint, now: dt.datetime) -> dt.datetime | None:
    """complaints.hooks' provider: when the tick must next look at a complaint whose clock runs. Every
    enabled rule of each check counts (the card's department, which decides scoped rules, is the tick's
    business), so the moment is never later than the applicable threshold; a threshold already crossed
    above the complaint's flag makes it due at once."""
    cal = get_calendar()
    crossed, flag, nxt = judge(cal, rules.all_enabled, due=complaint.due_at, flag="", now=now)
    if crossed and FLAG_ORDER[flag] > FLAG_ORDER.get(complaint.flag or "", -1):
        return now
    return nxt


def provider(complaint, now: dt.datetime) -> dt.datetime | None:
    """What supervision's AppConfig registers on complaints.hooks (the rules from the per-process cache)."""
    from .rulecache import rule_set

    return next_check_for(rule_set(), complaint, now)


# ============================================================================================ the pass
def watch(cal, rules: RuleSet, *, now: dt.datetime, result, batch: int = BATCH) -> None:
    """The complaint pass of `supervise_tick`: complaints `is_open AND next_check_at <= now` (index
    complaints_tick), in batches locked with SKIP LOCKED on PostgreSQL so concurrent workers share them;
    follow-ups past their date are closed (complaint service), running clocks judged, cards inserted once
    (ON CONFLICT DO NOTHING), flag and next check written back (complaint service)."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    seen: set[int] = set()
    due = Complaint.objects.filter(is_open=True, next_check_at__lte=now)
    if not due.exists():  # the usual minute: one probe of the index, no transaction
        return
    office = _office_department()
    while True:
        with transaction.atomic():
            qs = due.order_by("next_check_at", "id")
            if skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            rows = [dict(zip(FIELDS, v, strict=True)) for v in qs.values_list(*FIELDS)[:batch]]
            fresh = [r for r in rows if r["id"] not in seen]
            if not fresh:
                break
            seen.update(r["id"] for r in fresh)
            _batch(cal, rules, fresh, office=office, now=now, result=result)
        if len(rows) < batch:
            break
    result.complaints_checked += len(seen)
    # Housekeeping that used to ride on the complaints' own tick: old rate-limit counters go (only when
    # complaints were due, so an idle minute stays one query).
    complaint_services.rate_counters_prune(now=now)
    complaint_services.complainant_messages_send(now=now)  # retries of notices a backend refused


def _office_department() -> int | None:
    d = Department.objects.filter(kind=Department.Kind.OFFICE, is_active=True).order_by("path").values_list(
        "id", flat=True).first()
    if d is None:
        d = Department.objects.filter(parent__isnull=True).order_by("path").values_list("id", flat=True).first()
    return d


def _batch(cal, rules: RuleSet, rows: list[dict], *, office, now, result) -> None:
    expired = [r["id"] for r in rows if r["status"] == Status.REPLIED and r["follow_up_due_at"]
               and now >= r["follow_up_due_at"]]
    if expired:
        result.follow_ups_expired += complaint_services.complaints_follow_up_expire(ids=expired, now=now)
    leads: dict[int, int] = {}
    dispatched = [r["id"] for r in rows if r["status"] == Status.DISPATCHED]
    if dispatched:
        for cid, did in Dispatch.objects.filter(
            complaint_id__in=dispatched, is_lead=True,
            state__in=(Dispatch.State.ACTIVE, Dispatch.State.DISPUTED, Dispatch.State.DONE),
        ).order_by("round", "id").values_list("complaint_id", "department_id"):
            leads[cid] = did  # the latest round wins
    checks, values, meta = [], [], {}
    for r in rows:
        if r["id"] in expired:
            continue
        if r["status"] == Status.REPLIED:
            checks.append((r["id"], r["flag"], r["flag"], r["follow_up_due_at"]))
            continue
        due, stage = r["due_at"], r["due_stage"]
        if due is None or not stage or r["status"] == Status.PAUSED:
            checks.append((r["id"], r["flag"], r["flag"], None))
            continue
        lead = leads.get(r["id"]) if stage == Stage.HANDLE else None
        dept = lead or r["office_handler__department_id"] or office
        handler = None if lead else r["office_handler_id"]
        crossed, flag, nxt = judge(
            cal, lambda check, d=dept: [x for x in [rules.for_case(check, d, None)] if x is not None],
            due=due, flag=r["flag"], now=now)
        checks.append((r["id"], r["flag"], flag, nxt))
        if dept is None:
            log.warning("complaint %s: no department for its cards (no office department)", r["number"])
            continue
        key = f"{stage}@{iso_key(due)}"
        for rule, at, issue in crossed:
            if not issue:
                continue
            status = WarningStatus.PENDING_CONFIRMATION if rule.mode == RuleMode.CONFIRM else WarningStatus.ISSUED
            values.append((r["id"], rule.id, rule.level, key, status, dept, handler, at, now,
                           _detail(rule, stage, due, cal)[:300], now))
            meta[(r["id"], rule.id, key)] = (r, rule, lead, _detail(rule, stage, due, cal), dept, handler)
    created = _insert(values)
    notify, follow = [], []
    for wid, cid, rule_id, key in created:
        r, rule, lead, detail, dept, handler = meta[(cid, rule_id, key)]
        if rule.mode == RuleMode.CONFIRM:
            result.pending_confirmation += 1
            continue
        result.issued[rule.level] += 1
        notify.append((wid, r["number"], rule.level, rule.name, detail, r["office_handler_id"], lead))
        follow.append(FollowUp(wid, rule, rule.level, dept, None, cid, r["number"], handler, detail))
    result.notifications_created += notify_cards(notify, kind=NotificationKind.WARNING_ISSUED, now=now, office=office)
    # Complaint cards are escalated like case cards: an automatic order to the card's department, a draft
    # proposal at red (services.escalation.escalation_follow_up; imported here because the services import this
    # module).
    from .services.escalation import escalation_follow_up

    escalation_follow_up(follow, now=now, result=result)
    complaint_services.complaints_clock_checked(checks=checks, now=now)


def _detail(rule: RuleInfo, stage: str, due: dt.datetime, cal) -> str:
    when = f"{due.astimezone(cal.tz):%Y-%m-%d %H:%M}"
    what = STAGE_TEXT.get(stage, "")
    if rule.check == Check.COMPLAINT_REMINDER:
        return f"投诉{what}期限 {when} 即将到期"
    return f"超过投诉{what}期限 {when}"


_COLUMNS = ("complaint_id", "rule_id", "level", "deadline_key", "status", "department_id", "handler_id",
            "crossed_at", "issued_at", "detail", "updated_at")


def _insert(values: list[tuple]) -> list[tuple[int, int, int, str]]:
    """INSERT … ON CONFLICT (complaint, rule, deadline_key) DO NOTHING RETURNING: only the cards this call
    created come back (SQLite ≥ 3.35 and PostgreSQL), so notifications follow each card exactly once."""
    if not values:
        return []
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    cols = ", ".join(q(c) for c in _COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    out = []
    with connection.cursor() as cur:
        for i in range(0, len(values), 500):
            part = values[i : i + 500]
            params = []
            for v in part:
                params.extend((*v[:7], adapt(v[7]), adapt(v[8]), v[9], adapt(v[10])))
            cur.execute(
                f"INSERT INTO {q(Warning._meta.db_table)} ({cols}) VALUES {', '.join([one] * len(part))} "
                "ON CONFLICT (complaint_id, rule_id, deadline_key) WHERE complaint_id IS NOT NULL DO NOTHING "
                "RETURNING id, complaint_id, rule_id, deadline_key",
                params,
            )
            out.extend(cur.fetchall())
    return out


# ====================================================================================== notifications
def notify_cards(items: list[tuple], *, kind: str, now, office: int | None = None) -> int:
    """Notifications about complaint cards: (card id, complaint number, level, rule name, detail, office
    handler id, lead department id or None) each, to the office handler (the office's heads when nobody is
    assigned) and, for the handling stage, the lead department's heads. Written through the platform's one
    notification path: in-app at once, e-mail and SMS in office hours, each recorded once."""
    from .services.notify import _heads, _write_notifications

    if not items:
        return 0
    if office is None:
        office = _office_department()
    heads = _heads({i[6] for i in items if i[6]} | ({office} if office else set()))
    targets = []
    for wid, number, level, rule_name, detail, office_handler, lead in items:
        who = {office_handler} if office_handler else set(heads.get(office, ()))
        if lead:
            who |= heads.get(lead, set())
        verb = "升级为" if kind == NotificationKind.WARNING_ESCALATED else ""
        subject = f"【{verb}{LEVEL_TEXT.get(level, level)}】投诉 {number}：{rule_name}"
        body = f"{subject}。{sentence(detail)}请登录效能监察平台，在“预警纠错”中查看并处理。"
        targets.extend((wid, None, rid, subject, body) for rid in who)
    return _write_notifications(targets, kind=kind, now=now)


def notify_card(w: Warning, *, kind: str, now, text: str) -> int:
    """One complaint card confirmed or escalated by the office: the same recipients as when issued."""
    lead = w.department_id if w.handler_id is None and w.deadline_key.startswith(f"{Stage.HANDLE}@") else None
    return notify_cards([(w.pk, w.complaint.number, w.level, w.rule.name, text, w.complaint.office_handler_id, lead)],
                        kind=kind, now=now)


def reschedule(now: dt.datetime) -> int:
    """A complaint rule changed: every complaint with a running clock is due at the next tick (paused ones
    stay paused, replied ones wait for their follow-up date)."""
    return (Complaint.objects.filter(is_open=True, due_at__isnull=False)
            .filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=now))
            .exclude(status__in=(Status.REPLIED, Status.PAUSED)).update(next_check_at=now))

