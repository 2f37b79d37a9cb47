"""The 三率 figures as a file (xlsx or CSV): the same selector answer as the figures page, written through
core.spreadsheet (the one writer: a department or month cell that looks like a formula stays text).

Sheets (CSV: tables one after another, each headed "#sheet"): 各部门 (per department, in the page's order),
各月 (per month of the period), 部门按月 (department × month), 计算方法 (the period, scope and the rate
definitions, so a file read away from the page still says what was counted). Rates are percentages with
one decimal, rounded as the page rounds them (`pct_value`); a rate that cannot be computed is left empty.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from xiaoneng.core.errors import DomainError
from xiaoneng.core.spreadsheet import tables_bytes

from .templatetags.complaints_tags import pct_value

COUNTS = (("received", "收到"), ("accepted", "受理"), ("substantiated", "属实"), ("replied", "已答复"),
          ("replied_on_time", "按期答复"), ("closed_with_result", "有办理结果"), ("very_satisfied", "非常满意"),
          ("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意"),
          ("very_unsatisfied", "非常不满意"))
RATES = (("reply_rate", "答复率（%）"), ("closure_rate", "办结率（%）"), ("satisfaction_rate", "满意率（%）"),
         ("response_rate", "响应率（%）"))


def _tables(data: dict, departments: list[dict], *, scope: str) -> list[tuple[str, list[list]]]:
    def values(r):
        return [r[k] for k, _h in COUNTS] + [pct_value(r[k]) for k, _h in RATES]

    heads = [_(h) for _k, h in COUNTS] + [_(h) for _k, h in RATES]
    return [
        (_("各部门"), [[_("部门编码"), _("部门"), *heads]]
         + [[d["department"], d["department_name"], *values(d)] for d in departments]
         + [["", _("合计"), *values(data["total"])]]),
        (_("各月"), [[_("月份"), *heads]] + [[m["month"], *values(m)] for m in data["months"]]),
        (_("部门按月"), [[_("部门编码"), _("部门"), _("月份"), *heads]]
         + [[r["department"], r["department_name"], r["month"], *values(r)] for r in data["rows"]]),
        (_("计算方法"), [[_("统计期间"), f"{data['from']} — {data['to']}"], [_("统计范围"), scope],
                     [_("统计口径"), _("按收到投诉的日期统计；合并的重复投诉不重复计算。")]]
         + [[_("定义"), v] for v in data["definitions"].values()]),
    ]


def figures_export(*, data: dict, departments: list[dict], scope: str, fmt: str) -> bytes:
    """`data` (selectors.figures) with its departments in `departments`' order, as .xlsx or CSV bytes."""
    if fmt not in ("xlsx", "csv"):
        raise DomainError(_("导出格式应为 xlsx 或 csv。"), field="fmt")
    # The file is Chinese whatever language the person exporting reads the site in (like the catalogue's).
    with translation.override("zh-hans"):
        tables = _tables(data, departments, scope=scope)
    return tables_bytes(tables, fmt, default_width=14, sheet_widths={"各部门": {"B": 30}, "部门按月": {"B": 30}, "计算方法": {"B": 90}})
