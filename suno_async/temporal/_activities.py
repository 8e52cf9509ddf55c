"""The activities: every provider call of a job, each a plain ``async def`` on one object that
holds the worker's one :class:`~suno_async.MountseaClient` and its credit ledger.

* Free calls (prepare, upload, one status check, a session lookup) let Temporal retry them
  (the client has already retried what the transport may retry); an error a retry would not
  fix comes back as an answer for the workflow to decide on.
* Paid calls (``customModel/create``, ``generate``) are scheduled with ``maximum_attempts=1``
  by the workflows and never raise for the provider's answers: they reserve the cost in the
  ledger under the key the workflow gives (derived from the workflow id and the step, so a
  retried workflow task cannot count twice), send once, heartbeat the task id as soon as the
  answer is read (so a worker that dies after the POST loses nothing: the workflow finds the
  task id in the activity's last heartbeat), settle the key, and return what happened.
* Downloads run on their own task queue (no provider rate, the CDN's bandwidth instead), into
  the worker's directory or through a user-supplied sink (a fleet has no shared disk).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec
from temporalio import activity

from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIError,
    APIStatusError,
    ConflictError,
    CreditBudgetError,
    SunoError,
    TaskFailedError,
    TaskTimeoutError,
)
from suno_async._core._ledger import CreditLedger
from suno_async._core._models import Clip, TaskKind
from suno_async.mountsea import _constants as c
from suno_async.mountsea._client import MountseaClient
from suno_async.mountsea._models import CustomModel, TaskSnapshot
from suno_async.mountsea._tasks import _judge
from suno_async.mountsea._training import _session_view
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

__all__ = ["AfterPaidAnswer", "DownloadSink", "SunoActivities"]

logger = logging.getLogger("suno_async.temporal")

#: ``sink(job_key, clip, path)``: store one downloaded clip (``path`` is a temporary file,
#: removed afterwards) and return where it went (a URL, an object key).
DownloadSink = Callable[[str, ClipInfo, Path], Awaitable[str]]
#: Called with ``("create" | "generate", task_id)`` right after a paid answer was read and its
#: task id heartbeated, before the ledger is settled (tests use it to kill the worker there).
AfterPaidAnswer = Callable[[str, str], Awaitable[None]]

_KINDS = {"upload": TaskKind.UPLOAD, "training": TaskKind.TRAINING, "generate": TaskKind.GENERATE}


@contextlib.asynccontextmanager
async def _heartbeating() -> AsyncIterator[None]:
    """Heartbeat (no details) while the body runs, so a dead worker is noticed within the
    activity's heartbeat timeout, not its whole timeout."""
    timeout = activity.info().heartbeat_timeout
    if timeout is None:
        yield
        return
    every = max(0.05, timeout.total_seconds() / 3)

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _clip_info(clip: Clip) -> ClipInfo:
    return ClipInfo(id=str(clip.id), audio_url=clip.audio_url or "", title=clip.title)


class SunoActivities:
    """The activities of one worker, sharing ``mountsea`` (one client, one connection pool)
    and ``ledger`` (one count of credits for the whole fleet).

    Args:
        mountsea: the client every provider call goes through (leave its ``max_credits``
            unset: the ledger is the budget).
        ledger: a :class:`~suno_async.CreditLedger` shared by every worker (SQLite or
            PostgreSQL from :mod:`suno_async.ledger` for a fleet).
        directory: where downloads go (``<directory>/<job key>/<clip id>.<ext>``).
        sink: instead of ``directory``, where each downloaded clip is handed to.
        after_paid_answer: see :data:`AfterPaidAnswer` (tests only).
    """

    def __init__(
        self,
        mountsea: MountseaClient,
        ledger: CreditLedger,
        *,
        directory: str | os.PathLike[str] | None = None,
        sink: DownloadSink | None = None,
        after_paid_answer: AfterPaidAnswer | None = None,
    ) -> None:
        self._mountsea = mountsea
        self._ledger = ledger
        self._directory = Path(directory) if directory is not None else None
        self._sink = sink
        self._after_paid_answer = after_paid_answer

    def provider_activities(self) -> list[Callable[..., Any]]:
        """The activities that call the provider (its task queue carries its rate)."""
        return [
            self.prepare_session,
            self.submit_upload,
            self.check_task,
            self.look_up_session,
            self.create_model,
            self.generate,
        ]

    def local_activities(self) -> list[Callable[..., Any]]:
        """The activities that do not call the provider's API: downloads, ledger fixes."""
        return [self.download, self.settle]

    # -- free calls ------------------------------------------------------------------------

    @activity.defn(name="suno.prepare_session")
    async def prepare_session(self) -> TaskRef:
        """``customModel/prepare``: a new training session (free; safe to retry)."""
        async with _heartbeating():
            session_id = await self._mountsea.prepare_custom_model()
        return TaskRef(task_id=session_id, kind="session")

    @activity.defn(name="suno.submit_upload")
    async def submit_upload(self, request: UploadRequest) -> CheckAnswer:
        """``customModel/upload`` of one URL: ``pending`` with its task id in ``result_id``,
        or ``failed`` when the provider refused the URL (a 400: not retried). An upload whose
        answer was lost is sent again (the provider allows it in a session)."""
        try:
            async with _heartbeating():
                task_id = await self._mountsea.upload_custom_model_audio(
                    request.session_id, request.audio_url, resend_if_ambiguous=True
                )
        except APIStatusError as exc:
            if exc.retryable:
                raise
            return CheckAnswer(state="failed", error=str(exc), status=str(exc.status_code))
        return CheckAnswer(state="pending", result_id=task_id)

    @activity.defn(name="suno.check_task")
    async def check_task(self, ref: TaskRef) -> CheckAnswer:
        """One status request for ``ref`` and its verdict (the workflow sleeps between them,
        on the library's poll schedule)."""
        kind = _KINDS[ref.kind]
        try:
            async with _heartbeating():
                snapshot = await self._mountsea.get_status(ref.task_id)
        except APIError as exc:
            if exc.retryable:
                raise
            return CheckAnswer(state="error", error=str(exc))
        return _verdict(kind, snapshot)

    @activity.defn(name="suno.look_up_session")
    async def look_up_session(self, ref: TaskRef) -> SessionView:
        """What the session's status shows (the training workflow's own reading, compared by
        ``create_arrived``); ``None`` when the lookup failed."""
        try:
            async with _heartbeating():
                view = await _session_view(self._mountsea, ref.task_id)
        except APIError as exc:
            logger.info("could not look session %s up: %s", ref.task_id, exc)
            return SessionView(view=None)
        return SessionView(view=view)

    # -- paid calls ------------------------------------------------------------------------

    @activity.defn(name="suno.create_model")
    async def create_model(self, request: CreateRequest) -> CreateAnswer:
        """``customModel/create`` (100 credits), once; see the module docstring."""
        key = request.ledger_key
        try:
            await self._ledger.reserve(key, c.CREATE_CUSTOM_MODEL_COST, "customModel/create")
        except CreditBudgetError as exc:
            return CreateAnswer(state="budget", error=str(exc))
        try:
            async with _heartbeating():
                task_id = await self._mountsea.create_custom_model(
                    request.session_id, request.clip_ids, request.name
                )
        except AmbiguousSubmitError as exc:
            await self._ledger.settle(key, "uncertain")
            return CreateAnswer(state="lost", error=str(exc))
        except ConflictError as exc:
            await self._ledger.settle(key, "not_charged")
            return CreateAnswer(state="conflict", task_id=request.session_id, error=str(exc))
        except SunoError as exc:
            await self._ledger.settle(key, "not_charged")
            return CreateAnswer(state="refused", error=str(exc))
        activity.heartbeat(task_id)
        settled = await self._after_answer("create", key, task_id)
        return CreateAnswer(state="accepted", task_id=task_id, settled=settled)

    @activity.defn(name="suno.generate")
    async def generate(self, request: GenerateRequest) -> GenerateAnswer:
        """``generate`` (40 credits for most tasks), once; see the module docstring."""
        key = request.ledger_key
        client = self._mountsea
        try:
            checked = client._checked_fields({"task": "create", **request.fields})
        except SunoError as exc:
            return GenerateAnswer(state="refused", error=str(exc))
        cost = client.price_of(f"generate:{checked.task.value}")
        if cost is not None:
            try:
                await self._ledger.reserve(key, cost, "generate")
            except CreditBudgetError as exc:
                return GenerateAnswer(state="budget", error=str(exc))
        try:
            async with _heartbeating():
                task_id = await client.generate(checked)
        except AmbiguousSubmitError as exc:
            await self._ledger.settle(key, "uncertain")
            return GenerateAnswer(state="lost", error=str(exc))
        except SunoError as exc:
            await self._ledger.settle(key, "not_charged")
            return GenerateAnswer(state="refused", error=str(exc))
        activity.heartbeat(task_id)
        settled = await self._after_answer("generate", key, task_id)
        return GenerateAnswer(state="accepted", task_id=task_id, settled=settled)

    async def _after_answer(self, what: str, key: str, task_id: str) -> bool:
        """Settle an accepted paid call's key; ``False`` when that failed (a ledger that is
        down), which the workflow then settles itself: the answer, with its task id, must
        reach the workflow whatever happens to the ledger."""
        try:
            if self._after_paid_answer is not None:
                await self._after_paid_answer(what, task_id)
            await self._ledger.settle(key, "charged")
        except Exception:
            logger.exception(
                "%s %s was accepted; its ledger key %s is settled later", what, task_id, key
            )
            return False
        return True

    # -- local -----------------------------------------------------------------------------

    @activity.defn(name="suno.settle")
    async def settle(self, request: SettleRequest) -> None:
        """Settle a ledger key (idempotent)."""
        await self._ledger.settle(request.key, request.outcome)

    @activity.defn(name="suno.download")
    async def download(self, request: DownloadRequest) -> DownloadAnswer:
        """Download the clips' audio into ``<directory>/<job key>/`` (files already complete
        are kept, so a retry resumes) or hand each to the sink."""
        clips = [Clip(id=info.id, audio_url=info.audio_url) for info in request.clips]
        async with _heartbeating():
            if self._sink is None:
                if self._directory is None:
                    return DownloadAnswer(files=[])
                paths = await self._mountsea.download_clips(
                    clips, self._directory / _safe(request.job_key)
                )
                return DownloadAnswer(files=[str(p) for p in paths])
            stored = []
            with tempfile.TemporaryDirectory(prefix="suno-temporal-") as tmp:
                for info in request.clips:
                    path = Path(tmp) / f"{_safe(info.id)}.audio"
                    await self._mountsea.download(info.audio_url, path)
                    stored.append(await self._sink(request.job_key, info, path))
            return DownloadAnswer(files=stored)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "_"


def _verdict(kind: TaskKind, snapshot: TaskSnapshot) -> CheckAnswer:
    """The library's own judge of a status answer, as data."""
    try:
        done = _judge(kind)(snapshot)
    except TaskFailedError as exc:
        return CheckAnswer(
            state="failed", status=snapshot.status, fail_code=exc.fail_code, error=str(exc)
        )
    except TaskTimeoutError as exc:
        return CheckAnswer(state="failed", status=snapshot.status, error=str(exc))
    if done is None:
        return CheckAnswer(state="pending", status=snapshot.status)
    try:
        if kind is TaskKind.UPLOAD:
            return CheckAnswer(
                state="done", status=snapshot.status, result_id=str(snapshot.data_as(Clip).id)
            )
        if kind is TaskKind.TRAINING:
            model = snapshot.data_as(CustomModel)
            return CheckAnswer(state="done", status=snapshot.status, result_id=model.id)
        clips = snapshot.data_as(list[Clip])
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        return CheckAnswer(state="error", status=snapshot.status, error=f"unreadable data: {exc}")
    if not clips or any(not clip.audio_url for clip in clips):
        return CheckAnswer(
            state="error", status=snapshot.status, error="succeeded without clips with audio"
        )
    return CheckAnswer(state="done", status=snapshot.status, clips=[_clip_info(c) for c in clips])
