"""A hand-built disclosure world for the check's tests (helper "check"): catalogues, items and entries written
directly (the catalogue helper's services build them in the app; the check reads only the rows), on the
conftest's department tree plus a township and a village. The expected counts are in test_check_run.py."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from xiaoneng.accounts.models import Department
from xiaoneng.accounts.services import department_create
from xiaoneng.disclosure.models import (
    Catalogue,
    CatalogueItem,
    CatalogueStatus,
    DisclosureEntry,
    EntryStatus,
    Frequency,
    Level,
)

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 10, 8)  # the 2026 Q4 disclosure day (Mon 5 Oct is inside 国庆)
RUN = dt.datetime(2026, 10, 8, 17, 0, tzinfo=TZ)


def at(y, m, d, h=10, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def catalogue(dept, *, version=1, status=CatalogueStatus.ACCEPTED, current=True, effective=None, due=None,
              filed=None, level=Level.DEPARTMENT) -> Catalogue:
    return Catalogue.objects.create(department=dept, level=level, version=version, status=status, current=current,
                                    created_at=at(2025, 12, 1), effective_at=effective, due_at=due, filed_at=filed)


def item(cat, code, freq, name=None) -> CatalogueItem:
    return CatalogueItem.objects.create(catalogue=cat, code=code, name=name or f"事项{code}", category="other",
                                        frequency=freq, order=CatalogueItem.objects.filter(catalogue=cat).count())


_n = [0]


def entry(it, when, *, status=EntryStatus.PUBLISHED, dept=None) -> DisclosureEntry:
    _n[0] += 1
    return DisclosureEntry.objects.create(
        number=f"XX-{_n[0]:05d}", department=dept or it.catalogue.department, item=it, item_code=it.code,
        title=f"{it.name}（{when:%Y-%m-%d}）", published_at=when, created_at=when, status=status)


def build(depts) -> dict:
    """A (bureau, catalogue in force since January, filed on time), B (bureau, first catalogue in force from
    10 August, version 2 current, filed late), T (township, no catalogue), V (village under T, catalogue filed
    but not accepted). Returns the departments and items by code."""
    a, b = depts["a"], depts["b"]
    t = department_create(code="TT", name="测试镇人民政府", kind=Department.Kind.TOWNSHIP, parent=depts["county"])
    v = department_create(code="TTV", name="测试村民委员会", kind=Department.Kind.VILLAGE, parent=t)
    department_create(code="TZ", name="已撤销的局", parent=depts["county"]).__class__.objects.filter(
        code="TZ").update(is_active=False)

    ca = catalogue(a, effective=at(2026, 1, 1, 0), due=at(2026, 1, 10), filed=at(2026, 1, 5))
    items = {code: item(ca, code, f) for code, f in (
        ("A-FIN", Frequency.MONTHLY), ("A-PROC", Frequency.QUARTERLY), ("A-FEE", Frequency.QUARTERLY),
        ("A-REP", Frequency.YEARLY), ("A-LAW", Frequency.YEARLY), ("A-DEC", Frequency.ON_CHANGE),
        ("A-PRJ", Frequency.ON_CHANGE), ("A-PER", Frequency.QUARTERLY))}
    entry(items["A-FIN"], at(2026, 7, 15))
    entry(items["A-FIN"], at(2026, 9, 3))
    entry(items["A-FIN"], at(2026, 6, 30, 23, 59))  # June: the quarter before
    entry(items["A-PROC"], at(2026, 10, 8, 9))  # 当日公开, before the check
    entry(items["A-FEE"], at(2026, 5, 20))
    entry(items["A-REP"], at(2025, 11, 1))
    entry(items["A-LAW"], at(2025, 9, 30))
    entry(items["A-DEC"], at(2024, 3, 1))
    entry(items["A-PER"], at(2026, 8, 1), status=EntryStatus.WITHDRAWN)
    entry(items["A-PER"], at(2026, 10, 8, 20))  # after the check time
    # A section's entry under its bureau's item code does not count for the bureau.
    entry(items["A-PRJ"], at(2026, 8, 1), dept=depts["a1"])

    catalogue(b, version=1, status=CatalogueStatus.SUPERSEDED, current=False, effective=at(2026, 8, 10, 0))
    cb = catalogue(b, version=2, effective=at(2026, 9, 1, 0), due=at(2026, 3, 1), filed=at(2026, 3, 5))
    items.update({code: item(cb, code, f) for code, f in (("B-FIN", Frequency.MONTHLY),
                                                          ("B-PROC", Frequency.QUARTERLY))})
    entry(items["B-FIN"], at(2026, 8, 20))
    entry(items["B-FIN"], at(2026, 9, 15))
    entry(items["B-PROC"], at(2026, 9, 30))

    catalogue(v, status=CatalogueStatus.FILED, current=False, level=Level.VILLAGE, filed=at(2026, 9, 1))
    return {"a": a, "b": b, "t": t, "v": v, "items": items}
