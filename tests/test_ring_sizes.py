"""The ring-size core: anchors from the definitions, round trips, label parsing, properties."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from migems_cli.errors import InputError
from migems_cli.policy import RingSizes, RingSystem
from migems_cli.ring_sizes import (
    Chart,
    build_chart,
    format_size,
    lookup,
    measure,
    parse_length,
    parse_size,
)
from tests.helpers import shared_policy

RINGS: RingSizes = shared_policy().ring_sizes  # the parametrize lists below need it at collection
CHART: Chart = build_chart(RINGS)
SYSTEMS = ("us", "uk", "eu", "jp", "ch", "de")


def system(system_id: str) -> RingSystem:
    found = RINGS.system(system_id)
    assert found is not None
    return found


def row_for_us(us: float) -> dict[str, object]:
    (row,) = [r for r in CHART.rows if r.sizes["us"].value == Fraction(str(us))]
    return row.to_dict(CHART.systems)


# Worked by hand from the definitions:
#   diameter d = 11.6332 + 0.8128 * US; circumference c = pi * d
#   EU = round(c); UK index = (c - 37.5) / 1.25 to the nearest half (A = 0), whole after Z (25)
#   JP = round((d - 13) * 3 + 1); CH = round(c - 40); DE = d to 0.1 mm
# US 5:  d = 15.6972, c = 49.3142; UK (11.8142 / 1.25 = 9.45) -> 9.5 = J½; JP 9.09 -> 9; CH 9.31
# US 7:  d = 17.3228, c = 54.4212; UK 13.54 -> 13.5 = N½; JP 13.97 -> 14; CH 14.42 -> 14
# US 10: d = 19.7612, c = 62.0816; UK 19.67 -> 19.5 = T½; JP 21.28 -> 21; CH 22.08 -> 22
# US 13: d = 22.1996, c = 69.7421; UK 25.79 -> 26 (past Z: whole letters) = Z+1; JP 28.60 -> 29
ANCHORS = {
    5: {"us": 5, "uk": "J½", "eu": 49, "jp": 9, "ch": 9, "de": 15.7, "diameter_mm": 15.70,
        "circumference_mm": 49.31},
    7: {"us": 7, "uk": "N½", "eu": 54, "jp": 14, "ch": 14, "de": 17.3, "diameter_mm": 17.32,
        "circumference_mm": 54.42},
    10: {"us": 10, "uk": "T½", "eu": 62, "jp": 21, "ch": 22, "de": 19.8, "diameter_mm": 19.76,
         "circumference_mm": 62.08},
    13: {"us": 13, "uk": "Z+1", "eu": 70, "jp": 29, "ch": 30, "de": 22.2, "diameter_mm": 22.20,
         "circumference_mm": 69.74},
}  # fmt: skip


@pytest.mark.parametrize("us", sorted(ANCHORS))
def test_anchor_rows_match_the_definitions(us: int) -> None:
    assert row_for_us(us) == ANCHORS[us]


def test_chart_covers_us_3_to_13_in_quarter_sizes() -> None:
    values = [r.sizes["us"].value for r in CHART.rows]
    assert values == [Fraction(3) + Fraction(k, 4) for k in range(41)]
    assert CHART.to_dict()["sizes"][0] == {
        "us": 3.0, "uk": "F½", "eu": 44, "jp": 4, "ch": 4, "de": 14.1,
        "diameter_mm": 14.07, "circumference_mm": 44.21,
    }  # fmt: skip


def test_json_types_are_consistent_per_column() -> None:
    for row in CHART.to_dict()["sizes"]:
        assert list(row) == [*SYSTEMS, "diameter_mm", "circumference_mm"]
        assert isinstance(row["uk"], str)
        for key in ("eu", "jp", "ch"):
            assert type(row[key]) is int
        for key in ("us", "de", "diameter_mm", "circumference_mm"):
            assert type(row[key]) is float


@pytest.mark.parametrize("key", [*SYSTEMS, "diameter", "circumference"])
def test_every_column_is_monotone(key: str) -> None:
    if key in SYSTEMS:
        values = [r.sizes[key].value for r in CHART.rows]
        assert None not in values
    else:
        values = [getattr(r, f"{key}_mm") for r in CHART.rows]
    assert values == sorted(values)  # type: ignore[type-var]
    if key in ("us", "diameter", "circumference"):
        assert len(set(values)) == len(values)  # strictly increasing


@pytest.mark.parametrize("row", CHART.rows, ids=lambda r: f"us{r.sizes['us'].label}")
def test_round_trip_circumference_and_diameter_give_the_same_size(row: object) -> None:
    from migems_cli.ring_sizes import Row

    assert isinstance(row, Row)
    by_circumference = measure(CHART, RINGS, "circumference", str(row.circumference_mm))
    assert by_circumference.match == row
    assert by_circumference.exact
    by_diameter = measure(CHART, RINGS, "diameter", f"{row.diameter_mm}mm")
    assert by_diameter.match == row
    assert by_diameter.exact


@pytest.mark.parametrize("system_id", SYSTEMS[:5])
def test_round_trip_every_label_looks_up_its_row(system_id: str) -> None:
    for row in CHART.rows:
        found = lookup(CHART, RINGS, system_id, row.sizes[system_id].label)
        assert found.exact
        assert row in found.matches


def test_measurement_between_sizes_orders_the_larger() -> None:
    answer = measure(CHART, RINGS, "circumference", "54.4")
    assert answer.to_dict()["match"]["us"] == 7.0
    assert answer.below is not None
    assert answer.below.sizes["us"].value == Fraction(27, 4)
    assert not answer.exact
    assert answer.fraction == Decimal("0.97")  # (54.40 - 53.78) / (54.42 - 53.78)
    assert answer.advice[0].startswith("Between two sizes, choose the larger")
    assert [r.sizes["us"].label for r in answer.shown] == ["6½", "6¾", "7", "7¼", "7½"]


def test_measurement_units() -> None:
    assert parse_length("54.4", "circumference") == Fraction("54.4")
    assert parse_length("54.4 MM", "circumference") == Fraction("54.4")
    assert parse_length("5.44cm", "circumference") == Fraction("54.4")
    assert parse_length("2.14in", "circumference") == Fraction("54.356")
    assert parse_length("54,4", "circumference") == Fraction("54.4")
    answer = measure(CHART, RINGS, "diameter", "0.68in")  # 17.272 mm: US 7 (17.32)
    assert answer.match.sizes["us"].label == "7"
    assert answer.circumference_mm == Decimal("54.26")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "must be more than zero"),
        ("-54", "must be more than zero"),
        ("0mm", "must be more than zero"),
        ("abc", "not a length"),
        ("54.4ft", "not a length"),
        ("", "not a length"),
        ("34.9", "not a plausible finger"),
        ("80.01", "not a plausible finger"),
        ("75", "larger than the largest size in the chart (US/CA 13, 69.74 mm"),
        ("43.5", "smaller than the smallest size in the chart (US/CA 3, 44.21 mm"),
    ],
)
def test_bad_circumferences(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        measure(CHART, RINGS, "circumference", text)
    assert caught.value.field == "circumference"
    assert message in caught.value.message


def test_diameter_bounds_are_the_circumference_bounds_over_pi() -> None:
    with pytest.raises(InputError, match=r"from 11\.14 to 25\.46 mm"):
        measure(CHART, RINGS, "diameter", "26")
    with pytest.raises(InputError, match="not a plausible finger"):
        measure(CHART, RINGS, "diameter", "11.1")


def test_just_below_the_first_size_still_orders_it() -> None:
    answer = measure(CHART, RINGS, "circumference", "44")  # US 3 is 44.21; one step is 0.64
    assert answer.match.sizes["us"].label == "3"
    assert answer.below is None
    assert answer.fraction is None


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("N", 13),
        ("n", 13),
        ("N½", Fraction(27, 2)),
        ("N 1/2", Fraction(27, 2)),
        ("n1/2", Fraction(27, 2)),
        ("n ½", Fraction(27, 2)),
        ("N.5", Fraction(27, 2)),
        ("A", 0),
        ("Z", 25),
        ("Z+1", 26),
        ("z + 2", 27),
    ],
)
def test_uk_labels_parse(text: str, index: Fraction) -> None:
    assert parse_size(system("uk"), text) == index


@pytest.mark.parametrize(
    ("index", "label"),
    [
        (0, "A"),
        (Fraction(1, 2), "A½"),
        (Fraction(27, 2), "N½"),
        (25, "Z"),
        (26, "Z+1"),
        (28, "Z+3"),
    ],
)
def test_uk_labels_format(index: Fraction, label: str) -> None:
    assert format_size(system("uk"), Fraction(index)) == label


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Z½", "no half size after Z"),
        ("Z 1/2", "no half size after Z"),
        ("N+1", "only Z takes +n"),
        ("N 1/4", "not a UK/AU size"),
        ("NN", "not a UK/AU size"),
        ("7", "not a UK/AU size"),
        ("", "not a UK/AU size"),
    ],
)
def test_bad_uk_labels(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_size(system("uk"), text)
    assert caught.value.field == "uk"
    assert message in caught.value.message


@pytest.mark.parametrize("text", ["7.25", "7,25", "7 1/4", "7-1/4", "7¼", "7 ¼", "29/4"])
def test_us_sizes_parse_in_every_spelling(text: str) -> None:
    assert parse_size(system("us"), text) == Fraction(29, 4)


@pytest.mark.parametrize(
    ("value", "label"),
    [(7, "7"), (Fraction(29, 4), "7¼"), (Fraction(15, 2), "7½"), (Fraction(31, 4), "7¾")],
)
def test_us_sizes_format_as_fractions(value: Fraction, label: str) -> None:
    assert format_size(system("us"), Fraction(value)) == label


@pytest.mark.parametrize(
    ("system_id", "text", "message"),
    [
        ("us", "7.1", "US/CA sizes go in steps of ¼"),
        ("us", "71/4", "US/CA 17¾ is not in the chart"),
        ("us", "7 1/0", "not a US/CA size"),
        ("us", "14", "US/CA 14 is not in the chart; its US/CA sizes run from 3 to 13"),
        ("us", "2¾", "run from 3 to 13"),
        ("uk", "F", "UK/AU F is not in the chart; its UK/AU sizes run from F½ to Z+1"),
        ("uk", "Z+2", "run from F½ to Z+1"),
        ("eu", "54.5", "EU/ISO sizes go in steps of 1"),
        ("eu", "71", "run from 44 to 70"),
        ("jp", "30", "run from 4 to 29"),
        ("ch", "31", "run from 4 to 30"),
        ("jp", "x", "not a JP size"),
    ],
)
def test_bad_lookups(system_id: str, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        lookup(CHART, RINGS, system_id, text)
    assert message in caught.value.message
    assert caught.value.field == system_id
    assert caught.value.value == text


def test_lookup_with_two_rows_highlights_both() -> None:
    found = lookup(CHART, RINGS, "eu", "54")
    assert [r.sizes["us"].label for r in found.matches] == ["6¾", "7"]
    assert [r.sizes["us"].label for r in found.shown] == ["6¼", "6½", "6¾", "7", "7¼", "7½"]
    assert found.to_dict()["lookup"] == {"system": "eu", "query": "54", "size": 54, "exact": True}


def test_lookup_of_a_size_the_rows_skip_gives_the_nearest_row() -> None:
    # X½ is index 23.5: 37.5 + 23.5 * 1.25 = 66.875 mm; US 11¾ is 66.55 and US 12 is 67.19
    found = lookup(CHART, RINGS, "uk", "X 1/2")
    assert not found.exact
    assert [r.sizes["us"].label for r in found.matches] == ["12"]


def test_uk_letters_after_z_are_whole_steps() -> None:
    labels = [r.sizes["uk"].label for r in CHART.rows]
    assert "Z½" not in labels
    assert labels[-3:] == ["Z", "Z", "Z+1"]


# Measurements with two decimals across the whole chart: from one step below US 3 to US 13.
FLOOR = 2 * CHART.rows[0].circumference_mm - CHART.rows[1].circumference_mm
CEILING = CHART.rows[-1].circumference_mm


@given(st.integers(min_value=int(FLOOR * 100), max_value=int(CEILING * 100)))
def test_match_is_the_smallest_size_at_least_as_large(hundredths: int) -> None:
    measured = Fraction(hundredths, 100)
    answer = measure(CHART, RINGS, "circumference", f"{Decimal(hundredths) / 100}")
    # exact circumference of each row, tolerance half a hundredth (the display rounding)
    exact = [row.diameter * Fraction(math.pi) for row in CHART.rows]
    expected = next(i for i, c in enumerate(exact) if c >= measured - Fraction(1, 200))
    assert answer.match.index == expected
    assert answer.exact == (abs(exact[expected] - measured) < Fraction(1, 200))
    if expected > 0 and not answer.exact:
        assert exact[expected - 1] < measured
        assert answer.below == CHART.rows[expected - 1]


@given(st.integers(min_value=3500, max_value=8000))
def test_any_plausible_circumference_is_answered_or_refused_as_outside_the_chart(
    hundredths: int,
) -> None:
    measured = Decimal(hundredths) / 100
    if FLOOR <= measured <= CEILING:
        answer = measure(CHART, RINGS, "circumference", f"{measured}mm")
        assert answer.match.circumference_mm >= measured
    else:
        with pytest.raises(InputError, match="in the chart"):
            measure(CHART, RINGS, "circumference", f"{measured}mm")


@pytest.mark.parametrize("tenths", range(141, 223))  # the chart: DE 14.1 to 22.2
def test_a_de_size_between_rows_orders_what_its_diameter_would(tenths: int) -> None:
    """`--de X` and `--diameter X` name the same ring: a DE size is an inner diameter in mm, and
    between two sizes the larger is ordered (seed: "choose the larger size")."""
    text = f"{Decimal(tenths) / 10}"
    found = lookup(CHART, RINGS, "de", text)
    if found.exact:  # a DE label of the chart (a diameter rounded to 0.1 mm): that row
        assert all(row.sizes["de"].value == Fraction(tenths, 10) for row in found.matches)
        return
    assert found.match == measure(CHART, RINGS, "diameter", text).match, text
    assert found.to_dict()["match"] == found.to_dict()["matches"][0]


@pytest.mark.parametrize(("text", "us"), [("17.3mm", "7"), ("17.4 MM", "7¼"), ("54 mm", "7")])
def test_sizes_that_are_millimetres_take_an_mm_suffix(text: str, us: str) -> None:
    found = lookup(CHART, RINGS, "eu" if text.startswith("54") else "de", text)
    assert found.match.sizes["us"].label == us


def test_an_mm_suffix_is_refused_where_sizes_are_not_millimetres() -> None:
    with pytest.raises(InputError):
        lookup(CHART, RINGS, "us", "7mm")
