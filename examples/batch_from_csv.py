"""Generate a song for every row of a CSV file, a few at a time, and download the audio.

The CSV has a header row with the columns ``title``, ``tags`` and ``prompt`` (the lyrics; leave
it empty for an instrumental), and optionally ``id``. ``tags`` must not be empty. Every row has
a key: its ``id`` if there is one, otherwise a hash of its title, tags and prompt, so the key
survives reordering the file. Two rows with the same key are refused.

At most ``--concurrency`` rows are worked on at once (an :class:`anyio.CapacityLimiter`); the
client's own limiter also bounds the status polls of all of them together. The audio lands in
``--out`` as ``<clip id>.<ext>`` (two clips per row; ``.wav`` on the emulator).

**The journal.** ``<out>/results.json`` records each row as it moves on: ``submitted`` (with
the provider's task id, as soon as it is known), ``done`` (clips and files) or ``failed`` (why).
It is rewritten after each change through a temporary file and :func:`os.replace`, so a crash
never leaves half a file. A rerun skips the rows that are done, *waits for* the rows that were
submitted but not finished (after a crash, Ctrl-C, a client-side timeout or a failed download:
no second generation is paid for), tries again only the rows the provider failed, and never
re-sends a row whose generate answer was lost (it may be running). The library's own
``generate_and_download(journal=...)`` does the same for one generation; this example keeps one
small journal for the whole batch.

A refused key, an exhausted account or a 403 stops the whole batch (every other row would fail
the same way); any other failure is recorded for its row and the others go on.

    python examples/batch_from_csv.py --emulator               # offline, on a sample CSV
    MOUNTSEA_API_KEY=... python examples/batch_from_csv.py songs.csv --out songs/ --concurrency 4

Without ``--out`` the files go to ``batch-output/`` (ignored by git), or with ``--emulator`` to a
new temporary folder, whose path is printed (pass it as ``--out`` to see a rerun skip the rows).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import anyio
import anyio.to_thread
import msgspec

from suno_async import (
    AmbiguousSubmitError,
    AuthenticationError,
    Clip,
    GenerateRequest,
    GenerateTask,
    InsufficientCreditsError,
    MountseaClient,
    NotFoundError,
    PermissionDeniedError,
    SunoError,
    SystemClock,
    TaskFailedError,
    TaskTimeoutError,
)

__all__ = ["BatchReport", "Journal", "Row", "generate_all", "main", "read_rows"]

JOURNAL_NAME: Final = "results.json"
#: Errors that would fail every row the same way: they stop the batch.
FATAL_ERRORS: Final = (AuthenticationError, InsufficientCreditsError, PermissionDeniedError)

SAMPLE_CSV: Final = """title,tags,prompt
Neon Rain,"synthwave, night drive",
Kitchen Radio,"indie pop, upbeat","[Verse]
Toast is burning, radio on"
Slow River,"ambient, piano",
"""


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV row to generate; ``line`` is its line number in the file (for messages)."""

    key: str
    line: int
    title: str
    tags: str
    prompt: str


def read_rows(path: str | os.PathLike[str]) -> list[Row]:
    """The rows of the CSV file at ``path``, in file order.

    Raises:
        ValueError: the header has no ``tags`` column, or two rows have the same key.
    """
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        columns = {name.strip().lower() for name in reader.fieldnames or []}
        if "tags" not in columns:
            raise ValueError(f"{path}: the header needs a 'tags' column, got {sorted(columns)}")
        rows: list[Row] = []
        seen: dict[str, int] = {}
        for record in reader:
            cells = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items()}
            title, tags, prompt = (
                cells.get("title", ""),
                cells.get("tags", ""),
                cells.get("prompt", ""),
            )
            key = (
                cells.get("id")
                or hashlib.sha256("\x1f".join((title, tags, prompt)).encode()).hexdigest()[:12]
            )
            line = reader.line_num
            if key in seen:
                raise ValueError(
                    f"{path}: the row ending on line {line} has the same key as the row ending on "
                    f"line {seen[key]} (same id, or same title, tags and prompt)"
                )
            seen[key] = line
            rows.append(Row(key=key, line=line, title=title, tags=tags, prompt=prompt))
    return rows


class ClipRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A generated clip as the journal keeps it."""

    id: str
    title: str | None = None
    audio_url: str | None = None


class Entry(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What the journal knows about one row."""

    status: Literal["submitted", "done", "failed"]
    title: str = ""
    task_id: str | None = None
    clips: list[ClipRecord] = []
    files: list[str] = []
    error: str | None = None


class JournalFile(msgspec.Struct, kw_only=True):
    """The journal file's layout: ``{"version": 1, "rows": {key: entry}}``."""

    version: int = 1
    rows: dict[str, Entry] = {}


class Journal:
    """The results file, rewritten atomically (temporary file + :func:`os.replace`) after
    every :meth:`record`; records are serialized by a lock."""

    def __init__(self, path: Path, rows: dict[str, Entry] | None = None) -> None:
        self.path = path
        self._rows = dict(rows or {})
        self._lock = anyio.Lock()

    @classmethod
    async def load(cls, path: Path) -> Journal:
        """The journal at ``path``, or an empty one if there is no file yet.

        Raises:
            ValueError: the file exists but is not a journal.
        """
        try:
            data = await anyio.Path(path).read_bytes()
        except FileNotFoundError:
            return cls(path)
        try:
            return cls(path, msgspec.json.decode(data, type=JournalFile).rows)
        except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
            raise ValueError(f"{path} is not a results journal: {exc}") from exc

    def get(self, key: str) -> Entry | None:
        """The entry of row ``key``, if any."""
        return self._rows.get(key)

    @property
    def entries(self) -> dict[str, Entry]:
        """Every entry, by row key (a copy)."""
        return dict(self._rows)

    async def record(self, key: str, entry: Entry) -> None:
        """Set row ``key``'s entry and write the file."""
        async with self._lock:
            self._rows[key] = entry
            data = msgspec.json.format(msgspec.json.encode(JournalFile(rows=self._rows)))
            await anyio.to_thread.run_sync(_write_atomically, self.path, data)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass(slots=True)
class BatchReport:
    """What a run did, by row key: ``done`` (generated now), ``resumed`` (submitted by an
    earlier run, finished now), ``skipped`` (done by an earlier run), ``failed`` (why)."""

    done: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


async def generate_all(
    client: MountseaClient,
    rows: Sequence[Row],
    out_dir: str | os.PathLike[str],
    *,
    max_concurrency: int = 4,
    model: str = "chirp-v55",
    on_progress: Callable[[str], object] | None = None,
) -> BatchReport:
    """Generate and download every row not done yet, journaling in ``out_dir/results.json``.

    Raises:
        AuthenticationError, InsufficientCreditsError, PermissionDeniedError: the batch
            stopped; rows already submitted are in the journal and a rerun waits for them.
        ValueError: the journal file is not one.
    """
    out = Path(out_dir)
    journal = await Journal.load(out / JOURNAL_NAME)
    report = BatchReport()
    limiter = anyio.CapacityLimiter(max_concurrency)
    fatal: list[BaseException] = []

    def say(row: Row, text: str) -> None:
        if on_progress is not None:
            on_progress(f"line {row.line} ({row.title or row.tags}): {text}")

    async def process(row: Row) -> None:
        entry = journal.get(row.key)
        if entry is not None and entry.status == "done":
            report.skipped.append(row.key)
            say(row, "already done")
            return
        async with limiter:
            try:
                clips: list[Clip] | None = None
                if entry is not None and entry.status == "submitted" and not entry.task_id:
                    error = f"an earlier run lost the answer to its generate: {entry.error}"
                    report.failed[row.key] = error
                    say(row, "not sent again: look for it among the account's recent work")
                    return
                if entry is not None and entry.status == "submitted" and entry.task_id:
                    say(row, f"waiting for task {entry.task_id} from an earlier run")
                    try:
                        clips = await client.wait_for_generation(entry.task_id)
                        report.resumed.append(row.key)
                    except NotFoundError:
                        clips = None  # the provider forgot it: generate again
                if clips is None:
                    clips = await submit_and_wait(row)
                    report.done.append(row.key)
                paths = await client.download_clips(clips, out)
            except FATAL_ERRORS as exc:
                fatal.append(exc)
                tg.cancel_scope.cancel()
                return
            except SunoError as exc:
                error = f"{type(exc).__name__}: {exc}"
                report.failed[row.key] = error
                say(row, f"failed: {error}")
                known = journal.get(row.key)
                if isinstance(exc, AmbiguousSubmitError):
                    # The generation may be running and paid for: never send it blindly again.
                    await journal.record(
                        row.key, Entry(status="submitted", title=row.title, error=error)
                    )
                elif known is None or known.status != "submitted" or _ended(exc):
                    await journal.record(
                        row.key, Entry(status="failed", title=row.title, error=error)
                    )
                # Otherwise it stays "submitted" with its task id: a rerun waits for it (or
                # downloads it) instead of paying for a second generation.
                return
        records = [ClipRecord(id=c.id, title=c.title, audio_url=c.audio_url) for c in clips]
        files = [path.name for path in paths]
        await journal.record(
            row.key, Entry(status="done", title=row.title, clips=records, files=files)
        )
        say(row, f"done: {', '.join(files)}")

    async def submit_and_wait(row: Row) -> list[Clip]:
        request = GenerateRequest(
            task=GenerateTask.CREATE,
            model=model,
            tags=row.tags,
            title=row.title or msgspec.UNSET,
            prompt=row.prompt or msgspec.UNSET,
            make_instrumental=True if not row.prompt else msgspec.UNSET,
        )
        task_id = await client.generate(request)
        await journal.record(row.key, Entry(status="submitted", title=row.title, task_id=task_id))
        say(row, f"submitted as task {task_id}")
        return await client.wait_for_generation(task_id)

    async with anyio.create_task_group() as tg:
        for row in rows:
            tg.start_soon(process, row)
    if fatal:
        raise fatal[0]
    return report


def _ended(exc: SunoError) -> bool:
    """Whether the provider ended the generation (failed, or timed out on its side): only then
    does a rerun generate the row again."""
    if isinstance(exc, TaskTimeoutError):
        return exc.server_side
    return isinstance(exc, TaskFailedError)


# -- the command line --------------------------------------------------------------------------


@asynccontextmanager
async def open_client(*, emulator: bool, speed: float) -> AsyncIterator[MountseaClient]:
    """A client of the in-process emulator (its clock ``speed`` times real time), or of the
    provider named by ``MOUNTSEA_API_KEY`` and ``MOUNTSEA_BASE_URL``."""
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


#: Where the audio and the journal go without --out (ignored by git).
DEFAULT_OUT = "batch-output"


async def run(args: argparse.Namespace) -> int:
    """Run the batch the arguments describe; return the exit code."""
    if args.out is None:
        args.out = tempfile.mkdtemp(prefix="batch-") if args.emulator else DEFAULT_OUT
        print(f"writing to {args.out} (choose with --out)")
    out = Path(args.out)
    csv_path = Path(args.csv) if args.csv else out / "sample-prompts.csv"
    if not args.csv:
        await anyio.Path(out).mkdir(parents=True, exist_ok=True)
        await anyio.Path(csv_path).write_text(SAMPLE_CSV, encoding="utf-8")
        print(f"no CSV given: using the sample {csv_path}")
    rows = await anyio.to_thread.run_sync(read_rows, csv_path)
    async with open_client(emulator=args.emulator, speed=args.speed) as client:
        report = await generate_all(
            client,
            rows,
            out,
            max_concurrency=args.concurrency,
            model=args.model,
            on_progress=print,
        )
    print(
        f"\n{len(report.done)} generated, {len(report.resumed)} resumed, "
        f"{len(report.skipped)} already done, {len(report.failed)} failed; "
        f"journal: {out / JOURNAL_NAME}"
    )
    return 1 if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns 0 when every row is done, 1 when some failed, 2 on a
    fatal error (bad CSV, refused key, no credits)."""
    parser = argparse.ArgumentParser(description="Generate a song per CSV row.")
    parser.add_argument("csv", nargs="?", help="CSV with title,tags,prompt columns")
    parser.add_argument(
        "--out",
        default=None,
        help=f"folder for audio and journal (default {DEFAULT_OUT}; with --emulator a new "
        "temporary folder)",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="rows at once (4)")
    parser.add_argument("--model", default="chirp-v55", help="model to generate with")
    parser.add_argument("--emulator", action="store_true", help="use the in-process emulator")
    parser.add_argument("--speed", type=float, default=100.0, help="emulator speed-up (100)")
    args = parser.parse_args(argv)
    if not args.csv and not args.emulator:
        parser.error("give a CSV file (or --emulator to try a sample)")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    try:
        return anyio.run(run, args)
    except (ValueError, OSError, SunoError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
