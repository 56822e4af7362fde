# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory stand-in for the settings and budget operations, patched over ``APIClient.call``.

It keeps camelCase JSON like the API, records every call (operation, path
parameters, query, body) and pages lists with ``page.limit``/``page.cursor``,
so the modules' own client code (pagination included) runs unchanged.
"""

from __future__ import annotations

import copy
import math
from decimal import Decimal

from hypothesis import strategies as st

from ansible_collections.castai.ai_optimizer.plugins.module_utils._client import APIClient, APIError

ORG = "11111111-1111-4111-8111-111111111111"
TOKEN = "settings-unit-test-token"
CALLER_KEY = "caller-key-id"
FIELDS = ("routing_enabled", "prompt_sharing_enabled", "router_quality_weight")
WRITE_OPERATIONS = frozenset((
    "SettingsAPIUpdateSettings", "SettingsAPIUpsertAPIKeySettings", "SettingsAPIDeleteAPIKeySettings",
    "APIKeysAPIUpdateAPIKeyBudget", "APIKeysAPIDeleteAPIKeyBudget",
))


def camel(settings):
    return {"routingEnabled": settings["routing_enabled"], "promptSharingEnabled": settings["prompt_sharing_enabled"],
            "routerQualityWeight": settings["router_quality_weight"]}


def snake(body):
    return {"routing_enabled": body["routingEnabled"], "prompt_sharing_enabled": body["promptSharingEnabled"],
            "router_quality_weight": body["routerQualityWeight"]}


def not_found(what):
    return APIError("%s not found" % what, status=404, code=5)


class FakeAPI:
    """State: ``org_settings`` (camelCase), ``key_settings`` {id: camelCase}, ``budgets`` {id: limit text},
    ``spend`` {id: text}, and ``calls``, a list of (operation_id, path_params, query, body)."""

    def __init__(self, org_settings=None, page_limit=None, omit_zero_values=False):
        self.org_settings = dict(org_settings or {"routingEnabled": True, "promptSharingEnabled": False,
                                                  "routerQualityWeight": 0.5})
        self.key_settings = {}
        self.budgets = {}
        self.spend = {}
        self.calls = []
        self.page_limit = page_limit  # the API's own maximum page size
        self.omit_zero_values = omit_zero_values  # answer like proto3 JSON, leaving out false and 0

    # --- wiring -----------------------------------------------------------------------------------------------------
    def install(self, monkeypatch):
        fake = self

        def call(client, operation_id, path_params=None, query=None, body=None):
            return fake.handle(operation_id, dict(path_params or {}), dict(query or {}), copy.deepcopy(body))

        monkeypatch.setattr(APIClient, "call", call)
        return self

    @property
    def writes(self):
        return [c for c in self.calls if c[0] in WRITE_OPERATIONS]

    def operations(self):
        return [c[0] for c in self.calls]

    def handle(self, operation_id, path_params, query, body):
        self.calls.append((operation_id, path_params, query, body))
        if path_params.get("organizationId") not in (None, ORG):
            raise not_found("organization")
        answer = getattr(self, "op_" + operation_id)(path_params, query, body)
        return copy.deepcopy(answer)

    def settings_answer(self, settings):
        if not self.omit_zero_values:
            return dict(settings)
        return {k: v for k, v in settings.items() if v not in (False, 0, 0.0)}

    def op_APIKeysAPIVerifyAPIKey(self, _params, _query, _body):
        return {"organizationId": ORG}

    # --- settings ---------------------------------------------------------------------------------------------------
    @staticmethod
    def checked(body):
        missing = [f for f in ("routingEnabled", "promptSharingEnabled", "routerQualityWeight") if f not in body]
        if missing:
            raise APIError("missing required fields", status=400, code=3,
                           field_violations=[{"field": f, "description": "is required"} for f in missing])
        if not 0 <= body["routerQualityWeight"] <= 1:
            raise APIError("routerQualityWeight out of range", status=400, code=3)
        return {"routingEnabled": body["routingEnabled"], "promptSharingEnabled": body["promptSharingEnabled"],
                "routerQualityWeight": body["routerQualityWeight"]}

    def op_SettingsAPIGetSettings(self, _params, _query, _body):
        return self.settings_answer(self.org_settings)

    def op_SettingsAPIUpdateSettings(self, _params, _query, body):
        self.org_settings = self.checked(body)
        return self.settings_answer(self.org_settings)

    def key_view(self, key_id):
        return {"apiKeyId": key_id, "settings": self.settings_answer(self.key_settings[key_id])}

    def op_SettingsAPIGetAPIKeySettings(self, params, _query, _body):
        if params["id"] not in self.key_settings:
            raise not_found("settings of api key %s" % params["id"])
        return self.key_view(params["id"])

    def op_SettingsAPIUpsertAPIKeySettings(self, params, _query, body):
        self.key_settings[params["id"]] = self.checked(body)
        return self.key_view(params["id"])

    def op_SettingsAPIDeleteAPIKeySettings(self, params, _query, _body):
        if self.key_settings.pop(params["id"], None) is None:
            raise not_found("settings of api key %s" % params["id"])
        return {}

    def op_SettingsAPIListAPIKeySettings(self, _params, query, _body):
        return self.page([self.key_view(k) for k in sorted(self.key_settings)], query)

    def op_SettingsAPIResolveSettings(self, _params, _query, _body):
        settings = self.key_settings.get(CALLER_KEY, self.org_settings)
        return {"settings": self.settings_answer(settings)}

    # --- budgets ----------------------------------------------------------------------------------------------------
    def budget_view(self, key_id):
        limit = Decimal(self.budgets[key_id])
        spend = Decimal(self.spend.get(key_id, "0"))
        usage = (spend / limit * 100).quantize(Decimal("0.01")) if limit else Decimal(0)
        return {"apiKeyId": key_id, "organizationId": ORG, "budgetLimitUsd": self.budgets[key_id],
                "totalSpendUsd": str(spend), "usagePct": str(usage), "exhausted": bool(limit and spend >= limit)}

    def op_APIKeysAPIGetAPIKeyBudget(self, params, _query, _body):
        if params["apiKeyId"] not in self.budgets:
            raise not_found("budget of api key %s" % params["apiKeyId"])
        return self.budget_view(params["apiKeyId"])

    def op_APIKeysAPIUpdateAPIKeyBudget(self, params, _query, body):
        if not isinstance(body.get("budgetLimitUsd"), str):
            raise APIError("budgetLimitUsd must be a string", status=400, code=3)
        self.budgets[params["apiKeyId"]] = body["budgetLimitUsd"]
        return self.budget_view(params["apiKeyId"])

    def op_APIKeysAPIDeleteAPIKeyBudget(self, params, _query, _body):
        if self.budgets.pop(params["apiKeyId"], None) is None:
            raise not_found("budget of api key %s" % params["apiKeyId"])
        return {}

    def op_APIKeysAPIListAPIKeyBudgets(self, _params, query, _body):
        return self.page([self.budget_view(k) for k in sorted(self.budgets)], query)

    # --- paging -----------------------------------------------------------------------------------------------------
    def page(self, items, query):
        limit = int(query.get("page.limit") or 100)
        if self.page_limit:
            limit = min(limit, self.page_limit)
        offset = int(query.get("page.cursor") or 0)
        answer = {"items": items[offset:offset + limit], "totalCount": len(items)}
        if offset + limit < len(items):
            answer["nextPageCursor"] = str(offset + limit)
        return answer


# --- hypothesis strategies for the settings property tests -----------------------------------------------------

def differs(field, wanted, current):
    """The documented rule: booleans differ when unequal, weights beyond a relative 1e-6 (absolute 1e-9)."""
    if field == "router_quality_weight":
        return not math.isclose(wanted, current, rel_tol=1e-6, abs_tol=1e-9)
    return wanted != current


WEIGHTS = st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)


@st.composite
def current_and_requested(draw):
    """Random current settings and a random subset of fields set by the user (sometimes to the current value,
    sometimes to a value within the tolerance of it)."""
    current = {
        "routing_enabled": draw(st.booleans()),
        "prompt_sharing_enabled": draw(st.booleans()),
        "router_quality_weight": draw(WEIGHTS),
    }
    chosen = draw(st.sets(st.sampled_from(FIELDS)))
    requested = {}
    for field in sorted(chosen):
        if field == "router_quality_weight":
            near = current[field] * (1 + draw(st.floats(min_value=-1e-8, max_value=1e-8)))
            requested[field] = draw(st.one_of(WEIGHTS, st.just(current[field]), st.just(min(1.0, max(0.0, near)))))
        else:
            requested[field] = draw(st.one_of(st.booleans(), st.just(current[field])))
    return current, requested
