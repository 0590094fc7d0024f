"""The parsed-policy cache: used only for the very same bytes and the very data written, never
trusted over validation; a cache may only skip work, never change an answer (issue 9, item 3)."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from migems_cli import policy_cache
from migems_cli.errors import PolicyError
from migems_cli.policy_dump import policy_document
from migems_cli.policy_load import parse_policy
from tests.conftest import ROOT, TODAY, Result

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Run = Callable[..., Result]


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
    assert policy_cache.cached(policy_text.encode()) is not None

    def no_toml(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr("tomllib.loads" if sys.version_info >= (3, 11) else "tomli.loads", no_toml)
    second = parse_policy(policy_text, "policy.toml")
    assert second.return_window_days == first.return_window_days
    assert second.statuses == first.statuses
    assert second.rules == first.rules


def test_a_policy_with_toml_dates_is_cached_and_read_back_as_dates(
    cache_home: Path, policy_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closures, a season and effective_from as TOML dates (marshal holds no dates)."""
    text = policy_text.replace("closures = []", "closures = [2026-12-24, 2026-12-31]")
    text = text.replace('effective_from = "2026-11-26"', "effective_from = 2026-11-26")
    text = text.replace(
        "[damage]\n",
        '[[returns.seasons]]\nname = "Holidays"\nordered_from = 2026-11-15\n'
        "ordered_to = 2026-12-31\nreturn_by = 2027-01-31\n\n[damage]\n",
    )
    first = parse_policy(text, "policy.toml")
    assert policy_cache.cached(text.encode()) == tomllib.loads(text)

    def no_toml(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr("tomllib.loads" if sys.version_info >= (3, 11) else "tomli.loads", no_toml)
    second = parse_policy(text, "policy.toml")
    assert second.calendar.closures == first.calendar.closures
    assert second.seasons == first.seasons
    assert second.identity == first.identity
    assert policy_document(second) == policy_document(first)


def test_a_payload_with_an_unknown_tag_is_a_miss(policy_text: str) -> None:
    raw = policy_text.encode()
    for payload in (b"D" + marshal.dumps({"a": ("time", "10:00")}), b"X" + marshal.dumps({})):
        blob = (
            policy_cache.MAGIC + policy_cache.digest(raw) + policy_cache.digest(payload) + payload
        )
        assert policy_cache.unpack(raw, blob) is None


def test_other_text_is_a_miss(cache_home: Path, policy_text: str) -> None:
    parse_policy(policy_text)
    changed = policy_text.replace("window_days = 30", "window_days = 31")
    assert changed != policy_text
    assert policy_cache.cached(changed.encode()) is None
    assert parse_policy(changed).return_window_days == 31


def test_an_invalid_policy_is_not_cached(cache_home: Path, policy_text: str) -> None:
    broken = policy_text.replace("window_days = 30", "window_days = -1")
    with pytest.raises(PolicyError):
        parse_policy(broken)
    assert not cache_home.exists()


def test_cached_data_is_validated_all_the_same(cache_home: Path, policy_text: str) -> None:
    """Even a cache file written for these bytes cannot make a bad policy load."""
    cache_home.parent.mkdir(parents=True)
    cache_home.write_bytes(policy_cache.pack(policy_text.encode(), {"store": {}}))
    cache_home.chmod(0o600)
    with pytest.raises(PolicyError, match="missing"):
        parse_policy(policy_text)


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps([1, 2]), b"\xe3" * 40])
def test_a_damaged_cache_file_is_ignored(
    cache_home: Path, policy_text: str, content: bytes
) -> None:
    cache_home.parent.mkdir(parents=True)
    cache_home.write_bytes(content)
    assert policy_cache.cached(policy_text.encode()) is None
    assert parse_policy(policy_text).return_window_days == 30
    assert policy_cache.cached(policy_text.encode()) is not None  # rewritten


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux has it")
def test_a_cache_file_that_claims_more_than_memory_holds_is_ignored(
    cache_home: Path, policy_text: str
) -> None:
    """Valid digests around a payload announcing a tuple of 2**31 - 1 items: under a memory
    limit (a container, ulimit -v) marshal raises MemoryError, which must be a miss, not a
    traceback (the render cache reads its files the same way)."""
    raw = policy_text.encode()
    payload = b"-(" + (2**31 - 1).to_bytes(4, "little")
    cache_home.parent.mkdir(parents=True)
    digest = policy_cache._raw_digest(raw)
    cache_home.write_bytes(policy_cache.MAGIC + digest + policy_cache.digest(payload) + payload)
    cache_home.chmod(0o600)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))\n"
        "from migems_cli import policy_cache\n"
        "print(policy_cache.cached(sys.stdin.buffer.read()))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent.parent)}
    env.pop("MIGEMS_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], input=raw, capture_output=True, env=env, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, b"None\n", b"")


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


# -- attacks on the cache (issue 9, item 3) -------------------------------------------------------

# The format the cache had when the attacks were found: (key, policy text, data) in marshal.
OLD_KEY = ("migems-policy-1", sys.version_info[:2])


def _tampered_data(policy_text: str) -> dict[str, object]:
    data = tomllib.loads(policy_text)
    data["returns"]["window_days"] = 3000
    return data


def test_a_cache_whose_data_differs_from_its_text_is_not_used(
    cache_home: Path, policy_text: str, run: Run
) -> None:
    """The reported attack: the text as written, the data of a 3000-day window."""
    cache_home.parent.mkdir(parents=True)
    cache_home.write_bytes(marshal.dumps((OLD_KEY, policy_text, _tampered_data(policy_text))))
    delivered = (TODAY - timedelta(days=40)).isoformat()
    result = run("check", "--delivered", delivered, "--category", "rings", "--json")
    assert result.code == 1
    assert json.loads(result.out)["decision"] == "ineligible"
    assert run("policy", "check").code == 0
    assert parse_policy(policy_text).return_window_days == 30


def test_a_payload_that_does_not_match_its_digest_is_not_used(
    cache_home: Path, policy_text: str
) -> None:
    """Tampered data behind a header written for other data: the payload digest differs."""
    raw = policy_text.encode()
    good = policy_cache.pack(raw, tomllib.loads(policy_text))
    bad = policy_cache.pack(raw, _tampered_data(policy_text))
    header = len(policy_cache.MAGIC) + 2 * policy_cache.DIGEST_SIZE
    cache_home.parent.mkdir(parents=True)
    cache_home.write_bytes(good[:header] + bad[header:])
    cache_home.chmod(0o600)
    assert policy_cache.cached(raw) is None
    assert parse_policy(policy_text).return_window_days == 30


def test_a_cache_for_other_bytes_is_not_used(cache_home: Path, policy_text: str) -> None:
    """Same data, other bytes (one more blank line): the text digest differs."""
    raw = policy_text.encode()
    cache_home.parent.mkdir(parents=True)
    cache_home.write_bytes(policy_cache.pack(raw + b"\n", _tampered_data(policy_text)))
    cache_home.chmod(0o600)
    assert policy_cache.cached(raw) is None
    assert parse_policy(policy_text).return_window_days == 30


def test_bit_flips_in_the_cache_never_change_an_answer(cache_home: Path, policy_text: str) -> None:
    """Any single flipped bit: a miss (the policy parses as without a cache), never other data,
    never an error pinned to a wrong line."""
    expected = policy_document(parse_policy(policy_text, "p.toml"))
    pristine = cache_home.read_bytes()
    step = max(1, len(pristine) // 64)
    for offset in [*range(96), *range(96, len(pristine), step), len(pristine) - 1]:
        flipped = bytearray(pristine)
        flipped[offset] ^= 1 << (offset % 8)
        cache_home.write_bytes(bytes(flipped))
        assert policy_cache.cached(policy_text.encode()) is None, offset
        assert policy_document(parse_policy(policy_text, "p.toml")) == expected, offset
        assert cache_home.read_bytes() == pristine, offset  # rewritten


def test_a_truncated_cache_is_a_miss(cache_home: Path, policy_text: str) -> None:
    parse_policy(policy_text)
    pristine = cache_home.read_bytes()
    for size in (0, 10, len(policy_cache.MAGIC) + 40, len(pristine) // 2, len(pristine) - 1):
        cache_home.write_bytes(pristine[:size])
        assert policy_cache.cached(policy_text.encode()) is None, size


def test_a_cache_others_may_write_is_not_used(cache_home: Path, policy_text: str) -> None:
    parse_policy(policy_text)
    raw = policy_text.encode()
    assert policy_cache.cached(raw) is not None
    for mode in (0o666, 0o620, 0o602):
        cache_home.chmod(mode)
        assert policy_cache.cached(raw) is None, oct(mode)
    cache_home.chmod(0o644)
    assert policy_cache.cached(raw) is not None


def test_a_link_at_the_cache_path_is_not_followed(
    cache_home: Path, policy_text: str, tmp_path: Path
) -> None:
    parse_policy(policy_text)
    elsewhere = tmp_path / "elsewhere.marshal"
    cache_home.rename(elsewhere)
    cache_home.symlink_to(elsewhere)
    assert policy_cache.cached(policy_text.encode()) is None
    assert parse_policy(policy_text).return_window_days == 30
    assert not cache_home.is_symlink()  # replaced by a file of its own; the target untouched
    assert elsewhere.read_bytes() == cache_home.read_bytes()


def test_an_oversized_cache_is_not_read(cache_home: Path, policy_text: str) -> None:
    cache_home.parent.mkdir(parents=True)
    with cache_home.open("wb") as file:
        file.truncate(policy_cache.MAX_BYTES + 1)  # sparse: no disk used
    assert policy_cache.cached(policy_text.encode()) is None


def test_a_planted_link_at_the_temporary_name_is_not_written_through(
    cache_home: Path, policy_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    cache_home.parent.mkdir(parents=True)
    monkeypatch.setattr(os, "urandom", lambda n: b"\x00" * n)
    for name in (f"{cache_home}.{os.getpid()}.tmp", f"{cache_home}.{os.getpid()}.00000000.tmp"):
        Path(name).symlink_to(victim)  # the names this and the earlier version write
    assert parse_policy(policy_text).return_window_days == 30
    assert victim.read_text() == "keep me"


def _migems(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    """The console script with `cache` as XDG_CACHE_HOME, limited in time and memory."""
    env = dict(os.environ, MIGEMS_TODAY=TODAY.isoformat(), XDG_CACHE_HOME=str(cache))
    env.pop("MIGEMS_POLICY", None)
    env.pop("MIGEMS_NO_CACHE", None)

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource  # Unix only, as FIFOs and /dev/zero

        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run(
        [sys.executable, "-m", "migems_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
        check=False,
        preexec_fn=limit,
        cwd=ROOT,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_at_the_cache_path_does_not_hang(tmp_path: Path) -> None:
    target = tmp_path / "migems" / "policy.marshal"
    target.parent.mkdir()
    os.mkfifo(target)
    done = _migems(["status", "processing", "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)
    assert target.is_file()  # replaced by a real cache


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_link_to_dev_zero_at_the_cache_path_is_not_read(tmp_path: Path) -> None:
    target = tmp_path / "migems" / "policy.marshal"
    target.parent.mkdir()
    target.symlink_to("/dev/zero")
    done = _migems(["status", "processing", "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert not target.is_symlink()
    assert Path("/dev/zero").is_char_device()
