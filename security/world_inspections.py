"""The inspections' part of the permission matrix's world (issue 12): the invited supervisor (特邀监督员) and,
in bureau A and bureau B, the objects the inspections' URLs name — built through the real services.

- a plan (open and covert) on both bureaus naming the office's supervisor and the invited supervisor;
- per bureau an open visit the office recorded (accepted, published) with a failed item (a finding) and a photo;
- in bureau A a covert visit accepted but not yet published (the department must not see it anywhere);
- in bureau A the invited supervisor's draft (nobody but it sees it)."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

T_VISIT = datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Tuesday


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 160, 60)).save(buf, "PNG")
    return buf.getvalue()


def build_inspections(w) -> None:
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.testing import make_staff
    from xiaoneng.inspections import services as svc
    from xiaoneng.inspections.models import Result

    invited = w.staff["invited"] = make_staff("invited", None, [R.INVITED])
    sup, depts = w.staff["supervisor"], w.obj["depts"]
    checklist = svc.checklist_ensure_default(now=T_VISIT)
    plans = {mode: svc.plan_create(title=f"矩阵{mode}", mode=mode, checklist=checklist, starts_on=date(2026, 3, 1),
                                   ends_on=date(2026, 3, 31), departments=[depts["a"], depts["b"]],
                                   inspectors=[sup, invited], by=sup, now=T_VISIT)
             for mode in ("open", "covert")}

    def results(fail: bool):
        items = list(checklist.items.all())
        return {i.pk: ((Result.FAIL, "工作时间脱岗。") if fail and n == 0 else (Result.PASS, ""))
                for n, i in enumerate(items)}

    visits, findings, photos = {}, {}, {}
    for key in ("a", "b"):
        v = svc.visit_record(plan=plans["open"], department=depts[key], place="县政务服务中心", visited_at=T_VISIT,
                             inspectors="效能办", results=results(True), photos=svc.clean_photos([("现场.png", _png())]),
                             by=sup, now=T_VISIT)
        visits[key], findings[key], photos[key] = v.pk, v.findings.get().pk, v.photos.get().pk
    covert = svc.visit_record(plan=plans["covert"], department=depts["a"], place="县政务服务中心", visited_at=T_VISIT,
                              inspectors="效能办", results=results(True), by=sup, now=T_VISIT)
    draft = svc.visit_record(plan=plans["covert"], department=depts["a"], place="县政务服务中心", visited_at=T_VISIT,
                             inspectors="特邀监督员", results=results(False), by=invited, now=T_VISIT)
    w.obj["insp"] = {"plan": plans["covert"].pk, "checklist": checklist.pk, "visits": visits, "findings": findings,
                     "photos": photos, "covert": covert.pk, "covert_finding": covert.findings.get().pk,
                     "draft": draft.pk}
