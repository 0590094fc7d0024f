"""JSON Lines for `migems batch`, joined from pre-encoded pieces.

The same text as `batch_out.write_jsonl` (one `json_record` dumped per row, `json_safe`), made
from a template: `json_record` itself, given markers for the values a row has of its own (its
line, its input cells, its refund, its delivery dates), is dumped once per decision (`Decided`:
every other result cell follows from it) and cut at the markers. A chunk's text is then one
list, the pieces in place for every row (list slices, in C), the rows' own values between them,
joined once:

- input cells go in as they are when the chunk holds nothing that the encoder or `json_safe`
  would change (one look over the chunk's lines: nearly every chunk); otherwise only the cells
  that hold such a character are encoded;
- the refund as it is (a number), the dates through a cache of their JSON text per delivery;
- a row settled one by one (an error), with cells past the header, or refunded with no amount
  has its result part dumped whole (cached when short), after its input cells as above;
- rows of policy versions (each row's `chosen_by` is its own) are dumped the reference way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import suppress
from itertools import chain
from json.encoder import encode_basestring  # the C encoder where there is one, as json.dumps'
from operator import itemgetter
from typing import Any, TextIO

from migems_cli.batch import RESULT_COLUMNS, Chunk, Decided, Delivered, Layout, Row
from migems_cli.records import pieces_at, positions
from migems_cli.render.batch_out import json_record
from migems_cli.render.safe import _UNSAFE, json_safe

_LIMIT = 1 << 13  # cached decisions and values: emptied at this size, so memory stays flat
_SHORT = 1 << 11  # the longest result text (of a row whose result is given whole) cached
# A character the encoder escapes or `json_safe` does: a cell holding none is its own JSON text
_DIRTY = re.compile(f'["\\\\\x00-\x1f{_UNSAFE}]')
_CONTROLS = tuple(map(chr, [*range(0x20), 0x7F]))
_REFUNDS_PRICE = itemgetter(Decided._fields.index("refunds_price"))


def clean(text: str, quotes: bool = True) -> bool:
    """Whether `text` holds no character of `_DIRTY` (quick: memchr, or one C-level pass);
    `quotes=False`: no character but the quote."""
    if (quotes and '"' in text) or "\\" in text:
        return False
    if text.isascii():  # O(1); then the controls one by one, each a memchr
        return not any(map(text.__contains__, _CONTROLS))
    return text.isprintable()  # every character of _UNSAFE is unprintable


def inner(cell: str) -> str:
    """A cell's JSON string without its quotes, as `json_record` dumped with `json_safe`."""
    return json_safe(encode_basestring(cell))[1:-1]


class _Dates(dict[Delivered, list[str]]):
    """A `Delivered` -> the text of each of its slots (null for an empty cell): looked up in C,
    encoded on a miss."""

    def __init__(self, template: _Template) -> None:
        super().__init__()
        self.dates = template.dates
        self.between = template.between

    def __missing__(self, key: Delivered) -> list[str]:
        if len(self) >= _LIMIT:
            self.clear()
        value = self[key] = []
        for fields, between in zip(self.dates, self.between, strict=True):
            cells: list[str] = [key[field] for field in fields]  # type: ignore[misc]
            texts = [_value(cells[0])]
            for text, cell in zip(between, cells[1:], strict=True):
                texts += [text, _value(cell)]
            value.append("".join(texts))
        return value


def _value(cell: str) -> str:
    """A result cell as `json_record` dumped with `json_safe` writes it."""
    return json_safe(encode_basestring(cell)) if cell else "null"


class _Template:
    """A row's JSON text as pieces around its own values, per decision.

    The slots (a row's own values), in the order of the text: the line, the input cells, the
    refund, then the `Delivered` fields in `RESULT_COLUMNS` order, those next to each other in
    one slot (`dates`: the return and damage deadlines). A cell's or a refund's slot is inside
    the quotes of its string (a decision that does not refund the price has null before an
    empty slot); the others hold a whole JSON value. The pieces before the refund's slot are
    the same for every decision (`head`).
    """

    def __init__(self, layout: Layout, encode: Callable[[Any], str]) -> None:
        self.layout = layout
        self.encode = encode
        self.width = layout.width
        # the Delivered fields by slot: runs of neighbouring columns (their positions in Delivered)
        self.dates: list[list[int]] = []
        previous = ""
        for name in RESULT_COLUMNS:
            if name in Delivered._fields:
                if previous not in Delivered._fields:
                    self.dates.append([])
                self.dates[-1].append(Delivered._fields.index(name))
            previous = name
        self.marks = 1 + self.width + 1 + sum(map(len, self.dates))  # a marker per value
        self.slots = 1 + self.width + 1 + len(self.dates)  # line, cells, refund, dates
        self.step = 2 * self.slots + 1  # a row in a chunk's list: piece, slot, ..., piece
        nothing = self._split(_NOTHING)
        self.head = nothing[: self.width + 1]
        # the text between the neighbouring dates of each slot: the keys (no decision's cells)
        self.between: list[list[str]] = []
        at = self.width + 2
        for fields in self.dates:
            self.between.append(nothing[at + 1 : at + len(fields)])
            at += len(fields)
        # a row's list with the head in place
        self.row: list[Any] = [None] * self.step
        self.row[: 2 * len(self.head) : 2] = self.head
        self._cache: dict[Decided, list[str]] = {}
        self._tails: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}

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

    def tail(self, result: tuple[str, ...], extra: tuple[str, ...]) -> list[str]:
        """The end of a row's list, from the piece after its last cell, for a row whose result
        cells (and extra cells) are given whole: one piece, then empty slots and pieces.
        Cached when short (an extra cell may be long: memory stays flat)."""
        found = self._tails.get((result, extra))
        if found is None:
            marks = [""] * self.width
            plain = self._dump(marks, result, extra)
            marks[-1] = mark = _mark(plain)
            text = self._dump(marks, result, extra)
            found = [text[text.index(mark) + 1 :]] + [""] * (self.step - 2 * (self.width + 1) - 1)
            if len(plain) <= _SHORT:
                if len(self._tails) >= _LIMIT:
                    self._tails.clear()
                self._tails[result, extra] = found
        return found

    def _dump(self, cells: list[str], result: tuple[str, ...], extra: tuple[str, ...]) -> str:
        row: Any = ("", [*cells, *result, *extra])
        return json_safe(self.encode(json_record(row, self.layout))) + "\n"

    def _cut(self, decided: Decided) -> list[str]:
        """The pieces around the slots of a row with this decision."""
        found = self._split(decided)
        at = self.width + 2
        pieces = found[:at]
        for fields in self.dates:
            pieces.append(found[at])
            at += len(fields)
        pieces.append(found[-1])
        return pieces

    def _split(self, decided: Decided) -> list[str]:
        """The pieces around the markers (a marker for each date, not each slot)."""
        plain = self._text(decided, [""] * self.marks)
        mark = _mark(plain)
        marks = [f"{mark}{at}{mark}" for at in range(self.marks)]
        text = self._text(decided, marks)
        # the line and the dates hold a whole JSON value: their markers' quotes go; so does the
        # refund's when the decision does not refund the price (the slot then holds "", after
        # the null that json_record writes for an empty cell); a refund, like a cell, goes
        # inside its string's quotes
        refund = 1 + self.width
        if not decided.refunds_price:
            text = text.replace(f'"{marks[refund]}"', self.encode(None) + marks[refund], 1)
        for at in [0, *range(refund + 1, self.marks)]:
            text = text.replace(f'"{marks[at]}"', marks[at], 1)
        pieces = re.split(f"{re.escape(mark)}[0-9]+{re.escape(mark)}", text)
        assert len(pieces) == self.marks + 1, "every marker once"
        return pieces

    def _text(self, decided: Decided, marks: list[str]) -> str:
        """`json_record` of a row whose own values are `marks`, as `write_jsonl` writes it."""
        cells = marks[1 : 1 + self.width]
        results = []
        dates = iter(marks[2 + self.width :])  # in column order, as the fields of `dates`
        for name in RESULT_COLUMNS:
            if name in Decided._fields:
                results.append(getattr(decided, name))
            elif name == "refund_amount":
                results.append(marks[1 + self.width])
            elif name in Delivered._fields:
                results.append(next(dates))
            else:  # the error: a row with one has its result part dumped whole (see `tail`)
                results.append("")
        row: Any = (marks[0], cells + results)  # the line's marker where its number goes
        return json_safe(self.encode(json_record(row, self.layout))) + "\n"


# Characters for markers: neither the encoder nor json_safe changes them, and no header, policy
# or decision holds one, nearly always (a text that holds them all is written the reference way)
_MARKS = range(0xE000, 0xF900)  # the private use area


class _NoMark(Exception):
    """Every marker character is in a row's text: `write_jsonl` writes the reference way."""


def _mark(text: str) -> str:
    """A marker character that `text` does not hold."""
    for code in _MARKS:
        if chr(code) not in text:
            return chr(code)
    raise _NoMark


_NOTHING = Decided("", "", "", "", "", False, "")  # a decision's cells, all empty


def write_jsonl(chunks: Iterator[Chunk], layout: Layout, out: TextIO) -> None:
    """One JSON object per row, as `batch_out.write_jsonl` writes it (see the module's doc)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    write = out.write
    template: _Template | None = None
    if not layout.versioned:  # with versions, each row's `chosen_by` is its own
        with suppress(_NoMark):
            template = _Template(layout, encode)
    dates = _Dates(template) if template is not None else None
    for chunk in chunks:
        if template is not None and dates is not None and len(chunk.grid):
            try:
                write("".join(_text(chunk, layout, template, dates, encode)))
                continue
            except _NoMark:
                template = None
        write("".join(_reference(row, layout, encode) for row in chunk.rows()))


def _reference(row: Row, layout: Layout, encode: Callable[[Any], str]) -> str:
    return json_safe(encode(json_record(row, layout))) + "\n"


def _text(
    chunk: Chunk,
    layout: Layout,
    template: _Template,
    dates: _Dates,
    encode: Callable[[Any], str],
) -> list[str]:
    """The pieces of a chunk's text, in order (see the module's doc)."""
    evaluated = chunk.evaluated
    grid = chunk.grid
    count = len(grid)
    width = template.width
    step = template.step
    decided = evaluated.decided
    flat = template.row * count
    fragments = template.pieces(decided)
    for at in range(width + 1, template.slots + 1):
        flat[2 * at :: step] = map(itemgetter(at), fragments)
    flat[1::step] = map(str, chunk.lines)
    columns = grid.columns()
    if not _clean_cells(chunk):
        _escape(columns, grid.cells(), width)
    for at, column in enumerate(columns):
        flat[3 + 2 * at :: step] = column
    refunds = list(evaluated.refunds())
    if not clean("".join(refunds)):
        refunds = list(map(inner, refunds))
    refund = 2 * (width + 1) + 1
    flat[refund::step] = refunds
    found = list(map(dates.__getitem__, evaluated.delivered))
    for at in range(len(template.dates)):
        flat[refund + 2 * (at + 1) :: step] = map(itemgetter(at), found)
    # rows whose results are written the reference way: settled one by one (`slow`), with
    # extra cells, or refunded with no amount (the reference writes null; the template, a string)
    whole: dict[int, tuple[str, ...]] = dict(evaluated.slow)
    others = [at for at, extra in enumerate(chunk.extras or ()) if extra]
    if refunds.count("") != count - sum(map(_REFUNDS_PRICE, decided)):
        others += [at for at in positions(refunds, "") if _REFUNDS_PRICE(decided[at])]
    if others:
        results = evaluated.results()
        whole.update((at, results[at]) for at in others)
    for at, result in whole.items():
        extra = tuple(chunk.extras[at]) if chunk.extras else ()
        start = step * at + 2 * (width + 1)
        flat[start : step * (at + 1)] = template.tail(tuple(result), extra)
    return flat


def _clean_cells(chunk: Chunk) -> bool:
    """Whether no input cell of `chunk` holds a character of `_DIRTY`.

    With the lines at hand, their text is looked at, not the cells (one join of the lines, not
    of many times as many cells): a line's cells are made of its characters, but for the
    quotes of a quoted line, whose cells are looked at for a quote. Lines with a tab (the
    delimiter, maybe) are looked at cell by cell.
    """
    texts = chunk.texts
    if texts is not None:
        lines = ",".join(texts)
        if "\t" not in lines:
            quoted = map(chunk.grid.row, chunk.quoted)
            return clean(lines, quotes=False) and '"' not in ",".join(chain.from_iterable(quoted))
    return clean(",".join(chunk.grid.cells()))


def _escape(columns: list[list[str]], cells: list[str], width: int) -> None:
    """Each cell (of `cells`, record after record) that holds a character to escape, escaped,
    in place in `columns`."""
    for at in sorted(_dirty(cells)):
        row, column = divmod(at, width)
        columns[column][row] = inner(cells[at])


def _dirty(cells: list[str]) -> set[int]:
    """Which `cells` hold a character of `_DIRTY`: one search over the cells joined by a
    character that is none, each match placed by bisecting where the cells end."""
    return pieces_at(cells, (found.start() for found in _DIRTY.finditer(",".join(cells))), 1)
