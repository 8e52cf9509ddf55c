"""sunoapi's v3.0 family (``/api/v2/suno/v3.0``): answers wrapped as ``{code, data,
message}``, work followed by task id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from urllib.parse import quote

import msgspec

from suno_async._core._events import EventHandler
from suno_async._core._exceptions import ClipFailedError, TaskFailedError
from suno_async._core._models import Clip, ClipStatus, TaskKind
from suno_async._core._validation import check_bool, check_callback, check_id
from suno_async.sunoapi._answers import EnvelopeAnswer
from suno_async.sunoapi._constants import CALL_COST
from suno_async.sunoapi._models import (
    V30_KNOWN_STATUSES,
    LyricsSongRequest,
    PureMusicRequest,
    RandomRequest,
    V30Task,
    V30TaskRef,
    V30TaskStatus,
)
from suno_async.sunoapi._validation import check_description, check_prompt, check_style

if TYPE_CHECKING:
    from suno_async._core._base_client import ClientCore

__all__ = ["SunoapiV30"]

_V30: Final = "/api/v2/suno/v3.0"
_V30_REF: Final = EnvelopeAnswer(V30TaskRef)
_V30_TASK: Final = EnvelopeAnswer(V30Task)


class SunoapiV30:
    """sunoapi's v3.0 family (answers wrapped as ``{code, data, message}``, followed by
    task id). Reached as ``SunoapiClient.v30``; shares the client's transport, budget and
    limiter."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core

    async def create_pure_music(
        self, tags: str, title: str | None = None, *, resend_if_ambiguous: bool = False
    ) -> str:
        """``POST v3.0/custom/create-pure-music``; return the task id.

        Every v3.0 create costs 10 credits. When its outcome is unknown it is not sent again
        (:class:`~suno_async.AmbiguousSubmitError`), unless ``resend_if_ambiguous`` (which may
        bill twice).
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
    ) -> str:
        """``POST v3.0/custom/create-lyrics-song``; return the task id."""
        body = LyricsSongRequest(prompt=check_prompt(prompt), **check_style(tags, title))
        return await self._submit("/custom/create-lyrics-song", body, resend_if_ambiguous)

    async def random_pure_music(
        self, description: str, *, resend_if_ambiguous: bool = False
    ) -> str:
        """``POST v3.0/random/create-pure-music``: instrumental from a description; task id."""
        body = RandomRequest(description=check_description(description))
        return await self._submit("/random/create-pure-music", body, resend_if_ambiguous)

    async def random_lyrics_song(
        self, description: str, *, resend_if_ambiguous: bool = False
    ) -> str:
        """``POST v3.0/random/create-lyrics-song``: a song from a description; task id."""
        body = RandomRequest(description=check_description(description))
        return await self._submit("/random/create-lyrics-song", body, resend_if_ambiguous)

    async def _submit(self, route: str, body: msgspec.Struct, resend: bool) -> str:
        check_bool("resend_if_ambiguous", resend)
        ref = await self._core.paid_call(
            CALL_COST, route[1:], _V30 + route, _V30_REF, body, resend_if_ambiguous=resend
        )
        return ref.task_id

    async def get_task(self, task_id: str) -> V30Task:
        """``GET v3.0/clip/{task_id}``: the task's status, input and clips by id.

        Raises:
            NotFoundError: no task has this id.
        """
        path = f"{_V30}/clip/{quote(check_id('task_id', task_id), safe='')}"
        return await self._core.call("GET", path, _V30_TASK, safe=True)

    async def wait_for_task(
        self, task_id: str, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> list[Clip]:
        """Poll a v3.0 task until it is ``completed`` with every clip complete; return them.

        Raises:
            TaskFailedError: the task reported ``failed``; ``ClipFailedError`` for a clip.
            TaskTimeoutError: the deadline passed.
        """
        task_id = check_id("task_id", task_id)
        check_callback("on_event", on_event)
        return await self._core.poll(
            self.get_task,
            _judge_v30,
            lambda task: task.status,
            task_id=task_id,
            kind=TaskKind.MUSIC,
            known_statuses=V30_KNOWN_STATUSES,
            schedule=self._core.schedule_for(TaskKind.MUSIC, timeout),
            on_event=on_event,
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
