"""The information requests' part of the permission matrix's world (issue 14 §2): per bureau one request
answered a few days ago with a 行政复议 recorded on it (bureau A's came in online, bureau B's by post), so the
request pages, their actions and the review's result form have an object in A and in B; bureau A's pair of
number and tracking code for the public look-up."""

from __future__ import annotations

from datetime import timedelta


def build_disclosure_requests(w) -> None:
    from django.utils import timezone

    from xiaoneng.disclosure.services import requests as svc

    depts, st = w.obj["depts"], w.staff
    now = timezone.now()
    received = now - timedelta(days=6)
    a = svc.information_request_submit(
        department=depts["a"], channel="online", applicant_kind="person", applicant_name="张晓明",
        id_number="330102199001011234", phone="13912345678", description="本局 2025 年行政处罚案件统计表",
        phone_verified_at=received, now=received)
    b = svc.information_request_submit(
        department=depts["b"], channel="letter", applicant_kind="enterprise", applicant_name="测试县某某有限公司",
        organisation_code="91330100MA2XXXXX1Y", address="测试县工业园 8 号", description="某地块规划条件",
        received_at=received - timedelta(hours=1), by=st["handler_b"], now=received)
    requests, reviews = {}, {}
    for key, req, by in (("a", a, st["handler_a"]), ("b", b, st["handler_b"])):
        req = svc.information_request_answer(request=req, answer_type="disclosed", text="予以公开，见附件。", by=by,
                                             now=now - timedelta(days=2))
        reviews[key] = svc.request_review_record(request=req, kind="review", filed_on=timezone.localdate(now),
                                                 by=st["supervisor"], now=now).pk
        requests[key] = req.number
    w.obj["ireq"] = {"numbers": requests, "reviews": reviews, "track": {"number": a.number, "code": a.tracking_code}}
