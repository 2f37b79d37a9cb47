"""Pages of the rectifications of bad ratings (差评整改): the department's list, each rectification's page with
the forms of the step its reader may take, and the office's review queue (submissions, appeals).

Thin views: parse, call a selector or a service, render. Scope is decided by selectors_rectify (out of scope:
404); services check again who may act (403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError

from . import forms_rectify as F
from . import selectors_rectify as S
from .models import Appeal, Level, RatingReason, RectificationStatus
from .services import rectification as svc

PAGE_SIZE = 30
READERS = S.READERS
STATUS = RectificationStatus


def _private(response):
    """Pages naming a rater (or masking one) are kept by no cache."""
    add_never_cache_headers(response)
    return response


@role_required(*READERS)
@require_GET
def rectify_list(request):
    status = request.GET.get("status", "")
    status = status if status in ("running", *STATUS.values) else ""
    flag = request.GET.get("flag", "")
    flag = flag if flag in S.FLAGS else ""
    department = request.GET.get("department", "")[:40]
    now = timezone.now()
    qs = S.rectification_list(request.user, status=status, department=department, flag=flag)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for r in page:
        r.days_left = S.working_days_left(r, now)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "ratings/rectify/list.html", {
        "page": page, "status": status, "statuses": STATUS.choices, "query": params.urlencode(),
        "office": svc.is_office(request.user), "flag": flag, "department": department,
        "flags": [("reminder", _("预警")), ("yellow", _("黄牌")), ("red", _("红牌"))],
        "departments": S.departments_with_rectifications(request.user),
    })


@role_required(R.SUPERVISOR)
@require_GET
def rectify_review(request):
    subs, appeals = S.review_queue(request.user)
    now = timezone.now()
    subs = list(subs[:200])
    for r in subs:
        r.late = r.submitted_at is not None and r.submitted_at > r.due_at
    return render(request, "ratings/rectify/review.html", {"subs": subs, "appeals": list(appeals[:200]), "now": now})


def _context(request, r, **extra) -> dict:
    user = request.user
    now = timezone.now()
    work = r.status in svc.WORKING and svc.may_work(user, r)
    head = svc.is_department_head(user, r)
    office = svc.is_office(user)
    forms = {}
    if work:
        forms["work"] = F.WorkForm(auto_id="work-%s", initial={
            "verification": r.verification, "action": r.action, "explained": r.explained,
            "callback_at": timezone.localtime(r.callback_at) if r.callback_at else None,
            "callback_result": r.callback_result, "callback_reached": r.callback_reached})
    if head and r.status in (*svc.WORKING, STATUS.APPEALED, STATUS.SUBMITTED):
        forms["assign"] = F.AssignForm(auto_id="assign-%s", department=r.department,
                                       initial={"handler": r.handler_id})
    pending = r.rating.appeals.filter(decision=Appeal.Decision.PENDING).first()
    if head and r.status in svc.WORKING and pending is None:
        forms["appeal"] = F.AppealForm(auto_id="appeal-%s")
    if office and r.status == STATUS.SUBMITTED:
        forms["review"] = F.ReviewForm(auto_id="review-%s")
    if office and pending is not None:
        forms["decide"] = F.AppealDecideForm(auto_id="decide-%s")
    forms.update(extra.pop("error_forms", {}))
    rating = r.rating
    reasons = dict(RatingReason.objects.filter(code__in=rating.reasons or []).values_list("code", "name"))
    return {
        "r": r, "rating": rating, "rater": S.rater_view(user, r), "forms": forms, "office": office,
        # Names only: a code without its reason row (a list changed since) is not shown as a raw key.
        "reasons": [reasons[c] for c in rating.reasons or [] if c in reasons], "level_label": Level(rating.level).label,
        "named": svc.is_named(rating), "days_left": S.working_days_left(r, now),
        "actions": r.actions.select_related("by").order_by("at", "id"),
        "appeals": rating.appeals.select_related("department", "filed_by", "decided_by").order_by("filed_at", "id"),
        "evidence_ok": office or svc.in_department(user, r), "pending": pending,
        **extra,
    }


@role_required(*READERS)
@require_GET
def rectify_detail(request, number: str):
    r = S.rectification_get_for(request.user, number)
    return _private(render(request, "ratings/rectify/detail.html", _context(request, r)))


FORMS = {"save": F.WorkForm, "submit": F.WorkForm, "assign": F.AssignForm, "appeal": F.AppealForm,
         "review": F.ReviewForm, "decide": F.AppealDecideForm}
FORM_KEY = {"save": "work", "submit": "work"}


def _run(name: str, form, r, user, now) -> str:
    d = form.cleaned_data
    if name in ("save", "submit"):
        kw = {k: d[k] for k in ("verification", "action", "explained", "callback_at", "callback_result",
                                "callback_reached")}
        if name == "save":
            svc.rectification_save(rectification=r, by=user, now=now, **kw)
            return _("整改进展已保存。")
        svc.rectification_submit(rectification=r, by=user, now=now, **kw)
        return _("整改情况已提交效能办审核。")
    if name == "assign":
        svc.rectification_assign(rectification=r, handler=d["handler"], by=user, now=now)
        return _("已指定整改承办人。")
    if name == "appeal":
        svc.rectification_appeal(rectification=r, by=user, now=now, reason=d["reason"], evidence=d["evidence"])
        return _("申诉已提交效能办审核。")
    if name == "review":
        if d["decision"] == "accept":
            svc.rectification_accept(rectification=r, by=user, now=now, note=d["note"])
            return _("整改已审核通过。")
        svc.rectification_return(rectification=r, by=user, now=now, note=d["note"])
        return _("整改已退回重办。")
    if name == "decide":
        appeal = r.rating.appeals.filter(decision=Appeal.Decision.PENDING).first()
        if appeal is None:
            raise DomainError(_("没有待审核的申诉。"), field="decision")
        svc.appeal_decide(appeal=appeal, by=user, now=now, uphold=d["decision"] == "uphold", note=d["note"])
        return _("申诉已审核。")
    raise Http404  # pragma: no cover


@role_required(R.SUPERVISOR, R.HANDLER, R.HEAD)
@require_POST
def rectify_action(request, number: str, name: str):
    """Every step on a rectification posts here; a refused form re-renders the page with the error beside its
    field (400), nothing stored."""
    if name not in FORMS:
        raise Http404
    r = S.rectification_get_for(request.user, number)
    kw = {"department": r.department} if name == "assign" else {}
    form = FORMS[name](request.POST, request.FILES, auto_id=f"{FORM_KEY.get(name, name)}-%s", **kw)
    if form.is_valid():
        try:
            with transaction.atomic():
                msg = _run(name, form, r, request.user, timezone.now())
            messages.success(request, msg)
            return redirect("ratings:rectify_detail", number=r.number)
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    r.refresh_from_db()
    ctx = _context(request, r, error_forms={FORM_KEY.get(name, name): form}, error_action=name)
    return _private(render(request, "ratings/rectify/detail.html", ctx, status=400))


@role_required(R.SUPERVISOR, R.HANDLER, R.HEAD)
@require_GET
def appeal_evidence(request, number: str, pk: int):
    """An appeal's evidence file, for the office and the department (leaders and administrators read no files)."""
    r = S.rectification_get_for(request.user, number)
    if not (svc.is_office(request.user) or svc.in_department(request.user, r)):
        raise Http404
    a = get_object_or_404(Appeal, pk=pk, rating_id=r.rating_id)
    if not a.evidence:
        raise Http404
    resp = FileResponse(a.evidence.open("rb"), as_attachment=True, filename=a.evidence_name or "evidence")
    resp["X-Content-Type-Options"] = "nosniff"
    return _private(resp)
