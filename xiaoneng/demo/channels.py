"""The demo county's 好差评 channels (issue 12 §4): a counter tablet at every department window, and a year of
window contacts (一次一评) recorded by its clerk, most of them rated on the tablet right away — through the
services (contact_record, kiosk_push, kiosk_rate → rating_record), deterministically from the county's seed.
A few departments are visibly worse (more 不满意 and 非常不满意, whose rectifications then open)."""

from __future__ import annotations

import datetime as dt

from xiaoneng.workdays.calendar import get_calendar

PER_WINDOW = {"small": 6, "county": 20, "province": 20}  # county: ~20 s on SQLite under load
KINDS = ("consultation", "consultation", "consultation", "submission", "collection", "refused", "other")
NOTES = {"consultation": "咨询办理条件和所需材料", "submission": "递交补正材料", "collection": "领取证照",
         "refused": "不属于本部门职权范围，已告知向有关部门申请", "other": "现场指导网上申报"}
REASONS = {5: ["done-once", "warm-service"], 4: ["efficient", "clear-guide"], 3: ["long-wait"],
           2: ["long-wait", "multiple-trips"], 1: ["poor-attitude", "passing-buck"]}


def step_channels(ctx) -> None:
    from xiaoneng.catalog.models import ServiceItem
    from xiaoneng.ratings.services import contacts as S

    rng, cal = ctx.rng, get_calendar()
    per = PER_WINDOW.get(ctx.scale, 20)
    windows = [(d, ctx.staff[f"{d.code.lower().replace('-', '_')}_win"]) for d in ctx.serving
               if f"{d.code.lower().replace('-', '_')}_win" in ctx.staff]
    worse = {d.pk for d, _ in windows[1::7]}  # a few departments the people rate visibly worse
    items = {}
    for it in ServiceItem.objects.filter(department__in=[d for d, _ in windows], is_active=True).only("id", "department_id"):
        items.setdefault(it.department_id, []).append(it)
    start = ctx.now - dt.timedelta(days=365)
    made = rated = 0
    for dept, clerk in windows:
        kiosk = S.kiosk_create(by=clerk, name="1号窗口", now=start)
        moments = []
        for _ in range(per):
            day = (start + dt.timedelta(days=rng.randrange(1, 364))).astimezone(cal.tz).date()
            if not cal.is_working_day(day):
                continue
            moments.append(dt.datetime.combine(day, dt.time(rng.choice((9, 10, 11, 14, 15, 16)), rng.randrange(60)),
                                               tzinfo=cal.tz))
        for when in sorted(moments):
            kind = rng.choice(KINDS)
            item = rng.choice(items[dept.pk]) if items.get(dept.pk) and kind != "other" else None
            contact = S.contact_record(by=clerk, kind=kind, service_item=item, note=NOTES[kind],
                                       window_name=kiosk.name, now=when)
            made += 1
            if rng.random() < 0.3:  # not every visitor taps the tablet
                continue
            S.kiosk_push(by=clerk, kiosk=kiosk, contact=contact, now=when + dt.timedelta(minutes=1))
            weights = (2, 3, 3, 6, 6) if dept.pk in worse else (1, 1, 4, 30, 40)
            level = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
            reasons = rng.sample(REASONS[level], k=rng.randrange(0, len(REASONS[level]) + 1))
            S.kiosk_rate(kiosk=kiosk, level=level, reasons=reasons, now=when + dt.timedelta(minutes=2))
            rated += 1
        kiosk.last_seen_at = max(moments) if moments else start
        kiosk.save(update_fields=["last_seen_at"])
    ctx.counts["window_contacts"] = made
    ctx.counts["kiosk_ratings"] = rated
