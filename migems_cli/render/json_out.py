"""The JSON renderer: one document on stdout, from explicit `to_dict()`s."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

# Characters JSON may carry raw but a terminal would act on (C1 controls such as the 8-bit CSI,
# DEL, bidi controls) or an encoder cannot write (a lone surrogate: a file name that was not
# UTF-8); json.dumps escapes the C0 controls itself. Written as \\uXXXX escapes, the document
# still loads to exactly the same data.
_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(document: Any, indent: int | None = None) -> str:
    """`document` as JSON text that is safe on a terminal and in any encoder (see `_UNSAFE`)."""
    return _UNSAFE.sub(_escape, json.dumps(document, indent=indent, ensure_ascii=False))


def print_json(document: Any) -> None:
    sys.stdout.write(json_text(document, indent=2) + "\n")
