# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module base every castai.ai_optimizer module builds on.

It owns the connection options, the dependency checks, the organization
lookup, API error reporting and the result shape, so modules only declare
their options and their resource logic.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, APIError
from ._connection import build_client, connection_argument_spec, connection_errors
from ._generated._base import HAS_PYDANTIC, PYDANTIC_IMPORT_ERROR


class CastAIModule(AnsibleModule):
    """AnsibleModule with the CAST AI connection, one API client and consistent failures."""

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if not HAS_PYDANTIC:
            self.fail_json(msg=missing_required_lib("pydantic"), exception=PYDANTIC_IMPORT_ERROR)
        errors = connection_errors(self.params)
        if errors:
            self.fail_json(msg="; ".join(errors))
        self.client = self.client_for(self.params["api_token"])
        self._organization_id = self.params["organization_id"]

    def client_for(self, token):
        """A client with this task's connection options and the given token."""
        return build_client(self.params, token)

    @property
    def organization_id(self):
        """The organization to work in: the option, or the one the token belongs to (asked once)."""
        if not self._organization_id:
            self._organization_id = self.api("look up the organization of api_token", self.client.verify)
            if not self._organization_id:
                self.fail_json(msg="look up the organization of api_token: the API answered no organizationId")
        return self._organization_id

    def api(self, action, func, *args, **kwargs):
        """Run one client call; on APIError fail with ``<action>: <the API's message>``."""
        try:
            return func(*args, **kwargs)
        except APIError as exc:
            self.fail_api(action, exc)

    def call(self, action, operation_id, path_params=None, query=None, body=None):
        return self.api(action, self.client.call, operation_id, path_params, query, body)

    def call_or_none(self, action, operation_id, path_params=None, query=None, body=None):
        """Like call, but None when the API answers 404 (the thing does not exist); other errors fail."""
        try:
            return self.client.call(operation_id, path_params, query, body)
        except APIError as exc:
            if exc.status == 404:
                return None
            self.fail_api(action, exc)

    def list_all(self, action, operation_id, path_params=None, query=None):
        return self.api(action, lambda: list(self.client.paginate(operation_id, path_params, query)))

    def parse(self, model, data, action):
        """Validate an API answer against its generated model; a mismatch is reported, not a traceback."""
        try:
            return model.model_validate(data)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            self.fail_json(msg="%s: the API answer does not match the %s schema: %s" % (action, model.__name__, exc))

    def fail_api(self, action, error, **result):
        self.fail_json(msg="%s: %s" % (action, error), failure=error.to_failure(), **result)

    def exit_with(self, changed, diff=None, **result):
        """Exit; the before/after diff goes in only when the user ran with --diff."""
        if diff is not None and self._diff:
            result["diff"] = diff
        self.exit_json(changed=changed, **result)
