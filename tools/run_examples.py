"""Runs every module's EXAMPLES against the API simulator, one playbook per module.

Used by the test runner: `.venv/bin/python tools/run_tests.py examples [--only MODULE]` (it stages the collection,
starts the simulator and calls run_module_examples()); logs go to $STAGE_ROOT/logs/examples-MODULE.log.

The examples run as written. Only host paths are substituted (HOST_PATHS, into a scratch directory); every variable
an example uses is defined by seed(), with values the simulator holds; play-level module_defaults shorten the poll
interval (wait_sleep) of modules that wait to the simulator's pace, and an example that sets it wins. Examples that cannot run
against the simulator are listed by task name in SKIP with the reason, and printed, never dropped silently; a SKIP
entry that names no existing example is an error, so the list cannot go stale.
"""

import ast
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

import yaml

API_PREFIX = "/ai-optimizer/v1beta"
CLUSTER_ID = "examples-cluster"

# Absolute paths on the managed host that examples write to, and the scratch subfolder that stands in for each.
HOST_PATHS = {"/etc/castai": "etc-castai"}

# (module, example task name) -> why it cannot run against the simulator.
SKIP = {
    (
        "api_key",
        "Set the connection once for every module of the collection",
    ): "sets api_url to the real CAST AI API (https://api.cast.ai), which needs a CAST AI account",
}

# Seconds between polls while a module waits: the simulator moves a status on every 0.3 s (tools/run_tests.py).
WAIT_SLEEP = 0.5

# The simulator's predefined model specs (tests/simulator/README.md), as a reader's catalogue would list them.
SPECS = {
    "llama": "facf0831-08d4-5e19-b6d5-bcd2f17b0252",
    "gemma": "7cc82a51-bffa-58ee-b557-c0ff953e9fae",
}


def module_names(collection_dir):
    return sorted(
        os.path.splitext(os.path.basename(p))[0]
        for p in glob.glob(os.path.join(collection_dir, "plugins", "modules", "*.py"))
        if not os.path.basename(p).startswith("_")
    )


def doc_string(collection_dir, module, name):
    """The DOCUMENTATION/EXAMPLES/RETURN string of a module, read without importing it."""
    path = os.path.join(collection_dir, "plugins", "modules", module + ".py")
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return node.value.value
    return None


def wait_defaults(collection_dir):
    """module_defaults that poll every WAIT_SLEEP seconds in each module that has a wait_sleep option."""
    defaults = {}
    for module in module_names(collection_dir):
        options = (yaml.safe_load(doc_string(collection_dir, module, "DOCUMENTATION") or "") or {}).get("options") or {}
        if "wait_sleep" in options:
            defaults["castai.ai_optimizer." + module] = {"wait_sleep": WAIT_SLEEP}
    return defaults


def skipped(modules):
    return [(module, "%s: %s" % (task, reason)) for (module, task), reason in sorted(SKIP.items()) if module in modules]


def _request(url, method="GET", body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers=dict({"Content-Type": "application/json"}, **(headers or {}))
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def seed(sim, module, scratch):
    """Reset the simulator and give it what the module's examples refer to; returns the variables they use."""
    start = sim.control("/_sim/reset")
    org = start["organization_id"]

    def api(method, path, body=None):
        return _request(
            sim.url + API_PREFIX + "/organizations/%s/%s" % (org, path), method, body, {"X-API-Key": sim.token}
        )

    other = sim.control("/_sim/api-keys", {})
    token_file = os.path.join(scratch, "app.token")
    with open(token_file, "w", encoding="utf-8") as handle:
        handle.write(other["token"])
    os.chmod(token_file, 0o600)
    registry = api(
        "POST",
        "model-registries",
        {"provider": {"type": "GCS", "gcs": {"bucket": "examples-seed", "prefix": "models"}}},
    )
    sim.control("/_sim/model-registries/%s/status" % registry["id"], {"status": "ACTIVE"})
    if module == "hosted_models_info":
        for model in (
            {"service": "llama-chat", "modelSpecsId": SPECS["llama"]},
            {
                "service": "mistral-chat",
                "model": "mistralai/Mistral-7B-Instruct-v0.3",
                "status": "FAILED",
                "statusReason": "the GPU node could not be provisioned",
            },
        ):
            sim.control("/_sim/hosted-models", {"cluster_id": CLUSTER_ID, "model": model})
    if module == "hosted_model":
        sim.control(
            "/_sim/hosted-models",
            {"cluster_id": CLUSTER_ID, "model": {"service": "console-made-model", "modelSpecsId": SPECS["llama"]}},
        )
    if module == "usage_reports_info":
        for model, errors in (("gpt-4o-mini", 0), ("gpt-4o", 1)):
            sim.control(
                "/_sim/usage",
                {
                    "model": model,
                    "api_key_id": other["api_key_id"],
                    "requests": 20,
                    "input_tokens": 4000,
                    "output_tokens": 2000,
                    "errors": errors,
                },
            )
    return {
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "castai_admin_token": sim.token,
        "app_token": other["token"],
        "token_file": token_file,
        "cluster_id": CLUSTER_ID,
        "key_id": other["api_key_id"],
        "batch_key_id": other["api_key_id"],
        "api_key_id": other["api_key_id"],
        "llama_specs_id": SPECS["llama"],
        "gemma_specs_id": SPECS["gemma"],
        "vault_hf_token": "hf_examples_not_a_real_token",
        "openai_provider_id": "openai-examples",
        "edge_location_eu": "edge-eu-west",
        "edge_location_us": "edge-us-east",
        "registry_id": registry["id"],
        # model_spec's examples use the result of model_registry's first example.
        "registry": {"model_registry": {"id": registry["id"]}},
        "gcp_reader_key": json.dumps({"type": "service_account", "project_id": "examples"}),
        "gcp_reader_key_new": json.dumps({"type": "service_account", "project_id": "examples", "rotated": True}),
    }


def playbook(module, text, scratch, variables, module_defaults):
    """The module's examples as one play; returns (playbook data, names of the skipped tasks)."""
    for host_path, stand_in in HOST_PATHS.items():
        os.makedirs(os.path.join(scratch, stand_in), exist_ok=True)
        text = text.replace(host_path, os.path.join(scratch, stand_in))
    tasks = yaml.safe_load(text) or []
    names = [t.get("name") for t in tasks]
    stale = [task for (mod, task) in SKIP if mod == module and task not in names]
    if stale:
        raise ValueError("SKIP names examples %s lacks: %s" % (module, ", ".join(stale)))
    kept = [t for t in tasks if (module, t.get("name")) not in SKIP]
    play = {
        "name": "EXAMPLES of castai.ai_optimizer.%s" % module,
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "module_defaults": module_defaults,
        "vars": variables,
        "tasks": kept,
    }
    return [play], len(tasks) - len(kept)


def failures(output, tasks):
    """'task: problem' for each example that failed, or ran but showed nothing, in ansible-playbook's default output.

    Besides errors: a `state: absent` example that changed nothing removed nothing (it names an object an earlier
    example already replaced or removed), and a loop that prints whole items (`(item={...`) lacks loop_control.label.
    """
    found, task, results = [], None, {}
    for line in output.splitlines():
        match = re.match(r"TASK \[(.*)\]", line)
        if match:
            task = match.group(1)
            continue
        if line.startswith(("fatal:", "failed:")) and "...ignoring" not in line:
            found.append("%s: %s" % (task, line[:400]))
        elif "(item={" in line and task not in results.get("whole items", ()):
            results.setdefault("whole items", []).append(task)
            found.append("%s: the loop prints whole items; give it loop_control.label" % task)
        if line.startswith(("ok:", "changed:")):
            results.setdefault(task, set()).add(line.split(":", 1)[0])
    for example in tasks:
        name, args = example.get("name"), module_args(example)
        if isinstance(args, dict) and args.get("state") == "absent" and results.get(name) == {"ok"}:
            found.append(
                "%s: removed nothing (state=absent changed nothing: does it name an object an earlier "
                "example replaced or removed?)" % name
            )
    return found


def module_args(task):
    """The arguments of a task's castai.ai_optimizer module, or None."""
    for key, value in task.items():
        if key.startswith("castai.ai_optimizer."):
            return value
    return None


def run_module_examples(collection_dir, module, sim, env, log_dir=None):
    """(ok, detail, seconds) of running one module's EXAMPLES against `sim` with ansible-playbook on PATH in `env`."""
    started = time.time()
    text = doc_string(collection_dir, module, "EXAMPLES")
    if not text or not text.strip():
        return False, "the module has no EXAMPLES", 0.0
    scratch = tempfile.mkdtemp(prefix="castai-examples-")
    try:
        variables = seed(sim, module, scratch)
        plays, _skips = playbook(module, text, scratch, variables, wait_defaults(collection_dir))
        path = os.path.join(scratch, "examples.yml")
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(plays, handle, sort_keys=False)
        proc = subprocess.run(
            ["ansible-playbook", "-i", "localhost,", path],
            cwd=scratch,
            env=env,
            check=False,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if log_dir:
            os.makedirs(log_dir, exist_ok=True)
            with open(os.path.join(log_dir, "examples-%s.log" % module), "w", encoding="utf-8") as handle:
                handle.write(proc.stdout)
        failed = failures(proc.stdout, plays[0]["tasks"])
        ok = proc.returncode == 0 and not failed
        detail = "" if ok else "\n".join(failed) or "\n".join(proc.stdout.splitlines()[-20:])
        return ok, detail, time.time() - started
    except (ValueError, OSError, yaml.YAMLError) as exc:
        return False, str(exc), time.time() - started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
