"""Injected faults: checking a fault definition from the control surface, and the answer a fault gives instead of the normal one."""

import html
import json
import math
import re
import socket
import struct
import time
from http import HTTPStatus

from werkzeug.wrappers import Response

from .errors import CODE_FOR_HTTP, UNAVAILABLE, UNKNOWN, status_body
from .state import FAULT_KINDS, Fault

MALFORMED_JSON = b'{"items": ['
# A body for a truncated answer when the operation was not performed: what a list answer starts like.
TRUNCATED_FILLER = json.dumps(
    {"items": [{"id": "00000000-0000-4000-8000-000000000000", "name": "x" * 64}], "totalCount": 1}
).encode()
FAULT_FIELDS = ("kind", "method", "path", "operation_id", "count", "status", "retry_after", "delay", "apply", "body")
# Which optional fields each kind takes; a field given to a kind that ignores it is refused, so a typo cannot pass silently.
KIND_FIELDS = {
    "status": {"status", "retry_after", "apply"},
    "slow": {"delay", "apply"},
    "reset": set(),
    "reset_after": {"apply"},
    "malformed_json": {"status", "apply"},
    "html": {"status", "retry_after", "apply"},
    "truncated": {"apply"},
    "empty": {"status", "apply"},
    "body": {"status", "apply", "body"},
}
DEFAULT_STATUS = {"status": 503, "html": 502}
_HEADER_TEXT = re.compile(r"^[\t\x20-\x7e]*$")


class FaultError(ValueError):
    """A fault definition the control surface refuses (answered with 400)."""


def _check(condition, message):
    if not condition:
        raise FaultError(message)


def _number(body, name, default, minimum, integer=False):
    value = body.get(name, default)
    kind = int if integer else (int, float)
    _check(
        isinstance(value, kind) and not isinstance(value, bool) and value >= minimum and math.isfinite(value),
        f"{name} must be a{'n integer' if integer else ' number'} >= {minimum}",
    )
    return value


def retry_after_text(value):
    """Retry-After header text: a number becomes whole seconds (rounded up); a string is sent exactly as given."""
    if value is None:
        return None
    if isinstance(value, str):
        _check(_HEADER_TEXT.match(value) is not None, "retry_after must be printable ASCII (it is sent as a header)")
        return value
    _check(
        isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 and math.isfinite(value),
        "retry_after must be a number >= 0 or the header text as a string",
    )
    return str(math.ceil(value))


def build_fault(body, operation_ids):
    """A Fault from the JSON of POST /_sim/faults; FaultError says what is wrong."""
    unknown = sorted(set(body) - set(FAULT_FIELDS))
    _check(not unknown, f"unknown fault field(s): {', '.join(unknown)}; known: {', '.join(FAULT_FIELDS)}")
    kind = body.get("kind")
    _check(kind in FAULT_KINDS, f"kind must be one of {', '.join(FAULT_KINDS)}")
    refused = sorted(
        name
        for name in set(body) - {"kind", "method", "path", "operation_id", "count"}
        if name not in KIND_FIELDS[kind]
    )
    _check(not refused, f"kind {kind} does not take: {', '.join(refused)}")
    try:
        pattern = re.compile(body["path"]) if body.get("path") else None
    except (re.error, TypeError) as error:
        raise FaultError(f"path is not a regular expression: {error}") from None
    method = body.get("method") or None
    _check(method is None or isinstance(method, str), "method must be a string")
    operation_id = body.get("operation_id") or None
    _check(
        operation_id is None or operation_id in operation_ids,
        f"operation_id {operation_id!r} is not an operationId of the spec",
    )
    status = _number(body, "status", DEFAULT_STATUS.get(kind, 200), 200, integer=True)
    lowest = 400 if kind == "status" else 200
    _check(lowest <= status <= 599, f"status must be between {lowest} and 599 for kind {kind}")
    apply = body.get("apply", kind == "reset_after")
    _check(isinstance(apply, bool), "apply must be true or false")
    _check(
        kind != "reset_after" or apply, "reset_after always applies the operation; use kind reset for a reset before it"
    )
    return Fault(
        kind=kind,
        remaining=_number(body, "count", 1, 1, integer=True),
        method=method,
        path=pattern,
        operation_id=operation_id,
        status=status,
        retry_after=retry_after_text(body.get("retry_after")),
        delay=float(_number(body, "delay", 1.0, 0)),
        apply=apply,
        body=body.get("body"),
    )


class Reset:
    """Answer that closes the connection without an HTTP response; `applied` says whether the operation ran first."""

    status_code = None

    def __call__(self, environ, start_response):
        sock = environ.get("werkzeug.socket")
        if sock is None:  # not werkzeug's server: the nearest thing is a gateway error
            return Response(
                json.dumps(status_body(UNAVAILABLE, "simulated connection reset")),
                status=502,
                mimetype="application/json",
            )(environ, start_response)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        start_response("502 Bad Gateway", [("Content-Length", "0")])
        return []


class Truncated:
    """A 200 whose Content-Length promises the whole body but which sends half of it; the server then closes the connection."""

    status_code = 200

    def __init__(self, body):
        self.body = body

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(self.body)))])
        return [self.body[: len(self.body) // 2]]  # werkzeug's server closes every connection after the answer


def html_page(status):
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    title = html.escape(f"{status} {phrase}")
    if status == 200:  # what a captive portal or a login proxy answers instead of the API
        return (
            "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1>"
            '<form method="post"><input name="user"></form></body></html>\n'
        )
    return (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center><hr>"
        f"<center>nginx</center></body></html>\n"
    )


def fault_answer(fault, performed):
    """The answer a fault sends; `performed` is the operation's own answer when the fault applied it first (else None)."""
    headers = {} if fault.retry_after is None else {"Retry-After": fault.retry_after}
    if fault.kind in ("reset", "reset_after"):
        return Reset()
    if fault.kind == "malformed_json":
        return Response(MALFORMED_JSON, status=fault.status, mimetype="application/json")
    if fault.kind == "html":
        return Response(
            html_page(fault.status), status=fault.status, headers=headers, content_type="text/html; charset=utf-8"
        )
    if fault.kind == "truncated":
        return Truncated(performed.get_data() if performed is not None and performed.get_data() else TRUNCATED_FILLER)
    if fault.kind == "empty":
        return Response(b"", status=fault.status, mimetype="application/json")
    if fault.kind == "body":
        return Response(json.dumps(fault.body), status=fault.status, mimetype="application/json")
    return Response(
        json.dumps(status_body(CODE_FOR_HTTP.get(fault.status, UNKNOWN), f"simulated fault: HTTP {fault.status}")),
        status=fault.status,
        headers=headers,
        mimetype="application/json",
    )


def serve(fault, perform):
    """(answer to send, the operation's own answer or None when it was not performed) for a request under `fault` (None: no fault)."""
    if fault is None:
        performed = perform()
        return performed, performed
    if fault.kind == "slow":
        # apply: the server acts, then the answer is late (a client read timeout then hides a write that happened);
        # otherwise the request waits before the server acts.
        performed = perform() if fault.apply else None
        time.sleep(fault.delay)
        if performed is None:
            performed = perform()
        return performed, performed
    performed = perform() if fault.apply else None
    return fault_answer(fault, performed), performed
