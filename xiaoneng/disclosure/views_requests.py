"""Staff pages of information requests (依申请公开): the department's desk (due soonest first, flags), the staff
entry of a visit, letter, fax or e-mail, a request's page with the forms its reader may use, the office's
overview of all departments, and the head's landing panel. Thin: parse, call a selector or a service, render.
Who reads is decided in selectors_requests; who acts, again, in the services."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.models import Staff
from xiaoneng.accounts.selectors import department_scope_q
from xiaoneng.core.errors import DomainError

from . import forms_requests as F
from . import selectors_requests as S
from .models import InformationRequest, RequestReview, RequestStatus
from .services import requests as svc

READERS = S.READERS
REGISTRARS = S.REGISTRARS
ACTORS = (R.SUPERVISOR, R.HEAD, R.HANDLER)
PAGE_SIZE = 30


def _place(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# ------------------------------------------------------------------------------------------------ the desk
@role_required(*READERS)
@require_GET
def request_desk(request):
    status = request.GET.get("status", "open")
    q = request.GET.get("q", "")
    qs = S.request_list_desk(request.user, status=status, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for r in page:
        left = S.working_days_left(r, now=now)
        rows.append({"r": r, "left": left, "over": -left if left is not None and left < 0 else 0})
    query = urlencode({k: v for k, v in (("status", status), ("q", q)) if v})
    return render(request, "disclosure/requests/desk.html", {
        "page": page, "rows": rows, "status": status, "q": q[:40], "query": query,
        "statuses": [("open", _("办理中")), *RequestStatus.choices, ("all", "全部")],
        "may_register": request.user.has_any_role(*REGISTRARS),
        "may_overview": request.user.has_any_role(R.SUPERVISOR, R.LEADER)})


@role_required(*REGISTRARS)
@require_http_methods(["GET", "POST"])
def request_register(request):
    """A request received by visit, post, fax or e-mail, entered by the department (or the office)."""
    user = request.user
    departments = S.department_choices()
    if not user.is_county_wide:
        departments = departments.filter(department_scope_q(user, field=""))
    form = F.StaffRequestForm(request.POST or None, departments=departments,
                              initial={"department": user.department.code if user.department_id else None})
    if request.method == "POST" and form.is_valid():
        try:
            req = svc.information_request_submit(
                channel=form.cleaned_data["channel"], received_at=form.cleaned_data.get("received_at"),
                by=user, now=timezone.now(), **form.service_kwargs())
        except DomainError as exc:
            _place(form, exc)
        else:
            messages.success(request, _("已登记申请 %(no)s，答复期限 %(at)s。") % {
                "no": req.number, "at": f"{timezone.localtime(req.due_at):%Y-%m-%d %H:%M}"})
            if S.requests_for(user).filter(pk=req.pk).exists():
                return redirect("disclosure:request_detail", number=req.number)
            return redirect("disclosure:request_register")
    status = 400 if request.method == "POST" else 200
    return render(request, "disclosure/requests/register.html", {"form": form}, status=status)


# ------------------------------------------------------------------------------------------------ a request
ACTIONS = {
    # name → (form class, statuses it applies in, who: "handle" / "head" / "office" / "office_or_head")
    "assign": (F.AssignForm, svc.OPEN_STATUSES, "head"),
    "correction_notice": (F.TextForm, (RequestStatus.RECEIVED,), "handle"),
    "corrected": (F.NoteForm, (RequestStatus.CORRECTION,), "handle"),
    "consult": (F.ConsultForm, (RequestStatus.RECEIVED,), "handle"),
    "consulted": (F.NoteForm, (RequestStatus.CONSULTING,), "handle"),
    "extend": (F.ExtendForm, (RequestStatus.RECEIVED,), "head"),
    "answer": (F.AnswerForm, (RequestStatus.RECEIVED, RequestStatus.CORRECTION), "handle"),
    "withdraw": (F.ReasonForm, svc.OPEN_STATUSES, "handle_or_office"),
    "note": (F.TextForm, tuple(RequestStatus.values), "handle_or_office"),
    "publish": (F.PublishForm, (RequestStatus.ANSWERED,), "office_or_head"),
    "review": (F.ReviewForm, (RequestStatus.ANSWERED,), "office"),
}
ACTION_TITLES = {  # gettext_noop: translated when shown
    "assign": gettext_noop("指定承办人"), "correction_notice": gettext_noop("告知补正（一次性告知）"), "corrected": gettext_noop("登记申请人补正"),
    "consult": gettext_noop("征求第三方意见"), "consulted": gettext_noop("第三方意见收回"), "extend": gettext_noop("延长答复期限（负责人批准）"),
    "answer": gettext_noop("作出答复"), "withdraw": gettext_noop("登记申请人撤回"), "note": gettext_noop("添加办理记录（内部）"), "publish": gettext_noop("公开答复"),
    "review": gettext_noop("登记行政复议或行政诉讼"),
}


def _may(user, req: InformationRequest, who: str) -> bool:
    if who == "handle":
        return svc.may_handle(user, req)
    if who == "head":
        return svc.may_head(user, req)
    if who == "office":
        return svc.is_office(user)
    if who == "office_or_head":
        return svc.is_office(user) or svc.may_head(user, req)
    return svc.may_handle(user, req) or svc.is_office(user)


def _handlers(req: InformationRequest):
    return Staff.objects.filter(is_active=True, department__path__startswith=req.department.path,
                                groups__name__in=(R.HANDLER, R.HEAD)).distinct().order_by("username")


def _form(name: str, req: InformationRequest, data=None):
    cls = ACTIONS[name][0]
    kw = {"prefix": name}
    if cls is F.AssignForm:
        kw["staff_qs"] = _handlers(req)
    if cls is F.PublishForm and data is None:
        kw["initial"] = {"publish": not req.publish_answer}
    return cls(data, **kw)


def _detail(request, req: InformationRequest, *, bound: dict | None = None, status: int = 200):
    user = request.user
    forms = []
    for name, (_cls, statuses, who) in ACTIONS.items():
        if req.status in statuses and _may(user, req, who):
            if name == "correction_notice" and any(e.kind == "correction_notice" for e in req.events.all()):
                continue
            if name == "extend" and req.extension_wd:
                continue
            form = (bound or {}).get(name) or _form(name, req)
            forms.append({"name": name, "title": _(ACTION_TITLES[name]), "form": form,
                          "url": reverse("disclosure:request_action", args=[req.number, name])})
    from xiaoneng.core import clocks

    cards = clocks.judge().cards_of("inforequest", [req.pk]).get(req.pk, [])
    return render(request, "disclosure/requests/detail.html", {
        "r": req, "applicant": S.applicant_for(user, req), "description": S.text_for(user, req, req.description),
        "purpose": S.text_for(user, req, req.purpose), "answer_text": S.text_for(user, req, req.answer_text),
        "answer_label": S.answer_label(req), "events": list(req.events.select_related("by")),
        "notice_late": S.correction_notice_late(req), "notice_due": svc.correction_notice_due(req.received_at),
        "left": S.working_days_left(req, now=timezone.now()), "forms": forms, "cards": cards,
        "reviews": list(req.reviews.all()), "delivery": svc.DELIVERY_LABELS.get(req.delivery, req.delivery),
        "code": svc.tracking_code_display(req.tracking_code) if S.may_read_identity(user, req) else "",
    }, status=status)


@role_required(*READERS)
@require_GET
def request_detail(request, number: str):
    req = S.request_get_for(request.user, number)
    return _detail(request, req)


@role_required(*ACTORS)
@require_POST
def request_action(request, number: str, name: str):
    req = S.request_get_for(request.user, number)
    if name not in ACTIONS:
        raise Http404(_("没有这项操作。"))
    form = _form(name, req, request.POST)
    if not form.is_valid():
        return _detail(request, req, bound={name: form}, status=400)
    d, user, now = form.cleaned_data, request.user, timezone.now()
    try:
        if name == "assign":
            svc.information_request_assign(request=req, handler=d["handler"], by=user, now=now)
        elif name == "correction_notice":
            svc.information_request_correction_notice(request=req, text=d["text"], by=user, now=now)
        elif name == "corrected":
            svc.information_request_corrected(request=req, note=d["note"], by=user, now=now)
        elif name == "consult":
            svc.information_request_consult(request=req, note=d["note"], by=user, now=now)
        elif name == "consulted":
            svc.information_request_consulted(request=req, note=d["note"], by=user, now=now)
        elif name == "extend":
            svc.information_request_extend(request=req, wd=d["wd"], reason=d["reason"], by=user, now=now)
        elif name == "answer":
            svc.information_request_answer(request=req, answer_type=d["answer_type"], reason=d["reason"],
                                           text=d["text"], fee=d.get("fee"), by=user, now=now)
        elif name == "withdraw":
            svc.information_request_withdraw(request=req, reason=d["reason"], by=user, now=now)
        elif name == "note":
            svc.information_request_note(request=req, text=d["text"], by=user, now=now)
        elif name == "publish":
            svc.information_request_publish(request=req, publish=d["publish"], by=user, now=now)
        elif name == "review":
            svc.request_review_record(request=req, kind=d["kind"], filed_on=d["filed_on"], result=d["result"],
                                      decided_on=d.get("decided_on"), note=d["note"], by=user, now=now)
    except DomainError as exc:
        if exc.status == 403:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(exc.message) from None
        _place(form, exc)
        req.refresh_from_db()
        return _detail(request, req, bound={name: form}, status=400)
    messages.success(request, _("已完成：%(what)s。") % {"what": _(ACTION_TITLES[name])})
    return redirect("disclosure:request_detail", number=req.number)


@role_required(R.SUPERVISOR)
@require_POST
def review_decide(request, number: str, pk: int):
    req = S.request_get_for(request.user, number)
    review = RequestReview.objects.filter(pk=pk, request=req).first()
    if review is None:
        raise Http404(_("没有该行政复议或行政诉讼记录。"))
    form = F.ReviewForm(request.POST, prefix=f"rv{pk}")
    form.fields["kind"].required = form.fields["filed_on"].required = False
    if form.is_valid():
        try:
            svc.request_review_decide(review=review, result=form.cleaned_data["result"],
                                      decided_on=form.cleaned_data.get("decided_on"), note=form.cleaned_data["note"],
                                      by=request.user, now=timezone.now())
            messages.success(request, _("已登记结果。"))
            return redirect("disclosure:request_detail", number=req.number)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("结果或审结日期有误，请核对。"))
    return _detail(request, req, status=400)


# ------------------------------------------------------------------------------------------------ overview
@role_required(R.SUPERVISOR, R.LEADER)
@require_GET
def request_overview(request):
    """Every department's requests this year: received, open, overdue, answered on time and late."""
    now = timezone.now()
    year = timezone.localtime(now).year
    start = dt.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
    qs = InformationRequest.objects.filter(received_at__gte=start)
    keys = ("received", "open", "overdue", "on_time", "late", "withdrawn")
    raw = qs.values("department__name", "department__path").annotate(
        n_received=Count("id"),
        n_open=Count("id", filter=Q(status__in=svc.OPEN_STATUSES)),
        n_overdue=Count("id", filter=Q(status=RequestStatus.RECEIVED, due_at__lt=now)),
        n_on_time=Count("id", filter=Q(status=RequestStatus.ANSWERED, on_time=True)),
        n_late=Count("id", filter=Q(status=RequestStatus.ANSWERED, on_time=False)),
        n_withdrawn=Count("id", filter=Q(status=RequestStatus.WITHDRAWN)),
    ).order_by("department__path")
    rows = [{"department__name": r["department__name"], **{k: r[f"n_{k}"] for k in keys}} for r in raw]
    for row in rows:
        answered = row["on_time"] + row["late"]
        row["rate"] = f"{row['on_time'] * 100 / answered:.1f}%" if answered else "—"
    totals = {k: sum(r[k] for r in rows) for k in keys}
    answered = totals["on_time"] + totals["late"]
    totals["rate"] = f"{totals['on_time'] * 100 / answered:.1f}%" if answered else "—"
    return render(request, "disclosure/requests/overview.html", {"rows": rows, "totals": totals, "year": year})


# ------------------------------------------------------------------------------------------------ landing
def department_panel(user, *, now: dt.datetime) -> dict | None:
    """The head's panel: open requests, those due this week (by the close of Sunday) and those overdue."""
    local = timezone.localtime(now)
    week_end = (local + dt.timedelta(days=6 - local.weekday())).replace(hour=23, minute=59, second=59)
    base = S.requests_for(user).filter(status__in=svc.OPEN_STATUSES)
    c = base.aggregate(open=Count("id"), week=Count("id", filter=Q(status=RequestStatus.RECEIVED,
                                                                    due_at__lte=week_end, due_at__gte=now)),
                       overdue=Count("id", filter=Q(status=RequestStatus.RECEIVED, due_at__lt=now)))
    rows = list(base.filter(status=RequestStatus.RECEIVED, due_at__lte=week_end).order_by("due_at", "id")
                .values_list("number", "due_at")[:5])
    desk = reverse("disclosure:request_desk")
    return {
        "key": "inforequest-department", "title": _("依申请公开"), "url": desk, "link": _("申请办理台"),
        "tiles": [
            {"key": "open", "label": _("办理中"), "value": c["open"], "url": desk},
            {"key": "week", "label": _("本周到期"), "value": c["week"], "tone": "warning", "url": desk},
            {"key": "overdue", "label": _("已超期"), "value": c["overdue"], "tone": "danger", "url": desk},
        ],
        "rows_title": _("本周到期的申请"),
        "rows": [{"text": no, "url": reverse("disclosure:request_detail", args=[no]),
                  "meta": _("答复期限 %(at)s") % {"at": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"},
                  "tone": "danger" if due < now else "warning"} for no, due in rows],
        "empty": _("本周没有到期的申请。"),
    }
