"""Survey files, written through core.spreadsheet (a cell that looks like a formula stays text):
- raw responses (.xlsx): one row per response — number, time, group, channel, version — and one column per
  question (options by label, a matrix one column per department, text as written). No identity: responses
  have none; a phone hash is not exported either.
- the summary (.xlsx): department scores with the group breakdown, and counts per question.
- invitation codes (CSV or .xlsx) of a group, with the public link."""

from __future__ import annotations

import io
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.spreadsheet import csv_bytes, is_formula_like

from . import selectors as S
from .models import (
    SCALE_LABELS,
    SCALE_POINTS,
    Answer,
    InvitationCode,
    Question,
    QuestionKind,
    Response,
    Survey,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(tables: list[tuple[str, list[list]]]) -> bytes:
    """An .xlsx written in openpyxl's write-only mode (a year's raw responses are ~150,000 cells; the
    ordinary mode's row appends grow quadratically). No cell is stored as a formula: formula-like text
    (core.spreadsheet.is_formula_like) becomes a string cell with Excel's quote prefix, as xlsx_append does."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for title, rows in tables:
        ws = wb.create_sheet(title[:31])
        for row in rows:
            out = []
            for v in row:
                if is_formula_like(v):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    out.append(cell)
                else:
                    out.append(v)
            ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def responses_xlsx(survey: Survey) -> bytes:
    questions = list(Question.objects.filter(section__version__survey=survey)
                     .select_related("section__version").prefetch_related("departments", "options")
                     .order_by("section__version__number", "section__order", "order", "id"))
    columns: list[tuple[int, int | None]] = []  # (question id, department id or None)
    heads = [_("答卷编号"), _("提交时间"), _("群体"), _("渠道"), _("问卷版本")]
    for q in questions:
        prefix = f"v{q.section.version.number} {q.text}"
        if q.kind == QuestionKind.MATRIX:
            for d in sorted(q.departments.all(), key=lambda d: (d.sort_order, d.code)):
                columns.append((q.pk, d.pk))
                heads.append(f"{prefix}：{d.name}")
        else:
            columns.append((q.pk, None))
            heads.append(prefix)
    labels = {o.pk: o.label for q in questions for o in q.options.all()}
    cells: dict[int, dict] = defaultdict(lambda: defaultdict(list))
    for rid, qid, did, oid, value, text in Answer.objects.filter(survey=survey).values_list(
            "response_id", "question_id", "department_id", "option_id", "value", "text").iterator(chunk_size=5000):
        if oid:
            cells[rid][(qid, None)].append(labels.get(oid, ""))
        elif did:
            cells[rid][(qid, did)].append(value)
        elif value is not None:
            cells[rid][(qid, None)].append(value)
        else:
            cells[rid][(qid, None)].append(text)
    channels = dict(Response._meta.get_field("channel").choices)
    rows = [heads]
    for r in (Response.objects.filter(survey=survey).select_related("group", "version").order_by("submitted_at", "id")
              .iterator(chunk_size=2000)):
        row = [r.pk, _stamp(r.submitted_at), r.group.name, str(channels.get(r.channel, r.channel)), r.version.number]
        for col in columns:
            vals = cells[r.pk].get(col, [])
            row.append(vals[0] if len(vals) == 1 else "；".join(str(v) for v in vals))
        rows.append(row)
    points = "；".join(f"{v}={SCALE_LABELS[v]}（{SCALE_POINTS[v]} 分）" for v in (5, 4, 3, 2, 1))
    return _book([(_("答卷"), rows), (_("说明"), [[survey.title], [_("评分：") + points],
                                               [_("答卷不含任何个人身份信息。")]])])


def summary_xlsx(survey: Survey) -> bytes:
    scores = S.department_scores(survey)
    groups = list(survey.groups.all())
    head = [_("部门编码"), _("部门"), _("得分"), _("有效答卷")]
    for g in groups:
        head += [f"{g.name}{_('平均分')}", f"{g.name}{_('份数')}", f"{g.name}{_('计入权重')}"]
    head.append(_("标注"))
    rows = [head]
    for d in scores:
        row = [d.department.code, d.department.name, d.score, d.responses]
        for g in d.groups:
            row += [g.mean, g.responses, round(g.effective_weight, 4)]
        row.append("；".join(d.flags))
        rows.append(row)
    qrows = [[_("题目"), _("选项/部门"), _("份数"), _("占比或平均分")]]
    for item in S.question_results(survey, survey.current_version) if survey.current_version else []:
        q = item["question"]
        for r in item["rows"]:
            qrows.append([q.text, r["label"], r["count"], r.get("pct") or r.get("mean")])
        if not item["rows"]:
            qrows.append([q.text, "", item["answered"], ""])
    return _book([(_("部门得分"), rows), (_("各题统计"), qrows), (_("计算方法"), [[S.score_definition()]])])


def codes_file(survey: Survey, group, link: str, fmt: str) -> bytes:
    rows = [[_("邀请码"), _("群体"), _("状态"), _("答卷链接")]]
    for c in InvitationCode.objects.filter(survey=survey, group=group).order_by("id"):
        rows.append([c.code, group.name, _("已使用") if c.response_id else _("未使用"), f"{link}?code={c.code}"])
    if fmt == "csv":
        return csv_bytes([(None, rows)])
    return _book([(_("邀请码"), rows)])
