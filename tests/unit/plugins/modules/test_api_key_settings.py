# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.api_key_settings: upsert that keeps unset fields, delete that tolerates absence."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from ansible_collections.castai.ai_optimizer.plugins.modules import api_key_settings as module_under_test

from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.settings_fake_api import (
    ORG,
    FIELDS,
    TOKEN,
    FakeAPI,
    camel,
    current_and_requested,
    differs,
    snake,
)

KEY = "0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f"
BASE_ARGS = {"api_token": TOKEN, "organization_id": ORG, "api_key_id": KEY}
ORG_SETTINGS = {"routing_enabled": True, "prompt_sharing_enabled": False, "router_quality_weight": 0.5}
KEY_SETTINGS = {"routing_enabled": False, "prompt_sharing_enabled": True, "router_quality_weight": 0.9}


@pytest.fixture
def api(monkeypatch):
    fake = FakeAPI(org_settings=camel(ORG_SETTINGS)).install(monkeypatch)
    fake.key_settings[KEY] = camel(KEY_SETTINGS)
    return fake


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=current_and_requested(), check_mode=st.booleans())
def test_existing_settings_change_exactly_the_fields_the_user_set(run_module, monkeypatch, case, check_mode):
    current, requested = case
    api = FakeAPI(org_settings=camel(ORG_SETTINGS)).install(monkeypatch)
    api.key_settings[KEY] = camel(current)

    outcome = run_module(module_under_test.main, dict(BASE_ARGS, **requested), check_mode=check_mode)

    assert not outcome.failed, outcome
    expected_changed = sorted(f for f in requested if differs(f, requested[f], current[f]))
    assert outcome.result["changed"] is bool(expected_changed)
    assert outcome.result["changed_fields"] == expected_changed
    assert outcome.result["inherited_fields"] == []
    expected = dict(current, **requested)
    if not expected_changed or check_mode:
        assert api.writes == []
        assert outcome.result["settings"] == (expected if expected_changed else current)
    else:
        assert [w[0] for w in api.writes] == ["SettingsAPIUpsertAPIKeySettings"]
        assert api.writes[0][1]["id"] == KEY
        assert api.writes[0][3] == camel(expected)
        assert snake(api.key_settings[KEY]) == expected
    # The organization settings are never touched.
    assert "SettingsAPIUpdateSettings" not in api.operations()


@hypothesis_settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=current_and_requested())
def test_new_settings_take_unset_fields_from_the_organization(run_module, monkeypatch, case):
    organization, requested = case
    api = FakeAPI(org_settings=camel(organization)).install(monkeypatch)

    outcome = run_module(module_under_test.main, dict(BASE_ARGS, **requested))

    assert outcome.result["changed"] is True
    assert outcome.result["inherited_fields"] == [f for f in FIELDS if f not in requested]
    assert api.writes[0][3] == camel(dict(organization, **requested))
    assert snake(api.org_settings) == organization


def test_second_run_is_idempotent(run_module, monkeypatch):
    api = FakeAPI(org_settings=camel(ORG_SETTINGS)).install(monkeypatch)
    args = dict(BASE_ARGS, router_quality_weight=0.1)
    first = run_module(module_under_test.main, args)
    second = run_module(module_under_test.main, args)
    assert (first.result["changed"], second.result["changed"]) == (True, False)
    assert len(api.writes) == 1
    assert second.result["settings"] == dict(ORG_SETTINGS, router_quality_weight=0.1)
    assert second.result["inherited_fields"] == []


def test_creating_equal_settings_is_still_a_change(run_module, monkeypatch):
    api = FakeAPI(org_settings=camel(ORG_SETTINGS)).install(monkeypatch)
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, routing_enabled=True), diff=True)
    assert outcome.result["changed"] is True
    assert outcome.result["changed_fields"] == []
    assert outcome.result["diff"] == {"before": {"state": "absent"}, "after": dict(ORG_SETTINGS, state="present")}
    assert len(api.writes) == 1


def test_check_mode_for_a_key_without_settings(run_module, monkeypatch):
    api = FakeAPI(org_settings=camel(ORG_SETTINGS)).install(monkeypatch)
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, prompt_sharing_enabled=True), check_mode=True)
    assert outcome.result["changed"] is True
    assert outcome.result["settings"] == dict(ORG_SETTINGS, prompt_sharing_enabled=True)
    assert api.writes == []
    assert api.key_settings == {}


def test_diff_of_an_update(run_module, api):
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, routing_enabled=True), diff=True)
    assert outcome.result["diff"] == {"before": dict(KEY_SETTINGS, state="present"),
                                      "after": dict(KEY_SETTINGS, routing_enabled=True, state="present")}


def test_absent_removes_settings(run_module, api):
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, state="absent"), diff=True)
    assert outcome.result["changed"] is True
    assert outcome.result["settings"] is None
    assert outcome.result["diff"] == {"before": dict(KEY_SETTINGS, state="present"), "after": {"state": "absent"}}
    assert [w[0] for w in api.writes] == ["SettingsAPIDeleteAPIKeySettings"]
    assert KEY not in api.key_settings


def test_absent_in_check_mode_does_not_delete(run_module, api):
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, state="absent"), check_mode=True)
    assert outcome.result["changed"] is True
    assert api.writes == []
    assert KEY in api.key_settings


def test_absent_when_already_absent_is_not_a_change(run_module, api):
    del api.key_settings[KEY]
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, state="absent"))
    assert outcome.result["changed"] is False
    assert api.writes == []


def test_absent_tolerates_a_concurrent_delete(run_module, api):
    original = api.op_SettingsAPIGetAPIKeySettings

    def read_then_vanish(params, query, body):
        answer = original(params, query, body)
        del api.key_settings[KEY]
        return answer

    api.op_SettingsAPIGetAPIKeySettings = read_then_vanish
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, state="absent"))
    assert not outcome.failed
    assert outcome.result["changed"] is False


def test_settings_with_state_absent_fail_before_any_call(run_module, api):
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, state="absent", routing_enabled=True))
    assert outcome.failed
    assert outcome.result["msg"] == "routing_enabled cannot be set with state=absent"
    assert api.calls == []


@pytest.mark.parametrize("args", [{"router_quality_weight": 1.5}, {"router_quality_weight": -1},
                                  {"api_key_id": "  "}])
def test_bad_input_fails_before_any_call(run_module, api, args):
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, **args))
    assert outcome.failed
    assert api.calls == []


def test_other_read_errors_fail(run_module, api):
    def broken(_params, _query, _body):
        from ansible_collections.castai.ai_optimizer.plugins.module_utils._client import APIError
        raise APIError("internal", status=500, code=13)

    api.op_SettingsAPIGetAPIKeySettings = broken
    outcome = run_module(module_under_test.main, dict(BASE_ARGS, routing_enabled=True))
    assert outcome.failed
    assert outcome.result["msg"].startswith("read the settings of API key %s: HTTP 500" % KEY)
    assert api.writes == []
