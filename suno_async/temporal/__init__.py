"""Durable train/generate jobs on Temporal (the ``suno_async[temporal]`` extra).

A fleet of workers shares one API key, one credit budget and one provider rate::

    # a worker (run as many as you like, on as many machines)
    from suno_async import MountseaClient
    from suno_async.ledger import PostgresLedger
    from suno_async.temporal import run_worker

    async with MountseaClient() as mountsea:
        ledger = ...  # one ledger for the fleet (PostgreSQL or SQLite from suno_async.ledger)
        await run_worker("localhost:7233", "suno", mountsea=mountsea, ledger=ledger,
                         rate=5, directory="songs")

    # a producer
    from suno_async.batch import read_rows
    from suno_async.temporal import connect, submit_batch

    client = await connect("localhost:7233")
    await submit_batch(read_rows("rows.csv"), client, task_queue="suno")

What is guaranteed: exactly one ``customModel/create`` per job (a lost answer is looked up,
never blindly re-sent); ``generate`` at most once per job unless ``resend_if_ambiguous``
(a lost answer ends the job ``ambiguous``); every paid request reserved in the shared ledger
before it is sent (a budget the fleet cannot pass); the provider's rate as the task queue's
activity rate; a job submitted twice runs once (its workflow id is a hash of its key).
"""

from suno_async.temporal._activities import AfterPaidAnswer, DownloadSink, SunoActivities
from suno_async.temporal._ids import DEFAULT_ID_PREFIX, downloads_queue, workflow_id_for
from suno_async.temporal._payloads import MsgspecPayloadConverter, data_converter
from suno_async.temporal._types import (
    BatchOutcome,
    ClipInfo,
    JobOptions,
    JobOutcome,
    JobSpec,
    TrainSpec,
)
from suno_async.temporal._worker import (
    WORKFLOWS,
    BatchSubmission,
    SubmittedJob,
    build_workers,
    connect,
    job_outcome,
    job_spec,
    run_worker,
    sandbox_runner,
    submit_batch,
    submit_job,
)
from suno_async.temporal._workflows import (
    BatchWorkflow,
    GenerateSongsWorkflow,
    TrainModelWorkflow,
    TrainThenGenerateWorkflow,
)

__all__ = [
    "DEFAULT_ID_PREFIX",
    "WORKFLOWS",
    "AfterPaidAnswer",
    "BatchOutcome",
    "BatchSubmission",
    "BatchWorkflow",
    "ClipInfo",
    "DownloadSink",
    "GenerateSongsWorkflow",
    "JobOptions",
    "JobOutcome",
    "JobSpec",
    "MsgspecPayloadConverter",
    "SubmittedJob",
    "SunoActivities",
    "TrainModelWorkflow",
    "TrainSpec",
    "TrainThenGenerateWorkflow",
    "build_workers",
    "connect",
    "data_converter",
    "downloads_queue",
    "job_outcome",
    "job_spec",
    "run_worker",
    "sandbox_runner",
    "submit_batch",
    "submit_job",
    "workflow_id_for",
]
