"""Batch invariants on hostile CSV files: every record out once, in order, ids kept, no crash.

Issue 9 ("Deliver": a batch invariant test) and issue 16 (a bad cell after the first 256-row
chunk, on a combination an earlier chunk already decided, is still an error). Files of a few
hundred to a few thousand rows, so they span several of the evaluator's chunks; cells are
quotes, line breaks, formulas, control characters, huge numbers, the calendar's first and last
days, blanks; columns come in any order, with unknown ones among them.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migems_cli.claims import FIELDS
from tests.helpers import run_main

DECISIONS = {"eligible", "ineligible", "review"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    "",
    " ",
    '"',
    '""',
    'a "quoted" cell',
    "two\nlines",
    "crlf\r\ninside",
    "bare\rCR",
    ",",
    ";",
    "\t",
    '=HYPERLINK("http://evil")',
    "+1+2",
    "-3",
    "@SUM(A1)",
    "\x1b[2J",
    "\x00",
    "\x07bell",
    "\u2028",
    "\ufeff",
    "9" * 400,
    "1e999999",
    "-0",
    "NaN",
    "Infinity",
    "0001-01-01",
    "9999-12-31",
    "9999-12-28",
    "12/31/9999",
    "today",
    "yesterday",
    "changed-mind",
    "damaged",
    "wrong-item",
    "earrings",
    "rings",
    "yes",
    "no",
    "worn",
    "120",
    "99.99",
    "12.345",
    "\uff11\uff12\uff10",  # full-width digits
]
CELLS = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
)
TODAYS = ["2026-01-31", "0001-01-01", "9999-12-31"]


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


@st.composite
def files(draw: st.DrawFn) -> tuple[list[str], list[list[str]], int]:
    """A header, its records (a blank record stands for a blank line), and the id column."""
    optional = [name for name in FIELDS if name != "delivered"]
    known = draw(st.lists(st.sampled_from(optional), unique=True))
    unknown = draw(st.lists(st.text(max_size=6).map(lambda t: "x_" + t), max_size=3))
    columns = draw(st.permutations(["claim_id", "delivered", *known, *unknown]))
    claim_at = columns.index("claim_id")
    palette = draw(
        st.lists(
            st.lists(CELLS, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=12
        )
    )
    prefixes = draw(st.lists(CELLS, min_size=1, max_size=4))
    count = draw(st.integers(min_value=300, max_value=3000))
    rnd = draw(st.randoms(use_true_random=False))
    records: list[list[str]] = []
    for i in range(count):
        row = list(rnd.choice(palette))
        row[claim_at] = f"{rnd.choice(prefixes)}#{i}"  # unique, and as hostile as the rest
        shape = rnd.random()
        if shape < 0.05:  # short: cut after the claim id
            row = row[: rnd.randint(claim_at + 1, len(row))]
        elif shape < 0.10:  # long: cells beyond the header
            row += [rnd.choice(HOSTILE) for _ in range(rnd.randint(1, 3))]
        elif shape < 0.12:
            records.append([])  # a blank line: not a claim
        records.append(row)
    return columns, records, claim_at


def _write(path: Path, header: list[str], records: list[list[str]], delimiter: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        for record in [header, *records]:
            if record:
                out.write(_csv_line(record, delimiter))
            else:
                out.write("\r\n")


def _csv_line(record: list[str], delimiter: str) -> str:
    """The record as csv.writer writes it on Python 3.11+, where NUL is a character like any
    other (3.10's writer refuses it: it is written here as a character the record lacks)."""
    text = "".join(record)
    stand = next(c for c in map(chr, range(1, 0x110000)) if c not in text + delimiter + '"\r\n')
    line = io.StringIO()
    csv.writer(line, delimiter=delimiter).writerow([cell.replace("\x00", stand) for cell in record])
    return line.getvalue().replace(stand, "\x00")


def _read_csv(text: str, delimiter: str) -> list[list[str]]:
    """csv.reader's records of `text` as Python 3.11+ reads them (NUL, which 3.10's reader
    refuses, is read here as a character the text lacks)."""
    stand = next(c for c in map(chr, range(1, 0x110000)) if c not in text + delimiter + '"\r\n')
    lines = io.StringIO(text.replace("\x00", stand), newline="")
    return [
        [cell.replace(stand, "\x00") for cell in record]
        for record in csv.reader(lines, delimiter=delimiter)
    ]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)
@given(
    files(),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(TODAYS),
    st.sampled_from(["csv", "jsonl"]),
)
def test_one_output_row_per_record_in_order_with_ids_and_errors(
    capsys: pytest.CaptureFixture[str],
    case: tuple[list[str], list[list[str]], int],
    delimiter: str,
    today: str,
    fmt: str,
) -> None:
    header, records, claim_at = case
    kept = [record for record in records if record]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.csv"
        _write(path, header, records, delimiter)
        args = ["batch", str(path), "--format", fmt, "--delimiter", delimiter, "--today", today]
        code, out, err = run_main(args, capsys)
    assert code in (0, 1), err
    assert "Traceback" not in err
    assert err.startswith(f"migems batch: {len(kept)} row")
    if fmt == "csv":
        written = _read_csv(out, delimiter)
        assert written[0][: len(header)] == [_safe(name) for name in header]
        names = written[0]
        rows = [dict(zip(names, record, strict=False)) for record in written[1:]]
        assert len(rows) == len(kept)
        for record, row in zip(kept, written[1:], strict=True):
            assert row[claim_at] == _safe(record[claim_at])
    else:
        # JSON Lines end at "\n" only: a cell may hold U+2028, which str.splitlines splits at
        rows = [json.loads(line) for line in out.split("\n")[:-1]]
        assert len(rows) == len(kept)
        lines = [row["line"] for row in rows]
        assert lines == sorted(lines)
        assert len(set(lines)) == len(lines)
        for record, row in zip(kept, rows, strict=True):
            assert row["input"]["claim_id"] == record[claim_at]
    errors = 0
    for row in rows:
        if row["decision"] in DECISIONS:
            assert not row["error"]
        else:
            assert not row["decision"]
            assert row["error"]  # every row that was not decided says why
            errors += 1
    assert code == (1 if errors else 0)


def test_bad_cells_after_the_first_chunk_on_a_decided_combination(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 16: rows 2..1001 share one combination; bad cells far into later chunks still
    make their rows errors, and every other row keeps the cached decision."""
    bad = {280: ("120", "abc"), 600: ("12.345", "0"), 777: ("99", "=1+1"), 999: ("1e5", "")}
    lines = ["claim_id,delivered,requested,category,price,shipping"]
    for i in range(1000):
        price, shipping = bad.get(i, ("120", "9.95"))
        lines.append(f"C{i},2026-01-03,2026-01-05,rings,{price},{shipping}")
    path = tmp_path / "claims.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_main(["batch", str(path), "--today", "2026-01-31"], capsys)
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [row["claim_id"] for row in rows] == [f"C{i}" for i in range(1000)]
    failing = {i for i, row in enumerate(rows) if row["error"]}
    assert failing == set(bad)
    assert rows[280]["error"].startswith("shipping: ")
    assert rows[600]["error"].startswith("price: ")
    assert rows[777]["error"].startswith("shipping: ")
    assert rows[999]["error"].startswith("price: ")
    assert {rows[i]["decision"] for i in range(1000) if i not in bad} == {"eligible"}
    assert "4 errors" in err
