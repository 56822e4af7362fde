#!/usr/bin/env python
"""Runs every test stage of the collection and ends with one line: ``N passed, N failed``.

Usage: .venv/bin/python tools/run_tests.py [stage ...]
Stages: sanity units integration molecule examples lint ruff actionlint docs build demo compat (default: all, in
that order).
--only NAME (repeatable) limits sanity tests, integration targets, molecule scenarios and examples (module names)
to those names.
STAGE_ROOT (env) sets where the collection is staged (default .cache), so parallel runs do not collide.

Counting: each pytest test case is one item (from ansible-test's JUnit files), each
integration target, molecule scenario, sanity test, module's examples, workflow file and lint/build/docs/compat
step is one item.
"""

import argparse
import configparser
import glob
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
# The version floor (tools/requirements-floor.txt, built by tools/setup.sh): ansible-core 2.16 on Python 3.10.
FLOOR_BIN = os.path.join(ROOT, ".cache", "venv-floor", "bin")
COLLECTIONS_PATH = os.path.abspath(os.environ.get("STAGE_ROOT") or os.path.join(ROOT, ".cache"))
STAGE_DIR = os.path.join(COLLECTIONS_PATH, "ansible_collections", "castai", "ai_optimizer")
ONLY = set()
SANITY_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
CONTROLLER_PYTHON = "3.12"

sys.path.insert(0, os.path.join(ROOT, "tools"))
import awx_runner_test  # noqa: E402  pylint: disable=wrong-import-position
import ee_check  # noqa: E402  pylint: disable=wrong-import-position
import run_examples  # noqa: E402  pylint: disable=wrong-import-position
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


def env_with_tools(extra=None, bin_dir=VENV_BIN):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.join(ROOT, ".cache", "bin"), bin_dir, env.get("PATH", "")])
    env["ANSIBLE_COLLECTIONS_PATH"] = COLLECTIONS_PATH
    env.pop("CASTAI_API_TOKEN", None)  # tests never talk to the real API
    env.update(extra or {})
    return env


def run(cmd, cwd=STAGE_DIR, env=None, log_name=None):
    started = time.time()
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env or env_with_tools(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if log_name:
        log_dir = os.path.join(COLLECTIONS_PATH, "logs")
        os.makedirs(log_dir, exist_ok=True)
        with open(os.path.join(log_dir, log_name + ".log"), "w", encoding="utf-8") as handle:
            handle.write(proc.stdout)
    return proc.returncode, proc.stdout, time.time() - started


def tail(text, lines=25):
    return "\n" + "\n".join(text.rstrip().splitlines()[-lines:])


def stage():
    out = subprocess.run(
        [os.path.join(ROOT, "tools", "stage.sh")],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, STAGE_ROOT=COLLECTIONS_PATH),
    )
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
    code, out, _secs = run(
        ["ansible-test", "units", "--local", "--color", "no", "--python", CONTROLLER_PYTHON], log_name="units"
    )
    print_suite_summaries(out)
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


def print_suite_summaries(out):
    """The fault matrix and the bad-input summary, which the suites print into the units log, on the console too."""
    lines = out.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("fault matrix: operations x faults"):
            block = lines[index:]
            end = next((n for n, text in enumerate(block) if text.startswith("fault matrix: ") and n), len(block) - 1)
            print("\n".join(block[: end + 1]), flush=True)
        elif line.startswith("bad input: "):
            print(line, flush=True)


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
        text = ""
        if os.path.exists(aliases):
            with open(aliases, encoding="utf-8") as handle:
                text = handle.read()
        if {"hidden", "disabled", "unsupported"} & set(text.split()):
            continue
        targets.append(name)
    return targets


def stage_integration(results, sim):
    write_integration_config(sim)
    for target in filter(selected, integration_targets()):
        code, out, secs = run(
            ["ansible-test", "integration", "--local", "--color", "no", "--python", CONTROLLER_PYTHON, target],
            log_name="integration-" + target,
        )
        results.add("integration", "%s (%.0fs)" % (target, secs), code == 0, tail(out, 40) if code else "")
    if selected(REAL_API_TARGET):
        stage_real_api_target(results, sim)


def stage_molecule(results, sim):
    base = os.path.join(STAGE_DIR, "extensions", "molecule")
    scenarios = (
        sorted(d for d in os.listdir(base) if os.path.isfile(os.path.join(base, d, "molecule.yml")))
        if os.path.isdir(base)
        else []
    )
    env = env_with_tools(sim.env())
    for scenario in filter(selected, scenarios):
        code, out, secs = run(
            ["molecule", "test", "-s", scenario],
            cwd=os.path.join(STAGE_DIR, "extensions"),
            env=env,
            log_name="molecule-" + scenario,
        )
        results.add("molecule", "%s (%.0fs)" % (scenario, secs), code == 0, tail(out, 40) if code else "")


def stage_lint(results):
    # ansible-lint runs from the repository root, as a contributor runs it in a plain clone: .ansible-lint lets it
    # install the collection from the working tree into its own cache, so no staged copy or collections path is used.
    # Not offline, ansible-lint would also refresh its JSON schemas from the network into the venv; keep the run
    # deterministic and the pinned venv unchanged.
    root_env = env_with_tools({"ANSIBLE_LINT_SKIP_SCHEMA_UPDATE": "1"})
    root_env.pop("ANSIBLE_COLLECTIONS_PATH")
    code, out, _secs = run(["ansible-lint", "--nocolor"], cwd=ROOT, env=root_env, log_name="ansible-lint")
    results.add("lint", "ansible-lint production (repo root)", code == 0, tail(out) if code else "")
    checks = [
        ("antsibull-docs lint", ["antsibull-docs", "lint-collection-docs", "--plugin-docs", "."]),
        ("antsibull-changelog lint", ["antsibull-changelog", "lint"]),
    ]
    for name, cmd in checks:
        code, out, _secs = run(cmd, log_name=name.split()[0])
        results.add("lint", name, code == 0, tail(out) if code else "")


def stage_ruff(results):
    """Lint and formatting of the working tree with the settings in pyproject.toml."""
    for name, cmd in (
        ("ruff check", ["ruff", "check", "--no-cache", "--output-format", "concise", "."]),
        ("ruff format --check", ["ruff", "format", "--no-cache", "--check", "--output-format", "concise", "."]),
    ):
        code, out, _secs = run(cmd, cwd=ROOT, log_name=name.replace(" ", "-").replace("--", ""))
        results.add(
            "ruff",
            name,
            code == 0,
            tail(out) + "\nfix with: .venv/bin/ruff format . && .venv/bin/ruff check --fix ." if code else "",
        )


def stage_actionlint(results):
    """The GitHub workflows cannot run here: actionlint checks each one, and workflow_gates() checks what they cover."""
    workflows = sorted(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))
    if not workflows:
        results.add("actionlint", ".github/workflows", False, "no workflow files")
        return
    for path in workflows:
        name = os.path.relpath(path, ROOT)
        code, out, _secs = run(
            ["actionlint", "-no-color", name], cwd=ROOT, log_name="actionlint-" + os.path.basename(path)
        )
        results.add("actionlint", name, code == 0, tail(out) if code else "")
    problems = workflow_gates(workflows)
    results.add("actionlint", "workflows cover the gates", not problems, "; ".join(problems))


def workflow_gates(paths):
    """What the workflows must hold: a sanity matrix from the requires_ansible floor to devel (devel may fail), units,
    integration, docs, a changelog-fragment check on pull requests and one gate job that needs every other job."""
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        floor = ".".join(yaml.safe_load(handle)["requires_ansible"].lstrip(">=").split(".")[:2])
    jobs, problems = {}, []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            jobs.update(yaml.safe_load(handle).get("jobs") or {})
    for needed in ("sanity", "units", "integration", "docs", "changelog", "gate"):
        if needed not in jobs:
            problems.append("no %s job" % needed)
    matrix = ((jobs.get("sanity") or {}).get("strategy") or {}).get("matrix") or {}
    versions = [str(v) for v in matrix.get("ansible") or []]
    if "stable-" + floor not in versions:
        problems.append("sanity matrix lacks the floor stable-%s (meta/runtime.yml)" % floor)
    if "devel" not in versions:
        problems.append("sanity matrix lacks devel")
    if "continue-on-error" not in (jobs.get("sanity") or {}):
        problems.append("devel is not allowed to fail in sanity")
    if "pull_request" not in str((jobs.get("changelog") or {}).get("if", "")):
        problems.append("the changelog job does not run on pull requests only")
    gate = jobs.get("gate") or {}
    missing = sorted(set(jobs) - {"gate"} - set(gate.get("needs") or []))
    if missing:
        problems.append("gate does not need: %s" % ", ".join(missing))
    if "always()" not in str(gate.get("if", "")):
        problems.append("gate does not run when a needed job failed or was skipped")
    return problems


# The gaps tools/return_docs.py may list, all of one cause: these analytics series hold their steps under the key
# `items`, which validate-modules refuses to document (Jinja reads `.items` as the dict method), so they cannot have
# `contains`; their RETURN text describes them instead. Renaming the key in the module's result would end this list.
# An entry that is no longer a gap fails the check, so the list cannot go stale.
def stage_docs(results):
    """The HTML docsite (module docs and the guides) built offline with antsibull-docs and Sphinx; any warning fails."""
    code, out, secs = run(
        [os.path.join(ROOT, "tools", "build_docs.sh")],
        cwd=ROOT,
        env=env_with_tools({"DOCS_ROOT": os.path.join(COLLECTIONS_PATH, "docsite")}),
        log_name="docs",
    )
    warnings = [line for line in out.splitlines() if "WARNING" in line or "ERROR" in line]
    results.add(
        "docs",
        "docsite build, 0 warnings (%.0fs)" % secs,
        code == 0 and not warnings,
        "\n".join(warnings[:20]) or tail(out),
    )
    _code, out, _secs = run(
        [os.path.join(VENV_BIN, "python"), os.path.join(ROOT, "tools", "return_docs.py")],
        cwd=ROOT,
        log_name="return-docs",
    )
    gaps = [line for line in out.splitlines() if not line.endswith("without contains/sample")]
    results.add(
        "docs", "every RETURN dict or list has contains and a sample (tools/return_docs.py)", not gaps, "\n".join(gaps)
    )
    missing = guides_outside_docsite()
    results.add(
        "docs",
        "every guide in docs/*.md is in docs/docsite/extra-docs.yml",
        not missing,
        "no docsite page for: %s" % ", ".join(missing),
    )
    for guide in sorted(os.path.splitext(os.path.basename(p))[0] for p in guide_files()):
        drift = heading_drift(guide)
        results.add("docs", "docs/%s.md and its docsite page have the same sections" % guide, not drift, drift)


# Pages in docs/ that a tool writes (tools/benchmark.py: the measurements of the machine it ran on): reports, not
# guides, so they are not kept as docsite pages.
GENERATED_PAGES = ("performance.md",)


def guide_files():
    return [p for p in glob.glob(os.path.join(ROOT, "docs", "*.md")) if os.path.basename(p) not in GENERATED_PAGES]


def guides_outside_docsite():
    """Guides in docs/*.md (read on GitHub) without their RST page listed in docs/docsite/extra-docs.yml."""
    with open(os.path.join(ROOT, "docs", "docsite", "extra-docs.yml"), encoding="utf-8") as handle:
        sections = yaml.safe_load(handle).get("sections") or []
    listed = {entry for section in sections for entry in section.get("toctree") or []}
    guides = sorted(os.path.splitext(os.path.basename(p))[0] for p in guide_files())
    return [
        g
        for g in guides
        if g not in listed or not os.path.isfile(os.path.join(ROOT, "docs", "docsite", "rst", g + ".rst"))
    ]


def heading_drift(guide):
    """'' when docs/GUIDE.md and docs/docsite/rst/GUIDE.rst have the same section titles in the same order, else
    the first difference: the two copies of a guide are edited by hand, and a section added to one is the usual drift."""
    rst_path = os.path.join(ROOT, "docs", "docsite", "rst", guide + ".rst")
    if not os.path.isfile(rst_path):
        return "no %s" % os.path.relpath(rst_path, ROOT)
    with open(os.path.join(ROOT, "docs", guide + ".md"), encoding="utf-8") as handle:
        md_lines = handle.read().splitlines()
    with open(rst_path, encoding="utf-8") as handle:
        rst_lines = handle.read().splitlines()
    md, fenced = [], False
    for line in md_lines:
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            md.append(re.sub(r"[`*]", "", line.lstrip("#").strip()))
    underline = re.compile(r"([=\-~^\"'`#*+])\1{2,}")
    rst = [
        re.sub(r"[`*]", "", title.strip())
        for title, line in zip(rst_lines, rst_lines[1:], strict=False)
        if underline.fullmatch(line)
        and title.strip()
        and not underline.fullmatch(title)
        and len(line) >= len(title.rstrip())
    ]
    for index, (left, right) in enumerate(itertools.zip_longest(md, rst)):
        if left != right:
            return "section %d: %r in the Markdown, %r in the RST" % (index + 1, left, right)
    return ""


def stage_examples(results, sim):
    """Every module's EXAMPLES run against the simulator (tools/run_examples.py); named skips are listed."""
    modules = [m for m in run_examples.module_names(STAGE_DIR) if selected(m)]
    for module, reason in run_examples.skipped(modules):
        print("[SKIP] examples: %s - %s" % (module, reason), flush=True)
    for module in modules:
        ok, detail, secs = run_examples.run_module_examples(
            STAGE_DIR, module, sim, env_with_tools(sim.env()), log_dir=os.path.join(COLLECTIONS_PATH, "logs")
        )
        results.add("examples", "%s (%.0fs)" % (module, secs), ok, detail)


def stage_build(results, sim, stage_name="build", bin_dir=VENV_BIN):
    """Build the tarball, install it into an empty collections path and run a playbook from the installed copy."""
    workdir = tempfile.mkdtemp(prefix="castai-build-")
    try:
        code, out, _secs = run(
            ["ansible-galaxy", "collection", "build", "--output-path", workdir, "--force"],
            env=env_with_tools(bin_dir=bin_dir),
            log_name=stage_name + "-build",
        )
        tarballs = glob.glob(os.path.join(workdir, "castai-ai_optimizer-*.tar.gz"))
        results.add(stage_name, "ansible-galaxy collection build", code == 0 and len(tarballs) == 1, tail(out))
        if not tarballs:
            return
        install_dir = os.path.join(workdir, "collections")
        # Only the empty install folder on the collections path: otherwise galaxy finds the staged copy
        # and reports "already installed" without installing anything.
        code, out, _secs = run(
            ["ansible-galaxy", "collection", "install", "--offline", "-p", install_dir, tarballs[0]],
            env=env_with_tools({"ANSIBLE_COLLECTIONS_PATH": install_dir}, bin_dir=bin_dir),
            log_name=stage_name + "-install",
        )
        installed = os.path.join(install_dir, "ansible_collections", "castai", "ai_optimizer")
        leaked = [p for p in ("tools", "tests/output", ".ci", "Makefile") if os.path.exists(os.path.join(installed, p))]
        installed_ok = code == 0 and os.path.isfile(os.path.join(installed, "plugins", "modules", "api_key.py"))
        results.add(stage_name, "install tarball", installed_ok and not leaked, tail(out) + " leaked: %s" % leaked)
        env = env_with_tools(sim.env({"ANSIBLE_COLLECTIONS_PATH": install_dir}), bin_dir=bin_dir)
        code, out, _secs = run(
            [
                "ansible-playbook",
                "-i",
                "localhost,",
                "-c",
                "local",
                os.path.join(ROOT, "tests", "installed", "smoke.yml"),
            ],
            cwd=workdir,
            env=env,
            log_name=stage_name + "-installed-smoke",
        )
        results.add(stage_name, "playbook from installed copy", code == 0, tail(out))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stage_demo(results, sim, stage_name="demo", bin_dir=VENV_BIN):
    env = env_with_tools(sim.env(), bin_dir=bin_dir)
    code, out, secs = run(
        ["ansible-playbook", "-i", "localhost,", os.path.join(ROOT, "playbooks", "demo.yml")],
        cwd=ROOT,
        env=env,
        log_name=stage_name + "-demo",
    )
    results.add(stage_name, "playbooks/demo.yml against the simulator (%.0fs)" % secs, code == 0, tail(out, 40))
    if stage_name == "demo":
        stage_demo_real_api(results)


def stage_compat(results, sim):
    """The version floor: meta/runtime.yml's requires_ansible admits ansible-core 2.16, so 2.16 (its newest patch,
    pinned in tools/requirements-floor.txt) on Python 3.10 with the oldest requests and urllib3 that requirements.txt
    admits builds, installs and runs the collection: ansible-doc of every module, the installed-tarball smoke test and the demo. Units need
    patch_module_args (ansible-core 2.19+), so they run on the current core only."""
    python = os.path.join(FLOOR_BIN, "python")
    if not os.path.exists(python):
        results.add("compat", "floor venv", False, "%s is missing: run make setup" % python)
        return
    code, out, _secs = run([os.path.join(FLOOR_BIN, "ansible"), "--version"], env=env_with_tools(bin_dir=FLOOR_BIN))
    version = out.splitlines()[0] if out else ""
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        floor = yaml.safe_load(handle)["requires_ansible"].lstrip(">=")
    floor_ok = code == 0 and ("[core %s." % ".".join(floor.split(".")[:2])) in version
    results.add("compat", "floor venv runs the requires_ansible floor %s: %s" % (floor, version), floor_ok, out)
    if not floor_ok:
        return
    modules = ["castai.ai_optimizer." + name for name in run_examples.module_names(STAGE_DIR)]
    code, out, _secs = run(
        ["ansible-doc", "-t", "module"] + modules, env=env_with_tools(bin_dir=FLOOR_BIN), log_name="compat-ansible-doc"
    )
    shown = {line.split()[1].lower() for line in out.splitlines() if line.startswith("> ")}
    problems = [line for line in out.splitlines() if line.startswith(("[WARNING]", "[ERROR]", "ERROR!"))]
    problems += ["not rendered: " + name for name in modules if name not in shown]
    results.add(
        "compat", "ansible-doc renders every module", code == 0 and not problems, "\n".join(problems) or tail(out)
    )
    stage_build(results, sim, stage_name="compat", bin_dir=FLOOR_BIN)
    stage_demo(results, sim, stage_name="compat", bin_dir=FLOOR_BIN)


# ---- the AWX checks, the execution environment and the opt-in real-API runs (issue 12) ----------------------------
REAL_API_TARGET = "castai_real_api"
CLOUD_CONFIG = os.path.join(ROOT, "tests", "integration", "cloud-config-castai.ini")
REAL_API_KEYS = ("castai_api_url", "castai_api_token", "castai_cluster_id", "castai_organization_id")


def real_api_config():
    """(values, None) from tests/integration/cloud-config-castai.ini (ansible-test's cloud-config-<cloud>.ini
    convention; see its .template), (None, None) without that file, (None, why) when it is unusable."""
    if not os.path.exists(CLOUD_CONFIG):
        return None, None
    name = os.path.relpath(CLOUD_CONFIG, ROOT)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(CLOUD_CONFIG, encoding="utf-8")
        values = {key: parser.get("default", key, fallback="").strip() for key in REAL_API_KEYS}
    except configparser.Error as exc:
        return None, "%s: cannot read it (%s)" % (name, type(exc).__name__)  # the parser's text may quote the token
    unset = [k for k in REAL_API_KEYS[:3] if not values[k] or values[k].startswith("@")]
    if unset:
        return None, "%s: set %s (see its .template)" % (name, ", ".join(unset))
    return values, None


def stage_real_api_target(results, sim):
    """castai_real_api (read-only, alias `unsupported` so ansible-test never picks it up on its own) against the simulator
    on every run, so that it cannot rot, and against the real API when tests/integration/cloud-config-castai.ini exists;
    without that file the real-API run is skipped and not counted."""
    runs = [
        (
            "simulator",
            {
                "castai_api_url": sim.url,
                "castai_api_token": sim.token,
                "castai_cluster_id": "demo-cluster",
                "castai_organization_id": "",
                "castai_simulator_url": sim.url,
            },
        )
    ]
    config, problem = real_api_config()
    if problem:
        results.add("integration", "%s (real API)" % REAL_API_TARGET, False, problem)
    elif config is None:
        print(
            "[SKIP] integration: %s (real API) - no %s" % (REAL_API_TARGET, os.path.relpath(CLOUD_CONFIG, ROOT)),
            flush=True,
        )
    else:
        runs.append(("real API", config))
    path = os.path.join(STAGE_DIR, "tests", "integration", "integration_config.yml")
    try:
        for label, values in runs:
            with open(path, "w", encoding="utf-8") as handle:
                yaml.safe_dump(values, handle)
            code, out, secs = run(
                [
                    "ansible-test",
                    "integration",
                    "--local",
                    "--color",
                    "no",
                    "--python",
                    CONTROLLER_PYTHON,
                    "--allow-unsupported",
                    REAL_API_TARGET,
                ],
                log_name="integration-%s-%s" % (REAL_API_TARGET, label.split()[0]),
            )
            results.add(
                "integration",
                "%s (%s, %.0fs)" % (REAL_API_TARGET, label, secs),
                code == 0,
                tail(out, 40) if code else "",
            )
    finally:
        write_integration_config(sim)  # the simulator's values again, so the real token does not stay on disk


def stage_demo_real_api(results):
    """The demo's read-only path against the real API when tests/integration/cloud-config-castai.ini exists:
    usage_report.yml, and private_model.yml without its journey, only read there (demo.yml itself creates an API key,
    so it is not run against the real API)."""
    config, problem = real_api_config()
    if problem:
        results.add("demo", "read-only playbooks against the real API", False, problem)
        return
    if config is None:
        print(
            "[SKIP] demo: read-only playbooks against the real API - no %s" % os.path.relpath(CLOUD_CONFIG, ROOT),
            flush=True,
        )
        return
    env = {
        "CASTAI_API_URL": config["castai_api_url"],
        "CASTAI_API_TOKEN": config["castai_api_token"],
        "CASTAI_ORGANIZATION_ID": config["castai_organization_id"],
        "CASTAI_SIMULATOR_URL": "",
    }
    for playbook in ("usage_report.yml", "private_model.yml"):
        code, out, secs = run(
            [
                "ansible-playbook",
                "-i",
                "localhost,",
                os.path.join(ROOT, "playbooks", playbook),
                "-e",
                json.dumps({"cluster_id": config["castai_cluster_id"]}),
            ],
            cwd=ROOT,
            env=env_with_tools(env),
            log_name="demo-real-api-" + playbook[:-4],
        )
        results.add(
            "demo", "playbooks/%s against the real API, read-only (%.0fs)" % (playbook, secs), code == 0, tail(out, 40)
        )


def stage_awx(results, sim):
    """AWX jobs run through ansible-runner with the shipped credential types, against the simulator
    (tools/awx_runner_test.py)."""
    for name, ok, detail in awx_runner_test.checks(STAGE_DIR, sim):
        results.add("awx", name, ok, detail)


def stage_ee(results):
    """`ansible-builder create` on extensions/awx/execution-environment.yml, and the Python requirements the image
    would get (tools/ee_check.py)."""
    for name, ok, detail in ee_check.checks(STAGE_DIR):
        results.add("ee", name, ok, detail)


# The settings Automation Hub's certified import applies, stricter than galaxy-importer's defaults.
IMPORTER_STRICT = {
    "GALAXY_IMPORTER_REQUIRE_V1_OR_GREATER": "true",
    "GALAXY_IMPORTER_CHECK_REQUIRED_TAGS": "true",
    "GALAXY_IMPORTER_RUN_FLAKE8": "true",
    "GALAXY_IMPORTER_CHECK_CHANGELOG": "true",
    "GALAXY_IMPORTER_RUN_ANSIBLE_DOC": "true",
    "GALAXY_IMPORTER_RUN_ANSIBLE_LINT": "true",
    "GALAXY_IMPORTER_OFFLINE_ANSIBLE_LINT": "true",
    "GALAXY_IMPORTER_RUN_ANSIBLE_TEST": "false",  # needs a container engine; the sanity stage runs it
}


def stage_importer(results):
    """The built tarball through galaxy-importer with the strict settings: version >= 1.0, required tags, flake8,
    changelog, ansible-doc and ansible-lint; any error or warning fails."""
    workdir = tempfile.mkdtemp(prefix="castai-importer-")
    try:
        code, out, _secs = run(
            ["ansible-galaxy", "collection", "build", "--output-path", workdir, "--force"], log_name="importer-build"
        )
        tarballs = glob.glob(os.path.join(workdir, "castai-ai_optimizer-*.tar.gz"))
        if code != 0 or len(tarballs) != 1:
            results.add("importer", "ansible-galaxy collection build", False, tail(out))
            return
        code, out, secs = run(
            [os.path.join(VENV_BIN, "python"), "-m", "galaxy_importer.main", tarballs[0]],
            cwd=workdir,
            env=env_with_tools(dict(IMPORTER_STRICT, GALAXY_IMPORTER_TMP_ROOT_DIR=workdir)),
            log_name="importer",
        )
        problems = [line for line in out.splitlines() if re.search(r"\b(ERROR|WARNING)\b", line)]
        results.add(
            "importer",
            "galaxy-importer, strict settings (%.0fs)" % secs,
            code == 0 and not problems,
            "\n".join(problems[:30]) or tail(out),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


STAGES = (
    "sanity",
    "units",
    "integration",
    "molecule",
    "examples",
    "lint",
    "ruff",
    "actionlint",
    "docs",
    "build",
    "awx",
    "ee",
    "importer",
    "demo",
    "compat",
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="*", metavar="STAGE", help="one of: " + " ".join(STAGES))
    parser.add_argument(
        "--only", action="append", default=[], help="a sanity test, integration target, scenario or module (examples)"
    )
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
            if "sim" in func.__code__.co_varnames[: func.__code__.co_argcount]:
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
