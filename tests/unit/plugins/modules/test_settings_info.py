# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.settings_info: organization, every key's settings (all pages) and the resolved settings."""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import settings_info
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.test_api_key_settings import (
    new_key,
    set_key_settings,
)

ORG_SETTINGS = {"routing_enabled": True, "prompt_sharing_enabled": False, "router_quality_weight": 0.5}
GET_ORG, LIST, GET_KEY, RESOLVE = (
    "SettingsAPIGetSettings",
    "SettingsAPIListAPIKeySettings",
    "SettingsAPIGetAPIKeySettings",
    "SettingsAPIResolveSettings",
)


def key_settings(index):
    return {
        "routing_enabled": index % 2 == 0,
        "prompt_sharing_enabled": index % 3 == 0,
        "router_quality_weight": index / 10.0,
    }


def operations(sim):
    return [r["operation_id"] for r in sim.requests()]


@pytest.fixture
def keys(sim):
    """Seven keys with settings of their own, listed two to a page."""
    ids = []
    for index in range(7):
        ids.append(new_key(sim))
        set_key_settings(sim, ids[-1], key_settings(index))
    sim.control("POST", "config", {"max_page_size": 2})
    return ids


def test_reads_every_page_of_key_settings(run, sim, keys):
    outcome = run(settings_info.main)
    assert not outcome.failed, outcome
    assert outcome.result["changed"] is False
    assert outcome.result["organization_id"] == sim.organization_id
    assert outcome.result["organization_settings"] == ORG_SETTINGS
    assert outcome.result["api_key_settings"] == [
        {"api_key_id": key, "settings": key_settings(i)} for i, key in enumerate(keys)
    ]
    assert operations(sim) == [GET_ORG] + [LIST] * 4 + [RESOLVE]  # 2 + 2 + 2 + 1 keys
    # Each page after the first asks for the cursor the previous one gave.
    pages = [r for r in sim.requests() if r["operation_id"] == LIST]
    assert "page.cursor" not in pages[0]["query"]
    assert all(r["query"].get("page.cursor") for r in pages[1:])
    assert outcome.result["resolved_settings"] == ORG_SETTINGS
    assert sim.writes() == []


def test_resolved_settings_follow_the_calling_key(run, sim, keys):
    caller = sim.control("POST", "api-keys:lookup", {"token": sim.token})["api_key_id"]
    set_key_settings(sim, caller, key_settings(3))
    outcome = run(settings_info.main, include_api_keys=False)
    assert outcome.result["resolved_settings"] == key_settings(3)
    assert outcome.result["organization_settings"] == ORG_SETTINGS
    assert "api_key_settings" not in outcome.result
    assert operations(sim) == [GET_ORG, RESOLVE]


def test_one_key(run, sim, keys):
    outcome = run(settings_info.main, api_key_id=keys[4], include_resolved=False)
    assert outcome.result["api_key_settings"] == [{"api_key_id": keys[4], "settings": key_settings(4)}]
    assert "resolved_settings" not in outcome.result
    assert operations(sim) == [GET_ORG, GET_KEY]
    assert sim.requests()[1]["path"].endswith("/api-key-settings/%s" % keys[4])


def test_one_key_without_settings_gives_an_empty_list(run, sim):
    outcome = run(settings_info.main, api_key_id=new_key(sim))
    assert not outcome.failed, outcome
    assert outcome.result["api_key_settings"] == []


def test_organization_comes_from_the_token_when_not_given(run, sim):
    outcome = run(settings_info.main, organization_id=None, include_api_keys=False, include_resolved=False)
    assert outcome.result["organization_id"] == sim.organization_id
    assert operations(sim) == ["APIKeysAPIVerifyAPIKey", GET_ORG]


def test_read_error_names_the_action(run, sim, keys):
    sim.fault(kind="status", status=500, method="GET", path="/api-key-settings$")
    outcome = run(settings_info.main)
    assert outcome.failed
    assert outcome.result["msg"].startswith("list the API-key settings: HTTP 500")
    assert outcome.result["changed"] is False


@pytest.mark.parametrize(
    "args, option",
    [
        ({"api_key_id": "key-1", "include_api_keys": False}, "api_key_id needs include_api_keys=true"),
        ({"api_key_id": ""}, "api_key_id"),
        ({"api_key_id": ".."}, "api_key_id"),
        ({"api_key_id": "a/b"}, "api_key_id"),
        ({"api_key_id": "a\nb"}, "api_key_id"),
    ],
)
def test_bad_input_fails_before_any_request(run, sim, args, option):
    outcome = run(settings_info.main, organization_id=None, **args)
    assert outcome.failed
    assert option in outcome.result["msg"]
    assert sim.requests() == []


def test_runs_in_check_mode(run, sim, keys):
    outcome = run(settings_info.main, check_mode=True)
    assert not outcome.failed
    assert len(outcome.result["api_key_settings"]) == 7
    assert sim.writes() == []


def test_zero_values_left_out_by_the_api_are_filled_in(run_module, api_server):
    """proto3 JSON leaves out false and 0, which the simulator (answering by the contract) never does."""
    api_server.reply(200, {})
    api_server.reply(200, {"items": [{"apiKeyId": "k", "settings": {"routingEnabled": True}}], "totalCount": 1})
    api_server.reply(200, {"settings": {}})
    outcome = run_module(
        settings_info.main,
        {
            "api_url": api_server.url,
            "api_token": "scripted-token",
            "organization_id": "11111111-1111-4111-8111-111111111111",
        },
    )
    zero = {"routing_enabled": False, "prompt_sharing_enabled": False, "router_quality_weight": 0.0}
    assert not outcome.failed, outcome
    assert outcome.result["organization_settings"] == zero
    assert outcome.result["api_key_settings"] == [{"api_key_id": "k", "settings": dict(zero, routing_enabled=True)}]
    assert outcome.result["resolved_settings"] == zero
    assert [r.method for r in api_server.requests] == ["GET", "GET", "GET"]
