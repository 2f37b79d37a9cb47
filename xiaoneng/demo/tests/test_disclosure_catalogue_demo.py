"""The demo county's disclosure catalogues and a year of entries: every department, township and a few villages
with a catalogue (most accepted, one returned and re-filed, one revised, one still a draft), monthly finances,
late and missing departments, corrections and a withdrawal — deterministic from the seed."""

from datetime import UTC, datetime

import pytest

from xiaoneng.demo.county import FOUNDATION, build_county
from xiaoneng.demo.disclosure_catalogue import step_disclosure_catalogue

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _build(seed=2026):
    ctx = build_county(scale="small", seed=seed, now=NOW, password="Demo-Pass-2026!", only=FOUNDATION)
    step_disclosure_catalogue(ctx)
    return ctx


@pytest.mark.django_db
def test_step_builds_catalogues_and_a_year_of_entries():
    from xiaoneng.accounts.models import Department
    from xiaoneng.disclosure.models import Catalogue, DisclosureEntry

    ctx = _build()
    bureaus = Department.objects.filter(kind__in=("bureau", "centre", "township"))
    with_cat = set(Catalogue.objects.values_list("department_id", flat=True))
    assert set(bureaus.values_list("pk", flat=True)) <= with_cat
    assert Catalogue.objects.filter(level="village").exists() and Catalogue.objects.filter(level="township").exists()
    assert Catalogue.objects.filter(status="draft").count() == 1
    assert Catalogue.objects.filter(status="superseded").count() == 1
    assert Catalogue.objects.filter(current=True).count() == len(with_cat) - 1
    # The returned catalogue was accepted after the item the office asked for was added; the revised one too.
    assert Catalogue.objects.filter(items__code="ZFCG", current=True).count() == 2
    entries = DisclosureEntry.objects.all()
    assert entries.count() == ctx.counts["disclosure_entries"] > 500
    assert min(e.published_at for e in entries).date() >= datetime(2025, 10, 1).date()
    assert max(e.published_at for e in entries) <= NOW
    months = {(e.published_at.year, e.published_at.month) for e in entries.filter(item_code="CZSZ")}
    assert len(months) >= 12  # monthly finances across the year
    assert entries.filter(version=2, status="published").count() >= 1
    assert entries.filter(status="superseded").count() == entries.filter(version=2).count()
    assert entries.filter(status="withdrawn").count() == 1
    assert len(set(entries.values_list("number", flat=True))) == entries.count()
    # Late and missing departments differ visibly from the rest in their count of monthly finances.
    per_dept = {}
    for d, in entries.filter(item_code="CZSZ", version=1).values_list("department_id"):
        per_dept[d] = per_dept.get(d, 0) + 1
    assert min(per_dept.values()) < max(per_dept.values())


@pytest.mark.django_db
def test_same_seed_same_entries():
    from xiaoneng.disclosure.models import DisclosureEntry

    _build()
    first = list(DisclosureEntry.objects.order_by("number").values_list("number", "title", "published_at")[:200])
    assert first and first[0][0].startswith("GK-")
