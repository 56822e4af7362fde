# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hosted_model's ``model`` option (the model specs found by name) and its ``service_address``, against the in-process
simulator."""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.module_utils._hosted_model import service_address
from ansible_collections.castai.ai_optimizer.plugins.modules import hosted_model
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.test_model_catalog_info import private_spec
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.test_model_registry import (
    active_registry,
    operations,
)

QWEN_ID = "17f8bbad-598a-5971-b419-8ccf3aea4611"
CLUSTER = "cluster-by-name"
FAST = {"wait_sleep": 0.01, "wait_timeout": 10, "cluster_id": CLUSTER}
SPECS_LIST, HM_LIST, HM_CREATE = (
    "ModelSpecsAPIListModelSpecs",
    "HostedModelsAPIListHostedModels",
    "HostedModelsAPICreateHostedModel",
)


def run_hm(run, check_mode=False, **args):
    return run(hosted_model.main, check_mode=check_mode, diff=True, **dict(FAST, **args))


def test_a_predefined_model_by_name_is_deployed_and_its_address_returned(run, sim):
    check = run_hm(run, check_mode=True, service="qwen", model="Qwen/Qwen2.5-7B-Instruct", port=8080)
    assert check.result["changed"] is True and sim.writes() == []
    assert check.result["hosted_model"]["model_specs_id"] == QWEN_ID
    assert check.result["service_address"] is None  # the namespace is the API's to say

    outcome = run_hm(run, service="qwen", model="Qwen/Qwen2.5-7B-Instruct", port=8080)
    assert not outcome.failed, outcome.result
    assert outcome.result["hosted_model"]["model_specs_id"] == QWEN_ID
    assert outcome.result["hosted_model"]["model"] == "Qwen/Qwen2.5-7B-Instruct"
    namespace = outcome.result["hosted_model"]["namespace"]
    assert outcome.result["service_address"] == "http://qwen.%s.svc.cluster.local:8080" % namespace
    create = [w for w in sim.writes() if w["operation_id"] == HM_CREATE][0]
    assert create["body"]["modelSpecsId"] == QWEN_ID and "model" not in create["body"]
    assert outcome.result["diff"] == check.result["diff"]

    sim.control("DELETE", "requests")
    again = run_hm(run, service="qwen", model="Qwen/Qwen2.5-7B-Instruct")
    assert again.result["changed"] is False and sim.writes() == []
    assert again.result["service_address"] == outcome.result["service_address"]
    assert operations(sim) == [SPECS_LIST, HM_LIST]
    unchanged_check = run_hm(run, check_mode=True, service="qwen")
    assert unchanged_check.result["service_address"] == outcome.result["service_address"]


def test_a_private_model_by_name(run, sim):
    spec_id = private_spec(sim, active_registry(sim), model="acme/tuned")
    outcome = run_hm(run, service="tuned", model="acme/tuned", port=9000, wait=False)
    assert not outcome.failed, outcome.result
    assert outcome.result["hosted_model"]["model_specs_id"] == spec_id


def test_another_model_for_an_existing_deployment_is_a_fixed_field(run, sim):
    run_hm(run, service="qwen", model="Qwen/Qwen2.5-7B-Instruct", port=8080, wait=False)
    outcome = run_hm(run, service="qwen", model="google/gemma-2-9b-it")
    assert outcome.failed and "model_specs_id is fixed at create" in outcome.result["msg"]


def test_two_specs_with_the_name_fail_listing_both(run, sim):
    first = private_spec(sim, active_registry(sim), model="acme/tuned")
    second = private_spec(
        sim, active_registry(sim, {"type": "S3", "s3": {"bucket": "b", "region": "r"}}), model="acme/tuned"
    )
    outcome = run_hm(run, service="tuned", model="acme/tuned", port=8080)
    assert outcome.failed and outcome.result["changed"] is False
    assert "2 model specs have model 'acme/tuned'" in outcome.result["msg"]
    assert first in outcome.result["msg"] and second in outcome.result["msg"]
    assert "set model_specs_id" in outcome.result["msg"]
    assert operations(sim) == [SPECS_LIST]


def test_an_unknown_name_fails_listing_similar_ones(run, sim):
    outcome = run_hm(run, service="llama", model="llama", port=8080)
    assert outcome.failed and "no model specs has model 'llama'" in outcome.result["msg"]
    assert "similar names: meta-llama/Llama-3.1-8B-Instruct" in outcome.result["msg"]
    assert sim.writes() == []
    outcome = run_hm(run, service="x", model="nothing-like-it", port=8080)
    assert "the organization's models: BAAI/bge-large-en-v1.5, Qwen/Qwen2.5-7B-Instruct" in outcome.result["msg"]


def test_absent_does_not_look_the_model_up(run, sim):
    outcome = run_hm(run, service="gone", model="no such model", state="absent")
    assert not outcome.failed and outcome.result["changed"] is False
    assert outcome.result["service_address"] is None
    assert operations(sim) == [HM_LIST]


@pytest.mark.parametrize(
    "args, message",
    [
        ({"model": "Qwen/Qwen2.5-7B-Instruct", "model_specs_id": QWEN_ID}, "mutually exclusive"),
        ({"model": ""}, "model must not be empty"),
        ({"model": "m\x01"}, "model must not contain control characters"),
    ],
)
def test_bad_model_makes_no_request(run, sim, args, message):
    outcome = run_hm(run, organization_id=None, service="svc", port=8080, **args)
    assert outcome.failed and message in outcome.result["msg"], outcome.result
    assert sim.requests() == []


@pytest.mark.parametrize(
    "model, address",
    [
        ({"service": "chat", "namespace": "llm", "port": 8080}, "http://chat.llm.svc.cluster.local:8080"),
        ({"service": "chat", "namespace": None, "port": 8080}, None),
        (None, None),
    ],
)
def test_service_address(model, address):
    assert service_address(model) == address
