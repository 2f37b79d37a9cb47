"""The consequences pages (issue 13 §3): bulletins (list, generate, page, publish, PDF and Excel), the sanctions
register (list with filters, detail with evidence, the office's confirm/dismiss/appeal decision, appeals by the
department's head or the sanctioned member, a new sanction by hand, the decision document as a printable page
and PDF), and a staff member's record (绩效档案). Thin: selectors_consequences reads (scoped), services write,
a refused form re-renders with the error beside its field (400), nothing stored.

Who: supervisors everything; leaders read bulletins and the register; heads read their department's sanctions
and appeal them; handlers read the sanctions against themselves and appeal them; window staff and
administrators none. A staff record: the office, the member and the member's heads only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError

from . import exports_bulletin, pdf
from . import forms_consequences as F
from . import selectors_consequences as S
from .models import Evaluation, EvaluationStatus, SanctionKind, SanctionSource
from .services import bulletins as B
from .services import sanctions as svc

BULLETIN_READERS = (R.SUPERVISOR, R.LEADER)
SANCTION_READERS = (R.SUPERVISOR, R.LEADER, R.HEAD, R.HANDLER)
PAGE_SIZE = 50


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def _font_missing(request, exc: pdf.FontMissing, back: str):
    return render(request, "evaluation/consequences/pdf_error.html", {"message": exc.message, "back": back},
                  status=503)


# ----------------------------------------------------------------------------------------------- bulletins
def _bulletin_list(request, *, error: str = "", status: int = 200):
    page = Paginator(S.bulletin_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    pending = S.evaluations_without_bulletin() if S.is_office(request.user) else []
    return render(request, "evaluation/consequences/bulletin_list.html", {
        "page": page, "pending": pending, "office": S.is_office(request.user), "error": error}, status=status)


@role_required(*BULLETIN_READERS)
@require_GET
def bulletin_list(request):
    """Bulletins, newest first; for the office, the published evaluations that have none yet (generate)."""
    return _bulletin_list(request)


@role_required(R.SUPERVISOR)
@require_POST
def bulletin_generate(request):
    raw = request.POST.get("evaluation", "").strip()[:20]
    ev = Evaluation.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
    if ev is None:
        return _bulletin_list(request, error=_("请选择已发布的考核结果。"), status=400)
    try:
        b = B.bulletin_generate(ev, now=timezone.now(), by=request.user)
    except DomainError as exc:
        return _bulletin_list(request, error=exc.message, status=400)
    messages.success(request, _("通报已生成，请核对后印发。"))
    return redirect("evaluation:bulletin_detail", pk=b.pk)


@role_required(*BULLETIN_READERS)
@require_GET
def bulletin_detail(request, pk: int):
    """The bulletin as it prints (print-friendly), with its downloads; the office publishes it."""
    b = S.bulletin_get(pk)
    superseded = b.evaluation.status == EvaluationStatus.SUPERSEDED
    return render(request, "evaluation/consequences/bulletin_detail.html", {
        "b": b, "c": b.content, "office": S.is_office(request.user), "superseded": superseded})


@role_required(R.SUPERVISOR)
@require_POST
def bulletin_publish(request, pk: int):
    b = S.bulletin_get(pk)
    try:
        B.bulletin_publish(b, now=timezone.now(), by=request.user)
    except DomainError as exc:
        return render(request, "evaluation/consequences/bulletin_detail.html", {
            "b": b, "c": b.content, "office": True, "error": exc.message}, status=400)
    messages.success(request, _("通报已印发。"))
    return redirect("evaluation:bulletin_detail", pk=b.pk)


@role_required(*BULLETIN_READERS)
@require_GET
def bulletin_pdf(request, pk: int):
    b = S.bulletin_get(pk)
    try:
        data = pdf.bulletin_pdf(b.content)
    except pdf.FontMissing as exc:
        return _font_missing(request, exc, back=f"/staff/evaluation/bulletins/{b.pk}/")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{b.evaluation.period}.pdf"'
    return response


@role_required(*BULLETIN_READERS)
@require_GET
def bulletin_xlsx(request, pk: int):
    b = S.bulletin_get(pk)
    response = HttpResponse(exports_bulletin.bulletin_xlsx(b.content), content_type=exports_bulletin.XLSX)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{b.evaluation.period}.xlsx"'
    return response


# ----------------------------------------------------------------------------------------------- the register
def _filters(request):
    errors: list[str] = []
    q = {k: request.GET.get(k, "").strip()[:32] for k in ("status", "kind", "source", "department")}
    for key, values, msg in (("status", [v for v, _label in S.status_choices() if v], _("状态筛选无效。")),
                             ("kind", SanctionKind.values, _("处理方式筛选无效。")),
                             ("source", SanctionSource.values, _("来源筛选无效。"))):
        if q[key] and q[key] not in values:
            errors.append(msg)
            q[key] = ""
    allowed = S.filter_departments_for(request.user)
    dept = None
    if q["department"]:
        dept = allowed.filter(code=q["department"]).first()
        if dept is None:
            errors.append(_("部门不存在或不在您的权限范围内。"))
            q["department"] = ""
    f = S.SanctionFilters(status=q["status"], kind=q["kind"], source=q["source"], department=dept)
    return f, q, allowed, errors


@role_required(*SANCTION_READERS)
@require_GET
def sanction_list(request):
    """The register the viewer may read, newest first, filtered by status (by default pending and decided ones,
    not the dismissed), kind, department and source; 50 a page."""
    f, q, allowed, errors = _filters(request)
    page = Paginator(S.sanction_list_for(request.user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in q.items() if v})
    return _private(render(request, "evaluation/consequences/sanction_list.html", {
        "page": page, "q": q, "query": query, "departments": allowed, **S.choices(), "errors": errors,
        "office": S.is_office(request.user)}, status=400 if errors else 200))


def _detail(request, s, *, forms: dict | None = None, error_action: str = "", status: int = 200):
    perms = S.sanction_permissions(request.user, s)
    shown = {}
    if perms["confirm"]:
        shown["confirm"] = F.ConfirmForm(auto_id="confirm-%s", initial={
            "points": s.points or svc.DEFAULT_POINTS.get(s.kind), "basis": s.basis})
    if perms["dismiss"]:
        shown["dismiss"] = F.DismissForm(auto_id="dismiss-%s")
    if perms["appeal"]:
        shown["appeal"] = F.AppealForm(auto_id="appeal-%s")
    if perms["decide"]:
        shown["decide"] = F.DecideForm(auto_id="decide-%s")
    shown.update(forms or {})
    # a decided automatic proposal a later revision of its period no longer calls for: said, for the office to
    # review (the register never changes a decision by itself)
    unsupported = (svc.sanction_unsupported(s) if S.is_office(request.user) or request.user.has_role(R.LEADER)
                   else None) if s.status in S.DECIDED else None
    return _private(render(request, "evaluation/consequences/sanction_detail.html", {
        "s": s, "perms": perms, "forms": shown, "evidence": S.evidence_rows(request.user, s),
        "unsupported": unsupported,
        "error_action": error_action, "office": S.is_office(request.user)}, status=status))


@role_required(*SANCTION_READERS)
@require_GET
def sanction_detail(request, pk: int):
    return _detail(request, S.sanction_get_for(request.user, pk))


ACTIONS = {
    "confirm": (F.ConfirmForm, "confirm"),
    "dismiss": (F.DismissForm, "dismiss"),
    "appeal": (F.AppealForm, "appeal"),
    "decide": (F.DecideForm, "decide"),
}


def _act(request, pk: int, name: str):
    s = S.sanction_get_for(request.user, pk)
    office = S.is_office(request.user)
    if name in ("confirm", "dismiss", "decide") and not office:
        raise PermissionDenied
    if name == "appeal" and not svc.may_appeal(request.user, s):
        raise PermissionDenied
    form_class, key = ACTIONS[name]
    form = form_class(request.POST, auto_id=f"{key}-%s")
    if form.is_valid():
        d, now, by = form.cleaned_data, timezone.now(), request.user
        try:
            if name == "confirm":
                svc.sanction_confirm(s, now=now, by=by, points=d["points"], note=d["note"], basis=d["basis"])
                msg = _("已作出决定，决定书已编号。")
            elif name == "dismiss":
                svc.sanction_dismiss(s, now=now, by=by, reason=d["reason"])
                msg = _("已决定不予处理。")
            elif name == "appeal":
                svc.sanction_appeal(s, now=now, by=by, text=d["text"])
                msg = _("申诉已提交效能办。")
            else:
                svc.sanction_appeal_decide(s, now=now, by=by, upheld=d["outcome"] == "upheld", note=d["note"])
                msg = _("申诉已处理。")
            messages.success(request, msg)
            return redirect("evaluation:sanction_detail", pk=s.pk)
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            field = F.FIELD_OF.get(exc.field, None)
            form.add_error(field if field in form.fields else None, exc.message)
    s.refresh_from_db()
    return _detail(request, s, forms={key: form}, error_action=key, status=400)


@role_required(*SANCTION_READERS)
@require_POST
def sanction_confirm(request, pk: int):
    return _act(request, pk, "confirm")


@role_required(*SANCTION_READERS)
@require_POST
def sanction_dismiss(request, pk: int):
    return _act(request, pk, "dismiss")


@role_required(*SANCTION_READERS)
@require_POST
def sanction_appeal(request, pk: int):
    return _act(request, pk, "appeal")


@role_required(*SANCTION_READERS)
@require_POST
def sanction_decide(request, pk: int):
    return _act(request, pk, "decide")


@role_required(R.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def sanction_new(request):
    """The office enters a sanction by hand (proposed; confirmed on its page), with its evidence by number."""
    form = F.NewSanctionForm(request.POST or None, auto_id="new-%s")
    if request.method == "POST" and form.is_valid():
        evidence = form.evidence()
        if not form.errors:
            d = form.cleaned_data
            try:
                s = svc.sanction_propose(kind=d["kind"], department=d["department"], staff=d["staff"],
                                         reason=d["reason"], basis=d["basis"], points=d["points"] or None,
                                         evidence=evidence, now=timezone.now(), by=request.user)
                messages.success(request, _("已登记问责事项，请在详情页作出决定。"))
                return redirect("evaluation:sanction_detail", pk=s.pk)
            except DomainError as exc:
                field = F.FIELD_OF.get(exc.field, None)
                form.add_error(field if field in form.fields else None, exc.message)
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/consequences/sanction_new.html", {"form": form}, status=status)


def _document(request, pk: int):
    s = S.sanction_get_for(request.user, pk)
    if not s.number:
        from django.http import Http404

        raise Http404
    return s, S.decision_document(s)


@role_required(*SANCTION_READERS)
@require_GET
def sanction_document(request, pk: int):
    """The decision document (效能问责决定书), numbered, printable."""
    s, doc = _document(request, pk)
    return _private(render(request, "evaluation/consequences/sanction_document.html", {"s": s, "doc": doc}))


@role_required(*SANCTION_READERS)
@require_GET
def sanction_pdf(request, pk: int):
    s, doc = _document(request, pk)
    try:
        data = pdf.decision_pdf(doc)
    except pdf.FontMissing as exc:
        return _font_missing(request, exc, back=f"/staff/evaluation/sanctions/{s.pk}/")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="decision-{s.pk}.pdf"'
    return _private(response)


# ----------------------------------------------------------------------------------------------- staff record
@role_required(*R.ALL)
@require_GET
def staff_record(request, pk: int):
    """A staff member's record (绩效档案): cards as handler, ratings, sanctions over time, by quarter."""
    member = S.record_member_get_for(request.user, pk)
    if not S.record_visible(request.user, member):
        raise PermissionDenied
    data = S.staff_record(member)
    return _private(render(request, "evaluation/consequences/staff_record.html", {"member": member, **data}))
