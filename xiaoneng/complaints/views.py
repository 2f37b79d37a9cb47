"""Pages of the complaint centre: the public form, tracking, follow-up and mailbox; the office inbox, board,
overdue list, figures and block list; each complaint's page with the actions its reader may take.

Thin views: parse, call a selector or a service, render. Who sees what is decided in selectors (scope) and
privacy (identity); services check again who may act.
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError
from xiaoneng.core.params import parse_month
from xiaoneng.core.request import client_ip

from . import forms as F
from . import selectors as S
from . import services
from .formtokens import form_submitter, form_token_issue, form_token_known, form_token_spend
from .models import (
    OPEN_STATUSES,
    Attachment,
    BlockEntry,
    Channel,
    ComplainantMessage,
    Complaint,
    Dispatch,
    Extension,
    Flag,
    IdentityAccess,
    Reply,
    Status,
    channel_choices,
)
from .privacy import can_read_identity, may_reveal_original, reads_original, redactor_for
from .services._common import _day
from .templatetags.complaints_tags import pct_value
from .transitions import TRANSITIONS, allowed, may
from .uploads import PUBLIC_IMAGE_TYPES

PAGE_SIZE = 30
LIST_ROLES = (R.SUPERVISOR, R.LEADER, R.ADMIN, R.HANDLER, R.HEAD)


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --------------------------------------------------------------------------------------------- public
@require_GET
def public_home(request):
    return render(request, "complaints/public_home.html", {"track_form": F.TrackForm()})


def _with_new_token(form_class, request, token: str):
    """The posted form again (what was typed kept, files must be chosen again) under a new submission token."""
    data = request.POST.copy()
    data["submission_token"] = token
    return form_class(data)


def _rate_limited(request, template: str, context: dict, exc):
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """The public complaint form: no account, phone-friendly; on success the tracking code and its link.
    The form carries a token issued to this session (formtokens): the same form sent twice is one complaint
    and shows the same result page; a token this session was not given is ignored."""
    template = "complaints/complaint_form.html"
    if request.method == "GET":
        form = F.ComplaintForm(initial={"submission_token": form_token_issue(request.session)})
        return render(request, template, {"form": form})
    form = F.ComplaintForm(request.POST, request.FILES or None)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    token = form.cleaned_data.get("submission_token") or ""
    ours = form_token_known(request.session, token)
    try:
        c = services.complaint_submit(
            intake=form.intake, files=form.files_clean, channel=Channel.WEB, now=timezone.now(),
            ip=client_ip(request), idempotency_key=token if ours else None,
            submitter=form_submitter(request.session) if ours else None)
    except services.RateLimited as exc:
        return _rate_limited(request, template, {"form": form, "error": exc.message}, exc)
    except services.Blocked as exc:
        return render(request, template, {"form": form, "error": exc.message}, status=403)
    except services.IdempotencyConflict:
        form = _with_new_token(F.ComplaintForm, request, form_token_issue(request.session))
        return render(request, template, {"form": form, "error": _(
            "这份表单已经提交过一件投诉，本次内容与之不同，未重复登记。如需另行投诉，请核对下面的内容后再次提交"
            "（附件需重新选择）。")}, status=409)
    if ours:
        form_token_spend(request.session, token)
    # The code travels in the session, not in a query string that proxies and histories keep.
    request.session["complaints_new_code"] = c.tracking_code
    return redirect("complaints:submitted")


@require_GET
def complaint_submitted(request):
    code = request.session.get("complaints_new_code")
    if not code:
        return redirect("complaints:track_lookup")
    c = S.complaint_by_tracking_code(code)
    url = request.build_absolute_uri(reverse("complaints:track", args=[c.tracking_code]))
    return render(request, "complaints/submitted.html", {
        "c": c, "code": services.tracking_code_display(c.tracking_code), "url": url})


@require_GET
def track_lookup(request):
    form = F.TrackForm(request.GET or None)
    if request.GET and form.is_valid():
        code = services.tracking_code_normalise(form.cleaned_data["code"])
        if code and S.Complaint.objects.filter(tracking_code=code).exists():
            return redirect("complaints:track", code=code)
        form.add_error("code", _("查询码不正确，请核对后重新输入。"))
    return render(request, "complaints/track_lookup.html", {"form": form}, status=404 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def track(request, code: str):
    """What the complainant sees: statuses, dates, notices and the reply; never internal notes. When the
    reply has been sent the rating form is offered here too."""
    c = S.complaint_by_tracking_code(code)
    rate_form = F.RateForm(request.POST or None) if may(c.status, "rate") else None
    if request.method == "POST":
        if rate_form is None:
            return HttpResponseNotAllowed(["GET"])
        if rate_form.is_valid():
            try:
                services.complaint_rate(complaint=c, now=timezone.now(), **rate_form.cleaned_data)
                messages.success(request, _("感谢您的评价。"))
                return redirect("complaints:track", code=c.tracking_code)
            except DomainError as exc:
                rate_form.add_error(exc.field if exc.field in rate_form.fields else None, exc.message)
    return _track_page(request, c, rate_form)


@require_POST
def track_withdraw(request, code: str):
    """The complainant withdraws their own complaint (撤销) with a reason, using the tracking code."""
    c = S.complaint_by_tracking_code(code)
    form = F.ReasonForm(request.POST, auto_id="wd-%s")
    if form.is_valid():
        try:
            services.complaint_withdraw(complaint=c, by=None, now=timezone.now(), reason=form.cleaned_data["reason"])
            messages.success(request, _("您的投诉已撤回。"))
            return redirect("complaints:track", code=c.tracking_code)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return _track_page(request, c, None, status=400, withdraw_form=form)


def _track_page(request, c, rate_form, *, status=200, link=False, withdraw_form=None):
    reply = c.replies.filter(state=Reply.State.SENT).order_by("-sent_at").first()
    if withdraw_form is None and may(c.status, "withdraw") and not link:
        withdraw_form = F.ReasonForm(auto_id="wd-%s")
    return render(request, "complaints/track.html", {
        "c": c, "timeline": S.public_timeline(c), "reply": reply, "rate_form": rate_form, "link": link,
        "withdraw_form": withdraw_form,
        # The complainant's own page (its code is their secret): their words and the reply to them as written.
        # Masking is for what others see (issue 10 §4: "我叫【投诉人】" read back to the person who wrote it).
        "code": services.tracking_code_display(c.tracking_code), "red": None,
    }, status=status if not (rate_form and rate_form.errors) else 400)


@require_http_methods(["GET", "POST"])
def follow_up(request, token: str):
    """The one-time follow-up link sent with the reply: rate without typing the tracking code."""
    c = Complaint.objects.select_related("category", "department").filter(
        follow_up_token_hash=services.token_hash(token), status__in=TRANSITIONS["rate"].sources).first()
    if c is None:
        return render(request, "complaints/link_used.html", status=404)
    form = F.RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_rate(complaint=c, now=timezone.now(), token=token, **form.cleaned_data)
            messages.success(request, _("感谢您的评价。"))
            return redirect("complaints:track", code=c.tracking_code)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return _track_page(request, c, form, link=True)


@require_GET
def public_media(request, token: str):
    """A complainant's image the office published (Open311 `media_url`): anyone may fetch it, by its random
    token only. Nothing else is served here — an unpublished, staff or non-image file answers 404 like an
    unknown token — and nothing about the complaint or the complainant travels with it (no file name)."""
    a = Attachment.objects.filter(public_token=token[:43], note__isnull=True,
                                  content_type__in=PUBLIC_IMAGE_TYPES).first() if token else None
    if a is None:
        raise Http404
    resp = FileResponse(a.file.open("rb"), content_type=a.content_type)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Content-Disposition"] = "inline"
    resp["Referrer-Policy"] = "no-referrer"
    # Revalidated on every use, so a withdrawal takes effect at once even behind a cache.
    resp["Cache-Control"] = "no-cache"
    return resp


@require_GET
def mailbox(request):
    """区长信箱: published replies, personal data masked, searchable by department and category."""
    q = request.GET.get("q", "").strip()[:50]
    dept = request.GET.get("department", "").strip()[:32]
    cat = request.GET.get("category", "").strip()[:32]
    qs = S.mailbox_list(q=q, department=dept, category=cat)
    return render(request, "complaints/mailbox.html", {
        "page": _page(request, qs, 20), "q": q, "department": dept, "category": cat,
        "departments": S.mailbox_departments(), "categories": S.categories(), "query": _query_without_page(request)})


@require_GET
def mailbox_detail(request, number: str):
    return render(request, "complaints/mailbox_detail.html", {"r": S.mailbox_get(number)})


# --------------------------------------------------------------------------------------------- staff lists
def _filters(request) -> S.ComplaintFilters:
    g = request.GET
    return S.ComplaintFilters(status=g.get("status", "")[:16], q=g.get("q", "").strip()[:50],
                              category=g.get("category", "")[:32], department=g.get("department", "")[:32],
                              flag=g.get("flag", "")[:8], channel=g.get("channel", "")[:12],
                              order=g.get("order", "due")[:4])


@role_required(*LIST_ROLES)
@require_GET
def inbox(request):
    """The office's inbox (all complaints) or a department's "dispatched to us", by status and due date."""
    f = _filters(request)
    qs = S.complaint_list_for(request.user, f)
    office = S.is_office(request.user)
    return render(request, "complaints/inbox.html", {
        "page": _page(request, qs), "f": f, "statuses": Status.choices, "flags": Flag.choices[1:],
        "categories": S.categories(), "channels": channel_choices(), "query": _query_without_page(request),
        "office": office, "title": _("投诉受理") if request.user.is_county_wide else _("交办我单位的投诉"),
        "now": timezone.now()})


@role_required(R.SUPERVISOR)
@require_GET
def board(request):
    cols = S.board(request.user)
    return render(request, "complaints/board.html", {
        "columns": [(Status(s).label, s, items) for s, items in cols.items()], "now": timezone.now()})


@role_required(R.SUPERVISOR, R.LEADER)
@require_GET
def overdue(request):
    qs = S.complaint_list_for(request.user, S.ComplaintFilters(overdue=True))
    return render(request, "complaints/overdue.html", {"page": _page(request, qs), "query": _query_without_page(request),
                                                       "now": timezone.now()})


@role_required(R.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def staff_new(request):
    """Staff entry for complaints by hotline, letter, visit, public mailbox, media and inspection."""
    form = F.StaffComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.complaint_submit(
                intake=form.intake, files=form.files_clean, channel=form.cleaned_data["channel"],
                now=timezone.now(), by=request.user, urgent=form.cleaned_data.get("urgent", False),
                language=form.cleaned_data.get("language") or None,
                idempotency_key=form.cleaned_data.get("submission_token") or None)
        except services.RateLimited as exc:  # the account's quota (RATE_PER_STAFF), never the office's IP
            return _rate_limited(request, "complaints/staff_new.html", {"form": form, "error": exc.message}, exc)
        except services.IdempotencyConflict:
            form = _with_new_token(F.StaffComplaintForm, request, secrets.token_urlsafe(24))
            return render(request, "complaints/staff_new.html", {"form": form, "error": _(
                "这份登记表已经提交过一件投诉，本次内容与之不同，未重复登记。如需登记另一件投诉，请核对下面的内容后再次提交"
                "（附件需重新选择）。")}, status=409)
        except DomainError as exc:  # the service's own checks (channel, language): beside the field, not a 500
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已登记投诉 %(n)s，查询码 %(c)s（请告知投诉人）。") % {
                "n": c.number, "c": services.tracking_code_display(c.tracking_code)})
            return redirect("complaints:detail", number=c.number)
    return render(request, "complaints/staff_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


# --------------------------------------------------------------------------------------------- detail
def _detail_context(request, c: Complaint) -> dict:
    """Everything the complaint's page shows its reader. The complaint's text as written only to its office
    handler, each view recorded as an identity read; everyone else reads every text on the page masked
    (privacy.redactor_for), and a supervisor may ask for the original with a reason (`original`)."""
    user = request.user
    office = S.is_office(user)
    original = reads_original(user, c)
    if original:
        services.complaint_original_read(complaint=c, by=user, now=timezone.now(), ip=client_ip(request))
    red = None if original else redactor_for(c)
    mine = S.dispatches_for_staff(c, user)
    active_mine = [d for d in mine if d.state == Dispatch.State.ACTIVE and not d.result_at]
    forms = {}
    open_ = c.status in OPEN_STATUSES
    can = allowed(c.status)  # the actions the complaint's status admits (transitions.py), before roles

    def mk(name, key=None, **kw):
        # Distinct ids per form: several forms on the page share field names (reason, text …).
        return ACTION_FORMS[name](auto_id=f"{name}{key or ''}-%s", **kw)

    if office:
        for name in ("accept", "refuse", "merge", "transfer", "pause", "withdraw"):
            if name in can:
                forms[name] = mk(name)
        if "dispatch" in can:
            forms["dispatch"] = mk("dispatch", initial={"departments": [c.department_id]})
        if open_:
            forms["note"] = mk("note")
            forms["assign"] = mk("assign", initial={"handler": c.office_handler_id})
            forms["block"] = mk("block")
        if "reply" in can:
            forms["reply"] = mk("reply", initial={"text": _reply_text(c, red)})
        if "review" in can:
            forms["review"] = mk("review")
        if c.status in (Status.REPLIED, Status.CLOSED):
            forms["publish"] = mk("publish", initial={"publishable": c.publishable})
    elif active_mine:
        forms["note"] = mk("note")
        forms["result"] = mk("result", initial={"dispatch": active_mine[0].pk})
    lead_done = [d for d in mine if d.is_lead and d.state == Dispatch.State.DONE and d.round == c.reopen_count + 1]
    if not office and lead_done and "reply" in can:
        forms["reply"] = mk("reply", initial={"text": _reply_text(c, red)})
    dispatches = list(c.dispatches.select_related("department").prefetch_related("extensions").order_by(
        "-round", "-is_lead", "id"))
    attachments = list(c.attachments.select_related("note").order_by("uploaded_at"))
    if not office:
        # Departments get only what the office shared (a photo may identify the complainant); leaders and
        # administrators read no files at all.
        handler = user.has_any_role(R.HANDLER, R.HEAD)
        attachments = [a for a in attachments if a.shared_with_department] if handler else []
    now = timezone.now()
    return {
        "c": c, "office": office, "forms": forms, "can": can, "dispatches": dispatches, "my_dispatches": mine,
        "active_mine": active_mine, "timeline": S.timeline_for(c), "notes": c.notes.select_related("author", "department"),
        "replies": c.replies.select_related("drafted_by", "reviewed_by"), "attachments": attachments,
        "pending_extensions": Extension.objects.filter(complaint=c, approved=None).select_related("dispatch__department"),
        "disputed": [d for d in dispatches if d.state == Dispatch.State.DISPUTED],
        "can_identity": can_read_identity(user, c),
        "duplicates": services.duplicates_for(c) if office and "merge" in can else [],
        # Masked from the text as written (not the copy stored at intake), so every complaint is masked by
        # today's rules, however old.
        "facts": c.facts if original else red(c.facts), "request_text": c.request if original else red(c.request),
        "original": original, "reveal": office and not original and may_reveal_original(user),
        "decide_forms": {d.pk: mk("decide_dispute", d.pk, initial={"dispatch": d.pk}) for d in dispatches
                         if d.state == Dispatch.State.DISPUTED} if office else {},
        "extension_forms": {d.pk: mk("extension", d.pk, initial={"dispatch": d.pk}) for d in active_mine},
        "dispute_forms": {d.pk: mk("dispute", d.pk, initial={"dispatch": d.pk}) for d in active_mine
                          if now <= d.dispute_due_at},
        "messages_failed": c.messages.filter(status=ComplainantMessage.MessageStatus.FAILED).count() if office else 0,
        "now": now, "code": services.tracking_code_display(c.tracking_code) if office else "",
        # Texts written by people who know the complainant may name them: others read them redacted.
        "red": red,
    }


def _reply_text(c: Complaint, red=None) -> str:
    """The reply form's starting text: the last draft, or one made from the result. A reader who is not the
    handler starts from the masked draft (a reply is addressed to the complainant by name)."""
    draft = c.replies.exclude(state=Reply.State.SENT).order_by("-id").first()
    if draft:
        return red(draft.text) if red else draft.text
    if not c.outcome:
        return ""
    return (f"您于{_day(c.received_at)}反映的{c.department.name}{c.category.name}问题，经调查，"
            f"情况{c.get_outcome_display()}。{c.findings} 处理情况：{c.measures} 感谢您对机关效能建设的监督。")


@role_required(*LIST_ROLES)
@require_GET
def detail(request, number: str):
    c = S.complaint_get_for(request.user, number)
    return _private(render(request, "complaints/detail.html", _detail_context(request, c)))


def _private(response):
    """Pages carrying a complaint's text or its complainant's identity are kept by no cache (browser, proxy)."""
    add_never_cache_headers(response)
    return response


@role_required(R.SUPERVISOR)
@require_POST
def original(request, number: str):
    """查看原文: the complaint's text as the complainant wrote it, for a supervisor who is not its handler, given
    a reason; recorded as an identity read. A missing reason re-renders the complaint's page with the error."""
    c = S.complaint_get_for(request.user, number)
    try:
        c = services.complaint_original_read(complaint=c, by=request.user, now=timezone.now(),
                                             reason=request.POST.get("reason", "")[:500], ip=client_ip(request))
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        ctx = _detail_context(request, c)
        ctx["reveal_error"], ctx["reveal_reason"] = exc.message, request.POST.get("reason", "")[:100]
        return _private(render(request, "complaints/detail.html", ctx, status=400))
    read = IdentityAccess.objects.filter(complaint=c, staff=request.user).order_by("-at", "-id").first()
    return _private(render(request, "complaints/original.html", {"c": c, "read": read}))


@role_required(R.SUPERVISOR)
@require_GET
def identity(request, number: str):
    """The complainant's identity, for the office handler only; every view is recorded."""
    c = S.complaint_get_for(request.user, number)
    try:
        ident = services.complainant_identity_read(complaint=c, by=request.user, now=timezone.now(),
                                                   purpose=request.GET.get("purpose", "办理投诉")[:100],
                                                   ip=client_ip(request))
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    reads = IdentityAccess.objects.filter(complaint=c).select_related("staff")[:20]
    return _private(render(request, "complaints/identity.html", {"c": c, "ident": ident, "reads": reads}))


def office_page(view):
    """Pages of the supervision office about one complaint's contact with the complainant: supervisors only.
    Departments (and window staff) get 404 like for any complaint outside their scope, never learning what
    exists; leaders and administrators, who read every complaint, get 403."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(R.SUPERVISOR):
            if request.user.is_county_wide:
                raise PermissionDenied(_("仅效能办监察员可以访问此页面。"))
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@office_page
@require_GET
def complaint_messages(request, number: str):
    """The notices sent to the complainant by SMS and e-mail for one complaint: status, attempts, errors, and
    "retry now" for failed ones. No recipient and no message text are shown (see the selector)."""
    c = S.complaint_get_for(request.user, number)
    return render(request, "complaints/messages.html", {"c": c, "rows": S.complainant_messages_for(request.user, c)})


@office_page
@require_POST
def complaint_message_retry(request, number: str, pk: int):
    c = S.complaint_get_for(request.user, number)
    m = get_object_or_404(ComplainantMessage, pk=pk, complaint=c)
    try:
        m = services.complainant_message_retry(message=m, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if m.status == ComplainantMessage.MessageStatus.SENT:
            messages.success(request, _("通知已重新发送。"))
        else:
            messages.error(request, _("重发仍未成功，错误信息见下表。"))
    return redirect("complaints:messages", number=c.number)


NOTICE_TITLES = {
    "received": "投诉登记回执", "accepted": "投诉受理告知书", "refused": "投诉不予受理告知书", "transferred": "投诉移送告知书",
    "paused": "投诉中止告知书", "resumed": "投诉恢复办理告知书", "withdrawn": "投诉撤销告知书", "merged": "投诉合并办理告知书",
    "replied": "投诉答复意见书", "extension_decided": "延长办理期限告知书", "dispatched": "投诉转办告知书",
}


@role_required(R.SUPERVISOR)
@require_GET
def notice(request, number: str, pk: int):
    """A written notice to the complainant, printable for post. The office handler's copy carries the name and
    address (a recorded identity read); any other supervisor's copy is addressed to 投诉人 only."""
    c = S.complaint_get_for(request.user, number)
    entry = get_object_or_404(c.timeline.all(), pk=pk, public=True, kind__in=list(NOTICE_TITLES))
    ident = None
    if can_read_identity(request.user, c):
        ident = services.complainant_identity_read(complaint=c, by=request.user, now=timezone.now(),
                                                   purpose="打印书面告知", ip=client_ip(request))
    # A notice may quote the complainant (a withdrawal's reason, a rating comment): masked on any other copy.
    text = entry.public_text if ident else redactor_for(c)(entry.public_text)
    return _private(render(request, "complaints/notice.html", {
        "c": c, "e": entry, "text": text, "title": NOTICE_TITLES[entry.kind], "ident": ident}))


def _get(model, pk, **kw):
    try:
        return model.objects.get(pk=int(pk), **kw)
    except (model.DoesNotExist, TypeError, ValueError):
        raise DomainError(_("记录不存在。")) from None


def _run(action: str, form, c: Complaint, user, now, request):
    """Call the service behind `action` with the cleaned form. Returns a success message."""
    d = form.cleaned_data
    if action == "accept":
        services.complaint_accept(complaint=c, by=user, now=now, notice=d["notice"])
        return _("已受理，受理告知已发送。")
    if action == "refuse":
        services.complaint_refuse(complaint=c, by=user, now=now, reason=d["reason"], text=d["text"])
        return _("已作出不予受理决定，告知已发送。")
    if action == "transfer":
        services.complaint_transfer(complaint=c, by=user, now=now, authority=d["authority"], text=d["text"])
        return _("已移送，告知已发送。")
    if action == "dispatch":
        services.complaint_dispatch(complaint=c, by=user, now=now, departments=list(d["departments"]), lead=d["lead"],
                                    limit_wd=d["limit_wd"], urgent=d["urgent"], instructions=d["instructions"])
        return _("已转办。")
    if action == "dispute":
        services.dispatch_dispute(dispatch=_get(Dispatch, d["dispatch"], complaint=c), by=user, now=now,
                                  reason=d["reason"])
        return _("异议已提交效能办。")
    if action == "decide_dispute":
        services.dispatch_dispute_decide(dispatch=_get(Dispatch, d["dispatch"], complaint=c), by=user, now=now,
                                         uphold=d["uphold"], text=d["text"], redirect_to=d["redirect_to"])
        return _("异议已处理。")
    if action == "note":
        services.complaint_note_add(complaint=c, by=user, now=now, text=d["text"], files=form.files_clean)
        return _("调查记录已保存。")
    if action == "pause":
        services.complaint_pause(complaint=c, by=user, now=now, reason=d["reason"])
        return _("已中止，计时暂停。")
    if action == "resume":
        services.complaint_resume(complaint=c, by=user, now=now)
        return _("已恢复办理。")
    if action == "withdraw":
        services.complaint_withdraw(complaint=c, by=user, now=now, reason=d["reason"])
        return _("已撤销。")
    if action == "extension":
        services.extension_request(dispatch=_get(Dispatch, d["dispatch"], complaint=c), by=user, now=now,
                                   days=d["days"], reason=d["reason"])
        return _("延期申请已提交。")
    if action == "decide_extension":
        services.extension_decide(extension=_get(Extension, d["extension"], complaint=c), by=user, now=now,
                                  approve=d["approve"], comment=d["comment"])
        return _("延期申请已审批。")
    if action == "result":
        services.dispatch_result(dispatch=_get(Dispatch, d["dispatch"], complaint=c), by=user, now=now,
                                 outcome=d["outcome"], findings=d["findings"], measures=d["measures"],
                                 sanction=d["sanction"])
        return _("办理结果已报送。")
    if action == "reply":
        services.reply_draft(complaint=c, by=user, now=now, text=d["text"])
        return _("答复已提交效能办审核。")
    if action == "review":
        reply = c.replies.filter(state=Reply.State.SUBMITTED).order_by("-id").first()
        if reply is None:
            raise DomainError(_("没有待审核的答复。"))
        reply, raw = services.reply_review(reply=reply, by=user, now=now, approve=d["approve"], comment=d["comment"],
                                           publishable=d["publishable"])
        if raw:
            # The reply notice with this link goes to the complainant by SMS and e-mail from the service
            # (ComplainantMessage, once per channel); the link is shown here for a complainant reached by
            # letter or telephone only.
            link = request.build_absolute_uri(reverse("complaints:follow_up", args=[raw]))
            return _("答复已发出，并已按投诉人留下的联系方式发送短信/电子邮件通知。一次性回访链接（供电话或信函告知）："
                     "%(link)s") % {"link": link}
        return _("答复已退回修改。")
    if action == "publish":
        services.complaint_set_publishable(complaint=c, by=user, now=now, publishable=d["publishable"])
        return _("公开设置已保存。")
    if action == "merge":
        target = Complaint.objects.filter(number=d["into"].strip()).first()
        if target is None:
            raise DomainError(_("目标投诉编号不存在。"), field="into")
        services.complaint_merge(complaint=c, into=target, by=user, now=now)
        return _("已合并。")
    if action == "assign":
        services.complaint_assign(complaint=c, by=user, now=now, handler=d["handler"])
        return _("已指定承办监察员。")
    if action == "share":
        services.attachment_share(attachment=_get(Attachment, d["attachment"], complaint=c), by=user,
                                  shared=d["shared"])
        return _("附件设置已保存。")
    if action == "publish_attachment":
        a = services.attachment_publish(attachment=_get(Attachment, d["attachment"], complaint=c), by=user, now=now,
                                        published=d["published"])
        return _("图片已公开（Open311 media_url）。") if a.public_token else _("已撤回公开。")
    if action == "block":
        services.block_complaint_sender(complaint=c, by=user, now=now, reason=d["reason"])
        return _("已将该投诉的提交者加入黑名单。")
    raise Http404  # pragma: no cover


ACTION_FORMS = {
    "accept": F.AcceptForm, "refuse": F.RefuseForm, "transfer": F.TransferForm, "dispatch": F.DispatchForm,
    "dispute": F.DispatchReasonForm, "decide_dispute": F.DisputeDecideForm, "note": F.NoteForm,
    "pause": F.ReasonForm, "resume": None, "withdraw": F.ReasonForm, "extension": F.ExtensionForm,
    "decide_extension": F.ExtensionDecideForm, "result": F.ResultForm, "reply": F.ReplyForm,
    "review": F.ReviewForm, "publish": F.PublishForm, "merge": F.MergeForm, "assign": F.AssignForm,
    "share": F.ShareForm, "publish_attachment": F.PublishAttachmentForm, "block": F.ReasonForm,
}


@role_required(R.SUPERVISOR, R.HANDLER, R.HEAD)
@require_POST
def action(request, number: str, name: str):
    """Every action on a complaint posts here; a bad form re-renders the page with errors beside fields."""
    if name not in ACTION_FORMS:
        raise Http404
    c = S.complaint_get_for(request.user, number)
    form_cls = ACTION_FORMS[name]
    form = form_cls(request.POST, request.FILES, auto_id="err-%s") if form_cls else None
    if form is None or form.is_valid():
        try:
            with transaction.atomic():
                msg = _run(name, form, c, request.user, timezone.now(), request)
            messages.success(request, msg)
            return redirect("complaints:detail", number=c.number)
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            if form is None:
                messages.error(request, exc.message)
                return redirect("complaints:detail", number=c.number)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    c.refresh_from_db()
    ctx = _detail_context(request, c)
    ctx["error_action"], ctx["error_form"] = name, form
    return _private(render(request, "complaints/detail.html", ctx, status=400))


@role_required(*LIST_ROLES)
@require_GET
def attachment(request, number: str, pk: int):
    """Download an attachment the reader may see (department staff: only files the office shared)."""
    c = S.complaint_get_for(request.user, number)
    a = get_object_or_404(Attachment, pk=pk, complaint=c)
    if not S.is_office(request.user) and not (a.shared_with_department and request.user.has_any_role(R.HANDLER, R.HEAD)):
        raise Http404
    resp = FileResponse(a.file.open("rb"), content_type=a.content_type, as_attachment=a.content_type == "application/pdf",
                        filename=a.original_name)
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


# --------------------------------------------------------------------------------------------- figures, admin
# The periods the figures page offers: months per period, starting in a month that is a multiple of it.
FIGURES_PERIODS = {"month": 1, "quarter": 3, "year": 12}
FIGURES_CHART_N = 10  # a chart names at most the first and the last N departments of the table's order


def _figures_query(request) -> dict:
    """The figures page's parameters, each checked (core.params for the months): the period (a month, quarter
    or year containing `month`, this quarter by default; or an explicit `from`..`to` range of months), the
    department within the reader's scope and the sort. A bad value is named in `errors` and replaced by its
    default, so the page still shows figures; an export refuses instead."""
    today = timezone.localdate()
    errors = []

    def month(name: str) -> dt.date | None:
        try:
            return parse_month(request.GET.get(name, ""), field=name)
        except DomainError as exc:
            errors.append(exc.message)
            return None

    def month_end(m: dt.date) -> dt.date:
        return (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)

    period = request.GET.get("period", "")[:16]
    if request.GET.get("from") or request.GET.get("to"):
        period = "custom"
        end = month_end(month("to") or today.replace(day=1))
        start = month("from") or (end.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
        if start > end:
            errors.append(_("起始月份不能晚于截止月份。"))
            start = end.replace(day=1)
        elif (end - start).days > 3700:
            errors.append(_("统计区间最长 10 年。"))
            start = (end - dt.timedelta(days=3650)).replace(day=1)
    else:
        if period not in FIGURES_PERIODS:
            if period:
                errors.append(_("period: 统计周期应为 month（月）、quarter（季度）或 year（年度）。"))
            period = "quarter"
        anchor = month("month") or today.replace(day=1)
        n = FIGURES_PERIODS[period]
        start = anchor.replace(month=(anchor.month - 1) // n * n + 1)
        last = start.replace(month=start.month + n - 1)
        end = month_end(last)
    sort = request.GET.get("sort", "")[:32] or S.FIGURES_DEFAULT_SORT
    if sort.lstrip("-") not in S.FIGURES_SORTS:
        errors.append(_("sort: 无法按“%(sort)s”排序。") % {"sort": sort})
        sort = S.FIGURES_DEFAULT_SORT
    allowed = S.figures_departments_for(request.user)
    code = request.GET.get("department", "")[:32]
    dept = allowed.filter(code=code).first() if code else None
    if dept is None and not request.user.is_county_wide:
        dept = allowed.filter(pk=request.user.department_id).first()
        if dept is None:
            raise PermissionDenied
    return {"start": start, "end": end, "period": period, "month": start.strftime("%Y-%m"), "sort": sort,
            "department": dept, "departments": allowed, "errors": errors}


def _figures_params(q: dict, **changes) -> str:
    """The query string of the page with `changes` (for the sort links, the drill-down and the export)."""
    from urllib.parse import urlencode

    if q["period"] == "custom":
        params = {"from": q["start"].strftime("%Y-%m"), "to": q["end"].strftime("%Y-%m")}
    else:
        params = {"period": q["period"], "month": q["month"]}
    params |= {"sort": q["sort"], "department": q["department"].code if q["department"] else ""}
    params |= changes
    return urlencode({k: v for k, v in params.items() if v})


@role_required(R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD)
@require_GET
def figures(request):
    """The 三率 (答复率, 办结率, 满意率) and the response rate for one period, per department (sortable, a
    department's months one click away), with the per-month trend; one aggregate query, whatever the number
    of departments (selectors.figures)."""
    q = _figures_query(request)
    data = S.figures(start=q["start"], end=q["end"], department=q["department"], now=timezone.now())
    ordered = S.figures_sorted(data["departments"], q["sort"])
    columns = [(k, label, k == q["sort"].lstrip("-"), q["sort"].startswith("-")) for k, label in (
        ("department", _("部门")), ("received", _("收到")), ("accepted", _("受理")), ("reply_rate", _("答复率")),
        ("closure_rate", _("办结率")), ("satisfaction_rate", _("满意率")), ("response_rate", _("响应率")))]
    sort_links = {}
    for k, _label, active, desc in columns:
        # A first click sorts a rate lowest first (what needs looking at); a second click turns the order.
        sort_links[k] = "?" + _figures_params(q, sort=("" if active and desc else "-") + k if active else k)
    drill = [(d, "?" + _figures_params(q, department=d["department"])) for d in ordered]
    return render(request, "complaints/figures.html", {
        "data": data, "ordered": ordered, "chart": _figures_chart(data, ordered, q["sort"]),
        "departments": q["departments"], "department": q["department"], "q": q,
        "columns": [(k, label, active, desc, sort_links[k]) for k, label, active, desc in columns],
        "drill": drill, "export_query": _figures_params(q), "all_query": _figures_params(q, department=""),
        "from": q["start"].strftime("%Y-%m"), "to": q["end"].strftime("%Y-%m"), "errors": q["errors"],
        "periods": [("month", _("月")), ("quarter", _("季度")), ("year", _("年度"))]},
        status=400 if q["errors"] else 200)


@role_required(R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD)
@require_GET
def figures_export(request):
    """The figures page's numbers for its period, scope and order as .xlsx or CSV (complaints.exports)."""
    from django.http import HttpResponse

    from .exports import figures_export as export

    q = _figures_query(request)
    fmt = request.GET.get("fmt", "xlsx")[:8]
    if q["errors"] or fmt not in ("xlsx", "csv"):
        # A file must say exactly what was asked for: a bad parameter is refused, not replaced by a default.
        msg = " ".join(q["errors"]) or _("fmt: 导出格式应为 xlsx 或 csv。")
        return HttpResponse(msg, status=400, content_type="text/plain; charset=utf-8")
    data = S.figures(start=q["start"], end=q["end"], department=q["department"], now=timezone.now())
    ordered = S.figures_sorted(data["departments"], q["sort"])
    scope = q["department"].name if q["department"] else _("全部部门")
    body = export(data=data, departments=ordered, scope=scope, fmt=fmt)
    types = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}
    response = HttpResponse(body, content_type=types[fmt])
    stamp = f"{data['from']}_{data['to']}"
    response["Content-Disposition"] = f'attachment; filename="complaint-figures-{stamp}.{fmt}"'
    return response


CHART_RATES = S.RATE_KEYS


def _figures_chart(data: dict, ordered: list[dict], sort: str) -> dict:
    """What figures.js draws, taken from the selector's answer as it is (the same numbers as the tables below
    the charts, rounded the same way by the `pct` filter): the 三率 per month, and per department in the
    table's order — all of them when few, else the first and the last FIGURES_CHART_N (named in `note`), so
    the bars stay readable with forty departments."""
    labels = {"reply_rate": _("答复率"), "closure_rate": _("办结率"), "satisfaction_rate": _("满意率")}
    n = FIGURES_CHART_N
    shown = ordered if len(ordered) <= 2 * n else ordered[:n] + ordered[-n:]
    note = ""
    if len(ordered) > 2 * n:
        note = _("共 %(total)s 个部门，图中为当前排序的前 %(n)s 个和后 %(n)s 个；全部部门见下表。") % {
            "total": len(ordered), "n": n}
    return {
        "labels": labels, "unit": "%", "note": note,
        "months": [m["month"] for m in data["months"]],
        "trend": {k: [pct_value(m[k]) for m in data["months"]] for k in CHART_RATES},
        "departments": [d["department_name"] for d in shown],
        "compare": {k: [pct_value(d[k]) for d in shown] for k in CHART_RATES},
    }


@role_required(R.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def blocklist(request):
    form = F.BlockForm(request.POST or None)
    now = timezone.now()
    if request.method == "POST":
        remove = request.POST.get("remove")
        if remove:
            entry = get_object_or_404(BlockEntry, pk=int(remove) if remove.isdigit() else 0, removed_at=None)
            services.block_remove(entry=entry, by=request.user, now=now)
            messages.success(request, _("已解除。"))
            return redirect("complaints:blocklist")
        if form.is_valid():
            try:
                services.block_add(by=request.user, now=now, **form.cleaned_data)
                messages.success(request, _("已加入黑名单。"))
                return redirect("complaints:blocklist")
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    entries = BlockEntry.objects.filter(removed_at=None).select_related("created_by")
    return render(request, "complaints/blocklist.html", {"form": form, "entries": entries},
                  status=400 if form.errors else 200)


@role_required(R.SUPERVISOR)
@require_GET
def access_log(request):
    qs = IdentityAccess.objects.select_related("staff", "complaint").order_by("-at", "-id")
    return render(request, "complaints/access_log.html", {"page": _page(request, qs), "query": ""})

