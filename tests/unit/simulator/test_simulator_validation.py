"""Simulator: spec validation of requests and responses, business-rule validation and error bodies."""

from simulator import app as app_module


def test_invalid_body_is_rejected_by_the_spec(api):
    answer = api.post(api.models_path(), json={"service": "x", "port": "not-a-number", "clusterId": "cluster-1"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == 3
    assert body["details"] == []
    assert body["message"].startswith("Request body validation error")
    fields = {violation["field"] for violation in body["fieldViolations"]}
    assert fields == {"port", "modelSpecsId"}
    assert api.get(api.models_path()).json()["totalCount"] == 0


def test_settings_update_needs_all_three_fields(api):
    answer = api.patch(f"organizations/{api.org}/settings", json={"routingEnabled": False})
    assert answer.status_code == 400
    assert {violation["field"] for violation in answer.json()["fieldViolations"]} == {
        "promptSharingEnabled",
        "routerQualityWeight",
    }
    assert api.get(f"organizations/{api.org}/settings").json()["routingEnabled"] is True


def test_invalid_json_and_query_enum_are_400(api):
    answer = api.post("api-keys:verify", data="{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["code"] == 3
    answer = api.get(api.models_path(), params={"sort.order": "sideways"})
    assert answer.status_code == 400
    assert answer.json()["fieldViolations"][0]["field"] == "sort.order"


def test_negative_replicas_rejected_by_the_spec(api):
    model = api.create_model()
    body = {"organizationId": api.org, "clusterId": "cluster-1", "id": model["id"], "replicas": -1}
    answer = api.post(f"{api.models_path()}/{model['id']}:scale", json=body)
    assert answer.status_code == 400
    assert answer.json()["fieldViolations"] == [
        {"field": "replicas", "description": "-1 is less than the minimum of 0"}
    ]


def test_business_validation_has_field_violations(api):
    autoscaling = {
        "enabled": True,
        "minReplicas": 3,
        "maxReplicas": 2,
        "targetMetric": "GPU_CACHE_USAGE_PERCENTAGE",
        "targetValue": 0.8,
    }
    body = {
        "modelSpecsId": "m",
        "service": "Bad_Name",
        "port": 8080,
        "clusterId": "cluster-1",
        "horizontalAutoscaling": autoscaling,
    }
    answer = api.post(api.models_path(), json=body)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == 3
    fields = [violation["field"] for violation in body["fieldViolations"]]
    assert fields == ["service", "horizontalAutoscaling.minReplicas"]
    assert "must not exceed maxReplicas (2)" in body["message"]


def test_cluster_in_body_must_match_path(api):
    answer = api.post(api.models_path(), json={"modelSpecsId": "m", "service": "a", "port": 80, "clusterId": "other"})
    assert answer.status_code == 400
    assert answer.json()["fieldViolations"][0]["field"] == "clusterId"


def test_response_not_matching_spec_becomes_500(api, monkeypatch, capsys):
    monkeypatch.setitem(app_module.HANDLERS, "APIKeysAPIVerifyAPIKey", lambda call: {"organizationId": 42})
    answer = api.post("api-keys:verify", json={})
    assert answer.status_code == 500
    body = answer.json()
    assert body["code"] == 13
    assert body["message"].startswith("simulator: response does not match spec: ")
    assert "organizationId" in body["message"]
    assert "does not match the spec" in capsys.readouterr().err


def test_error_bodies_pass_response_validation(api):
    # a 404 Status with the simulator's own shape is accepted by the response validator (no 500)
    answer = api.get(f"{api.models_path()}/nope/pods")
    assert answer.status_code == 404
    assert answer.json() == {"code": 5, "message": "hosted model nope not found", "details": []}


def test_handler_crash_becomes_500_status(api, monkeypatch, capsys):
    def crash(call):
        raise KeyError("boom")

    monkeypatch.setitem(app_module.HANDLERS, "SettingsAPIGetSettings", crash)
    answer = api.get(f"organizations/{api.org}/settings")
    assert answer.status_code == 500
    assert answer.json()["code"] == 13
    assert "KeyError" in capsys.readouterr().err
