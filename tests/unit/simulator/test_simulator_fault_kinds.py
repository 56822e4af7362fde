"""Simulator: the fault kinds a fault-matrix suite needs, each checked on the wire and in the request log, with and without the
operation performed first."""

import json
import socket
import time
import urllib.error
from urllib.parse import urlsplit

import pytest
import requests

SETTINGS = {"routingEnabled": False, "promptSharingEnabled": True, "routerQualityWeight": 0.9}
DEFAULTS = {"routingEnabled": True, "promptSharingEnabled": False, "routerQualityWeight": 0.5}


def settings_path(api):
    return f"organizations/{api.org}/settings"


def create_body(service="llama"):
    return {
        "modelSpecsId": "meta-llama/Llama-3.1-8B-Instruct",
        "service": service,
        "port": 8080,
        "clusterId": "cluster-1",
    }


def raw_exchange(sim, method, path, body=None, token=None):
    """Send one request on a plain socket and read until the server closes: (status line, headers, body bytes)."""
    address = urlsplit(sim.url)
    payload = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} /ai-optimizer/v1beta/{path} HTTP/1.1\r\nHost: {address.netloc}\r\nX-API-Key: {token or sim.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(head + payload)
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
    header_block, content = received.split(b"\r\n\r\n", 1)
    lines = header_block.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, value in (line.split(":", 1) for line in lines[1:])}
    return lines[0], headers, content


def last_entry(sim):
    return sim.control("GET", "requests")[-1]


@pytest.mark.parametrize(
    "given, sent",
    [
        (7, "7"),
        (1.2, "2"),
        ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("soon", "soon"),
        ("-5", "-5"),
        ("1.5", "1.5"),
        (86400 * 365, "31536000"),
        ("99999999999999999999", "99999999999999999999"),
    ],
)
def test_retry_after_is_sent_as_given(api, sim, given, sent):
    sim.control("POST", "faults", {"kind": "status", "status": 429, "retry_after": given})
    answer = api.get(settings_path(api))
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == sent
    assert answer.json()["code"] == 8


def test_status_fault_with_apply_acts_then_answers_the_error(api, sim):
    sim.control("POST", "faults", {"kind": "status", "status": 502, "apply": True, "method": "PATCH"})
    assert api.patch(settings_path(api), json=SETTINGS).status_code == 502
    entry = last_entry(sim)
    assert (entry["fault"], entry["status"], entry["applied"], entry["operation_status"]) == ("status", 502, True, 200)
    assert api.get(settings_path(api)).json() == SETTINGS


def test_status_fault_without_apply_changes_nothing(api, sim):
    sim.control("POST", "faults", {"kind": "status", "status": 503, "method": "PATCH"})
    assert api.patch(settings_path(api), json=SETTINGS).status_code == 503
    entry = last_entry(sim)
    assert (entry["applied"], entry["operation_status"], entry["operation_id"]) == (
        False,
        None,
        "SettingsAPIUpdateSettings",
    )
    assert api.get(settings_path(api)).json() == DEFAULTS


def test_reset_after_creates_then_drops_the_answer(api, sim):
    sim.control("POST", "faults", {"kind": "reset_after", "method": "POST", "path": "hosted-models$"})
    with pytest.raises(requests.ConnectionError):
        api.post(api.models_path(), json=create_body())
    entry = last_entry(sim)
    assert (entry["fault"], entry["status"], entry["applied"], entry["operation_status"]) == (
        "reset_after",
        None,
        True,
        200,
    )
    assert [model["service"] for model in api.get(api.models_path()).json()["items"]] == ["llama"]


def test_reset_before_acting_creates_nothing(api, sim):
    sim.control("POST", "faults", {"kind": "reset", "method": "POST"})
    with pytest.raises(requests.ConnectionError):
        api.post(api.models_path(), json=create_body())
    entry = last_entry(sim)
    assert (entry["fault"], entry["status"], entry["applied"]) == ("reset", None, False)
    assert api.get(api.models_path()).json()["items"] == []


def test_slow_with_apply_acts_before_the_late_answer(api, sim):
    sim.control("POST", "faults", {"kind": "slow", "delay": 0.5, "apply": True, "method": "PATCH"})
    with pytest.raises(requests.Timeout):
        api.patch(settings_path(api), json=SETTINGS, timeout=0.2)
    # the client gave up, but the server had already acted
    assert api.get(settings_path(api)).json() == SETTINGS
    time.sleep(0.4)  # the late answer is sent and logged
    patches = [entry for entry in sim.control("GET", "requests") if entry["method"] == "PATCH"]
    assert [(entry["fault"], entry["applied"]) for entry in patches] == [("slow", True)]


def test_slow_without_apply_acts_only_after_the_delay(api, sim):
    sim.control("POST", "faults", {"kind": "slow", "delay": 0.5, "method": "PATCH"})
    with pytest.raises(requests.Timeout):
        api.patch(settings_path(api), json=SETTINGS, timeout=0.2)
    assert api.get(settings_path(api)).json() == DEFAULTS
    time.sleep(0.5)
    assert api.get(settings_path(api)).json() == SETTINGS


@pytest.mark.parametrize("status", [200, 502])
def test_html_page(api, sim, status):
    sim.control("POST", "faults", {"kind": "html", "status": status})
    answer = api.get(settings_path(api))
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.text.startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError):
        answer.json()


def test_html_defaults_to_502_and_can_apply_with_retry_after(api, sim):
    sim.control("POST", "faults", {"kind": "html", "apply": True, "retry_after": "3", "method": "PATCH"})
    answer = api.patch(settings_path(api), json=SETTINGS)
    assert (answer.status_code, answer.headers["Retry-After"]) == (502, "3")
    assert "502 Bad Gateway" in answer.text
    assert last_entry(sim)["applied"] is True
    assert api.get(settings_path(api)).json() == SETTINGS


def test_truncated_promises_more_than_it_sends_then_closes(sim):
    sim.control("POST", "faults", {"kind": "truncated"})
    status_line, headers, content = raw_exchange(sim, "GET", f"organizations/{sim.organization_id}/settings")
    assert status_line.startswith("HTTP/1.1 200")
    assert headers["content-type"] == "application/json"
    assert 0 < len(content) < int(headers["content-length"])
    with pytest.raises(ValueError):
        json.loads(content)
    assert last_entry(sim)["applied"] is False


def test_truncated_after_applying_cuts_the_real_answer(api, sim):
    sim.control("POST", "faults", {"kind": "truncated", "apply": True, "method": "POST"})
    with pytest.raises(requests.RequestException):  # urllib3 reports the short body
        api.post(api.models_path(), json=create_body()).json()
    _status, headers, content = raw_exchange(sim, "GET", api.models_path())  # a normal answer now: complete
    assert int(headers["content-length"]) == len(content)
    created = json.loads(content)["items"]
    assert [model["service"] for model in created] == ["llama"]
    entries = sim.control("GET", "requests")
    assert (entries[0]["fault"], entries[0]["applied"], entries[0]["status"]) == ("truncated", True, 200)


def test_truncated_real_answer_is_a_prefix_of_it(sim):
    sim.control("POST", "faults", {"kind": "truncated", "apply": True})
    _status, headers, content = raw_exchange(sim, "GET", f"organizations/{sim.organization_id}/settings")
    assert json.dumps(DEFAULTS).encode().startswith(content)
    assert int(headers["content-length"]) == len(json.dumps(DEFAULTS))


@pytest.mark.parametrize("apply", [False, True])
def test_empty_answer(api, sim, apply):
    sim.control("POST", "faults", {"kind": "empty", "apply": apply, "method": "PATCH"})
    answer = api.patch(settings_path(api), json=SETTINGS)
    assert (answer.status_code, answer.content, answer.headers["Content-Length"]) == (200, b"", "0")
    assert last_entry(sim)["applied"] is apply
    assert api.get(settings_path(api)).json() == (SETTINGS if apply else DEFAULTS)


@pytest.mark.parametrize(
    "value",
    [
        [],
        None,
        "a string",
        42,
        {"items": {}},
        {"items": [], "nextPageCursor": {"offset": 1}},
        {"items": [{"service": "no-id"}], "totalCount": 1},
        {"items": [{"id": "x"}], "nextPageCursor": 7},
    ],
)
def test_body_answers_the_given_json(api, sim, value):
    sim.control("POST", "faults", {"kind": "body", "body": value})
    answer = api.get(api.models_path())
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == value


def test_body_after_applying_a_create_loses_the_token(api, sim):
    keys_before = len(sim.control("GET", "api-keys"))
    sim.control(
        "POST",
        "faults",
        {"kind": "body", "apply": True, "body": {"token": 12345}, "operation_id": "APIKeysAPICreateAPIKey"},
    )
    answer = api.post(f"organizations/{api.org}/api-keys", json={})
    assert answer.json() == {"token": 12345}
    assert len(sim.control("GET", "api-keys")) == keys_before + 1  # the key was minted all the same
    entry = last_entry(sim)
    assert (entry["fault"], entry["applied"], entry["operation_status"]) == ("body", True, 200)


def test_body_with_an_error_status_and_no_code(api, sim):
    sim.control("POST", "faults", {"kind": "body", "status": 500, "body": {"error": "upstream exploded"}})
    answer = api.get(settings_path(api))
    assert (answer.status_code, answer.json()) == (500, {"error": "upstream exploded"})


def test_malformed_json_can_apply(api, sim):
    sim.control("POST", "faults", {"kind": "malformed_json", "apply": True, "method": "PATCH"})
    answer = api.patch(settings_path(api), json=SETTINGS)
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()
    assert api.get(settings_path(api)).json() == SETTINGS


def test_fault_by_operation_id(api, sim):
    sim.control(
        "POST", "faults", {"kind": "status", "status": 500, "operation_id": "SettingsAPIUpdateSettings", "count": 2}
    )
    assert api.get(settings_path(api)).status_code == 200
    assert api.patch(settings_path(api), json=SETTINGS).status_code == 500
    assert sim.control("GET", "faults")[0]["remaining"] == 1


def test_log_marks_applied_for_plain_requests(api, sim):
    api.get(settings_path(api))
    api.get(f"organizations/{api.org}/api-key-settings/unknown")
    api.get("no-such-path")
    entries = sim.control("GET", "requests")
    assert [(entry["applied"], entry["operation_status"], entry["fault"]) for entry in entries] == [
        (True, 200, None),
        (False, 404, None),
        (False, 404, None),
    ]
    assert entries[2]["operation_id"] is None


def test_described_fault_echoes_its_parameters(sim):
    described = sim.control(
        "POST", "faults", {"kind": "body", "body": {"items": {}}, "apply": True, "method": "GET", "path": "x$"}
    )
    assert described == {
        "kind": "body",
        "remaining": 1,
        "method": "GET",
        "path": "x$",
        "operation_id": None,
        "status": 200,
        "retry_after": None,
        "delay": 1.0,
        "apply": True,
        "body": {"items": {}},
    }
    assert sim.control("POST", "faults", {"kind": "reset_after"})["apply"] is True


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "status", "retry-after": 1},  # unknown field (a typo)
        {"kind": "status", "delay": 1},  # a field the kind ignores
        {"kind": "status", "body": {}},
        {"kind": "empty", "retry_after": 1},
        {"kind": "reset", "apply": True},
        {"kind": "reset_after", "apply": False},
        {"kind": "html", "status": 100},
        {"kind": "status", "status": 302},
        {"kind": "status", "retry_after": "a\r\nX-Injected: 1"},
        {"kind": "status", "retry_after": -1},
        {"kind": "status", "retry_after": True},
        {"kind": "body", "apply": "yes"},
        {"kind": "status", "operation_id": "NoSuchOperation"},
        {"kind": "slow", "delay": -1},
    ],
)
def test_bad_fault_definitions_are_refused(sim, payload):
    with pytest.raises(urllib.error.HTTPError) as raised:
        sim.control("POST", "faults", payload)
    assert raised.value.code == 400
    assert sim.control("GET", "faults") == []
