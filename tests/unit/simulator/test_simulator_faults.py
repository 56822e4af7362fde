"""Simulator: injected faults (status with Retry-After, slow, connection reset, malformed JSON) and their matching."""

import json
import time
import urllib.error

import pytest
import requests


def settings_path(api):
    return f"organizations/{api.org}/settings"


def test_status_fault_for_next_n_requests(api, sim):
    sim.control("POST", "faults", {"kind": "status", "status": 503, "count": 2})
    answers = [api.get(settings_path(api)) for attempt in range(3)]
    assert [answer.status_code for answer in answers] == [503, 503, 200]
    assert answers[0].json() == {"code": 14, "message": "simulated fault: HTTP 503", "details": []}
    assert [entry["fault"] for entry in sim.control("GET", "requests")] == ["status", "status", None]


def test_429_with_retry_after(api, sim):
    sim.control("POST", "faults", {"kind": "status", "status": 429, "retry_after": 1})
    answer = api.get(settings_path(api))
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["code"] == 8


def test_fault_matches_method_and_path(api, sim):
    sim.control(
        "POST", "faults", {"kind": "status", "status": 500, "method": "PATCH", "path": r"/settings$", "count": 5}
    )
    assert api.get(settings_path(api)).status_code == 200
    assert api.post("api-keys:verify", json={}).status_code == 200
    body = {"routingEnabled": True, "promptSharingEnabled": False, "routerQualityWeight": 0.5}
    assert api.patch(settings_path(api), json=body).status_code == 500
    assert sim.control("GET", "faults")[0]["remaining"] == 4
    sim.control("DELETE", "faults")
    assert api.patch(settings_path(api), json=body).status_code == 200


def test_slow_fault_delays_then_answers(api, sim):
    sim.control("POST", "faults", {"kind": "slow", "delay": 0.3})
    started = time.monotonic()
    answer = api.get(settings_path(api))
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200
    sim.control("POST", "faults", {"kind": "slow", "delay": 0.4})
    with pytest.raises(requests.Timeout):
        api.get(settings_path(api), timeout=0.1)
    time.sleep(0.4)  # let the slow answer finish before the next test resets the log


def test_reset_fault_drops_the_connection(api, sim):
    sim.control("POST", "faults", {"kind": "reset"})
    with pytest.raises(requests.ConnectionError):
        api.get(settings_path(api))
    assert api.get(settings_path(api)).status_code == 200
    assert sim.control("GET", "requests")[0]["status"] is None


def test_malformed_json_fault(api, sim):
    sim.control("POST", "faults", {"kind": "malformed_json"})
    answer = api.get(api.models_path())
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)


def test_bad_fault_definitions_are_refused(sim):
    for payload in (
        {"kind": "explode"},
        {"kind": "status", "status": 200},
        {"kind": "status", "path": "("},
        {"kind": "slow", "count": 0},
    ):
        with pytest.raises(urllib.error.HTTPError) as raised:
            sim.control("POST", "faults", payload)
        assert raised.value.code == 400, payload
    assert sim.control("GET", "faults") == []
