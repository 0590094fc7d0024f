"""Start-up benchmark: migems commands against Typer's own floor and a bare interpreter.

Usage: python bench/startup.py [--runs N] [--migems CMD] [--no-cache]

Runs each command N times, interleaved so machine noise hits all alike, and reports the median
wall time and its ratio to a two-command Typer app that prints a word (same interpreter, same
Typer, same run), and the same for CPU time (user + sys, from wait4: less moved by other
processes on a shared machine than wall time). SPEC goals: `status processing --json` <= 1.3x,
the rich table <= 1.5x, `migems --help` and `migems check --help` <= 1.8x, all <= 10x
`python -c pass`.

migems runs with a cache folder of its own (a temporary XDG_CACHE_HOME): the warm-up run of each
command fills it, as an agent's first run does, so the timed runs show the steady state (the
policy cache, and help and the status table replayed by the render cache). `--no-cache` times
every run as a first one (MIGEMS_NO_CACHE=1: everything parsed and drawn).
"""

from __future__ import annotations

import argparse
import os
import shlex
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


def _time(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall and CPU seconds of one run (in `cwd`: `python -m migems_cli` would import a
    migems_cli folder of the caller's before PYTHONPATH)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3):
        sys.exit(f"{' '.join(argv)} failed ({code})")
    return elapsed, usage.ru_utime + usage.ru_stime


def _compile_package() -> None:
    """Write migems' bytecode, as installing a wheel does (an editable install never does, and
    with PYTHONDONTWRITEBYTECODE set every run would compile the sources again)."""
    import compileall

    import migems_cli

    compileall.compile_dir(Path(migems_cli.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--migems",
        help="command that runs migems (default: the installed script); e.g. for another "
        "checkout: --migems 'env PYTHONPATH=/tmp/base python -m migems_cli'",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="run migems with MIGEMS_NO_CACHE=1 (cold runs)"
    )
    args = parser.parse_args()
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    env.pop("MIGEMS_NO_CACHE", None)
    if args.no_cache:
        env["MIGEMS_NO_CACHE"] = "1"
    env.pop("MIGEMS_TODAY", None)  # agents run without it: today comes from the clock
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed wheel runs
    migems = shlex.split(args.migems) if args.migems else [_migems()]
    _compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        env["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # filled by the warm-up runs
        baseline = Path(tmp) / "baseline.py"
        baseline.write_text(BASELINE)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "typer floor (2-command app)": [sys.executable, str(baseline), "hello"],
            "migems status processing --json": [*migems, "status", "processing", "--json"],
            "migems status processing": [*migems, "status", "processing"],
            "migems check ... --json": [*migems, "check", "--delivered", "2026-11-03", "--json"],
            "migems check ...": [*migems, "check", "--delivered", "2026-11-03"],
            "migems --help": [*migems, "--help"],
            "migems check --help": [*migems, "check", "--help"],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for argv in commands.values():  # warm the file cache and .pyc files
            _time(argv, env, tmp)
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(_time(argv, env, tmp))
    medians = {name: statistics.median(v[0] for v in values) for name, values in times.items()}
    cpu = {name: statistics.median(v[1] for v in values) for name, values in times.items()}
    bare = medians["python -c pass"]
    floor = medians["typer floor (2-command app)"]
    cpu_floor = cpu["typer floor (2-command app)"]
    goals = {
        "migems status processing --json": 1.3,
        "migems status processing": 1.5,
        "migems check ... --json": 1.3,
        "migems check ...": 1.5,
        "migems --help": 1.8,
        "migems check --help": 1.8,
    }
    cache = "off (MIGEMS_NO_CACHE=1)" if args.no_cache else "warm"
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; {args.runs} runs each; "
        f"cache {cache}"
    )
    print(
        f"{'command':36} {'wall ms':>8} {'x floor':>8} {'x bare':>7} {'cpu ms':>7} {'x floor':>8}"
        "  goal (wall)"
    )
    for name, value in medians.items():
        goal = goals.get(name)
        verdict = ""
        if goal is not None:
            ok = value / floor <= goal and value / bare <= 10
            verdict = f"<= {goal}x floor, <= 10x bare: {'met' if ok else 'MISSED'}"
        print(
            f"{name:36} {value * 1000:8.1f} {value / floor:8.2f} {value / bare:7.2f} "
            f"{cpu[name] * 1000:7.1f} {cpu[name] / cpu_floor:8.2f}  {verdict}"
        )


if __name__ == "__main__":
    main()
