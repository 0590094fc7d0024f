"""JSON Lines for `migems batch`, joined from pre-encoded pieces.

The same text as `batch_out.write_jsonl` (one `json_record` dumped per row, `json_safe`), made
column by column: the keys of a file are encoded once, with the separators around them; each
input cell is encoded by the C string encoder `json.dumps` itself uses; each result cell through
a cache of its column (a few distinct values: decisions, rule lists, dates, amounts); a chunk's
rows are one join. The result columns are read by name from `batch.RESULT_COLUMNS`: empty cells
are null, the rule-list columns (`batch_out._LIST_COLUMNS`) lists. A chunk with cells beyond the
header's width goes the reference way, row by row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, repeat
from json.encoder import encode_basestring  # the C encoder where there is one, as json.dumps'
from typing import TextIO

from migems_cli.batch import RESULT_COLUMNS, Chunk, Layout
from migems_cli.records import positions
from migems_cli.render.batch_out import _LIST_COLUMNS, json_record, policy_block
from migems_cli.render.safe import json_safe

_LIMIT = 1 << 13  # cached cells per result column: emptied at this size, so memory stays flat


class _Lists(dict[str, str]):
    """A rule-list cell (`a;b`) -> its JSON list; looked up in C (`map(cache.__getitem__,
    cells)`), encoded in Python only on a miss (a file has a few dozen distinct lists)."""

    def __missing__(self, key: str) -> str:
        if len(self) >= _LIMIT:
            self.clear()
        value = "[" + ", ".join(map(encode_basestring, key.split(";"))) + "]" if key else "[]"
        self[key] = value
        return value


class _Policies(dict[str, str]):
    """A `policy` cell (the digest) -> the policy object every JSON result carries, as
    `batch_out.json_record` writes it for a single policy (`chosen_by` null); null when empty."""

    def __init__(self, layout: Layout, encode: Callable[[object], str]) -> None:
        super().__init__({"": "null"})
        self.layout = layout
        self.encode = encode

    def __missing__(self, digest: str) -> str:
        value = self.encode(policy_block(self.layout, digest))
        self[digest] = value
        return value


def _values(cells: Iterable[str]) -> list[str]:
    """Result cells as JSON: strings, null where empty."""
    encoded = list(map(encode_basestring, cells))
    for at in positions(encoded, '""'):
        encoded[at] = "null"
    return encoded


def pieces(layout: Layout) -> list[str]:
    """The text before each value of a record (the line, the input cells, the result cells),
    then the text that ends it: `{"line": `, `, "input": {"claim_id": `, ..., `}\n`."""
    keys = [encode_basestring(name) + ": " for name in layout.names]
    results = [encode_basestring(name) + ": " for name in RESULT_COLUMNS]
    return [
        '{"line": ',
        ', "input": {' + keys[0],
        *(", " + key for key in keys[1:]),
        "}, " + results[0],
        *(", " + key for key in results[1:]),
        "}\n",
    ]


def write_jsonl(chunks: Iterator[Chunk], layout: Layout, out: TextIO) -> None:
    """One JSON object per row, as `batch_out.write_jsonl` writes it (see the module's doc)."""
    before = pieces(layout)
    lists = {name: _Lists() for name in _LIST_COLUMNS if name in RESULT_COLUMNS}
    encode = json.JSONEncoder(ensure_ascii=False).encode
    write = out.write
    policies = _Policies(layout, encode)
    for chunk in chunks:
        # cells past the header, or policy versions (a row's `chosen_by` is its own): row by row
        if layout.versioned or (chunk.extras and any(chunk.extras)):
            write(
                "".join(json_safe(encode(json_record(row, layout))) + "\n" for row in chunk.rows())
            )
            continue
        values: list[Iterable[str]] = [map(str, chunk.lines)]
        values += [map(encode_basestring, column) for column in zip(*chunk.records, strict=True)]
        for name, column in zip(
            RESULT_COLUMNS, zip(*chunk.evaluated.results(), strict=True), strict=True
        ):
            if name in lists:
                values.append(map(lists[name].__getitem__, column))
            elif name == "policy":
                values.append(map(policies.__getitem__, column))
            else:
                values.append(_values(column))
        columns = [item for pair in zip(map(repeat, before), values, strict=False) for item in pair]
        columns.append(repeat(before[-1]))
        write(json_safe("".join(chain.from_iterable(zip(*columns, strict=False)))))
