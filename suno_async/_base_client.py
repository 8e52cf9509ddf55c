"""What every provider client shares: configuration, transport, lifecycle, waiting, downloads."""

from __future__ import annotations

import dataclasses
import os
import random
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import ClassVar, Final, Self, TypedDict, TypeVar

import aiohttp
import anyio
import msgspec

from suno_async import _constants as c
from suno_async._budget import CreditBudget
from suno_async._clock import Clock, SystemClock
from suno_async._events import SPENDING_EVENTS, CreditsSpent, EventHandler, emit
from suno_async._exceptions import AmbiguousSubmitError, ClientClosedError, ConfigError
from suno_async._polling import DEFAULT_SCHEDULES, PollPacer, PollSchedule
from suno_async._transport import RequestStats, RetryPolicy, Transport
from suno_async._validation import (
    check_base_url,
    check_http_url,
    check_positive,
    check_positive_int,
)
from suno_async._workflows import download_clips
from suno_async.models.clip import Clip
from suno_async.models.common import TaskKind

__all__ = ["BaseClient", "ClientOptions"]

_T = TypeVar("_T")
_ENCODER: Final = msgspec.json.Encoder()


class ClientOptions(TypedDict, total=False):
    """The options every client takes (see :class:`SunoClient` for what each does)."""

    api_key: str | None
    base_url: str | None
    session: aiohttp.ClientSession | None
    timeout: float
    connect_timeout: float
    max_retries: int | None
    retry: RetryPolicy | None
    max_concurrent_polls: int
    poll_schedules: Mapping[TaskKind, PollSchedule] | None
    clock: Clock | None
    allow_insecure_http: bool
    max_credits: int | None
    max_polls_per_second: float | None


class BaseClient:
    """The machinery of a provider client; subclasses add the provider's endpoints.

    Subclasses set ``_key_env``, ``_url_env`` and ``_default_url``.
    """

    _key_env: ClassVar[str]
    _url_env: ClassVar[str]
    _default_url: ClassVar[str]

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: float = c.DEFAULT_TIMEOUT,
        connect_timeout: float = c.DEFAULT_CONNECT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        max_concurrent_polls: int = c.DEFAULT_MAX_CONCURRENT_POLLS,
        poll_schedules: Mapping[TaskKind, PollSchedule] | None = None,
        clock: Clock | None = None,
        allow_insecure_http: bool = False,
        max_credits: int | None = None,
        max_polls_per_second: float | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(self._key_env, "")
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(
                f"no API key: pass api_key=... or set the {self._key_env} environment variable.",
                argument="api_key",
            )
        if any(ch.isspace() for ch in key.strip()):
            raise ConfigError("the API key must not contain whitespace.", argument="api_key")
        url = base_url or os.environ.get(self._url_env) or self._default_url
        self.base_url: Final = check_base_url(url, allow_insecure_http=allow_insecure_http)
        check_positive("timeout", timeout)
        check_positive("connect_timeout", connect_timeout)
        check_positive_int("max_concurrent_polls", max_concurrent_polls)
        policy = retry or RetryPolicy()
        if max_retries is not None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise ConfigError("max_retries must be an integer >= 0.", argument="max_retries")
            policy = dataclasses.replace(policy, max_retries=max_retries)
        self._transport = Transport(
            base_url=self.base_url,
            api_key=key.strip(),
            session=session,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=policy,
        )
        self._schedules = {**DEFAULT_SCHEDULES, **(poll_schedules or {})}
        self._clock: Clock = clock or SystemClock()
        self._max_concurrent_polls = max_concurrent_polls
        self._limiter: anyio.CapacityLimiter | None = None
        if max_polls_per_second is not None:
            check_positive("max_polls_per_second", max_polls_per_second)
        self._pacer = PollPacer(max_polls_per_second, self._clock) if max_polls_per_second else None
        self._rng = random.Random()  # noqa: S311 - poll jitter, not security
        if max_credits is not None:
            check_positive_int("max_credits", max_credits)
        self._budget = CreditBudget(max_credits)
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<hidden>)"

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._check_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's own aiohttp session. Safe to call twice."""
        self._closed = True
        await self._transport.aclose()

    @property
    def closed(self) -> bool:
        """True once the client was closed; it cannot be used again."""
        return self._closed

    @property
    def stats(self) -> RequestStats:
        """Counts of requests sent (every attempt), retries and errors."""
        return self._transport.stats

    @property
    def retry_policy(self) -> RetryPolicy:
        """How this client retries requests (and re-sends paid work whose answer was lost,
        where that is safe or allowed)."""
        return self._transport.retry

    @property
    def credits_spent(self) -> int:
        """Credits of the calls with a known price this client made (an ambiguous submit
        counts: it may have been charged). Compare with ``max_credits``."""
        return self._budget.spent

    @property
    def clock(self) -> Clock:
        """The clock waits read the time from and sleep on."""
        return self._clock

    def poll_schedule(self, kind: TaskKind) -> PollSchedule:
        """The schedule this client uses to wait for tasks of ``kind``."""
        return self._schedules[kind]

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(f"this {type(self).__name__} was closed; create a new one.")

    @property
    def _poll_limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._max_concurrent_polls)
        return self._limiter

    def _schedule_for(self, kind: TaskKind, timeout: float | None) -> PollSchedule:
        schedule = self._schedules[kind]
        if timeout is not None:
            schedule = schedule.with_timeout(check_positive("timeout", timeout))
        return schedule

    async def _call(
        self,
        method: str,
        path: str,
        decoder: msgspec.json.Decoder[_T],
        *,
        body: msgspec.Struct | None = None,
        params: Mapping[str, str] | None = None,
        safe: bool,
    ) -> _T:
        self._check_open()
        payload = None if body is None else _ENCODER.encode(body)
        return await self._transport.request(
            method, path, decoder, params=params, body=payload, safe=safe, endpoint=path
        )

    async def _paid_call(
        self,
        cost: int,
        what: str,
        path: str,
        decoder: msgspec.json.Decoder[_T],
        body: msgspec.Struct,
    ) -> _T:
        """POST ``body`` to ``path``, a call that starts paid work of a known ``cost``."""
        self._check_open()
        try:
            result = await self._budget.charge(
                cost, what, lambda: self._call("POST", path, decoder, body=body, safe=False)
            )
        except AmbiguousSubmitError:
            await self._spent(what, cost)  # counted: it may have been charged
            raise
        await self._spent(what, cost)
        return result

    async def _spent(self, what: str, cost: int) -> None:
        sink = SPENDING_EVENTS.get()
        if sink is not None:
            await emit(sink, CreditsSpent(what=what, credits=cost, total=self.credits_spent))

    def _refund(self, cost: int) -> None:
        """Take back a charge counted for a call that turned out not to have arrived."""
        self._budget.refund(cost)

    # -- downloads -------------------------------------------------------------------------

    async def download(self, url: str, path: str | os.PathLike[str]) -> int:
        """Stream the audio at ``url`` into the file ``path``; return its size in bytes.

        The file appears only once complete (written to a temporary name, then renamed). No
        credentials are sent to the audio host.

        Raises:
            APIStatusError: the audio host answered with an error.
            ResponseValidationError: the body is empty or not audio; nothing is saved.
        """
        self._check_open()
        return await self._transport.download(check_http_url("url", url), anyio.Path(path))

    async def download_clips(
        self,
        clips: Sequence[Clip],
        directory: str | os.PathLike[str],
        *,
        max_concurrency: int = c.DEFAULT_MAX_CONCURRENT_DOWNLOADS,
        overwrite: bool = False,
        on_event: EventHandler | None = None,
    ) -> list[anyio.Path]:
        """Download every clip's audio into ``directory`` as ``<clip id>.<ext>``; return the
        paths in the order of ``clips``.

        A file that is already there is kept (it is complete: files appear only once whole)
        unless ``overwrite``; a transfer that broke earlier is resumed.

        Raises:
            ConfigError: a clip has no audio URL yet.
            APIError: a download failed (the first failure stops the others).
        """
        self._check_open()
        return await download_clips(
            self,
            clips,
            directory,
            max_concurrency=max_concurrency,
            overwrite=overwrite,
            on_event=on_event,
        )
