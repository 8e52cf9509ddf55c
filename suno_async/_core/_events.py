"""Progress events of the workflows, delivered to an ``on_event`` callback.

Each event is a frozen msgspec Struct tagged with its class name, so it can also be encoded to
JSON as is (``msgspec.json.encode(event)``).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeAlias, TypeVar

import msgspec

logger = logging.getLogger("suno_async")

__all__ = [
    "SPENDING_EVENTS",
    "CreditsSpent",
    "DownloadFinished",
    "Event",
    "EventHandler",
    "GenerationFinished",
    "GenerationStreaming",
    "GenerationSubmitted",
    "SessionPrepared",
    "TaskStatusChanged",
    "TrainingFinished",
    "TrainingSubmitted",
    "UploadFailed",
    "UploadFinished",
    "UploadSubmitted",
    "emit",
    "reporting_spending",
]


class _EventBase(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    pass


class SessionPrepared(_EventBase, frozen=True, kw_only=True, tag=True):
    """A custom-model session was created."""

    session_id: str


class UploadSubmitted(_EventBase, frozen=True, kw_only=True, tag=True):
    """An audio URL was accepted for upload (``attempt`` counts from 1)."""

    url: str
    task_id: str
    attempt: int


class UploadFinished(_EventBase, frozen=True, kw_only=True, tag=True):
    """An upload resolved to a clip id."""

    url: str
    clip_id: str


class UploadFailed(_EventBase, frozen=True, kw_only=True, tag=True):
    """An upload attempt failed; ``will_retry`` says whether another attempt follows."""

    url: str
    error: str
    attempt: int
    will_retry: bool


class TaskStatusChanged(_EventBase, frozen=True, kw_only=True, tag=True):
    """A polled task moved to another status (``kind``: upload, training or generate)."""

    task_id: str
    kind: str
    status: str


class TrainingSubmitted(_EventBase, frozen=True, kw_only=True, tag=True):
    """``customModel/create`` was accepted; training runs (about two to three minutes)."""

    session_id: str
    task_id: str
    clip_count: int


class TrainingFinished(_EventBase, frozen=True, kw_only=True, tag=True):
    """The custom model is ready to use as ``model`` in generate."""

    session_id: str
    model_id: str


class GenerationSubmitted(_EventBase, frozen=True, kw_only=True, tag=True):
    """A generate task was accepted."""

    task_id: str
    model: str


class GenerationFinished(_EventBase, frozen=True, kw_only=True, tag=True):
    """A generate task succeeded with these clips."""

    task_id: str
    clip_ids: tuple[str, ...]


class GenerationStreaming(_EventBase, frozen=True, kw_only=True, tag=True):
    """A generation's clips can be played already; ``audio_urls`` are growing streams."""

    task_id: str
    audio_urls: tuple[str, ...]


class CreditsSpent(_EventBase, frozen=True, kw_only=True, tag=True):
    """A call with a known price was accepted (``uncertain`` false), or its outcome is
    unknown (``uncertain`` true: the answer was lost or was a 500, 502 or 504, so it may have
    been charged): ``credits`` for ``what``. ``total`` is what the client has spent so far
    (``credits_spent``), ``total_uncertain`` what may have been (``credits_uncertain``)."""

    what: str
    credits: int
    total: int
    uncertain: bool = False
    total_uncertain: int = 0


class DownloadFinished(_EventBase, frozen=True, kw_only=True, tag=True):
    """A clip's audio is at ``path`` (``size`` in bytes); ``skipped`` if it was there already."""

    clip_id: str
    path: str
    size: int
    skipped: bool = False


Event: TypeAlias = (
    SessionPrepared
    | UploadSubmitted
    | UploadFinished
    | UploadFailed
    | TaskStatusChanged
    | TrainingSubmitted
    | TrainingFinished
    | GenerationSubmitted
    | GenerationStreaming
    | GenerationFinished
    | CreditsSpent
    | DownloadFinished
)

#: A callback for events: a plain function or a coroutine function.
EventHandler: TypeAlias = Callable[[Event], Awaitable[None] | None]


#: Where paid calls made by the current task report :class:`CreditsSpent` (task-local, so
#: concurrent workflows each hear about their own charges). Set with :func:`reporting_spending`.
SPENDING_EVENTS: ContextVar[EventHandler | None] = ContextVar("suno_spending", default=None)


@contextmanager
def reporting_spending(handler: EventHandler | None) -> Iterator[None]:
    """Within the block, paid calls of this task emit :class:`CreditsSpent` to ``handler``."""
    token = SPENDING_EVENTS.set(handler)
    try:
        yield
    finally:
        SPENDING_EVENTS.reset(token)


_E = TypeVar("_E")


async def emit(handler: Callable[[_E], Awaitable[None] | None] | None, event: _E) -> None:
    """Deliver ``event`` to ``handler`` if there is one.

    A handler that raises is logged and otherwise ignored: a progress display must not abort
    work that is under way (and may already be paid for).
    """
    if handler is None:
        return
    try:
        result = handler(event)
        if inspect.isawaitable(result):
            await result
    except Exception:
        logger.exception("on_event handler failed on %s; the work goes on", type(event).__name__)
