#!/usr/bin/env python
"""Runs every test stage of the collection and ends with one line: ``N passed, N failed``.

Usage: .venv/bin/python tools/run_tests.py [stage ...]
Stages: sanity units integration molecule lint build demo (default: all, in that order).
--only NAME (repeatable) limits sanity tests, integration targets and molecule scenarios to those names.
STAGE_ROOT (env) sets where the collection is staged (default .cache), so parallel runs do not collide.

Counting: each pytest test case is one item (from ansible-test's JUnit files), each
integration target, molecule scenario, sanity test and lint/build step is one item.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
COLLECTIONS_PATH = os.path.abspath(os.environ.get("STAGE_ROOT") or os.path.join(ROOT, ".cache"))
STAGE_DIR = os.path.join(COLLECTIONS_PATH, "ansible_collections", "castai", "ai_optimizer")
ONLY = set()
SANITY_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
CONTROLLER_PYTHON = "3.12"

sys.path.insert(0, os.path.join(ROOT, "tools"))
from simulator_process import SimulatorProcess  # noqa: E402  pylint: disable=wrong-import-position


class Results:
    def __init__(self):
        self.items = []

    def add(self, stage, name, ok, detail=""):
        self.items.append((stage, name, ok, detail))
        mark = "PASS" if ok else "FAIL"
        print("[%s] %s: %s%s" % (mark, stage, name, (" - " + detail) if detail and not ok else ""), flush=True)

    def summary(self):
        failed = [i for i in self.items if not i[2]]
        if failed:
            print("\nFailed:")
            for stage, name, _passed, detail in failed:
                print("  %s: %s %s" % (stage, name, detail))
        return len(self.items) - len(failed), len(failed)


def env_with_tools(extra=None):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.join(ROOT, ".cache", "bin"), VENV_BIN, env.get("PATH", "")])
    env["ANSIBLE_COLLECTIONS_PATH"] = COLLECTIONS_PATH
    env.pop("CASTAI_API_TOKEN", None)  # tests never talk to the real API
    env.update(extra or {})
    return env


def run(cmd, cwd=STAGE_DIR, env=None, log_name=None):
    started = time.time()
    proc = subprocess.run(cmd, cwd=cwd, env=env or env_with_tools(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    if log_name:
        log_dir = os.path.join(COLLECTIONS_PATH, "logs")
        os.makedirs(log_dir, exist_ok=True)
        with open(os.path.join(log_dir, log_name + ".log"), "w", encoding="utf-8") as handle:
            handle.write(proc.stdout)
    return proc.returncode, proc.stdout, time.time() - started


def tail(text, lines=25):
    return "\n" + "\n".join(text.rstrip().splitlines()[-lines:])


def stage():
    out = subprocess.run([os.path.join(ROOT, "tools", "stage.sh")], check=True, stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, STAGE_ROOT=COLLECTIONS_PATH))
    return out.stdout.strip()


def sanity_tests():
    code, out, _secs = run(["ansible-test", "sanity", "--list-tests"])
    if code != 0:
        return []
    return [line.strip() for line in out.splitlines() if line.strip() and " " not in line.strip()]


def stage_sanity(results):
    tests = [t for t in sanity_tests() if selected(t)]
    if not tests:
        results.add("sanity", "list tests", False, "ansible-test sanity --list-tests failed")
        return
    for test in tests:
        cmd = ["ansible-test", "sanity", "--venv", "--color", "no", "--test", test]
        if test not in MULTI_PYTHON_SANITY:
            cmd += ["--python", CONTROLLER_PYTHON]
        code, out, secs = run(cmd, log_name="sanity-" + test)
        if test in UNAVAILABLE_SANITY and code == 0 and "Skipping" in out:
            continue
        results.add("sanity", "%s (%.0fs)" % (test, secs), code == 0, tail(out) if code else "")


# Tests that check module code on every supported module Python rather than only the controller's.
MULTI_PYTHON_SANITY = ("compile", "import")
# Need a container engine, PowerShell or shellcheck; ansible-test skips them with a warning here.
UNAVAILABLE_SANITY = ("pslint", "shellcheck")


def selected(name):
    return not ONLY or name in ONLY


def junit_cases(pattern):
    cases = []
    for path in glob.glob(pattern):
        for case in ET.parse(path).getroot().iter("testcase"):
            failed = case.find("failure") is not None or case.find("error") is not None
            skipped = case.find("skipped") is not None
            cases.append(("%s::%s" % (case.get("classname"), case.get("name")), failed, skipped))
    return cases


def stage_units(results):
    junit_dir = os.path.join(STAGE_DIR, "tests", "output", "junit")
    shutil.rmtree(junit_dir, ignore_errors=True)
    code, out, _secs = run(["ansible-test", "units", "--local", "--color", "no", "--python", CONTROLLER_PYTHON],
                           log_name="units")
    cases = junit_cases(os.path.join(junit_dir, "*.xml"))
    if not cases:
        results.add("units", "ansible-test units", False, tail(out))
        return
    for name, failed, skipped in cases:
        if skipped:
            results.add("units", name, False, "skipped tests do not count as passing")
        else:
            results.add("units", name, not failed)
    if code != 0 and not any(failed for _name, failed, _skipped in cases):
        results.add("units", "ansible-test units exit code", False, tail(out))


def write_integration_config(sim):
    config = {
        "castai_api_url": sim.url,
        "castai_api_token": sim.token,
        "castai_organization_id": sim.organization_id,
        "castai_simulator_url": sim.url,
    }
    path = os.path.join(STAGE_DIR, "tests", "integration", "integration_config.yml")
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle)


def integration_targets():
    base = os.path.join(STAGE_DIR, "tests", "integration", "targets")
    targets = []
    for name in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        aliases = os.path.join(base, name, "aliases")
        text = open(aliases, encoding="utf-8").read() if os.path.exists(aliases) else ""
        if "hidden" in text.split() or "disabled" in text.split():
            continue
        targets.append(name)
    return targets


def stage_integration(results, sim):
    write_integration_config(sim)
    for target in filter(selected, integration_targets()):
        code, out, secs = run(["ansible-test", "integration", "--local", "--color", "no", "--python", CONTROLLER_PYTHON,
                               target], log_name="integration-" + target)
        results.add("integration", "%s (%.0fs)" % (target, secs), code == 0, tail(out, 40) if code else "")


def stage_molecule(results, sim):
    base = os.path.join(STAGE_DIR, "extensions", "molecule")
    scenarios = sorted(d for d in os.listdir(base) if os.path.isfile(os.path.join(base, d, "molecule.yml"))) \
        if os.path.isdir(base) else []
    env = env_with_tools(sim.env())
    for scenario in filter(selected, scenarios):
        code, out, secs = run(["molecule", "test", "-s", scenario], cwd=os.path.join(STAGE_DIR, "extensions"),
                              env=env, log_name="molecule-" + scenario)
        results.add("molecule", "%s (%.0fs)" % (scenario, secs), code == 0, tail(out, 40) if code else "")


def stage_lint(results):
    checks = [
        ("ansible-lint production", ["ansible-lint", "--profile", "production", "--offline"]),
        ("antsibull-docs lint", ["antsibull-docs", "lint-collection-docs", "--plugin-docs", "."]),
        ("antsibull-changelog lint", ["antsibull-changelog", "lint"]),
    ]
    for name, cmd in checks:
        code, out, _secs = run(cmd, log_name=name.split()[0])
        results.add("lint", name, code == 0, tail(out) if code else "")


def stage_build(results, sim):
    """Build the tarball, install it into an empty collections path and run a playbook from the installed copy."""
    workdir = tempfile.mkdtemp(prefix="castai-build-")
    try:
        code, out, _secs = run(["ansible-galaxy", "collection", "build", "--output-path", workdir, "--force"],
                               log_name="build")
        tarballs = glob.glob(os.path.join(workdir, "castai-ai_optimizer-*.tar.gz"))
        results.add("build", "ansible-galaxy collection build", code == 0 and len(tarballs) == 1, tail(out))
        if not tarballs:
            return
        install_dir = os.path.join(workdir, "collections")
        # Only the empty install folder on the collections path: otherwise galaxy finds the staged copy
        # and reports "already installed" without installing anything.
        code, out, _secs = run(["ansible-galaxy", "collection", "install", "--offline", "-p", install_dir, tarballs[0]],
                               env=env_with_tools({"ANSIBLE_COLLECTIONS_PATH": install_dir}), log_name="install")
        installed = os.path.join(install_dir, "ansible_collections", "castai", "ai_optimizer")
        leaked = [p for p in ("tools", "tests/output", ".ci", "Makefile") if os.path.exists(os.path.join(installed, p))]
        installed_ok = code == 0 and os.path.isfile(os.path.join(installed, "plugins", "modules", "api_key.py"))
        results.add("build", "install tarball", installed_ok and not leaked, tail(out) + " leaked: %s" % leaked)
        env = env_with_tools(sim.env({"ANSIBLE_COLLECTIONS_PATH": install_dir}))
        code, out, _secs = run(["ansible-playbook", "-i", "localhost,", "-c", "local",
                                os.path.join(ROOT, "tests", "installed", "smoke.yml")], cwd=workdir, env=env,
                               log_name="installed-smoke")
        results.add("build", "playbook from installed copy", code == 0, tail(out))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stage_demo(results, sim):
    env = env_with_tools(sim.env())
    code, out, secs = run(["ansible-playbook", "-i", "localhost,", os.path.join(ROOT, "playbooks", "demo.yml")],
                          cwd=ROOT, env=env,
                          log_name="demo")
    results.add("demo", "playbooks/demo.yml against the simulator (%.0fs)" % secs, code == 0, tail(out, 40))


STAGES = ("sanity", "units", "integration", "molecule", "lint", "build", "demo")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="*", metavar="STAGE", help="one of: " + " ".join(STAGES))
    parser.add_argument("--only", action="append", default=[], help="a sanity test, integration target or scenario")
    args = parser.parse_args()
    ONLY.update(args.only)
    unknown = [s for s in args.stages if s not in STAGES]
    if unknown:
        parser.error("unknown stage(s): %s" % " ".join(unknown))
    started = time.time()
    stage()
    results = Results()
    with SimulatorProcess(ROOT, transition_seconds=0.3) as sim:
        for name in args.stages or STAGES:
            print("== %s" % name, flush=True)
            t0 = time.time()
            func = globals()["stage_" + name]
            if "sim" in func.__code__.co_varnames[:func.__code__.co_argcount]:
                func(results, sim)
            else:
                func(results)
            print("== %s took %.0fs" % (name, time.time() - t0), flush=True)
    passed, failed = results.summary()
    print("\nTotal time %.0fs" % (time.time() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
