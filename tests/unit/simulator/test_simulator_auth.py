"""Simulator: authentication, organization isolation, API keys and routing errors."""

import requests


def test_missing_and_unknown_token_get_401(api):
    url = api.url(f"organizations/{api.org}/settings")
    for headers in ({}, {"X-API-Key": "not-a-token"}, {"Authorization": "Bearer not-a-token"}):
        answer = requests.get(url, headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.json() == {"code": 16, "message": "invalid or missing API key", "details": []}


def test_bearer_token_is_accepted(api):
    answer = requests.post(
        api.url("api-keys:verify"), json={}, headers={"Authorization": f"Bearer {api.server.token}"}, timeout=10
    )
    assert answer.status_code == 200
    assert answer.json() == {"organizationId": api.org}


def test_other_organization_is_forbidden(api, sim, make_api):
    other = sim.control("POST", "organizations", {"organization_id": "org-other"})
    for path in (
        "organizations/org-other/settings",
        "organizations/org-other/clusters/c/hosted-models",
        "organizations/org-other:generateAnalyticsReport",
    ):
        answer = api.get(path)
        assert answer.status_code == 403, path
        assert answer.json()["code"] == 7
        assert answer.json()["message"] == "permission denied for organization org-other"
    other_api = make_api(other["token"], "org-other")
    assert other_api.get(f"organizations/{api.org}/settings").status_code == 403
    assert other_api.get("organizations/org-other/settings").status_code == 200


def test_models_are_invisible_to_other_organizations(api, sim, make_api):
    api.create_model(service="mine")
    other = sim.control("POST", "organizations", {})
    other_api = make_api(other["token"], other["organization_id"])
    assert other_api.get(other_api.models_path()).json()["items"] == []
    assert len(api.get(api.models_path()).json()["items"]) == 1


def test_created_key_verifies_and_is_counted(api, sim):
    before = sim.control("GET", "api-keys")
    answer = api.post(f"organizations/{api.org}/api-keys", json={})
    assert answer.status_code == 200
    assert list(answer.json()) == ["token"]
    token = answer.json()["token"]
    after = sim.control("GET", "api-keys")
    assert len(after) == len(before) + 1
    assert after[-1]["token_suffix"] == token[-4:]
    verify = requests.post(api.url("api-keys:verify"), json={}, headers={"X-API-Key": token}, timeout=10)
    assert verify.json() == {"organizationId": api.org}
    lookup = sim.control("POST", "api-keys:lookup", {"token": token})
    assert lookup == {"api_key_id": after[-1]["api_key_id"], "organization_id": api.org}


def test_default_key_has_an_id(sim):
    lookup = sim.control("POST", "api-keys:lookup", {"token": sim.token})
    assert lookup["organization_id"] == sim.organization_id
    assert len(lookup["api_key_id"]) == 36


def test_verify_without_body_is_rejected_by_the_spec(api):
    answer = api.post("api-keys:verify")
    assert answer.status_code == 400
    assert answer.json()["code"] == 3
    assert "request body" in answer.json()["message"].lower()


def test_unknown_path_unimplemented_operation_and_wrong_method(api):
    unknown = api.get("no-such-thing")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == 5
    outside = requests.get(f"{api.server.url}/elsewhere", timeout=10)
    assert outside.status_code == 404
    unimplemented = api.get(f"organizations/{api.org}/subscription")
    assert unimplemented.status_code == 501
    assert unimplemented.json()["code"] == 12
    wrong_method = api.put(f"organizations/{api.org}/settings", json={})
    assert wrong_method.status_code == 405


def test_colon_paths_route_to_their_own_operation(api):
    model = api.create_model()
    path = f"{api.models_path()}/{model['id']}:scale"
    body = {"organizationId": api.org, "clusterId": "cluster-1", "id": model["id"], "replicas": 2}
    answer = api.post(path, json=body)
    # scale is refused while DEPLOYING: proves the :scale operation answered, not a 405 from the {id} path
    assert answer.status_code == 400
    assert answer.json()["code"] == 9
    log = api.server.control("GET", "requests")
    assert log[-1]["operation_id"] == "HostedModelsAPIScaleHostedModel"
