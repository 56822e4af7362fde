"""Simulator: hosted model status transitions, scaling, events, pods and statuses forced through the control surface."""

AUTOSCALING = {
    "enabled": True,
    "minReplicas": 2,
    "maxReplicas": 4,
    "targetMetric": "GPU_CACHE_USAGE_PERCENTAGE",
    "targetValue": 0.8,
}


def scale(api, model_id, replicas):
    body = {"organizationId": api.org, "clusterId": "cluster-1", "id": model_id, "replicas": replicas}
    return api.post(f"{api.models_path()}/{model_id}:scale", json=body)


def status_becomes(api, wait_for, model_id, status):
    return wait_for(lambda: (model := api.model(model_id)) and model["status"] == status and model)


def running_model(api, wait_for, **fields):
    model = api.create_model(**fields)
    return status_becomes(api, wait_for, model["id"], "RUNNING")


def test_create_deploys_then_runs(api, wait_for):
    created = api.create_model()
    assert created["status"] == "DEPLOYING"
    assert created["currentReplicas"] == 0
    pods = api.get(f"{api.models_path()}/{created['id']}/pods").json()["pods"]
    assert [pod["status"]["phase"] for pod in pods] == ["Pending"]
    running = status_becomes(api, wait_for, created["id"], "RUNNING")
    assert running["currentReplicas"] == 1
    assert running["updateTime"] > created["createTime"]


def test_autoscaled_model_runs_min_replicas(api, wait_for):
    model = running_model(api, wait_for, horizontalAutoscaling=AUTOSCALING)
    assert model["currentReplicas"] == 2
    pods = api.get(f"{api.models_path()}/{model['id']}/pods").json()["pods"]
    assert len(pods) == 2
    assert all(pod["name"].startswith("llama-") and pod["status"]["phase"] == "Running" for pod in pods)
    assert [event["reason"] for event in pods[0]["events"]] == ["Scheduled", "Pulled", "Started"]


def test_scale_up_and_down_with_events(api, wait_for):
    model = running_model(api, wait_for)
    answer = scale(api, model["id"], 3)
    assert answer.json() == {"replicas": 3}
    assert api.model(model["id"])["status"] == "SCALING"
    assert status_becomes(api, wait_for, model["id"], "RUNNING")["currentReplicas"] == 3
    scale(api, model["id"], 2)
    assert status_becomes(api, wait_for, model["id"], "RUNNING")["currentReplicas"] == 2
    events = api.get(f"{api.models_path()}/{model['id']}/events").json()
    assert events["totalCount"] == 2
    assert [event["type"] for event in events["items"]] == ["SCALED_DOWN", "SCALED_UP"]
    assert events["items"][0]["scaledDown"]["fromReplicas"] == 3
    assert events["items"][0]["scaledDown"]["toReplicas"] == 2
    assert events["items"][1]["initiator"]["userType"] == "USER"


def test_event_time_filter(api, wait_for):
    model = running_model(api, wait_for)
    scale(api, model["id"], 2)
    first = api.get(f"{api.models_path()}/{model['id']}/events").json()["items"][0]["createTime"]
    status_becomes(api, wait_for, model["id"], "RUNNING")
    scale(api, model["id"], 3)
    path = f"{api.models_path()}/{model['id']}/events"
    assert [event["createTime"] for event in api.get(path, params={"endTime": first}).json()["items"]] == [first]
    later = api.get(path, params={"startTime": first}).json()["items"]
    assert len(later) == 2
    assert api.get(path, params={"startTime": "yesterday"}).status_code == 400


def test_scale_to_zero_hibernates_and_back_resumes(api, wait_for):
    model = running_model(api, wait_for)
    scale(api, model["id"], 0)
    assert api.model(model["id"])["status"] == "HIBERNATING"
    hibernated = status_becomes(api, wait_for, model["id"], "HIBERNATED")
    assert hibernated["currentReplicas"] == 0
    assert api.get(f"{api.models_path()}/{model['id']}/pods").json()["pods"] == []
    scale(api, model["id"], 1)
    assert api.model(model["id"])["status"] == "RESUMING"
    assert status_becomes(api, wait_for, model["id"], "RUNNING")["currentReplicas"] == 1


def test_scale_refused_with_autoscaling(api, wait_for):
    model = running_model(api, wait_for, horizontalAutoscaling=AUTOSCALING)
    answer = scale(api, model["id"], 3)
    assert answer.status_code == 400
    assert answer.json() == {
        "code": 9,
        "message": "cannot scale a hosted model with horizontal autoscaling enabled",
        "details": [],
    }


def test_delete_goes_through_deleting_then_gone(api, wait_for):
    model = running_model(api, wait_for)
    assert api.delete(f"{api.models_path()}/{model['id']}").status_code == 200
    assert api.model(model["id"])["status"] == "DELETING"
    wait_for(lambda: api.model(model["id"]) is None)
    assert api.get(f"{api.models_path()}/{model['id']}/pods").status_code == 404
    assert api.delete(f"{api.models_path()}/{model['id']}").status_code == 404


def test_update_of_vllm_config_restarts(api, wait_for):
    model = running_model(api, wait_for)
    answer = api.patch(f"{api.models_path()}/{model['id']}", json={"vllmConfig": {"secretName": "hf"}})
    assert answer.json()["status"] == "RESTARTING"
    assert status_becomes(api, wait_for, model["id"], "RUNNING")["vllmConfig"] == {"secretName": "hf"}


def test_update_of_fallback_applies_without_restart(api, wait_for):
    model = running_model(api, wait_for)
    fallback = {"enabled": True, "providerId": "p1", "model": "gpt-4o-mini"}
    answer = api.patch(f"{api.models_path()}/{model['id']}", json={"fallback": fallback})
    assert answer.json()["status"] == "RUNNING"
    assert answer.json()["fallback"] == fallback


def test_forced_failure_is_stuck_and_shows_crashing_pods(api, sim):
    model = api.create_model()
    sim.control(
        "POST",
        f"hosted-models/{model['id']}/status",
        {"status": "FAILED", "status_reason": "CrashLoopBackOff: out of GPU memory", "stuck": True},
    )
    failed = api.model(model["id"])
    assert failed["status"] == "FAILED"
    assert failed["statusReason"] == "CrashLoopBackOff: out of GPU memory"
    pod = api.get(f"{api.models_path()}/{model['id']}/pods").json()["pods"][0]
    assert pod["status"]["reason"] == "CrashLoopBackOff"
    assert "BackOff" in [event["reason"] for event in pod["events"]]


def test_stuck_status_never_moves(api, sim):
    model = api.create_model()
    sim.control("POST", f"hosted-models/{model['id']}/status", {"status": "DEPLOYING", "stuck": True})
    sim.control("POST", "config", {"transition_seconds": 0})
    assert api.model(model["id"])["status"] == "DEPLOYING"


def test_forced_hibernation_and_resume_record_events(api, sim, wait_for):
    model = running_model(api, wait_for)
    sim.control("POST", f"hosted-models/{model['id']}/status", {"status": "HIBERNATING"})
    status_becomes(api, wait_for, model["id"], "HIBERNATED")
    sim.control("POST", f"hosted-models/{model['id']}/status", {"status": "RESUMING"})
    assert status_becomes(api, wait_for, model["id"], "RUNNING")["currentReplicas"] == 1
    events = api.get(f"{api.models_path()}/{model['id']}/events").json()["items"]
    assert [(event["type"], event["initiator"]["userType"]) for event in events] == [
        ("RESUMED", "SYSTEM"),
        ("HIBERNATED", "SYSTEM"),
    ]


def test_seeded_models_keep_status_unless_asked_to_transition(api, sim, wait_for):
    still = sim.control(
        "POST", "hosted-models", {"cluster_id": "cluster-1", "model": {"service": "still", "status": "DEPLOYING"}}
    )[0]
    moving = sim.control(
        "POST",
        "hosted-models",
        {"cluster_id": "cluster-1", "transition": True, "model": {"service": "moving", "status": "DEPLOYING"}},
    )[0]
    status_becomes(api, wait_for, moving["id"], "RUNNING")
    assert api.model(still["id"])["status"] == "DEPLOYING"


def test_seeded_model_name_decides_derived_fields(sim):
    model = {"service": "emb", "model": "BAAI/bge-large-en-v1.5", "status": "FAILED"}
    seeded = sim.control("POST", "hosted-models", {"cluster_id": "cluster-1", "count": 2, "model": model})
    assert [model["service"] for model in seeded] == ["emb-1", "emb-2"]
    assert {(model["deployedModel"], model["type"], model["status"]) for model in seeded} == {
        ("BAAI/bge-large-en-v1.5", "embeddings", "FAILED")
    }
    assert all(model["currentReplicas"] == 1 for model in seeded)
