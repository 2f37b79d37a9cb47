
from django.core.management.base import BaseCommand

from xiaoneng.core.commands import moment_of
from xiaoneng.ratings.services.defaults_job import ratings_default_due


class Command(BaseCommand):
    help = ("Record the office's default rating (基本满意) of every ended case left unrated past the policy's period "
            "(xiaoneng ratings-default [--now 2026-12-01T09:00:00+08:00]); nothing when the policy counts none.")

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the moment to judge at (ISO 8601 with its offset); default: now")

    def handle(self, *args, now=None, **opts):
        at = moment_of(now)
        n = ratings_default_due(now=at)
        self.stdout.write(f"已按“基本满意”默认评价 {n} 件办件。")
