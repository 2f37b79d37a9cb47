"""The ratings figures and the rating list as files (.xlsx or CSV), written through core.spreadsheet — the one
writer, so a cell that looks like a formula (a comment "=HYPERLINK(…)", a department named "+1") stays text.
The list carries what the page shows to the one exporting: raters masked and comments masked as on the page."""

from __future__ import annotations

from django.utils import timezone

from xiaoneng.core.spreadsheet import tables_bytes

FIGURE_COLUMNS = (
    ("ratings", "评价数"), ("good", "好评"), ("neutral", "中评"), ("bad", "差评"), ("l5", "非常满意"), ("l4", "满意"),
    ("l3", "基本满意"), ("l2", "不满意"), ("l1", "非常不满意"), ("defaulted", "默认评价"), ("voided", "已作废"),
    ("complaint_ratings", "投诉回访评价"), ("rectifications_due", "应整改差评"), ("rectified", "整改通过"),
    ("rectified_on_time", "按期整改"), ("named_bad", "实名差评"), ("called_back", "已回访"),
)
RATE_COLUMNS = (("good_rate", "好评率（%）"), ("rectification_rate", "整改率（%）"), ("callback_rate", "回访率（%）"))
TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}


def pct_value(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _figure_tables(data: dict, scope: str) -> list[tuple[str, list[list]]]:
    def values(r):
        return [r[k] for k, _h in FIGURE_COLUMNS] + [pct_value(r[k]) for k, _h in RATE_COLUMNS] + \
            ["样本较少" if r["small_sample"] else ""]

    heads = [h for _k, h in FIGURE_COLUMNS] + [h for _k, h in RATE_COLUMNS] + ["备注"]
    return [
        ("各部门", [["部门编码", "部门", *heads]]
         + [[d["department"], d["department_name"], *values(d)] for d in data["departments"]]
         + [["", "合计", *values(data["total"])]]),
        ("计算方法", [["统计周期", data["period_label"]], ["统计范围", scope],
                  ["样本较少", f"评价数少于 {data['small_sample']} 条的部门，比率仅供参考。"]]
         + [["定义", v] for v in data["definitions"].values()]),
    ]


def _write(tables, fmt: str) -> bytes:
    return tables_bytes(tables, fmt, widths={"B": 30})


def figures_file(*, data: dict, scope: str, fmt: str) -> bytes:
    """The figures (selectors.figures) as .xlsx or CSV: per department with the total, and the definitions."""
    return _write(_figure_tables(data, scope), fmt)


LIST_HEADS = ("编号", "评价时间", "评价对象", "部门", "评价等级", "评价原因", "评价意见", "评价渠道", "默认评价", "评价人",
              "评价人电话", "整改状态", "已作废")


def list_file(*, rows: list[list], fmt: str) -> bytes:
    """The rating list as the page shows it (rows built by the view, masked for the one exporting)."""
    return _write([("好差评记录", [list(LIST_HEADS), *rows])], fmt)


def stamp(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""
