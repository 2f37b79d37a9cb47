"""The demo county's 民主评议: one 2026 年度万人评机关 survey of the county's bureaus, answered by several thousand
respondents over the six groups (fewer at the small scale), closed a few days before the demo's "now" so its
scores are final: the office reads the results, each head the department's own score. A few bureaus are
visibly worse. Built through the survey services; the responses through the bulk path, which runs every
answer through the same validation as the public page (services.clean_answers). Deterministic for a seed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department

COMMENTS = (
    "希望进一步精简办事材料，减少跑动次数。", "窗口工作人员热情耐心，点赞！", "部分窗口午休时间无人值守。",
    "网上办事系统经常卡顿，希望改进。", "一次性告知做得很好。", "办理时间比承诺的长，希望提高效率。",
    "建议增加周末延时服务。", "电话咨询经常无人接听。",
)
# Share of respondents per group (服务对象, 企业, 人大代表, 政协委员, 特邀监督员, 社会公众).
MIX = (("service_users", 40), ("enterprises", 24), ("deputies", 3), ("cppcc", 3), ("supervisors", 4), ("public", 26))


def step_surveys(ctx) -> None:
    from xiaoneng.surveys import services
    from xiaoneng.surveys.models import QuestionKind

    rng = ctx.rng
    sup = next(s for s in ctx.staff.values() if s.has_role(R.SUPERVISOR))
    county = ctx.counties[0]
    bureaus = [d for d in ctx.departments if d.kind == Department.Kind.BUREAU and d.path.startswith(county.path)]
    local = timezone.localtime(ctx.now)
    closes = (local - dt.timedelta(days=5)).replace(hour=0, minute=0, second=0, microsecond=0)
    opens = closes - dt.timedelta(days=35)
    made_at = opens - dt.timedelta(days=7)
    s = services.survey_create(title=f"{local.year}年度万人评机关", opens_at=opens, closes_at=closes, by=sup,
                               now=made_at, description="请对县直机关的服务态度、办事效率和工作作风作出评价。"
                                                        "不了解的部门可以不评。")
    sec1 = services.section_add(survey=s, title="一、机关作风效能评议", by=sup, now=made_at)
    matrix = services.question_add(section=sec1, kind=QuestionKind.MATRIX, text="请对下列县直部门的作风效能作出评价",
                                   required=False, departments=bureaus, by=sup, now=made_at)
    sec2 = services.section_add(survey=s, title="二、办事体验", by=sup, now=made_at)
    attitude = services.question_add(section=sec2, kind=QuestionKind.SINGLE, text="您认为窗口工作人员的服务态度如何",
                                     options=["服务态度好", "一般", "服务态度差"], by=sup, now=made_at)
    problems = services.question_add(section=sec2, kind=QuestionKind.MULTIPLE, text="近一年办事中您遇到过哪些问题",
                                     required=False, options=["多次跑动", "材料反复要求", "超时办理", "乱收费", "都没有"],
                                     by=sup, now=made_at)
    overall = services.question_add(section=sec2, kind=QuestionKind.SCALE, text="您对全县机关作风效能的总体评价",
                                    by=sup, now=made_at)
    comment = services.question_add(section=sec2, kind=QuestionKind.TEXT, text="意见和建议", required=False,
                                    max_length=300, by=sup, now=made_at)
    services.survey_publish(survey=s, by=sup, now=made_at)
    s.refresh_from_db()
    # Responses from service users and the public count only from 30 each per department (the defaults);
    # at the small scale the minimums are lowered so that the scores exist.
    if ctx.scale == "small":
        groups = [services.GroupInput(g.code, g.name, g.weight, max(2, g.min_responses // 10), g.public)
                  for g in s.groups.all()]
        services.groups_save(survey=s, groups=groups, by=sup, now=made_at)

    worse = set(d.pk for d in rng.sample(bureaus, k=min(3, len(bureaus))))
    quality = {d.pk: (rng.uniform(2.3, 2.9) if d.pk in worse else rng.uniform(3.7, 4.6)) for d in bureaus}
    opts_att = list(attitude.options.order_by("order").values_list("pk", flat=True))
    opts_prob = list(problems.options.order_by("order").values_list("pk", flat=True))
    count = 600 if ctx.scale == "small" else 5000
    codes, weights = zip(*MIX, strict=True)
    span = (closes - opens).total_seconds()
    items = []
    for _i in range(count):
        group = rng.choices(codes, weights=weights)[0]
        knows = rng.uniform(0.35, 0.9)
        ratings = {}
        for d in bureaus:
            if rng.random() < knows:
                ratings[str(d.pk)] = max(1, min(5, round(rng.gauss(quality[d.pk], 0.8))))
        mood = sum(ratings.values()) / len(ratings) if ratings else 4
        answers = {str(matrix.pk): ratings,
                   str(attitude.pk): opts_att[0] if mood >= 3.8 else opts_att[1] if mood >= 3 else opts_att[2],
                   str(overall.pk): max(1, min(5, round(rng.gauss(mood, 0.6))))}
        if rng.random() < 0.5:
            answers[str(problems.pk)] = sorted(set(rng.sample(opts_prob[:4], k=rng.randint(1, 2)))) \
                if mood < 3.8 else [opts_prob[4]]
        if rng.random() < 0.08:
            answers[str(comment.pk)] = rng.choice(COMMENTS)
        at = opens + dt.timedelta(seconds=int(rng.random() * span))
        items.append((at, group, answers))
    items.sort(key=lambda x: x[0])
    ctx.counts["survey_responses"] = services.responses_bulk_submit(survey=s, items=items)
    services.invitation_codes_generate(survey=s, group="deputies", count=20, by=sup, now=made_at)
