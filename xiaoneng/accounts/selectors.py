"""Reads that depend on who asks. Department scoping is decided here, once, for the whole platform:

- supervisors, leaders and administrators see every department;
- everyone else sees their own department and the departments below it;
- a staff member without a department, or without any role, sees nothing scoped;
- a service centre's window (政务服务中心, 窗口式集中办理) also registers cases for the departments it hosts
  (HostedDepartment: `registration_scope_q`, the items it may register) and reads and acts on the cases it
  registered (`case_scope_q`, through Case.intake_department) — not every case of the hosted departments:
  a case registered at a department's own window stays that department's business.

Other apps scope their querysets with `scope_to_staff(qs, staff, field=...)` (cases: `case_scope_q`) and
never re-implement it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, Department, HostedDepartment, Staff


def department_scope_q(staff: Staff, field: str = "department") -> Q:
    """A filter on `field` (a ForeignKey to Department) limiting rows to what `staff` may see."""
    if staff is None or not staff.is_authenticated or not staff.is_active:
        return Q(pk__in=[])
    if staff.is_county_wide:
        return Q()
    if staff.department_id is None:
        return Q(pk__in=[])
    if not staff.has_any_role(*R.ALL):
        # An account not yet (or no longer) given a role: the pages refuse it (role_required); the API and the
        # pages open to any signed-in account scope by department alone, so the scope itself must be empty.
        return Q(pk__in=[])
    path = staff.department.path
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}path__startswith": path})


def scope_to_staff(qs: QuerySet, staff: Staff, field: str = "department") -> QuerySet:
    return qs.filter(department_scope_q(staff, field))


def _scoped_staff(staff: Staff) -> bool:
    """A signed-in, active account with a role and a department: the only kind that has a department reach."""
    return (staff is not None and staff.is_authenticated and staff.is_active and staff.department_id is not None
            and staff.has_any_role(*R.ALL))


def hosted_departments_for(staff: Staff) -> QuerySet[Department]:
    """The departments hosted at the staff member's service centre: hosted by their own unit, by a unit above
    it (a window section of the centre serves what the centre hosts) or below it (the centre's head oversees
    its window units). Empty for county-wide roles (they reach everything anyway) and for everyone else."""
    if not _scoped_staff(staff) or staff.is_county_wide:
        return Department.objects.none()
    path = staff.department.path
    above = [int(p) for p in path.strip("/").split("/") if p]
    hosts = HostedDepartment.objects.filter(Q(host__path__startswith=path) | Q(host_id__in=above))
    return Department.objects.filter(pk__in=hosts.values("department_id"), is_active=True)


def registration_scope_q(staff: Staff, field: str = "department") -> Q:
    """A filter on `field` (a ForeignKey to Department) for what `staff` may register at the window (受理登记):
    their own reach (department_scope_q) and, at a service centre, the hosted departments and their sections."""
    own = department_scope_q(staff, field)
    hosted = list(hosted_departments_for(staff).values_list("path", flat=True))
    prefix = f"{field}__" if field else ""
    for p in hosted:
        own |= Q(**{f"{prefix}path__startswith": p})
    return own


def case_scope_q(staff: Staff, field: str = "department", intake_field: str = "intake_department") -> Q:
    """A filter on cases (or rows with a case's department and intake window) for what `staff` may see: the
    department reach of department_scope_q, and the cases registered at a window of their own unit (or below
    it) — how a service centre's window sees and acts on the applications it took for hosted departments.
    A hosted department's other cases stay out of the centre's reach."""
    own = department_scope_q(staff, field)
    if not _scoped_staff(staff) or staff.is_county_wide or not at_service_centre(staff):
        # Elsewhere a window registers only its own subtree's items: the intake clause would add nothing but
        # an OR and a join to every department's case queries.
        return own
    return own | Q(**{f"{intake_field}__path__startswith": staff.department.path})


def at_service_centre(staff: Staff) -> bool:
    """Whether the staff member works at a service centre (服务中心): in one, in a unit of one, or above one.
    Cached on the instance for the request, like the roles."""
    cached = getattr(staff, "_at_service_centre", None)
    if cached is None:
        path = staff.department.path
        above = [int(p) for p in path.strip("/").split("/") if p]
        cached = Department.objects.filter(Q(path__startswith=path) | Q(pk__in=above),
                                           kind=Department.Kind.CENTRE).exists()
        staff._at_service_centre = cached
    return cached


def client_scope_q(client: ApiClient, field: str = "department") -> Q:
    """An API client of a department system sees only its own department's rows."""
    return Q(**{f"{field}_id": client.department_id})


def department_list_for(staff: Staff) -> QuerySet[Department]:
    return scope_to_staff(Department.objects.select_related("parent", "head"), staff, field="")


def department_get_for(staff: Staff, code: str) -> Department:
    dept = department_list_for(staff).filter(code=code).first()
    if dept is None:
        raise Http404("部门不存在或不在您的权限范围内。")
    return dept


def staff_list_for(staff: Staff) -> QuerySet[Staff]:
    return scope_to_staff(
        Staff.objects.select_related("department").prefetch_related("groups").order_by("department__path", "username"),
        staff,
    )


def api_client_list() -> QuerySet[ApiClient]:
    return ApiClient.objects.select_related("department", "created_by").order_by("-created_at")


def api_client_by_token(raw: str) -> ApiClient | None:
    from xiaoneng.accounts.services import token_hash

    if not raw or len(raw) > 200:
        return None
    return ApiClient.objects.select_related("department").filter(token_hash=token_hash(raw), revoked_at=None).first()


def audit_event_list(*, kind: str = "", who: str = "", date_from=None, date_to=None):
    """The security audit trail, newest first, filtered (administrators' page; the view checks the role).
    Dates are whole days in the platform's time zone."""
    import datetime as dt

    from django.utils import timezone

    from xiaoneng.accounts.models import AuditEvent

    qs = AuditEvent.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if who:
        qs = qs.filter(Q(actor_name__icontains=who) | Q(target__icontains=who))
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def supervision_office_id() -> int | None:
    """The supervision office (效能办): the first active department of kind "office", else the root of the
    tree. Whose a complaint's office-stage cards are, and who issues rectification proposals."""
    d = Department.objects.filter(kind=Department.Kind.OFFICE, is_active=True).order_by("path").values_list(
        "id", flat=True).first()
    if d is None:
        d = Department.objects.filter(parent__isnull=True).order_by("path").values_list("id", flat=True).first()
    return d
