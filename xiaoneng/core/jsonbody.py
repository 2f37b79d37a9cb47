"""Parsing JSON request bodies with a bound on nesting, for every endpoint that reads JSON.

`json.loads` recurses once per level: a body of 100,000 opening brackets raises RecursionError (a 500), and a
few thousand levels that it still parses make every later walker of the value (pydantic, the JSON encoder of
a JSONField) recurse as deep. No document the platform takes is deeper than four levels (a case event's
applicant, an Open311 attribute), so anything deeper than MAX_JSON_DEPTH is refused with a 400 naming the
problem before any schema sees it.
"""

from __future__ import annotations

import json

from ninja.parser import Parser

from xiaoneng.core.errors import DomainError

MAX_JSON_DEPTH = 32


class JsonTooDeep(DomainError):
    """A JSON document nested deeper than MAX_JSON_DEPTH levels."""

    def __init__(self, *, row: int | None = None):
        where = f"第 {row} 行的 " if row is not None else ""
        super().__init__(f"{where}JSON 嵌套层数过多（最多 {MAX_JSON_DEPTH} 层），请检查请求体。", row=row,
                         code="json_too_deep")


def _deeper_than(value, limit: int) -> bool:
    # Level by level, without recursion, so that the check itself cannot overflow the stack.
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        inner = []
        for container in level:
            items = container.values() if isinstance(container, dict) else container
            inner.extend(v for v in items if isinstance(v, (dict, list)))
        level = inner
    return False


def json_loads(text: str | bytes, *, row: int | None = None):
    """json.loads that refuses documents nested deeper than MAX_JSON_DEPTH with JsonTooDeep (a DomainError,
    400). Malformed JSON still raises json.JSONDecodeError, for the caller's own message."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise JsonTooDeep(row=row) from None
    if _deeper_than(data, MAX_JSON_DEPTH):
        raise JsonTooDeep(row=row)
    return data


class DepthLimitedParser(Parser):
    """django-ninja's body parser with the same bound, so a schema body of any later endpoint has it too."""

    def parse_body(self, request):
        return json_loads(request.body)


def json_object(request, *, fields: tuple[str, ...] | None = None, example: str = "") -> dict:
    """The request's body as a JSON object (UTF-8, BOM allowed, depth-bounded), for the endpoints that read their
    body themselves: not JSON → 400 on `body`; not an object → 400 on `body` (with `example`, a small valid
    body); a key outside `fields` (when given) → 400 naming that key and the ones allowed."""
    try:
        data = json_loads(request.body.decode("utf-8-sig") or "null")
    except (UnicodeDecodeError, ValueError):
        raise DomainError("请求体应为 UTF-8 编码的 JSON 对象。", field="body", code="bad_json") from None
    if not isinstance(data, dict):
        hint = f"，例如 {example}" if example else ""
        raise DomainError(f"请求体应为 JSON 对象{hint}。", field="body", code="not_an_object")
    unknown = [k for k in data if k not in fields] if fields is not None else []
    if unknown:
        raise DomainError(f"不认识的字段“{str(unknown[0])[:32]}”：可用字段为 {'、'.join(fields)}。",
                          field=str(unknown[0])[:32], code="unknown_field")
    return data
