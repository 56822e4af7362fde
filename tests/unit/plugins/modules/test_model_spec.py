# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.model_spec against the in-process simulator: private and Hugging Face specs, the predefined
ones, validation waits, replacement and delete."""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import model_spec
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.test_model_registry import (
    active_registry,
    api,
    operations,
)

LIST, GET, CREATE, DELETE = (
    "ModelSpecsAPIListModelSpecs",
    "ModelSpecsAPIGetModelSpecs",
    "ModelSpecsAPICreateModelSpecs",
    "ModelSpecsAPIDeleteModelSpecs",
)
QWEN_ID = "17f8bbad-598a-5971-b419-8ccf3aea4611"
FAST = {"wait_sleep": 0.01, "wait_timeout": 10}
HF = {"model_name": "HuggingFaceTB/SmolLM2-1.7B-Instruct", "terms_and_conditions": {"acceptance_required": False}}


def run_spec(run, check_mode=False, diff=True, **args):
    return run(model_spec.main, check_mode=check_mode, diff=diff, **dict(FAST, **args))


def private(registry_id, directory="llama-3-8b-ft", **extra):
    return dict(
        model="acme/llama-support", private_registry={"registry_id": registry_id, "base_model_id": directory}, **extra
    )


@pytest.fixture
def registry_id(sim):
    return active_registry(sim)


# --- private specs ------------------------------------------------------------------------------------------------


def test_private_spec_in_check_mode_then_for_real_waits_until_active(run, sim, registry_id):
    check = run_spec(run, check_mode=True, **private(registry_id, description="tuned"))
    assert not check.failed, check.result
    assert check.result["changed"] is True and sim.writes() == []
    assert operations(sim) == [LIST]
    query = sim.requests()[0]["query"]
    assert (query["registryType"], query["registryId"]) == ("PRIVATE", registry_id)  # the API narrows the list
    predicted = check.result["model_spec"]
    assert predicted["id"] is None and predicted["registry_type"] == "PRIVATE"
    assert predicted["private_registry"]["status"] is None and predicted["hardware_specs"] is None

    real = run_spec(run, **private(registry_id, description="tuned"))
    assert not real.failed, real.result
    spec = real.result["model_spec"]
    assert spec["private_registry"]["status"] == "ACTIVE" and spec["tokens_per_second"] == 90
    assert real.result["diff"] == check.result["diff"]
    assert real.result["diff"]["after"] == {
        "state": "present",
        "model": "acme/llama-support",
        "registry_type": "PRIVATE",
        "description": "tuned",
        "private_registry": {"registry_id": registry_id, "base_model_id": "llama-3-8b-ft"},
    }
    assert sorted(real.result["changed_fields"]) == sorted(check.result["changed_fields"])
    create = [r for r in sim.requests() if r["operation_id"] == CREATE][0]
    assert create["body"] == {
        "model": "acme/llama-support",
        "registryType": "PRIVATE",
        "description": "tuned",
        "privateRegistry": {"registryId": registry_id, "baseModelId": "llama-3-8b-ft"},
    }
    assert set(operations(sim)[3:]) == {GET}  # the wait read the specs until ACTIVE


def test_second_run_changes_nothing(run, sim, registry_id):
    first = run_spec(run, **private(registry_id))
    sim.control("DELETE", "requests")
    again = run_spec(run, **private(registry_id, type="chat", routable=False))
    assert not again.failed and again.result["changed"] is False
    assert again.result["model_spec"]["id"] == first.result["model_spec"]["id"]
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    assert operations(sim) == [LIST] and sim.writes() == []


def test_missing_directory_fails_with_the_reason_after_the_create(run, sim, registry_id):
    outcome = run_spec(run, **private(registry_id, directory="not-there"))
    assert outcome.failed and outcome.result["changed"] is True
    assert outcome.result["msg"].startswith(
        "created model specs 'acme/llama-support' in model registry %s, then " % registry_id
    )
    assert "it is ERROR: directory 'not-there' not found in model registry" in outcome.result["msg"]
    assert outcome.result["model_spec"]["private_registry"]["status"] == "ERROR"


def test_existing_spec_in_error_fails_at_once(run, sim, registry_id):
    spec_id = run_spec(run, wait=False, **private(registry_id)).result["model_spec"]["id"]
    sim.control("POST", "model-specs/%s/status" % spec_id, {"status": "ERROR", "status_reason": "bad weights"})
    sim.control("DELETE", "requests")
    outcome = run_spec(run, id=spec_id)
    assert outcome.failed and "model specs %s: it is ERROR: bad weights" % spec_id in outcome.result["msg"]
    assert operations(sim) == [GET]
    assert run_spec(run, id=spec_id, wait=False).result["changed"] is False


def test_validation_timeout_names_the_last_status(run, sim, registry_id):
    spec_id = run_spec(run, wait=False, **private(registry_id)).result["model_spec"]["id"]
    sim.control("POST", "model-specs/%s/status" % spec_id, {"status": "VALIDATING", "stuck": True})
    outcome = run_spec(run, id=spec_id, wait_timeout=0)
    assert outcome.failed
    assert "timed out after 0 seconds" in outcome.result["msg"] and "last seen: VALIDATING" in outcome.result["msg"]


def test_a_changed_field_fails_naming_it_unless_recreate(run, sim, registry_id):
    spec_id = run_spec(run, **private(registry_id, description="v1")).result["model_spec"]["id"]
    sim.control("DELETE", "requests")
    refused = run_spec(run, **private(registry_id, description="v2", quantization="fp8"))
    assert refused.failed and refused.result["changed"] is False
    assert "cannot change description, quantization: the API cannot update model specs" in refused.result["msg"]
    assert "description='v1'" in refused.result["msg"] and "description='v2'" in refused.result["msg"]
    assert sim.writes() == []

    check = run_spec(run, check_mode=True, recreate=True, **private(registry_id, description="v2"))
    assert check.result["changed"] is True and check.result["recreated"] is True and sim.writes() == []
    real = run_spec(run, recreate=True, **private(registry_id, description="v2"))
    assert not real.failed, real.result
    assert real.result["diff"] == check.result["diff"]
    assert real.result["diff"]["before"]["description"] == "v1" and real.result["diff"]["after"]["description"] == "v2"
    assert real.result["model_spec"]["id"] != spec_id and real.result["changed_fields"] == ["description"]
    assert [w["operation_id"] for w in sim.writes()] == [DELETE, CREATE]
    recreated = [w for w in sim.writes() if w["operation_id"] == CREATE][0]["body"]
    assert recreated["privateRegistry"] == {
        "registryId": registry_id,
        "baseModelId": "llama-3-8b-ft",
        "loraAdapter": False,
    }
    assert recreated["type"] == "chat" and recreated["description"] == "v2"


def test_the_registry_by_id_is_a_fixed_field(run, sim, registry_id):
    spec_id = run_spec(run, **private(registry_id)).result["model_spec"]["id"]
    other = active_registry(sim, {"type": "GCS", "gcs": {"bucket": "other"}})
    outcome = run_spec(run, id=spec_id, private_registry={"registry_id": other})
    assert outcome.failed and "private_registry.registry_id" in outcome.result["msg"]


# --- Hugging Face specs and the predefined ones ------------------------------------------------------------------


def test_hugging_face_spec_has_no_status_and_never_waits(run, sim):
    outcome = run_spec(run, model=HF["model_name"], hugging_face=HF, type="chat")
    assert not outcome.failed, outcome.result
    assert outcome.result["model_spec"]["private_registry"] is None
    assert operations(sim) == [LIST, CREATE]
    assert sim.requests()[0]["query"]["registryType"] == "HUGGING_FACE"


def test_creating_a_hugging_face_spec_needs_the_contracts_fields(run, sim):
    outcome = run_spec(run, model="x/y", hugging_face={"model_name": "x/y"})
    assert outcome.failed and "creating model specs needs hugging_face.terms_and_conditions" in outcome.result["msg"]
    assert sim.writes() == []
    outcome = run_spec(run, model="x/y")
    assert outcome.failed and "needs hugging_face or private_registry" in outcome.result["msg"]


def test_a_predefined_spec_is_found_by_name(run, sim):
    outcome = run_spec(
        run,
        model="Qwen/Qwen2.5-7B-Instruct",
        hugging_face={"model_name": "Qwen/Qwen2.5-7B-Instruct", "terms_and_conditions": {"acceptance_required": False}},
    )
    assert not outcome.failed and outcome.result["changed"] is False
    assert outcome.result["model_spec"]["id"] == QWEN_ID and outcome.result["model_spec"]["tokens_per_second"] == 100


def test_deleting_a_predefined_spec_fails_with_the_api_message(run, sim):
    outcome = run_spec(run, id=QWEN_ID, state="absent")
    assert outcome.failed and outcome.result["changed"] is False
    assert "delete model specs %s: HTTP 403" % QWEN_ID in outcome.result["msg"]


def test_two_specs_with_the_name_need_an_id(run, sim, registry_id):
    other = active_registry(sim, {"type": "GCS", "gcs": {"bucket": "other"}})
    first = run_spec(run, **private(registry_id)).result["model_spec"]["id"]
    second = run_spec(run, **private(other)).result["model_spec"]["id"]
    outcome = run_spec(run, model="acme/llama-support", state="absent")
    assert outcome.failed and "2 model specs match" in outcome.result["msg"]
    assert first in outcome.result["msg"] and second in outcome.result["msg"]


# --- absent ---------------------------------------------------------------------------------------------------------


def test_absent_deletes_and_reruns_unchanged(run, sim, registry_id):
    run_spec(run, **private(registry_id))
    sim.control("DELETE", "requests")
    check = run_spec(run, check_mode=True, state="absent", **private(registry_id))
    assert check.result["changed"] is True and sim.writes() == []
    real = run_spec(run, state="absent", **private(registry_id))
    assert real.result["changed"] is True and real.result["model_spec"] is None
    assert real.result["diff"] == check.result["diff"]
    assert real.result["diff"]["before"]["private_registry"] == {
        "registry_id": registry_id,
        "base_model_id": "llama-3-8b-ft",
        "lora_adapter": False,
    }
    assert "status" not in real.result["diff"]["before"]["private_registry"]
    assert [w["operation_id"] for w in sim.writes()] == [DELETE]
    assert run_spec(run, state="absent", **private(registry_id)).result["changed"] is False


def test_deleting_a_spec_a_hosted_model_uses_fails_with_the_api_message(run, sim, registry_id):
    spec_id = run_spec(run, **private(registry_id)).result["model_spec"]["id"]
    api(
        sim,
        "POST",
        "clusters/c1/hosted-models",
        {"clusterId": "c1", "service": "tuned", "port": 8080, "modelSpecsId": spec_id},
    )
    outcome = run_spec(run, id=spec_id, state="absent")
    assert outcome.failed and "is used by hosted model(s) tuned" in outcome.result["msg"]


# --- bad input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ({"model": "m", "hugging_face": HF, "private_registry": {"registry_id": "r"}}, "mutually exclusive"),
        ({"model": " "}, "model must not be empty"),
        ({"model": "a\nb"}, "model must not contain control characters"),
        (
            {"model": "m", "private_registry": {"registry_id": "a/b", "base_model_id": "d"}},
            "private_registry.registry_id must be a single ID",
        ),
        (
            {"model": "m", "private_registry": {"registry_id": "r", "base_model_id": ""}},
            "private_registry.base_model_id must not be empty",
        ),
        ({"model": "m", "hugging_face": {"terms_and_conditions": {}}}, "acceptance_required"),
        ({"model": "m", "wait_sleep": float("inf")}, "wait_sleep must be a finite number"),
        ({"id": ".."}, "id must be a single ID"),
        ({"state": "absent"}, "one of the following is required: id, model"),
    ],
)
def test_bad_input_makes_no_request(run, sim, args, message):
    outcome = run(model_spec.main, organization_id=None, **args)
    assert outcome.failed and message in outcome.result["msg"], outcome.result
    assert sim.requests() == []


# --- failures after a write -----------------------------------------------------------------------------------------


def test_a_failed_create_after_the_delete_of_a_replacement_says_what_was_deleted(run, sim, registry_id):
    spec_id = run_spec(run, **private(registry_id, description="v1")).result["model_spec"]["id"]
    sim.fault(kind="status", status=503, operation_id=CREATE, count=10)
    outcome = run_spec(run, recreate=True, **private(registry_id, description="v2"))
    assert outcome.failed and outcome.result["changed"] is True
    assert outcome.result["msg"].startswith("deleted model specs %s to replace it, then create model specs " % spec_id)
    assert "HTTP 503" in outcome.result["msg"]
    sim.control("DELETE", "faults")
    rerun = run_spec(run, **private(registry_id, description="v2"))
    assert not rerun.failed and rerun.result["changed"] is True  # the rerun creates what is missing
