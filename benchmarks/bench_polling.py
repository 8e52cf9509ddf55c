"""Polling: how quickly and cheaply waits notice the end, through the library's own mechanisms.

Part 1, status polling (mountsea). 1,000 concurrent tasks finish at scripted
moments 0.5-3 s after the start, on a dedicated status server in a child process
(``_servers.py polling``): task ``t<i>`` answers ``running`` until its moment, then ``success``
with two clips. Both processes read ``time.monotonic()``, so the detection lag (the client
noticing ``success`` minus the moment the task finished on the server) is exact; the server logs
every status request, which gives the requests per task and the busiest one-second window (as
the server counts them). Each round uses the same scripted moments for every poller.

* ``fixed 3 s``: the provider's documented loop (ask at once, then every 3 s), bare aiohttp.
* ``library, default upload schedule``: ``MountseaClient.wait_for_task`` with the library's default
  plain schedule (no expected duration: first ask after 2 s, then x1.5 up to 8 s), for
  reference. (The default *generate* schedule expects 30-120 s; on 0.5-3 s tasks it asks at
  2 s, 4 s and so on as its bound allows; bench_schedules.py measures it on paper.)
* ``library, expected 0.5-3 s, cap C/s``: ``MountseaClient.wait_for_generation`` with
  ``poll_schedules={TaskKind.GENERATE: PollSchedule(first_delay=0.5, interval=1.0,
  factor=1.5, max_interval=10.0, timeout=600.0, expected=(0.5, 3.0))}`` and
  ``max_polls_per_second=C``: the library's duration-aware schedule and its client-wide
  sliding-window cap, at a cap above the schedule's busiest second and at one that binds.
  ``first_delay`` equals the window's start, so there is no separate early look (one that
  comes before the window costs one more request per task; it is there to catch tasks that fail
  at once).

Part 2, batched clip lookups (sunoapi). N clips (1,000: 500 create calls of two clips) are
followed through ``SunoapiClient.wait_for_clips`` until complete, against the library's embedded
emulator in a child process (``_servers.py emulator``, the emulator at ``--speed 10``: its
clips complete 40 emulated seconds, 4 real seconds, after their call). Every create call then
``wait_for_clips`` on its two clips, all at once (64 creates in flight), or every call first and
then all waits together. All waits of a client share one tracker that looks up every pending
clip in rounds, 50 ids per ``GET clips?ids=``. Schedules (``poll_schedules={TaskKind.MUSIC:
...}``, scaled by 1/speed like the emulator's clock, deadline unscaled):

* a plain schedule without an expected window (3 s, x1.5 up to 10 s), for reference;
* the library's default music schedule, what a client gets: the expected-duration schedule
  with the *generation* window of 30-120 s (mountsea's documented figure for music tasks;
  sunoapi documents none), not the emulator's 40 s: ``PollSchedule(first_delay=3, interval=3,
  factor=1.5, max_interval=10, timeout=600, expected=(30, 120))``;
* for reference, the default schedule with ``clip_batch_size=2`` (one lookup per call's two
  clips, as without batching, still in shared rounds).

Reports lookup requests per clip, rounds (counted from the lookups: a round asks for every
pending clip once), requests per round, and the lag from completion (the call's answer + 40
emulated s) to the wait returning, in emulated seconds. Part 1 runs 2 interleaved rounds,
part 2 3; the client is pinned to CPU 0 and each server to CPU 1 where the OS allows.

Targets: <= 3 status requests per task, lag p50 <= 0.3 s and p99 <= 1.0 s, and no one-second
window above the client's configured cap; batched clip lookups <= 0.1 requests per clip.

``--quick``: 200 tasks with every duration of part 1 scaled by 0.2, 200 clips at emulator speed
40, one round: a smoke test of the script, not a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
import anyio
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
    pin,
    table,
    verdict,
)

from suno_async import (
    DEFAULT_SCHEDULES,
    MountseaClient,
    PollSchedule,
    SunoapiClient,
    TaskKind,
    TaskSnapshot,
)
from suno_async._core._models import Clip

API_KEY: Final = "bench-key"
LOW: Final = 0.5
HIGH: Final = 3.0
FIXED_INTERVAL: Final = 3.0
#: Client-wide caps on status requests per second (``max_polls_per_second``): one above what
#: the schedule asks for at the busiest (about 1,450/s for these 1,000 tasks), one that binds.
CAPS: Final = (2_000, 1_000)
REQUESTS_TARGET: Final = 3.0
P50_TARGET: Final = 0.3
P99_TARGET: Final = 1.0
LOOKUPS_TARGET: Final = 0.1

#: The emulator's clip timeline (``EmulatorConfig.sunoapi_generate_seconds``): complete 40
#: emulated seconds after the call.
CLIP_SECONDS: Final = 40.0
CREATE_CONCURRENCY: Final = 64


# -- part 1: status polling ------------------------------------------------------------------

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


def expected_schedule(scale: float) -> PollSchedule:
    """The generate schedule of the capped rows: the library's duration-aware schedule for
    tasks expected to end 0.5-3 s after they start (times ``scale``)."""
    return PollSchedule(
        first_delay=LOW,
        interval=1.0,
        factor=1.5,
        max_interval=10.0,
        timeout=600.0,
        expected=(LOW, HIGH),
    ).scaled(scale)


STATUS_VARIANTS: Final = ("fixed", "plain", *(f"cap-{cap}" for cap in CAPS))
STATUS_LABELS: Final = {
    "fixed": "fixed 3 s poller (documented loop)",
    "plain": "library, default upload schedule (plain)",
    **{f"cap-{cap}": f"library, expected 0.5-3 s, cap {cap:,}/s" for cap in CAPS},
}


def _cap_of(variant: str) -> int | None:
    return int(variant.split("-")[1]) if variant.startswith("cap-") else None


async def _status_round(base_url: str, n: int, scale: float, seed: int, r: int) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    for variant in interleaved(STATUS_VARIANTS, r):
        if variant == "fixed":
            async with aiohttp.ClientSession() as http:
                waiter = _fixed_poller(http, base_url, FIXED_INTERVAL * scale)
                runs[variant] = await _run_one(base_url, n, scale, seed, waiter)
            continue
        cap = _cap_of(variant)
        if cap is None:  # the default plain schedule, through wait_for_task
            schedules = {TaskKind.UPLOAD: DEFAULT_SCHEDULES[TaskKind.UPLOAD].scaled(scale)}
            plain = MountseaClient(api_key=API_KEY, base_url=base_url, poll_schedules=schedules)
            async with plain:

                async def wait_plain(task_id: str, client: MountseaClient = plain) -> None:
                    await client.wait_for_task(task_id, kind=TaskKind.UPLOAD)

                runs[variant] = await _run_one(base_url, n, scale, seed, wait_plain)
            continue
        capped = MountseaClient(
            api_key=API_KEY,
            base_url=base_url,
            poll_schedules={TaskKind.GENERATE: expected_schedule(scale)},
            max_polls_per_second=cap,
        )
        async with capped:

            async def wait_capped(task_id: str, client: MountseaClient = capped) -> None:
                clips = await client.wait_for_generation(task_id)
                assert len(clips) == 2

            runs[variant] = await _run_one(base_url, n, scale, seed, wait_capped)
    return runs


def _status_table(results: dict[str, list[Run]], n: int, scale: float, rounds: int) -> str:
    rows: list[list[str]] = []
    for variant in STATUS_VARIANTS:
        runs = results[variant]
        per_task = median([x.requests_per_task for x in runs])
        p50 = median([x.lag_p50 for x in runs])
        p99 = median([x.lag_p99 for x in runs])
        busiest = max(x.busiest_second for x in runs)
        cap = _cap_of(variant)
        misses = [
            name
            for name, ok in (
                ("req/task", verdict(per_task, REQUESTS_TARGET) == "met"),
                ("p50", verdict(p50, P50_TARGET * scale) == "met"),
                ("p99", verdict(p99, P99_TARGET * scale) == "met"),
                ("cap", cap is None or busiest <= cap),
            )
            if not ok
        ]
        rows.append(
            [
                STATUS_LABELS[variant],
                fmt(per_task, 2),
                fmt(p50, 3),
                fmt(p99, 3),
                fmt(busiest),
                "none" if cap is None else fmt(cap),
                fmt(median([x.seconds for x in runs]), 1),
                "met" if not misses else "MISSED: " + ", ".join(misses),
            ]
        )
    title = (
        f"Status polling: {n:,} concurrent tasks finishing {LOW * scale:g}-{HIGH * scale:g} s "
        f"after the start (medians of {rounds} interleaved rounds)"
    )
    return table(
        title,
        [
            "poller",
            "requests/task",
            "lag p50 s",
            "lag p99 s",
            "max req in 1 s",
            "cap/s",
            "run s",
            "targets",
        ],
        rows,
    )


# -- part 2: batched clip lookups ------------------------------------------------------------


class _CountingClient(SunoapiClient):
    """A ``SunoapiClient`` that notes every ``GET clips?ids=`` it sends (the shared tracker
    calls ``get_clips`` for each lookup)."""

    def __init__(self, **kwargs: Any) -> None:
        self.lookups: list[list[str]] = []
        super().__init__(**kwargs)

    async def get_clips(self, clip_ids: Sequence[str]) -> list[Clip]:
        self.lookups.append(list(clip_ids))
        return await super().get_clips(clip_ids)


@dataclass
class ClipRun:
    """What one clip waiter did in one round."""

    clips: int
    lookups: int
    rounds: int
    ids_per_lookup: float
    lag_p50: float
    lag_p99: float
    seconds: float


def _rounds(lookups: list[list[str]]) -> int:
    """How many lookup rounds ``lookups`` (in the order sent) were: a round asks for every
    pending clip once, so a clip asked for again starts the next round."""
    rounds, seen = 0, set[str]()
    for ids in lookups:
        if not rounds or not seen.isdisjoint(ids):
            rounds += 1
            seen = set()
        seen.update(ids)
    return rounds


CLIP_VARIANTS: Final = ("plain", "plain-first", "window", "window-first", "unbatched")
CLIP_LABELS: Final = {
    "plain": "plain schedule, wait after each call",
    "plain-first": "plain schedule, all calls first",
    "window": "default (expected 30-120 s), wait after each call",
    "window-first": "default (expected 30-120 s), all calls first",
    "unbatched": "default, clip_batch_size=2, after each call (ref.)",
}


#: The plain rows' schedule: no expected window (3 s, x1.5 up to 10 s). Spelled out, because
#: the default music schedule is the windowed one (the other rows).
PLAIN_CLIP_SCHEDULE = PollSchedule(
    first_delay=3.0, interval=3.0, factor=1.5, max_interval=10.0, timeout=600.0
)


def _clip_schedule(variant: str) -> PollSchedule:
    if variant.startswith("window") or variant == "unbatched":
        return DEFAULT_SCHEDULES[TaskKind.MUSIC]
    return PLAIN_CLIP_SCHEDULE


async def _clip_run(base_url: str, n: int, speed: float, variant: str) -> ClipRun:
    schedule = _clip_schedule(variant).scaled(1.0 / speed).with_timeout(600.0)
    calls = n // 2
    answered = [0.0] * calls
    noticed = [0.0] * calls
    clip_ids: list[list[str]] = [[] for _ in range(calls)]
    client = _CountingClient(
        api_key=API_KEY,
        base_url=base_url,
        poll_schedules={TaskKind.MUSIC: schedule},
        clip_batch_size=2 if variant == "unbatched" else 50,
    )
    async with client:
        submit = anyio.Semaphore(CREATE_CONCURRENCY)

        async def create(i: int) -> None:
            async with submit:
                batch = await client.create_pure_music("synthwave, bench", f"bench {i}")
            answered[i] = time.monotonic()
            clip_ids[i] = batch.clip_ids

        async def wait(i: int) -> None:
            clips = await client.wait_for_clips(clip_ids[i])
            noticed[i] = time.monotonic()
            assert all(clip.is_complete for clip in clips)

        async def create_and_wait(i: int) -> None:
            await create(i)
            await wait(i)

        start = time.monotonic()
        if variant.endswith("-first"):
            async with anyio.create_task_group() as tg:
                for i in range(calls):
                    tg.start_soon(create, i)
        async with anyio.create_task_group() as tg:
            for i in range(calls):
                tg.start_soon(wait if variant.endswith("-first") else create_and_wait, i)
        seconds = time.monotonic() - start
        if client.stats.retries or client.stats.errors:
            raise RuntimeError(f"the client retried or failed: {client.stats}")
    # Completion on the emulator: 40 emulated seconds after the call was made, which is at most
    # the call's round trip before its answer arrived (so the lag is exact to within that).
    lags = [(noticed[i] - answered[i]) * speed - CLIP_SECONDS for i in range(calls)]
    lookups = client.lookups
    return ClipRun(
        clips=calls * 2,
        lookups=len(lookups),
        rounds=_rounds(lookups),
        ids_per_lookup=sum(len(ids) for ids in lookups) / max(1, len(lookups)),
        lag_p50=percentile(lags, 50),
        lag_p99=percentile(lags, 99),
        seconds=seconds,
    )


def _clip_table(results: dict[str, list[ClipRun]], n: int, speed: float, rounds: int) -> str:
    rows: list[list[str]] = []
    for variant in CLIP_VARIANTS:
        runs = results[variant]
        per_clip = median([x.lookups / x.clips for x in runs])
        n_rounds = median([float(x.rounds) for x in runs])
        per_round = median([x.lookups / max(1, x.rounds) for x in runs])
        rows.append(
            [
                CLIP_LABELS[variant],
                fmt(per_clip, 3),
                fmt(median([float(x.lookups) for x in runs]), 0),
                fmt(n_rounds, 1),
                fmt(per_round, 1),
                fmt(median([x.ids_per_lookup for x in runs]), 1),
                fmt(median([x.lag_p50 for x in runs]), 1),
                fmt(median([x.lag_p99 for x in runs]), 1),
                fmt(median([x.seconds for x in runs]), 1),
                "" if variant == "unbatched" else verdict(per_clip, LOOKUPS_TARGET),
            ]
        )
    title = (
        f"Batched clip lookups: {n:,} clips ({n // 2:,} calls) through "
        f"SunoapiClient.wait_for_clips, emulator at {speed:g}x (medians of {rounds} "
        "interleaved rounds)"
    )
    return table(
        title,
        [
            "clip schedule",
            "lookups/clip",
            "lookups",
            "rounds",
            "lookups/round",
            "ids/lookup",
            "lag p50 s*",
            "lag p99 s*",
            "run s",
            f"target <= {LOOKUPS_TARGET:g}",
        ],
        rows,
    )


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args(argv)
    if args.quick:
        n, scale, rounds, clips, speed, clip_rounds = 200, 0.2, 1, 200, 40.0, 1
    else:
        n, scale, rounds, clips, speed, clip_rounds = 1_000, 1.0, 2, 1_000, 10.0, 3

    status: dict[str, list[Run]] = {v: [] for v in STATUS_VARIANTS}
    with child_server([PYTHON, "benchmarks/_servers.py", "polling", "--max-seconds", "300"]) as srv:
        pinned = pin(srv.proc.pid, 1) and pin(0, 0)
        for r in range(rounds):
            for variant, run in asyncio.run(_status_round(srv.url, n, scale, 1000 + r, r)).items():
                status[variant].append(run)
    print(_status_table(status, n, scale, rounds))
    print(
        f"# targets: <= {REQUESTS_TARGET:g} requests/task, lag p50 <= {P50_TARGET * scale:g} s,"
        f" p99 <= {P99_TARGET * scale:g} s; max req in 1 s (the most in any one-second window"
        " as the server counts, the largest over rounds) <= the client's max_polls_per_second."
    )
    print(
        f"# expected rows: {expected_schedule(scale)!r}; status requests through the client's "
        "limiter (16 in flight, its default)."
    )

    clip_results: dict[str, list[ClipRun]] = {v: [] for v in CLIP_VARIANTS}
    emulator = [
        PYTHON,
        "benchmarks/_servers.py",
        "emulator",
        "--speed",
        f"{speed:g}",
        "--sunoapi-credits",
        str(10 * clips * clip_rounds * len(CLIP_VARIANTS)),
        "--max-seconds",
        "300",
    ]
    with child_server(emulator) as emu:
        pinned = pin(emu.proc.pid, 1) and pinned
        for r in range(clip_rounds):
            for variant in interleaved(CLIP_VARIANTS, r):
                clip_run = anyio.run(_clip_run, emu.url, clips, speed, variant)
                clip_results[variant].append(clip_run)
    print()
    print(_clip_table(clip_results, clips, speed, clip_rounds))
    print(
        f"# * lag in emulated (provider) seconds from completion ({CLIP_SECONDS:g} s after the "
        f"call) to the wait returning; 1 real second = {speed:g} emulated. Schedules scaled by "
        f"1/{speed:g} like the emulator's clock; {CREATE_CONCURRENCY} create calls in flight."
    )
    print(
        "# rounds: one lookup of every pending clip, <= 50 ids per request (the emulator's "
        "limit). Target applies to the batched rows."
    )
    if pinned:
        print("# client pinned to CPU 0, servers to CPU 1.")
    if args.quick:
        print(
            "# --quick: 200 tasks (durations x0.2), 200 clips at 40x; a smoke test, not a result."
        )
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
