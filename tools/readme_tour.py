"""Keep the README's command tour true: run every `$ migems ...` line of its console blocks.

python tools/readme_tour.py           exit 1 and show a diff when an output drifted
python tools/readme_tour.py --update  rewrite the outputs in README.md from real runs

Examples run with MIGEMS_TODAY=2026-11-26, NO_COLOR=1 and an 80-column terminal.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_TIMING = re.compile(r"[\d.,]+ s, [\d.,]+ rows/s")
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
ENV = {**os.environ, "MIGEMS_TODAY": "2026-11-26", "NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
ENV.pop("MIGEMS_POLICY", None)
ENV.pop("MIGEMS_AGENT", None)  # replies are signed by the --agent each example gives


def _run(command: str) -> str:
    argv = shlex.split(command)
    assert argv[0] == "migems", command
    done = subprocess.run(
        [sys.executable, "-m", "migems_cli", *argv[1:]],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=README.parent,
        check=False,
    )
    # throughput figures differ from run to run: the tour shows their shape, not their value
    out = done.stdout + _TIMING.sub("N s, N rows/s", done.stderr)
    if done.returncode:
        out += f"[exit {done.returncode}]\n"
    return out


def render(text: str) -> str:
    def block(match: re.Match[str]) -> str:
        lines = match.group(1).splitlines(keepends=True)
        commands = [line[2:].strip() for line in lines if line.startswith("$ ")]
        body = "".join(f"$ {c}\n{_run(c)}" for c in commands)
        return f"```console\n{body}```"

    return BLOCK.sub(block, text)


def main() -> int:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--update" in sys.argv:
        README.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != current:
        sys.stdout.writelines(
            difflib.unified_diff(
                current.splitlines(True), fresh.splitlines(True), "README.md", "real output"
            )
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
