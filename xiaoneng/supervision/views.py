"""Staff pages of electronic supervision: the live monitor, cards, supervision orders, rules, the desk.
Thin: parse, call a selector or a service, render. Services check roles and scope again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError, NotFound, NotPermitted

from . import forms, selectors, services, subjects
from .defaults import THRESHOLD_FIELDS
from .models import WarningAction
from .transitions import CARD_TRANSITIONS, ORDER_TRANSITIONS, PROPOSAL_TRANSITIONS, allowed

MONITOR_ROLES = (R.SUPERVISOR, R.LEADER, R.ADMIN)
RULE_EDITORS = (R.SUPERVISOR, R.ADMIN)


def _filters(request) -> tuple[forms.FilterForm, selectors.WarningFilters]:
    form = forms.FilterForm(request.GET or None)
    f = selectors.WarningFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        f = selectors.WarningFilters(
            level=d["level"] or None, status=d["status"] or None, department=d["department"] or None,
            rule=d["rule"] or None, issued_from=d["issued_from"], issued_to=d["issued_to"], case_no=d["case_no"] or None,
        )
    return form, f


# ============================================================================================ monitor
@role_required(*MONITOR_ROLES)
@require_GET
def monitor(request):
    """实时监控: counts by level and department, today's cards, the oldest unanswered, charts."""
    form, f = _filters(request)
    data = selectors.monitor_data(request.user, now=timezone.now(), filters=f)
    return render(request, "supervision/monitor.html", {"form": form, "m": data, "query": request.GET.urlencode()})


@role_required(*MONITOR_ROLES)
@require_GET
def monitor_panel(request):
    """The part of the monitor htmx refreshes every 30 seconds."""
    _form, f = _filters(request)
    data = selectors.monitor_data(request.user, now=timezone.now(), filters=f)
    return render(request, "supervision/_monitor_panel.html", {"m": data, "query": request.GET.urlencode()})


@role_required(*MONITOR_ROLES)
@require_GET
def monitor_charts(request):
    """The charts' data as JSON (supervision/monitor.js draws them with ECharts)."""
    return JsonResponse(selectors.chart_data(request.user, now=timezone.now()), json_dumps_params={"ensure_ascii": False})


# ============================================================================================== cards
@role_required(*R.ALL)
@require_GET
def warning_list(request):
    form, f = _filters(request)
    page = Paginator(selectors.warning_list_for(request.user, f), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "supervision/warning_list.html", {"form": form, "page": page, "query": params.urlencode()})


def _detail_context(request, w, **forms_override) -> dict:
    user = request.user
    ctx = {
        "w": w, "history": selectors.warning_history(w),
        "can_answer": selectors.can_answer(user, w), "can_appeal": selectors.can_appeal(user, w),
        "is_supervisor": user.has_role(R.SUPERVISOR),
        # What the card's status allows (transitions.CARD_TRANSITIONS), roles aside: the office's forms.
        "card_actions": allowed(CARD_TRANSITIONS, w.status),
        "explain_form": forms.TextForm(prefix="explain"), "correct_form": forms.TextForm(prefix="correct"),
        "appeal_form": forms.AppealForm(prefix="appeal"), "decide_form": forms.AppealDecisionForm(prefix="decide"),
        "confirm_form": forms.OptionalTextForm(prefix="confirm"), "withdraw_form": forms.TextForm(prefix="withdraw"),
        "escalate_form": forms.TextForm(prefix="escalate"), "order_form": forms.OrderForm(prefix="order"),
        # The department system's handler name of a case card whose handler has no account (subjects.py).
        "subject_handler_name": "" if w.handler_id else subjects.subject_handler(w.subject_kind, w.subject_id)[1],
        "can_order": w.status != "withdrawn" and subjects.manual_order_offered(w.subject_kind),
        "orders": list(w.orders.order_by("-issued_at")),
        "proposals": list(selectors.proposal_list_for(user).filter(warning=w)),
    }
    ctx.update(forms_override)
    return ctx


@role_required(*R.ALL)
@require_GET
def warning_detail(request, pk: int):
    w = selectors.warning_get_for(request.user, pk)
    return render(request, "supervision/warning_detail.html", _detail_context(request, w))


# action → (form class, service, success message)
_ACTIONS = {
    "explain": (forms.TextForm, lambda w, by, now, d: services.warning_explain(warning=w, by=by, now=now, text=d["text"]),
                gettext_lazy("已提交情况说明。")),
    "correct": (forms.TextForm, lambda w, by, now, d: services.warning_correct(warning=w, by=by, now=now, text=d["text"]),
                gettext_lazy("已报告整改情况。")),
    "confirm": (forms.OptionalTextForm,
                lambda w, by, now, d: services.warning_confirm(warning=w, by=by, now=now, text=d["text"]), gettext_lazy("已确认。")),
    "withdraw": (forms.TextForm, lambda w, by, now, d: services.warning_withdraw(warning=w, by=by, now=now, text=d["text"]),
                 gettext_lazy("已撤销此卡。")),
    "escalate": (forms.TextForm, lambda w, by, now, d: services.warning_escalate(warning=w, by=by, now=now, text=d["text"]),
                 gettext_lazy("已升级此卡。")),
    "appeal": (forms.AppealForm, lambda w, by, now, d: services.warning_appeal(
        warning=w, by=by, now=now, reason=d["reason"], attachment=d.get("attachment")), gettext_lazy("已提交申诉。")),
    "decide": (forms.AppealDecisionForm, lambda w, by, now, d: services.appeal_decide(
        warning=w, by=by, now=now, upheld=d["upheld"], text=d["text"]), gettext_lazy("已作出申诉决定。")),
    "order": (forms.OrderForm, lambda w, by, now, d: services.supervision_order_issue(
        warning=w, by=by, now=now, due_wd=d["due_wd"], instructions=d["instructions"]), gettext_lazy("已发出督办。")),
}


@role_required(*R.ALL)
@require_POST
def warning_action(request, pk: int, action: str):
    """One form of the card page: the service checks role, scope and state; errors show beside the form."""
    if action not in _ACTIONS:
        raise Http404
    w = selectors.warning_get_for(request.user, pk)
    form_class, call, ok = _ACTIONS[action]
    form = form_class(request.POST, request.FILES, prefix=action)
    if form.is_valid():
        try:
            result = call(w, request.user, timezone.now(), form.cleaned_data)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, ok)
            if action == "order":
                return redirect("supervision:order_detail", pk=result.pk)
            return redirect("supervision:warning_detail", pk=w.pk)
    w = selectors.warning_get_for(request.user, pk)
    ctx = _detail_context(request, w, **{f"{action}_form": form, "open_form": action})
    return render(request, "supervision/warning_detail.html", ctx, status=400)


@role_required(*R.ALL)
@require_GET
def appeal_attachment(request, pk: int, action_id: int):
    """An appeal's attachment, for whoever may see the card; always downloaded, never rendered inline."""
    w = selectors.warning_get_for(request.user, pk)
    a = WarningAction.objects.filter(warning=w, pk=action_id).exclude(attachment="").first()
    if a is None:
        raise Http404
    return FileResponse(a.attachment.open("rb"), as_attachment=True, filename=a.attachment_name or "attachment")


# ============================================================================================= orders
@role_required(*R.ALL)
@require_GET
def order_list(request):
    status = request.GET.get("status") or None
    if status not in (None, "issued", "answered", "closed", "late"):
        status = None
    page = Paginator(selectors.order_list_for(request.user, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "supervision/order_list.html", {"page": page, "status": status or ""})


def _order_context(request, o, **override):
    user = request.user
    ctx = {
        "o": o, "can_answer": user.has_any_role(R.HANDLER, R.HEAD) and o.status in ORDER_TRANSITIONS["answer"].sources,
        "can_close": user.has_role(R.SUPERVISOR) and o.status in ORDER_TRANSITIONS["close"].sources,
        "answer_form": forms.OrderAnswerForm(prefix="answer"), "close_form": forms.OrderCloseForm(prefix="close"),
    }
    ctx.update(override)
    return ctx


@role_required(*R.ALL)
@require_GET
def order_detail(request, pk: int):
    o = selectors.order_get_for(request.user, pk)
    return render(request, "supervision/order_detail.html", _order_context(request, o))


@role_required(*R.ALL)
@require_POST
def order_action(request, pk: int, action: str):
    o = selectors.order_get_for(request.user, pk)
    if action == "answer":
        form = forms.OrderAnswerForm(request.POST, prefix="answer")
        call = lambda d: services.supervision_order_answer(order=o, by=request.user, now=timezone.now(),  # noqa: E731
                                                           answer=d["answer"])
    elif action == "close":
        form = forms.OrderCloseForm(request.POST, prefix="close")
        call = lambda d: services.supervision_order_close(order=o, by=request.user, now=timezone.now(),  # noqa: E731
                                                          note=d["note"])
    else:
        raise Http404
    if _submitted(form, call):
        messages.success(request, _("已答复督办。") if action == "answer" else _("督办已办结。"))
        return redirect("supervision:order_detail", pk=o.pk)
    o = selectors.order_get_for(request.user, pk)
    return render(request, "supervision/order_detail.html", _order_context(request, o, **{f"{action}_form": form}),
                  status=400)


def _submitted(form, call) -> bool:
    """Validate `form` and pass its data to the service `call`: True when it went through. A refusal of the
    object (not found, not permitted) answers 404/403; any other domain error lands on the form."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    return True


# ========================================================================================== proposals
@role_required(*R.ALL)
@require_GET
def proposal_list(request):
    """整改建议书: the office sees drafts and sent ones; a department only those sent to it."""
    status = request.GET.get("status") or None
    if status not in (None, "draft", "issued", "discarded"):
        status = None
    page = Paginator(selectors.proposal_list_for(request.user, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "supervision/proposal_list.html", {
        "page": page, "status": status or "", "query": f"status={status}" if status else "",
        "is_supervisor": request.user.has_role(R.SUPERVISOR)})


def _proposal_context(request, p, **override):
    # Issue and discard start from the same status (a draft): one flag offers both forms.
    ctx = {"p": p, "can_act": request.user.has_role(R.SUPERVISOR) and p.status in PROPOSAL_TRANSITIONS["issue"].sources,
           "issue_form": forms.ProposalIssueForm(prefix="issue", initial={
               "problem": p.problem, "suggestion": p.suggestion, "due_wd": p.due_wd}),
           "discard_form": forms.ProposalDiscardForm(prefix="discard")}
    ctx.update(override)
    return ctx


@role_required(*R.ALL)
@require_GET
def proposal_detail(request, pk: int):
    p = selectors.proposal_get_for(request.user, pk)
    return render(request, "supervision/proposal_detail.html", _proposal_context(request, p))


@role_required(*R.ALL)
@require_GET
def proposal_print(request, pk: int):
    """The proposal as the document sent (issued ones only: a draft has no number to print)."""
    p = selectors.proposal_get_for(request.user, pk)
    if p.status != "issued":
        raise Http404
    return render(request, "supervision/proposal_print.html",
                  {"p": p, "opening": subjects.proposal_opening(p.subject_kind, p.subject_no)})


@role_required(*R.ALL)
@require_POST
def proposal_action(request, pk: int, action: str):
    p = selectors.proposal_get_for(request.user, pk)
    if action == "issue":
        form = forms.ProposalIssueForm(request.POST, prefix="issue")
        call = lambda d: services.supervision_proposal_issue(  # noqa: E731
            proposal=p, by=request.user, now=timezone.now(), problem=d["problem"], suggestion=d["suggestion"],
            due_wd=d["due_wd"])
    elif action == "discard":
        form = forms.ProposalDiscardForm(request.POST, prefix="discard")
        call = lambda d: services.supervision_proposal_discard(  # noqa: E731
            proposal=p, by=request.user, now=timezone.now(), reason=d["reason"])
    else:
        raise Http404
    if _submitted(form, call):
        messages.success(request, _("整改建议书已编号发出。") if action == "issue" else _("已决定不予发出。"))
        return redirect("supervision:proposal_detail", pk=p.pk)
    p = selectors.proposal_get_for(request.user, pk)
    return render(request, "supervision/proposal_detail.html",
                  _proposal_context(request, p, **{f"{action}_form": form}), status=400)


# ============================================================================================== rules
@role_required(*MONITOR_ROLES)
@require_GET
def rule_list(request):
    return render(request, "supervision/rule_list.html", {
        "rules": selectors.rule_list(), "changes": selectors.rule_changes()[:30],
        "can_edit": request.user.has_any_role(*RULE_EDITORS), "threshold_fields": THRESHOLD_FIELDS,
    })


@role_required(*MONITOR_ROLES)
@require_http_methods(["GET", "POST"])
def rule_edit(request, code: str):
    rule = selectors.rule_get(code)
    can_edit = request.user.has_any_role(*RULE_EDITORS)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有效能监察员或系统管理员可以修改监察规则。"))
        form = forms.RuleForm(request.POST, check=rule.check_code)
        if form.is_valid():
            try:
                services.rule_update(rule=rule, data=form.service_data(), by=request.user, now=timezone.now(),
                                     note=form.cleaned_data["note"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("规则已保存，立即生效。"))
                return redirect("supervision:rule_edit", code=rule.code)
        status = 400
    else:
        initial = {"name": rule.name, "enabled": rule.enabled, "level": rule.level, "mode": rule.mode,
                   "scope": rule.scope, "scope_department": rule.scope_department, "scope_item": rule.scope_item,
                   "auto_order": rule.auto_order, "order_due_wd": rule.order_due_wd,
                   "auto_proposal": rule.auto_proposal}
        for key, *_rest in THRESHOLD_FIELDS.get(rule.check_code, []):
            initial[f"t_{key}"] = (rule.thresholds or {}).get(key)
        form = forms.RuleForm(initial=initial, check=rule.check_code)
    return render(request, "supervision/rule_edit.html", {
        "rule": rule, "form": form, "can_edit": can_edit, "changes": selectors.rule_changes(rule)[:50],
    }, status=status)


# =============================================================================================== desk
@role_required(*R.ALL)
@require_GET
def desk(request):
    """The handler's desk: my cases due soon, my cards to answer, my supervision orders, my messages."""
    return render(request, "supervision/desk.html", {"d": selectors.desk_for(request.user, now=timezone.now())})


@role_required(*R.ALL)
@require_POST
def notifications_read(request):
    services.notification_mark_read(by=request.user, now=timezone.now())
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/staff/")
                    else reverse("supervision:desk"))
