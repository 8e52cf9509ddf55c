"""Import time and download memory.

1. ``import suno_async`` vs ``import aiohttp``, each in a fresh interpreter (the library
   imports aiohttp, so the ratio is what the library adds on top). The time is taken inside
   the child around the import statement alone, interleaved, median of 15 runs each. The
   child also says whether the import pulled in the CLI, ``rich`` or the emulator, which the
   library must not import, and ``-X importtime`` names the library's heaviest imports.
   Bytecode is cached for both (in a temporary ``PYTHONPYCACHEPREFIX``), as it is for any
   installed package.
2. Peak RSS growth while ``MountseaClient.download()`` streams a 100 MiB WAV from a loopback
   server (a child process) to a file, vs bare aiohttp streaming the same body to a file in
   64 KiB chunks, and bare aiohttp reading the whole body (``resp.read()``, for scale). Each
   download runs in a fresh child process that first downloads 1 MiB the same way (so lazy
   imports and buffers exist), then measures its RSS, samples it every millisecond during the
   download and reads ``getrusage``'s peak after; growth = peak - RSS before.

Targets: import <= 1.15x aiohttp; download peak RSS growth <= 16 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Final

from _harness import (
    MB,
    PYTHON,
    ROOT,
    child_server,
    emit_json,
    fmt,
    fmt_ratio,
    interleaved,
    machine_line,
    median,
    peak_rss_bytes,
    ratio,
    rss_bytes,
    run_child_json,
    table,
    verdict,
)

IMPORT_TARGET: Final = 1.15
DOWNLOAD_TARGET_MB: Final = 16.0
FORBIDDEN: Final = ("suno_async.cli", "suno_async.emulator", "rich")

_IMPORT_PROBE: Final = """
import json, sys, time
t = time.perf_counter()
import {module}
t = time.perf_counter() - t
loaded = [m for m in {forbidden!r} if m in sys.modules]
print(json.dumps({{"seconds": t, "modules": len(sys.modules), "forbidden": loaded}}))
"""


def _import_env(cache_dir: str) -> dict[str, str]:
    """The children's environment: bytecode cached (in ``cache_dir``, not beside the sources),
    as in any installed package, even where ``PYTHONDONTWRITEBYTECODE`` is set. Otherwise the
    library, imported from its sources, would be compiled on every run while aiohttp's
    installed bytecode would not."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def _import_once(module: str, env: dict[str, str]) -> dict[str, Any]:
    code = _IMPORT_PROBE.format(module=module, forbidden=FORBIDDEN)
    return run_child_json([PYTHON, "-c", code], timeout=60, env=env)


def _heaviest_imports(count: int, env: dict[str, str]) -> list[tuple[str, int]]:
    """The modules that ``import suno_async`` loads after aiohttp (the library's and what only
    it needs) with the largest self import time, from ``-X importtime`` (microseconds)."""
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", "import aiohttp; import suno_async"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env=env,
    )
    after_aiohttp = done.stderr.split("| aiohttp\n", 1)[-1]
    rows: list[tuple[str, int]] = []
    for line in after_aiohttp.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S+)", line)
        if match:
            rows.append((match[2], int(match[1])))
    return sorted(rows, key=lambda r: -r[1])[:count]


# -- download child ----------------------------------------------------------------------------


class _Sampler:
    """Samples this process's RSS every ``period`` seconds in a thread; ``peak`` in bytes."""

    def __init__(self, period: float = 0.001) -> None:
        self.peak = rss_bytes()
        self._period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self._period)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


async def _download(variant: str, url: str, dest: Path) -> int:
    import aiohttp
    import anyio

    from suno_async import MountseaClient

    if variant == "lib":
        async with MountseaClient(api_key="unused", base_url="http://127.0.0.1:9") as client:
            return await client.download(url, dest)
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        resp.raise_for_status()
        if variant == "read":
            body = await resp.read()
            await anyio.Path(dest).write_bytes(body)
            return len(body)
        written = 0
        with dest.open("wb") as out:
            async for chunk in resp.content.iter_chunked(64 * 1024):
                out.write(chunk)
                written += len(chunk)
        return written


def _download_child(variant: str, base_url: str, mib: int) -> dict[str, Any]:
    import anyio

    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.wav"
        dest = Path(tmp) / "big.wav"
        anyio.run(_download, variant, f"{base_url}/audio/1.wav", warm)
        warm.unlink()
        before = rss_bytes()
        ru_before = peak_rss_bytes()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        with _Sampler() as sampler:
            size = anyio.run(_download, variant, f"{base_url}/audio/{mib}.wav", dest)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        ru_after = peak_rss_bytes()
        if size != mib * MB or dest.stat().st_size != size:
            raise RuntimeError(f"downloaded {size} bytes, expected {mib * MB}")
    peak = sampler.peak if ru_after <= ru_before else max(sampler.peak, ru_after)
    return {"growth": peak - before, "before": before, "wall": wall, "cpu": cpu, "bytes": size}


# -- parent ----------------------------------------------------------------------------------

DOWNLOADS: Final = {
    "lib": "MountseaClient.download (streams to a file)",
    "stream": "bare aiohttp, iter_chunked(64 KiB) to a file",
    "read": "bare aiohttp, resp.read() whole body (for scale)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--child", choices=tuple(DOWNLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--mib", type=int, default=100, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        emit_json(_download_child(args.child, args.url, args.mib))
        return 0

    import_runs, download_rounds, mib = (3, 1, 10) if args.quick else (15, 3, 100)
    modules = ("suno_async", "aiohttp")
    imports: dict[str, list[dict[str, Any]]] = {m: [] for m in modules}
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache_dir:
        env = _import_env(cache_dir)
        for module in modules:  # fills the bytecode cache; not measured
            _import_once(module, env)
        for r in range(import_runs):
            for module in interleaved(modules, r):
                imports[module].append(_import_once(module, env))
        heaviest = [] if args.quick else _heaviest_imports(6, env)

    downloads: dict[str, list[dict[str, Any]]] = {v: [] for v in DOWNLOADS}
    with child_server(
        [PYTHON, "benchmarks/_servers.py", "download", "--max-seconds", "300"]
    ) as srv:
        for r in range(download_rounds):
            for variant in interleaved(tuple(DOWNLOADS), r):
                downloads[variant].append(
                    run_child_json(
                        [PYTHON, __file__, "--child", variant, "--url", srv.url, "--mib", str(mib)],
                        timeout=120,
                    )
                )

    seconds = {m: median([x["seconds"] for x in imports[m]]) for m in modules}
    import_ratio = ratio(seconds["suno_async"], seconds["aiohttp"])
    rows: list[list[str]] = []
    for m in modules:
        forbidden = sorted({name for x in imports[m] for name in x["forbidden"]})
        rows.append(
            [
                f"import {m}",
                fmt(seconds[m] * 1e3, 1) + " ms",
                fmt(int(median([x["modules"] for x in imports[m]]))) + " modules",
                fmt_ratio(ratio(seconds[m], seconds["aiohttp"])),
                (verdict(import_ratio, IMPORT_TARGET) if m == "suno_async" else "")
                + (f"; imports {', '.join(forbidden)}!" if forbidden else ""),
            ]
        )
    lib_growth = median([x["growth"] for x in downloads["lib"]]) / MB
    for variant, label in DOWNLOADS.items():
        runs = downloads[variant]
        growth = median([x["growth"] for x in runs]) / MB
        mb_per_s = median([x["bytes"] / x["wall"] for x in runs]) / MB
        cpu_ms = median([x["cpu"] for x in runs]) * 1e3
        rows.append(
            [
                f"download {mib} MiB: {label}",
                fmt(growth, 1) + " MB peak RSS growth",
                f"{fmt(mb_per_s, 0)} MB/s, {fmt(cpu_ms, 0)} ms CPU",
                fmt_ratio(ratio(growth, lib_growth)) if variant != "lib" else "1.00x",
                verdict(growth, DOWNLOAD_TARGET_MB) if variant == "lib" else "",
            ]
        )
    print(
        table(
            f"Import time (median of {import_runs} fresh interpreters each, interleaved) and "
            f"download memory (median of {download_rounds} fresh processes each)",
            [
                "what",
                "value",
                "detail",
                "vs aiohttp / vs lib",
                f"target <= {IMPORT_TARGET:.2f}x / {DOWNLOAD_TARGET_MB:g} MB",
            ],
            rows,
        )
    )
    if heaviest:
        shown = ", ".join(f"{name} {us / 1e3:.1f} ms" for name, us in heaviest)
        print(f"# slowest modules after aiohttp (self time, -X importtime, one run): {shown}")
    print(f"# import of suno_async must not load: {', '.join(FORBIDDEN)}.")
    print(machine_line())
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    os._exit(130)
