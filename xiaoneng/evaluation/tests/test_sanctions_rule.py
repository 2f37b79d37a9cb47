"""The red-card threshold as part of the scheme (its values, not a constant, decide and are quoted; 0 turns it
off; any period kind counts within its own period), and a correction withdrawing what it no longer supports:
a hand-built quarter whose corrected revision moves bureau B out of the bottom place and its handler under the
threshold."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from xiaoneng.evaluation.models import Evaluation, Sanction, SanctionKind, SanctionSource, SanctionStatus
from xiaoneng.evaluation.services import sanctions as S
from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

from .test_sanctions import NOW, publish, red_cards, scheme

LATER = NOW + dt.timedelta(days=3)


@pytest.mark.django_db
def test_the_schemes_threshold_and_kind_decide_and_are_quoted(depts, staff):
    scheme(red_card_threshold=4, red_card_sanction=SanctionKind.ADMONISHMENT)
    red_cards(depts["a"], staff["handler"], 4)
    red_cards(depts["b"], staff["handler_b"], 3)  # three: under this scheme's four
    publish("2026Q3")
    thr = Sanction.objects.get(source=SanctionSource.THRESHOLD)
    assert thr.staff == staff["handler"] and thr.kind == SanctionKind.ADMONISHMENT
    assert thr.reason == "handler_a在2026年第三季度被发出红牌4张，达到“一个季度内4张红牌”的处理标准，建议诫勉谈话。"
    assert thr.basis == "测试方案（第2版）：一个季度内同一承办人被发出红牌4张及以上的，予以诫勉谈话。"
    assert thr.points == 20  # 诫勉谈话's default points


@pytest.mark.django_db
def test_threshold_zero_turns_the_rule_off(depts, staff):
    scheme(red_card_threshold=0)
    red_cards(depts["a"], staff["handler"], 9)
    publish("2026Q3")
    assert not Sanction.objects.filter(source=SanctionSource.THRESHOLD).exists()


@pytest.mark.django_db
def test_a_month_scheme_with_the_rule_on_counts_within_the_month(depts, staff):
    scheme(period_kind="month", red_card_threshold=2)
    red_cards(depts["a"], staff["handler"], 2, at=dt.datetime(2026, 8, 3, 10, 0, tzinfo=NOW.tzinfo))
    publish("2026-07")  # no red card in July
    assert not Sanction.objects.filter(source=SanctionSource.THRESHOLD).exists()
    publish("2026-08")
    thr = Sanction.objects.get(source=SanctionSource.THRESHOLD)
    assert "2026年8月" in thr.reason and "一个月内2张红牌" in thr.reason


@pytest.fixture
def corrected(depts, staff, ended_case):
    """2026Q3 under a one-indicator scheme (threshold 3). Revision 1: bureau A 2 cases on time and 1 red card
    (100 − 10 = 90), bureau B no completed case (no data: last of 2, the bottom place) and 3 red cards to its
    handler → an escalation (通报批评) for B and the threshold (效能告诫) for handler_b. The office confirms the
    threshold's. Then B's two cases are reported late (on time) and its three cards withdrawn on appeal:
    revision 2 has B 100, A 90 → A is last."""
    from xiaoneng.supervision.services.cards import warning_withdraw

    scheme()
    ended_case("A1", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    ended_case("A2", received="2026-09-28 09:00", ended="2026-09-28 11:00")
    red_cards(depts["a"], staff["handler"], 1)
    b_cards = red_cards(depts["b"], staff["handler_b"], 3, at=dt.datetime(2026, 8, 4, 10, 0, tzinfo=NOW.tzinfo))
    rev1 = publish("2026Q3")
    thr = Sanction.objects.get(source=SanctionSource.THRESHOLD)
    S.sanction_confirm(thr, now=NOW, by=staff["supervisor"])
    ended_case("B1", received="2026-09-28 09:00", ended="2026-09-28 10:00", code="ZR001", handler="handler_b")
    ended_case("B2", received="2026-09-28 09:00", ended="2026-09-28 10:00", code="ZR001", handler="handler_b")
    for c in b_cards:
        warning_withdraw(warning=c, by=staff["supervisor"], now=NOW, text="申诉成立，撤销红牌。")
    rev2 = evaluation_publish(evaluation_run("2026Q3", now=LATER, reason="补报办件、撤销误发红牌后更正"), now=LATER)
    return rev1, rev2, thr


@pytest.mark.django_db
def test_a_correction_withdraws_the_proposals_it_no_longer_supports(depts, corrected):
    rev1, rev2, thr = corrected
    assert rev2.revision == 2
    ranks = {s.department.code: (s.rank, s.score) for s in rev2.scores.all()}
    assert ranks == {"TB": (1, 100), "TA": (2, 90)}  # by hand: B 2/2 on time = 100; A 100 − one red card 10
    esc = {s.department.code: s for s in Sanction.objects.filter(source=SanctionSource.ESCALATION)}
    # B's escalation, still proposed: withdrawn by the system, the revision and the time named
    b = esc["TB"]
    assert b.status == SanctionStatus.DISMISSED and b.decided_at == LATER and b.decided_by is None
    assert b.decision_note == "第2次修订后的考核结果不再支持该建议，系统自动撤回。"
    assert not b.number
    # A, now last, is proposed under revision 2
    assert esc["TA"].status == SanctionStatus.PROPOSED and esc["TA"].evaluation == rev2
    assert esc["TA"].kind == SanctionKind.CRITICISM
    # the decided threshold sanction is never changed, but named for review
    thr.refresh_from_db()
    assert thr.status == SanctionStatus.CONFIRMED and thr.decision_note == ""
    notes = Evaluation.objects.get(pk=rev2.pk).notes
    assert "第2次修订后不再支持、已自动撤回的问责建议1项：测试县自然资源局通报批评。" in notes
    assert (f"第2次修订后不再支持、但已作出决定的问责事项1项（系统不作改动，请效能办复核）：{thr.number}"
            f"（测试县自然资源局·handler_b效能告诫）。") in notes
    assert S.sanction_unsupported(thr) == rev2
    assert S.sanction_unsupported(esc["TA"]) is None
    # re-running the proposals changes nothing more
    assert S.sanctions_propose_for_period("2026Q3", now=LATER) == []
    assert Sanction.objects.filter(status=SanctionStatus.DISMISSED).count() == 1


@pytest.mark.django_db
def test_the_pages_say_what_the_correction_no_longer_supports(client_as, corrected):
    rev1, rev2, thr = corrected
    c = client_as("supervisor")
    page = c.get(reverse("evaluation:sanction_detail", args=[thr.pk])).content.decode()
    assert 'data-testid="unsupported"' in page and "第2次修订" in page
    page = c.get(reverse("evaluation:evaluation_detail", args=[rev2.pk])).content.decode()
    assert "请效能办复核" in page and thr.number in page
    withdrawn = Sanction.objects.get(status=SanctionStatus.DISMISSED)
    page = c.get(reverse("evaluation:sanction_detail", args=[withdrawn.pk])).content.decode()
    assert "系统自动撤回" in page and 'data-testid="unsupported"' not in page


# ------------------------------------------------------------------------------------------ the scheme's pages
def _form(**over) -> dict:
    data = {"op": "save", "period_kind": "quarter", "name": "测试方案", "valid_from": "2026-10-01", "total": "100",
            "excellent_at": "90", "good_at": "80", "pass_at": "60", "min_sample": "20", "bulletin_top": "8",
            "bulletin_bottom": "8", "escalation_bottom": "5", "red_card_threshold": "6",
            "red_card_sanction": "rectify", "note": "",
            "ind-code": ["on_time_rate"], "ind-weight": ["100"], "ind-floor": ["0.5"], "ind-target": ["1"]}
    data.update(over)
    return data


@pytest.mark.django_db
def test_the_scheme_page_says_the_rule_and_the_editor_copies_and_checks_it(client_as, depts):
    from xiaoneng.evaluation.models import Scheme

    base = scheme(red_card_threshold=8, red_card_sanction=SanctionKind.ADMONISHMENT)
    leader = client_as("leader")
    html = leader.get(reverse("evaluation:scheme_detail", args=[base.pk])).content.decode()
    assert "一个季度内同一承办人被发出红牌8张及以上的，提出诫勉谈话。" in html
    off = Scheme.objects.get(period_kind="month", version=1)
    html = leader.get(reverse("evaluation:scheme_detail", args=[off.pk])).content.decode()
    assert "未启用：红牌数量不自动提出问责。" in html
    sup = client_as("supervisor")
    page = sup.get(reverse("evaluation:scheme_new"), {"from": base.pk}).content.decode()
    assert 'name="red_card_threshold" value="8"' in page and '<option value="admonishment" selected>' in page
    url = reverse("evaluation:scheme_new")
    n = Scheme.objects.count()
    for over, message in (({"red_card_threshold": "-2"}, "红牌处理标准（张数）须在 0 至 1000 之间。"),
                          ({"red_card_threshold": "100000"}, "红牌处理标准（张数）须在 0 至 1000 之间。"),
                          ({"red_card_threshold": "三张"}, "红牌处理标准（张数）须为整数。"),
                          ({"red_card_sanction": "jail"}, "达到红牌处理标准时提出的处理方式“jail”无效。"),
                          ({"red_card_sanction": ""}, "请选择达到红牌处理标准时提出的处理方式。")):
        r = sup.post(url, _form(**over))
        assert r.status_code == 400, over
        assert re.search(r'is-invalid[^>]*>.*?<div class="invalid-feedback" data-testid="form-error">'
                         + re.escape(message), r.content.decode(), re.S), over
    assert Scheme.objects.count() == n
    r = sup.post(url, _form())
    assert r.status_code == 302
    new = Scheme.objects.order_by("-pk").first()
    assert (new.red_card_threshold, new.red_card_sanction) == (6, "rectify")
    r = sup.post(url, _form(red_card_threshold="0", red_card_sanction=""))  # off: no kind needed
    assert r.status_code == 302 and Scheme.objects.order_by("-pk").first().red_card_threshold == 0


@pytest.mark.django_db
def test_a_correction_names_the_later_escalations_whose_count_it_changed(depts, staff, ended_case):
    """Q2 and Q3 published: bureau B has no completed case in either (last of 2 both times: 通报批评, then
    诫勉谈话, confirmed). Q2 is corrected: B's two cases reported late (on time, 100) and A one red card (90) —
    B is out of Q2's bottom place, so Q3's 诫勉谈话 (the 2nd time) rests on a bottom place that is gone."""
    scheme()
    ended_case("A1", received="2026-06-01 09:00", ended="2026-06-01 10:00")
    ended_case("A2", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    publish("2026Q2")
    publish("2026Q3")
    q3 = Sanction.objects.get(evaluation__period="2026Q3", source=SanctionSource.ESCALATION)
    assert q3.kind == SanctionKind.ADMONISHMENT and q3.department == depts["b"]
    S.sanction_confirm(q3, now=NOW, by=staff["supervisor"])
    ended_case("B1", received="2026-06-01 09:00", ended="2026-06-01 10:00", code="ZR001", handler="handler_b")
    ended_case("B2", received="2026-06-01 09:00", ended="2026-06-01 10:00", code="ZR001", handler="handler_b")
    red_cards(depts["a"], staff["handler"], 1, at=dt.datetime(2026, 5, 6, 10, 0, tzinfo=NOW.tzinfo))
    rev2 = evaluation_publish(evaluation_run("2026Q2", now=LATER, reason="补报办件后更正"), now=LATER)
    assert {s.department.code: s.rank for s in rev2.scores.all()} == {"TB": 1, "TA": 2}
    q2 = {s.department.code: s for s in Sanction.objects.filter(evaluation__period="2026Q2",
                                                                 source=SanctionSource.ESCALATION)}
    assert q2["TB"].status == SanctionStatus.DISMISSED and q2["TA"].status == SanctionStatus.PROPOSED
    q3.refresh_from_db()
    assert q3.status == SanctionStatus.CONFIRMED  # never changed
    notes = Evaluation.objects.get(pk=rev2.pk).notes
    assert any(n.startswith("第2次修订改变了部分单位本期是否位列后5名") and f"2026年第三季度{q3.number}" in n
               and "测试县自然资源局诫勉谈话" in n for n in notes), notes
