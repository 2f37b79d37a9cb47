"""The evaluation office pages in the permission matrix's world (issue 13): the published 2026Q3 evaluation
(built by world_evaluation_scores) and the scheme it used, for the pages that name them."""

from __future__ import annotations


def build_evaluation_pages(w) -> None:
    from xiaoneng.evaluation.models import Evaluation

    ev = Evaluation.objects.get(pk=w.obj["evaluation"])
    w.obj["eval_pages"] = {"evaluation": ev.pk, "scheme": ev.scheme_id}
