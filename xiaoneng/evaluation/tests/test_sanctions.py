"""The sanctions register: every transition and its refusals, evidence checks, numbering, escalation of repeated
bottom places over consecutive published periods, vetoes, the red-card threshold, inspections' proposals and
idempotency of the automatic proposals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.evaluation.models import (
    EvidenceKind,
    Sanction,
    SanctionKind,
    SanctionSource,
    SanctionStatus,
    Score,
)
from xiaoneng.evaluation.services import sanctions as S
from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
from xiaoneng.evaluation.services.schemes import scheme_create_version

from .conftest import TZ
from .test_engine import one_indicator_spec

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


def scheme(**over):
    return scheme_create_version(one_indicator_spec(**over), now=NOW)


def publish(period: str, *, reason: str = ""):
    ev = evaluation_run(period, now=NOW, reason=reason)
    return evaluation_publish(ev, now=NOW)


def red_cards(dept, handler, n: int, *, at=dt.datetime(2026, 8, 3, 10, 0, tzinfo=TZ)):
    from xiaoneng.supervision.models import Level, Rule, Warning

    rule = Rule.objects.order_by("id").first()
    out = []
    for i in range(n):
        out.append(Warning.objects.create(subject_kind="case", subject_id=900000 + i, rule=rule, level=Level.RED,
                                          deadline_key=f"test-red-{handler.pk}-{i}", department=dept, handler=handler,
                                          crossed_at=at, issued_at=at, updated_at=at, detail=f"超期未办结 {i}"))
    return out


@pytest.fixture
def people(depts):
    return {
        "supervisor": make_staff("sup_c", depts["office"], [R.SUPERVISOR]),
        "head_b": make_staff("head_b", depts["b"], [R.HEAD]),
        "handler_b": make_staff("handler_b", depts["b"], [R.HANDLER]),
        "handler_a": make_staff("handler_a", depts["a"], [R.HANDLER]),
        "head_a": make_staff("head_a", depts["a"], [R.HEAD]),
    }


# ------------------------------------------------------------------------------------------ transitions
@pytest.mark.django_db
def test_manual_proposal_confirm_appeal_and_decisions(depts, people):
    sup = people["supervisor"]
    s = S.sanction_propose(kind=SanctionKind.RECTIFY, department=depts["b"], reason="窗口多次推诿", now=NOW, by=sup)
    assert s.status == SanctionStatus.PROPOSED and s.points == D(10) and s.source == SanctionSource.MANUAL
    s = S.sanction_confirm(s, now=NOW, by=sup, note="责令限期整改")
    assert s.status == SanctionStatus.CONFIRMED and s.number == "测试县效能〔2026〕1号"
    assert s.decided_by == sup and s.decided_at == NOW
    with pytest.raises(DomainError) as e:
        S.sanction_confirm(s, now=NOW, by=sup)
    assert "已决定" in e.value.message and e.value.field == "status"
    with pytest.raises(DomainError) as e:
        S.sanction_appeal(s, now=NOW, by=people["head_b"], text="  ")
    assert e.value.field == "text"
    with pytest.raises(NotPermitted):
        S.sanction_appeal(s, now=NOW, by=people["head_a"], text="不服")  # another department's head
    with pytest.raises(NotPermitted):
        S.sanction_appeal(s, now=NOW, by=people["handler_b"], text="不服")  # not the sanctioned person
    s = S.sanction_appeal(s, now=NOW, by=people["head_b"], text="推诿系系统故障所致")
    assert s.status == SanctionStatus.APPEALED
    with pytest.raises(DomainError) as e:
        S.sanction_appeal_decide(s, now=NOW, by=sup, upheld=True, note="")
    assert e.value.field == "note"
    s = S.sanction_appeal_decide(s, now=NOW, by=sup, upheld=True, note="经核实属系统故障")
    assert s.status == SanctionStatus.REVOKED
    with pytest.raises(DomainError):
        S.sanction_appeal_decide(s, now=NOW, by=sup, upheld=False, note="再议")
    # a second one is number 2; an appeal rejected is upheld
    t = S.sanction_propose(kind=SanctionKind.WARNING, department=depts["b"], staff=people["handler_b"],
                           reason="红牌", now=NOW, by=sup)
    t = S.sanction_confirm(t, now=NOW, by=sup, points="15")
    assert t.number == "测试县效能〔2026〕2号" and t.points == D(15)
    t = S.sanction_appeal(t, now=NOW, by=people["handler_b"], text="本人不服")  # the sanctioned member
    t = S.sanction_appeal_decide(t, now=NOW, by=sup, upheld=False, note="证据确凿")
    assert t.status == SanctionStatus.UPHELD


@pytest.mark.django_db
def test_dismissal_needs_reasons_and_only_from_proposed(depts, people):
    sup = people["supervisor"]
    s = S.sanction_propose(kind=SanctionKind.CRITICISM, department=depts["a"], reason="排名靠后", now=NOW, by=sup)
    with pytest.raises(DomainError) as e:
        S.sanction_dismiss(s, now=NOW, by=sup, reason=" ")
    assert e.value.field == "reason" and "理由" in e.value.message
    s = S.sanction_dismiss(s, now=NOW, by=sup, reason="情有可原")
    assert s.status == SanctionStatus.DISMISSED and s.decision_note == "情有可原"
    for call in (lambda: S.sanction_confirm(s, now=NOW, by=sup),
                 lambda: S.sanction_dismiss(s, now=NOW, by=sup, reason="x"),
                 lambda: S.sanction_appeal(s, now=NOW, by=people["head_a"], text="x")):
        with pytest.raises(DomainError) as e:
            call()
        assert "不予处理" in e.value.message
    assert not s.number


@pytest.mark.django_db
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(depts, people, ended_case):
    sup = people["supervisor"]
    base = {"kind": SanctionKind.WARNING, "department": depts["a"], "reason": "事由", "now": NOW, "by": sup}
    cases = [
        ({"kind": "nonsense"}, "kind"),
        ({"reason": "   "}, "reason"),
        ({"reason": "长" * 2001}, "reason"),
        ({"points": "abc"}, "points"),
        ({"points": "-1"}, "points"),
        ({"points": "99999999999"}, "points"),
        ({"points": "1.234"}, "points"),
        ({"staff": people["handler_b"]}, "staff"),  # another department's staff member
        ({"evidence": [(EvidenceKind.CARD, 999999)]}, "evidence_card"),
        ({"evidence": [(EvidenceKind.COMPLAINT, "x")]}, "evidence_complaint"),
        ({"evidence": [("planet", 1)]}, "evidence"),
    ]
    b_cards = red_cards(depts["b"], people["handler_b"], 1)
    cases.append(({"evidence": [(EvidenceKind.CARD, b_cards[0].pk)]}, "evidence_card"))  # bureau B's card
    for over, field in cases:
        with pytest.raises(DomainError) as e:
            S.sanction_propose(**{**base, **over})
        assert e.value.field == field, over
    assert not Sanction.objects.exists()
    # the section's card belongs to bureau A: accepted, labelled
    a_card = red_cards(depts["a1"], people["handler_a"], 1)[0]
    s = S.sanction_propose(**base, evidence=[(EvidenceKind.CARD, a_card.pk), (EvidenceKind.CARD, a_card.pk)])
    assert [e.kind for e in s.evidence.all()] == ["card"] and "红牌" in s.evidence.get().label


# ------------------------------------------------------------------------------------------ after publication
@pytest.mark.django_db
def test_escalation_over_consecutive_published_quarters(depts, people, ended_case):
    """Bureau B has no completed cases: last of the two bureaus in every quarter (bottom 5 capped to half of a
    group of 2 = 1). 1st → 通报批评, 2nd → 诫勉谈话 with its head, 3rd → 组织处理（建议）."""
    depts["b"].head = people["head_b"]
    depts["b"].save()
    scheme()
    ended_case("Q1", received="2026-03-02 09:00", ended="2026-03-02 10:00")
    ended_case("Q2", received="2026-06-01 09:00", ended="2026-06-01 10:00")
    ended_case("Q3", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    publish("2026Q1")
    publish("2026Q2")
    publish("2026Q3")
    esc = {s.evaluation.period: s for s in Sanction.objects.filter(source=SanctionSource.ESCALATION)}
    assert set(esc) == {"2026Q1", "2026Q2", "2026Q3"}
    assert all(s.department == depts["b"] for s in esc.values())
    assert esc["2026Q1"].kind == SanctionKind.CRITICISM and "第一次" in esc["2026Q1"].reason
    assert esc["2026Q2"].kind == SanctionKind.ADMONISHMENT and esc["2026Q2"].staff == people["head_b"]
    assert "连续2个考核期" in esc["2026Q2"].reason
    assert esc["2026Q3"].kind == SanctionKind.ORGANISATIONAL and "连续3个考核期" in esc["2026Q3"].reason
    assert esc["2026Q3"].evidence.filter(kind=EvidenceKind.SCORE).count() == 3
    assert esc["2026Q3"].status == SanctionStatus.PROPOSED  # the office confirms or dismisses
    # a corrected revision re-publishes: nothing is proposed twice
    publish("2026Q3", reason="补录数据后更正")
    assert Sanction.objects.filter(source=SanctionSource.ESCALATION).count() == 3
    assert S.sanctions_propose_for_period("2026Q3", now=NOW) == []


@pytest.mark.django_db
def test_a_gap_restarts_the_count(depts, people, ended_case):
    scheme()
    publish("2026Q1")
    # Q2 never published: Q3's bottom place is a first time again
    publish("2026Q3")
    esc = {s.evaluation.period: s.kind for s in Sanction.objects.filter(source=SanctionSource.ESCALATION)}
    assert esc == {"2026Q1": SanctionKind.CRITICISM, "2026Q3": SanctionKind.CRITICISM}


@pytest.mark.django_db
def test_veto_threshold_and_inspection_proposals(depts, people, ended_case):
    scheme(vetoes=[{"code": "red_cards", "threshold": 3, "sanction_kind": SanctionKind.CRITICISM}])
    cards = red_cards(depts["a"], people["handler_a"], 3)
    red_cards(depts["b"], people["handler_b"], 2)  # under the threshold
    from xiaoneng.inspections.models import SanctionProposal

    SanctionProposal.objects.create(kind="talk", department=depts["b"], staff=people["handler_b"],
                                    reason="暗访发现窗口脱岗", proposed_at=NOW, proposed_by=people["supervisor"])
    publish("2026Q3")
    veto = Sanction.objects.get(source=SanctionSource.VETO)
    assert veto.department == depts["a"] and veto.kind == SanctionKind.CRITICISM and "一票否决" in veto.reason
    thr = Sanction.objects.get(source=SanctionSource.THRESHOLD)
    assert thr.staff == people["handler_a"] and thr.kind == SanctionKind.WARNING and thr.department == depts["a"]
    assert sorted(thr.evidence.values_list("object_id", flat=True)) == sorted(c.pk for c in cards)
    assert "红牌3张" in thr.reason
    insp = Sanction.objects.get(source=SanctionSource.INSPECTION)
    assert insp.kind == SanctionKind.ADMONISHMENT and insp.staff == people["handler_b"]
    n = Sanction.objects.count()
    publish("2026Q3", reason="更正")
    assert Sanction.objects.count() == n


@pytest.mark.django_db
def test_score_evidence_of_another_department_is_refused(depts, people, ended_case):
    scheme()
    ev = publish("2026Q3")
    a = Score.objects.get(evaluation=ev, department=depts["a"])
    with pytest.raises(DomainError) as e:
        S.sanction_propose(kind=SanctionKind.WARNING, department=depts["b"], reason="x", now=NOW,
                           evidence=[(EvidenceKind.SCORE, a.pk)])
    assert e.value.field == "evidence_score"


@pytest.mark.django_db
def test_the_command_is_idempotent_and_says_a_bad_period(depts, people, ended_case):
    from io import StringIO

    from django.core.management import CommandError, call_command

    scheme()
    publish("2026Q3")
    out = StringIO()
    call_command("propose_sanctions", period="2026Q3", stdout=out)
    assert "新提出问责事项 0 项" in out.getvalue()
    for bad in ("2026Q9", "2025Q3"):
        with pytest.raises(CommandError):
            call_command("propose_sanctions", period=bad, stdout=out)
