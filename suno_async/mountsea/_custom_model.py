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
from suno_async._core._validation import check_http_url, check_id, check_name
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
from suno_async.mountsea._training import train_custom_model

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

    async def upload_custom_model_audio(self, session_id: str, audio_url: str) -> str:
        """``POST /suno/v2/customModel/upload``: start fetching one training track; return the
        upload's task id (wait on it with :meth:`wait_for_upload` for the clip id).

        Raises:
            ConfigError: ``session_id`` empty or ``audio_url`` not an http(s) URL.
            AmbiguousSubmitError: the answer was lost (uploading again in the same session is
                allowed by the provider).
        """
        body = UploadRequest(
            session_id=check_id("session_id", session_id),
            audio_url=check_http_url("audio_url", audio_url),
        )
        result = await self._core.call(
            "POST", "/suno/v2/customModel/upload", _CREATED, body=body, safe=False
        )
        return result.task_id

    async def create_custom_model(self, session_id: str, clip_ids: Sequence[str], name: str) -> str:
        """``POST /suno/v2/customModel/create``: start training (costs 100 credits); return the
        task id, which equals ``session_id``.

        Raises:
            ConfigError: fewer than six or repeated clip ids, or an empty name.
            BadRequestError: the provider rejected the clips (e.g. not from this session).
            InsufficientCreditsError: the account lacks the 100 credits.
            PermissionDeniedError: the account's custom-model limit is reached.
            ConflictError: this session's training was already submitted.
            AmbiguousSubmitError: the answer was lost; poll the session id before resending.
        """
        if isinstance(clip_ids, str):
            raise ConfigError("clip_ids must be a list of clip ids.", argument="clip_ids")
        ids = [check_id("clip_ids", clip_id) for clip_id in clip_ids]
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
        on_event: EventHandler | None = None,
    ) -> TrainingResult:
        """Train a custom model from at least six audio URLs and wait until it is ready.

        The model is trained on ``clip_count`` clips (six by default): the first ``clip_count``
        URLs are uploaded at once (at most ``max_concurrent_uploads`` upload requests in
        flight) and the URLs after them are spares, uploaded only to replace one that failed
        for good. A failed upload is tried again in the same session (``upload_attempts`` in
        all) unless it would fail again (4001, audio not found). The clips are then submitted
        to ``customModel/create`` (100 credits), billed once even if its answer is lost.

        With ``journal`` (a file path), every step is recorded atomically; calling again with
        the same journal after a crash carries on where the run stopped: finished uploads are
        not sent again, a submitted create is never submitted twice, and a finished run returns
        its result at once. The journal holds no secret.

        Raises:
            ConfigError: fewer than six, repeated or non-http(s) URLs; an empty name; a
                ``clip_count`` outside 6..len(URLs). Nothing is sent then.
            NotEnoughClipsError: fewer than six uploads succeeded; create was not sent.
            TaskFailedError / TaskTimeoutError: the training failed or did not finish in time
                (the note on the error names the session to wait on).
            APIStatusError: the provider refused a step (401, credits, model limit, ...).
            AmbiguousSubmitError: create's answer was lost twice; look the session up.
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
            on_event=on_event,
        )
