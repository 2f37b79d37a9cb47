"""The developer-text test (issue 10 §4): every staff and public page, rendered for each role, shows a county
official nothing a developer wrote for another developer — raw setting keys, rule parameter keys, ISO
timestamps, Django's English defaults, "None", template tags that did not render, server commands.

The pages are the permission matrix's: every row that has a GET is requested with its objects (security/
conftest.py builds one per bureau), by anonymous and by each role, so a page added later is walked as soon as
it joins the matrix (which it must). Whatever HTML comes back is read — also the 403 and 404 pages, which a
user sees just as well. JSON (/api/v1/, Open311) and the Django admin (a superuser's tool, in English) are
not pages of the Chinese UI.

"---------" (Django's empty choice) is not allowed either: every select names its empty choice in Chinese
(请选择), set once in core/apps.py.
"""

from __future__ import annotations

import html
import re

import pytest

from .test_permission_matrix import MATRIX, READ_CELLS, url_for

# Who reads: a visitor and one principal per role (the bureau-B twins would only repeat bureau A's pages).
READERS = ["anonymous", "window_a", "handler_a", "head_a", "supervisor", "leader", "admin", "norole_a"]
SKIP_NAMES = ("set_language", "core:favicon.ico", "accounts:logout")
SKIP_PREFIXES = ("admin:", "api:", "open311:")

# marker → why it is developer text. Matched against the page's visible text (tags, scripts and styles
# stripped; entities decoded) and against the attributes a user reads (title, placeholder, aria-label, alt).
MARKERS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"XIAONENG_[A-Z_]+"), "a raw setting key"),
    (re.compile(r"\b[a-z]+_wd\b"), "a rule parameter key (before_wd=, over_wd)"),
    (re.compile(r"\{'\w+': |\[\{'|\bthresholds\b"), "a Python value or a stored key"),
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:"), "an ISO timestamp (UTC or not: a page shows local time in words)"),
    (re.compile(r"Select an option|This field is required|Page not found|Enter a valid|Forbidden|Server Error"),
     "an English Django default"),
    (re.compile(r"-{9}"), "Django's empty choice '---------' (a select names its empty choice in Chinese)"),
    (re.compile(r"(?<![\w./-])None(?![\w-])"), "Python's None"),
    (re.compile(r"\[object Object\]|undefined\b|NaN\b"), "a JavaScript value"),
    (re.compile(r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"),
     "an English month name"),
    (re.compile(r"\{\{|\{%|%\}|\}\}"), "a template tag that did not render"),
    (re.compile(r"manage\.py|\bxiaoneng ([a-z]+[-_][a-z_-]+|migrate|runserver|shell|check)\b"),
     "a server command"),
    (re.compile(r"\d+\s*(年|月|周|天|小时|分钟)\s*[，,]\s*\d+"), "Django's timesince ('10 月，4 周')"),
    (re.compile(r"country_holidays|软件包"), "the name of a Python package"),
    (re.compile(r"\b(Asia|Etc|UTC)/[A-Z][a-z]+"), "a time zone identifier (a reader says 北京时间)"),
]

_DROP = re.compile(r"<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
_READ_ATTRS = re.compile(r'\s(?:title|placeholder|aria-label|alt)="([^"]*)"')


def visible_text(page: str) -> str:
    """What a reader sees: the text between tags and the attributes read out or shown on hover."""
    page = _DROP.sub(" ", page)
    attrs = " ".join(_READ_ATTRS.findall(page))
    return html.unescape(_TAG.sub(" ", page) + " " + attrs)


def developer_text(page: str) -> list[str]:
    """Each marker found in the page's visible text, with the text around it."""
    text = visible_text(page)
    found = []
    for marker, why in MARKERS:
        for m in marker.finditer(text):
            around = " ".join(text[max(0, m.start() - 40):m.end() + 40].split())
            found.append(f"{why}: …{around}…")
    return found


def test_the_markers_catch_what_they_should():
    """The markers themselves: each example of developer text is caught, the Chinese equivalents pass."""
    bad = ["到期前 before_wd=2", "2026-09-03T02:49", "<option>---------</option>", "<td>None</td>",
           "XIAONENG_SEED_CALENDAR_ON_MIGRATE", "已 10 月，4 周", "运行 xiaoneng seed_calendar", "xiaoneng import-calendar 文件", "python manage.py migrate",
           "办公时间 09:00—12:00（Asia/Shanghai）",
           "holidays 0.108 软件包（country_holidays('CN')）", "{{ case.no }}", "September 3",
           '<input placeholder="Select an option">']
    for example in bad:
        assert developer_text(example), example
    good = ["到期前 2 个工作日预警", '<label for="id_t_over_wd">超期工作日数</label><input name="t_over_wd">', "2026-09-03 10:49", '<option value="">全部</option>', "10 个月 4 周",
            "<script>var x = {{}}; None</script>", "按国务院办公厅公布的放假安排自动载入", "2026年9月3日",
            '<a href="/staff/cases/?status=None">案件</a>']
    for example in good:
        assert not developer_text(example), (example, developer_text(example))


@pytest.fixture(scope="module")
def shown(world, django_db_blocker):
    """The matrix's world plus what its pages would otherwise not show: steps completed on bureau A's case
    (one reported by its kind, "review", as a department system may), and an edit of a rule's thresholds
    (the rule history). Added inside the world's module transaction, so they are rolled back with it."""
    from datetime import timedelta

    from xiaoneng.cases.ingest import case_events_ingest
    from xiaoneng.supervision.models import Rule
    from xiaoneng.supervision.rulecache import rules_invalidate
    from xiaoneng.supervision.services import rule_update

    from .conftest import T_CASE

    with django_db_blocker.unblock():
        events = [{"event_id": f"text-{n}", "case_no": "C-A", "service_code": "SP001", "type": "step_completed",
                   "step": step, "handler": "handler_a", "occurred_at": (T_CASE + timedelta(hours=h)).isoformat()}
                  for n, (step, h) in enumerate((("受理", 2), ("review", 26)))]
        res = case_events_ingest(events=events, now=T_CASE + timedelta(days=2), source="developer-text")
        assert not res.errors, res.errors
        rule = Rule.objects.get(code="committed-yellow")
        rule_update(rule=rule, data={"thresholds": {"over_wd": 2}}, by=world.staff["supervisor"],
                    now=T_CASE + timedelta(days=2), note="按县里规定放宽")
        rules_invalidate()
    return world


def _page_cells():
    return [c for c in READ_CELLS if not c.name.startswith(SKIP_PREFIXES) and c.name not in SKIP_NAMES
            and not MATRIX[c.name].api]


@pytest.mark.parametrize("cell", _page_cells(), ids=lambda c: f"{c.name}[{c.variant}]")
def test_page_shows_no_developer_text(shown, db, cell):
    """Every page, for each reader: no marker of developer text in what it shows."""
    from django.db import transaction

    row = MATRIX[cell.name]
    fn, _dept = row.targets[cell.variant]
    path = url_for(cell.name, fn(shown.obj))
    problems = []
    for who in READERS:
        with transaction.atomic():
            resp = shown.clients[who].request("GET", path, data=row.query)
            transaction.set_rollback(True)
        if resp.status_code >= 500:
            problems.append(f"{path} as {who}: {resp.status_code}")
            continue
        if not resp.get("Content-Type", "").startswith("text/html") or resp.streaming:
            continue
        problems += [f"{path} as {who} ({resp.status_code}): {p}" for p in developer_text(resp.content.decode())]
    assert not problems, f"{len(problems)} marker(s) of developer text:\n" + "\n".join(sorted(set(problems))[:60])
