"""A credit ledger in PostgreSQL, for a fleet of processes on many machines.

Needs ``asyncpg`` (``pip install 'suno_async[postgres]'``), imported only when a ledger
connects. Two tables, created if missing, hold any number of ledgers, each by ``name``:
``suno_ledgers`` (one row per ledger: its limit and running totals ``spent``, ``uncertain``,
``reserved``) and ``suno_ledger_keys`` (one row per reserved key: ``ledger``, ``key``,
``cost``, ``state``, ``what``, ``updated``; primary key ``(ledger, key)``).

**Atomicity.** Every change is one READ COMMITTED transaction that first locks its ledger's
row (``SELECT ... FOR UPDATE``), then reads the key and the totals, then writes. Changes to one
ledger therefore run one at a time across every process and machine: a reservation's check of
the limit and its insert see no other change in between, so the fleet cannot pass the limit,
and the totals row always matches the key rows. This was chosen over SERIALIZABLE with retries
because every reservation reads and writes the same totals anyway: under SERIALIZABLE nearly
every concurrent pair would conflict and retry, for the same one-at-a-time result with more
round trips and a retry loop to get right. The lock is held for two short statements (well
under a millisecond on the server), enough for thousands of reservations a second per ledger.
The key is inserted with ``ON CONFLICT DO NOTHING`` and the totals move only by what was
inserted, so a retried reservation changes nothing even if it raced itself.

**The limit is the ledger's**, stored in its row: the first process to connect sets it
(``None``: no budget). A later connect with ``limit=None`` uses the stored limit; with the same
limit it is fine; with another one it raises :class:`~suno_async.ConfigError` rather than
silently changing the budget of the whole fleet. :meth:`PostgresLedger.set_limit` changes it on
purpose.

Errors of the database itself (it is down, the DSN is wrong) are asyncpg's and ``OSError``,
raised as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Final, Protocol, Self, cast

from suno_async._core._exceptions import ClientClosedError, ConfigError
from suno_async._core._ledger import (
    KeyState,
    LedgerTotals,
    Settlement,
    budget_error,
    check_settlement,
)
from suno_async.ledger._checks import check_limit, check_reservation, limit_mismatch

__all__ = ["PostgresLedger"]

#: Taken around the table creation: concurrent ``CREATE TABLE IF NOT EXISTS`` can collide.
_SCHEMA_LOCK: Final = 0x5A5F_1ED6  # any constant; "suno ledger"
_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS suno_ledgers (
        name TEXT PRIMARY KEY,
        credit_limit BIGINT CHECK (credit_limit >= 0),
        spent BIGINT NOT NULL DEFAULT 0,
        uncertain BIGINT NOT NULL DEFAULT 0,
        reserved BIGINT NOT NULL DEFAULT 0,
        created TIMESTAMPTZ NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE IF NOT EXISTS suno_ledger_keys (
        ledger TEXT NOT NULL REFERENCES suno_ledgers (name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        cost BIGINT NOT NULL CHECK (cost >= 0),
        state TEXT NOT NULL
            CHECK (state IN ('reserved', 'charged', 'not_charged', 'uncertain')),
        what TEXT NOT NULL,
        updated TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (ledger, key)
    )""",
)
_LOCK_LEDGER: Final = (
    "SELECT credit_limit, spent, uncertain, reserved FROM suno_ledgers WHERE name = $1 FOR UPDATE"
)
#: The totals column each state counts in (a dropped key counts nowhere).
_COLUMN: Final[dict[str, str | None]] = {
    "reserved": "reserved",
    "uncertain": "uncertain",
    "charged": "spent",
    "not_charged": None,
}


class _Connection(Protocol):
    """What the ledger uses of an ``asyncpg.Connection`` (asyncpg ships no type hints)."""

    async def execute(self, query: str, *args: object) -> str: ...
    async def fetchrow(self, query: str, *args: object) -> Mapping[str, Any] | None: ...
    def transaction(self) -> AbstractAsyncContextManager[object]: ...


class _Pool(Protocol):
    """What the ledger uses of an ``asyncpg.Pool``."""

    def acquire(self) -> AbstractAsyncContextManager[_Connection]: ...
    async def close(self) -> None: ...


def _asyncpg() -> Any:
    try:
        import asyncpg  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError(
            "PostgresLedger needs asyncpg, which is not installed: "
            "pip install 'suno_async[postgres]'",
            argument="dsn",
        ) from None
    return asyncpg


class PostgresLedger:
    """A :class:`~suno_async.ledger.CreditLedger` in PostgreSQL, shared by every process that
    connects to the same database and ``name`` (see the module docstring).

    Create it with :meth:`connect`; close it with :meth:`aclose` (or ``async with``). It
    belongs to the event loop it was connected on (its connection pool does).
    """

    def __init__(self, pool: _Pool, name: str, limit: int | None) -> None:
        """Use :meth:`connect`."""
        self._pool: _Pool | None = pool
        self.name = name
        self.limit = limit

    @classmethod
    async def connect(
        cls,
        dsn: str,
        *,
        limit: int | None = None,
        name: str = "default",
        min_size: int = 1,
        max_size: int = 10,
    ) -> PostgresLedger:
        """The ledger ``name`` in the database at ``dsn`` (a ``postgresql://`` URL), with its
        tables and its row created if missing.

        ``limit``: the budget in credits, stored by the first process that connects
        (``None``: use the stored one, or no budget for a new ledger). ``min_size`` and
        ``max_size`` size the connection pool.

        Raises:
            ConfigError: asyncpg is not installed (``pip install 'suno_async[postgres]'``),
                an argument is wrong, or the ledger stores another limit.
        """
        if not isinstance(dsn, str) or not dsn:
            raise ConfigError("dsn must be a postgresql:// URL.", argument="dsn")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"name must be a non-empty str, got {name!r}.", argument="name")
        asked = check_limit(limit)
        asyncpg = _asyncpg()
        pool = cast("_Pool", await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size))
        try:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _SCHEMA_LOCK)
                for statement in _SCHEMA:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO suno_ledgers (name, credit_limit) VALUES ($1, $2) "
                    "ON CONFLICT (name) DO NOTHING",
                    name,
                    asked,
                )
                row = await conn.fetchrow(_LOCK_LEDGER, name)
            if row is None:  # deleted between the two statements
                raise _deleted(name)
            stored = row["credit_limit"]
            if asked is not None and asked != stored:
                raise limit_mismatch(repr(name), stored, asked)
        except BaseException:
            await pool.close()
            raise
        return cls(pool, name, stored)

    async def reserve(self, key: str, cost: int, what: str) -> None:
        """See :meth:`CreditLedger.reserve <suno_async.ledger.CreditLedger.reserve>`."""
        check_reservation(key, cost, what)
        async with self._acquire() as conn, conn.transaction():
            totals = await conn.fetchrow(_LOCK_LEDGER, self.name)
            held = await conn.fetchrow(
                "SELECT cost FROM suno_ledger_keys WHERE ledger = $1 AND key = $2", self.name, key
            )
            if held is not None:
                if held["cost"] != cost:
                    raise ConfigError(
                        f"key {key!r} was reserved for {held['cost']} credits, not {cost}.",
                        argument="key",
                    )
                return
            if totals is None:
                raise _deleted(self.name)
            limit = totals["credit_limit"]
            committed = totals["spent"] + totals["uncertain"] + totals["reserved"]
            if limit is not None and committed + cost > limit:
                raise budget_error(cost, what, committed, limit)
            await conn.execute(
                """WITH added AS (
                    INSERT INTO suno_ledger_keys (ledger, key, cost, state, what)
                    VALUES ($1, $2, $3, 'reserved', $4)
                    ON CONFLICT (ledger, key) DO NOTHING RETURNING cost
                )
                UPDATE suno_ledgers SET reserved = reserved + (SELECT coalesce(sum(cost), 0)
                FROM added) WHERE name = $1""",
                self.name,
                key,
                cost,
                what,
            )

    async def settle(self, key: str, outcome: Settlement) -> None:
        """See :meth:`CreditLedger.settle <suno_async.ledger.CreditLedger.settle>`."""
        check_settlement(outcome)
        async with self._acquire() as conn, conn.transaction():
            await conn.fetchrow(_LOCK_LEDGER, self.name)
            held = await conn.fetchrow(
                "SELECT cost, state FROM suno_ledger_keys WHERE ledger = $1 AND key = $2",
                self.name,
                key,
            )
            if held is None:
                return
            cost, state = held["cost"], held["state"]
            if state == "charged" or state == outcome:  # see CreditLedger.settle
                return
            old, new = _COLUMN[state], _COLUMN[outcome]
            moves = [f"{old} = {old} - $2"] if old is not None else []
            moves += [f"{new} = {new} + $2"] if new is not None else []
            # Column names from the fixed table above, never from the caller.
            await conn.execute(
                f"""WITH moved AS (
                    UPDATE suno_ledger_keys SET state = $3, updated = now()
                    WHERE ledger = $1 AND key = $4
                )
                UPDATE suno_ledgers SET {", ".join(moves)} WHERE name = $1""",  # noqa: S608
                self.name,
                cost,
                outcome,
                key,
            )

    async def state(self, key: str) -> KeyState | None:
        """See :meth:`CreditLedger.state <suno_async.ledger.CreditLedger.state>`."""
        async with self._acquire() as conn:
            row = await conn.fetchrow(
                "SELECT state FROM suno_ledger_keys WHERE ledger = $1 AND key = $2", self.name, key
            )
        return None if row is None else cast("KeyState", row["state"])

    async def totals(self) -> LedgerTotals:
        """See :meth:`CreditLedger.totals <suno_async.ledger.CreditLedger.totals>`."""
        async with self._acquire() as conn:
            row = await conn.fetchrow(
                "SELECT credit_limit, spent, uncertain, reserved FROM suno_ledgers WHERE name = $1",
                self.name,
            )
        if row is None:
            raise _deleted(self.name)
        self.limit = row["credit_limit"]
        return LedgerTotals(
            spent=row["spent"],
            uncertain=row["uncertain"],
            reserved=row["reserved"],
            limit=row["credit_limit"],
        )

    async def set_limit(self, limit: int | None) -> None:
        """Change the ledger's limit for every process (``None``: no budget). A lower limit
        than what is committed refuses every reservation until settlements bring it back."""
        checked = check_limit(limit)
        async with self._acquire() as conn:
            await conn.execute(
                "UPDATE suno_ledgers SET credit_limit = $2 WHERE name = $1", self.name, checked
            )
        self.limit = checked

    async def aclose(self) -> None:
        """Close the connection pool (idempotent)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

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
        return f"PostgresLedger(name={self.name!r}, limit={self.limit!r})"

    def _acquire(self) -> AbstractAsyncContextManager[_Connection]:
        if self._pool is None:
            raise ClientClosedError("this ledger was closed; connect a new PostgresLedger.")
        return self._pool.acquire()


def _deleted(name: str) -> ConfigError:
    return ConfigError(
        f"the ledger {name!r} is not in the database (its row in suno_ledgers was deleted); "
        "connect again to create it.",
        argument="name",
    )
