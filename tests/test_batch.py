"""`migems batch`: messy CSV fixtures, exit codes, atomic output, and batch == check properties."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migems_cli.batch import RESULT_COLUMNS, Evaluator, Summary, evaluate_chunks, read_layout
from migems_cli.claims import FIELDS, parse_claim
from migems_cli.cli import main
from migems_cli.errors import InputError
from migems_cli.money import money_text
from migems_cli.policy import bundled_policy_path
from migems_cli.policy_load import load_policy
from migems_cli.records import RecordReader
from migems_cli.render.batch_out import write_csv
from tests.helpers import modules_after, on_terminal

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
TODAY = "2026-01-31"
POLICY = load_policy(bundled_policy_path())
MIGEMS = shutil.which("migems", path=str(Path(sys.executable).parent))


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", *args, "--today", TODAY])
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def rows_of(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def results(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row[name] for name in RESULT_COLUMNS)


# --- fixtures of real-world CSV --------------------------------------------------------------


def test_excel_bom_crlf_headers_any_case_and_order(capsys):
    code, out, err = run(capsys, str(FIXTURES / "excel_bom_crlf.csv"), "--format", "csv")
    assert code == 0
    header = out.splitlines()[0]
    assert header.startswith("Claim_ID,Order_ID,Delivered,")  # BOM gone, names as written
    rows = rows_of(out)
    assert [r["Claim_ID"] for r in rows] == ["A-1", "A-2", "A-3"]
    assert results(rows[0]) == (
        "eligible",
        "refund",
        "120.00",
        "customer",
        "2026-02-02",
        "2026-01-10",
        "",
        "",
        POLICY.identity.digest,
        "",
    )
    # US slashed dates by default; damaged with photos on day 4: eligible, store pays
    assert results(rows[1])[:6] == (
        "eligible",
        "replacement-or-refund",
        "80.50",
        "store",
        "2026-02-04",
        "2026-01-12",
    )
    assert rows[2]["decision"] == "ineligible"
    assert rows[2]["failed_rules"] == "return-window;category"
    assert out.endswith("\r\n")
    assert err.startswith("migems batch: 3 rows: 2 eligible, 1 ineligible, 0 review, 0 errors;")


def test_semicolons_and_day_first_dates(capsys):
    path = str(FIXTURES / "semicolon_dayfirst.csv")
    code, out, err = run(capsys, path, "--delimiter", ";", "--dayfirst", "--format", "csv")
    assert code == 1
    rows = rows_of(out, ";")
    assert rows[0]["notes"] == "rappel, client"
    # no category column: which item it is decides a change of mind (earrings are not returned)
    assert (rows[0]["decision"], rows[0]["return_by"]) == ("review", "2026-02-02")
    assert rows[0]["review_rules"] == "category"
    assert (rows[1]["decision"], rows[1]["report_damage_by"]) == ("review", "2026-01-01")
    assert rows[2]["error"] == (
        "delivered: not a real date (month must be in 1..12) (got '13/13/2025')"
    )
    assert rows[2]["decision"] == ""
    assert "1 error (line 4)" in err


@pytest.mark.parametrize("spelling", ["\t", "\\t", "tab", "TAB"])
def test_tab_delimiter_spellings(capsys, tmp_path, spelling):
    path = tmp_path / "tabs.tsv"
    path.write_text("claim_id\tdelivered\tprice\nT-1\t2026-01-20\t10\n", encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--delimiter", spelling, "--format", "csv")
    assert code == 0
    assert out.splitlines()[1].split("\t")[:5] == ["T-1", "2026-01-20", "10", "review", "refund"]


def test_cp1252_with_encoding_option(capsys):
    path = str(FIXTURES / "cp1252.csv")
    code, out, _ = run(capsys, path, "--encoding", "cp1252", "--format", "csv")
    assert code == 0
    rows = rows_of(out)
    assert [r["customer"] for r in rows] == ["Zoé Müller", "paid 75 €"]
    assert [r["refund_amount"] for r in rows] == ["75.00", "75.00"]


def test_cp1252_read_as_utf8_is_exit_2_with_a_hint(capsys):
    code, _, err = run(capsys, str(FIXTURES / "cp1252.csv"), "--format", "csv")
    assert code == 2
    assert err.startswith("Error: FILE: cannot be decoded as utf-8-sig on line 2;")
    assert "--encoding cp1252" in err
    assert len(err.splitlines()) == 1


def test_quoted_newlines_kept_and_lines_counted_physically(capsys):
    code, out, err = run(capsys, str(FIXTURES / "quoted_newlines.csv"), "--format", "csv")
    assert code == 1
    rows = rows_of(out)
    assert [r["claim_id"] for r in rows] == ["Q-1", "Q-2", "Q-3"]
    assert rows[0]["notes"] == "first line\nsecond line\nthird, with comma"
    assert rows[2]["notes"] == "x\ny"
    assert rows[2]["error"].startswith("delivered: not a date;")
    assert "(line 6)" in err  # Q-3 starts on physical line 6


def test_extra_and_missing_columns(capsys):
    code, out, err = run(capsys, str(FIXTURES / "extra_missing.csv"), "--format", "csv")
    assert code == 1
    records = list(csv.reader(io.StringIO(out, newline="")))
    assert records[0] == ["claim_id", "ticket", "delivered", "reason", *RESULT_COLUMNS]
    # short row: padded, and the missing reason takes the default (changed-mind); without a
    # category a change of mind is a review (is it a pair of earrings?)
    assert records[1] == [
        "E-1",
        "T-9",
        "2026-01-03",
        "",
        "review",
        "refund",
        "",
        "customer",
        "2026-02-02",
        "2026-01-10",
        "",
        "category",
        POLICY.identity.digest,
        "",
    ]
    # long row: evaluated on its named cells, the surplus kept after the error column
    assert records[2][4] == "review"
    assert records[2][-3:] == ["", "surplus", "more"]
    assert records[3] == [
        "E-3",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "delivered: required (got '')",
    ]
    assert "1 error (line 4)" in err


def test_blank_lines_are_not_claims(capsys):
    code, out, err = run(capsys, str(FIXTURES / "blank_lines.csv"), "--format", "csv")
    assert code == 0
    assert [r["claim_id"] for r in rows_of(out)] == ["B-1", "B-2"]
    assert err.startswith("migems batch: 2 rows: 0 eligible, 0 ineligible, 2 review,")


def test_blank_lines_of_a_one_column_file_are_not_claims(capsys, tmp_path):
    """A blank line splits into one empty cell, as wide as a one-column header's rows: it is
    still a blank line (the reader holds such a chunk as lists, not flat)."""
    path = tmp_path / "one.csv"
    path.write_text("delivered\n2026-01-10\n\n\n2026-01-11\n\n", encoding="utf-8")
    code, out, err = run(capsys, str(path), "--format", "csv")
    assert code == 0
    assert [r["delivered"] for r in rows_of(out)] == ["2026-01-10", "2026-01-11"]
    assert err.startswith("migems batch: 2 rows:")


def test_formula_cells_are_neutralised_everywhere(capsys):
    code, out, _ = run(capsys, str(FIXTURES / "formula.csv"), "--format", "csv")
    assert code == 0
    records = list(csv.reader(io.StringIO(out, newline="")))
    assert records[0][4] == "'=cmd"  # the header too
    assert records[1][0] == '\'=HYPERLINK("http://evil")'
    assert records[1][3] == "'+1+2"
    assert records[2][3:5] == ["'@SUM(A1)", "'-3"]
    assert records[3][3:5] == ["'\tTAB", "'\rCR"]
    assert records[4][3] == "safe - dash inside"
    assert records[5][:5] == ["'@F-5", "2026-01-03", "2026-01-05", "plain", "ok"]  # first cell only
    assert [r[5] for r in records[1:]] == ["review"] * 5  # the claims are still evaluated
    assert '"\'\rCR"' in out  # a bare CR is quoted, so the record stays whole


def test_jsonl_is_untouched_data_with_line_numbers(capsys):
    code, out, _ = run(capsys, str(FIXTURES / "formula.csv"), "--json")
    assert code == 0
    first = json.loads(out.splitlines()[0])
    assert first["line"] == 2
    assert first["input"]["claim_id"] == '=HYPERLINK("http://evil")'  # JSON is not a spreadsheet
    assert first["decision"] == "review"
    assert first["failed_rules"] == []
    assert first["review_rules"] == ["category"]
    assert first["refund_amount"] is None
    assert first["error"] is None
    assert len(out.splitlines()) == 5


def test_jsonl_errors_and_extras(capsys):
    code, out, _ = run(capsys, str(FIXTURES / "extra_missing.csv"), "--format", "jsonl")
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert records[1]["extra"] == ["surplus", "more"]
    assert records[2]["error"] == "delivered: required (got '')"
    assert records[2]["decision"] is None


def test_json_conflicts_with_another_format(capsys):
    code, _, err = run(capsys, str(FIXTURES / "formula.csv"), "--json", "--format", "csv")
    assert code == 2
    assert err.startswith("Error: --json:")


def test_table_format(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, str(FIXTURES / "excel_bom_crlf.csv"), "--format", "table")
    assert code == 0
    assert "Decision" in out.splitlines()[1]  # under the two-line date headers
    assert "Ask to" in out.splitlines()[0]
    line = next(line for line in out.splitlines() if "A-2" in line)
    assert line.split()[:6] == ["3", "A-2", "eligible", "80.50", "2026-02-04", "2026-01-12"]
    assert "\x1b[" not in out
    lines = out.splitlines()
    at = next(at for at, line in enumerate(lines) if "A-3" in line)
    assert lines[at].endswith("fail: return-window")  # one failed rule a line, named whole
    assert lines[at + 1].split() == ["fail:", "category"]


def test_table_shows_customer_cells_literally(capsys, monkeypatch, tmp_path):
    """No markup and no emoji codes: claim ids and cells read as they were typed."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    path = tmp_path / "notes.csv"
    path.write_text("claim_id,delivered,category\n:heart: [b]x,2026-01-20,[i]:gem:\n")
    code, out, _ = run(capsys, str(path), "--format", "table")
    assert code == 1
    assert ":heart: [b]x" in out
    assert "'[i]:gem:'" in out  # in the error naming the cell


def test_default_format_is_csv_when_stdout_is_not_a_terminal(capsys):
    code, out, _ = run(capsys, str(FIXTURES / "blank_lines.csv"))
    assert code == 0
    assert out.startswith("claim_id,delivered,requested,decision,")


# --- exit codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "FILE: is empty: a header row is required"),
        ("\n\n", "FILE: is empty: a header row is required"),
        ("claim_id,price\nX,1\n", "FILE: the header has no 'delivered' column"),
        ("delivered,DELIVERED\n2026-01-01,2026-01-01\n", "names the column 'delivered' twice"),
    ],
)
def test_files_that_cannot_be_processed_exit_2(capsys, tmp_path, content, message):
    path = tmp_path / "in.csv"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, str(path))
    assert code == 2
    assert out == ""
    assert message in err
    assert err.startswith("Error: ")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "content",
    [
        "claim_id,delivered,note\nA,2026-01-02,a\nB,2026-01-02,"
        + "x" * 140_000
        + "\nC,2026-01-02,c\n",
        'claim_id,delivered,note\nA,2026-01-02,a\nB,2026-01-02,"'
        + "x" * 140_000
        + '"\nC,2026-01-02,c\n',
        "claim_id,delivered,note,"
        + "x" * 140_000
        + "\nA,2026-01-02,a\nB,2026-01-02,\nC,2026-01-02,c\n",
    ],
)
def test_a_cell_over_the_csv_modules_default_limit_is_read_whole(capsys, tmp_path, content):
    """csv.reader stops at 131,072 characters a cell; batch reads cells up to 1 MiB whole (a
    longer one is cut: see test_hardening_io)."""
    path = tmp_path / "in.csv"
    path.write_text(content, encoding="utf-8")
    output = tmp_path / "out.csv"
    code, _, err = run(capsys, str(path), "--output", str(output), "--format", "jsonl")
    assert code == 0, err
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["input"]["claim_id"] for r in records] == ["A", "B", "C"]
    assert [r["decision"] for r in records] == ["review"] * 3  # no category column: ask which item
    assert [r["review_rules"] for r in records] == [["category"]] * 3
    assert len(json.dumps(records)) > 140_000


def test_missing_file_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "nope.csv"))
    assert code == 2
    assert (
        err
        == f"Error: FILE: cannot be read (No such file or directory) (got '{tmp_path / 'nope.csv'}')\n"
    )


def test_invalid_policy_exit_2(capsys, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("return_window_days = 'thirty'\n", encoding="utf-8")
    code, out, err = run(capsys, str(FIXTURES / "blank_lines.csv"), "--policy", str(policy))
    assert code == 2
    assert out == ""
    assert err.startswith("Error: invalid policy")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--delimiter", "|", "Error: --delimiter: use ',', ';' or tab"),
        ("--encoding", "klingon", "Error: --encoding: unknown encoding"),
        ("--format", "xml", "Error: Invalid value for '--format'"),
    ],
)
def test_bad_options_exit_2(capsys, option, value, message):
    code, _, err = run(capsys, str(FIXTURES / "blank_lines.csv"), option, value)
    assert code == 2
    assert err.startswith(message)


def test_stdin(capsys, monkeypatch):
    data = (FIXTURES / "excel_bom_crlf.csv").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "-", "--format", "csv")
    assert code == 0
    assert [r["decision"] for r in rows_of(out)] == ["eligible", "eligible", "ineligible"]


# --- --output -----------------------------------------------------------------------------


def test_output_written_atomically_with_normal_permissions(capsys, tmp_path):
    target = tmp_path / "checked.csv"
    code, out, err = run(capsys, str(FIXTURES / "excel_bom_crlf.csv"), "--output", str(target))
    assert code == 0
    assert out == ""  # the default format with --output is csv, into the file
    assert [r["decision"] for r in rows_of(target.read_text(encoding="utf-8"))] == [
        "eligible",
        "eligible",
        "ineligible",
    ]
    assert os.listdir(tmp_path) == ["checked.csv"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert "3 rows" in err


def test_failed_run_leaves_old_output_untouched_and_no_temp_file(capsys, tmp_path):
    target = tmp_path / "checked.csv"
    target.write_text("previous\n", encoding="utf-8")
    code, _, _ = run(capsys, str(FIXTURES / "cp1252.csv"), "--output", str(target))
    assert code == 2  # undecodable half-way through
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert os.listdir(tmp_path) == ["checked.csv"]


def test_output_in_missing_folder_exit_2(capsys, tmp_path):
    code, _, err = run(
        capsys, str(FIXTURES / "blank_lines.csv"), "--output", str(tmp_path / "no" / "x.csv")
    )
    assert code == 2
    assert err.startswith("Error: --output: cannot be written")


def _claims(n: int) -> bytes:
    lines = ["claim_id,delivered,requested,reason,category,price"]
    lines += [f"C{i},2025-06-{1 + i % 28:02d},2025-07-01,damaged,rings,{i % 500}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.skipif(MIGEMS is None, reason="the console script is not installed")
def test_ctrl_c_exits_130_and_leaves_no_file(tmp_path):
    target = tmp_path / "checked.csv"
    process = subprocess.Popen(
        [str(MIGEMS), "batch", "-", "--output", str(target), "--today", TODAY],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # SIGINT as a terminal leaves it: a background job (pytest ... &) ignores SIGINT, and
        # a child would inherit that and never see the signal
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdin is not None
    process.stdin.write(_claims(20_000))  # part of the input; the run waits for the rest
    process.stdin.flush()
    deadline = time.monotonic() + 10
    while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.02)  # until the temporary file exists: the run is under way
    assert next(p.name for p in tmp_path.iterdir()).startswith(".checked.csv.")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 130
    assert list(tmp_path.iterdir()) == []
    assert b"Traceback" not in err


@pytest.mark.skipif(MIGEMS is None, reason="the console script is not installed")
def test_sigterm_leaves_no_file(tmp_path):
    target = tmp_path / "checked.csv"
    process = subprocess.Popen(
        [str(MIGEMS), "batch", "-", "--output", str(target), "--today", TODAY],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(_claims(1_000))
    process.stdin.flush()
    deadline = time.monotonic() + 10
    while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.02)
    process.terminate()
    process.communicate(timeout=10)
    assert process.returncode == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


# --- the installed console script ---------------------------------------------------------


@pytest.mark.skipif(MIGEMS is None, reason="the console script is not installed")
def test_console_script_pipe_closed_early_exits_quietly(tmp_path):
    source = tmp_path / "many.csv"
    source.write_bytes(_claims(50_000))
    process = subprocess.Popen(
        f"'{MIGEMS}' batch '{source}' --format csv --today {TODAY} | head -1",
        shell=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = process.communicate(timeout=30)
    assert (
        out
        == b"claim_id,delivered,requested,reason,category,price,"
        + b",".join(name.encode() for name in RESULT_COLUMNS)
        + b"\r\n"
    )
    assert err == b""


@pytest.mark.skipif(MIGEMS is None, reason="the console script is not installed")
def test_progress_bar_on_a_terminal_leaves_the_data_on_stdout(tmp_path):
    """`migems batch claims.csv > out.csv` at a terminal: the bar and summary on the terminal,
    every record in the file (rich's live display would capture stdout unless told not to)."""
    source = tmp_path / "many.csv"
    source.write_bytes(_claims(20_000))
    with (tmp_path / "out.csv").open("wb") as out:
        code, shown = on_terminal([MIGEMS, "batch", str(source), "--today", TODAY], stdout=out)
    assert code == 0
    records = (tmp_path / "out.csv").read_bytes().split(b"\r\n")
    assert len(records) == 1 + 20_000 + 1  # header, rows, and the empty tail after the last
    assert records[-2].startswith(b"C19999,")
    assert b"migems batch: 20000 rows" in shown
    assert b"C19999" not in shown


@pytest.mark.skipif(MIGEMS is None, reason="the console script is not installed")
def test_console_script_batch_agrees_with_check():
    source = FIXTURES / "excel_bom_crlf.csv"
    batch = subprocess.run(
        [str(MIGEMS), "batch", str(source), "--json", "--today", TODAY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert batch.returncode == 0
    second = json.loads(batch.stdout.splitlines()[1])
    check = subprocess.run(
        [
            str(MIGEMS),
            "check",
            "--delivered",
            "01/05/2026",
            "--requested",
            "01/09/2026",
            "--reason",
            "damaged",
            "--category",
            "necklaces",
            "--photos",
            "--price",
            "80.5",
            "--json",
            "--today",
            TODAY,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    verdict = json.loads(check.stdout)
    assert check.returncode == 0
    assert second["decision"] == verdict["decision"] == "eligible"
    assert second["refund_amount"] == verdict["refund_amount"] == "80.50"
    assert second["return_by"] == verdict["deadlines"]["return_by"]
    assert second["report_damage_by"] == verdict["deadlines"]["report_damage_by"]
    assert second["return_shipping_paid_by"] == verdict["return_shipping_paid_by"]


def test_help_documents_json_and_ends_with_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    out = capsys.readouterr().out
    assert "Same as --format jsonl" in out
    assert "Example: migems batch claims.csv --output checked.csv" in out


def test_csv_path_does_not_import_rich(tmp_path):
    source = FIXTURES / "excel_bom_crlf.csv"
    found = modules_after(["batch", str(source), "--format", "csv", "--today", TODAY], ("rich",))
    assert found.modules == []


# --- properties: the same answer as check, and never a row lost -----------------------------

VALID = {
    "delivered": ["2025-12-01", "12/20/2025", "Jan 2 2026", "2026-01-30", "today", "yesterday"],
    "requested": ["", "2026-01-05", "2026-01-31", "01/15/2026", "today"],
    "reason": ["", "changed-mind", "Damaged", "defective", "wrong-item"],
    "category": ["", "rings", "Earring", "SETS", "brooch"],
    "custom": ["", "yes", "n", "TRUE", "0"],
    "sale": ["", "y", "no", "1"],
    "condition": ["", "unused", "Worn", "used"],
    "packaging": ["", "yes", "no"],
    "photos": ["", "yes", "f"],
    "price": ["", "120", "0.5", "99.99", "1500.00"],
    "shipping": ["", "9.95", "0"],
    "want": ["", "refund", "exchange", "Exchange"],
    "exchange_size": ["", "US 7", "uk p", "EU 56", "17.3mm", "54.4 mm", "US 14", "7"],
}
GARBAGE = st.builds(
    str.__add__,
    st.sampled_from(["", "", "=", "+", "-", "@", "\t", "\r", " "]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8),
)


# Dates around every window edge of the policy (and delivery day itself): the day before, on
# and after each edge, counted back from TODAY, as delivered or requested dates.
EDGES = (0, POLICY.damage_report_days, POLICY.return_window_days, POLICY.damage_review_days)
EDGE_DATES = sorted(
    {
        (date.fromisoformat(TODAY) - timedelta(days=edge + step)).isoformat()
        for edge in EDGES
        for step in (-1, 0, 1)
    }
)


def _cell(field: str) -> st.SearchStrategy[str]:
    if field in ("delivered", "requested"):
        return st.one_of(st.sampled_from(VALID[field]), st.sampled_from(EDGE_DATES), GARBAGE)
    return st.one_of(st.sampled_from(VALID[field]), st.sampled_from(VALID[field]), GARBAGE)


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    # `ordered` sends a run through batch_versions.Router: tests/test_policy_over_time.py
    optional = [name for name in FIELDS if name not in ("delivered", "ordered")]
    chosen = draw(st.lists(st.sampled_from(optional), unique=True))
    columns = draw(st.permutations(["claim_id", "delivered", "note", *chosen]))
    header = [name.upper() if draw(st.booleans()) else name for name in columns]
    count = draw(st.integers(min_value=0, max_value=25))
    rows = []
    for i in range(count):
        row = []
        for name in columns:
            if name == "claim_id":
                row.append(f"C{i}")
            elif name == "note":
                row.append(draw(GARBAGE))
            else:
                row.append(draw(_cell(name)))
        shape = draw(st.sampled_from(["whole"] * 6 + ["short", "long", "blank"]))
        if shape == "short":  # cells after the claim id cut off
            row = row[
                : draw(st.integers(min_value=columns.index("claim_id") + 1, max_value=len(row)))
            ]
        elif shape == "long":
            row += draw(st.lists(GARBAGE, min_size=1, max_size=3))
        elif shape == "blank":
            rows.append([])  # a blank line: not a claim, not an output row
        rows.append(row)
    return header, rows


def _spreadsheet_safe(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _every_error(values: dict[str, str]) -> str:
    """Each bad cell as `check` words it, in column order: each field parsed alone, then the
    dates together (parse_claim stops at its first error)."""
    from migems_cli.claims import (
        TERM_PARSERS,
        check_sized,
        parse_amount,
        parse_delivered,
        parse_exchange_size,
        parse_requested,
    )
    from migems_cli.rules import judge

    today = date.fromisoformat(TODAY)
    dates = {key: values.get(key, "") for key in ("delivered", "requested")}
    checks = [
        lambda: parse_delivered(values.get("delivered"), today),
        lambda: parse_requested(values.get("requested"), today),
        lambda: judge(POLICY, parse_claim(POLICY, dates, today)),
        *(lambda p=parse, n=name: p(POLICY, values.get(n)) for name, parse in TERM_PARSERS.items()),
        lambda: parse_amount(values.get("price"), "price", POLICY),
        lambda: parse_amount(values.get("shipping"), "shipping", POLICY),
        lambda: parse_exchange_size(POLICY, values.get("exchange_size")),
        lambda: check_sized(POLICY, values),  # a size without an exchange, or for a necklace
    ]
    found: list[str] = []
    for check in checks:
        try:
            check()
        except InputError as exc:
            if str(exc) not in found:
                found.append(str(exc))
    return "; ".join(found)


def _reference(columns: list[str], row: list[str]) -> tuple[str, ...]:
    """What check's functions say for the row: parse_claim, then judge; every bad cell."""
    from migems_cli.rules import judge

    values = {name.lower(): cell for name, cell in zip(columns, row, strict=False)}
    values = {name: value for name, value in values.items() if name in FIELDS}
    try:
        claim = parse_claim(POLICY, values, date.fromisoformat(TODAY))
    except InputError:
        return ("", "", "", "", "", "", "", "", "", _every_error(values))
    j = judge(POLICY, claim)
    return (
        j.decision,
        j.remedy,
        money_text(j.refund_amount) if j.refund_amount is not None else "",
        j.return_shipping_paid_by or "",
        j.deadlines.return_by.isoformat(),
        j.deadlines.report_damage_by.isoformat(),
        ";".join(j.failed_rules),
        ";".join(r.id for r in j.rules if r.outcome == "review"),
        POLICY.identity.digest,
        "",
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batches(),
    st.sampled_from([1, 3, 1024]),
    st.sampled_from([2, 8192]),
    st.sampled_from([",", ";", "\t"]),
    st.data(),
)
def test_batch_matches_check_row_by_row_and_loses_nothing(
    case, chunk, cache_limit, delimiter, data
):
    """Every row out once, in order, cells intact; results as parse_claim + judge give them.

    The input is written as exports do it: minimal quoting or every cell quoted, LF or CRLF,
    row by row. The output must be exactly what the csv writer makes of the neutralised input
    cells, the reference results and the extra cells. Small chunks and caches make the property
    cross chunk boundaries and cache clearing.
    """
    header, rows = case
    source = io.StringIO(newline="")
    csv.writer(source, delimiter=delimiter).writerow(header)
    starts = []  # the line each kept row starts on
    lines_written = 1
    for row in rows:
        line = io.StringIO(newline="")
        quoting = data.draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        csv.writer(line, delimiter=delimiter, quoting=quoting).writerow(row)
        ending = data.draw(st.sampled_from(["\n", "\r\n"]))  # written as \r\n, to quote any \r
        text = line.getvalue().removesuffix("\r\n") + ending
        source.write(text)
        if row:
            starts.append(lines_written + 1)
        lines_written += text.count("\n") + text.count("\r") - text.count("\r\n")
    source.seek(0)
    records = RecordReader(source, delimiter)
    layout = read_layout(records.header() or [], "<test>")
    summary = Summary()
    evaluator = Evaluator(POLICY, date.fromisoformat(TODAY), False, layout)
    out = io.StringIO(newline="")
    with (
        mock.patch("migems_cli.batch._CHUNK", chunk),
        mock.patch("migems_cli.batch._CACHE_LIMIT", cache_limit),
        mock.patch("migems_cli.batch._DECIDED_LIMIT", cache_limit),
    ):
        write_csv(evaluate_chunks(records, evaluator, summary), layout, out, delimiter)
    written = list(csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=delimiter))
    width = len(header)
    kept = [row for row in rows if row]
    assert len(written) == 1 + len(kept)
    assert summary.rows == len(kept)
    claim_at = [name.lower() for name in header].index("claim_id")
    expected = io.StringIO(newline="")
    reference = csv.writer(expected, delimiter=delimiter, lineterminator="\r\n")
    reference.writerow([_spreadsheet_safe(name) for name in [*header, *RESULT_COLUMNS]])
    for row, record, start in zip(kept, written[1:], starts, strict=True):
        padded = (row + [""] * width)[:width]
        results = _reference(header, padded)
        if results[-1] and any("\n" in cell or "\r" in cell for cell in row):
            results = (
                *results[:-1],
                f"{results[-1]}; its cells hold line breaks: an unclosed quote may have joined "
                f"lines from line {start}",
            )
        assert record[claim_at] == row[claim_at]
        assert record[:width] == [_spreadsheet_safe(cell) for cell in padded]
        assert tuple(record[width : width + 10]) == results
        assert record[width + 10 :] == [_spreadsheet_safe(cell) for cell in row[width:]]
        reference.writerow(
            [
                *(_spreadsheet_safe(cell) for cell in padded),
                *results,
                *(_spreadsheet_safe(cell) for cell in row[width:]),
            ]
        )
    assert out.getvalue() == expected.getvalue()
    assert summary.errors == sum(1 for record in written[1:] if record[width + 9])
    assert summary.errors + sum(summary.counts.values()) == len(kept)


def test_line_numbers_of_errors_across_chunks(monkeypatch):
    """Blank lines, quoted line breaks and chunk edges: the summary names the right lines."""
    monkeypatch.setattr("migems_cli.batch._CHUNK", 2)
    text = (
        "claim_id,delivered,note\n"  # line 1
        "A,2026-01-03,ok\n"  # 2
        "\n"  # 3
        'B,bad,"two\nlines"\n'  # 4-5
        "C,2026-01-03,ok\n"  # 6
        "D,,ok\n"  # 7
        'E,2026-01-03,"x\r\ny"\n'  # 8-9
        "F,worse,ok\n"  # 10
    )
    records = RecordReader(io.StringIO(text, newline=""), ",")
    layout = read_layout(records.header() or [], "<test>")
    summary = Summary()
    evaluator = Evaluator(POLICY, date.fromisoformat(TODAY), False, layout)
    lines = [
        (line, record[0])
        for chunk in evaluate_chunks(records, evaluator, summary)
        for line, record in chunk.rows()
    ]
    assert lines == [(2, "A"), (4, "B"), (6, "C"), (7, "D"), (8, "E"), (10, "F")]
    assert summary.error_lines == [4, 7, 10]
    assert summary.text().startswith(
        "6 rows: 0 eligible, 0 ineligible, 3 review, 3 errors (lines 4, 7, 10)"
    )


# --- every bad cell of a row, and the rules a review rests on (issue 10, item 8) -------------


def test_error_names_every_bad_cell_and_review_rows_name_their_rules(capsys, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,delivered,requested,reason,category,photos,price\n"
        "R-1,2026-01-20,2026-01-21,broken,hats,maybe,12.345\n"
        "R-2,2026-01-20,2026-01-10,damaged,rings,,\n"
        "R-3,2026-01-20,2026-01-29,damaged,rings,,10\n"
        "R-4,2026-01-20,2026-01-21,,,,10\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, str(path), "--format", "csv")
    assert code == 1
    assert out.splitlines()[0].endswith(",failed_rules,review_rules,policy,error")
    rows = rows_of(out)
    parts = rows[0]["error"].split("; ")  # a message may hold "; " itself: named parts only
    named = [part.split(": ")[0] for part in parts if part.split(": ")[0] in FIELDS]
    assert named == ["reason", "category", "photos", "price"]
    for value in ("'broken'", "'hats'", "'maybe'", "'12.345'"):
        assert value in rows[0]["error"]
    assert (
        rows[1]["error"] == "requested: is before the delivered date 2026-01-20 (got '2026-01-10')"
    )
    assert (rows[2]["decision"], rows[2]["review_rules"]) == ("review", "damage-window;photos")
    assert (rows[3]["decision"], rows[3]["review_rules"]) == ("review", "category")
    assert rows[3]["failed_rules"] == ""
    code, out, _ = run(capsys, str(path), "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert records[2]["review_rules"] == ["damage-window", "photos"]
    assert records[0]["review_rules"] == []
    assert list(records[0])[-4:] == ["failed_rules", "review_rules", "policy", "error"]


def test_table_shows_review_rules(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,delivered,reason\nT-1,2026-01-20,damaged\n", encoding="utf-8")
    code, out, _ = run(capsys, str(path), "--format", "table")
    assert code == 0
    assert re.search(r"photos \(review\)|review: photos", out)  # the rule, marked as review
