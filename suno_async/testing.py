"""A pytest plugin: test code built on suno_async offline, against the embedded emulator.

Installed with suno_async, the plugin loads by itself (a ``pytest11`` entry point named
``suno_async.testing``); ``-p no:suno_async.testing`` turns it off, and ``-p suno_async.testing``
loads it where the entry point is not installed. The library never imports this module (nor
pytest).

Every fixture is function-scoped, so each test gets a fresh emulator (a real aiohttp server on
loopback) and a fresh account:

* ``suno_emulator_config``: the :class:`~suno_async.emulator.EmulatorConfig` used, by default
  ``EmulatorConfig()``. Override it in a ``conftest.py`` or a test module to change credits,
  prices or durations.
* ``suno_clock``: the :class:`~suno_async.VirtualClock` shared by the emulator and the clients.
  Waits on it take no wall time: a two-minute training finishes in milliseconds.
* ``suno_emulator``: the running :class:`~suno_async.emulator.Emulator`.
* ``mountsea_client`` / ``sunoapi_client``: a ready :class:`~suno_async.MountseaClient` /
  :class:`~suno_async.SunoapiClient` pointed at it, sharing its clock, with retries that wait
  milliseconds (:data:`FAST_RETRY`). Both are closed after the test.
* ``suno_control``: an :class:`EmulatorControl` to script faults (``fail_next``,
  ``rate_limit_next``, ``drop_next``, ...), move the clock (``advance``) and look at what the
  emulator saw (``credits_spent``, ``requests_to``).

The fixtures are async: they need the anyio pytest plugin (installed with anyio, a dependency of
suno_async) and tests marked ``@pytest.mark.anyio``. They run on asyncio only (aiohttp is
asyncio-only). Recent versions of anyio's own ``anyio_backend`` fixture run each test on every
backend installed, so if trio is installed too, declare the backend in your ``conftest.py`` (a
fixture there overrides the plugins'); a test that uses these fixtures on another backend is
skipped with a reason::

    @pytest.fixture
    def anyio_backend() -> str:
        return "asyncio"

A test of your own code then reads::

    import pytest
    from suno_async import MountseaClient, TaskFailedError
    from suno_async.testing import EmulatorControl

    pytestmark = pytest.mark.anyio


    async def test_song(mountsea_client: MountseaClient, suno_control: EmulatorControl) -> None:
        clips = await mountsea_client.pure_music("lofi, chill", "Night Drive")
        assert len(clips) == 2
        assert suno_control.credits_spent == 40


    async def test_failed_song(
        mountsea_client: MountseaClient, suno_control: EmulatorControl
    ) -> None:
        suno_control.fail_next("generate", reason="The lyrics were flagged.")
        with pytest.raises(TaskFailedError):
            await mountsea_client.pure_music("lofi, chill")
        assert suno_control.credits_spent == 0  # refunded

Code that builds its own client gets the same settings with
``MountseaClient(**suno_control.client_options())``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Final, Literal, TypedDict

import pytest

from suno_async import Clock, MountseaClient, RetryPolicy, SunoapiClient, VirtualClock
from suno_async.emulator import Emulator, EmulatorConfig, RequestRecord

__all__ = [
    "FAST_RETRY",
    "TEST_API_KEY",
    "EmulatorClientOptions",
    "EmulatorControl",
    "TaskKindName",
]

#: The key the client fixtures send when the emulator's config sets no ``api_key``.
TEST_API_KEY: Final = "test-key"

#: Retries as the library makes them, but waiting milliseconds of the shared virtual clock (retry
#: waits run on the client's clock), so a retry barely moves the emulated timeline;
#: ``Retry-After`` is honoured only up to 0.01 s here.
FAST_RETRY: Final = RetryPolicy(initial_delay=0.001, max_delay=0.005, retry_after_cap=0.01)

#: The kinds of task a fault script applies to: ``"upload"``, ``"training"`` and ``"generate"``
#: (mountsea, ``MountseaClient``) and ``"music"`` (one sunoapi create or
#: extend call, both of its clips, ``SunoapiClient``).
TaskKindName = Literal["upload", "training", "generate", "music"]


class EmulatorClientOptions(TypedDict):
    """Keyword arguments that point a :class:`~suno_async.MountseaClient` or
    :class:`~suno_async.SunoapiClient` at the emulator, as the fixtures' clients are."""

    api_key: str
    base_url: str
    clock: Clock
    retry: RetryPolicy


class EmulatorControl:
    """Script a running emulator's faults, move its clock and read what it saw.

    Fault scripts queue up, first queued first used, and each applies to the next ``times``
    matching tasks or requests. Task scripts apply to tasks the emulator *accepts*; HTTP scripts
    match a method and a path (any query string is ignored) and answer before the bearer check
    and before any work, as a gateway in front of the API would. Paths the clients use:

    * ``MountseaClient``: ``POST /suno/v2/customModel/prepare``, ``.../customModel/upload``,
      ``.../customModel/create``, ``POST /suno/v2/generate``, ``GET /suno/v2/status``.
    * ``SunoapiClient``: ``POST /api/v2/suno/v3.5/custom/create-pure-music`` (and
      ``create-lyrics-song``, ``extend``), ``GET /api/v2/suno/v3.5/clips``.
    * Audio: ``GET /cdn/audio/<clip id>.wav``.

    Durations are seconds of the emulator's clock; credits are provider credits.
    """

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def __repr__(self) -> str:
        return f"EmulatorControl(base_url={self._emulator.base_url!r}, clock={self.clock!r})"

    @property
    def emulator(self) -> Emulator:
        """The emulator itself, for everything this class does not wrap."""
        return self._emulator

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the emulator."""
        return self._emulator.base_url

    @property
    def clock(self) -> Clock:
        """The clock that drives the emulator's tasks (a :class:`VirtualClock` by default)."""
        return self._emulator.clock

    def client_options(self) -> EmulatorClientOptions:
        """What ``mountsea_client`` is built with:
        ``MountseaClient(**control.client_options())``."""
        return {
            "api_key": self._emulator.config.api_key or TEST_API_KEY,
            "base_url": self._emulator.base_url,
            "clock": self._emulator.clock,
            "retry": FAST_RETRY,
        }

    # -- time ------------------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's clock reading, in seconds."""
        return self.clock.now()

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` at once.

        Tasks move on accordingly (a generation submitted 45 s earlier is complete), and
        anything sleeping on the clock until then wakes at its next chance to run. Waits never
        need this: the clock also jumps by itself to the next wake-up whenever the tasks that
        can run have had their turn (it does not wait for requests in flight). It is for
        looking at a moment in between, e.g. ``generate``, ``advance(60)``, ``get_status``.

        Raises:
            TypeError: the emulator runs on a clock that is not a :class:`VirtualClock`.
            ValueError: ``seconds`` is negative.
        """
        clock = self.clock
        if not isinstance(clock, VirtualClock):
            raise TypeError(f"advance() needs a VirtualClock; the emulator runs on {clock!r}")
        clock.advance(seconds)

    # -- task faults -----------------------------------------------------------------------

    def fail_next(
        self,
        kind: TaskKindName,
        times: int = 1,
        *,
        reason: str | None = None,
        code: int | str | None = None,
    ) -> None:
        """Make the next ``times`` tasks of ``kind`` fail when they would have succeeded.

        Their credits are refunded. A custom-model task ends ``failed`` with ``reason``
        (default ``"Audio source not found."``) and ``code`` (default ``4001``): the client
        raises :class:`~suno_async.TaskFailedError`. A ``"music"`` call's clips end ``error``
        (default ``"The lyrics were flagged."``, ``"moderation"``): the client raises
        :class:`~suno_async.ClipFailedError`.

        Raises:
            ValueError: an unknown ``kind`` or ``times`` < 1.
        """
        self._emulator.fail_next_tasks(kind, times, reason=reason, code=code)

    def time_out_next(self, kind: TaskKindName, times: int = 1) -> None:
        """Make the next ``times`` tasks of ``kind`` end in the provider's ``timeout``
        (credits refunded): the client raises :class:`~suno_async.TaskTimeoutError`, or
        :class:`~suno_async.ClipFailedError` for ``"music"``."""
        self._emulator.timeout_next_tasks(kind, times)

    def stall_next(self, kind: TaskKindName, times: int = 1) -> None:
        """Make the next ``times`` tasks of ``kind`` never finish, so a client's own deadline
        (``timeout=``) runs out: :class:`~suno_async.TaskTimeoutError`."""
        self._emulator.stall_next_tasks(kind, times)

    def unknown_status_next(
        self, kind: TaskKindName, status: str = "paused", times: int = 1
    ) -> None:
        """Make the next ``times`` tasks of ``kind`` report ``status``, which no
        documentation mentions, while they wait to start; then they go on as usual."""
        self._emulator.unknown_status_next_tasks(kind, status, times)

    # -- HTTP faults -----------------------------------------------------------------------

    def rate_limit_next(
        self, method: str, path: str, *, retry_after: float | None = 1.0, times: int = 1
    ) -> None:
        """Answer the next ``times`` requests to ``method path`` with 429 Too Many Requests
        and ``Retry-After: <retry_after>`` seconds (no header if ``None``).

        Nothing happens on the server, so the client retries (a paid request too) up to its
        ``max_retries``; past them it raises :class:`~suno_async.RateLimitError`.
        """
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        self._emulator.inject_http(method, path, 429, times, headers=headers)

    def server_error_next(
        self, method: str, path: str, *, status: int = 503, times: int = 1
    ) -> None:
        """Answer the next ``times`` requests to ``method path`` with a 5xx ``status``, doing
        nothing. A safe request (a status lookup, a download) is retried; a paid one raises
        :class:`~suno_async.AmbiguousSubmitError`, since a real 5xx can hide work that started.

        Raises:
            ValueError: ``status`` is not 500-599.
        """
        if not 500 <= status <= 599:
            raise ValueError(f"status must be a 5xx code, got {status!r}")
        self._emulator.inject_http(method, path, status, times)

    def respond_next(
        self,
        method: str,
        path: str,
        status: int,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests to ``method path`` with any ``status``, doing
        nothing. ``body`` ``None`` sends the provider's usual error body for the status;
        ``bytes``/``str`` are sent as they are; anything else as JSON.

        Raises:
            ValueError: ``status`` is not 100-599, ``times`` < 1, or ``path`` lacks its ``/``.
        """
        self._emulator.inject_http(method, path, status, times, body=body, headers=headers)

    def drop_next(
        self, method: str, path: str, *, after_work: bool = False, times: int = 1
    ) -> None:
        """Close the connection of the next ``times`` requests to ``method path`` unanswered.

        With ``after_work`` the request is handled first (a task starts, credits are charged)
        and only the answer is lost: a paid request then raises
        :class:`~suno_async.AmbiguousSubmitError`. Without it nothing happens on the server.
        """
        self._emulator.drop_next(method, path, after_work=after_work, times=times)

    # -- what the emulator saw -------------------------------------------------------------

    @property
    def credits(self) -> int:
        """mountsea's balance now (failed tasks already refunded)."""
        return self._emulator.credits

    @property
    def credits_spent(self) -> int:
        """mountsea's credits charged so far, minus refunds."""
        return self._emulator.credits_spent

    @property
    def sunoapi_credits(self) -> int:
        """sunoapi.com's balance now (a separate account)."""
        return self._emulator.sunoapi_credits

    @property
    def sunoapi_credits_spent(self) -> int:
        """sunoapi.com's credits charged so far, minus refunds."""
        return self._emulator.sunoapi_credits_spent

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, oldest first (a copy)."""
        return self._emulator.requests

    def requests_to(self, path: str, *, method: str | None = None) -> list[RequestRecord]:
        """The requests answered so far whose path is ``path`` (a query string in ``path``
        is ignored), of any method or only ``method``; oldest first."""
        path = path.split("?", 1)[0]
        wanted = None if method is None else method.upper()
        return [
            record
            for record in self._emulator.requests
            if record.path == path and (wanted is None or record.method == wanted)
        ]

    def sample_audio_urls(self, count: int) -> list[str]:
        """URLs of ``count`` distinct sample tracks the emulator serves, to train on."""
        return self._emulator.sample_audio_urls(count)

    def missing_audio_url(self, name: str = "missing") -> str:
        """A URL on the emulator that answers 404, so an upload of it fails with 4001."""
        return self._emulator.missing_audio_url(name)


# -- fixtures ----------------------------------------------------------------------------------


def _backend_name(anyio_backend: object) -> str:
    if isinstance(anyio_backend, tuple) and anyio_backend:
        return str(anyio_backend[0])
    return str(anyio_backend)


@pytest.fixture
def _suno_asyncio_only(anyio_backend: object) -> None:
    """Skip, before any async setup, a test that anyio runs on a backend other than asyncio."""
    name = _backend_name(anyio_backend)
    if name != "asyncio":
        pytest.skip(
            f"suno_async's fixtures run on asyncio only (aiohttp is asyncio-only), not {name}; "
            "define an anyio_backend fixture returning 'asyncio' in conftest.py"
        )


@pytest.fixture
def suno_emulator_config() -> EmulatorConfig:
    """The emulator's settings; override this fixture to change them."""
    return EmulatorConfig()


@pytest.fixture
def suno_clock() -> VirtualClock:
    """The virtual clock shared by the emulator and the client fixtures."""
    return VirtualClock()


@pytest.fixture
async def suno_emulator(
    _suno_asyncio_only: None, suno_emulator_config: EmulatorConfig, suno_clock: VirtualClock
) -> AsyncIterator[Emulator]:
    """A running emulator on loopback, driven by ``suno_clock``; shut down after the test."""
    async with Emulator(suno_emulator_config, clock=suno_clock) as emulator:
        yield emulator


@pytest.fixture
def suno_control(suno_emulator: Emulator) -> EmulatorControl:
    """Fault scripts, the clock and the request log of ``suno_emulator``."""
    return EmulatorControl(suno_emulator)


@pytest.fixture
async def mountsea_client(suno_control: EmulatorControl) -> AsyncIterator[MountseaClient]:
    """A :class:`~suno_async.MountseaClient` pointed at ``suno_emulator``; closed after the test."""
    async with MountseaClient(**suno_control.client_options()) as client:
        yield client


@pytest.fixture
async def sunoapi_client(suno_control: EmulatorControl) -> AsyncIterator[SunoapiClient]:
    """A :class:`~suno_async.SunoapiClient` pointed at ``suno_emulator``; closed after the
    test."""
    async with SunoapiClient(**suno_control.client_options()) as client:
        yield client
