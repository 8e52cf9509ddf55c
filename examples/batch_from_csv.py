"""Generate a song for every row of a CSV file, a few at a time, and download the audio: a
short program on top of :func:`suno_async.batch.run_batch`.

The CSV has a header; each row is one generation, its columns the fields of ``generate``
(``title``, ``tags``, ``prompt``, ``make_instrumental``, ``model``, ...), with an optional
``key`` (default: a hash of the row). The rows' states live in a job store (SQLite) in
``--out``, so a rerun skips the rows that are done, waits for those submitted, sends again those
the provider failed, and never sends again a generate whose answer was lost (that row stays
``ambiguous``). The audio lands in ``<out>/<row key>/``.

    python examples/batch_from_csv.py --emulator               # offline, on a sample CSV
    MOUNTSEA_API_KEY=... python examples/batch_from_csv.py songs.csv --out songs/ --concurrency 4

Without ``--out`` the files go to ``batch-output/`` (ignored by git), or with ``--emulator`` to a
new temporary folder, whose path is printed (pass it as ``--out`` to see a rerun skip the rows).
The ``suno-async batch run`` command does the same with a live progress display, and knows that
a rerun with ``--emulator`` talks to a fresh emulator; this example, killed mid-run with
``--emulator``, leaves rows that the next run reports as failed (their tasks died with the old
emulator) and the run after sends again.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

import anyio

from suno_async import MountseaClient, SunoError, SystemClock
from suno_async.batch import BatchEvent, BatchSummary, RowFinished, run_batch

SAMPLE_CSV: Final = """title,tags,prompt,make_instrumental
Neon Rain,"synthwave, night drive",,true
Kitchen Radio,"indie pop, upbeat","[Verse]
Toast is burning, radio on",
Slow River,"ambient, piano",,true
"""
#: Where the audio and the store go without --out (ignored by git).
DEFAULT_OUT: Final = "batch-output"
STORE_NAME: Final = "batch.db"


def show(event: BatchEvent) -> None:
    """Print how each row ended (``on_event`` of the batch)."""
    if isinstance(event, RowFinished):
        how = "already done" if event.skipped else event.status
        why = f": {event.error}" if event.error else ""
        print(f"line {event.line} ({event.key}): {how}{why}")


async def generate_all(
    client: MountseaClient, csv_path: Path, out: Path, *, concurrency: int = 4
) -> BatchSummary:
    """Run every row of ``csv_path``, journaled in ``out/batch.db``, audio in ``out``."""
    return await run_batch(
        csv_path,
        store=out / STORE_NAME,
        mountsea=client,
        concurrency=concurrency,
        directory=out,
        on_event=show,
    )


@asynccontextmanager
async def open_client(*, emulator: bool, speed: float) -> AsyncIterator[MountseaClient]:
    """A client of an in-process emulator (``speed`` times real time), or of the provider
    named by ``MOUNTSEA_API_KEY`` and ``MOUNTSEA_BASE_URL``."""
    if not emulator:
        async with MountseaClient() as client:
            yield client
        return
    from suno_async.emulator import Emulator, EmulatorConfig

    clock = SystemClock(speed)
    async with (
        Emulator(EmulatorConfig(), clock=clock) as emu,
        MountseaClient(api_key="emulator", base_url=emu.base_url, clock=clock) as client,
    ):
        yield client


async def run(args: argparse.Namespace) -> int:
    """Run the batch the arguments describe; return the exit code."""
    if args.out is None:
        args.out = tempfile.mkdtemp(prefix="batch-") if args.emulator else DEFAULT_OUT
        print(f"writing to {args.out} (choose with --out)")
    out = Path(args.out)
    await anyio.Path(out).mkdir(parents=True, exist_ok=True)
    csv_path = Path(args.csv) if args.csv else out / "sample-prompts.csv"
    if not args.csv:
        await anyio.Path(csv_path).write_text(SAMPLE_CSV, encoding="utf-8")
        print(f"no CSV given: using the sample {csv_path}")
    async with open_client(emulator=args.emulator, speed=args.speed) as client:
        summary = await generate_all(client, csv_path, out, concurrency=args.concurrency)
    print(
        f"\n{summary.done} generated, {summary.skipped} already done, {summary.failed} failed, "
        f"{summary.ambiguous} ambiguous, {summary.invalid} invalid; store: {out / STORE_NAME}"
    )
    if summary.stopped:
        print(f"stopped: {summary.stopped}", file=sys.stderr)
    return 0 if summary.complete else 1


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns 0 when every row is done, 1 when some are not, 2 on an error
    (unreadable CSV, no key)."""
    parser = argparse.ArgumentParser(description="Generate a song per CSV row.")
    parser.add_argument("csv", nargs="?", help="CSV with generate fields as columns")
    parser.add_argument(
        "--out",
        default=None,
        help=f"folder for audio and store (default {DEFAULT_OUT}; with --emulator a new "
        "temporary folder)",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="rows at once (4)")
    parser.add_argument("--emulator", action="store_true", help="use the in-process emulator")
    parser.add_argument("--speed", type=float, default=100.0, help="emulator speed-up (100)")
    args = parser.parse_args(argv)
    if not args.csv and not args.emulator:
        parser.error("give a CSV file (or --emulator to try a sample)")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    try:
        return anyio.run(run, args)
    except (OSError, SunoError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
