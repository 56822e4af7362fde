#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: components_info
short_description: List the AI Optimizer components of a CAST AI cluster, or wait until its proxy runs
version_added: 1.0.0
description:
  - Lists the CASTware components that the AI Optimizer (AI Enabler) tracks in one Kubernetes cluster, such as its
    proxy, with their status, version and warning, reading every page of the API's list.
  - With O(wait_running=true) it waits until the cluster's V(PROXY) component reports V(RUNNING), and fails with the
    component's status and warning when that does not happen within O(wait_timeout). Put this before a
    M(castai.ai_optimizer.hosted_model) deploy.
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
attributes:
  check_mode:
    description: The module only reads. It runs, and waits, the same in check mode.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: N/A
options:
  cluster_id:
    description: ID of the Kubernetes cluster.
    type: str
    required: true
  wait_running:
    description:
      - Wait until the cluster has a V(PROXY) component and every V(PROXY) component reports V(RUNNING). Until then
        the list is read again every O(wait_sleep) seconds.
      - When the time runs out the task fails; the message names the last status seen and the component's
        C(warning), and RV(components) holds the last list read.
      - A V(RUNNING) proxy with a C(warning) counts as running (the contract describes C(warning) as the warning of a
        running component); the task then warns with it.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait_running) before failing. V(0) reads once.
    type: int
    default: 300
  wait_sleep:
    description:
      - Seconds between two reads of the list while waiting.
      - On a long wait the pause grows after the sixth read, by half each time, up to four times this value, so a
        long deploy is not read every few seconds.
    type: float
    default: 10
seealso:
  - module: castai.ai_optimizer.hosted_model
  - module: castai.ai_optimizer.hosted_models_info
"""

EXAMPLES = r"""
- name: List the AI Optimizer components of a cluster
  castai.ai_optimizer.components_info:
    cluster_id: "{{ cluster_id }}"
  register: cluster

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.type }} {{ item.version }}: {{ item.status }} {{ item.warning or '' }}"
  loop: "{{ cluster.components }}"
  loop_control:
    label: "{{ item.type }}"

- name: Make sure the proxy runs before deploying a model (waits up to 5 minutes)
  castai.ai_optimizer.components_info:
    cluster_id: "{{ cluster_id }}"
    wait_running: true
    wait_timeout: 300
    wait_sleep: 10

- name: Check once, without waiting
  castai.ai_optimizer.components_info:
    cluster_id: "{{ cluster_id }}"
    wait_running: true
    wait_timeout: 0
"""

RETURN = r"""
organization_id:
  description: The organization of the cluster.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
cluster_id:
  description: The cluster that was listed.
  returned: always
  type: str
  sample: 5c0c2a1e-0000-4000-8000-000000000000
components:
  description:
    - The cluster's components, every field of the API's C(Component) in snake_case; the last list read when
      O(wait_running) waited.
  returned: always
  type: list
  elements: dict
  sample:
    - type: PROXY
      status: RUNNING
      version: v0.24.1
      warning: null
      cluster_id: 5c0c2a1e-0000-4000-8000-000000000000
      organization_id: 11111111-1111-4111-8111-111111111111
      create_time: "2025-01-31T08:00:00Z"
      update_time: "2025-01-31T08:05:00Z"
  contains:
    type:
      description: Kind of component, V(PROXY) (or V(TYPE_UNSPECIFIED)).
      type: str
    status:
      description: V(RUNNING), V(NOT_RUNNING) or V(STATUS_UNSPECIFIED).
      type: str
    version:
      description: Version of the component.
      type: str
    warning:
      description: A warning about a running component, null when there is none.
      type: str
    cluster_id:
      description: The cluster ID.
      type: str
    organization_id:
      description: The organization ID.
      type: str
    create_time:
      description: When the component started to be tracked (RFC 3339).
      type: str
    update_time:
      description: When the component was last tracked (RFC 3339).
      type: str
api_calls:
  description: How many HTTP requests the task sent to the API, retries and every poll of a wait included.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._checks import wait_errors
from ..module_utils._generated.components import Component
from ..module_utils._generated.operations import COMPONENTS_API_LIST_COMPONENTS
from ..module_utils._module import CastAIModule
from ..module_utils._waiter import DONE, PENDING, WaitError, wait_for

PROXY = "PROXY"
RUNNING = "RUNNING"


def proxies(components):
    return [component for component in components if component["type"] == PROXY]


def proxy_running(components):
    found = proxies(components)
    return DONE if found and all(component["status"] == RUNNING for component in found) else PENDING


def describe(components):
    """The proxy as last seen, for the failure message: status, version and warning."""
    found = proxies(components)
    if not found:
        return "no PROXY component (is the AI Optimizer proxy installed in the cluster?)"
    return "; ".join(
        "PROXY %s %s, warning: %s"
        % (component["version"] or "(no version)", component["status"], component["warning"] or "none")
        for component in found
    )


def main():
    module = CastAIModule(
        argument_spec=dict(
            cluster_id=dict(type="str", required=True),
            wait_running=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=300),
            wait_sleep=dict(type="float", default=10),
        ),
        path_ids=("cluster_id",),
    )
    params = module.params
    errors = wait_errors(params)
    if errors:
        module.fail_json(msg="; ".join(errors))

    cluster_id = params["cluster_id"]
    organization_id = module.organization_id
    path_params = {"organizationId": organization_id, "clusterId": cluster_id}
    action = "list components of cluster %s" % cluster_id
    result = {"organization_id": organization_id, "cluster_id": cluster_id}

    def read():
        return list(
            module.each(action, Component, COMPONENTS_API_LIST_COMPONENTS, path_params, needs=("type", "status"))
        )

    if not params["wait_running"]:
        module.exit_with(changed=False, components=read(), **result)
    try:
        components = wait_for(
            read,
            proxy_running,
            timeout=params["wait_timeout"],
            sleep=params["wait_sleep"],
            describe=describe,
            what="the PROXY component to report RUNNING",
        )
    except WaitError as exc:
        module.fail_json(msg="cluster %s: %s" % (cluster_id, exc.message), components=exc.state or [], **result)
    for component in proxies(components):
        if component["warning"]:
            module.warn(
                "The PROXY component of cluster %s runs with a warning: %s" % (cluster_id, component["warning"])
            )
    module.exit_with(changed=False, components=components, **result)


if __name__ == "__main__":
    main()
