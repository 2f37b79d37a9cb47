"""Public pages of information requests (依申请公开), no account: what it is and the published answers, the form
(identity confirmed by an SMS code), the receipt, and the look-up by number AND tracking code. Phone width
first; nothing on these pages ever names an applicant."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiaoneng.complaints.services.intake import RateLimited
from xiaoneng.core.errors import DomainError
from xiaoneng.core.request import client_ip

from . import selectors_requests as S
from .forms_requests import PublicRequestForm, TrackForm
from .services import requests as svc

NEW_KEY = "inforequest_new"


def _place(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_GET
def public_home(request):
    page = Paginator(S.published_answers(), 20).get_page(request.GET.get("page"))
    rows = [{"r": r, "description": S.public_text(r, r.description), "answer": S.public_text(r, r.answer_text),
             "label": S.answer_label(r)} for r in page]
    return render(request, "disclosure/requests/public_home.html", {
        "page": page, "rows": rows, "limit": svc.LIMIT_WD, "extension": svc.EXTENSION_MAX_WD,
        "correction": svc.CORRECTION_NOTICE_WD, "track_form": TrackForm()})


@require_http_methods(["GET", "POST"])
def request_new(request):
    """The form. "获取验证码" (action=send_code) texts a code to the phone typed and shows the form again with
    what was typed; "提交申请" checks the code and registers the request (online: received now, §31)."""
    template = "disclosure/requests/public_form.html"
    departments = S.department_choices()
    if request.method == "GET":
        form = PublicRequestForm(departments=departments, initial={"department": request.GET.get("department")})
        return render(request, template, {"form": form})
    now, ip = timezone.now(), client_ip(request)
    if request.POST.get("action") == "send_code":
        # What was typed comes back as it was, without the other fields' "required" errors: only the code is asked.
        typed = {k: v for k, v in request.POST.items() if k in PublicRequestForm.base_fields and k != "sms_code"}
        form = PublicRequestForm(departments=departments, initial=typed)
        try:
            phone = svc.phone_code_send(store=request.session, phone=request.POST.get("phone", ""), now=now, ip=ip)
        except RateLimited as exc:
            response = render(request, template, {"form": form, "error": exc.message}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except DomainError as exc:
            return render(request, template, {"form": form, "error": exc.message}, status=400)
        return render(request, template, {"form": form, "sent_to": phone[-4:]})
    form = PublicRequestForm(request.POST, departments=departments)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    try:
        svc.rate_hit("submit_ip", ip or "", now=now, message=_("来自同一网络地址的申请提交过于频繁，请稍后再试。"))
        verified = svc.phone_code_check(store=request.session, phone=form.cleaned_data["phone"],
                                        code=form.cleaned_data.get("sms_code"), now=now)
        req = svc.information_request_submit(channel="online", now=now, phone_verified_at=verified,
                                             **form.service_kwargs())
    except RateLimited as exc:
        response = render(request, template, {"form": form, "error": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except DomainError as exc:
        _place(form, exc)
        return render(request, template, {"form": form}, status=400)
    svc.phone_code_spend(request.session)
    # The code travels in the session, not in a query string that proxies and histories keep.
    request.session[NEW_KEY] = [req.number, req.tracking_code]
    return redirect("disclosure:request_submitted")


@require_GET
def request_submitted(request):
    pair = request.session.get(NEW_KEY)
    req = S.request_by_pair(*pair) if isinstance(pair, list) and len(pair) == 2 else None
    if req is None:
        return redirect("disclosure:request_track")
    return render(request, "disclosure/requests/public_submitted.html", {
        "r": req, "code": svc.tracking_code_display(req.tracking_code), "limit": svc.LIMIT_WD})


@require_http_methods(["GET", "POST"])
def request_track(request):
    """Number and tracking code → the request's progress; a wrong pair answers exactly as an unknown number."""
    template = "disclosure/requests/public_track.html"
    if request.method == "GET":  # the receipt's link fills in the number; the code is typed, never in a link
        return render(request, template, {"form": TrackForm(initial={"number": request.GET.get("number", "")[:40]})})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    try:
        svc.rate_hit("track_ip", client_ip(request) or "", now=timezone.now(),
                     message=_("来自同一网络地址的查询过于频繁，请稍后再试。"))
    except RateLimited as exc:
        response = render(request, template, {"form": form, "error": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    req = S.request_by_pair(form.cleaned_data["number"], form.cleaned_data["code"])
    if req is None:
        form.add_error(None, _("未找到与该申请编号和查询码相符的申请，请核对后重新输入。"))
        return render(request, template, {"form": form}, status=404)
    return render(request, template, {
        "form": TrackForm(), "r": req, "events": S.public_events(req), "answer_label": S.answer_label(req),
        "code": svc.tracking_code_display(req.tracking_code)})
