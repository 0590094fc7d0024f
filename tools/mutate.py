"""A small mutation tester: how many one-token bugs in a module would the tests notice?

    python tools/mutate.py migems_cli/rules.py [--limit N] [--seed S] [--jobs 2] [--tests ...]

Each mutant is one small change to the module (a flipped comparison, `and` for `or`, a removed
`not`, a constant +-1, a string emptied, `return X` as `return None`, True for False, + for -, a
guard's `raise` removed ...). It is written into a temporary COPY of the repository (the working
tree is never touched, so a crash leaves no mutated file behind) and a selection of the test
suite runs against it with `pytest -x`. A mutant is caught when the tests fail or time out (10x
the clean run). The table lists the survivors as `line: original -> mutant`.

Mutants judged not to change behaviour are listed in tools/mutants_equivalent.txt, one
`module:line:description  # reason` a line (the description as printed), and left out of the
score. `--recheck FILE` re-runs only the survivors of an earlier `--json FILE` run (tests only
ever get added, so a caught mutant stays caught). Dependency-free: stdlib and pytest only.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tools" / "mutants_equivalent.txt"
SKIP_DIRS = {".git", ".venv", "venv", ".hypothesis", ".mypy_cache", ".ruff_cache", "__pycache__"}
SKIP_DIRS |= {".pytest_cache", "build", "dist"}

# The tests that exercise each module, run first-failure-out; the rest of the suite is left
# out to keep a mutant to seconds (`--tests all` runs everything but the install test).
_CORE = ["test_check_cli", "test_properties", "test_cli_fuzz", "test_mutation_gaps"]
TESTS: dict[str, list[str]] = {
    "rules": [
        *("test_rules", "test_refund", "test_deadlines", *_CORE, "test_batch_cells"),
        *("test_exchange",),
    ],
    "business_days": ["test_business_days", "test_deadlines", "test_refund", "test_status", *_CORE],
    "schedule": [
        *("test_deadlines", "test_status", "test_refund", "test_business_days", *_CORE),
        *("test_policy_over_time", "test_calendar_ends", "test_replies"),
    ],
    "claims": [
        *("test_input_parsing", "test_rules", "test_batch_cells", "test_batch", *_CORE),
        *("test_missing_inputs", "test_attack_fixes", "test_exchange"),
    ],
    "dates": [
        *("test_dates_money", "test_dates_relative", "test_input_parsing", "test_deadlines"),
        *("test_status", "test_attack_fixes", *_CORE),
    ],
    "money": ["test_dates_money", "test_refund", "test_input_parsing", *_CORE],
    "ring_sizes": [
        *("test_ring_sizes", "test_ring_charts", "test_ring_policy", "test_ring_size_cli"),
        *("test_ring_mutants",),
    ],
    "batch": [
        *("test_batch_cells", "test_batch_chunks", "test_golden_jsonl", "test_batch"),
        *("test_hardening_io", "test_records", "test_batch_input", "test_batch_invariants"),
        *("test_batch_columns", "test_calendar_ends", "test_missing_inputs", "test_golden"),
        *("test_input_parsing", "test_batch_mutants", "test_batch_fast_paths"),
    ],
}

_COMPARE = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add}


@dataclass(frozen=True)
class Mutant:
    line: int
    start: tuple[int, int]  # (line, col) of the replaced source, end exclusive
    end: tuple[int, int]
    replacement: str
    description: str


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """Ids of nodes never mutated: docstrings, annotations, `if TYPE_CHECKING`, f-string parts."""
    skip: set[int] = set()

    def all_of(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and _is_text(first.value):
            all_of(first)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            all_of(node.returns)
            for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                all_of(arg.annotation)
            for star in (node.args.vararg, node.args.kwarg):
                if star is not None:
                    all_of(star.annotation)
        elif isinstance(node, ast.AnnAssign):
            all_of(node.annotation)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            all_of(node)
        elif isinstance(node, ast.JoinedStr):
            all_of(node)  # positions inside f-strings are unreliable before Python 3.12
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            all_of(node)
    return skip


def _expr(node: ast.AST) -> str:
    return f"({ast.unparse(node)})"


_AST_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # ast's line ends: no form feed


def mutants_of(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    lines = source.splitlines()
    # the lines as ast counts them, split once: ast.get_source_segment splits the whole source
    # again for each node (1.2 s of the 1.3 s --list of batch.py took)
    coded: list[bytes] = [line.encode() for line in _AST_LINES.findall(source)]
    skip = _skipped_nodes(tree)
    found: list[Mutant] = []

    def segment(node: ast.AST) -> str:  # as ast.get_source_segment(source, node)
        first: int = node.lineno - 1  # type: ignore[attr-defined]
        last: int = node.end_lineno - 1  # type: ignore[attr-defined]
        start: int = node.col_offset  # type: ignore[attr-defined]
        end: int = node.end_col_offset  # type: ignore[attr-defined]
        if first == last:
            return coded[first][start:end].decode()
        middle = b"".join(coded[first + 1 : last])
        return (coded[first][start:] + middle + coded[last][:end]).decode()

    def add(node: ast.AST, replacement: str, mutated_text: str) -> None:
        line = node.lineno  # type: ignore[attr-defined]
        if "no mutate" in lines[line - 1]:
            return
        original = segment(node) or ast.unparse(node)
        found.append(
            Mutant(
                line,
                (line, node.col_offset),  # type: ignore[attr-defined]
                (node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
                replacement,
                f"{_short(original)} -> {_short(mutated_text)}",
            )
        )

    def expr(node: ast.expr, new: ast.expr) -> None:
        # `new` may share children with the tree (never copy a location onto them: a child's
        # position is where a later mutant of the child is written)
        add(node, _expr(new), ast.unparse(new))

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _COMPARE:
                    ops = list(node.ops)
                    ops[i] = _COMPARE[type(op)]()
                    expr(node, ast.Compare(node.left, ops, node.comparators))
        elif isinstance(node, ast.BoolOp):
            other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            expr(node, ast.BoolOp(other, node.values))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            expr(node, node.operand)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP:
            expr(node, ast.BinOp(node.left, _BINOP[type(node.op)](), node.right))
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                expr(node, ast.Constant(not value))
            elif isinstance(value, int):
                for number in (value + 1, value - 1):  # 0 <-> 1 among them
                    expr(node, ast.Constant(number))
            elif isinstance(value, str) and value:
                expr(node, ast.Constant(""))
        elif isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                add(node, "return None", "return None")
        elif isinstance(node, (ast.Raise, ast.Continue, ast.Break)):
            add(node, "pass", "pass")
        elif isinstance(node, ast.AugAssign) and type(node.op) in _BINOP:
            new = ast.AugAssign(node.target, _BINOP[type(node.op)](), node.value)
            add(node, ast.unparse(new), ast.unparse(new))
    found.sort(key=lambda m: (m.start, m.description))
    # several mutants with one description on a line ("1 -> 2" thrice): name them by column
    seen: dict[tuple[int, str], int] = {}
    for m in found:
        seen[(m.line, m.description)] = seen.get((m.line, m.description), 0) + 1
    return [
        replace(m, description=f"{m.description} @{m.start[1]}")
        if seen[(m.line, m.description)] > 1
        else m
        for m in found
    ]


def apply(source: str, mutant: Mutant) -> str:
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()))
    data = source.encode()
    start = offsets[mutant.start[0] - 1] + mutant.start[1]
    end = offsets[mutant.end[0] - 1] + mutant.end[1]
    return (data[:start] + mutant.replacement.encode() + data[end:]).decode()


def copy_repo(root: Path, into: Path) -> Path:
    target = into / "repo"
    shutil.copytree(
        root, target, ignore=lambda _d, names: [n for n in names if n in SKIP_DIRS], symlinks=True
    )
    return target


def run_tests(repo: Path, tests: list[str], timeout: float | None) -> tuple[bool, float]:
    """(tests passed, seconds); a timeout counts as a failure (the mutant is caught)."""
    env = dict(os.environ, PYTHONPATH=str(repo), PYTHONDONTWRITEBYTECODE="1")
    env["XDG_CACHE_HOME"] = str(repo / ".cache")
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    command += ["-m", "not slow", "--no-header", "-o", "addopts=--strict-markers", *tests]
    began = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the pytest we started and its children
        process.wait()
        return False, time.monotonic() - began
    return code == 0, time.monotonic() - began


def load_equivalent(path: Path) -> set[str]:
    keys: set[str] = set()
    if path.exists():
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("  #", 1)[0].strip()
            if line and not line.startswith("#"):
                keys.add(line)
    return keys


@dataclass
class Result:
    module: str
    tried: int
    caught: int
    equivalent: int
    survivors: list[str]
    total: int
    # the mutants a sampled run (--limit) tried, so that --recheck scores that sample and not
    # every mutant of the module (the others were never run)
    tried_keys: list[str] | None = None

    @property
    def score(self) -> float:
        counted = self.tried - self.equivalent
        return 100.0 * self.caught / counted if counted else 100.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", help="paths such as migems_cli/rules.py")
    parser.add_argument("--limit", type=int, help="a random sample of N mutants per module")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once")
    parser.add_argument("--tests", nargs="+", help="test files to run (default: per module)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to copy")
    parser.add_argument("--equivalent", type=Path, default=EQUIVALENT)
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--recheck", type=Path, help="re-run only the survivors in this JSON")
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument("--match", help="only mutants whose 'module:line:description' has this")
    args = parser.parse_args(argv)
    equivalent = load_equivalent(args.equivalent)
    earlier = json.loads(args.recheck.read_text()) if args.recheck else {}
    results: list[Result] = []
    for module_path in args.modules:
        relative = Path(module_path)
        module = relative.stem
        source = (args.root / relative).read_text(encoding="utf-8")
        everything = mutants_of(source)
        chosen = list(everything)
        if args.limit and args.limit < len(chosen):
            chosen = sorted(
                random.Random(args.seed).sample(chosen, args.limit), key=lambda m: m.start
            )
        if module in earlier and earlier[module].get("tried_keys"):  # a partial earlier run
            tried = set(earlier[module]["tried_keys"])
            chosen = [m for m in chosen if f"{m.line}: {m.description}".rsplit(" @", 1)[0] in tried]
        if args.match:
            chosen = [m for m in chosen if args.match in f"{module}:{m.line}:{m.description}"]
        if args.list:
            for m in chosen:
                print(f"{module}:{m.line}:{m.description}")
            continue
        equivalents = [m for m in chosen if f"{module}:{m.line}:{m.description}" in equivalent]
        pending = [m for m in chosen if m not in equivalents]
        if module in earlier:  # only the earlier survivors: a caught mutant stays caught
            keys = {key.rsplit(" @", 1)[0] for key in earlier[module]["survivors"]}
            pending = [
                m for m in pending if f"{m.line}: {m.description}".rsplit(" @", 1)[0] in keys
            ]
        if args.tests:
            tests = args.tests
        elif module in TESTS:
            tests = [f"tests/{t}.py" for t in TESTS[module]]
            tests = [t for t in tests if (args.root / t).exists()]
        else:
            tests = ["tests", "--deselect", "tests/test_install.py"]
        survivors = run_module(args.root, relative, source, pending, tests, args.jobs, module)
        results.append(
            Result(
                module,
                len(chosen),
                len(chosen) - len(equivalents) - len(survivors),
                len(equivalents),
                [f"{m.line}: {m.description}" for m in survivors],
                len(everything),
                [f"{m.line}: {m.description}".rsplit(" @", 1)[0] for m in chosen]
                if len(chosen) < len(everything)
                else None,
            )
        )
        print_table(results[-1:])
    if args.list:
        return 0
    print()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps({r.module: asdict(r) for r in results}, indent=1))
    return 0


def run_module(
    root: Path,
    relative: Path,
    source: str,
    mutants: list[Mutant],
    tests: list[str],
    jobs: int,
    module: str,
) -> list[Mutant]:
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        repos = [copy_repo(root, Path(tmp) / str(i)) for i in range(max(1, jobs))]
        ok, clean = run_tests(repos[0], tests, None)
        if not ok:  # once more: a timing test may fail on a busy machine
            ok, clean = run_tests(repos[0], tests, None)
        if not ok:
            raise SystemExit(f"{module}: the tests fail on the unmutated copy; fix that first")
        timeout = max(10 * clean, 20.0)
        print(f"{module}: {len(mutants)} mutants, clean run {clean:.1f}s", file=sys.stderr)
        free = list(repos)

        def one(mutant: Mutant) -> Mutant | None:
            repo = free.pop()
            target = repo / relative
            try:
                target.write_text(apply(source, mutant), encoding="utf-8")
                passed, _ = run_tests(repo, tests, timeout)
            finally:
                target.write_text(source, encoding="utf-8")
                free.append(repo)
            mark = "SURVIVED" if passed else "caught"
            print(f"  {module}:{mutant.line}: {mutant.description}  {mark}", file=sys.stderr)
            return mutant if passed else None

        pool = ThreadPoolExecutor(max_workers=max(1, jobs))
        try:
            outcome = list(pool.map(one, mutants))
        finally:  # on Ctrl-C: finish the mutants running (restoring their files), start no more
            pool.shutdown(wait=True, cancel_futures=True)
    return [m for m in outcome if m is not None]


def print_table(results: list[Result]) -> None:
    print("| module | mutants tried | caught | equivalent | score |")
    print("|---|---|---|---|---|")
    for r in results:
        tried = f"{r.tried} of {r.total}" if r.tried < r.total else str(r.tried)
        print(f"| {r.module} | {tried} | {r.caught} | {r.equivalent} | {r.score:.1f}% |")
    for r in results:
        for survivor in r.survivors:
            print(f"  survivor {r.module}:{survivor}")


if __name__ == "__main__":
    raise SystemExit(main())
