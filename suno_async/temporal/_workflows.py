"""The workflows: train a model, generate songs, train then generate, and a batch shard.

The decisions are the library's own, imported, not copied: the poll schedules
(``PollSchedule.delays`` with the workflow's deterministic random numbers, each wait a durable
timer and each ask one ``check_task`` activity), and :mod:`suno_async.mountsea._decisions`
(upload retries and spares, "after an unclear create, look the session up", "a generate whose
answer was lost is not sent again unless the job says ``resend_if_ambiguous``": the job ends
``ambiguous`` instead).

Paid activities run once (``maximum_attempts=1``). When one's worker dies, the workflow sees
a timeout; the task id in the activity's last heartbeat means the answer was read (the job
carries on, and the ledger key is settled ``charged`` here); without it the request counts
as lost (``uncertain`` in the ledger until a lookup tells).
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import timedelta
from typing import Any, NoReturn, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, TimeoutError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    import msgspec

    from suno_async._core._ledger import Settlement
    from suno_async._core._models import TaskKind
    from suno_async._core._polling import DEFAULT_SCHEDULES
    from suno_async.mountsea._constants import MIN_TRAINING_CLIPS
    from suno_async.mountsea._decisions import (
        after_lost_generate,
        after_unclear_create,
        create_arrived,
        upload_lanes,
        upload_will_retry,
        uploads_out_of_reach,
    )
    from suno_async.mountsea._models import custom_model
    from suno_async.temporal._ids import downloads_queue, ledger_key, workflow_id_for
    from suno_async.temporal._types import (
        BatchInput,
        BatchOutcome,
        CheckAnswer,
        ClipInfo,
        CreateAnswer,
        CreateRequest,
        DownloadAnswer,
        DownloadRequest,
        GenerateAnswer,
        GenerateRequest,
        JobOutcome,
        JobSpec,
        JobStatus,
        SessionView,
        SettleRequest,
        TaskRef,
        TrainSpec,
        UploadRequest,
    )

__all__ = [
    "BatchWorkflow",
    "GenerateSongsWorkflow",
    "TrainModelWorkflow",
    "TrainThenGenerateWorkflow",
]

_R = TypeVar("_R")
_PAID = RetryPolicy(maximum_attempts=1)
_FREE = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=20,
)


class _End(Exception):
    """The job ends here, with this status."""

    def __init__(self, status: JobStatus, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


class _Job:
    """One job's run inside a workflow."""

    def __init__(self, spec: JobSpec) -> None:
        self.spec = spec
        self.options = spec.options
        info = workflow.info()
        self.workflow_id = info.workflow_id
        self.downloads = downloads_queue(info.task_queue)
        self.session_id: str | None = None
        self.model_id: str | None = None
        self.task_id: str | None = None
        self.clips: list[ClipInfo] = []
        self.files: list[str] = []
        self.creates_sent = 0
        self.generates_sent = 0

    def outcome(self, status: JobStatus, error: str | None = None) -> JobOutcome:
        return JobOutcome(
            key=self.spec.key,
            status=status,
            error=error,
            session_id=self.session_id,
            model_id=self.model_id,
            task_id=self.task_id,
            clips=self.clips,
            files=self.files,
            creates_sent=self.creates_sent,
            generates_sent=self.generates_sent,
        )

    async def run(self) -> JobOutcome:
        try:
            if self.spec.train is not None:
                await self._train(self.spec.train)
            if self.spec.generate is not None:
                await self._generate(self.spec.generate)
                if self.spec.download:
                    answer = await self._free(
                        "suno.download",
                        DownloadRequest(job_key=self.spec.key, clips=self.clips),
                        DownloadAnswer,
                        task_queue=self.downloads,
                    )
                    self.files = answer.files
        except _End as end:
            return self.outcome(end.status, end.error)
        return self.outcome("done")

    # -- activities ------------------------------------------------------------------------

    async def _free(
        self, name: str, arg: Any, result: type[_R], *, task_queue: str | None = None
    ) -> _R:
        """Run a free activity with retries; when they run out, the job ends ``failed`` with
        what it did so far in its outcome (the workflow itself does not fail: its outcome
        names the task to pick up)."""
        try:
            answer: _R = await workflow.execute_activity(
                name,
                args=[] if arg is None else [arg],
                result_type=result,
                task_queue=task_queue,
                start_to_close_timeout=timedelta(seconds=self.options.activity_timeout),
                heartbeat_timeout=timedelta(seconds=self.options.heartbeat_timeout),
                retry_policy=_FREE,
            )
        except ActivityError as exc:
            cause = exc.cause if exc.cause is not None else exc
            raise _End("failed", f"{name} kept failing ({cause}); nothing more was sent") from None
        return answer

    async def _paid(
        self, name: str, arg: CreateRequest | GenerateRequest, result: type[_R]
    ) -> _R | None:
        """Run a paid activity once; ``None`` when its worker died (or it broke) without a
        task id in its heartbeat: the request may or may not have been sent."""
        try:
            answer: _R = await workflow.execute_activity(
                name,
                arg,
                result_type=result,
                start_to_close_timeout=timedelta(seconds=self.options.activity_timeout),
                heartbeat_timeout=timedelta(seconds=self.options.heartbeat_timeout),
                retry_policy=_PAID,
            )
        except ActivityError as exc:
            cause = exc.cause
            details = cause.last_heartbeat_details if isinstance(cause, TimeoutError) else ()
            task_id = details[0] if details and isinstance(details[0], str) else None
            await self._settle(arg.ledger_key, "charged" if task_id else "uncertain")
            if task_id is None:
                workflow.logger.warning("%s: its worker died before the answer: %s", name, exc)
                return None
            workflow.logger.info("%s: its worker died after the answer (task %s)", name, task_id)
            return msgspec.convert({"state": "accepted", "task_id": task_id}, result)
        return answer

    async def _poll(self, task_id: str, kind: TaskKind) -> CheckAnswer:
        """Ask for the task's status on the library's poll schedule for ``kind`` until it is
        not pending, or the schedule's deadline passed (``failed``, ``timeout``)."""
        schedule = DEFAULT_SCHEDULES[kind].scaled(self.options.poll_scale)
        rng = workflow.random()
        started = workflow.time()
        ref = TaskRef(task_id=task_id, kind=kind.value)
        for delay in schedule.delays(rng):
            left = schedule.timeout - (workflow.time() - started)
            if left <= 0:
                break
            await workflow.sleep(min(delay, left))
            answer = await self._free("suno.check_task", ref, CheckAnswer)
            if answer.state != "pending":
                return answer
        return CheckAnswer(
            state="failed",
            status="timeout",
            error=f"{kind.value} task {task_id} did not finish within {schedule.timeout:g} s",
        )

    # -- training --------------------------------------------------------------------------

    async def _train(self, train: TrainSpec) -> None:
        ref = await self._free("suno.prepare_session", None, TaskRef)
        session_id = self.session_id = ref.task_id
        clip_ids = await self._uploads(session_id, train)
        if len(clip_ids) < MIN_TRAINING_CLIPS:
            raise _End(
                "failed",
                f"only {len(clip_ids)} of {len(train.audio_urls)} uploads gave a clip; training "
                f"needs {MIN_TRAINING_CLIPS}. customModel/create was not sent.",
            )
        task_id = await self._create(session_id, clip_ids, train.name)
        answer = await self._poll(task_id, TaskKind.TRAINING)
        if answer.state != "done" or not answer.result_id:
            raise _End("failed", answer.error or f"training of session {session_id} failed")
        self.model_id = answer.result_id

    async def _uploads(self, session_id: str, train: TrainSpec) -> list[str]:
        """Upload until ``clip_count`` clips succeeded or the URLs ran out: the first
        ``clip_count`` URLs at once, each spare only when an earlier URL failed for good;
        no new upload once six successes are out of reach."""
        queue = deque(train.audio_urls)
        wanted = train.clip_count
        clips: list[str] = []
        active = 0
        out_of_reach = False

        async def lane() -> None:
            nonlocal active, out_of_reach
            while queue and len(clips) + active < wanted and not out_of_reach:
                url = queue.popleft()
                active += 1
                try:
                    clip = await self._upload_until_clip(session_id, url, train.upload_attempts)
                finally:
                    active -= 1
                if clip is not None:
                    clips.append(clip)
                out_of_reach = uploads_out_of_reach(len(clips), active, len(queue))

        lanes = upload_lanes(0, len(queue), wanted)
        await asyncio.gather(*(lane() for _ in range(lanes)))
        return clips[:wanted]

    async def _upload_until_clip(self, session_id: str, url: str, attempts: int) -> str | None:
        for used in range(1, attempts + 1):
            sent = await self._free(
                "suno.submit_upload",
                UploadRequest(session_id=session_id, audio_url=url),
                CheckAnswer,
            )
            if sent.state == "failed" or not sent.result_id:
                return None  # the provider refused the URL itself (400): not retried
            answer = await self._poll(sent.result_id, TaskKind.UPLOAD)
            if answer.state == "done":
                return answer.result_id
            workflow.logger.info("upload of %s failed: %s", url, answer.error)
            if not upload_will_retry(used, attempts, answer.fail_code):
                return None
        return None

    async def _create(self, session_id: str, clip_ids: list[str], name: str) -> str:
        """Get the session's training submitted exactly once; its task id (the session id).

        A create whose answer was lost (or whose worker died before it was read) is looked
        up: the session's view before and after, judged by the library's ``create_arrived``.
        """
        session = TaskRef(task_id=session_id, kind="session")
        before = (await self._free("suno.look_up_session", session, SessionView)).view
        # Keys a lookup dropped as "not arrived": a later answer may say they did arrive.
        dropped: list[str] = []
        for attempt in range(self.options.max_resends + 1):
            key = ledger_key(self.workflow_id, "create", attempt)
            request = CreateRequest(
                session_id=session_id, clip_ids=clip_ids, name=name, ledger_key=key
            )
            answer = await self._paid("suno.create_model", request, CreateAnswer)
            state = "lost" if answer is None else answer.state
            if state != "budget":
                self.creates_sent += 1
            if answer is not None and answer.state == "accepted" and answer.task_id:
                await self._settled(answer, key)
                return answer.task_id
            if state == "conflict":
                # Already training: a create the lookup called "not arrived" did arrive (the
                # status endpoint lagged), and was charged.
                for earlier in dropped[:1]:
                    await self._settle(earlier, "charged")
                return session_id
            if state == "budget":
                self._refused(answer, "the ledger's budget refused customModel/create")
            if state == "refused":
                for earlier in dropped[:1]:
                    # Refused perhaps because the dropped one arrived after all: unknown again.
                    await self._settle(earlier, "uncertain")
                self._refused(answer, "the provider refused customModel/create")
            after = (await self._free("suno.look_up_session", session, SessionView)).view
            arrived = None if after is None else create_arrived(before, after)
            workflow.logger.info(
                "create of %s: before %s, now %s, arrived: %s", session_id, before, after, arrived
            )
            next_step = after_unclear_create(
                arrived, resend_if_ambiguous=self.spec.resend_if_ambiguous
            )
            if next_step == "submitted":
                await self._settle(key, "charged")
                return session_id
            if arrived is False:
                await self._settle(key, "not_charged")
                dropped.append(key)
            if next_step == "send_again":
                continue
            raise _End(
                "ambiguous",
                f"customModel/create for session {session_id} may or may not have arrived, "
                "and the session's status cannot tell; it was not sent again.",
            )
        raise _End(
            "ambiguous",
            f"customModel/create for session {session_id} was sent {self.creates_sent} times "
            "without a clear answer.",
        )

    def _refused(self, answer: CreateAnswer | GenerateAnswer | None, what: str) -> NoReturn:
        error = answer.error if answer is not None and answer.error else what
        raise _End("refused", error)

    async def _settled(self, answer: CreateAnswer | GenerateAnswer, key: str) -> None:
        """Settle an accepted call's key if its activity could not (its ledger was down)."""
        if not answer.settled:
            await self._settle(key, "charged")

    async def _settle(self, key: str, outcome: Settlement) -> None:
        await workflow.execute_activity(
            "suno.settle",
            SettleRequest(key=key, outcome=outcome),
            task_queue=self.downloads,
            start_to_close_timeout=timedelta(seconds=self.options.activity_timeout),
            retry_policy=_FREE,
        )

    # -- generation ------------------------------------------------------------------------

    async def _generate(self, fields: dict[str, Any]) -> None:
        fields = {"task": "create", **fields}
        if self.model_id is not None:
            fields["model"] = custom_model(self.model_id)
        task_id: str | None = None
        for attempt in range(self.options.max_resends + 1):
            key = ledger_key(self.workflow_id, "generate", attempt)
            answer = await self._paid(
                "suno.generate", GenerateRequest(fields=fields, ledger_key=key), GenerateAnswer
            )
            state = "lost" if answer is None else answer.state
            if state == "budget":
                self._refused(answer, "the ledger's budget refused generate")
            self.generates_sent += state != "refused"
            if state == "refused":
                self._refused(answer, "the provider refused generate")
            if answer is not None and answer.state == "accepted" and answer.task_id:
                await self._settled(answer, key)
                task_id = answer.task_id
                break
            workflow.logger.info("generate %d of %s: the answer was lost", attempt, self.spec.key)
            if after_lost_generate(resend_if_ambiguous=self.spec.resend_if_ambiguous) != (
                "send_again"
            ):
                break
        if task_id is None:
            raise _End(
                "ambiguous",
                "generate's answer was lost: it may be running (and billed). It was not sent "
                "again"
                + (" (resends exhausted)." if self.spec.resend_if_ambiguous else "")
                + "; allow resend_if_ambiguous to send it again.",
            )
        self.task_id = task_id
        checked = await self._poll(task_id, TaskKind.GENERATE)
        if checked.state != "done":
            raise _End("failed", checked.error or f"generation {task_id} failed")
        self.clips = checked.clips


@workflow.defn(name="suno.TrainThenGenerate")
class TrainThenGenerateWorkflow:
    """A job: train (if ``spec.train``), then generate (if ``spec.generate``) and download."""

    @workflow.run
    async def run(self, spec: JobSpec) -> JobOutcome:
        return await _Job(spec).run()


@workflow.defn(name="suno.TrainModel")
class TrainModelWorkflow:
    """Train a custom model (``spec.train``); ``generate`` is ignored."""

    @workflow.run
    async def run(self, spec: JobSpec) -> JobOutcome:
        if spec.train is None:
            return JobOutcome(key=spec.key, status="failed", error="the job has no train part")
        return await _Job(msgspec.structs.replace(spec, generate=None)).run()


@workflow.defn(name="suno.GenerateSongs")
class GenerateSongsWorkflow:
    """Generate (``spec.generate``) and download; ``train`` is ignored."""

    @workflow.run
    async def run(self, spec: JobSpec) -> JobOutcome:
        if spec.generate is None:
            return JobOutcome(key=spec.key, status="failed", error="the job has no generate part")
        return await _Job(msgspec.structs.replace(spec, train=None)).run()


@workflow.defn(name="suno.Batch")
class BatchWorkflow:
    """A shard of a batch: one child workflow per job, id ``<prefix><hash of its key>``, left
    running if the shard ends (``ABANDON``). A job whose workflow exists already (a second
    submission) is not started again. Shards of a few hundred jobs keep the history far below
    Temporal's limits (about four events per child)."""

    @workflow.run
    async def run(self, batch: BatchInput) -> BatchOutcome:
        already: list[str] = []
        handles = []
        for job in batch.jobs:
            try:
                handle = await workflow.start_child_workflow(
                    TrainThenGenerateWorkflow.run,
                    job,
                    id=workflow_id_for(job.key, batch.id_prefix),
                    task_queue=batch.task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                )
            except WorkflowAlreadyStartedError:
                already.append(job.key)
                continue
            handles.append(handle)
        outcomes = list(await asyncio.gather(*handles))
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return BatchOutcome(counts=counts, already=already, outcomes=outcomes)
