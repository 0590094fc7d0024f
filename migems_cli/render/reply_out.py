"""How a customer reply reaches the user: the plain text alone, or in the command's JSON."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from migems_cli.render.emit import Output, Result
    from migems_cli.replies import Reply


def send(
    env: Output, result: Result, reply: Reply, extras: Mapping[str, Any] | None = None
) -> None:
    """With --json, the command's usual document plus `"reply"`; else only the reply, as plain
    text (no colour, no box, whatever the terminal)."""
    if env.json:
        from migems_cli.render.emit import emit

        emit(env, result, lambda: None, {**(extras or {}), "reply": reply.to_dict()})
        return
    sys.stdout.write(reply.text())
