"""The checker a policy is read with: it walks the parsed TOML, returns checked values, and
collects every error as `file:line: key: message` (lines are found only once one is wrong)."""

from __future__ import annotations

import re

# Private, kept: string.Formatter().parse calls it, and `import string` costs 0.5 ms a start.
from _string import formatter_parser  # type: ignore[import-not-found]
from collections.abc import Callable
from typing import Any, TypeVar

from migems_cli.policy import Window
from migems_cli.render.safe import visible

T = TypeVar("T")

# The placeholders a text template may use (filled in by migems_cli.texts).
PLACEHOLDERS = frozenset(
    {
        "day",
        "window",
        "return_by",
        "report_by",
        "review_until",
        "report_days",
        "review_days",
        "category",
        "condition",
        "reason",
        "amount",
        "refund_min",
        "refund_max",
        "support_email",
        "processing_min",
        "processing_max",
    }
)
# Texts filled with more than the common placeholders (migems_cli.schedule fills them).
REFUND_NOTE_PLACEHOLDERS = PLACEHOLDERS | {"received", "expected_from", "expected_by"}
DEADLINE_PLACEHOLDERS = PLACEHOLDERS | {"transit_min", "transit_max", "zone"}
# returns.season_note and returns.business_day_note (migems_cli.rules.explain fills them)
SEASON_NOTE_PLACEHOLDERS = PLACEHOLDERS | {"season", "season_from", "season_to", "ordered"}
MOVED_NOTE_PLACEHOLDERS = PLACEHOLDERS | {"moved_from", "moved_to"}

# Bounds that keep every answer computable and every output small (issue 9): windows in calendar
# days span at most ten years, in business days ten years of weekdays; a text is at most 2,000
# characters (an e-mail address 254, as RFC 5321 allows), so a template filled with the longest
# values stays small.
MAX_DAYS = 3660
MAX_BUSINESS_DAYS = 2610
MAX_TEXT = 2000
MAX_EMAIL = 254
MAX_SHOWN = 40  # characters of a value quoted in an error message
# Characters a text must not hold: C0 controls (tab and line breaks included: every text is one
# line), DEL, C1 controls, and the bidirectional embeddings, overrides and isolates that can make
# text read differently from what it holds.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def is_code(text: str, length: int) -> bool:
    """An upper-case ASCII code of `length` letters (country: 2, currency: 3)."""
    return len(text) == length and text.isascii() and text.isalpha() and text.isupper()


class Checker:
    """Walks the parsed TOML, records errors with their lines, and returns checked values."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.source_text = text
        self.lines: dict[str, int] | None = None  # scanned on the first error only
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        from migems_cli.policy_lines import key_lines, line_of  # only a bad policy needs lines

        if self.lines is None:
            self.lines = key_lines(self.source_text)
        self.errors.append(f"{self.source}:{line_of(self.lines, path)}: {path}: {message}")

    def table(
        self, data: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """`data` as a table, after naming its missing and unknown keys."""
        if not isinstance(data, dict):
            self.error(path, f"must be a table, not {kind_of(data)}")
            return {}
        for key in required:
            if key not in data:
                self.error(join_path(path, key), "missing key")
        for key in data:
            if key not in required and key not in optional:
                known = ", ".join((*required, *optional))
                shown = visible(key) if len(key) <= MAX_SHOWN else f"{visible(key[:MAX_SHOWN])}..."
                self.error(join_path(path, shown), f"unknown key (known keys: {known})")
        return data

    def value(self, table: dict[str, Any], path: str, key: str, kind: type[T], default: T) -> T:
        """`table[key]` when it is of `kind`; else `default`, after recording why."""
        where = join_path(path, key)
        if key not in table:
            return default
        value = table[key]
        # bool is an int in Python, but `window_days = true` is a typo, not a number
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            if isinstance(value, str):
                self.string(where, value)
            return value
        self.error(where, f"must be {_kind_name(kind)}, not {kind_of(value)}")
        return default

    def string(self, path: str, value: str, limit: int = MAX_TEXT) -> None:
        """Record why a string from the policy cannot be shown as it is, if it cannot."""
        control = _CONTROL.search(value)
        if control:
            self.error(path, f"contains a control character (U+{ord(control.group()):04X})")
        if len(value) > limit:
            self.error(path, f"must be at most {limit} characters, not {len(value)}")

    def text(
        self,
        table: dict[str, Any],
        path: str,
        key: str,
        allowed: frozenset[str] = PLACEHOLDERS,
    ) -> str:
        value = self.value(table, path, key, str, "")
        if key in table and isinstance(table[key], str):
            if not value.strip():
                self.error(join_path(path, key), "must not be empty")
            self.template(join_path(path, key), value, allowed)
        return value

    def template(self, path: str, text: str, allowed: frozenset[str] = PLACEHOLDERS) -> None:
        """Only bare `{name}` fields of `allowed`: a conversion, a format spec (`{x:>99999}`),
        or attribute or index access would let a policy text grow or reach into objects."""
        try:
            parsed = list(formatter_parser(text))
        except ValueError as exc:
            self.error(path, f"bad template: {exc}")
            return
        canonical = "".join(
            literal.replace("{", "{{").replace("}", "}}") + ("" if name is None else f"{{{name}}}")
            for literal, name, _, _ in parsed
        )
        for _, name, spec, conversion in parsed:
            if name is None:
                continue
            shown = visible(name)[:MAX_SHOWN]
            if conversion:
                problem = f"has a conversion (!{visible(conversion)})"
            elif spec or (canonical != text and f"{{{name}:" in text):
                problem = f"has a format spec (:{visible(spec)[:MAX_SHOWN]})"
            elif "." in name or "[" in name:
                problem = "uses attribute or index access"
            elif name not in allowed:
                self.error(path, f"unknown placeholder {{{shown}}}")
                return
            else:
                continue
            self.error(path, f"placeholder {{{shown}}} {problem}: only a bare {{name}} is allowed")
            return

    def days(self, table: dict[str, Any], path: str, key: str, limit: int = MAX_DAYS) -> int:
        value = self.value(table, path, key, int, 0)
        if value < 0:
            self.error(join_path(path, key), f"must not be negative, not {shown(value)}")
        elif value > limit:
            self.error(join_path(path, key), f"must be at most {limit}, not {shown(value)}")
        return value

    def window(self, table: dict[str, Any], path: str) -> Window:
        low = self.days(table, path, "min_business_days", MAX_BUSINESS_DAYS)
        high = self.days(table, path, "max_business_days", MAX_BUSINESS_DAYS)
        if low > high:
            self.error(
                join_path(path, "min_business_days"),
                f"window is inverted: {low} is more than max_business_days {high}",
            )
        return Window(low, high)

    def strings(self, table: dict[str, Any], path: str, key: str) -> tuple[str, ...]:
        values = self.value(table, path, key, list, [])
        out: list[str] = []
        for index, item in enumerate(values):
            if isinstance(item, str):
                self.string(f"{join_path(path, key)}[{index}]", item)
                out.append(item)
            else:
                self.error(
                    f"{join_path(path, key)}[{index}]", f"must be a string, not {kind_of(item)}"
                )
        return tuple(out)

    def countries(
        self, table: dict[str, Any], path: str, key: str, wildcard: bool
    ) -> tuple[str, ...]:
        codes = self.strings(table, path, key)
        for code in codes:
            if not (is_code(code, 2) or (wildcard and code == "*")):
                self.error(join_path(path, key), f"{shown(code)} is not a two-letter country code")
        return codes

    def unique(self, path: str, values: list[str]) -> None:
        """Record each value of `values` that is listed twice."""
        seen: set[str] = set()
        for value in values:
            if value in seen:
                self.error(path, f"{shown(value)} is listed twice")
            seen.add(value)

    def records(
        self, data: dict[str, Any], key: str, build: Callable[[Any, str], T]
    ) -> tuple[T, ...]:
        """An array of tables, each built by `build(item, path)`."""
        items = self.value(data, "", key, list, [])
        if key in data and not items:
            self.error(key, "must not be empty")
        return tuple(build(item, f"{key}[{index}]") for index, item in enumerate(items))


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def shown(value: object) -> str:
    """`value` as an error message quotes it: repr() (which escapes control characters), cut."""
    if isinstance(value, (list, dict)):  # however deeply nested: no repr of it all
        return kind_of(value)
    if isinstance(value, int) and value.bit_length() > 128:
        return "a huge number"
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 4]}...{text[-1]}"


def kind_of(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _kind_name(kind: type) -> str:
    return kind_of(kind()) if kind in (bool, int, float, str, list, dict) else kind.__name__
