# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""APIClient against scripted servers: headers, retries, waits, answer checks, TLS, pagination and error decoding."""

from __future__ import annotations

import datetime
import email.utils
import socket
import struct
import threading
import traceback
from collections import deque

import pytest

from ansible_collections.castai.ai_optimizer.plugins.module_utils import _client
from ansible_collections.castai.ai_optimizer.plugins.module_utils._client import (
    APIClient,
    APIError,
    library_problem,
    parse_retry_after,
)
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.operations import OPERATIONS
from ansible_collections.castai.ai_optimizer.plugins.module_utils._version import COLLECTION_VERSION
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.harness import ScriptedServer

TOKEN = "leak-canary-7f3a9c21e5d04b6a"
ORG = "11111111-1111-4111-8111-111111111111"
CLUSTER = "22222222-2222-4222-8222-222222222222"

VERIFY = "APIKeysAPIVerifyAPIKey"  # POST that changes nothing
CREATE = "APIKeysAPICreateAPIKey"  # POST that creates
UPDATE_BUDGET = "APIKeysAPIUpdateAPIKeyBudget"  # PATCH
DELETE_BUDGET = "APIKeysAPIDeleteAPIKeyBudget"  # DELETE, no response body declared
UPSERT_SETTINGS = "SettingsAPIUpsertAPIKeySettings"  # PUT
GET_SETTINGS = "SettingsAPIGetSettings"  # GET returning an object
LIST_MODELS = "HostedModelsAPIListHostedModels"  # GET, paged
MODELS_PATH = "/ai-optimizer/v1beta/organizations/%s/clusters/%s/hosted-models" % (ORG, CLUSTER)
LIST_PARAMS = {"organizationId": ORG, "clusterId": CLUSTER}
SETTINGS_PARAMS = {"organizationId": ORG}
BUDGET_PARAMS = {"organizationId": ORG, "apiKeyId": "key-1"}


# --- servers --------------------------------------------------------------------------------------------------------

RESET = object()  # close with a TCP reset after reading the request
SILENT = object()  # read the request, then never answer


def raw_answer(status_line, body=b"", headers=()):
    head = [status_line, "Connection: close"] + list(headers)
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body


class RawServer:
    """Answers each connection with the next scripted bytes, a reset or silence; for what ScriptedServer cannot."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # closing a socket does not wake a blocked accept(); polling does
        self._stopping = threading.Event()
        self.url = "http://127.0.0.1:%d" % self._listener.getsockname()[1]
        self.requests = []  # request lines
        self._script = deque()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def add(self, *answers):
        self._script.extend(answers)

    def _serve(self):
        while not self._stopping.is_set():
            try:
                conn = self._listener.accept()[0]
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    self._answer(conn)
                except OSError:
                    pass

    def _answer(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        length = [
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        ]
        while length and len(body) < length[0]:
            body += conn.recv(65536)
        self.requests.append(head.split(b"\r\n")[0].decode("ascii"))
        answer = self._script.popleft() if self._script else raw_answer("HTTP/1.1 599 No Script")
        if answer is RESET:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif answer is SILENT:
            conn.recv(1)  # until the client gives up and closes
        else:
            conn.sendall(answer)

    def close(self):
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def raw_server():
    server = RawServer()
    yield server
    server.close()


@pytest.fixture
def make_client():
    clients = []

    def make(api_url, **kwargs):
        kwargs.setdefault("api_token", TOKEN)
        kwargs.setdefault("api_timeout", 5)
        kwargs.setdefault("api_retries", 3)
        kwargs.setdefault("api_retry_backoff", 0.5)
        client = APIClient(api_url, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.session.close()


@pytest.fixture
def client(make_client, api_server):
    return make_client(api_server.url)


@pytest.fixture
def refused_url():
    """A URL whose port refuses connections: a bound socket that never listens (nobody else can take the port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield "http://127.0.0.1:%d" % sock.getsockname()[1]


def assert_no_token(error):
    texts = [
        str(error),
        error.message,
        repr(error.args),
        repr(error.to_failure()),
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    ]
    for text in texts:
        assert TOKEN not in text
        assert TOKEN[:12] not in text


def test_operations_used_here_have_the_expected_methods():
    # The retry rules tested below depend on these methods.
    expected = {
        VERIFY: "POST",
        CREATE: "POST",
        UPDATE_BUDGET: "PATCH",
        DELETE_BUDGET: "DELETE",
        UPSERT_SETTINGS: "PUT",
        GET_SETTINGS: "GET",
        LIST_MODELS: "GET",
    }
    assert {op: OPERATIONS[op]["method"] for op in expected} == expected
    assert OPERATIONS[DELETE_BUDGET]["response"] is None
    assert OPERATIONS[GET_SETTINGS]["response"]


def test_library_floors():
    assert _client.HAS_REQUESTS is True
    assert library_problem("2.28.0", "1.26.0") is None
    assert library_problem("2.32.3", "2.2.1") is None
    old = library_problem("2.27.1", "1.26.20")
    assert (
        old == "requests >= 2.28 with urllib3 >= 1.26 is required; this Python has requests 2.27.1 and urllib3 1.26.20"
    )
    assert "urllib3 1.25.11" in library_problem("2.28.0", "1.25.11")


# --- requests as sent -----------------------------------------------------------------------------------------------


def test_sends_api_key_and_user_agent(api_server, client):
    api_server.reply(200, {"organizationId": ORG})

    assert client.verify() == ORG

    (request,) = api_server.requests
    assert request.method == "POST"
    assert request.path == OPERATIONS[VERIFY]["path"]
    assert request.headers["x-api-key"] == TOKEN
    assert request.headers["user-agent"] == "castai.ai_optimizer/%s" % COLLECTION_VERSION
    assert request.json() == {}
    assert client.requests_made == 1


@pytest.mark.parametrize("raw", ["%s\n" % TOKEN, "  %s\t\r\n" % TOKEN, "\n%s" % TOKEN])
def test_surrounding_whitespace_is_removed_from_the_token(api_server, make_client, raw):
    api_server.reply(200, {"organizationId": ORG})
    assert make_client(api_server.url, api_token=raw).verify() == ORG
    assert api_server.requests[0].headers["x-api-key"] == TOKEN


@pytest.mark.parametrize(
    "token, kind",
    [
        ("leak-canary\n7f3a9c21e5d04b6a", "whitespace inside it"),
        ("leak-canary 7f3a9c21e5d04b6a", "whitespace inside it"),
        ("leak-canary\x007f3a9c21e5d04b6a", "a control character"),
        ("leak-canary\x1b7f3a9c21e5d04b6a", "a control character"),
        ("leak-canary\x7f7f3a9c21e5d04b6a", "a control character"),
        ("leak-canary\u00e97f3a9c21e5d04b6a", "a non-ASCII character"),
        ("leak-canary\u20287f3a9c21e5d04b6a", "a non-ASCII character"),
        ("", "is empty"),
        (None, "is empty"),
    ],
)
def test_a_token_a_header_cannot_carry_fails_before_any_request(api_server, make_client, token, kind):
    client = make_client(api_server.url, api_token=token)
    with pytest.raises(APIError) as caught:
        client.call(GET_SETTINGS, SETTINGS_PARAMS)

    error = caught.value
    assert kind in error.message
    assert error.message.startswith("the API token ")
    assert (error.status, error.sent, error.attempts) == (None, False, 0)
    assert "leak-canary" not in str(error)
    assert api_server.requests == []
    assert client.requests_made == 0


def test_path_params_are_quoted_and_none_query_values_dropped(api_server, client):
    api_server.reply(200, {"items": []})

    client.call(
        LIST_MODELS,
        {"organizationId": "a/b c", "clusterId": CLUSTER},
        query={"sort.field": "createTime", "sort.order": None},
    )

    (request,) = api_server.requests
    assert request.path == "/ai-optimizer/v1beta/organizations/a%%2Fb%%20c/clusters/%s/hosted-models" % CLUSTER
    assert request.query == {"sort.field": ["createTime"]}


@pytest.mark.parametrize("value", [None, "", ".", "..", "c1\n", "c\x00"])
def test_unusable_path_params_fail_before_any_request(api_server, client, value):
    params = dict(LIST_PARAMS, clusterId=value)
    if value is None:
        del params["clusterId"]
    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, params)

    assert "path parameter clusterId" in caught.value.message
    assert caught.value.sent is False
    assert caught.value.attempts == 0
    assert api_server.requests == []


def test_redirects_are_not_followed(api_server, client):
    # Following one would carry X-API-Key to wherever the answer points.
    api_server.reply(301, None, headers={"Location": "https://elsewhere.test/x"}, reason="Moved Permanently")
    api_server.reply(200, {"organizationId": ORG})

    with pytest.raises(APIError) as caught:
        client.verify()

    assert caught.value.status == 301
    assert "redirect to https://elsewhere.test/x not followed" in caught.value.message
    assert len(api_server.requests) == 1


# --- answers checked before use -------------------------------------------------------------------------------------


def test_empty_body_where_an_object_is_expected_is_an_error(api_server, client):
    api_server.reply(200, None)

    with pytest.raises(APIError) as caught:
        client.call(GET_SETTINGS, SETTINGS_PARAMS)

    error = caught.value
    assert error.message == (
        "the API answered an empty body for GET /ai-optimizer/v1beta/organizations/%s/settings "
        "where an object was expected" % ORG
    )
    assert (error.status, error.sent, error.attempts) == (200, True, 1)
    assert len(api_server.requests) == 1


@pytest.mark.parametrize("body", [None, {}])
def test_delete_may_answer_empty_or_an_empty_object(api_server, client, body):
    api_server.reply(200, body)
    assert client.call(DELETE_BUDGET, BUDGET_PARAMS) == {}


@pytest.mark.parametrize(
    "body, kind",
    [
        ([{"id": "m1"}], "a JSON list"),
        ("just text", "a JSON string"),
        (42, "a JSON number"),
        (None, "JSON null"),
        (True, "a JSON boolean"),
    ],
)
def test_top_level_answer_must_be_an_object(api_server, client, body, kind):
    import json

    api_server.reply(200, json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    with pytest.raises(APIError) as caught:
        client.call(GET_SETTINGS, SETTINGS_PARAMS)

    assert caught.value.message.startswith("the API answered %s for GET " % kind)
    assert caught.value.message.endswith("where an object was expected")
    assert caught.value.status == 200
    assert caught.value.sent is True


def test_verify_refuses_a_non_string_organization_id(api_server, client):
    api_server.reply(200, {"organizationId": 12})
    with pytest.raises(APIError, match="organizationId that is a JSON number, not a string") as caught:
        client.verify()
    assert caught.value.status == 200


def test_success_with_invalid_json_does_not_echo_the_body(api_server, client):
    api_server.reply(200, '{"token": "minted-secret-value", oops')

    with pytest.raises(APIError) as caught:
        client.call(CREATE, {"organizationId": ORG}, body={})

    error = caught.value
    assert error.status == 200
    assert "not valid JSON" in error.message
    assert "minted-secret-value" not in str(error)
    assert "minted-secret-value" not in repr(error.to_failure())
    # A create whose answer is garbled may have minted a key: never sent twice.
    assert len(api_server.requests) == 1
    assert error.sent is True


# --- retries --------------------------------------------------------------------------------------------------------


def test_429_waits_for_retry_after(api_server, client, client_waits):
    api_server.reply(429, {"code": 8, "message": "slow down"}, headers={"Retry-After": "7"})
    api_server.reply(200, {"items": [{"id": "m1"}]})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": [{"id": "m1"}]}

    assert len(api_server.requests) == 2
    assert client_waits == [7]
    assert client.requests_made == 2


def test_post_is_sent_again_after_429(api_server, client, client_waits):
    api_server.reply(429, {"message": "slow down"}, headers={"Retry-After": "3"})
    api_server.reply(200, {"token": "new-token"})

    assert client.call(CREATE, {"organizationId": ORG}, body={}) == {"token": "new-token"}

    assert [r.method for r in api_server.requests] == ["POST", "POST"]
    assert client_waits == [3]


@pytest.mark.parametrize(
    "operation, params, body",
    [
        (LIST_MODELS, LIST_PARAMS, None),
        (VERIFY, {}, {}),
        (UPSERT_SETTINGS, {"organizationId": ORG, "id": "key-1"}, {}),
        (DELETE_BUDGET, BUDGET_PARAMS, None),
    ],
)
@pytest.mark.parametrize("status", [502, 503, 504])
def test_safe_operations_are_retried_after_5xx(api_server, client, client_waits, operation, params, body, status):
    api_server.reply(status, {"message": "try later"})
    api_server.reply(status, {"message": "try later"})
    api_server.reply(200, {"organizationId": ORG, "items": []})

    assert client.call(operation, params, body=body)["organizationId"] == ORG
    assert len(api_server.requests) == 3
    assert client_waits == [0.5, 1.0]


@pytest.mark.parametrize("operation, params", [(CREATE, {"organizationId": ORG}), (UPDATE_BUDGET, BUDGET_PARAMS)])
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_writes_that_are_not_idempotent_are_not_sent_again_after_5xx(api_server, client, operation, params, status):
    api_server.reply(status, {"message": "backend unavailable"})
    api_server.reply(200, {"token": "second-key"})

    with pytest.raises(APIError) as caught:
        client.call(operation, params, body={})

    assert len(api_server.requests) == 1
    assert (caught.value.status, caught.value.sent, caught.value.attempts) == (status, True, 1)
    assert caught.value.message == "backend unavailable"
    assert api_server.pending == 1


def test_get_is_retried_after_dropped_connection(api_server, client):
    api_server.drop()
    api_server.reply(200, {"items": []})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert len(api_server.requests) == 2


def test_verify_is_retried_after_dropped_connection(api_server, client):
    api_server.drop()
    api_server.reply(200, {"organizationId": ORG})

    assert client.verify() == ORG
    assert len(api_server.requests) == 2


def test_post_is_not_sent_again_after_the_connection_drops(api_server, client):
    api_server.drop()
    api_server.reply(200, {"token": "second-key"})

    with pytest.raises(APIError) as caught:
        client.call(CREATE, {"organizationId": ORG}, body={})

    error = caught.value
    assert len(api_server.requests) == 1
    # The server read the request: it may have acted on it.
    assert (error.status, error.sent, error.attempts) == (None, True, 1)
    assert error.method == "POST"
    assert api_server.pending == 1
    assert_no_token(error)


def test_a_retried_delete_that_finds_404_reports_both_attempts(api_server, client):
    # What the resource core needs to tell "this run deleted it, the answer was lost" from "it was never there".
    api_server.drop()
    api_server.reply(404, {"code": 5, "message": "no budget"})

    with pytest.raises(APIError) as caught:
        client.call(DELETE_BUDGET, BUDGET_PARAMS)

    assert [r.method for r in api_server.requests] == ["DELETE", "DELETE"]
    assert (caught.value.status, caught.value.attempts, caught.value.sent) == (404, 2, True)
    assert client.requests_made == 2


def test_exhausted_retries_report_the_last_answer(api_server, make_client, client_waits):
    client = make_client(api_server.url, api_retries=2)
    api_server.reply(503, {"message": "first"})
    api_server.reply(502, {"message": "second"})
    api_server.reply(504, {"code": 14, "message": "still unavailable"})
    api_server.reply(200, {"items": []})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    error = caught.value
    assert len(api_server.requests) == 3
    assert (error.status, error.attempts) == (504, 3)
    assert error.message == "still unavailable"
    assert error.code_name == "UNAVAILABLE"
    assert str(error) == "HTTP 504 UNAVAILABLE: still unavailable (3 attempts)"
    assert error.to_failure()["attempts"] == 3
    # Retry N waits api_retry_backoff * 2^(N-1).
    assert client_waits == [0.5, 1.0]


def test_retries_zero_sends_once(api_server, make_client):
    client = make_client(api_server.url, api_retries=0)
    api_server.reply(503, {"message": "down"})
    api_server.reply(200, {"items": []})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)
    assert caught.value.status == 503
    assert len(api_server.requests) == 1


def test_post_is_sent_again_when_the_connection_never_opened(make_client, refused_url, client_waits):
    client = make_client(refused_url, api_retries=3)
    with pytest.raises(APIError) as caught:
        client.call(CREATE, {"organizationId": ORG}, body={})

    error = caught.value
    assert (error.status, error.sent, error.attempts) == (None, False, 4)
    assert error.message == "cannot reach %s: Connection refused" % refused_url
    assert client_waits == [0.5, 1.0, 2.0]
    assert client.requests_made == 4


def test_backoff_is_capped_at_30_seconds(api_server, make_client, client_waits):
    client = make_client(api_server.url, api_retries=3, api_retry_backoff=20)
    for attempt in range(3):
        api_server.reply(502, {"message": "bad gateway %d" % attempt})
    api_server.reply(200, {"items": []})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert client_waits == [20, 30, 30]


def test_waits_of_one_call_stay_within_120_seconds(api_server, make_client, client_waits):
    client = make_client(api_server.url, api_retries=20, api_retry_backoff=20)
    for _attempt in range(8):
        api_server.reply(503, {"message": "down"})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    # 20 + 30 + 30 + 30 = 110; another 30 would pass 120.
    assert client_waits == [20, 30, 30, 30]
    assert len(api_server.requests) == 5
    assert caught.value.attempts == 5
    assert "not retried: waiting 30 s more would pass the 120 s" in caught.value.message


def test_max_call_seconds(make_client):
    assert make_client("http://127.0.0.1:9", api_timeout=30, api_retries=4).max_call_seconds == 420
    assert make_client("http://127.0.0.1:9", api_timeout=2, api_retries=0).max_call_seconds == 124


def test_retry_after_counts_against_the_wait_budget(api_server, client, client_waits):
    for _attempt in range(3):
        api_server.reply(429, {"message": "slow down"}, headers={"Retry-After": "50"})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    assert client_waits == [50, 50]
    assert len(api_server.requests) == 3
    assert caught.value.status == 429


def test_retry_after_of_60_seconds_is_honoured(api_server, client, client_waits):
    api_server.reply(503, {"message": "maintenance"}, headers={"Retry-After": "60"})
    api_server.reply(200, {"items": []})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert client_waits == [60]


@pytest.mark.parametrize("value", ["61", "3600", "86400"])
def test_retry_after_beyond_the_cap_ends_the_retries(api_server, client, client_waits, value):
    api_server.reply(429, {"message": "quota exhausted"}, headers={"Retry-After": value})
    api_server.reply(200, {"items": []})

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    assert client_waits == []
    assert len(api_server.requests) == 1
    assert caught.value.status == 429
    assert caught.value.message == (
        "quota exhausted (not retried: the API asked to wait %s s, more than the 60 s this collection waits)" % value
    )


@pytest.mark.parametrize("value", ["soon", "-5", "1.5", "", "Wed, 21 Oct 2015 07:28:00 GMT", "5 s", "0x10"])
def test_malformed_or_past_retry_after_falls_back_to_backoff(api_server, client, client_waits, value):
    api_server.reply(429, {"message": "slow down"}, headers={"Retry-After": value})
    api_server.reply(200, {"items": []})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert client_waits == [0.5]


def test_retry_after_as_an_http_date(api_server, client, client_waits):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=20)
    api_server.reply(503, {"message": "later"}, headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)})
    api_server.reply(200, {"items": []})

    assert client.call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert len(client_waits) == 1 and 18 <= client_waits[0] <= 21


@pytest.mark.parametrize(
    "value, expected",
    [
        ("7", 7),
        (" 12 ", 12),
        ("0", 0),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("", None),
        (None, None),
        ("99999999999", None),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 30),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 30),
        ("Sun Nov  6 08:49:37 1994", 30),
        ("Sun, 06 Nov 1994 08:48:37 GMT", None),
        ("Sun, 32 Nov 1994 08:49:37 GMT", None),
    ],
)
def test_parse_retry_after(value, expected):
    now = datetime.datetime(1994, 11, 6, 8, 49, 7, tzinfo=datetime.timezone.utc)
    assert parse_retry_after(value, now=now) == expected


# --- answers that broke off, timeouts and resets --------------------------------------------------------------------

TRUNCATED = raw_answer("HTTP/1.1 200 OK", b'{"items": [', ["Content-Type: application/json", "Content-Length: 40"])
# Complete JSON but shorter than announced: urllib3 1.26 hands it over as if whole; the client must not.
SHORT_BUT_VALID = raw_answer(
    "HTTP/1.1 200 OK", b'{"items": []}', ["Content-Type: application/json", "Content-Length: 30"]
)
BROKEN_CHUNKS = raw_answer("HTTP/1.1 200 OK", b'20\r\n{"items": [', ["Transfer-Encoding: chunked"])
GARBLED = raw_answer("HTTP/1.1 200 OK", b"<html>oops</html>", ["Content-Type: text/html", "Content-Length: 17"])
GOOD = raw_answer("HTTP/1.1 200 OK", b'{"items": []}', ["Content-Type: application/json", "Content-Length: 13"])


@pytest.mark.parametrize("broken", [TRUNCATED, SHORT_BUT_VALID, BROKEN_CHUNKS, GARBLED, RESET])
def test_a_get_whose_answer_broke_off_is_retried(raw_server, make_client, broken):
    raw_server.add(broken, GOOD)
    assert make_client(raw_server.url).call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert len(raw_server.requests) == 2


@pytest.mark.parametrize("broken", [TRUNCATED, SHORT_BUT_VALID, BROKEN_CHUNKS])
def test_a_get_that_keeps_breaking_off_fails_cleanly(raw_server, make_client, broken):
    raw_server.add(broken, broken, broken)
    with pytest.raises(APIError) as caught:
        make_client(raw_server.url, api_retries=2).call(LIST_MODELS, LIST_PARAMS)

    error = caught.value
    assert error.message == "the answer of GET %s broke off before its end" % MODELS_PATH
    assert (error.status, error.sent, error.attempts) == (200, True, 3)
    assert_no_token(error)


@pytest.mark.parametrize("broken", [TRUNCATED, BROKEN_CHUNKS, GARBLED, RESET])
def test_a_create_whose_answer_broke_off_is_not_sent_again(raw_server, make_client, broken):
    raw_server.add(broken, GOOD)
    client = make_client(raw_server.url)
    with pytest.raises(APIError) as caught:
        client.call(CREATE, {"organizationId": ORG}, body={})

    assert len(raw_server.requests) == 1
    assert caught.value.sent is True
    assert caught.value.attempts == 1


@pytest.mark.parametrize(
    "operation, params", [(DELETE_BUDGET, BUDGET_PARAMS), (UPSERT_SETTINGS, {"organizationId": ORG, "id": "key-1"})]
)
@pytest.mark.parametrize("broken", [TRUNCATED, SHORT_BUT_VALID, BROKEN_CHUNKS])
def test_an_idempotent_write_whose_answer_broke_off_is_sent_again(raw_server, make_client, operation, params, broken):
    raw_server.add(broken, GOOD)
    assert make_client(raw_server.url).call(operation, params, body={}) == {"items": []}
    assert len(raw_server.requests) == 2


@pytest.mark.parametrize(
    "operation, params", [(DELETE_BUDGET, BUDGET_PARAMS), (UPSERT_SETTINGS, {"organizationId": ORG, "id": "key-1"})]
)
def test_an_idempotent_write_answered_with_invalid_json_is_not_sent_again(raw_server, make_client, operation, params):
    # The answer came whole: the write took effect, and sending it again would not make the answer better.
    raw_server.add(GARBLED, GOOD)
    with pytest.raises(APIError) as caught:
        make_client(raw_server.url).call(operation, params, body={})

    assert len(raw_server.requests) == 1
    assert (caught.value.status, caught.value.acknowledged, caught.value.attempts) == (200, True, 1)


def test_acknowledged_means_a_2xx_answer():
    assert [APIError("x", status=s).acknowledged for s in (None, 199, 200, 204, 299, 300, 404, 503)] == [
        False,
        False,
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_read_timeout_is_retried_for_reads(raw_server, make_client):
    raw_server.add(SILENT, GOOD)
    assert make_client(raw_server.url, api_timeout=0.3).call(LIST_MODELS, LIST_PARAMS) == {"items": []}
    assert len(raw_server.requests) == 2


def test_read_timeout_on_a_create_is_reported_as_sent(raw_server, make_client):
    raw_server.add(SILENT, GOOD)
    with pytest.raises(APIError) as caught:
        make_client(raw_server.url, api_timeout=0.3).call(CREATE, {"organizationId": ORG}, body={})

    error = caught.value
    assert error.message == "no answer from %s within 0.3 seconds" % raw_server.url
    assert (error.status, error.sent, error.attempts) == (None, True, 1)
    assert len(raw_server.requests) == 1


def _exceptions():
    import requests
    from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

    refused = MaxRetryError(None, "/", NewConnectionError(None, "Failed to establish a new connection: refused"))
    header = "Invalid leading whitespace in header value: %r" % (TOKEN + "\n")
    return [
        # exception, sent, retried for a create, message start
        (requests.exceptions.ConnectTimeout("connect timed out"), False, True, "could not connect to "),
        (requests.exceptions.ConnectionError(refused), False, True, "cannot reach "),
        (
            requests.exceptions.ConnectionError(
                ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
            ),
            True,
            False,
            "cannot reach ",
        ),
        (requests.exceptions.ProxyError("proxy said no"), True, False, "cannot reach "),
        (requests.exceptions.ReadTimeout("read timed out"), True, False, "no answer from "),
        (requests.exceptions.SSLError("bad handshake %s" % TOKEN), False, False, "TLS with "),
        (requests.exceptions.InvalidHeader(header), False, False, "the request could not be built (InvalidHeader)"),
        (ValueError("Invalid header value %r" % TOKEN.encode()), False, False, "the request could not be built"),
        (
            UnicodeEncodeError("latin-1", TOKEN, 3, 4, "ordinal not in range"),
            False,
            False,
            "the request could not be built (UnicodeEncodeError)",
        ),
    ]


@pytest.mark.parametrize("exception, sent, retried, start", _exceptions(), ids=lambda v: type(v).__name__)
def test_every_transport_failure_is_classified(make_client, monkeypatch, exception, sent, retried, start):
    import requests

    tries = []

    def request(self, method, url, **kwargs):
        tries.append(method)
        raise exception

    monkeypatch.setattr(requests.Session, "request", request)
    with pytest.raises(APIError) as caught:
        make_client("http://127.0.0.1:9", api_retries=2).call(CREATE, {"organizationId": ORG}, body={})

    error = caught.value
    assert error.message.startswith(start)
    assert (error.status, error.sent) == (None, sent)
    assert len(tries) == error.attempts == (3 if retried else 1)
    assert_no_token(error)


# --- TLS ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A private CA, a certificate it signed for 127.0.0.1, and an unrelated CA; as PEM files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, key, issuer, issuer_key, ca, extra=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        for extension in extra:
            builder = builder.add_extension(extension, critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(name, *objects):
        path = folder / name
        path.write_bytes(
            b"".join(
                o.public_bytes(serialization.Encoding.PEM)
                if hasattr(o, "public_bytes") and not hasattr(o, "private_bytes")
                else o.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
                for o in objects
            )
        )
        return str(path)

    ca_key, server_key, other_key = (ec.generate_private_key(ec.SECP256R1()) for _key in range(3))
    ca = certificate("castai test CA", ca_key, "castai test CA", ca_key, True)
    other = certificate("unrelated CA", other_key, "unrelated CA", other_key, True)
    server = certificate(
        "127.0.0.1",
        server_key,
        "castai test CA",
        ca_key,
        False,
        [x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])],
    )
    return {
        "ca": write("ca.pem", ca),
        "other_ca": write("other.pem", other),
        "chain": write("server.pem", server),
        "key": write("server.key", server_key),
    }


@pytest.fixture
def tls_server(tls_files):
    """The scripted server behind TLS, with a certificate of the private CA."""
    import ssl

    server = ScriptedServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files["chain"], tls_files["key"])
    server._httpd.socket = context.wrap_socket(server._httpd.socket, server_side=True)  # pylint: disable=protected-access
    server.start()
    server.https_url = server.url.replace("http://", "https://")
    yield server
    server.stop()


def test_tls_failure_is_clean_not_retried_and_not_sent(tls_server, make_client):
    client = make_client(tls_server.https_url)
    with pytest.raises(APIError) as caught:
        client.verify()

    error = caught.value
    assert error.message.startswith("TLS with %s failed: certificate verify failed: " % tls_server.https_url)
    assert "set ca_path" in error.message
    assert (error.status, error.sent, error.attempts) == (None, False, 1)
    assert client.requests_made == 1
    assert tls_server.requests == []
    assert_no_token(error)


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
@pytest.mark.parametrize("bundle", ["other_ca", "missing"])
def test_validate_certs_false_holds_whatever_the_environment_says(
    tls_server, tls_files, make_client, monkeypatch, variable, bundle
):
    monkeypatch.setenv(variable, tls_files.get(bundle, "/nonexistent/ca.pem"))
    tls_server.reply(200, {"organizationId": ORG})

    assert make_client(tls_server.https_url, validate_certs=False).verify() == ORG
    assert len(tls_server.requests) == 1


def test_validate_certs_false_ignores_ca_path(tls_server, make_client):
    tls_server.reply(200, {"organizationId": ORG})
    assert make_client(tls_server.https_url, validate_certs=False, ca_path="/nonexistent").verify() == ORG


def test_ca_path_verifies_a_private_ca(tls_server, tls_files, make_client):
    tls_server.reply(200, {"organizationId": ORG})
    assert make_client(tls_server.https_url, ca_path=tls_files["ca"]).verify() == ORG


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_ca_path_wins_over_the_environment(tls_server, tls_files, make_client, monkeypatch, variable):
    monkeypatch.setenv(variable, tls_files["other_ca"])
    tls_server.reply(200, {"organizationId": ORG})
    assert make_client(tls_server.https_url, ca_path=tls_files["ca"]).verify() == ORG


def test_ca_path_of_another_ca_fails(tls_server, tls_files, make_client):
    with pytest.raises(APIError, match="certificate verify failed"):
        make_client(tls_server.https_url, ca_path=tls_files["other_ca"]).verify()


def test_without_ca_path_the_environment_bundle_is_used(tls_server, tls_files, make_client, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_files["ca"])
    tls_server.reply(200, {"organizationId": ORG})
    assert make_client(tls_server.https_url).verify() == ORG


# --- proxies (honoured by requests) ---------------------------------------------------------------------------------


def test_http_proxy_is_honoured(api_server, make_client, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", api_server.url)
    api_server.reply(200, {"organizationId": ORG})

    assert make_client("http://api.castai.test").verify() == ORG
    (request,) = api_server.requests
    assert request.path == OPERATIONS[VERIFY]["path"]
    assert request.headers["host"] == "api.castai.test"


def test_no_proxy_bypasses_the_proxy(api_server, make_client, monkeypatch, refused_url):
    monkeypatch.setenv("HTTP_PROXY", refused_url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    api_server.reply(200, {"organizationId": ORG})

    assert make_client(api_server.url).verify() == ORG


# --- no token in any failure ----------------------------------------------------------------------------------------


def _bad_token(api_server, make_client, raw_server, tls_server, monkeypatch):
    return make_client(api_server.url, api_token=TOKEN[:12] + "\n" + TOKEN[12:]).verify()


def _header_rejected_by_requests(api_server, make_client, raw_server, tls_server, monkeypatch):
    # Our own check stands in front of requests' header check, whose message quotes the value: take it away.
    monkeypatch.setattr(_client, "token_problem", lambda token, name="api_token": None)
    return make_client(api_server.url, api_token=TOKEN + "\nX").verify()


def _unreachable(api_server, make_client, raw_server, tls_server, monkeypatch):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return make_client("http://127.0.0.1:%d" % sock.getsockname()[1]).verify()


def _tls_failure(api_server, make_client, raw_server, tls_server, monkeypatch):
    return make_client(tls_server.https_url).verify()


def _answer(status, body, headers=None):
    def run(api_server, make_client, raw_server, tls_server, monkeypatch):
        for _attempt in range(4):
            api_server.reply(status, body, headers=headers)
        return make_client(api_server.url).verify()

    return run


def _raw(answer):
    def run(api_server, make_client, raw_server, tls_server, monkeypatch):
        raw_server.add(*[answer] * 4)
        return make_client(raw_server.url, api_timeout=0.1).verify()

    return run


ECHO = {
    "code": 16,
    "message": "invalid API key %s" % TOKEN,
    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "metadata": {"key": TOKEN}}],
    "fieldViolations": [{"field": "X-API-Key", "description": "%s is revoked" % TOKEN}],
}

LEAK_PATHS = {
    "token with a newline": _bad_token,
    "header rejected by requests": _header_rejected_by_requests,
    "unreachable host": _unreachable,
    "TLS failure": _tls_failure,
    "401 echoing the token": _answer(401, ECHO),
    "403": _answer(403, {"code": 7, "message": "denied"}),
    "500 echoing the token": _answer(500, "internal error near X-API-Key: %s" % TOKEN),
    "503 retried": _answer(503, {"message": "down"}, {"Retry-After": "1"}),
    "invalid JSON": _answer(200, "{not json %s" % TOKEN),
    "empty body": _answer(200, None),
    "a JSON list": _answer(200, [TOKEN]),
    "reset": _raw(RESET),
    "read timeout": _raw(SILENT),
    "truncated": _raw(TRUNCATED),
}


@pytest.mark.parametrize("path", sorted(LEAK_PATHS))
def test_no_failure_carries_the_token(api_server, make_client, raw_server, tls_server, monkeypatch, path):
    with pytest.raises(APIError) as caught:
        LEAK_PATHS[path](api_server, make_client, raw_server, tls_server, monkeypatch)
    assert_no_token(caught.value)


def test_scrubbed_error_keeps_its_shape(api_server, client):
    api_server.reply(401, ECHO)
    with pytest.raises(APIError) as caught:
        client.verify()

    error = caught.value
    assert error.message == "invalid API key ********"
    assert error.details[0]["metadata"] == {"key": "********"}
    assert error.field_violations == [{"field": "X-API-Key", "description": "******** is revoked"}]
    assert error.code_name == "UNAUTHENTICATED"


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


def test_paginate_ends_without_a_cursor(api_server, client):
    api_server.reply(200, {"items": [], "totalCount": 0})
    assert list(client.paginate(LIST_MODELS, LIST_PARAMS)) == []
    assert len(api_server.requests) == 1


def test_paginate_stops_on_a_repeated_cursor(api_server, client):
    api_server.reply(200, {"items": [{"id": "1"}], "nextPageCursor": "same"})
    api_server.reply(200, {"items": [{"id": "2"}], "nextPageCursor": "same"})
    api_server.reply(200, {"items": [{"id": "3"}], "nextPageCursor": ""})

    seen = []
    with pytest.raises(APIError, match="cursor it already returned") as caught:
        for item in client.paginate(LIST_MODELS, LIST_PARAMS):
            seen.append(item["id"])

    assert len(api_server.requests) == 2
    assert seen == ["1"]
    assert (caught.value.status, caught.value.sent) == (200, True)


@pytest.mark.parametrize(
    "page, what",
    [
        ({}, "without items"),
        ({"totalCount": 3}, "without items"),
        ({"items": None}, "without items"),
        ({"items": {"id": "m1"}}, "whose items are a JSON object, not a list"),
        ({"items": "m1"}, "whose items are a JSON string, not a list"),
        ({"items": [{"id": "m1"}, "m2"]}, "whose items hold a JSON string, not objects"),
        ({"items": [None]}, "whose items hold JSON null, not objects"),
        ({"items": [], "nextPageCursor": {"next": "c1"}}, "whose nextPageCursor is a JSON object, not a string"),
        ({"items": [], "nextPageCursor": 2}, "whose nextPageCursor is a JSON number, not a string"),
    ],
)
def test_paginate_refuses_wrong_shaped_pages(api_server, client, page, what):
    api_server.reply(200, page)
    with pytest.raises(APIError) as caught:
        list(client.paginate(LIST_MODELS, LIST_PARAMS))

    error = caught.value
    assert error.message == "the API answered a page %s for GET %s" % (what, OPERATIONS[LIST_MODELS]["path"])
    assert (error.status, error.sent, error.attempts) == (200, True, 1)


def test_paginate_yields_nothing_from_a_wrong_shaped_page(api_server, client):
    api_server.reply(200, {"items": [{"id": "1"}, 7]})
    seen = []
    with pytest.raises(APIError):
        for item in client.paginate(LIST_MODELS, LIST_PARAMS):
            seen.append(item)
    assert seen == []


# --- error decoding -------------------------------------------------------------------------------------------------


def test_google_rpc_status_body(api_server, client):
    details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "MODEL_GONE"}]
    api_server.reply(
        404, {"code": 5, "message": "hosted model not found", "details": details}, headers={"X-Request-Id": "req-42"}
    )

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
    assert (failure["sent"], failure["attempts"]) == (True, 1)
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


@pytest.mark.parametrize(
    "body",
    [
        "<html><body>upstream exploded</body></html>",
        {"message": ["not", "a", "string"], "code": {"nested": 1}, "details": "text", "fieldViolations": "x"},
        [1, 2],
    ],
)
def test_odd_error_bodies_use_the_reason_phrase(api_server, client, body):
    api_server.reply(500, body, reason="Upstream Trouble")

    with pytest.raises(APIError) as caught:
        client.call(LIST_MODELS, LIST_PARAMS)

    error = caught.value
    assert (error.status, error.message, error.code, error.details, error.field_violations) == (
        500,
        "Upstream Trouble",
        None,
        [],
        [],
    )
    assert "upstream exploded" not in str(error)


def test_connection_refused(make_client, refused_url):
    client = make_client(refused_url + "/", api_retries=1)
    with pytest.raises(APIError) as caught:
        client.verify()

    error = caught.value
    assert error.status is None
    assert error.method == "POST"
    assert error.message == "cannot reach %s: Connection refused" % refused_url
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
        "status": None,
        "code": None,
        "code_name": None,
        "message": "no answer",
        "details": [],
        "field_violations": [],
        "request_id": None,
        "method": "GET",
        "path": "/x",
        "sent": True,
        "attempts": 0,
    }
