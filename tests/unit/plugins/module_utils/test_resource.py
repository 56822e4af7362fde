# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource core, through every resource module against the in-process simulator.

- one diff shape for absent and present, and the diff only under --diff;
- ``changed`` tracks every write: a failure after a write reports ``changed: true`` and names what was done;
- check mode predicts the ``changed`` of the real run; a rerun converges with no writes.
"""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import (
    api_key,
    api_key_budget,
    api_key_settings,
    hosted_model,
    settings,
)

CLUSTER = "cluster-core"
MODEL = {
    "cluster_id": CLUSTER,
    "service": "llama",
    "model_specs_id": "spec-1",
    "port": 8080,
    "wait_sleep": 0.01,
    "wait_timeout": 30,
}


def key_id(sim):
    """A second API key of the simulator's organization, whose settings and budget the tests manage."""
    return sim.control("POST", "api-keys", {})["api_key_id"]


def cases(sim, tmp_path):
    """(module, args that create, args that change it, args that remove it) for every resource module."""
    key = key_id(sim)
    token_file = str(tmp_path / "token")
    return {
        "api_key": (
            api_key,
            {"path": token_file},
            {"path": token_file, "rotate": True},
            {"path": token_file, "state": "absent"},
        ),
        "api_key_budget": (
            api_key_budget,
            {"api_key_id": key, "budget_limit_usd": 10},
            {"api_key_id": key, "budget_limit_usd": "12.5"},
            {"api_key_id": key, "state": "absent"},
        ),
        "api_key_settings": (
            api_key_settings,
            {"api_key_id": key, "routing_enabled": True},
            {"api_key_id": key, "router_quality_weight": 0.3},
            {"api_key_id": key, "state": "absent"},
        ),
        "hosted_model": (hosted_model, dict(MODEL), dict(MODEL, replicas=2), dict(MODEL, state="absent")),
    }


MODULES = ("api_key", "api_key_budget", "api_key_settings", "hosted_model")


@pytest.mark.parametrize("name", MODULES)
def test_one_diff_shape_for_every_resource_module(run, sim, tmp_path, name):
    module, create, change, remove = cases(sim, tmp_path)[name]

    preview = run(module.main, check_mode=True, **create)
    assert not preview.failed, preview.result["msg"]
    assert "diff" not in preview.result
    assert sim.writes() == []

    created = run(module.main, diff=True, **create)
    assert created.result["changed"] is True, created.result
    assert created.result["diff"]["before"] == {"state": "absent"}
    assert created.result["diff"]["after"]["state"] == "present"
    assert isinstance(created.result["changed_fields"], list) and created.result["changed_fields"]

    again = run(module.main, diff=True, **create)
    assert again.result["changed"] is False and again.result["changed_fields"] == []
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    assert again.result["diff"]["before"]["state"] == "present"

    changed = run(module.main, diff=True, **change)
    assert changed.result["changed"] is True
    assert changed.result["diff"]["before"]["state"] == changed.result["diff"]["after"]["state"] == "present"
    assert changed.result["diff"]["before"] != changed.result["diff"]["after"]

    removed = run(module.main, diff=True, **remove)
    assert removed.result["changed"] is True
    assert removed.result["diff"]["before"]["state"] == "present"
    assert removed.result["diff"]["after"] == {"state": "absent"}
    assert removed.result["changed_fields"] == []

    gone = run(module.main, diff=True, **remove)
    assert gone.result["changed"] is False
    assert gone.result["diff"] == {"before": {"state": "absent"}, "after": {"state": "absent"}}


def test_settings_diff_is_the_present_shape(run, sim):
    outcome = run(settings.main, diff=True, router_quality_weight=0.25)
    assert outcome.result["diff"]["before"]["state"] == outcome.result["diff"]["after"]["state"] == "present"
    assert outcome.result["diff"]["after"]["router_quality_weight"] == 0.25
    assert "diff" not in run(settings.main, router_quality_weight=0.5).result


# --- changed after a partial failure ------------------------------------------------------------------------------


def converges(run, sim, module, args):
    """A rerun after the failure reaches the goal, and a third run changes nothing and writes nothing."""
    fixed = run(module.main, **args)
    assert not fixed.failed, fixed.result["msg"]
    check = run(module.main, check_mode=True, **args)
    sim.control("DELETE", "requests")
    final = run(module.main, **args)
    assert final.result["changed"] is False and check.result["changed"] is False
    assert sim.writes() == []


def test_create_then_scale_fails(run, sim):
    sim.fault(kind="status", status=503, method="POST", path=r":scale$", count=10)
    outcome = run(hosted_model.main, **dict(MODEL, replicas=2))
    assert outcome.failed and outcome.result["changed"] is True
    assert outcome.result["msg"].startswith("created hosted model (service llama), then scale hosted model ")
    assert "503" in outcome.result["msg"]
    sim.control("DELETE", "faults")
    converges(run, sim, hosted_model, dict(MODEL, replicas=2))


def test_update_then_scale_fails(run, sim):
    assert not run(hosted_model.main, **MODEL).failed
    args = dict(MODEL, node_template_name="gpu-large", replicas=3)
    assert run(hosted_model.main, check_mode=True, **args).result["changed"] is True
    sim.fault(kind="status", status=503, method="POST", path=r":scale$", count=10)
    outcome = run(hosted_model.main, **args)
    assert outcome.failed and outcome.result["changed"] is True
    assert outcome.result["msg"].startswith("updated hosted model ")
    assert "node_template_name" in outcome.result["msg"] and "then scale hosted model" in outcome.result["msg"]
    sim.control("DELETE", "faults")
    converges(run, sim, hosted_model, args)


def test_recreate_delete_then_create_fails(run, sim):
    assert not run(hosted_model.main, **MODEL).failed
    args = dict(MODEL, port=9090, recreate=True)
    assert run(hosted_model.main, check_mode=True, **args).result["changed"] is True
    sim.fault(kind="status", status=503, method="POST", path=r"/hosted-models$", count=10)
    outcome = run(hosted_model.main, **args)
    assert outcome.failed and outcome.result["changed"] is True
    assert outcome.result["msg"].startswith("deleted hosted model ")
    assert "then create hosted model (service llama)" in outcome.result["msg"]
    sim.control("DELETE", "faults")
    converges(run, sim, hosted_model, args)


@pytest.mark.parametrize(
    "module, args",
    [
        (settings, {"router_quality_weight": 0.75}),
        ("budget", {"budget_limit_usd": 42}),
    ],
)
def test_write_whose_answer_is_lost_may_have_been_applied(run, sim, module, args):
    if module == "budget":
        module, args = api_key_budget, dict(args, api_key_id=key_id(sim))
    assert run(module.main, check_mode=True, **args).result["changed"] is True
    sim.fault(kind="reset_after", method="PATCH")
    outcome = run(module.main, **args)
    assert outcome.failed and outcome.result["changed"] is True
    assert outcome.result["msg"].startswith("may have ")
    assert [r["method"] for r in sim.writes()] == ["PATCH"]
    converges(run, sim, module, args)


def test_write_refused_reports_no_change(run, sim):
    sim.fault(kind="status", status=500, method="PATCH")
    outcome = run(settings.main, router_quality_weight=0.75)
    assert outcome.failed and outcome.result["changed"] is False
    assert outcome.result["msg"].startswith("update the organization settings: HTTP 500")


def test_retried_delete_that_finds_nothing_reports_the_deletion(run, sim):
    key = key_id(sim)
    assert not run(api_key_budget.main, api_key_id=key, budget_limit_usd=5).failed
    sim.control("DELETE", "requests")
    sim.fault(kind="reset_after", method="DELETE")
    outcome = run(api_key_budget.main, api_key_id=key, state="absent")
    assert not outcome.failed, outcome.result["msg"]
    assert outcome.result["changed"] is True
    assert [r["method"] for r in sim.writes()] == ["DELETE", "DELETE"]


def test_delete_raced_by_someone_else_is_no_change(run, sim):
    key = key_id(sim)
    assert not run(api_key_budget.main, api_key_id=key, budget_limit_usd=5).failed
    sim.fault(kind="status", status=404, method="DELETE")
    outcome = run(api_key_budget.main, api_key_id=key, state="absent")
    assert not outcome.failed and outcome.result["changed"] is False


@pytest.mark.parametrize("organization_id", ["given", None])
def test_api_calls_counts_every_request_of_the_task(run, sim, tmp_path, organization_id):
    args = {"path": str(tmp_path / "token")}
    if organization_id is None:
        args["organization_id"] = None
    assert not run(api_key.main, **args).failed
    sim.control("DELETE", "requests")
    again = run(api_key.main, **args)
    # The held token is verified with a client of its own; its request counts too.
    assert again.result["api_calls"] == len(sim.requests()) == (2 if organization_id is None else 1)


def test_api_calls_is_zero_when_input_fails_before_any_request(run, sim):
    outcome = run(api_key_budget.main, api_key_id="..", budget_limit_usd=1)
    assert outcome.failed and outcome.result["api_calls"] == 0 and sim.requests() == []
