"""A credit ledger in one SQLite file, for several processes on one machine.

The file (standard library :mod:`sqlite3`, WAL mode) holds two tables: ``keys`` (one row per
reserved key: ``key`` PRIMARY KEY, ``cost``, ``state``, ``what``, ``updated``) and ``ledger``
(one row: the format, the limit and the running totals ``spent``, ``uncertain``,
``reserved``). Every change is one ``BEGIN IMMEDIATE`` transaction: it takes the file's write
lock before it reads, so a reservation's check of the limit and its insert happen with no
other process in between (two processes cannot both pass the limit), and the totals row moves
with the key rows. Readers (``totals``, ``state``) never wait for writers (WAL). A process
that finds the write lock taken tries again every few milliseconds (SQLite's own busy handler
sleeps up to 100 ms at a time, far too long under contention), for up to ``busy_timeout``
seconds before :class:`sqlite3.OperationalError` ("database is locked"); transactions last
well under a millisecond, so that only happens when something holds the file far longer.

**The limit is the ledger's**, stored in the file: the first process to open it sets it
(``None``: no budget). A later open with ``limit=None`` uses the stored limit; with the same
limit it is fine; with another one it raises :class:`~suno_async.ConfigError` rather than
silently changing the budget of every other process (a stale worker would otherwise undo a
raise). :meth:`SqliteLedger.set_limit` changes it, for every process, on purpose.

The calls run in a worker thread (:func:`anyio.to_thread.run_sync`), one at a time per ledger:
a call that waits for another process's lock then does not stall the event loop. A call that
is cancelled finishes its transaction first (the thread is never abandoned), so the file and
the ledger's connection stay consistent.

Commits use ``synchronous=NORMAL``: a killed process loses nothing it committed; a power cut
may lose the last commits (``durable=True`` makes every commit wait for the disk).
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Final, Self, TypeVar, cast

import anyio
import anyio.to_thread

from suno_async._core._exceptions import ClientClosedError, ConfigError
from suno_async._core._ledger import (
    KeyState,
    LedgerTotals,
    Settlement,
    budget_error,
    check_settlement,
)
from suno_async._core._validation import check_bool, check_path
from suno_async.ledger._checks import check_limit, check_reservation, limit_mismatch

__all__ = ["SqliteLedger"]

_T = TypeVar("_T")

_FORMAT: Final = 1
#: One statement each: ``executescript`` would commit the transaction they run in.
_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS ledger (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        format INTEGER NOT NULL,
        credit_limit INTEGER,
        spent INTEGER NOT NULL DEFAULT 0,
        uncertain INTEGER NOT NULL DEFAULT 0,
        reserved INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS keys (
        key TEXT PRIMARY KEY,
        cost INTEGER NOT NULL,
        state TEXT NOT NULL,
        what TEXT NOT NULL,
        updated REAL NOT NULL
    )""",
)
#: The totals column each state counts in (a dropped key counts nowhere).
_COLUMN: Final[dict[str, str | None]] = {
    "reserved": "reserved",
    "uncertain": "uncertain",
    "charged": "spent",
    "not_charged": None,
}


class SqliteLedger:
    """A :class:`~suno_async.ledger.CreditLedger` in the SQLite file at ``path`` (created if
    missing), shared by every process that opens it (see the module docstring).

    ``limit``: the budget in credits, stored in the file by the first process that opens it
    (``None``: use the stored one, or no budget for a new file). ``busy_timeout``: seconds to
    wait for another process's write lock. ``durable``: every commit waits for the disk.
    The file must be on a local disk (WAL needs shared memory: not a network file system).

    Opening runs inline, in the caller's thread (one read, or on a new file one short
    write); the methods run in a worker thread. Close it with :meth:`aclose` (or
    ``async with``).

    Raises:
        ConfigError: the file is not a ledger, or stores another limit.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        limit: int | None = None,
        *,
        busy_timeout: float = 30.0,
        durable: bool = False,
    ) -> None:
        self.path = Path(check_path("path", path))
        asked = check_limit(limit)
        check_bool("durable", durable)
        if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, int | float):
            raise ConfigError("busy_timeout must be a number of seconds.", argument="busy_timeout")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # No busy handler of SQLite's own: it sleeps up to 100 ms at a time, which makes a
        # contended lock slow; _retry polls every few milliseconds instead.
        db = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        self.busy_timeout = float(busy_timeout)
        try:
            self.limit = _retry(self.busy_timeout, _open, db, self.path, asked, durable)
        except sqlite3.DatabaseError as exc:
            db.close()
            if isinstance(exc, sqlite3.OperationalError) and _busy(exc):
                raise  # another process held the file past busy_timeout
            raise ConfigError(
                f"{self.path} is not a credit ledger ({exc}). Use another path.", argument="path"
            ) from None
        except BaseException:
            db.close()
            raise
        self._db: sqlite3.Connection | None = db
        self._lock = anyio.Lock()

    async def reserve(self, key: str, cost: int, what: str) -> None:
        """See :meth:`CreditLedger.reserve <suno_async.ledger.CreditLedger.reserve>`."""
        check_reservation(key, cost, what)
        await self._run(_reserve, key, cost, what)

    async def settle(self, key: str, outcome: Settlement) -> None:
        """See :meth:`CreditLedger.settle <suno_async.ledger.CreditLedger.settle>`."""
        check_settlement(outcome)
        await self._run(_settle, key, outcome)

    async def state(self, key: str) -> KeyState | None:
        """See :meth:`CreditLedger.state <suno_async.ledger.CreditLedger.state>`."""
        return await self._run(_state, key)

    async def totals(self) -> LedgerTotals:
        """See :meth:`CreditLedger.totals <suno_async.ledger.CreditLedger.totals>`."""
        totals = await self._run(_totals)
        self.limit = totals.limit
        return totals

    async def set_limit(self, limit: int | None) -> None:
        """Change the ledger's limit for every process (``None``: no budget). A lower limit
        than what is committed refuses every reservation until settlements bring it back."""
        checked = check_limit(limit)
        await self._run(_set_limit, checked)
        self.limit = checked

    async def aclose(self) -> None:
        """Close the file (idempotent)."""
        async with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"SqliteLedger({str(self.path)!r}, limit={self.limit!r})"

    async def _run(self, call: Callable[..., _T], *args: object) -> _T:
        async with self._lock:
            db = self._db
            if db is None:
                raise ClientClosedError("this ledger was closed; open a new SqliteLedger.")
            return await anyio.to_thread.run_sync(_retry, self.busy_timeout, call, db, *args)


def _retry(busy_timeout: float, call: Callable[..., _T], *args: object) -> _T:
    """``call(*args)``, again while another process holds the file, for up to
    ``busy_timeout`` seconds (each call is one transaction, rolled back when refused)."""
    deadline = time.monotonic() + busy_timeout
    delay = 0.0005
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311  (jitter, not a secret)
        delay = min(delay * 2, 0.01)


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _open(db: sqlite3.Connection, path: Path, asked: int | None, durable: bool) -> int | None:
    """Set the file up and return its limit (see the module docstring)."""
    db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
    row = _ledger_row(db)  # a ledger set up before: nothing to write, no lock to wait for
    if row is None:
        db.execute("PRAGMA journal_mode=WAL")  # stored in the file: once is enough
        with _immediate(db):
            for statement in _SCHEMA:
                db.execute(statement)
            row = _ledger_row(db)
            if row is None:
                db.execute(
                    "INSERT INTO ledger (id, format, credit_limit) VALUES (1, ?, ?)",
                    (_FORMAT, asked),
                )
                return asked
    found, stored = row
    if found != _FORMAT:
        raise ConfigError(
            f"{path} is a credit ledger of format {found}; this library reads format {_FORMAT}.",
            argument="path",
        )
    if asked is not None and asked != stored:
        raise limit_mismatch(str(path), stored, asked)
    return int(stored) if stored is not None else None


def _ledger_row(db: sqlite3.Connection) -> tuple[object, int | None] | None:
    """The ledger's format and limit, or ``None`` if the file has no ledger yet."""
    try:
        row = db.execute("SELECT format, credit_limit FROM ledger WHERE id = 1").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return None if row is None else (row[0], row[1])


class _immediate:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any error)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        elif self.db.in_transaction:
            self.db.execute("ROLLBACK")


def _reserve(db: sqlite3.Connection, key: str, cost: int, what: str) -> None:
    with _immediate(db):
        held = db.execute("SELECT cost FROM keys WHERE key = ?", (key,)).fetchone()
        if held is not None:
            if held[0] != cost:
                raise ConfigError(
                    f"key {key!r} was reserved for {held[0]} credits, not {cost}.",
                    argument="key",
                )
            return
        limit, spent, uncertain, reserved = db.execute(
            "SELECT credit_limit, spent, uncertain, reserved FROM ledger WHERE id = 1"
        ).fetchone()
        committed = spent + uncertain + reserved
        if limit is not None and committed + cost > limit:
            raise budget_error(cost, what, committed, limit)
        db.execute(
            "INSERT INTO keys (key, cost, state, what, updated) VALUES (?, ?, 'reserved', ?, ?)",
            (key, cost, what, time.time()),
        )
        db.execute("UPDATE ledger SET reserved = reserved + ? WHERE id = 1", (cost,))


def _settle(db: sqlite3.Connection, key: str, outcome: Settlement) -> None:
    with _immediate(db):
        held = db.execute("SELECT cost, state FROM keys WHERE key = ?", (key,)).fetchone()
        if held is None:
            return
        cost, state = held
        if state == "charged" or state == outcome:  # see CreditLedger.settle
            return
        db.execute(
            "UPDATE keys SET state = ?, updated = ? WHERE key = ?", (outcome, time.time(), key)
        )
        old, new = _COLUMN[state], _COLUMN[outcome]
        # Column names from the fixed table above, never from the caller.
        if old is not None:
            db.execute(f"UPDATE ledger SET {old} = {old} - ? WHERE id = 1", (cost,))  # noqa: S608
        if new is not None:
            db.execute(f"UPDATE ledger SET {new} = {new} + ? WHERE id = 1", (cost,))  # noqa: S608


def _state(db: sqlite3.Connection, key: str) -> KeyState | None:
    row = db.execute("SELECT state FROM keys WHERE key = ?", (key,)).fetchone()
    return None if row is None else cast("KeyState", row[0])


def _totals(db: sqlite3.Connection) -> LedgerTotals:
    limit, spent, uncertain, reserved = db.execute(
        "SELECT credit_limit, spent, uncertain, reserved FROM ledger WHERE id = 1"
    ).fetchone()
    return LedgerTotals(spent=spent, uncertain=uncertain, reserved=reserved, limit=limit)


def _set_limit(db: sqlite3.Connection, limit: int | None) -> None:
    with _immediate(db):
        db.execute("UPDATE ledger SET credit_limit = ? WHERE id = 1", (limit,))
