"""The session object: :class:`SunoClient`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, TypeVar

import msgspec

from suno_async import _constants as c
from suno_async._base_client import BaseClient
from suno_async._events import EventHandler, GenerationFinished, GenerationSubmitted, emit
from suno_async._exceptions import ConfigError, ResponseValidationError
from suno_async._polling import wait_for_task
from suno_async._validation import (
    check_generate_request,
    check_http_url,
    check_id,
    check_name,
    check_pure_music,
)
from suno_async._workflows import TrainingResult, train_custom_model
from suno_async.models.clip import Clip
from suno_async.models.common import TaskKind
from suno_async.models.mountsea import (
    CreateCustomModelRequest,
    CustomModel,
    GenerateRequest,
    PrepareResponse,
    TaskCreated,
    TaskSnapshot,
    UploadRequest,
)

__all__ = ["SunoClient"]

_T = TypeVar("_T")

_PREPARE: Final = msgspec.json.Decoder(PrepareResponse)
_CREATED: Final = msgspec.json.Decoder(TaskCreated)
_SNAPSHOT: Final = msgspec.json.Decoder(TaskSnapshot)
_FIELD_PATH: Final = re.compile(r"(?:at `\$\.|required field `)(\w+)")
_UPLOAD_DATA: Final = msgspec.json.Decoder(Clip)
_TRAINING_DATA: Final = msgspec.json.Decoder(CustomModel)
_GENERATE_DATA: Final = msgspec.json.Decoder(list[Clip])


class SunoClient(BaseClient):
    """An asyncio client of the custom-model provider's v2 API (``/suno/v2/...``).

    Use it as ``async with SunoClient() as client: ...``; it keeps one aiohttp session for every
    call and closes it on exit (a session passed in by the caller is left open). A closed client
    cannot be reopened.

    Args:
        api_key: the Bearer key; defaults to the ``SUNO_API_KEY`` environment variable.
        base_url: defaults to ``SUNO_BASE_URL``, then ``https://api.mountsea.ai``. Plain http is
            refused for hosts other than loopback unless ``allow_insecure_http`` is true.
        session: an aiohttp session to use instead of the client's own.
        timeout: seconds allowed for one API request; ``connect_timeout`` for its connection.
        max_retries: retries of a request that failed in a way worth retrying (see
            :class:`RetryPolicy`; ``retry`` replaces the whole policy).
        max_concurrent_polls: status requests in flight at once across all waits.
        poll_schedules: per kind of task, replaces the default :class:`PollSchedule`.
        clock: where waits read the time and sleep; a :class:`VirtualClock` shared with the
            embedded emulator makes tests instant.

    Raises:
        ConfigError: no API key, a malformed base URL, or a non-positive number.
    """

    _key_env = c.API_KEY_ENV
    _url_env = c.BASE_URL_ENV
    _default_url = c.DEFAULT_BASE_URL

    # -- low-level endpoints ---------------------------------------------------------------

    async def prepare_custom_model(self) -> str:
        """``POST /suno/v2/customModel/prepare``: open a training session; return its id.

        Safe to retry: a session costs nothing and an unused one is harmless.
        """
        result = await self._call("POST", "/suno/v2/customModel/prepare", _PREPARE, safe=True)
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
        result = await self._call(
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
        if len(ids) < c.MIN_TRAINING_CLIPS:
            raise ConfigError(
                f"clip_ids needs at least {c.MIN_TRAINING_CLIPS} clips, got {len(ids)}.",
                argument="clip_ids",
            )
        body = CreateCustomModelRequest(
            session_id=check_id("session_id", session_id),
            clip_ids=ids,
            name=check_name("name", name),
        )
        result = await self._call(
            "POST", "/suno/v2/customModel/create", _CREATED, body=body, safe=False
        )
        return result.task_id

    async def generate(self, request: GenerateRequest | None = None, /, **fields: Any) -> str:
        """``POST /suno/v2/generate``: start a generation; return its task id.

        Pass a :class:`GenerateRequest`, or its fields as keywords
        (``generate(task="create", model=..., prompt=..., tags=...)``). The task's required
        fields are checked before anything is sent.

        Raises:
            ConfigError: unknown task or model, a missing required field, a malformed field.
            InsufficientCreditsError: the account cannot pay for the generation.
            AmbiguousSubmitError: the answer was lost; the generation may be running (and
                billed). It is not sent again automatically.
        """
        if request is not None and fields:
            raise ConfigError("pass a GenerateRequest or keyword fields, not both.")
        unknown = sorted(set(fields) - set(GenerateRequest.__struct_fields__))
        if unknown:
            raise ConfigError(
                f"generate got unknown fields: {', '.join(unknown)}.", argument=unknown[0]
            )
        # A Struct built by hand is not type-checked by msgspec; a round trip checks it.
        raw = msgspec.to_builtins(request) if request is not None else fields
        try:
            checked = msgspec.convert(raw, GenerateRequest)
        except msgspec.ValidationError as exc:
            path = _FIELD_PATH.search(str(exc))
            raise ConfigError(
                f"invalid generate request: {exc}.", argument=path.group(1) if path else None
            ) from None
        check_generate_request(checked)
        result = await self._call("POST", "/suno/v2/generate", _CREATED, body=checked, safe=False)
        return result.task_id

    async def get_status(self, task_id: str) -> TaskSnapshot:
        """``GET /suno/v2/status``: the task's current status and, once done, its data.

        Raises:
            NotFoundError: no task has this id.
        """
        params = {"taskId": check_id("task_id", task_id)}
        return await self._call("GET", "/suno/v2/status", _SNAPSHOT, params=params, safe=True)

    # -- waiting ---------------------------------------------------------------------------

    async def wait_for_task(
        self,
        task_id: str,
        *,
        kind: TaskKind = TaskKind.GENERATE,
        timeout: float | None = None,
        on_event: EventHandler | None = None,
    ) -> TaskSnapshot:
        """Poll ``task_id`` until it succeeds; return the final snapshot.

        ``kind`` picks the poll schedule; ``timeout`` (seconds) overrides its deadline.

        Raises:
            TaskFailedError: status ``failed`` (``fail_reason``, ``fail_code``).
            TaskTimeoutError: status ``timeout``, or the deadline passed.
        """
        task_id = check_id("task_id", task_id)
        return await wait_for_task(
            self.get_status,
            task_id,
            kind=TaskKind(kind),
            schedule=self._schedule_for(TaskKind(kind), timeout),
            clock=self._clock,
            limiter=self._poll_limiter,
            rng=self._rng,
            on_event=on_event,
        )

    async def _wait_for_data(
        self,
        task_id: str,
        kind: TaskKind,
        decoder: msgspec.json.Decoder[_T],
        timeout: float | None,
        on_event: EventHandler | None,
    ) -> _T:
        snapshot = await self.wait_for_task(task_id, kind=kind, timeout=timeout, on_event=on_event)
        try:
            return decoder.decode(snapshot.data)
        except msgspec.ValidationError as exc:
            raise ResponseValidationError(
                f"{kind.value} task {task_id} succeeded but its data has an unexpected shape: "
                f"{exc}.",
                body=bytes(snapshot.data),
            ) from exc

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

    async def wait_for_generation(
        self, task_id: str, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> list[Clip]:
        """Wait for a generate task; return its clips, each with the ``audio_url`` of its audio.

        Raises:
            ResponseValidationError: the task succeeded without clips or without audio URLs.
        """
        clips = await self._wait_for_data(
            task_id, TaskKind.GENERATE, _GENERATE_DATA, timeout, on_event
        )
        if not clips or any(not clip.audio_url for clip in clips):
            raise ResponseValidationError(
                f"generate task {task_id} succeeded but did not return clips with audio URLs."
            )
        await emit(
            on_event,
            GenerationFinished(task_id=task_id, clip_ids=tuple(clip.id for clip in clips)),
        )
        return clips

    # -- workflows -------------------------------------------------------------------------

    async def train_custom_model(
        self,
        audio_urls: Iterable[str],
        *,
        name: str,
        clip_count: int = c.MIN_TRAINING_CLIPS,
        max_concurrent_uploads: int = c.DEFAULT_MAX_CONCURRENT_UPLOADS,
        upload_attempts: int = c.DEFAULT_UPLOAD_ATTEMPTS,
        on_event: EventHandler | None = None,
    ) -> TrainingResult:
        """Train a custom model from at least six audio URLs and wait until it is ready.

        The model is trained on ``clip_count`` clips (six by default): the first ``clip_count``
        URLs are uploaded at once (at most ``max_concurrent_uploads`` upload requests in
        flight) and the URLs after them are spares, uploaded only to replace one that failed
        for good. A failed upload is tried again in the same session (``upload_attempts`` in
        all) unless it would fail again (4001, audio not found). The clips are then submitted
        to ``customModel/create`` (100 credits), billed once even if its answer is lost.

        Raises:
            ConfigError: fewer than six, repeated or non-http(s) URLs; an empty name; a
                ``clip_count`` outside 6..len(URLs). Nothing is sent then.
            NotEnoughClipsError: fewer than six uploads succeeded; create was not sent.
            TaskFailedError / TaskTimeoutError: the training failed or did not finish in time
                (the note on the error names the session to wait on).
            APIStatusError: the provider refused a step (401, credits, model limit, ...).
            AmbiguousSubmitError: create's answer was lost twice; look the session up.
        """
        self._check_open()
        return await train_custom_model(
            self,
            audio_urls,
            name=name,
            clip_count=clip_count,
            max_concurrent_uploads=max_concurrent_uploads,
            upload_attempts=upload_attempts,
            on_event=on_event,
        )

    async def generate_and_wait(
        self,
        request: GenerateRequest | None = None,
        /,
        *,
        timeout: float | None = None,
        on_event: EventHandler | None = None,
        **fields: Any,
    ) -> list[Clip]:
        """:meth:`generate`, then :meth:`wait_for_generation`; return the finished clips."""
        task_id = await self.generate(request, **fields)
        model = request.model if request is not None else str(fields.get("model", ""))
        await emit(on_event, GenerationSubmitted(task_id=task_id, model=model))
        return await self.wait_for_generation(task_id, timeout=timeout, on_event=on_event)

    async def pure_music(
        self,
        tags: str,
        title: str | None = None,
        *,
        model: str = c.DEFAULT_PURE_MUSIC_MODEL,
        timeout: float | None = None,
        on_event: EventHandler | None = None,
    ) -> list[Clip]:
        """Instrumental music from style ``tags`` and an optional ``title``: finished clips.

        On this provider: ``generate`` with ``task="create"`` and ``make_instrumental=True``
        (``model`` picks the model), then wait. The same call exists on
        :class:`SunoApiClient`.

        Raises:
            ConfigError: empty tags, or tags/title over the length limits.
            TaskFailedError / TaskTimeoutError: the generation failed or took too long.
        """
        fields = check_pure_music(tags, title)
        return await self.generate_and_wait(
            task="create",
            model=model,
            make_instrumental=True,
            timeout=timeout,
            on_event=on_event,
            **fields,
        )
