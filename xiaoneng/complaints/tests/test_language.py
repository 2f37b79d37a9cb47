"""The complainant's language: recorded at intake (the submitting request's for the public form, the API and
Open311; the platform's for a staff entry), and every text meant for the complainant — the public timeline
and the SMS / e-mail notices — written in it, whichever language the staff member who acts speaks."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail
from django.utils import translation

from xiaoneng.complaints import services
from xiaoneng.complaints.models import ComplainantMessage, Complaint, TimelineEntry
from xiaoneng.core import sms
from xiaoneng.core.errors import DomainError

from .conftest import T0, TZ
from .test_api import o311_form, post_json
from .test_intake import form_data


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _outboxes(settings):
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    settings.XIAONENG_PUBLIC_URL = "https://xn.example.gov.cn"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def public(c, kind):
    return TimelineEntry.objects.get(complaint=c, kind=kind).public_text


def bodies(c, kind):
    """The stored notice of `kind` per channel: (subject, body)."""
    return {m.channel: (m.subject, m.body)
            for m in ComplainantMessage.objects.filter(complaint=c, entry__kind=kind)}


# ------------------------------------------------------------------------------------------ intake
@pytest.mark.parametrize(("header", "expected"), [("en", "en"), ("en-US,en;q=0.9", "en"), ("zh-CN", "zh-hans"),
                                                  ("fr", "zh-hans"), (None, "zh-hans")])
def test_the_public_form_records_the_language_it_was_sent_in(client, calendar, depts, header, expected):
    headers = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    assert client.post("/complaints/new/", form_data(), **headers).status_code == 302
    assert Complaint.objects.get().language == expected


def test_the_language_cookie_decides_over_the_browser(client, calendar, depts):
    client.cookies["django_language"] = "en"
    assert client.post("/complaints/new/", form_data(), HTTP_ACCEPT_LANGUAGE="zh-CN").status_code == 302
    assert Complaint.objects.get().language == "en"


def test_api_and_open311_record_the_clients_language(client, calendar, depts, tokens):
    r = post_json(client, "/api/v1/complaints", form_data(), HTTP_ACCEPT_LANGUAGE="en", **tokens["a"])
    assert r.status_code == 201, r.content
    assert Complaint.objects.get(number=r.json()["number"]).language == "en"
    r = client.post("/open311/v2/requests.json", {**o311_form(), "api_key": tokens["a"]["raw"]},
                    HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 201, r.content
    c = Complaint.objects.get(number=r.json()[0]["service_request_id"])
    assert c.language == "en" and public(c, "received").startswith("Your complaint has been registered (Open311 API)")
    r = client.post("/open311/v2/requests.json", {**o311_form(phone="13900000001"), "api_key": tokens["a"]["raw"]})
    assert Complaint.objects.get(number=r.json()[0]["service_request_id"]).language == "zh-hans"


def test_a_staff_entry_is_in_the_platforms_language_whatever_the_clerks(client_as, calendar, depts, submit, staff):
    r = client_as("supervisor").post("/staff/complaints/new/", {**form_data(), "channel": "hotline"},
                                     HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302
    c = Complaint.objects.get()
    assert c.language == "zh-hans" and public(c, "received").startswith("您的投诉已登记（投诉热线（96150））")
    with translation.override("en"):
        letter = submit(channel="letter", by=staff["supervisor"], phone="13900000002")
    assert letter.language == "zh-hans" and public(letter, "received").startswith("您的投诉已登记（来信）")


# ------------------------------------------------------------------------------------------ notices
def test_an_english_complaint_gets_english_notices_from_a_chinese_clerk(submit, staff, depts, client,
                                                                         django_capture_on_commit_callbacks):
    with translation.override("en"):
        c = submit()
    assert c.language == "en"
    sup = staff["supervisor"]
    # The clerks act in Chinese (the platform's default language, no override).
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_accept(complaint=c, by=sup, now=T0)
    assert public(c, "accepted") == (
        "Notice of acceptance: Your complaint falls within the scope of efficiency complaints. The supervision "
        "office decided on March 2, 2026 to accept it and will pass it to the responsible body for investigation; "
        "you will be told the result.")
    subject, body = bodies(c, "accepted")["email"]
    assert subject == f"Efficiency complaint {c.number}: Notice of acceptance"
    assert body.startswith(f"[Supervision office] Your complaint (number {c.number}): Notice of acceptance: ")
    assert body.endswith(f" Follow its progress: https://xn.example.gov.cn/complaints/track/{c.tracking_code}/")
    assert sms.outbox[-1][1] == body and mail.outbox[-1].subject == subject

    services.complaint_dispatch(complaint=c, by=sup, now=T0, departments=[depts["a"]])
    assert public(c, "dispatched").startswith(f"The supervision office has passed your complaint to {depts['a'].name}")
    d = c.dispatches.get()
    services.dispatch_result(dispatch=d, by=staff["handler"], now=at(3, 3), outcome="substantiated",
                             findings="经核查情况属实，窗口人员拖延办理。", measures="批评教育并限期办结。")
    r = services.reply_draft(complaint=c, by=staff["handler"], now=at(3, 4), text="经核查您反映的问题属实，已责令整改。")
    with django_capture_on_commit_callbacks(execute=True):
        _r, token = services.reply_review(reply=r, by=sup, now=at(3, 5), approve=True)
    assert public(c, "replied") == "Reply: 经核查您反映的问题属实，已责令整改。"  # the reply itself as written
    subject, body = bodies(c, "replied")["sms"]
    assert subject == f"Efficiency complaint {c.number}: Reply"
    assert "): Reply: 经核查" in body and " Please rate the reply: https://xn.example.gov.cn/complaints/follow-up/" in body
    assert f" Please rate the reply: https://xn.example.gov.cn/complaints/follow-up/{token}/" in sms.outbox[-1][1]
    assert "您的投诉" not in body and "效能办" not in body

    # The tracking page shows the stored texts, whichever language the reader's browser asks for.
    page = client.get(f"/complaints/track/{c.tracking_code}/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Notice of acceptance: Your complaint falls within the scope" in page
    # The rating the complainant gives (here with the tracking code) is recorded in their language too.
    services.complaint_rate(complaint=c, now=at(3, 6), rating="satisfied", comment="谢谢")
    assert public(c, "rated") == "Your rating: Satisfied. 谢谢"


@pytest.mark.parametrize("action", ["refuse", "transfer"])
def test_refusal_and_transfer_of_an_english_complaint_are_english(submit, staff, action):
    with translation.override("en"):
        c = submit()
    if action == "refuse":
        services.complaint_refuse(complaint=c, by=staff["supervisor"], now=T0, reason="not_in_scope",
                                  text="所反映事项不属于效能投诉受理范围。")
        expected = ("Notice of refusal: after examination, your complaint is not accepted (Outside the scope of "
                    "efficiency complaints). 所反映事项不属于效能投诉受理范围。")
    else:
        services.complaint_transfer(complaint=c, by=staff["supervisor"], now=T0, authority="县纪委监委",
                                    text="反映的问题涉及违纪，依规移送。")
        expected = ("Notice of transfer: by law your complaint is for 县纪委监委 to handle; the supervision office "
                    "transferred it on March 2, 2026. 反映的问题涉及违纪，依规移送。")
    kind = "refused" if action == "refuse" else "transferred"
    assert public(c, kind) == expected
    what = "Notice of refusal" if action == "refuse" else "Notice of transfer"
    for subject, body in bodies(c, kind).values():
        assert subject == f"Efficiency complaint {c.number}: {what}" and expected in body


def test_a_chinese_complaint_gets_chinese_notices_from_an_english_clerk(submit, staff, depts):
    c = submit()
    assert c.language == "zh-hans"
    sup = staff["supervisor"]
    with translation.override("en"):  # the clerk's request speaks English
        services.complaint_accept(complaint=c, by=sup, now=T0)
        services.complaint_dispatch(complaint=c, by=sup, now=T0, departments=[depts["a"]])
        services.complaint_pause(complaint=c, by=sup, now=at(3, 3), reason="需等待投诉人补充材料")
        services.complaint_resume(complaint=c, by=sup, now=at(3, 5))
        d = c.dispatches.get()
        services.dispatch_result(dispatch=d, by=staff["handler"], now=at(3, 6), outcome="partly",
                                 findings="部分属实，存在延误。", measures="已批评教育。")
        r = services.reply_draft(complaint=c, by=staff["handler"], now=at(3, 9), text="您反映的问题部分属实，已整改。")
        _r, token = services.reply_review(reply=r, by=sup, now=at(3, 10), approve=True)
        # A staff-facing text (the message page's retry error) is still the clerk's language.
        m = ComplainantMessage.objects.filter(complaint=c).first()
        with pytest.raises(DomainError) as err:
            services.complainant_message_retry(message=m, by=sup, now=at(3, 10))
        assert err.value.message == "Only a notice that failed can be resent."
    assert public(c, "accepted") == ("受理告知：您反映的问题属于效能投诉受理范围，效能办已于 2026年3月2日 决定受理，"
                                     "将转交有关单位调查处理，处理结果将及时答复您。")
    assert public(c, "dispatched") == f"效能办已将您的投诉转交{depts['a'].name}调查处理，办理期限至 2026年3月16日。"
    assert public(c, "paused").startswith("中止告知：因需等待投诉人补充材料，本投诉自 2026年3月3日 中止办理")
    assert public(c, "resumed") == "本投诉已于 2026年3月5日 恢复办理（中止 2 个工作日，不计入期限）。"
    assert public(c, "replied") == "答复：您反映的问题部分属实，已整改。"
    accepted, replied = bodies(c, "accepted"), bodies(c, "replied")
    assert accepted["sms"] == (f"效能投诉 {c.number}：受理告知",
                               f"【效能办】您的投诉（编号 {c.number}）{public(c, 'accepted')} 查询办理进度："
                               f"https://xn.example.gov.cn/complaints/track/{c.tracking_code}/")
    subject, body = replied["email"]
    assert subject == f"效能投诉 {c.number}：答复"
    assert body == (f"【效能办】您的投诉（编号 {c.number}）答复：您反映的问题部分属实，已整改。 请对答复作出评价："
                    f"https://xn.example.gov.cn/complaints/follow-up/{token}/ 查询办理进度："
                    f"https://xn.example.gov.cn/complaints/track/{c.tracking_code}/")
    assert services.complainant_messages_send(now=at(3, 10)) == 4
    assert all(text.startswith("【效能办】您的投诉") for _p, text in sms.outbox)
    assert all(m.subject.startswith("效能投诉 ") for m in mail.outbox)


def test_follow_up_expiry_by_the_tick_is_in_the_complainants_language(submit, staff, depts):
    from xiaoneng.complaints.models import Status

    closed = {}
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            c = submit(phone="13900000003" if lang == "en" else "13900000004")
        services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
        services.complaint_dispatch(complaint=c, by=staff["supervisor"], now=T0, departments=[depts["a"]])
        services.dispatch_result(dispatch=c.dispatches.get(), by=staff["handler"], now=at(3, 3), outcome="partly",
                                 findings="部分属实，存在延误。", measures="已批评教育。")
        r = services.reply_draft(complaint=c, by=staff["handler"], now=at(3, 4), text="您反映的问题部分属实，已整改。")
        services.reply_review(reply=r, by=staff["supervisor"], now=at(3, 5), approve=True)
        closed[lang] = c
    with translation.override("en"):
        assert services.complaints_follow_up_expire(ids=[c.pk for c in closed.values()], now=at(6, 1)) == 2
    assert Complaint.objects.filter(status=Status.CLOSED).count() == 2
    assert public(closed["en"], "follow_up_expired") == (
        "The follow-up period ended without a rating; the complaint is closed as not rated.")
    assert public(closed["zh-hans"], "follow_up_expired") == "回访期满未收到评价，本投诉按未评价办结。"


def test_complainant_language_normalises_to_the_platforms_languages():
    assert services.complainant_language("en-gb") == "en"
    assert services.complainant_language("zh-cn") == "zh-hans"
    assert services.complainant_language("de") == "zh-hans"
    with translation.override("en"):
        assert services.complainant_language() == "en"


# ------------------------------------------------------------------------------------------ staff entry, chosen language
def staff_post(client, **over):
    """The staff entry page's POST as a Chinese-speaking clerk's browser sends it."""
    return client.post("/staff/complaints/new/", {**form_data(), "channel": "hotline", **over},
                       HTTP_ACCEPT_LANGUAGE="zh-CN")


def test_staff_entry_page_offers_the_languages_with_chinese_selected(client_as, calendar, depts):
    r = client_as("supervisor").get("/staff/complaints/new/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    page = r.content.decode()
    assert r.status_code == 200 and "投诉人使用的语言" in page
    assert '<option value="zh-hans" selected>简体中文</option>' in page and '<option value="en">English</option>' in page


def test_staff_entry_in_english_gets_english_notices_from_chinese_clerks(
        client_as, calendar, depts, client, django_capture_on_commit_callbacks):
    office = client_as("supervisor")
    assert staff_post(office, language="en").status_code == 302
    c = Complaint.objects.get()
    assert c.language == "en" and c.created_by is not None
    assert public(c, "received").startswith("Your complaint has been registered (Complaint hotline (96150))")
    # The clerk's page stays Chinese.
    page = office.get(f"/staff/complaints/{c.number}/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "受理告知（可修改）" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = office.post(f"/staff/complaints/{c.number}/do/accept/", {"notice": ""}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert r.status_code == 302
    assert public(c, "accepted").startswith("Notice of acceptance: Your complaint falls within the scope")
    subject, body = bodies(c, "accepted")["sms"]
    assert subject == f"Efficiency complaint {c.number}: Notice of acceptance"
    assert body.startswith(f"[Supervision office] Your complaint (number {c.number}): Notice of acceptance: ")
    assert sms.outbox[-1][1] == body and mail.outbox[-1].subject == subject
    assert "效能办" not in body and "您的投诉" not in body
    # The tracking page shows the stored English texts to a reader whose browser asks for Chinese.
    client.logout()
    track = client.get(f"/complaints/track/{c.tracking_code}/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Your complaint has been registered" in track and "Notice of acceptance: Your complaint" in track


def test_staff_entry_in_english_refused_through_the_page(client_as, calendar, depts):
    office = client_as("supervisor")
    assert staff_post(office, language="en").status_code == 302
    c = Complaint.objects.get()
    r = office.post(f"/staff/complaints/{c.number}/do/refuse/",
                    {"reason": "not_in_scope", "text": "所反映事项不属于效能投诉受理范围。"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert r.status_code == 302
    expected = ("Notice of refusal: after examination, your complaint is not accepted (Outside the scope of "
                "efficiency complaints). 所反映事项不属于效能投诉受理范围。")
    assert public(c, "refused") == expected
    assert {subject for subject, _body in bodies(c, "refused").values()} == {
        f"Efficiency complaint {c.number}: Notice of refusal"}


@pytest.mark.parametrize("over", [{"language": "zh-hans"}, {}])
def test_staff_entry_defaults_to_the_platforms_language(client_as, calendar, depts, over):
    # {}: a form loaded before the field existed, or a script posting the old fields, still registers.
    # The clerk's browser speaks English: the complainant's language is still the platform's.
    r = client_as("supervisor").post("/staff/complaints/new/", {**form_data(), "channel": "letter", **over},
                                     HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302
    c = Complaint.objects.get()
    assert c.language == "zh-hans" and public(c, "received").startswith("您的投诉已登记（来信）")


@pytest.mark.parametrize("code", ["fr", "en-us", "EN", "<b>x</b>"])
def test_staff_entry_with_an_unknown_language_is_a_form_error(client_as, calendar, depts, code):
    r = staff_post(client_as("supervisor"), language=code)
    assert r.status_code == 400
    page = r.content.decode()
    assert 'id="id_language-err"' in page and "投诉人使用的语言无效" in page
    assert r.context["form"].errors["language"] == [f"投诉人使用的语言无效：{code}。请从列表中选择。"]
    assert "<b>x</b>" not in page  # the value is shown escaped
    assert Complaint.objects.count() == 0


def test_the_service_refuses_an_unknown_language_and_creates_nothing(submit, staff):
    for code in ("fr", "en-US", "", 5):
        with pytest.raises(DomainError) as err:
            submit(channel="hotline", by=staff["supervisor"], language=code)
        assert err.value.field == "language"
        assert err.value.message.startswith("投诉人使用的语言无效：")
        assert "zh-hans（简体中文）、en（English）" in err.value.message
    assert Complaint.objects.count() == 0
    c = submit(channel="hotline", by=staff["supervisor"], language="en")
    assert c.language == "en" and public(c, "received").startswith("Your complaint has been registered")


def test_a_staff_session_on_the_api_may_give_the_language_a_token_may_not(client, client_as, calendar, depts,
                                                                          tokens):
    office = client_as("supervisor")
    r = post_json(office, "/api/v1/complaints", {**form_data(), "channel": "letter", "language": "en"},
                  HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert r.status_code == 201, r.content
    assert Complaint.objects.get(number=r.json()["number"]).language == "en"
    r = post_json(office, "/api/v1/complaints", {**form_data(phone="13900000005"), "channel": "letter"},
                  HTTP_ACCEPT_LANGUAGE="en")
    assert Complaint.objects.get(number=r.json()["number"]).language == "zh-hans"  # default, not the clerk's
    before = Complaint.objects.count()
    r = post_json(office, "/api/v1/complaints", {**form_data(phone="13900000006"), "language": "fr"})
    assert r.status_code == 400 and r.json()["field"] == "language" and "投诉人使用的语言无效" in r.json()["error"]
    assert Complaint.objects.count() == before
    office.logout()
    # A system's token submits as the complainant's own channel: its request's language decides, as before.
    r = post_json(client, "/api/v1/complaints", {**form_data(phone="13900000007"), "language": "en"},
                  HTTP_ACCEPT_LANGUAGE="zh-CN", **tokens["a"])
    assert r.status_code == 201 and Complaint.objects.get(number=r.json()["number"]).language == "zh-hans"


# ------------------------------------------------------------------------------------------ the office's complaint page
@pytest.mark.parametrize(("role", "status", "shown"), [
    ("supervisor", 200, True),
    # Departments and county-wide readers keep the page they had, without the office's notice details (a rare
    # language could point at who complained).
    ("handler", 200, False), ("head", 200, False), ("leader", 200, False), ("admin", 200, False),
    ("window", 403, False), ("handler_b", 404, False), ("anonymous", 302, False),
])
def test_the_complaint_page_shows_the_language_to_the_office_only(client, submit, staff, depts, role, status,
                                                                   shown):
    c = submit(channel="hotline", by=staff["supervisor"], language="en")
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    services.complaint_dispatch(complaint=c, by=staff["supervisor"], now=T0, departments=[depts["a"]])
    if role != "anonymous":
        client.force_login(staff[role])
    r = client.get(f"/staff/complaints/{c.number}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert r.status_code == status
    page = r.content.decode() if status == 200 else ""
    assert ('data-testid="language"' in page) is shown
    assert ("投诉人使用的语言" in page) is shown
    if shown:
        assert "English" in page and "（告知书、短信和邮件使用此语言）" in page
