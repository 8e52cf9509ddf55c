"""The sunoapi.com v2 client: :class:`SunoApiClient` (v3.5) and its ``v30`` family."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Final, TypeVar, Unpack
from urllib.parse import quote

import msgspec

from suno_async import _constants as c
from suno_async._base_client import BaseClient, ClientOptions
from suno_async._clips import ClipTracker, WaitUntil
from suno_async._events import (
    EventHandler,
    GenerationFinished,
    GenerationSubmitted,
    emit,
    reporting_spending,
)
from suno_async._exceptions import (
    ClipFailedError,
    ConfigError,
    ResponseValidationError,
    TaskFailedError,
)
from suno_async._polling import poll_until
from suno_async._transport import shape_error, status_error
from suno_async._validation import check_id, check_positive_int, check_pure_music, check_text
from suno_async.models.clip import Clip, ClipStatus
from suno_async.models.common import TaskKind
from suno_async.models.sunoapi import (
    V30_KNOWN_STATUSES,
    ClipsResponse,
    Envelope,
    ExtendRequest,
    GenerateBatch,
    LyricsSongRequest,
    PureMusicRequest,
    RandomRequest,
    V30Task,
    V30TaskRef,
    V30TaskStatus,
)

__all__ = ["SunoApiClient", "SunoApiV30"]

_T = TypeVar("_T")

_V35: Final = "/api/v2/suno/v3.5"
_V30: Final = "/api/v2/suno/v3.0"
_BATCH: Final = msgspec.json.Decoder(GenerateBatch)
_CLIPS: Final = msgspec.json.Decoder(ClipsResponse)
_V30_REF: Final = msgspec.json.Decoder(Envelope[V30TaskRef])
_V30_TASK: Final = msgspec.json.Decoder(Envelope[V30Task])


class SunoApiClient(BaseClient):
    """An asyncio client of sunoapi.com's v2 API: custom pure music, lyric songs, extend.

    The v3.5 calls answer at once with two clips still ``submitted``; follow them with
    :meth:`wait_for_clips` (all waits of one client share their lookups, batched by up to
    ``clip_batch_size`` ids per request). The v3.0 family is under :attr:`v30`.

    Takes the same arguments as :class:`SunoClient` (transport, retries, clock, limiter, a
    ``max_credits`` budget at 10 credits per create or extend), plus ``clip_batch_size``. The
    key defaults to ``SUNOAPI_API_KEY``, the base URL to ``SUNOAPI_BASE_URL``, then
    ``https://api.sunoapi.com``.

    Raises:
        ConfigError: no API key, a malformed base URL, or a non-positive number.
    """

    _key_env = c.SUNOAPI_API_KEY_ENV
    _url_env = c.SUNOAPI_BASE_URL_ENV
    _default_url = c.SUNOAPI_DEFAULT_BASE_URL

    def __init__(
        self, *, clip_batch_size: int = c.MAX_CLIP_IDS_PER_LOOKUP, **options: Unpack[ClientOptions]
    ) -> None:
        super().__init__(**options)
        check_positive_int("clip_batch_size", clip_batch_size)
        self._tracker = ClipTracker(
            self.get_clips,
            clock=self._clock,
            limiter=lambda: self._poll_limiter,
            rng=self._rng,
            batch_size=clip_batch_size,
            pacer=self._pacer,
        )
        self.v30: Final = SunoApiV30(self)

    # -- v3.5 ------------------------------------------------------------------------------

    async def create_pure_music(self, tags: str, title: str | None = None) -> GenerateBatch:
        """``POST v3.5/custom/create-pure-music``: instrumental music from style ``tags``.

        Returns the batch with its two clips, still ``submitted`` (costs 10 credits).

        Raises:
            ConfigError: empty tags, tags of 200 characters or more, a title of 80 or more.
            InsufficientCreditsError: the account's credits do not cover the call.
            AmbiguousSubmitError: the answer was lost; the music may be under way (and billed).
        """
        body = PureMusicRequest(**check_pure_music(tags, title))
        return await self._submit("/custom/create-pure-music", body)

    async def create_lyrics_song(
        self, prompt: str, tags: str, title: str | None = None
    ) -> GenerateBatch:
        """``POST v3.5/custom/create-lyrics-song``: a song singing ``prompt`` (the lyrics).

        Raises:
            ConfigError: a missing or too long prompt (3000), tags (200) or title (80).
        """
        body = LyricsSongRequest(prompt=_prompt(prompt), **check_pure_music(tags, title))
        return await self._submit("/custom/create-lyrics-song", body)

    async def extend(
        self,
        continue_clip_id: str,
        continue_at: float,
        *,
        prompt: str,
        tags: str,
        title: str | None = None,
    ) -> GenerateBatch:
        """``POST v3.5/extend``: continue a clip from ``continue_at`` seconds with new lyrics.

        The provider advises reusing the tags and title of the clip being extended.

        Raises:
            ConfigError: a missing field, a negative ``continue_at``, or a text over its limit.
        """
        if (
            isinstance(continue_at, bool)
            or not isinstance(continue_at, int | float)
            or not math.isfinite(continue_at)
            or continue_at < 0
        ):
            raise ConfigError(
                f"continue_at must be a finite number of seconds >= 0, got {continue_at!r}.",
                argument="continue_at",
            )
        body = ExtendRequest(
            continue_clip_id=check_id("continue_clip_id", continue_clip_id),
            continue_at=float(continue_at),
            prompt=_prompt(prompt),
            **check_pure_music(tags, title),
        )
        return await self._submit("/extend", body)

    async def _submit(self, route: str, body: msgspec.Struct) -> GenerateBatch:
        raw = await self._paid_call(c.SUNOAPI_CALL_COST, route[1:], _V35 + route, _RAW, body)
        batch = _decode_v35(raw, _BATCH, "POST", _V35 + route)
        if not batch.clips:
            raise ResponseValidationError(f"POST {_V35}{route} answered a batch without clips.")
        return batch

    async def get_clips(self, clip_ids: Sequence[str]) -> list[Clip]:
        """``GET v3.5/clips?ids=``: the clips' current state (ids the provider does not know
        are left out). Up to ``clip_batch_size`` ids per call; use :meth:`wait_for_clips` to
        follow any number.

        Raises:
            ConfigError: no ids, an empty id, or more ids than one lookup takes.
        """
        ids = _clip_ids(clip_ids)
        if len(ids) > self._tracker.batch_size:
            raise ConfigError(
                f"clip_ids must hold 1 to {self._tracker.batch_size} ids, got {len(ids)}.",
                argument="clip_ids",
            )
        path = _V35 + "/clips"
        raw = await self._call("GET", path, _RAW, params={"ids": ",".join(ids)}, safe=True)
        return _decode_v35(raw, _CLIPS, "GET", path).clips

    async def wait_for_clips(
        self,
        clip_ids: Sequence[str],
        *,
        until: WaitUntil = "complete",
        timeout: float | None = None,
        on_event: EventHandler | None = None,
    ) -> list[Clip]:
        """Wait until every clip is ``complete``; return them in the order given.

        With ``until="streaming"`` return once every clip is playable as a stream (its
        ``audio_url`` grows until the clip completes); with ``until="first_streaming"`` as soon
        as one is (the others as they are then).

        All waits of this client are served by shared, batched lookups.

        Raises:
            ClipFailedError: a clip ended in ``error`` (``error_type``, ``error_message``).
            TaskFailedError: the provider does not know a clip id.
            TaskTimeoutError: ``timeout`` (default: the ``music`` poll schedule's) passed.
        """
        self._check_open()
        ids = _clip_ids(clip_ids)
        if until not in ("complete", "streaming", "first_streaming"):
            raise ConfigError(
                "until must be 'complete', 'streaming' or 'first_streaming'.", argument="until"
            )
        schedule = self._schedule_for(TaskKind.MUSIC, timeout)
        if until != "complete":
            schedule = dataclasses.replace(schedule, expected=None)  # streaming comes early
        return await self._tracker.wait(ids, until=until, schedule=schedule, on_event=on_event)

    async def pure_music(
        self,
        tags: str,
        title: str | None = None,
        *,
        timeout: float | None = None,
        on_event: EventHandler | None = None,
    ) -> list[Clip]:
        """Instrumental music from style ``tags`` and an optional ``title``: finished clips.

        On this provider: v3.5 ``custom/create-pure-music``, then the clips are followed until
        complete. The same call exists on :class:`SunoClient`.

        Raises:
            ConfigError: empty tags, or tags/title over the length limits.
            ClipFailedError / TaskTimeoutError: a clip failed or took too long.
        """
        with reporting_spending(on_event):
            batch = await self.create_pure_music(tags, title)
        await emit(on_event, GenerationSubmitted(task_id=batch.id, model="v3.5"))
        clips = await self.wait_for_clips(batch.clip_ids, timeout=timeout, on_event=on_event)
        await emit(on_event, GenerationFinished(task_id=batch.id, clip_ids=tuple(batch.clip_ids)))
        return clips


class SunoApiV30:
    """sunoapi.com's v3.0 family (answers wrapped as ``{code, data, message}``, followed by
    task id). Reached as ``SunoApiClient.v30``; shares the client's transport and limiter."""

    def __init__(self, client: SunoApiClient) -> None:
        self._client = client

    async def create_pure_music(self, tags: str, title: str | None = None) -> str:
        """``POST v3.0/custom/create-pure-music``; return the task id."""
        return await self._submit(
            "/custom/create-pure-music", PureMusicRequest(**check_pure_music(tags, title))
        )

    async def create_lyrics_song(self, prompt: str, tags: str, title: str | None = None) -> str:
        """``POST v3.0/custom/create-lyrics-song``; return the task id."""
        body = LyricsSongRequest(prompt=_prompt(prompt), **check_pure_music(tags, title))
        return await self._submit("/custom/create-lyrics-song", body)

    async def random_pure_music(self, description: str) -> str:
        """``POST v3.0/random/create-pure-music``: instrumental from a description; task id."""
        return await self._submit("/random/create-pure-music", _random(description))

    async def random_lyrics_song(self, description: str) -> str:
        """``POST v3.0/random/create-lyrics-song``: a song from a description; task id."""
        return await self._submit("/random/create-lyrics-song", _random(description))

    async def _submit(self, route: str, body: msgspec.Struct) -> str:
        answer = await self._client._paid_call(
            c.SUNOAPI_CALL_COST, route[1:], _V30 + route, _V30_REF, body
        )
        return _unwrap(answer, "POST", _V30 + route).task_id

    async def get_task(self, task_id: str) -> V30Task:
        """``GET v3.0/clip/{task_id}``: the task's status, input and clips by id.

        Raises:
            NotFoundError: no task has this id.
        """
        path = f"{_V30}/clip/{quote(check_id('task_id', task_id), safe='')}"
        answer = await self._client._call("GET", path, _V30_TASK, safe=True)
        return _unwrap(answer, "GET", path)

    async def wait_for_task(
        self, task_id: str, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> list[Clip]:
        """Poll a v3.0 task until it is ``completed`` with every clip complete; return them.

        Raises:
            TaskFailedError: the task reported ``failed``; ``ClipFailedError`` for a clip.
            TaskTimeoutError: the deadline passed.
        """
        client = self._client
        client._check_open()
        task_id = check_id("task_id", task_id)
        return await poll_until(
            lambda: self.get_task(task_id),
            _judge_v30,
            lambda task: task.status,
            task_id=task_id,
            kind=TaskKind.MUSIC,
            known_statuses=V30_KNOWN_STATUSES,
            schedule=client._schedule_for(TaskKind.MUSIC, timeout),
            clock=client.clock,
            limiter=client._poll_limiter,
            rng=client._rng,
            on_event=on_event,
            pacer=client._pacer,
        )


def _judge_v30(task: V30Task) -> list[Clip] | None:
    """Done when every clip is complete, whatever the task's own status says (only
    ``completed`` is documented); failed when a clip or the task failed."""
    for clip in task.clips.values():
        if clip.status == ClipStatus.ERROR:
            raise ClipFailedError.from_clip(clip)
    if task.status == V30TaskStatus.FAILED:
        raise TaskFailedError(
            f"task {task.task_id} failed.", task_id=task.task_id, snapshot=task, fail_reason=None
        )
    clips = list(task.clips.values())
    if clips and all(clip.is_complete for clip in clips):
        return clips
    return None


def _unwrap(answer: Envelope[_T], method: str, path: str) -> _T:
    if answer.code >= 400:
        raise status_error(answer.code, "", msgspec.json.encode(answer), {}, method, path)
    if answer.data is None:
        raise ResponseValidationError(f"{method} {path} answered without data.")
    return answer.data


class _CodeProbe(msgspec.Struct):
    """What an error answered with HTTP 200 looks like: ``{code, message}``."""

    code: int | None = None
    message: str | None = None


_PROBE: Final = msgspec.json.Decoder(_CodeProbe)
_RAW: Final = msgspec.json.Decoder(msgspec.Raw)


def _decode_v35(raw: msgspec.Raw, decoder: msgspec.json.Decoder[_T], method: str, path: str) -> _T:
    """Decode a v3.5 answer, raising the typed error for a ``{code >= 400, message}`` body."""
    data = bytes(raw)
    try:
        probe = _PROBE.decode(data)
    except msgspec.ValidationError:
        probe = _CodeProbe()
    if probe.code is not None and probe.code >= 400:
        raise status_error(probe.code, "", data, {}, method, path)
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise shape_error(method, path, data, exc) from exc


def _clip_ids(clip_ids: Sequence[str]) -> list[str]:
    if isinstance(clip_ids, str):
        raise ConfigError("clip_ids must be a list of clip ids.", argument="clip_ids")
    ids = [check_id("clip_ids", clip_id) for clip_id in clip_ids]
    if not ids:
        raise ConfigError("clip_ids must not be empty.", argument="clip_ids")
    return ids


def _prompt(prompt: str) -> str:
    return check_text("prompt", prompt, limit=c.MAX_PROMPT_CHARS, required=True) or ""


def _random(description: str) -> RandomRequest:
    text = check_text("description", description, limit=c.MAX_DESCRIPTION_CHARS, required=True)
    return RandomRequest(description=text or "")
