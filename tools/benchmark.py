#!/usr/bin/env python
"""Benchmark: the collection's modules against ansible.builtin.uri and ping, on a fast loopback server.

Usage: .venv/bin/python tools/benchmark.py [--quick] [--runs N] [--doc PATH | --no-doc] [--ref REV]

Runs the playbooks in benchmarks/ against benchmarks/fixed_api.py (fixed pages from memory, so the time is the
client's), interleaved, and prints medians, ratios, requests and the module process's peak RSS:

- 20 tasks of ``ansible.builtin.ping`` (the floor), of ``ansible.builtin.uri`` reading one page of 100 hosted models,
  and of ``castai.ai_optimizer.hosted_models_info`` reading the same; per-task cost over ping =
  (playbook - ping playbook) / 20;
- every model of a 10,000-model cluster in one ``hosted_models_info`` task, against a ``uri`` page loop at
  ``page.limit=1000`` (``include_tasks`` recursion, as users write it);
- ``castai.ai_optimizer.hosted_model`` create + wait on that cluster: requests per task, lookup and per wait poll;
- growth: the same listing of 50,000 models (time and RSS per model);
- the floor: benchmarks/library/result_only.py returning the result hosted_models_info returned for the 10,000- and
  50,000-model clusters (saved beforehand) and doing nothing else: Ansible's own cost for a result of that size;
- where the module's time goes: the kept AnsiballZ payloads run alone, and ``python -X importtime`` of the
  ``hosted_models_info`` payload.

Peak RSS comes from GNU time (``/usr/bin/time -f %M``; Debian package ``time``) wrapped around the modules'
interpreter. Full mode writes docs/performance.md. ``--quick``: 2 runs, 20,000 models for growth, no doc.
Nothing is asserted: the numbers depend on the machine and its load. The collection is staged first
(tools/stage.sh; ``STAGE_ROOT`` picks the folder, default .cache/bench), or taken as committed at ``--ref REV``.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks")
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
PYTHON = os.path.join(VENV_BIN, "python")
GNU_TIME = "/usr/bin/time"
TOKEN = "bench-token"
ORGANIZATION_ID = "22222222-2222-4222-8222-222222222222"
TRANSITION_SECONDS = 3.0  # DEPLOYING -> RUNNING after a create: a few wait polls
WAIT_SLEEP = 1.0
PAGE_TASKS = 20
PLAYBOOK_TIMEOUT = 1800
COLLECTION = "ansible_collections.castai.ai_optimizer."
MODULE_PROCESS = re.compile(r"^\d+ \d+(\.\d+)?$")  # GNU time's "%M %e"; it may add "Command exited with ..." lines


def cluster_uuid(models):
    return "00000000-0000-4000-8000-%012d" % models


class Scenario:
    def __init__(self, key, label, playbook, models=None, tasks=1, verbose=False, extra=None):
        self.key, self.label, self.playbook, self.models = key, label, playbook, models
        self.tasks, self.verbose, self.extra = tasks, verbose, extra or {}


def scenarios(large, growth):
    return [
        Scenario("startup", "ansible-playbook, no task", "startup.yml", tasks=0),
        Scenario("ping", "ansible.builtin.ping", "ping.yml", tasks=PAGE_TASKS),
        Scenario("uri_page", "ansible.builtin.uri, 1 page of 100", "uri_page.yml", 100, PAGE_TASKS),
        Scenario("info_page", "hosted_models_info, 100 models", "info_page.yml", 100, PAGE_TASKS),
        Scenario("info_large", "hosted_models_info, %s models" % f"{large:,}", "info_all.yml", large),
        Scenario("uri_loop", "uri page loop at page.limit=1000, %s models" % f"{large:,}", "uri_loop.yml", large),
        Scenario(
            "create",
            "hosted_model create+wait, cluster of %s" % f"{large:,}",
            "create_wait.yml",
            large,
            verbose=True,
            extra={"bench_service": "bench-new", "bench_wait_sleep": WAIT_SLEEP},
        ),
        Scenario("info_growth", "hosted_models_info, %s models" % f"{growth:,}", "info_all.yml", growth),
        Scenario("floor_large", "floor: the same %s models, returned only" % f"{large:,}", "result_only.yml", large),
        Scenario("floor_growth", "floor: the same %s models, returned only" % f"{growth:,}", "result_only.yml", growth),
    ]


FLOORS = ("floor_large", "floor_growth")  # the scenarios of benchmarks/result_only.yml


# ---- the server ----------------------------------------------------------------------------------------------------


class Server:
    """benchmarks/fixed_api.py as a child process; it also stops by itself if this process dies."""

    def __init__(self, max_seconds):
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [
                PYTHON,
                os.path.join(BENCH, "fixed_api.py"),
                "--port",
                "0",
                "--token",
                TOKEN,
                "--organization-id",
                ORGANIZATION_ID,
                "--transition-seconds",
                str(TRANSITION_SECONDS),
                "--max-seconds",
                str(max_seconds),
                "--until-stdin-closes",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        port = self.proc.stdout.readline().strip()
        if not port.isdigit():
            self.stop()
            raise SystemExit("benchmarks/fixed_api.py did not start")
        self.url = "http://127.0.0.1:%s" % port

    def control(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---- running one playbook ----------------------------------------------------------------------------------------


class Runner:
    def __init__(self, server, stage_root, work):
        self.server = server
        self.work = work
        self.rss_file = os.path.join(work, "rss.txt")
        self.python = os.path.join(work, "python-rss")
        with open(self.python, "w", encoding="utf-8") as handle:
            # The modules' interpreter: Python under GNU time, which appends the process's peak RSS (KiB) and wall
            # seconds, so the module's own share of a task is known apart from the controller's.
            handle.write('#!/bin/sh\nexec %s -f "%%M %%e" -a -o %s %s "$@"\n' % (GNU_TIME, self.rss_file, PYTHON))
        os.chmod(self.python, 0o755)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CASTAI_", "ANSIBLE_"))}
        self.env.update(
            ANSIBLE_COLLECTIONS_PATH=stage_root,
            ANSIBLE_REMOTE_TMP=os.path.join(work, "remote"),
            ANSIBLE_LOCAL_TEMP=os.path.join(work, "local"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCALHOST_WARNING="False",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
            ANSIBLE_RETRY_FILES_ENABLED="False",
        )

    def variables(self, scenario):
        values = {
            "bench_api_url": self.server.url,
            "bench_api_token": TOKEN,
            "bench_organization_id": ORGANIZATION_ID,
            "bench_python": self.python,
        }
        if scenario.models is not None:
            values.update(bench_cluster_id=cluster_uuid(scenario.models), bench_expected=scenario.models)
        values.update(scenario.extra)
        path = os.path.join(self.work, scenario.key + ".json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(values, handle)
        return path

    def run(self, scenario):
        """One playbook run: wall seconds, the server's request log, the module processes' peak RSS and the
        result of its one task when the scenario asks for it (-v)."""
        self.server.control("POST", "/_bench/reset", {})
        open(self.rss_file, "w", encoding="utf-8").close()
        before_exit_file = scenario.extra.get("bench_rss_before_exit")
        if before_exit_file:
            open(before_exit_file, "w", encoding="utf-8").close()
        command = [
            os.path.join(VENV_BIN, "ansible-playbook"),
            "-i",
            "localhost,",
            os.path.join(BENCH, scenario.playbook),
            "-e",
            "@" + self.variables(scenario),
        ]
        command += ["-v"] if scenario.verbose else []
        started = time.perf_counter()
        proc = subprocess.run(
            command,
            cwd=self.work,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=PLAYBOOK_TIMEOUT,
            check=False,
        )
        seconds = time.perf_counter() - started
        if proc.returncode:
            raise SystemExit("%s failed (exit %d):\n%s" % (scenario.playbook, proc.returncode, proc.stdout[-3000:]))
        with open(self.rss_file, encoding="utf-8") as handle:
            processes = [line.split() for line in handle if MODULE_PROCESS.match(line)]
        return {
            "seconds": seconds,
            "report": self.server.control("GET", "/_bench/requests"),
            "rss_kib": [int(rss) for rss, _seconds in processes],
            "module_s": sum(float(seconds) for _rss, seconds in processes),
            "result": task_result(proc.stdout) if scenario.verbose else None,
            "before_exit_kib": read_kib(before_exit_file) if before_exit_file else None,
        }


def read_kib(path):
    """The largest of the RSS figures (KiB, one a line) a module appended to ``path``; None when it wrote none."""
    with open(path, encoding="utf-8") as handle:
        values = [int(line) for line in handle if line.strip().isdigit()]
    return max(values) if values else None


def task_result(output):
    """The JSON result the default callback prints after "=> " with -v (the playbook's one task)."""
    marker = output.find("] => {")
    if marker < 0:
        return None
    try:
        return json.JSONDecoder().raw_decode(output, marker + len("] => "))[0]
    except ValueError:
        return None


def save_listing(server, stage_root, work, models):
    """Run hosted_models_info's module code directly (no Ansible) on a cluster of ``models`` and save its result for
    benchmarks/library/result_only.py: the result without its list on the first line, then one model a line."""
    args = os.path.join(work, "listing-%d-args.json" % models)
    with open(args, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "ANSIBLE_MODULE_ARGS": {
                    "api_url": server.url,
                    "api_token": TOKEN,
                    "organization_id": ORGANIZATION_ID,
                    "cluster_id": cluster_uuid(models),
                }
            },
            handle,
        )
    proc = subprocess.run(
        [PYTHON, "-m", COLLECTION + "plugins.modules.hosted_models_info", args],
        cwd=work,
        env=dict(os.environ, PYTHONPATH=stage_root),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=PLAYBOOK_TIMEOUT,
    )
    result = json.loads(proc.stdout)
    result.pop("invocation", None)
    listing = result.pop("hosted_models")
    if len(listing) != models:
        raise SystemExit("hosted_models_info returned %d models, not %d" % (len(listing), models))
    path = os.path.join(work, "listing-%d.jsonl" % models)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(result) + "\n")
        for model in listing:
            handle.write(json.dumps(model) + "\n")
    return path


# ---- where the module's time goes --------------------------------------------------------------------------------


def kept_payload(runner, module, args):
    """Run one ad-hoc task with ANSIBLE_KEEP_REMOTE_FILES=1; the path of the AnsiballZ payload it left behind."""
    remote = os.path.join(runner.work, "kept-" + module.rsplit(".", 1)[-1])
    env = dict(runner.env, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=remote)
    command = [
        os.path.join(VENV_BIN, "ansible"),
        "localhost",
        "-i",
        "localhost,",
        "-c",
        "local",
        "-m",
        module,
        "-e",
        "ansible_python_interpreter=%s" % PYTHON,
    ] + (["-a", json.dumps(args)] if args else [])
    proc = subprocess.run(
        command,
        cwd=runner.work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=PLAYBOOK_TIMEOUT,
    )
    if proc.returncode:
        raise SystemExit("%s failed (exit %d):\n%s" % (module, proc.returncode, proc.stdout[-3000:]))
    for folder, _dirs, files in os.walk(remote):
        for name in files:
            if name.startswith("AnsiballZ_") and name.endswith(".py"):
                return os.path.join(folder, name)
    raise SystemExit("no AnsiballZ payload kept for %s" % module)


def module_alone(payloads, runs):
    """Median wall seconds of each payload run by itself (the module process alone), interleaved."""
    times = {name: [] for name in payloads}
    for _run in range(runs):
        for name, path in payloads.items():
            started = time.perf_counter()
            subprocess.run([PYTHON, path], stdout=subprocess.DEVNULL, check=True, timeout=300)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def import_tree(stderr):
    """The imports of one ``python -X importtime`` run as a tree. Python prints an import when it ends, so the lines
    one level deeper that came just before it are what it imported."""
    waiting = {}  # depth -> nodes not yet claimed by a parent
    for line in stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            depth = len(match.group(3)) // 2
            node = {
                "name": match.group(4),
                "depth": depth,
                "self": int(match.group(1)),
                "cumulative": int(match.group(2)),
                "children": waiting.pop(depth + 1, []),
            }
            waiting.setdefault(depth, []).append(node)
    return waiting.get(0, [])


def preorder(nodes):
    for node in nodes:
        yield node
        yield from preorder(node["children"])


def import_times(payload, runs):
    """The import tree of the payload's first run, with each import's median self and cumulative ms over the runs,
    and the median total ms."""
    trees = []
    for _run in range(runs):
        proc = subprocess.run(
            [PYTHON, "-X", "importtime", payload],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
            timeout=300,
        )
        trees.append(import_tree(proc.stderr))
    samples = {}
    for tree in trees:
        for node in preorder(tree):
            samples.setdefault(node["name"], []).append((node["self"], node["cumulative"]))
    for node in preorder(trees[0]):
        values = samples[node["name"]]
        node["self_ms"] = statistics.median(v[0] for v in values) / 1000
        node["cumulative_ms"] = statistics.median(v[1] for v in values) / 1000
    return trees[0], statistics.median(sum(node["cumulative"] for node in tree) for tree in trees) / 1000


def short(name):
    return name.replace(COLLECTION, "castai.ai_optimizer.")


# ---- numbers -----------------------------------------------------------------------------------------------------


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def create_details(run):
    """Requests before the create (the lookup) and after it (the wait): listings started, pages read."""
    log = run["report"]["log"]
    create_at = next(
        (i for i, (_t, method, path, _first) in enumerate(log) if method == "POST" and path.endswith("/hosted-models")),
        len(log),
    )
    after = [entry for entry in log[create_at + 1 :] if entry[1] == "GET" and entry[2].endswith("/hosted-models")]
    polls = sum(1 for entry in after if entry[3])
    return {
        "lookup": sum(1 for entry in log[:create_at] if entry[1] == "GET"),
        "polls": polls,
        "per_poll": len(after) / polls if polls else None,
        "api_calls": (run["result"] or {}).get("api_calls"),
    }


def summarise(results, chosen):
    """Medians and the derived figures, keyed by scenario."""
    rows = {}
    for scenario in chosen:
        runs = results[scenario.key]
        rows[scenario.key] = {
            "scenario": scenario,
            "seconds": median([r["seconds"] for r in runs]),
            "requests": median([r["report"]["requests"] for r in runs]),
            "rss_mib": median([max(r["rss_kib"]) / 1024 if r["rss_kib"] else None for r in runs]),
            "module_s": median([r["module_s"] for r in runs]),
            "before_exit_mib": median(
                [r["before_exit_kib"] / 1024 if r.get("before_exit_kib") is not None else None for r in runs]
            ),
            "runs": [round(r["seconds"], 2) for r in runs],
        }
    startup, ping = rows["startup"]["seconds"], rows["ping"]["seconds"]
    for key in ("uri_page", "info_page"):
        rows[key]["per_task_ms"] = (rows[key]["seconds"] - ping) / rows[key]["scenario"].tasks * 1000
    # The floor itself, over ansible-playbook's start.
    rows["ping"]["per_task_ms"] = (ping - startup) / rows["ping"]["scenario"].tasks * 1000
    for key in ("info_large", "uri_loop", "create", "info_growth", *FLOORS):
        rows[key]["task_s"] = rows[key]["seconds"] - startup
    rows["create"]["details"] = {
        name: median([create_details(r)[name] for r in results["create"]])
        for name in ("lookup", "polls", "per_poll", "api_calls")
    }
    return rows


def fmt(value, pattern="%.2f"):
    return "n/a" if value is None else pattern % value


def tables(rows, large, growth):
    startup, ping, uri, info = rows["startup"], rows["ping"], rows["uri_page"], rows["info_page"]
    tasks = ping["scenario"].tasks
    lines = [
        "### One page of 100 hosted models, %d tasks a playbook" % tasks,
        "",
        "| playbook | median s | per task over ping, ms | ratio to uri | module process a task, ms | requests a task "
        "| module peak RSS, MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        "| %s | %s | | | | | |" % (startup["scenario"].label, fmt(startup["seconds"])),
    ]
    for row in (ping, uri, info):
        ratio = row["per_task_ms"] / uri["per_task_ms"] if row is not ping and uri["per_task_ms"] > 0 else None
        lines.append(
            "| %s | %s | %s | %s | %s | %s | %s |"
            % (
                row["scenario"].label,
                fmt(row["seconds"]),
                fmt(row["per_task_ms"], "(%.0f over start)" if row is ping else "%.0f"),
                "" if row is ping else fmt(ratio, "%.2f×"),
                fmt(row["module_s"] * 1000 / tasks, "%.0f"),
                fmt(row["requests"] / tasks, "%g"),
                fmt(row["rss_mib"], "%.0f"),
            )
        )
    loop, listed, create, grown = rows["uri_loop"], rows["info_large"], rows["create"], rows["info_growth"]
    lines += [
        "",
        "### Large clusters, one task (task s = playbook - ansible-playbook with no task)",
        "",
        "| what | median s | task s | uri loop / this | module process s | requests | module peak RSS, MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in (listed, rows["floor_large"], loop, create, grown, rows["floor_growth"]):
        lines.append(
            "| %s | %s | %s | %s | %s | %s | %s |"
            % (
                row["scenario"].label,
                fmt(row["seconds"]),
                fmt(row["task_s"]),
                fmt(loop["task_s"] / row["task_s"] if row is not loop and row["task_s"] > 0 else None, "%.1f×"),
                fmt(row["module_s"]),
                fmt(row["requests"], "%g"),
                fmt(row["rss_mib"], "%.0f"),
            )
        )
    details = create["details"]
    lines += [
        "",
        "The uri loop's module process time is the sum over its pages. hosted_model create+wait: %s list requests to "
        "look the service up, then %s wait polls of %s requests each; the module's api_calls: %s (the server counted "
        "%s)."
        % (
            fmt(details["lookup"], "%g"),
            fmt(details["polls"], "%g"),
            fmt(details["per_poll"], "%.1f"),
            fmt(details["api_calls"], "%g"),
            fmt(create["requests"], "%g"),
        ),
    ]
    span = growth - large
    base = rows["info_page"]["rss_mib"]
    lines += [
        "",
        "Growth from %s to %s models (×%s): the task %s ms more per model (×%s), the module process %s ms more per "
        "model (×%s); peak RSS %s KB per model (%s KB per model above the one-page module's %s MB)."
        % (
            f"{large:,}",
            f"{growth:,}",
            fmt(growth / large, "%g"),
            fmt((grown["task_s"] - listed["task_s"]) / span * 1000, "%.3f"),
            fmt(grown["task_s"] / listed["task_s"] if listed["task_s"] > 0 else None, "%.1f"),
            fmt((grown["module_s"] - listed["module_s"]) / span * 1000, "%.3f"),
            fmt(grown["module_s"] / listed["module_s"] if listed["module_s"] > 0 else None, "%.1f"),
            fmt((grown["rss_mib"] - listed["rss_mib"]) * 1024 / span, "%.1f"),
            fmt((grown["rss_mib"] - base) * 1024 / (growth - 100), "%.1f"),
            fmt(base, "%.0f"),
        ),
    ]
    floor, floor_grown = rows["floor_large"], rows["floor_growth"]
    lines += [
        "",
        "The floor over the same growth: the task %s ms more per model, the module process %s ms more per model; "
        "peak RSS %s KB per model. Its peak RSS just before exit_json: %s MB with %s models, %s MB with %s; "
        "exit_json then adds %s KB per model (%s models)."
        % (
            fmt((floor_grown["task_s"] - floor["task_s"]) / span * 1000, "%.3f"),
            fmt((floor_grown["module_s"] - floor["module_s"]) / span * 1000, "%.3f"),
            fmt((floor_grown["rss_mib"] - floor["rss_mib"]) * 1024 / span, "%.1f"),
            fmt(floor["before_exit_mib"], "%.0f"),
            f"{large:,}",
            fmt(floor_grown["before_exit_mib"], "%.0f"),
            f"{growth:,}",
            fmt(exit_json_per_model(floor_grown, growth), "%.1f"),
            f"{growth:,}",
        ),
    ]
    return lines


def kb_per_model(rss_mib, start_mib, models):
    """KB of RSS a model above ``start_mib``; None when either figure is missing."""
    if rss_mib is None or start_mib is None:
        return None
    return (rss_mib - start_mib) * 1024 / models


def exit_json_per_model(row, models):
    """KB a model that exit_json added to the floor's peak RSS (its copy for no_log masking and the JSON text)."""
    return kb_per_model(row["rss_mib"], row.get("before_exit_mib"), models)


def goals(rows, growth):
    """Issue 13's goals against this run, so a change can be quoted before and after; beside each, what the floor
    (benchmarks/library/result_only.py returning the same result and doing nothing else) measured, since no module
    returning that result through Ansible can do better."""
    uri, info, listed, loop = rows["uri_page"], rows["info_page"], rows["info_large"], rows["uri_loop"]
    grown, floor, floor_grown = rows["info_growth"], rows["floor_large"], rows["floor_growth"]
    ratio = info["per_task_ms"] / uri["per_task_ms"] if uri["per_task_ms"] > 0 else None

    def speedup(row):
        return loop["task_s"] / row["task_s"] if row["task_s"] > 0 else None

    checks = [  # (goal, target, value, floor's value, their format, met when)
        ("one-page list, per-task cost over ping", "≤ 1.10× uri", ratio, None, "%.2f×", lambda v: v <= 1.10),
        (
            "10,000 models in one task",
            "≥ 8× faster than the uri loop",
            speedup(listed),
            speedup(floor),
            "%.1f×",
            lambda v: v >= 8,
        ),
        ("10,000 models: requests", "≤ 10", listed["requests"], None, "%g", lambda v: v <= 10),
        (
            "10,000 models: module peak RSS",
            "≤ 100 MB",
            listed["rss_mib"],
            floor["rss_mib"],
            "%.0f MB",
            lambda v: v <= 100,
        ),
        (
            "%s models: RSS above the module's start" % f"{growth:,}",
            "≤ 3 KB per model",
            kb_per_model(grown["rss_mib"], info["rss_mib"], growth - 100),  # its start held one page of 100 models
            kb_per_model(floor_grown["rss_mib"], rows["ping"]["rss_mib"], growth),
            "%.1f KB",
            lambda v: v <= 3,
        ),
    ]
    lines = [
        "| goal (issue 13) | target | measured | floor | met |",
        "|---|---|---:|---:|---|",
    ]
    for what, target, value, floor_value, pattern, ok in checks:
        if value is not None and ok(value):
            met = "yes"
        elif floor_value is not None and not ok(floor_value):
            met = "no; the floor misses it too"
        else:
            met = "no"
        lines.append(
            "| %s | %s | %s | %s | %s |"
            % (what, target, fmt(value, pattern), "" if floor_value is None else fmt(floor_value, pattern), met)
        )
    exit_cost = exit_json_per_model(floor_grown, growth)
    lines += [
        "",
        "Floor: %s returning the result hosted_models_info returned for the same cluster, saved beforehand, and "
        "doing nothing else (no API call, no parsing): the time is Ansible's own for a result of that size (module "
        "start, exit_json, the controller's handling of the registered result), which no module returning that "
        "result avoids. Its memory also holds the items as JSON parsing makes them, which a module may hold more "
        "compactly; what exit_json alone adds (a copy of the result to mask no_log values, then its JSON text) "
        "is %s KB per model, which every module returning the models through exit_json pays. For the per-model "
        "figure the floor's start is the ping module's RSS." % ("`result_only`", fmt(exit_cost, "%.1f")),
    ]
    return lines


def import_table(alone, tree, total_ms):
    lines = [
        "The AnsiballZ payloads kept with ANSIBLE_KEEP_REMOTE_FILES=1, each run alone (`python AnsiballZ_x.py`, "
        "the way Ansible runs it: sources unzipped and compiled on every run; one page of 100 models for uri and "
        "hosted_models_info), median:",
        "",
        "| module process | ms | over ping, ms |",
        "|---|---:|---:|",
    ]
    for name, seconds in alone.items():
        lines.append("| %s | %.0f | %.0f |" % (name, seconds * 1000, (seconds - alone["ansible.builtin.ping"]) * 1000))
    shown = max(5.0, total_ms * 0.02)
    lines += [
        "",
        "`python -X importtime` of the hosted_models_info payload: %.0f ms of imports in all. The imports "
        "that took %.0f ms or more, each under the import that caused it (cumulative includes its children):"
        % (total_ms, shown),
        "",
        "| import | cumulative ms | self ms |",
        "|---|---:|---:|",
    ]
    for node in preorder(tree):
        if node["cumulative_ms"] >= shown and node["depth"] <= 5:
            lines.append(
                "| %s%s | %.1f | %.1f |"
                % ("· " * node["depth"], short(node["name"]), node["cumulative_ms"], node["self_ms"])
            )
    lines += [
        "",
        "Largest self times (the module's own work at import, not its children's):",
        "",
        "| import | self ms |",
        "|---|---:|",
    ]
    for node in sorted(preorder(tree), key=lambda n: -n["self_ms"])[:10]:
        lines.append("| %s | %.1f |" % (short(node["name"]), node["self_ms"]))
    return lines


# ---- the machine and the doc ---------------------------------------------------------------------------------------


def machine(ref):
    cpu = "unknown"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    script = (
        "import sys, ansible.release, requests, urllib3; "
        "print(sys.version.split()[0], ansible.release.__version__, requests.__version__, urllib3.__version__)"
    )
    versions = subprocess.run([PYTHON, "-c", script], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", ref or "HEAD"], cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True
    ).stdout.strip()
    dirty = (
        ref is None
        and subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        ).stdout.strip()
    )
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": versions[0],
        "ansible_core": versions[1],
        "requests": versions[2],
        "urllib3": versions[3],
        "commit": commit + (" as committed (--ref)" if ref else " with uncommitted changes" if dirty else ""),
        "load": os.getloadavg(),
    }


def write_doc(path, facts, load_after, settings, table_lines, import_lines, goal_lines):
    busy = max(facts["load"][0], load_after[0]) / (facts["nproc"] or 1)
    load_note = (
        (
            "The machine is shared with other work and was loaded while this ran (a load average of %.1f per\n"
            "CPU at its height): absolute times are inflated and noisy. The ratios between playbooks run side by\n"
            "side are the figures to quote." % busy
        )
        if busy > 0.5
        else (
            "The machine is shared with other work, though it was quiet while this ran; still, the ratios between\n"
            "playbooks run side by side are the figures to quote."
        )
    )
    text = """# Performance

Generated by `make bench` (`tools/benchmark.py`); rerun it rather than editing this page. The numbers depend on the
machine and its load: compare runs made side by side, not with another machine's.

## How it is measured
- Server: `benchmarks/fixed_api.py` on 127.0.0.1 serves ListHostedModelsResponse pages from memory (about 0.85 KB of
  JSON a model, any `page.limit` up to 1000), answers `api-keys:verify`, and creates hosted models that turn
  RUNNING %(transition)g s after the create. It is not the bundled simulator, whose validation of every request and
  answer would hide the client's cost. It counts every request by path, so requests per task are the server's count.
- Playbooks: `benchmarks/*.yml`, run with the venv's `ansible-playbook` on `localhost` (local connection) against
  a staged copy of the collection (`ANSIBLE_COLLECTIONS_PATH`). `organization_id` is given, so no task calls
  `api-keys:verify`. Each playbook task checks its count (`failed_when`); the uri loop ends with one `assert`.
- Medians of %(runs)d runs, interleaved (each round runs every playbook once, in a rotated order).
- Per-task cost over ping = (playbook - the `ping` playbook) / %(tasks)d; the ratio divides the module's by uri's.
  For one-task playbooks, task s = playbook - `ansible-playbook` with no task.
- Peak RSS and module process time: the modules' interpreter is a wrapper running Python under GNU time
  (`/usr/bin/time -f "%%M %%e"`), so they are the module process's own maximum resident set (for the uri loop, its
  largest page) and wall time (summed over a playbook's module processes); the rest of a task is the controller's.
  GNU time is the Debian package `time` (`apt-get install time` where `/usr/bin/time` is missing).
- Floor: `benchmarks/library/result_only.py` (through `benchmarks/result_only.yml`) returns the result
  hosted_models_info returned for the same cluster, saved before the runs, and does nothing else: no API call, no
  parsing. Its time is Ansible's own work for a result of that size (module start, `exit_json`'s copy of the result
  for no_log masking and its JSON, the controller's handling of the registered result), which no module returning
  that result avoids. It also records its peak RSS just before `exit_json`, so what `exit_json` adds is known apart
  from holding the items (which a module may do more compactly than JSON parsing does).
- hosted_model create+wait uses `wait_sleep: %(wait_sleep)g`; the benchmark runs it with `-v` to read the task's
  `api_calls`. Polls are the listings the server saw start (a request without `page.cursor`) after the create.
- Assumption: the API's largest page is 1000 models. The contract names no maximum; the server cuts larger limits to
  1000.

## Machine
| | |
|---|---|
| date | %(date)s |
| CPUs (nproc) | %(nproc)s |
| CPU model | %(cpu)s |
| kernel | %(kernel)s |
| Python (controller and modules) | %(python)s |
| ansible-core | %(ansible_core)s |
| requests / urllib3 | %(requests)s / %(urllib3)s |
| collection | commit %(commit)s |
| load average (1, 5, 15 min) | %(load_before)s at the start, %(load_after)s at the end |

%(load_note)s

## Results (%(mode)s)
%(goals)s

%(tables)s

## Where a module's time goes
%(imports)s
""" % dict(
        settings,
        tables="\n".join(table_lines),
        imports="\n".join(import_lines),
        goals="\n".join(goal_lines),
        load_note=load_note,
        load_before=" ".join("%.2f" % x for x in facts["load"]),
        load_after=" ".join("%.2f" % x for x in load_after),
        **facts,
    )
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


# ---- main ----------------------------------------------------------------------------------------------------------


def stage(ref):
    """The folder for ANSIBLE_COLLECTIONS_PATH: the working tree staged by tools/stage.sh, or the collection as
    committed at ``ref`` (to measure before and after a change with the same playbooks and server)."""
    stage_root = os.environ.get("STAGE_ROOT") or os.path.join(ROOT, ".cache", "bench")
    if ref is None:
        subprocess.run(
            [os.path.join(ROOT, "tools", "stage.sh")],
            check=True,
            stdout=subprocess.DEVNULL,
            env=dict(os.environ, STAGE_ROOT=stage_root),
        )
        return stage_root
    stage_root = os.path.join(stage_root, "ref")
    dest = os.path.join(stage_root, "ansible_collections", "castai", "ai_optimizer")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT, stdout=subprocess.PIPE, check=True)
    subprocess.run(["tar", "-x", "-C", dest], input=archive.stdout, check=True)
    return stage_root


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 runs and 20,000 models for growth; no doc")
    parser.add_argument("--runs", type=int, help="interleaved runs (default 5, quick 2)")
    parser.add_argument("--doc", help="write the performance page here (default in full mode: docs/performance.md)")
    parser.add_argument("--no-doc", action="store_true", help="only print")
    parser.add_argument(
        "--ref",
        help="measure the collection as committed at this git revision (default: the "
        "working tree); the playbooks and the server are always the working tree's",
    )
    args = parser.parse_args()
    if not os.access(GNU_TIME, os.X_OK):
        raise SystemExit("%s is missing: install GNU time (Debian: apt-get install time)" % GNU_TIME)
    runs = args.runs or (2 if args.quick else 5)
    if runs < 1:
        raise SystemExit("--runs must be at least 1")
    large, growth = 10_000, (20_000 if args.quick else 50_000)
    doc = None if args.no_doc else (args.doc or (None if args.quick else os.path.join(ROOT, "docs", "performance.md")))
    chosen = scenarios(large, growth)
    facts = machine(args.ref)
    stage_root = stage(args.ref)
    work = tempfile.mkdtemp(prefix="castai-bench-")
    server = Server(max_seconds=6 * 3600)
    try:
        for models in sorted({s.models for s in chosen if s.models is not None}):
            server.control("POST", "/_bench/clusters", {"cluster_id": cluster_uuid(models), "models": models})
        runner = Runner(server, stage_root, work)
        for scenario in chosen:
            if scenario.key in FLOORS:
                scenario.extra["bench_result"] = save_listing(server, stage_root, work, scenario.models)
                scenario.extra["bench_rss_before_exit"] = os.path.join(work, "before-exit-%s.txt" % scenario.key)
        results = {s.key: [] for s in chosen}
        for number in range(runs):
            order = chosen[number % len(chosen) :] + chosen[: number % len(chosen)]
            for scenario in order:
                results[scenario.key].append(runner.run(scenario))
                seconds = results[scenario.key][-1]["seconds"]
                print("run %d/%d  %-50s %7.2f s" % (number + 1, runs, scenario.label, seconds), file=sys.stderr)
        rows = summarise(results, chosen)
        connection = {
            "api_url": server.url,
            "api_token": TOKEN,
            "organization_id": ORGANIZATION_ID,
            "cluster_id": cluster_uuid(100),
        }
        payloads = {
            "ansible.builtin.ping": kept_payload(runner, "ansible.builtin.ping", {}),
            "ansible.builtin.uri": kept_payload(
                runner,
                "ansible.builtin.uri",
                {
                    "url": "%s/ai-optimizer/v1beta/organizations/%s/clusters/%s/hosted-models?page.limit=100"
                    % (server.url, ORGANIZATION_ID, cluster_uuid(100)),
                    "headers": {"X-API-Key": TOKEN},
                },
            ),
            "castai.ai_optimizer.hosted_models_info": kept_payload(
                runner, "castai.ai_optimizer.hosted_models_info", connection
            ),
        }
        alone = module_alone(payloads, runs)
        tree, total_ms = import_times(payloads["castai.ai_optimizer.hosted_models_info"], max(1, min(runs, 3)))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    table_lines = tables(rows, large, growth)
    import_lines = import_table(alone, tree, total_ms)
    goal_lines = goals(rows, growth)
    print("\n".join(goal_lines + [""] + table_lines + [""] + import_lines))
    print("\nRuns (s): " + "; ".join("%s %s" % (row["scenario"].key, row["runs"]) for row in rows.values()))
    if doc:
        mode = "%d runs%s" % (runs, ", quick" if args.quick else "")
        settings = {
            "runs": runs,
            "tasks": PAGE_TASKS,
            "transition": TRANSITION_SECONDS,
            "wait_sleep": WAIT_SLEEP,
            "mode": mode,
        }
        write_doc(doc, facts, os.getloadavg(), settings, table_lines, import_lines, goal_lines)
        print("wrote %s" % os.path.relpath(doc, ROOT))


if __name__ == "__main__":
    main()
