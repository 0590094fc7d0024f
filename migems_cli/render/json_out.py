"""The JSON renderer: one document on stdout, from explicit `to_dict()`s."""

from __future__ import annotations

import json
import sys
from typing import Any


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
