# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hosted_model planner: input checks, what to create, PATCH or scale, and what "done" means when waiting.

Pure functions of the module's parameters and the API's current model (snake_case dicts), so every decision is
unit-testable without HTTP. plugins/modules/hosted_model.py runs the plan against the API.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from ._checks import number_errors, path_id_errors, service_name_error, shown
from ._compare import differences, merge, prune
from ._generated.hosted_models import HORIZONTAL_AUTOSCALING_TARGET_METRIC_VALUES
from ._generated.hosted_models_schema import SCHEMAS
from ._schema import fill_zero_values, full, missing_required
from ._waiter import DONE, PENDING, WaitFailed

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

FIXED_FIELDS = ("model_specs_id", "service", "port")
UPDATABLE_FIELDS = (
    "node_template_name",
    "vllm_config",
    "horizontal_autoscaling",
    "hibernation",
    "fallback",
    "edge_locations",
)
MANAGED_FIELDS = FIXED_FIELDS + UPDATABLE_FIELDS
# Nested objects merged with the current value on update; vllm_config is sent whole (its two fields exclude each other).
MERGED_FIELDS = ("horizontal_autoscaling", "hibernation", "fallback")
TARGET_METRICS = [m for m in HORIZONTAL_AUTOSCALING_TARGET_METRIC_VALUES if not m.endswith("_UNSPECIFIED")]
TRANSITIONAL = ("DEPLOYING", "SCALING", "RESTARTING", "RESUMING", "HIBERNATING")
# protobuf Duration in JSON: seconds with up to nine fractional digits and an "s" suffix.
DURATION = re.compile(r"^(\d+)(?:\.(\d{1,9}))?s$")
HIDDEN = "<hidden>"
INT32_MAX = 2**31 - 1
POD_EVENTS_SHOWN = 5


# ---- input ------------------------------------------------------------------------------------------------


def parse_duration(text: str | None) -> int | None:
    """Nanoseconds of a protobuf duration string such as "1800s" or "0.5s"; None when malformed."""
    match = DURATION.match(text or "")
    if not match:
        return None
    return int(match.group(1)) * 10**9 + int((match.group(2) or "").ljust(9, "0"))


def input_errors(params: dict[str, Any]) -> list[str]:
    """Problems with the options alone, found before any API call."""
    errors = path_id_errors(params, ("cluster_id", "id", "model_specs_id"))
    errors.extend(number_errors(SCHEMAS, "HostedModel", desired_state(params)))
    port = params.get("port")
    if port is not None and not 1 <= port <= 65535:
        errors.append("port must be between 1 and 65535, got %s" % port)
    replicas = params.get("replicas")
    if replicas is not None and not 0 <= replicas <= INT32_MAX:
        errors.append("replicas must be between 0 and %d, got %s" % (INT32_MAX, replicas))
    error = service_name_error("service", params.get("service"))
    if error:
        errors.append(error)
    autoscaling = params.get("horizontal_autoscaling") or {}
    errors.extend(autoscaling_errors(autoscaling))
    errors.extend(replicas_errors(replicas, autoscaling))
    for name in ("hibernate_condition", "resume_condition"):
        condition = (params.get("hibernation") or {}).get(name) or {}
        duration = condition.get("duration")
        if duration is not None and parse_duration(duration) is None:
            errors.append(
                "hibernation.%s.duration must be seconds with an 's' suffix, such as '1800s' or '0.5s'; "
                "got %s" % (name, shown(duration))
            )
        if (condition.get("request_count") or 0) < 0:
            errors.append("hibernation.%s.request_count must not be negative" % name)
    return errors


def replicas_errors(replicas: int | None, autoscaling: dict[str, Any]) -> list[str]:
    """Replicas are set by hand only while autoscaling is off (``autoscaling``: the settings the model will have)."""
    if replicas is not None and autoscaling.get("enabled"):
        return [
            "replicas cannot be combined with enabled horizontal autoscaling, which sets the replica count; set "
            "horizontal_autoscaling.enabled=false to scale by hand"
        ]
    return []


def autoscaling_errors(autoscaling: dict[str, Any]) -> list[str]:
    errors = []
    low, high = autoscaling.get("min_replicas"), autoscaling.get("max_replicas")
    if low is not None and low < 0:
        errors.append("horizontal_autoscaling.min_replicas must not be negative, got %s" % low)
    if high is not None and high < 1:
        errors.append("horizontal_autoscaling.max_replicas must be at least 1, got %s" % high)
    if low is not None and high is not None and low > high:
        errors.append("horizontal_autoscaling.min_replicas (%s) must not exceed max_replicas (%s)" % (low, high))
    return errors


def desired_state(params: dict[str, Any]) -> dict[str, Any]:
    """The managed fields as the user set them, in the snake_case of HostedModel; None means not set."""
    desired = {name: copy.deepcopy(params.get(name)) for name in MANAGED_FIELDS}
    if desired["edge_locations"] is not None:
        desired["edge_locations"] = {"ids": desired["edge_locations"]}
    for name in ("hibernate_condition", "resume_condition"):
        condition = (desired.get("hibernation") or {}).get(name) or {}
        # As in CAST AI's Terraform provider, a request count of 0 means "no request condition": never sent.
        if condition.get("request_count") == 0:
            condition["request_count"] = None
    return desired


# ---- comparing and planning --------------------------------------------------------------------------------


def align(desired: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Make equal-meaning values spelled differently compare equal: durations ("60s" vs "60.0s"), and edge
    location IDs in another order. Returns a copy of desired."""
    desired = copy.deepcopy(desired)
    for name in ("hibernate_condition", "resume_condition"):
        wanted = (desired.get("hibernation") or {}).get(name) or {}
        have = ((current.get("hibernation") or {}).get(name) or {}).get("duration")
        if wanted.get("duration") and have and parse_duration(wanted["duration"]) == parse_duration(have):
            wanted["duration"] = have
    ids = (desired.get("edge_locations") or {}).get("ids")
    have_ids = (current.get("edge_locations") or {}).get("ids") or []
    if ids is not None and sorted(ids) == sorted(have_ids):
        desired["edge_locations"]["ids"] = list(have_ids)
    return desired


def comparable(desired: dict[str, Any]) -> dict[str, Any]:
    """desired without the write-only Hugging Face token, which the API never returns."""
    result = copy.deepcopy(desired)
    if result.get("vllm_config"):
        result["vllm_config"].pop("hugging_face_token", None)
    return result


def changed_fields(desired: dict[str, Any], current: dict[str, Any], update_token: str = "on_create") -> list[str]:
    """Dotted paths of the managed fields that differ between what the user set and the current model."""
    desired = align(desired, current)
    paths = differences(comparable(desired), current)
    if (desired.get("vllm_config") or {}).get("hugging_face_token") is not None:
        uses_secret = bool((current.get("vllm_config") or {}).get("secret_name"))
        if uses_secret or update_token == "always":
            paths.append("vllm_config.hugging_face_token")
    return sorted(set(paths))


def nested_schema(name: str) -> str:
    """The contract's schema of a nested object field of HostedModelUpdate."""
    return SCHEMAS["HostedModelUpdate"]["fields"][name]["schema"]


def patch_body(desired: dict[str, Any], current: dict[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """snake_case HostedModelUpdate for the top-level fields among paths: nested objects merged over the current."""
    body = {}
    for name in sorted({path.split(".")[0] for path in paths}):
        if name in MERGED_FIELDS:
            value = prune(merge(desired[name], current.get(name)))
            body[name] = fill_zero_values(SCHEMAS, nested_schema(name), value) if current.get(name) else value
        else:
            body[name] = prune(copy.deepcopy(desired[name]))
    return body


def effective(desired: dict[str, Any], current: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """The value of a nested object after the update: the user's fields merged over the current ones."""
    return merge(desired.get(name), (current or {}).get(name)) or {}


class Plan:
    """What a present run does to an existing (or missing) model; pure data, computed without API calls."""

    def __init__(
        self,
        action: str,
        patch: dict[str, Any] | None = None,
        scale: int | None = None,
        errors: list[str] | None = None,
        paths: list[str] | None = None,
        create: dict[str, Any] | None = None,
    ) -> None:
        self.action = action  # "create", "update", "recreate" or "none"
        self.patch = patch or {}  # snake_case HostedModelUpdate
        self.create = create or {}  # snake_case HostedModel for create / recreate
        self.scale = scale  # replicas to scale to, or None
        self.errors = errors or []  # reasons to fail before any write
        self.paths = paths or []  # every differing path

    @property
    def changed(self) -> bool:
        return self.action != "none" or self.scale is not None


def plan_present(params: dict[str, Any], current: dict[str, Any] | None) -> Plan:
    """Decide create / update / recreate / nothing, and whether to scale, from the options and the current model."""
    desired = desired_state(params)
    replicas = params.get("replicas")
    if current is None:
        return plan_create(params, desired, {}, "create")
    paths = changed_fields(desired, current, params.get("update_hugging_face_token") or "on_create")
    fixed = [p for p in paths if p.split(".")[0] in FIXED_FIELDS]
    if fixed:
        if not params.get("recreate"):
            return Plan(
                "none",
                paths=paths,
                errors=[
                    "%s fixed at create: the model has %s, the task asks for %s. Set recreate=true to delete and create "
                    "the model again"
                    % (
                        ", ".join(fixed) + (" is" if len(fixed) == 1 else " are"),
                        ", ".join("%s=%r" % (f, current.get(f)) for f in fixed),
                        ", ".join("%s=%r" % (f, desired.get(f)) for f in fixed),
                    )
                ],
            )
        return plan_create(params, desired, current, "recreate", paths=paths)
    errors = []
    updatable = [p for p in paths if p.split(".")[0] in UPDATABLE_FIELDS]
    patch = patch_body(desired, current, updatable) if updatable else {}
    errors.extend(update_errors(patch))
    refused = replicas_errors(replicas, effective(desired, current, "horizontal_autoscaling"))
    errors.extend(refused)
    scale = None
    if replicas is not None and not refused and replicas != (current.get("current_replicas") or 0):
        scale = replicas
    return Plan("update" if patch else "none", patch=patch, scale=scale, errors=errors, paths=paths)


def plan_create(
    params: dict[str, Any],
    desired: dict[str, Any],
    current: dict[str, Any] | None,
    action: str,
    paths: list[str] | None = None,
) -> Plan:
    """Plan a create (or a recreate: the user's options merged over the current model's settings)."""
    base = {name: copy.deepcopy(current.get(name)) for name in MANAGED_FIELDS} if current else {}
    if base.get("vllm_config") is not None:
        base["vllm_config"] = {"secret_name": base["vllm_config"].get("secret_name")}
    body = {}
    for name in MANAGED_FIELDS:
        if name == "vllm_config" and desired.get(name) and any(v is not None for v in desired[name].values()):
            value = desired[name]
        else:
            value = merge(desired.get(name), base.get(name))
        if isinstance(value, dict):
            value = prune(value)
            if not value:
                value = None
        if value is not None:
            body[name] = value
    body["cluster_id"] = params["cluster_id"]
    errors = []
    missing = [name for name in ("model_specs_id", "service", "port") if body.get(name) is None]
    if missing:
        errors.append(
            "creating a hosted model needs %s; missing: %s"
            % (", ".join(("model_specs_id", "service", "port")), ", ".join(missing))
        )
    for name in UPDATABLE_FIELDS:
        if isinstance(body.get(name), dict):
            errors.extend(
                "creating a hosted model with %s needs %s" % (name, path)
                for path in missing_required(SCHEMAS, nested_schema(name), body[name], name)
            )
    errors.extend(autoscaling_errors(body.get("horizontal_autoscaling") or {}))
    replicas = params.get("replicas")
    errors.extend(replicas_errors(replicas, body.get("horizontal_autoscaling") or {}))
    initial = initial_replicas(body)
    scale = replicas if replicas is not None and replicas != initial else None
    return Plan(action, create=body, scale=scale, errors=errors, paths=paths or sorted(differences(desired, {})))


def initial_replicas(body: dict[str, Any]) -> int:
    """Replicas a new model runs with once deployed: the autoscaling minimum when enabled, else one (inferred)."""
    autoscaling = body.get("horizontal_autoscaling") or {}
    if autoscaling.get("enabled"):
        return autoscaling.get("min_replicas") or 0
    return 1


def update_errors(patch: dict[str, Any]) -> list[str]:
    """Problems with a PATCH body, found before it is sent: incomplete nested objects, min > max after merging."""
    errors = []
    for name in MERGED_FIELDS:
        if name in patch:
            for path in missing_required(SCHEMAS, nested_schema(name), patch[name], name):
                errors.append("%s is not set on the model yet, so the update needs %s" % (name, path))
    if "horizontal_autoscaling" in patch:
        errors.extend(
            "after merging with the model's current autoscaling settings: " + e
            for e in autoscaling_errors(patch["horizontal_autoscaling"])
        )
    return errors


# ---- results ----------------------------------------------------------------------------------------------


def managed_view(model: dict[str, Any] | None, token_sent: bool = False) -> dict[str, Any]:
    """One side of the diff: the managed fields and the replica count; the Hugging Face token is never included."""
    if model is None:
        return {"state": "absent"}
    view = {"state": "present"}
    view.update((name, copy.deepcopy(model.get(name))) for name in MANAGED_FIELDS)
    if isinstance(view.get("vllm_config"), dict):
        view["vllm_config"] = {"secret_name": view["vllm_config"].get("secret_name")}
    if token_sent:
        view["vllm_config"] = {"secret_name": None, "hugging_face_token": HIDDEN}
    view["replicas"] = model.get("current_replicas")
    return view


def predicted(current: dict[str, Any] | None, plan: Plan, organization_id: str) -> dict[str, Any]:
    """The snake_case model as a check-mode run says the change would leave it."""
    if plan.action in ("create", "recreate"):
        model = full(SCHEMAS, "HostedModel", copy.deepcopy(plan.create))
        if model.get("vllm_config"):
            model["vllm_config"]["hugging_face_token"] = None
        model["organization_id"] = organization_id
        model["current_replicas"] = initial_replicas(plan.create) if plan.scale is None else plan.scale
        return model
    model = copy.deepcopy(current)
    for name, value in plan.patch.items():
        model[name] = full(SCHEMAS, nested_schema(name), value) if isinstance(value, dict) else value
    if model.get("vllm_config"):
        model["vllm_config"]["hugging_face_token"] = None
    if plan.scale is not None:
        model["current_replicas"] = plan.scale
    return model


def latest_pod_events(pods: list[dict[str, Any]] | None, limit: int = POD_EVENTS_SHOWN) -> list[str]:
    """The newest Kubernetes events across pods as short lines, newest first."""
    events = []
    for pod in pods or []:
        for position, event in enumerate(pod.get("events") or []):
            when = event.get("last_time") or event.get("first_time") or ""
            # Equal times are common (second precision); a pod lists newer events later, so position breaks ties.
            events.append((when, position, "%s: %s: %s" % (pod.get("name"), event.get("reason"), event.get("message"))))
    events.sort(key=lambda item: item[:2], reverse=True)
    return [line for _when, _position, line in events[:limit]]


def describe(model: dict[str, Any] | None) -> str:
    if model is None:
        return "gone"
    text = model.get("status") or "no status"
    if model.get("status_reason"):
        text += " (%s)" % model["status_reason"]
    return "%s, %s replicas" % (text, model.get("current_replicas") or 0)


# WARNING is taken as running: the model serves while something about it needs attention (the task warns with the
# status reason; failing would make deploys flaky on a passing hiccup). STOPPED does not end by itself, so waiting for
# it to run fails at once, unless the task asked for 0 replicas. Both readings are assumptions: the contract only
# lists the statuses.
UP = ("RUNNING", "WARNING")


def running_check(hibernation_on: bool, replicas: int | None) -> Callable[[dict[str, Any] | None], str]:
    """The waiter's check for "the model is up": RUNNING (or WARNING), or HIBERNATED when hibernation is on or
    replicas=0."""

    def check(model):
        if model is None:
            raise WaitFailed("the hosted model disappeared while waiting for it to run", state=model)
        status = model.get("status")
        if replicas == 0:
            return DONE if status in ("HIBERNATED", "STOPPED") else PENDING
        if status in ("FAILED", "STOPPED"):
            raise WaitFailed(
                "the hosted model is %s: %s" % (status, model.get("status_reason") or "no reason given"), state=model
            )
        if status == "HIBERNATED" and hibernation_on:
            return DONE
        if status not in UP:
            return PENDING
        if replicas is not None and (model.get("current_replicas") or 0) != replicas:
            return PENDING
        return DONE

    return check


def gone_check(model: dict[str, Any] | None) -> str:
    return DONE if model is None else PENDING


def service_address(model: dict[str, Any] | None) -> str | None:
    """Where applications in the cluster reach a model: its Service's DNS name (in the default cluster domain) and port;
    None until the API has said the namespace."""
    if not model or not all(model.get(name) for name in ("service", "namespace", "port")):
        return None
    return "http://%s.%s.svc.cluster.local:%s" % (model["service"], model["namespace"], model["port"])
