# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options: argument spec, environment fallbacks, checks before any request, and the client built."""

from __future__ import annotations

import pytest
import yaml
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.castai.ai_optimizer.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.castai.ai_optimizer.plugins.module_utils._connection import (
    ENVIRONMENT,
    build_client,
    connection_argument_spec,
    connection_errors,
    normalize_api_url,
)
from ansible_collections.castai.ai_optimizer.tests.unit.plugins.harness import ModuleFailJson

TOKEN = "connection-canary-5b2e81d0"


@pytest.fixture
def params(module_exits):
    """params(args) -> the parsed connection options, as a module would see them."""

    def parse(args):
        with patch_module_args(args):
            return dict(AnsibleModule(argument_spec=connection_argument_spec()).params)

    return parse


@pytest.fixture
def errors(params):
    """errors(args) -> what connection_errors finds in the parsed options."""
    return lambda args: connection_errors(params(args))


def test_every_option_has_its_environment_variable_and_documentation():
    spec = connection_argument_spec()
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]

    assert set(spec) == set(ENVIRONMENT) == set(documented)
    for option, variable in ENVIRONMENT.items():
        assert spec[option]["fallback"][1] == [variable]
        assert "E(%s)" % variable in " ".join(documented[option]["description"]), option
        assert documented[option]["type"] == spec[option]["type"], option
        assert documented[option].get("default") == spec[option].get("default"), option
        assert not documented[option].get("required") and not spec[option].get("required"), option
    assert spec["api_token"]["no_log"] is True


@pytest.mark.parametrize(
    "option, variable, value, expected",
    [
        ("api_url", "CASTAI_API_URL", "http://simulator.test:8080", "http://simulator.test:8080"),
        ("api_token", "CASTAI_API_TOKEN", TOKEN, TOKEN),
        ("organization_id", "CASTAI_ORGANIZATION_ID", "org-1", "org-1"),
        ("validate_certs", "CASTAI_VALIDATE_CERTS", "false", False),
        ("validate_certs", "CASTAI_VALIDATE_CERTS", "no", False),
        ("ca_path", "CASTAI_CA_PATH", "/etc/ssl/private-ca.pem", "/etc/ssl/private-ca.pem"),
        ("api_timeout", "CASTAI_API_TIMEOUT", "2.5", 2.5),
        ("api_retries", "CASTAI_API_RETRIES", "7", 7),
        ("api_retry_backoff", "CASTAI_API_RETRY_BACKOFF", "1.25", 1.25),
    ],
)
def test_environment_fallbacks(params, monkeypatch, option, variable, value, expected):
    monkeypatch.setenv(variable, value)
    assert params({"api_token": "t"} if option != "api_token" else {})[option] == expected
    # The option wins over the environment.
    other = {
        "api_token": "t",
        "api_url": "https://x.test",
        "organization_id": "o",
        "validate_certs": True,
        "ca_path": "/x.pem",
        "api_timeout": 9.0,
        "api_retries": 1,
        "api_retry_backoff": 3.0,
    }
    assert params(other)[option] == other[option]


def test_defaults(params):
    parsed = params({})
    assert parsed == {
        "api_url": "https://api.cast.ai",
        "api_token": None,
        "organization_id": None,
        "validate_certs": True,
        "ca_path": None,
        "api_timeout": 30.0,
        "api_retries": 4,
        "api_retry_backoff": 0.5,
    }


def test_a_token_from_the_environment_is_hidden(monkeypatch, module_exits):
    monkeypatch.setenv("CASTAI_API_TOKEN", TOKEN)
    with patch_module_args({}):
        module = AnsibleModule(argument_spec=connection_argument_spec())
    assert TOKEN in module.no_log_values


def test_missing_token_says_where_to_set_it(errors):
    assert errors({}) == [
        "api_token is not set: set the api_token option or the CASTAI_API_TOKEN environment variable "
        "(in AWX, attach a CAST AI credential)"
    ]


@pytest.mark.parametrize("token", ["", "   ", "\n"])
def test_empty_token(errors, token):
    assert errors({"api_token": token}) == [
        "api_token is empty: set the api_token option or the CASTAI_API_TOKEN environment variable "
        "(in AWX, attach a CAST AI credential)"
    ]


@pytest.mark.parametrize("token", ["%s\n" % TOKEN, "\t%s  " % TOKEN, "\r\n%s\r\n" % TOKEN])
def test_surrounding_whitespace_is_accepted_and_removed(errors, params, token):
    assert errors({"api_token": token}) == []
    client = build_client(params({"api_token": token}), token)
    assert client.session.headers["X-API-Key"] == TOKEN


@pytest.mark.parametrize(
    "token",
    [
        "connection\ncanary",
        "connection canary",
        "connection\tcanary",
        "connection\x00canary",
        "connection\x7fcanary",
        "connection\u00a0canary",
        "connection\u00e9canary",
    ],
)
def test_token_characters_a_header_cannot_carry(errors, token):
    (message,) = errors({"api_token": token})
    assert message.startswith("api_token contains ")
    assert "canary" not in message
    assert "connection" not in message


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://api.cast.ai", "https://api.cast.ai"),
        ("https://api.cast.ai/", "https://api.cast.ai"),
        ("HTTPS://API.Cast.AI/", "https://api.cast.ai"),
        ("Http://127.0.0.1:8080//", "http://127.0.0.1:8080"),
        ("https://gateway.example.com/castai/", "https://gateway.example.com/castai"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_api_url_is_normalised(errors, params, url, expected):
    assert normalize_api_url(url) == (expected, None)
    assert errors({"api_url": url, "api_token": TOKEN}) == []
    assert build_client(params({"api_url": url, "api_token": TOKEN}), TOKEN).api_url == expected


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://", "api_url has no host name (for example https://api.cast.ai)"),
        ("https:///path", "api_url has no host name (for example https://api.cast.ai)"),
        ("http://:8080", "api_url has no host name (for example https://api.cast.ai)"),
        ("api.cast.ai", "api_url must start with http:// or https://"),
        ("ftp://api.cast.ai", "api_url must start with http:// or https://"),
        ("127.0.0.1:8080", "api_url must start with http:// or https://"),
        ("", "api_url must start with http:// or https://"),
        ("https://api.cast.ai?x=1", "api_url must not have a query (?...) or fragment (#...)"),
        ("https://api.cast.ai/?", "api_url must not have a query (?...) or fragment (#...)"),
        ("https://api.cast.ai#top", "api_url must not have a query (?...) or fragment (#...)"),
        ("https://api.cast.ai:99999", "api_url is not a valid URL (check the host and port)"),
        ("https://api.cast.ai:port", "api_url is not a valid URL (check the host and port)"),
        ("https://api.cast.ai\n", "api_url must not contain spaces or control characters"),
        (" https://api.cast.ai", "api_url must not contain spaces or control characters"),
        (
            "https://user:hunter2@api.cast.ai",
            "api_url must not contain a user name or password; the token goes in api_token",
        ),
    ],
)
def test_bad_api_url(errors, url, message):
    assert errors({"api_url": url, "api_token": TOKEN}) == [message]


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("api_timeout", 0, "api_timeout must be a finite number of seconds greater than 0, got 0.0"),
        ("api_timeout", -1, "api_timeout must be a finite number of seconds greater than 0, got -1.0"),
        ("api_timeout", "nan", "api_timeout must be a finite number of seconds greater than 0, got nan"),
        ("api_timeout", "inf", "api_timeout must be a finite number of seconds greater than 0, got inf"),
        ("api_timeout", "-inf", "api_timeout must be a finite number of seconds greater than 0, got -inf"),
        ("api_timeout", 3601, "api_timeout must be at most 3600 seconds, got 3601.0"),
        ("api_retry_backoff", 0, "api_retry_backoff must be a finite number of seconds greater than 0, got 0.0"),
        ("api_retry_backoff", -0.5, "api_retry_backoff must be a finite number of seconds greater than 0, got -0.5"),
        ("api_retry_backoff", "nan", "api_retry_backoff must be a finite number of seconds greater than 0, got nan"),
        ("api_retry_backoff", "inf", "api_retry_backoff must be a finite number of seconds greater than 0, got inf"),
        ("api_retries", -1, "api_retries must be between 0 and 20, got -1"),
        ("api_retries", 21, "api_retries must be between 0 and 20, got 21"),
    ],
)
def test_bad_numbers(errors, option, value, message):
    assert errors({"api_token": TOKEN, option: value}) == [message]


@pytest.mark.parametrize(
    "option, value",
    [
        ("api_timeout", 3600),
        ("api_timeout", 0.05),
        ("api_retries", 0),
        ("api_retries", 20),
        ("api_retry_backoff", 0.01),
    ],
)
def test_numbers_at_the_limits(errors, option, value):
    assert errors({"api_token": TOKEN, option: value}) == []


@pytest.mark.parametrize(
    "variable, option", [("CASTAI_API_TIMEOUT", "api_timeout"), ("CASTAI_API_RETRY_BACKOFF", "api_retry_backoff")]
)
def test_nan_from_the_environment(errors, monkeypatch, variable, option):
    monkeypatch.setenv(variable, "NaN")
    assert errors({"api_token": TOKEN}) == ["%s must be a finite number of seconds greater than 0, got nan" % option]


def test_bad_environment_value_names_the_option(params, monkeypatch):
    monkeypatch.setenv("CASTAI_API_RETRIES", "many")
    with pytest.raises(ModuleFailJson) as caught:
        params({"api_token": TOKEN})
    assert "api_retries" in caught.value.result["msg"]


def test_every_problem_is_reported_at_once(errors):
    found = errors({"api_url": "http://", "api_timeout": "nan", "api_retries": 99})
    assert [message.split(" ")[0] for message in found] == ["api_url", "api_token", "api_timeout", "api_retries"]


# --- ca_path --------------------------------------------------------------------------------------------------------


@pytest.fixture
def ca_bundle(tmp_path):
    """A real CA bundle: the one requests itself would use."""
    import certifi

    return certifi.where()


def test_ca_path_file_and_directory(errors, params, ca_bundle, tmp_path):
    assert errors({"api_token": TOKEN, "ca_path": ca_bundle}) == []
    assert errors({"api_token": TOKEN, "ca_path": str(tmp_path)}) == []
    assert build_client(params({"api_token": TOKEN, "ca_path": ca_bundle}), TOKEN).tls_verify == ca_bundle


def test_ca_path_that_does_not_exist(errors, tmp_path):
    missing = str(tmp_path / "missing.pem")
    assert errors({"api_token": TOKEN, "ca_path": missing}) == [
        "ca_path: %s does not exist (give a CA bundle file or a directory of CA certificates)" % missing
    ]


def test_ca_path_without_certificates(errors, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    (message,) = errors({"api_token": TOKEN, "ca_path": str(junk)})
    assert message.startswith("ca_path: cannot load CA certificates from %s (" % junk)


def test_ca_path_is_not_checked_when_verification_is_off(errors, tmp_path):
    assert errors({"api_token": TOKEN, "ca_path": str(tmp_path / "missing.pem"), "validate_certs": False}) == []


def test_ca_path_user_home_is_expanded(params, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert params({"ca_path": "~/ca.pem"})["ca_path"] == str(tmp_path / "ca.pem")


# --- the client built from the options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "validate_certs, ca_path, expected",
    [
        (True, None, True),
        (True, "/ca.pem", "/ca.pem"),
        (False, None, False),
        (False, "/ca.pem", False),
    ],
)
def test_client_tls_setting(params, validate_certs, ca_path, expected):
    options = params({"api_token": TOKEN, "validate_certs": validate_certs, "ca_path": ca_path})
    assert build_client(options, TOKEN).tls_verify == expected


def test_client_carries_every_option(params):
    options = params(
        {
            "api_url": "HTTP://127.0.0.1:9/",
            "api_token": TOKEN,
            "api_timeout": 3,
            "api_retries": 6,
            "api_retry_backoff": 2,
        }
    )
    client = build_client(options, "  other-token\n")
    assert (client.api_url, client.api_timeout, client.api_retries, client.api_retry_backoff) == (
        "http://127.0.0.1:9",
        3,
        6,
        2,
    )
    assert client.session.headers["X-API-Key"] == "other-token"
    assert client.requests_made == 0


def test_empty_environment_variables_count_as_unset(params, monkeypatch):
    """AWX sets every variable of a credential type on every job, rendering the inputs left empty as empty strings."""
    for variable in ENVIRONMENT.values():
        monkeypatch.setenv(variable, "")
    assert params({}) == {
        "api_url": "https://api.cast.ai",
        "api_token": None,
        "organization_id": None,
        "validate_certs": True,
        "ca_path": None,
        "api_timeout": 30.0,
        "api_retries": 4,
        "api_retry_backoff": 0.5,
    }
    monkeypatch.setenv("CASTAI_API_TIMEOUT", "12")
    assert params({})["api_timeout"] == 12.0
