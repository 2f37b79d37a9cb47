"""Whistle-blower protection: the complainant's identity and contacts reach only the supervision office staff
handling the complaint, every read is recorded, and no public page, department user, leader, administrator or
API client (token or session) can obtain them. Personal data in published replies is masked."""

from __future__ import annotations

import json

import pytest

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.services import api_client_create
from xiaoneng.accounts.testing import make_staff
from xiaoneng.complaints import services
from xiaoneng.complaints.models import Complaint, IdentityAccess
from xiaoneng.complaints.privacy import can_read_identity, mask_personal_data
from xiaoneng.complaints.services._common import _attach

from .conftest import T0, pdf_bytes

NAME, PHONE, EMAIL, ADDRESS, IDNO = "欧阳秘密", "13987654321", "whistle@example.com", "幸福路12号", "330102199001011234"
SECRETS = [NAME, PHONE, "139 8765 4321", EMAIL, ADDRESS, IDNO, "203.0.113.77"]


def assert_no_secret(text: str, where: str = ""):
    for s in SECRETS:
        assert s not in text, f"{s!r} leaked {where}"


@pytest.fixture
def secret(submit, staff, depts):
    """A complaint whose complainant wrote their own name and number into the text too, dispatched to bureau A,
    replied and published, with an attachment that is not shared with the department."""
    c = submit(name=NAME, phone=PHONE, email=EMAIL, address=ADDRESS, ip="203.0.113.77",
               facts=f"我叫{NAME}，电话{PHONE}，住{ADDRESS}。窗口工作人员王科长拖延办理我的营业执照变更三周。",
               request=f"请联系{NAME}本人并尽快办结。", files=[("证据.pdf", pdf_bytes())] and [])
    from xiaoneng.complaints.uploads import clean_uploads

    _attach(c, clean_uploads([("证据.pdf", pdf_bytes())])[0], now=T0)
    from xiaoneng.complaints.models import ComplainantIdentity

    ComplainantIdentity.objects.filter(complaint=c).update(id_no=IDNO)
    sup = staff["supervisor"]
    services.complaint_accept(complaint=c, by=sup, now=T0)
    d = services.complaint_dispatch(complaint=c, by=sup, now=T0, departments=[depts["a"]])[0]
    services.dispatch_result(dispatch=d, by=staff["handler"], now=T0, outcome="substantiated",
                             findings="王科长确有拖延。", measures="已批评教育。")
    r = services.reply_draft(complaint=c, by=sup, now=T0,
                             text=f"{NAME}您好！您反映的问题属实（电话{PHONE}），已责令整改，王科长已作检查。")
    services.reply_review(reply=r, by=sup, now=T0, approve=True, publishable=True)
    c.refresh_from_db()
    return c


@pytest.fixture
def supervisor2(depts):
    return make_staff("supervisor2", depts["office"], [R.SUPERVISOR])


def test_redacted_text_for_departments(secret):
    assert NAME in secret.facts and NAME not in secret.facts_redacted and PHONE not in secret.facts_redacted
    assert "【投诉人】" in secret.facts_redacted and "王科长拖延" in secret.facts_redacted


@pytest.mark.parametrize("role", ["handler", "head", "leader", "admin", "supervisor"])
def test_detail_page_never_shows_identity_inline(client_as, secret, role):
    html = client_as(role).get(f"/staff/complaints/{secret.number}/").content.decode()
    if role == "supervisor":
        # The office reads the original letter (which contains what the complainant wrote), but not the
        # identity record: no e-mail, ID number, IP.
        for s in (EMAIL, IDNO, "203.0.113.77"):
            assert s not in html
        assert "查看投诉人身份" in html
    else:
        assert_no_secret(html, f"on the detail page to {role}")
        assert "查看投诉人身份" not in html


@pytest.mark.parametrize("role", ["window", "handler", "head", "handler_b", "leader", "admin"])
def test_identity_page_refused_to_everyone_but_the_office_handler(client_as, secret, role):
    r = client_as(role).get(f"/staff/complaints/{secret.number}/identity/")
    assert r.status_code == 403
    assert_no_secret(r.content.decode(), f"on the identity page to {role}")
    assert IdentityAccess.objects.count() == 0


def test_identity_page_for_the_handler_records_every_read(client_as, secret, staff):
    c = client_as("supervisor")
    for _ in range(2):
        r = c.get(f"/staff/complaints/{secret.number}/identity/", {"purpose": "回访核实"})
        html = r.content.decode()
        assert r.status_code == 200 and NAME in html and PHONE in html and IDNO in html and EMAIL in html
    reads = list(IdentityAccess.objects.filter(complaint=secret))
    assert len(reads) == 2 and {a.staff for a in reads} == {staff["supervisor"]} and reads[0].purpose == "回访核实"
    log = c.get("/staff/complaints/access-log/").content.decode()
    assert secret.number in log
    assert_no_secret(log, "in the access log")


def test_other_supervisors_do_not_see_an_assigned_complaint_identity(client, secret, supervisor2, submit):
    client.force_login(supervisor2)
    assert client.get(f"/staff/complaints/{secret.number}/identity/").status_code == 403
    fresh = submit()  # unassigned, awaiting acceptance: any supervisor triaging the inbox may check it
    assert can_read_identity(supervisor2, fresh)
    assert client.get(f"/staff/complaints/{fresh.number}/identity/").status_code == 200


def test_department_attachment_only_when_shared(client_as, secret, staff):
    a = secret.attachments.get()
    url = f"/staff/complaints/{secret.number}/files/{a.pk}/"
    assert client_as("handler").get(url).status_code == 404
    services.attachment_share(attachment=a, by=staff["supervisor"], shared=True)
    assert client_as("handler").get(url).status_code == 200
    assert client_as("leader").get(url).status_code == 404
    assert client_as("handler_b").get(url).status_code == 404


@pytest.mark.parametrize("role", ["handler", "head", "handler_b", "leader", "admin", "supervisor"])
def test_lists_and_api_sessions_never_carry_identity(client_as, secret, role):
    c = client_as(role)
    for url in ("/staff/complaints/", "/api/v1/complaints", f"/api/v1/complaints/{secret.number}",
                "/staff/complaints/board/", "/staff/complaints/overdue/"):
        r = c.get(url)
        assert r.status_code in (200, 403, 404), url
        assert_no_secret(r.content.decode(), f"at {url} to {role}")


def test_department_tokens_never_get_identity(client, secret, depts):
    for dept in ("a", "b"):
        _, raw = api_client_create(name=f"sys-{dept}", department=depts[dept], by=None, now=T0)
        h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        body = client.get("/api/v1/complaints", **h).content.decode()
        assert_no_secret(body, f"in the list to token {dept}")
        r = client.get(f"/api/v1/complaints/{secret.number}", **h)
        assert r.status_code == (200 if dept == "a" else 404)
        assert_no_secret(r.content.decode(), f"in the detail to token {dept}")
        assert "tracking_code" not in json.loads(body)["items"][0] if json.loads(body)["items"] else True


def test_no_public_page_or_open311_answer_carries_identity(client, secret):
    urls = ["/complaints/", "/complaints/mailbox/", f"/complaints/mailbox/{secret.number}/",
            "/open311/v2/requests.json",
            f"/open311/v2/requests/{secret.number}.json", "/open311/v2/services.json",
            "/complaints/mailbox/?q=%E6%AC%A7%E9%98%B3"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert_no_secret(r.content.decode(), f"at {url}")
    mailbox = client.get(f"/complaints/mailbox/{secret.number}/").content.decode()
    # The public reply greets neutrally (issue 10 §4: it read "【投诉人】您好！", a mask token as a salutation);
    # the complainant's name stays masked wherever else it appears.
    reply = mailbox.split('data-testid="public-reply">', 1)[1].split("</div>", 1)[0]
    assert reply.startswith("您好！您反映的问题属实") and "【投诉人】您好" not in mailbox
    assert "139****4321" not in mailbox  # the complainant's number fully hidden
    assert "王某" in mailbox and "王科长" not in mailbox
    assert client.get("/complaints/mailbox/", {"q": NAME}).context["page"].paginator.count == 0


def test_the_complainants_own_tracking_page_shows_their_words_and_the_reply_unmasked(client, secret):
    """Masking is for what others see: the holder of the tracking code reads their own letter and the reply to
    them as written, greeting and all (issue 10 §4: "我叫【投诉人】" read back to its writer)."""
    html = client.get(f"/complaints/track/{secret.tracking_code}/").content.decode()
    reply = html.split('data-testid="reply">', 1)[1].split("</div>", 1)[0]
    assert reply.startswith(f"{NAME}您好！") and "【投诉人】" not in reply
    assert f"我叫{NAME}" in html and "我叫【投诉人】" not in html


@pytest.mark.parametrize(("masked", "public"), [
    ("【投诉人】您好：经调查属实。", "您好：经调查属实。"),
    ("尊敬的【投诉人】先生：您反映的问题已整改。", "您好：您反映的问题已整改。"),
    ("【投诉人】，您好！已整改。", "您好！已整改。"),
    ("【投诉人】：您反映的问题属实。", "您好：您反映的问题属实。"),
    ("【投诉人】反映的问题已查实。", "【投诉人】反映的问题已查实。"),  # a subject, not a greeting
    ("您好：经查【投诉人】所述属实。", "您好：经查【投诉人】所述属实。"),
])
def test_a_published_reply_greets_neutrally(masked, public):
    from xiaoneng.complaints.privacy import neutral_salutation

    assert neutral_salutation(masked) == public


def test_masking_of_personal_data_in_text():
    text = ("李明同志和王科长说，请联系13812345678或0571-88123456，身份证330102199001011234，"
            "邮箱a.b@example.cn，住在幸福小区3栋2单元501室，人民路88号。我叫张三丰。")
    out = mask_personal_data(text)
    for s in ("13812345678", "88123456", "330102199001011234", "a.b@example.cn", "幸福小区3栋2单元501室",
              "人民路88号", "张三丰", "李明", "王科长"):
        assert s not in out, s
    # The whole number is replaced: a department holding its applicants' phones in its case records would pick
    # the complainant out of seven known digits ("138****5678"), so none are kept.
    assert "【电话已隐去】" in out and "【证件号码已隐去】" in out and "王某" in out and "李某" in out
    assert "5678" not in out and "1234" not in out


def test_masking_property_no_mobile_or_id_number_survives():
    """Whatever text surrounds them, mobile and ID numbers never survive masking (hypothesis)."""
    import re as _re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    cjk = st.text(alphabet=st.sampled_from("的了是我在窗口办理投诉电话号码：，。 abcXYZ-"), max_size=30)
    mobile = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)
    idno = st.from_regex(r"\d{17}[\dX]", fullmatch=True)

    @settings(max_examples=200, deadline=None, database=None)
    @given(cjk, mobile, cjk, idno, cjk)
    def check(a, phone, b, id_no, c):
        out = mask_personal_data(f"{a}{phone}{b}{id_no}{c}")
        assert phone not in out and id_no not in out
        assert not _re.search(r"\d{9}", out)

    check()


def test_printed_notice_names_the_complainant_only_for_the_handler(client, client_as, secret, supervisor2):
    from xiaoneng.complaints.models import TimelineEntry

    e = TimelineEntry.objects.get(complaint=secret, kind="accepted")
    url = f"/staff/complaints/{secret.number}/notices/{e.pk}/"
    r = client_as("supervisor").get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "投诉受理告知书" in html and NAME in html and ADDRESS in html
    assert IdentityAccess.objects.filter(complaint=secret, purpose="打印书面告知").count() == 1
    client.force_login(supervisor2)
    html = client.get(url).content.decode()
    assert "投诉受理告知书" in html
    assert_no_secret(html, "in another supervisor's notice")
    assert IdentityAccess.objects.count() == 1
    for role in ("handler", "head", "leader", "admin"):
        assert client_as(role).get(url).status_code == 403
    note = TimelineEntry.objects.filter(complaint=secret, public=False).first()
    assert client_as("supervisor").get(f"/staff/complaints/{secret.number}/notices/{note.pk}/").status_code == 404


WRITTEN = ["139-8765-4321", "+86 139 8765 4321", "１３９８７６５４３２１", "(0571) 8888 6666", "0571-8888 6666",
           "330102 19900101 1234", "whistle ＠ example.com", "欧阳 秘密"]


@pytest.fixture
def written(submit, staff, depts):
    """A complaint whose complainant wrote their own contacts in other forms than the ones they gave, and
    another person's numbers too, dispatched to bureau A."""
    c = submit(name=NAME, phone=PHONE, email=EMAIL, id_no=IDNO,
               facts=f"我是{WRITTEN[-1]}，手机{WRITTEN[0]}，也可拨{WRITTEN[1]}或{WRITTEN[2]}，单位座机{WRITTEN[3]}、"
                     f"{WRITTEN[4]}，身份证{WRITTEN[5]}，邮箱{WRITTEN[6]}。2026-02-26在12号窗口办理，收费1,200元。",
               request=f"请回电{WRITTEN[0]}。")
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    services.complaint_dispatch(complaint=c, by=staff["supervisor"], now=T0, departments=[depts["a"]])
    c.refresh_from_db()
    return c


def _assert_none_written(text: str, where: str):
    for w in WRITTEN:
        assert w not in text, f"{w!r} leaked {where}"
    for digits in ("8765", "4321", "8888", "6666", "19900101", "８７６５"):
        assert digits not in text, f"{digits!r} leaked {where}"


@pytest.mark.parametrize("role", ["handler", "head", "leader", "admin"])
def test_contacts_in_any_written_form_never_reach_a_department(client_as, written, role):
    """Issue 9 item 3: phones written with spaces, dashes or +86 reached the complained-about department."""
    html = client_as(role).get(f"/staff/complaints/{written.number}/").content.decode()
    _assert_none_written(html, f"on the detail page to {role}")
    assert "2026-02-26在12号窗口办理，收费1,200元" in html  # what the department needs stays
    body = client_as(role).get(f"/api/v1/complaints/{written.number}").content.decode()
    _assert_none_written(body, f"in the API detail to {role}")
    body = client_as(role).get("/api/v1/complaints").content.decode()
    _assert_none_written(body, f"in the API list to {role}")


def test_contacts_in_any_written_form_never_reach_a_department_token(client, written, tokens):
    for url in (f"/api/v1/complaints/{written.number}", "/api/v1/complaints"):
        body = client.get(url, HTTP_AUTHORIZATION=tokens["a"]["HTTP_AUTHORIZATION"]).content.decode()
        assert written.number in body
        _assert_none_written(body, f"at {url} to the department's token")


def test_stored_department_text_is_masked_at_intake(written):
    _assert_none_written(written.facts_redacted + written.request_redacted, "in facts_redacted")


# --------------------------------------------------------------------------------------------- the original text
def _reads(**kw):
    return list(IdentityAccess.objects.filter(**kw).order_by("at", "id").values_list("staff__username", "purpose"))


def test_another_supervisor_reads_the_text_masked_and_nothing_is_unlogged(client, secret, supervisor2):
    """Issue 9 item 4: any supervisor read the complainant's identity in the raw facts of a complaint another
    supervisor handles, unlogged."""
    client.force_login(supervisor2)
    r = client.get(f"/staff/complaints/{secret.number}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert_no_secret(html, "on the detail page to a supervisor who is not the handler")
    assert "王科长拖延" in html and 'data-testid="masked-badge"' in html and 'data-testid="reveal-form"' in html
    assert IdentityAccess.objects.count() == 0


def test_the_handler_reads_the_original_and_every_view_is_recorded(client_as, secret):
    c = client_as("supervisor")
    for _ in range(2):
        r = c.get(f"/staff/complaints/{secret.number}/")
        html = r.content.decode()
        assert NAME in html and PHONE in html and 'data-testid="original-badge"' in html
        assert "no-store" in r["Cache-Control"]
    assert _reads(complaint=secret) == [("supervisor", services.ORIGINAL_BY_HANDLER)] * 2


def test_a_supervisor_reveals_the_original_with_a_recorded_reason(client, secret, supervisor2):
    client.force_login(supervisor2)
    url = f"/staff/complaints/{secret.number}/original/"
    assert client.get(url).status_code == 405
    r = client.post(url, {"reason": " "})
    assert r.status_code == 400 and "请说明查看投诉原文的理由" in r.content.decode()
    assert_no_secret(r.content.decode(), "on a refused reveal")
    assert IdentityAccess.objects.count() == 0
    r = client.post(url, {"reason": "核查是否重复投诉"})
    html = r.content.decode()
    assert r.status_code == 200 and NAME in html and PHONE in html and "no-store" in r["Cache-Control"]
    assert _reads(complaint=secret) == [("supervisor2", "查看投诉原文：核查是否重复投诉")]
    log = client.get("/staff/complaints/access-log/").content.decode()
    assert "查看投诉原文：核查是否重复投诉" in log


@pytest.mark.parametrize("role", ["handler", "head", "handler_b", "leader", "admin", "window"])
def test_nobody_else_can_reveal_the_original(client_as, secret, role):
    r = client_as(role).post(f"/staff/complaints/{secret.number}/original/", {"reason": "想看看是谁投诉的"})
    assert r.status_code in (403, 404)
    assert_no_secret(r.content.decode(), f"on a reveal by {role}")
    assert IdentityAccess.objects.count() == 0


def test_unassigned_complaint_is_masked_until_a_supervisor_accepts_it(client, submit, staff, supervisor2):
    c = submit(name=NAME, phone=PHONE, facts=f"我叫{NAME}，电话{PHONE}，窗口拖延办理营业执照变更。")
    for sup in (staff["supervisor"], supervisor2):
        client.force_login(sup)
        html = client.get(f"/staff/complaints/{c.number}/").content.decode()
        assert NAME not in html and PHONE not in html and "窗口拖延办理" in html
    assert IdentityAccess.objects.count() == 0
    services.complaint_accept(complaint=c, by=supervisor2, now=T0)  # who accepts it handles it
    assert NAME in client.get(f"/staff/complaints/{c.number}/").content.decode()
    client.force_login(staff["supervisor"])
    assert NAME not in client.get(f"/staff/complaints/{c.number}/").content.decode()
    services.complaint_assign(complaint=c, by=supervisor2, now=T0, handler=staff["supervisor"])
    assert NAME in client.get(f"/staff/complaints/{c.number}/").content.decode()
    client.force_login(supervisor2)
    assert NAME not in client.get(f"/staff/complaints/{c.number}/").content.decode()
    assert [s for s, _p in _reads(complaint=c)] == ["supervisor2", "supervisor"]


def test_printed_notice_quoting_the_complainant_is_masked_for_another_supervisor(client, submit, staff,
                                                                                supervisor2):
    from xiaoneng.complaints.models import TimelineEntry

    c = submit(name=NAME, phone=PHONE)
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    services.complaint_withdraw(complaint=c, by=None, now=T0, reason=f"问题已解决，{NAME}，电话139-8765-4321。")
    e = TimelineEntry.objects.get(complaint=c, kind="withdrawn")
    client.force_login(supervisor2)
    html = client.get(f"/staff/complaints/{c.number}/notices/{e.pk}/").content.decode()
    assert "问题已解决" in html
    for s in (NAME, "8765"):
        assert s not in html, s
    html = client.get(f"/staff/complaints/{c.number}/").content.decode()
    assert "问题已解决" in html and NAME not in html and "8765" not in html


@pytest.mark.parametrize("role", ["handler", "supervisor", "leader"])
def test_searching_the_text_for_a_number_reveals_nothing(client_as, written, role):
    """The inbox searches the stored department copy; a copy stored by the old masker could still hold a number
    (simulated here), and finding the complaint by it would say who complained."""
    from xiaoneng.complaints.models import Complaint

    Complaint.objects.filter(pk=written.pk).update(facts_redacted=f"【投诉人】电话{WRITTEN[0]}，窗口拖延。")
    c = client_as(role)
    for q in (WRITTEN[0], "139 8765 4321", "whistle@example.com"):
        assert c.get("/staff/complaints/", {"q": q}).context["page"].paginator.count == 0, q
    assert c.get("/staff/complaints/", {"q": "窗口拖延"}).context["page"].paginator.count == 1
    assert c.get("/staff/complaints/", {"q": written.number}).context["page"].paginator.count == 1


def test_tracking_page_shows_the_reply_as_sent_to_the_complainant(client, secret):
    """The reply on the complainant's own tracking page reads as it was sent to them: the numbers the office
    wrote for them, and their own name (issue 10 §4 changed this: "【投诉人】您好" read back to the person the
    reply is addressed to was masking against the wrong reader)."""
    from xiaoneng.complaints.models import Reply

    Reply.objects.filter(complaint=secret).update(text=f"{NAME}您好，如有疑问请拨打效能办电话0571-88886666。")
    html = client.get(f"/complaints/track/{secret.tracking_code}/").content.decode()
    assert "0571-88886666" in html and f"{NAME}您好" in html and "【投诉人】" not in html


def test_open311_masks_published_text_at_read_time_not_from_a_stored_copy(client, secret):
    """A complaint stored before a masking rule improved carries an old masked copy (facts_redacted). Open311
    publishes the text masked by today's rules from what the complainant wrote, with their own name found in
    any written form (here with spaces between the characters)."""
    Complaint.objects.filter(pk=secret.pk).update(
        facts=f"我叫{' '.join(NAME)}，手机 139-8765-4321。窗口工作人员拖延办理。",
        facts_redacted=f"我叫{' '.join(NAME)}，手机 139-8765-4321。窗口工作人员拖延办理。")  # as an old masker left it
    for url in ("/open311/v2/requests.json?start_date=2026-01-01", f"/open311/v2/requests/{secret.number}.json",
                f"/open311/v2/requests.json?service_request_id={secret.number}"):
        body = client.get(url).json()
        desc = next(r["description"] for r in body if r["service_request_id"] == secret.number)
        assert " ".join(NAME) not in desc and "4321" not in desc and "窗口工作人员拖延办理" in desc, (url, desc)


def test_the_complainants_own_tracking_page_shows_their_words_as_written_and_nothing_else_of_theirs(client, secret):
    """Masking is for what others see: the holder of the tracking code (the complainant's secret) reads their
    own letter and the reply to them as written, not "我叫【投诉人】" — but never the identity record's fields
    they did not write there (e-mail, ID number, the address they submitted from)."""
    html = client.get(f"/complaints/track/{secret.tracking_code}/").content.decode()
    assert f"我叫{NAME}，电话{PHONE}" in html and f"{NAME}您好" in html
    assert "【投诉人】" not in html
    for s in (EMAIL, IDNO, "203.0.113.77"):
        assert s not in html, s
