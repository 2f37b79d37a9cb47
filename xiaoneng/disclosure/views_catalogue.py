"""Staff pages of catalogues and entries (thin: forms check shape, services the rules, selectors the reach).

- 公开目录 (`catalogue_home`): a department's catalogues (heads and handlers: their units, the versions, a new
  catalogue from the template); the office's and leaders' list of every department's catalogue in force.
- 报备审核 (`filing_queue`): the office's queue — filed catalogues to decide, returned ones, drafts past their
  filing deadline.
- A catalogue (`catalogue_detail`): its items (a draft's editor: add, edit, remove), its versions and decisions,
  and the actions the reader may take (file; accept or return; revise).
- 公开信息 (`entry_list`, `entry_new`, `entry_detail`, `entry_correct`, `entry_withdraw`).

An object outside the reader's reach is a 404 (selectors); an action the reader's role may not take on a
reachable object is a 403; an action refused by the rules (wrong state, bad input) is said in Chinese.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError

from . import forms_catalogue as F
from . import selectors_catalogue as S
from .models import Catalogue, CatalogueItem, CatalogueStatus, EntryStatus, Level
from .services import catalogues as C
from .services import entries as E

PAGE_SIZE = 30
READERS = S.READERS
DEPT = (R.HEAD, R.HANDLER)
OFFICE = (R.SUPERVISOR,)
QUEUE_READERS = (R.SUPERVISOR, R.LEADER)


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _error_to(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# ------------------------------------------------------------------------------------------------ catalogues
@role_required(*READERS)
@require_GET
def catalogue_home(request):
    """Heads and handlers: their units' catalogues and a new one; the office and leaders: every catalogue in
    force, with the filing queue's counts."""
    user = request.user
    depts = list(S.departments_for(user))
    mine = []
    if depts:
        cats = {}
        for c in Catalogue.objects.filter(department__in=depts).order_by("department_id", "-version"):
            cats.setdefault(c.department_id, []).append(c)
        mine = [{"department": d, "versions": cats.get(d.pk, [])} for d in depts]
    without = [m["department"] for m in mine if not m["versions"]]
    new_form = F.CatalogueNewForm(departments=without) if without else None
    current = None
    if user.is_county_wide:
        current = _page(request, S.catalogue_list_for(user).filter(current=True).order_by("department__path"))
    queue = S.filing_queue(now=timezone.now()) if user.has_any_role(*QUEUE_READERS) else None
    return render(request, "disclosure/catalogue/home.html", {
        "mine": mine, "new_form": new_form, "current": current, "queue": queue,
    })


@role_required(*DEPT)
@require_POST
def catalogue_new(request):
    depts = list(S.departments_for(request.user))
    form = F.CatalogueNewForm(request.POST, departments=depts)
    if form.is_valid():
        dept = next(d for d in depts if d.code == form.cleaned_data["department"])
        try:
            cat = C.catalogue_create(department=dept, level=form.cleaned_data["level"] or None,
                                     from_template=form.cleaned_data["from_template"], by=request.user,
                                     now=timezone.now())
            messages.success(request, _("公开目录草稿已按模板生成，请核对事项后报备。"))
            return redirect("disclosure:catalogue_detail", pk=cat.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("disclosure:catalogue_home")


@role_required(*QUEUE_READERS)
@require_GET
def filing_queue(request):
    return render(request, "disclosure/catalogue/queue.html", {"queue": S.filing_queue(now=timezone.now()),
                                                                "now": timezone.now()})


def _detail_context(request, cat: Catalogue, *, item_form=None, edit_item=None) -> dict:
    user = request.user
    editable = cat.status in C.EDITABLE and C.may_draft(user, cat.department)
    last = S.last_published(cat.department_id) if cat.current else {}
    return {
        "cat": cat, "rows": [{"item": i, "last": last.get(i.code)} for i in cat.items.all()], "versions": S.versions_of(cat.department_id),
        "editable": editable, "item_form": item_form or (F.ItemForm() if editable else None), "edit_item": edit_item,
        "can_file": cat.status in C.EDITABLE and C.may_file(user, cat.department),
        "can_decide": cat.status == CatalogueStatus.FILED and C.is_office(user),
        "can_revise": cat.current and C.may_draft(user, cat.department)
        and not Catalogue.objects.filter(department_id=cat.department_id, status__in=C.OPEN).exists(),
        "reason_form": F.ReasonForm(), "note_form": F.NoteForm(), "Level": Level,
    }


@role_required(*READERS)
@require_GET
def catalogue_detail(request, pk: int):
    cat = S.catalogue_get_for(request.user, pk)
    return render(request, "disclosure/catalogue/detail.html", _detail_context(request, cat))


def _item_target(request, pk: int, item_pk: int | None = None):
    cat = S.catalogue_get_for(request.user, pk)
    if not C.may_draft(request.user, cat.department):
        raise PermissionDenied(_("只有本单位的负责人和承办人可以编制公开目录。"))
    item = get_object_or_404(CatalogueItem, pk=item_pk, catalogue=cat) if item_pk is not None else None
    return cat, item


@role_required(*DEPT)
@require_POST
def catalogue_item_add(request, pk: int):
    cat, _item = _item_target(request, pk)
    form = F.ItemForm(request.POST)
    if form.is_valid():
        try:
            C.catalogue_item_add(catalogue=cat, **form.cleaned_data, by=request.user, now=timezone.now())
            messages.success(request, _("已添加公开事项。"))
            return redirect("disclosure:catalogue_detail", pk=cat.pk)
        except DomainError as exc:
            _error_to(form, exc)
    return render(request, "disclosure/catalogue/detail.html", _detail_context(request, cat, item_form=form),
                  status=400)


@role_required(*DEPT)
@require_http_methods(["GET", "POST"])
def catalogue_item_edit(request, pk: int, item_pk: int):
    cat, item = _item_target(request, pk, item_pk)
    initial = {k: getattr(item, k) for k in ("code", "name", "category", "frequency", "legal_basis", "content")}
    form = F.ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            C.catalogue_item_edit(item=item, **form.cleaned_data, by=request.user, now=timezone.now())
            messages.success(request, _("已保存公开事项。"))
            return redirect("disclosure:catalogue_detail", pk=cat.pk)
        except DomainError as exc:
            _error_to(form, exc)
    return render(request, "disclosure/catalogue/item_form.html", {"cat": cat, "item": item, "form": form},
                  status=400 if form.errors else 200)


@role_required(*DEPT)
@require_POST
def catalogue_item_remove(request, pk: int, item_pk: int):
    cat, item = _item_target(request, pk, item_pk)
    try:
        C.catalogue_item_remove(item=item, by=request.user, now=timezone.now())
        messages.success(request, _("已删除公开事项“%(name)s”。") % {"name": item.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("disclosure:catalogue_detail", pk=cat.pk)


ACTIONS = ("file", "accept", "return", "revise")


@role_required(R.HEAD, R.HANDLER, R.SUPERVISOR)
@require_POST
def catalogue_action(request, pk: int, action: str):
    """file (a head), accept or return (the office), revise (heads and handlers) — each refused with its reason
    when the catalogue's state does not allow it."""
    if action not in ACTIONS:
        raise Http404
    user, now = request.user, timezone.now()
    cat = S.catalogue_get_for(user, pk)
    allowed = {"file": C.may_file(user, cat.department), "accept": C.is_office(user),
               "return": C.is_office(user), "revise": C.may_draft(user, cat.department)}[action]
    if not allowed:
        raise PermissionDenied(_("您的角色不能执行此操作。"))
    target = cat
    try:
        if action == "file":
            C.catalogue_file(catalogue=cat, by=user, now=now)
            messages.success(request, _("公开目录已报备，等待效能办审核。"))
        elif action == "accept":
            form = F.NoteForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            C.catalogue_accept(catalogue=cat, note=note, by=user, now=now)
            messages.success(request, _("公开目录已备案，现已对外公开。"))
        elif action == "return":
            C.catalogue_return(catalogue=cat, reason=request.POST.get("reason", "")[:2000], by=user, now=now)
            messages.success(request, _("公开目录已退回，单位修改后可重新报备。"))
        else:
            form = F.NoteForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            target = C.catalogue_revise(department=cat.department, note=note, by=user, now=now)
            messages.success(request, _("已生成新版本草稿；修改后报备，备案后替代现行版本。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("disclosure:catalogue_detail", pk=target.pk)


# ------------------------------------------------------------------------------------------------ entries
@role_required(*READERS)
@require_GET
def entry_list(request):
    """Entries of the reader's reach, newest first, filtered by department and item."""
    qs = S.entry_list_for(request.user).order_by("-published_at", "-id")
    dept = (request.GET.get("department") or "")[:32]
    item = (request.GET.get("item") or "").upper()[:32]
    status = request.GET.get("status", "")
    if dept:
        qs = qs.filter(department__code=dept)
    if item:
        qs = qs.filter(item_code=item)
    if status in EntryStatus.values:
        qs = qs.filter(status=status)
    query = "&".join(f"{k}={v}" for k, v in (("department", dept), ("item", item), ("status", status)) if v)
    return render(request, "disclosure/catalogue/entries.html", {
        "page": _page(request, qs), "department": dept, "item": item, "status": status,
        "statuses": EntryStatus.choices, "departments": list(S.departments_for(request.user)), "query": query,
        "can_publish": request.user.has_any_role(*DEPT),
    })


def _publish_department(request):
    depts = list(S.departments_for(request.user))
    code = (request.GET.get("department") or request.POST.get("department") or "")[:32]
    if not depts:
        raise PermissionDenied(_("只有本单位的负责人和承办人可以发布公开信息。"))
    dept = next((d for d in depts if d.code == code), None) if code else None
    if dept is None:
        dept = next((d for d in depts if d.pk == request.user.department_id), depts[0])
    return dept, depts


def _attachment(request, form):
    try:
        return E.clean_attachment(request.FILES.getlist("attachment"))
    except DomainError as exc:
        form.add_error("attachment", exc.message)
        return None


@role_required(*DEPT)
@require_http_methods(["GET", "POST"])
def entry_new(request):
    """Publish an entry of one of the reader's units against its current catalogue."""
    dept, depts = _publish_department(request)
    current = Catalogue.objects.filter(department=dept, current=True).first()
    items = list(current.items.all()) if current else []
    initial = {"item": (request.GET.get("item") or "").upper()[:32]}
    form = F.EntryForm(request.POST or None, request.FILES or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        attachment = _attachment(request, form)
        if not form.errors:
            d = form.cleaned_data
            try:
                e = E.entry_publish(department=dept, item_code=d["item"], title=d["title"], body=d["body"],
                                    table=d["table_text"], attachment=attachment, published_at=d["published_at"],
                                    by=request.user, now=timezone.now())
                messages.success(request, _("已公开：%(number)s。") % {"number": e.number})
                return redirect("disclosure:entry_detail", number=e.number)
            except DomainError as exc:
                if exc.field == "table":
                    exc.field = "table_text"
                _error_to(form, exc)
    return render(request, "disclosure/catalogue/entry_form.html", {
        "form": form, "department": dept, "departments": depts, "current": current,
    }, status=400 if form.errors else 200)


@role_required(*READERS)
@require_GET
def entry_detail(request, number: str):
    e = S.entry_get_for(request.user, number)
    return render(request, "disclosure/catalogue/entry_detail.html", {
        "e": e, "history": S.history_of(e), "reason_form": F.ReasonForm(),
        "can_correct": e.status == EntryStatus.PUBLISHED and E.may_publish(request.user, e.department),
        "can_withdraw": e.status == EntryStatus.PUBLISHED and C.is_office(request.user),
    })


@role_required(*DEPT)
@require_http_methods(["GET", "POST"])
def entry_correct(request, number: str):
    e = S.entry_get_for(request.user, number)
    if not E.may_publish(request.user, e.department):
        raise PermissionDenied(_("只有本单位的负责人和承办人可以更正公开信息。"))
    if e.status != EntryStatus.PUBLISHED:
        messages.error(request, _("只能更正现行版本。"))
        return redirect("disclosure:entry_detail", number=e.number)
    initial = {"title": e.title, "body": e.body, "table_text": F.table_as_text(e.table), "keep_attachment": True}
    form = F.EntryForm(request.POST or None, request.FILES or None, correcting=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        attachment = _attachment(request, form)
        if not form.errors:
            d = form.cleaned_data
            try:
                new = E.entry_correct(entry=e, reason=d["reason"], title=d["title"], body=d["body"],
                                      table=d["table_text"], attachment=attachment,
                                      keep_attachment=d["keep_attachment"], published_at=d["published_at"],
                                      by=request.user, now=timezone.now())
                messages.success(request, _("已更正：%(number)s，原版本标记为已更正。") % {"number": new.number})
                return redirect("disclosure:entry_detail", number=new.number)
            except DomainError as exc:
                if exc.field == "table":
                    exc.field = "table_text"
                _error_to(form, exc)
    return render(request, "disclosure/catalogue/entry_form.html", {"form": form, "entry": e,
                                                                     "department": e.department},
                  status=400 if form.errors else 200)


@role_required(*OFFICE)
@require_POST
def entry_withdraw(request, number: str):
    e = S.entry_get_for(request.user, number)
    try:
        E.entry_withdraw(entry=e, reason=request.POST.get("reason", "")[:2000], by=request.user, now=timezone.now())
        messages.success(request, _("已撤回。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("disclosure:entry_detail", number=e.number)

