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
from collections import defaultdict

from django.apps import apps
from django.db import transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
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
from .privacy import contact_key, mask_personal_data, scrub_identity

CHANNELS = [(Channel.WEB, 34), (Channel.HOTLINE, 30), (Channel.MAILBOX, 12), (Channel.VISIT, 7), (Channel.LETTER, 6),
            (Channel.INSPECTION, 4), (Channel.MEDIA, 3), (Channel.API, 2), (Channel.OPEN311, 2)]
CATEGORY_WEIGHTS = {"TS-MNJ": 9, "TS-LNK": 14, "TS-SNB": 16, "TS-TWCP": 14, "TS-CSBL": 18, "TS-CNKY": 3,
                    "TS-LSF": 5, "TS-WFCX": 8, "TS-GZJL": 6, "TS-BZW": 5, "TS-QT": 2}
ITEMS = ["营业执照变更", "食品经营许可", "不动产登记", "建设工程规划许可", "社保关系转移", "医保报销", "户口迁移",
         "道路运输经营许可", "药品零售许可", "特种设备使用登记", "林木采伐许可", "农村宅基地审批", "公积金提取",
         "残疾人证办理", "居住证办理", "施工许可证核发", "排水许可", "税务登记变更"]
FACTS = {
    "TS-MNJ": ["{d}上午{h}点我到{dept}{w}办理{item}，窗口没有人，等了{n}十分钟也无人接待，电话也打不通。",
               "多次到{dept}咨询{item}，保安不让进，说要预约，网上又约不上。"],
    "TS-LNK": ["{d}在{dept}{w}办理{item}时，工作人员态度生硬，我问了两遍就不耐烦，说“听不懂就别来办”。",
               "{dept}{w}的工作人员一边玩手机一边办事，对老人说话很冲，让人很难受。"],
    "TS-SNB": ["办理{item}，材料都按清单准备齐了，{dept}又要求提供清单上没有的{extra}，跑了{n}趟还没办成。",
               "{dept}说我的{item}需要村里、镇里、县里层层盖章，清单上根本没写，一直卡着不给办。"],
    "TS-TWCP": ["{item}的事情，{dept}说归另一个部门管，那边又说归{dept}管，来回跑了{n}趟，没人负责。",
                "我反映的{item}问题，{dept}让我找乡镇，乡镇又让我找{dept}，推来推去两个月没结果。"],
    "TS-CSBL": ["{d}在{dept}申请{item}，承诺{k}个工作日办结，现在已经过了{n}周还没有结果，打电话也说在审核。",
                "{item}申请提交已经{n}个月，{dept}一直说领导没签字，严重超过承诺时限。"],
    "TS-CNKY": ["办理{item}时，{dept}有工作人员暗示要“意思意思”才能快点办，否则就拖着。",
                "{dept}工作人员要求我请吃饭才给办理{item}，我没答应，材料就一直被退回。"],
    "TS-LSF": ["在{dept}办理{item}被收取了{n}00元“材料费”，没有开正式票据，收费目录里也没有这一项。",
               "{dept}办理{item}要求必须到指定的中介公司做评估，收费{n}千元，比别处贵很多。"],
    "TS-WFCX": ["{dept}办理{item}时没有一次性告知需要补充的材料，每次去都说还缺一样，前后跑了{n}次。",
                "{dept}不予受理我的{item}申请，但没有给书面决定，也没说明理由。"],
    "TS-GZJL": ["{d}下午{h}点多到{dept}{w}，工作人员都不在岗，说是去开会了，窗口挂着暂停服务的牌子。",
                "{dept}工作人员上班时间聚在一起聊天，群众排队没人管。"],
    "TS-BZW": ["我多次向{dept}反映{item}的问题，每次都说研究研究，半年了没有任何回复。",
               "{dept}对我反映的{item}问题敷衍了事，说不归他们管，也不告诉我该找谁。"],
    "TS-QT": ["{dept}办事大厅的自助机经常坏，{item}只能排长队人工办理，希望改进。"],
}
REQUESTS = ["请尽快办结并说明延误原因。", "要求对相关工作人员批评教育并向我道歉。", "请退还不合理收费。",
            "希望明确由哪个部门负责，尽快解决。", "要求一次性告知所需材料，不再让群众来回跑。",
            "请调查处理，并给我书面答复。", "希望加强窗口管理，改进服务态度。"]
MEASURES = ["已责令承办科室3个工作日内办结，并对相关人员进行批评教育。", "已约谈窗口负责人，相关工作人员作出书面检查。",
            "已退还不合理收费，并在全局通报。", "已明确牵头部门，建立首问负责台账。", "已修订办事指南，实行一次性告知。",
            "经核查，办理程序符合规定，已向投诉人解释说明。"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕晓红"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _at_office_time(cal, rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.choice((8, 9, 9, 10, 10, 11, 14, 15, 16, 19, 21)), rng.randrange(60)),
                               tzinfo=cal.tz)


@transaction.atomic
def seed_complaints(*, departments, staff, rng: random.Random, count: int, start: dt.datetime, end: dt.datetime,
                    now: dt.datetime) -> list[Complaint]:
    """Create `count` complaints received in [start, end) about `departments`, handled by the supervisors
    among `staff` (a dict or list of Staff), played forward to `now`. Returns the complaints."""
    cal = get_calendar()
    depts = [d for d in departments if d.kind not in (Department.Kind.COUNTY, Department.Kind.OFFICE,
                                                      Department.Kind.VILLAGE)]
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
    for cid, did, no in Case.objects.filter(department__in=depts).values_list("id", "department_id", "case_no")[:5000]:
        cases[did].append((cid, no))

    span = (end - start).total_seconds()
    stamps = sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(count))
    complaints, plans = [], []
    for received in stamps:
        day = received.astimezone(cal.tz).date()
        received = _at_office_time(cal, rng, day)
        if received >= now:
            received = now - dt.timedelta(hours=1)
        cat = _weighted(rng, cat_pairs)
        dept = _weighted(rng, dept_pairs)
        channel = _weighted(rng, CHANNELS)
        mode = _weighted(rng, [(IdentityMode.CONFIDENTIAL, 55), (IdentityMode.REAL, 30), (IdentityMode.ANONYMOUS, 15)])
        name = "" if mode == IdentityMode.ANONYMOUS else _person(rng)
        phone = f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}" if mode != IdentityMode.ANONYMOUS or rng.random() < .4 else ""
        item = rng.choice(ITEMS)
        facts = rng.choice(FACTS.get(cat.code, FACTS["TS-QT"])).format(
            d=f"{day.month}月{day.day}日", h=rng.choice((9, 10, 14, 15)), dept=dept.name,
            w=f"{rng.randrange(1, 30)}号窗口", item=item, n=rng.randrange(2, 6), k=rng.choice((5, 10, 15)),
            extra=rng.choice(("无犯罪记录证明", "房屋租赁备案", "村委会证明", "原件公证")))
        if name and rng.random() < .2:
            facts = f"我叫{name}，电话{phone}。" + facts
        request = rng.choice(REQUESTS)
        case = None
        if cases.get(dept.pk) and rng.random() < .15:
            case = rng.choice(cases[dept.pk])
        contacts = [phone]
        c = Complaint(
            number="", tracking_code="".join(rng.choice(services.CODE_ALPHABET) for _ in range(services.CODE_LENGTH)),
            channel=channel, category=cat, department=dept, window_text="", staff_text="", case_no_text=case[1] if case else "",
            case_id=case[0] if case else None, occurred_on=day - dt.timedelta(days=rng.randrange(0, 10)),
            facts=facts, request=request, facts_redacted=scrub_identity(facts, names=[name], contacts=contacts),
            request_redacted=request, litigation=Litigation.NONE if rng.random() > .02 else Litigation.LAWSUIT,
            identity_mode=mode, urgent=rng.random() < .05, status=Status.RECEIVED, received_at=received,
            acceptance_due_at=cal.deadline(received, cfg("ACCEPT_LIMIT_WD"), "wd").at,
            contact_key=contact_key(phone=phone), updated_at=received,
        )
        complaints.append(c)
        plans.append({"name": name, "phone": phone, "item": item})

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
        services._evaluate(c, now)
        return
    roll = rng.random()
    c.decided_at, c.office_handler = decided, sup
    if roll < .08:
        c.status, c.closed_at, c.refusal_reason = Status.REFUSED, decided, rng.choice(
            ("not_in_scope", "in_litigation", "time_barred", "anonymous_unverifiable"))
        c.decision_text = "经审查，不符合效能投诉受理条件。"
        log(TimelineEntry.Kind.REFUSED, decided, "不予受理告知：经审查，不符合效能投诉受理条件。", actor=sup)
        services._evaluate(c, now)
        return
    if roll < .11:
        c.status, c.closed_at, c.transfer_to = Status.TRANSFERRED, decided, "县纪委监委"
        c.decision_text = "反映的问题涉及违纪违法，依规移送。"
        log(TimelineEntry.Kind.TRANSFERRED, decided, "移送告知：您反映的问题已移送县纪委监委处理。", actor=sup)
        services._evaluate(c, now)
        return
    c.status, c.accepted_at = Status.ACCEPTED, decided
    limit = cfg("URGENT_LIMIT_WD") if c.urgent else cfg("HANDLING_LIMIT_WD")
    log(TimelineEntry.Kind.ACCEPTED, decided, "受理告知：您的投诉已受理，将转交有关单位调查处理。", actor=sup)
    dispatched = decided + dt.timedelta(minutes=rng.randrange(10, 240))
    if dispatched > now:
        c.handling_due_at = cal.deadline(decided, limit, "wd").at
        services._evaluate(c, now)
        return
    due = cal.deadline(dispatched, limit, "wd").at
    d = Dispatch(complaint=c, department=c.department, is_lead=True, limit_wd=limit, dispatched_at=dispatched,
                 dispatched_by=sup, due_at=due, dispute_due_at=cal.deadline(dispatched, 1, "wd").at,
                 instructions="请认真核查，按期报送办理结果。")
    dispatches.append(d)
    c.status, c.dispatched_at, c.handling_due_at = Status.DISPATCHED, dispatched, due
    log(TimelineEntry.Kind.DISPATCHED, dispatched, f"效能办已将您的投诉转交{c.department.name}调查处理，"
        f"办理期限至 {due.astimezone(cal.tz):%Y年%m月%d日}。", actor=sup)
    if rng.random() < .03:
        c.status, c.closed_at, c.withdraw_reason = Status.WITHDRAWN, dispatched, "投诉人表示问题已解决，申请撤回。"
        d.state = Dispatch.State.WITHDRAWN
        log(TimelineEntry.Kind.WITHDRAWN, dispatched, "撤销告知：投诉人申请撤回，本投诉已撤销。", actor=sup)
        services._evaluate(c, now)
        return
    result_at = wd(dispatched, rng.choice((3, 5, 6, 8, 9, 10, 10, 11, 12, 14)))
    if result_at > now:
        services._evaluate(c, now)
        return
    outcome = _weighted(rng, [(Outcome.SUBSTANTIATED, 35), (Outcome.PARTLY, 30), (Outcome.NOT_SUBSTANTIATED, 35)])
    measures = rng.choice(MEASURES[:-1]) if outcome != Outcome.NOT_SUBSTANTIATED else MEASURES[-1]
    d.state, d.result_at, d.outcome, d.measures = Dispatch.State.DONE, result_at, outcome, measures
    d.findings = f"经调查核实，投诉人反映的{plan['item']}办理问题{Outcome(outcome).label}。"
    c.status, c.result_at, c.outcome, c.findings, c.measures = Status.RESULT, result_at, outcome, d.findings, measures
    c.sanction_proposed = outcome == Outcome.SUBSTANTIATED and rng.random() < .3
    c.reply_due_at = cal.deadline(result_at, cfg("REPLY_LIMIT_WD"), "wd").at
    log(TimelineEntry.Kind.RESULT, result_at, detail=f"{c.department.name}：{Outcome(outcome).label}",
        label=c.department.name)
    replied = wd(result_at, rng.choice((1, 1, 2, 2, 3, 4)))
    if replied > now:
        services._evaluate(c, now)
        return
    text = (f"{plan['name'] or '投诉人'}您好！您反映的{c.department.name}{c.category.name}问题，经调查，情况"
            f"{Outcome(outcome).label}。{measures}如有疑问，请拨打{'0571-96150'}。感谢您对机关效能建设的监督。")
    public = rng.random() < .35
    replies.append(Reply(complaint=c, text=text, state=Reply.State.SENT, drafted_by=None, drafted_at=result_at,
                         reviewed_by=sup, reviewed_at=replied, sent_at=replied,
                         public_text=mask_personal_data(text, names=[plan["name"]], contacts=[plan["phone"]])
                         if public else ""))
    c.status, c.replied_at, c.publishable = Status.REPLIED, replied, public
    c.follow_up_due_at = replied + dt.timedelta(days=cfg("FOLLOW_UP_DAYS"))
    log(TimelineEntry.Kind.REPLIED, replied, f"答复：{text}", actor=sup)
    rated = replied + dt.timedelta(hours=rng.randrange(2, 24 * 9))
    if rated > now:
        services._evaluate(c, now)
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
    services._evaluate(c, now)
