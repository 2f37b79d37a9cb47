from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from xiaoneng.cases.transfer import case_import_file
from xiaoneng.core.errors import DomainError, RowErrors


class Command(BaseCommand):
    help = (
        "Import case events exported by a legacy system: CSV, Excel (.xlsx) or JSON Lines, one event per row "
        "(xiaoneng import-cases FILE [--source NAME]). A file with any bad row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv, .xlsx or .jsonl file")
        parser.add_argument("--source", default="legacy",
                            help="label of the legacy system: event ids are unique per source (re-import is safe)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, source, no_progress=False, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        data = path.read_bytes()
        bar = tqdm(total=None, unit="事件", desc="导入", disable=no_progress, file=self.stderr)
        try:
            batch = case_import_file(name=path.name, data=data, source=source, now=timezone.now(), progress=bar.update)
        except RowErrors as exc:
            bar.close()
            for err in exc.errors[:200]:
                self.stderr.write(f"第 {err['row']} 行：{err['error']}")
            if len(exc.errors) > 200:
                self.stderr.write(f"……另有 {len(exc.errors) - 200} 行错误")
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            bar.close()
            raise CommandError(exc.message) from exc
        bar.close()
        self.stdout.write(
            f"导入完成：{batch.rows} 行，新增事件 {batch.accepted} 个，重复 {batch.duplicates} 个（来源 {batch.source}）。"
        )
