#!/usr/bin/env bash
# One-time (and idempotent) set-up of a fresh machine for the demo and the tests:
# the pinned dev venv, the pythonX.Y links ansible-test looks for, and the offline
# pip bootstrap that ansible-test would otherwise download from outside the registries.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
BIN=$ROOT/.cache/bin

find_python() {
  local v=$1 candidate
  local roots="$(pyenv root 2>/dev/null) ${PYENV_ROOT:-$HOME/.pyenv}"
  for candidate in $(for r in $roots; do echo "$r"/versions/"$v".*/bin/python"$v"; done) \
                   /usr/bin/python"$v" /usr/local/bin/python"$v"; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# ansible-core 2.21 needs a 3.12+ controller.
CONTROLLER=$(find_python 3.12 || find_python 3.13) || { echo "setup: Python 3.12 or 3.13 is required" >&2; exit 1; }

mkdir -p "$BIN"
for v in 3.10 3.11 3.12 3.13; do
  if p=$(find_python "$v"); then ln -sfn "$p" "$BIN/python$v"; fi
done

stamp=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements.sha" 2>/dev/null)" != "$stamp" ]; then
  echo "setup: building $VENV with $CONTROLLER"
  rm -rf "$VENV"
  "$CONTROLLER" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements-dev.txt 2> >(grep -v "^WARNING: Location" >&2)
  echo "$stamp" > "$VENV/.requirements.sha"
fi

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
echo "setup: ready (venv $VENV, ansible-test pip $pip_version)"
