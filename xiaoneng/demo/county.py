"""The demo county: a deterministic, realistic county built through the real services.

`build_county(scale=..., seed=..., now=...)` runs the steps in STEPS in order, each receiving the shared
`DemoContext`; later capabilities (cases, complaints, ratings) append their own step to STEPS, reading the
departments, staff and items made before them from the context. Building is idempotent: if the county
root already exists nothing is created again.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.accounts.services import department_create, department_hosting_set, department_set_head
from xiaoneng.demo import names
from xiaoneng.demo.channels import step_channels
from xiaoneng.demo.inspections import step_inspections
from xiaoneng.demo.surveys import step_surveys

SCALES = {
    # counties, catalogue items per county
    "small": {"counties": 1, "bureaus": 6, "townships": 2, "items": 60},
    "county": {"counties": 1, "bureaus": len(names.BUREAUS), "townships": len(names.TOWNSHIPS), "items": 360},
    "province": {"counties": 4, "bureaus": len(names.BUREAUS), "townships": len(names.TOWNSHIPS), "items": 360},
}


@dataclass
class DemoContext:
    """What the steps share: the random source, the clock, and everything built so far."""

    scale: str
    rng: random.Random
    now: datetime
    password: str
    counties: list[Department] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)  # every department, tree order
    serving: list[Department] = field(default_factory=list)  # departments that own service items
    staff: dict[str, Staff] = field(default_factory=dict)  # username → staff
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, username, department)
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _person(rng: random.Random) -> str:
    return rng.choice(names.SURNAMES) + "".join(rng.choice(names.GIVEN) for _ in range(rng.choice((1, 2))))


def step_departments(ctx: DemoContext) -> None:
    spec = SCALES[ctx.scale]
    for ci in range(spec["counties"]):
        prefix = names.COUNTY[0] if ci == 0 else f"{names.COUNTY[0]}{ci + 1}"
        county_name = names.COUNTY[1] if ci == 0 else names.COUNTY[1].replace("清源", f"清源{ci + 1}")
        county = department_create(code=prefix, name=county_name, kind=Department.Kind.COUNTY,
                                   address="清源县人民路1号", phone="0571-96150")
        ctx.counties.append(county)
        ctx.departments.append(county)
        label = county_name.replace("人民政府", "")
        office = department_create(code=f"{prefix}-XNB", name=f"{label}效能办", kind=Department.Kind.OFFICE,
                                   parent=county, address="清源县人民路1号行政中心5楼")
        centre = department_create(code=f"{prefix}-ZWZX", name=f"{label}政务服务中心", kind=Department.Kind.CENTRE,
                                   parent=county, address="清源县府前大道88号")
        ctx.departments += [office, centre]
        for i, (code, name, _kind, sections) in enumerate(names.BUREAUS[: spec["bureaus"]]):
            name = name.replace("清源县", label) if ci else name
            bureau = department_create(code=f"{prefix}-{code}", name=name, parent=county, sort_order=i,
                                       address=f"{label}政务服务中心{i % 3 + 1}楼{i + 1:02d}号窗口")
            bureau.catalogue_kind = _kind
            ctx.departments.append(bureau)
            ctx.serving.append(bureau)
            for j, sname in enumerate(sections):
                sec = department_create(code=f"{prefix}-{code}-{j + 1:02d}", name=sname,
                                        kind=Department.Kind.SECTION, parent=bureau, sort_order=j)
                ctx.departments.append(sec)
        # The county hall hosts the bureaus with licensing items at its windows (窗口式集中办理); the
        # generic offices (科技、财政、审计、统计…) take their few applications at their own offices.
        hosted = [d for d in ctx.departments if d.parent_id == county.pk and d.kind == Department.Kind.BUREAU
                  and getattr(d, "catalogue_kind", "generic") != "generic"]
        department_hosting_set(host=centre, departments=hosted, by=None, now=ctx.now)
        for i, (code, tname, villages) in enumerate(names.TOWNSHIPS[: spec["townships"]]):
            town = department_create(code=f"{prefix}-{code}", name=f"{tname}人民政府",
                                     kind=Department.Kind.TOWNSHIP, parent=county, sort_order=100 + i,
                                     address=f"{tname}便民服务中心")
            town.catalogue_kind = "township"
            ctx.departments.append(town)
            ctx.serving.append(town)
            for j, vname in enumerate(villages):
                v = department_create(code=f"{prefix}-{code}-{j + 1:02d}", name=vname,
                                      kind=Department.Kind.VILLAGE, parent=town, sort_order=j)
                ctx.departments.append(v)


def step_staff(ctx: DemoContext) -> None:
    """Staff for every role. One password hash for all demo accounts: hashing each (PBKDF2, ~1M rounds)
    would take most of the build time, and demo accounts share the printed demo password anyway."""
    hashed = make_password(ctx.password)
    groups = {g.name: g for g in Group.objects.filter(name__in=R.ALL)}
    rows: list[tuple[Staff, list[str]]] = []

    def add(username, dept, roles, post):
        s = Staff(username=username, name=_person(ctx.rng), department=dept, post=post, password=hashed,
                  phone=f"13{ctx.rng.randrange(10**8, 10**9)}", is_staff=R.ADMIN in roles)
        rows.append((s, roles))

    for dept in ctx.departments:
        base = dept.code.lower().replace("-", "_")
        if dept.kind == Department.Kind.COUNTY:
            add(f"{base}_leader", dept, [R.LEADER], "县长")
            add(f"{base}_leader2", dept, [R.LEADER], "分管副县长")
        elif dept.kind == Department.Kind.OFFICE:
            add(f"{base}_sup1", dept, [R.SUPERVISOR, R.HEAD], "效能办主任")
            add(f"{base}_sup2", dept, [R.SUPERVISOR], "效能监察员")
            add(f"{base}_sup3", dept, [R.SUPERVISOR], "效能监察员")
        elif dept.kind in (Department.Kind.BUREAU, Department.Kind.TOWNSHIP):
            add(f"{base}_head", dept, [R.HEAD], "分管负责人")
            add(f"{base}_h1", dept, [R.HANDLER], "承办人")
            add(f"{base}_h2", dept, [R.HANDLER], "承办人（B岗）")
            add(f"{base}_win", dept, [R.WINDOW], "窗口受理员")
        elif dept.kind == Department.Kind.CENTRE:
            add(f"{base}_head", dept, [R.HEAD], "中心主任")
            add(f"{base}_win", dept, [R.WINDOW], "综合窗口受理员")
        elif dept.kind == Department.Kind.SECTION:
            add(f"{base}_h1", dept, [R.HANDLER], "科员")
    add("admin", None, [R.ADMIN], "系统管理员")
    Staff.objects.bulk_create([s for s, _ in rows])
    created = {s.username: s for s in Staff.objects.filter(username__in=[s.username for s, _ in rows])}
    links = []
    for s, roles in rows:
        obj = created[s.username]
        ctx.staff[obj.username] = obj
        links += [Staff.groups.through(staff_id=obj.pk, group_id=groups[r].pk) for r in roles]
    Staff.groups.through.objects.bulk_create(links)
    for dept in ctx.departments:
        base = dept.code.lower().replace("-", "_")
        head = ctx.staff.get(f"{base}_head") or ctx.staff.get(f"{base}_sup1") or ctx.staff.get(f"{base}_leader")
        if head:
            department_set_head(department=dept, head=head)


def step_calendar(ctx: DemoContext) -> None:
    from xiaoneng.workdays.services import calendar_seed_from_package

    calendar_seed_from_package(years=range(2020, 2028), now=ctx.now)


def step_catalogue(ctx: DemoContext) -> None:
    from xiaoneng.catalog.demo import seed_catalog

    per_county = SCALES[ctx.scale]["items"]
    for county in ctx.counties:
        serving = [d for d in ctx.serving if d.path.startswith(county.path)]
        seed_catalog(departments=serving, rng=ctx.rng, count=per_county, now=ctx.now)


def step_cases(ctx: DemoContext) -> None:
    """Fifteen months of cases through the real ingest path (the on-time rate rises from ~56 % to >80 %): the
    evaluation's four published quarters need a full year of complete quarters before the current one."""
    from xiaoneng.demo.cases import seed_cases

    ctx.counts["events"] = seed_cases(scale=ctx.scale, rng=ctx.rng, now=ctx.now, months=15)


def step_centre(ctx: DemoContext) -> None:
    """Applications taken at the county hall's windows for the departments it hosts, through the real window
    services as the centre's clerk: the last four working days (accepted on the spot, a few told once what
    to supplement) and this morning (some still waiting at the window). The bulk of the demo's year comes
    from the departments' systems (step_cases); these give the centre its own queue."""
    import datetime as dt

    from xiaoneng.accounts.models import HostedDepartment
    from xiaoneng.cases.services import case_accept, case_register, case_request_supplement
    from xiaoneng.catalog.models import ServiceItem
    from xiaoneng.workdays.calendar import get_calendar

    cal = get_calendar()
    tz = cal.tz
    for county in ctx.counties:
        centre = Department.objects.get(code=f"{county.code}-ZWZX")
        clerk = ctx.staff.get(f"{centre.code.lower().replace('-', '_')}_win")
        hosted = HostedDepartment.objects.filter(host=centre).values_list("department__path", flat=True)
        items = [i for i in ServiceItem.objects.filter(is_active=True, current_version__isnull=False)
                 .select_related("department", "current_version").order_by("code")
                 if any(i.department.path.startswith(p) for p in hosted)]
        if clerk is None or not items:
            continue
        today = ctx.now.astimezone(tz).date()
        days, d = [], today
        while len(days) < 5:  # today and the four working days before it
            if cal.covers(d) and cal.is_working_day(d):
                days.append(d)
            d -= dt.timedelta(days=1)
        made = 0
        for day in reversed(days):
            for _n in range(ctx.rng.randint(5, 8) if day != today else 6):
                minute = ctx.rng.choice((9 * 60, 10 * 60, 11 * 60, 14 * 60 + 30, 15 * 60 + 30, 16 * 60)) + \
                    ctx.rng.randrange(0, 50)
                at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)
                if at >= ctx.now:
                    at = ctx.now - dt.timedelta(minutes=ctx.rng.randrange(5, 90))
                item = ctx.rng.choice(items)
                applicant = {"name": _person(ctx.rng), "phone": f"13{ctx.rng.randrange(10**8, 10**9)}",
                             "id_no": f"3301{ctx.rng.randrange(10**13, 10**14)}"}
                case = case_register(item=item, applicant=applicant, by=clerk, now=at)
                made += 1
                roll = ctx.rng.random()
                materials = list(case.version.materials.values_list("name", flat=True)) if case.version_id else []
                if roll < 0.15 and materials:
                    case_request_supplement(case=case, materials=materials[-1:], by=clerk,
                                            now=at + dt.timedelta(minutes=8))
                elif day != today or roll < 0.6:
                    case_accept(case=case, by=clerk, now=at + dt.timedelta(minutes=5))
        ctx.counts["centre_cases"] = ctx.counts.get("centre_cases", 0) + made


def step_supervision(ctx: DemoContext) -> None:
    """One supervision tick as of now (cards for cases open and late today), then a year of card follow-up
    as if the office had worked all year, with the supervision orders and proposals the cards brought
    (xiaoneng.demo.history)."""
    from xiaoneng.demo.history import age_cards, age_orders, date_notifications
    from xiaoneng.supervision.services import supervise_tick

    supervise_tick(now=ctx.now)
    ctx.counts["cards"] = age_cards(rng=ctx.rng, now=ctx.now)
    ctx.counts["orders"], ctx.counts["proposals"] = age_orders(rng=ctx.rng, now=ctx.now)
    date_notifications()


def step_complaints(ctx: DemoContext) -> None:
    """Twelve months of complaints from every channel, handled, replied and rated; then a supervision tick
    raises the cards on the complaint clocks still running (cases were ticked already: nothing due there)."""
    import datetime as dt

    from xiaoneng.complaints.demo import seed_complaints
    from xiaoneng.supervision.services import supervise_tick

    count = {"small": 150, "county": 3000, "province": 3000}[ctx.scale]
    made = seed_complaints(departments=ctx.departments, staff=ctx.staff, rng=ctx.rng, count=count,
                           start=ctx.now - dt.timedelta(days=365), end=ctx.now, now=ctx.now)
    ctx.counts["complaints"] = len(made)
    supervise_tick(now=ctx.now)
    from xiaoneng.demo.history import date_notifications

    date_notifications()  # the cards this tick raised or escalated, dated at their card


STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("departments", step_departments),
    ("staff", step_staff),
    ("calendar", step_calendar),
    ("catalogue", step_catalogue),
    ("cases", step_cases),
    ("centre", step_centre),
    ("supervision", step_supervision),
    ("complaints", step_complaints),
    ("channels", step_channels),  # 好差评: window contacts rated on the counter tablets (demo/channels.py)
    ("ratings", lambda ctx: __import__("xiaoneng.demo.ratings", fromlist=["x"]).step_ratings(ctx)),  # 好差评 of cases
    # after every step that records ratings: plays the year of their rectifications (demo/rectifications.py)
    ("rectifications", __import__("xiaoneng.demo.rectifications").demo.rectifications.step_rectifications),
    ("inspections", step_inspections),
    ("surveys", step_surveys),
    # 政务公开 before the evaluation that scores it: catalogues and a year of entries, then the last four unified
    # disclosure days checked and published (demo/disclosure_catalogue.py, demo/disclosure_check.py)
    ("disclosure", lambda ctx: __import__("xiaoneng.demo.disclosure_catalogue", fromlist=["x"]).step_disclosure_catalogue(ctx)),
    ("disclosure_check", lambda ctx: __import__("xiaoneng.demo.disclosure_check", fromlist=["x"]).step_disclosure_check(ctx)),
    # the top of the chain, last: four quarters evaluated, published, bulletins and sanctions (demo/evaluation.py)
    ("evaluation", lambda ctx: __import__("xiaoneng.demo.evaluation", fromlist=["x"]).step_evaluation(ctx)),
    # a hundred information requests over the year (demo/information_requests.py)
    ("information_requests",
     lambda ctx: __import__("xiaoneng.demo.information_requests", fromlist=["x"]).step_information_requests(ctx)),
    # the annual disclosure reports of the last complete year, from everything above (demo/disclosure_report.py)
    ("disclosure_report", lambda ctx: __import__("xiaoneng.demo.disclosure_report", fromlist=["x"]).step_disclosure_report(ctx)),
    # last: the portal's search index over everything published above (the worker keeps it in step afterwards)
    ("search", lambda ctx: __import__("xiaoneng.portal.search", fromlist=["x"]).search_sync(now=ctx.now)),
]
# What the build's progress lines call each step (the console is read by a county's staff too).
STEP_LABELS = {"departments": "部门", "staff": "工作人员", "calendar": "工作日历", "catalogue": "事项目录",
               "cases": "15 个月的办件", "centre": "政务服务中心窗口受理", "supervision": "电子监察",
               "complaints": "效能投诉", "channels": "窗口服务评价（好差评）", "rectifications": "差评整改",
               "inspections": "明查暗访", "surveys": "民主评议", "ratings": "办件好差评",
               "evaluation": "效能考核（四个季度）", "disclosure": "政务公开目录和公开信息",
               "disclosure_check": "统一公开日检查（四次）", "disclosure_report": "政府信息公开工作年度报告",
               "information_requests": "依申请公开（一百件）", "search": "门户检索索引"}


def demo_exists() -> bool:
    return Department.objects.filter(code=names.COUNTY[0]).exists()


FOUNDATION = ("departments", "staff", "calendar", "catalogue")


def build_county(
    *, scale: str = "county", seed: int = 2026, now: datetime, password: str | None = None,
    only: tuple[str, ...] | None = None, report: Callable[[str, float], None] | None = None,
) -> DemoContext:
    """Build the demo county at `scale` from `seed`. Same seed, same county (names, items, staff, cases).

    `only` limits the build to the named steps (e.g. FOUNDATION); `report(step, seconds)` is called after
    each step, for progress output."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    ctx = DemoContext(scale=scale, rng=random.Random(seed), now=now, password=password or secrets.token_urlsafe(9))
    with transaction.atomic():
        for name, step in STEPS:
            if only is not None and name not in only:
                continue
            t0 = time.perf_counter()
            step(ctx)
            ctx.timings[name] = time.perf_counter() - t0
            if report is not None:
                report(name, ctx.timings[name])
    return ctx


def sample_logins(prefix: str = "qy") -> list[tuple[str, str]]:
    """(role, username) of one account per role, for the printed demo banner."""
    return [
        ("系统管理员 admin", "admin"),
        ("领导 leader", f"{prefix}_leader"),
        ("效能监察员 supervisor", f"{prefix}_xnb_sup2"),
        ("部门负责人 head（市场监管局）", f"{prefix}_scj_head"),
        ("承办人 handler（市场监管局）", f"{prefix}_scj_h1"),
        ("承办人 handler（自然资源局）", f"{prefix}_zrj_h1"),
        ("窗口人员 window（政务服务中心）", f"{prefix}_zwzx_win"),
        ("特邀监督员 invited supervisor（人大代表）", f"{prefix}_tyjd_rd"),
    ]
