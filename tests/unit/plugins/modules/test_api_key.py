# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""api_key: when a key is created, when not, and what happens to the token and its file."""

from __future__ import annotations

import os
import stat

import pytest

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.castai.ai_optimizer.plugins.module_utils._client import APIClient, APIError
from ansible_collections.castai.ai_optimizer.plugins.modules import api_key

ADMIN = "admin-token-aaaaaaaaaaaa"
HELD = "held-token-bbbbbbbbbbbb"
ORG = "11111111-1111-4111-8111-111111111111"
OTHER_ORG = "99999999-9999-4999-8999-999999999999"
VERIFY = "APIKeysAPIVerifyAPIKey"
CREATE = "APIKeysAPICreateAPIKey"


class FakeAPI:
    """Stands in for APIClient.call: knows which tokens verify for which organization and mints new ones."""

    def __init__(self):
        self.owners = {ADMIN: ORG}  # token -> organization ID, or an HTTP status verify answers with
        self.calls = []  # (token, operationId, path_params, body)
        self.minted = []

    def call(self, client, operation_id, path_params=None, query=None, body=None):
        token = client.session.headers["X-API-Key"]
        self.calls.append((token, operation_id, path_params, body))
        if operation_id == VERIFY:
            owner = self.owners.get(token, 401)
            if isinstance(owner, int):
                raise APIError("verify says no", status=owner, method="POST", path="/ai-optimizer/v1beta/api-keys:verify")
            return {"organizationId": owner}
        if operation_id == CREATE:
            token = "minted-token-%d" % (len(self.minted) + 1)
            self.minted.append(token)
            self.owners[token] = path_params["organizationId"]
            return {"id": "key-%d" % len(self.minted), "token": token}
        raise AssertionError("unexpected operation %s" % operation_id)

    def verified(self):
        return [c[0] for c in self.calls if c[1] == VERIFY]

    def creates(self):
        return [c for c in self.calls if c[1] == CREATE]


@pytest.fixture
def api(monkeypatch):
    fake = FakeAPI()

    def call(self, operation_id, path_params=None, query=None, body=None):
        return fake.call(self, operation_id, path_params, query, body)

    monkeypatch.setattr(APIClient, "call", call)
    return fake


@pytest.fixture
def run(run_module, api):
    def run_api_key(check_mode=False, diff=False, **args):
        args.setdefault("api_token", ADMIN)
        args.setdefault("api_url", "http://api.test")
        return run_module(api_key.main, args, check_mode=check_mode, diff=diff)

    return run_api_key


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "ai-optimizer.token"
    path.write_text(HELD + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def snapshot(path):
    info = os.stat(str(path))
    return (path.read_bytes(), info.st_ino, info.st_mtime_ns, stat.S_IMODE(info.st_mode))


# --- present --------------------------------------------------------------------------------------------------------

def test_held_token_option_that_verifies_changes_nothing(run, api):
    api.owners[HELD] = ORG

    out = run(token=HELD, organization_id=ORG)

    assert not out.failed, out
    assert out.result["changed"] is False
    assert out.result["created"] is False
    assert out.result["organization_id"] == ORG
    assert "token" not in out.result
    assert api.creates() == []
    assert api.verified() == [HELD]


def test_held_token_file_that_verifies_is_left_alone(run, api, token_file):
    api.owners[HELD] = ORG
    before = snapshot(token_file)

    out = run(path=str(token_file), organization_id=ORG)

    assert not out.failed, out
    assert out.result["changed"] is False
    assert out.result["created"] is False
    assert out.result["path"] == str(token_file)
    assert "token" not in out.result
    assert api.creates() == []
    assert snapshot(token_file) == before
    assert sorted(os.listdir(str(token_file.parent))) == [token_file.name]  # no temporary file left behind


def test_token_read_from_file_is_hidden(run, api, token_file):
    api.owners[HELD] = ORG

    out = run(path=str(token_file), organization_id=ORG)

    assert HELD in out.module.no_log_values


def test_verified_token_option_is_written_to_a_missing_file(run, api, tmp_path):
    api.owners[HELD] = ORG
    path = tmp_path / "token"

    out = run(token=HELD, path=str(path), organization_id=ORG)

    assert out.result["changed"] is True
    assert out.result["created"] is False
    assert api.creates() == []
    assert path.read_text(encoding="utf-8") == HELD + "\n"
    assert mode(path) == 0o600


def test_rejected_held_token_creates_a_key_and_writes_the_file(run, api, token_file):
    # HELD is unknown to the fake API: verify answers 401.
    token_file.chmod(0o644)

    out = run(path=str(token_file), organization_id=ORG)

    assert not out.failed, out
    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert out.result["token"] == "minted-token-1"
    assert api.verified() == [HELD]
    assert api.creates() == [(ADMIN, CREATE, {"organizationId": ORG}, {})]
    assert token_file.read_text(encoding="utf-8") == "minted-token-1\n"
    assert mode(token_file) == 0o600
    assert sorted(os.listdir(str(token_file.parent))) == [token_file.name]


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_held_token_option_creates_a_key(run, api, status):
    api.owners[HELD] = status

    out = run(token=HELD, organization_id=ORG)

    assert out.result["changed"] is True
    assert out.result["token"] == "minted-token-1"
    assert len(api.creates()) == 1


@pytest.mark.parametrize("status", [500, 503, 429, 404])
def test_verify_failure_other_than_rejection_stops_without_creating(run, api, token_file, status):
    api.owners[HELD] = status
    before = snapshot(token_file)

    out = run(path=str(token_file), organization_id=ORG)

    assert out.failed
    assert out.result["msg"].startswith("verify the held token: HTTP %d" % status)
    assert out.result["failure"]["status"] == status
    assert api.creates() == []
    assert snapshot(token_file) == before
    assert HELD not in repr(out.result)


def test_token_of_another_organization_is_replaced_with_a_warning(run, api):
    api.owners[HELD] = OTHER_ORG

    out = run(token=HELD, organization_id=ORG)

    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert out.result["token"] == "minted-token-1"
    assert api.creates() == [(ADMIN, CREATE, {"organizationId": ORG}, {})]
    assert any("another organization" in w for w in out.warnings)
    assert not any(HELD in w or OTHER_ORG in w for w in out.warnings)


def test_rotate_creates_even_when_the_held_token_verifies(run, api, token_file):
    api.owners[HELD] = ORG

    out = run(path=str(token_file), rotate=True, organization_id=ORG)

    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert out.result["token"] == "minted-token-1"
    assert len(api.creates()) == 1
    assert token_file.read_text(encoding="utf-8") == "minted-token-1\n"
    assert mode(token_file) == 0o600
    assert out.warnings == []


def test_check_mode_creates_nothing_and_writes_nothing(run, api, tmp_path):
    path = tmp_path / "token"

    out = run(path=str(path), organization_id=ORG, check_mode=True)

    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert "token" not in out.result
    assert api.creates() == []
    assert not path.exists()
    assert os.listdir(str(tmp_path)) == []


def test_check_mode_with_rejected_token_file_keeps_the_file(run, api, token_file):
    before = snapshot(token_file)

    out = run(path=str(token_file), organization_id=ORG, check_mode=True)

    assert out.result["changed"] is True
    assert api.creates() == []
    assert snapshot(token_file) == before


def test_check_mode_with_a_verified_token_reports_no_change(run, api, token_file):
    api.owners[HELD] = ORG

    out = run(path=str(token_file), organization_id=ORG, check_mode=True)

    assert out.result["changed"] is False
    assert api.verified() == [HELD]


def test_without_token_or_path_every_run_creates_with_a_warning(run, api):
    first = run(organization_id=ORG)
    second = run(organization_id=ORG)

    assert first.result["token"] == "minted-token-1"
    assert second.result["token"] == "minted-token-2"
    assert first.result["changed"] is True and first.result["created"] is True
    assert len(api.creates()) == 2
    assert any("Neither token nor path" in w for w in first.warnings)
    assert "path" not in first.result


def test_organization_comes_from_the_admin_token_when_not_given(run, api):
    out = run()

    assert out.result["organization_id"] == ORG
    assert api.verified() == [ADMIN]
    assert api.creates() == [(ADMIN, CREATE, {"organizationId": ORG}, {})]


def test_created_token_is_in_the_result_and_survives_no_log_masking(run, api, token_file):
    out = run(path=str(token_file), organization_id=ORG)

    token = out.result["token"]
    assert token == "minted-token-1"
    assert token not in out.module.no_log_values
    # What the real exit_json sends back after hiding no_log values still carries the new token.
    assert remove_values(out.result, out.module.no_log_values)["token"] == token
    assert ADMIN in out.module.no_log_values and HELD in out.module.no_log_values


def test_write_failure_after_create_still_returns_the_token(run, api, token_file, monkeypatch):
    def broken_write(path, token):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(api_key, "write_token_file", broken_write)

    out = run(path=str(token_file), organization_id=ORG)

    assert out.failed
    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert out.result["token"] == "minted-token-1"
    assert str(token_file) in out.result["msg"]
    assert "No space left on device" in out.result["msg"]
    assert len(api.creates()) == 1


def test_create_answer_without_token_fails(run, api, monkeypatch):
    original = api.call

    def no_token(client, operation_id, path_params=None, query=None, body=None):
        answer = original(client, operation_id, path_params, query, body)
        return {"id": answer["id"]} if operation_id == CREATE else answer

    monkeypatch.setattr(api, "call", no_token)

    out = run(organization_id=ORG)

    assert out.failed
    assert "without a token" in out.result["msg"]


def test_create_failure_is_reported(run, api, monkeypatch):
    original = api.call

    def refuse(client, operation_id, path_params=None, query=None, body=None):
        if operation_id == CREATE:
            raise APIError("quota reached", status=403, code=7)
        return original(client, operation_id, path_params, query, body)

    monkeypatch.setattr(api, "call", refuse)

    out = run(organization_id=ORG)

    assert out.failed
    assert out.result["msg"] == "create an API key: HTTP 403 PERMISSION_DENIED: quota reached"
    assert out.result["failure"]["status"] == 403


def test_missing_directory_fails_before_any_call(run, api, tmp_path):
    out = run(path=str(tmp_path / "nope" / "token"), organization_id=ORG)

    assert out.failed
    assert "does not exist" in out.result["msg"]
    assert api.calls == []


def test_path_that_is_a_directory_fails(run, api, tmp_path):
    out = run(path=str(tmp_path), organization_id=ORG)

    assert out.failed
    assert "is a directory" in out.result["msg"]
    assert api.calls == []


def test_diff_never_shows_a_token(run, api, token_file):
    out = run(path=str(token_file), organization_id=ORG, diff=True)

    assert out.result["diff"]["before"]["key"] == "none"
    assert out.result["diff"]["after"]["key"] == "new key (token hidden)"
    assert out.result["diff"]["after"]["token_file"] == "present, mode 0600"
    text = repr(out.result["diff"])
    assert HELD not in text and "minted-token-1" not in text and ADMIN not in text


# --- absent ---------------------------------------------------------------------------------------------------------

def test_absent_removes_the_file_and_warns(run, api, token_file):
    out = run(state="absent", path=str(token_file), organization_id=ORG)

    assert not out.failed, out
    assert out.result["changed"] is True
    assert out.result["created"] is False
    assert not token_file.exists()
    assert any("still exists" in w for w in out.warnings)
    assert api.calls == []


def test_absent_in_check_mode_keeps_the_file(run, api, token_file):
    before = snapshot(token_file)

    out = run(state="absent", path=str(token_file), organization_id=ORG, check_mode=True)

    assert out.result["changed"] is True
    assert snapshot(token_file) == before
    assert api.calls == []


def test_absent_with_missing_file_changes_nothing(run, api, tmp_path):
    out = run(state="absent", path=str(tmp_path / "token"), organization_id=ORG)

    assert out.result["changed"] is False
    assert api.calls == []


def test_absent_without_path_warns_and_changes_nothing(run, api):
    out = run(state="absent", organization_id=ORG)

    assert not out.failed, out
    assert out.result["changed"] is False
    assert "path" not in out.result
    assert any("cannot delete API keys" in w for w in out.warnings)
    assert api.calls == []
