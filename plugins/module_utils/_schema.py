# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired state out to the API, using the generated field tables (``_generated/<group>_schema.py``).

Answers come in once, through the generated models (``CastAIModule.parse``); desired state goes out once, here:
snake_case to the API's camelCase, fields left unset (None) omitted. No run-time introspection of model classes.
"""

from __future__ import annotations

ZERO_VALUES = {"integer": 0, "number": 0.0, "boolean": False}


def api_body(schemas, schema, value):
    """The camelCase JSON body of snake_case ``value`` (an object of ``schema``), None left out, recursively."""
    fields = schemas[schema]["fields"]
    body = {}
    for name, item in value.items():
        if item is None:
            continue
        field = fields[name]
        if isinstance(item, dict) and "schema" in field:
            item = api_body(schemas, field["schema"], item)
        elif isinstance(item, list) and "schema" in field.get("items", {}):
            item = [api_body(schemas, field["items"]["schema"], element) for element in item]
        body[field["alias"]] = item
    return body


def missing_required(schemas, schema, value, prefix):
    """Dotted paths of the fields the contract requires that ``value`` lacks, recursively through set objects."""
    missing = ["%s.%s" % (prefix, name) for name in schemas[schema]["required"] if value.get(name) is None]
    for name, field in sorted(schemas[schema]["fields"].items()):
        if "schema" in field and isinstance(value.get(name), dict):
            missing.extend(missing_required(schemas, field["schema"], value[name], "%s.%s" % (prefix, name)))
    return missing


def fill_zero_values(schemas, schema, merged):
    """Required numbers and booleans an existing object left out are their zero values (proto3 JSON omits them).

    Returns a copy; nested objects are filled too.
    """
    fields = schemas[schema]["fields"]
    result = dict(merged)
    for name in schemas[schema]["required"]:
        if result.get(name) is None and fields[name]["type"] in ZERO_VALUES:
            result[name] = ZERO_VALUES[fields[name]["type"]]
    for name, field in fields.items():
        if "schema" in field and isinstance(result.get(name), dict):
            result[name] = fill_zero_values(schemas, field["schema"], result[name])
    return result
