"""Window pages (一次一评) and the counter tablet (窗口评价器).

Staff (window clerks; handlers and heads of the department too): record a window contact on a fast form, put
it — or an ended case of the department — on the counter's tablet; heads and window clerks pair, re-pair and
revoke tablets. The tablet (/kiosk/) needs no log-in: its signed device cookie is the credential; it polls
for its prompt (htmx; a plain refresh without JavaScript) and records the applicant's tap through
rating_record (channel kiosk). Anything of another department answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.selectors import department_scope_q
from xiaoneng.cases.models import Case
from xiaoneng.catalog.models import ServiceItem
from xiaoneng.core.errors import Conflict, DomainError, NotFound
from xiaoneng.core.masking import mask_recipient

from .models import ContactKind, Kiosk, Level, WindowContact
from .services import contacts as S
from .services.links import mask_case_no, qr_data_uri
from .views_public import parse_level, rate_form_context


# ------------------------------------------------------------------------------------------- staff pages
class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("服务类型"), choices=[("", gettext_lazy("请选择"))] + list(ContactKind.choices))
    service_item = forms.ChoiceField(label=gettext_lazy("事项"), required=False)
    window_name = forms.CharField(label=gettext_lazy("窗口"), required=False, max_length=60)
    applicant_name = forms.CharField(label=gettext_lazy("服务对象（选填）"), required=False, max_length=100)
    applicant_phone = forms.CharField(label=gettext_lazy("联系电话（选填）"), required=False, max_length=32)
    note = forms.CharField(label=gettext_lazy("办理情况"), required=False, max_length=300)

    def __init__(self, *args, items=(), **kw):
        super().__init__(*args, **kw)
        self.fields["service_item"].choices = [("", _("不涉及具体事项"))] + [(it.code, str(it)) for it in items]


def _items_for(user):
    return list(ServiceItem.objects.filter(department_scope_q(user), is_active=True)
                .select_related("current_version").order_by("code"))


def _kiosks_for(user):
    return list(Kiosk.objects.filter(department_scope_q(user)).select_related("department").order_by("name", "id"))


def _contact_rows(user):
    rows = list(WindowContact.objects.filter(department_scope_q(user))
                .select_related("service_item__current_version", "clerk").order_by("-served_at", "-id")[:30])
    rated = set(WindowContact.objects.filter(pk__in=[c.pk for c in rows], rating__isnull=False)
                .values_list("pk", flat=True))
    for c in rows:
        c.is_rated = c.pk in rated
        c.phone_masked = mask_recipient(c.applicant_phone) if c.applicant_phone else ""
    return rows


@role_required(*S.CLERK_ROLES)
@require_http_methods(["GET", "POST"])
def window_home(request):
    """窗口服务登记: the fast form, the department's latest contacts with "推送到评价器", its tablets."""
    user = request.user
    items = _items_for(user)
    form = ContactForm(request.POST or None, items=items)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                item = S.item_for_clerk(user, d["service_item"])
                contact = S.contact_record(by=user, kind=d["kind"], service_item=item,
                                           applicant_name=d["applicant_name"], applicant_phone=d["applicant_phone"],
                                           note=d["note"], window_name=d["window_name"], now=timezone.now())
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已登记窗口服务 %(n)s。") % {"n": contact.number})
                return redirect("ratings:window_home")
        status = 400
    return render(request, "ratings/window/home.html", {
        "form": form, "contacts": _contact_rows(user), "kiosks": [k for k in _kiosks_for(user) if not k.revoked_at],
        "can_pair": user.has_any_role(*S.KIOSK_ROLES)}, status=status)


def _kiosk_from_post(request) -> Kiosk:
    try:
        return S.kiosk_get_for(request.user, request.POST.get("kiosk", ""))
    except NotFound:
        raise Http404 from None


@role_required(*S.CLERK_ROLES)
@require_POST
def contact_push(request, number: str):
    """推送到评价器: the contact's rating prompt on the chosen tablet of the department."""
    try:
        contact = S.contact_get_for(request.user, number)
    except NotFound:
        raise Http404 from None
    kiosk = _kiosk_from_post(request)
    try:
        S.kiosk_push(by=request.user, kiosk=kiosk, contact=contact, now=timezone.now())
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已推送到 %(k)s，请服务对象在评价器上评价。") % {"k": kiosk.name})
    return redirect("ratings:window_home")


@role_required(*S.CLERK_ROLES)
@require_POST
def case_push(request):
    """An ended case of the department on the tablet (一事一评 at the counter)."""
    case_no = (request.POST.get("case_no") or "").strip()[:64]
    case = Case.objects.filter(department_scope_q(request.user), case_no=case_no).first()
    if case is None:
        messages.error(request, _("未找到本部门的该办件，请核对办件编号。"))
        return redirect("ratings:window_home")
    kiosk = _kiosk_from_post(request)
    try:
        S.kiosk_push(by=request.user, kiosk=kiosk, case=case, now=timezone.now())
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已推送到 %(k)s，请申请人在评价器上评价。") % {"k": kiosk.name})
    return redirect("ratings:window_home")


@role_required(*S.CLERK_ROLES)
@require_http_methods(["GET", "POST"])
def kiosk_list(request):
    """The department's counter tablets; heads and window clerks add one (then pair it)."""
    user = request.user
    error = ""
    if request.method == "POST":
        if not user.has_any_role(*S.KIOSK_ROLES):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("只有部门负责人或窗口人员可以配对评价器。"))
        try:
            kiosk = S.kiosk_create(by=user, name=request.POST.get("name", ""), now=timezone.now())
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("ratings:kiosk_pairing", pk=kiosk.pk)
    return render(request, "ratings/window/kiosks.html", {
        "kiosks": _kiosks_for(user), "can_pair": user.has_any_role(*S.KIOSK_ROLES), "error": error,
        "name": (request.POST.get("name", "") if request.method == "POST" else "")[:60]},
        status=400 if error else 200)


@role_required(*S.KIOSK_ROLES)
@require_http_methods(["GET", "POST"])
def kiosk_pairing(request, pk: int):
    """The tablet's one-time pairing link and its QR code; POST unpairs the current device and opens it anew."""
    try:
        kiosk = S.kiosk_get_for(request.user, pk)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        S.kiosk_repair(by=request.user, kiosk=kiosk, now=timezone.now())
        messages.success(request, _("已解除原设备，请用评价器打开新的配对链接。"))
        return redirect("ratings:kiosk_pairing", pk=kiosk.pk)
    url = ""
    if kiosk.revoked_at is None and kiosk.last_seen_at is None:
        url = request.build_absolute_uri(reverse("ratings:kiosk_pair", kwargs={"code": S.pairing_code(kiosk)}))
    return render(request, "ratings/window/pairing.html", {
        "kiosk": kiosk, "url": url, "qr": qr_data_uri(url) if url else "", "minutes": S.PAIRING_MINUTES})


@role_required(*S.KIOSK_ROLES)
@require_POST
def kiosk_revoke(request, pk: int):
    try:
        kiosk = S.kiosk_get_for(request.user, pk)
    except NotFound:
        raise Http404 from None
    S.kiosk_revoke(by=request.user, kiosk=kiosk, now=timezone.now())
    messages.success(request, _("评价器“%(k)s”已停用。") % {"k": kiosk.name})
    return redirect("ratings:kiosk_list")


# ------------------------------------------------------------------------------------------- the tablet
def _device(request) -> Kiosk | None:
    secret = request.get_signed_cookie(S.DEVICE_COOKIE, default=None, salt=S.DEVICE_SALT)
    return S.kiosk_by_secret(secret)


def _not_paired(request, kiosk: Kiosk | None):
    if kiosk is None:
        title, text = _("本设备尚未配对"), _("本设备尚未配对为窗口评价器。请窗口工作人员在“评价器管理”中生成配对链接，并用本设备打开。")
    else:
        title, text = _("该评价器已停用"), _("该评价器已停用，请联系窗口工作人员重新配对。")
    return render(request, "ratings/window/kiosk_message.html", {"title": title, "text": text}, status=403)


def _subject_ctx(subject) -> dict:
    if isinstance(subject, WindowContact):
        item = subject.service_item.current_version.name if subject.service_item_id and \
            subject.service_item.current_version_id else ""
        return {"item_name": item or subject.get_kind_display(), "department_name": subject.department.name,
                "window_name": subject.window_name, "prompt_key": f"contact:{subject.pk}"}
    item = subject.version.name if subject.version_id else str(subject.service_item)
    return {"item_name": item, "department_name": subject.department.name,
            "case_no_masked": mask_case_no(subject.case_no), "prompt_key": f"case:{subject.pk}"}


def _prompt_key(subject) -> str:
    return f"{'contact' if isinstance(subject, WindowContact) else 'case'}:{subject.pk}"


@require_http_methods(["GET", "POST"])
def kiosk_page(request):
    """The tablet: the idle screen, or the prompt's rating (level, then its reasons and a comment)."""
    kiosk = _device(request)
    if kiosk is None or kiosk.revoked_at is not None:
        return _not_paired(request, kiosk)
    now = timezone.now()
    subject = S.kiosk_prompt(kiosk, now=now)
    base = {"kiosk": kiosk, "form_url": reverse("ratings:kiosk")}
    if request.method == "POST":
        level = parse_level(request.POST.get("level"))
        reasons = request.POST.getlist("reasons")
        comment = request.POST.get("comment", "")
        if subject is None or request.POST.get("prompt") != _prompt_key(subject):
            return render(request, "ratings/window/kiosk_message.html", {
                "title": _("本次评价已超时"), "text": _("请联系窗口工作人员重新推送评价。"), "refresh": True}, status=409)
        if level is None:
            return render(request, "ratings/window/kiosk.html", {**base, **_subject_ctx(subject), **rate_form_context(
                level=None, error=_("请选择评价等级。"))}, status=400)
        try:
            S.kiosk_rate(kiosk=kiosk, level=level, reasons=reasons, comment=comment, now=now)
        except Conflict as exc:
            return render(request, "ratings/window/kiosk_message.html", {
                "title": _("已评价"), "text": exc.message, "refresh": True}, status=409)
        except DomainError as exc:
            return render(request, "ratings/window/kiosk.html", {**base, **_subject_ctx(subject), **rate_form_context(
                level=level, reasons_checked=reasons, comment=comment[:2000], error=exc.message)}, status=400)
        return render(request, "ratings/window/kiosk_message.html", {
            "title": _("感谢您的评价"), "text": _("您的评价“%(l)s”已提交。") % {"l": Level(level).label},
            "refresh": True, "thanks": True})
    if subject is None:
        return render(request, "ratings/window/kiosk.html", {**base, "idle": True})
    level = parse_level(request.GET.get("level"))
    return render(request, "ratings/window/kiosk.html", {**base, **_subject_ctx(subject),
                                                         **rate_form_context(level=level)})


@require_http_methods(["GET"])
def kiosk_prompt_fragment(request):
    """What the idle tablet polls (htmx): the prompt's first step, or the idle screen again."""
    kiosk = _device(request)
    if kiosk is None or kiosk.revoked_at is not None:
        resp = _not_paired(request, kiosk)
        resp["HX-Refresh"] = "true"  # a tablet revoked or re-paired while polling shows the full page saying so
        return resp
    subject = S.kiosk_prompt(kiosk, now=timezone.now())
    ctx = {"kiosk": kiosk, "form_url": reverse("ratings:kiosk"), "idle": subject is None}
    if subject is not None:
        ctx.update(_subject_ctx(subject), **rate_form_context(level=None))
    return render(request, "ratings/window/_kiosk_prompt.html", ctx)


@require_http_methods(["GET", "POST"])
def kiosk_pair(request, code: str):
    """The one-time pairing URL, opened on the tablet: a confirmation, then the device's signed cookie."""
    if request.method == "POST":
        try:
            kiosk, secret = S.kiosk_pair(code=code, now=timezone.now())
        except S.PairingInvalid as exc:
            return render(request, "ratings/window/kiosk_message.html", {
                "title": _("配对链接无效"), "text": exc.message}, status=410)
        resp = redirect("ratings:kiosk")
        resp.set_signed_cookie(S.DEVICE_COOKIE, secret, salt=S.DEVICE_SALT, max_age=S.DEVICE_COOKIE_AGE,
                               httponly=True, samesite="Lax", secure=request.is_secure())
        return resp
    return render(request, "ratings/window/kiosk_pair.html", {})
