"""The standing permission matrix (issue 9, "make it stand"): every principal against every URL pattern of the
platform — pages, the /api/v1/ JSON API, Open311 and the Django admin — reading (GET) and writing (POST, and
the other unsafe methods where an endpoint takes them), with and without the CSRF token.

How to read it: `MATRIX` below is the table, one row per URL pattern (its resolver name), saying who may read
and who may write. A rule names the roles that may; everything else follows from the principal's kind:

    Public(code)            everyone gets `code` (200 unless said otherwise)
    Staff(roles, ...)       a staff page: no live session → the log-in page (302); a role not in `roles`
                            → 403; an object of the other bureau → 404 (`scoped`). `gate` = the roles the
                            page's decorator lets in before the object is looked up (then 404 comes first)
    Api(roles, ...)         /api/v1/: no or bad credentials → 401; a department token sees its own bureau
                            only (404 otherwise); staff sessions as for pages, with 403 for a wrong role
    AdminSite(code)         the Django admin: only accounts flagged is_staff (the admin role) get in
    but={principal: code}   the cells that differ from the rule, each with its reason in a comment

`ANY` means every active signed-in account, even one without a role. Writes expect OK (let through: not a
refusal) for those allowed and an exact refusal for everyone else; a refused write must also leave the
database as it was (row counts of every table, and the full rows of the tables the row names).

Every URL pattern the resolver knows must have a row: `test_every_url_pattern_is_classified` fails naming
any new page or endpoint that has not joined the matrix. Objects named in URLs exist in bureau A and in
bureau B (security/conftest.py builds them), so each department's principals are tried on the other's ids.

Run it: `pytest security/` (both databases: set DATABASE_URL for PostgreSQL). docs/security.md points here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xiaoneng.accounts import roles as R

from .conftest import PRINCIPALS, Principal

# ============================================================================================ outcomes
EVENT_REFUSED = "200, every event refused"  # /api/v1/case-events answers per event: a refusal in the body
OK = "OK"  # a write let through: any answer that is not a refusal (the form may still find errors: 400)
LOGIN = "LOGIN"  # 302 to the staff log-in page
ADMIN_LOGIN = "ADMIN_LOGIN"  # 302 to the Django admin's log-in page
REFUSALS = {401, 403, 404, 405}
LOGIN_PATH = "/accounts/login/"
ADMIN_LOGIN_PATH = "/admin/login/"
ANY = "ANY"  # every active signed-in account, even one without a role

ALL = frozenset(R.ALL)
WINDOW_ROLES = frozenset({R.WINDOW, R.HANDLER, R.HEAD})
DEPT_ROLES = frozenset({R.HANDLER, R.HEAD})
COMPLAINT_LIST = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN, R.HANDLER, R.HEAD})
MONITOR = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN})
CAL_READERS = frozenset({R.ADMIN, R.SUPERVISOR})


def roles(*names: str) -> frozenset:
    return frozenset(names)


ADMIN = roles(R.ADMIN)
SUPERVISOR = roles(R.SUPERVISOR)
HEAD = roles(R.HEAD)


# ============================================================================================ rules
@dataclass(frozen=True)
class Public:
    """Everyone gets `code`; `signed_in` is what a live staff session gets instead, when it differs."""

    code: object = 200
    signed_in: object = None
    but: dict = field(default_factory=dict)

    def expect(self, p: Principal, dept: str | None) -> object:
        if p.key in self.but:
            return self.but[p.key]
        if self.signed_in is not None and p.session:
            return self.signed_in
        return self.code


def _has(p: Principal, allowed) -> bool:
    return allowed == ANY or bool(p.roles & allowed)


@dataclass(frozen=True)
class Staff:
    """A staff page. Order of checks as the views make them: the decorator's gate (role_required or
    login_required), then the object's scope (404), then the role that may act (403)."""

    allowed: object  # roles, or ANY
    scoped: bool = False
    gate: object = None  # roles the decorator lets in before the object is looked up (None: `allowed`)
    ok: object = 200
    denied: object = 403
    outsider: object = LOGIN  # no live session
    but: dict = field(default_factory=dict)

    def expect(self, p: Principal, dept: str | None) -> object:
        if p.key in self.but:
            return self.but[p.key]
        if not p.session:
            return self.outsider
        if self.gate is None:
            if not _has(p, self.allowed):
                return self.denied
            return self.ok if not self.scoped or p.sees(dept) else 404
        if not _has(p, self.gate):
            return self.denied
        if self.scoped and not p.sees(dept):
            return 404
        return self.ok if _has(p, self.allowed) else self.denied


@dataclass(frozen=True)
class Api:
    """An /api/v1/ endpoint with `auth=token_or_session`."""

    allowed: object = ANY  # staff roles that may (sessions)
    tokens: bool = True  # department-system tokens may
    scoped: bool = True
    ok: object = 200
    denied: object = 403
    but: dict = field(default_factory=dict)

    def expect(self, p: Principal, dept: str | None) -> object:
        if p.key in self.but:
            return self.but[p.key]
        if p.kind in ("anon", "inactive", "badtoken"):
            return 401
        if p.kind == "token":
            if not self.tokens:
                return self.denied
            return self.ok if not self.scoped or dept is None or p.dept == dept else 404
        if not _has(p, self.allowed):
            return self.denied
        return self.ok if not self.scoped or p.sees(dept) else 404


@dataclass(frozen=True)
class AdminSite:
    """The Django admin: accounts with is_staff (given to the admin role only) get `code`; every other
    request is sent to the admin's own log-in page."""

    code: object = 200
    outsider: object = ADMIN_LOGIN
    but: dict = field(default_factory=dict)

    def expect(self, p: Principal, dept: str | None) -> object:
        if p.key in self.but:
            return self.but[p.key]
        return self.code if p.session and R.ADMIN in p.roles else self.outsider


# ============================================================================================ targets
# Each URL with parameters is tried on objects of both bureaus: variant → (kwargs from the world, the
# department the object belongs to — None for something not scoped).
Target = tuple[Callable[[dict], dict], str | None]


def _t(fn, dept):
    return (fn, dept)


NONE: dict[str, Target] = {"-": (lambda o: {}, None)}
DEPT = {"a": _t(lambda o: {"code": "TA"}, "a"), "b": _t(lambda o: {"code": "TB"}, "b")}
USER = {"a": _t(lambda o: {"username": "handler_a"}, "a"), "b": _t(lambda o: {"username": "handler_b"}, "b")}
TOKEN = {k: _t(lambda o, k=k: {"pk": o["token_pk"][k]}, k) for k in ("a", "b")}
YEAR = {"-": _t(lambda o: {"year": 2026}, None)}
ITEM = {"a": _t(lambda o: {"code": "SP001"}, "a"), "b": _t(lambda o: {"code": "ZR001"}, "b")}
ITEM_OFF = {"off": _t(lambda o: {"code": "SP002"}, "a")}
CASE = {k: _t(lambda o, k=k: {"case_no": f"C-{k.upper()}"}, k) for k in ("a", "b")}
RCASE = {k: _t(lambda o, k=k: {"case_no": f"R-{k.upper()}"}, k) for k in ("a", "b")}
DOC = {k: _t(lambda o, k=k: {"case_no": o["documents"][k][0], "pk": o["documents"][k][1]}, k) for k in ("a", "b")}
COMPLAINT = {k: _t(lambda o, k=k: {"number": o["complaints"][k]}, k) for k in ("a", "b")}
CARD = {k: _t(lambda o, k=k: {"pk": o["cards"][k]}, k) for k in ("a", "b")}
ORDER = {k: _t(lambda o, k=k: {"pk": o["orders"][k]}, k) for k in ("a", "b")}
PROPOSAL = {k: _t(lambda o, k=k: {"pk": o["proposals"][k]}, k) for k in ("a", "b")}
RECT = {k: _t(lambda o, k=k: {"number": o["rectifications"][k]}, k) for k in ("a", "b")}  # issue 12
# ratings-core (issue 12)
RATING = {k: _t(lambda o, k=k: {"pk": o["ratings_core"][k]}, k) for k in ("a", "b")}
RATING_READERS = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD, R.HANDLER})


def _with(targets: dict, label: str, **extra) -> dict:
    """Variants of `targets` with extra URL kwargs (an action name), labelled variant/label."""
    return {f"{v}/{label}": (lambda o, fn=fn: {**fn(o), **extra}, dept) for v, (fn, dept) in targets.items()}


# ---- inspections (issue 12): targets and role sets
INSP_READERS = ALL | {R.INVITED}
INSP_RECORDERS = roles(R.SUPERVISOR, R.INVITED)
INSP_PLANNERS = roles(R.SUPERVISOR, R.LEADER, R.ADMIN, R.INVITED)
INSP_ACTORS = roles(R.SUPERVISOR, R.HANDLER, R.HEAD)
INSP_TABLES = ("inspections.Visit", "inspections.VisitResult", "inspections.Finding", "inspections.VisitPhoto")
INSP_VISIT_AB = {k: _t(lambda o, k=k: {"pk": o["insp"]["visits"][k]}, k) for k in ("a", "b")}
INSP_VISIT = {**INSP_VISIT_AB, "covert": _t(lambda o: {"pk": o["insp"]["covert"]}, "a"),
              "draft": _t(lambda o: {"pk": o["insp"]["draft"]}, "a")}
INSP_DRAFT = {"draft": _t(lambda o: {"pk": o["insp"]["draft"]}, "a")}
INSP_PHOTO = {k: _t(lambda o, k=k: {"pk": o["insp"]["photos"][k]}, k) for k in ("a", "b")}
INSP_FINDING_AB = {k: _t(lambda o, k=k: {"pk": o["insp"]["findings"][k]}, k) for k in ("a", "b")}
INSP_FINDING = {**INSP_FINDING_AB, "covert": _t(lambda o: {"pk": o["insp"]["covert_finding"]}, "a")}
_A_404 = {"window_a": 404, "handler_a": 404, "head_a": 404}  # the covert visit is not there for bureau A yet
_DRAFT_ONLY = {"invited": 200, "supervisor": 404, "leader": 404, "admin": 404, **_A_404}


# ============================================================================================ rows
@dataclass(frozen=True)
class Row:
    """One URL pattern: who may read (GET) and who may write (`methods`), on which objects (`targets`),
    with what payload; `tables` are the models whose full rows a refused write must leave unchanged."""

    read: object = None  # a rule, or {variant: rule}
    write: object = None
    methods: tuple = ("POST",)
    targets: dict = field(default_factory=lambda: NONE)
    query: dict | None = None  # GET parameters
    data: Callable[[dict], dict] | None = None  # form payload, or JSON when `json` is set
    json: bool = False
    tables: tuple = ()
    api: bool = False  # ninja: CSRF is checked by its session authentication, not the middleware
    nocsrf: object = 403  # what a session's unsafe request without the CSRF token gets
    shadowed_by: str | None = None  # another pattern answers this URL first (tested through that one)

    def rule(self, which: str, variant: str):
        rule = self.read if which == "read" else self.write
        return rule.get(variant) if isinstance(rule, dict) else rule


def admin_model(app: str, model: str, obj: Callable[[dict], object], *, add: bool = True) -> dict[str, Row]:
    """The six patterns the admin site registers for a model. The admin role is is_staff but holds no model
    permissions (accounts.services never grants any): every model page answers it 403 — the Django admin is
    for a superuser made with createsuperuser; everyone else is sent to the admin log-in page."""
    p = f"admin:{app}_{model}"
    one = {"-": (lambda o: {"object_id": str(obj(o))}, None)}
    rows = {
        f"{p}_changelist": Row(read=AdminSite(403), write=AdminSite(403), tables=(f"{app}.{model}",)),
        f"{p}_add": Row(read=AdminSite(403), write=AdminSite(403), tables=(f"{app}.{model}",)),
        f"{p}_history": Row(read=AdminSite(403), targets=one),
        f"{p}_delete": Row(read=AdminSite(403), write=AdminSite(403), targets=one, tables=(f"{app}.{model}",)),
        f"{p}_change": Row(read=AdminSite(403), write=AdminSite(403), targets=one, tables=(f"{app}.{model}",)),
        # /admin/<app>/<model>/<id>/ redirects to …/change/ for staff (then 403 there).
        f"admin:admin/{app}/{model}/<path:object_id>/": Row(read=AdminSite(302), targets=one),
    }
    return rows


def _event(o: dict) -> list:
    return [{"event_id": "matrix-1", "case_no": "C-A", "service_code": "SP001", "type": "step_completed",
             "step": "审核", "occurred_at": "2026-09-29T10:00:00+08:00"}]


def _complaint(o: dict) -> dict:
    return {"category": "TS-CSBL", "department": "TA", "occurred_on": "2026-11-20", "litigation": "none",
            "facts": "窗口工作人员要求提供清单以外的材料，多次跑腿仍未受理。", "request": "请督促一次性告知。",
            "identity_mode": "anonymous"}


def _open311(o: dict) -> dict:
    return {"service_code": "TS-CSBL", "description": "窗口工作人员要求提供清单以外的材料，多次跑腿仍未受理。",
            "attribute[department]": "TA", "attribute[occurred_on]": "2026-11-20",
            "attribute[request]": "请督促一次性告知。", "attribute[litigation]": "none",
            "attribute[identity_mode]": "anonymous"}


SURVEY_READERS = roles(R.SUPERVISOR, R.LEADER)


def _survey_rows() -> dict[str, Row]:
    one = {"-": (lambda o: {"pk": o["survey"]["pk"]}, None)}
    api_one = {"-": (lambda o: {"survey_id": o["survey"]["pk"]}, None)}
    public = {"-": (lambda o: {"token": o["survey"]["token"]}, None)}
    question = {"-": (lambda o: {"pk": o["survey"]["pk"], "qid": o["survey"]["qid"]}, None)}
    office_post = {"read": Staff(SUPERVISOR, ok=405), "write": Staff(SUPERVISOR, ok=OK), "targets": one}
    design = ("surveys.Survey", "surveys.SurveyVersion", "surveys.Section", "surveys.Question", "surveys.Option")
    return {
        "surveys:public": Row(read=Public(), write=Public(OK), targets=public, tables=("surveys.Response",),
                              data=lambda o: {"group": "public"}),
        "surveys:thanks": Row(read=Public(), targets=public),
        "surveys:verify": Row(read=Public(405), write=Public(OK), targets=public,
                              tables=("surveys.PhoneVerification",), data=lambda o: {"phone": "13912345678"}),
        "surveys:qr_png": Row(read=Public(), targets=public),
        "surveys:qr_svg": Row(read=Public(), targets=public),
        "surveys:list": Row(read=Staff(SURVEY_READERS), write=Staff(SUPERVISOR, gate=SURVEY_READERS, ok=OK),
                            tables=("surveys.Survey",),
                            data=lambda o: {"title": "新问卷", "opens_on": "2027-01-04", "closes_on": "2027-01-31"}),
        "surveys:my_scores": Row(read=Staff(HEAD)),
        "surveys:designer": Row(read=Staff(SURVEY_READERS), targets=one),
        "surveys:preview": Row(read=Staff(SURVEY_READERS), targets=one),
        "surveys:settings": Row(**office_post, tables=("surveys.Survey",),
                                data=lambda o: {"title": "改名", "opens_on": "2026-01-01", "closes_on": "2026-01-31"}),
        "surveys:section_add": Row(**office_post, tables=design, data=lambda o: {"title": "新部分"}),
        "surveys:question_add": Row(**office_post, tables=design,
                                    data=lambda o: {"section": "1", "kind": "scale", "text": "新题"}),
        "surveys:question_delete": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK),
                                       targets=question, tables=design),
        "surveys:question_edit": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK), targets=question,
                                     tables=design, data=lambda o: {"text": "改过的题目", "required": "1"}),
        "surveys:section_edit": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK), tables=design,
                                    targets={"-": (lambda o: {"pk": o["survey"]["pk"], "sid": o["survey"]["sid"]}, None)},
                                    data=lambda o: {"title": "改名"}),
        "surveys:publish": Row(**office_post, tables=design),
        "surveys:revise": Row(**office_post, tables=design),
        "surveys:groups": Row(read=Staff(SURVEY_READERS), write=Staff(SUPERVISOR, gate=SURVEY_READERS, ok=OK),
                              targets=one, tables=("surveys.RespondentGroup",),
                              data=lambda o: {"code": ["public"], "name": ["社会公众"], "weight": ["1"],
                                              "min_responses": ["1"]}),
        "surveys:codes": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK), targets=one,
                             tables=("surveys.InvitationCode", "surveys.InvitationMessage"),
                             data=lambda o: {"action": "generate", "group": "public", "count": "2"}),
        "surveys:codes_sheet": Row(read=Staff(SUPERVISOR), targets=one, query={"group": "public"}),
        "surveys:codes_export": Row(read=Staff(SUPERVISOR), targets=one, query={"group": "public", "fmt": "csv"}),
        "surveys:results": Row(read=Staff(SURVEY_READERS), targets=one),
        "surveys:results_export": Row(read=Staff(SURVEY_READERS), targets=one, query={"kind": "raw"}),
        # A department token reads its own department's score of a closed survey (both bureaus are rated).
        "api:survey_results": Row(read=Api(SURVEY_READERS, scoped=False), targets=api_one, api=True),
        # Answers need no account (the same intake as the public page); nothing else differs by principal. It
        # reads no session (no ambient authority to forge), so a request without the CSRF token is taken too.
        "api:response_create": Row(read=Public(405), write=Public(OK), json=True, api=True, targets=api_one, nocsrf=OK,
                                   tables=("surveys.Response",),
                                   data=lambda o: {"group": "public", "answers": o["survey"]["answers"]}),
    }


# ---- evaluation (issue 13): targets and role sets
EVAL_READERS = roles(R.SUPERVISOR, R.LEADER, R.HEAD)
EVAL_SCORE = {k: _t(lambda o, k=k: {"pk": o["eval_scores"][k]}, k) for k in ("a", "b")}
EVAL_LINE = {k: _t(lambda o, k=k: {"pk": o["eval_lines"][k]}, k) for k in ("a", "b")}
EVAL_OFFICE = roles(R.SUPERVISOR, R.LEADER)  # evaluation pages (issue 13)
EVAL_EV = {"-": _t(lambda o: {"pk": o["eval_pages"]["evaluation"]}, None)}
EVAL_TABLES = ("evaluation.Evaluation", "evaluation.Score", "evaluation.ScoreLine")
# ---- portal figures (issue 14): a published bulletin and an unpublished one
PORTAL_BULLETIN = {"pub": _t(lambda o: {"pk": o["portal_figures"]["bulletin"]}, None),
                   "draft": _t(lambda o: {"pk": o["portal_figures"]["draft_bulletin"]}, None)}
# ---- end portal figures
MATRIX: dict[str, Row] = {
    # ------------------------------------------------------------------------------------------ core
    "core:home": Row(read=Staff(ANY)),
    "core:favicon.ico": Row(read=Public(301)),
    "set_language": Row(read=Public(302), write=Public(OK), data=lambda o: {"language": "en", "next": "/"}),
    # ------------------------------------------------------------------------------------------ accounts
    "accounts:login": Row(read=Public(200, signed_in=302), write=Public(OK),
                          data=lambda o: {"username": "nobody", "password": "wrong-password"}),
    "accounts:logout": Row(read=Public(405), write=Public(OK)),
    "accounts:password_change": Row(read=Staff(ANY), write=Staff(ANY, ok=OK), tables=("accounts.Staff",),
                                    data=lambda o: {"old_password": "wrong", "new_password1": "Xn-New-Pass-2026!",
                                                    "new_password2": "Xn-New-Pass-2026!"}),
    "accounts:department_list": Row(read=Staff(ANY)),
    "accounts:department_create": Row(read=Staff(ADMIN), write=Staff(ADMIN, ok=OK), tables=("accounts.Department",),
                                      data=lambda o: {"code": "TN", "name": "测试县新设局", "kind": "bureau",
                                                      "parent": "T00"}),
    "accounts:department_detail": Row(read=Staff(ANY, scoped=True), targets=DEPT),
    "accounts:department_edit": Row(read=Staff(ADMIN), write=Staff(ADMIN, ok=OK), targets=DEPT,
                                    tables=("accounts.Department",),
                                    data=lambda o: {"code": "TA", "name": "改名", "kind": "bureau", "parent": "T00"}),
    # 进驻部门 (which departments a service centre registers cases for): administrators; on a department that is
    # not a centre the page says so and a save is refused beside the field (400: let through, nothing written).
    "accounts:department_hosting": Row(read=Staff(ADMIN), write=Staff(ADMIN, ok=OK), targets=DEPT,
                                       tables=("accounts.HostedDepartment",), data=lambda o: {"departments": ["TB"]}),
    "accounts:staff_list": Row(read=Staff(roles(R.HEAD, R.SUPERVISOR, R.LEADER, R.ADMIN))),
    "accounts:staff_create": Row(read=Staff(ADMIN), write=Staff(ADMIN, ok=OK), tables=("accounts.Staff",),
                                 data=lambda o: {"username": "newcomer", "name": "新人", "department": "TA",
                                                 "roles": ["admin"], "password": "Xn-New-Pass-2026!"}),
    "accounts:staff_edit": Row(read=Staff(ADMIN), write=Staff(ADMIN, ok=OK), targets=USER,
                               tables=("accounts.Staff", "accounts.Staff_groups"),
                               data=lambda o: {"name": "改名", "department": "TA", "roles": ["admin"], "is_active": "on"}),
    "accounts:staff_unlock": Row(read=Staff(ADMIN, ok=405), write=Staff(ADMIN, ok=OK), targets=USER,
                                 tables=("accounts.Staff",)),
    "accounts:token_list": Row(read=Staff(ADMIN), write=Staff(ADMIN, ok=OK), tables=("accounts.ApiClient",),
                               data=lambda o: {"name": "新系统", "department": "TA"}),
    "accounts:token_revoke": Row(read=Staff(ADMIN, ok=405), write=Staff(ADMIN, ok=OK), targets=TOKEN,
                                 tables=("accounts.ApiClient",)),
    "accounts:audit_list": Row(read=Staff(ADMIN)),  # the security audit trail: read-only, administrators
    # ------------------------------------------------------------------------------------------ workdays
    "workdays:calendar": Row(read=Staff(CAL_READERS)),
    "workdays:calendar_year_create": Row(read=Staff(ADMIN, ok=405), write=Staff(ADMIN, ok=OK),
                                         tables=("workdays.CalendarYear",),
                                         data=lambda o: {"year": 2031, "status": "provisional"}),
    "workdays:calendar_import": Row(read=Staff(ADMIN), write=Staff(ADMIN, ok=OK),
                                    tables=("workdays.CalendarYear", "workdays.CalendarDay")),
    # Supervisors read the office hours; only administrators change them (403 from the view itself).
    "workdays:office_hours": Row(read=Staff(CAL_READERS), write=Staff(ADMIN, ok=OK), tables=("workdays.OfficeHours",)),
    "workdays:calendar_year": Row(read=Staff(CAL_READERS), targets=YEAR),
    "workdays:calendar_year_status": Row(read=Staff(ADMIN, ok=405), write=Staff(ADMIN, ok=OK), targets=YEAR,
                                         tables=("workdays.CalendarYear",), data=lambda o: {"status": "provisional"}),
    "workdays:calendar_year_delete": Row(read=Staff(ADMIN, ok=405), write=Staff(ADMIN, ok=OK), targets=YEAR,
                                         tables=("workdays.CalendarYear", "workdays.CalendarDay")),
    "workdays:calendar_day_save": Row(read=Staff(ADMIN, ok=405), write=Staff(ADMIN, ok=OK), targets=YEAR,
                                      tables=("workdays.CalendarDay",),
                                      data=lambda o: {"date": "2026-11-02", "kind": "holiday", "name": "测试"}),
    "workdays:calendar_day_delete": Row(
        read=Staff(ADMIN, ok=405), write=Staff(ADMIN, ok=OK), tables=("workdays.CalendarDay",),
        targets={"-": (lambda o: {"year": 2026, "date": "2026-10-01"}, None)}),
    "workdays:public_calculator": Row(read=Public(), query={"mode": "add", "start": "2026-11-02", "days": "5"}),
    # ------------------------------------------------------------------------------------------ catalog
    "catalog:guide_list": Row(read=Public()),
    # The current version's blank form of an active item is public; a deactivated item's files only for
    # staff who may see the item (everyone else: 404, never a log-in prompt that would confirm it exists).
    "catalog:material_file": Row(
        read={"a": Public(), "b": Public(), "off": Staff(ANY, scoped=True, outsider=404)},
        targets={k: (lambda o, k=k: {"pk": o["material"][k], "kind": "blank_form"}, "a" if k == "off" else None)
                 for k in ("a", "b", "off")}),
    "catalog:guide_detail": Row(read={"a": Public(), "b": Public(), "off": Public(404)}, targets={**ITEM, **ITEM_OFF}),
    "catalog:item_list": Row(read=Staff(ANY)),
    "catalog:item_create": Row(read=Staff(roles(R.HEAD, R.ADMIN)), write=Staff(roles(R.HEAD, R.ADMIN), ok=OK),
                               tables=("catalog.ServiceItem", "catalog.ServiceItemVersion")),
    "catalog:import": Row(read=Staff(ADMIN), write=Staff(ADMIN, ok=OK), tables=("catalog.ServiceItem",)),
    "catalog:export": Row(read=Staff(ADMIN)),
    "catalog:item_detail": Row(read=Staff(ANY, scoped=True), targets={**ITEM, **ITEM_OFF}),
    # Staff see the items of their scope; heads edit their own bureau's, administrators all.
    "catalog:item_edit": Row(read=Staff(roles(R.HEAD, R.ADMIN), scoped=True, gate=ANY),
                             write=Staff(roles(R.HEAD, R.ADMIN), scoped=True, gate=ANY, ok=OK), targets=ITEM,
                             tables=("catalog.ServiceItem", "catalog.ServiceItemVersion")),
    "catalog:version_detail": Row(read=Staff(ANY, scoped=True),
                                  targets={k: (lambda o, fn=fn: {**fn(o), "number": 1}, d) for k, (fn, d) in ITEM.items()}),
    "catalog:item_deactivate": Row(read=Staff(ANY, ok=405),
                                   write=Staff(roles(R.HEAD, R.ADMIN), scoped=True, gate=ANY, ok=OK), targets=ITEM,
                                   tables=("catalog.ServiceItem",)),
    "catalog:item_activate": Row(read=Staff(ANY, ok=405),
                                 write=Staff(roles(R.HEAD, R.ADMIN), scoped=True, gate=ANY, ok=OK),
                                 targets={**ITEM_OFF, "b": ITEM["b"]}, tables=("catalog.ServiceItem",)),
    # ------------------------------------------------------------------------------------------ cases
    "cases:case_list": Row(read=Staff(ALL)),
    "cases:case_register": Row(read=Staff(WINDOW_ROLES), write=Staff(WINDOW_ROLES, ok=OK), tables=("cases.Case",),
                               data=lambda o: {"item": "SP001", "applicant_name": "李四"}),
    "cases:case_detail": Row(read=Staff(ALL, scoped=True), targets=CASE),
    "cases:case_accept": Row(read=Staff(WINDOW_ROLES, ok=405), write=Staff(WINDOW_ROLES, scoped=True, ok=OK),
                             targets=RCASE, tables=("cases.Case", "cases.CaseEvent")),
    "cases:case_supplement": Row(read=Staff(WINDOW_ROLES, scoped=True), write=Staff(WINDOW_ROLES, scoped=True, ok=OK),
                                 targets=RCASE, tables=("cases.Case", "cases.CaseDocument"),
                                 data=lambda o: {"materials": ["食品经营许可申请书"], "note": "请补正"}),
    "cases:case_refuse": Row(read=Staff(WINDOW_ROLES, scoped=True), write=Staff(WINDOW_ROLES, scoped=True, ok=OK),
                             targets=RCASE, tables=("cases.Case", "cases.CaseDocument"),
                             data=lambda o: {"reason": "不属于本机关职权范围。"}),
    "cases:case_extend": Row(read=Staff(HEAD, scoped=True), write=Staff(HEAD, scoped=True, ok=OK), targets=CASE,
                             tables=("cases.Case", "cases.CaseDocument"),
                             data=lambda o: {"granted_days": "5", "reason": "需要现场核查。"}),
    # Denials are the head's decision (§38, approved by the head of the organ); §45 special procedures are
    # started and ended by the case's handlers and heads.
    "cases:case_deny": Row(read=Staff(HEAD, scoped=True), write=Staff(HEAD, scoped=True, ok=OK), targets=CASE,
                           tables=("cases.Case", "cases.CaseEvent", "cases.CaseDocument"),
                           data=lambda o: {"reason": "现场核查不符合法定条件。"}),
    "cases:case_special": Row(read=Staff(DEPT_ROLES, scoped=True), write=Staff(DEPT_ROLES, scoped=True, ok=OK),
                              targets=CASE, tables=("cases.Case", "cases.CaseEvent", "cases.CaseDocument"),
                              data=lambda o: {"procedure": "testing", "expected_days": "5", "reason": "需检测样品。"}),
    "cases:case_special_end": Row(read=Staff(DEPT_ROLES, ok=405), write=Staff(DEPT_ROLES, scoped=True, ok=OK),
                                  targets=CASE, tables=("cases.Case", "cases.CaseEvent")),
    "cases:case_handler": Row(read=Staff(HEAD, ok=405), write=Staff(HEAD, scoped=True, ok=OK), targets=CASE,
                              tables=("cases.Case", "cases.HandlerAssignment"),
                              data=lambda o: {"handler": "", "reason": "变更理由"}),
    "cases:document": Row(read=Staff(ALL, scoped=True), targets=DOC),
    # ------------------------------------------------------------------------------------------ complaints
    "complaints:public_home": Row(read=Public()),
    "complaints:new": Row(read=Public(), write=Public(OK), tables=("complaints.Complaint",)),
    "complaints:submitted": Row(read=Public(302)),  # no complaint in this session: sent to the lookup form
    "complaints:track_lookup": Row(read=Public()),
    # The tracking code is the complainant's key: whoever holds it reads, withdraws and rates.
    "complaints:track": Row(read=Public(), write={"open": Public(405), "replied": Public(OK)},
                            targets={k: (lambda o, k=k: {"code": o["tracking"]["a" if k == "open" else k]}, None)
                                     for k in ("open", "replied")},
                            tables=("complaints.Complaint",), data=lambda o: {"rating": "satisfied"}),
    "complaints:track_withdraw": Row(read=Public(405), write=Public(OK), tables=("complaints.Complaint",),
                                     targets={"open": (lambda o: {"code": o["tracking"]["a"]}, None)},
                                     data=lambda o: {"reason": "问题已解决。"}),
    "complaints:follow_up": Row(read=Public(), write=Public(OK), tables=("complaints.Complaint",),
                                targets={"-": (lambda o: {"token": o["follow_up"]}, None)},
                                data=lambda o: {"rating": "satisfied"}),
    "complaints:media": Row(read=Public(), targets={"-": (lambda o: {"token": o["media"]}, None)}),
    "complaints:mailbox": Row(read=Public()),
    "complaints:mailbox_detail": Row(read={"replied": Public(), "a": Public(404)},
                                     targets={"replied": (lambda o: {"number": o["replied"]}, None),
                                              "a": (lambda o: {"number": o["complaints"]["a"]}, None)}),
    "complaints:inbox": Row(read=Staff(COMPLAINT_LIST)),
    "complaints:board": Row(read=Staff(SUPERVISOR)),
    "complaints:overdue": Row(read=Staff(roles(R.SUPERVISOR, R.LEADER))),
    "complaints:staff_new": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK), tables=("complaints.Complaint",)),
    "complaints:figures": Row(read=Staff(roles(R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD))),
    # The same numbers as the page, as a file: the same readers and the same scope (a head: their department).
    "complaints:figures_export": Row(read=Staff(roles(R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD))),
    "complaints:blocklist": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK), tables=("complaints.BlockEntry",),
                                data=lambda o: {"kind": "ip", "value": "198.51.100.9", "reason": "恶意重复提交"}),
    "complaints:access_log": Row(read=Staff(SUPERVISOR)),
    # A bureau sees the complaints dispatched to it; the office, leaders and administrators all.
    "complaints:detail": Row(read=Staff(COMPLAINT_LIST, scoped=True), targets=COMPLAINT),
    "complaints:identity": Row(read=Staff(SUPERVISOR, scoped=True), targets=COMPLAINT),
    # 查看原文: another supervisor reveals the text as written, with a reason that is logged (POST only).
    "complaints:original": Row(read=Staff(SUPERVISOR, scoped=True, ok=405), write=Staff(SUPERVISOR, scoped=True, ok=OK),
                               targets=COMPLAINT, tables=("complaints.IdentityAccess",),
                               data=lambda o: {"reason": "核实举报内容是否属实"}),
    # Departments download only files the office shared; leaders and administrators read no files at all.
    "complaints:attachment": Row(
        read=Staff(COMPLAINT_LIST, scoped=True, but={"leader": 404, "admin": 404}),
        targets={k: (lambda o, k=k: {"number": o["complaints"][k], "pk": o["attachments"][k]}, k) for k in ("a", "b")}),
    "complaints:notice": Row(read=Staff(SUPERVISOR, scoped=True),
                             targets={k: (lambda o, k=k: {"number": o["complaints"][k], "pk": o["notices"][k]}, k)
                                      for k in ("a", "b")}),
    # Every action posts here; the service decides who may (the office; a bureau on what was dispatched to it).
    "complaints:action": Row(
        read=Staff(roles(R.SUPERVISOR, R.HANDLER, R.HEAD), ok=405),
        write={**{f"{k}/note": Staff(roles(R.SUPERVISOR, R.HANDLER, R.HEAD), scoped=True, ok=OK) for k in ("a", "b")},
               "a/pause": Staff(SUPERVISOR, scoped=True, gate=roles(R.SUPERVISOR, R.HANDLER, R.HEAD), ok=OK)},
        targets={**_with(COMPLAINT, "note", name="note"), **_with({"a": COMPLAINT["a"]}, "pause", name="pause")},
        tables=("complaints.Complaint", "complaints.Note", "complaints.TimelineEntry"),
        data=lambda o: {"text": "已电话联系窗口负责人核实。", "reason": "等待鉴定结论。"}),
    # The office's own pages about contacting the complainant: bureaus get 404 (nothing to learn), leaders
    # and administrators 403.
    "complaints:messages": Row(read=Staff(SUPERVISOR, scoped=True, denied=404, but={"leader": 403, "admin": 403}),
                               targets=COMPLAINT),
    "complaints:message_retry": Row(
        read=Staff(SUPERVISOR, denied=404, ok=405, but={"leader": 403, "admin": 403}),
        write=Staff(SUPERVISOR, scoped=True, denied=404, ok=OK, but={"leader": 403, "admin": 403}),
        targets={k: (lambda o, k=k: {"number": o["complaints"][k], "pk": o["messages"][k]}, k) for k in ("a", "b")},
        tables=("complaints.ComplainantMessage",)),
    # ------------------------------------------------------------------------------------------ supervision
    "supervision:monitor": Row(read=Staff(MONITOR)),
    "supervision:monitor_panel": Row(read=Staff(MONITOR)),
    "supervision:monitor_charts": Row(read=Staff(MONITOR)),
    "supervision:desk": Row(read=Staff(ALL)),
    "supervision:notifications_read": Row(read=Staff(ALL, ok=405), write=Staff(ALL, ok=OK),
                                          tables=("supervision.Notification",)),
    "supervision:warning_list": Row(read=Staff(ALL)),
    "supervision:warning_detail": Row(read=Staff(ALL, scoped=True), targets=CARD),
    "supervision:appeal_attachment": Row(
        read=Staff(ALL, scoped=True),
        targets={k: (lambda o, k=k: {"pk": o["cards"][k], "action_id": o["appeals"][k]}, k) for k in ("a", "b")}),
    # The bureau answers its cards; the office withdraws them (the services check; scope first: 404).
    "supervision:warning_action": Row(
        read=Staff(ALL, ok=405),
        write={**{f"{k}/explain": Staff(DEPT_ROLES, scoped=True, gate=ALL, ok=OK) for k in ("a", "b")},
               "a/withdraw": Staff(SUPERVISOR, scoped=True, gate=ALL, ok=OK)},
        targets={**{f"{k}/explain": (lambda o, k=k: {"pk": o["open_cards"][k], "action": "explain"}, k)
                    for k in ("a", "b")},
                 "a/withdraw": (lambda o: {"pk": o["open_cards"]["a"], "action": "withdraw"}, "a")},
        tables=("supervision.Warning", "supervision.WarningAction"),
        data=lambda o: {"explain-text": "已督促承办人当日办结。", "withdraw-text": "误发。"}),
    "supervision:order_list": Row(read=Staff(ALL)),
    "supervision:order_detail": Row(read=Staff(ALL, scoped=True), targets=ORDER),
    "supervision:order_action": Row(
        read=Staff(ALL, ok=405),
        write={**{f"{k}/answer": Staff(DEPT_ROLES, scoped=True, gate=ALL, ok=OK) for k in ("a", "b")},
               "a/close": Staff(SUPERVISOR, scoped=True, gate=ALL, ok=OK)},
        targets={**{f"{k}/answer": (lambda o, k=k: {"pk": o["orders"][k], "action": "answer"}, k) for k in ("a", "b")},
                 "a/close": (lambda o: {"pk": o["orders"]["a"], "action": "close"}, "a")},
        tables=("supervision.SupervisionOrder",),
        data=lambda o: {"answer-answer": "已办结。", "close-note": "督办完成。"}),
    # Rectification proposals: the office confirms or discards drafts; leaders read; a department reads those
    # sent to it (the service refuses the others' writes: 403 in scope, 404 outside).
    "supervision:proposal_list": Row(read=Staff(ALL)),
    "supervision:proposal_detail": Row(read=Staff(ALL, scoped=True), targets=PROPOSAL),
    "supervision:proposal_print": Row(read=Staff(ALL, scoped=True), targets=PROPOSAL),
    "supervision:proposal_action": Row(
        read=Staff(ALL, ok=405),
        write={**{f"{k}/issue": Staff(SUPERVISOR, scoped=True, gate=ALL, ok=OK) for k in ("a", "b")},
               "a/discard": Staff(SUPERVISOR, scoped=True, gate=ALL, ok=OK)},
        targets={**{f"{k}/issue": (lambda o, k=k: {"pk": o["proposals"][k], "action": "issue"}, k) for k in ("a", "b")},
                 "a/discard": (lambda o: {"pk": o["proposals"]["a"], "action": "discard"}, "a")},
        tables=("supervision.SupervisionProposal", "supervision.WarningAction"),
        data=lambda o: {"issue-problem": "超期。", "issue-suggestion": "立即办结。", "issue-due_wd": "5",
                        "discard-reason": "另案处理。"}),
    "supervision:rule_list": Row(read=Staff(MONITOR)),
    # Leaders read the rules; supervisors and administrators change them.
    "supervision:rule_edit": Row(read=Staff(MONITOR), write=Staff(roles(R.SUPERVISOR, R.ADMIN), ok=OK),
                                 targets={"-": (lambda o: {"code": o["rule"]}, None)},
                                 tables=("supervision.Rule", "supervision.RuleChange")),
    # ------------------------------------------------------------------------------------------ /api/v1/
    # The index (config/api.py) answers /api/v1/ before ninja's own root pattern, which only 404ed.
    "api:index": Row(read=Public(), api=True),
    "api:api-root": Row(shadowed_by="api:index"),
    "api:openapi-json": Row(read=Public(), api=True),
    "api:openapi-view": Row(read=Public(), api=True),
    "api:me": Row(read=Api(ANY, scoped=False), api=True),
    "api:departments": Row(read=Api(ANY, scoped=False), api=True),
    "api:add": Row(read=Public(), query={"start": "2026-11-02", "days": "5"}, api=True),
    "api:between": Row(read=Public(), query={"start": "2026-11-02", "end": "2026-11-30"}, api=True),
    "api:is_working_day": Row(read=Public(), query={"date": "2026-10-01"}, api=True),
    "api:deadline": Row(read=Public(), query={"start": "2026-11-02T09:00:00+08:00", "value": "5"}, api=True),
    "api:years": Row(read=Public(), api=True),
    "api:item_list": Row(read=Public(), api=True),
    "api:item_detail": Row(read={"a": Public(), "b": Public(), "off": Public(404)}, targets={**ITEM, **ITEM_OFF},
                           api=True),
    # Events of bureau A's case: A's systems and A's window staff may; the service refuses the others.
    "api:case_events_post": Row(read=Public(405), json=True,
                                write=Api(WINDOW_ROLES, scoped=True, ok=OK,
                                          but={"token_b": EVENT_REFUSED, "handler_b": EVENT_REFUSED}),
                                data=_event, tables=("cases.Case", "cases.CaseEvent"), api=True,
                                targets={"a": (lambda o: {}, "a")}),
    # A role-less account's scope is empty (accounts.selectors): an empty list, and 404 for any one record.
    "api:case_list": Row(read=Api(ALL, scoped=False, but={"norole_a": 200, "invited": 200}), api=True),  # empty scope
    "api:case_detail": Row(read=Api(ALL, denied=404), targets=CASE, api=True),
    "api:warning_list": Row(read=Api(ALL, scoped=False, but={"norole_a": 200, "invited": 200}), api=True),  # empty
    "api:warning_detail": Row(read=Api(ALL, denied=404), targets={k: (lambda o, k=k: {"warning_id": o["cards"][k]}, k)
                                                      for k in ("a", "b")}, api=True),
    # Systems submit complaints (hotline, 12345); among staff only the office registers them.
    # Its GET is api:complaint_list (the same path).
    "api:complaint_create": Row(write=Api(SUPERVISOR, scoped=False, ok=OK), json=True,
                                data=_complaint, tables=("complaints.Complaint",), api=True,
                                shadowed_by=None),
    "api:complaint_list": Row(read=Api(COMPLAINT_LIST, scoped=False), api=True),
    "api:complaint_figures": Row(read=Api(roles(R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD), scoped=False), api=True),
    # Window staff and role-less accounts have no complaint scope: 404, as for an unknown number.
    "api:complaint_detail": Row(read=Api(COMPLAINT_LIST, denied=404), targets=COMPLAINT, api=True),
    # ------------------------------------------------------------------------------------------ Open311
    "open311:index": Row(read=Public(), api=True),
    "open311:api-root": Row(shadowed_by="open311:index"),
    "open311:discovery": Row(read=Public(), api=True),
    "open311:openapi-json": Row(read=Public(), api=True),
    "open311:openapi-view": Row(read=Public(), api=True),
    "open311:services_list": Row(read=Public(), api=True),
    "open311:service_definition": Row(
        read=Public(), api=True,
        targets={"item": (lambda o: {"code": "SP001"}, None), "category": (lambda o: {"code": "TS-CSBL"}, None)}),
    "open311:services": Row(shadowed_by="open311:services_list"),
    # A service request needs a department system's token (api_key or bearer); Open311 takes no session.
    "open311:request_create": Row(read=Public(), write=Api(frozenset(), scoped=False, ok=OK, denied=401), api=True,
                                  data=_open311, tables=("complaints.Complaint",), nocsrf=401),
    "open311:request_list": Row(read=Public(), api=True, shadowed_by=None),
    "open311:request_get": Row(read=Public(), api=True,
                               targets={"a": (lambda o: {"service_request_id": o["complaints"]["a"]}, None)}),
    # ---- ratings: rectifications of bad ratings (issue 12)
    # Departments (handlers, heads) read their own bureau's, the office, leaders and administrators all; a window
    # clerk none. The department works on them (save, submit, appeal), only the office reviews; leaders and
    # administrators read only. Appeal evidence: the office and the department, never leaders or administrators.
    "ratings:rectify_list": Row(read=Staff(COMPLAINT_LIST)),
    "ratings:rectify_review": Row(read=Staff(SUPERVISOR)),
    "ratings:rectify_detail": Row(read=Staff(COMPLAINT_LIST, scoped=True), targets=RECT),
    "ratings:rectify_evidence": Row(
        read=Staff(roles(R.SUPERVISOR, R.HANDLER, R.HEAD), scoped=True),
        targets={k: (lambda o, k=k: {"number": o["appealed_rectifications"][k], "pk": o["rating_appeals"][k]}, k)
                 for k in ("a", "b")}),
    "ratings:rectify_action": Row(
        read=Staff(roles(R.SUPERVISOR, R.HANDLER, R.HEAD), ok=405),
        write={**{f"{k}/save": Staff(DEPT_ROLES, scoped=True, gate=roles(R.SUPERVISOR, R.HANDLER, R.HEAD), ok=OK)
                  for k in ("a", "b")},
               **{f"{k}/review": Staff(SUPERVISOR, scoped=True, gate=roles(R.SUPERVISOR, R.HANDLER, R.HEAD), ok=OK)
                  for k in ("a", "b")}},
        targets={**_with(RECT, "save", name="save"), **_with(RECT, "review", name="review")},
        tables=("ratings.Rectification", "ratings.RectificationAction", "ratings.Appeal", "ratings.Rating"),
        data=lambda o: {"verification": "经调取监控核实属实。", "action": "已批评教育。", "decision": "accept",
                        "note": "整改到位。"}),
    # ------------------------------------------------------------------------------------------ Django admin
    "admin:index": Row(read=AdminSite(200)),
    "admin:login": Row(read=Public(200, but={"admin": 302}), write=Public(OK),
                       data=lambda o: {"username": "nobody", "password": "wrong-password"}),
    # The admin's log-out sends everyone else back to /admin/ (which then asks them to log in).
    "admin:logout": Row(read=AdminSite(405, outsider=302), write=AdminSite(OK, outsider=302)),
    "admin:password_change": Row(read=AdminSite(200), write=AdminSite(OK), tables=("accounts.Staff",),
                                 data=lambda o: {"old_password": "wrong"}),
    "admin:password_change_done": Row(read=AdminSite(200)),
    "admin:autocomplete": Row(read=AdminSite(403)),
    "admin:jsi18n": Row(read=AdminSite(200)),
    "admin:view_on_site": Row(read=AdminSite(404),
                              targets={"-": (lambda o: {"content_type_id": "1", "object_id": "1"}, None)}),
    "admin:app_list": Row(read=AdminSite(404), targets={"-": (lambda o: {"app_label": "accounts"}, None)}),
    "admin:admin/(?P<url>.*)$": Row(read=AdminSite(404), targets={"-": (lambda o: {"url": "nothing/here/"}, None)}),
    "admin:auth_user_password_change": Row(
        read=AdminSite(403), write=AdminSite(403), tables=("accounts.Staff",),
        targets={"-": (lambda o: {"id": str(o["staff_pk"])}, None)}),
    **admin_model("auth", "group", lambda o: o["group_pk"]),
    **admin_model("axes", "accessattempt", lambda o: o["axes"]["accessattempt"]),
    **admin_model("axes", "accesslog", lambda o: o["axes"]["accesslog"]),
    **admin_model("axes", "accessfailurelog", lambda o: o["axes"]["accessfailurelog"]),
    **admin_model("accounts", "department", lambda o: o["depts"]["a"].pk),
    **admin_model("accounts", "staff", lambda o: o["staff_pk"]),
    **admin_model("accounts", "apiclient", lambda o: o["token_pk"]["a"]),
    **admin_model("accounts", "auditevent", lambda o: o["audit_pk"]),
    **admin_model("complaints", "complaintcategory", lambda o: o["category_pk"]),
    # ---- ratings channels (issue 12)
    # The one-time link: whoever holds it rates the case once (no log-in); a used link answers 409 (its write
    # is OK here only because the page counts the request per IP: the 409 itself is pinned in ratings' tests).
    "ratings:public_rate": Row(
        read={"open": Public(), "rated": Public(409)}, write={"open": Public(OK), "rated": Public(OK)},
        targets={"open": (lambda o: {"token": o["rating_links"]["a"]}, None),
                 "rated": (lambda o: {"token": o["rated_links"]["b"]}, None)},
        tables=("ratings.Rating", "ratings.RatingLink"), data=lambda o: {"level": "5"}),
    "ratings:public_qr_svg": Row(read=Public(), targets={"-": (lambda o: {"token": o["rating_links"]["b"]}, None)}),
    "ratings:public_qr_png": Row(read=Public(), targets={"-": (lambda o: {"token": o["rating_links"]["a"]}, None)}),
    # Window contacts (一次一评): the department's clerks (window, handler, head); other bureaus' ids are 404.
    "ratings:window_home": Row(read=Staff(WINDOW_ROLES), write=Staff(WINDOW_ROLES, ok=OK),
                               tables=("ratings.WindowContact",), data=lambda o: {"kind": "consultation"}),
    "ratings:contact_push": Row(
        # The payload names bureau A's tablet: bureau B's clerks get 404 for it on their own contact too.
        read=Staff(WINDOW_ROLES, ok=405),
        write={"a": Staff(WINDOW_ROLES, scoped=True, ok=OK),
               "b": Staff(WINDOW_ROLES, scoped=True, ok=OK, but={"handler_b": 404, "head_b": 404})},
        targets={k: (lambda o, k=k: {"number": o["contacts_rl"][k]}, k) for k in ("a", "b")},
        tables=("ratings.Kiosk",), data=lambda o: {"kiosk": o["kiosks"]["a"]}),
    # A case of another bureau is "not found" beside the form (302 back, nothing pushed: ratings' tests).
    "ratings:case_push": Row(read=Staff(WINDOW_ROLES, ok=405), write=Staff(WINDOW_ROLES, ok=OK), tables=("ratings.Kiosk",),
                             data=lambda o: {"case_no": "RL-A", "kiosk": o["kiosks"]["a"]}),
    # Counter tablets: clerks see them; heads and window clerks add, pair and revoke them.
    "ratings:kiosk_list": Row(read=Staff(WINDOW_ROLES), write=Staff(roles(R.WINDOW, R.HEAD), gate=WINDOW_ROLES, ok=OK),
                              tables=("ratings.Kiosk",), data=lambda o: {"name": "9号窗口"}),
    "ratings:kiosk_pairing": Row(
        read=Staff(roles(R.WINDOW, R.HEAD), scoped=True), write=Staff(roles(R.WINDOW, R.HEAD), scoped=True, ok=OK),
        targets={k: (lambda o, k=k: {"pk": o["kiosks"][k]}, k) for k in ("a", "b")}, tables=("ratings.Kiosk",)),
    "ratings:kiosk_revoke": Row(
        read=Staff(roles(R.WINDOW, R.HEAD), ok=405), write=Staff(roles(R.WINDOW, R.HEAD), scoped=True, ok=OK),
        targets={k: (lambda o, k=k: {"pk": o["kiosks"][k]}, k) for k in ("a", "b")}, tables=("ratings.Kiosk",)),
    # The tablet: its signed device cookie is the credential — nobody here has one (403 page); with one, ratings' tests.
    "ratings:kiosk": Row(read=Public(403), write=Public(403), tables=("ratings.Rating", "ratings.Kiosk"),
                         data=lambda o: {"level": "5", "prompt": "contact:1"}),
    "ratings:kiosk_prompt": Row(read=Public(403)),
    # The one-time pairing URL: whoever opens it on a device pairs that device (the code is the credential).
    "ratings:kiosk_pair": Row(read=Public(), write=Public(OK), tables=("ratings.Kiosk",),
                              targets={"-": (lambda o: {"code": o["kiosk_code"]}, None)}),
    # ---- inspections (issue 12)
    # Visits: the office sees every visit but drafts, leaders and administrators accepted ones, a department its
    # published ones (404 elsewhere: a covert visit is not there for it until published), an invited supervisor
    # only its own (its draft: nobody else); a role-less account nothing (403).
    "inspections:visits": Row(read=Staff(INSP_READERS)),
    "inspections:visit": Row(read={"a": Staff(INSP_READERS, scoped=True), "b": Staff(INSP_READERS, scoped=True),
                                   "covert": Staff(INSP_READERS, scoped=True, but=_A_404),
                                   "draft": Staff(INSP_READERS, scoped=True, but=_DRAFT_ONLY)}, targets=INSP_VISIT),
    "inspections:photo": Row(read=Staff(INSP_READERS, scoped=True), targets=INSP_PHOTO),
    # Only the recorder changes and submits its draft (the office gets 404: a draft is not there for it yet).
    "inspections:visit_edit": Row(read=Staff(roles(R.INVITED), but={"supervisor": 404}),
                                  write=Staff(roles(R.INVITED), ok=OK, but={"supervisor": 404}),
                                  targets=INSP_DRAFT, data=lambda o: {"place": ""}, tables=INSP_TABLES),
    "inspections:visit_submit": Row(read=Staff(INSP_RECORDERS, ok=405),
                                    write=Staff(roles(R.INVITED), ok=OK, but={"supervisor": 404}),
                                    targets=INSP_DRAFT, tables=INSP_TABLES),
    "inspections:visit_review": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK),
                                    targets=INSP_VISIT_AB, data=lambda o: {"decision": "accept"}, tables=INSP_TABLES),
    "inspections:visit_publish": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK),
                                     targets={"covert": (lambda o: {"pk": o["insp"]["covert"]}, "a")},
                                     tables=INSP_TABLES),
    "inspections:plans": Row(read=Staff(INSP_PLANNERS), write=Staff(SUPERVISOR, gate=INSP_PLANNERS, ok=OK),
                             data=lambda o: {"title": ""}, tables=("inspections.Inspection",)),
    "inspections:visit_new": Row(read=Staff(INSP_RECORDERS), write=Staff(INSP_RECORDERS, ok=OK),
                                 targets={"-": (lambda o: {"pk": o["insp"]["plan"]}, None)},
                                 data=lambda o: {"place": ""}, tables=INSP_TABLES),
    "inspections:checklists": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK),
                                  data=lambda o: {"name": ""}, tables=("inspections.Checklist", "inspections.ChecklistItem")),
    "inspections:checklist_edit": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK),
                                      targets={"-": (lambda o: {"pk": o["insp"]["checklist"]}, None)},
                                      data=lambda o: {"name": ""},
                                      tables=("inspections.Checklist", "inspections.ChecklistItem")),
    # Findings: the office, leaders, administrators and the departments (their own, published); never the invited
    # supervisor (its findings are the office's once accepted).
    "inspections:findings": Row(read=Staff(ALL)),
    "inspections:finding": Row(read={"a": Staff(ALL, scoped=True), "b": Staff(ALL, scoped=True),
                                     "covert": Staff(ALL, scoped=True, but=_A_404)}, targets=INSP_FINDING),
    "inspections:finding_action": Row(
        read=Staff(INSP_ACTORS, ok=405),
        write={**{f"{k}/{a}": Staff(SUPERVISOR, scoped=True, gate=INSP_ACTORS, ok=OK)
                  for k in ("a", "b") for a in ("correct", "review", "sanction", "card")},
               **{f"{k}/answer": Staff(DEPT_ROLES, scoped=True, gate=INSP_ACTORS, ok=OK) for k in ("a", "b")}},
        targets={k: v for a in ("correct", "answer", "review", "sanction", "card")
                 for k, v in _with(INSP_FINDING_AB, a, action=a).items()},
        data=lambda o: {"wd": "5", "text": "已整改。", "kind": "admonition", "reason": "脱岗。", "level": "yellow",
                        "decision": "accept"},
        tables=("inspections.Finding", "inspections.SanctionProposal", "supervision.Warning")),
    "inspections:supervisors": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK),
                                   data=lambda o: {"kind": "deputy"}, tables=("inspections.SupervisorProfile",)),
    # The API: the office, leaders, administrators, and department systems (their own published visits).
    "api:visit_list": Row(read=Api(roles(R.SUPERVISOR, R.LEADER, R.ADMIN), scoped=False), api=True),
    # ---- surveys (issue 12)
    # Surveys belong to the supervision office (unscoped): supervisors design and distribute them, leaders read
    # them and their results; a head reads the department's own scores; respondents need no account.
    **_survey_rows(),
    # ---- ratings-core (issue 12): the office's ratings pages and the ratings API
    # Readers: the office, leaders and administrators every bureau; heads and handlers their own (404 for the other's).
    "ratings:office_list": Row(read=Staff(RATING_READERS)),
    "ratings:office_list_export": Row(read=Staff(RATING_READERS)),
    "ratings:office_figures": Row(read=Staff(RATING_READERS)),
    "ratings:office_figures_export": Row(read=Staff(RATING_READERS)),
    "ratings:office_detail": Row(read=Staff(RATING_READERS, scoped=True), targets=RATING),
    # Leaders read the policy; only supervisors change it or the reasons.
    "ratings:office_policy": Row(read=Staff(roles(R.SUPERVISOR, R.LEADER)),
                                 write=Staff(SUPERVISOR, gate=roles(R.SUPERVISOR, R.LEADER), ok=OK),
                                 tables=("ratings.RatingPolicy", "ratings.RatingPolicyChange"),
                                 data=lambda o: {"rectification_limit_wd": "12", "link_valid_days": "30",
                                                 "default_after_days": "7", "sms_invite_after_days": "0",
                                                 "default_level": "none"}),
    "ratings:office_reasons": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK),
                                  tables=("ratings.RatingReason",),
                                  data=lambda o: {"code": "matrix-reason", "name": "矩阵原因", "levels": ["1"]}),
    "ratings:office_reason_edit": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK),
                                      targets={"-": (lambda o: {"pk": o["rating_reason"]}, None)},
                                      tables=("ratings.RatingReason",), data=lambda o: {"enabled": "0"}),
    # A bureau's ended, unrated case: its systems, its heads and handlers and the office may rate it; the
    # other bureau's token and staff meet a 404 as for an unknown case. GET on the path is api:rating_list.
    "api:rating_create": Row(write=Api(roles(R.SUPERVISOR, R.HEAD, R.HANDLER), scoped=True, ok=OK), json=True,
                             data=lambda o: {"case_no": "RU-A", "level": 2}, targets={"a": (lambda o: {}, "a")},
                             tables=("ratings.Rating", "ratings.Rectification"), api=True),
    "api:rating_list": Row(read=Api(RATING_READERS, scoped=False), api=True),
    "api:rating_figures": Row(read=Api(RATING_READERS, scoped=False), api=True),
    "api:rating_detail": Row(read=Api(RATING_READERS, denied=404), api=True,
                             targets={k: (lambda o, k=k: {"rating_id": o["ratings_core"][k]}, k) for k in ("a", "b")}),
    # ---- evaluation scores (issue 13): a published score and its evidence — the office and leaders every
    # department, a head its own (another bureau's answers 404), everyone else 403
    "evaluation:score_detail": Row(read=Staff(EVAL_READERS, scoped=True), targets=EVAL_SCORE),
    "evaluation:line_evidence": Row(read=Staff(EVAL_READERS, scoped=True), targets=EVAL_LINE),
    # ---- evaluation pages (issue 13)
    # The API reads the published revision: the office, leaders and heads (and department tokens) the ranking of
    # every department; a breakdown its own department's only for heads and tokens (another's 404); others 403.
    "api:rankings": Row(read=Api(EVAL_READERS, scoped=False), api=True, query={"period": "2026Q3"}),
    "api:score_detail": Row(read=Api(EVAL_READERS), api=True,
                            targets={k: _t(lambda o, k=k: {"department": f"T{k.upper()}", "period": "2026Q3"}, k)
                                     for k in ("a", "b")}),
    # Office pages: supervisors read and write, leaders read (published evaluations, schemes, groups); a head
    # reads its own department's scores (本单位考核) only; everyone else 403. The world's 2026Q3 is published, so
    # a publish or a re-computation without a correction's reason is refused in the form (nothing written).
    "evaluation:office_list": Row(read=Staff(EVAL_OFFICE), write=Staff(SUPERVISOR, gate=EVAL_OFFICE, ok=OK),
                                  data=lambda o: {"period": "2026Q3"}, tables=EVAL_TABLES),
    "evaluation:evaluation_detail": Row(read=Staff(EVAL_OFFICE), targets=EVAL_EV),
    "evaluation:evaluation_publish": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK),
                                         targets=EVAL_EV, data=lambda o: {"confirm": "1"}, tables=EVAL_TABLES),
    "evaluation:evaluation_export": Row(read=Staff(EVAL_OFFICE), targets=EVAL_EV, query={"fmt": "csv"}),
    "evaluation:schemes": Row(read=Staff(EVAL_OFFICE)),
    "evaluation:scheme_detail": Row(read=Staff(EVAL_OFFICE),
                                    targets={"-": (lambda o: {"pk": o["eval_pages"]["scheme"]}, None)}),
    "evaluation:scheme_new": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK),
                                 data=lambda o: {"op": "save", "period_kind": "quarter", "name": ""},
                                 tables=("evaluation.Scheme", "evaluation.SchemeIndicator")),
    "evaluation:groups": Row(read=Staff(EVAL_OFFICE), write=Staff(SUPERVISOR, gate=EVAL_OFFICE, ok=OK),
                             data=lambda o: {"op": "place", "department": "TA", "group": "windows"},
                             tables=("evaluation.GroupMember", "evaluation.DepartmentGroup")),
    "evaluation:my_scores": Row(read=Staff(HEAD)),
    # ---- evaluation consequences (issue 13): bulletins (office and leaders read, the office generates and
    # publishes), the sanctions register (office and leaders all; heads their bureau's; handlers those against
    # themselves; the office decides; heads and the sanctioned member appeal), staff records (the office, the
    # member and the member's head only). Objects: security/world_evaluation_cons.py.
    **(lambda BR, SR, BUL, SAN, REC: {
        "evaluation:bulletin_list": Row(read=Staff(BR)),
        "evaluation:bulletin_generate": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK),
                                            tables=("evaluation.Bulletin", "evaluation.SanctionSeries"),
                                            data=lambda o: {"evaluation": str(o["cons"]["evaluation"])}),
        "evaluation:bulletin_detail": Row(read=Staff(BR), targets=BUL),
        "evaluation:bulletin_publish": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK), targets=BUL,
                                           tables=("evaluation.Bulletin",)),
        "evaluation:bulletin_pdf": Row(read=Staff(BR), targets=BUL),
        "evaluation:bulletin_xlsx": Row(read=Staff(BR), targets=BUL),
        "evaluation:sanction_list": Row(read=Staff(SR)),
        "evaluation:sanction_new": Row(read=Staff(SUPERVISOR), write=Staff(SUPERVISOR, ok=OK),
                                       tables=("evaluation.Sanction", "evaluation.SanctionEvidence"),
                                       data=lambda o: {"kind": "warning", "department": str(o["depts"]["a"].pk),
                                                       "reason": "矩阵登记的问责事项"}),
        "evaluation:sanction_detail": Row(read=Staff(SR, scoped=True), targets=SAN),
        "evaluation:sanction_confirm": Row(read=Staff(SR, ok=405), targets=SAN, tables=("evaluation.Sanction",),
                                           write=Staff(SUPERVISOR, gate=SR, scoped=True, ok=OK),
                                           data=lambda o: {"points": "", "note": "矩阵"}),
        "evaluation:sanction_dismiss": Row(read=Staff(SR, ok=405), targets=SAN, tables=("evaluation.Sanction",),
                                           write=Staff(SUPERVISOR, gate=SR, scoped=True, ok=OK),
                                           data=lambda o: {"reason": "矩阵"}),
        "evaluation:sanction_appeal": Row(read=Staff(SR, ok=405), targets=SAN, tables=("evaluation.Sanction",),
                                          write=Staff(roles(R.HEAD, R.HANDLER), gate=SR, scoped=True, ok=OK),
                                          data=lambda o: {"text": "矩阵申诉"}),
        "evaluation:sanction_decide": Row(read=Staff(SR, ok=405), targets=SAN, tables=("evaluation.Sanction",),
                                          write=Staff(SUPERVISOR, gate=SR, scoped=True, ok=OK),
                                          data=lambda o: {"outcome": "rejected", "note": "矩阵"}),
        "evaluation:sanction_document": Row(read=Staff(SR, scoped=True), targets=SAN),
        "evaluation:sanction_pdf": Row(read=Staff(SR, scoped=True), targets=SAN),
        # The record: the office, the member (`but`) and a head of the member's bureau; leaders are refused.
        "evaluation:staff_record": Row(targets=REC, read={
            k: Staff(roles(R.SUPERVISOR, R.HEAD), gate=ALL, scoped=True, but={f"handler_{k}": 200}) for k in REC}),
    })(roles(R.SUPERVISOR, R.LEADER), roles(R.SUPERVISOR, R.LEADER, R.HEAD, R.HANDLER),
       {"-": (lambda o: {"pk": o["cons"]["bulletin"]}, None)},
       {k: (lambda o, k=k: {"pk": o["cons"]["sanctions"][k]}, k) for k in ("a", "b")},
       {k: (lambda o, k=k: {"pk": o["cons"]["staff"][k]}, k) for k in ("a", "b")}),
    # ---- evaluation dashboard (issue 13): the leader's view — leaders and the office only (published results
    # of every department); heads, handlers, windows and administrators 403
    "evaluation:dashboard": Row(read=Staff(roles(R.SUPERVISOR, R.LEADER))),
    # ---- disclosure catalogue (issue 14)
    # Catalogues and entries: the office, leaders and administrators read every bureau's, heads and handlers their
    # own (404 for the other's); heads and handlers draft and publish, only a head files, only the office accepts,
    # returns and withdraws. The public pages and the entries list need no account; publishing by API takes a
    # department system's token only (staff sessions 403). Objects: security/world_disclosure_catalogue.py.
    **(lambda RD, DP, G, CAT, AB, ITEM, ENT: {
        "disclosure:catalogue_home": Row(read=Staff(RD)),
        "disclosure:catalogue_new": Row(read=Staff(DP, ok=405), write=Staff(DP, ok=OK),
                                        tables=("disclosure.Catalogue", "disclosure.CatalogueItem"),
                                        data=lambda o: {"department": "TA", "from_template": "on"}),
        "disclosure:filing_queue": Row(read=Staff(roles(R.SUPERVISOR, R.LEADER))),
        "disclosure:catalogue_detail": Row(read=Staff(RD, scoped=True), targets=CAT),
        "disclosure:catalogue_item_add": Row(read=Staff(DP, ok=405), write=Staff(DP, scoped=True, ok=OK), targets=CAT,
                                             tables=("disclosure.CatalogueItem",),
                                             data=lambda o: {"code": "MX1", "name": "矩阵事项", "category": "other",
                                                             "frequency": "yearly"}),
        "disclosure:catalogue_item_edit": Row(read=Staff(DP, scoped=True), write=Staff(DP, scoped=True, ok=OK),
                                              targets=ITEM, tables=("disclosure.CatalogueItem",),
                                              data=lambda o: {"code": "MX2", "name": "改过的事项", "category": "other",
                                                              "frequency": "monthly"}),
        "disclosure:catalogue_item_remove": Row(read=Staff(DP, ok=405), write=Staff(DP, scoped=True, ok=OK),
                                                targets=ITEM, tables=("disclosure.CatalogueItem",)),
        "disclosure:catalogue_action": Row(
            read=Staff(G, ok=405),
            write={**{f"{k}/file": Staff(HEAD, gate=G, scoped=True, ok=OK) for k in (*AB, "draft")},
                   **{f"{k}/{a}": Staff(SUPERVISOR, gate=G, scoped=True, ok=OK) for k in AB for a in ("accept", "return")},
                   **{f"{k}/revise": Staff(DP, gate=G, scoped=True, ok=OK) for k in AB}},
            targets={**_with({**{k: CAT[k] for k in AB}, "draft": CAT["draft"]}, "file", action="file"),
                     **_with({k: CAT[k] for k in AB}, "accept", action="accept"),
                     **_with({k: CAT[k] for k in AB}, "return", action="return"),
                     **_with({k: CAT[k] for k in AB}, "revise", action="revise")},
            tables=("disclosure.Catalogue", "disclosure.CatalogueItem"), data=lambda o: {"reason": ""}),
        "disclosure:entry_list": Row(read=Staff(RD)),
        "disclosure:entry_new": Row(read=Staff(DP), write=Staff(DP, ok=OK), tables=("disclosure.DisclosureEntry",),
                                    data=lambda o: {"department": "TA", "item": "CZSZ", "title": "矩阵", "body": "x"}),
        "disclosure:entry_detail": Row(read=Staff(RD, scoped=True), targets=ENT),
        "disclosure:entry_correct": Row(read=Staff(DP, scoped=True), write=Staff(DP, scoped=True, ok=OK), targets=ENT,
                                        tables=("disclosure.DisclosureEntry",),
                                        data=lambda o: {"title": "矩阵更正", "body": "x", "reason": ""}),
        "disclosure:entry_withdraw": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK), targets=ENT,
                                         tables=("disclosure.DisclosureEntry",), data=lambda o: {"reason": ""}),
        "disclosure:public_index": Row(read=Public()),
        "disclosure:public_department": Row(read=Public(), targets=DEPT),
        "disclosure:public_entry": Row(read=Public(), targets=ENT),
        "disclosure:public_attachment": Row(read={"a": Public(), "b": Public(404)}, targets=ENT),  # B's has none
        "api:disclosure_entry_create": Row(write=Api(frozenset(), scoped=False, ok=OK), json=True, api=True,
                                           tables=("disclosure.DisclosureEntry",),
                                           data=lambda o: {"item": "CZSZ", "title": "矩阵接口", "body": "x",
                                                           "published_at": "2026-10-12T10:00:00+08:00"}),
        "api:disclosure_entry_list": Row(read=Public(), api=True),
    })(roles(R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD, R.HANDLER), roles(R.HEAD, R.HANDLER),
       roles(R.HEAD, R.HANDLER, R.SUPERVISOR),
       {k: (lambda o, k=k: {"pk": o["disc_cat"]["catalogues"][k]}, "a" if k == "draft" else k) for k in ("a", "b", "draft")},
       ("a", "b"),
       {k: (lambda o, k=k: {"pk": o["disc_cat"]["catalogues"][k], "item_pk": o["disc_cat"]["items"][k]},
            "a" if k == "draft" else k) for k in ("a", "b", "draft")},
       {k: (lambda o, k=k: {"number": o["disc_cat"]["entries"][k]}, k) for k in ("a", "b")}),
    # ---- end disclosure catalogue
    # ---- disclosure check (issue 14)
    # The office (supervisors; leaders read) sees every check, drafts included, runs, publishes and sets the days;
    # heads and handlers read their department's findings; published checks, their bulletin and the days are
    # public, a draft answers 404 to everyone but the office (the API alike). Objects: world_disclosure_check.py.
    **(lambda OFF, DC, DCT: {
        "disclosure:check_list": Row(read=Staff(OFF), write=Staff(SUPERVISOR, gate=OFF, ok=OK), tables=DCT,
                                     data=lambda o: {"date": o["dcheck"]["draft"], "rectify_wd": "5"}),
        "disclosure:check_detail": Row(read=Staff(OFF), targets=DC),
        "disclosure:check_publish": Row(read=Staff(SUPERVISOR, gate=OFF, ok=405), write=Staff(SUPERVISOR, gate=OFF, ok=OK),
                                        targets={"draft": DC["draft"]}, tables=(*DCT, "supervision.Warning")),
        "disclosure:check_days": Row(read=Staff(OFF), write=Staff(SUPERVISOR, gate=OFF, ok=OK),
                                     tables=("disclosure.DisclosureDay",),
                                     data=lambda o: {"year": "2026", "quarter": "3", "date": "2026-07-08",
                                                     "note": "矩阵"}),
        "disclosure:check_findings": Row(read=Staff(roles(R.SUPERVISOR, R.LEADER, R.HEAD, R.HANDLER))),
        "disclosure:check_public_list": Row(read=Public()),
        "disclosure:check_public": Row(read={"published": Public(), "draft": Public(404)}, targets=DC),
        "disclosure:check_public_pdf": Row(read=Public(), targets={"published": DC["published"]}),
        "disclosure:check_public_xlsx": Row(read=Public(), targets={"published": DC["published"]}),
        "api:disclosure_days": Row(read=Public(), api=True, query={"year": "2026"}),
        "api:disclosure_check": Row(read={"published": Public(), "draft": Public(404, but={"supervisor": 200,
                                                                                           "leader": 200})},
                                    targets=DC, api=True),
    })(roles(R.SUPERVISOR, R.LEADER),
       {k: (lambda o, k=k: {"date": o["dcheck"][k]}, None) for k in ("published", "draft")},
       ("disclosure.DisclosureCheck", "disclosure.CheckLine", "disclosure.CheckFinding")),
    # ---- end disclosure check
    # ---- information requests (issue 14)
    **(lambda READ, ACT, IREQ, REVIEW, TABLES: {
        # Public: what it is and the published answers, the form (a submission without its SMS code is a 400,
        # nothing stored), the receipt (no request in this session: to the look-up), the look-up by number and
        # tracking code (bureau A's pair: 200).
        "disclosure:requests_public": Row(read=Public()),
        "disclosure:request_new": Row(read=Public(), write=Public(OK), tables=TABLES,
                                      data=lambda o: {"department": "TA", "description": "某文件"}),
        "disclosure:request_submitted": Row(read=Public(302)),
        "disclosure:request_track": Row(read=Public(), write=Public(OK), tables=TABLES,
                                        data=lambda o: o["ireq"]["track"]),
        # Staff: the office and leaders every department, heads and handlers their own; windows register only.
        "disclosure:request_desk": Row(read=Staff(READ)),
        "disclosure:request_register": Row(read=Staff(roles(R.WINDOW, R.HANDLER, R.HEAD, R.SUPERVISOR)),
                                           write=Staff(roles(R.WINDOW, R.HANDLER, R.HEAD, R.SUPERVISOR), ok=OK),
                                           tables=TABLES, data=lambda o: {"department": "TA", "channel": "visit"}),
        "disclosure:request_overview": Row(read=Staff(roles(R.SUPERVISOR, R.LEADER))),
        "disclosure:request_detail": Row(read=Staff(READ, scoped=True), targets=IREQ),
        # An internal note: the department's heads and (unassigned) handlers, and the office.
        "disclosure:request_action": Row(read=Staff(ACT, ok=405), write=Staff(ACT, scoped=True, ok=OK),
                                         targets=_with(IREQ, "note", name="note"), tables=TABLES,
                                         data=lambda o: {"note-text": "矩阵办理记录"}),
        "disclosure:request_review_decide": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK),
                                                targets=REVIEW, tables=("disclosure.RequestReview",),
                                                data=lambda o: {"result": "pending"}),
        # The API is the department systems': a token registers and reads its own department's requests;
        # staff sessions are refused (403) — the pages are theirs.
        "api:information_request_create": Row(read=Public(405), write=Api(frozenset(), scoped=False, ok=OK),
                                              json=True, api=True, tables=TABLES,
                                              data=lambda o: {"applicant_kind": "person"}),
        "api:information_request_get": Row(read=Api(frozenset()), targets={
            k: (lambda o, k=k: {"number": o["ireq"]["numbers"][k]}, k) for k in ("a", "b")}, api=True),
    })(roles(R.SUPERVISOR, R.LEADER, R.HEAD, R.HANDLER), roles(R.SUPERVISOR, R.HEAD, R.HANDLER),
       {k: (lambda o, k=k: {"number": o["ireq"]["numbers"][k]}, k) for k in ("a", "b")},
       {k: (lambda o, k=k: {"number": o["ireq"]["numbers"][k], "pk": o["ireq"]["reviews"][k]}, k)
        for k in ("a", "b")},
       ("disclosure.InformationRequest", "disclosure.InformationRequestEvent")),
    # ---- end information requests
    # ---- annual report (issue 14)
    # Staff: the office and leaders read every report, a head its own bureau's (another's 404, as an unknown code;
    # the county's 404 too), others 403; only the office writes the texts and publishes (the world's reports are
    # published, so a publish without an update note is refused in the form: nothing written). Public: the
    # published reports (security/world_disclosure_report.py).
    **(lambda RR, SC, PUB: {
        "disclosure:report_list": Row(read=Staff(RR)),
        "disclosure:report_detail": Row(targets=SC, tables=("disclosure.AnnualReport",),
                                        read={k: Staff(RR, scoped=True, but=({"head_a": 404} if k == "county" else {}))
                                              for k in SC},
                                        write={k: Staff(SUPERVISOR, gate=RR, scoped=True, ok=OK,
                                                        but=({"head_a": 404} if k == "county" else {})) for k in SC},
                                        data=lambda o: {"overview": "矩阵改写的总体情况", "problems": "", "other": ""}),
        "disclosure:report_publish": Row(read=Staff(SUPERVISOR, ok=405), write=Staff(SUPERVISOR, ok=OK), targets=SC,
                                         tables=("disclosure.AnnualReport",)),
        "disclosure:report_xlsx": Row(targets=SC, read={
            k: Staff(RR, scoped=True, but=({"head_a": 404} if k == "county" else {})) for k in SC}),
        "disclosure:report_pdf": Row(targets=SC, read={
            k: Staff(RR, scoped=True, but=({"head_a": 404} if k == "county" else {})) for k in SC}),
        "disclosure:public_report_year": Row(read=Public(), targets={"-": (lambda o: {"year": 2025}, None)}),
        "disclosure:public_report_detail": Row(read=Public(), targets=PUB),
        "disclosure:public_report_xlsx": Row(read=Public(), targets=PUB),
        "disclosure:public_report_pdf": Row(read=Public(), targets=PUB),
    })(roles(R.SUPERVISOR, R.LEADER, R.HEAD),
       {"a": (lambda o: {"year": 2025, "scope": "TA"}, "a"), "b": (lambda o: {"year": 2025, "scope": "TB"}, "b"),
        "county": (lambda o: {"year": 2025, "scope": "county"}, None)},
       {k: (lambda o, s=s: {"year": 2025, "scope": s}, None) for k, s in (("a", "TA"), ("b", "TB"), ("county", "county"))}),
    # Feeds, the sitemap and robots.txt (helper "report"): public, the same for everyone (published things only).
    **{f"portal:feed_{name}_{fmt}": Row(read=Public()) for name in ("disclosure", "bulletins", "checks", "reports")
       for fmt in ("rss", "atom")},
    "portal:sitemap": Row(read=Public()),
    "portal:robots_txt": Row(read=Public()),
    # ---- end annual report
    # ---- portal (issue 14)
    # The home page (the old core:public_index), search, department list, contact, accessibility statement, site
    # map: public, read-only. The mode switch only sets a cookie and goes back (302), for everyone.
    "portal:home": Row(read=Public()),
    "portal:search": Row(read=Public(), query={"q": "户口"}),
    "portal:departments": Row(read=Public()),
    "portal:contact": Row(read=Public()),
    "portal:accessibility": Row(read=Public()),
    "portal:site_map": Row(read=Public()),
    "portal:a11y_mode": Row(read=Public(302), query={"on": "1", "next": "/"}),
    "api:search": Row(read=Public(), query={"q": "户口"}, api=True),
    # ---- end portal
    # ---- portal figures (issue 14)
    # Public, no account: the progress look-up (by number + code, or + phone4: C-A's applicant phone ends 5678),
    # a department's figures and downloads, the published ranking, the published bulletins (an unpublished one is
    # 404 for everyone, like one that does not exist: the office reads it on its own pages).
    "portal:progress": Row(read=Public(), write=Public(OK),
                           data=lambda o: {"case_no": "C-A", "code": o["cases"]["a"].query_code}),
    "api:progress": Row(read=Public(), api=True, query={"case_no": "C-A", "phone4": "5678"}),
    "portal:department": Row(read=Public(), targets=DEPT),
    "portal:department_export": Row(read=Public(), targets=DEPT, query={"fmt": "csv"}),
    "portal:rankings": Row(read=Public(), query={"period": "2026Q3"}),
    "portal:rankings_export": Row(read=Public(), query={"period": "2026Q3", "fmt": "csv"}),
    "portal:bulletins": Row(read=Public()),
    "portal:bulletin": Row(read={"pub": Public(), "draft": Public(404)}, targets=PORTAL_BULLETIN),
    "portal:bulletin_pdf": Row(read={"pub": Public(), "draft": Public(404)}, targets=PORTAL_BULLETIN),
    # ---- end portal figures
}

# Cells whose intended answer the code does not give yet, each with the issue item that fixes it. strict:
# when the fix lands the cell passes, the xfail fails, and the entry is removed here.
KNOWN: dict[tuple[str, str, str, str], str] = {}


# ============================================================================================ URL patterns
def url_patterns() -> dict[str, tuple[str, object]]:
    """Every pattern the resolver knows: key → (route, pattern). The key is the namespaced name, or for an
    unnamed pattern the namespace and its full route."""
    found: dict[str, tuple[str, object]] = {}

    def walk(patterns, prefix: str, ns: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), ":".join(x for x in (ns, p.namespace) if x) or None)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                key = p.name or route
                found.setdefault(f"{ns}:{key}" if ns else key, (route, p))

    walk(get_resolver().url_patterns, "", None)
    return found


def test_every_url_pattern_is_classified():
    """A page or endpoint that is not in MATRIX fails here by name: every new capability joins the matrix."""
    known = url_patterns()
    missing = sorted(set(known) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(known))
    assert not missing, "URL patterns not classified in security/test_permission_matrix.py MATRIX: " + ", ".join(
        f"{k} ({known[k][0]})" for k in missing)
    assert not stale, "MATRIX rows for URL patterns that no longer exist: " + ", ".join(stale)


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def url_for(key: str, kwargs: dict) -> str:
    route, pattern = url_patterns()[key]
    if pattern.name:
        return reverse(key.split(":", 1)[0] + ":" + pattern.name if ":" in key else pattern.name, kwargs=kwargs)
    path = _CONVERTER.sub(lambda m: str(kwargs[m.group(1)]), route)
    path = _GROUP.sub(lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


# ============================================================================================ the cells
@dataclass(frozen=True)
class Cell:
    name: str
    variant: str
    method: str
    csrf: bool = True

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]-{self.method}" + ("" if self.csrf else "-nocsrf")


def _cells(which: str) -> list[Cell]:
    out = []
    for name, row in MATRIX.items():
        if row.shadowed_by:
            continue
        for variant in row.targets:
            if which == "read" and row.rule("read", variant) is not None:
                out.append(Cell(name, variant, "GET"))
            if which in ("write", "nocsrf") and row.rule("write", variant) is not None:
                out.extend(Cell(name, variant, m, csrf=which == "write") for m in row.methods)
    return out


READ_CELLS = _cells("read")
WRITE_CELLS = _cells("write")
NOCSRF_CELLS = _cells("nocsrf")
SESSION_KINDS = ("anon", "inactive", "session")  # principals that send cookies, so CSRF concerns them


def expected_for(cell: Cell, p: Principal) -> object:
    row = MATRIX[cell.name]
    _fn, dept = row.targets[cell.variant]
    if not cell.csrf:
        return row.nocsrf
    if cell.method != "GET" and not row.api and p.kind in ("token", "badtoken"):
        return 403  # a system's HTTP client has no CSRF cookie: pages refuse its unsafe requests first
    rule = row.rule("read" if cell.method == "GET" else "write", cell.variant)
    return rule.expect(p, dept)


# ============================================================================================ running a cell
_VOLATILE = {"last_login", "last_used_at"}  # bookkeeping that a refused request may legitimately touch


def _count_sql() -> str:
    q = connection.ops.quote_name
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)
                     if m._meta.managed and not m._meta.proxy and m._meta.db_table != "django_session"})
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in tables), tables


def snapshot(tables: tuple) -> tuple:
    """Row counts of every table, and the full rows of `tables` (models as "app.Model")."""
    sql, names = _count_sql()
    with connection.cursor() as cur:
        cur.execute(sql)
        counts = dict(zip(names, cur.fetchone(), strict=True))
    rows = {}
    for label in tables:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in _VOLATILE]
        rows[label] = list(model.objects.order_by("pk").values_list(*fields))
    return counts, rows


def _diff(before: tuple, after: tuple) -> str:
    counts = [f"{t}: {before[0][t]}→{after[0][t]}" for t in before[0] if before[0][t] != after[0][t]]
    rows = [label for label in before[1] if before[1][label] != after[1][label]]
    return "; ".join(counts + [f"rows of {label} changed" for label in rows])


def matches(expected, resp) -> bool:
    status = resp.status_code
    location = resp.get("Location", "") if 300 <= status < 400 else ""
    to_login = location.startswith(LOGIN_PATH + "?next=") or location.startswith(ADMIN_LOGIN_PATH + "?next=")
    if expected == LOGIN:
        return status == 302 and location.startswith(LOGIN_PATH + "?next=")
    if expected == ADMIN_LOGIN:
        return status == 302 and location.startswith(ADMIN_LOGIN_PATH + "?next=")
    if expected == OK:
        return status < 500 and status not in REFUSALS and not to_login
    if expected == EVENT_REFUSED:
        body = resp.json() if status == 200 else {}
        return status == 200 and body.get("accepted") == 0 and bool(body.get("errors"))
    return status == expected and not to_login


def describe(resp) -> str:
    status = resp.status_code
    if 300 <= status < 400:
        return f"{status} → {resp.get('Location', '')}"
    if status >= 500 and getattr(resp, "exc_info", None):
        return f"{status} ({resp.exc_info[1]!r})"
    return str(status)


def run_cell(world, cell: Cell, who: str, before: tuple | None = None) -> str | None:
    """Make the cell's request as `who` in a savepoint of its own; None when the answer is the table's,
    else a message naming the pattern, the principal, the method, the expected and the actual answer."""
    from xiaoneng.supervision.rulecache import rules_invalidate
    from xiaoneng.workdays.calendar import calendar_invalidate

    p = PRINCIPALS[who]
    row = MATRIX[cell.name]
    fn, _dept = row.targets[cell.variant]
    path = url_for(cell.name, fn(world.obj))
    expected = expected_for(cell, p)
    write = cell.method != "GET"
    check_state = write and expected != OK
    pc = world.clients[who]
    problem = None
    with transaction.atomic():
        # Every cell starts from the world as built (each runs in a savepoint rolled back after it), so the
        # row's cells can share one snapshot of it.
        if check_state and before is None:
            before = snapshot(row.tables)
        if write:
            payload = row.data(world.obj) if row.data else {}
            resp = pc.request(cell.method, path, data=None if row.json else payload,
                              json_body=payload if row.json else None, csrf=cell.csrf)
        else:
            resp = pc.request("GET", path, data=row.query)
        if not matches(expected, resp):
            problem = (f"{cell.name} [{cell.variant}] {cell.method}{'' if cell.csrf else ' without CSRF token'} "
                       f"{path} as {who}: expected {expected}, got {describe(resp)}")
        elif check_state and resp.status_code < 500:
            changed = _diff(before, snapshot(row.tables))
            if changed:
                problem = (f"{cell.name} [{cell.variant}] {cell.method} {path} as {who}: refused "
                           f"({describe(resp)}) but the database changed: {changed}")
        transaction.set_rollback(True)
    if write and resp.status_code not in REFUSALS:
        # A write let through changed the calendar or the rules inside the rolled-back savepoint: the
        # process-wide caches must not keep what the database no longer has.
        calendar_invalidate()
        rules_invalidate()
    return problem


def _principals_for(cell: Cell) -> list[str]:
    if not cell.csrf:
        return [k for k, p in PRINCIPALS.items() if p.kind in SESSION_KINDS]
    return list(PRINCIPALS)


def _run_row(world, cell: Cell):
    before = snapshot(MATRIX[cell.name].tables) if cell.method != "GET" else None
    problems = [run_cell(world, cell, who, before) for who in _principals_for(cell)
                if (cell.name, cell.variant, who, cell.method) not in KNOWN or not cell.csrf]
    problems = [x for x in problems if x]
    assert not problems, f"{len(problems)} cell(s) differ from the matrix:\n" + "\n".join(problems)


@pytest.mark.parametrize("cell", READ_CELLS, ids=lambda c: c.id)
def test_read(world, db, cell):
    """GET as every principal: the answer the table gives for it."""
    _run_row(world, cell)


@pytest.mark.parametrize("cell", WRITE_CELLS, ids=lambda c: c.id)
def test_write(world, db, cell):
    """Unsafe methods as every principal, with the CSRF token a page handed out: refused exactly as the table
    says and nothing changed, or let through for those allowed."""
    _run_row(world, cell)


@pytest.mark.parametrize("cell", NOCSRF_CELLS, ids=lambda c: c.id)
def test_write_without_csrf_token(world, db, cell):
    """Every browser session (signed in or not) sending an unsafe request without the CSRF token is refused,
    and nothing changes — also for the principals allowed to write."""
    _run_row(world, cell)


@pytest.mark.parametrize("key", [
    pytest.param(k, id=f"{k[0]}[{k[1]}]-{k[3]}-{k[2]}", marks=pytest.mark.xfail(strict=True, reason=reason))
    for k, reason in KNOWN.items()])
def test_known_hole(world, db, key):
    """The cells an open issue item will fix: they must fail today (strict), and pass once it lands."""
    name, variant, who, method = key
    problem = run_cell(world, Cell(name, variant, method), who)
    assert problem is None, problem
