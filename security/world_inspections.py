"""The inspections' part of the permission matrix's world (issue 12): the invited supervisor (特邀监督员) and,
in bureau A and bureau B, the objects the inspections' URLs name."""

from __future__ import annotations


def build_inspections(w) -> None:
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.testing import make_staff

    w.staff["invited"] = make_staff("invited", None, [R.INVITED])
