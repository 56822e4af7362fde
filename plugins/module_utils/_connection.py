# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module takes, their checks, and the API client built from them.

Documented once in the ``castai.ai_optimizer.connection`` doc fragment.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ._client import APIClient

DEFAULT_API_URL = "https://api.cast.ai"


def connection_argument_spec():
    """Options every module takes."""
    return dict(
        api_url=dict(type="str", default=DEFAULT_API_URL, fallback=(env_fallback, ["CASTAI_API_URL"])),
        api_token=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["CASTAI_API_TOKEN"])),
        organization_id=dict(type="str", fallback=(env_fallback, ["CASTAI_ORGANIZATION_ID"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="float", default=30),
        retries=dict(type="int", default=4),
        retry_backoff=dict(type="float", default=0.5),
    )


def connection_errors(params):
    """Problems with the connection options, found before any API call; each message names its option."""
    errors = []
    url = params["api_url"]
    if not url.startswith(("http://", "https://")):
        errors.append("api_url must start with http:// or https://, got %r" % url)
    if not params["api_token"].strip():
        errors.append("api_token is empty; set it or the CASTAI_API_TOKEN environment variable")
    if params["timeout"] <= 0:
        errors.append("timeout must be greater than 0, got %s" % params["timeout"])
    if params["retries"] < 0 or params["retry_backoff"] < 0:
        errors.append("retries and retry_backoff must not be negative")
    return errors


def build_client(params, token):
    """A client with the task's connection options and the given token."""
    return APIClient(
        api_url=params["api_url"],
        api_token=token,
        timeout=params["timeout"],
        validate_certs=params["validate_certs"],
        retries=params["retries"],
        retry_backoff=params["retry_backoff"],
    )
