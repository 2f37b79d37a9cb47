"""The annual report's part of the permission matrix's world (issue 14 §2): the 2025 reports of bureau A, bureau
B and the county, written and published by the office, so every staff and public report URL names an object of
each bureau (and the county's). A request and a review in each bureau give the tables something to count."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
PUBLISHED = dt.datetime(2026, 1, 20, 10, 0, tzinfo=TZ)


def build_disclosure_report(w) -> None:
    from xiaoneng.disclosure.models import InformationRequest, RequestReview
    from xiaoneng.disclosure.services.reports import annual_report_publish, annual_report_save_texts

    depts = w.obj["depts"]
    sup = w.staff["supervisor"]
    for key in ("a", "b"):
        at = dt.datetime(2025, 6, 2, 10, 0, tzinfo=TZ)
        req = InformationRequest.objects.create(
            number=f"YSQ-RPT-{key.upper()}", tracking_code=f"RPTMATRIX{key.upper()}", department=depts[key],
            channel="online", applicant_kind="person", applicant_name="王小明", phone="13900001111",
            description="请公开2025年农贸市场抽检结果。", submitted_at=at, received_at=at,
            due_at=at + dt.timedelta(days=28), status="answered", answer_type="disclosed",
            answered_at=at + dt.timedelta(days=10))
        RequestReview.objects.create(request=req, kind="review", filed_on=dt.date(2025, 7, 1), result="upheld",
                                     decided_on=dt.date(2025, 8, 1), recorded_at=at + dt.timedelta(days=30))
    for dept in (depts["a"], depts["b"], None):
        annual_report_save_texts(year=2025, department=dept, overview="2025年，本机关认真落实政府信息公开条例。",
                                 problems="公开内容的及时性有待提高。", other="无。", by=sup, now=PUBLISHED)
        annual_report_publish(year=2025, department=dept, by=sup, now=PUBLISHED)
    w.obj["annual_report_year"] = 2025
