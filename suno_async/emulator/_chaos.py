"""Chaos mode: random faults on the API routes, for soak tests.

:class:`Chaos` (in :class:`~suno_async.emulator.EmulatorConfig`, field ``chaos``) gives three
probabilities, and how the 5xx among them fall around the work. Every request to an API route
independently draws one fault, or none:

* ``rate_limit``: a 429 answered before any work, with ``Retry-After: <retry_after>``.
* ``server_error``: a 5xx, which comes either *before* the work (nothing happened) or, with
  probability ``server_error_after``, *after* it (the route ran: the task was created and the
  credits charged, and then the 5xx was answered instead of the route's answer; a request the
  route refused, a 400 say, did no work and is still answered the 5xx). Each side
  has its own statuses, each as likely on its side, those that make sense there:

  - before the work, ``server_errors_before``: by default 500, 502, 503 and 504, a 503 with
    ``Retry-After: <retry_after>`` on a fair coin (none if ``retry_after`` is ``None``); a
    gateway or a server that did nothing may answer any of them. 501 may be added
    (``server_errors_before=(500, 501, 502, 503, 504)``): it is a fair answer before the work,
    but not a passing one (it says the route is not implemented at all, so a client rightly
    stops there), so it is not in the default, where it would end most soak runs.
  - after the work, ``server_errors_after``: some of 500, 502 and 504 (all three by default)
    and nothing else. A crash after the work (500) or a gateway that lost the upstream's
    answer (502, 504) can hide work that was done; a server that did the work would not claim
    it is not implemented (501) or unavailable (503).
* ``drop``: the connection is closed without an answer; each drop is, by a fair coin of its
  own, either *before* the work (nothing happened) or *after* it (the task was created and the
  credits charged, only the answer was lost, so a client that simply re-sends pays twice).

Choices:

* API routes are the paths under ``/suno/v2/`` and ``/api/`` (known routes or not), the ones
  that ask for a bearer token. The CDN (``/cdn/``) and the sample tracks (``/samples/``) are
  never touched.
* Faults are drawn before the bearer check, as a gateway in front of the API would fail.
* A request that takes a scripted HTTP fault (:mod:`~suno_async.emulator._faults`) draws
  nothing: scripts are deterministic and always win.
* The emulator's own fetch of an upload's ``audioUrl`` draws nothing, even when the URL is an
  API route of this emulator: its session sends :data:`FETCH_HEADER` with a random token of
  this emulator, and requests carrying it are left alone.
* One generator, :class:`random.Random` seeded with ``seed``, decides every fault in the order
  the requests arrive: with the same seed the same sequence of requests meets the same faults.
  ``seed`` ``None`` seeds it from the operating system (a different run every time).
* Per request: one uniform draw ``u`` picks the fault (``u < rate_limit`` is a 429, then the
  next ``server_error`` of the range is a 5xx, then the next ``drop`` a drop). A 5xx then
  draws its side (only when ``server_error_after`` is above 0) and its status, one draw each,
  and a 503 before the work one more for its ``Retry-After``; a drop draws its side with one
  more draw.
* What chaos did is counted (:attr:`ChaosEngine.stats`, :attr:`Emulator.chaos_stats
  <suno_async.emulator.Emulator.chaos_stats>`): ``rate_limit``; ``server_error`` (all 5xx),
  split into ``server_error_before`` and ``server_error_after``; ``drop_before`` and
  ``drop_after``.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from typing import Final

from suno_async.emulator._errors import is_sunoapi_path
from suno_async.emulator._faults import HttpFault

__all__ = [
    "CHAOS_STATS",
    "FETCH_HEADER",
    "SERVER_ERRORS",
    "SERVER_ERRORS_AFTER",
    "SERVER_ERRORS_BEFORE",
    "Chaos",
    "ChaosEngine",
    "is_api_path",
]

#: The header the emulator's own fetch of upload audio sends, so chaos leaves it alone.
FETCH_HEADER: Final = "X-Suno-Emulator-Fetch"
#: The default statuses of a chaos server error *before* the work, each as likely (a 503 carries
#: ``Retry-After`` on a fair coin). 501 is a fair answer here too, but not in the default.
SERVER_ERRORS_BEFORE: Final = (500, 502, 503, 504)
#: The statuses a chaos server error *after* the work may have: only those a server (or its
#: gateway) that did the work may still answer. All three are the default.
SERVER_ERRORS_AFTER: Final = (500, 502, 504)
#: Every status a chaos server error may have: 500 to 599 before the work.
SERVER_ERRORS: Final = tuple(range(500, 600))
#: The counters of :attr:`ChaosEngine.stats`, in this order (``server_error`` is the sum of the
#: two after it).
CHAOS_STATS: Final = (
    "rate_limit",
    "server_error",
    "server_error_before",
    "server_error_after",
    "drop_before",
    "drop_after",
)
#: Rounding allowed when the three probabilities add up to 1.
_SUM_SLACK: Final = 1e-9


def is_api_path(path: str) -> bool:
    """True for the paths chaos applies to: under ``/suno/v2/`` or ``/api/`` (or ``/api``)."""
    return path.startswith("/suno/v2/") or is_sunoapi_path(path)


@dataclass(frozen=True, kw_only=True, slots=True)
class Chaos:
    """Probabilities of random faults on every API request (see :mod:`suno_async.emulator._chaos`).

    Attributes:
        rate_limit: Chance of a 429 answered before any work.
        server_error: Chance of a 5xx: before the work 500, 501, 502, 503 (with or without
            ``Retry-After``) or 504; after it 500, 502 or 504.
        drop: Chance of a dropped connection; a fair coin of its own puts each drop before the
            work or after it, so about half are each.
        seed: Seed of the generator that decides; ``None`` for a different run every time.
        retry_after: The ``Retry-After`` value of a chaos 429 (and of the 503s before the work
            that carry one), sent as it is (so a test may send a bad one on purpose); ``None``
            sends no ``Retry-After``.
        server_error_after: The share (0-1) of chaos 5xx that come after the work (the task is
            created and paid for, then the 5xx is answered); 0 (the default) puts every 5xx
            before the work, 1 every one after it.
        server_errors_before: The statuses of a 5xx before the work, each as likely: any of
            500-599 (default 500, 502, 503, 504; add 501 to have it too).
        server_errors_after: The statuses of a 5xx after the work, each as likely: some of
            500, 502 and 504 (default all three).

    Raises:
        ValueError: A probability or share is not within 0-1, the three probabilities add up
            to more than 1, ``seed`` is not an int or ``None``, ``retry_after`` is empty or
            holds a control character, or a status list is empty, not a tuple, or holds a
            status its side does not allow.
    """

    rate_limit: float = 0.0
    server_error: float = 0.0
    drop: float = 0.0
    seed: int | None = None
    retry_after: str | None = "0"
    server_error_after: float = 0.0
    server_errors_before: tuple[int, ...] = SERVER_ERRORS_BEFORE
    server_errors_after: tuple[int, ...] = SERVER_ERRORS_AFTER

    def __post_init__(self) -> None:
        for name in ("rate_limit", "server_error", "drop", "server_error_after"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not 0 <= value <= 1
            ):
                raise ValueError(f"{name} must be a probability from 0 to 1, got {value!r}")
        total = self.rate_limit + self.server_error + self.drop
        if total > 1 + _SUM_SLACK:
            raise ValueError(
                "rate_limit + server_error + drop must be at most 1 (one fault per request), "
                f"got {total!r}"
            )
        for name, allowed in (
            ("server_errors_before", SERVER_ERRORS),
            ("server_errors_after", SERVER_ERRORS_AFTER),
        ):
            statuses = getattr(self, name)
            if (
                not isinstance(statuses, tuple)
                or not statuses
                or any(type(s) is not int or s not in allowed for s in statuses)
            ):
                what = (
                    "5xx statuses (500-599)"
                    if name == "server_errors_before"
                    else "of 500, 502 and 504 (a server that did the work would not say 501 or 503)"
                )
                raise ValueError(f"{name} must be a non-empty tuple of {what}, got {statuses!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise ValueError(f"seed must be an int or None, got {self.seed!r}")
        if self.retry_after is not None and (
            not isinstance(self.retry_after, str)
            or not self.retry_after.strip()
            or any(ord(c) < 32 or ord(c) == 127 for c in self.retry_after)
        ):
            raise ValueError(
                "retry_after must be a non-empty header value without control characters, "
                f"or None; got {self.retry_after!r}"
            )

    @property
    def active(self) -> bool:
        """True if any fault can happen."""
        return self.rate_limit + self.server_error + self.drop > 0


class ChaosEngine:
    """Draws the chaos fault of each request and counts what it did.

    Args:
        chaos: The probabilities; ``None`` for no chaos at all.
    """

    def __init__(self, chaos: Chaos | None) -> None:
        self.chaos = chaos
        self._rng = random.Random(chaos.seed if chaos is not None else None)
        self._stats = dict.fromkeys(CHAOS_STATS, 0)
        #: The value of :data:`FETCH_HEADER` on this emulator's own fetches.
        self.fetch_token = secrets.token_hex(16)

    @property
    def stats(self) -> dict[str, int]:
        """How many of each fault chaos has caused so far (a copy)."""
        return dict(self._stats)

    def draw(self, method: str, path: str, fetch_token: str | None) -> HttpFault | None:
        """The fault this request gets, counted; ``None`` if it gets none.

        ``fetch_token`` is the request's :data:`FETCH_HEADER` value, if any.
        """
        chaos = self.chaos
        if chaos is None or not chaos.active or not is_api_path(path):
            return None
        if fetch_token == self.fetch_token:  # not a secret: it only marks the emulator's own fetch
            return None
        draw = self._rng.random()
        if draw < chaos.rate_limit:
            self._stats["rate_limit"] += 1
            headers = {} if chaos.retry_after is None else {"Retry-After": chaos.retry_after}
            return HttpFault(method, path, "answer", status=429, headers=headers)
        if draw < chaos.rate_limit + chaos.server_error:
            return self._server_error(chaos, method, path)
        if draw < chaos.rate_limit + chaos.server_error + chaos.drop:
            after = self._rng.random() < 0.5
            self._stats["drop_after" if after else "drop_before"] += 1
            return HttpFault(method, path, "drop", after_work=after)
        return None

    def _server_error(self, chaos: Chaos, method: str, path: str) -> HttpFault:
        """A chaos 5xx: its side (if a share comes after the work) and its status, counted."""
        after = chaos.server_error_after > 0 and self._rng.random() < chaos.server_error_after
        self._stats["server_error"] += 1
        self._stats["server_error_after" if after else "server_error_before"] += 1
        if after:
            status = self._rng.choice(chaos.server_errors_after)
            return HttpFault(method, path, "answer", status=status, after_work=True)
        status = self._rng.choice(chaos.server_errors_before)
        headers = {}
        if status == 503 and self._rng.random() < 0.5 and chaos.retry_after is not None:
            headers["Retry-After"] = chaos.retry_after
        return HttpFault(method, path, "answer", status=status, headers=headers)
