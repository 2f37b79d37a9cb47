"""`xiaoneng complaints-tick`: raise reminder / yellow / red flags on complaint clocks and close follow-ups
nobody answered. Run it every few minutes (cron or the worker's schedule); it is safe to run in parallel."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from xiaoneng.complaints.services import complaints_tick


class Command(BaseCommand):
    help = "投诉计时检查：到期预警、黄牌、红牌；回访期满按未评价办结。"

    def handle(self, *args, **options):
        counts = complaints_tick(now=timezone.now())
        self.stdout.write(f"checked={counts['checked']} flagged={counts['flagged']} "
                          f"follow_up_expired={counts['follow_up_expired']}")
