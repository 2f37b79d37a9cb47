"""The index follows what is published, through the real services of each app: guides come and go with their
items, a published complaint reply is indexed with its masked text only (never the complainant's name or phone),
disclosure entries leave the index when withdrawn or superseded, bulletins and checks only once published,
information-request answers only when the department publishes them (never the applicant). The sync is a diff:
a second run changes nothing, and it runs in a bounded number of queries."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from xiaoneng.catalog.services import service_item_create, service_item_deactivate, service_item_revise
from xiaoneng.portal.models import SearchDocument
from xiaoneng.portal.search import search, search_sync

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
NOW = datetime(2026, 10, 9, 9, 0, tzinfo=TZ)

GUIDE = {
    "name": "户口迁移登记", "category": "licensing", "item_type": "committed", "audience": "both",
    "description": "办理户口迁入、迁出。", "conditions": "持居民户口簿。", "legal_basis": "《户口登记条例》",
    "statutory_limit_value": 20, "statutory_limit_unit": "wd", "committed_limit_value": 5,
    "committed_limit_unit": "wd", "suspension_allowed": False, "suspension_reasons": [], "deemed_approval": False,
    "online": True, "offline": True, "online_url": "", "max_visits": 1, "location": "县政务服务中心一楼",
    "office_hours": "工作日", "phone": "0571-88001234", "complaint_phone": "12345", "result": "户口簿",
    "materials": [{"name": "居民户口簿", "form": "original", "copies": 1, "requirement": "mandatory",
                   "condition": "", "source": "applicant", "blank_form": "", "sample": "", "note": ""}],
    "fees": [],
    "steps": [{"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "窗口",
               "description": ""},
              {"kind": "complete", "name": "办结", "limit_value": 1, "limit_unit": "wd", "post": "窗口",
               "description": ""}],
}


def docs(kind: str | None = None) -> dict[str, SearchDocument]:
    qs = SearchDocument.objects.all() if kind is None else SearchDocument.objects.filter(kind=kind)
    return {d.key: d for d in qs}


@pytest.fixture
def guide(depts, staff):
    data = copy.deepcopy(GUIDE)
    data["code"] = "HK001"
    return service_item_create(department=depts["a"], data=data, by=staff["admin"], now=T0)


def test_guides_follow_their_items(guide, staff):
    r = search_sync(now=NOW)
    assert r["guide"] == {"added": 1, "changed": 0, "removed": 0, "total": 1}
    d = docs("guide")["HK001"]
    assert d.title == "户口迁移登记" and d.url == "/guide/HK001/" and d.department_name == guide.department.name
    assert "持居民户口簿" in d.body
    assert search("户口").hits[0].doc.key == "HK001"

    # A second run changes nothing.
    assert search_sync(now=NOW)["guide"] == {"added": 0, "changed": 0, "removed": 0, "total": 1}

    # A revision changes the indexed text.
    data = copy.deepcopy(GUIDE)
    data.update(code="HK001", name="户口迁移登记（跨省通办）")
    service_item_revise(item=guide, data=data, by=staff["admin"], now=T0 + timedelta(days=1), change_note="跨省通办")
    assert search_sync(now=NOW)["guide"]["changed"] == 1
    assert docs("guide")["HK001"].title == "户口迁移登记（跨省通办）"

    # A deactivated item leaves the index (and the search).
    service_item_deactivate(item=guide, by=staff["admin"], now=T0 + timedelta(days=2))
    assert search_sync(now=NOW)["guide"]["removed"] == 1
    assert docs("guide") == {} and search("户口").total == 0


def _complaint_with_published_reply(depts, staff, *, publishable: bool):
    from xiaoneng.complaints import services
    from xiaoneng.complaints.categories import categories_ensure
    from xiaoneng.complaints.intake import clean_intake
    from xiaoneng.complaints.models import Channel
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()
    categories_ensure()
    letter = {
        "category": "TS-CSBL", "department": "TA", "window": "12号窗口", "staff_name": "", "case_no": "",
        "occurred_on": "2026-02-26", "facts": "我叫欧阳秘密，电话13987654321，社保卡补办拖了三周。",
        "request": "请尽快办结。", "litigation": "none", "identity_mode": "confidential", "name": "欧阳秘密",
        "phone": "13987654321", "email": "secret@example.com", "address": "幸福路12号",
    }
    c = services.complaint_submit(intake=clean_intake(letter, today=T0.date()), channel=Channel.WEB, now=T0,
                                  files=[], by=None, ip="203.0.113.7", idempotency_key=None, language=None)
    sup = staff["supervisor"]
    services.complaint_accept(complaint=c, by=sup, now=T0)
    d = services.complaint_dispatch(complaint=c, by=sup, now=T0, departments=[depts["a"]])[0]
    services.dispatch_result(dispatch=d, by=staff["handler"], now=T0, outcome="substantiated",
                             findings="确有拖延。", measures="已批评教育。")
    r = services.reply_draft(complaint=c, by=sup, now=T0,
                             text="欧阳秘密您好！您反映的社保卡补办拖延问题属实（电话13987654321），已责令整改。")
    services.reply_review(reply=r, by=sup, now=T0, approve=True, publishable=publishable)
    c.refresh_from_db()
    return c


def test_a_published_reply_is_indexed_masked(depts, staff, calendar):
    c = _complaint_with_published_reply(depts, staff, publishable=True)
    search_sync(now=NOW)
    (d,) = docs("reply").values()
    assert d.url == f"/complaints/mailbox/{c.number}/"
    assert "社保卡补办" in d.body
    everything = " ".join(f"{x.title} {x.body} {x.url} {x.department_name}" for x in SearchDocument.objects.all())
    for secret in ("欧阳秘密", "13987654321", "secret@example.com", "幸福路12号", "三周"):  # 三周: the letter only
        assert secret not in everything
    assert search("社保").total == 1
    assert search("欧阳").total == 0 and search("13987654321").total == 0


def test_an_unpublished_reply_is_not_indexed(depts, staff, calendar):
    c = _complaint_with_published_reply(depts, staff, publishable=False)
    search_sync(now=NOW)
    assert docs("reply") == {}
    # The office publishes it later, then withdraws it from the mailbox: the index follows.
    type(c).objects.filter(pk=c.pk).update(publishable=True)
    assert search_sync(now=NOW)["reply"]["added"] == 1
    type(c).objects.filter(pk=c.pk).update(publishable=False)
    assert search_sync(now=NOW)["reply"]["removed"] == 1


@pytest.fixture
def catalogue_item(depts):
    from xiaoneng.disclosure.models import Catalogue, CatalogueItem

    cat = Catalogue.objects.create(department=depts["a"], level="department", version=1, status="accepted",
                                   current=True, created_at=T0)
    return CatalogueItem.objects.create(catalogue=cat, code="CZ01", name="财政预算", category="finances",
                                        frequency="monthly")


def _entry(item, number, title, *, published_at, status="published", body="正文"):
    from xiaoneng.disclosure.models import DisclosureEntry

    return DisclosureEntry.objects.create(number=number, department=item.catalogue.department, item=item,
                                          item_code=item.code, title=title, body=body, published_at=published_at,
                                          created_at=published_at, status=status,
                                          table=[["项目", "金额"], ["社保补助", "100"]])


def test_disclosure_entries_published_only_and_in_their_time(catalogue_item):
    _entry(catalogue_item, "GK-1", "9月财政预算执行情况", published_at=NOW - timedelta(days=3))
    _entry(catalogue_item, "GK-2", "10月财政预算执行情况", published_at=NOW + timedelta(days=3))  # not yet
    old = _entry(catalogue_item, "GK-0", "8月财政预算（旧版）", published_at=NOW - timedelta(days=40),
                 status="superseded")
    _entry(catalogue_item, "GK-9", "撤回的信息", published_at=NOW - timedelta(days=5), status="withdrawn")
    search_sync(now=NOW)
    assert set(docs("disclosure")) == {"GK-1"}
    d = docs("disclosure")["GK-1"]
    assert d.url == "/disclosure/entries/GK-1/" and "社保补助" in d.body  # table cells are searchable
    # Later the future one is due, and the first is withdrawn.
    type(old).objects.filter(number="GK-1").update(status="withdrawn")
    r = search_sync(now=NOW + timedelta(days=4))["disclosure"]
    assert r == {"added": 1, "changed": 0, "removed": 1, "total": 1}
    assert set(docs("disclosure")) == {"GK-2"}


def test_checks_and_answers_only_when_published(depts):
    from xiaoneng.disclosure.models import DisclosureCheck, InformationRequest

    check = DisclosureCheck.objects.create(date=datetime(2026, 10, 8).date(), year=2026, quarter=4, run_at=NOW,
                                           rectify_due_at=NOW + timedelta(days=7), summary="社保局未按时公开。")
    req = InformationRequest.objects.create(
        number="YSQ-2026-001", tracking_code="ABCD1234", department=depts["a"], channel="online",
        applicant_kind="person", applicant_name="张申请", id_number="330102199001011234", phone="13811112222",
        address="人民路1号", description="2026年社保补贴发放名单", submitted_at=T0, received_at=T0, due_at=NOW,
        status="answered", answer_type="disclosed", answer_text="已公开，见附件。", answered_at=NOW)
    search_sync(now=NOW)
    assert docs("check") == {} and docs("answer") == {}
    DisclosureCheck.objects.filter(pk=check.pk).update(status="published", published_at=NOW, number="效办〔2026〕公开4号")
    InformationRequest.objects.filter(pk=req.pk).update(publish_answer=True)
    search_sync(now=NOW)
    c = docs("check")["2026-10-08"]
    assert c.url == "/disclosure/checks/2026-10-08/" and c.title == "2026年10月8日统一公开日督查通报"
    a = docs("answer")["YSQ-2026-001"]
    assert "社保补贴发放名单" in a.title and a.body == "已公开，见附件。"
    everything = " ".join(f"{x.title} {x.body} {x.url}" for x in SearchDocument.objects.all())
    for secret in ("张申请", "330102199001011234", "13811112222", "人民路1号", "ABCD1234"):
        assert secret not in everything


def test_the_command_and_the_schedule(guide, capsys):
    call_command("search_reindex")
    out = capsys.readouterr().out
    assert "办事指南：共 1 条，新增 1" in out
    from xiaoneng.supervision.schedules import SCHEDULES

    assert ("search-sync", 60, "xiaoneng.portal.search.search_sync_job") in SCHEDULES


def test_sync_query_count_does_not_grow_with_rows(depts, staff, django_assert_max_num_queries):
    for i in range(30):
        data = copy.deepcopy(GUIDE)
        data.update(code=f"HK{i:03d}", name=f"事项{i}")
        service_item_create(department=depts["a"], data=data, by=staff["admin"], now=T0)
    # per kind: read the source, read the index, one bulk insert; plus the transaction's savepoint
    with django_assert_max_num_queries(20):
        search_sync(now=NOW)
    assert SearchDocument.objects.count() == 30
