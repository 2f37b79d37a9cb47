"""The apps depend on each other one way only (docs/architecture.md): checked on every import statement."""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2]

# What each app may import (besides itself). Tests may import anything.
ALLOWED = {
    "core": set(),
    "accounts": {"core"},
    "workdays": {"core", "accounts"},
    "catalog": {"core", "accounts", "workdays"},
    "cases": {"core", "accounts", "workdays", "catalog"},
    "complaints": {"core", "accounts", "workdays", "catalog", "cases"},
    # supervision reads cases and complaints for its pages; it judges their clocks only through the port
    # (core/clocks.py; see JUDGING below). Neither imports supervision.
    # Beside complaints, below supervision: the people's verdict. Ratings rate cases and complaints' handling;
    # surveys and inspections judge departments, not cases. None imports another of the three.
    "ratings": {"core", "accounts", "workdays", "catalog", "cases", "complaints"},
    "surveys": {"core", "accounts", "workdays"},
    "inspections": {"core", "accounts", "workdays", "catalog"},
    "supervision": {"core", "accounts", "workdays", "catalog", "cases", "complaints", "ratings", "surveys",
                    "inspections"},
    # The top: evaluation reads what every app below measured; only the demo (and the portal to come) reads it.
    "evaluation": {"core", "accounts", "workdays", "catalog", "cases", "complaints", "ratings", "surveys",
                   "inspections", "supervision"},
    # Disclosure sits above evaluation: it registers its compliance calculations into evaluation's registry
    # (ready()), and its clocks (check findings, information requests) are judged through the port like all.
    "disclosure": {"core", "accounts", "workdays", "catalog", "cases", "complaints", "ratings", "surveys",
                   "inspections", "supervision", "evaluation"},
    # The very top: the public portal reads what every app publishes; nothing but the demo reads it.
    "portal": {"core", "accounts", "workdays", "catalog", "cases", "complaints", "ratings", "surveys",
               "inspections", "supervision", "evaluation", "disclosure"},
    "demo": {"core", "accounts", "workdays", "catalog", "cases", "supervision", "complaints", "ratings", "surveys",
             "inspections", "evaluation", "disclosure", "portal"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "xiaoneng" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_app_is_listed():
    apps = {p.name for p in PKG.iterdir() if (p / "apps.py").exists()}
    assert apps == set(ALLOWED), "add the new app to ALLOWED and to docs/architecture.md"


def test_dependencies_point_one_way():
    bad = []
    for app, allowed in ALLOWED.items():
        for path in (PKG / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for dep in _imports(path) - {app, "cli"}:
                if dep not in allowed:
                    bad.append(f"{path.relative_to(PKG)} imports xiaoneng.{dep}")
    assert bad == []


# The judging path of supervision reaches clock owners only through the port (core/clocks.py): a new owner
# needs nothing from these modules, and these modules nothing from any owner.
JUDGING = ("supervision/engine.py", "supervision/deadlines.py", "supervision/judge.py", "supervision/services/tick.py",
           "supervision/services/escalation.py", "supervision/rulecache.py")
OWNERS = {"cases", "complaints", "ratings", "inspections", "disclosure"}


def test_the_judging_path_imports_no_clock_owner():
    bad = [f"{rel} imports xiaoneng.{dep}" for rel in JUDGING for dep in _imports(PKG / rel) & OWNERS]
    assert bad == []
