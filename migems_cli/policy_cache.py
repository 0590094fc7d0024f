"""A cache of parsed policy TOML, so that a command need not import and run a TOML parser.

One file in the user's cache folder holds the data TOML parsing gave for the last valid policy,
in `marshal` (the format of Python's own .pyc files), after a header that binds it:

    MAGIC (format and Python version) | SHA-256 of the policy's bytes | SHA-256 of the payload

It is used only when both digests match: for the very same policy bytes, and only if the data
is exactly what was written (a flipped bit is a miss, never other data). The data is validated
on every run all the same, and error lines always come from the policy text, so the cache can
only save parsing. The file is opened without following links or blocking, and used only when
it is a regular file of this user, not writable by others, under a size cap. Any trouble
reading or writing it is a miss (the next valid load rewrites it). `MIGEMS_NO_CACHE=1` turns it
off. Nothing here defends against someone who may write this user's files: they could as well
edit the policy.

TOML dates (`closures = [2026-12-24]`, a season's `ordered_from = 2026-11-15`), which marshal
cannot hold, are written as ("date", "YYYY-MM-DD") tuples (TOML itself never gives a tuple) and
read back as dates; a payload is marked when it holds any, so other policies pay nothing.

Why keep it (measured for issue 9, bench/startup.py and best of 40 runs, loaded machine): it
saves tomllib's import and parse, 3-5 ms of a 75-85 ms start (`status processing --json`: 1.20x
the Typer floor with it, 1.27x without, against the SPEC's 1.3x).
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
from contextlib import suppress
from datetime import date, datetime
from typing import Any

# The C SHA-256 that hashlib falls back on: importing hashlib loads OpenSSL, 2.5 ms of every
# start here against 0.15 ms, and for a few kB the OpenSSL speed does not pay that back.
try:
    from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python >= 3.12
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]

# What the cached data depends on besides the policy bytes: this format, and the interpreter
# that wrote it (marshal's format may change between Python versions).
MAGIC = b"migems-policy-cache-3 py%d.%d\n" % sys.version_info[:2]
DIGEST_SIZE = 32
MAX_BYTES = 4 * 1024 * 1024  # a policy is at most 1 MiB, and its data marshals to less
_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_WRITE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def path() -> str | None:
    """The cache file, or None when caching is turned off."""
    if os.environ.get("MIGEMS_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "migems", "policy.marshal")


def digest(data: bytes) -> bytes:
    """The SHA-256 of `data`: what the cache files (this one's and the render cache's) use."""
    found: bytes = sha256(data).digest()
    return found


# The policy bytes last hashed, and their digest: loading a policy hashes the same bytes for the
# cache look-up, for the policy's identity and, when valid, for storing it; once is enough.
_last_raw: tuple[bytes, bytes] | None = None


def _raw_digest(raw: bytes) -> bytes:
    """`digest(raw)` of policy bytes, computed once for the same bytes object."""
    global _last_raw
    if _last_raw is not None and _last_raw[0] is raw:
        return _last_raw[1]
    found = digest(raw)
    _last_raw = (raw, found)
    return found


def short_digest(raw: bytes) -> str:
    """The first 12 hex digits of the SHA-256 of `raw`: how a policy file is named on record."""
    return _raw_digest(raw).hex()[:12]


_PLAIN, _DATED = b"-", b"D"  # the payload's first byte: whether it holds encoded dates
_DATE = "date"


def pack(raw: bytes, data: dict[str, Any]) -> bytes:
    """The cache file's bytes for `data` parsed from policy bytes `raw` (ValueError: unmarshalable,
    such as TOML date-times; dates are encoded)."""
    try:
        payload = _PLAIN + marshal.dumps(data)
    except ValueError:
        payload = _DATED + marshal.dumps(_encode(data))
    return seal(MAGIC, _raw_digest(raw), payload)


def seal(magic: bytes, key: bytes, payload: bytes) -> bytes:
    """`payload` framed for a cache file: `magic`, the `key` it answers for, the payload's own
    digest, the payload (the render cache's files are framed the same way)."""
    return magic + key + digest(payload) + payload


def opened(magic: bytes, key: bytes, blob: bytes) -> bytes | None:
    """The payload of a `seal`ed `blob`, or None unless its magic, key and digest all match."""
    start = len(magic) + len(key)
    body = start + DIGEST_SIZE
    if len(blob) < body or not blob.startswith(magic) or blob[len(magic) : start] != key:
        return None
    payload = blob[body:]
    return payload if blob[start:body] == digest(payload) else None


def _encode(value: Any) -> Any:
    """`value` with each date as a ("date", ISO) tuple (ValueError: another kind marshal refuses)."""
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, date) and not isinstance(value, datetime):
        return (_DATE, value.isoformat())
    return value


def _decode(value: Any) -> Any:
    """`_encode` undone (ValueError, TypeError: not what `_encode` writes)."""
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, tuple):
        tag, text = value
        if tag != _DATE:
            raise ValueError(tag)
        return date.fromisoformat(text)
    return value


def unpack(raw: bytes, blob: bytes) -> dict[str, Any] | None:
    """The data `blob` holds for policy bytes `raw`, or None unless every check passes."""
    payload = opened(MAGIC, _raw_digest(raw), blob)
    if payload is None:
        return None
    kind = payload[:1]
    try:
        data = marshal.loads(memoryview(payload)[1:])
        if kind == _DATED:
            data = _decode(data)
        elif kind != _PLAIN:
            return None
    except (EOFError, ValueError, TypeError, MemoryError):  # MemoryError: a length it announces
        return None
    return data if isinstance(data, dict) else None


def cached(raw: bytes) -> dict[str, Any] | None:
    """The parsed data of the policy bytes `raw` if the cache holds it, else None."""
    where = path()
    if where is None:
        return None
    blob = read_trusted(where, MAX_BYTES)
    return None if blob is None else unpack(raw, blob)


def read_trusted(where: str, limit: int) -> bytes | None:
    """The bytes of the cache file `where`, or None when it is missing, not `_trusted`, larger
    than `limit` or unreadable (also the render cache's way to read its files)."""
    try:
        fd = os.open(where, _READ | _CLOEXEC)
    except OSError:  # missing, a symbolic link (ELOOP), a socket ...
        return None
    try:
        info = os.fstat(fd)
        if not _trusted(info, limit):
            return None
        return _read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def _trusted(info: os.stat_result, limit: int = MAX_BYTES) -> bool:
    """A regular file under the cap, of this user, that no one else may write."""
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        return False
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def _read(fd: int, limit: int) -> bytes | None:
    """Everything `fd` holds, or None when that is more than `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = os.read(fd, limit + 1 - size)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def store(raw: bytes, data: dict[str, Any]) -> None:
    """Keep `data` as the parse of the policy bytes `raw` (written whole, then renamed into
    place; a link or anything else at the cache path is replaced, never written through)."""
    where = path()
    if where is None:
        return
    try:
        blob = pack(raw, data)
    except ValueError:
        return
    write_atomic(where, blob)


def write_atomic(where: str, blob: bytes) -> bool:
    """Put `blob` at `where` whole or not at all (also the render cache's way to write): written
    to a new file of this user's, then renamed into place. False when that failed."""
    temporary = f"{where}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(os.path.dirname(where), mode=0o700, exist_ok=True)
        fd = os.open(temporary, _WRITE | _CLOEXEC, 0o600)
    except OSError:
        return False
    try:
        with open(fd, "wb") as file:
            file.write(blob)
        os.replace(temporary, where)
    except OSError:
        with suppress(OSError):
            os.unlink(temporary)
        return False
    return True
