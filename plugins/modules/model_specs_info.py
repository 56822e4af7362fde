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
attributes:
  check_mode:
    description: The module only reads. It runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: N/A
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
      hugging_face: {model_name: Qwen/Qwen2.5-7B-Instruct, terms_and_conditions: {acceptance_required: false, uri: null}}
      private_registry: null
      type: chat
      tokens_per_second: 100
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
    hugging_face:
      description: The Hugging Face model (V(model_name), V(terms_and_conditions) with V(acceptance_required) and
        V(uri)).
      type: dict
    private_registry:
      description: The private model (V(registry_id), V(base_model_id), V(lora_adapter), V(status), V(status_reason)).
      type: dict
    hardware_specs:
      description: What the model needs (V(cpu), V(memory_mib)) and where it can run (V(regions), each with V(cloud),
        V(name), V(instance_type), V(gpu_name), V(gpu_count), V(cpu), V(memory_mib), V(price_per_hour), V(type)).
      type: dict
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
            for spec in (
                module.parse(ModelSpecs, item, action, needs=("id",))
                for item in module.list_all(action, MODEL_SPECS_API_LIST_MODEL_SPECS, path, query)
            )
            if all(params[name] is None or spec[name] == params[name] for name in LOCAL_FILTERS)
        ]
    module.exit_with(changed=False, organization_id=path["organizationId"], model_specs=specs)


if __name__ == "__main__":
    main()
