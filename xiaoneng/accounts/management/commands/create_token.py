from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.accounts.models import Department
from xiaoneng.accounts.services import api_client_create
from xiaoneng.core.errors import DomainError


class Command(BaseCommand):
    help = ("Create an API token for a department system and print it once "
            "(xiaoneng create-token --department CODE --name NAME [--system SYSTEM]).")

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="department code")
        parser.add_argument("--name", required=True, help="name of the department system")
        parser.add_argument(
            "--system", default="",
            help="source system (来源系统; default: the name). Tokens of one department and system share event "
                 "ids: give a rotated token the old token's system and a replayed batch doubles nothing.",
        )

    def handle(self, *args, department, name, system="", **opts):
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise CommandError(f"部门编码“{department}”不存在。Department code {department!r} does not exist.")
        try:
            client, raw = api_client_create(name=name, department=dept, system=system, by=None, now=timezone.now())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(f"已为 {dept.name} 创建令牌“{client.name}”（来源系统“{client.system}”，只显示一次）：")
        self.stdout.write(raw)
