"""batch OUTPUT on a terminal and in pipes: control characters never reach a terminal raw, JSON
Lines escape them losslessly, the table never cuts a value, stdout is flushed before the
summary, `-o -` is stdout (attack report 9.7, 10.12, 10.14 and defect 5)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migems_cli.batch import RESULT_COLUMNS
from migems_cli.render.safe import visible
from tests.helpers import Result, migems_script, on_terminal, script_env

TODAY = "2026-11-25"
# ESC clear screen, an OSC-8 link, 8-bit CSI, NEL, DEL, a bidi override, a line separator
HOSTILE = "X\x1b[2JY\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ \x9b31m\x85\x7f\u202eZ\u2028W"
RAW = ("\x1b", "\x9b", "\x85", "\x7f", "\u202e", "\u2028")


def _hostile_csv(path: Path) -> Path:
    path.write_text(
        f'claim_id,delivered,note\n"{HOSTILE}",2026-11-20,"{HOSTILE}"\nB,2026-11-20,plain\n',
        encoding="utf-8",
    )
    return path


def _on_terminal(args: list[str], stderr_too: bool = True) -> tuple[int, str]:
    """The console script with stdout (and stderr) on a pty: exit code and what the terminal
    got."""
    stderr = None if stderr_too else subprocess.DEVNULL
    code, shown = on_terminal([migems_script(), *args], stderr=stderr, env=script_env())
    return code, shown.decode("utf-8", "replace")


# --- 9.7: no raw control character on a terminal; files and pipes byte-exact ---------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_csv_and_jsonl_on_a_terminal_send_no_raw_control_character(
    tmp_path: Path, fmt: str
) -> None:
    source = _hostile_csv(tmp_path / "esc.csv")
    code, shown = _on_terminal(["batch", str(source), "--format", fmt, "--today", TODAY])
    assert code == 0, shown
    for char in RAW:
        assert char not in shown, f"{char!r} reached the terminal: {shown!r}"
    assert "\\x1b[2J" in shown or "\\u001b[2J" in shown  # shown, not dropped
    assert "migems batch: 2 rows" in shown


def test_csv_on_a_terminal_shows_cells_as_safe_visible_writes_them(tmp_path: Path) -> None:
    source = _hostile_csv(tmp_path / "esc.csv")
    _, shown = _on_terminal(["batch", str(source), "--format", "csv", "--today", TODAY])
    assert visible(HOSTILE) in shown
    assert "B,2026-11-20,plain," in shown


def test_csv_to_a_pipe_and_to_a_file_keeps_the_data_byte_exact(tmp_path: Path) -> None:
    source = _hostile_csv(tmp_path / "esc.csv")
    args = [migems_script(), "batch", str(source), "--format", "csv", "--today", TODAY]
    piped = subprocess.run(args, capture_output=True, env=script_env(), check=False).stdout
    subprocess.run([*args, "-o", str(tmp_path / "out.csv")], env=script_env(), check=False)
    assert HOSTILE.encode() in piped
    assert piped == (tmp_path / "out.csv").read_bytes()


def test_jsonl_escapes_c1_del_and_bidi_controls_losslessly(tmp_path: Path) -> None:
    source = _hostile_csv(tmp_path / "esc.csv")
    args = [migems_script(), "batch", str(source), "--format", "jsonl", "--today", TODAY]
    piped = subprocess.run(args, capture_output=True, env=script_env(), check=False).stdout
    text = piped.decode("utf-8")
    for char in RAW:
        assert char not in text
    for escape in ("\\u009b", "\\u0085", "\\u007f", "\\u202e", "\\u2028"):
        assert escape in text
    first = json.loads(text.splitlines()[0])
    assert first["input"]["claim_id"] == HOSTILE  # the data is identical after json.loads
    assert first["input"]["note"] == HOSTILE


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_jsonl_record_is_terminal_safe_and_lossless_for_any_cell(cell: str) -> None:
    from migems_cli.batch import read_layout
    from migems_cli.render.batch_out import write_jsonl

    class Out:
        text = ""

        def write(self, piece: str) -> None:
            Out.text += piece

    layout = read_layout(["claim_id", "delivered"], "x.csv")
    record = [cell, "2026-11-20", *([""] * len(RESULT_COLUMNS))]
    write_jsonl(iter([(2, record)]), layout, Out())  # type: ignore[arg-type]
    assert visible(Out.text, newlines=True) == Out.text  # nothing a terminal would act on
    assert json.loads(Out.text)["input"]["claim_id"] == cell


# --- 10.12: the table never cuts an error or a value in it -----------------------------------

LONG = st.text(alphabet="XYZ-_.0123456789", min_size=40, max_size=160)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.integers(40, 120),
    claim=st.text(alphabet="AB-0123456789", min_size=1, max_size=150),
    reason=LONG,
    category=LONG,
    price=LONG,
)
def test_batch_table_never_cuts_an_error_or_a_value_at_any_width(
    run: Callable[..., Result],
    tmp_path: Path,
    width: int,
    claim: str,
    reason: str,
    category: str,
    price: str,
) -> None:
    source = tmp_path / "long.csv"
    source.write_text(
        "claim_id,delivered,category,reason,price\n"
        f"{claim},2026-11-20,rings,bogus-{reason},\n"
        f"{claim}2,2026-11-20,{category},changed-mind,\n"
        f"{claim}3,2026-11-20,rings,changed-mind,{price}\n"
        "OK4,2026-11-20,rings,changed-mind,10.00\n",
        encoding="utf-8",
    )
    result = run("batch", str(source), "--format", "table", env={"COLUMNS": str(width)})
    assert result.code == 1, result.err
    assert "…" not in result.out
    flat = "".join(result.out.split())
    for value in (claim, f"{claim}2", f"{claim}3", f"bogus-{reason}", category, price):
        assert value in flat, f"{value!r} cut at {width} columns:\n{result.out}"
    for line in result.out.splitlines():
        assert len(line) <= width, line


@pytest.mark.parametrize("width", [60, 80])
def test_the_reported_long_bad_reason_is_shown_whole(
    run: Callable[..., Result], tmp_path: Path, width: int
) -> None:
    value = "bogus-" + "X" * 90
    source = tmp_path / "long.csv"
    source.write_text(
        f"claim_id,delivered,category,reason\nB,2026-11-20,rings,{value}\n", encoding="utf-8"
    )
    result = run("batch", str(source), "--format", "table", env={"COLUMNS": str(width)})
    assert "…" not in result.out
    assert f"'{value}')" in "".join(result.out.split())


# --- 10.14: the help names every output column -----------------------------------------------


def test_batch_help_names_every_output_column(run: Callable[..., Result]) -> None:
    result = run("batch", "--help", env={"COLUMNS": "200"})
    assert result.code == 0
    text = " ".join(result.out.split())
    for name in RESULT_COLUMNS:
        assert name in text, f"the help does not name the output column {name}"


# --- defect 5: stdout flushed before the summary; `-o -` is stdout; no bar over the data ----


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "table"])
def test_with_stderr_on_stdout_the_summary_is_the_last_line_after_whole_rows(
    tmp_path: Path, fmt: str
) -> None:
    source = tmp_path / "many.csv"
    source.write_text(
        "claim_id,delivered\n" + "".join(f"C{i},2026-11-20\n" for i in range(3000)),
        encoding="utf-8",
    )
    done = subprocess.run(
        [migems_script(), "batch", str(source), "--format", fmt, "--today", TODAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=script_env(),
        check=False,
    )
    lines = done.stdout.decode().splitlines()
    assert lines[-1].startswith("migems batch: 3000 rows"), lines[-3:]
    assert "C2999" in lines[-2], lines[-3:]
    assert "migems batch" not in "".join(lines[:-1])


def test_output_dash_means_stdout(tmp_path: Path) -> None:
    source = _hostile_csv(tmp_path / "esc.csv")
    args = [migems_script(), "batch", str(source), "--format", "csv", "--today", TODAY]
    plain = subprocess.run(args, capture_output=True, env=script_env(), cwd=tmp_path, check=False)
    dash = subprocess.run(
        [*args, "-o", "-"], capture_output=True, env=script_env(), cwd=tmp_path, check=False
    )
    assert not (tmp_path / "-").exists()
    assert dash.returncode == plain.returncode == 0
    assert dash.stdout == plain.stdout
    assert b"B,2026-11-20,plain" in dash.stdout
    jsonl = subprocess.run(
        [*args[:-4], "--json", "--output", "-", "--today", TODAY],
        capture_output=True,
        env=script_env(),
        cwd=tmp_path,
        check=False,
    )
    assert not (tmp_path / "-").exists()
    assert len(jsonl.stdout.splitlines()) == 2


def test_batch_help_says_output_dash_is_stdout(run: Callable[..., Result]) -> None:
    out = run("batch", "--help", env={"COLUMNS": "200"}).out
    text = " ".join(out.replace("│", " ").split())  # the option help is in a box
    assert "- writes to standard output" in text


def test_first_csv_line_on_a_terminal_is_not_on_the_progress_bar_line(tmp_path: Path) -> None:
    source = tmp_path / "many.csv"
    source.write_text(
        "claim_id,delivered\n" + "".join(f"C{i},2026-11-20\n" for i in range(30000)),
        encoding="utf-8",
    )
    code, shown = _on_terminal(["batch", str(source), "--format", "csv", "--today", TODAY])
    assert code == 0
    assert "checking" not in shown  # no bar drawn over the data on the same terminal
    assert "\x1b" not in shown  # nor a cursor move that would erase the last row
    lines = shown.replace("\r\n", "\n").splitlines()
    assert lines[0] == "claim_id,delivered," + ",".join(RESULT_COLUMNS), repr(lines[0])
    assert lines[-2].startswith("C29999,2026-11-20,"), lines[-3:]
    assert lines[-1].startswith("migems batch: 30000 rows"), lines[-3:]
