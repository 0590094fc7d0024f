"""Ring-size behaviour that tools/mutate.py found untested (issue 16).

Each test names the promise it pins down; the test policies are the bundled one and the small
thirds/eighths/letters/halves chart of tests/test_ring_charts.py, changed one value at a time.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest

from migems_cli.errors import InputError
from migems_cli.policy import RingSizes
from migems_cli.policy_load import parse_policy
from migems_cli.ring_sizes import (
    build_chart,
    format_size,
    format_size_step,
    lookup,
    measure,
    parse_length,
    parse_size,
)
from tests.helpers import shared_policy
from tests.test_ring_charts import CHART, RINGS, with_test_rings

BUNDLED: RingSizes = shared_policy().ring_sizes
BUNDLED_CHART = build_chart(BUNDLED)
SHORT = 'base_size = 0\nbase_mm = 60\nmm_per_size = 1\nstep = "0.5"\nlabel = "letters"'
HALVES = 'base_size = 0\nbase_mm = 40\nmm_per_size = 1\nstep = "0.5"\nlabel = "number"'


def rings_with(old: str, new: str) -> RingSizes:
    text = with_test_rings()
    assert text.count(old) == 1, old
    return parse_policy(text.replace(old, new), "test.toml").ring_sizes


def system(rings: RingSizes, system_id: str):  # type: ignore[no-untyped-def]
    found = rings.system(system_id)
    assert found is not None
    return found


def test_the_smallest_sizes_neighbours_start_at_the_first_row():
    """Two neighbours either side, but none before row 0: rows 0-2, not the chart's last row."""
    for answer in (
        lookup(BUNDLED_CHART, BUNDLED, "us", "3"),
        measure(BUNDLED_CHART, BUNDLED, "diameter", "14.07"),
    ):
        assert [row.index for row in answer.shown] == [0, 1, 2]
    assert [r.index for r in lookup(BUNDLED_CHART, BUNDLED, "us", "3¼").shown] == [0, 1, 2, 3]
    assert [r.index for r in lookup(BUNDLED_CHART, BUNDLED, "us", "13").shown] == [38, 39, 40]


def test_rows_below_the_first_letter_have_no_letter():
    """A letter system starting above the chart's first rows: those rows show a dash."""
    rings = rings_with(SHORT, SHORT.replace("base_mm = 60", 'base_mm = "61.5"'))
    chart = build_chart(rings)
    # circumference 60 and 60.67 mm: 1.5 and 0.83 mm below A (half letters: -1½ and -1)
    sizes = [row.sizes["short"] for row in chart.rows[:4]]
    assert [(s.value, s.label) for s in sizes] == [
        (None, "—"),
        (None, "—"),
        (Fraction(0), "A"),
        (Fraction(1, 2), "A½"),
    ]
    assert chart.dicts()[1]["short"] is None
    assert chart.range_text(system(rings, "short")) == "A to G½"


def test_a_system_the_chart_never_reaches_says_its_sizes_run_from_none():
    rings = rings_with(SHORT, SHORT.replace("base_mm = 60", "base_mm = 100"))
    chart = build_chart(rings)
    assert all(row.sizes["short"].label == "—" for row in chart.rows)
    with pytest.raises(InputError) as raised:
        lookup(chart, rings, "short", "A")
    assert raised.value.message == "AH A is not in the chart; its AH sizes run from none"


def test_a_chart_system_the_policy_lacks_is_refused():
    """The loader refuses it; a hand-built RingSizes gets a ValueError naming it."""
    with pytest.raises(ValueError, match=r"^unknown chart system 'nope'$"):
        build_chart(RINGS._replace(chart_system="nope"))


def test_fraction_sizes_below_one():
    us = system(BUNDLED, "us")
    assert format_size(us, Fraction(0)) == "0"
    assert format_size(us, Fraction(3, 4)) == "¾"
    assert format_size(us, Fraction(1, 4)) == "¼"
    assert parse_size(us, "¾") == Fraction(3, 4)
    assert parse_size(us, "1¾") == Fraction(7, 4)


def test_a_system_measured_from_another_base_size_gives_the_same_answers():
    """halves = 40 mm + size, written from size 20 at 60 mm: the same sizes, the same lookups."""
    rings = rings_with(
        HALVES, HALVES.replace("base_size = 0\nbase_mm = 40", "base_size = 20\nbase_mm = 60")
    )
    chart = build_chart(rings)
    assert [row.sizes["halves"].label for row in chart.rows] == [
        row.sizes["halves"].label for row in CHART.rows
    ]
    for text in ("21", "23", "25", "27"):  # sizes between the rows: the next row up
        moved, plain = lookup(chart, rings, "halves", text), lookup(CHART, RINGS, "halves", text)
        assert not moved.exact
        assert moved.match.index == plain.match.index
    assert lookup(chart, rings, "halves", "21").match.sizes["halves"].label == "21.5"


def test_a_size_equal_to_a_rows_length_at_the_charts_precision_orders_that_row():
    """With whole-mm precision, halves 21 (61 mm) is as long as the row of 60.67 mm (61)."""
    rings = rings_with("decimals = 2", "decimals = 0")
    chart = build_chart(rings)
    assert [str(row.circumference_mm) for row in chart.rows[:4]] == ["60", "61", "61", "62"]
    answer = lookup(chart, rings, "halves", "21")
    assert (answer.exact, answer.match.index) == (False, 1)
    assert lookup(chart, rings, "halves", "23").match.index == 4  # 63 mm: the first row of 63


@pytest.mark.parametrize("text", ["-5", "-5mm", "- 5", "-54.4"])
def test_any_negative_length_is_not_more_than_zero(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_length(text, "circumference")
    assert raised.value.message == "must be more than zero"


def test_the_largest_plausible_circumference_is_plausible():
    """80 mm (the bound) is a finger larger than the chart; 80.01 mm is not a finger."""
    with pytest.raises(InputError) as raised:
        measure(BUNDLED_CHART, BUNDLED, "circumference", "80")
    assert raised.value.message == (
        "80.00 mm is larger than the largest size in the chart (US/CA 13, 69.74 mm circumference)"
    )
    with pytest.raises(InputError) as raised:
        measure(BUNDLED_CHART, BUNDLED, "circumference", "80.01")
    assert raised.value.message.startswith("80.01 mm is not a plausible finger;")


def test_between_sizes_advice_only_when_between_sizes():
    advice = BUNDLED.advice
    exact = measure(BUNDLED_CHART, BUNDLED, "circumference", "54.42")
    between = measure(BUNDLED_CHART, BUNDLED, "circumference", "54.4")
    assert exact.exact
    assert not between.exact
    assert exact.advice == (advice["warm_fingers"], advice["more_room"])
    assert between.advice == (advice["between_sizes"], advice["warm_fingers"], advice["more_room"])


def test_measured_length_is_the_kind_measured():
    diameter = measure(BUNDLED_CHART, BUNDLED, "diameter", "17.4")
    assert diameter.measured_mm == Decimal("17.40")
    assert diameter.circumference_mm == Decimal("54.66")
    assert measure(BUNDLED_CHART, BUNDLED, "circumference", "54.4").measured_mm == Decimal("54.40")


def test_a_number_plausible_in_two_units_names_both():
    """With fingers up to 100 mm, a bare 3.6 could be centimetres or inches."""
    rings = rings_with("max_circumference_mm = 80", "max_circumference_mm = 100")
    with pytest.raises(InputError) as raised:
        measure(build_chart(rings), rings, "circumference", "3.6")
    assert raised.value.message.endswith("to 100.00 mm; did you mean 3.6cm or 3.6in?")


def test_a_step_without_an_exact_decimal_is_written_to_six_places():
    halves = system(RINGS, "halves")
    thirds = halves._replace(step=Fraction(1, 3))
    assert format_size_step(thirds) == "0.333333"
    assert format_size(thirds, Fraction(31, 3)) == "10.333333"
    assert format_size_step(halves._replace(step=Fraction(1, 64))) == "0.015625"


def test_chart_answers_are_immutable():
    """Charts are cached and shared between answers: nothing may change one in place."""
    lookup_answer = lookup(BUNDLED_CHART, BUNDLED, "us", "7")
    measured = measure(BUNDLED_CHART, BUNDLED, "circumference", "54.4")
    row = BUNDLED_CHART.rows[0]
    for value, field in (
        (row.sizes["us"], "label"),
        (row, "index"),
        (BUNDLED_CHART, "decimals"),
        (lookup_answer, "exact"),
        (measured, "exact"),
    ):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, field, getattr(value, field))
