#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: api_key_info
short_description: Check whether a CAST AI API token is valid and which organization it belongs to
version_added: 1.0.0
description:
  - Asks the API (C(api-keys:verify)) about the connection's O(api_token), or about another O(token).
  - An invalid token is a result, not a failure. The API's HTTP 401 or 403 gives RV(valid=false); any other error
    (the API cannot be reached, a server error) fails the task, because it says nothing about the token.
  - A useful first task of an AWX job, to stop early with a clear message when the credential is wrong.
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
  - castai.ai_optimizer.attributes.info
options:
  token:
    description:
      - The token to check instead of O(api_token), for example one kept by M(castai.ai_optimizer.api_key).
      - Only this token is sent. O(api_token) must still be set, as on every module of the collection.
      - Surrounding whitespace is removed. The value is never shown in output, warnings or errors.
    type: str
seealso:
  - module: castai.ai_optimizer.api_key
"""

EXAMPLES = r"""
- name: Check the connection's token (CASTAI_API_TOKEN or api_token)
  castai.ai_optimizer.api_key_info:
  register: credential

- name: Stop with a clear message when it is not valid
  ansible.builtin.assert:
    that: credential.valid
    fail_msg: "The CAST AI token is not valid: {{ credential.reason }}"
    success_msg: "The token belongs to organization {{ credential.organization_id }}"

- name: Check a token kept in a file
  castai.ai_optimizer.api_key_info:
    token: "{{ lookup('ansible.builtin.file', token_file) }}"
  register: kept
"""

RETURN = r"""
valid:
  description: Whether the API accepts the token.
  returned: always
  type: bool
  sample: true
organization_id:
  description: The organization the token belongs to; null when the token is not valid.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
checked:
  description: Which token was checked, V(api_token) or V(token).
  returned: always
  type: str
  sample: api_token
reason:
  description:
    - Why the token is not valid, the API's answer to the check (for example C(HTTP 401 UNAUTHENTICATED ...)); null
      when it is valid.
  returned: always
  type: str
  sample: "HTTP 401 UNAUTHENTICATED: invalid API key"
api_calls:
  description: How many HTTP requests the task sent to the API, retries included.
  returned: always
  type: int
  sample: 1
"""

from ..module_utils._client import APIError
from ..module_utils._module import CastAIModule

# The API's answers that say "this token is not good"; every other failure is about the API or the network.
REJECTED_STATUSES = (401, 403)


def main():
    module = CastAIModule(argument_spec=dict(token=dict(type="str", no_log=True)))
    checked = "api_token"
    token = module.params["token"]
    if token is not None:
        token = token.strip()
        if not token:
            module.fail_json(msg="token must not be empty")
        # Ansible hides the option's value as given; the stripped value must be hidden too.
        module.no_log_values.add(token)
        module.client = module.client_for(token)
        checked = "token"
    action = "verify %s" % checked
    try:
        organization_id = module.client.verify()
    except APIError as exc:
        if exc.status in REJECTED_STATUSES:
            module.exit_with(changed=False, valid=False, organization_id=None, checked=checked, reason=str(exc))
        module.fail_api(action, exc)
    if not organization_id:
        module.fail_json(msg="%s: the API answered no organizationId" % action)
    module.exit_with(changed=False, valid=True, organization_id=organization_id, checked=checked, reason=None)


if __name__ == "__main__":
    main()
