"""The disclosure check's objects the permission matrix names (issue 14, helper "check"): bureau A's accepted
catalogue with one quarterly item never published, bureau B without a catalogue; a published check of the 2026
Q4 disclosure day (2026-10-08: findings in both bureaus, their reminder cards) and a draft check of the Q3 day
(2026-07-06). `w.obj["dcheck"]` = {"published": "2026-10-08", "draft": "2026-07-06"}."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def build_disclosure_check(w) -> None:
    from xiaoneng.disclosure.models import Catalogue, CatalogueItem, CatalogueStatus, Frequency, Level
    from xiaoneng.disclosure.services.check import disclosure_check_publish, disclosure_check_run

    a = w.obj["depts"]["a"]
    if not Catalogue.objects.filter(department=a, current=True).exists():
        cat = Catalogue.objects.create(department=a, level=Level.DEPARTMENT, version=1,
                                       status=CatalogueStatus.ACCEPTED, current=True,
                                       created_at=datetime(2026, 1, 5, 9, tzinfo=TZ),
                                       effective_at=datetime(2026, 1, 6, 9, tzinfo=TZ))
        CatalogueItem.objects.create(catalogue=cat, code="MX-01", name="矩阵办事程序", category="procedures",
                                     frequency=Frequency.QUARTERLY)
    sup = w.staff["supervisor"]
    published = disclosure_check_run(date="2026-10-08", now=datetime(2026, 10, 8, 17, tzinfo=TZ), by=sup)
    disclosure_check_publish(check=published, now=datetime(2026, 10, 8, 17, 30, tzinfo=TZ), by=sup)
    disclosure_check_run(date="2026-07-06", now=datetime(2026, 7, 6, 17, tzinfo=TZ), by=sup)
    w.obj["dcheck"] = {"published": "2026-10-08", "draft": "2026-07-06"}
