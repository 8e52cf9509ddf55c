"""``suno-async batch``: run a CSV or JSON Lines file of jobs (``run``), look at a job store
(``status``), run its failed rows again (``retry``) and write out its results (``export``).

``run FILE`` journals every row in a job store, by default ``FILE.db`` beside the file
(``rows.csv`` -> ``rows.csv.db``), so each rows file has its own store and a rerun of the same
command finds it: what is done is skipped, what was submitted is waited for, what the provider
failed is sent again, and a paid request whose answer was lost is not sent again unless
``--resend-if-ambiguous``.

Progress goes to standard error: one line redrawn in place on a terminal, a line every
:data:`LINE_INTERVAL` seconds otherwise (``--quiet``: none; ``--json --events``: every event as
a JSON line). A row that fails or is left ambiguous is printed as it ends, with its line
number. The summary goes to standard output (``--json``: one object).

Exit codes follow :mod:`suno_async.cli._exit`: 0 when every row of the run is done; the code
of the error that stopped the batch (3 key refused, 4 out of credits or ``--max-credits``, 1
forbidden); else 8 when a row is ambiguous, 6 when a row failed, 2 when a row is malformed (and
only then); 130 on Ctrl-C, after printing the command that carries on.

With ``--emulator`` the emulator lives inside the command, so a rerun talks to a fresh one that
knows none of the earlier run's tasks. The store remembers that it was run on the embedded
emulator (its ``cli.endpoint`` meta value); a rerun on the emulator starts again the rows that
were under way (their work and fake credits went with the old emulator: nothing real is paid
twice), and the store is refused against a real service, and the other way round, since task
ids and results of one mean nothing to the other.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import os
import shlex
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Final, TextIO

import anyio
import anyio.to_thread
import msgspec

from suno_async._core._batch import RowError, job_key
from suno_async._core._budget import TallyState
from suno_async._core._exceptions import (
    AuthenticationError,
    ConfigError,
    CreditBudgetError,
    InsufficientCreditsError,
    PermissionDeniedError,
    SunoError,
)
from suno_async._core._store import JOB_STATUSES, JobStatus, JobStore
from suno_async.batch import (
    BatchEvent,
    BatchProgress,
    BatchSummary,
    RowEvent,
    RowFinished,
    export_results,
    retry_batch,
    run_batch,
)
from suno_async.batch._rows import KINDS, read_rows
from suno_async.cli import _convert
from suno_async.cli._exit import (
    EXIT_AMBIGUOUS,
    EXIT_AUTH,
    EXIT_CREDITS,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TASK_FAILED,
    EXIT_USAGE,
    error_object,
    exit_code_for,
    hint_for,
    one_line,
)
from suno_async.cli._parser import (
    DEFAULT_EMULATOR_SPEED,
    SHARED_OPTIONS,
    Commands,
    Handler,
    Parser,
    UsageError,
    add_command,
    add_shared_options,
    cli_terms,
    shared_option,
)
from suno_async.cli._progress import Display, RetryNotice, forward_warnings, stderr_line
from suno_async.cli._run import Options, connect, resolve_options, table
from suno_async.cli._worker import DEFAULT_TASK_QUEUE, load_temporal, report_error
from suno_async.mountsea._client import MountseaClient
from suno_async.mountsea._constants import API_KEY_ENV as MOUNTSEA_KEY_ENV
from suno_async.sunoapi._client import SunoapiClient
from suno_async.sunoapi._constants import API_KEY_ENV as SUNOAPI_KEY_ENV

__all__ = [
    "LINE_INTERVAL",
    "STORE_SUFFIX",
    "BatchDisplay",
    "add_commands",
    "batch_exit_code",
    "count_rows",
    "default_store",
]

#: The default store of ``run FILE`` is ``FILE`` + this.
STORE_SUFFIX: Final = ".db"
#: Seconds between two progress lines when standard error is not a terminal.
LINE_INTERVAL: Final = 10.0
#: Seconds between two redraws of the progress line on a terminal.
REDRAW_INTERVAL: Final = 0.2
#: The store's meta value saying what it was run against: ``emulator`` or ``service``.
ENDPOINT_META: Final = "cli.endpoint"
#: The store's meta value holding the command that carries the batch on.
RESUME_META: Final = "cli.resume"
DEFAULT_CONCURRENCY: Final = 8
#: Statuses a rerun on a fresh embedded emulator starts again (their work died with the old one).
_UNDER_WAY: Final[tuple[JobStatus, ...]] = ("pending", "running", "ambiguous", "failed")
#: The error types that stop a batch, by name (``BatchSummary.stopped`` starts with it).
_STOP_CODES: Final = {
    AuthenticationError.__name__: EXIT_AUTH,
    InsufficientCreditsError.__name__: EXIT_CREDITS,
    CreditBudgetError.__name__: EXIT_CREDITS,
    PermissionDeniedError.__name__: EXIT_ERROR,
}


def default_store(rows_file: str) -> str:
    """The store of a rows file when ``--store`` is not given: ``rows.csv`` -> ``rows.csv.db``
    (the whole name is kept, so ``rows.csv`` and ``rows.jsonl`` get a store each)."""
    return rows_file + STORE_SUFFIX


def count_rows(path: str | os.PathLike[str]) -> int | None:
    """How many rows ``path`` holds (for the ETA): CSV records after the header, or non-blank
    JSON lines, counted without decoding the rows; ``None`` if it cannot be read."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            if str(path).lower().endswith(".csv"):
                reader = csv.reader(handle)
                next(reader, None)
                return sum(1 for record in reader if any(record))
            return sum(1 for line in handle if line.strip())
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def batch_exit_code(statuses: Counter[str], stopped: str | None) -> int:
    """The exit code of a run whose rows ended in ``statuses`` (skipped ones included):
    the stopping error's code, else 8 (ambiguous), 6 (failed), 2 (malformed), 0."""
    if stopped:
        return _STOP_CODES.get(stopped.split(":", 1)[0], EXIT_ERROR)
    if statuses["ambiguous"]:
        return EXIT_AMBIGUOUS
    if statuses["failed"]:
        return EXIT_TASK_FAILED
    if statuses["invalid"]:
        return EXIT_USAGE
    return EXIT_OK


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{max(0.0, seconds):.1f}s"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def _rate(per_second: float) -> str:
    if per_second >= 1 or per_second == 0:
        return f"{per_second:.1f} rows/s"
    return f"{per_second * 60:.1f} rows/min"


# -- the progress display -----------------------------------------------------------------------


class BatchDisplay(Display):
    """A batch's progress on standard error, read from a :class:`BatchProgress`.

    ``mode``: ``live`` redraws one line in place (a terminal), ``lines`` writes it every
    ``interval`` seconds (and at the end), ``json`` writes each batch event as a JSON line,
    ``none`` shows nothing. ``total`` (rows expected, for the ETA) may be set later.
    """

    def __init__(
        self,
        progress: BatchProgress,
        *,
        mode: str,
        total: int | None = None,
        interval: float = LINE_INTERVAL,
        write: Callable[[str], None] = stderr_line,
        stream: TextIO | None = None,
    ) -> None:
        self.progress = progress
        self.mode = mode
        self.total = total
        self.interval = interval
        self._write = write
        self._stream = stream
        self._started = time.monotonic()
        self._last = self._started
        self._shown = ""
        self._closed = False

    def status_line(self) -> str:
        """``done/total rows``, the counts, credits, rate and ETA."""
        p = self.progress
        total = self.total
        head = f"{p.finished}/{total} rows" if total is not None else f"{p.finished} rows"
        parts = [
            head,
            f"done {p.done}" + (f" (+{p.skipped} before)" if p.skipped else ""),
            f"running {p.running}",
            f"failed {p.failed}",
            f"ambiguous {p.ambiguous}",
            f"invalid {p.invalid}",
            f"credits {p.spent} spent, {p.uncertain} uncertain",
        ]
        rate = p.rate()
        parts.append(_rate(rate))
        if total is not None and rate > 0 and total > p.finished and not p.stopped:
            parts.append(f"ETA {_duration(max(0, total - p.finished) / rate)}")
        return " | ".join(parts)

    def _elapsed(self) -> str:
        return f"[{time.monotonic() - self._started:6.2f}s]"

    def _out(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def _draw(self, text: str) -> None:
        out = self._out()
        out.write("\r\x1b[K" + text)
        out.flush()
        self._shown = text

    def tick(self) -> None:
        """Redraw the line (``live``) or write it if ``interval`` seconds went by (``lines``)."""
        if self._closed:
            return
        now = time.monotonic()
        if self.mode == "live":
            text = self.status_line()
            if text != self._shown:
                self._draw(text)
        elif self.mode == "lines" and now - self._last >= self.interval:
            self._last = now
            self._write(f"{self._elapsed()} {self.status_line()}")

    def event(self, event: BatchEvent) -> None:
        """Take one batch event: a failed or ambiguous row is shown as it ends."""
        if self._closed or self.mode == "none":
            return
        if self.mode == "json":
            self._write(msgspec.json.encode(event).decode())
            return
        if isinstance(event, RowFinished) and event.status in ("failed", "ambiguous"):
            where = f"line {event.line}" if event.line is not None else "row"
            self.message(f"{where} ({event.key}): {event.status}: {one_line(event.error or '')}")

    def message(self, text: str) -> None:
        if self._closed or self.mode == "none":
            return
        if self.mode == "json":
            self._write(msgspec.json.encode({"type": "Message", "message": text}).decode())
        elif self.mode == "live":
            out = self._out()
            out.write("\r\x1b[K" + text + "\n")
            out.flush()
            self._shown = ""
            self.tick()
        else:
            self._write(f"{self._elapsed()} {text}")

    def retry(self, notice: RetryNotice) -> None:
        if self.mode != "json":
            self.message(notice.text())

    def close(self) -> None:
        if self._closed:
            return
        if self.mode == "live":
            self._draw(self.status_line())
            self._out().write("\n")
            self._out().flush()
        elif self.mode == "lines":
            self._write(f"{self._elapsed()} {self.status_line()}")
        self._closed = True


def _display(opts: Options, progress: BatchProgress) -> BatchDisplay:
    if opts.quiet or (opts.json and not opts.events):
        mode = "none"
    elif opts.json:
        mode = "json"
    else:
        isatty = getattr(sys.stderr, "isatty", None)
        mode = "live" if callable(isatty) and isatty() else "lines"
    return BatchDisplay(progress, mode=mode)


# -- clients and the store ----------------------------------------------------------------------


@dataclasses.dataclass
class _Clients:
    mountsea: MountseaClient | None = None
    sunoapi: SunoapiClient | None = None

    def usage(self) -> dict[str, int]:
        clients = [c for c in (self.mountsea, self.sunoapi) if c is not None]
        return {
            "credits_spent": sum(c.credits_spent for c in clients),
            "credits_uncertain": sum(c.credits_uncertain for c in clients),
            "requests_made": sum(c.stats.requests for c in clients),
        }


def _given_provider(args: argparse.Namespace) -> str | None:
    value = shared_option(args, "provider")
    return value if isinstance(value, str) else None


@contextlib.asynccontextmanager
async def _open_clients(opts: Options, only: str | None) -> AsyncIterator[_Clients]:
    """A client of each provider the batch may use: with ``--emulator`` both (or ``only``),
    on one fresh embedded emulator; otherwise each provider whose key is set (``--api-key`` and
    ``--base-url`` are those of ``--provider``, mountsea by default).

    Raises:
        ConfigError: no key for any provider.
    """
    if opts.emulator:
        from suno_async._core._clock import SystemClock
        from suno_async.emulator import Emulator, EmulatorConfig

        speed = opts.speed or DEFAULT_EMULATOR_SPEED
        clock = SystemClock(speed)
        config = EmulatorConfig(speed=speed, api_key=opts.emulator_api_key)
        if opts.emulator_credits is not None:
            config = dataclasses.replace(
                config, credits=opts.emulator_credits, sunoapi_credits=opts.emulator_credits
            )
        async with Emulator(config, clock=clock) as emulator, contextlib.AsyncExitStack() as stack:
            clients = _Clients()
            key, url = opts.api_key or "emulator", emulator.base_url
            if only in (None, "mountsea"):
                clients.mountsea = await stack.enter_async_context(
                    MountseaClient(
                        api_key=key, base_url=url, clock=clock, max_credits=opts.max_credits
                    )
                )
            if only in (None, "sunoapi"):
                clients.sunoapi = await stack.enter_async_context(
                    SunoapiClient(
                        api_key=key, base_url=url, clock=clock, max_credits=opts.max_credits
                    )
                )
            yield clients
        return
    provider = only or opts.provider
    clients = _Clients()
    async with contextlib.AsyncExitStack() as stack:
        for name, kind, env in (
            ("mountsea", MountseaClient, MOUNTSEA_KEY_ENV),
            ("sunoapi", SunoapiClient, SUNOAPI_KEY_ENV),
        ):
            if only not in (None, name):
                continue
            mine = name == provider
            these = dataclasses.replace(
                opts,
                provider=name,
                api_key=opts.api_key if mine else None,
                base_url=opts.base_url if mine else None,
            )
            if not (these.api_key or os.environ.get(env, "").strip()):
                continue
            client, _ = await stack.enter_async_context(connect(these, kind))
            setattr(clients, name, client)
        if clients.mountsea is None and clients.sunoapi is None:
            raise ConfigError(
                f"no API key: set {MOUNTSEA_KEY_ENV} (generate and train_generate rows) and/or "
                f"{SUNOAPI_KEY_ENV} (pure_music rows), or pass --api-key; or add --emulator to "
                "try it offline.",
                argument="api_key",
            )
        yield clients


def _prepare_store(
    store: JobStore, opts: Options, display: BatchDisplay, *, retry_failed: bool
) -> None:
    """Check the store was run against the same kind of endpoint; on a fresh embedded
    emulator, start again the rows the old one had under way.

    Raises:
        ConfigError: the store was run on the emulator and this run is against a service, or
            the other way round.
    """
    endpoint = "emulator" if opts.emulator else "service"
    before = store.get_meta(ENDPOINT_META)
    if before is not None and before != endpoint:
        if before == "emulator":
            why = (
                "was run on the embedded emulator (--emulator): its tasks and results are the "
                "emulator's, unknown to the service"
            )
        else:
            why = (
                "was run against a real service: its submitted tasks (paid for) are unknown to "
                "the embedded emulator, which would make the rows run again there"
            )
        raise ConfigError(
            f"job store {store.path} {why}. Use another --store for this run.", argument="store"
        )
    if before is None:
        if store.totals().total and opts.emulator:
            # Made by run_batch from Python, or by a single-job journal: its journals may hold
            # paid work on a real service, which a fresh emulator would start over.
            raise ConfigError(
                f"job store {store.path} was not made by an --emulator run and holds rows whose "
                "journals may be real paid work; the embedded emulator cannot carry them on. "
                "Use another --store for this run.",
                argument="store",
            )
        store.set_meta(ENDPOINT_META, endpoint)
        return
    if not opts.emulator:
        return
    statuses = [s for s in _UNDER_WAY if retry_failed or s != "failed"]
    restarted = 0
    # A page at a time: a row's status leaves these once it is reset.
    for record in store.records(*statuses):
        if record.journal is None and record.status == "pending":
            continue
        store.update(
            record.key,
            status="pending",
            journal=None,
            credits=TallyState(),
            error=None,
        )
        restarted += 1
    if restarted:
        display.message(
            f"note: {restarted} row{'s were' if restarted != 1 else ' was'} under way on the "
            "emulator of an earlier run, which ended with that run: started again here (the "
            "emulator's credits are not real; nothing is paid twice)."
        )


# -- run and retry ------------------------------------------------------------------------------


def _resume_command(args: argparse.Namespace, opts: Options) -> str:
    """The command that carries this batch on (without any --api-key: the key stays out of
    output and of the store)."""
    words = _endpoint_words(args, opts)
    if args.batch_command == "run":
        words += ["batch", "run", args.file, "--store", args.store]
    else:
        words += ["batch", "retry", args.store]
    if args.concurrency != DEFAULT_CONCURRENCY:
        words += ["--concurrency", str(args.concurrency)]
    if args.out:
        words += ["--out", args.out]
    if args.resend_if_ambiguous:
        words.append("--resend-if-ambiguous")
    if getattr(args, "no_retry_failed", False):
        words.append("--no-retry-failed")
    if getattr(args, "kind", None):
        words += ["--kind", args.kind]
    return shlex.join(words)


def _retry_command(args: argparse.Namespace, opts: Options, *more: str) -> str:
    """``batch retry`` of this store, against the same endpoint as this run."""
    return shlex.join([*_endpoint_words(args, opts), "batch", "retry", *more, args.store])


def _endpoint_words(args: argparse.Namespace, opts: Options) -> list[str]:
    """``suno-async`` and the options that name this run's endpoint (never a key)."""
    words = ["suno-async"]
    if opts.emulator:
        words.append("--emulator")
        speed = shared_option(args, "speed")
        if speed is not None:
            words += ["--speed", f"{speed:g}"]
        if opts.emulator_credits is not None:
            words += ["--emulator-credits", str(opts.emulator_credits)]
        if opts.emulator_api_key is not None:
            words += ["--emulator-api-key", opts.emulator_api_key]
    else:
        if opts.base_url:
            words += ["--base-url", opts.base_url]
        if opts.speed is not None and shared_option(args, "speed") is not None:
            words += ["--speed", f"{opts.speed:g}"]
    provider = _given_provider(args)
    if provider:
        words += ["--provider", provider]
    if opts.timeout is not None:
        words += ["--timeout", f"{opts.timeout:g}"]
    if opts.max_credits is not None:
        words += ["--max-credits", str(opts.max_credits)]
    return words


def _check_run(args: argparse.Namespace) -> None:
    if args.batch_command == "run" and args.temporal is not None:
        _check_temporal(args)
        return
    if args.batch_command == "run":
        for option, given in (
            ("--wait", args.wait),
            ("--download", args.download),
            ("--task-queue", args.task_queue is not None),
            ("--namespace", args.namespace is not None),
        ):
            if given:
                raise UsageError(f"{option} goes with --temporal ADDRESS")
    args.options = resolve_options(args)
    if args.batch_command == "run":
        suffix = Path(args.file).suffix.lower()
        if suffix not in (".csv", ".jsonl", ".ndjson"):
            raise UsageError(f"{args.file}: batch rows are read from .csv or .jsonl files")
        if not Path(args.file).is_file():
            raise UsageError(f"cannot read {args.file}: no such file")
        if args.store is None:
            args.store = default_store(args.file)
        if not args.store.strip():
            raise UsageError("--store needs a file name")
        if args.kind is None and _given_provider(args) == "sunoapi":
            args.kind = "pure_music"
    elif not Path(args.store).is_file():
        raise UsageError(f"job store {args.store} does not exist")


class _Tracker:
    """The on_event handler: counts how each row ended (skipped ones too) and shows it."""

    def __init__(self, display: BatchDisplay) -> None:
        self.display = display
        self.statuses: Counter[str] = Counter()

    def __call__(self, event: BatchEvent) -> None:
        if isinstance(event, RowFinished):
            self.statuses[event.status] += 1
        if isinstance(event, RowFinished | RowEvent):
            self.display.event(event)


async def _tick(display: BatchDisplay) -> None:
    while True:
        display.tick()
        await anyio.sleep(REDRAW_INTERVAL)


async def _run(
    args: argparse.Namespace,
    opts: Options,
    store: JobStore,
    display: BatchDisplay,
    tracker: _Tracker,
    usage: dict[str, int],
) -> BatchSummary:
    only = _given_provider(args)
    async with _open_clients(opts, only) as clients, anyio.create_task_group() as group:
        group.start_soon(_tick, display)
        common: dict[str, Any] = {
            "mountsea": clients.mountsea,
            "sunoapi": clients.sunoapi,
            "concurrency": args.concurrency,
            "directory": args.out,
            "resend_if_ambiguous": args.resend_if_ambiguous,
            "timeout": opts.timeout,
            "on_event": tracker,
            "progress": display.progress,
        }
        try:
            if args.batch_command == "run":

                async def count() -> None:
                    display.total = await anyio.to_thread.run_sync(count_rows, args.file)

                group.start_soon(count)
                summary = await run_batch(
                    args.file,
                    store=store,
                    retry_failed=not args.no_retry_failed,
                    default_kind=args.kind or "generate",
                    **common,
                )
            else:
                summary = await retry_batch(store, **common)
        finally:
            usage.update(clients.usage())
        group.cancel_scope.cancel()
    return summary


def _summary_output(
    args: argparse.Namespace,
    opts: Options,
    summary: BatchSummary,
    usage: dict[str, int],
    code: int,
    resume: str,
) -> tuple[dict[str, Any], list[str]]:
    totals = summary.totals
    data: dict[str, Any] = {
        "command": f"batch {args.batch_command}",
        "store": args.store,
        "file": getattr(args, "file", None),
        "done": summary.done,
        "skipped": summary.skipped,
        "failed": summary.failed,
        "ambiguous": summary.ambiguous,
        "invalid": summary.invalid,
        "stopped": summary.stopped,
        "seconds": round(summary.seconds, 3),
        "complete": summary.complete,
        "totals": {
            "rows": totals.total,
            "counts": totals.counts,
            "spent": totals.spent,
            "uncertain": totals.uncertain,
            "unpriced": totals.unpriced,
        },
        "row_errors": [msgspec.to_builtins(error) for error in summary.row_errors],
        "exit_code": code,
        **usage,
    }
    counts = ", ".join(f"{n} {status}" for status, n in totals.counts.items() if n)
    rows: list[tuple[str, object]] = [
        (
            "this run",
            f"{summary.done} done, {summary.skipped} skipped (done before), {summary.failed} "
            f"failed, {summary.ambiguous} ambiguous, {summary.invalid} invalid, in "
            f"{_duration(summary.seconds)}",
        ),
        ("store", f"{args.store}: {totals.total} rows" + (f" ({counts})" if counts else "")),
        (
            "credits",
            f"{usage['credits_spent']} spent this run, {usage['credits_uncertain']} uncertain; "
            f"store: {totals.spent} spent, {totals.uncertain} uncertain"
            + (f", {totals.unpriced} calls of unknown price" if totals.unpriced else ""),
        ),
    ]
    rows += [
        ("invalid", f"line {e.line}: {one_line(e.message)}" if e.line else one_line(e.message))
        for e in summary.row_errors
    ]
    if summary.stopped:
        rows.append(("stopped", one_line(summary.stopped)))
        rows.append(("resume", f"{resume}   (once the cause is fixed)"))
    elif totals.counts.get("ambiguous"):
        rows.append(
            (
                "ambiguous",
                "a paid request's answer was lost: look for the work among the account's recent "
                f"tasks; '{_retry_command(args, opts, '--resend-if-ambiguous')}' sends it again "
                "(it may bill twice)",
            )
        )
    if totals.counts.get("failed") and not summary.stopped:
        rows.append(("retry", _retry_command(args, opts)))
    return data, table(rows)


def _report_error(exc: BaseException, args: argparse.Namespace, opts: Options) -> int:
    code = exit_code_for(exc)
    message = cli_terms(str(exc), args.command_parser) if isinstance(exc, SunoError) else str(exc)
    hint = hint_for(exc, command="batch", key_env=opts.key_env, emulator=False)
    secrets = opts.secrets()
    text = one_line(message or type(exc).__name__, secrets=secrets)
    if opts.json:
        payload = error_object(exc, message=text, code=code, hint=hint)
        stderr_line(msgspec.json.encode(payload).decode())
    else:
        stderr_line(
            f"suno-async batch {args.batch_command}: error: {text}" + (f" {hint}" if hint else "")
        )
    return code


def _execute_run(args: argparse.Namespace) -> int:
    if getattr(args, "temporal", None) is not None:
        return _execute_temporal(args)
    opts: Options = args.options
    progress = BatchProgress()
    display = _display(opts, progress)
    tracker = _Tracker(display)
    usage: dict[str, int] = {"credits_spent": 0, "credits_uncertain": 0, "requests_made": 0}
    resume = _resume_command(args, opts)
    counts: dict[str, int] = {}
    try:
        with display, forward_warnings(display), JobStore.open(args.store) as store:
            _prepare_store(
                store, opts, display, retry_failed=not getattr(args, "no_retry_failed", False)
            )
            store.set_meta(RESUME_META, resume)
            if args.batch_command == "retry":
                statuses = ["failed", "pending", "running"]
                if args.resend_if_ambiguous:
                    statuses.append("ambiguous")
                counts = store.totals().counts
                display.total = sum(counts.get(s, 0) for s in statuses)
            try:
                summary = anyio.run(_run, args, opts, store, display, tracker, usage)
            except KeyboardInterrupt:
                counts = store.totals().counts
                raise
    except KeyboardInterrupt:
        return _interrupted(args, opts, progress, counts, resume)
    except BrokenPipeError:
        raise
    except (SunoError, OSError) as exc:
        return _report_error(exc, args, opts)
    code = batch_exit_code(tracker.statuses, summary.stopped)
    data, lines = _summary_output(args, opts, summary, usage, code, resume)
    if opts.json:
        print(msgspec.json.encode(data).decode(), flush=True)
    else:
        for line in lines:
            print(line, flush=True)
    return code


def _interrupted(
    args: argparse.Namespace,
    opts: Options,
    progress: BatchProgress,
    counts: dict[str, int],
    resume: str,
) -> int:
    kept = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    text = (
        f"interrupted after {progress.done} rows done this run; {args.store} keeps every row's "
        f"state" + (f" ({kept})" if kept else "") + "."
    )
    if opts.json:
        payload: dict[str, object] = {
            "error": text,
            "type": "KeyboardInterrupt",
            "exit_code": EXIT_INTERRUPTED,
            "hint": "Run the resume command to carry on.",
            "resume": resume,
        }
        stderr_line(msgspec.json.encode(payload).decode())
    else:
        stderr_line(f"suno-async batch {args.batch_command}: {text}")
        stderr_line(f"Resume with: {resume}")
    return EXIT_INTERRUPTED


# -- status and export --------------------------------------------------------------------------


def _check_reader(args: argparse.Namespace) -> None:
    """status and export take only the output options (--json, --quiet)."""
    for name in SHARED_OPTIONS:
        if name in ("json", "quiet", "events"):
            continue
        if shared_option(args, name) is not None:
            option = "--" + name.replace("_", "-")
            raise UsageError(
                f"{option} is not an option of batch {args.batch_command}, which only reads the "
                "store"
            )
    if not Path(args.store).is_file():
        raise UsageError(f"job store {args.store} does not exist")
    args.json = bool(shared_option(args, "json"))


def _execute_status(args: argparse.Namespace) -> int:
    try:
        with JobStore.open(args.store, readonly=True) as store:
            totals = store.totals()
            resume = store.get_meta(RESUME_META)
            endpoint = store.get_meta(ENDPOINT_META)
    except SunoError as exc:
        return _report_error(exc, args, Options(json=args.json))
    data: dict[str, Any] = {
        "command": "batch status",
        "store": args.store,
        "rows": totals.total,
        "counts": totals.counts,
        "spent": totals.spent,
        "uncertain": totals.uncertain,
        "unpriced": totals.unpriced,
        "complete": totals.total > 0 and totals.counts.get("done", 0) == totals.total,
        "endpoint": endpoint,
        "resume": resume,
    }
    if args.json:
        print(msgspec.json.encode(data).decode(), flush=True)
        return EXIT_OK
    rows: list[tuple[str, object]] = [("store", args.store), ("rows", totals.total)]
    rows += [(status, totals.counts.get(status, 0)) for status in JOB_STATUSES]
    rows += [
        ("spent", f"{totals.spent} credits"),
        ("uncertain", f"{totals.uncertain} credits (paid requests whose answer was lost)"),
        ("unpriced", f"{totals.unpriced} calls of unknown price"),
    ]
    if resume and not data["complete"]:
        rows.append(("resume", resume))
    for line in table(rows):
        print(line, flush=True)
    return EXIT_OK


def _export_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output and args.output.lower().endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return "csv"


def _execute_export(args: argparse.Namespace) -> int:
    fmt = _export_format(args)
    to_stdout = args.output in (None, "-")
    try:
        with contextlib.ExitStack() as stack:
            if to_stdout:
                out: TextIO = sys.stdout
            else:
                out = stack.enter_context(open(args.output, "w", encoding="utf-8", newline=""))
            count = export_results(
                args.store,
                out,
                format="jsonl" if fmt == "jsonl" else "csv",
                statuses=args.status or (),
            )
            out.flush()
    except BrokenPipeError:
        raise  # the reader went away: main() stops quietly
    except (SunoError, OSError) as exc:
        return _report_error(exc, args, Options(json=args.json))
    if not to_stdout and not shared_option(args, "quiet"):
        if args.json:
            payload = {"command": "batch export", "rows": count, "output": args.output}
            print(msgspec.json.encode(payload).decode(), flush=True)
        else:
            print(f"wrote {count} rows to {args.output} ({fmt})", flush=True)
    return EXIT_OK


# -- the parsers --------------------------------------------------------------------------------

_ROWS_HELP: Final = """\
rows (one job each; see the README's "Batches"):
  a CSV file with a header, or a JSON Lines file (one object per line). A "kind" column
  picks the job (default --kind, else generate):
    generate        mountsea: the other columns are generate's fields
                    (tags, prompt, title, model, task, make_instrumental, ...)
    train_generate  mountsea: name, audio_urls (separated by spaces or |), clip_count;
                    other columns generate a song with the new model
    pure_music      sunoapi: tags, title
  "key" (or "id") names the row in the store; without it, a hash of the row's content."""


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``batch`` and its ``run``, ``status``, ``retry`` and ``export``."""
    batch = add_command(
        commands,
        "batch",
        handler=Handler(check=lambda args: None, execute=lambda args: EXIT_USAGE),
        summary="run thousands of jobs from a CSV or JSONL file, resumably",
        description="""\
Run a file of jobs (generations, trainings, pure music) a few at a time, each journaled in a
job store (SQLite), so a rerun carries on where a run stopped: what is done is skipped, what
was submitted is waited for, and a paid request whose answer was lost is never sent again
unless asked.""",
        epilog="""\
examples:
  suno-async --emulator batch run rows.csv          # offline; Ctrl-C, then run it again
  suno-async batch run songs.csv --concurrency 4 --out songs/
  suno-async batch status songs.csv.db
  suno-async batch retry songs.csv.db
  suno-async batch export songs.csv.db --output results.csv""",
    )
    sub = batch.add_subparsers(dest="batch_command", required=True, metavar="SUBCOMMAND")
    runner = Handler(check=_check_run, execute=_execute_run)
    run = add_command(
        sub,
        "run",
        handler=runner,
        summary="run the rows of a CSV or JSONL file (a rerun carries on)",
        description=f"""\
Run every row of FILE, at most --concurrency at a time, each journaled in the job store
(default FILE{STORE_SUFFIX}). Running the same command again skips the rows that are done,
waits for those submitted, sends again those the provider failed, and does not send again a
paid request whose answer was lost (unless --resend-if-ambiguous). Ctrl-C keeps every row's
state and prints the command that carries on. Progress on standard error; the summary on
standard output (--json: one object).

Rows of both providers may be mixed: a mountsea client is used when MOUNTSEA_API_KEY is set,
a sunoapi client when SUNOAPI_API_KEY is (with --emulator, both); --provider keeps to one.
--max-credits is the budget of each provider's client.

{_ROWS_HELP}""",
        epilog="""\
exit codes of a run:
  0    every row is done      6    a row failed (batch retry STORE runs it again)
  8    a row is ambiguous     2    a row is malformed (fix it and run again), or bad usage
  3/4  the batch stopped: key refused / out of credits or --max-credits (1: forbidden)
  130  interrupted (Ctrl-C): run the printed command to carry on

examples:
  suno-async --emulator batch run rows.csv
  suno-async batch run songs.csv --out songs/ --concurrency 4 --max-credits 4000
  suno-async --json batch run songs.jsonl | jq .totals
  suno-async batch run songs.csv --temporal localhost:7233 --wait   # on a fleet of workers""",
    )
    run.add_argument("file", metavar="FILE", help="the rows: a .csv or .jsonl file")
    run.add_argument(
        "--store",
        metavar="PATH",
        help=f"the job store (SQLite; default FILE{STORE_SUFFIX}, beside the file)",
    )
    _add_run_options(run)
    run.add_argument(
        "--no-retry-failed",
        action="store_true",
        help="leave the rows the provider failed in an earlier run as they are",
    )
    run.add_argument(
        "--kind",
        choices=sorted(KINDS),
        help="the kind of rows without a kind column (default generate; pure_music with "
        "--provider sunoapi)",
    )
    _add_temporal_options(run)
    add_shared_options(run, provider=True)

    retry = add_command(
        sub,
        "retry",
        handler=runner,
        summary="run the store's failed and unfinished rows again (no file needed)",
        description="""\
Run again the rows of STORE that are not done: failed, pending or cut short, from the jobs as
stored (the rows file is not needed). Ambiguous rows (a paid request whose answer was lost)
are left alone unless --resend-if-ambiguous, which sends them again and MAY BILL TWICE: look
for the work among the account's recent tasks first.""",
        epilog="""\
examples:
  suno-async batch retry songs.csv.db
  suno-async batch retry songs.csv.db --resend-if-ambiguous   # may bill twice""",
    )
    retry.add_argument("store", metavar="STORE", help="the job store of an earlier run")
    _add_run_options(retry)
    add_shared_options(retry, provider=True)

    status = add_command(
        sub,
        "status",
        handler=Handler(check=_check_reader, execute=_execute_status),
        summary="count a store's rows per status, and their credits",
        description="""\
Count the rows of STORE per status (pending, running, done, failed, ambiguous, invalid) and
their credits: spent, uncertain (a paid request's answer was lost) and calls of unknown price.
Reads the store without locking it: it works while a run goes on.""",
        epilog="""\
examples:
  suno-async batch status songs.csv.db
  suno-async --json batch status songs.csv.db | jq .counts""",
    )
    status.add_argument("store", metavar="STORE", help="the job store")
    add_shared_options(status, connection=False)

    export = add_command(
        sub,
        "export",
        handler=Handler(check=_check_reader, execute=_execute_export),
        summary="write a store's results as CSV or JSON Lines",
        description="""\
Write one line per row of STORE: key, line, kind, status, error, credits spent and uncertain,
task id, clip ids, audio URLs, files and model id. CSV puts lists in one cell, separated by
spaces. Reads the store without locking it.""",
        epilog="""\
examples:
  suno-async batch export songs.csv.db --output results.csv
  suno-async batch export songs.csv.db --format jsonl --status failed ambiguous""",
    )
    export.add_argument("store", metavar="STORE", help="the job store")
    export.add_argument(
        "--format",
        choices=("csv", "jsonl"),
        help="csv or jsonl (default: jsonl for an --output ending .jsonl, else csv)",
    )
    export.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE (default: standard output)"
    )
    export.add_argument(
        "--status",
        nargs="+",
        action="extend",
        choices=JOB_STATUSES,
        metavar="STATUS",
        help=f"only rows of these statuses ({', '.join(JOB_STATUSES)})",
    )
    add_shared_options(export, connection=False)


def _add_run_options(parser: Parser) -> None:
    parser.add_argument(
        "--concurrency",
        type=_convert.positive_int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help="rows worked on at once (default %(default)s)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="download each row's audio into DIR/<row key>/ (default: no downloads)",
    )
    parser.add_argument(
        "--resend-if-ambiguous",
        action="store_true",
        help="send again a paid request whose answer was lost (it may bill twice)",
    )


# -- run --temporal: the rows as workflows on a fleet -------------------------------------------

#: How a job's workflow ended, in the order of the summary.
_OUTCOMES: Final = ("done", "ambiguous", "failed", "refused")
#: Outcomes awaited at once by --wait.
_WAITS: Final = 64
#: Options of run that mean nothing when the rows run on the workers, and why.
_NOT_WITH_TEMPORAL: Final = (
    ("store", "--store", "Temporal keeps each job's state (its workflow), not a job store"),
    ("out", "--out", "the workers download: --download, and 'suno-async worker --directory DIR'"),
    ("no_retry_failed", "--no-retry-failed", "a job's workflow runs once"),
)
#: Shared options that are the workers' business (they call the provider), not the producer's.
_WORKER_OPTIONS: Final = (
    "base_url",
    "api_key",
    "emulator",
    "emulator_api_key",
    "emulator_credits",
    "timeout",
    "max_credits",
    "events",
)


def _add_temporal_options(parser: Parser) -> None:
    fleet = parser.add_argument_group(
        "a fleet (Temporal; needs pip install 'suno_async[temporal]')",
        "Submit each row as a workflow (one per row key) to a Temporal server, for the workers\n"
        "('suno-async worker --temporal ADDRESS') to run; submitting again starts nothing new.",
    )
    fleet.add_argument(
        "--temporal",
        metavar="ADDRESS",
        help="submit the rows to the Temporal server at ADDRESS (host:port) instead of running "
        "them here",
    )
    fleet.add_argument(
        "--task-queue",
        metavar="NAME",
        help=f"with --temporal, the workers' task queue (default {DEFAULT_TASK_QUEUE})",
    )
    fleet.add_argument(
        "--namespace", metavar="NAME", help="with --temporal, the namespace (default default)"
    )
    fleet.add_argument(
        "--wait",
        action="store_true",
        help="with --temporal, wait for every job's outcome and print the summary",
    )
    fleet.add_argument(
        "--download",
        action="store_true",
        help="with --temporal, have the workers download each job's audio (into their --directory)",
    )


def _check_temporal(args: argparse.Namespace) -> None:
    """``run FILE --temporal``: only the options that concern submitting (and waiting)."""
    for dest, option, why in _NOT_WITH_TEMPORAL:
        if getattr(args, dest):
            raise UsageError(f"{option} does not go with --temporal: {why}")
    for name in _WORKER_OPTIONS:
        if shared_option(args, name) is not None:
            option = "--" + name.replace("_", "-")
            raise UsageError(
                f"{option} does not go with --temporal: the workers call the provider; give it "
                "to 'suno-async worker'"
            )
    if _given_provider(args) == "sunoapi":
        raise UsageError("--temporal runs mountsea jobs only (pure_music is not run on Temporal)")
    if not args.temporal.strip():
        raise UsageError("argument --temporal: the Temporal server's address (host:port)")
    suffix = Path(args.file).suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise UsageError(f"{args.file}: batch rows are read from .csv or .jsonl files")
    if not Path(args.file).is_file():
        raise UsageError(f"cannot read {args.file}: no such file")
    speed = shared_option(args, "speed")
    args.options = Options(
        json=bool(shared_option(args, "json")),
        quiet=bool(shared_option(args, "quiet")),
        speed=speed if isinstance(speed, float) else None,
    )
    args.task_queue = args.task_queue or DEFAULT_TASK_QUEUE
    args.namespace = args.namespace or "default"


def _temporal_exit_code(outcomes: Counter[str], malformed: int) -> int:
    """Refused (budget or provider: nothing charged) 4, else ambiguous 8, failed 6,
    malformed 2, 0."""
    if outcomes["refused"]:
        return EXIT_CREDITS
    if outcomes["ambiguous"]:
        return EXIT_AMBIGUOUS
    if outcomes["failed"]:
        return EXIT_TASK_FAILED
    if malformed:
        return EXIT_USAGE
    return EXIT_OK


def _row_error(error: RowError) -> RowError:
    if error.message.startswith("not a Temporal job"):  # a pure_music row (sunoapi)
        message = f"{error.message}: pure_music rows are not run on Temporal yet"
        return RowError(line=error.line, message=message, key=error.key)
    return error


async def _submit_and_wait(
    args: argparse.Namespace, opts: Options, temporal: Any
) -> tuple[dict[str, Any], list[str], int]:
    lines: dict[str, int] = {}

    def rows() -> Any:
        for item in read_rows(args.file, default_kind=args.kind or "generate"):
            if isinstance(item, tuple):
                lines.setdefault(job_key(item[1]), item[0])
            yield item

    try:
        client = await temporal.connect(args.temporal, namespace=args.namespace)
    except RuntimeError as exc:  # temporalio's "Failed client connect: ..."
        raise ConnectionError(f"cannot reach Temporal at {args.temporal}: {exc}") from None
    options = None if opts.speed is None else temporal.JobOptions(poll_scale=1 / opts.speed)
    submission = await temporal.submit_batch(
        rows(),
        client,
        task_queue=args.task_queue,
        download=args.download,
        resend_if_ambiguous=args.resend_if_ambiguous,
        options=options,
        concurrency=args.concurrency,
    )
    errors = [_row_error(e) for e in submission.row_errors]
    jobs: dict[str, Any] = {}
    for job in submission.jobs:  # a key given twice is one workflow
        jobs.setdefault(job.workflow_id, job)
    started = sum(1 for job in jobs.values() if job.started)
    already = len(jobs) - started
    results: dict[str, Any] = {}
    if args.wait:
        if not (opts.quiet or opts.json):
            stderr_line(f"waiting for {len(jobs)} jobs on the workers of {args.task_queue}...")
        limiter = anyio.CapacityLimiter(_WAITS)

        async def wait(workflow_id: str, key: str) -> None:
            async with limiter:
                try:
                    outcome = await temporal.job_outcome(client, workflow_id)
                except Exception as exc:  # the workflow failed, was terminated, is unknown
                    outcome = temporal.JobOutcome(
                        key=key, status="failed", error=f"{type(exc).__name__}: {exc}"
                    )
            results[workflow_id] = outcome
            if outcome.status != "done" and not (opts.quiet or opts.json):
                line = lines.get(key)
                where = f"line {line}" if line is not None else "row"
                stderr_line(f"{where} ({key}): {outcome.status}: {one_line(outcome.error or '')}")

        async with anyio.create_task_group() as group:
            for workflow_id, job in jobs.items():
                group.start_soon(wait, workflow_id, job.key)
    statuses = Counter(outcome.status for outcome in results.values())
    creates = sum(outcome.creates_sent for outcome in results.values())
    generates = sum(outcome.generates_sent for outcome in results.values())
    code = _temporal_exit_code(statuses, len(errors))

    workflows: list[dict[str, Any]] = []
    for workflow_id, job in jobs.items():
        entry: dict[str, Any] = {
            "key": job.key,
            "line": lines.get(job.key),
            "workflow_id": workflow_id,
            "started": job.started,
        }
        outcome = results.get(workflow_id)
        if outcome is not None:
            entry |= msgspec.to_builtins(outcome)
        workflows.append(entry)
    data: dict[str, Any] = {
        "command": "batch run",
        "file": args.file,
        "temporal": args.temporal,
        "namespace": args.namespace,
        "task_queue": args.task_queue,
        "jobs": len(jobs),
        "started": started,
        "already": already,
        "malformed": len(errors),
        "row_errors": [msgspec.to_builtins(error) for error in errors],
        "outcomes": {status: statuses[status] for status in _OUTCOMES} if args.wait else None,
        "creates_sent": creates if args.wait else None,
        "generates_sent": generates if args.wait else None,
        "workflows": workflows,
        "exit_code": code,
    }
    rows_out: list[tuple[str, object]] = [
        ("temporal", f"{args.temporal}, task queue {args.task_queue} (namespace {args.namespace})"),
        (
            "submitted",
            f"{len(jobs)} job{'' if len(jobs) == 1 else 's'}: {started} started, {already} "
            f"already there (not started again), {len(errors)} malformed",
        ),
    ]
    rows_out += [
        ("malformed", f"line {e.line}: {one_line(e.message)}" if e.line else one_line(e.message))
        for e in errors
    ]
    if args.wait:
        rows_out += [
            ("outcomes", ", ".join(f"{statuses[status]} {status}" for status in _OUTCOMES)),
            (
                "requests",
                f"{creates} creates, {generates} generates sent (the credits are counted in the "
                "workers' ledger)",
            ),
        ]
        if statuses["ambiguous"]:
            rows_out.append(
                (
                    "ambiguous",
                    "a paid request's answer was lost: look for the work among the account's "
                    "recent tasks before submitting it again under a new key",
                )
            )
    else:
        words = ["suno-async", "batch", "run", args.file, "--temporal", args.temporal]
        if args.task_queue != DEFAULT_TASK_QUEUE:
            words += ["--task-queue", args.task_queue]
        if args.namespace != "default":
            words += ["--namespace", args.namespace]
        rows_out.append(("wait", f"{shlex.join([*words, '--wait'])}   (submits nothing new)"))
    return data, table(rows_out), code


def _execute_temporal(args: argparse.Namespace) -> int:
    opts: Options = args.options
    try:
        temporal = load_temporal()
    except ConfigError as exc:
        return report_error(exc, args, opts, command="batch run")
    try:
        data, lines, code = anyio.run(_submit_and_wait, args, opts, temporal)
    except KeyboardInterrupt:
        text = (
            "interrupted: the jobs submitted so far run on the workers; run the same command "
            "again to submit the rest and wait (nothing is started twice)."
        )
        if opts.json:
            payload = {"error": text, "type": "KeyboardInterrupt", "exit_code": EXIT_INTERRUPTED}
            stderr_line(msgspec.json.encode(payload).decode())
        else:
            stderr_line(f"suno-async batch run: {text}")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise
    except (SunoError, OSError) as exc:
        return report_error(exc, args, opts, command="batch run")
    if opts.json:
        print(msgspec.json.encode(data).decode(), flush=True)
    else:
        for line in lines:
            print(line, flush=True)
    return code
