# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module takes, their checks, and the API client built from them.

Documented once in the ``castai.ai_optimizer.connection`` doc fragment.
"""

from __future__ import annotations

import math
import os
import ssl
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ._client import MAX_RETRIES, APIClient, token_problem

DEFAULT_API_URL = "https://api.cast.ai"
DEFAULT_API_TIMEOUT = 30
MAX_API_TIMEOUT = 3600  # larger values only hide a hung connection (and overflow socket timeouts near 1e9)
DEFAULT_API_RETRIES = 4
DEFAULT_API_RETRY_BACKOFF = 0.5

MISSING_TOKEN = (
    "api_token is not set: set the api_token option or the CASTAI_API_TOKEN environment variable "
    "(in AWX, attach a CAST AI credential)"
)

# option -> environment variable; each one is documented in the doc fragment.
ENVIRONMENT = {
    "api_url": "CASTAI_API_URL",
    "api_token": "CASTAI_API_TOKEN",
    "organization_id": "CASTAI_ORGANIZATION_ID",
    "validate_certs": "CASTAI_VALIDATE_CERTS",
    "ca_path": "CASTAI_CA_PATH",
    "api_timeout": "CASTAI_API_TIMEOUT",
    "api_retries": "CASTAI_API_RETRIES",
    "api_retry_backoff": "CASTAI_API_RETRY_BACKOFF",
}


def nonempty_env_fallback(*names: str) -> str:
    """The first of the variables that is set and not empty.

    AWX sets every variable of a credential type on every job and renders the inputs left empty as empty strings,
    which must mean "unset", not a bad value.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def connection_argument_spec() -> dict[str, Any]:
    """Options every module takes."""
    spec = dict(
        api_url=dict(type="str", default=DEFAULT_API_URL),
        # Not `required`: the check in connection_errors can say where a token comes from (option, env, AWX).
        api_token=dict(type="str", no_log=True),
        organization_id=dict(type="str"),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        api_timeout=dict(type="float", default=DEFAULT_API_TIMEOUT),
        api_retries=dict(type="int", default=DEFAULT_API_RETRIES),
        api_retry_backoff=dict(type="float", default=DEFAULT_API_RETRY_BACKOFF),
    )
    for option, variable in ENVIRONMENT.items():
        spec[option]["fallback"] = (nonempty_env_fallback, [variable])
    return spec


def normalize_api_url(url: str) -> tuple[str | None, str | None]:
    """(the URL to use, None) or (None, why api_url is unusable); the message names the option."""
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return None, "api_url must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError:
        return None, "api_url is not a valid URL (check the host and port)"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None, "api_url must start with http:// or https://"
    if parts.username is not None or parts.password is not None:
        # Not echoed: it holds a password. The API authenticates with api_token only.
        return None, "api_url must not contain a user name or password; the token goes in api_token"
    if not parts.hostname:
        return None, "api_url has no host name (for example https://api.cast.ai)"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return None, "api_url must not have a query (?...) or fragment (#...)"
    netloc = parts.hostname if ":" not in parts.hostname else "[%s]" % parts.hostname
    if port is not None:
        netloc += ":%d" % port
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", "")), None


def normalize_token(token: str | None) -> str | None:
    """The token without surrounding whitespace (a token file usually ends with a newline)."""
    return token.strip() if isinstance(token, str) else token


def connection_errors(params: dict[str, Any]) -> list[str]:
    """Problems with the connection options, found before any API call; each message names its option."""
    errors = []
    url_error = normalize_api_url(params["api_url"] or "")[1]
    if url_error:
        errors.append(url_error)
    token = normalize_token(params["api_token"])
    if token is None:
        errors.append(MISSING_TOKEN)
    elif not token:
        errors.append(MISSING_TOKEN.replace("is not set", "is empty"))
    else:
        problem = token_problem(token)
        if problem:
            errors.append(problem)
    for option in ("api_timeout", "api_retry_backoff"):
        value = params[option]
        if value is None or not math.isfinite(value) or value <= 0:
            errors.append("%s must be a finite number of seconds greater than 0, got %s" % (option, value))
        elif option == "api_timeout" and value > MAX_API_TIMEOUT:
            errors.append("api_timeout must be at most %d seconds, got %s" % (MAX_API_TIMEOUT, value))
    if params["api_retries"] is None or not 0 <= params["api_retries"] <= MAX_RETRIES:
        errors.append("api_retries must be between 0 and %d, got %s" % (MAX_RETRIES, params["api_retries"]))
    ca_error = _ca_path_error(params["ca_path"]) if params["validate_certs"] else None
    if ca_error:
        errors.append(ca_error)
    return errors


def _ca_path_error(path):
    if path is None:
        return None
    if os.path.isdir(path):
        # A directory is read lazily by OpenSSL (hashed names, see c_rehash); nothing to load up front.
        return None if os.access(path, os.R_OK | os.X_OK) else "ca_path: cannot read the directory %s" % path
    if not os.path.exists(path):
        return "ca_path: %s does not exist (give a CA bundle file or a directory of CA certificates)" % path
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ValueError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
        return "ca_path: cannot load CA certificates from %s (%s)" % (path, reason)
    return None


def build_client(params: dict[str, Any], token: str | None) -> APIClient:
    """A client with the task's connection options and the given token (the client strips surrounding whitespace)."""
    url = normalize_api_url(params["api_url"])[0]
    return APIClient(
        api_url=url or params["api_url"],
        api_token=token,
        api_timeout=params["api_timeout"],
        validate_certs=params["validate_certs"],
        ca_path=params["ca_path"],
        api_retries=params["api_retries"],
        api_retry_backoff=params["api_retry_backoff"],
    )
