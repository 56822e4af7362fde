"""Simulator: the model catalog — predefined and private model specs, model registries, their lifecycles and control endpoints."""

import time
import urllib.error

import pytest
from simulator.ops_catalog import DEFAULT_DIRECTORIES, PREDEFINED_SPECS

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
LLAMA_SPEC_ID = "facf0831-08d4-5e19-b6d5-bcd2f17b0252"
CREDENTIALS = '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----sekrit-registry-key"}'


def specs_path(api):
    return f"organizations/{api.org}/model-specs"


def registries_path(api):
    return f"organizations/{api.org}/model-registries"


def gcs(bucket="weights", prefix="models/"):
    return {"type": "GCS", "gcs": {"bucket": bucket, "prefix": prefix}}


def create_registry(api, provider=None, **extra):
    answer = api.post(registries_path(api), json={"provider": provider or gcs(), **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()


def hugging_face_spec(model="my-org/custom-7b"):
    return {
        "model": model,
        "registryType": "HUGGING_FACE",
        "huggingFace": {"modelName": model, "termsAndConditions": {"acceptanceRequired": False}},
    }


def private_spec(registry_id, base="llama-3-8b-ft", model="my-llama"):
    return {
        "model": model,
        "registryType": "PRIVATE",
        "privateRegistry": {"registryId": registry_id, "baseModelId": base},
    }


def create_spec(api, body):
    answer = api.post(specs_path(api), json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def all_items(api, path, **params):
    items, cursor, pages = [], None, 0
    while True:
        answer = api.get(path, params=dict(params, **({"page.cursor": cursor} if cursor else {})))
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        pages += 1
        cursor = answer.json().get("nextPageCursor")
        if not cursor:
            return items, pages


def active_registry(api, wait_for, **kwargs):
    registry = create_registry(api, **kwargs)
    wait_for(lambda: api.get(f"{registries_path(api)}/{registry['id']}").json()["status"] == "ACTIVE")
    return registry


def private_status(api, spec_id):
    return api.get(f"{specs_path(api)}/{spec_id}").json()["privateRegistry"]


def settled_status(api, spec_id):
    """The private spec's status block once it is no longer VALIDATING, else None (for wait_for)."""
    private = private_status(api, spec_id)
    return None if private["status"] == "VALIDATING" else private


# predefined specs


def test_predefined_specs_are_visible_to_every_organization(api, sim, make_api):
    items = api.get(specs_path(api)).json()["items"]
    by_model = {spec["model"]: spec for spec in items}
    assert by_model[LLAMA]["id"] == LLAMA_SPEC_ID
    assert set(by_model) == {
        "meta-llama/Llama-3.1-8B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct",
        "mistralai/Mistral-7B-Instruct-v0.3",
        "google/gemma-2-9b-it",
        "BAAI/bge-large-en-v1.5",
    }
    llama = by_model[LLAMA]
    assert llama["registryType"] == "HUGGING_FACE"
    assert llama["huggingFace"] == {
        "modelName": LLAMA,
        "termsAndConditions": {"acceptanceRequired": True, "uri": f"https://huggingface.co/{LLAMA}"},
    }
    assert llama["hardwareSpecs"]["regions"][0]["pricePerHour"] == "0.8048"
    assert by_model["BAAI/bge-large-en-v1.5"]["type"] == "embeddings"
    other = sim.control("POST", "organizations", {})
    other_api = make_api(other["token"], other["organization_id"])
    assert [spec["id"] for spec in other_api.get(specs_path(other_api)).json()["items"]] == [
        spec["id"] for spec in items
    ]
    assert other_api.get(f"{specs_path(other_api)}/{LLAMA_SPEC_ID}").json() == llama


def test_predefined_specs_cannot_be_deleted(api):
    answer = api.delete(f"{specs_path(api)}/{LLAMA_SPEC_ID}")
    assert answer.status_code == 403
    assert answer.json()["code"] == 7
    assert api.get(f"{specs_path(api)}/{LLAMA_SPEC_ID}").status_code == 200


def test_the_spec_list_has_no_total_count(api):
    # ListModelSpecsResponse defines items and nextPageCursor only
    assert set(api.get(specs_path(api)).json()) == {"items"}


def test_hosted_model_takes_a_predefined_or_private_spec_id(api, wait_for):
    model = api.create_model(service="by-id", modelSpecsId=PREDEFINED_SPECS[LLAMA_SPEC_ID]["id"])
    assert (model["modelSpecsId"], model["model"], model["type"]) == (LLAMA_SPEC_ID, LLAMA, "chat")
    embeddings_id = next(spec_id for spec_id, spec in PREDEFINED_SPECS.items() if spec["type"] == "embeddings")
    assert api.create_model(service="embed", modelSpecsId=embeddings_id)["type"] == "embeddings"
    registry = active_registry(api, wait_for)
    spec = create_spec(api, private_spec(registry["id"], model="acme/llama-ft"))
    assert api.create_model(service="private", modelSpecsId=spec["id"])["model"] == "acme/llama-ft"


# own specs: create, read, list, delete


def test_create_hugging_face_spec_fills_read_only_fields(api):
    spec = create_spec(
        api, dict(hugging_face_spec(), tokensPerSecond=1, hardwareSpecs={"cpu": 1, "memoryMib": 1, "regions": []})
    )
    assert spec["tokensPerSecond"] == 90
    assert spec["hardwareSpecs"]["cpu"] == 4 and len(spec["hardwareSpecs"]["regions"]) == 3
    assert (spec["type"], spec["modalities"], spec["routable"]) == ("chat", ["text"], False)
    assert "privateRegistry" not in spec
    assert api.get(f"{specs_path(api)}/{spec['id']}").json() == spec
    assert api.get(specs_path(api)).json()["items"][-1] == spec


def test_specs_page_across_pages(api):
    own = [create_spec(api, hugging_face_spec(f"org/model-{index}"))["id"] for index in range(4)]
    items, pages = all_items(api, specs_path(api), **{"page.limit": "4"})
    assert pages == 3
    assert [spec["id"] for spec in items] == list(PREDEFINED_SPECS) + own


def test_spec_filters(api, wait_for):
    registry = active_registry(api, wait_for)
    other_registry = active_registry(api, wait_for, provider=gcs(bucket="other"))
    private = create_spec(api, private_spec(registry["id"]))
    create_spec(api, private_spec(other_registry["id"], model="other-llama"))
    hugging_face = create_spec(api, hugging_face_spec())

    def ids(**params):
        return [spec["id"] for spec in api.get(specs_path(api), params=params).json()["items"]]

    assert ids(registryType="PRIVATE", registryId=registry["id"]) == [private["id"]]
    assert ids(registryType="HUGGING_FACE") == list(PREDEFINED_SPECS) + [hugging_face["id"]]
    assert len(ids(registryType="REGISTRY_TYPE_UNSPECIFIED")) == len(PREDEFINED_SPECS) + 3
    gcp = api.get(specs_path(api), params={"cloud": "GCP"}).json()["items"]
    assert {region["cloud"] for spec in gcp for region in spec["hardwareSpecs"]["regions"]} == {"GCP"}
    ireland = api.get(specs_path(api), params={"region": "eu-west-1"}).json()["items"]
    assert {region["name"] for spec in ireland for region in spec["hardwareSpecs"]["regions"]} == {"eu-west-1"}
    assert api.get(specs_path(api), params={"cloud": "ORACLE"}).json() == {"items": []}
    assert api.get(specs_path(api), params={"cloud": "MARS"}).status_code == 400


def test_spec_sort_including_nested_fields(api):
    models = [
        spec["model"]
        for spec in api.get(specs_path(api), params={"sort.field": "model", "sort.order": "desc"}).json()["items"]
    ]
    assert models == sorted(models, reverse=True)
    nested = api.get(specs_path(api), params={"sort.field": "huggingFace.modelName"}).json()["items"]
    assert [spec["huggingFace"]["modelName"] for spec in nested] == sorted(spec["model"] for spec in nested)
    answer = api.get(specs_path(api), params={"sort.field": "hardwareSpecs.regions"})
    assert answer.status_code == 400
    assert answer.json()["fieldViolations"][0]["field"] == "sort.field"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"registryType": "HUGGING_FACE"}, "model"),  # the contract requires model
        ({"model": "x", "registryType": "HUGGING_FACE"}, "huggingFace.modelName"),
        ({"model": "x", "registryType": "PRIVATE"}, "privateRegistry"),
        (
            {"model": "x", "registryType": "PRIVATE", "privateRegistry": {"registryId": "nope", "baseModelId": "b"}},
            "privateRegistry.registryId",
        ),
        ({"model": "x", "registryType": "REGISTRY_TYPE_UNSPECIFIED"}, "registryType"),
        ({"model": "x", "registryType": "LOCAL"}, "registryType"),
        (
            {
                "model": " ",
                "registryType": "HUGGING_FACE",
                "huggingFace": {"modelName": "m", "termsAndConditions": {"acceptanceRequired": False}},
            },
            "model",
        ),
        (
            {"model": "x", "registryType": "HUGGING_FACE", "huggingFace": {"modelName": "m"}},
            "huggingFace.termsAndConditions",
        ),
    ],
)
def test_invalid_specs_are_400_with_the_field(api, body, field):
    answer = api.post(specs_path(api), json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == 3
    assert field in [violation["field"] for violation in answer.json()["fieldViolations"]]
    assert len(api.get(specs_path(api)).json()["items"]) == len(PREDEFINED_SPECS)


def test_private_specs_are_private_to_their_organization(api, sim, make_api, wait_for):
    spec = create_spec(api, private_spec(active_registry(api, wait_for)["id"]))
    other = sim.control("POST", "organizations", {})
    other_api = make_api(other["token"], other["organization_id"])
    assert other_api.get(f"{specs_path(other_api)}/{spec['id']}").status_code == 404
    assert other_api.delete(f"{specs_path(other_api)}/{spec['id']}").status_code == 404
    assert spec["id"] not in [item["id"] for item in other_api.get(specs_path(other_api)).json()["items"]]
    assert api.get(f"organizations/{other['organization_id']}/model-specs").status_code == 403


def test_delete_spec_refused_while_a_hosted_model_uses_it(api, sim, wait_for):
    spec = create_spec(api, hugging_face_spec())
    model = api.create_model(modelSpecsId=spec["id"])
    answer = api.delete(f"{specs_path(api)}/{spec['id']}")
    assert (answer.status_code, answer.json()["code"]) == (400, 9)
    assert "llama" in answer.json()["message"]
    assert api.delete(f"{api.models_path()}/{model['id']}").status_code == 200
    assert api.delete(f"{specs_path(api)}/{spec['id']}").status_code == 200
    assert api.get(f"{specs_path(api)}/{spec['id']}").status_code == 404
    assert api.delete(f"{specs_path(api)}/{spec['id']}").status_code == 404


# private spec lifecycle


def test_private_spec_validates_then_becomes_active(api, wait_for):
    registry = active_registry(api, wait_for)
    spec = create_spec(api, private_spec(registry["id"]))
    assert spec["privateRegistry"] == {
        "registryId": registry["id"],
        "baseModelId": "llama-3-8b-ft",
        "loraAdapter": False,
        "status": "VALIDATING",
    }
    wait_for(lambda: private_status(api, spec["id"])["status"] == "ACTIVE")
    assert "statusReason" not in private_status(api, spec["id"])


def test_private_spec_waits_for_an_onboarding_registry(api, sim, wait_for):
    registry = create_registry(api)
    sim.control("POST", f"model-registries/{registry['id']}/status", {"status": "ONBOARDING", "stuck": True})
    spec = create_spec(api, private_spec(registry["id"]))
    sim.control("POST", "config", {"transition_seconds": 0.01})
    time.sleep(0.05)
    assert private_status(api, spec["id"])["status"] == "VALIDATING"
    sim.control("POST", f"model-registries/{registry['id']}/status", {"status": "ACTIVE"})
    wait_for(lambda: private_status(api, spec["id"])["status"] == "ACTIVE")


def test_private_spec_of_a_missing_directory_ends_in_error(api, wait_for):
    registry = active_registry(api, wait_for)
    spec = create_spec(api, private_spec(registry["id"], base="no-such-dir"))
    status = wait_for(lambda: settled_status(api, spec["id"]))
    assert status["status"] == "ERROR"
    assert "'no-such-dir' not found" in status["statusReason"]


def test_control_forces_spec_error_and_back(api, sim, wait_for):
    spec = create_spec(api, private_spec(active_registry(api, wait_for)["id"]))
    forced = sim.control(
        "POST", f"model-specs/{spec['id']}/status", {"status": "ERROR", "status_reason": "weights are corrupt"}
    )
    assert forced == {
        "id": spec["id"],
        "kind": "model_specs",
        "status": "ERROR",
        "status_reason": "weights are corrupt",
    }
    assert private_status(api, spec["id"])["statusReason"] == "weights are corrupt"
    sim.control("POST", f"model-specs/{spec['id']}/status", {"status": "VALIDATING", "stuck": True})
    sim.control("POST", "config", {"transition_seconds": 0})
    assert private_status(api, spec["id"])["status"] == "VALIDATING"
    sim.control("POST", f"model-specs/{spec['id']}/status", {"status": "VALIDATING"})
    assert private_status(api, spec["id"])["status"] == "ACTIVE"


# registries


def test_registry_credentials_are_never_echoed(api, sim):
    registry = create_registry(api, credentials=CREDENTIALS)
    answers = [api.get(f"{registries_path(api)}/{registry['id']}").text, api.get(registries_path(api)).text]
    for text in [str(registry)] + answers:
        assert "sekrit" not in text and "credentials" not in text
    log = sim.control("GET", "requests")
    assert log[0]["body"]["credentials"] == "***"
    assert "sekrit" not in str(log)


def test_bad_credentials_are_refused_without_quoting_them(api):
    answer = api.post(registries_path(api), json={"provider": gcs(), "credentials": "not-json-sekrit"})
    assert answer.status_code == 400
    assert answer.json()["fieldViolations"][0]["field"] == "credentials"
    assert "sekrit" not in answer.text


def test_registry_onboards_then_becomes_active(api, wait_for):
    s3 = {"type": "S3", "s3": {"bucket": "weights", "region": "eu-west-1"}}
    registry = create_registry(api, provider=s3)
    assert registry["status"] == "ONBOARDING"
    assert registry["provider"] == s3
    assert registry["createTime"] == registry["updateTime"]
    wait_for(lambda: api.get(f"{registries_path(api)}/{registry['id']}").json()["status"] == "ACTIVE")
    assert api.get(f"{registries_path(api)}/{registry['id']}").json()["updateTime"] > registry["createTime"]


@pytest.mark.parametrize(
    "provider, field",
    [
        ({"type": "GCS"}, "provider.gcs"),
        ({"type": "S3", "gcs": {"bucket": "b"}}, "provider.s3"),
        ({"type": "GCS", "gcs": {"bucket": "b"}, "s3": {"bucket": "b", "region": "r"}}, "provider.s3"),
        ({"type": "PROVIDER_TYPE_UNSPECIFIED"}, "provider.type"),
        ({"type": "S3", "s3": {"bucket": "b"}}, "provider.s3.region"),  # the contract requires region
        ({"type": "GCS", "gcs": {"bucket": " "}}, "provider.gcs.bucket"),
    ],
)
def test_invalid_providers_are_400(api, provider, field):
    answer = api.post(registries_path(api), json={"provider": provider})
    assert answer.status_code == 400, answer.text
    assert field in [violation["field"] for violation in answer.json()["fieldViolations"]]
    assert api.get(registries_path(api)).json()["items"] == []


def test_duplicate_provider_is_409(api):
    create_registry(api)
    answer = api.post(registries_path(api), json={"provider": gcs()})
    assert (answer.status_code, answer.json()["code"]) == (409, 6)
    create_registry(api, provider=gcs(prefix="other/"))


def test_registries_page_and_sort(api):
    created = [create_registry(api, provider=gcs(bucket=f"bucket-{index}"))["id"] for index in range(5)]
    items, pages = all_items(api, registries_path(api), **{"page.limit": "2"})
    assert (pages, [item["id"] for item in items]) == (3, created)
    assert api.get(registries_path(api), params={"page.limit": "2"}).json()["totalCount"] == 5
    descending = api.get(
        registries_path(api), params={"sort.field": "provider.gcs.bucket", "sort.order": "DESC"}
    ).json()["items"]
    assert [item["id"] for item in descending] == created[::-1]


def test_directories_need_an_active_registry_and_show_registered(api, sim, wait_for):
    registry = create_registry(api)
    # Held in ONBOARDING: on a loaded machine the short transition could pass before the first read.
    sim.control("POST", f"model-registries/{registry['id']}/status", {"status": "ONBOARDING", "stuck": True})
    path = f"{registries_path(api)}/{registry['id']}/directories"
    refused = api.get(path)
    assert (refused.status_code, refused.json()["code"]) == (400, 9)
    sim.control("POST", f"model-registries/{registry['id']}/status", {"status": "ACTIVE"})
    wait_for(lambda: api.get(path).status_code == 200)
    assert api.get(path).json() == {
        "items": [{"name": name, "registered": False} for name in DEFAULT_DIRECTORIES],
        "totalCount": 3,
    }
    create_spec(api, private_spec(registry["id"], base="mistral-7b-lora"))
    assert [item["name"] for item in api.get(path).json()["items"] if item["registered"]] == ["mistral-7b-lora"]
    names = [f"dir-{index:02d}" for index in range(7)]
    assert (
        sim.control("POST", f"model-registries/{registry['id']}/directories", {"directories": names})["directories"]
        == names
    )
    items, pages = all_items(api, path, **{"page.limit": "3", "sort.field": "name", "sort.order": "DESC"})
    assert (pages, [item["name"] for item in items]) == (3, names[::-1])


def test_control_forces_registry_error(api, sim, wait_for):
    registry = active_registry(api, wait_for)
    sim.control(
        "POST",
        f"model-registries/{registry['id']}/status",
        {"status": "ERROR", "status_reason": "access denied to bucket"},
    )
    got = api.get(f"{registries_path(api)}/{registry['id']}").json()
    assert (got["status"], got["statusReason"]) == ("ERROR", "access denied to bucket")
    assert api.get(f"{registries_path(api)}/{registry['id']}/directories").status_code == 400
    spec = create_spec(api, private_spec(registry["id"]))
    status = wait_for(lambda: settled_status(api, spec["id"]))
    assert (status["status"], status["statusReason"]) == (
        "ERROR",
        f"model registry {registry['id']} is ERROR: access denied to bucket",
    )


def test_delete_registry(api, sim, make_api, wait_for):
    registry = active_registry(api, wait_for)
    spec = create_spec(api, private_spec(registry["id"]))
    path = f"{registries_path(api)}/{registry['id']}"
    other = sim.control("POST", "organizations", {})
    other_api = make_api(other["token"], other["organization_id"])
    assert other_api.get(f"{registries_path(other_api)}/{registry['id']}").status_code == 404
    in_use = api.delete(path)
    assert (in_use.status_code, in_use.json()["code"]) == (400, 9)
    assert api.delete(f"{specs_path(api)}/{spec['id']}").status_code == 200
    assert api.delete(path).status_code == 200
    assert api.get(path).status_code == 404
    assert api.delete(path).status_code == 404


def test_onboarding_command_quotes_settings_and_holds_no_token(api, sim):
    answer = api.get(
        f"{registries_path(api)}:getOnboardingCommand",
        params={
            "provider.type": "S3",
            "provider.s3.bucket": "we'ights",
            "provider.s3.region": "eu-west-1",
            "provider.s3.prefix": "a b/",
        },
    )
    assert answer.status_code == 200
    command = answer.json()["command"]
    assert "BUCKET='we'\"'\"'ights' PREFIX='a b/' REGION=eu-west-1 bash" in command
    assert "providerType=S3" in command and "$CASTAI_API_TOKEN" in command
    assert sim.token not in command
    gcs_command = api.get(
        f"{registries_path(api)}:getOnboardingCommand", params={"provider.type": "GCS", "provider.gcs.bucket": "w"}
    )
    assert "BUCKET=w PREFIX=" in gcs_command.json()["command"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "provider.type"),
        ({"provider.type": "PROVIDER_TYPE_UNSPECIFIED"}, "provider.type"),
        ({"provider.type": "GCS"}, "provider.gcs.bucket"),
        ({"provider.type": "S3", "provider.s3.bucket": "b"}, "provider.s3.region"),
        ({"provider.type": "GCS", "provider.gcs.bucket": "b", "provider.s3.region": "r"}, "provider.s3.region"),
    ],
)
def test_onboarding_command_needs_the_provider_settings(api, params, field):
    answer = api.get(f"{registries_path(api)}:getOnboardingCommand", params=params)
    assert answer.status_code == 400
    assert answer.json()["fieldViolations"][0]["field"] == field


def test_onboarding_scripts(api):
    for kind, tool in (("GCS", "gcloud"), ("S3", "aws iam")):
        script = api.get(f"{registries_path(api)}:getOnboardingScript", params={"providerType": kind}).json()["script"]
        assert script.startswith("#!/usr/bin/env bash") and tool in script
    assert api.get(f"{registries_path(api)}:getOnboardingScript").status_code == 400


@pytest.mark.parametrize(
    "path, payload, status",
    [
        ("model-specs/unknown/status", {"status": "ERROR"}, 404),
        (f"model-specs/{LLAMA_SPEC_ID}/status", {"status": "ERROR"}, 400),
        ("model-registries/unknown/status", {"status": "ERROR"}, 404),
        ("model-registries/unknown/directories", {"directories": []}, 404),
    ],
)
def test_control_errors(sim, path, payload, status):
    with pytest.raises(urllib.error.HTTPError) as raised:
        sim.control("POST", path, payload)
    assert raised.value.code == status


def test_control_checks_its_input(api, sim):
    registry = create_registry(api)
    spec = create_spec(api, hugging_face_spec())
    for path, payload in (
        (f"model-registries/{registry['id']}/status", {"status": "VALIDATING"}),
        (f"model-registries/{registry['id']}/status", {"status": "ACTIVE", "stuck": "yes"}),
        (f"model-registries/{registry['id']}/directories", {"directories": ["a", "a"]}),
        (f"model-registries/{registry['id']}/directories", {"directories": "a"}),
        (f"model-specs/{spec['id']}/status", {"status": "ACTIVE"}),
    ):
        with pytest.raises(urllib.error.HTTPError) as raised:
            sim.control("POST", path, payload)
        assert raised.value.code == 400, (path, payload)
