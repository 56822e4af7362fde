# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.api_key_info against the in-process simulator: valid, invalid (a result) and failing checks."""

from __future__ import annotations

import json

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import api_key_info

VERIFY = "APIKeysAPIVerifyAPIKey"
UNKNOWN_TOKEN = "sim-token-nobody-knows-0000"


def shown(outcome):
    return json.dumps(outcome.result, default=str)


def test_the_connection_token_is_valid(run, sim):
    outcome = run(api_key_info.main, organization_id=None)
    assert not outcome.failed, outcome
    assert outcome.result["valid"] is True
    assert outcome.result["organization_id"] == sim.organization_id
    assert outcome.result["checked"] == "api_token"
    assert outcome.result["changed"] is False
    assert outcome.result["reason"] is None
    (verify,) = sim.requests()
    assert (verify["operation_id"], verify["api_key_suffix"]) == (VERIFY, sim.token[-4:])
    assert sim.token not in shown(outcome)


def test_the_check_ignores_a_given_organization(run, sim):
    outcome = run(api_key_info.main, organization_id="22222222-2222-4222-8222-222222222222")
    assert outcome.result["organization_id"] == sim.organization_id
    assert [r["operation_id"] for r in sim.requests()] == [VERIFY]


def test_a_given_token_is_the_only_one_sent(run, sim):
    other = sim.control("POST", "organizations", {})
    outcome = run(api_key_info.main, token=" %s\n" % other["token"])
    assert not outcome.failed, outcome
    assert (outcome.result["valid"], outcome.result["organization_id"]) == (True, other["organization_id"])
    assert outcome.result["checked"] == "token"
    assert outcome.result["api_calls"] == 1
    assert [r["api_key_suffix"] for r in sim.requests()] == [other["token"][-4:]]
    assert other["token"] not in shown(outcome) and sim.token not in shown(outcome)


def test_an_unknown_token_is_invalid_not_a_failure(run, sim):
    outcome = run(api_key_info.main, token=UNKNOWN_TOKEN)
    assert not outcome.failed, outcome
    assert outcome.result["valid"] is False
    assert outcome.result["organization_id"] is None
    assert outcome.result["reason"].startswith("HTTP 401 UNAUTHENTICATED")
    assert len(sim.requests()) == 1
    assert UNKNOWN_TOKEN not in shown(outcome)


def test_an_invalid_connection_token_is_invalid_too(run, sim):
    outcome = run(api_key_info.main, api_token=UNKNOWN_TOKEN)
    assert (outcome.failed, outcome.result["valid"], outcome.result["checked"]) == (False, False, "api_token")


def test_a_forbidden_token_is_invalid(run, sim):
    sim.fault(kind="status", status=403, operation_id=VERIFY)
    outcome = run(api_key_info.main)
    assert not outcome.failed, outcome
    assert outcome.result["valid"] is False
    assert outcome.result["reason"].startswith("HTTP 403")


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 404},
        {"kind": "html", "status": 502, "count": 10},
    ],
)
def test_other_errors_fail_because_they_say_nothing_about_the_token(run, sim, fault):
    sim.fault(operation_id=VERIFY, **fault)
    outcome = run(api_key_info.main, token=UNKNOWN_TOKEN)
    assert outcome.failed
    assert outcome.result["msg"].startswith("verify token: HTTP %s" % fault["status"])
    assert "valid" not in outcome.result
    assert UNKNOWN_TOKEN not in shown(outcome)


def test_an_unreachable_api_fails(run_module):
    outcome = run_module(
        api_key_info.main, {"api_url": "http://127.0.0.1:9", "api_token": UNKNOWN_TOKEN, "api_retries": 0}
    )
    assert outcome.failed
    assert outcome.result["msg"].startswith("verify api_token: ")
    assert UNKNOWN_TOKEN not in shown(outcome)


def test_an_answer_without_organization_fails(run, sim):
    sim.fault(kind="body", operation_id=VERIFY, body={})
    outcome = run(api_key_info.main)
    assert outcome.failed
    assert outcome.result["msg"] == "verify api_token: the API answered no organizationId"


@pytest.mark.parametrize("token", ["", "   ", "\n"])
def test_an_empty_token_fails_before_any_request(run, sim, token):
    outcome = run(api_key_info.main, token=token)
    assert outcome.failed
    assert outcome.result["msg"] == "token must not be empty"
    assert sim.requests() == []


def test_a_token_a_header_cannot_carry_fails_without_showing_it(run, sim):
    outcome = run(api_key_info.main, token="sim-token with-a-space")
    assert outcome.failed
    assert outcome.result["msg"].startswith("verify token: ")
    assert "with-a-space" not in shown(outcome)
    assert sim.requests() == []


def test_check_mode_checks_the_same(run, sim):
    outcome = run(api_key_info.main, check_mode=True)
    assert (outcome.result["valid"], outcome.result["organization_id"]) == (True, sim.organization_id)
