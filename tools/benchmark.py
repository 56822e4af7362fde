#!/usr/bin/env python
"""Benchmark: the collection against a hand-written ansible.builtin.uri baseline, side by side.

Usage: .venv/bin/python tools/benchmark.py [--models 300] [--repeat 3]

Both playbooks list every hosted model of a cluster from the simulator (same data, same page size of 100).
It prints the median wall time of each and their ratio. Nothing is asserted: numbers vary by machine.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from simulator_process import SimulatorProcess  # noqa: E402  pylint: disable=wrong-import-position

CLUSTER_ID = "bench-cluster"


def timed_run(playbook, extra_vars, env):
    started = time.perf_counter()
    subprocess.run([os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "localhost,",
                    os.path.join(ROOT, "benchmarks", playbook), "-e", extra_vars], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=300, help="the uri baseline reads 3 pages of 100")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    stage_root = os.path.join(ROOT, ".cache", "bench")
    subprocess.run([os.path.join(ROOT, "tools", "stage.sh")], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, STAGE_ROOT=stage_root))
    with SimulatorProcess(ROOT) as sim:
        sim.control("/_sim/hosted-models", {"cluster_id": CLUSTER_ID, "count": args.models,
                                            "model": {"modelSpecsId": "bench-spec", "service": "bench", "port": 8080,
                                                      "status": "RUNNING"}})
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=stage_root, **sim.env())
        extra = ("bench_api_url=%s bench_api_token=%s bench_organization_id=%s bench_cluster_id=%s bench_expected=%d"
                 % (sim.url, sim.token, sim.organization_id, CLUSTER_ID, args.models))
        rows = []
        for name, playbook in (("hosted_models_info", "list_models_module.yml"),
                               ("ansible.builtin.uri x3", "list_models_uri.yml")):
            times = [timed_run(playbook, extra, env) for _run in range(args.repeat)]
            rows.append((name, statistics.median(times)))
    base = rows[1][1]
    print("Listing %d hosted models (page size 100), median of %d runs:" % (args.models, args.repeat))
    for name, seconds in rows:
        print("  %-26s %6.2f s   ratio to uri baseline %.2f" % (name, seconds, seconds / base))


if __name__ == "__main__":
    main()
