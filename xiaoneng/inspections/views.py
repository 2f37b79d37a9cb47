"""明查暗访: the staff pages (thin: forms check shape, services the rules, selectors the scope).

Every object is looked up through selectors.visible_* so that an object outside the reader's reach is a
404, whoever asks — a covert visit is "not there" for the inspected department until it is published."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.models import Staff
from xiaoneng.core.errors import DomainError

from . import forms as F
from . import selectors as S
from . import services
from .models import (
    Checklist,
    Correction,
    Finding,
    Inspection,
    Mode,
    Result,
    SupervisorProfile,
    Visit,
    VisitPhoto,
    VisitStatus,
)

PAGE_SIZE = 30
OFFICE = (R.SUPERVISOR,)
READERS = (R.SUPERVISOR, R.LEADER, R.ADMIN, R.INVITED, R.WINDOW, R.HANDLER, R.HEAD)
FINDING_READERS = (R.SUPERVISOR, R.LEADER, R.ADMIN, R.HANDLER, R.HEAD, R.WINDOW)
RECORDERS = (R.SUPERVISOR, R.INVITED)


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _error_to(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _pk(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else 0


# ------------------------------------------------------------------------------------------------ visits
@role_required(*READERS)
@require_GET
def visits(request):
    """The visits the reader may see: the office's review queue, the leader's record, the invited supervisor's
    own visits, the department's published findings."""
    qs = S.visible_visits(request.user).select_related("department", "plan")
    status = request.GET.get("status", "")
    if status == "unpublished":
        qs = qs.filter(status=VisitStatus.ACCEPTED, published_at__isnull=True)
    elif status in VisitStatus.values:
        qs = qs.filter(status__in=(VisitStatus.DRAFT, VisitStatus.RETURNED) if status == VisitStatus.DRAFT else (status,))
    mode = request.GET.get("mode", "")
    if mode in Mode.values:
        qs = qs.filter(mode=mode)
    return render(request, "inspections/visits.html", {
        "page": _page(request, qs), "status": status, "mode": mode, "statuses": VisitStatus.choices,
        "modes": Mode.choices, "office": services.is_office(request.user),
        "recordable": S.recordable_plans(request.user, today=timezone.localdate()).order_by("-starts_on")[:20],
    })


def _visit_for(request, pk: int) -> Visit:
    return get_object_or_404(S.visible_visits(request.user).select_related("department", "plan", "checklist",
                                                                           "recorded_by", "reviewed_by"), pk=pk)


@role_required(*READERS)
@require_GET
def visit(request, pk: int):
    v = _visit_for(request, pk)
    user = request.user
    office = services.is_office(user)
    results = list(v.results.select_related("item"))
    findings = list(v.findings.all()) if (office or user.has_any_role(*FINDING_READERS)) else []
    return render(request, "inspections/visit.html", {
        "v": v, "results": results, "findings": findings, "photos": list(v.photos.all()), "office": office,
        "own": v.recorded_by_id == user.pk,
        "editable": v.recorded_by_id == user.pk and v.status in (VisitStatus.DRAFT, VisitStatus.RETURNED),
        "review_form": F.ReviewForm(), "Result": Result, "show_recorder": office or v.recorded_by_id == user.pk,
    })


def _visit_form_page(request, *, plan: Inspection, visit: Visit | None):
    now = timezone.now()
    initial = {"visited_at": F.local_now_input(), "inspectors": request.user.display_name}
    if visit is not None:
        initial = {"department": visit.department.code, "place": visit.place, "window": visit.window,
                   "visited_at": timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M"),
                   "inspectors": visit.inspectors, "summary": visit.summary}
        for r in visit.results.all():
            initial[f"result_{r.item_id}"] = r.result
            initial[f"note_{r.item_id}"] = r.note
    form = F.VisitForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            photos = services.clean_photos(request.FILES.getlist("photos"))
            data = form.cleaned_data
            kwargs = dict(department=data["department"], place=data["place"], window=data["window"],
                          visited_at=data["visited_at"], inspectors=data["inspectors"], summary=data["summary"],
                          results=form.results(), photos=photos, submit=submit, by=request.user, now=now)
            if visit is None:
                v = services.visit_record(plan=plan, **kwargs)
            else:
                v = services.visit_update(visit=visit, **kwargs)
            messages.success(request, _("检查记录已提交效能办审核。") if v.status == VisitStatus.SUBMITTED
                             else _("检查记录已采纳。") if v.status == VisitStatus.ACCEPTED else _("草稿已保存。"))
            return redirect("inspections:visit", pk=v.pk)
        except DomainError as exc:
            if exc.field and exc.field not in form.fields and exc.field != "photos":
                form.add_error(None, exc.message)
            elif exc.field == "photos":
                form.add_error(None, exc.message)
                form.photo_error = exc.message
            else:
                _error_to(form, exc)
    return render(request, "inspections/visit_form.html", {
        "form": form, "plan": plan, "visit": visit, "office": services.is_office(request.user),
        "photo_error": getattr(form, "photo_error", ""),
    }, status=400 if form.errors else 200)


@role_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def visit_new(request, pk: int):
    """Record a visit of a plan (phone width first: inspectors record on the spot, photos included)."""
    plan = get_object_or_404(S.visible_plans(request.user).select_related("checklist"), pk=pk)
    if not services.may_record(plan, request.user):
        raise Http404
    return _visit_form_page(request, plan=plan, visit=None)


@role_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def visit_edit(request, pk: int):
    v = get_object_or_404(Visit.objects.select_related("plan__checklist", "department"), pk=pk,
                          recorded_by=request.user)
    if v.status not in (VisitStatus.DRAFT, VisitStatus.RETURNED):
        messages.error(request, _("已提交的检查记录不能再修改。"))
        return redirect("inspections:visit", pk=v.pk)
    return _visit_form_page(request, plan=v.plan, visit=v)


@role_required(*RECORDERS)
@require_POST
def visit_submit(request, pk: int):
    v = get_object_or_404(Visit, pk=pk, recorded_by=request.user)
    try:
        services.visit_submit(visit=v, by=request.user, now=timezone.now())
        messages.success(request, _("检查记录已提交效能办审核。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("inspections:visit", pk=v.pk)


@role_required(*OFFICE)
@require_POST
def visit_review(request, pk: int):
    v = _visit_for(request, pk)
    form = F.ReviewForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        try:
            services.visit_review(visit=v, accept=accept, note=form.cleaned_data["note"], by=request.user,
                                  now=timezone.now())
            messages.success(request, _("已采纳。") if accept else _("已退回。"))
            return redirect("inspections:visit", pk=v.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("审核意见不能超过 500 个字。"))
    return redirect("inspections:visit", pk=v.pk)


@role_required(*OFFICE)
@require_POST
def visit_publish(request, pk: int):
    v = _visit_for(request, pk)
    try:
        services.visit_publish(visit=v, by=request.user, now=timezone.now())
        messages.success(request, _("检查结果已发布，被检查单位现在可以看到。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("inspections:visit", pk=v.pk)


@role_required(*READERS)
@require_GET
def photo(request, pk: int):
    """A visit's photo, to whoever sees the visit (the files were re-encoded without EXIF on upload)."""
    p = get_object_or_404(VisitPhoto, pk=pk, visit__in=S.visible_visits(request.user))
    resp = FileResponse(p.file.open("rb"), content_type=p.content_type)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Content-Disposition"] = "inline"
    resp["Cache-Control"] = "private, no-cache"
    return resp


# ------------------------------------------------------------------------------------------------ plans
@role_required(R.SUPERVISOR, R.LEADER, R.ADMIN, R.INVITED)
@require_http_methods(["GET", "POST"])
def plans(request):
    office = services.is_office(request.user)
    form = F.PlanForm(request.POST or None) if office else None
    if request.method == "POST":
        if not office:
            raise PermissionDenied(_("只有效能办监察员可以创建检查计划。"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                plan = services.plan_create(title=d["title"], mode=d["mode"], checklist=d["checklist"],
                                            starts_on=d["starts_on"], ends_on=d["ends_on"],
                                            departments=d["departments"], inspectors=d["inspectors"],
                                            windows=d["windows"], by=request.user, now=timezone.now())
                messages.success(request, _("检查计划 %(no)s 已创建。") % {"no": plan.number})
                return redirect("inspections:plans")
            except DomainError as exc:
                _error_to(form, exc)
    qs = S.visible_plans(request.user).select_related("checklist").prefetch_related("departments")
    return render(request, "inspections/plans.html", {
        "page": _page(request, qs), "form": form, "office": office, "today": timezone.localdate(),
        "may_record": office or request.user.has_role(R.INVITED),
    }, status=400 if form is not None and form.errors else 200)


# ------------------------------------------------------------------------------------------------ checklists
@role_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def checklists(request):
    form = F.ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.checklist_save(name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                                        items=form.parsed_items(), by=request.user, now=timezone.now())
            messages.success(request, _("检查表“%(name)s”已保存。") % {"name": c.name})
            return redirect("inspections:checklists")
        except DomainError as exc:
            _error_to(form, exc)
    lists = Checklist.objects.prefetch_related("items")
    return render(request, "inspections/checklists.html", {"form": form, "checklists": lists},
                  status=400 if form.errors else 200)


@role_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def checklist_edit(request, pk: int):
    c = get_object_or_404(Checklist, pk=pk)
    initial = {"name": c.name, "description": c.description,
               "items": "\n".join(f"{i.name}|{i.weight}|{i.guidance}" for i in c.items.all())}
    form = F.ChecklistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.checklist_save(checklist=c, name=form.cleaned_data["name"],
                                          description=form.cleaned_data["description"], items=form.parsed_items(),
                                          by=request.user, now=timezone.now())
            messages.success(request, _("已保存为第 %(v)s 版（原版本已被检查记录使用，保持不变）。") % {"v": new.version}
                             if new.pk != c.pk else _("检查表已保存。"))
            return redirect("inspections:checklists")
        except DomainError as exc:
            _error_to(form, exc)
    return render(request, "inspections/checklist_edit.html", {"form": form, "c": c},
                  status=400 if form.errors else 200)


# ------------------------------------------------------------------------------------------------ findings
@role_required(*FINDING_READERS)
@require_GET
def findings(request):
    qs = S.visible_findings(request.user).select_related("department", "visit")
    correction = request.GET.get("correction", "")
    if correction == "none":
        qs = qs.filter(correction="")
    elif correction in Correction.values and correction:
        qs = qs.filter(correction=correction)
    return render(request, "inspections/findings.html", {
        "page": _page(request, qs), "correction": correction, "office": services.is_office(request.user),
        "choices": [c for c in Correction.choices if c[0]],
    })


def _finding_for(request, pk: int) -> Finding:
    return get_object_or_404(S.visible_findings(request.user).select_related("department", "visit"), pk=pk)


@role_required(*FINDING_READERS)
@require_GET
def finding(request, pk: int):
    f = _finding_for(request, pk)
    office = services.is_office(request.user)
    dept_user = request.user.has_any_role(R.HANDLER, R.HEAD)
    cards = []
    if f.card_id or f.correction:
        from xiaoneng.core import clocks

        cards = clocks.judge().cards_of("finding", [f.pk]).get(f.pk, [])
    return render(request, "inspections/finding.html", {
        "f": f, "office": office, "answerable": dept_user and f.correction == Correction.OPEN,
        "start_form": F.CorrectionStartForm(), "answer_form": F.AnswerForm(), "review_form": F.ReviewForm(),
        "sanction_form": F.SanctionForm(department=f.department), "card_form": F.CardForm(),
        "sanctions": list(f.sanctions.select_related("staff", "proposed_by")) if office or request.user.has_role(R.LEADER) else [],
        "cards": cards,
    })


ACTIONS = ("correct", "answer", "review", "sanction", "card")


@role_required(R.SUPERVISOR, R.HANDLER, R.HEAD)
@require_POST
def finding_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    f = _finding_for(request, pk)
    user, now = request.user, timezone.now()
    office_actions = ("correct", "review", "sanction", "card")
    if (action in office_actions and not services.is_office(user)) or (action == "answer" and not user.has_any_role(R.HANDLER, R.HEAD)):
        raise PermissionDenied(_("您的角色无权执行此操作。"))
    try:
        if action == "correct":
            form = F.CorrectionStartForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("整改期限须为 1-60 个工作日。"), field="wd")
            services.finding_correction_start(finding=f, wd=form.cleaned_data["wd"], by=user, now=now)
            messages.success(request, _("已交办整改。"))
        elif action == "answer":
            form = F.AnswerForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("请填写整改情况（不超过 1000 字）。"), field="text")
            services.finding_correction_answer(finding=f, text=form.cleaned_data["text"], by=user, now=now)
            messages.success(request, _("整改情况已报效能办审核。"))
        elif action == "review":
            form = F.ReviewForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("审核意见不能超过 500 个字。"), field="note")
            accept = request.POST.get("decision") == "accept"
            services.finding_correction_review(finding=f, accept=accept, note=form.cleaned_data["note"], by=user,
                                               now=now)
            messages.success(request, _("整改已通过。") if accept else _("整改已退回。"))
        elif action == "sanction":
            form = F.SanctionForm(request.POST, department=f.department)
            if not form.is_valid():
                first = next(iter(form.errors.values()))[0]
                raise DomainError(first, field="kind")
            d = form.cleaned_data
            services.sanction_propose(finding=f, kind=d["kind"], reason=d["reason"], staff=d["staff"], by=user,
                                      now=now)
            messages.success(request, _("问责建议已记录。"))
        else:
            form = F.CardForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("请选择预警级别。"), field="level")
            services.finding_card_raise(finding=f, level=form.cleaned_data["level"], by=user, now=now)
            messages.success(request, _("预警卡已发出。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("inspections:finding", pk=f.pk)


# ------------------------------------------------------------------------------------------------ supervisors
@role_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def supervisors(request):
    """特邀监督员: who they are (人大代表, 政协委员, 记者, 企业代表 …) and how many visits each recorded."""
    form = F.ProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.supervisor_profile_save(staff=d["staff"], kind=d["kind"], affiliation=d["affiliation"],
                                             by=request.user)
            messages.success(request, _("已保存。"))
            return redirect("inspections:supervisors")
        except DomainError as exc:
            _error_to(form, exc)
    qs = Staff.objects.filter(groups__name=R.INVITED).distinct().order_by("username")
    counts = dict(Visit.objects.filter(recorded_by__in=qs).exclude(status=VisitStatus.DRAFT)
                  .values("recorded_by").annotate(n=Count("id")).values_list("recorded_by", "n"))
    profiles = {p.staff_id: p for p in SupervisorProfile.objects.filter(staff__in=qs)}
    rows = [{"staff": s, "profile": profiles.get(s.pk), "visits": counts.get(s.pk, 0)} for s in qs]
    return render(request, "inspections/supervisors.html", {"form": form, "rows": rows},
                  status=400 if form.errors else 200)
