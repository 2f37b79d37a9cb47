"""The world the permission matrix runs against, built once per module through the real services (no mocks):
two bureaus (A and B) with a case, a card, a supervision order, a complaint, a service item each; the
principals of every kind (anonymous, each role, an inactive and a role-less account, tokens good and bad);
and one logged-in test client per principal that enforces CSRF like a browser.

Building it once (in a transaction rolled back at the end of the module) and giving every test a savepoint
of its own keeps the matrix well under a minute on both databases while every cell starts from the same
state."""

from __future__ import annotations

import copy
import io
import logging
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings

from xiaoneng.accounts import roles as R

from .world_inspections import build_inspections
from .world_surveys import build_surveys

TZ = ZoneInfo("Asia/Shanghai")
T_CATALOG = datetime(2025, 1, 2, 9, 0, tzinfo=TZ)
T_CASE = datetime(2026, 9, 28, 9, 0, tzinfo=TZ)  # a Monday
T_TICK = datetime(2026, 10, 12, 18, 0, tzinfo=TZ)  # the committed-yellow cards of T_CASE's cases are due
T_COMPLAINT = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday, no holiday for weeks around it

PASSWORD = "Xiaoneng-Test-2026!"


# ------------------------------------------------------------------------------------------- principals
@dataclass(frozen=True)
class Principal:
    """Who knocks: `kind` is anon, session (an active signed-in staff member), inactive (a signed-in account
    since deactivated), token (a live department-system token) or badtoken (revoked or never issued)."""

    key: str
    kind: str
    roles: frozenset = frozenset()
    dept: str | None = None  # "a", "b" or None; county-wide roles see every department anyway

    @property
    def county_wide(self) -> bool:
        return bool(self.roles & set(R.COUNTY_WIDE))

    @property
    def session(self) -> bool:
        """A browser session the server recognises (CSRF applies to its unsafe requests)."""
        return self.kind == "session"

    def sees(self, dept: str | None) -> bool:
        """Department scoping (accounts.selectors): county-wide roles see all, others their own bureau, an
        account without any role nothing."""
        return dept is None or self.county_wide or (bool(self.roles) and self.dept == dept)


def _p(key, kind, roles=(), dept=None):
    return Principal(key, kind, frozenset(roles), dept)


PRINCIPALS: dict[str, Principal] = {p.key: p for p in (
    _p("anonymous", "anon"),
    _p("window_a", "session", [R.WINDOW], "a"),
    _p("handler_a", "session", [R.HANDLER], "a"),
    _p("head_a", "session", [R.HEAD], "a"),
    _p("handler_b", "session", [R.HANDLER], "b"),
    _p("supervisor", "session", [R.SUPERVISOR], "office"),
    _p("leader", "session", [R.LEADER], "county"),
    _p("admin", "session", [R.ADMIN], None),
    _p("inactive_a", "inactive", [R.HANDLER], "a"),
    _p("norole_a", "session", [], "a"),
    _p("invited", "session", [R.INVITED], None),  # 特邀监督员: no department, sees only its own visits (issue 12)
    _p("token_a", "token", dept="a"),
    _p("token_b", "token", dept="b"),
    _p("token_revoked", "badtoken"),
    _p("token_bogus", "badtoken"),
)}


# ------------------------------------------------------------------------------------------- clients
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PrincipalClient:
    """One principal's HTTP client: a Django test Client that enforces CSRF as a browser's requests are
    enforced, signed in for staff, with the bearer header for tokens. Each request starts from the cookies
    the principal had after signing in (a logout or a password change in one cell must not leak into the
    next), and the CSRF token is the one a page of the site handed out."""

    def __init__(self, principal: Principal, *, user=None, token: str | None = None):
        self.principal = principal
        self.client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        if user is not None:
            self.client.force_login(user)
        # A department system's HTTP client is no browser: it never fetched a page, so it has no CSRF cookie.
        self.csrf_token = None if token else self._csrf_from_page()
        self._cookies = {name: morsel.value for name, morsel in self.client.cookies.items()}

    def _csrf_from_page(self) -> str | None:
        # The staff desk for a session, the log-in page otherwise: both carry a form with the token.
        path = "/staff/" if self.principal.session else "/accounts/login/"
        resp = self.client.get(path, **self.headers)
        m = _CSRF_FIELD.search(resp.content.decode())
        return m.group(1) if m else None

    def request(self, method: str, path: str, *, data=None, json_body=None, csrf: bool = True):
        self.client.cookies = SimpleCookie(self._cookies)
        extra = dict(self.headers)
        if method == "GET":
            return self.client.get(path, data=data, **extra)
        if json_body is not None:
            if csrf and self.csrf_token:
                extra["HTTP_X_CSRFTOKEN"] = self.csrf_token
            import json

            return self.client.generic(method, path, json.dumps(json_body), content_type="application/json", **extra)
        payload = dict(data or {})
        if csrf and self.csrf_token:
            payload["csrfmiddlewaretoken"] = self.csrf_token
        if method == "POST":
            return self.client.post(path, data=payload, **extra)
        # PUT / PATCH / DELETE carry the token in the header, as htmx and fetch do.
        if csrf and self.csrf_token:
            extra["HTTP_X_CSRFTOKEN"] = self.csrf_token
        return self.client.generic(method, path, "", **extra)


# ------------------------------------------------------------------------------------------- the world
@dataclass
class World:
    """Everything the matrix's URLs name, in bureau A and in bureau B, and a client per principal."""

    staff: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # principal key → raw token
    clients: dict = field(default_factory=dict)  # principal key → PrincipalClient
    obj: dict = field(default_factory=dict)  # names used by the matrix's URL builders


ITEM = {
    "name": "食品经营许可证核发", "category": "licensing", "item_type": "committed", "audience": "both",
    "description": "", "conditions": "", "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "statutory_limit_value": 20, "statutory_limit_unit": "wd", "committed_limit_value": 5,
    "committed_limit_unit": "wd", "suspension_allowed": True, "suspension_reasons": ["supplement", "testing"],
    "deemed_approval": False, "online": True, "offline": True, "online_url": "", "max_visits": 1,
    "location": "县政务服务中心", "office_hours": "", "phone": "", "complaint_phone": "", "result": "许可证",
    "materials": [
        {"name": "食品经营许可申请书", "form": "original", "copies": 1, "requirement": "mandatory", "condition": "",
         "source": "applicant", "blank_form": "", "sample": "", "note": ""},
        {"name": "经营场所平面图", "form": "original", "copies": 1, "requirement": "mandatory", "condition": "",
         "source": "applicant", "blank_form": "", "sample": "", "note": ""},
    ],
    "fees": [],
    "steps": [
        {"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""},
        {"kind": "review", "name": "审核", "limit_value": 2, "limit_unit": "wd", "post": "", "description": ""},
    ],
}


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _item(code, dept, by, **changes):
    from xiaoneng.catalog.services import service_item_create

    data = copy.deepcopy(ITEM)
    data.update(changes, code=code)
    data["materials"][0]["blank_form"] = SimpleUploadedFile("申请书.docx", b"PK fake docx")
    return service_item_create(department=dept, data=data, by=by, now=T_CATALOG)


def _event(n, case_no, etype, when, code, **fields):
    data = {"event_id": f"sec-{n}", "case_no": case_no, "service_code": code, "type": etype,
            "occurred_at": when.isoformat(), **fields}
    if etype == "received":
        data["applicant"] = {"name": "张三", "id_no": "330102199001011234", "phone": "13812345678"}
    return data


def build_world() -> World:
    """Build the world through the services, as the demo and the app tests do."""
    from xiaoneng.accounts.models import ApiClient
    from xiaoneng.accounts.services import api_client_create, api_client_revoke, staff_update
    from xiaoneng.accounts.testing import make_department_tree, make_staff
    from xiaoneng.cases import services as case_services
    from xiaoneng.cases.ingest import case_events_ingest
    from xiaoneng.cases.models import Case
    from xiaoneng.catalog.services import service_item_deactivate
    from xiaoneng.complaints import services as cs
    from xiaoneng.complaints.categories import categories_ensure
    from xiaoneng.complaints.intake import clean_intake
    from xiaoneng.complaints.models import Channel, ComplainantMessage
    from xiaoneng.complaints.uploads import clean_uploads
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.models import Rule, Warning
    from xiaoneng.supervision.rulecache import rules_invalidate
    from xiaoneng.supervision.services import supervise_tick, supervision_order_issue, warning_appeal
    from xiaoneng.workdays.calendar import calendar_invalidate
    from xiaoneng.workdays.services import calendar_seed_from_package

    w = World()
    calendar_invalidate()
    rules_invalidate()
    calendar_seed_from_package(years=range(2024, 2028))
    rules_ensure_defaults()
    categories_ensure()
    depts = make_department_tree()
    w.obj["depts"] = depts
    st = w.staff
    st["window_a"] = make_staff("window_a", depts["a"], [R.WINDOW])
    st["handler_a"] = make_staff("handler_a", depts["a"], [R.HANDLER])
    st["head_a"] = make_staff("head_a", depts["a"], [R.HEAD])
    st["handler_b"] = make_staff("handler_b", depts["b"], [R.HANDLER])
    st["supervisor"] = make_staff("supervisor", depts["office"], [R.SUPERVISOR])
    st["leader"] = make_staff("leader", depts["county"], [R.LEADER])
    st["admin"] = make_staff("admin", None, [R.ADMIN])
    st["norole_a"] = make_staff("norole_a", depts["a"], [])
    st["inactive_a"] = make_staff("inactive_a", depts["a"], [R.HANDLER])
    now = T_CATALOG
    for key in ("inactive_a",):
        staff_update(staff=st[key], by=st["admin"], name=key, department=depts["a"], roles=[R.HANDLER],
                     is_active=False)

    # Tokens: one live per bureau, one revoked (bureau A), one never issued.
    client_a, w.tokens["token_a"] = api_client_create(name="市场监管审批系统", department=depts["a"], by=None, now=now)
    client_b, w.tokens["token_b"] = api_client_create(name="自然资源审批系统", department=depts["b"], by=None, now=now)
    revoked, w.tokens["token_revoked"] = api_client_create(name="旧系统", department=depts["a"], by=None, now=now)
    api_client_revoke(client=revoked, by=None, now=now)
    w.tokens["token_bogus"] = "xn_" + secrets.token_urlsafe(32)
    w.obj["token_pk"] = {"a": client_a.pk, "b": client_b.pk}
    from xiaoneng.accounts.models import AuditEvent  # the tokens' issue was audited: a record to aim at

    w.obj["audit_pk"] = AuditEvent.objects.order_by("id").values_list("id", flat=True).first()
    w.obj["api_clients"] = ApiClient.objects.count()

    # Catalogue: an active item per bureau (with a downloadable blank form), and a deactivated one in A.
    items = {"a": _item("SP001", depts["a"], None), "b": _item("ZR001", depts["b"], None, name="建设用地规划许可证核发"),
             "off": _item("SP002", depts["a"], None, name="已停用的事项")}
    service_item_deactivate(item=items["off"], by=None, now=T_CATALOG)
    w.obj["items"] = items
    w.obj["material"] = {k: it.current_version.materials.get(position=1).pk for k, it in items.items()}

    # Cases: per bureau one just received (window actions would change it) and one accepted that has a
    # one-time notice and, after the tick, a yellow card with an appeal and a supervision order.
    n = 0
    for key, code in (("a", "SP001"), ("b", "ZR001")):
        evs = []
        for case_no, steps in ((f"R-{key.upper()}", ["received"]), (f"C-{key.upper()}", ["received", "accepted"]),
                               (f"D-{key.upper()}", ["received", "accepted"])):
            for etype in steps:
                n += 1
                evs.append(_event(n, case_no, etype, T_CASE, code,
                                  **({"handler": f"handler_{key}"} if etype == "received" else {})))
        res = case_events_ingest(events=evs, now=T_CASE + timedelta(minutes=1), source="security-matrix")
        assert not res.errors, res.errors
    cases = {k: Case.objects.get(case_no=f"C-{k.upper()}") for k in ("a", "b")}
    w.obj["cases"] = cases
    w.obj["received_cases"] = {k: f"R-{k.upper()}" for k in ("a", "b")}
    # The one-time notice is issued on the received case (the accepted one is past the window).
    docs = {}
    for key, window in (("a", st["window_a"]), ("b", None)):
        case = Case.objects.get(case_no=f"R-{key.upper()}")
        docs[key] = case_services.case_request_supplement(
            case=case, materials=["经营场所平面图"], by=window or st["handler_b"], now=T_CASE + timedelta(hours=1))
    w.obj["documents"] = {k: (f"R-{k.upper()}", d.pk) for k, d in docs.items()}

    supervise_tick(now=T_TICK)
    cards, appeals, orders = {}, {}, {}
    for key in ("a", "b"):
        card = Warning.objects.about(cases[key]).order_by("id").first()
        assert card is not None, "the tick raised no card: the matrix needs one per bureau"
        cards[key] = card
    head_b = make_staff("head_b", depts["b"], [R.HEAD])
    st["head_b"] = head_b
    for key, head in (("a", st["head_a"]), ("b", head_b)):
        pdf = SimpleUploadedFile("申诉材料.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf")
        warning_appeal(warning=cards[key], by=head, now=T_TICK + timedelta(hours=15), reason="系统时间错误。",
                       attachment=pdf)
        appeals[key] = cards[key].actions.get(kind="appeal").pk
    # The card of the second accepted case stays open: it carries the supervision order.
    open_cards = {}
    for key in ("a", "b"):
        open_cards[key] = Warning.objects.about(Case.objects.get(case_no=f"D-{key.upper()}")).order_by("id").first()
        assert open_cards[key] is not None and open_cards[key].status == "issued"
        orders[key] = supervision_order_issue(warning=open_cards[key], by=st["supervisor"],
                                              now=T_TICK + timedelta(hours=15), due_wd=2, instructions="请于两个工作日内办结。")
    # A rectification proposal per bureau, sent by the office (a department reads only those sent to it).
    from xiaoneng.supervision.models import SupervisionProposal
    from xiaoneng.supervision.services import supervision_proposal_issue

    proposals = {}
    for key in ("a", "b"):
        draft, _new = SupervisionProposal.objects.get_or_create(
            warning=open_cards[key], defaults={"subject_kind": open_cards[key].subject_kind, "subject_id": open_cards[key].subject_id, "department_id": open_cards[key].department_id,
                                               "problem": "超期未办结。", "suggestion": "立即办结。", "created_at": T_TICK})
        proposals[key] = supervision_proposal_issue(proposal=draft, by=st["supervisor"], now=T_TICK + timedelta(hours=15),
                                                    problem="超期未办结。", suggestion="立即办结。", due_wd=10).pk
    w.obj["proposals"] = proposals
    w.obj.update(cards={k: c.pk for k, c in cards.items()}, appeals=appeals, orders={k: o.pk for k, o in orders.items()},
                 open_cards={k: c.pk for k, c in open_cards.items()})
    from django.contrib.auth.models import Group

    from xiaoneng.complaints.models import ComplaintCategory

    w.obj.update(staff_pk=st["handler_a"].pk, group_pk=Group.objects.get(name=R.HANDLER).pk,
                 category_pk=ComplaintCategory.objects.order_by("pk").values_list("pk", flat=True).first())
    w.obj["rule"] = Rule.objects.order_by("code").values_list("code", flat=True).first()

    # Complaints: per bureau one accepted and dispatched to it (with a photo the office shared), and in A one
    # replied, published in the mailbox, with a published photo and a one-time follow-up link.
    sup = st["supervisor"]
    complaints = {}
    for key, code in (("a", "TA"), ("b", "TB")):
        intake = clean_intake({
            "category": "TS-CSBL", "department": code, "window": "12号窗口", "staff_name": "工号0123", "case_no": "",
            "occurred_on": "2026-02-26", "facts": "2月26日我到县政务服务中心12号窗口办理许可，材料齐全，至今未办结。",
            "request": "请尽快办结并说明延误原因。", "litigation": "none", "identity_mode": "confidential",
            "name": "张晓明", "phone": "13912345678", "email": "zhang@example.com", "address": "清源县人民路88号",
        }, today=T_COMPLAINT.date())
        c = cs.complaint_submit(intake=intake, channel=Channel.WEB, now=T_COMPLAINT, ip="203.0.113.7",
                                files=clean_uploads([("现场.png", _png())]))
        cs.complaint_accept(complaint=c, by=sup, now=T_COMPLAINT)
        cs.complaint_dispatch(complaint=c, by=sup, now=T_COMPLAINT, departments=[depts[key]])
        cs.attachment_share(attachment=c.attachments.get(), by=sup, shared=True)
        c.refresh_from_db()
        complaints[key] = c
    replied = cs.complaint_submit(intake=clean_intake({
        "category": "TS-CSBL", "department": "TA", "occurred_on": "2026-02-26", "litigation": "none",
        "facts": "窗口工作人员要求提供清单以外的材料，多次跑腿仍未受理。", "request": "请督促一次性告知。",
        "identity_mode": "anonymous"}, today=T_COMPLAINT.date()), channel=Channel.WEB, now=T_COMPLAINT,
        ip="203.0.113.8", files=clean_uploads([("现场2.png", _png())]))
    cs.complaint_accept(complaint=replied, by=sup, now=T_COMPLAINT)
    cs.complaint_dispatch(complaint=replied, by=sup, now=T_COMPLAINT, departments=[depts["a"]])
    cs.dispatch_result(dispatch=replied.dispatches.get(), by=st["handler_a"], now=T_COMPLAINT + timedelta(days=2),
                       outcome="substantiated", findings="调查属实。", measures="已批评教育并整改。")
    reply = cs.reply_draft(complaint=replied, by=sup, now=T_COMPLAINT + timedelta(days=3), text="答复：经调查属实，已整改。")
    _reply, follow_up = cs.reply_review(reply=reply, by=sup, now=T_COMPLAINT + timedelta(days=3), approve=True,
                                        publishable=True)
    replied.refresh_from_db()
    cs.complaint_set_publishable(complaint=replied, by=sup, now=T_COMPLAINT + timedelta(days=3), publishable=True)
    photo = cs.attachment_publish(attachment=replied.attachments.get(), by=sup, now=T_COMPLAINT + timedelta(days=3),
                                  published=True)
    replied.refresh_from_db()
    w.obj.update(
        complaints={k: c.number for k, c in complaints.items()},
        tracking={"a": complaints["a"].tracking_code, "replied": replied.tracking_code},
        replied=replied.number, follow_up=follow_up, media=photo.public_token,
        attachments={k: c.attachments.get().pk for k, c in complaints.items()},
        notices={k: c.timeline.filter(public=True, kind="accepted").values_list("pk", flat=True).first()
                 for k, c in complaints.items()},
        messages={k: ComplainantMessage.objects.filter(complaint=c).values_list("pk", flat=True).first()
                  for k, c in complaints.items()},
    )
    for k in ("a", "b"):
        assert w.obj["notices"][k] and w.obj["messages"][k], "complaint notices and messages are needed"

    __import__("security.world_ratings").world_ratings.build_ratings_world(w)  # issue 12: ratings objects
    __import__("security.world_ratings_channels", fromlist=["x"]).build_ratings_channels(w)  # ratings channels (issue 12)
    build_inspections(w)  # issue 12: the invited supervisor and the inspections' objects (security/world_inspections.py)
    build_surveys(w)

    # One client per principal (made last: signing in writes sessions and log-in records).
    for key, p in PRINCIPALS.items():
        user = st.get(key) if p.kind in ("session", "inactive") else None
        w.clients[key] = PrincipalClient(p, user=user, token=w.tokens.get(key))

    # A failed log-in (after the sign-ins, which axes records too), so that the admin's pages of log-in
    # records have a row of each kind to name.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    Client().post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    if not AccessFailureLog.objects.exists():  # kept only with AXES_ENABLE_ACCESS_FAILURE_LOG
        AccessFailureLog.objects.create(user_agent="matrix", ip_address="203.0.113.9", username="nobody",
                                        http_accept="*/*", path_info="/accounts/login/")
    w.obj["axes"] = {m.__name__.lower(): m.objects.order_by("pk").values_list("pk", flat=True).first()
                     for m in (AccessAttempt, AccessFailureLog, AccessLog)}

    __import__("security.world_ratings_core", fromlist=["x"]).build_ratings_core(w)  # ratings-core (issue 12)
    __import__("security.world_evaluation_scores", fromlist=["x"]).build_evaluation_scores(w)  # issue 13: scores
    __import__("security.world_evaluation_pages", fromlist=["x"]).build_evaluation_pages(w)  # issue 13: pages
    __import__("security.world_evaluation_cons", fromlist=["x"]).build_evaluation_cons(w)  # evaluation consequences (issue 13)
    # ---- issue 14: one line per part (security/world_<part>.py)
    __import__("security.world_disclosure_catalogue", fromlist=["x"]).build_disclosure_catalogue(w)  # catalogue
    __import__("security.world_portal_figures", fromlist=["x"]).build_portal_figures(w)  # portal figures (issue 14)
    __import__("security.world_disclosure_check", fromlist=["x"]).build_disclosure_check(w)  # disclosure check
    __import__("security.world_disclosure_report", fromlist=["x"]).build_disclosure_report(w)  # annual report (issue 14)
    __import__("security.world_disclosure_requests", fromlist=["x"]).build_disclosure_requests(w)  # information requests
    # ---- end issue 14
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once per module inside a transaction that is rolled back when the module is done;
    each test then runs in a savepoint of its own (pytest-django's `db`), so every cell sees the same state."""
    media = tempfile.TemporaryDirectory(prefix="xn-matrix-media-")
    overrides = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media.name,
        XIAONENG_COMPLAINTS={"RATE_PER_IP": "100000/h", "RATE_PER_CONTACT": "100000/h"},
        XIAONENG_SMS_BACKEND="xiaoneng.core.sms.LocmemBackend",
        XIAONENG_CALENDAR_CHECK_SECONDS=3600, XIAONENG_RULES_CHECK_SECONDS=3600,
        XIAONENG_CHART_CACHE_SECONDS=0,
    )
    # Thousands of deliberate 403s, 404s and CSRF refusals: their warnings would only bury a real error.
    quiet = [logging.getLogger(name) for name in ("django.request", "django.security.csrf")]
    levels = [log.level for log in quiet]
    for log in quiet:
        log.setLevel(logging.ERROR)
    with overrides, django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            from xiaoneng.supervision.rulecache import rules_invalidate
            from xiaoneng.workdays.calendar import calendar_invalidate

            calendar_invalidate()
            rules_invalidate()
    media.cleanup()
    for log, level in zip(quiet, levels, strict=True):
        log.setLevel(level)


