"""Numbers and times of day in the demo's generated Chinese (issue 10 §4: "上午14点", "等了2十分钟")."""

import pytest

from xiaoneng.core.wording import clock_phrase, cn_count, cn_number, period_of

EXPECTED_PERIOD = {**dict.fromkeys(range(0, 6), "凌晨"), **dict.fromkeys(range(6, 12), "上午"), 12: "中午",
                   **dict.fromkeys(range(13, 18), "下午"), **dict.fromkeys(range(18, 24), "晚上")}


@pytest.mark.parametrize("hour", range(24))
def test_every_hour_has_its_period_and_a_12_hour_clock(hour):
    phrase = clock_phrase(hour)
    assert period_of(hour) == EXPECTED_PERIOD[hour]
    h12 = hour if hour <= 12 else hour - 12
    assert phrase == f"{EXPECTED_PERIOD[hour]}{h12}点"
    assert 0 <= h12 <= 12
    assert clock_phrase(hour, approx=True) == phrase + "多"


@pytest.mark.parametrize("hour,minute,text", [
    (14, 0, "下午2点"), (9, 30, "上午9点半"), (15, 5, "下午3点05分"), (21, 0, "晚上9点"), (12, 10, "中午12点10分"),
    (0, 0, "凌晨0点"), (5, 45, "凌晨5点45分"), (6, 0, "上午6点"), (17, 30, "下午5点半"), (18, 0, "晚上6点"),
    (23, 59, "晚上11点59分"), (11, 15, "上午11点15分"), (13, 30, "下午1点半"),
])
def test_clock_phrases(hour, minute, text):
    assert clock_phrase(hour, minute) == text


@pytest.mark.parametrize("bad", [(-1, 0), (24, 0), (9, 60)])
def test_out_of_range_times_are_refused(bad):
    with pytest.raises(ValueError):
        clock_phrase(*bad)


@pytest.mark.parametrize("n,text", [
    (0, "零"), (1, "一"), (2, "二"), (9, "九"), (10, "十"), (11, "十一"), (12, "十二"), (19, "十九"), (20, "二十"),
    (21, "二十一"), (40, "四十"), (99, "九十九"), (100, "一百"), (101, "一百零一"), (105, "一百零五"), (110, "一百一十"),
    (230, "二百三十"), (1000, "一千"), (1010, "一千零一十"), (1200, "一千二百"), (2005, "二千零五"), (10000, "一万"),
    (10001, "一万零一"), (20000, "二万"), (123456, "十二万三千四百五十六"), (100000000, "一亿"), (-3, "负三"),
])
def test_numbers_in_chinese(n, text):
    assert cn_number(n) == text


@pytest.mark.parametrize("n,text", [
    (1, "一"), (2, "两"), (3, "三"), (12, "十二"), (20, "二十"), (22, "二十二"), (200, "两百"), (2000, "两千"),
    (20000, "两万"), (3000, "三千"), (250, "两百五十"),
])
def test_quantities_say_liang_where_chinese_does(n, text):
    assert cn_count(n) == text


def test_no_digit_ever_meets_a_numeral_unit():
    for n in range(0, 3000):
        for text in (cn_number(n), cn_count(n)):
            assert not any(ch.isdigit() for ch in text), (n, text)
