"""JSON Lines for `migems batch`, joined from pre-encoded pieces.

The same text as `batch_out.write_jsonl` (one `json_record` dumped per row, `json_safe`), made
from a template: `json_record` itself, given markers for the values a row has of its own (its
line, its input cells, its refund, its delivery dates), is dumped once per decision (`Decided`:
every other result cell follows from it) and cut at the markers. A chunk's text is then one
list, the pieces in place for every row (list slices, in C), the rows' own values between them,
joined once:

- input cells go in as they are: a chunk whose cells hold nothing that the encoder or
  `json_safe` would change (one look over the chunk's joined cells: nearly every chunk) needs
  no encoding at all; otherwise only the cells that do are encoded;
- the refund and the dates through small caches of their JSON text (null when empty);
- a row settled one by one (an error), with cells past the header, or refunded with no amount
  is the reference text itself, and so is every row of policy versions (each row's
  `chosen_by` is its own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from json.encoder import encode_basestring  # the C encoder where there is one, as json.dumps'
from operator import itemgetter
from typing import Any, TextIO

from migems_cli.batch import RESULT_COLUMNS, Chunk, Decided, Delivered, Layout, Row
from migems_cli.records import positions
from migems_cli.render.batch_out import _matching, json_record
from migems_cli.render.safe import _UNSAFE, json_safe

_LIMIT = 1 << 13  # cached decisions and values: emptied at this size, so memory stays flat
# A character the encoder escapes or `json_safe` does: a cell holding none is its own JSON text
_DIRTY = re.compile(f'["\\\\\x00-\x1f{_UNSAFE}]')
_CONTROLS = tuple(map(chr, [*range(0x20), 0x7F]))
_REFUNDS_PRICE = itemgetter(Decided._fields.index("refunds_price"))


def clean(text: str) -> bool:
    """Whether `text` holds no character of `_DIRTY` (quick: memchr, or one C-level pass)."""
    if '"' in text or "\\" in text:
        return False
    if text.isascii():  # O(1); then the controls one by one, each a memchr
        return not any(map(text.__contains__, _CONTROLS))
    return text.isprintable()  # every character of _UNSAFE is unprintable


def inner(cell: str) -> str:
    """A cell's JSON string without its quotes, as `json_record` dumped with `json_safe`."""
    return json_safe(encode_basestring(cell))[1:-1]


class _Values(dict[str, str]):
    """A result cell -> its JSON text (null when empty), looked up in C, encoded on a miss."""

    def __missing__(self, key: str) -> str:
        if len(self) >= _LIMIT:
            self.clear()
        value = self[key] = json_safe(encode_basestring(key)) if key else "null"
        return value


class _Template:
    """A row's JSON text as pieces around its own values, per decision.

    The slots (a row's own values), in the order of the text: the line, the input cells, the
    refund, then the `Delivered` fields in `RESULT_COLUMNS` order. A cell's or a refund's slot
    is inside the quotes of its string (a decision that does not refund the price has null
    before an empty slot); the others hold a whole JSON value. The pieces before the refund's
    slot are the same for every decision (`head`).
    """

    def __init__(self, layout: Layout, encode: Callable[[Any], str]) -> None:
        self.layout = layout
        self.encode = encode
        self.width = layout.width
        self.own = [name for name in RESULT_COLUMNS if name in Delivered._fields]
        self.own_at = [Delivered._fields.index(name) for name in self.own]
        self.slots = 1 + self.width + 1 + len(self.own)  # line, cells, refund, dates
        self.step = 2 * self.slots + 1  # a row in a chunk's list: piece, slot, ..., piece
        self.head = self._cut(_NOTHING)[: self.width + 1]
        # a row's list with the head in place
        self.row: list[Any] = [None] * self.step
        self.row[: 2 * len(self.head) : 2] = self.head
        self._cache: dict[Decided, list[str]] = {}

    def pieces(self, decided: list[Decided]) -> list[list[str]]:
        """The text before each slot of a row with each decision, then the text after the last
        (with the line end)."""
        cache = self._cache
        found: list[Any] = list(map(cache.get, decided))
        for at in positions(found, None):
            pieces = cache.get(decided[at])
            if pieces is None:
                if len(cache) >= _LIMIT:
                    cache.clear()
                pieces = cache[decided[at]] = self._cut(decided[at])
            found[at] = pieces
        return found

    def _cut(self, decided: Decided) -> list[str]:
        plain = self._text(decided, [""] * self.slots)
        mark = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in plain)
        marks = [f"{mark}{at}{mark}" for at in range(self.slots)]
        text = self._text(decided, marks)
        # the line and the dates hold a whole JSON value: their markers' quotes go; so does the
        # refund's when the decision does not refund the price (the slot then holds "", after
        # the null that json_record writes for an empty cell); a refund, like a cell, goes
        # inside its string's quotes
        refund = 1 + self.width
        if not decided.refunds_price:
            text = text.replace(f'"{marks[refund]}"', self.encode(None) + marks[refund], 1)
        for at in [0, *range(refund + 1, self.slots)]:
            text = text.replace(f'"{marks[at]}"', marks[at], 1)
        pieces = re.split(f"{mark}[0-9]+{mark}", text)
        assert len(pieces) == self.slots + 1, "every marker once"
        return pieces

    def _text(self, decided: Decided, marks: list[str]) -> str:
        """`json_record` of a row whose own values are `marks`, as `write_jsonl` writes it."""
        cells = marks[1 : 1 + self.width]
        results = []
        dates = iter(marks[2 + self.width :])
        for name in RESULT_COLUMNS:
            if name in Decided._fields:
                results.append(getattr(decided, name))
            elif name == "refund_amount":
                results.append(marks[1 + self.width])
            elif name in Delivered._fields:
                results.append(next(dates))
            else:  # the error: a row with one is written the reference way
                results.append("")
        row: Any = (marks[0], cells + results)  # the line's marker where its number goes
        return json_safe(self.encode(json_record(row, self.layout))) + "\n"


_NOTHING = Decided("", "", "", "", "", False, "")  # a decision's cells, all empty


def write_jsonl(chunks: Iterator[Chunk], layout: Layout, out: TextIO) -> None:
    """One JSON object per row, as `batch_out.write_jsonl` writes it (see the module's doc)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    write = out.write
    template = _Template(layout, encode)
    values = {name: _Values() for name in template.own}
    for chunk in chunks:
        if layout.versioned:  # each row's `chosen_by` is its own
            write("".join(_reference(row, layout, encode) for row in chunk.rows()))
        elif chunk.records:
            write("".join(_text(chunk, layout, template, values, encode)))


def _reference(row: Row, layout: Layout, encode: Callable[[Any], str]) -> str:
    return json_safe(encode(json_record(row, layout))) + "\n"


def _text(
    chunk: Chunk,
    layout: Layout,
    template: _Template,
    values: dict[str, _Values],
    encode: Callable[[Any], str],
) -> list[str]:
    """The pieces of a chunk's text, in order (see the module's doc)."""
    evaluated = chunk.evaluated
    records = chunk.records
    count = len(records)
    width = template.width
    step = template.step
    decided = evaluated.decided
    flat = template.row * count
    fragments = template.pieces(decided)
    for at in range(width + 1, template.slots + 1):
        flat[2 * at :: step] = map(itemgetter(at), fragments)
    flat[1::step] = map(str, chunk.lines)
    columns: list[Sequence[str]] = list(zip(*records, strict=True))
    if not _clean_cells(chunk):
        _escape(columns, records, width)
    for at, column in enumerate(columns):
        flat[3 + 2 * at :: step] = column
    refunds = list(evaluated.refunds())
    if not clean("".join(refunds)):
        refunds = list(map(inner, refunds))
    refund = 2 * (width + 1) + 1
    flat[refund::step] = refunds
    for at, (name, field) in enumerate(zip(template.own, template.own_at, strict=True), 1):
        cells = map(itemgetter(field), evaluated.delivered)
        flat[refund + 2 * at :: step] = map(values[name].__getitem__, cells)
    # rows written the reference way: settled one by one (`slow`), with extra cells, or
    # refunded with no amount (the reference writes null; the template, a string)
    whole: dict[int, tuple[str, ...]] = dict(evaluated.slow)
    others = [at for at, extra in enumerate(chunk.extras or ()) if extra]
    if refunds.count("") != count - sum(map(_REFUNDS_PRICE, decided)):
        others += [at for at in positions(refunds, "") if _REFUNDS_PRICE(decided[at])]
    if others:
        results = evaluated.results()
        whole.update((at, results[at]) for at in others)
    for at, result in whole.items():
        extra = chunk.extras[at] if chunk.extras else []
        row = (chunk.lines[at], [*records[at], *result, *extra])
        flat[step * at : step * (at + 1)] = [_reference(row, layout, encode)] + [""] * (step - 1)
    return flat


def _clean_cells(chunk: Chunk) -> bool:
    """Whether no input cell of `chunk` holds a character of `_DIRTY`.

    With the lines at hand, their text is looked at, not the cells: a line's cells are made of
    its characters (but for the quotes of a quoted line: those lines' cells are looked at for a
    quote). A tab may be the delimiter: lines with one are looked at cell by cell.
    """
    texts = chunk.texts
    if texts is None:
        return clean(",".join(chain.from_iterable(chunk.records)))
    lines = ",".join(texts)
    if "\t" in lines or not clean(lines.replace('"', "")):
        return False
    quoted = map(chunk.records.__getitem__, chunk.quoted)
    return '"' not in ",".join(chain.from_iterable(quoted))


def _escape(columns: list[Sequence[str]], records: list[list[str]], width: int) -> None:
    """Each cell that holds a character to escape, escaped, in place in `columns`."""
    cells = list(chain.from_iterable(records))
    for at in sorted(_matching(_DIRTY, cells, ",", "")):
        row, column = divmod(at, width)
        if not isinstance(columns[column], list):
            columns[column] = list(columns[column])
        columns[column][row] = inner(cells[at])  # type: ignore[index]
