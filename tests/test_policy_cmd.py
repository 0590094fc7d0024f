"""`migems policy show` and `migems policy check`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result

Run = Callable[..., Result]


def test_check_bundled_is_valid_with_warnings(run: Run) -> None:
    result = run("policy", "check")
    assert result.code == 0
    assert result.out.endswith(": valid (0 errors, 4 warnings)\n")
    assert result.err.count("warning:") == 4


def test_strict_fails_on_warnings(run: Run) -> None:
    result = run("policy", "check", "--strict", "--json")
    assert result.code == 2
    doc = json.loads(result.out)
    assert doc["valid"] is False
    assert doc["errors"] == []
    assert len(doc["warnings"]) == 4


def test_check_lists_every_error(run: Run, tmp_path: Path, policy_text: str) -> None:
    bad = tmp_path / "bad.toml"
    text = policy_text.replace("window_days = 30", "window_days = -1").replace(
        'currency = "USD"', "currency = 3"
    )
    bad.write_text(text)
    result = run("policy", "check", str(bad))
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if "warning" not in line]
    lines = text.splitlines()
    assert errors == [
        f"{bad}:{lines.index('currency = 3') + 1}: store.currency: must be a string, not an integer",
        f"{bad}:{lines.index('window_days = -1') + 1}: returns.window_days: must not be negative, not -1",
    ]
    assert result.out == f"{bad}: INVALID (2 errors, 0 warnings)\n"


def test_check_unknown_holiday_country(run: Run, tmp_path: Path, policy_text: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(policy_text.replace('holiday_country = "US"', 'holiday_country = "XX"'))
    result = run("policy", "check", str(bad), "--json")
    assert result.code == 2
    assert json.loads(result.out)["errors"] == [
        f"{bad}:1: calendar.holiday_country: no holiday calendar for 'XX'"
    ]


def test_check_missing_file(run: Run, tmp_path: Path) -> None:
    result = run("policy", "check", str(tmp_path / "none.toml"))
    assert result.code == 2
    assert "cannot read" in result.err


def test_show_json_is_the_effective_policy(run: Run) -> None:
    result = run("policy", "show", "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["return_window_days"] == 30
    assert doc["shipping"]["zones"][0]["rate"] == "22.00"
    assert doc["rules"]["return-window"]["clause"].startswith("Returns are accepted within 30 days")


def test_show_tables(run: Run) -> None:
    result = run("policy", "show")
    assert result.code == 0
    for fragment in (
        "Return window",
        "30 days from delivery",
        "earrings",
        "non-returnable",
        "Partial",
        "US, CA",
    ):
        assert fragment in result.out


def test_show_tables_include_the_ring_size_systems(
    run: Run, policy_text: str, tmp_path: Path
) -> None:
    result = run("policy", "show")
    lines = result.out[result.out.index("Ring-size systems") :].splitlines()
    body = lines[next(at for at, line in enumerate(lines) if line.startswith("─")) + 1 :]
    rows = {line.split()[1]: line for line in body}
    assert "diameter = 11.6332 + 0.8128 x size" in rows["us"]
    assert "circumference = 37.5 + 1.25 x size, size 0 = A" in rows["uk"]
    assert "diameter = 13 + 1/3 x (size - 1)" in rows["jp"]
    assert "de" in rows
    assert "chart: US/CA 3 to 13 by 0.25" in result.out
    edited = tmp_path / "policy.toml"
    edited.write_text(policy_text.replace('name = "DE"', 'name = "Germany"'))
    assert "Germany" in run("policy", "show", "--policy", str(edited)).out


def test_unknown_time_zone(run: Run, tmp_path: Path, policy_text: str, monkeypatch) -> None:
    bad = tmp_path / "bad.toml"
    text = policy_text.replace('time_zone = "America/New_York"', 'time_zone = "Mars/Olympus"')
    bad.write_text(text)
    line = text.splitlines().index('time_zone = "Mars/Olympus"') + 1
    result = run("policy", "check", str(bad))
    assert result.code == 2
    assert f"{bad}:{line}: store.time_zone: unknown time zone 'Mars/Olympus'" in result.err
    # a command that needs today's date refuses the policy too; a fixed --today does not need it
    monkeypatch.delenv("MIGEMS_TODAY")
    result = run("check", "--delivered", "2026-11-03", "--policy", str(bad))
    assert result.code == 2
    assert (
        result.err
        == f"Error: invalid policy: {bad}:{line}: store.time_zone: unknown time zone 'Mars/Olympus'\n"
    )
    assert (
        run(
            "check",
            "--delivered",
            "2026-11-03",
            "--category",
            "rings",
            "--policy",
            str(bad),
            "--today",
            "2026-11-26",
        ).code
        == 0
    )
