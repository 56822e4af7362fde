# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures of the unit tests.

- ``api_server``: a scripted HTTP server on 127.0.0.1 that answers from a queue
  of canned responses and records every request it receives.
- ``run_module``: runs a module's ``main()`` with given arguments and returns
  what it passed to ``exit_json``/``fail_json`` (both patched to raise).
- ``sim``: the API simulator in this process (one per session, reset before each test),
  the one API fake of the unit tests; ``sim.requests()`` / ``sim.writes()`` read its request log.
- ``run``: ``run(main, check_mode=False, diff=False, **args)`` runs a module against ``sim``
  with its token and organization (pass ``organization_id=None`` to make the module look it up).
"""

from __future__ import annotations

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.castai.ai_optimizer.tests.unit.plugins.harness import (
    ModuleExitJson,
    ModuleFailJson,
    Outcome,
    ScriptedServer,
)

ENV_VARS = ("CASTAI_API_URL", "CASTAI_API_TOKEN", "CASTAI_ORGANIZATION_ID")
READ_METHODS = ("GET", "HEAD")


# --- HTTP -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def api_server():
    server = ScriptedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- the simulator --------------------------------------------------------------------------------------------------


class InProcessSimulator:
    """The simulator plus short ways to its control surface."""

    def __init__(self, server):
        self.server = server
        self.url = server.url
        self.token = server.token
        self.organization_id = server.organization_id

    def control(self, method, path, payload=None):
        return self.server.control(method, path, payload)

    def requests(self):
        """Every API request since the reset: dicts with method, path, query, body, status, operation_id, fault."""
        return self.control("GET", "requests")

    def writes(self):
        """The requests that could change something: every method but GET, and not api-keys:verify."""
        return [
            r for r in self.requests() if r["method"] not in READ_METHODS and not r["path"].endswith("/api-keys:verify")
        ]

    def fault(self, **fault):
        return self.control("POST", "faults", fault)


_SHARED = {}


def shared_simulator():
    """The simulator of this process, started once.

    ``ansible-test units`` runs every test in a fork of its pytest worker, so a session fixture set up inside a
    fork would start a new simulator for every test. The server is therefore started in the worker at collection
    time (below), before any fork; every fork reaches it over loopback and touches its state only through the
    control surface.
    """
    if "server" not in _SHARED:
        from ansible_collections.castai.ai_optimizer.tests.simulator.server import SimulatorServer

        _SHARED["server"] = SimulatorServer(transition_seconds=0.05).start()
    return _SHARED["server"]


def pytest_collection_modifyitems(items):
    if any("simulator_server" in getattr(item, "fixturenames", ()) for item in items):
        shared_simulator()


@pytest.fixture(scope="session")
def simulator_server():
    return shared_simulator()


@pytest.fixture
def sim(simulator_server):
    simulator_server.control("POST", "reset")
    return InProcessSimulator(simulator_server)


# --- running modules ----------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No test sees the caller's CAST AI settings."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def module_exits(monkeypatch):
    """Patch AnsibleModule so exit_json/fail_json raise and warnings are collected in the returned list."""
    warnings = []

    def exit_json(self, **kwargs):
        kwargs.setdefault("changed", False)
        raise ModuleExitJson(self, kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs.pop("exception", None)
        kwargs.update(failed=True, msg=msg)
        raise ModuleFailJson(self, kwargs)

    def warn(self, warning, **kwargs):
        warnings.append(warning)

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(AnsibleModule, "warn", warn)
    return warnings


@pytest.fixture
def run_module(module_exits):
    """run_module(main, args, check_mode=False, diff=False) -> Outcome."""

    def run(main, args, check_mode=False, diff=False):
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        del module_exits[:]
        with patch_module_args(args):
            try:
                main()
            except ModuleExitJson as exc:
                return Outcome(False, exc.result, exc.module, list(module_exits))
            except ModuleFailJson as exc:
                return Outcome(True, exc.result, exc.module, list(module_exits))
        raise AssertionError("the module returned without calling exit_json or fail_json")

    return run


@pytest.fixture
def run(run_module, sim):
    """run(main, check_mode=False, diff=False, **args) -> Outcome, against the in-process simulator."""

    def run_against_simulator(main, check_mode=False, diff=False, **args):
        full = {"api_url": sim.url, "api_token": sim.token, "organization_id": sim.organization_id}
        full.update(args)
        return run_module(main, {k: v for k, v in full.items() if v is not None}, check_mode=check_mode, diff=diff)

    return run_against_simulator


# --- connection and client (added with the connection hardening) ----------------------------------------------------
# The client runs its own retry loop: these make its waits instant and recorded.

CONNECTION_ENV_VARS = (
    "CASTAI_VALIDATE_CERTS",
    "CASTAI_CA_PATH",
    "CASTAI_API_TIMEOUT",
    "CASTAI_API_RETRIES",
    "CASTAI_API_RETRY_BACKOFF",
    # A CA bundle or proxy of the caller's machine would change what every test connects through.
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def clean_connection_environment(monkeypatch):
    """No test sees the caller's connection settings, CA bundles or proxies."""
    for name in CONNECTION_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def client_waits(monkeypatch):
    """Every wait the API client's retry loop asks for, in order; no test really waits."""
    from ansible_collections.castai.ai_optimizer.plugins.module_utils import _client

    waits = []
    monkeypatch.setattr(_client, "_sleep", waits.append)
    return waits
