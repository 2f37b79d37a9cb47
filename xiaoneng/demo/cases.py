"""Twelve months of cases for the demo county, fed through the real ingest path day by day.

The story the seeds tell (DOMAIN.md §1) is built in: the on-time completion rate of committed cases rises
from about 56 % in the first month to over 80 % in the last; most cases finish on time, a tail runs past
the committed limit and a smaller one past the statutory limit; some need a supplement (one-time notice),
some go through a special procedure (suspension with granted days), a few are refused or denied, a few
fees are irregular, a few certificates are delivered late, and the last weeks' cases are still open.

Events are generated per case and fed through the real ingest path (`case_events_ingest`) in batches of
whole cases, as a legacy import would be; cases still running at `now` stay open for the live monitor.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from xiaoneng.demo import names

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Cases per working day at each scale (a county service centre handles a few hundred a day).
PER_DAY = {"small": 12, "county": 400, "province": 800}
MORNING = (9 * 60, 12 * 60)
AFTERNOON = (13 * 60 + 30, 17 * 60 + 30)
REFUSAL_REASONS = [
    "申请事项依法不需要取得行政许可",
    "申请事项不属于本机关职权范围，已告知申请人向有关行政机关申请",
    "申请人隐瞒有关情况或者提供虚假材料",
]
DENIAL_REASONS = ["现场核查不符合法定条件", "申请材料经审查不符合法定标准", "未通过专家评审"]
# The special procedures (行政许可法 §45) a case may go through, with typical granted days; a case goes only
# through one its item's guide lists (ServiceItemVersion.suspension_reasons): no 听证 on an item without it.
SPECIAL_PROCEDURES = {"expert_review": ("专家评审", 10), "site_survey": ("现场勘查", 5), "testing": ("检测", 8),
                      "hearing": ("听证", 15), "inspection": ("检验", 8), "appraisal": ("鉴定", 10),
                      "quarantine": ("检疫", 5), "public_notice": ("公示", 10), "tender": ("招标", 20),
                      "auction": ("拍卖", 20)}


@dataclass
class ItemInfo:
    code: str
    dept_code: str
    item_type: str
    committed: tuple[int, str]
    statutory: tuple[int, str]
    steps: list[str]
    materials: list[str]
    fees: list[tuple[str, str]]  # (name, amount as text)
    suspension: bool
    special: tuple[str, ...] = ()  # the special procedures (§45) the item's guide lists
    handlers: tuple[str, ...] = ()  # names of the department's handlers, as its system reports them


def _handler_names() -> dict[int, tuple[str, ...]]:
    """Per department: the full names of its own handler accounts that are unique within its subtree, so
    that a department system reporting one of them maps to exactly that account (cases.handlers) and the
    handler's desk shows their cases. One query."""
    from collections import Counter

    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.models import Staff

    people: dict[int, tuple[str, int, str]] = {}
    handlers: dict[int, list[str]] = defaultdict(list)
    for pk, name, dept, path, group in Staff.objects.filter(is_active=True, department__isnull=False).values_list(
            "id", "name", "department_id", "department__path", "groups__name").order_by("username"):
        people[pk] = (name, dept, path)
        if group == R.HANDLER and name and name not in handlers[dept]:
            handlers[dept].append(name)
    out = {}
    for dept, own in handlers.items():
        path = next(p for _n, d, p in people.values() if d == dept)
        inside = Counter(n for n, _d, p in people.values() if p.startswith(path))
        out[dept] = tuple(n for n in own if inside[n] == 1)
    return out


def _items() -> list[ItemInfo]:
    from xiaoneng.catalog.models import ServiceItem

    out = []
    handler_names = _handler_names()
    qs = ServiceItem.objects.filter(is_active=True).select_related("department", "current_version").prefetch_related(
        "current_version__steps", "current_version__materials", "current_version__fees"
    )
    for item in qs:
        v = item.current_version
        fees = []
        for f in v.fees.all():
            amount = f.amount if f.amount is not None else f.amount_min
            if amount is not None:
                fees.append((f.name, format(amount, "f")))
        out.append(ItemInfo(
            code=item.code, dept_code=item.department.code, item_type=v.item_type,
            committed=(v.committed_limit_value, v.committed_limit_unit),
            statutory=(v.statutory_limit_value, v.statutory_limit_unit),
            steps=[s.kind for s in v.steps.all() if s.kind not in ("accept", "complete", "deliver")],
            materials=[m.name for m in v.materials.all()],
            fees=fees, suspension=v.suspension_allowed,
            special=tuple(r for r in (v.suspension_reasons or []) if r in SPECIAL_PROCEDURES), handlers=handler_names.get(item.department_id, ()),
        ))
    return out


def _id_no(rng: random.Random, birth: dt.date) -> str:
    """A realistic 18-digit resident ID number (GB 11643) with a valid check digit; fictional region."""
    body = f"3399{rng.randrange(10, 99)}{birth:%Y%m%d}{rng.randrange(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


class _Clock:
    """Office-hours moments on working days, from the platform's own calendar."""

    def __init__(self, rng: random.Random):
        from xiaoneng.workdays.calendar import get_calendar

        self.cal = get_calendar()
        self.rng = rng

    def close(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(AFTERNOON[1] // 60, AFTERNOON[1] % 60), SHANGHAI)

    def moment(self, day: dt.date, after: dt.datetime | None = None, *, room: int = 0) -> dt.datetime:
        """A moment in office hours of `day`, later than `after`. Following `after` on the same day, it stays
        before that day's close (17:30): a step taken "a little later" late in the afternoon is taken before
        the office closes, not in the evening (201 instant cases were once decided after the close). `room`
        keeps that many minutes free before the close (an instant case received at 17:29 cannot be
        accepted, decided and handed over the same day)."""
        lo, hi = self.rng.choice((MORNING, AFTERNOON))
        minute = self.rng.randrange(lo, max(lo + 1, hi - room))
        at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), SHANGHAI)
        if after is not None and at <= after:
            at = self.soon(after, 5, 90)
        return at

    def soon(self, after: dt.datetime, lo: int, hi: int) -> dt.datetime:
        """`lo`-`hi` minutes after `after`, but before the close of its day when `after` is in office hours."""
        at = after + dt.timedelta(minutes=self.rng.randrange(lo, hi))
        close = self.close(after.astimezone(SHANGHAI).date())
        if after <= close < at:  # no room left today: the rest of the way to the close, not past it
            at = after + (close - after) * self.rng.uniform(0.2, 0.8)
        return at

    def add_wd(self, day: dt.date, n: int) -> dt.date:
        return self.cal.add_working_days(day, n).date

    def in_units(self, day: dt.date, value: int, unit: str) -> dt.date:
        """The day a limit of `value` `unit` counted from `day` ends on (hours: within a day or two)."""
        if unit == "wd":
            return self.add_wd(day, value)
        if unit == "d":
            return self.add_wd(day + dt.timedelta(days=value), 0)
        return self.add_wd(day, max(1, value // 7) if value > 7 else 0)


def _on_time_share(month_index: int, months: int) -> float:
    return 0.56 + 0.27 * (month_index / max(1, months - 1))


# The evaluation's story (issue 13: four published quarters with visible movement). Two bureaus depart from
# the county's trend (both exist at every scale, sections included): the civil-affairs bureau stays far behind
# all year (a bottom place every quarter: 通报批评, then 诫勉谈话, then 组织调整 proposed), and the education
# bureau is far behind in the first two evaluated quarters and then, after its sanctions, finishes more cases on
# time than most (it climbs).
STRAGGLER, CLIMBER = "MZJ", "JYJ"


def _climb_from(end: dt.date) -> dt.date:
    """The first day of the third-last complete quarter before `end`: where the climber turns."""
    from xiaoneng.core.periods import Period

    q = Period.current(dt.datetime(end.year, end.month, end.day, 12, tzinfo=SHANGHAI)).previous().previous()
    return q.start.date()


def _share_shift(dept_code: str, day: dt.date, climb_from: dt.date) -> float:
    parts = dept_code.split("-")  # QY-MZJ, QY-MZJ-01 (a section)
    base = parts[1] if len(parts) > 1 else dept_code
    if base == STRAGGLER:
        return -0.4
    if base == CLIMBER:
        return -0.4 if day < climb_from else 0.15
    return 0.0


def case_number(dept_code: str, day: dt.date, serial: int) -> str:
    """The case number format of cases.services.case_register (five-digit serial of the yearly series)."""
    return f"{dept_code}-{day:%Y%m%d}-{serial:05d}"


def case_events(*, rng: random.Random, items: list[ItemInfo], start: dt.date, end: dt.date, per_day: int,
                now: dt.datetime) -> list[dict]:
    """Every event of every demo case received between start and end (inclusive), none after `now`."""
    clock = _Clock(rng)
    events: list[dict] = []
    weights = [8 if i.item_type == "instant" else 4 if i.item_type == "committed" else 1 for i in items]
    # Numbered as the window numbers a case (cases.services.case_register): <department>-<date>-<nnnnn>, the
    # serial from the department's yearly series; seed_cases reserves the same numbers in that series.
    seq: dict[tuple[str, int], int] = defaultdict(int)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    climb_from = _climb_from(end)
    day = start
    while day <= end:
        if not clock.cal.is_working_day(day):
            day += dt.timedelta(days=1)
            continue
        month_index = (day.year - start.year) * 12 + day.month - start.month
        share = _on_time_share(month_index, months)
        n = max(1, int(per_day * rng.uniform(0.8, 1.2)))
        for item in rng.choices(items, weights=weights, k=n):
            seq[(item.dept_code, day.year)] += 1
            case_no = case_number(item.dept_code, day, seq[(item.dept_code, day.year)])
            shifted = min(0.97, max(0.05, share + _share_shift(item.dept_code, day, climb_from)))
            events.extend(_one_case(rng, clock, item, case_no, day, shifted))
        day += dt.timedelta(days=1)
    return [e for e in events if e["_at"] <= now]


def _one_case(rng, clock: _Clock, item: ItemInfo, case_no: str, day: dt.date, share: float) -> list[dict]:
    evs: list[dict] = []

    def ev(kind: str, at: dt.datetime, **fields):
        evs.append({"event_id": f"{case_no}-{len(evs) + 1}", "case_no": case_no, "service_code": item.code,
                    "type": kind, "occurred_at": at.isoformat(), "_at": at, **fields})
        return at

    surname = rng.choice(names.SURNAMES)
    applicant = {
        "name": surname + "".join(rng.choice(names.GIVEN) for _ in range(rng.choice((1, 2)))),
        "id_no": _id_no(rng, dt.date(rng.randrange(1955, 2004), rng.randrange(1, 13), rng.randrange(1, 29))),
        "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
    }
    # One of the department's handler accounts (so Case.handler is set and their desk is not empty); a
    # department without one reports a made-up name, as legacy systems with their own user lists do.
    handler = rng.choice(item.handlers) if item.handlers else surname + rng.choice(names.GIVEN)
    instant = item.committed[0] == 0
    # An instant case is received, accepted, decided and handed over within the day's office hours.
    at = ev("received", clock.moment(day, room=60 if instant else 0), applicant=applicant, handler=handler)
    roll = rng.random()
    if roll < 0.03:  # refused at intake, nearly always with a written reason
        reason = rng.choice(REFUSAL_REASONS) if rng.random() > 0.05 else ""
        ev("refused", clock.soon(at, 10, 60), reason=reason, handler=handler)
        return evs
    accept_day = day
    if roll < 0.15 and item.materials:  # one-time notice, then the supplement arrives
        missing = rng.sample(item.materials, k=min(len(item.materials), rng.randrange(1, 4)))
        at = ev("supplement_requested", clock.soon(at, 15, 30), missing_materials=missing, handler=handler)
        if rng.random() < 0.02:  # a second notice on the same case: a violation the rules must catch
            at = ev("supplement_requested", clock.moment(clock.add_wd(day, 1), at),
                    missing_materials=[rng.choice(item.materials)], handler=handler)
        accept_day = clock.add_wd(day, rng.randrange(1, 6))
        at = ev("supplement_received", clock.moment(accept_day, at, room=60 if instant else 0), handler=handler)
    if rng.random() < 0.01:
        ev("withdrawn", clock.moment(clock.add_wd(accept_day, 1), at), reason="申请人主动撤回申请")
        return evs
    at = ev("accepted", clock.moment(accept_day, at), handler=handler)

    c_value, c_unit = item.committed
    s_value, s_unit = item.statutory
    if c_value == 0:  # instant: done on the spot
        done_day = accept_day
    elif rng.random() < share:
        span = max(0, int(round(c_value * rng.uniform(0.3, 1.0)))) if c_unit == "wd" else None
        done_day = clock.add_wd(accept_day, span) if span is not None else clock.in_units(accept_day, c_value, c_unit)
    else:  # late: mostly past the committed limit only, a tail past the statutory one too
        limit_day = clock.in_units(accept_day, c_value, c_unit)
        statutory_day = clock.in_units(accept_day, s_value, s_unit)
        if rng.random() < 0.25:
            done_day = clock.add_wd(statutory_day, rng.randrange(2, 8))
        else:
            done_day = clock.add_wd(limit_day, rng.randrange(2, 6))
            if done_day > statutory_day and rng.random() < 0.5:
                done_day = statutory_day
    if item.special and c_value and rng.random() < 0.06:  # special procedure with granted days
        name, granted = SPECIAL_PROCEDURES[rng.choice(item.special)]
        s_day = clock.add_wd(accept_day, 1)
        at = ev("suspended", clock.moment(s_day, at), reason=f"{name}（依行政许可法第四十五条）", granted_days=granted)
        r_day = clock.add_wd(s_day, rng.randrange(max(1, granted - 3), granted + 1))
        at = ev("resumed", clock.moment(r_day, at))
        done_day = clock.add_wd(done_day, (r_day - s_day).days * 5 // 7 + 1)
    for step in item.steps:  # the intermediate steps, spread over the handling time
        step_day = accept_day if done_day <= accept_day else min(done_day, clock.add_wd(accept_day, rng.randrange(0, 3)))
        at = ev("step_completed", clock.moment(step_day, at), step=step, handler=handler)
    if item.fees and rng.random() < 0.9:
        fee_name, amount = rng.choice(item.fees)
        if rng.random() < 0.01:  # irregular: more than the published standard, or an unpublished item
            if rng.random() < 0.5:
                amount = f"{float(amount) * 1.5 + 10:.2f}"
            else:
                fee_name, amount = "工本费（未公示）", "20.00"
        at = ev("fee_charged", clock.moment(done_day, at), fee_item=fee_name, amount=amount)
    if rng.random() < 0.015:
        ev("denied", clock.moment(done_day, at), reason=rng.choice(DENIAL_REASONS), handler=handler)
        return evs
    at = ev("completed", clock.moment(done_day, at), handler=handler)
    if done_day == accept_day and c_value == 0:  # instant: the certificate is handed over on the spot
        ev("delivered", clock.soon(at, 2, 20))
    else:  # a few certificates are delivered late (more than 3 wd after completion): a rule flags them
        late = rng.random() < 0.04
        ev("delivered", clock.moment(clock.add_wd(done_day, rng.randrange(4, 9) if late else rng.randrange(0, 3)), at))
    return evs


def ingest(events: list[dict], *, now: dt.datetime, progress: Callable[[int], None] | None = None) -> int:
    """Feed events through `case_events_ingest` in batches that hold whole cases, so each case is folded
    once; returns the number of events stored. (Replaying day by day would show each day's state to a
    tick, but folds every case once per day it has events: twenty times the work for the demo.)"""
    from xiaoneng.cases.ingest import MAX_BATCH, case_events_ingest
    from xiaoneng.cases.models import Channel

    per_case: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        per_case[e["case_no"]].append({k: v for k, v in e.items() if k != "_at"})
    stored, batch = 0, []

    def flush():
        nonlocal stored, batch
        if batch:
            result = case_events_ingest(events=batch, channel=Channel.IMPORT, now=now, source="demo")
            if result.errors:
                raise RuntimeError(f"demo events refused: {result.errors[:3]}")
            stored += result.accepted
            if progress is not None:
                progress(len(batch))
            batch = []

    for case_events_ in per_case.values():
        if len(batch) + len(case_events_) > MAX_BATCH:
            flush()
        batch.extend(case_events_)
    flush()
    return stored


def seed_cases(*, scale: str, rng: random.Random, now: dt.datetime, months: int = 12,
               progress: Callable[[int], None] | None = None) -> int:
    """Generate and replay `months` months of cases up to `now`. Returns the number of events stored."""
    items = _items()
    if not items:
        return 0
    end = now.astimezone(SHANGHAI).date()
    # The first day of the month `months - 1` months back: 12 months = 11 full ones plus the current one.
    index = end.year * 12 + end.month - 1 - (months - 1)
    start = dt.date(index // 12, index % 12 + 1, 1)
    events = case_events(rng=rng, items=items, start=start, end=end, per_day=PER_DAY[scale], now=now)
    _reserve_numbers(events)
    return ingest(events, now=now, progress=progress)


def _reserve_numbers(events: list[dict]) -> None:
    """Take the demo's case numbers from each department's yearly case-number series, as the window does, so
    that a case registered after the build is numbered on from them (not "-00001" again). On a fresh
    database the series start at 1 and the numbers stay as generated; if a series has numbers already,
    the demo's are moved up past them."""
    from xiaoneng.accounts.models import Department
    from xiaoneng.cases.services import CASE_NO_SERIES, document_number_next

    used: dict[tuple[str, int], int] = defaultdict(int)
    for e in events:
        dept_code, date, serial = e["case_no"].rsplit("-", 2)
        key = (dept_code, int(date[:4]))
        used[key] = max(used[key], int(serial))
    depts = {d.code: d for d in Department.objects.filter(code__in={k[0] for k in used})}
    offset = {}
    for (dept_code, year), count in sorted(used.items()):
        offset[(dept_code, year)] = document_number_next(department=depts[dept_code], kind=CASE_NO_SERIES,
                                                         year=year, count=count) - 1
    if not any(offset.values()):
        return
    renamed: dict[str, str] = {}
    for e in events:
        old = e["case_no"]
        if old not in renamed:
            dept_code, date, serial = old.rsplit("-", 2)
            renamed[old] = f"{dept_code}-{date}-{int(serial) + offset[(dept_code, int(date[:4]))]:05d}"
        e["case_no"] = renamed[old]
        e["event_id"] = renamed[old] + e["event_id"][len(old):]
