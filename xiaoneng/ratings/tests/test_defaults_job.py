"""The default rating (issue 12 §1): where the office says so, an ended case left unrated default_after_days
after it ended counts as 基本满意 — recorded once through rating_record, marked defaulted, dated the end +
N days; never when the policy says none, never for a rated or running case."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xiaoneng.ratings.models import Channel, Rating, RatingPolicy
from xiaoneng.ratings.services.defaults_job import ratings_default_due
from xiaoneng.ratings.services.links import link_for_case
from xiaoneng.ratings.services.rating import rating_record

from .conftest import at


@pytest.fixture
def basic(db):
    p = RatingPolicy.current()
    p.default_level, p.default_after_days = RatingPolicy.Default.BASIC, 7
    p.save()
    return p


def test_none_when_the_policy_says_none(ended_case):
    ended_case()
    assert RatingPolicy.current().default_level == RatingPolicy.Default.NONE
    assert ratings_default_due(now=at("2026-12-01 09:00")) == 0 and not Rating.objects.exists()


def test_once_after_the_period_dated_at_its_end(ended_case, basic):
    case = ended_case(ended="2026-09-30 10:00")
    link = link_for_case(case, at("2026-09-30 11:00"))
    assert ratings_default_due(now=at("2026-10-07 09:59")) == 0
    assert ratings_default_due(now=at("2026-10-07 10:00")) == 1
    r = Rating.objects.get(case=case)
    assert (r.level, r.channel, r.defaulted, r.rated_at) == (3, Channel.DEFAULT, True, at("2026-10-07 10:00"))
    assert r.recorded_at == at("2026-10-07 10:00") and not hasattr(r, "rectification")
    link.refresh_from_db()
    assert link.used_at is not None
    assert ratings_default_due(now=at("2026-10-08 10:00")) == 0 and Rating.objects.count() == 1


def test_a_late_run_still_dates_the_default_at_the_end_plus_n(ended_case, basic):
    case = ended_case(ended="2026-09-30 10:00")
    assert ratings_default_due(now=at("2026-11-20 03:00")) == 1
    assert Rating.objects.get(case=case).rated_at == at("2026-10-07 10:00")


def test_not_for_a_rated_case(ended_case, basic):
    case = ended_case()
    rating_record(case=case, level=1, channel=Channel.LINK, now=at("2026-10-01 09:00"))
    assert ratings_default_due(now=at("2026-12-01 09:00")) == 0
    assert Rating.objects.get(case=case).defaulted is False


def test_a_running_case_never(accepted_case, basic):
    accepted_case("C1", when="2026-01-05 09:00")
    assert ratings_default_due(now=at("2026-12-01 09:00")) == 0 and not Rating.objects.exists()


def test_many_cases_in_one_run_and_a_limit(ended_case, basic):
    for i in range(5):
        ended_case(f"M{i}")
    assert ratings_default_due(now=at("2026-12-01 09:00"), limit=2) == 2
    assert ratings_default_due(now=at("2026-12-01 09:00")) == 3
    assert Rating.objects.filter(defaulted=True).count() == 5


def test_the_operators_command(ended_case, basic):
    ended_case()
    out = StringIO()
    call_command("ratings_default", now="2026-10-07T10:00:00+08:00", stdout=out)
    assert "1 件" in out.getvalue() and Rating.objects.filter(defaulted=True).count() == 1
    with pytest.raises(CommandError, match="时区"):
        call_command("ratings_default", now="2026-10-07T10:00:00")
    with pytest.raises(CommandError, match="有效"):
        call_command("ratings_default", now="=cmd|' /C calc'!A0")
