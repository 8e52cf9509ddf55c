"""Request overhead: the library's GET and POST vs bare aiohttp sending the same requests.

Both ask a canned loopback server (a child process, so this process's CPU is the client's
alone). GET: ``MountseaClient.get_status`` vs ``GET /suno/v2/status?taskId=...`` with the same
three headers (Authorization, Accept, User-Agent), decoded into the same ``TaskSnapshot``.
POST: ``upload_custom_model_audio`` (an upload: unpriced) and ``generate`` (a priced ``create``,
counted against the budget) vs ``POST`` of the same msgspec-encoded body with the same four
headers (plus ``Content-Type: application/json``), its answer decoded into the same
``TaskCreated``. Bare aiohttp does it the way a careful hand-written client would: one
``ClientSession``, ``params=``, ``await resp.read()``, one cached ``msgspec.json.Encoder`` and
one cached ``Decoder`` per answer type. The library adds its own work on top: argument checks,
its retry loop (the back-off sequence is built only after a retryable failure), stats, the
per-request timeout, the credit budget (POST), error mapping and logging checks.

GET bodies: a running task's (about 120 bytes, what nearly every poll sees) and a finished
generation's (about 5 KB: two clips with long lyrics). Concurrency 1 (one request at a time)
and 64 (64 workers sharing the session). The client and the server are pinned to a core each
where the OS allows (less run-to-run variation). Each round runs every variant once, in a rotating
order; the table shows medians over rounds of client CPU per request (``time.process_time``
of this process), wall time per request and requests per second, and the ratio lib/bare
(the median of each round's own ratio: the two ran back to back).

Target (issue 16): lib/bare <= 1.05x in client CPU per request, GET and POST, at
concurrency 1 and 64.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Final

import aiohttp
import msgspec
from _harness import (
    PYTHON,
    child_server,
    fmt,
    fmt_ratio,
    interleaved,
    machine_line,
    median,
    pin,
    ratio,
    table,
    verdict,
)

from suno_async import MountseaClient
from suno_async.mountsea._models import (
    GenerateRequest,
    TaskCreated,
    TaskSnapshot,
    UploadRequest,
)

TARGET: Final = 1.05
API_KEY: Final = "bench-key"
#: What each row sends: GET of a status body (the canned server picks it by task id), or a POST.
PAYLOADS: Final = ("GET small", "GET generation", "POST upload", "POST generate")
SESSION_ID: Final = "a1b2c3d4-0000-4000-8000-0000000000aa"
AUDIO_URL: Final = "https://example.com/bench/song.mp3"
GENERATE_FIELDS: Final = {
    "task": "create",
    "model": "chirp-v55",
    "prompt": "[Verse]\nA quiet street, a bench, a song",
    "tags": "indie folk, warm",
    "title": "Bench",
}
CONCURRENCY: Final = (1, 64)
VARIANTS: Final = ("lib", "bare")

Fetch = Callable[[], Awaitable[object]]


def _bare_fetchers(session: aiohttp.ClientSession, base_url: str) -> dict[str, Fetch]:
    url = base_url + "/suno/v2/status"
    headers = {
        "Authorization": f"Bearer {API_KEY}",
        "Accept": "application/json",
        "User-Agent": "suno_async",
    }
    json_headers = {**headers, "Content-Type": "application/json"}
    decoder = msgspec.json.Decoder(TaskSnapshot)
    created = msgspec.json.Decoder(TaskCreated)
    encoder = msgspec.json.Encoder()

    async def fetch(task_id: str) -> TaskSnapshot:
        async with session.get(url, params={"taskId": task_id}, headers=headers) as resp:
            raw = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"unexpected status {resp.status}")
        return decoder.decode(raw)

    async def post(path: str, body: msgspec.Struct) -> str:
        async with session.post(
            base_url + path, data=encoder.encode(body), headers=json_headers
        ) as resp:
            raw = await resp.read()
            if resp.status >= 300:
                raise RuntimeError(f"unexpected status {resp.status}")
        return created.decode(raw).task_id

    def upload() -> Awaitable[str]:
        body = UploadRequest(session_id=SESSION_ID, audio_url=AUDIO_URL)
        return post("/suno/v2/customModel/upload", body)

    def generate() -> Awaitable[str]:
        return post("/suno/v2/generate", GenerateRequest(**GENERATE_FIELDS))

    return {
        "GET small": functools.partial(fetch, "small"),
        "GET generation": functools.partial(fetch, "generation"),
        "POST upload": upload,
        "POST generate": generate,
    }


def _lib_fetchers(client: MountseaClient) -> dict[str, Fetch]:
    return {
        "GET small": functools.partial(client.get_status, "small"),
        "GET generation": functools.partial(client.get_status, "generation"),
        "POST upload": functools.partial(client.upload_custom_model_audio, SESSION_ID, AUDIO_URL),
        "POST generate": functools.partial(client.generate, **GENERATE_FIELDS),
    }


async def _measure(fetch: Fetch, requests: int, concurrency: int) -> tuple[float, float]:
    """Send ``requests`` requests with ``concurrency`` workers; return (CPU s, wall s)."""
    per_worker = max(1, requests // concurrency)

    async def worker() -> None:
        for _ in range(per_worker):
            await fetch()

    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if concurrency == 1:
        await worker()
    else:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return cpu / (per_worker * concurrency), wall / (per_worker * concurrency)


async def _run(base_url: str, rounds: int, requests: dict[int, int]) -> list[list[str]]:
    results: dict[tuple[str, str, int], list[tuple[float, float]]] = {}
    async with (
        MountseaClient(api_key=API_KEY, base_url=base_url) as client,
        aiohttp.ClientSession() as session,
    ):
        fetchers: dict[str, dict[str, Fetch]] = {
            "lib": _lib_fetchers(client),
            "bare": _bare_fetchers(session, base_url),
        }
        # Warm-up: open 64 connections in each pool, fill caches; not measured.
        for payload in PAYLOADS:
            for name in VARIANTS:
                await _measure(fetchers[name][payload], 256, 64)
                answer = await fetchers[name][payload]()
                if isinstance(answer, TaskSnapshot):
                    assert answer.status in ("running", "success"), answer
                else:
                    assert isinstance(answer, str), answer
                    assert answer, answer
        combos = [(p, c) for p in PAYLOADS for c in CONCURRENCY]
        for r in range(rounds):
            for payload, conc in combos:
                for name in interleaved(VARIANTS, r):
                    sample = await _measure(fetchers[name][payload], requests[conc], conc)
                    results.setdefault((name, payload, conc), []).append(sample)
        if client.stats.retries or client.stats.errors:
            raise RuntimeError(f"the library retried or failed: {client.stats}")

    rows: list[list[str]] = []
    for payload, conc in combos:
        lib, bare = results[("lib", payload, conc)], results[("bare", payload, conc)]
        cpu = {v: median([s[0] for s in results[(v, payload, conc)]]) * 1e6 for v in VARIANTS}
        wall = {v: median([s[1] for s in results[(v, payload, conc)]]) * 1e6 for v in VARIANTS}
        # Ratios are medians of each round's own lib/bare ratio (the two ran back to back), which
        # cancels the machine's slow drifts better than a ratio of two medians.
        cpu_ratio = median([ratio(x[0], y[0]) for x, y in zip(lib, bare, strict=True)])
        wall_ratio = median([ratio(x[1], y[1]) for x, y in zip(lib, bare, strict=True)])
        for v in VARIANTS:
            rows.append(
                [
                    f"{payload} c={conc} {v}",
                    fmt(cpu[v]),
                    fmt(wall[v]),
                    fmt(1e6 / wall[v] if wall[v] else float("nan"), 0),
                    fmt_ratio(cpu_ratio) if v == "lib" else "",
                    fmt_ratio(wall_ratio) if v == "lib" else "",
                    verdict(cpu_ratio, TARGET) if v == "lib" else "",
                ]
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args(argv)
    rounds = 2 if args.quick else 15
    requests = {1: 150, 64: 640} if args.quick else {1: 800, 64: 2560}
    with child_server([PYTHON, "benchmarks/_servers.py", "canned", "--max-seconds", "300"]) as srv:
        pinned = pin(srv.proc.pid, 1) and pin(0, 0)
        rows = asyncio.run(_run(srv.url, rounds, requests))
    print(
        table(
            "Request overhead: MountseaClient GET (get_status) and POST (upload, generate) vs "
            "bare aiohttp + cached msgspec encoder/decoders "
            f"(medians of {rounds} interleaved rounds)",
            [
                "request, concurrency, client",
                "CPU us/req",
                "wall us/req",
                "req/s",
                "CPU lib/bare",
                "wall lib/bare",
                f"target <= {TARGET:.2f}x",
            ],
            rows,
        )
    )
    print(
        "# GET small = running task, ~120 B; GET generation = finished, 2 clips, ~5 KB; "
        "POST upload = customModel/upload (unpriced); POST generate = create (priced, budgeted)."
    )
    print(
        "# CPU: time.process_time() of the client process; the server runs in a child process"
        + ("; client pinned to CPU 0, server to CPU 1." if pinned else ".")
    )
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
