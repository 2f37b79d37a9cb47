"""Pages of the service catalogue: public service guides (办事指南) and the staff catalogue.

Thin views: parse, call a selector or a service, render. Who may see and edit what is decided in
catalog.selectors (on top of accounts.selectors' department scoping) and checked again in the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.selectors import department_list_for
from xiaoneng.catalog import selectors as S
from xiaoneng.catalog import services
from xiaoneng.catalog.content import ContentInvalid, version_content
from xiaoneng.catalog.forms import ItemForm, build_formsets, formset_rows
from xiaoneng.catalog.models import ItemType, RequiredMaterial
from xiaoneng.catalog.serializers import guide_data
from xiaoneng.core.errors import DomainError, NotPermitted, RowErrors

PAGE_SIZE = 20


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --------------------------------------------------------------------------------------------- public
@require_GET
def guide_list(request):
    """Public list of service guides: search by name, code or department, filter by department."""
    q = request.GET.get("q", "").strip()[:100]
    dept = request.GET.get("department", "").strip()[:32]
    item_type = request.GET.get("type", "")
    item_type = item_type if item_type in ItemType.values else ""
    qs = S.item_list_public(q=q, department_code=dept or None, item_type=item_type or None)
    return render(request, "catalog/guide_list.html", {
        "page": _page(request, qs), "q": q, "department": dept, "item_type": item_type,
        "departments": S.guide_departments(), "item_types": ItemType.choices, "query": _query_without_page(request),
    })


@require_GET
def guide_detail(request, code: str):
    """The service guide of one active item: everything an applicant needs to come at most once."""
    item = S.item_get_public(code)
    return render(request, "catalog/guide_detail.html", {"item": item, "guide": guide_data(item)})


@require_GET
def material_file(request, pk: int, kind: str):
    """Download a material's blank form or sample. Public for the current version of an active item;
    older versions' files only for staff who may see the item."""
    if kind not in ("blank_form", "sample"):
        raise Http404
    material = get_object_or_404(RequiredMaterial.objects.select_related("version__item"), pk=pk)
    item = material.version.item
    public = item.is_active and item.current_version_id == material.version_id
    if not public:
        if not request.user.is_authenticated:
            raise Http404
        S.item_get_for(request.user, item.code)
    f = getattr(material, kind)
    if not f or not default_storage.exists(f.name):
        raise Http404(_("文件不存在。"))
    filename = f"{material.name}{'-' + _('示例') if kind == 'sample' else ''}{_suffix(f.name)}"
    return FileResponse(default_storage.open(f.name, "rb"), as_attachment=True, filename=filename)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot > name.rfind("/") else ""


# ---------------------------------------------------------------------------------------------- staff
@login_required
@require_GET
def item_list(request):
    """The staff catalogue: every item of the departments the signed-in person may see."""
    q = request.GET.get("q", "").strip()[:100]
    dept = request.GET.get("department", "").strip()[:32]
    status = request.GET.get("status", "")
    qs = S.item_list_for(request.user, q=q, department_code=dept or None, include_inactive=status != "active")
    if status == "inactive":
        qs = qs.filter(is_active=False)
    return render(request, "catalog/item_list.html", {
        "page": _page(request, qs), "q": q, "department": dept, "status": status,
        "departments": department_list_for(request.user),
        "can_create": S.departments_editable_by(request.user).exists(),
        "can_transfer": S.can_transfer(request.user), "query": _query_without_page(request),
    })


@login_required
@require_GET
def item_detail(request, code: str):
    """One item for staff: its current guide, who may edit it, and its version history with changes."""
    item = S.item_get_for(request.user, code)
    history = S.version_history(item)
    # The history already holds every version with its children: the current one comes from there.
    version = next((h["version"] for h in history if h["is_current"]), None)
    return render(request, "catalog/item_detail.html", {
        "item": item, "guide": guide_data(item, version) if version else None,
        "history": history, "can_edit": S.can_edit_item(request.user, item),
    })


@login_required
@require_GET
def version_detail(request, code: str, number: int):
    """An older (or the current) version exactly as it was published, with what it changed."""
    item = S.item_get_for(request.user, code)
    version = S.version_get(item, number)
    previous = S.version_get(item, number - 1) if number > 1 else None
    return render(request, "catalog/version_detail.html", {
        "item": item, "version": version, "guide": guide_data(item, version),
        "changes": S.version_diff(previous, version),
    })


def _apply_errors(exc: DomainError, form, formsets, kept: dict, extra_errors: dict) -> None:
    """Put each error the service reported beside its field: item fields on the form, "materials.2.copies"
    on the third kept material row, a whole-list error above that list."""
    errors = exc.errors if isinstance(exc, ContentInvalid) else [exc]
    for e in errors:
        parts = (e.field or "").split(".")
        if parts[0] in formsets and len(parts) == 3 and int(parts[1]) < len(kept[parts[0]]):
            kept[parts[0]][int(parts[1])].add_error(parts[2], e.message)
        elif parts[0] in formsets:
            extra_errors.setdefault(parts[0], []).append(e.message)
        elif e.field in form.fields:
            form.add_error(e.field, e.message)
        else:
            form.add_error(None, e.message)


def _content_from_post(form, formsets):
    data = dict(form.cleaned_data)
    kept = {}
    for key, fs in formsets.items():
        data[key], kept[key] = formset_rows(fs)
    return data, kept


def _edit_page(request, *, item, form, formsets, extra_errors, creating, status=200):
    return render(request, "catalog/item_form.html", {
        "item": item, "form": form, "formsets": formsets, "extra_errors": extra_errors, "creating": creating,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, code: str):
    """Edit an item: saving publishes a new version (nothing is saved when any field is wrong)."""
    item = S.item_get_for(request.user, code)
    if not S.can_edit_item(request.user, item):
        raise PermissionDenied(_("您只能修改本部门（及下属科室）的事项；系统管理员可修改全部事项。"))
    current = S.version_with_children(item.current_version)
    initial = version_content(current)
    extra_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = ItemForm(request.POST, initial=initial)
        formsets = build_formsets(request.POST, request.FILES, initial=initial)
        if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            data, kept = _content_from_post(form, formsets)
            try:
                version = services.service_item_revise(
                    item=item, data=data, by=request.user, now=timezone.now(),
                    change_note=form.cleaned_data.get("change_note", ""),
                )
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                _apply_errors(exc, form, formsets, kept, extra_errors)
            else:
                if version.pk == current.pk:
                    messages.info(request, _("内容没有变化，未生成新版本。"))
                else:
                    messages.success(request, _("已保存，生成第 %(n)s 版。") % {"n": version.number})
                return redirect("catalog:item_detail", code=item.code)
        return _edit_page(request, item=item, form=form, formsets=formsets, extra_errors=extra_errors,
                          creating=False, status=400)
    form = ItemForm(initial=initial)
    return _edit_page(request, item=item, form=form, formsets=build_formsets(initial=initial),
                      extra_errors=extra_errors, creating=False)


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request):
    """Create an item in a department the signed-in person may edit (heads: own subtree; admins: any)."""
    departments = S.departments_editable_by(request.user)
    if not departments.exists():
        raise PermissionDenied(_("只有部门负责人和系统管理员可以新增事项。"))
    extra_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = ItemForm(request.POST, departments=departments, creating=True)
        formsets = build_formsets(request.POST, request.FILES)
        if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            data, kept = _content_from_post(form, formsets)
            try:
                item = services.service_item_create(
                    department=form.cleaned_data["department"], data=data, by=request.user, now=timezone.now()
                )
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                _apply_errors(exc, form, formsets, kept, extra_errors)
            else:
                messages.success(request, _("已新增事项“%(name)s”。") % {"name": data["name"]})
                return redirect("catalog:item_detail", code=item.code)
        return _edit_page(request, item=None, form=form, formsets=formsets, extra_errors=extra_errors,
                          creating=True, status=400)
    initial_dept = departments.filter(pk=request.user.department_id).first() or None
    form = ItemForm(departments=departments, creating=True,
                    initial={"department": initial_dept.code if initial_dept else None})
    formsets = build_formsets(initial={"steps": [{"kind": "accept", "limit_value": 1}]})
    return _edit_page(request, item=None, form=form, formsets=formsets, extra_errors=extra_errors, creating=True)


@login_required
@require_POST
def item_set_active(request, code: str, active: bool):
    """Deactivate (停用) or reactivate an item."""
    item = S.item_get_for(request.user, code)
    fn = services.service_item_activate if active else services.service_item_deactivate
    try:
        fn(item=item, by=request.user, now=timezone.now())
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("事项已启用。") if active else _("事项已停用，不再在办事指南中公开。"))
    return redirect("catalog:item_detail", code=item.code)


@role_required(R.ADMIN)
@require_GET
def catalog_export_view(request):
    fmt = request.GET.get("fmt", "xlsx")
    if fmt not in ("xlsx", "csv"):
        fmt = "xlsx"
    data = services.catalog_export(fmt=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    ctype = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.{fmt}"'
    return response


@role_required(R.ADMIN)
@require_http_methods(["GET", "POST"])
def catalog_import_view(request):
    """Upload a catalogue file; show every bad row, or what was created and revised."""
    result = errors = None
    error_message = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error_message = _("请选择要导入的文件。")
            status = 400
        else:
            name = upload.name.lower()
            fmt = "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith(".csv") else None
            if fmt is None:
                error_message = _("只支持 .xlsx 或 .csv 文件。")
                status = 400
            else:
                try:
                    result = services.catalog_import(data=upload.read(), fmt=fmt, by=request.user, now=timezone.now())
                except RowErrors as exc:
                    errors, error_message, status = exc.errors, exc.message, 400
                except DomainError as exc:
                    error_message, status = exc.message, 400
                else:
                    messages.success(request, _("导入完成：新增 %(c)s 项，修订 %(r)s 项，未变化 %(u)s 项。") % {
                        "c": len(result.created), "r": len(result.revised), "u": len(result.unchanged)})
    return render(request, "catalog/import.html", {
        "result": result, "errors": errors, "error_message": error_message}, status=status)
