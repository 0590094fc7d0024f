"""`migems ring-size` wiring: JSON per the SPEC, exit codes, help, golden tables, no rich on --json.

Regenerate the golden tables after a deliberate change with:
    .venv/bin/pytest tests/test_ring_size_cli.py --update-golden
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from rich.console import Console

from migems_cli.cli import app
from migems_cli.errors import ExitCode
from migems_cli.render.ring_rich import render, render_how
from migems_cli.ring_sizes import Chart, build_chart, lookup, measure
from tests.helpers import modules_after, shared_policy

RINGS = shared_policy().ring_sizes  # the golden CASES below are built at collection time
CHART: Chart = build_chart(RINGS)
ROW_KEYS = ["us", "uk", "eu", "jp", "ch", "de", "diameter_mm", "circumference_mm"]


@pytest.fixture
def run_json(run):
    def _run_json(*args: str) -> dict[str, object]:
        result = run("ring-size", *args, "--json")
        assert result.code == ExitCode.OK, result.err
        document: dict[str, object] = json.loads(result.out)
        return document

    return _run_json


def test_chart_json_has_every_size_with_the_spec_keys(run_json) -> None:
    document = run_json()
    assert list(document) == ["sizes", "policy"]
    sizes = document["sizes"]
    assert isinstance(sizes, list)
    assert len(sizes) == 41
    assert all(list(row) == ROW_KEYS for row in sizes)
    assert sizes[16] == {
        "us": 7.0, "uk": "N½", "eu": 54, "jp": 14, "ch": 14, "de": 17.3,
        "diameter_mm": 17.32, "circumference_mm": 54.42,
    }  # fmt: skip


def test_measurement_json_has_match_and_the_sizes_either_side(run_json) -> None:
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


def test_exact_measurement_in_inches_has_no_between(run_json) -> None:
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
def test_lookup_json(run_json, option: str, value: str, us: list[float]) -> None:
    document = run_json(option, value)
    assert [row["us"] for row in document["matches"]] == us  # type: ignore[attr-defined]
    assert len(document["sizes"]) == len(us) + 4  # type: ignore[arg-type]
    if len(us) > 1:  # several rows carry the size: the one to order is the larger
        assert document["match"] == document["matches"][-1]  # type: ignore[index]
        assert list(document["match"]) == ROW_KEYS  # type: ignore[arg-type]
    else:
        assert "match" not in document


def test_de_looks_up_the_charts_de_column(run) -> None:
    result = run("ring-size", "--de", "17.3", env={"COLUMNS": "60"})
    assert result.code == ExitCode.OK, result.err
    assert result.out.startswith("DE 17.3 = US/CA 7 (▶ below)")
    marked = [line for line in result.out.splitlines() if line.startswith("▶")]
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
    assert run("ring-size", "--de", "17.35").code == ExitCode.BAD_INPUT


def test_a_lookup_matching_two_sizes_names_the_one_to_order(run) -> None:
    result = run("ring-size", "--eu", "56", env={"COLUMNS": "60"})
    assert result.code == ExitCode.OK
    out = " ".join(result.out.split())
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
    run, args: list[str], hint: str
) -> None:
    code, _, err = run("ring-size", *args)
    assert code == ExitCode.BAD_INPUT
    assert err.count("\n") == 1
    assert f"; {hint} (got '{args[1]}')" in err


def test_no_hint_when_a_unit_was_given_or_none_fits(run) -> None:
    for args in (["--circumference", "2.1mm"], ["--circumference", "500"]):
        result = run("ring-size", *args)
        assert result.code == ExitCode.BAD_INPUT
        assert "did you mean" not in result.err


def test_how_json_adds_the_guide(run_json) -> None:
    document = run_json("--how")
    how = document["how_to"]
    assert isinstance(how, list)
    assert [item["measures"] for item in how] == ["circumference", "diameter"]
    assert "sizes" in document


def test_human_measurement_answer(run) -> None:
    result = run("ring-size", "--circumference", "54.4", env={"COLUMNS": "60"})
    assert result.code == ExitCode.OK
    assert "Order: US/CA 7 · UK/AU N½ · EU/ISO 54 · JP 14" in result.out
    assert "Between US/CA 6¾ (53.78 mm) and US/CA 7 (54.42 mm)" in result.out
    assert "warm" in result.out
    assert "\x1b[" not in result.out


def test_how_alone_prints_only_the_guide(run) -> None:
    result = run("ring-size", "--how", env={"COLUMNS": "80"})
    assert result.code == ExitCode.OK
    assert "Wrap a piece of string or a thin strip of paper" in result.out
    assert "migems ring-size --diameter LENGTH" in result.out
    assert "Circ" not in result.out


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
def test_bad_input_exits_2_with_one_error_line(run, args: list[str], expected: str) -> None:
    for json_flag in ([], ["--json"]):
        code, out, err = run("ring-size", *args, *json_flag)
        assert code == ExitCode.BAD_INPUT
        if json_flag:  # a bad input with --json is also one JSON document on stdout
            assert json.loads(out)["error"]["message"] == expected.removeprefix("Error: ")
        else:
            assert out == ""
        assert err == expected + "\n"
        assert "Traceback" not in err


def test_success_exits_0(run) -> None:
    code, out, _ = run("ring-size", "--uk", "N 1/2", "--json")
    assert code == ExitCode.OK
    assert json.loads(out)["matches"][0]["us"] == 7.0


def test_help_has_the_options_and_the_example(run) -> None:
    result = run("ring-size", "--help")
    assert result.code == ExitCode.OK
    for option in ("--us", "--uk", "--eu", "--jp", "--ch", "--circumference", "--diameter"):
        assert option in result.out
    for option in ("--how", "--policy", "--today", "--json"):
        assert option in result.out
    assert "Example: migems ring-size --circumference 54.4" in result.out


def test_ring_size_is_in_the_sizing_panel() -> None:
    from typer.main import get_command

    group = get_command(app)
    ctx = group.make_context("migems", ["--help"], resilient_parsing=True)
    command = group.get_command(ctx, "ring-size")
    assert command is not None
    assert command.rich_help_panel == "Sizing"


def test_json_path_never_imports_rich() -> None:
    found = modules_after(["ring-size", "--circumference", "54.4", "--how", "--json"], ("rich",))
    assert found.code == ExitCode.OK
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
def test_golden(golden, name: str) -> None:
    width, draw = CASES[name]
    output = rendered(width, draw)
    golden(f"{name}.txt", output)
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
