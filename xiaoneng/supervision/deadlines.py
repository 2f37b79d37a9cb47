"""The deadline family of rules: how the engine judges every clock owner whose rows carry one running
deadline (core/clocks.py `ClockRow.due_at`): complaints today, a bad rating's rectification, an inspection
finding's correction, an information request and a disclosure next. DOMAIN.md §4: reminder 2 wd before due,
yellow more than 1 wd over, red more than 2 wd over — as editable rules of checks `deadline_reminder`,
`deadline_overdue`, `deadline_overdue_long` with the owner's subject kind (`Rule.subject_kind`), so a new owner
ships rules, not code here.

The owner decides which clock runs and until when; this module only compares the due date with the rules,
issues the cards (once: ON CONFLICT DO NOTHING), notifies, escalates like any card, and hands each row's flag
and next check back to its owner (`ClockOwner.checked`).

Semantics (kept from the complaint centre's own tick): the reminder threshold is the close of office hours
`before_wd` working days before the due day and is crossed AT that moment; yellow and red are crossed one
microsecond after `over_wd` working days past the due date. A reminder is issued only while the due date has
not passed (a reminder about a clock already late is noise); the flag still records it. A card's key is
"<stage>@<due instant>" (a moved due date is a new instance); its department and handler are the row's; who
hears of it: the handler (or the department's heads while it has none) and the row's `tell`/`tell_heads_of`.
A card never carries more about its subject than the number the owner gave: departments see these cards.
"""

from __future__ import annotations

import datetime as dt
import logging

from xiaoneng.core.clocks import Checked, ClockRow, Subject
from xiaoneng.core.errors import DomainError
from xiaoneng.core.text import sentence

from .engine import ONE_US, RETRY_AFTER_ERROR, FollowUp, RuleInfo, RuleSet, iso_key
from .models import Check, NotificationKind, RuleMode, Warning, WarningStatus

log = logging.getLogger(__name__)

CHECKS = (Check.DEADLINE_REMINDER, Check.DEADLINE_OVERDUE, Check.DEADLINE_OVERDUE_LONG)
FLAG_ORDER = {"": -1, "reminder": 0, "yellow": 1, "red": 2}
LEVEL_TEXT = {"reminder": "预警提醒", "yellow": "黄牌", "red": "红牌"}


def threshold(cal, rule: RuleInfo, due: dt.datetime) -> tuple[dt.datetime, bool]:
    """(moment, strict) of a rule on a due date: crossed when now > moment (strict) or now >= moment."""
    if rule.check == Check.DEADLINE_REMINDER:
        day = cal.add_working_days(due.astimezone(cal.tz).date(), -rule.n("before_wd", 2)).date
        return cal.close_of(day), False
    n = rule.n("over_wd", 1 if rule.check == Check.DEADLINE_OVERDUE else 2)
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
                issue = check != Check.DEADLINE_REMINDER or now <= due
                crossed.append((r, t, issue))
                if FLAG_ORDER[r.level] > FLAG_ORDER.get(flag or "", -1):
                    flag = r.level
            else:
                nexts.append(t + ONE_US if strict else t)
    return crossed, flag, (min(nexts) if nexts else None)


def next_check(cal, rules: RuleSet, row: ClockRow, now: dt.datetime) -> dt.datetime | None:
    """When the tick must next look at a row whose deadline just changed. Every enabled rule of the row's kind
    counts (the card's department, which decides scoped rules, is the tick's business), so the moment is never
    later than the applicable threshold; a threshold already crossed above the row's flag makes it due now."""
    if row.due_at is None:
        return None
    crossed, flag, nxt = judge(cal, lambda check: rules.all_enabled_for(row.kind, check), due=row.due_at, flag="",
                               now=now)
    if crossed and FLAG_ORDER[flag] > FLAG_ORDER.get(row.flag or "", -1):
        return now
    return nxt


def judge_rows(cal, rules: RuleSet, rows: list[ClockRow], *, now: dt.datetime, result) -> list[Checked]:
    """Judge one locked batch of an owner's rows: insert the cards crossed (once), notify, escalate; returns
    what the owner writes back."""
    checked, values, meta = [], [], {}
    for row in rows:
        due = row.due_at
        if due is None:
            checked.append(Checked(row, row.flag, None))
            continue
        dept = row.department_id
        crossed, flag, nxt = judge(
            cal, lambda check, d=dept, k=row.kind: [x for x in [rules.for_subject(k, check, d)] if x is not None],
            due=due, flag=row.flag, now=now)
        checked.append(Checked(row, flag, nxt))
        if dept is None:
            log.warning("%s %s: no department for its cards (no office department)", row.kind, row.number)
            continue
        key = f"{row.stage}@{iso_key(due)}"
        for rule, crossed_at, issue in crossed:
            if not issue:
                continue
            status = WarningStatus.PENDING_CONFIRMATION if rule.mode == RuleMode.CONFIRM else WarningStatus.ISSUED
            detail = _detail(rule, row, cal)
            values.append((row.kind, row.id, rule.id, rule.level, key, status, dept, row.handler_id, crossed_at, now,
                           detail[:300], now))
            meta[(row.kind, row.id, rule.id, key)] = (row, rule, detail)
    from .services.issue import cards_insert  # the one card inserter (the services import this module)

    created = cards_insert(values)
    notify, follow = [], []
    for wid, kind, sid, rule_id, key in created:
        row, rule, detail = meta[(kind, sid, rule_id, key)]
        if rule.mode == RuleMode.CONFIRM:
            result.pending_confirmation += 1
            continue
        result.issued[rule.level] += 1
        notify.append((wid, row, rule.level, rule.name, detail))
        follow.append(FollowUp(wid, rule, rule.level, row.department_id, row.kind, row.id, row.number,
                               row.handler_id, detail))
    result.notifications_created += notify_rows(notify, kind=NotificationKind.WARNING_ISSUED, now=now)
    # Cards of every owner are escalated alike: an automatic order to the card's department, a draft proposal at
    # red (services.escalation; imported here because the services import this module).
    from .services.escalation import escalation_follow_up

    escalation_follow_up(follow, now=now, result=result)
    return checked


def _detail(rule: RuleInfo, row: ClockRow, cal) -> str:
    when = f"{row.due_at.astimezone(cal.tz):%Y-%m-%d %H:%M}"
    what = row.label or "期限"
    if rule.check == Check.DEADLINE_REMINDER:
        return f"{what} {when} 即将到期"
    return f"超过{what} {when}"


# ====================================================================================== notifications
def _recipients(heads: dict[int, set[int]], handler: int | None, department: int | None, tell, tell_heads_of):
    who = {handler} if handler else set(heads.get(department, ()))
    who.update(t for t in tell if t)
    for d in tell_heads_of:
        who |= heads.get(d, set())
    return who


def notify_rows(items: list[tuple], *, kind: str, now) -> int:
    """Notifications about cards just issued on deadline rows: (card id, row, level, rule name, detail) each, to
    the handler (the department's heads while it has none) and whoever the row names. Written through the
    platform's one notification path: in-app at once, e-mail and SMS in office hours, each recorded once."""
    from .services.notify import _heads, _write_notifications

    if not items:
        return 0
    heads = _heads({d for _w, row, *_r in items for d in (row.department_id, *row.tell_heads_of) if d})
    targets = []
    for wid, row, level, rule_name, detail in items:
        who = _recipients(heads, row.handler_id, row.department_id, row.tell, row.tell_heads_of)
        targets.extend(_messages(wid, who, kind=kind, label=row.kind, number=row.number, level=level,
                                 rule_name=rule_name, detail=detail))
    return _write_notifications(targets, kind=kind, now=now)


def notify_card(w: Warning, subject: Subject, label: str, *, kind: str, now, text: str) -> int:
    """One deadline card confirmed or escalated by the office: its handler (or its department's heads) and
    whoever its subject names now."""
    from .services.notify import _heads, _write_notifications

    heads = _heads({d for d in (w.department_id, *subject.tell_heads_of) if d})
    who = _recipients(heads, w.handler_id, w.department_id, subject.tell, subject.tell_heads_of)
    return _write_notifications(
        _messages(w.pk, who, kind=kind, label=label, number=subject.number, level=w.level, rule_name=w.rule.name,
                  detail=text), kind=kind, now=now)


def _messages(wid, who, *, kind, label, number, level, rule_name, detail):
    from .subjects import subject_label

    name = subject_label(label, stored=True)  # stored texts are in the platform's language
    verb = "升级为" if kind == NotificationKind.WARNING_ESCALATED else ""
    subject = f"【{verb}{LEVEL_TEXT.get(level, level)}】{name} {number}：{rule_name}"
    body = f"{subject}。{sentence(detail)}请登录效能监察平台，在“预警纠错”中查看并处理。"
    return [(wid, None, rid, subject, body) for rid in who]


def reschedule(now: dt.datetime, kind: str) -> int:
    """A deadline rule of `kind` changed: every running clock of that owner is due at the next tick."""
    from xiaoneng.core import clocks

    return clocks.owner(kind).reschedule(now=now)
