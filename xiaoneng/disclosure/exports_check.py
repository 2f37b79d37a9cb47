"""The check bulletin (全区通报) as a PDF (evaluation/pdf.py's renderer: fpdf2 with Noto Sans CJK embedded) and an
Excel workbook (core/spreadsheet.tables_bytes, formulas neutralised): the same text and tables as the page."""

from __future__ import annotations

from django.utils import timezone

from xiaoneng.core.spreadsheet import tables_bytes
from xiaoneng.evaluation import pdf as P

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def title_of(check) -> str:
    return f"关于{check.year}年第{check.quarter}季度统一公开日政务公开检查情况的通报"


def line_rows(lines) -> list[list]:
    return [["单位", "应公开", "已公开", "未公开", "未按期更新", "公开率", "目录"]] + [
        [ln.department.name, ln.due, ln.published, ln.missing, ln.stale, _pct(ln.compliance),
         ("逾期报备" if ln.catalogue_late else "已备案") if ln.catalogue_filed else "未报备"] for ln in lines]


def finding_rows(findings) -> list[list]:
    return [["编号", "单位", "公开事项", "问题", "说明", "整改期限", "状态"]] + [
        [f.number, f.department.name, f.item_name, str(f.get_kind_display()), f.detail,
         f"{timezone.localtime(f.due_at):%Y-%m-%d %H:%M}", str(f.get_status_display())] for f in findings]


def check_pdf(check, lines, findings, issuer: str) -> bytes:
    """The published check's bulletin as a PDF: what it prints, gathered first, so the render is memoised."""
    local = timezone.localtime(check.published_at or check.run_at)
    return _check_pdf({"number": check.number, "title": title_of(check), "summary": check.summary or "",
                       "rows": [[str(v)[:22] for v in row] for row in line_rows(lines)], "issuer": issuer,
                       "date_text": f"{local.year}年{local.month}月{local.day}日"})


@P.memoised("disclosure-check")
def _check_pdf(content: dict) -> bytes:
    pdf = P._pdf()
    pdf.set_title(content["title"])
    P._para(pdf, content["number"], align="C")
    pdf.ln(2)
    P._para(pdf, content["title"], size=16, align="C", h=10)
    pdf.ln(3)
    for para in content["summary"].split("\n\n"):
        P._para(pdf, para, indent=True)
    P._heading(pdf, "附：各单位检查结果")
    widths = (58, 16, 16, 16, 20, 20, 20)
    for row in content["rows"]:
        P._cells(pdf, widths, row, size=8.5)
    pdf.ln(6)
    P._para(pdf, content["issuer"], align="R")
    P._para(pdf, content["date_text"], align="R")
    return P._bytes(pdf)


def check_xlsx(check, lines, findings) -> bytes:
    head = [["通报", title_of(check)], ["文号", check.number], ["统一公开日", f"{check.date:%Y-%m-%d}"],
            ["通报正文", check.summary]]
    return tables_bytes([("通报", head), ("各单位检查结果", line_rows(lines)), ("问题清单", finding_rows(findings))],
                        "xlsx", default_width=16, sheet_widths={"通报": {"B": 100}})
