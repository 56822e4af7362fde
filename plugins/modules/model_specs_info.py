#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: model_specs_info
short_description: List the model specs CAST AI AI Optimizer can deploy, predefined and private
version_added: 1.0.0
description:
  - Lists model specs, reading every page. These are the models CAST AI predefines (popular Hugging Face models) and
    the organization's own (M(castai.ai_optimizer.model_spec)), with the hardware they need, where they can run and
    at what price, tokens per second, Hugging Face terms and a private model's status.
  - The API filters by O(cloud), O(region), O(registry_type) and O(registry_id); the module then filters by O(model)
    and O(type).
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
  - castai.ai_optimizer.attributes.info
options:
  id:
    description: Only the model specs with this ID (one read instead of the list); an empty list when they do not exist.
      Cannot be combined with the other filters.
    type: str
  cloud:
    description: Only specs that can run in this cloud; the C(regions) of their RV(model_specs[].hardware_specs) list
      only its regions.
    type: str
    choices: [AWS, AZURE, GCP, ORACLE]
  region:
    description: Only specs that can run in this region (for example V(us-east-1)); their regions are narrowed to it.
    type: str
  registry_type:
    description: Only Hugging Face specs, or only private ones.
    type: str
    choices: [HUGGING_FACE, PRIVATE]
  registry_id:
    description: Only the private specs of this model registry.
    type: str
  model:
    description: Only specs with this model name, such as V(meta-llama/Llama-3.1-8B-Instruct) (exact match).
    type: str
  type:
    description: Only specs of this kind of model, such as V(chat) or V(embeddings).
    type: str
  sort_field:
    description:
      - Field to sort by, in the snake_case of the returned keys (for example V(tokens_per_second) or V(model)).
      - The API sorts, so the order is the API's. Nested fields are named with a dot, such as V(hardware_specs.cpu).
    type: str
  sort_order:
    description: Sort direction, used with O(sort_field).
    type: str
    choices: [asc, desc]
    default: asc
seealso:
  - module: castai.ai_optimizer.model_spec
  - module: castai.ai_optimizer.hosted_model
"""

EXAMPLES = r"""
- name: List every model CAST AI can deploy
  castai.ai_optimizer.model_specs_info:
  register: catalog

- name: Find the chat models that run on AWS in us-east-1, fastest first
  castai.ai_optimizer.model_specs_info:
    cloud: AWS
    region: us-east-1
    type: chat
    sort_field: tokens_per_second
    sort_order: desc
  register: chat

- name: Show them with their hourly price
  ansible.builtin.debug:
    msg: "{{ item.model }}: {{ item.tokens_per_second }} tokens/s, {{ item.hardware_specs.regions[0].price_per_hour }} USD/h"
  loop: "{{ chat.model_specs }}"
  loop_control:
    label: "{{ item.model }}"

- name: List the private models of a registry, with their validation status
  castai.ai_optimizer.model_specs_info:
    registry_type: PRIVATE
    registry_id: "{{ registry_id }}"
  register: private
"""

RETURN = r"""
organization_id:
  description: The organization that was listed.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
model_specs:
  description: The matching model specs, every field of the API's C(ModelSpecs) in snake_case.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 17f8bbad-598a-5971-b419-8ccf3aea4611
      model: Qwen/Qwen2.5-7B-Instruct
      registry_type: HUGGING_FACE
      private_registry: null
      hugging_face:
        model_name: Qwen/Qwen2.5-7B-Instruct
        terms_and_conditions: {acceptance_required: false, uri: null}
      hardware_specs:
        cpu: 4
        memory_mib: 16384
        regions:
          - {cloud: AWS, name: us-east-1, type: CLUSTER, instance_type: g6.xlarge, gpu_name: nvidia-l4, gpu_count: 1,
             cpu: 4, memory_mib: 16384, price_per_hour: "0.8048"}
          - {cloud: GCP, name: us-central1, type: CLUSTER, instance_type: g2-standard-8, gpu_name: nvidia-l4,
             gpu_count: 1, cpu: 8, memory_mib: 32768, price_per_hour: "0.8536"}
      tokens_per_second: 100
      description: Qwen/Qwen2.5-7B-Instruct from Hugging Face
      modalities: [text]
      quantization: null
      type: chat
      routable: true
      create_time: "2025-01-01T00:00:00Z"
      update_time: "2025-01-01T00:00:00Z"
  contains:
    id:
      description: ID of the model specs, the O(castai.ai_optimizer.hosted_model#module:model_specs_id) of a hosted model.
      type: str
    model:
      description: Name of the model.
      type: str
    registry_type:
      description: V(HUGGING_FACE) or V(PRIVATE).
      type: str
    private_registry:
      description: Where the weights of a private model are; null for a Hugging Face model.
      type: dict
      contains:
        registry_id:
          description: ID of the model registry.
          type: str
          sample: 0f3c5a9e-1b2d-4e6f-8a7b-9c0d1e2f3a4b
        base_model_id:
          description: Directory of the model in the registry.
          type: str
          sample: llama-3-8b-ft
        lora_adapter:
          description: Whether the weights are a LoRA adapter rather than a full model.
          type: bool
          sample: false
        status:
          description: V(VALIDATING), V(ACTIVE), V(ERROR) or V(STATUS_UNSPECIFIED).
          type: str
          sample: ACTIVE
        status_reason:
          description: Why the model is in its status, null when the API gives no reason.
          type: str
    hugging_face:
      description: The Hugging Face model; null for a private model.
      type: dict
      contains:
        model_name:
          description: Name of the model on Hugging Face.
          type: str
          sample: meta-llama/Llama-3.1-8B-Instruct
        terms_and_conditions:
          description: The model's terms and conditions on Hugging Face.
          type: dict
          contains:
            acceptance_required:
              description: Whether the terms must be accepted before the model can be used.
              type: bool
              sample: true
            uri:
              description: Page of the model on Hugging Face where the terms can be accepted, null when there is none.
              type: str
              sample: https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct
    hardware_specs:
      description: What the model needs and where it can run; the API fills it in.
      type: dict
      contains:
        cpu:
          description: CPUs the model needs.
          type: int
          sample: 4
        memory_mib:
          description: Memory the model needs, in MiB.
          type: int
          sample: 16384
        regions:
          description: The regions that offer instances for the model.
          type: list
          elements: dict
          contains:
            cloud:
              description: V(AWS), V(GCP), V(AZURE), V(ORACLE) or V(CLOUD_UNSPECIFIED).
              type: str
              sample: AWS
            name:
              description: Name of the region.
              type: str
              sample: us-east-1
            type:
              description: V(CLUSTER), V(EDGE_LOCATION), V(NOT_ONBOARDED) or V(TYPE_UNSPECIFIED).
              type: str
              sample: CLUSTER
            instance_type:
              description: Instance type that runs the model.
              type: str
              sample: g6.xlarge
            gpu_name:
              description: GPU of the instance.
              type: str
              sample: nvidia-l4
            gpu_count:
              description: GPUs of the instance.
              type: int
              sample: 1
            cpu:
              description: CPUs of the instance.
              type: int
              sample: 4
            memory_mib:
              description: Memory of the instance, in MiB.
              type: int
              sample: 16384
            price_per_hour:
              description: Price of running the model there for an hour, a decimal string.
              type: str
              sample: "0.8048"
    tokens_per_second:
      description: Tokens per second the model reaches on that hardware.
      type: int
    description:
      description: Description of the model.
      type: str
    modalities:
      description: What the model takes and gives.
      type: list
      elements: str
    quantization:
      description: Quantization of the weights.
      type: str
    type:
      description: Kind of model.
      type: str
    routable:
      description: Whether the router may send requests to the model.
      type: bool
    create_time:
      description: When the specs were created (RFC 3339).
      type: str
    update_time:
      description: When the specs last changed (RFC 3339).
      type: str
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._catalog import text_errors
from ..module_utils._checks import path_id_error
from ..module_utils._generated.model_specs import ModelSpecs
from ..module_utils._generated.model_specs_schema import SCHEMAS
from ..module_utils._generated.operations import MODEL_SPECS_API_GET_MODEL_SPECS, MODEL_SPECS_API_LIST_MODEL_SPECS
from ..module_utils._module import CastAIModule

API_FILTERS = {"cloud": "cloud", "region": "region", "registry_type": "registryType", "registry_id": "registryId"}
LOCAL_FILTERS = ("model", "type")
SORT_FIELDS = SCHEMAS["ModelSpecs"]["sort_fields"]


def main():
    module = CastAIModule(
        argument_spec=dict(
            id=dict(type="str"),
            cloud=dict(type="str", choices=["AWS", "AZURE", "GCP", "ORACLE"]),
            region=dict(type="str"),
            registry_type=dict(type="str", choices=["HUGGING_FACE", "PRIVATE"]),
            registry_id=dict(type="str"),
            model=dict(type="str"),
            type=dict(type="str"),
            sort_field=dict(type="str"),
            sort_order=dict(type="str", choices=["asc", "desc"], default="asc"),
        ),
        mutually_exclusive=[("id", name) for name in tuple(API_FILTERS) + LOCAL_FILTERS + ("sort_field",)],
        path_ids=("id",),
    )
    params = module.params
    errors = [e for e in [path_id_error("registry_id", params["registry_id"])] if e]
    errors += text_errors("region", params["region"]) + text_errors("model", params["model"])
    if params["sort_field"] and params["sort_field"] not in SORT_FIELDS:
        errors.append("sort_field must be one of: %s; got %r" % (", ".join(sorted(SORT_FIELDS)), params["sort_field"]))
    if errors:
        module.fail_json(msg="; ".join(errors))

    path = {"organizationId": module.organization_id}
    if params["id"]:
        action = "read model specs %s" % params["id"]
        answer = module.call_or_none(action, MODEL_SPECS_API_GET_MODEL_SPECS, dict(path, id=params["id"]))
        specs = [] if answer is None else [module.parse(ModelSpecs, answer, action, needs=("id",))]
    else:
        query = {alias: params[name] for name, alias in API_FILTERS.items()}
        if params["sort_field"]:
            query.update({"sort.field": SORT_FIELDS[params["sort_field"]], "sort.order": params["sort_order"].upper()})
        action = "list model specs"
        specs = [
            spec
            for spec in module.each(action, ModelSpecs, MODEL_SPECS_API_LIST_MODEL_SPECS, path, query, needs=("id",))
            if all(params[name] is None or spec[name] == params[name] for name in LOCAL_FILTERS)
        ]
    module.exit_with(changed=False, organization_id=path["organizationId"], model_specs=specs)


if __name__ == "__main__":
    main()
