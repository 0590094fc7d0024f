"""Issue 14: which policy answered, versions by order date, seasonal windows, rolling deadlines
to a business day."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migems_cli.business_days import business_calendar
from migems_cli.claims import parse_claim
from migems_cli.errors import ExitCode, PolicyError
from migems_cli.policy import Policy
from migems_cli.policy_load import parse_policy
from migems_cli.rules import deadlines, evaluate
from tests.conftest import ROOT
from tests.helpers import assert_bad_input, run_script

BUNDLED = (ROOT / "policy.toml").read_bytes()
DIGEST = hashlib.sha256(BUNDLED).hexdigest()[:12]
POLICY_KEYS = {"name", "version", "effective_from", "digest", "chosen_by"}
SEASON_MARK = "# The page announces no holiday or seasonal window"


def variant(text: str, *, version: str, effective_from: str, window: int = 30) -> str:
    """The bundled policy text as another version."""
    text = text.replace('version = "1"', f'version = "{version}"', 1)
    text = text.replace('effective_from = "2026-11-26"', f'effective_from = "{effective_from}"', 1)
    return text.replace("window_days = 30", f"window_days = {window}", 1)


def with_seasons(text: str, tables: str) -> str:
    """The policy with `tables` ([[returns.seasons]]) after the [returns] section."""
    return text.replace("[damage]\n", tables + "\n[damage]\n", 1)


HOLIDAYS = """
[[returns.seasons]]
name = "Holidays 2026"
ordered_from = "2026-11-15"
ordered_to = "2026-12-31"
return_by = "2027-01-31"
"""
DECEMBER = """
[[returns.seasons]]
name = "December"
ordered_from = 2026-12-01
ordered_to = 2026-12-31
window_days = 60
"""


@pytest.fixture
def versions(tmp_path: Path, policy_text: str) -> Path:
    """v1 (30 days, from 2026-11-26) and v2 (14 days, from 2027-01-01)."""
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / "v1.toml").write_text(policy_text, encoding="utf-8")
    (folder / "v2.toml").write_text(
        variant(policy_text, version="2", effective_from="2027-01-01", window=14),
        encoding="utf-8",
    )
    return folder


def _json(result_out: str) -> dict[str, object]:
    document: dict[str, object] = json.loads(result_out)
    return document


# --- 1. which policy answered -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--delivered", "2026-11-20", "--category", "rings"],
        ["deadlines", "--delivered", "2026-11-20"],
        ["refund", "--received", "2026-11-20"],
        ["status"],
        ["ring-size", "--us", "7"],
        ["policy", "show"],
    ],
)
def test_every_json_result_names_the_policy_by_its_digest(run, args):
    result = run(*args, "--json")
    block = _json(result.out)["policy"]
    assert block == {
        "name": "MIGEMS returns and shipping",
        "version": "1",
        "effective_from": "2026-11-26",
        "digest": DIGEST,
        "chosen_by": None,
    }


def test_human_output_ends_with_the_policy_version(run):
    result = run("check", "--delivered", "2026-11-20", "--category", "rings")
    assert result.out.splitlines()[-1] == f"Policy version 1 from 2026-11-26 · {DIGEST}"
    assert run("status", "processing").out.splitlines()[-1].startswith("Policy version 1 ")


def test_batch_names_the_policy_in_a_csv_column_and_each_jsonl_record(run, tmp_path):
    source = tmp_path / "c.csv"
    source.write_text("claim_id,delivered\nA,2026-11-20\nB,2026-02-30\n", encoding="utf-8")
    result = run("batch", str(source), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert result.out.splitlines()[0].endswith(",review_rules,policy,error")
    assert [row["policy"] for row in rows] == [DIGEST, ""]  # no policy answered an error
    assert f"policy version 1 · {DIGEST}" in result.err
    records = [json.loads(line) for line in run("batch", str(source), "--json").out.splitlines()]
    assert records[0]["policy"]["digest"] == DIGEST
    assert set(records[0]["policy"]) == POLICY_KEYS
    assert records[1]["policy"] is None


# --- 2. versions by order date ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ordered", "version", "decision"),
    [("2026-12-31", "1", "eligible"), ("2027-01-01", "2", "ineligible")],
)
def test_the_version_in_force_on_the_order_date_judges(run, versions, ordered, version, decision):
    """Delivered 2027-01-05, asked on day 20: within v1's 30 days, past v2's 14."""
    result = run(
        "check",
        "--policy",
        str(versions),
        "--ordered",
        ordered,
        "--delivered",
        "2027-01-05",
        "--requested",
        "2027-01-25",
        "--category",
        "rings",
        "--json",
    )
    document = _json(result.out)
    assert document["decision"] == decision
    assert document["policy"]["version"] == version  # type: ignore[index]
    assert document["policy"]["chosen_by"] == "ordered"  # type: ignore[index]
    assert document["claim"]["ordered"] == ordered  # type: ignore[index]


@pytest.mark.parametrize(("delivered", "version"), [("2026-12-31", "1"), ("2027-01-01", "2")])
def test_without_an_order_date_the_delivery_date_chooses(run, versions, delivered, version):
    result = run(
        "check",
        "--policy",
        str(versions),
        "--delivered",
        delivered,
        "--requested",
        delivered,
        "--json",
    )
    block = _json(result.out)["policy"]
    assert (block["version"], block["chosen_by"]) == (version, "delivered")  # type: ignore[index]


def test_the_footer_says_which_date_chose_the_version(run, versions):
    result = run(
        "check", "--policy", str(versions), "--delivered", "2027-01-05", "--requested", "2027-01-05"
    )
    assert result.out.splitlines()[-1].startswith(
        "Policy version 2 from 2027-01-01 (by the delivery date) · "
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--ordered", "2026-11-25", "--delivered", "2026-12-01"], "--ordered"),
        (["--delivered", "2026-11-25"], "--delivered"),
    ],
)
def test_a_date_before_every_version_is_a_bad_input(run, versions, args, named):
    result = run("check", "--policy", str(versions), *args, "--json")
    assert_bad_input(result.code, result.out, result.err, named)
    assert "before every policy version" in result.err


def test_an_order_date_after_the_delivery_is_a_bad_input(run):
    result = run("check", "--ordered", "2026-11-21", "--delivered", "2026-11-20")
    assert_bad_input(result.code, result.out, result.err, "--ordered")


def test_the_environment_may_name_a_directory_too(versions):
    result = run_script(
        "deadlines", "--delivered", "2027-01-05", "--json", env={"MIGEMS_POLICY": str(versions)}
    )
    assert result.code == ExitCode.OK, result.err
    document = _json(result.out)
    assert document["policy"]["version"] == "2"  # type: ignore[index]
    return_by = [d for d in document["deadlines"] if d["id"] == "return_by"]  # type: ignore[attr-defined]
    assert return_by[0]["date"] == "2027-01-19"


def test_policy_show_at_shows_the_version_in_force_that_day(run, versions):
    for day, window in (("2026-12-31", 30), ("2027-01-01", 14)):
        document = _json(
            run("policy", "show", "--policy", str(versions), "--at", day, "--json").out
        )
        assert document["return_window_days"] == window
        assert document["policy"]["chosen_by"] == "at"  # type: ignore[index]
    result = run("policy", "show", "--policy", str(versions), "--at", "2026-01-01")
    assert_bad_input(result.code, result.out, result.err, "--at")


def test_policy_check_dir_validates_every_file_and_the_set(run, versions, policy_text):
    valid = run("policy", "check", str(versions), "--json")
    assert valid.code == ExitCode.OK
    report = _json(valid.out)
    assert [v["version"] for v in report["versions"]] == ["1", "2"]  # type: ignore[attr-defined]
    (versions / "v3.toml").write_text(
        variant(policy_text, version="3", effective_from="2027-01-01"), encoding="utf-8"
    )
    (versions / "v4.toml").write_text(
        policy_text.replace("window_days = 30", "window_days = -1"), encoding="utf-8"
    )
    result = run("policy", "check", str(versions))
    assert result.code == ExitCode.BAD_INPUT
    errors = [line for line in result.err.splitlines() if ": warning: " not in line]
    line = variant(policy_text, version="3", effective_from="2027-01-01").splitlines()
    at = line.index('effective_from = "2027-01-01"') + 1
    assert f"v3.toml:{at}: effective_from: 2027-01-01 is also the effective_from of" in errors[1]
    assert "v4.toml:" in errors[0]
    assert "returns.window_days: must not be negative" in errors[0]
    assert "INVALID (2 errors" in result.out


def test_a_version_in_the_future_is_a_warning_failing_only_strict(run, versions):
    result = run("policy", "check", str(versions), "--today", "2026-12-01")
    assert result.code == ExitCode.OK
    assert "v2.toml: warning: effective_from 2027-01-01 is after today (2026-12-01)" in result.err
    strict = run("policy", "check", str(versions), "--today", "2026-12-01", "--strict")
    assert strict.code == ExitCode.BAD_INPUT


def test_a_directory_without_versions_or_with_a_file_lacking_its_date(run, tmp_path, policy_text):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("check", "--policy", str(empty), "--delivered", "2026-11-20")
    assert result.code == ExitCode.BAD_INPUT
    assert "no policy files (*.toml)" in result.err
    assert "Traceback" not in result.err
    undated = tmp_path / "undated"
    undated.mkdir()
    (undated / "p.toml").write_text(
        policy_text.replace('effective_from = "2026-11-26"\n', ""), encoding="utf-8"
    )
    result = run("policy", "check", str(undated))
    assert result.code == ExitCode.BAD_INPUT
    assert "p.toml:1: effective_from: missing key" in result.err


def test_batch_mixing_two_versions_gives_each_row_its_own_policy(run, versions, tmp_path):
    source = tmp_path / "mixed.csv"
    source.write_text(
        "claim_id,delivered,ordered,requested,category\n"
        "A,2027-01-05,2026-12-20,2027-01-25,rings\n"  # v1 by its order date: 30 days
        "B,2027-01-05,,2027-01-25,rings\n"  # v2 by its delivery date: 14 days
        "C,2026-12-05,,2026-12-20,rings\n"  # v1
        "D,2026-01-05,,2026-01-10,rings\n"  # before every version: an error
        "E,2026-12-05,soon,2026-12-20,hats\n",  # every bad cell named
        encoding="utf-8",
    )
    result = run("batch", str(source), "--policy", str(versions), "--format", "csv")
    assert result.code == ExitCode.ROW_ERRORS
    rows = list(csv.DictReader(io.StringIO(result.out)))
    digests = {
        name: hashlib.sha256((versions / name).read_bytes()).hexdigest()[:12]
        for name in ("v1.toml", "v2.toml")
    }
    assert [row["policy"] for row in rows] == [
        digests["v1.toml"],
        digests["v2.toml"],
        digests["v1.toml"],
        "",
        "",
    ]
    assert [row["decision"] for row in rows[:3]] == ["eligible", "ineligible", "eligible"]
    assert rows[3]["error"].startswith("delivered: is before every policy version")
    assert rows[4]["error"].startswith("ordered: not a date")
    assert "category: unknown category" in rows[4]["error"]
    records = [
        json.loads(line)
        for line in run("batch", str(source), "--policy", str(versions), "--json").out.splitlines()
    ]
    assert [r["policy"]["chosen_by"] for r in records[:3]] == ["ordered", "delivered", "delivered"]


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.dates(date(2026, 11, 20), date(2027, 2, 10)),
            st.integers(0, 20),
            st.integers(0, 45),
            st.sampled_from(["changed-mind", "damaged", "wrong-item"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_batch_under_versions_and_seasons_agrees_with_check(rows, tmp_path_factory, policy_text):
    """Each row of a batch over a directory (one version with seasons, one rolling) is what
    check's own functions give under the version its dates choose."""
    folder = tmp_path_factory.mktemp("v")
    first = with_seasons(policy_text, HOLIDAYS + DECEMBER)
    second = variant(policy_text, version="2", effective_from="2027-01-01", window=14)
    second = second.replace("extend_to_business_day = false", "extend_to_business_day = true")
    (folder / "a.toml").write_text(first, encoding="utf-8")
    (folder / "b.toml").write_text(second, encoding="utf-8")
    policies = [parse_policy(first, "a.toml"), parse_policy(second, "b.toml")]
    lines = ["claim_id,ordered,delivered,requested,reason,category"]
    for at, (ordered, wait, asked, reason) in enumerate(rows):
        delivered = ordered + timedelta(days=wait)
        requested = delivered + timedelta(days=asked)
        lines.append(f"R{at},{ordered},{delivered},{requested},{reason},rings")
    source = folder / "claims.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = _batch_in_process(str(source), str(folder))
    assert code in (ExitCode.OK, ExitCode.ROW_ERRORS)
    for row, (ordered, wait, asked, reason) in zip(
        csv.DictReader(io.StringIO(out)), rows, strict=True
    ):
        delivered = ordered + timedelta(days=wait)
        policy = policies[1] if ordered >= date(2027, 1, 1) else policies[0]
        if ordered < date(2026, 11, 26):
            assert row["error"].startswith("ordered: is before every policy version")
            continue
        claim = parse_claim(
            policy,
            {
                "delivered": delivered.isoformat(),
                "ordered": ordered.isoformat(),
                "requested": (delivered + timedelta(days=asked)).isoformat(),
                "reason": reason,
                "category": "rings",
            },
            date(2026, 11, 26),
        )
        verdict = evaluate(policy, claim)
        assert (row["decision"], row["return_by"], row["report_damage_by"], row["error"]) == (
            verdict.decision,
            verdict.deadlines.return_by.isoformat(),
            verdict.deadlines.report_damage_by.isoformat(),
            "",
        )
        assert row["policy"] == policy.identity.digest


def _batch_in_process(source: str, folder: str) -> tuple[int, str, str]:
    """`migems batch SOURCE --policy FOLDER` in-process (hypothesis cannot take the function-
    scoped `run` fixture), today 2026-11-26."""
    import contextlib
    import os
    import sys

    from migems_cli.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.environ.get("MIGEMS_TODAY")
    os.environ["MIGEMS_TODAY"] = "2026-11-26"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(["batch", source, "--policy", folder, "--format", "csv"])
            except SystemExit as exc:
                code = int(exc.code or 0)
    finally:
        if old is None:
            os.environ.pop("MIGEMS_TODAY", None)
        else:
            os.environ["MIGEMS_TODAY"] = old
        sys.stdout.flush()
    return code, out.getvalue(), err.getvalue()


# --- 3. seasonal windows ----------------------------------------------------------------------


@pytest.fixture
def seasonal(policy_text: str):
    return parse_policy(with_seasons(policy_text, HOLIDAYS + DECEMBER), "s.toml")


def _claim(policy, ordered: str | None, delivered: str, requested: str):
    values = {"delivered": delivered, "requested": requested, "category": "rings"}
    if ordered:
        values["ordered"] = ordered
    return evaluate(policy, parse_claim(policy, values, date(2026, 11, 26)))


def test_an_order_in_a_season_gets_its_window_and_the_detail_names_it(seasonal):
    verdict = _claim(seasonal, "2026-11-20", "2026-11-24", "2027-01-31")
    assert verdict.decision == "eligible"
    assert verdict.deadlines.return_by == date(2027, 1, 31)
    detail = verdict.rules[0].detail
    assert "Holidays 2026 season (orders from 2026-11-15 to 2026-12-31)" in detail
    assert "68-day return window" in detail
    late = _claim(seasonal, "2026-11-20", "2026-11-24", "2027-02-01")
    assert late.decision == "ineligible"


@pytest.mark.parametrize("ordered", ["2026-11-14", "2027-01-01", None])
def test_outside_a_season_or_without_an_order_date_the_normal_window(seasonal, ordered):
    """The day before a season, the day after it, and no order date at all (a season is chosen
    by the order date alone)."""
    delivered = "2027-01-05" if ordered == "2027-01-01" else "2026-11-24"
    verdict = _claim(seasonal, ordered, delivered, delivered)
    assert verdict.deadlines.return_by == date.fromisoformat(delivered) + timedelta(days=30)
    assert verdict.deadlines.season is None
    assert "season" not in verdict.rules[0].detail


def test_overlapping_seasons_the_longest_window_wins(seasonal):
    """December orders are in both seasons: 60 days from a late delivery beats 2027-01-31, and
    2027-01-31 beats 60 days from an early one."""
    late = _claim(seasonal, "2026-12-10", "2026-12-20", "2026-12-20")
    assert (late.deadlines.season.name, late.deadlines.return_by) == ("December", date(2027, 2, 18))  # type: ignore[union-attr]
    early = _claim(seasonal, "2026-12-01", "2026-12-01", "2026-12-01")
    assert early.deadlines.season.name == "Holidays 2026"  # type: ignore[union-attr]
    assert early.deadlines.return_by == date(2027, 1, 31)


def test_a_season_shorter_than_the_normal_window_changes_nothing(policy_text):
    short = """
[[returns.seasons]]
name = "Flash sale"
ordered_from = "2026-11-01"
ordered_to = "2026-11-30"
window_days = 10
"""
    policy = parse_policy(with_seasons(policy_text, short), "s.toml")
    verdict = _claim(policy, "2026-11-10", "2026-11-12", "2026-12-10")
    assert verdict.deadlines.return_by == date(2026, 12, 12)
    assert verdict.deadlines.season is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'name = "X"\nordered_from = "2026-11-01"\nordered_to = "2026-11-30"\n',
            "give exactly one of window_days and return_by",
        ),
        (
            'name = "X"\nordered_from = "2026-11-01"\nordered_to = "2026-11-30"\n'
            'window_days = 40\nreturn_by = "2027-01-31"\n',
            "give exactly one of window_days and return_by",
        ),
        (
            'name = "X"\nordered_from = "2026-11-30"\nordered_to = "2026-11-01"\nwindow_days = 40\n',
            "returns.seasons[0].ordered_to: 2026-11-01 is before ordered_from 2026-11-30",
        ),
        (
            'name = "X"\nordered_from = "2026-11-01"\nordered_to = "2026-11-30"\n'
            'return_by = "2026-11-20"\n',
            "returns.seasons[0].return_by: 2026-11-20 is before the season's last order day",
        ),
        (
            'name = "X"\nordered_from = "Nov 1"\nordered_to = "2026-11-30"\nwindow_days = 40\n',
            "returns.seasons[0].ordered_from: must be a date like 2026-11-26, not 'Nov 1'",
        ),
        (
            'name = "X"\nordered_from = "2026-11-01"\nordered_to = "2026-11-30"\n'
            "window_days = -5\n",
            "returns.seasons[0].window_days: must not be negative",
        ),
        (
            'name = "X"\nordered_from = "2026-11-01"\nordered_to = "2026-11-30"\n'
            "window_days = 40\nwindow = 3\n",
            "returns.seasons[0].window: unknown key",
        ),
    ],
)
def test_a_bad_season_is_a_policy_error_with_its_line(policy_text, table, message):
    text = with_seasons(policy_text, "[[returns.seasons]]\n" + table)
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "s.toml")
    assert any(message in problem for problem in raised.value.problems), raised.value.problems
    assert all(problem.startswith("s.toml:") for problem in raised.value.problems)


def test_seasons_need_their_note_and_rolling_its_note(policy_text):
    without = policy_text.replace(
        policy_text[policy_text.index("season_note = ") :].split("\n", 1)[0] + "\n", ""
    )
    with pytest.raises(PolicyError) as raised:
        parse_policy(with_seasons(without, HOLIDAYS), "s.toml")
    assert "returns.season_note: missing key" in raised.value.problems[0]
    rolling = policy_text.replace("extend_to_business_day = false", "extend_to_business_day = true")
    rolling = rolling.replace(
        rolling[rolling.index("business_day_note = ") :].split("\n", 1)[0] + "\n", ""
    )
    with pytest.raises(PolicyError) as raised:
        parse_policy(rolling, "s.toml")
    assert "returns.business_day_note: missing key" in raised.value.problems[0]


def test_the_bundled_policy_has_no_season_and_does_not_roll(policy):
    assert policy.seasons == ()
    assert policy.extend_to_business_day is False
    assert SEASON_MARK in (ROOT / "policy.toml").read_text(encoding="utf-8")


seasons = st.lists(
    st.tuples(
        st.dates(date(2026, 1, 1), date(2027, 12, 31)),
        st.integers(0, 90),
        st.one_of(st.integers(0, 120), st.integers(-200, 400).map(lambda n: -n - 1)),
    ),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(seasons, st.dates(date(2026, 1, 1), date(2027, 12, 31)), st.integers(0, 60))
def test_a_season_never_shortens_a_window(policy_text, found, ordered, wait):
    tables = ""
    for at, (start, length, window) in enumerate(found):
        end = start + timedelta(days=length)
        last = (
            f"window_days = {window}"
            if window >= 0
            else f'return_by = "{end - timedelta(days=window + 1)}"'
        )
        tables += (
            f'\n[[returns.seasons]]\nname = "S{at}"\nordered_from = "{start}"\n'
            f'ordered_to = "{end}"\n{last}\n'
        )
    policy = parse_policy(with_seasons(policy_text, tables), "s.toml")
    delivered = ordered + timedelta(days=wait)
    plain = deadlines(policy, delivered)
    seasonal = deadlines(policy, delivered, ordered)
    assert seasonal.return_by >= plain.return_by
    assert seasonal.report_damage_by == plain.report_damage_by
    covering = [s for s in policy.seasons if s.covers(ordered)]
    ends = [s.return_by or delivered + timedelta(days=s.window_days or 0) for s in covering]
    assert seasonal.return_by == max([plain.return_by, *ends])


# --- 4. rolling to a business day -------------------------------------------------------------


@functools.cache
def rolling_policy() -> Policy:
    """The bundled policy rolling deadlines to business days, closed on Monday 2026-12-07."""
    text = (ROOT / "policy.toml").read_text(encoding="utf-8")
    text = text.replace("extend_to_business_day = false", "extend_to_business_day = true")
    return parse_policy(text.replace("closures = []", "closures = [2026-12-07]"), "r.toml")


@pytest.fixture
def rolling() -> Policy:
    return rolling_policy()


def test_a_return_deadline_on_thanksgiving_moves_to_the_friday(policy, rolling):
    """Delivered 2026-10-27: day 30 is Thursday 2026-11-26, Thanksgiving."""
    asked = "2026-11-27"
    assert _claim(policy, None, "2026-10-27", asked).decision == "ineligible"
    verdict = _claim(rolling, None, "2026-10-27", asked)
    assert verdict.decision == "eligible"
    assert verdict.deadlines.return_by == date(2026, 11, 27)
    assert verdict.days_left == 0
    assert (
        "Thu 2026-11-26 is not a business day, so that deadline moves to the next business day, "
        "Fri 2026-11-27." in verdict.rules[0].detail
    )


def test_a_deadline_rolls_over_a_weekend_and_a_closure(rolling):
    """Delivered 2026-11-05: day 30 is Saturday 2026-12-05; Monday 2026-12-07 is a closure."""
    verdict = _claim(rolling, None, "2026-11-05", "2026-12-08")
    assert verdict.decision == "eligible"
    assert verdict.deadlines.return_by == date(2026, 12, 8)
    assert verdict.deadlines.moved[0] == ("return_by", date(2026, 12, 5))


def test_a_damage_deadline_rolls_and_its_detail_says_so(rolling):
    """Delivered Sunday 2026-11-22: day 7 is Sunday 2026-11-29, reported on Monday."""
    claim = parse_claim(
        rolling,
        {"delivered": "2026-11-22", "requested": "2026-11-30", "reason": "damaged", "photos": True},
        date(2026, 11, 30),
    )
    verdict = evaluate(rolling, claim)
    assert verdict.deadlines.report_damage_by == date(2026, 11, 30)
    window = next(rule for rule in verdict.rules if rule.id == "damage-window")
    assert window.outcome == "pass"
    assert "Sun 2026-11-29 is not a business day" in window.detail


def test_the_deadlines_command_says_a_date_was_moved(run, tmp_path, policy_text):
    path = tmp_path / "r.toml"
    path.write_text(
        policy_text.replace("extend_to_business_day = false", "extend_to_business_day = true"),
        encoding="utf-8",
    )
    result = run("deadlines", "--policy", str(path), "--delivered", "2026-10-27", "--json")
    found = {d["id"]: d for d in _json(result.out)["deadlines"]}  # type: ignore[attr-defined]
    assert found["return_by"]["date"] == "2026-11-27"
    assert "Thu 2026-11-26 is not a business day" in found["return_by"]["description"]


@settings(max_examples=60, deadline=None)
@given(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
def test_rolling_never_moves_a_deadline_earlier_and_lands_on_a_business_day(delivered):
    rolling = rolling_policy()
    calendar = business_calendar(rolling)
    counted = deadlines(rolling._replace(extend_to_business_day=False), delivered)
    rolled = deadlines(rolling, delivered)
    for name in ("return_by", "report_damage_by", "damage_review_until"):
        before, after = getattr(counted, name), getattr(rolled, name)
        assert after >= before
        assert calendar.is_business_day(after)
        day = before
        while day < after:  # every day it skipped was a day the store was closed
            assert not calendar.is_business_day(day)
            day += timedelta(days=1)
        assert (name in dict(rolled.moved)) == (after != before)


def test_batch_over_versions_lists_error_lines_in_order(run, versions, tmp_path):
    """An error found by a version's evaluator (a bad category, line 2) and one found by the
    routing (no version in force, line 3): the summary lists them in line order."""
    source = tmp_path / "errors.csv"
    source.write_text(
        "claim_id,delivered,category\nA,2026-12-05,hats\nB,2026-01-05,rings\n", encoding="utf-8"
    )
    result = run("batch", str(source), "--policy", str(versions), "--format", "csv")
    assert "2 errors (lines 2, 3)" in result.err


def test_deadlines_in_a_season_count_the_seasons_window_and_name_it(run, tmp_path, policy_text):
    """`deadlines` says the season's window (68 days from a Nov 24 delivery to Jan 31), then the
    season's note, after a space; without an order date, the normal 30 days and no note."""
    path = tmp_path / "season.toml"
    path.write_text(with_seasons(policy_text, HOLIDAYS), encoding="utf-8")
    common = ("deadlines", "--policy", str(path), "--delivered", "2026-11-24", "--json")
    seasonal = json.loads(run(*common, "--ordered", "2026-11-20").out)
    plain = json.loads(run(*common).out)
    found = {d["id"]: d for d in seasonal["deadlines"]}
    assert found["return_by"]["date"] == "2027-01-31"
    text = found["return_by"]["description"]
    assert "68 days from delivery. Ordered on 2026-11-20, in the Holidays 2026 season" in text
    normal = {d["id"]: d for d in plain["deadlines"]}["return_by"]
    assert normal["date"] == "2026-12-24"
    assert "30 days from delivery." in normal["description"]
    assert "season" not in normal["description"]
