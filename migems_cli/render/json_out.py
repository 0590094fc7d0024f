"""The JSON renderer: one document on stdout, from explicit `to_dict()`s."""

from __future__ import annotations

import json
import sys
from typing import Any

from migems_cli.render.safe import json_safe


def json_text(document: Any, indent: int | None = None) -> str:
    """`document` as JSON text with nothing a terminal would act on and nothing an encoder
    could not write (see `safe.json_safe`): the same data once loaded."""
    return json_safe(json.dumps(document, indent=indent, ensure_ascii=False))


def print_json(document: Any) -> None:
    sys.stdout.write(json_text(document, indent=2) + "\n")
