#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: settings_info
short_description: Read the AI Optimizer settings of a CAST AI organization, its API keys and the effective settings
version_added: 1.0.0
description:
  - Returns the organization settings, the settings of every API key that has its own (reading every page of the
    API's list) or of one key, and the effective settings that the API resolves for O(api_token).
  - Budgets are listed by M(castai.ai_optimizer.api_key_budgets_info).
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
  - castai.ai_optimizer.attributes.info
options:
  api_key_id:
    description:
      - Only read the settings of this API key (one request instead of the whole list).
      - RV(api_key_settings) is empty when the key has no settings of its own.
    type: str
  include_api_keys:
    description:
      - Whether to read API-key settings into RV(api_key_settings).
      - Must be V(true) when O(api_key_id) is set.
    type: bool
    default: true
  include_resolved:
    description:
      - Whether to ask the API for the effective settings into RV(resolved_settings).
      - The API resolves them for the key that calls it, which is O(api_token). To see what another key gets, run the
        task with that key's token as O(api_token).
    type: bool
    default: true
seealso:
  - module: castai.ai_optimizer.settings
  - module: castai.ai_optimizer.api_key_settings
  - module: castai.ai_optimizer.api_key_budgets_info
"""

EXAMPLES = r"""
- name: Read every level of the settings
  castai.ai_optimizer.settings_info:
  register: info

- name: List the keys that do not route
  ansible.builtin.debug:
    msg: "{{ info.api_key_settings | rejectattr('settings.routing_enabled') | map(attribute='api_key_id') | list }}"

- name: Read one key's settings and skip the rest
  castai.ai_optimizer.settings_info:
    api_key_id: "{{ key_id }}"
    include_resolved: false
  register: one

- name: See what an application's key actually gets
  castai.ai_optimizer.settings_info:
    api_token: "{{ app_token }}"
    include_api_keys: false
  no_log: true
  register: app
"""

RETURN = r"""
organization_id:
  description: The organization that was read.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
organization_settings:
  description: The organization settings.
  returned: always
  type: dict
  sample: {routing_enabled: true, prompt_sharing_enabled: false, router_quality_weight: 0.5}
  contains:
    routing_enabled:
      description: Whether routing is enabled.
      type: bool
      sample: true
    prompt_sharing_enabled:
      description: Whether prompt sharing is enabled.
      type: bool
      sample: false
    router_quality_weight:
      description: The router's quality weight, from 0 (cost only) to 1 (quality only).
      type: float
      sample: 0.5
api_key_settings:
  description:
    - The API keys that have settings of their own, with those settings (every page of the API's list).
    - With O(api_key_id), that key alone, or nothing when it has no settings.
  returned: when O(include_api_keys=true)
  type: list
  elements: dict
  contains:
    api_key_id:
      description: ID of the API key.
      type: str
      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
    settings:
      description: The key's settings.
      type: dict
      contains:
        routing_enabled:
          description: Whether routing is enabled.
          type: bool
          sample: true
        prompt_sharing_enabled:
          description: Whether prompt sharing is enabled.
          type: bool
          sample: false
        router_quality_weight:
          description: The router's quality weight, from 0 (cost only) to 1 (quality only).
          type: float
          sample: 0.2
  sample:
    - api_key_id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
      settings: {routing_enabled: true, prompt_sharing_enabled: false, router_quality_weight: 0.2}
resolved_settings:
  description:
    - The settings that apply to requests made with O(api_token) (without request headers), as the API resolves them.
      These are the key's own settings when it has them, otherwise the organization settings.
  returned: when O(include_resolved=true)
  type: dict
  sample: {routing_enabled: true, prompt_sharing_enabled: false, router_quality_weight: 0.5}
  contains:
    routing_enabled:
      description: Whether routing is enabled.
      type: bool
      sample: true
    prompt_sharing_enabled:
      description: Whether prompt sharing is enabled.
      type: bool
      sample: false
    router_quality_weight:
      description: The router's quality weight, from 0 (cost only) to 1 (quality only).
      type: float
      sample: 0.5
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._generated.operations import (
    SETTINGS_API_GET_API_KEY_SETTINGS,
    SETTINGS_API_GET_SETTINGS,
    SETTINGS_API_LIST_API_KEY_SETTINGS,
    SETTINGS_API_RESOLVE_SETTINGS,
)
from ..module_utils._generated.settings import APIKeySettings, ResolveSettingsResponse, Settings
from ..module_utils._module import CastAIModule
from ..module_utils._settings import complete

KEY_NEEDS = ("api_key_id", "settings")


def key_entry(parsed):
    return {"api_key_id": parsed["api_key_id"], "settings": complete(parsed["settings"])}


def main():
    module = CastAIModule(
        argument_spec=dict(
            api_key_id=dict(type="str"),
            include_api_keys=dict(type="bool", default=True),
            include_resolved=dict(type="bool", default=True),
        ),
        path_ids=("api_key_id",),
    )
    params = module.params
    if params["api_key_id"] is not None and not params["include_api_keys"]:
        module.fail_json(msg="api_key_id needs include_api_keys=true")

    organization_id = module.organization_id
    path_params = {"organizationId": organization_id}
    action = "read the organization settings"
    answer = module.call(action, SETTINGS_API_GET_SETTINGS, path_params)
    result = {
        "organization_id": organization_id,
        "organization_settings": complete(module.parse(Settings, answer, action)),
    }

    if params["api_key_id"] is not None:
        action = "read the settings of API key %s" % params["api_key_id"]
        answer = module.call_or_none(
            action, SETTINGS_API_GET_API_KEY_SETTINGS, dict(path_params, id=params["api_key_id"])
        )
        result["api_key_settings"] = (
            [] if answer is None else [key_entry(module.parse(APIKeySettings, answer, action, needs=KEY_NEEDS))]
        )
    elif params["include_api_keys"]:
        action = "list the API-key settings"
        entries = module.each(action, APIKeySettings, SETTINGS_API_LIST_API_KEY_SETTINGS, path_params, needs=KEY_NEEDS)
        result["api_key_settings"] = [key_entry(entry) for entry in entries]

    if params["include_resolved"]:
        action = "resolve the effective settings"
        answer = module.call(action, SETTINGS_API_RESOLVE_SETTINGS, path_params)
        resolved = module.parse(ResolveSettingsResponse, answer, action, needs=("settings",))
        result["resolved_settings"] = complete(resolved["settings"])

    module.exit_with(changed=False, **result)


if __name__ == "__main__":
    main()
