"""Waiting for tasks: the poll schedule per kind of task, the deadline, the shared limiter.

A poller asks for one task's status (each provider supplies the request and the judge of
its answers) until it reaches a final status. Between
asks it waits by a schedule that starts short, grows by a factor and stops growing at a cap, as
the provider recommends (start at 2-3 s, back off), with proportional jitter so that pollers
started together do not stay in lock step. All pollers of one client share one limiter on status
requests in flight.
"""

from __future__ import annotations

import logging
import math
import random
from collections import deque
from collections.abc import Awaitable, Callable, Container, Iterator, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final, TypeVar

import anyio

from suno_async._core import _constants as c
from suno_async._core._clock import Clock
from suno_async._core._events import EventHandler, TaskStatusChanged, emit
from suno_async._core._exceptions import APIError, ConfigError, TaskTimeoutError
from suno_async._core._models import TaskKind
from suno_async._core._validation import check_positive

__all__ = ["DEFAULT_SCHEDULES", "PollPacer", "PollSchedule", "poll_until"]

logger = logging.getLogger("suno_async")

_NUMBER_FIELDS: Final = (
    "first_delay",
    "interval",
    "factor",
    "max_interval",
    "timeout",
    "jitter",
    "dense_polls",
    "floor",
)


def _is_finite_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """When to ask for a task's status. All values are seconds.

    Without ``expected``: the first ask comes ``first_delay`` after the task was submitted,
    each following wait is the previous one times ``factor``, at most ``max_interval``.

    With ``expected=(low, high)``, the window in which this kind of task usually ends: an early
    ask at ``first_delay`` if that comes before ``low`` (it catches tasks that fail at once),
    then one about a step into the window, then asks that get denser towards ``high`` (the step
    is ``(high - low) / dense_polls``, shrinking with the square root of the share of the window
    still ahead, down to ``floor`` times itself): early asks rarely find the task done, late
    ones often do. After ``high`` it backs off from ``interval`` as above.

    Every wait, the first included, is scaled by a factor drawn from ``[1 - jitter,
    1 + jitter]`` (the first ask into the window by one from ``[0.5, 1.5]`` of a step), so
    pollers started together do not ask in lock step. ``timeout`` is the client's own deadline
    for the whole wait.
    """

    first_delay: float
    interval: float
    factor: float
    max_interval: float
    timeout: float
    jitter: float = 0.1
    expected: tuple[float, float] | None = None
    dense_polls: float = 3.5
    floor: float = 0.3

    def __post_init__(self) -> None:
        for name in _NUMBER_FIELDS:
            if not _is_finite_number(getattr(self, name)):
                raise ConfigError(
                    f"PollSchedule.{name} must be a finite number, got {getattr(self, name)!r}.",
                    argument=name,
                )
        for name in ("interval", "factor", "max_interval", "timeout", "dense_polls"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"PollSchedule.{name} must be above 0.", argument=name)
        if self.first_delay < 0:
            raise ConfigError("PollSchedule.first_delay must be >= 0.", argument="first_delay")
        if not 0 <= self.jitter < 1:
            raise ConfigError("PollSchedule.jitter must be >= 0 and below 1.", argument="jitter")
        if not 0 < self.floor <= 1:
            raise ConfigError("PollSchedule.floor must be above 0 and at most 1.", argument="floor")
        expected = self.expected
        if expected is not None and not (
            isinstance(expected, tuple | list)
            and len(expected) == 2
            and all(_is_finite_number(v) for v in expected)
            and 0 <= expected[0] <= expected[1]
        ):
            raise ConfigError(
                "PollSchedule.expected must be (low, high), two finite numbers of seconds with "
                f"0 <= low <= high, or None; got {expected!r}.",
                argument="expected",
            )

    def scaled(self, factor: float) -> PollSchedule:
        """This schedule with every duration multiplied by ``factor`` (e.g. for a fast emulator)."""
        expected = self.expected
        return replace(
            self,
            first_delay=self.first_delay * factor,
            interval=self.interval * factor,
            max_interval=self.max_interval * factor,
            timeout=self.timeout * factor,
            expected=None if expected is None else (expected[0] * factor, expected[1] * factor),
        )

    def with_timeout(self, timeout: float) -> PollSchedule:
        """This schedule with another overall deadline (seconds)."""
        return replace(self, timeout=timeout)

    def delays(self, rng: random.Random) -> Iterator[float]:
        """The waits before each ask, forever."""
        jitter = self.jitter
        elapsed = 0.0
        if self.expected is None or self.first_delay < self.expected[0]:
            elapsed = self.first_delay * rng.uniform(1.0 - jitter, 1.0 + jitter)
            yield elapsed
        if self.expected is not None:
            low, high = self.expected
            width = max(high - low, 1e-3)
            step = width / self.dense_polls
            first = max(low + step * rng.uniform(0.5, 1.5), elapsed)
            yield first - elapsed
            elapsed = first
            while elapsed < high:
                ahead = (high - elapsed) / width
                wait = step * max(ahead**0.5, self.floor) * rng.uniform(1 - jitter, 1 + jitter)
                elapsed += wait
                yield wait
        interval = self.interval
        while True:
            yield interval * rng.uniform(1.0 - jitter, 1.0 + jitter)
            interval = min(interval * self.factor, self.max_interval)


class PollPacer:
    """``per_second`` status requests per second of ``clock`` in the long run, fractional rates
    included, shared by every poller of a client (first come, first served).

    It admits ``ceil(per_second)`` requests in any window of ``ceil(per_second) / per_second``
    seconds (0.5/s: one request per 2 s; 2.9/s: three per 1.034 s; 1,000/s: a thousand per
    second), so the long-run rate is ``per_second`` exactly; those requests may leave together
    at the start of a window (a burst of ``ceil(per_second)``). Each window is kept 5 % longer,
    so the server, which sees each request a little later, never counts more either.
    """

    def __init__(self, per_second: float, clock: Clock) -> None:
        check_positive("max_polls_per_second", per_second)
        self._cap = math.ceil(per_second)
        self._window = self._cap / per_second * _PACER_MARGIN
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock: anyio.Lock | None = None

    async def wait(self) -> None:
        """Return when one more request fits in the window (and count it)."""
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if len(self._sent) >= self._cap:
                await self._clock.sleep_until(self._sent[0] + self._window)
                self._sent.popleft()
            self._sent.append(self._clock.now())


_PACER_MARGIN: Final = 1.05


#: Defaults per kind of task. A training takes about two to three minutes and a generation
#: 30-120 s (mountsea's figures; sunoapi documents none, so its clips are
#: given the same generation window), so they are polled once early, then densely across that
#: window. Uploads (no documented duration) keep a plain growing schedule, and so does a wait
#: for clips to start ``streaming`` (which they do well before the window).
_GENERATION: Final = PollSchedule(
    first_delay=3.0,
    interval=3.0,
    factor=1.5,
    max_interval=10.0,
    timeout=600.0,
    expected=(30.0, 120.0),
)
DEFAULT_SCHEDULES: Final[Mapping[TaskKind, PollSchedule]] = MappingProxyType(
    {
        TaskKind.UPLOAD: PollSchedule(
            first_delay=2.0, interval=2.0, factor=1.5, max_interval=8.0, timeout=600.0
        ),
        TaskKind.TRAINING: PollSchedule(
            first_delay=3.0,
            interval=5.0,
            factor=1.5,
            max_interval=15.0,
            timeout=900.0,
            expected=(120.0, 180.0),
        ),
        TaskKind.GENERATE: _GENERATION,
        TaskKind.MUSIC: _GENERATION,
        # mountsea documents no durations for these: plain growing schedules. A voice
        # persona's wait must see ``awaiting`` well inside the provider's 30 s window.
        TaskKind.LYRICS: PollSchedule(
            first_delay=2.0, interval=2.0, factor=1.5, max_interval=8.0, timeout=300.0
        ),
        TaskKind.PERSONA: PollSchedule(
            first_delay=1.0, interval=1.0, factor=1.3, max_interval=3.0, timeout=300.0
        ),
        TaskKind.EDIT: PollSchedule(
            first_delay=2.0, interval=2.0, factor=1.5, max_interval=10.0, timeout=600.0
        ),
        TaskKind.IMAGE: PollSchedule(
            first_delay=2.0, interval=2.0, factor=1.5, max_interval=8.0, timeout=300.0
        ),
    }
)

_S = TypeVar("_S")
_R = TypeVar("_R")


async def poll_until(
    fetch: Callable[[], Awaitable[_S]],
    judge: Callable[[_S], _R | None],
    status_of: Callable[[_S], str],
    *,
    task_id: str,
    kind: TaskKind,
    known_statuses: Container[str],
    schedule: PollSchedule,
    clock: Clock,
    limiter: anyio.CapacityLimiter,
    rng: random.Random,
    on_event: EventHandler | None = None,
    on_answer: Callable[[_S], Awaitable[None]] | None = None,
    pacer: PollPacer | None = None,
) -> _R:
    """Ask ``fetch`` by ``schedule`` until ``judge`` returns a result, and return it.

    ``on_answer``, if given, sees every answer before it is judged.

    ``judge`` returns ``None`` while the work is pending and raises when it failed. The
    schedule's ``timeout`` bounds the whole wait, including a request in flight. A status not in
    ``known_statuses`` is logged once and treated as pending. A fetch that fails in a way worth
    retrying (after the transport's own retries) is tolerated
    :data:`~suno_async._core._constants.MAX_CONSECUTIVE_POLL_FAILURES` - 1 times in a row.

    Raises:
        TaskTimeoutError: the timeout passed first (``server_side=False``).
        APIError: fetches kept failing, or failed in a way not worth retrying.
        whatever ``judge`` raises.
    """
    last: _S | None = None
    unknown: list[str] = []  # each logged once, and named if the wait times out
    failures = 0
    ends_at = clock.now() + schedule.timeout
    with clock.cancel_after(schedule.timeout):
        for delay in schedule.delays(rng):
            await clock.sleep(min(delay, max(0.0, ends_at - clock.now())))
            try:
                if pacer is not None:
                    await pacer.wait()
                async with limiter:
                    answer = await fetch()
            except APIError as exc:
                failures += 1
                if not exc.retryable or failures >= c.MAX_CONSECUTIVE_POLL_FAILURES:
                    raise
                logger.warning("status of %s failed (%s); polling on", task_id, exc)
                continue
            failures = 0
            status = status_of(answer)
            if last is None or status != status_of(last):
                await emit(
                    on_event, TaskStatusChanged(task_id=task_id, kind=kind.value, status=status)
                )
            last = answer
            if on_answer is not None:
                await on_answer(answer)
            result = judge(answer)
            if result is not None:
                return result
            if status not in known_statuses and status not in unknown:
                unknown.append(status)
                logger.warning(
                    "task %s reported unknown status %r; treating it as in progress",
                    task_id,
                    status,
                )
    # The schedule never ends: only the deadline gets here.
    odd = (
        f"; statuses this library does not know: {', '.join(map(repr, unknown))}" if unknown else ""
    )
    raise TaskTimeoutError(
        f"{kind.value} task {task_id} did not finish within {schedule.timeout:g} s "
        f"(last status: {status_of(last) if last is not None else 'none seen'}{odd}). It may "
        "still finish: wait for it again with the same task id.",
        task_id=task_id,
        snapshot=last,
        server_side=False,
    )
