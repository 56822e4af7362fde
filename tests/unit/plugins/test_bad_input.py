# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input across every module: refused before any API call, with a short message that names the option.

Every case runs the module against the in-process simulator without organization_id, so even the organization
lookup (api-keys:verify) would show in the request log: the log must stay empty.
"""

from __future__ import annotations

import re
import time

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import (
    api_key,
    api_key_budget,
    api_key_budgets_info,
    api_key_settings,
    hosted_model,
    hosted_models_info,
    settings,
    settings_info,
)
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.suite_support import (
    Results,
    no_traceback,
    print_summary,
    remove_stale_results,
)

remove_stale_results()
RESULTS = Results("bad_input")

MAX_MESSAGE = 500
SECRET = "s3cr3t-T0KEN\x00value-9f2"
SECRET_PARTS = ("s3cr3t-T0KEN", "value-9f2")
HUGE_ID = "x" * 10 * 1024
HUGE_SERVICE = "a" * 10 * 1024 * 1024

# A valid task of each module; a case changes one option. Modules that would create something given good input are
# pointed at things that need no lookup.
BASE = {
    api_key: {"token": "held-token"},
    api_key_budget: {"api_key_id": "key-1", "budget_limit_usd": 10},
    api_key_budgets_info: {},
    api_key_settings: {"api_key_id": "key-1", "routing_enabled": True},
    settings: {"routing_enabled": True},
    settings_info: {},
    hosted_model: {"cluster_id": "cluster-1", "service": "svc", "model_specs_id": "specs-1", "port": 8080,
                   "wait": False},
    hosted_models_info: {"cluster_id": "cluster-1"},
}


def case(name, module, option, huge=False, check_mode=False, **args):
    """One bad-input case: ``option`` must be named in the message (as a whole word)."""
    return pytest.param(module, option, args, huge, check_mode, id=name)


def path_id_cases():
    bad_ids = [("empty", ""), ("blank", "   "), ("newline", "c1\n"), ("slash", "a/b"), ("dot", "."),
               ("dotdot", ".."), ("10kB", HUGE_ID)]
    targets = [(api_key_budget, "api_key_id"), (api_key_settings, "api_key_id"), (api_key_budgets_info, "api_key_id"),
               (settings_info, "api_key_id"), (hosted_model, "cluster_id"), (hosted_models_info, "cluster_id"),
               (hosted_model, "id"), (hosted_model, "model_specs_id")]
    for module, option in targets:
        for label, value in bad_ids:
            yield case("%s-%s-%s" % (module.__name__.rsplit(".", 1)[-1], option, label), module, option,
                       huge=len(value) > 1000, **{option: value})


AUTOSCALING = {"enabled": True, "min_replicas": 1, "max_replicas": 2, "target_metric": "GPU_CACHE_USAGE_PERCENTAGE",
               "target_value": 0.8}


def option_cases():
    yield case("service-empty", hosted_model, "service", service="")
    yield case("service-uppercase", hosted_model, "service", service="Bad_Name")
    yield case("service-64-chars", hosted_model, "service", service="a" * 64)
    yield case("service-10MB", hosted_model, "service", huge=True, service=HUGE_SERVICE)
    yield case("replicas-negative", hosted_model, "replicas", replicas=-1)
    yield case("replicas-past-int32", hosted_model, "replicas", replicas=10 ** 12)
    yield case("max-replicas-past-int32", hosted_model, "horizontal_autoscaling.max_replicas",
               horizontal_autoscaling=dict(AUTOSCALING, max_replicas=3000000000))
    yield case("min-above-max-replicas", hosted_model, "horizontal_autoscaling.min_replicas",
               horizontal_autoscaling=dict(AUTOSCALING, min_replicas=5, max_replicas=2))
    yield case("hibernate-duration-minutes", hosted_model, "hibernation.hibernate_condition.duration",
               hibernation={"enabled": True, "hibernate_condition": {"duration": "30m"}})
    yield case("resume-duration-negative", hosted_model, "hibernation.resume_condition.duration",
               hibernation={"enabled": True, "resume_condition": {"duration": "-5s"}})
    yield case("wait-timeout-negative", hosted_model, "wait_timeout", wait_timeout=-1)
    yield case("wait-sleep-zero", hosted_model, "wait_sleep", wait_sleep=0)
    yield case("wait-sleep-nan", hosted_model, "wait_sleep", wait_sleep=float("nan"))

    for label, value in [("1e999999999", "1e999999999"), ("1e100000", "1e100000"), ("nan", "nan"), ("negative", -1),
                         ("text", "abc"), ("10e20", 10 ** 20)]:
        yield case("budget-%s" % label, api_key_budget, "budget_limit_usd", budget_limit_usd=value)
    yield case("budget-1e999999999-check-mode", api_key_budget, "budget_limit_usd", check_mode=True,
               budget_limit_usd="1e999999999")
    yield case("budget-set-with-absent", api_key_budget, "budget_limit_usd", state="absent", budget_limit_usd=5)

    for label, value in [("1.5", 1.5), ("nan", float("nan")), ("inf", float("inf"))]:
        yield case("weight-%s" % label, settings, "router_quality_weight", router_quality_weight=value)
    yield case("key-weight-negative", api_key_settings, "router_quality_weight", router_quality_weight=-0.1)
    yield case("key-settings-set-with-absent", api_key_settings, "routing_enabled", state="absent",
               routing_enabled=False)

    yield case("events-impossible-date", hosted_models_info, "events_start_time", include_events=True,
               events_start_time="2025-02-30T00:00:00Z")
    yield case("events-end-month-13", hosted_models_info, "events_end_time", include_events=True,
               events_end_time="2025-13-01T00:00:00Z")
    yield case("events-no-time-zone", hosted_models_info, "events_start_time", include_events=True,
               events_start_time="2025-01-01T00:00:00")
    yield case("events-start-after-end", hosted_models_info, "events_start_time", include_events=True,
               events_start_time="2025-02-01T00:00:00Z", events_end_time="2025-01-01T00:00:00Z")
    yield case("events-start-without-include", hosted_models_info, "events_start_time",
               events_start_time="2025-01-01T00:00:00Z")
    yield case("sort-field-unknown", hosted_models_info, "sort_field", sort_field="no_such_field")

    # Connection options, spread over the modules (they share one check, so any module must refuse).
    yield case("api-url-no-host", settings_info, "api_url", api_url="http://")
    yield case("api-url-ftp", api_key_budgets_info, "api_url", api_url="ftp://x")
    yield case("api-url-empty", hosted_models_info, "api_url", api_url="")
    yield case("api-timeout-nan", settings, "api_timeout", api_timeout=float("nan"))
    yield case("api-timeout-inf", api_key_settings, "api_timeout", api_timeout=float("inf"))
    yield case("api-timeout-zero", hosted_model, "api_timeout", api_timeout=0)
    yield case("api-timeout-negative", api_key_budget, "api_timeout", api_timeout=-1)
    yield case("api-retry-backoff-nan", settings_info, "api_retry_backoff", api_retry_backoff=float("nan"))
    yield case("api-retries-negative", hosted_models_info, "api_retries", api_retries=-1)
    yield case("api-token-empty", api_key_budgets_info, "api_token", api_token="")
    yield case("api-token-nul", settings_info, "api_token", api_token=SECRET)
    yield case("api-key-token-nul", api_key, "token", token=SECRET)


CASES = list(path_id_cases()) + list(option_cases())


@pytest.mark.parametrize("module, option, args, huge, check_mode", CASES)
def test_bad_input(run, sim, capsys, request, module, option, args, huge, check_mode):
    started = time.monotonic()
    task = dict(BASE[module], organization_id=None)
    task.update(args)
    requests_seen = outcome = None
    try:
        outcome = run(module.main, check_mode=check_mode, **task)
        elapsed = time.monotonic() - started
        requests_seen = sim.requests()
        message = outcome.result.get("msg", "")

        assert outcome.failed, "accepted: %r" % outcome.result
        assert requests_seen == [], "bad input reached the API: %r" % requests_seen
        assert re.search(r"(?<![\w.])%s(?![\w])" % re.escape(option), message), \
            "the message does not name %s: %s" % (option, message[:MAX_MESSAGE])
        assert no_traceback(outcome), message[:MAX_MESSAGE]
        assert outcome.result.get("changed") is False
        if huge:
            assert len(message) < MAX_MESSAGE, "a %d-character message for a huge value" % len(message)
        if "budget_limit_usd" in task:
            # "1e999999999" once took a gigabyte and minutes as plain text; judging it must not compute it.
            assert elapsed < 5, "%.1f s to refuse an amount" % elapsed
        text = repr(outcome.result) + repr(outcome.warnings)
        assert not any(part in text for part in SECRET_PARTS), "the token is in the result"
    finally:
        RESULTS.record(case=request.node.callspec.id, requests=-1 if requests_seen is None else len(requests_seen))
        summarize(capsys, request)


def summarize(capsys, request):
    results = RESULTS.complete(request, "test_bad_input")
    if results is None:
        return
    cases = {r["case"]: r for r in results}
    reached = sum(max(r["requests"], 0) for r in cases.values())
    unknown = sum(1 for r in cases.values() if r["requests"] < 0)
    line = "bad input: %d cases, %d requests reached the API" % (len(cases), reached)
    if unknown:
        line += " (%d cases ended before the request log was read)" % unknown
    print_summary(capsys, line)
