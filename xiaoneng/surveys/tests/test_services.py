"""The design, publishing and intake rules of surveys (issue 12 §2), through the real services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.surveys import selectors as S
from xiaoneng.surveys import services
from xiaoneng.surveys.models import Answer, InvitationCode, QuestionKind, Response, Survey
from xiaoneng.surveys.services import GroupInput
from xiaoneng.surveys.testing import build_survey, full_answers, questions_by_kind

from .conftest import BEFORE, CLOSES, OPENS, T0


def _nothing_stored():
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_only_the_office_designs(staff, depts):
    for role in ("handler", "head", "leader", "admin"):
        with pytest.raises(NotPermitted):
            services.survey_create(title="x", opens_at=OPENS, closes_at=CLOSES, by=staff[role], now=BEFORE)


def test_new_survey_has_the_default_groups(survey):
    codes = list(survey.groups.values_list("code", flat=True))
    assert codes == ["service_users", "enterprises", "deputies", "cppcc", "supervisors", "public"]
    assert sum(g.weight for g in survey.groups.all()) == Decimal("1.00")


def test_period_must_be_ordered(staff):
    with pytest.raises(DomainError) as e:
        services.survey_create(title="x", opens_at=CLOSES, closes_at=OPENS, by=staff["supervisor"], now=BEFORE)
    assert e.value.field == "closes_at"


def test_published_version_is_frozen_and_revising_makes_a_new_one(survey, staff, depts):
    sup = staff["supervisor"]
    section = survey.current_version.sections.first()
    with pytest.raises(DomainError):
        services.question_add(section=section, kind=QuestionKind.SCALE, text="新题", by=sup, now=T0)
    a, b = depts["a"].pk, depts["b"].pk
    r1 = services.response_submit(survey=survey, answers=full_answers(survey, {a: 5, b: 4}), group="public", now=T0)
    v2 = services.survey_revise(survey=survey, by=sup, now=T0)
    assert v2.number == 2 and v2.is_draft
    new_section = v2.sections.first()
    services.question_add(section=new_section, kind=QuestionKind.SCALE, text="新增的题", by=sup, now=T0)
    # Until the draft is published, respondents still answer version 1.
    r2 = services.response_submit(survey=survey, answers=full_answers(survey, {a: 3, b: 3}), group="public",
                                  now=T0 + timedelta(minutes=1))
    assert r2.version.number == 1
    services.survey_publish(survey=survey, by=sup, now=T0 + timedelta(minutes=2))
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    r1.refresh_from_db()
    assert r1.version.number == 1  # answers stay with the version they answered
    # The old version's answers still count in the scores.
    scores = {d.department.pk: d for d in S.department_scores(survey)}
    assert scores[a].responses == 2
    # An answer of version 1's ids to version 2 is refused.
    with pytest.raises(DomainError):
        services.response_submit(survey=survey, answers=full_answers(Survey.objects.get(pk=survey.pk), {a: 5, b: 5})
                                  | {str(r1.answers.first().question_id): 3}, group="public",
                                  now=T0 + timedelta(minutes=3))


def test_publish_needs_questions(staff):
    s = services.survey_create(title="空问卷", opens_at=OPENS, closes_at=CLOSES, by=staff["supervisor"], now=BEFORE)
    with pytest.raises(DomainError) as e:
        services.survey_publish(survey=s, by=staff["supervisor"], now=BEFORE)
    assert e.value.field == "questions"


# ------------------------------------------------------------------------------------------ period
@pytest.mark.parametrize("at, ok", [
    (OPENS - timedelta(microseconds=1), False), (OPENS, True), (CLOSES - timedelta(microseconds=1), True),
    (CLOSES, False), (CLOSES + timedelta(days=30), False), (OPENS - timedelta(days=30), False),
])
def test_open_period_boundaries(survey, depts, at, ok):
    answers = full_answers(survey, {depts["a"].pk: 5, depts["b"].pk: 4})
    if ok:
        services.response_submit(survey=survey, answers=answers, group="public", now=at)
        assert Response.objects.count() == 1
    else:
        with pytest.raises(DomainError) as e:
            services.response_submit(survey=survey, answers=answers, group="public", now=at)
        assert "尚未开始" in e.value.message or "已于" in e.value.message
        assert "2026-03" in e.value.message  # the message names the time, in Beijing time
        _nothing_stored()


def test_draft_survey_takes_no_response(staff, depts):
    s = build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=OPENS, closes_at=CLOSES,
                     now=BEFORE, publish=False)
    with pytest.raises(DomainError):
        services.response_submit(survey=s, answers={}, group="public", now=T0)


# ------------------------------------------------------------------------------------------ codes
def test_invitation_code_admits_one_response(survey, staff, depts):
    codes = services.invitation_codes_generate(survey=survey, group="deputies", count=3, by=staff["supervisor"], now=T0)
    assert len({c.code for c in codes}) == 3
    answers = full_answers(survey, {depts["a"].pk: 5, depts["b"].pk: 2})
    r = services.response_submit(survey=survey, answers=answers, code=codes[0].code.lower(), now=T0)
    assert r.group.code == "deputies" and r.channel == "code"
    with pytest.raises(services.CodeUsed) as e:
        services.response_submit(survey=survey, answers=answers, code=codes[0].code, now=T0 + timedelta(hours=1))
    assert e.value.status == 409 and "已于 2026-03-10 10:00 使用过" in e.value.message
    with pytest.raises(DomainError) as e:
        services.response_submit(survey=survey, answers=answers, code="ZZZZZZZZ", now=T0)
    assert e.value.field == "code"
    assert Response.objects.count() == 1


def test_other_surveys_code_is_unknown(survey, staff, depts):
    other = build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=OPENS, closes_at=CLOSES,
                         now=BEFORE, title="另一份问卷")
    code = services.invitation_codes_generate(survey=other, group="public", count=1, by=staff["supervisor"],
                                              now=T0)[0]
    with pytest.raises(DomainError) as e:
        services.response_submit(survey=survey, answers=full_answers(survey, {depts["a"].pk: 5, depts["b"].pk: 5}),
                                 code=code.code, now=T0)
    assert e.value.field == "code"
    _nothing_stored()


def test_invalid_answer_leaves_the_code_unused(survey, staff, depts):
    code = services.invitation_codes_generate(survey=survey, group="public", count=1, by=staff["supervisor"], now=T0)[0]
    with pytest.raises(DomainError):
        services.response_submit(survey=survey, answers=full_answers(survey, {depts["a"].pk: 9, depts["b"].pk: 5}),
                                 code=code.code, now=T0)
    code.refresh_from_db()
    assert code.used_at is None and code.response_id is None
    _nothing_stored()


@pytest.mark.parametrize("count", [0, -1, 10_001, "abc", "9" * 40, None])
def test_code_count_bounds(survey, staff, count):
    with pytest.raises(DomainError) as e:
        services.invitation_codes_generate(survey=survey, group="public", count=count, by=staff["supervisor"], now=T0)
    assert e.value.field == "count"
    assert InvitationCode.objects.count() == 0


def test_codes_by_sms_are_queued_and_bad_lists_refused(survey, staff):
    with pytest.raises(DomainError) as e:
        services.invitation_codes_send(survey=survey, group="enterprises", phones=["13912345678", "12345"],
                                       by=staff["supervisor"], now=T0)
    assert "第 2 行" in e.value.message and InvitationCode.objects.count() == 0
    codes = services.invitation_codes_send(survey=survey, group="enterprises",
                                           phones=["13912345678", "139 1234 5678", "13800000000"],
                                           by=staff["supervisor"], now=T0)
    assert len(codes) == 2
    assert all(c.message.status == "pending" and c.code in c.message.body for c in codes)


def test_public_link_only_offers_public_groups(survey, depts):
    answers = full_answers(survey, {depts["a"].pk: 5, depts["b"].pk: 5})
    with pytest.raises(DomainError) as e:
        services.response_submit(survey=survey, answers=answers, group="deputies", now=T0)
    assert e.value.field == "group"
    with pytest.raises(DomainError):
        services.response_submit(survey=survey, answers=answers, group="", now=T0)
    _nothing_stored()


def test_invitation_only_survey_refuses_the_public_link(staff, depts):
    s = build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=OPENS, closes_at=CLOSES,
                     now=BEFORE, public_link=False)
    with pytest.raises(DomainError) as e:
        services.response_submit(survey=s, answers=full_answers(s, {depts["a"].pk: 5}), group="public", now=T0)
    assert e.value.field == "code"


# ------------------------------------------------------------------------------------------ answers
def test_wrong_ids_are_refused(survey, staff, depts):
    other = build_survey(by=staff["supervisor"], departments=[depts["a"], depts["b"]], opens_at=OPENS,
                         closes_at=CLOSES, now=BEFORE, title="另一份")
    mine, theirs = questions_by_kind(survey), questions_by_kind(other)
    a, b = depts["a"].pk, depts["b"].pk
    good = full_answers(survey, {a: 5, b: 4})
    cases = [
        # another survey's question
        good | {str(theirs[QuestionKind.SCALE].pk): 3},
        # another question's option (the other survey's single choice)
        good | {str(mine[QuestionKind.SINGLE].pk): theirs[QuestionKind.SINGLE].options.first().pk},
        # multiple choice with an option of the single-choice question
        good | {str(mine[QuestionKind.MULTIPLE].pk): [mine[QuestionKind.SINGLE].options.first().pk]},
        # a department not in this matrix
        good | {str(mine[QuestionKind.MATRIX].pk): {str(a): 5, str(b): 4, str(depts["office"].pk): 3}},
        # scale outside 1-5, huge numbers, booleans, nested junk
        good | {str(mine[QuestionKind.SCALE].pk): 6},
        good | {str(mine[QuestionKind.SCALE].pk): 0},
        good | {str(mine[QuestionKind.SCALE].pk): 10**30},
        good | {str(mine[QuestionKind.SCALE].pk): "9" * 100},
        good | {str(mine[QuestionKind.SCALE].pk): True},
        good | {str(mine[QuestionKind.SCALE].pk): {"a": {"b": [1]}}},
        good | {str(mine[QuestionKind.MATRIX].pk): {str(a): 5, str(b): 10**20}},
        good | {str(mine[QuestionKind.MATRIX].pk): [5, 4]},
        good | {str(mine[QuestionKind.MATRIX].pk): {"x" * 50: 5}},
        good | {str(mine[QuestionKind.SINGLE].pk): 10**30},
        # text too long, or not text
        good | {str(mine[QuestionKind.TEXT].pk): "长" * 201},
        good | {str(mine[QuestionKind.TEXT].pk): ["x"]},
        # required left empty
        {k: v for k, v in good.items() if k != str(mine[QuestionKind.SINGLE].pk)},
        good | {str(mine[QuestionKind.MATRIX].pk): {str(a): 5}},  # a department not rated in a required matrix
        good | {str(mine[QuestionKind.MATRIX].pk): {}},
        "not a mapping",
    ]
    for answers in cases:
        with pytest.raises(DomainError) as e:
            services.response_submit(survey=survey, answers=answers, group="public", now=T0)
        assert e.value.field, answers
        assert e.value.status in (400, 409)
    _nothing_stored()


def test_answers_are_stored_with_their_department_and_group(survey, depts):
    a, b = depts["a"].pk, depts["b"].pk
    q = questions_by_kind(survey)
    answers = full_answers(survey, {a: 5, b: 2}, text="窗口 13912345678 的人态度差")
    answers[str(q[QuestionKind.MULTIPLE].pk)] = [o.pk for o in q[QuestionKind.MULTIPLE].options.all()[:2]]
    r = services.response_submit(survey=survey, answers=answers, group="enterprises", now=T0)
    rows = list(r.answers.all())
    assert {(x.department_id, x.value) for x in rows if x.department_id} == {(a, 5), (b, 2)}
    assert all(x.group_id == r.group_id and x.survey_id == survey.pk for x in rows)
    assert sum(1 for x in rows if x.question_id == q[QuestionKind.MULTIPLE].pk) == 2
    # Free text is masked where it is shown.
    text = [t for item in S.question_results(survey, survey.current_version) for t in item.get("texts", [])]
    assert text and "13912345678" not in text[0]["text"]


# ------------------------------------------------------------------------------------------ phone
def test_one_response_per_verified_phone(staff, depts, settings):
    from xiaoneng.core import sms

    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    sms.outbox.clear()
    s = build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=OPENS, closes_at=CLOSES,
                     now=BEFORE, verify_phone=True)
    answers = full_answers(s, {depts["a"].pk: 4})
    with pytest.raises(DomainError) as e:
        services.response_submit(survey=s, answers=answers, group="public", now=T0)
    assert e.value.field == "phone"
    services.phone_verification_send(survey=s, phone="13912345678", now=T0)
    code = sms.outbox[-1][1].split("验证码是 ")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError) as e:
        services.response_submit(survey=s, answers=answers, group="public", phone="13912345678", sms_code=wrong, now=T0)
    assert e.value.field == "sms_code"
    r = services.response_submit(survey=s, answers=answers, group="public", phone="13912345678", sms_code=code, now=T0)
    assert r.phone_hash and "13912345678" not in r.phone_hash
    with pytest.raises(services.CodeUsed):
        services.phone_verification_send(survey=s, phone="139-1234-5678", now=T0)
    # Expired codes do not work.
    services.phone_verification_send(survey=s, phone="13800000000", now=T0)
    code2 = sms.outbox[-1][1].split("验证码是 ")[1][:6]
    with pytest.raises(DomainError):
        services.response_submit(survey=s, answers=answers, group="public", phone="13800000000", sms_code=code2,
                                 now=T0 + timedelta(minutes=11))


def test_public_link_rate_limit(survey, depts, settings):
    settings.XIAONENG_SURVEY_RATE_PER_IP = 2
    answers = full_answers(survey, {depts["a"].pk: 5, depts["b"].pk: 5})
    for i in range(2):
        services.response_submit(survey=survey, answers=answers, group="public", ip="203.0.113.5",
                                 now=T0 + timedelta(seconds=i))
    with pytest.raises(services.RateLimited) as e:
        services.response_submit(survey=survey, answers=answers, group="public", ip="203.0.113.5",
                                 now=T0 + timedelta(seconds=5))
    assert e.value.status == 429
    assert Response.objects.count() == 2


# ------------------------------------------------------------------------------------------ groups
def test_groups_save_validates(survey, staff):
    sup = staff["supervisor"]
    bad = [
        [GroupInput("a", "甲", "-1", 5)],
        [GroupInput("a", "甲", "abc", 5)],
        [GroupInput("a", "甲", "1e400", 5)],
        [GroupInput("a", "甲", "0", 5)],
        [GroupInput("A B", "甲", "1", 5)],
        [GroupInput("a", "甲", "1", 5), GroupInput("a", "乙", "1", 5)],
        [GroupInput("a", "甲", "1", "9" * 30)],
        [],
    ]
    for groups in bad:
        with pytest.raises(DomainError):
            services.groups_save(survey=survey, groups=groups, by=sup, now=T0)
    assert survey.groups.count() == 6
    services.groups_save(survey=survey, groups=[GroupInput("public", "社会公众", "3", 10),
                                                GroupInput("firms", "企业家", "1", 2, False)], by=sup, now=T0)
    assert list(survey.groups.values_list("code", "weight")) == [("public", Decimal("3")), ("firms", Decimal("1"))]


def test_bulk_submit_uses_the_same_validation(survey, depts):
    a, b = depts["a"].pk, depts["b"].pk
    good = full_answers(survey, {a: 5, b: 4})
    with pytest.raises(DomainError) as e:
        services.responses_bulk_submit(survey=survey, items=[(T0, "public", good), (T0, "public", good | {"1": 1})])
    assert e.value.row == 2
    with pytest.raises(DomainError):
        services.responses_bulk_submit(survey=survey, items=[(CLOSES, "public", good)])
    _nothing_stored()
    assert services.responses_bulk_submit(survey=survey, items=[(T0, "public", good)] * 3) == 3
    assert Answer.objects.filter(department_id=a).count() == 3
