"""A small mutation tester: how many one-token bugs in a module would the tests notice?

    python tools/mutate.py migems_cli/rules.py [--limit N] [--seed S] [--jobs 2] [--tests ...]
    python tools/mutate.py --renumber

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

The list's line numbers follow the code: after editing a module, `--renumber` moves each entry
to its code's line now (from the module as it was in the commit that last changed the entry,
git blame, through a line diff) and prints the entries it cannot follow, with why, for a person
to look at (exit 1). tests/test_mutation_tool.py fails while an entry names no current mutant.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import functools
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
from collections.abc import Collection, Sequence
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

    def key(self, module: str) -> str:
        """`module:line:description`: how --list prints it and the equivalent list names it."""
        return f"{module}:{self.line}:{self.description}"


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


PACKAGE = "migems_cli"  # a list entry's module is a file under it, named by its stem
_UNCOMMITTED = "0" * 40  # what git blame gives a line not committed yet
_COLUMN = re.compile(r" @\d+$")


def package_files(root: Path) -> set[str]:
    """The package's module files under `root`, as repository paths."""
    return {p.relative_to(root).as_posix() for p in (root / PACKAGE).rglob("*.py")}


def module_file(stem: str, files: Collection[str]) -> str | None:
    """The file of a list entry's module among `files` (repository paths): migems_cli/STEM.py,
    else the one migems_cli/**/STEM.py (render/batch_out.py is `batch_out`); None if none or
    several."""
    top = f"{PACKAGE}/{stem}.py"
    if top in files:
        return top
    nested = [f for f in files if f.startswith(f"{PACKAGE}/") and f.endswith(f"/{stem}.py")]
    return nested[0] if len(nested) == 1 else None


def list_entries(text: str) -> list[tuple[int, str]]:
    """(line number in the list, key) of each entry: comments and blank lines are not entries."""
    found = []
    for number, raw in enumerate(text.split("\n"), 1):
        key = raw.split("  #", 1)[0].strip()  # as load_equivalent reads it
        if key and not key.startswith("#"):
            found.append((number, key))
    return found


def _split_key(key: str) -> tuple[str, int, str] | None:
    module, _, rest = key.partition(":")
    line, _, description = rest.partition(":")
    number = line.isascii() and line.isdigit()
    return (module, int(line), description) if number and description else None


def _keys(stem: str, source: str) -> set[str]:
    return {m.key(stem) for m in mutants_of(source)}


def stale_entries(path: Path, root: Path) -> list[str]:
    """The entries of the list at `path` that name no mutant of the code now under `root`."""
    files = package_files(root)
    keys: dict[str, set[str]] = {}
    stale = []
    for number, key in list_entries(path.read_text(encoding="utf-8")):
        stem = key.split(":", 1)[0]
        if stem not in keys:
            found = module_file(stem, files)
            keys[stem] = set() if found is None else _keys(stem, (root / found).read_text("utf-8"))
        if key not in keys[stem]:
            stale.append(f"{path.name}:{number}: {key}")
    return stale


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, encoding="utf-8"
    )
    if done.returncode:
        raise SystemExit(f"git {args[0]}: {done.stderr.strip()}")
    return done.stdout


def _blame(root: Path, path: Path) -> list[str]:
    """The commit that last changed each line of the file (zeros for an uncommitted line)."""
    commits: list[str] = []
    commit = ""
    for line in _git(root, "blame", "--porcelain", "--", str(path.resolve())).split("\n"):
        if line.startswith("\t"):
            commits.append(commit)
        elif re.match(r"[0-9a-f]{40} \d+ \d+", line):
            commit = line[:40]
    return commits


def _lines(source: str) -> list[str]:
    """The source's lines as ast numbers them."""
    return [line.rstrip("\r\n") for line in _AST_LINES.findall(source)]


@functools.cache
def _opcodes(a: tuple[str, ...], b: tuple[str, ...]) -> Sequence[tuple[str, int, int, int, int]]:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def map_line(old: list[str], new: list[str], line: int) -> tuple[int | None, str]:
    """Where line `line` (from 1) of the source `old` is in `new`, compared without indentation:
    in a run of lines the two sources share, or else the one line of the same text in each
    (code that moved). (None, why) when neither."""
    a = tuple(text.strip() for text in old)
    b = tuple(text.strip() for text in new)
    i = line - 1
    for tag, i1, i2, j1, _ in _opcodes(a, b):
        if tag == "equal" and i1 <= i < i2:
            return j1 + i - i1 + 1, ""
    if a.count(a[i]) == 1 and b.count(a[i]) == 1:
        return b.index(a[i]) + 1, ""
    if a[i] not in b:
        return None, f"its line `{_short(a[i])}` was changed or deleted"
    return None, f"its line `{_short(a[i])}` moved among others like it: which one is unclear"


class _Renumbering:
    """Follows entries from the module's source when each was written to its source now."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.now = package_files(root)
        self.files: dict[str, set[str]] = {}
        self.sources: dict[tuple[str, str], str] = {}
        self.mutants: dict[str, list[Mutant]] = {}

    def source(self, commit: str, stem: str) -> tuple[str, str] | None:
        """(path, text) of the module at `commit` (the working tree for _UNCOMMITTED)."""
        if commit == _UNCOMMITTED:
            path = module_file(stem, self.now)
            return None if path is None else (path, (self.root / path).read_text("utf-8"))
        if commit not in self.files:
            listing = _git(self.root, "ls-tree", "-r", "--name-only", commit, "--", PACKAGE)
            self.files[commit] = set(listing.splitlines())
        path = module_file(stem, self.files[commit])
        if path is None:
            return None
        if (commit, path) not in self.sources:
            self.sources[commit, path] = _git(self.root, "show", f"{commit}:{path}")
        return path, self.sources[commit, path]

    def of(self, source: str) -> list[Mutant]:
        if source not in self.mutants:
            self.mutants[source] = mutants_of(source)
        return self.mutants[source]

    def follow(self, key: str, commit: str) -> tuple[str | None, str]:
        """The entry's key now, or (None, why)."""
        parts = _split_key(key)
        if parts is None:
            return None, "not `module:line:description`"
        stem, line, description = parts
        then = self.source(commit, stem)
        at = "now" if commit == _UNCOMMITTED else f"at {commit[:8]}, where this entry last changed"
        if then is None:
            return None, f"no module file for `{stem}` under {PACKAGE}/ {at}"
        old = next((m for m in self.of(then[1]) if (m.line, m.description) == parts[1:]), None)
        if old is None:
            return None, f"names no mutant of {then[0]} {at}"
        now = self.source(_UNCOMMITTED, stem)
        if now is None:
            return None, f"no module file for `{stem}` under {PACKAGE}/ now"
        old_lines, new_lines = _lines(then[1]), _lines(now[1])
        new_line, why = map_line(old_lines, new_lines, line)
        if new_line is None:
            return None, f"{why} since {commit[:8]}"
        indent = len(new_lines[new_line - 1]) - len(new_lines[new_line - 1].lstrip())
        indent -= len(old_lines[line - 1]) - len(old_lines[line - 1].lstrip())
        base = _COLUMN.sub("", description)
        for m in self.of(now[1]):
            same = (m.line, m.start[1], _COLUMN.sub("", m.description))
            if same == (new_line, old.start[1] + indent, base):
                return m.key(stem), ""
        return None, f"line {line} is line {new_line} of {now[0]} now, which has no such mutant"


def renumber(path: Path, root: Path) -> int:
    """Moves each entry of the list at `path` to the line its code is on now: the entry's line
    is followed from the module as it was in the commit that last changed the entry (git
    blame), and must name a mutant of the module now. The entries it cannot follow stay as
    they are and are printed, with why, for a person to look at (exit status 1)."""
    text = path.read_text(encoding="utf-8")
    raws = text.split("\n")
    commits = _blame(root, path)
    renumbering = _Renumbering(root)
    moved: dict[int, str] = {}
    problems: dict[int, str] = {}
    for number, key in list_entries(text):
        new, why = renumbering.follow(key, commits[number - 1])
        if new is None:
            problems[number] = why
        elif new != key:
            moved[number] = new
    final = {number: moved.get(number, key) for number, key in list_entries(text)}
    for number, key in final.items():
        twins = [n for n, k in final.items() if k == key and n != number]
        if twins and number in moved:  # it would name another entry's mutant: it stays as it is
            problems[number] = f"would name the same mutant as line {twins[0]}: {key}"
    for number, new in moved.items():
        if number not in problems:
            old = raws[number - 1].split("  #", 1)[0].strip()
            raws[number - 1] = raws[number - 1].replace(old, new, 1)
    result = "\n".join(raws)
    if result != text:
        path.write_text(result, encoding="utf-8")
    for number, why in sorted(problems.items()):
        print(f"{path.name}:{number}: {raws[number - 1].split('  #', 1)[0].strip()}: {why}")
    print(
        f"{len(final)} entries: {len(set(moved) - set(problems))} moved, "
        f"{len(problems)} to look at by hand",
        file=sys.stderr,
    )
    return 1 if problems else 0


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
    parser.add_argument("modules", nargs="*", help="paths such as migems_cli/rules.py")
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
    parser.add_argument(
        "--renumber",
        action="store_true",
        help="move the --equivalent list's line numbers to where their code is now, and stop",
    )
    args = parser.parse_args(argv)
    if args.renumber:
        return renumber(args.equivalent, args.root)
    if not args.modules:
        parser.error("name a module (or --renumber)")
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
            chosen = [m for m in chosen if args.match in m.key(module)]
        if args.list:
            for m in chosen:
                print(m.key(module))
            continue
        equivalents = [m for m in chosen if m.key(module) in equivalent]
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
