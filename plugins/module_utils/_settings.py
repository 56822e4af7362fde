# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``settings`` and ``api_key_settings`` modules share.

Both write a whole ``Settings`` object (the API's update and upsert need all
three fields), so both read what is there, merge only the fields the user set
and write the result. Everything here is plain data handling, testable
without an API.
"""

from __future__ import annotations

import math

from ._compare import differences, merge

# The option names, which are also the snake_case names of the generated Settings model.
SETTINGS_FIELDS = ("routing_enabled", "prompt_sharing_enabled", "router_quality_weight")

# proto3 JSON leaves out fields that hold their zero value, so a Settings answer
# without routingEnabled means false and one without routerQualityWeight means 0.
ZERO_VALUES = {"routing_enabled": False, "prompt_sharing_enabled": False, "router_quality_weight": 0.0}


def settings_argument_spec():
    """The three setting options; None means "the user did not set it"."""
    return dict(
        routing_enabled=dict(type="bool"),
        prompt_sharing_enabled=dict(type="bool"),
        router_quality_weight=dict(type="float"),
    )


def weight_error(weight):
    """Why a quality weight is unacceptable, or None when it is fine."""
    if weight is None:
        return None
    if not math.isfinite(weight) or not 0 <= weight <= 1:
        return ("router_quality_weight must be between 0 (cost only) and 1 (quality only), got %s" % weight)
    return None


def requested_settings(params):
    """The settings the user set, by option name; fields left unset are absent."""
    return {name: params[name] for name in SETTINGS_FIELDS if params.get(name) is not None}


def check_requested(module):
    """The settings the user set, after failing the module (before any API call) on a bad value."""
    requested = requested_settings(module.params)
    error = weight_error(requested.get("router_quality_weight"))
    if error:
        module.fail_json(msg=error)
    return requested


def complete(settings):
    """A Settings result (snake_case dict) with every field, absent ones read as their proto3 zero value."""
    settings = settings or {}
    result = {}
    for name in SETTINGS_FIELDS:
        value = settings.get(name)
        result[name] = ZERO_VALUES[name] if value is None else value
    result["router_quality_weight"] = float(result["router_quality_weight"])
    return result


def plan(requested, current):
    """``(changed_fields, body)``: the set fields that differ from ``current`` and the whole object to write.

    ``body`` is ``current`` with exactly the requested fields replaced; fields the
    user did not set keep their current value.
    """
    # Weights compare with _compare's float tolerance (relative 1e-6): a float32 round trip is not a change.
    changed = differences(requested, current)
    body = merge(requested, current)
    return sorted(changed), complete(body)
