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
* ``documented``: the provider's sample (``tests/provider_samples/custom_model_python.py``):
  ``requests`` (a new connection per call, as written) in a ``ThreadPoolExecutor(6)``, each
  worker polling its task every 3 s, the 3 s scaled by the same factor (``3/S`` s).

The documented approach's rate does not depend on N (six workers, each bound by its sleeps),
so it runs at N = 1,000 (200 with ``--quick``) and its time for 10,000 uploads is extrapolated
from its measured rate; the table says which rows are extrapolated.

Targets: library >= 10x the documented approach's throughput; 10,000 pending tasks held in
<= 150 MB peak RSS.
"""

from __future__ import annotations

import argparse
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
THROUGHPUT_TARGET: Final = 10.0
RSS_TARGET_MB: Final = 150.0
#: A child client that takes longer than this (wall-clock seconds) is stopped and reported.
CHILD_TIMEOUT: Final = 240.0


def _urls(n: int, offset: int) -> list[str]:
    return [f"https://example.com/bench/song{offset + i}.mp3" for i in range(n)]


# -- child: the library ----------------------------------------------------------------------


async def _library(url: str, n: int, speed: float, hold: bool, offset: int) -> dict[str, Any]:
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
    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with MountseaClient(api_key=API_KEY, base_url=url, poll_schedules=schedules) as client:
        session_id = await client.prepare_custom_model()
        submit = anyio.Semaphore(SUBMIT_CONCURRENCY)

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

        if hold:  # every upload first, then all N waits at once: N tasks pending together
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
    assert all(clip_ids), "every upload must give a clip id"
    return {
        "n": n,
        "wall": wall,
        "cpu": cpu,
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
    "documented": "documented: requests + 6 threads + 3 s poll",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--speed", type=float, default=SPEED, help="emulator speed-up")
    parser.add_argument(
        "--child", choices=("library", "hold", "documented"), help=argparse.SUPPRESS
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    speed = args.speed
    if args.quick:
        plan = {"library": [200], "hold": [200], "documented": [100]}
        rounds = 1
    else:
        plan = {"library": [1_000, 10_000], "hold": [10_000], "documented": [1_000]}
        rounds = 2
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
    sizes = sorted({n for v in ("library", "hold") for n in plan[v]})
    rows: list[list[str]] = []
    for n in sizes:
        for variant in ("library", "hold"):
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


if __name__ == "__main__":
    sys.exit(main())
