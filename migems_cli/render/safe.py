"""Text from files made safe for a terminal: control characters shown, never sent raw.

Every piece of text that comes from a file (CSV cells, policy texts, paths in error lines) goes
through `visible` before it reaches a terminal, so an ESC (`\\x1b[2J` clears the screen), an OSC-8
link, an 8-bit CSI (U+009B) or a bidi override in a claim id or a policy text is printed as its
escape, like Python writes it: `\\x1b`, `\\x9b`, `\\u202e`. JSON and CSV output keep data as is.
No rich import here: `cli._fail` uses it on every error.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the bidi embeddings, overrides, isolates and marks, and the Unicode
# line and paragraph separators (a terminal may start a new line at them).
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_CONTROL_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, newlines: bool = False) -> str:
    """`text` with every control character written as its escape (`\\x1b`, `\\u202e`).

    `newlines=True` keeps line breaks (a policy text may have several lines); a CSV cell or an
    error line keeps none, so it can never pose as another row or another line.
    """
    pattern = _CONTROL_BUT_NEWLINE if newlines else _CONTROL
    return pattern.sub(_escape, text)
