"""`xiaoneng evaluate --period 2026Q3 [--reason 更正理由] [--publish] [--now ISO-TIME]`: compute one period's
evaluation (a draft; a correction of a published one needs --reason), optionally publish it, and print a summary
in Chinese. Bad input is an error message in Chinese and exit code 1, never a traceback."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xiaoneng.core.commands import moment_of
from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import Period


class Command(BaseCommand):
    help = "计算一个考核期的效能考核结果（各单位得分、等次、名次），可选择同时发布。"

    def add_arguments(self, parser):
        parser.add_argument("--period", help="考核期：2026-07（月）、2026Q3（季度）、2026H2（半年）或 2026（年）")
        parser.add_argument("--reason", default="", help="更正理由（已发布的考核期重新计算时必填）")
        parser.add_argument("--publish", action="store_true", help="计算后立即发布（考核期须已结束）")
        parser.add_argument("--now", help="按此时刻计算（ISO 8601，带时区，例如 2026-10-12T09:00:00+08:00）")

    def handle(self, *args, period=None, reason="", publish=False, now=None, **opts):
        from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

        if not period:
            raise CommandError("请用 --period 指定考核期，例如 --period 2026Q3。")
        moment = moment_of(now)
        try:
            p = Period.parse(period)
            ev = evaluation_run(p, now=moment, reason=reason or "")
            if publish:
                ev = evaluation_publish(ev, now=moment)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(summary(ev))



def summary(ev) -> str:
    """The run in a few lines of Chinese: the period, revision and status, how many departments, the grades
    counted, the first and the last overall, and the notes the pages show."""
    from xiaoneng.evaluation.models import Grade

    scores = list(ev.scores.select_related("department").order_by("rank_overall"))
    counts = {g: 0 for g in Grade.values}
    for s in scores:
        counts[s.grade] += 1
    lines = [f"{ev.period_label}考核（第{ev.revision}次，{ev.get_status_display()}）：参评单位 {len(scores)} 个。",
             "等次：" + "，".join(f"{label} {counts[value]} 个" for value, label in Grade.choices) + "。"]
    if scores:
        top, bottom = scores[0], scores[-1]
        lines.append(f"第一名：{top.department.name}（{top.score} 分）；末名：{bottom.department.name}（{bottom.score} 分）。")
    vetoed = [s.department.name for s in scores if s.veto]
    if vetoed:
        lines.append("一票否决：" + "、".join(vetoed) + "。")
    lines.extend(str(n) for n in ev.notes or [])
    return "\n".join(lines) + "\n"
