# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hosted_models_info against the scripted HTTP server: filters, sorting, pods and the result shape."""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import HostedModel
from ansible_collections.castai.ai_optimizer.plugins.modules import hosted_models_info

TOKEN = "info-token-cccccccccccc"
ORG = "11111111-1111-4111-8111-111111111111"
CLUSTER = "22222222-2222-4222-8222-222222222222"
LIST_PATH = "/ai-optimizer/v1beta/organizations/%s/clusters/%s/hosted-models" % (ORG, CLUSTER)

FULL_MODEL = {
    "id": "hm-full",
    "organizationId": ORG,
    "clusterId": CLUSTER,
    "modelSpecsId": "spec-1",
    "model": "meta-llama/Llama-3.1-8B-Instruct",
    "deployedModel": "llama-3-1-8b",
    "provider": "hugging_face",
    "providerId": "prov-1",
    "type": "chat",
    "service": "llama-svc",
    "namespace": "castai-llms",
    "port": 8080,
    "nodeTemplateName": "gpu-nodes",
    "status": "RUNNING",
    "statusReason": "all replicas ready",
    "currentReplicas": 2,
    "requiredGpuMemoryMib": "24576",
    "cloudProvider": "aws",
    "region": "eu-central-1",
    "helmChartVersion": "0.4.2",
    "createTime": "2025-01-02T03:04:05Z",
    "updateTime": "2025-01-03T03:04:05Z",
    "vllmConfig": {"secretName": "hf-secret"},
    "horizontalAutoscaling": {
        "enabled": True,
        "minReplicas": 1,
        "maxReplicas": 3,
        "targetMetric": "NUMBER_OF_REQUESTS_WAITING",
        "targetValue": 5,
    },
    "hibernation": {
        "enabled": True,
        "hibernateCondition": {"duration": "3600s", "requestCount": 0},
        "resumeCondition": {"duration": "60s", "requestCount": 1},
    },
    "fallback": {"enabled": True, "providerId": "prov-2", "model": "gpt-4o-mini"},
    "edgeLocations": {"ids": ["edge-1", "edge-2"]},
}


def hosted_model(id, model="llama", service=None, status="RUNNING"):  # pylint: disable=redefined-builtin
    return {
        "id": id,
        "clusterId": CLUSTER,
        "modelSpecsId": "spec-" + id,
        "model": model,
        "service": service or "svc-" + id,
        "port": 8080,
        "status": status,
    }


MODELS = [
    hosted_model("hm-1", model="llama", service="llama-a", status="RUNNING"),
    hosted_model("hm-2", model="llama", service="llama-b", status="FAILED"),
    hosted_model("hm-3", model="mistral", service="mistral-a", status="WARNING"),
    hosted_model("hm-4", model="qwen", service="qwen-a", status="HIBERNATED"),
]


@pytest.fixture
def run(run_module, api_server):
    def run_info(**args):
        args.setdefault("api_url", api_server.url)
        args.setdefault("api_token", TOKEN)
        args.setdefault("organization_id", ORG)
        args.setdefault("cluster_id", CLUSTER)
        return run_module(hosted_models_info.main, args)

    return run_info


def list_requests(server):
    return [r for r in server.requests if r.path == LIST_PATH]


def pods_requests(server):
    return [r for r in server.requests if r.path.endswith("/pods")]


def test_lists_every_page(run, api_server):
    api_server.reply(200, {"items": MODELS[:2], "nextPageCursor": "next", "totalCount": 4})
    api_server.reply(200, {"items": MODELS[2:], "nextPageCursor": "", "totalCount": 4})

    out = run()

    assert not out.failed, out
    assert out.result["changed"] is False
    assert out.result["organization_id"] == ORG
    assert [m["id"] for m in out.result["hosted_models"]] == ["hm-1", "hm-2", "hm-3", "hm-4"]
    requests = api_server.requests
    assert [r.path for r in requests] == [LIST_PATH, LIST_PATH]
    assert requests[1].query["page.cursor"] == ["next"]
    assert all(r.headers["x-api-key"] == TOKEN for r in requests)
    assert "sort.field" not in requests[0].query


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"id": "hm-3"}, ["hm-3"]),
        ({"model": "llama"}, ["hm-1", "hm-2"]),
        ({"service": "llama-b"}, ["hm-2"]),
        ({"status": ["FAILED", "WARNING"]}, ["hm-2", "hm-3"]),
        ({"status": ["STOPPED"]}, []),
        ({"model": "llama", "status": ["RUNNING"]}, ["hm-1"]),
        ({"id": "hm-1", "service": "mistral-a"}, []),
        ({"id": "nope"}, []),
    ],
)
def test_filters(run, api_server, filters, expected):
    api_server.reply(200, {"items": MODELS, "totalCount": 4})

    out = run(**filters)

    assert not out.failed, out
    assert [m["id"] for m in out.result["hosted_models"]] == expected
    assert len(list_requests(api_server)) == 1


def test_unknown_status_is_rejected_before_any_request(run, api_server):
    out = run(status=["RUNNING", "SLEEPY"])

    assert out.failed
    assert "status" in out.result["msg"]
    assert api_server.requests == []


@pytest.mark.parametrize(
    "sort_field, sort_order, api_field, api_order",
    [
        ("create_time", "desc", "createTime", "DESC"),
        ("create_time", None, "createTime", "ASC"),
        ("service", "asc", "service", "ASC"),
        ("status_reason", "desc", "statusReason", "DESC"),
        ("required_gpu_memory_mib", "asc", "requiredGpuMemoryMib", "ASC"),
    ],
)
def test_sort_field_is_sent_in_camel_case(run, api_server, sort_field, sort_order, api_field, api_order):
    api_server.reply(200, {"items": MODELS, "totalCount": 4})
    args = {"sort_field": sort_field}
    if sort_order:
        args["sort_order"] = sort_order

    out = run(**args)

    assert not out.failed, out
    (request,) = api_server.requests
    assert request.query["sort.field"] == [api_field]
    assert request.query["sort.order"] == [api_order]
    # The API's order is kept.
    assert [m["id"] for m in out.result["hosted_models"]] == [m["id"] for m in MODELS]


@pytest.mark.parametrize(
    "sort_field",
    ["createTime", "created", "vllm_config.secret", "CREATE_TIME", "hibernation", "horizontal_autoscaling"],
)
@pytest.mark.parametrize("organization_id", [ORG, None])
def test_unknown_sort_field_fails_without_any_request(run, api_server, sort_field, organization_id):
    out = run(sort_field=sort_field, organization_id=organization_id)

    assert out.failed
    assert out.result["msg"].startswith("sort_field must be one of:")
    assert "create_time" in out.result["msg"]
    assert repr(sort_field) in out.result["msg"]
    assert api_server.requests == []


def test_include_pods_asks_once_per_returned_model(run, api_server):
    api_server.reply(200, {"items": MODELS, "totalCount": 4})
    api_server.reply(
        200,
        {
            "pods": [
                {
                    "name": "llama-b-0",
                    "status": {"phase": "Failed", "reason": "OOMKilled"},
                    "events": [{"reason": "BackOff", "message": "restarting"}],
                }
            ]
        },
    )
    api_server.reply(200, {"pods": []})

    out = run(status=["FAILED", "WARNING"], include_pods=True)

    assert not out.failed, out
    pods_calls = pods_requests(api_server)
    assert [r.path for r in pods_calls] == [LIST_PATH + "/hm-2/pods", LIST_PATH + "/hm-3/pods"]
    assert all(r.method == "GET" for r in pods_calls)
    first, second = out.result["hosted_models"]
    assert first["pods"][0]["name"] == "llama-b-0"
    assert first["pods"][0]["status"] == {"phase": "Failed", "reason": "OOMKilled", "message": None}
    assert first["pods"][0]["events"][0]["reason"] == "BackOff"
    assert first["pods"][0]["events"][0]["reporting_controller"] is None
    assert second["pods"] == []
    assert api_server.pending == 0


def test_without_include_pods_no_pods_requests(run, api_server):
    api_server.reply(200, {"items": MODELS, "totalCount": 4})

    out = run()

    assert not out.failed, out
    assert pods_requests(api_server) == []
    assert len(api_server.requests) == 1
    assert all("pods" not in m for m in out.result["hosted_models"])


def test_pods_failure_names_the_model(run, api_server):
    api_server.reply(200, {"items": MODELS[:1], "totalCount": 1})
    api_server.reply(404, {"code": 5, "message": "hosted model not found"})

    out = run(include_pods=True)

    assert out.failed
    assert out.result["msg"] == "list pods of hosted model hm-1: HTTP 404 NOT_FOUND: hosted model not found"
    assert out.result["failure"]["path"] == LIST_PATH + "/hm-1/pods"


def test_every_hosted_model_field_is_returned_in_snake_case(run, api_server):
    sparse = hosted_model("hm-sparse")
    api_server.reply(200, {"items": [FULL_MODEL, sparse], "totalCount": 2})

    out = run()

    assert not out.failed, out
    full, minimal = out.result["hosted_models"]
    fields = set(HostedModel.fields)
    assert set(full) == fields
    assert set(minimal) == fields
    assert not any(any(c.isupper() for c in key) for key in full)
    # Every field the API sent arrives under its snake_case name with its value.
    for name, field in HostedModel.fields.items():
        if isinstance(FULL_MODEL[field["alias"]], dict):
            continue
        assert full[name] == FULL_MODEL[field["alias"]], name
    assert full["create_time"] == "2025-01-02T03:04:05Z"
    assert full["required_gpu_memory_mib"] == "24576"
    assert full["status_reason"] == "all replicas ready"
    assert full["horizontal_autoscaling"] == {
        "enabled": True,
        "min_replicas": 1,
        "max_replicas": 3,
        "target_metric": "NUMBER_OF_REQUESTS_WAITING",
        "target_value": 5,
    }
    assert full["hibernation"]["hibernate_condition"] == {"duration": "3600s", "request_count": 0}
    assert full["fallback"] == {"enabled": True, "provider_id": "prov-2", "model": "gpt-4o-mini"}
    assert full["edge_locations"] == {"ids": ["edge-1", "edge-2"]}
    assert full["vllm_config"]["secret_name"] == "hf-secret"
    assert minimal["create_time"] is None
    assert minimal["vllm_config"] is None


def test_every_api_field_is_covered_by_the_full_sample():
    # Keeps the previous test honest when the spec grows.
    assert {field["alias"] for field in HostedModel.fields.values()} == set(FULL_MODEL)


def test_answer_that_does_not_match_the_schema_fails(run, api_server):
    api_server.reply(200, {"items": [dict(MODELS[0], port="eighty")], "totalCount": 1})

    out = run()

    assert out.failed
    assert out.result["msg"].startswith(
        "list hosted models of cluster %s: the API" % CLUSTER + " answer does not match the HostedModel schema"
    )


def test_organization_is_looked_up_when_not_given(run, api_server):
    api_server.reply(200, {"organizationId": ORG})
    api_server.reply(200, {"items": [], "totalCount": 0})

    out = run(organization_id=None)

    assert not out.failed, out
    assert out.result["organization_id"] == ORG
    assert [r.method for r in api_server.requests] == ["POST", "GET"]
    assert api_server.requests[0].path == "/ai-optimizer/v1beta/api-keys:verify"
    assert api_server.requests[1].path == LIST_PATH


def test_list_failure_is_reported(run, api_server):
    api_server.reply(403, {"code": 7, "message": "no access to cluster"})

    out = run()

    assert out.failed
    assert (
        out.result["msg"]
        == "list hosted models of cluster %s: HTTP 403" % CLUSTER + " PERMISSION_DENIED: no access to cluster"
    )
    assert out.result["failure"]["status"] == 403
    assert TOKEN not in repr(out.result)
