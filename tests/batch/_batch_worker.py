"""One run of a batch, for the kill-and-resume test to start, kill (SIGKILL) and start again.

    python _batch_worker.py --rows ROWS.jsonl --store STORE.db --base-url URL --speed S
        --concurrency N --cap-mountsea C --cap-sunoapi C --stats STATS.jsonl

It runs :func:`suno_async.run_batch` (the public API) with a MountseaClient and a SunoapiClient
pointed at the emulator, both on ``SystemClock(speed)`` (the emulator's clock runs at the same
speed). Each client's ``max_credits`` is what is left of its cap once the credits the store
already holds for that provider's jobs (spent and uncertain, all earlier runs) are taken off, so
the caps hold across runs. It appends JSON lines to the stats file: ``{"start": ...}`` when it
begins, ``{"running": n}`` whenever more jobs run at once than before in this run, and
``{"end": ...}`` with the summary when it finishes (a killed run writes no ``end``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import msgspec

from suno_async import ConfigError, MountseaClient, SunoapiClient, SystemClock
from suno_async.batch import BatchEvent, BatchProgress, JobStore, run_batch

#: Which provider's client runs each job kind.
PROVIDER_OF = {"generate": "mountsea", "train_generate": "mountsea", "pure_music": "sunoapi"}


def committed_by_provider(store: Path) -> dict[str, int]:
    """Credits spent or uncertain so far per provider, from the store's rows (read-only)."""
    held = {"mountsea": 0, "sunoapi": 0}
    try:
        opened = JobStore.open(store, readonly=True)
    except ConfigError:  # no store yet, or a run was killed while it was making it
        return held
    try:
        for record in opened.records():
            provider = PROVIDER_OF.get(record.kind)
            if provider is not None:
                credits = record.credits
                in_flight = sum(cost for cost, _ in credits.in_flight)
                held[provider] += credits.spent + credits.uncertain + in_flight
    finally:
        opened.close()
    return held


class Stats:
    """The stats file, one JSON line per write (flushed: the process may be killed)."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="utf-8")

    def write(self, **values: Any) -> None:
        self._file.write(msgspec.json.encode(values).decode() + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


async def main(args: argparse.Namespace) -> None:
    store = Path(args.store)
    held = committed_by_provider(store)
    budget = {
        "mountsea": max(1, args.cap_mountsea - held["mountsea"]),
        "sunoapi": max(1, args.cap_sunoapi - held["sunoapi"]),
    }
    stats = Stats(Path(args.stats))
    stats.write(start=os.getpid(), held=held, budget=budget)
    progress = BatchProgress()
    most = 0

    def peak() -> None:
        nonlocal most
        if progress.running > most:
            most = progress.running
            stats.write(running=most)

    def watch(event: BatchEvent) -> None:
        peak()

    async def sample() -> None:
        while True:
            peak()
            await anyio.sleep(0.002)

    clock = SystemClock(args.speed)
    async with (
        MountseaClient(
            api_key="batch-key",
            base_url=args.base_url,
            clock=clock,
            allow_insecure_http=True,
            max_credits=budget["mountsea"],
        ) as mountsea,
        SunoapiClient(
            api_key="batch-key",
            base_url=args.base_url,
            clock=clock,
            allow_insecure_http=True,
            max_credits=budget["sunoapi"],
        ) as sunoapi,
        anyio.create_task_group() as group,
    ):
        group.start_soon(sample)
        summary = await run_batch(
            args.rows,
            store=store,
            mountsea=mountsea,
            sunoapi=sunoapi,
            concurrency=args.concurrency,
            on_event=watch,
            progress=progress,
        )
        group.cancel_scope.cancel()
        stats.write(
            end=os.getpid(),
            most_running=most,
            summary=msgspec.to_builtins(summary),
            client_spent={"mountsea": mountsea.credits_spent, "sunoapi": sunoapi.credits_spent},
            client_uncertain={
                "mountsea": mountsea.credits_uncertain,
                "sunoapi": sunoapi.credits_uncertain,
            },
        )
    stats.close()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--speed", type=float, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--cap-mountsea", type=int, required=True)
    parser.add_argument("--cap-sunoapi", type=int, required=True)
    parser.add_argument("--stats", required=True)
    return parser.parse_args(argv)


if __name__ == "__main__":
    anyio.run(main, parse(sys.argv[1:]))
