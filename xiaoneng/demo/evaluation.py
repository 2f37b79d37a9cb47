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


def step_evaluation(ctx) -> None:
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
        if q == last:
            continue  # the latest quarter's proposals wait for the office
        for s in Sanction.objects.filter(evaluation=ev, status=SanctionStatus.PROPOSED,
                                         source__in=(SanctionSource.ESCALATION, SanctionSource.VETO)).order_by("pk"):
            S.sanction_confirm(s, now=at + dt.timedelta(days=1), by=sup,
                               note="经效能办审核，情况属实，依据考核办法作出处理。")
    ctx.counts["evaluations"] = published
    ctx.counts["sanctions"] = Sanction.objects.count()
