"""API operations for hosted models: list, create, update, delete, scale, pods and lifecycle events."""

import copy
import hashlib
import re
import uuid
from datetime import datetime, timedelta, timezone

from . import lifecycle
from .errors import ALREADY_EXISTS, ApiError, failed_precondition, invalid, not_found
from .ops_catalog import GPU_MEMORY, PREDEFINED, spec_model
from .paging import page, sort_records
from .state import EPOCH, HostedModel, rfc3339

NAMESPACE = "castai-llms"
# Fields a client may set on create; everything else is filled in by the service.
CREATE_FIELDS = (
    "modelSpecsId",
    "service",
    "port",
    "clusterId",
    "nodeTemplateName",
    "vllmConfig",
    "horizontalAutoscaling",
    "hibernation",
    "fallback",
    "edgeLocations",
    "providerId",
)
UPDATE_FIELDS = ("nodeTemplateName", "vllmConfig", "horizontalAutoscaling", "hibernation", "fallback", "edgeLocations")
RESTART_FIELDS = ("nodeTemplateName", "vllmConfig")
# Plausible models behind an unknown model specs id: (model, type, required GPU memory in MiB).
CATALOGUE = tuple((model, model_type, memory) for model, model_type, memory, _speed, _gated in PREDEFINED)
SCALABLE = ("RUNNING", "HIBERNATED", "FAILED", "WARNING", "STOPPED")
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DURATION = re.compile(r"^\d+(\.\d+)?s$")


def public_vllm(config):
    """vLLM config as the API shows it: the Hugging Face token is write-only."""
    return {"secretName": config["secretName"]} if config.get("secretName") else {}


def check_fields(body, creating):
    """Business rules the schema cannot express; raises a 400 with field violations."""
    problems = []
    if creating:
        service = body.get("service", "")
        if len(service) > 63 or not _DNS_LABEL.match(service):
            problems.append(
                (
                    "service",
                    'must be a DNS-1035 label: lowercase letters, digits and "-", starting with a letter, at most 63',
                )
            )
        if not 1 <= body.get("port", 0) <= 65535:
            problems.append(("port", "must be between 1 and 65535"))
        if not body.get("modelSpecsId"):
            problems.append(("modelSpecsId", "must not be empty"))
    autoscaling = body.get("horizontalAutoscaling")
    if autoscaling:
        if autoscaling["minReplicas"] < 0:
            problems.append(("horizontalAutoscaling.minReplicas", "must not be negative"))
        if autoscaling["maxReplicas"] < 1:
            problems.append(("horizontalAutoscaling.maxReplicas", "must be at least 1"))
        if autoscaling["minReplicas"] > autoscaling["maxReplicas"]:
            problems.append(
                ("horizontalAutoscaling.minReplicas", f"must not exceed maxReplicas ({autoscaling['maxReplicas']})")
            )
    hibernation = body.get("hibernation")
    if hibernation:
        for name in ("hibernateCondition", "resumeCondition"):
            if not _DURATION.match(hibernation[name]["duration"]):
                problems.append((f"hibernation.{name}.duration", 'must be a duration in seconds such as "1800s"'))
    if problems:
        raise invalid(problems, "invalid hosted model")


def describe_spec(state, organization_id, model_specs_id):
    """Model, type and GPU memory for a model specs id: the spec's when it names a predefined spec or one of the organization's.
    Any other id is accepted too (a Hugging Face name 'org/model' is taken as the model; else one of the catalogue is picked)."""
    known = spec_model(state, organization_id, model_specs_id)
    if known:
        return known[0], known[1], GPU_MEMORY.get(known[0], "20480")
    for entry in CATALOGUE:
        if entry[0] == model_specs_id:
            return entry
    index = int(hashlib.sha256(model_specs_id.encode()).hexdigest(), 16) % len(CATALOGUE)
    model, model_type, memory = CATALOGUE[index]
    return (model_specs_id if "/" in model_specs_id else model), model_type, memory


def build_model(state, organization_id, cluster_id, body):
    """A new HostedModel record from client fields plus the fields the service fills in."""
    now = rfc3339(state.clock())
    data = {name: copy.deepcopy(body[name]) for name in CREATE_FIELDS if name in body}
    model, model_type, memory = describe_spec(state, organization_id, data.get("modelSpecsId", ""))
    data.update(
        {
            "id": str(uuid.uuid4()),
            "organizationId": organization_id,
            "clusterId": cluster_id,
            "createTime": now,
            "updateTime": now,
            "namespace": NAMESPACE,
            "model": model,
            "deployedModel": model,
            "provider": "hugging_face",
            "type": model_type,
            "region": "us-east-1",
            "cloudProvider": "aws",
            "requiredGpuMemoryMib": memory,
            "helmChartVersion": "0.4.2",
            "currentReplicas": 0,
            "status": "DEPLOYING",
        }
    )
    if "vllmConfig" in data:
        data["vllmConfig"] = public_vllm(data["vllmConfig"])
    return HostedModel(data=data, seq=state.next_seq())


def all_models(state, organization):
    """Hosted models of the organization in every cluster, transitions applied, gone ones dropped, in creation order."""
    models = organization.models
    for model_id, model in list(models.items()):
        if not lifecycle.advance(state, model):
            del models[model_id]
    return sorted(models.values(), key=lambda model: model.seq)


def live_models(call):
    """Hosted models of the path's organization and cluster, transitions applied, gone ones dropped."""
    return [model for model in all_models(call.state, call.org) if model.data["clusterId"] == call.params["clusterId"]]


def find_model(call, param="id"):
    model_id = call.params[param]
    for model in live_models(call):
        if model.data["id"] == model_id:
            return model
    raise not_found("hosted model", model_id)


def list_models(call):
    models = sort_records(
        live_models(call), call.query, call.contract.sortable_fields("HostedModel"), lambda model: model.data
    )
    answer = page(models, call.query, call.state.max_page_size)
    answer["items"] = [copy.deepcopy(model.data) for model in answer["items"]]
    return answer


def create_model(call):
    body = call.body
    if body.get("clusterId") != call.params["clusterId"]:
        raise invalid(
            [("clusterId", f"must equal the cluster in the path ({call.params['clusterId']})")], "invalid hosted model"
        )
    check_fields(body, creating=True)
    for model in live_models(call):
        if model.data["service"] == body["service"]:
            raise ApiError(
                409,
                ALREADY_EXISTS,
                f"hosted model with service {body['service']!r} already exists in cluster {body['clusterId']}",
            )
    model = build_model(call.state, call.org.id, call.params["clusterId"], body)
    lifecycle.begin(
        call.state, model, "DEPLOYING", "RUNNING", {"currentReplicas": lifecycle.running_replicas(model.data)}
    )
    call.org.models[model.data["id"]] = model
    return copy.deepcopy(model.data)


def update_model(call):
    model = find_model(call)
    data = model.data
    if data["status"] == "DELETING":
        raise failed_precondition(f"hosted model {data['id']} is being deleted")
    check_fields(call.body, creating=False)
    restart = False
    for name in UPDATE_FIELDS:
        if name not in call.body:
            continue
        value = public_vllm(call.body[name]) if name == "vllmConfig" else copy.deepcopy(call.body[name])
        # A new Hugging Face token cannot be compared (it is write-only), so sending one always restarts.
        changed = data.get(name) != value or (name == "vllmConfig" and bool(call.body[name].get("huggingFaceToken")))
        restart = restart or (changed and name in RESTART_FIELDS)
        data[name] = value
    autoscaling = data.get("horizontalAutoscaling") or {}
    if autoscaling.get("enabled") and data["status"] == "RUNNING":
        data["currentReplicas"] = min(
            max(data.get("currentReplicas") or 0, autoscaling["minReplicas"]), autoscaling["maxReplicas"]
        )
    if data["status"] == "DEPLOYING":
        for step in model.steps:
            step.fields["currentReplicas"] = lifecycle.running_replicas(data)
    data["updateTime"] = rfc3339(call.state.clock())
    if restart and data["status"] == "RUNNING":
        model.pod_generation += 1
        lifecycle.begin(call.state, model, "RESTARTING", "RUNNING")
    return copy.deepcopy(data)


def delete_model(call):
    model = find_model(call)
    if model.data["status"] != "DELETING":
        lifecycle.begin(call.state, model, "DELETING", lifecycle.GONE)
    return {}


def scale_model(call):
    body = call.body
    mismatched = [
        (name, f"must equal the path value ({call.params[key]})")
        for name, key in (("organizationId", "organizationId"), ("clusterId", "clusterId"), ("id", "id"))
        if body[name] != call.params[key]
    ]
    if mismatched:
        raise invalid(mismatched, "invalid scale request")
    model = find_model(call)
    data = model.data
    if (data.get("horizontalAutoscaling") or {}).get("enabled"):
        raise failed_precondition("cannot scale a hosted model with horizontal autoscaling enabled")
    if data["status"] not in SCALABLE:
        raise failed_precondition(f"cannot scale hosted model {data['id']} while it is {data['status']}")
    replicas, current = body["replicas"], data.get("currentReplicas") or 0
    if replicas == current:
        return {"replicas": replicas}
    now = call.state.clock()
    event_type = "SCALED_UP" if replicas > current else "SCALED_DOWN"
    lifecycle.record_event(
        model,
        event_type,
        "USER",
        now,
        description=f"scaled by user from {current} to {replicas} replicas",
        fromReplicas=current,
        toReplicas=replicas,
    )
    if replicas == 0:
        lifecycle.begin(call.state, model, "HIBERNATING", "HIBERNATED", {"currentReplicas": 0})
    elif data["status"] == "HIBERNATED":
        lifecycle.begin(call.state, model, "RESUMING", "RUNNING", {"currentReplicas": replicas})
    else:
        lifecycle.begin(call.state, model, "SCALING", "RUNNING", {"currentReplicas": replicas})
    return {"replicas": replicas}


def model_pods(call):
    return {"pods": lifecycle.pods(find_model(call, "hostedModelId"))}


def parse_time(text, field):
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise invalid([(field, f"must be an RFC 3339 timestamp, got {text!r}")]) from None
    return ((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)) - EPOCH) // timedelta(microseconds=1)


def model_events(call):
    model = find_model(call, "hostedModelId")
    start = parse_time(call.query["startTime"], "startTime") if call.query.get("startTime") else None
    end = parse_time(call.query["endTime"], "endTime") if call.query.get("endTime") else None
    newest_first = sorted(model.events, key=lambda pair: pair[0], reverse=True)
    events = [event for at, event in newest_first if (start is None or at >= start) and (end is None or at <= end)]
    return page([copy.deepcopy(event) for event in events], call.query, call.state.max_page_size)


HANDLERS = {
    "HostedModelsAPIListHostedModels": list_models,
    "HostedModelsAPICreateHostedModel": create_model,
    "HostedModelsAPIUpdateHostedModel": update_model,
    "HostedModelsAPIDeleteHostedModel": delete_model,
    "HostedModelsAPIScaleHostedModel": scale_model,
    "HostedModelsAPIGetHostedModelPods": model_pods,
    "HostedModelEventsAPIListHostedModelEvents": model_events,
}
