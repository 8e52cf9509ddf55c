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
from suno_async._core._slots import PollSlots
from suno_async._core._timers import Timers
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
    "max_gap_slack",
)


def _is_finite_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """When to ask for a task's status. All values are seconds.

    Without ``expected``: the first ask comes ``first_delay`` after the wait began, each
    following wait is the previous one times ``factor``, at most ``max_interval``.

    With ``expected=(low, high)``, the window in which this kind of task usually ends: the
    first ask at ``first_delay`` (or about a step into the window, if that comes sooner), then
    asks that follow the bound below up to about a step into
    the window, then asks that get denser towards ``high`` (the step is ``(high - low) /
    dense_polls``, shrinking with the square root of the share of the window still ahead, down
    to ``floor`` times itself): early asks rarely find the task done, late ones often do. After
    ``high`` it backs off from ``interval`` as above.

    No blind spot: from the first ask on, no wait is longer than ``max_gap_share`` times the
    time elapsed since the wait began, plus ``max_gap_slack`` (the envelope of the provider's
    own advice, a backoff by 1.5). A task that ends after the first ask is therefore seen at
    most ``max_gap_share`` times its duration plus ``max_gap_slack`` late (half its duration
    plus 1 s by default); the window and the plain growth only ever ask sooner. A schedule
    with a window is always bounded (``max_gap_share=None`` means 0.5 there); a plain one
    only if ``max_gap_share`` is given, otherwise its own ``interval``, ``factor`` and
    ``max_interval`` decide every wait, as before.

    The first wait and every wait inside and after the window are scaled by a factor drawn
    from ``[1 - jitter, 1 + jitter]`` (the step into the window by one from ``[0.5, 1.5]``),
    so pollers started together do not ask in lock step; the waits on the way to the window
    sit on the bound itself (pollers whose first asks differ stay apart). A jittered wait
    longer than the bound is cut to the bound. Each wait is counted from the end of the
    previous ask, so the time a request spends in line (the client's limiter and pacer) and
    in flight comes on top. ``timeout`` is the client's own deadline for the whole wait.

    Waits that also listen for a pushed result (a webhook) poll by their own, sparser safety
    net instead (sunoapi's ``WEBHOOK_SAFETY_NET``), which this bound does not cover.
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
    max_gap_share: float | None = None
    max_gap_slack: float = 1.0

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
        if not self.max_gap_slack > 0:
            raise ConfigError(
                "PollSchedule.max_gap_slack must be above 0.", argument="max_gap_slack"
            )
        share = self.max_gap_share
        if share is not None and not (_is_finite_number(share) and share > 0):
            raise ConfigError(
                f"PollSchedule.max_gap_share must be a finite number above 0 or None, got "
                f"{share!r}.",
                argument="max_gap_share",
            )
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

    @property
    def gap_share(self) -> float | None:
        """The share of the elapsed time that bounds each wait after the first (``None``: no
        bound): ``max_gap_share``, or 0.5 for a schedule with an expected window."""
        if self.max_gap_share is not None:
            return self.max_gap_share
        return _DEFAULT_GAP_SHARE if self.expected is not None else None

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
            max_gap_slack=self.max_gap_slack * factor,
        )

    def with_timeout(self, timeout: float) -> PollSchedule:
        """This schedule with another overall deadline (seconds)."""
        return replace(self, timeout=timeout)

    def delays(self, rng: random.Random) -> Iterator[float]:
        """The waits before each ask, forever; every wait after the first within the bound
        (see the class)."""
        # No inner function (its closure cells would stay alive with every pending wait).
        low_jitter, high_jitter = 1.0 - self.jitter, 1.0 + self.jitter
        bounded = self.gap_share is not None
        share = self.gap_share or 0.0
        slack = self.max_gap_slack
        elapsed = self.first_delay * rng.uniform(low_jitter, high_jitter)
        if self.expected is None:
            yield elapsed
        else:
            low, high = self.expected
            width = max(high - low, 1e-3)
            step = width / self.dense_polls
            target = max(low + step * rng.uniform(0.5, 1.5), elapsed)
            # The first ask at first_delay, or a step into the window if that comes sooner.
            elapsed = min(elapsed, target)
            yield elapsed
            while elapsed < low:  # up to a step into the window, as far as the bound allows
                gap = target - elapsed
                if bounded:
                    gap = min(gap, share * elapsed + slack)
                elapsed += gap
                yield gap
            while elapsed < high:
                ahead = (high - elapsed) / width
                gap = step * max(ahead**0.5, self.floor) * rng.uniform(low_jitter, high_jitter)
                if bounded:
                    gap = min(gap, share * elapsed + slack)
                elapsed += gap
                yield gap
        interval = self.interval
        while True:
            gap = interval * rng.uniform(low_jitter, high_jitter)
            if bounded:
                gap = min(gap, share * elapsed + slack)
            elapsed += gap
            yield gap
            interval = min(interval * self.factor, self.max_interval)


_DEFAULT_GAP_SHARE: Final = 0.5


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


#: Defaults per kind of task. Every one is bounded (no wait longer than half the time elapsed
#: plus 1 s), so a task that ends or fails early is seen at most half its duration + 1 s late,
#: and starts at 2 s or less, so that holds from a 1 s task on. A training takes about two to
#: three minutes and a generation 30-120 s (mountsea's figures; sunoapi documents none, so its
#: clips are given the same generation window): denser asks across that window, and past it
#: (overdue) a backoff from 5 s to at most 30 s (15 s for a training). Uploads, and mountsea's
#: other tasks (lyrics, images, personas, edits such as a crop or a fade) take seconds (no
#: documented figure): a plain growing schedule with a small cap.
_GENERATION: Final = PollSchedule(
    first_delay=2.0,
    interval=5.0,
    factor=1.5,
    max_interval=30.0,
    timeout=600.0,
    expected=(30.0, 120.0),
)


def _quick(
    *, max_interval: float, timeout: float, every: float = 2.0, factor: float = 1.5
) -> PollSchedule:
    """The schedule of a kind of task that takes seconds: a first ask after ``every``, waits
    growing by ``factor`` up to ``max_interval``, bounded like a windowed schedule."""
    return PollSchedule(
        first_delay=every,
        interval=every,
        factor=factor,
        max_interval=max_interval,
        timeout=timeout,
        max_gap_share=_DEFAULT_GAP_SHARE,
    )


DEFAULT_SCHEDULES: Final[Mapping[TaskKind, PollSchedule]] = MappingProxyType(
    {
        TaskKind.UPLOAD: _quick(max_interval=8.0, timeout=600.0),
        TaskKind.TRAINING: PollSchedule(
            first_delay=2.0,
            interval=5.0,
            factor=1.5,
            max_interval=15.0,
            timeout=900.0,
            expected=(120.0, 180.0),
        ),
        TaskKind.GENERATE: _GENERATION,
        TaskKind.MUSIC: _GENERATION,
        TaskKind.LYRICS: _quick(max_interval=8.0, timeout=300.0),
        # A voice persona's wait must see ``awaiting`` well inside the provider's 30 s window.
        TaskKind.PERSONA: _quick(max_interval=3.0, timeout=300.0, every=1.0, factor=1.3),
        TaskKind.EDIT: _quick(max_interval=10.0, timeout=600.0),
        TaskKind.IMAGE: _quick(max_interval=8.0, timeout=300.0),
    }
)

_S = TypeVar("_S")
_R = TypeVar("_R")


async def poll_until(
    fetch: Callable[[str], Awaitable[_S]],
    judge: Callable[[_S], _R | None],
    status_of: Callable[[_S], str],
    *,
    task_id: str,
    kind: TaskKind,
    known_statuses: Container[str],
    schedule: PollSchedule,
    clock: Clock,
    limiter: PollSlots,
    rng: random.Random,
    on_event: EventHandler | None = None,
    on_answer: Callable[[_S], Awaitable[None]] | None = None,
    pacer: PollPacer | None = None,
    timers: Timers | None = None,
) -> _R:
    """Ask ``fetch(task_id)`` by ``schedule`` until ``judge`` returns a result, and return it.

    ``on_answer``, if given, sees every answer before it is judged. ``timers`` (the client's)
    serve the sleeps between asks; without them each sleep is the clock's own.

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
    unknown: list[str] | None = None  # each logged once, and named if the wait times out
    failures = 0
    ends_at = clock.now() + schedule.timeout
    for delay in schedule.delays(rng):
        # Asleep, a wait is an entry in the timers' heap; only a request in line or in flight
        # holds a cancel scope for the deadline.
        moment = min(clock.now() + delay, ends_at)
        if timers is None:
            await clock.sleep_until(moment)
        else:
            try:
                await timers.wake_at(moment)
            except BaseException:
                timers.forget()
                raise
        if ends_at <= clock.now():
            break
        try:
            # The deadline bounds the time in line as well as the request. In line for one of
            # the client's slots a poll is a future (no cancel scope: a fan-out keeps thousands
            # in line); it holds a scope only with its slot, for the pacer and the request.
            if not await limiter.acquire(ends_at):
                break
            if ends_at <= clock.now():  # granted as the deadline came: ask nothing
                limiter.release()
                break
            try:
                with clock.cancel_after(ends_at - clock.now()) as deadline:
                    if pacer is not None:
                        await pacer.wait()
                    answer = await fetch(task_id)
            finally:
                limiter.release()
        except APIError as exc:
            failures += 1
            if not exc.retryable or failures >= c.MAX_CONSECUTIVE_POLL_FAILURES:
                raise
            logger.warning("status of %s failed (%s); polling on", task_id, exc)
            continue
        if deadline.cancelled_caught:
            break
        failures = 0
        status = status_of(answer)
        if last is None or status != status_of(last):
            await emit(on_event, TaskStatusChanged(task_id=task_id, kind=kind.value, status=status))
        last = answer
        if on_answer is not None:
            await on_answer(answer)
        result = judge(answer)
        if result is not None:
            return result
        if status not in known_statuses and (unknown is None or status not in unknown):
            unknown = [*(unknown or ()), status]
            logger.warning(
                "task %s reported unknown status %r; treating it as in progress", task_id, status
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
