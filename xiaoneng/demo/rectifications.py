"""The demo county's rectifications of bad ratings (差评整改), played through the ratings services after the
ratings step has recorded a year of ratings (every bad one opened its rectification, due in 10 working days).

What a county running 好差评 for a year looks like: most bad ratings verified, rectified and called back well
within the limit and accepted by the office; the most recent ones still being worked on or waiting for review;
a few submitted late (accepted, `on_time` false) — with the reminder, yellow and red cards the supervision tick
raised on them at the time; a couple still open long past their due date (the step's last tick cards them
today); one returned by the office and accepted the second time; one appeal upheld (the rating voided) and one
rejected. Deterministic: a random source seeded from the context's, rectifications in number order.

Works on whatever bad ratings are in the database (the ratings step's, or any others), so it runs unchanged
whichever order the parts land in."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.ratings.models import Rectification, RectificationStatus
from xiaoneng.ratings.services import rectification as svc
from xiaoneng.workdays.calendar import get_calendar

VERIFY = (
    "经调取窗口监控录像并询问当事工作人员，评价反映的答复不耐烦、解释不清问题属实。",
    "经核查办件流转记录，该件在审核环节停留时间过长，群众多次来电询问，情况属实。",
    "经与评价人电话核实，其反映的材料清单未一次性告知问题属实，系窗口人员业务不熟所致。",
    "经查阅叫号系统记录，评价时段等候人数较多、窗口开放不足，群众等候超过四十分钟，情况属实。",
)
ACTIONS = (
    "已对当事工作人员进行批评教育，组织窗口人员开展服务礼仪和业务培训，纳入月度考核。",
    "已压缩审核环节时限，明确专人跟踪在办件，每日通报超时预警。",
    "已修订一次性告知清单并张贴上墙，窗口配备导办员，首问负责落实到人。",
    "已在高峰时段增开弹性窗口，推行预约办理，等候时间明显缩短。",
)
EXPLAIN = ("经核实，评价人反映的收费问题系对法定收费标准的误解，窗口已出示收费依据并当面解释，不属实，作情况说明。",)
CALLBACK = (
    "已电话回访评价人，说明核实情况和整改措施并致歉，评价人表示理解和认可。",
    "已电话回访，评价人对整改措施表示满意。",
    "回访时评价人表示问题已解决，感谢窗口的改进。",
)
NOT_REACHED = "连续三天电话回访均未接通，已发送短信说明整改情况。"
RETURN_NOTE = "整改措施过于笼统，请写明具体措施和责任人，并补充回访情况。"
ACCEPT_NOTES = ("核实、整改、回访到位，同意销号。", "整改措施具体，同意。", "")


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 200, 200)).save(buf, "PNG")
    return buf.getvalue()


def _office_time(cal, rng: random.Random, day: dt.date) -> dt.datetime:
    minute = rng.choice((9 * 60 + 10, 10 * 60, 11 * 60, 14 * 60 + 40, 15 * 60 + 30, 16 * 60 + 10)) + rng.randrange(0, 20)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=cal.tz)


def _wd_after(cal, rng, when: dt.datetime, n: int) -> dt.datetime:
    day = cal.add_working_days(when.astimezone(cal.tz).date(), n).date
    return max(_office_time(cal, rng, day), when + dt.timedelta(minutes=30))


def _people():
    """Heads and handlers per department (their own department only), and the supervisors."""
    heads, handlers, supervisors = defaultdict(list), defaultdict(list), []
    for s in (Staff.objects.filter(is_active=True, groups__name__in=(R.HEAD, R.HANDLER, R.SUPERVISOR))
              .select_related("department").prefetch_related("groups").distinct().order_by("username")):
        codes = s.role_codes
        if R.SUPERVISOR in codes:
            supervisors.append(s)
        if s.department_id is None:
            continue
        if R.HEAD in codes:
            heads[s.department_id].append(s)
        if R.HANDLER in codes:
            handlers[s.department_id].append(s)
    return heads, handlers, supervisors


def _work(r, rng, *, explained=False):
    named = svc.is_named(r.rating)
    return {"verification": rng.choice(VERIFY), "explained": explained,
            "action": EXPLAIN[0] if explained else rng.choice(ACTIONS), "named": named}


def _submit(r, by, at, rng, work, *, reached=True):
    kw = {k: work[k] for k in ("verification", "action", "explained")}
    if work["named"] or rng.random() < 0.4:
        cb = r.rating.rated_at + (at - r.rating.rated_at) * rng.uniform(0.5, 0.95)
        kw.update(callback_at=cb, callback_reached=reached,
                  callback_result=rng.choice(CALLBACK) if reached else NOT_REACHED)
    return svc.rectification_submit(rectification=r, by=by, now=at, **kw)


def _answer_cards(r, handler, sup, at, review) -> int:
    """The department answers the cards (and their automatic orders) the late rectification brought, with
    its submission; the office confirms the cards and closes the orders when it accepts."""
    from xiaoneng.supervision.models import OrderStatus, SupervisionOrder, Warning, WarningStatus
    from xiaoneng.supervision.services import (
        supervision_order_answer,
        supervision_order_close,
        warning_confirm,
        warning_correct,
    )

    n = 0
    text = "已完成差评核实、整改和回访，整改情况已报效能办审核。"
    for w in Warning.objects.filter(subject_kind="rating", subject_id=r.pk,
                                    status__in=(WarningStatus.ISSUED, WarningStatus.ESCALATED)).order_by("id"):
        for o in SupervisionOrder.objects.filter(warning=w, status=OrderStatus.ISSUED).order_by("id"):
            supervision_order_answer(order=o, by=handler, now=at, answer=text)
            supervision_order_close(order=o, by=sup, now=review, note="整改已审核通过。")
        warning_correct(warning=w, by=handler, now=at, text=text)
        warning_confirm(warning=w, by=sup, now=review, text="整改已审核通过，予以确认。")
        n += 1
    return n


def play_rectifications(*, rng: random.Random, now: dt.datetime) -> dict[str, int]:
    """Play the year of every rectification still open (see the module docstring). Returns counts."""
    from xiaoneng.supervision.services import supervise_tick

    cal = get_calendar()
    heads, handlers, supervisors = _people()
    counts = defaultdict(int)
    if not supervisors:
        return dict(counts)
    rects = list(Rectification.objects.filter(status=RectificationStatus.OPEN, submitted_at__isnull=True)
                 .select_related("rating", "department").order_by("opened_at", "id"))
    staffed = [r for r in rects if heads.get(r.department_id) or handlers.get(r.department_id)]
    old = [r for r in staffed if _wd_after(cal, rng, r.due_at, 6) < now]  # long enough ago for any story
    # The special stories, on old rectifications of staffed departments (heads needed for appeals).
    with_head = [r for r in old if heads.get(r.department_id)]
    pick = rng.sample(with_head, min(len(with_head), 4)) if with_head else []
    special = dict(zip(("upheld", "rejected", "returned", "overdue_open"), pick, strict=False))
    taken = {r.pk for r in pick}
    late_pool = [r for r in old if r.pk not in taken]
    n_late = min(15, max(1, len(late_pool) // 25)) if late_pool else 0  # a few; each costs a tick
    late = set(r.pk for r in rng.sample(late_pool, min(n_late, len(late_pool))))
    if special.get("overdue_open") is not None and len(old) > 40:
        more = [r for r in late_pool if r.pk not in late]
        if more:
            special["overdue_open_2"] = rng.choice(more)
    stay_open = {r.pk for k, r in special.items() if k.startswith("overdue_open")}
    taken |= stay_open
    late_rects = []

    for r in staffed:
        if r.pk in stay_open:
            continue
        dept_handlers = handlers.get(r.department_id) or heads[r.department_id]
        head = (heads.get(r.department_id) or dept_handlers)[0]
        handler = rng.choice(dept_handlers)
        sup = rng.choice(supervisors)
        if handler.pk != head.pk and heads.get(r.department_id) and rng.random() < 0.7:
            svc.rectification_assign(rectification=r, handler=handler, by=head, now=_wd_after(cal, rng, r.opened_at, 0))
        story = next((k for k, v in special.items() if v.pk == r.pk), None)
        if story in ("upheld", "rejected"):
            at = _wd_after(cal, rng, r.opened_at, 2)
            a = svc.rectification_appeal(
                rectification=r, by=head, now=at, evidence=("窗口监控截图.png", _png()),
                reason="经调取监控，评价时段评价人并未在本窗口办理业务，系误评（同一号码当日对多个窗口给出差评）。"
                if story == "upheld" else "评价人因不符合受理条件未能办理而给出差评，窗口已依法一次性告知，属对政策不满。")
            decided = _wd_after(cal, rng, at, 2)
            if story == "upheld":
                svc.appeal_decide(appeal=a, by=sup, now=decided, uphold=True,
                                  note="经核查叫号和监控记录，评价人当日未在该窗口办理业务，申诉成立，该差评作废。")
                counts["voided"] += 1
                continue
            svc.appeal_decide(appeal=a, by=sup, now=decided, uphold=False,
                              note="不符合受理条件应耐心解释并引导，差评反映的服务态度问题仍需整改，申诉驳回。")
            counts["appeals_rejected"] += 1
            r.refresh_from_db()
            at = _wd_after(cal, rng, decided, 1)
            _submit(r, handler, at, rng, _work(r, rng))
            svc.rectification_accept(rectification=r, by=sup, now=_wd_after(cal, rng, at, 1), note=ACCEPT_NOTES[0])
            counts["accepted"] += 1
            continue
        if r.pk in late:
            late_rects.append((r, handler, sup))
            continue
        # On time: submitted within the limit; the latest ones still in progress or under review.
        k = rng.randint(1, max(1, r.limit_wd - 2))
        at = _wd_after(cal, rng, r.opened_at, k)
        if at >= now or (r.due_at > now and rng.random() < 0.5):
            if at < now and rng.random() < 0.5:
                svc.rectification_save(rectification=r, by=handler, now=at, verification=rng.choice(VERIFY))
            counts["in_progress"] += 1
            continue
        work = _work(r, rng, explained=rng.random() < 0.05)
        _submit(r, handler, at, rng, work, reached=rng.random() < 0.92)
        review = _wd_after(cal, rng, at, rng.choice((0, 1, 1, 2)))
        if review >= now:
            counts["submitted"] += 1
            continue
        if story == "returned":
            svc.rectification_return(rectification=r, by=sup, now=review, note=RETURN_NOTE)
            counts["returned"] += 1
            r.refresh_from_db()
            again = _wd_after(cal, rng, review, 1)
            _submit(r, handler, again, rng, work)
            review = _wd_after(cal, rng, again, 1)
        svc.rectification_accept(rectification=r, by=sup, now=review, note=rng.choice(ACCEPT_NOTES))
        counts["accepted"] += 1

    # Late ones: the tick of the day they were finally submitted raised their cards, then the office accepted.
    for r, handler, sup in sorted(late_rects, key=lambda x: x[0].due_at):
        at = _wd_after(cal, rng, r.due_at, rng.choice((2, 3, 4, 5)))
        supervise_tick(now=at - dt.timedelta(minutes=5))
        r.refresh_from_db()
        _submit(r, handler, at, rng, _work(r, rng))
        review = _wd_after(cal, rng, at, 1)
        svc.rectification_accept(rectification=r, by=sup, now=review, note="整改逾期，已对该单位亮牌，整改内容同意。")
        counts["cards_answered"] += _answer_cards(r, handler, sup, at, review)
        counts["late"] += 1
    counts["overdue_open"] = len(stay_open)
    counts["rectifications"] = len(rects)
    return dict(counts)


def step_rectifications(ctx) -> None:
    """Demo step (after the ratings step): play the year of rectifications, then tick once as of now so that
    the ones still open past their due date carry their cards today."""
    from xiaoneng.supervision.services import supervise_tick

    rng = random.Random(ctx.rng.random())
    counts = play_rectifications(rng=rng, now=ctx.now)
    supervise_tick(now=ctx.now)
    for k, v in counts.items():
        ctx.counts[f"rectify_{k}"] = v


