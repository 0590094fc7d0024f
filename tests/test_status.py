"""`migems status`: the statuses from the policy, names in any case, the ship window, where
Partial applies, the JSON contract, bad inputs and a light start-up path."""

from __future__ import annotations

import json

import pytest

from migems_cli.cli import app
from migems_cli.errors import ExitCode, InputError
from migems_cli.statuses import status_info
from tests.helpers import assert_bad_input, modules_after, run_script

BASE_KEYS = {"name", "meaning", "typical_duration", "customer_advice", "countries"}


def statuses(run, args: list[str]) -> list[dict[str, object]]:
    code, out, err = run("status", *args, "--today", "2026-11-26", "--json")
    assert (code, err) == (ExitCode.OK, "")
    document = json.loads(out)
    assert set(document) == {"statuses", "policy"}
    found: list[dict[str, object]] = document["statuses"]
    return found


def test_no_name_lists_every_status_with_its_texts(run):
    found = statuses(run, [])
    assert [s["name"] for s in found] == ["Processing", "Shipped", "Partial"]
    for item in found:
        assert set(item) == BASE_KEYS
    shipped = found[1]
    assert "next business day" in str(shipped["customer_advice"])
    assert "scanned into the courier" in str(shipped["meaning"])
    partial = found[2]
    assert partial["countries"] == ["US", "CA"]
    assert "US/Canada customers only" in str(partial["meaning"])
    assert found[0]["typical_duration"] == "3-4 business days when all items are in stock"


@pytest.mark.parametrize("name", ["partial", "PARTIAL", " Partial "])
def test_name_is_case_insensitive(run, name):
    assert [s["name"] for s in statuses(run, [name])] == ["Partial"]


def test_unknown_name_lists_the_known_ones(policy, run):
    with pytest.raises(InputError):
        status_info(policy, "delivered")
    code, out, err = run("status", "delivered", "--json")
    assert code == ExitCode.BAD_INPUT
    assert json.loads(out)["error"]["option"] == "NAME"  # with --json: also a JSON document
    assert err == (
        "Error: NAME: unknown status (known: Processing, Shipped, Partial) (got 'delivered')\n"
    )


def test_ordered_adds_the_ship_window_to_processing_only(run):
    found = statuses(run, ["--ordered", "2026-11-20"])
    processing, shipped, partial = found
    assert set(processing) == BASE_KEYS | {"ships_from", "ships_by"}
    assert (processing["ships_from"], processing["ships_by"]) == ("2026-11-25", "2026-11-27")
    assert set(shipped) == BASE_KEYS
    assert set(partial) == BASE_KEYS
    (only,) = statuses(run, ["processing", "--ordered", "2026-12-23"])
    assert (only["ships_from"], only["ships_by"]) == ("2026-12-29", "2026-12-30")
    (other,) = statuses(run, ["shipped", "--ordered", "2026-12-23"])
    assert "ships_from" not in other


@pytest.mark.parametrize(
    ("country", "applies"),
    [
        ("US", {"Processing": True, "Shipped": True, "Partial": True}),
        ("ca", {"Processing": False, "Shipped": False, "Partial": True}),
        ("FR", {"Processing": False, "Shipped": False, "Partial": False}),
    ],
)
def test_country_says_where_each_status_applies(run, country, applies):
    found = statuses(run, ["--country", country])
    for item in found:
        assert set(item) == BASE_KEYS | {"country", "applies_to_country"}
        assert item["country"] == country.upper()
    assert {s["name"]: s["applies_to_country"] for s in found} == applies


def test_partial_for_canada_in_the_table_with_the_refusal(run):
    result = run(
        "status", "Partial", "--country", "CA", "--today", "2026-11-26", env={"COLUMNS": "60"}
    )
    assert result.code == ExitCode.OK, result.err
    out = result.out
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "CA: yes" in out
    assert "Only for: US, CA" in out
    assert "Shipping is currently limited to the United States." in out


def test_table_shows_every_status_and_the_ship_window(run):
    result = run(
        "status", "--ordered", "2026-11-20", "--today", "2026-11-26", env={"COLUMNS": "60"}
    )
    assert result.code == ExitCode.OK, result.err
    out = result.out
    for name in ("Processing", "Shipped", "Partial"):
        assert name in out
    assert "Wed 2026-11-25 to Fri 2026-11-27" in out
    assert "Tell the customer:" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--ordered", "2026-13-01"], "--ordered"),
        (["--ordered", "yesteryear"], "--ordered"),
        (["--country", "Canada"], "--country"),
        (["nope"], "NAME"),
    ],
)
def test_bad_inputs_exit_2_with_one_error_line(run, args, named):
    code, out, err = run("status", *args, "--json")
    assert_bad_input(code, out, err, named)


def test_json_status_imports_neither_rich_nor_holidays_nor_dateutil():
    heavy = ("rich", "holidays", "dateutil", "migems_cli.rules", "migems_cli.schedule")
    found = modules_after(["status", "processing", "--json", "--today", "2026-11-26"], heavy)
    assert found.modules == []
    assert json.loads(found.out)["statuses"][0]["name"] == "Processing"


def test_installed_console_script_runs():
    done = run_script("status", "nope")
    assert done.code == ExitCode.BAD_INPUT
    assert done.out == ""
    assert done.err.startswith("Error: NAME: unknown status")


@pytest.mark.parametrize("command", ["status", "refund", "deadlines"])
def test_help_has_an_example_and_the_common_options(run, command):
    result = run(command, "--help", env={"COLUMNS": "120"})
    assert result.code == ExitCode.OK
    assert f"Example: migems {command}" in result.out
    for option in ("--policy", "--today", "--json"):
        assert option in result.out


def test_commands_sit_in_their_help_panels():
    from typer.main import get_command

    group = get_command(app)
    ctx = group.make_context("migems", ["--help"], resilient_parsing=True)
    panels = {
        name: group.get_command(ctx, name).rich_help_panel for name in group.list_commands(ctx)
    }
    assert panels["status"] == "Orders"
    assert panels["refund"] == "Returns and refunds"
    assert panels["deadlines"] == "Returns and refunds"
