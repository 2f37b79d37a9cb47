"""The services package keeps its rooms in one order (services/__init__.py): a room imports only the rooms
below it at run time, so no import cycle can form as rooms grow; the package re-exports what it lists."""

import ast
from pathlib import Path

import xiaoneng.supervision.services as S

ROOMS = ["_common", "issue", "notify", "escalation", "proposals", "cards", "orders", "rules", "tick"]
DIR = Path(S.__file__).resolve().parent


def _runtime_room_imports(path: Path) -> set[str]:
    """Rooms this file imports with `from .room import …`, except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text())
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        for n in ast.walk(node)
    }
    return {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module and id(node) not in typing_only
    }


def test_every_room_is_in_the_order():
    assert {p.stem for p in DIR.glob("*.py")} - {"__init__"} == set(ROOMS)


def test_rooms_import_only_rooms_below_them():
    bad = []
    for i, room in enumerate(ROOMS):
        for dep in _runtime_room_imports(DIR / f"{room}.py"):
            if dep not in ROOMS[:i]:
                bad.append(f"{room} imports {dep}")
    assert bad == []


def test_the_package_exports_what_it_lists():
    assert len(S.__all__) == len(set(S.__all__))
    for name in S.__all__:
        assert getattr(S, name) is not None, name
