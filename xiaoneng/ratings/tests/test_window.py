"""Window contacts (一次一评) and the counter tablet (issue 12 §1): a clerk records a contact on a fast form
(numbered CK<year>-<serial>, items of its department only), pairs a tablet through a one-time URL (a signed
device cookie; the kiosk keeps the SHA-256), pushes a contact or an ended case to it; the applicant rates on
the tablet without log-in (channel kiosk); prompts lapse after 5 minutes or when replaced; a revoked tablet
says so; another department's contact, case or kiosk is 404 everywhere."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.ratings.models import Channel, ContactKind, Kiosk, Rating, WindowContact
from xiaoneng.ratings.services import contacts as S

from .conftest import at


@pytest.fixture
def kiosk_a(staff):
    return S.kiosk_create(by=staff["window"], name="3号窗口", now=timezone.now())


def paired_client(kiosk) -> Client:
    c = Client()
    code = S.pairing_code(kiosk)
    r = c.post(reverse("ratings:kiosk_pair", kwargs={"code": code}))
    assert r.status_code == 302 and r["Location"] == reverse("ratings:kiosk")
    return c


# ------------------------------------------------------------------------------------------- contacts
def test_a_clerk_records_contacts_numbered_per_year(staff, items):
    a = S.contact_record(by=staff["window"], kind=ContactKind.CONSULTATION, service_item=items["a"],
                         applicant_name="王五", applicant_phone="138 1234 5678", note="咨询办理条件",
                         window_name="3号窗口", now=at("2026-09-28 10:00"))
    b = S.contact_record(by=staff["handler"], kind=ContactKind.REFUSED, now=at("2026-09-28 11:00"))
    c = S.contact_record(by=staff["head"], kind=ContactKind.OTHER, now=at("2027-01-04 09:00"))
    assert (a.number, b.number, c.number) == ("CK2026-000001", "CK2026-000002", "CK2027-000001")
    assert a.department == staff["window"].department and a.clerk == staff["window"] and a.served_at == at("2026-09-28 10:00")


@pytest.mark.parametrize("kw,field", [
    ({"kind": "nonsense"}, "kind"), ({"kind": ""}, "kind"),
    ({"kind": "consultation", "applicant_name": "名" * 101}, "applicant_name"),
    ({"kind": "consultation", "applicant_phone": "=cmd|' /C calc'!A0"}, "applicant_phone"),
    ({"kind": "consultation", "note": "长" * 301}, "note"),
    ({"kind": "consultation", "applicant_name": 12}, "applicant_name"),
])
def test_bad_contacts_are_refused_naming_the_field(staff, items, kw, field):
    with pytest.raises(DomainError) as exc:
        S.contact_record(by=staff["window"], now=at("2026-09-28 10:00"), **kw)
    assert exc.value.field == field and not WindowContact.objects.exists()


def test_only_items_of_the_department_and_only_clerks(staff, items):
    with pytest.raises(DomainError) as exc:
        S.contact_record(by=staff["window"], kind="consultation", service_item=items["b"], now=at("2026-09-28 10:00"))
    assert exc.value.field == "service_item"
    with pytest.raises(DomainError):
        S.item_for_clerk(staff["window"], "ZR001")
    assert S.item_for_clerk(staff["window"], "SP001") == items["a"]
    for role in ("supervisor", "leader", "admin"):
        with pytest.raises(NotPermitted):
            S.contact_record(by=staff[role], kind="consultation", now=at("2026-09-28 10:00"))
    assert not WindowContact.objects.exists()


def test_the_fast_form(client_as, items):
    c = client_as("window")
    page = c.get(reverse("ratings:window_home"))
    assert page.status_code == 200 and "窗口服务登记" in page.content.decode() and "ZR001" not in page.content.decode()
    r = c.post(reverse("ratings:window_home"), {"kind": "consultation", "service_item": "SP001",
                                                "applicant_name": "王五", "applicant_phone": "13812345678",
                                                "note": "<b>咨询</b>", "window_name": "3号窗口"})
    assert r.status_code == 302
    contact = WindowContact.objects.get()
    assert contact.service_item == items["a"] and contact.note == "<b>咨询</b>"
    page = c.get(reverse("ratings:window_home")).content.decode()
    assert contact.number in page and "<b>咨询</b>" not in page
    assert "13812345678" not in page  # the phone is masked in the list


@pytest.mark.parametrize("data,text", [
    ({"kind": ""}, "请选择"), ({"kind": "consultation", "service_item": "ZR001"}, "选择一个有效的选项"),
    ({"kind": "consultation", "applicant_phone": "abc"}, "联系电话只能包含数字"),
    ({"kind": "consultation", "note": "长" * 301}, "300"),
])
def test_bad_input_to_the_form_is_shown_beside_it_and_nothing_stored(client_as, items, data, text):
    r = client_as("window").post(reverse("ratings:window_home"), data)
    assert r.status_code == 400 and not WindowContact.objects.exists()
    assert text in r.content.decode() or "有效" in r.content.decode()


# ------------------------------------------------------------------------------------------- tablets
def test_pairing_is_one_time_and_keeps_only_the_hash(staff, kiosk_a):
    c = paired_client(kiosk_a)
    kiosk_a.refresh_from_db()
    cookie = c.cookies[S.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] >= 365 * 86400
    raw = cookie.value.split(":")[0]  # signed: the secret, then the signature
    assert kiosk_a.token_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in kiosk_a.token_hash
    assert kiosk_a.last_seen_at is not None
    # The same pairing code again: refused (its hash changed).
    again = Client().post(reverse("ratings:kiosk_pair", kwargs={"code": S.pairing_code(Kiosk(pk=kiosk_a.pk, token_hash="x" * 64))}))
    assert again.status_code == 410
    with pytest.raises(S.PairingInvalid):
        S.kiosk_pair(code="forged:code", now=timezone.now())


def test_the_tablet_needs_its_cookie_and_says_when_revoked(staff, kiosk_a):
    r = Client().get(reverse("ratings:kiosk"))
    assert r.status_code == 403 and "本设备尚未配对" in r.content.decode()
    forged = Client()
    forged.cookies[S.DEVICE_COOKIE] = "made-up-secret"
    assert forged.get(reverse("ratings:kiosk")).status_code == 403
    c = paired_client(kiosk_a)
    idle = c.get(reverse("ratings:kiosk"))
    assert idle.status_code == 200 and "欢迎评价我们的服务" in idle.content.decode()
    assert 'hx-trigger="every 4s"' in idle.content.decode()
    S.kiosk_revoke(by=staff["head"], kiosk=kiosk_a, now=timezone.now())
    r = c.get(reverse("ratings:kiosk"))
    assert r.status_code == 403 and "该评价器已停用" in r.content.decode()
    polled = c.get(reverse("ratings:kiosk_prompt"), headers={"HX-Request": "true"})
    assert polled.status_code == 403 and polled["HX-Refresh"] == "true"  # htmx reloads into the page saying so


def test_a_contact_is_rated_on_the_tablet(client_as, staff, items, kiosk_a):
    tablet = paired_client(kiosk_a)
    clerk = client_as("window")
    clerk.post(reverse("ratings:window_home"), {"kind": "consultation", "service_item": "SP001"})
    contact = WindowContact.objects.get()
    r = clerk.post(reverse("ratings:contact_push", args=[contact.number]), {"kiosk": kiosk_a.pk})
    assert r.status_code == 302
    prompt = tablet.get(reverse("ratings:kiosk_prompt")).content.decode()
    assert "非常满意" in prompt and items["a"].current_version.name in prompt
    step2 = tablet.get(reverse("ratings:kiosk") + "?level=1").content.decode()
    assert "服务态度差" in step2 and f'value="contact:{contact.pk}"' in step2
    r = tablet.post(reverse("ratings:kiosk"), {"level": "1", "reasons": ["poor-attitude", "passing-buck"],
                                               "prompt": f"contact:{contact.pk}", "comment": "态度不好"})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get(contact=contact)
    assert (rating.channel, rating.level, rating.staff) == (Channel.KIOSK, 1, staff["window"])
    assert hasattr(rating, "rectification")
    # The prompt is gone: the tablet is idle again, a second tap finds nothing.
    assert "欢迎评价我们的服务" in tablet.get(reverse("ratings:kiosk")).content.decode()
    again = tablet.post(reverse("ratings:kiosk"), {"level": "5", "prompt": f"contact:{contact.pk}"})
    assert again.status_code == 409 and Rating.objects.count() == 1
    # A rated contact is not pushed again.
    clerk.post(reverse("ratings:contact_push", args=[contact.number]), {"kiosk": kiosk_a.pk})
    kiosk_a.refresh_from_db()
    assert kiosk_a.prompt_contact_id is None


def test_an_ended_case_is_rated_on_the_tablet_a_running_one_is_not(client_as, ended_case, accepted_case, kiosk_a):
    tablet = paired_client(kiosk_a)
    clerk = client_as("window")
    running = accepted_case("C9")
    clerk.post(reverse("ratings:case_push"), {"case_no": running.case_no, "kiosk": kiosk_a.pk})
    kiosk_a.refresh_from_db()
    assert kiosk_a.prompt_case_id is None
    case = ended_case()
    clerk.post(reverse("ratings:case_push"), {"case_no": case.case_no, "kiosk": kiosk_a.pk})
    page = tablet.get(reverse("ratings:kiosk")).content.decode()
    assert "张三" not in page and "13812345678" not in page
    r = tablet.post(reverse("ratings:kiosk"), {"level": "5", "reasons": ["efficient"], "prompt": f"case:{case.pk}"})
    assert r.status_code == 200
    assert Rating.objects.get(case=case).channel == Channel.KIOSK


def test_a_prompt_lapses_after_five_minutes_or_when_replaced(staff, items, kiosk_a):
    now = timezone.now()
    one = S.contact_record(by=staff["window"], kind="consultation", now=now - timedelta(minutes=10))
    two = S.contact_record(by=staff["window"], kind="collection", now=now - timedelta(minutes=10))
    S.kiosk_push(by=staff["window"], kiosk=kiosk_a, contact=one, now=now - timedelta(minutes=5))
    kiosk_a.refresh_from_db()
    assert S.kiosk_prompt(kiosk_a, now=now) is None
    assert S.kiosk_prompt(kiosk_a, now=now - timedelta(minutes=4, seconds=59)) == one
    S.kiosk_push(by=staff["window"], kiosk=kiosk_a, contact=one, now=now)
    S.kiosk_push(by=staff["window"], kiosk=kiosk_a, contact=two, now=now)
    kiosk_a.refresh_from_db()
    assert S.kiosk_prompt(kiosk_a, now=now) == two
    tablet = paired_client(kiosk_a)
    # A tap meant for the replaced prompt is not recorded on the new one.
    r = tablet.post(reverse("ratings:kiosk"), {"level": "5", "prompt": f"contact:{one.pk}"})
    assert r.status_code == 409 and not Rating.objects.exists()


def test_bad_input_on_the_tablet(staff, kiosk_a):
    contact = S.contact_record(by=staff["window"], kind="consultation", now=timezone.now() - timedelta(minutes=1))
    S.kiosk_push(by=staff["window"], kiosk=kiosk_a, contact=contact, now=timezone.now())
    tablet = paired_client(kiosk_a)
    key = f"contact:{contact.pk}"
    for data, text in (({"prompt": key}, "请选择评价等级"), ({"prompt": key, "level": "7"}, "请选择评价等级"),
                       ({"prompt": key, "level": "5", "reasons": ["multiple-trips"]}, "不适用"),
                       ({"prompt": key, "level": "4", "comment": "长" * 501}, "500")):
        r = tablet.post(reverse("ratings:kiosk"), data)
        assert r.status_code == 400 and text in r.content.decode()
    assert not Rating.objects.exists()


def test_other_departments_ids_are_not_found(staff, items, depts, client_as, ended_case):
    from xiaoneng.accounts.testing import make_staff

    head_b = make_staff("head_b", depts["b"], ["head"])
    kiosk_b = S.kiosk_create(by=head_b, name="B窗口", now=timezone.now())
    contact_b = S.contact_record(by=staff["handler_b"], kind="consultation", now=timezone.now())
    own = S.kiosk_create(by=staff["window"], name="3号窗口", now=timezone.now())
    mine = S.contact_record(by=staff["window"], kind="consultation", now=timezone.now())
    with pytest.raises(NotFound):
        S.kiosk_push(by=staff["window"], kiosk=kiosk_b, contact=mine, now=timezone.now())
    with pytest.raises(NotFound):
        S.kiosk_push(by=staff["window"], kiosk=own, contact=contact_b, now=timezone.now())
    c = client_as("window")
    assert c.post(reverse("ratings:contact_push", args=[contact_b.number]), {"kiosk": own.pk}).status_code == 404
    assert c.post(reverse("ratings:contact_push", args=[mine.number]), {"kiosk": kiosk_b.pk}).status_code == 404
    assert c.post(reverse("ratings:contact_push", args=[mine.number]), {"kiosk": "abc"}).status_code == 404
    assert c.get(reverse("ratings:kiosk_pairing", args=[kiosk_b.pk])).status_code == 404
    assert c.post(reverse("ratings:kiosk_revoke", args=[kiosk_b.pk])).status_code == 404
    assert c.post(reverse("ratings:kiosk_pairing", args=[kiosk_b.pk])).status_code == 404
    kiosk_b.refresh_from_db()
    assert kiosk_b.revoked_at is None and kiosk_b.prompt_contact_id is None
    # A case of bureau B by its number: "not found" beside the form, nothing pushed.
    case_b = ended_case("RB1", code="ZR001", handler="handler_b")
    r = c.post(reverse("ratings:case_push"), {"case_no": case_b.case_no, "kiosk": own.pk}, follow=True)
    assert "未找到本部门的该办件" in r.content.decode()
    own.refresh_from_db()
    assert own.prompt_case_id is None


def test_kiosk_management_by_role(client_as, staff):
    for role, code in (("window", 302), ("head", 302), ("handler", 403)):
        r = client_as(role).post(reverse("ratings:kiosk_list"), {"name": f"{role}窗口"})
        assert r.status_code == code, role
    assert Kiosk.objects.count() == 2
    r = client_as("head").post(reverse("ratings:kiosk_list"), {"name": " "})
    assert r.status_code == 400 and "请填写窗口名称" in r.content.decode()
    r = client_as("head").post(reverse("ratings:kiosk_list"), {"name": "名" * 61})
    assert r.status_code == 400 and Kiosk.objects.count() == 2
    k = Kiosk.objects.first()
    page = client_as("head").get(reverse("ratings:kiosk_pairing", args=[k.pk])).content.decode()
    url = re.search(r'data-testid="pairing-url">([^<]+)<', page).group(1)
    assert "/kiosk/pair/" in url
    for role in ("supervisor", "leader", "admin"):
        assert client_as(role).get(reverse("ratings:window_home")).status_code == 403


def test_huge_and_odd_ids_are_not_found(client_as, staff):
    c = client_as("head")
    for pk in ("99999999999999999999", "2147483648"):
        assert c.get(f"/staff/ratings/kiosks/{pk}/pairing/").status_code == 404
        assert c.post(f"/staff/ratings/kiosks/{pk}/revoke/").status_code == 404
    contact = S.contact_record(by=staff["window"], kind="consultation", now=timezone.now())
    for kiosk in ("99999999999999999999", "-1", "", "1e3", "=cmd"):
        assert c.post(reverse("ratings:contact_push", args=[contact.number]), {"kiosk": kiosk}).status_code == 404
    assert c.post(reverse("ratings:contact_push", args=["CK9999-999999"]), {"kiosk": "1"}).status_code == 404


def test_the_window_pages_queries_do_not_grow(client_as, staff, items, django_assert_max_num_queries):
    kiosk = S.kiosk_create(by=staff["window"], name="3号窗口", now=timezone.now())
    c = client_as("window")

    def many(n):
        for i in range(n):
            contact = S.contact_record(by=staff["window"], kind="consultation", service_item=items["a"],
                                       applicant_phone="13812345678", now=timezone.now())
            if i % 2:
                S.kiosk_push(by=staff["window"], kiosk=kiosk, contact=contact, now=timezone.now())
                S.kiosk_rate(kiosk=kiosk, level=5, now=timezone.now())

    many(2)
    with django_assert_max_num_queries(12):
        assert c.get(reverse("ratings:window_home")).status_code == 200
    many(20)
    with django_assert_max_num_queries(12):
        assert c.get(reverse("ratings:window_home")).status_code == 200
    with django_assert_max_num_queries(10):
        assert c.get(reverse("ratings:kiosk_list")).status_code == 200
