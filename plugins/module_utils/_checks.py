# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input judged locally, before any API call: every message names the option and never echoes a huge value.

The numeric limits come from the contract through the generated field tables (``_generated/<group>_schema.py``).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

# IDs are path segments: anything that a URL would normalise away or split must never reach the client.
MAX_ID_LENGTH = 256
# RFC 1035 label, as Kubernetes checks Service names: lower-case alphanumerics and '-', starting with a letter.
DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_1035_MAX = 63
RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
SHOWN = 40


def shown(value: Any) -> str:
    """A value short enough for a message."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "...(%d characters)" % len(str(value))


def path_id_error(option: str, value: Any) -> str | None:
    """Why ``value`` cannot be an ID in a URL path, or None."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return "%s must not be empty" % option
    if len(value) > MAX_ID_LENGTH:
        return "%s is %d characters long; IDs have at most %d" % (option, len(value), MAX_ID_LENGTH)
    if value != value.strip() or any(ord(char) < 0x21 or ord(char) == 0x7F for char in value):
        return "%s must not contain spaces or control characters, got %s" % (option, shown(value))
    if "/" in value or "\\" in value or value in (".", ".."):
        return "%s must be a single ID, not a path: %s" % (option, shown(value))
    return None


def path_id_errors(params: dict[str, Any], options: Iterable[str]) -> list[str]:
    return [error for error in (path_id_error(name, params.get(name)) for name in options) if error]


def service_name_error(option: str, value: str | None) -> str | None:
    """Why ``value`` is not a valid Kubernetes Service name (an RFC 1035 label), or None."""
    if value is None:
        return None
    if len(value) > DNS_1035_MAX:
        return "%s must be at most %d characters (a Kubernetes Service name), got %d" % (
            option,
            DNS_1035_MAX,
            len(value),
        )
    if not DNS_1035.match(value):
        return (
            "%s must be a Kubernetes Service name: lower-case letters, digits and '-', starting with a letter "
            "and ending with a letter or digit; got %s" % (option, shown(value))
        )
    return None


def number_errors(schemas: dict[str, Any], schema: str, value: dict[str, Any] | None, prefix: str = "") -> list[str]:
    """Integers outside the contract's bounds (int32/int64 formats, ``minimum``) and non-finite numbers, recursively.

    ``value`` is snake_case desired state of ``schema``; ``prefix`` names the option it came from.
    """
    errors = []
    fields = schemas[schema]["fields"]
    for name, item in (value or {}).items():
        field = fields.get(name)
        if item is None or field is None:
            continue
        option = prefix + name
        kind = field["type"]
        if kind == "object" and "schema" in field and isinstance(item, dict):
            errors.extend(number_errors(schemas, field["schema"], item, option + "."))
        elif kind == "integer" and isinstance(item, int) and not isinstance(item, bool):
            low, high = field.get("minimum"), field.get("maximum")
            if low is not None and item < low or high is not None and item > high:
                errors.append("%s must be between %s and %s, got %s" % (option, low, high, shown(item)))
        elif kind == "number" and isinstance(item, float) and not math.isfinite(item):
            errors.append("%s must be a finite number, got %s" % (option, item))
    return errors


def timestamp_error(option: str, value: str | None) -> str | None:
    """Why ``value`` is not a real RFC 3339 timestamp with a time zone, or None."""
    if RFC3339.match(value or ""):
        try:
            parse_timestamp(value)
            return None
        except ValueError:
            pass
    return "%s must be an RFC 3339 timestamp with a time zone, such as 2025-01-31T08:00:00Z; got %s" % (
        option,
        shown(value),
    )


def parse_timestamp(value: str) -> datetime:
    """An RFC 3339 timestamp that ``timestamp_error`` accepted, as an aware datetime."""
    fraction = RFC3339.match(value).group(7)
    text = value.upper().replace(" ", "T").replace("Z", "+00:00")
    if fraction:
        text = text.replace(fraction, fraction[:7].ljust(7, "0"), 1)
    return datetime.fromisoformat(text)


def window_errors(start_option: str, start: str | None, end_option: str, end: str | None) -> list[str]:
    """Both timestamps valid, and start not after end."""
    errors = [
        e
        for e in (
            timestamp_error(start_option, start) if start is not None else None,
            timestamp_error(end_option, end) if end is not None else None,
        )
        if e
    ]
    if not errors and start is not None and end is not None and parse_timestamp(start) > parse_timestamp(end):
        errors.append("%s (%s) must not be after %s (%s)" % (start_option, start, end_option, end))
    return errors


def wait_errors(params: dict[str, Any]) -> list[str]:
    """The wait options of a module that waits: a timeout that is not negative, a finite sleep above 0."""
    errors = []
    if params["wait_timeout"] < 0:
        errors.append("wait_timeout must not be negative, got %s" % params["wait_timeout"])
    if not 0 < params["wait_sleep"] < float("inf"):
        errors.append("wait_sleep must be a finite number greater than 0, got %s" % params["wait_sleep"])
    return errors
