"""Personal data of applicants (name, ID number, phone): who may read it in clear, and how it is masked.

Only staff of the case's department (or a department above it in their scope), the window that registered
the case (a service centre for a hosted department) and the supervision office see it in clear; an API client sees its own department's cases in clear (it sent the data). Everyone else —
leaders, administrators, other departments — sees masked values, on every page and in every API answer.
"""

from __future__ import annotations

from xiaoneng.accounts import roles as R


def mask_id_no(value: str | None) -> str:
    """'330102199001011234' → '3301**********1234': region prefix and last four, the usual receipt form."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """'13812345678' → '138****5678'; landlines keep their first three and last two digits."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def mask_name(value: str | None) -> str:
    """'张三丰' → '张**': the family name only."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def can_see_personal_data(*, case, staff=None, client=None) -> bool:
    """True when the reader may see the applicant's data of `case` in clear."""
    if client is not None:
        return client.department_id == case.department_id
    if staff is None or not getattr(staff, "is_authenticated", False) or not staff.is_active:
        return False
    if staff.has_role(R.SUPERVISOR):
        return True
    if staff.department_id is None:
        return False
    if staff.department_id == case.department_id:
        return True
    if staff.is_county_wide:
        return False
    # A bureau's staff also see their sections' cases in clear: the same reach as scoping gives them.
    if case.department.path.startswith(staff.department.path):
        return True
    # The window that registered the case (a service centre for a hosted department) took these data from
    # the applicant and prints them on the notices it issues.
    return case.intake_department_id is not None and case.intake_department.path.startswith(staff.department.path)


def applicant_view(case, *, clear: bool) -> dict:
    """The applicant fields as a reader may see them."""
    if clear:
        return {"name": case.applicant_name, "id_no": case.applicant_id_no, "phone": case.applicant_phone,
                "masked": False}
    return {"name": mask_name(case.applicant_name), "id_no": mask_id_no(case.applicant_id_no),
            "phone": mask_phone(case.applicant_phone), "masked": True}
