"""What the SQLite and PostgreSQL ledgers add: one ledger for every process that opens it,
the limit stored with it, and their own arguments and errors."""

from __future__ import annotations

import sqlite3
import sys
import time
import uuid
from pathlib import Path

import anyio
import pytest

from suno_async import ClientClosedError, ConfigError, CreditBudgetError
from suno_async.ledger import LedgerTotals, PostgresLedger, SqliteLedger
from tests.ledger.conftest import SHARED_KINDS, OpenLedger

pytestmark = pytest.mark.anyio
shared = pytest.mark.parametrize("kind", SHARED_KINDS)


@shared
async def test_every_opener_sees_one_ledger(open_ledger: OpenLedger) -> None:
    first = await open_ledger(100)
    second = await open_ledger()
    await first.reserve("a", 60, "a train")
    await second.reserve("a", 60, "the same train, from another process")
    with pytest.raises(CreditBudgetError):
        await second.reserve("b", 50, "a second train")
    await second.settle("a", "uncertain")
    assert await first.state("a") == "uncertain"
    await first.settle("a", "charged")
    assert await second.totals() == LedgerTotals(spent=60, uncertain=0, reserved=0, limit=100)


@shared
async def test_it_outlives_its_openers(open_ledger: OpenLedger) -> None:
    first = await open_ledger(100)
    await first.reserve("a", 60, "a train")
    await first.settle("a", "charged")
    await first.aclose()
    again = await open_ledger()
    assert await again.state("a") == "charged"
    assert await again.totals() == LedgerTotals(spent=60, uncertain=0, reserved=0, limit=100)


@shared
async def test_the_limit_is_the_ledgers(open_ledger: OpenLedger) -> None:
    first = await open_ledger(100)
    assert (await (await open_ledger()).totals()).limit == 100
    await open_ledger(100)
    with pytest.raises(ConfigError, match="set_limit") as raised:
        await open_ledger(200)
    assert raised.value.argument == "limit"
    assert "has a limit of 100 credits, not 200" in str(raised.value)
    await first.set_limit(200)  # type: ignore[attr-defined]
    other = await open_ledger(200)
    await other.reserve("a", 150, "in the raised budget")
    await other.set_limit(None)  # type: ignore[attr-defined]
    await first.reserve("b", 10**9, "no budget any more")
    with pytest.raises(ConfigError, match="has no limit, not 5"):
        await open_ledger(5)


@shared
async def test_a_ledger_without_a_limit_keeps_none(open_ledger: OpenLedger) -> None:
    await open_ledger()
    with pytest.raises(ConfigError, match="has no limit"):
        await open_ledger(100)


@shared
async def test_a_closed_ledger_says_so(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger()
    await ledger.aclose()
    await ledger.aclose()
    with pytest.raises(ClientClosedError, match="closed"):
        await ledger.reserve("a", 1, "too late")
    with pytest.raises(ClientClosedError):
        await ledger.totals()


@shared
@pytest.mark.parametrize(
    ("key", "cost", "what", "argument"),
    [
        ("", 1, "x", "key"),
        (7, 1, "x", "key"),
        ("a", -1, "x", "cost"),
        ("a", True, "x", "cost"),
        ("a", 1.5, "x", "cost"),
        ("a", 1, None, "what"),
    ],
)
async def test_bad_reservations_are_refused(
    open_ledger: OpenLedger, key: object, cost: object, what: object, argument: str
) -> None:
    ledger = await open_ledger()
    with pytest.raises(ConfigError) as raised:
        await ledger.reserve(key, cost, what)  # type: ignore[arg-type]
    assert raised.value.argument == argument
    assert await ledger.totals() == LedgerTotals(spent=0, uncertain=0, reserved=0, limit=None)


@shared
@pytest.mark.parametrize("limit", [-1, True, 2.5, "100"])
async def test_bad_limits_are_refused(open_ledger: OpenLedger, limit: object) -> None:
    with pytest.raises(ConfigError) as raised:
        await open_ledger(limit)
    assert raised.value.argument == "limit"
    ledger = await open_ledger()
    with pytest.raises(ConfigError):
        await ledger.set_limit(limit)  # type: ignore[attr-defined]


async def test_sqlite_is_in_wal_mode_with_its_tables(tmp_path: Path) -> None:
    async with SqliteLedger(tmp_path / "ledger.db", 10) as ledger:
        await ledger.reserve("a", 3, "a")
        assert repr(ledger) == f"SqliteLedger({str(tmp_path / 'ledger.db')!r}, limit=10)"
    db = sqlite3.connect(tmp_path / "ledger.db")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT key, cost, state, what FROM keys").fetchall() == [
            ("a", 3, "reserved", "a")
        ]
    finally:
        db.close()


async def test_sqlite_refuses_a_file_that_is_not_a_ledger(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"not a database at all, " * 100)
    with pytest.raises(ConfigError, match="is not a credit ledger") as raised:
        SqliteLedger(tmp_path / "notes.txt")
    assert raised.value.argument == "path"
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE ledger (something TEXT)")
    other.close()
    with pytest.raises(ConfigError, match="is not a credit ledger"):
        SqliteLedger(tmp_path / "other.db")


async def test_sqlite_refuses_another_format(tmp_path: Path) -> None:
    SqliteLedger(tmp_path / "ledger.db")._db.close()  # type: ignore[union-attr]
    db = sqlite3.connect(tmp_path / "ledger.db")
    with db:
        db.execute("UPDATE ledger SET format = 99")
    db.close()
    with pytest.raises(ConfigError, match="format 99"):
        SqliteLedger(tmp_path / "ledger.db")


async def test_postgres_without_asyncpg_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)
    with pytest.raises(ConfigError, match=r"pip install 'suno_async\[postgres\]'"):
        await PostgresLedger.connect("postgresql://nowhere/db")


@pytest.mark.parametrize(
    ("dsn", "name", "argument"), [("", "x", "dsn"), ("postgresql://h/d", "", "name")]
)
async def test_postgres_refuses_bad_arguments(dsn: str, name: str, argument: str) -> None:
    with pytest.raises(ConfigError) as raised:
        await PostgresLedger.connect(dsn, name=name)
    assert raised.value.argument == argument


async def test_postgres_ledgers_by_name_are_apart(postgres_dsn: str) -> None:
    names = [f"apart-{uuid.uuid4().hex}" for _ in range(2)]
    async with (
        await PostgresLedger.connect(postgres_dsn, limit=10, name=names[0]) as one,
        await PostgresLedger.connect(postgres_dsn, limit=20, name=names[1]) as two,
    ):
        await one.reserve("a", 10, "a")
        await two.reserve("a", 20, "the same key in another ledger")
        await one.settle("a", "charged")
        assert await two.state("a") == "reserved"
        assert (await one.totals()).spent == 10
        assert (await two.totals()).reserved == 20
        assert repr(one) == f"PostgresLedger(name='{names[0]}', limit=10)"


async def test_sqlite_waits_for_another_process_then_gives_up(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    async with SqliteLedger(path, 100, busy_timeout=0.2) as ledger:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock...
            with anyio.fail_after(5):
                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(ledger.reserve, "a", 10, "waits")
                    await anyio.sleep(0.05)
                    async with SqliteLedger(path) as reader:  # readers do not wait
                        assert (await reader.totals()).reserved == 0
                    other.execute("COMMIT")  # ...and lets go in time
            assert await ledger.state("a") == "reserved"
            other.execute("BEGIN IMMEDIATE")  # now for longer than busy_timeout
            began = time.monotonic()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await ledger.reserve("b", 10, "gives up")
            assert 0.2 <= time.monotonic() - began < 2
            other.execute("ROLLBACK")
            assert await ledger.state("b") is None
            await ledger.reserve("b", 10, "goes through")
        finally:
            other.close()
