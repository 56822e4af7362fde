"""google.rpc error codes and the ApiError exception that handlers raise to answer with a Status body."""

OK = 0
UNKNOWN = 2
INVALID_ARGUMENT = 3
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
UNAUTHENTICATED = 16

# google.rpc code the CAST APIs use for an HTTP status (for injected faults).
CODE_FOR_HTTP = {
    400: INVALID_ARGUMENT,
    401: UNAUTHENTICATED,
    403: PERMISSION_DENIED,
    404: NOT_FOUND,
    409: ALREADY_EXISTS,
    429: RESOURCE_EXHAUSTED,
    500: INTERNAL,
    501: UNIMPLEMENTED,
    502: UNAVAILABLE,
    503: UNAVAILABLE,
    504: UNAVAILABLE,
}


def status_body(code, message, field_violations=None):
    """Build a google.rpc Status body, with CAST AI's fieldViolations when given."""
    body = {"code": code, "message": message, "details": []}
    if field_violations:
        body["fieldViolations"] = [
            {"field": field, "description": description} for field, description in field_violations
        ]
    return body


class ApiError(Exception):
    """An error answer: HTTP status, google.rpc code, message and optional field violations."""

    def __init__(self, http_status, code, message, field_violations=None, headers=None):
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.field_violations = list(field_violations or [])
        self.headers = dict(headers or {})

    def body(self):
        return status_body(self.code, self.message, self.field_violations)


def invalid(violations, prefix="invalid request"):
    """A 400 INVALID_ARGUMENT error from a list of (field, description) pairs."""
    text = "; ".join(f"{field}: {description}" for field, description in violations)
    return ApiError(400, INVALID_ARGUMENT, f"{prefix}: {text}", violations)


def not_found(what, ident):
    return ApiError(404, NOT_FOUND, f"{what} {ident} not found")


def failed_precondition(message):
    return ApiError(400, FAILED_PRECONDITION, message)
