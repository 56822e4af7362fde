# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No answer shape produces a traceback (issue 8): arbitrary JSON answers to every operation the collection calls.

Each example answers every request of one module task with the same generated JSON (an arbitrary value, or an
object shaped like the contract's lists and objects with arbitrary values inside), and the task must end in a clean
``exit_json`` or ``fail_json``, never an exception, and never with the token in its result.
"""

from __future__ import annotations

import importlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.castai.ai_optimizer.plugins.modules import (
    api_key,
    api_key_budget,
    api_key_budgets_info,
    api_key_info,
    api_key_settings,
    components_info,
    hosted_model,
    hosted_models_info,
    model_registries_info,
    model_registry,
    model_spec,
    model_specs_info,
    settings_info,
    usage_reports_info,
)
from ansible_collections.castai.ai_optimizer.plugins.modules import (
    settings as settings_module,
)
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.harness import ScriptedServer

TOKEN = "any-answer-token-0123456789"
HELD = "held-token-abcdefghijklmnop"
ORG = "11111111-1111-4111-8111-111111111111"
REPLIES = 25
GENERATED = "ansible_collections.castai.ai_optimizer.plugins.module_utils._generated."

TASKS = {
    # task: (module, args, the contract's answers the task reads)
    "api_key": (api_key, {"token": HELD}, ("VerifyAPIKeyResponse", "APIKey")),
    "api_key_budget": (api_key_budget, {"api_key_id": "k1", "budget_limit_usd": 5}, ("APIKeyBudget",)),
    "api_key_budget absent": (api_key_budget, {"api_key_id": "k1", "state": "absent"}, ("APIKeyBudget",)),
    "api_key_budgets_info": (api_key_budgets_info, {}, ("ListAPIKeyBudgetsResponse",)),
    "api_key_info": (api_key_info, {"token": HELD}, ("VerifyAPIKeyResponse",)),
    "api_key_settings": (
        api_key_settings,
        {"api_key_id": "k1", "routing_enabled": True},
        ("APIKeySettings", "Settings"),
    ),
    "settings": (settings_module, {"router_quality_weight": 0.5}, ("Settings",)),
    "settings_info": (settings_info, {}, ("Settings", "ListAPIKeySettingsResponse", "ResolveSettingsResponse")),
    "hosted_model": (
        hosted_model,
        {"cluster_id": "c1", "service": "llama", "model_specs_id": "s1", "port": 8080, "replicas": 2, "wait": False},
        ("ListHostedModelsResponse", "HostedModel"),
    ),
    "hosted_model by name": (
        hosted_model,
        {"cluster_id": "c1", "service": "llama", "model": "m", "port": 8080, "wait": False},
        ("ListModelSpecsResponse", "ListHostedModelsResponse", "HostedModel"),
    ),
    "hosted_model absent": (
        hosted_model,
        {"cluster_id": "c1", "service": "llama", "state": "absent", "wait": False},
        ("ListHostedModelsResponse",),
    ),
    "hosted_models_info": (
        hosted_models_info,
        {"cluster_id": "c1", "include_pods": True, "include_events": True},
        ("ListHostedModelsResponse", "HostedModelPods", "ListHostedModelEventsResponse"),
    ),
    "model_registry": (
        model_registry,
        {"provider": {"type": "GCS", "gcs": {"bucket": "b"}}, "wait": False},
        ("ListModelRegistriesResponse", "ModelRegistry"),
    ),
    "model_registries_info": (
        model_registries_info,
        {"include_directories": True},
        ("ListModelRegistriesResponse", "ListModelRegistryDirectoriesResponse"),
    ),
    "model_spec": (
        model_spec,
        {"model": "m", "hugging_face": {"model_name": "org/m"}, "wait": False},
        ("ListModelSpecsResponse", "ModelSpecs"),
    ),
    "model_specs_info": (model_specs_info, {}, ("ListModelSpecsResponse",)),
    "components_info": (components_info, {"cluster_id": "c1"}, ("ListComponentsResponse",)),
    "usage_reports_info": (
        usage_reports_info,
        {"last": "7d"},
        ("GenerateAnalyticsResponse", "GenerateBillingModelUsageReportResponse"),
    ),
}

SCALARS = st.none() | st.booleans() | st.integers(-(2**65), 2**65) | st.floats() | st.text(max_size=6)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)
TABLES = {}
for _group in ("analytics", "api_keys", "components", "hosted_models", "model_registries", "model_specs", "settings"):
    TABLES.update(importlib.import_module(GENERATED + _group + "_schema").SCHEMAS)


def value_of(field, depth):
    """A value of the field's contract type, or (one time in three) arbitrary JSON instead."""
    kind = field["type"]
    if depth > 3 or kind == "any":
        valid = SCALARS
    elif kind == "object" and "schema" in field:
        valid = shaped(field["schema"], depth + 1)
    elif kind == "array":
        valid = st.lists(value_of(field["items"], depth + 1), max_size=3)
    else:
        valid = {
            "string": st.text(max_size=6),
            "integer": st.integers(-(2**40), 2**40),
            "number": st.floats(),
            "boolean": st.booleans(),
        }.get(kind, SCALARS)
    return st.one_of(valid, valid, JSON)


def shaped(schema, depth=0):
    """An object of ``schema`` with some of its fields, each of the right type or not."""
    fields = TABLES[schema]["fields"]
    return st.fixed_dictionaries(
        {}, optional={f["alias"]: st.deferred(lambda f=f: value_of(f, depth)) for f in fields.values()}
    )


@pytest.fixture(scope="module")
def server():
    scripted = ScriptedServer()
    scripted.start()
    yield scripted
    scripted.stop()


@pytest.mark.parametrize("task", sorted(TASKS))
def test_any_answer_ends_in_a_clean_exit(run_module, server, task):
    module, args, answers = TASKS[task]
    missing = [name for name in answers if name not in TABLES]
    assert not missing, missing

    # Derandomized: the same examples every run, so CI is reproducible; raise max_examples locally to search wider.
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(JSON | st.one_of(*[shaped(name) for name in answers]))
    def check(answer):
        with server._lock:  # pylint: disable=protected-access
            server._responses.clear()  # pylint: disable=protected-access
        for _reply in range(REPLIES):
            server.reply(
                200,
                json.dumps(answer, allow_nan=False) if _finite(answer) else "null",
                headers={"Content-Type": "application/json"},
            )
        outcome = run_module(
            module.main,
            dict(args, api_url=server.url, api_token=TOKEN, organization_id=ORG, api_retries=0, api_timeout=5),
        )
        text = repr(outcome.result) + repr(outcome.warnings)
        assert "Traceback" not in text
        assert TOKEN not in text and HELD not in text
        if outcome.failed:
            assert outcome.result["msg"]

    check()


def _finite(value):
    try:
        json.dumps(value, allow_nan=False)
        return True
    except ValueError:
        return False
