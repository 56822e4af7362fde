# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.model_registry against the in-process simulator: create and wait, adopt, replace, delete, and
credentials that never come back out."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.castai.ai_optimizer.plugins.modules import model_registry

LIST, GET, CREATE, DELETE = (
    "ModelRegistriesAPIListModelRegistries",
    "ModelRegistriesAPIGetModelRegistry",
    "ModelRegistriesAPICreateModelRegistry",
    "ModelRegistriesAPIDeleteModelRegistry",
)
SECRET = "-----BEGIN PRIVATE KEY-----\\nMIIEv-registry-s3cr3t-f00d\\n-----END PRIVATE KEY-----\\n"
SECRET_PART = "registry-s3cr3t-f00d"
CREDENTIALS = {"type": "service_account", "private_key": SECRET, "client_email": "reader@acme.iam"}
GCS = {"type": "GCS", "gcs": {"bucket": "acme-models", "prefix": "tuned"}}
FAST = {"wait_sleep": 0.01, "wait_timeout": 10}


# --- helpers shared with the other catalog tests ------------------------------------------------------------------


def api(sim, method, path, body=None):
    """Call the simulator's API directly (set-up, not under test)."""
    url = "%s/ai-optimizer/v1beta/organizations/%s/%s" % (sim.url, sim.organization_id, path)
    answer = requests.request(method, url, json=body, headers={"X-API-Key": sim.token}, timeout=10)
    assert answer.ok, answer.text
    return answer.json()


def active_registry(sim, provider=None, directories=None):
    """A registry that is ACTIVE now, with the given directories; the request log is cleared afterwards."""
    created = api(sim, "POST", "model-registries", {"provider": provider or GCS})
    sim.control("POST", "model-registries/%s/status" % created["id"], {"status": "ACTIVE"})
    if directories is not None:
        sim.control("POST", "model-registries/%s/directories" % created["id"], {"directories": directories})
    sim.control("DELETE", "requests")
    return created["id"]


def operations(sim):
    return [r["operation_id"] for r in sim.requests() if not r["path"].endswith("api-keys:verify")]


def assert_no_secret(outcome, *parts):
    text = json.dumps(outcome.result, default=str) + json.dumps(outcome.warnings)
    for part in parts or (SECRET_PART,):
        assert part not in text


def run_registry(run, check_mode=False, diff=True, **args):
    return run(model_registry.main, check_mode=check_mode, diff=diff, **dict(FAST, **args))


# --- create, rerun, adopt ---------------------------------------------------------------------------------------


def test_create_in_check_mode_writes_nothing_and_predicts_the_real_run(run, sim):
    check = run_registry(run, check_mode=True, provider=GCS, credentials=CREDENTIALS)
    assert not check.failed, check.result
    assert check.result["changed"] is True and check.result["recreated"] is False
    assert operations(sim) == [LIST]
    assert check.result["model_registry"]["id"] is None and check.result["model_registry"]["status"] is None
    assert check.result["model_registry"]["provider"]["gcs"]["bucket"] == "acme-models"

    real = run_registry(run, provider=GCS, credentials=CREDENTIALS)
    assert not real.failed, real.result
    assert real.result["changed"] is True
    assert real.result["diff"] == check.result["diff"]
    assert real.result["diff"]["after"] == {"state": "present", "provider": GCS, "credentials": "<hidden>"}
    assert check.result["changed_fields"] == real.result["changed_fields"]
    for outcome in (check, real):
        assert_no_secret(outcome)


def test_create_sends_the_credentials_once_and_waits_until_active(run, sim):
    outcome = run_registry(run, provider=GCS, credentials=json.dumps(CREDENTIALS))
    assert not outcome.failed, outcome.result
    registry = outcome.result["model_registry"]
    assert registry["status"] == "ACTIVE" and "credentials" not in registry
    ops = operations(sim)
    assert ops[:2] == [LIST, CREATE] and set(ops[2:]) == {GET}
    create = [r for r in sim.requests() if r["operation_id"] == CREATE][0]
    assert create["body"] == {"provider": GCS, "credentials": "***"}  # the simulator's log masks what was sent
    assert_no_secret(outcome)


def test_credentials_go_out_as_given_json_text(run, sim, monkeypatch):
    sent = []
    from ansible_collections.castai.ai_optimizer.plugins.module_utils import _client

    original = _client.APIClient.call

    def spy(self, operation_id, path_params=None, query=None, body=None):
        if operation_id == CREATE:
            sent.append(body["credentials"])
        return original(self, operation_id, path_params, query, body)

    monkeypatch.setattr(_client.APIClient, "call", spy)
    text = '  {"type": "service_account", "private_key": "k"}\n'
    assert not run_registry(run, provider=GCS, credentials=text, wait=False).failed
    assert sent == [text.strip()]


def test_ansible_hides_the_document_and_its_secrets_not_its_ordinary_words(run, sim):
    """A GCP key file says "type": "service_account" and names the service account that provider.gcs.service_account
    holds too: hiding those would show "provider.gcs.********" in messages and results."""
    key_file = dict(CREDENTIALS, project_id="acme", nested={"client_secret": "cs-9", "region": "eu"}, version=1)
    outcome = run_registry(run, provider=GCS, credentials=key_file, wait=False)
    hidden = outcome.module.no_log_values
    assert json.dumps(key_file) in hidden and SECRET in hidden and "cs-9" in hidden and sim.token in hidden
    assert not hidden & {"service_account", "reader@acme.iam", "acme", "eu", "1"}


def test_json_text_is_hidden_whole(run, sim):
    text = json.dumps(CREDENTIALS)
    outcome = run_registry(run, provider=GCS, credentials=text, wait=False)
    assert text in outcome.module.no_log_values and "service_account" not in outcome.module.no_log_values


def test_second_run_changes_nothing_and_sends_no_credentials(run, sim):
    first = run_registry(run, provider=GCS, credentials=CREDENTIALS)
    sim.control("DELETE", "requests")
    again = run_registry(run, provider=GCS, credentials=CREDENTIALS)
    assert not again.failed and again.result["changed"] is False
    assert again.result["changed_fields"] == []
    assert again.result["model_registry"]["id"] == first.result["model_registry"]["id"]
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    assert "credentials" not in again.result["diff"]["after"]
    assert sim.writes() == [] and operations(sim) == [LIST]  # ACTIVE already: no wait, no read


def test_unset_and_empty_prefix_are_the_same_bucket(run, sim):
    registry_id = active_registry(sim, {"type": "S3", "s3": {"bucket": "weights", "region": "eu-west-1"}})
    outcome = run_registry(
        run, provider={"type": "S3", "s3": {"bucket": "weights", "region": "eu-west-1", "prefix": ""}}
    )
    assert outcome.result["changed"] is False and outcome.result["model_registry"]["id"] == registry_id


def test_found_by_id(run, sim):
    registry_id = active_registry(sim)
    outcome = run_registry(run, id=registry_id)
    assert not outcome.failed and outcome.result["changed"] is False
    assert operations(sim) == [GET]
    assert outcome.result["model_registry"]["provider"]["gcs"]["prefix"] == "tuned"


def test_unknown_id_with_present_fails_without_writing(run, sim):
    outcome = run_registry(run, id="nope", provider=GCS)
    assert outcome.failed and "no model registry with id nope" in outcome.result["msg"]
    assert sim.writes() == []


def test_lists_every_page_to_find_the_registry(run, sim):
    for index in range(4):
        active_registry(sim, {"type": "GCS", "gcs": {"bucket": "b%d" % index}})
    sim.control("POST", "config", {"max_page_size": 2})
    outcome = run_registry(run, provider={"type": "GCS", "gcs": {"bucket": "b3"}})
    assert outcome.result["changed"] is False
    assert operations(sim) == [LIST, LIST]


# --- changes the API cannot make ----------------------------------------------------------------------------------


def test_a_changed_field_fails_naming_it_unless_recreate(run, sim):
    registry_id = active_registry(sim)
    changed = dict(GCS, gcs=dict(GCS["gcs"], service_account="reader@acme.iam"))
    outcome = run_registry(run, provider=changed)
    assert outcome.failed and outcome.result["changed"] is False
    assert "provider.gcs.service_account" in outcome.result["msg"] and "recreate=true" in outcome.result["msg"]
    assert registry_id in outcome.result["msg"]
    assert sim.writes() == []


def test_recreate_replaces_it_in_check_mode_and_for_real(run, sim):
    registry_id = active_registry(sim)
    changed = dict(GCS, gcs=dict(GCS["gcs"], service_account="reader@acme.iam"))
    check = run_registry(run, check_mode=True, provider=changed, recreate=True)
    assert check.result["changed"] is True and check.result["recreated"] is True and sim.writes() == []
    real = run_registry(run, provider=changed, recreate=True, credentials=CREDENTIALS)
    assert not real.failed, real.result
    assert real.result["recreated"] is True and real.result["changed_fields"] == ["provider.gcs.service_account"]
    assert real.result["model_registry"]["id"] != registry_id
    assert real.result["model_registry"]["provider"]["gcs"] == {
        "bucket": "acme-models",
        "prefix": "tuned",
        "service_account": "reader@acme.iam",
    }
    assert [w["operation_id"] for w in sim.writes()] == [DELETE, CREATE]
    assert check.result["diff"]["before"] == real.result["diff"]["before"]
    assert_no_secret(real)


def test_always_sending_credentials_needs_recreate_and_replaces_every_run(run, sim):
    refused = run_registry(
        run, provider=GCS, credentials=CREDENTIALS, update_credentials="always", organization_id=None
    )
    assert refused.failed and "update_credentials=always needs recreate=true" in refused.result["msg"]
    assert sim.requests() == []

    first = run_registry(run, provider=GCS, credentials=CREDENTIALS, update_credentials="always", recreate=True)
    second = run_registry(run, provider=GCS, credentials=CREDENTIALS, update_credentials="always", recreate=True)
    assert second.result["changed"] is True and second.result["changed_fields"] == ["credentials"]
    assert second.result["model_registry"]["id"] != first.result["model_registry"]["id"]
    assert second.result["diff"]["after"]["credentials"] == "<hidden>"
    assert "credentials" not in second.result["diff"]["before"]
    assert_no_secret(second)


def test_replacing_a_registry_that_specs_use_fails_with_the_api_message(run, sim):
    registry_id = active_registry(sim)
    api(
        sim,
        "POST",
        "model-specs",
        {
            "model": "acme/m",
            "registryType": "PRIVATE",
            "privateRegistry": {"registryId": registry_id, "baseModelId": "llama-3-8b-ft"},
        },
    )
    outcome = run_registry(run, provider=dict(GCS, gcs=dict(GCS["gcs"], service_account="x@y")), recreate=True)
    assert outcome.failed and outcome.result["changed"] is False
    assert "delete model registry %s to replace it: HTTP 400" % registry_id in outcome.result["msg"]
    assert "used by model specs acme/m" in outcome.result["msg"]


# --- waiting --------------------------------------------------------------------------------------------------------


def test_error_fails_at_once_with_the_reason(run, sim):
    created = run_registry(run, provider=GCS, wait=False).result["model_registry"]
    sim.control(
        "POST",
        "model-registries/%s/status" % created["id"],
        {"status": "ERROR", "status_reason": "bucket acme-models: access denied"},
    )
    sim.control("DELETE", "requests")
    outcome = run_registry(run, provider=GCS, wait_timeout=600)
    assert outcome.failed and outcome.result["changed"] is False
    assert "it is ERROR: bucket acme-models: access denied" in outcome.result["msg"]
    assert outcome.result["model_registry"]["status"] == "ERROR"
    assert operations(sim) == [LIST]  # judged on what was read: no poll


def test_error_after_create_says_what_was_created(run, sim):
    sim.fault(
        kind="body",
        operation_id=GET,
        count=1,
        body={"id": "r-1", "provider": GCS, "status": "ERROR", "statusReason": "no such bucket"},
    )
    outcome = run_registry(run, provider=GCS)
    assert outcome.failed and outcome.result["changed"] is True
    assert outcome.result["msg"].startswith("created model registry (GCS bucket 'acme-models', prefix 'tuned'), then")
    assert "ERROR: no such bucket" in outcome.result["msg"]


def test_timeout_names_the_last_status(run, sim):
    created = run_registry(run, provider=GCS, wait=False).result["model_registry"]
    sim.control("POST", "model-registries/%s/status" % created["id"], {"status": "ONBOARDING", "stuck": True})
    outcome = run_registry(run, provider=GCS, wait_timeout=0)
    assert outcome.failed
    assert "timed out after 0 seconds" in outcome.result["msg"] and "last seen: ONBOARDING" in outcome.result["msg"]


def test_without_wait_the_create_returns_onboarding(run, sim):
    outcome = run_registry(run, provider=GCS, wait=False)
    assert outcome.result["model_registry"]["status"] == "ONBOARDING"
    assert operations(sim) == [LIST, CREATE]


# --- absent ---------------------------------------------------------------------------------------------------------


def test_absent_deletes_and_waits_until_gone(run, sim):
    registry_id = active_registry(sim)
    check = run_registry(run, check_mode=True, provider=GCS, state="absent")
    assert check.result["changed"] is True and sim.writes() == []
    real = run_registry(run, provider=GCS, state="absent")
    assert real.result["changed"] is True and real.result["model_registry"] is None
    assert real.result["diff"] == check.result["diff"]
    assert real.result["diff"]["before"]["provider"]["gcs"]["bucket"] == "acme-models"
    assert real.result["diff"]["after"] == {"state": "absent"}
    assert [w["path"].rsplit("/", 1)[1] for w in sim.writes()] == [registry_id]
    again = run_registry(run, provider=GCS, state="absent")
    assert again.result["changed"] is False


# --- bad input: refused before any request ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ({"provider": GCS, "credentials": "not json " + SECRET_PART}, "credentials must be a JSON object"),
        ({"provider": GCS, "credentials": '["a list", "%s"]' % SECRET_PART}, "credentials must be a JSON object"),
        ({"provider": {"type": "GCS", "gcs": {"bucket": " "}}}, "provider.gcs.bucket must not be empty"),
        ({"provider": {"type": "S3", "s3": {"bucket": "b", "region": ""}}}, "provider.s3.region must not be empty"),
        ({"provider": {"type": "GCS", "s3": {"bucket": "b", "region": "r"}}}, "gcs"),
        (
            {"provider": {"type": "GCS", "gcs": {"bucket": "b"}, "s3": {"bucket": "b", "region": "r"}}},
            "mutually exclusive",
        ),
        ({"provider": {"type": "AZURE", "gcs": {"bucket": "b"}}}, "type"),
        ({"provider": GCS, "wait_sleep": 0}, "wait_sleep must be a finite number"),
        ({"provider": GCS, "wait_timeout": -1}, "wait_timeout must not be negative"),
        ({"id": "../x"}, "id must be a single ID"),
        ({}, "one of the following is required: id, provider"),
    ],
)
def test_bad_input_makes_no_request(run, sim, args, message):
    outcome = run(model_registry.main, organization_id=None, **args)
    assert outcome.failed and message in outcome.result["msg"], outcome.result
    assert sim.requests() == []
    assert_no_secret(outcome)


# --- failures after a write -----------------------------------------------------------------------------------------


def test_a_lost_answer_to_the_create_counts_as_a_change(run, sim):
    sim.fault(kind="reset_after", operation_id=CREATE)
    outcome = run_registry(run, provider=GCS, credentials=CREDENTIALS)
    assert outcome.failed and outcome.result["changed"] is True
    assert outcome.result["msg"].startswith(
        "may have created model registry (GCS bucket 'acme-models', prefix 'tuned')"
    )
    assert [r["applied"] for r in sim.requests() if r["operation_id"] == CREATE] == [True]  # sent once, never again
    assert_no_secret(outcome)
