"""Batch behaviours a mutation run found unpinned (issue 16): a chunk whose every shipping
cell is bad, a bad shipping cell seen once, the header's byte-order mark and repeated column,
and the summary's error lines and rate."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from migems_cli.batch import Summary
from migems_cli.errors import ExitCode
from tests.helpers import TODAY


def _batch(run, path: Path, *more: str):
    return run("batch", str(path), "--format", "csv", "--today", TODAY, *more)


def test_every_shipping_cell_bad_makes_every_row_an_error(run, tmp_path) -> None:
    """Canonical prices skip Decimal; a bad shipping cell must still stop the row, also when
    no row of the chunk has a good one, and when each bad cell is seen once."""
    path = tmp_path / "claims.csv"
    lines = ["delivered,category,price,shipping"]
    lines += [f"2026-11-20,rings,{100 + n}.00,bad{n}" for n in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _batch(run, path)
    assert done.code == 1
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert len(rows) == 40
    for n, row in enumerate(rows):
        assert (row["decision"], row["refund_amount"]) == ("", "")
        assert row["error"].startswith("shipping: "), row
        assert f"'bad{n}'" in row["error"]


def test_one_bad_shipping_cell_among_good_ones(run, tmp_path) -> None:
    path = tmp_path / "claims.csv"
    lines = ["delivered,category,price,shipping", "2026-11-20,rings,120.00,22.00"]
    lines += ["2026-11-20,rings,120.00,once", "2026-11-20,rings,120.00,0"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(_batch(run, path).out)))
    assert [r["refund_amount"] for r in rows] == ["120.00", "", "120.00"]
    assert [bool(r["error"]) for r in rows] == [False, True, False]


def test_a_header_with_a_byte_order_mark_names_its_first_column(run, tmp_path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfdelivered,category\n2026-11-20,rings\n")
    done = _batch(run, path, "--encoding", "utf-8")
    assert done.code == 0, done.err
    [row] = list(csv.DictReader(io.StringIO(done.out)))
    assert row["decision"] == "eligible"


def test_a_repeated_known_column_is_refused_naming_the_file(run, tmp_path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("delivered,category,delivered\n2026-11-20,rings,x\n", encoding="utf-8")
    done = _batch(run, path)
    assert done.code == ExitCode.BAD_INPUT
    assert done.err == (
        f"Error: FILE: the header names the column 'delivered' twice (got {str(path)!r})\n"
    )


def test_the_summary_lists_the_first_ten_error_lines_then_how_many_more(run, tmp_path) -> None:
    path = tmp_path / "claims.csv"
    lines = ["delivered,category"] + [f"not-a-date-{n},rings" for n in range(13)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _batch(run, path)
    assert done.code == 1
    assert "13 errors (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 3 more);" in done.err


def test_the_summary_rate_of_a_short_run() -> None:
    assert summary_rate(Summary(rows=100, seconds=0.5)) == "200 rows/s"
    assert summary_rate(Summary(rows=3, seconds=0.0)) == "0 rows/s"


def summary_rate(summary: Summary) -> str:
    return summary.text().rpartition(", ")[2]


def test_an_over_long_cell_past_the_header_is_named_by_its_column_number(run, tmp_path) -> None:
    """A cell beyond the header's columns has no name: the error says `column 3`."""
    from migems_cli.records import CELL_CAP

    path = tmp_path / "wide.csv"
    long = "x" * (CELL_CAP + 10)
    path.write_text(f"delivered,category\n2026-11-20,rings,{long}\n", encoding="utf-8")
    done = _batch(run, path)
    assert done.code == 1
    [row] = list(csv.DictReader(io.StringIO(done.out)))
    assert row["error"].startswith("column 3: longer than"), row["error"][:80]


def test_each_damage_of_a_row_is_its_own_clause(run, tmp_path) -> None:
    from migems_cli.records import CELL_CAP

    path = tmp_path / "two.csv"
    long = "x" * (CELL_CAP + 10)
    path.write_text(f"delivered,category,note\n2026-11-20,{long},{long}\n", encoding="utf-8")
    done = _batch(run, path)
    [row] = list(csv.reader(io.StringIO(done.out)))[1:]
    error = row[-1]
    assert error.startswith("category: longer than"), error[:80]
    assert "; note: longer than" in error, error[:200]


def test_a_good_row_on_the_reference_path_with_a_line_break_has_no_error(run, tmp_path) -> None:
    """Rows naming an exchange size are judged one by one: a quoted line break in one of their
    cells is only a note's text, not a sign of an unclosed quote, when the row is good."""
    path = tmp_path / "notes.csv"
    path.write_text(
        'delivered,category,want,exchange_size,note\n2026-11-20,rings,exchange,US 7,"two\nlines"\n',
        encoding="utf-8",
    )
    done = _batch(run, path)
    [row] = list(csv.DictReader(io.StringIO(done.out)))
    assert (row["decision"], row["error"]) == ("review", "")
    assert row["note"] == "two\nlines"
