"""Grammatical Chinese for generated texts (the demo's, for now): numbers in words and times of day. In core so that
the apps' own demo generators (complaints/demo.py) may use it without importing the demo app above them.

The demo's complaint texts once pasted numbers and hours into fixed words ("等了2十分钟", "上午14点",
"下午9点多"). Every generated phrase with a number or an hour goes through these helpers instead, so the
words always agree with the value: the period of the day (时段) is chosen by the hour and the hour is said
on the 12-hour clock, as people say and write it.
"""

from __future__ import annotations

import datetime as dt

DIGITS = "零一二三四五六七八九"
UNITS = ((10**8, "亿"), (10**4, "万"), (1000, "千"), (100, "百"), (10, "十"))


def cn_number(n: int) -> str:
    """An integer in Chinese numerals as read aloud: 0 → 零, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五,
    1010 → 一千零一十, 20000 → 二万 (the ordinal/reading form; see `cn_count` for quantities)."""
    if n < 0:
        return "负" + cn_number(-n)
    if n < 10:
        return DIGITS[n]
    if n < 20:  # 十, 十一 … 十九: the leading 一 is not said
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    return _above_ten(n)


def _above_ten(n: int) -> str:
    out, zero_pending = "", False
    for value, unit in UNITS:
        if n >= value:
            head, n = divmod(n, value)
            if out and zero_pending:
                out += "零"
            out += (DIGITS[head] if head < 10 else _above_ten(head) if out else cn_number(head)) + unit
            zero_pending = False
        elif out:
            zero_pending = True
    if n:
        if out and zero_pending:
            out += "零"
        out += DIGITS[n]
    return out


def cn_count(n: int) -> str:
    """A quantity before a measure word (跑了两趟, 两个月, 两千元): as `cn_number`, with 两 for a 2 that stands
    alone or leads a hundred, thousand or ten thousand; 二 stays in 二十 and in 十二."""
    text = cn_number(n)
    if n == 2:
        return "两"
    if text[:1] == "二" and text[1:2] in ("百", "千", "万", "亿"):
        return "两" + text[1:]
    return text


def period_of(hour: int) -> str:
    """The period of the day (时段) an hour 0-23 falls in: 凌晨 0-5, 上午 6-11, 中午 12, 下午 13-17,
    晚上 18-23."""
    if not 0 <= hour <= 23:
        raise ValueError(f"hour {hour} is not 0-23")
    if hour < 6:
        return "凌晨"
    if hour < 12:
        return "上午"
    if hour == 12:
        return "中午"
    if hour < 18:
        return "下午"
    return "晚上"


def clock_phrase(hour: int, minute: int = 0, *, approx: bool = False) -> str:
    """A time of day as said in Chinese, the period chosen by the hour and the hour on the 12-hour clock:
    (14, 0) → 下午2点, (9, 30) → 上午9点半, (15, 5) → 下午3点05分, (21, 0, approx) → 晚上9点多,
    (12, 10) → 中午12点10分, (0, 0) → 凌晨0点 (midnight is said 0点, not 12点). `approx` says "…点多"
    (a little after the hour) and drops the minutes."""
    if not 0 <= minute <= 59:
        raise ValueError(f"minute {minute} is not 0-59")
    h12 = hour if hour <= 12 else hour - 12
    text = f"{period_of(hour)}{h12}点"
    if approx:
        return text + "多"
    if minute == 30:
        return text + "半"
    if minute:
        return text + f"{minute:02d}分"
    return text


def moment_phrase(at: dt.datetime) -> str:
    """`clock_phrase` of a local datetime's hour and minute."""
    return clock_phrase(at.hour, at.minute)


def date_phrase(day: dt.date) -> str:
    """A date as a complainant writes it: 3月5日."""
    return f"{day.month}月{day.day}日"
