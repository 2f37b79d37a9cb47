"""Reporting periods (统计周期): the one parser of period codes for figures, rankings and exports.

A code names a calendar month, quarter, half or year of local (Asia/Shanghai) time:

    "2026-07" → 2026年7月        "2026Q4" → 2026年第四季度
    "2026H2"  → 2026年下半年      "2026"   → 2026年

A `Period` is [start, end) as aware local datetimes, so `start <= t < end` says whether a moment falls in it,
and consecutive periods of one kind tile the year (one's `end` is the next one's `start`). Anything else —
"2026Q5", "2026-13", "0000", "99999", "" — is a DomainError naming the field "period", in Chinese. Years 1 to
9999 parse; at the very edges of what a datetime can hold (the first hours of year 1, the last of year 9999 in
UTC) the bounds are clamped so that storing or comparing them never overflows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy

from .errors import DomainError

MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"
KINDS = (MONTH, QUARTER, HALF, YEAR)
# Lazy: translated where shown (the pickers' group labels), in the request's language.
KIND_LABELS = {MONTH: gettext_lazy("月度"), QUARTER: gettext_lazy("季度"), HALF: gettext_lazy("半年"),
               YEAR: gettext_lazy("年度")}
# The period picker's kinds, in the order shown, with how many recent periods of each it offers.
PICKER = ((QUARTER, 8), (MONTH, 12), (HALF, 4), (YEAR, 3))
_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
_RE = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{1,2})|[Qq](?P<q>\d)|[Hh](?P<h>\d))?", re.ASCII)
_MAX_LEN = 16


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# The widest aware datetimes that still convert to UTC (and back) without overflow.
_FLOOR_UTC = dt.datetime.min.replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
_CEIL_UTC = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=1)


def _bad(text: str) -> DomainError:
    return DomainError(f"统计周期“{text[:_MAX_LEN]}”无效：请写作 2026-07（月）、2026Q4（季度）、2026H2（半年）或 2026（年），"
                       "年份为 0001 至 9999。", field="period", code="invalid_period")


def _local(year: int, month: int) -> dt.datetime:
    """Local midnight of the 1st of `month` in `year` (year 10000 → the ceiling), clamped to the edges."""
    tz = _tz()
    if year > 9999:
        return _CEIL_UTC.astimezone(tz)
    at = dt.datetime(year, month, 1, tzinfo=tz)
    try:
        utc = at.astimezone(dt.UTC)
    except OverflowError:  # local midnight of 1 January of the year 1 is still the year 0 in UTC
        return _FLOOR_UTC.astimezone(tz)
    if utc < _FLOOR_UTC:
        return _FLOOR_UTC.astimezone(tz)
    if utc > _CEIL_UTC:
        return _CEIL_UTC.astimezone(tz)
    return at


@dataclass(frozen=True, order=True)
class Period:
    """One month, quarter, half or year. `number`: the month (1-12), quarter (1-4) or half (1-2); 1 for a year."""

    year: int
    kind: str
    number: int = 1

    # ------------------------------------------------------------------ construction
    @classmethod
    def parse(cls, text) -> Period:
        """The period a code names; DomainError(field="period") for anything else (text in Chinese)."""
        if not isinstance(text, str):
            raise _bad(str(text))
        raw = text.strip()
        m = _RE.fullmatch(raw) if len(raw) <= _MAX_LEN else None
        if m is None:
            raise _bad(raw)
        year = int(m["y"])
        if not 1 <= year <= 9999:
            raise _bad(raw)
        if m["m"] is not None:
            kind, number, top = MONTH, int(m["m"]), 12
        elif m["q"] is not None:
            kind, number, top = QUARTER, int(m["q"]), 4
        elif m["h"] is not None:
            kind, number, top = HALF, int(m["h"]), 2
        else:
            kind, number, top = YEAR, 1, 1
        if not 1 <= number <= top:
            raise _bad(raw)
        return cls(year, kind, number)

    @classmethod
    def current(cls, now: dt.datetime, kind: str = QUARTER) -> Period:
        """The period of `kind` that `now` (aware) falls in, in local time."""
        if kind not in KINDS:
            raise DomainError("统计周期类型无效。", field="period", code="invalid_period_kind")
        local = now.astimezone(_tz())
        number = {MONTH: local.month, QUARTER: (local.month - 1) // 3 + 1, HALF: (local.month - 1) // 6 + 1,
                  YEAR: 1}[kind]
        return cls(local.year, kind, number)

    # ------------------------------------------------------------------ what it is
    @property
    def months(self) -> int:
        return {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}[self.kind]

    @property
    def first_month(self) -> int:
        return (self.number - 1) * self.months + 1

    @property
    def code(self) -> str:
        return {MONTH: f"{self.year:04d}-{self.number:02d}", QUARTER: f"{self.year:04d}Q{self.number}",
                HALF: f"{self.year:04d}H{self.number}", YEAR: f"{self.year:04d}"}[self.kind]

    @property
    def label(self) -> str:
        y = f"{self.year}年"
        return {MONTH: f"{y}{self.number}月", QUARTER: f"{y}第{_QUARTER_NAMES.get(self.number, '')}季度",
                HALF: y + ("上半年" if self.number == 1 else "下半年"), YEAR: y}[self.kind]

    @property
    def start(self) -> dt.datetime:
        return _local(self.year, self.first_month)

    @property
    def end(self) -> dt.datetime:
        m = self.first_month + self.months
        return _local(self.year + (m - 1) // 12, (m - 1) % 12 + 1)

    def contains(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end

    def __str__(self) -> str:
        return self.label

    # ------------------------------------------------------------------ neighbours
    def next(self) -> Period:
        """The period of the same kind after this one; DomainError past the year 9999."""
        per_year = 12 // self.months
        if self.number < per_year:
            return Period(self.year, self.kind, self.number + 1)
        if self.year >= 9999:
            raise DomainError("统计周期超出可表示的范围（9999年以后）。", field="period", code="period_out_of_range")
        return Period(self.year + 1, self.kind, 1)

    def previous(self) -> Period:
        """The period of the same kind before this one; DomainError before the year 1."""
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        if self.year <= 1:
            raise DomainError("统计周期超出可表示的范围（公元1年以前）。", field="period", code="period_out_of_range")
        return Period(self.year - 1, self.kind, 12 // self.months)

    def recent(self, n: int) -> list[Period]:
        """This period and the n-1 before it, oldest first (stops at year 1)."""
        out = [self]
        while len(out) < n and (out[-1].year > 1 or out[-1].number > 1):
            out.append(out[-1].previous())
        return out[::-1]


def choices(now: dt.datetime, *, kinds=PICKER) -> list[tuple[str, list[tuple[str, str]]]]:
    """The period picker's options, one group per kind: [(kind label, [(code, label), …])], each group's
    periods newest first, from the one `now` falls in back `n` periods (`kinds`: (kind, n) pairs, in the order
    shown; default: 8 quarters, 12 months, 4 halves, 3 years). The one picker of every page that asks for a
    period (ratings' figures and list, the evaluation's 计算 form): a template renders it as <optgroup>s."""
    out = []
    for kind, n in kinds:
        if kind not in KINDS:
            raise DomainError("统计周期类型无效。", field="period", code="invalid_period_kind")
        recent = Period.current(now, kind).recent(max(int(n), 1))[::-1]
        out.append((KIND_LABELS[kind], [(p.code, p.label) for p in recent]))
    return out


def parse_period(text, *, now: dt.datetime | None = None, default_kind: str = QUARTER) -> Period:
    """A period from a request parameter: empty → the current period of `default_kind` (when `now` is given)."""
    if (text is None or (isinstance(text, str) and not text.strip())) and now is not None:
        return Period.current(now, default_kind)
    return Period.parse(text if text is not None else "")
