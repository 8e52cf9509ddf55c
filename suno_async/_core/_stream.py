"""Events of a running workflow as an async iterator: :func:`stream_events`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar

import anyio

from suno_async._core._events import Event, EventHandler
from suno_async._core._exceptions import ConfigError

if TYPE_CHECKING:  # importing it costs ~13 ms at import time; annotations need no import
    from anyio.abc import TaskGroup
    from anyio.streams.memory import MemoryObjectSendStream

__all__ = ["EventStream", "stream_events"]

_T = TypeVar("_T")


class _Outcome(Generic[_T]):
    """What the workflow ended with; shared by the stream and the task that runs the workflow
    (which must not hold the stream itself, so that a stream dropped mid-loop can be
    collected, and its workflow cancelled)."""

    def __init__(self) -> None:
        self.done = False
        self.result: _T | None = None
        self.error: Exception | None = None


async def _run(
    run: Callable[[EventHandler], Awaitable[_T]],
    send: MemoryObjectSendStream[Event],
    outcome: _Outcome[_T],
) -> None:
    async with send:
        try:
            outcome.result = await run(send.send)
        except Exception as exc:
            outcome.error = exc
        outcome.done = True  # not reached when cancelled: a cancelled run has no result


class EventStream(Generic[_T]):
    """The events of one workflow, in order, as an async iterator; then its result.

    Made by :func:`stream_events`; the workflow starts when the stream is entered with
    ``async with`` or first iterated with ``async for``. Iteration ends when the workflow
    ends; if the workflow failed, the loop raises its error (the library's own typed error,
    not an exception group) after the last event. :attr:`result` (or :meth:`wait`) gives what
    it returned.

    Stopping early cancels the workflow: leaving the ``async with`` block does so at once; a
    bare ``async for`` left with ``break`` does so when the stream is closed (:meth:`aclose`)
    or dropped.
    """

    def __init__(self, run: Callable[[EventHandler], Awaitable[_T]], max_buffer: int) -> None:
        self._run = run
        self._send, self._receive = anyio.create_memory_object_stream[Event](max_buffer)
        self._outcome: _Outcome[_T] = _Outcome()
        self._started = False
        self._group: TaskGroup | None = None
        self._task: asyncio.Task[None] | None = None

    # -- starting and stopping -------------------------------------------------------------

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        send = self._send
        self._task = asyncio.get_running_loop().create_task(_run(self._run, send, self._outcome))
        # Closed however the task ends (a task cancelled before its first step never enters
        # its own ``async with send``).
        self._task.add_done_callback(lambda _: send.close())

    async def __aenter__(self) -> Self:
        if self._started:
            raise RuntimeError("this event stream was started already; make a new one")
        self._started = True
        group = anyio.create_task_group()
        await group.__aenter__()
        self._group = group
        group.start_soon(_run, self._run, self._send, self._outcome)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        group, self._group = self._group, None
        self._receive.close()
        if group is None:
            return None
        group.cancel_scope.cancel()
        if exc is not None and not isinstance(exc, Exception):
            # A cancellation (or KeyboardInterrupt) from outside: the task group handles it.
            try:
                return await group.__aexit__(exc_type, exc, tb)
            finally:
                self._send.close()
        # The body's own error, if any, is raised as itself once the workflow is cancelled.
        try:
            await group.__aexit__(None, None, None)
        finally:
            self._send.close()
        return None

    async def aclose(self) -> None:
        """Stop: cancel the workflow if it still runs (for a stream iterated without
        ``async with``). Safe to call twice."""
        self._receive.close()
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            # A cancellation of the caller itself (a timeout, Ctrl-C) propagates from here.
            await asyncio.wait({task})

    def __del__(self) -> None:
        # A stream left by ``break`` and dropped: stop its workflow (its task then closes the
        # sending end); a stream never started: close both ends.
        task = getattr(self, "_task", None)
        if task is not None and not task.done():
            try:
                here = asyncio.get_running_loop()
            except RuntimeError:
                here = None
            if here is task.get_loop():
                task.cancel()  # at once: a step already scheduled must not send another event
            else:
                with contextlib.suppress(RuntimeError):  # the loop is closed already
                    task.get_loop().call_soon_threadsafe(task.cancel)
        receive = getattr(self, "_receive", None)
        if receive is not None:
            receive.close()
        send = getattr(self, "_send", None)
        if send is not None and not getattr(self, "_started", True):
            send.close()

    # -- iterating -------------------------------------------------------------------------

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Event:
        self._start()
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            # The workflow records its outcome before it closes the stream.
            if self._outcome.error is not None:
                raise self._outcome.error from None
            raise StopAsyncIteration from None

    async def wait(self) -> _T:
        """Skip the remaining events and return the workflow's result (or raise its error)."""
        async for _ in self:
            pass
        return self.result

    @property
    def result(self) -> _T:
        """The workflow's result, once it finished.

        Raises:
            RuntimeError: the workflow has not finished yet.
            the workflow's own error, if it failed.
        """
        if self._outcome.error is not None:
            raise self._outcome.error
        if not self._outcome.done:
            raise RuntimeError("the workflow has not finished; iterate to the end first")
        return self._outcome.result  # type: ignore[return-value]


def stream_events(
    run: Callable[[EventHandler], Awaitable[_T]], *, max_buffer: int = 256
) -> EventStream[_T]:
    """Run ``run(on_event)`` in the background and stream its events::

        events = stream_events(
            lambda on_event: client.train_custom_model(urls, name="m", on_event=on_event)
        )
        async for event in events:
            await chat.edit(describe(event))
        model = events.result

    The stream also works as ``async with stream_events(...) as events:``, which cancels the
    workflow as soon as the block is left, however it is left (a ``break``, an error). A bare
    ``async for`` left early cancels it once the stream is closed (``await events.aclose()``)
    or dropped. At most ``max_buffer`` events wait for the reader; beyond that the workflow
    waits for it. The stream runs on asyncio (as aiohttp does).

    Raises:
        ConfigError: ``run`` is not callable, or ``max_buffer`` is not an int >= 0.
    """
    if not callable(run):
        raise ConfigError(
            f"run must be a function taking on_event, got {type(run).__name__}.", argument="run"
        )
    if isinstance(max_buffer, bool) or not isinstance(max_buffer, int) or max_buffer < 0:
        raise ConfigError(
            f"max_buffer must be an int >= 0, got {max_buffer!r}.", argument="max_buffer"
        )
    return EventStream(run, max_buffer)
