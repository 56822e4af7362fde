#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: hosted_model
short_description: Deploy, update, scale and remove a self-hosted LLM (hosted model) on a CAST AI cluster
version_added: 0.1.0
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
      - Required to create a model.
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
        latest pod events.
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
    description: Seconds between two reads of the model while waiting.
    type: float
    default: 10
notes:
  - The API may answer a create while the model is still V(DEPLOYING); without O(wait), the task returns then.
  - Fields the API omits (proto3 JSON leaves out V(false), V(0) and empty values) count as those zero values, so
    O(hibernation.enabled=false) matches a model without hibernation settings.
seealso:
  - module: castai.ai_optimizer.hosted_models_info
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
    - With O(state=absent), the model as it was before the delete; V({}) when there was none.
  returned: always
  type: dict
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
      description: vLLM settings (V(secret_name)); the Hugging Face token is write-only and never returned.
      type: dict
    horizontal_autoscaling:
      description: Autoscaling settings (V(enabled), V(min_replicas), V(max_replicas), V(target_metric), V(target_value)).
      type: dict
    hibernation:
      description: Hibernation settings (V(enabled), V(hibernate_condition), V(resume_condition)).
      type: dict
    fallback:
      description: Fallback settings (V(enabled), V(provider_id), V(model)).
      type: dict
    edge_locations:
      description: Edge locations (V(ids)).
      type: dict
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
"""

import copy

from ..module_utils._generated.hosted_models import HostedModel, HostedModelPods, HostedModelUpdate, ScaleHostedModelRequest
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
)
from ..module_utils._module import CastAIModule
from ..module_utils._waiter import WaitError, wait_for

LIST_OPERATION = "HostedModelsAPIListHostedModels"
CREATE_OPERATION = "HostedModelsAPICreateHostedModel"
UPDATE_OPERATION = "HostedModelsAPIUpdateHostedModel"
DELETE_OPERATION = "HostedModelsAPIDeleteHostedModel"
SCALE_OPERATION = "HostedModelsAPIScaleHostedModel"
PODS_OPERATION = "HostedModelsAPIGetHostedModelPods"


class HostedModelRunner:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.organization_id = None
        self.path_params = None

    def list_models(self):
        items = self.module.list_all("list hosted models", LIST_OPERATION, self.path_params)
        return [self.module.parse(HostedModel, item, "list hosted models").to_result() for item in items]

    def find(self, model_id=None):
        """The model this task manages, or None. Fails when the service name matches more than one model."""
        models = self.list_models()
        model_id = model_id or self.params["id"]
        if model_id:
            return next((m for m in models if m["id"] == model_id), None)
        matches = [m for m in models if m["service"] == self.params["service"]]
        live = [m for m in matches if m["status"] != "DELETING"]
        if len(live) > 1:
            self.module.fail_json(msg="%d hosted models in cluster %s have service %r (IDs %s); set id to choose one"
                                  % (len(live), self.params["cluster_id"], self.params["service"],
                                     ", ".join(m["id"] for m in live)))
        return (live or matches or [None])[0]

    def model_path(self, model):
        return dict(self.path_params, id=model["id"])

    def pods_of(self, model):
        answer = self.module.call("list pods of hosted model %s" % model["id"], PODS_OPERATION,
                                  dict(self.path_params, hostedModelId=model["id"]))
        return self.module.parse(HostedModelPods, answer, "list pods").to_result()["pods"] or []

    def wait(self, model, check, what, changed):
        """Poll the model until check says done; fail with the last status (and pod events) otherwise."""
        try:
            return wait_for(lambda: self.find(model["id"]), check, timeout=self.params["wait_timeout"],
                            sleep=self.params["wait_sleep"], describe=describe, what=what)
        except WaitError as exc:
            last = exc.state
            result = {"changed": changed, "organization_id": self.organization_id, "hosted_model": last or model}
            msg = "hosted model %s (service %s): %s" % (model["id"], model["service"], exc.message)
            if last is not None:
                pods = self.pods_of(last)
                result["pods"] = pods
                events = latest_pod_events(pods)
                msg += "; latest pod events: %s" % ("; ".join(events) if events else "none")
            self.module.fail_json(msg=msg, **result)

    def present(self):
        current = self.find()
        if current is None and self.params["id"]:
            self.module.fail_json(msg="no hosted model with id %s in cluster %s; to create one, leave id out and set "
                                      "service, model_specs_id and port" % (self.params["id"], self.params["cluster_id"]))
        if current is not None and current["status"] == "DELETING":
            if self.params["id"]:
                self.module.fail_json(msg="hosted model %s is being deleted; to create a new one, leave id out and set "
                                          "service, model_specs_id and port" % current["id"],
                                      organization_id=self.organization_id, hosted_model=current)
            # Being deleted: it will be gone soon, so this is a create once it is.
            if not self.module.check_mode:
                self.wait(current, gone_check, "the deleting model to be gone", changed=False)
            current = None
        plan = plan_present(self.params, current)
        if plan.errors:
            self.module.fail_json(msg="; ".join(plan.errors), organization_id=self.organization_id,
                                  hosted_model=current or {})
        token_sent = "vllm_config.hugging_face_token" in plan.paths or (
            plan.action in ("create", "recreate") and (plan.create.get("vllm_config") or {}).get("hugging_face_token"))
        diff = {"before": managed_view(current),
                "after": managed_view(predicted(current, plan, self.organization_id) if plan.changed else current,
                                      token_sent=bool(token_sent))}
        result = {"organization_id": self.organization_id, "recreated": plan.action == "recreate",
                  "scaled": plan.scale is not None}
        if self.module.check_mode or not plan.changed:
            model = current
            if plan.changed:
                model = predicted(current, plan, self.organization_id)
            elif self.params["wait"] and not self.module.check_mode and current["status"] in TRANSITIONAL:
                # Nothing to change, but the model is on its way somewhere: let it arrive (HIBERNATING ends asleep).
                check = self.up_check(current, plan)
                if current["status"] == "HIBERNATING":
                    check = running_check(True, self.params["replicas"])
                model = self.wait(current, check, "the model to settle", changed=False)
            self.module.exit_with(changed=plan.changed, diff=diff, hosted_model=model, **result)

        model = current
        if plan.action == "recreate":
            self.module.call("delete hosted model %s to recreate it" % current["id"], DELETE_OPERATION,
                             self.model_path(current))
            self.wait(current, gone_check, "the old model to be gone before creating it again", changed=True)
        if plan.action in ("create", "recreate"):
            body = HostedModel.model_validate(plan.create).to_api()
            answer = self.module.call("create hosted model", CREATE_OPERATION, self.path_params, body=body)
            model = self.parse_model(answer, "create hosted model")
        elif plan.action == "update":
            body = HostedModelUpdate.model_validate(plan.patch).to_api()
            model = self.parse_model(self.module.call("update hosted model %s" % current["id"], UPDATE_OPERATION,
                                                      self.model_path(current), body=body), "update hosted model")
        if plan.scale is not None:
            model = self.scale(model, plan)
        check = self.up_check(current if plan.action == "update" else model, plan)
        if self.params["wait"]:
            model = self.wait(model, check, "the model to run", changed=True)
        elif plan.scale is not None:
            model = self.find(model["id"]) or model
        self.module.exit_with(changed=True, diff=diff, hosted_model=model, **result)

    def parse_model(self, answer, action):
        return self.module.parse(HostedModel, answer, action).to_result()

    def up_check(self, model, plan):
        """RUNNING is the goal; HIBERNATED also counts with hibernation on, or for a hibernated model that this run
        updates without scaling (an update does not wake it)."""
        hibernation = effective(desired_state(self.params), model, "hibernation")
        if plan.action in ("create", "recreate"):
            hibernation = plan.create.get("hibernation") or hibernation
        stays_asleep = plan.action == "update" and plan.scale is None and model.get("status") == "HIBERNATED"
        return running_check(bool(hibernation.get("enabled")) or stays_asleep, self.params["replicas"])

    def scale(self, model, plan):
        """Scale through :scale, first letting a deploying or restarting model settle (the API refuses it then)."""
        settle = running_check(True, None)
        if model["status"] in TRANSITIONAL or model["status"] is None:
            model = self.wait(model, settle, "the model to settle before scaling", changed=True)
        request = ScaleHostedModelRequest(organization_id=self.organization_id, cluster_id=self.params["cluster_id"],
                                          id=model["id"], replicas=plan.scale)
        self.module.call("scale hosted model %s to %s replicas" % (model["id"], plan.scale), SCALE_OPERATION,
                         self.model_path(model), body=request.to_api())
        return model

    def absent(self):
        current = self.find()
        result = {"organization_id": self.organization_id, "hosted_model": current or {}}
        if current is None:
            self.module.exit_with(changed=False, diff={"before": {}, "after": {}}, **result)
        changed = current["status"] != "DELETING"
        diff = {"before": managed_view(current), "after": {}}
        if changed and not self.module.check_mode:
            answer = self.module.call_or_none("delete hosted model %s" % current["id"], DELETE_OPERATION,
                                              self.model_path(current))
            # None: deleted by someone else since the list, which is what was asked for.
            changed = answer is not None
        if self.params["wait"] and not self.module.check_mode:
            self.wait(current, gone_check, "the model to be gone", changed=changed)
        self.module.exit_with(changed=changed, diff=diff, **result)

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.module.fail_json(msg="; ".join(errors))
        self.organization_id = self.module.organization_id
        self.path_params = {"organizationId": self.organization_id, "clusterId": self.params["cluster_id"]}
        if self.params["state"] == "present":
            self.present()
        else:
            self.absent()


def argument_spec():
    condition = dict(duration=dict(type="str"), request_count=dict(type="int"))
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        cluster_id=dict(type="str", required=True),
        id=dict(type="str"),
        service=dict(type="str"),
        model_specs_id=dict(type="str"),
        port=dict(type="int"),
        node_template_name=dict(type="str"),
        vllm_config=dict(type="dict", options=dict(
            secret_name=dict(type="str", no_log=False),
            hugging_face_token=dict(type="str", no_log=True),
        ), mutually_exclusive=[("secret_name", "hugging_face_token")]),
        update_hugging_face_token=dict(type="str", choices=["on_create", "always"], default="on_create",
                                       no_log=False),
        horizontal_autoscaling=dict(type="dict", options=dict(
            enabled=dict(type="bool"),
            min_replicas=dict(type="int"),
            max_replicas=dict(type="int"),
            target_metric=dict(type="str", choices=TARGET_METRICS),
            target_value=dict(type="float"),
        )),
        hibernation=dict(type="dict", options=dict(
            enabled=dict(type="bool"),
            hibernate_condition=dict(type="dict", options=condition),
            resume_condition=dict(type="dict", options=copy.deepcopy(condition)),
        )),
        fallback=dict(type="dict", options=dict(
            enabled=dict(type="bool"),
            provider_id=dict(type="str"),
            model=dict(type="str"),
        )),
        edge_locations=dict(type="list", elements="str"),
        replicas=dict(type="int"),
        recreate=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        wait_sleep=dict(type="float", default=10),
    )


def main():
    module = CastAIModule(argument_spec=argument_spec(), required_one_of=[("id", "service")],
                          supports_check_mode=True)
    if module.params["wait_timeout"] < 0 or module.params["wait_sleep"] <= 0:
        module.fail_json(msg="wait_timeout must not be negative and wait_sleep must be greater than 0")
    HostedModelRunner(module).run()


if __name__ == "__main__":
    main()
