"""Attacks on `--json` errors: argv bytes that are not UTF-8 (lone surrogates in Python)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import assert_bad_input


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--delivered", "\udcff", "--json"],
        ["check", "--delivered", "2026-11-03", "--category", "x\udcfe", "--json"],
        ["check", "--delivered", "2026-11-03", "--category", "rings", "--reply", "--json",
         "--customer", "\udcff", "--order", "1", "--agent", "S"],
    ],
)  # fmt: skip
def test_json_error_has_no_lone_surrogate(run, args: list[str]) -> None:
    """The error document echoed the value as "\\udcff": JSON that strict parsers (and any
    UTF-8 encoder) refuse. The value is now written with the bytes shown as escapes."""
    code, out, err = run(*args)
    assert_bad_input(code, out, err, "--")
    value = json.loads(out)["error"]["value"]
    value.encode("utf-8")  # raises UnicodeEncodeError for a lone surrogate
    assert "\\udc" in value
