"""The vendored OpenAPI contract: routes requests by its paths and validates requests and responses with openapi-core."""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .errors import INVALID_ARGUMENT, NOT_FOUND, UNIMPLEMENTED, ApiError

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "ai-optimizer.openapi.yaml"
API_PREFIX = "/ai-optimizer/v1beta/"
# The spec's only server; validation runs against it whatever address the simulator listens on.
SERVER_URL = "https://api.cast.ai"
METHODS = ("get", "put", "post", "delete", "patch")
_ORG_PARAM = re.compile(r"^/ai-optimizer/v1beta/organizations/\{(\w+)\}")
_REQUIRED = re.compile(r"^'(.+)' is a required property$")


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: method, path template and the regex that matches concrete paths."""

    operation_id: str
    method: str
    template: str
    regex: re.Pattern
    org_param: str | None

    def match(self, path):
        found = self.regex.fullmatch(path)
        return None if found is None else found.groupdict()


def _compile(template):
    """Turn '/a/{id}:scale' into a regex; a parameter never spans '/' or ':' (custom verbs follow a colon)."""
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/:]+)" for index, part in enumerate(parts))
    return re.compile(pattern)


class _CheckedRequest:
    """A request as openapi-core wants it (its Request and SupportsPathPattern protocols)."""

    host_url = SERVER_URL

    def __init__(self, operation, path, path_params, query, headers, body, content_type):
        self.method = operation.method
        self.path = path
        self.path_pattern = operation.template
        self.body = body
        self.content_type = content_type or "application/octet-stream"
        self.parameters = RequestParameters(
            path=dict(path_params),
            query=ImmutableMultiDict(query),
            header=Headers(headers),
            cookie=ImmutableMultiDict(),
        )


class _CheckedResponse:
    """A response as openapi-core wants it."""

    def __init__(self, status_code, content_type, data, headers=None):
        self.status_code = status_code
        self.content_type = content_type
        self.data = data
        self.headers = Headers(headers or {})


def describe_error(error):
    """Short text and field violations for an openapi-core validation error."""
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None) or [])
    parameter = getattr(error, "name", None)  # set on parameter errors
    violations = []
    for schema_error in schema_errors:
        parts = [str(part) for part in schema_error.absolute_path]
        required = _REQUIRED.match(schema_error.message)
        if schema_error.validator == "required" and required:
            parts.append(required.group(1))
        field = ".".join(([parameter] if parameter else []) + parts)
        violations.append((field, schema_error.message))
    text = str(error)
    if violations:
        if cause is not None:
            text = text.replace(
                f": {cause}", ""
            )  # the cause repeats the whole instance; list the schema errors instead
        text += ": " + "; ".join(
            f"{field}: {message}" if field and field != parameter else message for field, message in violations
        )
    elif cause is not None and str(cause) and str(cause) not in text:
        text += f": {cause}"
    return text, violations


class Contract:
    """Operations of the spec plus an openapi-core validator for it."""

    def __init__(self, path=SPEC_PATH):
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.document = document
        self.openapi = OpenAPI.from_dict(document)
        self.operations = []
        for template, item in document["paths"].items():
            org = _ORG_PARAM.match(template)
            for method in METHODS:
                if method in item:
                    self.operations.append(
                        Operation(
                            item[method]["operationId"],
                            method,
                            template,
                            _compile(template),
                            org.group(1) if org else None,
                        )
                    )

    @functools.lru_cache(maxsize=32)  # noqa: B019 - one contract object lives as long as the server
    def sortable_fields(self, schema_name):
        """Field paths a list of `schema_name` can be sorted by: its scalar fields, nested ones joined with a dot (the spec's
        sort.field says 'Nested fields can be specified by using a dot')."""
        schemas = self.document["components"]["schemas"]

        def target(node):
            ref = node.get("$ref") or next((part["$ref"] for part in node.get("allOf", ()) if "$ref" in part), None)
            return schemas[ref.rsplit("/", 1)[1]] if ref else node

        def walk(schema, prefix, depth):
            for name, node in schema.get("properties", {}).items():
                node = target(node)
                if node.get("type") in ("string", "integer", "number", "boolean"):
                    yield prefix + name
                elif node.get("properties") and depth < 3:
                    yield from walk(node, f"{prefix}{name}.", depth + 1)

        return frozenset(walk(schemas[schema_name], "", 0))

    def route(self, method, path):
        """The operation and path parameters for a request; ApiError 404/405 when the spec has none."""
        path_known = False
        for operation in self.operations:
            params = operation.match(path)
            if params is None:
                continue
            if operation.method == method.lower():
                return operation, params
            path_known = True
        if path_known:
            raise ApiError(405, UNIMPLEMENTED, f"method {method} is not allowed for {path}")
        raise ApiError(404, NOT_FOUND, f"no such API path: {path}")

    def check_request(self, operation, path, path_params, query, headers, body, content_type):
        """Raise ApiError 400 when the request does not match the spec."""
        request = _CheckedRequest(operation, path, path_params, query, headers, body, content_type)
        try:
            self.openapi.validate_request(request)
        except OpenAPIError as error:
            text, violations = describe_error(error)
            raise ApiError(400, INVALID_ARGUMENT, text, violations) from error

    def response_problem(self, operation, path, path_params, status, content_type, data):
        """None when the response matches the spec, else a description of the mismatch."""
        request = _CheckedRequest(operation, path, path_params, {}, {}, b"", None)
        try:
            self.openapi.validate_response(request, _CheckedResponse(status, content_type, data))
        except OpenAPIError as error:
            return describe_error(error)[0]
        return None


@functools.lru_cache(maxsize=4)
def load_contract(path=SPEC_PATH):
    """Parse the spec once per process (about a second of work)."""
    return Contract(Path(path))
