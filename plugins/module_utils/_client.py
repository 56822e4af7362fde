# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client for the CAST AI AI Optimizer API.

Every request goes through ``APIClient.call`` with an operationId from the
spec-built operation table, so methods and paths come from the vendored
contract and never from hand-typed strings in modules.
"""

from __future__ import annotations

import traceback

from ._generated.operations import OPERATIONS
from ._version import COLLECTION_VERSION

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = object  # the subclass below must still define
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

USER_AGENT = "castai.ai_optimizer/%s" % COLLECTION_VERSION
RETRY_STATUSES = (429, 502, 503, 504)
# POST and PATCH stay out: a POST whose answer was lost may already have minted a key.
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))
MAX_BACKOFF_SECONDS = 30
DEFAULT_PAGE_SIZE = 100

# google.rpc.Code names, so errors read "NOT_FOUND" rather than 5.
RPC_CODE_NAMES = {
    0: "OK", 1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
    6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION", 10: "ABORTED",
    11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE", 15: "DATA_LOSS", 16: "UNAUTHENTICATED",
}


class APIError(Exception):
    """A failed API call: the API's own message plus everything it told us.

    ``status`` is None when no HTTP answer arrived (connection refused, reset, timeout).
    """

    def __init__(self, message, status=None, code=None, details=None, field_violations=None, request_id=None,
                 method=None, path=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details or []
        self.field_violations = field_violations or []
        self.request_id = request_id
        self.method = method
        self.path = path

    @property
    def code_name(self):
        return RPC_CODE_NAMES.get(self.code) if isinstance(self.code, int) else self.code

    def __str__(self):
        text = self.message
        if self.field_violations:
            text += " (%s)" % "; ".join(
                "%s: %s" % (v.get("field", "?"), v.get("description", "")) for v in self.field_violations
            )
        if self.status is not None:
            text = "HTTP %s%s: %s" % (self.status, " " + self.code_name if self.code_name else "", text)
        return text

    def to_failure(self):
        """The structured ``failure`` a module returns next to ``msg``."""
        return {
            "status": self.status,
            "code": self.code,
            "code_name": self.code_name,
            "message": self.message,
            "details": self.details,
            "field_violations": self.field_violations,
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
        }

    @classmethod
    def from_response(cls, response, method, path):
        body = None
        try:
            body = response.json()
        except ValueError:
            pass
        message = None
        code = details = violations = None
        if isinstance(body, dict):
            # google.rpc Status {code, message, details}; CAST APIs add fieldViolations.
            message = body.get("message") or body.get("error")
            code = body.get("code")
            details = body.get("details")
            violations = body.get("fieldViolations") or body.get("field_violations")
        if not message:
            message = (response.reason or "request failed").strip()
        return cls(
            message=message, status=response.status_code, code=code, details=details,
            field_violations=violations if isinstance(violations, list) else None,
            request_id=response.headers.get("X-Request-Id") or response.headers.get("X-Request-ID"),
            method=method, path=path,
        )


class RetryPolicy(Retry):
    """urllib3 Retry that may re-send any method after a 429.

    A 429 says the server refused the request without acting on it, so even a
    POST is safe to send again. Every other retry (5xx, read errors) stays
    limited to idempotent methods by ``allowed_methods``. Connection failures
    before anything was sent are retried for every method by urllib3 itself.
    """

    def is_retry(self, method, status_code, has_retry_after=False):
        if status_code == 429 and self.status_forcelist and 429 in self.status_forcelist:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)


def build_retry(retries, backoff):
    return RetryPolicy(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        backoff_max=MAX_BACKOFF_SECONDS,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class APIClient:
    """Talks to one API endpoint with one token."""

    def __init__(self, api_url, api_token, timeout=30, validate_certs=True, retries=4, retry_backoff=0.5,
                 session=None):
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.verify = validate_certs
        self.session.headers.update({
            "X-API-Key": api_token,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        })
        adapter = HTTPAdapter(max_retries=build_retry(retries, retry_backoff))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def call(self, operation_id, path_params=None, query=None, body=None):
        """Call one operation; return the decoded JSON body ({} when empty).

        ``query`` entries whose value is None are left out; lists are sent as
        repeated parameters.
        """
        operation = OPERATIONS[operation_id]
        path = self._expand(operation, path_params or {})
        method = operation["method"]
        params = {k: v for k, v in (query or {}).items() if v is not None}
        kwargs = {"params": params, "timeout": self.timeout}
        if body is not None:
            kwargs["json"] = body
        try:
            response = self.session.request(method, self.api_url + path, **kwargs)
        except requests.exceptions.RetryError as exc:
            raise APIError("gave up after retries: %s" % _reason(exc), method=method, path=path) from None
        except requests.exceptions.Timeout:
            raise APIError("no answer from %s within %s seconds" % (self.api_url, self.timeout),
                           method=method, path=path) from None
        except requests.exceptions.RequestException as exc:
            raise APIError("cannot reach %s: %s" % (self.api_url, _reason(exc)), method=method, path=path) from None
        if response.status_code >= 400:
            raise APIError.from_response(response, method, path)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            # The body is not echoed: it may hold a freshly minted token.
            raise APIError("the API answered HTTP %s with a body that is not valid JSON" % response.status_code,
                           status=response.status_code, method=method, path=path) from None

    def paginate(self, operation_id, path_params=None, query=None, page_size=DEFAULT_PAGE_SIZE):
        """Yield every item of a cursor-paged list, page after page, until the API says there is no next page."""
        seen = set()
        cursor = None
        while True:
            page_query = dict(query or {})
            page_query["page.limit"] = str(page_size)
            page_query["page.cursor"] = cursor
            page = self.call(operation_id, path_params, page_query)
            yield from page.get("items") or []
            cursor = page.get("nextPageCursor")
            if not cursor:
                return
            if cursor in seen:
                raise APIError("the API returned the same page cursor twice; stopping to avoid an endless listing",
                               path=OPERATIONS[operation_id]["path"])
            seen.add(cursor)

    def verify(self):
        """Return the organization ID that the token belongs to."""
        return self.call("APIKeysAPIVerifyAPIKey", body={}).get("organizationId")

    @staticmethod
    def _expand(operation, path_params):
        path = operation["path"]
        for name in operation["path_params"]:
            value = path_params.get(name)
            if value in (None, ""):
                raise ValueError("path parameter %s is required for %s" % (name, path))
            path = path.replace("{%s}" % name, requests.utils.quote(str(value), safe=""))
        return path


def _reason(exc):
    """The innermost reason of a requests/urllib3 error, without the long wrapper text."""
    reason = exc
    while True:
        inner = getattr(reason, "reason", None) or (reason.args[0] if getattr(reason, "args", None) else None)
        if inner is None or inner is reason or isinstance(inner, str):
            break
        reason = inner
    return str(reason)
