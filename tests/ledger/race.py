"""The race of ``test_race.py``, run as its own program: it imports the library once, then forks
``PROCESSES`` OS processes (each with its own ledger connection and event loop), which open the
ledger, wait for each other at a barrier, and reserve at once; it prints what each one saw as a
JSON list. Forking from this thread-free program keeps the start at one import, not one each.

Usage: ``race.py sqlite|postgres PATH|DSN NAME PROCESSES COUNT COST LIMIT``
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import traceback
from multiprocessing.connection import Connection, wait
from multiprocessing.synchronize import Barrier

import anyio
import anyio.to_thread

from suno_async import CreditBudgetError
from suno_async.ledger import CreditLedger, PostgresLedger, SqliteLedger

Result = dict[str, list[str]]


async def race(
    kind: str,
    target: str,
    name: str,
    worker: int,
    count: int,
    cost: int,
    limit: int,
    barrier: Barrier,
) -> Result:
    ledger: CreditLedger
    if kind == "sqlite":
        ledger = SqliteLedger(target, limit)
    else:
        ledger = await PostgresLedger.connect(target, limit=limit, name=name, max_size=1)
    await anyio.to_thread.run_sync(barrier.wait, 30)
    accepted: list[str] = []
    refused: list[str] = []
    charged: list[str] = []

    async def reserve(key: str) -> bool:
        try:
            await ledger.reserve(key, cost, f"reservation {key}")
        except CreditBudgetError:
            refused.append(key)
            return False
        return True

    for number in range(count):
        key = f"w{worker}-{number}"
        if await reserve(key):
            accepted.append(key)
            assert await reserve(key)  # a retry: changes nothing, and is not refused
            if number % 2 == 0:
                await ledger.settle(key, "charged")
                charged.append(key)
        shared = f"shared-{number}"
        if number % 10 == 5 and await reserve(shared):  # the same key in every process
            accepted.append(shared)
    await ledger.aclose()
    return {"accepted": accepted, "refused": refused, "charged": charged}


def child(
    arguments: tuple[str, str, str, int, int, int, int], barrier: Barrier, out: Connection
) -> None:
    kind, target, name, worker, count, cost, limit = arguments
    try:
        out.send(anyio.run(race, kind, target, name, worker, count, cost, limit, barrier))
    except BaseException:
        barrier.abort()  # the others stop waiting for this one
        out.send({"error": [traceback.format_exc()]})
        raise
    finally:
        out.close()


def main() -> int:
    kind, target, name, *numbers = sys.argv[1:]
    processes, count, cost, limit = map(int, numbers)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    pipes = [context.Pipe(duplex=False) for _ in range(processes)]
    workers = [
        context.Process(
            target=child, args=((kind, target, name, worker, count, cost, limit), barrier, sender)
        )
        for worker, (_, sender) in enumerate(pipes)
    ]
    for worker in workers:
        worker.start()
    results: list[Result] = []
    for (receiver, _), worker in zip(pipes, workers, strict=True):
        wait([receiver, worker.sentinel], timeout=60)
        if receiver.poll():
            results.append(receiver.recv())
        worker.join(10)
    errors = [line for result in results for line in result.get("error", [])]
    if errors or len(results) != processes or any(w.exitcode != 0 for w in workers):
        print(f"exit codes {[w.exitcode for w in workers]}", *errors, file=sys.stderr)
        return 1
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
