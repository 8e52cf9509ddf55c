"""Scripted faults: what the next tasks or requests will do wrong.

Two independent kinds of scripts, each a FIFO queue:

* Task scripts, per task kind: ``"upload"``, ``"training"`` and ``"generate"`` for mountsea.ai,
  ``"music"`` for a sunoapi.com create or extend call (v3.5 and v3.0 alike; one script covers
  both clips of the call). An *outcome* script (fail, time out, stall) and a *status* script
  (report an unknown status while pending) are queued separately, and every new task of that
  kind takes the head of each queue, so one task can both report ``"paused"`` and then fail.
  :class:`TaskScript` is the same thing written down in an
  :class:`~suno_async.emulator.EmulatorConfig` (``task_scripts``), queued when the emulator is
  made, before any script queued by a method call: that is how the command line scripts a
  standalone emulator.
* HTTP scripts, per method and path (the query is ignored). A request that matches the first
  queued script for its method and path takes it and uses up one of its ``times``; a request
  takes at most one script. What the script does (:class:`HttpFault`):

  - ``"answer"``: answer with the scripted status before any other work (before the bearer
    check, as a gateway in front of the API would), or, ``after_work``, once the request was
    handled (the task exists and is paid for; its answer is replaced by the scripted one).
  - ``"drop"``: close the connection instead of answering, either before the request is handled
    (nothing happened) or after the work is done (the answer is lost on the way back).
  - ``"slow"``: handle the request, then hold the answer for some seconds of real time.
  - ``"malform"``: send a body that is not valid JSON (cut in half, or replaced by an HTML
    page), with or without doing the work first.

HTTP scripts take precedence over chaos (:mod:`~suno_async.emulator._chaos`): a request that
takes a script is never also given a chaos fault.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast, get_args

__all__ = [
    "MALFORM_MODES",
    "TASK_EFFECTS",
    "TASK_KINDS",
    "HttpAction",
    "HttpFault",
    "HttpFaults",
    "MalformMode",
    "Outcome",
    "TaskEffect",
    "TaskFaults",
    "TaskKind",
    "TaskScript",
    "check_kind",
]

TaskKind = Literal["upload", "training", "generate", "music"]
TASK_KINDS: Final[tuple[str, ...]] = get_args(TaskKind)
TaskEffect = Literal["fail", "timeout", "stall", "unknown_status"]
TASK_EFFECTS: Final[tuple[str, ...]] = get_args(TaskEffect)
HttpAction = Literal["answer", "drop", "slow", "malform"]
MalformMode = Literal["truncated", "invalid"]
MALFORM_MODES: Final[tuple[str, ...]] = get_args(MalformMode)


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


@dataclass(frozen=True, slots=True)
class TaskScript:
    """A task script written in the configuration, queued when the emulator is made.

    It does what the emulator method of the same effect does, called before the first request:
    ``"fail"`` is :meth:`~suno_async.emulator.Emulator.fail_next_tasks` (``reason`` and
    ``code`` ``None`` pick that method's defaults for the kind), ``"timeout"`` is
    ``timeout_next_tasks``, ``"stall"`` is ``stall_next_tasks`` and ``"unknown_status"`` is
    ``unknown_status_next_tasks`` (reporting ``value``). Scripts of one kind are queued in the
    order they are listed.

    Attributes:
        kind: ``"upload"``, ``"training"``, ``"generate"`` or ``"music"``.
        effect: ``"fail"``, ``"timeout"``, ``"stall"`` or ``"unknown_status"``.
        times: How many of the next tasks of ``kind`` it applies to (>= 1).
        reason: For ``"fail"``: the failure text; ``None`` for the kind's default.
        code: For ``"fail"``: the failure code; ``None`` for the kind's default.
        value: For ``"unknown_status"``: the status value reported while pending.

    Raises:
        ValueError: Unknown ``kind`` or ``effect``, ``times`` < 1 or an empty ``value``.
    """

    kind: str
    effect: TaskEffect
    times: int = 1
    reason: str | None = None
    code: int | str | None = None
    value: str = "paused"

    def __post_init__(self) -> None:
        check_kind(self.kind)
        if self.effect not in TASK_EFFECTS:
            raise ValueError(
                f"unknown task effect {self.effect!r}: use one of {', '.join(TASK_EFFECTS)}"
            )
        _check_times(self.times)
        if not isinstance(self.value, str) or not self.value:
            raise ValueError("the status value must be a non-empty string")


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
    """One HTTP fault: queued by a script (``remaining`` uses left) or drawn by chaos.

    Attributes:
        method: HTTP method it matches, upper case.
        path: URL path it matches, without the query.
        action: What happens to the request:

            * ``"answer"``: ``status`` is sent with ``body`` and ``headers`` before any work
              or, with ``after_work``, after the request was handled (its answer is dropped);
              ``body`` ``None`` means the path's error body.
            * ``"drop"``: the connection is closed without an answer, before the request is
              handled (nothing happened) or, with ``after_work``, after it (the work was done,
              the answer is lost).
            * ``"slow"``: the request is handled, then the answer waits ``seconds`` of real time.
            * ``"malform"``: a body that does not parse as JSON is sent, in ``mode``
              ``"truncated"`` or ``"invalid"``; with ``after_work`` the request is handled first.

        remaining: Uses left (scripts only).
        status: The status of an ``"answer"``.
        body: The body of an ``"answer"``.
        headers: Extra headers of an ``"answer"``.
        after_work: For ``"answer"``, ``"drop"`` and ``"malform"``: handle the request first.
        seconds: For ``"slow"``: real seconds the answer is held.
        mode: For ``"malform"``: ``"truncated"`` or ``"invalid"``.
    """

    method: str
    path: str
    action: HttpAction
    remaining: int = 1
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    after_work: bool = False
    seconds: float = 0.0
    mode: MalformMode = "truncated"


class HttpFaults:
    """The queued HTTP scripts, matched by method and path (query ignored), first queued first."""

    def __init__(self) -> None:
        self._queue: deque[HttpFault] = deque()

    def _queue_fault(self, method: str, path: str, times: int, **spec: Any) -> None:
        _check_times(times)
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        if not isinstance(method, str) or not method.strip():
            raise ValueError(f"method must be an HTTP method such as 'GET', got {method!r}")
        self._queue.append(
            HttpFault(
                method=method.strip().upper(), path=path.split("?", 1)[0], remaining=times, **spec
            )
        )

    def add(
        self,
        method: str,
        path: str,
        status: int,
        times: int,
        body: Any,
        headers: dict[str, str] | None,
        *,
        after_work: bool = False,
    ) -> None:
        """Answer the next ``times`` requests to this path with ``status``, doing nothing (or,
        ``after_work``, after doing the work)."""
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code (100-599), got {status!r}")
        self._queue_fault(
            method, path, times, action="answer", status=status, body=body,
            headers=dict(headers or {}), after_work=bool(after_work),
        )  # fmt: skip

    def add_drop(self, method: str, path: str, *, after_work: bool, times: int) -> None:
        """Hang up on the next ``times`` requests to this path (see :class:`HttpFault`)."""
        self._queue_fault(method, path, times, action="drop", after_work=bool(after_work))

    def add_slow(self, method: str, path: str, seconds: float, times: int) -> None:
        """Hold the answers to the next ``times`` requests to this path for ``seconds``."""
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not math.isfinite(seconds)
            or seconds < 0
        ):
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        self._queue_fault(method, path, times, action="slow", seconds=float(seconds))

    def add_malform(
        self, method: str, path: str, mode: str, *, after_work: bool, times: int
    ) -> None:
        """Send bodies that are not JSON to the next ``times`` requests to this path."""
        if mode not in MALFORM_MODES:
            raise ValueError(
                f"unknown malform mode {mode!r}: use one of {', '.join(MALFORM_MODES)}"
            )
        self._queue_fault(
            method, path, times, action="malform", mode=mode, after_work=bool(after_work)
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
