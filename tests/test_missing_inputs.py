"""Missing inputs never drop a rule; next steps never ask for what was given; --json errors.

Issue 10, items 1, 2 and 10 (SPEC "Missing inputs, errors for scripts").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from migems_cli.errors import ExitCode
from migems_cli.policy import Policy
from migems_cli.rules import evaluate
from tests.helpers import Result, run_script
from tests.test_rules import claim_for

Run = Callable[..., Result]

CHANGE_OF_MIND_RULES = {"return-window", "condition", "packaging", "category", "custom", "sale"}
DEFECT_RULES = {"damage-window", "photos", "category", "custom", "sale"}


def _check_json(run: Run, *args: str) -> tuple[int, dict[str, object]]:
    result = run("check", "--delivered", "2026-11-20", *args, "--json")
    assert result.err == ""
    return result.code, json.loads(result.out)


# --- 10.1: a rule never disappears because its input is missing --------------------------


def test_change_of_mind_without_category_is_review_asking_which_item(run: Run) -> None:
    code, doc = _check_json(run, "--price", "30")
    assert code == ExitCode.REVIEW
    assert doc["decision"] == "review"
    rules = {r["id"]: r for r in doc["rules"]}  # type: ignore[attr-defined]
    assert rules["category"]["outcome"] == "review"
    assert "earrings" in rules["category"]["detail"].lower()
    assert "which item" in rules["category"]["detail"].lower()
    assert doc["refund_amount"] is None  # no refund promised before the item is known
    assert any("earrings" in step for step in doc["next_steps"])  # type: ignore[attr-defined]


def test_the_same_claim_with_a_category_is_decided(run: Run) -> None:
    assert _check_json(run, "--price", "30", "--category", "rings")[0] == 0
    assert _check_json(run, "--price", "30", "--category", "earrings")[0] == 1


def test_human_output_shows_the_category_row(run: Run) -> None:
    result = run("check", "--delivered", "2026-11-03", "--price", "30")
    assert result.code == ExitCode.REVIEW
    assert "category" in result.out
    assert "earrings" in result.out.lower()


@pytest.mark.parametrize("reason", ["damaged", "defective", "wrong-item"])
def test_defect_claims_without_category_show_the_rule_as_exempt(run: Run, reason: str) -> None:
    code, doc = _check_json(run, "--reason", reason, "--photos", "--requested", "2026-11-21")
    assert code == ExitCode.OK
    rules = {r["id"]: r for r in doc["rules"]}  # type: ignore[attr-defined]
    assert rules["category"]["outcome"] == "pass"
    assert "damaged" in rules["category"]["detail"]  # says why it does not matter


@pytest.mark.parametrize("reason", ["changed-mind", "damaged", "defective", "wrong-item"])
def test_every_rule_of_the_path_is_listed_with_the_fewest_inputs(
    policy: Policy, reason: str
) -> None:
    verdict = evaluate(policy, claim_for(policy, reason, 3))
    want = CHANGE_OF_MIND_RULES if reason == "changed-mind" else DEFECT_RULES
    assert {r.id for r in verdict.rules} == want
    assert all(r.detail for r in verdict.rules)


def test_the_question_is_built_from_the_policys_non_returnable_categories(
    run: Run, tmp_path: Path, policy_text: str
) -> None:
    text = policy_text
    edited = text.replace(
        'non_returnable_categories = ["earring"]', 'non_returnable_categories = ["brooch"]'
    )
    assert edited != text
    path = tmp_path / "policy.toml"
    path.write_text(edited, encoding="utf-8")
    code, doc = _check_json(run, "--policy", str(path))
    assert code == ExitCode.REVIEW
    detail = {r["id"]: r for r in doc["rules"]}["category"]["detail"]  # type: ignore[attr-defined]
    assert "brooches" in detail
    assert "earring" not in detail


def test_no_non_returnable_category_means_nothing_to_ask(
    run: Run, tmp_path: Path, policy_text: str
) -> None:
    text = policy_text
    path = tmp_path / "policy.toml"
    path.write_text(
        text.replace('non_returnable_categories = ["earring"]', "non_returnable_categories = []"),
        encoding="utf-8",
    )
    code, doc = _check_json(run, "--policy", str(path))
    assert code == ExitCode.OK
    assert "category" in {r["id"] for r in doc["rules"]}  # type: ignore[attr-defined]


def _batch(run: Run, tmp_path: Path, text: str, *args: str) -> tuple[Result, list[dict[str, str]]]:
    path = tmp_path / "claims.csv"
    path.write_text(text, encoding="utf-8")
    result = run("batch", str(path), "--format", "csv", *args)
    return result, list(csv.DictReader(io.StringIO(result.out, newline="")))


def test_batch_blank_category_cell_is_review_with_review_rules(run: Run, tmp_path: Path) -> None:
    result, rows = _batch(
        run,
        tmp_path,
        "claim_id,delivered,category,reason,photos\n"
        "A,2026-11-20,,,\n"
        "B,2026-11-20,rings,,\n"
        "C,2026-11-20,  ,damaged,yes\n"
        "D,2026-11-20,,damaged,\n",
    )
    assert result.code == ExitCode.OK
    assert [r["decision"] for r in rows] == ["review", "eligible", "eligible", "review"]
    assert [r["review_rules"] for r in rows] == ["category", "", "", "photos"]
    assert [r["failed_rules"] for r in rows] == ["", "", "", ""]


def test_batch_without_a_category_column_is_review_too(run: Run, tmp_path: Path) -> None:
    result, rows = _batch(run, tmp_path, "claim_id,delivered\nA,2026-11-20\n")
    assert result.code == ExitCode.OK
    assert rows[0]["decision"] == "review"
    assert rows[0]["review_rules"] == "category"


# --- 10.2: next steps never ask for what was given ----------------------------------------


def test_damage_claim_with_photos_does_not_ask_for_photos(run: Run) -> None:
    code, doc = _check_json(run, "--reason", "damaged", "--photos", "--category", "rings")
    assert code == ExitCode.OK
    steps = doc["next_steps"]
    assert steps  # still says what to do
    assert not any("photo" in step.lower() for step in steps)  # type: ignore[attr-defined]


def test_damage_claim_without_photos_asks_for_them_once(run: Run) -> None:
    code, doc = _check_json(run, "--reason", "damaged", "--category", "rings")
    assert code == ExitCode.REVIEW
    asks = [s for s in doc["next_steps"] if "photo" in s.lower()]  # type: ignore[attr-defined]
    assert len(asks) == 1


def test_wrong_item_does_not_ask_for_photos(run: Run) -> None:
    code, doc = _check_json(run, "--reason", "wrong-item", "--category", "rings")
    assert code == ExitCode.OK
    assert not any("photo" in s.lower() for s in doc["next_steps"])  # type: ignore[attr-defined]


def test_change_of_mind_does_not_ask_for_the_reason_it_was_given(run: Run) -> None:
    code, doc = _check_json(run, "--reason", "changed-mind", "--category", "rings")
    assert code == ExitCode.OK
    assert not any("reason" in s.lower() for s in doc["next_steps"])  # type: ignore[attr-defined]


def test_category_question_only_when_the_category_is_missing(run: Run) -> None:
    _, given = _check_json(run, "--category", "rings")
    _, missing = _check_json(run)
    assert not any("which item" in s.lower() for s in given["next_steps"])  # type: ignore[attr-defined]
    assert any("which item" in s.lower() for s in missing["next_steps"])  # type: ignore[attr-defined]


# --- 10.10: with --json, a bad input also writes one JSON document on stdout --------------


def _json_error(result: Result, option: str | None, value: str | None) -> dict[str, object]:
    assert result.code == ExitCode.BAD_INPUT
    assert result.err.startswith("Error: ")
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    doc = json.loads(result.out)
    assert set(doc) == {"error"}
    error = doc["error"]
    assert set(error) == {"message", "option", "value"}
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["option"] == option
    assert error["value"] == value
    return error  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("args", "option", "value"),
    [
        (["check", "--delivered", "someday"], "--delivered", "someday"),
        (["check", "--delivered", "2026-11-03", "--price", "abc"], "--price", "abc"),
        (["check", "--delivered", "2026-11-03", "--category", "hats"], "--category", "hats"),
        (["refund", "--received", "2027-01-01"], "--received", "2027-01-01"),
        (["deadlines", "--delivered", "nope"], "--delivered", "nope"),
        (["status", "--ordered", "nope"], "--ordered", "nope"),
        (["ring-size", "--us", "99"], "--us", "99"),
        (["check", "--delivered", "2026-11-03", "--today", "nope"], "--today", "nope"),
    ],
)
def test_bad_input_with_json_writes_an_error_document(
    run: Run, args: list[str], option: str, value: str
) -> None:
    _json_error(run(*args, "--json"), option, value)
    plain = run(*args)  # without --json: nothing on stdout, as before
    assert plain.code == ExitCode.BAD_INPUT
    assert plain.out == ""


def test_policy_show_with_a_bad_policy_and_json(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = [", encoding="utf-8")
    error = _json_error(run("policy", "show", "--policy", str(bad), "--json"), None, str(bad))
    assert "invalid policy" in str(error["message"])


def test_batch_whole_file_error_with_json_is_one_json_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,when\nA,2026-11-03\n", encoding="utf-8")
    result = run("batch", str(path), "--json")
    _json_error(result, "FILE", str(path))
    assert result.out.count("\n") == 1  # JSON Lines: one line
    missing = run("batch", str(tmp_path / "missing.csv"), "--json")
    assert missing.code == ExitCode.BAD_INPUT
    assert json.loads(missing.out)["error"]["message"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["check", "--json"], "--delivered"),  # a required option missing
        (["check", "--delivered", "2026-11-03", "--bogus", "--json"], "--bogus"),
        (["check", "--json", "--delivered", "2026-11-03", "--reason"], "--reason"),  # no value
        (["refund", "--json"], "--received"),
        (["deadlines", "--json"], None),
    ],
)
def test_usage_errors_with_json_write_an_error_document(
    run: Run, args: list[str], option: str | None
) -> None:
    result = run(*args)
    assert result.code == ExitCode.BAD_INPUT
    error = json.loads(result.out)["error"]
    assert error["option"] == option
    assert error["message"]
    assert result.err.startswith("Error: ")


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--delivered", "--json"],  # --json is --delivered's value, a bad date
        ["check", "--delivered", "2026-11-03", "--price", "--json"],
        ["check", "--delivered", "2026-11-03", "--", "--json"],  # after --: an argument
        ["check", "--delivered", "2026-11-03", "--bogus", "--", "--json"],
        ["--json", "check"],  # not an option of the root
    ],
)
def test_json_as_a_value_is_not_json_mode(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.code == ExitCode.BAD_INPUT
    assert result.out == ""
    assert result.err.startswith("Error: ")


def test_console_script_json_error_on_stdout() -> None:
    done = run_script("check", "--delivered", "nope", "--json")
    assert done.code == ExitCode.BAD_INPUT
    assert json.loads(done.out)["error"]["option"] == "--delivered"
    assert done.err.startswith("Error: --delivered: ")
