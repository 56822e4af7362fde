# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_schema: answers in (from_api) and desired state out (api_body), both through the generated field tables."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.castai.ai_optimizer.plugins.module_utils import _schema
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import HostedModel
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models_schema import SCHEMAS
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.model_specs import ListModelSpecsResponse
from ansible_collections.castai.ai_optimizer.plugins.module_utils._schema import AnswerError, api_body, from_api

HOSTED_MODEL_JSON = {
    "id": "hm-1",
    "organizationId": "org-1",
    "clusterId": "cluster-1",
    "modelSpecsId": "spec-1",
    "model": "llama-3.1-8b",
    "port": 8080,
    "service": "llama-svc",
    "status": "RUNNING",
    "requiredGpuMemoryMib": "24576",
    "createTime": "2025-01-02T03:04:05Z",
    "edgeLocations": {"ids": ["edge-1", "edge-2"]},
    "horizontalAutoscaling": {
        "enabled": True,
        "minReplicas": 1,
        "maxReplicas": 3,
        "targetMetric": "NUMBER_OF_REQUESTS_WAITING",
        "targetValue": 5,
    },
    "hibernation": {
        "enabled": True,
        "hibernateCondition": {"duration": "600s", "requestCount": "0"},
        "resumeCondition": {"duration": "60s", "requestCount": 1},
    },
    "vllmConfig": {"secretName": "hf-token"},
}


def test_answer_becomes_the_snake_case_result_with_every_field():
    result = from_api(HostedModel, HOSTED_MODEL_JSON)

    assert set(result) == set(SCHEMAS["HostedModel"]["fields"])
    assert result["cluster_id"] == "cluster-1" and result["node_template_name"] is None
    assert result["required_gpu_memory_mib"] == "24576"
    assert result["edge_locations"] == {"ids": ["edge-1", "edge-2"]}
    assert result["horizontal_autoscaling"] == {
        "enabled": True,
        "min_replicas": 1,
        "max_replicas": 3,
        "target_metric": "NUMBER_OF_REQUESTS_WAITING",
        "target_value": 5.0,
    }
    assert isinstance(result["horizontal_autoscaling"]["target_value"], float)
    # int64 travels as a string in proto3 JSON; both spellings give the number.
    assert result["hibernation"]["hibernate_condition"] == {"duration": "600s", "request_count": 0}
    assert result["hibernation"]["resume_condition"] == {"duration": "60s", "request_count": 1}
    assert result["vllm_config"] == {"hugging_face_token": None, "secret_name": "hf-token"}


def test_items_of_a_listing_share_their_repeated_short_strings(monkeypatch):
    """Memory for long listings (issue 13): equal short values are one object, up to a bound; long ones never."""
    monkeypatch.setattr(_schema, "_shared_strings", {})
    long_reason = "x" * (_schema.SHARED_STRING_MAX_LENGTH + 1)

    def parsed(index):
        # Fresh strings each time, as JSON decoding makes them.
        answer = dict(HOSTED_MODEL_JSON, id="hm-%d" % index, statusReason="".join(long_reason))
        answer["clusterId"] = "".join(["cluster", "-1"])
        return from_api(HostedModel, answer)

    first, second = parsed(1), parsed(2)
    assert first["cluster_id"] == second["cluster_id"] == "cluster-1"
    assert first["cluster_id"] is second["cluster_id"]
    assert (
        first["hibernation"]["hibernate_condition"]["duration"]
        is second["hibernation"]["hibernate_condition"]["duration"]
    )
    assert first["status_reason"] == second["status_reason"] and first["status_reason"] is not second["status_reason"]

    monkeypatch.setattr(_schema, "SHARED_STRINGS_MAX", len(_schema._shared_strings))
    third, fourth = parsed(3), parsed(4)
    assert third["cluster_id"] is first["cluster_id"]  # shared before the bound was reached
    assert third["id"] == "hm-3" and "hm-3" not in _schema._shared_strings
    assert len(_schema._shared_strings) == _schema.SHARED_STRINGS_MAX and fourth["id"] == "hm-4"


def test_round_trip_through_api_body():
    result = from_api(HostedModel, HOSTED_MODEL_JSON)
    body = api_body(SCHEMAS, "HostedModel", result)
    expected = copy.deepcopy(HOSTED_MODEL_JSON)
    expected["hibernation"]["hibernateCondition"]["requestCount"] = 0
    expected["horizontalAutoscaling"]["targetValue"] = 5.0
    assert body == expected


def test_unknown_fields_are_dropped_and_new_enum_values_kept():
    data = dict(HOSTED_MODEL_JSON, status="SOMETHING_NEW", brandNewField={"x": 1})
    data["horizontalAutoscaling"] = dict(data["horizontalAutoscaling"], futureKnob=True)
    result = from_api(HostedModel, data)
    assert result["status"] == "SOMETHING_NEW"
    assert "brand_new_field" not in result and "future_knob" not in result["horizontal_autoscaling"]


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("port", "8080", "port: expected an integer, got a string"),
        ("port", True, "port: expected a integer, got a boolean"),
        ("port", 8080.5, "port: expected an integer, got a number"),
        ("service", 5, "service: expected a string, got an integer"),
        ("horizontalAutoscaling", [], "horizontal_autoscaling: expected an object, got a list"),
        ("edgeLocations", {"ids": "edge-1"}, "edge_locations.ids: expected a list, got a string"),
        ("edgeLocations", {"ids": ["a", 3]}, "edge_locations.ids[1]: expected a string, got an integer"),
    ],
)
def test_wrong_types_are_problems_that_name_the_field(field, value, problem):
    with pytest.raises(AnswerError) as caught:
        from_api(HostedModel, dict(HOSTED_MODEL_JSON, **{field: value}))
    assert caught.value.problems == [problem]


def test_booleans_are_json_booleans():
    data = dict(HOSTED_MODEL_JSON, horizontalAutoscaling={"enabled": "yes"})
    with pytest.raises(AnswerError, match="horizontal_autoscaling.enabled: expected a boolean, got a string"):
        from_api(HostedModel, data)


def test_problems_never_echo_values():
    secret = "sk-secret-looking-value"
    with pytest.raises(AnswerError) as caught:
        from_api(HostedModel, dict(HOSTED_MODEL_JSON, port=secret, vllmConfig={"secretName": [secret]}))
    assert secret not in str(caught.value)
    assert len(caught.value.problems) == 2


def test_lists_of_objects_are_checked_item_by_item():
    result = from_api(ListModelSpecsResponse, {"items": [{"id": "a", "model": "m"}], "nextPageCursor": ""})
    assert result["items"][0]["id"] == "a" and result["items"][0]["registry_type"] is None
    with pytest.raises(AnswerError, match=r"items\[0\]: expected an object, got a string"):
        from_api(ListModelSpecsResponse, {"items": ["a"]})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(sorted(f["alias"] for f in SCHEMAS["HostedModel"]["fields"].values())), JSON, max_size=6
    )
)
def test_any_answer_gives_a_result_or_named_problems(data):
    try:
        result = from_api(HostedModel, data)
    except AnswerError as exc:
        assert exc.problems and all(": expected " in problem for problem in exc.problems)
    else:
        assert set(result) == set(SCHEMAS["HostedModel"]["fields"])
