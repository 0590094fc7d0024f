"""Money as `Decimal`: parsed from what agents and CSV files hold, shown with two places."""

from __future__ import annotations

import re
from decimal import Decimal

from migems_cli.errors import InputError

# Digits are ASCII only ([0-9], never `\d`, which also matches full-width and Arabic-Indic digits).
_AMOUNT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?|\.[0-9]{1,2}", re.ASCII)
# Commas between groups of three, with a decimal point after them: "1,200.00" can only be
# twelve hundred. Without the point ("1,200") the comma may be a decimal comma: refused.
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+\.[0-9]{1,2}", re.ASCII)
# An optional sign, a currency marker before or after the number (a symbol or a code, spaces
# allowed between), and the number: digits, points and commas, judged afterwards.
_PARTS = re.compile(
    r"(?P<sign>[-+]?)\s*(?P<before>[^\s0-9.,+-]*)\s*(?P<sign2>[-+]?)\s*"
    r"(?P<number>[0-9.,]+)\s*(?P<after>[^\s0-9.,+-]*)"
)
_CODE = re.compile(r"[A-Za-z]{3}", re.ASCII)
CENT = Decimal("0.01")
_NOT_AN_AMOUNT = "not an amount; use digits with at most two decimals, like 120.00"


def parse_money(text: str, field: str, currency: str = "", symbol: str = "") -> Decimal:
    """The amount `text` holds, to the cent. Raises `InputError` naming `field` otherwise.

    With the store's `currency` code (and `symbol`, both policy data), the amount may carry
    either of them before or after the number ("$120", "120 USD", "usd 120"); another currency
    is refused naming the store's. Without them, any marker is refused.
    """
    value = text.strip()
    if not value.isascii() and any(ch.isdigit() and not "0" <= ch <= "9" for ch in value):
        raise InputError(field, text, "not an amount; write digits as ASCII 0-9")
    parts = _PARTS.fullmatch(value)
    if parts is None or (parts["sign"] and parts["sign2"]) or "+" in parts["sign"] + parts["sign2"]:
        raise InputError(field, text, _NOT_AN_AMOUNT)
    number = _number(parts["number"], field, text)
    markers = [marker for marker in (parts["before"], parts["after"]) if marker]
    if markers:
        _check_currency(markers, field, text, currency, symbol)
    if parts["sign"] or parts["sign2"]:
        if number:
            raise InputError(field, text, "must not be negative")
        # "-0" is not negative, and a minus on a price is a typo: refused, not read as 0.00
        raise InputError(field, text, "not an amount; write it without a minus sign, like 0")
    return number


def _number(digits: str, field: str, text: str) -> Decimal:
    if "," in digits:
        if not _GROUPED.fullmatch(digits):
            raise InputError(
                field,
                text,
                "not an amount; a comma may be a thousands separator or a decimal comma: "
                "write a decimal point and no commas, like 1200.00",
            )
        digits = digits.replace(",", "")
    if not _AMOUNT.fullmatch(digits):
        raise InputError(field, text, _NOT_AN_AMOUNT)
    return Decimal(digits).quantize(CENT)


def _check_currency(markers: list[str], field: str, text: str, currency: str, symbol: str) -> None:
    """Refuse `markers` unless there is one and it is the store's currency code or symbol."""
    marker = markers[0]
    ours = marker.upper() == currency.upper() or (symbol and marker == symbol)
    if len(markers) == 1 and currency and ours:
        return
    import unicodedata  # only an amount with a foreign or odd marker gets here

    is_currency = _CODE.fullmatch(marker) or any(unicodedata.category(ch) == "Sc" for ch in marker)
    if len(markers) > 1 or not is_currency or not currency:
        raise InputError(field, text, _NOT_AN_AMOUNT)
    shown = f"{currency} ({symbol})" if symbol else currency
    example = f"120.00, {symbol}120 or 120 {currency}" if symbol else f"120.00 or 120 {currency}"
    raise InputError(field, text, f"the store's currency is {shown}; write {example}")


def money_text(amount: Decimal) -> str:
    """`Decimal('120')` as '120.00': the form JSON and CSV carry."""
    return str(amount.quantize(CENT))
