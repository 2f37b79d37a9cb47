# Sourced by the other scripts: finds a Python >= 3.12 (Django 6 needs it) and prepares .venv with it.
# Debian 12's own python3 is 3.11, so we also look at pyenv's interpreters, which this machine image ships.
find_python() {
  local c
  # 3.12 first: the version the project is developed and measured on; any newer one works too.
  for c in "${XIAONENG_PYTHON:-}" python3.12 \
           $(ls -d /root/.pyenv/versions/3.12*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 2>/dev/null | sort -rV) \
           python3.13 python3 \
           $(ls -d /root/.pyenv/versions/3.1[3-9]*/bin/python3 "$HOME"/.pyenv/versions/3.1[3-9]*/bin/python3 2>/dev/null | sort -rV) \
           /usr/bin/python3.12 /usr/bin/python3.13; do
    [ -n "$c" ] || continue
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      echo "$c"; return 0
    fi
  done
  return 1
}

ensure_venv() {  # $1 = pip extras spec, e.g. "." or ".[test]"
  local py
  if [ -x .venv/bin/python ] && .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    :
  else
    py=$(find_python) || { echo "需要 Python 3.12 或更高版本（Django 6）。Python >= 3.12 not found; set XIAONENG_PYTHON=/path/to/python3.12" >&2; exit 2; }
    echo ">> creating .venv with $py ($("$py" --version))"
    rm -rf .venv
    "$py" -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  fi
  echo ">> installing $1"
  # pip's own warnings about this machine's extra index are noise; real failures are caught by the import below.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$1" 2>&1 | grep -vE "^WARNING: Location|^ *$" | tail -n 20 || true
  .venv/bin/python -c 'import django, xiaoneng' || { echo "installation failed" >&2; exit 2; }
}
