"""`xiaoneng disclosure-check --date 2026-10-08 [--publish] [--rectify-wd 5] [--now ISO-TIME]`: run the check of a
unified disclosure day (当日督查: a draft, re-runnable), optionally publish it as the county-wide bulletin (全区通报,
限期整改), and print a Chinese summary. Bad input (a date that is no disclosure day: the message names the
quarter's day) is an error message in Chinese and exit code 1, never a traceback."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.core.commands import moment_of
from xiaoneng.core.errors import DomainError


class Command(BaseCommand):
    help = "统一公开日检查：检查各单位公开目录的落实情况（待发布），可同时通报并限期整改。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="统一公开日，例如 2026-10-08")
        parser.add_argument("--publish", action="store_true", help="检查后立即通报（编号、整改期限、提醒各单位）")
        parser.add_argument("--rectify-wd", dest="rectify_wd", default=None, help="整改期限（工作日，默认 5）")
        parser.add_argument("--now", help="按此时刻检查（ISO 8601，带时区，例如 2026-10-08T17:00:00+08:00）")

    def handle(self, *args, date=None, publish=False, rectify_wd=None, now=None, **opts):
        from xiaoneng.disclosure.services.check import disclosure_check_publish, disclosure_check_run

        if not date:
            raise CommandError("请用 --date 指定统一公开日，例如 --date 2026-10-08。")
        moment = moment_of(now)
        try:
            check = disclosure_check_run(date=date, now=moment, rectify_wd=rectify_wd)
            if publish:
                check = disclosure_check_publish(check=check, now=moment)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(summary(check))



def summary(check) -> str:
    """The check in a few lines of Chinese: the day and its status, the county's counts, the departments with
    problems, the number and deadline once published."""
    from xiaoneng.disclosure.services.check import check_totals

    t = check_totals(check)
    due = timezone.localtime(check.rectify_due_at)
    lines = [f"{check.date.year}年{check.date.month}月{check.date.day}日统一公开日检查（{check.year}年第{check.quarter}季度，"
             f"{check.get_status_display()}）：检查单位 {t['departments']} 个。",
             f"应公开 {t['due']} 项，已公开 {t['published']} 项，未公开 {t['missing']} 项，未按期更新 {t['stale']} 项，"
             f"公开率 {t['pct']}。"]
    bad = [ln for ln in check.lines.select_related("department").order_by("department__path")
           if ln.missing or ln.stale]
    if bad:
        lines.append("存在问题的单位：" + "、".join(
            f"{ln.department.name}（未公开{ln.missing}项，未按期更新{ln.stale}项）" for ln in bad) + "。")
    else:
        lines.append("各单位均已按要求公开。")
    if check.number:
        lines.append(f"通报文号：{check.number}；整改期限：{due:%Y年%m月%d日 %H:%M}。")
    else:
        lines.append("检查结果待发布：核对后用 --publish 通报。")
    return "\n".join(lines) + "\n"
