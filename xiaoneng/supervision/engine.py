"""The rule engine: which cards a case deserves as of a moment, and when to look at it again.

Pure computation on rows already read (no queries here), so the tick and the event hook stay set-based:
they read a batch of cases and the rules once, call `evaluate_case` per case, and write the results in a
few statements.

Semantics (DOMAIN.md §4; all thresholds come from the rules):
- A time threshold `t` is crossed when the case's clock ran past it: `stop > t`, where `stop` is the
  earliest of `now`, the decision/end of the case, and the moment an open supplement stopped the clock.
  One second past is crossed; exactly at the threshold is not (the limit falls due at that instant).
- Deadlines on the Case already include suspended time and the days granted for special procedures, so
  every threshold moves with them.
- "n wd past a deadline" for a deadline at the close of office hours is the close of the n-th working day
  after its day; for hour-based deadlines it is n × a working day's hours later.
- Cards are valid as long as the facts support them. A late event can make a card invalid (a `completed`
  that happened before the threshold, a moved deadline): the event hook withdraws such cards
  automatically (ActionKind.AUTO_WITHDRAW); a card never issued stays never issued.
- A reminder is only *issued* while the case is still running and before its deadline (a reminder about a
  case already decided or already late is noise); once issued it stays valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from xiaoneng.core.errors import DomainError

from .models import Check, RuleScope

ONE_US = dt.timedelta(microseconds=1)
RETRY_AFTER_ERROR = dt.timedelta(hours=6)  # a calendar year missing: look again later, never guess
STEP_KINDS_REQUIRED = frozenset({"handle", "review", "approve"})  # accept/complete/deliver are events
DECIDED = frozenset({"completed", "denied", "delivered"})
RUNNING = frozenset({"received", "accepted", "supplementing", "suspended"})
KEY_MAX = 80
# A step a department system reported by its kind ("review"), or a workflow step without a name of its own,
# is named in a card's text by the glossary's name (catalog.StepKind): the stored text is the office's
# Chinese, whoever's language the tick runs in, so the names are written out here, not gettext'd.
STEP_KIND_NAMES = {"accept": "受理", "handle": "承办", "review": "审核", "approve": "批准", "complete": "办结",
                   "deliver": "送达"}


def step_name(step: str) -> str:
    """A step as a card's text names it (see STEP_KIND_NAMES); keys keep the step as reported."""
    return STEP_KIND_NAMES.get(step, step)
LEVEL_UP = {"reminder": "yellow", "yellow": "red", "red": "red"}

# Checks whose validity follows from the whole state of a case (re-judged after every event batch);
# no_reason, fee_irregular and fee_above_minimum are about one event each and stand once raised.
STATE_CHECKS = frozenset({
    Check.COMMITTED_REMINDER, Check.COMMITTED_OVERDUE, Check.STATUTORY_OVERDUE, Check.STEP_OVERDUE,
    Check.DELIVERY_LATE, Check.DELIVERY_STATUTORY, Check.DEEMED_APPROVAL, Check.SECOND_NOTICE, Check.STEP_ORDER, Check.OFF_BOOK,
})


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A snapshot of one Rule row, detached from the ORM (kept in the per-process cache)."""

    id: int
    code: str
    name: str
    check: str
    kind: str
    level: str
    thresholds: dict
    scope: str
    department_path: str | None
    item_id: int | None
    mode: str
    enabled: bool
    auto_order: bool = True
    order_due_wd: int = 5
    auto_proposal: bool = True
    subject_kind: str = "case"

    def n(self, key: str, default: int) -> int:
        v = self.thresholds.get(key, default)
        return v if type(v) is int else default  # not a bool (a subclass of int), not a float or text


@dataclass(slots=True)
class RuleSet:
    """All rules, grouped by check, with the department paths needed to resolve department scopes."""

    by_check: dict[str, list[RuleInfo]]
    department_paths: dict[int, str]
    by_id: dict[int, RuleInfo] = field(default_factory=dict)
    # (department id, item id) → {check: rule or None}: a tick resolves the same few scopes thousands of
    # times. The set is an immutable snapshot (a rule edit builds a new one), so the memo never goes stale.
    resolved: dict[tuple, dict[str, RuleInfo | None]] = field(default_factory=dict)

    def for_scope(self, department_id: int | None, item_id: int | None) -> dict[str, RuleInfo | None]:
        """`for_case` of every check at once, memoised per (department, item)."""
        key = (department_id, item_id)
        out = self.resolved.get(key)
        if out is None:
            if len(self.resolved) > 50_000:
                self.resolved.clear()
            out = self.resolved[key] = {c: self.for_case(c, department_id, item_id) for c in self.by_check}
        return out

    def for_case(self, check: str, department_id: int | None, item_id: int | None) -> RuleInfo | None:
        """The rule of `check` that applies to a case: item scope beats department scope beats all; a
        disabled specific rule switches the check off for its scope. None when nothing applies."""
        return _best(self.by_check.get(check, ()), department_id, item_id, self.department_paths)

    def all_enabled(self, check: str) -> list[RuleInfo]:
        return [r for r in self.by_check.get(check, ()) if r.enabled]

    def all_enabled_for(self, kind: str, check: str) -> list[RuleInfo]:
        """Every enabled rule of `check` for subjects of `kind` (scheduling: the earliest threshold counts)."""
        return [r for r in self.by_check.get(check, ()) if r.enabled and r.subject_kind == kind]

    def for_subject(self, kind: str, check: str, department_id: int | None) -> RuleInfo | None:
        """The rule of a deadline check that applies to a subject of `kind` owned by a department: department
        scope beats all, as for cases (item scope is for cases only). Memoised like `for_scope`."""
        key = (kind, check, department_id)
        memo = self.resolved.get(key)
        if memo is None:
            if len(self.resolved) > 50_000:
                self.resolved.clear()
            rules = [r for r in self.by_check.get(check, ()) if r.subject_kind == kind]
            memo = self.resolved[key] = {"": _best(rules, department_id, None, self.department_paths)}
        return memo[""]


def _best(rules, department_id: int | None, item_id: int | None, paths: dict[int, str]) -> RuleInfo | None:
    """The most specific of `rules` for a department and item (item > deeper department > all); a disabled
    specific rule switches its check off for its scope. None when nothing applies."""
    best = None
    best_rank = -1
    path = paths.get(department_id) if department_id is not None else None
    for r in rules:
        if r.scope == RuleScope.ITEM:
            if item_id is None or r.item_id != item_id:
                continue
            rank = 1000
        elif r.scope == RuleScope.DEPARTMENT:
            if path is None or r.department_path is None or not path.startswith(r.department_path):
                continue
            rank = 1 + r.department_path.count("/")  # a deeper department is more specific
        else:
            rank = 0
        if rank > best_rank:
            best, best_rank = r, rank
    return best if best is not None and best.enabled else None


@dataclass(slots=True)
class Card:
    """A card a case deserves: `issue` says whether it may be newly issued now (see module docstring)."""

    rule: RuleInfo
    key: str
    crossed_at: dt.datetime
    detail: str
    issue: bool = True
    event: object = None  # the event an event-based card is about (its key names the event's id)


@dataclass(slots=True)
class FollowUp:
    """A card just issued (or confirmed, or raised a level), as escalation needs it. `rule` is a RuleInfo
    or a Rule (both have name, auto_order, order_due_wd, auto_proposal)."""

    warning_id: int
    rule: object
    level: str
    department_id: int
    subject_kind: str  # subjects.py: "case", "complaint", …
    subject_id: int
    subject_no: str
    handler_id: int | None
    detail: str


@dataclass(slots=True)
class Evaluation:
    cards: list[Card]
    next_check: dt.datetime | None
    judged: set[int]  # ids of the rules whose cards this evaluation decided (for automatic withdrawal)
    unsure: set[int] = field(default_factory=set)  # rules that could not be judged (calendar year missing)


# (check, default working days, detail): the delivery checks, the office's margin first.
DELIVERY_CHECKS = (
    (Check.DELIVERY_LATE, 3, "办结后未在 {at} 前送达"),
    (Check.DELIVERY_STATUTORY, 10, "作出准予许可决定后 {n} 个工作日内（{at} 前）未送达证照，超过行政许可法第四十四条规定的期限"),
)


@lru_cache(maxsize=65_536)
def iso_key(at: dt.datetime) -> str:
    """The deadline part of a card key: the instant in UTC, to the second (stable across time zones).
    Cached: deadlines fall at the close of a few hundred distinct days, so most calls repeat."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shift(cal, at: dt.datetime, n: int) -> dt.datetime:
    """`at` moved by n working days (see module docstring)."""
    if n == 0:
        return at
    # Memoised on the calendar object itself (a calendar change builds a new WorkCalendar, so no stale answer
    # can be served, and the memo goes with the old calendar): deadlines fall at the close of office hours of
    # a few hundred distinct days, so a tick or an ingest batch mostly hits.
    memo = cal.__dict__.setdefault("_xn_shift_memo", {})
    key = (at, n)
    out = memo.get(key)
    if out is None:
        if len(memo) > 100_000:
            memo.clear()
        out = memo[key] = _shift(cal, at, n)
    return out


def _shift(cal, at: dt.datetime, n: int) -> dt.datetime:
    local = at.astimezone(cal.tz)
    if local.timetz().replace(tzinfo=None) == cal.close_time:
        return cal.close_of(cal.add_working_days(local.date(), n).date)
    return cal.add_working_hours(at, n * cal.day_us / 3_600_000_000).at


def _fmt(at: dt.datetime, cal) -> str:
    # Memoised on the calendar like `shift` (the same few hundred deadlines are formatted over and over).
    memo = cal.__dict__.setdefault("_xn_fmt_memo", {})
    out = memo.get(at)
    if out is None:
        if len(memo) > 100_000:
            memo.clear()
        out = memo[at] = f"{at.astimezone(cal.tz):%Y-%m-%d %H:%M}"
    return out


def _parse(v) -> dt.datetime | None:
    if not v:
        return None
    return v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)


def evaluate_case(
    cal, rules: RuleSet, row, *, now: dt.datetime, deemed: bool | None, events=(), version_steps=None,
    fee_rules=None, time_only: bool = False,
) -> Evaluation:
    """Cards that case `row` deserves as of `now` and the next moment a time threshold may be crossed.

    `row` has the Case columns (attribute access): department_id, service_item_id, status, registered,
    clock_start, clock_stopped_at, committed_deadline, statutory_deadline, current_step,
    current_step_due_at, steps, completed_at, delivered_at, closed_at, notices_count, handler_id.
    `deemed`: whether the pinned version is configured for deemed approval (None: unknown — schedule
    conservatively). `events`: events just applied (event-based checks); `version_steps`: [(kind, name)]
    of the pinned version's workflow; `fee_rules`: {fee name: (amount, min, max)} of the pinned version.
    """
    cards: list[Card] = []
    judged: set[int] = set()
    unsure: set[int] = set()
    nexts: list[dt.datetime] = []
    rule = (rules.for_scope(row.department_id, row.service_item_id) if rules is not None else {}).get

    end = row.completed_at or row.closed_at
    stop = now if end is None or end > now else end
    if row.clock_stopped_at is not None and row.clock_stopped_at < stop:
        stop = row.clock_stopped_at
    running_now = row.status in RUNNING and (end is None or end > now)
    clock_runs = running_now and row.clock_stopped_at is None

    def threshold(r: RuleInfo, base: dt.datetime, n: int, check: str, prefix: str, detail: str,
                  issue_if=True, lower: dt.datetime | None = None, stop_at: dt.datetime = stop,
                  schedule: bool = True) -> None:
        # The key is `prefix` + the deadline's instant and `detail` a template of the deadline's local time:
        # both are formatted only for a crossed threshold (most evaluations cross none; the tick evaluates
        # thousands of cases per second).
        judged.add(r.id)
        try:
            t = shift(cal, base, n)
        except DomainError:
            unsure.add(r.id)
            nexts.append(now + RETRY_AFTER_ERROR)
            return
        if lower is not None and t < lower:
            return
        if stop_at > t:
            cards.append(Card(r, (prefix + iso_key(base))[:KEY_MAX], t, detail.format(_fmt(base, cal)), bool(issue_if)))
        elif schedule and t >= now:
            nexts.append(t + ONE_US)

    c = row.committed_deadline
    s = row.statutory_deadline
    if c is not None:
        r = rule(Check.COMMITTED_REMINDER)
        if r is not None:
            threshold(r, c, -r.n("before_wd", 2), Check.COMMITTED_REMINDER, "",
                      "承诺期限 {} 即将到期", issue_if=running_now and now <= c,
                      lower=row.clock_start, schedule=clock_runs)
        r = rule(Check.COMMITTED_OVERDUE)
        if r is not None:
            threshold(r, c, r.n("over_wd", 1), Check.COMMITTED_OVERDUE, "",
                      "超过承诺期限 {}", schedule=clock_runs)
    if s is not None:
        r = rule(Check.STATUTORY_OVERDUE)
        if r is not None:
            threshold(r, s, r.n("over_wd", 1), Check.STATUTORY_OVERDUE, "",
                      "超过法定期限 {}", schedule=clock_runs)
        r = rule(Check.DEEMED_APPROVAL)
        if r is not None and deemed is not False:
            if deemed:
                threshold(r, s, r.n("over_wd", 0), Check.DEEMED_APPROVAL, "",
                          "法定期限 {} 届满未作决定，视为准予许可", schedule=clock_runs)
            elif clock_runs and s >= now:  # unknown version flag: look at the deadline anyway
                nexts.append(s + ONE_US)

    # Steps: completed steps judged by their rows, the current one by the clock.
    r = rule(Check.STEP_OVERDUE)
    if r is not None:
        over = r.n("over_wd", 0)
        judged.add(r.id)
        for st in row.steps or ():
            due = _parse(st.get("due_at"))
            done = _parse(st.get("completed_at"))
            if due is None or done is None:
                continue
            name = st.get("name") or st.get("step") or ""
            threshold(r, due, over, Check.STEP_OVERDUE, f"{name}@",
                      "环节“" + step_name(name).replace("{", "{{").replace("}", "}}") + "”超过环节期限 {}", stop_at=done,
                      schedule=False)
        due = row.current_step_due_at
        if due is not None and row.current_step and _is_accept_done(row, version_steps):
            due = None  # the `accepted` event completes the accept step (受理) whatever steps say
        if due is not None and row.current_step:
            threshold(r, due, over, Check.STEP_OVERDUE, f"{row.current_step}@",
                      "环节“" + step_name(row.current_step).replace("{", "{{").replace("}", "}}") + "”超过环节期限 {}",
                      schedule=clock_runs)

    # Delivery (送达) after a decision to grant: the office's own yellow margin (3 wd by default) and the
    # statutory limit of 行政许可法 §44 (10 wd, red). Both are about the same decision, so both cards share the
    # key `delivery@<decision>`; a late delivery past both carries both, like the committed/statutory pair.
    if row.completed_at is not None and row.status in ("completed", "delivered"):
        done = row.completed_at
        for check, default, text in DELIVERY_CHECKS:
            r = rule(check)
            if r is None:
                continue
            judged.add(r.id)
            try:
                # A clock started by the decision: after the close or on a day off it starts the next working
                # day (DOMAIN.md §4), as the case's own delivery_due_at does (cases/clock.py).
                t = cal.deadline(done, r.n("within_wd", default), "wd").at
            except DomainError:
                unsure.add(r.id)
                nexts.append(now + RETRY_AFTER_ERROR)
                continue
            d_stop = row.delivered_at if row.delivered_at is not None and row.delivered_at <= now else now
            if d_stop > t:
                cards.append(Card(r, f"delivery@{iso_key(done)}", t, text.format(at=_fmt(t, cal), n=r.n("within_wd", default))))
            elif row.delivered_at is None and t >= now:
                nexts.append(t + ONE_US)

    if not time_only:
        _event_checks(rule, row, cards, judged, events, version_steps, fee_rules, now)
    return Evaluation(cards, min(nexts) if nexts else None, judged, unsure)


def current_keys(row) -> set[str]:
    """The deadline parts of card keys for the deadlines the case has now (committed, statutory, each step,
    delivery): a time-based card whose key is not among them is about a deadline that no longer exists."""
    keys = set()
    for at in (row.committed_deadline, row.statutory_deadline):
        if at is not None:
            keys.add(iso_key(at))
    for st in row.steps or ():
        due = _parse(st.get("due_at"))
        if due is not None:
            keys.add(f"{st.get('name') or st.get('step') or ''}@{iso_key(due)}"[:KEY_MAX])
    if row.current_step and row.current_step_due_at is not None:
        keys.add(f"{row.current_step}@{iso_key(row.current_step_due_at)}"[:KEY_MAX])
    if row.completed_at is not None:
        keys.add(f"delivery@{iso_key(row.completed_at)}")
    return keys


def _event_checks(rule, row, cards, judged, events, version_steps, fee_rules, now) -> None:
    r = rule(Check.NO_REASON)
    if r is not None:
        for e in events:
            if e.type in ("refused", "denied") and not (e.reason or "").strip():
                label = "不予受理" if e.type == "refused" else "不予许可"
                cards.append(Card(r, f"event:{e.pk}", e.occurred_at, f"{label}决定未说明理由", event=e))

    r = rule(Check.SECOND_NOTICE)
    if r is not None:
        judged.add(r.id)
        allowed = r.n("max_notices", 1)
        notices = [e.occurred_at for e in events if e.type == "supplement_requested"]
        at = max(notices) if notices else now
        for n in range(allowed + 1, (row.notices_count or 0) + 1):
            cards.append(Card(r, f"notice:{n}", at, f"第 {n} 次补正告知（一次性告知制度只允许 {allowed} 次）"))

    # Fees: one card per fee event, the most serious that applies — 乱收费 (not in the list, not the standard
    # amount, outside the bounds) before "above the lower bound" (seed 003: 有上下限的，一律按下限收费), so an
    # amount over the upper bound is not counted twice.
    r = rule(Check.FEE_IRREGULAR)
    r_min = rule(Check.FEE_ABOVE_MINIMUM)
    if (r is not None or r_min is not None) and fee_rules is not None:
        for e in events:
            if e.type != "fee_charged":
                continue
            problem = fee_problem(fee_rules, e.fee_item, e.amount) if r is not None else ""
            if problem:
                cards.append(Card(r, f"event:{e.pk}", e.occurred_at, problem, event=e))
                continue
            problem = fee_above_minimum(fee_rules, e.fee_item, e.amount) if r_min is not None else ""
            if problem:
                cards.append(Card(r_min, f"event:{e.pk}", e.occurred_at, problem, event=e))

    r = rule(Check.STEP_ORDER)
    if r is not None and version_steps and row.steps:
        judged.add(r.id)
        for key, at, detail in step_order_problems(row, version_steps):
            cards.append(Card(r, key, at, detail))

    r = rule(Check.OFF_BOOK)
    if r is not None:
        judged.add(r.id)
        if row.completed_at is not None and not row.registered and row.status in DECIDED:
            cards.append(Card(r, "off-book", row.completed_at, "办件已办结但从未登记接件（体外循环）"))


def _is_accept_done(row, version_steps) -> bool:
    if row.status == "received" or not version_steps:
        return False
    return any(kind == "accept" and row.current_step in (kind, name) for kind, name in version_steps)


def fee_problem(fee_rules: dict, fee_item: str, amount: Decimal | None) -> str:
    """Why a fee is irregular (乱收费), or "" when it matches the published list."""
    name = (fee_item or "").strip()
    rule = fee_rules.get(name)
    if rule is None:
        return f"收费项目“{name}”不在公布的收费标准内"
    std, lo, hi = rule
    if amount is None:
        return ""
    if std is not None and amount != std:
        return f"“{name}”收费 {amount} 元，不等于标准金额 {std} 元"
    if lo is not None and amount < lo:
        return f"“{name}”收费 {amount} 元，低于下限 {lo} 元"
    if hi is not None and amount > hi:
        return f"“{name}”收费 {amount} 元，超过上限 {hi} 元"
    return ""


def fee_above_minimum(fee_rules: dict, fee_item: str, amount: Decimal | None) -> str:
    """Why a ranged fee was charged above its lower bound (seed 003: 有上下限的，一律按下限收费), or "".
    Fees with a fixed standard amount, or with no lower bound, are fee_problem's business only."""
    rule = fee_rules.get((fee_item or "").strip())
    if rule is None or amount is None:
        return ""
    std, lo, _hi = rule
    if std is not None or lo is None or amount <= lo:
        return ""
    return f"“{(fee_item or '').strip()}”收费 {amount} 元，高于下限 {lo} 元（有上下限的收费一律按下限收取）"


def step_order_problems(row, version_steps) -> list[tuple[str, dt.datetime, str]]:
    """Steps done out of order, and (at a decision to grant) required steps never done.

    Only cases whose system reports steps are judged: a case with no step events says nothing."""
    index = {}
    for i, (kind, name) in enumerate(version_steps):
        index.setdefault(kind, i)
        if name:
            index.setdefault(name, i)
    done: list[tuple[dt.datetime, int, str]] = []
    for st in row.steps or ():
        pos = st.get("position")
        if pos is None:
            pos = index.get(st.get("step") or "")
        at = _parse(st.get("completed_at"))
        if pos is None or at is None:
            continue
        done.append((at, pos, st.get("name") or st.get("step") or ""))
    if not done:
        return []
    done.sort()
    out = []
    seen: set[int] = set()
    required = [i for i, (kind, _n) in enumerate(version_steps) if kind in STEP_KINDS_REQUIRED]
    key = {i: (name or kind) for i, (kind, name) in enumerate(version_steps)}  # card keys: as before
    label = {i: (name or step_name(kind)) for i, (kind, name) in enumerate(version_steps)}
    for at, pos, name in done:
        missing = [i for i in required if i < pos and i not in seen]
        if missing:
            before = "、".join(f"“{label[i]}”" for i in missing)
            out.append((f"order:{name}"[:KEY_MAX], at, f"环节“{step_name(name)}”办理时，前序环节{before}尚未办理"))
        seen.add(pos)
    if row.completed_at is not None and row.status in ("completed", "delivered"):
        for i in required:
            if i not in seen:
                out.append((f"skipped:{key[i]}"[:KEY_MAX], row.completed_at, f"办结时环节“{label[i]}”未办理"))
    return out
