"""Batch input attacks (ATTACK_REPORT): NUL on Python 3.10, a quote left open at the end of the
file, rows of millions of cells, utf-16/utf-32 without a byte-order mark, a closed stdin.

Each test reproduces one attack: no traceback, one clear line or one error row, never a lost row.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from migems_cli.batch import RESULT_COLUMNS
from migems_cli.policy import bundled_policy_path
from migems_cli.policy_load import load_policy
from migems_cli.records import CELLS_CAP, RECORD_CAP, Damage, RecordReader, csv_writer
from tests.helpers import assert_bad_input, migems_script, run_script, script_env

TODAY = "2026-11-26"
DIGEST = load_policy(bundled_policy_path()).identity.digest  # the policy column


def _batch(run, *args: str):
    return run("batch", *args, "--today", TODAY)


def _records(text: str, **caps: int) -> list[tuple[int, list[str], Damage | None]]:
    source = RecordReader(io.StringIO(text, newline=""), ",", **caps)
    found = []
    for chunk in source.chunks(256):
        damage = chunk.cut or {}
        found += [
            (start, record, damage.get(at))
            for at, (start, record) in enumerate(zip(chunk.starts, chunk.records, strict=True))
        ]
    assert source.line_num == len(io.StringIO(text, newline="").readlines())
    return found


# --- NUL: read as Python 3.11 reads it, on every Python --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a,b\x00c\nd,e\n",
        'a,"b\x00\nc"\nd,e\n',
        "\x00\n\x00,\x00\n",
        'a,"\x00""x"\n',
    ],
)
def test_a_nul_is_a_character_like_any_other(text):
    expected = [
        [cell.replace("\x01", "\x00") for cell in record]
        for record in csv.reader(io.StringIO(text.replace("\x00", "\x01"), newline=""))
    ]
    assert [record for _, record, damage in _records(text) if not damage] == expected


def test_a_nul_in_a_cell_is_evaluated(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("claim_id,delivered\nA\x00B,2026-11-20\nC,2026-11-20\n", encoding="utf-8")
    result = _batch(run, str(source), "--format", "jsonl")
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [row["input"]["claim_id"] for row in rows] == ["A\x00B", "C"]
    assert [row["decision"] for row in rows] == ["review", "review"]


def test_a_nul_is_written_as_python_3_11_writes_it():
    out = io.StringIO()
    csv_writer(out, ",").writerows([["a\x00b", "c,\x00", 'q"\x00', "\x01\x00"], ["d"]])
    assert out.getvalue() == 'a\x00b,"c,\x00","q""\x00",\x01\x00\r\nd\r\n'


def test_csv_output_of_nul_cells_is_the_same_on_every_python(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        'claim_id,delivered,note\nA\x00B,2026-11-20,n\n"Q\x00,",2026-11-20,x\n', "utf-8"
    )
    result = _batch(run, str(source), "--format", "csv")
    assert result.code == 0, result.err
    assert result.out.split("\r\n")[1:] == [
        f"A\x00B,2026-11-20,n,review,refund,,customer,2026-12-20,2026-11-27,,category,{DIGEST},",
        f'"Q\x00,",2026-11-20,x,review,refund,,customer,2026-12-20,2026-11-27,,category,{DIGEST},',
        "",
    ]


# --- a quote left open at the end of the file ----------------------------------------------


def _unclosed_file(tmp_path):
    """The attacker's file: 498 claims, the 9th with a quote that never closes."""
    source = tmp_path / "uq.csv"
    source.write_text(
        "claim_id,delivered,note\n"
        + "".join(
            f"C{i},2026-11-20," + ('"oops' if i == 10 else "n") + "\n" for i in range(2, 500)
        ),
        encoding="utf-8",
    )
    return source


def test_an_unclosed_quote_is_an_error_row_and_the_lines_after_it_are_rows(run, tmp_path):
    result = _batch(run, str(_unclosed_file(tmp_path)), "--format", "csv")
    assert result.code == 1
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 498  # every claim, none swallowed
    assert [row["claim_id"] for row in rows] == [f"C{i}" for i in range(2, 500)]
    bad = rows[8]
    assert bad["note"] == "oops"
    assert bad["decision"] == ""
    assert bad["error"] == (
        "an unclosed quote in column 'note' on line 10 runs to the end of the file: the cell "
        "ends with line 10, lines 11-499 are read as rows; fix the quote"
    )
    assert all(row["error"] == "" and row["decision"] == "review" for row in rows[9:])
    assert "1 error (line 10)" in result.err


def test_an_unclosed_quote_on_the_last_line_is_an_error_row(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('claim_id,delivered,note\nA,2026-11-20,n\nB,2026-11-20,"oops', "utf-8")
    result = _batch(run, str(source), "--format", "csv")
    assert result.code == 1
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [row["claim_id"] for row in rows] == ["A", "B"]
    assert rows[1]["error"] == (
        "an unclosed quote in column 'note' on line 3 runs to the end of the file; fix the quote"
    )


@pytest.mark.parametrize(
    ("text", "records"),
    [
        # the open cell ends with its line; the lines after it are records again
        ('a,"b\nc,d\ne,f\n', [(1, ["a", "b"]), (2, ["c", "d"]), (3, ["e", "f"])]),
        # a quoted cell over two lines, closed, then one left open on the next record
        ('a,"b\nc"\nd,"e\nf\n', [(1, ["a", "b\nc"]), (3, ["d", "e"]), (4, ["f"])]),
        # a whole record left open
        ('"a\nb\n', [(1, ["a"]), (2, ["b"])]),
        # a doubled quote in the open cell stays one quote
        ('a,"b""c\nd\n', [(1, ["a", 'b"c']), (2, ["d"])]),
        ('a,b\r\n"c\r\nd\r\n', [(1, ["a", "b"]), (2, ["c"]), (3, ["d"])]),
    ],
)
def test_lines_an_unclosed_quote_took_are_read_again(text, records):
    found = _records(text)
    assert [(start, record) for start, record, _ in found] == records
    assert any(damage and damage.unclosed for _, _, damage in found)


def test_an_unclosed_quote_over_the_record_cap_is_one_row_naming_its_lines():
    """Too many lines to keep for reading again: they stay one cell (cut), and the row says
    which lines it took; memory stays within the caps."""
    text = 'a,b\nc,"d\n' + "".join(f"line {i}\n" for i in range(100))
    found = _records(text, cap=16, record=64)
    assert found[0] == (1, ["a", "b"], None)
    start, record, damage = found[1]
    assert start == 2
    assert record[0] == "c"
    assert damage == Damage(cut=(1,), unclosed=(1, 2, 102))


def test_an_unclosed_quote_in_the_header_is_exit_2(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('claim_id,delivered,"note\nA,2026-11-20,n\n', "utf-8")
    result = _batch(run, str(source))
    assert_bad_input(result.code, result.out, result.err, "line 1")
    assert "fix the quote" in result.err


# --- wide rows: caps on cells and characters ---------------------------------------------------


def test_a_row_of_too_many_cells_is_cut_and_the_rows_after_it_evaluated(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "claim_id,delivered\nA,2026-11-20" + "," * 200_000 + "\nB,2026-11-20\n", "utf-8"
    )
    result = _batch(run, str(source), "--format", "csv")
    assert result.code == 1
    rows = list(csv.reader(io.StringIO(result.out)))
    assert [row[0] for row in rows] == ["claim_id", "A", "B"]
    assert len(rows[1]) == CELLS_CAP + len(RESULT_COLUMNS)  # the cells kept, then the results
    assert rows[1][11] == (
        f"the row has more than {CELLS_CAP:,} cells, the limit of a row: the cells after the "
        f"first {CELLS_CAP:,} are dropped"
    )
    assert rows[2][2] == "review"
    assert "1 error (line 2)" in result.err


@pytest.mark.parametrize(
    "row",
    [
        "A," + "x," * 40,  # one line
        'A,"x\n' + "x\n" * 3 + '",' + "x," * 40,  # over lines, after a quoted line break
        'A,"x"' + ',"x"' * 40,  # quoted cells
    ],
)
def test_the_cells_cap_holds_however_the_row_is_written(row):
    found = _records("h\n" + row + "\nB,b\n", cells=10)
    assert found[0] == (1, ["h"], None)
    start, record, damage = found[1]
    assert (start, len(record), damage) == (2, 10, Damage(cells=True))
    assert found[2][1] == ["B", "b"]


def test_a_row_over_the_record_cap_is_cut_and_the_rows_after_it_read():
    found = _records("h\n" + "A," + "xyz," * 100 + "\nB,b\n", record=50, piece=8)
    start, record, damage = found[1]
    assert start == 2
    assert sum(map(len, record)) == 50
    assert damage == Damage(long=True)
    assert found[2][1:] == (["B", "b"], None)


def test_the_caps_are_the_documented_ones():
    assert CELLS_CAP == 10_000
    assert RECORD_CAP == 16 * 1024 * 1024


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("bits", ["16", "32"])
def test_utf_16_and_32_without_a_bom_say_which_to_try(run, tmp_path, bits):
    source = tmp_path / "ok.csv"
    source.write_text("claim_id,delivered\nA,2026-11-20\n", "utf-8")
    result = _batch(run, str(source), "--encoding", f"utf-{bits}")
    assert_bad_input(result.code, result.out, result.err, "line 1")
    assert f"no byte-order mark: try utf-{bits}-le or utf-{bits}-be" in result.err


def test_utf_16_without_a_bom_from_stdin_is_exit_2_as_a_process():
    result = run_script(
        "batch", "-", "--encoding", "utf-16", stdin="claim_id,delivered\nA,2026-11-20\n"
    )
    assert_bad_input(result.code, result.out, result.err, "no byte-order mark")


def test_utf_16_with_a_bom_is_read(run, tmp_path):
    source = tmp_path / "ok.csv"
    source.write_bytes("claim_id,delivered\nA,2026-11-20\n".encode("utf-16"))
    result = _batch(run, str(source), "--encoding", "utf-16", "--format", "csv")
    assert result.code == 0
    assert result.out.splitlines()[1].startswith("A,2026-11-20,review")


def test_text_utf_8_cannot_write_is_exit_2(run, tmp_path):
    """utf-7 decodes '+2D0-' to a lone surrogate, which the UTF-8 output cannot hold."""
    source = tmp_path / "u7.csv"
    source.write_text("claim_id,delivered\n+2D0-,2026-11-20\n", "ascii")
    result = _batch(run, str(source), "--encoding", "utf-7", "--format", "csv")
    assert_bad_input(result.code, "", result.err, "UTF-8 cannot write")


# --- a closed stdin -------------------------------------------------------------------------


def test_a_closed_stdin_is_exit_2_in_process(run, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    result = _batch(run, "-")
    assert_bad_input(result.code, result.out, result.err, "standard input is closed")


def test_a_closed_stdin_is_exit_2_as_a_process():
    done = subprocess.run(
        ["sh", "-c", 'exec "$0" batch - <&-', migems_script()],
        capture_output=True,
        text=True,
        env=script_env(),
        timeout=60,
        check=False,
    )
    assert_bad_input(done.returncode, done.stdout, done.stderr, "standard input is closed")
