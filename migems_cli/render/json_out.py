"""The JSON renderer: one document on stdout, from explicit `to_dict()`s."""

from __future__ import annotations

import codecs
import json
import sys
from typing import Any

from migems_cli.render.safe import json_safe


def json_text(document: Any, indent: int | None = None) -> str:
    """`document` as JSON text with nothing a terminal would act on and nothing an encoder
    could not write (see `safe.json_safe`): the same data once loaded. For a stdout that does
    not write UTF-8 (an ASCII or Latin-1 terminal, whose writer shows '?' for what it cannot
    encode: see `stdout_guard`), every non-ASCII character is escaped too (\\u00bd, not '?')."""
    return json_safe(json.dumps(document, indent=indent, ensure_ascii=not _utf_stdout()))


def _utf_stdout() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def print_json(document: Any) -> None:
    sys.stdout.write(json_text(document, indent=2) + "\n")
