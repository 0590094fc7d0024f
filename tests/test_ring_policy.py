"""`[ring_sizes]` in policy.toml: loaded as data, every mistake named as file:line: key: message."""

from __future__ import annotations

from fractions import Fraction

import pytest

from migems_cli.errors import PolicyError
from migems_cli.policy_load import parse_policy
from migems_cli.ring_sizes import build_chart


def line_of(text: str, needle: str, after: str = "") -> int:
    """1-based line of the first `needle` after the first `after`."""
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def problems(
    policy_text: str, old: str, new: str, after: str = "[ring_sizes]"
) -> tuple[list[str], str]:
    start = policy_text.index(after)
    at = policy_text.index(old, start)
    text = policy_text[:at] + new + policy_text[at + len(old) :]
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.toml")
    return caught.value.problems, text


def test_bundled_systems_load_as_exact_numbers(policy_text: str) -> None:
    rings = parse_policy(policy_text, "p.toml").ring_sizes
    assert [s.id for s in rings.systems] == ["us", "uk", "eu", "jp", "ch", "de"]
    jp = rings.system("jp")
    assert jp is not None
    assert (jp.base_size, jp.base_mm, jp.mm_per_size) == (1, 13, Fraction(1, 3))
    us = rings.system("us")
    assert us is not None
    assert us.mm_per_size == Fraction("0.8128")
    assert (rings.chart_from, rings.chart_to, rings.chart_step) == (3, 13, Fraction(1, 4))
    assert rings.min_circumference_mm == 35
    assert rings.max_circumference_mm == 80


@pytest.mark.parametrize(
    ("old", "new", "after", "key", "message"),
    [
        ('mm_per_size = "0.8128"', 'mm_per_size = "-0.8128"', 'id = "us"',
         "ring_sizes.systems[0].mm_per_size", "must be more than zero"),
        ('mm_per_size = "1/3"', 'mm_per_size = "1/0"', 'id = "jp"',
         "ring_sizes.systems[3].mm_per_size", 'must be a number or a fraction like "1/3"'),
        ('step = "0.5"', "step = 0", 'id = "uk"', "ring_sizes.systems[1].step",
         "must be more than zero"),
        ('step = "0.5"', 'step = "0.3"', 'id = "uk"', "ring_sizes.systems[1].step",
         "letters go in steps that divide 1"),
        ('label = "number"', 'label = "roman"', 'id = "eu"', "ring_sizes.systems[2].label",
         "must be one of number, fraction, letters"),
        ('measure = "diameter"', 'measure = "radius"', 'id = "de"',
         "ring_sizes.systems[5].measure", "must be one of diameter, circumference"),
        ('letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"', 'letters = "ABCA"', 'id = "uk"',
         "ring_sizes.systems[1].letters", "a letter is listed twice"),
        ('id = "ch"', 'id = "eu"', 'id = "jp"', "ring_sizes.systems[4].id",
         "'eu' is listed twice"),
        ('id = "ch"', 'id = "C H"', 'id = "jp"', "ring_sizes.systems[4].id",
         "is not a short lower-case name"),
        ("to = 13", "to = 2", "[ring_sizes.chart]", "ring_sizes.chart.from",
         "range is inverted or empty: 3 to 2"),
        ('step = "0.25"', 'step = "0.3"', "[ring_sizes.chart]", "ring_sizes.chart.step",
         "0.3 does not divide the range 3 to 13"),
        ('step = "0.25"', 'step = "-1"', "[ring_sizes.chart]", "ring_sizes.chart.step",
         "must be more than zero"),
        ('system = "us"', 'system = "mx"', "[ring_sizes.chart]", "ring_sizes.chart.system",
         "unknown system 'mx'"),
        ("max_circumference_mm = 80", "max_circumference_mm = 30", "[ring_sizes]",
         "ring_sizes.min_circumference_mm", "must be less than max"),
        ("max_circumference_mm = 80", 'max_circumference_mm = "eighty"', "[ring_sizes]",
         "ring_sizes.max_circumference_mm", "must be a number"),
        ("decimals = 2", "decimals = 2.5", "[ring_sizes]", "ring_sizes.decimals",
         "must be an integer, not a number"),
        ("neighbours = 2", "neighbours = -1", "[ring_sizes]", "ring_sizes.neighbours",
         "must not be negative"),
        ("neighbours = 2", "neighbours = 2\ncolour = 1", "[ring_sizes]", "ring_sizes.colour",
         "unknown key"),
        ('name = "JP"\n', 'name = "JP"\nnickname = "J"\n', "[ring_sizes]",
         "ring_sizes.systems[3].nickname", "unknown key"),
        ('more_room = "', 'roomy = "', "[ring_sizes.advice]", "ring_sizes.advice.more_room",
         "missing key"),
        ('measures = "diameter"', 'measures = "girth"', 'title = "With a ring that fits"',
         "ring_sizes.how_to[1].measures", "must be one of diameter, circumference"),
    ],
)  # fmt: skip
def test_ring_policy_errors_name_the_key_and_line(
    policy_text: str, old: str, new: str, after: str, key: str, message: str
) -> None:
    found, text = problems(policy_text, old, new, after)
    matching = [p for p in found if f": {key}: " in p]
    assert matching, found
    assert message in matching[0]
    file, line, _ = matching[0].split(":", 2)
    assert file == "p.toml"
    if "missing key" in message:  # reported at the line of its table's header
        assert int(line) == line_of(text, after)
    else:
        name = key.rsplit(".", 1)[-1]
        assert int(line) == line_of(text, f"\n{name} = ", after) + 1


def test_missing_ring_sizes_section_is_an_error(policy_text: str) -> None:
    start = policy_text.index("# Ring sizes for `migems ring-size`")
    with pytest.raises(PolicyError) as caught:
        parse_policy(policy_text[:start], "p.toml")
    assert "p.toml:1: ring_sizes: missing key" in caught.value.problems


def test_a_store_can_add_a_system_without_python(policy_text: str) -> None:
    extra = """
[[ring_sizes.systems]]
id = "fr"
name = "FR"
title = "France (circumference - 40, half sizes)"
measure = "circumference"
base_size = 0
base_mm = 40
mm_per_size = 1
step = "0.5"
label = "number"
"""
    rings = parse_policy(
        policy_text.replace("[ring_sizes.advice]", extra + "\n[ring_sizes.advice]")
    )
    chart = build_chart(rings.ring_sizes)
    # US 7: circumference 54.4212 - 40 = 14.42 -> nearest half: 14.5
    assert chart.rows[16].to_dict(chart.systems)["fr"] == 14.5
