"""Reads of catalogues and entries, for staff (scoped as every list: accounts.selectors) and for the public.

Staff: the office, leaders and administrators read every department's catalogues and entries; heads and handlers
their own department's and the units below it; anyone else nothing (the pages refuse them first). An object
outside the reader's reach is a 404, never a hint that it exists.

Public: only accepted catalogues (the current version of each department) and their published entries — a draft,
a filed or a returned catalogue is never shown; superseded entries are reachable from the version in force (its
history), withdrawn ones say only that they were withdrawn and why.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.accounts.selectors import department_scope_q

from .models import Catalogue, CatalogueItem, CatalogueStatus, DisclosureEntry, EntryStatus, Level

READERS = (R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD, R.HANDLER)
DEPARTMENT_ROLES = (R.HEAD, R.HANDLER)


# ------------------------------------------------------------------------------------------------ staff
def catalogue_list_for(staff: Staff) -> QuerySet[Catalogue]:
    if not staff.has_any_role(*READERS):
        return Catalogue.objects.none()
    return Catalogue.objects.filter(department_scope_q(staff, "department")).select_related("department")


def catalogue_get_for(staff: Staff, pk: int) -> Catalogue:
    cat = catalogue_list_for(staff).select_related("created_by", "filed_by", "decided_by").filter(pk=pk).first()
    if cat is None:
        raise Http404("公开目录不存在或不在您的权限范围内。")
    return cat


def departments_for(staff: Staff) -> QuerySet[Department]:
    """The departments whose catalogues and entries `staff` works on (heads and handlers: their own and below).
    Internal sections (内设科室) publish through their department, not with a catalogue of their own."""
    if not staff.has_any_role(*DEPARTMENT_ROLES):
        return Department.objects.none()
    return (Department.objects.filter(department_scope_q(staff, ""), is_active=True)
            .exclude(kind=Department.Kind.SECTION).order_by("path"))


def filing_queue(*, now: dt.datetime) -> dict[str, list[Catalogue]]:
    """The office's queue: filed catalogues to decide (oldest first), returned ones (awaiting the department),
    drafts past their filing deadline."""
    base = Catalogue.objects.select_related("department", "filed_by", "decided_by")
    return {
        "filed": list(base.filter(status=CatalogueStatus.FILED).order_by("filed_at", "id")),
        "returned": list(base.filter(status=CatalogueStatus.RETURNED).order_by("decided_at", "id")),
        "overdue": list(base.filter(status=CatalogueStatus.DRAFT, due_at__lt=now).order_by("due_at", "id")),
    }


def versions_of(department_id: int) -> list[Catalogue]:
    return list(Catalogue.objects.filter(department_id=department_id).select_related("filed_by", "decided_by")
                .annotate(n_items=Count("items")).order_by("-version"))


def entry_list_for(staff: Staff) -> QuerySet[DisclosureEntry]:
    if not staff.has_any_role(*READERS):
        return DisclosureEntry.objects.none()
    return DisclosureEntry.objects.filter(department_scope_q(staff, "department")).select_related("department", "item")


def entry_get_for(staff: Staff, number: str) -> DisclosureEntry:
    e = entry_list_for(staff).select_related("created_by", "client", "supersedes").filter(number=number[:40]).first()
    if e is None:
        raise Http404("公开信息不存在或不在您的权限范围内。")
    return e


# ------------------------------------------------------------------------------------------------ both
def last_published(department_id: int) -> dict[str, dt.datetime]:
    """item code → the latest publication time of a published (in force) entry of the department."""
    rows = (DisclosureEntry.objects.filter(department_id=department_id, status=EntryStatus.PUBLISHED)
            .values("item_code").annotate(last=Max("published_at")))
    return {r["item_code"]: r["last"] for r in rows}


def history_of(entry: DisclosureEntry) -> list[DisclosureEntry]:
    """Every version of `entry`'s chain, newest first (at most a handful: one query per version)."""
    chain = [entry]
    while chain[-1].supersedes_id:
        chain.append(DisclosureEntry.objects.get(pk=chain[-1].supersedes_id))
    newer = entry
    while True:
        nxt = DisclosureEntry.objects.filter(supersedes=newer).first()
        if nxt is None:
            break
        chain.insert(0, nxt)
        newer = nxt
    return chain


# ------------------------------------------------------------------------------------------------ public
def public_catalogues() -> dict[str, list[Catalogue]]:
    """The current accepted catalogue of every department, grouped by level in the order of Level."""
    cats = (Catalogue.objects.filter(current=True, status=CatalogueStatus.ACCEPTED, department__is_active=True)
            .select_related("department").annotate(n_items=Count("items")).order_by("department__path"))
    groups: dict[str, list[Catalogue]] = {lv: [] for lv in Level.values}
    for c in cats:
        groups[c.level].append(c)
    return groups


def public_catalogue(code: str) -> Catalogue:
    cat = (Catalogue.objects.filter(current=True, status=CatalogueStatus.ACCEPTED, department__code=code[:32],
                                    department__is_active=True).select_related("department").first())
    if cat is None:
        raise Http404("该单位没有已备案的公开目录。")
    return cat


def public_entries() -> QuerySet[DisclosureEntry]:
    """Entries in force, of departments whose catalogue is public."""
    return (DisclosureEntry.objects.filter(status=EntryStatus.PUBLISHED, department__is_active=True)
            .filter(Q(department_id__in=Catalogue.objects.filter(current=True).values("department_id")))
            .select_related("department", "item"))


def public_entry(number: str) -> DisclosureEntry:
    """Any version of an entry (superseded ones stay readable, withdrawn ones say so), of a public department."""
    e = (DisclosureEntry.objects.filter(number=number[:40], department__is_active=True)
         .filter(department_id__in=Catalogue.objects.filter(current=True).values("department_id"))
         .select_related("department", "item").first())
    if e is None:
        raise Http404("公开信息不存在。")
    return e


def public_items(catalogue: Catalogue) -> list[CatalogueItem]:
    return list(catalogue.items.all())
