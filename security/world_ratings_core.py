"""The ratings objects the permission matrix names (ratings-core, issue 12): per bureau an ended case with a bad
rating (and its rectification), built through the real services; `w.obj["ratings_core"]` holds the ratings'
ids by bureau, `w.obj["rating_reason"]` a reason's id (the office's list is not a department's)."""

from __future__ import annotations

from datetime import timedelta


def build_ratings_core(w) -> None:
    from xiaoneng.cases.ingest import case_events_ingest
    from xiaoneng.cases.models import Case
    from xiaoneng.ratings.defaults import reasons_ensure_defaults
    from xiaoneng.ratings.models import RatingReason
    from xiaoneng.ratings.services.rating import rating_record

    from .conftest import T_CASE, _event

    reasons_ensure_defaults()  # a transactional test (the phone-width walk) flushes what the migration made

    ratings = {}
    for key, code in (("a", "SP001"), ("b", "ZR001")):
        case_no = f"RT-{key.upper()}"
        evs = [_event(f"rc-{key}-1", case_no, "received", T_CASE, code, handler=f"handler_{key}"),
               _event(f"rc-{key}-2", case_no, "accepted", T_CASE, code),
               _event(f"rc-{key}-3", case_no, "completed", T_CASE + timedelta(days=1), code)]
        res = case_events_ingest(events=evs, now=T_CASE + timedelta(days=1, minutes=1), source="security-ratings-core")
        assert not res.errors, res.errors
        # A second ended case per bureau, still unrated: what the matrix's POST /api/v1/ratings rates.
        open_no = f"RU-{key.upper()}"
        evs = [_event(f"ru-{key}-1", open_no, "received", T_CASE, code, handler=f"handler_{key}"),
               _event(f"ru-{key}-2", open_no, "accepted", T_CASE, code),
               _event(f"ru-{key}-3", open_no, "completed", T_CASE + timedelta(days=1), code)]
        res = case_events_ingest(events=evs, now=T_CASE + timedelta(days=1, minutes=1), source="security-ratings-core")
        assert not res.errors, res.errors
        r = rating_record(case=Case.objects.get(case_no=case_no), level=1, reasons=["poor-attitude"], channel="api",
                          rater_name="李四", rater_phone="13800001111", now=T_CASE + timedelta(days=2))
        ratings[key] = r.pk
    w.obj["ratings_core"] = ratings
    w.obj["rating_reason"] = RatingReason.objects.order_by("pk").values_list("pk", flat=True).first()
