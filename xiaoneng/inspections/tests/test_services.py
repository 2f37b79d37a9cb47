"""The inspections' rules, through the real services: checklists (shipped, versioned when used), plans, visit
records and their score, drafts and review, covert publication, findings and their three ways forward."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.inspections import services as svc
from xiaoneng.inspections.models import (
    Checklist,
    Correction,
    Finding,
    Result,
    SanctionProposal,
    Visit,
    VisitStatus,
)

from .conftest import T0, TZ, all_results, png


def test_the_shipped_checklist_has_the_eight_items_with_weights(checklist):
    names = list(checklist.items.values_list("name", flat=True))
    assert names == ["在岗在位", "挂牌上岗", "服务态度", "一次性告知", "首问负责", "办事效率", "收费公示", "工作纪律"]
    assert all(w > 0 for w in checklist.items.values_list("weight", flat=True))


def test_score_is_the_weighted_share_of_applicable_items_passed_computed_by_hand():
    # pass 15 + 10, fail 15, n/a 10: 25 / 40 = 62.5
    score, applicable, failed = svc.visit_score([(Result.PASS, 15), (Result.PASS, 10), (Result.FAIL, 15),
                                                 (Result.NA, 10)])
    assert (score, applicable, failed) == (Decimal("62.5"), 3, 1)
    assert svc.visit_score([(Result.NA, 10)]) == (None, 0, 0)
    assert svc.visit_score([(Result.PASS, 1), (Result.FAIL, 2)])[0] == Decimal("33.3")


@given(st.lists(st.tuples(st.sampled_from([Result.PASS, Result.FAIL, Result.NA]), st.integers(1, 100)), max_size=30))
@settings(max_examples=200, deadline=None)
def test_score_stays_between_0_and_100_and_failing_an_item_never_raises_it(pairs):
    score, applicable, failed = svc.visit_score(pairs)
    assert applicable == sum(1 for r, _ in pairs if r != Result.NA)
    if score is not None:
        assert Decimal(0) <= score <= Decimal(100)
        for i, (r, w) in enumerate(pairs):
            if r == Result.PASS:
                worse = svc.visit_score(pairs[:i] + [(Result.FAIL, w)] + pairs[i + 1:])[0]
                assert worse <= score


def test_a_visit_states_its_score(staff, record, checklist):
    v = record(staff["supervisor"], fail=("在岗在位",), na=("收费公示",))
    # total weight 100; n/a 收费公示 10 → applicable 90; failed 在岗在位 15 → 75 / 90 = 83.3
    assert v.score == Decimal("83.3") and v.applicable == 7 and v.failed == 1


def test_a_used_checklist_is_frozen_and_an_edit_makes_a_new_version(staff, record, checklist):
    v = record(staff["supervisor"])
    checklist.refresh_from_db()
    assert checklist.frozen
    items = [{"name": i.name, "weight": i.weight, "guidance": i.guidance} for i in checklist.items.all()]
    items[0]["weight"] = 30
    new = svc.checklist_save(checklist=checklist, name=checklist.name, items=items, by=staff["supervisor"], now=T0)
    assert new.pk != checklist.pk and new.version == 2 and new.previous_id == checklist.pk
    checklist.refresh_from_db()
    assert not checklist.is_active
    assert checklist.items.get(position=1).weight == 15  # the recorded visit's checklist is unchanged
    v.refresh_from_db()
    assert v.checklist_id == checklist.pk and v.score == Decimal("85.0")
    with pytest.raises(DomainError) as e:
        svc.checklist_save(checklist=checklist, name="x", items=items, by=staff["supervisor"], now=T0)
    assert e.value.field == "checklist"


def test_an_unused_checklist_is_edited_in_place(staff):
    c = svc.checklist_save(name="窗口检查", items=[{"name": "在岗", "weight": 5}], by=staff["supervisor"], now=T0)
    same = svc.checklist_save(checklist=c, name="窗口检查表", items=[{"name": "在岗", "weight": 7}],
                              by=staff["supervisor"], now=T0)
    assert same.pk == c.pk and same.items.get().weight == 7


@pytest.mark.parametrize("items, field", [
    ([], "items"), ([{"name": "", "weight": 5}], "items"), ([{"name": "a", "weight": 0}], "items"),
    ([{"name": "a", "weight": 101}], "items"), ([{"name": "a", "weight": "=cmd"}], "items"),
    ([{"name": "a", "weight": 1}, {"name": "a", "weight": 2}], "items"), ("nonsense", "items"),
])
def test_bad_checklists_are_refused_naming_the_field(staff, items, field):
    before = Checklist.objects.count()
    with pytest.raises(DomainError) as e:
        svc.checklist_save(name="检查表", items=items, by=staff["supervisor"], now=T0)
    assert e.value.field == field and Checklist.objects.count() == before


def test_only_the_office_keeps_checklists_and_plans(staff, invited, checklist, depts):
    for who in (invited, staff["head"], staff["leader"], staff["admin"]):
        with pytest.raises(NotPermitted):
            svc.checklist_save(name="x", items=[{"name": "a", "weight": 1}], by=who, now=T0)
        with pytest.raises(NotPermitted):
            svc.plan_create(title="x", mode="open", checklist=checklist, starts_on=date(2026, 3, 1),
                            ends_on=date(2026, 3, 2), departments=[depts["a"]], inspectors=[invited], by=who, now=T0)


def test_plan_inspectors_are_office_or_invited_supervisors(staff, checklist, depts):
    with pytest.raises(DomainError) as e:
        svc.plan_create(title="x", mode="open", checklist=checklist, starts_on=date(2026, 3, 1),
                        ends_on=date(2026, 3, 2), departments=[depts["a"]], inspectors=[staff["handler"]],
                        by=staff["supervisor"], now=T0)
    assert e.value.field == "inspectors"
    with pytest.raises(DomainError) as e:
        svc.plan_create(title="x", mode="open", checklist=checklist, starts_on=date(2026, 3, 5),
                        ends_on=date(2026, 3, 2), departments=[depts["a"]], inspectors=[staff["supervisor"]],
                        by=staff["supervisor"], now=T0)
    assert e.value.field == "ends_on"


def test_an_invited_supervisors_visit_is_a_draft_until_submitted_then_reviewed(staff, invited, record):
    v = record(invited)
    assert v.status == VisitStatus.DRAFT and not v.findings.exists()
    svc.visit_submit(visit=v, by=invited, now=T0)
    with pytest.raises(DomainError):
        svc.visit_review(visit=v, accept=False, note="", by=staff["supervisor"], now=T0)  # a return needs reasons
    v = svc.visit_review(visit=v, accept=False, note="照片不清楚，请补充。", by=staff["supervisor"], now=T0)
    assert v.status == VisitStatus.RETURNED
    v = svc.visit_submit(visit=v, by=invited, now=T0)
    v = svc.visit_review(visit=v, accept=True, by=staff["supervisor"], now=T0 + timedelta(hours=1))
    assert v.status == VisitStatus.ACCEPTED and v.published_at is None  # covert: not yet published
    f = v.findings.get()
    assert f.item_name == "在岗在位" and f.department_id == v.department_id and f.number == f"{v.number}-1"


def test_nobody_but_the_recorder_changes_a_draft_and_nobody_once_submitted(staff, invited, invited2, record, depts,
                                                                        checklist):
    v = record(invited)
    kwargs = dict(department=depts["a"], place="x", visited_at=T0, inspectors="x", results=all_results(checklist),
                  now=T0)
    with pytest.raises(NotPermitted):
        svc.visit_update(visit=v, by=invited2, **kwargs)
    with pytest.raises(NotPermitted):
        svc.visit_submit(visit=v, by=staff["supervisor"], now=T0)
    svc.visit_submit(visit=v, by=invited, now=T0)
    with pytest.raises(DomainError):
        svc.visit_update(visit=v, by=invited, **kwargs)


def test_only_inspectors_the_plan_names_record_its_visits(staff, invited2, record):
    for who in (invited2, staff["head"], staff["leader"]):
        with pytest.raises(NotPermitted):
            record(who)


def test_the_office_records_accepted_visits_and_an_open_one_is_published_at_once(staff, record):
    v = record(staff["supervisor"], mode="open")
    assert v.status == VisitStatus.ACCEPTED and v.published_at is not None and v.findings.count() == 1
    c = record(staff["supervisor"], mode="covert")
    assert c.status == VisitStatus.ACCEPTED and c.published_at is None
    with pytest.raises(DomainError):
        svc.visit_publish(visit=v, by=staff["supervisor"], now=T0)  # already published
    with pytest.raises(NotPermitted):
        svc.visit_publish(visit=c, by=staff["leader"], now=T0)
    assert svc.visit_publish(visit=c, by=staff["supervisor"], now=T0).published_at == T0


@pytest.mark.parametrize("change, field", [
    ({"dept": "b1"}, "department"), ({"place": ""}, "place"), ({"place": "x" * 101}, "place"),
    ({"visited_at": datetime(2026, 4, 2, 10, 0, tzinfo=TZ)}, "visited_at"),
    ({"visited_at": datetime(1, 1, 1, 10, 0, tzinfo=TZ)}, "visited_at"),
    ({"visited_at": datetime(9999, 12, 31, 10, 0, tzinfo=TZ)}, "visited_at"),
    ({"visited_at": datetime(2026, 3, 2, 10, 0)}, "visited_at"), ({"inspectors": ""}, "inspectors"),
])
def test_bad_visit_input_is_refused_naming_the_field_and_nothing_is_stored(staff, plans, depts, checklist, change,
                                                                          field):
    kwargs = dict(plan=plans["open"], department=depts["a"], place="县政务服务中心", visited_at=T0, inspectors="王",
                  results=all_results(checklist), by=staff["supervisor"], now=T0 + timedelta(days=40))
    if "dept" in change:
        kwargs["department"] = depts["county"]  # not a target of the plan
    kwargs.update({k: v for k, v in change.items() if k != "dept"})
    with pytest.raises(DomainError) as e:
        svc.visit_record(**kwargs)
    assert e.value.field == field and not Visit.objects.exists()


def test_results_must_cover_every_item_and_a_failure_needs_a_note(staff, plans, depts, checklist):
    res = all_results(checklist)
    first = checklist.items.first()
    del res[first.pk]
    with pytest.raises(DomainError) as e:
        svc.visit_record(plan=plans["open"], department=depts["a"], place="p", visited_at=T0, inspectors="i",
                         results=res, by=staff["supervisor"], now=T0)
    assert e.value.field == f"result_{first.pk}"
    res[first.pk] = (Result.FAIL, "")
    with pytest.raises(DomainError) as e:
        svc.visit_record(plan=plans["open"], department=depts["a"], place="p", visited_at=T0, inspectors="i",
                         results=res, by=staff["supervisor"], now=T0)
    assert e.value.field == f"note_{first.pk}"
    res[first.pk] = ("maybe", "")
    with pytest.raises(DomainError):
        svc.visit_record(plan=plans["open"], department=depts["a"], place="p", visited_at=T0, inspectors="i",
                         results=res, by=staff["supervisor"], now=T0)
    res[first.pk] = (Result.PASS, "")
    res[999999] = (Result.PASS, "")
    with pytest.raises(DomainError) as e:
        svc.visit_record(plan=plans["open"], department=depts["a"], place="p", visited_at=T0, inspectors="i",
                         results=res, by=staff["supervisor"], now=T0)
    assert e.value.field == "results" and not Visit.objects.exists()


def test_photos_go_through_the_content_checked_path_exif_stripped(staff, invited, record):
    import io

    from PIL import Image

    raw = png(exif=True)
    with Image.open(io.BytesIO(raw)) as im:
        assert len(im.getexif())
    photos = svc.clean_photos([("现场.jpg", raw)])
    v = record(invited, photos=photos)
    p = v.photos.get()
    data = p.file.read()
    with Image.open(io.BytesIO(data)) as im:
        assert not len(im.getexif())
    assert p.content_type == "image/jpeg"
    for name, content in (("伪装.jpg", b"%PDF-1.4\n%%EOF\n"), ("脚本.png", b"<script>alert(1)</script>"), ("空.png", b"")):
        with pytest.raises(DomainError) as e:
            svc.clean_photos([(name, content)])
        assert e.value.field == "photos"
    with pytest.raises(DomainError) as e:
        svc.clean_photos([(f"{i}.png", png()) for i in range(10)])
    assert e.value.field == "photos"


def _accepted_covert(staff, record):
    v = record(staff["supervisor"], mode="covert")
    return v, v.findings.get()


def test_a_covert_findings_cannot_go_anywhere_before_publication(staff, record):
    v, f = _accepted_covert(staff, record)
    for call in (lambda: svc.finding_correction_start(finding=f, by=staff["supervisor"], now=T0),
                 lambda: svc.sanction_propose(finding=f, kind="admonition", reason="r", by=staff["supervisor"], now=T0),
                 lambda: svc.finding_card_raise(finding=f, level="yellow", by=staff["supervisor"], now=T0)):
        with pytest.raises(DomainError) as e:
            call()
        assert e.value.field == "finding"


def test_correction_task_answer_and_review(staff, record):
    v, f = _accepted_covert(staff, record)
    svc.visit_publish(visit=v, by=staff["supervisor"], now=T0)
    with pytest.raises(NotPermitted):
        svc.finding_correction_start(finding=f, by=staff["head"], now=T0)
    f = svc.finding_correction_start(finding=f, by=staff["supervisor"], now=T0)
    assert f.correction == Correction.OPEN and f.correction_wd == 10 and f.next_check_at is not None
    with pytest.raises(NotPermitted):
        svc.finding_correction_answer(finding=f, text="已整改。", by=staff["handler_b"], now=T0)
    with pytest.raises(DomainError) as e:
        svc.finding_correction_answer(finding=f, text="", by=staff["head"], now=T0)
    assert e.value.field == "text"
    f = svc.finding_correction_answer(finding=f, text="已对相关人员批评教育并调整排班。", by=staff["head"], now=T0)
    assert f.correction == Correction.ANSWERED and f.next_check_at is None
    with pytest.raises(DomainError):
        svc.finding_correction_review(finding=f, accept=False, note="", by=staff["supervisor"], now=T0)
    f = svc.finding_correction_review(finding=f, accept=False, note="未附排班表。", wd=5, by=staff["supervisor"],
                                      now=T0)
    assert f.correction == Correction.OPEN and f.correction_wd == 5
    f = svc.finding_correction_answer(finding=f, text="已补充排班表。", by=staff["handler"], now=T0)
    f = svc.finding_correction_review(finding=f, accept=True, by=staff["supervisor"], now=T0)
    assert f.correction == Correction.ACCEPTED and f.correction_closed_at == T0


@pytest.mark.parametrize("wd", [0, 61, -1, "x", "9999999999999999999999"])
def test_bad_correction_limits_are_refused(staff, record, wd):
    v, f = _accepted_covert(staff, record)
    svc.visit_publish(visit=v, by=staff["supervisor"], now=T0)
    with pytest.raises(DomainError) as e:
        svc.finding_correction_start(finding=f, wd=wd, by=staff["supervisor"], now=T0)
    assert e.value.field == "wd"
    assert Finding.objects.get(pk=f.pk).correction == ""


def test_a_correction_started_after_hours_on_a_holiday_runs_across_the_tiaoxiu_and_its_cards_come_from_the_tick(
        calendar, staff, depts, checklist, invited):
    from xiaoneng.supervision.models import Warning
    from xiaoneng.supervision.services import supervise_tick

    plan = svc.plan_create(title="国庆暗访", mode="covert", checklist=checklist, starts_on=date(2026, 9, 28),
                           ends_on=date(2026, 10, 31), departments=[depts["a"]], inspectors=[staff["supervisor"]],
                           by=staff["supervisor"], now=datetime(2026, 9, 28, 9, 0, tzinfo=TZ))
    at = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    v = svc.visit_record(plan=plan, department=depts["a"], place="p", visited_at=at, inspectors="i",
                         results=all_results(checklist, fail=("工作纪律",)), by=staff["supervisor"], now=at)
    start = datetime(2026, 10, 1, 20, 0, tzinfo=TZ)  # National Day, after hours
    svc.visit_publish(visit=v, by=staff["supervisor"], now=start)
    f = svc.finding_correction_start(finding=v.findings.get(), by=staff["supervisor"], now=start)
    # The clock starts at the opening of Thu 8 Oct; day 0 is 8 Oct; working days 9 (Fri), 10 (Sat, 调休),
    # 12-16, 19, 20, 21 → the close of Wed 21 Oct.
    due = f.correction_due_at.astimezone(TZ)
    assert due.date() == date(2026, 10, 21) and due.hour >= 17
    assert not Warning.objects.filter(subject_kind="finding").exists()
    supervise_tick(now=datetime(2026, 10, 19, 18, 0, tzinfo=TZ))  # 2 wd before due: the reminder
    levels = set(Warning.objects.filter(subject_kind="finding", subject_id=f.pk).values_list("level", flat=True))
    assert levels == {"reminder"}
    supervise_tick(now=datetime(2026, 10, 26, 18, 0, tzinfo=TZ))  # 3 wd over: yellow and red
    levels = set(Warning.objects.filter(subject_kind="finding", subject_id=f.pk).values_list("level", flat=True))
    assert {"yellow", "red"} <= levels
    card = Warning.objects.filter(subject_kind="finding", subject_id=f.pk, level="red").get()
    assert card.department_id == depts["a"].pk
    f.refresh_from_db()
    assert f.flag == "red"


def test_sanction_proposals_name_the_findings_department_and_its_staff_only(staff, record):
    v, f = _accepted_covert(staff, record)
    svc.visit_publish(visit=v, by=staff["supervisor"], now=T0)
    with pytest.raises(DomainError) as e:
        svc.sanction_propose(finding=f, kind="talk", reason="脱岗。", staff=staff["handler_b"], by=staff["supervisor"],
                             now=T0)
    assert e.value.field == "staff"
    with pytest.raises(DomainError) as e:
        svc.sanction_propose(finding=f, kind="shoot", reason="x", by=staff["supervisor"], now=T0)
    assert e.value.field == "kind"
    with pytest.raises(DomainError) as e:
        svc.sanction_propose(finding=f, kind="talk", reason="", by=staff["supervisor"], now=T0)
    assert e.value.field == "reason"
    s = svc.sanction_propose(finding=f, kind="talk", reason="工作时间脱岗。", staff=staff["handler_a1"],
                             by=staff["supervisor"], now=T0)
    assert (s.department_id, s.staff_id, s.proposed_by_id) == (f.department_id, staff["handler_a1"].pk,
                                                               staff["supervisor"].pk)
    assert SanctionProposal.objects.count() == 1


def test_inspection_scores_per_department_for_the_next_issue(staff, record, depts):
    from xiaoneng.inspections.selectors import inspection_scores

    record(staff["supervisor"], mode="open", dept="a", fail=("在岗在位",))  # 85.0
    record(staff["supervisor"], mode="open", dept="a", fail=())  # 100
    record(staff["supervisor"], mode="open", dept="b", fail=("服务态度", "收费公示"))  # 75.0
    hidden = record(staff["supervisor"], mode="covert", dept="b", fail=("工作纪律",))  # unpublished: not counted
    scores = inspection_scores(datetime(2026, 3, 1, tzinfo=TZ), datetime(2026, 4, 1, tzinfo=TZ))
    assert scores[depts["a"].pk]["visits"] == 2 and scores[depts["a"].pk]["failed_items"] == 1
    assert Decimal(scores[depts["a"].pk]["mean_score"]).quantize(Decimal("0.01")) == Decimal("92.50")
    assert scores[depts["b"].pk]["visits"] == 1 and scores[depts["b"].pk]["failed_items"] == 2
    svc.visit_publish(visit=hidden, by=staff["supervisor"], now=T0)
    scores = inspection_scores(datetime(2026, 3, 1, tzinfo=TZ), datetime(2026, 4, 1, tzinfo=TZ))
    assert scores[depts["b"].pk]["visits"] == 2
    assert inspection_scores(datetime(2026, 4, 1, tzinfo=TZ), datetime(2026, 5, 1, tzinfo=TZ)) == {}


def test_a_manual_card_on_a_finding_goes_through_the_engine_with_the_finding_as_basis(staff, record, depts):
    from xiaoneng.supervision.models import Notification, SupervisionOrder, Warning

    v, f = _accepted_covert(staff, record)
    svc.visit_publish(visit=v, by=staff["supervisor"], now=T0)
    with pytest.raises(DomainError) as e:
        svc.finding_card_raise(finding=f, level="purple", by=staff["supervisor"], now=T0)
    assert e.value.field == "level"
    with pytest.raises(NotPermitted):
        svc.finding_card_raise(finding=f, level="yellow", by=staff["head"], now=T0)
    f = svc.finding_card_raise(finding=f, level="yellow", by=staff["supervisor"], now=T0)
    card = Warning.objects.get(pk=f.card_id)
    assert (card.subject_kind, card.subject_id, card.level, card.department_id) == ("finding", f.pk, "yellow",
                                                                                  depts["a"].pk)
    assert "在岗在位" in card.detail and card.rule.check_code == "finding"
    assert card.actions.filter(kind="issue").exists()
    assert SupervisionOrder.objects.filter(warning=card).exists()  # a yellow card's automatic order
    assert Notification.objects.filter(recipient=staff["head"]).exists()
    with pytest.raises(DomainError):
        svc.finding_card_raise(finding=f, level="red", by=staff["supervisor"], now=T0)  # one card per finding


def test_the_engine_never_raises_a_finding_card_by_itself(staff, record):
    from xiaoneng.supervision.models import Warning
    from xiaoneng.supervision.services import supervise_tick

    v, f = _accepted_covert(staff, record)
    svc.visit_publish(visit=v, by=staff["supervisor"], now=T0)
    supervise_tick(now=T0 + timedelta(days=60))
    assert not Warning.objects.filter(subject_kind="finding").exists()


def test_invited_supervisor_accounts_need_no_department_and_reach_none(client, depts, staff):
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.models import Department
    from xiaoneng.accounts.selectors import department_scope_q
    from xiaoneng.accounts.services import staff_create

    s = staff_create(username="cppcc_zhao", name="赵委员", department=None, roles=[R.INVITED], password=None)
    assert s.role_labels() == ["特邀监督员"] and s.roles_by_seniority()[0][0] == R.INVITED
    assert not s.is_county_wide
    assert not Department.objects.filter(department_scope_q(s, field="")).exists()
    with pytest.raises(DomainError) as e:
        staff_create(username="mixed", name="x", department=None, roles=[R.INVITED, R.HANDLER], password=None)
    assert e.value.field == "department"
    # Even given a department, the invited role reaches nothing there.
    t = staff_create(username="ent_qian", name="钱代表", department=depts["a"], roles=[R.INVITED], password=None)
    assert not Department.objects.filter(department_scope_q(t, field="")).exists()
    client.force_login(s)
    assert client.get("/api/v1/cases").json()["count"] == 0
    assert client.get("/api/v1/warnings").json()["count"] == 0
    # The role is offered on the administrator's staff page.
    client.force_login(staff["admin"])
    assert "特邀监督员" in client.get("/accounts/staff/new/").content.decode()
