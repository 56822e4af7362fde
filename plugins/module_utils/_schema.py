# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API answers in and desired state out, both through the generated field tables (``_generated/<group>_schema.py``).

- ``from_api(schema, data)``: an answer checked against the contract and turned into the snake_case result, once.
  Every declared field is present (None when the API left it out); unknown fields are dropped (the API grows);
  types are strict where the plugins rely on them: a boolean is a JSON boolean, an integer a JSON integer.
- ``api_body(schemas, name, value)``: desired state to the API's camelCase body, None left out.
"""

from __future__ import annotations

import re
from typing import Any

INTEGER_TEXT = re.compile(r"^-?[0-9]{1,20}$")
ZERO_VALUES = {"integer": 0, "number": 0.0, "boolean": False}
JSON_KINDS = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


# A listing repeats the same short strings in every item (cluster and organization IDs, status, region, namespace):
# parsed JSON holds a copy of each per item, so items share the first one seen. Bounded, because unique values (IDs,
# names) would otherwise fill it; measured on 10,000 hosted models, peak RSS 106 -> 96 MB (docs/performance.md).
SHARED_STRINGS_MAX = 2048
SHARED_STRING_MAX_LENGTH = 64
_shared_strings: dict[str, str] = {}


def _shared(value: str) -> str:
    shared = _shared_strings.get(value)
    if shared is not None:
        return shared
    if len(_shared_strings) < SHARED_STRINGS_MAX and len(value) <= SHARED_STRING_MAX_LENGTH:
        _shared_strings[value] = value
    return value


class AnswerError(ValueError):
    """An answer that does not match the contract; ``problems`` name fields and kinds, never values."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# ``schema`` is a generated Schema, typed Any for the reason given in _module.py.
def from_api(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The snake_case result of an answer of ``schema`` (a generated ``Schema``); AnswerError when it does not fit."""
    problems = []
    result = _object(schema.tables, schema.__name__, data, "", problems)
    if problems:
        raise AnswerError(problems)
    return result


def _object(tables, name, data, where, problems):
    fields = tables[name]["fields"]
    result = {}
    for field_name, field in fields.items():
        value = data.get(field["alias"])
        result[field_name] = None if value is None else _value(tables, field, value, where + field_name, problems)
    return result


def _value(tables, field, value, where, problems):
    kind = field["type"]
    if kind == "object":
        if not isinstance(value, dict):
            return _problem(problems, where, "an object", value)
        return _object(tables, field["schema"], value, where + ".", problems) if "schema" in field else value
    if kind == "array":
        if not isinstance(value, list):
            return _problem(problems, where, "a list", value)
        return [
            None if item is None else _value(tables, field["items"], item, "%s[%d]" % (where, index), problems)
            for index, item in enumerate(value)
        ]
    if kind == "boolean":
        return value if isinstance(value, bool) else _problem(problems, where, "a boolean", value)
    if isinstance(value, bool):
        return _problem(problems, where, "a " + kind, value)
    if kind == "integer":
        if isinstance(value, int):
            return value
        # proto3 JSON sends 64-bit integers as strings.
        if field.get("format") in ("int64", "uint64") and isinstance(value, str) and INTEGER_TEXT.match(value):
            return int(value)
        return _problem(problems, where, "an integer", value)
    if kind == "number":
        return float(value) if isinstance(value, (int, float)) else _problem(problems, where, "a number", value)
    if kind == "string":
        if isinstance(value, str):
            return _shared(value)
        # int64 values travel as strings; a server that sends the number itself means the same value.
        if field.get("format") in ("int64", "uint64") and isinstance(value, int):
            return str(value)
        return _problem(problems, where, "a string", value)
    return value


def _problem(problems, where, expected, value):
    problems.append("%s: expected %s, got %s" % (where, expected, JSON_KINDS.get(type(value), "another type")))
    return None


def api_body(schemas: dict[str, Any], schema: str, value: dict[str, Any]) -> dict[str, Any]:
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


def missing_required(schemas: dict[str, Any], schema: str, value: dict[str, Any], prefix: str) -> list[str]:
    """Dotted paths of the fields the contract requires that ``value`` lacks, recursively through set objects."""
    missing = ["%s.%s" % (prefix, name) for name in schemas[schema]["required"] if value.get(name) is None]
    for name, field in sorted(schemas[schema]["fields"].items()):
        if "schema" in field and isinstance(value.get(name), dict):
            missing.extend(missing_required(schemas, field["schema"], value[name], "%s.%s" % (prefix, name)))
    return missing


def fill_zero_values(schemas: dict[str, Any], schema: str, merged: dict[str, Any]) -> dict[str, Any]:
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


def full(schemas: dict[str, Any], schema: str, value: dict[str, Any] | None) -> dict[str, Any]:
    """``value`` with every field of ``schema`` (None where unset), recursively: the shape parsed answers have."""
    fields = schemas[schema]["fields"]
    result = dict.fromkeys(fields)
    for name, item in (value or {}).items():
        if isinstance(item, dict) and "schema" in fields.get(name, {}):
            item = full(schemas, fields[name]["schema"], item)
        result[name] = item
    return result
