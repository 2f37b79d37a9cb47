"""The demo county's evaluation (效能考核, issue 13): the last four complete quarters evaluated and published by
the supervision office, one corrected after publication, their bulletins generated and published, and the
consequences played out — the escalation proposals of the first three confirmed, the last quarter's left for
the office to confirm or dismiss.

The data decide the ranks (cases, cards, complaints, ratings, surveys, visits of the steps before); the cases'
step builds the story in (demo/cases.py STRAGGLER, CLIMBER): one bureau in a bottom place every quarter, whose
escalation goes 通报批评 → 诫勉谈话 → 组织调整, and one that climbs after its sanctions.
"""

from __future__ import annotations

import datetime as dt

from xiaoneng.accounts import roles as R


def _published_at(cal, q) -> dt.datetime:
    """The office publishes a quarter's results on its 8th working day after the quarter, at 10:00."""
    from django.utils import timezone

    day = q.end.date()
    n = 0
    while n < 8:
        if cal.is_working_day(day):
            n += 1
        if n < 8:
            day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10, 0), q.end.tzinfo)


# The county's own version of the scheme (an office calibrates the shipped one to its data after its first
# quarter): floors where this county's departments actually are, so the time limits separate them, and smaller
# points per card — the county's departments handle hundreds of cases a month and collect cards by the dozen,
# which under the shipped points would cap everyone's deductions alike.
COUNTY_CURVES = {"on_time_rate": ("0.3", "0.95"), "avg_working_days_ratio": ("1.6", "0.7"),
                 "procedure_rate": ("0.8", "1"), "fee_compliance_rate": ("0.9", "1"),
                 "rating_good_rate": ("0.5", "0.95"), "complaint_satisfaction_rate": ("0.4", "0.95"),
                 "rating_rectification_rate": ("0.5", "1")}
COUNTY_POINTS = {"card_reminder": ("0.2", "2"), "card_yellow": ("0.5", "5"), "card_red": ("1", "10"),
                 "complaint_substantiated": ("1", "5")}
# The red-card threshold (红牌处理标准): the shipped three a quarter is tripped by nearly every handler of a county
# still clearing its backlog (the county scale's handlers collect 3 to 100 red cards a quarter), which would
# bury the office in proposals it dismisses wholesale. The office sets it where its most persistent sixth of
# handlers stood in the first quarter (the 85th percentile of red cards per handler): a handful of proposals a
# quarter, fewer as the county catches up.
RED_CARD_PERCENTILE = 0.85


def red_card_threshold(q) -> int:
    """The county's threshold, calibrated on quarter `q`'s red cards per handler (the shipped 3 if none)."""
    from django.db.models import Count

    from xiaoneng.supervision.models import Level, Warning, WarningStatus

    counts = sorted(Warning.objects.filter(level=Level.RED, issued_at__gte=q.start, issued_at__lt=q.end,
                                           handler__isnull=False)
                    .exclude(status__in=(WarningStatus.WITHDRAWN, WarningStatus.PENDING_CONFIRMATION))
                    .values("handler_id").annotate(n=Count("id")).values_list("n", flat=True))
    if not counts:
        return 3
    return max(3, counts[int(RED_CARD_PERCENTILE * len(counts))])


def county_scheme(first, *, by, now):
    from decimal import Decimal as D

    from xiaoneng.evaluation.services.schemes import default_spec, scheme_create_version

    spec = default_spec("quarter")
    spec.update(name="清源县机关效能考核方案", valid_from=first.start.date(),
                red_card_threshold=red_card_threshold(first),
                note="结合本县办件量大、预警较多的实际，经县效能办审定，调整部分指标的起评值、目标值、预警扣分标准"
                     "和红牌处理标准（按首个季度承办人红牌数的较高水平设定，集中问责持续超期的承办人）。")
    for row in spec["indicators"]:
        if row["code"] in COUNTY_CURVES:
            row["floor"], row["target"] = (D(x) for x in COUNTY_CURVES[row["code"]])
    for row in spec["deductions"]:
        if row["code"] in COUNTY_POINTS:
            row["points"], row["cap"] = (D(x) for x in COUNTY_POINTS[row["code"]])
    return scheme_create_version(spec, by=by, now=now)


def step_evaluation(ctx) -> None:
    from django.db.models import Count

    from xiaoneng.core.periods import Period
    from xiaoneng.evaluation.models import Sanction, SanctionSource, SanctionStatus
    from xiaoneng.evaluation.services import bulletins as B
    from xiaoneng.evaluation.services import sanctions as S
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
    from xiaoneng.workdays.calendar import get_calendar

    county = ctx.counties[0]
    prefix = county.code.lower()
    office = [s for u, s in ctx.staff.items() if u.startswith(prefix) and s.has_role(R.SUPERVISOR)]
    sup = office[0]
    cal = get_calendar()
    last = Period.current(ctx.now).previous()
    quarters = [last.previous().previous().previous(), last.previous().previous(), last.previous(), last]
    county_scheme(quarters[0], by=sup, now=min(_published_at(cal, quarters[0]), ctx.now) - dt.timedelta(days=1))
    published = 0
    for n, q in enumerate(quarters):
        at = min(_published_at(cal, q), ctx.now - dt.timedelta(hours=1))
        ev = evaluation_publish(evaluation_run(q, now=at, by=sup), now=at, by=sup)
        if n == 1:
            # A correction after publication (a department's late-reported cases came in): revision 2, with its
            # reason; revision 1 stays visible, superseded.
            fix_at = at + dt.timedelta(days=2)
            ev = evaluation_publish(evaluation_run(q, now=fix_at, by=sup,
                                                   reason="部分单位补报办件数据，经核实后重新计算并更正发布。"),
                                    now=fix_at, by=sup)
            at = fix_at
        published += 1
        bulletin = B.bulletin_generate(ev, now=at + dt.timedelta(hours=2), by=sup)
        B.bulletin_publish(bulletin, now=at + dt.timedelta(hours=3), by=sup)
        # The county's red-card threshold proposes a handful of handlers a quarter: the office keeps the three
        # worst cases and dismisses the rest with its reason.
        threshold = list(Sanction.objects.filter(evaluation__period=ev.period, source=SanctionSource.THRESHOLD,
                                                 status=SanctionStatus.PROPOSED)
                         .annotate(n=Count("evidence")).order_by("-n", "pk"))
        for s in threshold[3:]:
            S.sanction_dismiss(s, now=at + dt.timedelta(days=1), by=sup,
                               reason="经核实，红牌主要因历史积压办件超期所致，已责令所在单位限期清理，本次不予问责。")
        if q == last:
            continue  # the latest quarter's proposals wait for the office
        for s in threshold[:3]:
            S.sanction_confirm(s, now=at + dt.timedelta(days=1), by=sup, note="经效能办核实，情况属实，予以效能告诫。")
        # (the proposals of a corrected quarter belong to its first revision: one per period)
        for s in Sanction.objects.filter(evaluation__period=ev.period, status=SanctionStatus.PROPOSED,
                                         source__in=(SanctionSource.ESCALATION, SanctionSource.VETO)).order_by("pk"):
            S.sanction_confirm(s, now=at + dt.timedelta(days=1), by=sup,
                               note="经效能办审核，情况属实，依据考核办法作出处理。")
    ctx.counts["evaluations"] = published
    ctx.counts["sanctions"] = Sanction.objects.count()
