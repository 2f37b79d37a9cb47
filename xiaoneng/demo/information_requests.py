"""The demo county's information requests (依申请公开): a hundred requests over the demo year to the bureaus and
townships, by every channel, most answered on time with the outcome mix a county reports (予以公开 about half,
then 无法提供, 部分公开, 不予公开, 不予处理, 其他处理), some late, some corrected (the clock stopped meanwhile),
a third party consulted, one extended by a head, a few withdrawn, a few pending at the demo's now (two of them
overdue: their cards come from the supervision tick), some answers published, and a couple of 行政复议 and a
行政诉讼 — all through the disclosure services, deterministic from the county's seeded random source."""

from __future__ import annotations

import datetime as dt

from xiaoneng.accounts.models import Department

COUNT = {"small": 100, "county": 100, "province": 100}
CHANNELS = (("online", 50), ("visit", 20), ("letter", 15), ("email", 10), ("fax", 5))
KINDS = (("person", 70), ("enterprise", 15), ("legal_service", 6), ("research", 3), ("public_interest", 3),
         ("other", 3))
OUTCOMES = (("disclosed", 46), ("unavailable", 16), ("partial", 14), ("withheld", 10), ("not_processed", 8),
            ("other", 6))
SUBJECTS = ("年度行政处罚案件统计", "某小区规划许可及总平面图", "征地补偿安置方案", "食品抽检不合格企业名单",
            "年度部门预算执行情况", "某道路改造工程招标文件", "养老机构运营补贴发放明细", "低保资格审核标准",
            "企业环评批复文件", "校车安全检查记录", "农村危房改造补助名单", "某河道整治工程验收报告")
ORGS = ("清源县恒达建材有限公司", "清源县明德律师事务所", "清源县新农村发展研究会", "清源县绿源环保公益协会",
        "清源县兴业商贸有限公司")
ORG_CODES = ("91330100MA2H7K8L9X", "31330000MD0123456P", "51330100MJ8765432Q", "52330100MJ1234567R",
             "91330100MA2J3K4L5Y")
ANSWERS = {
    "disclosed": "经查，您申请的信息属于公开范围，现予以公开，详见附件。",
    "partial": "您申请的信息中含有个人隐私，已作区分处理，其余部分予以公开。",
    "withheld": "您申请的信息属于法定不予公开的范围，依据《中华人民共和国政府信息公开条例》不予公开。",
    "unavailable": "经检索，本机关未制作或获取您申请的政府信息。",
    "not_processed": "您的申请属于信访举报投诉类事项，请通过信访渠道反映。",
    "other": "您未在规定期限内补正申请，本机关不再处理该申请。",
}


def _pick(rng, weighted):
    total = sum(w for _v, w in weighted)
    x = rng.randrange(total)
    for value, w in weighted:
        if x < w:
            return value
        x -= w
    return weighted[-1][0]  # pragma: no cover


def _moment(rng, cal, day: dt.date) -> dt.datetime:
    while not cal.is_working_day(day):
        day += dt.timedelta(days=1)
    minutes = rng.randrange(9 * 60, 16 * 60 + 30)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=cal.tz)


def _after(cal, at: dt.datetime, wd: int, rng) -> dt.datetime:
    """A working-day moment `wd` working days after `at` (its office hours)."""
    day = cal.add_working_days(at.astimezone(cal.tz).date(), wd).date
    return _moment(rng, cal, day)


def step_information_requests(ctx) -> None:
    from xiaoneng.disclosure.models import ANSWER_REASONS, RequestStatus
    from xiaoneng.disclosure.services import requests as svc
    from xiaoneng.supervision.services import supervise_tick
    from xiaoneng.workdays.calendar import get_calendar

    cal, rng = get_calendar(), ctx.rng
    county = ctx.counties[0]
    office = next((d for d in ctx.departments if d.kind == Department.Kind.OFFICE and d.path.startswith(county.path)),
                  None)
    sup = ctx.staff.get(f"{office.code.lower().replace('-', '_')}_sup2") if office else None
    desks = []
    for d in ctx.departments:
        if d.kind not in (Department.Kind.BUREAU, Department.Kind.TOWNSHIP) or not d.path.startswith(county.path):
            continue
        base = d.code.lower().replace("-", "_")
        head, handler = ctx.staff.get(f"{base}_head"), ctx.staff.get(f"{base}_h1")
        if head and handler:
            desks.append((d, head, handler, ctx.staff.get(f"{base}_win") or handler))
    if not desks:
        return
    desks = desks[:14]
    now = ctx.now
    today = now.astimezone(cal.tz).date()
    n = COUNT.get(ctx.scale, 100)
    days = sorted(today - dt.timedelta(days=rng.randrange(3, 365)) for _ in range(n - 6))
    days += sorted(today - dt.timedelta(days=rng.randrange(1, 12)) for _ in range(6))  # pending at "now"
    made = {"inforequests": 0, "inforequests_answered": 0, "inforequests_late": 0, "inforequests_reviews": 0}
    answered, extended = [], False
    for i, day in enumerate(days):
        dept, head, handler, window = desks[rng.randrange(len(desks))] if i % 3 else desks[i % min(4, len(desks))]
        received = _moment(rng, cal, day)
        if received >= now:
            received = now - dt.timedelta(hours=2)
        channel = _pick(rng, CHANNELS)
        kind = _pick(rng, KINDS)
        person = kind == "person"
        name = ctx.rng.choice(("王", "李", "张", "刘", "陈", "杨", "赵", "黄")) + ctx.rng.choice(("建国", "秀英", "伟", "芳",
                                                                                          "敏", "静", "强", "磊"))
        org = rng.randrange(len(ORGS))
        subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
        ident = {"applicant_kind": kind, "applicant_name": name if person else ORGS[org],
                 "id_number": f"33010219{rng.randrange(60, 99)}0{rng.randrange(1, 9)}1{rng.randrange(1, 9)}{rng.randrange(1000, 9999)}"
                 if person else "",
                 "organisation_code": "" if person else ORG_CODES[org],
                 "phone": f"139{rng.randrange(10**7, 10**8)}", "address": f"清源县人民路{rng.randrange(1, 300)}号",
                 "description": f"申请公开{dept.name}{subject}。", "delivery": rng.choice(("email", "paper", "online"))}
        if channel == "online":
            req = svc.information_request_submit(department=dept, channel=channel, now=received,
                                                 phone_verified_at=received, **ident)
        else:
            req = svc.information_request_submit(department=dept, channel=channel, received_at=received,
                                                 by=window if channel == "visit" else handler,
                                                 now=received + dt.timedelta(minutes=rng.randrange(5, 90)), **ident)
        made["inforequests"] += 1
        pending = i >= n - 6
        at = received + dt.timedelta(minutes=100)
        if pending:
            if i == n - 1:  # one waiting for a correction at "now"
                svc.information_request_correction_notice(request=req, text="请补充所需信息的文号或形成时间。",
                                                          by=handler, now=min(at, now))
            continue
        fate = rng.random()
        if fate < 0.03:
            svc.information_request_withdraw(request=req, reason="申请人电话告知撤回申请。", by=handler,
                                             now=_after(cal, received, 2, rng))
            continue
        if fate < 0.05:
            continue  # overdue at "now": no answer yet (the tick raises its cards)
        corrected = fate < 0.15
        if corrected:
            notice = _after(cal, received, rng.randrange(1, 9), rng)  # now and then after the 7 working days
            svc.information_request_correction_notice(request=req, text="申请内容不明确，请补充所需信息的名称或文号。",
                                                      by=handler, now=notice)
            if rng.random() < 0.25:
                svc.information_request_answer(request=req, answer_type="other", reason="no_correction",
                                               text=ANSWERS["other"], by=handler, now=_after(cal, notice, 16, rng))
                made["inforequests_answered"] += 1
                answered.append(req)
                continue
            req = svc.information_request_corrected(request=req, by=handler, now=_after(cal, notice, rng.randrange(2, 8), rng))
        elif fate < 0.19:
            ask = _after(cal, received, 3, rng)
            svc.information_request_consult(request=req, note="所申请信息涉及第三方商业秘密，书面征求其意见。",
                                            by=handler, now=ask)
            req = svc.information_request_consulted(request=req, by=handler, now=_after(cal, ask, rng.randrange(5, 11), rng))
        if not extended and fate > 0.5 and req.status == RequestStatus.RECEIVED:
            req = svc.information_request_extend(request=req, wd=15, reason="所需信息需从档案馆调取，工作量较大。",
                                                 by=head, now=_after(cal, received, 12, rng))
            extended = True
        late = rng.random() < 0.08
        total = req.limit_wd + req.extension_wd + req.paused_wd
        wd = total + rng.randrange(1, 7) if late else rng.randrange(3, max(4, total - 1))
        when = _after(cal, received, wd, rng)
        if when >= now:
            continue
        outcome = _pick(rng, OUTCOMES)
        reasons = ANSWER_REASONS.get(outcome, [])
        reason = reasons[rng.randrange(len(reasons))][0] if reasons else ""
        if outcome == "other":
            reason = "other"
        req = svc.information_request_answer(request=req, answer_type=outcome, reason=reason, text=ANSWERS[outcome],
                                             by=handler, now=when)
        made["inforequests_answered"] += 1
        made["inforequests_late"] += int(not req.on_time)
        answered.append(req)
        if outcome in ("disclosed", "partial") and rng.random() < 0.4 and sup is not None:
            svc.information_request_publish(request=req, publish=True, by=sup, now=when + dt.timedelta(hours=1))
    if sup is not None:
        contested = [r for r in answered if r.answer_type in ("withheld", "unavailable", "other")][:3]
        for j, req in enumerate(contested):
            filed = req.answered_at.astimezone(cal.tz).date() + dt.timedelta(days=20 + 10 * j)
            if filed >= today:
                continue
            kind = ("review", "review", "litigation_direct")[j]
            decided = filed + dt.timedelta(days=45)
            result, decided_on = (("upheld", decided) if j == 0 else ("corrected", decided) if j == 1
                                  else ("pending", None))
            if decided_on is not None and decided_on > today:
                result, decided_on = "pending", None
            svc.request_review_record(request=req, kind=kind, filed_on=filed, result=result, decided_on=decided_on,
                                      by=sup, now=now)
            made["inforequests_reviews"] += 1
    supervise_tick(now=now)
    ctx.counts.update(made)
