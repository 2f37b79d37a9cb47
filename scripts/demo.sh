#!/usr/bin/env bash
# Run the demo: own virtual environment, embedded SQLite, demo county, served on http://127.0.0.1:8000.
# Safe to run again: migrations and the demo seed are idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python.sh
ensure_venv "."
exec .venv/bin/xiaoneng demo --addr "${XIAONENG_DEMO_ADDR:-127.0.0.1:8000}" "$@"
