"""Writes of the surveys app: designing a questionnaire (sections, questions, options, departments), publishing
and revising it, respondent groups and weights, invitation codes (sheets and SMS), phone verification, and
THE response intake (`response_submit`), the one service every channel (public link, invitation code, API,
demo) goes through. Each service is atomic and keyword-only, with the time passed in (`now=`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.errors import DomainError, NotPermitted

from .models import (
    Answer,
    InvitationCode,
    InvitationMessage,
    Option,
    PhoneVerification,
    Question,
    QuestionKind,
    RateCounter,
    RespondentGroup,
    Response,
    ResponseChannel,
    Section,
    Survey,
    SurveyVersion,
)

# The groups a new survey starts with (issue 12: 服务对象, 企业, 人大代表, 政协委员, 特邀监督员, 社会公众); the
# office changes names, weights and minimums per survey. (code, name, weight, minimum responses, public link)
DEFAULT_GROUPS = (
    ("service_users", "服务对象", Decimal("0.30"), 30, True),
    ("enterprises", "企业", Decimal("0.20"), 20, True),
    ("deputies", "人大代表", Decimal("0.15"), 5, False),
    ("cppcc", "政协委员", Decimal("0.15"), 5, False),
    ("supervisors", "特邀监督员", Decimal("0.10"), 5, False),
    ("public", "社会公众", Decimal("0.10"), 30, True),
)
MAX_CODES_PER_BATCH = 10_000
MAX_PHONES_PER_IMPORT = 5_000
MAX_OPTIONS = 30
MAX_TEXT = 2000
# The public link: submissions per IP address per hour (a family or an office shares one address), and SMS
# verification codes per phone per hour.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper and typed on a phone
CODE_LENGTH = 8
VERIFY_MINUTES = 10
VERIFY_TRIES = 5
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def _rate_per_ip() -> int:
    return int(getattr(settings, "XIAONENG_SURVEY_RATE_PER_IP", 20))


class RateLimited(DomainError):
    """Too many submissions from one address (429)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int = 60):
        super().__init__(message, code="rate_limited")
        self.retry_after = max(int(retry_after), 1)


class CodeUsed(DomainError):
    """An invitation code that already admitted its response (409)."""

    status = 409

    def __init__(self, message: str):
        super().__init__(message, field="code", code="code_used")


def _office(by: Staff | None) -> None:
    if by is None or not by.is_active or not by.has_role(R.SUPERVISOR):
        raise NotPermitted(_("只有效能监察员可以设计和发放问卷。"))


def phone_hash(survey_id: int, phone: str) -> str:
    """A keyed hash of a phone number within one survey: equal phones give equal hashes, nobody can read it
    back, and the same phone in two surveys gives two unrelated hashes."""
    return hmac.new(settings.SECRET_KEY.encode(), f"survey-phone:{survey_id}:{phone}".encode(),
                    hashlib.sha256).hexdigest()


def normalise_phone(raw: str, *, field: str = "phone") -> str:
    phone = re.sub(r"[\s\-－()（）]", "", str(raw or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_RE.fullmatch(phone):
        raise DomainError(_("手机号码格式不正确，请填写 11 位手机号码。"), field=field)
    return phone


# ------------------------------------------------------------------------------------------ the survey
def _check_period(opens_at: dt.datetime | None, closes_at: dt.datetime | None) -> None:
    if opens_at is None:
        raise DomainError(_("请填写开始时间。"), field="opens_at")
    if closes_at is None:
        raise DomainError(_("请填写截止时间。"), field="closes_at")
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise DomainError(_("时间须带时区。"), field="opens_at")
    if closes_at <= opens_at:
        raise DomainError(_("截止时间须晚于开始时间。"), field="closes_at")


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写问卷标题。"), field="title")
    if len(title) > 120:
        raise DomainError(_("问卷标题不能超过 120 个字。"), field="title")
    return title


@transaction.atomic
def survey_create(*, title: str, opens_at: dt.datetime, closes_at: dt.datetime, by: Staff, now: dt.datetime,
                  description: str = "", public_link: bool = True, verify_phone: bool = False) -> Survey:
    """The office starts a survey: a draft version 1 with no questions yet, and the default respondent groups
    (DEFAULT_GROUPS), which it may change."""
    _office(by)
    title = _clean_title(title)
    _check_period(opens_at, closes_at)
    if len(description or "") > 2000:
        raise DomainError(_("说明不能超过 2000 个字。"), field="description")
    survey = Survey.objects.create(title=title, description=description or "", opens_at=opens_at,
                                   closes_at=closes_at, public_link=public_link, verify_phone=verify_phone,
                                   token=secrets.token_urlsafe(16), created_by=by, created_at=now)
    SurveyVersion.objects.create(survey=survey, number=1, created_at=now)
    RespondentGroup.objects.bulk_create(
        RespondentGroup(survey=survey, code=code, name=name, weight=weight, min_responses=minimum, public=public,
                        order=i) for i, (code, name, weight, minimum, public) in enumerate(DEFAULT_GROUPS))
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, title: str, opens_at: dt.datetime, closes_at: dt.datetime, by: Staff,
                  now: dt.datetime, description: str = "", public_link: bool = True,
                  verify_phone: bool = False) -> Survey:
    """The office changes the title, period and distribution of a survey (its questions are changed through
    versions). A survey that has responses keeps its start: answers given must stay inside the period."""
    _office(by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    title = _clean_title(title)
    _check_period(opens_at, closes_at)
    if len(description or "") > 2000:
        raise DomainError(_("说明不能超过 2000 个字。"), field="description")
    first = survey.responses.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    if first is not None and opens_at > first:
        raise DomainError(_("已有答卷，开始时间不能晚于第一份答卷的提交时间。"), field="opens_at")
    survey.title, survey.description = title, description or ""
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.public_link, survey.verify_phone = public_link, verify_phone
    survey.save()
    return survey


def draft_version(survey: Survey) -> SurveyVersion | None:
    return survey.versions.filter(published_at__isnull=True).order_by("-number").first()


def _editable(version: SurveyVersion) -> None:
    if not version.is_draft:
        raise DomainError(_("已发布的问卷版本不能修改；请先“修订问卷”生成新版本。"), field="version")


def _draft(survey: Survey) -> SurveyVersion:
    version = draft_version(survey)
    if version is None:
        raise DomainError(_("已发布的问卷版本不能修改；请先“修订问卷”生成新版本。"), field="version")
    return version


@transaction.atomic
def section_add(*, survey: Survey, title: str, by: Staff, now: dt.datetime) -> Section:
    """A new section at the end of the survey's draft version."""
    _office(by)
    version = _draft(survey)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写部分标题。"), field="title")
    if len(title) > 100:
        raise DomainError(_("部分标题不能超过 100 个字。"), field="title")
    last = version.sections.aggregate(m=Max("order"))["m"]
    return Section.objects.create(version=version, title=title, order=(last or 0) + 1)


def _clean_options(kind: str, options: Iterable[str] | None) -> list[str]:
    labels = [str(o).strip() for o in (options or []) if str(o).strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(labels) < 2:
            raise DomainError(_("选择题至少需要两个选项。"), field="options")
        if len(labels) > MAX_OPTIONS:
            raise DomainError(_("选项不能超过 %(n)s 个。") % {"n": MAX_OPTIONS}, field="options")
        if any(len(label) > 100 for label in labels):
            raise DomainError(_("每个选项不能超过 100 个字。"), field="options")
        if len(set(labels)) != len(labels):
            raise DomainError(_("选项不能重复。"), field="options")
        return labels
    return []


def _clean_departments(kind: str, departments: Iterable[Any] | None) -> list[Department]:
    if kind != QuestionKind.MATRIX:
        return []
    wanted = [d for d in (departments or []) if d not in ("", None)]
    if not wanted:
        raise DomainError(_("部门评议矩阵至少需要一个被评议部门。"), field="departments")
    ids = []
    for d in wanted:
        if isinstance(d, Department):
            ids.append(d.pk)
        else:
            try:
                ids.append(int(d))
            except (TypeError, ValueError):
                raise DomainError(_("被评议部门不存在。"), field="departments") from None
    found = list(Department.objects.filter(pk__in=ids, is_active=True))
    if len(found) != len(set(ids)):
        raise DomainError(_("被评议部门不存在或已停用。"), field="departments")
    return found


@transaction.atomic
def question_add(*, section: Section, kind: str, text: str, by: Staff, now: dt.datetime, required: bool = True,
                 options: Iterable[str] | None = None, departments: Iterable[Any] | None = None,
                 max_length: int = 500) -> Question:
    """A new question at the end of a section of the draft: its options (choices) or departments (a matrix)."""
    _office(by)
    version = SurveyVersion.objects.select_for_update().get(pk=section.version_id)
    _editable(version)
    if kind not in QuestionKind.values:
        raise DomainError(_("请选择题型。"), field="kind")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写题目。"), field="text")
    if len(text) > 300:
        raise DomainError(_("题目不能超过 300 个字。"), field="text")
    try:
        max_length = int(max_length)
    except (TypeError, ValueError):
        raise DomainError(_("字数上限须是整数。"), field="max_length") from None
    if not 1 <= max_length <= MAX_TEXT:
        raise DomainError(_("字数上限须在 1 到 %(n)s 之间。") % {"n": MAX_TEXT}, field="max_length")
    labels = _clean_options(kind, options)
    depts = _clean_departments(kind, departments)
    last = section.questions.aggregate(m=Max("order"))["m"]
    q = Question.objects.create(section=section, kind=kind, text=text, required=bool(required),
                                max_length=max_length, order=(last or 0) + 1)
    Option.objects.bulk_create(Option(question=q, label=label, order=i) for i, label in enumerate(labels, 1))
    if depts:
        q.departments.set(depts)
    return q


@transaction.atomic
def question_update(*, question: Question, text: str, by: Staff, now: dt.datetime, required: bool = True,
                    options: Iterable[str] | None = None, departments: Iterable[Any] | None = None,
                    max_length: int = 500) -> Question:
    """Change a question of the draft: its text, required, and its options (replaced) or departments. Its
    kind stays (delete and add to change it)."""
    _office(by)
    version = SurveyVersion.objects.select_for_update().get(pk=question.section.version_id)
    _editable(version)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写题目。"), field="text")
    if len(text) > 300:
        raise DomainError(_("题目不能超过 300 个字。"), field="text")
    try:
        max_length = int(max_length)
    except (TypeError, ValueError):
        raise DomainError(_("字数上限须是整数。"), field="max_length") from None
    if not 1 <= max_length <= MAX_TEXT:
        raise DomainError(_("字数上限须在 1 到 %(n)s 之间。") % {"n": MAX_TEXT}, field="max_length")
    labels = _clean_options(question.kind, options)
    depts = _clean_departments(question.kind, departments)
    question.text, question.required, question.max_length = text, bool(required), max_length
    question.save(update_fields=["text", "required", "max_length"])
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        question.options.all().delete()
        Option.objects.bulk_create(Option(question=question, label=label, order=i) for i, label in enumerate(labels, 1))
    if question.kind == QuestionKind.MATRIX:
        question.departments.set(depts)
    return question


@transaction.atomic
def section_rename(*, section: Section, title: str, by: Staff, now: dt.datetime) -> Section:
    """Rename a section of the draft."""
    _office(by)
    _editable(section.version)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写部分标题。"), field="title")
    if len(title) > 100:
        raise DomainError(_("部分标题不能超过 100 个字。"), field="title")
    section.title = title
    section.save(update_fields=["title"])
    return section


@transaction.atomic
def question_delete(*, question: Question, by: Staff, now: dt.datetime) -> None:
    """Remove a question from the draft."""
    _office(by)
    _editable(question.section.version)
    question.delete()


@transaction.atomic
def section_delete(*, section: Section, by: Staff, now: dt.datetime) -> None:
    """Remove a section (and its questions) from the draft."""
    _office(by)
    _editable(section.version)
    section.delete()


def _check_complete(version: SurveyVersion) -> None:
    questions = list(Question.objects.filter(section__version=version).prefetch_related("options", "departments"))
    if not questions:
        raise DomainError(_("问卷还没有题目，不能发布。"), field="questions")
    for q in questions:
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(q.options.all()) < 2:
            raise DomainError(_("选择题“%(q)s”至少需要两个选项。") % {"q": q.text}, field="options")
        if q.kind == QuestionKind.MATRIX and not q.departments.all():
            raise DomainError(_("部门评议矩阵“%(q)s”没有被评议部门。") % {"q": q.text}, field="departments")


@transaction.atomic
def survey_publish(*, survey: Survey, by: Staff, now: dt.datetime) -> SurveyVersion:
    """Freeze the draft version and make it the one respondents answer. The groups must carry weight."""
    _office(by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    version = _draft(survey)
    _check_complete(version)
    weights = [g.weight for g in survey.groups.all()]
    if not weights or sum(weights) <= 0:
        raise DomainError(_("评议对象群体的权重之和须大于 0。"), field="weight")
    version.published_at = now
    version.save(update_fields=["published_at"])
    survey.current_version = version
    survey.status = Survey.Status.PUBLISHED
    survey.save(update_fields=["current_version", "status"])
    return version


@transaction.atomic
def survey_revise(*, survey: Survey, by: Staff, now: dt.datetime) -> SurveyVersion:
    """Start changing a published survey: a new draft version, a copy of the current one. Respondents go on
    answering the published version until the draft is published; answers stay with the version they answered."""
    _office(by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if draft_version(survey) is not None:
        raise DomainError(_("已有一个修订中的版本，请先发布或继续编辑它。"), field="version")
    current = survey.current_version
    number = (survey.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    new = SurveyVersion.objects.create(survey=survey, number=number, created_at=now)
    if current is not None:
        for s in current.sections.all():
            ns = Section.objects.create(version=new, title=s.title, order=s.order)
            for q in s.questions.all():
                nq = Question.objects.create(section=ns, kind=q.kind, text=q.text, required=q.required,
                                             max_length=q.max_length, order=q.order)
                Option.objects.bulk_create(Option(question=nq, label=o.label, order=o.order) for o in q.options.all())
                nq.departments.set(q.departments.all())
    return new


# ------------------------------------------------------------------------------------------ groups
@dataclass(frozen=True)
class GroupInput:
    code: str
    name: str
    weight: Any
    min_responses: Any
    public: bool = True


@transaction.atomic
def groups_save(*, survey: Survey, groups: Iterable[GroupInput], by: Staff, now: dt.datetime) -> list[RespondentGroup]:
    """The office sets the survey's respondent groups: names, weights (any non-negative numbers: a score
    divides by their sum over the groups that count), minimum responses, whether the public link offers the
    group. A group that has responses or codes cannot be removed."""
    _office(by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    rows = list(groups)
    if not rows:
        raise DomainError(_("至少需要一个评议对象群体。"), field="groups")
    seen = set()
    cleaned = []
    for i, g in enumerate(rows, 1):
        code = (g.code or "").strip()
        if not re.fullmatch(r"[a-z0-9_-]{1,32}", code):
            raise DomainError(_("第 %(i)s 个群体的编码只能由小写字母、数字、下划线组成。") % {"i": i}, field="code")
        if code in seen:
            raise DomainError(_("群体编码“%(c)s”重复。") % {"c": code}, field="code")
        seen.add(code)
        name = (g.name or "").strip()
        if not name or len(name) > 40:
            raise DomainError(_("第 %(i)s 个群体的名称须为 1-40 个字。") % {"i": i}, field="name")
        try:
            weight = Decimal(str(g.weight).strip())
        except (InvalidOperation, ValueError):
            raise DomainError(_("第 %(i)s 个群体的权重须是数字。") % {"i": i}, field="weight") from None
        if not weight.is_finite() or weight < 0 or weight > 100:
            raise DomainError(_("第 %(i)s 个群体的权重须在 0 到 100 之间。") % {"i": i}, field="weight")
        weight = weight.quantize(Decimal("0.0001"))
        try:
            minimum = int(str(g.min_responses).strip())
        except (TypeError, ValueError):
            raise DomainError(_("第 %(i)s 个群体的最少有效份数须是整数。") % {"i": i}, field="min_responses") from None
        if not 0 <= minimum <= 1_000_000:
            raise DomainError(_("第 %(i)s 个群体的最少有效份数须在 0 到 1000000 之间。") % {"i": i},
                              field="min_responses")
        cleaned.append((code, name, weight, minimum, bool(g.public)))
    if sum(c[2] for c in cleaned) <= 0:
        raise DomainError(_("权重之和须大于 0。"), field="weight")
    existing = {g.code: g for g in survey.groups.all()}
    for code, g in existing.items():
        if code not in seen and (g.responses.exists() or g.codes.exists()):
            raise DomainError(_("群体“%(n)s”已有答卷或邀请码，不能删除（可将权重设为 0）。") % {"n": g.name}, field="groups")
    for code, g in existing.items():
        if code not in seen:
            g.delete()
    out = []
    for i, (code, name, weight, minimum, public) in enumerate(cleaned):
        g = existing.get(code) or RespondentGroup(survey=survey, code=code)
        g.name, g.weight, g.min_responses, g.public, g.order = name, weight, minimum, public, i
        g.save()
        out.append(g)
    return out


# ------------------------------------------------------------------------------------------ codes
def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _group_of(survey: Survey, group: RespondentGroup | str) -> RespondentGroup:
    code = group.code if isinstance(group, RespondentGroup) else str(group or "")
    g = survey.groups.filter(code=code).first() if code else None
    if g is None or (isinstance(group, RespondentGroup) and group.survey_id != survey.pk):
        raise DomainError(_("请选择本问卷的评议对象群体。"), field="group")
    return g


def _codes_create(survey: Survey, group: RespondentGroup, count: int, now: dt.datetime) -> list[InvitationCode]:
    made: list[InvitationCode] = []
    while len(made) < count:
        want = count - len(made)
        batch = {_new_code() for _i in range(want)}
        taken = set(InvitationCode.objects.filter(code__in=batch).values_list("code", flat=True))
        rows = [InvitationCode(survey=survey, group=group, code=c, created_at=now) for c in batch - taken]
        InvitationCode.objects.bulk_create(rows)
        made.extend(rows)
    return list(InvitationCode.objects.filter(code__in=[c.code for c in made]).order_by("id"))


def _count(value: Any, *, field: str, maximum: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("数量须是整数。"), field=field) from None
    if not 1 <= n <= maximum:
        raise DomainError(_("数量须在 1 到 %(n)s 之间。") % {"n": f"{maximum:,}"}, field=field)
    return n


@transaction.atomic
def invitation_codes_generate(*, survey: Survey, group: RespondentGroup | str, count: Any, by: Staff,
                              now: dt.datetime) -> list[InvitationCode]:
    """N one-time codes for a group (printed on a sheet, downloaded as CSV or Excel): each admits one response
    into that group."""
    _office(by)
    g = _group_of(survey, group)
    n = _count(count, field="count", maximum=MAX_CODES_PER_BATCH)
    return _codes_create(survey, g, n, now)


@transaction.atomic
def invitation_codes_send(*, survey: Survey, group: RespondentGroup | str, phones: Iterable[str], by: Staff,
                          now: dt.datetime, link: str = "") -> list[InvitationCode]:
    """One code per phone of an imported list, each queued as an SMS (sent by the outbox in office hours).
    Every number is checked first (row-numbered): one bad number and nothing is queued. Duplicates in the
    list get one code."""
    _office(by)
    g = _group_of(survey, group)
    cleaned: list[str] = []
    seen: set[str] = set()
    errors = []
    raw = [p for p in phones if str(p).strip()]
    if not raw:
        raise DomainError(_("请提供至少一个手机号码。"), field="phones")
    if len(raw) > MAX_PHONES_PER_IMPORT:
        raise DomainError(_("一次最多导入 %(n)s 个手机号码。") % {"n": f"{MAX_PHONES_PER_IMPORT:,}"}, field="phones")
    for i, p in enumerate(raw, 1):
        try:
            phone = normalise_phone(p, field="phones")
        except DomainError:
            errors.append(i)
            continue
        if phone not in seen:
            seen.add(phone)
            cleaned.append(phone)
    if errors:
        rows = "、".join(str(i) for i in errors[:10])
        raise DomainError(_("第 %(rows)s 行的手机号码格式不正确，未发送任何邀请。") % {"rows": rows}, field="phones")
    codes = _codes_create(survey, g, len(cleaned), now)
    InvitationMessage.objects.bulk_create(
        InvitationMessage(code=c, phone=phone, created_at=now,
                          body=_("【民主评议】诚邀您参加“%(title)s”，邀请码 %(code)s，%(close)s前有效。%(link)s")
                          % {"title": survey.title[:40], "code": c.code, "link": link,
                             "close": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d %H:%M")})
        for c, phone in zip(codes, cleaned, strict=True))
    return codes


def invitation_code_find(survey: Survey, raw: str) -> InvitationCode | None:
    code = re.sub(r"[\s\-]", "", str(raw or "")).upper()
    if not code or len(code) > 16:
        return None
    return InvitationCode.objects.filter(survey=survey, code=code).select_related("group").first()


# ------------------------------------------------------------------------------------------ phone checks
@transaction.atomic
def phone_verification_send(*, survey: Survey, phone: str, now: dt.datetime, ip: str | None = None) -> None:
    """Text a six-digit code to a phone for a public-link response (surveys that ask for it). The code goes
    at once through the platform's SMS backend (core/sms.py), not the outbox: the respondent is waiting. A
    phone that already answered is told so now."""
    from xiaoneng.core.sms import sms_backend

    if not survey.verify_phone:
        raise DomainError(_("本问卷无需短信验证。"), field="phone")
    _open_check(survey, now)
    phone = normalise_phone(phone)
    key = phone_hash(survey.pk, phone)
    if Response.objects.filter(survey=survey, phone_hash=key).exists():
        raise CodeUsed(_("该手机号码已参加过本次评议，每个手机号码只能提交一份。"))
    _rate_hit_check(f"sms:{survey.pk}:{key}", 5, 3600, now,
                    _("该手机号码获取验证码过于频繁，请一小时后再试。"))
    if ip:
        _rate_hit_check(f"smsip:{ip}", 20, 3600, now, _("来自同一网络地址的验证码请求过于频繁，请稍后再试。"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    PhoneVerification.objects.create(survey=survey, phone_hash=key, code_hash=phone_hash(survey.pk, "code:" + code),
                                     created_at=now, expires_at=now + dt.timedelta(minutes=VERIFY_MINUTES))
    try:
        sms_backend().send(phone, _("【民主评议】您的验证码是 %(code)s，%(m)s 分钟内有效。") % {"code": code,
                                                                                   "m": VERIFY_MINUTES})
    except Exception:  # noqa: BLE001 (any gateway failure is the same to the respondent)
        raise DomainError(_("验证码短信发送失败，请稍后再试。"), field="phone") from None


def _phone_verified(survey: Survey, phone: str, sms_code: str, now: dt.datetime) -> str:
    phone = normalise_phone(phone)
    key = phone_hash(survey.pk, phone)
    sms_code = str(sms_code or "").strip()
    if not sms_code:
        raise DomainError(_("请填写短信验证码。"), field="sms_code")
    v = (PhoneVerification.objects.select_for_update().filter(survey=survey, phone_hash=key, expires_at__gt=now)
         .order_by("-created_at").first())
    if v is None:
        raise DomainError(_("验证码已过期或未获取，请重新获取。"), field="sms_code")
    if v.attempts >= VERIFY_TRIES:
        raise DomainError(_("验证码错误次数过多，请重新获取。"), field="sms_code")
    if not hmac.compare_digest(v.code_hash, phone_hash(survey.pk, "code:" + sms_code)):
        # Counted outside the response's transaction (which is rolled back): a wrong guess always costs a try.
        PhoneVerification.objects.filter(pk=v.pk).update(attempts=F("attempts") + 1)
        raise DomainError(_("短信验证码不正确。"), field="sms_code")
    return key


# ------------------------------------------------------------------------------------------ intake
def _rate_hit_check(key: str, limit: int, period: int, now: dt.datetime, message: str) -> None:
    """Count one hit of `key` in its fixed window; RateLimited past `limit`. The key (an address, a phone) is
    stored only as a keyed hash, and counters older than two days are dropped when a new window opens."""
    start_ts = int(now.timestamp()) // period * period
    start = dt.datetime.fromtimestamp(start_ts, tz=dt.UTC)
    key = hmac.new(settings.SECRET_KEY.encode(), f"survey-rate:{key}".encode(), hashlib.sha256).hexdigest()
    with transaction.atomic():
        rows = RateCounter.objects.filter(key=key, window_start=start)
        if not rows.update(count=F("count") + 1):
            rate_counters_prune(now=now)
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:
                rows.update(count=F("count") + 1)
        hits = rows.values_list("count", flat=True).get()
    if hits > limit:
        raise RateLimited(message, retry_after=math.ceil(start_ts + period - now.timestamp()))


def rate_counters_prune(*, now: dt.datetime) -> int:
    """Delete rate counters older than two days (they only matter within their hour)."""
    return RateCounter.objects.filter(window_start__lt=now - dt.timedelta(days=2)).delete()[0]


def _open_check(survey: Survey, now: dt.datetime) -> None:
    fmt = "%Y-%m-%d %H:%M"
    if survey.status != Survey.Status.PUBLISHED or survey.current_version_id is None:
        raise DomainError(_("该问卷尚未发布。"), field="survey", code="not_open")
    if now < survey.opens_at:
        raise DomainError(_("本次评议尚未开始，开始时间为 %(at)s。") % {
            "at": timezone.localtime(survey.opens_at).strftime(fmt)}, field="survey", code="not_open")
    if now >= survey.closes_at:
        raise DomainError(_("本次评议已于 %(at)s 截止，不再接受答卷。") % {
            "at": timezone.localtime(survey.closes_at).strftime(fmt)}, field="survey", code="closed")


@dataclass
class _Question:
    q: Question
    options: set[int]
    departments: set[int]


def version_questions(version: SurveyVersion) -> list[_Question]:
    """The questions of a version with the ids a response may name (its options, its departments)."""
    qs = list(Question.objects.filter(section__version=version).prefetch_related("options", "departments")
              .order_by("section__order", "section_id", "order", "id"))
    return [_Question(q, {o.pk for o in q.options.all()}, {d.pk for d in q.departments.all()}) for q in qs]


def _int(value: Any, *, field: str, message: Any) -> int:
    """An integer answer (an id, a value); `message` (text, or a callable making it only when needed: a
    bulk import checks thousands of answers) names the error."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise DomainError(message() if callable(message) else message, field=field)


_DIGITS = re.compile(r"\s*\d{1,9}\s*")


def clean_answers(questions: list[_Question], answers: Mapping[Any, Any]) -> list[dict]:
    """Every answer checked against its question: a question of THIS version, option ids of THIS question,
    values on the 1-5 scale, departments listed in THIS matrix, text within its limit, required answers
    present. Returns the Answer rows to store (as dicts); raises DomainError naming the question's field
    (`q<id>`, `q<id>.<department id>`)."""
    if not isinstance(answers, Mapping):
        raise DomainError(_("答卷内容格式不正确。"), field="answers")
    by_id = {str(x.q.pk): x for x in questions}
    for key in answers:
        if str(key) not in by_id:
            raise DomainError(_("答卷中含有不属于本问卷的题目。"), field="answers")
    rows: list[dict] = []
    for x in questions:
        q = x.q
        field = f"q{q.pk}"
        value = answers.get(str(q.pk), answers.get(q.pk))
        empty = value is None or value == "" or value == [] or value == {}
        if empty:
            if q.required:
                raise DomainError(_("“%(q)s”为必答题，请作答。") % {"q": q.text}, field=field)
            continue
        def bad_option(q=q):
            return _("“%(q)s”的选项不属于该题。") % {"q": q.text}

        if q.kind == QuestionKind.SINGLE:
            oid = _int(value, field=field, message=bad_option)
            if oid not in x.options:
                raise DomainError(bad_option(), field=field)
            rows.append({"question": q, "option_id": oid})
        elif q.kind == QuestionKind.MULTIPLE:
            values = value if isinstance(value, list) else [value]
            ids = {_int(v, field=field, message=bad_option) for v in values}
            if not ids <= x.options:
                raise DomainError(bad_option(), field=field)
            rows.extend({"question": q, "option_id": oid} for oid in sorted(ids))
        elif q.kind == QuestionKind.SCALE:
            v = _int(value, field=field, message=lambda q=q: _("“%(q)s”请选择 1 到 5 分。") % {"q": q.text})
            if not 1 <= v <= 5:
                raise DomainError(_("“%(q)s”请选择 1 到 5 分。") % {"q": q.text}, field=field)
            rows.append({"question": q, "value": v})
        elif q.kind == QuestionKind.MATRIX:
            if not isinstance(value, Mapping):
                raise DomainError(_("“%(q)s”的答案格式不正确。") % {"q": q.text}, field=field)
            rated: dict[int, int] = {}
            for dkey, v in value.items():
                did = _int(dkey, field=field,
                           message=lambda q=q: _("“%(q)s”中含有不在评议名单中的部门。") % {"q": q.text})
                if did not in x.departments:
                    raise DomainError(_("“%(q)s”中含有不在评议名单中的部门。") % {"q": q.text}, field=field)
                if v is None or v == "":
                    continue
                n = _int(v, field=f"{field}.{did}",
                         message=lambda q=q: _("“%(q)s”每个部门请选择 1 到 5 分。") % {"q": q.text})
                if not 1 <= n <= 5:
                    raise DomainError(_("“%(q)s”每个部门请选择 1 到 5 分。") % {"q": q.text}, field=f"{field}.{did}")
                rated[did] = n
            if q.required and set(rated) != x.departments:
                missing = sorted(x.departments - set(rated))[0]
                name = Department.objects.filter(pk=missing).values_list("name", flat=True).first() or ""
                raise DomainError(_("“%(q)s”为必答题，请为每个部门评分（尚未评：%(d)s）。") % {"q": q.text, "d": name},
                                  field=f"{field}.{missing}")
            rows.extend({"question": q, "department_id": did, "value": n} for did, n in sorted(rated.items()))
        else:  # text
            if not isinstance(value, str):
                raise DomainError(_("“%(q)s”请填写文字。") % {"q": q.text}, field=field)
            text = value.strip()
            if len(text) > q.max_length:
                raise DomainError(_("“%(q)s”不能超过 %(n)s 个字。") % {"q": q.text, "n": q.max_length}, field=field)
            if not text:
                if q.required:
                    raise DomainError(_("“%(q)s”为必答题，请作答。") % {"q": q.text}, field=field)
                continue
            rows.append({"question": q, "text": text})
    return rows


@transaction.atomic
def response_submit(*, survey: Survey, answers: Mapping[Any, Any], now: dt.datetime, code: str = "",
                    group: str = "", phone: str = "", sms_code: str = "", channel: str = ResponseChannel.LINK,
                    ip: str | None = None, questions: list[_Question] | None = None) -> Response:
    """THE intake of a questionnaire, for every channel. In order: the survey is open (published, opens_at ≤
    now < closes_at); an invitation code admits one response into its group (unknown or used: refused), or the
    public link (where allowed) takes a group the public may choose, counts the address against its rate limit,
    and, where the survey asks, a verified phone (one response per phone, kept as a keyed hash); then every
    answer is checked against its question. Any error: nothing stored (one transaction)."""
    _open_check(survey, now)
    version = survey.current_version
    raw_code = str(code or "").strip()
    invitation = None
    key = ""
    if raw_code:
        invitation = invitation_code_find(survey, raw_code)
        if invitation is None:
            raise DomainError(_("邀请码不正确，请核对后重新输入。"), field="code", code="code_unknown")
        invitation = InvitationCode.objects.select_for_update().select_related("group").get(pk=invitation.pk)
        if invitation.response_id is not None or invitation.used_at is not None:
            raise CodeUsed(_("该邀请码已于 %(at)s 使用过，每个邀请码只能提交一份答卷。") % {
                "at": timezone.localtime(invitation.used_at).strftime("%Y-%m-%d %H:%M")})
        g = invitation.group
        channel = ResponseChannel.CODE if channel == ResponseChannel.LINK else channel
    else:
        if not survey.public_link:
            raise DomainError(_("本问卷凭邀请码作答，请输入邀请码。"), field="code", code="code_required")
        g = survey.groups.filter(code=str(group or ""), public=True).first() if group else None
        if g is None:
            raise DomainError(_("请选择您的身份（评议对象群体）。"), field="group")
        if ip and channel in (ResponseChannel.LINK, ResponseChannel.API):
            _rate_hit_check(f"ip:{survey.pk}:{ip}", _rate_per_ip(), 3600, now,
                            _("来自同一网络地址的答卷提交过于频繁，请一小时后再试。"))
        if survey.verify_phone:
            key = _phone_verified(survey, phone, sms_code, now)
            if Response.objects.filter(survey=survey, phone_hash=key).exists():
                raise CodeUsed(_("该手机号码已参加过本次评议，每个手机号码只能提交一份。"))
    rows = clean_answers(questions if questions is not None else version_questions(version), answers)
    if not rows:
        raise DomainError(_("答卷是空的，请至少回答一题。"), field="answers")
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, version=version, group=g, channel=channel,
                                               submitted_at=now, phone_hash=key)
    except IntegrityError:
        raise CodeUsed(_("该手机号码已参加过本次评议，每个手机号码只能提交一份。")) from None
    Answer.objects.bulk_create(Answer(response=response, survey=survey, group=g, **row) for row in rows)
    if invitation is not None:
        invitation.used_at, invitation.response = now, response
        invitation.save(update_fields=["used_at", "response"])
    return response


def responses_bulk_submit(*, survey: Survey, items: Iterable[tuple[dt.datetime, str, Mapping[Any, Any]]],
                          channel: str = ResponseChannel.DEMO) -> int:
    """Many responses at once (the demo's year; an import of paper questionnaires), each through the same
    answer validation as `response_submit` (clean_answers) and the open period; all or nothing. Items are
    (submitted_at, group code, answers). Returns how many were stored."""
    version = survey.current_version
    if version is None:
        raise DomainError(_("该问卷尚未发布。"), field="survey")
    questions = version_questions(version)
    groups = {g.code: g for g in survey.groups.all()}
    prepared = []
    for i, (at, gcode, answers) in enumerate(items, 1):
        if not survey.opens_at <= at < survey.closes_at:
            raise DomainError(_("第 %(i)s 份答卷不在评议时间内。") % {"i": i}, field="submitted_at", row=i)
        if gcode not in groups:
            raise DomainError(_("第 %(i)s 份答卷的群体不存在。") % {"i": i}, field="group", row=i)
        try:
            rows = clean_answers(questions, answers)
        except DomainError as exc:
            raise DomainError(exc.message, field=exc.field, row=i) from None
        prepared.append((at, groups[gcode], rows))
    with transaction.atomic():
        responses = Response.objects.bulk_create(
            Response(survey=survey, version=version, group=g, channel=channel, submitted_at=at)
            for at, g, _rows in prepared)
        if responses and responses[0].pk is None:  # a backend without RETURNING ids
            responses = list(Response.objects.filter(survey=survey).order_by("-id")[:len(prepared)])[::-1]
        _answers_insert([(r.pk, row["question"].pk, survey.pk, g.pk, row.get("option_id"), row.get("department_id"),
                          row.get("value"), row.get("text", ""))
                         for r, (_at, g, rows) in zip(responses, prepared, strict=True) for row in rows])
    return len(prepared)


def _answers_insert(rows: list[tuple]) -> None:
    """Many Answer rows at once, already validated (clean_answers), as plain tuples: model instances cost
    ~25 µs each in Django's bulk_create, and a county's year is ~100,000 answers."""
    table = connection.ops.quote_name(Answer._meta.db_table)
    cols = ("response_id", "question_id", "survey_id", "group_id", "option_id", "department_id", "value", "text")
    sql = (f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in cols)}) "
           f"VALUES ({', '.join(['%s'] * len(cols))})")
    with connection.cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(sql, rows[i:i + 5000])
