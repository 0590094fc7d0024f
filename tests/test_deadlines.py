"""`migems deadlines`: ship and arrival windows over holidays, return deadlines from delivery,
destinations, the JSON contract and bad inputs."""

from __future__ import annotations

import json
from datetime import date

import pytest

from migems_cli.business_days import BusinessCalendar
from migems_cli.errors import ExitCode, InputError
from migems_cli.rules import deadlines as return_deadlines
from migems_cli.schedule import order_deadlines
from tests.helpers import assert_bad_input, modules_after

CALENDAR = BusinessCalendar("US")
D = date.fromisoformat
SHIPPING_IDS = ["ships_from", "ships_by", "arrives_from", "arrives_by"]
RETURN_IDS = ["return_by", "report_damage_by", "damage_review_until"]


def dates_of(run, args: list[str]) -> dict[str, str]:
    code, out, err = run("deadlines", *args, "--json")
    assert (code, err) == (ExitCode.OK, "")
    return {item["id"]: item["date"] for item in json.loads(out)["deadlines"]}


# Processing 3-4 business days after the order; arrival 10-15 business days in transit after the
# ship window (the US is in the "outside Europe" zone). Counted by hand.
@pytest.mark.parametrize(
    ("ordered", "expected"),
    [
        pytest.param(
            "2026-11-20",
            ["2026-11-25", "2026-11-27", "2026-12-10", "2026-12-18"],
            id="friday-before-thanksgiving",
        ),
        pytest.param(
            "2026-11-26",
            ["2026-12-01", "2026-12-02", "2026-12-15", "2026-12-23"],
            id="on-thanksgiving",
        ),
        pytest.param(
            "2026-12-23",
            ["2026-12-29", "2026-12-30", "2027-01-13", "2027-01-22"],
            id="christmas-and-new-year-and-mlk",
        ),
        pytest.param(
            "2026-07-01",
            ["2026-07-07", "2026-07-08", "2026-07-21", "2026-07-29"],
            id="observed-july-4",
        ),
        pytest.param(
            "2026-07-04",
            ["2026-07-08", "2026-07-09", "2026-07-22", "2026-07-30"],
            id="saturday-july-4",
        ),
        pytest.param(
            "2026-11-15",
            ["2026-11-18", "2026-11-19", "2026-12-03", "2026-12-11"],
            id="sunday",
        ),
    ],
)
def test_shipping_windows(run, ordered, expected):
    found = dates_of(run, ["--ordered", ordered, "--today", "2026-11-26"])
    assert list(found) == SHIPPING_IDS
    assert list(found.values()) == expected


def test_return_deadlines_come_from_the_rules(run, policy):
    found = dates_of(run, ["--delivered", "2026-11-20", "--today", "2026-11-26"])
    assert found == {
        "return_by": "2026-12-20",
        "report_damage_by": "2026-11-27",
        "damage_review_until": "2026-12-20",
    }
    assert found == return_deadlines(policy, D("2026-11-20")).to_dict()


def test_both_dates_give_all_seven_in_order_with_days_left(run):
    code, out, _ = run(
        "deadlines",
        "--ordered",
        "2026-11-20",
        "--delivered",
        "2026-11-20",
        "--today",
        "2026-11-26",
        "--json",
    )
    assert code == ExitCode.OK
    document = json.loads(out)
    assert set(document) == {"deadlines", "policy"}
    items = document["deadlines"]
    assert [i["id"] for i in items] == SHIPPING_IDS + RETURN_IDS
    for item in items:
        assert set(item) == {"id", "date", "days_left", "description"}
        assert item["description"]
        assert "{" not in item["description"]
    days_left = {i["id"]: i["days_left"] for i in items}
    assert days_left == {
        "ships_from": -1,
        "ships_by": 1,
        "arrives_from": 14,
        "arrives_by": 22,
        "return_by": 24,
        "report_damage_by": 1,
        "damage_review_until": 24,
    }


def test_descriptions_are_filled_from_the_policy(policy):
    report = order_deadlines(
        policy, CALENDAR, D("2026-11-20"), D("2026-11-20"), "us", D("2026-11-26")
    )
    text = {d.id: d.description for d in report.deadlines}
    assert "3-4 business days" in text["ships_from"]
    assert "10 business days in transit." in text["arrives_from"]
    assert "Outside Europe" not in text["arrives_from"]  # the zone's name is not a destination
    assert "30 days from delivery" in text["return_by"]
    assert "7 days from delivery" in text["report_damage_by"]
    assert report.country == "US"
    assert report.note == policy.shipping.delay_note


def test_country_is_case_insensitive(run):
    lower = dates_of(run, ["--ordered", "2026-11-20", "--country", " us ", "--today", "2026-11-26"])
    assert lower["arrives_by"] == "2026-12-18"


@pytest.mark.parametrize("country", ["CA", "fr", "GB"])
def test_a_country_the_store_does_not_ship_to_is_refused_in_the_policys_words(run, policy, country):
    with pytest.raises(InputError) as refused:
        order_deadlines(policy, CALENDAR, D("2026-11-20"), None, country, D("2026-11-26"))
    assert refused.value.message == policy.shipping.refusal
    code, out, err = run(
        "deadlines", "--ordered", "2026-11-20", "--country", country, "--today", "2026-11-26"
    )
    assert code == ExitCode.BAD_INPUT
    assert out == ""
    assert err == f"Error: --country: {policy.shipping.refusal} (got {country!r})\n"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--ordered", "2026-02-29"], "--ordered"),
        (["--delivered", "tomorrow"], "--delivered"),
        (["--delivered", "Nov 3"], "--delivered"),
        (["--ordered", "2026-11-20", "--country", "USA"], "--country"),
        (["--ordered", "2026-11-20", "--country", "1"], "--country"),
        ([], "--ordered"),
        (["--ordered", "2026-11-20", "--delivered", "2026-11-19"], "--delivered"),
        (["--delivered", "2026-11-20", "--today", "soon"], "--today"),
    ],
)
def test_bad_inputs_exit_2_with_one_error_line(run, args, named):
    code, out, err = run("deadlines", "--today", "2026-11-26", *args, "--json")
    assert_bad_input(code, out, err, named)


def test_human_table_marks_passed_today_and_future_at_60_columns(run, policy):
    result = run(
        "deadlines",
        "--ordered",
        "2026-11-20",
        "--delivered",
        "2026-11-26",
        "--today",
        "2026-11-27",
        env={"COLUMNS": "60"},
    )
    assert result.code == ExitCode.OK, result.err
    out = result.out
    assert max(len(line) for line in out.splitlines()) <= 60
    rows = {line.split("  ")[0]: line for line in out.splitlines() if "  " in line}
    assert rows["Ships from"].split()[-6:] == ["Wed", "2026-11-25", "passed", "2", "days", "ago"]
    assert rows["Ships by"].split()[-3:] == ["Fri", "2026-11-27", "today"]
    assert rows["Arrives by"].split()[-5:] == ["Fri", "2026-12-18", "in", "21", "days"]
    # the last day to *ask* for a return, named so (JSON keeps the id return_by)
    assert rows["Ask to return by"].split()[-5:] == ["Sat", "2026-12-26", "in", "29", "days"]
    assert "to United States (US)" in out.splitlines()[0]
    assert "\x1b[" not in out
    assert policy.shipping.delay_note.split()[0] in out


def test_delivered_only_needs_no_holiday_calendar_and_json_no_rich():
    found = modules_after(
        ["deadlines", "--delivered", "2026-11-20", "--today", "2026-11-26", "--json"],
        ("rich", "holidays"),
    )
    assert found.modules == []
    assert json.loads(found.out)["deadlines"][0]["id"] == "return_by"


def test_help_shows_an_example(run):
    result = run("deadlines", "--help")
    assert result.code == ExitCode.OK
    assert "Example: migems deadlines" in result.out
    for option in ("--ordered", "--delivered", "--country", "--today", "--json", "--policy"):
        assert option in result.out


def test_the_destination_is_named_from_the_policy_not_by_its_zone(run, policy):
    result = run(
        "deadlines",
        "--ordered",
        "2026-11-20",
        "--country",
        "us",
        "--today",
        "2026-11-26",
        env={"COLUMNS": "80"},
    )
    assert result.code == ExitCode.OK, result.err
    assert result.out.splitlines()[0] == "Deadlines · today Thu 2026-11-26 · to United States (US)"
    assert "Outside Europe" not in result.out
    assert policy.shipping.country_names["US"] == "United States"


def test_country_names_are_checked_like_every_policy_key(tmp_path, run, policy_text):
    bad = tmp_path / "policy.toml"
    bad.write_text(
        policy_text.replace('country_names = { US = "United States"', 'country_names = { USA = ""'),
        encoding="utf-8",
    )
    code, _, err = run("policy", "check", str(bad))
    assert code == ExitCode.BAD_INPUT
    assert "shipping.country_names.USA: 'USA' is not a two-letter country code" in err
