"""Fast working-day and working-hour arithmetic over the platform's own calendar.

A WorkCalendar is built once from the tables (CalendarYear, CalendarDay, OfficeHours) into flat arrays
indexed by day number (date ordinal minus the ordinal of 1 January of the first loaded year):

- `_work[i]`   1 when day i is a working day;
- `_cum[i]`    number of working days in days 0..i (inclusive);
- `_widx[k]`   day index of the (k+1)-th working day;
- `_miss[i]`   number of days in 0..i that belong to a year that is not loaded (gaps between loaded years);
- `_prov[i]`   number of days in 0..i that belong to a provisional year;
- `_dates[i]`, `_closes[i]`  the date and its close of office hours, ready-made.

With them every question is a handful of list look-ups, O(1) whatever the span: a supervision engine that
evaluates millions of clocks never touches the database and never loops over days. Only the explanatory
parts of a Deadline (the list of skipped days and the Chinese text) cost time proportional to the span,
and they are computed lazily, on first access.

Conventions (the law counts days after the day of acceptance, 行政许可法 §82 and practice):
- add_working_days(start, n): the day of `start` is day 0; n ≥ 1 gives the n-th working day after it;
  n = 0 rolls forward to the first working day on or after start; n < 0 gives the |n|-th working day
  strictly before start.
- working_days_between(a, b): working days in (a, b], so between(s, add(s, n).date) == n for n ≥ 1.
- working hours run on the office hours; a working day holds `day_seconds` of working time. Adding hours
  that end exactly at the close of a period gives that close (17:30), not the next opening (09:00).
- a clock (WorkCalendar.deadline) that starts outside office hours or on a non-working day starts at the
  next opening (DOMAIN.md §4), whatever its unit: after the close or on a day off, day 0 is the next working
  day, so an instant case (0 wd) accepted at 18:49 is due at the close of the next working day, never at
  the close of a day its clock had not yet run in. Before the opening or in the lunch break the clock starts
  at that day's next opening (day 0 stays that day). The close itself (17:30:00) still belongs to the day:
  a deadline is at a close, and a limit counted on from a deadline (a threshold "1 wd after the deadline")
  must count from that day. `clock_start` gives the moment.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiaoneng.core.errors import DomainError

UNITS = ("wd", "d", "wh")
# Kept in Chinese (the stored and default form); texts for readers go through gettext at render time:
# unit_labels(), _fmt_date(), group_skipped(), WorkCalendar.explain(), CalendarYearMissing.
UNIT_LABELS = {"wd": gettext_noop("个工作日"), "d": gettext_noop("个自然日"), "wh": gettext_noop("个工作小时")}
WEEKDAY_NAMES = (gettext_noop("星期一"), gettext_noop("星期二"), gettext_noop("星期三"), gettext_noop("星期四"),
                 gettext_noop("星期五"), gettext_noop("星期六"), gettext_noop("星期日"))
# Names of the statutory holidays as the calendar stores them (seeded from `holidays`, zh_CN): translated
# when shown; a name an administrator typed in is shown as typed.
HOLIDAY_NAMES = (gettext_noop("元旦"), gettext_noop("春节"), gettext_noop("农历除夕"), gettext_noop("清明节"),
                 gettext_noop("劳动节"), gettext_noop("端午节"), gettext_noop("中秋节"), gettext_noop("国庆节"))


def unit_labels() -> dict[str, str]:
    """UNIT_LABELS in the reader's language."""
    return {k: _(v) for k, v in UNIT_LABELS.items()}
DEFAULT_PERIODS = [(dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17, 30))]
_US = 1_000_000  # working time is kept in integer microseconds: exact, no float drift over long spans


class CalendarYearMissing(DomainError):
    """A clock needs a year that has not been loaded into the calendar. Never guessed: fix the data."""

    def __init__(self, year: int, *, field: str | None = None):
        self.year = year
        super().__init__(
            # Read by department staff and API integrators: office words, no server commands or paths (those are
            # in docs/operations.md for whoever runs the server).
            _("%(year)s 年的工作日历尚未载入，无法计算工作日。请系统管理员在“工作日历”页面导入 %(year)s 年"
              "国务院办公厅公布的放假安排。") % {"year": year},
            field=field,
            code="calendar_year_missing",
        )


class WorkdayResult(NamedTuple):
    date: dt.date
    provisional: bool


class CountResult(NamedTuple):
    working_days: int
    provisional: bool


class HoursResult(NamedTuple):
    hours: float
    provisional: bool


class DatetimeResult(NamedTuple):
    at: dt.datetime
    provisional: bool


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one date (for pages and the API)."""

    date: dt.date
    working: bool
    kind: str  # "holiday", "workday" (make-up), "weekend" or "weekday"
    name: str
    provisional: bool

    @property
    def reason(self) -> str:
        return self.name or WEEKDAY_NAMES[self.date.weekday()]


class Deadline:
    """A computed time limit: when it falls due, whether it rests on a provisional year, and — computed
    only when asked, since the engine rarely needs them — which non-working days were skipped and a
    Chinese explanation a case page can show."""

    __slots__ = ("at", "provisional", "start", "value", "unit", "_cal", "_skipped", "_clock_start")

    def __init__(self, at: dt.datetime, provisional: bool, start: dt.datetime, value: int, unit: str, cal,
                 clock_start: dt.datetime | None = None):
        self.at = at
        self.provisional = provisional
        self.start = start  # the moment given (acceptance, receipt …)
        self._clock_start = clock_start
        self.value = value
        self.unit = unit
        self._cal = cal
        self._skipped: list[tuple[dt.date, str]] | None = None

    def __repr__(self) -> str:
        return f"Deadline(at={self.at.isoformat()}, provisional={self.provisional})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Deadline) and (self.at, self.provisional) == (other.at, other.provisional)

    __hash__ = None  # mutable cache inside; compare by value only

    @property
    def clock_start(self) -> dt.datetime:
        """The moment the clock really started: `start`, or the next opening when `start` was outside office
        hours or on a day off (WorkCalendar.clock_start). Computed when asked: the engine needs `at` only."""
        if self._clock_start is None:
            self._clock_start = self._cal.clock_start(self.start)
        return self._clock_start

    @property
    def start_date(self) -> dt.date:
        """Day 0: the local date the clock really started on."""
        return self.clock_start.astimezone(self._cal.tz).date()

    @property
    def moved(self) -> bool:
        """Whether the clock started later than the moment given (outside office hours or on a day off)."""
        return self.clock_start != self.start

    @property
    def due_date(self) -> dt.date:
        return self.at.astimezone(self._cal.tz).date()

    @property
    def rolled_from(self) -> dt.date | None:
        """For natural days: the day the limit reached when it was not a working day (then rolled forward)."""
        if self.unit != "d":
            return None
        due = self.start_date + dt.timedelta(days=self.value)
        return due if due != self.due_date else None

    @property
    def skipped(self) -> list[tuple[dt.date, str]]:
        """Non-working days skipped between the start and the due day: (date, reason name)."""
        if self._skipped is None:
            if self.unit == "d":  # natural days count every day: only a roll forward at the end skips any
                lo = self.start_date + dt.timedelta(days=self.value)
            else:  # from the day given: a clock moved off a weekend or holiday skipped those days too
                lo = self.start.astimezone(self._cal.tz).date()
            self._skipped = self._cal.non_working_days(lo, self.due_date)
        return self._skipped

    @property
    def explanation(self) -> str:
        return self._cal.explain(self)


def _day(d: dt.date) -> str:
    return _("%(m)s月%(d)s日") % {"m": d.month, "d": d.day}


def _reason(name: str) -> str:
    # "国庆节（补假）" style names: translate the festival, keep the rest as stored.
    base, sep, rest = name.partition("（")
    return _(base) + sep + rest if sep else _(name)


def group_skipped(skipped: list[tuple[dt.date, str]]) -> list[str]:
    """'国庆节 10月1日—10月7日' style runs of consecutive days with the same reason (reader's language)."""
    runs: list[list] = []
    for d, reason in skipped:
        key = "周末" if reason in ("星期六", "星期日") else reason
        if runs and runs[-1][2] == key and (d - runs[-1][1]).days == 1:
            runs[-1][1] = d
        else:
            runs.append([d, d, key])
    out = []
    for a, b, key in runs:
        span = _day(a) if a == b else _("%(a)s—%(b)s") % {"a": _day(a), "b": _day(b)}
        out.append(f"{_('周末') if key == '周末' else _reason(key)} {span}")
    return out


_group_skipped = group_skipped  # the name other modules imported before it was public


def _fmt_date(d: dt.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日（%(weekday)s）") % {"y": d.year, "m": d.month, "d": d.day,
                                                       "weekday": _(WEEKDAY_NAMES[d.weekday()])}


class WorkCalendar:
    """An immutable, query-free view of the calendar. Build with `WorkCalendar.build(...)` or
    `get_calendar()`; every method is pure computation on in-memory arrays."""

    def __init__(
        self,
        *,
        years: dict[int, bool],
        days: Iterable[tuple[dt.date, str, str]],
        periods: list[tuple[dt.time, dt.time]] | None = None,
        tz: str = "Asia/Shanghai",
        revision: int = 0,
    ):
        """years: {year: provisional}; days: (date, kind, name) exceptions; periods: office hours."""
        self.revision = revision
        self.years = dict(sorted(years.items()))
        self.tz = ZoneInfo(tz)
        self.periods = list(periods or DEFAULT_PERIODS)
        # Periods as microseconds since local midnight.
        self._pus = [(_time_us(a), _time_us(b)) for a, b in self.periods]
        self.day_us = sum(b - a for a, b in self._pus)
        self.close_time = self.periods[-1][1]
        self.open_time = self.periods[0][0]
        self._names: dict[int, str] = {}
        self._kinds: dict[int, str] = {}

        if not self.years:
            self.first_year = self.last_year = None
            self._base = 0
            self._size = 0
            self._work = bytearray()
            self._cum = array("i")
            self._widx = array("i")
            self._miss = array("i")
            self._prov = array("i")
            self._off: list[int] = []
            return

        self.first_year = min(self.years)
        self.last_year = max(self.years)
        first = dt.date(self.first_year, 1, 1)
        last = dt.date(self.last_year, 12, 31)
        self._base = base = first.toordinal()
        self._size = size = last.toordinal() - base + 1

        # Ordinary week first (date.weekday() of ordinal o is (o - 1) % 7 with Monday = 0).
        work = bytearray(1 if (o - 1) % 7 < 5 else 0 for o in range(base, base + size))
        for d, kind, name in days:
            i = d.toordinal() - base
            if not 0 <= i < size:
                continue
            work[i] = 1 if kind == "workday" else 0
            self._kinds[i] = kind
            if name:
                self._names[i] = name
        miss_flags = bytearray(size)
        prov_flags = bytearray(size)
        for y in range(self.first_year, self.last_year + 1):
            lo = dt.date(y, 1, 1).toordinal() - base
            hi = dt.date(y, 12, 31).toordinal() - base + 1
            if y not in self.years:
                miss_flags[lo:hi] = b"\x01" * (hi - lo)
                work[lo:hi] = bytes(hi - lo)  # a missing year contributes no working days
            elif self.years[y]:
                prov_flags[lo:hi] = b"\x01" * (hi - lo)

        cum = array("i", bytes(4 * size))
        miss = array("i", bytes(4 * size))
        prov = array("i", bytes(4 * size))
        widx = array("i")
        off = []
        c = m = p = 0
        for i in range(size):
            if work[i]:
                c += 1
                widx.append(i)
            elif not miss_flags[i]:
                off.append(i)
            m += miss_flags[i]
            p += prov_flags[i]
            cum[i] = c
            miss[i] = m
            prov[i] = p
        self._work, self._cum, self._widx, self._miss, self._prov, self._off = work, cum, widx, miss, prov, off
        self._missing = miss_flags
        self._nwork = len(widx)
        # Ready-made objects for every day: a list look-up is several times cheaper than constructing them.
        self._dates = [dt.date.fromordinal(base + i) for i in range(size)]
        self._closes = [dt.datetime.combine(d, self.close_time, tzinfo=self.tz) for d in self._dates]
        self._midnights = [dt.datetime.combine(d, dt.time(0), tzinfo=self.tz) for d in self._dates]
        self._name_breaks(off)

    def _name_breaks(self, off: list[int]) -> None:
        # Official notices name whole breaks ("10月1日至7日放假"): a weekend inside or next to a holiday
        # run takes the holiday's name, so explanations say "国庆节 10月1日—10月7日", not "星期日".
        names = self._names
        run: list[int] = []
        for i in [*off, -10]:
            if run and i != run[-1] + 1:
                named = [j for j in run if j in names]
                if named and len(named) < len(run):
                    for j in run:
                        if j not in names:
                            names[j] = names[min(named, key=lambda k, j=j: abs(k - j))]
                run = []
            run.append(i)

    # ----------------------------------------------------------------------------------------- helpers
    @classmethod
    def build(cls, *, revision: int | None = None) -> WorkCalendar:
        """Read the tables (three small queries) and build the arrays."""
        from xiaoneng.workdays.models import CalendarDay, CalendarYear
        from xiaoneng.workdays.selectors import calendar_revision_get, office_hours_get

        rev = calendar_revision_get() if revision is None else revision
        years = {y: s == CalendarYear.Status.PROVISIONAL for y, s in CalendarYear.objects.values_list("year", "status")}
        days = list(CalendarDay.objects.values_list("date", "kind", "name"))
        hours = office_hours_get()
        return cls(years=years, days=days, periods=hours.periods, tz=hours.timezone, revision=rev)

    def _index(self, d: dt.date, field: str | None) -> int:
        i = d.toordinal() - self._base
        if not 0 <= i < self._size or self._missing[i]:
            raise CalendarYearMissing(d.year, field=field)
        return i

    def _target(self, s: int, n: int, field: str) -> int:
        """Day index of the n-th working day from day index s (conventions in the module docstring)."""
        if n > 0:
            k = self._cum[s] + n - 1  # 0-based number of the target working day
        elif n == 0:
            if self._work[s]:
                return s
            k = self._cum[s]
        else:
            k = self._cum[s] - self._work[s] + n
        if k < 0:
            raise self._out_of_range(False, field)
        if k >= self._nwork:
            raise self._out_of_range(True, field)
        t = self._widx[k]
        lo, hi = (s, t) if t >= s else (t, s)
        if self._miss[hi] != (self._miss[lo - 1] if lo else 0):
            raise CalendarYearMissing(self._missing_between(lo, hi), field=field)
        return t

    def _missing_between(self, lo: int, hi: int) -> int | None:
        """The first missing year among days lo..hi (indices, lo ≤ hi), or None."""
        before = self._miss[lo - 1] if lo > 0 else 0
        if self._miss[hi] == before:
            return None
        for y in range(self._year_of(lo), self._year_of(hi) + 1):
            if y not in self.years:
                return y
        return None  # pragma: no cover - the counters say there is one

    def _year_of(self, i: int) -> int:
        return dt.date.fromordinal(i + self._base).year

    def _prov_between(self, lo: int, hi: int) -> bool:
        return self._prov[hi] != (self._prov[lo - 1] if lo > 0 else 0)

    def _out_of_range(self, forward: bool, field: str | None):
        year = (self.last_year + 1) if forward else (self.first_year - 1)
        if not self.years:
            year = dt.date.today().year
        return CalendarYearMissing(year, field=field)

    def covers(self, d: dt.date) -> bool:
        i = d.toordinal() - self._base
        return 0 <= i < self._size and not self._missing[i]

    # ----------------------------------------------------------------------------------------- days
    def is_working_day(self, d: dt.date) -> bool:
        return bool(self._work[self._index(d, "date")])

    def day_info(self, d: dt.date) -> DayInfo:
        i = self._index(d, "date")
        kind = self._kinds.get(i) or ("weekend" if d.weekday() >= 5 else "weekday")
        return DayInfo(
            date=d, working=bool(self._work[i]), kind=kind, name=self._names.get(i, ""),
            provisional=self._prov_between(i, i),
        )

    def add_working_days(self, start: dt.date, n: int) -> WorkdayResult:
        s = self._index(start, "start")
        t = self._target(s, n, "days")
        lo, hi = (s, t) if t >= s else (t, s)
        return WorkdayResult(self._dates[t], self._prov[hi] != (self._prov[lo - 1] if lo else 0))

    def add_working_days_many(self, starts: list[dt.date], ns: list[int]) -> list[dt.date]:
        """`[add_working_days(s, n).date for s, n in zip(starts, ns)]`, for a batch (the supervision engine
        and recomputations ask millions at once): the same answers and the same errors, without the
        provisional flags (ask `add_working_days` for those).

        Fast path, one list comprehension over the arrays: every n ≥ 1 and every start inside a loaded
        span without missing years (then nothing between a start and its target can be missing). Anything
        else — n ≤ 0, a start or a target outside the loaded years, a gap year — takes the single calls,
        which raise CalendarYearMissing exactly as they would one by one."""
        if len(starts) != len(ns):
            raise ValueError("starts and ns must have the same length")
        if not starts:
            return []
        if self.years and self._miss[-1] == 0 and min(ns) >= 1:
            first = self._dates[0]
            last = self._dates[-1]
            if first <= min(starts) and max(starts) <= last:
                base, cum, widx, dates = self._base, self._cum, self._widx, self._dates
                try:
                    return [dates[widx[cum[d.toordinal() - base] + n - 1]] for d, n in zip(starts, ns, strict=True)]
                except IndexError:  # a target past the last loaded working day: the single call says which year
                    pass
        return [self.add_working_days(s, n).date for s, n in zip(starts, ns, strict=True)]

    def working_days_between(self, a: dt.date, b: dt.date) -> CountResult:
        if b < a:
            raise DomainError("结束日期不能早于开始日期。", field="end", code="end_before_start")
        i = self._index(a, "start")
        j = self._index(b, "end")
        missing = self._missing_between(i, j)
        if missing is not None:
            raise CalendarYearMissing(missing, field="end")
        return CountResult(self._cum[j] - self._cum[i], self._prov_between(i, j))

    def non_working_days(self, a: dt.date, b: dt.date) -> list[tuple[dt.date, str]]:
        """Non-working days in [a, b) with the reason (holiday name, or the weekday name)."""
        lo = a.toordinal() - self._base
        hi = b.toordinal() - self._base
        off = self._off
        out = []
        for i in off[bisect.bisect_left(off, lo) : bisect.bisect_left(off, hi)]:
            d = self._dates[i]
            out.append((d, self._names.get(i) or WEEKDAY_NAMES[d.weekday()]))
        return out

    # ----------------------------------------------------------------------------------------- hours
    def _local(self, when: dt.datetime, field: str) -> dt.datetime:
        if when.tzinfo is None or when.utcoffset() is None:
            raise DomainError("时间必须带时区（例如 2026-10-09T09:00:00+08:00）。", field=field, code="naive_datetime")
        return when.astimezone(self.tz)

    def _in_day_us(self, tod_us: int) -> int:
        """Working microseconds elapsed in a working day at local time-of-day `tod_us`."""
        total = 0
        for a, b in self._pus:
            if tod_us <= a:
                break
            total += (b if tod_us >= b else tod_us) - a
        return total

    def _position(self, local: dt.datetime, field: str) -> tuple[int, int]:
        """(day index, working microseconds since the calendar's origin) of a local datetime."""
        i = self._index(local.date(), field)
        if self._work[i]:
            tod = (local.hour * 3600 + local.minute * 60 + local.second) * _US + local.microsecond
            return i, (self._cum[i] - 1) * self.day_us + self._in_day_us(tod)
        return i, self._cum[i] * self.day_us

    def _tod_earliest(self, rem: int) -> int:
        # 0 < rem ≤ day_us: the first instant the day's working time reaches rem (12:00 rather than 13:30).
        for a, b in self._pus:
            if rem <= b - a:
                return a + rem
            rem -= b - a
        return self._pus[-1][1]  # pragma: no cover

    def _tod_latest(self, rem: int) -> int:
        # 0 ≤ rem < day_us: the last instant the day's working time equals rem (13:30 rather than 12:00).
        for a, b in self._pus:
            if rem < b - a:
                return a + rem
            rem -= b - a
        return self._pus[-1][1]  # pragma: no cover

    def add_working_hours(self, start: dt.datetime, hours: float) -> DatetimeResult:
        """The moment `hours` working hours after `start` (before it when negative), in office hours."""
        local = self._local(start, "start")
        s, pos = self._position(local, "start")
        delta = round(hours * 3600 * _US)
        if delta == 0:
            return DatetimeResult(start, self._prov_between(s, s))
        target = pos + delta
        if target < 0:
            raise self._out_of_range(False, "hours")
        k, rem = divmod(target, self.day_us)
        if delta > 0:
            if rem == 0:
                k, rem = k - 1, self.day_us  # end of the previous working day, not the next morning
            if k >= self._nwork:
                raise self._out_of_range(True, "hours")
            t = self._widx[k]
            at = self._midnights[t] + dt.timedelta(microseconds=self._tod_earliest(rem))
            lo, hi = s, t
        else:
            t = self._widx[k]
            at = self._midnights[t] + dt.timedelta(microseconds=self._tod_latest(rem))
            lo, hi = t, s
        if self._miss[hi] != (self._miss[lo - 1] if lo else 0):
            raise CalendarYearMissing(self._missing_between(lo, hi), field="hours")
        return DatetimeResult(at, self._prov[hi] != (self._prov[lo - 1] if lo else 0))

    def working_hours_between(self, a: dt.datetime, b: dt.datetime) -> HoursResult:
        """Working hours from a to b (negative when b is before a)."""
        la, lb = self._local(a, "start"), self._local(b, "end")
        i, pa = self._position(la, "start")
        j, pb = self._position(lb, "end")
        lo, hi = (i, j) if i <= j else (j, i)
        missing = self._missing_between(lo, hi)
        if missing is not None:
            raise CalendarYearMissing(missing, field="end")
        return HoursResult((pb - pa) / (3600 * _US), self._prov_between(lo, hi))

    def close_of(self, d: dt.date) -> dt.datetime:
        """End of office hours on date d (local time zone), the moment a day-counted limit falls due."""
        return dt.datetime.combine(d, self.close_time, tzinfo=self.tz)

    def _day0(self, local: dt.datetime, field: str) -> tuple[int, int]:
        """(index of the local date of a clock's start, index of its day 0). Day 0 is the start's own date when
        that is a working day and the start is not after its close; otherwise the next working day (a clock
        started after the close or on a day off starts at the next working day's opening, DOMAIN.md §4)."""
        i = self._index(local.date(), field)
        if self._work[i] and local.time() <= self.close_time:
            return i, i
        k = self._cum[i]  # 0-based number of the first working day after day i
        if k >= self._nwork:
            raise self._out_of_range(True, field)
        t = self._widx[k]
        if self._miss[t] != self._miss[i]:  # days between the two belong to a year that is not loaded
            raise CalendarYearMissing(self._missing_between(i, t), field=field)
        return i, t

    def clock_start(self, start: dt.datetime) -> dt.datetime:
        """The moment a clock that starts at `start` really starts (DOMAIN.md §4): `start` itself within office
        hours of a working day (the close included: 17:30:00 still belongs to the day); the day's next opening
        before the opening or in a break (09:00, 13:30); the next working day's opening after the close or on
        a day off. O(1), like the rest."""
        local = self._local(start, "start")
        i, t = self._day0(local, "start")
        if t != i:
            return self._midnights[t] + dt.timedelta(microseconds=self._pus[0][0])
        tod = (local.hour * 3600 + local.minute * 60 + local.second) * _US + local.microsecond
        for a, b in self._pus:
            if tod < a:
                return self._midnights[t] + dt.timedelta(microseconds=a)
            if tod <= b:
                return start
        return start  # pragma: no cover - tod ≤ close was checked by _day0

    # ----------------------------------------------------------------------------------------- deadlines
    def deadline(self, start: dt.datetime, value: int, unit: str) -> Deadline:
        """When a limit of `value` `unit`s that started at `start` falls due.

        The clock starts at `clock_start(start)`: a start after the close or on a day off counts from the next
        working day's opening, whatever the unit (DOMAIN.md §4; see the module docstring).
        - "wd": day 0 is the day the clock starts; due at the close of office hours of the value-th working
          day after it (value 0: the close of day 0 itself — 即办件).
        - "d": natural days counted from day 0; due at the close of office hours of day 0 + value days,
          rolled forward to the next working day when that day is not one.
        - "wh": working hours within office hours (add_working_hours from the clock's start).
        """
        if start.tzinfo is None or start.utcoffset() is None:
            raise DomainError("时间必须带时区（例如 2026-10-09T09:00:00+08:00）。", field="start", code="naive_datetime")
        if value.__class__ is not int or value < 0:
            raise DomainError("时限必须是非负整数。", field="value", code="invalid_limit")
        if unit == "wd":
            i, s = self._day0(start.astimezone(self.tz), "start")
            t = self._target(s, value, "value")
        elif unit == "d":
            i, s = self._day0(start.astimezone(self.tz), "start")
            due = s + value
            if due >= self._size:
                raise self._out_of_range(True, "value")
            if self._missing[due]:
                raise CalendarYearMissing(self._dates[due].year, field="value")
            t = self._target(due, 0, "value")
            if self._miss[t] != (self._miss[s - 1] if s else 0):
                raise CalendarYearMissing(self._missing_between(s, t), field="value")
        elif unit == "wh":
            begun = self.clock_start(start)
            r = self.add_working_hours(begun, value)
            return Deadline(r.at, r.provisional, start, value, unit, self, begun)
        else:
            raise DomainError(f"时限单位“{unit}”无效，应为 wd（工作日）、d（自然日）或 wh（工作小时）。", field="unit",
                              code="invalid_unit")
        # Provisional when any day from the day given to the due day is (the same span as the database
        # recompute, cases/recompute.py, reads).
        prov = self._prov[t] != (self._prov[i - 1] if i else 0)
        return Deadline(self._closes[t], prov, start, value, unit, self)

    def explain(self, dl: Deadline) -> str:
        given_local = dl.start.astimezone(self.tz)
        start_local = dl.clock_start.astimezone(self.tz)
        at_local = dl.at.astimezone(self.tz)
        parts = []
        start_text = _fmt_date(start_local.date())
        day_moved = start_local.date() != given_local.date()
        moved = day_moved or (dl.unit == "wh" and start_local != given_local)
        if moved:
            # Why the count begins later than the moment given (DOMAIN.md §4), and from when: one clause.
            moved_text = (_("%(given)s 不在办公时间内（办公时间为工作日 %(hours)s），顺延至 %(start)s 开始办公时起算")
                          % {"given": f"{_fmt_date(given_local.date())} {given_local:%H:%M}",
                             "hours": self.office_hours_text(), "start": f"{start_text} {start_local:%H:%M}"})
            if dl.unit == "wd":
                parts.append(_("%(moved)s（该日为第 0 日，不计入），时限 %(n)s 个工作日")
                             % {"moved": moved_text, "n": dl.value})
            else:
                parts.append(_("%(moved)s，时限 %(n)s %(unit)s")
                             % {"moved": moved_text, "n": dl.value, "unit": _(UNIT_LABELS[dl.unit])})
        elif dl.unit == "wd":
            parts.append(_("自 %(start)s 起算（受理当日为第 0 日，不计入），时限 %(n)s 个工作日")
                         % {"start": start_text, "n": dl.value})
        elif dl.unit == "d":
            parts.append(_("自 %(start)s 起算，时限 %(n)s 个自然日") % {"start": start_text, "n": dl.value})
        else:
            parts.append(_("自 %(start)s 起算，时限 %(n)s 个工作小时（办公时间 %(hours)s）")
                         % {"start": f"{start_local:%Y-%m-%d %H:%M}", "n": dl.value,
                            "hours": self.office_hours_text()})
        rolled = dl.rolled_from
        if rolled is not None:
            parts.append(_("第 %(n)s 日 %(day)s 不是工作日，顺延至下一个工作日")
                         % {"n": dl.value, "day": _fmt_date(rolled)})
        skipped = dl.skipped
        if skipped:
            parts.append(_("期间跳过非工作日 %(n)s 天：%(days)s")
                         % {"n": len(skipped), "days": _("、").join(group_skipped(skipped))})
        due = {"day": _fmt_date(at_local.date()), "time": f"{at_local:%H:%M}"}
        if dl.unit == "wh":
            parts.append(_("期限为 %(day)s %(time)s") % due)
        else:
            parts.append(_("期限为 %(day)s %(time)s（办公时间结束）") % due)
        text = _("；").join(parts) + _("。")
        if dl.provisional:
            text += _("注意：所涉年度的放假安排尚未正式公布，本结果为暂定，公布后可能变化。")
        return text

    def office_hours_text(self) -> str:
        return "、".join(f"{a:%H:%M}—{b:%H:%M}" for a, b in self.periods)


def _time_us(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US + t.microsecond


# --------------------------------------------------------------------------------------------- cache
# Each process keeps one built calendar. Rebuilding costs three small queries and a few milliseconds, so
# the question is only how soon a process notices another process's change. We read the revision counter
# at most once per CHECK_SECONDS (default 1 s, settings.XIAONENG_CALENDAR_CHECK_SECONDS): a per-call check
# would add a query to every clock evaluation, and a per-request hook would need middleware outside this
# app and would still not cover the background worker. A change made in this process invalidates the
# cache at once (services call calendar_invalidate), so only other processes can lag, by ≤ 1 s — far
# below the granularity of any time limit (a working day, at worst a working hour).
_lock = threading.Lock()
_cached: WorkCalendar | None = None
_checked_at = 0.0


def _check_seconds() -> float:
    from django.conf import settings

    return float(getattr(settings, "XIAONENG_CALENDAR_CHECK_SECONDS", 1.0))


def get_calendar() -> WorkCalendar:
    """The current WorkCalendar of this process (built on first use, rebuilt when the revision changes)."""
    global _cached, _checked_at
    cal = _cached
    now = time.monotonic()
    if cal is not None and now - _checked_at < _check_seconds():
        return cal
    from xiaoneng.workdays.selectors import calendar_revision_get

    with _lock:
        rev = calendar_revision_get()
        if _cached is None or _cached.revision != rev:
            _cached = WorkCalendar.build(revision=rev)
        _checked_at = time.monotonic()
        return _cached


def calendar_invalidate() -> None:
    """Forget the cached calendar of this process; the next get_calendar() rebuilds it."""
    global _cached, _checked_at
    with _lock:
        _cached = None
        _checked_at = 0.0
