"""sunoapi's v3.5 family (``/api/v2/suno/v3.5``): create pure music or a lyric song, extend,
and follow the two clips each call makes until they are done."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Final

import msgspec

from suno_async._core._base_client import BaseClient
from suno_async._core._events import (
    EventHandler,
    GenerationFinished,
    GenerationSubmitted,
    emit,
    reporting_spending,
)
from suno_async._core._exceptions import ConfigError
from suno_async._core._models import Clip, TaskKind
from suno_async._core._validation import check_bool, check_callback, check_id, check_positive
from suno_async.sunoapi._answers import BatchAnswer, V35Answer
from suno_async.sunoapi._clips import ClipTracker, WaitUntil
from suno_async.sunoapi._constants import CALL_COST
from suno_async.sunoapi._models import (
    ClipsResponse,
    ExtendRequest,
    GenerateBatch,
    LyricsSongRequest,
    PureMusicRequest,
)
from suno_async.sunoapi._validation import (
    check_clip_ids,
    check_continue_at,
    check_prompt,
    check_style,
)

__all__ = ["V35API"]

_V35: Final = "/api/v2/suno/v3.5"
_BATCH: Final = BatchAnswer()
_CLIPS: Final = V35Answer(ClipsResponse)


class V35API(BaseClient):
    """The v3.5 calls, on the client itself; clip waits share the client's tracker."""

    _tracker: ClipTracker

    async def create_pure_music(
        self, tags: str, title: str | None = None, *, resend_if_ambiguous: bool = False
    ) -> GenerateBatch:
        """``POST v3.5/custom/create-pure-music``: instrumental music from style ``tags``.

        Returns the batch with its two clips, still ``submitted`` (costs 10 credits). When the
        outcome is unknown the call is not sent again (the provider offers no way to look the
        batch up), unless ``resend_if_ambiguous`` (which may bill twice); the same holds for
        every create and extend call of this client.

        Raises:
            ConfigError: empty tags, tags of 200 characters or more, a title of 80 or more.
            InsufficientCreditsError: the account's credits do not cover the call.
            AmbiguousSubmitError: the outcome is unknown (the answer was lost, a 500, 502 or
                504, or an answer without clips); the music may be under way (and billed).
        """
        body = PureMusicRequest(**check_style(tags, title))
        return await self._submit("/custom/create-pure-music", body, resend_if_ambiguous)

    async def create_lyrics_song(
        self,
        prompt: str,
        tags: str,
        title: str | None = None,
        *,
        resend_if_ambiguous: bool = False,
    ) -> GenerateBatch:
        """``POST v3.5/custom/create-lyrics-song``: a song singing ``prompt`` (the lyrics).

        Raises:
            ConfigError: a missing or too long prompt (3000), tags (200) or title (80).
        """
        body = LyricsSongRequest(prompt=check_prompt(prompt), **check_style(tags, title))
        return await self._submit("/custom/create-lyrics-song", body, resend_if_ambiguous)

    async def extend(
        self,
        continue_clip_id: str,
        continue_at: float,
        *,
        prompt: str,
        tags: str,
        title: str | None = None,
        resend_if_ambiguous: bool = False,
    ) -> GenerateBatch:
        """``POST v3.5/extend``: continue a clip from ``continue_at`` seconds with new lyrics.

        The provider advises reusing the tags and title of the clip being extended.

        Raises:
            ConfigError: a missing field, a negative ``continue_at``, or a text over its limit.
        """
        body = ExtendRequest(
            continue_clip_id=check_id("continue_clip_id", continue_clip_id),
            continue_at=check_continue_at(continue_at),
            prompt=check_prompt(prompt),
            **check_style(tags, title),
        )
        return await self._submit("/extend", body, resend_if_ambiguous)

    async def _submit(self, route: str, body: msgspec.Struct, resend: bool) -> GenerateBatch:
        check_bool("resend_if_ambiguous", resend)
        return await self._core.paid_call(
            CALL_COST, route[1:], _V35 + route, _BATCH, body, resend_if_ambiguous=resend
        )

    async def get_clips(self, clip_ids: Sequence[str]) -> list[Clip]:
        """``GET v3.5/clips?ids=``: the clips' current state (ids the provider does not know
        are left out). Up to ``clip_batch_size`` ids per call; use :meth:`wait_for_clips` to
        follow any number.

        Raises:
            ConfigError: no ids, an empty id, or more ids than one lookup takes.
        """
        ids = check_clip_ids(clip_ids)
        if len(ids) > self._tracker.batch_size:
            raise ConfigError(
                f"clip_ids must hold 1 to {self._tracker.batch_size} ids, got {len(ids)}.",
                argument="clip_ids",
            )
        params = {"ids": ",".join(ids)}
        answer = await self._core.call("GET", _V35 + "/clips", _CLIPS, params=params, safe=True)
        return answer.clips

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
        self._core.check_open()
        ids = check_clip_ids(clip_ids)
        if until not in ("complete", "streaming", "first_streaming"):
            raise ConfigError(
                "until must be 'complete', 'streaming' or 'first_streaming'.", argument="until"
            )
        check_callback("on_event", on_event)
        schedule = self._core.schedule_for(TaskKind.MUSIC, timeout)
        if until != "complete":
            schedule = dataclasses.replace(schedule, expected=None)  # streaming comes early
        return await self._tracker.wait(ids, until=until, schedule=schedule, on_event=on_event)

    async def pure_music(
        self,
        tags: str,
        title: str | None = None,
        *,
        timeout: float | None = None,
        resend_if_ambiguous: bool = False,
        on_event: EventHandler | None = None,
    ) -> list[Clip]:
        """Instrumental music from style ``tags`` and an optional ``title``: finished clips.

        On this provider: v3.5 ``custom/create-pure-music``, then the clips are followed until
        complete. The same call exists on :class:`~suno_async.MountseaClient`. An unknown
        outcome of the create call raises :class:`AmbiguousSubmitError` unless
        ``resend_if_ambiguous`` (then it is sent again, which may bill twice).

        Raises:
            ConfigError: empty tags, or tags/title over the length limits.
            ClipFailedError / TaskTimeoutError: a clip failed or took too long.
        """
        if timeout is not None:
            check_positive("timeout", timeout)  # before anything is paid for
        check_callback("on_event", on_event)
        with reporting_spending(on_event):
            batch = await self.create_pure_music(
                tags, title, resend_if_ambiguous=resend_if_ambiguous
            )
        await emit(on_event, GenerationSubmitted(task_id=batch.id, model="v3.5"))
        clips = await self.wait_for_clips(batch.clip_ids, timeout=timeout, on_event=on_event)
        await emit(on_event, GenerationFinished(task_id=batch.id, clip_ids=tuple(batch.clip_ids)))
        return clips
