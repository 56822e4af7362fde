# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.settings: read, merge what the user set, write the whole object.

Against the in-process simulator (``sim``/``run``); answers the simulator cannot give (a float32 weight, zero values
left out as proto3 JSON does) come from the scripted server.
"""

from __future__ import annotations

import math

import pytest
import requests
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ansible_collections.castai.ai_optimizer.plugins.module_utils import _settings
from ansible_collections.castai.ai_optimizer.plugins.modules import settings as settings_module

FIELDS = _settings.SETTINGS_FIELDS
# The simulator's organization settings after a reset.
DEFAULT = {"routing_enabled": True, "prompt_sharing_enabled": False, "router_quality_weight": 0.5}
GET, PATCH, VERIFY = "SettingsAPIGetSettings", "SettingsAPIUpdateSettings", "APIKeysAPIVerifyAPIKey"
WEIGHTS = st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)


def camel(settings):
    return {
        "routingEnabled": settings["routing_enabled"],
        "promptSharingEnabled": settings["prompt_sharing_enabled"],
        "routerQualityWeight": settings["router_quality_weight"],
    }


def set_organization_settings(sim, settings):
    """Give the organization these settings through the API itself, then forget that request."""
    answer = requests.patch(
        "%s/ai-optimizer/v1beta/organizations/%s/settings" % (sim.url, sim.organization_id),
        json=camel(settings),
        headers={"X-API-Key": sim.token},
        timeout=10,
    )
    assert answer.ok, answer.text
    sim.control("DELETE", "requests")


def operations(sim):
    return [r["operation_id"] for r in sim.requests()]


def differs(field, wanted, current):
    """The documented rule: booleans differ when unequal, weights beyond a relative 1e-6 (absolute 1e-9)."""
    if field == "router_quality_weight":
        return not math.isclose(wanted, current, rel_tol=1e-6, abs_tol=1e-9)
    return wanted != current


@st.composite
def current_and_requested(draw):
    """Random current settings and a random subset of fields set by the user (sometimes to the current value,
    sometimes to a value within the tolerance of it)."""
    current = {
        "routing_enabled": draw(st.booleans()),
        "prompt_sharing_enabled": draw(st.booleans()),
        "router_quality_weight": draw(WEIGHTS),
    }
    requested = {}
    for field in sorted(draw(st.sets(st.sampled_from(FIELDS)))):
        if field == "router_quality_weight":
            near = current[field] * (1 + draw(st.floats(min_value=-1e-8, max_value=1e-8)))
            requested[field] = draw(st.one_of(WEIGHTS, st.just(current[field]), st.just(min(1.0, max(0.0, near)))))
        else:
            requested[field] = draw(st.one_of(st.booleans(), st.just(current[field])))
    return current, requested


# --- the merge, against the simulator -------------------------------------------------------------------------------


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=current_and_requested(), check_mode=st.booleans())
def test_changes_exactly_the_fields_the_user_set(run, sim, case, check_mode):
    current, requested = case
    sim.control("POST", "reset")
    set_organization_settings(sim, current)

    outcome = run(settings_module.main, check_mode=check_mode, **requested)

    assert not outcome.failed, outcome
    expected_changed = sorted(f for f in requested if differs(f, requested[f], current[f]))
    assert outcome.result["changed"] is bool(expected_changed)
    assert outcome.result["changed_fields"] == expected_changed
    assert outcome.result["organization_id"] == sim.organization_id
    expected = dict(current, **requested)
    if not expected_changed:
        assert sim.writes() == []
        assert outcome.result["settings"] == current
    elif check_mode:
        assert sim.writes() == []
        assert outcome.result["settings"] == expected
    else:
        # One whole-object write: the current settings with exactly the requested fields replaced.
        writes = sim.writes()
        assert [w["operation_id"] for w in writes] == [PATCH]
        assert writes[0]["body"] == camel(expected)
        assert outcome.result["settings"] == expected


def test_patch_carries_all_three_fields_with_the_unmentioned_ones_unchanged(run, sim):
    set_organization_settings(
        sim, {"routing_enabled": False, "prompt_sharing_enabled": True, "router_quality_weight": 0.2}
    )

    outcome = run(settings_module.main, router_quality_weight=0.9)

    assert outcome.result["changed"] is True
    assert outcome.result["changed_fields"] == ["router_quality_weight"]
    assert [(r["method"], r["operation_id"], r["body"]) for r in sim.requests()] == [
        ("GET", GET, None),
        ("PATCH", PATCH, {"routingEnabled": False, "promptSharingEnabled": True, "routerQualityWeight": 0.9}),
    ]


def test_check_mode_predicts_the_real_run_and_a_rerun_writes_nothing(run, sim):
    args = {"routing_enabled": False, "router_quality_weight": 0.3}

    preview = run(settings_module.main, check_mode=True, **args)
    assert sim.writes() == []
    real = run(settings_module.main, **args)
    assert (preview.result["changed"], real.result["changed"]) == (True, True)
    assert preview.result["settings"] == real.result["settings"]
    assert preview.result["changed_fields"] == real.result["changed_fields"]
    assert real.result["changed_fields"] == ["router_quality_weight", "routing_enabled"]

    sim.control("DELETE", "requests")
    check_again = run(settings_module.main, check_mode=True, **args)
    again = run(settings_module.main, **args)
    assert (check_again.result["changed"], again.result["changed"]) == (False, False)
    assert again.result["changed_fields"] == []
    assert sim.writes() == []


# --- input judged before any request --------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [-0.1, 1.0001, 2, float("nan"), float("inf"), "-inf", "nan"])
def test_bad_weight_fails_before_any_request(run, sim, weight):
    # No organization_id: even the verify lookup must not run.
    outcome = run(settings_module.main, organization_id=None, router_quality_weight=weight)
    assert outcome.failed
    assert "router_quality_weight must be between 0" in outcome.result["msg"]
    assert outcome.result["changed"] is False
    assert sim.requests() == []


def test_non_numeric_weight_fails_before_any_request(run, sim):
    outcome = run(settings_module.main, organization_id=None, router_quality_weight="high")
    assert outcome.failed
    assert "router_quality_weight" in outcome.result["msg"]
    assert sim.requests() == []


def test_state_absent_is_refused_before_any_request(run, sim):
    """Organization settings always exist: the module has no state option, so state=absent is refused by name."""
    outcome = run(settings_module.main, organization_id=None, state="absent")
    assert outcome.failed
    assert "state" in outcome.result["msg"]
    assert sim.requests() == []


@pytest.mark.parametrize("weight", [0, 0.0, 1, 1.0, "0.25"])
def test_weight_bounds_and_strings_are_accepted(run, sim, weight):
    outcome = run(settings_module.main, router_quality_weight=weight)
    assert not outcome.failed, outcome
    assert outcome.result["settings"]["router_quality_weight"] == float(weight)
    assert [w["body"]["routerQualityWeight"] for w in sim.writes()] == [float(weight)]


# --- reads, organization, diff --------------------------------------------------------------------------------------


def test_no_options_only_reads(run, sim):
    outcome = run(settings_module.main)
    assert outcome.result["changed"] is False
    assert outcome.result["changed_fields"] == []
    assert operations(sim) == [GET]
    assert outcome.result["settings"] == DEFAULT


def test_organization_comes_from_the_token_when_not_given(run, sim):
    outcome = run(settings_module.main, organization_id=None, routing_enabled=False)
    assert outcome.result["organization_id"] == sim.organization_id
    assert operations(sim) == [VERIFY, GET, PATCH]
    assert sim.requests()[2]["path"].endswith("/organizations/%s/settings" % sim.organization_id)


def test_diff_shows_before_and_after(run, sim):
    outcome = run(settings_module.main, diff=True, router_quality_weight=0.8)
    assert outcome.result["diff"] == {
        "before": dict(DEFAULT, state="present"),
        "after": dict(DEFAULT, router_quality_weight=0.8, state="present"),
    }


def test_check_mode_diff_shows_the_planned_settings(run, sim):
    outcome = run(settings_module.main, check_mode=True, diff=True, prompt_sharing_enabled=True)
    assert outcome.result["changed"] is True
    assert outcome.result["diff"] == {
        "before": dict(DEFAULT, state="present"),
        "after": dict(DEFAULT, prompt_sharing_enabled=True, state="present"),
    }
    assert sim.writes() == []


def test_no_diff_without_diff_mode(run, sim):
    assert "diff" not in run(settings_module.main, router_quality_weight=0.8).result
    assert "diff" not in run(settings_module.main, check_mode=True, router_quality_weight=0.1).result


def test_api_error_on_write_names_the_action(run, sim):
    sim.fault(kind="status", status=403, method="PATCH")
    outcome = run(settings_module.main, routing_enabled=False)
    assert outcome.failed
    assert outcome.result["msg"].startswith("update the organization settings: HTTP 403 PERMISSION_DENIED")
    assert outcome.result["failure"]["status"] == 403
    # The refused write changed nothing, and the task says so.
    assert outcome.result["changed"] is False


def test_api_error_on_read_writes_nothing(run, sim):
    sim.fault(kind="status", status=500, method="GET", path="/settings$")
    outcome = run(settings_module.main, routing_enabled=False)
    assert outcome.failed
    assert outcome.result["msg"].startswith("read the organization settings: HTTP 500")
    assert sim.writes() == []


# --- answers only the scripted server gives ----------------------------------------------------------------------


def scripted(run_module, api_server, **args):
    args = dict(
        {
            "api_url": api_server.url,
            "api_token": "scripted-token",
            "organization_id": "11111111-1111-4111-8111-111111111111",
        },
        **args,
    )
    return run_module(settings_module.main, args)


def test_float32_round_trip_is_not_a_change(run_module, api_server):
    api_server.reply(
        200, {"routingEnabled": True, "promptSharingEnabled": False, "routerQualityWeight": 0.699999988079071}
    )
    outcome = scripted(run_module, api_server, router_quality_weight=0.7)
    assert not outcome.failed, outcome
    assert outcome.result["changed"] is False
    assert [r.method for r in api_server.requests] == ["GET"]


def test_zero_values_left_out_by_the_api_are_read_as_zero(run_module, api_server):
    """proto3 JSON omits false and 0: a missing field is not a missing value, and the write still has all three."""
    api_server.reply(200, {"promptSharingEnabled": True})
    same = scripted(run_module, api_server, routing_enabled=False, router_quality_weight=0)
    assert same.result["changed"] is False
    assert same.result["settings"] == {
        "routing_enabled": False,
        "prompt_sharing_enabled": True,
        "router_quality_weight": 0.0,
    }

    api_server.reply(200, {"promptSharingEnabled": True})
    api_server.reply(200, {})
    changed = scripted(run_module, api_server, prompt_sharing_enabled=False)
    assert changed.result["changed"] is True
    assert changed.result["settings"] == {
        "routing_enabled": False,
        "prompt_sharing_enabled": False,
        "router_quality_weight": 0.0,
    }
    write = api_server.requests[-1]
    assert write.method == "PATCH"
    assert write.json() == {"routingEnabled": False, "promptSharingEnabled": False, "routerQualityWeight": 0.0}


@pytest.mark.parametrize("answer", [None, [], "settings", {"routerQualityWeight": "heavy"}])
def test_unusable_answer_fails_cleanly(run_module, api_server, answer):
    api_server.reply(200, answer)
    outcome = scripted(run_module, api_server, routing_enabled=True)
    assert outcome.failed
    assert outcome.result["msg"].startswith("read the organization settings: ")
    assert "Traceback" not in outcome.result["msg"]
    assert {r.method for r in api_server.requests} == {"GET"}


# --- helpers ------------------------------------------------------------------------------------------------------


def test_complete_and_weight_error():
    assert _settings.complete({}) == {
        "routing_enabled": False,
        "prompt_sharing_enabled": False,
        "router_quality_weight": 0.0,
    }
    assert _settings.complete(None) == _settings.complete({})
    zero_but_weight = {"routing_enabled": False, "prompt_sharing_enabled": False, "router_quality_weight": 1.0}
    assert _settings.complete({"router_quality_weight": 1}) == zero_but_weight
    assert isinstance(_settings.complete({"router_quality_weight": 1})["router_quality_weight"], float)
    assert _settings.weight_error(None) is None
    assert _settings.weight_error(0.5) is None
    assert "router_quality_weight" in _settings.weight_error(1.5)
    assert "router_quality_weight" in _settings.weight_error(float("nan"))
