"""`xiaoneng supervise [--now ISO-TIME]`: run one supervision tick as of that moment (default: now)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xiaoneng.core.commands import moment_of
from xiaoneng.core.errors import DomainError
from xiaoneng.supervision.services import supervise_tick


class Command(BaseCommand):
    help = "运行一次电子监察检查（时间类规则、督办逾期、待发通知）。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此时刻检查（ISO 8601，带时区，例如 2026-11-23T09:30:00+08:00）")

    def handle(self, *args, now=None, **opts):
        moment = moment_of(now)
        try:
            result = supervise_tick(now=moment)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(result.summary())
