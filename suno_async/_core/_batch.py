"""Batches: many jobs run a few at a time, each journaled in one row of a job store.

The runner is the same whatever the jobs are: a provider defines job kinds (:class:`Job`) and
the runner feeds them to its workflows with a journal and a credit tally kept in the job's row
of the store (:mod:`suno_async._core._store`). Rows stream in, and at most ``concurrency`` jobs
are held at once, so memory does not grow with the batch.

What a rerun of the same rows does with each job follows from its row: ``done`` is skipped;
anything else runs again from its journal, where the workflow decides: work that was submitted
is waited for, work the provider failed is sent again, and a paid request whose answer was lost
is not sent again unless ``resend_if_ambiguous`` (the row stays ``ambiguous``).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Final, Protocol, TypeAlias, TypeVar

import anyio
import msgspec
from anyio.streams.memory import MemoryObjectReceiveStream

from suno_async._core._budget import CURRENT_TALLY, Tally, TallyState
from suno_async._core._events import Event, EventHandler, emit
from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    AuthenticationError,
    ConfigError,
    CreditBudgetError,
    InsufficientCreditsError,
    PermissionDeniedError,
    StoreBusyError,
    SunoError,
    WrongBaseURLError,
)
from suno_async._core._journal import Journal, StoreJournal
from suno_async._core._models import Clip
from suno_async._core._store import JobRecord, JobStatus, JobStore, Totals

__all__ = [
    "BatchEvent",
    "BatchEventHandler",
    "BatchProgress",
    "BatchSummary",
    "Job",
    "JobContext",
    "JobResult",
    "RowError",
    "RowEvent",
    "RowFinished",
    "job_key",
    "run_jobs",
]

logger = logging.getLogger("suno_async")

#: Failures that would fail every other job the same way: they stop the batch (no new job
#: starts; jobs under way finish). So does an ``OSError`` (the audio cannot be written).
STOPPING: Final = (
    AuthenticationError,
    PermissionDeniedError,
    InsufficientCreditsError,
    CreditBudgetError,
    WrongBaseURLError,
)
_ENCODER: Final = msgspec.json.Encoder()
#: How many rows already in the store a run reads before it writes their stamps (one commit).
_STAMPS_PER_WRITE: Final = 256
#: Jobs are encoded with their members sorted, so that the same job (its columns or members
#: in another order) has the same key and the same stored spec.
_JOB_ENCODER: Final = msgspec.json.Encoder(order="sorted")


class Job(Protocol):
    """One job of a batch: a provider's msgspec Struct with a ``kind`` tag."""

    #: The provider whose client runs it (``"mountsea"``, ``"sunoapi"``).
    provider: ClassVar[str]

    @property
    def key(self) -> str | None:
        """The job's key as given (``None``: derived from its content, see :func:`job_key`)."""
        ...

    async def run(
        self, client: Any, open_journal: Callable[[Any], Journal[Any]], context: JobContext
    ) -> JobResult:
        """Do the job with ``client``, recording each step in the journal that
        ``open_journal(fresh)`` returns (``fresh``: the journal before anything was done).

        Raises:
            ConfigError: the job's fields are wrong (the row is ``invalid``).
            SunoError: the job failed (the row is ``failed``, or ``ambiguous`` for
                :class:`AmbiguousSubmitError`).
        """
        ...


class JobResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a finished job made: its task, its clips, the files downloaded (none without a
    directory) and, for a training, the model."""

    task_id: str
    clips: list[Clip]
    files: list[str] = msgspec.field(default_factory=list)
    model_id: str | None = None


@dataclass(frozen=True, slots=True)
class JobContext:
    """What every job of a run shares: where audio goes (``directory`` / the job's key; ``None``:
    no downloads), whether lost paid requests are sent again, the wait timeout, and the events
    handler of this job."""

    key: str
    directory: Path | None
    resend_if_ambiguous: bool
    timeout: float | None
    on_event: EventHandler | None


class RowError(msgspec.Struct, frozen=True, kw_only=True):
    """A row that is not a job (malformed, or its key is taken): reported, never run."""

    line: int | None
    message: str
    key: str | None = None


class RowFinished(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """A job of the batch reached ``status`` in this run (``error`` says why when it is not
    ``done``); ``skipped`` when it was done already."""

    key: str
    line: int | None
    status: JobStatus
    error: str | None = None
    skipped: bool = False


class RowEvent(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """An event of one job's workflow (progress, credits), with the job's key."""

    key: str
    event: Event


#: What a batch reports to its ``on_event`` handler.
BatchEvent: TypeAlias = RowFinished | RowEvent
BatchEventHandler: TypeAlias = Callable[[BatchEvent], Awaitable[None] | None]


@dataclass(slots=True)
class BatchProgress:
    """The run so far, updated live (for a progress display): jobs by outcome in this run,
    jobs running now, what this run changed in the credits of its jobs (updated as each job
    ends; ``uncertain`` goes down when this run settles what an earlier one could not), and
    when the run started (``time.monotonic()``)."""

    started: float = field(default_factory=time.monotonic)
    done: int = 0
    skipped: int = 0
    failed: int = 0
    ambiguous: int = 0
    invalid: int = 0
    running: int = 0
    read: int = 0
    spent: int = 0
    uncertain: int = 0
    stopped: str | None = None

    @property
    def finished(self) -> int:
        """Jobs that ended this run in any way (skipped ones included)."""
        return self.done + self.skipped + self.failed + self.ambiguous + self.invalid

    def rate(self) -> float:
        """Jobs finished per second of this run (skipped ones excluded)."""
        elapsed = time.monotonic() - self.started
        worked = self.done + self.failed + self.ambiguous
        return worked / elapsed if elapsed > 0 else 0.0


class BatchSummary(msgspec.Struct, frozen=True, kw_only=True):
    """How a run ended: this run's counts, the store's totals (all runs), the malformed rows
    (line and message, the first 100), and why the run stopped early, if it did."""

    done: int
    skipped: int
    failed: int
    ambiguous: int
    invalid: int
    totals: Totals
    row_errors: list[RowError]
    stopped: str | None = None
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        """Every job of the store is done."""
        return self.totals.counts.get("done", 0) == self.totals.total


_J = TypeVar("_J")


def job_key(job: msgspec.Struct) -> str:
    """The job's key: the one given, else a hash of its content (so it survives reordering the
    rows, and an edited row is a new job)."""
    given = getattr(job, "key", None)
    if given:
        return str(given)
    content = msgspec.structs.replace(job, key=None)
    return hashlib.sha256(_JOB_ENCODER.encode(content)).hexdigest()[:20]


async def _rows_of(rows: AsyncIterable[_J] | Iterable[_J]) -> AsyncIterable[_J]:
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row
            await anyio.lowlevel.checkpoint()


#: What a batch reads: a job, a job with its line number, or a row that is not a job.
Row = msgspec.Struct | tuple[int | None, msgspec.Struct] | RowError


async def run_jobs(
    rows: AsyncIterable[Row] | Iterable[Row],
    store: JobStore,
    clients: Mapping[str, Any],
    *,
    concurrency: int,
    directory: Path | None,
    resend_if_ambiguous: bool,
    retry_failed: bool,
    timeout: float | None,
    on_event: BatchEventHandler | None,
    progress: BatchProgress | None = None,
    from_file: bool = True,
) -> BatchSummary:
    """Run every job of ``rows`` (see the module docstring); the public front is
    :func:`suno_async.run_batch`. ``from_file``: the rows are the whole batch as read again,
    so the store's ``invalid`` rows are dropped first (those still wrong are reported again).

    Raises:
        StoreBusyError: another process took the store (it cannot while this one holds it).
    """
    state = progress if progress is not None else BatchProgress()
    run_id = uuid.uuid4().hex
    row_errors: list[RowError] = []
    if from_file:
        store.delete_invalid()  # a rerun reports the rows that are still wrong
    send, receive = anyio.create_memory_object_stream[tuple[msgspec.Struct, JobRecord]](concurrency)

    async def report_invalid(error: RowError) -> None:
        state.invalid += 1
        if len(row_errors) < 100:
            row_errors.append(error)
        key = error.key or f"line:{error.line if error.line is not None else state.read}"
        if store.get(key) is None:
            store.add(key, "invalid", "null", error.line, run_id)
            store.update(key, status="invalid", error=error.message)
        await emit(
            on_event, RowFinished(key=key, line=error.line, status="invalid", error=error.message)
        )

    stamps: dict[str, int | None] = {}  # rows of the store read by this run, not written yet

    def write_stamps() -> None:
        if stamps:
            store.stamp(stamps, run_id)
            stamps.clear()

    async def produce() -> None:
        async with send:
            try:
                await read()
            finally:
                write_stamps()

    async def read() -> None:
        async for row in _rows_of(rows):
            if state.stopped:
                return
            state.read += 1
            if isinstance(row, RowError):
                await report_invalid(row)
                continue
            line, job = row if isinstance(row, tuple) else (None, row)
            if len(stamps) >= _STAMPS_PER_WRITE:
                write_stamps()
            claimed = _claim(store, job, line, run_id, stamps)
            if isinstance(claimed, RowError):
                await report_invalid(claimed)
                continue
            if claimed.status == "done" or (claimed.status == "failed" and not retry_failed):
                state.skipped += 1
                await emit(
                    on_event,
                    RowFinished(key=claimed.key, line=line, status=claimed.status, skipped=True),
                )
                continue
            await send.send((job, claimed))

    async def work(jobs: MemoryObjectReceiveStream[tuple[msgspec.Struct, JobRecord]]) -> None:
        async with jobs:
            async for job, record in jobs:
                if state.stopped:
                    continue  # left as it is: a rerun picks it up
                await _run_one(job, record, store, clients, state, context_for(record), on_event)

    def context_for(record: JobRecord) -> JobContext:
        handler = None
        if on_event is not None:
            key = record.key

            async def handler(event: Event) -> None:
                await emit(on_event, RowEvent(key=key, event=event))

        return JobContext(
            key=record.key,
            directory=directory / record.key if directory is not None else None,
            resend_if_ambiguous=resend_if_ambiguous,
            timeout=timeout,
            on_event=handler,
        )

    started = time.monotonic()
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(produce)
            with receive:
                for _ in range(concurrency):
                    group.start_soon(work, receive.clone())
    except BaseExceptionGroup as group_error:
        # One failure (a bug, or the rows' iterator raising) is raised as itself.
        if len(group_error.exceptions) == 1:
            raise group_error.exceptions[0] from None
        raise
    return BatchSummary(
        done=state.done,
        skipped=state.skipped,
        failed=state.failed,
        ambiguous=state.ambiguous,
        invalid=state.invalid,
        totals=store.totals(),
        row_errors=row_errors,
        stopped=state.stopped,
        seconds=time.monotonic() - started,
    )


def _claim(
    store: JobStore,
    job: msgspec.Struct,
    line: int | None,
    run_id: str,
    stamps: dict[str, int | None],
) -> JobRecord | RowError:
    """The job's record in the store, added if new; a :class:`RowError` if its key is taken
    by another job (in this run, or with other content). A job already in the store is
    stamped with this run in ``stamps`` (written to the store in groups by the caller)."""
    if not (
        isinstance(job, msgspec.Struct)
        and isinstance(getattr(type(job), "provider", None), str)
        and callable(getattr(job, "run", None))
    ):
        return RowError(
            line=line,
            message=f"the row is not a job (a provider's job struct, such as GenerateJob), "
            f"got {type(job).__name__}.",
        )
    try:
        key = job_key(job)
    except (TypeError, ValueError) as exc:  # pragma: no cover (a job that cannot be encoded)
        return RowError(line=line, message=f"the row cannot be stored ({exc}).")
    spec = _JOB_ENCODER.encode(job).decode()
    record = store.get(key)
    if record is None:
        return store.add(key, _kind(job), spec, line, run_id)
    if record.run == run_id or key in stamps:
        first = stamps.get(key, record.line)
        return RowError(
            line=line,
            key=None,
            message=f"key {key!r} is also the key of line {first}; give each row its own "
            "key (identical rows need distinct keys).",
        )
    if record.spec != spec:
        if record.journal is not None or record.status not in ("pending", "invalid"):
            return RowError(
                line=line,
                key=None,
                message=f"key {key!r} is already used in this store by another job (line "
                f"{record.line} of an earlier run), which was started; give this row "
                "another key.",
            )
        store.update(
            key, spec=spec, kind=_kind(job), status="pending", error=None, run=run_id, line=line
        )
        return msgspec.structs.replace(
            record, spec=spec, kind=_kind(job), status="pending", error=None, run=run_id, line=line
        )
    stamps[key] = line
    return msgspec.structs.replace(record, run=run_id, line=line)


def _kind(job: msgspec.Struct) -> str:
    return str(type(job).__struct_config__.tag)


async def _run_one(
    job: msgspec.Struct,
    record: JobRecord,
    store: JobStore,
    clients: Mapping[str, Any],
    state: BatchProgress,
    context: JobContext,
    on_event: BatchEventHandler | None,
) -> None:
    key = record.key
    typed: Job = job  # type: ignore[assignment]
    client = clients.get(typed.provider)
    if client is None:
        await _finish(
            store,
            state,
            record,
            "invalid",
            on_event,
            error=(
                f"no {typed.provider} client was given for {_kind(job)} jobs; pass one "
                f"({typed.provider}=...)."
            ),
        )
        return
    tally = Tally(record.credits, store_accepted_later=True)
    # Committed at once: a paid call is about to leave, or the outcome of one is known.
    tally.on_change = lambda: store.update(key, credits=tally.state, commit_now=True)
    before = _credit_view(record.credits)
    ended: tuple[JobStatus, str] | None = None  # how the job ended, when not done
    done = False
    state.running += 1
    token = CURRENT_TALLY.set(tally)
    try:
        store.update(key, status="running", attempts=record.attempts + 1, error=None)

        def open_journal(fresh: Any) -> Journal[Any]:
            return StoreJournal.open_in(store, key, fresh, owned=False, tally=tally)

        result = await typed.run(client, open_journal, context)
    except AmbiguousSubmitError as exc:
        # A rerun finds the same unknown outcome; the first run's message says what was lost.
        first = record.error if record.status == "ambiguous" and record.error else None
        ended = ("ambiguous", first or str(exc))
    except STOPPING as exc:
        if state.stopped is None:
            state.stopped = f"{type(exc).__name__}: {exc}"
        ended = (_stopped(record, tally, before), str(exc))
    except StoreBusyError:
        raise
    except ConfigError as exc:
        ended = ("invalid", str(exc))
    except SunoError as exc:  # failed or timed out (a rerun waits again or sends again)
        ended = ("failed", str(exc))  # (before OSError: a timeout is a TimeoutError too)
    except OSError as exc:  # writing the audio failed (disk full, a file in the way...)
        if state.stopped is None:
            state.stopped = f"{type(exc).__name__}: {exc}"
        ended = (_stopped(record, tally, before), f"{type(exc).__name__}: {exc}")
    else:
        # The result says what the journal did (its clips included): the row keeps one copy.
        store.update(
            key, status="done", result=_ENCODER.encode(result), credits=tally.state, journal=None
        )
        done = True
    finally:
        CURRENT_TALLY.reset(token)
        if not done and ended is None:  # cancelled, or a bug: keep what the tally knows
            store.update(key, credits=tally.state)
        state.running -= 1
        after = _credit_view(tally.state)
        state.spent += after[0] - before[0]
        state.uncertain += after[1] - before[1]
    if done:
        state.done += 1
        await emit(on_event, RowFinished(key=key, line=record.line, status="done"))
    elif ended is not None:
        status, error = ended
        await _finish(store, state, record, status, on_event, error=error, credits=tally.state)


def _credit_view(credits: TallyState) -> tuple[int, int, int]:
    """Credits spent, uncertain (calls in flight included), and unpriced calls."""
    in_flight = sum(cost for cost, _ in credits.in_flight)
    return credits.spent, credits.uncertain + in_flight, credits.unpriced


def _stopped(record: JobRecord, tally: Tally, before: tuple[int, int, int]) -> JobStatus:
    """The status of a job stopped by a failure that stops the batch: ``pending`` if no run
    sent anything for it (a rerun starts it afresh), else ``failed`` (a rerun carries on)."""
    untouched = record.journal is None and _credit_view(tally.state) == before
    return "pending" if untouched else "failed"


async def _finish(
    store: JobStore,
    state: BatchProgress,
    record: JobRecord,
    status: JobStatus,
    on_event: BatchEventHandler | None,
    *,
    error: str,
    credits: TallyState | None = None,
) -> None:
    if credits is None:
        store.update(record.key, status=status, error=error)
    else:
        store.update(record.key, status=status, error=error, credits=credits)
    if status == "ambiguous":
        state.ambiguous += 1
    elif status == "invalid":
        state.invalid += 1
    elif status == "failed":
        state.failed += 1
    logger.info("job %s: %s: %s", record.key, status, error)
    await emit(on_event, RowFinished(key=record.key, line=record.line, status=status, error=error))
