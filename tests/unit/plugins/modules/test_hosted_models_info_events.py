# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hosted_models_info include_events: every page of the events list, the time window, and bad windows."""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.modules import hosted_models_info

TOKEN = "events-token-eeeeeeeeeeee"
ORG = "11111111-1111-4111-8111-111111111111"
CLUSTER = "33333333-3333-4333-8333-333333333333"
MODEL = {"id": "hm-1", "clusterId": CLUSTER, "modelSpecsId": "s", "service": "llama", "port": 8080, "status": "RUNNING"}


def event(event_id, event_type, **blocks):
    base = {
        "id": event_id,
        "organizationId": ORG,
        "clusterId": CLUSTER,
        "hostedModelId": "hm-1",
        "createTime": "2025-01-01T00:00:0%sZ" % event_id[-1],
        "type": event_type,
        "initiator": {"userType": "SYSTEM"},
    }
    base.update(blocks)
    return base


@pytest.fixture
def run(run_module, api_server):
    def run_info(**args):
        args.setdefault("api_url", api_server.url)
        args.setdefault("api_token", TOKEN)
        args.setdefault("organization_id", ORG)
        args.setdefault("cluster_id", CLUSTER)
        return run_module(hosted_models_info.main, args)

    return run_info


def test_events_of_every_page(run, api_server):
    api_server.reply(200, {"items": [MODEL], "totalCount": 1})
    api_server.reply(
        200,
        {
            "items": [event("e2", "SCALED_UP", scaledUp={"fromReplicas": 1, "toReplicas": 2})],
            "nextPageCursor": "c2",
            "totalCount": 2,
        },
    )
    api_server.reply(200, {"items": [event("e1", "HIBERNATED")], "totalCount": 2})

    out = run(
        include_events=True, events_start_time="2025-01-01T00:00:00Z", events_end_time="2025-01-02T00:00:00.5+02:00"
    )

    assert not out.failed, out
    events = out.result["hosted_models"][0]["events"]
    assert [e["id"] for e in events] == ["e2", "e1"]
    assert events[0]["scaled_up"]["to_replicas"] == 2
    assert events[1]["initiator"]["user_type"] == "SYSTEM"
    assert "pods" not in out.result["hosted_models"][0]
    first, second = api_server.requests[1:]
    assert first.path.endswith("/hosted-models/hm-1/events")
    assert first.query["startTime"] == ["2025-01-01T00:00:00Z"]
    assert first.query["endTime"] == ["2025-01-02T00:00:00.5+02:00"]
    assert second.query["page.cursor"] == ["c2"]


def test_no_events_without_the_option(run, api_server):
    api_server.reply(200, {"items": [MODEL], "totalCount": 1})
    out = run()
    assert "events" not in out.result["hosted_models"][0]
    assert len(api_server.requests) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        ({"include_events": True, "events_start_time": "yesterday"}, "events_start_time must be an RFC 3339 timestamp"),
        ({"include_events": True, "events_end_time": "2025-01-01T00:00:00"}, "events_end_time must be an RFC 3339"),
        ({"events_start_time": "2025-01-01T00:00:00Z"}, "events_start_time needs include_events=true"),
    ],
)
def test_bad_window_makes_no_request(run, api_server, args, message):
    out = run(**args)
    assert out.failed and message in out.result["msg"]
    assert api_server.requests == []
