"""rating_record_many: the bulk path keeps rating_record's rules, all or nothing, and opens rectifications."""

from __future__ import annotations

import pytest

from xiaoneng.core.errors import RowErrors
from xiaoneng.ratings.models import Rating, Rectification
from xiaoneng.ratings.services.rating import rating_record
from xiaoneng.ratings.services.rating_bulk import RatingItem, rating_record_many

from .conftest import at

NOW = at("2026-10-09 10:00")


def test_many_ratings_with_their_rectifications(ended_case):
    cases = [ended_case(f"M{i}") for i in range(4)]
    made = rating_record_many(items=[RatingItem(case=c, level=lv, channel="kiosk", now=NOW, reasons=rs)
                                     for c, lv, rs in zip(cases, (5, 4, 2, 1), ([], ["efficient"], ["overdue"], []),
                                                          strict=True)])
    assert [r.level for r in made] == [5, 4, 2, 1]
    assert Rectification.objects.count() == 2
    r = Rating.objects.get(case=cases[1])
    assert r.reasons == ["efficient"] and r.department_id == cases[1].department_id and r.rated_at == NOW


def test_any_bad_item_stores_nothing(ended_case, accepted_case):
    good, done, running = ended_case("M1"), ended_case("M2"), accepted_case("M3")
    rating_record(case=done, level=5, channel="api", now=NOW)
    items = [RatingItem(case=good, level=5, channel="api", now=NOW),
             RatingItem(case=good, level=4, channel="api", now=NOW),
             RatingItem(case=done, level=5, channel="api", now=NOW),
             RatingItem(case=running, level=5, channel="api", now=NOW),
             RatingItem(case=ended_case("M4"), level=6, channel="api", now=NOW),
             RatingItem(case=ended_case("M5"), level=5, channel="default", now=NOW),
             RatingItem(case=ended_case("M6"), level=5, channel="api", now=NOW, reasons=["poor-attitude"]),
             RatingItem(case=ended_case("M7"), level=5, channel="api", now=NOW, rated_at=at("2026-09-01 09:00")),
             RatingItem(case=ended_case("M8"), level=5, channel="api", now=NOW, comment="长" * 501)]
    with pytest.raises(RowErrors) as e:
        rating_record_many(items=items)
    assert [(x["row"], x["field"]) for x in e.value.errors] == [
        (1, "case_no"), (2, "case_no"), (3, "case_no"), (4, "level"), (5, "channel"), (6, "reasons"),
        (7, "rated_at"), (8, "comment")]
    assert "评价过" in e.value.errors[1]["error"]
    assert Rating.objects.count() == 1 and not Rectification.objects.exists()


def test_bulk_rectifications_are_those_rectification_open_makes(ended_case):
    """The bulk path's rectification rows equal rating_record's (and so rectification_open's), field by field."""
    from django.forms.models import model_to_dict

    from xiaoneng.ratings.models import RectificationAction

    one = rating_record(case=ended_case("S1"), level=1, channel="api", now=NOW)
    (many,) = rating_record_many(items=[RatingItem(case=ended_case("S2"), level=1, channel="api", now=NOW)])
    a, b = one.rectification, Rectification.objects.get(rating=many)
    skip = {"id", "number", "rating"}
    assert {k: v for k, v in model_to_dict(a).items() if k not in skip} == \
        {k: v for k, v in model_to_dict(b).items() if k not in skip}
    assert b.number == f"ZG2026-{many.pk:07d}"
    acts = [list(RectificationAction.objects.filter(rectification=x).values_list("kind", "at", "text", "by"))
            for x in (a, b)]
    assert acts[0] == acts[1]
