"""The job store: one SQLite row per job, paged reads, totals, and one writer at a time.

The lock is an exclusive ``flock`` on ``<store>.lock``: a second writer, in this process or
another, gets :class:`StoreBusyError` (a message that says what to do), readers open the file
read-only beside a writer, and closing (or the process ending) releases the lock.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from suno_async import ConfigError, JobStore, StoreBusyError
from suno_async._core._budget import TallyState


def _store(tmp_path: Path, name: str = "jobs.db") -> JobStore:
    return JobStore.open(tmp_path / name)


def test_add_get_update_round_trip(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        assert store.get("a") is None
        added = store.add("a", "generate", '{"x":1}', 3, "run-1")
        assert (added.key, added.kind, added.line, added.spec, added.status) == (
            "a",
            "generate",
            3,
            '{"x":1}',
            "pending",
        )
        assert added.credits == TallyState()
        assert (added.journal, added.result, added.error, added.attempts) == (None, None, None, 0)
        store.update("a", status="done", result=b'{"task_id":"t"}', attempts=2, journal=b"{}")
        record = store.get("a")
        assert record is not None
        assert (record.status, record.result, record.attempts, record.journal) == (
            "done",
            b'{"task_id":"t"}',
            2,
            b"{}",
        )
        with pytest.raises(sqlite3.IntegrityError):
            store.add("a", "generate", "{}", 4, "run-1")  # a key is stored once


def test_records_are_paged_in_order_and_filtered(tmp_path: Path) -> None:
    """More rows than a page (500): every one comes back once, in the order added."""
    with _store(tmp_path) as store:
        for i in range(1203):
            store.add(f"k{i:05d}", "generate", "{}", i + 2, None)
            if i % 3 == 0:
                store.update(f"k{i:05d}", status="failed")
        keys = [r.key for r in store.records()]
        assert keys == [f"k{i:05d}" for i in range(1203)]
        failed = [r.key for r in store.records("failed")]
        assert failed == [f"k{i:05d}" for i in range(0, 1203, 3)]
        assert len([r.key for r in store.records("failed", "pending")]) == 1203
        assert list(store.records("done")) == []


def test_totals_count_statuses_and_credits_including_in_flight(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        for key in "abcd":
            store.add(key, "generate", "{}", None, None)
        store.update("a", status="done", credits=TallyState(spent=40, unpriced=2))
        store.update(
            "b",
            status="ambiguous",
            credits=TallyState(uncertain=40, by_key={"g": 40}),
        )
        # a paid call in flight when the run stopped: counted as uncertain
        store.update("c", status="running", credits=TallyState(spent=100, in_flight=[(40, None)]))
        totals = store.totals()
        assert totals.counts == {
            "pending": 1,
            "running": 1,
            "done": 1,
            "failed": 0,
            "ambiguous": 1,
            "invalid": 0,
        }
        assert (totals.spent, totals.uncertain, totals.unpriced, totals.total) == (140, 80, 2, 4)
        record = store.get("c")
        assert record is not None
        assert record.credits.in_flight == [(40, None)]


def test_meta_and_delete_invalid(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        assert store.get_meta("resume") is None
        store.set_meta("resume", "one")
        store.set_meta("resume", "two")
        assert store.get_meta("resume") == "two"
        store.add("bad", "invalid", "null", 2, None)
        store.update("bad", status="invalid")
        store.add("good", "generate", "{}", 3, None)
        assert store.delete_invalid() == 1
        assert [r.key for r in store.records()] == ["good"]


def test_second_writer_in_this_process_is_refused_until_close(tmp_path: Path) -> None:
    first = _store(tmp_path)
    try:
        with pytest.raises(StoreBusyError) as info:
            _store(tmp_path)
        message = str(info.value)
        assert "in use by another process" in message
        assert "Wait for it to finish" in message
        assert info.value.argument == "store"
        assert isinstance(info.value, ConfigError)
    finally:
        first.close()
    first.close()  # idempotent
    with _store(tmp_path) as again:  # the lock went with the close
        assert again.totals().total == 0


_CHILD = textwrap.dedent(
    """
    import sys, time
    from suno_async import JobStore, StoreBusyError
    try:
        JobStore.open(sys.argv[1])
    except StoreBusyError as exc:
        print("BUSY", exc, flush=True)
    sys.stdin.readline()  # the parent let go of the store
    store = JobStore.open(sys.argv[1])
    print("HELD", flush=True)
    time.sleep(60)  # until killed
    """
)


def test_second_writer_in_another_process_is_refused(tmp_path: Path) -> None:
    """Both ways: a child is refused while this process holds the store; once it is let go the
    child takes it and this process is refused; a SIGKILL of the child frees it (the
    operating system drops the lock of a process that ends)."""
    path = tmp_path / "jobs.db"
    store = JobStore.open(path)
    store.add("a", "generate", "{}", None, None)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        busy = child.stdout.readline()
        assert busy.startswith("BUSY"), busy
        assert "in use by another process" in busy
        assert "run again" in busy
        assert store.get("a") is not None  # the refused process changed nothing
        store.close()
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "HELD"
        with pytest.raises(StoreBusyError):
            JobStore.open(path)
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdin.close()
        child.stdout.close()
    with JobStore.open(path) as again:
        assert again.totals().total == 1


def test_reader_opens_beside_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    with JobStore.open(path) as writer:
        writer.add("a", "generate", "{}", 2, None)
        with JobStore.open(path, readonly=True) as reader:
            assert reader.readonly
            assert [r.key for r in reader.records()] == ["a"]
            writer.update("a", status="done")
            record = reader.get("a")
            assert record is not None
            assert record.status == "done"  # the reader sees commits as they land
            with pytest.raises(sqlite3.OperationalError):
                reader.add("b", "generate", "{}", 3, None)  # read-only


def test_readonly_open_of_a_missing_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as info:
        JobStore.open(tmp_path / "missing.db", readonly=True)
    assert info.value.argument == "store"
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.parametrize("readonly", [False, True])
def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path, readonly: bool) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(ConfigError, match="not a job store") as info:
        JobStore.open(path, readonly=readonly)
    assert info.value.argument == "store"
    assert path.read_text().startswith("these are my notes")
    if not readonly:
        with pytest.raises(ConfigError):
            JobStore.open(path)  # the refusal released the lock (no StoreBusyError)


@pytest.mark.parametrize("readonly", [False, True])
def test_another_programs_database_is_refused_and_left_alone(
    tmp_path: Path, readonly: bool
) -> None:
    """An SQLite file of another program is not a store: it is refused, and no table is
    added to it."""
    path = tmp_path / "app.sqlite"
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE users (name TEXT)")
        db.execute("INSERT INTO users VALUES ('ada')")
    db.close()
    with pytest.raises(ConfigError, match="not a job store") as info:
        JobStore.open(path, readonly=readonly)
    assert info.value.argument == "store"
    db = sqlite3.connect(path)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert tables == {"users"}


def test_a_store_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    JobStore.open(path).close()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE meta SET value = '99' WHERE name = 'format'")
    db.close()
    with pytest.raises(ConfigError, match="format 99"):
        JobStore.open(path)
    with pytest.raises(ConfigError, match="format 99"):
        JobStore.open(path, readonly=True)
    with JobStore.open(path.with_name("other.db")):
        pass  # and the refusal left no lock behind on the other path either


def test_store_uses_wal_and_the_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "jobs.db"
    with JobStore.open(path, durable=True) as store:
        store.add("a", "generate", "{}", None, None)
        assert (tmp_path / "sub" / "jobs.db.lock").exists()
    db = sqlite3.connect(path)
    (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    db.close()
    assert mode == "wal"


@pytest.mark.parametrize("bad", [None, 5, "", "   ", b"x.db"])
def test_bad_paths_are_refused(
    tmp_path: Path, bad: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a blank path that slips through must not land in the checkout
    with pytest.raises(ConfigError) as info:
        JobStore.open(bad)  # type: ignore[arg-type]
    assert info.value.argument == "path"
    assert list(tmp_path.iterdir()) == []


def test_a_store_cut_short_while_being_created_is_named_so_when_read(tmp_path: Path) -> None:
    """A run killed after the file exists but before its tables: a reader says so (not "not a
    job store"), and a writer finishes creating it."""
    path = tmp_path / "s.db"
    sqlite3.connect(path).close()
    with pytest.raises(ConfigError, match="no tables yet"):
        JobStore.open(path, readonly=True)
    with JobStore.open(path) as store:
        assert store.totals().total == 0
    with JobStore.open(path, readonly=True) as reader:
        assert reader.totals().total == 0


def test_invalid_rows_that_hold_work_are_kept(tmp_path: Path) -> None:
    """delete_invalid forgets rows that were only wrong, not those with a journal or credits
    (forgetting them would pay for their work again on a rerun)."""
    with JobStore.open(tmp_path / "s.db") as store:
        store.add("bare", "generate", "{}", 1, None)
        store.update("bare", status="invalid")
        store.add("worked", "train_generate", "{}", 2, None)
        store.update("worked", status="invalid", journal=b"{}", credits=TallyState(spent=100))
        assert store.delete_invalid() == 1
        assert store.get("bare") is None
        assert store.get("worked") is not None


def test_a_link_to_a_store_takes_the_same_lock(tmp_path: Path) -> None:
    real = tmp_path / "a.db"
    link = tmp_path / "link.db"
    with JobStore.open(real):
        link.symlink_to(real)
        with pytest.raises(StoreBusyError):
            JobStore.open(link)
