"""Pending waits: the memory and CPU each wait costs while it sleeps between two asks.

N waits are started at once on tasks whose next ask is far away (first ask after 1,000 s), so
after a moment every one of them is pending: asleep, holding no request. Each variant runs in
a child process of its own, N in 1,000 / 10,000 / 50,000 / 100,000:

* ``bare asyncio``: a task per wait that sleeps (``asyncio.sleep``) and would then send one
  ``GET`` with aiohttp: the floor.
* ``library``: ``MountseaClient.wait_for_task(task_id)`` per wait, in a task of its own (the
  caller's, as in an app), with the same far-away schedule.

Reported per wait: resident memory (RSS growth over the start of the N waits, divided by N),
Python allocations (``tracemalloc``, in a separate run: it slows the start), and the CPU time
to start it. The client makes no request in the run (nothing is due), so no server is needed.

Targets (issue "one scheduler"): bytes per pending wait <= 2x bare; 100,000 pending waits
under 300 MB RSS for the whole process.

``--quick``: 1,000 and 10,000 waits only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    emit_json,
    fmt,
    fmt_ratio,
    machine_line,
    ratio,
    rss_bytes,
    run_child_json,
    table,
    verdict,
)

SIZES = (1_000, 10_000, 50_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
MODES = ("bare asyncio", "library")


async def _bare_wait(session: Any, url: str) -> bytes:
    await asyncio.sleep(1000)
    async with session.get(url) as answer:
        data: bytes = await answer.read()
        return data


async def _child(mode: str, count: int, traced: bool) -> dict[str, Any]:
    import aiohttp

    from suno_async import MountseaClient, PollSchedule, TaskKind

    far = PollSchedule(first_delay=1000, interval=1000, factor=1.0, max_interval=1000, timeout=5000)
    client = MountseaClient(
        api_key="bench", base_url="http://127.0.0.1:9", poll_schedules={TaskKind.EDIT: far}
    )
    session = aiohttp.ClientSession()
    await asyncio.sleep(0)
    gc.collect()
    if traced:
        tracemalloc.start()
    before_rss = rss_bytes()
    before_traced = tracemalloc.get_traced_memory()[0] if traced else 0
    started = time.process_time()
    if mode == "bare asyncio":
        tasks = [
            asyncio.ensure_future(_bare_wait(session, "http://127.0.0.1:9/x")) for _ in range(count)
        ]
    else:
        tasks = [
            asyncio.ensure_future(client.wait_for_task(f"t{i}", kind=TaskKind.EDIT))
            for i in range(count)
        ]
    await asyncio.sleep(0.05)  # every wait reaches its sleep
    cpu = time.process_time() - started
    result = {
        "rss": rss_bytes(),
        "rss_per_wait": (rss_bytes() - before_rss) / count,
        "traced_per_wait": (tracemalloc.get_traced_memory()[0] - before_traced) / count
        if traced
        else None,
        "cpu_per_wait": cpu / count,
    }
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await session.close()
    await client.aclose()
    return result


def _measure(mode: str, count: int, traced: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", mode, str(count)]
    if traced:
        args.append("--traced")
    return run_child_json(args, timeout=300)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, count = args.child
        emit_json(asyncio.run(_child(mode, int(count), args.traced)))
        return
    print(machine_line())
    sizes = QUICK_SIZES if args.quick else SIZES
    rows = []
    last: dict[str, dict[str, Any]] = {}
    for count in sizes:
        found: dict[str, dict[str, Any]] = {}
        for mode in MODES if count % 2 else reversed(MODES):
            found[mode] = _measure(mode, count, traced=False)
            found[mode]["traced_per_wait"] = _measure(mode, count, traced=True)["traced_per_wait"]
        bare, lib = found["bare asyncio"], found["library"]
        for mode in MODES:
            one = found[mode]
            rows.append(
                [
                    f"{mode}, {count:,}",
                    fmt(one["rss_per_wait"] / 1024, 2),
                    fmt_ratio(ratio(one["rss_per_wait"], bare["rss_per_wait"])),
                    fmt(one["traced_per_wait"] / 1024, 2),
                    fmt_ratio(ratio(one["traced_per_wait"], bare["traced_per_wait"])),
                    fmt(one["cpu_per_wait"] * 1e6, 1),
                    fmt_ratio(ratio(one["cpu_per_wait"], bare["cpu_per_wait"])),
                    fmt(one["rss"] / 2**20, 0),
                ]
            )
        last = {"bare": bare, "library": lib}
    print(
        table(
            "Pending waits (per wait; ratios against bare asyncio at the same N)",
            [
                "variant, N",
                "RSS KiB",
                "vs bare",
                "allocated KiB",
                "vs bare",
                "start CPU us",
                "vs bare",
                "process RSS MiB",
            ],
            rows,
        )
    )
    lib, bare = last["library"], last["bare"]
    print()
    print(
        f"target: bytes per pending wait <= 2x bare: "
        f"{fmt_ratio(ratio(lib['traced_per_wait'], bare['traced_per_wait']))} allocated, "
        f"{fmt_ratio(ratio(lib['rss_per_wait'], bare['rss_per_wait']))} RSS at "
        f"{sizes[-1]:,}: {verdict(ratio(lib['traced_per_wait'], bare['traced_per_wait']), 2.0)}"
    )
    if sizes[-1] == 100_000:
        print(
            f"target: 100,000 pending waits under 300 MB RSS: {lib['rss'] / 1e6:.0f} MB: "
            f"{verdict(lib['rss'] / 1e6, 300.0)}"
        )


if __name__ == "__main__":
    main()
