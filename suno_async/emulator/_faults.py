"""Scripted faults: what the next tasks or requests will do wrong.

Two independent kinds of scripts, each a FIFO queue:

* Task scripts, per task kind: ``"upload"``, ``"training"`` and ``"generate"`` for the
  custom-model provider, ``"music"`` for a sunoapi.com create or extend call (v3.5 and v3.0
  alike; one script covers both clips of the call). An *outcome* script (fail, time out,
  stall) and a *status* script (report an unknown status while pending) are queued
  separately, and every new task of that kind takes the head of each queue, so one task can
  both report ``"paused"`` and then fail.
* HTTP scripts, per method and path. A request that matches the first queued script for its
  method and path is answered with the scripted status before any other work (before the
  bearer check, as a gateway in front of the API would), and uses up one of its ``times``.
  A drop script closes the connection instead of answering, either before the request is
  handled or after the work is done (the answer is lost on the way back).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Final, Literal, cast, get_args

__all__ = [
    "TASK_KINDS",
    "HttpFault",
    "HttpFaults",
    "Outcome",
    "TaskFaults",
    "TaskKind",
]

TaskKind = Literal["upload", "training", "generate", "music"]
TASK_KINDS: Final[tuple[str, ...]] = get_args(TaskKind)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a task ends: ``kind`` is ``"fail"``, ``"timeout"`` or ``"stall"``.

    For a ``"music"`` task, ``reason`` is the clips' ``metadata.error_message`` and
    ``str(code)`` their ``metadata.error_type``.
    """

    kind: Literal["fail", "timeout", "stall"]
    reason: str = ""
    code: int | str = 0


def check_kind(kind: str) -> TaskKind:
    """``kind`` as a :data:`TaskKind`.

    Raises:
        ValueError: ``kind`` is not one of :data:`TASK_KINDS`.
    """
    if kind in TASK_KINDS:
        return cast(TaskKind, kind)
    raise ValueError(f"unknown task kind {kind!r}: use one of {', '.join(TASK_KINDS)}")


def _check_times(times: int) -> None:
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ValueError(f"times must be an int >= 1, got {times!r}")


class TaskFaults:
    """The queued task scripts, per kind."""

    def __init__(self) -> None:
        self._outcomes: dict[str, deque[Outcome]] = {kind: deque() for kind in TASK_KINDS}
        self._statuses: dict[str, deque[str]] = {kind: deque() for kind in TASK_KINDS}

    def add_outcome(self, kind: str, outcome: Outcome, times: int) -> None:
        """Make the next ``times`` tasks of ``kind`` end as ``outcome``."""
        _check_times(times)
        self._outcomes[check_kind(kind)].extend([outcome] * times)

    def add_status(self, kind: str, value: str, times: int) -> None:
        """Make the next ``times`` tasks of ``kind`` report ``value`` while they are pending."""
        _check_times(times)
        if not value:
            raise ValueError("the status value must be a non-empty string")
        self._statuses[check_kind(kind)].extend([value] * times)

    def take(self, kind: TaskKind) -> tuple[Outcome | None, str | None]:
        """The scripts for a new task of ``kind``, removed from the queues."""
        outcomes, statuses = self._outcomes[kind], self._statuses[kind]
        return (
            outcomes.popleft() if outcomes else None,
            statuses.popleft() if statuses else None,
        )


@dataclass(slots=True)
class HttpFault:
    """One queued HTTP fault.

    With ``drop`` unset it is an answer (``body`` ``None`` means a NestJS error body). With
    ``drop`` set the connection is closed without an answer: ``"before"`` the request is
    handled (nothing happened) or ``"after"`` (the work was done, the answer is lost).
    """

    method: str
    path: str
    status: int
    remaining: int
    body: Any
    headers: dict[str, str]
    drop: Literal["before", "after"] | None = None


class HttpFaults:
    """The queued HTTP scripts, matched by method and path (query ignored)."""

    def __init__(self) -> None:
        self._queue: deque[HttpFault] = deque()

    def add(
        self,
        method: str,
        path: str,
        status: int,
        times: int,
        body: Any,
        headers: dict[str, str] | None,
        drop: Literal["before", "after"] | None = None,
    ) -> None:
        """Answer (or drop: see :class:`HttpFault`) the next ``times`` requests to this path."""
        _check_times(times)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code (100-599), got {status!r}")
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        self._queue.append(
            HttpFault(
                method=method.upper(),
                path=path.split("?", 1)[0],
                status=status,
                remaining=times,
                body=body,
                headers=dict(headers or {}),
                drop=drop,
            )
        )

    def take(self, method: str, path: str) -> HttpFault | None:
        """The first script matching this request, with one use spent; ``None`` if none."""
        for fault in self._queue:
            if fault.method == method.upper() and fault.path == path:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._queue.remove(fault)
                return fault
        return None
