from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.core.errors import DomainError, RowErrors
from xiaoneng.workdays.services import calendar_import_csv, calendar_import_ical


class Command(BaseCommand):
    help = (
        "Import a year's holiday schedule from a CSV (date,kind,name) or iCal (.ics) file, replacing the years "
        "it covers (xiaoneng import-calendar FILE [--status official|provisional])."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or .ics file")
        parser.add_argument("--status", choices=["official", "provisional"], default="official")
        parser.add_argument("--format", choices=["auto", "csv", "ical"], default="auto")

    def handle(self, *args, file, status, format, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        data = path.read_bytes()
        kind = format
        if kind == "auto":
            kind = "ical" if path.suffix.lower() in (".ics", ".ical", ".ifb") or data.lstrip().startswith(
                b"BEGIN:VCALENDAR") else "csv"
        service = calendar_import_ical if kind == "ical" else calendar_import_csv
        try:
            counts = service(data=data, status=status, by=None, now=timezone.now(), filename=path.name)
        except RowErrors as exc:
            for err in exc.errors:
                self.stderr.write(f"第 {err['row']} 行 [{err.get('field', '')}]：{err['error']}")
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for year, n in sorted(counts.items()):
            self.stdout.write(f"{year} 年：导入 {n} 个放假/调休日期（{status}）")
