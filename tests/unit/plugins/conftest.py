# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures of the unit tests.

- ``api_server``: a scripted HTTP server on 127.0.0.1 that answers from a queue
  of canned responses and records every request it receives.
- ``retry_sleeps``: replaces the clock urllib3's Retry sleeps with, so retries
  are instant and the waits they asked for can be asserted.
- ``run_module``: runs a module's ``main()`` with given arguments and returns
  what it passed to ``exit_json``/``fail_json`` (both patched to raise).
"""

from __future__ import annotations

import time
import types

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


# --- HTTP -----------------------------------------------------------------------------------------------------------

@pytest.fixture
def api_server():
    server = ScriptedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def retry_sleeps(monkeypatch):
    """Every wait urllib3's Retry asks for, in order, without waiting."""
    import urllib3.util.retry as retry_module

    waits = []
    fake_time = types.SimpleNamespace(sleep=waits.append, time=time.time, monotonic=time.monotonic)
    monkeypatch.setattr(retry_module, "time", fake_time)
    return waits


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
