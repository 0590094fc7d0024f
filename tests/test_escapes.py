"""Text from files reaches the terminal as plain, visible text: never markup, never raw escapes.

CSV cells, policy texts and paths are data. A claim id holding `ESC[2J` must not clear the
agent's screen, an OSC-8 link or an 8-bit CSI must not pass, a bidi override must not reorder a
line, and a `[/bold]` in a policy text must print as written (rich would read it as markup and
crash). JSON and CSV keep the data as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migems_cli.errors import ExitCode
from migems_cli.policy import Policy
from migems_cli.render.safe import visible
from tests.conftest import ROOT
from tests.helpers import Result

ESC_CLEAR = "\x1b[2J"
OSC8 = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
CSI8 = "\x9b31m"
BIDI = "\u202egpj.exe"
HOSTILE = (ESC_CLEAR, OSC8, CSI8, BIDI, "\x07", "\x00")
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_visible_writes_each_control_character_as_its_escape() -> None:
    assert visible(ESC_CLEAR) == "\\x1b[2J"
    assert visible(CSI8) == "\\x9b31m"
    assert visible(BIDI) == "\\u202egpj.exe"
    assert visible("a\tb\nc\rd") == "a\\tb\\nc\\rd"
    assert visible("a\nb", newlines=True) == "a\nb"
    assert visible("plain · N½ 7¼ café [b]") == "plain · N½ 7¼ café [b]"
    for text in HOSTILE:
        assert not RAW.search(visible(text))


def test_batch_table_shows_hostile_claim_ids_escaped(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "claims.csv"
    rows = "".join(f'"{i}{text}",2026-11-20,rings\n' for i, text in enumerate(HOSTILE))
    path.write_text("claim_id,delivered,category\n" + rows + f"X,{ESC_CLEAR},rings\n", "utf-8")
    result = run("batch", str(path), "--format", "table")
    assert result.code == ExitCode.ROW_ERRORS  # the last row's date is bad
    assert not RAW.search(result.out), repr(result.out)
    assert "0\\x1b[2J" in result.out
    assert "2\\x9b31m" in result.out
    assert "3\\u202egpj.exe" in result.out
    assert "'\\x1b[2J'" in result.out  # in the error naming the bad cell
    # narrow: the stacked blocks escape them too
    monkeypatch.setenv("COLUMNS", "60")
    narrow = run("batch", str(path), "--format", "table")
    assert not RAW.search(narrow.out)
    assert "Line 2 · 0\\x1b[2J · eligible" in narrow.out


def test_batch_csv_and_jsonl_keep_cells_as_they_are(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(f"claim_id,delivered,category\nA{ESC_CLEAR},2026-11-20,rings\n", "utf-8")
    lines = run("batch", str(path), "--format", "jsonl").out.splitlines()
    assert json.loads(lines[0])["input"]["claim_id"] == f"A{ESC_CLEAR}"
    assert f"A{ESC_CLEAR}" in run("batch", str(path), "--format", "csv").out


def test_error_lines_show_paths_escaped(run: Callable[..., Result], tmp_path: Path) -> None:
    hostile = tmp_path / f"x{ESC_CLEAR}{BIDI}.csv"
    result = run("batch", str(hostile))
    assert result.code == ExitCode.BAD_INPUT
    assert not RAW.search(result.err), repr(result.err)
    assert "x\\x1b[2J\\u202egpj.exe.csv" in result.err
    result = run("status", "--policy", str(tmp_path / f"p{OSC8}.toml"))
    assert result.code == ExitCode.BAD_INPUT
    assert result.err.startswith("Error: ")
    assert not RAW.search(result.err), repr(result.err)


def test_renderers_escape_policy_texts(policy: Policy, capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever `policy check` accepts, the renderers never pass a control character on."""
    from migems_cli.render.policy_rich import render_policy
    from migems_cli.render.status_rich import render_status
    from migems_cli.statuses import status_info

    statuses = tuple(
        s._replace(meaning=s.meaning + ESC_CLEAR, customer_advice=OSC8 + s.customer_advice)
        for s in policy.statuses
    )
    rules = {
        key: rule._replace(clause=rule.clause + CSI8 + BIDI) for key, rule in policy.rules.items()
    }
    hostile = policy._replace(statuses=statuses, rules=rules)  # type: ignore[attr-defined]
    render_status(status_info(hostile, None, None, None), None)
    render_policy(hostile)
    out = capsys.readouterr().out
    assert not RAW.search(out), repr(out)
    assert "\\x1b[2J" in out
    assert "\\x9b31m\\u202egpj.exe" in out


# Every text a person reads, each given markup-like brackets.
BRACKETS = " [see FAQ] [/bold] [red]x[/red]"
_TEXT_KEY = re.compile(
    r"^((?:clause|pass|fail|exempt|review|next_step|review_step|meaning|typical_duration"
    r"|customer_advice|refusal|delay_note|pending_note|due_note|ships_from|ships_by|arrives_from"
    r"|arrives_by|return_by|report_damage_by|damage_review_until|between_sizes|warm_fingers"
    r'|more_room|title) = ".*)"$'
)
_LIST_ITEM = re.compile(r'^(    ".*[.!?])",?$')


def bracketed_policy(tmp_path: Path) -> Path:
    lines = []
    for line in (ROOT / "policy.toml").read_text(encoding="utf-8").splitlines():
        line = _TEXT_KEY.sub(lambda m: m.group(1) + BRACKETS + '"', line)
        line = _LIST_ITEM.sub(lambda m: m.group(1) + BRACKETS + '",', line)
        lines.append(line)
    path = tmp_path / "policy.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


COMMANDS = {
    "check-eligible": (("check", "--delivered", "2026-11-20", "--category", "rings"), 0),
    "check-ineligible": (("check", "--delivered", "2026-10-01", "--category", "rings"), 1),
    "check-review": (("check", "--delivered", "2026-11-20", "--reason", "damaged"), 3),
    "deadlines": (("deadlines", "--ordered", "2026-11-20", "--delivered", "2026-11-22"), 0),
    "refund": (("refund", "--received", "2026-11-10"), 0),
    "refund-pending": (("refund", "--received", "2026-11-25"), 0),
    "status": (("status",), 0),
    "status-refused": (("status", "--country", "FR"), 0),
    "ring-size": (("ring-size", "--circumference", "54.4"), 0),
    "ring-size-how": (("ring-size", "--how"), 0),
    "policy-show": (("policy", "show"), 0),
    "batch": (("batch", "{csv}", "--format", "table"), 0),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_policy_texts_with_brackets_print_literally(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    policy = bracketed_policy(tmp_path)
    assert run("policy", "check", str(policy)).code == ExitCode.OK
    csv = tmp_path / "claims.csv"
    csv.write_text("claim_id,delivered,category\n[b]A1[/b],2026-11-20,rings\n", "utf-8")
    args, code = COMMANDS[name]
    result = run(*(a.replace("{csv}", str(csv)) for a in args), "--policy", str(policy))
    assert "Traceback" not in result.err
    assert result.code == code, result.err
    shown = " ".join(result.out.split())
    if name == "batch":
        assert "[b]A1[/b]" in shown
    else:
        assert BRACKETS.strip() in shown, result.out


def test_policy_check_accepts_today(run: Callable[..., Result]) -> None:
    result = run("policy", "check", "--today", "2026-11-26")
    assert result.code == ExitCode.OK
    assert "valid (0 errors, 4 warnings)" in result.out
    bad = run("policy", "check", "--today", "someday")
    assert bad.code == ExitCode.BAD_INPUT
    assert "--today" in bad.err


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_characters='",\r\n'),
            max_size=12,
        ),
        min_size=1,
        max_size=4,
    ),
    width=st.sampled_from([40, 60, 80, 120]),
)
def test_no_raw_control_character_reaches_the_table_whatever_the_cells(
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    cells: list[str],
    width: int,
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    path = tmp_path / "claims.csv"
    body = "".join(f'"{cell}",2026-11-20,"{cell}"\n' for cell in cells)
    path.write_text("claim_id,delivered,category\n" + body, encoding="utf-8")
    result = run("batch", str(path), "--format", "table")
    assert result.code in (ExitCode.OK, ExitCode.ROW_ERRORS)
    assert not RAW.search(result.out), repr(result.out)
    assert result.out.count("\n") >= len(cells)
    assert all(line == line.rstrip() for line in result.out.splitlines())
