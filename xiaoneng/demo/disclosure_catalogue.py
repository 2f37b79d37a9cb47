"""The demo county's disclosure catalogues and a year of entries (政务公开目录与公开信息).

Catalogues for every county department, every township and the first two villages of each township, from the
shipped templates, through the catalogue services (drafted by the unit's head where there is one, filed, accepted
by the office in September 2025): one returned with reasons and filed again, one revised in 2026 (version 2 with
an added item, the first superseded), one department's still a draft past its filing deadline (the office's queue
shows it overdue).

Entries from October 2025 to the demo's now: monthly finances published in the first working days of the next
month, quarterly items in the second month of the quarter, yearly ones in February, "on change" items once when
the catalogue took effect. A few departments are late (published 3–6 weeks after they should be) and a few miss
items (about a third not published) — chosen from ctx.rng, so the same seed gives the same county. Entries are
bulk-inserted with the numbering of services/entries.py (GK-<code>-<year>-<seq>) — thousands through the one-by-one
service would take most of the step — and a handful go through the services (corrections, a withdrawal) so that
their versions and reasons are real.
"""

from __future__ import annotations

import datetime as dt

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department

START = dt.date(2025, 10, 1)
ACCEPTED_ON = dt.date(2025, 9, 26)
LATE, MISSING = 2, 2
VILLAGES_PER_TOWNSHIP = 2
ZFCG = {"code": "ZFCG", "name": "政府集中采购项目", "category": "projects",
        "legal_basis": "《中华人民共和国政府信息公开条例》第二十条第（九）项",
        "content": "政府集中采购项目的目录、标准及实施情况", "frequency": "quarterly"}


def _at(cal, day: dt.date, rng) -> dt.datetime:
    """A working-hours moment on `day` or the next working day."""
    for _ in range(15):
        if cal.is_working_day(day):
            break
        day += dt.timedelta(days=1)
    minutes = rng.randrange(9 * 60, 17 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=cal.tz)


def _months(until: dt.date) -> list[dt.date]:
    out, d = [], START
    while d <= until:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _finance_table(rng) -> list[list[str]]:
    income = rng.randrange(80, 400)
    rows = [["项目", "本月（万元）", "本年累计（万元）"]]
    for name in ("一般公共预算收入", "政府性基金收入", "一般公共预算支出", "其中：基本支出", "其中：项目支出"):
        v = income if "收入" in name else max(1, income - rng.randrange(0, 60))
        rows.append([name, f"{v:.2f}", f"{v * rng.randrange(3, 10):.2f}"])
    return rows


def _plan(cat, items, cal, rng, now: dt.datetime, *, late: bool, missing: bool) -> list[tuple]:
    """(item, published_at, title, body, table) of one catalogue's entries from START to now."""
    today = now.astimezone(cal.tz).date()
    short = cat.department.short_name or cat.department.name
    out = []
    for item in items:
        when_titles: list[tuple[dt.datetime, str, str, list]] = []
        if item.frequency == "monthly":
            for m in _months(today):
                due = _next_month(m)
                when_titles.append((_at(cal, due + dt.timedelta(days=rng.randrange(0, 4)), rng),
                                    f"{short}{m.year}年{m.month}月{item.name}",
                                    f"{m.year}年{m.month}月{item.name}如下表，单位：万元。", _finance_table(rng)))
        elif item.frequency == "quarterly":
            for m in _months(today):
                if m.month % 3 != 2:  # the second month of each quarter
                    continue
                q = (m.month - 1) // 3 + 1
                when_titles.append((_at(cal, m + dt.timedelta(days=rng.randrange(0, 25)), rng),
                                    f"{short}{m.year}年第{q}季度{item.name}",
                                    f"本季度{item.name}：{item.content or item.name}。详见正文。", []))
        elif item.frequency == "yearly":
            for m in _months(today):
                if m.month == 2:
                    when_titles.append((_at(cal, m + dt.timedelta(days=rng.randrange(0, 20)), rng),
                                        f"{short}{m.year}年{item.name}", f"{m.year}年{item.name}已经批复，现予公开。", []))
        else:
            when_titles.append((_at(cal, START + dt.timedelta(days=rng.randrange(0, 12)), rng),
                                f"{short}{item.name}", f"{item.content or item.name}。", []))
        for when, title, body, table in when_titles:
            if missing and rng.random() < 0.35:
                continue
            if late:
                when += dt.timedelta(days=rng.randrange(21, 43))
            if when > now:
                continue
            out.append((item, when, title, body, table))
    return out


def _targets(ctx) -> list[Department]:
    county = ctx.counties[0]
    picked, villages = [], {}
    for d in ctx.departments:
        if not d.path.startswith(county.path) or not d.is_active:
            continue
        if d.kind in (Department.Kind.BUREAU, Department.Kind.CENTRE, Department.Kind.TOWNSHIP):
            picked.append(d)
        elif d.kind == Department.Kind.VILLAGE:
            n = villages.get(d.parent_id, 0)
            if n < VILLAGES_PER_TOWNSHIP:
                picked.append(d)
                villages[d.parent_id] = n + 1
    return picked


def step_disclosure_catalogue(ctx) -> None:
    from xiaoneng.disclosure.models import Catalogue, DisclosureEntry
    from xiaoneng.disclosure.services import catalogues as C
    from xiaoneng.disclosure.services import entries as E
    from xiaoneng.workdays.calendar import get_calendar

    cal, rng = get_calendar(), ctx.rng
    depts = _targets(ctx)
    if not depts:
        return
    prefix = ctx.counties[0].code.lower().replace("-", "_")
    sup = ctx.staff.get(f"{prefix}_xnb_sup2") or next(
        (s for s in ctx.staff.values() if s.has_role(R.SUPERVISOR)), None)
    heads = {d.pk: d.head for d in Department.objects.filter(pk__in=[d.pk for d in depts]).select_related("head")}
    t_draft = _at(cal, dt.date(2025, 9, 1), rng)
    t_filed = _at(cal, dt.date(2025, 9, 15), rng)
    t_accept = _at(cal, ACCEPTED_ON, rng)
    draft_dept = depts[-1] if len(depts) > 3 else None
    returned_dept = depts[1] if len(depts) > 2 else None
    revised_dept = depts[0]
    cats = {}
    for d in depts:
        head = heads.get(d.pk)
        head = head if head is not None and C.may_file(head, d) else None
        cat = C.catalogue_create(department=d, by=head, now=t_draft, due_at=_at(cal, dt.date(2025, 9, 20), rng))
        if d == draft_dept:
            continue
        C.catalogue_file(catalogue=cat, by=head, now=t_filed)
        if d == returned_dept:
            C.catalogue_return(catalogue=cat, reason="“重点项目”未列明政府集中采购项目；“收费项目及标准”缺少收费依据文号，请补充后重新报备。",
                               by=sup, now=t_filed + dt.timedelta(days=2))
            C.catalogue_item_add(catalogue=cat, **ZFCG, by=head, now=t_filed + dt.timedelta(days=4))
            C.catalogue_file(catalogue=cat, by=head, now=t_filed + dt.timedelta(days=5))
        cats[d.pk] = C.catalogue_accept(catalogue=cat, note="经审核，目录符合要求，同意备案。", by=sup, now=t_accept)
    # One department revises its catalogue in 2026 (the first version superseded, kept).
    t_rev = _at(cal, dt.date(2026, 3, 2), rng)
    if revised_dept.pk in cats and t_rev < ctx.now:
        head = heads.get(revised_dept.pk)
        head = head if head is not None and C.may_file(head, revised_dept) else None
        v2 = C.catalogue_revise(department=revised_dept, note="新增政府集中采购项目公开事项。", by=head, now=t_rev)
        C.catalogue_item_add(catalogue=v2, **ZFCG, by=head, now=t_rev)
        C.catalogue_file(catalogue=v2, by=head, now=t_rev + dt.timedelta(hours=2))
        cats[revised_dept.pk] = C.catalogue_accept(catalogue=v2, by=sup, now=t_rev + dt.timedelta(days=1))

    publishing = [d for d in depts if d.pk in cats]
    chosen = rng.sample(publishing[1:], min(LATE + MISSING, max(len(publishing) - 1, 0)))
    late, missing = {d.pk for d in chosen[:LATE]}, {d.pk for d in chosen[LATE:]}
    current = {c.department_id: c for c in Catalogue.objects.filter(current=True).prefetch_related("items")}
    rows = []
    for d in publishing:
        cat = current[d.pk]
        # The revised department's entries before the revision were published under version 1's items: the same
        # codes, so they are attached to the version in force's rows here (entries follow codes).
        plan = _plan(cat, list(cat.items.all()), cal, rng, ctx.now, late=d.pk in late, missing=d.pk in missing)
        plan.sort(key=lambda p: p[1])
        seq: dict[int, int] = {}
        for item, when, title, body, table in plan:
            year = when.astimezone(cal.tz).year
            seq[year] = seq.get(year, 0) + 1
            rows.append(DisclosureEntry(
                number=f"GK-{d.code}-{year}-{seq[year]:04d}", department=d, item=item, item_code=item.code,
                title=title[:200], body=body, table=table, published_at=when, created_at=when,
                created_by=heads.get(d.pk), external_id=""))
    DisclosureEntry.objects.bulk_create(rows, batch_size=500)
    # A few corrections and one withdrawal through the services: their versions and reasons are the real thing.
    recent = list(DisclosureEntry.objects.filter(department__in=publishing, item_code="CZSZ", version=1)
                  .order_by("-published_at")[:3])
    for e in recent:
        head = heads.get(e.department_id)
        if head is None or not E.may_publish(head, e.department):
            continue
        E.entry_correct(entry=e, reason="“政府性基金收入”本年累计数录入有误，予以更正。", title=e.title, body=e.body,
                        table=e.table, by=head, now=min(e.published_at + dt.timedelta(days=2), ctx.now))
    withdrawn = DisclosureEntry.objects.filter(department__in=publishing, status="published",
                                               item_code="RSXX").order_by("published_at").first()
    if withdrawn is not None and sup is not None:
        E.entry_withdraw(entry=withdrawn, reason="信息中含有应聘人员身份证号码，已撤回处理后重新发布。", by=sup,
                         now=min(withdrawn.published_at + dt.timedelta(days=1), ctx.now))
    ctx.counts["disclosure_catalogues"] = Catalogue.objects.count()
    ctx.counts["disclosure_entries"] = DisclosureEntry.objects.count()
