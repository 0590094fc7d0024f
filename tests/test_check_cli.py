"""`migems check` through the real entry point: exit codes, JSON contract, errors, output."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from migems_cli.errors import ExitCode
from tests.helpers import Result

Run = Callable[..., Result]

TOP_KEYS = {
    "policy",
    "decision",
    "remedy",
    "refund_amount",
    "currency",
    "return_shipping_paid_by",
    "deadlines",
    "days_left",
    "rules",
    "next_steps",
    "claim",
}
CLAIM_KEYS = {
    "delivered",
    "requested",
    "ordered",
    "reason",
    "category",
    "custom",
    "sale",
    "condition",
    "packaging",
    "photos",
    "price",
    "shipping",
    "want",
    "exchange_size",
}


def test_json_contract_for_an_eligible_claim(run: Run) -> None:
    result = run(
        "check",
        "--delivered",
        "2026-11-03",
        "--category",
        "Rings",
        "--price",
        "120",
        "--shipping",
        "8.5",
        "--json",
    )
    assert result.code == ExitCode.OK
    assert result.err == ""
    doc = json.loads(result.out)
    assert set(doc) == TOP_KEYS
    assert set(doc["claim"]) == CLAIM_KEYS
    assert doc["decision"] == "eligible"
    assert doc["remedy"] == "refund"
    assert doc["refund_amount"] == "120.00"
    assert doc["currency"] == "USD"
    assert doc["return_shipping_paid_by"] == "customer"
    assert doc["deadlines"] == {
        "return_by": "2026-12-03",
        "report_damage_by": "2026-11-10",
        "damage_review_until": "2026-12-03",
    }
    assert doc["days_left"] == 7
    assert [r["id"] for r in doc["rules"]] == [
        "return-window",
        "condition",
        "packaging",
        "category",
        "custom",
        "sale",
    ]
    assert all(set(r) == {"id", "outcome", "detail"} for r in doc["rules"])
    assert all(r["outcome"] == "pass" for r in doc["rules"])
    assert doc["claim"]["requested"] == "2026-11-26"
    assert doc["claim"]["category"] == "ring"
    assert doc["claim"]["shipping"] == "8.50"
    assert len(doc["next_steps"]) == 4


def test_ineligible_exits_1(run: Run) -> None:
    result = run("check", "--delivered", "2026-10-01", "--json")
    assert result.code == ExitCode.INELIGIBLE
    doc = json.loads(result.out)
    assert (
        doc["decision"],
        doc["remedy"],
        doc["refund_amount"],
        doc["return_shipping_paid_by"],
    ) == ("ineligible", "none", None, None)
    assert doc["days_left"] == -26


def test_review_exits_3(run: Run) -> None:
    result = run("check", "--delivered", "2026-11-20", "--reason", "damaged", "--json")
    assert result.code == ExitCode.REVIEW
    doc = json.loads(result.out)
    assert doc["decision"] == "review"
    assert doc["return_shipping_paid_by"] == "store"
    assert doc["next_steps"] == ["Ask the customer for photos and details of the damage or defect."]


def test_all_options_reach_the_claim(run: Run) -> None:
    result = run(
        "check",
        "--delivered",
        "11/03/2026",
        "--requested",
        "Nov 5 2026",
        "--reason",
        "DEFECTIVE",
        "--category",
        "earring",
        "--custom",
        "--sale",
        "--condition",
        "worn",
        "--no-packaging",
        "--photos",
        "--json",
    )
    claim = json.loads(result.out)["claim"]
    assert claim == {
        "delivered": "2026-11-03",
        "requested": "2026-11-05",
        "ordered": None,
        "reason": "defective",
        "category": "earring",
        "custom": True,
        "sale": True,
        "condition": "worn",
        "packaging": False,
        "photos": True,
        "price": None,
        "shipping": None,
        "want": "refund",
        "exchange_size": None,
    }
    assert result.code == ExitCode.REVIEW  # damaged sale item: the seed does not say


def test_dayfirst(run: Run) -> None:
    result = run("check", "--delivered", "03/11/2026", "--dayfirst", "--json")
    assert json.loads(result.out)["claim"]["delivered"] == "2026-11-03"


@pytest.mark.parametrize(
    ("args", "option", "value"),
    [
        (["--delivered", "2026-02-30"], "--delivered", "2026-02-30"),
        (["--delivered", "soonish"], "--delivered", "soonish"),
        (["--delivered", "-5"], "--delivered", "-5"),
        (["--delivered", "2026-11-01", "--price", "lots"], "--price", "lots"),
        (["--delivered", "2026-11-01", "--price", "-5"], "--price", "-5"),
        (["--delivered", "2026-11-01", "--shipping", "1.005"], "--shipping", "1.005"),
        (["--delivered", "2026-11-01", "--category", "hats"], "--category", "hats"),
        (["--delivered", "2026-11-01", "--reason", "bored"], "--reason", "bored"),
        (["--delivered", "2026-11-01", "--condition", "new"], "--condition", "new"),
        (["--delivered", "2026-11-20", "--requested", "2026-11-01"], "--requested", "2026-11-01"),
        (["--delivered", "2026-11-01", "--today", "lots"], "--today", "lots"),
    ],
)
def test_bad_input_is_one_line_naming_option_and_value(
    run: Run, args: list[str], option: str, value: str
) -> None:
    result = run("check", *args)
    assert result.code == ExitCode.BAD_INPUT
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {option}: ")
    assert repr(value) in lines[0]
    assert "Traceback" not in result.err


def test_unknown_category_lists_the_known_ones(run: Run) -> None:
    result = run("check", "--delivered", "2026-11-01", "--category", "hats")
    assert "known categories: rings, necklaces, bracelets, pendants, earrings" in result.err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "Missing option '--delivered'"),
        (["--delivered", "2026-11-01", "--bogus"], "No such option: --bogus"),
        (["--delivered"], "requires an argument"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run: Run, args: list[str], fragment: str) -> None:
    result = run("check", *args)
    assert result.code == ExitCode.BAD_INPUT
    assert len(result.err.splitlines()) == 1
    assert fragment in result.err


def test_env_today_is_named_when_bad(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGEMS_TODAY", "someday")
    result = run("check", "--delivered", "2026-11-01")
    assert result.code == ExitCode.BAD_INPUT
    assert result.err.startswith("Error: MIGEMS_TODAY: ")


def test_today_option_beats_env(run: Run) -> None:
    result = run("check", "--delivered", "2026-11-01", "--today", "2026-11-02", "--json")
    assert json.loads(result.out)["claim"]["requested"] == "2026-11-02"


@pytest.mark.parametrize(
    ("args", "env", "requested"),
    [
        (["--today", "02/11/2026"], None, "2026-02-11"),  # US order by default
        (["--today", "02/11/2026", "--dayfirst"], None, "2026-11-02"),
        (["--dayfirst"], "02/11/2026", "2026-11-02"),  # MIGEMS_TODAY is read the same way
    ],
)
def test_today_is_read_like_every_other_date(
    run: Run, monkeypatch: pytest.MonkeyPatch, args: list[str], env: str | None, requested: str
) -> None:
    if env is not None:
        monkeypatch.setenv("MIGEMS_TODAY", env)
    result = run("check", "--delivered", "2026-01-02", "--json", *args)
    assert result.err == ""
    assert json.loads(result.out)["claim"]["requested"] == requested


def test_invalid_policy_is_exit_2(run: Run, tmp_path, policy_text: str) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text(policy_text.replace("window_days = 30", "window_days = -30"))
    result = run("check", "--delivered", "2026-11-01", "--policy", str(bad))
    assert result.code == ExitCode.BAD_INPUT
    assert result.err.startswith(f"Error: invalid policy: {bad}:")
    assert "returns.window_days: must not be negative" in result.err
    assert len(result.err.splitlines()) == 1


def test_policy_from_env(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path, policy_text: str
) -> None:
    custom = tmp_path / "policy.toml"
    custom.write_text(policy_text.replace("window_days = 30", "window_days = 60"))
    monkeypatch.setenv("MIGEMS_POLICY", str(custom))
    result = run("check", "--delivered", "2026-10-01", "--category", "rings", "--json")
    assert result.code == ExitCode.OK
    assert json.loads(result.out)["deadlines"]["return_by"] == "2026-11-30"


def test_human_output_reads_like_an_answer(run: Run) -> None:
    result = run("check", "--delivered", "2026-11-03", "--category", "rings", "--price", "120")
    assert result.code == ExitCode.OK
    out = result.out
    assert "\x1b[" not in out
    assert "ELIGIBLE" in out
    assert "Thu 2026-12-03 (in 7 days)" in out
    assert "120.00 USD (shipping excluded)" in out
    assert "return-window" in out
    assert "Next steps" in out


def test_human_output_fits_60_columns(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    result = run(
        "check", "--delivered", "2026-11-20", "--reason", "damaged", "--category", "earrings"
    )
    assert result.code == ExitCode.REVIEW
    assert max(len(line) for line in result.out.splitlines()) <= 60
    assert "NEEDS REVIEW" in result.out


def test_customer_text_with_brackets_is_not_markup(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path, policy_text: str
) -> None:
    custom = tmp_path / "policy.toml"
    custom.write_text(
        policy_text.replace(
            'pass = "The item is unused."', 'pass = "The item is [bold]unused[/bold]."'
        )
    )
    result = run("check", "--delivered", "2026-11-20", "--policy", str(custom))
    assert "[bold]unused[/bold]" in result.out


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.code == ExitCode.OK
    assert re.fullmatch(r"migems \S+\n", result.out)


def test_without_today_uses_the_clock_in_the_store_time_zone(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migems_cli.dates import today_in

    monkeypatch.delenv("MIGEMS_TODAY")
    result = run("check", "--delivered", "2026-01-01", "--json")
    assert json.loads(result.out)["claim"]["requested"] == today_in("America/New_York").isoformat()
    result = run("check", "--delivered", "2026-01-01", "--today", "yesterday", "--json")
    requested = json.loads(result.out)["claim"]["requested"]
    assert requested < today_in("America/New_York").isoformat()
