"""The demo county's evaluation (issue 13 §4): four published quarters with visible movement — a bureau in a
bottom place every quarter escalated (通报批评 → 诫勉谈话 → 组织调整), one that climbs after its sanctions, a
correction kept beside the revision it replaced, a bulletin per quarter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from xiaoneng.demo.cases import CLIMBER, STRAGGLER
from xiaoneng.demo.county import build_county

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=False)
def test_four_published_quarters_with_movement():
    from xiaoneng.evaluation.models import Bulletin, Evaluation, Sanction, Score

    build_county(scale="small", seed=2026, now=NOW, password="Demo-Pass-2026!")
    published = list(Evaluation.objects.filter(status="published").order_by("starts_at"))
    assert [e.period for e in published] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    corrected = Evaluation.objects.get(status="superseded")
    assert corrected.period == "2026Q1" and published[1].revision == 2 and published[1].reason
    assert Bulletin.objects.filter(published_at__isnull=False).count() == 4

    def rank(ev, code):
        s = Score.objects.get(evaluation=ev, department__code=f"QY-{code}")
        return s.rank, s.group_size

    straggler = [rank(e, STRAGGLER) for e in published]
    climber = [rank(e, CLIMBER) for e in published]
    escalations = list(Sanction.objects.filter(source="escalation", department__code=f"QY-{STRAGGLER}")
                       .order_by("proposed_at").values_list("kind", flat=True))
    assert all(r > size // 2 for r, size in straggler)  # in the bottom half every quarter
    assert escalations[:3] == ["criticism", "admonishment", "organisational"]
    assert max(r for r, _ in climber[2:]) < min(r for r, _ in climber[:2])  # it climbs
    assert Sanction.objects.filter(department__code=f"QY-{CLIMBER}", status="confirmed").exists()
    # the latest quarter's proposals wait for the office
    assert Sanction.objects.filter(evaluation=published[-1], status="proposed").exists()
    # the red-card threshold's proposals: the three worst of each quarter kept, the rest dismissed with reasons
    kept = Sanction.objects.filter(source="threshold").exclude(status="dismissed")
    assert 0 < kept.count() <= 3 * len(published)
    assert not Sanction.objects.filter(status="dismissed", decision_note="").exists()
    # the county's own version of the scheme was in force: grades spread over the four levels
    assert published[0].scheme.name == "清源县机关效能考核方案" and published[0].scheme.version == 2
    grades = set(Score.objects.filter(evaluation__in=published).values_list("grade", flat=True))
    assert grades == {"excellent", "good", "pass", "fail"}
