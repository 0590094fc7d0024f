"""Hostile policy files (issue 9, items 4 and 7): `policy check` rejects each one with
`file:line: key: message`, and every command given it fails with one `Error: invalid policy` line
(exit 2): no traceback, no hang, no runaway memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, TODAY, Result

Run = Callable[..., Result]

CSV = ROOT / "tests" / "fixtures" / "batch" / "extra_missing.csv"
# One invocation of every command that loads the policy (`--policy` is added after the name).
COMMANDS: dict[str, list[str]] = {
    "check": ["check", "--delivered", "2026-11-03", "--category", "rings", "--price", "120"],
    "check-damaged": ["check", "--delivered", "2026-11-20", "--reason", "damaged", "--json"],
    "deadlines": ["deadlines", "--ordered", "2026-11-13", "--delivered", "2026-11-19"],
    "refund": ["refund", "--received", "2026-11-06", "--price", "120", "--shipping", "22"],
    "status": ["status", "processing", "--ordered", "2026-11-20"],
    "ring-size": ["ring-size"],
    "ring-size-measure": ["ring-size", "--circumference", "54.4", "--json"],
    "batch": ["batch", str(CSV), "--format", "jsonl"],
    "policy-show": ["policy", "show"],
}


def with_policy(argv: list[str], path: Path | str) -> list[str]:
    at = 2 if argv[0] == "policy" else 1
    return [*argv[:at], "--policy", str(path), *argv[at:]]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def assert_invalid_everywhere(run: Run, path: Path, expected: str) -> None:
    """`policy check PATH` lists `expected` (a line, or its start); every command exits 2 with
    one `Error: invalid policy` line."""
    checked = run("policy", "check", str(path))
    assert checked.code == 2, checked
    assert "Traceback" not in checked.err
    errors = [line for line in checked.err.splitlines() if ": warning: " not in line]
    assert any(line.startswith(expected) for line in errors), (expected, errors)
    assert checked.out.endswith(" errors, 0 warnings)\n") or "INVALID" in checked.out
    for name, argv in COMMANDS.items():
        result = run(*with_policy(argv, path))
        assert result.code == 2, (name, result)
        assert result.err.startswith("Error: invalid policy: "), (name, result.err)
        assert result.err.count("\n") == 1, (name, result.err)
        assert result.out == "", name


# -- numbers: bounded, finite ---------------------------------------------------------------------

NUMBER_ATTACKS = [
    # (what, old text, new text, key, message fragment)
    ("inf circumference", "min_circumference_mm = 35", "min_circumference_mm = inf",
     "ring_sizes.min_circumference_mm", "must be a finite number"),
    ("-inf chart start", "from = 3\n", "from = -inf\n", "ring_sizes.chart.from",
     "must be a finite number"),
    ("nan formula", 'base_mm = "11.6332"', "base_mm = nan", "ring_sizes.systems[0].base_mm",
     "must be a finite number"),
    ("nan step", 'step = "0.25"\nlabel', "step = nan\nlabel", "ring_sizes.systems[0].step",
     "must be a finite number"),
    ("billion-day window", "window_days = 30", "window_days = 1000000000", "returns.window_days",
     "must be at most 3660"),
    ("int64 window", "window_days = 30", "window_days = 9223372036854775807",
     "returns.window_days", "must be at most 3660"),
    ("huge damage review", "review_until_days = 30", "review_until_days = 99999",
     "damage.review_until_days", "must be at most 3660"),
    ("huge refund days", "max_business_days = 10\n", "max_business_days = 100000\n",
     "refund.max_business_days", "must be at most 2610"),
    ("huge transit", "min_business_days = 10\nmax_business_days = 15",
     "min_business_days = 10\nmax_business_days = 1500000", "shipping.zones[1].max_business_days",
     "must be at most 2610"),
    ("chart to a million", "to = 13", "to = 1e6", "ring_sizes.chart.to", "must be"),
    ("chart off its system's steps", 'step = "0.25"\n\n', 'step = "0.000001"\n\n',
     "ring_sizes.chart.step", "rows"),
    ("fraction with a huge denominator", 'mm_per_size = "1/3"',
     'mm_per_size = "1/' + "9" * 40 + '"', "ring_sizes.systems[3].mm_per_size", "must be"),
    ("giant circumference bound", "max_circumference_mm = 80", "max_circumference_mm = 1e300",
     "ring_sizes.max_circumference_mm", "must be"),
    ("many neighbours", "neighbours = 2", "neighbours = 1000000000000",
     "ring_sizes.neighbours", "must be"),
    ("huge shipping rate", 'rate = "22.00"', 'rate = "' + "9" * 40 + '.00"',
     "shipping.zones[0].rate", "is not an amount"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [attack[1:] for attack in NUMBER_ATTACKS],
    ids=[attack[0] for attack in NUMBER_ATTACKS],
)
def test_numbers_out_of_bounds_are_rejected_everywhere(
    run: Run, tmp_path: Path, policy_text: str, old: str, new: str, key: str, message: str
) -> None:
    text = replace_once(policy_text, old, new)
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    changed = next(part for part in new.splitlines() if part not in old.splitlines())
    line = line_of(text, changed)
    checked = run("policy", "check", str(path), "--json")
    errors = json.loads(checked.out)["errors"]
    assert any(e.startswith(f"{path}:{line}: {key}: ") and message in e for e in errors), errors
    assert_invalid_everywhere(run, path, f"{path}:{line}: {key}: ")


def test_a_chart_of_ten_million_rows_is_rejected(
    run: Run, tmp_path: Path, policy_text: str
) -> None:
    text = replace_once(policy_text, 'step = "0.25"\n\n', 'step = "0.000001"\n\n')
    text = replace_once(text, 'step = "0.25"\nlabel', 'step = "0.000001"\nlabel')
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    line = line_of(text, 'step = "0.000001"')
    assert_invalid_everywhere(run, path, f"{path}:{line}: ring_sizes.chart.step: ")


def test_the_largest_valid_numbers_still_work(run: Run, tmp_path: Path, policy_text: str) -> None:
    """Both sides of each bound: at the bound the policy is valid and every command answers."""
    text = policy_text
    for old, new in (
        ("window_days = 30", "window_days = 3660"),
        ("review_until_days = 30", "review_until_days = 3660"),
        ("max_business_days = 10\n", "max_business_days = 2610\n"),
        ("min_business_days = 10\nmax_business_days = 15", "min_business_days = 2610\n"
         "max_business_days = 2610"),
    ):  # fmt: skip
        text = replace_once(text, old, new)
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    assert run("policy", "check", str(path)).code == 0
    for name, argv in COMMANDS.items():
        result = run(*with_policy(argv, path))
        assert result.code in (0, 1, 3), (name, result)
    assert json.loads(run(*with_policy(COMMANDS["check-damaged"], path)).out)["deadlines"]


# -- templates: bare {name} fields only -----------------------------------------------------------

TEMPLATE_ATTACKS = [
    ("{support_email!r:>99999999}", "conversion"),
    ("{support_email:>99999999}", "format spec"),
    ("{support_email!s}", "conversion"),
    ("{support_email:}", "format spec"),
    ("{support_email.__class__}", "attribute"),
    ("{support_email[0]}", "index"),
    ("{support_email:{window}}", "format spec"),
]


@pytest.mark.parametrize(("field", "message"), TEMPLATE_ATTACKS)
def test_templates_take_bare_fields_only(
    run: Run, tmp_path: Path, policy_text: str, field: str, message: str
) -> None:
    old = "still have not received your refund, contact us at {support_email}."
    text = replace_once(policy_text, old, old.replace("{support_email}", field))
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    line = line_of(text, field)
    checked = run("policy", "check", str(path), "--json")
    errors = json.loads(checked.out)["errors"]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path}:{line}: refund.late_refund_steps[3]: "), errors
    assert message in errors[0]
    assert_invalid_everywhere(run, path, f"{path}:{line}: refund.late_refund_steps[3]: ")


def test_a_format_spec_in_a_rule_text_is_rejected(
    run: Run, tmp_path: Path, policy_text: str
) -> None:
    text = replace_once(policy_text, "the {window}-day return window (last", "the {window:>9999}")
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    line = line_of(text, "{window:>9999}")
    assert_invalid_everywhere(run, path, f"{path}:{line}: rules.return-window.pass: ")


# -- control characters in texts (item 7) ---------------------------------------------------------

CONTROLS = [
    ("\\u001b", "U+001B"),  # ESC: starts every terminal escape sequence
    ("\\u0007", "U+0007"),  # BEL
    ("\\t", "U+0009"),
    ("\\n", "U+000A"),
    ("\\r", "U+000D"),
    ("\\u0000", "U+0000"),
    ("\\u007f", "U+007F"),  # DEL
    ("\\u009b", "U+009B"),  # 8-bit CSI
    ("\\u0085", "U+0085"),  # NEL
    ("\\u202e", "U+202E"),  # right-to-left override
    ("\\u2066", "U+2066"),  # left-to-right isolate
]


TEXTS = [
    ('name = "MIGEMS"', "store.name"),
    ('name = "Processing"', "statuses[0].name"),
    ('label = "Changed mind"', "reasons[0].label"),
    ('"First check your bank account again."', "refund.late_refund_steps[0]"),
    ('name = "ring"', "categories[0].name"),
    ('support_email = "support@', "store.support_email"),
    ('"China: there is', "ring_sizes.notes[0]"),
]
# Every control character in one text and in one array item; ESC in every kind of text.
CASES = [(*control, *text) for control in CONTROLS for text in (TEXTS[0], TEXTS[3])] + [
    (*CONTROLS[0], *text) for text in TEXTS if text not in (TEXTS[0], TEXTS[3])
]


@pytest.mark.parametrize(("escape", "code", "old", "key"), CASES)
def test_control_characters_in_policy_texts_are_rejected(
    run: Run, tmp_path: Path, policy_text: str, escape: str, code: str, old: str, key: str
) -> None:
    new = old[:-1] + escape + old[-1] if old.endswith('"') else old + escape
    text = replace_once(policy_text, old, new)
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    expected = f"{path}:{line_of(text, new)}: {key}: contains a control character ({code})"
    checked = run("policy", "check", str(path), "--json")
    assert expected in json.loads(checked.out)["errors"]
    result = run(*with_policy(COMMANDS["status"], path))
    assert result.code == 2
    assert result.err.startswith("Error: invalid policy: ")
    assert "\x1b" not in result.err
    assert "\x9b" not in result.err


def test_a_raw_control_character_in_an_unknown_key_is_shown_escaped(
    run: Run, tmp_path: Path, policy_text: str
) -> None:
    text = replace_once(policy_text, "[store]\n", '[store]\n"bad\\u001b[2Jkey" = 1\n')
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    checked = run("policy", "check", str(path))
    assert checked.code == 2
    assert "\x1b" not in checked.err + checked.out
    assert "store.bad\\x1b[2Jkey: unknown key" in checked.err


def test_error_messages_cut_long_values(run: Run, tmp_path: Path, policy_text: str) -> None:
    text = replace_once(policy_text, 'currency = "USD"', f'currency = "{"X" * 100_000}"')
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    checked = run("policy", "check", str(path))
    assert checked.code == 2
    assert "store.currency" in checked.err
    assert len(checked.err) < 2000


# -- structure: nesting ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 5000])
@pytest.mark.parametrize(("open_", "close"), [("[", "]"), ("{a = ", "}")])
def test_deep_nesting_is_an_error_not_a_recursion_error(
    run: Run, tmp_path: Path, policy_text: str, depth: int, open_: str, close: str
) -> None:
    text = f"deep = {open_ * depth}1{close * depth}\n" + policy_text
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    assert_invalid_everywhere(run, path, f"{path}:1: deep: ")


def test_deep_nesting_inside_a_known_key(run: Run, tmp_path: Path, policy_text: str) -> None:
    text = replace_once(policy_text, "closures = []", "closures = " + "[" * 3000 + "]" * 3000)
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    assert_invalid_everywhere(run, path, f"{path}:{line_of(text, 'closures =')}: calendar.closures")


# -- the file itself: regular, capped, opened without blocking ------------------------------------


def test_a_symlink_loop_is_one_line(run: Run, tmp_path: Path) -> None:
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    checked = run("policy", "check", str(loop))
    assert checked.code == 2
    assert "Traceback" not in checked.err
    assert f"{loop}: cannot read: " in checked.err
    for name, argv in COMMANDS.items():
        result = run(*with_policy(argv, loop))
        assert result.code == 2, name
        assert result.err.startswith("Error: invalid policy: "), (name, result.err)


def test_a_symlink_to_a_valid_policy_is_followed(run: Run, tmp_path: Path) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(ROOT / "policy.toml")
    assert run("policy", "check", str(link)).code == 0
    assert run(*with_policy(COMMANDS["status"], link)).code == 0


def test_a_policy_over_the_size_cap_is_refused(run: Run, tmp_path: Path, policy_text: str) -> None:
    path = tmp_path / "big.toml"
    path.write_text(policy_text + ("# padding\n" * 110_000), encoding="utf-8")
    assert path.stat().st_size > 1024 * 1024
    checked = run("policy", "check", str(path))
    assert checked.code == 2
    assert f"{path}: too large" in checked.err
    assert_invalid_everywhere(run, path, f"{path}: too large")


def test_a_policy_just_under_the_cap_is_read(run: Run, tmp_path: Path, policy_text: str) -> None:
    path = tmp_path / "padded.toml"
    padding = 1024 * 1024 - len(policy_text.encode())
    path.write_text(policy_text + "#" * (padding - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == 1024 * 1024
    assert run("policy", "check", str(path)).code == 0


def test_a_directory_is_not_a_policy(run: Run, tmp_path: Path) -> None:
    checked = run("policy", "check", str(tmp_path))
    assert checked.code == 2
    assert checked.err.startswith(f"{tmp_path}: ")


def _migems(
    args: list[str], tmp_path: Path, timeout: float = 20, memory: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The console script in a fresh interpreter, with a time limit (and a memory limit)."""
    env = dict(os.environ, MIGEMS_TODAY=TODAY.isoformat(), NO_COLOR="1", COLUMNS="100")
    env.pop("MIGEMS_POLICY", None)

    def limit() -> None:  # pragma: no cover - runs in the child
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "migems_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
        preexec_fn=limit,
        cwd=tmp_path,
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_as_the_policy_is_refused_at_once(tmp_path: Path) -> None:
    for argv in (["policy", "check", "/dev/zero"], with_policy(COMMANDS["status"], "/dev/zero")):
        done = _migems(argv, tmp_path, memory=2 * 1024**3)
        assert done.returncode == 2, done
        assert "not a regular file" in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_the_policy_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "policy.fifo"
    os.mkfifo(fifo)
    for argv in (["policy", "check", str(fifo)], with_policy(COMMANDS["check"], fifo)):
        done = _migems(argv, tmp_path)
        assert done.returncode == 2, done
        assert "not a regular file" in done.stderr
        assert done.stderr.count("\n") == 1


def test_ring_chart_to_a_million_fails_fast_in_a_fresh_interpreter(
    tmp_path: Path, policy_text: str
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(replace_once(policy_text, "to = 13", "to = 1e6"), encoding="utf-8")
    done = _migems(with_policy(["ring-size"], path), tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("Error: invalid policy: ")
    assert "ring_sizes.chart.to" in done.stderr
