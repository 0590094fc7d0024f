"""Small defects found by attacking the fixes of issues 9 and 10, each pinned."""

from __future__ import annotations

from pathlib import Path

from migems_cli.errors import ExitCode
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
