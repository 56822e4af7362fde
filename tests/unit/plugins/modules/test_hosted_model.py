# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hosted_model: the update planner (pure functions) and whole runs against the scripted HTTP server."""

from __future__ import annotations

import copy
import struct

import pytest

from ansible_collections.castai.ai_optimizer.plugins.module_utils import _hosted_model as planner
from ansible_collections.castai.ai_optimizer.plugins.module_utils import _waiter as waiter
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import HostedModel
from ansible_collections.castai.ai_optimizer.plugins.module_utils._schema import from_api
from ansible_collections.castai.ai_optimizer.plugins.modules import hosted_model as hm

TOKEN = "hm-token-dddddddddddd"
ORG = "11111111-1111-4111-8111-111111111111"
CLUSTER = "22222222-2222-4222-8222-222222222222"
BASE = "/ai-optimizer/v1beta/organizations/%s/clusters/%s/hosted-models" % (ORG, CLUSTER)


def float32(value):
    return struct.unpack("f", struct.pack("f", value))[0]


API_MODEL = {
    "id": "hm-1",
    "organizationId": ORG,
    "clusterId": CLUSTER,
    "modelSpecsId": "spec-1",
    "service": "llama",
    "port": 8080,
    "nodeTemplateName": "gpu",
    "status": "RUNNING",
    "currentReplicas": 1,
    "vllmConfig": {"secretName": "hf"},
    "horizontalAutoscaling": {
        "enabled": False,
        "minReplicas": 1,
        "maxReplicas": 3,
        "targetMetric": "NUMBER_OF_REQUESTS_WAITING",
        "targetValue": float32(0.7),
    },
    "hibernation": {
        "enabled": False,
        "hibernateCondition": {"duration": "1800s", "requestCount": 0},
        "resumeCondition": {"duration": "60s", "requestCount": 1},
    },
    "fallback": {"enabled": True, "providerId": "prov", "model": "gpt-4o-mini"},
    "edgeLocations": {"ids": ["e1", "e2"]},
}


def api_model(**changes):
    model = copy.deepcopy(API_MODEL)
    model.update(changes)
    return model


def current(**changes):
    """The snake_case model the module compares against."""
    return from_api(HostedModel, api_model(**changes))


def params(**options):
    """Module parameters as AnsibleModule would give them: every option present, unset ones None."""
    base = dict.fromkeys(hm.argument_spec())
    base.update(
        state="present",
        cluster_id=CLUSTER,
        update_hugging_face_token="on_create",
        recreate=False,
        wait=True,
        wait_timeout=30,
        wait_sleep=0.01,
    )
    base.update(options)
    return base


# ---- input checks --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, expected",
    [
        ({"port": 0}, "port must be between 1 and 65535"),
        ({"port": 65536}, "port must be between 1 and 65535"),
        ({"replicas": -1}, "replicas must be between 0 and 2147483647"),
        ({"replicas": 10**12}, "replicas must be between 0 and 2147483647"),
        (
            {"horizontal_autoscaling": {"max_replicas": 3000000000}},
            "horizontal_autoscaling.max_replicas must be between",
        ),
        ({"service": ""}, "service must be a Kubernetes Service name"),
        ({"service": "Llama_3"}, "service must be a Kubernetes Service name"),
        ({"service": "x" * 64}, "service must be at most 63 characters"),
        ({"cluster_id": "c1\n"}, "cluster_id must not contain spaces or control characters"),
        ({"cluster_id": ".."}, "cluster_id must be a single ID, not a path"),
        ({"model_specs_id": ""}, "model_specs_id must not be empty"),
        ({"horizontal_autoscaling": {"min_replicas": 4, "max_replicas": 2}}, "must not exceed max_replicas"),
        ({"horizontal_autoscaling": {"min_replicas": -1}}, "min_replicas must not be negative"),
        ({"horizontal_autoscaling": {"max_replicas": 0}}, "max_replicas must be at least 1"),
        ({"horizontal_autoscaling": {"enabled": True}, "replicas": 2}, "replicas cannot be combined"),
        ({"hibernation": {"hibernate_condition": {"duration": "30m"}}}, "hibernation.hibernate_condition.duration"),
        ({"hibernation": {"resume_condition": {"duration": "60"}}}, "hibernation.resume_condition.duration"),
        ({"hibernation": {"resume_condition": {"duration": "-5s"}}}, "hibernation.resume_condition.duration"),
        ({"hibernation": {"resume_condition": {"request_count": -1}}}, "request_count must not be negative"),
    ],
)
def test_input_errors(options, expected):
    errors = planner.input_errors(params(**options))
    assert any(expected in e for e in errors), errors


def test_valid_input_has_no_errors():
    assert (
        planner.input_errors(
            params(
                port=8080,
                replicas=0,
                horizontal_autoscaling={"min_replicas": 0, "max_replicas": 1},
                hibernation={"hibernate_condition": {"duration": "0.5s", "request_count": 0}},
            )
        )
        == []
    )


@pytest.mark.parametrize(
    "text, nanos",
    [
        ("1800s", 1800 * 10**9),
        ("0.5s", 5 * 10**8),
        ("1.000000001s", 10**9 + 1),
        ("0s", 0),
        ("30m", None),
        ("1.5", None),
        ("s", None),
        ("1.0000000001s", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_duration(text, nanos):
    assert planner.parse_duration(text) == nanos


# ---- the planner -----------------------------------------------------------------------------------------------------


def test_plan_create_with_every_field():
    plan = planner.plan_present(
        params(
            service="llama",
            model_specs_id="spec-1",
            port=8080,
            node_template_name="gpu",
            vllm_config={"secret_name": None, "hugging_face_token": "hf_x"},
            edge_locations=["e1"],
            fallback={"enabled": True, "provider_id": "p", "model": None},
        ),
        None,
    )
    assert plan.action == "create" and plan.errors == [] and plan.changed
    assert plan.create == {
        "service": "llama",
        "model_specs_id": "spec-1",
        "port": 8080,
        "node_template_name": "gpu",
        "vllm_config": {"hugging_face_token": "hf_x"},
        "edge_locations": {"ids": ["e1"]},
        "fallback": {"enabled": True, "provider_id": "p"},
        "cluster_id": CLUSTER,
    }
    assert plan.scale is None


def test_plan_create_needs_the_fixed_fields():
    plan = planner.plan_present(params(service="llama"), None)
    assert plan.errors == ["creating a hosted model needs model_specs_id, service, port; missing: model_specs_id, port"]


def test_plan_create_needs_complete_nested_objects():
    plan = planner.plan_present(
        params(
            service="llama",
            model_specs_id="s",
            port=1,
            horizontal_autoscaling={"enabled": True, "max_replicas": 2},
            hibernation={"enabled": True, "hibernate_condition": {"request_count": 0}},
        ),
        None,
    )
    text = " | ".join(plan.errors)
    for path in (
        "horizontal_autoscaling.min_replicas",
        "horizontal_autoscaling.target_metric",
        "horizontal_autoscaling.target_value",
        "hibernation.resume_condition",
        "hibernation.hibernate_condition.duration",
    ):
        assert path in text


def test_plan_create_with_replicas_scales_after_deploy():
    plan = planner.plan_present(params(service="llama", model_specs_id="s", port=1, replicas=3), None)
    assert plan.action == "create" and plan.scale == 3
    plan = planner.plan_present(params(service="llama", model_specs_id="s", port=1, replicas=1), None)
    assert plan.scale is None


def test_plan_nothing_to_do():
    plan = planner.plan_present(
        params(
            service="llama",
            model_specs_id="spec-1",
            port=8080,
            node_template_name="gpu",
            vllm_config={"secret_name": "hf"},
            horizontal_autoscaling={"enabled": False, "target_value": 0.7},
            hibernation={"hibernate_condition": {"duration": "1800.000s"}},
            edge_locations=["e2", "e1"],
            replicas=1,
        ),
        current(),
    )
    assert plan.action == "none" and not plan.changed and plan.errors == [] and plan.paths == []


def test_plan_update_sends_the_whole_nested_object():
    plan = planner.plan_present(params(service="llama", horizontal_autoscaling={"max_replicas": 5}), current())
    assert plan.action == "update" and plan.errors == []
    assert plan.paths == ["horizontal_autoscaling.max_replicas"]
    assert plan.patch == {
        "horizontal_autoscaling": {
            "enabled": False,
            "min_replicas": 1,
            "max_replicas": 5,
            "target_metric": "NUMBER_OF_REQUESTS_WAITING",
            "target_value": float32(0.7),
        }
    }


def test_plan_update_of_several_fields():
    plan = planner.plan_present(
        params(
            id="hm-1",
            node_template_name="gpu-big",
            edge_locations=[],
            hibernation={"resume_condition": {"request_count": 3}},
            fallback={"enabled": False},
        ),
        current(),
    )
    assert sorted(plan.patch) == ["edge_locations", "fallback", "hibernation", "node_template_name"]
    assert plan.patch["node_template_name"] == "gpu-big"
    assert plan.patch["edge_locations"] == {"ids": []}
    assert plan.patch["hibernation"]["resume_condition"] == {"duration": "60s", "request_count": 3}
    assert plan.patch["hibernation"]["hibernate_condition"] == {"duration": "1800s", "request_count": 0}
    assert plan.patch["fallback"] == {"enabled": False, "provider_id": "prov", "model": "gpt-4o-mini"}


def test_plan_update_fills_zero_values_the_api_left_out():
    model = current(
        horizontalAutoscaling={"maxReplicas": 3, "targetMetric": "GPU_CACHE_USAGE_PERCENTAGE", "targetValue": 80}
    )
    plan = planner.plan_present(params(id="hm-1", horizontal_autoscaling={"max_replicas": 4}), model)
    assert plan.errors == []
    # min_replicas is required, so its omitted zero is sent; enabled is optional and omitted means false anyway.
    assert plan.patch["horizontal_autoscaling"] == {
        "min_replicas": 0,
        "max_replicas": 4,
        "target_metric": "GPU_CACHE_USAGE_PERCENTAGE",
        "target_value": 80,
    }


def test_plan_update_of_an_unset_object_needs_its_required_fields():
    model = current(hibernation=None)
    plan = planner.plan_present(params(id="hm-1", hibernation={"enabled": True}), model)
    assert plan.errors and "hibernation.hibernate_condition" in plan.errors[0]
    assert planner.plan_present(params(id="hm-1", hibernation={"enabled": False}), model).action == "none"


def test_plan_update_min_above_current_max_fails():
    plan = planner.plan_present(params(id="hm-1", horizontal_autoscaling={"min_replicas": 5}), current())
    assert any("min_replicas (5) must not exceed max_replicas (3)" in e for e in plan.errors)


@pytest.mark.parametrize("option, value", [("port", 9000), ("model_specs_id", "spec-2"), ("service", "other")])
def test_fixed_field_fails_naming_it(option, value):
    plan = planner.plan_present(params(id="hm-1", **{option: value}), current())
    assert plan.paths == [option]
    assert len(plan.errors) == 1
    assert option in plan.errors[0] and "fixed at create" in plan.errors[0] and "recreate=true" in plan.errors[0]


def test_recreate_merges_the_options_over_the_current_settings():
    plan = planner.plan_present(
        params(service="llama", port=9000, recreate=True, fallback={"enabled": False}), current()
    )
    assert plan.action == "recreate" and plan.errors == [] and plan.paths == ["fallback.enabled", "port"]
    assert plan.create["port"] == 9000
    assert plan.create["model_specs_id"] == "spec-1"
    assert plan.create["vllm_config"] == {"secret_name": "hf"}
    assert plan.create["fallback"] == {"enabled": False, "provider_id": "prov", "model": "gpt-4o-mini"}
    assert plan.create["hibernation"]["resume_condition"] == {"duration": "60s", "request_count": 1}


def test_recreate_without_a_fixed_change_is_a_plain_update():
    plan = planner.plan_present(params(service="llama", recreate=True, node_template_name="x"), current())
    assert plan.action == "update"


def test_replicas_scale_when_different():
    assert planner.plan_present(params(id="hm-1", replicas=3), current()).scale == 3
    assert planner.plan_present(params(id="hm-1", replicas=1), current()).scale is None
    assert planner.plan_present(params(id="hm-1", replicas=0), current()).scale == 0
    assert planner.plan_present(params(id="hm-1", replicas=2), current(currentReplicas=None)).scale == 2


def test_replicas_with_autoscaling_enabled_on_the_model_fail():
    model = current(horizontalAutoscaling=dict(API_MODEL["horizontalAutoscaling"], enabled=True))
    plan = planner.plan_present(params(id="hm-1", replicas=2), model)
    assert plan.errors and "replicas cannot be combined" in plan.errors[0]
    plan = planner.plan_present(params(id="hm-1", replicas=2, horizontal_autoscaling={"enabled": False}), model)
    assert plan.errors == [] and plan.scale == 2 and plan.patch["horizontal_autoscaling"]["enabled"] is False


def test_hugging_face_token_is_compared_only_when_it_can_be():
    no_secret = current(vllmConfig={})
    token = {"secret_name": None, "hugging_face_token": "hf_new"}
    assert planner.plan_present(params(id="hm-1", vllm_config=token), no_secret).action == "none"
    plan = planner.plan_present(params(id="hm-1", vllm_config=token, update_hugging_face_token="always"), no_secret)
    assert plan.action == "update" and plan.patch == {"vllm_config": {"hugging_face_token": "hf_new"}}
    plan = planner.plan_present(params(id="hm-1", vllm_config=token), current())
    assert plan.paths == ["vllm_config.hugging_face_token"]
    assert plan.patch == {"vllm_config": {"hugging_face_token": "hf_new"}}


def test_switch_from_token_to_secret_sends_only_the_secret():
    plan = planner.plan_present(
        params(id="hm-1", vllm_config={"secret_name": "new", "hugging_face_token": None}), current(vllmConfig={})
    )
    assert plan.patch == {"vllm_config": {"secret_name": "new"}}


def test_predicted_model_and_diff_view_hide_the_token():
    plan = planner.plan_present(
        params(id="hm-1", vllm_config={"hugging_face_token": "hf_secret"}, replicas=2), current()
    )
    model = planner.predicted(current(), plan, ORG)
    assert model["vllm_config"] == {"secret_name": None, "hugging_face_token": None}
    assert model["current_replicas"] == 2
    view = planner.managed_view(model, token_sent=True)
    assert "hf_secret" not in repr(view)
    assert view["vllm_config"]["hugging_face_token"] == planner.HIDDEN
    assert view["replicas"] == 2


def test_running_check():
    check = planner.running_check(hibernation_on=False, replicas=None)
    assert check({"status": "RUNNING"}) == waiter.DONE
    assert check({"status": "DEPLOYING"}) == waiter.PENDING
    assert check({"status": "HIBERNATED"}) == waiter.PENDING
    with pytest.raises(waiter.WaitFailed, match="FAILED: image pull"):
        check({"status": "FAILED", "status_reason": "image pull"})
    with pytest.raises(waiter.WaitFailed, match="disappeared"):
        check(None)
    assert planner.running_check(True, None)({"status": "HIBERNATED"}) == waiter.DONE
    assert planner.running_check(False, 0)({"status": "HIBERNATED"}) == waiter.DONE
    assert planner.running_check(False, 0)({"status": "RUNNING", "current_replicas": 1}) == waiter.PENDING
    assert planner.running_check(False, 3)({"status": "RUNNING", "current_replicas": 1}) == waiter.PENDING
    assert planner.running_check(False, 3)({"status": "RUNNING", "current_replicas": 3}) == waiter.DONE


def test_latest_pod_events_newest_first():
    pods = [
        {
            "name": "p0",
            "events": [
                {"reason": "Pulled", "message": "a", "last_time": "2025-01-01T00:00:01Z"},
                {"reason": "BackOff", "message": "b", "last_time": "2025-01-01T00:00:09Z"},
            ],
        },
        {"name": "p1", "events": [{"reason": "Started", "message": "c", "last_time": "2025-01-01T00:00:05Z"}]},
    ]
    assert planner.latest_pod_events(pods, limit=2) == ["p0: BackOff: b", "p1: Started: c"]
    assert planner.latest_pod_events([]) == []


def test_latest_pod_events_with_equal_times_puts_later_events_first():
    same = "2026-01-01T00:00:00Z"
    pods = [
        {
            "name": "p0",
            "events": [
                {"reason": "Scheduled", "message": "a", "last_time": same},
                {"reason": "Started", "message": "b", "last_time": same},
                {"reason": "BackOff", "message": "c", "last_time": same},
            ],
        }
    ]
    assert planner.latest_pod_events(pods, limit=2) == ["p0: BackOff: c", "p0: Started: b"]


# ---- whole runs against the scripted server ----------------------------------------------------------------------


@pytest.fixture
def run(run_module, api_server):
    def run_hm(check_mode=False, diff=False, **args):
        args.setdefault("api_url", api_server.url)
        args.setdefault("api_token", TOKEN)
        args.setdefault("organization_id", ORG)
        args.setdefault("cluster_id", CLUSTER)
        args.setdefault("wait_sleep", 0.01)
        return run_module(hm.main, args, check_mode=check_mode, diff=diff)

    return run_hm


def listing(*models):
    return {"items": list(models), "totalCount": len(models)}


def paths(server):
    return ["%s %s" % (r.method, r.path[len(BASE) :] or "/") for r in server.requests]


CREATE_ARGS = dict(service="llama", model_specs_id="spec-1", port=8080)


@pytest.mark.parametrize(
    "args",
    [
        dict(CREATE_ARGS, horizontal_autoscaling={"min_replicas": 3, "max_replicas": 1}),
        dict(CREATE_ARGS, replicas=-2),
        dict(CREATE_ARGS, vllm_config={"secret_name": "s", "hugging_face_token": "t"}),
        dict(CREATE_ARGS, hibernation={"hibernate_condition": {"duration": "30m"}}),
        dict(CREATE_ARGS, horizontal_autoscaling={"target_metric": "CPU"}),
        dict(CREATE_ARGS, port=70000),
        dict(CREATE_ARGS, horizontal_autoscaling={"enabled": True}, replicas=1),
        dict(port=8080),  # neither id nor service
        dict(CREATE_ARGS, wait_sleep=0),
    ],
)
def test_bad_input_makes_no_request(run, api_server, args):
    out = run(**args)
    assert out.failed, out
    assert api_server.requests == []


def test_bad_input_without_organization_id_makes_no_request(run, api_server):
    out = run(organization_id=None, **dict(CREATE_ARGS, port=0))
    assert out.failed and "port" in out.result["msg"]
    assert api_server.requests == []


def test_create_and_wait(run, api_server):
    api_server.reply(200, listing())
    api_server.reply(200, api_model(status="DEPLOYING", currentReplicas=0))
    api_server.reply(200, listing(api_model(status="DEPLOYING", currentReplicas=0)))
    api_server.reply(200, listing(api_model()))

    out = run(diff=True, vllm_config={"hugging_face_token": "hf_very_secret"}, **CREATE_ARGS)

    assert not out.failed, out
    assert out.result["changed"] is True
    assert out.result["hosted_model"]["status"] == "RUNNING"
    assert paths(api_server) == ["GET /", "POST /", "GET /", "GET /"]
    assert api_server.requests[1].json() == {
        "clusterId": CLUSTER,
        "modelSpecsId": "spec-1",
        "service": "llama",
        "port": 8080,
        "vllmConfig": {"huggingFaceToken": "hf_very_secret"},
    }
    assert out.result["diff"]["before"] == {"state": "absent"}
    assert out.result["diff"]["after"]["vllm_config"]["hugging_face_token"] == planner.HIDDEN
    assert "hf_very_secret" not in repr(out.result)


def test_create_in_check_mode_only_lists(run, api_server):
    api_server.reply(200, listing())
    out = run(check_mode=True, **CREATE_ARGS)
    assert not out.failed and out.result["changed"] is True
    assert out.result["hosted_model"]["service"] == "llama" and out.result["hosted_model"]["id"] is None
    assert paths(api_server) == ["GET /"]


def test_unchanged_makes_no_write(run, api_server):
    api_server.reply(200, listing(api_model()))
    out = run(diff=True, horizontal_autoscaling={"target_value": 0.7}, **CREATE_ARGS)
    assert not out.failed and out.result["changed"] is False
    assert out.result["diff"]["before"] == out.result["diff"]["after"]
    assert paths(api_server) == ["GET /"]


def test_update_patches_the_merged_object(run, api_server):
    api_server.reply(200, listing(api_model()))
    api_server.reply(200, api_model(horizontalAutoscaling=dict(API_MODEL["horizontalAutoscaling"], maxReplicas=5)))
    api_server.reply(
        200, listing(api_model(horizontalAutoscaling=dict(API_MODEL["horizontalAutoscaling"], maxReplicas=5)))
    )
    out = run(diff=True, service="llama", horizontal_autoscaling={"max_replicas": 5})
    assert not out.failed, out
    assert out.result["changed"] is True
    assert paths(api_server) == ["GET /", "PATCH /hm-1", "GET /"]
    assert api_server.requests[1].json() == {
        "horizontalAutoscaling": dict(API_MODEL["horizontalAutoscaling"], maxReplicas=5)
    }
    assert out.result["diff"]["before"]["horizontal_autoscaling"]["max_replicas"] == 3
    assert out.result["diff"]["after"]["horizontal_autoscaling"]["max_replicas"] == 5


def test_fixed_field_fails_before_any_write(run, api_server):
    api_server.reply(200, listing(api_model()))
    out = run(service="llama", port=9000)
    assert out.failed and "port is fixed at create" in out.result["msg"]
    assert paths(api_server) == ["GET /"]


def test_recreate_deletes_waits_and_creates(run, api_server):
    api_server.reply(200, listing(api_model()))
    api_server.reply(200, {})
    api_server.reply(200, listing(api_model(status="DELETING")))
    api_server.reply(200, listing())
    api_server.reply(200, api_model(id="hm-2", port=9000, status="DEPLOYING"))
    api_server.reply(200, listing(api_model(id="hm-2", port=9000)))
    out = run(service="llama", port=9000, recreate=True)
    assert not out.failed, out
    assert out.result["recreated"] is True and out.result["hosted_model"]["id"] == "hm-2"
    assert paths(api_server) == ["GET /", "DELETE /hm-1", "GET /", "GET /", "POST /", "GET /"]
    assert api_server.requests[4].json()["port"] == 9000
    assert api_server.requests[4].json()["fallback"] == API_MODEL["fallback"]


def test_scale_then_wait_for_the_count(run, api_server):
    api_server.reply(200, listing(api_model()))
    api_server.reply(200, {"replicas": 3})
    api_server.reply(200, listing(api_model(status="SCALING")))
    api_server.reply(200, listing(api_model(currentReplicas=3)))
    out = run(id="hm-1", replicas=3)
    assert not out.failed, out
    assert out.result["scaled"] is True and out.result["hosted_model"]["current_replicas"] == 3
    assert paths(api_server) == ["GET /", "POST /hm-1:scale", "GET /", "GET /"]
    assert api_server.requests[1].json() == {"organizationId": ORG, "clusterId": CLUSTER, "id": "hm-1", "replicas": 3}


def test_failed_during_wait_reports_reason_and_pod_events(run, api_server):
    api_server.reply(200, listing(api_model()))
    api_server.reply(200, api_model(status="RESTARTING"))
    api_server.reply(200, listing(api_model(status="FAILED", statusReason="CUDA out of memory")))
    api_server.reply(
        200,
        {
            "pods": [
                {
                    "name": "llama-0",
                    "status": {"phase": "Running", "reason": "CrashLoopBackOff"},
                    "events": [
                        {
                            "reason": "BackOff",
                            "message": "restarting failed container",
                            "lastTime": "2025-01-01T00:00:00Z",
                        }
                    ],
                }
            ]
        },
    )
    out = run(id="hm-1", node_template_name="other")
    assert out.failed
    assert "CUDA out of memory" in out.result["msg"]
    assert "llama-0: BackOff: restarting failed container" in out.result["msg"]
    assert out.result["changed"] is True
    assert out.result["pods"][0]["name"] == "llama-0"
    assert paths(api_server)[-1] == "GET /hm-1/pods"


def test_wait_timeout_names_the_last_status(run, api_server):
    api_server.reply(200, listing(api_model()))
    api_server.reply(200, api_model(status="RESTARTING"))
    api_server.reply(200, listing(api_model(status="RESTARTING")))
    api_server.reply(200, {"pods": []})
    out = run(id="hm-1", node_template_name="other", wait_timeout=0)
    assert out.failed
    assert "timed out after 0 seconds" in out.result["msg"] and "last seen: RESTARTING" in out.result["msg"]


def test_adopt_by_service_fails_on_duplicates(run, api_server):
    api_server.reply(200, listing(api_model(), api_model(id="hm-9")))
    out = run(service="llama")
    assert out.failed and "hm-1, hm-9" in out.result["msg"] and "set id" in out.result["msg"]


def test_present_with_unknown_id_fails(run, api_server):
    api_server.reply(200, listing(api_model()))
    out = run(id="nope", **CREATE_ARGS)
    assert out.failed and "no hosted model with id nope" in out.result["msg"]
    assert paths(api_server) == ["GET /"]


def test_lists_every_page_to_find_the_model(run, api_server):
    api_server.reply(200, {"items": [api_model(id="hm-0", service="other")], "nextPageCursor": "p2", "totalCount": 2})
    api_server.reply(200, {"items": [api_model()], "totalCount": 2})
    out = run(id="hm-1", wait=False)
    assert not out.failed and out.result["hosted_model"]["id"] == "hm-1" and out.result["changed"] is False


def test_absent_deletes_and_waits(run, api_server):
    api_server.reply(200, listing(api_model()))
    api_server.reply(200, {})
    api_server.reply(200, listing(api_model(status="DELETING")))
    api_server.reply(200, listing())
    out = run(diff=True, service="llama", state="absent")
    assert not out.failed and out.result["changed"] is True
    assert paths(api_server) == ["GET /", "DELETE /hm-1", "GET /", "GET /"]
    assert out.result["diff"]["after"] == {"state": "absent"} and out.result["diff"]["before"]["service"] == "llama"


def test_absent_when_gone_or_deleting_is_no_change(run, api_server):
    api_server.reply(200, listing())
    assert run(service="llama", state="absent").result["changed"] is False
    api_server.reply(200, listing(api_model(status="DELETING")))
    out = run(service="llama", state="absent", wait=False)
    assert out.result["changed"] is False
    assert [r.method for r in api_server.requests] == ["GET", "GET"]


def test_absent_in_check_mode_makes_no_write(run, api_server):
    api_server.reply(200, listing(api_model()))
    out = run(check_mode=True, id="hm-1", state="absent")
    assert out.result["changed"] is True
    assert paths(api_server) == ["GET /"]


def test_present_with_the_id_of_a_deleting_model_fails(run, api_server):
    api_server.reply(200, listing(api_model(status="DELETING")))
    out = run(id="hm-1", node_template_name="x")
    assert out.failed and "is being deleted" in out.result["msg"]
    assert paths(api_server) == ["GET /"]


def test_present_by_service_waits_for_a_deleting_model_then_creates(run, api_server):
    api_server.reply(200, listing(api_model(status="DELETING")))
    api_server.reply(200, listing(api_model(status="DELETING")))
    api_server.reply(200, listing())
    api_server.reply(200, api_model(id="hm-2", status="DEPLOYING"))
    out = run(wait=False, **CREATE_ARGS)
    assert not out.failed, out
    assert out.result["changed"] is True and out.result["hosted_model"]["id"] == "hm-2"
    assert paths(api_server) == ["GET /", "GET /", "GET /", "POST /"]


def test_unchanged_transitional_model_is_waited_for_but_not_in_check_mode(run, api_server):
    api_server.reply(200, listing(api_model(status="DEPLOYING")))
    out = run(check_mode=True, id="hm-1")
    assert out.result["changed"] is False and out.result["hosted_model"]["status"] == "DEPLOYING"
    assert paths(api_server) == ["GET /"]
    api_server.reply(200, listing(api_model(status="DEPLOYING")))
    api_server.reply(200, listing(api_model()))
    out = run(id="hm-1")
    assert out.result["changed"] is False and out.result["hosted_model"]["status"] == "RUNNING"
    assert paths(api_server) == ["GET /", "GET /", "GET /"]


def test_scale_on_create_waits_for_deploy_first_even_without_wait(run, api_server):
    api_server.reply(200, listing())
    api_server.reply(200, api_model(status="DEPLOYING", currentReplicas=0))
    api_server.reply(200, listing(api_model()))
    api_server.reply(200, {"replicas": 2})
    api_server.reply(200, listing(api_model(status="SCALING")))
    out = run(wait=False, replicas=2, **CREATE_ARGS)
    assert not out.failed, out
    assert paths(api_server) == ["GET /", "POST /", "GET /", "POST /hm-1:scale", "GET /"]
    assert out.result["hosted_model"]["status"] == "SCALING"
