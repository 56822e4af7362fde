# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""api_key: when a key is created, when not, and what happens to the token and its file.

Against the in-process simulator: its tokens verify for their organization, unknown ones get 401, and keys it mints
verify afterwards. The request log tells which token each request carried (its last four characters).
"""

from __future__ import annotations

import os
import stat

import pytest
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.castai.ai_optimizer.plugins.modules import api_key

VERIFY, CREATE = "APIKeysAPIVerifyAPIKey", "APIKeysAPICreateAPIKey"
UNKNOWN = "held-token-unknown-to-the-api-bbbb"
HELD_VIEW = "held token verifies"
NEW_VIEW = "created by this task (token hidden)"
KEPT = "present, mode 0600"


def run_key(run, **args):
    return run(api_key.main, **args)


@pytest.fixture
def held(sim):
    """The token of a second key of the organization: it verifies."""
    return sim.control("POST", "api-keys", {})["token"]


@pytest.fixture
def token_file(tmp_path, held):
    path = tmp_path / "ai-optimizer.token"
    path.write_text(held + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def snapshot(path):
    info = os.stat(str(path))
    return (path.read_bytes(), info.st_ino, info.st_mtime_ns, stat.S_IMODE(info.st_mode))


def calls(sim):
    """(operation, last four characters of the token it carried) of every API request."""
    return [(r["operation_id"], r["api_key_suffix"]) for r in sim.requests()]


def owner(sim, token):
    """The organization the simulator has the token belong to."""
    return sim.control("POST", "api-keys:lookup", {"token": token})["organization_id"]


def assert_hidden(outcome, *secrets):
    """None of the secrets appears anywhere in the result (token key included) or the warnings."""
    text = repr(outcome.result) + repr(outcome.warnings)
    for secret in secrets:
        assert secret not in text


def assert_only_in_token(outcome, token):
    """The new token is the result's ``token`` and appears nowhere else (not in the diff, api_key, msg, warnings)."""
    assert outcome.result["token"] == token
    rest = dict(outcome.result)
    del rest["token"]
    assert token not in repr(rest) + repr(outcome.warnings)


def created_request(sim):
    return [(r["method"], r["path"], r["body"], r["api_key_suffix"]) for r in sim.writes()]


# --- present: a held token that verifies ---------------------------------------------------------------------------


def test_held_token_option_that_verifies_changes_nothing(run, sim, held):
    out = run_key(run, token=held)

    assert not out.failed, out
    assert out.result["changed"] is False
    assert out.result["created"] is False
    assert out.result["changed_fields"] == []
    assert out.result["organization_id"] == sim.organization_id
    assert out.result["api_key"] == {"key": HELD_VIEW, "token_file": "not managed"}
    assert "token" not in out.result
    assert calls(sim) == [(VERIFY, held[-4:])]
    assert_hidden(out, held, sim.token)


def test_held_token_file_that_verifies_is_left_alone(run, sim, held, token_file):
    before = snapshot(token_file)

    out = run_key(run, path=str(token_file))

    assert not out.failed, out
    assert out.result["changed"] is False
    assert out.result["created"] is False
    # No "path" key: Ansible would add the file's owner, mode and a "state: file" to the result.
    assert "path" not in out.result and "uid" not in out.result
    assert out.result["api_key"] == {"key": HELD_VIEW, "token_file": KEPT}
    assert "token" not in out.result
    assert calls(sim) == [(VERIFY, held[-4:])]
    assert snapshot(token_file) == before
    assert sorted(os.listdir(str(token_file.parent))) == [token_file.name]  # no temporary file left behind
    assert_hidden(out, held)


def test_token_read_from_file_is_hidden(run, sim, held, token_file):
    out = run_key(run, path=str(token_file))

    assert held in out.module.no_log_values


@pytest.mark.parametrize("case", ["token option, no file yet", "file readable by others"])
def test_held_token_is_kept_in_the_file_without_a_new_key(run, sim, held, token_file, case):
    if case == "token option, no file yet":
        token_file.unlink()
        args = {"token": held}
    else:
        token_file.chmod(0o644)
        args = {}

    out = run_key(run, path=str(token_file), **args)

    assert out.result["changed"] is True
    assert out.result["created"] is False
    assert out.result["changed_fields"] == ["token_file"]
    assert sim.writes() == []
    assert token_file.read_text(encoding="utf-8") == held + "\n"
    assert mode(token_file) == 0o600
    assert_hidden(out, held)


# --- present: a key is created ------------------------------------------------------------------------------------


def test_rejected_held_token_creates_a_key_and_writes_the_file(run, sim, tmp_path):
    token_file = tmp_path / "ai-optimizer.token"
    token_file.write_text(UNKNOWN + "\n", encoding="utf-8")
    token_file.chmod(0o644)

    out = run_key(run, path=str(token_file))

    assert not out.failed, out
    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert out.result["api_key"] == {"key": NEW_VIEW, "token_file": KEPT}
    token = out.result["token"]
    assert owner(sim, token) == sim.organization_id
    # The held token was tried (401), then the key was created with the task's own token.
    assert calls(sim) == [(VERIFY, UNKNOWN[-4:]), (CREATE, sim.token[-4:])]
    assert created_request(sim) == [
        ("POST", "/ai-optimizer/v1beta/organizations/%s/api-keys" % sim.organization_id, {}, sim.token[-4:])
    ]
    assert token_file.read_text(encoding="utf-8") == token + "\n"
    assert mode(token_file) == 0o600
    assert sorted(os.listdir(str(token_file.parent))) == [token_file.name]
    assert_only_in_token(out, token)
    assert_hidden(out, UNKNOWN, sim.token)


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_held_token_option_creates_a_key(run, sim, held, status):
    sim.fault(kind="status", status=status, path=r"api-keys:verify$")

    out = run_key(run, token=held)

    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert owner(sim, out.result["token"]) == sim.organization_id
    assert [r["status"] for r in sim.requests()] == [status, 200]
    assert len(sim.writes()) == 1
    assert_hidden(out, held)


@pytest.mark.parametrize("status", [500, 503, 429, 404])
def test_verify_failure_other_than_rejection_stops_without_creating(run, sim, held, token_file, status):
    # More faults than the client retries: the verify never gets an answer but this one.
    sim.fault(kind="status", status=status, path=r"api-keys:verify$", count=10)
    before = snapshot(token_file)

    out = run_key(run, path=str(token_file))

    assert out.failed
    assert out.result["changed"] is False
    assert out.result["msg"].startswith("verify the held token: HTTP %d" % status)
    assert out.result["failure"]["status"] == status
    assert sim.writes() == []
    assert {r["api_key_suffix"] for r in sim.requests()} == {held[-4:]}
    assert snapshot(token_file) == before
    assert_hidden(out, held)


def test_token_of_another_organization_is_replaced_with_a_warning(run, sim):
    other = sim.control("POST", "organizations", {})

    out = run_key(run, token=other["token"])

    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert owner(sim, out.result["token"]) == sim.organization_id
    assert created_request(sim)[0][1].endswith("/organizations/%s/api-keys" % sim.organization_id)
    assert any("another organization" in w for w in out.warnings)
    assert not any(other["token"] in w or other["organization_id"] in w for w in out.warnings)
    assert_hidden(out, other["token"])


def test_rotate_creates_even_when_the_held_token_verifies(run, sim, held, token_file):
    out = run_key(run, path=str(token_file), rotate=True, diff=True)

    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert out.result["changed_fields"] == ["token"]
    token = out.result["token"]
    assert token != held
    assert len(sim.writes()) == 1
    assert token_file.read_text(encoding="utf-8") == token + "\n"
    assert mode(token_file) == 0o600
    assert out.warnings == []
    # The held token still verified, and the diff says so.
    assert out.result["diff"] == {
        "before": {"state": "present", "key": HELD_VIEW, "token_file": KEPT},
        "after": {"state": "present", "key": NEW_VIEW, "token_file": KEPT},
    }
    assert_only_in_token(out, token)
    assert_hidden(out, held)


def test_without_token_or_path_every_run_creates_with_a_warning(run, sim):
    first = run_key(run)
    second = run_key(run)

    assert first.result["changed"] is True and first.result["created"] is True
    assert first.result["token"] != second.result["token"]
    assert owner(sim, second.result["token"]) == sim.organization_id
    assert [r["operation_id"] for r in sim.writes()] == [CREATE, CREATE]
    assert any("Neither token nor path" in w for w in first.warnings)
    assert "path" not in first.result
    assert first.result["api_key"] == {"key": NEW_VIEW, "token_file": "not managed"}


@pytest.mark.parametrize("case", ["no token, no path", "path", "rejected token"])
def test_changed_fields_of_a_create_is_token(run, sim, tmp_path, case):
    """RETURN documents changed_fields as [token] when a key was created (as rotate reports); the file is part of it.

    Fails while api_key reports ["token_file"] for every create, even without a path (see the report of the units
    rewrite): the core lists the set fields of HeldKey.desired(), whose only set field is token_file.
    """
    args = {"no token, no path": {}, "path": {"path": str(tmp_path / "token")}, "rejected token": {"token": UNKNOWN}}
    preview = run_key(run, check_mode=True, **args[case])
    out = run_key(run, **args[case])

    assert out.result["created"] is True
    assert out.result["changed_fields"] == preview.result["changed_fields"] == ["token"]


def test_held_token_with_surrounding_whitespace_is_the_same_token(run, sim, held):
    out = run_key(run, token="  %s \n" % held)

    assert not out.failed, out
    assert out.result["changed"] is False
    assert calls(sim) == [(VERIFY, held[-4:])]


@pytest.mark.parametrize("bad", ["hel\nd-tok", "hel d-tok", "hel\x01d-tok", "h\u00e9l-d-tok"])
def test_held_token_a_header_cannot_carry_fails_before_any_request(run, sim, tmp_path, bad):
    token_file = tmp_path / "token"
    token_file.write_text(bad + "\n", encoding="utf-8")
    before = snapshot(token_file)

    for args in ({"token": bad}, {"path": str(token_file)}):
        out = run_key(run, **args)

        assert out.failed
        assert out.result["changed"] is False
        assert "token" in out.result["msg"]
        assert "value is not shown" in out.result["msg"]
        assert_hidden(out, bad)
    assert sim.requests() == []
    assert snapshot(token_file) == before


def test_unreadable_token_file_fails_naming_path(run, sim, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_bytes(b"\xff\xfe not utf-8")

    out = run_key(run, path=str(token_file))

    assert out.failed
    assert out.result["msg"].startswith("path: cannot read %s" % token_file)
    assert sim.requests() == []


def test_organization_comes_from_the_admin_token_when_not_given(run, sim):
    out = run_key(run, organization_id=None)

    assert out.result["organization_id"] == sim.organization_id
    assert calls(sim) == [(VERIFY, sim.token[-4:]), (CREATE, sim.token[-4:])]


def test_created_token_is_in_the_result_and_survives_no_log_masking(run, sim, held, token_file):
    out = run_key(run, path=str(token_file), rotate=True)

    token = out.result["token"]
    assert token not in out.module.no_log_values
    # What the real exit_json sends back after hiding no_log values still carries the new token.
    assert remove_values(out.result, out.module.no_log_values)["token"] == token
    assert sim.token in out.module.no_log_values and held in out.module.no_log_values


def test_write_failure_after_create_still_returns_the_token(run, sim, tmp_path, monkeypatch):
    def broken_write(path, token):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(api_key, "write_token_file", broken_write)
    path = tmp_path / "token"

    out = run_key(run, path=str(path))

    assert out.failed
    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert owner(sim, out.result["token"]) == sim.organization_id
    assert out.result["msg"].startswith("created an API key, then path: cannot write %s" % path)
    assert "No space left on device" in out.result["msg"]
    assert "store it now" in out.result["msg"]
    assert len(sim.writes()) == 1
    assert_only_in_token(out, out.result["token"])


def test_create_failure_is_reported(run, sim, tmp_path):
    sim.fault(kind="status", status=403, method="POST", path=r"/api-keys$")
    path = tmp_path / "token"

    out = run_key(run, path=str(path))

    assert out.failed
    assert out.result["changed"] is False
    assert out.result["msg"].startswith("create an API key: HTTP 403 PERMISSION_DENIED")
    assert out.result["failure"]["status"] == 403
    assert not path.exists()


def test_create_answer_without_token_fails(run_module, api_server):
    # The simulator always answers a token; only a scripted answer can leave it out.
    api_server.reply(200, {"id": "key-1"})
    out = run_module(
        api_key.main,
        {
            "api_url": api_server.url,
            "api_token": "scripted-admin-token",
            "organization_id": "11111111-1111-4111-8111-111111111111",
        },
    )

    assert out.failed
    assert "the API answer has no token" in out.result["msg"]
    # The key exists now, orphaned: the task says a key was created.
    assert out.result["changed"] is True
    assert out.result["msg"].startswith("created an API key, then ")
    assert [r.method for r in api_server.requests] == ["POST"]


# --- check mode and convergence -------------------------------------------------------------------------------------


def test_check_mode_creates_nothing_and_writes_nothing(run, sim, tmp_path):
    path = tmp_path / "token"

    out = run_key(run, path=str(path), check_mode=True)

    assert out.result["changed"] is True
    assert out.result["created"] is True
    assert "token" not in out.result
    assert sim.writes() == []
    assert not path.exists()
    assert os.listdir(str(tmp_path)) == []


def test_check_mode_with_rejected_token_file_keeps_the_file(run, sim, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(UNKNOWN + "\n", encoding="utf-8")
    before = snapshot(token_file)

    out = run_key(run, path=str(token_file), check_mode=True)

    assert out.result["changed"] is True
    assert sim.writes() == []
    assert snapshot(token_file) == before
    assert_hidden(out, UNKNOWN)


def test_check_mode_with_a_verified_token_reports_no_change(run, sim, held, token_file):
    out = run_key(run, path=str(token_file), check_mode=True)

    assert out.result["changed"] is False
    assert calls(sim) == [(VERIFY, held[-4:])]


def test_check_mode_predicts_the_real_run_and_a_rerun_creates_nothing(run, sim, tmp_path):
    path = str(tmp_path / "token")

    preview = run_key(run, path=path, check_mode=True)
    real = run_key(run, path=path)
    assert (preview.result["changed"], real.result["changed"]) == (True, True)
    assert preview.result["changed_fields"] == real.result["changed_fields"]
    assert preview.result["api_key"] == real.result["api_key"]

    sim.control("DELETE", "requests")
    check_again = run_key(run, path=path, check_mode=True)
    again = run_key(run, path=path)
    assert (check_again.result["changed"], again.result["changed"]) == (False, False)
    assert again.result["created"] is False and "token" not in again.result
    assert sim.writes() == []
    assert_hidden(again, real.result["token"])


# --- local input judged before any request --------------------------------------------------------------------------


def test_missing_directory_fails_before_any_request(run, sim, tmp_path):
    out = run_key(run, organization_id=None, path=str(tmp_path / "nope" / "token"))

    assert out.failed
    assert out.result["msg"].startswith("path: ")
    assert "does not exist" in out.result["msg"]
    assert sim.requests() == []


def test_path_that_is_a_directory_fails_before_any_request(run, sim, tmp_path):
    out = run_key(run, organization_id=None, path=str(tmp_path))

    assert out.failed
    assert out.result["msg"].startswith("path: ")
    assert "is a directory" in out.result["msg"]
    assert sim.requests() == []


# --- diff -----------------------------------------------------------------------------------------------------------


def test_diff_never_shows_a_token(run, sim, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(UNKNOWN + "\n", encoding="utf-8")

    out = run_key(run, path=str(token_file), diff=True)

    assert out.result["diff"] == {
        "before": {"state": "absent"},
        "after": {"state": "present", "key": NEW_VIEW, "token_file": KEPT},
    }
    text = repr(out.result["diff"])
    assert UNKNOWN not in text and out.result["token"] not in text and sim.token not in text


def test_no_diff_without_diff_mode(run, sim, tmp_path):
    path = str(tmp_path / "token")
    assert "diff" not in run_key(run, path=path).result
    assert "diff" not in run_key(run, path=path, state="absent").result


# --- absent -------------------------------------------------------------------------------------------------------


def test_absent_removes_the_file_and_warns(run, sim, held, token_file):
    out = run_key(run, state="absent", path=str(token_file), diff=True)

    assert not out.failed, out
    assert out.result["changed"] is True
    assert out.result["created"] is False
    assert out.result["changed_fields"] == []
    assert out.result["api_key"] is None
    assert out.result["diff"] == {
        "before": {"state": "present", "key": None, "token_file": KEPT},
        "after": {"state": "absent"},
    }
    assert not token_file.exists()
    assert any("still exists" in w for w in out.warnings)
    assert sim.requests() == []
    assert_hidden(out, held)


def test_absent_in_check_mode_keeps_the_file(run, sim, token_file):
    before = snapshot(token_file)

    out = run_key(run, state="absent", path=str(token_file), check_mode=True)

    assert out.result["changed"] is True
    assert snapshot(token_file) == before
    assert sim.requests() == []


def test_absent_with_missing_file_changes_nothing(run, sim, tmp_path):
    out = run_key(run, state="absent", path=str(tmp_path / "token"), diff=True)

    assert out.result["changed"] is False
    assert out.result["diff"] == {"before": {"state": "absent"}, "after": {"state": "absent"}}
    assert sim.requests() == []


def test_absent_without_path_warns_and_changes_nothing(run, sim):
    out = run_key(run, state="absent")

    assert not out.failed, out
    assert out.result["changed"] is False
    assert out.result["organization_id"] == sim.organization_id
    assert "path" not in out.result
    assert any("cannot delete API keys" in w for w in out.warnings)
    assert sim.requests() == []
