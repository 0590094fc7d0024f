"""A cache of parsed policy TOML, so that a command need not import and run a TOML parser.

One file in the user's cache folder holds the text of the last valid policy parsed and the
data TOML parsing gave, in `marshal` (the format of Python's own .pyc files). It is used only
when the policy text is exactly the same; the data is still validated on every run, so the
cache only saves parsing. Any trouble reading or writing it is ignored. `MIGEMS_NO_CACHE=1`
turns it off.
"""

from __future__ import annotations

import marshal
import os
import sys
from contextlib import suppress
from typing import Any

# What the cached data depends on besides the text: this format, and the interpreter that
# wrote it (marshal's format may change between Python versions).
_KEY = ("migems-policy-1", sys.version_info[:2])


def _path() -> str | None:
    if os.environ.get("MIGEMS_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "migems", "policy.marshal")


def cached(text: str) -> dict[str, Any] | None:
    """The parsed data of `text` if the cache holds it, else None."""
    path = _path()
    if path is None:
        return None
    try:
        with open(path, "rb") as file:
            key, cached_text, data = marshal.loads(file.read())  # whole: load() reads in bits
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if key != _KEY or cached_text != text or not isinstance(data, dict):
        return None
    return data


def store(text: str, data: dict[str, Any]) -> None:
    """Keep `data` as the parse of `text` (written whole, then renamed into place)."""
    path = _path()
    if path is None:
        return
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        payload = marshal.dumps((_KEY, text, data))  # ValueError for TOML dates and times
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(payload)
        os.replace(temporary, path)
    except (OSError, ValueError):
        with suppress(OSError):
            os.unlink(temporary)
