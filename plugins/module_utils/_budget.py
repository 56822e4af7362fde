# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Money handling for API-key budgets.

The API sends and takes amounts of US dollars as decimal strings. Users write
numbers (``25``, ``12.5``, ``"100.00"``). Amounts are handled as ``Decimal``,
so ``0.1`` is sent as ``"0.1"`` and never as ``"0.1000000000000000055511151231257827"``,
and ``"10.50"`` equals ``10.5``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

# Plain decimal notation with an optional exponent; no underscores, no "NaN"/"Infinity".
NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Bounds checked on the Decimal's digits and exponent before any arithmetic or formatting: "1e999999999" is a
# cheap Decimal but a billion characters as plain text.
MAX_INTEGER_DIGITS = 15
MAX_DECIMAL_PLACES = 20
MAX_TEXT = 64


class MoneyError(ValueError):
    pass


def to_decimal(value: Any, name: str = "budget_limit_usd") -> Decimal:
    """A user's amount (int, float or numeric string) as a non-negative finite Decimal, else MoneyError."""
    if isinstance(value, bool) or value is None:
        raise MoneyError("%s must be a number of US dollars, got %r" % (name, value))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 0.1 -> "0.1".
        text = repr(value)
        if not NUMBER_TEXT.match(text):
            raise MoneyError("%s must be a finite number of US dollars, got %s" % (name, text))
        amount = Decimal(text)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise MoneyError("%s must be a number of US dollars, got text of %d characters" % (name, len(text)))
        if not NUMBER_TEXT.match(text):
            raise MoneyError("%s must be a number of US dollars, got %r" % (name, value))
        amount = Decimal(text)
    else:
        raise MoneyError("%s must be a number of US dollars, got a %s" % (name, type(value).__name__))
    if amount and amount.adjusted() >= MAX_INTEGER_DIGITS:
        raise MoneyError("%s must be less than 10^%d US dollars" % (name, MAX_INTEGER_DIGITS))
    if amount and decimal_places(amount) > MAX_DECIMAL_PLACES:
        raise MoneyError("%s has more than %d decimal places" % (name, MAX_DECIMAL_PLACES))
    if amount < 0:
        raise MoneyError("%s must not be negative (0 means unlimited), got %s" % (name, money_text(amount)))
    return amount


def decimal_places(amount: Decimal) -> int:
    """Significant decimal places of a non-zero Decimal ("1.50" has 1), computed without rounding."""
    _sign, digits, exponent = amount.as_tuple()
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def money_text(amount: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: Decimal('12.50') -> '12.5', Decimal('1E+2') -> '100'."""
    if amount == 0:
        return "0"
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def api_amount(text: Any) -> Decimal:
    """An amount from the API (a decimal string; absent means 0, as proto3 leaves zero values out)."""
    if text in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(text).strip())
    except InvalidOperation:
        raise MoneyError("the API sent an amount that is not a number: %r" % (text,)) from None


def same_amount(api_text: Any, amount: Decimal) -> bool:
    """Whether the API's amount equals ``amount``; an amount the API sent unreadable is never the same."""
    try:
        return api_amount(api_text) == amount
    except MoneyError:
        return False
