"""The unified disclosure day's check against a hand-built fixture (tests/check_fixture.py): the expected
counts are worked out by hand in the comments. Re-runs, publication, the worker's job and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoneng.core.errors import DomainError
from xiaoneng.disclosure.models import CheckFinding, CheckLine, CheckStatus, DisclosureCheck, FindingKind
from xiaoneng.disclosure.services.check import (
    disclosure_check_due,
    disclosure_check_publish,
    disclosure_check_run,
)

from .check_fixture import DAY, RUN, TZ, at, build, entry


@pytest.fixture
def world(calendar, depts, staff):
    return build(depts)


def _lines(check):
    return {ln.department.code: (ln.due, ln.published, ln.missing, ln.stale, ln.compliance, ln.catalogue_filed,
                                 ln.catalogue_late)
            for ln in CheckLine.objects.filter(disclosure_check=check).select_related("department")}


def test_the_check_against_the_hand_built_fixture(world, staff):
    check = disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    assert (check.year, check.quarter, check.status) == (2026, 4, CheckStatus.DRAFT)
    # 5 wd after Thu 8 Oct 17:00: Fri 9, Sat 10 (调休 working day), Mon 12, Tue 13, Wed 14 → close of 14 Oct.
    assert check.rectify_due_at == dt.datetime(2026, 10, 14, 17, 30, tzinfo=TZ)
    assert _lines(check) == {
        # A: FIN monthly Jul ✓ Aug ✗ Sep ✓ (June's entry is the quarter before) → 3 due, 2 published, 1 missing;
        # PROC quarterly published on the day before the check ✓; FEE quarterly last in May → stale;
        # REP yearly 2025-11-01 within 12 months ✓; LAW yearly 2025-09-30 older → stale; DEC on change published
        # in 2024 → not due; PRJ on change never (the section's entry is not the bureau's) → missing;
        # PER quarterly: withdrawn + after the check time only → missing.
        # due 3+1+1+1+1+0+1+1 = 9, published 2+1+1 = 4, missing 1+1+1 = 3, stale 2; 4/9 = 0.4444.
        "TA": (9, 4, 3, 2, Decimal("0.4444"), True, False),
        # B: in force from 10 Aug (version 1): FIN July not due, Aug ✓ Sep ✓; PROC ✓ → 3/3; filed 5 Mar > due 1 Mar.
        "TB": (3, 3, 0, 0, Decimal("1.0000"), True, True),
        # T: a township without a catalogue; V: a village whose catalogue is filed, not accepted.
        "TT": (1, 0, 1, 0, Decimal("0.0000"), False, False),
        "TTV": (1, 0, 1, 0, Decimal("0.0000"), False, False),
    }
    found = sorted((f.department.code, f.item_code, f.kind) for f in CheckFinding.objects.select_related("department"))
    assert found == [
        ("TA", "A-FEE", FindingKind.STALE), ("TA", "A-FIN", FindingKind.MISSING), ("TA", "A-LAW", FindingKind.STALE),
        ("TA", "A-PER", FindingKind.MISSING), ("TA", "A-PRJ", FindingKind.MISSING),
        ("TT", "", FindingKind.UNFILED), ("TTV", "", FindingKind.UNFILED)]
    fin = CheckFinding.objects.get(item_code="A-FIN")
    assert fin.detail == "每月公开，2026年8月未公开"
    assert CheckFinding.objects.get(item_code="A-FEE").detail == "每季度公开，最近一次公开于2026年5月20日"
    assert CheckFinding.objects.get(department__code="TTV").detail == "公开目录尚未备案（最新版本状态：已报备待审核）"
    assert CheckFinding.objects.get(department__code="TT").detail == "未编制公开目录"
    assert not CheckFinding.objects.filter(next_check_at__isnull=False).exists()  # no clock before publication
    assert sorted(CheckFinding.objects.values_list("number", flat=True))[0] == "GK20261008-0001"


def test_a_re_run_rebuilds_the_draft_and_sees_new_entries(world, staff):
    first = disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    again = disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    assert again.pk == first.pk and DisclosureCheck.objects.count() == 1
    assert _lines(again)["TA"] == (9, 4, 3, 2, Decimal("0.4444"), True, False)
    assert CheckFinding.objects.count() == 7
    entry(world["items"]["A-FIN"], at(2026, 8, 31, 23))  # August after all
    later = RUN + dt.timedelta(minutes=20)
    disclosure_check_run(date=DAY, now=later, by=staff["supervisor"])
    assert _lines(first)["TA"] == (9, 5, 2, 2, Decimal("0.5556"), True, False)
    assert CheckFinding.objects.count() == 6


def test_entries_after_the_disclosure_day_do_not_count_on_a_late_run(world, staff):
    entry(world["items"]["A-FEE"], at(2026, 10, 9, 9))
    check = disclosure_check_run(date=DAY, now=at(2026, 10, 12, 9), by=staff["supervisor"])
    # The 9 Oct entry of A-FEE is after the day: still stale. The 8 Oct 20:00 entry of A-PER counts on a later
    # run (published on the day itself, 当日公开): published 4 + 1, missing 3 − 1.
    assert _lines(check)["TA"][:4] == (9, 5, 2, 2)
    assert not CheckFinding.objects.filter(item_code="A-PER").exists()
    assert CheckFinding.objects.filter(item_code="A-FEE", kind=FindingKind.STALE).exists()


@pytest.mark.parametrize(("date", "message"), [
    ("2026-10-05", "2026年10月5日不是统一公开日：2026年第4季度的统一公开日是2026年10月8日。"),
    ("2026-04-06", "2026年4月6日不是统一公开日：2026年第2季度的统一公开日是2026年4月7日。"),
    ("2026-13-40", "日期格式应为 2026-10-08。"),
    ("", "日期格式应为 2026-10-08。"),
    ("0001-01-01", "日期超出可检查的年份。"),
    ("9999-12-31", "日期超出可检查的年份。"),
])
def test_bad_dates_are_refused_naming_the_day(world, date, message):
    with pytest.raises(DomainError) as exc:
        disclosure_check_run(date=date, now=RUN)
    assert exc.value.message == message and exc.value.field == "date"
    assert not DisclosureCheck.objects.exists()


def test_a_check_before_its_day_and_bad_rectification_limits_are_refused(world):
    with pytest.raises(DomainError, match="尚未到来"):
        disclosure_check_run(date=DAY, now=at(2026, 10, 7, 17))
    for wd in ("0", "31", "x", "99999999999999999999"):
        with pytest.raises(DomainError) as exc:
            disclosure_check_run(date=DAY, now=RUN, rectify_wd=wd)
        assert exc.value.field == "rectify_wd"
    assert not DisclosureCheck.objects.exists()


def test_publication_numbers_freezes_and_starts_the_clocks(world, staff):
    from xiaoneng.supervision.models import Warning

    check = disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    published_at = at(2026, 10, 9, 10)
    check = disclosure_check_publish(check=check, now=published_at, by=staff["supervisor"])
    assert check.status == CheckStatus.PUBLISHED and check.number == "测试县效办〔2026〕公开1号"
    # 5 wd from Fri 9 Oct 10:00: Sat 10 (调休), Mon 12, Tue 13, Wed 14, Thu 15 → close of 15 Oct.
    assert check.rectify_due_at == dt.datetime(2026, 10, 15, 17, 30, tzinfo=TZ)
    assert set(CheckFinding.objects.values_list("due_at", flat=True)) == {check.rectify_due_at}
    assert not CheckFinding.objects.filter(next_check_at__isnull=True).exists()
    text = check.summary
    assert "一、按要求全部公开的单位（1个）：测试县自然资源局。" in text
    assert "二、存在问题的单位（3个）：" in text and "测试县市场监督管理局（公开率44.4%）：" in text
    assert "事项A-FIN应公开未公开（每月公开，2026年8月未公开）；事项A-FEE未按期更新（每季度公开，最近一次公开于2026年5月20日）" in text
    assert "2. 测试镇人民政府（目录未报备）：未编制公开目录。" in text
    assert "三、公开目录逾期报备的单位：测试县自然资源局。" in text
    assert "2026年10月15日17:30前（5个工作日内）" in text
    # One reminder card per department with misses, on the manual rule, told to its heads.
    cards = Warning.objects.filter(subject_kind="disclosure")
    assert sorted(cards.values_list("department__code", flat=True)) == ["TA", "TT", "TTV"]
    assert set(cards.values_list("rule__code", "level")) == {("disclosure-card-reminder", "reminder")}
    with pytest.raises(DomainError, match="已通报"):
        disclosure_check_run(date=DAY, now=RUN)
    with pytest.raises(DomainError, match="已通报"):
        disclosure_check_publish(check=check, now=published_at)
    second_year = DisclosureCheck.objects.get(pk=check.pk)
    assert second_year.number == check.number


def test_the_worker_runs_the_check_once_on_the_day_after_five(world):
    assert disclosure_check_due(now=at(2026, 10, 8, 16, 59)) is None
    assert disclosure_check_due(now=at(2026, 10, 9, 18)) is None  # not a disclosure day
    check = disclosure_check_due(now=at(2026, 10, 8, 17, 5))
    assert check is not None and check.date == DAY and check.run_by is None
    assert disclosure_check_due(now=at(2026, 10, 8, 18)) is None
    assert DisclosureCheck.objects.count() == 1
