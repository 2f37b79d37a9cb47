"""The clock port (core/clocks.py): each owner registered once, explicitly, by its own app; one judge; no mode
without it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from xiaoneng.cases.clocks import CASE_CLOCKS
from xiaoneng.complaints.clocks import COMPLAINT_CLOCKS
from xiaoneng.core import clocks
from xiaoneng.disclosure.clocks import DISCLOSURE_CLOCKS
from xiaoneng.disclosure.clocks_requests import INFOREQUEST_CLOCKS
from xiaoneng.inspections.clocks import FINDING_CLOCKS
from xiaoneng.ratings.clocks import RATING_CLOCKS
from xiaoneng.supervision.judge import JUDGE


def test_cases_and_complaints_are_the_registered_owners_in_chain_order():
    assert clocks.owners() == [CASE_CLOCKS, COMPLAINT_CLOCKS, RATING_CLOCKS, FINDING_CLOCKS, DISCLOSURE_CLOCKS,
                               INFOREQUEST_CLOCKS]
    assert clocks.kinds() == {"case": "办件", "complaint": "投诉", "rating": "差评整改", "finding": "检查发现问题",
                              "disclosure": "政务公开检查问题", "inforequest": "依申请公开"}
    for owner in clocks.owners():
        assert isinstance(owner, clocks.ClockOwner)  # every method of the Protocol is there
    assert clocks.owner("complaint") is COMPLAINT_CLOCKS and clocks.judge() is JUDGE


def test_an_unknown_kind_and_a_second_owner_of_a_kind_are_configuration_errors():
    with pytest.raises(ImproperlyConfigured, match="no clock owner registered for kind 'petition'"):
        clocks.owner("petition")

    class Another:
        kind = "case"

    with pytest.raises(ImproperlyConfigured, match="two clock owners for kind 'case'"):
        clocks.register_owner(Another())
    with pytest.raises(ImproperlyConfigured, match="1-16 characters"):
        clocks.register_owner(type("Long", (), {"kind": "x" * 17})())
    assert clocks.owner("case") is CASE_CLOCKS
    clocks.register_owner(CASE_CLOCKS)  # the same object again: nothing changes
    assert clocks.owners() == [CASE_CLOCKS, COMPLAINT_CLOCKS, RATING_CLOCKS, FINDING_CLOCKS, DISCLOSURE_CLOCKS,
                               INFOREQUEST_CLOCKS]
