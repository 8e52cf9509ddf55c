"""Several OS processes race on one ledger (one SQLite file, one PostgreSQL database): the
ledger never passes its limit, and its totals are exactly the reservations it accepted."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Final

import anyio
import pytest

from suno_async.ledger import LedgerTotals, PostgresLedger, SqliteLedger
from tests.ledger.conftest import SHARED_KINDS

RACE: Final = Path(__file__).with_name("race.py")
PROCESSES: Final = 4
COUNT: Final = 50
COST: Final = 10
LIMIT: Final = 1000


def run_race(kind: str, target: str, name: str) -> list[dict[str, list[str]]]:
    """Run the racing processes; what each one saw."""
    command = [sys.executable, str(RACE), kind, target, name]
    command += [str(number) for number in (PROCESSES, COUNT, COST, LIMIT)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    results: list[dict[str, list[str]]] = json.loads(done.stdout)
    assert len(results) == PROCESSES
    return results


async def rows_by_state(kind: str, target: str, name: str) -> dict[str, int]:
    """The key rows' credits by state, read behind the ledger's back."""
    if kind == "sqlite":
        import sqlite3

        db = sqlite3.connect(target)
        try:
            rows = db.execute("SELECT state, sum(cost) FROM keys GROUP BY state").fetchall()
        finally:
            db.close()
    else:
        import asyncpg  # type: ignore[import-untyped]

        conn = await asyncpg.connect(target)
        try:
            rows = await conn.fetch(
                "SELECT state, sum(cost) FROM suno_ledger_keys WHERE ledger = $1 GROUP BY state",
                name,
            )
        finally:
            await conn.close()
    return {row[0]: int(row[1]) for row in rows}


@pytest.mark.parametrize("kind", SHARED_KINDS)
def test_processes_racing_never_pass_the_limit(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target = str(tmp_path / "ledger.db")
    name = f"race-{uuid.uuid4().hex}"
    if kind == "postgres":
        target = request.getfixturevalue("postgres_dsn")
    results = run_race(kind, target, name)

    accepted = {key for result in results for key in result["accepted"]}
    charged = {key for result in results for key in result["charged"]}
    refused = {key for result in results for key in result["refused"]} - accepted

    async def read() -> tuple[LedgerTotals, dict[str, Any], dict[str, int]]:
        ledger = (
            SqliteLedger(target)
            if kind == "sqlite"
            else await PostgresLedger.connect(target, name=name)
        )
        try:
            states = {key: await ledger.state(key) for key in accepted | refused}
            return await ledger.totals(), states, await rows_by_state(kind, target, name)
        finally:
            await ledger.aclose()

    totals, states, rows = anyio.run(read)
    # Demand (4 x 50 keys of 10, and 5 shared ones) is twice the limit: the ledger fills it
    # exactly, never more, and counts each accepted key once.
    assert totals.committed == LIMIT
    assert len(accepted) * COST == LIMIT
    assert totals == LedgerTotals(
        spent=len(charged) * COST, uncertain=0, reserved=LIMIT - len(charged) * COST, limit=LIMIT
    )
    assert rows == {"charged": totals.spent, "reserved": totals.reserved}
    assert all(states[key] == ("charged" if key in charged else "reserved") for key in accepted)
    assert all(states[key] is None for key in refused)
    # The processes really raced: more than one of them got credits.
    assert sum(1 for result in results if result["accepted"]) > 1
