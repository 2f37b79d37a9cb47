"""The demo county's year of ratings (好差评, issue 12 §4): about a third of the ended cases rated, through the
ratings services (rating_record_many — rating_record's rules, in bulk — and rating_record itself for the
named bad ratings), over the channels a county sees (rating link and its QR code, the counter tablet, department
systems, the national system's import); a few departments visibly worse (more bad ratings), bad ratings with
their rectifications, some of them named (called back later by the rectify step). Deterministic: the context's
seeded random source decides everything."""

from __future__ import annotations

import datetime as dt

from xiaoneng.cases.models import Case
from xiaoneng.ratings.models import RatingReason
from xiaoneng.ratings.services.rating import ENDED_STATUSES, rating_record
from xiaoneng.ratings.services.rating_bulk import RatingItem, rating_record_many

from . import names

RATED_SHARE = 1 / 3
CHUNK = 5000
NAMED_ONE_BY_ONE = 25
WORSE_DEPARTMENTS = 3  # bureaus rated visibly worse
BAD_SHARE, BAD_SHARE_WORSE = 0.04, 0.22
NEUTRAL_SHARE = 0.10
NAMED_SHARE = 0.4  # of bad ratings: the rater left a name and phone
CHANNELS = (("link", 45), ("kiosk", 25), ("api", 20), ("import", 10))
BAD_COMMENTS = ("窗口人员态度生硬，问了两遍才说清楚。", "材料来回补了三次，跑了好几趟。", "排队一个多小时，只有一个窗口在办。",
                "说好五个工作日办结，实际拖了两周。", "要求提供清单以外的证明材料。")
GOOD_COMMENTS = ("一次就办好了，谢谢！", "工作人员很耐心。", "", "", "")


def _weighted(rng, pairs):
    total = sum(w for _v, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def step_ratings(ctx) -> None:
    """A third of the ended cases rated in the days after they ended (never after `ctx.now`)."""
    rng = ctx.rng
    bureaus = sorted((d for d in ctx.serving), key=lambda d: d.code)
    worse = {d.pk for d in rng.sample(bureaus, min(WORSE_DEPARTMENTS, len(bureaus)))}
    ctx.worse_rated = sorted(worse)  # the demo test and the walkthrough name them
    reasons = list(RatingReason.objects.filter(enabled=True).values_list("code", "levels"))
    by_level = {lv: [c for c, levels in reasons if lv in (levels or [])] for lv in range(1, 6)}
    cases = (Case.objects.filter(status__in=ENDED_STATUSES, rating__isnull=True)
             .values_list("id", "department_id", "closed_at", "completed_at").order_by("id"))
    items, named = [], []
    latest = ctx.now - dt.timedelta(minutes=5)
    for case_id, department_id, closed_at, completed_at in cases.iterator(chunk_size=5000):
        if rng.random() >= RATED_SHARE:
            continue
        ended = closed_at or completed_at
        if ended is None or ended >= latest:
            continue
        bad_share = BAD_SHARE_WORSE if department_id in worse else BAD_SHARE
        u = rng.random()
        level = (rng.choice((1, 2)) if u < bad_share else 3 if u < bad_share + NEUTRAL_SHARE
                 else _weighted(rng, ((4, 35), (5, 65))))
        rated_at = min(ended + dt.timedelta(minutes=rng.randrange(10, 6 * 24 * 60)), latest)
        channel = _weighted(rng, CHANNELS)
        offered = by_level[level]
        chosen = rng.sample(offered, min(len(offered), rng.choice((0, 1, 1, 2)))) if offered else []
        recorded = min(rated_at + dt.timedelta(hours=rng.choice((0, 0, 2, 20))), latest) \
            if channel in ("api", "import") else rated_at
        comment = rng.choice(BAD_COMMENTS) if level <= 2 else rng.choice(GOOD_COMMENTS)
        item = RatingItem(case=case_id, level=level, channel=channel, now=recorded, reasons=chosen, comment=comment,
                          rated_at=rated_at, source="国家好差评系统" if channel == "import" else "")
        if level <= 2 and rng.random() < NAMED_SHARE:
            item.rater_name = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN) + rng.choice(("", *names.GIVEN))
            item.rater_phone = f"139{rng.randrange(10**8):08d}"
            # A few of them one by one through rating_record itself (the path every channel takes); the rest
            # in bulk, under the same rules — one by one they cost ~20 ms each, a county has ~900.
            (named if len(named) < NAMED_ONE_BY_ONE else items).append(item)
        else:
            items.append(item)
    made = []
    for start in range(0, len(items), CHUNK):  # bounded IN lists (SQLite's parameter limit)
        made += rating_record_many(items=items[start:start + CHUNK])
    for it in named:  # the named bad ones one by one, through the one service every channel calls
        rating_record(case=Case(pk=it.case), level=it.level, reasons=it.reasons, comment=it.comment, channel=it.channel,
                      rated_at=it.rated_at, rater_name=it.rater_name, rater_phone=it.rater_phone, source=it.source,
                      now=it.now)
    ctx.counts["ratings"] = len(made) + len(named)
