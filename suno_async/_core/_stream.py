"""Events of a running workflow as an async iterator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Generic, TypeVar

import anyio

from suno_async._core._events import Event, EventHandler
from suno_async._core._exceptions import ConfigError

if TYPE_CHECKING:  # importing it costs ~13 ms at import time; annotations need no import
    from anyio.streams.memory import MemoryObjectReceiveStream

__all__ = ["EventStream", "stream_events"]

_T = TypeVar("_T")


class EventStream(Generic[_T]):
    """The events of one workflow, in order, as an async iterator; then its result.

    Iteration ends when the workflow ends. If the workflow failed, the loop raises its error
    (the library's own typed error, not an exception group) after the last event.
    """

    def __init__(self, receive: MemoryObjectReceiveStream[Event]) -> None:
        self._receive = receive
        self._done = False
        self._result: _T | None = None
        self._error: Exception | None = None

    def __aiter__(self) -> EventStream[_T]:
        return self

    async def __anext__(self) -> Event:
        try:
            return await self._receive.receive()
        except anyio.EndOfStream:
            if self._error is not None:
                raise self._error from None
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
        if self._error is not None:
            raise self._error
        if not self._done:
            raise RuntimeError("the workflow has not finished; iterate to the end first")
        return self._result  # type: ignore[return-value]


@asynccontextmanager
async def stream_events(
    run: Callable[[EventHandler], Awaitable[_T]], *, max_buffer: int = 256
) -> AsyncIterator[EventStream[_T]]:
    """Run ``run(on_event)`` in the background and stream its events::

        async with stream_events(
            lambda on_event: client.train_custom_model(urls, name="m", on_event=on_event)
        ) as events:
            async for event in events:
                await chat.edit(describe(event))
        model = events.result

    At most ``max_buffer`` events wait for the reader; beyond that the workflow waits for it.
    Leaving the block before the workflow ended cancels the workflow.

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
    send, receive = anyio.create_memory_object_stream[Event](max_buffer)
    stream: EventStream[_T] = EventStream(receive)

    async def runner() -> None:
        async with send:
            try:
                stream._result = await run(send.send)
            except Exception as exc:
                stream._error = exc
            stream._done = True  # not reached when cancelled: a cancelled run has no result

    body_error: Exception | None = None
    async with receive, anyio.create_task_group() as tg:
        tg.start_soon(runner)
        try:
            yield stream
        except Exception as exc:
            body_error = exc  # raised below, as itself, once the workflow is cancelled
        finally:
            tg.cancel_scope.cancel()
    if body_error is not None:
        raise body_error
