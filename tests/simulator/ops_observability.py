"""API operations to observe what runs and what it costs: a cluster's components, the analytics report and the billing usage report.

The reports are derived from the simulator's own state: the hosted models it runs (GPU hours since their creation, at their current
replica count) and the inference usage records added with POST /_sim/usage (requests, tokens, errors, durations). Everything the
contract leaves open (prices, buckets, the default window, which filters work) is an assumption, listed in the README.
"""

import re
import uuid
from collections import defaultdict
from decimal import Decimal

from .errors import UNIMPLEMENTED, ApiError, invalid
from .ops_catalog import INSTANCES
from .ops_keys import decimal_text
from .ops_models import all_models, parse_time
from .paging import page
from .state import micros, rfc3339

PROXY_VERSION = "v0.24.1"
HOUR = 3600 * 1_000_000  # microseconds
DAY = 24 * HOUR
DEFAULT_WINDOW = DAY
MAX_WINDOW = 90 * DAY
RATE_LIMIT_WINDOW = 30 * DAY
INT32_MAX = 2**31 - 1
GPU_HOUR_USD = Decimal(INSTANCES[0][6])  # one NVIDIA L4 on AWS us-east-1, per replica
INPUT_USD_PER_MTOKENS = Decimal("0.50")
OUTPUT_USD_PER_MTOKENS = Decimal("1.50")
MONEY_STEP = Decimal("0.000001")
HOSTED_PROVIDER = ("hosted_model", "CAST AI hosted model")
OWNER_NAMESPACE = uuid.UUID("0b9e7f0c-2d55-4c0e-8f59-3f4a0a6c1e21")
_CONDITION = re.compile(r'^\s*(model|castai_api_key_id)\s*==\s*"([^"\\]*)"\s*$')


# components


def default_components(state, organization_id, cluster_id):
    """Every cluster runs the AI Optimizer proxy unless control changed it; tracked since the simulator started."""
    since = rfc3339(state.started)
    return [
        {
            "type": "PROXY",
            "status": "RUNNING",
            "version": PROXY_VERSION,
            "clusterId": cluster_id,
            "organizationId": organization_id,
            "createTime": since,
            "updateTime": since,
        }
    ]


def components_of(state, organization, cluster_id):
    if cluster_id not in organization.components:
        organization.components[cluster_id] = default_components(state, organization.id, cluster_id)
    return organization.components[cluster_id]


def list_components(call):
    return page(
        [dict(component) for component in components_of(call.state, call.org, call.params["clusterId"])],
        call.query,
        call.state.max_page_size,
    )


# the report window and the data in it


def report_window(call):
    """(start, end) in microseconds: the query's, by default the last 24 hours; refused when empty, reversed or over 90 days."""
    end = parse_time(call.query["endTime"], "endTime") if call.query.get("endTime") else micros(call.state.clock())
    start = parse_time(call.query["startTime"], "startTime") if call.query.get("startTime") else end - DEFAULT_WINDOW
    if start >= end:
        raise invalid([("startTime", "must be before endTime")])
    if end - start > MAX_WINDOW:
        raise invalid([("endTime", "the window must not be longer than 90 days")])
    return start, end


def record_filter(call):
    """A predicate over usage records from `castaiApiKey` (an API key ID) and the `filter` CEL expression; the simulator understands
    only `model == "..."` and `castai_api_key_id == "..."` joined by `&&` and answers 501 for anything else."""
    wanted = []
    if call.query.get("castaiApiKey"):
        wanted.append(("api_key_id", call.query["castaiApiKey"]))
    expression = (call.query.get("filter") or "").strip()
    if expression:
        for part in expression.split("&&"):
            match = _CONDITION.match(part)
            if match is None:
                raise ApiError(
                    501,
                    UNIMPLEMENTED,
                    "the simulator only understands filters of the form "
                    'model == "..." or castai_api_key_id == "...", joined by &&',
                )
            wanted.append(("model" if match.group(1) == "model" else "api_key_id", match.group(2)))
    return lambda record: all(record[name] == value for name, value in wanted)


def alive_micros(model, start, end, now):
    """Microseconds of [start, end) during which the hosted model existed (from its creation until now)."""
    created = parse_time(model.data["createTime"], "createTime")
    return max(0, min(end, now) - max(start, created))


def gpu_micros(model, start, end, now):
    """GPU-microseconds a hosted model used in [start, end): its lifetime there times its current replicas (one GPU each)."""
    return alive_micros(model, start, end, now) * (model.data.get("currentReplicas") or 0)


def is_hosted(record):
    return record["provider"] == HOSTED_PROVIDER[0]


def money(value):
    return decimal_text(value.quantize(MONEY_STEP))


def token_cost(records):
    return sum(
        (
            Decimal(record["input_tokens"]) * INPUT_USD_PER_MTOKENS
            + Decimal(record["output_tokens"]) * OUTPUT_USD_PER_MTOKENS
            for record in records
            if not is_hosted(record)
        ),
        Decimal(0),
    ) / Decimal(1_000_000)


def gpu_cost(models, start, end, now):
    return (
        sum((Decimal(gpu_micros(model, start, end, now)) for model in models), Decimal(0))
        / Decimal(HOUR)
        * GPU_HOUR_USD
    )


# analytics report


def key_metadata(api_key_id):
    return {"id": api_key_id, "ownerId": str(uuid.uuid5(OWNER_NAMESPACE, api_key_id)), "ownerType": "SERVICE_ACCOUNT"}


def nanos(milliseconds):
    return str(round(milliseconds * 1_000_000))


def per_model(records):
    """Usage records grouped by (model, provider, API key), in a stable order."""
    groups = defaultdict(list)
    for record in records:
        groups[(record["model"], record["provider"], record["provider_name"], record["api_key_id"])].append(record)
    return sorted(groups.items())


def model_entry(group, **fields):
    model, provider, provider_name, api_key_id = group
    return {
        "castaiApiKey": api_key_id,
        "castaiApiKeyMetadata": key_metadata(api_key_id),
        "model": model,
        "provider": provider,
        "providerName": provider_name,
        **fields,
    }


def total(records, name):
    return sum(record[name] for record in records)


def average(records, name):
    """The request-weighted average of a per-request figure (milliseconds)."""
    requests = total(records, "requests")
    return sum(record[name] * record["requests"] for record in records) / requests if requests else 0.0


def ttft_metrics(records):
    mean = average(records, "ttft_ms")
    return {"p50": nanos(mean), "p95": nanos(mean * 1.5), "p99": nanos(mean * 2)}


def error_stats(records):
    counts = defaultdict(int)
    for record in records:
        if record["errors"]:
            counts[record["error_code"]] += record["errors"]
    return [{"code": code, "count": min(count, INT32_MAX)} for code, count in sorted(counts.items())]


def figures(records, models, start, end, now):
    """Headline figures of one interval, for the comparison with the previous one."""
    requests = total(records, "requests")
    return {
        "apiCalls": requests,
        "cost": float(token_cost(records) + gpu_cost(models, start, end, now)),
        "errorRatePercentage": 100.0 * total(records, "errors") / requests if requests else 0.0,
        "avgRequestDuration": average(records, "duration_ms"),
    }


def change(value, previous):
    return (value - previous) / previous * 100.0 if previous else 0.0


def comparison(current, previous):
    compared = {
        name: {
            "value": float(current[name]),
            "previousIntervalValue": float(previous[name]),
            "changePercentage": change(current[name], previous[name]),
        }
        for name in ("apiCalls", "cost", "errorRatePercentage")
    }
    durations = {
        "duration": nanos(current["avgRequestDuration"]),
        "previousIntervalDuration": nanos(previous["avgRequestDuration"]),
        "changePercentage": change(current["avgRequestDuration"], previous["avgRequestDuration"]),
    }
    return {**compared, "avgRequestDuration": durations, "avgTtft": dict(durations)}


def generate_analytics(call):
    start, end = report_window(call)
    now = micros(call.state.clock())
    step = HOUR if end - start <= 2 * DAY else DAY
    wanted = record_filter(call)
    records = [record for record in call.org.usage if wanted(record)]
    models = all_models(call.state, call.org)
    # buckets start at whole hours (days) UTC and are labelled so; the first and the last count only what lies in the window
    buckets = [(at, max(at, start), min(at + step, end)) for at in range(start - start % step, end, step)]

    def in_range(low, high):
        return [record for record in records if low <= record["at"] < high]

    def series(entry):
        """One item per bucket: executionTime and a models list built by entry(group, records of the group in the bucket)."""
        return [
            {
                "executionTime": rfc3339(label / 1e6),
                "models": [entry(group, grouped) for group, grouped in per_model(in_range(low, high))],
            }
            for label, low, high in buckets
        ]

    def hosted_series(value):
        """One item per bucket: the value of each hosted model that existed during the bucket."""
        return [
            {
                "executionTime": rfc3339(label / 1e6),
                "models": [
                    {
                        "castaiApiKey": "",
                        "model": model.data["model"],
                        "provider": HOSTED_PROVIDER[0],
                        "providerName": HOSTED_PROVIDER[1],
                        "value": float(value(model, low, high)),
                    }
                    for model in models
                    if alive_micros(model, low, high, now)
                ],
            }
            for label, low, high in buckets
        ]

    def idle(model, low, high):
        return not any(record["model"] == model.data["model"] for record in in_range(low, high) if is_hosted(record))

    def gpus(model, _low, _high):
        return model.data.get("currentReplicas") or 0

    def idle_minutes(model, low, high):
        return alive_micros(model, low, high, now) / 60e6 if idle(model, low, high) else 0.0

    def idle_percent(model, low, high):
        return 100.0 if idle(model, low, high) else 0.0

    def throughput(model, low, high):
        served = [
            record for record in in_range(low, high) if is_hosted(record) and record["model"] == model.data["model"]
        ]
        return total(served, "output_tokens") / ((high - low) / 1e6)

    in_window = in_range(start, end)
    requests = total(in_window, "requests")
    tokens = total(in_window, "input_tokens") + total(in_window, "output_tokens")
    cost = token_cost(in_window) + gpu_cost(models, start, end, now)
    previous = [record for record in records if start - (end - start) <= record["at"] < start]
    answer = {
        "stepDuration": str(step * 1000),
        "apiCalls": {
            "items": series(
                lambda group, grouped: model_entry(group, totalCount=min(total(grouped, "requests"), INT32_MAX))
            )
        },
        "errors": {
            "items": series(
                lambda group, grouped: model_entry(
                    group,
                    errorCount=min(total(grouped, "errors"), INT32_MAX),
                    recoveredRequestCount=0,
                    errorCodeStats=error_stats(grouped),
                )
            )
        },
        "inputTokens": {
            "items": series(
                lambda group, grouped: model_entry(group, totalCount=min(total(grouped, "input_tokens"), INT32_MAX))
            )
        },
        "outputTokens": {
            "items": series(
                lambda group, grouped: model_entry(group, totalCount=min(total(grouped, "output_tokens"), INT32_MAX))
            )
        },
        "requestDuration": {
            "items": series(
                lambda group, grouped: model_entry(group, avgDuration=nanos(average(grouped, "duration_ms")))
            )
        },
        "ttft": {
            "items": series(
                lambda group, grouped: model_entry(
                    group, avgDuration=nanos(average(grouped, "ttft_ms")), metrics=ttft_metrics(grouped)
                )
            ),
            "summary": {
                "models": [
                    {
                        key: value
                        for key, value in model_entry(group, metrics=ttft_metrics(grouped)).items()
                        if key != "castaiApiKeyMetadata"
                    }
                    for group, grouped in per_model(in_window)
                ]
            },
        },
        "cost": {
            "totalCost": float(cost),
            "averageCostPerRequest": float(cost / requests) if requests else 0.0,
            "averageCostPerMTokens": float(cost / tokens * 1_000_000) if tokens else 0.0,
        },
        "hostedModels": {
            "gpus": hosted_series(gpus),
            "idleTimeMinutes": hosted_series(idle_minutes),
            "idleTimePercent": hosted_series(idle_percent),
            "avgThroughputTokensPerSecond": hosted_series(throughput),
        },
        "comparison": comparison(
            figures(in_window, models, start, end, now), figures(previous, models, start - (end - start), start, now)
        ),
    }
    if records:
        answer["mostRecentTime"] = rfc3339(max(record["at"] for record in records) / 1e6)
    return answer


# billing usage report


def generate_billing_report(call):
    start, end = report_window(call)
    now = micros(call.state.clock())
    records = [record for record in call.org.usage if start <= record["at"] < end]
    self_hosted = []
    for model in all_models(call.state, call.org):
        if not alive_micros(model, start, end, now):
            continue
        used = gpu_micros(model, start, end, now)
        served = [
            record
            for record in records
            if is_hosted(record)
            and record["model"] == model.data["model"]
            and record["cluster_id"] in (None, model.data["clusterId"])
        ]
        self_hosted.append(
            {
                "model": model.data["model"],
                "clusterId": model.data["clusterId"],
                "clusterName": model.data["clusterId"],
                "gpuHours": round(used / HOUR, 6),
                "requestCount": str(total(served, "requests")),
                "totalCost": money(Decimal(used) / Decimal(HOUR) * GPU_HOUR_USD),
            }
        )
    by_model = defaultdict(list)
    for record in call.org.usage:
        if not is_hosted(record):
            by_model[record["model"]].append(record)
    serverless = []
    for name, all_records in sorted(by_model.items()):
        used = [record for record in all_records if start <= record["at"] < end]
        limited = [
            record
            for record in all_records
            if end - RATE_LIMIT_WINDOW <= record["at"] < end and record["error_code"] == 429
        ]
        if not used and not limited:
            continue
        input_cost = Decimal(total(used, "input_tokens")) * INPUT_USD_PER_MTOKENS / Decimal(1_000_000)
        output_cost = Decimal(total(used, "output_tokens")) * OUTPUT_USD_PER_MTOKENS / Decimal(1_000_000)
        serverless.append(
            {
                "model": name,
                "requestCount": str(total(used, "requests")),
                "inputTokenCost": money(input_cost),
                "outputTokenCost": money(output_cost),
                "totalCost": money(input_cost + output_cost),
                "rateLimitHitsTotal": str(total(limited, "errors")),
            }
        )
    return {"selfHostedModels": self_hosted, "serverlessModels": serverless}


HANDLERS = {
    "ComponentsAPIListComponents": list_components,
    "AnalyticsAPIGenerateAnalytics": generate_analytics,
    "AnalyticsAPIGenerateBillingModelUsageReport": generate_billing_report,
}
