"""The :class:`Emulator`: a real aiohttp server on loopback, used as ``async with``.

One server serves mountsea.ai (under ``/suno/v2/``) and sunoapi.com (under ``/api/v2/suno/``),
each with its own account and balance, and the CDN their clips' audio is fetched from. The
emulator makes the shared state (:mod:`~suno_async.emulator._state`), one state per provider
(:mod:`~suno_async.emulator._mountsea`, :mod:`~suno_async.emulator._sunoapi`) and the shared app
(:mod:`~suno_async.emulator._app`), and mounts each provider's route set on that app.

It binds a socket it made itself (port 0 by default, so the OS picks a free one), hands it to
:class:`aiohttp.web.SockSite` and reads the port back, like aiohttp's ``fake_server`` example.
Leaving the ``async with`` cancels the audio fetches still running, closes the emulator's own
client session and shuts the server down, so nothing is left open.

The emulator is single-use: once closed it cannot be started again. Fault scripts may be queued
before it starts; the configuration's ``task_scripts`` are queued when it is made, before them.

Its own client session (the fetch of upload audio) sends ``X-Suno-Emulator-Fetch: <random
token>`` with every request, to whatever host, so that chaos never hits that fetch even when an
upload names one of this emulator's API routes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import quote

import aiohttp
import anyio
from aiohttp import web

from suno_async._core._clock import Clock, SystemClock
from suno_async.emulator import _mountsea, _sunoapi
from suno_async.emulator._app import RequestRecord, make_app
from suno_async.emulator._chaos import FETCH_HEADER, ChaosEngine
from suno_async.emulator._config import EmulatorConfig
from suno_async.emulator._faults import HttpFaults, Outcome, TaskScript
from suno_async.emulator._ledger import Charge
from suno_async.emulator._state import SharedState

__all__ = ["Emulator", "serve"]

_log = logging.getLogger("suno_async.emulator")

#: Wall-clock seconds the server gives requests in flight to finish when it shuts down.
_SHUTDOWN_TIMEOUT = 2.0


class Emulator:
    """The emulated providers, serving on ``host:port`` while inside ``async with``.

    Args:
        config: Account, prices and durations; defaults to ``EmulatorConfig()``.
        clock: The clock that drives every task; if omitted, ``SystemClock(config.speed)``.
            Pass the same :class:`~suno_async._core._clock.VirtualClock` to the client to make a
            two-minute training take no wall time.
        host: Interface to listen on.
        port: Port to listen on; 0 lets the OS choose (read it back from :attr:`base_url`).

    Fault scripts (``fail_next_tasks`` and the like) each apply to the next ``times`` accepted
    tasks of one kind, first queued first used: ``"upload"``, ``"training"`` or ``"generate"``
    (mountsea.ai) or ``"music"`` (one sunoapi.com create or extend call, v3.5 or
    v3.0, both of its clips).

    HTTP fault scripts (``inject_http``, ``drop_next``, ``slow_next``, ``malform_next``) each
    apply to the next ``times`` requests with one method and path (any path, the CDN's too);
    a request takes at most one, the first queued. Chaos (``config.chaos``) draws a fault only
    for API requests that took no script.

    Where the providers' docs leave room (letter case of statuses, numeric ids, fail code type,
    400 or 404 for unknown tasks, a session's status before create, 200 or 201, the CDN's
    content type), the answers follow ``config.readings``
    (:class:`~suno_async.emulator._readings.Readings`).
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._config = config if config is not None else EmulatorConfig()
        self._clock: Clock = clock if clock is not None else SystemClock(self._config.speed)
        self._host = host
        self._port = port
        self._shared = SharedState(self._config, self._clock)
        self._mountsea = _mountsea.MountseaState(self._shared)
        self._sunoapi = _sunoapi.SunoapiState(self._shared)
        self._requests: list[RequestRecord] = []
        self._http_faults = HttpFaults()
        self._chaos = ChaosEngine(self._config.chaos)
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._base_url: str | None = None
        self._used = False
        for script in self._config.task_scripts:
            self._queue_task_script(script)

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._used:
            raise RuntimeError("an Emulator runs once; create a new one")
        self._used = True
        sock = _bind(self._host, self._port)
        try:
            host, port = sock.getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            self._base_url = f"http://{shown}:{port}"
            self._http = aiohttp.ClientSession(
                trust_env=False, headers={FETCH_HEADER: self._chaos.fetch_token}
            )
            self._shared.start(self._base_url)
            self._mountsea.start(self._http)
            app = make_app(
                self._config,
                self._requests,
                self._http_faults,
                chaos=self._chaos,
                clock=self._clock,
            )
            _mountsea.add_routes(app, self._mountsea)
            _sunoapi.add_routes(app, self._sunoapi)
            self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT)
            await self._runner.setup()
            await web.SockSite(self._runner, sock).start()
        except BaseException:
            await self._close()
            sock.close()
            raise
        _log.debug("emulator listening on %s", self._base_url)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()

    async def _close(self) -> None:
        # Shielded: a cancelled caller (Ctrl-C in serve(), an anyio cancel scope) must still
        # get every socket and session closed.
        with anyio.CancelScope(shield=True):
            await self._mountsea.aclose()
            if self._http is not None:
                await self._http.close()
                self._http = None
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None

    # -- where and when --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://<host>:<port>`` of the running emulator, without a trailing slash.

        Raises:
            RuntimeError: The emulator has not been started.
        """
        if self._base_url is None:
            raise RuntimeError("the emulator is not running: use it as 'async with Emulator()'")
        return self._base_url

    @property
    def clock(self) -> Clock:
        """The clock that drives every task (the one passed in, or the ``SystemClock`` made)."""
        return self._clock

    @property
    def config(self) -> EmulatorConfig:
        """The configuration in use."""
        return self._config

    def sample_audio_urls(self, count: int) -> list[str]:
        """URLs of ``count`` distinct sample WAV tracks this emulator serves (no auth needed)."""
        if count < 0:
            raise ValueError("count must be >= 0")
        return [f"{self.base_url}/samples/track-{n}.wav" for n in range(1, count + 1)]

    def missing_audio_url(self, name: str = "missing") -> str:
        """A URL on this emulator that answers 404, so an upload of it fails."""
        return f"{self.base_url}/samples/missing-{quote(name, safe='')}.wav"

    # -- the account -----------------------------------------------------------------------

    @property
    def credits(self) -> int:
        """mountsea.ai's balance now (failed tasks already refunded)."""
        return self._mountsea.credits

    @property
    def credits_spent(self) -> int:
        """mountsea.ai's credits charged so far minus credits refunded."""
        return self._mountsea.credits_spent

    @property
    def sunoapi_credits(self) -> int:
        """sunoapi.com's balance now (calls whose clips ended in ``error`` already refunded)."""
        return self._sunoapi.credits

    @property
    def sunoapi_credits_spent(self) -> int:
        """sunoapi.com's credits charged so far minus credits refunded."""
        return self._sunoapi.credits_spent

    @property
    def charges(self) -> list[Charge]:
        """Every charge of both accounts so far, mountsea.ai's first, each oldest first.

        One :class:`~suno_async.emulator._ledger.Charge` per piece of paid work the providers
        accepted (free work included, at cost 0), with how it settled: two ``"kept"`` (or
        ``"pending"``) trainings of one session, or two music calls where one was meant, are a
        double charge. A copy.
        """
        return self._mountsea.charges() + self._sunoapi.charges()

    # -- the request log -------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, oldest first (a copy)."""
        return list(self._requests)

    def count(self, method: str, path: str) -> int:
        """How many requests had this method and path (any query string is ignored)."""
        method, path = method.upper(), path.split("?", 1)[0]
        return sum(1 for r in self._requests if r.method == method and r.path == path)

    # -- chaos -----------------------------------------------------------------------------

    @property
    def chaos_stats(self) -> dict[str, int]:
        """What chaos did so far: ``{"rate_limit", "server_error", "server_error_before",
        "server_error_after", "drop_before", "drop_after"}`` counts (all 0 without chaos;
        ``server_error`` is the sum of the two split counts). A copy."""
        return self._chaos.stats

    # -- fault scripting -------------------------------------------------------------------

    def _queue_task_script(self, script: TaskScript) -> None:
        if script.effect == "fail":
            self.fail_next_tasks(script.kind, script.times, script.reason, script.code)
        elif script.effect == "timeout":
            self.timeout_next_tasks(script.kind, script.times)
        elif script.effect == "stall":
            self.stall_next_tasks(script.kind, script.times)
        else:
            self.unknown_status_next_tasks(script.kind, script.value, script.times)

    def fail_next_tasks(
        self,
        kind: str,
        times: int = 1,
        reason: str | None = None,
        code: int | str | None = None,
    ) -> None:
        """Make the next ``times`` tasks of ``kind`` fail with ``reason`` and ``code``.

        They fail when they would have succeeded, and their credits are refunded.

        * ``"upload"``, ``"training"``, ``"generate"``: the task ends ``failed`` with
          ``failReason`` ``reason`` (default ``"Audio source not found."``) and ``failCode``
          ``code`` (default ``4001``).
        * ``"music"``: both clips of the call end ``error`` with ``metadata.error_message``
          ``reason`` (default ``"The lyrics were flagged."``) and ``metadata.error_type``
          ``str(code)`` (default ``"moderation"``); a v3.0 task ends ``failed``.

        Raises:
            ValueError: Unknown ``kind`` or ``times`` < 1.
        """
        music = kind == "music"
        if reason is None:
            reason = "The lyrics were flagged." if music else "Audio source not found."
        if code is None:
            code = "moderation" if music else 4001
        self._shared.faults.add_outcome(kind, Outcome("fail", reason, code), times)

    def timeout_next_tasks(self, kind: str, times: int = 1) -> None:
        """Make the next ``times`` tasks of ``kind`` time out (credits refunded).

        A mountsea.ai task ends ``timeout``; the clips of a ``"music"`` call end ``error`` with
        ``metadata.error_type`` ``"timeout"``.
        """
        self._shared.faults.add_outcome(kind, Outcome("timeout"), times)

    def stall_next_tasks(self, kind: str, times: int = 1) -> None:
        """Make the next ``times`` tasks of ``kind`` never end.

        A mountsea.ai task stays ``running``; the clips of a ``"music"`` call stay ``queued``
        (and its v3.0 task ``processing``).
        """
        self._shared.faults.add_outcome(kind, Outcome("stall"), times)

    def unknown_status_next_tasks(self, kind: str, value: str = "paused", times: int = 1) -> None:
        """Make the next ``times`` tasks of ``kind`` report ``value`` while they would be
        ``queued``/``ready`` (for ``"music"``: clips that would be ``submitted``/``queued``, and
        a v3.0 task that would be ``pending``); after that they go on as usual."""
        self._shared.faults.add_status(kind, value, times)

    def inject_http(
        self,
        method: str,
        path: str,
        status: int,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        after_work: bool = False,
    ) -> None:
        """Answer the next ``times`` requests to ``method path`` with ``status``, doing nothing.

        The answer comes before the bearer check and before any state changes; with
        ``after_work`` the request is handled first (a task is created, credits are charged,
        whatever the route answers) and only then is its answer replaced by ``status``, as a
        server that fails after doing the work would answer. ``body``
        ``None`` sends the path's error body (``{"code", "message"}`` on sunoapi.com's
        ``/api/`` paths, NestJS's elsewhere); ``bytes``/``str`` are sent as they are (as
        ``text/plain`` unless ``headers`` name a ``Content-Type``); anything else is sent as
        JSON. ``headers`` are added to the answer, e.g. ``{"Retry-After": "1"}``.

        Raises:
            ValueError: ``status`` is not 100-599, ``times`` < 1 or ``path`` lacks its ``/``.
        """
        self._http_faults.add(method, path, status, times, body, headers, after_work=after_work)

    def drop_next(self, method: str, path: str, *, after_work: bool, times: int = 1) -> None:
        """Close the connection of the next ``times`` requests to ``method path`` unanswered.

        With ``after_work`` the request is handled first (a task is created, credits are
        charged) and only the answer is lost; without it nothing happens on the server.

        A dropped GET may be sent again at once by the client's HTTP library (aiohttp's client
        does so once for idempotent methods), which then meets the next script or none.

        Raises:
            ValueError: ``times`` < 1 or ``path`` lacks its leading ``/``.
        """
        self._http_faults.add_drop(method, path, after_work=after_work, times=times)

    def slow_next(self, method: str, path: str, seconds: float, times: int = 1) -> None:
        """Hold the answers to the next ``times`` requests to ``method path`` for ``seconds``.

        The request is handled at once (a task is created, credits are charged); only its
        answer, whatever it is, waits. ``seconds`` are real, wall-clock seconds, not emulator
        clock time: this models network and server latency, which a ``VirtualClock`` does not
        govern, so a client's own timeout can run out while the work is already done. Adds to
        ``config.slow_seconds``. 0 answers at once (and still counts as the request's script).

        Raises:
            ValueError: ``seconds`` is negative or not finite, ``times`` < 1 or ``path`` lacks
                its leading ``/``.
        """
        self._http_faults.add_slow(method, path, seconds, times)

    def malform_next(
        self,
        method: str,
        path: str,
        mode: Literal["truncated", "invalid"] = "truncated",
        *,
        after_work: bool = True,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests to ``method path`` with a body that is not JSON.

        With ``after_work`` (the default) the request is handled first (a task is created,
        credits are charged) and the route's status and headers are kept; without it nothing
        happens on the server and the status is the route's success status (201 for a
        ``/suno/v2/`` POST, 200 otherwise).

        * ``"truncated"``: the first half of the JSON body (a stand-in ``{"message": ...}``
          without ``after_work``).
        * ``"invalid"``: a short HTML page instead of the body.

        Either way the ``Content-Type`` still says JSON and ``Content-Length`` matches the bytes
        sent, so the client reads a complete answer and fails only when it parses it.

        Raises:
            ValueError: Unknown ``mode``, ``times`` < 1 or ``path`` lacks its leading ``/``.
        """
        self._http_faults.add_malform(method, path, mode, after_work=after_work, times=times)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


async def serve(
    config: EmulatorConfig,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Run an emulator on ``host:port`` until cancelled. It prints nothing.

    Args:
        config: The emulator's settings.
        host: Interface to listen on.
        port: Port to listen on; 0 lets the OS choose.
        on_ready: Called once with the base URL (``http://<host>:<port>``) when the server is
            listening, e.g. for a command line to announce it.

    Raises:
        OSError: The address cannot be bound (before ``on_ready`` is called).
    """
    async with Emulator(config, host=host, port=port) as emulator:
        if on_ready is not None:
            on_ready(emulator.base_url)
        await asyncio.Event().wait()
