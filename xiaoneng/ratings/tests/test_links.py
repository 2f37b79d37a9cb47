"""The one-time rating link and its public page /r/<token>/ (issue 12 §1): made once per case, unguessable,
single use, expires link_valid_days after the case ended; the page masks the case and never names the
applicant; bad input is refused beside the form and stores nothing; requests are counted per IP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiaoneng.ratings.models import Channel, Rating, RatingLink, RatingPolicy
from xiaoneng.ratings.services.links import (
    EXPIRED,
    OPEN,
    PENDING,
    RATED,
    link_for_case,
    link_state,
    mask_case_no,
)

from .conftest import at, ev


@pytest.fixture
def long_links(db):
    """Links live long enough that a case ended in 2026-09 can still be rated today (the page uses the clock)."""
    p = RatingPolicy.current()
    p.link_valid_days = 30000
    p.save()
    return p


def _url(link):
    return f"/r/{link.token}/"


def test_link_is_made_once_with_an_unguessable_token(ended_case):
    case = ended_case()
    now = at("2026-09-30 11:00")
    a = link_for_case(case, now)
    b = link_for_case(case, now + timedelta(days=3))
    assert a.pk == b.pk and a.token == b.token and len(a.token) >= 43
    other = link_for_case(ended_case("R2"), now)
    assert other.token != a.token
    assert RatingLink.objects.count() == 2


def test_link_states(ended_case, accepted_case):
    running = accepted_case("C9")
    now = at("2026-10-01 09:00")
    assert link_state(link_for_case(running, now), now=now).state == PENDING
    case = ended_case()
    link = link_for_case(case, now)
    st = link_state(link, now=now)
    assert st.state == OPEN and st.expires_at == at("2026-10-30 10:00")
    assert link_state(link, now=at("2026-10-30 09:59")).state == OPEN
    assert link_state(link, now=at("2026-10-30 10:00")).state == EXPIRED
    p = RatingPolicy.current()
    p.link_valid_days = 60
    p.save()  # computed, not stored: a policy change applies at once
    assert link_state(link, now=at("2026-10-30 10:00")).state == OPEN


@pytest.mark.parametrize("no,masked", [("SP2026-000123", "SP20*****0123"), ("AB", "**"), ("", ""),
                                       ("R1", "**"), ("ABCDEFGH", "AB****GH")])
def test_case_numbers_are_masked(no, masked):
    assert mask_case_no(no) == masked


def test_the_page_shows_item_department_and_masked_number_never_the_applicant(ended_case, long_links):
    case = ended_case("SP2026-000123")
    link = link_for_case(case, timezone.now())
    r = Client().get(_url(link))
    assert r.status_code == 200
    page = r.content.decode()
    assert "政务服务好差评" in page and case.department.name in page and case.version.name in page
    assert "SP20*****0123" in page and "SP2026-000123" not in page
    for personal in ("张三", "13812345678", "330102199001011234"):
        assert personal not in page
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in page
    assert f'href="/r/{link.token}/?level=2"' in page


def test_choosing_a_level_offers_its_reasons_and_the_comment_box(ended_case, long_links):
    link = link_for_case(ended_case(), timezone.now())
    page = Client().get(_url(link) + "?level=2").content.decode()
    assert "多次跑动" in page and "服务态度差" in page and "一次办好" not in page
    assert 'name="comment"' in page and "500" in page and "csrfmiddlewaretoken" in page
    good = Client().get(_url(link) + "?level=5").content.decode()
    assert "一次办好" in good and "多次跑动" not in good
    # A level that is not one: the first step again.
    assert f'href="/r/{link.token}/?level=1"' in Client().get(_url(link) + "?level=9").content.decode()


def test_rating_through_the_link_once_then_the_link_is_used(ended_case, long_links):
    case = ended_case()
    link = link_for_case(case, timezone.now())
    c = Client(enforce_csrf_checks=True)
    c.get(_url(link) + "?level=2")
    token = c.cookies["csrftoken"].value
    r = c.post(_url(link), {"level": "2", "reasons": ["multiple-trips", "poor-attitude"], "comment": "  跑了三次 ",
                            "csrfmiddlewaretoken": token})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.channel, rating.reasons, rating.comment) == (
        2, Channel.LINK, ["multiple-trips", "poor-attitude"], "跑了三次")
    assert hasattr(rating, "rectification")  # a bad rating opened its rectification (rating_record)
    link.refresh_from_db()
    assert link.used_at is not None
    again = c.get(_url(link))
    assert again.status_code == 409 and "已于" in again.content.decode() and "评价" in again.content.decode()
    second = c.post(_url(link), {"level": "5", "csrfmiddlewaretoken": token})
    assert second.status_code == 409 and Rating.objects.count() == 1


def test_csrf_is_kept_on(ended_case, long_links):
    link = link_for_case(ended_case(), timezone.now())
    r = Client(enforce_csrf_checks=True).post(_url(link), {"level": "5"})
    assert r.status_code == 403 and not Rating.objects.exists()


def test_a_running_case_says_it_can_be_rated_once_ended(accepted_case, long_links):
    link = link_for_case(accepted_case("C9"), timezone.now())
    r = Client().get(_url(link))
    assert r.status_code == 200 and "办件尚未办结，办结后即可评价" in r.content.decode()
    assert 'name="level"' not in r.content.decode()
    assert Client().post(_url(link), {"level": "5"}).status_code == 200
    assert not Rating.objects.exists()


def test_an_expired_link_says_so_with_410_and_an_unknown_token_the_same_words_with_404(ended_case):
    link = link_for_case(ended_case(), at("2026-09-30 11:00"))  # ended 2026-09-30, 30 days: long past today
    r = Client().get(_url(link))
    assert r.status_code == 410 and "评价链接无效或已过期" in r.content.decode()
    assert Client().post(_url(link), {"level": "5"}).status_code == 410
    unknown = Client().get("/r/" + "x" * 43 + "/")
    assert unknown.status_code == 404
    assert "评价链接无效或已过期" in unknown.content.decode()
    assert Client().get("/r/short/").status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize("data,field_text", [
    ({"level": "9"}, "请选择评价等级"),
    ({"level": "abc"}, "请选择评价等级"),
    ({}, "请选择评价等级"),
    ({"level": "5", "reasons": ["multiple-trips"]}, "不适用于所选评价等级"),
    ({"level": "2", "reasons": ["no-such-reason"]}, "不在评价原因清单中"),
    ({"level": "4", "comment": "长" * 501}, "最多 500 字"),
])
def test_bad_input_is_refused_beside_the_form_and_nothing_is_stored(ended_case, long_links, data, field_text):
    link = link_for_case(ended_case(), timezone.now())
    r = Client().post(_url(link), data)
    assert r.status_code == 400
    assert field_text in r.content.decode()
    assert not Rating.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None


def test_a_comment_is_escaped(ended_case, long_links):
    case = ended_case()
    link = link_for_case(case, timezone.now())
    r = Client().post(_url(link), {"level": "4", "comment": "<script>alert(1)</script>" + "长" * 500})
    assert r.status_code == 400
    page = r.content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_requests_are_counted_per_ip(ended_case, long_links, settings):
    settings.XIAONENG_RATINGS_LINK_RATE = (3, 600)
    link = link_for_case(ended_case(), timezone.now())
    c = Client(REMOTE_ADDR="10.1.2.3")
    assert [c.get(_url(link)).status_code for _ in range(3)] == [200, 200, 200]
    r = c.get(_url(link))
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1 and "过于频繁" in r.content.decode()
    assert c.post(_url(link), {"level": "5"}).status_code == 429 and not Rating.objects.exists()
    assert Client(REMOTE_ADDR="10.1.2.4").get(_url(link)).status_code == 200


def test_qr_codes_of_the_link(ended_case):
    link = link_for_case(ended_case(), at("2026-09-30 11:00"))
    svg = Client().get(f"/r/{link.token}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg") and "扫码评价".encode() in svg.content
    png = Client().get(f"/r/{link.token}/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert Client().get("/r/" + "y" * 43 + "/qr.png").status_code == 404


def test_a_rating_from_another_channel_uses_the_link(ended_case, long_links):
    from xiaoneng.ratings.services.rating import rating_record

    case = ended_case()
    link = link_for_case(case, timezone.now())
    rating_record(case=case, level=5, channel=Channel.API, now=timezone.now())
    r = Client().get(_url(link))
    assert r.status_code == 409 and "已于" in r.content.decode()
    assert link_state(link, now=timezone.now()).state == RATED


def test_refused_and_withdrawn_cases_are_rated_too(ingest, items, long_links):
    w = at("2026-09-28 09:00")
    ingest([ev("W1", "received", w), ev("W1", "accepted", w), ev("W1", "withdrawn", w + timedelta(hours=2))],
           now=w + timedelta(hours=3))
    from xiaoneng.cases.models import Case

    link = link_for_case(Case.objects.get(case_no="W1"), timezone.now())
    assert link_state(link, now=timezone.now()).state == OPEN
