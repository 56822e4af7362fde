#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: hosted_model
short_description: Deploy, update, scale and remove a self-hosted LLM (hosted model) on a CAST AI cluster
version_added: 1.0.0
description:
  - Creates a hosted model, updates the fields the API can change, scales it, or deletes it, and by default waits until
    the model is running (or gone).
  - The API has no read by ID, so the module lists the cluster's hosted models (every page) and matches by O(id), or by
    O(service) to adopt a model created elsewhere.
  - Only the options you set are compared and sent. Options left unset keep the model's current values. Nested options
    are compared field by field; when one nested field changes, the module sends the whole nested object with the
    current values of the fields you did not set, because the API requires them.
  - O(model_specs_id), O(service) and O(port) are fixed at create. A task that asks for another value fails and names
    the field, unless O(recreate=true), which deletes the model and creates it again.
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
attributes:
  check_mode:
    description:
      - Check mode reads the cluster's hosted models but never creates, updates, scales or deletes, and never waits.
      - It reports C(changed) as a real run would, and returns the model as it would look after the change.
    support: full
  diff_mode:
    description:
      - Shows the managed fields (the options of this module) before and after. A Hugging Face token is never shown;
        when one would be sent, the diff shows V(<hidden>) in its place.
    support: full
options:
  state:
    description:
      - V(present) creates the model when it does not exist, otherwise updates and scales it to match the options.
      - V(absent) deletes the model. A model that does not exist, or is already being deleted, is not a change.
    type: str
    choices: [present, absent]
    default: present
  cluster_id:
    description: ID of the Kubernetes cluster the model runs on.
    type: str
    required: true
  id:
    description:
      - ID of an existing hosted model. It identifies the model; O(service) is then compared like any fixed field.
      - With O(state=present), a model with this ID must exist. To create a model, leave O(id) out and set O(service).
      - One of O(id) and O(service) is required.
    type: str
  service:
    description:
      - Name of the Kubernetes Service of the deployment, a DNS-1035 label. Fixed at create.
      - Without O(id), the model is found by this name. That adopts a model created elsewhere (the console, Terraform).
        When more than one model of the cluster has this service name, the module fails and lists their IDs; use O(id).
      - Required to create a model.
    type: str
  model_specs_id:
    description:
      - ID of the model specs to deploy (a predefined CAST AI spec or a custom one). Fixed at create.
      - This or O(model) is required to create a model. Cannot be combined with O(model).
    type: str
  model:
    description:
      - Name of the model to deploy, such as V(Qwen/Qwen2.5-7B-Instruct) or the O(castai.ai_optimizer.model_spec#module:model)
        of a private model. The module lists the model specs (every page) and deploys the one whose name this is, as
        if O(model_specs_id) were its ID.
      - When no model specs or more than one have this name, the task fails before any write and lists the candidates;
        use O(model_specs_id) then. M(castai.ai_optimizer.model_specs_info) lists them all.
      - Read with O(state=present) only. Cannot be combined with O(model_specs_id).
    type: str
  port:
    description:
      - Port the model is exposed on, 1 to 65535. Fixed at create.
      - Required to create a model.
    type: int
  node_template_name:
    description: Node template for the model's nodes. Changing it restarts the model.
    type: str
  vllm_config:
    description:
      - vLLM settings. The options O(vllm_config.secret_name) and O(vllm_config.hugging_face_token) are mutually
        exclusive.
      - This object is sent whole (not merged with the current one), so switching from a secret to a token, or back,
        works.
    type: dict
    suboptions:
      secret_name:
        description: Name of a Kubernetes Secret in the model's namespace that holds the Hugging Face token.
        type: str
      hugging_face_token:
        description:
          - Hugging Face token to pull gated models.
          - The API never returns it, so a changed token cannot be detected; see O(update_hugging_face_token).
        type: str
  update_hugging_face_token:
    description:
      - When to send O(vllm_config.hugging_face_token) to an existing model.
      - V(on_create) sends it on create, and on update only when the model uses a secret now (a switch to a token).
      - V(always) sends it on every run, which restarts the model and reports a change every time.
    type: str
    choices: [on_create, always]
    default: on_create
  horizontal_autoscaling:
    description:
      - Horizontal autoscaling (vLLM models only). To turn it on for a model that has never had it, set every suboption.
      - Cannot be combined with O(replicas) while autoscaling is enabled.
    type: dict
    suboptions:
      enabled:
        description: Whether the model scales by itself.
        type: bool
      min_replicas:
        description: Fewest replicas, 0 or more. Not greater than O(horizontal_autoscaling.max_replicas).
        type: int
      max_replicas:
        description: Most replicas, 1 or more.
        type: int
      target_metric:
        description: Metric that drives scaling.
        type: str
        choices: [GPU_CACHE_USAGE_PERCENTAGE, NUMBER_OF_REQUESTS_WAITING]
      target_value:
        description:
          - Value of O(horizontal_autoscaling.target_metric) to keep. The API stores it as a 32-bit float, so values
            are compared with a relative tolerance of 1e-6.
        type: float
  hibernation:
    description:
      - Automatic hibernation when idle and resumption when requests arrive. To turn it on for a model that has never
        had it, set both conditions with their durations.
    type: dict
    suboptions:
      enabled:
        description: Whether the model hibernates by itself.
        type: bool
      hibernate_condition:
        description: When to hibernate.
        type: dict
        suboptions:
          duration:
            description:
              - Window to look at, as the API writes durations, in seconds with an C(s) suffix, for example V(1800s)
                or V(0.5s). Forms such as V(30m) are rejected before any API call.
            type: str
          request_count:
            description: Number of requests within O(hibernation.hibernate_condition.duration), 0 or more.
            type: int
      resume_condition:
        description: When to resume.
        type: dict
        suboptions:
          duration:
            description: Window to look at, in seconds with an C(s) suffix, for example V(60s).
            type: str
          request_count:
            description: Number of requests within O(hibernation.resume_condition.duration), 0 or more.
            type: int
  fallback:
    description: Model to route to while this one is not available.
    type: dict
    suboptions:
      enabled:
        description: Whether to fall back.
        type: bool
      provider_id:
        description: ID of the provider of the fallback model.
        type: str
      model:
        description: Name of the fallback model.
        type: str
  edge_locations:
    description:
      - IDs of the edge locations the model can be deployed to (the API's C(edgeLocations.ids)).
      - Compared as a set; V([]) removes every edge location.
    type: list
    elements: str
  replicas:
    description:
      - Number of replicas to run, 0 or more. When it differs from the current count, the module calls the scale
        endpoint. V(0) hibernates the model.
      - Before scaling, the module waits for a model that is deploying or restarting to settle, because the API
        cannot scale it then (this wait happens even with O(wait=false)).
      - Cannot be combined with enabled O(horizontal_autoscaling).
    type: int
  recreate:
    description:
      - When a field fixed at create (O(model_specs_id), O(service), O(port)) differs, delete the model, wait until it
        is gone, and create it again with the options merged over the current settings.
      - The Hugging Face token is never read back; give O(vllm_config) again when the model uses one.
      - Without it, such a difference fails the task and nothing is changed.
    type: bool
    default: false
  wait:
    description:
      - After a create, update or scale, wait until the model is V(RUNNING) (V(HIBERNATED) also counts when
        hibernation is enabled or O(replicas=0)). V(FAILED) fails the task at once with the status reason and the
        latest pod events, and so does V(STOPPED) (unless O(replicas=0)), because a stopped model does not start by
        itself.
      - V(WARNING) counts as running, and the task warns with the status reason. The model serves, so failing would
        make a deploy flaky on a passing problem. This reading of V(WARNING) and V(STOPPED) is an assumption; the
        API's contract only lists the statuses.
      - With O(state=present) and nothing to change, the module still waits when the model is in a transitional
        status (deploying, scaling, restarting, resuming, hibernating).
      - With O(state=absent), wait until the model is gone from the API.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait before failing; the message names the last status seen.
    type: int
    default: 1800
  wait_sleep:
    description:
      - Seconds between two reads of the model while waiting.
      - On a long wait the pause grows after the sixth read, by half each time, up to four times this value, so a
        long deploy is not read every few seconds.
    type: float
    default: 10
notes:
  - The API may answer a create while the model is still V(DEPLOYING); without O(wait), the task returns then.
  - When the API answers HTTP 409 to a create (another run created the same service meanwhile), the module reads
    the list again and adopts that model when its fixed fields match the task, then updates it like an existing one.
    Otherwise it fails and names the other model. That the API answers 409 there is an assumption.
  - When the API answers 404 for the cluster's list of hosted models, the module takes the cluster as gone, as
    CAST AI's Terraform provider does. O(state=absent) then succeeds unchanged, and O(state=present) fails with
    "cluster not found".
  - A hibernation condition's O(hibernation.hibernate_condition.request_count) of V(0) means no request condition
    and is not sent, as in CAST AI's Terraform provider.
  - Fields the API omits (proto3 JSON leaves out V(false), V(0) and empty values) count as those zero values, so
    O(hibernation.enabled=false) matches a model without hibernation settings.
seealso:
  - module: castai.ai_optimizer.hosted_models_info
  - module: castai.ai_optimizer.model_specs_info
"""

EXAMPLES = r"""
- name: Deploy a model and wait until it is running
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: llama-chat
    model_specs_id: "{{ llama_specs_id }}"
    port: 8080
    node_template_name: gpu-l4
    vllm_config:
      secret_name: hf-token
  register: llama

- name: Deploy a model by its name and print where applications in the cluster reach it
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: qwen-chat
    model: Qwen/Qwen2.5-7B-Instruct
    port: 8080
  register: qwen

- name: Show the in-cluster address
  ansible.builtin.debug:
    msg: "OPENAI_BASE_URL={{ qwen.service_address }}/v1"

- name: Deploy with a Hugging Face token instead of a secret
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: gemma-chat
    model_specs_id: "{{ gemma_specs_id }}"
    port: 8080
    vllm_config:
      hugging_face_token: "{{ vault_hf_token }}"

- name: Turn on autoscaling on queue length
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: llama-chat
    horizontal_autoscaling:
      enabled: true
      min_replicas: 1
      max_replicas: 4
      target_metric: NUMBER_OF_REQUESTS_WAITING
      target_value: 5

- name: Raise only the replica ceiling (the other autoscaling fields stay as they are)
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: llama-chat
    horizontal_autoscaling:
      max_replicas: 8

- name: Hibernate after 30 idle minutes, resume on the first request
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: llama-chat
    hibernation:
      enabled: true
      hibernate_condition:
        duration: 1800s
        request_count: 0
      resume_condition:
        duration: 60s
        request_count: 1

- name: Fall back to a hosted provider while the model is down, and allow two edge locations
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: llama-chat
    fallback:
      enabled: true
      provider_id: "{{ openai_provider_id }}"
      model: gpt-4o-mini
    edge_locations:
      - "{{ edge_location_eu }}"
      - "{{ edge_location_us }}"

- name: Scale to three replicas (autoscaling off)
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: llama-chat
    horizontal_autoscaling:
      enabled: false
    replicas: 3

- name: Adopt a model created in the console, by its service name, without waiting
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: console-made-model
    wait: false
  register: adopted

- name: Change the port, which the API fixes at create, by replacing the model
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    service: llama-chat
    port: 9000
    recreate: true
    wait_timeout: 3600
  register: llama

- name: Remove a model by ID and wait until it is gone
  castai.ai_optimizer.hosted_model:
    cluster_id: "{{ cluster_id }}"
    id: "{{ llama.hosted_model.id }}"
    state: absent
    wait_timeout: 900
    wait_sleep: 15
"""

RETURN = r"""
organization_id:
  description: The organization the model belongs to.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
hosted_model:
  description:
    - The hosted model, every field of the API's C(HostedModel) in snake_case.
    - After a wait, the state last read. In check mode, the model as the change would leave it (fields the API fills in
      are V(null) for a model that would be created).
    - V(null) with O(state=absent). The diff (under C(--diff)) shows the model as it was before the delete.
  returned: always
  type: dict
  sample:
    id: 3b1f2c8e-7d4a-4e2b-9c1d-5a6f7e8d9c0b
    organization_id: 11111111-1111-4111-8111-111111111111
    cluster_id: 5c0c2a1e-0000-4000-8000-000000000000
    model_specs_id: facf0831-08d4-5e19-b6d5-bcd2f17b0252
    model: meta-llama/Llama-3.1-8B-Instruct
    deployed_model: meta-llama/Llama-3.1-8B-Instruct
    provider: hugging_face
    provider_id: null
    type: chat
    service: llama-chat
    namespace: castai-llms
    port: 8080
    node_template_name: gpu-l4
    status: RUNNING
    status_reason: null
    current_replicas: 1
    required_gpu_memory_mib: "20480"
    cloud_provider: aws
    region: us-east-1
    helm_chart_version: 0.4.2
    create_time: "2025-01-31T08:00:00Z"
    update_time: "2025-01-31T08:02:10Z"
    vllm_config: {secret_name: hf-token, hugging_face_token: null}
    horizontal_autoscaling:
      enabled: true
      min_replicas: 1
      max_replicas: 4
      target_metric: NUMBER_OF_REQUESTS_WAITING
      target_value: 5.0
    hibernation:
      enabled: true
      hibernate_condition: {duration: 1800s, request_count: null}
      resume_condition: {duration: 60s, request_count: 1}
    fallback: {enabled: true, provider_id: openai, model: gpt-4o-mini}
    edge_locations: null
  contains:
    id:
      description: ID of the hosted model.
      type: str
      sample: 3b1f2c8e-7d4a-4e2b-9c1d-5a6f7e8d9c0b
    organization_id:
      description: Organization the model belongs to.
      type: str
    cluster_id:
      description: Cluster the model runs on.
      type: str
    model_specs_id:
      description: ID of the deployed model specs.
      type: str
    model:
      description: Name of the served model.
      type: str
      sample: meta-llama/Llama-3.1-8B-Instruct
    deployed_model:
      description: Name of the deployed model.
      type: str
    provider:
      description: Provider of the model.
      type: str
    provider_id:
      description: ID of the provider of the model.
      type: str
    type:
      description: Kind of model (V(chat), V(embeddings), ...).
      type: str
    service:
      description: Kubernetes Service name.
      type: str
      sample: llama-chat
    namespace:
      description: Kubernetes namespace of the deployment.
      type: str
    port:
      description: Port the model is exposed on.
      type: int
      sample: 8080
    node_template_name:
      description: Node template of the model's nodes.
      type: str
    status:
      description: Status of the deployment.
      type: str
      sample: RUNNING
    status_reason:
      description: Why the model is in its status.
      type: str
    current_replicas:
      description: Number of replicas running now.
      type: int
    required_gpu_memory_mib:
      description: GPU memory the model needs, in MiB (a string).
      type: str
    cloud_provider:
      description: Cloud provider of the cluster.
      type: str
    region:
      description: Region of the cluster.
      type: str
    helm_chart_version:
      description: Version of the Helm chart of the deployment.
      type: str
    create_time:
      description: When the model was created (RFC 3339).
      type: str
    update_time:
      description: When the model was last updated (RFC 3339).
      type: str
    vllm_config:
      description: vLLM settings.
      type: dict
      contains:
        secret_name:
          description: Name of the Kubernetes Secret that holds the Hugging Face token; null when the model uses a token.
          type: str
          sample: hf-token
        hugging_face_token:
          description: V(null). The token is write-only; the API never returns it.
          type: str
    horizontal_autoscaling:
      description: Horizontal autoscaling settings.
      type: dict
      contains:
        enabled:
          description: Whether the model scales by itself.
          type: bool
          sample: true
        min_replicas:
          description: Fewest replicas.
          type: int
          sample: 1
        max_replicas:
          description: Most replicas.
          type: int
          sample: 4
        target_metric:
          description: Metric that drives scaling, V(GPU_CACHE_USAGE_PERCENTAGE), V(NUMBER_OF_REQUESTS_WAITING) or
            V(AUTOSCALING_METRIC_UNSPECIFIED).
          type: str
          sample: NUMBER_OF_REQUESTS_WAITING
        target_value:
          description: Value of the target metric to keep.
          type: float
          sample: 5.0
    hibernation:
      description: Automatic hibernation when idle and resumption when requests arrive.
      type: dict
      contains:
        enabled:
          description: Whether the model hibernates by itself.
          type: bool
          sample: true
        hibernate_condition:
          description: When the model hibernates.
          type: dict
          contains:
            duration:
              description: Window looked at, in seconds with an C(s) suffix.
              type: str
              sample: 1800s
            request_count:
              description: Number of requests within the window. The API may leave out a count of 0, which then shows
                as V(null).
              type: int
              sample: 0
        resume_condition:
          description: When the model resumes.
          type: dict
          contains:
            duration:
              description: Window looked at, in seconds with an C(s) suffix.
              type: str
              sample: 60s
            request_count:
              description: Number of requests within the window. The API may leave out a count of 0, which then shows
                as V(null).
              type: int
              sample: 1
    fallback:
      description: Model the router sends requests to while this one is not available.
      type: dict
      contains:
        enabled:
          description: Whether to fall back.
          type: bool
          sample: true
        provider_id:
          description: ID of the provider of the fallback model.
          type: str
          sample: openai
        model:
          description: Name of the fallback model.
          type: str
          sample: gpt-4o-mini
    edge_locations:
      description: Edge locations the model can be deployed to.
      type: dict
      contains:
        ids:
          description: IDs of the edge locations.
          type: list
          elements: str
          sample: [eu-west-1]
service_address:
  description:
    - Where applications in the cluster reach the model, C(http://SERVICE.NAMESPACE.svc.cluster.local:PORT).
      C(cluster.local) is the default cluster domain of Kubernetes; a cluster set up with another domain uses that.
    - V(null) with O(state=absent), and while the API has not said the model's namespace (in check mode before a
      create).
  returned: always
  type: str
  sample: http://llama-chat.castai-llm.svc.cluster.local:8080
recreated:
  description: Whether the model was (or in check mode would be) deleted and created again because of O(recreate).
  returned: when O(state=present)
  type: bool
  sample: false
scaled:
  description: Whether the scale endpoint was (or would be) called.
  returned: when O(state=present)
  type: bool
  sample: false
pods:
  description: The model's pods with their Kubernetes events, read when a wait ends in V(FAILED) or times out.
  returned: on a failed wait
  type: list
  elements: dict
  sample:
    - name: llama-chat-0-d6vwd
      status: {phase: Running, reason: null, message: null}
      events:
        - reason: Scheduled
          message: Successfully assigned castai-llms/llama-chat-0-d6vwd to gpu-node-0
          action: Binding
          reporting_controller: default-scheduler
          first_time: "2025-01-31T08:00:12Z"
          last_time: "2025-01-31T08:00:12Z"
        - reason: Started
          message: Started container vllm
          action: null
          reporting_controller: kubelet
          first_time: "2025-01-31T08:01:40Z"
          last_time: "2025-01-31T08:01:40Z"
  contains:
    name:
      description: Name of the pod.
      type: str
      sample: llama-chat-0-d6vwd
    status:
      description: Status of the pod.
      type: dict
      contains:
        phase:
          description: Kubernetes phase of the pod (V(Pending), V(Running), V(Failed), ...).
          type: str
          sample: Running
        reason:
          description: Why the pod is in this phase, null when Kubernetes gives no reason.
          type: str
        message:
          description: Details of the status, null when there are none.
          type: str
    events:
      description: Kubernetes events of the pod.
      type: list
      elements: dict
      contains:
        reason:
          description: Short reason of the event.
          type: str
          sample: Started
        message:
          description: What happened.
          type: str
          sample: Started container vllm
        action:
          description: What was done, null when the event does not say.
          type: str
        reporting_controller:
          description: Component that reported the event.
          type: str
          sample: kubelet
        first_time:
          description: When the event was first seen (RFC 3339).
          type: str
        last_time:
          description: When the event was last seen (RFC 3339).
          type: str
changed_fields:
  description:
    - Dotted paths of the options you set whose values differ from the current object (on a create, every option you
      set; on a delete, none). Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [horizontal_autoscaling.max_replicas]
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

import copy

from ..module_utils._catalog import model_specs_id_of, text_errors
from ..module_utils._checks import wait_errors
from ..module_utils._generated.hosted_models import HostedModel, HostedModelPods
from ..module_utils._generated.hosted_models_schema import SCHEMAS
from ..module_utils._generated.operations import (
    HOSTED_MODELS_API_CREATE_HOSTED_MODEL,
    HOSTED_MODELS_API_DELETE_HOSTED_MODEL,
    HOSTED_MODELS_API_GET_HOSTED_MODEL_PODS,
    HOSTED_MODELS_API_LIST_HOSTED_MODELS,
    HOSTED_MODELS_API_SCALE_HOSTED_MODEL,
    HOSTED_MODELS_API_UPDATE_HOSTED_MODEL,
)
from ..module_utils._hosted_model import (
    TARGET_METRICS,
    TRANSITIONAL,
    describe,
    desired_state,
    effective,
    gone_check,
    input_errors,
    latest_pod_events,
    managed_view,
    plan_present,
    predicted,
    running_check,
    service_address,
)
from ..module_utils._module import CastAIModule
from ..module_utils._resource import Resource, run
from ..module_utils._schema import api_body
from ..module_utils._waiter import WaitError, wait_for


class HostedModelResource(Resource):
    noun = "hosted model"
    result_key = "hosted_model"

    def __init__(self, module):
        super().__init__(module)
        self.path = {"organizationId": module.organization_id, "clusterId": self.params["cluster_id"]}
        self.plan = None
        self.before = None
        self.deleting = None
        self.cluster_missing = False
        self.after = None

    # ---- reading --------------------------------------------------------------------------------------------

    def find(self, model_id=None):
        """The model this task manages, or None. Fails when the service name matches more than one model.

        By ID (every wait poll) the listing stops at the page that holds the model. By service every page is read:
        that a service name is unique in a cluster is not in the contract, so a second model must be seen to be
        refused.
        """
        action = "list hosted models of cluster %s" % self.params["cluster_id"]
        models = self.module.each(
            action,
            HostedModel,
            HOSTED_MODELS_API_LIST_HOSTED_MODELS,
            self.path,
            needs=("id",),
            on_404=self.cluster_gone,
        )
        model_id = model_id or self.params["id"]
        if model_id:
            return next((m for m in models if m["id"] == model_id), None)
        matches = [m for m in models if m["service"] == self.params["service"]]
        live = [m for m in matches if m["status"] != "DELETING"]
        if len(live) > 1:
            self.module.fail_json(
                msg="%d hosted models in cluster %s have service %r (IDs %s); set id to choose one"
                % (len(live), self.params["cluster_id"], self.params["service"], ", ".join(m["id"] for m in live))
            )
        return (live or matches or [None])[0]

    def cluster_gone(self):
        # As CAST AI's Terraform provider reads a 404 on the list: the cluster is gone, and its models with it.
        self.cluster_missing = True

    def read(self):
        self.before = self.find()
        if self.before is not None and self.before["status"] == "DELETING":
            self.deleting = self.before
        return self.before

    def exists(self, current):
        return current is not None and current["status"] != "DELETING"

    # ---- planning -------------------------------------------------------------------------------------------

    def errors(self, desired, current):
        if self.cluster_missing:
            return ["cluster %s not found: the API answered 404 for its hosted models" % self.params["cluster_id"]]
        if current is None and self.params["id"]:
            if self.deleting:
                return [
                    "hosted model %s is being deleted; to create a new one, leave id out and set service, "
                    "model_specs_id and port" % self.params["id"]
                ]
            return [
                "no hosted model with id %s in cluster %s; to create one, leave id out and set service, "
                "model_specs_id and port" % (self.params["id"], self.params["cluster_id"])
            ]
        self.plan = plan_present(self.params, current)
        return self.plan.errors

    def desired(self):
        return desired_state(self.params)

    def changes(self, desired, current):
        return self.plan.paths + (["replicas"] if self.plan.scale is not None else []) if self.plan.changed else []

    def predict(self, desired, current):
        self.after = predicted(current, self.plan, self.module.organization_id)
        return self.after

    def view(self, obj):
        plan = self.plan
        created = plan is not None and plan.action in ("create", "recreate")
        token_created = created and bool((plan.create.get("vllm_config") or {}).get("hugging_face_token"))
        sent = plan is not None and ("vllm_config.hugging_face_token" in plan.paths or token_created)
        return managed_view(obj, token_sent=sent and obj is not self.before)

    # ---- writing --------------------------------------------------------------------------------------------

    def create(self, desired):
        if self.deleting:
            # Being deleted: it will be gone soon, so this is a create once it is.
            self.wait(self.deleting, gone_check, "the deleting model to be gone")
        body = api_body(SCHEMAS, "HostedModel", self.plan.create)
        answer = self.module.write(
            "create hosted model (service %s)" % body["service"],
            "created hosted model (service %s)" % body["service"],
            HOSTED_MODELS_API_CREATE_HOSTED_MODEL,
            self.path,
            body=body,
            conflict_ok=True,
        )
        if answer is None:
            return self.adopt(desired)
        model = self.module.parse(HostedModel, answer, "create hosted model", needs=("id",))
        return self.scale(model) if self.plan.scale is not None else model

    def adopt(self, desired):
        """A 409 on create: another run created the service meanwhile. Adopt it when it is what this task asks for."""
        other = self.find()
        if other is None or other["status"] == "DELETING" or plan_present(self.params, other).action == "recreate":
            self.module.fail_json(
                msg="create hosted model (service %s): the API answered 409: another hosted model "
                "with this service was created meanwhile%s; rerun the task to manage it"
                % (
                    self.params["service"],
                    ""
                    if other is None
                    else " (ID %s, model_specs_id %s, port %s)" % (other["id"], other["model_specs_id"], other["port"]),
                )
            )
        self.before, self.plan = other, plan_present(self.params, other)
        return self.update(desired, other, None) if self.plan.changed else other

    def update(self, desired, current, changes):
        if self.plan.action == "recreate":
            self.module.write(
                "delete hosted model %s to recreate it" % current["id"],
                "deleted hosted model %s to recreate it" % current["id"],
                HOSTED_MODELS_API_DELETE_HOSTED_MODEL,
                self.model_path(current),
            )
            self.wait(current, gone_check, "the old model to be gone before creating it again")
            self.deleting = None
            return self.create(desired)
        model = current
        if self.plan.patch:
            action = "update hosted model %s" % current["id"]
            answer = self.module.write(
                action,
                "updated hosted model %s (%s)" % (current["id"], ", ".join(sorted(self.plan.patch))),
                HOSTED_MODELS_API_UPDATE_HOSTED_MODEL,
                self.model_path(current),
                body=api_body(SCHEMAS, "HostedModelUpdate", self.plan.patch),
            )
            model = self.module.parse(HostedModel, answer, action, needs=("id",))
        return self.scale(model) if self.plan.scale is not None else model

    def scale(self, model):
        """Scale through :scale, first letting a deploying or restarting model settle (the API refuses it then)."""
        if model["status"] in TRANSITIONAL or model["status"] is None:
            model = self.wait(model, running_check(True, None), "the model to settle before scaling")
        body = api_body(
            SCHEMAS,
            "ScaleHostedModelRequest",
            dict(
                organization_id=self.path["organizationId"],
                cluster_id=self.path["clusterId"],
                id=model["id"],
                replicas=self.plan.scale,
            ),
        )
        self.module.write(
            "scale hosted model %s to %s replicas" % (model["id"], self.plan.scale),
            "scaled hosted model %s to %s replicas" % (model["id"], self.plan.scale),
            HOSTED_MODELS_API_SCALE_HOSTED_MODEL,
            self.model_path(model),
            body=body,
        )
        return model

    def delete(self, current):
        self.module.write(
            "delete hosted model %s" % current["id"],
            "deleted hosted model %s" % current["id"],
            HOSTED_MODELS_API_DELETE_HOSTED_MODEL,
            self.model_path(current),
            gone_ok=True,
        )

    # ---- waiting --------------------------------------------------------------------------------------------

    def settle(self, model, changed):
        model = self.after = self.settled(model, changed)
        if model.get("status") == "WARNING":
            self.module.warn(
                "hosted model %s is running with status WARNING: %s"
                % (model["id"], model.get("status_reason") or "no reason given")
            )
        return model

    def settled(self, model, changed):
        if not self.params["wait"]:
            return (self.find(model["id"]) or model) if self.plan.scale is not None else model
        if changed:
            return self.wait(model, self.up_check(model), "the model to run")
        if model["status"] in TRANSITIONAL:
            # Nothing to change, but the model is on its way somewhere: let it arrive (HIBERNATING ends asleep).
            check = (
                running_check(True, self.params["replicas"])
                if model["status"] == "HIBERNATING"
                else self.up_check(model)
            )
            return self.wait(model, check, "the model to settle")
        return model

    def settle_absent(self, current, changed):
        if self.params["wait"] and current is not None:
            self.wait(current, gone_check, "the model to be gone")

    def up_check(self, model):
        """RUNNING is the goal; HIBERNATED also counts with hibernation on, or for a hibernated model that this run
        updates without scaling (an update does not wake it)."""
        plan = self.plan
        hibernation = effective(desired_state(self.params), self.before, "hibernation")
        if plan.action in ("create", "recreate"):
            hibernation = plan.create.get("hibernation") or hibernation
        stays_asleep = (
            plan.action == "update" and plan.scale is None and (self.before or {}).get("status") == "HIBERNATED"
        )
        return running_check(bool(hibernation.get("enabled")) or stays_asleep, self.params["replicas"])

    def wait(self, model, check, what):
        """Poll the model until check says done; fail with the last status (and pod events) otherwise."""
        try:
            return wait_for(
                lambda: self.find(model["id"]),
                check,
                timeout=self.params["wait_timeout"],
                sleep=self.params["wait_sleep"],
                describe=describe,
                what=what,
            )
        except WaitError as exc:
            last = exc.state
            result = dict(self.result(), hosted_model=last or model)
            msg = "hosted model %s (service %s): %s" % (model["id"], model["service"], exc.message)
            if last is not None:
                action = "list pods of hosted model %s" % last["id"]
                answer = self.module.call(
                    action, HOSTED_MODELS_API_GET_HOSTED_MODEL_PODS, dict(self.path, hostedModelId=last["id"])
                )
                result["pods"] = self.module.parse(HostedModelPods, answer, action)["pods"] or []
                events = latest_pod_events(result["pods"])
                msg += "; latest pod events: %s" % ("; ".join(events) if events else "none")
            self.module.fail_json(msg=msg, **result)

    def model_path(self, model):
        return dict(self.path, id=model["id"])

    def result(self):
        plan = self.plan
        present = self.params["state"] == "present"
        return {
            "organization_id": self.path["organizationId"],
            "recreated": plan is not None and plan.action == "recreate",
            "scaled": plan is not None and plan.scale is not None,
            "service_address": service_address((self.after or self.before) if present else None),
        }


def argument_spec():
    condition = dict(duration=dict(type="str"), request_count=dict(type="int"))
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        cluster_id=dict(type="str", required=True),
        id=dict(type="str"),
        service=dict(type="str"),
        model_specs_id=dict(type="str"),
        model=dict(type="str"),
        port=dict(type="int"),
        node_template_name=dict(type="str"),
        vllm_config=dict(
            type="dict",
            options=dict(
                secret_name=dict(type="str", no_log=False),
                hugging_face_token=dict(type="str", no_log=True),
            ),
            mutually_exclusive=[("secret_name", "hugging_face_token")],
        ),
        update_hugging_face_token=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
        horizontal_autoscaling=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool"),
                min_replicas=dict(type="int"),
                max_replicas=dict(type="int"),
                target_metric=dict(type="str", choices=TARGET_METRICS),
                target_value=dict(type="float"),
            ),
        ),
        hibernation=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool"),
                hibernate_condition=dict(type="dict", options=condition),
                resume_condition=dict(type="dict", options=copy.deepcopy(condition)),
            ),
        ),
        fallback=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool"),
                provider_id=dict(type="str"),
                model=dict(type="str"),
            ),
        ),
        edge_locations=dict(type="list", elements="str"),
        replicas=dict(type="int"),
        recreate=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        wait_sleep=dict(type="float", default=10),
    )


def main():
    module = CastAIModule(
        argument_spec=argument_spec(),
        required_one_of=[("id", "service")],
        mutually_exclusive=[("model_specs_id", "model")],
    )
    errors = input_errors(module.params) + text_errors("model", module.params["model"]) + wait_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors))
    if module.params["model"] is not None and module.params["state"] == "present":
        module.params["model_specs_id"] = model_specs_id_of(module, module.params["model"])
    run(HostedModelResource(module))


if __name__ == "__main__":
    main()
