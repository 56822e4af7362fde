"""Hosted model lifecycle: timed status transitions, lifecycle events and pods, all evaluated lazily on each read."""

import hashlib
import uuid

from .state import Step, micros, rfc3339

GONE = "GONE"  # pseudo status: the model disappears from the API
# What a transitional status turns into by itself (used when control forces a status).
NATURAL_NEXT = {
    "DEPLOYING": "RUNNING",
    "SCALING": "RUNNING",
    "RESTARTING": "RUNNING",
    "RESUMING": "RUNNING",
    "HIBERNATING": "HIBERNATED",
    "DELETING": GONE,
}
_POD_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
IMAGE = "vllm/vllm-openai:v0.8.5"


def running_replicas(data):
    """Replicas a model runs with when it becomes RUNNING by itself."""
    autoscaling = data.get("horizontalAutoscaling") or {}
    return autoscaling.get("minReplicas", 1) if autoscaling.get("enabled") else 1


def advance(state, model):
    """Apply every pending step that is due; False when the model is gone."""
    now = state.clock()
    while model.steps and not model.stuck and model.steps[0].at <= now:
        step = model.steps.pop(0)
        if step.status == GONE:
            return False
        model.data["status"] = step.status
        model.data.pop("statusReason", None)
        model.data.update(step.fields)
        model.data["updateTime"] = rfc3339(step.at)
        if step.event:
            event_type, payload = step.event
            record_event(model, event_type, "SYSTEM", step.at, **payload)
    return True


def begin(state, model, status, then=None, fields=None, event=None, reason=None):
    """Put the model into `status` now and, unless `then` is None, into `then` after transition_seconds."""
    now = state.clock()
    model.data["status"] = status
    model.data["updateTime"] = rfc3339(now)
    if reason:
        model.data["statusReason"] = reason
    else:
        model.data.pop("statusReason", None)
    model.steps = [] if then is None else [Step(now + state.transition_seconds, then, dict(fields or {}), event)]


def follow_up(model, status):
    """Fields and event for the step after a forced `status` (the natural next status)."""
    target = NATURAL_NEXT.get(status)
    if target == "HIBERNATED":
        return target, {"currentReplicas": 0}, ("HIBERNATED", {"description": "no requests, hosted model hibernated"})
    if target == "RUNNING" and status == "RESUMING":
        return (
            target,
            {"currentReplicas": running_replicas(model.data)},
            ("RESUMED", {"description": "requests arrived, hosted model resumed"}),
        )
    if target == "RUNNING":
        return (
            target,
            {
                "currentReplicas": max(model.data.get("currentReplicas") or 0, 1)
                if status != "DEPLOYING"
                else running_replicas(model.data)
            },
            None,
        )
    return target, {}, None


def record_event(model, event_type, user_type, at, **payload):
    """Append a HostedModelEvent; every kind-specific block is required by the spec, so all are filled."""
    data = model.data
    autoscaling = {
        "description": "",
        "fromReplicas": 0,
        "toReplicas": 0,
        "targetMetric": "AUTOSCALING_METRIC_UNSPECIFIED",
        "targetValue": 0.0,
    }
    hibernation = {"description": "", "duration": "0s", "requestCount": 0}
    event = {
        "id": str(uuid.uuid4()),
        "organizationId": data["organizationId"],
        "clusterId": data["clusterId"],
        "hostedModelId": data["id"],
        "createTime": rfc3339(at),
        "type": event_type,
        "initiator": {"userType": user_type},
        "scaledUp": dict(autoscaling),
        "scaledDown": dict(autoscaling),
        "hibernated": dict(hibernation),
        "resumed": dict(hibernation),
        "interrupted": {"description": "", "nodeName": "", "podNames": []},
    }
    block = {
        "SCALED_UP": "scaledUp",
        "SCALED_DOWN": "scaledDown",
        "HIBERNATED": "hibernated",
        "RESUMED": "resumed",
        "INTERRUPTED": "interrupted",
    }.get(event_type)
    if block:
        event[block].update(payload)
    if user_type == "USER":
        event["initiator"].update({"id": "sim-user", "email": "user@example.com", "name": "Simulator User"})
    model.events.append((micros(at), event))


def _pod_name(model, index):
    digest = hashlib.sha256(f"{model.data['id']}/{model.pod_generation}/{index}".encode()).digest()
    suffix = "".join(_POD_ALPHABET[byte % len(_POD_ALPHABET)] for byte in digest[:5])
    return f"{model.data['service']}-{index}-{suffix}"


def _event(reason, message, when, controller="kubelet", action=None):
    event = {
        "reason": reason,
        "message": message,
        "firstTime": when,
        "lastTime": when,
        "reportingController": controller,
    }
    if action:
        event["action"] = action
    return event


def pods(model):
    """Kubernetes pods of the model as the pods endpoint shows them."""
    data = model.data
    status = data["status"]
    when = data.get("updateTime") or data["createTime"]
    count = data.get("currentReplicas") or 0
    if status == "DEPLOYING":
        count = 1
    elif status == "FAILED":
        count = max(count, 1)
    result = []
    for index in range(count):
        name = _pod_name(model, index)
        events = [
            _event(
                "Scheduled",
                f"Successfully assigned {data.get('namespace', 'default')}/{name} to gpu-node-{index}",
                when,
                "default-scheduler",
                "Binding",
            )
        ]
        if status == "DEPLOYING":
            events.append(_event("Pulling", f'Pulling image "{IMAGE}"', when))
            pod_status = {
                "phase": "Pending",
                "reason": "ContainerCreating",
                "message": "containers with unready status: [vllm]",
            }
        else:
            events.append(_event("Pulled", f'Container image "{IMAGE}" already present on machine', when))
            events.append(_event("Started", "Started container vllm", when))
            pod_status = {"phase": "Running"}
        if status == "FAILED":
            message = data.get("statusReason") or "back-off 5m0s restarting failed container=vllm"
            pod_status = {"phase": "Running", "reason": "CrashLoopBackOff", "message": message}
            events.append(
                _event("BackOff", f"Back-off restarting failed container vllm in pod {name}", when, action="Warning")
            )
        result.append({"name": name, "status": pod_status, "events": events})
    return result
