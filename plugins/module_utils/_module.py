# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module base every castai.ai_optimizer module builds on.

It owns the connection options, the dependency checks, the organization
lookup, API error reporting and the result shape, so modules only declare
their options and their resource logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ._checks import path_id_errors
from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, REQUESTS_REQUIREMENT, APIError
from ._connection import build_client, connection_argument_spec, connection_errors
from ._schema import AnswerError, from_api

# AnsiballZ bundles every module_utils import it sees, even one only for type checkers, so the generated Schema
# class is not imported here (api_key_info needs no generated module): schema parameters are typed Any.
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from ._client import APIClient


class CastAIModule(AnsibleModule):
    """AnsibleModule with the CAST AI connection, one API client and consistent failures."""

    def __init__(
        self,
        argument_spec: dict[str, Any],
        supports_check_mode: bool = True,
        path_ids: Iterable[str] = (),
        absent_refuses: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        # Set before AnsibleModule.__init__, whose argument checks may already call fail_json.
        self.writes_done = []
        self.clients = []
        spec = connection_argument_spec()
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(
                msg="%s %s"
                % (missing_required_lib(REQUESTS_REQUIREMENT), REQUESTS_IMPORT_ERROR.strip().splitlines()[-1]),
                exception=REQUESTS_IMPORT_ERROR,
            )
        errors = connection_errors(self.params)
        errors.extend(path_id_errors(self.params, path_ids))
        refused = [name for name in absent_refuses if self.params.get(name) is not None]
        if refused and self.params.get("state") == "absent":
            errors.append("%s cannot be set with state=absent" % ", ".join(sorted(refused)))
        if errors:
            self.fail_json(msg="; ".join(errors))
        self.client = self.client_for(self.params["api_token"])
        self._organization_id = self.params["organization_id"]

    def hide(self, token: str | None) -> None:
        """Mask a token in every output: as given and as sent (Ansible masks only the raw option value)."""
        if token:
            self.no_log_values.update((token, token.strip()) if token.strip() else (token,))

    def client_for(self, token: str | None) -> APIClient:
        """A client with this task's connection options and the given token (masked in every output)."""
        self.hide(token)
        client = build_client(self.params, token)
        self.clients.append(client)
        return client

    @property
    def organization_id(self) -> str:
        """The organization to work in: the option, or the one the token belongs to (asked once)."""
        if not self._organization_id:
            self._organization_id = self.api("look up the organization of api_token", self.client.verify)
            if not self._organization_id:
                self.fail_json(msg="look up the organization of api_token: the API answered no organizationId")
        return self._organization_id

    def api(self, action: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one client call; on APIError fail with ``<action>: <the API's message>``."""
        try:
            return func(*args, **kwargs)
        except APIError as exc:
            self.fail_api(action, exc)

    def call(
        self,
        action: str,
        operation_id: str,
        path_params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self.api(action, self.client.call, operation_id, path_params, query, body)

    def call_or_none(
        self,
        action: str,
        operation_id: str,
        path_params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Like call, but None when the API answers 404 (the thing does not exist); other errors fail."""
        try:
            return self.client.call(operation_id, path_params, query, body)
        except APIError as exc:
            if exc.status == 404:
                return None
            self.fail_api(action, exc)

    def each(
        self,
        action: str,
        schema: Any,
        operation_id: str,
        path_params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        needs: Iterable[str] = (),
        on_404: Callable[[], Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The items of a paged list one by one, parsed; pages are read only as the caller goes on.

        A caller that stops early (found what it looks for) saves the remaining pages, and a caller that keeps
        only some items never holds a whole raw listing next to its result. With ``on_404``, a 404 (the list's
        parent does not exist) calls it and ends the items instead of failing.
        """
        pages = self.client.paginate(operation_id, path_params, query)
        while True:
            try:
                item = next(pages)
            except StopIteration:
                return
            except APIError as exc:
                if on_404 is not None and exc.status == 404:
                    on_404()
                    return
                self.fail_api(action, exc)
            yield self.parse(schema, item, action, needs=needs)

    # ---- writes: every one is recorded, so a later failure still reports what was done ------------------------

    def record(self, done: str) -> None:
        """Note a change this task made (past tense, e.g. "created hosted model abc")."""
        self.writes_done.append(done)

    def write(
        self,
        doing: str,
        done: str,
        operation_id: str,
        path_params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        gone_ok: bool = False,
        conflict_ok: bool = False,
    ) -> dict[str, Any] | None:
        """Send one write and record it; return the decoded answer.

        ``doing`` names the attempt for a failure message, ``done`` the change once acknowledged. A write whose
        answer was lost after it was sent may have been applied: it is recorded as such before failing. With
        ``gone_ok`` a 404 returns None (the object is already gone): recorded only when an earlier attempt of this
        call may have done it (the first answer was lost and the retry found nothing left). With ``conflict_ok`` a 409
        returns None (nothing was written; the caller decides).
        """
        try:
            answer = self.client.call(operation_id, path_params, query, body)
        except APIError as exc:
            if gone_ok and exc.status == 404:
                if getattr(exc, "attempts", 1) > 1:
                    self.record("%s (a retry after a lost answer found it gone)" % done)
                return None
            if conflict_ok and exc.status == 409:
                return None
            if exc.acknowledged:
                # Acknowledged: the API acted, only its answer could not be used.
                self.record(done)
            elif exc.status is None and getattr(exc, "sent", False):
                self.record("may have %s (the API's answer was lost)" % done)
            self.fail_api(doing, exc)
        self.record(done)
        return answer

    # ---- answers -----------------------------------------------------------------------------------------------

    def parse(self, schema: Any, data: Any, action: str, needs: Iterable[str] = ()) -> dict[str, Any]:
        """An API answer as a snake_case result dict, checked against its schema of the contract (once, on the way in).

        ``needs`` names fields the module relies on: an answer without them is an error, never a default.
        """
        if not isinstance(data, dict):
            self.fail_json(
                msg="%s: the API answered %s where a %s object was expected" % (action, _kind(data), schema.__name__)
            )
        try:
            result = from_api(schema, data)
        except AnswerError as exc:
            self.fail_json(msg="%s: the API answer does not match the %s schema: %s" % (action, schema.__name__, exc))
        missing = [name for name in needs if result.get(name) in (None, "")]
        if missing:
            self.fail_json(msg="%s: the API answer has no %s" % (action, ", ".join(missing)))
        return result

    # ---- exits -------------------------------------------------------------------------------------------------

    def fail_api(self, action: str, error: APIError, **result: Any) -> NoReturn:
        self.fail_json(msg="%s: %s" % (action, error), failure=error.to_failure(), **result)

    def fail_json(self, msg: str, **kwargs: Any) -> NoReturn:
        """Fail; after a write this says what was already done and reports ``changed: true``."""
        done = getattr(self, "writes_done", None)
        kwargs["changed"] = bool(done)
        if done:
            msg = "%s, then %s" % (", ".join(done), msg)
        super().fail_json(msg=msg, **self._with_calls(kwargs))

    def exit_with(self, changed: bool, diff: dict[str, Any] | None = None, **result: Any) -> NoReturn:
        """Exit; the before/after diff goes in only when the user ran with --diff."""
        if diff is not None and self._diff:
            result["diff"] = diff
        self.exit_json(changed=changed or bool(self.writes_done), **self._with_calls(result))

    def _with_calls(self, result):
        """Every HTTP request of the task, through any of its clients (a held token is verified with its own)."""
        result.setdefault("api_calls", sum(client.requests_made for client in getattr(self, "clients", ())))
        return result


def _kind(data):
    if data is None or data == "":
        return "nothing"
    return {dict: "an object", list: "a JSON list", str: "a string", bool: "a boolean"}.get(
        type(data), "a %s" % type(data).__name__
    )
