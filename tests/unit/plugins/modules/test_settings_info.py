# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.settings_info: organization, every key's settings (all pages) and the resolved settings."""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import settings_info

from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.settings_fake_api import (
    CALLER_KEY,
    ORG,
    TOKEN,
    FakeAPI,
    camel,
)

BASE_ARGS = {"api_token": TOKEN, "organization_id": ORG}
ORG_SETTINGS = {"routing_enabled": True, "prompt_sharing_enabled": False, "router_quality_weight": 0.5}


def key_settings(index):
    return {"routing_enabled": index % 2 == 0, "prompt_sharing_enabled": index % 3 == 0,
            "router_quality_weight": index / 10.0}


@pytest.fixture
def api(monkeypatch):
    fake = FakeAPI(org_settings=camel(ORG_SETTINGS), page_limit=2).install(monkeypatch)
    for index in range(7):
        fake.key_settings["key-%d" % index] = camel(key_settings(index))
    return fake


def test_reads_every_page_of_key_settings(run_module, api):
    outcome = run_module(settings_info.main, BASE_ARGS)
    assert outcome.result["changed"] is False
    assert outcome.result["organization_settings"] == ORG_SETTINGS
    assert outcome.result["api_key_settings"] == [
        {"api_key_id": "key-%d" % i, "settings": key_settings(i)} for i in range(7)
    ]
    assert api.operations().count("SettingsAPIListAPIKeySettings") == 4  # 2 + 2 + 2 + 1
    assert outcome.result["resolved_settings"] == ORG_SETTINGS


def test_resolved_settings_follow_the_calling_key(run_module, api):
    api.key_settings[CALLER_KEY] = camel(key_settings(3))
    outcome = run_module(settings_info.main, dict(BASE_ARGS, include_api_keys=False))
    assert outcome.result["resolved_settings"] == key_settings(3)
    assert "api_key_settings" not in outcome.result
    assert "SettingsAPIListAPIKeySettings" not in api.operations()


def test_one_key(run_module, api):
    outcome = run_module(settings_info.main, dict(BASE_ARGS, api_key_id="key-4", include_resolved=False))
    assert outcome.result["api_key_settings"] == [{"api_key_id": "key-4", "settings": key_settings(4)}]
    assert "resolved_settings" not in outcome.result
    assert api.operations() == ["SettingsAPIGetSettings", "SettingsAPIGetAPIKeySettings"]


def test_one_key_without_settings_gives_an_empty_list(run_module, api):
    outcome = run_module(settings_info.main, dict(BASE_ARGS, api_key_id="no-such-settings"))
    assert not outcome.failed
    assert outcome.result["api_key_settings"] == []


def test_api_key_id_needs_include_api_keys(run_module, api):
    outcome = run_module(settings_info.main, dict(BASE_ARGS, api_key_id="key-1", include_api_keys=False))
    assert outcome.failed
    assert api.calls == []


def test_zero_values_left_out_by_the_api_are_filled_in(run_module, monkeypatch):
    api = FakeAPI(org_settings={"routingEnabled": False, "promptSharingEnabled": False, "routerQualityWeight": 0},
                  omit_zero_values=True).install(monkeypatch)
    api.key_settings["k"] = {"routingEnabled": True, "promptSharingEnabled": False, "routerQualityWeight": 0}
    outcome = run_module(settings_info.main, BASE_ARGS)
    zero = {"routing_enabled": False, "prompt_sharing_enabled": False, "router_quality_weight": 0.0}
    assert outcome.result["organization_settings"] == zero
    assert outcome.result["api_key_settings"] == [{"api_key_id": "k", "settings": dict(zero, routing_enabled=True)}]
    assert outcome.result["resolved_settings"] == zero


def test_runs_in_check_mode(run_module, api):
    outcome = run_module(settings_info.main, BASE_ARGS, check_mode=True)
    assert not outcome.failed
    assert len(outcome.result["api_key_settings"]) == 7
