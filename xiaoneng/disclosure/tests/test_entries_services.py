"""Entries: publishing against the current catalogue, numbering, corrections (versions), withdrawal, bad input."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.disclosure.models import (
    CheckFinding,
    CheckLine,
    DisclosureCheck,
    DisclosureEntry,
    FindingKind,
    FindingStatus,
)
from xiaoneng.disclosure.services import catalogues as C
from xiaoneng.disclosure.services import entries as E

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cats(depts, staff):
    out = {}
    for key, head in (("a", staff["head"]), ("b", None)):
        cat = C.catalogue_create(department=depts[key], by=head, now=T0)
        C.catalogue_file(catalogue=cat, by=head, now=T0)
        out[key] = C.catalogue_accept(catalogue=cat, by=staff["supervisor"], now=T0)
    return out


def _pub(depts, staff, **kw):
    data = {"department": depts["a"], "item_code": "CZSZ", "title": "2026年2月财政资金收支情况",
            "body": "收入 120 万元，支出 98 万元。", "by": staff["handler"], "now": T0}
    data.update(kw)
    return E.entry_publish(**data)


def test_publish_numbers_per_department_and_year(depts, staff, cats):
    e1 = _pub(depts, staff)
    e2 = _pub(depts, staff, item_code="zdjc", title="重大决策", published_at=T0 - timedelta(days=1))
    e3 = _pub(depts, staff, published_at=datetime(2025, 12, 31, 23, 0, tzinfo=TZ))
    assert (e1.number, e2.number, e3.number) == ("GK-TA-2026-0001", "GK-TA-2026-0002", "GK-TA-2025-0001")
    assert e2.item_code == "ZDJC" and e2.item.catalogue == cats["a"]
    assert e1.published_at == T0 and e1.version == 1 and e1.status == "published"
    eb = E.entry_publish(department=depts["b"], item_code="CZSZ", title="B", body="x", now=T0)
    assert eb.number == "GK-TB-2026-0001"


def test_publishing_closes_the_items_open_findings(depts, staff, cats):
    check = DisclosureCheck.objects.create(date=T0.date(), year=2026, quarter=1, run_at=T0, rectify_due_at=T0)
    line = CheckLine.objects.create(disclosure_check=check, department=depts["a"], due=2, published=0, missing=2,
                                    stale=0)
    miss = CheckFinding.objects.create(disclosure_check=check, line=line, number="F-1", department=depts["a"],
                                       item_code="CZSZ", kind=FindingKind.MISSING, due_at=T0, next_check_at=T0)
    other = CheckFinding.objects.create(disclosure_check=check, line=line, number="F-2", department=depts["a"],
                                        item_code="ZDJC", kind=FindingKind.MISSING, due_at=T0, next_check_at=T0)
    e = _pub(depts, staff)
    miss.refresh_from_db()
    other.refresh_from_db()
    assert miss.status == FindingStatus.RECTIFIED and miss.rectified_entry == e
    assert other.status == FindingStatus.OPEN


def test_item_not_in_the_current_catalogue_is_refused_like_unknown(depts, staff, cats):
    with pytest.raises(NotFound) as e1:
        _pub(depts, staff, item_code="NOPE")
    assert e1.value.field == "item"
    # B's catalogue has the code too, but a code only means the publisher's own item.
    eb = _pub(depts, staff, item_code="CZSZ")
    assert eb.department == depts["a"]
    # A draft catalogue (no current one) publishes nothing.
    depts_c = depts["a1"]
    with pytest.raises(NotFound):
        E.entry_publish(department=depts_c, item_code="CZSZ", title="t", body="b", now=T0)
    assert DisclosureEntry.objects.count() == 1


def test_draft_items_of_a_revision_are_not_publishable_until_accepted(depts, staff, cats):
    v2 = C.catalogue_revise(department=depts["a"], by=staff["head"], now=T0)
    C.catalogue_item_add(catalogue=v2, code="ZFCG", name="政府采购", category="projects", frequency="quarterly",
                         by=staff["head"], now=T0)
    with pytest.raises(NotFound):
        _pub(depts, staff, item_code="ZFCG")
    C.catalogue_file(catalogue=v2, by=staff["head"], now=T0)
    C.catalogue_accept(catalogue=v2, by=staff["supervisor"], now=T0)
    assert _pub(depts, staff, item_code="ZFCG").item.catalogue == v2


@pytest.mark.parametrize("field,kw", [
    ("title", {"title": ""}), ("title", {"title": "标" * 201}), ("body", {"body": "", "table": []}),
    ("published_at", {"published_at": T0 + timedelta(minutes=2)}),
    ("published_at", {"published_at": datetime(1999, 12, 31, tzinfo=TZ)}),
    ("published_at", {"published_at": datetime(2026, 3, 1, 9, 0)}),
    ("table", {"table": "a,b"}), ("table", {"table": [["a"]] * 201}), ("table", {"table": [["x"] * 21]}),
    ("table", {"table": [["x" * 501]]}), ("table", {"table": [[1, 2]]}), ("table", {"table": [{"a": 1}]}),
    ("table", {"table": [[["nested"]]]}),
    ("external_id", {"external_id": "has space"}), ("external_id", {"external_id": "x" * 65}),
    ("item", {"item_code": ""}),
])
def test_bad_input_names_the_field_and_stores_nothing(depts, staff, cats, field, kw):
    with pytest.raises(DomainError) as e:
        _pub(depts, staff, **kw)
    assert e.value.field == field
    assert not DisclosureEntry.objects.exists()


def test_a_minute_ahead_is_tolerated_and_year_2000_is_the_floor(depts, staff, cats):
    assert _pub(depts, staff, published_at=T0 + timedelta(seconds=59)).published_at == T0 + timedelta(seconds=59)
    assert _pub(depts, staff, published_at=datetime(2000, 1, 1, 8, 0, tzinfo=TZ)).number == "GK-TA-2000-0001"


def test_table_is_kept_as_rows_and_trailing_blank_rows_dropped(depts, staff, cats):
    e = _pub(depts, staff, body="", table=[["项目", "金额（万元）"], ["收入", "120"], ["=1+1", " 98 "], ["", ""]])
    assert e.table == [["项目", "金额（万元）"], ["收入", "120"], ["=1+1", "98"]]


def test_who_publishes(depts, staff, cats):
    for who in ("window", "handler_b", "supervisor", "leader", "admin", "handler_a1"):
        with pytest.raises(NotPermitted):
            _pub(depts, staff, by=staff[who])
    assert _pub(depts, staff, by=staff["head"]).created_by == staff["head"]


def test_attachment_checked_by_content(depts, staff, cats):
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), (1, 2, 3)).save(buf, "PNG")
    clean = E.clean_attachment([("预算表.png", buf.getvalue())])
    e = _pub(depts, staff, body="", attachment=clean)
    assert e.attachment_name == "预算表.png" and e.attachment_type == "image/png" and e.attachment.name
    with pytest.raises(DomainError) as err:
        E.clean_attachment([("恶意.pdf", b"MZ\x90\x00 not a pdf")])
    assert err.value.field == "attachment"


def test_correction_makes_a_new_version_and_keeps_the_old(depts, staff, cats):
    e1 = _pub(depts, staff, external_id="fin-2026-02")
    e2 = E.entry_correct(entry=e1, reason="支出金额录入错误。", title=e1.title, body="收入 120 万元，支出 89 万元。",
                         by=staff["head"], now=T0 + timedelta(hours=2))
    e1.refresh_from_db()
    assert (e1.status, e1.external_id) == ("superseded", "")
    assert (e2.number, e2.version, e2.supersedes, e2.correction_reason, e2.external_id) == (
        "GK-TA-2026-0001-2", 2, e1, "支出金额录入错误。", "fin-2026-02")
    e3 = E.entry_correct(entry=e2, reason="再次更正。", title="标题更正", body="b", by=staff["handler"],
                         now=T0 + timedelta(hours=3))
    assert e3.number == "GK-TA-2026-0001-3" and e3.supersedes == e2
    with pytest.raises(DomainError):  # only the version in force
        E.entry_correct(entry=e1, reason="x", title="t", body="b", by=staff["head"], now=T0)
    with pytest.raises(DomainError) as err:
        E.entry_correct(entry=e3, reason=" ", title="t", body="b", by=staff["head"], now=T0)
    assert err.value.field == "reason"
    with pytest.raises(NotPermitted):
        E.entry_correct(entry=e3, reason="x", title="t", body="b", by=staff["handler_b"], now=T0)
    # The next new entry numbers on from the first versions only.
    assert _pub(depts, staff).number == "GK-TA-2026-0002"


def test_withdraw_is_the_offices_with_a_reason(depts, staff, cats):
    e = _pub(depts, staff)
    for who in ("head", "handler", "leader", "admin"):
        with pytest.raises(NotPermitted):
            E.entry_withdraw(entry=e, reason="x", by=staff[who], now=T0)
    with pytest.raises(DomainError) as err:
        E.entry_withdraw(entry=e, reason="", by=staff["supervisor"], now=T0)
    assert err.value.field == "reason"
    E.entry_withdraw(entry=e, reason="含有不应公开的个人信息。", by=staff["supervisor"], now=T0)
    e.refresh_from_db()
    assert (e.status, e.withdraw_reason, e.withdrawn_by, e.withdrawn_at) == (
        "withdrawn", "含有不应公开的个人信息。", staff["supervisor"], T0)
    with pytest.raises(DomainError):
        E.entry_withdraw(entry=e, reason="again", by=staff["supervisor"], now=T0)
    with pytest.raises(DomainError):
        E.entry_correct(entry=e, reason="x", title="t", body="b", by=staff["head"], now=T0)


def test_external_id_is_unique_per_department(depts, staff, cats):
    _pub(depts, staff, external_id="sys-1")
    with pytest.raises(DomainError) as err:
        _pub(depts, staff, external_id="sys-1")
    assert err.value.field == "external_id"
    assert E.entry_publish(department=depts["b"], item_code="CZSZ", title="B", body="x", external_id="sys-1",
                           now=T0).external_id == "sys-1"
