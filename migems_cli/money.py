"""Money as `Decimal`: parsed from what agents and CSV files hold, shown with two places."""

from __future__ import annotations

import re
from decimal import Decimal

from migems_cli.errors import InputError

_AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$|^\.\d{1,2}$")
CENT = Decimal("0.01")


def parse_money(text: str, field: str) -> Decimal:
    """The amount `text` holds, to the cent. Raises `InputError` naming `field` otherwise."""
    value = text.strip()
    if value.startswith("-") and _AMOUNT.match(value[1:]):
        raise InputError(field, text, "must not be negative")
    if not _AMOUNT.match(value):
        raise InputError(
            field, text, "not an amount; use digits with at most two decimals, like 120.00"
        )
    return Decimal(value).quantize(CENT)


def money_text(amount: Decimal) -> str:
    """`Decimal('120')` as '120.00': the form JSON and CSV carry."""
    return str(amount.quantize(CENT))
