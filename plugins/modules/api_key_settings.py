#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: api_key_settings
short_description: Manage the AI Optimizer settings of one CAST AI API key
version_added: 1.0.0
description:
  - Creates, updates or removes the settings of one API key. These settings override the organization settings
    (M(castai.ai_optimizer.settings)) for requests made with that key.
  - A key's settings always hold all three values. The API's upsert replaces them all at once. So the module reads
    what is there, puts your values in and writes the whole object back.
  - For a key that already has settings, an option you do not set keeps the key's current value.
  - For a key without settings, an option you do not set takes the organization's value at the time of the task.
    From then on the key keeps that value, even when the organization settings change later. RV(inherited_fields)
    lists the values taken this way.
  - O(state=absent) removes the key's settings, so the key follows the organization settings again.
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
attributes:
  check_mode:
    description: Check mode reads the current settings and reports what would change, without writing.
    support: full
  diff_mode:
    description: Shows whether the key has settings and their three values, before and after the change.
    support: full
options:
  api_key_id:
    description:
      - ID of the API key.
      - The API does not return it when it creates a key. Find it in the CAST AI console.
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the key has settings with the values you set.
      - V(absent) removes the key's settings. When the key has none, nothing changes.
    type: str
    choices: [present, absent]
    default: present
  routing_enabled:
    description:
      - Whether requests made with this key are routed to the model the AI Optimizer picks.
      - If not set, the key's current value is kept, or the organization's value is used for a key without settings.
      - Not allowed with O(state=absent).
    type: bool
  prompt_sharing_enabled:
    description:
      - Whether prompts sent with this key are shared with CAST AI.
      - If not set, the key's current value is kept, or the organization's value is used for a key without settings.
      - Not allowed with O(state=absent).
    type: bool
  router_quality_weight:
    description:
      - How much the router weighs a model's quality against its cost for this key, from V(0) (only the cost counts) to
        V(1) (only the quality counts).
      - A value within a millionth (relative) of the current one counts as equal.
      - If not set, the key's current value is kept, or the organization's value is used for a key without settings.
      - Not allowed with O(state=absent).
    type: float
notes:
  - Creating settings for a key counts as a change, even when every value equals the organization's. The key then
    no longer follows later changes of the organization settings.
  - Request headers such as C(X-Routing-Enabled) override both the key's and the organization's settings for a single
    request.
seealso:
  - module: castai.ai_optimizer.settings
  - module: castai.ai_optimizer.settings_info
  - module: castai.ai_optimizer.api_key_budget
"""

EXAMPLES = r"""
- name: Route a batch key's traffic for cost only, keeping its other settings
  castai.ai_optimizer.api_key_settings:
    api_key_id: "{{ batch_key_id }}"
    routing_enabled: true
    router_quality_weight: 0

- name: Pin a key to the organization's current settings, except prompt sharing
  castai.ai_optimizer.api_key_settings:
    api_key_id: "{{ key_id }}"
    prompt_sharing_enabled: false
  register: key_settings

- name: Show which values came from the organization
  ansible.builtin.debug:
    var: key_settings.inherited_fields

- name: Let the key follow the organization settings again
  castai.ai_optimizer.api_key_settings:
    api_key_id: "{{ key_id }}"
    state: absent
"""

RETURN = r"""
organization_id:
  description: The organization the key belongs to.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
api_key_id:
  description: ID of the API key.
  returned: always
  type: str
  sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
settings:
  description:
    - The key's settings after the task. In check mode, the settings the task would write.
    - V(null) when the key has no settings (after O(state=absent)).
  returned: always
  type: dict
  sample: {routing_enabled: true, prompt_sharing_enabled: false, router_quality_weight: 0.2}
  contains:
    routing_enabled:
      description: Whether routing is enabled for the key.
      type: bool
      sample: true
    prompt_sharing_enabled:
      description: Whether prompt sharing is enabled for the key.
      type: bool
      sample: false
    router_quality_weight:
      description: The key's router quality weight, from 0 (cost only) to 1 (quality only).
      type: float
      sample: 0.5
changed_fields:
  description:
    - The options you set whose values differed from the key's current settings. For a key without settings, those
      that differed from the organization's values.
    - Empty with O(state=absent).
  returned: always
  type: list
  elements: str
  sample: [router_quality_weight]
inherited_fields:
  description: The settings taken from the organization because the key had no settings and you did not set them.
    Empty when the key already had settings.
  returned: always
  type: list
  elements: str
  sample: [prompt_sharing_enabled, routing_enabled]
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._generated import operations as ops
from ..module_utils._generated.settings import APIKeySettings
from ..module_utils._module import CastAIModule
from ..module_utils._resource import run
from ..module_utils._settings import (
    SETTINGS_FIELDS,
    SettingsResource,
    check_requested,
    complete,
    settings_argument_spec,
)


class KeySettings(SettingsResource):
    def __init__(self, module):
        super().__init__(module)
        self.noun = "the settings of API key %s" % self.params["api_key_id"]
        self.path = {"organizationId": module.organization_id, "id": self.params["api_key_id"]}
        self.inherited = []

    def read(self):
        found = self.fetch(ops.SETTINGS_API_GET_API_KEY_SETTINGS, APIKeySettings, needs=("settings",))
        return None if found is None else complete(found["settings"])

    def organization_settings(self):
        """A key without settings of its own starts from the organization's, for the fields the user left out."""
        self.inherited = [name for name in SETTINGS_FIELDS if self.params[name] is None]
        return super().organization_settings()

    def predict(self, desired, current):
        return super().predict(desired, current or self.organization_settings())

    def update(self, desired, current, changes):
        verb = "update" if current else "create"
        base = current or self.organization_settings()
        answer = self.write_settings(verb, ops.SETTINGS_API_UPSERT_API_KEY_SETTINGS, desired, base)
        written = self.module.parse(APIKeySettings, answer, verb + " " + self.noun, needs=("settings",))
        return complete(written["settings"])

    def delete(self, current):
        self.send("remove", ops.SETTINGS_API_DELETE_API_KEY_SETTINGS, gone_ok=True)

    def result(self):
        ids = {"organization_id": self.path["organizationId"], "api_key_id": self.path["id"]}
        return dict(ids, inherited_fields=self.inherited)


def main():
    argument_spec = dict(
        api_key_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    argument_spec.update(settings_argument_spec())
    module = CastAIModule(argument_spec=argument_spec, path_ids=("api_key_id",), absent_refuses=SETTINGS_FIELDS)
    check_requested(module)
    run(KeySettings(module))


if __name__ == "__main__":
    main()
