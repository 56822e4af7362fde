# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""APIClient against a scripted HTTP server: headers, retries, pagination and error decoding."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.castai.ai_optimizer.plugins.module_utils._client import APIClient, APIError
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.operations import OPERATIONS
from ansible_collections.castai.ai_optimizer.plugins.module_utils._version import COLLECTION_VERSION

pytestmark = pytest.mark.usefixtures("retry_sleeps")

TOKEN = "secret-token-0123456789abcdef"
ORG = "11111111-1111-4111-8111-111111111111"
CLUSTER = "22222222-2222-4222-8222-222222222222"

VERIFY = "APIKeysAPIVerifyAPIKey"  # POST
CREATE = "APIKeysAPICreateAPIKey"  # POST
LIST_MODELS = "HostedModelsAPIListHostedModels"  # GET, paged
MODELS_PATH = "/ai-optimizer/v1beta/organizations/%s/clusters/%s/hosted-models" % (ORG, CLUSTER)
LIST_PARAMS = {"organizationId": ORG, "clusterId": CLUSTER}


@pytest.fixture
def make_client(api_server):
    clients = []

    def make(**kwargs):
        kwargs.setdefault("api_url", api_server.url)
        kwargs.setdefault("api_token", TOKEN)
        kwargs.setdefault("timeout", 5)
        client = APIClient(**kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.session.close()


@pytest.fixture
def client(make_client):
    return make_client(retries=3, retry_backoff=0.5)


def assert_no_token(error):
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error.to_failure())


def test_operations_used_here_have_the_expected_methods():
    # The retry tests below rely on these being a POST and a GET.
    assert OPERATIONS[VERIFY]["method"] == "POST"
    assert OPERATIONS[CREATE]["method"] == "POST"
    assert OPERATIONS[LIST_MODELS]["method"] == "GET"


def test_sends_api_key_and_user_agent(api_server, client):
    api_server.reply(200, {"organizationId": ORG})

    assert client.verify() == ORG

    (request,) = api_server.requests
    assert request.method == "POST"
    assert request.path == OPERATIONS[VERIFY]["path"]
    assert request.headers["x-api-key"] == TOKEN
    assert request.headers["user-agent"] == "castai.ai_optimizer/%s" % COLLECTION_VERSION
    assert request.json() == {}


def test_path_params_are_quoted_and_none_query_values_dropped(api_server, client):
    api_server.reply(200, {"items": []})

    client.call(LIST_MODELS, {"organizationId": "a/b c", "clusterId": CLUSTER},
                query={"sort.field": "createTime", "sort.order": None})

    (request,) = api_server.requests
    assert request.path == "/ai-optimizer/v1beta/organizations/a%%2Fb%%20c/clusters/%s/hosted-models" % CLUSTER
    assert request.query == {"sort.field": ["createTime"]}


def test_missing_path_param_fails_before_any_request(api_server, client):
    with pytest.raises(ValueError, match="clusterId"):
        client.call(LIST_MODELS, {"organizationId": ORG})
    assert api_server.requests == []


def test_empty_success_body_is_an_empty_dict(api_server, client):
    api_server.reply(200, None)
    assert client.call(LIST_MODELS, LIST_PARAMS) == {}


# --- retries --------------------------------------------------------------------------------------------------------

def test_429_waits_for_retry_after(api_server, client, retry_sleeps):
    api_server.reply(429, {"code": 8, "message": "slow down"}, headers={"Retry-After": "7"})
    api_server.reply(200, {"items": [{"id": "m1"}]})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": [{"id": "m1"}]}

    assert len(api_server.requests) == 2
    assert retry_sleeps == [7]


def test_post_is_sent_again_after_429(api_server, client, retry_sleeps):
    api_server.reply(429, {"message": "slow down"}, headers={"Retry-After": "3"})
    api_server.reply(200, {"token": "new-token"})

    assert client.call(CREATE, {"organizationId": ORG}, body={}) == {"token": "new-token"}

    assert [r.method for r in api_server.requests] == ["POST", "POST"]
    assert retry_sleeps == [3]


def test_get_is_retried_after_503(api_server, client):
    api_server.reply(503, {"message": "try later"})
    api_server.reply(503, {"message": "try later"})
    api_server.reply(200, {"items": []})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert len(api_server.requests) == 3


def test_get_is_retried_after_dropped_connection(api_server, client):
    api_server.drop()
    api_server.reply(200, {"items": []})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert len(api_server.requests) == 2


def test_post_is_not_sent_again_after_503(api_server, client):
    api_server.reply(503, {"message": "backend unavailable"})
    api_server.reply(200, {"token": "second-key"})

    with pytest.raises(APIError) as caught:
        client.call(CREATE, {"organizationId": ORG}, body={})

    assert len(api_server.requests) == 1
    assert caught.value.status == 503
    assert caught.value.message == "backend unavailable"
    assert api_server.pending == 1


def test_post_is_not_sent_again_after_the_connection_drops(api_server, client):
    api_server.drop()
    api_server.reply(200, {"token": "second-key"})

    with pytest.raises(APIError) as caught:
        client.call(CREATE, {"organizationId": ORG}, body={})

    assert len(api_server.requests) == 1
    assert caught.value.status is None
    assert caught.value.method == "POST"
    assert api_server.pending == 1
    assert_no_token(caught.value)


def test_exhausted_retries_report_the_last_answer(api_server, make_client, retry_sleeps):
    client = make_client(retries=2, retry_backoff=0.5)
    api_server.reply(503, {"message": "first"})
    api_server.reply(502, {"message": "second"})
    api_server.reply(504, {"code": 14, "message": "still unavailable"})
    api_server.reply(200, {"items": []})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    assert len(api_server.requests) == 3
    assert caught.value.status == 504
    assert caught.value.message == "still unavailable"
    assert caught.value.code_name == "UNAVAILABLE"
    assert "still unavailable" in str(caught.value)
    # Without Retry-After the waits grow exponentially from retry_backoff.
    assert retry_sleeps == [1.0]


def test_retries_zero_sends_once(api_server, make_client):
    client = make_client(retries=0)
    api_server.reply(503, {"message": "down"})
    api_server.reply(200, {"items": []})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)
    assert caught.value.status == 503
    assert len(api_server.requests) == 1


def test_post_is_sent_again_when_the_connection_never_opened(make_client, retry_sleeps):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        client = make_client(api_url="http://127.0.0.1:%d" % sock.getsockname()[1], retries=3, retry_backoff=0.5)
        with pytest.raises(APIError) as caught:
            client.call(CREATE, {"organizationId": ORG}, body={})

    assert caught.value.status is None
    # Four attempts: no wait before the first retry, then the backoff doubles.
    assert retry_sleeps == [1.0, 2.0]


def test_backoff_is_capped_at_30_seconds(api_server, make_client, retry_sleeps):
    client = make_client(retries=3, retry_backoff=20)
    for attempt in range(3):
        api_server.reply(502, {"message": "bad gateway %d" % attempt})
    api_server.reply(200, {"items": []})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert retry_sleeps == [30, 30]


# --- pagination -----------------------------------------------------------------------------------------------------

def test_paginate_reads_every_page_in_order(api_server, client):
    api_server.reply(200, {"items": [{"id": "1"}, {"id": "2"}], "nextPageCursor": "c1"})
    api_server.reply(200, {"items": [{"id": "3"}], "nextPageCursor": "c2"})
    api_server.reply(200, {"items": [{"id": "4"}, {"id": "5"}], "nextPageCursor": ""})

    items = list(client.paginate(LIST_MODELS, LIST_PARAMS, query={"sort.field": "createTime"}, page_size=2))

    assert [i["id"] for i in items] == ["1", "2", "3", "4", "5"]
    assert len(api_server.requests) == 3
    assert [r.query.get("page.cursor") for r in api_server.requests] == [None, ["c1"], ["c2"]]
    for request in api_server.requests:
        assert request.method == "GET"
        assert request.path == MODELS_PATH
        assert request.query["page.limit"] == ["2"]
        assert request.query["sort.field"] == ["createTime"]


def test_paginate_stops_on_a_repeated_cursor(api_server, client):
    api_server.reply(200, {"items": [{"id": "1"}], "nextPageCursor": "same"})
    api_server.reply(200, {"items": [{"id": "2"}], "nextPageCursor": "same"})
    api_server.reply(200, {"items": [{"id": "3"}], "nextPageCursor": ""})

    seen = []
    with pytest.raises(APIError, match="same page cursor"):
        for item in client.paginate(LIST_MODELS, LIST_PARAMS):
            seen.append(item["id"])

    assert len(api_server.requests) == 2
    assert seen == ["1", "2"]


# --- error decoding -------------------------------------------------------------------------------------------------

def test_google_rpc_status_body(api_server, client):
    details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "MODEL_GONE"}]
    api_server.reply(404, {"code": 5, "message": "hosted model not found", "details": details},
                     headers={"X-Request-Id": "req-42"})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    error = caught.value
    assert error.status == 404
    assert error.message == "hosted model not found"
    assert error.code == 5
    assert error.code_name == "NOT_FOUND"
    assert error.details == details
    assert error.request_id == "req-42"
    assert str(error) == "HTTP 404 NOT_FOUND: hosted model not found"
    failure = error.to_failure()
    assert failure["status"] == 404
    assert failure["code_name"] == "NOT_FOUND"
    assert failure["details"] == details
    assert failure["method"] == "GET"
    assert failure["path"] == MODELS_PATH
    assert_no_token(error)


def test_field_violations_body(api_server, client):
    violations = [
        {"field": "horizontalAutoscaling.maxReplicas", "description": "must be at least minReplicas"},
        {"field": "port", "description": "must be between 1 and 65535"},
    ]
    api_server.reply(400, {"message": "invalid hosted model", "fieldViolations": violations})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    error = caught.value
    assert error.status == 400
    assert error.field_violations == violations
    assert error.to_failure()["field_violations"] == violations
    text = str(error)
    assert "invalid hosted model" in text
    assert "horizontalAutoscaling.maxReplicas: must be at least minReplicas" in text
    assert "port: must be between 1 and 65535" in text


def test_non_json_error_body_uses_the_reason_phrase(api_server, client):
    api_server.reply(500, "<html><body>upstream exploded</body></html>", reason="Upstream Trouble")

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    assert caught.value.status == 500
    assert caught.value.message == "Upstream Trouble"
    assert caught.value.code is None
    assert "upstream exploded" not in str(caught.value)


def test_success_with_invalid_json_does_not_echo_the_body(api_server, client):
    body = '{"token": "minted-secret-value", oops'
    api_server.reply(200, body)

    with pytest.raises(APIError) as caught:
        client.call(CREATE, {"organizationId": ORG}, body={})

    error = caught.value
    assert error.status == 200
    assert "not valid JSON" in error.message
    assert "minted-secret-value" not in str(error)
    assert "minted-secret-value" not in repr(error.to_failure())
    assert len(api_server.requests) == 1


def test_connection_refused(make_client):
    # A bound socket that never listens refuses connections, and nobody else can take its port meanwhile.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        client = make_client(api_url="http://127.0.0.1:%d/" % port, retries=1)
        with pytest.raises(APIError) as caught:
            client.verify()

    error = caught.value
    assert error.status is None
    assert error.method == "POST"
    assert error.message.startswith("cannot reach http://127.0.0.1:%d" % port)
    assert error.to_failure()["status"] is None
    assert not str(error).startswith("HTTP")
    assert_no_token(error)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 500])
def test_errors_never_contain_the_token(api_server, client, status):
    api_server.reply(status, {"message": "rejected"})
    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)
    assert caught.value.status == status
    assert_no_token(caught.value)


def test_error_without_status_has_no_http_prefix():
    error = APIError("no answer", method="GET", path="/x")
    assert str(error) == "no answer"
    assert error.code_name is None
    assert error.to_failure() == {
        "status": None, "code": None, "code_name": None, "message": "no answer", "details": [],
        "field_violations": [], "request_id": None, "method": "GET", "path": "/x",
    }
