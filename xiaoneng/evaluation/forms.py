"""The scheme editor's form (考核方案新版本): a plain POST of table rows (indicators, deductions, bonuses, vetoes),
each column a repeated field (`ind-code`, `ind-weight` …), so it works without JavaScript. Add and remove are
submit buttons (`op=add:indicators`, `op=remove:indicators:2`) that redraw the table; `op=save` validates through
services.schemes and stores a new version. Errors come back keyed as scheme_validate names them
("indicators.3.weight"), shown beside the row and field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from . import indicators as reg
from .models import SanctionKind

# table → (prefix, columns)
TABLES = {
    "indicators": ("ind", ("code", "weight", "floor", "target")),
    "deductions": ("ded", ("code", "points", "cap")),
    "bonuses": ("bon", ("code", "points", "cap")),
    "vetoes": ("vet", ("code", "threshold", "sanction_kind")),
}
SCALARS = ("name", "valid_from", "total", "excellent_at", "good_at", "pass_at", "min_sample", "bulletin_top",
           "bulletin_bottom", "escalation_bottom", "red_card_threshold", "red_card_sanction", "note")
# Scalars a form drawn before they existed does not post: left out, scheme_validate gives the shipped value.
OPTIONAL = ("red_card_threshold", "red_card_sanction")
MAX_ROWS = 40
# What the columns can hold (the model's DecimalFields): (largest absolute value, decimal places).
LIMITS = {"total": (Decimal("9999.99"), 2), "excellent_at": (Decimal("9999.99"), 2),
          "good_at": (Decimal("9999.99"), 2), "pass_at": (Decimal("9999.99"), 2),
          "weight": (Decimal("9999.99"), 2), "points": (Decimal("9999.99"), 2), "cap": (Decimal("9999.99"), 2),
          "floor": (Decimal("999999.9999"), 4), "target": (Decimal("999999.9999"), 4)}


def _s(value) -> str:
    return "" if value is None else (f"{value.normalize():f}" if isinstance(value, Decimal) else str(value))


def spec_rows(spec: dict) -> dict:
    """A spec (services.schemes.spec_of / default_spec) as the form's values: every value a string."""
    out = {k: _s(spec.get(k)) for k in SCALARS}
    out["period_kind"] = spec.get("period_kind", "")
    for table, (_p, cols) in TABLES.items():
        out[table] = [{c: _s(row.get(c)) for c in cols} for row in spec.get(table) or []]
    return out


def post_rows(data) -> tuple[dict, str]:
    """The submitted form (a QueryDict) as values (strings; fully blank rows dropped) and the operation asked
    for; add/remove already applied."""
    out = {k: str(data.get(k, ""))[:2000 if k == "note" else 100].strip() for k in SCALARS
           if k in data or k not in OPTIONAL}
    out["period_kind"] = str(data.get("period_kind", ""))[:10]
    for table, (prefix, cols) in TABLES.items():
        columns = [data.getlist(f"{prefix}-{c}")[:MAX_ROWS] for c in cols]
        n = max((len(c) for c in columns), default=0)
        rows = []
        for i in range(n):
            row = {c: (columns[j][i] if i < len(columns[j]) else "")[:60].strip() for j, c in enumerate(cols)}
            if any(row.values()):
                rows.append(row)
        out[table] = rows
    op = str(data.get("op", "save"))[:40]
    parts = op.split(":")
    if len(parts) >= 2 and parts[1] in TABLES:
        if parts[0] == "add" and len(out[parts[1]]) < MAX_ROWS:
            out[parts[1]].append({c: "" for c in TABLES[parts[1]][1]})
        elif parts[0] == "remove" and len(parts) == 3 and parts[2].isdigit():
            i = int(parts[2])
            if 0 <= i < len(out[parts[1]]):
                del out[parts[1]][i]
        return out, "edit"
    return out, "save"


def pre_check(values: dict) -> list[dict]:
    """Faults the scheme rules leave to the database: numbers wider than their column or with more decimals
    than it keeps (refused here, in Chinese, rather than failing on save)."""
    errors = []

    def check(field: str, raw: str, col: str, label: str):
        if raw in ("", None) or col not in LIMITS:
            return
        try:
            d = Decimal(raw)
        except (InvalidOperation, ValueError):
            return  # scheme_validate says it is not a number
        if not d.is_finite():
            return
        top, places = LIMITS[col]
        if abs(d) > top:
            errors.append({"field": field, "error": f"{label}不能超过 {top:f}。"})
        elif d != d.quantize(Decimal(1).scaleb(-places)):
            errors.append({"field": field, "error": f"{label}最多保留 {places} 位小数。"})

    labels = {"total": "指标总分", "excellent_at": "优秀分数线", "good_at": "良好分数线", "pass_at": "合格分数线"}
    for k, label in labels.items():
        check(k, values.get(k, ""), k, label)
    col_labels = {"weight": "分值", "floor": "起评值", "target": "目标值", "points": "每项分值", "cap": "上限"}
    for table, (_p, cols) in TABLES.items():
        for n, row in enumerate(values.get(table) or [], 1):
            for c in cols:
                if c in col_labels:
                    check(f"{table}.{n}.{c}", row.get(c, ""), c, f"第{n}行的{col_labels[c]}")
    return errors


def errors_by_field(errors: list[dict]) -> dict:
    """{"name": msg, "indicators.3.weight": msg, "indicators": msg …}; the first message per field kept."""
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(e["field"], e["error"])
    return out


def table_view(values: dict, errors: dict) -> list[dict]:
    """The four tables for the template: each row with its values and the errors of its cells."""
    reg.load()
    options = {
        "indicators": [(c, i.name) for c, i in reg.INDICATORS.items()],
        "deductions": [(c, a.name) for c, a in reg.DEDUCTIONS.items()],
        "bonuses": [(c, a.name) for c, a in reg.BONUSES.items()],
        "vetoes": [(c, v.name) for c, v in reg.VETOES.items()],
    }
    titles = {"indicators": _("考核指标"), "deductions": _("扣分项目"), "bonuses": _("加分项目"), "vetoes": _("一票否决")}
    heads = {"weight": _("分值"), "floor": _("起评值"), "target": _("目标值"), "points": _("每项分值"),
             "cap": _("上限（可空）"), "threshold": _("触发数量"), "sanction_kind": _("提出的处理")}
    out = []
    for table, (prefix, cols) in TABLES.items():
        rows = []
        for n, row in enumerate(values.get(table) or [], 1):
            cells = [{"col": c, "name": f"{prefix}-{c}", "value": row.get(c, ""), "label": heads[c],
                      "error": errors.get(f"{table}.{n}.{c}", ""),
                      "invalid": bool(errors.get(f"{table}.{n}.{c}") or (c == "weight" and errors.get(table)))}
                     for c in cols[1:]]
            rows.append({"index": n - 1, "code": row.get("code", ""), "code_error": errors.get(f"{table}.{n}.code", ""),
                         "cells": cells})
        out.append({"key": table, "prefix": prefix, "title": titles[table], "rows": rows, "options": options[table],
                    "heads": [heads[c] for c in cols[1:]], "cols": cols[1:], "error": errors.get(table, ""),
                    "sanctions": SanctionKind.choices})
    return out
