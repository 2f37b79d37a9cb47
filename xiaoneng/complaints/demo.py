"""Demo complaints: a year of realistic efficiency complaints for the demo county, fast (bulk_create).

`seed_complaints(departments=…, staff=…, rng=…, count=3000, start=…, end=…, now=…)` spreads `count`
complaints over [start, end), across channels and categories with realistic Chinese text, and plays each one
forward as far as `now` allows: acceptance (some refused, transferred, withdrawn), dispatch with a limit,
result, reply approved by the office, and the complainant's rating; a few reopen. Clocks come from the
platform calendar; the warning flags and cards come from the supervision tick run after it, so the inbox, the overdue
list and the figures look like a real office's. Deterministic for a given `rng` seed.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict

from django.apps import apps
from django.db import transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.wording import clock_phrase, cn_count, date_phrase
from xiaoneng.workdays.calendar import get_calendar

from . import services
from .conf import cfg
from .models import (
    Channel,
    ComplainantIdentity,
    Complaint,
    ComplaintCategory,
    Dispatch,
    IdentityMode,
    Litigation,
    Outcome,
    Rating,
    Reply,
    Status,
    TimelineEntry,
)
from .privacy import contact_key, public_reply_text, scrub_identity
from .services._common import _day, _evaluate

CHANNELS = [(Channel.WEB, 34), (Channel.HOTLINE, 30), (Channel.MAILBOX, 12), (Channel.VISIT, 7), (Channel.LETTER, 6),
            (Channel.INSPECTION, 4), (Channel.MEDIA, 3), (Channel.API, 2), (Channel.OPEN311, 2)]
CATEGORY_WEIGHTS = {"TS-MNJ": 9, "TS-LNK": 14, "TS-SNB": 16, "TS-TWCP": 14, "TS-CSBL": 18, "TS-CNKY": 3,
                    "TS-LSF": 5, "TS-WFCX": 8, "TS-GZJL": 6, "TS-BZW": 5, "TS-QT": 2}
# Used only when the catalogue is empty (a complaint seeded without a demo catalogue): said generically, so
# no department is ever made to handle another department's item.
GENERIC_ITEMS = ["相关业务", "有关手续"]
# Templates: {d} the day of the visit, {t} a time of day (xiaoneng.core.wording), {place} the window,
# {n} a count already in words (两趟, 三次), {wait} a wait in words, {applied}/{weeks}/{k} for late cases.
FACTS = {
    "TS-MNJ": ["{d}{t}我到{place}办理{item}，窗口没有人，等了{wait}也无人接待，打窗口电话也没人接。",
               "多次到{dept}咨询{item}，保安不让进，说要预约，网上又约不上。"],
    "TS-LNK": ["{d}在{place}办理{item}时，工作人员态度生硬，我问了两遍就不耐烦，说“听不懂就别来办”。",
               "{place}的工作人员一边玩手机一边办事，对老人说话很冲，让人很难受。"],
    "TS-SNB": ["办理{item}，材料都按清单准备齐了，{dept}又要求提供清单上没有的{extra}，跑了{n}趟还没办成。",
               "{dept}说我的{item}需要村里、镇里、县里层层盖章，清单上根本没写，一直卡着不给办。"],
    "TS-TWCP": ["{item}的事情，{dept}说归另一个部门管，那边又说归{dept}管，来回跑了{n}趟，没人负责。",
                "我反映的{item}问题，{dept}让我找{other}，{other}又让我找{dept}，推来推去两个月没结果。"],
    "TS-CSBL": ["{applied}在{dept}申请{item}，承诺{k}个工作日办结，现在已经过了{weeks}周还没有结果，打电话也说在审核。",
                "{item}申请提交已经{months}个月，{dept}一直说领导没签字，严重超过承诺时限。"],
    "TS-CNKY": ["办理{item}时，{dept}有工作人员暗示要“意思意思”才能快点办，否则就拖着。",
                "{dept}工作人员要求我请吃饭才给办理{item}，我没答应，材料就一直被退回。"],
    "TS-LSF": ["在{dept}办理{item}被收取了{hundreds}元“材料费”，没有开正式票据，收费目录里也没有这一项。",
               "{dept}办理{item}要求必须到指定的中介公司做评估，收费{thousands}元，比别处贵很多。"],
    "TS-WFCX": ["{dept}办理{item}时没有一次性告知需要补充的材料，每次去都说还缺一样，前后跑了{n}次。",
                "{dept}不予受理我的{item}申请，但没有给书面决定，也没说明理由。"],
    "TS-GZJL": ["{d}{t_approx}到{place}，工作人员都不在岗，说是去开会了，窗口挂着暂停服务的牌子。",
                "{dept}工作人员上班时间聚在一起聊天，群众排队没人管。"],
    "TS-BZW": ["我多次向{dept}反映{item}的问题，每次都说研究研究，半年了没有任何回复。",
               "{dept}对我反映的{item}问题敷衍了事，说不归他们管，也不告诉我该找谁。"],
    "TS-QT": ["{dept}办事大厅的自助机经常坏，{item}只能排长队人工办理，希望改进。"],
}
# An instant item (当场办结) cannot be weeks past a promised number of working days: its own complaint.
FACTS_LATE_INSTANT = "{item}按规定应当场办结，{dept}窗口却让我回去等通知，到现在已经{weeks}周了。"
REQUESTS = {
    "TS-MNJ": ["希望加强窗口管理，保证工作时间有人在岗。", "请调查处理，并给我书面答复。"],
    "TS-LNK": ["要求对相关工作人员批评教育并向我道歉。", "希望加强窗口管理，改进服务态度。"],
    "TS-SNB": ["要求一次性告知所需材料，不再让群众来回跑。", "请尽快办结并说明原因。"],
    "TS-TWCP": ["希望明确由哪个部门负责，尽快解决。"],
    "TS-CSBL": ["请尽快办结并说明延误原因。"],
    "TS-CNKY": ["请调查处理，并给我书面答复。"],
    "TS-LSF": ["请退还不合理收费。", "请调查处理，并给我书面答复。"],
    "TS-WFCX": ["要求一次性告知所需材料，不再让群众来回跑。", "请调查处理，并给我书面答复。"],
    "TS-GZJL": ["希望加强窗口管理，保证工作时间有人在岗。"],
    "TS-BZW": ["请调查处理，并给我书面答复。", "希望明确由哪个部门负责，尽快解决。"],
    "TS-QT": ["希望尽快维修设备，改进服务。"],
}
# What the department did, by the kind of complaint (a fee refund answers a fee complaint, not a rude clerk).
MEASURES = {
    "TS-MNJ": ["已约谈窗口负责人，落实窗口AB岗和午间值班制度，相关工作人员作出书面检查。"],
    "TS-LNK": ["已约谈窗口负责人，相关工作人员作出书面检查，并向投诉人当面道歉。"],
    "TS-SNB": ["已责令承办科室3个工作日内办结，并重申清单之外不得要求申请人提供其他材料。"],
    "TS-TWCP": ["已明确牵头部门，落实首问负责制，并建立首问负责台账。"],
    "TS-CSBL": ["已责令承办科室3个工作日内办结，并对相关人员进行批评教育。"],
    "TS-CNKY": ["已对相关工作人员停止其窗口工作，问题线索已移送县纪委监委。"],
    "TS-LSF": ["已退还不合理收费，并在全局通报。"],
    "TS-WFCX": ["已修订办事指南，实行一次性告知，并对相关人员进行批评教育。"],
    "TS-GZJL": ["已对相关工作人员进行效能告诫，并在全局通报。"],
    "TS-BZW": ["已责令限期办理并答复，对相关人员进行批评教育。"],
    "TS-QT": ["已更换故障设备，并增设人工引导岗位。"],
}
NOT_SUBSTANTIATED_MEASURES = "经核查，办理程序符合规定，已向投诉人解释说明。"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕晓红"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _at_office_time(cal, rng: random.Random, day: dt.date, channel: str) -> dt.datetime:
    # The web, the hotline and the mailbox take complaints in the evening too; a visit or a letter is
    # received in office hours.
    hours = (8, 9, 9, 10, 10, 11, 14, 15, 16, 19, 21) if channel in (Channel.WEB, Channel.HOTLINE, Channel.MAILBOX,
                                                                   Channel.API, Channel.OPEN311) \
        else (9, 9, 10, 10, 11, 14, 15, 16)
    return dt.datetime.combine(day, dt.time(rng.choice(hours), rng.randrange(60)), tzinfo=cal.tz)


VARIANT = re.compile(r"（[^（）]*）$")


def _object(name: str) -> str:
    """An item's name as the object of 办理/申请: "政府信息公开申请" → "政府信息公开" (no "申请政府信息公开申请
    申请"), "居住证申领" → "居住证", "食品经营许可证核发" → "食品经营许可证" (one applies for the licence)."""
    for tail in ("申请", "申领", "核发"):
        if name.endswith(tail) and len(name) > len(tail) + 1:
            return name.removesuffix(tail)
    return name


def about(category: str) -> str:
    """'the … problem' for a complaint category: “门难进”问题, but 其他效能问题 (already a 问题)."""
    return category if category.endswith("问题") else f"“{category}”问题"


def _department_items(depts) -> dict[int, list[tuple[str, int]]]:
    """(item name without its variant suffix, committed working days) of the catalogue items each department
    handles: its own, a section's bureau's, and for the service centre every item it hosts a window for.
    One query. Complaints then only name an item the department really handles."""
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    own: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for dept_id, name, committed in ServiceItem.objects.filter(is_active=True, current_version__isnull=False) \
            .order_by("code").values_list("department_id", "current_version__name",
                                          "current_version__committed_limit_value"):
        entry = (_object(VARIANT.sub("", name)), committed or 0)
        if entry not in own[dept_id]:
            own[dept_id].append(entry)
    everything = [e for rows in own.values() for e in rows]
    out = {}
    for d in depts:
        rows = own.get(d.pk) or (own.get(d.parent_id) if d.kind == Department.Kind.SECTION else None)
        if not rows and d.kind == Department.Kind.CENTRE:
            rows = everything
        out[d.pk] = rows or [(g, 5) for g in GENERIC_ITEMS]
    return out


def _labels(depts) -> tuple[dict[int, str], dict[int, str]]:
    """How a complainant names each department ({dept}) and the window they went to ({place}): a bureau's
    window in the service centre (县政务服务中心公安局窗口), a township's in its 便民服务中心."""
    names, places = {}, {}
    for d in depts:
        short = d.name.split("县", 1)[1] if d.name.count("县") == 1 and d.name.index("县") < 4 else d.name
        names[d.pk] = d.name
        if d.kind == Department.Kind.TOWNSHIP:
            places[d.pk] = f"{d.name.removesuffix('人民政府')}便民服务中心窗口"
        elif d.kind == Department.Kind.CENTRE:
            places[d.pk] = f"{d.name}综合窗口"
        else:
            places[d.pk] = f"县政务服务中心{short}窗口" if short != d.name else f"{d.name}窗口"
    return names, places


def _worked_day(cal, day: dt.date) -> dt.date:
    """`day`, or the working day before it: nobody queues at a window on a Sunday."""
    for _ in range(15):
        try:
            if cal.is_working_day(day):
                return day
        except Exception:  # a year the calendar does not hold: keep the day as it is
            return day
        day -= dt.timedelta(days=1)
    return day


def _facts(rng: random.Random, cal, code: str, *, dept: str, place: str, item: tuple[str, int],
           visit: dt.date, township: bool) -> str:
    """The complainant's account, from the category's templates, every number and time said in words that
    agree with it (xiaoneng.core.wording)."""
    name, committed = item
    other = "县里的主管部门" if township else "乡镇"  # a township is not sent to "the township"
    template = rng.choice(FACTS.get(code, FACTS["TS-QT"]))
    weeks = months = 0
    if code == "TS-CSBL":
        if committed <= 0:
            template = FACTS_LATE_INSTANT
        weeks = max(1, -(-committed // 5)) + rng.randrange(1, 4)  # past the promise: ⌈k/5⌉ weeks and more
        months = rng.randrange(2, 5)
    # Well inside office hours, so that even "waited over an hour" ends before the lunch break or the close.
    hour = rng.choice((9, 9, 10, 14, 14, 15))
    return template.format(
        d=date_phrase(visit), t=clock_phrase(hour, rng.choice((0, 0, 10, 20, 30))), t_approx=clock_phrase(hour, approx=True),
        dept=dept, place=place, item=name, other=other, n=cn_count(rng.randrange(2, 6)),
        wait=rng.choice(("二十分钟", "半个多小时", "四十多分钟", "一个多小时")),
        extra=rng.choice(("无犯罪记录证明", "房屋租赁备案", "村委会证明", "原件公证")),
        applied=date_phrase(_worked_day(cal, visit - dt.timedelta(days=7 * weeks + rng.randrange(0, 5)))),
        k=committed, weeks=cn_count(weeks), months=cn_count(months),
        hundreds=rng.randrange(2, 6) * 100, thousands=rng.randrange(2, 6) * 1000,
    )


@transaction.atomic
def seed_complaints(*, departments, staff, rng: random.Random, count: int, start: dt.datetime, end: dt.datetime,
                    now: dt.datetime) -> list[Complaint]:
    """Create `count` complaints received in [start, end) about `departments`, handled by the supervisors
    among `staff` (a dict or list of Staff), played forward to `now`. Returns the complaints."""
    cal = get_calendar()
    # Complaints are about a department that serves the public: a bureau, a township, the service centre. Not a
    # section: a section handles only part of its bureau's items, so "登记注册科 … 道路运输经营许可" followed.
    depts = [d for d in departments if d.kind not in (Department.Kind.COUNTY, Department.Kind.OFFICE,
                                                      Department.Kind.VILLAGE, Department.Kind.SECTION)]
    if not depts:
        return []
    staff_list = list(staff.values()) if isinstance(staff, dict) else list(staff)
    sup_ids = set(Staff.objects.filter(pk__in=[s.pk for s in staff_list], groups__name=R.SUPERVISOR)
                  .values_list("pk", flat=True))
    supervisors = [s for s in staff_list if s.pk in sup_ids] or [None]
    cats = {c.code: c for c in ComplaintCategory.objects.all()}
    cat_pairs = [(cats[k], w) for k, w in CATEGORY_WEIGHTS.items() if k in cats]
    # A few departments draw most complaints, as in every county.
    dept_pairs = [(d, rng.choice((1, 1, 2, 3, 6, 10))) for d in depts]
    Case = apps.get_model("cases", "Case")
    cases = defaultdict(list)
    # A complaint quotes a case only of the item it is about (keyed by department and item name).
    for cid, did, no, item_name in Case.objects.filter(department__in=depts).values_list(
            "id", "department_id", "case_no", "version__name")[:5000]:
        cases[(did, _object(VARIANT.sub("", item_name or "")))].append((cid, no))

    span = (end - start).total_seconds()
    stamps = sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(count))
    complaints, plans = [], []
    items = _department_items(depts)
    dept_names, places = _labels(depts)
    for received in stamps:
        day = received.astimezone(cal.tz).date()
        channel = _weighted(rng, CHANNELS)
        received = _at_office_time(cal, rng, day, channel)
        if received >= now:
            received = now - dt.timedelta(hours=1)
        cat = _weighted(rng, cat_pairs)
        dept = _weighted(rng, dept_pairs)
        mode = _weighted(rng, [(IdentityMode.CONFIDENTIAL, 55), (IdentityMode.REAL, 30), (IdentityMode.ANONYMOUS, 15)])
        name = "" if mode == IdentityMode.ANONYMOUS else _person(rng)
        phone = f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}" if mode != IdentityMode.ANONYMOUS or rng.random() < .4 else ""
        item = rng.choice(items[dept.pk])
        # The visit the complaint is about happened on a working day in the ten days before it (not later on
        # the day the complaint was received: "4月2日上午10点半" in a complaint received at 08:18).
        occurred = _worked_day(cal, day - dt.timedelta(days=rng.randrange(1, 10)))
        facts = _facts(rng, cal, cat.code, dept=dept_names[dept.pk], place=places[dept.pk], item=item, visit=occurred,
                       township=dept.kind == Department.Kind.TOWNSHIP)
        if name and rng.random() < .2:
            facts = f"我叫{name}，电话{phone}。" + facts
        request = rng.choice(REQUESTS.get(cat.code, REQUESTS["TS-QT"]))
        case = None
        if cases.get((dept.pk, item[0])) and rng.random() < .15:
            case = rng.choice(cases[(dept.pk, item[0])])
        contacts = [phone]
        c = Complaint(
            number="", tracking_code="".join(rng.choice(services.CODE_ALPHABET) for _ in range(services.CODE_LENGTH)),
            channel=channel, category=cat, department=dept, window_text="", staff_text="", case_no_text=case[1] if case else "",
            case_id=case[0] if case else None, occurred_on=occurred,
            facts=facts, request=request, facts_redacted=scrub_identity(facts, names=[name], contacts=contacts),
            request_redacted=request, litigation=Litigation.NONE if rng.random() > .02 else Litigation.LAWSUIT,
            identity_mode=mode, urgent=rng.random() < .05, status=Status.RECEIVED, received_at=received,
            acceptance_due_at=cal.deadline(received, cfg("ACCEPT_LIMIT_WD"), "wd").at,
            contact_key=contact_key(phone=phone), updated_at=received,
        )
        complaints.append(c)
        plans.append({"name": name, "phone": phone, "item": item[0]})

    # Numbers per year, allocated in one block per year.
    by_year = defaultdict(list)
    for c in complaints:
        by_year[c.received_at.astimezone(cal.tz).year].append(c)
    for year, rows in by_year.items():
        first = services.number_allocate(year, len(rows))
        for i, c in enumerate(rows):
            c.number = services.number_text(year, first + i)

    dispatches, replies, entries = [], [], []
    for c, plan in zip(complaints, plans, strict=True):
        _play(c, plan, rng=rng, cal=cal, now=now, supervisors=supervisors, dept_pool=depts, dispatches=dispatches,
              replies=replies, entries=entries)
    Complaint.objects.bulk_create(complaints, batch_size=1000)
    ComplainantIdentity.objects.bulk_create([
        ComplainantIdentity(complaint=c, name=p["name"], phone=p["phone"]) for c, p in zip(complaints, plans, strict=True)
    ], batch_size=2000)
    for objs, model in ((dispatches, Dispatch), (replies, Reply), (entries, TimelineEntry)):
        for o in objs:
            o.complaint_id = o.complaint.pk
        model.objects.bulk_create(objs, batch_size=2000)
    return complaints


def _play(c: Complaint, plan: dict, *, rng, cal, now, supervisors, dept_pool, dispatches, replies, entries) -> None:
    """Play one complaint forward from receipt as far as `now` allows (no queries)."""
    sup = rng.choice(supervisors)

    def log(kind, at, public_text="", detail="", label="效能办", actor=None):
        entries.append(TimelineEntry(complaint=c, kind=kind, at=at, actor=actor, actor_label=label, detail=detail,
                                     public=bool(public_text), public_text=public_text))

    def wd(at, n):
        return cal.deadline(at, n, "wd").at - dt.timedelta(hours=rng.randrange(0, 7), minutes=rng.randrange(60))

    log(TimelineEntry.Kind.RECEIVED, c.received_at, f"您的投诉已登记（{Channel(c.channel).label}），编号 {c.number}。",
        label="投诉人" if c.channel == Channel.WEB else "效能办")
    decided = wd(c.received_at, rng.choice((1, 1, 2, 2, 3, 4, 5, 6)))
    if decided > now:
        _evaluate(c, now)
        return
    roll = rng.random()
    c.decided_at, c.office_handler = decided, sup
    if roll < .08:
        c.status, c.closed_at, c.refusal_reason = Status.REFUSED, decided, rng.choice(
            ("not_in_scope", "in_litigation", "time_barred", "anonymous_unverifiable"))
        c.decision_text = "经审查，不符合效能投诉受理条件。"
        log(TimelineEntry.Kind.REFUSED, decided, "不予受理告知：经审查，不符合效能投诉受理条件。", actor=sup)
        _evaluate(c, now)
        return
    if roll < .11:
        c.status, c.closed_at, c.transfer_to = Status.TRANSFERRED, decided, "县纪委监委"
        c.decision_text = "反映的问题涉及违纪违法，依规移送。"
        log(TimelineEntry.Kind.TRANSFERRED, decided, "移送告知：您反映的问题已移送县纪委监委处理。", actor=sup)
        _evaluate(c, now)
        return
    c.status, c.accepted_at = Status.ACCEPTED, decided
    limit = cfg("URGENT_LIMIT_WD") if c.urgent else cfg("HANDLING_LIMIT_WD")
    log(TimelineEntry.Kind.ACCEPTED, decided, "受理告知：您的投诉已受理，将转交有关单位调查处理。", actor=sup)
    dispatched = decided + dt.timedelta(minutes=rng.randrange(10, 240))
    if dispatched > now:
        c.handling_due_at = cal.deadline(decided, limit, "wd").at
        _evaluate(c, now)
        return
    due = cal.deadline(dispatched, limit, "wd").at
    d = Dispatch(complaint=c, department=c.department, is_lead=True, limit_wd=limit, dispatched_at=dispatched,
                 dispatched_by=sup, due_at=due, dispute_due_at=cal.deadline(dispatched, 1, "wd").at,
                 instructions="请认真核查，按期报送办理结果。")
    dispatches.append(d)
    c.status, c.dispatched_at, c.handling_due_at = Status.DISPATCHED, dispatched, due
    # The date as the platform's own notice prints it (services/_common.py, _day).
    log(TimelineEntry.Kind.DISPATCHED, dispatched, f"效能办已将您的投诉转交{c.department.name}调查处理，"
        f"办理期限至 {_day(due)}。", actor=sup)
    if rng.random() < .03:
        c.status, c.closed_at, c.withdraw_reason = Status.WITHDRAWN, dispatched, "投诉人表示问题已解决，申请撤回。"
        d.state = Dispatch.State.WITHDRAWN
        log(TimelineEntry.Kind.WITHDRAWN, dispatched, "撤销告知：投诉人申请撤回，本投诉已撤销。", actor=sup)
        _evaluate(c, now)
        return
    result_at = wd(dispatched, rng.choice((3, 5, 6, 8, 9, 10, 10, 11, 12, 14)))
    if result_at > now:
        _evaluate(c, now)
        return
    outcome = _weighted(rng, [(Outcome.SUBSTANTIATED, 35), (Outcome.PARTLY, 30), (Outcome.NOT_SUBSTANTIATED, 35)])
    measures = (rng.choice(MEASURES.get(c.category.code, MEASURES["TS-QT"])) if outcome != Outcome.NOT_SUBSTANTIATED
                else NOT_SUBSTANTIATED_MEASURES)
    d.state, d.result_at, d.outcome, d.measures = Dispatch.State.DONE, result_at, outcome, measures
    d.findings = (f"经调查核实，投诉人反映的{c.department.name}在办理{plan["item"]}中的{about(c.category.name)}"
                  f"{Outcome(outcome).label}。")
    c.status, c.result_at, c.outcome, c.findings, c.measures = Status.RESULT, result_at, outcome, d.findings, measures
    c.sanction_proposed = outcome == Outcome.SUBSTANTIATED and rng.random() < .3
    c.reply_due_at = cal.deadline(result_at, cfg("REPLY_LIMIT_WD"), "wd").at
    log(TimelineEntry.Kind.RESULT, result_at, detail=f"{c.department.name}：{Outcome(outcome).label}",
        label=c.department.name)
    replied = wd(result_at, rng.choice((1, 1, 2, 2, 3, 4)))
    if replied > now:
        _evaluate(c, now)
        return
    # Addressed to the complainant by name (or just 您好 when anonymous), the measures said to them (您).
    greeting = f"{plan['name']}：您好！" if plan["name"] else "您好！"
    text = (f"{greeting}您反映的{c.department.name}{about(c.category.name)}，经调查，情况{Outcome(outcome).label}。"
            f"{measures.replace('投诉人', '您')}如有疑问，请拨打效能投诉热线 96150。感谢您对机关效能建设的监督。")
    public = rng.random() < .35
    replies.append(Reply(complaint=c, text=text, state=Reply.State.SENT, drafted_by=None, drafted_at=result_at,
                         reviewed_by=sup, reviewed_at=replied, sent_at=replied,
                         public_text=public_reply_text(text, names=[plan["name"]], contacts=[plan["phone"]])
                         if public else ""))
    c.status, c.replied_at, c.publishable = Status.REPLIED, replied, public
    c.follow_up_due_at = replied + dt.timedelta(days=cfg("FOLLOW_UP_DAYS"))
    log(TimelineEntry.Kind.REPLIED, replied, f"答复：{text}", actor=sup)
    rated = replied + dt.timedelta(hours=rng.randrange(2, 24 * 9))
    if rated > now:
        _evaluate(c, now)
        return
    if rated > c.follow_up_due_at:
        c.status, c.rating, c.closed_at = Status.CLOSED, Rating.NONE, c.follow_up_due_at
        log(TimelineEntry.Kind.FOLLOW_UP_EXPIRED, c.follow_up_due_at, "回访期满未收到评价，本投诉按未评价办结。", label="系统")
    else:
        rating = _weighted(rng, [(Rating.VERY_SATISFIED, 44), (Rating.SATISFIED, 28), (Rating.BASIC, 19),
                                 (Rating.UNSATISFIED, 6), (Rating.VERY_UNSATISFIED, 3)])
        c.status, c.rating, c.rated_at, c.closed_at = Status.CLOSED, rating, rated, rated
        log(TimelineEntry.Kind.RATED, rated, f"您的评价：{Rating(rating).label}。", label="投诉人")
    c.updated_at = c.closed_at
    _evaluate(c, now)
