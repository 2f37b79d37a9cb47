"""The filters every page shows moments and ages with (core/templatetags/xn_time.py), and the empty choice
of every select (core/apps.py): issue 10 §4's "已 10 月，4 周", UTC ISO strings and "- Select an option -"."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.template import Context, Template

from xiaoneng.core.templatetags.xn_time import age, local_time

TZ = ZoneInfo("Asia/Shanghai")


def t(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_age_reads_as_chinese_units_without_a_comma():
    start = t(2026, 1, 5, 9, 0)
    assert age(start, t(2026, 12, 3, 9, 0)) == "10 个月 4 周"
    assert age(start, t(2026, 1, 5, 9, 20)) == "20 分钟"
    assert age(start, t(2026, 1, 8, 14, 0)) == "3 天 5 小时"
    assert age(start, t(2027, 1, 5, 9, 0)) == "1 年"
    assert age(start, t(2026, 2, 5, 9, 0)) == "1 个月"
    assert age(start, start) == "不到 1 分钟" and age(start, t(2025, 1, 1)) == "不到 1 分钟"
    assert age(None) == ""
    # Month ends: 31 January plus one month is the end of February, not an error; two adjacent units at most.
    assert age(t(2026, 1, 31, 9, 0), t(2026, 3, 1, 9, 0)) == "1 个月"
    assert age(t(2026, 1, 31, 9, 0), t(2026, 3, 9, 9, 0)) == "1 个月 1 周"


def test_the_template_filter_replaces_timesince():
    html = Template("{% load xn_time %}已 {{ a|age:b }}").render(Context({"a": t(2026, 1, 5), "b": t(2026, 12, 3)}))
    assert html == "已 10 个月 4 周"


def test_local_time_turns_the_case_json_utc_strings_into_county_time():
    assert local_time("2026-09-03T02:49:00+00:00") == "2026-09-03 10:49"
    assert local_time("2026-09-03T09:30:00+00:00") == "2026-09-03 17:30"
    assert local_time(dt.datetime(2026, 9, 3, 2, 49, tzinfo=dt.UTC)) == "2026-09-03 10:49"
    assert local_time(None) == "" and local_time("") == ""


def test_every_select_names_its_empty_choice_in_chinese():
    """Django 6.1's "- Select an option -" has no zh-hans translation; core sets the label once."""

    from django.contrib.auth.models import Group

    class M(forms.Form):
        group = forms.ModelChoiceField(Group.objects.none())

    assert '<option value="" selected>请选择</option>' in str(M()["group"])
    from xiaoneng.accounts.models import Staff

    field = Staff._meta.get_field("department").formfield()
    assert field.empty_label == "请选择"
    assert "Select an option" not in str(M()["group"])


def test_a_time_zone_is_named_as_a_reader_names_it():
    from xiaoneng.core.templatetags.xn_time import tz_name

    assert tz_name("Asia/Shanghai") == "北京时间" and tz_name("Europe/Paris") == "Europe/Paris"
