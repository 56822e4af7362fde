#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: api_key_budgets_info
short_description: List the spending budgets of CAST AI AI Optimizer API keys
version_added: 1.0.0
description:
  - Lists the budgets of the organization's API keys with their live figures, reading every page of the API's list.
  - Can read the budget of one key, or keep only exhausted budgets.
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
  - castai.ai_optimizer.attributes.info
options:
  api_key_id:
    description:
      - Only the budget of this API key (one request instead of the whole list).
      - RV(api_key_budgets) is empty when the key has no budget.
    type: str
  exhausted:
    description:
      - V(true) keeps only budgets whose spend has reached the limit. V(false) keeps only the others.
      - If not set, every budget is returned.
    type: bool
seealso:
  - module: castai.ai_optimizer.api_key_budget
  - module: castai.ai_optimizer.settings_info
"""

EXAMPLES = r"""
- name: List every budget
  castai.ai_optimizer.api_key_budgets_info:
  register: result

- name: Show spend per key
  ansible.builtin.debug:
    msg: "{{ item.api_key_id }}: {{ item.total_spend_usd }} of {{ item.budget_limit_usd }} USD"
  loop: "{{ result.api_key_budgets }}"

- name: Fail when any key ran out of budget
  castai.ai_optimizer.api_key_budgets_info:
    exhausted: true
  register: exhausted
  failed_when: exhausted.api_key_budgets | length > 0
"""

RETURN = r"""
organization_id:
  description: The organization that was listed.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
api_key_budgets:
  description: The matching budgets. Amounts are decimal strings, as the API sends them.
  returned: always
  type: list
  elements: dict
  sample:
    - api_key_id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
      organization_id: 11111111-1111-4111-8111-111111111111
      budget_limit_usd: "250"
      total_spend_usd: "42.17"
      usage_pct: "16.87"
      exhausted: false
  contains:
    api_key_id:
      description: ID of the API key.
      type: str
      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
    organization_id:
      description: ID of the organization that owns the key.
      type: str
    budget_limit_usd:
      description: The limit in US dollars. V("0") means no limit.
      type: str
      sample: "250"
    total_spend_usd:
      description: What the key has spent so far against this budget, in US dollars.
      type: str
      sample: "42.17"
    usage_pct:
      description: The spend as a percentage of the limit (it can pass 100). V("0") when there is no limit.
      type: str
      sample: "16.87"
    exhausted:
      description: Whether the spend has reached the limit.
      type: bool
      sample: false
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._generated.api_keys import APIKeyBudget
from ..module_utils._generated.operations import API_KEYS_API_GET_API_KEY_BUDGET, API_KEYS_API_LIST_API_KEY_BUDGETS
from ..module_utils._module import CastAIModule


def main():
    module = CastAIModule(
        argument_spec=dict(
            api_key_id=dict(type="str"),
            exhausted=dict(type="bool"),
        ),
        path_ids=("api_key_id",),
    )
    params = module.params
    organization_id = module.organization_id
    path_params = {"organizationId": organization_id}
    if params["api_key_id"] is not None:
        action = "read the budget of API key %s" % params["api_key_id"]
        answer = module.call_or_none(
            action, API_KEYS_API_GET_API_KEY_BUDGET, dict(path_params, apiKeyId=params["api_key_id"])
        )
        budgets = [] if answer is None else [module.parse(APIKeyBudget, answer, action, needs=("api_key_id",))]
    else:
        action = "list the API-key budgets"
        budgets = list(
            module.each(action, APIKeyBudget, API_KEYS_API_LIST_API_KEY_BUDGETS, path_params, needs=("api_key_id",))
        )
    if params["exhausted"] is not None:
        budgets = [budget for budget in budgets if bool(budget["exhausted"]) == params["exhausted"]]
    module.exit_with(changed=False, organization_id=organization_id, api_key_budgets=budgets)


if __name__ == "__main__":
    main()
