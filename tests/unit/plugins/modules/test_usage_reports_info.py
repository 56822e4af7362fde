# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.usage_reports_info against the in-process simulator, and the report helpers behind it.

Usage is recorded through the simulator's control surface (POST /_sim/usage) at times relative to now; the reports
the simulator derives from it are the expected figures. Every bad window must fail with an empty request log.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ansible_collections.castai.ai_optimizer.plugins.module_utils import _reports
from ansible_collections.castai.ai_optimizer.plugins.modules import usage_reports_info

ANALYTICS, BILLING = "AnalyticsAPIGenerateAnalytics", "AnalyticsAPIGenerateBillingModelUsageReport"
HOSTED = "meta-llama/Llama-3.1-8B-Instruct"
SERVERLESS = "gpt-4o-mini"
CLUSTER = "cluster-usage"


def ago(**delta):
    return (datetime.now(timezone.utc) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def record(sim, **usage):
    sim.control("POST", "usage", usage)


def operations(sim):
    return [r["operation_id"] for r in sim.requests()]


@pytest.fixture
def usage(sim):
    """One hosted model with two replicas for 3 hours, and serverless and hosted usage of two keys."""
    other_key = sim.control("POST", "api-keys", {})["api_key_id"]
    sim.control(
        "POST",
        "hosted-models",
        {
            "cluster_id": CLUSTER,
            "model": {"service": "llama", "modelSpecsId": HOSTED, "currentReplicas": 2, "createTime": ago(hours=3)},
        },
    )
    record(
        sim,
        model=SERVERLESS,
        time=ago(hours=2),
        requests=10,
        input_tokens=1000,
        output_tokens=500,
        errors=1,
        error_code=429,
        duration_ms=800,
        ttft_ms=200,
    )
    record(
        sim,
        model=HOSTED,
        time=ago(hours=1),
        cluster_id=CLUSTER,
        requests=30,
        input_tokens=3000,
        output_tokens=6000,
        duration_ms=400,
        ttft_ms=100,
    )
    record(
        sim,
        model=SERVERLESS,
        api_key_id=other_key,
        time=ago(hours=1),
        requests=5,
        input_tokens=2000,
        output_tokens=2000,
        errors=5,
    )
    # Three days ago: outside the default 24 hours, inside 7 days.
    record(sim, model=SERVERLESS, time=ago(days=3), requests=100, input_tokens=10000, output_tokens=10000)
    sim.control("DELETE", "requests")
    return {"other_key": other_key}


def no_token_in(outcome, sim):
    assert sim.token not in json.dumps(outcome.result, default=str)


# --- both reports, numbers as numbers ---------------------------------------------------------------------------------


def test_default_window_reads_both_reports_of_the_last_24_hours(run, sim, usage):
    outcome = run(usage_reports_info.main)
    assert not outcome.failed, outcome
    result = outcome.result
    assert result["changed"] is False
    assert operations(sim) == [ANALYTICS, BILLING]
    assert result["api_calls"] == 2
    analytics_query, billing_query = (r["query"] for r in sim.requests())
    # The window the module sent is the one it reports, 24 hours ending now, and the billing report gets the same.
    assert analytics_query["startTime"] == billing_query["startTime"] == result["start_time"]
    assert analytics_query["endTime"] == billing_query["endTime"] == result["end_time"]
    assert parse(result["end_time"]) - parse(result["start_time"]) == timedelta(hours=24)
    assert abs(parse(result["end_time"]) - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert "filter" not in analytics_query and "castaiApiKey" not in analytics_query
    assert result["filter"] is None

    summary = result["summary"]
    assert summary["requests"] == 45
    assert summary["errors"] == 6
    assert summary["error_rate_percent"] == pytest.approx(100 * 6 / 45, abs=1e-4)
    assert (summary["input_tokens"], summary["output_tokens"], summary["tokens"]) == (6000, 8500, 14500)
    assert summary["cost_source"] == "billing"
    billing = result["usage_reports"]["billing"]
    rows = billing["self_hosted_models"] + billing["serverless_models"]
    assert Decimal(summary["total_cost"]) == sum(Decimal(row["total_cost"]) for row in rows)
    assert summary["total_cost_float"] == pytest.approx(float(summary["total_cost"]))
    assert summary["gpu_hours"] == pytest.approx(6.0, abs=0.01)  # 2 replicas for 3 hours
    no_token_in(outcome, sim)


def test_int64_strings_become_numbers_and_money_stays_exact(run, sim, usage):
    result = run(usage_reports_info.main).result
    billing = result["usage_reports"]["billing"]
    (hosted,) = billing["self_hosted_models"]
    assert hosted["model"] == HOSTED and hosted["cluster_id"] == CLUSTER
    assert hosted["request_count"] == 30 and isinstance(hosted["request_count"], int)
    assert isinstance(hosted["total_cost"], str)
    assert hosted["total_cost_float"] == pytest.approx(float(hosted["total_cost"]))
    assert hosted["total_cost_float"] == pytest.approx(6 * 0.8048, abs=0.01)
    (serverless,) = billing["serverless_models"]
    # 15 requests of two keys; 1500 + 2000 input and 500 + 2000 output tokens at 0.50 and 1.50 per million.
    assert serverless["request_count"] == 15
    assert serverless["rate_limit_hits_total"] == 1
    assert (serverless["input_token_cost"], serverless["output_token_cost"]) == ("0.0015", "0.00375")
    assert (serverless["input_token_cost_float"], serverless["output_token_cost_float"]) == (0.0015, 0.00375)
    assert serverless["total_cost"] == "0.00525" and serverless["total_cost_float"] == 0.00525

    analytics = result["usage_reports"]["analytics"]
    assert analytics["step_duration"] == 3600 * 10**9 and analytics["step_duration_seconds"] == 3600.0
    durations = [
        model
        for item in analytics["request_duration"]["steps"]
        for model in item["models"]
        if model["model"] == SERVERLESS and model["castai_api_key"] != usage["other_key"]
    ]
    assert [(d["avg_duration"], d["avg_duration_seconds"]) for d in durations] == [(800_000_000, 0.8)]
    ttft = [model for item in analytics["ttft"]["steps"] for model in item["models"] if model["model"] == HOSTED]
    assert ttft[0]["metrics"] == {
        "p50": 100_000_000,
        "p50_seconds": 0.1,
        "p95": 150_000_000,
        "p95_seconds": 0.15,
        "p99": 200_000_000,
        "p99_seconds": 0.2,
    }
    comparison = analytics["comparison"]["avg_request_duration"]
    assert isinstance(comparison["duration"], int)
    assert comparison["duration_seconds"] == comparison["duration"] / 1e9
    assert isinstance(analytics["cost"]["total_cost"], float)


def test_last_7_days_uses_day_steps_and_counts_older_usage(run, sim, usage):
    result = run(usage_reports_info.main, last="7d").result
    assert parse(result["end_time"]) - parse(result["start_time"]) == timedelta(days=7)
    assert result["usage_reports"]["analytics"]["step_duration_seconds"] == 86400.0
    assert result["summary"]["requests"] == 145


def test_an_explicit_window_is_sent_in_utc(run, sim, usage):
    outcome = run(usage_reports_info.main, start_time="2025-01-01T01:00:00+01:00", end_time="2025-01-08t00:00:00z")
    assert not outcome.failed, outcome
    query = sim.requests()[0]["query"]
    assert (query["startTime"], query["endTime"]) == ("2025-01-01T00:00:00Z", "2025-01-08T00:00:00Z")
    assert outcome.result["summary"]["requests"] == 0
    assert outcome.result["summary"]["total_cost"] == "0"


def test_last_counts_back_from_end_time(run, sim):
    outcome = run(usage_reports_info.main, last="2w", end_time="2025-03-01T00:00:00Z", reports=["billing"])
    assert not outcome.failed, outcome
    assert operations(sim) == [BILLING]
    assert sim.requests()[0]["query"] == {"startTime": "2025-02-15T00:00:00Z", "endTime": "2025-03-01T00:00:00Z"}
    assert outcome.result["usage_reports"]["analytics"] is None
    summary = outcome.result["summary"]
    assert summary["cost_source"] == "billing" and summary["tokens"] is None and summary["errors"] is None


def test_only_the_analytics_report(run, sim, usage):
    result = run(usage_reports_info.main, reports=["analytics"]).result
    assert operations(sim) == [ANALYTICS]
    assert result["usage_reports"]["billing"] is None
    summary = result["summary"]
    assert summary["cost_source"] == "analytics" and summary["gpu_hours"] is None
    assert summary["total_cost_float"] == pytest.approx(
        result["usage_reports"]["analytics"]["cost"]["total_cost"], abs=1e-6
    )


# --- narrowing: by key, by model, by a CEL filter -------------------------------------------------------------------


def test_one_api_key_reads_only_the_analytics_report_with_a_filter(run, sim, usage):
    result = run(usage_reports_info.main, api_key_id=usage["other_key"]).result
    assert operations(sim) == [ANALYTICS]
    expression = 'castai_api_key_id == "%s"' % usage["other_key"]
    assert sim.requests()[0]["query"]["filter"] == expression
    assert result["filter"] == expression
    summary = result["summary"]
    assert (summary["requests"], summary["errors"], summary["error_rate_percent"]) == (5, 5, 100.0)
    assert summary["cost_source"] == "analytics"
    assert summary["total_cost"] == _reports.amount(result["usage_reports"]["analytics"]["cost"]["total_cost"])


def test_key_and_model_are_joined(run, sim, usage):
    keys = sim.control("GET", "api-keys")
    first_key = keys[0]["api_key_id"]
    result = run(usage_reports_info.main, api_key_id=first_key, model=HOSTED).result
    assert sim.requests()[0]["query"]["filter"] == 'castai_api_key_id == "%s" && model == "%s"' % (first_key, HOSTED)
    assert result["summary"]["requests"] == 30


def test_a_cel_filter_is_sent_as_given_and_the_api_error_is_reported(run, sim, usage):
    outcome = run(usage_reports_info.main, filter=' model in ["gpt-4o", "gpt-4o-mini"] ')
    assert outcome.failed
    assert sim.requests()[0]["query"]["filter"] == 'model in ["gpt-4o", "gpt-4o-mini"]'
    assert outcome.result["msg"].startswith("generate the analytics report: HTTP 501")
    assert outcome.result["failure"]["status"] == 501


def test_a_filter_may_span_lines(run, sim, usage):
    outcome = run(usage_reports_info.main, filter='model == "gpt-4o-mini"\n')
    assert not outcome.failed, outcome
    assert sim.requests()[0]["query"]["filter"] == 'model == "gpt-4o-mini"'
    assert outcome.result["summary"]["requests"] == 15


def test_check_mode_gives_the_same_answer_with_reads_only(run, sim, usage):
    window = {"start_time": ago(days=1), "end_time": ago(seconds=0)}
    normal = run(usage_reports_info.main, **window).result
    checked = run(usage_reports_info.main, check_mode=True, **window).result
    assert checked["summary"] == normal["summary"]
    assert checked["usage_reports"]["billing"] == normal["usage_reports"]["billing"]
    assert {r["method"] for r in sim.requests()} == {"GET"}


def test_the_organization_is_looked_up_when_not_given(run, sim, usage):
    result = run(usage_reports_info.main, organization_id=None, reports=["billing"]).result
    assert operations(sim) == ["APIKeysAPIVerifyAPIKey", BILLING]
    assert result["organization_id"] == sim.organization_id
    assert sim.organization_id in sim.requests()[1]["path"]


# --- bad input: refused before any request --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (
            {"start_time": "2025-02-01T00:00:00Z", "end_time": "2025-01-01T00:00:00Z"},
            "start_time (2025-02-01T00:00:00Z) must not be after end_time (2025-01-01T00:00:00Z)",
        ),
        (
            {"start_time": "2025-01-01T00:00:00Z", "end_time": "2025-01-01T00:00:00Z"},
            "start_time (2025-01-01T00:00:00Z) must be before end_time (2025-01-01T00:00:00Z): the window would be empty",
        ),
        ({"start_time": "2999-01-01T00:00:00Z"}, "start_time (2999-01-01T00:00:00Z) must be before now ("),
        ({"start_time": "yesterday"}, "start_time must be an RFC 3339 timestamp with a time zone"),
        ({"start_time": "2025-01-01T00:00:00"}, "start_time must be an RFC 3339 timestamp with a time zone"),
        ({"end_time": "2025-02-30T00:00:00Z"}, "end_time must be an RFC 3339 timestamp with a time zone"),
        (
            {"last": "3mo"},
            "last must be a whole number of hours, days or weeks (h, d or w), such as 24h, 7d or 30d; got '3mo'",
        ),
        ({"last": "1y"}, "last must be a whole number of hours, days or weeks"),
        ({"last": "7"}, "last must be a whole number of hours, days or weeks"),
        ({"last": "-1d"}, "last must be a whole number of hours, days or weeks"),
        ({"last": "1.5d"}, "last must be a whole number of hours, days or weeks"),
        ({"last": " 7d"}, "last must be a whole number of hours, days or weeks"),
        ({"last": "0h"}, "last must be longer than 0, got '0h'"),
        ({"last": "9999999w"}, "last must be at most 3660d, got '9999999w'"),
        ({"last": "7d", "start_time": "2025-01-01T00:00:00Z"}, "parameters are mutually exclusive: last|start_time"),
        ({"filter": 'model == "x"', "model": "x"}, "parameters are mutually exclusive: filter|model"),
        ({"reports": []}, "reports must name at least one of: analytics, billing"),
        ({"reports": ["costs"]}, "reports"),
        (
            {"reports": ["billing"], "model": "x"},
            "the billing report covers the whole organization and cannot be "
            "narrowed by model; set reports to [analytics]",
        ),
        ({"api_key_id": "a/b"}, "api_key_id must be a single ID, not a path"),
        ({"api_key_id": "key with spaces"}, "api_key_id must not contain spaces or control characters"),
        ({"model": "  "}, "model must not be empty"),
        ({"filter": 'model == "a\x07"'}, "filter must not contain control characters"),
        ({"model": "gpt\n4o"}, "model must not contain control characters"),
    ],
)
def test_bad_input_fails_before_any_request(run, sim, args, message):
    outcome = run(usage_reports_info.main, organization_id=None, **args)
    assert outcome.failed
    assert message in outcome.result["msg"]
    assert sim.requests() == []
    assert outcome.result["changed"] is False


def test_every_window_problem_is_named_at_once(run, sim):
    outcome = run(usage_reports_info.main, end_time="tomorrow", last="7x", reports=["billing"], model="m")
    msg = outcome.result["msg"]
    assert "end_time must be an RFC 3339" in msg and "last must be a whole number" in msg
    assert "cannot be narrowed by model" in msg
    assert sim.requests() == []


# --- answers that break the contract --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation, body, message",
    [
        (
            BILLING,
            {"selfHostedModels": [{"model": "m", "requestCount": "12.5", "totalCost": "1"}]},
            "billing.self_hosted_models[0].request_count is '12.5' where the contract has an int64 string",
        ),
        (
            BILLING,
            {"serverlessModels": [{"model": "m", "totalCost": "1e999999999"}]},
            "billing.serverless_models[0].total_cost is '1e999999999' where the contract has a decimal string",
        ),
        (
            BILLING,
            {"serverlessModels": [{"model": "m", "inputTokenCost": "NaN"}]},
            "billing.serverless_models[0].input_token_cost is 'NaN' where the contract has a decimal string",
        ),
        (
            ANALYTICS,
            {"stepDuration": "one hour"},
            "analytics.step_duration is 'one hour' where the contract has an int64",
        ),
        (ANALYTICS, {"stepDuration": "99999999999999999999"}, "analytics.step_duration is '99999999999999999999'"),
        (ANALYTICS, {"apiCalls": {"items": []}}, "the API answer has no step_duration"),
        (ANALYTICS, [], "generate the analytics report: HTTP 200: the API answered a JSON list"),
    ],
)
def test_answers_without_the_promised_numbers_fail_cleanly(run, sim, operation, body, message):
    sim.fault(kind="body", operation_id=operation, body=body)
    outcome = run(usage_reports_info.main)
    assert outcome.failed
    assert message in outcome.result["msg"], outcome.result["msg"]
    assert "Traceback" not in outcome.result["msg"]


def test_absent_int64_and_money_fields_count_as_zero(run, sim):
    sim.fault(kind="body", operation_id=BILLING, body={"serverlessModels": [{"model": "m"}]})
    result = run(usage_reports_info.main, reports=["billing"]).result
    assert result["usage_reports"]["billing"] == {
        "self_hosted_models": [],
        "serverless_models": [
            {
                "model": "m",
                "request_count": 0,
                "rate_limit_hits_total": 0,
                "total_cost": "0",
                "total_cost_float": 0.0,
                "input_token_cost": "0",
                "input_token_cost_float": 0.0,
                "output_token_cost": "0",
                "output_token_cost_float": 0.0,
            }
        ],
    }
    assert result["summary"]["total_cost"] == "0" and result["summary"]["requests"] == 0


# --- the helpers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("hello", '"hello"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
    ],
)
def test_cel_strings_are_escaped(value, expected):
    assert _reports.cel_text(value) == expected


@pytest.mark.parametrize(
    "value, hours", [("1h", 1), ("24h", 24), ("7d", 168), ("30d", 720), ("2w", 336), ("3660d", 87840)]
)
def test_relative_periods(value, hours):
    assert _reports.last_error(value) is None
    assert _reports.last_delta(value) == timedelta(hours=hours)


def test_a_cost_from_the_analytics_report_loses_its_binary_noise():
    assert _reports.amount(0.1 + 0.2) == "0.3"
    assert _reports.amount(None) == "0"
    assert _reports.amount(1.0000004) == "1"
