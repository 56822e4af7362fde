# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of plugins/module_utils/_generated: up to date with the spec, and the models behave as promised."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib.util
import os
import re

import pytest
import yaml

from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated._base import HAS_PYDANTIC
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import (
    HOSTED_MODEL_STATUS_VALUES,
    HostedModel,
    HostedModelUpdate,
    HorizontalAutoscaling,
)
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.operations import OPERATIONS

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
GENERATOR = os.path.join(REPO_ROOT, 'tools', 'generate_models.py')
SPEC = os.path.join(REPO_ROOT, 'spec', 'ai-optimizer.openapi.yaml')
GENERATED = os.path.join(REPO_ROOT, 'plugins', 'module_utils', '_generated')

needs_pydantic = pytest.mark.skipif(not HAS_PYDANTIC, reason='pydantic is not installed')

HOSTED_MODEL_JSON = {
    'id': 'hm-1',
    'organizationId': 'org-1',
    'clusterId': 'cluster-1',
    'modelSpecsId': 'spec-1',
    'model': 'llama-3.1-8b',
    'port': 8080,
    'service': 'llama-svc',
    'status': 'RUNNING',
    'requiredGpuMemoryMib': '24576',
    'createTime': '2025-01-02T03:04:05Z',
    'edgeLocations': {'ids': ['edge-1', 'edge-2']},
    'horizontalAutoscaling': {
        'enabled': True,
        'minReplicas': 1,
        'maxReplicas': 3,
        'targetMetric': 'NUMBER_OF_REQUESTS_WAITING',
        'targetValue': 5.0,
    },
    'hibernation': {
        'enabled': True,
        'hibernateCondition': {'duration': '600s', 'requestCount': '0'},
        'resumeCondition': {'duration': '60s', 'requestCount': 1},
    },
    'vllmConfig': {'secretName': 'hf-token'},
}


def load_generator():
    if not os.path.isfile(GENERATOR):
        pytest.skip('tools/generate_models.py is not part of this copy of the collection')
    spec = importlib.util.spec_from_file_location('castai_generate_models', GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_files(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith('.py'))


def test_checked_in_output_is_current(tmp_path):
    generator = load_generator()
    assert generator.main(['--output-dir', str(tmp_path)]) == 0
    expected = python_files(str(tmp_path))
    assert python_files(GENERATED) == expected, 'run: python tools/generate_models.py'
    for name in expected:
        with open(os.path.join(str(tmp_path), name), 'rb') as fresh, open(os.path.join(GENERATED, name), 'rb') as checked_in:
            assert checked_in.read() == fresh.read(), '%s is stale, run: python tools/generate_models.py' % name


def test_generation_is_deterministic(tmp_path):
    generator = load_generator()
    first, second = tmp_path / 'first', tmp_path / 'second'
    generator.main(['--output-dir', str(first)])
    generator.main(['--output-dir', str(second)])
    for name in python_files(str(first)):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_snake_case():
    generator = load_generator()
    assert generator.field_name('requiredGpuMemoryMib') == 'required_gpu_memory_mib'
    assert generator.field_name('huggingFaceToken') == 'hugging_face_token'
    assert generator.field_name('apiKeyId') == 'api_key_id'
    assert generator.field_name('ids') == 'ids'
    assert generator.field_name('from') == 'from_'
    assert generator.snake('APIKeyBudget') == 'api_key_budget'


def test_enums_and_required_fields_follow_spec():
    with open(SPEC, encoding='utf-8') as handle:
        schemas = yaml.safe_load(handle)['components']['schemas']
    assert HOSTED_MODEL_STATUS_VALUES == tuple(schemas['HostedModel']['properties']['status']['enum'])
    assert HostedModel._required_fields == ('cluster_id', 'model_specs_id', 'port', 'service')
    assert HorizontalAutoscaling._required_fields == ('max_replicas', 'min_replicas', 'target_metric', 'target_value')


@needs_pydantic
def test_hosted_model_round_trip():
    model = HostedModel.model_validate(HOSTED_MODEL_JSON)
    result = model.to_result()

    assert set(result) == set(HostedModel.model_fields)
    assert result['cluster_id'] == 'cluster-1'
    assert result['required_gpu_memory_mib'] == '24576'
    assert result['node_template_name'] is None
    assert result['edge_locations'] == {'ids': ['edge-1', 'edge-2']}
    assert result['horizontal_autoscaling'] == {
        'enabled': True, 'min_replicas': 1, 'max_replicas': 3, 'target_metric': 'NUMBER_OF_REQUESTS_WAITING', 'target_value': 5.0,
    }
    assert result['hibernation']['hibernate_condition'] == {'duration': '600s', 'request_count': 0}
    assert result['vllm_config'] == {'hugging_face_token': None, 'secret_name': 'hf-token'}
    for value in result.values():
        assert not hasattr(value, 'model_dump')

    expected = dict(HOSTED_MODEL_JSON, hibernation=dict(HOSTED_MODEL_JSON['hibernation']))
    expected['hibernation']['hibernateCondition'] = {'duration': '600s', 'requestCount': 0}
    assert model.to_api() == expected
    assert HostedModel.model_validate(result).to_api() == expected


@needs_pydantic
def test_update_body_is_camel_case_without_none():
    update = HostedModelUpdate(horizontal_autoscaling={
        'enabled': True, 'min_replicas': 1, 'max_replicas': 3, 'target_metric': 'NUMBER_OF_REQUESTS_WAITING', 'target_value': 5.0,
    })
    assert update.to_api() == {'horizontalAutoscaling': {
        'enabled': True, 'minReplicas': 1, 'maxReplicas': 3, 'targetMetric': 'NUMBER_OF_REQUESTS_WAITING', 'targetValue': 5.0,
    }}
    assert HostedModelUpdate().to_api() == {}


@needs_pydantic
def test_unknown_fields_and_enum_values_are_accepted():
    data = dict(HOSTED_MODEL_JSON, status='SOMETHING_NEW', brandNewField={'x': 1})
    data['horizontalAutoscaling'] = dict(data['horizontalAutoscaling'], futureKnob=True)
    model = HostedModel.model_validate(data)
    assert model.status == 'SOMETHING_NEW'
    assert 'brandNewField' not in model.to_api()
    assert 'futureKnob' not in model.to_api()['horizontalAutoscaling']
    assert 'brand_new_field' not in model.to_result()


def test_operations_match_spec():
    with open(SPEC, encoding='utf-8') as handle:
        paths = yaml.safe_load(handle)['paths']
    seen = set()
    for path, item in paths.items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or 'operationId' not in operation:
                continue
            entry = OPERATIONS[operation['operationId']]
            seen.add(operation['operationId'])
            params = operation.get('parameters') or []
            assert entry['method'] == method.upper()
            assert entry['path'] == path
            assert entry['path_params'] == tuple(re.findall(r'{([^}]+)}', path))
            assert set(entry['path_params']) == set(p['name'] for p in params if p['in'] == 'path')
            assert entry['query_params'] == tuple(p['name'] for p in params if p['in'] == 'query')
            body = operation.get('requestBody', {}).get('content', {}).get('application/json', {}).get('schema')
            assert entry['body'] == (body['$ref'].rsplit('/', 1)[-1] if body else None)
            response = operation['responses']['200'].get('content', {}).get('application/json', {}).get('schema')
            assert entry['response'] == (response['$ref'].rsplit('/', 1)[-1] if response else None)
    assert seen == set(OPERATIONS)
    assert list(OPERATIONS) == sorted(OPERATIONS)
    scale = OPERATIONS['HostedModelsAPIScaleHostedModel']
    assert scale['method'] == 'POST' and scale['body'] == 'ScaleHostedModelRequest'
