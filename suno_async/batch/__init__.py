"""Batches: thousands of jobs from a CSV or JSON Lines file (or any iterable), a few at a time,
each journaled in one row of an SQLite job store, so a rerun carries on where a run stopped.

    summary = await run_batch("songs.csv", store="songs.db", mountsea=client, concurrency=8)

Job kinds: :class:`GenerateJob` and :class:`TrainAndGenerateJob` (mountsea),
:class:`PureMusicJob` (sunoapi); the row format is described in :func:`read_rows`.
"""

from __future__ import annotations

import csv
import os
from collections.abc import AsyncIterable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Literal, Protocol, cast

import msgspec

from suno_async._core._batch import (
    BatchEvent,
    BatchEventHandler,
    BatchProgress,
    BatchSummary,
    JobResult,
    Row,
    RowError,
    RowEvent,
    RowFinished,
    job_key,
    run_jobs,
)
from suno_async._core._exceptions import ConfigError
from suno_async._core._store import JOB_STATUSES, JobRecord, JobStatus, JobStore, Totals
from suno_async._core._validation import (
    check_bool,
    check_callback,
    check_instance,
    check_iterable,
    check_path,
    check_positive,
    check_positive_int,
)
from suno_async.batch._rows import BatchJob, check_kind, job_from_mapping, open_rows, read_rows
from suno_async.mountsea._batch_jobs import GenerateJob, TrainAndGenerateJob
from suno_async.mountsea._client import MountseaClient
from suno_async.sunoapi._batch_jobs import PureMusicJob
from suno_async.sunoapi._client import SunoapiClient

__all__ = [
    "BatchEvent",
    "BatchEventHandler",
    "BatchJob",
    "BatchProgress",
    "BatchSummary",
    "GenerateJob",
    "JobRecord",
    "JobResult",
    "JobStore",
    "PureMusicJob",
    "RowError",
    "RowEvent",
    "RowFinished",
    "Totals",
    "TrainAndGenerateJob",
    "export_results",
    "job_from_mapping",
    "job_key",
    "read_rows",
    "retry_batch",
    "run_batch",
]

_SPEC: Final = msgspec.json.Decoder(BatchJob)


class SupportsWrite(Protocol):
    """A text file open for writing."""

    def write(self, text: str, /) -> object:
        """Write ``text``."""
        ...


DEFAULT_CONCURRENCY: Final = 8


async def run_batch(
    rows: str | os.PathLike[str] | Iterable[Row] | AsyncIterable[Row],
    *,
    store: str | os.PathLike[str] | JobStore,
    mountsea: MountseaClient | None = None,
    sunoapi: SunoapiClient | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    directory: str | os.PathLike[str] | None = None,
    resend_if_ambiguous: bool = False,
    retry_failed: bool = True,
    timeout: float | None = None,
    default_kind: str = "generate",
    on_event: BatchEventHandler | None = None,
    progress: BatchProgress | None = None,
) -> BatchSummary:
    """Run every job of ``rows`` (a ``.csv``/``.jsonl`` path, or jobs), at most
    ``concurrency`` at a time, each journaled in ``store`` (a path, created if missing, or a
    :class:`JobStore` open for writing). Returns when every row was read and every job started
    has ended; each job ends ``done``, ``failed``, ``ambiguous`` or ``invalid`` (see
    :data:`~suno_async.batch.JobStatus`), and one job's failure does not stop the others.

    Running the same rows on the same store again skips what is done, waits for what was
    submitted, sends again what the provider failed (unless ``retry_failed`` is false), and
    does not send again a paid request whose answer was lost unless ``resend_if_ambiguous``
    (which may bill twice). A refused key, an exhausted account, a 403 or the client's
    ``max_credits`` stops the batch: no new job starts (``summary.stopped`` says why).

    Each job's credits (spent, and uncertain when an answer was lost) are kept in its row,
    counted from what the provider accepted, across runs. With ``directory`` each job's audio
    goes to ``directory/<key>/``. ``on_event`` gets :class:`RowFinished` for every row and
    :class:`RowEvent` for each workflow event; ``progress`` is updated live.

    Memory stays bounded by ``concurrency``, not by the number of rows.

    Raises:
        ConfigError: a bad argument, or a client missing for the jobs' provider is reported
            per job (``invalid``); nothing is sent for bad arguments.
        StoreBusyError: another process is running a batch on ``store``.
    """
    _check_run_options(concurrency, timeout, resend_if_ambiguous, on_event, progress)
    check_bool("retry_failed", retry_failed)
    check_kind("default_kind", default_kind)
    clients = _clients(mountsea, sunoapi)
    where = _directory(directory)
    source: Iterable[Row] | AsyncIterable[Row]
    if isinstance(rows, str | os.PathLike):
        source = open_rows(check_path("rows", rows), default_kind, argument="rows")
    elif isinstance(rows, Iterable | AsyncIterable) and not isinstance(
        rows, bytes | bytearray | Mapping
    ):
        source = cast("Iterable[Row] | AsyncIterable[Row]", rows)  # str was taken above
    else:
        raise ConfigError(
            f"rows must be a file path or an iterable of jobs, got {type(rows).__name__}.",
            argument="rows",
        )
    with _StoreFor(store) as opened:
        return await run_jobs(
            source,
            opened,
            clients,
            concurrency=concurrency,
            directory=where,
            resend_if_ambiguous=resend_if_ambiguous,
            retry_failed=retry_failed,
            timeout=timeout,
            on_event=on_event,
            progress=progress,
            from_file=True,
        )


async def retry_batch(
    store: str | os.PathLike[str] | JobStore,
    *,
    mountsea: MountseaClient | None = None,
    sunoapi: SunoapiClient | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    directory: str | os.PathLike[str] | None = None,
    resend_if_ambiguous: bool = False,
    timeout: float | None = None,
    on_event: BatchEventHandler | None = None,
    progress: BatchProgress | None = None,
) -> BatchSummary:
    """Run again the store's jobs that are not done (failed, pending or cut short; with
    ``resend_if_ambiguous`` also the ambiguous ones, which may bill twice), from the jobs as
    stored: no rows file is needed. Arguments and errors as for :func:`run_batch`."""
    _check_run_options(concurrency, timeout, resend_if_ambiguous, on_event, progress)
    clients = _clients(mountsea, sunoapi)
    where = _directory(directory)
    statuses: tuple[JobStatus, ...] = ("failed", "pending", "running")
    if resend_if_ambiguous:
        statuses += ("ambiguous",)
    with _StoreFor(store) as opened:

        def stored() -> Iterator[Row]:
            # A page at a time (memory stays flat); a row's status changes once it was read.
            for record in opened.records(*statuses):
                try:
                    job = _SPEC.decode(record.spec)
                except msgspec.DecodeError as exc:  # not a batch job (a single-job journal)
                    yield RowError(
                        line=record.line,
                        key=record.key,
                        message=f"job {record.key!r} of the store is not a batch job this "
                        f"library can run again ({exc}); run it the way it was started.",
                    )
                    continue
                yield record.line, job

        return await run_jobs(
            stored(),
            opened,
            clients,
            concurrency=concurrency,
            directory=where,
            resend_if_ambiguous=resend_if_ambiguous,
            retry_failed=True,
            timeout=timeout,
            on_event=on_event,
            progress=progress,
            from_file=False,
        )


def export_results(
    store: str | os.PathLike[str] | JobStore,
    out: SupportsWrite,
    *,
    format: Literal["csv", "jsonl"] = "jsonl",
    statuses: Iterable[JobStatus] = (),
) -> int:
    """Write the store's jobs (of ``statuses``, or all) to ``out`` as JSON Lines or CSV: key,
    line, kind, status, error, credits spent and uncertain (paid calls a stopped run left in
    flight included, as in the store's totals), task id, clip ids, audio URLs,
    files, model id. Reads the store without its lock (a run may be going on). Returns the
    number of jobs written.

    Raises:
        ConfigError: ``format`` is neither ``csv`` nor ``jsonl``, or the store does not exist.
    """
    if not isinstance(format, str) or format not in ("csv", "jsonl"):
        raise ConfigError(f"format must be 'csv' or 'jsonl', got {format!r}.", argument="format")
    if not callable(getattr(out, "write", None)):
        raise ConfigError(
            f"out must be a text file open for writing, got {type(out).__name__}.",
            argument="out",
        )
    wanted = check_iterable("statuses", statuses, "job statuses")
    for status in wanted:
        if not isinstance(status, str) or status not in JOB_STATUSES:
            raise ConfigError(
                f"statuses must name job statuses ({', '.join(JOB_STATUSES)}), got {status!r}.",
                argument="statuses",
            )
    opened = (
        store
        if isinstance(store, JobStore)
        else JobStore.open(check_path("store", store), readonly=True)
    )
    try:
        writer = csv.DictWriter(out, fieldnames=_EXPORT_FIELDS) if format == "csv" else None
        if writer is not None:
            writer.writeheader()
        count = 0
        for record in opened.records(*wanted):
            row = _export_row(record)
            if writer is not None:
                writer.writerow({k: _cell(v) for k, v in row.items()})
            else:
                out.write(msgspec.json.encode(row).decode() + "\n")
            count += 1
        return count
    finally:
        if opened is not store:
            opened.close()


_EXPORT_FIELDS: Final = [
    "key",
    "line",
    "kind",
    "status",
    "error",
    "spent",
    "uncertain",
    "task_id",
    "clip_ids",
    "audio_urls",
    "files",
    "model_id",
]
_RESULT: Final = msgspec.json.Decoder(JobResult)


def _export_row(record: JobRecord) -> dict[str, Any]:
    result = _RESULT.decode(record.result) if record.result else None
    return {
        "key": record.key,
        "line": record.line,
        "kind": record.kind,
        "status": record.status,
        "error": record.error,
        "spent": record.credits.spent,
        "uncertain": record.credits.uncertain + sum(cost for cost, _ in record.credits.in_flight),
        "task_id": result.task_id if result else None,
        "clip_ids": [clip.id for clip in result.clips] if result else [],
        "audio_urls": [clip.audio_url or "" for clip in result.clips] if result else [],
        "files": result.files if result else [],
        "model_id": result.model_id if result else None,
    }


def _cell(value: object) -> object:
    return " ".join(map(str, value)) if isinstance(value, list) else value


def _directory(directory: str | os.PathLike[str] | None) -> Path | None:
    """Where each job's audio goes, if anywhere (a directory, or a path to create)."""
    if directory is None:
        return None
    where = Path(check_path("directory", directory))
    if where.exists() and not where.is_dir():
        raise ConfigError(
            f"directory {where} is a file: pass a directory for the jobs' audio.",
            argument="directory",
        )
    return where


def _check_run_options(
    concurrency: int,
    timeout: float | None,
    resend_if_ambiguous: bool,
    on_event: BatchEventHandler | None,
    progress: BatchProgress | None,
) -> None:
    """Refuse a bad option shared by :func:`run_batch` and :func:`retry_batch`."""
    check_positive_int("concurrency", concurrency)
    if timeout is not None:
        check_positive("timeout", timeout)
    check_bool("resend_if_ambiguous", resend_if_ambiguous)
    check_callback("on_event", on_event)
    if progress is not None:
        check_instance("progress", progress, BatchProgress, "a BatchProgress (or None)")


def _clients(mountsea: object, sunoapi: object) -> dict[str, Any]:
    if mountsea is None and sunoapi is None:
        raise ConfigError(
            "pass a client for the jobs' provider: mountsea=MountseaClient(...) and/or "
            "sunoapi=SunoapiClient(...).",
            argument="mountsea",
        )
    if mountsea is not None and not isinstance(mountsea, MountseaClient):
        raise ConfigError(
            f"mountsea must be a MountseaClient, got {type(mountsea).__name__}.",
            argument="mountsea",
        )
    if sunoapi is not None and not isinstance(sunoapi, SunoapiClient):
        raise ConfigError(
            f"sunoapi must be a SunoapiClient, got {type(sunoapi).__name__}.", argument="sunoapi"
        )
    return {name: c for name, c in (("mountsea", mountsea), ("sunoapi", sunoapi)) if c}


class _StoreFor:
    """A store given open is left open; a path is opened (locked) and closed after."""

    def __init__(self, store: str | os.PathLike[str] | JobStore) -> None:
        if isinstance(store, JobStore):
            if store.readonly:
                raise ConfigError("the store was opened read-only.", argument="store")
            self.store, self.owned = store, False
        else:
            self.store, self.owned = JobStore.open(check_path("store", store)), True

    def __enter__(self) -> JobStore:
        return self.store

    def __exit__(self, *exc: object) -> None:
        if self.owned:
            self.store.close()
