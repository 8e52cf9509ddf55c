"""mountsea's ``generate`` (its 15 tasks), the wait for a generation, and the flows built on
them: generate and wait, generate and download (journaled), pure music."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, Final, cast

import msgspec

from suno_async._core._events import (
    EventHandler,
    GenerationFinished,
    GenerationStreaming,
    GenerationSubmitted,
    emit,
    reporting_spending,
)
from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIStatusError,
    ConfigError,
    CreditBudgetError,
    ResponseValidationError,
    TaskFailedError,
    TaskTimeoutError,
)
from suno_async._core._handles import TaskHandle
from suno_async._core._journal import Journal
from suno_async._core._models import Clip, TaskKind
from suno_async._core._validation import (
    check_bool,
    check_callback,
    check_path,
    check_positive,
)
from suno_async.mountsea import _constants as c
from suno_async.mountsea._decisions import after_lost_generate
from suno_async.mountsea._journals import GenerationJournal
from suno_async.mountsea._models import (
    GenerateRequest,
    GenerateTask,
    GenerationSnapshot,
    TaskCreated,
    TaskSnapshot,
    TaskStatus,
)
from suno_async.mountsea._results import GenerationResult
from suno_async.mountsea._schema import SchemaAPI
from suno_async.mountsea._validation import (
    check_against_schema,
    check_extra_body,
    check_pure_music,
    checked_generate,
)

__all__ = ["GenerateAPI"]

logger = logging.getLogger("suno_async")

_CREATED: Final = msgspec.json.Decoder(TaskCreated)
_GENERATION: Final = msgspec.json.Decoder(GenerationSnapshot)


def _with_model(request: GenerateRequest | None, fields: dict[str, Any]) -> dict[str, Any]:
    """Keyword fields with ``model`` defaulting to :data:`~._constants.DEFAULT_MODEL` (a
    :class:`GenerateRequest` always names its model)."""
    if request is not None or "model" in fields:
        return fields
    return {**fields, "model": c.DEFAULT_MODEL}


class GenerateAPI(SchemaAPI):
    """``POST /suno/v2/generate`` and the flows built on it."""

    #: Model names accepted besides the stock ones (the client's ``extra_models``).
    _extra_models: frozenset[str] = frozenset()
    #: Whether other unknown models are sent, with a warning (``allow_unknown_models``).
    _allow_unknown_models: bool | None = None
    #: Whether generate checks requests against the provider's schema (``check_schema``):
    #: always, never, or (``None``) when ``extra_body`` is given.
    _check_schema: bool | None = None

    async def generate(
        self,
        request: GenerateRequest | None = None,
        /,
        *,
        resend_if_ambiguous: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> str:
        """``POST /suno/v2/generate``: start a generation; return its task id.

        Pass a :class:`GenerateRequest`, or its fields as keywords
        (``generate(task="create", prompt=..., tags=...)``; ``model`` defaults to
        ``"chirp-v55"``, the newest stock model, as on the command line). The task's required
        fields are checked before anything is sent: against the provider's own
        ``GET /suno/v2/generate/schema`` (fetched once per client, see
        :meth:`cached_generate_schema`) when ``extra_body`` is given or the client's
        ``check_schema=True``, and always the built-in table (the offline fallback).

        ``extra_body`` adds fields this release does not know (a new field of the provider)
        to the body as given; each must not be a field of :class:`GenerateRequest`, and when
        the schema is known, must be one the task takes.

        The provider offers no way to look a generation up without its task id, so when the
        answer is lost the call raises :class:`AmbiguousSubmitError` (its ``body_sent`` is what
        was asked for). With ``resend_if_ambiguous=True`` it is sent again instead (up to the
        retry policy's ``max_retries`` times), which may start and bill more than one
        generation.

        Raises:
            ConfigError: unknown task or model, a missing required field, a malformed field.
            CreditBudgetError: the generation's price would pass ``max_credits`` (40 credits;
                ``gen_stem_all`` and ``sound`` have no published price and are sent uncounted
                unless the client's ``prices`` names one).
            InsufficientCreditsError: the account cannot pay for the generation.
            AmbiguousSubmitError: the answer was lost (every time, with ``resend_if_ambiguous``).
        """
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        extra = check_extra_body(extra_body)
        checked = checked_generate(
            request, _with_model(request, fields), self._extra_models, self._allow_unknown_models
        )
        cost = self.price_of(f"generate:{checked.task.value}")
        if cost is not None:
            self._core.check_budget(cost, "generate")  # before the schema is asked for too
        if self._check_schema or (self._check_schema is None and extra):
            schemas = await self.cached_generate_schema()
            schema = schemas.get(checked.task.value) if schemas is not None else None
            if schema is not None:
                check_against_schema(checked, extra, schema)
        body: msgspec.Struct = checked
        if extra:
            # A plain dict encodes like a Struct; the body keeps the typed fields and adds these.
            body = cast(msgspec.Struct, {**msgspec.to_builtins(checked), **extra})
        result = await self._core.paid_call(
            cost,
            "generate",
            "/suno/v2/generate",
            _CREATED,
            body,
            resend_if_ambiguous=resend_if_ambiguous,
        )
        return result.task_id

    async def start_generation(
        self,
        request: GenerateRequest | None = None,
        /,
        *,
        resend_if_ambiguous: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> TaskHandle[TaskSnapshot, list[Clip]]:
        """:meth:`generate`, returning a handle on the task (``await handle.wait()`` gives the
        clips; ``client.task(handle.id, "generate")`` re-attaches later). Raises as
        :meth:`generate` does."""
        task_id = await self.generate(
            request, resend_if_ambiguous=resend_if_ambiguous, extra_body=extra_body, **fields
        )
        return self.task(task_id, "generate")

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
        check_callback("on_event", on_event)
        with reporting_spending(on_event):
            task_id = await self.generate(
                request, resend_if_ambiguous=resend_if_ambiguous, **fields
            )
        model = request.model if request is not None else str(_with_model(None, fields)["model"])
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
        check_path("directory", directory)
        if journal is not None:
            check_path("journal", journal)
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        check_callback("on_event", on_event)
        checked = checked_generate(
            request, _with_model(request, fields), self._extra_models, self._allow_unknown_models
        )
        log = (
            Journal.open(journal, GenerationJournal(request=msgspec.to_builtins(checked)))
            if journal is not None
            else None
        )
        try:
            return await self._journaled_generation(
                checked,
                log,
                directory=directory,
                resend_if_ambiguous=resend_if_ambiguous,
                timeout=timeout,
                on_event=on_event,
            )
        finally:
            if log is not None:
                log.close()

    def _checked_fields(self, fields: dict[str, Any]) -> GenerateRequest:
        """The generate request of these keyword fields, checked as :meth:`generate` does.

        Raises:
            ConfigError: as for :meth:`generate`.
        """
        return checked_generate(
            None, _with_model(None, fields), self._extra_models, self._allow_unknown_models
        )

    async def _journaled_generation(
        self,
        checked: GenerateRequest,
        log: Journal[GenerationJournal] | None,
        *,
        directory: str | os.PathLike[str] | None,
        resend_if_ambiguous: bool,
        timeout: float | None,
        on_event: EventHandler | None,
    ) -> GenerationResult:
        """:meth:`generate_and_download` for a checked request and an open journal (or none);
        without ``directory`` nothing is downloaded (``files`` is empty). A generation the
        provider failed is journaled as ``failed``, so running the journal again sends it
        again."""
        state = log.state if log is not None else None

        def record(**changes: object) -> None:
            if log is not None:
                for key, value in changes.items():
                    setattr(log.state, key, value)
                log.save()

        task_id = state.task_id if state is not None and state.submit == "submitted" else None
        if task_id is None:
            if (
                log is not None
                and log.state.submit == "sending"
                and after_lost_generate(resend_if_ambiguous=resend_if_ambiguous) == "ambiguous"
            ):
                raise AmbiguousSubmitError(
                    f"journal {log.where} shows this generation was being sent when the run "
                    "stopped, and no answer was recorded: it may be running (and billed). Look "
                    "for it among the account's recent work, or allow re-sending it "
                    "(resend_if_ambiguous) to send it again.",
                    method="POST",
                    url="/suno/v2/generate",
                    endpoint="/suno/v2/generate",
                    body_sent=msgspec.json.encode(checked),
                )
            record(submit="sending", task_id=None, clips=None)
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
            try:
                clips = await self.wait_for_generation(task_id, timeout=timeout, on_event=on_event)
            except TaskFailedError:
                record(submit="failed")
                raise
            except TaskTimeoutError as exc:
                if exc.server_side:
                    record(submit="failed")
                raise
            if directory is not None:  # else the caller records the result at once
                record(clips=clips)
        if directory is None:
            return GenerationResult(task_id=task_id, clips=clips, files=[])
        paths = await self.download_clips(clips, directory, on_event=on_event)
        record(downloads={clip.id: str(path) for clip, path in zip(clips, paths, strict=True)})
        return GenerationResult(task_id=task_id, clips=clips, files=paths)

    async def pure_music(
        self,
        tags: str,
        title: str | None = None,
        *,
        model: str = c.DEFAULT_PURE_MUSIC_MODEL,
        timeout: float | None = None,
        resend_if_ambiguous: bool = False,
        on_event: EventHandler | None = None,
    ) -> list[Clip]:
        """Instrumental music from style ``tags`` and an optional ``title``: finished clips.

        On this provider: ``generate`` with ``task="create"`` and ``make_instrumental=True``
        (``model`` picks the model), then wait. The same call exists on
        :class:`~suno_async.SunoapiClient`. ``resend_if_ambiguous`` is as for
        :meth:`generate`.

        Raises:
            ConfigError: empty tags (mountsea documents no length limits).
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
        return await self.generate_and_wait(
            request, timeout=timeout, resend_if_ambiguous=resend_if_ambiguous, on_event=on_event
        )
