#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: api_key_budget
short_description: Manage the spending budget of a CAST AI AI Optimizer API key
version_added: 1.0.0
description:
  - Sets or removes the budget of one API key. A budget limits how many US dollars requests made with the key may
    spend.
  - Returns the budget with its live figures. These are the total spend, the share of the limit used and whether
    the budget is exhausted.
  - To list every budget, use M(castai.ai_optimizer.api_key_budgets_info).
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
attributes:
  check_mode:
    description:
      - Check mode reads the current budget and reports what would change, without writing.
      - When the limit would change, RV(budget.usage_pct) and RV(budget.exhausted) are V(null), because only the API
        computes them.
    support: full
  diff_mode:
    description: Shows whether the key has a budget and its limit, before and after the change.
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
      - V(present) makes sure the key has a budget with the limit O(budget_limit_usd).
      - V(absent) removes the key's budget. When the key has none, nothing changes.
    type: str
    choices: [present, absent]
    default: present
  budget_limit_usd:
    description:
      - The most the key may spend, in US dollars. V(0) means no limit.
      - A number or a string holding a number, such as V(25), V(12.5) or V("100.00"). It must not be negative.
      - It is compared as a number, so V(10.50) and V(10.5) are the same limit. It is sent to the API as a decimal
        string without rounding, so V(0.1) is sent as V("0.1").
      - Required with O(state=present). Not allowed with O(state=absent).
    type: raw
notes:
  - Giving a key a budget of V(0) counts as a change when the key has no budget, because it creates one.
seealso:
  - module: castai.ai_optimizer.api_key_budgets_info
  - module: castai.ai_optimizer.api_key_settings
"""

EXAMPLES = r"""
- name: Cap a key at 250 dollars
  castai.ai_optimizer.api_key_budget:
    api_key_id: "{{ key_id }}"
    budget_limit_usd: 250
  register: budget

- name: Warn when most of the budget is spent
  ansible.builtin.debug:
    msg: "Key {{ key_id }} has used {{ budget.budget.usage_pct }}% of its budget"
  when: budget.budget.usage_pct | float > 80

- name: Track the key's spend without a limit
  castai.ai_optimizer.api_key_budget:
    api_key_id: "{{ key_id }}"
    budget_limit_usd: 0

- name: Remove the budget
  castai.ai_optimizer.api_key_budget:
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
budget:
  description:
    - The key's budget after the task, with its live figures. Amounts are decimal strings, as the API sends them.
    - In check mode, the budget the task would write.
    - V(null) when the key has no budget.
  returned: always
  type: dict
  sample:
    api_key_id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
    organization_id: 11111111-1111-4111-8111-111111111111
    budget_limit_usd: "250"
    total_spend_usd: "42.17"
    usage_pct: "16.87"
    exhausted: false
  contains:
    api_key_id:
      description: ID of the API key.
      type: str
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
changed_fields:
  description:
    - Dotted paths of the options you set whose values differ from the current object (on a create, every option you
      set; on a delete, none). Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [budget_limit_usd]
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._budget import MoneyError, money_text, same_amount, to_decimal
from ..module_utils._generated import operations as ops
from ..module_utils._generated.api_keys import APIKeyBudget
from ..module_utils._generated.api_keys_schema import SCHEMAS
from ..module_utils._module import CastAIModule
from ..module_utils._resource import Resource, run
from ..module_utils._schema import api_body


class Budget(Resource):
    result_key = "budget"
    managed = ("budget_limit_usd",)

    def __init__(self, module, limit):
        super().__init__(module)
        self.limit = limit
        self.noun = "the budget of API key %s" % self.params["api_key_id"]
        self.path = {"organizationId": module.organization_id, "apiKeyId": self.params["api_key_id"]}

    def read(self):
        return self.fetch(ops.API_KEYS_API_GET_API_KEY_BUDGET, APIKeyBudget)

    def desired(self):
        return {"budget_limit_usd": None if self.limit is None else money_text(self.limit)}

    def changes(self, desired, current):
        return [] if same_amount(current["budget_limit_usd"], self.limit) else ["budget_limit_usd"]

    def predict(self, desired, current):
        # Spend figures are the API's to compute; a new limit makes the old ones meaningless.
        return dict(current or {"total_spend_usd": None}, usage_pct=None, exhausted=None, **desired, **self.result())

    def update(self, desired, current, changes):
        body = api_body(SCHEMAS, "APIKeyBudgetConfig", desired)
        return self.send("set", ops.API_KEYS_API_UPDATE_API_KEY_BUDGET, body, APIKeyBudget)

    def delete(self, current):
        self.send("remove", ops.API_KEYS_API_DELETE_API_KEY_BUDGET, gone_ok=True)


def main():
    module = CastAIModule(
        argument_spec=dict(
            api_key_id=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            budget_limit_usd=dict(type="raw"),
        ),
        required_if=[("state", "present", ("budget_limit_usd",))],
        path_ids=("api_key_id",),
        absent_refuses=("budget_limit_usd",),
    )
    limit = module.params["budget_limit_usd"]
    try:
        limit = None if limit is None else to_decimal(limit)
    except MoneyError as exc:
        module.fail_json(msg=str(exc))
    run(Budget(module, limit))


if __name__ == "__main__":
    main()
