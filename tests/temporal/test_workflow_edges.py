"""Edges of the Temporal workflows that the emulator cannot stage, with stand-in activities
registered under the real names on the time-skipping server: a create the lookup called "not
arrived" that then answers 409, a status endpoint that stays down, a ledger that is down when
a paid answer arrives; and the producer's memory bound and the workers' heartbeat settings."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "temporalio",
    reason="the Temporal SDK is not installed: "
    "pip install --require-hashes -r requirements/temporal-test.txt",
)

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from suno_async import MountseaClient
from suno_async._core._ledger import MemoryLedger
from suno_async.temporal import (
    WORKFLOWS,
    JobOutcome,
    JobSpec,
    SunoActivities,
    TrainSpec,
    build_workers,
    data_converter,
    job_outcome,
    sandbox_runner,
    submit_batch,
    workflow_id_for,
)
from suno_async.temporal._types import (
    CheckAnswer,
    ClipInfo,
    CreateAnswer,
    CreateRequest,
    DownloadAnswer,
    DownloadRequest,
    GenerateAnswer,
    GenerateRequest,
    SessionView,
    SettleRequest,
    TaskRef,
    UploadRequest,
)
from tests.temporal.rig import TEST_SERVER, needs_test_server

pytestmark = [pytest.mark.anyio, needs_test_server]

SONG = {"task": "create", "tags": "lo-fi", "prompt": "rain", "title": "Rain"}


@dataclass
class Provider:
    """Stand-in activities: what the provider and the ledger do, scripted per test."""

    ledger: MemoryLedger = field(default_factory=MemoryLedger)
    creates: int = 0
    status_down: bool = False
    ledger_down_on_answer: bool = False

    def activities(self) -> tuple[list[Callable[..., Any]], list[Callable[..., Any]]]:
        @activity.defn(name="suno.prepare_session")
        async def prepare() -> TaskRef:
            return TaskRef(task_id="session-1", kind="session")

        @activity.defn(name="suno.submit_upload")
        async def upload(request: UploadRequest) -> CheckAnswer:
            return CheckAnswer(state="pending", result_id="up-" + request.audio_url)

        @activity.defn(name="suno.check_task")
        async def check(ref: TaskRef) -> CheckAnswer:
            if self.status_down and ref.kind == "generate":
                raise RuntimeError("status endpoint: 503")
            if ref.kind == "upload":
                return CheckAnswer(state="done", result_id="clip-" + ref.task_id)
            if ref.kind == "training":
                return CheckAnswer(state="done", result_id="chirp-custom:m1")
            return CheckAnswer(state="done", clips=[ClipInfo(id="c1", audio_url="http://x/a")])

        @activity.defn(name="suno.look_up_session")
        async def look(ref: TaskRef) -> SessionView:
            return SessionView(view="http:404")  # a status endpoint that lags

        @activity.defn(name="suno.create_model")
        async def create(request: CreateRequest) -> CreateAnswer:
            self.creates += 1
            await self.ledger.reserve(request.ledger_key, 100, "create")
            if self.creates == 1:  # accepted and charged, but the answer was lost
                await self.ledger.settle(request.ledger_key, "uncertain")
                return CreateAnswer(state="lost", error="connection reset")
            await self.ledger.settle(request.ledger_key, "not_charged")  # 409
            return CreateAnswer(state="conflict", task_id=request.session_id, error="409")

        @activity.defn(name="suno.generate")
        async def generate(request: GenerateRequest) -> GenerateAnswer:
            await self.ledger.reserve(request.ledger_key, 40, "generate")
            if self.ledger_down_on_answer:
                return GenerateAnswer(state="accepted", task_id="gen-1", settled=False)
            await self.ledger.settle(request.ledger_key, "charged")
            return GenerateAnswer(state="accepted", task_id="gen-1")

        @activity.defn(name="suno.settle")
        async def settle(request: SettleRequest) -> None:
            await self.ledger.settle(request.key, request.outcome)

        @activity.defn(name="suno.download")
        async def download(request: DownloadRequest) -> DownloadAnswer:
            return DownloadAnswer(files=[])

        return [prepare, upload, check, look, create, generate], [settle, download]


@asynccontextmanager
async def served(provider: Provider) -> AsyncIterator[Client]:
    assert TEST_SERVER is not None
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter, test_server_existing_path=TEST_SERVER
    )
    main, local = provider.activities()
    async with (
        env,
        Worker(
            env.client,
            task_queue="q",
            workflows=list(WORKFLOWS),
            activities=main,
            workflow_runner=sandbox_runner(),
        ),
        Worker(env.client, task_queue="q-downloads", activities=local),
    ):
        yield env.client


async def run(client: Client, spec: JobSpec) -> JobOutcome:
    handle = await client.start_workflow(
        "suno.TrainThenGenerate",
        spec,
        id=workflow_id_for(spec.key),
        task_queue="q",
        result_type=JobOutcome,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    outcome: JobOutcome = await handle.result()
    return outcome


async def test_a_create_dropped_by_the_lookup_is_charged_when_the_resend_gets_409() -> None:
    """The status endpoint lags: the lookup says the lost create never arrived, the resend is
    answered 409 (already training). The ledger counts the first create as charged."""
    provider = Provider()
    async with served(provider) as client:
        outcome = await run(
            client,
            JobSpec(key="k", train=TrainSpec(name="m", audio_urls=[f"u{i}" for i in range(6)])),
        )
    assert outcome.status == "done"
    assert provider.creates == 2
    totals = await provider.ledger.totals()
    assert (totals.spent, totals.uncertain, totals.reserved) == (100, 0, 0)


async def test_a_status_endpoint_that_stays_down_ends_the_job_failed_with_its_task() -> None:
    """The workflow does not fail (a failed workflow could not be submitted again and would
    lose the task id): the job ends failed, naming the generation that was paid for."""
    provider = Provider(status_down=True)
    async with served(provider) as client:
        outcome = await run(client, JobSpec(key="k", generate=SONG))
    assert outcome.status == "failed"
    assert outcome.task_id == "gen-1"
    assert "check_task" in (outcome.error or "")
    assert (await provider.ledger.totals()).spent == 40


async def test_an_accepted_generate_whose_ledger_was_down_is_settled_by_the_workflow() -> None:
    provider = Provider(ledger_down_on_answer=True)
    async with served(provider) as client:
        outcome = await run(client, JobSpec(key="k", generate=SONG))
    assert outcome.status == "done"
    totals = await provider.ledger.totals()
    assert (totals.spent, totals.reserved) == (40, 0)


async def test_submitting_a_long_batch_holds_only_the_starts_under_way() -> None:
    """Rows are pulled only as fast as workflows start: at most ``concurrency`` ahead."""
    provider = Provider()
    pulled = 0
    started_before: list[int] = []

    def rows() -> Iterator[JobSpec]:
        nonlocal pulled
        for i in range(24):
            pulled += 1
            yield JobSpec(key=f"r{i}", generate=SONG)

    async with served(provider) as client:
        original: Any = client.start_workflow

        async def counting(*args: Any, **kwargs: Any) -> Any:
            started_before.append(pulled)
            return await original(*args, **kwargs)

        client.start_workflow = counting  # type: ignore[method-assign]
        submission = await submit_batch(rows(), client, task_queue="q", concurrency=4)
        for job in submission.jobs:  # done before the workers stop
            assert (await job_outcome(client, job.workflow_id)).status == "done"
    assert len(submission.jobs) == 24
    assert all(ahead - i <= 4 + 1 for i, ahead in enumerate(started_before))


async def test_workers_send_heartbeats_at_once_and_let_paid_calls_finish() -> None:
    """A paid call's task id, heartbeated right after the answer, must reach the server before
    the worker can die; a worker asked to stop lets activities under way finish."""
    assert TEST_SERVER is not None
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter, test_server_existing_path=TEST_SERVER
    )
    async with env, MountseaClient(api_key="k", base_url="http://127.0.0.1:9") as mountsea:
        workers = build_workers(env.client, "q", SunoActivities(mountsea, MemoryLedger()))
        for worker in workers:
            config = worker.config()
            assert config["max_heartbeat_throttle_interval"] <= timedelta(seconds=0.5)
            assert config["default_heartbeat_throttle_interval"] <= timedelta(seconds=0.5)
            assert config["graceful_shutdown_timeout"] >= timedelta(seconds=30)
