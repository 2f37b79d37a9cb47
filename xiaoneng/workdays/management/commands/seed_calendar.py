from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.services import calendar_seed_from_package

LABELS = {"created": "已生成", "updated": "已更新", "unchanged": "无变化", "kept": "保留管理员导入/维护的数据"}


class Command(BaseCommand):
    help = (
        "Seed the working-day calendar from the holidays package (xiaoneng seed-calendar --from 2020 --to 2027). "
        "Years without an official schedule in the package are marked provisional; years an administrator "
        "imported or edited are never overwritten."
    )

    def add_arguments(self, parser):
        this_year = timezone.localdate().year
        parser.add_argument("--from", dest="first", type=int, default=this_year - 1)
        parser.add_argument("--to", dest="last", type=int, default=this_year + 1)

    def handle(self, *args, first, last, **opts):
        if last < first:
            raise CommandError("--to 不能早于 --from。")
        if last - first > 100:
            raise CommandError("一次最多生成 100 年。")
        try:
            result = calendar_seed_from_package(years=range(first, last + 1), now=timezone.now())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        from xiaoneng.workdays.models import CalendarYear

        status = dict(CalendarYear.objects.filter(year__in=result).values_list("year", "status"))
        for year, what in sorted(result.items()):
            self.stdout.write(f"{year}：{LABELS[what]}（{'正式' if status.get(year) == 'official' else '暂定'}）")
