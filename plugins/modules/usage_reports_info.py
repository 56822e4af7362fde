#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: usage_reports_info
short_description: Read the AI Optimizer usage (analytics) and billing reports of a CAST AI organization
version_added: 1.0.0
description:
  - Reads, for one time window, the analytics report (requests, errors, tokens, durations, time to first token, cost
    and hosted-model figures per model and API key, per time step, with a comparison to the interval before) and the
    billing usage report (GPU hours, requests and cost per self-hosted model; requests and token costs per
    serverless model).
  - Returns both reports under RV(usage_reports), with every figure as a number, and RV(summary), the headline
    figures (total cost, requests, tokens, error rate) ready to print or to put in a report.
  - The window is given as RFC 3339 timestamps (O(start_time), O(end_time)) or as a period before now or before
    O(end_time) (O(last)). A bad window fails before any request.
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
  - castai.ai_optimizer.attributes.info
options:
  last:
    description:
      - The window as a period that ends now (or at O(end_time)), a whole number followed by V(h) (hours), V(d)
        (days) or V(w) (weeks), for example V(24h), V(7d) or V(30d). At most V(3660d).
      - When neither O(last) nor O(start_time) is set, the window is the last V(24h).
      - Cannot be combined with O(start_time).
    type: str
  start_time:
    description:
      - Start of the window, an RFC 3339 timestamp with a time zone, for example V(2025-01-01T00:00:00Z).
      - It must be before O(end_time).
    type: str
  end_time:
    description:
      - End of the window (RFC 3339, like O(start_time)). Defaults to now.
    type: str
  reports:
    description:
      - Which reports to read. V(analytics) is the usage report, V(billing) the billing usage report.
      - Defaults to both, or to V(analytics) alone when O(api_key_id), O(model) or O(filter) narrows the report.
        The billing report always covers the whole organization, so asking for it with one of them fails.
    type: list
    elements: str
    choices: [analytics, billing]
  api_key_id:
    description:
      - Only usage made with this API key (its ID, not its token).
      - Sent as the filter C(castai_api_key_id == "<id>"), as the contract asks instead of its deprecated
        C(castaiApiKey) parameter.
    type: str
  model:
    description:
      - Only usage of this model (for example V(gpt-4o-mini)), sent as the filter C(model == "<model>").
      - Combined with O(api_key_id) by C(&&).
    type: str
  filter:
    description:
      - A CEL expression sent as it is, for what O(api_key_id) and O(model) cannot say, for example
        V(castai_api_key_owner_type == "serviceAccount") or V("team:search" in tags). The contract lists the fields
        C(model), C(castai_api_key_id), C(castai_api_key_owner_type), C(castai_api_key_owner_id), C(team_id) and
        C(tags).
      - Cannot be combined with O(api_key_id) or O(model).
      - The bundled simulator only understands C(model == "...") and C(castai_api_key_id == "...") joined by
        C(&&), and answers anything else with HTTP 501.
    type: str
notes:
  - The contract sends int64 figures as strings. The module returns them as integers; durations, which are
    nanoseconds, stay integers under their own name and are also given in seconds (C(<name>_seconds)). Amounts of
    the billing report stay exact decimal strings and are also given as floats (C(<name>_float)). An int64 or amount
    that the API leaves out counts as 0, because proto3 JSON leaves zero values out (an assumption).
  - The contract does not name the currency of the amounts; the bundled simulator prices in US dollars.
  - How long a window may be and how the API divides it into time steps is the API's choice (the simulator refuses
    windows over 90 days and uses steps of one hour up to 48 hours, else one day; both are assumptions).
seealso:
  - module: castai.ai_optimizer.api_key_budgets_info
  - module: castai.ai_optimizer.hosted_models_info
"""

EXAMPLES = r"""
- name: What did the last 7 days cost?
  castai.ai_optimizer.usage_reports_info:
    last: 7d
  register: usage

- name: Print the headline figures
  ansible.builtin.debug:
    msg: >-
      {{ usage.summary.total_cost }} for {{ usage.summary.requests }} requests
      ({{ usage.summary.tokens }} tokens, {{ usage.summary.error_rate_percent }} % errors)
      between {{ usage.start_time }} and {{ usage.end_time }}

- name: Cost per self-hosted model
  ansible.builtin.debug:
    msg: "{{ item.model }} on {{ item.cluster_name }}: {{ item.gpu_hours }} GPU hours, {{ item.total_cost }}"
  loop: "{{ usage.usage_reports.billing.self_hosted_models }}"

- name: The usage of one API key during January
  castai.ai_optimizer.usage_reports_info:
    api_key_id: "{{ api_key_id }}"
    start_time: "2025-01-01T00:00:00Z"
    end_time: "2025-02-01T00:00:00Z"
  register: january

- name: Fail when one model's error rate over the last day is above 5 %
  castai.ai_optimizer.usage_reports_info:
    model: gpt-4o-mini
    last: 24h
  register: mini
  failed_when: mini.summary.error_rate_percent > 5

- name: Only the billing report of the 30 days before a date
  castai.ai_optimizer.usage_reports_info:
    reports: [billing]
    last: 30d
    end_time: "2025-03-01T00:00:00Z"
"""

RETURN = r"""
organization_id:
  description: The organization the reports are about.
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
start_time:
  description: Start of the window sent to the API (RFC 3339, UTC).
  returned: always
  type: str
  sample: "2025-01-24T08:00:00Z"
end_time:
  description: End of the window sent to the API (RFC 3339, UTC).
  returned: always
  type: str
  sample: "2025-01-31T08:00:00Z"
filter:
  description: The CEL filter sent with the analytics report, or null when it was not narrowed.
  returned: always
  type: str
  sample: castai_api_key_id == "6f1e0b8c-3d2a-4b7e-9c1f-0a2b3c4d5e6f"
summary:
  description:
    - The headline figures of the window. A figure is null when the report it comes from was not read.
  returned: always
  type: dict
  sample:
    total_cost: "3.8712"
    total_cost_float: 3.8712
    cost_source: billing
    requests: 1200
    errors: 12
    error_rate_percent: 1.0
    input_tokens: 480000
    output_tokens: 120000
    tokens: 600000
    gpu_hours: 4.5
  contains:
    total_cost:
      description:
        - The total cost as a decimal string. From the billing report when it was read (the sum of its exact
          amounts), else the analytics report's C(cost.total_cost) rounded to millionths.
      type: str
    total_cost_float:
      description: RV(summary.total_cost) as a float.
      type: float
    cost_source:
      description: Which report RV(summary.total_cost) comes from, V(billing) or V(analytics).
      type: str
    requests:
      description:
        - Requests in the window. The analytics report's API calls (summed over steps and models) when it was read,
          else the billing report's request counts.
      type: int
    errors:
      description: Failed requests (analytics report).
      type: int
    error_rate_percent:
      description: RV(summary.errors) per RV(summary.requests), in percent (0 when there were no requests).
      type: float
    input_tokens:
      description: Input tokens (analytics report).
      type: int
    output_tokens:
      description: Output tokens (analytics report).
      type: int
    tokens:
      description: Input and output tokens together.
      type: int
    gpu_hours:
      description: GPU hours of all self-hosted models (billing report).
      type: float
usage_reports:
  description: The reports, keyed by name; a report that was not read is null.
  returned: always
  type: dict
  sample:
    analytics:
      step_duration: 3600000000000
      step_duration_seconds: 3600.0
      most_recent_time: "2025-01-31T07:58:12Z"
      api_calls:
        steps:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - model: gpt-4o-mini
                provider: openai
                provider_name: OpenAI
                castai_api_key: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                castai_api_key_metadata: {id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f,
                                          owner_id: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425, owner_type: SERVICE_ACCOUNT}
                total_count: 300
      errors:
        steps:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - model: gpt-4o-mini
                provider: openai
                provider_name: OpenAI
                castai_api_key: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                castai_api_key_metadata: {id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f,
                                          owner_id: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425, owner_type: SERVICE_ACCOUNT}
                error_count: 3
                recovered_request_count: 0
                error_code_stats: [{code: 429, count: 3}]
      input_tokens:
        steps:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - model: gpt-4o-mini
                provider: openai
                provider_name: OpenAI
                castai_api_key: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                castai_api_key_metadata: {id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f,
                                          owner_id: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425, owner_type: SERVICE_ACCOUNT}
                total_count: 120000
      output_tokens:
        steps:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - model: gpt-4o-mini
                provider: openai
                provider_name: OpenAI
                castai_api_key: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                castai_api_key_metadata: {id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f,
                                          owner_id: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425, owner_type: SERVICE_ACCOUNT}
                total_count: 30000
      request_duration:
        steps:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - model: gpt-4o-mini
                provider: openai
                provider_name: OpenAI
                castai_api_key: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                castai_api_key_metadata: {id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f,
                                          owner_id: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425, owner_type: SERVICE_ACCOUNT}
                avg_duration: 500000000
                avg_duration_seconds: 0.5
      ttft:
        steps:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - model: gpt-4o-mini
                provider: openai
                provider_name: OpenAI
                castai_api_key: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                castai_api_key_metadata: {id: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f,
                                          owner_id: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425, owner_type: SERVICE_ACCOUNT}
                avg_duration: 100000000
                avg_duration_seconds: 0.1
                metrics: {p50: 100000000, p95: 150000000, p99: 200000000, p50_seconds: 0.1, p95_seconds: 0.15,
                          p99_seconds: 0.2}
        summary:
          models:
            - model: gpt-4o-mini
              provider: openai
              provider_name: OpenAI
              castai_api_key: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
              metrics: {p50: 100000000, p95: 150000000, p99: 200000000, p50_seconds: 0.1, p95_seconds: 0.15,
                        p99_seconds: 0.2}
      cost: {total_cost: 0.9098, average_cost_per_request: 0.0030327, average_cost_per_m_tokens: 6.0653}
      hosted_models:
        gpus:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - {model: meta-llama/Llama-3.1-8B-Instruct, provider: hosted_model, provider_name: CAST AI hosted model,
                 castai_api_key: "", value: 1.0}
        idle_time_minutes:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - {model: meta-llama/Llama-3.1-8B-Instruct, provider: hosted_model, provider_name: CAST AI hosted model,
                 castai_api_key: "", value: 60.0}
        idle_time_percent:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - {model: meta-llama/Llama-3.1-8B-Instruct, provider: hosted_model, provider_name: CAST AI hosted model,
                 castai_api_key: "", value: 100.0}
        avg_throughput_tokens_per_second:
          - execution_time: "2025-01-31T07:00:00Z"
            models:
              - {model: meta-llama/Llama-3.1-8B-Instruct, provider: hosted_model, provider_name: CAST AI hosted model,
                 castai_api_key: "", value: 0.0}
      comparison:
        api_calls: {value: 300.0, previous_interval_value: 250.0, change_percentage: 20.0}
        cost: {value: 0.9098, previous_interval_value: 0.8048, change_percentage: 13.05}
        error_rate_percentage: {value: 1.0, previous_interval_value: 0.8, change_percentage: 25.0}
        avg_request_duration: {duration: 500000000, duration_seconds: 0.5, previous_interval_duration: 400000000,
                               previous_interval_duration_seconds: 0.4, change_percentage: 25.0}
        avg_ttft: {duration: 100000000, duration_seconds: 0.1, previous_interval_duration: 100000000,
                   previous_interval_duration_seconds: 0.1, change_percentage: 0.0}
    billing:
      self_hosted_models:
        - model: meta-llama/Llama-3.1-8B-Instruct
          cluster_id: 5c0c2a1e-0000-4000-8000-000000000000
          cluster_name: prod-gpu
          gpu_hours: 1.0
          request_count: 0
          total_cost: "0.8048"
          total_cost_float: 0.8048
      serverless_models:
        - model: gpt-4o-mini
          request_count: 300
          input_token_cost: "0.06"
          input_token_cost_float: 0.06
          output_token_cost: "0.045"
          output_token_cost_float: 0.045
          total_cost: "0.105"
          total_cost_float: 0.105
          rate_limit_hits_total: 3
  contains:
    analytics:
      description:
        - The analytics report (C(:generateAnalyticsReport)), every field of the API's C(GenerateAnalyticsResponse)
          in snake_case, narrowed by RV(filter).
        - Nanosecond figures are integers, each with the same value in seconds under C(<name>_seconds).
      type: dict
      returned: when V(analytics) is in O(reports)
      contains:
        step_duration:
          description: Length of one time step, in nanoseconds.
          type: int
          sample: 3600000000000
        step_duration_seconds:
          description: RV(usage_reports.analytics.step_duration) in seconds.
          type: float
          sample: 3600.0
        most_recent_time:
          description: Time of the most recent request data point, whatever the window (RFC 3339; null when none).
          type: str
        api_calls:
          description: Requests per step.
          type: dict
          contains:
            steps:
              description: One entry per time step of the window.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    castai_api_key_metadata:
                      description: About that API key.
                      type: dict
                      contains:
                        id:
                          description: ID of the API key.
                          type: str
                          sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                        owner_id:
                          description: ID of the owner of the key.
                          type: str
                          sample: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425
                        owner_type:
                          description: V(SERVICE_ACCOUNT), V(USER) or V(CAST_AI_API_KEY_OWNER_TYPE_UNSPECIFIED).
                          type: str
                          sample: SERVICE_ACCOUNT
                    total_count:
                      description: Requests.
                      type: int
                      sample: 300
        errors:
          description: Failed requests per step.
          type: dict
          contains:
            steps:
              description: One entry per time step of the window.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    castai_api_key_metadata:
                      description: About that API key.
                      type: dict
                      contains:
                        id:
                          description: ID of the API key.
                          type: str
                          sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                        owner_id:
                          description: ID of the owner of the key.
                          type: str
                          sample: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425
                        owner_type:
                          description: V(SERVICE_ACCOUNT), V(USER) or V(CAST_AI_API_KEY_OWNER_TYPE_UNSPECIFIED).
                          type: str
                          sample: SERVICE_ACCOUNT
                    error_count:
                      description: Failed requests.
                      type: int
                      sample: 3
                    recovered_request_count:
                      description: Requests the API counts as recovered.
                      type: int
                      sample: 0
                    error_code_stats:
                      description: Failed requests per HTTP status.
                      type: list
                      elements: dict
                      contains:
                        code:
                          description: HTTP status.
                          type: int
                          sample: 429
                        count:
                          description: Failed requests with that status.
                          type: int
                          sample: 3
        input_tokens:
          description: Input tokens per step.
          type: dict
          contains:
            steps:
              description: One entry per time step of the window.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    castai_api_key_metadata:
                      description: About that API key.
                      type: dict
                      contains:
                        id:
                          description: ID of the API key.
                          type: str
                          sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                        owner_id:
                          description: ID of the owner of the key.
                          type: str
                          sample: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425
                        owner_type:
                          description: V(SERVICE_ACCOUNT), V(USER) or V(CAST_AI_API_KEY_OWNER_TYPE_UNSPECIFIED).
                          type: str
                          sample: SERVICE_ACCOUNT
                    total_count:
                      description: Input tokens.
                      type: int
                      sample: 120000
        output_tokens:
          description: Output tokens per step.
          type: dict
          contains:
            steps:
              description: One entry per time step of the window.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    castai_api_key_metadata:
                      description: About that API key.
                      type: dict
                      contains:
                        id:
                          description: ID of the API key.
                          type: str
                          sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                        owner_id:
                          description: ID of the owner of the key.
                          type: str
                          sample: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425
                        owner_type:
                          description: V(SERVICE_ACCOUNT), V(USER) or V(CAST_AI_API_KEY_OWNER_TYPE_UNSPECIFIED).
                          type: str
                          sample: SERVICE_ACCOUNT
                    total_count:
                      description: Output tokens.
                      type: int
                      sample: 30000
        request_duration:
          description: Average request duration per step.
          type: dict
          contains:
            steps:
              description: One entry per time step of the window.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    castai_api_key_metadata:
                      description: About that API key.
                      type: dict
                      contains:
                        id:
                          description: ID of the API key.
                          type: str
                          sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                        owner_id:
                          description: ID of the owner of the key.
                          type: str
                          sample: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425
                        owner_type:
                          description: V(SERVICE_ACCOUNT), V(USER) or V(CAST_AI_API_KEY_OWNER_TYPE_UNSPECIFIED).
                          type: str
                          sample: SERVICE_ACCOUNT
                    avg_duration:
                      description: Average duration of a request, in nanoseconds.
                      type: int
                      sample: 500000000
                    avg_duration_seconds:
                      description: The same in seconds.
                      type: float
                      sample: 0.5
        ttft:
          description: Time to first token.
          type: dict
          contains:
            steps:
              description: One entry per time step of the window.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    castai_api_key_metadata:
                      description: About that API key.
                      type: dict
                      contains:
                        id:
                          description: ID of the API key.
                          type: str
                          sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                        owner_id:
                          description: ID of the owner of the key.
                          type: str
                          sample: e4bb0ac8-2c06-5b4c-9425-a5c94c77a425
                        owner_type:
                          description: V(SERVICE_ACCOUNT), V(USER) or V(CAST_AI_API_KEY_OWNER_TYPE_UNSPECIFIED).
                          type: str
                          sample: SERVICE_ACCOUNT
                    avg_duration:
                      description: Average time to first token, in nanoseconds.
                      type: int
                      sample: 100000000
                    avg_duration_seconds:
                      description: The same in seconds.
                      type: float
                      sample: 0.1
                    metrics:
                      description: Percentiles of the time to first token.
                      type: dict
                      contains:
                        p50:
                          description: Median, in nanoseconds.
                          type: int
                          sample: 100000000
                        p95:
                          description: 95th percentile, in nanoseconds.
                          type: int
                          sample: 150000000
                        p99:
                          description: 99th percentile, in nanoseconds.
                          type: int
                          sample: 200000000
                        p50_seconds:
                          description: The median in seconds.
                          type: float
                          sample: 0.1
                        p95_seconds:
                          description: The 95th percentile in seconds.
                          type: float
                          sample: 0.15
                        p99_seconds:
                          description: The 99th percentile in seconds.
                          type: float
                          sample: 0.2
            summary:
              description: The whole window.
              type: dict
              contains:
                models:
                  description: One entry per model, provider and API key.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    metrics:
                      description: Percentiles of the time to first token.
                      type: dict
                      contains:
                        p50:
                          description: Median, in nanoseconds.
                          type: int
                          sample: 100000000
                        p95:
                          description: 95th percentile, in nanoseconds.
                          type: int
                          sample: 150000000
                        p99:
                          description: 99th percentile, in nanoseconds.
                          type: int
                          sample: 200000000
                        p50_seconds:
                          description: The median in seconds.
                          type: float
                          sample: 0.1
                        p95_seconds:
                          description: The 95th percentile in seconds.
                          type: float
                          sample: 0.15
                        p99_seconds:
                          description: The 99th percentile in seconds.
                          type: float
                          sample: 0.2
        cost:
          description: The window's cost, floats as the API sends them.
          type: dict
          contains:
            total_cost:
              description: Total cost.
              type: float
            average_cost_per_request:
              description: Average cost of one request.
              type: float
            average_cost_per_m_tokens:
              description: Average cost of one million tokens.
              type: float
        hosted_models:
          description: Figures of self-hosted models per step.
          type: dict
          contains:
            gpus:
              description: GPUs the model used.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    value:
                      description: GPUs.
                      type: float
                      sample: 1.0
            idle_time_minutes:
              description: Minutes the model ran without serving a request.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    value:
                      description: Minutes.
                      type: float
                      sample: 42.5
            idle_time_percent:
              description: The idle time in percent of the time it ran.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    value:
                      description: Percent.
                      type: float
                      sample: 70.8
            avg_throughput_tokens_per_second:
              description: Average throughput in tokens per second.
              type: list
              elements: dict
              contains:
                execution_time:
                  description: Start of the step (RFC 3339).
                  type: str
                  sample: "2025-01-31T07:00:00Z"
                models:
                  description: One entry per model, provider and API key that had something to count in the step.
                  type: list
                  elements: dict
                  contains:
                    model:
                      description: Name of the model.
                      type: str
                      sample: gpt-4o-mini
                    provider:
                      description: Provider of the model.
                      type: str
                      sample: openai
                    provider_name:
                      description: Name of the provider.
                      type: str
                      sample: OpenAI
                    castai_api_key:
                      description: The API key used (its ID in the simulator; the contract does not say which form).
                      type: str
                      sample: 0b6c1f7e-5d2a-4c1b-9e8f-7a6b5c4d3e2f
                    value:
                      description: Tokens per second.
                      type: float
                      sample: 25.0
        comparison:
          description: The window compared with the interval of the same length just before it.
          type: dict
          contains:
            api_calls:
              description: Requests in the window and in the interval before.
              type: dict
              contains:
                value:
                  description: Value in the window.
                  type: float
                  sample: 300.0
                previous_interval_value:
                  description: Value in the interval before.
                  type: float
                  sample: 250.0
                change_percentage:
                  description: Change from the interval before, in percent.
                  type: float
                  sample: 20.0
            cost:
              description: Cost in the window and in the interval before.
              type: dict
              contains:
                value:
                  description: Value in the window.
                  type: float
                  sample: 0.9098
                previous_interval_value:
                  description: Value in the interval before.
                  type: float
                  sample: 0.8048
                change_percentage:
                  description: Change from the interval before, in percent.
                  type: float
                  sample: 13.05
            error_rate_percentage:
              description: Error rate in percent in the window and in the interval before.
              type: dict
              contains:
                value:
                  description: Value in the window.
                  type: float
                  sample: 1.0
                previous_interval_value:
                  description: Value in the interval before.
                  type: float
                  sample: 0.8
                change_percentage:
                  description: Change from the interval before, in percent.
                  type: float
                  sample: 25.0
            avg_request_duration:
              description: Average request duration in the window and in the interval before.
              type: dict
              contains:
                duration:
                  description: In the window, in nanoseconds.
                  type: int
                  sample: 500000000
                duration_seconds:
                  description: The same in seconds.
                  type: float
                  sample: 0.5
                previous_interval_duration:
                  description: In the interval before, in nanoseconds.
                  type: int
                  sample: 400000000
                previous_interval_duration_seconds:
                  description: The same in seconds.
                  type: float
                  sample: 0.4
                change_percentage:
                  description: Change from the interval before, in percent.
                  type: float
                  sample: 25.0
            avg_ttft:
              description: Average time to first token in the window and in the interval before. The contract
                deprecates it in favour of RV(usage_reports.analytics.comparison.avg_request_duration).
              type: dict
              contains:
                duration:
                  description: In the window, in nanoseconds.
                  type: int
                  sample: 500000000
                duration_seconds:
                  description: The same in seconds.
                  type: float
                  sample: 0.5
                previous_interval_duration:
                  description: In the interval before, in nanoseconds.
                  type: int
                  sample: 400000000
                previous_interval_duration_seconds:
                  description: The same in seconds.
                  type: float
                  sample: 0.4
                change_percentage:
                  description: Change from the interval before, in percent.
                  type: float
                  sample: 25.0
    billing:
      description: The billing usage report (C(:generateBillingModelUsageReport)) of the whole organization.
      type: dict
      returned: when V(billing) is in O(reports)
      contains:
        self_hosted_models:
          description: One entry per self-hosted model used in the window.
          type: list
          elements: dict
          sample:
            - model: meta-llama/Llama-3.1-8B-Instruct
              cluster_id: 5c0c2a1e-0000-4000-8000-000000000000
              cluster_name: prod-gpu
              gpu_hours: 48.0
              request_count: 1200
              total_cost: "38.6304"
              total_cost_float: 38.6304
          contains:
            model:
              description: Model name.
              type: str
            cluster_id:
              description: ID of the cluster the model runs on.
              type: str
            cluster_name:
              description: Name of that cluster.
              type: str
            gpu_hours:
              description: GPU hours used in the window.
              type: float
            request_count:
              description: Requests served in the window.
              type: int
            total_cost:
              description: Cost, an exact decimal string.
              type: str
            total_cost_float:
              description: Cost as a float.
              type: float
        serverless_models:
          description: One entry per serverless (provider) model used in the window.
          type: list
          elements: dict
          sample:
            - model: gpt-4o-mini
              request_count: 300
              input_token_cost: "0.06"
              input_token_cost_float: 0.06
              output_token_cost: "0.045"
              output_token_cost_float: 0.045
              total_cost: "0.105"
              total_cost_float: 0.105
              rate_limit_hits_total: 2
          contains:
            model:
              description: Model name.
              type: str
            request_count:
              description: Requests in the window.
              type: int
            input_token_cost:
              description: Cost of the input tokens, an exact decimal string.
              type: str
            input_token_cost_float:
              description: Cost of the input tokens as a float.
              type: float
            output_token_cost:
              description: Cost of the output tokens, an exact decimal string.
              type: str
            output_token_cost_float:
              description: Cost of the output tokens as a float.
              type: float
            total_cost:
              description: Total cost, an exact decimal string.
              type: str
            total_cost_float:
              description: Total cost as a float.
              type: float
            rate_limit_hits_total:
              description: Requests refused with HTTP 429 in the 30 days before the end of the window.
              type: int
api_calls:
  description: How many HTTP requests the task sent to the API, retries included.
  returned: always
  type: int
  sample: 2
"""

from ..module_utils._generated.analytics import GenerateAnalyticsResponse, GenerateBillingModelUsageReportResponse
from ..module_utils._generated.operations import (
    ANALYTICS_API_GENERATE_ANALYTICS,
    ANALYTICS_API_GENERATE_BILLING_MODEL_USAGE_REPORT,
)
from ..module_utils._module import CastAIModule
from ..module_utils._reports import (
    ANALYTICS,
    BILLING,
    REPORTS,
    ReportError,
    chosen_reports,
    filter_errors,
    report_filter,
    report_window,
    rfc3339,
    summary,
    utc_now,
    with_numbers,
)

SOURCES = {
    ANALYTICS: (
        "generate the analytics report",
        ANALYTICS_API_GENERATE_ANALYTICS,
        GenerateAnalyticsResponse,
        ("step_duration",),
    ),
    BILLING: (
        "generate the billing usage report",
        ANALYTICS_API_GENERATE_BILLING_MODEL_USAGE_REPORT,
        GenerateBillingModelUsageReportResponse,
        (),
    ),
}


def read_report(module, name, organization_id, query):
    action, operation, model, needs = SOURCES[name]
    answer = module.call(action, operation, {"id": organization_id}, query)
    report = module.parse(model, answer, action, needs=needs)
    if name == BILLING:
        report = {key: value or [] for key, value in report.items()}
    try:
        return with_numbers(report, name, name)
    except ReportError as exc:
        module.fail_json(msg="%s: the API answer does not hold the numbers the contract promises: %s" % (action, exc))


def main():
    module = CastAIModule(
        argument_spec=dict(
            last=dict(type="str"),
            start_time=dict(type="str"),
            end_time=dict(type="str"),
            reports=dict(type="list", elements="str", choices=list(REPORTS)),
            api_key_id=dict(type="str"),
            model=dict(type="str"),
            filter=dict(type="str"),
        ),
        mutually_exclusive=[("last", "start_time"), ("filter", "api_key_id"), ("filter", "model")],
    )
    params = module.params
    start, end, errors = report_window(params, utc_now())
    reports, report_errors = chosen_reports(params)
    errors.extend(report_errors)
    errors.extend(filter_errors(params))
    if errors:
        module.fail_json(msg="; ".join(errors))

    organization_id = module.organization_id
    window = {"startTime": rfc3339(start), "endTime": rfc3339(end)}
    expression = report_filter(params)
    read = dict.fromkeys(REPORTS)
    for name in reports:
        query = dict(window, filter=expression) if name == ANALYTICS else window
        read[name] = read_report(module, name, organization_id, query)
    module.exit_with(
        changed=False,
        organization_id=organization_id,
        start_time=window["startTime"],
        end_time=window["endTime"],
        filter=expression,
        usage_reports=read,
        summary=summary(read[ANALYTICS], read[BILLING]),
    )


if __name__ == "__main__":
    main()
