"""The office's evaluation pages (效能考核): evaluations by period with the 计算 form, an evaluation's ranking by
group and overall (publish, export, revisions), the schemes (versions, one version, a new version), the ranking
groups, and a head's own department's scores. Thin: reads through selectors, writes through services, every
DomainError shown beside its field in Chinese with nothing stored.

Who: supervisors read and write everything; leaders read published evaluations, the schemes and the groups;
heads their own department's scores (本单位考核); everyone else 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import QUARTER, Period
from xiaoneng.core.periods import choices as period_choices  # the one picker (core)

from . import exports, forms
from . import indicators as reg
from . import selectors as S
from .models import DepartmentGroup, EvaluationStatus, PeriodKind, SanctionKind, Scheme
from .services import schemes as schemes_svc
from .services.evaluate import RULES, evaluation_publish, evaluation_run
from .services.groups import group_place, group_save

OFFICE = (R.SUPERVISOR, R.LEADER)
SAMPLE_FILTERS = ("", "apart", "only")


def _is_supervisor(user) -> bool:
    return user.has_any_role(R.SUPERVISOR)


# ------------------------------------------------------------------------------------------- evaluations
@role_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def office_list(request):
    """Evaluations by period (status, revision, when computed and published) and, for the office, the 计算
    form: a draft re-computes in place; a published period needs the correction's reason."""
    now = timezone.now()
    errors: dict[str, str] = {}
    values = {"period": Period.current(now).previous().code, "reason": ""}
    if request.method == "POST":
        if not _is_supervisor(request.user):
            return HttpResponse(_("只有效能监察员可以计算考核结果。"), status=403, content_type="text/plain; charset=utf-8")
        values = {"period": request.POST.get("period", "")[:16].strip(),
                  "reason": request.POST.get("reason", "")[:2000].strip()}
        try:
            ev = evaluation_run(Period.parse(values["period"]), now=now, by=request.user, reason=values["reason"])
        except DomainError as exc:
            errors[exc.field or "period"] = exc.message
        else:
            messages.success(request, _("%(period)s考核结果已计算（第%(n)s次，草稿），请审核后发布。")
                             % {"period": ev.period_label, "n": ev.revision})
            return redirect("evaluation:evaluation_detail", ev.pk)
    evaluations = S.evaluation_list(request.user)
    periods: dict[str, dict] = {}
    for ev in evaluations:
        periods.setdefault(ev.period, {"code": ev.period, "label": ev.period_label, "revisions": []})["revisions"].append(ev)
    return render(request, "evaluation/office/list.html", {
        "periods": list(periods.values()), "can_run": _is_supervisor(request.user), "errors": errors,
        "values": values, "period_options": period_choices(now),
    }, status=400 if errors else 200)


@role_required(*OFFICE)
@require_GET
def evaluation_detail(request, pk: int):
    """One evaluation: its notes, the ranking per group and overall (score, grade, ranks, veto, small-sample
    marks; the small-sample ones apart on request), the scheme, the revisions with their reasons, publish.

    At a province's scale every table shows its first S.RANKING_PAGE rows and links to itself in full, paged:
    `?group=CODE` one group's ranking, `?overall=1` the overall ranking (the dashboard's 完整排名 links here)."""
    ev = S.evaluation_get(request.user, pk)
    q = request.GET
    sample = q.get("sample", "")[:8]
    errors = []
    if sample not in SAMPLE_FILTERS:
        errors.append(_("样本筛选无效。"))
        sample = ""
    now = timezone.now()
    ctx = {
        "ev": ev, "sample": sample, "errors": errors,
        "revisions": S.evaluations_of_period(request.user, ev.period), "rules": RULES,
        "can_publish": _is_supervisor(request.user) and ev.status == EvaluationStatus.DRAFT and now >= ev.ends_at,
        "can_run": _is_supervisor(request.user), "ended": now >= ev.ends_at,
    }
    group = q.get("group", "")[:32].strip()
    full = None
    if group:
        names = dict(S.ranking_groups(ev))
        if group in names:
            full = {"group": group, "title": _("%(group)s排名") % {"group": names[group]}, "by_group": True}
        else:
            errors.append(_("考核分组不存在，已显示全部分组。"))
    elif q.get("overall") == "1":
        full = {"group": "", "title": _("总排名"), "by_group": False}
    if full is not None:
        rows = S.ranking_rows(ev, group=full["group"] or None, small_sample=sample)
        full["page"] = Paginator(rows, S.RANKING_PAGE).get_page(q.get("page"))
        keep = {k: v for k, v in (("group", full["group"]), ("overall", "" if full["group"] else "1"),
                                  ("sample", sample)) if v}
        full["query"] = urlencode(keep)
    else:
        ctx["r"] = S.ranking_by_group(ev, small_sample=sample)
    ctx["full"] = full
    ctx["sample_query"] = urlencode({"sample": sample}) if sample else ""
    return render(request, "evaluation/office/detail.html", ctx, status=400 if errors else 200)


@role_required(R.SUPERVISOR)
@require_POST
def evaluation_publish_view(request, pk: int):
    """Publish a reviewed draft of an ended period (the confirmation box ticked): frozen from then on."""
    ev = S.evaluation_get(request.user, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请勾选“确认发布”后再发布。"))
        return redirect("evaluation:evaluation_detail", ev.pk)
    try:
        evaluation_publish(ev, now=timezone.now(), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(period)s考核结果（第%(n)s次）已发布。") % {"period": ev.period_label, "n": ev.revision})
    return redirect("evaluation:evaluation_detail", ev.pk)


@role_required(*OFFICE)
@require_GET
def evaluation_export(request, pk: int):
    ev = S.evaluation_get(request.user, pk)
    fmt = request.GET.get("fmt", "xlsx")[:8]
    if fmt not in exports.TYPES:
        return HttpResponse(_("导出格式应为 xlsx 或 csv。"), status=400, content_type="text/plain; charset=utf-8")
    scores = S.ranking(ev)
    response = HttpResponse(exports.ranking_file(ev, scores, fmt=fmt), content_type=exports.TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="evaluation-{ev.period}-r{ev.revision}.{fmt}"'
    return response


# ------------------------------------------------------------------------------------------- schemes
@role_required(*OFFICE)
@require_GET
def schemes(request):
    return render(request, "evaluation/office/schemes.html", {
        **S.scheme_list(), "can_edit": _is_supervisor(request.user)})


def _scheme_view(scheme) -> dict:
    reg.load()
    spec = schemes_svc.spec_of(scheme)

    def named(rows, registry):
        out = []
        for row in rows:
            calc = registry.get(row["code"])
            out.append({**row, "name": calc.name if calc else row["code"], "definition": calc.definition if calc else "",
                        "unit": getattr(calc, "unit", ""), "available": getattr(calc, "available", True)})
        return out

    sanction_names = dict(SanctionKind.choices)
    vetoes = named(spec["vetoes"], reg.VETOES)
    for v in vetoes:
        v["sanction_label"] = sanction_names.get(v["sanction_kind"], "")
    return {"indicators": named(spec["indicators"], reg.INDICATORS),
            "deductions": named(spec["deductions"], reg.DEDUCTIONS),
            "bonuses": named(spec["bonuses"], reg.BONUSES), "vetoes": vetoes,
            "red_card_rule": schemes_svc.red_card_rule_text(scheme)}


@role_required(*OFFICE)
@require_GET
def scheme_detail(request, pk: int):
    scheme = S.scheme_get(pk)
    return render(request, "evaluation/office/scheme.html", {
        "scheme": scheme, "s": _scheme_view(scheme), "can_edit": _is_supervisor(request.user),
        "used": scheme.evaluations.count()})


@role_required(R.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def scheme_new(request):
    """A new version of a period kind's scheme, starting from the current one (or the shipped default): an
    editable table; a plain POST adds or removes rows, or saves through scheme_create_version (every fault shown
    beside its field or row, nothing saved)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, op = forms.post_rows(request.POST)
        if op == "save":
            spec = {**values, **{t: values[t] for t in forms.TABLES}}
            faults = forms.pre_check(values)
            try:
                if faults:
                    try:
                        schemes_svc.scheme_validate(spec)
                    except schemes_svc.SchemeInvalid as exc:
                        faults += [e for e in exc.errors if e["field"] not in {f["field"] for f in faults}]
                    raise schemes_svc.SchemeInvalid(faults)
                scheme = schemes_svc.scheme_create_version(spec, by=request.user, now=timezone.now())
            except schemes_svc.SchemeInvalid as exc:
                errors = forms.errors_by_field(exc.errors)
            except DomainError as exc:
                errors = {exc.field or "name": exc.message}
            else:
                messages.success(request, _("已保存为%(kind)s考核方案第%(n)s版。")
                                 % {"kind": scheme.get_period_kind_display(), "n": scheme.version})
                return redirect("evaluation:scheme_detail", scheme.pk)
    else:
        kind = request.GET.get("kind", QUARTER)[:10]
        if kind not in PeriodKind.values:
            kind = QUARTER
        base = None
        raw = request.GET.get("from", "")[:12]
        if raw.isdigit():
            base = Scheme.objects.filter(pk=int(raw)).first()
        if base is None:
            base = Scheme.objects.filter(period_kind=kind).order_by("-version").first()
        spec = schemes_svc.spec_of(base) if base is not None else schemes_svc.default_spec(kind)
        if base is not None:
            spec["valid_from"] = ""
        values = forms.spec_rows(spec)
    top = {k: errors.get(k, "") for k in (*forms.SCALARS, "period_kind")}
    shown = {k for k in errors if k in top or any(k == t or k.startswith(t + ".") for t in forms.TABLES)}
    return render(request, "evaluation/office/scheme_new.html", {
        "values": values, "tables": forms.table_view(values, errors), "errors": top, "error_count": len(errors),
        "other_errors": [m for k, m in errors.items() if k not in shown], "kinds": PeriodKind.choices,
        "sanctions": SanctionKind.choices,
    }, status=400 if errors else 200)


# ------------------------------------------------------------------------------------------- groups
@role_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def groups(request):
    """The ranking groups (name, the department kinds each ranks) and explicit placements of departments; the
    office changes them (applies to the next computation)."""
    errors: dict[str, str] = {}
    form = {}
    if request.method == "POST":
        if not _is_supervisor(request.user):
            return HttpResponse(_("只有效能监察员可以修改考核分组。"), status=403, content_type="text/plain; charset=utf-8")
        op = request.POST.get("op", "")[:10]
        try:
            if op == "group":
                form = {"code": request.POST.get("code", "")[:40], "name": request.POST.get("name", "")[:60],
                        "kinds": request.POST.getlist("kinds")[:10]}
                raw_pos = request.POST.get("position", "").strip()[:6]
                if raw_pos and not raw_pos.isdigit():
                    raise DomainError(_("排序须为整数。"), field="position")
                group_save(code=form["code"], name=form["name"], kinds=form["kinds"],
                           position=int(raw_pos) if raw_pos else None)
                messages.success(request, _("考核分组已保存，下次计算时生效。"))
            elif op == "place":
                code = request.POST.get("department", "")[:32].strip()
                dept = Department.objects.filter(code=code, is_active=True).first()
                if dept is None:
                    raise DomainError(_("单位不存在。"), field="department")
                gcode = request.POST.get("group", "")[:32].strip()
                group = DepartmentGroup.objects.filter(code=gcode).first() if gcode else None
                if gcode and group is None:
                    raise DomainError(_("考核分组不存在。"), field="group")
                group_place(department=dept, group=group)
                messages.success(request, _("已调整“%(d)s”的考核分组，下次计算时生效。") % {"d": dept.name})
            else:
                raise DomainError(_("操作无效。"), field="op")
        except DomainError as exc:
            errors[exc.field or "op"] = exc.message
        else:
            return redirect("evaluation:groups")
    return render(request, "evaluation/office/groups.html", {
        **S.groups_overview(), "can_edit": _is_supervisor(request.user), "errors": errors, "form": form,
    }, status=400 if errors else 200)


# ------------------------------------------------------------------------------------------- a head's own
@role_required(R.HEAD)
@require_GET
def my_scores(request):
    """本单位考核: the head's department's published scores by period, each opening its score page."""
    return render(request, "evaluation/office/my_scores.html", {
        "scores": S.my_scores(request.user), "department": request.user.department})


# ------------------------------------------------------------------------------------------- landing panel
def office_panel(user, *, now) -> dict | None:
    """The supervisor's landing panel: this quarter's and the last quarter's evaluation state (not computed /
    draft / published), with links."""
    if not user.has_any_role(R.SUPERVISOR):
        return None
    current = Period.current(now)
    last = current.previous()
    words = {"none": _("未计算"), "draft": _("草稿待发布"), "published": _("已发布")}
    tones = {"none": "warning", "draft": "warning", "published": ""}
    tiles = []
    for p in (last, current):
        state, ev = S.period_status(p)
        url = reverse("evaluation:evaluation_detail", args=[ev.pk]) if ev else reverse("evaluation:office_list")
        tiles.append({"key": f"evaluation-{p.code}", "label": p.label, "value": words[state], "url": url,
                      "tone": tones[state] if p == last else "",
                      "hint": _("第%(n)s次") % {"n": ev.revision} if ev else _("尚未计算")})
    return {"key": "evaluation-status", "title": _("效能考核"), "url": reverse("evaluation:office_list"),
            "link": _("考核结果"), "tiles": tiles}
