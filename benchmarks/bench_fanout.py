"""Fan-out: N custom-model uploads, each polled to its clip id, library vs the documented way.

The emulator runs in its own process (``python -m suno_async emulator --speed S``), so each
client's CPU is its own; each client variant runs in a fresh child process, so its peak RSS
(``getrusage``) and CPU time (``time.process_time``, all threads) are its own too. All variants
upload into one prepared session, ``https://example.com/song<i>.mp3`` URLs (the emulator takes
the docs' placeholder host as audio without fetching it), and finish when every upload has
given its clip id. The emulator's clock runs ``S`` times faster than real time: an upload's 8 s
pass in ``8/S`` s.

* ``library``: ``upload_custom_model_audio`` + ``wait_for_upload`` per URL, all N started at
  once in one anyio task group, at most 64 upload requests in flight (a semaphore), status
  polls through the client's shared limiter (16 in flight, its default). Its default poll
  schedules are scaled to the emulator's speed (``PollSchedule.scaled(1/S)``, passed as
  ``poll_schedules=``), so it polls as it would the real service; their deadlines are left
  unscaled, so a noisy machine slows a run down rather than failing it.
* ``library, all uploads first``: the same calls, but every upload is submitted before any
  wait starts, so all N tasks are pending in the client at once: this row checks the memory
  target (10,000 pending tasks in <= 150 MB peak RSS).
* ``bare``: bare aiohttp doing the same work by hand: one ``ClientSession``, the library's
  headers, the same msgspec bodies and decoders (``UploadRequest``, ``TaskCreated``,
  ``TaskSnapshot``, ``Clip``), at most 64 uploads and 16 status requests in flight
  (``asyncio.Semaphore``), and the same waits between polls (the scaled upload schedule's own
  ``delays``, slept with ``asyncio.sleep``); all N started with ``asyncio.gather``.
* ``library, started by asyncio.gather``: the library's calls started exactly like ``bare``
  (``asyncio.gather`` and an ``asyncio.Semaphore`` instead of an anyio task group and
  semaphore), so its ratio to ``bare`` is the library's own cost, not the driver's.
* ``documented``: the provider's sample (``tests/provider_samples/custom_model_python.py``):
  ``requests`` (a new connection per call, as written) in a ``ThreadPoolExecutor(6)``, each
  worker polling its task every 3 s, the 3 s scaled by the same factor (``3/S`` s).

The documented approach's rate does not depend on N (six workers, each bound by its sleeps),
so it runs at N = 1,000 (200 with ``--quick``) and its time for 10,000 uploads is extrapolated
from its measured rate; the table says which rows are extrapolated.

Each client child also times the cyclic garbage collector (``gc.callbacks``, CPU time between
each collection's start and stop): the *GC share* is that time over the child's CPU time.

Targets: library >= 10x the documented approach's throughput; 10,000 pending tasks held in
<= 150 MB peak RSS; against bare aiohttp at N = 10,000 and 50,000 (issue 16): throughput
>= 0.95x, CPU <= 1.25x, GC share <= bare's. The full run takes about six minutes (two
interleaved rounds; ``--rounds`` for more).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from typing import Any, Final

from _harness import (
    MB,
    NOT_INSTALLED,
    PYTHON,
    child_server,
    emit_json,
    fmt,
    fmt_ratio,
    interleaved,
    machine_line,
    median,
    optional,
    peak_rss_bytes,
    ratio,
    rss_bytes,
    run_child_json,
    table,
    verdict,
)

API_KEY: Final = "bench-key"
SPEED: Final = 100.0
SUBMIT_CONCURRENCY: Final = 64
#: Status requests in flight at once: the library's default limiter (``max_concurrent_polls``).
POLL_CONCURRENCY: Final = 16
THROUGHPUT_TARGET: Final = 10.0
RSS_TARGET_MB: Final = 150.0
#: The sizes compared with bare aiohttp (issue 16's targets), and their targets.
BARE_SIZES: Final = (10_000, 50_000)
BARE_THROUGHPUT_TARGET: Final = 0.95
BARE_CPU_TARGET: Final = 1.25
ROUNDS: Final = 2
#: A child client that takes longer than this (wall-clock seconds) is stopped and reported.
CHILD_TIMEOUT: Final = 240.0


def _urls(n: int, offset: int) -> list[str]:
    return [f"https://example.com/bench/song{offset + i}.mp3" for i in range(n)]


class _GCTimer:
    """CPU seconds spent in the cyclic garbage collector, from ``gc.callbacks`` start/stop."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.runs = 0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds += time.process_time() - self._started
            self.runs += 1

    def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._callback)


# -- child: the library ----------------------------------------------------------------------


async def _library(
    url: str, n: int, speed: float, hold: bool, offset: int, plain_asyncio: bool = False
) -> dict[str, Any]:
    """``plain_asyncio``: started like the bare aiohttp variant (``asyncio.gather`` and an
    ``asyncio.Semaphore``) instead of an anyio task group and semaphore, so that the comparison
    with bare aiohttp measures the library, not the driver."""
    import asyncio

    import anyio

    from suno_async import DEFAULT_SCHEDULES, MountseaClient

    # Scaled like the emulator's clock; the deadline is left as it is (600 s), so a slow, noisy
    # machine makes a run slower, not a failure.
    schedules = {
        kind: s.scaled(1.0 / speed).with_timeout(s.timeout) for kind, s in DEFAULT_SCHEDULES.items()
    }
    urls = _urls(n, offset)
    task_ids: list[str] = [""] * n
    clip_ids: list[str] = [""] * n
    pending = 0
    peak_pending = 0
    rss_before = rss_bytes()
    gc_timer = _GCTimer()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with MountseaClient(api_key=API_KEY, base_url=url, poll_schedules=schedules) as client:
        session_id = await client.prepare_custom_model()
        submit: anyio.Semaphore | asyncio.Semaphore = (
            asyncio.Semaphore(SUBMIT_CONCURRENCY)
            if plain_asyncio
            else anyio.Semaphore(SUBMIT_CONCURRENCY)
        )

        async def upload(i: int) -> None:
            nonlocal pending, peak_pending
            async with submit:
                task_ids[i] = await client.upload_custom_model_audio(session_id, urls[i])
            pending += 1
            peak_pending = max(peak_pending, pending)

        async def wait(i: int) -> None:
            nonlocal pending
            clip = await client.wait_for_upload(task_ids[i])
            pending -= 1
            clip_ids[i] = clip.id

        async def upload_and_wait(i: int) -> None:
            await upload(i)
            await wait(i)

        if plain_asyncio:  # exactly as the bare aiohttp variant starts its N uploads
            await asyncio.gather(*(upload_and_wait(i) for i in range(n)))
        elif hold:  # every upload first, then all N waits at once: N tasks pending together
            async with anyio.create_task_group() as tg:
                for i in range(n):
                    tg.start_soon(upload, i)
            async with anyio.create_task_group() as tg:
                for i in range(n):
                    tg.start_soon(wait, i)
        else:  # train-style: each URL uploaded, then waited on, all N started at once
            async with anyio.create_task_group() as tg:
                for i in range(n):
                    tg.start_soon(upload_and_wait, i)
        requests = client.stats.requests
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    gc_timer.stop()
    assert all(clip_ids), "every upload must give a clip id"
    return {
        "n": n,
        "wall": wall,
        "cpu": cpu,
        "gc": gc_timer.seconds,
        "gc_runs": gc_timer.runs,
        "peak_rss": peak_rss_bytes(),
        "rss_before": rss_before,
        "requests": requests,
        "peak_pending": peak_pending,
    }


# -- child: bare aiohttp ---------------------------------------------------------------------


async def _bare(url: str, n: int, speed: float, offset: int) -> dict[str, Any]:
    """The same work by hand: one ``aiohttp.ClientSession``, the library's headers, bodies and
    msgspec decoders, the same two limits (64 uploads, 16 status requests in flight) and the
    same poll waits (the upload schedule's own ``delays``), slept with ``asyncio.sleep``."""
    import asyncio
    import random

    import aiohttp
    import msgspec

    from suno_async import DEFAULT_SCHEDULES
    from suno_async._core._models import Clip, TaskKind
    from suno_async.mountsea._models import (
        PrepareResponse,
        TaskCreated,
        TaskSnapshot,
        UploadRequest,
    )

    schedule = DEFAULT_SCHEDULES[TaskKind.UPLOAD].scaled(1.0 / speed)
    rng = random.Random()
    headers = {
        "Authorization": f"Bearer {API_KEY}",
        "Accept": "application/json",
        "User-Agent": "suno_async",
    }
    json_headers = {**headers, "Content-Type": "application/json"}
    timeout = aiohttp.ClientTimeout(total=60.0, connect=10.0)
    encoder = msgspec.json.Encoder()
    prepared = msgspec.json.Decoder(PrepareResponse)
    created = msgspec.json.Decoder(TaskCreated)
    snapshot = msgspec.json.Decoder(TaskSnapshot)
    clip = msgspec.json.Decoder(Clip)
    urls = _urls(n, offset)
    clip_ids: list[str] = [""] * n
    pending = 0
    peak_pending = 0
    requests = 0
    rss_before = rss_bytes()
    gc_timer = _GCTimer()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with aiohttp.ClientSession() as session:
        upload_url = url + "/suno/v2/customModel/upload"
        status_url = url + "/suno/v2/status"

        async def post(path: str, body: bytes | None) -> bytes:
            nonlocal requests
            requests += 1
            async with session.post(
                path, data=body, headers=json_headers, timeout=timeout, allow_redirects=False
            ) as resp:
                raw = await resp.read()
                if resp.status >= 300:
                    raise RuntimeError(f"{path} answered {resp.status}")
            return raw

        session_id = prepared.decode(
            await post(url + "/suno/v2/customModel/prepare", None)
        ).session_id
        submit = asyncio.Semaphore(SUBMIT_CONCURRENCY)
        polls = asyncio.Semaphore(POLL_CONCURRENCY)

        async def upload_and_wait(i: int) -> None:
            nonlocal pending, peak_pending, requests
            body = encoder.encode(UploadRequest(session_id=session_id, audio_url=urls[i]))
            async with submit:
                task_id = created.decode(await post(upload_url, body)).task_id
            pending += 1
            peak_pending = max(peak_pending, pending)
            for delay in schedule.delays(rng):
                await asyncio.sleep(delay)
                async with polls:
                    requests += 1
                    async with session.get(
                        status_url,
                        params={"taskId": task_id},
                        headers=headers,
                        timeout=timeout,
                        allow_redirects=False,
                    ) as resp:
                        raw = await resp.read()
                        if resp.status >= 300:
                            raise RuntimeError(f"status answered {resp.status}")
                answer = snapshot.decode(raw)
                if answer.status == "success":
                    clip_ids[i] = clip.decode(answer.data).id
                    pending -= 1
                    return
                if answer.status in ("failed", "timeout"):
                    raise RuntimeError(f"upload {task_id} ended {answer.status}")

        await asyncio.gather(*(upload_and_wait(i) for i in range(n)))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    gc_timer.stop()
    assert all(clip_ids), "every upload must give a clip id"
    return {
        "n": n,
        "wall": wall,
        "cpu": cpu,
        "gc": gc_timer.seconds,
        "gc_runs": gc_timer.runs,
        "peak_rss": peak_rss_bytes(),
        "rss_before": rss_before,
        "requests": requests,
        "peak_pending": peak_pending,
    }


# -- child: the provider's documented approach -----------------------------------------------


def _documented(url: str, n: int, speed: float, offset: int) -> dict[str, Any]:
    """The provider's sample, as written, with the 3 s sleep scaled by ``1/speed``."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    api_base = url
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"}
    poll_sleep = 3.0 / speed
    counts = [0]

    def poll_task(task_id: str) -> Any:
        while True:
            res = requests.get(
                f"{api_base}/suno/v2/status", params={"taskId": task_id}, headers=headers
            )
            counts[0] += 1  # GIL-atomic enough for a count; exact under CPython's bytecode
            task = res.json()
            if task["status"] == "success":
                return task["data"]
            if task["status"] == "failed":
                raise RuntimeError(task.get("failReason", "Unknown error"))
            time.sleep(poll_sleep)

    def upload_audio(session_id: str, audio_url: str) -> str:
        res = requests.post(
            f"{api_base}/suno/v2/customModel/upload",
            headers=headers,
            json={"sessionId": session_id, "audioUrl": audio_url},
        )
        counts[0] += 1
        result = poll_task(res.json()["taskId"])
        clip_id: str = result["id"]
        return clip_id

    urls = _urls(n, offset)
    rss_before = rss_bytes()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    prepare_res = requests.post(f"{api_base}/suno/v2/customModel/prepare", headers=headers)
    session_id = prepare_res.json()["sessionId"]
    with ThreadPoolExecutor(max_workers=6) as executor:
        clip_ids = list(executor.map(lambda u: upload_audio(session_id, u), urls))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    assert all(clip_ids)
    return {
        "n": n,
        "wall": wall,
        "cpu": cpu,
        "peak_rss": peak_rss_bytes(),
        "rss_before": rss_before,
        "requests": counts[0] + 1,
        "peak_pending": 6,
    }


def _child(args: argparse.Namespace) -> int:
    if args.child == "documented":
        result = _documented(args.url, args.n, args.speed, args.offset)
    elif args.child == "bare":
        import asyncio

        result = asyncio.run(_bare(args.url, args.n, args.speed, args.offset))
    elif args.child == "asyncio":
        import asyncio

        result = asyncio.run(
            _library(args.url, args.n, args.speed, False, args.offset, plain_asyncio=True)
        )
    else:
        import anyio

        result = anyio.run(
            _library, args.url, args.n, args.speed, args.child == "hold", args.offset
        )
    emit_json(result)
    return 0


# -- parent ----------------------------------------------------------------------------------

LABELS: Final = {
    "library": "library (default schedules, scaled)",
    "hold": "library, all uploads first, then N waits at once",
    "asyncio": "library, started by asyncio.gather (as bare)",
    "bare": "bare aiohttp (same requests, limits, decode, poll waits)",
    "documented": "documented: requests + 6 threads + 3 s poll",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--speed", type=float, default=SPEED, help="emulator speed-up")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="interleaved rounds")
    parser.add_argument(
        "--child",
        choices=("library", "hold", "asyncio", "bare", "documented"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    speed = args.speed
    if args.quick:
        plan = {
            "library": [200],
            "hold": [200],
            "asyncio": [200],
            "bare": [200],
            "documented": [100],
        }
        rounds = 1
    else:
        plan = {
            "library": [1_000, 10_000],
            "hold": [10_000],
            "asyncio": list(BARE_SIZES),
            "bare": list(BARE_SIZES),
            "documented": [1_000],
        }
        rounds = args.rounds
    if optional("requests") is None:  # the documented approach's one dependency
        plan["documented"] = []
    command = [
        PYTHON,
        "-m",
        "suno_async",
        "emulator",
        "--port",
        "0",
        "--speed",
        f"{speed:g}",
        "--credits",
        "1000000000",
    ]
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    offset = 0
    with child_server(command) as emulator:
        jobs = [(variant, n) for variant, sizes in plan.items() for n in sizes]
        for r in range(rounds):
            for variant, n in [jobs[i] for i in _order(len(jobs), r)]:
                result = run_child_json(
                    [
                        PYTHON,
                        __file__,
                        "--child",
                        variant,
                        "--url",
                        emulator.url,
                        "--n",
                        str(n),
                        "--speed",
                        f"{speed:g}",
                        "--offset",
                        str(offset),
                    ],
                    timeout=CHILD_TIMEOUT,
                )
                offset += n
                results.setdefault((variant, n), []).append(result)
    print(_report(results, plan, speed, rounds))
    return 0


def _order(count: int, round_index: int) -> list[int]:
    return [int(x) for x in interleaved([str(i) for i in range(count)], round_index)]


def _report(
    results: dict[tuple[str, int], list[dict[str, Any]]],
    plan: dict[str, list[int]],
    speed: float,
    rounds: int,
) -> str:
    def med(variant: str, n: int, key: str) -> float:
        return median([float(r[key]) for r in results[(variant, n)]])

    doc_n = plan["documented"][0] if plan["documented"] else 0
    doc_rate = doc_n / med("documented", doc_n, "wall") if doc_n else float("nan")
    sizes = sorted({n for v in ("library", "hold", "asyncio", "bare") for n in plan[v]})
    rows: list[list[str]] = []
    for n in sizes:
        for variant in ("library", "hold", "asyncio", "bare"):
            if n not in plan[variant]:
                continue
            rate = n / med(variant, n, "wall")
            rows.append(
                [
                    f"{LABELS[variant]}, N={n:,}",
                    fmt(rate),
                    fmt(med(variant, n, "cpu") / n * 1e3, 2),
                    fmt(med(variant, n, "requests") / n, 2),
                    fmt(med(variant, n, "rss_before") / MB),
                    fmt(med(variant, n, "peak_rss") / MB),
                    fmt(int(med(variant, n, "peak_pending"))),
                    fmt_ratio(ratio(rate, doc_rate)),
                    verdict(ratio(rate, doc_rate), THROUGHPUT_TARGET, at_most=False),
                ]
            )
        if not doc_n:
            rows.append([f"{LABELS['documented']}, N={n:,}", NOT_INSTALLED + " (requests)"])
            rows[-1] += [""] * 7
            continue
        note = "" if n == doc_n else f" (extrapolated from N={doc_n:,})"
        rows.append(
            [
                f"{LABELS['documented']}, N={n:,}{note}",
                fmt(doc_rate),
                fmt(med("documented", doc_n, "cpu") / doc_n * 1e3, 2),
                fmt(med("documented", doc_n, "requests") / doc_n, 2),
                fmt(med("documented", doc_n, "rss_before") / MB),
                fmt(med("documented", doc_n, "peak_rss") / MB),
                "6",
                "1.00x",
                "",
            ]
        )
    big = max(plan["hold"])
    rss_big = med("hold", big, "peak_rss") / MB
    pending_big = int(med("hold", big, "peak_pending"))
    out = [
        _bare_table(results, plan, rounds),
        "",
        table(
            f"Fan-out: N uploads polled to their clip ids, emulator at {speed:g}x in its own "
            f"process (medians of {rounds} interleaved rounds)",
            [
                "client, N",
                "tasks/s",
                "CPU ms/task",
                "requests/task",
                "RSS at start MB",
                "peak RSS MB",
                "peak pending",
                "vs documented",
                f"target >= {THROUGHPUT_TARGET:g}x",
            ],
            rows,
        ),
        (
            f"# documented approach measured at N={doc_n:,}: "
            f"{med('documented', doc_n, 'wall'):.1f} s ({doc_rate:.1f} tasks/s); its rate does "
            "not depend on N (6 workers, sleep-bound), so larger N are extrapolated."
            if doc_n
            else "# documented approach not run: requests is not installed."
        ),
        f"# 3 s poll sleep scaled to {3.0 / speed * 1e3:g} ms and library schedules scaled by "
        f"1/{speed:g}, like the emulator's clock (their deadlines left unscaled).",
        "# peak pending = uploads submitted and not yet seen finished, at once.",
        f"# memory: {pending_big:,} tasks pending at once in {rss_big:.1f} MB peak RSS "
        f"(target: 10,000 in <= {RSS_TARGET_MB:g} MB: {verdict(rss_big, RSS_TARGET_MB)}"
        f"{'' if pending_big >= 10_000 else ', but fewer than 10,000 were pending (--quick)'}).",
        machine_line(),
    ]
    return "\n".join(out)


def _bare_table(
    results: dict[tuple[str, int], list[dict[str, Any]]], plan: dict[str, list[int]], rounds: int
) -> str:
    """The library vs bare aiohttp at each size both ran: throughput, CPU, GC share, RSS."""

    def med(variant: str, n: int, key: str) -> float:
        return median([float(r[key]) for r in results[(variant, n)]])

    def gc_share(run: dict[str, Any]) -> float:
        return ratio(float(run["gc"]), float(run["cpu"]))

    def growth(run: dict[str, Any]) -> float:
        return float(run["peak_rss"]) - float(run["rss_before"])

    rows: list[list[str]] = []
    for n in sorted(plan["bare"]):
        variants = [v for v in ("asyncio", "library", "bare") if n in plan[v]]
        for variant in variants:
            runs = results[(variant, n)]
            rows.append(
                [
                    f"{BARE_LABELS[variant]}, N={n:,}",
                    fmt(n / med(variant, n, "wall")),
                    fmt(med(variant, n, "cpu"), 2),
                    fmt(med(variant, n, "cpu") / n * 1e3, 3),
                    fmt(med(variant, n, "gc"), 2),
                    fmt(median([gc_share(r) for r in runs]) * 100, 1) + " %",
                    fmt(med(variant, n, "gc_runs"), 0),
                    fmt(median([growth(r) for r in runs]) / MB),
                    fmt(med(variant, n, "peak_rss") / MB),
                    fmt(med(variant, n, "requests") / n, 2),
                ]
            )
        for variant in variants[:-1]:
            # Medians of each round's own ratio: the two ran in the same round. Throughput is
            # N / wall, so the library's throughput ratio is bare's wall over the library's.
            pairs = list(zip(results[(variant, n)], results[("bare", n)], strict=True))
            speed = median([ratio(float(b["wall"]), float(lib["wall"])) for lib, b in pairs])
            cpu = median([ratio(float(lib["cpu"]), float(b["cpu"])) for lib, b in pairs])
            gc_cpu = median([ratio(float(lib["gc"]), float(b["gc"])) for lib, b in pairs])
            lib_share = median([gc_share(lib) for lib, _ in pairs])
            bare_share = median([gc_share(b) for _, b in pairs])
            rows.append(
                [
                    f"  {BARE_LABELS[variant]} / bare, N={n:,}",
                    f"{fmt_ratio(speed)} {verdict(speed, BARE_THROUGHPUT_TARGET, at_most=False)}",
                    f"{fmt_ratio(cpu)} {verdict(cpu, BARE_CPU_TARGET)}",
                    "",
                    fmt_ratio(gc_cpu),
                    f"{fmt_ratio(ratio(lib_share, bare_share))} {verdict(lib_share, bare_share)}",
                    "",
                    fmt_ratio(median([ratio(growth(lib), growth(b)) for lib, b in pairs])),
                    fmt_ratio(median([ratio(lib["peak_rss"], b["peak_rss"]) for lib, b in pairs])),
                    "",
                ]
            )
    return "\n".join(
        [
            table(
                "Fan-out vs bare aiohttp: N uploads + waits, same requests, limits, decode and "
                f"poll waits (medians of {rounds} interleaved rounds)",
                [
                    "client, N",
                    "tasks/s",
                    "CPU s",
                    "CPU ms/task",
                    "GC s",
                    "GC share",
                    "GC runs",
                    "RSS growth MB",
                    "peak RSS MB",
                    "requests/task",
                ],
                rows,
            ),
            f"# targets: throughput >= {BARE_THROUGHPUT_TARGET:g}x bare, CPU <= "
            f"{BARE_CPU_TARGET:g}x bare, GC share (GC CPU / client CPU, timed by gc.callbacks "
            "start/stop) <= bare's; ratio rows are medians of each round's own ratio.",
            "# library (asyncio.gather): started exactly like bare (asyncio.gather + "
            "asyncio.Semaphore); library (anyio task group): the fan-out row below.",
            "# RSS growth = peak RSS - RSS when the client started (imports excluded).",
        ]
    )


BARE_LABELS: Final = {
    "asyncio": "library (asyncio.gather)",
    "library": "library (anyio task group)",
    "bare": "bare aiohttp",
}


if __name__ == "__main__":
    sys.exit(main())
