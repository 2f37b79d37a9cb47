"""Query parameters shared by every list endpoint and list page: dates, moments and integers within bounds.

Python's dates run from year 1 to 9999, but a date at either end overflows as soon as it is converted to UTC
or moved by a day (`OverflowError`), and an integer beyond 2**63 overflows the database; a client's typo
must not be a 500. Nothing the platform records or computes lies outside MIN_YEAR..MAX_YEAR, so a date
beyond them is refused here, with the parameter named, before any code meets it. UTC offsets beyond the
real-world extremes (UTC−12:00 … UTC+14:00) are refused the same way.

One parser per kind, in three dresses: plain functions raising DomainError (views, Open311), pydantic types
for django-ninja query schemas (`Day`, `Moment`, `Offset`, `Limit`, whose refusals the shared API error
handler words in Chinese), and Django form fields for the filter forms of the pages (`forms.DateField`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from xiaoneng.core.errors import DomainError

MIN_YEAR = 1900
MAX_YEAR = 2200  # the calendar pages accept years up to 2200 (workdays.forms.YearCreateForm)
MIN_DATE = dt.date(MIN_YEAR, 1, 1)
MAX_DATE = dt.date(MAX_YEAR, 12, 31)
MAX_UTC_OFFSET = dt.timedelta(hours=14)
# Rows a client may skip in one list (far beyond any list the platform has), and the largest page size.
MAX_OFFSET = 10_000_000
MAX_LIMIT = 200
MAX_PAGE_NUMBER = 100_000

DATE_FORMAT_MESSAGE = "日期格式应为 YYYY-MM-DD，且必须是真实存在的日期"
MONTH_FORMAT_MESSAGE = "月份格式应为 YYYY-MM"
MOMENT_FORMAT_MESSAGE = "时间格式应为 ISO 8601，例如 2026-10-09T09:00:00+08:00"
RANGE_MESSAGE = f"日期应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间"
OFFSET_MESSAGE = "时区偏移应在 -12:00 至 +14:00 之间"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
# ASCII digits only: \d would take full-width and other scripts' digits, which fromisoformat then refuses
# or, worse, a later layer reads differently.
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.,]+(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?", re.ASCII)


def _refuse(message: str, field: str | None):
    return DomainError(f"{field}: {message}。" if field else f"{message}。", field=field, code="invalid")


def check_date(value: dt.date, *, field: str | None = None) -> dt.date:
    """`value` itself if it lies within MIN_YEAR..MAX_YEAR, else DomainError naming `field`."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise _refuse(RANGE_MESSAGE, field)
    return value


def parse_date(value: str | dt.date | None, *, field: str | None = None) -> dt.date | None:
    """A calendar date written YYYY-MM-DD (nothing else: "20260930" is not a Unix timestamp), within bounds;
    None for an empty value."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value if value is None else check_date(value, field=field)
    text = str(value).strip()
    if not text:
        return None
    if _DATE.fullmatch(text) and text.isascii():
        try:
            return check_date(dt.date.fromisoformat(text), field=field)
        except ValueError:
            pass
    raise _refuse(DATE_FORMAT_MESSAGE, field)


def parse_month(value: str | None, *, field: str | None = None) -> dt.date | None:
    """The first day of a month written YYYY-MM (or a date YYYY-MM-DD, whose month is meant), within bounds;
    None for an empty value."""
    text = (value or "").strip()
    if not text:
        return None
    if _MONTH.fullmatch(text) and text.isascii():
        text += "-01"
    elif not (_DATE.fullmatch(text) and text.isascii()):
        raise _refuse(MONTH_FORMAT_MESSAGE, field)
    return parse_date(text, field=field).replace(day=1)


def check_moment(value: dt.datetime, *, field: str | None = None) -> dt.datetime:
    """`value` itself if its UTC offset is a real one and its date lies within bounds (so that converting it to
    any zone cannot overflow)."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise _refuse(OFFSET_MESSAGE, field)
    check_date(value.date(), field=field)
    return value


def parse_moment(value: str | dt.datetime | None, *, field: str | None = None, end: bool = False,
                 assume_tz: bool = True) -> dt.datetime | None:
    """An ISO 8601 moment ("2026-10-09T09:00:00+08:00"; a bare date means its midnight, or with `end` the
    midnight after it). Without an offset the platform's time zone is meant (unless `assume_tz` is False:
    then it stays naive for the caller to place). None for an empty value."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip()
        if not text:
            return None
        if not _MOMENT.fullmatch(text):
            raise _refuse(MOMENT_FORMAT_MESSAGE, field)
        try:
            if len(text) == 10:
                day = check_date(dt.date.fromisoformat(text), field=field)
                moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
            else:
                moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise _refuse(MOMENT_FORMAT_MESSAGE, field) from None
    check_moment(moment, field=field)
    if moment.tzinfo is None and assume_tz:
        moment = timezone.make_aware(moment)
    return moment


def parse_int(value: str | int | None, *, field: str | None = None, default: int | None = None,
              minimum: int = 0, maximum: int = MAX_OFFSET) -> int | None:
    """A whole number within minimum..maximum (written in ASCII digits), `default` when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,20}", text):
        raise _refuse("应为整数", field)
    number = int(text)
    if not minimum <= number <= maximum:
        raise _refuse(f"应在 {minimum} 至 {maximum} 之间", field)
    return number


# ------------------------------------------------------------------------------------------ pydantic types
def _pydantic(parse, kind: str, **kw):
    def validate(value):
        if value is None:
            return None
        try:
            parsed = parse(value, **kw)
        except DomainError as exc:
            raise PydanticCustomError(kind, exc.message.rstrip("。")) from None
        if parsed is None:  # an empty string: the parameter was given without a value
            raise PydanticCustomError(kind, "不能为空")
        return parsed

    return BeforeValidator(validate)


Day = Annotated[dt.date, _pydantic(parse_date, "date_invalid")]
"""A query date: YYYY-MM-DD within MIN_YEAR..MAX_YEAR."""
Moment = Annotated[dt.datetime, _pydantic(parse_moment, "datetime_invalid", assume_tz=False)]
"""A query moment: ISO 8601, offset within −12:00..+14:00, date within bounds; naive if sent without offset."""
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"跳过的条数（0—{MAX_OFFSET}）")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"每页条数（1—{MAX_LIMIT}）")]


# ------------------------------------------------------------------------------------------- form fields
class DateField(forms.DateField):
    """forms.DateField refusing dates outside MIN_YEAR..MAX_YEAR with a message beside the field."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        message = format_lazy(_("日期应在 {min} 年至 {max} 年之间。"), min=MIN_YEAR, max=MAX_YEAR)
        self.validators += [MinValueValidator(MIN_DATE, message=message), MaxValueValidator(MAX_DATE, message=message)]
