# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what the user asked for with what the API holds, and merge the two.

Both sides are plain snake_case structures (dicts, lists, scalars), as returned
by ``APIModel.to_result()`` for the API side and by the module parameters for
the user side. On the user side, ``None`` means "not set": such fields are never
compared and never merged, so a task only manages what it mentions.

- ``differences(desired, current)``: dotted paths of the fields the user set
  that differ from the current value.
- ``merge(desired, current)``: a copy of current with every set desired value
  applied, recursively; use it to build full request bodies (for example a
  PATCH of a nested object whose fields are all required) without resetting
  the fields the user did not mention.

A field the API leaves out counts as its zero value when the user asks for that
zero (``enabled: false`` matches a missing ``enabled``): proto3 JSON omits
defaults.

Floats are compared with a tolerance: the API may store a value as float32, so
``0.7`` comes back as ``0.699999988079071``. That round trip is not a change.
"""

from __future__ import annotations

import copy
import math
from typing import Any

# float32 keeps 24 bits of mantissa: a relative error of about 6e-8. The tolerance
# is well above that and far below any change a user would mean.
DEFAULT_REL_TOLERANCE = 1e-6
DEFAULT_ABS_TOLERANCE = 1e-9


def floats_equal(
    a: float, b: float, rel_tol: float = DEFAULT_REL_TOLERANCE, abs_tol: float = DEFAULT_ABS_TOLERANCE
) -> bool:
    """Whether two numbers are equal within a relative and an absolute tolerance."""
    return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def values_equal(
    desired: Any, current: Any, rel_tol: float = DEFAULT_REL_TOLERANCE, abs_tol: float = DEFAULT_ABS_TOLERANCE
) -> bool:
    """Whether a desired scalar equals the current one; numbers compare with tolerance when either is a float.

    A boolean only equals a boolean (``True == 1`` in Python, but not here).
    """
    if isinstance(desired, bool) or isinstance(current, bool):
        return type(desired) is type(current) and desired == current
    if _is_number(desired) and _is_number(current):
        if isinstance(desired, float) or isinstance(current, float):
            return floats_equal(desired, current, rel_tol, abs_tol)
        return desired == current
    return desired == current


def is_zero(value: Any) -> bool:
    """Whether value is the zero value of its type (False, 0, 0.0, "" or []), which proto3 JSON leaves out."""
    return value is not None and not isinstance(value, dict) and not value


def differences(desired: Any, current: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the fields set in ``desired`` whose value differs from ``current``.

    - A dict is compared key by key; keys whose desired value is None are skipped.
      A missing or None current value counts as different for every set field below it,
      except when the desired value is a zero value: APIs that
      speak proto3 JSON leave out ``false``, ``0``, ``""`` and ``[]``, so a missing
      field already means zero.
    - A list is compared as a whole (order matters); dict elements are compared
      with the same rules, so a None inside a list element is still "not set".
    - Numbers compare with the float tolerance when either side is a float.
    - ``prefix`` is prepended to every path (used by the recursion).

    >>> differences({"a": {"b": 1, "c": None}}, {"a": {"b": 2, "c": 3}})
    ['a.b']
    """
    if desired is None:
        return []
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            current = {}
        paths = []
        for key in sorted(desired):
            value = desired[key]
            if value is None:
                continue
            path = "%s.%s" % (prefix, key) if prefix else str(key)
            sub_current = current.get(key)
            if isinstance(value, dict):
                paths.extend(differences(value, sub_current, prefix=path))
            elif not _equal(value, sub_current):
                paths.append(path)
        return paths
    if not _equal(desired, current):
        return [prefix or "."]
    return []


def _equal(desired, current):
    if desired is None:
        return True
    if current is None and is_zero(desired):
        return True
    if isinstance(desired, dict):
        return not differences(desired, current)
    if isinstance(desired, (list, tuple)):
        if not isinstance(current, (list, tuple)) or len(desired) != len(current):
            return False
        return all(_equal(d, c) for d, c in zip(desired, current, strict=True))
    return values_equal(desired, current)


def merge(desired: Any, current: Any) -> Any:
    """A deep copy of ``current`` with every non-None value of ``desired`` applied, recursively.

    Nested dicts merge key by key; every other value (scalars, lists) replaces the
    current one. When ``current`` is None or not a dict, the set fields of
    ``desired`` alone are returned. ``current`` is never modified.

    >>> merge({"a": {"b": 5, "c": None}}, {"a": {"b": 1, "c": 2}, "d": 3})
    {'a': {'b': 5, 'c': 2}, 'd': 3}
    """
    if desired is None:
        return copy.deepcopy(current)
    if not isinstance(desired, dict):
        return copy.deepcopy(desired)
    result = copy.deepcopy(current) if isinstance(current, dict) else {}
    for key, value in desired.items():
        if value is None:
            continue
        if isinstance(value, dict):
            result[key] = merge(value, result.get(key))
        else:
            result[key] = copy.deepcopy(value)
    return result


def prune(value: Any) -> Any:
    """``value`` without its None entries, recursively (dicts left empty are kept as {})."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value
