"""Dates at the ends of the calendar: a bad input (exit 2) in commands, a row error in batch.

Issue 9, item 1: deadlines or business days that fall outside `datetime.date` were an
OverflowError traceback (exit 1), and in batch one such row lost the rest of the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from migems_cli.business_days import BusinessCalendar
from migems_cli.errors import ExitCode, InputError
from migems_cli.policy import Policy
from migems_cli.rules import deadlines
from migems_cli.schedule import ship_window
from tests.helpers import Result, assert_bad_input

Run = Callable[..., Result]
TOO_LATE = "too late in the calendar: its deadlines fall after 9999-12-31"


@pytest.mark.parametrize(
    ("args", "named", "value"),
    [
        (
            ["check", "--delivered", "9999-12-28", "--requested", "9999-12-29"],
            "--delivered",
            "9999-12-28",
        ),
        (
            ["check", "--delivered", "12/28/9999", "--today", "9999-12-30", "--json"],
            "--delivered",
            "9999-12-28",
        ),
        (
            ["refund", "--received", "9999-12-20", "--today", "9999-12-21"],
            "--received",
            "9999-12-20",
        ),
        (
            ["refund", "--received", "9999-12-28", "--today", "9999-12-31", "--json"],
            "--received",
            "9999-12-28",
        ),
        (["deadlines", "--delivered", "9999-12-28"], "--delivered", "9999-12-28"),
        (["deadlines", "--ordered", "9999-12-20", "--json"], "--ordered", "9999-12-20"),
        (
            ["deadlines", "--ordered", "9999-12-10", "--today", "9999-12-10"],
            "--ordered",
            "9999-12-10",
        ),
        (["status", "processing", "--ordered", "9999-12-28"], "--ordered", "9999-12-28"),
        (["status", "--ordered", "9999-12-31", "--today", "9999-12-31"], "--ordered", "9999-12-31"),
    ],
)
def test_dates_in_the_last_days_of_the_calendar_are_bad_input(
    run: Run, args: list[str], named: str, value: str
) -> None:
    result = run(*args)
    assert_bad_input(result.code, result.out, result.err, named)
    assert f"{TOO_LATE} (got '{value}')" in result.err


@pytest.mark.parametrize(
    "command", [["check"], ["deadlines"], ["check", "--json"], ["deadlines", "--json"]]
)
def test_yesterday_before_the_first_day_is_bad_input(run: Run, command: list[str]) -> None:
    result = run(*command, "--today", "0001-01-01", "--delivered", "yesterday")
    assert_bad_input(result.code, result.out, result.err, "--delivered")
    assert "is before 0001-01-01, the first date known" in result.err


def test_the_last_dates_that_fit_still_work(run: Run) -> None:
    """9999-12-01 + 30 days is 9999-12-31: the very last deadline is still answered."""
    result = run(
        "check", "--delivered", "9999-12-01", "--requested", "9999-12-02", "--category", "rings"
    )
    assert result.code == ExitCode.OK
    assert run("deadlines", "--delivered", "9999-12-01", "--json").code == ExitCode.OK
    assert (
        run("check", "--delivered", "0001-01-01", "--requested", "0001-01-02").code
        == ExitCode.REVIEW
    )


def test_core_raises_input_error_naming_the_date(policy: Policy) -> None:
    with pytest.raises(InputError) as caught:
        deadlines(policy, date(9999, 12, 2))
    assert (caught.value.field, caught.value.value) == ("delivered", "9999-12-02")
    calendar = BusinessCalendar("US")
    with pytest.raises(InputError) as caught:
        ship_window(policy, calendar, date(9999, 12, 28))
    assert caught.value.field == "ordered"
    with pytest.raises(OverflowError):
        calendar.add(date(9999, 12, 30), 5)


def test_batch_row_at_the_calendar_end_is_one_row_error(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    rows = [
        "claim_id,delivered,requested,reason,category",
        "A,2026-11-03,2026-11-04,,rings",
        "B,9999-12-28,9999-12-29,,rings",
        "C,9999-12-28,9999-12-29,broken,rings",
        "D,0001-01-01,0001-01-02,,rings",
        "E,9999-12-31,,damaged,rings",
        "F,2026-11-03,2026-11-04,,rings",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    result = run("batch", str(path), "--today", "9999-12-31", "--output", str(output))
    assert result.code == ExitCode.ROW_ERRORS
    assert "Traceback" not in result.err
    written = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"), newline="")))
    assert [row["claim_id"] for row in written] == ["A", "B", "C", "D", "E", "F"]
    by_id = {row["claim_id"]: row for row in written}
    assert by_id["B"]["error"] == f"delivered: {TOO_LATE} (got '9999-12-28')"
    assert by_id["C"]["error"].startswith(f"delivered: {TOO_LATE} (got '9999-12-28'); reason: ")
    assert by_id["E"]["error"] == f"delivered: {TOO_LATE} (got '9999-12-31')"
    assert by_id["A"]["decision"] == by_id["F"]["decision"] == "eligible"
    assert by_id["D"]["decision"] == "eligible"
    assert "3 errors" in result.err


def test_batch_requested_yesterday_at_the_first_day(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,delivered,requested\nA,0001-01-01,yesterday\n", encoding="utf-8")
    result = run("batch", str(path), "--today", "0001-01-01", "--format", "csv")
    assert result.code == ExitCode.ROW_ERRORS
    row = next(csv.DictReader(io.StringIO(result.out, newline="")))
    assert row["error"] == (
        "requested: is before 0001-01-01, the first date known (got 'yesterday')"
    )
