"""The staff menu in sections (core/nav.py): every entry a role may open sits under exactly one heading, in the
order the sections declare, and a section with nothing for the role is not shown."""

from __future__ import annotations

import pytest

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_department_tree, make_staff
from xiaoneng.core.nav import nav_for, nav_sections_for

pytestmark = pytest.mark.django_db


def _menu(user) -> dict[str, list[str]]:
    return {s["label"]: [e["label"] for e in s["items"]] for s in nav_sections_for(user)}


def test_the_supervision_office_reads_its_menu_in_groups():
    sup = make_staff("nav_sup", department=make_department_tree()["office"], roles=[R.SUPERVISOR])
    menu = _menu(sup)
    assert list(menu) == ["总览", "办件服务", "效能监察", "投诉处理", "评价与检查", "考核与问责", "政务公开", "系统设置"]
    assert menu["总览"] == ["领导驾驶舱"]
    assert menu["系统设置"][:4] == ["监察规则", "好差评设置", "检查表", "工作日历"]
    assert "考核方案" in menu["系统设置"] and "考核方案" not in menu["考核与问责"]
    assert "投诉黑名单" in menu["投诉处理"]
    # every entry once, and the flat list (the home page's quick links) is the sections read in order
    flat = [label for labels in menu.values() for label in labels]
    assert len(flat) == len(set(flat))
    assert [e["label"] for e in nav_for(sup)] == flat
    # no group is long: the reason for grouping
    assert max(len(labels) for labels in menu.values()) <= 10


def test_a_handler_sees_only_the_groups_it_works_in():
    handler = make_staff("nav_handler", department=make_department_tree()["a"], roles=[R.HANDLER])
    menu = _menu(handler)
    assert menu["总览"] == ["我的待办"]
    assert menu["系统设置"] == ["部门"]  # the one setting page every member of staff may read
    assert "领导驾驶舱" not in [label for labels in menu.values() for label in labels]
    assert "交办我单位的投诉" in menu["投诉处理"]


def test_the_page_shows_the_headings(client):
    sup = make_staff("nav_sup_page", department=make_department_tree()["office"], roles=[R.SUPERVISOR])
    client.force_login(sup)
    html = client.get("/staff/").content.decode()
    for heading in ("总览", "效能监察", "考核与问责", "系统设置"):
        assert f'">{heading}</h2>' in html
    assert html.index(">效能监察</h2>") < html.index(" 实时监控</a>") < html.index(">投诉处理</h2>")


def test_an_anonymous_visitor_has_no_menu():
    from django.contrib.auth.models import AnonymousUser

    assert nav_sections_for(AnonymousUser()) == [] and nav_for(AnonymousUser()) == []
