from django.core.management.base import BaseCommand
from django.utils import timezone

from xiaoneng.portal.models import SearchKind
from xiaoneng.portal.search import search_sync


class Command(BaseCommand):
    help = ("Bring the portal's search index in step with what is published (xiaoneng search-reindex [--kind guide]); "
            "the worker does the same every minute.")

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", choices=SearchKind.values,
                            help="only this kind (repeatable); default: every kind")

    def handle(self, *args, kind=None, **opts):
        report = search_sync(now=timezone.now(), kinds=kind)
        for k, r in report.items():
            self.stdout.write(f"{SearchKind(k).label}：共 {r['total']} 条，新增 {r['added']}，更新 {r['changed']}，"
                              f"移除 {r['removed']}。")
