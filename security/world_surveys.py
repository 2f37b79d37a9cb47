"""The surveys part of the permission matrix's world (issue 12 §2): one published 万人评机关 survey over bureaus A
and B, closed a day ago, with responses rating both (so a department token reads its own score), an invitation
code of the public group, and a question to delete. Surveys belong to the supervision office, not to a
bureau: the matrix's URLs name them unscoped."""

from __future__ import annotations

from datetime import timedelta


def build_surveys(w) -> None:
    from django.utils import timezone

    from xiaoneng.surveys import services
    from xiaoneng.surveys.models import QuestionKind
    from xiaoneng.surveys.testing import build_survey, full_answers

    depts = w.obj["depts"]
    sup = w.staff["supervisor"]
    now = timezone.now()
    s = build_survey(by=sup, departments=[depts["a"], depts["b"]], opens_at=now - timedelta(days=30),
                     closes_at=now - timedelta(days=1), now=now - timedelta(days=31), title="矩阵测试评议")
    services.responses_bulk_submit(survey=s, items=[
        (now - timedelta(days=3), "public", full_answers(s, {depts["a"].pk: 5, depts["b"].pk: 2}, text="=cmd")),
        (now - timedelta(days=2), "deputies", full_answers(s, {depts["a"].pk: 4, depts["b"].pk: 3}))])
    services.invitation_codes_generate(survey=s, group="public", count=1, by=sup, now=now - timedelta(days=3))
    question = s.current_version.sections.first().questions.filter(kind=QuestionKind.MATRIX).first()
    w.obj["survey"] = {"pk": s.pk, "token": s.token, "qid": question.pk, "sid": question.section_id,
                       "answers": full_answers(s, {depts["a"].pk: 5, depts["b"].pk: 4})}
