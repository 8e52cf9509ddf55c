"""Following clips until they are done, with the polling of all waiters shared.

Every wait of one client registers its clip ids with one :class:`ClipTracker`. Lookups happen in
rounds: a round sleeps until the earliest clip is due (each clip keeps its own poll schedule),
then looks up every clip still pending, at most ``batch_size`` ids per request. One waiter
drives each round and the others wait for it, so a thousand waiting clips cost
``ceil(1000 / batch_size)`` requests per round, not a thousand. When the driver leaves (its
clips are done, or it was cancelled), the next waiter drives the next round. A clip registered
while the driver sleeps and due sooner wakes it.

A round whose lookup fails is shared by every clip in it: a failure worth retrying is
tolerated :data:`~suno_async._core._constants.MAX_CONSECUTIVE_POLL_FAILURES` - 1 times in a row (the
clips' schedules move on, so the next round comes at the usual pace); the next one, or a
failure not worth retrying (a bad key, no credits), is raised in every wait whose clips were in
the round.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Final, Literal

import anyio

from suno_async._core._clock import Clock
from suno_async._core._concurrency import run_all
from suno_async._core._constants import MAX_CONSECUTIVE_POLL_FAILURES
from suno_async._core._events import EventHandler, TaskStatusChanged, emit
from suno_async._core._exceptions import (
    APIError,
    ClipFailedError,
    TaskFailedError,
    TaskTimeoutError,
)
from suno_async._core._models import Clip, ClipStatus, TaskKind
from suno_async._core._polling import PollPacer, PollSchedule
from suno_async.sunoapi._constants import MAX_CLIP_LOOKUP_MISSES

__all__ = ["ClipTracker", "WaitUntil"]

logger = logging.getLogger("suno_async")

#: ``"complete"``: every clip's final audio exists. ``"streaming"``: every clip can be played
#: already (its URL is a stream that grows until the clip completes). ``"first_streaming"``:
#: at least one clip can be played; the others are returned as they are.
WaitUntil = Literal["complete", "streaming", "first_streaming"]

_FINAL: Final = frozenset({ClipStatus.COMPLETE.value, ClipStatus.ERROR.value})
_KNOWN: Final = frozenset(s.value for s in ClipStatus)


@dataclass(slots=True)
class _Tracked:
    waiters: int
    delays: Iterator[float]
    due: float
    since: float  # when its current wait began (registration or its last lookup)
    started: float = 0.0  # when it was first followed
    #: The schedule's bound on a wait (share of the time since ``started``, slack), if any.
    bound: tuple[float, float] | None = None
    latest: Clip | None = None
    misses: int = 0
    error: APIError | None = None

    @property
    def final(self) -> bool:
        return self.latest is not None and self.latest.status in _FINAL


class ClipTracker:
    """The shared follower of one client's clips (see the module docstring)."""

    def __init__(
        self,
        lookup: Callable[[list[str]], Awaitable[list[Clip]]],
        *,
        clock: Clock,
        limiter: Callable[[], AbstractAsyncContextManager[Any]],
        rng: random.Random,
        batch_size: int,
        pacer: PollPacer | None = None,
    ) -> None:
        self._lookup = lookup
        self._pacer = pacer
        self._clock = clock
        self._limiter = limiter
        self._rng = rng
        self.batch_size = batch_size
        self._tracked: dict[str, _Tracked] = {}
        self._driving = False
        self._round_done: anyio.Event | None = None
        self._nap: anyio.CancelScope | None = None
        self._nap_until = 0.0
        self._failures = 0

    @property
    def pending(self) -> int:
        """How many clips are being followed and not final yet."""
        return sum(1 for t in self._tracked.values() if not t.final)

    @property
    def followed(self) -> int:
        """How many clips have a wait on them (finished waits leave nothing behind)."""
        return len(self._tracked)

    async def wait(
        self,
        clip_ids: Sequence[str],
        *,
        until: WaitUntil,
        schedule: PollSchedule,
        on_event: EventHandler | None,
    ) -> list[Clip]:
        """Wait until the clips reached ``until``; return them in the order asked.

        Raises:
            ClipFailedError: a clip ended in ``error``.
            TaskFailedError: the provider kept answering without one of the clips.
            TaskTimeoutError: the schedule's timeout passed first.
            APIError: the lookups failed (see the module docstring).
        """
        ids = list(dict.fromkeys(clip_ids))
        now = self._clock.now()
        for clip_id in ids:
            tracked = self._tracked.get(clip_id)
            if tracked is None:
                delays = schedule.delays(self._rng)
                share = schedule.gap_share
                tracked = _Tracked(
                    waiters=0,
                    delays=delays,
                    due=now + next(delays),
                    since=now,
                    started=now,
                    bound=None if share is None else (share, schedule.max_gap_slack),
                )
                self._tracked[clip_id] = tracked
            tracked.waiters += 1
            tracked.error = None
            if self._nap is not None and tracked.due < self._nap_until:
                self._nap.cancel()  # the driver sleeps past this clip's first look: wake it
        seen: dict[str, str] = {}
        try:
            with self._clock.cancel_after(schedule.timeout):
                while True:
                    done = await self._check(ids, until, seen, on_event)
                    if done is not None:
                        return done
                    await self._next_round()
            statuses = ", ".join(f"{i}={seen.get(i, 'none seen')}" for i in ids)
            odd = sorted({s for s in seen.values() if s not in _KNOWN})
            odd_note = (
                f"; statuses this library does not know: {', '.join(map(repr, odd))}" if odd else ""
            )
            raise TaskTimeoutError(
                f"clips {', '.join(ids)} did not reach {until!r} within {schedule.timeout:g} s "
                f"(statuses: {statuses}{odd_note}). They may still finish: wait for them again.",
                task_id=",".join(ids),
                snapshot=[self._tracked[i].latest for i in ids],
                server_side=False,
            )
        finally:
            for clip_id in ids:
                tracked = self._tracked[clip_id]
                tracked.waiters -= 1
                if tracked.waiters == 0:
                    del self._tracked[clip_id]

    async def _check(
        self,
        ids: list[str],
        until: WaitUntil,
        seen: dict[str, str],
        on_event: EventHandler | None,
    ) -> list[Clip] | None:
        clips: list[Clip] = []
        for clip_id in ids:
            tracked = self._tracked[clip_id]
            if tracked.error is not None:
                raise tracked.error
            if tracked.misses >= MAX_CLIP_LOOKUP_MISSES:
                raise TaskFailedError(
                    f"clip {clip_id} was left out of {tracked.misses} lookups in a row: the "
                    "provider does not know it (or no longer does). Check the clip id.",
                    task_id=clip_id,
                    snapshot=tracked.latest,
                    fail_reason="clip not found",
                    fail_code="not_found",
                )
            clip = tracked.latest
            if clip is None:
                continue
            status = clip.status or ""
            if seen.get(clip_id) != status:
                seen[clip_id] = status
                await emit(
                    on_event,
                    TaskStatusChanged(task_id=clip_id, kind=TaskKind.MUSIC.value, status=status),
                )
                if status not in _KNOWN:
                    logger.warning("clip %s has unknown status %r; waiting on", clip_id, status)
            if status == ClipStatus.ERROR:
                raise ClipFailedError.from_clip(clip)
            clips.append(clip)
        if until == "first_streaming":
            if any(_playable(clip) for clip in clips):
                return [self._tracked[i].latest or Clip(id=i) for i in ids]
            return None
        if len(clips) < len(ids):
            return None
        if all(clip.is_complete or (until == "streaming" and _playable(clip)) for clip in clips):
            return clips
        return None

    async def _next_round(self) -> None:
        if self._driving and self._round_done is not None:
            await self._round_done.wait()
            return
        self._driving = True
        self._round_done = anyio.Event()
        try:
            await self._run_round()
        finally:
            self._driving = False
            self._round_done.set()

    async def _run_round(self) -> None:
        while True:  # sleep until the earliest clip is due; a newly due clip cuts the nap short
            pending = [t for t in self._tracked.values() if not t.final]
            if not pending:
                return
            self._nap_until = min(t.due for t in pending)
            nap = self._nap = anyio.CancelScope()
            with nap:
                await self._clock.sleep_until(self._nap_until)
            self._nap = None
            if not nap.cancelled_caught:
                break
        # Look up everything still pending (not only what is due): the cost is per request.
        ids = [i for i, t in self._tracked.items() if not t.final]
        found: dict[str, Clip] = {}

        def lookup(batch: list[str]) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                if self._pacer is not None:
                    await self._pacer.wait()
                async with self._limiter():
                    for clip in await self._lookup(batch):
                        found[clip.id] = clip

            return run

        batches = [ids[i : i + self.batch_size] for i in range(0, len(ids), self.batch_size)]
        failure: APIError | None = None
        try:
            await run_all(lookup(batch) for batch in batches)
        except APIError as exc:
            self._failures += 1
            failure = exc
            if exc.retryable and self._failures < MAX_CONSECUTIVE_POLL_FAILURES:
                logger.warning("clip lookup failed (%s); polling on", exc)
                failure = None
        else:
            self._failures = 0
        now = self._clock.now()
        for clip_id in ids:
            tracked = self._tracked.get(clip_id)
            if tracked is None:  # its waiters left during the lookup
                continue
            if failure is not None:
                tracked.error = failure
            elif clip_id in found:
                tracked.latest, tracked.misses = found[clip_id], 0
            elif not self._failures:
                tracked.misses += 1
            # A clip at least halfway to its due time counts as polled now: its schedule
            # restarts from here, which keeps clips in step (one round per interval, not one
            # per clip). A clip that has just started a long wait (e.g. into its expected
            # window) keeps it.
            if tracked.due - now <= (tracked.due - tracked.since) / 2:
                tracked.due = now + next(tracked.delays)
                tracked.since = now
                if tracked.bound is not None:
                    # The schedule counts the waits it gave, not this earlier look: hold the
                    # next one to the bound of the time really passed.
                    share, slack = tracked.bound
                    tracked.due = min(tracked.due, now + share * (now - tracked.started) + slack)
        if failure is not None:
            self._failures = 0


def _playable(clip: Clip) -> bool:
    return bool(clip.audio_url) and clip.status in (ClipStatus.STREAMING, ClipStatus.COMPLETE)
