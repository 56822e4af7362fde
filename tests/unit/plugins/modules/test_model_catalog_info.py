# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""model_specs_info and model_registries_info against the in-process simulator: every page, the API's filters and the
module's own, directories, and the onboarding command."""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import model_registries_info, model_specs_info
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.test_model_registry import (
    active_registry,
    api,
    operations,
)

PREDEFINED = [
    "meta-llama/Llama-3.1-8B-Instruct",
    "Qwen/Qwen2.5-7B-Instruct",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "google/gemma-2-9b-it",
    "BAAI/bge-large-en-v1.5",
]
LLAMA_ID = "facf0831-08d4-5e19-b6d5-bcd2f17b0252"


def private_spec(sim, registry_id, model="acme/tuned", directory="llama-3-8b-ft", **extra):
    spec = api(
        sim,
        "POST",
        "model-specs",
        dict(
            {
                "model": model,
                "registryType": "PRIVATE",
                "privateRegistry": {"registryId": registry_id, "baseModelId": directory},
            },
            **extra,
        ),
    )
    sim.control("DELETE", "requests")
    return spec["id"]


# --- model_specs_info -----------------------------------------------------------------------------------------------


def test_lists_every_page_with_every_field(run, sim):
    registry_id = active_registry(sim)
    own = private_spec(sim, registry_id)
    sim.control("POST", "config", {"max_page_size": 2})
    outcome = run(model_specs_info.main)
    assert not outcome.failed, outcome.result
    specs = outcome.result["model_specs"]
    assert [s["model"] for s in specs] == PREDEFINED + ["acme/tuned"]
    assert operations(sim) == ["ModelSpecsAPIListModelSpecs"] * 3
    llama = specs[0]
    assert llama["id"] == LLAMA_ID and llama["tokens_per_second"] == 95
    assert llama["hugging_face"]["terms_and_conditions"] == {
        "acceptance_required": True,
        "uri": "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
    }
    assert {r["cloud"] for r in llama["hardware_specs"]["regions"]} == {"AWS", "GCP"}
    assert specs[-1]["id"] == own and specs[-1]["private_registry"]["registry_id"] == registry_id
    assert outcome.result["changed"] is False


def test_the_apis_filters_are_sent_and_the_local_ones_applied(run, sim):
    registry_id = active_registry(sim)
    private_spec(sim, registry_id, type="embeddings")
    outcome = run(model_specs_info.main, cloud="GCP", region="us-central1", registry_type="HUGGING_FACE", type="chat")
    assert [s["model"] for s in outcome.result["model_specs"]] == PREDEFINED[:4]
    assert all(
        [r["name"] for r in s["hardware_specs"]["regions"]] == ["us-central1"] for s in outcome.result["model_specs"]
    )
    query = sim.requests()[0]["query"]
    assert (query["cloud"], query["region"], query["registryType"]) == ("GCP", "us-central1", "HUGGING_FACE")
    assert "type" not in query  # the API cannot filter by type: the module does

    sim.control("DELETE", "requests")
    by_registry = run(model_specs_info.main, registry_id=registry_id)
    assert [s["model"] for s in by_registry.result["model_specs"]] == ["acme/tuned"]
    assert sim.requests()[0]["query"]["registryId"] == registry_id

    by_name = run(model_specs_info.main, model="BAAI/bge-large-en-v1.5")
    assert [s["type"] for s in by_name.result["model_specs"]] == ["embeddings"]


def test_sorted_by_the_api(run, sim):
    outcome = run(model_specs_info.main, sort_field="tokens_per_second", sort_order="desc")
    assert [s["tokens_per_second"] for s in outcome.result["model_specs"]] == [2400, 105, 100, 95, 80]
    query = sim.requests()[0]["query"]
    assert (query["sort.field"], query["sort.order"]) == ("tokensPerSecond", "DESC")


def test_spec_by_id(run, sim):
    outcome = run(model_specs_info.main, id=LLAMA_ID)
    assert [s["model"] for s in outcome.result["model_specs"]] == [PREDEFINED[0]]
    assert operations(sim) == ["ModelSpecsAPIGetModelSpecs"]
    assert run(model_specs_info.main, id="unknown").result["model_specs"] == []


@pytest.mark.parametrize(
    "args, message",
    [
        ({"sort_field": "hardware_specs.regions"}, "sort_field must be one of"),
        ({"id": LLAMA_ID, "cloud": "AWS"}, "mutually exclusive"),
        ({"registry_id": "a/b"}, "registry_id must be a single ID"),
        ({"cloud": "MOON"}, "cloud"),
        ({"model": ""}, "model must not be empty"),
    ],
)
def test_specs_info_bad_input_makes_no_request(run, sim, args, message):
    outcome = run(model_specs_info.main, organization_id=None, **args)
    assert outcome.failed and message in outcome.result["msg"], outcome.result
    assert sim.requests() == []


# --- model_registries_info ------------------------------------------------------------------------------------------


def test_lists_every_registry_with_directories(run, sim):
    active = active_registry(sim, directories=["llama-3-8b-ft", "qwen-ft"])
    private_spec(sim, active)
    onboarding = api(
        sim,
        "POST",
        "model-registries",
        {"provider": {"type": "S3", "s3": {"bucket": "new", "region": "eu-west-1"}}, "credentials": '{"k": "v"}'},
    )["id"]
    sim.control("POST", "model-registries/%s/status" % onboarding, {"status": "ONBOARDING", "stuck": True})
    sim.control("POST", "config", {"max_page_size": 1})
    sim.control("DELETE", "requests")

    outcome = run(model_registries_info.main, include_directories=True)
    assert not outcome.failed, outcome.result
    registries = {r["id"]: r for r in outcome.result["model_registries"]}
    assert list(registries) == [active, onboarding]
    assert registries[active]["directories"] == [
        {"name": "llama-3-8b-ft", "registered": True},
        {"name": "qwen-ft", "registered": False},
    ]
    assert registries[onboarding]["directories"] is None  # the API lists them only once ACTIVE
    assert registries[onboarding]["status"] == "ONBOARDING"
    assert all("credentials" not in r for r in registries.values())
    assert operations(sim).count("ModelRegistriesAPIListModelRegistries") == 2  # a page of one registry each
    # Two pages of the ACTIVE registry's two directories, one refused listing of the ONBOARDING one.
    assert operations(sim).count("ModelRegistriesAPIListModelRegistryDirectories") == 3


def test_without_directories_only_lists(run, sim):
    active_registry(sim)
    outcome = run(model_registries_info.main)
    assert "directories" not in outcome.result["model_registries"][0]
    assert operations(sim) == ["ModelRegistriesAPIListModelRegistries"]


def test_registry_by_id(run, sim):
    registry_id = active_registry(sim)
    outcome = run(model_registries_info.main, id=registry_id)
    assert [r["id"] for r in outcome.result["model_registries"]] == [registry_id]
    assert operations(sim) == ["ModelRegistriesAPIGetModelRegistry"]
    assert run(model_registries_info.main, id="unknown").result["model_registries"] == []


def test_onboarding_command_and_script(run, sim):
    outcome = run(
        model_registries_info.main,
        include_onboarding_script=True,
        onboarding_provider={"type": "S3", "s3": {"bucket": "acme-weights", "region": "eu-west-1", "prefix": "tuned"}},
    )
    assert not outcome.failed, outcome.result
    command = outcome.result["onboarding_command"]
    assert "BUCKET=acme-weights" in command and "REGION=eu-west-1" in command and "PREFIX=tuned" in command
    assert sim.token not in command and "$CASTAI_API_TOKEN" in command
    assert outcome.result["onboarding_script"].startswith("#!/usr/bin/env bash")
    by_operation = {r["operation_id"]: r["query"] for r in sim.requests()}
    assert by_operation["ModelRegistriesAPIGetOnboardingCommand"] == {
        "provider.type": "S3",
        "provider.s3.bucket": "acme-weights",
        "provider.s3.region": "eu-west-1",
        "provider.s3.prefix": "tuned",
    }
    assert by_operation["ModelRegistriesAPIGetOnboardingScript"] == {"providerType": "S3"}


@pytest.mark.parametrize(
    "args, message",
    [
        ({"include_onboarding_script": True}, "onboarding_provider"),
        ({"onboarding_provider": {"type": "S3", "s3": {"bucket": "b"}}}, "region"),
        (
            {"onboarding_provider": {"type": "GCS", "gcs": {"bucket": ""}}},
            "onboarding_provider.gcs.bucket must not be empty",
        ),
        ({"id": "a/b"}, "id must be a single ID"),
    ],
)
def test_registries_info_bad_input_makes_no_request(run, sim, args, message):
    outcome = run(model_registries_info.main, organization_id=None, **args)
    assert outcome.failed and message in outcome.result["msg"], outcome.result
    assert sim.requests() == []
