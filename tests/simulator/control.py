"""Control surface under /_sim/ (no auth, JSON in and out): reset, config, fixtures, forced statuses, faults, request log."""

import copy
import json
import re
import uuid

from werkzeug.wrappers import Response

from . import lifecycle, ops_catalog, ops_observability
from .errors import ApiError
from .faults import FaultError, build_fault
from .ops_keys import decimal_text, parse_money
from .ops_models import build_model, parse_time
from .state import Step, micros, rfc3339

STATUSES = (
    "DELETING",
    "DEPLOYING",
    "FAILED",
    "HIBERNATED",
    "HIBERNATING",
    "RESTARTING",
    "RESUMING",
    "RUNNING",
    "SCALING",
    "STATUS_UNSPECIFIED",
    "STOPPED",
    "WARNING",
)
IDLE_STATUSES = ("DEPLOYING", "HIBERNATED", "STOPPED", "RESUMING", "STATUS_UNSPECIFIED")


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class PathParams(dict):
    """The parameters of a control path, plus the contract the simulator serves (to check operation IDs)."""

    def __init__(self, params, contract):
        super().__init__(params)
        self.contract = contract


def reply(payload, status=200):
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def need(condition, message, status=400):
    if not condition:
        raise ControlError(status, message)


def number(body, name, default, minimum=0.0, integer=False):
    value = body.get(name, default)
    kind = int if integer else (int, float)
    need(
        value is None or (isinstance(value, kind) and not isinstance(value, bool) and value >= minimum),
        f"{name} must be a{'n integer' if integer else ' number'} >= {minimum}",
    )
    return value


def key_info(key):
    return {"organization_id": key.organization_id, "token": key.token, "api_key_id": key.id}


def organization_of(state, body):
    organization_id = body.get("organization_id") or state.initial["organization_id"]
    need(organization_id in state.organizations, f"unknown organization {organization_id}", 404)
    return organization_id


def find_model(state, model_id):
    for organization in state.organizations.values():
        model = organization.models.get(model_id)
        if model is not None:
            if lifecycle.advance(state, model):
                return model
            del organization.models[model_id]
    raise ControlError(404, f"hosted model {model_id} not found")


# handlers: (state, body, match) -> (payload, status)


def reset(state, _body, _match):
    state.reset()
    return key_info(state.key_for_token(state.initial["token"]))


def health(_state, _body, _match):
    return {"status": "ok"}


def get_config(state, _body, _match):
    return {"transition_seconds": state.transition_seconds, "max_page_size": state.max_page_size}


def set_config(state, body, _match):
    seconds = number(body, "transition_seconds", None)
    page_size = number(body, "max_page_size", None, minimum=1, integer=True)
    if seconds is not None:
        state.transition_seconds = float(seconds)
    if page_size is not None:
        state.max_page_size = page_size
    return get_config(state, body, None)


def add_organization(state, body, _match):
    organization_id = body.get("organization_id")
    need(
        organization_id is None or isinstance(organization_id, str) and organization_id,
        "organization_id must be a non-empty string",
    )
    need(organization_id not in state.organizations, f"organization {organization_id} already exists", 409)
    return key_info(state.add_organization(organization_id))


def add_api_key(state, body, _match):
    return key_info(state.add_key(organization_of(state, body)))


def list_api_keys(state, _body, _match):
    return [
        {"api_key_id": key.id, "organization_id": key.organization_id, "token_suffix": key.token[-4:]}
        for key in state.keys_by_id.values()
    ]


def lookup_api_key(state, body, _match):
    key = state.key_for_token(body.get("token"))
    need(key is not None, "no such token", 404)
    return {"api_key_id": key.id, "organization_id": key.organization_id}


def seed_models(state, body, _match):
    organization_id = organization_of(state, body)
    fields = copy.deepcopy(body.get("model") or {})
    need(isinstance(fields, dict), "model must be an object of camelCase HostedModel fields")
    cluster_id = body.get("cluster_id") or fields.get("clusterId")
    need(isinstance(cluster_id, str) and cluster_id, "cluster_id is required")
    count = number(body, "count", 1, minimum=1, integer=True)
    need(count == 1 or "id" not in fields, "model.id can only be given with count 1")
    status = fields.pop("status", "RUNNING")
    need(status in STATUSES, f"status must be one of {', '.join(STATUSES)}")
    base_service = fields.get("service", "seeded-model")
    created = []
    for index in range(count):
        service = base_service if count == 1 else f"{base_service}-{index + 1}"
        # A seeded 'model' (a Hugging Face name) decides deployedModel, type and GPU memory unless those are given too.
        client_fields = {
            "modelSpecsId": fields.get("model") or str(uuid.uuid4()),
            "port": 8080,
            **fields,
            "service": service,
            "clusterId": cluster_id,
        }
        model = build_model(state, organization_id, cluster_id, client_fields)
        model.data.update({name: value for name, value in client_fields.items() if name != "vllmConfig"})
        model.data["status"] = status
        if "currentReplicas" not in fields:
            model.data["currentReplicas"] = 0 if status in IDLE_STATUSES else lifecycle.running_replicas(model.data)
        if body.get("transition"):
            target, step_fields, event = lifecycle.follow_up(model, status)
            if target:
                model.steps = [Step(state.clock() + state.transition_seconds, target, step_fields, event)]
        state.organizations[organization_id].models[model.data["id"]] = model
        created.append(copy.deepcopy(model.data))
    return created


def force_status(state, body, match):
    model = find_model(state, match["id"])
    status = body.get("status")
    need(status in STATUSES, f"status must be one of {', '.join(STATUSES)}")
    model.stuck = bool(body.get("stuck", False))
    target, fields, event = (None, None, None) if model.stuck else lifecycle.follow_up(model, status)
    lifecycle.begin(state, model, status, target, fields, event, reason=body.get("status_reason"))
    if status in ("HIBERNATED", "STOPPED"):
        model.data["currentReplicas"] = 0
    elif status in ("RUNNING", "WARNING", "FAILED") and not model.data.get("currentReplicas"):
        model.data["currentReplicas"] = lifecycle.running_replicas(model.data)
    if status == "HIBERNATED":
        lifecycle.record_event(model, "HIBERNATED", "SYSTEM", state.clock(), description="hosted model hibernated")
    if "current_replicas" in body:
        model.data["currentReplicas"] = number(body, "current_replicas", 0, integer=True)
    return copy.deepcopy(model.data)


def seed_spend(state, body, match):
    key = state.keys_by_id.get(match["id"])
    need(key is not None, f"api key {match['id']} not found", 404)
    try:
        spend = decimal_text(parse_money(body.get("total_spend_usd", "0"), "total_spend_usd"))
    except ApiError as error:
        raise ControlError(400, error.message) from None
    state.spend[key.id] = spend
    return {"api_key_id": key.id, "total_spend_usd": spend}


def add_fault(state, body, match):
    try:
        fault = build_fault(body, {operation.operation_id for operation in match.contract.operations})
    except FaultError as error:
        raise ControlError(400, str(error)) from None
    state.add_fault(fault)
    return fault.describe()


def list_faults(state, _body, _match):
    return [fault.describe() for fault in state.faults]


def clear_faults(state, _body, _match):
    state.faults.clear()
    return {}


def force_record_status(state, body, record, statuses, what):
    status = body.get("status")
    need(status in statuses, f"status must be one of {', '.join(statuses)}")
    reason = body.get("status_reason")
    need(reason is None or isinstance(reason, str), "status_reason must be a string")
    need(isinstance(body.get("stuck", False), bool), "stuck must be true or false")
    ops_catalog.force_status(state, record, status, reason, body.get("stuck", False))
    return {"id": record.data["id"], "kind": what, "status": record.status, "status_reason": record.reason}


def find_record(state, kind, record_id):
    for organization in state.organizations.values():
        record = getattr(organization, kind).get(record_id)
        if record is not None:
            return record
    return None


def force_spec_status(state, body, match):
    need(
        match["id"] not in ops_catalog.PREDEFINED_SPECS, "predefined model specs have no status (only private ones do)"
    )
    spec = find_record(state, "specs", match["id"])
    need(spec is not None, f"model specs {match['id']} not found", 404)
    need(spec.data["registryType"] == "PRIVATE", "only private model specs have a status")
    return force_record_status(state, body, spec, ("VALIDATING", "ACTIVE", "ERROR"), "model_specs")


def force_registry_status(state, body, match):
    registry = find_record(state, "registries", match["id"])
    need(registry is not None, f"model registry {match['id']} not found", 404)
    return force_record_status(state, body, registry, ("ONBOARDING", "ACTIVE", "ERROR"), "model_registry")


def set_directories(state, body, match):
    registry = find_record(state, "registries", match["id"])
    need(registry is not None, f"model registry {match['id']} not found", 404)
    directories = body.get("directories")
    need(
        isinstance(directories, list)
        and all(isinstance(name, str) and name for name in directories)
        and len(set(directories)) == len(directories),
        "directories must be a list of distinct non-empty strings",
    )
    registry.directories = list(directories)
    return {"id": registry.data["id"], "directories": list(directories)}


def set_components(state, body, _match):
    organization_id = organization_of(state, body)
    cluster_id = body.get("cluster_id")
    need(isinstance(cluster_id, str) and cluster_id, "cluster_id is required")
    organization = state.organizations[organization_id]
    if body.get("remove"):
        organization.components[cluster_id] = []
        return []
    status = body.get("status", "RUNNING")
    need(
        status in ("RUNNING", "NOT_RUNNING", "STATUS_UNSPECIFIED"),
        "status must be RUNNING, NOT_RUNNING or STATUS_UNSPECIFIED",
    )
    for name in ("warning", "version"):
        need(body.get(name) is None or isinstance(body[name], str), f"{name} must be a string")
    component = dict(
        ops_observability.default_components(state, organization_id, cluster_id)[0],
        status=status,
        updateTime=rfc3339(state.clock()),
    )
    component["version"] = body.get("version") or component["version"]
    if body.get("warning"):
        component["warning"] = body["warning"]
    organization.components[cluster_id] = [component]
    return copy.deepcopy(organization.components[cluster_id])


USAGE_COUNTS = {"requests": 1, "input_tokens": 0, "output_tokens": 0, "errors": 0}
USAGE_MILLISECONDS = {"duration_ms": 500, "ttft_ms": 100}


def add_usage(state, body, _match):
    organization_id = organization_of(state, body)
    organization = state.organizations[organization_id]
    model = body.get("model")
    need(isinstance(model, str) and model, "model is required")
    keys = [key for key in state.keys_by_id.values() if key.organization_id == organization_id]
    api_key_id = body.get("api_key_id") or keys[0].id
    need(
        any(key.id == api_key_id for key in keys),
        f"api key {api_key_id} is not a key of organization {organization_id}",
        404,
    )
    try:
        at = parse_time(body["time"], "time") if body.get("time") else micros(state.clock())
    except (ApiError, AttributeError):
        raise ControlError(400, "time must be an RFC 3339 timestamp") from None
    cluster_id = body.get("cluster_id")
    need(cluster_id is None or isinstance(cluster_id, str), "cluster_id must be a string")
    hosted = any(hosted_model.data["model"] == model for hosted_model in organization.models.values())
    provider = ops_observability.HOSTED_PROVIDER if hosted else ("openai", "OpenAI")
    record = {
        "at": at,
        "api_key_id": api_key_id,
        "model": model,
        "cluster_id": cluster_id,
        "provider": body.get("provider") or provider[0],
        "provider_name": body.get("provider_name") or provider[1],
        "error_code": number(body, "error_code", 500, minimum=100, integer=True),
    }
    for name, default in USAGE_COUNTS.items():
        record[name] = number(body, name, default, integer=True)
        need(record[name] <= 10**9, f"{name} must be at most 10^9")
    for name, default in USAGE_MILLISECONDS.items():
        record[name] = float(number(body, name, default))
        need(record[name] <= 3_600_000, f"{name} must be at most one hour")
    need(record["errors"] <= record["requests"], "errors must not exceed requests")
    organization.usage.append(record)
    return {**{name: value for name, value in record.items() if name != "at"}, "time": rfc3339(at / 1e6)}


def list_requests(state, _body, _match):
    return copy.deepcopy(state.requests)


def clear_requests(state, _body, _match):
    state.requests.clear()
    return {}


ROUTES = [
    ("POST", r"/_sim/reset", reset),
    ("GET", r"/_sim/health", health),
    ("GET", r"/_sim/config", get_config),
    ("POST", r"/_sim/config", set_config),
    ("POST", r"/_sim/organizations", add_organization),
    ("GET", r"/_sim/api-keys", list_api_keys),
    ("POST", r"/_sim/api-keys", add_api_key),
    ("POST", r"/_sim/api-keys:lookup", lookup_api_key),
    ("POST", r"/_sim/hosted-models", seed_models),
    ("POST", r"/_sim/hosted-models/(?P<id>[^/]+)/status", force_status),
    ("POST", r"/_sim/budgets/(?P<id>[^/]+)", seed_spend),
    ("POST", r"/_sim/model-specs/(?P<id>[^/]+)/status", force_spec_status),
    ("POST", r"/_sim/model-registries/(?P<id>[^/]+)/status", force_registry_status),
    ("POST", r"/_sim/model-registries/(?P<id>[^/]+)/directories", set_directories),
    ("POST", r"/_sim/components", set_components),
    ("POST", r"/_sim/usage", add_usage),
    ("GET", r"/_sim/faults", list_faults),
    ("POST", r"/_sim/faults", add_fault),
    ("DELETE", r"/_sim/faults", clear_faults),
    ("GET", r"/_sim/requests", list_requests),
    ("DELETE", r"/_sim/requests", clear_requests),
]


def dispatch(state, request, contract):
    """Answer one control request."""
    path_known = False
    for method, pattern, handler in ROUTES:
        match = re.fullmatch(pattern, request.path)
        if match is None:
            continue
        path_known = True
        if method != request.method:
            continue
        data = request.get_data(cache=True)
        try:
            body = json.loads(data) if data.strip() else {}
        except ValueError:
            return reply({"error": "body is not JSON"}, 400)
        if not isinstance(body, dict):
            return reply({"error": "body must be a JSON object"}, 400)
        try:
            with state.lock:
                answer = handler(state, body, PathParams(match.groupdict(), contract=contract))
        except ControlError as error:
            return reply({"error": str(error)}, error.status)
        payload, status = answer if isinstance(answer, tuple) else (answer, 200)
        return reply(payload, status)
    if path_known:
        return reply({"error": f"method {request.method} not allowed"}, 405)
    return reply({"error": f"no control endpoint {request.path}"}, 404)
