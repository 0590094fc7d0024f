"""Start-up benchmark: migems commands against Typer's own floor and a bare interpreter.

Usage: python bench/startup.py [--runs N]

Runs each command N times, interleaved so machine noise hits all alike, and reports the median
wall time and its ratio to a two-command Typer app that prints a word (same interpreter, same
Typer, same run). SPEC goals: `status processing --json` <= 1.3x, the rich table <= 1.6x, both
<= 10x `python -c pass`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = """
import typer

app = typer.Typer()


@app.command()
def hello() -> None:
    print("hello")


@app.command()
def bye() -> None:
    print("bye")


app()
"""


def _migems() -> str:
    here = Path(sys.executable).parent / "migems"
    found = str(here) if here.exists() else shutil.which("migems")
    if not found:
        sys.exit("migems is not installed in this interpreter's environment")
    return found


def _time(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1, 3):
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()}")
    return elapsed


def _compile_package() -> None:
    """Write migems' bytecode, as installing a wheel does (an editable install never does, and
    with PYTHONDONTWRITEBYTECODE set every run would compile the sources again)."""
    import compileall

    import migems_cli

    compileall.compile_dir(Path(migems_cli.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    env.pop("MIGEMS_TODAY", None)  # agents run without it: today comes from the clock
    migems = _migems()
    _compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "baseline.py"
        baseline.write_text(BASELINE)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "typer floor (2-command app)": [sys.executable, str(baseline), "hello"],
            "migems status processing --json": [migems, "status", "processing", "--json"],
            "migems status processing": [migems, "status", "processing"],
            "migems check ... --json": [migems, "check", "--delivered", "2026-11-03", "--json"],
            "migems check ...": [migems, "check", "--delivered", "2026-11-03"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():  # warm the file cache and .pyc files
            _time(argv, env)
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(_time(argv, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["python -c pass"]
    floor = medians["typer floor (2-command app)"]
    goals = {
        "migems status processing --json": 1.3,
        "migems status processing": 1.6,
        "migems check ... --json": 1.3,
        "migems check ...": 1.6,
    }
    print(f"{'command':36} {'median ms':>10} {'x floor':>8} {'x bare':>7}  goal")
    for name, value in medians.items():
        goal = goals.get(name)
        verdict = ""
        if goal is not None:
            ok = value / floor <= goal and value / bare <= 10
            verdict = f"<= {goal}x floor, <= 10x bare: {'met' if ok else 'MISSED'}"
        print(f"{name:36} {value * 1000:10.1f} {value / floor:8.2f} {value / bare:7.2f}  {verdict}")


if __name__ == "__main__":
    main()
