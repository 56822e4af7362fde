"""Control surface under /_sim/ (no auth, JSON in and out): reset, config, fixtures, forced statuses, faults, request log."""

import copy
import json
import re
import uuid

from werkzeug.wrappers import Response

from . import lifecycle
from .errors import ApiError
from .ops_keys import decimal_text, parse_money
from .ops_models import build_model
from .state import FAULT_KINDS, Fault, Step

STATUSES = ('DELETING', 'DEPLOYING', 'FAILED', 'HIBERNATED', 'HIBERNATING', 'RESTARTING', 'RESUMING', 'RUNNING', 'SCALING',
            'STATUS_UNSPECIFIED', 'STOPPED', 'WARNING')
IDLE_STATUSES = ('DEPLOYING', 'HIBERNATED', 'STOPPED', 'RESUMING', 'STATUS_UNSPECIFIED')


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def reply(payload, status=200):
    return Response(json.dumps(payload), status=status, mimetype='application/json')


def need(condition, message, status=400):
    if not condition:
        raise ControlError(status, message)


def number(body, name, default, minimum=0.0, integer=False):
    value = body.get(name, default)
    kind = int if integer else (int, float)
    need(value is None or (isinstance(value, kind) and not isinstance(value, bool) and value >= minimum),
         f'{name} must be a{"n integer" if integer else " number"} >= {minimum}')
    return value


def key_info(key):
    return {'organization_id': key.organization_id, 'token': key.token, 'api_key_id': key.id}


def organization_of(state, body):
    organization_id = body.get('organization_id') or state.initial['organization_id']
    need(organization_id in state.organizations, f'unknown organization {organization_id}', 404)
    return organization_id


def find_model(state, model_id):
    for organization in state.organizations.values():
        model = organization.models.get(model_id)
        if model is not None:
            if lifecycle.advance(state, model):
                return model
            del organization.models[model_id]
    raise ControlError(404, f'hosted model {model_id} not found')


# handlers: (state, body, match) -> (payload, status)

def reset(state, _body, _match):
    state.reset()
    return key_info(state.key_for_token(state.initial['token']))


def health(_state, _body, _match):
    return {'status': 'ok'}


def get_config(state, _body, _match):
    return {'transition_seconds': state.transition_seconds, 'max_page_size': state.max_page_size}


def set_config(state, body, _match):
    seconds = number(body, 'transition_seconds', None)
    page_size = number(body, 'max_page_size', None, minimum=1, integer=True)
    if seconds is not None:
        state.transition_seconds = float(seconds)
    if page_size is not None:
        state.max_page_size = page_size
    return get_config(state, body, None)


def add_organization(state, body, _match):
    organization_id = body.get('organization_id')
    need(organization_id is None or isinstance(organization_id, str) and organization_id, 'organization_id must be a non-empty string')
    need(organization_id not in state.organizations, f'organization {organization_id} already exists', 409)
    return key_info(state.add_organization(organization_id))


def add_api_key(state, body, _match):
    return key_info(state.add_key(organization_of(state, body)))


def list_api_keys(state, _body, _match):
    return [{'api_key_id': key.id, 'organization_id': key.organization_id, 'token_suffix': key.token[-4:]} for key in state.keys_by_id.values()]


def lookup_api_key(state, body, _match):
    key = state.key_for_token(body.get('token'))
    need(key is not None, 'no such token', 404)
    return {'api_key_id': key.id, 'organization_id': key.organization_id}


def seed_models(state, body, _match):
    organization_id = organization_of(state, body)
    fields = copy.deepcopy(body.get('model') or {})
    need(isinstance(fields, dict), 'model must be an object of camelCase HostedModel fields')
    cluster_id = body.get('cluster_id') or fields.get('clusterId')
    need(isinstance(cluster_id, str) and cluster_id, 'cluster_id is required')
    count = number(body, 'count', 1, minimum=1, integer=True)
    need(count == 1 or 'id' not in fields, 'model.id can only be given with count 1')
    status = fields.pop('status', 'RUNNING')
    need(status in STATUSES, f'status must be one of {", ".join(STATUSES)}')
    base_service = fields.get('service', 'seeded-model')
    created = []
    for index in range(count):
        service = base_service if count == 1 else f'{base_service}-{index + 1}'
        # A seeded 'model' (a Hugging Face name) decides deployedModel, type and GPU memory unless those are given too.
        client_fields = {'modelSpecsId': fields.get('model') or str(uuid.uuid4()), 'port': 8080, **fields, 'service': service,
                         'clusterId': cluster_id}
        model = build_model(state, organization_id, cluster_id, client_fields)
        model.data.update({name: value for name, value in client_fields.items() if name != 'vllmConfig'})
        model.data['status'] = status
        if 'currentReplicas' not in fields:
            model.data['currentReplicas'] = 0 if status in IDLE_STATUSES else lifecycle.running_replicas(model.data)
        if body.get('transition'):
            target, step_fields, event = lifecycle.follow_up(model, status)
            if target:
                model.steps = [Step(state.clock() + state.transition_seconds, target, step_fields, event)]
        state.organizations[organization_id].models[model.data['id']] = model
        created.append(copy.deepcopy(model.data))
    return created


def force_status(state, body, match):
    model = find_model(state, match['id'])
    status = body.get('status')
    need(status in STATUSES, f'status must be one of {", ".join(STATUSES)}')
    model.stuck = bool(body.get('stuck', False))
    target, fields, event = (None, None, None) if model.stuck else lifecycle.follow_up(model, status)
    lifecycle.begin(state, model, status, target, fields, event, reason=body.get('status_reason'))
    if status in ('HIBERNATED', 'STOPPED'):
        model.data['currentReplicas'] = 0
    elif status in ('RUNNING', 'WARNING', 'FAILED') and not model.data.get('currentReplicas'):
        model.data['currentReplicas'] = lifecycle.running_replicas(model.data)
    if status == 'HIBERNATED':
        lifecycle.record_event(model, 'HIBERNATED', 'SYSTEM', state.clock(), description='hosted model hibernated')
    if 'current_replicas' in body:
        model.data['currentReplicas'] = number(body, 'current_replicas', 0, integer=True)
    return copy.deepcopy(model.data)


def seed_spend(state, body, match):
    key = state.keys_by_id.get(match['id'])
    need(key is not None, f"api key {match['id']} not found", 404)
    try:
        spend = decimal_text(parse_money(body.get('total_spend_usd', '0'), 'total_spend_usd'))
    except ApiError as error:
        raise ControlError(400, error.message) from None
    state.spend[key.id] = spend
    return {'api_key_id': key.id, 'total_spend_usd': spend}


def add_fault(state, body, _match):
    kind = body.get('kind')
    need(kind in FAULT_KINDS, f'kind must be one of {", ".join(FAULT_KINDS)}')
    try:
        pattern = re.compile(body['path']) if body.get('path') else None
    except re.error as error:
        raise ControlError(400, f'path is not a regular expression: {error}') from None
    status = number(body, 'status', 503, minimum=400, integer=True)
    need(status <= 599, 'status must be an HTTP error status (400-599)')
    fault = Fault(kind=kind, remaining=number(body, 'count', 1, minimum=1, integer=True), method=body.get('method') or None, path=pattern,
                  status=status, retry_after=number(body, 'retry_after', None), delay=number(body, 'delay', 1.0))
    state.add_fault(fault)
    return fault.describe()


def list_faults(state, _body, _match):
    return [fault.describe() for fault in state.faults]


def clear_faults(state, _body, _match):
    state.faults.clear()
    return {}


def list_requests(state, _body, _match):
    return copy.deepcopy(state.requests)


def clear_requests(state, _body, _match):
    state.requests.clear()
    return {}


ROUTES = [
    ('POST', r'/_sim/reset', reset),
    ('GET', r'/_sim/health', health),
    ('GET', r'/_sim/config', get_config),
    ('POST', r'/_sim/config', set_config),
    ('POST', r'/_sim/organizations', add_organization),
    ('GET', r'/_sim/api-keys', list_api_keys),
    ('POST', r'/_sim/api-keys', add_api_key),
    ('POST', r'/_sim/api-keys:lookup', lookup_api_key),
    ('POST', r'/_sim/hosted-models', seed_models),
    ('POST', r'/_sim/hosted-models/(?P<id>[^/]+)/status', force_status),
    ('POST', r'/_sim/budgets/(?P<id>[^/]+)', seed_spend),
    ('GET', r'/_sim/faults', list_faults),
    ('POST', r'/_sim/faults', add_fault),
    ('DELETE', r'/_sim/faults', clear_faults),
    ('GET', r'/_sim/requests', list_requests),
    ('DELETE', r'/_sim/requests', clear_requests),
]


def dispatch(state, request):
    """Answer one control request."""
    path_known = False
    for method, pattern, handler in ROUTES:
        match = re.fullmatch(pattern, request.path)
        if match is None:
            continue
        path_known = True
        if method != request.method:
            continue
        data = request.get_data(cache=True)
        try:
            body = json.loads(data) if data.strip() else {}
        except ValueError:
            return reply({'error': 'body is not JSON'}, 400)
        if not isinstance(body, dict):
            return reply({'error': 'body must be a JSON object'}, 400)
        try:
            with state.lock:
                answer = handler(state, body, match.groupdict())
        except ControlError as error:
            return reply({'error': str(error)}, error.status)
        payload, status = answer if isinstance(answer, tuple) else (answer, 200)
        return reply(payload, status)
    if path_known:
        return reply({'error': f'method {request.method} not allowed'}, 405)
    return reply({'error': f'no control endpoint {request.path}'}, 404)
