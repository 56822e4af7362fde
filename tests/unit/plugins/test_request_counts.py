# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a task costs in requests on large clusters (issue 13): asserted from the simulator's request log, never times."""

from __future__ import annotations

import math

from ansible_collections.castai.ai_optimizer.plugins.modules import hosted_model, hosted_models_info

PAGE = 1000


def seed(sim, cluster, count):
    models = sim.control(
        "POST",
        "hosted-models",
        {
            "cluster_id": cluster,
            "count": count,
            "model": {"service": "bulk", "modelSpecsId": "spec-1", "port": 8080, "status": "RUNNING"},
        },
    )
    sim.control("DELETE", "requests")
    return models


def list_requests(sim, cluster):
    return [
        r for r in sim.requests() if r["method"] == "GET" and r["path"].endswith("/clusters/%s/hosted-models" % cluster)
    ]


def test_ten_thousand_models_in_ten_requests_at_the_largest_page(run, sim):
    seed(sim, "big", 10000)
    outcome = run(hosted_models_info.main, cluster_id="big")
    assert not outcome.failed, outcome.result["msg"]
    assert len(outcome.result["hosted_models"]) == 10000
    pages = list_requests(sim, "big")
    assert len(pages) == 10 == outcome.result["api_calls"]
    assert all(r["query"]["page.limit"] in (["1000"], "1000") for r in pages)


def test_lookup_by_id_reads_only_up_to_the_page_that_holds_it(run, sim):
    models = seed(sim, "lookup", 2500)
    first, late = models[0], models[1500]
    for model, pages in ((first, 1), (late, 2)):
        sim.control("DELETE", "requests")
        outcome = run(hosted_model.main, cluster_id="lookup", id=model["id"], wait=False)
        assert not outcome.failed and outcome.result["changed"] is False, outcome.result.get("msg")
        assert outcome.result["hosted_model"]["id"] == model["id"]
        assert len(list_requests(sim, "lookup")) == pages == outcome.result["api_calls"]


def test_each_wait_poll_reads_only_as_many_pages_as_the_model_needs(run, sim):
    seed(sim, "poll", 2500)
    outcome = run(
        hosted_model.main,
        cluster_id="poll",
        service="newcomer",
        model_specs_id="spec-1",
        port=8080,
        wait_sleep=0.02,
        wait_timeout=60,
    )
    assert not outcome.failed, outcome.result["msg"]
    # The lookup by service reads every page (a second model with the service must be seen); each poll then looks
    # the new model up by ID: it is the last one, so a poll reads ceil(2501 / 1000) pages, not 26 at 100 a page.
    per_poll = math.ceil(2501 / PAGE)
    lists = len(list_requests(sim, "poll"))
    polls = lists - per_poll
    assert polls > 0 and polls % per_poll == 0
    writes = list(sim.writes())
    assert [r["method"] for r in writes] == ["POST"]
    assert outcome.result["api_calls"] == lists + len(writes)
