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
      - Base URL of the CAST AI API.
      - If not set, the value of the E(CASTAI_API_URL) environment variable is used, then V(https://api.cast.ai).
      - Point it at the bundled simulator (for example V(http://127.0.0.1:8080)) to run playbooks offline.
    type: str
    default: https://api.cast.ai
  api_token:
    description:
      - CAST AI API access token, sent in the C(X-API-Key) header.
      - If not set, the value of the E(CASTAI_API_TOKEN) environment variable is used.
      - The value is never shown in output, diffs, warnings or errors.
    type: str
    required: true
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
      - Only turn this off for a test endpoint you trust.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for a connection and, separately, for each answer, before the request fails.
    type: float
    default: 30
  retries:
    description:
      - How many times a request is sent again after HTTP 429, 502, 503, 504 or a connection failure.
      - A C(Retry-After) header from the API sets the wait before the next try; otherwise the wait doubles from
        O(retry_backoff) seconds, up to 30 seconds.
      - C(POST) and C(PATCH) requests are only sent again after HTTP 429 or when the connection could not be opened,
        never when the request may have reached the API (a repeated create would mint a second key).
    type: int
    default: 4
  retry_backoff:
    description:
      - Base of the exponential wait between retries, in seconds.
    type: float
    default: 0.5
requirements:
  - python >= 3.10
  - requests
  - pydantic >= 2
notes:
  - All modules of this collection are in the action group C(castai.ai_optimizer.all), so the connection options can be
    set once with C(module_defaults) (see the examples).
"""

    ACTIONGROUP = r"""
attributes:
  action_group:
    description: Use C(group/castai.ai_optimizer.all) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - castai.ai_optimizer.all
"""
