# shellcheck shell=bash
# Sourced by tools/setup.sh and tools/lock.sh: find a working interpreter of one Python version.
# pyenv's shims fail for versions that are not global, so real binaries are preferred; each candidate must run.
find_python() {
  local v=$1 candidate roots
  roots="$(pyenv root 2>/dev/null) ${PYENV_ROOT:-$HOME/.pyenv}"
  for candidate in $(for r in $roots; do echo "$r"/versions/"$v".*/bin/python"$v"; done) \
                   /usr/bin/python"$v" /usr/local/bin/python"$v" "$(command -v python"$v" 2>/dev/null)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# The dev venv's controller: ansible-core 2.21 needs Python 3.12+.
controller_python() {
  find_python 3.12 || find_python 3.13
}

# The floor venv's controller: the oldest Python the modules support (meta/runtime.yml, tests/config.yml), which
# ansible-core 2.16 also supports as a controller; so the floor run covers the oldest core and the oldest Python.
floor_python() {
  find_python 3.10
}
