"""Browser: the consequences of a published quarter (issue 13 §3, §5) — the office generates the bulletin, reads
it on a desktop and a phone, downloads the PDF (its text checked), publishes it, then confirms the escalation
proposal (a bureau last for the second quarter running → 诫勉谈话) and opens the numbered decision document.
Screenshots in artefacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest

from e2e.conftest import login, shot
from xiaoneng.ratings.tests.conftest import (  # noqa: F401  (fixtures)
    _supervision_env,
    ended_case,
    ingest,
    items,
    make_item,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


@pytest.fixture
def quarters(ended_case, staff, depts):  # noqa: F811
    """2026Q2 and 2026Q3 published under a one-indicator scheme: bureau A mostly on time, bureau B nothing
    completed in Q2 and half late in Q3: last both times (its head set: the 2nd time proposes 诫勉谈话 with the
    head)."""
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.testing import make_staff
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
    from xiaoneng.evaluation.services.schemes import scheme_create_version

    head_b = make_staff("head_b", depts["b"], [R.HEAD])
    depts["b"].head = head_b
    depts["b"].save()
    scheme_create_version({
        "period_kind": "quarter", "name": "测试方案", "valid_from": dt.date(2026, 1, 1), "total": D(100),
        "excellent_at": D(90), "good_at": D(80), "pass_at": D(60), "min_sample": 2, "bulletin_top": 8,
        "bulletin_bottom": 8, "escalation_bottom": 5,
        "indicators": [{"code": "on_time_rate", "weight": D(100), "floor": D("0.5"), "target": D(1)}],
        "deductions": [{"code": "card_red", "points": D(10), "cap": None}], "bonuses": [], "vetoes": []}, now=NOW)
    ended_case("Q2A", received="2026-06-01 09:00", ended="2026-06-01 10:00")
    for i in range(3):  # bureau A: all on time
        ended_case(f"Q3A{i}", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    # bureau B: 1 of 2 on time (50%, no points)
    ended_case("Q3B0", received="2026-09-28 09:00", ended="2026-09-28 10:00", code="ZR001", handler="handler_b")
    ended_case("Q3B1", received="2026-08-03 09:00", ended="2026-09-28 10:00", code="ZR001", handler="handler_b")
    for p in ("2026Q2", "2026Q3"):
        evaluation_publish(evaluation_run(p, now=NOW), now=NOW)


def test_the_office_issues_the_bulletin_and_confirms_an_escalation(page, phone_page, quarters, live_server):
    from pypdf import PdfReader

    login(page, "supervisor")
    page.goto("/staff/evaluation/bulletins/")
    shot(page, "evaluation-bulletins-list")
    page.select_option("#g-evaluation", label="2026年第三季度")
    page.click("[data-testid=generate]")
    page.wait_for_selector("[data-testid=bulletin]")
    text = page.inner_text("[data-testid=bulletin]")
    assert "关于2026年第三季度机关效能考核结果的通报" in text
    assert "测试县效通〔2026〕1号" in text
    assert "测试县自然资源局" in text and "测试县市场监督管理局" in text
    assert "按时办结率为50%" in page.inner_text("[data-testid=named]")
    assert "测试县市场监督管理局" in page.inner_text("[data-testid=commended]")
    shot(page, "evaluation-bulletin-desktop")
    # the PDF, fetched with the office's session, says the same
    href = page.get_attribute("[data-testid=pdf]", "href")
    resp = page.request.get(href)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.body())).pages)
    flat = "".join(pdf_text.replace("\x00", "").split())
    for needle in ("测试县效通〔2026〕1号", "测试县自然资源局", "测试县市场监督管理局", "关于2026年第三季度机关效能考核结果的通报"):
        assert needle in flat, needle
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=status] >> text=已印发")
    # the phone reads the bulletin without sideways scrolling of the page
    login(phone_page, "supervisor")
    phone_page.goto(page.url)
    phone_page.wait_for_selector("[data-testid=bulletin]")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    shot(phone_page, "evaluation-bulletin-phone")

    # the escalation proposal: bureau B last for the 2nd consecutive quarter → 诫勉谈话 with its head
    page.goto("/staff/evaluation/sanctions/?source=escalation&status=proposed")
    table = page.inner_text("[data-testid=sanction-table]")
    assert "诫勉谈话" in table and "测试县自然资源局" in table
    shot(page, "evaluation-sanctions-list")
    page.click("[data-testid=sanction-table] tbody tr:has-text('诫勉谈话') a >> nth=0")
    page.wait_for_selector("[data-testid=form-confirm]")
    assert "连续2个考核期" in page.inner_text("[data-testid=reason]")
    page.fill("#confirm-points", "-5")
    page.click("[data-testid=submit-confirm]")
    assert "扣分应在 0 至 100 分之间" in page.inner_text("[data-testid=form-confirm]")
    page.fill("#confirm-points", "")
    page.fill("#confirm-note", "对该局主要负责人进行诫勉谈话，限期整改。")
    page.click("[data-testid=submit-confirm]")
    page.wait_for_selector("[data-testid=status] >> text=已决定")
    number = page.inner_text("[data-testid=number]")
    assert number == "测试县效能〔2026〕1号"
    shot(page, "evaluation-sanction-confirmed")
    page.click("[data-testid=document]")
    page.wait_for_selector("[data-testid=document]")
    doc = page.inner_text("[data-testid=document]")
    # a rank's consequence deducts nothing unless the office sets points: the document names no deduction
    assert number in doc and "诫勉谈话" in doc and "扣0分" not in doc and "考核中扣" not in doc
    shot(page, "evaluation-decision-document")
    phone_page.goto(page.url.replace("/document/", "/"))
    phone_page.wait_for_selector("[data-testid=evidence]")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    shot(phone_page, "evaluation-sanction-phone")


def test_the_office_sets_the_red_card_rule_and_reads_the_register(page, phone_page, staff, depts, live_server):
    """The scheme editor's 红牌处理标准 (a bad number refused beside its field, then saved), the scheme page saying
    the rule in words on a phone, and the register: pending and decided by default, the dismissed one behind the
    filter with its points as —."""
    from xiaoneng.evaluation.models import SanctionKind
    from xiaoneng.evaluation.services import sanctions as S

    sup = staff["supervisor"]
    for i, kind in enumerate((SanctionKind.WARNING, SanctionKind.CRITICISM, SanctionKind.RECTIFY)):
        s = S.sanction_propose(kind=kind, department=depts["a"], staff=staff["handler"] if i == 0 else None,
                               reason=f"一个季度内被发出红牌{i + 3}张。", now=NOW, by=sup)
        if i == 1:
            S.sanction_confirm(s, now=NOW, by=sup)
        if i == 2:
            S.sanction_dismiss(s, now=NOW, by=sup, reason="经核实系历史积压所致，不予处理。")

    login(page, "supervisor")
    page.goto("/staff/evaluation/schemes/new/?kind=quarter")
    assert page.input_value("#f-red_card_threshold") == "3"
    page.fill("#f-valid_from", "2027-01-01")
    page.fill("#f-red_card_threshold", "-1")
    page.click("[data-testid=save]")
    err = page.inner_text("[data-testid=red-card-rule]")
    assert "红牌处理标准（张数）须在 0 至 1000 之间。" in err
    shot(page, "evaluation-scheme-red-card-refused")
    page.fill("#f-red_card_threshold", "5")
    page.select_option("#f-red_card_sanction", "admonishment")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=scheme-settings]")
    assert page.inner_text("[data-testid=red-card-rule]") == "一个季度内同一承办人被发出红牌5张及以上的，提出诫勉谈话。"
    login(phone_page, "supervisor")
    phone_page.goto(page.url)
    phone_page.wait_for_selector("[data-testid=red-card-rule]")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 400
    shot(phone_page, "evaluation-scheme-red-card-phone")

    page.goto("/staff/evaluation/sanctions/")
    table = page.inner_text("[data-testid=sanction-table]")
    assert "效能告诫" in table and "通报批评" in table and "责令整改" not in table
    assert page.inner_text("[data-testid=count]") == "共 2 条"
    shot(page, "evaluation-sanctions-default")
    page.select_option("#f-status", "dismissed")
    page.click("[data-testid=list-form] button[type=submit]")
    page.wait_for_selector("[data-testid=sanction-table] >> text=责令整改")
    assert page.inner_text("[data-testid=sanction-table] [data-testid=points]").strip() == "—"
    phone_page.goto(page.url)
    phone_page.wait_for_selector("[data-testid=sanction-table]")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 400
    shot(phone_page, "evaluation-sanctions-dismissed-phone")


def test_a_correction_withdraws_and_names_what_it_no_longer_supports(page, phone_page, quarters, staff,
                                                                    ended_case, live_server):  # noqa: F811
    """Bureau B's Q3 escalation (诫勉谈话) is confirmed; then late-reported cases move B above A in a corrected Q3
    (revision 2): the evaluation's page names the decided one for review and its page says so; A's new proposal
    waits."""
    from xiaoneng.evaluation.models import Evaluation, Sanction
    from xiaoneng.evaluation.services import sanctions as S
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

    b = Sanction.objects.get(evaluation__period="2026Q3", source="escalation")
    S.sanction_confirm(b, now=NOW, by=staff["supervisor"], note="诫勉谈话。")
    for i in range(3):  # B: 4 of 5 on time (80%, 60 points)
        ended_case(f"Q3B-late{i}", received="2026-09-28 09:00", ended="2026-09-28 10:00", code="ZR001",
                   handler="handler_b")
    for i in range(2):  # A: 3 of 5 on time (60%, 20 points)
        ended_case(f"Q3A-late{i}", received="2026-08-03 09:00", ended="2026-09-28 10:00")
    later = NOW + dt.timedelta(days=2)
    rev2 = evaluation_publish(evaluation_run("2026Q3", now=later, reason="两局补报办件后更正"), now=later)
    assert Evaluation.objects.get(pk=rev2.pk).revision == 2

    login(page, "supervisor")
    page.goto(f"/staff/evaluation/{rev2.pk}/")
    notes = page.inner_text("[data-testid=notes]")
    assert "第2次修订后不再支持、但已作出决定的问责事项1项" in notes and b.number in notes
    shot(page, "evaluation-correction-notes")
    page.goto(f"/staff/evaluation/sanctions/{b.pk}/")
    assert "第2次修订后不再支持该事项" in page.inner_text("[data-testid=unsupported]")
    login(phone_page, "supervisor")
    phone_page.goto(page.url)
    phone_page.wait_for_selector("[data-testid=unsupported]")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 400
    shot(phone_page, "evaluation-sanction-unsupported-phone")
    page.goto("/staff/evaluation/sanctions/?source=escalation&status=proposed")
    table = page.inner_text("[data-testid=sanction-table]")
    assert "测试县市场监督管理局" in table
