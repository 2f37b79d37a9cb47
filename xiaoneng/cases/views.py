"""Staff pages of cases: the scoped list, the case page (timeline, the clock explained, documents), window
registration (受理登记) with accept / one-time notice / refuse, and printable documents.

Thin views: parse, call a selector or a service, render. Scoping is decided in cases.selectors (on top of
accounts.selectors); a case outside the reader's scope answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.selectors import department_list_for, hosted_departments_for
from xiaoneng.catalog.models import SuspensionReason
from xiaoneng.catalog.selectors import registrable_item_list_for
from xiaoneng.core import clocks
from xiaoneng.core.errors import DomainError, NotPermitted

from . import services
from .forms import (
    AssignHandlerForm,
    CaseFilterForm,
    DenyForm,
    ExtendForm,
    RefuseForm,
    RegisterForm,
    SpecialProcedureForm,
    SupplementForm,
)
from .models import CaseDocument, CaseStatus
from .privacy import applicant_view, can_see_personal_data
from .selectors import (
    CaseFilters,
    applicant_messages,
    can_act_as_head,
    can_act_at_window,
    can_handle,
    case_documents,
    case_explain_deadline,
    case_get_for,
    case_list_for,
    case_timeline,
    deemed_notice_standing,
)

PAGE_SIZE = 25
WINDOW_ROLES = (R.WINDOW, R.HANDLER, R.HEAD)


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@role_required(*R.ALL)
def case_list(request):
    """Cases in the reader's scope, filtered and paginated, applicant data masked where required."""
    # A service centre's window also filters by the departments it hosts (its queue spans them).
    departments = [*department_list_for(request.user), *hosted_departments_for(request.user)]
    form = CaseFilterForm(request.GET or None, departments=departments)
    data = form.cleaned_data if form.is_valid() else {}
    overdue = {"1": True, "0": False}.get(data.get("overdue") or "")
    filters = CaseFilters(
        department=data.get("department") or None, status=data.get("status") or None,
        service_code=data.get("service_code") or None, received_from=data.get("received_from"),
        received_to=data.get("received_to"), overdue=overdue, q=data.get("q") or None,
        intake_mine=data.get("intake") == "mine", open_only=data.get("open") == "1",
    )
    now = timezone.now()
    page = Paginator(case_list_for(request.user, filters, now=now), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"case": c, "applicant": applicant_view(c, clear=can_see_personal_data(case=c, staff=request.user))}
            for c in page]
    return render(request, "cases/case_list.html", {
        "form": form, "page": page, "rows": rows, "query": _query_without_page(request), "now": now,
        "can_register": request.user.has_any_role(*WINDOW_ROLES),
        "queue": {"today": timezone.localdate(now).isoformat(), "intake": data.get("intake") == "mine",
                  "open": data.get("open") == "1"},
    })


@role_required(*R.ALL)
def case_detail(request, case_no: str):
    """The case page: state, the clock explained, timeline, documents, warnings, window actions."""
    case = case_get_for(request.user, case_no)
    clear = can_see_personal_data(case=case, staff=request.user)
    can_act = can_act_at_window(request.user, case)
    head = can_act_as_head(request.user, case)
    handles = can_handle(request.user, case)
    documents = case_documents(case)
    return render(request, "cases/case_detail.html", {
        "case": case, "applicant": applicant_view(case, clear=clear), "events": case_timeline(case),
        "messages_to_applicant": applicant_messages(case),
        "can_extend": head and case.status in (CaseStatus.ACCEPTED, CaseStatus.SUSPENDED),
        "handler_form": AssignHandlerForm(choices=services.case_handler_choices(case),
                                          initial={"handler": case.handler_id}) if head else None,
        "can_deny": head and case.status in (CaseStatus.ACCEPTED, CaseStatus.SUSPENDED),
        "can_start_special": handles and case.status == CaseStatus.ACCEPTED
        and bool(services.special_procedure_choices(case)),
        "can_end_special": handles and case.status == CaseStatus.SUSPENDED,
        "deemed_standing": next((d.standing for d in documents
                                 if d.kind == CaseDocument.Kind.DEEMED_APPROVAL_NOTICE), None),
        "clock": case_explain_deadline(case), "documents": documents,
        "warnings": clocks.judge().cards_of("case", [case.id]).get(case.id, []), "children": case.children.select_related("department"),
        "can_accept": can_act and case.status in (CaseStatus.RECEIVED, CaseStatus.SUPPLEMENTING),
        "can_supplement": can_act and case.status in (CaseStatus.RECEIVED, CaseStatus.SUPPLEMENTING,
                                                      CaseStatus.ACCEPTED),
        "can_refuse": can_act and case.status in (CaseStatus.RECEIVED, CaseStatus.SUPPLEMENTING),
    })


@role_required(*WINDOW_ROLES)
@require_http_methods(["GET", "POST"])
def case_register_view(request):
    """受理登记: register an application received at the window; the registering staff member is the
    first contact (首问责任人)."""
    items = list(registrable_item_list_for(request.user))
    by_code = {i.code: i for i in items}
    form = RegisterForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_register(
                item=by_code[d["item"]], by=request.user, now=timezone.now(), case_no=d["case_no"] or None,
                applicant={"name": d["applicant_name"], "id_no": d["applicant_id_no"], "phone": d["applicant_phone"]},
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已登记办件 %(no)s。") % {"no": case.case_no})
            return redirect("cases:case_detail", case_no=case.case_no)
    return render(request, "cases/case_register.html", {"form": form}, status=400 if form.errors else 200)


def _window_case(request, case_no: str):
    case = case_get_for(request.user, case_no)
    if not can_act_at_window(request.user, case):
        raise Http404  # visible but not theirs to act on: the page simply does not exist for them
    return case


@role_required(*WINDOW_ROLES)
@require_POST
def case_accept_view(request, case_no: str):
    case = _window_case(request, case_no)
    try:
        services.case_accept(case=case, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已受理，开始计时。"))
    return redirect("cases:case_detail", case_no=case.case_no)


@role_required(*WINDOW_ROLES)
@require_http_methods(["GET", "POST"])
def case_supplement_view(request, case_no: str):
    """一次性告知: tick ALL missing materials from the pinned version's checklist; issues the notice."""
    case = _window_case(request, case_no)
    checklist = list(case.version.materials.values_list("name", flat=True)) if case.version_id else []
    form = SupplementForm(request.POST if request.method == "POST" else None, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.case_request_supplement(case=case, materials=form.cleaned_data["materials"],
                                                   note=form.cleaned_data["note"], by=request.user, now=timezone.now())
        except DomainError as exc:
            form.add_error("materials" if exc.field == "materials" else None, exc.message)
        else:
            messages.success(request, _("已出具一次性告知书 %(no)s。") % {"no": doc.number_text})
            return redirect("cases:document", case_no=case.case_no, pk=doc.pk)
    return render(request, "cases/case_supplement.html", {"case": case, "form": form},
                  status=400 if form.errors else 200)


@role_required(*WINDOW_ROLES)
@require_http_methods(["GET", "POST"])
def case_refuse_view(request, case_no: str):
    """不予受理: a written reason is required; issues the decision with the applicant's rights."""
    case = _window_case(request, case_no)
    form = RefuseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.case_refuse(case=case, reason=form.cleaned_data["reason"], by=request.user,
                                       now=timezone.now())
        except DomainError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(request, _("已出具不予受理决定书 %(no)s。") % {"no": doc.number_text})
            return redirect("cases:document", case_no=case.case_no, pk=doc.pk)
    return render(request, "cases/case_refuse.html", {"case": case, "form": form}, status=400 if form.errors else 200)


def _head_case(request, case_no: str):
    case = case_get_for(request.user, case_no)
    if not can_act_as_head(request.user, case):
        raise Http404  # visible but not theirs to decide: the page does not exist for them
    return case


@role_required(R.HEAD)
@require_http_methods(["GET", "POST"])
def case_extend_view(request, case_no: str):
    """延长审查期限 (行政许可法 §42): the head approves up to 10 wd (a joint case: records the government
    head's approval of up to 15 wd) with a reason; issues the notice."""
    case = _head_case(request, case_no)
    form = ExtendForm(request.POST if request.method == "POST" else None, joint=case.is_joint_parent)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.case_extend(case=case, granted_days=form.cleaned_data["granted_days"],
                                       reason=form.cleaned_data["reason"], by=request.user, now=timezone.now())
        except (DomainError, NotPermitted) as exc:
            form.add_error(exc.field if getattr(exc, "field", None) in form.fields else None, exc.message)
        else:
            messages.success(request, _("已延长审查期限，出具延长审查期限告知书 %(no)s。") % {"no": doc.number_text})
            return redirect("cases:document", case_no=case.case_no, pk=doc.pk)
    return render(request, "cases/case_extend.html", {
        "case": case, "form": form, "used": services.extension_days_used(case),
    }, status=400 if form.errors else 200)


@role_required(R.HEAD)
@require_http_methods(["GET", "POST"])
def case_deny_view(request, case_no: str):
    """不予许可 (行政许可法 §38): the head decides with written reasons; issues the decision with the
    applicant's rights of review and suit."""
    case = _head_case(request, case_no)
    form = DenyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.case_deny(case=case, reason=form.cleaned_data["reason"], by=request.user,
                                     now=timezone.now())
        except (DomainError, NotPermitted) as exc:
            form.add_error("reason" if getattr(exc, "field", None) == "reason" else None, exc.message)
        else:
            messages.success(request, _("已作出不予许可决定，出具不予行政许可决定书 %(no)s。") % {"no": doc.number_text})
            return redirect("cases:document", case_no=case.case_no, pk=doc.pk)
    return render(request, "cases/case_deny.html", {"case": case, "form": form}, status=400 if form.errors else 200)


def _handling_case(request, case_no: str):
    case = case_get_for(request.user, case_no)
    if not can_handle(request.user, case):
        raise Http404  # visible but not theirs to handle: the page does not exist for them
    return case


@role_required(R.HANDLER, R.HEAD)
@require_http_methods(["GET", "POST"])
def case_special_view(request, case_no: str):
    """特别程序 (行政许可法 §45): start a procedure the item's guide lists, with its reason and expected
    duration; the clock stops and the written notice to the applicant is issued."""
    case = _handling_case(request, case_no)
    choices = services.special_procedure_choices(case)
    form = SpecialProcedureForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            doc = services.case_special_procedure_start(case=case, procedure=d["procedure"], reason=d["reason"],
                                                        expected_days=d["expected_days"], by=request.user,
                                                        now=timezone.now())
        except (DomainError, NotPermitted) as exc:
            form.add_error(exc.field if getattr(exc, "field", None) in form.fields else None, exc.message)
        else:
            messages.success(request, _("已启动特别程序，暂停计时，出具特别程序告知书 %(no)s。") % {"no": doc.number_text})
            return redirect("cases:document", case_no=case.case_no, pk=doc.pk)
    return render(request, "cases/case_special.html", {"case": case, "form": form},
                  status=400 if form.errors else 200)


@role_required(R.HANDLER, R.HEAD)
@require_POST
def case_special_end_view(request, case_no: str):
    """特别程序结束: the clock resumes."""
    case = _handling_case(request, case_no)
    try:
        services.case_special_procedure_end(case=case, by=request.user, now=timezone.now())
    except (DomainError, NotPermitted) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("特别程序已结束，恢复计时。"))
    return redirect("cases:case_detail", case_no=case.case_no)


@role_required(R.HEAD)
@require_POST
def case_handler_view(request, case_no: str):
    """A head assigns the case's handler (承办人)."""
    case = _head_case(request, case_no)
    form = AssignHandlerForm(request.POST, choices=services.case_handler_choices(case))
    if form.is_valid():
        try:
            services.case_assign_handler(case=case, handler=form.cleaned_data["handler"], by=request.user,
                                         now=timezone.now(), reason=form.cleaned_data["reason"])
        except (DomainError, NotPermitted) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已指定承办人。"))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("cases:case_detail", case_no=case.case_no)


@role_required(*R.ALL)
def document_view(request, case_no: str, pk: int):
    """A printable document of the case (applicant data masked unless the reader may see it); a
    deemed-approval notice with what became of it since (on screen: not part of the document)."""
    case = case_get_for(request.user, case_no)
    doc = get_object_or_404(CaseDocument.objects.select_related("issued_by"), pk=pk, case=case)
    clear = can_see_personal_data(case=case, staff=request.user)
    parent = case.department.parent
    kind = CaseDocument.Kind
    tz = timezone.get_current_timezone()
    return render(request, "cases/document.html", {
        "case": case, "doc": doc, "applicant": applicant_view(case, clear=clear),
        "review_body": parent.name if parent else _("上一级行政机关"),
        "is_notice": doc.kind == kind.ONE_TIME_NOTICE,
        "is_extension": doc.kind == kind.EXTENSION_NOTICE,
        "is_deemed": doc.kind == kind.DEEMED_APPROVAL_NOTICE,
        "is_special": doc.kind == kind.SPECIAL_PROCEDURE_NOTICE,
        "is_denial": doc.kind == kind.DENIAL_DECISION,
        "procedure_label": SuspensionReason(doc.procedure).label if doc.procedure in SuspensionReason.values else "",
        "standing": deemed_notice_standing(case, doc),
        # Recorded on a later day than its date (a deemed approval the platform learnt of late): said on the print.
        "recorded_later": doc.recorded_at.astimezone(tz).date() > doc.issued_at.astimezone(tz).date(),
        "phone": services.case_phone(case),
        # The portal's public progress look-up (issue 14), printed with the case's look-up code.
        "progress_url": (getattr(settings, "XIAONENG_PUBLIC_URL", "") or "").rstrip("/") + "/progress/",
    })
