"""The session object: :class:`SunoClient`."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from typing import Any, Final, TypeVar, Unpack

import msgspec

from suno_async import _constants as c
from suno_async._base_client import BaseClient, ClientOptions
from suno_async._events import (
    EventHandler,
    GenerationFinished,
    GenerationStreaming,
    GenerationSubmitted,
    emit,
    reporting_spending,
)
from suno_async._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIStatusError,
    ConfigError,
    CreditBudgetError,
    ResponseValidationError,
)
from suno_async._journal import GenerationJournal, Journal
from suno_async._polling import wait_for_task
from suno_async._results import GenerationResult, TrainingResult
from suno_async._validation import (
    check_generate_request,
    check_http_url,
    check_id,
    check_name,
    check_positive,
    check_pure_music,
)
from suno_async._workflows import train_custom_model
from suno_async.models.clip import Clip
from suno_async.models.common import TaskKind
from suno_async.models.mountsea import (
    CreateCustomModelRequest,
    CustomModel,
    GenerateRequest,
    GenerateTask,
    GenerationSnapshot,
    PrepareResponse,
    TaskCreated,
    TaskSnapshot,
    TaskStatus,
    UploadRequest,
)

__all__ = ["SunoClient"]

logger = logging.getLogger("suno_async")

_T = TypeVar("_T")
_S = TypeVar("_S", bound=TaskSnapshot)

_PREPARE: Final = msgspec.json.Decoder(PrepareResponse)
_CREATED: Final = msgspec.json.Decoder(TaskCreated)
_SNAPSHOT: Final = msgspec.json.Decoder(TaskSnapshot)
_FIELD_PATH: Final = re.compile(r"(?:at `\$\.|required field `)(\w+)")
_UPLOAD_DATA: Final = msgspec.json.Decoder(Clip)
_TRAINING_DATA: Final = msgspec.json.Decoder(CustomModel)
_GENERATION: Final = msgspec.json.Decoder(GenerationSnapshot)


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
        max_polls_per_second: a cap on status requests per second across all waits (off by
            default); it trades detection lag for load on the provider.
        poll_schedules: per kind of task, replaces the default :class:`PollSchedule`.
        clock: where waits read the time and sleep; a :class:`VirtualClock` shared with the
            embedded emulator makes tests instant.
        max_credits: a budget: a call whose known cost (create 100, generate 40) would take
            :attr:`credits_spent` past it raises :class:`CreditBudgetError` before any request.
        extra_models: model names to accept besides the stock ones this release knows (for a
            model the provider adds later); any other unknown model is refused before sending.

    Raises:
        ConfigError: no API key, a malformed base URL, or a non-positive number.
    """

    _key_env = c.API_KEY_ENV
    _url_env = c.BASE_URL_ENV
    _default_url = c.DEFAULT_BASE_URL

    def __init__(
        self, *, extra_models: Collection[str] = (), **options: Unpack[ClientOptions]
    ) -> None:
        super().__init__(**options)
        if isinstance(extra_models, str):
            raise ConfigError(
                "extra_models must be a list of model names.", argument="extra_models"
            )
        self._extra_models = frozenset(extra_models)

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
        result = await self._paid_call(
            c.CREATE_CUSTOM_MODEL_COST,
            "customModel/create",
            "/suno/v2/customModel/create",
            _CREATED,
            body,
        )
        return result.task_id

    async def generate(
        self,
        request: GenerateRequest | None = None,
        /,
        *,
        resend_if_ambiguous: bool = False,
        **fields: Any,
    ) -> str:
        """``POST /suno/v2/generate``: start a generation; return its task id.

        Pass a :class:`GenerateRequest`, or its fields as keywords
        (``generate(task="create", model=..., prompt=..., tags=...)``). The task's required
        fields are checked before anything is sent.

        The provider offers no way to look a generation up without its task id, so when the
        answer is lost the call raises :class:`AmbiguousSubmitError` (its ``body_sent`` is what
        was asked for). With ``resend_if_ambiguous=True`` it is sent again instead (up to the
        retry policy's ``max_retries`` times), which may start and bill more than one
        generation.

        Raises:
            ConfigError: unknown task or model, a missing required field, a malformed field.
            CreditBudgetError: the generation's 40 credits would pass ``max_credits``.
            InsufficientCreditsError: the account cannot pay for the generation.
            AmbiguousSubmitError: the answer was lost (every time, with ``resend_if_ambiguous``).
        """
        checked = _checked_generate(request, fields, self._extra_models)
        resends = self.retry_policy.max_retries
        for lost in range(resends + 1):
            try:
                result = await self._paid_call(
                    c.GENERATE_COST, "generate", "/suno/v2/generate", _CREATED, checked
                )
            except AmbiguousSubmitError:
                if not resend_if_ambiguous or lost == resends:
                    raise
                logger.warning("generate: the answer was lost; sending it again as asked")
            else:
                return result.task_id
        raise AssertionError("unreachable")  # pragma: no cover

    async def get_status(self, task_id: str) -> TaskSnapshot:
        """``GET /suno/v2/status``: the task's current status and, once done, its data.

        Raises:
            NotFoundError: no task has this id.
        """
        return await self._status(task_id, _SNAPSHOT)

    async def _status(self, task_id: str, decoder: msgspec.json.Decoder[_S]) -> _S:
        params = {"taskId": check_id("task_id", task_id)}
        return await self._call("GET", "/suno/v2/status", decoder, params=params, safe=True)

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
        return await self._wait(task_id, TaskKind(kind), timeout, on_event, None, _SNAPSHOT)

    async def _wait(
        self,
        task_id: str,
        kind: TaskKind,
        timeout: float | None,
        on_event: EventHandler | None,
        on_answer: Callable[[_S], Awaitable[None]] | None,
        decoder: msgspec.json.Decoder[_S],
    ) -> _S:
        return await wait_for_task(
            lambda task: self._status(task, decoder),
            check_id("task_id", task_id),
            kind=kind,
            schedule=self._schedule_for(kind, timeout),
            clock=self._clock,
            limiter=self._poll_limiter,
            rng=self._rng,
            on_event=on_event,
            on_answer=on_answer,
            pacer=self._pacer,
        )

    async def _wait_for_data(
        self,
        task_id: str,
        kind: TaskKind,
        decoder: msgspec.json.Decoder[_T],
        timeout: float | None,
        on_event: EventHandler | None,
    ) -> _T:
        snapshot = await self._wait(task_id, kind, timeout, on_event, None, _SNAPSHOT)
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
        streaming = False

        async def on_answer(snapshot: GenerationSnapshot) -> None:
            nonlocal streaming
            if streaming or snapshot.status != TaskStatus.STREAM or on_event is None:
                return
            urls = tuple(clip.audio_url for clip in snapshot.clips if clip.audio_url)
            if urls:
                streaming = True
                await emit(on_event, GenerationStreaming(task_id=task_id, audio_urls=urls))

        final = await self._wait(
            task_id, TaskKind.GENERATE, timeout, on_event, on_answer, _GENERATION
        )
        clips = final.clips
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
        self._check_open()
        return await train_custom_model(
            self,
            audio_urls,
            name=name,
            clip_count=clip_count,
            journal=journal,
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
        resend_if_ambiguous: bool = False,
        on_event: EventHandler | None = None,
        **fields: Any,
    ) -> list[Clip]:
        """:meth:`generate`, then :meth:`wait_for_generation`; return the finished clips."""
        if timeout is not None:
            check_positive("timeout", timeout)  # before anything is paid for
        with reporting_spending(on_event):
            task_id = await self.generate(
                request, resend_if_ambiguous=resend_if_ambiguous, **fields
            )
        model = request.model if request is not None else str(fields.get("model", ""))
        await emit(on_event, GenerationSubmitted(task_id=task_id, model=model))
        return await self.wait_for_generation(task_id, timeout=timeout, on_event=on_event)

    async def generate_and_download(
        self,
        request: GenerateRequest | None = None,
        /,
        *,
        directory: str | os.PathLike[str],
        journal: str | os.PathLike[str] | None = None,
        resend_if_ambiguous: bool = False,
        timeout: float | None = None,
        on_event: EventHandler | None = None,
        **fields: Any,
    ) -> GenerationResult:
        """Generate, wait for the clips, and download their audio into ``directory``.

        With ``journal`` (a file path) every step is recorded atomically, and calling again
        with the same journal and request after a crash carries on: a generation that was
        submitted is waited for, not sent again, and audio already downloaded is kept (a
        broken download is resumed). A journal that shows the request was being sent when the
        run stopped, with no answer recorded, raises :class:`AmbiguousSubmitError` unless
        ``resend_if_ambiguous`` allows sending it again (which may bill twice).

        Raises:
            ConfigError: a bad request, or a journal that belongs to another request.
            AmbiguousSubmitError: see above, and as for :meth:`generate`.
            TaskFailedError / TaskTimeoutError: the generation failed or took too long.
        """
        if timeout is not None:
            check_positive("timeout", timeout)  # before anything is paid for
        checked = _checked_generate(request, fields, self._extra_models)
        log = (
            Journal.open(journal, GenerationJournal(request=msgspec.to_builtins(checked)))
            if journal is not None
            else None
        )
        state = log.state if log is not None else None

        def record(**changes: object) -> None:
            if log is not None:
                for key, value in changes.items():
                    setattr(log.state, key, value)
                log.save()

        task_id = state.task_id if state is not None and state.submit == "submitted" else None
        if task_id is None:
            if state is not None and state.submit == "sending" and not resend_if_ambiguous:
                raise AmbiguousSubmitError(
                    f"journal {journal} shows this generation was being sent when the run "
                    "stopped, and no answer was recorded: it may be running (and billed). Look "
                    "for it among the account's recent work, or allow re-sending it "
                    "(resend_if_ambiguous) to send it again.",
                    method="POST",
                    url="/suno/v2/generate",
                    endpoint="/suno/v2/generate",
                    body_sent=msgspec.json.encode(checked),
                )
            record(submit="sending")
            try:
                with reporting_spending(on_event):
                    task_id = await self.generate(checked, resend_if_ambiguous=resend_if_ambiguous)
            except AmbiguousSubmitError:
                raise
            except (ConfigError, CreditBudgetError, APIStatusError, APIConnectionError):
                record(submit="none")  # the failure proves nothing was sent or accepted
                raise
            record(submit="submitted", task_id=task_id)
            await emit(on_event, GenerationSubmitted(task_id=task_id, model=checked.model))
        clips = state.clips if state is not None and state.clips else None
        if clips is None:
            clips = await self.wait_for_generation(task_id, timeout=timeout, on_event=on_event)
            record(clips=clips)
        paths = await self.download_clips(clips, directory, on_event=on_event)
        record(downloads={clip.id: str(path) for clip, path in zip(clips, paths, strict=True)})
        return GenerationResult(task_id=task_id, clips=clips, files=[str(p) for p in paths])

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
        request = GenerateRequest(
            task=GenerateTask.CREATE,
            model=model,
            make_instrumental=True,
            tags=fields["tags"],
            title=fields.get("title", msgspec.UNSET),
        )
        return await self.generate_and_wait(request, timeout=timeout, on_event=on_event)


def _checked_generate(
    request: GenerateRequest | None, fields: dict[str, Any], extra_models: Collection[str]
) -> GenerateRequest:
    """The request to send, with every field type-checked and the task's required fields there.

    Raises:
        ConfigError: unknown fields, a wrong type, an unknown task or model, a missing field.
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
    check_generate_request(checked, extra_models)
    return checked
