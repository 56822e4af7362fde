# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""castai.ai_optimizer.components_info: the list (every page) and the wait for a running proxy.

Against the in-process simulator, whose clusters each have one PROXY component that its control surface changes;
the paging test uses the scripted server, because the simulator never has more than one component per cluster.
"""

from __future__ import annotations

import functools

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import components_info

CLUSTER = "cluster-proxy"
LIST = "ComponentsAPIListComponents"


def set_proxy(sim, **component):
    sim.control("POST", "components", dict(component, cluster_id=CLUSTER))


def lists(sim):
    return [r for r in sim.requests() if r["operation_id"] == LIST]


@pytest.fixture
def sleeps(monkeypatch):
    """The waiter's sleeps, recorded instead of slept; a test may add what happens while "sleeping"."""
    done = []
    during = []

    def sleeper(seconds):
        done.append(seconds)
        for action in during:
            action()

    monkeypatch.setattr(components_info, "wait_for", functools.partial(components_info.wait_for, sleeper=sleeper))
    return done, during


def test_lists_the_proxy_of_a_cluster(run, sim):
    outcome = run(components_info.main, cluster_id=CLUSTER)
    assert not outcome.failed, outcome
    assert outcome.result["changed"] is False
    assert outcome.result["cluster_id"] == CLUSTER
    assert outcome.result["organization_id"] == sim.organization_id
    (proxy,) = outcome.result["components"]
    assert proxy["type"] == "PROXY" and proxy["status"] == "RUNNING" and proxy["version"] == "v0.24.1"
    assert proxy["cluster_id"] == CLUSTER and proxy["warning"] is None
    assert set(proxy) == {
        "type",
        "status",
        "version",
        "warning",
        "cluster_id",
        "organization_id",
        "create_time",
        "update_time",
    }
    requests = sim.requests()
    assert [r["operation_id"] for r in requests] == [LIST]
    assert requests[0]["path"].endswith("/organizations/%s/clusters/%s/components" % (sim.organization_id, CLUSTER))
    assert outcome.result["api_calls"] == 1


def test_a_cluster_without_components_is_an_empty_list(run, sim):
    set_proxy(sim, remove=True)
    outcome = run(components_info.main, cluster_id=CLUSTER)
    assert outcome.result["components"] == []


def test_reads_every_page(run_module, api_server):
    org = "11111111-1111-4111-8111-111111111111"
    component = {
        "clusterId": CLUSTER,
        "organizationId": org,
        "createTime": "2025-01-01T00:00:00Z",
        "updateTime": "2025-01-01T00:00:00Z",
        "version": "v1",
        "status": "RUNNING",
    }
    api_server.reply(200, {"items": [dict(component, type="PROXY")], "nextPageCursor": "page-2", "totalCount": 2})
    api_server.reply(200, {"items": [dict(component, type="TYPE_UNSPECIFIED", status="NOT_RUNNING")], "totalCount": 2})
    outcome = run_module(
        components_info.main,
        {
            "api_url": api_server.url,
            "api_token": "token-components-1234",
            "organization_id": org,
            "cluster_id": CLUSTER,
        },
    )
    assert not outcome.failed, outcome
    assert [c["type"] for c in outcome.result["components"]] == ["PROXY", "TYPE_UNSPECIFIED"]
    first, second = api_server.requests
    assert "page.cursor" not in first.query
    assert second.query["page.cursor"] == ["page-2"]


def test_check_mode_reads_the_same(run, sim):
    normal = run(components_info.main, cluster_id=CLUSTER).result
    checked = run(components_info.main, cluster_id=CLUSTER, check_mode=True, wait_running=True).result
    assert checked["components"] == normal["components"]
    assert {r["method"] for r in sim.requests()} == {"GET"}


# --- waiting for the proxy -------------------------------------------------------------------------------------------


def test_a_running_proxy_ends_the_wait_at_once(run, sim, sleeps):
    outcome = run(components_info.main, cluster_id=CLUSTER, wait_running=True)
    assert not outcome.failed, outcome
    assert len(lists(sim)) == 1
    assert sleeps[0] == []
    assert outcome.warnings == []


def test_waits_until_the_proxy_runs(run, sim, sleeps):
    done, during = sleeps
    set_proxy(sim, status="NOT_RUNNING", warning="starting")
    during.append(lambda: set_proxy(sim, status="RUNNING", version="v0.25.0"))
    outcome = run(components_info.main, cluster_id=CLUSTER, wait_running=True, wait_sleep=3)
    assert not outcome.failed, outcome
    assert done == [3]
    assert len(lists(sim)) == 2
    (proxy,) = outcome.result["components"]
    assert (proxy["status"], proxy["version"]) == ("RUNNING", "v0.25.0")
    assert outcome.result["api_calls"] == 2


def test_a_proxy_that_does_not_run_fails_with_its_warning(run, sim, sleeps):
    set_proxy(sim, status="NOT_RUNNING", warning="the proxy cannot reach api.cast.ai")
    outcome = run(components_info.main, cluster_id=CLUSTER, wait_running=True, wait_timeout=0)
    assert outcome.failed
    assert outcome.result["msg"] == (
        "cluster %s: timed out after 0 seconds (1 polls) waiting for the PROXY component to report RUNNING; last seen: "
        "PROXY v0.24.1 NOT_RUNNING, warning: the proxy cannot reach api.cast.ai" % CLUSTER
    )
    assert outcome.result["components"][0]["status"] == "NOT_RUNNING"
    assert outcome.result["changed"] is False
    assert len(lists(sim)) == 1


def test_the_wait_polls_until_the_timeout(run, sim, sleeps, monkeypatch):
    done, during = sleeps
    clock = [0.0]
    monkeypatch.setattr(
        components_info,
        "wait_for",
        functools.partial(
            components_info.wait_for,
            clock=lambda: clock[0],
            sleeper=lambda seconds: (done.append(seconds), clock.__setitem__(0, clock[0] + seconds)),
        ),
    )
    set_proxy(sim, status="NOT_RUNNING")
    outcome = run(components_info.main, cluster_id=CLUSTER, wait_running=True, wait_timeout=25, wait_sleep=10)
    assert outcome.failed
    assert done == [10, 10, 5]
    assert len(lists(sim)) == 4
    assert "(4 polls)" in outcome.result["msg"] and "warning: none" in outcome.result["msg"]


def test_no_proxy_at_all_is_said_so(run, sim, sleeps):
    set_proxy(sim, remove=True)
    outcome = run(components_info.main, cluster_id=CLUSTER, wait_running=True, wait_timeout=0)
    assert outcome.failed
    assert outcome.result["msg"].endswith(
        "last seen: no PROXY component (is the AI Optimizer proxy installed in the cluster?)"
    )
    assert outcome.result["components"] == []


def test_a_running_proxy_with_a_warning_passes_and_warns(run, sim, sleeps):
    set_proxy(sim, status="RUNNING", warning="version v0.24.1 is outdated")
    outcome = run(components_info.main, cluster_id=CLUSTER, wait_running=True)
    assert not outcome.failed, outcome
    assert outcome.warnings == [
        "The PROXY component of cluster %s runs with a warning: version v0.24.1 is outdated" % CLUSTER
    ]


def test_an_api_error_while_waiting_fails_with_the_api_message(run, sim, sleeps):
    set_proxy(sim, status="NOT_RUNNING")
    sim.fault(kind="status", status=500, operation_id=LIST, count=2)
    outcome = run(components_info.main, cluster_id=CLUSTER, wait_running=True)
    assert outcome.failed
    assert outcome.result["msg"].startswith("list components of cluster %s: HTTP 500" % CLUSTER)


# --- bad input and other organizations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ({"wait_timeout": -1}, "wait_timeout must not be negative, got -1"),
        ({"wait_sleep": 0}, "wait_sleep must be a finite number greater than 0, got 0.0"),
        ({"wait_sleep": float("inf")}, "wait_sleep must be a finite number greater than 0, got inf"),
        ({"cluster_id": ".."}, "cluster_id must be a single ID, not a path: '..'"),
        ({"cluster_id": ""}, "cluster_id must not be empty"),
    ],
)
def test_bad_input_fails_before_any_request(run, sim, args, message):
    outcome = run(components_info.main, organization_id=None, **dict({"cluster_id": CLUSTER}, **args))
    assert outcome.failed
    assert message in outcome.result["msg"]
    assert sim.requests() == []


def test_another_organization_is_refused_by_the_api(run, sim):
    other = sim.control("POST", "organizations", {})
    outcome = run(components_info.main, cluster_id=CLUSTER, organization_id=other["organization_id"])
    assert outcome.failed
    assert outcome.result["msg"].startswith("list components of cluster %s: HTTP 403" % CLUSTER)
    assert other["token"] not in outcome.result["msg"] and sim.token not in str(outcome.result)
