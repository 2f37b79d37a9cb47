"""The office's ratings pages (好差评): the rating list and a rating's page, the figures page with its charts,
the Excel exports, the policy page and the reasons page. Thin: reads through selectors (scoped), writes through
services (services/office.py), errors shown in the form.

Who: the list, a rating and the figures — supervisors and leaders every department, heads and handlers their
own (administrators too, reading); the policy and the reasons — supervisors (leaders read the policy)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import Period
from xiaoneng.core.periods import choices as period_choices  # the one picker (core)

from . import exports
from . import selectors as S
from .models import Channel, Level, RatingPolicy, RatingPolicyChange, RatingReason
from .services import office

READERS = (R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD, R.HANDLER)
PAGE_SIZE = 50
EXPORT_MAX = 50_000
CHART_N = 15


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _period(request, errors: list[str], *, required: bool):
    raw = request.GET.get("period", "")[:32].strip()
    if not raw:
        return Period.current(timezone.now()) if required else None
    try:
        return Period.parse(raw)
    except DomainError as exc:
        errors.append(exc.message)
        return Period.current(timezone.now()) if required else None


def _department(request, staff, errors: list[str], allowed):
    code = request.GET.get("department", "")[:32].strip()
    if not code:
        return None
    d = allowed.filter(code=code).first()
    if d is None:
        errors.append(_("部门不存在或不在您的权限范围内。"))
    return d


# ----------------------------------------------------------------------------------------------- the list
def _list_query(request):
    errors: list[str] = []
    staff = request.user
    allowed = S.figures_departments_for(staff)
    period = _period(request, errors, required=False)
    dept = _department(request, staff, errors, allowed)
    level = request.GET.get("level", "").strip()[:4]
    if level and level not in ("1", "2", "3", "4", "5"):
        errors.append(_("评价等级应为 1 至 5。"))
        level = ""
    channel = request.GET.get("channel", "").strip()[:16]
    if channel and channel not in Channel.values:
        errors.append(_("评价渠道无效。"))
        channel = ""
    voided = request.GET.get("voided", "").strip()[:4]
    if voided not in ("", "yes", "all"):
        errors.append(_("作废筛选无效。"))
        voided = ""
    kind = request.GET.get("kind", "").strip()[:8]
    if kind not in ("", "good", "neutral", "bad"):
        errors.append(_("好中差筛选无效。"))
        kind = ""
    f = S.RatingFilters(department=dept, period=period, level=int(level) if level else None, channel=channel,
                        voided=voided, kind=kind)
    q = {"period": period.code if period else "", "department": dept.code if dept else "", "level": level,
         "channel": channel, "voided": voided, "kind": kind}
    return f, q, allowed, errors


def _row_view(staff, r, names) -> dict:
    name, phone = S.rater_for(staff, r)
    rect = getattr(r, "rectification", None)
    return {
        "r": r, "subject": r.case.case_no if r.case_id else (r.contact.number if r.contact_id else ""),
        "reasons": [names.get(c, c) for c in r.reasons or []], "comment": S.comment_for(staff, r),
        "rater_name": name, "rater_phone": phone, "rect": rect,
    }


@role_required(*READERS)
@require_GET
def rating_list(request):
    """Ratings the viewer may read, newest first, filtered; raters masked except for the office and the rated
    department's heads; comments escaped (autoescape) and masked of phones and ID numbers."""
    f, q, allowed, errors = _list_query(request)
    qs = S.rating_filter(S.rating_scope(request.user), f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    names = S.reason_names()
    query = urlencode({k: v for k, v in q.items() if v})
    return render(request, "ratings/office/list.html", {
        "rows": [_row_view(request.user, r, names) for r in page.object_list], "page": page, "q": q,
        "query": query, "departments": allowed, "levels": Level.choices, "channels": S.channel_choices(),
        "periods": period_choices(timezone.now()), "errors": errors}, status=400 if errors else 200)


@role_required(*READERS)
@require_GET
def rating_list_export(request):
    f, q, _allowed, errors = _list_query(request)
    fmt = request.GET.get("fmt", "xlsx")[:8]
    if errors or fmt not in exports.TYPES:
        return HttpResponse(" ".join(errors) or _("导出格式应为 xlsx 或 csv。"), status=400,
                            content_type="text/plain; charset=utf-8")
    qs = S.rating_filter(S.rating_scope(request.user), f)[:EXPORT_MAX]
    names = S.reason_names()
    rows = []
    for r in qs:
        v = _row_view(request.user, r, names)
        rows.append([r.pk, exports.stamp(r.rated_at), v["subject"], r.department.name, str(r.get_level_display()),
                     "、".join(v["reasons"]), v["comment"], str(r.get_channel_display()), "是" if r.defaulted else "",
                     v["rater_name"], v["rater_phone"], str(v["rect"].get_status_display()) if v["rect"] else "",
                     "是" if r.voided_at else ""])
    response = HttpResponse(exports.list_file(rows=rows, fmt=fmt), content_type=exports.TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="ratings-{q["period"] or "all"}.{fmt}"'
    return response


@role_required(*READERS)
@require_GET
def rating_detail(request, pk: int):
    r = S.rating_get_for(request.user, pk)
    names = S.reason_names()
    v = _row_view(request.user, r, names)
    case_url = _url("cases:case_detail", r.case.case_no) if r.case_id else None
    rect_url = _url("ratings:rectification", v["rect"].number) if v["rect"] else None
    return render(request, "ratings/office/detail.html", {
        "v": v, "r": r, "case_url": case_url, "rect_url": rect_url, "sees_rater": S.sees_rater(request.user, r)})


# ----------------------------------------------------------------------------------------------- figures
def _figures(request):
    errors: list[str] = []
    period = _period(request, errors, required=True)
    allowed = S.figures_departments_for(request.user)
    dept = _department(request, request.user, errors, allowed)
    data = S.figures(period=period, departments=[dept] if dept else allowed)
    return data, period, dept, allowed, errors


def _chart(data: dict) -> dict:
    """What figures.js draws: good rates (bars) and the levels (stacked) per department, in the table's order
    — the first CHART_N with ratings when many (named in `note`)."""
    rows = [d for d in data["departments"] if d["ratings"]]
    note = ""
    if len(rows) > CHART_N:
        rows = sorted(rows, key=lambda d: d["good_rate"])[:CHART_N]
        note = _("共 %(total)s 个部门有评价，图中为好评率最低的 %(n)s 个；全部部门见下表。") % {
            "total": len([d for d in data["departments"] if d["ratings"]]), "n": CHART_N}
    return {
        "departments": [d["department_name"] for d in rows],
        "good_rate": [exports.pct_value(d["good_rate"]) for d in rows],
        "levels": {str(Level(n).label): [d[f"l{n}"] for d in rows] for n in (5, 4, 3, 2, 1)},
        "note": note, "label_good_rate": _("好评率"),
    }


@role_required(*READERS)
@require_GET
def figures(request):
    """The period's figures per department with the definitions; ECharts bars of good rates and of the levels,
    each with its table; small samples flagged."""
    data, period, dept, allowed, errors = _figures(request)
    query = urlencode({"period": period.code, **({"department": dept.code} if dept else {})})
    chart = _chart(data)
    return render(request, "ratings/office/figures.html", {
        "data": data, "period": period, "department": dept, "departments": allowed, "chart": chart,
        "chart_rows": [d for d in data["departments"] if d["department_name"] in set(chart["departments"])],
        "periods": period_choices(timezone.now()), "query": query, "errors": errors,
        "list_url": reverse("ratings:office_list")}, status=400 if errors else 200)


@role_required(*READERS)
@require_GET
def figures_export(request):
    data, period, dept, _allowed, errors = _figures(request)
    fmt = request.GET.get("fmt", "xlsx")[:8]
    if errors or fmt not in exports.TYPES:
        return HttpResponse(" ".join(errors) or _("导出格式应为 xlsx 或 csv。"), status=400,
                            content_type="text/plain; charset=utf-8")
    scope = dept.name if dept else (_("全部部门") if request.user.is_county_wide else _("本部门"))
    response = HttpResponse(exports.figures_file(data=data, scope=scope, fmt=fmt), content_type=exports.TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="rating-figures-{period.code}.{fmt}"'
    return response


# ----------------------------------------------------------------------------------------------- settings
@role_required(R.SUPERVISOR, R.LEADER)
@require_http_methods(["GET", "POST"])
def policy(request):
    """The office's rating policy; changes by supervisors only, each kept (the history under the form)."""
    current = RatingPolicy.current()
    errors: dict[str, str] = {}
    values = office.policy_snapshot(current)
    if request.method == "POST":
        if not request.user.has_role(R.SUPERVISOR):
            return HttpResponse(_("只有效能监察员可以修改好差评设置。"), status=403, content_type="text/plain; charset=utf-8")
        values = {f: request.POST.get(f, "")[:16] for f in office.POLICY_FIELDS}
        values["sms_invite"] = "1" if request.POST.get("sms_invite") else "0"  # an unticked box sends nothing
        try:
            office.policy_update(by=request.user, values=values, now=timezone.now())
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
        else:
            messages.success(request, _("好差评设置已保存。"))
            return redirect("ratings:office_policy")
    fields = [(f, label, lo, hi, values.get(f)) for f, (label, lo, hi) in office.POLICY_BOUNDS.items()]
    return render(request, "ratings/office/policy.html", {
        "fields": fields, "values": values, "errors": errors, "defaults": RatingPolicy.Default.choices,
        "changes": _changes(), "policy": current,
        "can_edit": request.user.has_role(R.SUPERVISOR)}, status=400 if errors else 200)


def _changes() -> list[dict]:
    """The last policy changes in words: which setting, from what to what."""
    labels = {f: label for f, (label, _lo, _hi) in office.POLICY_BOUNDS.items()}
    labels["default_level"] = _("逾期未评价按")
    labels["sms_invite"] = _("办结后短信邀请评价")
    shown = dict(RatingPolicy.Default.choices)
    switch = {True: _("开启"), False: _("关闭")}
    out = []
    for c in RatingPolicyChange.objects.select_related("changed_by")[:20]:
        items = [(labels[k], *((switch.get(c.before.get(k)), switch.get(v)) if k == "sms_invite" else
                               (shown.get(c.before.get(k), c.before.get(k)), shown.get(v, v))))
                 for k, v in c.after.items() if c.before.get(k) != v and k in labels]
        out.append({"at": c.changed_at, "by": c.changed_by, "items": items})
    return out


@role_required(R.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def reasons(request):
    """The list of reasons per level: add one; rename, change levels, enable or disable each."""
    errors: dict[str, str] = {}
    form = {"code": "", "name": "", "levels": []}
    if request.method == "POST":
        form = {"code": request.POST.get("code", "")[:40], "name": request.POST.get("name", "")[:80],
                "levels": request.POST.getlist("levels")[:5]}
        try:
            office.reason_create(by=request.user, now=timezone.now(), **form)
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
        else:
            messages.success(request, _("已添加评价原因“%(name)s”。") % {"name": form["name"].strip()})
            return redirect("ratings:office_reasons")
    return render(request, "ratings/office/reasons.html", {
        "reasons": RatingReason.objects.all(), "levels": Level.choices, "errors": errors, "form": form},
        status=400 if errors else 200)


@role_required(R.SUPERVISOR)
@require_POST
def reason_edit(request, pk: int):
    reason = get_object_or_404(RatingReason, pk=pk)
    try:
        reason = office.reason_update(by=request.user, reason=reason, now=timezone.now(),
                             name=request.POST.get("name", "")[:80] if "name" in request.POST else None,
                             levels=request.POST.getlist("levels")[:5] if "set_levels" in request.POST else None,
                             enabled={"1": True, "0": False}.get(request.POST.get("enabled", "")))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("评价原因“%(name)s”已更新。") % {"name": reason.name})
    return redirect("ratings:office_reasons")
