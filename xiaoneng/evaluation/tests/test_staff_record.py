"""A staff member's record (绩效档案): cards as handler, ratings and sanctions by quarter; visible to the office,
the member and the member's head only (leaders, colleagues, window staff and administrators refused; another
bureau's staff are not there)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xiaoneng.evaluation.models import SanctionKind
from xiaoneng.evaluation.services import sanctions as S

from .conftest import TZ
from .test_sanctions import red_cards

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


@pytest.mark.django_db
def test_record_by_quarter_and_who_sees_it(client_as, depts, staff, settings):
    member = staff["handler"]
    red_cards(depts["a"], member, 2, at=dt.datetime(2026, 8, 3, 10, 0, tzinfo=TZ))
    s = S.sanction_propose(kind=SanctionKind.WARNING, department=depts["a"], staff=member, reason="红牌", now=NOW)
    S.sanction_confirm(s, now=NOW, by=staff["supervisor"])
    url = reverse("evaluation:staff_record", args=[member.pk])
    for role, code in (("supervisor", 200), ("handler", 200), ("head", 200), ("leader", 403), ("window", 403),
                       ("admin", 403), ("handler_a1", 404), ("handler_b", 404)):
        assert client_as(role).get(url).status_code == code, role
    page = client_as("head").get(url).content.decode()
    assert "2026年第三季度" in page and "效能告诫" in page and s.number in page
    # the third quarter's row: two red cards
    row = page[page.index("2026年第三季度"):][:400]
    assert "<td>2</td>" in row
    assert client_as("handler").get(reverse("evaluation:staff_record", args=[999999])).status_code == 404
    # the sanction's page links to the record for who may open it
    detail = client_as("supervisor").get(reverse("evaluation:sanction_detail", args=[s.pk])).content.decode()
    assert url in detail
