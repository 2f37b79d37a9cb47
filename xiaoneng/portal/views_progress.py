"""办件查询: the public progress look-up page /progress/ (no account), and the rate limit it shares with
GET /api/v1/progress (api_figures.py).

The page is a form (case number, and the look-up code OR the phone's last four digits) posted with CSRF, so the
code never lands in an address bar, a history or a server log; the answer is the same page with the case's
progress under the form. An unknown number and a wrong code or phone4 answer the same 404 page, word for word
(cases.selectors_progress decides none of them apart).

Rate limit: FAILED look-ups are counted per client address and per case number (complaints' counters, fixed
windows); once either is past its limit every look-up on it — right or wrong — answers 429 with Retry-After
until the window ends. Counting failures only keeps a service hall's many citizens behind one address (all of
them with their codes) from locking each other out, while a guesser is stopped after a handful of tries: with
40-bit codes and ten tries an hour per case number nobody guesses one, and a phone's last four digits (10,000)
take years. Settings: XIAONENG_PROGRESS_RATE_IP (failures, seconds) = (20, 600), XIAONENG_PROGRESS_RATE_CASE =
(10, 3600).
"""

from __future__ import annotations

import datetime as dt
import math

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from xiaoneng.cases.selectors_progress import ProgressQuery, progress_lookup, progress_query_parse
from xiaoneng.complaints.models import RateCounter
from xiaoneng.core.errors import DomainError
from xiaoneng.core.request import client_ip
from xiaoneng.ratings.services.links import rate_hit

RATE_IP = (20, 600)
RATE_CASE = (10, 3600)
NOT_FOUND = gettext_lazy("未查到相符的办件。请核对办件编号和查询码（或申请时所留手机号码的后四位）后重试；"
               "仍查不到的，请携带回执到办理窗口或拨打 12345 政务服务便民热线咨询。")


class ProgressLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(_("查询过于频繁，请在 %(n)s 分钟后再试。") % {"n": max(1, math.ceil(retry_after / 60))},
                         field="case_no", code="rate_limited")
        self.retry_after = max(int(retry_after), 1)


def _rates(ip: str | None, case_no: str) -> list[tuple[str, int, int]]:
    ip_limit, ip_period = tuple(getattr(settings, "XIAONENG_PROGRESS_RATE_IP", RATE_IP))
    case_limit, case_period = tuple(getattr(settings, "XIAONENG_PROGRESS_RATE_CASE", RATE_CASE))
    return [(f"progress-ip:{ip or '-'}", int(ip_limit), int(ip_period)),
            (f"progress-case:{case_no}"[:100], int(case_limit), int(case_period))]


def _window(now: dt.datetime, period: int) -> tuple[dt.datetime, int]:
    start_ts = int(now.timestamp()) // period * period
    return dt.datetime.fromtimestamp(start_ts, tz=dt.UTC), max(1, math.ceil(start_ts + period - now.timestamp()))


def progress_rate_check(ip: str | None, case_no: str, *, now: dt.datetime) -> None:
    """ProgressLimited (429) when this address or this case number is past its failures in the current window
    (one query); nothing is counted here."""
    rates = _rates(ip, case_no)
    windows = {key: _window(now, period) for key, _limit, period in rates}
    counts = {(k, w): c for k, w, c in RateCounter.objects.filter(
        key__in=list(windows), window_start__in=[w for w, _r in windows.values()]).values_list(
        "key", "window_start", "count")}
    for key, limit, _period in rates:
        start, retry = windows[key]
        if counts.get((key, start), 0) >= limit:
            raise ProgressLimited(retry)


def progress_failed(ip: str | None, case_no: str, *, now: dt.datetime) -> None:
    """Count one failed look-up against the address and the case number."""
    for key, limit, period in _rates(ip, case_no):
        rate_hit(key, now=now, limit=limit, period=period)


def progress_answer(request, *, case_no, code=None, phone4=None, now: dt.datetime) -> dict | None:
    """Parse (DomainError 400), check the limit (ProgressLimited 429), look up; a miss is counted and answered
    None. The page and the API both come through here."""
    q: ProgressQuery = progress_query_parse(case_no=case_no, code=code, phone4=phone4)
    ip = client_ip(request)
    progress_rate_check(ip, q.case_no, now=now)
    found = progress_lookup(q)
    if found is None:
        progress_failed(ip, q.case_no, now=now)
    return found


class ProgressForm(forms.Form):
    case_no = forms.CharField(label=gettext_lazy("办件编号"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"class": "form-control form-control-lg",
                                                            "autocomplete": "off", "inputmode": "text"}))
    code = forms.CharField(label=gettext_lazy("查询码"), max_length=200, required=False,
                           help_text=gettext_lazy("印在受理回执或告知书上的 8 位查询码，不区分大小写。"),
                           widget=forms.TextInput(attrs={"class": "form-control form-control-lg",
                                                         "autocomplete": "off", "autocapitalize": "characters"}))
    phone4 = forms.CharField(label=gettext_lazy("或：申请时所留手机号码后四位"), max_length=200, required=False,
                             help_text=gettext_lazy("没有查询码时填写；查询码和手机号码后四位只填一项。"),
                             widget=forms.TextInput(attrs={"class": "form-control form-control-lg",
                                                           "autocomplete": "off", "inputmode": "numeric"}))


@require_http_methods(["GET", "POST"])
def progress(request):
    """The look-up form; POST answers the case's progress (200), the same not-found page for an unknown number
    and a wrong pair (404), the form with the field named for bad input (400), or 429 past the limit."""
    if request.method == "GET":
        return render(request, "portal/progress.html", {"form": ProgressForm()})
    form = ProgressForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    status, result, not_found = 200, None, False
    try:
        if not form.is_valid():
            raise DomainError(_("输入内容过长，请按回执填写。"), field="case_no")
        result = progress_answer(request, case_no=data.get("case_no"), code=data.get("code"),
                                 phone4=data.get("phone4"), now=now)
        if result is None:
            status, not_found = 404, True
    except ProgressLimited as exc:
        form = ProgressForm(initial={"case_no": (data.get("case_no") or "").strip()})
        response = render(request, "portal/progress.html", {"form": form, "notice": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render(request, "portal/progress.html", {"form": form}, status=400)
    # The secret halves are never echoed back into the page: only the case number is kept in the form.
    fresh = ProgressForm(initial={"case_no": (data.get("case_no") or "").strip()})
    return render(request, "portal/progress.html", {
        "form": fresh, "result": result, "notice": str(NOT_FOUND) if not_found else ""}, status=status)
