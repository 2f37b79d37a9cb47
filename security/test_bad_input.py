"""The bad-input catalogue (issue 9, item 6): every list endpoint and every list page, walked with extreme
parameters as an authorised principal, never answers 5xx; under /api and /open311 a refusal is JSON in Chinese.

The endpoints come from the OpenAPI schemas and the pages from the URL resolver, so a capability added later
is walked without anyone remembering to list it here. The parameter names of a page are read from its own
forms (every `name="…"` on the page) plus the names list pages commonly take, so a new filter is walked too.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff

# Values that once made the server fail (years 0001/9999 overflow on conversion to UTC, offsets at ±14h
# tip a date over the edge of datetime's range, integers beyond 64 bits overflow the database) and the rest
# of the usual suspects: negative, empty, NUL, a literal "%00", very long, malformed.
BAD_VALUES = [
    "0001-01-01", "9999-12-31", "0001-01", "9999-12", "0001",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
    "2026-06-01T00:00:00+14:00", "2026-06-01T00:00:00-12:00", "2026-06-01T23:59:59-23:59",
    "99999999999999999999", "-99999999999999999999", "9223372036854775808", "-1", "0", "1e309", "NaN",
    "", " ", "\x00", "a%00b", "x" * 5000, "2026-13-45", "２０２６-０１-０１", "[]", "{}",
]

# Names list pages commonly take, walked on every page besides the ones its forms declare.
COMMON_NAMES = [
    "page", "limit", "offset", "from", "to", "start", "end", "date", "year", "month", "days", "q",
    "department", "status", "category", "received_from", "received_to", "issued_from", "issued_to",
    "start_date", "end_date", "page_size", "edit", "mode", "fmt", "level", "rule", "overdue",
]
SKIP_PREFIXES = ("api/", "open311/", "admin/", "i18n/", "static/", "media/")


def _has_chinese(data) -> bool:
    if isinstance(data, str):
        return bool(re.search(r"[\u4e00-\u9fff]", data))
    if isinstance(data, dict):
        return any(_has_chinese(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_chinese(v) for v in data)
    return False


def _json_refusal(response, what, failures: list) -> None:
    """Under /api and /open311 a refusal is JSON naming the problem in Chinese (else noted in `failures`)."""
    if response.status_code >= 500:
        failures.append((what, response.status_code, response.content[:200]))
    elif response.status_code >= 400:
        if not response["Content-Type"].startswith("application/json"):
            failures.append((what, response.status_code, response["Content-Type"]))
        elif not _has_chinese(json.loads(response.content)):
            failures.append((what, response.status_code, response.content[:200]))


def _report(failures: list) -> str:
    return f"{len(failures)} bad answers:\n" + "\n".join(repr(f)[:400] for f in failures[:40])


def _list_pages() -> list[str]:
    """Every page URL that takes no path parameter (lists, dashboards, forms), from the resolver."""

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and not p.pattern.converters and "(?P<" not in route:
                yield prefix + route.lstrip("^").rstrip("$")

    pages = sorted({"/" + u for u in walk(get_resolver().url_patterns, "")
                    if not u.startswith(SKIP_PREFIXES) and "\\" not in u})
    # The logout page would end the walking principal's session; it takes no parameter anyway.
    return [p for p in pages if "logout" not in p]


def _valid(schema: dict) -> str:
    """A well-formed value for a parameter of this schema, so the other parameters' extremes reach the code
    behind validation (a required parameter left out would stop every request at a 422)."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "null":
            continue
        if "enum" in option:
            return str(option["enum"][0])
        return {"date": "2026-06-01", "date-time": "2026-06-01T09:00:00+08:00"}.get(
            option.get("format", ""), {"integer": "1", "number": "1", "boolean": "true"}.get(option.get("type"), "x"))
    return "x"


def _operations(api) -> list[tuple[str, str, list[str], list[str], dict[str, str]]]:
    """(method, path template, path parameter names, query parameter names, valid values of the required
    query parameters) of every operation in the API's OpenAPI schema."""
    schema = api.get_openapi_schema()
    out = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            params = op.get("parameters", [])
            query = [p for p in params if p["in"] == "query"]
            out.append((method.upper(), path, [p["name"] for p in params if p["in"] == "path"],
                        [p["name"] for p in query],
                        {p["name"]: _valid(p.get("schema", {})) for p in query if p.get("required")}))
    return out


@pytest.fixture
def principal(depts, calendar):
    """A staff member holding every role (sees every page and every list), and a department system token."""
    from django.utils import timezone

    from xiaoneng.accounts.services import api_client_create

    everyone = make_staff("all_roles", depts["office"], list(R.ALL))
    _, raw = api_client_create(name="bad-input", department=depts["a"], by=None, now=timezone.now())
    return everyone, raw


def _fill(template: str, names: list[str], value: str) -> str:
    for name in names:
        template = template.replace("{" + name + "}", quote(value, safe="") or "x")
    return template


@pytest.mark.django_db
@pytest.mark.parametrize("api_name", ["api", "open311"])
def test_every_get_endpoint_refuses_extreme_parameters_in_chinese(client, principal, api_name):
    from config import api as apis

    staff, token = principal
    api = getattr(apis, api_name)
    operations = [op for op in _operations(api) if op[0] == "GET"]
    assert len(operations) >= (10 if api_name == "api" else 4)
    client.force_login(staff)
    client.raise_request_exception = False  # a crash is counted as the 500 a client would get
    failures: list = []
    for _method, path, path_names, query_names, required in operations:
        for value in BAD_VALUES:
            url = _fill(path, path_names, value if path_names else "x")
            # Every parameter at once, and each on its own (one refusal must not hide another's crash).
            queries = [urlencode(dict.fromkeys(query_names, value))]
            queries += [urlencode({**required, n: value}) for n in query_names if len(query_names) > 1]
            for q in queries:
                target = f"{url}?{q}" if q else url
                _json_refusal(client.get(target, HTTP_AUTHORIZATION=f"Bearer {token}"), ("token", target), failures)
                _json_refusal(client.get(target), ("session", target), failures)
    assert not failures, _report(failures)


def _deep(depth: int, leaf="x"):
    return "[" * depth + json.dumps(leaf) + "]" * depth


NESTED_BODIES = [
    _deep(100_000),
    "{" + '"a":{' * 50_000 + "}" * 50_001,
    '{"facts": ' + _deep(3_000) + ', "category": "TS-CSBL"}',
    '[{"event_id": "e1", "case_no": "C1", "payload": ' + _deep(200) + "}]",
    _deep(200),
]


@pytest.mark.django_db
@pytest.mark.parametrize("api_name", ["api", "open311"])
def test_every_post_endpoint_refuses_deeply_nested_json_in_chinese(client, principal, api_name):
    from config import api as apis

    _staff, token = principal
    api = getattr(apis, api_name)
    operations = [op for op in _operations(api) if op[0] in ("POST", "PUT", "PATCH")]
    assert operations
    client.raise_request_exception = False
    failures: list = []
    for method, path, path_names, _query, _required in operations:
        url = _fill(path, path_names, "x")
        for body in NESTED_BODIES:
            for ctype in ("application/json", "application/x-ndjson"):
                response = client.generic(method, url, body.encode(), content_type=ctype,
                                          HTTP_AUTHORIZATION=f"Bearer {token}")
                _json_refusal(response, (url, ctype, body[:40]), failures)
                if response.status_code not in (400, 413, 415, 422):
                    failures.append(((url, ctype, body[:40]), response.status_code, response.content[:200]))
    assert not failures, _report(failures)


# The values a page is walked with (a page renders more slowly than an API answer, so fewer of them), and
# those also tried on each parameter alone: a page's filter form is valid or invalid as a whole, so a bad
# value in one field would otherwise keep the view from ever using another's.
PAGE_VALUES = [
    "0001-01-01", "9999-12-31", "9999-12", "0001", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
    "99999999999999999999", "-99999999999999999999", "-1", "", "\x00", "a%00b", "x" * 3000, "2026-13-45",
]
ALONE_VALUES = ["0001-01-01", "9999-12-31", "9999-12", "99999999999999999999", "0001-01-01T00:00:00+14:00"]

_READ: set[str] = set()


class _RecordingQueryDict(QueryDict):
    """request.GET that notes which names the view reads, so the walk learns each page's parameters."""

    recording = False  # switched on once built: building the dict looks its own keys up

    def _note(self, key):
        if self.recording:
            _READ.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    # Walking every value (the NUL check does) is not reading a parameter.
    def lists(self):
        return ((key, QueryDict.getlist(self, key)) for key in self)

    def items(self):
        return ((key, QueryDict.__getitem__(self, key)) for key in self)


def _recording_middleware(get_response):
    def middleware(request):
        request.GET = _RecordingQueryDict(request.META.get("QUERY_STRING", ""), encoding=request.encoding)
        request.GET.recording = True
        return get_response(request)

    return middleware


@pytest.mark.django_db
def test_every_list_page_survives_extreme_parameters(client, principal, settings):
    staff, _token = principal
    settings.MIDDLEWARE = [f"{__name__}._recording_middleware", *settings.MIDDLEWARE]
    pages = _list_pages()
    assert len(pages) >= 20
    client.force_login(staff)
    client.raise_request_exception = False  # a crash is counted as the 500 a client would get
    failures: list = []
    walked = 0

    def check(page, query):
        response = client.get(f"{page}?{query}")
        if response.status_code >= 500:
            failures.append((page, query[:160], response.status_code))
        elif response.status_code >= 400 and response["Content-Type"].startswith("text/html"):
            if not _has_chinese(response.content.decode()):
                failures.append((page, query[:160], response.status_code, "no Chinese"))

    for page in pages:
        first = client.get(page)
        assert first.status_code < 500, (page, first.status_code)
        if first.status_code == 405:
            continue  # a POST-only address: it has no list to filter
        walked += 1
        html = first.content.decode() if first["Content-Type"].startswith("text/html") else ""
        offered = set(COMMON_NAMES) | set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', html))
        # A hidden field or a named button switches a page between forms (the calculator's mode=add|between):
        # each such setting is a context whose own parameters are walked too.
        contexts = [{}] + [{n: v} for n, v in re.findall(
            r'<(?:input type="hidden"|button)\b[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]+)"', html)
            if n != "csrfmiddlewaretoken"]
        for context in contexts:
            _READ.clear()
            client.get(f"{page}?{urlencode({**dict.fromkeys(sorted(offered), '1'), **context})}")
            names = sorted(_READ - {"csrfmiddlewaretoken", *context})
            for value in PAGE_VALUES:
                check(page, urlencode({**dict.fromkeys(names, value), **context}))
            for name in names:
                for value in ALONE_VALUES:
                    check(page, urlencode({name: value, **context}))
    assert walked >= 20
    assert not failures, _report(failures)
