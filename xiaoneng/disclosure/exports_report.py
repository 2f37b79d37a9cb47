"""The annual disclosure report as an Excel workbook (one sheet per table, through core.spreadsheet.tables_bytes:
a text that looks like a formula stays text) and as a PDF (evaluation/pdf.py's renderer: fpdf2 with Noto Sans CJK
embedded). Both print `report_content(...)`, the same words and numbers as the page."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from xiaoneng.core.spreadsheet import tables_bytes
from xiaoneng.evaluation import pdf as evaluation_pdf

from .report import REVIEW_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC_HEAD = ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
SECTION_TITLES = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "reviews": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


def report_content(*, figures: dict, texts: dict, issuer: str, published_at=None, revisions=()) -> dict:
    """What every rendering of one report prints: its title, issuer, date, texts and tables."""
    local = timezone.localtime(published_at) if published_at else None
    return {
        "title": f"{issuer}{figures['year']}年政府信息公开工作年度报告",
        "issuer": issuer,
        "year": figures["year"],
        "date_text": f"{local.year}年{local.month}月{local.day}日" if local else "（未发布）",
        "texts": texts,
        "figures": figures,
        "revisions": [{"date_text": _date_text(r.get("at")), "note": r.get("note", "")} for r in revisions],
    }


def _date_text(iso) -> str:
    import datetime as dt

    try:
        local = timezone.localtime(dt.datetime.fromisoformat(iso))
    except (TypeError, ValueError):
        return ""
    return f"{local.year}年{local.month}月{local.day}日"


def _proactive_rows(p: dict) -> list[list]:
    rows = [DOC_HEAD]
    rows += [[d["label"], d["issued"], d["repealed"], d["in_force"]] for d in p["documents"]]
    rows += [[], ["信息内容", "本年处理决定数量"]]
    rows += [[d["label"], d["count"]] for d in p["decisions"]]
    rows += [[], ["信息内容", "本年收费金额（万元）"], ["行政事业性收费", Decimal(p["fees"])]]
    rows += [[]] + [["说明：" + n] for n in p["notes"]]
    return rows


def _request_rows(r: dict) -> list[list]:
    rows = [["申请情况（申请人情况）", *r["columns"]]]
    rows += [[row["label"], *(row["values"] or [""] * len(r["columns"]))] for row in r["rows"]]
    rows += [["说明：" + n] for n in r["notes"]]
    return rows


def _review_rows(v: dict) -> list[list]:
    return [["类型", *REVIEW_LABELS]] + [[g["label"], *g["values"]] for g in v["groups"]]


def report_xlsx(content: dict) -> bytes:
    """Six sheets: 说明, 二 主动公开, 三 申请情况, 四 复议诉讼, and the texts."""
    f = content["figures"]
    about = [["项目", "内容"], ["报告", content["title"]], ["单位", content["issuer"]], ["年度", content["year"]],
             ["发布日期", content["date_text"]]]
    about += [["更新说明", f"{r['date_text']}：{r['note']}"] for r in content["revisions"]]
    texts = [["部分", "内容"]] + [[SECTION_TITLES[k], content["texts"].get(k, "")] for k in ("overview", "problems", "other")]
    return tables_bytes([
        ("说明", about),
        ("二 主动公开", _proactive_rows(f["proactive"])),
        ("三 申请情况", _request_rows(f["requests"])),
        ("四 复议诉讼", _review_rows(f["reviews"])),
        ("文字部分", texts),
    ], "xlsx", default_width=14, sheet_widths={"三 申请情况": {"A": 48}, "文字部分": {"B": 100}, "说明": {"B": 60},
                                              "二 主动公开": {"A": 20}, "四 复议诉讼": {"A": 28}})


def _table(pdf, widths, rows, *, head_rows: int = 1, size: float = 8.5) -> None:
    pdf.set_font("cjk", size=size)
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=5, first_row_as_headings=False,
                   wrapmode="CHAR") as table:
        for i, row in enumerate(rows):
            r = table.row()
            for j, v in enumerate(row):
                r.cell("" if v is None else str(v), align="LEFT" if j == 0 and i >= head_rows else "CENTER")
    pdf.ln(2)


@evaluation_pdf.memoised("annual-report")
def report_pdf(content: dict) -> bytes:
    """The report as printed: title, the six parts in order, the three tables in the national layout."""
    P = evaluation_pdf
    pdf = P._pdf()
    pdf.set_title(content["title"])
    P._para(pdf, content["title"], size=16, align="C", h=9)
    pdf.ln(2)
    P._para(pdf, "本报告依据《中华人民共和国政府信息公开条例》第五十条和国办公开办函〔2021〕30号规定的格式编制。", size=9.5,
            indent=True)
    f = content["figures"]
    P._heading(pdf, SECTION_TITLES["overview"])
    P._para(pdf, content["texts"].get("overview", "") or "（无）", indent=True)

    P._heading(pdf, SECTION_TITLES["proactive"])
    p = f["proactive"]
    _table(pdf, (46, 40, 40, 40), [DOC_HEAD] + [[d["label"], d["issued"], d["repealed"], d["in_force"]]
                                                for d in p["documents"]])
    _table(pdf, (46, 120), [["信息内容", "本年处理决定数量"]] + [[d["label"], d["count"]] for d in p["decisions"]])
    _table(pdf, (46, 120), [["信息内容", "本年收费金额（万元）"], ["行政事业性收费", p["fees"]]])
    for n in p["notes"]:
        P._para(pdf, "注：" + n, size=8.5)

    P._heading(pdf, SECTION_TITLES["requests"])
    r = f["requests"]
    rows = [["申请情况", *r["columns"]]]
    rows += [[row["label"], *(row["values"] or [""] * len(r["columns"]))] for row in r["rows"]]
    _table(pdf, (62, 15, 15, 15, 15, 15, 14, 15), rows, size=7.5)
    for n in r["notes"]:
        P._para(pdf, "注：" + n, size=8.5)

    P._heading(pdf, SECTION_TITLES["reviews"])
    _table(pdf, (50, 23, 23, 23, 23, 24), _review_rows(f["reviews"]))

    P._heading(pdf, SECTION_TITLES["problems"])
    P._para(pdf, content["texts"].get("problems", "") or "（无）", indent=True)
    P._heading(pdf, SECTION_TITLES["other"])
    P._para(pdf, content["texts"].get("other", "") or "（无）", indent=True)
    for rev in content["revisions"]:
        P._para(pdf, f"更新说明（{rev['date_text']}）：{rev['note']}", size=9)
    pdf.ln(6)
    P._para(pdf, content["issuer"], align="R")
    P._para(pdf, content["date_text"], align="R")
    return P._bytes(pdf)
