"""Simulator: cursor pagination, page size limits and sorting."""


def seed(sim, count, service="svc", **model):
    return sim.control(
        "POST", "hosted-models", {"cluster_id": "cluster-1", "count": count, "model": {"service": service, **model}}
    )


def all_pages(api, path, **params):
    pages, cursor = [], None
    while True:
        query = dict(params, **({"page.cursor": cursor} if cursor else {}))
        answer = api.get(path, params=query)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        cursor = answer.json().get("nextPageCursor")
        if not cursor:
            return pages


def test_three_pages_with_exact_items(api, sim):
    seeded = seed(sim, 7)
    pages = all_pages(api, api.models_path(), **{"page.limit": "3"})
    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    assert all(page["totalCount"] == 7 for page in pages)
    assert "nextPageCursor" not in pages[-1]
    services = [[item["service"] for item in page["items"]] for page in pages]
    assert services == [["svc-1", "svc-2", "svc-3"], ["svc-4", "svc-5", "svc-6"], ["svc-7"]]
    assert {item["id"] for page in pages for item in page["items"]} == {model["id"] for model in seeded}


def test_exactly_full_last_page_has_no_cursor(api, sim):
    seed(sim, 6)
    pages = all_pages(api, api.models_path(), **{"page.limit": "3"})
    assert [len(page["items"]) for page in pages] == [3, 3]


def test_default_and_capped_page_size(api, sim):
    seed(sim, 5)
    assert len(api.get(api.models_path()).json()["items"]) == 5
    sim.control("POST", "config", {"max_page_size": 2})
    answer = api.get(api.models_path(), params={"page.limit": "1000"}).json()
    assert len(answer["items"]) == 2
    assert answer["nextPageCursor"]


def test_bad_cursor_and_limit_are_400(api, sim):
    seed(sim, 2)
    for params in ({"page.cursor": "garbage!"}, {"page.limit": "ten"}, {"page.limit": "-1"}):
        answer = api.get(api.models_path(), params=params)
        assert answer.status_code == 400, params
        assert answer.json()["code"] == 3


def test_sort_by_field_and_order(api, sim):
    seed(sim, 1, service="bravo", status="FAILED")
    seed(sim, 1, service="alpha", status="RUNNING")
    seed(sim, 1, service="charlie", status="DEPLOYING")

    def services(**params):
        return [item["service"] for item in api.get(api.models_path(), params=params).json()["items"]]

    assert services() == ["bravo", "alpha", "charlie"]
    assert services(**{"sort.field": "service"}) == ["alpha", "bravo", "charlie"]
    assert services(**{"sort.field": "service", "sort.order": "desc"}) == ["charlie", "bravo", "alpha"]
    assert services(**{"sort.field": "status", "sort.order": "ASC"}) == ["charlie", "bravo", "alpha"]
    assert services(**{"sort.field": "createTime", "sort.order": "DESC"}) == ["charlie", "alpha", "bravo"]
    answer = api.get(api.models_path(), params={"sort.field": "nope"})
    assert answer.status_code == 400
    assert answer.json()["fieldViolations"][0]["field"] == "sort.field"


def test_sorted_pages_follow_the_sort(api, sim):
    seed(sim, 5)
    pages = all_pages(api, api.models_path(), **{"page.limit": "2", "sort.field": "service", "sort.order": "DESC"})
    assert [item["service"] for page in pages for item in page["items"]] == [
        "svc-5",
        "svc-4",
        "svc-3",
        "svc-2",
        "svc-1",
    ]


def test_key_settings_and_budgets_lists_are_paged(api, sim):
    keys = [sim.control("POST", "api-keys", {}) for index in range(3)]
    settings = {"routingEnabled": True, "promptSharingEnabled": False, "routerQualityWeight": 0.25}
    for key in keys:
        assert (
            api.put(f"organizations/{api.org}/api-key-settings/{key['api_key_id']}", json=settings).status_code == 200
        )
        assert (
            api.patch(
                f"organizations/{api.org}/api-keys/{key['api_key_id']}/budget", json={"budgetLimitUsd": "5"}
            ).status_code
            == 200
        )
    for path in ("api-key-settings", "api-key-budgets"):
        pages = all_pages(api, f"organizations/{api.org}/{path}", **{"page.limit": "2"})
        assert [len(page["items"]) for page in pages] == [2, 1]
        assert {item["apiKeyId"] for page in pages for item in page["items"]} == {key["api_key_id"] for key in keys}


def test_sort_by_a_nested_field_with_a_dot(api, sim):
    for service, minimum in (("two", 2), ("none", None), ("one", 1)):
        autoscaling = (
            {}
            if minimum is None
            else {
                "horizontalAutoscaling": {
                    "enabled": False,
                    "minReplicas": minimum,
                    "maxReplicas": 3,
                    "targetMetric": "GPU_CACHE_USAGE_PERCENTAGE",
                    "targetValue": 0.8,
                }
            }
        )
        seed(sim, 1, service=service, **autoscaling)

    def services(order):
        params = {"sort.field": "horizontalAutoscaling.minReplicas", "sort.order": order}
        return [item["service"] for item in api.get(api.models_path(), params=params).json()["items"]]

    # models without the field come last in both orders
    assert services("ASC") == ["one", "two", "none"]
    assert services("DESC") == ["two", "one", "none"]
    for field in ("horizontalAutoscaling", "horizontalAutoscaling.nope", "vllmConfig.huggingFaceToken.x"):
        assert api.get(api.models_path(), params={"sort.field": field}).status_code == 400, field
