"""Helpers shared by the tests: small loopback servers for faults the emulator does not
script, and a plain-aiohttp way to talk to the emulator."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock

KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@dataclass
class Reply:
    """An answer of the emulator: status, JSON body (``None`` if not JSON), headers, bytes."""

    status: int
    body: Any
    headers: Any
    raw: bytes


def advance(emu: Emulator, seconds: float) -> None:
    """Move the emulator's virtual clock forward."""
    clock = emu.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(seconds)


async def call(
    http: aiohttp.ClientSession,
    emu: Emulator,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request to the emulator (with the test key unless ``headers`` are given)."""
    url = path if path.startswith("http") else emu.base_url + path
    async with http.request(
        method, url, json=body, headers=AUTH if headers is None else headers
    ) as resp:
        raw = await resp.read()
        parsed = json.loads(raw) if resp.content_type == "application/json" else None
        return Reply(resp.status, parsed, resp.headers, raw)


@asynccontextmanager
async def tiny_server(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """A one-handler aiohttp server on loopback; yields its base URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()


def free_port() -> int:
    """A loopback port nothing listens on (at the moment of the call)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fake_serve(seen: list[EmulatorConfig]) -> Callable[..., Awaitable[None]]:
    """A stand-in for ``suno_async.emulator.serve`` that records its config and reports the
    emulator listening on port 4321 at once, without serving anything."""

    async def serve(
        config: EmulatorConfig,
        host: str = "127.0.0.1",
        port: int = 8080,
        *,
        on_ready: Callable[[str], None] | None = None,
    ) -> None:
        seen.append(config)
        assert on_ready is not None
        on_ready(f"http://{host}:4321")

    return serve
