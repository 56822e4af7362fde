# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The usage and billing reports: their time window, their filter, their figures as numbers and a headline summary.

Everything here is judged locally, so a bad window or filter fails before any request.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from ._budget import money_text
from ._checks import parse_timestamp, path_id_error, shown, window_errors

ANALYTICS = "analytics"
BILLING = "billing"
REPORTS = (ANALYTICS, BILLING)

DEFAULT_LAST = "24h"
LAST = re.compile(r"^([0-9]{1,7})([hdw])$")
UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}
# A bound for the arithmetic on dates (year 1 is near); the API refuses long windows itself.
MAX_LAST_HOURS = 24 * 3660
INT64 = re.compile(r"^[+-]?[0-9]{1,19}$")
INT64_MAX = 2**63 - 1
# Plain decimal notation only: an exponent such as 1e999999999 would expand to a billion digits.
DECIMAL = re.compile(r"^[+-]?[0-9]{1,18}(\.[0-9]{1,18})?$")
MONEY_STEP = Decimal("0.000001")

# The contract sends these int64 figures as strings (nanoseconds for durations, see GenerateAnalyticsResponse).
NANOSECONDS = frozenset(
    ("step_duration", "avg_duration", "p50", "p95", "p99", "duration", "previous_interval_duration")
)
COUNTS = frozenset(("request_count", "rate_limit_hits_total"))
MONEY = frozenset(("total_cost", "input_token_cost", "output_token_cost"))


class ReportError(ValueError):
    """An answer whose figures are not the numbers the contract promises."""


# ---- the window ----------------------------------------------------------------------------------------------------


def last_error(value: str) -> str | None:
    """Why ``value`` is not a relative period such as 24h, 7d or 4w, or None."""
    match = LAST.match(value)
    if not match:
        return (
            "last must be a whole number of hours, days or weeks (h, d or w), such as 24h, 7d or 30d; got %s"
            % shown(value)
        )
    hours = int(match.group(1)) * UNIT_HOURS[match.group(2)]
    if hours == 0:
        return "last must be longer than 0, got %s" % shown(value)
    if hours > MAX_LAST_HOURS:
        return "last must be at most %dd, got %s" % (MAX_LAST_HOURS // 24, shown(value))
    return None


def last_delta(value: str) -> timedelta:
    match = LAST.match(value)
    return timedelta(hours=int(match.group(1)) * UNIT_HOURS[match.group(2)])


def report_window(params: dict[str, Any], now: datetime) -> tuple[datetime | None, datetime | None, list[str]]:
    """(start, end, errors): the window as aware datetimes, from start_time/end_time or last (24h by default).

    ``now`` is the module's clock; every problem is named after the option that caused it.
    """
    start_text, end_text, last = params["start_time"], params["end_time"], params["last"]
    errors = window_errors("start_time", start_text, "end_time", end_text)
    if last is not None:
        problem = last_error(last)
        if problem:
            errors.append(problem)
    if errors:
        return None, None, errors
    end = parse_timestamp(end_text) if end_text is not None else now
    if start_text is not None:
        start = parse_timestamp(start_text)
    else:
        start = end - last_delta(last or DEFAULT_LAST)
    if start >= end:
        ends = "end_time (%s)" % end_text if end_text is not None else "now (%s)" % rfc3339(now)
        errors.append("start_time (%s) must be before %s: the window would be empty" % (start_text, ends))
    return start, end, errors


def rfc3339(moment: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC with a Z, with microseconds only when there are any."""
    moment = moment.astimezone(timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += ".%06d" % moment.microsecond
    return text + "Z"


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


# ---- the filter ----------------------------------------------------------------------------------------------------


def cel_text(value: str) -> str:
    """A CEL string literal."""
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def filter_errors(params: dict[str, Any]) -> list[str]:
    errors = []
    error = path_id_error("api_key_id", params["api_key_id"])
    if error:
        errors.append(error)
    # A long CEL expression may be written over several lines; a model name never is.
    for option, allowed in (("model", ""), ("filter", "\t\n\r")):
        value = params[option]
        if value is None:
            continue
        if not value.strip():
            errors.append("%s must not be empty" % option)
        elif any((ord(char) < 0x20 or ord(char) == 0x7F) and char not in allowed for char in value):
            errors.append("%s must not contain control characters, got %s" % (option, shown(value)))
    return errors


def report_filter(params: dict[str, Any]) -> str | None:
    """The CEL expression for the analytics report: the user's own, or built from api_key_id and model."""
    if params["filter"] is not None:
        return params["filter"].strip()
    parts = []
    if params["api_key_id"] is not None:
        parts.append("castai_api_key_id == %s" % cel_text(params["api_key_id"]))
    if params["model"] is not None:
        parts.append("model == %s" % cel_text(params["model"].strip()))
    return " && ".join(parts) or None


def chosen_reports(params: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(reports, errors): both by default, only analytics when the report is narrowed (billing cannot be)."""
    narrowed = [option for option in ("api_key_id", "model", "filter") if params[option] is not None]
    reports = params["reports"]
    if reports is None:
        return ([ANALYTICS] if narrowed else list(REPORTS)), []
    if not reports:
        return [], ["reports must name at least one of: %s" % ", ".join(REPORTS)]
    if BILLING in reports and narrowed:
        return reports, [
            "the billing report covers the whole organization and cannot be narrowed by %s; "
            "set reports to [analytics], or leave out %s" % (", ".join(narrowed), ", ".join(narrowed))
        ]
    return [name for name in REPORTS if name in reports], []


# ---- figures as numbers --------------------------------------------------------------------------------------------


def int64(value: Any, where: str) -> int:
    """An int64 the API sent as a string; absent means 0 (proto3 JSON leaves zero values out)."""
    if value is None or value == "":
        return 0
    if not isinstance(value, str) or not INT64.match(value.strip()) or abs(int(value)) > INT64_MAX:
        raise ReportError("%s is %s where the contract has an int64 string" % (where, shown(value)))
    return int(value)


def money(value: Any, where: str) -> tuple[str, float]:
    """(decimal string, float) of an amount the API sent as a decimal string; absent means 0."""
    if value is None or value == "":
        return "0", 0.0
    text = value.strip() if isinstance(value, str) else None
    if text is None or not DECIMAL.match(text):
        raise ReportError("%s is %s where the contract has a decimal string" % (where, shown(value)))
    return text, float(Decimal(text))


def with_numbers(value: Any, report: str, where: str) -> Any:
    """A copy of a parsed report (snake_case) with its int64 and money strings converted, recursively.

    Nanosecond fields stay integers under their own name and get a ``<name>_seconds`` float; billing amounts stay
    exact decimal strings and get a ``<name>_float``; billing counts become integers; an analytics series' ``items``
    become ``steps``.
    """
    if isinstance(value, list):
        return [with_numbers(item, report, "%s[%d]" % (where, index)) for index, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    converted = {}
    for key, item in value.items():
        path = "%s.%s" % (where, key)
        if report == ANALYTICS and key in NANOSECONDS and not isinstance(item, (dict, list)):
            converted[key] = int64(item, path)
            converted[key + "_seconds"] = converted[key] / 1e9
        elif report == BILLING and key in COUNTS:
            converted[key] = int64(item, path)
        elif report == BILLING and key in MONEY:
            converted[key], converted[key + "_float"] = money(item, path)
        elif report == ANALYTICS and key == "items":
            # Jinja reads `.items` as the dict's method, so a series' steps get a name playbooks can use.
            converted["steps"] = with_numbers(item, report, path)
        else:
            converted[key] = with_numbers(item, report, path)
    return converted


# ---- the summary ---------------------------------------------------------------------------------------------------


def series_total(analytics: dict[str, Any], series: str, field: str) -> int | float:
    """The sum of one figure over every bucket and model of an analytics series."""
    block = analytics.get(series) or {}
    return sum((model.get(field) or 0) for step in block.get("steps") or [] for model in step.get("models") or [])


def amount(value: Any) -> str:
    """A float amount as a decimal string rounded to millionths (floats carry binary noise)."""
    return money_text(Decimal(repr(float(value or 0))).quantize(MONEY_STEP))


def summary(analytics: dict[str, Any] | None, billing: dict[str, Any] | None) -> dict[str, Any]:
    """The headline figures; each one is None when the report it comes from was not asked for."""
    result = dict.fromkeys(
        (
            "total_cost",
            "total_cost_float",
            "cost_source",
            "requests",
            "errors",
            "error_rate_percent",
            "input_tokens",
            "output_tokens",
            "tokens",
            "gpu_hours",
        )
    )
    if analytics is not None:
        requests = series_total(analytics, "api_calls", "total_count")
        errors = series_total(analytics, "errors", "error_count")
        input_tokens = series_total(analytics, "input_tokens", "total_count")
        output_tokens = series_total(analytics, "output_tokens", "total_count")
        cost = amount((analytics.get("cost") or {}).get("total_cost"))
        result.update(
            total_cost=cost,
            total_cost_float=float(cost),
            cost_source=ANALYTICS,
            requests=requests,
            errors=errors,
            error_rate_percent=round(100.0 * errors / requests, 4) if requests else 0.0,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            tokens=input_tokens + output_tokens,
        )
    if billing is not None:
        rows = billing["self_hosted_models"] + billing["serverless_models"]
        # The billing report's amounts are exact decimals: when it was read, the cost comes from it.
        cost = money_text(sum((Decimal(row["total_cost"]) for row in rows), Decimal(0)))
        result.update(
            total_cost=cost,
            total_cost_float=float(cost),
            cost_source=BILLING,
            gpu_hours=round(float(sum(row["gpu_hours"] or 0 for row in billing["self_hosted_models"])), 6),
        )
        if analytics is None:
            result["requests"] = sum(row["request_count"] for row in rows)
    return result
