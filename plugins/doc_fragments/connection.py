# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared documentation: connection options and the common attributes."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the CAST AI API, V(http) or V(https) (the scheme is case-insensitive) with a host name; a path
        prefix is kept, a trailing slash is removed, a query or fragment is refused.
      - If not set, the value of the E(CASTAI_API_URL) environment variable is used, then V(https://api.cast.ai).
      - Point it at the bundled simulator (for example V(http://127.0.0.1:8080)) to run playbooks offline.
      - The E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables of the host that runs the module
        are honoured (by the C(requests) library).
      - Redirects are not followed (the token would travel with them); a redirect answer fails the task.
    type: str
    default: https://api.cast.ai
  api_token:
    description:
      - CAST AI API access token, sent in the C(X-API-Key) header.
      - If not set, the value of the E(CASTAI_API_TOKEN) environment variable is used. One of the two must be set.
      - Surrounding whitespace (such as the newline at the end of a token file) is removed. Any other space,
        control character or non-ASCII character is refused before any request, without showing the value.
      - The value is never shown in output, diffs, warnings or errors.
    type: str
  organization_id:
    description:
      - ID of the CAST AI organization to work in.
      - If not set, the value of the E(CASTAI_ORGANIZATION_ID) environment variable is used.
      - If neither is set, the module asks the API which organization O(api_token) belongs to
        (one extra C(api-keys:verify) call).
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(api_url).
      - If not set, the value of the E(CASTAI_VALIDATE_CERTS) environment variable is used, then V(true).
      - V(false) holds whatever E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) say. Only turn verification off for a
        test endpoint you trust.
      - With V(true) and no O(ca_path), the CA bundle named by E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) is used
        when one of them is set, else the bundle of the C(certifi) package.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle file (PEM) or a directory of CA certificates (hashed names, as C(openssl rehash) makes them)
        to verify the certificate of O(api_url) with, for an endpoint behind a private CA or a TLS-inspecting
        proxy.
      - If not set, the value of the E(CASTAI_CA_PATH) environment variable is used.
      - Takes precedence over E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE). Ignored when O(validate_certs=false).
      - A file is loaded before any request, so a missing or unreadable bundle fails the task at once.
    type: path
  api_timeout:
    description:
      - Seconds to wait for a connection and, separately, for each read of an answer, before the attempt fails.
      - If not set, the value of the E(CASTAI_API_TIMEOUT) environment variable is used, then V(30).
      - Must be greater than 0 and at most 3600.
      - Not to be confused with the C(wait_timeout) of modules that wait for a resource.
    type: float
    default: 30
  api_retries:
    description:
      - How many times a request is sent again after HTTP 429, 502, 503, 504, a connection failure, a timeout or an
        answer that broke off. Between 0 and 20.
      - If not set, the value of the E(CASTAI_API_RETRIES) environment variable is used, then V(4).
      - Retry number N waits O(api_retry_backoff) times 2^(N-1) seconds, at most 30 seconds; a C(Retry-After)
        header (seconds or an HTTP date) sets the wait instead. A C(Retry-After) longer than 60 seconds ends the
        retries at once, and all waits of one request together never exceed 120 seconds, so one request takes at
        most (O(api_retries) + 1) x 2 x O(api_timeout) + 120 seconds.
      - C(GET), C(PUT), C(DELETE) and the C(api-keys:verify) check are retried on all of these failures; C(GET) and
        C(api-keys:verify) also when a complete answer is not valid JSON. C(POST) and C(PATCH) are sent again only
        after HTTP 429 or when the connection never opened, never when the request may have reached the API (a
        repeated create would mint a second key).
    type: int
    default: 4
  api_retry_backoff:
    description:
      - Base of the exponential wait between retries, in seconds; greater than 0.
      - If not set, the value of the E(CASTAI_API_RETRY_BACKOFF) environment variable is used, then V(0.5).
    type: float
    default: 0.5
requirements:
  - python >= 3.10
  - requests >= 2.28 with urllib3 >= 1.26
notes:
  - All modules of this collection are in the action group C(castai.ai_optimizer.all), so the connection options can be
    set once with C(module_defaults) (see the examples).
  - An environment variable that is set but empty counts as unset (AWX sets every variable of a credential type on
    every job, empty for the inputs left empty).
"""

    ACTIONGROUP = r"""
attributes:
  action_group:
    description: Use C(group/castai.ai_optimizer.all) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - castai.ai_optimizer.all
"""
