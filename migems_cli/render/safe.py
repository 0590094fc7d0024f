"""Text from files made safe for a terminal: control characters shown, never sent raw.

Every piece of text that comes from a file (CSV cells, policy texts, paths in error lines) goes
through `visible` before it reaches a terminal, so an ESC (`\\x1b[2J` clears the screen), an OSC-8
link, an 8-bit CSI (U+009B) or a bidi override in a claim id or a policy text is printed as its
escape, like Python writes it: `\\x1b`, `\\x9b`, `\\u202e`. CSV files and pipes keep data as
is (CSV on a terminal goes through `visible`); JSON text goes through `json_safe`, which escapes
the same characters losslessly.
No rich import here: `cli._fail` uses it on every error.
"""

from __future__ import annotations

import re
from functools import cache

# C1 controls, DEL, the bidi embeddings, overrides, isolates and marks, the Unicode line and
# paragraph separators (a terminal may start a new line at them) and lone surrogates (a file
# name that was not UTF-8, which no encoder could write). With the C0 controls: what `visible`
# shows escaped; alone: what `json_safe` escapes (json.dumps escapes C0 itself).
_UNSAFE = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CLASSES = {
    "all": f"[\x00-\x1f{_UNSAFE}]",
    "but_newline": f"[\x00-\x09\x0b-\x1f{_UNSAFE}]",
    "json": f"[{_UNSAFE}]",
}


@cache
def _pattern(name: str) -> re.Pattern[str]:
    """Compiled on first use (about 0.5 ms each): most runs need one of them, or none."""
    return re.compile(_CLASSES[name])


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
    if text.isprintable():  # every character in the classes above is unprintable
        return text
    return _pattern("but_newline" if newlines else "all").sub(_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(text: str) -> str:
    """JSON text (from json.dumps, which escapes C0 controls) with DEL, the C1 controls, the
    bidi controls and the line separators written as `\\uXXXX` too: the same data after
    json.loads, and nothing a terminal would act on. Such characters can only be inside
    strings, so the text stays valid JSON. ASCII text without DEL (nearly every line) is
    returned at once.
    """
    if text.isascii() and "\x7f" not in text:
        return text
    return _pattern("json").sub(_json_escape, text)


def visible_lines(text: str, tabs: bool = False) -> str:
    """Lines for a terminal: CRLF line ends made LF, every other control character visible
    (tabs kept when `tabs`: the cell separator of tab-separated text)."""
    text = text.replace("\r\n", "\n")
    if tabs:
        return "\t".join(visible(part, newlines=True) for part in text.split("\t"))
    return visible(text, newlines=True)
