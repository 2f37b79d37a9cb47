"""`xiaoneng supervise [--now ISO-TIME]`: run one supervision tick as of that moment (default: now)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.core.errors import DomainError
from xiaoneng.supervision.services import supervise_tick


class Command(BaseCommand):
    help = "运行一次电子监察检查（时间类规则、督办逾期、待发通知）。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此时刻检查（ISO 8601，带时区，例如 2026-11-23T09:30:00+08:00）")

    def handle(self, *args, now=None, **opts):
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError(f"--now “{now}” 不是有效的 ISO 8601 时间。") from exc
            if moment.tzinfo is None:
                raise CommandError("--now 必须带时区，例如 +08:00。")
        else:
            moment = timezone.now()
        try:
            result = supervise_tick(now=moment)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(result.summary())
