"""Amounts already written as batch writes them: echoed without parsing.

A price cell such as `120.00` (digits without a leading zero, a point, two decimals) is exactly
what `money.money_text(parse_money(cell))` gives back, so batch can use the cell itself as the
refund text: no regular expressions per cell, no `Decimal`. Any other cell (`$120`, `120`,
`1,200.00`, ` 120.00`, `0120.00`, hostile text) goes the usual way, through the parser. A
property test checks the equivalence over random and hostile strings.
"""

from __future__ import annotations

import re

from migems_cli.records import positions

# At most nine digits before the point, as `money._AMOUNT` reads; no leading zero but in 0.xx.
_ONE = r"(?:0|[1-9][0-9]{0,8})\.[0-9]{2}"
_CANONICAL = re.compile(_ONE, re.ASCII)
_COLUMN = re.compile(rf"(?:{_ONE}\n)*{_ONE}", re.ASCII)


def is_canonical(text: str) -> bool:
    """Whether `text` is an amount written exactly as `money_text` writes it."""
    return _CANONICAL.fullmatch(text) is not None


def not_canonical(cells: list[str]) -> list[int]:
    """Where `cells` holds a cell that is not canonical (all of them are, nearly always: one
    match over the joined column says so; a cell holding a line break adds a line, which the
    count of line breaks catches)."""
    text = "\n".join(cells)
    if _COLUMN.fullmatch(text) is not None and text.count("\n") == len(cells) - 1:
        return []
    return positions(list(map(_CANONICAL.fullmatch, cells)), None)
