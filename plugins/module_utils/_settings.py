# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``settings`` and ``api_key_settings`` modules share.

Both write a whole ``Settings`` object (the API's update and upsert need all
three fields), so both read what is there, merge only the fields the user set
and write the result.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._compare import merge
from ._generated.operations import SETTINGS_API_GET_SETTINGS
from ._generated.settings import Settings
from ._generated.settings_schema import SCHEMAS
from ._resource import Resource
from ._schema import api_body

if TYPE_CHECKING:
    from ._module import CastAIModule

# The option names, which are also the snake_case names of the generated Settings model.
SETTINGS_FIELDS = ("routing_enabled", "prompt_sharing_enabled", "router_quality_weight")

# proto3 JSON leaves out fields that hold their zero value, so a Settings answer
# without routingEnabled means false and one without routerQualityWeight means 0.
ZERO_VALUES = {"routing_enabled": False, "prompt_sharing_enabled": False, "router_quality_weight": 0.0}


def settings_argument_spec() -> dict[str, Any]:
    """The three setting options; None means "the user did not set it"."""
    return dict(
        routing_enabled=dict(type="bool"),
        prompt_sharing_enabled=dict(type="bool"),
        router_quality_weight=dict(type="float"),
    )


def weight_error(weight: float | None) -> str | None:
    """Why a quality weight is unacceptable, or None when it is fine."""
    if weight is None:
        return None
    if not math.isfinite(weight) or not 0 <= weight <= 1:
        return "router_quality_weight must be between 0 (cost only) and 1 (quality only), got %s" % weight
    return None


def check_requested(module: CastAIModule) -> None:
    """Fail the module (before any API call) on a bad setting value."""
    error = weight_error(module.params.get("router_quality_weight"))
    if error:
        module.fail_json(msg=error)


def complete(settings: dict[str, Any] | None) -> dict[str, Any]:
    """A Settings result (snake_case dict) with every field, absent ones read as their proto3 zero value."""
    settings = settings or {}
    result = {}
    for name in SETTINGS_FIELDS:
        value = settings.get(name)
        result[name] = ZERO_VALUES[name] if value is None else value
    result["router_quality_weight"] = float(result["router_quality_weight"])
    return result


class SettingsResource(Resource):
    """A whole Settings object: the API's writes need all three fields, so the user's are merged over the current."""

    result_key = "settings"
    managed = SETTINGS_FIELDS

    def predict(self, desired: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        return complete(merge(desired, current))

    def organization_settings(self) -> dict[str, Any]:
        action = "read the organization settings"
        answer = self.module.call(action, SETTINGS_API_GET_SETTINGS, {"organizationId": self.path["organizationId"]})
        return complete(self.module.parse(Settings, answer, action))

    def write_settings(
        self, verb: str, operation_id: str, desired: dict[str, Any], current: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Write the whole object: the user's fields over ``current``, which keeps every field they left out."""
        return self.send(verb, operation_id, api_body(SCHEMAS, "Settings", complete(merge(desired, current))))
