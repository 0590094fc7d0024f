"""`migems refund`: the schedule across holidays and weekends, every state at its boundaries,
the calendar against numpy, and the command's JSON and errors."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from migems_cli.business_days import BusinessCalendar
from migems_cli.errors import ExitCode, InputError, PolicyError
from migems_cli.policy_load import parse_policy
from migems_cli.schedule import DUE, OVERDUE, PENDING, refund_schedule
from tests.helpers import assert_bad_input

CALENDAR = BusinessCalendar("US")
D = date.fromisoformat

REFUND_KEYS = {
    "policy",
    "received",
    "expected_from",
    "expected_by",
    "state",
    "business_days_elapsed",
    "refund_amount",
    "currency",
    "next_steps",
}


# (received, 5th business day after, 10th business day after), counted by hand on a 2026-27
# calendar: Jul 3 (Independence Day observed), Nov 11, Nov 26 (Thanksgiving), Dec 25 and Jan 1
# are holidays; Jan 18 2027 (MLK Day) is just outside every window here.
HOLIDAY_CASES = [
    pytest.param("2026-11-20", "2026-11-30", "2026-12-07", id="friday-before-thanksgiving"),
    pytest.param("2026-11-26", "2026-12-03", "2026-12-10", id="on-thanksgiving"),
    pytest.param("2026-12-24", "2027-01-04", "2027-01-11", id="christmas-eve"),
    pytest.param("2026-12-31", "2027-01-08", "2027-01-15", id="new-years-eve"),
    pytest.param("2026-07-01", "2026-07-09", "2026-07-16", id="before-observed-july-4"),
    pytest.param("2026-07-02", "2026-07-10", "2026-07-17", id="eve-of-observed-july-4"),
    pytest.param("2026-07-03", "2026-07-10", "2026-07-17", id="on-observed-july-4"),
    pytest.param("2026-07-04", "2026-07-10", "2026-07-17", id="july-4-a-saturday"),
    pytest.param("2026-11-14", "2026-11-20", "2026-11-30", id="saturday"),
    pytest.param("2026-11-15", "2026-11-20", "2026-11-30", id="sunday"),
    pytest.param("2026-11-06", "2026-11-16", "2026-11-23", id="veterans-day-midweek"),
]


@pytest.mark.parametrize(("received", "expected_from", "expected_by"), HOLIDAY_CASES)
def test_refund_window_around_holidays_and_weekends(policy, received, expected_from, expected_by):
    schedule = refund_schedule(policy, CALENDAR, D(received), D("2027-03-01"))
    assert schedule.expected_from == D(expected_from)
    assert schedule.expected_by == D(expected_by)


@pytest.mark.parametrize(("received", "expected_from", "expected_by"), HOLIDAY_CASES)
def test_refund_command_reports_the_same_window(run, received, expected_from, expected_by):
    code, out, err = run("refund", "--received", received, "--today", "2027-03-01", "--json")
    assert (code, err) == (ExitCode.OK, "")
    document = json.loads(out)
    assert document["expected_from"] == expected_from
    assert document["expected_by"] == expected_by


@pytest.mark.parametrize(
    ("received", "today", "state"),
    [
        # received Fri 2026-11-20: due Mon 2026-11-30 through Mon 2026-12-07
        ("2026-11-20", "2026-11-20", PENDING),
        ("2026-11-20", "2026-11-29", PENDING),
        ("2026-11-20", "2026-11-30", DUE),
        ("2026-11-20", "2026-12-01", DUE),
        ("2026-11-20", "2026-12-06", DUE),
        ("2026-11-20", "2026-12-07", DUE),
        ("2026-11-20", "2026-12-08", OVERDUE),
        # received Thu 2026-12-24: due Mon 2027-01-04 through Mon 2027-01-11
        ("2026-12-24", "2027-01-03", PENDING),
        ("2026-12-24", "2027-01-04", DUE),
        ("2026-12-24", "2027-01-11", DUE),
        ("2026-12-24", "2027-01-12", OVERDUE),
        # received on Thanksgiving: due Thu 2026-12-03 through Thu 2026-12-10
        ("2026-11-26", "2026-12-02", PENDING),
        ("2026-11-26", "2026-12-03", DUE),
        ("2026-11-26", "2026-12-10", DUE),
        ("2026-11-26", "2026-12-11", OVERDUE),
    ],
)
def test_state_on_both_sides_of_each_boundary(policy, run, received, today, state):
    assert refund_schedule(policy, CALENDAR, D(received), D(today)).state == state
    code, out, _ = run("refund", "--received", received, "--today", today, "--json")
    assert code == ExitCode.OK
    assert json.loads(out)["state"] == state


@pytest.mark.parametrize(
    ("received", "today", "elapsed"),
    [
        ("2026-11-20", "2026-11-20", 0),
        ("2026-11-20", "2026-11-26", 3),  # Mon, Tue, Wed; Thanksgiving does not count
        ("2026-11-20", "2026-11-30", 5),
        ("2026-11-21", "2026-11-23", 1),  # from a Saturday: Monday only
        ("2026-12-24", "2027-01-04", 5),  # Dec 28-31 and Jan 4
        ("2026-07-02", "2026-07-06", 1),  # Jul 3 observed holiday, then the weekend
    ],
)
def test_business_days_elapsed(policy, received, today, elapsed):
    assert refund_schedule(policy, CALENDAR, D(received), D(today)).business_days_elapsed == elapsed


def test_overdue_next_steps_are_the_late_refund_steps_in_order(policy):
    schedule = refund_schedule(policy, CALENDAR, D("2026-11-01"), D("2026-11-26"))
    assert schedule.state == OVERDUE
    steps = schedule.next_steps
    assert len(steps) == 4
    assert steps[0].startswith("First check your bank account")
    assert steps[1].startswith("Then contact your credit card company")
    assert steps[2].startswith("Next contact your bank")
    assert steps[3].endswith("contact us at support@migems.example.")


@pytest.mark.parametrize(("today", "state"), [("2026-11-26", PENDING), ("2026-12-01", DUE)])
def test_pending_and_due_steps_come_from_the_policy_with_dates(policy, today, state):
    schedule = refund_schedule(policy, CALENDAR, D("2026-11-20"), D(today))
    assert schedule.state == state
    (step,) = schedule.next_steps
    assert "Mon 2026-12-07" in step
    assert "{" not in step
    assert step.startswith(policy.refund_notes[state].split("{")[0])


def test_amount_is_the_price_never_the_shipping(run):
    code, out, _ = run(
        "refund",
        "--received",
        "2026-11-20",
        "--price",
        "120",
        "--shipping",
        "22",
        "--today",
        "2026-11-26",
        "--json",
    )
    document = json.loads(out)
    assert code == ExitCode.OK
    assert set(document) == REFUND_KEYS
    assert document.pop("policy")["version"] == "1"
    assert document == {
        "received": "2026-11-20",
        "expected_from": "2026-11-30",
        "expected_by": "2026-12-07",
        "state": "pending",
        "business_days_elapsed": 3,
        "refund_amount": "120.00",
        "currency": "USD",
        "next_steps": document["next_steps"],
    }
    assert len(document["next_steps"]) == 1


def test_without_a_price_the_amount_is_null(run):
    _, out, _ = run("refund", "--received", "2026-11-20", "--today", "2026-11-26", "--json")
    assert json.loads(out)["refund_amount"] is None


def test_a_policy_that_refunds_shipping_adds_it(policy):
    generous = policy._replace(shipping_refunded=True)
    schedule = refund_schedule(
        generous, CALENDAR, D("2026-11-20"), D("2026-11-26"), Decimal("120"), Decimal("22")
    )
    assert schedule.refund_amount == Decimal("142")


def test_today_before_received_is_bad_input(policy, run):
    with pytest.raises(InputError):
        refund_schedule(policy, CALENDAR, D("2026-11-27"), D("2026-11-26"))
    code, out, err = run("refund", "--received", "2026-11-27", "--today", "2026-11-26")
    assert code == ExitCode.BAD_INPUT
    assert out == ""
    assert err == "Error: --received: must not be after today (2026-11-26) (got '2026-11-27')\n"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--received", "2026-02-30"], "--received"),
        (["--received", "someday"], "--received"),
        (["--received", "2026-11-20", "--price", "12.345"], "--price"),
        (["--received", "2026-11-20", "--shipping", "-5"], "--shipping"),
        (["--received", "2026-11-20", "--today", "31/31/2026"], "--today"),
        ([], "--received"),
    ],
)
def test_bad_inputs_exit_2_with_one_error_line(run, args, named):
    code, out, err = run("refund", "--today", "2026-11-26", *args, "--json")
    assert_bad_input(code, out, err, named)


def test_dayfirst_reads_slashed_dates_day_first(run):
    _, out, _ = run(
        "refund", "--received", "20/11/2026", "--dayfirst", "--today", "2026-11-26", "--json"
    )
    assert json.loads(out)["received"] == "2026-11-20"


def test_human_table_at_60_columns(run):
    result = run(
        "refund",
        "--received",
        "2026-11-01",
        "--price",
        "120",
        "--today",
        "2026-11-26",
        env={"COLUMNS": "60"},
    )
    assert result.code == ExitCode.OK
    lines = result.out.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert "OVERDUE" in result.out
    assert "Mon 2026-11-16" in result.out
    assert "120.00 USD" in result.out
    assert "\x1b[" not in result.out


def test_customer_text_is_not_read_as_markup(tmp_path, run, policy_text):
    marked = policy_text.replace(
        "First check your bank account again.", "Check [bold]the[/bold] bank."
    )
    path = tmp_path / "policy.toml"
    path.write_text(marked, encoding="utf-8")
    result = run(
        "refund", "--received", "2026-11-01", "--today", "2026-11-26", "--policy", str(path)
    )
    assert result.code == ExitCode.OK
    assert "Check [bold]the[/bold] bank." in result.out


def test_refund_notes_may_use_refund_placeholders_but_rules_may_not(policy_text):
    text = policy_text
    assert "{expected_by}" in text  # the notes use it, and the policy loads
    broken = text.replace(
        'pass = "The item is unused."', 'pass = "The item is unused (refund by {expected_by})."'
    )
    with pytest.raises(PolicyError, match=r"rules\.condition\.pass: unknown placeholder"):
        parse_policy(broken)
    missing = "\n".join(line for line in text.splitlines() if not line.startswith("due_note"))
    with pytest.raises(PolicyError, match=r"refund\.due_note: missing key"):
        parse_policy(missing)


# ---- the calendar against numpy ------------------------------------------------------------


def _np_holidays(calendar_years: range, closures: list[date]) -> list[str]:
    import holidays

    days = set(holidays.country_holidays("US", years=calendar_years)) | set(closures)
    return sorted(d.isoformat() for d in days)


def test_add_agrees_with_numpy_busday_offset():
    closures = [D("2026-12-24"), D("2027-07-05"), D("2028-11-24")]
    calendar = BusinessCalendar("US", closures)
    observed = _np_holidays(range(2019, 2033), closures)
    rng = random.Random(20261126)
    start = D("2020-01-01")
    days = [start + timedelta(days=rng.randrange(365 * 12)) for _ in range(3000)]
    days += [D("2026-07-03"), D("2026-11-26"), D("2026-12-24"), D("2026-12-25"), D("2027-01-01")]
    as_np = np.array([d.isoformat() for d in days], dtype="datetime64[D]")
    for count in range(1, 16):
        expected = np.busday_offset(as_np, count, roll="backward", holidays=observed)
        got = np.array([calendar.add(d, count).isoformat() for d in days], dtype="datetime64[D]")
        mismatches = [
            (days[i], count, str(expected[i]), str(got[i])) for i in np.flatnonzero(expected != got)
        ]
        assert not mismatches, mismatches[:5]


def test_between_agrees_with_numpy_busday_count():
    calendar = BusinessCalendar("US")
    observed = _np_holidays(range(2019, 2033), [])
    rng = random.Random(7)
    for _ in range(2000):
        a = D("2020-01-01") + timedelta(days=rng.randrange(365 * 11))
        b = a + timedelta(days=rng.randrange(60))
        # business days in (a, b] == numpy's count over [a + 1, b + 1)
        lo = np.datetime64(a + timedelta(days=1))
        hi = np.datetime64(b + timedelta(days=1))
        assert calendar.between(a, b) == int(np.busday_count(lo, hi, holidays=observed)), (a, b)
