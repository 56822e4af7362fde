#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: settings
short_description: Manage the AI Optimizer settings of a CAST AI organization
version_added: 1.0.0
description:
  - Sets the organization-wide AI Optimizer settings. These are routing, prompt sharing and the router's quality weight.
  - Only the options you set are changed. The API's update replaces all three settings at once. So the module
    reads the current settings, puts your values in and writes the whole object back. A setting you do not mention
    keeps its value.
  - With no setting given, the module only reads and returns the current settings.
  - API-key settings (M(castai.ai_optimizer.api_key_settings)) override these for one key. The collection's
    C(docs/settings_hierarchy.md) explains which settings apply to a request.
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
    description: Shows the three settings before and after the change.
    support: full
options:
  routing_enabled:
    description:
      - Whether the AI Optimizer routes requests to the model it picks.
      - If not set, the current value is kept.
    type: bool
  prompt_sharing_enabled:
    description:
      - Whether prompts are shared with CAST AI.
      - If not set, the current value is kept.
    type: bool
  router_quality_weight:
    description:
      - How much the router weighs a model's quality against its cost, from V(0) to V(1).
      - V(0) means only the cost counts. V(0.5) means quality and cost count the same. V(1) means only the quality
        counts.
      - A value within a millionth (relative) of the current one counts as equal, because the API may store the
        weight with less precision than it was sent with.
      - If not set, the current value is kept.
    type: float
notes:
  - The API has no way to update one setting alone. If someone else changes the settings between this module's read
    and its write, their change to a setting you did not mention is overwritten with the value that was read.
seealso:
  - module: castai.ai_optimizer.api_key_settings
  - module: castai.ai_optimizer.settings_info
"""

EXAMPLES = r"""
- name: Turn routing on and favour quality a little, keeping prompt sharing as it is
  castai.ai_optimizer.settings:
    routing_enabled: true
    router_quality_weight: 0.7

- name: Turn prompt sharing off and nothing else
  castai.ai_optimizer.settings:
    prompt_sharing_enabled: false

- name: Preview a change with its diff
  castai.ai_optimizer.settings:
    router_quality_weight: 0.2
  check_mode: true
  diff: true
  register: preview

- name: Read the organization settings
  castai.ai_optimizer.settings:
  register: org

- name: Show them
  ansible.builtin.debug:
    msg: "Routing is {{ 'on' if org.settings.routing_enabled else 'off' }}"
"""

RETURN = r"""
organization_id:
  description: The organization whose settings were managed.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
settings:
  description:
    - The organization settings after the task. In check mode, the settings the task would write.
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
changed_fields:
  description: The options you set whose values differed from the current settings. The list is empty when nothing
    changed.
  returned: always
  type: list
  elements: str
  sample: [router_quality_weight]
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._generated.operations import SETTINGS_API_UPDATE_SETTINGS
from ..module_utils._generated.settings import Settings
from ..module_utils._module import CastAIModule
from ..module_utils._resource import run
from ..module_utils._settings import SettingsResource, check_requested, complete, settings_argument_spec


class OrganizationSettings(SettingsResource):
    noun = "the organization settings"

    def __init__(self, module):
        super().__init__(module)
        self.path = {"organizationId": module.organization_id}

    def read(self):
        return self.organization_settings()

    def update(self, desired, current, changes):
        answer = self.write_settings("update", SETTINGS_API_UPDATE_SETTINGS, desired, current)
        return complete(self.module.parse(Settings, answer, "update " + self.noun))


def main():
    module = CastAIModule(argument_spec=settings_argument_spec())
    check_requested(module)
    run(OrganizationSettings(module))


if __name__ == "__main__":
    main()
