#!/usr/bin/env python
"""Runs the collection's AWX job the way AWX runs it: credentials rendered into an ansible-runner private data dir.

Usage: .venv/bin/python tools/awx_runner_test.py
    stages the collection (STAGE_ROOT, default .cache), starts the simulator on loopback, prints one PASS/FAIL line per
    check and ends with "N passed, N failed"; exits non-zero when a check failed.
tools/run_tests.py calls checks(stage_dir, sim) instead and counts each (name, ok, detail) it yields.

What AWX does and this script does too (see render_credential):
- only the inputs a credential has, and that are not empty, are defined when the injectors are rendered; a boolean
  input left out is false;
- every `env` injector is set on the job, rendered in a sandboxed Jinja environment, so an input left empty becomes an
  empty variable;
- each `file` injector is written to a new file under the private data dir's env/ folder (mode 0600), named in the
  other injectors as tower.filename.<label>;
- `extra_vars` injectors are given to ansible-playbook as extra variables.
The collection is built with ansible-galaxy and installed from the tarball into a fresh collections path, as an
execution environment holds it, and the jobs run through ansible_runner.run().
"""

from __future__ import annotations

import ast
import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from types import SimpleNamespace

import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

AWX_DIR = os.path.join("extensions", "awx")
CONNECTION_TYPE = os.path.join(AWX_DIR, "credential_types", "ai_optimizer.yml")
KEY_TYPE = os.path.join(AWX_DIR, "credential_types", "ai_optimizer_key.yml")
JOB_PLAYBOOK = os.path.join(AWX_DIR, "playbooks", "ai_optimizer_status.yml")
SURVEY = os.path.join(AWX_DIR, "surveys", "ai_optimizer_status.yml")
CLUSTER_ID = "awx-cluster"
# What AWX accepts in a custom credential type (the controller refuses anything else when the type is created).
FIELD_TYPES = ("string", "boolean")
FIELD_KEYS = {
    "id",
    "type",
    "label",
    "help_text",
    "secret",
    "multiline",
    "choices",
    "default",
    "format",
    "ask_at_runtime",
}
INJECTOR_KINDS = {"env", "file", "extra_vars"}
# What ansible-core prints for a module that cannot import requests.
MISSING_REQUESTS = re.compile(r"Failed to import the required Python library \(requests")

# A job that keeps the key's token in a file inside the job, as api_key's `path:` does on a workstation: in AWX that
# file is in the job's container, which is thrown away after the job.
TOKEN_FILE_JOB = """\
- name: Keep an AI Optimizer key in a token file
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Make sure we hold an API key, keeping its token in a file
      castai.ai_optimizer.api_key:
        path: "{{ playbook_dir }}/ai-optimizer.token"
      no_log: true
"""
# The demo's api_key task on its own: no_log on the first task that needs requests.
NO_LOG_JOB = """\
- name: Create a key under no_log
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Make sure we hold an API key
      castai.ai_optimizer.api_key:
        path: "{{ playbook_dir }}/ai-optimizer.token"
      no_log: true
"""


# ---- the credential types ------------------------------------------------------------------------------------------


def read_text(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def connection_environment(stage_dir):
    """The option -> environment variable table of plugins/module_utils/_connection.py, read without importing it."""
    path = os.path.join(stage_dir, "plugins", "module_utils", "_connection.py")
    tree = ast.parse(read_text(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "ENVIRONMENT" for t in node.targets):
            return ast.literal_eval(node.value)
    raise RuntimeError("no ENVIRONMENT table in %s" % path)


def documented_variables(stage_dir):
    """The CASTAI_* variables the connection doc fragment names."""
    text = read_text(os.path.join(stage_dir, "plugins", "doc_fragments", "connection.py"))
    return set(re.findall(r"E\((CASTAI_[A-Z_]+)\)", text))


def type_problems(cred_type):
    """What the controller would refuse in a custom credential type, or a template that names an unknown input."""
    problems = []
    if cred_type.get("kind") not in ("cloud", "net"):
        problems.append("kind must be cloud or net for a custom type, got %r" % cred_type.get("kind"))
    fields = (cred_type.get("inputs") or {}).get("fields") or []
    ids = [f.get("id") for f in fields]
    if len(set(ids)) != len(ids):
        problems.append("duplicate input ids")
    for field in fields:
        unknown = set(field) - FIELD_KEYS
        if unknown or field.get("type") not in FIELD_TYPES or not field.get("label"):
            problems.append(
                "input %s: type %r, unknown keys %s" % (field.get("id"), field.get("type"), sorted(unknown))
            )
        if "choices" in field and (field["type"] != "string" or not all(isinstance(c, str) for c in field["choices"])):
            problems.append("input %s: choices need a string input and string values" % field["id"])
    missing = set(cred_type["inputs"].get("required") or []) - set(ids)
    if missing:
        problems.append("required names unknown inputs: %s" % sorted(missing))
    injectors = cred_type.get("injectors") or {}
    if set(injectors) - INJECTOR_KINDS:
        problems.append("unknown injector kinds: %s" % sorted(set(injectors) - INJECTOR_KINDS))
    for label in injectors.get("file") or {}:
        if label != "template" and not re.fullmatch(r"template\.[a-z_]+", label):
            problems.append("file injector %s: must be template or template.<name>" % label)
    env = ImmutableSandboxedEnvironment()
    for kind in sorted(INJECTOR_KINDS & set(injectors)):
        for name, template in injectors[kind].items():
            if kind == "env" and name.startswith("ANSIBLE_"):
                problems.append("env injector %s: AWX refuses ANSIBLE_ variables" % name)
            undeclared = meta.find_undeclared_variables(env.parse(template)) - set(ids) - {"tower"}
            if undeclared:
                problems.append("%s injector %s uses unknown inputs %s" % (kind, name, sorted(undeclared)))
    return problems


def render_credential(cred_type, inputs, private_data_dir):
    """(env, extra_vars) that AWX gives a job for a credential of cred_type with these inputs; writes the files."""
    fields = cred_type["inputs"]["fields"]
    namespace = {name: value for name, value in inputs.items() if isinstance(value, bool) or value}
    for field in fields:
        if field["type"] == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    injectors = cred_type.get("injectors") or {}
    files = {}
    for label, template in (injectors.get("file") or {}).items():
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, "env"))
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, 0o600)
        files[label.partition(".")[2] or None] = path
    filename = files.pop(None, None) or SimpleNamespace(**files)
    namespace["tower"] = SimpleNamespace(filename=filename)
    env = {name: sandbox.from_string(t).render(**namespace) for name, t in (injectors.get("env") or {}).items()}
    extra_vars = {
        name: sandbox.from_string(t).render(**namespace) for name, t in (injectors.get("extra_vars") or {}).items()
    }
    return env, extra_vars


# ---- the collection and the jobs -----------------------------------------------------------------------------------


def install_collection(stage_dir, workdir, bin_dir=None):
    """Build the tarball from stage_dir and install it into workdir/collections; (collections path, tarball)."""
    bin_dir = bin_dir or os.path.dirname(sys.executable)
    galaxy = os.path.join(bin_dir, "ansible-galaxy")
    subprocess.run(
        [galaxy, "collection", "build", "--force", "--output-path", workdir],
        cwd=stage_dir,
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    tarball = glob.glob(os.path.join(workdir, "castai-ai_optimizer-*.tar.gz"))[0]
    collections = os.path.join(workdir, "collections")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections)
    subprocess.run(
        [galaxy, "collection", "install", "--offline", "-p", collections, tarball],
        check=True,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return collections, tarball


@contextlib.contextmanager
def clean_environ():
    """The jobs see only what their private data dir gives them, not the caller's CASTAI_* or collections path."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(("CASTAI_", "ANSIBLE_COLLECTIONS_PATH"))}
    for name in saved:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(saved)


class Job:
    """One AWX-style job: a private data dir with env/, inventory/ and project/, run by ansible_runner.run()."""

    def __init__(self, workdir, name, playbook, collections, python):
        """playbook: the text of the project's job.yml."""
        self.dir = os.path.join(workdir, name)
        for sub in ("env", "inventory", "project"):
            os.makedirs(os.path.join(self.dir, sub))
        with open(os.path.join(self.dir, "project", "job.yml"), "w", encoding="utf-8") as handle:
            handle.write(playbook)
        with open(os.path.join(self.dir, "inventory", "hosts"), "w", encoding="utf-8") as handle:
            handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % python)
        bin_dir = os.path.dirname(sys.executable)
        self.env = {
            "ANSIBLE_COLLECTIONS_PATH": collections,
            "ANSIBLE_NOCOLOR": "1",
            "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
        }
        self.extra_vars = {}
        self.result = None

    def credential(self, cred_type, inputs):
        env, extra_vars = render_credential(cred_type, inputs, self.dir)
        self.env.update(env)
        self.extra_vars.update(extra_vars)
        return env, extra_vars

    def run(self):
        import ansible_runner  # pylint: disable=import-outside-toplevel

        for name, data in (("envvars", self.env), ("extravars", self.extra_vars)):
            with open(os.path.join(self.dir, "env", name), "w", encoding="utf-8") as handle:
                yaml.safe_dump(data, handle)
        with clean_environ():
            self.result = ansible_runner.run(private_data_dir=self.dir, playbook="job.yml", ident="job", quiet=True)
        return self

    @property
    def events(self):
        return list(self.result.events)

    @property
    def stdout(self):
        return read_text(os.path.join(self.dir, "artifacts", "job", "stdout"))

    def leaks(self, secrets):
        """Where a secret shows: stdout lines, events (their whole JSON) and every artifact file the job left, but
        artifacts/job/command: ansible-runner's record of the environment it was given, which holds the injected
        variables by design (AWX keeps its own copy with secret inputs replaced, and deletes the private data dir)."""
        secrets = [s for s in secrets if s]
        found = []
        for number, line in enumerate(self.stdout.splitlines(), 1):
            if any(s in line for s in secrets):
                found.append("stdout line %d" % number)
        for event in self.events:
            if any(s in json.dumps(event) for s in secrets):
                found.append("event %s (%s)" % (event.get("counter"), event.get("event")))
        for path in glob.glob(os.path.join(self.dir, "artifacts", "**", "*"), recursive=True):
            if os.path.isfile(path) and os.path.basename(path) != "command":
                with open(path, encoding="utf-8", errors="replace") as handle:
                    if any(s in handle.read() for s in secrets):
                        found.append(os.path.relpath(path, self.dir))
        return found

    def task_events(self, kind):
        return [e["event_data"].get("task") for e in self.events if e.get("event") == kind]

    def stats(self):
        stats = [e["event_data"] for e in self.events if e.get("event") == "playbook_on_stats"]
        return stats[-1] if stats else None


def playbook_task_names(path):
    return [task["name"] for play in load_yaml(path) for task in play.get("tasks", [])]


# ---- the simulator -------------------------------------------------------------------------------------------------


def sim_get(sim, path):
    with urllib.request.urlopen(sim.url + path, timeout=10) as response:
        return json.loads(response.read())


def sim_clear_requests(sim):
    request = urllib.request.Request(sim.url + "/_sim/requests", method="DELETE")
    with urllib.request.urlopen(request, timeout=10):
        pass


def sim_requests(sim):
    return sim_get(sim, "/_sim/requests")


def is_verify(request):
    return request["path"].endswith("api-keys:verify")


# ---- the checks ----------------------------------------------------------------------------------------------------


def checks(stage_dir, sim, workdir=None):
    """Yield (name, ok, detail) for each check; sim is a running tools/simulator_process.SimulatorProcess."""
    connection_type = load_yaml(os.path.join(stage_dir, CONNECTION_TYPE))
    key_type = load_yaml(os.path.join(stage_dir, KEY_TYPE))
    yield from type_checks(stage_dir, connection_type, key_type)
    owned = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="castai-awx-")
    try:
        try:
            collections, _tarball = install_collection(stage_dir, workdir)
        except subprocess.CalledProcessError as exc:
            yield "build the collection and install the tarball", False, exc.stdout[-1500:]
            return
        yield from job_checks(stage_dir, sim, workdir, collections, connection_type, key_type)
    finally:
        sim.control("/_sim/reset")  # the keys and the model the jobs left, so later stages start from the defaults
        if owned:
            shutil.rmtree(workdir, ignore_errors=True)


def type_checks(stage_dir, connection_type, key_type):
    for name, cred_type in (("connection", connection_type), ("key", key_type)):
        problems = type_problems(cred_type)
        yield "credential type %s: what the controller accepts" % name, not problems, "; ".join(problems)
    wanted = set(connection_environment(stage_dir).values())
    injected = set(connection_type["injectors"].get("env") or {})
    yield (
        "connection type injects exactly the connection options' environment variables",
        injected == wanted,
        "missing %s, extra %s" % (sorted(wanted - injected), sorted(injected - wanted)),
    )
    documented = documented_variables(stage_dir)
    yield (
        "the connection doc fragment documents the same variables",
        documented == wanted,
        "code %s, docs %s" % (sorted(wanted), sorted(documented)),
    )
    secret = [f["id"] for f in connection_type["inputs"]["fields"] if f.get("secret")]
    yield (
        "only the API token input is secret, and it is required",
        (secret == ["api_token"] and connection_type["inputs"].get("required") == ["api_token"]),
        "secret: %s" % secret,
    )
    key_vars = set(key_type["injectors"].get("extra_vars") or {})
    yield (
        "key type gives castai_ai_optimizer_key_token and sets no environment variable",
        key_vars == {"castai_ai_optimizer_key_token"} and not key_type["injectors"].get("env"),
        str(key_vars),
    )
    survey = load_yaml(os.path.join(stage_dir, SURVEY))
    playbook_text = read_text(os.path.join(stage_dir, JOB_PLAYBOOK))
    unused = [q["variable"] for q in survey["spec"] if "{{ %s }}" % q["variable"] not in playbook_text]
    yield "every survey variable is used by the job playbook", not unused, "unused: %s" % unused


def job_checks(stage_dir, sim, workdir, collections, connection_type, key_type):
    python = sys.executable
    playbook = os.path.join(stage_dir, JOB_PLAYBOOK)
    job_text = read_text(playbook)
    held = sim.control("/_sim/api-keys")["token"]  # a key made once, outside the jobs
    sim.control("/_sim/hosted-models", {"cluster_id": CLUSTER_ID, "model": {"service": "awx-llama"}})
    keys_before = len(sim_get(sim, "/_sim/api-keys"))
    secrets = [sim.token, held]

    # 1. The guide's job: a connection credential with the token and the URL only, the held key, a survey answer.
    job = Job(workdir, "token-only", job_text, collections, python)
    env, _files = job.credential(connection_type, {"api_token": sim.token, "api_url": sim.url})
    job.credential(key_type, {"token": held})
    job.extra_vars["cluster_id"] = CLUSTER_ID
    sim_clear_requests(sim)
    job.run()
    yield from job_outcome("token-only credential", job, playbook, secrets)
    empty = {name for name, value in env.items() if value == ""}
    yield (
        "token-only credential: the inputs left empty reach the job as empty variables, as AWX sets them",
        empty == set(env) - {"CASTAI_API_TOKEN", "CASTAI_API_URL"},
        "empty: %s" % sorted(empty),
    )
    lookups = sum(map(is_verify, sim_requests(sim)))

    # 2. Every input set: the organization ID spares the lookups, the CA bundle is written to a file and loaded.
    bundle = read_text(certifi_bundle())
    job = Job(workdir, "all-inputs", job_text, collections, python)
    env, _files = job.credential(
        connection_type,
        {
            "api_token": sim.token,
            "api_url": sim.url,
            "organization_id": sim.organization_id,
            "validate_certs": "true",
            "ca_bundle": bundle,
            "api_timeout": "12",
            "api_retries": "2",
            "api_retry_backoff": "0.25",
        },
    )
    job.credential(key_type, {"token": held})
    job.extra_vars["cluster_id"] = CLUSTER_ID
    sim_clear_requests(sim)
    job.run()
    yield from job_outcome("every input set", job, playbook, secrets)
    verifies = sum(map(is_verify, sim_requests(sim)))
    ca_file = env.get("CASTAI_CA_PATH", "")
    yield (
        "every input set: the CA bundle is a 0600 file in the private data dir's env/",
        ca_file.startswith(os.path.join(job.dir, "env")) and os.stat(ca_file).st_mode & 0o777 == 0o600,
        ca_file,
    )
    # Two verifies are the job's own checks (the credential's token, the held key); the rest were organization lookups.
    yield (
        "every input set: the organization ID is used (2 verify requests, the token-only job sent %d)" % lookups,
        verifies == 2 and lookups > 2,
        "verify requests: %d" % verifies,
    )

    # 3. A CA bundle that is not PEM fails before any request and names ca_path: the variable points at the file.
    job = Job(workdir, "bad-ca", job_text, collections, python)
    job.credential(connection_type, {"api_token": sim.token, "api_url": sim.url, "ca_bundle": "not a certificate\n"})
    job.extra_vars["cluster_id"] = CLUSTER_ID
    sim_clear_requests(sim)
    job.run()
    yield (
        "a broken CA bundle fails the job with a ca_path message and no request",
        job.result.status == "failed"
        and "ca_path: cannot load CA certificates" in job.stdout
        and not sim_requests(sim),
        "status %s, requests %d" % (job.result.status, len(sim_requests(sim))),
    )

    # 4. No key per job: the held key is verified, never replaced; a token file in a job's throw-away dir is.
    keys_after = len(sim_get(sim, "/_sim/api-keys"))
    yield "jobs with a held key create no key", keys_after == keys_before, "%d -> %d keys" % (keys_before, keys_after)
    minted = []
    for number in (1, 2):
        job = Job(workdir, "token-file-%d" % number, TOKEN_FILE_JOB, collections, python)
        job.credential(connection_type, {"api_token": sim.token, "api_url": sim.url})
        job.run()
        token_file = os.path.join(job.dir, "project", "ai-optimizer.token")
        minted.append(read_text(token_file).strip() if os.path.exists(token_file) else "")
        leaks = job.leaks(secrets + minted)
        yield (
            "token-file job %d: successful, no token in stdout or events" % number,
            job.result.status == "successful" and not leaks,
            "status %s, leaks %s" % (job.result.status, leaks),
        )
    created = len(sim_get(sim, "/_sim/api-keys")) - keys_after
    yield (
        "two jobs that keep the token in a file inside the job create two keys (why the guide stores it in a "
        "credential)",
        created == 2 and all(minted) and minted[0] != minted[1],
        "%d keys created" % created,
    )

    # 5. requests missing under no_log: the result is censored, the error line still names the library.
    bare = os.path.join(workdir, "python-without-requests")
    subprocess.run([python, "-m", "venv", "--without-pip", bare], check=True)
    job = Job(workdir, "no-requests", job_text, collections, os.path.join(bare, "bin", "python"))
    job.credential(connection_type, {"api_token": sim.token, "api_url": sim.url})
    job.credential(key_type, {"token": held})
    job.extra_vars["cluster_id"] = CLUSTER_ID
    job.run()
    failed = [e["event_data"] for e in job.events if e.get("event") == "runner_on_failed"]
    censored = bool(failed) and "censored" in failed[0]["res"] and "msg" not in failed[0]["res"]
    # The first task has no no_log; the held-key task never runs. Run a no_log task on its own to see the censoring.
    job2 = Job(workdir, "no-requests-no-log", NO_LOG_JOB, collections, os.path.join(bare, "bin", "python"))
    job2.credential(connection_type, {"api_token": sim.token, "api_url": sim.url})
    job2.run()
    failed2 = [e["event_data"] for e in job2.events if e.get("event") == "runner_on_failed"]
    censored2 = bool(failed2) and "censored" in failed2[0]["res"] and "msg" not in failed2[0]["res"]
    yield (
        "missing requests: the first task (no no_log) names the library",
        job.result.status == "failed" and bool(MISSING_REQUESTS.search(job.stdout)) and not censored,
        job.stdout[-600:],
    )
    yield (
        "missing requests under no_log: the result is censored, the job's stdout still names the library "
        "(ansible-core 2.19 and later)",
        censored2 and bool(MISSING_REQUESTS.search(job2.stdout)),
        job2.stdout[-600:],
    )


def certifi_bundle():
    import certifi  # pylint: disable=import-outside-toplevel

    return certifi.where()


def job_outcome(label, job, playbook, secrets):
    """The checks every successful job must pass: status, a runner_on_ok per task, stats, no secret anywhere."""
    yield "%s: job successful (rc %s)" % (label, job.result.rc), job.result.status == "successful", job.stdout[-1500:]
    names = playbook_task_names(playbook)
    missing = [n for n in names if n not in job.task_events("runner_on_ok")]
    yield (
        "%s: a runner_on_ok event for each of the %d tasks" % (label, len(names)),
        not missing,
        "missing: %s" % missing,
    )
    stats = job.stats() or {}
    yield (
        "%s: playbook_on_stats with no failures" % label,
        bool(stats) and not stats.get("failures") and not stats.get("dark"),
        str(stats)[:300],
    )
    leaks = job.leaks(secrets)
    yield "%s: no token in stdout, events or artifacts" % label, not leaks, ", ".join(leaks)


def stage_collection():
    """Stage the working tree as tools/run_tests.py does (STAGE_ROOT, default .cache); the staged collection's path."""
    stage_root = os.path.abspath(os.environ.get("STAGE_ROOT") or os.path.join(ROOT, ".cache"))
    return subprocess.run(
        [os.path.join(ROOT, "tools", "stage.sh")],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, STAGE_ROOT=stage_root),
    ).stdout.strip()


def report(prefix, results):
    """Print a PASS/FAIL line per (name, ok, detail) and the closing count; the exit code."""
    passed = failed = 0
    for name, ok, detail in results:
        print("[%s] %s: %s%s" % ("PASS" if ok else "FAIL", prefix, name, "" if ok or not detail else " - " + detail))
        sys.stdout.flush()
        passed, failed = passed + ok, failed + (not ok)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


def main():
    from simulator_process import SimulatorProcess  # pylint: disable=import-outside-toplevel

    stage_dir = stage_collection()
    with SimulatorProcess(ROOT, transition_seconds=0.3) as sim:
        return report("awx", checks(stage_dir, sim))


if __name__ == "__main__":
    sys.exit(main())
