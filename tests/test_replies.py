"""Customer replies (`--reply`, issue 12): every situation from the bundled policy, refusals,
the last guard, the facts against the JSON, `policy check` of `[replies]`, and `batch --reply`."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from migems_cli.claims import parse_claim
from migems_cli.errors import ExitCode, InputError, PolicyError
from migems_cli.policy import Policy
from migems_cli.policy_load import parse_policy
from migems_cli.policy_replies import reply_texts
from migems_cli.replies import (
    WIDTH,
    Reply,
    ReplyRefused,
    Ticket,
    check_reply,
    people_amount,
    people_date,
)
from migems_cli.reply_situations import situation_family
from migems_cli.rules import evaluate
from tests.helpers import TODAY, Result, assert_bad_input, modules_after, on_terminal, run_script

TICKET = ("--customer", "Ada Lovelace", "--order", "MG-1042", "--agent", "Sam Rivera")
REAL_EMAIL = "help@migems.test"
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture(autouse=True)
def _no_agent_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusals name --agent: a MIGEMS_AGENT of the machine running the tests must not
    sign them."""
    monkeypatch.delenv("MIGEMS_AGENT", raising=False)


@pytest.fixture
def real_policy(tmp_path: Path, policy_text: str) -> str:
    """The bundled policy with a real support address (the bundled one is a placeholder)."""
    path = tmp_path / "real.toml"
    path.write_text(
        policy_text.replace('"support@migems.example"', f'"{REAL_EMAIL}"')
        .replace("support_email_is_placeholder = true", "support_email_is_placeholder = false")
        # the points the page leaves open, settled, so that an exchange can be accepted
        .replace('new_item_shipping_paid_by = "review"', 'new_item_shipping_paid_by = "customer"')
        .replace('price_difference = "review"', 'price_difference = "charge-or-refund"'),
        encoding="utf-8",
    )
    return str(path)


# One command per situation, with the exit status the command itself gives.
SITUATIONS: dict[str, tuple[tuple[str, ...], int]] = {
    "return-accepted": (("check", "--delivered", "2026-11-03", "--category", "rings", "--price", "120"), 0),
    "claim-accepted": (("check", "--delivered", "2026-11-24", "--reason", "damaged", "--photos", "--category", "earrings"), 0),
    "ineligible": (("check", "--delivered", "2026-11-20", "--category", "earrings"), 1),
    "exchange-refused": (("check", "--delivered", "2026-11-20", "--category", "ring", "--sale", "--want", "exchange"), 1),
    "exchange-accepted": (("check", "--delivered", "2026-11-20", "--category", "necklace", "--want", "exchange"), 0),
    "ring-exchange-accepted": (("check", "--delivered", "2026-11-20", "--category", "ring", "--want", "exchange", "--exchange-size", "17.3mm"), 0),
    "needs-photos": (("check", "--delivered", "2026-11-24", "--reason", "damaged"), 3),
    "escalated": (("check", "--delivered", "2026-11-10", "--reason", "defective", "--photos"), 3),
    "refund-pending": (("refund", "--received", "2026-11-23", "--price", "120"), 0),
    "refund-due": (("refund", "--received", "2026-11-16", "--price", "120"), 0),
    "refund-overdue": (("refund", "--received", "2026-11-06", "--price", "120"), 0),
    "shipping-estimate": (("deadlines", "--ordered", "2026-11-20"), 0),
    "return-deadlines": (("deadlines", "--delivered", "2026-11-19"), 0),
    "order-status": (("status", "shipped"), 0),
    "ring-size": (("ring-size", "--circumference", "54.4"), 0),
}  # fmt: skip


def assert_plain_reply(text: str) -> None:
    """A reply as pasted: `Subject:`, a blank line, lines of at most 72 columns, no trailing
    spaces, no escape codes, nothing a reply must never hold."""
    lines = text.splitlines()
    assert lines[0].startswith("Subject: ")
    assert lines[1] == ""
    assert all(len(line) <= WIDTH for line in lines[2:]), text
    assert all(line == line.rstrip() for line in lines), text
    assert "\x1b" not in text
    assert "{" not in text
    assert "}" not in text
    assert not ISO.search(text)
    assert "support@migems.example" not in text


def test_every_situation_has_a_command_here() -> None:
    assert set(SITUATIONS) == set(situation_family())


def test_every_situation_from_the_bundled_policy(run, real_policy, golden) -> None:
    shown = []
    for situation, (args, code) in SITUATIONS.items():
        settled = {"refund-overdue", "exchange-accepted", "ring-exchange-accepted"}
        policy = ("--policy", real_policy) if situation in settled else ()
        done = run(*args, "--reply", *TICKET, *policy)
        assert (done.code, done.err) == (code, ""), (situation, done)
        assert_plain_reply(done.out)
        as_json = run(*args, "--reply", "--json", *TICKET, *policy)
        reply = json.loads(as_json.out)["reply"]
        assert reply["situation"] == situation
        assert done.out == f"Subject: {reply['subject']}\n\n{reply['body']}\n"
        shown.append(f"=== {situation}: migems {' '.join(args)} --reply\n{done.out}")
    golden("replies.txt", "\n".join(shown))


def test_the_reply_is_plain_on_a_terminal_too(tmp_path) -> None:
    args = SITUATIONS["ineligible"][0]
    code, shown = on_terminal(
        [sys.executable, "-m", "migems_cli", *args, "--reply", *TICKET],
        env={"MIGEMS_TODAY": TODAY.isoformat(), "COLUMNS": "40", "FORCE_COLOR": "1"},
    )
    text = shown.decode().replace("\r\n", "\n")
    assert code == ExitCode.INELIGIBLE
    assert_plain_reply(text)
    assert "- Earrings are non-returnable" in text


def test_the_console_script_writes_the_reply_and_keeps_the_exit_status() -> None:
    done = run_script(*SITUATIONS["needs-photos"][0], "--reply", *TICKET)
    assert done.code == ExitCode.REVIEW
    assert done.err == ""
    assert done.out.startswith("Subject: Photos needed for your claim on order MG-1042\n\n")
    assert "Dear Ada Lovelace,\n" in done.out
    assert done.out.endswith("Sam Rivera\nMIGEMS Customer Service\n")
    refused = run_script(
        "check",
        "--delivered",
        "2026-11-20",
        "--category",
        "earrings",
        "--reply",
        env={"MIGEMS_AGENT": ""},  # empty: not set
    )
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == "Error: the reply needs --customer, --order and --agent\n"


def test_the_agent_may_come_from_the_environment(run) -> None:
    args = SITUATIONS["ineligible"][0]
    done = run(*args, "--reply", "--customer", "Ada", "--order", "7", env={"MIGEMS_AGENT": "Kim"})
    assert done.code == 1
    assert "\nKim\nMIGEMS Customer Service\n" in done.out


# --- refusals: exit 2, one line naming every missing option ---------------------------------

REFUSALS = [
    (("check", "--delivered", "2026-11-20", "--category", "earrings", "--reply"), "the reply needs --customer, --order and --agent"),
    (("check", "--delivered", "2026-11-20", "--category", "earrings", "--reply", "--agent", "S"), "the reply needs --customer and --order"),
    (("check", "--delivered", "2026-11-20", "--category", "rings", "--reply", *TICKET), "the reply needs --price"),
    (("check", "--delivered", "2026-11-20", "--reply", *TICKET), "the reply needs --category"),
    (("check", "--delivered", "2026-11-20", "--reply", "--customer", "A", "--agent", "S"), "the reply needs --order and --category"),
    (("check", "--delivered", "2026-11-20", "--category", "rings", "--reply", "--customer", "A", "--agent", "S"), "the reply needs --order and --price"),
    (("refund", "--received", "2026-11-16", "--reply", *TICKET), "the reply needs --price"),
    (("status", "--reply", *TICKET), "the reply needs a status NAME"),
    (("status", "shipped", "--reply", "--customer", "A"), "the reply needs --order and --agent"),
    (("ring-size", "--reply", "--customer", "A", "--agent", "S"), "the reply needs a size or a measurement"),
    (("ring-size", "--eu", "54", "--reply", "--agent", "S"), "the reply needs --customer"),
    (("deadlines", "--ordered", "2026-11-20", "--reply", "--customer", "A", "--agent", "S"), "the reply needs --order"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "line"), REFUSALS)
@pytest.mark.parametrize("as_json", [False, True])
def test_a_reply_missing_a_value_is_refused_naming_every_option(run, args, line, as_json) -> None:
    done = run(*args, *(("--json",) if as_json else ()))
    assert_bad_input(*done, line)
    assert done.err.startswith(f"Error: {line}")
    if not as_json:
        assert done.out == ""


@pytest.mark.parametrize(
    ("old", "new", "args", "line"),
    [
        (
            '"Thank you for contacting us about order {order}, delivered on {delivered}."',
            '"Delivered on {delivered}; it shipped by {ships_by}."',
            ("deadlines", "--delivered", "2026-11-19"),
            "the reply needs --ordered",
        ),
        (
            '"We will send you the return instructions as soon as the supplier confirms them."',
            '"We will send you the return instructions for your {category}."',
            ("check", "--delivered", "2026-11-24", "--reason", "wrong-item"),
            "the reply needs --category",
        ),
    ],
)
def test_a_template_names_the_values_it_needs(run, policy_text, tmp_path, old, new, args, line):
    """A store that adds a placeholder to a template makes the reply need its value: the reply
    is refused without it, never written with a blank."""
    path = tmp_path / "p.toml"
    assert old in policy_text
    path.write_text(policy_text.replace(old, new))
    done = run(*args, "--reply", *TICKET, "--policy", str(path))
    assert_bad_input(*done, line)
    assert done.err == f"Error: {line}\n"
    option = line.rsplit(" ", 1)[1]
    given = {"--ordered": "2026-11-13", "--category": "rings"}[option]
    done = run(*args, option, given, "--reply", *TICKET, "--policy", str(path))
    assert done.code == 0
    assert {
        "--ordered": "it shipped by Thursday, November 19, 2026.",
        "--category": "for your rings.",
    }[option] in " ".join(done.out.split())


def test_a_reply_that_would_show_the_placeholder_address_is_refused(run) -> None:
    done = run(*SITUATIONS["refund-overdue"][0], "--reply", *TICKET)
    assert_bad_input(*done, "placeholder support address support@migems.example")
    assert "set support_email to the real address" in done.err
    assert "support_email_is_placeholder = false" in done.err


def test_without_reply_the_placeholder_is_shown_with_a_warning_as_before(run) -> None:
    done = run(*SITUATIONS["refund-overdue"][0], "--json", *TICKET)
    assert done.code == 0
    assert "placeholder" in json.loads(done.out)["warnings"][0]


@pytest.mark.parametrize(
    ("option", "value", "why"),
    [
        ("--customer", "{order}", "a brace"),
        ("--customer", "Ada}", "a brace"),
        ("--customer", "Ada\x1b[2J", "a control character (U+001B)"),
        ("--customer", "Ada\u202eecilA", "a control character (U+202E)"),
        ("--order", "MG\n1042", "a control character (U+000A)"),
        ("--agent", "x" * 201, "longer than 200 characters"),
    ],
)
def test_a_hostile_ticket_value_is_refused_naming_its_option(run, option, value, why) -> None:
    ticket = dict(zip(TICKET[::2], TICKET[1::2], strict=True))
    ticket[option] = value
    args = [item for pair in ticket.items() for item in pair]
    done = run(*SITUATIONS["ineligible"][0], "--reply", *args)
    assert_bad_input(*done, option)
    assert f"cannot go in a reply: it holds {why}" in done.err or why in done.err
    assert "\x1b" not in done.err
    assert "\u202e" not in done.err


def test_the_last_guard_refuses_an_iso_date_or_a_brace_that_got_in(
    run, policy, policy_text, tmp_path
):
    done = run(
        *SITUATIONS["ineligible"][0], "--reply", *TICKET[:2], "--order", "2026-11-03", *TICKET[4:]
    )
    assert_bad_input(*done, "would hold an ISO date (2026-11-03)")
    braced = tmp_path / "braced.toml"
    braced.write_text(
        policy_text.replace('greeting = "Dear {customer},"', 'greeting = "Dear {{customer}},"')
    )
    done = run(*SITUATIONS["ineligible"][0], "--reply", *TICKET, "--policy", str(braced))
    # the template's own brace is now named by the policy check, before any reply is written
    assert_bad_input(*done, "replies.greeting: a reply never shows a brace")
    # the last guard still refuses a brace, whatever brought it in
    from migems_cli.replies import Reply, ReplyRefused, guard

    with pytest.raises(ReplyRefused, match="would hold a brace"):
        guard(policy, Reply("ineligible", "Order {x}", "Dear Ada,"))


def test_an_amount_without_its_currency_is_refused(run, policy_text, tmp_path) -> None:
    bare = tmp_path / "bare.toml"
    bare.write_text(
        policy_text.replace(
            '"Please allow a few business days for the refund to reflect in your account.",',
            '"Please allow a few business days; the fee is 5.00.",',
        )
    )
    done = run(*SITUATIONS["refund-due"][0], "--reply", *TICKET, "--policy", str(bare))
    assert_bad_input(*done, "an amount without its currency (5.00)")


def test_amounts_carry_the_symbol_else_the_code(policy) -> None:
    assert people_amount(policy, Decimal("120")) == "$120.00"
    plain = policy._replace(store=policy.store._replace(currency_symbol=""))
    assert people_amount(plain, Decimal("0.5")) == "0.50 USD"


# --- the facts: the reply says what the JSON says --------------------------------------------

_DAYS = st.integers(min_value=0, max_value=45)
_CLAIMS = st.fixed_dictionaries(
    {
        "reason": st.sampled_from(["changed-mind", "damaged", "defective", "wrong-item"]),
        "category": st.sampled_from([None, "rings", "earrings", "necklaces"]),
        "custom": st.booleans(),
        "sale": st.booleans(),
        "condition": st.sampled_from(["unused", "worn", "used"]),
        "packaging": st.booleans(),
        "photos": st.booleans(),
        "price": st.sampled_from([None, "120", "0.5", "1999.99"]),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=_CLAIMS,
    day=_DAYS,
    customer=st.one_of(
        st.sampled_from(["Ada Lovelace", "Zoë O'Brien-Núñez"]), st.text(max_size=30)
    ),
)
@example(  # the last guard refuses a name that holds an amount or an ISO date
    values={
        "reason": "changed-mind",
        "category": "rings",
        "custom": False,
        "sale": False,
        "condition": "unused",
        "packaging": False,
        "photos": False,
        "price": None,
    },
    day=0,
    customer="0.00",
).via("a name the last guard refuses")
def test_no_reply_holds_a_brace_a_placeholder_or_an_iso_date(values, day, customer) -> None:
    from tests.helpers import shared_policy

    policy = shared_policy()
    delivered = TODAY - timedelta(days=day)
    claim = parse_claim(policy, {**values, "delivered": delivered.isoformat()}, TODAY)
    verdict = evaluate(policy, claim)
    outcome: Reply | ReplyRefused | InputError
    try:
        outcome = check_reply(policy, verdict, Ticket(customer, "MG-1", "Sam"))
    except (ReplyRefused, InputError) as exc:
        outcome = exc
    if isinstance(outcome, ReplyRefused):  # a missing value: never a blank reply
        guarded = re.search(
            r"would hold an? (?:ISO date|amount without its currency) \((.+?)\)", str(outcome)
        )
        if guarded and not outcome.missing:  # the last guard: the name brought it in
            assert guarded.group(1) in customer
            return
        blank = {"customer"} if not customer.strip() else set()
        assert outcome.missing
        assert set(outcome.missing) <= {"category", "price"} | blank
        assert blank or values["category"] is None or values["price"] is None
        return
    if isinstance(outcome, InputError):  # a hostile name: refused, naming it
        assert outcome.field == "customer"
        return
    reply = outcome
    text = reply.text()
    assert_plain_reply(text)
    assert_facts(policy, verdict.to_dict(), reply.situation, reply.body)


def assert_facts(policy: Policy, data: dict, situation: str, body: str) -> None:
    """The dates, amount and payer the reply states are the JSON result's."""
    flat = " ".join(body.split())
    payer = data["return_shipping_paid_by"]
    if situation in ("return-accepted", "claim-accepted"):
        assert reply_texts(policy).return_shipping[payer] in flat
        requested = date.fromisoformat(data["claim"]["requested"])
        assert people_date(requested) in flat
    if situation == "return-accepted":
        assert payer == "customer"
        assert people_date(date.fromisoformat(data["deadlines"]["return_by"])) in flat
        assert people_amount(policy, Decimal(data["refund_amount"])) in flat
    if situation == "claim-accepted":
        assert payer == "store"
    if situation == "ineligible":
        failed = [r for r in data["rules"] if r["outcome"] == "fail"]
        assert body.count("\n- ") == len(failed) > 0  # one sentence a failed rule
        if any(r["id"] == "return-window" for r in failed):
            assert people_date(date.fromisoformat(data["deadlines"]["return_by"])) in flat
    # every amount the reply states (after the greeting, which holds the customer's name) is
    # the JSON's refund amount
    stated = re.findall(r"\$([0-9]+\.[0-9]{2})", body.split("\n\n", 1)[1])
    assert all(amount == data["refund_amount"] for amount in stated), (stated, data)


@pytest.mark.parametrize("situation", ["return-accepted", "claim-accepted", "ineligible"])
def test_the_json_reply_states_the_json_facts(run, policy, situation) -> None:
    args = SITUATIONS[situation][0]
    done = run(*args, "--reply", "--json", *TICKET)
    data = json.loads(done.out)
    assert data["reply"]["situation"] == situation
    assert_facts(policy, data, situation, data["reply"]["body"])


def test_refund_replies_state_the_json_dates_and_amount(run, real_policy, policy) -> None:
    for situation in ("refund-pending", "refund-due", "refund-overdue"):
        done = run(*SITUATIONS[situation][0], "--reply", "--json", *TICKET, "--policy", real_policy)
        data = json.loads(done.out)
        body = " ".join(data["reply"]["body"].split())
        assert data["state"] == situation.removeprefix("refund-")
        assert people_date(date.fromisoformat(data["expected_by"])) in body
        assert people_date(date.fromisoformat(data["received"])) in body
        assert f"${data['refund_amount']}" in body
    steps = data["reply"]["body"].split("\n\n")[3]
    assert [line[:3] for line in steps.splitlines() if line[0].isdigit()] == [
        "1. ",
        "2. ",
        "3. ",
        "4. ",
    ]
    assert REAL_EMAIL in steps


def test_deadline_replies_state_the_json_dates(run) -> None:
    done = run(*SITUATIONS["shipping-estimate"][0], "--reply", "--json", *TICKET)
    data = json.loads(done.out)
    body = " ".join(data["reply"]["body"].split())
    for deadline in data["deadlines"]:
        assert people_date(date.fromisoformat(deadline["date"])) in body


def test_ring_size_reply_names_the_json_match(run) -> None:
    done = run("ring-size", "--circumference", "55", "--reply", "--json", *TICKET)
    data = json.loads(done.out)
    assert data["match"]["us"] == 7.25
    assert "the size to order is US/CA 7¼;" in " ".join(data["reply"]["body"].split())


def test_a_date_is_never_split_across_lines(run, real_policy) -> None:
    """Every day of a year in the widest template: no line ends in 'December 1,' with the year
    on the next line, and no no-break space is left in the reply."""
    month_day = re.compile(r"(January|February|March|April|May|June|July|August|September"
                           r"|October|November|December)( \d{1,2},?)?$")  # fmt: skip
    for offset in range(0, 366, 7):
        delivered = (date(2026, 1, 1) + timedelta(days=offset)).isoformat()
        result = run(
            "deadlines", "--delivered", delivered, "--today", delivered, "--policy", real_policy,
            "--reply", *TICKET,
        )  # fmt: skip
        assert result.code == 0, result.stderr
        assert "\u00a0" not in result.out
        for line in result.out.splitlines():
            assert not month_day.search(line), line


def test_people_dates_are_english_whatever_the_locale() -> None:
    assert people_date(date(2026, 12, 3)) == "Thursday, December 3, 2026"
    assert people_date(date(2027, 1, 1)) == "Friday, January 1, 2027"


# --- start-up: commands without --reply never import it --------------------------------------


def test_commands_without_reply_do_not_import_the_reply_modules() -> None:
    watched = ("migems_cli.replies", "migems_cli.render.reply_out", "rich")
    plain = modules_after(["status", "processing", "--json"], watched)
    assert plain.code == 0
    assert plain.modules == []
    replied = modules_after(["status", "processing", "--reply", *TICKET], watched)
    assert replied.code == 0
    assert replied.modules == ["migems_cli.render.reply_out", "migems_cli.replies"]


# --- policy check validates [replies] ---------------------------------------------------------


def _invalid(policy_text: str, *edits: tuple[str, str]) -> list[str]:
    text = policy_text
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    try:
        parse_policy(text, "p.toml", replies=True)
    except Exception as exc:  # PolicyError
        return list(getattr(exc, "problems", []))
    return []


def _line(policy_text: str, needle: str) -> int:
    return policy_text[: policy_text.index(needle)].count("\n") + 1


def test_policy_check_names_an_unknown_placeholder_with_its_line(policy_text) -> None:
    old = 'subject = "Your ring size"'
    problems = _invalid(policy_text, (old, 'subject = "Your ring size for {amount}"'))
    assert problems == [
        f"p.toml:{_line(policy_text, old)}: replies.ring-size.subject: unknown placeholder {{amount}}"
    ]


def test_policy_check_knows_which_placeholders_each_situation_has(policy_text) -> None:
    old = '"Please keep the item and its original packaging until then."'
    problems = _invalid(policy_text, (old, '"Please send it by {expected_by}."'))
    assert problems == [
        f"p.toml:{_line(policy_text, old)}: replies.escalated.body[1]: unknown placeholder {{expected_by}}"
    ]
    # the same placeholder is known to a refund's reply
    assert (
        _invalid(policy_text, ('"{late_steps}",', '"{late_steps}",\n    "By {expected_by}.",'))
        == []
    )


def test_policy_check_wants_a_template_for_every_situation(policy_text) -> None:
    problems = _invalid(policy_text, ("[replies.escalated]", "[replies.escalated-typo]"))
    line = _line(policy_text, "[replies]\n")
    assert f"p.toml:{line}: replies.escalated: missing key" in problems
    assert any("replies.escalated-typo: unknown key" in p for p in problems)


def test_policy_check_wants_a_list_placeholder_alone(policy_text) -> None:
    problems = _invalid(policy_text, ('"{reasons}",', '"Because: {reasons}",'))
    assert len(problems) == 1
    assert problems[0].endswith(
        "replies.ineligible.body[1]: {reasons} is a list: it must be a paragraph of its own"
    )


def test_policy_check_wants_a_customer_sentence_for_every_rule_that_can_fail(policy_text) -> None:
    old = 'customer_fail = "Only regular-priced'
    problems = _invalid(policy_text, (old, '# customer_fail = "Only regular-priced'))
    assert problems == [
        f"p.toml:{_line(policy_text, '[rules.sale]')}: rules.sale.customer_fail: missing key"
    ]
    # a rule that cannot fail (photos) has none, and may not invent one
    extra = _invalid(
        policy_text, ('review = "No photos yet."', 'review = "No photos yet."\ncustomer_fail = "x"')
    )
    assert len(extra) == 1
    assert "rules.photos.customer_fail: unknown key" in extra[0]


def test_policy_check_cli_lists_reply_errors_as_file_line_key_message(run, policy_text, tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(policy_text.replace('subject = "Your ring size"', 'subject = "Size {x}"'))
    done = run("policy", "check", str(path))
    assert done.code == 2
    line = _line(policy_text, 'subject = "Your ring size"')
    expected = f"p.toml:{line}: replies.ring-size.subject: unknown placeholder {{x}}"
    assert expected in done.out + done.err


# --- batch --reply ------------------------------------------------------------------------------

BATCH = (
    "claim_id,order_id,customer,agent,delivered,category,reason,photos,price,note\n"
    "A1,MG-1,Ada Lovelace,,2026-11-03,rings,,,120,keep\n"
    "A2,MG-2,Bob,Kim,2026-11-20,earrings,,,,\n"
    "A3,,Cy,,2026-11-24,,damaged,no,,\n"
    "A4,MG-4,=cmd(),,2026-11-24,,damaged,yes,,\n"
    "A5,MG-5,Dee,,2026-02-30,rings,,,,\n"
    "A6,MG-6,{x},,2026-11-24,,damaged,yes,,\n"
)


def _batch(run: Callable[..., Result], tmp_path: Path, *args: str) -> Result:
    path = tmp_path / "claims.csv"
    path.write_text(BATCH, encoding="utf-8")
    return run("batch", str(path), "--reply", *args, env={"MIGEMS_AGENT": "Sam"})


def test_batch_reply_columns_come_just_before_error(run, tmp_path) -> None:
    done = _batch(run, tmp_path, "--format", "csv")
    assert done.code == 1
    rows = list(csv.DictReader(io.StringIO(done.out)))
    header = next(csv.reader(io.StringIO(done.out)))
    assert header[-5:] == ["review_rules", "policy", "reply_subject", "reply_body", "error"]
    assert [row["decision"] for row in rows] == [
        "eligible",
        "ineligible",
        "review",
        "eligible",
        "",
        "eligible",
    ]
    first, second, third, fourth, fifth, sixth = rows
    assert first["reply_subject"] == "Your return request for order MG-1"
    assert first["error"] == ""
    assert first["reply_body"].startswith("Dear Ada Lovelace,\n")
    assert "\nSam\n" in first["reply_body"]
    assert "\nKim\n" in second["reply_body"]  # the row's agent before --agent / MIGEMS_AGENT
    # a row whose reply cannot be written keeps its verdict and names the missing column
    assert third["decision"] == "review"
    assert third["review_rules"] == "photos"
    assert (third["reply_body"], third["error"]) == ("", "the reply needs the column order_id")
    assert fourth["reply_body"].startswith("Dear =cmd(),")  # inside a cell: not a formula
    assert fifth["error"].startswith("delivered: not a real date")
    assert fifth["reply_body"] == ""
    assert sixth["decision"] == "eligible"
    assert sixth["error"].startswith("customer: cannot go in a reply")
    assert None not in rows[0]  # the extra column `note` is an input column: kept in place
    assert "6 rows" in done.err
    assert "3 errors (lines 4, 6, 7)" in done.err


def test_batch_reply_csv_neutralises_formulas_in_replies(run, tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "order_id,customer,agent,delivered,category\n=1+1,-Ann,@me,2026-11-20,earrings\n"
    )
    done = run("batch", str(path), "--reply", "--format", "csv")
    row = next(csv.DictReader(io.StringIO(done.out)))
    assert row["order_id"] == "'=1+1"
    assert row["customer"] == "'-Ann"
    assert row["reply_subject"] == "Your return request for order =1+1"  # not at a cell start


def test_batch_reply_jsonl(run, tmp_path) -> None:
    done = _batch(run, tmp_path, "--json")
    records = [json.loads(line) for line in done.out.splitlines()]
    assert len(records) == 6
    assert done.code == 1
    assert list(records[0])[-3:] == ["reply_subject", "reply_body", "error"]
    assert records[0]["reply_subject"] == "Your return request for order MG-1"
    assert records[0]["error"] is None
    assert records[2]["reply_body"] is None
    assert records[2]["error"] == "the reply needs the column order_id"


def test_batch_reply_without_an_agent_names_the_column_and_the_option(run, tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("order_id,customer,delivered,category\n1,Ann,2026-11-20,earrings\n")
    done = run("batch", str(path), "--reply", "--format", "csv")
    row = next(csv.DictReader(io.StringIO(done.out)))
    assert row["error"] == "the reply needs the column agent (or --agent)"
    assert done.code == 1
    done = run("batch", str(path), "--reply", "--format", "csv", "--agent", "Lee")
    assert done.code == 0
    assert "\nLee\n" in next(csv.DictReader(io.StringIO(done.out)))["reply_body"]


def test_batch_reply_refuses_a_table(run, tmp_path) -> None:
    done = _batch(run, tmp_path, "--format", "table")
    assert_bad_input(*done, "--reply writes csv or jsonl")


def test_batch_without_reply_is_unchanged(run, tmp_path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(BATCH, encoding="utf-8")
    done = run("batch", str(path), "--format", "csv")
    header = next(csv.reader(io.StringIO(done.out)))
    assert "reply_body" not in header
    assert header[-1] == "error"


def test_a_broken_template_refuses_replies_but_not_the_answers(run, policy_text, tmp_path):
    """`[replies]` is read only by `policy check` and `--reply`: other commands pay nothing for
    it, and a broken template cannot change an answer."""
    path = tmp_path / "p.toml"
    path.write_text(policy_text.replace('subject = "Your ring size"', 'subject = "Size {x}"'))
    args = (*SITUATIONS["ineligible"][0], "--policy", str(path))
    assert run(*args).code == ExitCode.INELIGIBLE
    refused = run(*args, "--reply", *TICKET)
    assert_bad_input(*refused, "invalid policy: ")
    assert "replies.ring-size.subject: unknown placeholder {x}" in refused.err
    assert run("policy", "check", str(path)).code == ExitCode.BAD_INPUT


def test_the_reply_section_is_checked_only_when_asked(policy_text) -> None:
    broken = policy_text.replace('subject = "Your ring size"', 'subject = "Size {x}"')
    loaded = parse_policy(broken, "p.toml")  # a command without --reply
    assert loaded.replies["ring-size"]["subject"] == "Size {x}"  # kept as read
    with pytest.raises(PolicyError) as raised:
        reply_texts(loaded)
    line = _line(policy_text, 'subject = "Your ring size"')
    assert raised.value.problems == [
        f"p.toml:{line}: replies.ring-size.subject: unknown placeholder {{x}}"
    ]


def test_each_command_provides_exactly_the_placeholders_policy_check_allows(policy) -> None:
    """`reply_situations.PROVIDED` (what `policy check` allows) is what the values give."""
    from migems_cli.business_days import business_calendar
    from migems_cli.replies import (
        _common,
        check_values,
        deadline_dates,
        deadline_values,
        refund_values,
        ring_values,
        status_values,
    )
    from migems_cli.reply_situations import COMMON, PROVIDED
    from migems_cli.ring_sizes import build_chart, measure
    from migems_cli.schedule import order_deadlines, refund_schedule
    from migems_cli.statuses import status_info

    calendar = business_calendar(policy)
    claim = parse_claim(policy, {"delivered": "2026-11-03"}, TODAY)
    report = order_deadlines(policy, calendar, TODAY, TODAY, "US", TODAY)
    rings = policy.ring_sizes
    given = {
        "check": check_values(policy, evaluate(policy, claim)),
        "refund": refund_values(policy, refund_schedule(policy, calendar, TODAY, TODAY)),
        "deadlines": {**deadline_values(policy, report), **deadline_dates(TODAY, TODAY)},
        "status": status_values(status_info(policy, "shipped")),
        "ring-size": ring_values(policy, measure(build_chart(rings), rings, "diameter", "17")),
    }
    assert set(_common(policy, Ticket("A", "1", "S"))) == COMMON
    for family, values in given.items():
        assert set(values) | COMMON == PROVIDED[family], family


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('closing = ["Kind regards,", "{agent}", "{store} Customer Service"]', "closing = []", "replies.closing: must not be empty"),
        ('closing = ["Kind regards,", "{agent}", "{store} Customer Service"]', 'closing = ["{order} {amount}"]', "replies.closing[0]: unknown placeholder {amount}"),
        ('subject = "Your ring size"\nbody = [', 'subject = "Your ring size"\nbody = []\nx = [', "replies.ring-size.body: must not be empty"),
        ('"A few tips for measuring:",', '" ",', "replies.ring-size.body[1]: must not be empty"),
        ('store = "We cover the return shipping', 'shop = "We cover the return shipping', "replies.return_shipping.store: missing key"),
    ],
)  # fmt: skip
def test_policy_check_names_each_broken_part_of_replies(policy_text, old, new, problem) -> None:
    problems = _invalid(policy_text, (old, new))
    assert any(p.endswith(problem) for p in problems), problems


def test_policy_check_wants_replies_to_be_a_table(policy_text) -> None:
    start = policy_text.index("# Customer replies (`--reply`")
    text = policy_text[:start].replace('version = "1"\n', 'version = "1"\nreplies = 3\n')
    problems = _invalid(text)
    assert len(problems) == 1
    assert problems[0].endswith(": replies: must be a table, not an integer")
