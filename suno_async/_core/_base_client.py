"""What every provider client shares: configuration, transport, lifecycle, waiting, downloads.

:class:`ClientCore` is the whole surface a provider's endpoint groups use (in the manner of
openai-python's resources binding ``client.get``/``client.post``): send a call, send a paid
call, settle an uncertain one, poll a task. A provider never reaches into another object's
private members; its endpoint groups hold the core and use these methods only.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import random
from collections.abc import Awaitable, Callable, Container, Coroutine, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Self, TypedDict, TypeVar, Unpack

import anyio
import msgspec

from suno_async._core import _constants as c
from suno_async._core._audio import CONTENT_KINDS, ContentKind
from suno_async._core._budget import CreditBudget
from suno_async._core._clock import Clock, SystemClock
from suno_async._core._downloads import download_clips
from suno_async._core._events import SPENDING_EVENTS, CreditsSpent, EventHandler, emit
from suno_async._core._exceptions import AmbiguousSubmitError, ClientClosedError, ConfigError
from suno_async._core._models import Clip, TaskKind
from suno_async._core._polling import DEFAULT_SCHEDULES, PollPacer, PollSchedule, poll_until
from suno_async._core._retry import RequestStats, RetryPolicy
from suno_async._core._slots import PollSlots
from suno_async._core._timers import Timers
from suno_async._core._transport import AnswerDecoder, Transport
from suno_async._core._validation import (
    check_base_url,
    check_bool,
    check_callback,
    check_choice,
    check_http_url,
    check_instance,
    check_iterable,
    check_mapping,
    check_path,
    check_positive,
    check_positive_int,
    check_session,
)

if TYPE_CHECKING:
    import aiohttp

__all__ = ["LOG_ENV", "BaseClient", "ClientCore", "ClientOptions"]

logger = logging.getLogger("suno_async")

#: Environment variable that turns on the library's logging: ``debug`` or ``info``.
LOG_ENV: Final = "SUNO_ASYNC_LOG"
_LOG_LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO}
_log_env_read = False


def log_from_env() -> None:
    """Honour ``SUNO_ASYNC_LOG`` once per process, when the first client is made (never at
    import): ``debug`` or ``info`` sends the ``suno_async`` logger's records of that level and
    above to standard error. Any other value is ignored with a warning. The library never puts
    the API key in a log record."""
    global _log_env_read
    if _log_env_read:
        return
    _log_env_read = True
    value = os.environ.get(LOG_ENV, "").strip().lower()
    if not value:
        return
    level = _LOG_LEVELS.get(value)
    if level is None:
        logger.warning("%s=%r is not 'debug' or 'info'; ignored", LOG_ENV, value)
        return
    handler = logging.StreamHandler()
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)


def _retry_policy(
    base: RetryPolicy, retry: RetryPolicy | None, max_retries: int | None
) -> RetryPolicy:
    """``retry`` (else ``base``) with ``max_retries`` as its count if given.

    Raises:
        ConfigError: ``retry`` is not a :class:`RetryPolicy`, or ``max_retries`` not an int
            >= 0.
    """
    policy = base if retry is None else check_instance("retry", retry, RetryPolicy, "a RetryPolicy")
    if max_retries is None:
        return policy
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigError("max_retries must be an integer >= 0.", argument="max_retries")
    return dataclasses.replace(policy, max_retries=max_retries)


class _SharedTransport(Transport):
    """A transport with its own timeouts and retry policy that sends over another transport's
    aiohttp session (created on first use by that one) and counts into its ``stats``; closing it
    closes nothing shared (see :meth:`BaseClient.with_options`)."""

    def __init__(self, parent: Transport, **options: Any) -> None:
        super().__init__(session=None, **options)
        self._parent = parent
        self.stats = parent.stats
        if self.base_url == parent.base_url:  # another host answers for itself
            self.base_url_state = parent.base_url_state
        self._download_locks = parent._download_locks  # one file is never written twice at once

    @property
    def session(self) -> aiohttp.ClientSession:
        if super().closed:
            raise ClientClosedError("the client was closed; create a new one.")
        return self._parent.session

    @property
    def closed(self) -> bool:
        return super().closed or self._parent.closed


_T = TypeVar("_T")
_S = TypeVar("_S")
_R = TypeVar("_R")
_ENCODER: Final = msgspec.json.Encoder()


class ClientOptions(TypedDict, total=False):
    """The options every client takes (see :class:`~suno_async.MountseaClient` for what each
    does)."""

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


class ClientCore:
    """One client's machinery: transport, budget, clock, poll limiter and pacer.

    Built from the options by :class:`BaseClient`; a provider's endpoint groups receive it and
    use only its public methods.
    """

    #: For a core made by :meth:`derive`: the core whose poll limiter it shares.
    _shared_from: ClientCore | None = None

    def __init__(
        self,
        *,
        owner: str,
        api_name: str,
        key_env: str,
        url_env: str,
        default_url: str,
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
        log_from_env()
        key = api_key if api_key is not None else os.environ.get(key_env, "")
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(
                f"no API key: pass api_key=... or set the {key_env} environment variable.",
                argument="api_key",
            )
        if any(ch.isspace() for ch in key.strip()):
            raise ConfigError("the API key must not contain whitespace.", argument="api_key")
        check_bool("allow_insecure_http", allow_insecure_http)
        # None means "the environment variable, else the default"; an explicit "" is an error.
        url = base_url if base_url is not None else (os.environ.get(url_env) or default_url)
        self.base_url: Final = check_base_url(url, allow_insecure_http=allow_insecure_http)
        check_positive("timeout", timeout)
        check_positive("connect_timeout", connect_timeout)
        check_positive_int("max_concurrent_polls", max_concurrent_polls)
        if session is not None:
            check_session("session", session)
        if clock is not None and not isinstance(clock, Clock):
            raise ConfigError(
                f"clock must be a Clock (e.g. SystemClock() or VirtualClock()), got "
                f"{type(clock).__name__} {clock!r}.",
                argument="clock",
            )
        schedules = (
            check_mapping("poll_schedules", poll_schedules, TaskKind, PollSchedule, "PollSchedule")
            if poll_schedules is not None
            else {}
        )
        policy = _retry_policy(RetryPolicy(), retry, max_retries)
        self.clock: Final[Clock] = clock if clock is not None else SystemClock()
        # What every transport of this client is built with (with_options builds more).
        self._transport_args: Final[dict[str, Any]] = {
            "base_url": self.base_url,
            "api_key": key.strip(),
            "clock": self.clock,
            "api_name": api_name,
            "url_env": url_env,
        }
        self._timeouts = (timeout, connect_timeout)
        self.transport: Final[Transport] = Transport(
            session=session,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=policy,
            **self._transport_args,
        )
        self.schedules: Final = {**DEFAULT_SCHEDULES, **schedules}
        self._max_concurrent_polls = max_concurrent_polls
        self._limiter: PollSlots | None = None
        self.pacer: Final = (
            PollPacer(max_polls_per_second, self.clock)
            if max_polls_per_second is not None
            else None
        )
        self.rng: Final = random.Random()  # noqa: S311 - poll jitter, not security
        self._timers = Timers(self.clock)
        if max_credits is not None:
            check_positive_int("max_credits", max_credits)
        self.budget: Final = CreditBudget(max_credits)
        self._owner = owner

    @property
    def retry_policy(self) -> RetryPolicy:
        """How requests are retried."""
        return self.transport.retry

    def derive(
        self,
        *,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> ClientCore:
        """A copy of this core with other request settings (``None``: as this one), sending
        over the same aiohttp session; it shares the clock, budget, stats, poll limiter and
        pacer (see :meth:`BaseClient.with_options`).

        Raises:
            ConfigError: a setting out of range.
        """
        self.check_open()
        policy = _retry_policy(self.retry_policy, retry, max_retries)
        total = self._timeouts[0] if timeout is None else check_positive("timeout", timeout)
        connect = (
            self._timeouts[1]
            if connect_timeout is None
            else check_positive("connect_timeout", connect_timeout)
        )
        clone = copy.copy(self)
        shared = vars(clone)  # Final attributes, replaced on the copy only
        shared["transport"] = self.shared_transport(
            timeout=total, connect_timeout=connect, retry=policy
        )
        shared["_timeouts"] = (total, connect)
        clone._shared_from = self._shared_from or self
        return clone

    def shared_transport(
        self,
        *,
        base_url: str | None = None,
        api_name: str | None = None,
        key_header: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        retry: RetryPolicy | None = None,
    ) -> Transport:
        """A transport over this client's aiohttp session, stats and key, with other settings
        (``None``: this client's): another host of the same provider (``base_url``, with
        ``api_name`` for its messages and ``key_header`` if that host reads the key from a
        header of its own), or other timeouts and retries. Closing it closes nothing shared.
        """
        args = dict(self._transport_args)
        if base_url is not None:
            args["base_url"] = base_url
        if api_name is not None:
            args["api_name"] = api_name
        return _SharedTransport(
            self.transport,
            timeout=self._timeouts[0] if timeout is None else timeout,
            connect_timeout=self._timeouts[1] if connect_timeout is None else connect_timeout,
            retry=retry or self.retry_policy,
            key_header=key_header,
            **args,
        )

    @property
    def poll_limiter(self) -> PollSlots:
        """The limiter every status request of this client goes through."""
        if self._shared_from is not None:
            return self._shared_from.poll_limiter
        if self._limiter is None:
            self._limiter = PollSlots(self._max_concurrent_polls, self.timers)
        return self._limiter

    @property
    def timers(self) -> Timers:
        """The one heap of wake-ups every wait of this client (and its copies) sleeps in."""
        if self._shared_from is not None:
            return self._shared_from.timers
        return self._timers

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self.transport.closed

    async def aclose(self) -> None:
        """Close the client: its own aiohttp session is closed and nothing is sent after."""
        await self.transport.aclose()

    def check_open(self) -> None:
        """Raise :class:`ClientClosedError` once the client was closed."""
        if self.transport.closed:
            raise ClientClosedError(f"this {self._owner} was closed; create a new one.")

    def schedule_for(self, kind: TaskKind, timeout: float | None) -> PollSchedule:
        """The schedule for ``kind``, with ``timeout`` (seconds) as its deadline if given."""
        schedule = self.schedules[kind]
        if timeout is not None:
            schedule = schedule.with_timeout(check_positive("timeout", timeout))
        return schedule

    def call(
        self,
        method: str,
        path: str,
        decoder: AnswerDecoder[_T],
        *,
        body: msgspec.Struct | None = None,
        params: Mapping[str, str] | None = None,
        safe: bool,
    ) -> Coroutine[Any, Any, _T]:
        """Send one request (``body`` encoded as JSON) and decode its answer; ``safe`` says
        whether sending it twice does no harm (see :mod:`suno_async._core._transport`). Await
        the result.

        Raises:
            ClientClosedError: the client was closed (at once, before anything is awaited).
        """
        # Not a coroutine of its own: every suspension of a request passes through each frame
        # of the chain that awaits it, so one frame fewer is less work on every request.
        self.check_open()
        payload = None if body is None else _ENCODER.encode(body)
        return self.transport.request(method, path, decoder, params=params, body=payload, safe=safe)

    async def paid_call(
        self,
        cost: int | None,
        what: str,
        path: str,
        decoder: AnswerDecoder[_T],
        body: msgspec.Struct,
        *,
        resend_if_ambiguous: bool = False,
        key: str | None = None,
    ) -> _T:
        """POST ``body`` to ``path``, a call that starts paid work of a known ``cost``.

        The cost is held against the budget before sending; it is counted as spent when the
        provider accepts the call, as uncertain when the outcome is unknown
        (:class:`AmbiguousSubmitError`), and not at all when the answer proves nothing was
        done. A ``cost`` of ``None`` (the provider publishes no price) is not budgeted, only
        counted as a call of unknown price (``budget.unpriced``). With
        ``resend_if_ambiguous`` an unknown outcome is sent again (up to the retry policy's
        ``max_retries`` times), which may start and bill the work more than once. An uncertain
        cost is filed under ``key`` (if given), for :meth:`settle`.

        Raises:
            CreditBudgetError: the cost would pass ``max_credits``; nothing was sent.
            AmbiguousSubmitError: the outcome is unknown (every time, with
                ``resend_if_ambiguous``).
        """
        self.check_open()
        resends = self.retry_policy.max_retries if resend_if_ambiguous else 0
        for lost in range(resends + 1):
            try:
                result = await self.budget.charge(
                    cost,
                    what,
                    lambda: self.call("POST", path, decoder, body=body, safe=False),
                    key=key,
                )
            except AmbiguousSubmitError:
                await self._spent(what, cost, uncertain=True)
                if lost == resends:
                    raise
                logger.warning("%s: the outcome is unknown; sending it again as asked", what)
            else:
                if cost is not None and SPENDING_EVENTS.get() is not None:
                    await self._spent(what, cost, uncertain=False)
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    def check_budget(self, cost: int, what: str) -> None:
        """Refuse, before any request, a workflow whose known ``cost`` would pass the budget.

        Raises:
            CreditBudgetError: ``cost`` would pass ``max_credits``.
        """
        self.budget.check(cost, what)

    def settle(self, key: str, *, charged: int | None) -> int:
        """Resolve the uncertain charges of the paid calls made with ``key``, once a lookup
        showed what became of them: ``charged`` credits were charged (``None``: none). Returns
        the credits settled (0 if this client never counted such a call)."""
        return self.budget.settle(key, charged=charged)

    def unsettle(self, key: str, cost: int) -> None:
        """Count ``cost`` as uncertain again under ``key``: work a lookup had settled as not
        arrived may have arrived after all."""
        self.budget.unsettle(key, cost)

    def found_charged(self, cost: int) -> None:
        """Count ``cost`` as spent for work a lookup had settled as not arrived, when the
        provider later shows it was charged after all."""
        self.budget.found_charged(cost)

    async def _spent(self, what: str, cost: int | None, *, uncertain: bool) -> None:
        sink = SPENDING_EVENTS.get()
        if sink is not None and cost is not None:
            event = CreditsSpent(
                what=what,
                credits=cost,
                total=self.budget.spent,
                uncertain=uncertain,
                total_uncertain=self.budget.uncertain,
            )
            await emit(sink, event)

    def poll(
        self,
        fetch: Callable[[str], Awaitable[_S]],
        judge: Callable[[_S], _R | None],
        status_of: Callable[[_S], str],
        *,
        task_id: str,
        kind: TaskKind,
        known_statuses: Container[str],
        schedule: PollSchedule,
        on_event: EventHandler | None = None,
        on_answer: Callable[[_S], Awaitable[None]] | None = None,
    ) -> Coroutine[Any, Any, _R]:
        """Poll ``fetch(task_id)`` by ``schedule`` through this client's limiter, pacer and
        timers until ``judge`` returns a result (see
        :func:`~suno_async._core._polling.poll_until`); await the result.

        Raises:
            ClientClosedError: the client was closed (at once, before anything is awaited).
        """
        # Not a coroutine of its own: a pending wait should hold as few frames as possible.
        self.check_open()
        return poll_until(
            fetch,
            judge,
            status_of,
            task_id=task_id,
            kind=kind,
            known_statuses=known_statuses,
            schedule=schedule,
            clock=self.clock,
            limiter=self.poll_limiter,
            rng=self.rng,
            on_event=on_event,
            on_answer=on_answer,
            pacer=self.pacer,
            timers=self.timers,
        )


class BaseClient:
    """The public face every provider client shares; subclasses add the provider's endpoints.

    Subclasses set ``_api_name``, ``_key_env``, ``_url_env`` and ``_default_url``, and reach
    the machinery only through ``self._core`` (a :class:`ClientCore`).
    """

    _api_name: ClassVar[str]
    _key_env: ClassVar[str]
    _url_env: ClassVar[str]
    _default_url: ClassVar[str]

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        self._core = ClientCore(
            owner=type(self).__name__,
            api_name=self._api_name,
            key_env=self._key_env,
            url_env=self._url_env,
            default_url=self._default_url,
            **options,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<hidden>)"

    def with_options(
        self,
        *,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> Self:
        """A copy of this client with other request settings; ``None`` keeps this client's.

        For one call or a few, in the manner of openai-python::

            status = await client.with_options(timeout=5, max_retries=0).get_status(task_id)

        ``timeout`` and ``connect_timeout`` are seconds per request; ``max_retries`` replaces
        the retry policy's count, ``retry`` the whole :class:`RetryPolicy`.

        The copy shares with this client its connection pool (the aiohttp session), clock,
        status-poll limiter and pacer, request counts (:attr:`stats`) and credit budget: one
        account, one count, so ``max_credits``, :attr:`credits_spent` and
        :attr:`credits_uncertain` are the same numbers seen from either. Closing the copy
        closes nothing shared; closing this client ends the copy too. (On a
        :class:`~suno_async.SunoapiClient`, clip waits of both join the same lookup rounds,
        sent with this client's settings.)

        Raises:
            ConfigError: a setting out of range.
            ClientClosedError: this client was closed.
        """
        core = self._core.derive(
            timeout=timeout, connect_timeout=connect_timeout, max_retries=max_retries, retry=retry
        )
        clone = copy.copy(self)
        clone._core = core
        # Endpoint groups bound to the core (say, SunoapiClient.v30) get the new one too.
        for name, value in list(vars(clone).items()):
            if name != "_core" and getattr(value, "_core", None) is self._core:
                group = copy.copy(value)
                group._core = core
                setattr(clone, name, group)
        return clone

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._core.check_open()
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
        await self._core.aclose()

    @property
    def base_url(self) -> str:
        """The API base URL in use (no trailing slash)."""
        return self._core.base_url

    @property
    def closed(self) -> bool:
        """True once the client was closed; it cannot be used again."""
        return self._core.closed

    @property
    def stats(self) -> RequestStats:
        """Counts of requests sent (every attempt), retries and errors."""
        return self._core.transport.stats

    @property
    def retry_policy(self) -> RetryPolicy:
        """How this client retries requests (and re-sends paid work whose answer was lost,
        where that is safe or allowed)."""
        return self._core.retry_policy

    @property
    def credits_spent(self) -> int:
        """Credits of the calls with a known price that the provider accepted.

        Calls whose outcome is unknown are in :attr:`credits_uncertain` instead; both count
        against ``max_credits``.
        """
        return self._core.budget.spent

    @property
    def credits_uncertain(self) -> int:
        """Credits of the calls with a known price whose outcome is unknown (the answer was
        lost, or was a 500, 502 or 504, or the call was cancelled in flight) and that no
        later lookup settled: they may or may not have been charged."""
        return self._core.budget.uncertain

    @property
    def clock(self) -> Clock:
        """The clock waits and retries read the time from and sleep on."""
        return self._core.clock

    def poll_schedule(self, kind: TaskKind) -> PollSchedule:
        """The schedule this client uses to wait for tasks of ``kind``.

        Raises:
            ConfigError: ``kind`` is not a :class:`TaskKind`.
        """
        return self._core.schedules[check_choice("kind", kind, TaskKind)]

    # -- downloads -------------------------------------------------------------------------

    async def download(
        self, url: str, path: str | os.PathLike[str], *, kind: ContentKind = "audio"
    ) -> int:
        """Stream the audio at ``url`` into the file ``path``; return its size in bytes.

        ``kind`` says what the file must be, checked by its first bytes: ``"audio"``,
        ``"midi"`` (a Standard MIDI File, as ``mdi`` makes), ``"image"`` (PNG, JPEG, GIF, WebP)
        or ``"video"`` (MP4, WebM). The file appears only once complete (written to a
        temporary name, then renamed). No credentials are sent to the file's host.

        Raises:
            ConfigError: a bad URL, path or ``kind``.
            APIStatusError: the host answered with an error.
            ResponseValidationError: the body is empty or not of ``kind``; nothing is saved.
        """
        self._core.check_open()
        url = check_http_url("url", url)
        if kind not in CONTENT_KINDS:
            raise ConfigError(
                f"kind must be one of {', '.join(map(repr, CONTENT_KINDS))}, got {kind!r}.",
                argument="kind",
            )
        target = anyio.Path(check_path("path", path))
        return await self._core.transport.download(url, target, kind=kind)

    async def download_clips(
        self,
        clips: Sequence[Clip],
        directory: str | os.PathLike[str],
        *,
        max_concurrency: int = c.DEFAULT_MAX_CONCURRENT_DOWNLOADS,
        overwrite: bool = False,
        on_event: EventHandler | None = None,
    ) -> list[Path]:
        """Download every clip's audio into ``directory`` as ``<clip id>.<ext>``; return the
        paths (:class:`pathlib.Path`) in the order of ``clips``.

        A file that is already there is kept (it is complete: files appear only once whole)
        unless ``overwrite``; a transfer that broke earlier is resumed.

        Raises:
            ConfigError: a clip has no audio URL yet.
            APIError: a download failed (the first failure stops the others).
        """
        self._core.check_open()
        clips = check_iterable("clips", clips, "Clip objects")
        for clip in clips:
            check_instance("clips", clip, Clip, "a list of Clip objects")
        directory = check_path("directory", directory)
        check_bool("overwrite", overwrite)
        check_callback("on_event", on_event)
        return await download_clips(
            self.download,
            clips,
            directory,
            max_concurrency=max_concurrency,
            overwrite=overwrite,
            on_event=on_event,
        )
