"""The parsed-policy cache: used only for the very same text, never trusted over validation."""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path

import pytest

from migems_cli import policy_cache
from migems_cli.errors import PolicyError
from migems_cli.policy_load import parse_policy


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MIGEMS_NO_CACHE", raising=False)
    return tmp_path / "migems" / "policy.marshal"


def test_a_valid_policy_is_cached_and_then_read_back_without_parsing(
    cache_home: Path, policy_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = parse_policy(policy_text, "policy.toml")
    assert cache_home.exists()
    assert policy_cache.cached(policy_text) is not None

    def no_toml(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr("tomllib.loads" if sys.version_info >= (3, 11) else "tomli.loads", no_toml)
    second = parse_policy(policy_text, "policy.toml")
    assert second.return_window_days == first.return_window_days
    assert second.statuses == first.statuses
    assert second.rules == first.rules


def test_other_text_is_a_miss(cache_home: Path, policy_text: str) -> None:
    parse_policy(policy_text)
    changed = policy_text.replace("window_days = 30", "window_days = 31")
    assert changed != policy_text
    assert policy_cache.cached(changed) is None
    assert parse_policy(changed).return_window_days == 31


def test_an_invalid_policy_is_not_cached(cache_home: Path, policy_text: str) -> None:
    broken = policy_text.replace("window_days = 30", "window_days = -1")
    with pytest.raises(PolicyError):
        parse_policy(broken)
    assert not cache_home.exists()


def test_cached_data_is_validated_all_the_same(cache_home: Path, policy_text: str) -> None:
    """Even a cache file that lies about the text's content cannot make a bad policy load."""
    cache_home.parent.mkdir(parents=True)
    cache_home.write_bytes(marshal.dumps((policy_cache._KEY, policy_text, {"store": {}})))
    with pytest.raises(PolicyError, match="missing"):
        parse_policy(policy_text)


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps([1, 2]), b"\xe3" * 40])
def test_a_damaged_cache_file_is_ignored(
    cache_home: Path, policy_text: str, content: bytes
) -> None:
    cache_home.parent.mkdir(parents=True)
    cache_home.write_bytes(content)
    assert policy_cache.cached(policy_text) is None
    assert parse_policy(policy_text).return_window_days == 30
    assert policy_cache.cached(policy_text) is not None  # rewritten


def test_an_unwritable_cache_folder_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy_text: str
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert parse_policy(policy_text).return_window_days == 30
    assert list(tmp_path.iterdir()) == [blocker]


def test_no_cache_when_turned_off(
    cache_home: Path, policy_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIGEMS_NO_CACHE", "1")
    parse_policy(policy_text)
    assert not cache_home.exists()
    assert not os.listdir(cache_home.parent.parent)


def test_a_second_run_does_not_import_a_toml_parser(tmp_path: Path) -> None:
    """The point of the cache: once warm, commands skip tomllib's import and parse."""
    from tests.helpers import modules_after

    env = {**os.environ, "MIGEMS_TODAY": "2026-11-26", "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("MIGEMS_POLICY", None)
    env.pop("MIGEMS_NO_CACHE", None)
    cold = modules_after(["status", "processing", "--json"], ("tomllib", "tomli"), env)
    warm = modules_after(["status", "processing", "--json"], ("tomllib", "tomli"), env)
    assert (cold.code, warm.code) == (0, 0)
    assert cold.modules != []
    assert warm.modules == []
    assert warm.out == cold.out
