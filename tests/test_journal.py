"""The decision journal on SQLite: overrides, --record, second contact, migems log, schema
versions, faults (not a database, read-only, full disk), many writers at once, Ctrl-C."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migems_cli.errors import ExitCode
from migems_cli.journal.entry import override_reason
from migems_cli.journal.store import SCHEMA_VERSION, Query, Target, open_store
from tests.helpers import migems_script, modules_after, script_env

ROOT = Path(__file__).resolve().parent.parent
LATE = ["check", "--delivered", "2026-10-03", "--category", "rings", "--price", "120"]  # ineligible
IN_TIME = ["check", "--delivered", "2026-11-03", "--category", "rings", "--price", "120"]
REASON = "goodwill: loyal customer, first return"


@pytest.fixture
def journal(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("MIGEMS_AGENT", raising=False)
    monkeypatch.delenv("MIGEMS_JOURNAL", raising=False)
    return tmp_path / "journal.sqlite3"


@contextmanager
def connected(path: Path, timeout: float = 5.0) -> Iterator[sqlite3.Connection]:
    """A connection to a journal file, committed and closed on the way out."""
    db = sqlite3.connect(path, timeout=timeout)
    try:
        with db:
            yield db
    finally:
        db.close()


def rows(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    with connected(path) as db:
        return [
            {"id": entry_id, **json.loads(body)}
            for entry_id, body in db.execute("SELECT id, body FROM migems_entries ORDER BY id")
        ]


def one_line_error(result, code: int = ExitCode.BAD_INPUT) -> str:
    assert result.code == code, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("Error: "), result.err
    assert "Traceback" not in result.err
    return lines[0]


# --- override -----------------------------------------------------------------------------


def test_override_changes_the_decision_keeps_the_rules_and_is_recorded(run, journal) -> None:
    plain = run(*LATE, "--json")
    overridden = run(
        *LATE, "--override", "eligible", "--override-reason", REASON, "--agent", "ana",
        "--journal", str(journal), "--json",
    )  # fmt: skip
    assert (plain.code, overridden.code) == (ExitCode.INELIGIBLE, ExitCode.OK)
    before, after = json.loads(plain.out), json.loads(overridden.out)
    assert after["decision"] == "eligible"
    assert after["rules"] == before["rules"]
    assert after["override"] == {
        "from": "ineligible", "to": "eligible", "reason": REASON, "agent": "ana"
    }  # fmt: skip
    [entry] = rows(journal)
    assert entry["decision"] == "eligible"
    assert entry["override"] == after["override"]
    assert entry["failed_rules"] == ["return-window"]
    assert after["recorded"] == {"id": entry["id"], "journal": str(journal)}


def test_override_to_ineligible_exits_1_and_the_panel_shows_who_and_why(run, journal) -> None:
    done = run(
        *IN_TIME, "--override", "ineligible", "--override-reason", "item shows wear in photos",
        "--agent", "bo", "--journal", str(journal),
    )  # fmt: skip
    assert done.code == ExitCode.INELIGIBLE
    assert "NOT ELIGIBLE (override)" in done.out
    assert "the rules decided ELIGIBLE; overridden by bo: item shows wear in photos" in done.out
    assert f"Recorded as entry 1 in the journal {journal}" in " ".join(done.out.split())


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--override", "eligible", "--agent", "ana"], "--override-reason"),
        (["--override", "eligible", "--override-reason", "x", "--agent", "ana"], "--override-reason"),
        (["--override", "eligible", "--override-reason", "n/a", "--agent", "ana"], "--override-reason"),
        (["--override", "eligible", "--override-reason", "Test", "--agent", "ana"], "--override-reason"),
        (["--override", "eligible", "--override-reason", "aaaaaaa", "--agent", "ana"], "--override-reason"),
        (["--override", "eligible", "--override-reason", "12345 !!", "--agent", "ana"], "--override-reason"),
        (["--override", "eligible", "--override-reason", "ok\x1b[2Jfine", "--agent", "ana"], "--override-reason"),
        (["--override", "eligible", "--override-reason", REASON], "--agent"),
        (["--override", "maybe", "--override-reason", REASON, "--agent", "ana"], "--override"),
        (["--override", "ineligible", "--override-reason", REASON, "--agent", "ana"], "--override"),
        (["--override-reason", REASON, "--agent", "ana"], "--override-reason"),
    ],
)  # fmt: skip
def test_an_override_without_reason_or_agent_is_refused_and_nothing_recorded(
    run, journal, extra, option
) -> None:
    line = one_line_error(run(*LATE, *extra, "--journal", str(journal)))
    assert line.startswith(f"Error: {option}: "), line
    assert rows(journal) == []


def test_agent_comes_from_migems_agent(run, journal) -> None:
    done = run(
        *LATE, "--override", "eligible", "--override-reason", REASON, "--journal", str(journal),
        env={"MIGEMS_AGENT": "cy"},
    )  # fmt: skip
    assert done.code == ExitCode.OK
    assert rows(journal)[0]["agent"] == "cy"


def test_an_override_without_a_usable_journal_is_refused(run, tmp_path) -> None:
    bad = tmp_path / "not-a-journal"
    bad.write_text("hello, I am a text file\n" * 50)
    done = run(
        *LATE, "--override", "eligible", "--override-reason", REASON, "--agent", "ana",
        "--journal", str(bad), "--json",
    )  # fmt: skip
    assert done.code == ExitCode.BAD_INPUT
    assert "not a migems journal" in done.err
    assert json.loads(done.out)["error"]["message"].startswith("journal ")
    assert bad.read_text().startswith("hello")


def test_reason_words_accepted_and_refused() -> None:
    assert override_reason("  goodwill  ") == "goodwill"
    assert override_reason("damaged\nin transit") == "damaged in transit"
    for empty in ("", "   ", "none", "N/A", "because", "zz zz", "x" * 501):
        with pytest.raises(Exception, match="override-reason"):
            override_reason(empty)


# --- record -------------------------------------------------------------------------------


def test_record_stores_the_decision_and_policy_identity_not_the_customer(
    run, journal, policy
) -> None:
    done = run(
        *IN_TIME, "--record", "--order", "A1001", "--claim-id", "C-7", "--agent", "ana",
        "--journal", str(journal), "--json",
    )  # fmt: skip
    assert done.code == ExitCode.OK
    [entry] = rows(journal)
    assert set(entry) == {
        "id", "recorded_at", "agent", "order_id", "claim_id", "command", "decision", "override",
        "remedy", "refund_amount", "currency", "deadlines", "failed_rules", "review_rules",
        "as_of", "claim", "policy",
    }  # fmt: skip
    assert entry["policy"] == policy.identity.to_dict()
    assert (entry["order_id"], entry["claim_id"], entry["agent"]) == ("A1001", "C-7", "ana")
    assert (entry["decision"], entry["refund_amount"], entry["override"]) == (
        "eligible",
        "120.00",
        None,
    )
    assert entry["claim"] == json.loads(done.out)["claim"]
    assert entry["deadlines"] == json.loads(done.out)["deadlines"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", str(entry["recorded_at"]))


def test_the_default_journal_is_a_0600_wal_file_in_the_data_folder(
    run, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("MIGEMS_JOURNAL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert run(*IN_TIME, "--record").code == ExitCode.OK
    path = tmp_path / "data" / "migems" / "journal.sqlite3"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with connected(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        versions = [v for (v,) in db.execute("SELECT version FROM migems_schema ORDER BY 1")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    monkeypatch.setenv("MIGEMS_JOURNAL", str(tmp_path / "env.sqlite3"))
    assert run(*IN_TIME, "--record").code == ExitCode.OK
    assert len(rows(tmp_path / "env.sqlite3")) == 1


def test_entries_are_append_only_in_code_and_in_the_database(run, journal) -> None:
    for source in (ROOT / "migems_cli" / "journal").glob("*.py"):
        text = source.read_text()
        assert not re.search(
            r"\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bREPLACE\s+INTO\b", text, re.I
        ), source
    run(*IN_TIME, "--record", "--journal", str(journal))
    with connected(journal) as db:
        for statement in ("UPDATE migems_entries SET decision = 'x'", "DELETE FROM migems_entries"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)
    assert len(rows(journal)) == 1


def test_order_ids_with_control_characters_are_refused(run, journal) -> None:
    line = one_line_error(
        run(*IN_TIME, "--record", "--order", "A1\x1b[2J", "--journal", str(journal))
    )
    assert "--order" in line
    assert "\x1b" not in line
    assert rows(journal) == []


# --- second contact -----------------------------------------------------------------------


def test_second_contact_shows_earlier_decisions_and_warns_when_the_new_one_differs(
    run, journal
) -> None:
    j = ["--journal", str(journal), "--order", "A1001"]
    assert run(*LATE, *j, "--record", "--agent", "ana").code == ExitCode.INELIGIBLE
    run(*LATE, *j, "--override", "eligible", "--override-reason", "goodwill", "--agent", "bo")
    again = run(*LATE, *j, "--json")
    data = json.loads(again.out)
    assert again.code == ExitCode.INELIGIBLE
    assert [e["agent"] for e in data["history"]] == ["bo", "ana"]  # newest first
    assert data["history"][0]["override"]["reason"] == "goodwill"
    [warning] = data["warnings"][:1]
    assert "differs from the last one recorded for order A1001" in warning
    assert warning.endswith(": ELIGIBLE (override: goodwill)")
    human = run(*LATE, *j)
    assert human.out.index("Earlier decisions on order A1001") < human.out.index("NOT ELIGIBLE")
    assert "bo: ELIGIBLE (override: goodwill)" in human.out
    assert "Warning: the decision now (NOT ELIGIBLE) differs" in human.out
    assert len(rows(journal)) == 2  # reading recorded nothing


def test_history_is_of_the_same_order_and_claim(run, journal) -> None:
    j = ["--journal", str(journal), "--record"]
    run(*IN_TIME, *j, "--order", "A1", "--claim-id", "c1")
    run(*IN_TIME, *j, "--order", "A1", "--claim-id", "c2")
    run(*IN_TIME, *j, "--order", "A2")
    found = json.loads(
        run(*IN_TIME, "--journal", str(journal), "--order", "A1", "--claim-id", "c2", "--json").out
    )
    assert [(e["order_id"], e["claim_id"]) for e in found["history"]] == [("A1", "c2")]
    found = json.loads(run(*IN_TIME, "--journal", str(journal), "--order", "A1", "--json").out)
    assert len(found["history"]) == 2
    assert "warnings" not in found


def test_a_journal_that_cannot_be_read_is_a_warning_never_a_failure(run, tmp_path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00garbage" * 100)
    done = run(*IN_TIME, "--order", "A1", "--journal", str(bad), "--json")
    assert done.code == ExitCode.OK
    assert json.loads(done.out)["history"] == []
    assert done.err.startswith("Warning: journal ")
    assert "not a migems journal" in done.err
    missing = run(*IN_TIME, "--order", "A1", "--journal", str(tmp_path / "none.sqlite3"), "--json")
    assert (missing.code, missing.err, json.loads(missing.out)["history"]) == (0, "", [])
    assert not (tmp_path / "none.sqlite3").exists()  # reading creates nothing


# --- schema versions ----------------------------------------------------------------------

V1 = (
    "CREATE TABLE migems_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    "CREATE TABLE migems_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at TEXT NOT NULL,"
    " agent TEXT, order_id TEXT, claim_id TEXT, decision TEXT NOT NULL, overridden INTEGER NOT NULL,"
    " policy_digest TEXT NOT NULL, body TEXT NOT NULL)",
    "INSERT INTO migems_schema VALUES (1, '2026-01-01T00:00:00Z')",
)


def test_an_older_journal_is_upgraded_in_place(run, journal) -> None:
    with connected(journal) as db:
        for statement in V1:
            db.execute(statement)
        db.execute(
            "INSERT INTO migems_entries VALUES (NULL, '2026-11-20T10:00:00.000000Z', 'old', 'A1', NULL,"
            ' \'eligible\', 0, \'abc\', \'{"decision": "eligible", "agent": "old", "order_id": "A1",'
            ' "recorded_at": "2026-11-20T10:00:00.000000Z"}\')'
        )
    assert run(*IN_TIME, "--record", "--order", "A1", "--journal", str(journal)).code == 0
    with connected(journal) as db:
        assert [v for (v,) in db.execute("SELECT version FROM migems_schema")] == [1, 2]
        names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert names == {"migems_entries_no_update", "migems_entries_no_delete"}
    assert [e["agent"] for e in rows(journal)] == ["old", None]


def test_a_newer_journal_is_refused_with_one_line(run, journal) -> None:
    run(*IN_TIME, "--record", "--journal", str(journal))
    with connected(journal) as db:
        db.execute("INSERT INTO migems_schema VALUES (99, 'later')")
    line = one_line_error(run(*IN_TIME, "--record", "--journal", str(journal)))
    assert "schema version 99, newer than this migems knows (2); upgrade migems" in line
    one_line_error(run("log", "--journal", str(journal)))
    read = run(*IN_TIME, "--order", "A1", "--journal", str(journal))
    assert read.code == 0
    assert "schema version 99" in read.err
    assert len(rows(journal)) == 1


def test_another_programs_sqlite_database_is_left_alone(run, tmp_path) -> None:
    other = tmp_path / "app.db"
    with connected(other) as db:
        db.execute("CREATE TABLE customers (name TEXT)")
    line = one_line_error(run(*IN_TIME, "--record", "--journal", str(other)))
    assert "is a SQLite database, but not a migems journal" in line
    with connected(other) as db:
        assert {n for (n,) in db.execute("SELECT name FROM sqlite_master")} == {"customers"}


# --- faults -------------------------------------------------------------------------------


def test_not_a_database_is_one_line_and_exit_2(run, tmp_path) -> None:
    bad = tmp_path / "j.sqlite3"
    bad.write_bytes(b"SQLite format 2\x00" + b"\xff" * 4000)
    line = one_line_error(run(*IN_TIME, "--record", "--journal", str(bad)))
    assert line == f"Error: journal {bad}: is not a migems journal (not a SQLite database)"


def test_a_folder_is_not_a_journal(run, tmp_path) -> None:
    line = one_line_error(run(*IN_TIME, "--record", "--journal", str(tmp_path)))
    assert "is a folder" in line


def test_a_read_only_journal_is_one_line_and_no_partial_entry(tmp_path) -> None:
    """Read-only for real: file modes for a user; for root (CI), whom modes do not bind, a
    read-only bind mount of the journal's folder."""
    folder = tmp_path / "journals"
    folder.mkdir()
    journal = folder / "journal.sqlite3"
    env = script_env({"MIGEMS_JOURNAL": str(journal)})
    first = subprocess.run(
        [migems_script(), *IN_TIME, "--record"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    mounted = False
    if os.geteuid() == 0:
        bind = subprocess.run(
            ["mount", "--bind", "-o", "ro", str(folder), str(folder)],
            capture_output=True,
            check=False,
        )
        if bind.returncode != 0:
            pytest.skip(
                "root here may not mount a read-only folder, and file modes do not bind root"
            )
        mounted = True
        why = "Read-only file system"
    else:
        journal.chmod(0o444)
        why = "Permission denied"
    try:
        done = subprocess.run(
            [migems_script(), *IN_TIME, "--record"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == ExitCode.BAD_INPUT, done
        assert (
            done.stderr == f"Error: journal {journal}: is read-only ({why}); nothing was recorded\n"
        )
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=False)
    assert len(rows(journal)) == 1


def _fill(folder: Path) -> None:
    with (folder / "filler").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass


def test_a_full_disk_is_one_line_and_no_partial_entry(run, tmp_path, journal) -> None:
    """A real full disk (a small tmpfs) where this may mount one (root, as CI); else a
    journal that SQLite may not grow (max_page_count), which fails the same way."""
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    if not mounted:
        return _full_by_page_count(journal)
    try:
        path = mount / "j.sqlite3"
        assert run(*IN_TIME, "--record", "--journal", str(path)).code == 0
        _fill(mount)
        for attempt in range(300):
            done = run(
                *IN_TIME, "--record", "--journal", str(path), "--order", f"{attempt:04}" + "A" * 190
            )
            if done.code != 0:
                break
        line = one_line_error(done)
        assert line == f"Error: journal {path}: the disk is full; nothing was recorded"
        (mount / "filler").unlink()
        found = rows(path)
        assert [e["order_id"] for e in found[1:]] == [f"{n:04}" + "A" * 190 for n in range(attempt)]
        with connected(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _full_by_page_count(journal: Path) -> None:
    from migems_cli.journal.entry import Entry
    from migems_cli.journal.errors import JournalError

    store = open_store(Target("sqlite", str(journal), True), create=True)
    assert store is not None
    db = store._db  # type: ignore[attr-defined]
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    entry = Entry(
        None,
        "x",
        "check",
        "a" * 9000,
        None,
        None,
        "eligible",
        None,
        "",
        None,
        "",
        {},
        (),
        (),
        "",
        {},
        {},
    )
    with pytest.raises(JournalError, match="the disk is full; nothing was recorded"):
        store.append([entry] * 20)
    store.close()
    assert rows(journal) == []


# --- batch --------------------------------------------------------------------------------


def test_batch_record_appends_one_entry_per_evaluated_row(run, tmp_path, journal) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "order_id,claim_id,delivered,category,price\n"
        "A1,C1,2026-11-03,rings,120\nA2,,2026-10-01,rings,50\nA3,C3,bad,rings,1\n"
    )
    done = run("batch", str(claims), "--record", "--journal", str(journal), "--agent", "dee")
    assert done.code == ExitCode.ROW_ERRORS
    assert f"2 entries recorded in the journal {journal}" in done.err
    found = rows(journal)
    assert [
        (e["order_id"], e["claim_id"], e["decision"], e["agent"], e["command"]) for e in found
    ] == [
        ("A1", "C1", "eligible", "dee", "batch"),
        ("A2", None, "ineligible", "dee", "batch"),
    ]
    assert found[0]["refund_amount"] == "120.00"
    assert found[1]["failed_rules"] == ["return-window"]
    check = json.loads(run(*IN_TIME, "--json").out)
    assert found[0]["claim"] == check["claim"]
    assert found[0]["deadlines"] == check["deadlines"]


def test_batch_without_a_usable_journal_writes_nothing(run, tmp_path) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text("delivered\n2026-11-03\n")
    bad = tmp_path / "bad"
    bad.write_text("x" * 2000)
    out = tmp_path / "out.csv"
    line = one_line_error(
        run("batch", str(claims), "--record", "--journal", str(bad), "-o", str(out))
    )
    assert "not a migems journal" in line
    assert not out.exists()


def test_ctrl_c_during_batch_record_leaves_whole_chunks(tmp_path, journal) -> None:
    claims = tmp_path / "claims.csv"
    count = 60_000  # not a multiple of the 256-row chunk: a completed run is told apart
    with claims.open("w") as out:
        out.write("order_id,delivered,category,price\n")
        out.writelines(f"A{n},2026-11-03,rings,{n % 500 + 1}\n" for n in range(count))
    process = subprocess.Popen(
        [migems_script(), "batch", str(claims), "--record", "--journal", str(journal), "-o", str(tmp_path / "o.csv")],
        env=script_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with connected(journal, timeout=5) as db:
                if db.execute("SELECT count(*) FROM migems_entries").fetchone()[0] > 0:
                    break
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err
    recorded = len(rows(journal))
    if process.returncode == ExitCode.INTERRUPTED:
        assert recorded % 256 == 0
        assert 0 < recorded < count
        assert not (tmp_path / "o.csv").exists()
    else:  # the run finished before the signal came
        assert (process.returncode, recorded) == (0, count)
    with connected(journal) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [i for (i,) in db.execute("SELECT id FROM migems_entries ORDER BY id")]
    assert ids == list(range(1, recorded + 1))


# --- many writers -------------------------------------------------------------------------


def concurrent_checks(journal: str, count: int = 50) -> list[subprocess.CompletedProcess[str]]:
    env = script_env({"MIGEMS_JOURNAL": journal})
    processes = [
        subprocess.Popen(
            [migems_script(), *IN_TIME, "--record", "--order", f"O{n}", "--agent", f"agent{n % 7}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    done = []
    for process in processes:
        _, err = process.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, "", err))
    return done


@pytest.mark.slow  # 50 processes: .ci/run runs it (pytest -m slow)
def test_50_concurrent_checks_record_exactly_50_entries(journal) -> None:
    done = concurrent_checks(str(journal))
    assert [d.returncode for d in done] == [0] * 50, [d.stderr for d in done if d.returncode]
    found = rows(journal)
    assert sorted(e["order_id"] for e in found) == sorted(f"O{n}" for n in range(50))
    assert [e["id"] for e in found] == list(range(1, 51))


# --- migems log ---------------------------------------------------------------------------


@pytest.fixture
def filled(run, journal) -> Path:
    j = ["--journal", str(journal), "--record"]
    run(*IN_TIME, *j, "--order", "A1", "--claim-id", "c1", "--agent", "ana")
    run(*LATE, *j, "--order", "A2", "--agent", "bo")
    run(
        *LATE,
        "--journal",
        str(journal),
        "--order",
        "A2",
        "--agent",
        "bo",
        "--override",
        "eligible",
        "--override-reason",
        "=goodwill, loyal",
    )
    run(*IN_TIME, *j, "--order", "A3", "--agent", "ana", "--reason", "damaged")
    return journal


def test_log_filters(run, filled) -> None:
    def ids(*args: str) -> list[int]:
        done = run("log", "--journal", str(filled), "--json", *args)
        assert done.code == 0, done
        return [e["id"] for e in json.loads(done.out)["entries"]]

    assert ids() == [4, 3, 2, 1]
    assert ids("--order", "A2") == [3, 2]
    assert ids("--order", "A1", "--claim-id", "c1") == [1]
    assert ids("--agent", "ana") == [4, 1]
    assert ids("--decision", "ineligible") == [2]
    assert ids("--decision", "REVIEW") == [4]
    assert ids("--overrides") == [3]
    assert ids("--limit", "2") == [4, 3]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert ids("--since", today, "--until", today) == [4, 3, 2, 1]
    assert ids("--until", "2020-01-01") == []
    assert ids("--since", "2999-01-01") == []


def test_log_table_and_overrides(run, filled) -> None:
    done = run("log", "--journal", str(filled), "--overrides")
    assert done.code == 0
    assert "eligible (override, was ineligible): =goodwill, loyal" in " ".join(done.out.split())
    assert "A1" not in done.out


def test_log_exports_csv_and_jsonl(run, filled) -> None:
    from migems_cli.commands.log import CSV_COLUMNS

    csv_out = run("log", "--journal", str(filled), "--format", "csv")
    table = list(csv.reader(io.StringIO(csv_out.out)))
    assert tuple(table[0]) == CSV_COLUMNS
    assert [r[0] for r in table[1:]] == ["4", "3", "2", "1"]
    assert table[2][CSV_COLUMNS.index("override_reason")] == "'=goodwill, loyal"  # no formula
    assert csv_out.out.endswith("\r\n")
    jsonl = run("log", "--journal", str(filled), "--format", "jsonl", "--agent", "bo")
    assert [json.loads(line)["id"] for line in jsonl.out.splitlines()] == [3, 2]


def test_log_show(run, filled) -> None:
    shown = run("log", "show", "3", "--journal", str(filled), "--json")
    entry = json.loads(shown.out)
    assert entry["override"] == {
        "from": "ineligible",
        "to": "eligible",
        "reason": "=goodwill, loyal",
        "agent": "bo",
    }
    human = run("log", "show", "3", "--journal", str(filled))
    assert "Entry 3: ELIGIBLE" in human.out
    assert "from ineligible to eligible by bo" in human.out
    assert one_line_error(run("log", "show", "99", "--journal", str(filled))).startswith(
        "Error: ID: no such entry"
    )
    assert one_line_error(run("log", "show", "x1", "--journal", str(filled))).startswith(
        "Error: ID: not an entry id"
    )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--decision", "maybe"], "--decision"),
        (["--limit", "0"], "--limit"),
        (["--since", "2026-13-01"], "--since"),
        (["--since", "2026-11-05", "--until", "2026-11-01"], "--until"),
        (["--json", "--format", "csv"], "--json"),
    ],
)
def test_log_bad_options(run, filled, args, option) -> None:
    assert option in one_line_error(run("log", "--journal", str(filled), *args))


def test_log_without_a_journal(run, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    done = run("log")
    assert (done.code, done.out.strip()) == (0, "No entries match.")
    assert json.loads(run("log", "--json").out) == {"entries": []}
    assert "does not exist" in one_line_error(
        run("log", "--journal", str(tmp_path / "nope.sqlite3"))
    )


def test_log_reads_in_batches_not_all_at_once(journal) -> None:
    """entries() is lazy: the first entry comes before the rest are read."""
    store = open_store(Target("sqlite", str(journal), True), create=True)
    assert store is not None
    from migems_cli.journal.entry import Entry

    store.append(
        [
            Entry(
                None,
                f"2026-11-30T00:00:{n % 60:02d}.000000Z",
                "batch",
                None,
                str(n),
                None,
                "eligible",
                None,
                "",
                None,
                "",
                {},
                (),
                (),
                "",
                {},
                {},
            )
            for n in range(5000)
        ]
    )
    stream = store.entries(Query())
    assert next(stream).order_id == "4999"
    assert sum(1 for _ in stream) == 4999
    store.close()


# --- start-up and attacks -----------------------------------------------------------------


def test_check_without_journal_options_imports_no_journal_code() -> None:
    watched = ("sqlite3", "psycopg", "migems_cli.journal")
    plain = modules_after([*IN_TIME, "--json"], watched, script_env())
    assert (plain.code, plain.modules) == (0, [])
    env = script_env({"XDG_DATA_HOME": "/nonexistent-migems-data"})
    order = modules_after([*IN_TIME, "--order", "A1", "--json"], watched, env)
    assert order.code == 0
    assert "sqlite3" not in order.modules
    assert "psycopg" not in order.modules


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reason=st.text(max_size=60),
    order=st.text(min_size=1, max_size=30),
    agent=st.text(min_size=1, max_size=20),
)
def test_hostile_override_values_never_break_the_journal(
    run, journal, reason, order, agent
) -> None:
    before = len(rows(journal))
    done = run(
        *LATE, "--override", "eligible", "--override-reason", reason, "--order", order,
        "--agent", agent, "--journal", str(journal),
    )  # fmt: skip
    assert "Traceback" not in done.err
    if done.code == ExitCode.OK:
        assert len(rows(journal)) == before + 1
    else:
        assert done.code == ExitCode.BAD_INPUT
        assert len(done.err.strip().splitlines()) == 1
        assert len(rows(journal)) == before


def test_log_json_bad_input_is_also_a_json_document(run, filled) -> None:
    done = run("log", "--journal", str(filled), "--json", "--decision", "maybe")
    assert done.code == ExitCode.BAD_INPUT
    assert json.loads(done.out)["error"]["option"] == "--decision"
    shown = run("log", "show", "x", "--journal", str(filled), "--json")
    assert json.loads(shown.out)["error"]["option"] == "ID"


def test_batch_entries_hold_the_claim_as_check_parses_it(run, tmp_path, journal) -> None:
    cells = [
        (
            "Nov 3 2026",
            "2026-11-20",
            "Damaged",
            "Rings",
            "yes",
            "n",
            "worn",
            "no",
            "1",
            "$120",
            "7.5",
        ),
        ("11/03/2026", "", "", "", "", "", "", "", "", "120 USD", ""),
        ("2026-11-03", "yesterday", "wrong item", "necklace", "", "", "", "", "", "", ""),
    ]
    names = ["delivered", "requested", "reason", "category", "custom", "sale", "condition",
             "packaging", "photos", "price", "shipping"]  # fmt: skip
    claims = tmp_path / "claims.csv"
    with claims.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(names)
        writer.writerows(cells * 2)  # the second time from the caches
    assert run("batch", str(claims), "--record", "--journal", str(journal)).code == 0
    found = rows(journal)
    assert len(found) == 6
    for at, row in enumerate(cells * 2):
        options = ["check"]
        for name, value in zip(names, row, strict=True):
            if name in ("custom", "sale", "photos") and value in ("yes", "1"):
                options.append(f"--{name}")
            elif name == "packaging" and value == "no":
                options.append("--no-packaging")
            elif value and name not in ("custom", "sale", "photos", "packaging"):
                options += [f"--{name}", value]
        check = json.loads(run(*options, "--json").out)
        assert found[at]["claim"] == check["claim"], options
        assert found[at]["deadlines"] == check["deadlines"]
        assert found[at]["decision"] == check["decision"]


def test_the_csv_export_carries_every_claim_field(run, journal) -> None:
    """The order date, what the customer wants and the exchange size are on record in the CSV
    export too, not only in the JSON (one column per field batch reads)."""
    run(
        "check", "--delivered", "2026-11-20", "--ordered", "2026-11-15", "--category", "ring",
        "--want", "exchange", "--exchange-size", "US 7", "--journal", str(journal), "--record",
        "--agent", "ana",
    )  # fmt: skip
    done = run("log", "--journal", str(journal), "--format", "csv")
    [row] = list(csv.DictReader(io.StringIO(done.out)))
    assert row["claim_ordered"] == "2026-11-15"
    assert row["claim_want"] == "exchange"
    assert row["claim_exchange_size"] == "US/CA 7"
