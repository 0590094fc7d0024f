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
    array = ""  # the key of the multi-line array being read, whose items are `key[i]`
    items = 0
    for number, line in enumerate(text.splitlines(), start=1):
        scan = line  # where array items may start
        if depth == 0:
            array = ""
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
                value = line[key.end() :].lstrip()
                if value.startswith("["):
                    array, items = path, 0
                    scan = value[1:]
        if array and depth <= 1:  # the items that start on this line of an array
            for _ in range(_items(scan)):
                lines.setdefault(f"{array}[{items}]", number)
                items += 1
        depth += _balance(line)
        depth = max(depth, 0)
    return lines


def _items(line: str) -> int:
    """How many array items start on `line` (read inside the array, outside any item)."""
    count = 0
    level = 0
    quote = ""
    expecting = True  # at the start, or just after a comma: the next value starts an item
    for char in line:
        if quote:
            if char == quote:
                quote = ""
            continue
        if char == "#":
            break
        if char.isspace():
            continue
        if level == 0 and char == ",":
            expecting = True
            continue
        if level == 0 and char == "]":
            break
        if expecting and level == 0:
            count += 1
            expecting = False
        if char in "\"'":
            quote = char
        elif char in "[{":
            level += 1
        elif char in "]}":
            level -= 1
    return count


def deepest(text: str, limit: int = 32) -> tuple[int, str]:
    """Where `text` first nests arrays or inline tables more than `limit` deep: its line, and
    the key whose value does (`(1, "syntax")` when no line does, by this line scan)."""
    owners: dict[int, str] = {}  # line -> the key assigned on it (not its items)
    for path, number in key_lines(text).items():
        if len(path) < len(owners.get(number, path + ".")):
            owners[number] = path
    owner = "syntax"
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if depth == 0:
            owner = owners.get(number, owner)
        if depth + _balance(line, peak=True) > limit:
            return number, owner
        depth = max(depth + _balance(line), 0)
    return 1, "syntax"


def _resolve(name: str, counters: dict[str, int]) -> str:
    """`shipping.zones.x` inside the latest `[[shipping.zones]]` becomes `shipping.zones[i].x`."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in counters:
            rest = ".".join(parts[cut:])
            return f"{prefix}[{counters[prefix] - 1}].{rest}"
    return name


def _balance(line: str, peak: bool = False) -> int:
    """Net count of opening brackets outside strings and comments on a line (`peak`: the most
    that are open at any point of it)."""
    count = 0
    most = 0
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
            most = max(most, count)
        elif char in "]}":
            count -= 1
    return most if peak else count


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
