#!/usr/bin/env bash
# Install what the tests need and run the whole suite twice, side by side: on SQLite and on a real PostgreSQL server
# started here on loopback in a temporary directory (stopped and removed afterwards).
# Extra arguments go to pytest (e.g. scripts/test.sh -k workdays).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python.sh

# --- system packages (Debian): PostgreSQL, Chromium for Playwright, CJK fonts for readable screenshots.
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo ">> apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "缺少系统软件包 / missing Debian packages: ${need[*]} — run: sudo apt-get install ${need[*]}" >&2
    exit 2
  fi
fi

ensure_venv ".[test]"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 XIAONENG_CHROMIUM=/usr/bin/chromium
export XIAONENG_DATA_DIR="$(mktemp -d)"
mkdir -p artefacts

echo ">> lint (scripts/lint.sh, the same as make lint)"
scripts/lint.sh

# The two databases' suites run side by side: each is mostly one busy Python process, so on a machine with two
# or more cores this takes about the longer one's time instead of the sum. Each has its own data directory (media,
# secret key) and log; a log is printed whole when its suite ends, so the two never interleave.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGTMP=$(mktemp -d)
LOGS=$(mktemp -d)
PGPORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() {  # initdb refuses to run as root: use the postgres system user then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$PGTMP"
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP" "$LOGS" "$XIAONENG_DATA_DIR"
}
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U xiaoneng -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability settings off: a throw-away test server, where speed matters and a crash loses nothing of value.
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w start \
  -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null

suite() {  # suite NAME DATABASE_URL [pytest args…]: one database's run, its output in $LOGS/NAME.log
  local name=$1 url=$2 data
  shift 2
  data=$(mktemp -d -p "$XIAONENG_DATA_DIR")
  local t0=$SECONDS rc=0
  XIAONENG_DATA_DIR="$data" DATABASE_URL="$url" .venv/bin/pytest -q "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
  echo ">> tests on $name: exit $rc after $((SECONDS - t0)) s"
  cat "$LOGS/$name.log"
  return $rc
}
echo ">> tests on SQLite and on PostgreSQL $(basename "$(dirname "$PGBIN")"), side by side (each log follows when it ends)"
suite SQLite "sqlite:///$XIAONENG_DATA_DIR/unused.sqlite3" "$@" & sqlite_job=$!
suite PostgreSQL "postgres://xiaoneng@127.0.0.1:$PGPORT/xiaoneng" "$@" & pg_job=$!
status=0
wait $sqlite_job || status=$?
wait $pg_job || status=$?

if [ $status -eq 0 ]; then echo ">> all tests passed on SQLite and PostgreSQL"; else echo ">> FAILED (exit $status)"; fi
exit $status
