"""`migems ring-size` wiring: JSON per the SPEC, exit codes, help, golden tables, no rich on --json.

Regenerate the golden tables after a deliberate change with:
    MIGEMS_UPDATE_GOLDEN=1 pytest tests/test_ring_size_cli.py
"""

from __future__ import annotations

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from migems_cli.cli import app, main
from migems_cli.policy import bundled_policy_path
from migems_cli.policy_load import load_policy
from migems_cli.render.ring_rich import render, render_how
from migems_cli.ring_sizes import Chart, build_chart, lookup, measure
from tests.helpers import modules_after

GOLDEN = Path(__file__).parent / "golden"
RINGS = load_policy(bundled_policy_path()).ring_sizes
CHART: Chart = build_chart(RINGS)
ROW_KEYS = ["us", "uk", "eu", "jp", "ch", "de", "diameter_mm", "circumference_mm"]
runner = CliRunner()


def run_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["ring-size", *args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_chart_json_has_every_size_with_the_spec_keys() -> None:
    document = run_json()
    assert list(document) == ["sizes"]
    sizes = document["sizes"]
    assert isinstance(sizes, list)
    assert len(sizes) == 41
    assert all(list(row) == ROW_KEYS for row in sizes)
    assert sizes[16] == {
        "us": 7.0, "uk": "N½", "eu": 54, "jp": 14, "ch": 14, "de": 17.3,
        "diameter_mm": 17.32, "circumference_mm": 54.42,
    }  # fmt: skip


def test_measurement_json_has_match_and_the_sizes_either_side() -> None:
    document = run_json("--circumference", "54.4")
    match = document["match"]
    assert isinstance(match, dict)
    assert list(match) == ROW_KEYS
    assert (match["us"], match["uk"], match["eu"]) == (7.0, "N½", 54)
    between = document["between"]
    assert isinstance(between, dict)
    assert between["below"]["us"] == 6.75  # type: ignore[index]
    assert between["above"] == match
    assert between["fraction"] == 0.97
    assert document["exact"] is False
    assert document["measurement"] == {
        "kind": "circumference",
        "query": "54.4",
        "diameter_mm": 17.32,
        "circumference_mm": 54.4,
    }
    assert [row["us"] for row in document["sizes"]] == [6.5, 6.75, 7.0, 7.25, 7.5]  # type: ignore[attr-defined]
    assert len(document["advice"]) == 3  # type: ignore[arg-type]


def test_exact_measurement_in_inches_has_no_between() -> None:
    document = run_json("--diameter", "17.32mm")
    assert document["exact"] is True
    assert document["between"] is None
    assert document["match"]["us"] == 7.0  # type: ignore[index]


@pytest.mark.parametrize(
    ("option", "value", "us"),
    [("--us", "7 1/4", [7.25]), ("--uk", "n1/2", [7.0]), ("--eu", "54", [6.75, 7.0]),
     ("--jp", "14", [7.0]), ("--ch", "14", [6.75, 7.0]), ("--de", "17.3", [7.0]),
     ("--de", "17.9", [7.75])],
)  # fmt: skip
def test_lookup_json(option: str, value: str, us: list[float]) -> None:
    document = run_json(option, value)
    assert [row["us"] for row in document["matches"]] == us  # type: ignore[attr-defined]
    assert len(document["sizes"]) == len(us) + 4  # type: ignore[arg-type]
    if len(us) > 1:  # several rows carry the size: the one to order is the larger
        assert document["match"] == document["matches"][-1]  # type: ignore[index]
        assert list(document["match"]) == ROW_KEYS  # type: ignore[arg-type]
    else:
        assert "match" not in document


def test_de_looks_up_the_charts_de_column() -> None:
    result = runner.invoke(app, ["ring-size", "--de", "17.3"], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("DE 17.3 = US/CA 7 (▶ below)")
    marked = [line for line in result.stdout.splitlines() if line.startswith("▶")]
    assert marked
    assert marked[0].split()[1:] == [
        "7",
        "N½",
        "54",
        "14",
        "14",
        "17.3",
        "17.32",
        "54.42",
    ]
    with pytest.raises(SystemExit) as exited:
        main(["ring-size", "--de", "17.35"])
    assert exited.value.code == 2


def test_a_lookup_matching_two_sizes_names_the_one_to_order() -> None:
    result = runner.invoke(app, ["ring-size", "--eu", "56"], env={"COLUMNS": "60"})
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert out.startswith("Order: US/CA 7¾ · UK/AU P · EU/ISO 56 · JP 16 · CH/IT/ES 16 DE 17.9")
    assert "EU/ISO 56 = US/CA 7½ to US/CA 7¾; order the larger, US/CA 7¾" in out


@pytest.mark.parametrize(
    ("args", "hint"),
    [(["--circumference", "2.1"], "did you mean 2.1in?"),
     (["--circumference", "5.44"], "did you mean 5.44cm?"),
     (["--diameter", "1.7"], "did you mean 1.7cm?"),
     (["--diameter", "0.68"], "did you mean 0.68in?")],
)  # fmt: skip
def test_a_bare_number_plausible_in_another_unit_gets_a_hint(
    capsys: pytest.CaptureFixture[str], args: list[str], hint: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["ring-size", *args])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.count("\n") == 1
    assert f"; {hint} (got '{args[1]}')" in err


def test_no_hint_when_a_unit_was_given_or_none_fits(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--circumference", "2.1mm"], ["--circumference", "500"]):
        with pytest.raises(SystemExit):
            main(["ring-size", *args])
        assert "did you mean" not in capsys.readouterr().err


def test_how_json_adds_the_guide() -> None:
    document = run_json("--how")
    how = document["how_to"]
    assert isinstance(how, list)
    assert [item["measures"] for item in how] == ["circumference", "diameter"]
    assert "sizes" in document


def test_human_measurement_answer() -> None:
    result = runner.invoke(app, ["ring-size", "--circumference", "54.4"], env={"COLUMNS": "60"})
    assert result.exit_code == 0
    assert "Order: US/CA 7 · UK/AU N½ · EU/ISO 54 · JP 14" in result.stdout
    assert "Between US/CA 6¾ (53.78 mm) and US/CA 7 (54.42 mm)" in result.stdout
    assert "warm" in result.stdout
    assert "\x1b[" not in result.stdout


def test_how_alone_prints_only_the_guide() -> None:
    result = runner.invoke(app, ["ring-size", "--how"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "Wrap a piece of string or a thin strip of paper" in result.stdout
    assert "migems ring-size --diameter LENGTH" in result.stdout
    assert "Circ" not in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--us", "14"], "Error: --us: US/CA 14 is not in the chart; its US/CA sizes run from 3 to 13 (got '14')"),
        (["--us", "7.1"], "Error: --us: US/CA sizes go in steps of ¼ (got '7.1')"),
        (["--uk", "Z½"], "Error: --uk: there is no half size after Z (got 'Z½')"),
        (["--eu", "30"], "Error: --eu: EU/ISO 30 is not in the chart; its EU/ISO sizes run from 44 to 70 (got '30')"),
        (["--jp", "abc"], "Error: --jp: not a JP size; write a number like 7, 7.5 or 7 1/4 (got 'abc')"),
        (["--ch", "-3"], "Error: --ch: not a CH/IT/ES size; write a number like 7, 7.5 or 7 1/4 (got '-3')"),
        (["--circumference", "0"], "Error: --circumference: must be more than zero (got '0')"),
        (["--circumference", "-54"], "Error: --circumference: must be more than zero (got '-54')"),
        (["--circumference", "1e3"], "Error: --circumference: not a length; write a number with mm (default), cm or in, like 54.4 (got '1e3')"),
        (["--circumference", "20cm"], "Error: --circumference: 200.00 mm is not a plausible finger; an inner circumference runs from 35.00 to 80.00 mm (got '20cm')"),
        (["--diameter", "30"], "Error: --diameter: 30.00 mm is not a plausible finger; an inner diameter runs from 11.14 to 25.46 mm (got '30')"),
        (["--circumference", "75"], "Error: --circumference: 75.00 mm is larger than the largest size in the chart (US/CA 13, 69.74 mm circumference) (got '75')"),
        (["--us", "7", "--diameter", "17"], "Error: --us: give one size or measurement at a time, not --us and --diameter (got '--us 7 --diameter 17')"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_error_line(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for json_flag in ([], ["--json"]):
        with pytest.raises(SystemExit) as caught:
            main(["ring-size", *args, *json_flag])
        assert caught.value.code == 2
        out, err = capsys.readouterr()
        if json_flag:  # a bad input with --json is also one JSON document on stdout
            assert json.loads(out)["error"]["message"] == expected.removeprefix("Error: ")
        else:
            assert out == ""
        assert err == expected + "\n"
        assert "Traceback" not in err


def test_success_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["ring-size", "--uk", "N 1/2", "--json"])
    assert caught.value.code == 0
    assert json.loads(capsys.readouterr().out)["matches"][0]["us"] == 7.0


def test_help_has_the_options_and_the_example() -> None:
    result = runner.invoke(app, ["ring-size", "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    for option in ("--us", "--uk", "--eu", "--jp", "--ch", "--circumference", "--diameter"):
        assert option in result.stdout
    for option in ("--how", "--policy", "--today", "--json"):
        assert option in result.stdout
    assert "Example: migems ring-size --circumference 54.4" in result.stdout


def test_ring_size_is_in_the_sizing_panel() -> None:
    from typer.main import get_command

    group = get_command(app)
    ctx = group.make_context("migems", ["--help"], resilient_parsing=True)
    command = group.get_command(ctx, "ring-size")
    assert command is not None
    assert command.rich_help_panel == "Sizing"


def test_json_path_never_imports_rich() -> None:
    found = modules_after(["ring-size", "--circumference", "54.4", "--how", "--json"], ("rich",))
    assert found.code == 0
    assert json.loads(found.out)["match"]["us"] == 7.0
    assert found.modules == []


# Golden tables: rendered by a fixed-width console with colour off.


def rendered(width: int, draw: object) -> str:
    console = Console(
        file=StringIO(), width=width, color_system=None, force_terminal=False, highlight=False
    )
    draw(console)  # type: ignore[operator]
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


CASES = {
    "ring_chart_60": (60, lambda c: render(CHART, RINGS, None, c)),
    "ring_chart_120": (120, lambda c: render(CHART, RINGS, None, c)),
    "ring_chart_40": (40, lambda c: render(CHART, RINGS, None, c)),
    "ring_measure_60": (
        60,
        lambda c: render(CHART, RINGS, measure(CHART, RINGS, "circumference", "54.4"), c),
    ),
    "ring_lookup_60": (60, lambda c: render(CHART, RINGS, lookup(CHART, RINGS, "eu", "54"), c)),
    "ring_how_60": (60, lambda c: render_how(RINGS, c)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    width, draw = CASES[name]
    output = rendered(width, draw)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("MIGEMS_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(output, encoding="utf-8")
    assert output == path.read_text(encoding="utf-8")
    assert max(len(line) for line in output.splitlines()) <= width


def test_narrow_chart_drops_the_last_systems_and_says_so() -> None:
    output = rendered(40, CASES["ring_chart_40"][1])
    header = output.splitlines()[0].split()
    assert header == ["US", "UK", "EU", "JP", "Ø", "mm", "Circ", "mm"]
    assert "Not shown at this width: CH/IT/ES, DE (see --json)." in " ".join(output.split())


def test_wide_chart_uses_the_full_system_names() -> None:
    header = rendered(120, CASES["ring_chart_120"][1]).splitlines()[0].split()
    assert header[:6] == ["US/CA", "UK/AU", "EU/ISO", "JP", "CH/IT/ES", "DE"]


def test_measure_marks_the_row_to_order() -> None:
    lines = rendered(60, CASES["ring_measure_60"][1]).splitlines()
    (marked,) = [line for line in lines if line.startswith("▶")]
    assert marked.split() == ["▶", "7", "N½", "54", "14", "14", "17.3", "17.32", "54.42"]
