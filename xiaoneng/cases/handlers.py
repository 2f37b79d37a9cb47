"""Which staff account a handler name reported by a department system stands for.

Department systems send the handler (承办人) as a name, not as one of our accounts. When a case is folded,
its latest reported name is looked up among the active handlers and heads of the case's department subtree
by full name (`Staff.name`) — a window clerk who received the application is its first contact (首问责任人),
never its handler (承办人), as on the assignment page: exactly one match sets `Case.handler`; none or several (two 张伟 in one bureau) leave it
NULL and `handler_name` keeps what was sent. A head's assignment on the case page stands over any name.

Set-based for the ingest path: one query per batch for every name the batch can end up with (the names
its events carry plus the names the touched cases already have — a fold's latest name is one or the other).
"""

from __future__ import annotations

from collections import defaultdict

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff

_CHUNK = 5_000
HANDLER_ROLES = (R.HANDLER, R.HEAD)  # who may be a case's 承办人 (the assignment page offers the same)


class HandlerIndex:
    """Active staff by full name (id, department path), and department paths, for one ingest batch."""

    def __init__(self, names=(), dept_paths: dict[int, str] | None = None):
        self._by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._loaded: set[str] = set()
        self._paths: dict[int, str] = dict(dept_paths or {})
        self._load({n for n in names if n})

    def _load(self, names: set[str]) -> None:
        names = [n for n in names if n not in self._loaded]
        for i in range(0, len(names), _CHUNK):
            part = names[i : i + _CHUNK]
            for pk, name, path in Staff.objects.filter(
                name__in=part, is_active=True, department__isnull=False, groups__name__in=HANDLER_ROLES
            ).values_list("id", "name", "department__path").distinct():
                self._by_name[name].append((pk, path))
        self._loaded.update(names)

    def _path(self, department_id: int) -> str | None:
        if department_id not in self._paths:  # a case not in the batch's items (a joint parent): rare
            self._paths[department_id] = Department.objects.filter(pk=department_id).values_list(
                "path", flat=True).first()
        return self._paths[department_id]

    def resolve(self, name: str, department_id: int) -> int | None:
        """The one active staff member named `name` in the department's subtree, else None."""
        name = (name or "").strip()
        if not name:
            return None
        if name not in self._loaded:  # a case that joined the batch late (lost an insert race): rare
            self._load({name})
        path = self._path(department_id)
        if path is None:
            return None
        found = {pk for pk, p in self._by_name.get(name, ()) if p.startswith(path)}
        return found.pop() if len(found) == 1 else None

    def handler_for(self, case: dict, name: str) -> int | None:
        """`Case.handler_id` after a fold: a head's assignment stands, otherwise the name decides."""
        if case.get("handler_assigned_at") is not None:
            return case.get("handler_id")
        return self.resolve(name, case["department_id"])
