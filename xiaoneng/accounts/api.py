"""/api/v1/accounts/: who am I, and the departments I may see."""

from __future__ import annotations

from ninja import Router, Schema

from xiaoneng.accounts.auth import token_or_session
from xiaoneng.accounts.models import Department
from xiaoneng.accounts.selectors import department_list_for

router = Router(tags=["accounts"])


class DepartmentOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None


class MeOut(Schema):
    kind: str  # "staff" or "client"
    name: str
    department_code: str | None
    roles: list[str]


def _dept_out(d: Department) -> DepartmentOut:
    return DepartmentOut(code=d.code, name=d.name, kind=d.kind, parent_code=d.parent.code if d.parent else None)


@router.get("/me", response=MeOut, auth=token_or_session, summary="当前身份（工作人员或接口客户端、所属部门、角色）")
def me(request):
    client = getattr(request, "api_client", None)
    if client is not None:
        return MeOut(kind="client", name=client.name, department_code=client.department.code, roles=[])
    user = request.auth
    return MeOut(
        kind="staff",
        name=user.display_name,
        department_code=user.department.code if user.department_id else None,
        roles=sorted(user.role_codes),
    )


@router.get("/departments", response=list[DepartmentOut], auth=token_or_session, summary="可查看的部门列表")
def departments(request):
    client = getattr(request, "api_client", None)
    if client is not None:
        qs = Department.objects.select_related("parent").filter(path__startswith=client.department.path)
    else:
        qs = department_list_for(request.auth)
    return [_dept_out(d) for d in qs]
