"""Writes on the working-day calendar. Each service is atomic, checks its inputs (DomainError names the
field, RowErrors the rows of a file) and bumps the calendar revision so every process rebuilds its
WorkCalendar. Administrators (by=None for commands and seeding) are the only writers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.core.errors import DomainError, NotPermitted, RowErrors
from xiaoneng.workdays.calendar import WEEKDAY_NAMES, calendar_invalidate
from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear, OfficeHours

MIN_YEAR, MAX_YEAR = 1950, 2200
NAME_MAX = CalendarDay._meta.get_field("name").max_length
STATUSES = tuple(CalendarYear.Status.values)

# Words accepted in the kind column of a CSV (lower-cased), and in iCal summaries/categories.
KIND_WORDS = {
    "holiday": CalendarDay.Kind.HOLIDAY, "off": CalendarDay.Kind.HOLIDAY, "放假": CalendarDay.Kind.HOLIDAY,
    "休": CalendarDay.Kind.HOLIDAY, "休息": CalendarDay.Kind.HOLIDAY, "假": CalendarDay.Kind.HOLIDAY,
    "节假日": CalendarDay.Kind.HOLIDAY,
    "workday": CalendarDay.Kind.WORKDAY, "work": CalendarDay.Kind.WORKDAY, "上班": CalendarDay.Kind.WORKDAY,
    "班": CalendarDay.Kind.WORKDAY, "补班": CalendarDay.Kind.WORKDAY, "调休上班": CalendarDay.Kind.WORKDAY,
}
HEADER_WORDS = {
    "date": "date", "日期": "date", "kind": "kind", "type": "kind", "类型": "kind", "name": "name", "名称": "name",
    "节日": "name", "说明": "name",
}


@dataclass(frozen=True)
class Entry:
    """One parsed calendar exception, with the row (CSV line / iCal event number) it came from."""

    row: int
    date: dt.date
    kind: str
    name: str


# ------------------------------------------------------------------------------------------- helpers
def _require_admin(by) -> None:
    if by is not None and not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以修改工作日历。")


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise DomainError(f"年度状态“{status}”无效，应为 official（正式）或 provisional（暂定）。", field="status")
    return status


def _bump_revision(now: dt.datetime) -> None:
    """Bump the stored revision and drop this process's cached calendar, now and again after commit.

    Now: later reads in this transaction see the change. After commit: a calendar rebuilt inside the
    transaction by another thread of this process cannot outlive it (it also carries an old revision, so
    the once-a-second check would catch it anyway)."""
    updated = CalendarRevision.objects.filter(pk=1).update(value=F("value") + 1, changed_at=now)
    if not updated:
        CalendarRevision.objects.create(pk=1, value=1, changed_at=now)
    calendar_invalidate()
    transaction.on_commit(calendar_invalidate)


def _day_problem(d: dt.date, kind: str, name: str) -> tuple[str, str] | None:
    """(field, message) when an exception day is inconsistent, else None."""
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        return "date", f"年份 {d.year} 超出范围（{MIN_YEAR}—{MAX_YEAR}）。"
    if kind not in CalendarDay.Kind.values:
        return "kind", f"类型“{kind}”无效，应为 holiday（放假）或 workday（调休上班）。"
    if kind == CalendarDay.Kind.WORKDAY and d.weekday() < 5:
        return "kind", (f"{d:%Y-%m-%d} 是{WEEKDAY_NAMES[d.weekday()]}，本来就是工作日；"
                        "调休上班日只能是星期六或星期日。")
    if len(name) > NAME_MAX:
        return "name", f"名称不能超过 {NAME_MAX} 个字符。"
    return None


def _replace_years(
    entries: list[Entry], *, years: Iterable[int], status: str, origin: str, source: str, by, now: dt.datetime
) -> dict[int, int]:
    """Replace the exception days of each year in `years` by `entries`; returns {year: days stored}."""
    counts: dict[int, int] = {}
    by_year: dict[int, list[Entry]] = {y: [] for y in years}
    for e in entries:
        by_year.setdefault(e.date.year, []).append(e)
    for year, items in sorted(by_year.items()):
        cy, _ = CalendarYear.objects.get_or_create(year=year, defaults={"loaded_at": now})
        cy.status, cy.origin, cy.source, cy.loaded_at, cy.loaded_by = status, origin, source[:300], now, by
        cy.save()
        cy.days.all().delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=e.date, kind=e.kind, name=e.name, year=cy) for e in sorted(items, key=lambda e: e.date)]
        )
        counts[year] = len(items)
    _bump_revision(now)
    return counts


# ------------------------------------------------------------------------------------------- seeding
def _package_year(year: int) -> tuple[list[Entry], bool]:
    """Exception days of `year` from the holidays package, and whether the package's data is official.

    holidays 0.108 carries each year's State Council notice (the substituted days and 调休 make-up working
    days) in ChinaStaticHolidays.special_public_holidays, 2001-2026. For a later year it silently applies
    the statutory festival dates with a generic observed-on-Monday rule and no make-up working days: an
    estimate. So: official ⇔ the year has an entry in that table (which is also where weekend_workdays
    come from)."""
    import holidays
    from holidays.countries.china import ChinaStaticHolidays

    cn = holidays.country_holidays("CN", years=year, language="zh_CN")
    official = year in ChinaStaticHolidays.special_public_holidays
    raw = sorted((d, str(n)) for d, n in cn.items() if d.year == year)
    festival = [(d, _clean_package_name(n)) for d, n in raw if not n.startswith("休息日")]
    entries = []
    for d, n in raw:
        if n.startswith("休息日") and festival:
            # "休息日（由 2026-09-20 调休）": a substituted day belongs to the nearest festival.
            name = min(festival, key=lambda f: abs((f[0] - d).days))[1]
        else:
            name = _clean_package_name(n)
        entries.append(Entry(0, d, CalendarDay.Kind.HOLIDAY, name[:NAME_MAX]))
    for d in sorted(w for w in cn.weekend_workdays if w.year == year):
        name = min(festival, key=lambda f: abs((f[0] - d).days))[1] + "调休上班" if festival else "调休上班"
        entries.append(Entry(0, d, CalendarDay.Kind.WORKDAY, name[:NAME_MAX]))
    return entries, official


def _clean_package_name(name: str) -> str:
    # "国庆节（补假）", "春节（推定）" → the festival; "中秋节; 国庆节" → "中秋节、国庆节".
    parts = [re.sub(r"（.*?）", "", p).strip() for p in name.split(";")]
    out: list[str] = []
    for p in parts:
        if p and p not in out:
            out.append(p)
    return "、".join(out)


# What the calendar pages say about a year loaded from the built-in data (the `holidays` package): in the
# office's words, not the package's name and function (issue 10 §4). Stored in CalendarYear.source.
PACKAGE_SOURCE_OFFICIAL = "按国务院办公厅公布的放假安排自动载入"
PACKAGE_SOURCE_PROVISIONAL = "按法定节假日推算的暂定安排（国务院办公厅尚未公布，公布后请导入）"


@transaction.atomic
def calendar_seed_from_package(*, years: Iterable[int], now: dt.datetime | None = None) -> dict[int, str]:
    """Load `years` from the `holidays` package (China): statutory holidays and 调休 make-up working days.

    Years the package has from an official notice are stored `official`, later years `provisional`.
    Idempotent: a year already seeded with the same data is left alone (no revision bump), and a year an
    administrator imported or edited is never touched. Returns {year: "created" | "updated" | "unchanged"
    | "kept"}."""
    now = now or timezone.now()
    result: dict[int, str] = {}
    changed = False
    for year in sorted(set(years)):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise DomainError(f"年份 {year} 超出范围（{MIN_YEAR}—{MAX_YEAR}）。", field="years")
        entries, official = _package_year(year)
        status = CalendarYear.Status.OFFICIAL if official else CalendarYear.Status.PROVISIONAL
        source = PACKAGE_SOURCE_OFFICIAL if official else PACKAGE_SOURCE_PROVISIONAL
        existing = CalendarYear.objects.filter(year=year).first()
        if existing is not None and existing.origin != CalendarYear.Origin.PACKAGE:
            result[year] = "kept"
            continue
        if existing is not None:
            stored = set(existing.days.values_list("date", "kind", "name"))
            wanted = {(e.date, e.kind, e.name) for e in entries}
            if stored == wanted and existing.status == status and existing.source == source:
                result[year] = "unchanged"
                continue
        with transaction.atomic():
            cy, created = CalendarYear.objects.get_or_create(year=year, defaults={"loaded_at": now})
            cy.status, cy.origin, cy.source, cy.loaded_at, cy.loaded_by = (
                status, CalendarYear.Origin.PACKAGE, source, now, None
            )
            cy.save()
            cy.days.all().delete()
            CalendarDay.objects.bulk_create([CalendarDay(date=e.date, kind=e.kind, name=e.name, year=cy) for e in entries])
        result[year] = "created" if existing is None else "updated"
        changed = True
    if changed:
        _bump_revision(now)
    return result


def package_official_years() -> list[int]:
    """The years the installed `holidays` package has a State Council notice for (see `_package_year`)."""
    from holidays.countries.china import ChinaStaticHolidays

    return sorted(ChinaStaticHolidays.special_public_holidays)


@transaction.atomic
def calendar_seed_initial(*, now: dt.datetime) -> dict[int, str]:
    """Give a new installation a calendar: every year the package knows officially, and on through next year
    (provisional where the package only estimates), so clocks and the public calculator work from the first
    start. Only when no year is stored at all: an installation that has a calendar, however partial, is an
    administrator's to keep (`seed-calendar` and the import add years on purpose). Returns what
    `calendar_seed_from_package` returns, {} when it did nothing."""
    if CalendarYear.objects.exists():
        return {}
    official = package_official_years()
    next_year = timezone.localdate(now).year + 1
    first = min(official) if official else next_year - 1
    return calendar_seed_from_package(years=range(first, next_year + 1), now=now)


# ------------------------------------------------------------------------------------------- imports
def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on a Chinese Windows saves CSV as GBK; GB18030 is its superset.
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DomainError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV 文件。", field="file") from exc


_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD (also / . or 年月日 separators) or YYYYMMDD; None when not a real date."""
    text = (text or "").strip()
    m = _DATE_RE.match(text)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
    return None


def _parse_kind(text: str) -> str | None:
    return KIND_WORDS.get((text or "").strip().lower())


def _check_entries(entries: list[Entry], errors: list[dict]) -> None:
    seen: dict[dt.date, int] = {}
    for e in entries:
        problem = _day_problem(e.date, e.kind, e.name)
        if problem:
            errors.append({"row": e.row, "field": problem[0], "error": problem[1]})
        if e.date in seen:
            errors.append({"row": e.row, "field": "date",
                           "error": f"日期 {e.date:%Y-%m-%d} 与第 {seen[e.date]} 行重复。"})
        else:
            seen[e.date] = e.row


def _cell(cells: list[str], i: int) -> str:
    return cells[i] if 0 <= i < len(cells) else ""


def parse_calendar_csv(data: bytes | str) -> list[Entry]:
    """Parse a calendar CSV (columns date, kind, name; header optional). Raises RowErrors listing every
    bad row, numbered as the file's lines (a header is line 1)."""
    text = _decode(data)
    rows = list(csv.reader(io.StringIO(text)))
    columns = {"date": 0, "kind": 1, "name": 2}
    errors: list[dict] = []
    entries: list[Entry] = []
    for lineno, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue  # blank lines and comments
        if not entries and not errors and parse_date(cells[0]) is None:
            header = {HEADER_WORDS.get(c.lower()): i for i, c in enumerate(cells) if HEADER_WORDS.get(c.lower())}
            if "date" in header and "kind" in header:
                columns = {"date": header["date"], "kind": header["kind"], "name": header.get("name", -1)}
                continue
        date_text, kind_text, name = (_cell(cells, columns[k]) for k in ("date", "kind", "name"))
        d = parse_date(date_text)
        kind = _parse_kind(kind_text)
        if d is None:
            errors.append({"row": lineno, "field": "date",
                           "error": f"日期“{date_text}”无效，应为 YYYY-MM-DD 格式的真实日期。"})
        if kind is None:
            errors.append({"row": lineno, "field": "kind",
                           "error": f"类型“{kind_text}”无效，应为 放假/休/holiday 或 上班/班/workday。"})
        if d is not None and kind is not None:
            entries.append(Entry(lineno, d, kind, name))
    _check_entries(entries, errors)
    if errors:
        raise RowErrors(sorted(errors, key=lambda e: e["row"]))
    if not entries:
        raise DomainError("文件中没有任何日期记录。", field="file", code="empty")
    return entries


_ICAL_WORK = re.compile(r"(补班|上班|调休上班|[（(【\[]?\s*班\s*[)）】\]]?$)")
_ICAL_OFF = re.compile(r"(放假|休息|假期|[（(【\[]?\s*休\s*[)）】\]]?$)")


def parse_calendar_ical(data: bytes | str) -> list[Entry]:
    """Parse an iCalendar file of all-day events (one event may span several days, DTEND exclusive).

    An event's kind comes from its CATEGORIES when one of them is a known kind word (holiday/workday,
    放假/休/上班/班), otherwise from its SUMMARY: "补班", "上班", or a trailing "班"/"（班）" mark a make-up
    working day; "放假", "休息", "假期", or a trailing "休"/"（休）" a day off ("国庆节 休", "春节（休）",
    "国庆节补班"). The name is the summary without these marks. An event whose kind cannot be told is an
    error, never guessed. Rows in errors are event numbers (1 = first VEVENT)."""
    import icalendar

    raw = data.encode() if isinstance(data, str) else data
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except (ValueError, IndexError, KeyError) as exc:
        raise DomainError(f"无法解析 iCal 文件：{exc}", field="file", code="invalid_ical") from exc
    errors: list[dict] = []
    entries: list[Entry] = []
    events = cal.walk("VEVENT")
    for n, ev in enumerate(events, start=1):
        summary = str(ev.get("SUMMARY", "") or "").strip()
        label = f"事件“{summary}”" if summary else "事件"
        start_prop, end_prop = ev.get("DTSTART"), ev.get("DTEND")
        if start_prop is None:
            errors.append({"row": n, "field": "date", "error": f"{label}缺少 DTSTART。"})
            continue
        start = start_prop.dt
        end = end_prop.dt if end_prop is not None else None
        if isinstance(start, dt.datetime):
            start = start.date()
        if isinstance(end, dt.datetime):
            end = end.date() + dt.timedelta(days=1) if end.time() != dt.time(0) else end.date()
        end = end or start + dt.timedelta(days=1)
        if end <= start:
            errors.append({"row": n, "field": "date", "error": f"{label}的结束日期早于开始日期。"})
            continue
        if (end - start).days > 31:
            errors.append({"row": n, "field": "date", "error": f"{label}跨度超过 31 天，不像放假安排。"})
            continue
        kind = None
        for cat in ev.categories:
            kind = kind or _parse_kind(str(cat))
        name = summary
        if kind is None:
            if _ICAL_WORK.search(summary):
                kind = CalendarDay.Kind.WORKDAY
                name = _ICAL_WORK.sub("", summary)
            elif _ICAL_OFF.search(summary):
                kind = CalendarDay.Kind.HOLIDAY
                name = _ICAL_OFF.sub("", summary)
        if kind is None:
            errors.append({"row": n, "field": "kind",
                           "error": f"{label}无法判断是放假还是上班：请在标题中注明“休”或“班”，或设置 CATEGORIES。"})
            continue
        name = name.strip(" -—:：·")
        d = start
        while d < end:
            entries.append(Entry(n, d, kind, name))
            d += dt.timedelta(days=1)
    _check_entries(entries, errors)
    if errors:
        raise RowErrors(sorted(errors, key=lambda e: e["row"]))
    if not entries:
        raise DomainError("iCal 文件中没有任何全天事件。", field="file", code="empty")
    return entries


def _import(entries: list[Entry], *, status: str, by, now: dt.datetime, source: str) -> dict[int, int]:
    _require_admin(by)
    _check_status(status)
    years = sorted({e.date.year for e in entries})
    return _replace_years(entries, years=years, status=status, origin=CalendarYear.Origin.IMPORT,
                          source=source, by=by, now=now)


@transaction.atomic
def calendar_import_csv(
    *, data: bytes | str, status: str = "official", by=None, now: dt.datetime, filename: str = ""
) -> dict[int, int]:
    """Import a CSV (date, kind, name) and replace every year it covers, atomically.

    kind accepts holiday/放假/休 and workday/上班/班; the header row is optional; UTF-8 (with or without
    BOM) or GBK. Any bad row → RowErrors listing all of them, nothing imported. Returns {year: days}."""
    _require_admin(by)
    entries = parse_calendar_csv(data)
    return _import(entries, status=status, by=by, now=now, source=f"CSV 导入 {filename}".strip())


@transaction.atomic
def calendar_import_ical(
    *, data: bytes | str, status: str = "official", by=None, now: dt.datetime, filename: str = ""
) -> dict[int, int]:
    """Import an iCalendar file (see parse_calendar_ical for what it accepts) and replace the years it
    covers, atomically; bad events → RowErrors, nothing imported. Returns {year: days}."""
    _require_admin(by)
    entries = parse_calendar_ical(data)
    return _import(entries, status=status, by=by, now=now, source=f"iCal 导入 {filename}".strip())


# ------------------------------------------------------------------------------------------- admin edits
def _year_for_edit(year: int) -> CalendarYear:
    cy = CalendarYear.objects.select_for_update().filter(year=year).first()
    if cy is None:
        raise DomainError(f"{year} 年的日历尚未载入：请先导入或新建该年度。", field="date", code="calendar_year_missing")
    return cy


def _touch(cy: CalendarYear, *, by, now: dt.datetime) -> None:
    # An administrator's hand on a year makes it theirs: seeding will not overwrite it any more.
    cy.origin = CalendarYear.Origin.MANUAL
    cy.loaded_at, cy.loaded_by = now, by
    cy.save(update_fields=["origin", "loaded_at", "loaded_by"])


@transaction.atomic
def calendar_year_create(*, year: int, status: str = "provisional", by, now: dt.datetime) -> CalendarYear:
    """Create an empty year (ordinary weeks only) that an administrator then fills in day by day."""
    _require_admin(by)
    _check_status(status)
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(f"年份应在 {MIN_YEAR}—{MAX_YEAR} 之间。", field="year")
    if CalendarYear.objects.filter(year=year).exists():
        raise DomainError(f"{year} 年的日历已存在。", field="year", code="exists")
    cy = CalendarYear.objects.create(year=year, status=status, origin=CalendarYear.Origin.MANUAL,
                                     source="人工新建", loaded_at=now, loaded_by=by)
    _bump_revision(now)
    return cy


@transaction.atomic
def calendar_year_set_status(*, year: int, status: str, by, now: dt.datetime) -> CalendarYear:
    """Mark a year official (the State Council notice is loaded and checked) or provisional."""
    _require_admin(by)
    _check_status(status)
    cy = CalendarYear.objects.select_for_update().filter(year=year).first()
    if cy is None:
        raise DomainError(f"{year} 年的日历尚未载入。", field="year", code="calendar_year_missing")
    if cy.status != status:
        cy.status = status
        cy.save(update_fields=["status"])
        _touch(cy, by=by, now=now)
        _bump_revision(now)
    return cy


@transaction.atomic
def calendar_year_delete(*, year: int, by, now: dt.datetime) -> None:
    """Remove a year and its days: clocks needing it fail with CalendarYearMissing until it is reloaded."""
    _require_admin(by)
    deleted, _ = CalendarYear.objects.filter(year=year).delete()
    if not deleted:
        raise DomainError(f"{year} 年的日历尚未载入。", field="year", code="calendar_year_missing")
    _bump_revision(now)


@transaction.atomic
def calendar_day_set(*, date: dt.date, kind: str, name: str = "", by, now: dt.datetime) -> CalendarDay:
    """Add or change one exception day (a holiday, or a make-up working day on a weekend)."""
    _require_admin(by)
    if not isinstance(date, dt.date):
        raise DomainError("日期无效。", field="date")
    name = (name or "").strip()
    problem = _day_problem(date, kind, name)
    if problem:
        raise DomainError(problem[1], field=problem[0])
    cy = _year_for_edit(date.year)
    day, _ = CalendarDay.objects.update_or_create(date=date, defaults={"kind": kind, "name": name, "year": cy})
    _touch(cy, by=by, now=now)
    _bump_revision(now)
    return day


@transaction.atomic
def calendar_day_delete(*, date: dt.date, by, now: dt.datetime) -> None:
    """Remove an exception day: the date reverts to the ordinary week (weekday working, weekend off)."""
    _require_admin(by)
    cy = _year_for_edit(date.year)
    deleted, _ = CalendarDay.objects.filter(date=date).delete()
    if not deleted:
        raise DomainError(f"{date:%Y-%m-%d} 没有设置放假或调休。", field="date", code="not_found")
    _touch(cy, by=by, now=now)
    _bump_revision(now)


@transaction.atomic
def office_hours_set(
    *, morning_start: dt.time, morning_end: dt.time, afternoon_start: dt.time, afternoon_end: dt.time,
    by, now: dt.datetime,
) -> OfficeHours:
    """Change the office hours; working-hour clocks and the due time of day-counted limits follow."""
    _require_admin(by)
    values = [("morning_start", morning_start), ("morning_end", morning_end),
              ("afternoon_start", afternoon_start), ("afternoon_end", afternoon_end)]
    for field, value in values:
        if not isinstance(value, dt.time):
            raise DomainError("时间格式应为 HH:MM。", field=field)
    if not morning_start < morning_end:
        raise DomainError("上午下班时间必须晚于上午上班时间。", field="morning_end")
    if not morning_end <= afternoon_start:
        raise DomainError("下午上班时间不能早于上午下班时间。", field="afternoon_start")
    if not afternoon_start < afternoon_end:
        raise DomainError("下午下班时间必须晚于下午上班时间。", field="afternoon_end")
    hours, _ = OfficeHours.objects.select_for_update().get_or_create(pk=1)
    for field, value in values:
        setattr(hours, field, value.replace(tzinfo=None))
    hours.updated_at, hours.updated_by = now, by
    hours.save()
    _bump_revision(now)
    return hours
