"""Writing the annual disclosure report (政府信息公开工作年度报告): the office's texts and publication.

The tables are computed from the data (disclosure/report.py) whenever they are shown; publication freezes them,
with the texts as they stood, into `AnnualReport.figures`, so the public page, workbook and PDF never move after
the report is out. Publishing again (republish) is an update: it needs a note saying what changed, which is kept
in `figures["revisions"]` and shown with the report.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from xiaoneng.core.errors import DomainError

from ..models import AnnualReport
from ..report import annual_figures, year_bounds, year_valid

TEXT_MAX = 20000  # characters per text: the longest published reports run to a few thousand
NOTE_MAX = 500
TEXT_FIELDS = {"overview": "总体情况", "problems": "存在的主要问题及改进情况", "other": "其他需要报告的事项"}


def _clean(value, *, field: str, label: str, limit: int) -> str:
    text = str(value or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise DomainError(f"“{label}”不能超过{limit}字（现为{len(text)}字）。", field=field)
    return text


def _check_year(year, *, now: dt.datetime) -> int:
    if not isinstance(year, int) or not year_valid(year, now=now):
        raise DomainError("年度无效：应为2008年至今年之间的年份。", field="year")
    return year


def _row(*, year: int, department, now: dt.datetime) -> AnnualReport:
    # order_by: the model orders by department__path, an outer join PostgreSQL will not lock through
    row = AnnualReport.objects.select_for_update().filter(year=year, department=department).order_by("pk").first()
    if row is None:
        row = AnnualReport.objects.create(year=year, department=department, updated_at=now)
    return row


@transaction.atomic
def annual_report_save_texts(*, year: int, department, overview: str, problems: str, other: str, by,
                             now: dt.datetime) -> AnnualReport:
    """Save the office's texts (一 总体情况, 五 问题及改进, 六 其他) of one report. A published report keeps
    showing the texts it was published with until it is published again."""
    _check_year(year, now=now)
    texts = {"overview": overview, "problems": problems, "other": other}
    cleaned = {k: _clean(v, field=k, label=TEXT_FIELDS[k], limit=TEXT_MAX) for k, v in texts.items()}
    row = _row(year=year, department=department, now=now)
    for k, v in cleaned.items():
        setattr(row, k, v)
    row.updated_at = now
    row.save(update_fields=[*cleaned, "updated_at"])
    return row


@transaction.atomic
def annual_report_publish(*, year: int, department, by, now: dt.datetime, note: str = "") -> AnnualReport:
    """Publish one report: its tables computed now and its texts are frozen into `figures`, and it becomes
    public. Only once the year is over (the report is due by 31 January of the next). Publishing an already
    published report again needs `note` (what was corrected), kept with the report."""
    _check_year(year, now=now)
    _start, end = year_bounds(year)
    if now < end:
        raise DomainError(f"{year}年度尚未结束，年度报告须在年度结束后发布。", field="year")
    note = _clean(note, field="note", label="更新说明", limit=NOTE_MAX)
    row = _row(year=year, department=department, now=now)
    if not (row.overview.strip()):
        raise DomainError("请先填写“总体情况”再发布。", field="overview")
    revisions = list((row.figures or {}).get("revisions", []))
    if row.published_at is not None:
        if not note:
            raise DomainError("报告已发布，重新发布须填写更新说明。", field="note")
        revisions.append({"at": now.isoformat(), "note": note})
    figures = annual_figures(year=year, department=department)
    figures["texts"] = {"overview": row.overview, "problems": row.problems, "other": row.other}
    figures["revisions"] = revisions
    figures["first_published_at"] = (row.figures or {}).get("first_published_at") or now.isoformat()
    row.figures = figures
    row.published_at = now
    row.published_by = by
    row.updated_at = now
    row.save(update_fields=["figures", "published_at", "published_by", "updated_at"])
    return row
