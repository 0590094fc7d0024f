"""Where each key of a TOML document stands, so that policy errors can name a line."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_.-]+)\s*=')


def _dotted(name: str) -> str:
    return ".".join(part.strip().strip('"') for part in name.split("."))


def key_lines(text: str) -> dict[str, int]:
    """Map each dotted key path (arrays of tables as `name[i]`) to its 1-based line.

    Tables map to their header line. This is a line scan, not a parser: it only serves error
    messages, so a key it cannot place falls back to its table's line (see `line_of`).
    """
    lines: dict[str, int] = {}
    counters: dict[str, int] = {}
    table = ""
    depth = 0  # inside a multi-line array or inline table: its lines hold no keys of ours
    for number, line in enumerate(text.splitlines(), start=1):
        if depth == 0:
            header = _HEADER.match(line)
            if header:
                name = _dotted(header.group(2))
                if header.group(1) == "[[":
                    index = counters.get(name, 0)
                    counters[name] = index + 1
                    table = f"{name}[{index}]"
                else:
                    table = _resolve(name, counters)
                lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                path = f"{table}.{_dotted(key.group(1))}" if table else _dotted(key.group(1))
                lines.setdefault(path, number)
        depth += _balance(line)
        depth = max(depth, 0)
    return lines


def _resolve(name: str, counters: dict[str, int]) -> str:
    """`shipping.zones.x` inside the latest `[[shipping.zones]]` becomes `shipping.zones[i].x`."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in counters:
            rest = ".".join(parts[cut:])
            return f"{prefix}[{counters[prefix] - 1}].{rest}"
    return name


def _balance(line: str) -> int:
    """Net count of opening brackets outside strings and comments on a line."""
    count = 0
    quote = ""
    for char in line:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            count += 1
        elif char in "]}":
            count -= 1
    return count


def line_of(lines: dict[str, int], path: str) -> int:
    """The line of `path`, else of its nearest enclosing table, else 1."""
    while path:
        if path in lines:
            return lines[path]
        if "[" in path and path.endswith("]"):
            path = path[: path.rindex("[")]
            continue
        if "." not in path:
            break
        path = path.rsplit(".", 1)[0]
    return 1
