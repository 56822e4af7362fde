# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CastAIModule: connection options, organization lookup, API failures and the diff rule."""

from __future__ import annotations

import pytest
import requests
from ansible.module_utils.testing import patch_module_args

from ansible_collections.castai.ai_optimizer.plugins.module_utils._client import APIClient, APIError
from ansible_collections.castai.ai_optimizer.plugins.module_utils._connection import DEFAULT_API_URL
from ansible_collections.castai.ai_optimizer.plugins.module_utils._module import CastAIModule
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.harness import ModuleExitJson, ModuleFailJson

TOKEN = "module-test-token-9f8e7d"
ORG = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def http_requests(monkeypatch):
    """Every HTTP request any client tries to send; none reaches the network."""
    sent = []

    def request(self, method, url, **kwargs):
        sent.append((method, url))
        raise AssertionError("unexpected HTTP request %s %s" % (method, url))

    monkeypatch.setattr(requests.Session, "request", request)
    return sent


@pytest.fixture
def build(module_exits, http_requests):
    """build(args, argument_spec=None) -> CastAIModule, with exit_json/fail_json raising."""

    def make(args, argument_spec=None):
        with patch_module_args(args):
            return CastAIModule(argument_spec=argument_spec or {})

    return make


def test_explicit_options(build):
    module = build(
        {
            "api_url": "HTTP://127.0.0.1:9/",
            "api_token": TOKEN,
            "organization_id": ORG,
            "api_timeout": 3,
            "api_retries": 1,
            "api_retry_backoff": 2,
        }
    )
    assert module.params["api_url"] == "HTTP://127.0.0.1:9/"
    assert module.client.api_url == "http://127.0.0.1:9"
    assert (module.client.api_timeout, module.client.api_retries, module.client.api_retry_backoff) == (3, 1, 2)
    assert module.client.session.headers["X-API-Key"] == TOKEN
    assert module.organization_id == ORG
    assert TOKEN in module.no_log_values


def test_environment_fallbacks(build, monkeypatch):
    monkeypatch.setenv("CASTAI_API_URL", "http://simulator.test:8080")
    monkeypatch.setenv("CASTAI_API_TOKEN", TOKEN)
    monkeypatch.setenv("CASTAI_ORGANIZATION_ID", ORG)

    module = build({})

    assert module.params["api_url"] == "http://simulator.test:8080"
    assert module.params["api_token"] == TOKEN
    assert module.params["organization_id"] == ORG
    assert module.client.session.headers["X-API-Key"] == TOKEN
    assert module.organization_id == ORG
    # A token that came from the environment is still hidden.
    assert TOKEN in module.no_log_values


def test_options_win_over_environment(build, monkeypatch):
    monkeypatch.setenv("CASTAI_API_URL", "http://env.test")
    monkeypatch.setenv("CASTAI_API_TOKEN", "env-token")
    monkeypatch.setenv("CASTAI_ORGANIZATION_ID", "env-org")

    module = build({"api_url": "https://option.test", "api_token": TOKEN, "organization_id": ORG})

    assert module.params["api_url"] == "https://option.test"
    assert module.params["api_token"] == TOKEN
    assert module.params["organization_id"] == ORG


def test_default_api_url(build):
    module = build({"api_token": TOKEN})
    assert module.params["api_url"] == DEFAULT_API_URL == "https://api.cast.ai"
    assert module.params["organization_id"] is None


def test_missing_token_fails_saying_where_to_set_it(build, http_requests):
    with pytest.raises(ModuleFailJson) as caught:
        build({})
    assert caught.value.result["msg"] == (
        "api_token is not set: set the api_token option or the CASTAI_API_TOKEN "
        "environment variable (in AWX, attach a CAST AI credential)"
    )
    assert http_requests == []


def test_token_whitespace_is_removed(build):
    module = build({"api_token": "%s\n" % TOKEN, "organization_id": ORG})
    assert module.client.session.headers["X-API-Key"] == TOKEN
    assert module.client_for("  other-token\r\n").session.headers["X-API-Key"] == "other-token"


@pytest.mark.parametrize("token", ["module-test\ntoken-9f8e7d", "module-test\x00token-9f8e7d"])
def test_token_with_a_control_character_fails_without_showing_it(build, http_requests, token):
    with pytest.raises(ModuleFailJson) as caught:
        build({"api_token": token})
    assert caught.value.result["msg"].startswith("api_token contains ")
    assert "9f8e7d" not in repr(caught.value.result)
    assert http_requests == []


@pytest.mark.parametrize("url", ["api.cast.ai", "ftp://api.cast.ai", "127.0.0.1:8080", ""])
def test_bad_api_url_fails_before_any_request(build, http_requests, url):
    with pytest.raises(ModuleFailJson) as caught:
        build({"api_url": url, "api_token": TOKEN})
    assert caught.value.result["msg"].startswith("api_url must start with http:// or https://")
    assert http_requests == []


def test_api_url_without_host_fails_before_any_request(build, http_requests):
    with pytest.raises(ModuleFailJson) as caught:
        build({"api_url": "http://", "api_token": TOKEN})
    assert caught.value.result["msg"] == "api_url has no host name (for example https://api.cast.ai)"
    assert http_requests == []


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"api_token": "   "}, "api_token is empty"),
        ({"api_token": TOKEN, "api_timeout": 0}, "api_timeout must be a finite number of seconds greater than 0"),
        ({"api_token": TOKEN, "api_timeout": "nan"}, "api_timeout must be a finite number of seconds greater than 0"),
        ({"api_token": TOKEN, "api_retries": -1}, "api_retries must be between 0 and 20"),
        ({"api_token": TOKEN, "api_retry_backoff": "inf"}, "api_retry_backoff must be a finite number"),
        ({"api_token": TOKEN, "ca_path": "/nonexistent/ca.pem"}, "ca_path: /nonexistent/ca.pem does not exist"),
    ],
)
def test_bad_connection_options_fail_before_any_request(build, http_requests, args, fragment):
    with pytest.raises(ModuleFailJson) as caught:
        build(args)
    assert fragment in caught.value.result["msg"]
    assert TOKEN not in caught.value.result["msg"]
    assert http_requests == []


def test_organization_id_option_skips_verify(build, monkeypatch):
    calls = []
    monkeypatch.setattr(APIClient, "verify", lambda self: calls.append(self) or "other-org")

    module = build({"api_token": TOKEN, "organization_id": ORG})

    assert module.organization_id == ORG
    assert calls == []


def test_organization_id_from_verify_is_asked_once(build, monkeypatch):
    calls = []

    def verify(self):
        calls.append(self.session.headers["X-API-Key"])
        return ORG

    monkeypatch.setattr(APIClient, "verify", verify)

    module = build({"api_token": TOKEN})

    assert calls == []  # not asked before a module needs it
    assert module.organization_id == ORG
    assert module.organization_id == ORG
    assert calls == [TOKEN]


def test_organization_lookup_failure(build, monkeypatch):
    def verify(self):
        raise APIError(
            "invalid API key", status=401, code=16, method="POST", path="/ai-optimizer/v1beta/api-keys:verify"
        )

    monkeypatch.setattr(APIClient, "verify", verify)
    module = build({"api_token": TOKEN})

    with pytest.raises(ModuleFailJson) as caught:
        assert module.organization_id

    result = caught.value.result
    assert result["msg"] == "look up the organization of api_token: HTTP 401 UNAUTHENTICATED: invalid API key"
    assert result["failure"]["status"] == 401
    assert TOKEN not in repr(result)


def test_organization_lookup_without_answer(build, monkeypatch):
    monkeypatch.setattr(APIClient, "verify", lambda self: None)
    module = build({"api_token": TOKEN})

    with pytest.raises(ModuleFailJson) as caught:
        assert module.organization_id
    assert "no organizationId" in caught.value.result["msg"]


def test_call_failure_reports_action_and_api_message(build, monkeypatch):
    error = APIError("hosted model not found", status=404, code=5, method="GET", path="/x/hm-1", request_id="req-1")
    seen = []

    def call(self, operation_id, path_params=None, query=None, body=None):
        seen.append((operation_id, path_params, query, body))
        raise error

    monkeypatch.setattr(APIClient, "call", call)
    module = build({"api_token": TOKEN, "organization_id": ORG})

    with pytest.raises(ModuleFailJson) as caught:
        module.call("read hosted model hm-1", "HostedModelsAPIGetHostedModel", {"id": "hm-1"}, {"q": "1"}, {"b": 2})

    result = caught.value.result
    assert seen == [("HostedModelsAPIGetHostedModel", {"id": "hm-1"}, {"q": "1"}, {"b": 2})]
    assert result["failed"] is True
    assert result["msg"] == "read hosted model hm-1: HTTP 404 NOT_FOUND: hosted model not found"
    assert result["failure"] == error.to_failure()
    assert result["failure"]["message"] == "hosted model not found"
    assert result["failure"]["code_name"] == "NOT_FOUND"
    assert result["failure"]["request_id"] == "req-1"


def test_call_or_none_reads_404_as_absent(build, monkeypatch):
    seen = []

    def call(self, operation_id, path_params=None, query=None, body=None):
        seen.append((operation_id, path_params, query, body))
        raise APIError("no settings", status=404, code=5)

    monkeypatch.setattr(APIClient, "call", call)
    module = build({"api_token": TOKEN, "organization_id": ORG})

    assert module.call_or_none("read key settings", "SettingsAPIGetAPIKeySettings", {"id": "k1"}) is None
    assert seen == [("SettingsAPIGetAPIKeySettings", {"id": "k1"}, None, None)]


@pytest.mark.parametrize("status", [400, 403, 500, None])
def test_call_or_none_fails_on_other_errors(build, monkeypatch, status):
    def call(self, operation_id, path_params=None, query=None, body=None):
        raise APIError("it broke", status=status)

    monkeypatch.setattr(APIClient, "call", call)
    module = build({"api_token": TOKEN, "organization_id": ORG})

    with pytest.raises(ModuleFailJson) as caught:
        module.call_or_none("read key settings", "SettingsAPIGetAPIKeySettings", {"id": "k1"})

    assert caught.value.result["msg"].startswith("read key settings: ")
    assert "it broke" in caught.value.result["msg"]
    assert caught.value.result["failure"]["status"] == status


def test_call_or_none_returns_the_answer(build, monkeypatch):
    monkeypatch.setattr(APIClient, "call", lambda self, *args, **kwargs: {"ok": True})
    module = build({"api_token": TOKEN, "organization_id": ORG})

    assert module.call_or_none("read", "SettingsAPIGetAPIKeySettings", {"id": "k1"}) == {"ok": True}


def test_fail_api_keeps_extra_result_keys(build):
    module = build({"api_token": TOKEN, "organization_id": ORG})
    error = APIError("bad request", status=400, field_violations=[{"field": "port", "description": "too big"}])

    with pytest.raises(ModuleFailJson) as caught:
        module.fail_api("update hosted model", error, hosted_model={"id": "hm-1"})

    result = caught.value.result
    assert result["msg"] == "update hosted model: HTTP 400: bad request (port: too big)"
    assert result["failure"]["field_violations"] == [{"field": "port", "description": "too big"}]
    assert result["changed"] is False
    assert result["hosted_model"] == {"id": "hm-1"}


def test_failure_after_a_write_says_what_was_done(build):
    module = build({"api_token": TOKEN, "organization_id": ORG})
    module.record("created hosted model hm-1")
    module.record("may have scaled hosted model hm-1 to 2 replicas (the API's answer was lost)")

    with pytest.raises(ModuleFailJson) as caught:
        module.fail_json(msg="wait for hm-1: timed out", changed=False)

    result = caught.value.result
    assert result["changed"] is True
    assert result["msg"] == (
        "created hosted model hm-1, may have scaled hosted model hm-1 to 2 replicas (the API's "
        "answer was lost), then wait for hm-1: timed out"
    )


def test_call_success_returns_the_answer(build, monkeypatch):
    monkeypatch.setattr(APIClient, "call", lambda self, *args, **kwargs: {"id": "hm-1"})
    module = build({"api_token": TOKEN, "organization_id": ORG})
    assert module.call("read", "HostedModelsAPIGetHostedModel", {}) == {"id": "hm-1"}


def test_each_parses_every_item_of_every_page(build, monkeypatch):
    from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import HostedModel

    def paginate(self, operation_id, path_params=None, query=None, page_size=100):
        yield {"id": "a"}
        yield {"id": "b"}

    monkeypatch.setattr(APIClient, "paginate", paginate)
    module = build({"api_token": TOKEN, "organization_id": ORG})
    items = list(module.each("list", HostedModel, "HostedModelsAPIListHostedModels", {}))
    assert [item["id"] for item in items] == ["a", "b"]
    assert all(item["service"] is None for item in items)  # every declared field, as parse gives it


def test_each_404_calls_on_404_and_ends(build, monkeypatch):
    from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import HostedModel

    def paginate(self, operation_id, path_params=None, query=None, page_size=100):
        raise APIError("cluster not found", status=404)
        yield  # pylint: disable=unreachable

    monkeypatch.setattr(APIClient, "paginate", paginate)
    module = build({"api_token": TOKEN, "organization_id": ORG})
    gone = []
    assert (
        list(module.each("list", HostedModel, "HostedModelsAPIListHostedModels", {}, on_404=lambda: gone.append(1)))
        == []
    )
    assert gone == [1]


def test_each_failure_midway(build, monkeypatch):
    from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import HostedModel

    def paginate(self, operation_id, path_params=None, query=None, page_size=100):
        yield {"id": "a"}
        raise APIError("the API returned the same page cursor twice")

    monkeypatch.setattr(APIClient, "paginate", paginate)
    module = build({"api_token": TOKEN, "organization_id": ORG})

    with pytest.raises(ModuleFailJson) as caught:
        list(module.each("list hosted models", HostedModel, "HostedModelsAPIListHostedModels", {}))
    assert caught.value.result["msg"] == "list hosted models: the API returned the same page cursor twice"


def test_parse_mismatch_fails_with_model_name(build):
    from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import HostedModel

    module = build({"api_token": TOKEN, "organization_id": ORG})
    assert module.parse(HostedModel, {"id": "hm-1", "port": 8080}, "read")["id"] == "hm-1"
    with pytest.raises(ModuleFailJson) as caught:
        module.parse(HostedModel, {"id": "hm-1", "port": "secret-looking-value"}, "read hosted model")
    msg = caught.value.result["msg"]
    assert msg.startswith("read hosted model: the API answer does not match the HostedModel schema: port: ")
    assert "secret-looking-value" not in msg


@pytest.mark.parametrize("answer, kind", [(None, "nothing"), ([], "a JSON list"), ("x", "a string"), (3, "a int")])
def test_parse_refuses_answers_that_are_not_objects(build, answer, kind):
    from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import HostedModel

    module = build({"api_token": TOKEN, "organization_id": ORG})
    with pytest.raises(ModuleFailJson) as caught:
        module.parse(HostedModel, answer, "read hosted model")
    assert (
        caught.value.result["msg"]
        == "read hosted model: the API answered %s where a HostedModel object was expected" % kind
    )


def test_parse_needs_the_fields_the_module_relies_on(build):
    from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.api_keys import APIKey

    module = build({"api_token": TOKEN, "organization_id": ORG})
    with pytest.raises(ModuleFailJson) as caught:
        module.parse(APIKey, {}, "create an API key", needs=("token",))
    assert caught.value.result["msg"] == "create an API key: the API answer has no token"


def test_diff_only_with_diff_mode(build):
    diff = {"before": {"replicas": 1}, "after": {"replicas": 2}}

    plain = build({"api_token": TOKEN, "organization_id": ORG})
    assert plain._diff is False
    with pytest.raises(ModuleExitJson) as caught:
        plain.exit_with(changed=True, diff=diff, hosted_model={"id": "hm-1"})
    assert "diff" not in caught.value.result
    assert caught.value.result["changed"] is True
    assert caught.value.result["hosted_model"] == {"id": "hm-1"}

    with_diff = build({"api_token": TOKEN, "organization_id": ORG, "_ansible_diff": True})
    assert with_diff._diff is True
    with pytest.raises(ModuleExitJson) as caught:
        with_diff.exit_with(changed=True, diff=diff, hosted_model={"id": "hm-1"})
    assert caught.value.result["diff"] == diff
    assert caught.value.result["changed"] is True

    with pytest.raises(ModuleExitJson) as caught:
        with_diff.exit_with(changed=False)
    assert "diff" not in caught.value.result
    assert caught.value.result["changed"] is False


def test_check_mode_is_supported(build):
    module = build({"api_token": TOKEN, "organization_id": ORG, "_ansible_check_mode": True})
    assert module.check_mode is True


def test_client_for_uses_the_task_connection_but_another_token(build):
    module = build(
        {
            "api_url": "http://127.0.0.1:9",
            "api_token": TOKEN,
            "organization_id": ORG,
            "api_timeout": 4,
            "validate_certs": False,
        }
    )
    other = module.client_for("another-token")
    assert other is not module.client
    assert other.session.headers["X-API-Key"] == "another-token"
    assert other.api_url == "http://127.0.0.1:9"
    assert other.api_timeout == 4
    assert other.tls_verify is False
    assert module.client.session.headers["X-API-Key"] == TOKEN
