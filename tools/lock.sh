#!/usr/bin/env bash
# `make lock`: resolve requirements-dev.in (and the floor's tools/requirements-floor.in) with pip's resolver in
# throw-away venvs and write the full pinned trees to requirements-dev.txt and tools/requirements-floor.txt.
# The next `make setup` sees the new requirements-dev.txt and rebuilds .venv (or run
# `.venv/bin/pip install -r requirements-dev.txt` and update .venv/.requirements.sha to keep a shared venv).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/pythons.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

freeze() {  # freeze PYTHON IN OUT
  local python=$1 in=$2 out=$3 tmp
  tmp=$(mktemp -d -p "$work")
  "$python" -m venv "$tmp/venv"
  "$tmp/venv/bin/pip" install --quiet --disable-pip-version-check -r "$in" 2> >(grep -v "^WARNING: Location" >&2)
  "$tmp/venv/bin/pip" check
  {
    echo "# Frozen from $in with Python $("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') (make lock). Do not edit by hand."
    "$tmp/venv/bin/pip" freeze --disable-pip-version-check
  } > "$out.new"
  mv "$out.new" "$out"
  echo "lock: wrote $out ($(grep -vc '^#' "$out") packages)"
}

controller=$(controller_python) || { echo "lock: Python 3.12 or 3.13 is required" >&2; exit 1; }
floor=$(floor_python) || { echo "lock: Python 3.10 is required for the floor venv" >&2; exit 1; }
freeze "$controller" requirements-dev.in requirements-dev.txt
freeze "$floor" tools/requirements-floor.in tools/requirements-floor.txt
