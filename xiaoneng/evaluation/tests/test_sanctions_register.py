"""The register reads well: by default what is pending or decided (dismissed ones one filter away), filters by
status, source, kind and department, 50 a page with a pinned number of queries whatever the page holds, and a
dismissed entry's points shown as — (never deducted) on the list and its page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xiaoneng.evaluation.models import SanctionKind, SanctionSource
from xiaoneng.evaluation.services import sanctions as S

from .test_sanctions import NOW


@pytest.fixture
def register(depts, staff):
    """Bureau A: a proposed 效能告诫 (handler_a), a confirmed 通报批评 (escalation), a dismissed 责令整改; bureau B: a
    confirmed then appealed 效能告诫 and a dismissed 通报批评 (escalation)."""
    sup = staff["supervisor"]

    def make(kind, dept, *, status="proposed", source=SanctionSource.MANUAL, who=None):
        s = S.sanction_propose(kind=kind, department=depts[dept], staff=who, reason=f"{kind}{dept}", now=NOW,
                               by=sup, source=source)
        if status in ("confirmed", "appealed"):
            S.sanction_confirm(s, now=NOW, by=sup)
        if status == "appealed":
            S.sanction_appeal(s, now=NOW, by=staff["handler_b"], text="不服")
        if status == "dismissed":
            S.sanction_dismiss(s, now=NOW, by=sup, reason="情节轻微")
        return s

    return {
        "proposed": make(SanctionKind.WARNING, "a", who=staff["handler"]),
        "confirmed": make(SanctionKind.CRITICISM, "a", status="confirmed", source=SanctionSource.ESCALATION),
        "dismissed_a": make(SanctionKind.RECTIFY, "a", status="dismissed"),
        "appealed": make(SanctionKind.WARNING, "b", status="appealed", who=staff["handler_b"]),
        "dismissed_b": make(SanctionKind.CRITICISM, "b", status="dismissed", source=SanctionSource.ESCALATION),
    }


def ids(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'href="/staff/evaluation/sanctions/(\d+)/"', html)}


@pytest.mark.django_db
def test_default_view_hides_the_dismissed_and_each_filter_narrows(client_as, register):
    r = register
    c = client_as("supervisor")
    url = reverse("evaluation:sanction_list")
    html = c.get(url).content.decode()
    assert ids(html) == {r["proposed"].pk, r["confirmed"].pk, r["appealed"].pk}
    assert "共 3 条" in html and 'value="" selected' in html and "待确认和已决定" in html
    cases = [
        ({"status": "all"}, {"proposed", "confirmed", "dismissed_a", "appealed", "dismissed_b"}),
        ({"status": "proposed"}, {"proposed"}),
        ({"status": "decided"}, {"confirmed", "appealed"}),
        ({"status": "appealed"}, {"appealed"}),
        ({"status": "dismissed"}, {"dismissed_a", "dismissed_b"}),
        ({"status": "revoked"}, set()),
        ({"source": "escalation"}, {"confirmed"}),
        ({"source": "escalation", "status": "all"}, {"confirmed", "dismissed_b"}),
        ({"kind": "warning"}, {"proposed", "appealed"}),
        ({"department": "TB"}, {"appealed"}),
        ({"department": "TB", "status": "dismissed", "kind": "criticism"}, {"dismissed_b"}),
    ]
    for q, expected in cases:
        resp = c.get(url, q)
        assert resp.status_code == 200, q
        assert ids(resp.content.decode()) == {r[k].pk for k in expected}, q
    for bad in ({"status": "pending"}, {"status": "DISMISSED"}, {"kind": "jail"}, {"department": "NOPE"}):
        resp = c.get(url, bad)
        assert resp.status_code == 400 and 'data-testid="form-error"' in resp.content.decode(), bad


@pytest.mark.django_db
def test_a_dismissed_entrys_points_read_as_a_dash(client_as, register):
    c = client_as("supervisor")
    html = c.get(reverse("evaluation:sanction_list"), {"status": "dismissed"}).content.decode()
    cells = re.findall(r'data-testid="points">(.*?)</td>', html)
    assert len(cells) == 2 and all("—" in x and "10" not in x and "20" not in x for x in cells)
    html = c.get(reverse("evaluation:sanction_list")).content.decode()
    cells = re.findall(r'data-testid="points">(.*?)</td>', html)
    assert sorted(cells) == ["10.00", "10.00", "20.00"]
    page = c.get(reverse("evaluation:sanction_detail", args=[register["dismissed_a"].pk])).content.decode()
    assert re.search(r'data-testid="points">— <span[^>]*>不予处理，不扣分', page)
    page = c.get(reverse("evaluation:sanction_detail", args=[register["confirmed"].pk])).content.decode()
    assert 'data-testid="points">20.00' in page


@pytest.mark.django_db
def test_the_register_pages_by_fifty_with_a_pinned_query_count(client_as, depts, staff,
                                                               django_assert_num_queries):
    for i in range(60):
        s = S.sanction_propose(kind=SanctionKind.WARNING, department=depts["a" if i % 2 else "b"],
                               staff=staff["handler"] if i % 2 else None, reason=f"事由{i}", now=NOW)
        if i % 10 == 0:
            S.sanction_dismiss(s, now=NOW, reason="情节轻微")
    c = client_as("supervisor")
    url = reverse("evaluation:sanction_list")
    c.get(url)  # warm the session and the menu's caches
    # session, user and roles 3; the count 1; the filter's departments and the viewer's scope 2; the page's rows
    # with their department and staff 1; the session saved (savepoint, update, release) 3: the same whatever
    # the page holds
    with django_assert_num_queries(10):
        first = c.get(url).content.decode()
    with django_assert_num_queries(10):
        second = c.get(url, {"page": 2}).content.decode()
    assert "共 54 条" in first and len(ids(first)) == 50 and len(ids(second)) == 4
    assert "page=2" in first and "第 1 / 2 页" in first
    html = c.get(url, {"status": "dismissed", "department": "TB"}).content.decode()
    assert "共 6 条" in html
