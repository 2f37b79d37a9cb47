"""A small 万人评机关 questionnaire built through the services, for tests, the permission matrix's world and
the browser test (no mocks: what they exercise is what the office would make)."""

from __future__ import annotations

import datetime as dt

from xiaoneng.accounts.models import Department, Staff

from . import services
from .models import QuestionKind, Survey


def build_survey(*, by: Staff, departments: list[Department], opens_at: dt.datetime, closes_at: dt.datetime,
                 now: dt.datetime, title: str = "2026年度万人评机关", publish: bool = True,
                 public_link: bool = True, verify_phone: bool = False) -> Survey:
    """A survey with one section per kind of question: a required department matrix, a single choice, a
    multiple choice, a 1-5 scale and an optional text question."""
    s = services.survey_create(title=title, opens_at=opens_at, closes_at=closes_at, by=by, now=now,
                               description="请对下列机关的作风效能作出评价。", public_link=public_link,
                               verify_phone=verify_phone)
    sec1 = services.section_add(survey=s, title="一、机关作风评议", by=by, now=now)
    services.question_add(section=sec1, kind=QuestionKind.MATRIX, text="请对下列部门的服务作出评价",
                          departments=departments, by=by, now=now)
    sec2 = services.section_add(survey=s, title="二、办事体验", by=by, now=now)
    services.question_add(section=sec2, kind=QuestionKind.SINGLE, text="您认为窗口工作人员的服务态度如何",
                          options=["服务态度好", "一般", "服务态度差"], by=by, now=now)
    services.question_add(section=sec2, kind=QuestionKind.MULTIPLE, text="您遇到过哪些问题", required=False,
                          options=["多次跑动", "材料反复要求", "超时办理", "乱收费"], by=by, now=now)
    services.question_add(section=sec2, kind=QuestionKind.SCALE, text="总体满意度", by=by, now=now)
    services.question_add(section=sec2, kind=QuestionKind.TEXT, text="意见和建议", required=False, max_length=200,
                          by=by, now=now)
    if publish:
        services.survey_publish(survey=s, by=by, now=now)
    s.refresh_from_db()
    return s


def questions_by_kind(survey: Survey) -> dict:
    """The current version's questions by kind (the first of each)."""
    out = {}
    for x in services.version_questions(survey.current_version):
        out.setdefault(x.q.kind, x.q)
    return out


def full_answers(survey: Survey, ratings: dict[int, int], *, scale: int = 4, text: str = "") -> dict:
    """An answer to every question: the matrix as `ratings` (department id → 1-5), the first option of the
    choices."""
    q = questions_by_kind(survey)
    answers = {str(q[QuestionKind.MATRIX].pk): {str(k): v for k, v in ratings.items()},
               str(q[QuestionKind.SINGLE].pk): q[QuestionKind.SINGLE].options.order_by("order").first().pk,
               str(q[QuestionKind.SCALE].pk): scale}
    if text:
        answers[str(q[QuestionKind.TEXT].pk)] = text
    return answers
