"""Task handles: one task a provider runs, held by its id, to look at or to wait for.

A submit call of a provider answers with a :class:`TaskHandle` instead of a bare id. The handle
is provider-free: the provider says how to fetch one snapshot of the task, how to judge a
snapshot (a result, still pending, or failed), and how to name its status; the handle does the
waiting, through the client's one poller (:meth:`ClientCore.poll
<suno_async._core._base_client.ClientCore.poll>`: its schedule, limiter, pacer and deadline).
A handle can be made again from just the task id (say, after a restart), so nothing but the id
needs to be kept.

Pushed snapshots. A provider that can also *push* the task's state (a signed webhook) gives the
handle a source of pushed snapshots. A wait then races the two: the pushed snapshots are judged
as they arrive while polling goes on at a slower, safety-net pace (``push_schedule``), and
whichever reaches a conclusion first (a result, a failure, the deadline, a status request that
failed for good) ends the wait and cancels the other. A push source that ends without a
conclusion leaves the polling to finish the wait. What counts as a genuine pushed snapshot
(signatures, freshness, duplicates) is the source's business, not the handle's.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Container, Coroutine
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeVar

import anyio

from suno_async._core._events import EventHandler, TaskStatusChanged, emit
from suno_async._core._exceptions import TaskError
from suno_async._core._models import TaskKind
from suno_async._core._polling import PollSchedule
from suno_async._core._validation import check_callback, check_positive

if TYPE_CHECKING:
    from suno_async._core._base_client import ClientCore

__all__ = ["SettledBy", "TaskHandle"]

_S = TypeVar("_S")
_R = TypeVar("_R")

#: How a wait of a handle came to its conclusion: by ``"poll"``, or by a ``"push"``ed snapshot
#: (a webhook delivery).
SettledBy = Literal["poll", "push"]


class _NoConclusion:
    """What the push side returns when its source ended before any conclusion."""


_NO_CONCLUSION: Final = _NoConclusion()


class TaskHandle(Generic[_S, _R]):
    """A task of the provider, by id: :meth:`status` looks at it once, :meth:`wait` waits for
    its result (:meth:`wait_settled` also says how that wait concluded).

    ``_S`` is the provider's snapshot of the task (what :meth:`status` returns), ``_R`` the
    result a successful wait returns. Handles are made by the provider's calls (a submit, or a
    ``task(task_id)`` that re-attaches to a task by id), not by users.

    Args:
        core: The client's machinery (transport, poller, clock).
        task_id: The provider's id of the task.
        kind: What the task does, as the provider names it (``"music"``, ``"lyrics"``, ...).
        poll_kind: The kind of task whose poll schedule and events the waits use.
        fetch: One status request for a task id.
        judge: The result of a snapshot, ``None`` while pending; raises when the task failed.
        status_of: The status a snapshot reports (for events and timeout messages).
        known_statuses: The statuses the provider documents (others are logged once).
        schedule: The poll schedule; ``None`` for the client's schedule of ``poll_kind``.
        pushed: A source of pushed snapshots of this task, started anew for every wait (for
            example a webhook receiver's deliveries); ``None`` if there is none.
        push_schedule: The safety-net schedule polling slows to while pushed snapshots are
            expected; ``None`` for ``schedule``.
    """

    __slots__ = (
        "_core",
        "_fetch",
        "_id",
        "_judge",
        "_kind",
        "_known",
        "_observe",
        "_poll_kind",
        "_push_schedule",
        "_pushed",
        "_schedule",
        "_settled_by",
        "_status_of",
    )

    def __init__(
        self,
        core: ClientCore,
        task_id: str,
        *,
        kind: str,
        poll_kind: TaskKind,
        fetch: Callable[[str], Awaitable[_S]],
        judge: Callable[[_S], _R | None],
        status_of: Callable[[_S], str],
        known_statuses: Container[str],
        schedule: PollSchedule | None = None,
        pushed: Callable[[], AsyncGenerator[_S, None]] | None = None,
        push_schedule: PollSchedule | None = None,
        observe: Callable[[_S, EventHandler | None], Awaitable[None]] | None = None,
    ) -> None:
        self._core = core
        self._id = task_id
        self._kind = kind
        self._poll_kind = poll_kind
        self._fetch = fetch
        self._judge = judge
        self._status_of = status_of
        self._known = known_statuses
        self._schedule = schedule
        self._pushed = pushed
        self._push_schedule = push_schedule
        #: Sees every polled snapshot before it is judged, with the wait's ``on_event`` (a
        #: provider's extra events, such as a generation becoming playable).
        self._observe = observe
        self._settled_by: SettledBy | None = None

    @property
    def id(self) -> str:
        """The provider's id of the task: all it takes to re-attach to it later."""
        return self._id

    @property
    def kind(self) -> str:
        """What the task does, as the provider names it (``"music"``, ``"lyrics"``, ...)."""
        return self._kind

    @property
    def pushed(self) -> bool:
        """Whether waits also listen for pushed snapshots (a webhook), with polling as a
        safety net."""
        return self._pushed is not None

    @property
    def settled_by(self) -> SettledBy | None:
        """How the last wait that ended with a result or a task failure concluded: ``"poll"``
        or ``"push"`` (``None`` before that).

        Waits running at once on one handle share this: the one that ends last sets it. Each
        wait's own answer comes from :meth:`wait_settled`.
        """
        return self._settled_by

    def __repr__(self) -> str:
        push = ", pushed=True" if self._pushed is not None else ""
        return f"TaskHandle(kind={self._kind!r}, id={self._id!r}{push})"

    def poll_schedule(self, timeout: float | None = None) -> PollSchedule:
        """The schedule a wait polls by (the safety net while pushed snapshots are expected),
        with ``timeout`` (seconds) as its deadline if given.

        Raises:
            ConfigError: ``timeout`` is not a number above 0.
        """
        base = self._schedule or self._core.schedule_for(self._poll_kind, None)
        if timeout is not None:
            base = base.with_timeout(check_positive("timeout", timeout))
        if self._pushed is None or self._push_schedule is None:
            return base
        return self._push_schedule.with_timeout(base.timeout)

    async def status(self) -> _S:
        """One status request: the task's current snapshot.

        Raises:
            ClientClosedError: the client was closed.
            APIError: the request failed (for example ``NotFoundError`` for an unknown id).
        """
        self._core.check_open()
        return await self._fetch(self._id)

    async def wait(
        self, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> _R:
        """Wait until the task concludes; return its result.

        Polls by the client's schedule for this kind of task (``timeout`` seconds, if given,
        replaces its deadline). With pushed snapshots (see the module docstring) the first of
        a pushed conclusion and a polled one wins and the other is cancelled. ``on_event``
        gets a :class:`~suno_async.TaskStatusChanged` for each status seen, polled or pushed.

        Raises:
            ConfigError: ``timeout`` is not a number above 0, or ``on_event`` is not callable.
            TaskFailedError: the task failed (``ClipFailedError`` and the like for a part of
                it).
            TaskTimeoutError: the deadline passed first (``server_side=False``): the task may
                still finish; wait again.
            APIError: the status requests failed for good.
        """
        if self._pushed is not None:
            result, _ = await self.wait_settled(timeout=timeout, on_event=on_event)
            return result
        # Polling alone, without the frames of wait_settled: a pending wait stays small.
        schedule = self.poll_schedule(timeout)
        check_callback("on_event", on_event)
        result = await self.poll(schedule, on_event)
        self._settled_by = "poll"
        return result

    async def wait_settled(
        self, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> tuple[_R, SettledBy]:
        """:meth:`wait`, returning the result and how this very wait concluded (``"poll"`` or
        ``"push"``), whatever other waits on the handle do meanwhile (:attr:`settled_by` is
        shared by them all). Raises as :meth:`wait` does.
        """
        schedule = self.poll_schedule(timeout)
        check_callback("on_event", on_event)
        self._core.check_open()
        if self._pushed is None:
            result = await self.poll(schedule, on_event)
            self._settled_by = "poll"
            return result, "poll"
        return await self._race(schedule, on_event, self._pushed)

    def poll(
        self, schedule: PollSchedule, on_event: EventHandler | None
    ) -> Coroutine[Any, Any, _R]:
        """Poll by ``schedule`` until the task concludes (no pushed snapshots), to await; the
        primitive under :meth:`wait` for a provider's own waits."""
        observe = self._observe
        on_answer = None
        if observe is not None:

            async def on_answer(snapshot: _S) -> None:
                await observe(snapshot, on_event)

        return self._core.poll(
            self._fetch,
            self._judge,
            self._status_of,
            task_id=self._id,
            kind=self._poll_kind,
            known_statuses=self._known,
            schedule=schedule,
            on_event=on_event,
            on_answer=on_answer,
        )

    async def _listen(
        self, pushed: Callable[[], AsyncGenerator[_S, None]], on_event: EventHandler | None
    ) -> _R | _NoConclusion:
        async with contextlib.aclosing(pushed()) as snapshots:
            async for snapshot in snapshots:
                status = self._status_of(snapshot)
                await emit(
                    on_event,
                    TaskStatusChanged(task_id=self._id, kind=self._poll_kind.value, status=status),
                )
                result = self._judge(snapshot)
                if result is not None:
                    return result
        return _NO_CONCLUSION

    async def _race(
        self,
        schedule: PollSchedule,
        on_event: EventHandler | None,
        pushed: Callable[[], AsyncGenerator[_S, None]],
    ) -> tuple[_R, SettledBy]:
        outcome: list[tuple[SettledBy, _R | Exception]] = []

        async def side(
            name: SettledBy,
            run: Callable[[], Awaitable[_R | _NoConclusion]],
            scope: anyio.CancelScope,
        ) -> None:
            try:
                value = await run()
            except Exception as exc:
                if not outcome:
                    outcome.append((name, exc))
                scope.cancel()
                return
            if isinstance(value, _NoConclusion):
                return  # the push source ended: polling alone finishes the wait
            if not outcome:
                outcome.append((name, value))
            scope.cancel()

        async with anyio.create_task_group() as group:
            scope = group.cancel_scope
            group.start_soon(side, "poll", lambda: self.poll(schedule, on_event), scope)
            group.start_soon(side, "push", lambda: self._listen(pushed, on_event), scope)
        name, value = outcome[0]
        if isinstance(value, Exception):
            if isinstance(value, TaskError) and not isinstance(value, TimeoutError):
                self._settled_by = name
            raise value
        self._settled_by = name
        return value, name
