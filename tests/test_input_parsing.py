"""How typed options and CSV cells become a claim: nothing lenient that could give a wrong answer
(issue 9 item 10), friendlier spellings where they are unambiguous (issue 10 item 9), and errors
that name the value to fix (issue 10 item 11)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest

from migems_cli.claims import parse_amount, parse_claim, parse_condition, parse_reason
from migems_cli.dates import parse_date
from migems_cli.errors import ExitCode, InputError
from migems_cli.money import parse_money
from migems_cli.policy import Policy
from tests.helpers import Result, assert_bad_input, run_script

Run = Callable[..., Result]
TODAY = date(2026, 11, 26)


def bad(result: Result, named: str, fragment: str) -> None:
    """Exit 2 with one `Error:` line naming `named` and saying `fragment`."""
    assert_bad_input(result.code, result.out, result.err, named)
    assert fragment in result.err, result.err


# --- a date needs a day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["November 2026", "Nov 2026", "2026 November", "nov. 2026", "Sept 2027"]
)
def test_a_month_and_year_without_a_day_is_refused(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_date(text, "delivered", TODAY)
    assert "add the day" in info.value.message
    assert info.value.value == text


def test_month_and_year_on_the_command_line_is_exit_2(run: Run) -> None:
    result = run("check", "--delivered", "November 2026")
    bad(result, "--delivered", "add the day")
    assert "'November 2026'" in result.err


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Nov 1 2026", date(2026, 11, 1)), ("1 November 2026", date(2026, 11, 1))],
)
def test_a_written_first_of_the_month_is_still_a_date(text: str, expected: date) -> None:
    assert parse_date(text, "delivered", TODAY) == expected


# --- digits are ASCII ------------------------------------------------------------------------

# Where each script's digit zero is; its digits 1-9 follow it.
FULL_WIDTH, ARABIC_INDIC, PERSIAN, DEVANAGARI, MATH_BOLD = 0xFF10, 0x0660, 0x06F0, 0x0966, 0x1D7CE


def digits(zero: int, text: str) -> str:
    """`text` with its ASCII digits written in the script whose zero is `zero`."""
    return text.translate({ord("0") + n: chr(zero + n) for n in range(10)})


NON_ASCII_DATES = [
    digits(FULL_WIDTH, "2026") + "-11-03",
    "2026-" + digits(FULL_WIDTH, "11") + "-03",
    digits(ARABIC_INDIC, "2026-11-03"),
    digits(PERSIAN, "2026-11-03"),
    digits(DEVANAGARI, "11") + "/03/2026",
    "11/03/" + digits(FULL_WIDTH, "2026"),
    "Nov " + digits(FULL_WIDTH, "3") + " 2026",  # dateutil reads these as 3 and 2026
    "Nov 3 " + digits(FULL_WIDTH, "2026"),
    "3 Nov " + digits(ARABIC_INDIC, "2026"),
    "November " + digits(MATH_BOLD, "3") + " 2026",
]
NON_ASCII_AMOUNTS = [
    digits(FULL_WIDTH, "120"),
    digits(ARABIC_INDIC, "120"),
    "120." + digits(FULL_WIDTH, "5") + "0",
    digits(PERSIAN, "120.00"),
    "$" + digits(FULL_WIDTH, "120"),
]


@pytest.mark.parametrize("text", NON_ASCII_DATES)
def test_dates_with_non_ascii_digits_are_refused(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_date(text, "delivered", TODAY)
    assert "0-9" in info.value.message


@pytest.mark.parametrize("text", NON_ASCII_AMOUNTS)
def test_amounts_with_non_ascii_digits_are_refused(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_money(text, "price", "USD", "$")
    assert "0-9" in info.value.message


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--delivered", digits(ARABIC_INDIC, "2026-11-03")),
        ("--price", digits(ARABIC_INDIC, "120")),
        ("--today", digits(FULL_WIDTH, "2026") + "-11-26"),
    ],
)
def test_non_ascii_digits_on_the_command_line_are_exit_2(run: Run, option: str, value: str) -> None:
    args = {"--delivered": "2026-11-03", option: value}
    result = run("check", *(part for pair in args.items() for part in pair))
    bad(result, option, "0-9")


def test_month_names_match_ascii_letters_only() -> None:
    # re.IGNORECASE without re.ASCII let the long s (U+017F) match 's': "<long s>ep 3" was taken
    # for a month name and got the hint to add a year
    with pytest.raises(InputError) as info:
        parse_date("\u017fep 3", "delivered", TODAY)
    assert "add the year" not in info.value.message


# --- an explicitly empty option is an error naming it ---------------------------------------


@pytest.mark.parametrize(
    "option",
    ["--requested", "--price", "--shipping", "--today", "--category", "--reason", "--condition"],
)
@pytest.mark.parametrize("value", ["", "   ", "\t"])
def test_an_empty_check_option_is_an_error_naming_it(run: Run, option: str, value: str) -> None:
    bad(run("check", "--delivered", "2026-11-03", option, value, "--json"), option, "empty")


def test_an_empty_delivered_option_is_an_error(run: Run) -> None:
    bad(run("check", "--delivered", ""), "--delivered", "empty")


@pytest.mark.parametrize(
    "args",
    [
        ["deadlines", "--ordered", ""],
        ["deadlines", "--ordered", " ", "--delivered", "2026-11-03"],
        ["deadlines", "--delivered", "", "--ordered", "2026-11-03"],
        ["deadlines", "--ordered", "2026-11-03", "--country", ""],
        ["refund", "--received", "2026-11-03", "--price", ""],
        ["refund", "--received", "2026-11-03", "--shipping", " "],
        ["refund", "--received", ""],
        ["status", "--ordered", ""],
        ["status", "--country", ""],
        ["ring-size", "--us", ""],
        ["ring-size", "--circumference", " "],
        ["policy", "show", "--today", ""],
    ],
)
def test_an_empty_option_of_any_command_is_an_error_naming_it(run: Run, args: list[str]) -> None:
    named = next(arg for arg, value in pairwise(args) if arg.startswith("--") and not value.strip())
    bad(run(*args), named, "empty")


def test_deadlines_with_an_empty_ordered_date_is_not_a_traceback(run: Run) -> None:
    # it used to reach order_deadlines with neither date and raise ValueError
    result = run("deadlines", "--ordered", "")
    bad(result, "--ordered", "empty")


def test_empty_csv_cells_still_mean_the_default(policy: Policy) -> None:
    claim = parse_claim(
        policy,
        {"delivered": "2026-11-03", "requested": "", "reason": "", "category": "  ", "price": ""},
        TODAY,
    )
    assert claim.requested == TODAY
    assert claim.reason.id == policy.default_reason
    assert claim.category is None
    assert claim.price is None


# --- minus zero --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["-0", "-0.00", "-.0", "- 0"])
def test_minus_zero_is_not_an_amount(text: str) -> None:
    # "-0" is not negative, so "must not be negative" was wrong; a minus sign on a price is a typo,
    # so it is refused rather than silently read as 0.00
    with pytest.raises(InputError) as info:
        parse_money(text, "price")
    assert "negative" not in info.value.message
    assert "minus" in info.value.message


def test_minus_zero_on_the_command_line(run: Run) -> None:
    bad(run("check", "--delivered", "2026-11-03", "--price", "-0"), "--price", "minus")


@pytest.mark.parametrize("text", ["-5", "-0.01", "-$5", "$-5"])
def test_negative_amounts_are_still_refused_as_negative(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_money(text, "price", "USD", "$")
    assert "must not be negative" in info.value.message


@pytest.mark.parametrize("text", ["0", "0.00", ".0"])
def test_zero_is_an_amount(text: str) -> None:
    assert parse_money(text, "price") == Decimal("0.00")


# --- the first and last days the calendar holds ------------------------------------------------


def test_yesterday_of_the_first_day_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        parse_date("yesterday", "delivered", date.min)
    assert "before" in info.value.message


def test_yesterday_with_today_at_the_calendar_start_is_exit_2(run: Run) -> None:
    result = run("check", "--delivered", "yesterday", "--today", "0001-01-01")
    bad(result, "--delivered", "yesterday")


# --- friendlier reasons and conditions ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Changed Mind",
        "changed mind",
        "changed_mind",
        "CHANGED-MIND",
        " changed  -  mind ",
        "Changed-Mind",
    ],
)
def test_reason_spellings(policy: Policy, text: str) -> None:
    assert parse_reason(policy, text).id == "changed-mind"


@pytest.mark.parametrize(
    ("text", "expected"), [("Wrong Item", "wrong-item"), ("wrong_item", "wrong-item")]
)
def test_other_reason_spellings(policy: Policy, text: str, expected: str) -> None:
    assert parse_reason(policy, text).id == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("UNUSED", "unused"), (" Worn ", "worn"), ("Used", "used")]
)
def test_condition_spellings(policy: Policy, text: str, expected: str) -> None:
    assert parse_condition(policy, text) == expected


@pytest.mark.parametrize("text", ["changedmind", "changed mind please", "mind-changed"])
def test_other_spellings_are_still_unknown(policy: Policy, text: str) -> None:
    with pytest.raises(InputError):
        parse_reason(policy, text)


def test_check_accepts_a_spelled_out_reason(run: Run) -> None:
    result = run("check", "--delivered", "2026-11-20", "--reason", "Wrong Item", "--json")
    assert result.code == ExitCode.OK, result.err
    assert json.loads(result.out)["claim"]["reason"] == "wrong-item"


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("broken", "damaged"),
        ("Broken", "damaged"),
        ("incorrect", "wrong-item"),
        ("damagd", "damaged"),
    ],
)
def test_an_unknown_reason_gets_a_suggestion(run: Run, typed: str, suggested: str) -> None:
    result = run("check", "--delivered", "2026-11-20", "--reason", typed)
    bad(result, "--reason", f"did you mean '{suggested}'?")
    assert "known reasons: changed-mind, damaged, defective, wrong-item" in result.err


def test_a_suggested_word_is_never_taken_as_the_reason(policy: Policy) -> None:
    with pytest.raises(InputError) as info:
        parse_reason(policy, "broken")
    assert "did you mean 'damaged'?" in info.value.message


def test_no_suggestion_when_nothing_is_close(run: Run) -> None:
    result = run("check", "--delivered", "2026-11-20", "--reason", "bored")
    bad(result, "--reason", "unknown reason")
    assert "did you mean" not in result.err


def test_an_unknown_condition_gets_a_suggestion(run: Run) -> None:
    bad(
        run("check", "--delivered", "2026-11-20", "--condition", "unsued"),
        "--condition",
        "did you mean 'unused'?",
    )


def test_reason_suggestions_are_policy_data(run: Run, tmp_path: Path, policy_text: str) -> None:
    edited = tmp_path / "policy.toml"
    edited.write_text(policy_text.replace('"broken",', '"smashed",'), encoding="utf-8")
    assert "smashed" in edited.read_text(encoding="utf-8")
    result = run(
        "check", "--delivered", "2026-11-20", "--reason", "smashed", "--policy", str(edited)
    )
    bad(result, "--reason", "did you mean 'damaged'?")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"broken",', '"incorrect",', "'incorrect' is listed twice"),
        ('"broken",', '"Changed Mind",', "is listed twice"),
        ('"broken",', "3,", "must be a string"),
    ],
)
def test_policy_check_refuses_clashing_suggestions(
    run: Run, tmp_path: Path, policy_text: str, old: str, new: str, message: str
) -> None:
    edited = tmp_path / "policy.toml"
    edited.write_text(policy_text.replace(old, new, 1), encoding="utf-8")
    result = run("policy", "check", str(edited))
    assert result.code == ExitCode.BAD_INPUT
    assert message in result.err


# --- amounts with the store's currency --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["$120", "120 USD", "USD 120", "120.00 usd", "$ 120", "usd120", "120$", " $120.00 "],
)
def test_the_store_currency_is_accepted(text: str) -> None:
    assert parse_money(text, "price", "USD", "$") == Decimal("120.00")


@pytest.mark.parametrize(
    "text", ["€120", "120 EUR", "EUR 120", "£120", "120 CAD", "¥120", "US$120"]
)
def test_another_currency_names_the_policy_currency(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_money(text, "price", "USD", "$")
    assert "USD" in info.value.message


@pytest.mark.parametrize("text", ["$120", "120 USD"])
def test_without_a_currency_a_marked_amount_is_not_an_amount(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_money(text, "price")
    assert "not an amount" in info.value.message


@pytest.mark.parametrize(
    "text", ["$$120", "$120 USD", "120 dollars", "12 apples", "USD", "$", "1e3", "NaN", "Infinity"]
)
def test_other_marked_texts_are_not_amounts(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_money(text, "price", "USD", "$")
    assert "not an amount" in info.value.message or "USD" in info.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,200.00", "1200.00"),
        ("1,200.5", "1200.50"),
        ("$1,200.00", "1200.00"),
        ("12,345,678.90", "12345678.90"),
    ],
)
def test_thousands_commas_with_a_decimal_point_are_unambiguous(text: str, expected: str) -> None:
    assert parse_money(text, "price", "USD", "$") == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["1,200", "12,50", "1,20", "1.200,00", "1,2000.00", ",5", "1,,200.00"]
)
def test_an_ambiguous_comma_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_money(text, "price", "USD", "$")
    assert "comma" in info.value.message


def test_at_most_nine_digits_with_or_without_commas() -> None:
    assert parse_money("999,999,999.99", "price") == Decimal("999999999.99")
    for text in ("1,000,000,000.00", "1000000000", "9999999999999"):
        with pytest.raises(InputError):
            parse_money(text, "price")


@pytest.mark.parametrize("text", ["$120", "120 USD", "USD 120", "120.00 usd", "1,200.00"])
def test_check_and_refund_accept_store_currency(run: Run, text: str) -> None:
    expected = "1200.00" if "," in text else "120.00"
    result = run(
        "check", "--delivered", "2026-11-20", "--category", "rings", "--price", text, "--json"
    )
    assert result.code == ExitCode.OK, result.err
    assert json.loads(result.out)["refund_amount"] == expected
    result = run("refund", "--received", "2026-11-20", "--price", text, "--json")
    assert result.code == ExitCode.OK, result.err
    assert json.loads(result.out)["refund_amount"] == expected


@pytest.mark.parametrize("text", ["€120", "120 EUR"])
def test_check_refuses_another_currency(run: Run, text: str) -> None:
    bad(run("check", "--delivered", "2026-11-20", "--price", text), "--price", "USD")
    bad(run("refund", "--received", "2026-11-20", "--shipping", text), "--shipping", "USD")


def test_the_currency_symbol_is_policy_data(run: Run, tmp_path: Path, policy_text: str) -> None:
    edited = tmp_path / "policy.toml"
    text = policy_text.replace('currency = "USD"', 'currency = "EUR"')
    text = text.replace('currency_symbol = "$"', 'currency_symbol = "€"')
    edited.write_text(text, encoding="utf-8")
    result = run(
        "check",
        "--delivered",
        "2026-11-20",
        "--price",
        "€120",
        "--category",
        "rings",
        "--policy",
        str(edited),
        "--json",
    )
    assert result.code == ExitCode.OK, result.err
    assert json.loads(result.out)["refund_amount"] == "120.00"
    result = run("check", "--delivered", "2026-11-20", "--price", "$120", "--policy", str(edited))
    bad(result, "--price", "EUR (€)")


@pytest.mark.parametrize("symbol", ['"1"', '"$ "', '""', '"."'])
def test_policy_check_refuses_a_bad_currency_symbol(
    run: Run, tmp_path: Path, policy_text: str, symbol: str
) -> None:
    edited = tmp_path / "policy.toml"
    edited.write_text(policy_text.replace('currency_symbol = "$"', f"currency_symbol = {symbol}"))
    result = run("policy", "check", str(edited))
    assert result.code == ExitCode.BAD_INPUT
    assert "store.currency_symbol" in result.err


# --- where a value came from (issue 10 item 11) -----------------------------------------------


def test_delivered_after_a_defaulted_today_names_delivered_and_where_today_came_from(
    run: Run,
) -> None:
    result = run("check", "--delivered", "2026-11-30")
    bad(result, "--delivered", "is after today (2026-11-26, from MIGEMS_TODAY)")
    assert "'2026-11-30'" in result.err
    assert "'today'" not in result.err


def test_delivered_after_today_from_the_option(run: Run) -> None:
    result = run("check", "--delivered", "Nov 30 2026", "--today", "2026-11-20")
    bad(result, "--delivered", "is after today (2026-11-20, from --today)")
    assert "'Nov 30 2026'" in result.err


def test_delivered_after_today_from_the_clock(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIGEMS_TODAY")
    result = run("check", "--delivered", "9000-01-01")
    bad(result, "--delivered", "from the clock in America/New_York)")


def test_a_typed_requested_date_before_delivery_still_names_requested(run: Run) -> None:
    result = run(
        "check", "--delivered", "2026-11-20", "--requested", "today", "--today", "2026-11-10"
    )
    bad(result, "--requested", "is before the delivered date 2026-11-20")
    assert "(got 'today')" in result.err


# --- batch reaches the same parsers -------------------------------------------------------------


def _batch(run: Run, tmp_path: Path, rows: list[list[str]]) -> list[dict[str, str]]:
    source = tmp_path / "claims.csv"
    with source.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["claim_id", "delivered", "requested", "reason", "condition", "category", "price"]
        )
        writer.writerows(rows)
    result = run("batch", str(source), "--format", "csv")
    assert "Traceback" not in result.err
    return list(csv.DictReader(io.StringIO(result.out, newline="")))


def test_batch_accepts_the_friendlier_spellings(run: Run, tmp_path: Path) -> None:
    spelled = [
        ["A", "2026-11-20", "", "Changed Mind", "UNUSED", "rings", "$120"],
        ["B", "2026-11-20", "", "changed_mind", "Unused", "rings", "120 USD"],
        ["C", "2026-11-20", "", "CHANGED-MIND", "unused", "rings", "USD 120"],
        ["D", "2026-11-20", "", "changed mind", "unused", "rings", "120.00 usd"],
        ["E", "2026-11-20", "", "changed-mind", "unused", "rings", "120"],
        ["F", "2026-11-20", "", "Changed Mind", "unused", "rings", "$120"],  # a cached text again
    ]
    rows = _batch(run, tmp_path, spelled)
    assert [row["claim_id"] for row in rows] == list("ABCDEF")
    for row in rows:
        assert (row["decision"], row["refund_amount"], row["error"]) == ("eligible", "120.00", "")


def test_batch_refuses_what_check_refuses(run: Run, tmp_path: Path) -> None:
    rows = _batch(
        run,
        tmp_path,
        [
            ["A", "November 2026", "", "", "", "rings", ""],
            ["B", "2026-11-20", "", "broken", "", "rings", ""],
            ["C", "2026-11-20", "", "", "", "rings", "€120"],
            ["D", "2026-11-20", "", "", "", "rings", "-0"],
            ["E", "2026-11-20", "", "", "", "rings", digits(FULL_WIDTH, "120")],
            ["F", "2026-11-30", "", "", "", "rings", ""],
            ["G", "2026-11-20", "", "", "", "rings", "1,200"],
        ],
    )
    errors = {row["claim_id"]: row["error"] for row in rows}
    assert "delivered: add the day" in errors["A"]
    assert "reason: unknown reason" in errors["B"]
    assert "did you mean 'damaged'?" in errors["B"]
    assert "price: " in errors["C"]
    assert "USD" in errors["C"]
    assert "price: " in errors["D"]
    assert "minus" in errors["D"]
    assert "price: " in errors["E"]
    assert "0-9" in errors["E"]
    assert errors["F"].startswith("delivered: is after today (2026-11-26")
    assert "price: " in errors["G"]
    assert "comma" in errors["G"]


def test_parse_amount_without_a_policy_is_plain(policy: Policy) -> None:
    # batch's fast path caches parse_amount(cell, field): a marked amount goes to the slow path,
    # which reads it with the policy's currency
    with pytest.raises(InputError):
        parse_amount("$120", "price")
    assert parse_amount("$120", "price", policy) == Decimal("120.00")
    assert parse_amount("", "price", policy) is None


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["check", "--delivered", "November 2026"],
            "Error: --delivered: add the day, for example 'Nov 3 2026' (got 'November 2026')",
        ),
        (
            ["check", "--delivered", "2026-11-03", "--price", ""],
            "Error: --price: is empty; give a value or leave the option out (got '')",
        ),
        (
            ["check", "--delivered", "2026-11-20", "--reason", "broken"],
            "Error: --reason: unknown reason (did you mean 'damaged'?); known reasons: "
            "changed-mind, damaged, defective, wrong-item (got 'broken')",
        ),
    ],
)
def test_console_script(args: list[str], line: str) -> None:
    assert run_script(*args) == (ExitCode.BAD_INPUT, "", line + "\n")
