"""Refund or exchange (issue 17): `check --want`, `--exchange-size`, batch's `want` and
`exchange_size` columns, and the [exchange] section of the policy."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migems_cli.claims import parse_claim
from migems_cli.errors import ExitCode, InputError, PolicyError
from migems_cli.exchange import parse_exchange_size
from migems_cli.policy import Policy
from migems_cli.policy_load import parse_policy
from migems_cli.ring_sizes import build_chart, lookup, measure
from migems_cli.rules import evaluate, judge
from tests.helpers import assert_bad_input, modules_after, run_script, shared_policy

POLICY = shared_policy()
DELIVERED = date(2026, 10, 1)
DAYS = (0, 7, 8, 30, 31)
REASONS = ("changed-mind", "damaged", "defective", "wrong-item")
CATEGORIES = ("rings", "earrings", "necklace", "")
CONDITIONS = ("unused", "worn")
SIZE_KEYS = {"us", "uk", "eu", "jp", "ch", "de", "diameter_mm", "circumference_mm"}


def _variant(text: str, **values: str) -> Policy:
    """The bundled policy with [exchange] values replaced (TOML literals)."""
    for key, value in values.items():
        start = text.index(f"\n{key} = ", text.index("\n[exchange]"))
        end = text.index("\n]" if text[start:].startswith(f"\n{key} = [\n") else "\n", start + 1)
        end += 2 if text[end : end + 2] == "\n]" else 0
        text = text[:start] + f"\n{key} = {value}" + text[end:]
    return parse_policy(text)


@pytest.fixture(scope="module")
def policies(policy_text: str) -> dict[str, Policy]:
    return {
        "bundled": shared_policy(),
        "store-ships": _variant(policy_text, new_item_shipping_paid_by='"store"'),
        "settled": _variant(
            policy_text,
            new_item_shipping_paid_by='"customer"',
            price_difference='"charge-or-refund"',
        ),
        "no-size-price": _variant(
            policy_text, new_item_shipping_paid_by='"store"', sizes_same_price="false"
        ),
        "no-exchanges": _variant(policy_text, allowed="false"),
    }


def spec(
    name: str,
    want: str,
    sized: bool,
    reason: str,
    day: int,
    category: str,
    custom: bool,
    sale: bool,
    condition: str,
    packaging: bool,
    photos: bool,
) -> str:
    """The decision the SPEC and issue 17 give, written out independently of the rules."""
    if reason != "changed-mind":  # an exchange changes nothing for a damaged or wrong item
        if day > 30:
            return "ineligible"
        needs_photos = reason in ("damaged", "defective")
        return "review" if day >= 8 or (needs_photos and not photos) or sale else "eligible"
    refused = name == "no-exchanges" and want == "exchange"
    ok = (
        day <= 30
        and condition == "unused"
        and packaging
        and category != "earrings"
        and not custom
        and not sale  # "Only regular priced items can be returned": an exchange too
    )
    if not ok or refused:
        return "ineligible"
    open_points = category == ""  # is it a pair of earrings?
    if want == "exchange":
        shipping_open = name in ("bundled", "no-exchanges")
        price_open = name != "settled" and (not sized or name == "no-size-price")
        open_points = open_points or shipping_open or price_open
    return "review" if open_points else "eligible"


def test_every_rule_with_each_want_and_each_setting(policies: dict[str, Policy]) -> None:
    combos = itertools.product(
        policies,
        ("refund", "exchange"),
        (False, True),
        REASONS,
        DAYS,
        CATEGORIES,
        (False, True),
        (False, True),
        CONDITIONS,
        (True, False),
        (False, True),
    )
    mismatches = []
    count = 0
    for name, want, sized, reason, day, category, custom, sale, cond, packaging, photos in combos:
        if sized and (want != "exchange" or category not in ("rings", "")):
            continue  # a size belongs to an exchange of a ring (refused: see the tests below)
        policy = policies[name]
        claim = parse_claim(
            policy,
            {
                "delivered": DELIVERED.isoformat(),
                "requested": (DELIVERED + timedelta(days=day)).isoformat(),
                "reason": reason,
                "category": category,
                "custom": custom,
                "sale": sale,
                "condition": cond,
                "packaging": packaging,
                "photos": photos,
                "price": "100",
                "want": want,
                "exchange_size": "US 7" if sized else "",
            },
            date(2026, 12, 31),
        )
        got = judge(policy, claim)
        count += 1
        expected = spec(
            name, want, sized, reason, day, category, custom, sale, cond, packaging, photos
        )
        if got.decision != expected:
            mismatches.append((name, want, sized, reason, day, category, custom, sale, cond))
            continue
        defect = reason != "changed-mind"
        exchanged = want == "exchange" and not defect and name != "no-exchanges"
        remedy = "replacement-or-refund" if defect else "exchange" if exchanged else "refund"
        assert got.remedy == ("none" if expected == "ineligible" else remedy)
        refund = expected == "eligible" and not exchanged
        assert got.refund_amount == (Decimal("100.00") if refund else None)
        ids = [r.id for r in got.rules]
        if want == "refund":
            assert not any(i.startswith("exchange") for i in ids)
        elif defect or name == "no-exchanges":
            assert ids[-1] == "exchange"
        else:
            assert ids[-3:] == ["exchange", "exchange-shipping", "exchange-price"]
        assert bool(got.failed_rules) == (expected == "ineligible")
    assert count > 10_000
    assert mismatches == []


def test_an_eligible_exchange_has_no_refund_and_the_exchange_steps(
    policies: dict[str, Policy],
) -> None:
    policy = policies["store-ships"]
    claim = parse_claim(
        policy,
        {
            "delivered": "2026-11-20",
            "category": "ring",
            "price": "120",
            "want": "exchange",
            "exchange_size": "UK P",
        },
        date(2026, 11, 26),
    )
    verdict = evaluate(policy, claim)
    assert (verdict.decision, verdict.remedy, verdict.refund_amount) == (
        "eligible",
        "exchange",
        None,
    )
    assert verdict.next_steps == (
        *policy.exchange.next_steps,
        "Order the new ring in size US/CA 7¾, and pass on the measuring advice.",
    )
    assert not any("refund of" in step for step in verdict.next_steps)
    rules = {r.id: r for r in verdict.rules}
    assert rules["exchange-shipping"].detail.startswith("The store pays to ship the new item")
    assert rules["exchange-price"].detail.startswith("Another size of the same item")


def test_an_exchange_for_another_item_is_reviewed_on_its_price(
    policies: dict[str, Policy],
) -> None:
    policy = policies["store-ships"]
    claim = parse_claim(
        policy,
        {"delivered": "2026-11-20", "category": "necklace", "want": "exchange"},
        date(2026, 11, 26),
    )
    verdict = evaluate(policy, claim)
    assert verdict.decision == "review"
    price = next(r for r in verdict.rules if r.id == "exchange-price")
    assert price.outcome == "review"
    assert "does not say what happens if it costs more or less" in price.detail
    assert verdict.next_steps == (policy.rules["exchange-price"].text("review_step"),)


def test_a_sale_item_exchange_is_refused_by_the_sale_rule(run) -> None:
    result = run(
        "check",
        "--delivered",
        "2026-11-20",
        "--category",
        "ring",
        "--sale",
        "--want",
        "exchange",
        "--exchange-size",
        "US 7",
        "--json",
    )
    assert result.code == ExitCode.INELIGIBLE
    doc = json.loads(result.out)
    assert (doc["decision"], doc["remedy"], doc["refund_amount"]) == ("ineligible", "none", None)
    sale = next(r for r in doc["rules"] if r["id"] == "sale")
    assert sale == {
        "id": "sale",
        "outcome": "fail",
        "detail": "Sale items cannot be returned or refunded.",
    }
    assert (
        doc["next_steps"][0]
        == "Explain that only regular-priced items can be returned or refunded."
    )
    assert doc["exchange"]["size"]["us"] == 7


def test_a_damaged_item_keeps_replacement_or_refund(run) -> None:
    result = run(
        "check",
        "--delivered",
        "2026-11-20",
        "--reason",
        "wrong-item",
        "--want",
        "exchange",
        "--category",
        "ring",
        "--exchange-size",
        "eu 56",
        "--json",
    )
    assert result.code == ExitCode.OK
    doc = json.loads(result.out)
    assert doc["remedy"] == "replacement-or-refund"
    assert doc["rules"][-1]["id"] == "exchange"
    assert doc["rules"][-1]["outcome"] == "pass"
    assert "replaced or refunded" in doc["rules"][-1]["detail"]
    assert doc["claim"]["want"] == "exchange"


def test_json_of_a_measured_exchange(run) -> None:
    result = run(
        "check",
        "--delivered",
        "2026-11-20",
        "--category",
        "ring",
        "--want",
        "exchange",
        "--exchange-size",
        "17.3 mm",
        "--json",
    )
    assert result.code == ExitCode.REVIEW  # the page does not say who ships the new ring
    doc = json.loads(result.out)
    assert doc["remedy"] == "exchange"
    assert doc["refund_amount"] is None
    assert set(doc["exchange"]["size"]) == SIZE_KEYS
    ring_size = run("ring-size", "--diameter", "17.3", "--json")
    assert doc["exchange"]["size"] == json.loads(ring_size.out)["match"]
    assert doc["exchange"]["given_as"] == "diameter"
    assert doc["exchange"]["query"] == "17.3 mm"
    assert doc["exchange"]["advice"] == json.loads(ring_size.out)["advice"]
    assert doc["claim"]["exchange_size"] == "US/CA 7"
    review = [r["id"] for r in doc["rules"] if r["outcome"] == "review"]
    assert review == ["exchange-shipping"]
    assert doc["next_steps"] == [
        "Ask a supervisor who pays to ship the new item: the store's page does not say."
    ]


def test_an_exchange_without_a_size_has_a_null_size_and_a_refund_has_no_block(run) -> None:
    args = ["check", "--delivered", "2026-11-20", "--category", "ring", "--json"]
    exchange = json.loads(run(*args, "--want", "EXCHANGE").out)
    assert exchange["exchange"] == {"size": None}
    assert exchange["claim"]["want"] == "exchange"
    refund = json.loads(run(*args).out)
    assert "exchange" not in refund
    assert refund["claim"]["want"] == "refund"


def test_human_output_shows_the_new_size_and_the_advice(run) -> None:
    result = run(
        "check",
        "--delivered",
        "2026-11-20",
        "--category",
        "ring",
        "--want",
        "exchange",
        "--exchange-size",
        "54.4mm",
        env={"COLUMNS": "100"},
    )
    assert result.code == ExitCode.REVIEW
    assert "Remedy               exchange" in result.out
    assert (
        "Exchange for         US/CA 7 · UK/AU N½ · EU/ISO 54 · JP 14 · CH/IT/ES 14 · DE 17.3"
        in (result.out)
    )
    assert "asked as 54.4mm" in result.out
    assert "Sizing advice" in result.out
    assert "Measure when your fingers are warm" in result.out


# --- sizes in every system -------------------------------------------------------------------

CHART = build_chart(POLICY.ring_sizes)
ALIASES = {
    "us": ("US", "us", "CA"),
    "uk": ("UK", "au", "Au"),
    "eu": ("EU", "iso", "ISO"),
    "jp": ("JP", "jp"),
    "ch": ("CH", "it", "ES"),
    "de": ("DE", "de"),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    row=st.sampled_from(CHART.rows),
    system=st.sampled_from(CHART.systems),
    data=st.data(),
)
def test_a_size_in_any_system_orders_the_ring_ring_size_names(row, system, data) -> None:
    size = row.sizes[system.id]
    if size.value is None:
        return
    alias = data.draw(st.sampled_from(ALIASES[system.id]))
    gap = data.draw(st.sampled_from([" ", "", ": ", "  "]))
    found = parse_exchange_size(POLICY, f"{alias}{gap}{size.label}")
    looked_up = lookup(CHART, POLICY.ring_sizes, system.id, size.label)
    # the same chart row as `ring-size --<system>`: the row itself, or the larger of the rows
    # that carry the size
    assert found.size == CHART.dicts((looked_up.match,))[0]
    assert row in looked_up.matches
    assert found.size[system.id] == CHART.dicts((row,))[0][system.id]
    assert found.given_as == system.id
    if system.id == CHART.chart_system.id:
        assert found.size == CHART.dicts((row,))[0]


@settings(max_examples=80, deadline=None)
@given(row=st.sampled_from(CHART.rows), kind=st.sampled_from(["diameter", "circumference"]))
def test_a_measured_length_round_trips_to_its_row(row, kind) -> None:
    length = row.diameter_mm if kind == "diameter" else row.circumference_mm
    for text in (f"{length}mm", f"{length} mm", f"{length / 10}cm"):
        found = parse_exchange_size(POLICY, text)
        assert found.size == CHART.dicts((row,))[0], text
        assert found.given_as == kind
        assert found.advice == measure(CHART, POLICY.ring_sizes, kind, f"{length}").advice


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("US 6.5", "US/CA 6½"),
        ("us 6 1/2", "US/CA 6½"),
        ("US7.5", "US/CA 7½"),
        ("UK P", "US/CA 7¾"),
        ("UKP", "US/CA 7¾"),
        ("uk n 1/2", "US/CA 7"),
        ("EU 56", "US/CA 7¾"),
        ("JP 13", "US/CA 6¾"),
        ("CH 16", "US/CA 7¾"),
        ("DE 17.3", "US/CA 7"),
        ("DE 17.3mm", "US/CA 7"),
        ("54.4mm", "US/CA 7"),
        ("17.3 mm", "US/CA 7"),
        ("0.68in", "US/CA 7"),
    ],
)
def test_the_forms_of_a_size(text: str, label: str) -> None:
    assert parse_exchange_size(POLICY, text).label == label


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("7", "a bare number could be a size or a length"),
        ("17.3", "a bare number could be a size or a length"),
        ("XX 7", "not a ring size"),
        ("US", "not a ring size"),
        ("size seven", "not a ring size"),
        ("US 14", "US/CA 14 is not in the chart"),
        ("US 7.3", "US/CA sizes go in steps of ¼"),
        ("UK 7", "not a UK/AU size"),
        ("90mm", "is not a plausible finger"),
        ("30mm", "is not a plausible finger"),
        ("0mm", "must be more than zero"),
        ("17.3 furlongs", "not a length"),
        ("EU 99", "is not in the chart"),
    ],
)
def test_a_bad_size_is_exit_2_naming_the_option_and_the_forms(run, text: str, says: str) -> None:
    result = run(
        "check",
        "--delivered",
        "2026-11-20",
        "--category",
        "ring",
        "--want",
        "exchange",
        "--exchange-size",
        text,
        "--json",
    )
    assert_bad_input(result.code, result.out, result.err, "--exchange-size")
    assert says in result.err
    if says in ("not a ring size", "a bare number could be a size or a length"):
        assert "US 8, UK P, EU 57, JP 16, CH 17, DE 18.1" in result.err
        assert "18.14mm (an inner diameter) or 56.97mm (an inner circumference)" in result.err


@settings(max_examples=120, deadline=None)
@given(st.text(max_size=12))
def test_any_text_is_a_size_or_one_error_naming_exchange_size(text: str) -> None:
    error: InputError | None = None
    try:
        found = parse_exchange_size(POLICY, text.strip() or "x")
    except InputError as exc:
        error = exc
    if error is None:
        assert set(found.size) == SIZE_KEYS
    else:
        assert error.field == "exchange_size"
        assert "\n" not in error.message


@pytest.mark.parametrize(
    ("extra", "named", "says"),
    [
        (["--exchange-size", "US 7"], "--exchange-size", "a new size is for an exchange"),
        (
            ["--want", "exchange", "--exchange-size", "US 7", "--category", "necklace"],
            "--exchange-size",
            "a ring size, but the item is a necklace; sizes are for rings",
        ),
        (["--want", "swap"], "--want", "unknown want; use refund or exchange"),
        (["--want", "exchnage"], "--want", "did you mean 'exchange'?"),
    ],
)
def test_sizes_belong_to_ring_exchanges(run, extra: list[str], named: str, says: str) -> None:
    result = run("check", "--delivered", "2026-11-20", *extra, "--json")
    assert_bad_input(result.code, result.out, result.err, named)
    assert says in result.err


def test_the_console_script_exchanges_a_ring() -> None:
    done = run_script(
        "check",
        "--delivered",
        "2026-11-20",
        "--category",
        "ring",
        "--want",
        "exchange",
        "--exchange-size",
        "US 6.5",
        "--json",
    )
    assert done.code == ExitCode.REVIEW
    assert json.loads(done.out)["exchange"]["size"]["us"] == 6.5
    bad = run_script(
        "check", "--delivered", "2026-11-20", "--want", "exchange", "--exchange-size", "huge"
    )
    assert_bad_input(bad.code, bad.out, bad.err, "--exchange-size")


def test_check_without_an_exchange_size_does_not_load_ring_sizes() -> None:
    found = modules_after(
        ["check", "--delivered", "2026-11-20", "--want", "exchange", "--json"],
        ("migems_cli.exchange", "migems_cli.ring_sizes"),
    )
    assert (found.code, found.modules) == (ExitCode.REVIEW, [])


# --- batch ---------------------------------------------------------------------------------


def test_batch_reads_want_and_exchange_size_and_loses_no_row(run, tmp_path) -> None:
    source = tmp_path / "claims.csv"
    source.write_text(
        "claim_id,delivered,category,Want,EXCHANGE_SIZE,sale\n"
        "1,2026-11-20,ring,exchange,US 6.5,\n"
        "2,2026-11-20,ring,exchange,17.3mm,yes\n"
        "3,2026-11-20,ring,exchange,,\n"
        "4,2026-11-20,ring,,,\n"
        "5,2026-11-20,ring,swap,XX 9,\n"
        "6,2026-11-20,necklace,exchange,US 7,\n"
        "7,2026-11-20,ring,refund,US 7,\n"
        "8,2026-11-20,ring,exchange,99mm,\n"
        "9,2026-11-20,ring,exchange,uk p,maybe\n",
        encoding="utf-8",
    )
    result = run("batch", str(source), "--format", "csv")
    assert result.code == ExitCode.ROW_ERRORS
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [r["claim_id"] for r in rows] == [str(n) for n in range(1, 10)]
    got = {
        r["claim_id"]: (r["decision"], r["remedy"], r["failed_rules"], r["review_rules"])
        for r in rows
    }
    assert got["1"] == ("review", "exchange", "", "exchange-shipping")
    assert got["2"] == ("ineligible", "none", "sale", "exchange-shipping")
    assert got["3"] == ("review", "exchange", "", "exchange-shipping;exchange-price")
    assert got["4"] == ("eligible", "refund", "", "")
    errors = {r["claim_id"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"5", "6", "7", "8", "9"}
    assert errors["5"].startswith("want: unknown want")
    assert "; exchange_size: not a ring size" in errors["5"]
    assert errors["6"].startswith("exchange_size: a ring size, but the item is a necklace")
    assert errors["7"].startswith(
        "exchange_size: a new size is for an exchange, but want is refund"
    )
    assert errors["8"].startswith("exchange_size: 99.00 mm is not a plausible finger")
    assert errors["9"].startswith("sale: not a yes/no value")


def test_batch_gives_each_exchange_row_what_check_gives(run, tmp_path) -> None:
    cases = [
        ("2026-11-20", "ring", "exchange", "CH 16", ""),
        ("2026-10-01", "ring", "exchange", "US 7", ""),
        ("2026-11-20", "earring", "exchange", "", ""),
        ("2026-11-20", "ring", "Exchange", "JP 13", "yes"),
    ]
    source = tmp_path / "claims.csv"
    source.write_text(
        "delivered,category,want,exchange_size,custom\n"
        + "".join(",".join(case) + "\n" for case in cases),
        encoding="utf-8",
    )
    rows = list(csv.DictReader(io.StringIO(run("batch", str(source), "--format", "csv").out)))
    for case, row in zip(cases, rows, strict=True):
        delivered, category, want, size, custom = case
        args = ["check", "--delivered", delivered, "--category", category, "--want", want, "--json"]
        args += ["--exchange-size", size] if size else []
        args += ["--custom"] if custom else []
        doc = json.loads(run(*args).out)
        assert (row["decision"], row["remedy"], row["failed_rules"]) == (
            doc["decision"],
            doc["remedy"],
            ";".join(r["id"] for r in doc["rules"] if r["outcome"] == "fail"),
        )


# --- the policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"reasons": '["damaged"]'}, "exchange.reasons: 'damaged' is a defect reason"),
        ({"reasons": '["gift"]'}, "exchange.reasons: unknown reason 'gift'"),
        ({"sized_categories": '["hat"]'}, "exchange.sized_categories: unknown category 'hat'"),
        (
            {"new_item_shipping_paid_by": '"nobody"'},
            "exchange.new_item_shipping_paid_by: must be one of customer, store, review",
        ),
        (
            {"price_difference": '"ignore"'},
            "exchange.price_difference: must be one of charge-or-refund, review",
        ),
        ({"allowed": '"yes"'}, "exchange.allowed: must be a boolean, not a string"),
        ({"sized_step": '"Order {size}"'}, "exchange.sized_step: unknown placeholder {size}"),
        ({"next_steps": "[]"}, "exchange.next_steps: must not be empty"),
    ],
)
def test_policy_check_names_each_bad_exchange_value(
    policy_text: str, values: dict[str, str], says: str
) -> None:
    with pytest.raises(PolicyError) as raised:
        _variant(policy_text, **values)
    assert any(says in problem for problem in raised.value.problems), raised.value.problems


def test_policy_check_names_a_missing_or_unknown_exchange_key(policy_text: str) -> None:
    text = policy_text.replace("\nsizes_same_price = true", "\nsame_price = true")
    with pytest.raises(PolicyError) as raised:
        parse_policy(text)
    problems = " | ".join(raised.value.problems)
    assert "exchange.sizes_same_price: missing key" in problems
    assert "exchange.same_price: unknown key" in problems
    without = policy_text[: policy_text.index("\n[exchange]")]
    with pytest.raises(PolicyError) as raised:
        parse_policy(without)
    assert any("exchange: missing key" in p for p in raised.value.problems)


def test_policy_show_shows_the_exchange_settings(run) -> None:
    shown = run("policy", "show", env={"COLUMNS": "100"})
    assert "Exchanges" in shown.out
    assert "review: the page is silent, a person decides" in shown.out
    doc = json.loads(run("policy", "show", "--json").out)
    assert doc["exchange"]["allowed"] is True
    assert doc["exchange"]["reasons"] == ["changed-mind"]
    assert doc["exchange"]["new_item_shipping_paid_by"] == "review"
    assert doc["exchange"]["price_difference"] == "review"
    assert set(doc["rules"]) >= {"exchange", "exchange-shipping", "exchange-price"}


@pytest.mark.parametrize("columns", ["60", "80"])
@pytest.mark.parametrize("shipping", ['"store"', '"review"'])
def test_exchange_output_is_whole_at_narrow_widths(
    run, tmp_path, policy_text: str, columns: str, shipping: str
) -> None:
    source = tmp_path / "policy.toml"
    source.write_text(
        policy_text.replace(
            'new_item_shipping_paid_by = "review"', f"new_item_shipping_paid_by = {shipping}"
        ),
        encoding="utf-8",
    )
    for size in ("17.3mm", "UK P"):
        result = run(
            "check",
            "--policy",
            str(source),
            "--delivered",
            "2026-11-20",
            "--category",
            "ring",
            "--want",
            "exchange",
            "--exchange-size",
            size,
            env={"COLUMNS": columns},
        )
        assert result.code in (ExitCode.OK, ExitCode.REVIEW)
        assert "…" not in result.out
        assert all(len(line) <= int(columns) for line in result.out.splitlines())
