"""Shared fixtures: the bundled policy, a fixed today, and a runner for the real entry point."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.helpers")  # its shared assertions report like the tests'

from migems_cli.policy import Policy, bundled_policy_path  # noqa: E402
from migems_cli.policy_load import load_policy  # noqa: E402
from tests.helpers import run_main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 26)
_CACHE = tempfile.mkdtemp(prefix="migems-test-cache-")


def pytest_configure(config: pytest.Config) -> None:
    """Keep the policy cache (and anything else cached) out of the real home folder."""
    os.environ["XDG_CACHE_HOME"] = _CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(bundled_policy_path())


@pytest.fixture(scope="session")
def policy_text() -> str:
    return (ROOT / "policy.toml").read_text(encoding="utf-8")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Call `migems_cli.cli.main` as the console script does; return exit code and streams."""
    monkeypatch.delenv("MIGEMS_POLICY", raising=False)
    monkeypatch.setenv("MIGEMS_TODAY", TODAY.isoformat())
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")

    def _run(*args: str) -> Result:
        return Result(*run_main(list(args), capsys))

    return _run
