"""`[replies]` of policy.toml: the customer reply templates, checked against the situations
and placeholders of `migems_cli.reply_situations`.

Read only by `policy check` and when a reply is written: other commands keep the section as
read (`policy.ReplySection`) and pay nothing for it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from migems_cli.errors import PolicyError
from migems_cli.policy import PAYERS, Policy, ReplySection, ReplyTemplate, ReplyTexts
from migems_cli.policy_checker import Checker, join_path
from migems_cli.reply_situations import COMMON, LISTS, PROVIDED, situation_family

_KEYS = ("greeting", "closing", "return_shipping")


@lru_cache(maxsize=8)
def reply_texts(policy: Policy) -> ReplyTexts:
    """The policy's reply templates, checked. Raises `PolicyError` listing every problem of
    `[replies]` as `file:line: key: message`."""
    section = policy.replies
    check = Checker(section.source, section.text)
    texts = build_replies(check, section)
    if check.errors:
        raise PolicyError(section.source, check.errors)
    return texts


def build_replies(check: Checker, section: ReplySection) -> ReplyTexts:
    """`[replies]`: every situation has a template, every placeholder is one its command's
    result provides, and a list placeholder stands alone in its paragraph; errors go to
    `check`."""
    families = situation_family()
    raw = {} if section.raw is None else section.raw
    table = check.table(raw, "replies", (*_KEYS, *families))
    if not isinstance(raw, dict):  # one error says so: nothing inside to check
        return ReplyTexts()
    greeting = check.text(table, "replies", "greeting", COMMON)
    _own_text(check, "replies.greeting", greeting)
    closing = check.strings(table, "replies", "closing")
    for index, line in enumerate(closing):
        check.template(f"replies.closing[{index}]", line, COMMON)
        _own_text(check, f"replies.closing[{index}]", line)
    if "closing" in table and not closing:
        check.error("replies.closing", "must not be empty")
    payers = check.table(table.get("return_shipping", {}), "replies.return_shipping", PAYERS)
    paid_by = {
        payer: check.text(payers, "replies.return_shipping", payer, COMMON) for payer in PAYERS
    }
    for payer, text in paid_by.items():
        _own_text(check, f"replies.return_shipping.{payer}", text)
    templates: dict[str, ReplyTemplate] = {}
    for situation, family in families.items():
        if situation in table:
            templates[situation] = _template(check, table[situation], situation, family)
    return ReplyTexts(
        greeting=greeting,
        closing=closing,
        return_shipping=MappingProxyType(paid_by),
        templates=MappingProxyType(templates),
    )


def _template(check: Checker, data: Any, situation: str, family: str) -> ReplyTemplate:
    path = f"replies.{situation}"
    body_t = check.table(data, path, ("subject", "body"))
    allowed = PROVIDED[family]
    subject = check.text(body_t, path, "subject", allowed - LISTS)
    _own_text(check, f"{path}.subject", subject)
    body = check.strings(body_t, path, "body")
    if "body" in body_t and not body:
        check.error(join_path(path, "body"), "must not be empty")
    for index, paragraph in enumerate(body):
        where = f"{path}.body[{index}]"
        if not paragraph.strip():
            check.error(where, "must not be empty")
        check.template(where, paragraph, allowed)
        _own_text(check, where, paragraph)
        for name in LISTS & allowed:
            field = "{" + name + "}"
            if field in paragraph and paragraph.strip() != field:
                check.error(where, f"{field} is a list: it must be a paragraph of its own")
    return ReplyTemplate(subject, body)


_ISO_DATE = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")


def _own_text(check: Checker, path: str, text: str) -> None:
    """A template's own words (outside its placeholders) that every reply of it would be
    refused for (see `replies.guard`): a brace written as `{{` or `}}`, an ISO date."""
    from string import Formatter

    try:
        literal = "".join(piece for piece, _, _, _ in Formatter().parse(text))
    except ValueError:  # a bad template: `check.template` says so
        return
    if "{" in literal or "}" in literal:
        check.error(path, "a reply never shows a brace: '{{' and '}}' would write one")
    found = _ISO_DATE.search(literal)
    if found:
        check.error(path, f"an ISO date ({found.group()}): a reply writes dates out")
