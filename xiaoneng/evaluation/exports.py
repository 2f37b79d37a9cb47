"""An evaluation's ranking as a file (.xlsx or CSV), written through core.spreadsheet — the one writer, so a
department or scheme named like a formula ("=cmd|…", "+1") stays text in every cell."""

from __future__ import annotations

from django.utils import timezone

from xiaoneng.core.spreadsheet import tables_bytes

TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
HEADS = ("总名次", "考核分组", "组内名次", "单位编码", "单位", "总分", "指标得分", "扣分", "加分", "等次", "一票否决", "样本较少",
         "提示")


def stamp(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def ranking_tables(ev, scores) -> list[tuple[str, list[list]]]:
    rows = [list(HEADS)]
    for s in scores:
        rows.append([s.rank_overall, s.group_name, s.rank, s.department.code, s.department.name, s.score,
                     s.base_points, s.deductions, s.bonuses, str(s.get_grade_display()),
                     (s.veto or {}).get("text", ""), "是" if s.small_sample else "", "；".join(s.flags or [])])
    about = [["考核期", ev.period_label], ["版本", f"第{ev.revision}次"], ["状态", str(ev.get_status_display())],
             ["考核方案", str(ev.scheme)], ["计算时间", stamp(ev.computed_at)], ["发布时间", stamp(ev.published_at)]]
    if ev.reason:
        about.append(["更正理由", ev.reason])
    about.extend(["说明", n] for n in ev.notes or [])
    return [("考核排名", rows), ("说明", about)]


def ranking_file(ev, scores, *, fmt: str) -> bytes:
    return tables_bytes(ranking_tables(ev, scores), fmt, widths={"B": 16, "E": 30})
