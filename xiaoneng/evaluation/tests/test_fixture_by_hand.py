"""A hand-built county (issue 13 §5): four departments with cases completed early, on time and late, cards of
every level (one withdrawn), complaints (one substantiated), ratings good and bad (one bad rectified, one
appeal lost, one rating at a section that rolls up), a disciplinary sanction — built through the real ingest
and services. Every expected figure below is computed BY HAND in the comments and written as a literal; the
code under test is only asked for its answer.

Calendar: July 2026 has no holiday. SP001, ZR001 and TT001 promise 5 working days (statutory 20), GC001
promises 18 (statutory 20). A case accepted Mon 6 July 09:00 has day 0 = 6 July, so its committed deadline is
the close of Mon 13 July (7, 8, 9, 10, 13) and its statutory one the close of Mon 3 August (19 working days
in July after the 6th, the 20th on 3 August); GC001's committed deadline is Thu 30 July (18th working day).

Working days taken = limit − days early / + days late (cases.py's derivation); ratio = taken ÷ limit.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from decimal import Decimal as D

import pytest

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department
from xiaoneng.accounts.services import department_create
from xiaoneng.accounts.testing import make_staff
from xiaoneng.cases.models import Case
from xiaoneng.complaints import services as complaints
from xiaoneng.complaints.categories import categories_ensure
from xiaoneng.complaints.intake import clean_intake
from xiaoneng.complaints.models import Channel as ComplaintChannel
from xiaoneng.complaints.tests.conftest import letter
from xiaoneng.evaluation.models import Grade, Sanction, SanctionKind, SanctionStatus
from xiaoneng.evaluation.services.evaluate import evaluation_run
from xiaoneng.evaluation.services.schemes import scheme_create_version
from xiaoneng.ratings.models import Channel as RatingChannel
from xiaoneng.ratings.models import ContactKind, Rectification, WindowContact
from xiaoneng.ratings.services.rating import rating_record
from xiaoneng.ratings.services.rectification import (
    appeal_decide,
    rectification_accept,
    rectification_appeal,
    rectification_submit,
)
from xiaoneng.supervision.models import Warning, WarningStatus
from xiaoneng.supervision.services.cards import warning_withdraw

from .conftest import TZ, at, ev

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)
MON = "2026-07-06 09:00"


@pytest.fixture
def county(depts, staff, make_item, ingest, settings):
    """The four evaluated departments and everything that happened to them in 2026Q3 (see the module doc)."""
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "1000/h", "RATE_PER_CONTACT": "1000/h"}
    depts["c"] = department_create(code="TC", name="测试县住房和城乡建设局", parent=depts["county"])
    depts["t"] = department_create(code="TT", name="测试镇人民政府", kind=Department.Kind.TOWNSHIP,
                                   parent=depts["county"])
    make_item(code="GC001", dept="c", name="建筑工程施工许可证核发", committed_limit_value=18)
    make_item(code="TT001", dept="t", name="农村宅基地审批")
    staff["head_b"] = make_staff("head_b", depts["b"], [R.HEAD])
    sup = staff["supervisor"]

    def case(no, done, code="SP001", extra=(), registered=True):
        r = at(MON)
        evs = [ev(no, "received", r, code, handler="handler_a")] if registered else []
        evs += [ev(no, "accepted", r, code), *[ev(no, t, at(w), code, **kw) for t, w, kw in extra],
                ev(no, "completed", at(done), code), ev(no, "delivered", at(done) + timedelta(hours=1), code)]
        ingest(evs, now=at(done) + timedelta(hours=2))
        return Case.objects.get(case_no=no)

    # Bureau A (SP001, 5 wd): early by 5, early by 1, on time, 2 wd late (yellow card), early by 4 with the
    # 检测费 charged above its lower bound (yellow card).
    a = [case("A1", "2026-07-06 10:00"), case("A2", "2026-07-10 10:00"), case("A3", "2026-07-13 10:00"),
         case("A4", "2026-07-15 10:00"),
         case("A5", "2026-07-07 10:00", extra=[("fee_charged", "2026-07-06 10:00",
                                                 {"fee_item": "检测费", "amount": "100.00"})])]
    # Bureau B (ZR001, 5 wd): two one-time notices (second-notice yellow) and a fee not in the list (red,
    # withdrawn below), early by 3; on time; 17 wd late (13 July → 5 August: 14 + 3) past the statutory
    # deadline too (yellow + red).
    b1 = case("B1", "2026-07-08 10:00", "ZR001", extra=[
        ("fee_charged", "2026-07-06 10:00", {"fee_item": "咨询费", "amount": "30.00"}),
        ("supplement_requested", "2026-07-06 11:00", {"reason": "缺材料", "missing_materials": ["申请书"]}),
        ("supplement_received", "2026-07-06 12:00", {}),
        ("supplement_requested", "2026-07-06 13:00", {"reason": "又缺材料", "missing_materials": ["图纸"]}),
        ("supplement_received", "2026-07-06 14:00", {})])
    case("B2", "2026-07-13 10:00", "ZR001")
    case("B3", "2026-08-05 10:00", "ZR001")
    # Bureau C (GC001, 18 wd): early by 18; and one never registered at intake (体外循环: red), early by 17.
    c1 = case("C1", "2026-07-06 10:00", "GC001")
    case("C2", "2026-07-07 10:00", "GC001", registered=False)
    # Township T (TT001, 5 wd): on time.
    case("T1", "2026-07-13 10:00", "TT001")

    fee_red = Warning.objects.get(subject_id=b1.pk, rule__check_code="fee_irregular")
    warning_withdraw(warning=fee_red, by=sup, now=at("2026-07-09 09:00"), text="收费项目已补录公示，撤销。")

    # Ratings: A1 非常满意, A2 满意, A3 满意, A4 非常不满意 (bad: rectification left open); a window contact of
    # section TA1 (rolls up to A) 非常满意; B1 不满意 (bad: appealed, appeal rejected, then rectified and
    # accepted); C1 非常满意.
    for c, level in ((a[0], 5), (a[1], 4), (a[2], 4), (a[3], 1), (b1, 2), (c1, 5)):
        rating_record(case=c, level=level, channel=RatingChannel.API, now=c.completed_at + timedelta(hours=3),
                      reasons=[])
    contact = WindowContact.objects.create(number="CK2026-000091", department=depts["a1"], kind=ContactKind.CONSULTATION,
                                           served_at=at("2026-07-08 10:00"), window_name="3号窗口")
    rating_record(contact=contact, level=5, channel=RatingChannel.KIOSK, now=at("2026-07-08 10:30"))
    rect_b = Rectification.objects.get(rating__case=b1)
    appeal = rectification_appeal(rectification=rect_b, by=staff["head_b"], now=at("2026-07-09 09:00"),
                                  reason="评价人并未到窗口办理，属误评。")
    appeal_decide(appeal=appeal, by=sup, now=at("2026-07-10 09:00"), uphold=False, note="经核实评价属实，驳回。")
    rect_b.refresh_from_db()
    rectification_submit(rectification=rect_b, by=staff["handler_b"], now=at("2026-07-13 09:00"),
                         verification="经核实情况属实。", action="已加强窗口人员培训。")
    rectification_accept(rectification=rect_b, by=sup, now=at("2026-07-14 09:00"))

    # Complaints (charged to the complained-about department): against A, substantiated, replied on time,
    # rated 满意; against B, not substantiated, replied late, rated 不满意.
    categories_ensure()
    day = at("2026-07-06 10:00")
    for dept, outcome, reply_at, rating in (("TA", "substantiated", day + timedelta(days=4), "satisfied"),
                                            ("TB", "not_substantiated", day + timedelta(days=40), "unsatisfied")):
        c = complaints.complaint_submit(intake=clean_intake(letter(department=dept), today=day.date()),
                                        channel=ComplaintChannel.WEB, now=day, files=[], by=None, ip="203.0.113.7",
                                        idempotency_key=None, language=None)
        complaints.complaint_accept(complaint=c, by=sup, now=day + timedelta(days=1))
        target = depts["a"] if dept == "TA" else depts["b"]
        complaints.complaint_dispatch(complaint=c, by=sup, now=day + timedelta(days=1), departments=[target])
        complaints.dispatch_result(dispatch=c.dispatches.get(), by=staff["handler" if dept == "TA" else "handler_b"],
                                   now=day + timedelta(days=3), outcome=outcome, findings="调查情况说明。",
                                   measures="处理措施说明。")
        r = complaints.reply_draft(complaint=c, by=sup, now=day + timedelta(days=3), text="答复内容：已调查处理完毕。")
        complaints.reply_review(reply=r, by=sup, now=reply_at, approve=True)
        complaints.complaint_rate(complaint=c, now=reply_at + timedelta(hours=1), rating=rating)

    # A disciplinary sanction against a staff member of C, decided in the quarter, carrying 20 points (the
    # register's services are another part's: the row as they will write it).
    Sanction.objects.create(kind=SanctionKind.DISCIPLINARY, department=depts["c"], status=SanctionStatus.CONFIRMED,
                            number="测效纪〔2026〕1号", reason="违规办理", points=D(20), proposed_at=at("2026-08-03 09:00"),
                            decided_at=at("2026-08-10 09:00"))
    return depts


def lines(score) -> dict:
    return {ln.code: ln for ln in score.lines.all()}


def test_the_cards_are_what_the_hand_computation_assumes(county):
    counted = sorted((Case.objects.get(pk=w.subject_id).case_no, w.rule.check_code, w.level)
                     for w in Warning.objects.exclude(status=WarningStatus.WITHDRAWN).filter(subject_kind="case"))
    assert counted == [("A4", "committed_overdue", "yellow"), ("A5", "fee_above_minimum", "yellow"),
                       ("B1", "second_notice", "yellow"), ("B3", "committed_overdue", "yellow"),
                       ("B3", "statutory_overdue", "red"), ("C2", "off_book", "red")]


def test_the_shipped_scheme_by_hand(county):
    ev = evaluation_run("2026Q3", now=NOW)
    s = {x.department.code: x for x in ev.scores.all()}
    assert set(s) == {"TA", "TB", "TC", "TT"}
    # Disclosure is wired in (issue 14: the disclosure app replaces the placeholders); this quarter has no
    # published disclosure-day check, so the line is unscored for everyone, as before, without the old note.
    assert ev.notes == []

    # ---- Bureau A: 5 cases; on time 4 (A1, A2, A5 early, A3 on time), early 3.
    la = lines(s["TA"])
    assert (la["on_time_rate"].numerator, la["on_time_rate"].denominator, la["on_time_rate"].value) == (4, 5, D("0.8"))
    # ratios 0/5, 4/5, 5/5, 7/5, 1/5 → Σ 17/5 = 3.4, mean 0.68
    assert (la["avg_working_days_ratio"].numerator, la["avg_working_days_ratio"].value) == (D("3.4"), D("0.68"))
    assert la["procedure_rate"].value == 1 and la["fee_compliance_rate"].value == D("0.8")  # A5's fee card
    # ratings 5, 4, 4, 1, the section's 5 and the complaint follow-up 满意 (as the 好差评 figures count it): 5 of 6
    assert (la["rating_good_rate"].numerator, la["rating_good_rate"].denominator) == (5, 6)
    assert (la["rating_rectification_rate"].numerator, la["rating_rectification_rate"].denominator) == (0, 1)
    assert la["complaint_on_time_rate"].value == 1 and la["complaint_satisfaction_rate"].value == 1
    assert not la["survey_score"].scored and not la["inspection_score"].scored and not la["disclosure"].scored
    # scored weights: 8 + 6 + 14 + 8 + 10 + 5 + 5 + 10 = 66; weight′ = weight × 100 / 66
    assert la["on_time_rate"].effective_weight == D("12.1212")  # 800/66
    assert la["on_time_rate"].points == D("6.06")  # 800/66 × (0.8 − 0.6)/(1 − 0.6) = 12.1212 × 0.5
    assert la["avg_working_days_ratio"].points == D("5.82")  # 600/66 × (0.68 − 1)/(0.5 − 1) = 9.0909 × 0.64
    assert la["procedure_rate"].points == D("21.21")  # 1400/66
    assert la["fee_compliance_rate"].points == 0  # 0.8 < floor 0.95
    # 1000/66 × (5/6 − 0.8)/(0.98 − 0.8) = 15.1515 × 0.185185 = 2.8058
    assert la["rating_good_rate"].points == D("2.81")
    assert la["complaint_on_time_rate"].points == D("7.58")  # 500/66 = 7.5757…
    assert la["complaint_satisfaction_rate"].points == D("7.58")  # 1 ≥ target 0.95: full
    assert la["rating_rectification_rate"].points == 0
    assert s["TA"].base_points == D("51.06")  # 6.06 + 5.82 + 21.21 + 2.81 + 7.58 + 7.58
    assert la["card_yellow"].units == 2 and la["card_yellow"].points == 10  # 2 × 5 (cap 15)
    assert la["complaint_substantiated"].points == 2  # 1 × 2 (cap 10)
    assert s["TA"].deductions == 12
    assert la["early_completion"].units == 6  # 3 of 5 = 60 % → 6 × 1
    assert la["short_commitment"].units == 1 and la["short_commitment"].points == 3  # SP001, MY001: 5/20 = 25 %
    assert s["TA"].bonuses == 9
    assert s["TA"].score == D("48.06")  # 51.06 − 12 + 9
    assert s["TA"].grade == Grade.FAIL and s["TA"].veto is None

    # ---- Bureau B: 3 cases; on time 2, early 1; B1's withdrawn fee card does not count.
    lb = lines(s["TB"])
    assert (lb["on_time_rate"].numerator, lb["on_time_rate"].denominator) == (2, 3)
    # ratios 2/5, 5/5, 22/5 → Σ 29/5 = 5.8, mean 1.9333
    assert (lb["avg_working_days_ratio"].numerator, lb["avg_working_days_ratio"].value) == (D("5.8"), D("1.9333"))
    assert (lb["procedure_rate"].numerator, lb["procedure_rate"].denominator) == (2, 3)  # B1's second notice
    assert lb["fee_compliance_rate"].value == 1
    assert (lb["rating_good_rate"].numerator, lb["rating_good_rate"].denominator) == (0, 2)  # B1 不满意, follow-up 不满意
    assert lb["rating_rectification_rate"].value == 1
    assert lb["complaint_on_time_rate"].value == 0 and lb["complaint_satisfaction_rate"].value == 0
    # scored weights again 66: on time 800/66 × (2/3 − 0.6)/0.4 = 12.1212 × 1/6 = 2.02, fee 800/66 = 12.12 and
    # rectification 1000/66 = 15.15 earn points; the rest are at or below their floors
    assert lb["on_time_rate"].points == D("2.02")
    assert lb["fee_compliance_rate"].points == D("12.12") and lb["rating_rectification_rate"].points == D("15.15")
    assert s["TB"].base_points == D("29.29")
    # yellow 2 × 5 + red 1 × 10 + appeal lost 1 × 1 = 21
    assert (lb["card_yellow"].units, lb["card_red"].units, lb["appeal_lost"].units) == (2, 1, 1)
    assert s["TB"].deductions == 21
    assert lb["early_completion"].units == 3  # 1 of 3 = 33 % → 3
    assert s["TB"].bonuses == 6  # 3 + 3 (ZR001 5/20)
    assert s["TB"].score == D("14.29")  # 29.29 − 21 + 6

    # ---- Bureau C: 2 cases, both early; C2 never registered (off-book red card); a disciplinary sanction.
    lc = lines(s["TC"])
    assert lc["on_time_rate"].value == 1
    # ratios 0/18 and 1/18 → Σ 1/18 = 0.0556, mean 1/36 = 0.0278
    assert (lc["avg_working_days_ratio"].numerator, lc["avg_working_days_ratio"].value) == (D("0.0556"), D("0.0278"))
    assert lc["procedure_rate"].value == D("0.5")
    # scored weights: 8 + 6 + 14 + 8 + 10 = 46
    assert [lc[c].points for c in ("on_time_rate", "avg_working_days_ratio", "procedure_rate",
                                   "fee_compliance_rate", "rating_good_rate")] == [
        D("17.39"), D("13.04"), 0, D("17.39"), D("21.74")]  # 800/46, 600/46, 0, 800/46, 1000/46
    assert s["TC"].base_points == D("69.56")
    # red 1 × 10 + data incomplete 50 % → 50 × 1 capped at 5 + sanction 20 points × 1 = 35
    assert lc["data_incomplete"].units == 50 and lc["data_incomplete"].points == 5
    assert lc["sanction"].units == 20 and s["TC"].deductions == 35
    assert lc["early_completion"].units == 10 and "short_commitment" not in lc  # GC001: 18/20 = 90 %
    assert s["TC"].score == D("44.56")  # 69.56 − 35 + 10
    assert s["TC"].veto["code"] == "disciplinary_sanction" and s["TC"].grade == Grade.FAIL

    # ---- Township T: 1 case on time (ratio 5/5 = 1: the floor, no points); scored weights 8 + 6 + 14 + 8 = 36.
    lt = lines(s["TT"])
    assert [lt[c].points for c in ("on_time_rate", "avg_working_days_ratio", "procedure_rate",
                                   "fee_compliance_rate")] == [D("22.22"), 0, D("38.89"), D("22.22")]
    assert s["TT"].base_points == D("83.33") and s["TT"].score == D("86.33")  # + 3 (TT001 5/20)
    assert s["TT"].grade == Grade.GOOD
    assert "样本较少（1，少于20）" in lt["on_time_rate"].flags  # the shipped minimum sample is 20

    # ---- 好差评 as the ratings figures page counts them (A's row plus its section's row; B's row)
    from xiaoneng.core.periods import Period
    from xiaoneng.ratings.selectors import figures

    rows = {r["department"]: r for r in figures(period=Period.parse("2026Q3"),
                                                departments=[county["a"], county["a1"], county["b"]])["departments"]}
    assert (rows["TA"]["good"] + rows["TA1"]["good"], rows["TA"]["ratings"] + rows["TA1"]["ratings"]) == (5, 6)
    assert (rows["TB"]["good"], rows["TB"]["ratings"], rows["TB"]["rectified"], rows["TB"]["rectifications_due"]) == (
        0, 2, 1, 1)

    # ---- Ranks: the vetoed last; otherwise by score. Groups: bureaus A, B, C; townships T.
    assert [(c, s[c].rank_overall) for c in ("TT", "TA", "TB", "TC")] == [("TT", 1), ("TA", 2), ("TB", 3), ("TC", 4)]
    assert [(c, s[c].rank, s[c].group_code) for c in ("TA", "TB", "TC", "TT")] == [
        ("TA", 1, "bureaus"), ("TB", 2, "bureaus"), ("TC", 3, "bureaus"), ("TT", 1, "townships")]


def test_a_small_custom_scheme_by_hand(county):
    # on_time_rate 60 (floor 0.5, target 1) + procedure_rate 40 (floor 0.5, target 1); yellow cards −5 each,
    # at most −8; early completion +2 per 10 %, at most +5; a veto at 1 red card; grades 90 / 75 / 50.
    scheme_create_version({
        "period_kind": "quarter", "name": "小方案", "valid_from": dt.date(2026, 7, 1), "total": D(100),
        "excellent_at": D(90), "good_at": D(75), "pass_at": D(50), "min_sample": 2, "bulletin_top": 3,
        "bulletin_bottom": 3, "escalation_bottom": 2,
        "indicators": [{"code": "on_time_rate", "weight": D(60), "floor": D("0.5"), "target": D(1)},
                       {"code": "procedure_rate", "weight": D(40), "floor": D("0.5"), "target": D(1)}],
        "deductions": [{"code": "card_yellow", "points": D(5), "cap": D(8)}],
        "bonuses": [{"code": "early_completion", "points": D(2), "cap": D(5)}],
        "vetoes": [{"code": "red_cards", "threshold": 1, "sanction_kind": ""}]}, now=NOW)
    ev = evaluation_run("2026Q3", now=NOW)
    s = {x.department.code: x for x in ev.scores.all()}
    # A: on time 0.8 → 60 × 0.6 = 36; procedure 1 → 40; yellow 2 × 5 = 10 → cap 8; early 6 × 2 = 12 → cap 5
    assert (s["TA"].base_points, s["TA"].deductions, s["TA"].bonuses, s["TA"].score) == (76, 8, 5, 73)
    assert s["TA"].grade == Grade.PASS
    # B: on time 2/3 → 60 × (0.6667 − 0.5)/0.5 = 60 × 1/3 = 20; procedure 2/3 → 40/3 = 13.33; yellow 2 → cap 8;
    # early 3 × 2 = 6 → cap 5; one red card (B3) → veto
    assert (s["TB"].base_points, s["TB"].deductions, s["TB"].bonuses) == (D("33.33"), 8, 5)
    assert s["TB"].score == D("30.33") and s["TB"].veto["code"] == "red_cards"
    # C: on time 1 → 60; procedure 0.5 → 0; no yellow; early 10 × 2 = 20 → cap 5; C2's red card → veto
    assert (s["TC"].score, s["TC"].veto["code"]) == (65, "red_cards")
    # T: 60 + 40 = 100, nothing else
    assert s["TT"].score == 100 and s["TT"].grade == Grade.EXCELLENT
    # ranks: T 100, A 73, then the vetoed: C (65) before B (30.33)
    assert [x.department.code for x in sorted(s.values(), key=lambda x: x.rank_overall)] == ["TT", "TA", "TC", "TB"]
    assert s["TA"].lines.get(code="on_time_rate").flags == []  # 5 ≥ the minimum sample 2
    assert s["TT"].lines.get(code="on_time_rate").flags == ["样本较少（1，少于2）"]
