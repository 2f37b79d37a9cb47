"""The complaint's status transitions live in one table (transitions.py) that the services check and the
detail page reads (issue 11): for every status, the office is offered exactly the actions the table admits —
the same ones the page offered when it encoded them itself — and a service accepts exactly those statuses."""

from __future__ import annotations

import pytest

from xiaoneng.complaints import services
from xiaoneng.complaints.models import Complaint, Status
from xiaoneng.complaints.transitions import TRANSITIONS, allowed
from xiaoneng.core.errors import DomainError

from .conftest import T0

# What the office's page offered per status before the table (views.detail_context's own conditions).
OFFERED = {
    Status.RECEIVED: {"accept", "refuse", "merge", "transfer", "pause", "withdraw"},
    Status.ACCEPTED: {"transfer", "dispatch", "merge", "pause", "withdraw"},
    Status.DISPATCHED: {"pause", "withdraw"},
    Status.PAUSED: {"resume", "withdraw"},
    Status.RESULT: {"pause", "withdraw", "reply"},
    Status.REPLY_REVIEW: {"pause", "withdraw", "reply", "review"},
    Status.REPLIED: set(), Status.CLOSED: set(), Status.REFUSED: set(), Status.TRANSFERRED: set(),
    Status.WITHDRAWN: set(), Status.MERGED: set(),
}
ON_THE_PAGE = {"accept", "refuse", "merge", "transfer", "dispatch", "pause", "resume", "withdraw", "reply", "review"}


def test_the_table_admits_what_the_page_offered():
    assert set(OFFERED) == set(Status.values)
    for status, offered in OFFERED.items():
        assert allowed(status) & ON_THE_PAGE == offered, status


@pytest.mark.parametrize("status", Status.values)
def test_the_office_page_offers_the_tables_actions(client, staff, submit, status):
    c = submit()
    Complaint.objects.filter(pk=c.pk).update(status=status)
    client.force_login(staff["supervisor"])
    r = client.get(f"/staff/complaints/{c.number}/")
    assert r.status_code == 200
    shown = set(r.context["forms"]) & ON_THE_PAGE
    if f"/staff/complaints/{c.number}/do/resume/" in r.content.decode():
        shown.add("resume")
    assert shown == OFFERED[status]


@pytest.mark.parametrize("status", Status.values)
def test_services_accept_exactly_the_tables_statuses(staff, submit, status):
    sup = staff["supervisor"]
    for action, call in (("accept", lambda c: services.complaint_accept(complaint=c, by=sup, now=T0)),
                         ("pause", lambda c: services.complaint_pause(complaint=c, by=sup, now=T0,
                                                                      reason="投诉人外出无法联系"))):
        c = submit()
        Complaint.objects.filter(pk=c.pk).update(status=status)
        if status in TRANSITIONS[action].sources:
            assert call(c).status in TRANSITIONS[action].targets
        else:
            with pytest.raises(DomainError) as exc:
                call(c)
            assert exc.value.code == "bad_status"
            assert exc.value.message.endswith(f"不能{TRANSITIONS[action].label}。")
