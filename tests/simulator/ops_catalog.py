"""API operations of the model catalog: model specs (predefined Hugging Face ones and an organization's own) and model registries
(private buckets of weights), with their lifecycles: VALIDATING -> ACTIVE/ERROR for private specs, ONBOARDING -> ACTIVE for registries."""

import copy
import json
import shlex
import uuid

from .errors import ALREADY_EXISTS, PERMISSION_DENIED, ApiError, failed_precondition, invalid, not_found
from .paging import page, sort_records
from .state import Tracked, rfc3339

DEFAULT_DIRECTORIES = ("llama-3-8b-ft", "mistral-7b-lora", "qwen-2.5-7b-sft")
SPEC_NAMESPACE = uuid.UUID("6f1d7c2e-4b0a-4f5e-9a37-2c9e8d1b5a40")
PUBLIC_API_URL = "https://api.cast.ai"
# Instances a model of up to 24 GiB of GPU memory runs on: (cloud, region, instance type, GPU, vCPU, MiB, USD per hour).
INSTANCES = (
    ("AWS", "us-east-1", "g6.xlarge", "nvidia-l4", 4, 16384, "0.8048"),
    ("AWS", "eu-west-1", "g6.xlarge", "nvidia-l4", 4, 16384, "0.8928"),
    ("GCP", "us-central1", "g2-standard-8", "nvidia-l4", 8, 32768, "0.8536"),
)
# The predefined Hugging Face specs every organization sees: (model, type, required GPU memory MiB, tokens per second, gated).
PREDEFINED = (
    ("meta-llama/Llama-3.1-8B-Instruct", "chat", "20480", 95, True),
    ("Qwen/Qwen2.5-7B-Instruct", "chat", "18432", 100, False),
    ("mistralai/Mistral-7B-Instruct-v0.3", "chat", "17408", 105, True),
    ("google/gemma-2-9b-it", "chat", "22528", 80, True),
    ("BAAI/bge-large-en-v1.5", "embeddings", "4096", 2400, False),
)
SPEC_INPUT_FIELDS = (
    "model",
    "registryType",
    "huggingFace",
    "privateRegistry",
    "description",
    "modalities",
    "quantization",
    "type",
    "routable",
)


def predefined_spec_id(model):
    """Stable ID of a predefined spec (the same in every run and organization)."""
    return str(uuid.uuid5(SPEC_NAMESPACE, model))


def hardware_specs():
    return {
        "cpu": 4,
        "memoryMib": 16384,
        "regions": [
            {
                "cloud": cloud,
                "name": region,
                "instanceType": instance,
                "gpuName": gpu,
                "gpuCount": 1,
                "cpu": cpu,
                "memoryMib": memory,
                "pricePerHour": price,
                "type": "CLUSTER",
            }
            for cloud, region, instance, gpu, cpu, memory, price in INSTANCES
        ],
    }


def _predefined(model, model_type, _memory, tokens_per_second, gated):
    terms = {"acceptanceRequired": gated}
    if gated:
        terms["uri"] = f"https://huggingface.co/{model}"
    return {
        "id": predefined_spec_id(model),
        "model": model,
        "registryType": "HUGGING_FACE",
        "huggingFace": {"modelName": model, "termsAndConditions": terms},
        "description": f"{model} from Hugging Face",
        "type": model_type,
        "modalities": ["text"],
        "routable": model_type == "chat",
        "tokensPerSecond": tokens_per_second,
        "hardwareSpecs": hardware_specs(),
        "createTime": "2025-01-01T00:00:00.000000Z",
        "updateTime": "2025-01-01T00:00:00.000000Z",
    }


PREDEFINED_SPECS = {spec["id"]: spec for spec in (_predefined(*entry) for entry in PREDEFINED)}
GPU_MEMORY = {entry[0]: entry[2] for entry in PREDEFINED}


def spec_model(state, organization_id, model_specs_id):
    """(model name, type) behind a model specs ID of the organization, or None when the ID names no spec."""
    spec = PREDEFINED_SPECS.get(model_specs_id)
    if spec is None:
        organization = state.organizations.get(organization_id)
        record = organization.specs.get(model_specs_id) if organization else None
        spec = record.data if record else None
    return (spec["model"], spec.get("type") or "chat") if spec else None


# lifecycles, evaluated lazily when a record is read


def settle_registry(state, registry):
    if registry.due is not None and not registry.stuck and registry.due <= state.clock():
        registry.status, registry.reason = "ACTIVE", None
        registry.data["updateTime"] = rfc3339(registry.due)
        registry.due = None


def settle_spec(state, organization, spec):
    """A private spec leaves VALIDATING when its time is up: ACTIVE when its registry is ACTIVE and holds the base model directory,
    ERROR otherwise; it keeps validating while the registry is still onboarding."""
    if spec.due is None or spec.stuck or spec.due > state.clock():
        return
    private = spec.data["privateRegistry"]
    registry = organization.registries.get(private["registryId"])
    if registry is not None:
        settle_registry(state, registry)
    if registry is not None and registry.status == "ONBOARDING":
        spec.due = max(registry.due or state.clock(), state.clock()) + state.transition_seconds
        return
    if registry is None:
        status, reason = "ERROR", f"model registry {private['registryId']} no longer exists"
    elif registry.status != "ACTIVE":
        status, reason = (
            "ERROR",
            f"model registry {registry.data['id']} is {registry.status}: {registry.reason or 'no reason given'}",
        )
    elif private["baseModelId"] not in registry.directories:
        status, reason = (
            "ERROR",
            f"directory {private['baseModelId']!r} not found in model registry {registry.data['id']}",
        )
    else:
        status, reason = "ACTIVE", None
    spec.status, spec.reason = status, reason
    spec.data["updateTime"] = rfc3339(spec.due)
    spec.due = None


def force_status(state, record, status, reason, stuck):
    """Control: put a spec or registry into `status`; a transitional status settles again after transition_seconds unless stuck."""
    record.status, record.reason, record.stuck = status, reason or None, stuck
    record.due = state.clock() + state.transition_seconds if status in ("VALIDATING", "ONBOARDING") else None
    record.data["updateTime"] = rfc3339(state.clock())


def spec_view(spec):
    """An organization's spec as the API shows it; only private specs have a status."""
    data = copy.deepcopy(spec.data)
    if data["registryType"] != "PRIVATE":
        return data
    data["privateRegistry"]["status"] = spec.status
    if spec.reason:
        data["privateRegistry"]["statusReason"] = spec.reason
    return data


def registry_view(registry):
    data = copy.deepcopy(registry.data)
    data["status"] = registry.status
    if registry.reason:
        data["statusReason"] = registry.reason
    return data


# model specs


def visible_specs(call):
    """Every spec the organization sees, as API objects: the predefined ones first, then its own in creation order."""
    own = sorted(call.org.specs.values(), key=lambda spec: spec.seq)
    for spec in own:
        settle_spec(call.state, call.org, spec)
    return [copy.deepcopy(spec) for spec in PREDEFINED_SPECS.values()] + [spec_view(spec) for spec in own]


def narrowed_to(spec, cloud, region):
    """The spec with only the hardware regions in `cloud`/`region`, or None when it has none there."""
    if not cloud and not region:
        return spec
    regions = [
        entry
        for entry in spec.get("hardwareSpecs", {}).get("regions", [])
        if (not cloud or entry["cloud"] == cloud) and (not region or entry["name"] == region)
    ]
    if not regions:
        return None
    spec["hardwareSpecs"]["regions"] = regions
    return spec


def list_specs(call):
    query = call.query
    registry_type = query.get("registryType") if query.get("registryType") != "REGISTRY_TYPE_UNSPECIFIED" else None
    cloud = query.get("cloud") if query.get("cloud") != "CLOUD_UNSPECIFIED" else None
    specs = []
    for spec in visible_specs(call):
        if registry_type and spec["registryType"] != registry_type:
            continue
        if query.get("registryId") and (spec.get("privateRegistry") or {}).get("registryId") != query["registryId"]:
            continue
        spec = narrowed_to(spec, cloud, query.get("region"))
        if spec is not None:
            specs.append(spec)
    specs = sort_records(specs, query, call.contract.sortable_fields("ModelSpecs"), lambda spec: spec)
    return page(specs, query, call.state.max_page_size, total=False)  # ListModelSpecsResponse has no totalCount


def check_spec(call, body):
    problems = []
    if not body["model"].strip():
        problems.append(("model", "must not be empty"))
    registry_type = body["registryType"]
    if registry_type == "HUGGING_FACE":
        if not (body.get("huggingFace") or {}).get("modelName", "").strip():
            problems.append(("huggingFace.modelName", "is required when registryType is HUGGING_FACE"))
        if "privateRegistry" in body:
            problems.append(("privateRegistry", "must not be set when registryType is HUGGING_FACE"))
    elif registry_type == "PRIVATE":
        private = body.get("privateRegistry")
        if private is None:
            problems.append(("privateRegistry", "is required when registryType is PRIVATE"))
        else:
            if private["registryId"] not in call.org.registries:
                problems.append(
                    ("privateRegistry.registryId", f"no model registry {private['registryId']} in this organization")
                )
            if not private["baseModelId"].strip():
                problems.append(("privateRegistry.baseModelId", "must not be empty"))
        if "huggingFace" in body:
            problems.append(("huggingFace", "must not be set when registryType is PRIVATE"))
    else:
        problems.append(("registryType", "must be HUGGING_FACE or PRIVATE"))
    if problems:
        raise invalid(problems, "invalid model specs")


def create_spec(call):
    body = call.body
    check_spec(call, body)
    now = rfc3339(call.state.clock())
    data = {name: copy.deepcopy(body[name]) for name in SPEC_INPUT_FIELDS if name in body}
    data.setdefault("type", "chat")
    data.setdefault("modalities", ["text"])
    data.setdefault("routable", False)
    data.update(
        {
            "id": str(uuid.uuid4()),
            "createTime": now,
            "updateTime": now,
            "hardwareSpecs": hardware_specs(),
            "tokensPerSecond": 2400 if data["type"] == "embeddings" else 90,
        }
    )
    if body["registryType"] == "HUGGING_FACE":
        spec = Tracked(data=data, seq=call.state.next_seq(), status="ACTIVE")
        call.org.specs[data["id"]] = spec
        return spec_view(spec)
    private = data["privateRegistry"]
    for read_only in ("status", "statusReason"):
        private.pop(read_only, None)
    private.setdefault("loraAdapter", False)
    spec = Tracked(
        data=data,
        seq=call.state.next_seq(),
        status="VALIDATING",
        due=call.state.clock() + call.state.transition_seconds,
    )
    call.org.specs[data["id"]] = spec
    return spec_view(spec)


def get_spec(call):
    spec_id = call.params["id"]
    if spec_id in PREDEFINED_SPECS:
        return copy.deepcopy(PREDEFINED_SPECS[spec_id])
    spec = call.org.specs.get(spec_id)
    if spec is None:
        raise not_found("model specs", spec_id)
    settle_spec(call.state, call.org, spec)
    return spec_view(spec)


def delete_spec(call):
    spec_id = call.params["id"]
    if spec_id in PREDEFINED_SPECS:
        raise ApiError(403, PERMISSION_DENIED, f"model specs {spec_id} is predefined and cannot be deleted")
    if spec_id not in call.org.specs:
        raise not_found("model specs", spec_id)
    users = sorted(
        model.data["service"]
        for model in call.org.models.values()
        if model.data.get("modelSpecsId") == spec_id and model.data["status"] != "DELETING"
    )
    if users:
        raise failed_precondition(f"model specs {spec_id} is used by hosted model(s) {', '.join(users)}")
    del call.org.specs[spec_id]
    return {}


# model registries


def provider_identity(provider):
    config = provider.get("gcs" if provider["type"] == "GCS" else "s3") or {}
    return provider["type"], config.get("bucket"), config.get("prefix") or ""


def live_registries(call):
    registries = sorted(call.org.registries.values(), key=lambda registry: registry.seq)
    for registry in registries:
        settle_registry(call.state, registry)
    return registries


def find_registry(call, param="id"):
    registry = call.org.registries.get(call.params[param])
    if registry is None:
        raise not_found("model registry", call.params[param])
    settle_registry(call.state, registry)
    return registry


def list_registries(call):
    views = sort_records(
        [registry_view(registry) for registry in live_registries(call)],
        call.query,
        call.contract.sortable_fields("ModelRegistry"),
        lambda view: view,
    )
    return page(views, call.query, call.state.max_page_size)


def check_provider(provider, prefix="provider"):
    """Field violations of a provider: its type decides which block is required and which is refused."""
    kind = provider.get("type")
    if kind not in ("GCS", "S3"):
        return [(f"{prefix}.type", "must be GCS or S3")]
    own, other = ("gcs", "s3") if kind == "GCS" else ("s3", "gcs")
    problems = []
    if not provider.get(own):
        problems.append((f"{prefix}.{own}", f"is required when type is {kind}"))
    else:
        problems += [
            (f"{prefix}.{own}.{name}", "must not be empty")
            for name in ("bucket", "region")
            if name in provider[own] and not str(provider[own][name]).strip()
        ]
    if provider.get(other):
        problems.append((f"{prefix}.{other}", f"must not be set when type is {kind}"))
    return problems


def create_registry(call):
    body = call.body
    problems = check_provider(body["provider"])
    if "credentials" in body:
        try:
            credentials = json.loads(body["credentials"])
        except ValueError:
            credentials = None
        if not isinstance(credentials, dict):  # never quote the value: it is a secret
            problems.append(("credentials", "must be a JSON object encoded as a string"))
    if problems:
        raise invalid(problems, "invalid model registry")
    identity = provider_identity(body["provider"])
    for registry in live_registries(call):
        if provider_identity(registry.data["provider"]) == identity:
            raise ApiError(
                409,
                ALREADY_EXISTS,
                f"a model registry for {identity[0]} bucket {identity[1]!r} with prefix {identity[2]!r} "
                f"already exists: {registry.data['id']}",
            )
    now = rfc3339(call.state.clock())
    data = {"id": str(uuid.uuid4()), "provider": copy.deepcopy(body["provider"]), "createTime": now, "updateTime": now}
    registry = Tracked(
        data=data,
        seq=call.state.next_seq(),
        status="ONBOARDING",
        due=call.state.clock() + call.state.transition_seconds,
        directories=list(DEFAULT_DIRECTORIES),
    )
    call.org.registries[data["id"]] = registry
    return registry_view(registry)


def get_registry(call):
    return registry_view(find_registry(call))


def delete_registry(call):
    registry = find_registry(call)
    users = sorted(
        spec.data["model"]
        for spec in call.org.specs.values()
        if (spec.data.get("privateRegistry") or {}).get("registryId") == registry.data["id"]
    )
    if users:
        raise failed_precondition(f"model registry {registry.data['id']} is used by model specs {', '.join(users)}")
    del call.org.registries[registry.data["id"]]
    return {}


def list_directories(call):
    registry = find_registry(call, "modelRegistryId")
    if registry.status != "ACTIVE":
        raise failed_precondition(
            f"model registry {registry.data['id']} is {registry.status}; its directories can be listed once it is ACTIVE"
        )
    used = {
        spec.data["privateRegistry"]["baseModelId"]
        for spec in call.org.specs.values()
        if (spec.data.get("privateRegistry") or {}).get("registryId") == registry.data["id"]
    }
    directories = [{"name": name, "registered": name in used} for name in registry.directories]
    directories = sort_records(
        directories, call.query, call.contract.sortable_fields("ModelRegistryDirectory"), lambda entry: entry
    )
    return page(directories, call.query, call.state.max_page_size)


REQUIRED_PROVIDER_SETTINGS = {"GCS": ("bucket",), "S3": ("bucket", "region")}


def onboarding_command(call):
    query = call.query
    kind = query.get("provider.type")
    if kind not in REQUIRED_PROVIDER_SETTINGS:
        raise invalid([("provider.type", "must be GCS or S3")])
    block, other = ("gcs", "s3") if kind == "GCS" else ("s3", "gcs")
    settings = {name.split(".")[-1]: value for name, value in query.items() if name.startswith(f"provider.{block}.")}
    problems = [
        (f"provider.{block}.{name}", "is required")
        for name in REQUIRED_PROVIDER_SETTINGS[kind]
        if not settings.get(name, "").strip()
    ]
    problems += [
        (name, f"must not be set when provider.type is {kind}")
        for name in query
        if name.startswith(f"provider.{other}.")
    ]
    if problems:
        raise invalid(problems)
    variables = {"BUCKET": settings["bucket"], "PREFIX": settings.get("prefix", ""), "REGION": settings.get("region")}
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in variables.items() if value is not None)
    url = f"{PUBLIC_API_URL}/ai-optimizer/v1beta/organizations/{call.org.id}/model-registries:getOnboardingScript?providerType={kind}"
    # the command names the token's variable, never the token
    return {"command": f'curl -fsSL -H "X-API-Key: $CASTAI_API_TOKEN" {shlex.quote(url)} | {assignments} bash'}


ONBOARDING_SCRIPTS = {
    "GCS": """#!/usr/bin/env bash
# Grants CAST AI AI Optimizer read access to a Google Cloud Storage bucket of model weights.
set -euo pipefail
: "${BUCKET:?set BUCKET}"
PROJECT=$(gcloud config get-value project)
ACCOUNT="castai-ai-optimizer-reader"
gcloud iam service-accounts create "$ACCOUNT" --project "$PROJECT" --display-name "CAST AI AI Optimizer model reader" || true
gcloud storage buckets add-iam-policy-binding "gs://$BUCKET" \\
  --member "serviceAccount:$ACCOUNT@$PROJECT.iam.gserviceaccount.com" --role roles/storage.objectViewer
echo "serviceAccount: $ACCOUNT@$PROJECT.iam.gserviceaccount.com"
""",
    "S3": """#!/usr/bin/env bash
# Grants CAST AI AI Optimizer read access to an S3 bucket of model weights.
set -euo pipefail
: "${BUCKET:?set BUCKET}" "${REGION:?set REGION}"
USER_NAME="castai-ai-optimizer-reader"
aws iam create-user --user-name "$USER_NAME" >/dev/null || true
aws iam put-user-policy --user-name "$USER_NAME" --policy-name castai-model-read --policy-document "{
  \\"Version\\": \\"2012-10-17\\",
  \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": [\\"s3:GetObject\\", \\"s3:ListBucket\\"],
    \\"Resource\\": [\\"arn:aws:s3:::$BUCKET\\", \\"arn:aws:s3:::$BUCKET/${PREFIX:-}*\\"]}]
}"
echo "userName: $USER_NAME"
""",
}


def onboarding_script(call):
    kind = call.query.get("providerType")
    if kind not in ONBOARDING_SCRIPTS:
        raise invalid([("providerType", "must be GCS or S3")])
    return {"script": ONBOARDING_SCRIPTS[kind]}


HANDLERS = {
    "ModelSpecsAPIListModelSpecs": list_specs,
    "ModelSpecsAPICreateModelSpecs": create_spec,
    "ModelSpecsAPIGetModelSpecs": get_spec,
    "ModelSpecsAPIDeleteModelSpecs": delete_spec,
    "ModelRegistriesAPIListModelRegistries": list_registries,
    "ModelRegistriesAPICreateModelRegistry": create_registry,
    "ModelRegistriesAPIGetModelRegistry": get_registry,
    "ModelRegistriesAPIDeleteModelRegistry": delete_registry,
    "ModelRegistriesAPIListModelRegistryDirectories": list_directories,
    "ModelRegistriesAPIGetOnboardingCommand": onboarding_command,
    "ModelRegistriesAPIGetOnboardingScript": onboarding_script,
}
