"""The portal figures' objects in the permission matrix's world (issue 14 §1, helper "figures"): a published
2026Q2 evaluation with a bulletin generated AND published (印发), beside the consequences world's 2026Q3
bulletin that is generated but not published — so /bulletins/<id>/ is tried on one the public may read and one
it may not. The progress look-up uses the world's case C-A (applicant phone …5678) and its query code.
`w.obj["portal_figures"]`: {"bulletin": pk, "draft_bulletin": pk}."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

NOW = datetime(2026, 10, 12, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def build_portal_figures(w) -> None:
    from xiaoneng.evaluation.models import Evaluation, EvaluationStatus
    from xiaoneng.evaluation.services.bulletins import bulletin_generate, bulletin_publish
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

    ev = Evaluation.objects.filter(period="2026Q2", status=EvaluationStatus.PUBLISHED).first()
    if ev is None:
        ev = evaluation_publish(evaluation_run("2026Q2", now=NOW), now=NOW)
    bulletin = bulletin_publish(bulletin_generate(ev, now=NOW), now=NOW)
    w.obj["portal_figures"] = {"bulletin": bulletin.pk, "draft_bulletin": w.obj["cons"]["bulletin"]}
