"""One worker process of the multi-worker test: ``run_worker`` with a mountsea client on the
emulator and the shared PostgreSQL ledger.

    python -m tests.temporal.fleet_worker ADDRESS QUEUE BASE_URL LEDGER LIMIT RATE CRASH_DIR

It dies (``os._exit``) right after a paid answer when the test left a flag file named after
the step (``create``, ``generate``) in CRASH_DIR: the first worker to take the flag (an atomic
rename) dies, after the heartbeat with the task id had time to reach the server.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from suno_async import MountseaClient, RetryPolicy
from suno_async.ledger import PostgresLedger
from suno_async.temporal import AfterPaidAnswer, run_worker

CRASH_EXIT = 75


def crash_hook(crash_dir: Path) -> AfterPaidAnswer:
    async def after_paid_answer(step: str, task_id: str) -> None:
        flag = crash_dir / step
        try:
            flag.rename(crash_dir / f"{step}.taken-by-{os.getpid()}-{task_id}")
        except FileNotFoundError:
            return
        await asyncio.sleep(0.6)  # the heartbeat with the task id is on its way
        os._exit(CRASH_EXIT)

    return after_paid_answer


async def main(argv: list[str]) -> None:
    address, queue, base_url, ledger_dsn, ledger_name, limit, rate, crash_dir = argv
    ledger = await PostgresLedger.connect(ledger_dsn, limit=int(limit), name=ledger_name)
    retry = RetryPolicy(initial_delay=0.01, max_delay=0.05, retry_after_cap=1.0)
    async with MountseaClient(api_key="test-key", base_url=base_url, retry=retry) as mountsea:
        await run_worker(
            address,
            queue,
            mountsea=mountsea,
            ledger=ledger,
            rate=float(rate),
            after_paid_answer=crash_hook(Path(crash_dir)),
            max_heartbeat_throttle_interval=timedelta(milliseconds=200),
            default_heartbeat_throttle_interval=timedelta(milliseconds=200),
            sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
        )


if __name__ == "__main__":
    print("ready", flush=True)
    asyncio.run(main(sys.argv[1:]))
