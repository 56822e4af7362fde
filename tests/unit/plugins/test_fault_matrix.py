# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix: every operation the collection calls, under the kinds of fault that can change its outcome,
through the module task that makes the call, against the in-process simulator's fault hooks
(tests/simulator/README.md, "Faults").

A case arms one fault on one operation (by operationId), runs the task with api_timeout=0.5 and api_retries=2 (the
client's waits are instant, see the conftest's ``client_waits``) and checks, from the simulator's request log:
the outcome (success after retries, or a clean failure), the attempts at that operation, that a POST or PATCH took
effect at most once, ``changed`` (true when a write took effect or may have), no traceback, and no token or
registry credential in the result.

Expected outcomes follow the documented rules (connection doc fragment, DEVELOPING.md, the design guide):

- GET, PUT, DELETE and api-keys:verify are retried on 429, 502, 503, 504, connection failures, timeouts and answers
  that broke off; POST and PATCH only after a 429 (or a connection that never opened, which the simulator cannot
  stage: its resets come after the request was sent). 500 is never retried. A Retry-After over 60 s ends the retries.
- Garbled (not JSON) answers of reads are retried; empty or wrong-shaped answers are clean errors, never defaults.
- A write whose answer was lost (reset, timeout) "may have" happened: failed, ``changed: true``. A write the API
  acknowledged with 2xx happened, even when its answer is unusable: ``changed: true``.

Writes run under every fault. Most reads run only under the faults whose effect reaches the module's own code (500:
the API's error; 503: the answer of a retry; the wrong-shaped answers). The other kinds (``CLIENT_LEVEL``: Retry-After
in its four forms, 502, 504, retries used up, resets, timeouts, garbled, HTML and cut-off answers) are settled by the
client from the HTTP method alone, so for a read they would repeat one client path per operation, a timeout costing
most of a second; they run on one read of each way the client reads: api-keys:verify for the organization
(settings_info) and for another token (api_key_info, a client of its own), a single GET (get_budget) and a paged list
(list_models). That keeps both suites within about 90 s under ansible-test (a fork per case, two workers).
"""

from __future__ import annotations

import email.utils
import time
from datetime import datetime, timedelta, timezone

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
RESULTS = Results("fault_matrix")

CLUSTER = "22222222-2222-4222-8222-222222222222"
API_TIMEOUT = 0.5
API_RETRIES = 2
API_RETRY_BACKOFF = 0.5
SLOW_DELAY = API_TIMEOUT + 0.15  # past the read timeout; each case waits it out (see log_of)
CONNECTION = {"api_timeout": API_TIMEOUT, "api_retries": API_RETRIES, "api_retry_backoff": API_RETRY_BACKOFF}
MAX_RETRY_AFTER = 60  # documented: a longer Retry-After ends the retries at once
MAX_TOTAL_WAIT = 120  # documented: all waits of one request together

READ, PUT, DELETE, UNSAFE = "read", "PUT", "DELETE", "POST/PATCH"

# A predefined Hugging Face spec of the simulator (tests/simulator/README.md, "Model specs").
PREDEFINED_SPEC_ID = "17f8bbad-598a-5971-b419-8ccf3aea4611"
PREDEFINED_MODEL = "Qwen/Qwen2.5-7B-Instruct"
BUCKET = {"type": "GCS", "gcs": {"bucket": "fault-models"}}
S3_BUCKET = {"type": "S3", "s3": {"bucket": "fault-weights", "region": "eu-west-1"}}
CREDENTIAL_SECRET = "fault-matrix-pr1vate-k3y"
CREDENTIALS = {"type": "service_account", "private_key": CREDENTIAL_SECRET, "client_email": "reader@acme.iam"}


# --- seeding the simulator through its API and control surface ------------------------------------------------------


def new_key(sim):
    return sim.control("POST", "api-keys")["api_key_id"]


def key_with_budget(sim):
    key = new_key(sim)
    api(sim, "PATCH", "/organizations/%s/api-keys/%s/budget" % (sim.organization_id, key), {"budgetLimitUsd": "5"})
    return key


def key_with_settings(sim):
    key = new_key(sim)
    api(
        sim,
        "PUT",
        "/organizations/%s/api-key-settings/%s" % (sim.organization_id, key),
        {"routingEnabled": True, "promptSharingEnabled": True, "routerQualityWeight": 0.25},
    )
    return key


def running_model(sim, specs_id="specs-1"):
    created = sim.control(
        "POST",
        "hosted-models",
        {
            "cluster_id": CLUSTER,
            "model": {"service": "svc-running", "modelSpecsId": specs_id, "port": 8080, "currentReplicas": 1},
        },
    )
    return created[0]


def own_spec(sim):
    """Hugging Face specs of the organization (the predefined ones cannot be deleted)."""
    return api(
        sim,
        "POST",
        "/organizations/%s/model-specs" % sim.organization_id,
        {
            "model": "acme/fault-spec",
            "registryType": "HUGGING_FACE",
            "huggingFace": {"modelName": "acme/fault-spec", "termsAndConditions": {"acceptanceRequired": False}},
        },
    )["id"]


def active_registry(sim):
    """A registry of BUCKET that is ACTIVE now (the only status in which its directories are listed)."""
    created = api(sim, "POST", "/organizations/%s/model-registries" % sim.organization_id, {"provider": BUCKET})
    sim.control("POST", "model-registries/%s/status" % created["id"], {"status": "ACTIVE"})
    return created["id"]


def other_token(sim):
    return sim.control("POST", "api-keys")["token"]


# --- the operations, each with the task that calls it ---------------------------------------------------------------


class Row:
    """One operation as one task calls it: set-up (returns the task's arguments), and whether success changes."""

    def __init__(
        self,
        key,
        label,
        operation_id,
        kind,
        module,
        setup,
        changes,
        list_shapes=None,
        no_writes=False,
        all_faults=False,
    ):
        self.key = key
        self.label = label
        self.operation_id = operation_id
        self.kind = kind
        self.module = module
        self.setup = setup
        self.changes = changes  # `changed` of a successful run
        self.list_shapes = list_shapes  # for paged lists: an item without its ID field (None: not checked)
        self.no_writes = no_writes  # the task must never write (it reads, or finds nothing to change)
        self.all_faults = all_faults or kind != READ  # also the client-level faults (see the module's docstring)


ROWS = [
    Row(
        "verify",
        "verify (settings_info, no organization_id)",
        "APIKeysAPIVerifyAPIKey",
        READ,
        settings_info,
        lambda sim: {"organization_id": None, "include_api_keys": False, "include_resolved": False},
        False,
        no_writes=True,
        all_faults=True,
    ),
    Row(
        "verify_token",
        "verify another token (api_key_info)",
        "APIKeysAPIVerifyAPIKey",
        READ,
        api_key_info,
        lambda sim: {"token": other_token(sim)},
        False,
        no_writes=True,
        all_faults=True,
    ),
    Row("create_key", "create API key (api_key)", "APIKeysAPICreateAPIKey", UNSAFE, api_key, lambda sim: {}, True),
    Row(
        "get_budget",
        "get budget (api_key_budgets_info)",
        "APIKeysAPIGetAPIKeyBudget",
        READ,
        api_key_budgets_info,
        lambda sim: {"api_key_id": key_with_budget(sim)},
        False,
        no_writes=True,
        all_faults=True,
    ),
    Row(
        "update_budget",
        "update budget (api_key_budget)",
        "APIKeysAPIUpdateAPIKeyBudget",
        UNSAFE,
        api_key_budget,
        lambda sim: {"api_key_id": new_key(sim), "budget_limit_usd": 20},
        True,
    ),
    Row(
        "delete_budget",
        "delete budget (api_key_budget absent)",
        "APIKeysAPIDeleteAPIKeyBudget",
        DELETE,
        api_key_budget,
        lambda sim: {"api_key_id": key_with_budget(sim), "state": "absent"},
        True,
    ),
    Row(
        "list_budgets",
        "list budgets (api_key_budgets_info)",
        "APIKeysAPIListAPIKeyBudgets",
        READ,
        api_key_budgets_info,
        lambda sim: {"_seed": key_with_budget(sim)},
        False,
        list_shapes={"budgetLimitUsd": "5"},
        no_writes=True,
    ),
    Row(
        "get_settings",
        "get settings (settings_info)",
        "SettingsAPIGetSettings",
        READ,
        settings_info,
        lambda sim: {"include_api_keys": False, "include_resolved": False},
        False,
        no_writes=True,
    ),
    Row(
        "get_settings_for_update",
        "get settings (settings)",
        "SettingsAPIGetSettings",
        READ,
        settings,
        lambda sim: {"router_quality_weight": 0.9},
        True,
    ),
    Row(
        "update_settings",
        "update settings (settings)",
        "SettingsAPIUpdateSettings",
        UNSAFE,
        settings,
        lambda sim: {"router_quality_weight": 0.9},
        True,
    ),
    Row(
        "get_key_settings",
        "get key settings (settings_info)",
        "SettingsAPIGetAPIKeySettings",
        READ,
        settings_info,
        lambda sim: {"api_key_id": key_with_settings(sim), "include_resolved": False},
        False,
        no_writes=True,
    ),
    Row(
        "upsert_key_settings",
        "upsert key settings (api_key_settings)",
        "SettingsAPIUpsertAPIKeySettings",
        PUT,
        api_key_settings,
        lambda sim: {"api_key_id": new_key(sim), "routing_enabled": False},
        True,
    ),
    Row(
        "delete_key_settings",
        "delete key settings (api_key_settings absent)",
        "SettingsAPIDeleteAPIKeySettings",
        DELETE,
        api_key_settings,
        lambda sim: {"api_key_id": key_with_settings(sim), "state": "absent"},
        True,
    ),
    Row(
        "list_key_settings",
        "list key settings (settings_info)",
        "SettingsAPIListAPIKeySettings",
        READ,
        settings_info,
        lambda sim: {"include_resolved": False, "_seed": key_with_settings(sim)},
        False,
        list_shapes={"settings": {"routingEnabled": True}},
        no_writes=True,
    ),
    Row(
        "resolve",
        "resolve settings (settings_info)",
        "SettingsAPIResolveSettings",
        READ,
        settings_info,
        lambda sim: {"include_api_keys": False},
        False,
        no_writes=True,
    ),
    Row(
        "list_models",
        "list hosted models (hosted_models_info)",
        "HostedModelsAPIListHostedModels",
        READ,
        hosted_models_info,
        lambda sim: {"cluster_id": CLUSTER, "_seed": running_model(sim)},
        False,
        list_shapes={"service": "svc-running", "status": "RUNNING"},
        no_writes=True,
        all_faults=True,
    ),
    Row(
        "find_model",
        "list hosted models (hosted_model, unchanged)",
        "HostedModelsAPIListHostedModels",
        READ,
        hosted_model,
        lambda sim: {"cluster_id": CLUSTER, "service": running_model(sim)["service"], "wait": False},
        False,
        list_shapes={"service": "svc-running", "status": "RUNNING"},
        no_writes=True,
    ),
    Row(
        "create_model",
        "create hosted model (hosted_model)",
        "HostedModelsAPICreateHostedModel",
        UNSAFE,
        hosted_model,
        lambda sim: {
            "cluster_id": CLUSTER,
            "service": "svc-new",
            "model_specs_id": "specs-1",
            "port": 8080,
            "wait": False,
        },
        True,
    ),
    Row(
        "update_model",
        "update hosted model (hosted_model)",
        "HostedModelsAPIUpdateHostedModel",
        UNSAFE,
        hosted_model,
        lambda sim: {
            "cluster_id": CLUSTER,
            "service": running_model(sim)["service"],
            "node_template_name": "gpu-b",
            "wait": False,
        },
        True,
    ),
    Row(
        "delete_model",
        "delete hosted model (hosted_model absent)",
        "HostedModelsAPIDeleteHostedModel",
        DELETE,
        hosted_model,
        lambda sim: {"cluster_id": CLUSTER, "service": running_model(sim)["service"], "state": "absent", "wait": False},
        True,
    ),
    Row(
        "scale_model",
        "scale hosted model (hosted_model)",
        "HostedModelsAPIScaleHostedModel",
        UNSAFE,
        hosted_model,
        lambda sim: {"cluster_id": CLUSTER, "service": running_model(sim)["service"], "replicas": 2, "wait": False},
        True,
    ),
    Row(
        "pods",
        "hosted model pods (hosted_models_info)",
        "HostedModelsAPIGetHostedModelPods",
        READ,
        hosted_models_info,
        lambda sim: {"cluster_id": CLUSTER, "include_pods": True, "_seed": running_model(sim)},
        False,
        no_writes=True,
    ),
    Row(
        "events",
        "hosted model events (hosted_models_info)",
        "HostedModelEventsAPIListHostedModelEvents",
        READ,
        hosted_models_info,
        lambda sim: {"cluster_id": CLUSTER, "include_events": True, "_seed": running_model(sim)},
        False,
        list_shapes={},
        no_writes=True,
    ),
    # The model catalog. A lookup that fails must never lead to a create.
    Row(
        "list_specs",
        "list model specs (model_specs_info)",
        "ModelSpecsAPIListModelSpecs",
        READ,
        model_specs_info,
        lambda sim: {},
        False,
        list_shapes={"model": PREDEFINED_MODEL, "registryType": "HUGGING_FACE"},
        no_writes=True,
    ),
    Row(
        "find_spec",
        "list model specs (model_spec by model, unchanged)",
        "ModelSpecsAPIListModelSpecs",
        READ,
        model_spec,
        lambda sim: {"model": PREDEFINED_MODEL, "hugging_face": {"model_name": PREDEFINED_MODEL}},
        False,
        list_shapes={"model": PREDEFINED_MODEL, "registryType": "HUGGING_FACE"},
        no_writes=True,
    ),
    Row(
        "spec_by_model",
        "list model specs (hosted_model by model, unchanged)",
        "ModelSpecsAPIListModelSpecs",
        READ,
        hosted_model,
        lambda sim: {
            "cluster_id": CLUSTER,
            "service": running_model(sim, PREDEFINED_SPEC_ID)["service"],
            "model": PREDEFINED_MODEL,
            "wait": False,
        },
        False,
        list_shapes={"model": PREDEFINED_MODEL, "registryType": "HUGGING_FACE"},
        no_writes=True,
    ),
    Row(
        "get_spec",
        "get model specs (model_spec by id, unchanged)",
        "ModelSpecsAPIGetModelSpecs",
        READ,
        model_spec,
        lambda sim: {"id": PREDEFINED_SPEC_ID},
        False,
        no_writes=True,
    ),
    Row(
        "create_spec",
        "create model specs (model_spec)",
        "ModelSpecsAPICreateModelSpecs",
        UNSAFE,
        model_spec,
        lambda sim: {
            "model": "acme/new-model",
            "hugging_face": {"model_name": "acme/new-model", "terms_and_conditions": {"acceptance_required": False}},
        },
        True,
    ),
    Row(
        "delete_spec",
        "delete model specs (model_spec absent)",
        "ModelSpecsAPIDeleteModelSpecs",
        DELETE,
        model_spec,
        lambda sim: {"id": own_spec(sim), "state": "absent", "wait": False},
        True,
    ),
    Row(
        "list_registries",
        "list model registries (model_registries_info)",
        "ModelRegistriesAPIListModelRegistries",
        READ,
        model_registries_info,
        lambda sim: {"_seed": active_registry(sim)},
        False,
        list_shapes={"provider": BUCKET},
        no_writes=True,
    ),
    Row(
        "find_registry",
        "list model registries (model_registry by bucket, unchanged)",
        "ModelRegistriesAPIListModelRegistries",
        READ,
        model_registry,
        lambda sim: {"provider": BUCKET, "wait": False, "_seed": active_registry(sim)},
        False,
        list_shapes={"provider": BUCKET},
        no_writes=True,
    ),
    Row(
        "get_registry",
        "get model registry (model_registry by id, unchanged)",
        "ModelRegistriesAPIGetModelRegistry",
        READ,
        model_registry,
        lambda sim: {"id": active_registry(sim), "wait": False},
        False,
        no_writes=True,
    ),
    Row(
        "create_registry",
        "create model registry (model_registry, credentials)",
        "ModelRegistriesAPICreateModelRegistry",
        UNSAFE,
        model_registry,
        lambda sim: {"provider": BUCKET, "credentials": CREDENTIALS, "wait": False},
        True,
    ),
    Row(
        "delete_registry",
        "delete model registry (model_registry absent)",
        "ModelRegistriesAPIDeleteModelRegistry",
        DELETE,
        model_registry,
        lambda sim: {"id": active_registry(sim), "state": "absent", "wait": False},
        True,
    ),
    Row(
        "directories",
        "list registry directories (model_registries_info)",
        "ModelRegistriesAPIListModelRegistryDirectories",
        READ,
        model_registries_info,
        lambda sim: {"include_directories": True, "_seed": active_registry(sim)},
        False,
        list_shapes={"registered": False},
        no_writes=True,
    ),
    Row(
        "onboarding_command",
        "onboarding command (model_registries_info)",
        "ModelRegistriesAPIGetOnboardingCommand",
        READ,
        model_registries_info,
        lambda sim: {"onboarding_provider": S3_BUCKET},
        False,
        no_writes=True,
    ),
    Row(
        "onboarding_script",
        "onboarding script (model_registries_info)",
        "ModelRegistriesAPIGetOnboardingScript",
        READ,
        model_registries_info,
        lambda sim: {"onboarding_provider": S3_BUCKET, "include_onboarding_script": True},
        False,
        no_writes=True,
    ),
    # Observability.
    Row(
        "components",
        "list components (components_info)",
        "ComponentsAPIListComponents",
        READ,
        components_info,
        lambda sim: {"cluster_id": CLUSTER},
        False,
        list_shapes={"status": "RUNNING", "version": "v0.24.1"},
        no_writes=True,
    ),
    Row(
        "analytics",
        "analytics report (usage_reports_info)",
        "AnalyticsAPIGenerateAnalytics",
        READ,
        usage_reports_info,
        lambda sim: {"last": "24h"},
        False,
        no_writes=True,
    ),
    Row(
        "billing",
        "billing usage report (usage_reports_info)",
        "AnalyticsAPIGenerateBillingModelUsageReport",
        READ,
        usage_reports_info,
        lambda sim: {"last": "24h"},
        False,
        no_writes=True,
    ),
]


# --- the faults -----------------------------------------------------------------------------------------------------


def http_date_in(seconds):
    return email.utils.format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds), usegmt=True)


class Column:
    """One kind of fault: the fault to arm for an operation, and for which rows it applies."""

    def __init__(self, key, fault, applies=lambda row: True, count=1, garbled_answer=False):
        self.key = key
        self._fault = fault
        self.applies = applies
        self.count = count
        # A 2xx answer the client cannot use: for writes the server acts first (a write acknowledged, answer garbled).
        self.garbled_answer = garbled_answer

    def fault(self, row):
        fault = dict(
            self._fault() if callable(self._fault) else self._fault, operation_id=row.operation_id, count=self.count
        )
        if self.garbled_answer and row.kind != READ:
            fault["apply"] = True
        return fault


def is_list(row):
    return row.list_shapes is not None


COLUMNS = [
    Column("429-secs", {"kind": "status", "status": 429, "retry_after": 1}),
    Column("429-date", lambda: {"kind": "status", "status": 429, "retry_after": http_date_in(3)}),
    Column("429-bad", {"kind": "status", "status": 429, "retry_after": "soon"}),
    Column("429-huge", {"kind": "status", "status": 429, "retry_after": 3600}),
    Column("500", {"kind": "status", "status": 500}),
    Column("502", {"kind": "status", "status": 502}),
    Column("503", {"kind": "status", "status": 503}),
    Column("504", {"kind": "status", "status": 504}),
    Column("503x3", {"kind": "status", "status": 503}, count=API_RETRIES + 1),
    Column("reset", {"kind": "reset"}),
    Column("reset-after", {"kind": "reset_after"}),
    Column("timeout", {"kind": "slow", "delay": SLOW_DELAY}),
    Column(
        "timeout-applied", {"kind": "slow", "delay": SLOW_DELAY, "apply": True}, applies=lambda row: row.kind != READ
    ),
    Column("bad-json", {"kind": "malformed_json"}, garbled_answer=True),
    Column("html-200", {"kind": "html", "status": 200}, garbled_answer=True),
    Column("html-502", {"kind": "html", "status": 502}),
    Column("truncated", {"kind": "truncated"}, garbled_answer=True),
    Column("empty", {"kind": "empty"}, garbled_answer=True),
    Column("list", {"kind": "body", "body": []}, garbled_answer=True),
    Column("null", {"kind": "body", "body": None}, garbled_answer=True),
    Column("string", {"kind": "body", "body": "ok"}, garbled_answer=True),
    Column("no-items", {"kind": "body", "body": {"totalCount": 0}}, applies=is_list),
    Column("items-obj", {"kind": "body", "body": {"items": {}}}, applies=is_list),
    Column("dict-cursor", {"kind": "body", "body": {"items": [], "nextPageCursor": {"offset": 1}}}, applies=is_list),
    Column("no-id", None, applies=lambda row: bool(row.list_shapes)),
    Column(
        "int-token",
        {"kind": "body", "body": {"token": 12345}},
        applies=lambda row: row.key == "create_key",
        garbled_answer=True,
    ),
]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Settled by the client from the HTTP method alone; a read that is not ``all_faults`` skips them (module docstring).
CLIENT_LEVEL = frozenset(
    (
        "429-secs",
        "429-date",
        "429-bad",
        "429-huge",
        "502",
        "504",
        "503x3",
        "reset",
        "reset-after",
        "timeout",
        "bad-json",
        "html-200",
        "html-502",
        "truncated",
    )
)


def applicable(row, column):
    return column.applies(row) and (row.all_faults or column.key not in CLIENT_LEVEL)


def fault_for(row, column):
    if column.key == "no-id":
        return {"kind": "body", "body": {"items": [row.list_shapes]}, "operation_id": row.operation_id, "count": 1}
    return column.fault(row)


# --- what the documented rules expect ------------------------------------------------------------------------------


class Expect:
    """ok: True, False, or None (either is right); attempts at the operation; changed; applied writes."""

    def __init__(self, ok, attempts, changed=None, may_have=False, applied=None):
        self.ok = ok
        self.attempts = attempts
        self.changed = changed
        self.may_have = may_have
        self.applied = applied

    def __repr__(self):
        return "Expect(%r)" % self.__dict__


def expect(row, column):
    key, kind = column.key, row.kind
    retried = kind != UNSAFE  # GET, PUT, DELETE and verify are retried on transient failures
    if key in ("429-secs", "429-date", "429-bad"):
        return Expect(True, 2)
    if key in ("429-huge", "500"):
        return Expect(False, 1)
    if key in ("502", "503", "504", "html-502"):
        return Expect(True, 2) if retried else Expect(False, 1)
    if key == "503x3":
        return Expect(False, API_RETRIES + 1 if retried else 1)
    if key == "reset":
        return Expect(True, 2) if retried else Expect(False, 1, changed=True, may_have=True, applied=0)
    if key in ("reset-after", "timeout", "timeout-applied"):
        return Expect(True, 2) if retried else Expect(False, 1, changed=True, may_have=True, applied=1)
    if key == "truncated":
        return Expect(True, 2) if retried else Expect(False, 1, changed=True, applied=1)
    if key in ("bad-json", "html-200"):
        if kind == READ:
            return Expect(True, 2)
        # A DELETE's answer is not used, so refusing or ignoring a garbled one are both right.
        return Expect(None if kind == DELETE else False, 1, changed=True, applied=1)
    if key == "empty":
        if kind == READ:
            return Expect(False, 1)
        # Nothing is expected back from a DELETE, so an empty answer is its normal one.
        return Expect(kind == DELETE, 1, changed=True, applied=1)
    if key in ("list", "null", "string", "int-token"):
        if kind == READ:
            return Expect(False, 1)
        return Expect(None if kind == DELETE else False, 1, changed=True, applied=1)
    if key in ("no-items", "items-obj", "dict-cursor", "no-id"):
        return Expect(False, 1)
    raise AssertionError("no rule for %s" % key)


CASES = [
    pytest.param(row, column, id="%s-%s" % (row.key, column.key))
    for row in ROWS
    for column in COLUMNS
    if applicable(row, column)
]


# --- the case -------------------------------------------------------------------------------------------------------


def log_of(sim, operation_id, settle):
    """The request log, after the late answer of a slow fault arrived (its entry is written once the server is done).

    A slow request the client gave up on is still running in the simulator: without this wait it would act, and
    log itself, during the next case.
    """
    deadline = time.monotonic() + (SLOW_DELAY + 5 if settle else 0)
    while True:
        log = sim.requests()
        if not settle or any(r["fault"] == "slow" and r["operation_id"] == operation_id for r in log):
            return log
        if time.monotonic() > deadline:
            raise AssertionError("the slow request never finished at the simulator")
        time.sleep(0.05)


def secrets_of(sim, args):
    """What no output may hold: the connection's token, a token the task checks, a registry's private key."""
    secrets = [sim.token]
    if args.get("token"):
        secrets.append(args["token"])
    if args.get("credentials"):
        secrets.append(CREDENTIAL_SECRET)
    return secrets


def check_case(sim, run, client_waits, row, column):
    want = expect(row, column)
    args = dict(row.setup(sim), **CONNECTION)
    args.pop("_seed", None)
    secrets = secrets_of(sim, args)
    sim.control("DELETE", "requests")
    sim.fault(**fault_for(row, column))

    outcome = run(row.module.main, **args)
    log = log_of(sim, row.operation_id, settle=column.key.startswith("timeout"))
    result, message = outcome.result, outcome.result.get("msg", "")
    calls = [r for r in log if r["operation_id"] == row.operation_id]
    seen = [(r["method"], r["operation_id"], r["status"], r["fault"], r["applied"]) for r in log]
    context = "%s: %s\nrequests (method, operation, status, fault, applied): %s" % (outcome, want, seen)

    def verdict(ok, what):
        """Fail with ``what`` on the first line (the line pytest's summary shows), the whole case below it."""
        assert ok, "%s\n%s" % (what, context)

    # The fault hit the operation this row is about (else the case tests nothing). The log is in the order the
    # server finished, so a slow request comes after the retry that overtook it.
    verdict(any(r["fault"] == fault_for(row, column)["kind"] for r in calls), "the fault never reached the operation")
    verdict(no_traceback(outcome), "a traceback in the result")
    shown = repr(result) + repr(outcome.warnings)
    verdict(not any(secret in shown for secret in secrets), "a token or credential is in the result")
    if want.ok is not None:
        verdict(
            outcome.failed is not want.ok,
            "%s, expected %s: %s"
            % ("failed" if outcome.failed else "succeeded", "success" if want.ok else "a clean failure", message[:300]),
        )
    if outcome.failed:
        verdict(isinstance(message, str) and message.strip(), "a failure without a message")
    verdict(len(calls) == want.attempts, "%d attempts, expected %d" % (len(calls), want.attempts))
    # Bounded: no wait over the documented caps (the attempts are bounded above).
    verdict(
        all(wait <= MAX_RETRY_AFTER for wait in client_waits) and sum(client_waits) <= MAX_TOTAL_WAIT,
        "waits past the documented caps: %s" % client_waits,
    )

    applied = sum(1 for r in calls if r["applied"])
    if row.kind == UNSAFE:
        verdict(applied <= 1, "a POST or PATCH took effect %d times" % applied)
    if want.applied is not None:
        verdict(applied == want.applied, "took effect %d times, expected %d" % (applied, want.applied))
    if row.kind != READ and not outcome.failed:
        verdict(applied >= 1, "succeeded without the write taking effect")
    changed = want.changed if want.changed is not None else (row.changes and not outcome.failed)
    verdict(
        result.get("changed") is changed,
        "changed=%s, expected %s%s"
        % (result.get("changed"), changed, " (the write took effect)" if changed and applied else ""),
    )
    if want.may_have:
        verdict("may have" in message, "the message does not say the write may have happened: %s" % message[:300])
    if row.no_writes or (row.kind == READ and outcome.failed):
        writes = [r for r in log if r["method"] != "GET" and r["operation_id"] != "APIKeysAPIVerifyAPIKey"]
        verdict(writes == [], "a write after a read that failed or found nothing to change")

    expected_waits = {
        "429-secs": lambda: client_waits == [1],
        "429-date": lambda: len(client_waits) == 1 and 1 <= client_waits[0] <= 4,
        "429-bad": lambda: client_waits == [API_RETRY_BACKOFF],  # malformed counts as absent: the normal backoff
        "429-huge": lambda: client_waits == [],
    }
    if column.key in expected_waits:
        verdict(expected_waits[column.key](), "waits %s do not follow Retry-After" % client_waits)


@pytest.mark.parametrize("row, column", CASES)
def test_fault_case(run, sim, client_waits, capsys, request, row, column):
    passed = False
    try:
        check_case(sim, run, client_waits, row, column)
        passed = True
    finally:
        RESULTS.record(case=request.node.callspec.id, row=row.key, column=column.key, ok=passed)
        summarize(capsys, request)


def summarize(capsys, request):
    results = RESULTS.complete(request, "test_fault_case")
    if results is None:
        return
    cells = {(r["row"], r["column"]): r["ok"] for r in results}
    columns = [c.key for c in COLUMNS if any((row.key, c.key) in cells for row in ROWS)]
    rows = [row for row in ROWS if any((row.key, c) in cells for c in columns)]
    width = max(len(row.key) for row in rows)
    lines = [
        "fault matrix: operations x faults (ok, FAIL, . = not applicable)",
        " " * width + " | " + " ".join("%-4d" % (index + 1) for index in range(len(columns))),
    ]
    for row in rows:
        marks = []
        for column in columns:
            ok = cells.get((row.key, column))
            marks.append(" .  " if ok is None else ("ok  " if ok else "FAIL"))
        lines.append((row.key.ljust(width) + " | " + " ".join(marks)).rstrip())
    lines.append("faults: " + ", ".join("%d=%s" % (index + 1, key) for index, key in enumerate(columns)))
    failed = sorted("%s-%s" % key for key, ok in cells.items() if not ok)
    lines.append(
        "fault matrix: %d cases, %d passed, %d failed%s"
        % (len(cells), len(cells) - len(failed), len(failed), (": FAIL " + ", ".join(failed)) if failed else "")
    )
    print_summary(capsys, "\n".join(lines))
