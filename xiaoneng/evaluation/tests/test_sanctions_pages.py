"""The consequences pages: forms refuse bad input beside the field (400, nothing stored), the office's steps, a
head's appeal, filters, scoping of the register, the list's query count, bulletins generated and published from
the page, the PDF (or a clear page when the font is missing)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiaoneng.evaluation.models import Bulletin, Sanction, SanctionKind, SanctionStatus
from xiaoneng.evaluation.services import sanctions as S
from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

from .test_sanctions import NOW, red_cards, scheme

FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture
def sanction(depts, staff):
    s = S.sanction_propose(kind=SanctionKind.WARNING, department=depts["a"], staff=staff["handler"],
                           reason="一个季度内被发出红牌3张。", now=NOW, by=staff["supervisor"])
    return s


@pytest.mark.django_db
def test_office_confirms_with_bad_points_refused_then_good(client_as, sanction):
    c = client_as("supervisor")
    url = reverse("evaluation:sanction_confirm", args=[sanction.pk])
    r = c.post(url, {"points": "abc", "note": ""})
    assert r.status_code == 400 and "扣分应为数字" in r.content.decode()
    sanction.refresh_from_db()
    assert sanction.status == SanctionStatus.PROPOSED and not sanction.number
    r = c.post(url, {"points": "", "note": "予以效能告诫"})
    assert r.status_code == 302
    sanction.refresh_from_db()
    assert sanction.status == SanctionStatus.CONFIRMED and sanction.number == "测试县效能〔2026〕1号"
    page = c.get(reverse("evaluation:sanction_document", args=[sanction.pk])).content.decode()
    assert sanction.number in page and "效能问责决定书" in page and "扣10" in page.replace(".00", "")
    r = c.get(reverse("evaluation:sanction_pdf", args=[sanction.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_head_appeals_handler_of_other_bureau_cannot_see(client_as, sanction, staff):
    S.sanction_confirm(sanction, now=NOW, by=staff["supervisor"])
    head = client_as("head")
    url = reverse("evaluation:sanction_appeal", args=[sanction.pk])
    assert head.post(url, {"text": "  "}).status_code == 400
    assert head.post(url, {"text": "红牌系系统误判"}).status_code == 302
    sanction.refresh_from_db()
    assert sanction.status == SanctionStatus.APPEALED
    other = client_as("handler_b")
    assert other.get(reverse("evaluation:sanction_detail", args=[sanction.pk])).status_code == 404
    assert other.post(reverse("evaluation:sanction_appeal", args=[sanction.pk]), {"text": "x"}).status_code == 404
    sup = client_as("supervisor")
    r = sup.post(reverse("evaluation:sanction_decide", args=[sanction.pk]), {"outcome": "upheld", "note": "属实"})
    assert r.status_code == 302
    sanction.refresh_from_db()
    assert sanction.status == SanctionStatus.REVOKED


@pytest.mark.django_db
def test_new_sanction_refuses_another_bureaus_card_beside_its_field(client_as, depts, staff):
    card_b = red_cards(depts["b"], staff["handler_b"], 1)[0]
    c = client_as("supervisor")
    data = {"kind": "criticism", "department": depts["a"].pk, "reason": "多次推诿", "cards": str(card_b.pk)}
    r = c.post(reverse("evaluation:sanction_new"), data)
    assert r.status_code == 400 and "无关" in r.content.decode()
    for bad in ({"cards": "12x"}, {"complaints": "TS-NOPE"}, {"kind": "nonsense"}, {"reason": ""}):
        assert c.post(reverse("evaluation:sanction_new"), {**data, **bad}).status_code == 400
    assert not Sanction.objects.exists()
    card_a = red_cards(depts["a"], staff["handler"], 1)[0]
    r = c.post(reverse("evaluation:sanction_new"), {**data, "cards": str(card_a.pk)})
    assert r.status_code == 302
    s = Sanction.objects.get()
    assert s.evidence.count() == 1
    page = c.get(reverse("evaluation:sanction_detail", args=[s.pk])).content.decode()
    assert reverse("supervision:warning_detail", args=[card_a.pk]) in page


@pytest.mark.django_db
def test_register_filters_scope_and_query_count(client_as, depts, staff, django_assert_max_num_queries):
    for i in range(30):
        S.sanction_propose(kind=SanctionKind.WARNING, department=depts["a" if i % 2 else "b"],
                           staff=staff["handler"] if i % 2 else None, reason=f"事由{i}", now=NOW)
    sup = client_as("supervisor")
    with django_assert_max_num_queries(15):
        r = sup.get(reverse("evaluation:sanction_list"))
    assert r.status_code == 200 and "共 30 条" in r.content.decode()
    assert "共 15 条" in sup.get(reverse("evaluation:sanction_list"), {"department": "TA"}).content.decode()
    r = sup.get(reverse("evaluation:sanction_list"), {"status": "bogus", "kind": "x", "source": "y"})
    assert r.status_code == 400 and "状态筛选无效" in r.content.decode()
    handler_b = client_as("handler_b")
    assert "共 0 条" in handler_b.get(reverse("evaluation:sanction_list")).content.decode()
    handler = client_as("handler")
    assert "共 15 条" in handler.get(reverse("evaluation:sanction_list")).content.decode()
    assert client_as("window").get(reverse("evaluation:sanction_list")).status_code == 403
    assert client_as("admin").get(reverse("evaluation:sanction_list")).status_code == 403


@pytest.mark.django_db
def test_bulletin_generated_and_published_from_the_page(client_as, depts, staff, ended_case, settings):
    scheme()
    depts["b"].name = FORMULA
    depts["b"].save()
    ended_case("A1", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    ev = evaluation_run("2026Q3", now=NOW)
    sup = client_as("supervisor")
    r = sup.post(reverse("evaluation:bulletin_generate"), {"evaluation": ev.pk})
    assert r.status_code == 400 and "已发布" in r.content.decode()
    assert sup.post(reverse("evaluation:bulletin_generate"), {"evaluation": "x"}).status_code == 400
    evaluation_publish(ev, now=NOW)
    r = sup.post(reverse("evaluation:bulletin_generate"), {"evaluation": ev.pk})
    assert r.status_code == 302
    b = Bulletin.objects.get()
    page = sup.get(reverse("evaluation:bulletin_detail", args=[b.pk])).content.decode()
    assert b.number in page and "测试县市场监督管理局" in page and "=cmd|&#x27;" in page  # escaped, as text
    leader = client_as("leader")
    assert leader.get(reverse("evaluation:bulletin_detail", args=[b.pk])).status_code == 200
    assert leader.post(reverse("evaluation:bulletin_publish", args=[b.pk])).status_code == 403
    sup = client_as("supervisor")  # one test client: signing in again
    assert sup.post(reverse("evaluation:bulletin_publish", args=[b.pk])).status_code == 302
    b.refresh_from_db()
    assert b.published_at is not None
    assert sup.post(reverse("evaluation:bulletin_publish", args=[b.pk])).status_code == 400
    leader = client_as("leader")
    r = leader.get(reverse("evaluation:bulletin_xlsx", args=[b.pk]))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    settings.XIAONENG_PDF_FONT = "/nonexistent/font.ttc"
    r = leader.get(reverse("evaluation:bulletin_pdf", args=[b.pk]))
    assert r.status_code == 503 and "fonts-noto-cjk" in r.content.decode()
    for role in ("head", "handler", "window", "admin"):
        assert client_as(role).get(reverse("evaluation:bulletin_list")).status_code == 403



@pytest.mark.django_db
def test_the_office_panel_says_what_waits(staff, sanction):
    """The provider of a supervisor's landing panel (not yet registered in start_panels: supervision's landing
    test pins the supervisor's panels and queries; the lead joins it at merge)."""
    from django.utils import timezone

    from xiaoneng.evaluation.selectors_consequences import office_panel

    panel = office_panel(staff["supervisor"], now=timezone.now())
    assert panel["tiles"][0]["value"] == 1 and panel["rows"][0]["text"] == "效能告诫 · 测试县市场监督管理局 · handler_a"
    assert office_panel(staff["head"], now=timezone.now()) is None
