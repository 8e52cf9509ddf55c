"""mountsea's custom models: ``customModel/prepare``, ``upload`` and ``create``, the waits for
uploads and trainings, and the whole training workflow."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Final

import msgspec

from suno_async._core._events import EventHandler
from suno_async._core._exceptions import ConfigError
from suno_async._core._models import Clip, TaskKind
from suno_async._core._validation import (
    check_bool,
    check_http_url,
    check_id,
    check_ids,
    check_name,
)
from suno_async.mountsea import _constants as c
from suno_async.mountsea._constants import MIN_TRAINING_CLIPS
from suno_async.mountsea._models import (
    CreateCustomModelRequest,
    CustomModel,
    PrepareResponse,
    TaskCreated,
    UploadRequest,
)
from suno_async.mountsea._results import TrainingResult
from suno_async.mountsea._tasks import TasksAPI
from suno_async.mountsea._training import create_key, train_custom_model

__all__ = ["CustomModelAPI"]

_PREPARE: Final = msgspec.json.Decoder(PrepareResponse)
_CREATED: Final = msgspec.json.Decoder(TaskCreated)
_UPLOAD_DATA: Final = msgspec.json.Decoder(Clip)
_TRAINING_DATA: Final = msgspec.json.Decoder(CustomModel)


class CustomModelAPI(TasksAPI):
    """``/suno/v2/customModel/*`` and the training workflow."""

    async def prepare_custom_model(self) -> str:
        """``POST /suno/v2/customModel/prepare``: open a training session; return its id.

        Safe to retry: a session costs nothing and an unused one is harmless.
        """
        result = await self._core.call("POST", "/suno/v2/customModel/prepare", _PREPARE, safe=True)
        return result.session_id

    async def upload_custom_model_audio(
        self, session_id: str, audio_url: str, *, resend_if_ambiguous: bool = False
    ) -> str:
        """``POST /suno/v2/customModel/upload``: start fetching one training track; return the
        upload's task id (wait on it with :meth:`wait_for_upload` for the clip id).

        The provider prices uploads by its configuration ("minor credit costs"), so they are
        not counted in ``credits_spent``. ``resend_if_ambiguous`` sends an upload whose outcome
        is unknown again (the provider allows uploading again in the same session).

        Raises:
            ConfigError: ``session_id`` empty or ``audio_url`` not an http(s) URL.
            AmbiguousSubmitError: the outcome is unknown (every time, with
                ``resend_if_ambiguous``).
        """
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        body = UploadRequest(
            session_id=check_id("session_id", session_id),
            audio_url=check_http_url("audio_url", audio_url),
        )
        result = await self._core.paid_call(
            None,
            "customModel/upload",
            "/suno/v2/customModel/upload",
            _CREATED,
            body,
            resend_if_ambiguous=resend_if_ambiguous,
        )
        return result.task_id

    async def create_custom_model(
        self,
        session_id: str,
        clip_ids: Sequence[str],
        name: str,
        *,
        resend_if_ambiguous: bool = False,
    ) -> str:
        """``POST /suno/v2/customModel/create``: start training (costs 100 credits); return the
        task id, which equals ``session_id``.

        Raises:
            ConfigError: fewer than six or repeated clip ids, or an empty name.
            BadRequestError: the provider rejected the clips (e.g. not from this session).
            InsufficientCreditsError: the account lacks the 100 credits.
            PermissionDeniedError: the account's custom-model limit is reached.
            ConflictError: this session's training was already submitted.
            AmbiguousSubmitError: the outcome is unknown; poll the session id before sending
                it again (``resend_if_ambiguous`` sends it again at once, which may bill
                twice; :meth:`train_custom_model` looks the session up instead).
        """
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        ids = check_ids("clip_ids", clip_ids, allow_empty=True)  # too few: said below
        if len(set(ids)) != len(ids):
            raise ConfigError("clip_ids must be distinct.", argument="clip_ids")
        if len(ids) < MIN_TRAINING_CLIPS:
            raise ConfigError(
                f"clip_ids needs at least {MIN_TRAINING_CLIPS} clips, got {len(ids)}.",
                argument="clip_ids",
            )
        body = CreateCustomModelRequest(
            session_id=check_id("session_id", session_id),
            clip_ids=ids,
            name=check_name("name", name),
        )
        result = await self._core.paid_call(
            c.CREATE_CUSTOM_MODEL_COST,
            "customModel/create",
            "/suno/v2/customModel/create",
            _CREATED,
            body,
            resend_if_ambiguous=resend_if_ambiguous,
            key=create_key(body.session_id),
        )
        return result.task_id

    async def wait_for_upload(
        self, task_id: str, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> Clip:
        """Wait for an upload task; return the uploaded clip (its ``id`` is the clip id)."""
        return await self._wait_for_data(task_id, TaskKind.UPLOAD, _UPLOAD_DATA, timeout, on_event)

    async def wait_for_training(
        self, task_id: str, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> CustomModel:
        """Wait for a training task (its id is the session id); return the custom model."""
        return await self._wait_for_data(
            task_id, TaskKind.TRAINING, _TRAINING_DATA, timeout, on_event
        )

    async def train_custom_model(
        self,
        audio_urls: Iterable[str],
        *,
        name: str,
        clip_count: int = MIN_TRAINING_CLIPS,
        max_concurrent_uploads: int = c.DEFAULT_MAX_CONCURRENT_UPLOADS,
        upload_attempts: int = c.DEFAULT_UPLOAD_ATTEMPTS,
        journal: str | os.PathLike[str] | None = None,
        resend_if_ambiguous: bool = False,
        on_event: EventHandler | None = None,
    ) -> TrainingResult:
        """Train a custom model from at least six audio URLs and wait until it is ready.

        The model is trained on ``clip_count`` clips (six by default): the first ``clip_count``
        URLs are uploaded at once (at most ``max_concurrent_uploads`` upload requests in
        flight) and the URLs after them are spares, uploaded only to replace one that failed
        for good. A failed upload is tried again in the same session (``upload_attempts`` in
        all) unless it would fail again (4001, audio not found). The clips are then submitted
        to ``customModel/create`` (100 credits), billed once even if its answer is lost: the
        session's status before and after tells whether it arrived. When those two answers
        cannot tell (the provider does not document what a session shows before create),
        :class:`AmbiguousSubmitError` with the ``session_id`` is raised, unless
        ``resend_if_ambiguous`` (then create is sent again, which may bill twice). The known
        cost (100) is checked against ``max_credits`` before the first request.

        With ``journal`` (a file path), every step is recorded atomically; calling again with
        the same journal after a crash carries on where the run stopped: finished uploads are
        not sent again, a submitted create is never submitted twice, and a finished run returns
        its result at once. The journal holds no secret.

        Raises:
            ConfigError: fewer than six, repeated or non-http(s) URLs; an empty name; a
                ``clip_count`` outside 6..len(URLs). Nothing is sent then.
            CreditBudgetError: the training's 100 credits would pass ``max_credits``; nothing
                was sent.
            NotEnoughClipsError: fewer than six uploads succeeded; create was not sent.
            TaskFailedError / TaskTimeoutError: the training failed or did not finish in time
                (the note on the error names the session to wait on).
            APIStatusError: the provider refused a step (401, credits, model limit, ...).
            AmbiguousSubmitError: whether create arrived cannot be told (``session_id`` says
                which session to look up or resume).
        """
        self._core.check_open()
        return await train_custom_model(
            self,
            self._core,
            audio_urls,
            name=name,
            clip_count=clip_count,
            journal=journal,
            max_concurrent_uploads=max_concurrent_uploads,
            upload_attempts=upload_attempts,
            resend_if_ambiguous=resend_if_ambiguous,
            on_event=on_event,
        )
