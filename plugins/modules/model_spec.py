#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: model_spec
short_description: Create or delete the model specs of a private or Hugging Face model in CAST AI AI Optimizer
version_added: 1.0.0
description:
  - Creates or deletes model specs, the description of a model that M(castai.ai_optimizer.hosted_model) deploys. A
    private model's weights are a directory of a model registry (M(castai.ai_optimizer.model_registry)); a Hugging
    Face model is named by its Hugging Face name.
  - The specs are found by O(id), or else by O(model) together with the registry, that is O(private_registry.registry_id)
    for a private model, or Hugging Face when O(hugging_face) is set. That also finds the specs CAST AI predefines for
    popular Hugging Face models.
  - The API cannot update model specs. When an option you set differs, the task fails and names the fields, unless
    O(recreate=true), which deletes the specs and creates them again (with a new ID).
  - CAST AI validates a private model after create (status V(VALIDATING)); by default the module waits until it is
    V(ACTIVE).
  - The API names one such object "model specs"; the module is named in the singular like the collection's other
    resource modules, and M(castai.ai_optimizer.model_specs_info) lists them.
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
attributes:
  check_mode:
    description:
      - Check mode reads the specs (or the list) but never creates or deletes, and never waits.
      - It reports C(changed) as a real run would, and returns the specs as the task would create them (fields the API
        fills in, such as RV(model_spec.id), RV(model_spec.hardware_specs) and the status, are V(null)).
    support: full
  diff_mode:
    description: Shows the options you set (every field of the specs when they are deleted), before and after.
    support: full
options:
  state:
    description:
      - V(present) creates the specs when they do not exist.
      - V(absent) deletes them. Specs that do not exist are not a change. The API refuses to delete specs that a hosted
        model uses, and specs CAST AI predefines.
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - ID of existing model specs. With O(state=present), specs with this ID must exist.
      - One of O(id) and O(model) is required.
    type: str
  model:
    description:
      - Name of the model, for example V(acme/llama-3-8b-support). M(castai.ai_optimizer.hosted_model) finds the specs by
        this name (its O(castai.ai_optimizer.hosted_model#module:model) option). Fixed at create.
      - Without O(id), the specs are found by this name and the registry. When more than one matches, the module fails
        and lists their IDs; use O(id).
    type: str
  hugging_face:
    description:
      - A model from Hugging Face. Cannot be combined with O(private_registry). Fixed at create.
    type: dict
    suboptions:
      model_name:
        description: The model's Hugging Face name, such as V(Qwen/Qwen2.5-7B-Instruct). Required to create.
        type: str
      terms_and_conditions:
        description: The model's terms and conditions on Hugging Face. Required to create.
        type: dict
        suboptions:
          acceptance_required:
            description: Whether the terms must be accepted on Hugging Face before the model can be pulled.
            type: bool
            required: true
          uri:
            description: The Hugging Face page where the terms are accepted.
            type: str
  private_registry:
    description:
      - A private model in a model registry. Cannot be combined with O(hugging_face). Fixed at create.
    type: dict
    suboptions:
      registry_id:
        description: ID of the model registry. Required to create.
        type: str
      base_model_id:
        description:
          - The registry's directory that holds the model, a C(name) of
            RV(castai.ai_optimizer.model_registries_info#module:model_registries[].directories). Required to create.
        type: str
      lora_adapter:
        description: Whether the directory holds a LoRA adapter rather than a full model.
        type: bool
  description:
    description: A description of the model. Fixed at create.
    type: str
  modalities:
    description: What the model takes and gives, such as V(text), V(image) or V(audio). Fixed at create.
    type: list
    elements: str
  quantization:
    description: The quantization of the weights, such as V(fp8). Fixed at create.
    type: str
  type:
    description: The kind of model, such as V(chat), V(embeddings), V(completion) or V(audio_transcription). Fixed at
      create.
    type: str
  routable:
    description: Whether the AI Optimizer router may send requests to the model. Fixed at create.
    type: bool
  recreate:
    description:
      - When an option you set differs from the specs, delete them, wait until they are gone, and create them again
        with the options merged over their current fields.
      - Without it, such a difference fails the task and nothing is changed.
    type: bool
    default: false
  wait:
    description:
      - After a create, and for a private model still V(VALIDATING), wait until it is V(ACTIVE). V(ERROR) fails the
        task at once with the status reason (also for existing specs in V(ERROR)). Hugging Face specs have no status
        and never wait.
      - With O(state=absent), wait until the API no longer returns the specs.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait before failing; the message names the last status seen.
    type: int
    default: 600
  wait_sleep:
    description:
      - Seconds between two reads of the specs while waiting.
      - On a long wait the pause grows after the sixth read, by half each time, up to four times this value, so a
        long deploy is not read every few seconds.
    type: float
    default: 5
notes:
  - The API fills in RV(model_spec.hardware_specs) and RV(model_spec.tokens_per_second), so they are not options.
  - That a private model turns V(ACTIVE) only once its registry is V(ACTIVE) and lists O(private_registry.base_model_id)
    among its directories, and that the API refuses to delete specs a hosted model uses, are assumptions the bundled
    simulator makes; the API's contract does not state them.
seealso:
  - module: castai.ai_optimizer.model_specs_info
  - module: castai.ai_optimizer.model_registry
  - module: castai.ai_optimizer.hosted_model
"""

EXAMPLES = r"""
- name: Describe a fine-tuned model kept in a registry, and wait until CAST AI has validated it
  castai.ai_optimizer.model_spec:
    model: acme/llama-3-8b-support
    private_registry:
      registry_id: "{{ registry.model_registry.id }}"
      base_model_id: llama-3-8b-ft
    type: chat
    description: Llama 3 8B tuned on our support tickets
  register: spec

- name: Describe a Hugging Face model
  castai.ai_optimizer.model_spec:
    model: HuggingFaceTB/SmolLM2-1.7B-Instruct
    hugging_face:
      model_name: HuggingFaceTB/SmolLM2-1.7B-Instruct
      terms_and_conditions:
        acceptance_required: false

- name: Change the description, which the API cannot update, by replacing the specs
  castai.ai_optimizer.model_spec:
    model: acme/llama-3-8b-support
    private_registry:
      registry_id: "{{ registry.model_registry.id }}"
    description: Llama 3 8B tuned on support tickets, 2025 edition
    recreate: true
  register: spec

- name: Delete the specs
  castai.ai_optimizer.model_spec:
    id: "{{ spec.model_spec.id }}"
    state: absent
"""

RETURN = r"""
organization_id:
  description: The organization the specs belong to.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
model_spec:
  description:
    - The model specs, every field of the API's C(ModelSpecs) in snake_case.
    - After a wait, the state last read. In check mode, the specs as the task would create them.
    - V(null) with O(state=absent).
  returned: always
  type: dict
  sample:
    id: 5b2e7c1a-3d4f-4a6b-8c9d-0e1f2a3b4c5d
    model: acme/llama-3-8b-support
    registry_type: PRIVATE
    private_registry:
      registry_id: 0f3c5a9e-1b2d-4e6f-8a7b-9c0d1e2f3a4b
      base_model_id: llama-3-8b-ft
      lora_adapter: false
      status: ACTIVE
      status_reason: null
    hugging_face: null
    hardware_specs:
      cpu: 4
      memory_mib: 16384
      regions:
        - {cloud: AWS, name: us-east-1, type: CLUSTER, instance_type: g6.xlarge, gpu_name: nvidia-l4, gpu_count: 1,
           cpu: 4, memory_mib: 16384, price_per_hour: "0.8048"}
        - {cloud: GCP, name: us-central1, type: CLUSTER, instance_type: g2-standard-8, gpu_name: nvidia-l4,
           gpu_count: 1, cpu: 8, memory_mib: 32768, price_per_hour: "0.8536"}
    tokens_per_second: 90
    description: Llama 3 8B tuned on our support tickets
    modalities: [text]
    quantization: null
    type: chat
    routable: false
    create_time: "2025-03-01T10:05:00Z"
    update_time: "2025-03-01T10:05:30Z"
  contains:
    id:
      description: ID of the model specs, the O(castai.ai_optimizer.hosted_model#module:model_specs_id) of a hosted model.
      type: str
      sample: 5b2e7c1a-3d4f-4a6b-8c9d-0e1f2a3b4c5d
    model:
      description: Name of the model.
      type: str
      sample: acme/llama-3-8b-support
    registry_type:
      description: V(PRIVATE) or V(HUGGING_FACE).
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
      sample: chat
    routable:
      description: Whether the router may send requests to the model.
      type: bool
    create_time:
      description: When the specs were created (RFC 3339).
      type: str
    update_time:
      description: When the specs last changed (RFC 3339).
      type: str
recreated:
  description: Whether the specs were (or in check mode would be) deleted and created again because of O(recreate).
  returned: always
  type: bool
  sample: false
changed_fields:
  description:
    - Dotted paths of the options you set whose values differ from the specs (on a create, every option you set; on a
      delete, none). Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [description]
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._catalog import Replaceable, text_errors, wait_spec
from ..module_utils._checks import path_id_error, wait_errors
from ..module_utils._generated.model_specs import ModelSpecs
from ..module_utils._generated.model_specs_schema import SCHEMAS
from ..module_utils._generated.operations import (
    MODEL_SPECS_API_CREATE_MODEL_SPECS,
    MODEL_SPECS_API_DELETE_MODEL_SPECS,
    MODEL_SPECS_API_GET_MODEL_SPECS,
    MODEL_SPECS_API_LIST_MODEL_SPECS,
)
from ..module_utils._module import CastAIModule
from ..module_utils._resource import run

INPUTS = (
    "model",
    "registry_type",
    "hugging_face",
    "private_registry",
    "description",
    "modalities",
    "quantization",
    "type",
    "routable",
)


class Spec(Replaceable):
    noun = "model specs"
    plural = "model specs"
    any_one = "model specs"
    result_key = "model_spec"
    managed = INPUTS
    read_only = ("private_registry.status", "private_registry.status_reason")
    model, schemas, schema = ModelSpecs, SCHEMAS, "ModelSpecs"
    operations = dict(
        get=MODEL_SPECS_API_GET_MODEL_SPECS,
        list=MODEL_SPECS_API_LIST_MODEL_SPECS,
        create=MODEL_SPECS_API_CREATE_MODEL_SPECS,
        delete=MODEL_SPECS_API_DELETE_MODEL_SPECS,
    )

    def desired(self):
        desired = super().desired()
        desired["registry_type"] = (
            "PRIVATE" if self.params["private_registry"] else ("HUGGING_FACE" if self.params["hugging_face"] else None)
        )
        return desired

    def list_query(self):
        registry = self.params["private_registry"] or {}
        return {"registryType": self.desired()["registry_type"], "registryId": registry.get("registry_id")}

    def is_mine(self, obj):
        registry_type = self.desired()["registry_type"]
        registry_id = (self.params["private_registry"] or {}).get("registry_id")
        same_registry = registry_id in (None, (obj["private_registry"] or {}).get("registry_id"))
        return all((obj["model"] == self.params["model"], registry_type in (None, obj["registry_type"]), same_registry))

    def key(self):
        registry = (self.params["private_registry"] or {}).get("registry_id")
        return "%r%s" % (
            self.params["model"] or self.params["id"],
            " in model registry %s" % registry
            if registry
            else " from Hugging Face"
            if self.params["hugging_face"]
            else "",
        )

    def create_errors(self, body):
        if not body.get("registry_type"):
            return ["creating model specs needs hugging_face or private_registry"]
        return super().create_errors(body)

    def status_of(self, obj):
        private = obj.get("private_registry")
        return (private["status"], private["status_reason"]) if private else (self.goal, None)


def main():
    module = CastAIModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            id=dict(type="str"),
            model=dict(type="str"),
            hugging_face=dict(
                type="dict",
                options=dict(
                    model_name=dict(type="str"),
                    terms_and_conditions=dict(
                        type="dict",
                        options=dict(
                            acceptance_required=dict(type="bool", required=True),
                            uri=dict(type="str"),
                        ),
                    ),
                ),
            ),
            private_registry=dict(
                type="dict",
                options=dict(
                    registry_id=dict(type="str"),
                    base_model_id=dict(type="str"),
                    lora_adapter=dict(type="bool"),
                ),
            ),
            description=dict(type="str"),
            modalities=dict(type="list", elements="str"),
            quantization=dict(type="str"),
            type=dict(type="str"),
            routable=dict(type="bool"),
            **wait_spec(),
        ),
        required_one_of=[("id", "model")],
        mutually_exclusive=[("hugging_face", "private_registry")],
        path_ids=("id",),
    )
    params = module.params
    registry = params["private_registry"] or {}
    errors = text_errors("model", params["model"]) + text_errors(
        "private_registry.base_model_id", registry.get("base_model_id")
    )
    errors += text_errors("hugging_face.model_name", (params["hugging_face"] or {}).get("model_name"))
    errors += [e for e in [path_id_error("private_registry.registry_id", registry.get("registry_id"))] if e]
    errors += wait_errors(params)
    if errors:
        module.fail_json(msg="; ".join(errors))
    run(Spec(module))


if __name__ == "__main__":
    main()
