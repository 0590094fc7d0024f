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
_RUN = re.compile(rf"(?:{_ONE}\n)*", re.ASCII)  # canonical lines, one after another


def is_canonical(text: str) -> bool:
    """Whether `text` is an amount written exactly as `money_text` writes it."""
    return _CANONICAL.fullmatch(text) is not None


def not_canonical(cells: list[str]) -> list[int]:
    """Where `cells` holds a cell that is not canonical.

    Nearly all cells are: one match runs over the canonical cells of the joined column up to
    the next one that is not (a match per such cell, rather than one per cell). A cell
    holding a line break would add a line, which the count of line breaks catches: such a
    column is matched cell by cell.
    """
    text = "\n".join(cells) + "\n"
    if text.count("\n") != len(cells):
        return positions(list(map(_CANONICAL.fullmatch, cells)), None)
    found: list[int] = []
    at = line = 0
    end = len(text)
    match, count, index = _RUN.match, text.count, text.index
    while True:
        stop = match(text, at).end()  # type: ignore[union-attr]  # (...)* always matches
        line += count("\n", at, stop)
        if stop == end:
            return found
        found.append(line)  # the cell at `stop` is not canonical: on to the next line
        at = index("\n", stop) + 1
        line += 1


# A currency marker the parser can read: no space, digit, point, comma or sign (see money._PARTS)
_MARKER = re.compile(r"[^\s0-9.,+-]+")


class EasyAmounts:
    """The refund text of amounts in the other forms a store's export or an agent writes
    (`$120`, `120 USD`, ` 120.00 `, `120`, `1,200.00`, `120.5`, `0120.00`): one match of a
    pattern made from the store's currency code and symbol, then string operations; no
    `Decimal`. A cell the pattern does not take (a sign, another currency, an error...) gives
    None, and goes through the parser. Every cell it takes gets exactly what
    `money.money_text(claims.parse_amount(cell))` gives (a property test says so).
    """

    def __init__(self, currency: str, symbol: str) -> None:
        # the parser takes one marker, before or after the number: the code in any case (ASCII
        # here), or the symbol as written; none when the policy names no currency
        markers = []
        if currency and _MARKER.fullmatch(currency):
            markers.append(f"(?i:{re.escape(currency)})")
            if symbol and _MARKER.fullmatch(symbol):
                markers.append(re.escape(symbol))
        # at most nine digits, or groups of three with a decimal point after them
        number = r"(?P<int>[0-9]{1,9}|[0-9]{1,3}(?:,[0-9]{3})+(?=\.))(?:\.(?P<dec>[0-9]{1,2}))?"
        mark = "|".join(markers)
        around = rf"(?:(?P<pre>{mark}) *)?{number}(?: *(?P<post>{mark}))?" if mark else number
        self._pattern = re.compile(rf" *{around} *", re.ASCII)

    def text(self, cell: str) -> str | None:
        """The refund text of `cell`, or None when it is not one of the easy forms."""
        found = self._pattern.fullmatch(cell)
        if found is None:
            return None
        groups = found.groupdict()
        if groups.get("pre") and groups.get("post"):  # two markers: the parser refuses them
            return None
        whole = groups["int"].replace(",", "")  # without groups, at most nine digits already
        if len(whole) > 9:
            return None
        cents = groups["dec"] or ""
        return f"{int(whole)}.{cents:0<2}"
