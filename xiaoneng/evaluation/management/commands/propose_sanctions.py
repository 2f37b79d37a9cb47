from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import Period
from xiaoneng.evaluation.services.sanctions import sanctions_propose_for_period


class Command(BaseCommand):
    help = ("Propose again what a published period's results call for — escalation of repeated bottom places, "
            "vetoes, the red-card threshold, inspections' proposals (xiaoneng propose-sanctions --period 2026Q3). "
            "Idempotent: publication already did it; nothing is proposed twice.")

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026Q3, 2026-07, 2026H2 or 2026")

    def handle(self, *args, period=None, **opts):
        try:
            code = Period.parse(period).code
            created = sanctions_propose_for_period(code, now=timezone.now())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"新提出问责事项 {len(created)} 项（已提出过的不重复提出）。")
