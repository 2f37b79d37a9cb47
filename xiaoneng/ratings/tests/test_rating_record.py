"""The one rating service: every rule of DOMAIN.md §6 a rating must meet, whatever its channel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from xiaoneng.core.errors import Conflict, DomainError
from xiaoneng.ratings.models import Rating, RatingLink, Rectification
from xiaoneng.ratings.services.rating import rating_record

from .conftest import at

NOW = at("2026-10-09 10:00")


def test_an_ended_case_is_rated_once_with_its_department_item_and_handler_copied(ended_case, staff):
    case = ended_case()
    r = rating_record(case=case, level=5, reasons=["efficient", "efficient", "done-once"], comment="  很快  ",
                      channel="link", now=NOW)
    assert (r.department_id, r.service_item_id, r.staff_id) == (case.department_id, case.service_item_id,
                                                                 staff["handler"].pk)
    assert r.reasons == ["efficient", "done-once"] and r.comment == "很快" and r.rated_at == NOW
    assert not Rectification.objects.exists()  # a good rating opens nothing
    with pytest.raises(Conflict) as e:
        rating_record(case=case, level=1, channel="api", now=NOW + timedelta(days=1))
    assert e.value.status == 409 and "2026年10月9日 10:00" in e.value.message and e.value.field == "case_no"
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("how", ["completed", "refused", "denied", "withdrawn"])
def test_every_way_of_ending_may_be_rated(ended_case, how):
    assert rating_record(case=ended_case(how=how), level=4, channel="api", now=NOW).level == 4


def test_a_running_case_cannot_be_rated(accepted_case):
    case = accepted_case("R9")
    with pytest.raises(DomainError) as e:
        rating_record(case=case, level=4, channel="api", now=NOW)
    assert e.value.field == "case_no" and "尚未办结" in e.value.message and not Rating.objects.exists()


@pytest.mark.parametrize("level", [0, 6, -1, 3.0, "5", True, None, 10**20])
def test_a_level_outside_one_to_five_is_refused(ended_case, level):
    with pytest.raises(DomainError) as e:
        rating_record(case=ended_case(), level=level, channel="api", now=NOW)
    assert e.value.field == "level" and not Rating.objects.exists()


@pytest.mark.parametrize("reasons, code", [
    (["no-such-reason"], "unknown_reason"),
    (["poor-attitude"], "reason_not_for_level"),  # a bad reason on a good rating
    ("efficient", "invalid_reasons"),
    ([{"a": [1]}], "invalid_reasons"),
    ([f"r{i}" for i in range(11)], "too_many_reasons"),
])
def test_reasons_come_from_the_list_for_the_level(ended_case, reasons, code):
    with pytest.raises(DomainError) as e:
        rating_record(case=ended_case(), level=5, reasons=reasons, channel="api", now=NOW)
    assert (e.value.field, e.value.code) == ("reasons", code) and not Rating.objects.exists()


def test_a_comment_is_limited_and_kept_as_text(ended_case):
    with pytest.raises(DomainError) as e:
        rating_record(case=ended_case(), level=5, comment="很" * 501, channel="api", now=NOW)
    assert e.value.field == "comment" and "501" in e.value.message
    r = rating_record(case=ended_case("R2"), level=5, comment="<script>alert(1)</script>\x00", channel="api", now=NOW)
    assert r.comment == "<script>alert(1)</script>"  # stored as typed (less the control character); pages escape it


def test_the_rating_time_is_neither_future_nor_before_the_end(ended_case):
    case = ended_case(ended="2026-09-30 10:00")
    with pytest.raises(DomainError) as e:
        rating_record(case=case, level=5, channel="api", rated_at=NOW + timedelta(hours=1), now=NOW)
    assert e.value.field == "rated_at"
    with pytest.raises(DomainError) as e:
        rating_record(case=case, level=5, channel="api", rated_at=at("2026-09-30 09:59"), now=NOW)
    assert e.value.field == "rated_at" and "2026年9月30日 10:00" in e.value.message
    with pytest.raises(DomainError) as e:
        rating_record(case=case, level=5, channel="api", rated_at=NOW.replace(tzinfo=None), now=NOW)
    assert e.value.field == "rated_at"
    # A department system's clock a minute ahead is taken as now.
    assert rating_record(case=case, level=5, channel="api", rated_at=NOW + timedelta(minutes=1), now=NOW).rated_at == NOW


def test_a_bad_rating_opens_its_rectification_due_in_ten_working_days(ended_case, calendar):
    # Recorded on 中秋节 (Friday 2026-09-25, a holiday) at 18:00: the limit counts from Monday 09-28's opening
    # (day 0); 09-29 and 09-30 are working days 1-2, 10-01..10-07 the National Day holiday, 10-08 and 10-09 days
    # 3-4, Saturday 10-10 a make-up working day (调休) and day 5, then 10-12..10-16 days 6-10.
    case = ended_case(received="2026-09-21 09:00", ended="2026-09-25 17:00")
    r = rating_record(case=case, level=1, reasons=["poor-attitude"], channel="link", now=at("2026-09-25 18:00"))
    rect = r.rectification
    assert rect.status == "open" and rect.limit_wd == 10 and rect.department_id == case.department_id
    assert rect.due_at == calendar.deadline(at("2026-09-25 18:00"), 10, "wd").at
    assert rect.due_at.astimezone(calendar.tz).date().isoformat() == "2026-10-16"
    assert rect.number.startswith("ZG2026-") and rect.actions.get().kind == "open"


def test_a_window_contact_is_rated_once(contact):
    r = rating_record(contact=contact, level=2, reasons=["long-wait"], channel="kiosk", now=at("2026-09-28 10:05"))
    assert r.subject_kind == "contact" and r.department_id == contact.department_id and r.staff_id == contact.clerk_id
    assert r.rectification.status == "open"
    with pytest.raises(Conflict) as e:
        rating_record(contact=contact, level=5, channel="kiosk", now=at("2026-09-28 10:06"))
    assert e.value.field == "contact"
    with pytest.raises(DomainError):
        rating_record(contact=contact, level=5, channel="kiosk", rated_at=at("2026-09-28 09:00"), now=at("2026-09-28 10:06"))


def test_subject_and_channel_must_be_given_rightly(ended_case, contact):
    with pytest.raises(DomainError) as e:
        rating_record(level=5, channel="api", now=NOW)
    assert e.value.field == "case_no"
    with pytest.raises(DomainError) as e:
        rating_record(case=ended_case(), contact=contact, level=5, channel="api", now=NOW)
    with pytest.raises(DomainError) as e:
        rating_record(case=ended_case("R3"), level=3, channel="default", now=NOW)  # only the default job defaults
    assert e.value.field == "channel"
    with pytest.raises(DomainError):
        rating_record(case=ended_case("R4"), level=3, channel="carrier-pigeon", now=NOW)


def test_a_link_is_used_by_the_rating(ended_case):
    case = ended_case()
    RatingLink.objects.create(case=case, token="t" * 43, created_at=NOW)
    rating_record(case=case, level=4, channel="link", now=NOW)
    assert RatingLink.objects.get(case=case).used_at == NOW
