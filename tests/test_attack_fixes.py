"""Small defects found by attacking the fixes of issues 9 and 10, each pinned."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from migems_cli.dates import parse_date
from migems_cli.errors import ExitCode, InputError
from tests.conftest import ROOT


def test_policy_check_of_an_empty_path_names_it(run) -> None:
    result = run("policy", "check", "")
    assert result.code == ExitCode.BAD_INPUT
    assert result.err == "Error: PATH: is empty; give a policy file or leave it out (got '')\n"


def test_a_policy_saved_with_a_bom_is_read(run, tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (ROOT / "policy.toml").read_bytes())
    result = run("policy", "check", str(path))
    assert result.code == ExitCode.OK, result.err
    checked = run(
        "check", "--delivered", "2026-11-20", "--category", "rings", "--policy", str(path)
    )
    assert checked.code == ExitCode.OK


def test_usage_lines_name_arguments_as_their_help_does(run, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    usage = run("batch", "--help").out.splitlines()[1].strip()
    assert usage == "Usage: migems batch [OPTIONS] FILE"
    checked = run("policy", "check", "--help").out
    assert "<path>" not in checked
    assert "Usage: migems policy check [OPTIONS] [PATH]" in checked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nov 3, 0004", date(4, 11, 3)),  # dateutil alone reads 0004 as 2004
        ("Jan 1 0001", date(1, 1, 1)),
        ("3 November 2026", date(2026, 11, 3)),
        ("May 3 2026", date(2026, 5, 3)),
        ("Sep 30 0099", date(99, 9, 30)),
    ],
)
def test_a_written_date_keeps_the_year_as_written(text: str, expected: date) -> None:
    assert parse_date(text, "delivered", date(2026, 11, 26)) == expected


@pytest.mark.parametrize("text", ["Nov 3 2026 00:00", "Nov 3 2026 9am", "Nov 3 2026 9 p.m."])
def test_a_written_date_with_a_time_is_refused_even_at_midnight(text: str) -> None:
    with pytest.raises(InputError, match="without a time"):
        parse_date(text, "delivered", date(2026, 11, 26))


@pytest.mark.parametrize("name", ["\udcff.toml", "\ud800", "a\x9b2Jb.toml"])
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_policy_path_no_encoder_can_write_is_one_line(run, name: str, json_flag) -> None:
    """A file name that was not UTF-8 reaches Python as lone surrogates: shown escaped, never an
    encoding traceback (found by the CLI-input fuzz)."""
    for args in (["status", "--policy", name], ["policy", "check", "--policy", name]):
        result = run(*args, *json_flag)
        assert result.code == ExitCode.BAD_INPUT, result
        assert "Traceback" not in result.err
        result.out.encode("utf-8")  # what stdout carries can be written
        result.err.encode("utf-8")
        assert "\x9b" not in result.out + result.err
        if json_flag:
            loaded = json.loads(result.out)
            assert name in json.dumps(loaded, ensure_ascii=False)  # the same data, escaped


def test_json_escapes_what_a_terminal_would_act_on_and_loads_back_the_same() -> None:
    from migems_cli.render.json_out import json_text

    data = {"id": "A\x1b[2J\x9b1m\u202e\x7f\ud800é"}
    text = json_text(data)
    assert not any(ch in text for ch in "\x1b\x9b\u202e\x7f\ud800")
    assert "é" in text  # other non-ASCII text stays readable
    assert json.loads(text) == data


def test_every_character_visible_escapes_is_unprintable() -> None:
    """`visible` returns printable text untouched without running its pattern: that shortcut is
    right only while no character it escapes counts as printable."""
    import re

    from migems_cli.render import safe

    pattern = re.compile(safe._CLASSES["all"])
    assert [hex(c) for c in range(0x110000) if pattern.match(chr(c)) and chr(c).isprintable()] == []
    assert safe.visible("a\x1b[2Jb\u202e") == "a\\x1b[2Jb\\u202e"
