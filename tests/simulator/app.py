"""WSGI application of the simulator: spec routing, auth, validation of requests and responses, faults, request log."""

import json
import sys
import traceback
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from . import control, faults, ops_catalog, ops_keys, ops_models, ops_observability
from .errors import INTERNAL, NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED, ApiError, status_body
from .spec import API_PREFIX, SPEC_PATH, load_contract
from .state import State, redact, rfc3339

HANDLERS = {**ops_keys.HANDLERS, **ops_models.HANDLERS, **ops_catalog.HANDLERS, **ops_observability.HANDLERS}


@dataclass
class Call:
    """What a handler gets: the state, the caller's key and organization, path parameters, query, parsed body and the contract."""

    state: State
    key: object
    org: object
    params: dict
    query: object
    body: dict
    contract: object


def json_response(status, payload, headers=None):
    return Response(json.dumps(payload), status=status, headers=headers, mimetype="application/json")


def token_of(request):
    """The API token from X-API-Key, or from 'Authorization: Bearer'."""
    token = request.headers.get("X-API-Key", "").strip()
    if not token:
        parts = request.headers.get("Authorization", "").split()
        if len(parts) == 2 and parts[0].lower() == "bearer":
            token = parts[1]
    return token or None


def parse_json(data):
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


class SimulatorApp:
    """The WSGI callable."""

    def __init__(self, state, contract):
        self.state = state
        self.contract = contract

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == "/_sim" or request.path.startswith("/_sim/"):
            response = control.dispatch(self.state, request, self.contract)
        elif request.path.startswith(API_PREFIX):
            response = self.serve_api(request)
        else:
            response = json_response(404, status_body(NOT_FOUND, f"no such path: {request.path}"))
        return response(environ, start_response)

    def serve_api(self, request):
        data = request.get_data(cache=True)
        token = token_of(request)
        try:
            operation_id = self.contract.route(request.method, request.path)[0].operation_id
        except ApiError:
            operation_id = None
        fault = self.state.take_fault(request.method, request.path, operation_id)
        response, performed = faults.serve(fault, lambda: self.answer(request, token, data))
        self.state.log_request(
            {
                "method": request.method,
                "path": request.path,
                "query": {name: values[0] if len(values) == 1 else values for name, values in request.args.lists()},
                "body": redact(parse_json(data)),
                "status": response.status_code,
                "api_key_suffix": token[-4:] if token else None,
                "time": rfc3339(self.state.clock()),
                "operation_id": operation_id,
                "fault": fault.kind if fault else None,
                # whether the server did what was asked (its own answer was a success), whatever the client got
                "applied": performed is not None and 200 <= performed.status_code < 300,
                "operation_status": None if performed is None else performed.status_code,
            }
        )
        return response

    def answer(self, request, token, data):
        """Route, authenticate, validate, run the handler and check the answer against the spec."""
        try:
            operation, params = self.contract.route(request.method, request.path)
        except ApiError as error:
            return json_response(error.http_status, error.body())
        headers = {}
        try:
            payload, status = self.run(operation, params, request, token, data), 200
        except ApiError as error:
            payload, status, headers = error.body(), error.http_status, error.headers
        except Exception as error:  # a simulator bug: answer like the service would, and say so on stderr
            sys.stderr.write(f"castai-simulator: BUG: {operation.operation_id} failed:\n{traceback.format_exc()}")
            payload, status = status_body(INTERNAL, f"simulator: internal error: {error!r}"), 500
        body = json.dumps(payload).encode()
        problem = self.contract.response_problem(operation, request.path, params, status, "application/json", body)
        if problem:
            sys.stderr.write(
                f"castai-simulator: BUG: {operation.operation_id} answer {status} does not match the spec: {problem}\n"
            )
            status, headers = 500, {}
            body = json.dumps(status_body(INTERNAL, f"simulator: response does not match spec: {problem}")).encode()
        return Response(body, status=status, headers=headers, mimetype="application/json")

    def run(self, operation, params, request, token, data):
        key = self.state.key_for_token(token)
        if key is None:
            raise ApiError(401, UNAUTHENTICATED, "invalid or missing API key")
        if operation.org_param and params[operation.org_param] != key.organization_id:
            raise ApiError(403, PERMISSION_DENIED, f"permission denied for organization {params[operation.org_param]}")
        headers = dict(request.headers.items())
        headers["X-API-Key"] = token
        self.contract.check_request(operation, request.path, params, request.args, headers, data, request.content_type)
        handler = HANDLERS.get(operation.operation_id)
        if handler is None:
            raise ApiError(501, UNIMPLEMENTED, f"{operation.operation_id} is not implemented by the simulator")
        body = parse_json(data)
        with self.state.lock:
            organization = self.state.organizations[key.organization_id]
            return handler(
                Call(
                    self.state,
                    key,
                    organization,
                    params,
                    request.args,
                    body if isinstance(body, dict) else {},
                    self.contract,
                )
            )


def make_app(state=None, spec_path=SPEC_PATH):
    """The simulator's WSGI application over `state` (a fresh default State when None)."""
    return SimulatorApp(state if state is not None else State(), load_contract(spec_path))
