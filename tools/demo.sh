#!/usr/bin/env bash
# Runs playbooks/demo.yml: against the real CAST AI API when CASTAI_API_TOKEN is set,
# otherwise against the bundled simulator started on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/stage.sh >/dev/null
export ANSIBLE_COLLECTIONS_PATH=$PWD/.cache
export PATH=$PWD/.venv/bin:$PATH
if [ -n "${CASTAI_API_TOKEN:-}" ]; then
  echo "demo: using the CAST AI API at ${CASTAI_API_URL:-https://api.cast.ai}"
  exec ansible-playbook -i localhost, playbooks/demo.yml "$@"
fi
exec .venv/bin/python - "$@" <<'PY'
import os, subprocess, sys
sys.path.insert(0, "tools")
from simulator_process import SimulatorProcess
with SimulatorProcess(os.getcwd(), transition_seconds=1.0) as sim:
    print("demo: using the bundled simulator at %s" % sim.url, flush=True)
    env = dict(os.environ, **sim.env())
    sys.exit(subprocess.call(["ansible-playbook", "-i", "localhost,", "playbooks/demo.yml"] + sys.argv[1:], env=env))
PY
