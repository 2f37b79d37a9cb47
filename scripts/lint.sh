#!/usr/bin/env bash
# The one lint check: `make lint` and CI (scripts/test.sh) both run this file, so they cannot check different things.
#
# Only `ruff check` (the rules of pyproject.toml's [tool.ruff.lint]). `ruff format --check` is deliberately not
# here: the house style packs short arguments and dict entries onto few lines up to 110 columns, which ruff's
# formatter (Black's style, one element per line once a call wraps) cannot be configured to keep — it would
# rewrite about 170 of 250 files. Adopting it means one tree-wide reformatting commit agreed by everyone with a
# branch open, not a check that fails on every file today.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check "$@" .
