# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.settings: read, merge what the user set, write the whole object."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from ansible_collections.castai.ai_optimizer.plugins.modules import settings as settings_module
from ansible_collections.castai.ai_optimizer.plugins.module_utils import _settings

from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.settings_fake_api import (
    ORG,
    TOKEN,
    FakeAPI,
    camel,
    current_and_requested,
    differs,
    snake,
)

FIELDS = _settings.SETTINGS_FIELDS
BASE_ARGS = {"api_token": TOKEN, "organization_id": ORG}


@pytest.fixture
def api(monkeypatch):
    return FakeAPI().install(monkeypatch)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=current_and_requested(), check_mode=st.booleans())
def test_changes_exactly_the_fields_the_user_set(run_module, monkeypatch, case, check_mode):
    current, requested = case
    api = FakeAPI(org_settings=camel(current)).install(monkeypatch)

    outcome = run_module(settings_module.main, dict(BASE_ARGS, **requested), check_mode=check_mode)

    assert not outcome.failed, outcome
    expected_changed = sorted(f for f in requested if differs(f, requested[f], current[f]))
    assert outcome.result["changed"] is bool(expected_changed)
    assert outcome.result["changed_fields"] == expected_changed
    expected = dict(current, **requested)
    if not expected_changed:
        assert api.writes == []
        assert outcome.result["settings"] == current
    elif check_mode:
        assert api.writes == []
        assert outcome.result["settings"] == expected
        assert snake(api.org_settings) == current
    else:
        # One whole-object write: the current settings with exactly the requested fields replaced.
        assert [w[0] for w in api.writes] == ["SettingsAPIUpdateSettings"]
        body = api.writes[0][3]
        assert body == camel(expected)
        for field in FIELDS:
            if field not in requested:
                assert snake(body)[field] == current[field]
        assert outcome.result["settings"] == expected


@pytest.mark.parametrize("weight", [-0.1, 1.0001, 2, float("nan"), float("inf"), "-inf"])
def test_bad_weight_fails_before_any_call(run_module, api, weight):
    args = {"api_token": TOKEN, "router_quality_weight": weight}  # no organization_id: even verify must not run
    outcome = run_module(settings_module.main, args)
    assert outcome.failed
    assert "router_quality_weight must be between 0" in outcome.result["msg"]
    assert api.calls == []


def test_non_numeric_weight_fails_before_any_call(run_module, api):
    outcome = run_module(settings_module.main, {"api_token": TOKEN, "router_quality_weight": "high"})
    assert outcome.failed
    assert "router_quality_weight" in outcome.result["msg"]
    assert api.calls == []


@pytest.mark.parametrize("weight", [0, 0.0, 1, 1.0, "0.25"])
def test_weight_bounds_and_strings_are_accepted(run_module, api, weight):
    outcome = run_module(settings_module.main, dict(BASE_ARGS, router_quality_weight=weight))
    assert not outcome.failed, outcome
    assert outcome.result["settings"]["router_quality_weight"] == float(weight)


def test_no_options_only_reads(run_module, api):
    outcome = run_module(settings_module.main, BASE_ARGS)
    assert outcome.result["changed"] is False
    assert api.operations() == ["SettingsAPIGetSettings"]
    assert outcome.result["settings"] == {"routing_enabled": True, "prompt_sharing_enabled": False,
                                          "router_quality_weight": 0.5}


def test_organization_comes_from_the_token_when_not_given(run_module, api):
    outcome = run_module(settings_module.main, {"api_token": TOKEN, "routing_enabled": False})
    assert outcome.result["organization_id"] == ORG
    assert api.operations() == ["APIKeysAPIVerifyAPIKey", "SettingsAPIGetSettings", "SettingsAPIUpdateSettings"]


def test_diff_shows_before_and_after(run_module, api):
    outcome = run_module(settings_module.main, dict(BASE_ARGS, router_quality_weight=0.8), diff=True)
    assert outcome.result["diff"] == {
        "before": {"routing_enabled": True, "prompt_sharing_enabled": False, "router_quality_weight": 0.5},
        "after": {"routing_enabled": True, "prompt_sharing_enabled": False, "router_quality_weight": 0.8},
    }


def test_check_mode_diff_shows_the_planned_settings(run_module, api):
    outcome = run_module(settings_module.main, dict(BASE_ARGS, prompt_sharing_enabled=True), check_mode=True,
                         diff=True)
    assert outcome.result["changed"] is True
    assert outcome.result["diff"]["after"]["prompt_sharing_enabled"] is True
    assert api.writes == []


def test_no_diff_without_diff_mode(run_module, api):
    outcome = run_module(settings_module.main, dict(BASE_ARGS, router_quality_weight=0.8))
    assert "diff" not in outcome.result


def test_float32_round_trip_is_not_a_change(run_module, monkeypatch):
    api = FakeAPI(org_settings={"routingEnabled": True, "promptSharingEnabled": False,
                                "routerQualityWeight": 0.699999988079071}).install(monkeypatch)
    outcome = run_module(settings_module.main, dict(BASE_ARGS, router_quality_weight=0.7))
    assert outcome.result["changed"] is False
    assert api.writes == []


def test_zero_values_left_out_by_the_api_are_read_as_zero(run_module, monkeypatch):
    """proto3 JSON omits false and 0: a missing field is not a missing value, and the write still has all three."""
    api = FakeAPI(org_settings={"routingEnabled": False, "promptSharingEnabled": True, "routerQualityWeight": 0.0},
                  omit_zero_values=True).install(monkeypatch)

    same = run_module(settings_module.main, dict(BASE_ARGS, routing_enabled=False, router_quality_weight=0))
    assert same.result["changed"] is False
    assert same.result["settings"] == {"routing_enabled": False, "prompt_sharing_enabled": True,
                                       "router_quality_weight": 0.0}

    changed = run_module(settings_module.main, dict(BASE_ARGS, prompt_sharing_enabled=False))
    assert changed.result["changed"] is True
    assert api.writes[0][3] == {"routingEnabled": False, "promptSharingEnabled": False, "routerQualityWeight": 0.0}


def test_api_error_on_write_names_the_action(run_module, api):
    api.org_settings["routerQualityWeight"] = 0.5

    def reject(_params, _query, _body):
        from ansible_collections.castai.ai_optimizer.plugins.module_utils._client import APIError
        raise APIError("permission denied", status=403, code=7)

    api.op_SettingsAPIUpdateSettings = reject
    outcome = run_module(settings_module.main, dict(BASE_ARGS, routing_enabled=False))
    assert outcome.failed
    assert outcome.result["msg"] == "update the organization settings: HTTP 403 PERMISSION_DENIED: permission denied"
    assert outcome.result["failure"]["status"] == 403


def test_complete_and_plan_helpers():
    assert _settings.complete({}) == {"routing_enabled": False, "prompt_sharing_enabled": False,
                                      "router_quality_weight": 0.0}
    zero_but_weight = {"routing_enabled": False, "prompt_sharing_enabled": False, "router_quality_weight": 1.0}
    assert _settings.complete({"router_quality_weight": 1}) == zero_but_weight
    current = {"routing_enabled": True, "prompt_sharing_enabled": False, "router_quality_weight": 0.5}
    assert _settings.plan({}, current) == ([], current)
    assert _settings.plan({"routing_enabled": False}, current) == (
        ["routing_enabled"], dict(current, routing_enabled=False))
    assert _settings.weight_error(None) is None
    assert _settings.weight_error(0.5) is None
    assert _settings.weight_error(1.5)
