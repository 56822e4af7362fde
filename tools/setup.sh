#!/usr/bin/env bash
# One-time (and idempotent) set-up of a fresh machine for the demo and the tests:
# the pinned dev venv, the pythonX.Y links ansible-test looks for, and the offline
# pip bootstrap that ansible-test would otherwise download from outside the registries.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
# The version floor (tools/requirements-floor.txt) for the compat stage; under .cache so it is never staged or built.
FLOOR_VENV=$ROOT/.cache/venv-floor
BIN=$ROOT/.cache/bin

. tools/pythons.sh

# ansible-core 2.21 needs a 3.12+ controller.
CONTROLLER=$(controller_python) || { echo "setup: Python 3.12 or 3.13 is required" >&2; exit 1; }

mkdir -p "$BIN"
for v in 3.10 3.11 3.12 3.13; do
  if p=$(find_python "$v"); then ln -sfn "$p" "$BIN/python$v"; fi
done

# Rebuilt only when its pins change, like .venv.
build_venv() {  # build_venv DIR PYTHON REQUIREMENTS
  local dir=$1 python=$2 reqs=$3 stamp
  stamp=$(sha256sum "$reqs" | cut -d' ' -f1)
  if [ ! -x "$dir/bin/python" ] || [ "$(cat "$dir/.requirements.sha" 2>/dev/null)" != "$stamp" ]; then
    echo "setup: building $dir with $python"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$reqs" 2> >(grep -v "^WARNING: Location" >&2)
    echo "$stamp" > "$dir/.requirements.sha"
  fi
}

build_venv "$VENV" "$CONTROLLER" requirements-dev.txt
FLOOR_PYTHON=$(floor_python) || { echo "setup: Python 3.10 is required for the floor venv (compat stage)" >&2; exit 1; }
build_venv "$FLOOR_VENV" "$FLOOR_PYTHON" tools/requirements-floor.txt

# ansible-test bootstraps pip in each venv it makes with a get-pip script it downloads from a host
# outside the package registries, unless ~/.ansible/test/cache/get_pip_<version>.py exists.
pip_version=$("$VENV/bin/python" - <<'PY'
import re, ansible_test, pathlib
src = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print(re.search(r"pip='([^']+)'", src).group(1))
PY
)
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
if ! ls "$cache"/pip-"$pip_version"-*.whl >/dev/null 2>&1; then
  "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d "$cache" "pip==$pip_version" 2> >(grep -v "^WARNING: Location" >&2)
fi
cp tools/get_pip_offline.py "$cache/get_pip_${pip_version//./_}.py"
echo "setup: ready (venv $VENV, floor venv $FLOOR_VENV, ansible-test pip $pip_version)"
