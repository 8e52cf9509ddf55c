"""Workers and producers: what the CLI's ``worker --temporal`` and ``batch run --temporal``
call."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import AsyncIterable, Iterable, Sequence
from datetime import timedelta
from typing import Any

import msgspec
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from suno_async._core._batch import RowError, job_key
from suno_async._core._ledger import CreditLedger
from suno_async.mountsea._batch_jobs import GenerateJob, TrainAndGenerateJob
from suno_async.mountsea._client import MountseaClient
from suno_async.temporal._activities import AfterPaidAnswer, DownloadSink, SunoActivities
from suno_async.temporal._ids import DEFAULT_ID_PREFIX, downloads_queue, workflow_id_for
from suno_async.temporal._payloads import data_converter
from suno_async.temporal._types import BatchInput, JobOptions, JobOutcome, JobSpec, TrainSpec
from suno_async.temporal._workflows import (
    BatchWorkflow,
    GenerateSongsWorkflow,
    TrainModelWorkflow,
    TrainThenGenerateWorkflow,
)

__all__ = [
    "WORKFLOWS",
    "BatchSubmission",
    "SubmittedJob",
    "build_workers",
    "connect",
    "job_outcome",
    "job_spec",
    "run_worker",
    "sandbox_runner",
    "submit_batch",
    "submit_job",
]

#: Every workflow of this package (register them all on the main task queue).
WORKFLOWS: Sequence[type] = (
    TrainThenGenerateWorkflow,
    TrainModelWorkflow,
    GenerateSongsWorkflow,
    BatchWorkflow,
)


def sandbox_runner() -> SandboxedWorkflowRunner:
    """The workflow sandbox with ``suno_async`` and ``msgspec`` passed through: the workflows
    import the library's pure decisions and the payload Structs from the worker's own modules
    (so a Struct decoded by the converter is the class the workflow code uses)."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("suno_async", "msgspec")
    )


async def connect(address: str, *, namespace: str = "default", **options: Any) -> Client:
    """A Temporal client with this package's data converter (msgspec Structs as payloads);
    ``options`` go to :meth:`temporalio.client.Client.connect` (``tls``, ``api_key``, ...)."""
    return await Client.connect(
        address, namespace=namespace, data_converter=data_converter, **options
    )


def build_workers(
    client: Client,
    task_queue: str,
    activities: SunoActivities,
    *,
    rate: float | None = None,
    downloads: bool = True,
    **worker_options: Any,
) -> list[Worker]:
    """The workers of one process: the workflows and the provider's activities on
    ``task_queue``, at most ``rate`` activities a second across every worker of the queue
    (``max_task_queue_activities_per_second``: the provider's rate, enforced by the server for
    the whole fleet), and (``downloads``) downloads and ledger fixes on
    ``<task_queue>-downloads``. ``worker_options`` go to both workers.

    Unless ``worker_options`` say otherwise, heartbeats leave within 0.2 s (the task id a paid
    call heartbeats right after its answer must reach the server before the worker can die:
    the SDK's default holds heartbeats back for up to 0.8 of the heartbeat timeout), and a
    worker asked to stop lets the activities under way finish for up to 60 s (a paid call cut
    off mid-request would end its job ambiguous)."""
    worker_options = {
        "max_heartbeat_throttle_interval": timedelta(milliseconds=200),
        "default_heartbeat_throttle_interval": timedelta(milliseconds=200),
        "graceful_shutdown_timeout": timedelta(seconds=60),
        **worker_options,
    }
    workers = [
        Worker(
            client,
            task_queue=task_queue,
            workflows=list(WORKFLOWS),
            activities=activities.provider_activities(),
            max_task_queue_activities_per_second=rate,
            workflow_runner=sandbox_runner(),
            **worker_options,
        )
    ]
    if downloads:
        workers.append(
            Worker(
                client,
                task_queue=downloads_queue(task_queue),
                activities=activities.local_activities(),
                **worker_options,
            )
        )
    return workers


async def run_worker(
    temporal: str | Client,
    task_queue: str,
    *,
    mountsea: MountseaClient,
    ledger: CreditLedger,
    rate: float | None = None,
    directory: str | os.PathLike[str] | None = None,
    sink: DownloadSink | None = None,
    namespace: str = "default",
    downloads: bool = True,
    after_paid_answer: AfterPaidAnswer | None = None,
    **worker_options: Any,
) -> None:
    """Run this process's workers until cancelled (Ctrl-C): ``temporal`` is the server's
    address (``localhost:7233``) or a client made by :func:`connect`.

    ``mountsea`` and ``ledger`` are shared by every activity of the process; ``rate`` is the
    provider's rate (activities per second for the whole task queue); downloads go to
    ``directory`` or ``sink``.
    """
    client = await connect(temporal, namespace=namespace) if isinstance(temporal, str) else temporal
    activities = SunoActivities(
        mountsea, ledger, directory=directory, sink=sink, after_paid_answer=after_paid_answer
    )
    workers = build_workers(
        client, task_queue, activities, rate=rate, downloads=downloads, **worker_options
    )
    await asyncio.gather(*(worker.run() for worker in workers))


# -- producers ------------------------------------------------------------------------------


class SubmittedJob(msgspec.Struct, frozen=True, kw_only=True):
    """A job handed to Temporal: its key, its workflow id, and whether this call started it
    (``False``: a workflow with the id existed already; ``None``: started by a batch shard)."""

    key: str
    workflow_id: str
    started: bool | None


class BatchSubmission(msgspec.Struct, frozen=True, kw_only=True):
    """What :func:`submit_batch` did: the jobs, the shard workflows (if sharded), and the rows
    that were not jobs (with their line numbers)."""

    jobs: list[SubmittedJob]
    shards: list[str] = []
    row_errors: list[RowError] = []


Row = JobSpec | GenerateJob | TrainAndGenerateJob


def job_spec(
    row: Row,
    *,
    download: bool = False,
    resend_if_ambiguous: bool = False,
    options: JobOptions | None = None,
) -> JobSpec:
    """The job of a batch row (a ``GenerateJob`` or ``TrainAndGenerateJob`` of
    :mod:`suno_async.batch`, keyed as the batch keys it), or a :class:`JobSpec` as it is."""
    if isinstance(row, JobSpec):
        return row
    common: dict[str, Any] = {
        "key": job_key(row),
        "download": download,
        "resend_if_ambiguous": resend_if_ambiguous,
        "options": options or JobOptions(),
    }
    if isinstance(row, GenerateJob):
        return JobSpec(generate=dict(row.fields), **common)
    if isinstance(row, TrainAndGenerateJob):
        train = TrainSpec(name=row.name, audio_urls=list(row.audio_urls), clip_count=row.clip_count)
        return JobSpec(train=train, generate=row.generate, **common)
    raise TypeError(f"not a Temporal job: {type(row).__name__}")


async def submit_job(
    client: Client,
    spec: JobSpec,
    *,
    task_queue: str,
    id_prefix: str = DEFAULT_ID_PREFIX,
    workflow_task_timeout: float | None = None,
) -> SubmittedJob:
    """Start the job's workflow (id: ``id_prefix`` + a hash of its key) unless a workflow with
    that id exists already (running or finished): submitting twice is a no-op."""
    workflow_id = workflow_id_for(spec.key, id_prefix)
    try:
        await client.start_workflow(
            TrainThenGenerateWorkflow.run,
            spec,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            task_timeout=None if workflow_task_timeout is None else _seconds(workflow_task_timeout),
        )
    except WorkflowAlreadyStartedError:
        return SubmittedJob(key=spec.key, workflow_id=workflow_id, started=False)
    return SubmittedJob(key=spec.key, workflow_id=workflow_id, started=True)


async def submit_batch(
    rows: Iterable[Any] | AsyncIterable[Any],
    client: Client,
    *,
    task_queue: str,
    id_prefix: str = DEFAULT_ID_PREFIX,
    download: bool = False,
    resend_if_ambiguous: bool = False,
    options: JobOptions | None = None,
    shard_size: int | None = None,
    concurrency: int = 32,
    workflow_task_timeout: float | None = None,
) -> BatchSubmission:
    """Start one workflow per row (id: a hash of the row's key), ``concurrency`` starts at a
    time; rows are read as they come (a batch's ``read_rows``: jobs, ``(line, job)`` pairs,
    :class:`RowError`), so memory is bounded. Starting the same rows again starts nothing.

    With ``shard_size`` (e.g. 500), rows go to :class:`BatchWorkflow` shards of that many jobs
    (id: a hash of the shard's keys), which start the per-row workflows as children: one
    start per shard from here, and a server-side record of each shard's progress.
    """
    jobs: list[SubmittedJob] = []
    errors: list[RowError] = []
    shards: list[str] = []
    pending: list[JobSpec] = []
    gate = asyncio.Semaphore(concurrency)
    tasks: set[asyncio.Task[None]] = set()

    async def start(spec: JobSpec) -> None:
        try:
            jobs.append(
                await submit_job(
                    client,
                    spec,
                    task_queue=task_queue,
                    id_prefix=id_prefix,
                    workflow_task_timeout=workflow_task_timeout,
                )
            )
        finally:
            gate.release()

    async def start_shard(specs: list[JobSpec]) -> None:
        digest = hashlib.sha256("\n".join(s.key for s in specs).encode()).hexdigest()[:32]
        shard_id = f"{id_prefix}batch-{digest}"
        shards.append(shard_id)
        jobs.extend(
            SubmittedJob(key=s.key, workflow_id=workflow_id_for(s.key, id_prefix), started=None)
            for s in specs
        )
        with contextlib.suppress(WorkflowAlreadyStartedError):  # submitted before
            await client.start_workflow(
                BatchWorkflow.run,
                BatchInput(jobs=specs, id_prefix=id_prefix, task_queue=task_queue),
                id=shard_id,
                task_queue=task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )

    async def take(row: Any) -> None:
        if isinstance(row, RowError):
            errors.append(row)
            return
        line = None
        if isinstance(row, tuple):
            line, row = row
        try:
            spec = job_spec(
                row, download=download, resend_if_ambiguous=resend_if_ambiguous, options=options
            )
        except TypeError as exc:  # e.g. a sunoapi pure_music row: not run on Temporal yet
            errors.append(RowError(line=line, message=str(exc)))
            return
        if shard_size is not None:
            pending.append(spec)
            if len(pending) >= shard_size:
                await start_shard(pending.copy())
                pending.clear()
            return
        # Held until the start is done: no more than `concurrency` starts (and rows) in memory.
        await gate.acquire()
        task = asyncio.create_task(start(spec))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    if isinstance(rows, AsyncIterable):
        async for row in rows:
            await take(row)
    else:
        for row in rows:
            await take(row)
    if pending:
        await start_shard(pending)
    if tasks:
        await asyncio.gather(*tasks)
    return BatchSubmission(jobs=jobs, shards=shards, row_errors=errors)


async def job_outcome(client: Client, workflow_id: str) -> JobOutcome:
    """Wait for the job's workflow and return its outcome."""
    handle: WorkflowHandle[Any, JobOutcome] = client.get_workflow_handle(
        workflow_id, result_type=JobOutcome
    )
    return await handle.result()


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
