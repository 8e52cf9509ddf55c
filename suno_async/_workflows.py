"""Multi-step flows: train a custom model from audio URLs; download clips.

Training, as the provider documents it: prepare a session; upload every URL into it (in
parallel); poll each upload to its clip id; submit ``customModel/create`` with the clip ids
(100 credits); poll the session id (the create's task id equals it) until the model is trained.

Choices where the provider is silent:

* Every URL is uploaded and every clip that succeeds goes into the model, so URLs beyond six
  serve as spares: a URL that fails for good is tolerated while six others succeed.
* A failed upload is re-sent in the same session (the provider's recovery rule) up to
  ``upload_attempts`` times in all.
* As soon as six successes are out of reach, the remaining uploads are cancelled and
  :class:`NotEnoughClipsError` is raised; ``create`` is never sent then.
* A ``create`` whose answer was lost is looked up (status of the session id) before it is sent
  again, and a 409 answer (training already submitted for this session) is taken to mean the
  training runs: the workflow waits for it instead of failing. Either way it is billed once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import anyio
import msgspec

from suno_async._constants import MIN_TRAINING_CLIPS
from suno_async._events import (
    DownloadFinished,
    EventHandler,
    SessionPrepared,
    TrainingFinished,
    TrainingSubmitted,
    UploadFailed,
    UploadFinished,
    UploadSubmitted,
    emit,
)
from suno_async._exceptions import (
    AmbiguousSubmitError,
    BadRequestError,
    ConfigError,
    ConflictError,
    NotEnoughClipsError,
    NotFoundError,
    TaskError,
    TaskFailedError,
)
from suno_async._validation import check_audio_urls, check_name, check_positive_int
from suno_async.models.clip import Clip

if TYPE_CHECKING:
    from suno_async._client import SunoClient

__all__ = ["TrainingResult", "UploadOutcome", "download_clips", "train_custom_model"]

logger = logging.getLogger("suno_async")


class UploadOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one audio URL: its clip id, or the error that stopped it.

    ``task_ids`` lists the upload task of every attempt, in order.
    """

    url: str
    clip_id: str | None
    task_ids: tuple[str, ...] = ()
    attempts: int = 0
    error: str | None = None
    fail_code: int | str | None = None

    @property
    def ok(self) -> bool:
        return self.clip_id is not None


class TrainingResult(msgspec.Struct, frozen=True, kw_only=True):
    """A trained custom model: pass ``model_id`` as ``model`` to generate.

    ``outcomes`` has one entry per audio URL, in the order given, including the ones that
    failed and why.
    """

    model_id: str
    name: str
    session_id: str
    task_id: str
    outcomes: tuple[UploadOutcome, ...]

    @property
    def clip_ids(self) -> tuple[str, ...]:
        """The clip ids the model was trained on, in URL order."""
        return tuple(o.clip_id for o in self.outcomes if o.clip_id is not None)

    @property
    def failed(self) -> tuple[UploadOutcome, ...]:
        """The URLs that produced no clip."""
        return tuple(o for o in self.outcomes if o.clip_id is None)


class _UploadBoard:
    """Counts of uploads, to notice the moment six successes are out of reach."""

    def __init__(self, total: int) -> None:
        self.pending = total
        self.succeeded = 0

    def settle(self, ok: bool) -> None:
        self.pending -= 1
        self.succeeded += ok

    @property
    def hopeless(self) -> bool:
        return self.succeeded + self.pending < MIN_TRAINING_CLIPS


async def _upload_until_clip(
    client: SunoClient,
    session_id: str,
    url: str,
    *,
    attempts: int,
    semaphore: anyio.Semaphore,
    on_event: EventHandler | None,
) -> UploadOutcome:
    """Upload ``url`` until it gives a clip or its attempts run out.

    A failed or timed-out upload task, or an upload whose answer was lost, is tried again in
    the same session. A 400 is this URL's own problem and is not retried. Anything else (bad
    key, no credits, network down) concerns every upload and propagates.
    """
    task_ids: list[str] = []
    error: TaskError | AmbiguousSubmitError | BadRequestError | None = None
    for attempt in range(1, attempts + 1):
        try:
            async with semaphore:
                task_id = await client.upload_custom_model_audio(session_id, url)
            task_ids.append(task_id)
            await emit(on_event, UploadSubmitted(url=url, task_id=task_id, attempt=attempt))
            clip = await client.wait_for_upload(task_id, on_event=on_event)
        except (TaskError, AmbiguousSubmitError, BadRequestError) as exc:
            error = exc
        else:
            await emit(on_event, UploadFinished(url=url, clip_id=clip.id))
            return UploadOutcome(
                url=url, clip_id=clip.id, task_ids=tuple(task_ids), attempts=attempt
            )
        will_retry = attempt < attempts and not isinstance(error, BadRequestError)
        logger.info("upload of %s failed (attempt %d): %s", url, attempt, error)
        await emit(
            on_event,
            UploadFailed(url=url, error=str(error), attempt=attempt, will_retry=will_retry),
        )
        if not will_retry:
            break
    return UploadOutcome(
        url=url,
        clip_id=None,
        task_ids=tuple(task_ids),
        attempts=attempt,
        error=str(error),
        fail_code=error.fail_code if isinstance(error, TaskFailedError) else None,
    )


async def _upload_all(
    client: SunoClient,
    session_id: str,
    urls: Sequence[str],
    *,
    attempts: int,
    max_concurrency: int,
    on_event: EventHandler | None,
) -> list[UploadOutcome]:
    semaphore = anyio.Semaphore(max_concurrency)
    board = _UploadBoard(len(urls))
    outcomes: list[UploadOutcome | None] = [None] * len(urls)

    async def one(index: int, url: str, scope: anyio.CancelScope) -> None:
        outcome = await _upload_until_clip(
            client, session_id, url, attempts=attempts, semaphore=semaphore, on_event=on_event
        )
        outcomes[index] = outcome
        board.settle(outcome.ok)
        if board.hopeless:
            scope.cancel()

    async with anyio.create_task_group() as tg:
        for index, url in enumerate(urls):
            tg.start_soon(one, index, url, tg.cancel_scope)
    return [
        o
        if o is not None
        else UploadOutcome(url=url, clip_id=None, error="cancelled: six clips were out of reach")
        for o, url in zip(outcomes, urls, strict=True)
    ]


async def _submit_create(
    client: SunoClient, session_id: str, clip_ids: list[str], name: str
) -> str:
    try:
        return await client.create_custom_model(session_id, clip_ids, name)
    except ConflictError:
        logger.info("training of session %s was already submitted; waiting for it", session_id)
        return session_id
    except AmbiguousSubmitError:
        # taskId == sessionId, so the status of the session tells whether create arrived.
        try:
            await client.get_status(session_id)
        except NotFoundError:
            logger.info("create for session %s did not arrive; sending it again", session_id)
            return await client.create_custom_model(session_id, clip_ids, name)
        logger.info("create for session %s arrived although its answer was lost", session_id)
        return session_id


async def train_custom_model(
    client: SunoClient,
    audio_urls: Iterable[str],
    *,
    name: str,
    max_concurrent_uploads: int,
    upload_attempts: int,
    on_event: EventHandler | None,
) -> TrainingResult:
    """See :meth:`SunoClient.train_custom_model`."""
    urls = check_audio_urls(audio_urls)
    name = check_name("name", name)
    check_positive_int("max_concurrent_uploads", max_concurrent_uploads)
    check_positive_int("upload_attempts", upload_attempts)

    session_id = await client.prepare_custom_model()
    await emit(on_event, SessionPrepared(session_id=session_id))
    outcomes = await _upload_all(
        client,
        session_id,
        urls,
        attempts=upload_attempts,
        max_concurrency=max_concurrent_uploads,
        on_event=on_event,
    )
    clip_ids = [o.clip_id for o in outcomes if o.clip_id is not None]
    if len(clip_ids) < MIN_TRAINING_CLIPS:
        failures = "; ".join(f"{o.url}: {o.error}" for o in outcomes if o.clip_id is None)
        raise NotEnoughClipsError(
            f"only {len(clip_ids)} of {len(urls)} uploads produced a clip, and training needs "
            f"{MIN_TRAINING_CLIPS}; customModel/create was not sent (no credits spent). "
            f"Failed: {failures}. Replace those URLs (or add spares) and train again.",
            session_id=session_id,
            outcomes=outcomes,
            required=MIN_TRAINING_CLIPS,
        )
    task_id = await _submit_create(client, session_id, clip_ids, name)
    await emit(
        on_event,
        TrainingSubmitted(session_id=session_id, task_id=task_id, clip_count=len(clip_ids)),
    )
    model = await client.wait_for_training(task_id, on_event=on_event)
    await emit(on_event, TrainingFinished(session_id=session_id, model_id=model.id))
    return TrainingResult(
        model_id=model.id,
        name=model.name or name,
        session_id=session_id,
        task_id=task_id,
        outcomes=tuple(outcomes),
    )


def clip_filename(clip: Clip) -> str:
    """``<clip id><extension of its audio URL>`` (``.mp3`` when the URL shows none)."""
    suffix = PurePosixPath(urlsplit(clip.audio_url or "").path).suffix.lower()
    if not suffix or len(suffix) > 5:
        suffix = ".mp3"
    return f"{clip.id}{suffix}"


async def download_clips(
    client: SunoClient,
    clips: Sequence[Clip],
    directory: str | os.PathLike[str],
    *,
    max_concurrency: int,
    on_event: EventHandler | None,
) -> list[anyio.Path]:
    """See :meth:`SunoClient.download_clips`."""
    check_positive_int("max_concurrency", max_concurrency)
    missing = [clip.id for clip in clips if not clip.audio_url]
    if missing:
        raise ConfigError(
            f"clips without an audio_url cannot be downloaded: {', '.join(missing)}. "
            "Wait until they are complete.",
            argument="clips",
        )
    target = anyio.Path(directory)
    await target.mkdir(parents=True, exist_ok=True)
    semaphore = anyio.Semaphore(max_concurrency)
    paths: list[anyio.Path] = [target / clip_filename(clip) for clip in clips]

    async def one(clip: Clip, path: anyio.Path) -> None:
        async with semaphore:
            size = await client.download(clip.audio_url or "", path)
        await emit(on_event, DownloadFinished(clip_id=clip.id, path=str(path), size=size))

    async with anyio.create_task_group() as tg:
        for clip, path in zip(clips, paths, strict=True):
            tg.start_soon(one, clip, path)
    return paths
