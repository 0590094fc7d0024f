"""Attacks on `--reply` (second wave): ticket values that are not text a customer can read."""

from __future__ import annotations

import pytest

from tests.helpers import assert_bad_input

CHECK = ["check", "--delivered", "2026-11-03", "--category", "rings", "--price", "120"]
TICKET = {"--customer": "Ada", "--order": "MG-1", "--agent": "Sam"}


def ticket(**given: str) -> list[str]:
    values = {**TICKET, **given}
    return [part for pair in values.items() for part in pair]


@pytest.mark.parametrize("option", ["--customer", "--order", "--agent"])
@pytest.mark.parametrize("value", ["Ada\udcff", "\udcff\udcfe"])
def test_undecodable_bytes_are_refused(run, option: str, value: str) -> None:
    """Bytes that are not UTF-8 reach argv as lone surrogates: they used to be written into
    the reply (a JSON string with a lone surrogate, a '?' or U+FFFD in the e-mail)."""
    code, out, err = run(*CHECK, "--reply", "--json", *ticket(**{option: value}))
    assert_bad_input(code, out, err, option)
    assert "\udcff" not in out


@pytest.mark.parametrize("value", ["\u200b", "\ufeff", "\u200b\u200d", "\u2060 \u200b"])
def test_invisible_only_name_is_empty(run, value: str) -> None:
    """A name made only of invisible characters would greet 'Dear ,'."""
    code, out, err = run(*CHECK, "--reply", *ticket(**{"--customer": value}))
    assert_bad_input(code, out, err, "--customer")


SUBJECT = 'subject = "Your return request for order {order}"'


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ('subject = "Your return {{order}}"', "brace"),
        ('subject = "Order {order} }} done"', "brace"),
        ('subject = "Your return of 2026-01-01, order {order}"', "ISO date"),
    ],
)
def test_policy_check_names_a_template_whose_own_text_a_reply_refuses(
    run, tmp_path, policy_text: str, subject: str, message: str
) -> None:
    """`{{`, `}}` or an ISO date written in a template's own text make every reply of that
    situation refused: `policy check` said the file was valid."""
    path = tmp_path / "p.toml"
    path.write_text(policy_text.replace(SUBJECT, subject, 1), encoding="utf-8")
    code, out, err = run("policy", "check", str(path))
    assert code == 2
    line = policy_text.splitlines().index(SUBJECT) + 1
    assert f"p.toml:{line}: replies.return-accepted.subject: " in out + err
    assert message in out + err
    # the other commands still answer
    assert run("check", "--delivered", "2026-11-03", "--category", "rings", "--policy",
               str(path)).code == 0  # fmt: skip


def columns(line: str) -> int:
    """Terminal columns: wide and full-width characters take two, combining marks none."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in line
    )


@pytest.mark.parametrize(
    "name",
    [
        "李" * 50,
        "王小明 " * 20,
        "\uff26\uff55\uff4c\uff4c" * 20,
        "e\u0301" * 90,
        "🙂" * 45,
        "A" * 60 + "李" * 30,
    ],
    ids=["cjk", "cjk-words", "full-width", "combining", "emoji", "mixed"],
)
def test_reply_lines_fit_72_columns_whatever_the_script(run, name: str) -> None:
    """textwrap counts code points: a name in CJK (two columns a character) made lines of up to
    110 columns, and a long word broken between a letter and its combining accent."""
    import unicodedata

    code, out, err = run(*CHECK, "--reply", *ticket(**{"--customer": name, "--agent": name}))
    assert code == 0, err
    for line in out.splitlines():
        assert columns(line) <= 72, line
        assert not (line and unicodedata.combining(line[0])), line
    # nothing of the name lost or added: the greeting's words are the name's
    greeting = out.split("\n\n")[1]
    assert "".join(greeting.split()) == "Dear" + "".join(name.split()) + ","
