# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.api_key_budget and api_key_budgets_info, and the money helpers behind them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from ansible_collections.castai.ai_optimizer.plugins.module_utils._budget import (
    MoneyError,
    api_amount,
    money_text,
    to_decimal,
)
from ansible_collections.castai.ai_optimizer.plugins.modules import api_key_budget, api_key_budgets_info

from ansible_collections.castai.ai_optimizer.tests.unit.plugins.modules.settings_fake_api import ORG, TOKEN, FakeAPI

KEY = "budget-key"
BASE_ARGS = {"api_token": TOKEN, "organization_id": ORG, "api_key_id": KEY}


@pytest.fixture
def api(monkeypatch):
    return FakeAPI().install(monkeypatch)


# --- money ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (0, "0"), (25, "25"), (12.5, "12.5"), (0.1, "0.1"), ("100.00", "100"), (" 7.25 ", "7.25"), ("1e2", "100"),
    (1e-7, "0.0000001"), (0.30000000000000004, "0.30000000000000004"), ("0.000", "0"), ("-0", "0"), (".5", "0.5"),
    (10 ** 20, "100000000000000000000"),
])
def test_amounts_are_sent_as_plain_decimal_text(value, text):
    assert money_text(to_decimal(value)) == text


@pytest.mark.parametrize("value", [True, False, None, "abc", "", "1e", "nan", "NaN", "inf", "Infinity", float("nan"),
                                   float("inf"), "1_000", "1,5", "$10", [], {}, -1, -0.01, "-3"])
def test_bad_amounts_are_refused(value):
    with pytest.raises(MoneyError):
        to_decimal(value)


@given(st.decimals(min_value=0, max_value=10 ** 9, allow_nan=False, allow_infinity=False, places=6))
def test_money_text_round_trips(amount):
    text = money_text(amount)
    assert "e" not in text.lower()
    assert Decimal(text) == amount
    assert to_decimal(text) == amount


def test_api_amounts():
    assert api_amount(None) == 0
    assert api_amount("12.50") == Decimal("12.5")
    with pytest.raises(MoneyError):
        api_amount("twelve")


# --- api_key_budget -------------------------------------------------------------------------------------------------

def test_set_a_new_budget(run_module, api):
    api.spend[KEY] = "5"
    outcome = run_module(api_key_budget.main, dict(BASE_ARGS, budget_limit_usd=20), diff=True)
    assert outcome.result["changed"] is True
    assert api.writes == [("APIKeysAPIUpdateAPIKeyBudget", {"organizationId": ORG, "apiKeyId": KEY}, {},
                           {"budgetLimitUsd": "20"})]
    budget = outcome.result["budget"]
    assert (budget["budget_limit_usd"], budget["total_spend_usd"], budget["usage_pct"], budget["exhausted"]) == \
        ("20", "5", "25.00", False)
    assert outcome.result["diff"] == {"before": {"state": "absent"},
                                      "after": {"state": "present", "budget_limit_usd": "20"}}


@pytest.mark.parametrize("stored, wanted", [("12.5", "12.50"), ("12.5", 12.5), ("100", 100), ("0", 0), ("0", "0.0")])
def test_numerically_equal_limit_is_not_a_change(run_module, api, stored, wanted):
    api.budgets[KEY] = stored
    outcome = run_module(api_key_budget.main, dict(BASE_ARGS, budget_limit_usd=wanted))
    assert outcome.result["changed"] is False
    assert api.writes == []
    assert outcome.result["budget"]["budget_limit_usd"] == stored


def test_change_a_budget_sends_no_float_artefacts(run_module, api):
    api.budgets[KEY] = "10"
    outcome = run_module(api_key_budget.main, dict(BASE_ARGS, budget_limit_usd=0.1))
    assert outcome.result["changed"] is True
    assert api.writes[0][3] == {"budgetLimitUsd": "0.1"}


def test_check_mode_keeps_the_spend_and_hides_computed_figures(run_module, api):
    api.budgets[KEY] = "10"
    api.spend[KEY] = "12"
    outcome = run_module(api_key_budget.main, dict(BASE_ARGS, budget_limit_usd="50"), check_mode=True)
    assert outcome.result["changed"] is True
    assert api.writes == []
    assert outcome.result["budget"] == {"api_key_id": KEY, "organization_id": ORG, "budget_limit_usd": "50",
                                        "total_spend_usd": "12", "usage_pct": None, "exhausted": None}


def test_check_mode_for_a_key_without_budget(run_module, api):
    outcome = run_module(api_key_budget.main, dict(BASE_ARGS, budget_limit_usd=0), check_mode=True)
    assert outcome.result["changed"] is True
    assert outcome.result["budget"]["budget_limit_usd"] == "0"
    assert outcome.result["budget"]["total_spend_usd"] is None
    assert api.writes == []


def test_remove_a_budget(run_module, api):
    api.budgets[KEY] = "10"
    outcome = run_module(api_key_budget.main, dict(BASE_ARGS, state="absent"), diff=True)
    assert outcome.result["changed"] is True
    assert outcome.result["budget"] is None
    assert [w[0] for w in api.writes] == ["APIKeysAPIDeleteAPIKeyBudget"]
    assert outcome.result["diff"]["after"] == {"state": "absent"}


def test_remove_in_check_mode(run_module, api):
    api.budgets[KEY] = "10"
    outcome = run_module(api_key_budget.main, dict(BASE_ARGS, state="absent"), check_mode=True)
    assert outcome.result["changed"] is True
    assert api.writes == []
    assert KEY in api.budgets


def test_remove_an_absent_budget_is_not_a_change(run_module, api):
    outcome = run_module(api_key_budget.main, dict(BASE_ARGS, state="absent"))
    assert outcome.result["changed"] is False
    assert api.writes == []


@pytest.mark.parametrize("args, message", [
    ({"budget_limit_usd": -5}, "must not be negative"),
    ({"budget_limit_usd": "-0.01"}, "must not be negative"),
    ({"budget_limit_usd": "ten"}, "must be a number"),
    ({"budget_limit_usd": True}, "must be a number"),
    ({"budget_limit_usd": [1]}, "must be a number"),
    ({"budget_limit_usd": "nan"}, "must be a number"),
    ({}, "budget_limit_usd"),
    ({"state": "absent", "budget_limit_usd": 5}, "cannot be set with state=absent"),
    ({"api_key_id": "", "budget_limit_usd": 5}, "api_key_id must not be empty"),
])
def test_bad_input_fails_before_any_call(run_module, api, args, message):
    args = dict({"api_token": TOKEN, "api_key_id": KEY}, **args)  # no organization_id: even verify must not run
    outcome = run_module(api_key_budget.main, args)
    assert outcome.failed
    assert message in outcome.result["msg"]
    assert api.calls == []


# --- api_key_budgets_info -------------------------------------------------------------------------------------------

@pytest.fixture
def budgets(monkeypatch):
    fake = FakeAPI(page_limit=3).install(monkeypatch)
    for index in range(8):
        fake.budgets["key-%d" % index] = str(10 * (index + 1))
        fake.spend["key-%d" % index] = str(25 * index)
    return fake


def test_lists_every_page(run_module, budgets):
    outcome = run_module(api_key_budgets_info.main, {"api_token": TOKEN, "organization_id": ORG})
    assert [b["api_key_id"] for b in outcome.result["budgets"]] == ["key-%d" % i for i in range(8)]
    assert budgets.operations().count("APIKeysAPIListAPIKeyBudgets") == 3
    assert outcome.result["changed"] is False


@pytest.mark.parametrize("exhausted, expected", [(True, ["key-%d" % i for i in range(1, 8)]), (False, ["key-0"])])
def test_filter_by_exhaustion(run_module, budgets, exhausted, expected):
    # key-i: limit 10(i+1), spend 25i -> exhausted from i = 1 on.
    outcome = run_module(api_key_budgets_info.main, {"api_token": TOKEN, "organization_id": ORG,
                                                     "exhausted": exhausted})
    assert [b["api_key_id"] for b in outcome.result["budgets"]] == expected


def test_one_key(run_module, budgets):
    outcome = run_module(api_key_budgets_info.main, {"api_token": TOKEN, "organization_id": ORG,
                                                     "api_key_id": "key-1"})
    assert outcome.result["budgets"] == [{"api_key_id": "key-1", "organization_id": ORG, "budget_limit_usd": "20",
                                          "total_spend_usd": "25", "usage_pct": "125.00", "exhausted": True}]
    missing = run_module(api_key_budgets_info.main, {"api_token": TOKEN, "organization_id": ORG,
                                                     "api_key_id": "nope"})
    assert missing.result["budgets"] == []
