"""The demo county's 明查暗访: two quarters of open and covert visits by the office and two invited supervisors
(a people's deputy and a journalist), with findings, correction tasks (most done in time, some late: their cards
come from the supervision tick), a few manual cards and sanction proposals — all through the inspections'
services, deterministic from the county's seeded random source."""

from __future__ import annotations

import datetime as dt

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department

WORSE = 2  # departments visibly worse than the rest (fail items three times as often)


def _moment(ctx, cal, start: dt.date, end: dt.date) -> dt.datetime:
    """A working-day moment between 9:00 and 16:30 in [start, end)."""
    for _ in range(30):
        day = start + dt.timedelta(days=ctx.rng.randrange(max((end - start).days, 1)))
        if cal.is_working_day(day):
            break
    minutes = ctx.rng.randrange(9 * 60, 16 * 60 + 30)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=cal.tz)


def step_inspections(ctx) -> None:
    from xiaoneng.accounts.services import staff_create
    from xiaoneng.inspections import services as svc
    from xiaoneng.inspections.models import Result, VisitStatus
    from xiaoneng.supervision.services import supervise_tick
    from xiaoneng.workdays.calendar import get_calendar

    cal = get_calendar()
    rng = ctx.rng
    county = ctx.counties[0]
    prefix = county.code.lower().replace("-", "_")
    office = [s for u, s in ctx.staff.items() if u.startswith(prefix) and s.has_role(R.SUPERVISOR)]
    sup = ctx.staff.get(f"{prefix}_xnb_sup2") or office[0]
    invited = []
    for suffix, name, kind, affiliation in (("tyjd_rd", "陈建国", "deputy", "县人大代表（城关镇选区）"),
                                            ("tyjd_jz", "林晓雯", "journalist", "清源融媒体中心记者")):
        username = f"{prefix}_{suffix}"
        s = ctx.staff.get(username) or staff_create(username=username, name=name, department=None, roles=[R.INVITED],
                                                    password=ctx.password, validate=False)
        svc.supervisor_profile_save(staff=s, kind=kind, affiliation=affiliation, by=None)
        ctx.staff[username] = s
        ctx.logins.append(("特邀监督员", username, affiliation))
        invited.append(s)
    targets = [d for d in ctx.serving if d.kind == Department.Kind.BUREAU and d.path.startswith(county.path)][:12]
    if not targets:
        return
    worse = {d.pk for d in targets[:WORSE]}
    checklist = svc.checklist_ensure_default(now=ctx.now - dt.timedelta(days=200))
    items = list(checklist.items.all())
    per_quarter = {"small": 12, "county": 30, "province": 30}[ctx.scale]
    today = ctx.now.astimezone(cal.tz).date()
    quarters = [(today - dt.timedelta(days=182), today - dt.timedelta(days=92)),
                (today - dt.timedelta(days=91), today - dt.timedelta(days=1))]
    made = {"visits": 0, "findings": 0, "corrections": 0, "cards": 0, "sanctions": 0}
    notes = {"在岗在位": "窗口无人值守约 20 分钟。", "挂牌上岗": "工作人员未佩戴工作牌。", "服务态度": "对群众询问不耐烦，语气生硬。",
             "一次性告知": "未一次性告知所需材料，群众需二次跑动。", "首问负责": "以“不归我管”为由推诿。",
             "办事效率": "简单事项拖延至次日办理。", "收费公示": "收费标准未在窗口公示。", "工作纪律": "工作时间玩手机。"}
    for qi, (start, end) in enumerate(quarters):
        recent = qi == 1
        plans = {mode: svc.plan_create(
            title=f"{start.year}年第{(start.month - 1) // 3 + 1}季度{'窗口作风明查' if mode == 'open' else '窗口服务暗访'}",
            mode=mode, checklist=checklist, starts_on=start, ends_on=end, departments=targets,
            inspectors=[sup, *invited], windows="各部门政务服务中心窗口", by=sup,
            now=dt.datetime.combine(start, dt.time(9), tzinfo=cal.tz)) for mode in ("open", "covert")}
        for n in range(per_quarter):
            dept = rng.choice(targets)
            mode = "covert" if rng.random() < 0.6 else "open"
            by = invited[n % 2] if mode == "covert" and rng.random() < 0.45 else sup
            at = _moment(ctx, cal, start, end)
            p_fail = 0.24 if dept.pk in worse else 0.08
            results = {}
            for it in items:
                r = rng.random()
                if r < p_fail:
                    results[it.pk] = (Result.FAIL, notes.get(it.name, "不符合要求。"))
                elif r > 0.95:
                    results[it.pk] = (Result.NA, "")
                else:
                    results[it.pk] = (Result.PASS, "")
            visit = svc.visit_record(plan=plans[mode], department=dept, place="县政务服务中心", window=f"{rng.randrange(1, 30)}号窗口",
                                     visited_at=at, inspectors=by.display_name, results=results,
                                     summary="", submit=by in invited, by=by, now=at + dt.timedelta(minutes=40))
            made["visits"] += 1
            if visit.status == VisitStatus.SUBMITTED:
                if recent and n >= per_quarter - 2:
                    continue  # the last ones wait for the office's review
                visit = svc.visit_review(visit=visit, accept=True, by=sup, now=at + dt.timedelta(days=1))
            if visit.mode == "covert":
                if recent and n >= per_quarter - 4:
                    continue  # the office has not published these yet: the departments see nothing of them
                visit = svc.visit_publish(visit=visit, by=sup, now=at + dt.timedelta(days=2))
            for f in visit.findings.all():
                made["findings"] += 1
                started = at + dt.timedelta(days=2, hours=1)
                f = svc.finding_correction_start(finding=f, by=sup, now=started)
                made["corrections"] += 1
                late = dept.pk in worse and rng.random() < 0.5
                if not late:
                    head = dept.head or sup
                    answered = started + dt.timedelta(days=rng.randrange(2, 10))
                    if answered < ctx.now:
                        f = svc.finding_correction_answer(finding=f, text="已对相关人员批评教育，完善值班和告知制度。",
                                                          by=head, now=answered)
                        if answered + dt.timedelta(days=1) < ctx.now:
                            svc.finding_correction_review(finding=f, accept=True, by=sup,
                                                          now=answered + dt.timedelta(days=1))
                if f.item_name in ("服务态度", "工作纪律") and dept.pk in worse:
                    svc.finding_card_raise(finding=f, level="yellow", by=sup, now=started)
                    made["cards"] += 1
                    if rng.random() < 0.5:
                        svc.sanction_propose(finding=f, kind="admonition", reason=f"{f.item_name}问题经查属实。",
                                             by=sup, now=started)
                        made["sanctions"] += 1
    supervise_tick(now=ctx.now)  # the late corrections' cards
    from xiaoneng.demo.history import date_notifications

    date_notifications()
    ctx.counts.update({f"inspection_{k}": v for k, v in made.items()})
