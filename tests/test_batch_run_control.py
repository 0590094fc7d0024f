"""`run_control` alone: where batch output goes, the progress bar, the GC's pace, `| head`."""

from __future__ import annotations

import gc
import io
import sys

import pytest

from migems_cli import run_control
from migems_cli.errors import InputError
from migems_cli.render.batch_formats import Format


def test_quiet_gc_raises_the_thresholds_and_restores_them():
    before = gc.get_threshold()
    with run_control.quiet_gc():
        assert gc.get_threshold()[0] == 100_000
    assert gc.get_threshold() == before


def test_quiet_gc_restores_the_thresholds_when_the_run_fails():
    before = gc.get_threshold()
    with pytest.raises(KeyboardInterrupt), run_control.quiet_gc():
        raise KeyboardInterrupt
    assert gc.get_threshold() == before


def test_while_read_stops_when_the_reader_of_stdout_goes_away(monkeypatch):
    seen: list[int] = []
    monkeypatch.setattr(run_control.stdout_guard, "closed", lambda: len(seen) >= 2)
    for item in run_control.while_read(iter(range(10)), None):
        seen.append(item)
    assert seen == [0, 1]


def test_while_read_reads_everything_for_an_output_file(monkeypatch, tmp_path):
    monkeypatch.setattr(run_control.stdout_guard, "closed", lambda: True)
    assert list(run_control.while_read(iter(range(3)), tmp_path / "out.csv")) == [0, 1, 2]


def test_open_output_without_a_path_is_stdout():
    with run_control.open_output(None, Format.csv, None) as out:
        assert out is sys.stdout


def test_open_output_renames_the_file_only_when_complete(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with run_control.open_output(target, Format.csv, None) as out:
        out.write("new\r\n")
        assert target.read_text() == "old"
    assert target.read_bytes() == b"new\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_open_output_leaves_the_target_untouched_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        _write_then_interrupt(target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def _write_then_interrupt(target):
    with run_control.open_output(target, Format.csv, None) as out:
        out.write("half")
        raise KeyboardInterrupt


def test_open_output_refuses_the_input_file(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("delivered\n")
    with source.open("rb") as raw:
        status = run_control.status(raw)
    assert status is not None
    with pytest.raises(InputError, match="input file"):
        _open(source, status)


def _open(target, status):
    with run_control.open_output(target, Format.csv, status):
        pass


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    with (
        (tmp_path / "in.csv").open("wb+") as raw,
        run_control.progress(Format.csv, None, raw) as advance,
    ):
        assert advance is None


def test_progress_bar_on_a_terminal_moves_with_the_rows(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stderr", _Terminal())
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # the data: not a terminal
    source = tmp_path / "in.csv"
    source.write_bytes(b"x" * 1000)
    with source.open("rb") as raw, run_control.progress(Format.csv, None, raw) as advance:
        assert advance is not None
        raw.read(500)
        advance(256)  # the first call always draws
    assert sys.stdout.getvalue() == ""  # the bar never writes to stdout


def test_no_progress_bar_under_a_table_on_the_same_terminal(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stderr", _Terminal())
    monkeypatch.setattr(sys, "stdout", _Terminal())
    with (
        (tmp_path / "in.csv").open("wb+") as raw,
        run_control.progress(Format.table, None, raw) as advance,
    ):
        assert advance is None


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True
