#!/usr/bin/env bash
# Creates .venv from Python 3.10 (Rasa 3.6 refuses 3.11+) and installs the pinned
# dependencies. Usage: make-venv.sh VENV_DIR
set -euo pipefail
venv=${1:-.venv}

find_python() {
  local candidates=()
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  if command -v pyenv >/dev/null 2>&1; then
    local prefix
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -rV); do
      prefix=$(pyenv prefix "$version" 2>/dev/null) && candidates+=("$prefix/bin/python")
    done
  fi
  candidates+=(python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10)
  for py in "${candidates[@]}"; do
    if "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      echo "$py"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$venv/bin/python" ]; then
  if ! py=$(find_python); then
    echo "error: Python 3.10 not found. Rasa 3.6 needs Python 3.10 (3.11 is not supported)." >&2
    echo "Install it (e.g. 'pyenv install 3.10.13') or set PYTHON=/path/to/python3.10." >&2
    exit 1
  fi
  echo "Creating $venv from $py"
  "$py" -m venv "$venv"
fi
# This machine's pip configuration names package folders that may not exist; pip warns
# about each of them once per package, which buries real messages.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt 2>&1 \
  | { grep -v "^WARNING: Location '.*' is ignored" || true; }
"$venv/bin/python" -m pip check

# Debian's Chromium (the widget's browser tests) and nginx (the cluster), when missing.
"$(dirname "$0")/system-packages.sh"
