"""The job store: one SQLite file (standard library, WAL mode) with one row per job, updated in
place, for batches and for single-job journals alike.

A row holds the job as given (``spec``, JSON), where it came from (``line``), its status, the
journal of the workflow running it (JSON, written before each paid request is sent and after its
answer, as :mod:`suno_async._core._journal` describes), its credits (a
:class:`~suno_async._core._budget.TallyState`), its result or error, and how many runs tried it.
A state change is one short transaction, so its cost does not grow with the number of rows.

Only one process at a time may work on a store: :meth:`JobStore.open` takes an exclusive lock
on a file beside it (``<store>.lock``, released by the operating system when the process ends,
even when killed) and raises :class:`StoreBusyError` when another process holds it. Readers
(``status``, ``export``) open it read-only, without the lock, while a run goes on.

Commits use ``synchronous=NORMAL``: a killed process loses nothing it committed; a power cut may
lose the last commits (``durable=True`` makes every commit wait for the disk). Changes made in
one turn of the event loop are committed together at its end (group commit: one commit per
change cost more than the rest of a batch's bookkeeping), unless a change asks to be committed
at once (``commit_now``): the batch runner does so before every paid request is sent, which
commits everything written before it too. Outside an event loop every change commits at once.

The lock is written here (``fcntl``/``msvcrt``) rather than taken from a library because the
runtime dependencies are fixed, and the standard library covers it in a few lines.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final, Literal

import msgspec

from suno_async._core._budget import TallyState
from suno_async._core._exceptions import ConfigError, StoreBusyError
from suno_async._core._validation import check_bool, check_path

__all__ = ["STORE_SUFFIXES", "JobRecord", "JobStatus", "JobStore", "Totals"]

#: File names ending so are job stores where a journal path is expected.
STORE_SUFFIXES: Final = (".db", ".sqlite", ".sqlite3")

#: ``pending``: not started, or stopped before anything was sent (a rerun starts it).
#: ``running``: being worked on, or stopped part-way (a rerun carries on from its journal).
#: ``done``: finished; a rerun skips it. ``failed``: the provider failed it, or it was refused
#: (a rerun tries it again). ``ambiguous``: a paid request's answer was lost (a rerun does not
#: send it again unless asked to). ``invalid``: the row itself is wrong (fix it and rerun).
JobStatus = Literal["pending", "running", "done", "failed", "ambiguous", "invalid"]
JOB_STATUSES: Final[tuple[JobStatus, ...]] = (
    "pending",
    "running",
    "done",
    "failed",
    "ambiguous",
    "invalid",
)

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS jobs (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    line INTEGER,
    spec TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    journal BLOB,
    credits BLOB,
    spent INTEGER NOT NULL DEFAULT 0,
    uncertain INTEGER NOT NULL DEFAULT 0,
    unpriced INTEGER NOT NULL DEFAULT 0,
    result BLOB,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    run TEXT,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_FORMAT: Final = "1"
_COLUMNS: Final = (
    "key, kind, line, spec, status, journal, credits, spent, uncertain, unpriced, result, "
    "error, attempts, run"
)
_ENCODER: Final = msgspec.json.Encoder()
_TALLY: Final = msgspec.json.Decoder(TallyState)


class JobRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One job of a store, as stored."""

    key: str
    kind: str
    line: int | None
    spec: str
    status: JobStatus
    journal: bytes | None
    credits: TallyState
    result: bytes | None
    error: str | None
    attempts: int
    run: str | None


class Totals(msgspec.Struct, frozen=True, kw_only=True):
    """How many jobs of a store are in each status, and their credits."""

    counts: dict[str, int]
    spent: int
    uncertain: int
    unpriced: int

    @property
    def total(self) -> int:
        """All jobs."""
        return sum(self.counts.values())


class JobStore:
    """A job store file (see the module docstring); close it when done (or use ``with``).

    Not for use from several threads at once: it belongs to one event loop.
    """

    def __init__(
        self, path: Path, db: sqlite3.Connection, lock: IO[bytes] | None, *, readonly: bool
    ) -> None:
        self.path = path
        self._db = db
        self._lock = lock
        self.readonly = readonly
        self._commit_due = False

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, readonly: bool = False, durable: bool = False
    ) -> JobStore:
        """The store at ``path``, created if missing (unless ``readonly``).

        Raises:
            StoreBusyError: another process has it open for writing.
            ConfigError: the file is not a job store, or (``readonly``) does not exist.
        """
        where = Path(check_path("path", path))
        check_bool("readonly", readonly)
        check_bool("durable", durable)
        if readonly:
            if not where.exists():
                raise ConfigError(f"job store {where} does not exist.", argument="store")
            reader = _connect(f"{where.resolve().as_uri()}?mode=ro", uri=True)
            store = cls(where, reader, None, readonly=True)
            try:
                try:
                    tables = reader.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
                except sqlite3.DatabaseError:
                    tables = None  # not SQLite at all: the format check below says so
                if tables == 0:
                    raise ConfigError(
                        f"job store {where} has no tables yet: a run is creating it, or was "
                        "stopped while it did. Run the batch (again) to create it.",
                        argument="store",
                    )
                store._check_format()
            except BaseException:
                reader.close()
                raise
            return store
        where.parent.mkdir(parents=True, exist_ok=True)
        lock = _take_lock(where)
        db: sqlite3.Connection | None = None
        try:
            db = _connect(str(where), uri=False)
            _refuse_foreign(db, where)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            with db:
                db.executescript(_SCHEMA)
                db.execute(
                    "INSERT OR IGNORE INTO meta (name, value) VALUES ('format', ?)", (_FORMAT,)
                )
            store = cls(where, db, lock, readonly=False)
            store._check_format()
        except sqlite3.DatabaseError as exc:
            lock.close()
            if db is not None:
                db.close()
            raise ConfigError(
                f"{where} is not a job store ({exc}). Use another path.", argument="store"
            ) from None
        except BaseException:
            lock.close()
            if db is not None:
                db.close()
            raise
        return store

    def _check_format(self) -> None:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"{self.path} is not a job store ({exc}). Use another path.", argument="store"
            ) from None
        if row is None or row[0] != _FORMAT:
            raise ConfigError(
                f"{self.path} is a job store of format {row[0] if row else 'unknown'}; this "
                f"library reads format {_FORMAT}.",
                argument="store",
            )

    def close(self) -> None:
        """Commit what is pending, close the file and release the lock (idempotent)."""
        if self._lock is not None:
            self.commit()
        self._db.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"JobStore({str(self.path)!r}{', readonly' if self.readonly else ''})"

    # -- one job ---------------------------------------------------------------------------

    def get(self, key: str) -> JobRecord | None:
        """The job stored under ``key``, if any."""
        query = f"SELECT {_COLUMNS} FROM jobs WHERE key = ?"  # noqa: S608 (our names)
        row = self._db.execute(query, (key,)).fetchone()
        return _record(row) if row is not None else None

    def add(self, key: str, kind: str, spec: str, line: int | None, run: str | None) -> JobRecord:
        """Store a new ``pending`` job and return it (use :meth:`get` first: the key must be
        new)."""
        self._db.execute(
            "INSERT INTO jobs (key, kind, line, spec, run, updated) VALUES (?, ?, ?, ?, ?, ?)",
            (key, kind, line, spec, run, time.time()),
        )
        self._written(now=False)
        return JobRecord(
            key=key,
            kind=kind,
            line=line,
            spec=spec,
            status="pending",
            journal=None,
            credits=TallyState(),
            result=None,
            error=None,
            attempts=0,
            run=run,
        )

    def stamp(self, lines: Mapping[str, int | None], run: str) -> None:
        """Record that the jobs ``lines`` names were read by ``run`` (at those lines), in one
        transaction (a run stamps the rows it reads in groups: one commit per row would cost
        more than skipping a done row does)."""
        self._db.executemany(
            "UPDATE jobs SET run = ?, line = ? WHERE key = ?",
            [(run, line, key) for key, line in lines.items()],
        )
        self._written(now=False)

    def update(self, key: str, *, commit_now: bool = False, **columns: Any) -> None:
        """Change some columns of the job under ``key``; committed with the other changes of
        this turn of the event loop, or at once (with them) when ``commit_now``."""
        credits = columns.get("credits")
        if isinstance(credits, TallyState):
            columns["spent"] = credits.spent
            columns["uncertain"] = credits.uncertain + sum(cost for cost, _ in credits.in_flight)
            columns["unpriced"] = credits.unpriced
        names = ", ".join(f"{name} = ?" for name in columns)
        values = [_column_value(value) for value in columns.values()]
        self._db.execute(
            f"UPDATE jobs SET {names}, updated = ? WHERE key = ?",  # noqa: S608 (our names)
            (*values, time.time(), key),
        )
        self._written(now=commit_now)

    def commit(self) -> None:
        """Commit every change made so far."""
        self._commit_due = False
        if self._db.in_transaction:
            self._db.commit()

    def _written(self, *, now: bool) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            now = True  # no turn of a loop to wait for
        if now:
            self.commit()
            return
        if not self._commit_due:
            self._commit_due = True
            loop.call_soon(self._commit_if_open)

    def _commit_if_open(self) -> None:
        if self._commit_due and self._lock is not None:
            self.commit()

    # -- many jobs -------------------------------------------------------------------------

    def delete_invalid(self) -> int:
        """Forget the ``invalid`` jobs (rows that were wrong) that hold nothing to keep: no
        journal and no credits (one that started paid work before its fault showed keeps its
        row, so a rerun resumes it instead of paying again). Returns how many."""
        with self._db:
            return self._db.execute(
                "DELETE FROM jobs WHERE status = 'invalid' AND journal IS NULL AND spent = 0 "
                "AND uncertain = 0 AND unpriced = 0"
            ).rowcount

    def records(self, *statuses: JobStatus) -> Iterator[JobRecord]:
        """The jobs (of these statuses, or all), in the order they were added, read a page at
        a time so memory stays flat."""
        where = f"WHERE status IN ({', '.join('?' * len(statuses))})" if statuses else ""
        last = 0
        while True:
            rows = self._db.execute(
                f"SELECT rowid, {_COLUMNS} FROM jobs {where} "  # noqa: S608 (our names)
                f"{'AND' if where else 'WHERE'} rowid > ? ORDER BY rowid LIMIT 500",
                (*statuses, last),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _record(row[1:])
            last = rows[-1][0]

    def totals(self) -> Totals:
        """Jobs per status and their credits."""
        counts: dict[str, int] = dict.fromkeys(JOB_STATUSES, 0)
        for status, count in self._db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY 1"):
            counts[status] = count
        spent, uncertain, unpriced = self._db.execute(
            "SELECT COALESCE(SUM(spent), 0), COALESCE(SUM(uncertain), 0), "
            "COALESCE(SUM(unpriced), 0) FROM jobs"
        ).fetchone()
        return Totals(counts=counts, spent=spent, uncertain=uncertain, unpriced=unpriced)

    def get_meta(self, name: str) -> str | None:
        """A value stored with :meth:`set_meta`."""
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        """Store a value about the whole store (such as the command that resumes it)."""
        with self._db:
            self._db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )


def _connect(target: str, *, uri: bool) -> sqlite3.Connection:
    db = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 5000")
    db.isolation_level = "DEFERRED"  # ``with db`` opens and commits one transaction
    return db


def _refuse_foreign(db: sqlite3.Connection, where: Path) -> None:
    """Refuse an SQLite file of another program (tables, but not a store's), before a table
    of ours is added to it."""
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if tables and not {"jobs", "meta"} <= tables:
        raise ConfigError(
            f"{where} is not a job store (an SQLite database of another program, with tables "
            f"{', '.join(sorted(tables))}). Use another path.",
            argument="store",
        )


def _column_value(value: object) -> object:
    if isinstance(value, msgspec.Struct):
        return _ENCODER.encode(value)
    return value


def _record(row: tuple[Any, ...]) -> JobRecord:
    key, kind, line, spec, status, journal, credits, *_, result, error, attempts, run = row
    return JobRecord(
        key=key,
        kind=kind,
        line=line,
        spec=spec,
        status=status,
        journal=journal,
        credits=_TALLY.decode(credits) if credits else TallyState(),
        result=result,
        error=error,
        attempts=attempts,
        run=run,
    )


def _take_lock(store: Path) -> IO[bytes]:
    store = store.resolve()  # a link to the store takes the same lock
    lock_path = store.with_name(store.name + ".lock")
    handle = open(lock_path, "a+b")  # noqa: SIM115 (held open for as long as the store)
    try:
        if sys.platform == "win32":  # pragma: no cover (exercised on Windows only)
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StoreBusyError(
            f"job store {store} is in use by another process. Wait for it to finish (or stop "
            "it), then run again; two runs on one store could pay for the same work twice.",
            argument="store",
        ) from None
    return handle
