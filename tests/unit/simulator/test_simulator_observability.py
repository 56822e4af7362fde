"""Simulator: components of a cluster, usage records, and the analytics and billing reports derived from the simulator's state."""

import urllib.error

import pytest

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
START, END = "2025-03-01T00:00:00Z", "2025-03-02T00:00:00Z"
WINDOW = {"startTime": START, "endTime": END}


def components_path(api, cluster="cluster-1"):
    return f"organizations/{api.org}/clusters/{cluster}/components"


def analytics(api, **params):
    answer = api.get(f"organizations/{api.org}:generateAnalyticsReport", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def billing(api, **params):
    answer = api.get(f"organizations/{api.org}:generateBillingModelUsageReport", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def bucket(series, at):
    """The models of one time bucket of a series ({items: [...]}, or a bare list for the hosted model figures)."""
    items = series["items"] if isinstance(series, dict) else series
    return next(item["models"] for item in items if item["executionTime"] == at)


@pytest.fixture
def usage(sim):
    """A hosted Llama on 2 replicas since the day before the window, and usage inside, before and around the window."""
    sim.control(
        "POST",
        "hosted-models",
        {
            "cluster_id": "cluster-1",
            "model": {
                "service": "llama",
                "model": LLAMA,
                "currentReplicas": 2,
                "createTime": "2025-02-28T00:00:00.000000Z",
            },
        },
    )
    other_key = sim.control("POST", "api-keys", {})
    default_key = sim.control("POST", "api-keys:lookup", {"token": sim.token})["api_key_id"]
    records = [
        {
            "model": "gpt-4o",
            "time": "2025-03-01T10:30:00Z",
            "requests": 10,
            "input_tokens": 1_000_000,
            "output_tokens": 500_000,
            "errors": 2,
            "error_code": 429,
            "duration_ms": 1200,
            "ttft_ms": 300,
        },
        {
            "model": "gpt-4o",
            "time": "2025-03-01T10:45:00Z",
            "requests": 10,
            "api_key_id": other_key["api_key_id"],
            "duration_ms": 800,
        },
        {"model": LLAMA, "time": "2025-03-01T12:00:00Z", "requests": 4, "output_tokens": 7200},
        {"model": "gpt-4o", "time": "2025-02-28T10:00:00Z", "requests": 5},
        {"model": "gpt-4o", "time": "2025-02-10T10:00:00Z", "requests": 3, "errors": 3, "error_code": 429},
    ]
    added = [sim.control("POST", "usage", record) for record in records]
    assert added[2]["provider"] == "hosted_model" and added[0]["provider"] == "openai"
    return {"default": default_key, "other": other_key["api_key_id"], "other_token": other_key["token"]}


# components


def test_every_cluster_runs_a_proxy_by_default(api):
    answer = api.get(components_path(api)).json()
    assert answer["totalCount"] == 1
    component = answer["items"][0]
    assert (component["type"], component["status"], component["clusterId"], component["organizationId"]) == (
        "PROXY",
        "RUNNING",
        "cluster-1",
        api.org,
    )
    assert component["version"].startswith("v") and "warning" not in component


def test_control_sets_not_running_with_a_warning_then_removes(api, sim):
    set_to = sim.control(
        "POST",
        "components",
        {
            "cluster_id": "cluster-1",
            "status": "NOT_RUNNING",
            "warning": "proxy pod CrashLoopBackOff",
            "version": "v0.1.0",
        },
    )
    component = api.get(components_path(api)).json()["items"][0]
    assert component == set_to[0]
    assert (component["status"], component["warning"], component["version"]) == (
        "NOT_RUNNING",
        "proxy pod CrashLoopBackOff",
        "v0.1.0",
    )
    assert api.get(components_path(api, "cluster-2")).json()["items"][0]["status"] == "RUNNING"
    sim.control("POST", "components", {"cluster_id": "cluster-1", "remove": True})
    assert api.get(components_path(api)).json() == {"items": [], "totalCount": 0}


def test_components_page_and_belong_to_the_organization(api, sim, make_api):
    answer = api.get(components_path(api), params={"page.limit": "1"}).json()
    assert len(answer["items"]) == 1 and "nextPageCursor" not in answer
    assert api.get(components_path(api), params={"page.cursor": "bogus!"}).status_code == 400
    other = sim.control("POST", "organizations", {})
    assert make_api(other["token"], other["organization_id"]).get(components_path(api)).status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"cluster_id": "c", "status": "BROKEN"},
        {"cluster_id": "c", "warning": 5},
        {"cluster_id": "c", "organization_id": "unknown"},
    ],
)
def test_components_control_checks_its_input(sim, payload):
    with pytest.raises(urllib.error.HTTPError) as raised:
        sim.control("POST", "components", payload)
    assert raised.value.code in (400, 404)


# usage records (control)


@pytest.mark.parametrize(
    "payload, status",
    [
        ({}, 400),
        ({"model": "m", "api_key_id": "unknown"}, 404),
        ({"model": "m", "requests": 1, "errors": 2}, 400),
        ({"model": "m", "time": "yesterday"}, 400),
        ({"model": "m", "requests": -1}, 400),
        ({"model": "m", "input_tokens": 10**12}, 400),
    ],
)
def test_usage_control_checks_its_input(sim, payload, status):
    with pytest.raises(urllib.error.HTTPError) as raised:
        sim.control("POST", "usage", payload)
    assert raised.value.code == status


# billing usage report


def test_billing_report_from_hosted_models_and_usage(api, usage):
    assert billing(api, **WINDOW) == {
        "selfHostedModels": [
            {
                "model": LLAMA,
                "clusterId": "cluster-1",
                "clusterName": "cluster-1",
                "gpuHours": 48.0,
                "requestCount": "4",
                "totalCost": "38.6304",
            }
        ],
        "serverlessModels": [
            {
                "model": "gpt-4o",
                "requestCount": "20",
                "inputTokenCost": "0.5",
                "outputTokenCost": "0.75",
                "totalCost": "1.25",
                "rateLimitHitsTotal": "5",
            }
        ],
    }


def test_billing_report_of_an_empty_organization(api):
    assert billing(api) == {"selfHostedModels": [], "serverlessModels": []}


def test_billing_counts_a_model_only_while_it_exists(api, usage):
    before = billing(api, startTime="2025-02-01T00:00:00Z", endTime="2025-02-27T00:00:00Z")
    assert before["selfHostedModels"] == []
    half = billing(api, startTime="2025-02-27T12:00:00Z", endTime="2025-02-28T12:00:00Z")["selfHostedModels"][0]
    assert (half["gpuHours"], half["totalCost"]) == (24.0, "19.3152")


# analytics report


def test_analytics_series_per_model_and_key(api, usage):
    report = analytics(api, **WINDOW)
    assert report["stepDuration"] == "3600000000000"
    assert len(report["apiCalls"]["items"]) == 24
    assert report["apiCalls"]["items"][0]["executionTime"] == "2025-03-01T00:00:00.000000Z"
    calls = bucket(report["apiCalls"], "2025-03-01T10:00:00.000000Z")
    assert sorted((entry["castaiApiKey"], entry["totalCount"]) for entry in calls) == sorted(
        [(usage["default"], 10), (usage["other"], 10)]
    )
    assert {entry["castaiApiKeyMetadata"]["id"] for entry in calls} == {usage["default"], usage["other"]}
    assert bucket(report["apiCalls"], "2025-03-01T09:00:00.000000Z") == []
    errors = next(
        entry
        for entry in bucket(report["errors"], "2025-03-01T10:00:00.000000Z")
        if entry["castaiApiKey"] == usage["default"]
    )
    assert (errors["errorCount"], errors["errorCodeStats"]) == (2, [{"code": 429, "count": 2}])
    tokens = {
        entry["castaiApiKey"]: entry["totalCount"]
        for entry in bucket(report["inputTokens"], "2025-03-01T10:00:00.000000Z")
    }
    assert tokens == {usage["default"]: 1_000_000, usage["other"]: 0}
    assert bucket(report["outputTokens"], "2025-03-01T12:00:00.000000Z")[0]["totalCount"] == 7200
    durations = {
        entry["castaiApiKey"]: entry["avgDuration"]
        for entry in bucket(report["requestDuration"], "2025-03-01T10:00:00.000000Z")
    }
    assert durations == {usage["default"]: "1200000000", usage["other"]: "800000000"}
    ttft = next(
        entry
        for entry in bucket(report["ttft"], "2025-03-01T10:00:00.000000Z")
        if entry["castaiApiKey"] == usage["default"]
    )
    assert ttft["metrics"] == {"p50": "300000000", "p95": "450000000", "p99": "600000000"}
    assert len(report["ttft"]["summary"]["models"]) == 3
    assert report["mostRecentTime"] == "2025-03-01T12:00:00.000000Z"


def test_analytics_cost_hosted_models_and_comparison(api, usage):
    report = analytics(api, **WINDOW)
    total = 1.25 + 38.6304
    assert report["cost"] == pytest.approx(
        {
            "totalCost": total,
            "averageCostPerRequest": total / 24,
            "averageCostPerMTokens": total / 1_507_200 * 1_000_000,
        }
    )
    gpus = report["hostedModels"]["gpus"]
    assert len(gpus) == 24 and all(
        item["models"][0]["value"] == 2.0 and item["models"][0]["model"] == LLAMA for item in gpus
    )
    at_noon, at_eleven = "2025-03-01T12:00:00.000000Z", "2025-03-01T11:00:00.000000Z"
    hosted = report["hostedModels"]
    assert bucket(hosted["idleTimeMinutes"], at_noon)[0]["value"] == 0.0
    assert bucket(hosted["idleTimeMinutes"], at_eleven)[0]["value"] == 60.0
    assert bucket(hosted["idleTimePercent"], at_eleven)[0]["value"] == 100.0
    assert bucket(hosted["avgThroughputTokensPerSecond"], at_noon)[0]["value"] == 2.0
    comparison = report["comparison"]
    assert comparison["apiCalls"] == {"value": 24.0, "previousIntervalValue": 5.0, "changePercentage": 380.0}
    assert comparison["cost"]["previousIntervalValue"] == pytest.approx(38.6304)
    assert comparison["errorRatePercentage"]["value"] == pytest.approx(100 * 2 / 24)
    assert comparison["avgRequestDuration"]["duration"] == str(round((10 * 1200 + 10 * 800 + 4 * 500) / 24 * 1_000_000))


def test_analytics_filters(api, usage):
    def callers(**params):
        report = analytics(api, **WINDOW, **params)
        return {
            (entry["model"], entry["castaiApiKey"]) for item in report["apiCalls"]["items"] for entry in item["models"]
        }

    assert callers(filter=f'castai_api_key_id == "{usage["other"]}"') == {("gpt-4o", usage["other"])}
    assert callers(castaiApiKey=usage["other"]) == {("gpt-4o", usage["other"])}
    assert callers(filter=f'model == "{LLAMA}" && castai_api_key_id == "{usage["default"]}"') == {
        (LLAMA, usage["default"])
    }
    unsupported = api.get(
        f"organizations/{api.org}:generateAnalyticsReport", params={"filter": 'model.startsWith("gpt")'}
    )
    assert (unsupported.status_code, unsupported.json()["code"]) == (501, 12)


def test_reports_hold_no_token(api, sim, usage):
    texts = api.get(f"organizations/{api.org}:generateAnalyticsReport", params=WINDOW).text
    texts += api.get(f"organizations/{api.org}:generateBillingModelUsageReport", params=WINDOW).text
    assert usage["other"] in texts  # the key is named by its ID
    assert sim.token not in texts and usage["other_token"] not in texts


def test_analytics_window_and_steps(api):
    empty = analytics(api)
    assert empty["stepDuration"] == "3600000000000"
    assert empty["cost"] == {"totalCost": 0.0, "averageCostPerRequest": 0.0, "averageCostPerMTokens": 0.0}
    assert "mostRecentTime" not in empty
    week = analytics(api, startTime="2025-03-01T00:00:00Z", endTime="2025-03-08T00:00:00Z")
    assert week["stepDuration"] == "86400000000000"
    assert [item["executionTime"][:10] for item in week["apiCalls"]["items"]] == [
        f"2025-03-0{day}" for day in range(1, 8)
    ]
    offset = analytics(api, startTime="2025-03-01T00:30:00Z", endTime="2025-03-01T02:00:00Z")
    assert [item["executionTime"] for item in offset["apiCalls"]["items"]] == [
        "2025-03-01T00:00:00.000000Z",
        "2025-03-01T01:00:00.000000Z",
    ]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"startTime": END, "endTime": START}, "startTime"),
        ({"startTime": START, "endTime": START}, "startTime"),
        ({"startTime": "2025-01-01T00:00:00Z", "endTime": "2025-06-01T00:00:00Z"}, "endTime"),
        ({"startTime": "yesterday"}, "startTime"),
    ],
)
def test_bad_windows_are_400(api, params, field):
    for operation in ("generateAnalyticsReport", "generateBillingModelUsageReport"):
        answer = api.get(f"organizations/{api.org}:{operation}", params=params)
        assert answer.status_code == 400, (operation, answer.text)
        assert (
            field in [violation["field"] for violation in answer.json().get("fieldViolations", [])]
            or field in answer.json()["message"]
        )
