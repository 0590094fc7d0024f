"""Shared fixtures: the bundled policy, a fixed today, a runner for the real entry point, and
golden files.

Regenerate the golden files (tests/golden/) after a deliberate change to an output with
    .venv/bin/pytest --update-golden
and read the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.helpers")  # its shared assertions report like the tests'

from migems_cli.policy import Policy  # noqa: E402
from tests.helpers import ENV, TODAY, Result, run_main, shared_policy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
_CACHE = tempfile.mkdtemp(prefix="migems-test-cache-")

__all__ = ["ROOT", "TODAY", "Result"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the real output instead of comparing with it",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Keep the policy cache (and anything else cached) out of the real home folder."""
    os.environ["XDG_CACHE_HOME"] = _CACHE
    os.environ["XDG_DATA_HOME"] = _CACHE  # the default journal too: never the real one
    os.environ.pop("MIGEMS_JOURNAL", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return shared_policy()


@pytest.fixture(scope="session")
def policy_text() -> str:
    return (ROOT / "policy.toml").read_text(encoding="utf-8")


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Call `migems_cli.cli.main` as the console script does; return exit code and streams.

    `run("check", "--delivered", "2026-11-03")`; `env={"COLUMNS": "60"}` sets variables for the
    rest of the test (today is 2026-11-26, colour off and 100 columns unless set)."""
    monkeypatch.delenv("MIGEMS_POLICY", raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)

    def _run(*args: str, env: Mapping[str, str] | None = None) -> Result:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        return Result(*run_main(list(args), capsys))

    return _run


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """`golden("check_eligible.json", text)`: `text` must equal tests/golden/check_eligible.json
    exactly; with `pytest --update-golden` the file is rewritten from `text` instead."""
    update = request.config.getoption("--update-golden")

    def _compare(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as file:
                file.write(text)
        assert path.exists(), f"no golden file {path}: run pytest --update-golden"
        with path.open(encoding="utf-8", newline="") as file:
            assert text == file.read()

    return _compare
