"""Pages of 民主评议: the public questionnaire (link or invitation code, phone width first), its QR code; the
office's survey list, designer (htmx), preview, groups and weights, invitation codes (sheet, files, SMS),
results with charts and exports; a department head's own scores.

Thin views: parse, call a service or a selector, render. Services check again who may act."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError
from xiaoneng.core.request import client_ip

from . import exports, services
from . import selectors as S
from .models import SCALE_LABELS, SCALE_POINTS, InvitationCode, Question, QuestionKind, Section, Survey
from .services import GroupInput

OFFICE = (R.SUPERVISOR,)
READERS = (R.SUPERVISOR, R.LEADER)
SCALE = [(v, SCALE_LABELS[v]) for v in (5, 4, 3, 2, 1)]
SHEET_SIZE = 100  # invitation cards on one printed page set (each QR is drawn on the server)


def _public_url(request, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("surveys:public", args=[survey.token]))


def _parse_day(value: str, field: str) -> dt.date:
    text = (value or "").strip()
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 and text.isascii() else None
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        raise DomainError(_("请按“年-月-日”填写 2000 至 2100 年间的日期。"), field=field)
    return day


def _period(post) -> tuple[dt.datetime, dt.datetime]:
    """开始日期 00:00 to the day after 截止日期 00:00 (the closing day is included), Beijing time."""
    tz = timezone.get_default_timezone()
    start = _parse_day(post.get("opens_on", ""), "opens_at")
    end = _parse_day(post.get("closes_on", ""), "closes_at")
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _closing_day(survey: Survey) -> dt.date:
    return (timezone.localtime(survey.closes_at) - dt.timedelta(microseconds=1)).date()


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --------------------------------------------------------------------------------------------- public
def _answers_from_post(post, sections) -> dict:
    answers: dict = {}
    for s in sections:
        for q in s.question_list:
            key = f"q{q.pk}"
            if q.kind == QuestionKind.MULTIPLE:
                answers[str(q.pk)] = [v for v in post.getlist(key) if v][:100]
            elif q.kind == QuestionKind.MATRIX:
                answers[str(q.pk)] = {str(d.pk): post.get(f"{key}_{d.pk}", "") for d in q.department_list}
            else:
                answers[str(q.pk)] = post.get(key, "")
    return answers


@require_http_methods(["GET", "POST"])
def public(request, token: str):
    """The questionnaire as a respondent answers it: no log-in, phone width first. With an invitation code
    (typed, or from the link's ?code=) the response goes to the code's group; on the public link the respondent
    says which group they belong to."""
    survey = S.survey_get_public(token)
    now = timezone.now()
    sections = S.version_sections(survey.current_version)
    code = (request.POST.get("code") if request.method == "POST" else request.GET.get("code", "")) or ""
    code = code.strip()[:32]
    ctx = {"survey": survey, "sections": sections, "scale": SCALE, "code": code,
           "groups": [g for g in survey.groups.all() if g.public], "open": survey.is_open(now),
           "closing_day": _closing_day(survey), "values": {}, "preview": False}
    if not ctx["open"]:
        try:
            services._open_check(survey, now)
        except DomainError as exc:
            ctx["closed_message"] = exc.message
    if code:
        found = services.invitation_code_find(survey, code)
        if request.method == "POST":
            if found is not None and not found.response_id:
                ctx["code_group"] = found.group
        elif found is None:
            ctx["error"], ctx["error_field"] = _("邀请码不正确，请核对后重新输入。"), "code"
        elif found.response_id:
            ctx["error"], ctx["error_field"] = _("该邀请码已使用过，每个邀请码只能提交一份答卷。"), "code"
        else:
            ctx["code_group"] = found.group
    if request.method == "GET":
        return render(request, "surveys/public.html", ctx)
    answers = _answers_from_post(request.POST, sections)
    ctx["values"] = {k: v for k, v in request.POST.items()}
    ctx["multi"] = {k: request.POST.getlist(k) for k in request.POST}
    try:
        services.response_submit(survey=survey, answers=answers, now=now, code=code,
                                 group=request.POST.get("group", "")[:32], phone=request.POST.get("phone", "")[:32],
                                 sms_code=request.POST.get("sms_code", "")[:12], ip=client_ip(request))
    except services.RateLimited as exc:
        ctx["error"], ctx["error_field"] = exc.message, exc.field
        response = render(request, "surveys/public.html", ctx, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except DomainError as exc:
        ctx["error"], ctx["error_field"] = exc.message, exc.field
        return render(request, "surveys/public.html", ctx, status=exc.status)
    return redirect("surveys:thanks", token=survey.token)


@require_GET
def thanks(request, token: str):
    survey = S.survey_get_public(token)
    return render(request, "surveys/thanks.html", {"survey": survey})


@require_POST
def verify(request, token: str):
    """Send the SMS verification code (surveys that ask for one); answers a small fragment (htmx) or the form."""
    survey = S.survey_get_public(token)
    try:
        services.phone_verification_send(survey=survey, phone=request.POST.get("phone", "")[:32],
                                         now=timezone.now(), ip=client_ip(request))
        text, status = _("验证码已发送，10 分钟内有效。"), 200
    except DomainError as exc:
        text, status = exc.message, exc.status
    return render(request, "surveys/_verify_result.html", {"text": text, "ok": status == 200}, status=status)


def _qr(request, survey: Survey):
    import segno

    return segno.make(_public_url(request, survey), error="m")


@require_GET
def qr_png(request, token: str):
    survey = S.survey_get_public(token)
    buf = io.BytesIO()
    _qr(request, survey).save(buf, kind="png", scale=8, border=2)
    return HttpResponse(buf.getvalue(), content_type="image/png")


@require_GET
def qr_svg(request, token: str):
    survey = S.survey_get_public(token)
    buf = io.BytesIO()
    _qr(request, survey).save(buf, kind="svg", scale=8, border=2, xmldecl=False)
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml")


# --------------------------------------------------------------------------------------------- office
@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def survey_list(request):
    """The office's surveys, and (supervisors) a new one."""
    ctx = {"surveys": list(S.survey_list()[:200]), "now": timezone.now(), "form": {}}
    if request.method == "POST":
        if not request.user.has_role(R.SUPERVISOR):
            raise PermissionDenied(_("只有效能监察员可以新建问卷。"))
        ctx["form"] = request.POST
        try:
            opens_at, closes_at = _period(request.POST)
            s = services.survey_create(title=request.POST.get("title", "")[:500], opens_at=opens_at,
                                       closes_at=closes_at, by=request.user, now=timezone.now(),
                                       description=request.POST.get("description", "")[:5000],
                                       public_link=bool(request.POST.get("public_link")),
                                       verify_phone=bool(request.POST.get("verify_phone")))
        except DomainError as exc:
            ctx["error"], ctx["error_field"] = exc.message, exc.field
            return render(request, "surveys/list.html", ctx, status=400)
        messages.success(request, _("问卷已创建，请添加题目。"))
        return redirect("surveys:designer", pk=s.pk)
    return render(request, "surveys/list.html", ctx)


def _designer_ctx(request, survey: Survey, **extra) -> dict:
    version = S.version_shown(survey)
    return {"survey": survey, "version": version, "sections": S.version_sections(version),
            "kinds": QuestionKind.choices, "departments": Department.objects.filter(is_active=True)  # the units a 万人评机关 rates
            .filter(kind__in=(Department.Kind.BUREAU, Department.Kind.CENTRE, Department.Kind.TOWNSHIP,
                              Department.Kind.OFFICE)).order_by("depth", "sort_order", "code"),
            "public_url": _public_url(request, survey), "closing_day": _closing_day(survey),
            "can_edit": request.user.has_role(R.SUPERVISOR), **extra}


@role_required(*READERS)
@require_GET
def designer(request, pk):
    survey = S.survey_get(pk)
    return render(request, "surveys/designer.html", _designer_ctx(request, survey))


def _designer_answer(request, survey: Survey, error: DomainError | None = None):
    """After a designer action: the designer's body (htmx) or the page again."""
    ctx = _designer_ctx(request, survey)
    if error is not None:
        ctx["error"], ctx["error_field"] = error.message, error.field
    status = error.status if error is not None else 200
    if _is_htmx(request):
        return render(request, "surveys/_designer_body.html", ctx, status=status)
    if error is not None:
        return render(request, "surveys/designer.html", ctx, status=status)
    return redirect("surveys:designer", pk=survey.pk)


@role_required(*OFFICE)
@require_POST
def settings_save(request, pk):
    survey = S.survey_get(pk)
    try:
        opens_at, closes_at = _period(request.POST)
        services.survey_update(survey=survey, title=request.POST.get("title", "")[:500], opens_at=opens_at,
                               closes_at=closes_at, by=request.user, now=timezone.now(),
                               description=request.POST.get("description", "")[:5000],
                               public_link=bool(request.POST.get("public_link")),
                               verify_phone=bool(request.POST.get("verify_phone")))
    except DomainError as exc:
        return _designer_answer(request, survey, exc)
    messages.success(request, _("问卷设置已保存。"))
    return redirect("surveys:designer", pk=survey.pk)


@role_required(*OFFICE)
@require_POST
def section_add(request, pk):
    survey = S.survey_get(pk)
    try:
        services.section_add(survey=survey, title=request.POST.get("title", "")[:500], by=request.user,
                             now=timezone.now())
    except DomainError as exc:
        return _designer_answer(request, survey, exc)
    return _designer_answer(request, survey)


@role_required(*OFFICE)
@require_POST
def question_add(request, pk):
    survey = S.survey_get(pk)
    version = S.version_shown(survey)
    try:
        section_id = int(request.POST.get("section", "")) if str(request.POST.get("section", "")).isdigit() else 0
        section = Section.objects.filter(pk=section_id, version=version).first()
        if section is None:
            raise DomainError(_("请选择题目所在的部分。"), field="section")
        options = [line for line in request.POST.get("options", "")[:10000].splitlines()]
        services.question_add(section=section, kind=request.POST.get("kind", "")[:16],
                              text=request.POST.get("text", "")[:1000], required=bool(request.POST.get("required")),
                              options=options, departments=request.POST.getlist("departments")[:500],
                              max_length=request.POST.get("max_length") or 500, by=request.user, now=timezone.now())
    except DomainError as exc:
        return _designer_answer(request, survey, exc)
    return _designer_answer(request, survey)


@role_required(*OFFICE)
@require_POST
def question_delete(request, pk, qid):
    survey = S.survey_get(pk)
    q = Question.objects.filter(pk=qid, section__version__survey=survey).select_related("section__version").first()
    if q is None:
        raise Http404
    try:
        services.question_delete(question=q, by=request.user, now=timezone.now())
    except DomainError as exc:
        return _designer_answer(request, survey, exc)
    return _designer_answer(request, survey)


def _question_of(survey: Survey, qid) -> Question:
    q = (Question.objects.filter(pk=qid, section__version__survey=survey)
         .select_related("section__version").prefetch_related("options", "departments").first())
    if q is None:
        raise Http404
    return q


@role_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def question_edit(request, pk, qid):
    """Edit a question of the draft in place (htmx: the form replaces the question; saving returns the
    designer's body)."""
    survey = S.survey_get(pk)
    q = _question_of(survey, qid)
    if request.method == "GET":
        q.option_list = list(q.options.all())
        q.department_ids = {d.pk for d in q.departments.all()}
        ctx = _designer_ctx(request, survey, q=q, options_text="\n".join(o.label for o in q.option_list))
        return render(request, "surveys/_question_edit.html" if _is_htmx(request) else "surveys/question_edit.html", ctx)
    try:
        services.question_update(question=q, text=request.POST.get("text", "")[:1000],
                                 required=bool(request.POST.get("required")),
                                 options=request.POST.get("options", "")[:10000].splitlines(),
                                 departments=request.POST.getlist("departments")[:500],
                                 max_length=request.POST.get("max_length") or 500, by=request.user, now=timezone.now())
    except DomainError as exc:
        return _designer_answer(request, survey, exc)
    return _designer_answer(request, survey)


@role_required(*OFFICE)
@require_POST
def section_edit(request, pk, sid):
    """Rename a section of the draft, or delete it (with its questions) when `delete` is sent."""
    survey = S.survey_get(pk)
    section = Section.objects.filter(pk=sid, version__survey=survey).select_related("version").first()
    if section is None:
        raise Http404
    try:
        if request.POST.get("delete"):
            services.section_delete(section=section, by=request.user, now=timezone.now())
        else:
            services.section_rename(section=section, title=request.POST.get("title", "")[:500], by=request.user,
                                    now=timezone.now())
    except DomainError as exc:
        return _designer_answer(request, survey, exc)
    return _designer_answer(request, survey)


@role_required(*OFFICE)
@require_POST
def publish(request, pk):
    survey = S.survey_get(pk)
    try:
        services.survey_publish(survey=survey, by=request.user, now=timezone.now())
    except DomainError as exc:
        return _designer_answer(request, survey, exc)
    messages.success(request, _("问卷已发布，当前版本已冻结。"))
    return redirect("surveys:designer", pk=survey.pk)


@role_required(*OFFICE)
@require_POST
def revise(request, pk):
    survey = S.survey_get(pk)
    try:
        services.survey_revise(survey=survey, by=request.user, now=timezone.now())
    except DomainError as exc:
        return _designer_answer(request, survey, exc)
    messages.success(request, _("已生成新的修订版本；发布前，答卷人仍填写已发布的版本。"))
    return redirect("surveys:designer", pk=survey.pk)


@role_required(*READERS)
@require_GET
def preview(request, pk):
    """The questionnaire exactly as a respondent sees it (the draft if there is one), without a submit."""
    survey = S.survey_get(pk)
    version = S.version_shown(survey)
    return render(request, "surveys/public.html", {
        "survey": survey, "sections": S.version_sections(version), "scale": SCALE, "preview": True,
        "groups": [g for g in survey.groups.all() if g.public], "open": True, "values": {},
        "closing_day": _closing_day(survey), "version": version})


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def groups(request, pk):
    survey = S.survey_get(pk)
    ctx = {"survey": survey, "groups": list(survey.groups.all()), "blank_rows": range(2),
           "can_edit": request.user.has_role(R.SUPERVISOR)}
    if request.method == "POST":
        if not request.user.has_role(R.SUPERVISOR):
            raise PermissionDenied(_("只有效能监察员可以修改群体和权重。"))
        rows = []
        p = request.POST
        codes, names = p.getlist("code")[:50], p.getlist("name")[:50]
        weights, mins, publics = p.getlist("weight")[:50], p.getlist("min_responses")[:50], set(p.getlist("public"))
        for i, code in enumerate(codes):
            name = names[i] if i < len(names) else ""
            if not code.strip() and not name.strip():
                continue
            rows.append(GroupInput(code[:40], name[:100], (weights[i] if i < len(weights) else "")[:40],
                                   (mins[i] if i < len(mins) else "")[:40], code in publics))
        try:
            services.groups_save(survey=survey, groups=rows, by=request.user, now=timezone.now())
        except DomainError as exc:
            ctx.update(error=exc.message, error_field=exc.field)
            return render(request, "surveys/groups.html", ctx, status=400)
        messages.success(request, _("评议对象群体和权重已保存。"))
        return redirect("surveys:groups", pk=survey.pk)
    return render(request, "surveys/groups.html", ctx)


@role_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def codes(request, pk):
    """Invitation codes: generate N for a group (then print the sheet or download), or send one by SMS to
    each phone of an imported list (pasted, one a line, or a .txt/.csv file)."""
    survey = S.survey_get(pk)
    ctx = {"survey": survey, "counts": S.code_counts(survey), "groups": list(survey.groups.all()),
           "public_url": _public_url(request, survey)}
    if request.method == "POST":
        group = request.POST.get("group", "")[:32]
        try:
            if request.POST.get("action") == "sms":
                text = request.POST.get("phones", "")[:200_000]
                upload = request.FILES.get("file")
                if upload is not None:
                    if upload.size > 1_000_000:
                        raise DomainError(_("名单文件不能超过 1 MB。"), field="file")
                    try:
                        text += "\n" + upload.read().decode("utf-8-sig")
                    except UnicodeDecodeError:
                        raise DomainError(_("名单文件须为 UTF-8 编码的文本或 CSV。"), field="file") from None
                phones = [line.split(",")[0].strip() for line in text.splitlines() if line.strip()]
                made = services.invitation_codes_send(survey=survey, group=group, phones=phones, by=request.user,
                                                      now=timezone.now(), link=_public_url(request, survey))
                messages.success(request, _("已生成 %(n)s 个邀请码，短信将在工作时间发出。") % {"n": f"{len(made):,}"})
            else:
                made = services.invitation_codes_generate(survey=survey, group=group, count=request.POST.get("count"),
                                                          by=request.user, now=timezone.now())
                messages.success(request, _("已生成 %(n)s 个邀请码。") % {"n": f"{len(made):,}"})
        except DomainError as exc:
            ctx.update(error=exc.message, error_field=exc.field)
            return render(request, "surveys/codes.html", ctx, status=400)
        return redirect("surveys:codes", pk=survey.pk)
    return render(request, "surveys/codes.html", ctx)


def _group_param(request, survey: Survey):
    g = survey.groups.filter(code=request.GET.get("group", "")[:32]).first()
    if g is None:
        raise DomainError(_("请选择评议对象群体。"), field="group")
    return g


@role_required(*OFFICE)
@require_GET
def codes_sheet(request, pk):
    """A printable sheet of a group's unused codes, SHEET_SIZE a page, each with the link and a QR code of the
    link with the code in it."""
    survey = S.survey_get(pk)
    try:
        g = _group_param(request, survey)
    except DomainError as exc:
        return render(request, "core/error.html", {"message": exc.message, "status": 400,
                                                   "title": _("请求有误")}, status=400)
    import segno
    from django.core.paginator import Paginator
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    qs = InvitationCode.objects.filter(survey=survey, group=g, response__isnull=True).order_by("id")
    page = Paginator(qs, SHEET_SIZE).get_page(request.GET.get("page"))
    link = _public_url(request, survey)
    cards = []
    for c in page.object_list:
        # Each card's QR opens the questionnaire with its code filled in: nothing to type. The SVG is made here
        # from our own link and a code of our own alphabet (nothing a user wrote), so it is markup we trust.
        svg = segno.make(f"{link}?code={c.code}", error="m").svg_inline(scale=3, omitsize=True, title=escape(c.code))
        cards.append({"code": c.code, "qr": mark_safe(svg)})  # noqa: S308
    return render(request, "surveys/codes_sheet.html", {
        "survey": survey, "group": g, "cards": cards, "page": page, "public_url": link,
        "query": f"group={g.code}"})


@role_required(*OFFICE)
@require_GET
def codes_export(request, pk):
    survey = S.survey_get(pk)
    fmt = request.GET.get("fmt", "xlsx")[:8]
    try:
        g = _group_param(request, survey)
        if fmt not in ("xlsx", "csv"):
            raise DomainError(_("导出格式应为 xlsx 或 csv。"), field="fmt")
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    body = exports.codes_file(survey, g, _public_url(request, survey), fmt)
    response = HttpResponse(body, content_type=exports.XLSX if fmt == "xlsx" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-codes-{g.code}.{fmt}"'
    return response


def _results_ctx(survey: Survey) -> dict:
    scores = S.department_scores(survey)
    version = survey.current_version
    questions = S.question_results(survey, version) if version else []
    chart = {"departments": [d.department.name for d in scores],
             "scores": [float(d.score) if d.score is not None else None for d in scores],
             "questions": [{"id": item["question"].pk, "labels": [r["label"] for r in item["rows"]],
                            "values": [r["count"] for r in item["rows"]]}
                           for item in questions if item["rows"] and item["question"].kind != QuestionKind.MATRIX]}
    total = survey.responses.count()
    return {"survey": survey, "scores": scores, "questions": questions, "chart": chart,
            "has_scores": any(d.score is not None for d in scores),
            "groups": list(survey.groups.all()), "group_counts": S.group_counts(survey),
            "total": total, "total_text": f"{total:,}", "definition": S.score_definition(),
            "points": [(SCALE_LABELS[v], SCALE_POINTS[v]) for v in (5, 4, 3, 2, 1)]}


@role_required(*READERS)
@require_GET
def results(request, pk):
    survey = S.survey_get(pk)
    return render(request, "surveys/results.html", {**_results_ctx(survey),
                                                    "can_edit": request.user.has_role(R.SUPERVISOR)})


@role_required(*READERS)
@require_GET
def results_export(request, pk):
    survey = S.survey_get(pk)
    kind = request.GET.get("kind", "summary")[:16]
    if kind not in ("summary", "raw"):
        return HttpResponse(_("导出类型无效：请选择导出汇总结果或原始答卷。"), status=400,
                            content_type="text/plain; charset=utf-8")
    body = exports.summary_xlsx(survey) if kind == "summary" else exports.responses_xlsx(survey)
    response = HttpResponse(body, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-{kind}.xlsx"'
    return response


@role_required(R.HEAD)
@require_GET
def my_scores(request):
    """A department head: the department's own score and group breakdown in closed surveys."""
    rows = S.department_score_list_for(request.user, now=timezone.now())
    return render(request, "surveys/my_scores.html", {"rows": rows, "definition": S.score_definition()})
