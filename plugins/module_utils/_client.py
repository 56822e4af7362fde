# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client for the CAST AI AI Optimizer API.

Every request goes through ``APIClient.call`` with an operationId from the
spec-built operation table, so methods and paths come from the vendored
contract and never from hand-typed strings in modules.

The client runs its own retry loop instead of urllib3's ``Retry``: it has to
know, for every failure, whether the request may have reached the API
(``APIError.sent``) and how many attempts it made (``APIError.attempts``), it
retries answers whose body broke off (which happens after urllib3 is done),
and it must behave the same on urllib3 1.26 and 2.x.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import ssl
import time
import traceback
import warnings
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ._generated.operations import OPERATIONS
from ._version import COLLECTION_VERSION

if TYPE_CHECKING:
    from collections.abc import Iterator

REQUESTS_REQUIREMENT = "requests >= 2.28 with urllib3 >= 1.26"
_MIN_REQUESTS = (2, 28)
_MIN_URLLIB3 = (1, 26)


def _version_tuple(text):
    numbers = re.match(r"(\d+)\.(\d+)", text or "")
    return (int(numbers.group(1)), int(numbers.group(2))) if numbers else (0, 0)


def library_problem(requests_version: str | None, urllib3_version: str | None) -> str | None:
    """Why these versions of requests and urllib3 will not do, or None."""
    if _version_tuple(requests_version) < _MIN_REQUESTS or _version_tuple(urllib3_version) < _MIN_URLLIB3:
        return "%s is required; this Python has requests %s and urllib3 %s" % (
            REQUESTS_REQUIREMENT,
            requests_version,
            urllib3_version,
        )
    return None


try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import InsecureRequestWarning, NewConnectionError
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    # Too old counts as missing: the module base turns either into one "install ..." failure.
    REQUESTS_IMPORT_ERROR = library_problem(requests.__version__, urllib3.__version__)
    HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None

USER_AGENT = "castai.ai_optimizer/%s" % COLLECTION_VERSION
RETRY_STATUSES = frozenset((429, 502, 503, 504))
# Sending these again cannot do anything twice. POST and PATCH stay out: a POST whose answer was lost may already
# have minted a key.
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))
READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
# POST operations that change nothing on the server, so they are retried like reads.
SIDE_EFFECT_FREE_OPERATIONS = frozenset(("APIKeysAPIVerifyAPIKey",))

MAX_RETRIES = 20
MAX_BACKOFF_SECONDS = 30  # one wait computed from api_retry_backoff
MAX_RETRY_AFTER_SECONDS = 60  # a longer Retry-After ends the retries at once instead of waiting
MAX_TOTAL_WAIT_SECONDS = 120  # all waits of one call together
# The largest page the API serves (CAST AI's API documentation; the contract states no maximum): fewer requests
# for big lists, and a lookup that stops at the first page holding its item reads at most this many.
DEFAULT_PAGE_SIZE = 1000
VERIFY_OPERATION = "APIKeysAPIVerifyAPIKey"

# google.rpc.Code names, so errors read "NOT_FOUND" rather than 5.
RPC_CODE_NAMES = {
    0: "OK",
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}

_DELAY_SECONDS = re.compile(r"[0-9]{1,10}")  # RFC 9110 delay-seconds: digits only, so "1.5" and "-5" are not one


def _sleep(seconds):
    """Every wait of the retry loop goes through here (the unit tests replace it to wait for nothing)."""
    time.sleep(seconds)


class APIError(Exception):
    """A failed API call: the API's own message plus everything it told us.

    ``status`` is None when no HTTP answer arrived (connection refused, reset, timeout).
    ``sent`` is False only when the request certainly never reached the API (the connection was never opened, or
    the request was refused locally); whenever it may have been acted on it is True.
    ``attempts`` counts the HTTP requests this call made, retries included (0 when none was made).
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: int | str | None = None,
        details: list[Any] | None = None,
        field_violations: list[Any] | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        sent: bool = True,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details or []
        self.field_violations = field_violations or []
        self.request_id = request_id
        self.method = method
        self.path = path
        self.sent = sent
        self.attempts = attempts

    @property
    def acknowledged(self) -> bool:
        """Whether the API answered 2xx: the request took effect, but its answer could not be used."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def code_name(self) -> str | None:
        return RPC_CODE_NAMES.get(self.code) if isinstance(self.code, int) else self.code

    def __str__(self) -> str:
        text = self.message
        if self.field_violations:
            text += " (%s)" % "; ".join(
                "%s: %s" % (v.get("field", "?"), v.get("description", "")) if isinstance(v, dict) else str(v)
                for v in self.field_violations
            )
        if self.status is not None:
            text = "HTTP %s%s: %s" % (self.status, " " + self.code_name if self.code_name else "", text)
        if self.attempts > 1:
            text += " (%d attempts)" % self.attempts
        return text

    def to_failure(self) -> dict[str, Any]:
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
            "sent": self.sent,
            "attempts": self.attempts,
        }

    @classmethod
    def from_response(cls, response: requests.Response, method: str, path: str, body: bytes | None = None) -> APIError:
        """The error an HTTP error answer stands for; ``body`` is its raw content (read from ``response`` if None)."""
        if body is None:
            body = response.content
        decoded = None
        try:
            decoded = json.loads(body) if body else None
        except ValueError:
            pass
        message = None
        code = details = violations = None
        if isinstance(decoded, dict):
            # google.rpc Status {code, message, details}; CAST APIs add fieldViolations.
            message = decoded.get("message") or decoded.get("error")
            code = decoded.get("code")
            details = decoded.get("details")
            violations = decoded.get("fieldViolations") or decoded.get("field_violations")
        if not isinstance(message, str) or not message.strip():
            # The body of a non-JSON error page is not echoed: it is noise at best and may hold anything.
            message = (response.reason or "request failed").strip()
        if not isinstance(code, (int, str)) or isinstance(code, bool):
            code = None
        if 300 <= response.status_code < 400:
            # Redirects are not followed: requests would carry X-API-Key to wherever the answer points.
            message += " (redirect to %s not followed; check api_url)" % (response.headers.get("Location") or "?")
        return cls(
            message=message,
            status=response.status_code,
            code=code,
            details=details if isinstance(details, list) else None,
            field_violations=violations if isinstance(violations, list) else None,
            request_id=response.headers.get("X-Request-Id") or response.headers.get("X-Request-ID"),
            method=method,
            path=path,
            sent=True,
        )


class _Failed(Exception):
    """One attempt that did not give a usable answer: the error it stands for and whether another try may help."""

    def __init__(self, error, retry, retry_after=None):
        super().__init__(error.message)
        self.error = error
        self.retry = retry
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> int | None:
    """Seconds to wait from a Retry-After header, or None when it is absent or malformed.

    Delay-seconds (digits only) and an HTTP-date are accepted. Anything else, and a date that is already past,
    counts as absent, so the normal backoff applies.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # HTTP-dates are always GMT
    seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return math.ceil(seconds) if seconds > 0 else None


def token_problem(token: str | None, name: str = "api_token") -> str | None:
    """Why ``token`` (already stripped) cannot be sent in an HTTP header, or None. Never includes the value."""
    if not token:
        return "%s is empty" % name
    for char in token:
        if not 0x21 <= ord(char) <= 0x7E:
            if char.isspace() and ord(char) < 0x80:
                kind = "whitespace inside it (a space, tab or line break)"
            elif ord(char) < 0x20 or ord(char) == 0x7F:
                kind = "a control character"
            else:
                kind = "a non-ASCII character"
            return (
                "%s contains %s, which an HTTP header cannot carry; surrounding whitespace is removed, but not "
                "this (the value is not shown)" % (name, kind)
            )
    return None


def _json_kind(value):
    if isinstance(value, list):
        return "a JSON list"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, bool):
        return "a JSON boolean"
    if isinstance(value, (int, float)):
        return "a JSON number"
    if value is None:
        return "JSON null"
    return "a JSON object"


class APIClient:
    """Talks to one API endpoint with one token.

    ``requests_made`` counts every HTTP request this client sent (or tried to send), retries included.
    """

    def __init__(
        self,
        api_url: str,
        api_token: str | None,
        api_timeout: float = 30,
        validate_certs: bool = True,
        api_retries: int = 4,
        api_retry_backoff: float = 0.5,
        ca_path: str | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.api_timeout = api_timeout
        self.api_retries = api_retries
        self.api_retry_backoff = api_retry_backoff
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override session.verify, so the value is also passed
        # with every request, where validate_certs=false and ca_path win over the environment.
        self.tls_verify = (ca_path or True) if validate_certs else False
        self.requests_made = 0
        self._last_attempts = 0
        raw = api_token if isinstance(api_token, str) else ""
        token = raw.strip()
        self._secrets = sorted({s for s in (raw, token) if s}, key=len, reverse=True)
        self._token_problem = token_problem(token, "the API token")
        self.session = session or requests.Session()
        self.session.verify = self.tls_verify
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if not self._token_problem:
            self.session.headers["X-API-Key"] = token
        adapter = HTTPAdapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    # --- public API ------------------------------------------------------------------------------------------------

    @property
    def max_call_seconds(self) -> float:
        """The longest one call may take: every attempt's connect and read timeouts plus all waits between them.

        A server that trickles an answer slower than api_timeout per read can stretch one read past this.
        """
        return (self.api_retries + 1) * 2 * self.api_timeout + MAX_TOTAL_WAIT_SECONDS

    def call(
        self,
        operation_id: str,
        path_params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Call one operation; return the decoded JSON object ({} for an empty answer where none is declared).

        ``query`` entries whose value is None are left out; lists are sent as repeated parameters.
        """
        return self._call(operation_id, path_params, query, body)[1]

    def paginate(
        self,
        operation_id: str,
        path_params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a cursor-paged list, page after page, until the API says there is no next page."""
        seen = set()
        cursor = None
        while True:
            page_query = dict(query or {})
            page_query["page.limit"] = str(page_size)
            page_query["page.cursor"] = cursor
            status, page = self._call(operation_id, path_params, page_query)
            items, cursor = self._page_parts(OPERATIONS[operation_id], status, page)
            if cursor and cursor in seen:
                raise self._page_error(
                    OPERATIONS[operation_id],
                    status,
                    "with a cursor it already returned; stopping to avoid an endless listing",
                )
            yield from items
            if not cursor:
                return
            # Let this page go before the next one arrives: a long listing holds one raw page, not two.
            page = items = None
            seen.add(cursor)

    def _page_parts(self, operation, status, page):
        """(items, next cursor) of one page, checked before any item is used."""
        # The contract marks `items` required on the list responses the collection pages through (all but
        # ListAPIKeyBudgetsResponse). That the real API (grpc-gateway) always emits an empty list as "items": []
        # rather than leaving it out is an assumption; an answer without it is refused rather than read as
        # "nothing exists", which would make a module create what already exists.
        items = page.get("items")
        if items is None:
            raise self._page_error(operation, status, "without items")
        if not isinstance(items, list):
            raise self._page_error(operation, status, "whose items are %s, not a list" % _json_kind(items))
        for item in items:
            if not isinstance(item, dict):
                raise self._page_error(operation, status, "whose items hold %s, not objects" % _json_kind(item))
        cursor = page.get("nextPageCursor")
        if cursor is not None and not isinstance(cursor, str):
            raise self._page_error(operation, status, "whose nextPageCursor is %s, not a string" % _json_kind(cursor))
        return items, cursor

    def _page_error(self, operation, status, what):
        method, path = operation["method"], operation["path"]
        return self._error(
            "the API answered a page %s for %s %s" % (what, method, path),
            status=status,
            method=method,
            path=path,
            attempts=self._last_attempts,
        )

    def verify(self) -> str | None:
        """Return the organization ID that the token belongs to (None when the API names none)."""
        status, answer = self._call(VERIFY_OPERATION, body={})
        organization_id = answer.get("organizationId")
        if organization_id is not None and not isinstance(organization_id, str):
            path = OPERATIONS[VERIFY_OPERATION]["path"]
            raise self._error(
                "the API answered an organizationId that is %s, not a string" % _json_kind(organization_id),
                status=status,
                method="POST",
                path=path,
                attempts=self._last_attempts,
            )
        return organization_id

    # --- one call: attempts, waits, answer checks -------------------------------------------------------------------

    def _call(self, operation_id, path_params=None, query=None, body=None):
        """(HTTP status, decoded answer) of one operation, retried as its method and the failure allow."""
        operation = OPERATIONS[operation_id]
        method = operation["method"]
        path = self._expand(operation, path_params or {}, method)
        if self._token_problem:
            raise self._error(self._token_problem, method=method, path=path, sent=False)
        read_only = method in READ_METHODS or operation_id in SIDE_EFFECT_FREE_OPERATIONS
        safe = read_only or method in IDEMPOTENT_METHODS
        request = {
            "params": {k: v for k, v in (query or {}).items() if v is not None},
            "timeout": self.api_timeout,
            "verify": self.tls_verify,
            "allow_redirects": False,
            "stream": True,  # the body is read under our own error handling (truncated answers, see _read)
        }
        if body is not None:
            request["json"] = body
        expects_object = bool(operation.get("response")) and method != "DELETE"
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            self._last_attempts = attempt
            try:
                return self._attempt(method, path, request, safe, read_only, expects_object)
            except _Failed as failed:
                error = failed.error
                error.attempts = attempt
                if not failed.retry or attempt > self.api_retries:
                    raise error from None
                wait, why_not = self._next_wait(attempt, failed.retry_after, waited)
                if why_not:
                    error.message += " (not retried: %s)" % why_not
                    error.args = (error.message,)
                    raise error from None
                waited += wait
                _sleep(wait)

    def _next_wait(self, attempt, retry_after, waited):
        """(seconds to wait before the next attempt, None) or (None, why there is no next attempt)."""
        if retry_after is not None:
            if retry_after > MAX_RETRY_AFTER_SECONDS:
                return None, "the API asked to wait %d s, more than the %d s this collection waits" % (
                    retry_after,
                    MAX_RETRY_AFTER_SECONDS,
                )
            wait = retry_after
        else:
            wait = min(MAX_BACKOFF_SECONDS, self.api_retry_backoff * 2 ** (attempt - 1))
        if waited + wait > MAX_TOTAL_WAIT_SECONDS:
            return None, "waiting %g s more would pass the %d s one call may spend waiting between attempts" % (
                wait,
                MAX_TOTAL_WAIT_SECONDS,
            )
        return wait, None

    def _attempt(self, method, path, request, safe, read_only, expects_object):
        """One HTTP request: (status, answer), or _Failed saying whether a retry may help."""
        self.requests_made += 1
        response = self._send(method, path, request, safe)
        try:
            status = response.status_code
            content = self._read(response, method, path, safe)
            if status >= 300:
                error = APIError.from_response(response, method, path, content)
                retry = status in RETRY_STATUSES and (status == 429 or safe)
                retry_after = parse_retry_after(response.headers.get("Retry-After")) if retry else None
                raise _Failed(self._scrubbed(error), retry, retry_after)
            return status, self._decode(content, status, method, path, read_only, expects_object)
        finally:
            response.close()

    def _send(self, method, path, request, safe):
        """Send the request and return the response (headers read, body not yet); map failures to _Failed."""
        try:
            with warnings.catch_warnings():
                if self.tls_verify is False:
                    # The user turned verification off on purpose; urllib3 would warn on every request.
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                return self.session.request(method, self.api_url + path, **request)
        except requests.exceptions.SSLError as exc:
            # The handshake precedes the request, so nothing was sent; a bad certificate stays bad, so no retry.
            raise _Failed(
                self._error(
                    "TLS with %s failed: %s; set ca_path to the CA bundle of a private CA, or "
                    "validate_certs to false for a test endpoint you trust" % (self.api_url, _describe(exc)),
                    method=method,
                    path=path,
                    sent=False,
                ),
                retry=False,
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise _Failed(
                self._error(
                    "could not connect to %s within %s seconds" % (self.api_url, self.api_timeout),
                    method=method,
                    path=path,
                    sent=False,
                ),
                retry=True,
            ) from None
        except requests.exceptions.ReadTimeout:
            raise _Failed(
                self._error(
                    "no answer from %s within %s seconds" % (self.api_url, self.api_timeout), method=method, path=path
                ),
                retry=safe,
            ) from None
        except requests.exceptions.ConnectionError as exc:
            opened = not _never_connected(exc)
            raise _Failed(
                self._error(
                    "cannot reach %s: %s" % (self.api_url, _describe(exc)), method=method, path=path, sent=opened
                ),
                retry=safe or not opened,
            ) from None
        except (requests.exceptions.RequestException, ValueError, TypeError) as exc:
            # Invalid headers, URLs or bodies. Their text may quote a header value, the token included, so only
            # the kind of error is reported.
            raise _Failed(
                self._error(
                    "the request could not be built (%s); nothing was sent" % type(exc).__name__,
                    method=method,
                    path=path,
                    sent=False,
                ),
                retry=False,
            ) from None

    def _read(self, response, method, path, safe):
        """The whole body; an answer that broke off is lost like a reset one: retried when sending again is safe."""
        try:
            content = response.content
            declared = response.headers.get("Content-Length")
            # urllib3 2 refuses a short body by itself; urllib3 1.26 hands it over as if complete.
            plain = declared and declared.isdigit() and not response.headers.get("Content-Encoding")
            if plain and len(content) < int(declared):
                raise requests.exceptions.ChunkedEncodingError("short body")
        except (requests.exceptions.RequestException, OSError, ValueError):
            raise _Failed(
                self._error(
                    "the answer of %s %s broke off before its end" % (method, path),
                    status=response.status_code,
                    method=method,
                    path=path,
                ),
                retry=safe,
            ) from None
        return content

    def _decode(self, content, status, method, path, read_only, expects_object):
        if not content.strip():
            if expects_object:
                raise _Failed(
                    self._error(
                        "the API answered an empty body for %s %s where an object was expected" % (method, path),
                        status=status,
                        method=method,
                        path=path,
                    ),
                    retry=False,
                )
            return {}
        try:
            answer = json.loads(content)
        except ValueError:
            # A complete answer that is not JSON is the server's doing, so only reads ask again (a PUT or DELETE
            # would only repeat a write that took effect). The body is not echoed: it may hold a minted token.
            raise _Failed(
                self._error(
                    "the API answered HTTP %s with a body that is not valid JSON for %s %s" % (status, method, path),
                    status=status,
                    method=method,
                    path=path,
                ),
                retry=read_only,
            ) from None
        if not isinstance(answer, dict):
            raise _Failed(
                self._error(
                    "the API answered %s for %s %s where an object was expected" % (_json_kind(answer), method, path),
                    status=status,
                    method=method,
                    path=path,
                ),
                retry=False,
            )
        return answer

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _error(self, message, **kwargs):
        return self._scrubbed(APIError(message, **kwargs))

    def _scrubbed(self, error):
        """The token out of every text an error carries, whatever produced it (defence in depth)."""
        error.message = self._scrub(error.message)
        error.details = self._scrub(error.details)
        error.field_violations = self._scrub(error.field_violations)
        error.args = (error.message,)
        return error

    def _scrub(self, value):
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, "********")
            return value
        if isinstance(value, list):
            return [self._scrub(v) for v in value]
        if isinstance(value, dict):
            return {self._scrub(k): self._scrub(v) for k, v in value.items()}
        return value

    def _expand(self, operation, path_params, method):
        path = operation["path"]
        for name in operation["path_params"]:
            value = path_params.get(name)
            text = "" if value is None else str(value)
            # Dot segments would be normalised away by the URL machinery and reach another path.
            if text in ("", ".", "..") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
                raise self._error(
                    "path parameter %s of %s must not be empty, '.', '..' or contain control "
                    "characters; nothing was sent" % (name, operation["path"]),
                    method=method,
                    path=operation["path"],
                    sent=False,
                )
            path = path.replace("{%s}" % name, requests.utils.quote(text, safe=""))
        return path


def _never_connected(exc):
    """Whether a requests ConnectionError happened before the request went out (refused, unreachable, DNS)."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # MaxRetryError wraps the cause
    return isinstance(reason, NewConnectionError)


def _describe(exc):
    """A short cause of a transport error: the innermost OS/TLS reason, without object reprs or request details."""
    seen = set()
    inner = exc
    while id(inner) not in seen:
        seen.add(id(inner))
        nested = getattr(inner, "reason", None)
        if not isinstance(nested, BaseException):
            nested = next((arg for arg in inner.args if isinstance(arg, BaseException)), None)
        if nested is None:
            nested = inner.__cause__ or inner.__context__
        if nested is None:
            break
        inner = nested
    if isinstance(inner, ssl.SSLCertVerificationError):
        return "certificate verify failed: %s" % (inner.verify_message or inner.reason)
    if isinstance(inner, ssl.SSLError):
        return "%s" % (inner.reason or type(inner).__name__)
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    text = str(inner)
    # urllib3 prefixes "<HTTPConnection object at 0x...>: "; the address is noise.
    return re.sub(r"^<[^>]*>:\s*", "", text) or type(inner).__name__
