"""Writers for `migems batch`: CSV (formulas neutralised) and JSON Lines (control characters
escaped), one record per row.

Both find the result columns by name (`batch.RESULT_COLUMNS`, the fields of `batch.Result`):
a new column needs no edit here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import accumulate, repeat
from operator import itemgetter
from typing import Any, TextIO

from migems_cli.batch import (
    RESULT_COLUMNS,
    Chunk,
    Decided,
    Delivered,
    Evaluated,
    Layout,
    Row,
    split_record,
)
from migems_cli.records import Grid, csv_writer, pieces_at, positions
from migems_cli.render.safe import json_safe

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a cell a spreadsheet would run
_WITHOUT_LINE_END = itemgetter(slice(None, -2))
_LIST_COLUMNS = ("failed_rules", "review_rules")  # `;`-separated rule ids: lists in JSON


def quote(cell: str, delimiter: str) -> str:
    """`cell` as the csv module's minimal quoting writes it (inside a record of several cells)."""
    if delimiter in cell or '"' in cell or "\r" in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def neutralise(cells: Iterable[str]) -> list[str]:
    """Cells a spreadsheet would run as a formula get a leading apostrophe; others unchanged."""
    return [("'" + cell) if cell.startswith(FORMULA_START) else cell for cell in cells]


class _ResultText:
    """The CSV text of evaluated rows' result cells (a leading delimiter, the cells, the line
    end), as columns of pieces: the text of the cells that follow from the decision, cached per
    `Decided`, between the cells of each row's own (the refund, the deadlines of its delivery
    date: numbers and ISO dates, which never need quoting).

    Read from `RESULT_COLUMNS` once: the columns after the last per-row cell and before the
    next make one piece, so a row is `pieces[0] + own[0] + pieces[1] + ... + pieces[-1]`; the
    piece between two own cells is the delimiter alone, the same for every row.
    """

    _LIMIT = 1 << 13  # cached decisions: emptied at this size, so memory stays flat

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        # The result columns in runs: a run of decision cells (Decided fields, and None for the
        # error, empty), then a row's own cell ("refund_amount", or a Delivered field), ...
        self._pieces: list[list[str | None]] = [[]]
        self._own: list[str] = []
        for name in RESULT_COLUMNS:
            kind = _kind(name)
            if kind == "decided":
                self._pieces[-1].append(name)
            elif kind == "error":  # empty unless the row is written whole
                self._pieces[-1].append(None)
            else:
                self._own.append(name)
                self._pieces.append([])
        self._cache: dict[Decided, tuple[str, ...]] = {}
        # the pieces that are the delimiter alone (no cell between two own cells), by index
        self._constant = {at for at, run in enumerate(self._pieces[:-1]) if not run}
        self.width = len(self._pieces) + len(self._own)  # pieces in a row's text

    def fragments(self, decided: Decided) -> tuple[str, ...]:
        """The text of each run of `decided`'s cells, with the delimiters around the row's own
        cells (the last one ends the line)."""
        d = self.delimiter
        texts = [
            "".join(d + ("" if name is None else quote(getattr(decided, name), d)) for name in run)
            + d
            for run in self._pieces
        ]
        texts[-1] = texts[-1][: -len(d)] + "\r\n"
        return tuple(texts)

    def place(self, text: list[str], step: int, evaluated: Evaluated, whole: Iterable[int]) -> None:
        """Put each row's pieces in `text`, a row's `width` pieces `step` apart after its
        first, in slots 1 to `width` (`text` holds the delimiter in each slot at first): the
        rows in `whole` get none."""
        cache = self._cache
        decided = evaluated.decided
        fragments: list[Any] = list(map(cache.get, decided))
        for at in positions(fragments, None):
            found = cache.get(decided[at])
            if found is None:
                if len(cache) >= self._LIMIT:
                    cache.clear()
                found = cache[decided[at]] = self.fragments(decided[at])
            fragments[at] = found
        for at in range(len(self._pieces)):
            if at not in self._constant:
                text[1 + 2 * at :: step] = map(itemgetter(at), fragments)
        for at, name in enumerate(self._own):
            text[2 + 2 * at :: step] = self._own_cells(name, evaluated)
        for row in whole:  # their result text follows their input cells
            start = row * step
            text[start + 1 : start + 1 + self.width] = [""] * self.width

    @staticmethod
    def _own_cells(name: str, evaluated: Evaluated) -> Iterable[str]:
        if name == "refund_amount":
            return evaluated.refunds()
        return map(itemgetter(Delivered._fields.index(name)), evaluated.delivered)


def _kind(name: str) -> str:
    """Where a result column's cell comes from: "decided", "delivered", or its own name."""
    if name in Decided._fields:
        return "decided"
    return "delivered" if name in Delivered._fields else name


class _Lines:
    """A file-like sink that keeps each line the csv writer formats."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.write = self.lines.append


def write_csv(chunks: Iterator[Chunk], layout: Layout, out: TextIO, delimiter: str) -> None:
    """The header (input names, then the result columns), then one record per row.

    The input cells of a record
    read from one line with no quote in it are that line's own text (the csv writer would give
    the very same), unless a cell starts like a formula; other records are formatted by the csv
    writer, their formula cells neutralised. The result cells are joined from fragments cached
    with each decision (see `_ResultText`). RFC 4180 line ends: with "\\n"
    alone the csv module would leave a cell holding a bare CR unquoted, and readers would split
    the record there.
    """
    csv_writer(out, delimiter).writerow(neutralise(layout.output_header))
    sink = _Lines()
    formatter = csv_writer(sink, delimiter)  # writes NUL on Python 3.10 too
    result_text = _ResultText(delimiter)
    step = 1 + result_text.width
    # what an unquoted cell that starts like a formula starts with, after a delimiter (a line
    # holds no CR, and a delimiter after a delimiter is an empty cell); see `_not_echoed` for a
    # quoted one
    formula = tuple(delimiter + c for c in FORMULA_START if c not in (delimiter, "\r"))
    for chunk in chunks:
        inputs = _inputs(chunk, formatter, sink, formula, delimiter)
        evaluated = chunk.evaluated
        whole = {at: list(cells) for at, cells in evaluated.slow.items()}
        if chunk.extras and any(chunk.extras):
            results = evaluated.results()
            whole.update(
                (at, [*results[at], *neutralise(extra)])
                for at, extra in enumerate(chunk.extras)
                if extra
            )
        # these rows' result (and extra) cells are formatted whole, after the input
        for at, cells in whole.items():
            inputs[at] += _cells(formatter, sink, cells, delimiter)
        # each row: input cells, then the result cells from the pieces (see `_ResultText`),
        # placed in one list by slices (no tuple a row)
        text = [delimiter] * (len(inputs) * step)
        text[::step] = inputs
        result_text.place(text, step, evaluated, whole)
        out.write("".join(text))


def _inputs(
    chunk: Chunk, formatter: Any, sink: _Lines, formula: tuple[str, ...], delimiter: str
) -> list[str]:
    """Each record's input cells as CSV text, formulas neutralised, without the line end."""
    grid = chunk.grid
    if chunk.texts is None:
        return _formatted(formatter, sink, _neutralised(grid.lists()))
    texts = list(chunk.texts)
    # Lines to format cell by cell: with an unquoted cell that starts like a formula (each line
    # is searched after a delimiter, so that one search finds first cells too), or with quotes
    # other than the csv writer's (it quotes a cell only if it holds a delimiter or a quote) or
    # a quoted cell that starts like a formula.
    found = _matching(formula, texts, delimiter, "\n")
    if chunk.quoted:
        found.update(_not_echoed(texts, grid, chunk.quoted, delimiter))
    if found:
        redo = sorted(found)
        formatted = _formatted(formatter, sink, _neutralised(list(map(grid.row, redo))))
        for at, text in zip(redo, formatted, strict=True):
            texts[at] = text
    return texts


_CELL_FORMULA = tuple("\x1f" + c for c in FORMULA_START)


def _not_echoed(texts: list[str], grid: Grid, quoted: list[int], delimiter: str) -> list[int]:
    """The lines of `quoted` that the csv writer would not write as they are.

    A line is written as it is when its one quoted cell is quoted as the writer quotes it:
    exactly two quote characters, the second closing the cell (at the end or before a
    delimiter), and a delimiter between them (the reader gave fewer cells than the delimiters
    make), which is why the writer quotes it; and the cell does not start like a formula. (The
    first quote then opens the cell: a quote inside a bare cell is text to the reader, and the
    second could then only open a cell that the line does not close, which is not a line of a
    chunk whose lines are records.) Every other line (two quoted cells, a doubled
    quote, a quote inside a bare cell, quoting that was not needed) goes to the writer. Found
    with C-level passes over the quoted lines (a pattern per line took as long as the writer).
    """
    lines = [texts[at] for at in quoted]
    counts = map(str.count, lines, repeat('"'))
    opens = list(map(str.find, lines, repeat('"')))
    closes = list(map(str.rfind, lines, repeat('"')))
    cells = grid.sizes(quoted)
    delimiters = map(str.count, lines, repeat(delimiter))
    unsafe = _FORMULA_STARTS  # (an empty quoted cell holds no delimiter: the width says so)
    redo: list[int] = []
    for at, line, count, start, end, width, split in zip(
        quoted, lines, counts, opens, closes, cells, delimiters, strict=True
    ):
        if not (
            count == 2
            and (end == len(line) - 1 or line[end + 1] == delimiter)
            and width <= split  # the quoted cell holds a delimiter
            and line[start + 1] not in unsafe
        ):
            redo.append(at)
    return redo


_FORMULA_STARTS = frozenset(FORMULA_START)


def _neutralised(records: list[list[str]]) -> list[list[str]]:
    """`records`, with each one that has a cell a spreadsheet would run neutralised.

    One search over all the cells, each led by \\x1f, finds the records to look at closely (a
    cell holding \\x1f itself can only add a record to look at, never hide one).
    """
    dirty = _matching(_CELL_FORMULA, list(map("\x1f".join, records)), "\x1f", "")
    if not dirty:
        return records
    records = list(records)
    for at in dirty:
        records[at] = neutralise(records[at])
    return records


def _matching(needles: tuple[str, ...], pieces: list[str], lead: str, tail: str) -> set[int]:
    """Which `pieces` an occurrence of one of `needles` (each starting with `lead`) starts in,
    each piece searched as lead + piece + tail.

    One text for all: piece i (its lead included) ends where piece i + 1's lead starts, and
    bisecting those boundaries says which piece an occurrence is in (lines, which hold no line
    feed, are told by the count of line feeds before it). Each needle is looked for
    with `str.find` (a fast C search; a regular expression stopped at every delimiter, and cost
    a fifth of the CSV writer's time), after its last character alone (most are absent from
    a claims file; `-` is in every ISO date).
    """
    text = lead + (tail + lead).join(pieces)
    found: list[int] = []
    for needle in needles:
        if needle[len(lead) :] not in text:  # one character: a memchr, far faster still
            continue
        at = text.find(needle)
        while at >= 0:
            found.append(at)
            at = text.find(needle, at + 1)
    if not found:
        return set()
    if tail == "\n":  # no line holds one: an offset's line is the count of them before it
        found.sort()
        return set(accumulate(map(text.count, repeat(tail), [0, *found], found)))
    return pieces_at(pieces, found, len(lead) + len(tail))


def _formatted(formatter: Any, sink: _Lines, records: list[list[str]]) -> list[str]:
    """`records` as the csv writer formats them, without the line ends."""
    sink.lines.clear()
    formatter.writerows(records)
    return list(map(_WITHOUT_LINE_END, sink.lines))


def _cells(formatter: Any, sink: _Lines, cells: list[str] | tuple[str, ...], delimiter: str) -> str:
    """`cells` as the csv writer formats them, after a delimiter, with the line end."""
    formatter.writerow(cells)
    return delimiter + sink.lines.pop()


def json_record(row: Row, layout: Layout) -> dict[str, Any]:
    """The JSON Lines object for a row: line, input (by header name), results (empty ones
    null, the rule lists as lists), extra cells."""
    cells, results, extra = split_record(row[1], layout.width)
    record: dict[str, Any] = {"line": row[0], "input": dict(zip(layout.names, cells, strict=True))}
    record.update(zip(RESULT_COLUMNS, [value or None for value in results], strict=True))
    for name, at in _LISTS_AT:
        record[name] = results[at].split(";") if results[at] else []
    digest = results[_POLICY_AT]
    if digest:  # the policy that answered, as every JSON result names it
        record["policy"] = block = policy_block(layout, digest)
        if layout.versioned:
            ordered = layout.index.get("ordered")
            dated = ordered is not None and cells[ordered].strip()
            block["chosen_by"] = "ordered" if dated else "delivered"
    if extra:
        record["extra"] = extra
    return record


def policy_block(layout: Layout, digest: str) -> dict[str, Any]:
    """The policy object of a row answered by the policy of `digest` (`chosen_by` as for a single
    policy file: null; a row of policy versions says which date chose it)."""
    known = layout.policies.get(digest) or {"digest": digest}
    return {**known, "chosen_by": None}


_LISTS_AT = [(name, RESULT_COLUMNS.index(name)) for name in _LIST_COLUMNS]
_POLICY_AT = RESULT_COLUMNS.index("policy")


def write_jsonl(rows: Iterator[Row], layout: Layout, out: TextIO) -> None:
    """One JSON object per line (see `json_record`); no header line. Text stays UTF-8, but
    every control character is escaped (`json_safe`): a line is safe on a terminal."""
    encode = json.JSONEncoder(ensure_ascii=False).encode  # made once: json.dumps makes one a call
    write = out.write
    for row in rows:
        write(json_safe(encode(json_record(row, layout))) + "\n")
