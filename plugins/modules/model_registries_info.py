#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: model_registries_info
short_description: List the model registries of CAST AI AI Optimizer, their directories, and the onboarding command
version_added: 1.0.0
description:
  - Lists the organization's model registries (buckets of private model weights), reading every page, or one registry
    by O(id).
  - With O(include_directories), adds each registry's directories (every page), the models it holds, and whether model
    specs use them.
  - With O(onboarding_provider), returns the shell command that grants CAST AI read access to a bucket, to hand to the
    bucket's owner or to run, and with O(include_onboarding_script) the script it runs.
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
  - castai.ai_optimizer.attributes.info
options:
  id:
    description: Only the registry with this ID (one read instead of the list); an empty list when it does not exist.
    type: str
  include_directories:
    description:
      - Add each registry's directories under RV(model_registries[].directories), reading every page.
      - Costs at least one extra request per registry.
    type: bool
    default: false
  onboarding_provider:
    description:
      - The bucket to return the onboarding command for, in RV(onboarding_command). The same settings as
        O(castai.ai_optimizer.model_registry#module:provider).
    type: dict
    suboptions:
      type:
        description: The cloud storage, V(GCS) with O(onboarding_provider.gcs) or V(S3) with O(onboarding_provider.s3).
        type: str
        required: true
        choices: [GCS, S3]
      gcs:
        description: The Google Cloud Storage bucket.
        type: dict
        suboptions:
          bucket:
            description: Name of the bucket.
            type: str
            required: true
          prefix:
            description: Folder in the bucket that holds the models.
            type: str
          service_account:
            description: A service account to use.
            type: str
      s3:
        description: The Amazon S3 bucket.
        type: dict
        suboptions:
          bucket:
            description: Name of the bucket.
            type: str
            required: true
          prefix:
            description: Folder in the bucket that holds the models.
            type: str
          region:
            description: AWS region of the bucket.
            type: str
            required: true
          user_name:
            description: An IAM user to use.
            type: str
  include_onboarding_script:
    description: Also return the script the onboarding command runs, in RV(onboarding_script). Needs O(onboarding_provider).
    type: bool
    default: false
notes:
  - A registry whose directories the API refuses to list because of its status (HTTP 400 C(FAILED_PRECONDITION), which
    the bundled simulator answers until a registry is V(ACTIVE), an assumption) gets RV(model_registries[].directories)
    V(null).
seealso:
  - module: castai.ai_optimizer.model_registry
  - module: castai.ai_optimizer.model_spec
"""

EXAMPLES = r"""
- name: List every model registry
  castai.ai_optimizer.model_registries_info:
  register: registries

- name: List the models in one registry
  castai.ai_optimizer.model_registries_info:
    id: "{{ registry_id }}"
    include_directories: true
  register: found

- name: Show the directories no model specs use yet
  ansible.builtin.debug:
    msg: "{{ found.model_registries[0].directories | rejectattr('registered') | map(attribute='name') | list }}"

- name: Get the command that grants CAST AI read access to a bucket
  castai.ai_optimizer.model_registries_info:
    onboarding_provider:
      type: S3
      s3:
        bucket: acme-weights
        region: eu-west-1
  register: onboarding

- name: Show it to the bucket's owner
  ansible.builtin.debug:
    msg: "{{ onboarding.onboarding_command }}"
"""

RETURN = r"""
organization_id:
  description: The organization that was listed.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
model_registries:
  description: The registries, every field of the API's C(ModelRegistry) in snake_case; never the credentials.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0f3c5a9e-1b2d-4e6f-8a7b-9c0d1e2f3a4b
      provider: {type: GCS, gcs: {bucket: acme-models, prefix: fine-tuned, service_account: null}, s3: null}
      status: ACTIVE
      status_reason: null
      create_time: "2025-03-01T10:00:00Z"
      update_time: "2025-03-01T10:00:05Z"
  contains:
    id:
      description: ID of the registry.
      type: str
    provider:
      description: The bucket that holds the models.
      type: dict
      contains:
        type:
          description: V(GCS) or V(S3) (V(PROVIDER_TYPE_UNSPECIFIED) when the API does not say).
          type: str
          sample: GCS
        gcs:
          description: The Google Cloud Storage bucket; null for an S3 registry.
          type: dict
          contains:
            bucket:
              description: Name of the bucket.
              type: str
              sample: acme-models
            prefix:
              description: Path within the bucket, null for the whole bucket.
              type: str
              sample: fine-tuned
            service_account:
              description: Email of the service account the onboarding script created, null until there is one.
              type: str
        s3:
          description: The AWS S3 bucket; null for a GCS registry.
          type: dict
          contains:
            bucket:
              description: Name of the bucket.
              type: str
              sample: acme-weights
            prefix:
              description: Path within the bucket, null for the whole bucket.
              type: str
            region:
              description: AWS region of the bucket.
              type: str
              sample: eu-west-1
            user_name:
              description: Name of the IAM user the onboarding script created, null until there is one.
              type: str
    status:
      description: V(ONBOARDING), V(ACTIVE) or V(ERROR).
      type: str
    status_reason:
      description: Why the registry is in its status.
      type: str
    create_time:
      description: When the registry was created (RFC 3339).
      type: str
    update_time:
      description: When the registry last changed (RFC 3339).
      type: str
    directories:
      description:
        - The registry's directories, each with V(name) (the O(castai.ai_optimizer.model_spec#module:private_registry.base_model_id)
          of a model) and V(registered) (whether model specs use it).
        - V(null) when the API does not list them in the registry's status.
      returned: when O(include_directories=true)
      type: list
      elements: dict
      sample:
        - {name: llama-3-8b-ft, registered: true}
        - {name: mistral-7b-lora, registered: false}
      contains:
        name:
          description: Name of the directory, the
            O(castai.ai_optimizer.model_spec#module:private_registry.base_model_id) of a model.
          type: str
          sample: llama-3-8b-ft
        registered:
          description: Whether model specs of the organization use this directory.
          type: bool
          sample: true
onboarding_command:
  description: The shell command that grants CAST AI read access to the bucket of O(onboarding_provider).
  returned: when O(onboarding_provider) is set
  type: str
  sample: >-
    curl -fsSL -H "X-API-Key: $CASTAI_API_TOKEN" '...' | BUCKET=acme-weights PREFIX='' REGION=eu-west-1 bash
onboarding_script:
  description: The script the onboarding command runs.
  returned: when O(include_onboarding_script=true)
  type: str
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._catalog import provider_errors, provider_spec, query_of, without_secret
from ..module_utils._client import APIError
from ..module_utils._generated.model_registries import (
    GetOnboardingCommandResponse,
    GetOnboardingScriptResponse,
    ModelRegistry,
    ModelRegistryDirectory,
)
from ..module_utils._generated.model_registries_schema import SCHEMAS
from ..module_utils._generated.operations import (
    MODEL_REGISTRIES_API_GET_MODEL_REGISTRY,
    MODEL_REGISTRIES_API_GET_ONBOARDING_COMMAND,
    MODEL_REGISTRIES_API_GET_ONBOARDING_SCRIPT,
    MODEL_REGISTRIES_API_LIST_MODEL_REGISTRIES,
    MODEL_REGISTRIES_API_LIST_MODEL_REGISTRY_DIRECTORIES,
)
from ..module_utils._module import CastAIModule

FAILED_PRECONDITION = 9


def registry(module, item, action):
    return without_secret(module.parse(ModelRegistry, item, action, needs=("id",)), "credentials")


def directories(module, path, registry_id):
    """Every directory of a registry, or None when the API will not list them in the registry's status."""
    action = "list directories of model registry %s" % registry_id
    try:
        items = list(
            module.client.paginate(
                MODEL_REGISTRIES_API_LIST_MODEL_REGISTRY_DIRECTORIES, dict(path, modelRegistryId=registry_id)
            )
        )
    except APIError as exc:
        if exc.status == 400 and exc.code == FAILED_PRECONDITION:
            return None
        module.fail_api(action, exc)
    return [module.parse(ModelRegistryDirectory, item, action, needs=("name",)) for item in items]


def main():
    module = CastAIModule(
        argument_spec=dict(
            id=dict(type="str"),
            include_directories=dict(type="bool", default=False),
            onboarding_provider=provider_spec(),
            include_onboarding_script=dict(type="bool", default=False),
        ),
        path_ids=("id",),
    )
    params = module.params
    errors = provider_errors("onboarding_provider", params["onboarding_provider"])
    if params["include_onboarding_script"] and not params["onboarding_provider"]:
        errors.append("include_onboarding_script needs onboarding_provider (the script depends on its type)")
    if errors:
        module.fail_json(msg="; ".join(errors))

    path = {"organizationId": module.organization_id}
    result = {"organization_id": path["organizationId"]}
    if params["id"]:
        action = "read model registry %s" % params["id"]
        answer = module.call_or_none(action, MODEL_REGISTRIES_API_GET_MODEL_REGISTRY, dict(path, id=params["id"]))
        registries = [] if answer is None else [registry(module, answer, action)]
    else:
        action = "list model registries"
        listed = module.each(action, ModelRegistry, MODEL_REGISTRIES_API_LIST_MODEL_REGISTRIES, path, needs=("id",))
        registries = [without_secret(item, "credentials") for item in listed]
    if params["include_directories"]:
        for found in registries:
            found["directories"] = directories(module, path, found["id"])
    provider = params["onboarding_provider"]
    if provider:
        action = "get the onboarding command for %s bucket %s" % (
            provider["type"],
            provider[provider["type"].lower()]["bucket"],
        )
        answer = module.call(
            action,
            MODEL_REGISTRIES_API_GET_ONBOARDING_COMMAND,
            path,
            query_of(SCHEMAS, "Provider", provider, "provider"),
        )
        result["onboarding_command"] = module.parse(GetOnboardingCommandResponse, answer, action, needs=("command",))[
            "command"
        ]
    if params["include_onboarding_script"]:
        action = "get the onboarding script for %s" % provider["type"]
        answer = module.call(
            action, MODEL_REGISTRIES_API_GET_ONBOARDING_SCRIPT, path, {"providerType": provider["type"]}
        )
        result["onboarding_script"] = module.parse(GetOnboardingScriptResponse, answer, action, needs=("script",))[
            "script"
        ]
    module.exit_with(changed=False, model_registries=registries, **result)


if __name__ == "__main__":
    main()
