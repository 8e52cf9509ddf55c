"""Batches: 100,000 rows through ``run_batch`` and its SQLite job store, vs a bare aiohttp loop.

A fast local server (a bare asyncio protocol in a child process, pinned to its own core where
the OS allows) answers mountsea's ``POST /suno/v2/generate`` with a new task id at once, and
``GET /suno/v2/status?taskId=`` with that task finished (two complete clips; the bodies are the
embedded emulator's real answers, the task id swapped in). Every row is one POST and one GET,
so what is measured is the client, the batch runner and its journal, not waiting. Each client
run is a fresh child process (its own CPU and peak RSS), pinned to the other core.

* ``library``: ``run_batch("rows.csv", store="batch.db", mountsea=client, concurrency=C)``:
  rows read one at a time from a CSV file (title, tags, prompt; keys derived from the
  content), each claimed and journaled in the store (WAL, ``synchronous=NORMAL``), generated
  and waited for. The generate poll schedule asks at once (``first_delay=0``, no jitter), and
  ``max_concurrent_polls=C``, so the client's limiter is never the bottleneck.
* ``bare``: the floor. The same rows from the same file (``csv.DictReader``), C workers sharing
  one ``aiohttp.ClientSession``, each sending the same POST body (msgspec-encoded) and the same
  GET with the same headers, decoding both answers with cached msgspec decoders of the
  library's own types (``TaskCreated``, ``GenerationSnapshot``). No store, no journal.

Figures:

1. Journal cost per state change: in the library's 100,000-row run, every call into the store
   (``get``, ``add``, ``update``: each ``update`` is one transaction, a journal save among
   them) is timed and filed by the store's size when it was made; the table shows µs per
   update and store µs per row around 1k, 10k and 100k rows in the store. A micro-benchmark
   repeats it without the network: ``StoreJournal.save`` (a finished generation's journal,
   ~1.3 KB) and ``JobStore.update`` of a status on random rows of stores prefilled with 1k,
   10k and 100k such rows, in interleaved rounds. Flat means the 100k/1k ratio is about 1.
2. Resume: the library's store is cut to its first half (the rows a killed run had finished),
   and the same rows file is run again: the done half is skipped (read, hashed, found done),
   the rest is run. The skip phase (until the first row past the half is read) and the work
   are reported apart, with the server's count of POSTs (must equal the rows not done).
3. Peak RSS (``getrusage``) of each run, and RSS sampled every 1,000 rows read: bounded means
   flat from 10k rows to 100k, set by the concurrency, not by the rows.
4. Throughput, rows/s, library vs bare at the same concurrency (8 and 64), as a ratio.

``--quick`` runs 10,000 rows (what ``run_all.py`` runs); the default is 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import gc
import json
import random
import shutil
import socket
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from _harness import (
    MB,
    PYTHON,
    child_server,
    emit_json,
    fmt,
    fmt_ratio,
    interleaved,
    machine_line,
    median,
    peak_rss_bytes,
    pin,
    ratio,
    rss_bytes,
    run_child_json,
    table,
)
from _servers import KeepAliveProtocol

API_KEY: Final = "bench-key"
ROWS_FULL: Final = 100_000
ROWS_QUICK: Final = 10_000
CONCURRENCY: Final = (8, 64)
#: Store sizes at which the journal cost is read (rows in the store).
SIZES: Final = (1_000, 10_000, 100_000)
#: Rows per bucket of the in-run store timings and RSS samples.
BUCKET: Final = 1_000
#: A child client that takes longer than this (wall-clock seconds) is stopped and reported.
CHILD_TIMEOUT: Final = 280.0
MODEL: Final = "chirp-v55"
#: Which rows the store micro-benchmark touches: the last 1,000 added, or any.
PATTERNS: Final = ("recent", "random")

_TAGS: Final = (
    "synthwave, dreamy, female vocals",
    "lo-fi hip hop, mellow",
    "orchestral, epic",
    "indie folk, acoustic guitar",
)


# -- the rows --------------------------------------------------------------------------------


def write_rows(path: Path, n: int) -> None:
    """A CSV file of ``n`` distinct generate rows (no key column: keys come from content)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "tags", "prompt"])
        for i in range(n):
            writer.writerow(
                [
                    f"Song {i}",
                    _TAGS[i % len(_TAGS)],
                    f"[Verse]\nNeon rivers, take {i},\nevery window hums a different song",
                ]
            )


# -- the server ------------------------------------------------------------------------------


def _bodies() -> tuple[bytes, bytes, bytes]:
    """``(created, finished, task_id)``: the emulator's answer to a generate and its status once
    finished, and the task id they carry (to swap for each request's own)."""
    import aiohttp
    import anyio

    async def fetch() -> tuple[bytes, bytes, bytes]:
        from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock

        clock = VirtualClock()
        async with (
            Emulator(EmulatorConfig(), clock=clock) as emu,
            aiohttp.ClientSession(headers={"Authorization": f"Bearer {API_KEY}"}) as http,
        ):
            body = {
                "task": "create",
                "model": MODEL,
                "title": "Song 0",
                "tags": _TAGS[0],
                "prompt": "[Verse]\nNeon rivers, take 0,\nevery window hums a different song",
            }
            async with http.post(f"{emu.base_url}/suno/v2/generate", json=body) as resp:
                resp.raise_for_status()
                created = await resp.read()
            task_id = json.loads(created)["taskId"]
            clock.advance(emu.config.generate_seconds + 5.0)
            url = f"{emu.base_url}/suno/v2/status"
            async with http.get(url, params={"taskId": task_id}) as resp:
                resp.raise_for_status()
                finished = await resp.read()
        assert json.loads(finished)["status"] == "success", finished
        return created, finished, task_id.encode()

    return anyio.run(fetch)


_HEAD: Final = (
    "HTTP/1.1 {status}\r\n"
    "Server: bench\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: {n}\r\n"
    "\r\n"
)


def _response(status: str, body: bytes) -> bytes:
    return _HEAD.format(status=status, n=len(body)).encode() + body


class _Counts:
    def __init__(self) -> None:
        self.posts = 0
        self.gets = 0
        self.next_id = 0


class _BatchProtocol(KeepAliveProtocol):
    """``POST .../generate`` gets a new task id (201), ``GET .../status?taskId=X`` the
    finished task X, ``GET /bench/stats`` the counts so far."""

    def __init__(
        self, created: bytes, finished: bytes, template_id: bytes, counts: _Counts
    ) -> None:
        super().__init__()
        self._created = created
        self._finished = finished
        self._template_id = template_id
        self._counts = counts

    def answer(self, head: bytes) -> bytes:
        counts = self._counts
        target = head.split(b" ", 2)[1]
        if head.startswith(b"POST"):
            counts.posts += 1
            counts.next_id += 1
            new_id = str(uuid.UUID(int=counts.next_id)).encode()
            return _response("201 Created", self._created.replace(self._template_id, new_id))
        if target.startswith(b"/bench/stats"):
            body = json.dumps({"posts": counts.posts, "gets": counts.gets}).encode()
            return _response("200 OK", body)
        counts.gets += 1
        task_id = target.split(b"taskId=", 1)[1].split(b"&", 1)[0]
        return _response("200 OK", self._finished.replace(self._template_id, task_id))


async def _serve(max_seconds: float) -> None:
    created, finished, template_id = await asyncio.to_thread(_bodies)
    counts = _Counts()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _BatchProtocol(created, finished, template_id, counts), sock=sock
    )
    async with server:
        host, port = sock.getsockname()[:2]
        print(f"batch listening on http://{host}:{port}", flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.serve_forever(), max_seconds)


def _server_stats(url: str) -> dict[str, int]:
    from urllib.request import urlopen

    with urlopen(f"{url}/bench/stats", timeout=10) as resp:
        stats: dict[str, int] = json.loads(resp.read())
    return stats


# -- child: the library ----------------------------------------------------------------------


def _timed_store_class() -> Any:
    from suno_async.batch import JobStore

    class TimedStore(JobStore):
        """A job store that times every call, filed by the store's size (rows) at the time."""

        size = 0
        buckets: dict[str, list[float]]
        counts: dict[str, list[int]]
        rss: list[int]

        def _file(self, what: str, seconds: float) -> None:
            index = max(0, self.size - 1) // BUCKET
            times, counts = self.buckets[what], self.counts[what]
            while len(times) <= index:
                times.append(0.0)
                counts.append(0)
            times[index] += seconds
            counts[index] += 1

        def get(self, key: str) -> Any:
            t0 = time.perf_counter()
            try:
                return super().get(key)
            finally:
                self._file("get", time.perf_counter() - t0)

        def add(self, key: str, kind: str, spec: str, line: int | None, run: str | None) -> Any:
            t0 = time.perf_counter()
            self.size += 1
            try:
                return super().add(key, kind, spec, line, run)
            finally:
                self._file("add", time.perf_counter() - t0)
                if self.size % BUCKET == 0:
                    self.rss.append(rss_bytes())

        def update(self, key: str, **columns: Any) -> None:
            t0 = time.perf_counter()
            try:
                super().update(key, **columns)
            finally:
                self._file("update", time.perf_counter() - t0)

    return TimedStore


def _file_bytes(store: Path) -> int:
    """The store's size on disk: its file and its write-ahead log, if any is left."""
    paths = (store, Path(f"{store}-wal"))
    return sum(path.stat().st_size for path in paths if path.exists())


async def _library(
    url: str, rows: Path, store_path: Path, concurrency: int, split_at: int
) -> dict[str, Any]:
    from suno_async import MountseaClient, PollSchedule, TaskKind
    from suno_async.batch import read_rows, run_batch

    store_class = _timed_store_class()
    store = store_class.open(store_path)
    store.size = store.totals().total
    store.buckets = {"get": [], "add": [], "update": []}
    store.counts = {"get": [], "add": [], "update": []}
    store.rss = []
    at_once = PollSchedule(
        first_delay=0.0, interval=0.001, factor=1.0, max_interval=0.001, timeout=600.0, jitter=0.0
    )
    skip_end: list[float] = []

    def source() -> Iterator[Any]:
        for index, row in enumerate(read_rows(rows)):
            if index == split_at:
                skip_end.append(time.perf_counter())
            yield row

    gc.collect()
    rss_before = rss_bytes()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with MountseaClient(
        api_key=API_KEY,
        base_url=url,
        poll_schedules={TaskKind.GENERATE: at_once},
        max_concurrent_polls=concurrency,
    ) as client:
        summary = await run_batch(source(), store=store, mountsea=client, concurrency=concurrency)
        requests = client.stats.requests
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    store.close()
    store_bytes = _file_bytes(store_path)
    worked = summary.done + summary.failed + summary.ambiguous + summary.invalid
    if summary.failed or summary.ambiguous or summary.invalid or not summary.complete:
        raise RuntimeError(f"the batch did not finish cleanly: {summary}")
    return {
        "rows": summary.done + summary.skipped,
        "done": summary.done,
        "skipped": summary.skipped,
        "worked": worked,
        "wall": wall,
        "cpu": cpu,
        "skip_wall": (skip_end[0] - wall0) if skip_end else 0.0,
        "requests": requests,
        "rss_before": rss_before,
        "peak_rss": peak_rss_bytes(),
        "rss": store.rss,
        "store_bytes": store_bytes,
        "buckets": store.buckets,
        "counts": store.counts,
    }


# -- child: bare aiohttp ---------------------------------------------------------------------


async def _bare(url: str, rows: Path, concurrency: int) -> dict[str, Any]:
    import aiohttp
    import msgspec

    from suno_async.mountsea._models import GenerationSnapshot, TaskCreated

    created_decoder = msgspec.json.Decoder(TaskCreated)
    status_decoder = msgspec.json.Decoder(GenerationSnapshot)
    encoder = msgspec.json.Encoder()
    generate_url, status_url = f"{url}/suno/v2/generate", f"{url}/suno/v2/status"
    headers = {
        "Authorization": f"Bearer {API_KEY}",
        "Accept": "application/json",
        "User-Agent": "suno_async",
    }
    json_headers = {**headers, "Content-Type": "application/json"}
    done = 0
    requests = 0
    gc.collect()
    rss_before = rss_bytes()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with rows.open(encoding="utf-8-sig", newline="") as handle:
        reader = iter(csv.DictReader(handle))
        async with aiohttp.ClientSession() as session:

            async def worker() -> None:
                nonlocal done, requests
                for row in reader:  # one shared iterator: rows stream in, C at a time
                    body = encoder.encode({"task": "create", "model": MODEL, **row})
                    async with session.post(generate_url, data=body, headers=json_headers) as r:
                        raw = await r.read()
                        if r.status not in (200, 201):
                            raise RuntimeError(f"generate answered {r.status}")
                    task_id = created_decoder.decode(raw).task_id
                    async with session.get(
                        status_url, params={"taskId": task_id}, headers=headers
                    ) as r:
                        raw = await r.read()
                        if r.status != 200:
                            raise RuntimeError(f"status answered {r.status}")
                    snapshot = status_decoder.decode(raw)
                    if snapshot.status != "success" or not snapshot.clips:
                        raise RuntimeError(f"task {task_id} is not finished: {snapshot.status}")
                    requests += 2
                    done += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "rows": done,
        "done": done,
        "worked": done,
        "wall": wall,
        "cpu": cpu,
        "requests": requests,
        "rss_before": rss_before,
        "peak_rss": peak_rss_bytes(),
    }


# -- child: the store without the network ----------------------------------------------------


def _journal_blobs() -> tuple[bytes, bytes, bytes]:
    """``(spec, journal, result)`` of a finished generate row, as a run stores them."""
    import msgspec

    from suno_async._core._batch import JobResult
    from suno_async.mountsea._journals import GenerationJournal
    from suno_async.mountsea._models import GenerationSnapshot

    _, finished, _ = _bodies()
    snapshot = msgspec.json.decode(finished, type=GenerationSnapshot)
    request: dict[str, object] = {"task": "create", "model": MODEL, "title": "Song 0"}
    request["tags"] = _TAGS[0]
    journal = GenerationJournal(
        request=request, submit="submitted", task_id=snapshot.task_id, clips=snapshot.clips
    )
    result = JobResult(task_id=snapshot.task_id, clips=snapshot.clips)
    spec = msgspec.json.encode({"type": "generate", "fields": request})
    return spec, msgspec.json.encode(journal), msgspec.json.encode(result)


def _store_micro(sizes: list[int], rounds: int, ops: int) -> dict[str, Any]:
    import msgspec

    from suno_async._core._journal import StoreJournal
    from suno_async.batch import JobStore
    from suno_async.mountsea._journals import GenerationJournal

    spec, journal_blob, result = _journal_blobs()
    state = msgspec.json.decode(journal_blob, type=GenerationJournal)
    fresh = GenerationJournal(request=state.request)
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-batch-store-") as tmp:
        stores: dict[str, JobStore] = {}
        for n in sizes:
            path = Path(tmp) / f"store-{n}.db"
            JobStore.open(path).close()  # the schema, as the library makes it
            db = sqlite3.connect(path)
            with db:
                db.executemany(
                    "INSERT INTO jobs (key, kind, line, spec, status, journal, result, attempts, "
                    "updated) VALUES (?, 'generate', ?, ?, 'done', ?, ?, 1, ?)",
                    (
                        (f"k{i:07d}", i + 2, spec.decode(), journal_blob, result, time.time())
                        for i in range(n)
                    ),
                )
            db.close()
            stores[str(n)] = JobStore.open(path)
        rng = random.Random(7)
        names = [f"{pattern}:{n}" for n in sizes for pattern in PATTERNS]
        for r in range(rounds):
            for name in interleaved(names, r):
                pattern, size = name.split(":")
                store, n = stores[size], int(size)
                if pattern == "recent":  # what a run touches: the rows it added last
                    keys = [f"k{n - 1 - rng.randrange(min(n, BUCKET)):07d}" for _ in range(ops)]
                else:  # anywhere in the store (a retry of old rows, the worst case for caches)
                    keys = [f"k{rng.randrange(n):07d}" for _ in range(ops)]
                journals = [StoreJournal.open_in(store, key, fresh, owned=False) for key in keys]
                gc.collect()
                t0 = time.perf_counter()
                for journal in journals:
                    journal.save()
                t1 = time.perf_counter()
                for key in keys:
                    store.update(key, status="running", error=None)
                t2 = time.perf_counter()
                for key in keys:
                    store.get(key)
                t3 = time.perf_counter()
                bucket = results.setdefault(name, {"save": [], "update": [], "get": []})
                bucket["save"].append((t1 - t0) / ops)
                bucket["update"].append((t2 - t1) / ops)
                bucket["get"].append((t3 - t2) / ops)
        for store in stores.values():
            store.close()
    return {
        "results": results,
        "journal_bytes": len(journal_blob),
        "rounds": rounds,
        "ops": ops,
    }


def _child(args: argparse.Namespace) -> int:
    pin(0, 0)
    if args.child == "store":
        result = _store_micro([int(s) for s in args.sizes.split(",")], args.rounds, args.ops)
    elif args.child == "bare":
        result = asyncio.run(_bare(args.url, Path(args.rows_file), args.concurrency))
    else:
        import anyio

        result = anyio.run(
            _library,
            args.url,
            Path(args.rows_file),
            Path(args.store),
            args.concurrency,
            args.split_at,
        )
    emit_json(result)
    return 0


# -- parent ----------------------------------------------------------------------------------


def _half_store(full: Path, half: Path, keep: int) -> None:
    """``half``: a copy of the finished store ``full`` holding only its first ``keep`` rows, as
    a run killed after finishing them would leave it."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(full) + suffix)
        if source.exists():
            shutil.copyfile(source, str(half) + suffix)
    db = sqlite3.connect(half)
    with db:
        db.execute("DELETE FROM jobs WHERE rowid > ?", (keep,))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _run(
    variant: str,
    url: str,
    rows: Path,
    concurrency: int,
    store: Path | None = None,
    split_at: int = -1,
) -> dict[str, Any]:
    command = [
        PYTHON,
        __file__,
        "--child",
        variant,
        "--url",
        url,
        "--rows-file",
        str(rows),
        "--concurrency",
        str(concurrency),
        "--split-at",
        str(split_at),
    ]
    if store is not None:
        command += ["--store", str(store)]
    began = time.perf_counter()
    before = _server_stats(url)
    result = run_child_json(command, timeout=CHILD_TIMEOUT)
    after = _server_stats(url)
    result["posts"] = after["posts"] - before["posts"]
    result["gets"] = after["gets"] - before["gets"]
    result["child_wall"] = time.perf_counter() - began
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{ROWS_QUICK:,} rows instead of {ROWS_FULL:,}"
    )
    parser.add_argument("--rows", type=int, default=0, help="rows per run (overrides --quick)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=("library", "bare", "store"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--rows-file", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=8, help=argparse.SUPPRESS)
    parser.add_argument("--split-at", type=int, default=-1, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="", help=argparse.SUPPRESS)
    parser.add_argument("--ops", type=int, default=2000, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve(900.0))
        return 0
    if args.child:
        return _child(args)
    n = args.rows or (ROWS_QUICK if args.quick else ROWS_FULL)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp_name:
        tmp = Path(tmp_name)
        rows = tmp / "rows.csv"
        write_rows(rows, n)
        results: dict[tuple[str, int], dict[str, Any]] = {}
        with child_server([PYTHON, __file__, "--serve"]) as srv:
            pinned = pin(srv.proc.pid, 1)
            variants = [f"{v}:{c}" for c in CONCURRENCY for v in ("library", "bare")]
            for name in interleaved(variants, 0):
                variant, conc = name.split(":")
                store = tmp / f"{variant}-{conc}.db" if variant == "library" else None
                results[(variant, int(conc))] = _run(variant, srv.url, rows, int(conc), store)
            full = tmp / f"library-{CONCURRENCY[-1]}.db"
            half = tmp / "half.db"
            _half_store(full, half, n // 2)
            resume = _run("library", srv.url, rows, CONCURRENCY[-1], half, split_at=n // 2)
        sizes = [s for s in SIZES if s <= max(n, 10_000)]
        micro = run_child_json(
            [
                PYTHON,
                __file__,
                "--child",
                "store",
                "--sizes",
                ",".join(map(str, sizes)),
                "--rounds",
                "3" if n < ROWS_FULL else "5",
                "--ops",
                "2000",
            ],
            timeout=CHILD_TIMEOUT,
        )
    print(_report(n, results, resume, micro, sizes, pinned))
    print(f"# bench_batch.py measured in {time.perf_counter() - started:.1f} s.")
    return 0


# -- report ----------------------------------------------------------------------------------


def _bucket_means(result: dict[str, Any], size: int) -> tuple[float, float, float]:
    """(µs per update, store µs per row, updates per row) in the bucket of rows ``size - 999``
    to ``size`` in the store."""
    index = size // BUCKET - 1
    buckets, counts = result["buckets"], result["counts"]

    def at(what: str) -> tuple[float, int]:
        times, number = buckets[what], counts[what]
        return (times[index], number[index]) if index < len(times) else (0.0, 0)

    update_s, updates = at("update")
    total_s = sum(at(what)[0] for what in ("get", "add", "update"))
    adds = at("add")[1]
    per_update = update_s / updates * 1e6 if updates else float("nan")
    per_row = total_s / adds * 1e6 if adds else float("nan")
    return per_update, per_row, (updates / adds if adds else float("nan"))


def _report(
    n: int,
    results: dict[tuple[str, int], dict[str, Any]],
    resume: dict[str, Any],
    micro: dict[str, Any],
    sizes: list[int],
    pinned: bool,
) -> str:
    out: list[str] = []
    # 4 + 3: throughput and memory.
    rows: list[list[str]] = []
    for conc in CONCURRENCY:
        bare = results[("bare", conc)]
        bare_rate = bare["done"] / bare["wall"]
        for variant in ("library", "bare"):
            r = results[(variant, conc)]
            rate = r["done"] / r["wall"]
            rss_series = r.get("rss") or []
            at_10k = rss_series[min(9, len(rss_series) - 1)] / MB if rss_series else float("nan")
            rows.append(
                [
                    f"{variant}, c={conc}",
                    fmt(rate, 0),
                    fmt(r["cpu"] / r["done"] * 1e6, 0),
                    fmt((r["posts"] + r["gets"]) / r["done"], 2),
                    fmt(r["rss_before"] / MB),
                    fmt(at_10k),
                    fmt(r["peak_rss"] / MB),
                    fmt_ratio(ratio(rate, bare_rate)),
                ]
            )
    out.append(
        table(
            f"Batch of {n:,} rows, one POST + one GET each, fast local server (one run each, "
            "fresh child processes, interleaved)",
            [
                "client, concurrency",
                "rows/s",
                "CPU us/row",
                "requests/row",
                "RSS at start MB",
                "RSS at 10k rows MB",
                "peak RSS MB",
                "rows/s vs bare",
            ],
            rows,
        )
    )
    out.append("")
    # 1: journal cost per state change, in the run.
    rows = []
    for conc in CONCURRENCY:
        r = results[("library", conc)]
        first = _bucket_means(r, sizes[0])
        for size in sizes:
            if size > n:
                continue
            per_update, per_row, updates = _bucket_means(r, size)
            rows.append(
                [
                    f"library c={conc}, store at {size - BUCKET + 1:,}-{size:,} rows",
                    fmt(per_update),
                    fmt(per_row),
                    fmt(updates, 2),
                    fmt_ratio(ratio(per_update, first[0])),
                    fmt_ratio(ratio(per_row, first[1])),
                ]
            )
    out.append(
        table(
            "Journal cost per state change in the run, by rows in the store",
            [
                "run, store size",
                "us/update",
                "store us/row",
                "updates/row",
                "update vs first",
                "row vs first",
            ],
            rows,
        )
    )
    out.append(
        "# every get/add/update of the store timed (an update is one transaction: status, "
        "journal save, credits); filed by the rows in the store at the time."
    )
    for conc in CONCURRENCY:
        r = results[("library", conc)]
        out.append(
            f"# library c={conc}: store file {r['store_bytes'] / MB:,.0f} MB after "
            f"{r['done']:,} rows ({r['store_bytes'] / r['done']:,.0f} B/row); "
            f"{sum(r['counts']['update']) / r['done']:.2f} updates, "
            f"{sum(r['counts']['add']) / r['done']:.2f} adds, "
            f"{sum(r['counts']['get']) / r['done']:.2f} gets per row."
        )
    out.append("")
    # 1b: the store without the network.
    res = micro["results"]
    rows = []
    for pattern in PATTERNS:
        first = res[f"{pattern}:{sizes[0]}"]
        for size in sizes:
            cell = res[f"{pattern}:{size}"]
            save, update = median(cell["save"]), median(cell["update"])
            rows.append(
                [
                    f"{pattern} rows, store of {size:,}",
                    fmt(save * 1e6),
                    fmt(update * 1e6),
                    fmt(median(cell["get"]) * 1e6),
                    fmt_ratio(ratio(save, median(first["save"]))),
                    fmt_ratio(ratio(update, median(first["update"]))),
                ]
            )
    out.append(
        table(
            "Journal cost without the network: one transaction per change on a prefilled store "
            f"(medians of {micro['rounds']} interleaved rounds, {micro['ops']:,} ops each)",
            [
                "rows touched, store size",
                "StoreJournal.save us",
                "update(status) us",
                "get us",
                f"save vs {sizes[0]:,}",
                f"update vs {sizes[0]:,}",
            ],
            rows,
        )
    )
    out.append(
        f"# each row holds a finished generation (journal {micro['journal_bytes']:,} B, result "
        f"and spec); recent = the last {BUCKET:,} rows added (what a run touches), random = "
        "any row; WAL, synchronous=NORMAL, as JobStore.open makes it."
    )
    out.append("")
    # 2: resume.
    work_rows = resume["done"]
    work_wall = resume["wall"] - resume["skip_wall"]
    lib_rate = (
        results[("library", CONCURRENCY[-1])]["done"]
        / results[("library", CONCURRENCY[-1])]["wall"]
    )
    rows = [
        [
            "skip the done half (read, hash, look up)",
            fmt(resume["skipped"]),
            fmt(resume["skip_wall"], 2),
            fmt(ratio(resume["skipped"], resume["skip_wall"]), 0),
            "0",
        ],
        [
            "run the other half",
            fmt(work_rows),
            fmt(work_wall, 2),
            fmt(ratio(work_rows, work_wall), 0),
            fmt(resume["posts"]),
        ],
        [
            "whole resume",
            fmt(resume["rows"]),
            fmt(resume["wall"], 2),
            fmt(ratio(resume["rows"], resume["wall"]), 0),
            fmt(resume["posts"]),
        ],
    ]
    out.append(
        table(
            f"Resume a half-done {n:,}-row store (same rows file, library, c={CONCURRENCY[-1]})",
            ["phase", "rows", "seconds", "rows/s", "POSTs sent"],
            rows,
        )
    )
    out.append(
        f"# a fresh run of all {n:,} rows: {lib_rate:,.0f} rows/s; the resume's work phase "
        f"runs at {fmt_ratio(ratio(ratio(work_rows, work_wall), lib_rate))} of that. POSTs "
        f"must equal the rows not done ({n - n // 2:,})."
    )
    out.append(
        "# client children pinned to CPU 0, server to CPU 1."
        if pinned
        else "# processes not pinned."
    )
    out.append(machine_line())
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
