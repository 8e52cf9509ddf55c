"""The retry rule: one loop that every API call and download goes through.

* A request is *safe* when sending it twice does no harm (status lookups, downloads). Safe
  requests are retried on every error whose ``retryable`` is true: connection errors,
  timeouts, a cut-off body, 408, 429 and 5xx.
* A request that starts paid work (upload, create, generate) is retried only when the failure
  proves the server did not act on it and asking again may help: the connection could not be
  opened, or the server said 408, 429 or 503. Everything that leaves the outcome open raises
  :class:`~suno_async.AmbiguousSubmitError` (see the table in
  :mod:`suno_async._core._transport`).

Waits grow exponentially (``backoff.expo``), are scaled by proportional jitter, and are never
shorter than the server's ``Retry-After`` (itself capped). ``max_elapsed`` bounds one call,
counted from its first attempt: a retry whose wait would end past it is not made. The budget
adds the loop's own waits, in the clock's seconds, to the time the attempts took, in real
seconds: a request in flight is not sped up by a fast or virtual clock, so it must not eat
the budget at the clock's pace either.

The loop is ours rather than ``backoff.on_exception`` on purpose: backoff sleeps with
``asyncio.sleep`` on the wall clock, while every wait of a client runs on its
:class:`~suno_async.Clock` (a :class:`~suno_async.VirtualClock` in tests, a fast clock against
the emulator). backoff still supplies the exponential sequence.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar, TypeVarTuple, Unpack

import backoff

from suno_async._core import _constants as c
from suno_async._core._clock import Clock
from suno_async._core._exceptions import APIError, APIStatusError, ConfigError

__all__ = ["RequestStats", "RetryPolicy", "give_up_paid", "give_up_safe", "retry_call"]

logger = logging.getLogger("suno_async")

_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How failed requests are retried. Delays are seconds.

    ``max_retries`` counts attempts after the first; ``jitter`` is proportional (each delay is
    multiplied by a factor drawn from ``[1 - jitter, 1 + jitter]``); ``max_elapsed`` is the
    time one call may take, counted from its first attempt (``None``: no cap).
    """

    max_retries: int = c.DEFAULT_MAX_RETRIES
    initial_delay: float = c.RETRY_INITIAL_DELAY
    factor: float = c.RETRY_FACTOR
    max_delay: float = c.RETRY_MAX_DELAY
    jitter: float = c.RETRY_JITTER
    retry_after_cap: float = c.RETRY_AFTER_CAP
    max_elapsed: float | None = c.RETRY_MAX_ELAPSED

    def __post_init__(self) -> None:
        for name in ("initial_delay", "factor", "max_delay", "jitter", "retry_after_cap"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(
                    f"RetryPolicy.{name} must be a number, got {value!r}.", argument="retry"
                )
            if not math.isfinite(value):
                raise ConfigError(
                    f"RetryPolicy.{name} must be a finite number, got {value!r}.",
                    argument="retry",
                )
        elapsed = self.max_elapsed
        if elapsed is not None and (
            isinstance(elapsed, bool)
            or not isinstance(elapsed, int | float)
            or not math.isfinite(elapsed)
        ):
            raise ConfigError(
                f"RetryPolicy.max_elapsed must be a finite number or None, got {elapsed!r}.",
                argument="retry",
            )
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 0
        ):
            raise ConfigError("RetryPolicy.max_retries must be an int >= 0.", argument="retry")
        if not (self.initial_delay >= 0 and self.factor >= 1 and self.max_delay >= 0):
            raise ConfigError(
                "RetryPolicy needs initial_delay >= 0, factor >= 1 and max_delay >= 0.",
                argument="retry",
            )
        if not 0 <= self.jitter < 1 or not self.retry_after_cap >= 0:
            raise ConfigError(
                "RetryPolicy needs 0 <= jitter < 1 and retry_after_cap >= 0.", argument="retry"
            )
        if self.max_elapsed is not None and not self.max_elapsed > 0:
            raise ConfigError("RetryPolicy.max_elapsed must be above 0 or None.", argument="retry")

    def delays(self, rng: random.Random) -> Iterator[float]:
        """The base waits before each retry (jitter applied, ``Retry-After`` not yet)."""
        sequence = backoff.expo(
            base=self.factor, factor=self.initial_delay, max_value=self.max_delay
        )
        next(sequence)  # backoff's generators are primed with a first send
        for delay in sequence:
            yield min(delay, self.max_delay) * rng.uniform(1.0 - self.jitter, 1.0 + self.jitter)


@dataclass(slots=True)
class RequestStats:
    """Counters of what the client sent: ``requests`` (every attempt), ``retries``, ``errors``."""

    requests: int = 0
    retries: int = 0
    errors: int = 0


def give_up_safe(exc: APIError) -> bool:
    """For a request that is safe to repeat: stop unless the error is worth retrying."""
    return not exc.retryable


def give_up_paid(exc: APIError) -> bool:
    """For a request that starts paid work: retry only what proves nothing was done."""
    if isinstance(exc, APIStatusError):
        return exc.status_code not in (408, 429, 503)
    # Connection errors that reach here were raised before the request was sent; the
    # transport turns every other unclear outcome into AmbiguousSubmitError (not retryable).
    return not exc.retryable


def retry_wait(policy: RetryPolicy, delays: Iterator[float], exc: BaseException) -> float:
    """The next wait: the next of ``delays``, never shorter than the (capped) ``Retry-After``."""
    delay = next(delays)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.retry_after_cap))
    return delay


async def retry_call(
    call: Callable[[Unpack[_Ts]], Awaitable[_T]],
    *args: *_Ts,
    policy: RetryPolicy,
    give_up: Callable[[APIError], bool],
    clock: Clock,
    rng: random.Random,
    stats: RequestStats,
    what: str,
    before_retry: Callable[[], None] | None = None,
) -> _T:
    """``await call(*args)``, retried under ``policy`` while ``give_up`` says the error is worth
    another attempt; waits sleep on ``clock``. ``what`` names the request in the logs (each
    retry is logged at INFO with ``retry_what``, ``retry_wait`` in seconds and ``retry_error``
    as record attributes); ``before_retry``, if given, runs before and after each wait and may
    raise to stop (e.g. the client was closed).

    Raises:
        APIError: the last error, once retries, ``max_elapsed`` or ``give_up`` ended them.
    """
    delays: Iterator[float] | None = None
    elapsed = 0.0  # waits (clock seconds) plus attempts (real seconds), see the docstring
    retries = 0
    while True:
        started = time.monotonic()
        try:
            return await call(*args)
        except APIError as exc:
            if retries >= policy.max_retries or give_up(exc):
                raise
            if delays is None:  # built at the first failure: a success never pays for it
                delays = policy.delays(rng)
            wait = retry_wait(policy, delays, exc)
            elapsed += time.monotonic() - started
            if policy.max_elapsed is not None and elapsed + wait > policy.max_elapsed:
                raise
            elapsed += wait
            retries += 1
            stats.retries += 1
            logger.info(
                "retrying %s in %.2f s after %s",
                what,
                wait,
                type(exc).__name__,
                # For handlers that show retries (the command line does): what, when, why.
                extra={"retry_what": what, "retry_wait": wait, "retry_error": exc},
            )
        if before_retry is not None:
            before_retry()
        await clock.sleep(wait)
        if before_retry is not None:
            before_retry()
