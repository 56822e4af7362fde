"""Tests of the benchmark's server (fixed_api.py) and of tools/benchmark.py's reading of its results.

Run: .venv/bin/python -m pytest benchmarks -q -p no:cacheprovider (not part of `make test`, like the benchmark).
Every answer the benchmark relies on is checked against the contract with the simulator's validator, so the fixed
pages cannot drift from spec/ai-optimizer.openapi.yaml unnoticed.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(ROOT, "tests"), os.path.join(ROOT, "tools")]

import benchmark  # noqa: E402  pylint: disable=wrong-import-position
import fixed_api  # noqa: E402  pylint: disable=wrong-import-position
from simulator.spec import load_contract  # noqa: E402  pylint: disable=wrong-import-position

ORG = fixed_api.DEFAULT_ORGANIZATION_ID
CLUSTER = "00000000-0000-4000-8000-000000002500"
MODELS = 2500
TRANSITION = 0.3


@pytest.fixture(scope="module")
def server():
    api = fixed_api.FixedAPI(transition_seconds=TRANSITION)
    api.seed(CLUSTER, MODELS)
    api.seed("empty", 0)
    httpd = fixed_api.serve(api)
    yield api, "http://127.0.0.1:%d" % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(name="api")
def fresh(server):
    server[0].reset()
    return server


def call(base, method, path, body=None, token=fixed_api.DEFAULT_TOKEN):
    """(status, raw body) of one request."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-API-Key"] = token
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def conforming(method, path, status, raw):
    """The decoded answer, after checking it against the contract's response schema for the operation."""
    operation, params = load_contract().route(method, path)
    problem = load_contract().response_problem(operation, path, params, status, "application/json", raw)
    assert problem is None, problem
    return json.loads(raw)


def models_path(cluster=CLUSTER, org=ORG):
    return "%s/organizations/%s/clusters/%s/hosted-models" % (fixed_api.API, org, cluster)


def read_all(base, limit):
    """Every page at one page.limit: (ids in order, pages, the pages' totalCount values)."""
    ids, pages, totals, cursor = [], 0, set(), None
    while True:
        query = "?page.limit=%s" % limit + ("&page.cursor=%s" % cursor if cursor else "")
        status, raw = call(base, "GET", models_path() + query)
        assert status == 200
        page = conforming("GET", models_path(), status, raw)
        pages += 1
        ids += [item["id"] for item in page["items"]]
        totals.add(page["totalCount"])
        cursor = page.get("nextPageCursor")
        if not cursor:
            return ids, pages, totals


@pytest.mark.parametrize("limit, pages", [(1000, 3), (100, 25), (5000, 3), (0, 25), (999, 3)])
def test_pages_follow_the_cursor_to_every_model_once(api, limit, pages):
    ids, seen, totals = read_all(api[1], limit)
    assert (len(ids), len(set(ids)), seen, totals) == (MODELS, MODELS, pages, {MODELS})
    assert ids[0] == fixed_api.model_id(CLUSTER, 0) and ids[-1] == fixed_api.model_id(CLUSTER, MODELS - 1)


def test_a_page_is_the_contract_shape_with_models_of_about_850_bytes(api):
    status, raw = call(api[1], "GET", models_path() + "?page.limit=1000")
    page = conforming("GET", models_path(), status, raw)
    assert sorted(page) == ["items", "nextPageCursor", "totalCount"]
    assert len(page["items"]) == 1000
    size = sum(len(fixed_api.encode(item)) for item in page["items"]) / 1000
    assert 800 <= size <= 900, size
    status, raw = call(api[1], "GET", models_path(cluster="empty"))
    assert conforming("GET", models_path(cluster="empty"), status, raw) == {"items": [], "totalCount": 0}


def test_verify_names_the_organization_and_a_wrong_key_is_a_401(api):
    status, raw = call(api[1], "POST", fixed_api.VERIFY_PATH, {})
    assert (status, conforming("POST", fixed_api.VERIFY_PATH, status, raw)) == (200, {"organizationId": ORG})
    for token in (None, "other"):
        status, raw = call(api[1], "GET", models_path(), token=token)
        assert status == 401 and conforming("GET", models_path(), status, raw)["code"] == 16


@pytest.mark.parametrize(
    "query", ["?page.limit=ten", "?page.limit=-1", "?page.cursor=bm90LWEtY3Vyc29y", "?page.cursor=%%%"]
)
def test_bad_paging_is_a_400(api, query):
    status, raw = call(api[1], "GET", models_path() + query)
    assert status == 400 and conforming("GET", models_path(), status, raw)["code"] == 3


def test_unknown_cluster_or_organization_is_a_404(api):
    for path in (models_path(cluster="nope"), models_path(org="33333333-3333-4333-8333-333333333333")):
        status, raw = call(api[1], "GET", path)
        assert status == 404 and conforming("GET", path, status, raw)["code"] == 5


def create_body(service="bench-new", cluster=CLUSTER):
    return {"clusterId": cluster, "service": service, "modelSpecsId": "spec-1", "port": 8080}


def test_a_created_model_deploys_then_runs_and_is_listed_last(api):
    status, raw = call(api[1], "POST", models_path(), create_body())
    created = conforming("POST", models_path(), status, raw)
    assert (status, created["status"], created["currentReplicas"]) == (200, "DEPLOYING", 0)
    cursor = fixed_api.encode_cursor(MODELS)
    status, raw = call(api[1], "GET", models_path() + "?page.limit=10&page.cursor=" + cursor)
    page = conforming("GET", models_path(), status, raw)
    assert [(m["id"], m["status"]) for m in page["items"]] == [(created["id"], "DEPLOYING")]
    assert page["totalCount"] == MODELS + 1 and "nextPageCursor" not in page
    time.sleep(TRANSITION + 0.1)
    status, raw = call(api[1], "GET", models_path() + "?page.limit=10&page.cursor=" + cursor)
    model = conforming("GET", models_path(), status, raw)["items"][0]
    assert (model["status"], model["currentReplicas"]) == ("RUNNING", 1)


@pytest.mark.parametrize(
    "body, status",
    [
        (create_body(service="llm-00007"), 409),  # a seeded model's service
        (dict(create_body(), port=None), 400),
        (create_body(cluster="another"), 400),
    ],
)
def test_create_refuses_a_taken_service_and_incomplete_bodies(api, body, status):
    got, raw = call(api[1], "POST", models_path(), body)
    assert got == status and conforming("POST", models_path(), got, raw)["code"] in (3, 6)
    assert call(api[1], "POST", models_path(), create_body())[0] == 200
    assert call(api[1], "POST", models_path(), create_body())[0] == 409


def test_the_log_counts_requests_by_path_and_marks_new_listings(api):
    read_all(api[1], 1000)
    call(api[1], "POST", fixed_api.VERIFY_PATH, {})
    call(api[1], "POST", models_path(), create_body())
    status, raw = call(api[1], "GET", "/_bench/requests")
    report = json.loads(raw)
    assert status == 200 and report["requests"] == 5
    assert report["counts"] == {
        "GET " + models_path(): 3,
        "POST " + fixed_api.VERIFY_PATH: 1,
        "POST " + models_path(): 1,
    }
    assert [entry[3] for entry in report["log"]] == [True, False, False, False, False]
    assert call(api[1], "POST", "/_bench/reset", {})[0] == 200
    assert json.loads(call(api[1], "GET", "/_bench/requests")[1])["requests"] == 0
    assert call(api[1], "POST", models_path(), create_body())[0] == 200  # the created model went with the reset


def test_seeding_is_bounded(api):
    status, _raw = call(api[1], "POST", "/_bench/clusters", {"cluster_id": "x", "models": fixed_api.MAX_MODELS + 1})
    assert status == 400


def test_the_process_prints_its_port_and_stops_when_stdin_closes():
    command = [
        sys.executable,
        os.path.join(HERE, "fixed_api.py"),
        "--cluster",
        "c=3",
        "--until-stdin-closes",
        "--max-seconds",
        "60",
    ]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # pylint: disable=consider-using-with
    try:
        base = "http://127.0.0.1:%s" % proc.stdout.readline().strip()
        status, raw = call(base, "GET", models_path(cluster="c"))
        assert status == 200 and json.loads(raw)["totalCount"] == 3
        proc.stdin.close()
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.stdout.close()


def test_the_process_stops_after_max_seconds():
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "fixed_api.py"), "--max-seconds", "0.5"],
        stdout=subprocess.PIPE,
        text=True,
        timeout=30,
        check=True,
    )
    assert proc.stdout.strip().isdigit() and time.monotonic() - started < 20


# ---- tools/benchmark.py's reading of what it measured ----------------------------------------------------------


def test_create_details_split_the_lookup_from_the_wait_polls():
    listing = "/ai-optimizer/v1beta/organizations/o/clusters/c/hosted-models"
    log = [[0, "GET", listing, True], [0, "GET", listing, False], [0, "POST", listing, False]]
    log += [[0, "GET", listing, first] for first in (True, False, False, True, False, False)]
    run = {"report": {"log": log}, "result": {"api_calls": 9}}
    assert benchmark.create_details(run) == {"lookup": 2, "polls": 2, "per_poll": 3.0, "api_calls": 9}


def test_task_result_reads_the_json_after_the_arrow():
    output = (
        'TASK [x] ***\nchanged: [localhost] => {"api_calls": 7, "msg": "a } in text"}\n\nPLAY RECAP ***\n'
        "localhost : ok=1\n"
    )
    assert benchmark.task_result(output) == {"api_calls": 7, "msg": "a } in text"}
    assert benchmark.task_result("PLAY RECAP") is None


def test_import_tree_puts_children_under_the_import_that_caused_them():
    stderr = """import time: self [us] | cumulative | imported package
import time:       100 |        100 |     leaf
import time:       200 |        300 |   child
import time:        50 |        350 | parent
import time:        10 |         10 | other
"""
    tree = benchmark.import_tree(stderr)
    assert [(node["name"], node["depth"], node["cumulative"]) for node in benchmark.preorder(tree)] == [
        ("parent", 0, 350),
        ("child", 1, 300),
        ("leaf", 2, 100),
        ("other", 0, 10),
    ]


def test_the_report_reads_every_scenario_and_judges_the_goals():
    """Synthetic runs through summarise, tables and goals: a full run's report must not break at the end."""
    chosen = benchmark.scenarios(10_000, 50_000)
    seconds = {
        "startup": 1,
        "ping": 5,
        "uri_page": 9,
        "info_page": 10,
        "info_large": 2,
        "uri_loop": 21,
        "create": 6,
        "info_growth": 6,
        "floor_large": 4,
        "floor_growth": 11,
    }
    requests = {
        "startup": 0,
        "ping": 0,
        "uri_page": 20,
        "info_page": 20,
        "info_large": 10,
        "uri_loop": 10,
        "create": 33,
        "info_growth": 50,
        "floor_large": 0,
        "floor_growth": 0,
    }
    rss = {
        "info_page": 40 * 1024,
        "info_large": 60 * 1024,
        "info_growth": 160 * 1024,
        "floor_large": 120 * 1024,
        "floor_growth": 430 * 1024,
    }
    log = [[0, "GET", "/x/hosted-models", True], [0, "POST", "/x/hosted-models", False]]
    results = {
        s.key: [
            {
                "seconds": seconds[s.key],
                "report": {"requests": requests[s.key], "log": log},
                "rss_kib": [rss.get(s.key, 30 * 1024)],
                "module_s": {"info_large": 1.5, "info_growth": 4.5}.get(s.key, 2.0),
                "result": {"api_calls": 2},
                "before_exit_kib": {"floor_large": 60 * 1024, "floor_growth": 180 * 1024}.get(s.key),
            }
        ]
        for s in chosen
    }
    rows = benchmark.summarise(results, chosen)
    assert rows["info_page"]["per_task_ms"] == 250 and rows["uri_page"]["per_task_ms"] == 200
    assert rows["info_large"]["task_s"] == 1 and rows["uri_loop"]["task_s"] == 20
    text = "\n".join(benchmark.tables(rows, 10_000, 50_000))
    assert "| hosted_models_info, 100 models | 10.00 | 250 | 1.25× | 100 | 1 | 40 |" in text
    assert "| hosted_models_info, 10,000 models | 2.00 | 1.00 | 20.0× | 1.50 | 10 | 60 |" in text
    assert "the module process 0.075 ms more per model (×3.0)" in text
    assert "| floor: the same 10,000 models, returned only | 4.00 | 3.00 | 6.7× | 2.00 | 0 | 120 |" in text
    assert "The floor over the same growth: the task 0.175 ms more per model" in text
    assert "peak RSS 7.9 KB per model" in text
    assert "just before exit_json: 60 MB with 10,000 models, 180 MB with 50,000" in text
    assert "exit_json then adds 5.1 KB per model (50,000 models)" in text  # (430 - 180) MB / 50,000
    lines = benchmark.goals(rows, 50_000)
    table = [line for line in lines if line.startswith("| ") and not line.startswith("| goal")]
    measured = [line.split("|")[3].strip() for line in table]
    floors = [line.split("|")[4].strip() for line in table]
    met = [line.split("|")[5].strip() for line in table]
    # 1.25× uri; 20× (floor 6.7×); 10 requests; 60 MB (floor 120); 2.5 KB a model (floor 8.2 above ping's 30 MB)
    assert measured == ["1.25×", "20.0×", "10", "60 MB", "2.5 KB"]
    assert floors == ["", "6.7×", "", "120 MB", "8.2 KB"]
    assert met == ["no", "yes", "yes", "yes", "yes"]
    assert "what exit_json alone adds (a copy of the result to mask no_log values, then its JSON text) is 5.1 KB" in (
        " ".join(lines)
    )
    rows["info_large"]["seconds"] = 5  # a 4 s task: 5× the loop, and the floor's 6.7× misses 8× as well
    rows["info_large"]["task_s"] = 4
    rows["info_page"]["rss_mib"] = 100
    lines = benchmark.goals(rows, 50_000)
    table = [line for line in lines if line.startswith("| ") and not line.startswith("| goal")]
    assert [line.split("|")[5].strip() for line in table][1] == "no; the floor misses it too"


def test_only_gnu_time_lines_count_as_module_processes():
    lines = ["41408 0.52\n", "Command exited with non-zero status 1\n", "128624 12.07\n", "\n"]
    assert [line.split() for line in lines if benchmark.MODULE_PROCESS.match(line)] == [
        ["41408", "0.52"],
        ["128624", "12.07"],
    ]


def test_the_floor_reports_its_rss_before_exit_json(tmp_path):
    """result_only.py run as Ansible runs a module: it returns the saved items and appends its RSS before exit_json."""
    saved = tmp_path / "listing.jsonl"
    saved.write_text('{"changed": false}\n' + "".join('{"id": "m-%d"}\n' % i for i in range(2500)))
    report = tmp_path / "rss.txt"
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"path": str(saved), "key": "models", "rss_file": str(report)}}))
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "library", "result_only.py"), str(args)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(proc.stdout)
    assert [item["id"] for item in result["models"]] == ["m-%d" % i for i in range(2500)]
    assert result["changed"] is False
    assert benchmark.read_kib(str(report)) > 1000  # a Python process holds more than 1 MB
