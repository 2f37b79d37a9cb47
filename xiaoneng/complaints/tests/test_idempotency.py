"""Idempotency and rate limits at intake (issue 9 items 2, 7 and 13's Open311 api_key).

A repeated submit is harmless for the one who sent it, and worthless to anyone else: keys belong to their
submitter (a department system's token, a staff account, the public form's session), a key reused with other
content is refused (409), the limits are counted before a key is looked up, and a tracking code only ever goes
back to the submitter that created the complaint. Department systems have their own quota, not a citizen's.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from xiaoneng.complaints.models import Complaint, RateCounter

from .conftest import letter
from .test_api import o311_form, post_json
from .test_intake import form_data

NEW = "/complaints/new/"
API = "/api/v1/complaints"
O311 = "/open311/v2/requests.json"


def issued_token(client) -> str:
    """The submission token the public form page issued to this client's session."""
    html = client.get(NEW).content.decode()
    return re.search(r'name="submission_token" value="([^"]+)"', html).group(1)


def shown_code(client) -> str:
    page = client.get("/complaints/submitted/").content.decode()
    return re.search(r'data-testid="tracking-code">([A-Z0-9-]+)<', page).group(1).replace("-", "")


# ------------------------------------------------------------------------------------------ keys per submitter
def test_another_tokens_same_key_never_gets_the_first_complaint(client, calendar, depts, tokens):
    first = post_json(client, API, letter(), HTTP_IDEMPOTENCY_KEY="hotline-20260302-0001", **tokens["a"])
    assert first.status_code == 201
    other = post_json(client, API, letter(), HTTP_IDEMPOTENCY_KEY="hotline-20260302-0001", **tokens["b"])
    assert other.status_code == 201
    a, b = first.json(), other.json()
    assert a["number"] != b["number"] and a["tracking_code"] != b["tracking_code"]
    assert a["tracking_code"] not in other.content.decode()
    assert Complaint.objects.count() == 2
    # The first token's own retry is the first complaint, code included: the same principal created it.
    again = post_json(client, API, letter(), HTTP_IDEMPOTENCY_KEY="hotline-20260302-0001", **tokens["a"])
    assert again.status_code == 201 and again.json() == a and again["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 2


def test_open311_and_api_keys_do_not_meet(client, calendar, depts, tokens):
    api = post_json(client, API, letter(), HTTP_IDEMPOTENCY_KEY="k-1", **tokens["a"])
    assert api.status_code == 201
    o311 = client.post(O311, {**o311_form(), "api_key": tokens["b"]["raw"]}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert o311.status_code == 201, o311.content
    assert o311.json()[0]["service_request_id"] != api.json()["number"]
    assert api.json()["tracking_code"] not in o311.content.decode()
    # The same system sending the same key through the other interface sends another request: refused.
    same = client.post(O311, {**o311_form(), "api_key": tokens["a"]["raw"]}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert same.status_code == 409 and "Idempotency-Key" in same.json()[0]["description"]
    assert api.json()["tracking_code"] not in same.content.decode()
    assert Complaint.objects.count() == 2


def test_a_stolen_form_token_from_another_session_is_not_its_complaint(client, calendar, depts):
    token = issued_token(client)
    assert client.post(NEW, form_data(submission_token=token)).status_code == 302
    victim_code = shown_code(client)
    thief = Client()
    r = thief.post(NEW, form_data(submission_token=token, phone="13800000000", name="李四"))
    assert victim_code not in r.content.decode()
    if r.status_code == 302:  # the token is ignored: the thief's own, new complaint
        assert shown_code(thief) != victim_code
        assert Complaint.objects.count() == 2
    else:
        assert r.status_code in (400, 409) and Complaint.objects.count() == 1
    assert victim_code not in thief.get("/complaints/submitted/").content.decode()


def test_the_same_session_replaying_its_token_sees_its_own_result(client, calendar, depts):
    token = issued_token(client)
    assert client.post(NEW, form_data(submission_token=token)).status_code == 302
    code = shown_code(client)
    again = client.post(NEW, form_data(submission_token=token))
    assert again.status_code == 302 and again["Location"] == "/complaints/submitted/"
    assert shown_code(client) == code and Complaint.objects.count() == 1


def test_the_form_token_is_single_use_for_other_content(client, calendar, depts):
    token = issued_token(client)
    assert client.post(NEW, form_data(submission_token=token)).status_code == 302
    r = client.post(NEW, form_data(submission_token=token, facts="另一件事：窗口工作人员上班时间玩手机，不理睬办事群众。"))
    assert r.status_code == 409 and Complaint.objects.count() == 1
    html = r.content.decode()
    assert "已经提交" in html and token not in html  # a fresh token, so a deliberate second complaint can go
    fresh = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
    r = client.post(NEW, form_data(submission_token=fresh, facts="另一件事：窗口工作人员上班时间玩手机，不理睬办事群众。"))
    assert r.status_code == 302 and Complaint.objects.count() == 2


def test_same_key_other_body_is_409_and_creates_nothing(client, calendar, depts, tokens):
    h = {**tokens["a"], "HTTP_IDEMPOTENCY_KEY": "order-7"}
    first = post_json(client, API, letter(), **h)
    assert first.status_code == 201
    r = post_json(client, API, letter(facts="完全不同的事实：办事大厅没有叫号，群众排队三小时无人理睬。"), **h)
    assert r.status_code == 409 and Complaint.objects.count() == 1
    body = r.json()
    assert body["code"] == "idempotency_conflict" and "Idempotency-Key" in body["error"]
    assert first.json()["number"] not in r.content.decode()
    assert first.json()["tracking_code"] not in r.content.decode()
    # Written differently, the same content is the same request (the phone as a person types it).
    same = post_json(client, API, letter(phone="139 1234 5678"), **h)
    assert same.status_code == 201 and same.json()["number"] == first.json()["number"]


def test_staff_keys_are_their_own(client, calendar, depts, staff):
    from xiaoneng.accounts.testing import make_staff

    other = make_staff("supervisor2", depts["office"], ["supervisor"])
    data = {**form_data(submission_token="staff-form-token-1234567890"), "channel": "hotline"}
    client.force_login(staff["supervisor"])
    assert client.post("/staff/complaints/new/", data).status_code == 302
    client.force_login(other)
    r = client.post("/staff/complaints/new/", data, follow=True)
    first = Complaint.objects.order_by("id").first()
    assert Complaint.objects.count() == 2 and first.tracking_code not in r.content.decode()


def test_an_anonymous_key_without_a_submitter_is_not_used(submit):
    a = submit(key="same-key-everywhere")
    b = submit(key="same-key-everywhere", phone="13800000000")
    assert a.pk != b.pk and b.tracking_code != a.tracking_code


def test_an_overlong_idempotency_key_is_named(client, calendar, depts, tokens):
    r = post_json(client, API, letter(), HTTP_IDEMPOTENCY_KEY="k" * 65, **tokens["a"])
    assert r.status_code == 400 and "Idempotency-Key" in r.json()["error"] and Complaint.objects.count() == 0


# ------------------------------------------------------------------------------------------ limits first
def test_the_rate_limit_applies_before_a_key_hit(client, calendar, depts, tokens, settings):
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_TOKEN": "2/h"}
    h = {**tokens["a"], "HTTP_IDEMPOTENCY_KEY": "order-1"}
    first = post_json(client, API, letter(), **h)
    assert post_json(client, API, letter(phone="13800000001"), **tokens["a"]).status_code == 201
    r = post_json(client, API, letter(), **h)
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert first.json()["tracking_code"] not in r.content.decode()
    assert Complaint.objects.count() == 2


def test_the_public_form_limit_applies_before_its_token(client, calendar, depts, settings):
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "1/h"}
    token = issued_token(client)
    assert client.post(NEW, form_data(submission_token=token)).status_code == 302
    r = client.post(NEW, form_data(submission_token=token))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0


# ------------------------------------------------------------------------------------------ quotas
def test_a_department_system_is_not_limited_like_a_citizen(client, calendar, depts, tokens, settings):
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "5/h", "RATE_PER_CONTACT": "5/h"}
    codes = [post_json(client, API, letter(), **tokens["a"]).status_code for _ in range(8)]
    assert codes == [201] * 8  # the same caller eight times through the 12345 hotline: none lost


def test_a_tokens_quota_is_its_own_and_named(client, calendar, depts, tokens, settings):
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_TOKEN": "3/h"}
    codes = [post_json(client, API, letter(phone=f"1390000{i:04d}"), **tokens["a"]).status_code for i in range(3)]
    r = post_json(client, API, letter(), **tokens["a"])
    assert codes == [201] * 3 and r.status_code == 429
    msg = r.json()["error"]
    assert "sys-a" in msg and "每小时最多 3 件" in msg and "网络地址" not in msg and int(r["Retry-After"]) > 0
    assert "RATE_PER" not in msg
    assert post_json(client, API, letter(), **tokens["b"]).status_code == 201  # another system's own quota
    o = client.post(O311, {**o311_form(), "api_key": tokens["a"]["raw"]})
    assert o.status_code == 429 and int(o["Retry-After"]) > 0 and "sys-a" in o.json()[0]["description"]


def test_staff_entry_has_an_account_quota_not_an_ip_limit(client_as, calendar, depts, settings):
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "1/h", "RATE_PER_CONTACT": "1/h", "RATE_PER_STAFF": "3/h"}
    c = client_as("supervisor")
    codes = [c.post("/staff/complaints/new/", {**form_data(submission_token=f"tok-{i:04d}-xxxxxxxxxxxx"),
                                               "channel": "hotline"}).status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]
    assert Complaint.objects.count() == 3 and not RateCounter.objects.filter(key__startswith="ip:").exists()
    r = c.post("/staff/complaints/new/", {**form_data(), "channel": "hotline"})
    page = r.content.decode()
    assert r.status_code == 429 and "每小时最多 3 件" in page and int(r["Retry-After"]) > 0
    assert "RATE_PER" not in page  # the quota is told as a person says it, never as a setting key


def test_a_staff_form_sent_again_with_other_content_is_refused(client_as, calendar, depts):
    c = client_as("supervisor")
    data = {**form_data(submission_token="staff-form-token-1234567890"), "channel": "hotline"}
    assert c.post("/staff/complaints/new/", data).status_code == 302
    assert c.post("/staff/complaints/new/", data).status_code == 302  # the clerk's double click: one complaint
    r = c.post("/staff/complaints/new/", {**data, "channel": "letter"})
    assert r.status_code == 409 and "已经提交过" in r.content.decode() and Complaint.objects.count() == 1
    assert "staff-form-token-1234567890" not in r.content.decode()


# ------------------------------------------------------------------------------------------ Open311 api_key
def test_open311_refuses_an_api_key_in_the_query_string(client, calendar, depts, tokens):
    r = client.post(f"{O311}?api_key={tokens['a']['raw']}", o311_form())
    assert r.status_code == 400 and Complaint.objects.count() == 0
    assert "请求体" in r.json()[0]["description"] and "api_key" in r.json()[0]["description"]
    # …even when the body carries a key as well: the one in the address has leaked to the logs already.
    r = client.post(f"{O311}?api_key={tokens['a']['raw']}", {**o311_form(), "api_key": tokens["a"]["raw"]})
    assert r.status_code == 400 and Complaint.objects.count() == 0
    assert client.post(O311, {**o311_form(), "api_key": tokens["a"]["raw"]}).status_code == 201
    r = client.post(O311, o311_form(phone="13800000000"), HTTP_AUTHORIZATION=tokens["a"]["HTTP_AUTHORIZATION"])
    assert r.status_code == 201


@pytest.mark.parametrize("body", [{}, {"api_key": "bogus"}])
def test_open311_without_a_valid_key_is_401(client, calendar, depts, body):
    r = client.post(O311, {**o311_form(), **body})
    assert r.status_code == 401 and "api_key" in r.json()[0]["description"]


# ------------------------------------------------------------------------------------------ concurrent re-sends
@pytest.mark.django_db(transaction=True)
def test_concurrent_resends_of_one_request_make_one_complaint(calendar, depts, tokens):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: concurrent submits are serialised by the database itself")
    import threading

    from xiaoneng.accounts.models import ApiClient
    from xiaoneng.complaints import services
    from xiaoneng.complaints.categories import categories_ensure
    from xiaoneng.complaints.intake import clean_intake

    from .conftest import T0

    categories_ensure()
    client = ApiClient.objects.get(name="sys-a")
    results, errors = [], []
    start = threading.Barrier(4)

    def send(facts):
        try:
            intake = clean_intake(letter(facts=facts), today=T0.date())
            start.wait()
            results.append(services.complaint_submit(intake=intake, channel="api", now=T0, client=client,
                                                     idempotency_key="resend-1").pk)
        except services.IdempotencyConflict as exc:
            errors.append(exc)
        finally:
            connection.close()

    same = letter()["facts"]
    threads = [threading.Thread(target=send, args=(f,)) for f in (same, same, same, same + "（另一件）")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Complaint.objects.count() == 1
    # Whichever arrived first created the complaint: the other content is refused, or (if it came first) the
    # three identical ones are.
    assert (len(results), len(errors)) in ((3, 1), (1, 3)) and len(set(results)) == 1


# ------------------------------------------------------------------------------------------ migration
@pytest.mark.django_db(transaction=True)
def test_stored_keys_get_their_submitters_scope(calendar, depts, staff, tokens):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from xiaoneng.accounts.models import ApiClient

    from .conftest import T0

    before = [("complaints", "0006_complainant_language")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Old = executor.loader.project_state(before).apps.get_model("complaints", "Complaint")
    client_id = ApiClient.objects.get(name="sys-a").pk

    Category = executor.loader.project_state(before).apps.get_model("complaints", "ComplaintCategory")
    cat = Category.objects.first() or Category.objects.create(code="TS-MIG", name="迁移测试")  # flushed by another test

    def complaint(n, channel="web", **kw):
        return Old.objects.create(
            number=f"TS2026-{n:06d}", tracking_code=f"CODE{n:012d}", channel=channel, category_id=cat.pk,
            department_id=depts["a"].pk, facts="事实", request="请求", received_at=T0, updated_at=T0,
            identity_mode="confidential", occurred_on=T0.date(), litigation="none", **kw)

    complaint(1, idempotency_key="k1", client_id=client_id, channel="api")
    complaint(2, idempotency_key="k2", created_by_id=staff["supervisor"].pk, channel="hotline")
    complaint(3, idempotency_key="k1-form")
    complaint(4)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    scopes = dict(Complaint.objects.values_list("number", "idempotency_scope"))
    assert scopes == {"TS2026-000001": f"client:{client_id}", "TS2026-000002": f"staff:{staff['supervisor'].pk}",
                      "TS2026-000003": "legacy", "TS2026-000004": ""}


def test_the_wait_is_told_in_minutes_or_hours_not_thousands_of_seconds(client, calendar, depts, tokens, settings):
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_TOKEN": "1/d"}
    assert post_json(client, API, letter(), **tokens["a"]).status_code == 201
    r = post_json(client, API, letter(phone="13800000002"), **tokens["a"])
    msg = r.json()["error"]
    wait = int(r["Retry-After"])  # the header keeps the exact seconds, for machines
    unit = "小时" if wait > 3600 else "分钟" if wait >= 60 else "秒"  # the window ends at midnight UTC
    assert r.status_code == 429 and f"{unit}后重试" in msg and f"{wait} 秒" not in msg, msg
