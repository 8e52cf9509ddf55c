"""Ledgers to test: the same contract for every implementation, and PostgreSQL from a throwaway
server started once per session (see :mod:`tests.ledger.pgserver`).

The PostgreSQL tests are skipped, with the reason, where PostgreSQL cannot be provided (not
root and no binaries, or the install failed); ``SUNO_ASYNC_REQUIRE_POSTGRES=1`` makes that a
failure instead (CI), and ``SUNO_ASYNC_TEST_POSTGRES_DSN`` points them at an existing server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Final

import pytest

from suno_async.ledger import CreditLedger, MemoryLedger, PostgresLedger, SqliteLedger
from tests.conftest import POSTGRES_DSN_ENV as DSN_ENV
from tests.ledger import pgserver

#: Installing PostgreSQL (a fresh root machine without it) takes longer than a test may.
_PG_MARKS: Final = (
    [pytest.mark.timeout(900)] if not os.environ.get(DSN_ENV) and pgserver.install_needed() else []
)
POSTGRES: Final = pytest.param("postgres", marks=_PG_MARKS)
ALL_KINDS: Final = ["memory", "sqlite", POSTGRES]
SHARED_KINDS: Final = ["sqlite", POSTGRES]

#: Opens a ledger; ``limit`` as the constructors take it.
OpenLedger = Callable[..., Awaitable[CreditLedger]]


@pytest.fixture(params=ALL_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def open_ledger(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[OpenLedger]:
    """Opens the same ledger (one file, one PostgreSQL name, or one memory ledger) each call,
    as another process would; every one is closed at the end."""
    opened: list[CreditLedger] = []
    name = f"test-{uuid.uuid4().hex}"
    dsn = request.getfixturevalue("postgres_dsn") if kind == "postgres" else ""
    memory: list[MemoryLedger] = []

    async def open_(limit: int | None = None) -> CreditLedger:
        ledger: CreditLedger
        if kind == "memory":
            if not memory:
                memory.append(MemoryLedger(limit))
            ledger = memory[0]
        elif kind == "sqlite":
            ledger = SqliteLedger(tmp_path / "ledger.db", limit)
        else:
            ledger = await PostgresLedger.connect(dsn, limit=limit, name=name, max_size=4)
        opened.append(ledger)
        return ledger

    yield open_
    for ledger in opened:
        await ledger.aclose()
