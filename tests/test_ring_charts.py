"""Ring-size charts of kinds the bundled policy does not use, built from a test policy.

The chart system here is circumference-based and in thirds (⅓ ⅔); the other systems read a row's
length in eighths of a diameter scale (⅛ ⅜ ⅝ ⅞), in half letters of a short alphabet that runs
out (H+1), and in half millimetres of circumference. Every expected value below was computed by
hand from the formulas in policy.toml's comments (mm = base_mm + (size - base_size) * mm_per_size,
diameter = circumference / pi, half-up rounding), not by the code under test.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from migems_cli.errors import InputError
from migems_cli.policy import bundled_policy_path
from migems_cli.policy_load import parse_policy
from migems_cli.ring_sizes import build_chart, format_size_step, lookup, measure, parse_size

BUNDLED = bundled_policy_path().read_text(encoding="utf-8")
SYSTEMS = """[ring_sizes.chart]
system = "thirds"
from = 10
to = 14
step = "1/3"

# circumference = 60 mm + 2 mm per size from size 10
[[ring_sizes.systems]]
id = "thirds"
name = "T3"
title = "Thirds of a circumference scale"
measure = "circumference"
base_size = 10
base_mm = 60
mm_per_size = 2
step = "1/3"
label = "fraction"

# diameter = 10 mm + 0.5 mm per size
[[ring_sizes.systems]]
id = "eighths"
name = "E8"
title = "Eighths of a diameter scale"
measure = "diameter"
base_size = 0
base_mm = 10
mm_per_size = "0.5"
step = "1/8"
label = "fraction"

# circumference = 60 mm + 1 mm per letter, A to H, half letters, then H+1
[[ring_sizes.systems]]
id = "short"
name = "AH"
title = "A short alphabet"
measure = "circumference"
base_size = 0
base_mm = 60
mm_per_size = 1
step = "0.5"
label = "letters"
letters = "ABCDEFGH"

# circumference - 40 mm, in half millimetres
[[ring_sizes.systems]]
id = "halves"
name = "H"
title = "Half millimetres"
measure = "circumference"
base_size = 0
base_mm = 40
mm_per_size = 1
step = "0.5"
label = "number"

"""


def with_test_rings() -> str:
    start = BUNDLED.index("[ring_sizes.chart]")
    end = BUNDLED.index("[ring_sizes.advice]")
    end = BUNDLED.rindex("\n\n", start, end) + 2  # keep the advice's comment with it
    return BUNDLED[:start] + SYSTEMS + BUNDLED[end:]


RINGS = parse_policy(with_test_rings(), "test.toml").ring_sizes
CHART = build_chart(RINGS)

# One row per third of a size from 10 to 14: the labels, then the lengths at 2 decimals.
THIRDS = ["10", "10⅓", "10⅔", "11", "11⅓", "11⅔", "12", "12⅓", "12⅔", "13", "13⅓", "13⅔", "14"]
EIGHTHS = ["18¼", "18⅝", "19", "19½", "19⅞", "20⅜", "20¾", "21⅛", "21⅝", "22", "22½", "22⅞", "23¼"]
LETTERS = ["A", "A½", "B½", "C", "C½", "D½", "E", "E½", "F½", "G", "G½", "H", "H+1"]
HALVES = ["20.0", "20.5", "21.5", "22.0", "22.5", "23.5", "24.0", "24.5", "25.5", "26.0"]
HALVES += ["26.5", "27.5", "28.0"]
DIAMETERS = ["19.10", "19.31", "19.52", "19.74", "19.95", "20.16", "20.37", "20.58", "20.80"]
DIAMETERS += ["21.01", "21.22", "21.43", "21.65"]
CIRCUMFERENCES = ["60.00", "60.67", "61.33", "62.00", "62.67", "63.33", "64.00", "64.67"]
CIRCUMFERENCES += ["65.33", "66.00", "66.67", "67.33", "68.00"]


def labels(system: str) -> list[str]:
    return [row.sizes[system].label for row in CHART.rows]


def test_a_circumference_chart_in_thirds_with_eighths_letters_and_halves():
    assert labels("thirds") == THIRDS
    assert labels("eighths") == EIGHTHS
    assert labels("short") == LETTERS
    assert labels("halves") == HALVES
    assert [str(row.diameter_mm) for row in CHART.rows] == DIAMETERS
    assert [str(row.circumference_mm) for row in CHART.rows] == CIRCUMFERENCES
    assert CHART.label(CHART.rows[1]) == "T3 10⅓"
    assert CHART.range_text(RINGS.systems[2]) == "A to H+1"


def test_json_numbers_follow_each_systems_step():
    first, last = CHART.dicts()[0], CHART.dicts()[-1]
    assert first == {
        "thirds": 10,
        "eighths": 18.25,
        "short": "A",
        "halves": 20.0,
        "diameter_mm": 19.1,
        "circumference_mm": 60.0,
    }
    assert (last["thirds"], last["eighths"], last["short"], last["halves"]) == (
        14,
        23.25,
        "H+1",
        28.0,
    )
    assert CHART.dicts()[1]["thirds"] == pytest.approx(10 + 1 / 3)


@pytest.mark.parametrize(
    ("system", "text", "index", "exact"),
    [
        ("eighths", "19 7/8", 4, True),
        ("eighths", "19⅞", 4, True),
        ("eighths", "20-3/8", 5, True),
        ("eighths", "21⅛", 7, True),
        ("eighths", "20 1/8", 5, False),  # diameter 20.0625: nearer 20.16 than 19.95
        ("thirds", "10⅔", 2, True),
        ("thirds", "12 1/3", 7, True),
        ("short", "H+1", 12, True),
        ("short", "d 1/2", 5, True),
        ("short", "B", 2, False),  # 61 mm: as near A½ (60 2/3) as B½ (61 1/3); ties go larger
        ("short", "F", 8, False),  # 65 mm: between E½ (64 2/3) and F½ (65 1/3), a tie too
        ("halves", "26.5", 10, True),
    ],
)
def test_lookups_in_thirds_eighths_and_letters(system, text, index, exact):
    found = lookup(CHART, RINGS, system, text)
    assert (found.match.index, found.exact) == (index, exact)


@pytest.mark.parametrize(
    ("system", "text", "message"),
    [
        ("short", "H½", "there is no half size after H"),
        ("short", "I", "not a AH size"),
        ("short", "G+1", "only H takes +n"),
        ("eighths", "18 1/16", "E8 sizes go in steps of ⅛"),
        ("thirds", "10.5", "T3 sizes go in steps of ⅓"),
        ("thirds", "9⅔", "T3 9⅔ is not in the chart; its T3 sizes run from 10 to 14"),
        ("eighths", "23⅜", "E8 23⅜ is not in the chart; its E8 sizes run from 18¼ to 23¼"),
    ],
)
def test_sizes_outside_these_systems_are_refused(system, text, message):
    with pytest.raises(InputError) as raised:
        lookup(CHART, RINGS, system, text)
    assert message in raised.value.message


def test_measurements_between_sizes_and_at_the_chart_edges():
    between = measure(CHART, RINGS, "circumference", "60.5")
    assert (between.match.index, between.below.index if between.below else None) == (1, 0)
    assert between.fraction == Decimal("0.75")  # (60.5 - 60) / (60.67 - 60)
    assert not between.exact
    exact = measure(CHART, RINGS, "diameter", "19.31")
    assert (exact.match.index, exact.exact, exact.below) == (1, True, None)
    assert exact.circumference_mm == Decimal("60.66")  # 19.31 x pi = 60.664
    # below the first size by at most one step (60.00 - 0.67): still the first size
    floor = measure(CHART, RINGS, "circumference", "59.33")
    assert (floor.match.index, floor.exact, floor.below, floor.fraction) == (0, False, None, None)
    with pytest.raises(InputError) as raised:
        measure(CHART, RINGS, "circumference", "59.32")
    assert raised.value.message == (
        "59.32 mm is smaller than the smallest size in the chart (T3 10, 60.00 mm circumference)"
    )
    top = measure(CHART, RINGS, "circumference", "68")
    assert (top.match.index, top.exact) == (12, True)
    with pytest.raises(InputError) as raised:
        measure(CHART, RINGS, "circumference", "68.01")
    assert raised.value.message == (
        "68.01 mm is larger than the largest size in the chart (T3 14, 68.00 mm circumference)"
    )


def test_bundled_chart_floor_is_one_step_below_the_smallest_size(policy):
    rings = policy.ring_sizes
    chart = build_chart(rings)
    # US 3 is 14.07 mm across, US 3¼ 14.27 mm: the floor is 13.87 mm
    floor = measure(chart, rings, "diameter", "13.87")
    assert (floor.match.index, floor.below) == (0, None)
    with pytest.raises(InputError) as raised:
        measure(chart, rings, "diameter", "13.86")
    assert raised.value.message == (
        "13.86 mm is smaller than the smallest size in the chart (US/CA 3, 14.07 mm diameter)"
    )


def test_an_unknown_system_is_named():
    with pytest.raises(InputError) as raised:
        lookup(CHART, RINGS, "us", "7")  # the test policy has no US system
    assert (raised.value.field, raised.value.message) == (
        "us",
        "the policy defines no such ring-size system",
    )


def test_charts_of_one_and_two_rows():
    """The floor is one step below the first size when there is a second row to step by."""
    text = with_test_rings().replace('to = 14\nstep = "1/3"', 'to = "31/3"\nstep = "1/3"', 1)
    rings = parse_policy(text, "test.toml").ring_sizes
    chart = build_chart(rings)
    assert len(chart.rows) == 2
    assert measure(chart, rings, "circumference", "59.5").match.index == 0  # floor 59.33
    # one row (the loader refuses an empty range; a hand-built chart may have one): no step to
    # go by, so the first size is the floor
    rings = rings._replace(chart_to=rings.chart_from)
    chart = build_chart(rings)
    assert len(chart.rows) == 1
    assert measure(chart, rings, "circumference", "60").exact
    with pytest.raises(InputError, match="smaller than the smallest size"):
        measure(chart, rings, "circumference", "59.99")


@pytest.mark.parametrize(
    ("text", "hint"), [("3.5", "; did you mean 3.5cm?"), ("8", "; did you mean 8cm?"), ("3.4", "")]
)
def test_unit_hint_at_the_plausible_bounds(policy, text, hint):
    """35 and 80 mm, the bounds themselves, are plausible: a bare 3.5 or 8 hints at cm."""
    rings = policy.ring_sizes
    with pytest.raises(InputError) as raised:
        measure(build_chart(rings), rings, "circumference", text)
    assert raised.value.message.endswith("runs from 35.00 to 80.00 mm" + hint)


def test_steps_are_said_as_people_say_them():
    short, halves, thirds = RINGS.systems[2], RINGS.systems[3], RINGS.systems[0]
    assert (short.id, halves.id, thirds.id) == ("short", "halves", "thirds")
    assert format_size_step(short) == "a half letter"
    assert format_size_step(short._replace(step=Fraction(1))) == "a letter"
    assert format_size_step(thirds) == "⅓"
    assert format_size_step(halves) == "0.5"  # a number system says 0.5, even if ½ is a glyph
    assert format_size_step(thirds._replace(step=Fraction(1, 16))) == "0.0625"
    with pytest.raises(InputError) as raised:
        parse_size(short._replace(step=Fraction(1)), "D½")
    assert raised.value.message == "AH sizes go in steps of a letter"
