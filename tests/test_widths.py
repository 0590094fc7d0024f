"""Every human output at 60, 80 and 120 columns: no typed id or value cut, no trailing spaces.

An agent copies ids, dates and amounts from these tables (and types rule ids, reason ids and
category names back in): each must appear whole on one line at every width, never cut with an
ellipsis or broken across lines; piped output carries no padding. Related columns stay together:
a deadline's date follows its name, not the right edge of a wide terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from migems_cli.errors import ExitCode
from tests.conftest import ROOT
from tests.helpers import Result, run_script

WIDTHS = (60, 80, 120)
BATCH = (
    "claim_id,delivered,reason,category,price,photos\n"
    "C-1001,2026-11-20,changed-mind,rings,120.00,\n"
    "C-1002,2026-10-01,bogus,rings,x,\n"
    "C-1003,2026-11-10,damaged,rings,30.00,no\n"
    "C-1004,2026-10-01,changed-mind,earrings,55.50,\n"
)
RULES = ("return-window", "condition", "packaging", "category", "custom", "sale")
DEFECT_RULES = ("damage-window", "photos", "category", "custom", "sale")

# command -> (arguments, exit code, what must appear whole on one line)
CASES: dict[str, tuple[tuple[str, ...], int, tuple[str, ...]]] = {
    "check-eligible": (
        ("check", "--delivered", "2026-11-03", "--category", "rings", "--price", "30"),
        0,
        (*RULES, "Thu 2026-12-03", "Tue 2026-11-10", "30.00 USD", "ring"),
    ),
    "check-ineligible": (
        ("check", "--delivered", "2026-10-01", "--category", "earrings", "--price", "30"),
        1,
        (*RULES, "Sat 2026-10-31", "earring", "support@migems.example"),
    ),
    "check-review": (
        ("check", "--delivered", "2026-11-20", "--reason", "damaged", "--category", "rings"),
        3,
        (*DEFECT_RULES, "Fri 2026-11-27", "Sun 2026-12-20", "replacement-or-refund"),
    ),
    "deadlines": (
        ("deadlines", "--ordered", "2026-11-20", "--delivered", "2026-11-22"),
        0,
        ("Wed 2026-11-25", "Fri 2026-11-27", "Tue 2026-12-22", "Sun 2026-11-29"),
    ),
    "refund": (
        ("refund", "--received", "2026-11-10", "--price", "120", "--shipping", "22"),
        0,
        ("Tue 2026-11-10", "Wed 2026-11-18", "Wed 2026-11-25", "120.00 USD", "OVERDUE"),
    ),
    "status-all": (("status",), 0, ("Processing", "Shipped", "Partial", "3-4")),
    "status-one": (
        ("status", "processing", "--ordered", "2026-11-20", "--country", "US"),
        0,
        ("Processing", "Wed 2026-11-25", "Fri 2026-11-27"),
    ),
    "ring-chart": (("ring-size",), 0, ("54.42", "17.32", "N½", "7¼")),
    "ring-lookup": (("ring-size", "--eu", "56"), 0, ("55.70", "56.34", "17.9", "7¾")),
    "ring-measure": (("ring-size", "--circumference", "54.4"), 0, ("54.42", "17.32", "N½")),
    "ring-de": (("ring-size", "--de", "17.3"), 0, ("17.3", "54.42", "N½")),
    "batch-table": (
        ("batch", "{batch}", "--format", "table"),
        1,
        (
            "C-1001",
            "C-1002",
            "C-1003",
            "C-1004",
            "120.00",
            "2026-12-20",
            "2026-11-27",
            "2026-10-31",
            "2026-10-08",
            "return-window",
            "category",
            "'bogus'",
        ),
    ),
    "policy-show": (
        ("policy", "show"),
        0,
        (
            "changed-mind",
            "replacement-or-refund",
            "wrong-item",
            "change-of-mind",
            "earrings",
            "necklaces",
            "brooches",
            "damage-window",
            "return-window",
            "support@migems.example",
            "America/New_York",
            "11.6332",
            "0.8128",
            "required",
            "customer",
            "22.00 USD",
            "45 countries",
        ),
    ),
    "policy-check": (("policy", "check"), 0, ("0 errors", "4 warnings")),
}


def _run(run: Callable[..., Result], tmp_path: Path, name: str) -> tuple[Result, tuple[str, ...]]:
    args, code, whole = CASES[name]
    batch = tmp_path / "claims.csv"
    batch.write_text(BATCH, encoding="utf-8")
    result = run(*(arg.replace("{batch}", str(batch)) for arg in args))
    assert result.code == code, result.err
    return result, whole


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_value_whole_and_no_trailing_spaces(
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
    width: int,
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result, whole = _run(run, tmp_path, name)
    lines = result.out.splitlines()
    assert lines, "no output"
    for line in lines:
        assert line == line.rstrip(), f"trailing spaces: {line!r}"
        assert len(line) <= width, f"wider than {width}: {line!r}"
    assert "…" not in result.out  # nothing cut with an ellipsis
    for value in whole:
        assert any(value in line for line in lines), f"{value!r} cut or missing at {width}"


@pytest.mark.parametrize("width", WIDTHS)
def test_deadline_dates_stay_beside_their_names(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result, _ = _run(run, tmp_path, "deadlines")
    for line in result.out.splitlines():
        if "2026-" in line and "today" not in line.split("·")[0]:
            assert line.index("2026-") <= 26, line  # the longest name, two spaces, weekday


def test_narrow_batch_table_folds_into_blocks_with_every_column(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    result, _ = _run(run, tmp_path, "batch-table")
    out = result.out
    assert "Line 3 · C-1002 · error" in out
    assert "Line 5 · C-1004 · ineligible" in out
    block = out[out.index("Line 5") :]
    assert "Ask to return by  2026-10-31" in block
    assert "Report damage by  2026-10-08" in block
    assert "Failed rules      return-window, category" in block


def test_wide_batch_table_gives_the_error_room(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    result, _ = _run(run, tmp_path, "batch-table")
    error_lines = [line for line in result.out.splitlines() if "C-1002" in line]
    assert len(error_lines) == 1
    # the error column holds whole sentences, at most a second line
    at = result.out.splitlines().index(error_lines[0])
    assert "(got 'bogus')" in "\n".join(result.out.splitlines()[at : at + 2])


def test_policy_show_folds_reasons_at_60_columns(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = run("policy", "show").out
    block = out[out.index("Reasons") : out.index("Shipping zones")]
    assert " changed-mind\n" in block
    assert "Remedy           replacement-or-refund" in block


def test_piped_output_is_not_padded_in_a_real_process(tmp_path: Path) -> None:
    done = run_script("status", env={"COLUMNS": "120"}, cwd=tmp_path)
    assert done.code == ExitCode.OK, done.err
    assert done.out.splitlines()
    assert all(line == line.rstrip() for line in done.out.splitlines())


COMMAND_HELP = ("check", "batch", "deadlines", "refund", "status", "ring-size", "policy show")


@pytest.mark.parametrize("command", COMMAND_HELP)
def test_help_names_each_value_by_kind_and_shows_defaults(
    run: Callable[..., Result], command: str
) -> None:
    out = run(*command.split(), "--help").out
    assert "<str>" not in out
    assert not re.search(r"\w \.(\s|$)", out), "a space before a period (a default eaten as markup)"
    assert "(default:" not in out  # defaults are shown the one way: [default: ...]
    if "--today" in out:
        assert "[default: (today in the store's time zone)]" in " ".join(out.split())


def test_batch_help_shows_the_format_default_and_file(run: Callable[..., Result]) -> None:
    out = " ".join(run("batch", "--help").out.split())
    assert "[default: (table when stdout is a terminal, else csv)]" in out
    assert "{file}" not in out
    assert "FILE" in out


def test_policy_check_counts_in_words(run: Callable[..., Result], tmp_path: Path) -> None:
    text = (ROOT / "policy.toml").read_text(encoding="utf-8")
    bad = tmp_path / "policy.toml"
    bad.write_text(text.replace("window_days = 30", "window_days = -1"), encoding="utf-8")
    result = run("policy", "check", str(bad))
    assert result.code == ExitCode.BAD_INPUT
    assert "(1 error, 0 warnings)" in result.out


def _panel(run: Callable[..., Result], *args: str) -> str:
    return " ".join(run("check", *args).out.replace("│", " ").split())


def test_check_names_deadlines_for_what_they_are(run: Callable[..., Result]) -> None:
    out = _panel(run, "--delivered", "2026-11-03", "--category", "rings")
    assert "Ask to return by Thu 2026-12-03 (in 7 days) ◀" in out
    assert "Report damage by Tue 2026-11-10" in out
    assert "Damage review until Thu 2026-12-03" in out
    assert "Return by" not in out
    assert "(day 23, 7 days left)" in out
    assert "Days left" not in out


def test_check_says_days_late_not_a_negative_count(run: Callable[..., Result]) -> None:
    out = _panel(run, "--delivered", "2026-10-22", "--category", "rings")  # day 35
    assert "(day 35, 5 days late)" in out
    assert "-5" not in out
    last = _panel(run, "--delivered", "2026-10-27", "--category", "rings")  # day 30
    assert "(day 30, last day today)" in last


def test_another_failed_rule_hides_the_window_countdown(run: Callable[..., Result]) -> None:
    out = _panel(run, "--delivered", "2026-11-20", "--category", "earrings")
    assert "NOT ELIGIBLE" in out
    assert "◀" not in out
    assert "days left" not in out
    assert "(day 6)" in out
    sale = _panel(run, "--delivered", "2026-11-20", "--category", "rings", "--sale")
    assert "◀" not in sale


def test_placeholder_address_is_marked_in_human_output_and_warned_in_json(
    run: Callable[..., Result],
) -> None:
    mark = "support@migems.example (placeholder: set support_email in policy.toml)"
    args = ("--delivered", "2026-10-01", "--category", "rings")
    assert mark in _panel(run, *args)
    refund = run("refund", "--received", "2026-11-10")  # overdue: the late steps name it
    assert mark in " ".join(refund.out.split())
    assert mark in " ".join(run("policy", "show").out.split())
    warning = "'support@migems.example' is a placeholder: set support_email in policy.toml"
    for command in (("check", *args), ("refund", "--received", "2026-11-10"), ("policy", "show")):
        document = json.loads(run(*command, "--json").out)
        assert document["warnings"] == [warning], command
        assert "(placeholder" not in json.dumps(document)  # the data itself is unchanged
    for command in (("check", "--delivered", "2026-11-20", "--category", "rings"), ("status",)):
        assert "warnings" not in json.loads(run(*command, "--json").out)  # not shown: no warning


def test_a_real_address_carries_no_mark(run: Callable[..., Result], tmp_path: Path) -> None:
    text = (ROOT / "policy.toml").read_text(encoding="utf-8")
    real = tmp_path / "policy.toml"
    real.write_text(
        text.replace("support_email_is_placeholder = true", "support_email_is_placeholder = false"),
        encoding="utf-8",
    )
    result = run("refund", "--received", "2026-11-10", "--policy", str(real))
    assert "placeholder" not in result.out
    assert "warnings" not in json.loads(
        run("refund", "--received", "2026-11-10", "--policy", str(real), "--json").out
    )


def test_policy_check_warnings_break_between_words_on_a_terminal(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setenv("COLUMNS", "60")
    piped = run("policy", "check").err.splitlines()
    assert len(piped) == 4  # piped: one line a warning, for grep
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    lines = run("policy", "check").err.splitlines()
    assert len(lines) > 4
    assert all(len(line) <= 60 for line in lines)
    words = set(" ".join(piped).split())
    assert set(" ".join(lines).split()) == words  # every word whole: none broken in two


def test_batch_table_without_errors_stays_a_table_at_80_columns(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    fixture = ROOT / "tests" / "fixtures" / "batch" / "excel_bom_crlf.csv"
    lines = run("batch", str(fixture), "--format", "table").out.splitlines()
    row = next(line for line in lines if "A-3" in line)
    assert row.split() == [
        "4",
        "A-3",
        "ineligible",
        "2026-02-02",
        "2026-01-10",
        "fail:",
        "return-window",
    ]
    assert lines[lines.index(row) + 1].split() == ["fail:", "category"]


_PADDED = re.compile(r"[ ]+((?:\x1b\[[0-9;]*m)*)(?=\n)")  # what is trimmed, as first written


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([" ", "  ", "\n", "a", "─", "\x1b[0m", "\x1b[1;31m", "\x1b[", "m", "\t"]),
        max_size=40,
    ).map("".join)
)
@example(text="a   \x1b[0m   \n")  # spaces, a code, then the padding: only the padding goes
@example(text="Rule      Outcome   \x1b[1m\x1b[0m\n  \n")
def test_trimmed_lines_drop_each_lines_padding_and_keep_its_colour_codes(text: str) -> None:
    from migems_cli.render.console import TrimmedLines

    written: list[str] = []
    sink = TrimmedLines(SimpleNamespace(write=written.append))  # type: ignore[arg-type]
    assert sink.write(text) == len(text)
    assert "".join(written) == _PADDED.sub(r"\1", text)
    for line in "".join(written).split("\n")[:-1]:  # every whole line
        assert not line.endswith(" ")
