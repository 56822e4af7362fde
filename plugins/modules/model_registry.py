#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: model_registry
short_description: Connect a private bucket of model weights (a model registry) to CAST AI AI Optimizer
version_added: 1.0.0
description:
  - Creates or deletes a model registry, a Google Cloud Storage or Amazon S3 bucket (or a prefix in one) that holds
    the weights of private models, and by default waits until CAST AI can read it (status V(ACTIVE)).
  - The registry is found by O(id), or else by its bucket, that is O(provider.type), the bucket and the prefix. That
    adopts a registry created elsewhere (the console, Terraform).
  - The API cannot update a registry. When an option you set differs from the registry, the task fails and names the
    fields, unless O(recreate=true), which deletes the registry and creates it again (with a new ID).
  - Before CAST AI can read a bucket, its owner grants access with the onboarding command that
    M(castai.ai_optimizer.model_registries_info) returns for O(castai.ai_optimizer.model_registries_info#module:onboarding_provider).
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
attributes:
  check_mode:
    description:
      - Check mode reads the registry (or the list) but never creates or deletes, and never waits.
      - It reports C(changed) as a real run would, and returns the registry as it would be created (fields the API
        fills in, such as RV(model_registry.id) and RV(model_registry.status), are V(null)).
    support: full
  diff_mode:
    description:
      - Shows the options you set (every field of the registry when it is deleted), before and after.
      - The credentials are never shown; when the task sends them, the diff shows V(<hidden>) in their place.
    support: full
options:
  state:
    description:
      - V(present) creates the registry when it does not exist.
      - V(absent) deletes it. A registry that does not exist is not a change. The API refuses to delete a registry
        that model specs use; delete them first (M(castai.ai_optimizer.model_spec)).
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - ID of an existing registry. With O(state=present), a registry with this ID must exist.
      - One of O(id) and O(provider) is required.
    type: str
  provider:
    description:
      - Where the weights are. Fixed at create.
      - Without O(id), the registry is found by O(provider.type), the bucket and the prefix. When more than one
        registry matches, the module fails and lists their IDs; use O(id).
    type: dict
    suboptions:
      type:
        description: The cloud storage, V(GCS) with O(provider.gcs) or V(S3) with O(provider.s3).
        type: str
        required: true
        choices: [GCS, S3]
      gcs:
        description: The Google Cloud Storage bucket. Required with O(provider.type=GCS), refused with V(S3).
        type: dict
        suboptions:
          bucket:
            description: Name of the bucket.
            type: str
            required: true
          prefix:
            description: Folder in the bucket that holds the models. Unset and V("") are the same (the whole bucket).
            type: str
          service_account:
            description: The service account that the onboarding script created.
            type: str
      s3:
        description: The Amazon S3 bucket. Required with O(provider.type=S3), refused with V(GCS).
        type: dict
        suboptions:
          bucket:
            description: Name of the bucket.
            type: str
            required: true
          prefix:
            description: Folder in the bucket that holds the models. Unset and V("") are the same (the whole bucket).
            type: str
          region:
            description: AWS region of the bucket.
            type: str
            required: true
          user_name:
            description: The IAM user that the onboarding script created.
            type: str
  credentials:
    description:
      - Credentials CAST AI uses to read the bucket, for example the key file of a GCP service account. A dictionary,
        or its JSON text (such as V({{ lookup('ansible.builtin.file', 'key.json') }})).
      - Write-only. The API never returns them, so they are never compared; see O(update_credentials). They never
        appear in the result, the diff, warnings or errors.
      - Ansible hides the whole document in the task's output. Of a dictionary's values it also hides those under
        names that hold secrets (containing C(key), C(secret), C(token), C(password) or C(credential), such as
        C(private_key)), but not ordinary words such as C(service_account) or a project ID, which would otherwise be
        hidden wherever they appear, also in bucket and field names.
    type: raw
  update_credentials:
    description:
      - When to send O(credentials) to an existing registry. The API cannot update a registry, so sending them means
        replacing it.
      - V(on_create) sends them only when the registry is created (or replaced because another field changed).
      - V(always) replaces the registry on every run that sets O(credentials), which reports a change every time and
        gives the registry a new ID. It needs O(recreate=true).
    type: str
    choices: [on_create, always]
    default: on_create
  recreate:
    description:
      - When an option you set differs from the registry (or O(update_credentials=always)), delete the registry, wait
        until it is gone, and create it again with the options merged over its current settings.
      - The credentials are never read back; give O(credentials) again when the bucket needs them.
      - Without it, such a difference fails the task and nothing is changed.
    type: bool
    default: false
  wait:
    description:
      - After a create, and for a registry that is still onboarding, wait until it is V(ACTIVE). V(ERROR) fails the
        task at once with the status reason (also for an existing registry in V(ERROR)).
      - With O(state=absent), wait until the API no longer returns the registry.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait before failing; the message names the last status seen.
    type: int
    default: 600
  wait_sleep:
    description:
      - Seconds between two reads of the registry while waiting.
      - On a long wait the pause grows after the sixth read, by half each time, up to four times this value, so a
        long deploy is not read every few seconds.
    type: float
    default: 5
notes:
  - That the API refuses a second registry for the same type, bucket and prefix (HTTP 409), refuses to delete a
    registry that model specs use, and that a new registry is V(ONBOARDING) until CAST AI can read the bucket, are
    assumptions the bundled simulator makes; the API's contract does not state them.
seealso:
  - module: castai.ai_optimizer.model_registries_info
  - module: castai.ai_optimizer.model_spec
"""

EXAMPLES = r"""
- name: Connect a GCS bucket of fine-tuned models and wait until CAST AI can read it
  castai.ai_optimizer.model_registry:
    provider:
      type: GCS
      gcs:
        bucket: acme-models
        prefix: fine-tuned
    credentials: "{{ gcp_reader_key }}"
  register: registry

- name: Connect an S3 bucket without waiting
  castai.ai_optimizer.model_registry:
    provider:
      type: S3
      s3:
        bucket: acme-weights
        region: eu-west-1
    wait: false

- name: Rotate the credentials of the GCS registry (replaces it, with a new ID; its specs must be deleted first)
  castai.ai_optimizer.model_registry:
    provider:
      type: GCS
      gcs:
        bucket: acme-models
        prefix: fine-tuned
    credentials: "{{ gcp_reader_key_new }}"
    update_credentials: always
    recreate: true
  register: registry

- name: Remove a registry by ID
  castai.ai_optimizer.model_registry:
    id: "{{ registry.model_registry.id }}"
    state: absent
"""

RETURN = r"""
organization_id:
  description: The organization the registry belongs to.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
model_registry:
  description:
    - The registry, every field of the API's C(ModelRegistry) in snake_case except the write-only credentials.
    - After a wait, the state last read. In check mode, the registry as the task would create it.
    - V(null) with O(state=absent).
  returned: always
  type: dict
  sample:
    id: 0f3c5a9e-1b2d-4e6f-8a7b-9c0d1e2f3a4b
    provider:
      type: GCS
      gcs: {bucket: acme-models, prefix: fine-tuned, service_account: null}
      s3: null
    status: ACTIVE
    status_reason: null
    create_time: "2025-03-01T10:00:00Z"
    update_time: "2025-03-01T10:00:05Z"
  contains:
    id:
      description: ID of the registry.
      type: str
      sample: 0f3c5a9e-1b2d-4e6f-8a7b-9c0d1e2f3a4b
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
      sample: ACTIVE
    status_reason:
      description: Why the registry is in its status.
      type: str
    create_time:
      description: When the registry was created (RFC 3339).
      type: str
    update_time:
      description: When the registry last changed (RFC 3339).
      type: str
recreated:
  description: Whether the registry was (or in check mode would be) deleted and created again because of O(recreate).
  returned: always
  type: bool
  sample: false
changed_fields:
  description:
    - Dotted paths of the options you set whose values differ from the registry (on a create, every option you set;
      on a delete, none), and V(credentials) when O(update_credentials=always) replaces it. Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [provider.gcs.service_account]
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._catalog import Replaceable, provider_errors, provider_spec, secret_document, wait_spec
from ..module_utils._checks import wait_errors
from ..module_utils._generated.model_registries import ModelRegistry
from ..module_utils._generated.model_registries_schema import SCHEMAS
from ..module_utils._generated.operations import (
    MODEL_REGISTRIES_API_CREATE_MODEL_REGISTRY,
    MODEL_REGISTRIES_API_DELETE_MODEL_REGISTRY,
    MODEL_REGISTRIES_API_GET_MODEL_REGISTRY,
    MODEL_REGISTRIES_API_LIST_MODEL_REGISTRIES,
)
from ..module_utils._module import CastAIModule
from ..module_utils._resource import run


def bucket(provider):
    """(type, bucket, prefix) of a provider: the registry's identity; an unset prefix is the whole bucket."""
    block = (provider or {}).get(((provider or {}).get("type") or "").lower()) or {}
    return provider["type"], block.get("bucket"), block.get("prefix") or ""


class Registry(Replaceable):
    noun = "model registry"
    plural = "model registries"
    any_one = "a model registry"
    result_key = "model_registry"
    managed = ("provider",)
    model, schemas, schema, secret = ModelRegistry, SCHEMAS, "ModelRegistry", "credentials"
    operations = dict(
        get=MODEL_REGISTRIES_API_GET_MODEL_REGISTRY,
        list=MODEL_REGISTRIES_API_LIST_MODEL_REGISTRIES,
        create=MODEL_REGISTRIES_API_CREATE_MODEL_REGISTRY,
        delete=MODEL_REGISTRIES_API_DELETE_MODEL_REGISTRY,
    )

    def __init__(self, module, credentials):
        super().__init__(module)
        self.secret_text = credentials

    def is_mine(self, obj):
        return obj["provider"] is not None and bucket(obj["provider"]) == bucket(self.params["provider"])

    def key(self):
        if self.params["provider"] is None:
            return self.params["id"]
        return "(%s bucket %r, prefix %r)" % bucket(self.params["provider"])


def main():
    module = CastAIModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            id=dict(type="str"),
            provider=provider_spec(),
            credentials=dict(type="raw", no_log=True),
            update_credentials=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
            **wait_spec(),
        ),
        required_one_of=[("id", "provider")],
        path_ids=("id",),
    )
    params = module.params
    credentials, error = secret_document(module, "credentials")
    errors = provider_errors("provider", params["provider"]) + wait_errors(params) + ([error] if error else [])
    if params["update_credentials"] == "always" and credentials is not None and not params["recreate"]:
        errors.append(
            "update_credentials=always needs recreate=true: the API cannot update a registry, so new "
            "credentials mean deleting it and creating it again"
        )
    if errors:
        module.fail_json(msg="; ".join(errors))
    run(Registry(module, credentials))


if __name__ == "__main__":
    main()
