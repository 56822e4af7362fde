# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input across every module: refused before any API call, with a short message that names the option.

Every case runs the module against the in-process simulator without organization_id, so even the organization
lookup (api-keys:verify) would show in the request log: the log must stay empty.

Some input can only be judged against the API's objects (a model name that no model specs have, an ID that does not
exist): ``test_bad_input_after_reads`` asserts that those fail after reads alone, never a write.
"""

from __future__ import annotations

import re
import time

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import (
    api_key,
    api_key_budget,
    api_key_budgets_info,
    api_key_info,
    api_key_settings,
    components_info,
    hosted_model,
    hosted_models_info,
    model_registries_info,
    model_registry,
    model_spec,
    model_specs_info,
    settings,
    settings_info,
    usage_reports_info,
)
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.suite_support import (
    Results,
    api,
    no_traceback,
    print_summary,
    remove_stale_results,
)

remove_stale_results()
RESULTS = Results("bad_input")

MAX_MESSAGE = 500
SECRET = "s3cr3t-T0KEN\x00value-9f2"
SECRET_PARTS = ("s3cr3t-T0KEN", "value-9f2")
# Registry credentials that are not a JSON object; the message must not quote them.
NOT_JSON_CREDENTIALS = "s3cr3t-T0KEN value-9f2 (a key file's path, not its contents)"
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
    hosted_model: {
        "cluster_id": "cluster-1",
        "service": "svc",
        "model_specs_id": "specs-1",
        "port": 8080,
        "wait": False,
    },
    hosted_models_info: {"cluster_id": "cluster-1"},
    model_registry: {"provider": {"type": "GCS", "gcs": {"bucket": "acme-models"}}, "wait": False},
    model_registries_info: {},
    model_spec: {
        "model": "acme/model-1",
        "wait": False,
        "hugging_face": {"model_name": "acme/model-1", "terms_and_conditions": {"acceptance_required": False}},
    },
    model_specs_info: {},
    components_info: {"cluster_id": "cluster-1"},
    usage_reports_info: {},
    api_key_info: {},
}
GCS = {"type": "GCS", "gcs": {"bucket": "acme-models"}}


def case(name, module, option, huge=False, check_mode=False, **args):
    """One bad-input case: ``option`` must be named in the message (as a whole word)."""
    return pytest.param(module, option, args, huge, check_mode, id=name)


def option_args(option, value):
    """The task arguments that set ``option`` to ``value``."""
    if option == "private_registry.registry_id":
        # A private model instead of the base task's Hugging Face one (the two exclude each other).
        return {"hugging_face": None, "private_registry": {"registry_id": value, "base_model_id": "llama-3-8b-ft"}}
    return {option: value}


def path_id_cases():
    bad_ids = [
        ("empty", ""),
        ("blank", "   "),
        ("newline", "c1\n"),
        ("slash", "a/b"),
        ("dot", "."),
        ("dotdot", ".."),
        ("10kB", HUGE_ID),
    ]
    targets = [
        (api_key_budget, "api_key_id"),
        (api_key_settings, "api_key_id"),
        (api_key_budgets_info, "api_key_id"),
        (settings_info, "api_key_id"),
        (hosted_model, "cluster_id"),
        (hosted_models_info, "cluster_id"),
        (hosted_model, "id"),
        (hosted_model, "model_specs_id"),
        (model_registry, "id"),
        (model_registries_info, "id"),
        (model_spec, "id"),
        (model_spec, "private_registry.registry_id"),
        (model_specs_info, "id"),
        (model_specs_info, "registry_id"),
        (components_info, "cluster_id"),
        # Not a path segment but a value quoted into the report's filter: held to the same rules as an ID.
        (usage_reports_info, "api_key_id"),
    ]
    for module, option in targets:
        for label, value in bad_ids:
            yield case(
                "%s-%s-%s" % (module.__name__.rsplit(".", 1)[-1], option, label),
                module,
                option,
                huge=len(value) > 1000,
                **option_args(option, value),
            )


AUTOSCALING = {
    "enabled": True,
    "min_replicas": 1,
    "max_replicas": 2,
    "target_metric": "GPU_CACHE_USAGE_PERCENTAGE",
    "target_value": 0.8,
}


def option_cases():
    yield case("service-empty", hosted_model, "service", service="")
    yield case("service-uppercase", hosted_model, "service", service="Bad_Name")
    yield case("service-64-chars", hosted_model, "service", service="a" * 64)
    yield case("service-10MB", hosted_model, "service", huge=True, service=HUGE_SERVICE)
    yield case("replicas-negative", hosted_model, "replicas", replicas=-1)
    yield case("replicas-past-int32", hosted_model, "replicas", replicas=10**12)
    yield case(
        "max-replicas-past-int32",
        hosted_model,
        "horizontal_autoscaling.max_replicas",
        horizontal_autoscaling=dict(AUTOSCALING, max_replicas=3000000000),
    )
    yield case(
        "min-above-max-replicas",
        hosted_model,
        "horizontal_autoscaling.min_replicas",
        horizontal_autoscaling=dict(AUTOSCALING, min_replicas=5, max_replicas=2),
    )
    yield case(
        "hibernate-duration-minutes",
        hosted_model,
        "hibernation.hibernate_condition.duration",
        hibernation={"enabled": True, "hibernate_condition": {"duration": "30m"}},
    )
    yield case(
        "resume-duration-negative",
        hosted_model,
        "hibernation.resume_condition.duration",
        hibernation={"enabled": True, "resume_condition": {"duration": "-5s"}},
    )
    yield case("wait-timeout-negative", hosted_model, "wait_timeout", wait_timeout=-1)
    yield case("wait-sleep-zero", hosted_model, "wait_sleep", wait_sleep=0)
    yield case("wait-sleep-nan", hosted_model, "wait_sleep", wait_sleep=float("nan"))

    for label, value in [
        ("1e999999999", "1e999999999"),
        ("1e100000", "1e100000"),
        ("nan", "nan"),
        ("negative", -1),
        ("text", "abc"),
        ("10e20", 10**20),
    ]:
        yield case("budget-%s" % label, api_key_budget, "budget_limit_usd", budget_limit_usd=value)
    yield case(
        "budget-1e999999999-check-mode",
        api_key_budget,
        "budget_limit_usd",
        check_mode=True,
        budget_limit_usd="1e999999999",
    )
    yield case("budget-set-with-absent", api_key_budget, "budget_limit_usd", state="absent", budget_limit_usd=5)

    for label, value in [("1.5", 1.5), ("nan", float("nan")), ("inf", float("inf"))]:
        yield case("weight-%s" % label, settings, "router_quality_weight", router_quality_weight=value)
    yield case("key-weight-negative", api_key_settings, "router_quality_weight", router_quality_weight=-0.1)
    yield case(
        "key-settings-set-with-absent", api_key_settings, "routing_enabled", state="absent", routing_enabled=False
    )

    yield case(
        "events-impossible-date",
        hosted_models_info,
        "events_start_time",
        include_events=True,
        events_start_time="2025-02-30T00:00:00Z",
    )
    yield case(
        "events-end-month-13",
        hosted_models_info,
        "events_end_time",
        include_events=True,
        events_end_time="2025-13-01T00:00:00Z",
    )
    yield case(
        "events-no-time-zone",
        hosted_models_info,
        "events_start_time",
        include_events=True,
        events_start_time="2025-01-01T00:00:00",
    )
    yield case(
        "events-start-after-end",
        hosted_models_info,
        "events_start_time",
        include_events=True,
        events_start_time="2025-02-01T00:00:00Z",
        events_end_time="2025-01-01T00:00:00Z",
    )
    yield case(
        "events-start-without-include",
        hosted_models_info,
        "events_start_time",
        events_start_time="2025-01-01T00:00:00Z",
    )
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


def catalog_cases():
    """model_registry, model_registries_info, model_spec, model_specs_info, and hosted_model's model option."""
    # Bucket settings: the argument spec names the provider option, the module's own checks the field.
    for name, module, option in (
        ("registry", model_registry, "provider"),
        ("onboarding", model_registries_info, "onboarding_provider"),
    ):
        yield case("%s-gcs-block-missing" % name, module, option, **{option: {"type": "GCS"}})
        yield case("%s-s3-with-gcs-block" % name, module, option, **{option: {"type": "S3", "gcs": {"bucket": "b"}}})
        yield case(
            "%s-both-blocks" % name,
            module,
            option,
            **{option: {"type": "GCS", "gcs": {"bucket": "b"}, "s3": {"bucket": "b", "region": "r"}}},
        )
        yield case("%s-type-unknown" % name, module, option, **{option: {"type": "AZURE", "gcs": {"bucket": "b"}}})
        yield case("%s-s3-no-region" % name, module, option, **{option: {"type": "S3", "s3": {"bucket": "b"}}})
        yield case("%s-gcs-no-bucket" % name, module, option, **{option: {"type": "GCS", "gcs": {}}})
        yield case(
            "%s-gcs-bucket-empty" % name,
            module,
            option + ".gcs.bucket",
            **{option: {"type": "GCS", "gcs": {"bucket": ""}}},
        )
        yield case(
            "%s-s3-region-blank" % name,
            module,
            option + ".s3.region",
            **{option: {"type": "S3", "s3": {"bucket": "b", "region": "  "}}},
        )
    yield case("registry-without-id-or-provider", model_registry, "provider", provider=None)
    for label, value in (
        ("text", NOT_JSON_CREDENTIALS),
        ("json-list", '["%s"]' % NOT_JSON_CREDENTIALS),
        ("json-string", '"%s"' % NOT_JSON_CREDENTIALS),
        ("number", 42),
    ):
        yield case("credentials-%s" % label, model_registry, "credentials", credentials=value)
    yield case(
        "credentials-always-without-recreate",
        model_registry,
        "update_credentials",
        credentials={"private_key": "k"},
        update_credentials="always",
    )
    yield case("registry-wait-timeout-negative", model_registry, "wait_timeout", wait_timeout=-1)
    yield case("registry-wait-sleep-nan", model_registry, "wait_sleep", wait_sleep=float("nan"))
    yield case(
        "onboarding-script-without-provider",
        model_registries_info,
        "include_onboarding_script",
        include_onboarding_script=True,
    )

    yield case("spec-without-id-or-model", model_spec, "model", model=None)
    yield case(
        "spec-both-sources",
        model_spec,
        "hugging_face",
        private_registry={"registry_id": "registry-1", "base_model_id": "llama-3-8b-ft"},
    )
    yield case("spec-model-blank", model_spec, "model", model="  ")
    yield case("spec-model-newline", model_spec, "model", model="acme/model\n")
    yield case(
        "spec-base-model-empty",
        model_spec,
        "private_registry.base_model_id",
        hugging_face=None,
        private_registry={"registry_id": "registry-1", "base_model_id": ""},
    )
    yield case(
        "spec-hf-name-control", model_spec, "hugging_face.model_name", hugging_face={"model_name": "acme/\x1bmodel"}
    )
    yield case(
        "spec-terms-without-acceptance",
        model_spec,
        "acceptance_required",
        hugging_face={"model_name": "acme/model-1", "terms_and_conditions": {"uri": "https://hf.co/x"}},
    )
    yield case("spec-wait-timeout-negative", model_spec, "wait_timeout", wait_timeout=-5)
    yield case("spec-wait-sleep-zero", model_spec, "wait_sleep", wait_sleep=0)

    yield case("specs-id-with-filter", model_specs_info, "id", id="specs-1", cloud="AWS")
    yield case("specs-cloud-unknown", model_specs_info, "cloud", cloud="MARS")
    yield case("specs-registry-type-unknown", model_specs_info, "registry_type", registry_type="S3")
    yield case("specs-region-blank", model_specs_info, "region", region=" ")
    yield case("specs-model-empty", model_specs_info, "model", model="")
    yield case("specs-sort-field-unknown", model_specs_info, "sort_field", sort_field="price")
    yield case("specs-sort-order-unknown", model_specs_info, "sort_order", sort_order="up")

    yield case("hosted-model-and-specs-id", hosted_model, "model", model="Qwen/Qwen2.5-7B-Instruct")
    yield case("hosted-model-blank", hosted_model, "model", model_specs_id=None, model=" ")
    yield case("hosted-model-tab", hosted_model, "model", model_specs_id=None, model="Qwen/\tQwen")


def observability_cases():
    """components_info, usage_reports_info and api_key_info."""
    yield case("components-cluster-missing", components_info, "cluster_id", cluster_id=None)
    yield case("components-wait-timeout-negative", components_info, "wait_timeout", wait_running=True, wait_timeout=-1)
    yield case("components-wait-sleep-zero", components_info, "wait_sleep", wait_running=True, wait_sleep=0)
    yield case("components-wait-sleep-inf", components_info, "wait_sleep", wait_running=True, wait_sleep=float("inf"))

    for label, value in (
        ("minutes", "90m"),
        ("years", "1y"),
        ("no-unit", "24"),
        ("fraction", "1.5d"),
        ("negative", "-1d"),
        ("zero", "0h"),
        ("past-bound", "3661d"),
        ("8-digits", "99999999h"),
        ("blank", " "),
    ):
        yield case("last-%s" % label, usage_reports_info, "last", last=value)
    yield case("last-with-start", usage_reports_info, "last", last="7d", start_time="2025-01-01T00:00:00Z")
    yield case("last-with-bad-end", usage_reports_info, "end_time", last="7d", end_time="2025-01-01")
    yield case(
        "window-start-after-end",
        usage_reports_info,
        "start_time",
        start_time="2025-02-01T00:00:00Z",
        end_time="2025-01-01T00:00:00Z",
    )
    yield case(
        "window-start-equals-end",
        usage_reports_info,
        "start_time",
        start_time="2025-01-01T00:00:00Z",
        end_time="2025-01-01T01:00:00+01:00",
    )
    yield case("window-start-in-future", usage_reports_info, "start_time", start_time="2999-01-01T00:00:00Z")
    yield case("window-impossible-date", usage_reports_info, "start_time", start_time="2025-02-30T00:00:00Z")
    yield case("window-end-no-zone", usage_reports_info, "end_time", end_time="2025-01-01T00:00:00")
    yield case("window-end-words", usage_reports_info, "end_time", end_time="yesterday")
    yield case("reports-empty", usage_reports_info, "reports", reports=[])
    yield case("reports-unknown", usage_reports_info, "reports", reports=["costs"])
    yield case("billing-narrowed-by-model", usage_reports_info, "model", reports=["billing"], model="gpt-4o-mini")
    yield case("filter-with-model", usage_reports_info, "filter", filter='model == "a"', model="gpt-4o-mini")
    yield case("filter-blank", usage_reports_info, "filter", filter=" \n ")
    yield case("filter-bell", usage_reports_info, "filter", filter='model == "a"\x07')
    yield case("report-model-blank", usage_reports_info, "model", model="")
    yield case("report-model-escape", usage_reports_info, "model", model="gpt\x1b[31m")

    yield case("token-blank", api_key_info, "token", token=" \n")
    yield case("token-nul", api_key_info, "token", token=SECRET)


CASES = list(path_id_cases()) + list(option_cases()) + list(catalog_cases()) + list(observability_cases())


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
        assert re.search(r"(?<![\w.])%s(?![\w])" % re.escape(option), message), "the message does not name %s: %s" % (
            option,
            message[:MAX_MESSAGE],
        )
        assert no_traceback(outcome), message[:MAX_MESSAGE]
        assert outcome.result.get("changed") is False
        if huge:
            assert len(message) < MAX_MESSAGE, "a %d-character message for a huge value" % len(message)
        if "budget_limit_usd" in task:
            # "1e999999999" once took a gigabyte and minutes as plain text; judging it must not compute it.
            assert elapsed < 5, "%.1f s to refuse an amount" % elapsed
        text = repr(outcome.result) + repr(outcome.warnings)
        assert not any(part in text for part in SECRET_PARTS), "the token or credentials are in the result"
    finally:
        RESULTS.record(case=request.node.callspec.id, requests=-1 if requests_seen is None else len(requests_seen))
        summarize(capsys, request)


def twin_specs(sim):
    """Two model specs of the organization with one model name (the API allows it)."""
    for _twin in range(2):
        api(
            sim,
            "POST",
            "/organizations/%s/model-specs" % sim.organization_id,
            {
                "model": "acme/twin",
                "registryType": "HUGGING_FACE",
                "huggingFace": {"modelName": "acme/twin", "termsAndConditions": {"acceptanceRequired": False}},
            },
        )


def after_reads(name, module, option, seed=None, **args):
    return pytest.param(module, option, seed, args, id=name)


AFTER_READS = [
    after_reads(
        "hosted-model-matches-nothing",
        hosted_model,
        "model",
        cluster_id="cluster-1",
        service="svc",
        model="acme/no-such-model",
        port=8080,
        wait=False,
    ),
    after_reads(
        "hosted-model-matches-two",
        hosted_model,
        "model_specs_id",
        twin_specs,
        cluster_id="cluster-1",
        service="svc",
        model="acme/twin",
        port=8080,
        wait=False,
    ),
    after_reads("spec-id-unknown", model_spec, "id", id="no-such-specs"),
    after_reads("registry-id-unknown", model_registry, "id", id="no-such-registry"),
    after_reads(
        "spec-private-without-base-model",
        model_spec,
        "private_registry.base_model_id",
        model="acme/private",
        private_registry={"registry_id": "registry-1"},
    ),
    after_reads("spec-without-source", model_spec, "hugging_face", model="acme/nowhere"),
]


@pytest.mark.parametrize("module, option, seed, args", AFTER_READS)
def test_bad_input_after_reads(run, sim, capsys, request, module, option, seed, args):
    """Input judged against the API's objects: it fails after reads only, and names the option."""
    requests_seen = writes = None
    try:
        if seed:
            seed(sim)
            sim.control("DELETE", "requests")
        outcome = run(module.main, organization_id=None, **args)
        requests_seen = sim.requests()
        writes = [r for r in requests_seen if r["method"] != "GET" and r["operation_id"] != "APIKeysAPIVerifyAPIKey"]
        message = outcome.result.get("msg", "")

        assert outcome.failed, "accepted: %r" % outcome.result
        assert writes == [], "a write for input that is refused: %r" % writes
        assert requests_seen, "judged without a request: the case belongs with test_bad_input"
        assert re.search(r"(?<![\w.])%s(?![\w])" % re.escape(option), message), "the message does not name %s: %s" % (
            option,
            message[:MAX_MESSAGE],
        )
        assert no_traceback(outcome), message[:MAX_MESSAGE]
        assert outcome.result.get("changed") is False
    finally:
        RESULTS.record(
            case=request.node.callspec.id,
            after_reads=True,
            requests=-1 if requests_seen is None else len(requests_seen),
            writes=-1 if writes is None else len(writes),
        )
        summarize(capsys, request)


def summarize(capsys, request):
    results = RESULTS.complete(request, ("test_bad_input", "test_bad_input_after_reads"))
    if results is None:
        return
    cases = {r["case"]: r for r in results if not r.get("after_reads")}
    read_cases = {r["case"]: r for r in results if r.get("after_reads")}
    reached = sum(max(r["requests"], 0) for r in cases.values())
    unknown = sum(1 for r in list(cases.values()) + list(read_cases.values()) if r["requests"] < 0)
    line = "bad input: %d cases, %d requests reached the API" % (len(cases), reached)
    if read_cases:
        line += "; %d judged after reads: %d requests, %d writes" % (
            len(read_cases),
            sum(max(r["requests"], 0) for r in read_cases.values()),
            sum(max(r["writes"], 0) for r in read_cases.values()),
        )
    if unknown:
        line += " (%d cases ended before the request log was read)" % unknown
    print_summary(capsys, line)
