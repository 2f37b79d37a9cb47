from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.core.errors import DomainError, RowErrors
from xiaoneng.ratings.transfer import rating_import_file


class Command(BaseCommand):
    help = (
        "导入好差评数据（国家好差评系统或部门系统导出）：CSV、Excel (.xlsx) 或 JSON Lines，每行一条评价，列为 case_no、level、"
        "reasons、comment、rated_at、channel（xiaoneng import-ratings FILE [--source NAME]）。任何一行有错则全部不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv、.xlsx 或 .jsonl 文件")
        parser.add_argument("--source", default="", help="数据来源（记录在每条评价上），默认为文件名")

    def handle(self, *args, file, source, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            result = rating_import_file(name=path.name, data=path.read_bytes(), source=source, now=timezone.now())
        except RowErrors as exc:
            for err in exc.errors[:200]:
                field = f"（{err['field']}）" if err.get("field") else ""
                self.stderr.write(f"第 {err['row']} 行{field}：{err['error']}")
            if len(exc.errors) > 200:
                self.stderr.write(f"……另有 {len(exc.errors) - 200} 行错误")
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"导入完成：{result.rows} 行，导入评价 {result.imported} 条（来源 {result.source}）。")
