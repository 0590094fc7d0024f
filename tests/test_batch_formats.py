"""`batch`'s output formats are a closed set: every `Format` has exactly one writer."""

from __future__ import annotations

from migems_cli.render.batch_formats import WRITERS, Format


def test_every_format_has_a_writer_and_every_writer_a_format():
    assert set(WRITERS) == set(Format)
    assert all(callable(writer) for writer in WRITERS.values())


def test_the_format_names_are_the_option_values():
    assert [member.value for member in Format] == ["csv", "jsonl", "table"]
