# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.api_key_budget and api_key_budgets_info, and the money helpers behind them.

Against the in-process simulator: budgets belong to keys the tests mint there and spend is set through its control
surface. Amounts the simulator never sends (it normalises them) come from the scripted server.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.castai.ai_optimizer.plugins.module_utils._budget import (
    MoneyError,
    api_amount,
    money_text,
    to_decimal,
)
from ansible_collections.castai.ai_optimizer.plugins.modules import api_key_budget, api_key_budgets_info
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.test_api_key_settings import new_key

GET, PATCH, DELETE, LIST = (
    "APIKeysAPIGetAPIKeyBudget",
    "APIKeysAPIUpdateAPIKeyBudget",
    "APIKeysAPIDeleteAPIKeyBudget",
    "APIKeysAPIListAPIKeyBudgets",
)


def set_budget(sim, key, limit, spend=None):
    """Give the key a budget through the API itself (and a spend through the control surface); forget the request."""
    url = "%s/ai-optimizer/v1beta/organizations/%s/api-keys/%s/budget" % (sim.url, sim.organization_id, key)
    answer = requests.patch(url, json={"budgetLimitUsd": limit}, headers={"X-API-Key": sim.token}, timeout=10)
    assert answer.ok, answer.text
    if spend is not None:
        set_spend(sim, key, spend)
    sim.control("DELETE", "requests")


def set_spend(sim, key, spend):
    sim.control("POST", "budgets/%s" % key, {"total_spend_usd": spend})


def operations(sim):
    return [r["operation_id"] for r in sim.requests()]


@pytest.fixture
def key(sim):
    return new_key(sim)


# --- money ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (0, "0"),
        (25, "25"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        ("100.00", "100"),
        (" 7.25 ", "7.25"),
        ("1e2", "100"),
        (1e-7, "0.0000001"),
        (0.30000000000000004, "0.30000000000000004"),
        ("0.000", "0"),
        ("-0", "0"),
        (".5", "0.5"),
        (10**14, "100000000000000"),
        ("999999999999999.99", "999999999999999.99"),
        ("0.00000000000000000001", "0.00000000000000000001"),
        ("1.500000000000000000000000", "1.5"),
        ("0e999999999", "0"),
    ],
)
def test_amounts_are_sent_as_plain_decimal_text(value, text):
    assert money_text(to_decimal(value)) == text


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        None,
        "abc",
        "",
        "1e",
        "nan",
        "NaN",
        "inf",
        "Infinity",
        float("nan"),
        float("inf"),
        "1_000",
        "1,5",
        "$10",
        [],
        {},
        -1,
        -0.01,
        "-3",
    ],
)
def test_bad_amounts_are_refused(value):
    with pytest.raises(MoneyError):
        to_decimal(value)


@pytest.mark.parametrize(
    "value, message",
    [
        (10**15, "must be less than 10^15"),
        (10**20, "must be less than 10^15"),
        ("1e15", "must be less than 10^15"),
        ("1e100000", "must be less than 10^15"),
        # As plain text this would be a billion characters: refused from its exponent, before any formatting.
        ("1e999999999", "must be less than 10^15"),
        ("-1e999999999", "must be less than 10^15"),
        (1e300, "must be less than 10^15"),
        ("0.000000000000000000001", "more than 20 decimal places"),
        ("1e-999999999", "more than 20 decimal places"),
        ("1" * 65, "text of 65 characters"),
    ],
)
def test_amounts_out_of_bounds_are_refused_naming_the_option(value, message):
    with pytest.raises(MoneyError) as caught:
        to_decimal(value)
    assert str(caught.value).startswith("budget_limit_usd ")
    assert message in str(caught.value)


@given(st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=6))
def test_money_text_round_trips(amount):
    text = money_text(amount)
    assert "e" not in text.lower()
    assert Decimal(text) == amount
    assert to_decimal(text) == amount


def test_api_amounts():
    assert api_amount(None) == 0
    assert api_amount("") == 0
    assert api_amount("12.50") == Decimal("12.5")
    with pytest.raises(MoneyError):
        api_amount("twelve")


# --- api_key_budget: present ----------------------------------------------------------------------------------------


def test_set_a_new_budget(run, sim, key):
    set_spend(sim, key, "5")
    outcome = run(api_key_budget.main, diff=True, api_key_id=key, budget_limit_usd=20)
    assert outcome.result["changed"] is True
    assert outcome.result["changed_fields"] == ["budget_limit_usd"]
    assert (outcome.result["organization_id"], outcome.result["api_key_id"]) == (sim.organization_id, key)
    assert [(r["method"], r["operation_id"], r["body"]) for r in sim.requests()] == [
        ("GET", GET, None),
        ("PATCH", PATCH, {"budgetLimitUsd": "20"}),
    ]
    assert sim.writes()[0]["path"].endswith("/organizations/%s/api-keys/%s/budget" % (sim.organization_id, key))
    budget = outcome.result["budget"]
    assert budget == {
        "api_key_id": key,
        "organization_id": sim.organization_id,
        "budget_limit_usd": "20",
        "total_spend_usd": "5",
        "usage_pct": "25",
        "exhausted": False,
    }
    assert outcome.result["diff"] == {
        "before": {"state": "absent"},
        "after": {"state": "present", "budget_limit_usd": "20"},
    }


def test_change_a_budget_sends_the_decimal_text(run, sim, key):
    set_budget(sim, key, "10")
    outcome = run(api_key_budget.main, diff=True, api_key_id=key, budget_limit_usd=12.5)
    assert outcome.result["changed"] is True
    assert outcome.result["changed_fields"] == ["budget_limit_usd"]
    assert [w["body"] for w in sim.writes()] == [{"budgetLimitUsd": "12.5"}]
    assert outcome.result["diff"] == {
        "before": {"state": "present", "budget_limit_usd": "10"},
        "after": {"state": "present", "budget_limit_usd": "12.5"},
    }


def test_change_a_budget_sends_no_float_artefacts(run, sim, key):
    set_budget(sim, key, "10")
    outcome = run(api_key_budget.main, api_key_id=key, budget_limit_usd=0.1)
    assert outcome.result["changed"] is True
    assert [w["body"] for w in sim.writes()] == [{"budgetLimitUsd": "0.1"}]


@pytest.mark.parametrize(
    "stored, wanted", [("12.5", "12.50"), ("12.5", 12.5), ("100", 100), ("100", "1e2"), ("0", 0), ("0", "0.0")]
)
def test_numerically_equal_limit_is_not_a_change(run, sim, key, stored, wanted):
    set_budget(sim, key, stored)
    outcome = run(api_key_budget.main, api_key_id=key, budget_limit_usd=wanted)
    assert outcome.result["changed"] is False
    assert outcome.result["changed_fields"] == []
    assert operations(sim) == [GET]
    assert outcome.result["budget"]["budget_limit_usd"] == stored


def test_check_mode_predicts_the_real_run_and_a_rerun_writes_nothing(run, sim, key):
    args = {"api_key_id": key, "budget_limit_usd": "42.50"}
    preview = run(api_key_budget.main, check_mode=True, **args)
    assert sim.writes() == []
    real = run(api_key_budget.main, **args)
    assert (preview.result["changed"], real.result["changed"]) == (True, True)
    assert preview.result["changed_fields"] == real.result["changed_fields"] == ["budget_limit_usd"]
    assert preview.result["budget"]["budget_limit_usd"] == real.result["budget"]["budget_limit_usd"] == "42.5"

    sim.control("DELETE", "requests")
    check_again = run(api_key_budget.main, check_mode=True, **args)
    again = run(api_key_budget.main, **args)
    assert (check_again.result["changed"], again.result["changed"]) == (False, False)
    assert sim.writes() == []


def test_check_mode_keeps_the_spend_and_hides_computed_figures(run, sim, key):
    set_budget(sim, key, "10", spend="12")
    outcome = run(api_key_budget.main, check_mode=True, api_key_id=key, budget_limit_usd="50")
    assert outcome.result["changed"] is True
    assert sim.writes() == []
    assert outcome.result["budget"] == {
        "api_key_id": key,
        "organization_id": sim.organization_id,
        "budget_limit_usd": "50",
        "total_spend_usd": "12",
        "usage_pct": None,
        "exhausted": None,
    }


def test_check_mode_for_a_key_without_budget(run, sim, key):
    outcome = run(api_key_budget.main, check_mode=True, diff=True, api_key_id=key, budget_limit_usd=0)
    assert outcome.result["changed"] is True
    assert outcome.result["budget"]["budget_limit_usd"] == "0"
    assert outcome.result["budget"]["total_spend_usd"] is None
    assert outcome.result["diff"] == {
        "before": {"state": "absent"},
        "after": {"state": "present", "budget_limit_usd": "0"},
    }
    assert sim.writes() == []


def test_no_diff_without_diff_mode(run, sim, key):
    assert "diff" not in run(api_key_budget.main, api_key_id=key, budget_limit_usd=3).result
    assert "diff" not in run(api_key_budget.main, api_key_id=key, state="absent").result


def test_unknown_key_fails_naming_it(run, sim):
    outcome = run(api_key_budget.main, api_key_id="no-such-key", budget_limit_usd=5)
    assert outcome.failed
    assert outcome.result["changed"] is False
    assert outcome.result["msg"].startswith("set the budget of API key no-such-key: HTTP 404")


def test_refused_write_reports_no_change(run, sim, key):
    sim.fault(kind="status", status=400, method="PATCH")
    outcome = run(api_key_budget.main, api_key_id=key, budget_limit_usd=5)
    assert outcome.failed
    assert outcome.result["changed"] is False
    assert outcome.result["msg"].startswith("set the budget of API key %s: HTTP 400" % key)
    assert outcome.result["failure"]["status"] == 400


def test_limit_the_api_sent_unreadable_is_rewritten(run_module, api_server):
    """An amount that is not a number never equals the wanted one: the task writes the limit it was given."""
    api_server.reply(200, {"apiKeyId": "k", "organizationId": "o", "budgetLimitUsd": "a lot"})
    api_server.reply(
        200,
        {
            "apiKeyId": "k",
            "organizationId": "o",
            "budgetLimitUsd": "5",
            "totalSpendUsd": "0",
            "usagePct": "0",
            "exhausted": False,
        },
    )
    outcome = run_module(
        api_key_budget.main,
        {
            "api_url": api_server.url,
            "api_token": "scripted-token",
            "organization_id": "o",
            "api_key_id": "k",
            "budget_limit_usd": 5,
        },
    )
    assert not outcome.failed, outcome
    assert outcome.result["changed"] is True
    assert [(r.method, r.json()) for r in api_server.requests] == [("GET", None), ("PATCH", {"budgetLimitUsd": "5"})]


@pytest.mark.parametrize("answered, wanted", [("100.00", 100), ("10.50", "10.5"), ("1E+2", "100"), ("0.10", 0.1)])
def test_amounts_the_api_writes_differently_are_not_a_change(run_module, api_server, answered, wanted):
    api_server.reply(
        200,
        {
            "apiKeyId": "k",
            "organizationId": "o",
            "budgetLimitUsd": answered,
            "totalSpendUsd": "1",
            "usagePct": "1",
            "exhausted": False,
        },
    )
    outcome = run_module(
        api_key_budget.main,
        {
            "api_url": api_server.url,
            "api_token": "scripted-token",
            "organization_id": "o",
            "api_key_id": "k",
            "budget_limit_usd": wanted,
        },
    )
    assert not outcome.failed, outcome
    assert outcome.result["changed"] is False
    assert outcome.result["budget"]["budget_limit_usd"] == answered
    assert [r.method for r in api_server.requests] == ["GET"]


# --- api_key_budget: absent -----------------------------------------------------------------------------------------


def test_remove_a_budget(run, sim, key):
    set_budget(sim, key, "10")
    outcome = run(api_key_budget.main, diff=True, api_key_id=key, state="absent")
    assert outcome.result["changed"] is True
    assert outcome.result["budget"] is None
    assert outcome.result["changed_fields"] == []
    assert [(w["method"], w["operation_id"]) for w in sim.writes()] == [("DELETE", DELETE)]
    assert outcome.result["diff"] == {
        "before": {"state": "present", "budget_limit_usd": "10"},
        "after": {"state": "absent"},
    }
    sim.control("DELETE", "requests")
    assert run(api_key_budget.main, api_key_id=key, state="absent").result["changed"] is False
    assert operations(sim) == [GET]


def test_remove_in_check_mode(run, sim, key):
    set_budget(sim, key, "10")
    outcome = run(api_key_budget.main, check_mode=True, api_key_id=key, state="absent")
    assert outcome.result["changed"] is True
    assert sim.writes() == []
    # The budget is still there.
    assert run(api_key_budget.main, api_key_id=key, budget_limit_usd=10).result["changed"] is False


def test_remove_an_absent_budget_is_not_a_change(run, sim, key):
    outcome = run(api_key_budget.main, api_key_id=key, state="absent")
    assert outcome.result["changed"] is False
    assert outcome.result["budget"] is None
    assert sim.writes() == []


# --- input judged before any request --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ({"budget_limit_usd": -5}, "budget_limit_usd must not be negative"),
        ({"budget_limit_usd": "-0.01"}, "budget_limit_usd must not be negative"),
        ({"budget_limit_usd": "ten"}, "budget_limit_usd must be a number"),
        ({"budget_limit_usd": True}, "budget_limit_usd must be a number"),
        ({"budget_limit_usd": [1]}, "budget_limit_usd must be a number"),
        ({"budget_limit_usd": "nan"}, "budget_limit_usd must be a number"),
        ({"budget_limit_usd": "NaN"}, "budget_limit_usd must be a number"),
        ({"budget_limit_usd": float("nan")}, "budget_limit_usd must be a finite number"),
        ({"budget_limit_usd": "1e999999999"}, "budget_limit_usd must be less than 10^15"),
        ({"budget_limit_usd": "1e100000"}, "budget_limit_usd must be less than 10^15"),
        ({"budget_limit_usd": 10**20}, "budget_limit_usd must be less than 10^15"),
        ({"budget_limit_usd": "0.0000000000000000000001"}, "budget_limit_usd has more than 20 decimal places"),
        ({}, "budget_limit_usd"),
        ({"state": "absent", "budget_limit_usd": 5}, "budget_limit_usd cannot be set with state=absent"),
        ({"api_key_id": "", "budget_limit_usd": 5}, "api_key_id must not be empty"),
        ({"api_key_id": ".", "budget_limit_usd": 5}, "api_key_id must be a single ID"),
        ({"api_key_id": "..", "budget_limit_usd": 5}, "api_key_id must be a single ID"),
        ({"api_key_id": "a/b", "budget_limit_usd": 5}, "api_key_id must be a single ID"),
        ({"api_key_id": "a\nb", "budget_limit_usd": 5}, "api_key_id must not contain spaces or control characters"),
    ],
)
def test_bad_input_fails_before_any_request(run, sim, args, message):
    # No organization_id: even the verify lookup must not run.
    outcome = run(api_key_budget.main, organization_id=None, **dict({"api_key_id": "k"}, **args))
    assert outcome.failed
    assert message in outcome.result["msg"]
    assert outcome.result["changed"] is False
    assert sim.requests() == []


# --- api_key_budgets_info -------------------------------------------------------------------------------------------


@pytest.fixture
def budgets(sim):
    """Eight keys with budgets, listed three to a page: key i has limit 10(i+1) and spend 25i."""
    keys = []
    for index in range(8):
        keys.append(new_key(sim))
        set_budget(sim, keys[-1], str(10 * (index + 1)), spend=str(25 * index))
    sim.control("POST", "config", {"max_page_size": 3})
    return keys


def test_lists_every_page(run, sim, budgets):
    outcome = run(api_key_budgets_info.main)
    assert not outcome.failed, outcome
    assert "budgets" not in outcome.result
    assert [b["api_key_id"] for b in outcome.result["api_key_budgets"]] == budgets
    assert operations(sim) == [LIST] * 3
    assert outcome.result["changed"] is False
    assert outcome.result["organization_id"] == sim.organization_id


@pytest.mark.parametrize("exhausted, expected", [(True, range(1, 8)), (False, [0])])
def test_filter_by_exhaustion(run, sim, budgets, exhausted, expected):
    # key i: limit 10(i+1), spend 25i -> exhausted from i = 1 on.
    outcome = run(api_key_budgets_info.main, exhausted=exhausted)
    assert [b["api_key_id"] for b in outcome.result["api_key_budgets"]] == [budgets[i] for i in expected]


def test_one_key(run, sim, budgets):
    outcome = run(api_key_budgets_info.main, api_key_id=budgets[1])
    assert outcome.result["api_key_budgets"] == [
        {
            "api_key_id": budgets[1],
            "organization_id": sim.organization_id,
            "budget_limit_usd": "20",
            "total_spend_usd": "25",
            "usage_pct": "125",
            "exhausted": True,
        }
    ]
    assert operations(sim) == [GET]
    sim.control("DELETE", "requests")
    assert run(api_key_budgets_info.main, api_key_id=new_key(sim)).result["api_key_budgets"] == []
    assert run(api_key_budgets_info.main, api_key_id="no-such-key").result["api_key_budgets"] == []
    assert sim.writes() == []


def test_info_organization_comes_from_the_token_when_not_given(run, sim):
    outcome = run(api_key_budgets_info.main, organization_id=None)
    assert outcome.result == dict(outcome.result, organization_id=sim.organization_id, api_key_budgets=[])
    assert operations(sim) == ["APIKeysAPIVerifyAPIKey", LIST]


@pytest.mark.parametrize("api_key_id", ["", ".", "..", "a/b", "a\nb"])
def test_info_bad_api_key_id_fails_before_any_request(run, sim, api_key_id):
    outcome = run(api_key_budgets_info.main, organization_id=None, api_key_id=api_key_id)
    assert outcome.failed
    assert "api_key_id" in outcome.result["msg"]
    assert sim.requests() == []
