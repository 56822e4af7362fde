"""Simulator: settings, API key settings, budgets, hosted model fields, request log redaction and reset."""

DEFAULTS = {"routingEnabled": True, "promptSharingEnabled": False, "routerQualityWeight": 0.5}
CUSTOM = {"routingEnabled": False, "promptSharingEnabled": True, "routerQualityWeight": 0.9}


def test_settings_defaults_and_update(api):
    path = f"organizations/{api.org}/settings"
    assert api.get(path).json() == DEFAULTS
    changed = {"routingEnabled": False, "promptSharingEnabled": True, "routerQualityWeight": 0.2}
    assert api.patch(path, json=changed).json() == changed
    assert api.get(path).json() == changed
    out_of_range = api.patch(path, json=dict(changed, routerQualityWeight=1.5))
    assert out_of_range.status_code == 400
    assert out_of_range.json()["fieldViolations"][0]["field"] == "routerQualityWeight"


def test_key_settings_crud_and_resolve_precedence(api, sim, make_api):
    key = sim.control("POST", "api-keys", {})
    key_api = make_api(key["token"], api.org)
    path = f"organizations/{api.org}/api-key-settings/{key['api_key_id']}"
    assert api.get(path).status_code == 404
    assert key_api.get(f"organizations/{api.org}/settings:resolve").json() == {"settings": DEFAULTS}
    upserted = api.put(path, json=CUSTOM)
    assert upserted.json() == {"apiKeyId": key["api_key_id"], "settings": CUSTOM}
    assert api.get(path).json()["settings"] == CUSTOM
    assert key_api.get(f"organizations/{api.org}/settings:resolve").json() == {"settings": CUSTOM}
    # the calling key decides: the default key still resolves to the organization's settings
    assert api.get(f"organizations/{api.org}/settings:resolve").json() == {"settings": DEFAULTS}
    assert api.delete(path).status_code == 200
    assert api.delete(path).status_code == 404
    assert key_api.get(f"organizations/{api.org}/settings:resolve").json() == {"settings": DEFAULTS}
    assert api.put(f"organizations/{api.org}/api-key-settings/unknown-key", json=CUSTOM).status_code == 404


def test_budget_lifecycle_and_usage(api, sim):
    key_id = sim.control("POST", "api-keys:lookup", {"token": sim.token})["api_key_id"]
    path = f"organizations/{api.org}/api-keys/{key_id}/budget"
    assert api.get(path).status_code == 404
    assert api.patch(path, json={"budgetLimitUsd": "50.00"}).json() == {
        "apiKeyId": key_id,
        "organizationId": api.org,
        "budgetLimitUsd": "50",
        "totalSpendUsd": "0",
        "usagePct": "0",
        "exhausted": False,
    }
    sim.control("POST", f"budgets/{key_id}", {"total_spend_usd": "12.5"})
    budget = api.get(path).json()
    assert (budget["totalSpendUsd"], budget["usagePct"], budget["exhausted"]) == ("12.5", "25", False)
    sim.control("POST", f"budgets/{key_id}", {"total_spend_usd": "60"})
    assert api.get(path).json()["exhausted"] is True
    unlimited = api.patch(path, json={"budgetLimitUsd": "0"}).json()
    assert (unlimited["usagePct"], unlimited["exhausted"]) == ("0", False)
    for bad in ("abc", "-1", "NaN"):
        answer = api.patch(path, json={"budgetLimitUsd": bad})
        assert answer.status_code == 400, bad
        assert answer.json()["fieldViolations"][0]["field"] == "budgetLimitUsd"
    assert api.delete(path).status_code == 200
    assert api.get(path).status_code == 404
    assert api.get(f"organizations/{api.org}/api-keys/unknown/budget").status_code == 404


def test_create_fills_server_fields_and_hides_the_hugging_face_token(api):
    model = api.create_model(vllmConfig={"huggingFaceToken": "hf_very_secret"}, nodeTemplateName="gpu")
    assert model["organizationId"] == api.org
    assert model["clusterId"] == "cluster-1"
    assert model["namespace"] == "castai-llms"
    assert model["model"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert isinstance(model["requiredGpuMemoryMib"], str)
    assert model["createTime"].endswith("Z")
    assert model["vllmConfig"] == {}
    assert "hf_very_secret" not in api.get(api.models_path()).text


def test_duplicate_service_is_409(api):
    api.create_model(service="dup")
    answer = api.post(
        api.models_path(), json={"modelSpecsId": "x", "service": "dup", "port": 80, "clusterId": "cluster-1"}
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == 6
    other_cluster = api.post(
        api.models_path("cluster-2"), json={"modelSpecsId": "x", "service": "dup", "port": 80, "clusterId": "cluster-2"}
    )
    assert other_cluster.status_code == 200


def test_update_keeps_omitted_fields_and_ignores_fixed_ones(api):
    fallback = {"enabled": True, "providerId": "p", "model": "m"}
    model = api.create_model(nodeTemplateName="gpu", fallback=fallback, edgeLocations={"ids": ["e1"]})
    answer = api.patch(f"{api.models_path()}/{model['id']}", json={"edgeLocations": {"ids": ["e2"]}})
    assert answer.status_code == 200
    updated = api.model(model["id"])
    assert updated["edgeLocations"] == {"ids": ["e2"]}
    assert updated["nodeTemplateName"] == "gpu"
    assert updated["fallback"] == fallback
    assert updated["service"] == model["service"]
    assert updated["port"] == 8080


def test_request_log_redacts_secrets_and_skips_control(api, sim):
    sim.control("DELETE", "requests")
    api.create_model(vllmConfig={"huggingFaceToken": "hf_very_secret"})
    api.get(api.models_path(), params={"page.limit": "5"})
    log = sim.control("GET", "requests")
    assert [entry["method"] for entry in log] == ["POST", "GET"]
    assert log[0]["body"]["vllmConfig"] == {"huggingFaceToken": "***"}
    assert log[0]["status"] == 200
    assert log[0]["api_key_suffix"] == sim.token[-4:]
    assert log[1]["query"] == {"page.limit": "5"}
    assert log[1]["body"] is None
    assert "hf_very_secret" not in str(log)


def test_reset_restores_the_start_state(api, sim):
    api.create_model()
    sim.control("POST", "organizations", {})
    sim.control("POST", "config", {"transition_seconds": 9})
    sim.control("POST", "faults", {"kind": "slow", "count": 3})
    answer = sim.control("POST", "reset")
    assert answer["token"] == sim.token
    assert api.get(api.models_path()).json()["items"] == []
    assert len(sim.control("GET", "api-keys")) == 1
    assert sim.control("GET", "config")["transition_seconds"] == 0.05
    assert sim.control("GET", "faults") == []
    assert len(sim.control("GET", "requests")) == 1
