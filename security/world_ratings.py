"""The ratings objects of the security world (security/conftest.py build_world calls `build_ratings_world`): in
bureau A and in bureau B a named bad rating (a window contact rated 非常不满意) with its rectification still
open, and a second one whose department has appealed it with an evidence file — so that every ratings URL is
tried on each bureau's ids by every principal. Built through the ratings services, as the app tests do.
(The ratings-core part adds its own objects here: links, kiosks, contacts.)"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
T_RATING = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday, no holiday for weeks around it


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, "PNG")
    return buf.getvalue()


def build_ratings_world(w) -> None:
    from xiaoneng.ratings.models import Channel, ContactKind, Rating, SubjectKind, WindowContact
    from xiaoneng.ratings.services.rectification import rectification_appeal, rectification_open

    depts, st = w.obj["depts"], w.staff
    rect, appealed, appeals = {}, {}, {}
    heads = {"a": st["head_a"], "b": st["head_b"]}
    for key in ("a", "b"):
        made = []
        for n in (1, 2):
            contact = WindowContact.objects.create(
                number=f"CK-SEC-{key.upper()}{n}", department=depts[key], kind=ContactKind.CONSULTATION,
                served_at=T_RATING, window_name="3号窗口")
            rating = Rating.objects.create(
                subject_kind=SubjectKind.CONTACT, contact=contact, department=depts[key], level=1,
                reasons=["attitude"], comment="窗口人员态度生硬。", channel=Channel.KIOSK, rated_at=T_RATING,
                recorded_at=T_RATING, rater_name="王小明", rater_phone="13912345678")
            made.append(rectification_open(rating=rating, now=T_RATING))
        rect[key], appealed[key] = made[0].number, made[1].number
        appeals[key] = rectification_appeal(rectification=made[1], by=heads[key], now=T_RATING,
                                            reason="评价人并未到本窗口办事，系误评。",
                                            evidence=("监控截图.png", _png())).pk
    w.obj.update(rectifications=rect, appealed_rectifications=appealed, rating_appeals=appeals)
