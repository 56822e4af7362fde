#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: hosted_models_info
short_description: List self-hosted LLM deployments (hosted models) of a CAST AI cluster
version_added: 1.0.0
description:
  - Lists the hosted models of one cluster, reading every page of the API's list.
  - Filters by ID, model, service and status. The API cannot filter, so the module filters after reading.
  - Optionally adds each model's pods with their Kubernetes events (O(include_pods)), and each model's lifecycle events
    such as scaling and hibernation (O(include_events)).
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
  - castai.ai_optimizer.attributes.info
options:
  cluster_id:
    description: ID of the Kubernetes cluster the models run on.
    type: str
    required: true
  id:
    description: Only the hosted model with this ID.
    type: str
  model:
    description: Only hosted models that serve this model name (for example V(meta-llama/Llama-3.1-8B-Instruct)).
    type: str
  service:
    description: Only the hosted model behind this Kubernetes Service name.
    type: str
  status:
    description: Only hosted models in one of these statuses.
    type: list
    elements: str
    choices: [DELETING, DEPLOYING, FAILED, HIBERNATED, HIBERNATING, RESTARTING, RESUMING, RUNNING, SCALING,
              STATUS_UNSPECIFIED, STOPPED, WARNING]
  sort_field:
    description:
      - Field to sort by, in the snake_case of the returned keys (for example V(create_time) or V(service)).
      - The API sorts, so the order is the API's.
      - Nested fields are named with a dot, such as V(horizontal_autoscaling.min_replicas); lists cannot be sorted by.
    type: str
  sort_order:
    description: Sort direction, used with O(sort_field).
    type: str
    choices: [asc, desc]
    default: asc
  include_pods:
    description:
      - Add each model's pods, with their status and Kubernetes events, under RV(hosted_models[].pods).
      - Costs one extra request per returned model.
    type: bool
    default: false
  include_events:
    description:
      - Add each model's lifecycle events (V(SCALED_UP), V(SCALED_DOWN), V(HIBERNATED), V(RESUMED), V(INTERRUPTED)),
        newest first as the API orders them, under RV(hosted_models[].events). Every page of the events list is read.
      - Costs at least one extra request per returned model.
    type: bool
    default: false
  events_start_time:
    description:
      - With O(include_events), only events at or after this time.
      - An RFC 3339 timestamp with a time zone, for example V(2025-01-31T08:00:00Z).
    type: str
  events_end_time:
    description:
      - With O(include_events), only events at or before this time (RFC 3339, like O(events_start_time)).
    type: str
seealso:
  - module: castai.ai_optimizer.api_key
  - module: castai.ai_optimizer.hosted_model
"""

EXAMPLES = r"""
- name: List every hosted model of a cluster
  castai.ai_optimizer.hosted_models_info:
    cluster_id: "{{ cluster_id }}"
  register: models

- name: Find models that need attention, with their pods and events
  castai.ai_optimizer.hosted_models_info:
    cluster_id: "{{ cluster_id }}"
    status: [FAILED, WARNING]
    include_pods: true
  register: broken

- name: Show why each one is unhealthy
  ansible.builtin.debug:
    msg: "{{ item.service }}: {{ item.status }} ({{ item.status_reason }})"
  loop: "{{ broken.hosted_models }}"
  loop_control:
    label: "{{ item.service }}"

- name: What did the autoscaler and hibernation do during one day?
  castai.ai_optimizer.hosted_models_info:
    cluster_id: "{{ cluster_id }}"
    service: llama-chat
    include_events: true
    events_start_time: "2025-01-31T00:00:00Z"
    events_end_time: "2025-02-01T00:00:00Z"
  register: history

- name: Show the events
  ansible.builtin.debug:
    msg: "{{ item.create_time }} {{ item.type }} by {{ item.initiator.user_type }}"
  loop: "{{ history.hosted_models | map(attribute='events') | flatten }}"
  loop_control:
    label: "{{ item.type }}"

- name: Newest first
  castai.ai_optimizer.hosted_models_info:
    cluster_id: "{{ cluster_id }}"
    sort_field: create_time
    sort_order: desc
"""

RETURN = r"""
organization_id:
  description: The organization that was listed.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
hosted_models:
  description: The matching hosted models, every field of the API's C(HostedModel) in snake_case.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 3b1f2c8e-7d4a-4e2b-9c1d-5a6f7e8d9c0b
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
      description: ID of the model specs deployed.
      type: str
    model:
      description: Name of the served model.
      type: str
      sample: meta-llama/Llama-3.1-8B-Instruct
    deployed_model:
      description: Name of the deployed model.
      type: str
    provider:
      description: Provider of the model (for example V(hugging_face)).
      type: str
    provider_id:
      description: ID of the provider of the model.
      type: str
    type:
      description: Kind of model (V(chat), V(embeddings), ...).
      type: str
    service:
      description: Kubernetes Service name of the deployment.
      type: str
    namespace:
      description: Kubernetes namespace of the deployment.
      type: str
    port:
      description: Port the model is exposed on.
      type: int
    node_template_name:
      description: Node template used for the model's nodes.
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
      description: GPU memory the model needs, in MiB (a string, as the API sends int64 values).
      type: str
    cloud_provider:
      description: Cloud provider of the cluster.
      type: str
    region:
      description: Region of the cluster.
      type: str
    helm_chart_version:
      description: Version of the Helm chart used to deploy the model.
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
    pods:
      description: The model's pods with their status and Kubernetes events.
      returned: when O(include_pods=true)
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
    events:
      description:
        - The model's lifecycle events, newest first as the API orders them.
        - Every event has all five detail blocks; the one named by its RV(hosted_models[].events[].type) holds the
          details.
      returned: when O(include_events=true)
      type: list
      elements: dict
      sample:
        - id: 41ac8a26-9ad2-419f-b17e-0f057a8d516d
          type: SCALED_DOWN
          create_time: "2025-01-31T09:15:00Z"
          hosted_model_id: 3b1f2c8e-7d4a-4e2b-9c1d-5a6f7e8d9c0b
          cluster_id: 5c0c2a1e-0000-4000-8000-000000000000
          organization_id: 11111111-1111-4111-8111-111111111111
          initiator: {user_type: USER, id: 6d0f3a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f, name: Jane Doe, email: jane@example.com}
          scaled_up: {from_replicas: 0, to_replicas: 0, target_metric: AUTOSCALING_METRIC_UNSPECIFIED, target_value: 0.0,
                      description: ""}
          scaled_down: {from_replicas: 2, to_replicas: 1, target_metric: AUTOSCALING_METRIC_UNSPECIFIED, target_value: 0.0,
                        description: scaled by user from 2 to 1 replicas}
          hibernated: {duration: 0s, request_count: 0, description: ""}
          resumed: {duration: 0s, request_count: 0, description: ""}
          interrupted: {node_name: "", pod_names: [], description: ""}
      contains:
        id:
          description: ID of the event.
          type: str
          sample: 41ac8a26-9ad2-419f-b17e-0f057a8d516d
        type:
          description: V(SCALED_UP), V(SCALED_DOWN), V(HIBERNATED), V(RESUMED), V(INTERRUPTED) or V(TYPE_UNSPECIFIED).
          type: str
          sample: SCALED_DOWN
        create_time:
          description: When the event happened (RFC 3339).
          type: str
          sample: "2025-01-31T09:15:00Z"
        hosted_model_id:
          description: ID of the hosted model.
          type: str
        cluster_id:
          description: ID of the cluster.
          type: str
        organization_id:
          description: ID of the organization.
          type: str
        initiator:
          description: Who or what started the event.
          type: dict
          contains:
            user_type:
              description: V(SYSTEM), V(USER) or V(USER_TYPE_UNSPECIFIED).
              type: str
              sample: USER
            id:
              description: ID of the user; empty when the system started the event.
              type: str
            name:
              description: Name of the user; empty when the system started the event.
              type: str
            email:
              description: Email address of the user; empty when the system started the event.
              type: str
        scaled_up:
          description: Details of a V(SCALED_UP) event; for another type its values mean nothing.
          type: dict
          contains:
            from_replicas:
              description: Replicas before.
              type: int
              sample: 1
            to_replicas:
              description: Replicas after.
              type: int
              sample: 2
            target_metric:
              description: Metric that made the autoscaler act; V(AUTOSCALING_METRIC_UNSPECIFIED) when a user scaled.
              type: str
              sample: AUTOSCALING_METRIC_UNSPECIFIED
            target_value:
              description: Target value of that metric.
              type: float
              sample: 0.0
            description:
              description: What happened, in words.
              type: str
              sample: scaled by user from 1 to 2 replicas
        scaled_down:
          description: Details of a V(SCALED_DOWN) event; for another type its values mean nothing.
          type: dict
          contains:
            from_replicas:
              description: Replicas before.
              type: int
              sample: 2
            to_replicas:
              description: Replicas after.
              type: int
              sample: 1
            target_metric:
              description: Metric that made the autoscaler act; V(AUTOSCALING_METRIC_UNSPECIFIED) when a user scaled.
              type: str
              sample: AUTOSCALING_METRIC_UNSPECIFIED
            target_value:
              description: Target value of that metric.
              type: float
              sample: 0.0
            description:
              description: What happened, in words.
              type: str
              sample: scaled by user from 2 to 1 replicas
        hibernated:
          description: Details of a V(HIBERNATED) event; for another type its values mean nothing.
          type: dict
          contains:
            duration:
              description: Window of the condition that was met, in seconds with an C(s) suffix.
              type: str
              sample: 1800s
            request_count:
              description: Requests counted in that window.
              type: int
              sample: 0
            description:
              description: What happened, in words.
              type: str
        resumed:
          description: Details of a V(RESUMED) event; for another type its values mean nothing.
          type: dict
          contains:
            duration:
              description: Window of the condition that was met, in seconds with an C(s) suffix.
              type: str
              sample: 60s
            request_count:
              description: Requests counted in that window.
              type: int
              sample: 1
            description:
              description: What happened, in words.
              type: str
        interrupted:
          description: Details of an V(INTERRUPTED) event; for another type its values mean nothing.
          type: dict
          contains:
            node_name:
              description: Name of the node that was interrupted.
              type: str
              sample: gpu-node-0
            pod_names:
              description: Names of the pods affected.
              type: list
              elements: str
              sample: [llama-chat-0-d6vwd]
            description:
              description: Why, in words.
              type: str
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._checks import path_id_errors, window_errors
from ..module_utils._generated.hosted_models import (
    HOSTED_MODEL_STATUS_VALUES,
    HostedModel,
    HostedModelEvent,
    HostedModelPods,
)
from ..module_utils._generated.hosted_models_schema import SCHEMAS
from ..module_utils._generated.operations import (
    HOSTED_MODEL_EVENTS_API_LIST_HOSTED_MODEL_EVENTS,
    HOSTED_MODELS_API_GET_HOSTED_MODEL_PODS,
    HOSTED_MODELS_API_LIST_HOSTED_MODELS,
)
from ..module_utils._module import CastAIModule

FILTERS = ("id", "model", "service")
# The Hugging Face token is write-only: never returned, so nothing to sort by.
SORT_FIELDS = {
    name: alias
    for name, alias in SCHEMAS["HostedModel"]["sort_fields"].items()
    if not name.endswith("hugging_face_token")
}


def matches(model, params):
    if any(params[key] is not None and model.get(key) != params[key] for key in FILTERS):
        return False
    return not params["status"] or model.get("status") in params["status"]


def input_errors(params):
    """Problems with the options alone, found before any API call."""
    errors = path_id_errors(params, ("cluster_id",))
    if params["sort_field"] and params["sort_field"] not in SORT_FIELDS:
        errors.append("sort_field must be one of: %s; got %r" % (", ".join(sorted(SORT_FIELDS)), params["sort_field"]))
    for option in ("events_start_time", "events_end_time"):
        if params[option] is not None and not params["include_events"]:
            errors.append("%s needs include_events=true" % option)
    errors.extend(
        window_errors("events_start_time", params["events_start_time"], "events_end_time", params["events_end_time"])
    )
    return errors


def main():
    module = CastAIModule(
        argument_spec=dict(
            cluster_id=dict(type="str", required=True),
            id=dict(type="str"),
            model=dict(type="str"),
            service=dict(type="str"),
            status=dict(type="list", elements="str", choices=list(HOSTED_MODEL_STATUS_VALUES)),
            sort_field=dict(type="str"),
            sort_order=dict(type="str", choices=["asc", "desc"], default="asc"),
            include_pods=dict(type="bool", default=False),
            include_events=dict(type="bool", default=False),
            events_start_time=dict(type="str"),
            events_end_time=dict(type="str"),
        ),
    )
    params = module.params
    errors = input_errors(params)
    if errors:
        module.fail_json(msg="; ".join(errors))
    query = {}
    if params["sort_field"]:
        query = {"sort.field": SORT_FIELDS[params["sort_field"]], "sort.order": params["sort_order"].upper()}
    events_query = {"startTime": params["events_start_time"], "endTime": params["events_end_time"]}

    organization_id = module.organization_id
    path_params = {"organizationId": organization_id, "clusterId": params["cluster_id"]}
    action = "list hosted models of cluster %s" % params["cluster_id"]
    models = module.each(action, HostedModel, HOSTED_MODELS_API_LIST_HOSTED_MODELS, path_params, query, needs=("id",))
    hosted_models = [model for model in models if matches(model, params)]

    for hosted_model in hosted_models:
        model_path = dict(path_params, hostedModelId=hosted_model["id"])
        if params["include_pods"]:
            action = "list pods of hosted model %s" % hosted_model["id"]
            answer = module.call(action, HOSTED_MODELS_API_GET_HOSTED_MODEL_PODS, model_path)
            hosted_model["pods"] = module.parse(HostedModelPods, answer, action)["pods"] or []
        if params["include_events"]:
            action = "list events of hosted model %s" % hosted_model["id"]
            events = module.each(
                action, HostedModelEvent, HOSTED_MODEL_EVENTS_API_LIST_HOSTED_MODEL_EVENTS, model_path, events_query
            )
            hosted_model["events"] = list(events)

    module.exit_with(changed=False, organization_id=organization_id, hosted_models=hosted_models)


if __name__ == "__main__":
    main()
