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
import typing

from ._compare import differences, merge, prune
from ._generated.hosted_models import HORIZONTAL_AUTOSCALING_TARGET_METRIC_VALUES, HostedModel, HostedModelUpdate
from ._waiter import DONE, PENDING, WaitFailed

FIXED_FIELDS = ("model_specs_id", "service", "port")
UPDATABLE_FIELDS = ("node_template_name", "vllm_config", "horizontal_autoscaling", "hibernation", "fallback",
                    "edge_locations")
MANAGED_FIELDS = FIXED_FIELDS + UPDATABLE_FIELDS
# Nested objects merged with the current value on update; vllm_config is sent whole (its two fields exclude each other).
MERGED_FIELDS = ("horizontal_autoscaling", "hibernation", "fallback")
TARGET_METRICS = [m for m in HORIZONTAL_AUTOSCALING_TARGET_METRIC_VALUES if not m.endswith("_UNSPECIFIED")]
TRANSITIONAL = ("DEPLOYING", "SCALING", "RESTARTING", "RESUMING", "HIBERNATING")
# protobuf Duration in JSON: seconds with up to nine fractional digits and an "s" suffix.
DURATION = re.compile(r"^(\d+)(?:\.(\d{1,9}))?s$")
HIDDEN = "<hidden>"
POD_EVENTS_SHOWN = 5


# ---- input ------------------------------------------------------------------------------------------------

def parse_duration(text):
    """Nanoseconds of a protobuf duration string such as "1800s" or "0.5s"; None when malformed."""
    match = DURATION.match(text or "")
    if not match:
        return None
    return int(match.group(1)) * 10 ** 9 + int((match.group(2) or "").ljust(9, "0"))


def input_errors(params):
    """Problems with the options alone, found before any API call."""
    errors = []
    port = params.get("port")
    if port is not None and not 1 <= port <= 65535:
        errors.append("port must be between 1 and 65535, got %s" % port)
    replicas = params.get("replicas")
    if replicas is not None and replicas < 0:
        errors.append("replicas must not be negative, got %s" % replicas)
    autoscaling = params.get("horizontal_autoscaling") or {}
    errors.extend(autoscaling_errors(autoscaling))
    if replicas is not None and autoscaling.get("enabled"):
        errors.append("replicas cannot be combined with horizontal_autoscaling.enabled=true: the autoscaler sets the "
                      "replica count; set horizontal_autoscaling.enabled=false to scale by hand")
    for name in ("hibernate_condition", "resume_condition"):
        condition = (params.get("hibernation") or {}).get(name) or {}
        duration = condition.get("duration")
        if duration is not None and parse_duration(duration) is None:
            errors.append("hibernation.%s.duration must be seconds with an 's' suffix, such as '1800s' or '0.5s'; "
                          "got %r" % (name, duration))
        if (condition.get("request_count") or 0) < 0:
            errors.append("hibernation.%s.request_count must not be negative" % name)
    vllm = params.get("vllm_config") or {}
    if vllm.get("secret_name") is not None and vllm.get("hugging_face_token") is not None:
        errors.append("vllm_config.secret_name and vllm_config.hugging_face_token are mutually exclusive")
    return errors


def autoscaling_errors(autoscaling):
    errors = []
    low, high = autoscaling.get("min_replicas"), autoscaling.get("max_replicas")
    if low is not None and low < 0:
        errors.append("horizontal_autoscaling.min_replicas must not be negative, got %s" % low)
    if high is not None and high < 1:
        errors.append("horizontal_autoscaling.max_replicas must be at least 1, got %s" % high)
    if low is not None and high is not None and low > high:
        errors.append("horizontal_autoscaling.min_replicas (%s) must not exceed max_replicas (%s)" % (low, high))
    return errors


def desired_state(params):
    """The managed fields as the user set them, in the snake_case of HostedModel; None means not set."""
    desired = {name: copy.deepcopy(params.get(name)) for name in MANAGED_FIELDS}
    if desired["edge_locations"] is not None:
        desired["edge_locations"] = {"ids": desired["edge_locations"]}
    return desired


# ---- comparing and planning --------------------------------------------------------------------------------

def align(desired, current):
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


def comparable(desired):
    """desired without the write-only Hugging Face token, which the API never returns."""
    result = copy.deepcopy(desired)
    if result.get("vllm_config"):
        result["vllm_config"].pop("hugging_face_token", None)
    return result


def changed_fields(desired, current, update_token="on_create"):
    """Dotted paths of the managed fields that differ between what the user set and the current model."""
    desired = align(desired, current)
    paths = differences(comparable(desired), current)
    if (desired.get("vllm_config") or {}).get("hugging_face_token") is not None:
        uses_secret = bool((current.get("vllm_config") or {}).get("secret_name"))
        if uses_secret or update_token == "always":
            paths.append("vllm_config.hugging_face_token")
    return sorted(set(paths))


def nested_models():
    """snake_case field -> generated model class, for the nested objects of HostedModelUpdate."""
    result = {}
    for name, field in HostedModelUpdate.model_fields.items():
        for candidate in (field.annotation,) + typing.get_args(field.annotation):
            if isinstance(candidate, type) and hasattr(candidate, "model_fields"):
                result[name] = candidate
    return result


def missing_required(model_class, value, prefix):
    """Dotted paths of required fields (per the spec) missing from value, recursively."""
    missing = []
    for name in getattr(model_class, "_required_fields", ()):
        if value.get(name) is None:
            missing.append("%s.%s" % (prefix, name))
    for name, field in model_class.model_fields.items():
        for candidate in typing.get_args(field.annotation):
            if isinstance(candidate, type) and hasattr(candidate, "model_fields") and isinstance(value.get(name), dict):
                missing.extend(missing_required(candidate, value[name], "%s.%s" % (prefix, name)))
    return missing


def fill_zero_values(model_class, merged, current):
    """Required numbers and booleans the API left out of an existing object are its zero values (proto3 JSON)."""
    if not isinstance(current, dict):
        return merged
    zero = {int: 0, float: 0.0, bool: False}
    for name, field in model_class.model_fields.items():
        kinds = typing.get_args(field.annotation) or (field.annotation,)
        if name in getattr(model_class, "_required_fields", ()) and merged.get(name) is None:
            for kind in kinds:
                if kind in zero:
                    merged[name] = zero[kind]
        if isinstance(merged.get(name), dict):
            for kind in kinds:
                if isinstance(kind, type) and hasattr(kind, "model_fields"):
                    fill_zero_values(kind, merged[name], current.get(name))
    return merged


def patch_body(desired, current, paths):
    """snake_case HostedModelUpdate for the top-level fields among paths: nested objects merged over the current."""
    models = nested_models()
    body = {}
    for name in sorted({path.split(".")[0] for path in paths}):
        if name in MERGED_FIELDS:
            value = prune(merge(desired[name], current.get(name)))
            body[name] = fill_zero_values(models[name], value, current.get(name))
        else:
            body[name] = prune(copy.deepcopy(desired[name]))
    return body


def effective(desired, current, name):
    """The value of a nested object after the update: the user's fields merged over the current ones."""
    return merge(desired.get(name), (current or {}).get(name)) or {}


class Plan:
    """What a present run does to an existing (or missing) model; pure data, computed without API calls."""

    def __init__(self, action, patch=None, fixed=None, scale=None, errors=None, paths=None, create=None):
        self.action = action          # "create", "update", "recreate" or "none"
        self.patch = patch or {}      # snake_case HostedModelUpdate
        self.create = create or {}    # snake_case HostedModel for create / recreate
        self.fixed = fixed or []      # fixed fields that differ
        self.scale = scale            # replicas to scale to, or None
        self.errors = errors or []    # reasons to fail before any write
        self.paths = paths or []      # every differing path

    @property
    def changed(self):
        return self.action != "none" or self.scale is not None


def plan_present(params, current):
    """Decide create / update / recreate / nothing, and whether to scale, from the options and the current model."""
    desired = desired_state(params)
    replicas = params.get("replicas")
    if current is None:
        return plan_create(params, desired, {}, "create")
    paths = changed_fields(desired, current, params.get("update_hugging_face_token") or "on_create")
    fixed = [p for p in paths if p.split(".")[0] in FIXED_FIELDS]
    if fixed:
        if not params.get("recreate"):
            return Plan("none", fixed=fixed, paths=paths, errors=[
                "%s fixed at create: the model has %s, the task asks for %s. Set recreate=true to delete and create "
                "the model again" % (
                    ", ".join(fixed) + (" is" if len(fixed) == 1 else " are"),
                    ", ".join("%s=%r" % (f, current.get(f)) for f in fixed),
                    ", ".join("%s=%r" % (f, desired.get(f)) for f in fixed))])
        return plan_create(params, desired, current, "recreate", fixed=fixed, paths=paths)
    errors = []
    updatable = [p for p in paths if p.split(".")[0] in UPDATABLE_FIELDS]
    patch = patch_body(desired, current, updatable) if updatable else {}
    errors.extend(update_errors(patch))
    autoscaling = effective(desired, current, "horizontal_autoscaling")
    scale = None
    if replicas is not None:
        if autoscaling.get("enabled"):
            errors.append("replicas cannot be combined with horizontal autoscaling, which the model has enabled; "
                          "set horizontal_autoscaling.enabled=false to scale by hand")
        elif replicas != (current.get("current_replicas") or 0):
            scale = replicas
    return Plan("update" if patch else "none", patch=patch, scale=scale, errors=errors, paths=paths)


def plan_create(params, desired, current, action, fixed=None, paths=None):
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
        errors.append("creating a hosted model needs %s; missing: %s" % (
            ", ".join(("model_specs_id", "service", "port")), ", ".join(missing)))
    models = nested_models()
    for name, model_class in sorted(models.items()):
        if isinstance(body.get(name), dict):
            errors.extend("creating a hosted model with %s needs %s" % (name, path)
                          for path in missing_required(model_class, body[name], name))
    errors.extend(autoscaling_errors(body.get("horizontal_autoscaling") or {}))
    replicas = params.get("replicas")
    autoscaling = body.get("horizontal_autoscaling") or {}
    if replicas is not None and autoscaling.get("enabled"):
        errors.append("replicas cannot be combined with enabled horizontal autoscaling")
    initial = initial_replicas(body)
    scale = replicas if replicas is not None and replicas != initial else None
    return Plan(action, create=body, fixed=fixed, scale=scale, errors=errors, paths=paths)


def initial_replicas(body):
    """Replicas a new model runs with once deployed: the autoscaling minimum when enabled, else one (inferred)."""
    autoscaling = body.get("horizontal_autoscaling") or {}
    if autoscaling.get("enabled"):
        return autoscaling.get("min_replicas") or 0
    return 1


def update_errors(patch):
    """Problems with a PATCH body, found before it is sent: incomplete nested objects, min > max after merging."""
    errors = []
    models = nested_models()
    for name in MERGED_FIELDS:
        if name in patch:
            for path in missing_required(models[name], patch[name], name):
                errors.append("%s is not set on the model yet, so the update needs %s" % (name, path))
    if "horizontal_autoscaling" in patch:
        errors.extend("after merging with the model's current autoscaling settings: " + e
                      for e in autoscaling_errors(patch["horizontal_autoscaling"]))
    return errors


# ---- results ----------------------------------------------------------------------------------------------

def managed_view(model, replicas=None, token_sent=False):
    """The managed fields of a snake_case model, for the diff; the Hugging Face token is never included."""
    if not model:
        return {}
    view = {name: copy.deepcopy(model.get(name)) for name in MANAGED_FIELDS}
    if isinstance(view.get("vllm_config"), dict):
        view["vllm_config"] = {"secret_name": view["vllm_config"].get("secret_name")}
    if token_sent:
        view["vllm_config"] = {"secret_name": None, "hugging_face_token": HIDDEN}
    view["replicas"] = model.get("current_replicas") if replicas is None else replicas
    return view


def predicted(current, plan, organization_id):
    """The snake_case model as a check-mode run says the change would leave it."""
    if plan.action in ("create", "recreate"):
        model = HostedModel.model_validate({}).to_result()
        model.update(copy.deepcopy(plan.create))
        if model.get("vllm_config"):
            model["vllm_config"] = {"secret_name": model["vllm_config"].get("secret_name"), "hugging_face_token": None}
        model["organization_id"] = organization_id
        return model
    model = copy.deepcopy(current)
    for name, value in plan.patch.items():
        model[name] = HostedModelUpdate.model_validate({name: value}).to_result()[name]
    if model.get("vllm_config"):
        model["vllm_config"]["hugging_face_token"] = None
    if plan.scale is not None:
        model["current_replicas"] = plan.scale
    return model


def latest_pod_events(pods, limit=POD_EVENTS_SHOWN):
    """The newest Kubernetes events across pods as short lines, newest first."""
    events = []
    for pod in pods or []:
        for position, event in enumerate(pod.get("events") or []):
            when = event.get("last_time") or event.get("first_time") or ""
            # Equal times are common (second precision); a pod lists newer events later, so position breaks ties.
            events.append((when, position, "%s: %s: %s" % (pod.get("name"), event.get("reason"), event.get("message"))))
    events.sort(key=lambda item: item[:2], reverse=True)
    return [line for _when, _position, line in events[:limit]]


def describe(model):
    if model is None:
        return "gone"
    text = model.get("status") or "no status"
    if model.get("status_reason"):
        text += " (%s)" % model["status_reason"]
    return "%s, %s replicas" % (text, model.get("current_replicas") or 0)


def running_check(hibernation_on, replicas):
    """The waiter's check for "the model is up": RUNNING, or HIBERNATED when hibernation is on or replicas=0."""
    def check(model):
        if model is None:
            raise WaitFailed("the hosted model disappeared while waiting for it to run", state=model)
        status = model.get("status")
        if status == "FAILED":
            raise WaitFailed("the hosted model is FAILED: %s" % (model.get("status_reason") or "no reason given"),
                             state=model)
        if replicas == 0:
            return DONE if status in ("HIBERNATED", "STOPPED") else PENDING
        if status == "HIBERNATED" and hibernation_on:
            return DONE
        if status != "RUNNING":
            return PENDING
        if replicas is not None and (model.get("current_replicas") or 0) != replicas:
            return PENDING
        return DONE
    return check


def gone_check(model):
    return DONE if model is None else PENDING
