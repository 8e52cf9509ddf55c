"""Polling: 1,000 concurrent tasks that finish 0.5-3 s after they start; how each poller waits.

A scripted status server runs in a child process (``_servers.py polling``): task ``t<i>``
answers ``running`` until its scripted moment, then ``success``. The moments are uniform in
[0.5, 3] s after the start, on ``time.monotonic()``, which both processes share, so the
detection lag (the client noticing ``success`` minus the moment the task finished on the
server) is exact. The server logs every status request, which gives the requests per task and
the busiest one-second window.

Pollers compared (each round uses the same scripted moments for every poller):

* ``fixed 3 s``: the provider's documented loop: ask at once, then every 3 s (bare aiohttp).
* ``library, generate schedule`` / ``upload schedule``: ``SunoClient.wait_for_task`` with the
  library's current default schedules (first ask after 3 s / 2 s, then x1.5 up to a cap). They
  were written for 30-120 s generations and ~8 s uploads, not for tasks of 0.5-3 s.
* ``proposed``: a prototype of the schedule change recommended in ``benchmarks/README.md``:
  a schedule that knows the kind's expected duration (here 0.5-3 s) sleeps until one step past
  the earliest expected end (a random phase of +-half a step, so 1,000 pollers do not ask in
  lock step), then polls with a step that shrinks as the expected window runs out (denser
  near the latest expected end), then backs off by x1.5; plus a client-wide cap on status
  requests per second (a sliding one-second window shared by every poller), shown at a cap
  above the schedule's busiest second and at one that binds. It runs through the library's
  own ``wait_for_task``: the schedule is a ``PollSchedule`` subclass passed as
  ``poll_schedules=``; the cap wraps ``get_status`` in a ``SunoClient`` subclass.

Targets: <= 3 status requests per task, lag p50 <= 0.3 s and p99 <= 1.0 s, and no one-second
window above the client's configured cap.

``--quick`` runs 200 tasks with every duration (task moments, schedules, the 3 s) scaled by
0.2: a smoke test of the script, not a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
import msgspec
from _harness import (
    PYTHON,
    child_server,
    fmt,
    interleaved,
    machine_line,
    max_in_window,
    median,
    percentile,
    table,
    verdict,
)

from suno_async import DEFAULT_SCHEDULES, PollSchedule, SunoClient, TaskKind, TaskSnapshot

API_KEY: Final = "bench-key"
LOW: Final = 0.5
HIGH: Final = 3.0
FIXED_INTERVAL: Final = 3.0
#: The prototype's client-wide caps on status requests per second: one above what its schedule
#: asks for at the busiest (about 1,500/s for these 1,000 tasks), one that binds.
CAPS: Final = (2_000, 1_000)
REQUESTS_TARGET: Final = 3.0
P50_TARGET: Final = 0.3
P99_TARGET: Final = 1.0


# -- the proposal, prototyped ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpectedDurationSchedule(PollSchedule):
    """A poll schedule that knows when a kind of task usually ends (seconds).

    The first ask comes one step after ``expected_low``, shifted by a random phase of +-half a
    step, so pollers started together do not ask in lock step. Until ``expected_high`` the step
    shrinks with the square root of the share of the expected window still ahead (from
    ``(expected_high - expected_low) / dense_polls`` down to ``floor`` times that): early asks
    are costly (most tasks are still running) and rarely succeed, late ones are cheap (few
    tasks are left) and likely to. Each step has proportional jitter. After ``expected_high``
    it backs off from ``interval`` by ``factor`` up to ``max_interval``, like today's schedule.
    """

    expected_low: float = 0.0
    expected_high: float = 0.0
    dense_polls: float = 3.5
    floor: float = 0.3

    def delays(self, rng: random.Random) -> Iterator[float]:
        low, high = self.expected_low, self.expected_high
        width = max(high - low, 1e-3)
        step = width / self.dense_polls
        elapsed = low + step * rng.uniform(0.5, 1.5)
        yield elapsed
        while elapsed < high:
            ahead = (high - elapsed) / width
            wait = (
                step * max(ahead**0.5, self.floor) * rng.uniform(1 - self.jitter, 1 + self.jitter)
            )
            elapsed += wait
            yield wait
        interval = self.interval
        while True:
            yield interval * rng.uniform(1.0 - self.jitter, 1.0 + self.jitter)
            interval = min(interval * self.factor, self.max_interval)


class SlidingWindowCap:
    """At most ``per_second`` acquisitions in any one-second window, shared by all callers
    (first come, first served). The window is kept 2 % longer than a second, so that the
    server, which sees each request a little later and not always equally late, also never
    counts more than ``per_second`` in a second."""

    def __init__(self, per_second: int, window: float = 1.02) -> None:
        self._cap = per_second
        self._window = window
        self._sent: collections.deque[float] = collections.deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            if len(self._sent) >= self._cap:
                wait = self._sent[0] + self._window - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._sent.popleft()
            self._sent.append(time.monotonic())


class RateCappedClient(SunoClient):
    """A ``SunoClient`` whose status requests pass a client-wide rate cap (the prototype)."""

    def __init__(self, *, rate_cap: SlidingWindowCap, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rate_cap = rate_cap

    async def get_status(self, task_id: str) -> TaskSnapshot:
        await self._rate_cap.acquire()
        return await super().get_status(task_id)


# -- pollers ---------------------------------------------------------------------------------

Waiter = Callable[[str], Awaitable[None]]


@dataclass
class Run:
    """What one poller did in one round."""

    requests_per_task: float
    lag_p50: float
    lag_p99: float
    busiest_second: int
    seconds: float


async def _run_one(base_url: str, n: int, scale: float, seed: int, waiter: Waiter) -> Run:
    async with aiohttp.ClientSession() as http:
        params = {
            "n": str(n),
            "low": str(LOW * scale),
            "high": str(HIGH * scale),
            "seed": str(seed),
        }
        async with http.post(f"{base_url}/bench/start", params=params) as resp:
            script = await resp.json()
        done_at: list[float] = script["done_at"]
        noticed = [0.0] * n

        async def one(i: int) -> None:
            await waiter(f"t{i}")
            noticed[i] = time.monotonic()

        await asyncio.gather(*(one(i) for i in range(n)))
        seconds = time.monotonic() - script["start"]
        async with http.get(f"{base_url}/bench/log") as resp:
            log = await resp.json()
    lags = [noticed[i] - done_at[i] for i in range(n)]
    assert min(lags) >= 0, "a poller saw success before the task finished"
    return Run(
        requests_per_task=len(log["times"]) / n,
        lag_p50=percentile(lags, 50),
        lag_p99=percentile(lags, 99),
        busiest_second=max_in_window(log["times"], 1.0),
        seconds=seconds,
    )


def _fixed_poller(http: aiohttp.ClientSession, base_url: str, interval: float) -> Waiter:
    decoder = msgspec.json.Decoder(TaskSnapshot)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    url = f"{base_url}/suno/v2/status"

    async def wait(task_id: str) -> None:
        while True:
            async with http.get(url, params={"taskId": task_id}, headers=headers) as resp:
                snapshot = decoder.decode(await resp.read())
            if snapshot.status == "success":
                return
            await asyncio.sleep(interval)

    return wait


def _library_waiter(client: SunoClient, kind: TaskKind) -> Waiter:
    async def wait(task_id: str) -> None:
        await client.wait_for_task(task_id, kind=kind)

    return wait


VARIANTS: Final = ("fixed", "generate", "upload", *(f"proposed-{cap}" for cap in CAPS))
LABELS: Final = {
    "fixed": "fixed 3 s poller (documented loop)",
    "generate": "library, default generate schedule",
    "upload": "library, default upload schedule",
    **{f"proposed-{cap}": f"proposed: expected 0.5-3 s, cap {cap:,}/s" for cap in CAPS},
}


async def _round(base_url: str, n: int, scale: float, seed: int, r: int) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    for variant in interleaved(VARIANTS, r):
        if variant == "fixed":
            async with aiohttp.ClientSession() as http:
                waiter = _fixed_poller(http, base_url, FIXED_INTERVAL * scale)
                runs[variant] = await _run_one(base_url, n, scale, seed, waiter)
            continue
        schedules = {k: s.scaled(scale) for k, s in DEFAULT_SCHEDULES.items()}
        kind = TaskKind.UPLOAD if variant == "upload" else TaskKind.GENERATE
        if variant.startswith("proposed-"):
            schedules[kind] = ExpectedDurationSchedule(
                first_delay=0.0,
                interval=1.0 * scale,
                factor=1.5,
                max_interval=10.0 * scale,
                timeout=600.0,
                expected_low=LOW * scale,
                expected_high=HIGH * scale,
            )
            client: SunoClient = RateCappedClient(
                rate_cap=SlidingWindowCap(int(variant.split("-")[1])),
                api_key=API_KEY,
                base_url=base_url,
                poll_schedules=schedules,
            )
        else:
            client = SunoClient(api_key=API_KEY, base_url=base_url, poll_schedules=schedules)
        async with client:
            runs[variant] = await _run_one(base_url, n, scale, seed, _library_waiter(client, kind))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args(argv)
    n, scale, rounds = (200, 0.2, 1) if args.quick else (1_000, 1.0, 2)
    results: dict[str, list[Run]] = {v: [] for v in VARIANTS}
    with child_server([PYTHON, "benchmarks/_servers.py", "polling", "--max-seconds", "300"]) as srv:
        for r in range(rounds):
            for variant, run in asyncio.run(_round(srv.url, n, scale, 1000 + r, r)).items():
                results[variant].append(run)
    rows: list[list[str]] = []
    for variant in VARIANTS:
        runs = results[variant]
        per_task = median([x.requests_per_task for x in runs])
        p50 = median([x.lag_p50 for x in runs])
        p99 = median([x.lag_p99 for x in runs])
        busiest = median([float(x.busiest_second) for x in runs])
        ok = (
            verdict(per_task, REQUESTS_TARGET) == "met"
            and verdict(p50, P50_TARGET * scale) == "met"
            and verdict(p99, P99_TARGET * scale) == "met"
            and (not variant.startswith("proposed-") or busiest <= int(variant.split("-")[1]))
        )
        rows.append(
            [
                LABELS[variant],
                fmt(per_task, 2),
                fmt(p50, 3),
                fmt(p99, 3),
                fmt(int(busiest)),
                fmt(median([x.seconds for x in runs]), 1),
                "met" if ok else "MISSED",
            ]
        )
    title = (
        f"Polling {n:,} concurrent tasks finishing {LOW * scale:g}-{HIGH * scale:g} s after the "
        f"start (medians of {rounds} interleaved rounds)"
    )
    print(
        table(
            title,
            [
                "poller",
                "requests/task",
                "lag p50 s",
                "lag p99 s",
                "max req in 1 s",
                "run s",
                "targets",
            ],
            rows,
        )
    )
    print(
        f"# targets: <= {REQUESTS_TARGET:g} requests/task, lag p50 <= {P50_TARGET * scale:g} s,"
        f" p99 <= {P99_TARGET * scale:g} s; a capped poller's busiest second (as the server"
        " counts) <= its cap. The library has no rate cap today."
    )
    if args.quick:
        print("# --quick: 200 tasks, every duration scaled by 0.2; a smoke test, not a result.")
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
