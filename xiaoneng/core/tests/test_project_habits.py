"""The project's own declarations stay true (issue 10 §6): the Python it says it needs is one its dependencies
accept, ruff judges the code for that Python, and CI lints exactly as `make lint` does."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _minimum(spec: str) -> tuple[int, int]:
    m = re.search(r">=\s*(\d+)\.(\d+)", spec or "")
    assert m, f"no lower bound in {spec!r}"
    return int(m[1]), int(m[2])


def test_requires_python_is_what_the_pinned_dependencies_need():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    ours = _minimum(project["project"]["requires-python"])
    for requirement in project["project"]["dependencies"]:
        name = re.split(r"[\[=<>~! ]", requirement, maxsplit=1)[0]
        theirs = importlib.metadata.metadata(name).get("Requires-Python")
        if theirs:
            assert ours >= _minimum(theirs), f"{name} needs Python {theirs}, pyproject.toml says {ours}"
    target = project["tool"]["ruff"]["target-version"]
    assert target == f"py{ours[0]}{ours[1]}", "ruff must check the code for the oldest Python we accept"


def test_ci_lints_exactly_what_make_lint_lints():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and recipe[1].strip() == "scripts/lint.sh"
    test_sh = (ROOT / "scripts" / "test.sh").read_text()
    assert re.search(r"^scripts/lint\.sh$", test_sh, re.M), "scripts/test.sh must run scripts/lint.sh"
    assert "ruff" not in test_sh, "no second, different lint command in CI"
