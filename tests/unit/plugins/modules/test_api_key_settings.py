# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.api_key_settings: upsert that keeps unset fields, delete that tolerates absence.

Against the in-process simulator: each test manages the settings of a second API key it mints there.
"""

from __future__ import annotations

import pytest
import requests
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ansible_collections.castai.ai_optimizer.plugins.modules import api_key_settings as module_under_test
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.test_settings import (
    FIELDS,
    camel,
    current_and_requested,
    differs,
    set_organization_settings,
)

ORG_SETTINGS = {"routing_enabled": True, "prompt_sharing_enabled": False, "router_quality_weight": 0.5}
KEY_SETTINGS = {"routing_enabled": False, "prompt_sharing_enabled": True, "router_quality_weight": 0.9}
GET, PUT, DELETE = "SettingsAPIGetAPIKeySettings", "SettingsAPIUpsertAPIKeySettings", "SettingsAPIDeleteAPIKeySettings"
GET_ORG, PATCH_ORG = "SettingsAPIGetSettings", "SettingsAPIUpdateSettings"


def new_key(sim):
    return sim.control("POST", "api-keys", {})["api_key_id"]


def key_settings_url(sim, key):
    return "%s/ai-optimizer/v1beta/organizations/%s/api-key-settings/%s" % (sim.url, sim.organization_id, key)


def set_key_settings(sim, key, settings):
    """Give the key these settings through the API itself, then forget that request."""
    answer = requests.put(
        key_settings_url(sim, key), json=camel(settings), headers={"X-API-Key": sim.token}, timeout=10
    )
    assert answer.ok, answer.text
    sim.control("DELETE", "requests")


def stored(sim, key):
    """The key's settings as the simulator holds them (None without any), read after the log was checked."""
    answer = requests.get(key_settings_url(sim, key), headers={"X-API-Key": sim.token}, timeout=10)
    if answer.status_code == 404:
        return None
    assert answer.ok, answer.text
    return answer.json()["settings"]


def operations(sim):
    return [r["operation_id"] for r in sim.requests()]


@pytest.fixture
def key(sim):
    """A second key of the simulator's organization, with KEY_SETTINGS of its own."""
    key_id = new_key(sim)
    set_key_settings(sim, key_id, KEY_SETTINGS)
    return key_id


# --- merge: exactly the fields the user set ------------------------------------------------------------------------


@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=current_and_requested(), check_mode=st.booleans())
def test_existing_settings_change_exactly_the_fields_the_user_set(run, sim, case, check_mode):
    current, requested = case
    sim.control("POST", "reset")
    key = new_key(sim)
    set_key_settings(sim, key, current)

    outcome = run(module_under_test.main, check_mode=check_mode, api_key_id=key, **requested)

    assert not outcome.failed, outcome
    expected_changed = sorted(f for f in requested if differs(f, requested[f], current[f]))
    assert outcome.result["changed"] is bool(expected_changed)
    assert outcome.result["changed_fields"] == expected_changed
    assert outcome.result["inherited_fields"] == []
    assert (outcome.result["api_key_id"], outcome.result["organization_id"]) == (key, sim.organization_id)
    expected = dict(current, **requested)
    writes = sim.writes()
    if not expected_changed or check_mode:
        assert writes == []
        assert outcome.result["settings"] == (expected if expected_changed else current)
    else:
        assert [w["operation_id"] for w in writes] == [PUT]
        assert writes[0]["path"].endswith("/api-key-settings/%s" % key)
        assert writes[0]["body"] == camel(expected)
        assert outcome.result["settings"] == expected
    # A key that has settings never needs the organization's.
    assert GET_ORG not in operations(sim)


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=current_and_requested())
def test_new_settings_take_unset_fields_from_the_organization(run, sim, case):
    organization, requested = case
    sim.control("POST", "reset")
    set_organization_settings(sim, organization)
    key = new_key(sim)

    outcome = run(module_under_test.main, api_key_id=key, **requested)

    assert outcome.result["changed"] is True
    # Creating writes every field the user set, whether or not it differs from the organization's.
    assert outcome.result["changed_fields"] == sorted(requested)
    assert outcome.result["inherited_fields"] == [f for f in FIELDS if f not in requested]
    assert operations(sim) == [GET, GET_ORG, PUT]
    assert sim.writes()[0]["body"] == camel(dict(organization, **requested))
    assert outcome.result["settings"] == dict(organization, **requested)


# --- present ------------------------------------------------------------------------------------------------------


def test_check_mode_predicts_the_real_run_and_a_rerun_writes_nothing(run, sim):
    key = new_key(sim)
    args = {"api_key_id": key, "router_quality_weight": 0.1}

    preview = run(module_under_test.main, check_mode=True, **args)
    assert sim.writes() == []
    first = run(module_under_test.main, **args)
    assert (preview.result["changed"], first.result["changed"]) == (True, True)
    assert preview.result["settings"] == first.result["settings"] == dict(ORG_SETTINGS, router_quality_weight=0.1)
    assert (
        preview.result["inherited_fields"]
        == first.result["inherited_fields"]
        == ["routing_enabled", "prompt_sharing_enabled"]
    )
    assert [w["operation_id"] for w in sim.writes()] == [PUT]

    sim.control("DELETE", "requests")
    check_again = run(module_under_test.main, check_mode=True, **args)
    second = run(module_under_test.main, **args)
    assert (check_again.result["changed"], second.result["changed"]) == (False, False)
    assert second.result["settings"] == dict(ORG_SETTINGS, router_quality_weight=0.1)
    assert second.result["inherited_fields"] == []
    assert second.result["changed_fields"] == []
    assert sim.writes() == []


def test_creating_settings_equal_to_the_organization_is_still_a_change(run, sim):
    key = new_key(sim)
    outcome = run(module_under_test.main, diff=True, api_key_id=key, routing_enabled=True)
    assert outcome.result["changed"] is True
    assert outcome.result["changed_fields"] == ["routing_enabled"]
    assert outcome.result["diff"] == {"before": {"state": "absent"}, "after": dict(ORG_SETTINGS, state="present")}
    assert [w["body"] for w in sim.writes()] == [camel(ORG_SETTINGS)]


def test_check_mode_for_a_key_without_settings(run, sim):
    key = new_key(sim)
    outcome = run(module_under_test.main, check_mode=True, api_key_id=key, prompt_sharing_enabled=True)
    assert outcome.result["changed"] is True
    assert outcome.result["settings"] == dict(ORG_SETTINGS, prompt_sharing_enabled=True)
    assert outcome.result["inherited_fields"] == ["routing_enabled", "router_quality_weight"]
    assert operations(sim) == [GET, GET_ORG]
    assert stored(sim, key) is None


def test_diff_of_an_update(run, sim, key):
    outcome = run(module_under_test.main, diff=True, api_key_id=key, routing_enabled=True)
    assert outcome.result["diff"] == {
        "before": dict(KEY_SETTINGS, state="present"),
        "after": dict(KEY_SETTINGS, routing_enabled=True, state="present"),
    }
    assert outcome.result["changed_fields"] == ["routing_enabled"]


def test_no_diff_without_diff_mode(run, sim, key):
    assert "diff" not in run(module_under_test.main, api_key_id=key, routing_enabled=True).result
    assert "diff" not in run(module_under_test.main, api_key_id=key, state="absent").result


def test_organization_settings_are_never_written(run, sim, key):
    run(module_under_test.main, api_key_id=key, routing_enabled=True, router_quality_weight=0.0)
    run(module_under_test.main, api_key_id=key, state="absent")
    run(module_under_test.main, api_key_id=key, prompt_sharing_enabled=False)
    assert PATCH_ORG not in operations(sim)
    assert [w["operation_id"] for w in sim.writes()] == [PUT, DELETE, PUT]


def test_organization_comes_from_the_token_when_not_given(run, sim, key):
    outcome = run(module_under_test.main, organization_id=None, api_key_id=key, routing_enabled=True)
    assert outcome.result["organization_id"] == sim.organization_id
    assert operations(sim) == ["APIKeysAPIVerifyAPIKey", GET, PUT]


def test_unknown_key_fails_on_the_write_naming_the_key(run, sim):
    outcome = run(module_under_test.main, api_key_id="no-such-key", routing_enabled=True)
    assert outcome.failed
    assert outcome.result["changed"] is False
    assert outcome.result["msg"].startswith("create the settings of API key no-such-key: HTTP 404")


# --- absent -------------------------------------------------------------------------------------------------------


def test_absent_removes_settings(run, sim, key):
    outcome = run(module_under_test.main, diff=True, api_key_id=key, state="absent")
    assert outcome.result["changed"] is True
    assert outcome.result["settings"] is None
    assert outcome.result["changed_fields"] == []
    assert outcome.result["diff"] == {"before": dict(KEY_SETTINGS, state="present"), "after": {"state": "absent"}}
    assert [(w["method"], w["operation_id"]) for w in sim.writes()] == [("DELETE", DELETE)]
    assert stored(sim, key) is None


def test_absent_in_check_mode_does_not_delete(run, sim, key):
    outcome = run(module_under_test.main, check_mode=True, api_key_id=key, state="absent")
    assert outcome.result["changed"] is True
    assert outcome.result["settings"] is None
    assert sim.writes() == []
    assert stored(sim, key) == camel(KEY_SETTINGS)


def test_absent_when_already_absent_is_not_a_change(run, sim):
    key = new_key(sim)
    outcome = run(module_under_test.main, diff=True, api_key_id=key, state="absent")
    assert outcome.result["changed"] is False
    assert outcome.result["diff"] == {"before": {"state": "absent"}, "after": {"state": "absent"}}
    assert sim.writes() == []


def test_absent_tolerates_a_concurrent_delete(run, sim, key):
    # Someone else removes the settings between our read and our delete: the delete answers 404.
    sim.fault(kind="status", status=404, method="DELETE")
    outcome = run(module_under_test.main, api_key_id=key, state="absent")
    assert not outcome.failed, outcome
    assert outcome.result["changed"] is False
    assert [w["method"] for w in sim.writes()] == ["DELETE"]


# --- input judged before any request --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ({"state": "absent", "routing_enabled": True}, "routing_enabled cannot be set with state=absent"),
        (
            {"state": "absent", "router_quality_weight": 0.5, "prompt_sharing_enabled": False},
            "prompt_sharing_enabled, router_quality_weight cannot be set with state=absent",
        ),
    ],
)
def test_settings_with_state_absent_fail_before_any_request(run, sim, args, message):
    outcome = run(module_under_test.main, organization_id=None, api_key_id="some-key", **args)
    assert outcome.failed
    assert outcome.result["msg"] == message
    assert sim.requests() == []


@pytest.mark.parametrize(
    "args, option",
    [
        ({"router_quality_weight": 1.5}, "router_quality_weight"),
        ({"router_quality_weight": -1}, "router_quality_weight"),
        ({"router_quality_weight": float("nan")}, "router_quality_weight"),
        ({"router_quality_weight": "inf"}, "router_quality_weight"),
        ({"api_key_id": "  "}, "api_key_id"),
        ({"api_key_id": ""}, "api_key_id"),
        ({"api_key_id": "."}, "api_key_id"),
        ({"api_key_id": ".."}, "api_key_id"),
        ({"api_key_id": "a/b"}, "api_key_id"),
        ({"api_key_id": "a\nb"}, "api_key_id"),
    ],
)
def test_bad_input_fails_before_any_request(run, sim, args, option):
    # No organization_id: even the verify lookup must not run.
    outcome = run(
        module_under_test.main, organization_id=None, **dict({"api_key_id": "k", "routing_enabled": True}, **args)
    )
    assert outcome.failed
    assert option in outcome.result["msg"]
    assert sim.requests() == []


def test_other_read_errors_fail(run, sim, key):
    sim.fault(kind="status", status=500, method="GET", path="/api-key-settings/")
    outcome = run(module_under_test.main, api_key_id=key, routing_enabled=True)
    assert outcome.failed
    assert outcome.result["msg"].startswith("read the settings of API key %s: HTTP 500" % key)
    assert outcome.result["changed"] is False
    assert sim.writes() == []
