"""Pages for every role: who may open what, actions through the pages (errors beside fields), HTML in
complaint text shown as text, no inline scripts or styles, and bounded query counts."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from xiaoneng.complaints import services
from xiaoneng.complaints.models import Complaint, Dispatch, Rating, Status

from .conftest import T0

ROLES = ["window", "handler", "head", "handler_b", "supervisor", "leader", "admin", "anonymous"]
XSS = '<script>window.__x=1</script><img src=x onerror="window.__x=2">'


def as_role(client, staff, role):
    if role != "anonymous":
        client.force_login(staff[role])
    return client


# url name → roles answering 200 (others: 403, anonymous: redirect to login)
STAFF_PAGES = {
    "/staff/complaints/": {"handler", "head", "handler_b", "supervisor", "leader", "admin"},
    "/staff/complaints/board/": {"supervisor"},
    "/staff/complaints/overdue/": {"supervisor", "leader"},
    "/staff/complaints/new/": {"supervisor"},
    "/staff/complaints/figures/": {"supervisor", "leader", "admin", "head"},
    "/staff/complaints/blocklist/": {"supervisor"},
    "/staff/complaints/access-log/": {"supervisor"},
}


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_open_to_everyone(client, staff, calendar, role):
    c = as_role(client, staff, role)
    for url in ("/complaints/", "/complaints/new/", "/complaints/track/", "/complaints/mailbox/"):
        assert c.get(url).status_code == 200, url


@pytest.mark.parametrize(("name", "level", "title"), [
    ("", "", "县长信箱"), ("清源县", "", "县长信箱"), ("清源区", "", "区长信箱"), ("清源市", "", "市长信箱"),
    ("清源县", "district", "区长信箱"),
])
def test_the_mailbox_is_named_by_the_governments_level(client, calendar, settings, name, level, title):
    """Issue 10 §4: a county's public mailbox said 区长信箱. The title follows XIAONENG_GOVERNMENT_LEVEL, else
    the last character of XIAONENG_COUNTY_NAME, else a county."""
    from xiaoneng.complaints.models import Channel, channel_label

    settings.XIAONENG_COUNTY_NAME, settings.XIAONENG_GOVERNMENT_LEVEL = name, level
    for url in ("/complaints/", "/complaints/mailbox/"):
        html = client.get(url).content.decode()
        assert title in html and not {"县长信箱", "区长信箱", "市长信箱"} - {title} & set(re.findall(r".长信箱", html))
    assert channel_label(Channel.MAILBOX) == title and str(Channel.MAILBOX.label) == title


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_by_role(client, staff, calendar, role):
    c = as_role(client, staff, role)
    for url, allowed in STAFF_PAGES.items():
        r = c.get(url)
        if role == "anonymous":
            assert r.status_code == 302 and "/accounts/login/" in r["Location"], url
        else:
            assert r.status_code == (200 if role in allowed else 403), (url, role)


@pytest.mark.parametrize("role,expected", [
    ("window", 403), ("handler", 200), ("head", 200), ("handler_b", 404), ("supervisor", 200), ("leader", 200),
    ("admin", 200), ("anonymous", 302),
])
def test_complaint_page_by_role(client, staff, dispatched, role, expected):
    r = as_role(client, staff, role).get(f"/staff/complaints/{dispatched.number}/")
    assert r.status_code == expected


@pytest.mark.parametrize("role,expected", [
    ("window", 403), ("handler", 404), ("head", 404), ("handler_b", 404), ("leader", 403), ("admin", 403),
    ("anonymous", 302),
])
def test_actions_refused_to_everyone_but_the_office(client, staff, submit, role, expected):
    c = submit()
    r = as_role(client, staff, role).post(f"/staff/complaints/{c.number}/do/accept/", {"notice": ""})
    assert r.status_code == expected
    c.refresh_from_db()
    assert c.status == Status.RECEIVED


def test_department_actions_refused_to_other_departments(client, staff, dispatched):
    d = dispatched.dispatches.get()
    client.force_login(staff["handler_b"])
    r = client.post(f"/staff/complaints/{dispatched.number}/do/result/", {
        "dispatch": d.pk, "outcome": "substantiated", "findings": "越权报送的结果", "measures": "无"})
    assert r.status_code == 404
    d.refresh_from_db()
    assert d.result_at is None


def test_inbox_scoping(client, staff, dispatched, submit):
    other = submit()  # not dispatched
    client.force_login(staff["head"])
    numbers = [c.number for c in client.get("/staff/complaints/").context["page"]]
    assert numbers == [dispatched.number]
    client.force_login(staff["handler_b"])
    assert list(client.get("/staff/complaints/").context["page"]) == []
    client.force_login(staff["supervisor"])
    assert {c.number for c in client.get("/staff/complaints/").context["page"]} == {dispatched.number, other.number}
    r = client.get("/staff/complaints/", {"status": "received"})
    assert [c.number for c in r.context["page"]] == [other.number]


def test_full_flow_through_the_pages(client, staff, submit, depts, django_capture_on_commit_callbacks):
    c = submit()
    sup = staff["supervisor"]
    client.force_login(sup)
    base = f"/staff/complaints/{c.number}/"
    page = client.get(base).content.decode()
    assert 'data-testid="form-accept"' in page and 'data-testid="form-refuse"' in page
    r = client.post(base + "do/refuse/", {"reason": "", "text": ""})
    html = r.content.decode()
    assert r.status_code == 400 and 'id="err-reason-err"' in html and 'id="err-text-err"' in html
    assert client.post(base + "do/accept/", {"notice": ""}).status_code == 302
    r = client.post(base + "do/dispatch/", {"departments": [depts["a"].pk, depts["b"].pk], "lead": depts["a"].pk,
                                            "limit_wd": "", "instructions": "请核查"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == Status.DISPATCHED and c.dispatches.count() == 2
    lead = c.dispatches.get(is_lead=True)
    client.force_login(staff["handler"])
    page = client.get(base).content.decode()
    assert 'data-testid="form-result"' in page and 'data-testid="form-dispute"' in page
    assert client.post(base + "do/note/", {"text": "调取监控"}).status_code == 302
    assert client.post(base + "do/extension/", {"dispatch": lead.pk, "days": "2", "reason": "需要调取监控录像"}).status_code == 302
    r = client.post(base + "do/result/", {"dispatch": lead.pk, "outcome": "partly", "findings": "部分属实，有延误。",
                                          "measures": "已批评教育"})
    assert r.status_code == 302
    r = client.post(base + "do/reply/", {"text": "您反映的问题部分属实，已对承办人批评教育。"})
    assert r.status_code == 302
    client.force_login(sup)
    ext = c.extensions.get()
    assert client.post(base + "do/decide_extension/", {"extension": ext.pk, "approve": "1"}).status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(base + "do/review/", {"approve": "1", "comment": "", "publishable": "on"}, follow=True)
    msg = r.content.decode()
    link = re.search(r"(http://testserver/complaints/follow-up/[\w-]+/)", msg).group(1)
    # One e-mail to the complainant for the reply (the service's notice, with the one-time link), not two (the
    # acceptance notice queued earlier goes out in the same send).
    replies = [m for m in mail.outbox if "/complaints/follow-up/" in m.body]
    assert len(replies) == 1 and replies[0].to == [c.identity.email]
    assert len({m.subject for m in mail.outbox}) == len(mail.outbox) == 2
    c.refresh_from_db()
    assert c.status == Status.REPLIED and c.publishable
    client.logout()
    assert "部分属实" in client.get(f"/complaints/mailbox/{c.number}/").content.decode()
    path = link.replace("http://testserver", "")
    assert client.get(path).status_code == 200
    r = client.post(path, {"rating": "satisfied", "comment": "谢谢"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == Status.CLOSED and c.rating == Rating.SATISFIED
    assert client.get(path).status_code == 404  # the one-time link is spent


def test_rating_on_tracking_page_and_reopen(client, staff, dispatched):
    d = dispatched.dispatches.get()
    now = timezone.now()  # the page rates "now": the follow-up period must still run
    services.dispatch_result(dispatch=d, by=staff["handler"], now=now, outcome="not_substantiated",
                             findings="经查不属实。", measures="已解释说明。")
    r = services.reply_draft(complaint=dispatched, by=staff["supervisor"], now=now, text="经调查，您反映的问题不属实。")
    services.reply_review(reply=r, by=staff["supervisor"], now=now, approve=True)
    url = f"/complaints/track/{dispatched.tracking_code}/"
    page = client.get(url).content.decode()
    assert "经调查，您反映的问题不属实" in page and 'name="rating"' in page
    r = client.post(url, {"rating": "unsatisfied", "reopen": "on", "reopen_reason": ""})
    assert r.status_code == 400 and "重新办理的理由" in r.content.decode()
    r = client.post(url, {"rating": "unsatisfied", "reopen": "on", "reopen_reason": "调查不实，窗口确实拖延了。"})
    assert r.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == Status.ACCEPTED and dispatched.reopen_count == 1


def test_tracking_page_shows_no_internal_notes(client, staff, dispatched):
    services.complaint_note_add(complaint=dispatched, by=staff["handler"], now=T0, text="内部：窗口主任说投诉人难缠")
    services.extension_request(dispatch=dispatched.dispatches.get(), by=staff["handler"], now=T0, days=2,
                               reason="内部：领导出差签不了字")
    html = client.get(f"/complaints/track/{dispatched.tracking_code}/").content.decode()
    assert "内部" not in html and "转交" in html and "受理告知" in html


def test_html_in_complaint_text_is_escaped(client, staff, submit):
    c = submit(facts=XSS + "窗口拖延办理十天以上。", request=XSS, staff_name=XSS[:100])
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    pages = [f"/complaints/track/{c.tracking_code}/"]
    client.force_login(staff["supervisor"])
    pages += [f"/staff/complaints/{c.number}/", "/staff/complaints/"]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>window.__x" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in client.get(pages[1]).content.decode()


def test_pages_have_no_inline_script_or_style(client, staff, dispatched):
    urls = ["/complaints/", "/complaints/new/", f"/complaints/track/{dispatched.tracking_code}/", "/complaints/mailbox/"]
    client.force_login(staff["supervisor"])
    urls += [f"/staff/complaints/{dispatched.number}/", "/staff/complaints/", "/staff/complaints/board/",
             "/staff/complaints/figures/", "/staff/complaints/new/", "/staff/complaints/blocklist/",
             f"/staff/complaints/{dispatched.number}/messages/"]
    for url in urls:
        html = client.get(url).content.decode()
        assert "style=" not in html, url
        # Scripts from files only; a JSON data block (json_script, never executed) is not a script.
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html), url
        assert " onclick=" not in html and " onerror=" not in html, url
        # Every visible input has a label.
        ids = set(re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html))
        labelled = set(re.findall(r'for="([^"]+)"', html))
        radios = {i for i in ids if re.search(r"_\d+$", i)}
        assert ids - labelled - radios == set(), (url, ids - labelled - radios)


def test_inbox_and_board_query_counts(client, staff, submit, depts, django_assert_max_num_queries):
    for i in range(30):
        c = submit(phone=f"1390000{i:04d}")
        if i % 2:
            services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    client.force_login(staff["supervisor"])
    with django_assert_max_num_queries(12):
        r = client.get("/staff/complaints/")
    assert len(r.context["page"]) == 30
    with django_assert_max_num_queries(16):
        client.get("/staff/complaints/board/")
    client.force_login(staff["head"])
    with django_assert_max_num_queries(12):
        client.get("/staff/complaints/")


def test_staff_entry_shows_code_to_tell_the_complainant(client, staff, calendar, depts):
    from .test_intake import form_data

    client.force_login(staff["supervisor"])
    r = client.post("/staff/complaints/new/", {**form_data(), "channel": "hotline"}, follow=True)
    c = Complaint.objects.get()
    assert services.tracking_code_display(c.tracking_code) in r.content.decode()


def test_dispute_decision_through_the_page(client, staff, accepted, depts):
    # Dispatched "now": the page checks the 1-wd dispute limit against the real clock.
    d = services.complaint_dispatch(complaint=accepted, by=staff["supervisor"], now=timezone.now(),
                                    departments=[depts["a"]])[0]
    dispatched = accepted
    client.force_login(staff["handler"])
    base = f"/staff/complaints/{dispatched.number}/"
    assert client.post(base + "do/dispute/", {"dispatch": d.pk, "reason": "该事项属自然资源局职责"}).status_code == 302
    client.force_login(staff["supervisor"])
    assert "处理转办异议" in client.get(base).content.decode()
    r = client.post(base + "do/decide_dispute/", {"dispatch": d.pk, "uphold": "1", "redirect_to": depts["b"].pk,
                                                  "text": "改派"})
    assert r.status_code == 302
    assert dispatched.dispatches.get(state=Dispatch.State.ACTIVE).department == depts["b"]


def test_complainant_withdraws_with_the_tracking_code(client, submit):
    c = submit()
    url = f"/complaints/track/{c.tracking_code}/"
    assert 'id="wd-reason"' in client.get(url).content.decode()
    r = client.post(url + "withdraw/", {"reason": ""})
    assert r.status_code == 400 and 'id="wd-reason-err"' in r.content.decode()
    assert client.post(url + "withdraw/", {"reason": "问题已经解决了"}).status_code == 302
    c.refresh_from_db()
    assert c.status == Status.WITHDRAWN and "撤销告知" in client.get(url).content.decode()
    assert client.post(url + "withdraw/", {"reason": "再撤一次"}).status_code == 400


def test_complaint_page_query_count_does_not_grow_with_history(client, staff, dispatched,
                                                               django_assert_max_num_queries):
    for i in range(15):
        services.complaint_note_add(complaint=dispatched, by=staff["handler"], now=T0, text=f"调查记录 {i}")
    for role in ("supervisor", "handler"):
        client.force_login(staff[role])
        with django_assert_max_num_queries(25):
            assert client.get(f"/staff/complaints/{dispatched.number}/").status_code == 200
