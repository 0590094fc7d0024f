"""An override decides like the rules would have: a goodwill return is refunded (and its steps
are those of an eligible return); an override to ineligible refunds nothing. The rule outcomes
stay as evaluated. And the SPEC's `--override ... --reason TEXT` gets a hint, since `--reason`
is the return's reason in `check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migems_cli.errors import ExitCode

LATE = ["check", "--delivered", "2026-10-03", "--category", "rings", "--price", "120"]
IN_TIME = ["check", "--delivered", "2026-11-20", "--category", "rings", "--price", "120"]
WHY = ["--override-reason", "goodwill: a loyal customer's first return", "--agent", "ana"]


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.delenv("MIGEMS_AGENT", raising=False)
    return ["--journal", str(tmp_path / "journal.sqlite3")]


def test_a_goodwill_return_is_refunded_like_an_eligible_one(run, journal) -> None:
    ruled = json.loads(run(*IN_TIME, "--json").out)
    done = run(*LATE, "--override", "eligible", *WHY, *journal, "--json")
    assert done.code == ExitCode.OK
    granted = json.loads(done.out)
    assert granted["decision"] == "eligible"
    assert (granted["remedy"], granted["refund_amount"]) == ("refund", "120.00")
    assert granted["return_shipping_paid_by"] == "customer"
    assert granted["next_steps"] == ruled["next_steps"]  # an eligible return's steps
    failed = [r["id"] for r in granted["rules"] if r["outcome"] == "fail"]
    assert failed == ["return-window"]  # the rules as evaluated


def test_an_override_to_ineligible_refunds_nothing(run, journal) -> None:
    done = run(*IN_TIME, "--override", "ineligible", *WHY, *journal, "--json")
    assert done.code == ExitCode.INELIGIBLE
    refused = json.loads(done.out)
    assert (refused["remedy"], refused["refund_amount"]) == ("none", None)
    assert refused["return_shipping_paid_by"] is None
    assert [r["outcome"] for r in refused["rules"]] == ["pass"] * len(refused["rules"])


def test_a_goodwill_exchange_refunds_nothing(run, journal) -> None:
    done = run(*LATE, "--want", "exchange", "--override", "eligible", *WHY, *journal, "--json")
    assert done.code == ExitCode.OK
    granted = json.loads(done.out)
    assert (granted["remedy"], granted["refund_amount"]) == ("exchange", None)


def test_a_damaged_item_granted_keeps_the_pages_remedy(run, journal) -> None:
    late_report = ["check", "--delivered", "2026-09-01", "--reason", "damaged", "--photos"]
    done = run(*late_report, "--price", "80", "--override", "eligible", *WHY, *journal, "--json")
    assert done.code == ExitCode.OK
    granted = json.loads(done.out)
    assert (granted["remedy"], granted["refund_amount"]) == ("replacement-or-refund", "80.00")
    assert granted["return_shipping_paid_by"] == "store"


def test_the_specs_reason_spelling_is_pointed_to_override_reason(run, journal) -> None:
    done = run(*LATE, "--override", "eligible", "--reason", "goodwill", "--agent", "ana", *journal)
    assert done.code == ExitCode.BAD_INPUT
    assert done.err.count("\n") == 1
    assert "--override-reason" in done.err
    plain = run(*LATE, "--reason", "goodwill")  # without --override: no hint
    assert plain.code == ExitCode.BAD_INPUT
    assert "--override-reason" not in plain.err
