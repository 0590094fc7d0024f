"""Read policy.toml into a `Policy`, collecting every error as `file:line: key: message`.

This module reads the file and parses its TOML; `policy_sections` builds and checks each
section with the `policy_checker`."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from migems_cli import policy_cache
from migems_cli.errors import PolicyError
from migems_cli.file_kinds import file_kind
from migems_cli.policy import Policy, display_path
from migems_cli.policy_checker import Checker
from migems_cli.policy_sections import build
from migems_cli.render.safe import visible


def load_policy(path: Path, remember: bool = True, replies: bool = False) -> Policy:
    """Read and validate the policy at `path` (with `replies`, its `[replies]` too).

    Returns the immutable `Policy`. Raises `PolicyError` listing every problem found.
    `remember=False`: not kept in `policy_cache` (which holds one policy: the files of a policy
    directory would only replace each other there).
    """
    source = display_path(path)
    raw = read_policy_bytes(path, source)
    try:
        # a BOM, as Windows editors write, is not TOML ("utf-8-sig" would import its codec)
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(source, [f"{source}: not UTF-8 text: {exc.reason}"]) from None
    return parse_policy(text, source, raw, remember, replies)


MAX_POLICY_BYTES = 1024 * 1024  # a policy file is a regular file of at most 1 MiB (issue 9)


def read_policy_bytes(path: Path, source: str) -> bytes:
    """The bytes of the policy file at `path`: a regular file (links followed) of at most
    `MAX_POLICY_BYTES`, opened without blocking (a FIFO is refused, not waited on)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise PolicyError(source, [f"{source}: cannot read: {exc.strerror or exc}"]) from None
    except ValueError:  # a NUL, or a lone surrogate no file system name can hold
        raise PolicyError(source, [f"{source}: cannot read: not a possible file name"]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = file_kind(info.st_mode)
            raise PolicyError(source, [f"{source}: not a regular file ({kind})"])
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_POLICY_BYTES:  # read to the end, or just past the cap
            chunk = os.read(fd, MAX_POLICY_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise PolicyError(source, [f"{source}: cannot read: {exc.strerror or exc}"]) from None
    finally:
        os.close(fd)
    if size > MAX_POLICY_BYTES:
        raise PolicyError(
            source,
            [
                f"{source}: too large: over {MAX_POLICY_BYTES:,} bytes (a policy file is at most 1 MiB)"
            ],
        )
    return b"".join(chunks)


def parse_policy(
    text: str,
    source: str = "<policy>",
    raw: bytes | None = None,
    remember: bool = True,
    replies: bool = False,
) -> Policy:
    """Validate TOML `text` as a policy; `source` names it in errors. Raises `PolicyError`.

    `raw`: the file's bytes, when `text` was read from a file (else `text` in UTF-8). The TOML
    of a policy that was valid before comes from `policy_cache`, which checks that it was
    written for these very bytes (it is validated all the same); otherwise it is parsed here,
    and cached once it proves valid.
    """
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    data = policy_cache.cached(raw)
    parsed = data is None
    if data is None:
        data = _parse_toml(text, source)
    check = Checker(source, text)
    policy = build(check, data, source, policy_cache.short_digest(raw), replies)
    if check.errors:
        raise PolicyError(source, check.errors)
    if parsed and remember:
        policy_cache.store(raw, data)
    return policy


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised only on Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(source, [_syntax_error(source, str(exc))]) from None
    except RecursionError:  # arrays or inline tables nested hundreds deep
        from migems_cli.policy_lines import deepest

        line, key = deepest(text)
        message = "nested too deeply (a policy nests tables and arrays a few levels at most)"
        raise PolicyError(source, [f"{source}:{line}: {visible(key)}: {message}"]) from None
    except ValueError:  # an integer of thousands of digits: int() refuses to convert it
        match = re.search(r"[0-9_]{4000}", text)
        line = text.count("\n", 0, match.start()) + 1 if match else 1
        message = "a number of thousands of digits"
        raise PolicyError(source, [f"{source}:{line}: syntax: {message}"]) from None


def _syntax_error(source: str, message: str) -> str:
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        bare = visible(message[: match.start()].strip())
        return f"{source}:{match.group(1)}: syntax: {bare} (column {match.group(2)})"
    return f"{source}:1: syntax: {visible(message)}"
