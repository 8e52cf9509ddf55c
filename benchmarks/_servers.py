"""Loopback servers the benchmarks run in a child process, so the client's CPU is its own.

``python benchmarks/_servers.py KIND [--port P]`` prints ``<kind> listening on <url>`` once
ready and serves until terminated (or ``--max-seconds`` passed, so it always stops by itself):

* ``canned``: answers every ``GET`` with a canned status body and nothing else: the body of
  :mod:`_payloads` named by the ``taskId`` query (``taskId=generation`` or anything else for
  ``small``); answers every ``POST`` (its ``Content-Length`` body read and dropped) with a
  task-created body, ``{"taskId": ...}``, as an upload or a generate gets. A bare asyncio
  protocol, so the server costs as little as possible and the client is what is measured.
* ``download``: ``GET /audio/<n>.wav`` streams a WAV of ``n`` MiB (``audio/wav``) from one
  reused 1 MiB block, so the server holds almost nothing in memory.
* ``polling``: ``POST /bench/start?n=&low=&high=&seed=`` creates ``n`` tasks ``t0``..``t{n-1}``
  finishing at scripted times (uniform in ``[low, high]`` seconds after the start, on
  ``time.monotonic()``, which every process on the machine shares) and answers
  ``{"start": ..., "done_at": [...]}``; ``GET /suno/v2/status?taskId=t<i>`` answers ``running``
  or ``success`` (with two small clips) and logs when it was asked; ``GET /bench/log`` answers
  ``{"times": [...], "tasks": [...]}`` of every status request since the start.
* ``emulator``: the library's embedded emulator (``suno_async.emulator.serve``) at ``--speed``,
  as ``python -m suno_async emulator`` runs it, but with ``--sunoapi-credits`` on the
  sunoapi account: the command line's ``--credits`` sets only the other provider's balance,
  and sunoapi's default 500 pay for 100 clips.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import socket
import time
from typing import Final

from aiohttp import web

_HEADERS: Final = (
    "HTTP/1.1 200 OK\r\n"
    "Server: bench\r\n"
    "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: {n}\r\n"
    "\r\n"
)


def _canned_response(body: bytes) -> bytes:
    return _HEADERS.format(n=len(body)).encode() + body


_CREATED: Final = b'{"taskId":"a1b2c3d4-0000-4000-8000-000000000001"}'


class KeepAliveProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive, pipelining allowed: each complete request (head and body) gets
    :meth:`answer`'s bytes, in order."""

    def __init__(self) -> None:
        self._buf = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buf = self._buf + data
        out: list[bytes] = []
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end]
            length = _content_length(head)
            if len(buf) < end + 4 + length:
                break  # the body is still on its way
            buf = buf[end + 4 + length :]
            out.append(self.answer(head))
        self._buf = buf
        if out and self._transport is not None:
            self._transport.write(b"".join(out))

    def answer(self, head: bytes) -> bytes:
        """The whole response (status line, headers, body) to the request with ``head``."""
        raise NotImplementedError


class _CannedProtocol(KeepAliveProtocol):
    """One canned answer per request (a POST's body is skipped)."""

    def __init__(self, small: bytes, generation: bytes) -> None:
        super().__init__()
        self._small = small
        self._generation = generation
        self._created = _canned_response(_CREATED)

    def answer(self, head: bytes) -> bytes:
        if head.startswith(b"POST"):
            return self._created
        return self._generation if b"taskId=generation" in head else self._small


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


async def _serve_canned(sock: socket.socket, bodies: dict[str, bytes]) -> None:
    small = _canned_response(bodies["small"])
    generation = _canned_response(bodies["generation"])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _CannedProtocol(small, generation), sock=sock)
    async with server:
        _announce("canned", sock)
        await server.serve_forever()


_BLOCK: Final = 1024 * 1024


def _wav_header(data_bytes: int) -> bytes:
    rate, channels, bits = 22050, 1, 16
    return (
        b"RIFF"
        + (36 + data_bytes).to_bytes(4, "little")
        + b"WAVEfmt "
        + (16).to_bytes(4, "little")
        + (1).to_bytes(2, "little")
        + channels.to_bytes(2, "little")
        + rate.to_bytes(4, "little")
        + (rate * channels * bits // 8).to_bytes(4, "little")
        + (channels * bits // 8).to_bytes(2, "little")
        + bits.to_bytes(2, "little")
        + b"data"
        + data_bytes.to_bytes(4, "little")
    )


async def _download(request: web.Request) -> web.StreamResponse:
    mib = int(request.match_info["mib"])
    total = mib * _BLOCK
    header = _wav_header(total - 44)
    block = memoryview(bytes(_BLOCK))
    resp = web.StreamResponse(headers={"Content-Type": "audio/wav"})
    resp.content_length = total
    await resp.prepare(request)
    await resp.write(header + bytes(block[44:]))
    for _ in range(mib - 1):
        await resp.write(block)
    await resp.write_eof()
    return resp


_CLIP: Final = {
    "status": "complete",
    "title": "Bench",
    "audio_url": "http://127.0.0.1/cdn/audio/x.wav",
    "metadata": {"type": "gen", "duration": 6.0},
}


class _Polling:
    """Scripted tasks for the polling benchmark."""

    def __init__(self) -> None:
        self.start = 0.0
        self.done_at: list[float] = []
        self.times: list[float] = []
        self.tasks: list[int] = []
        self.running: dict[int, bytes] = {}
        self.success: dict[int, bytes] = {}

    async def begin(self, request: web.Request) -> web.Response:
        n = int(request.query["n"])
        low, high = float(request.query["low"]), float(request.query["high"])
        rng = random.Random(int(request.query.get("seed", "1")))
        self.start = time.monotonic()
        self.done_at = [self.start + rng.uniform(low, high) for _ in range(n)]
        self.times, self.tasks = [], []
        self.running = {
            i: json.dumps({"taskId": f"t{i}", "status": "running", "data": {}}).encode()
            for i in range(n)
        }
        self.success = {
            i: json.dumps(
                {
                    "taskId": f"t{i}",
                    "status": "success",
                    "data": [{"id": f"c{i}a", **_CLIP}, {"id": f"c{i}b", **_CLIP}],
                }
            ).encode()
            for i in range(n)
        }
        return web.json_response({"start": self.start, "done_at": self.done_at})

    async def status(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        index = int(request.query["taskId"][1:])
        self.times.append(now)
        self.tasks.append(index)
        body = self.success[index] if now >= self.done_at[index] else self.running[index]
        return web.Response(body=body, content_type="application/json")

    async def log(self, request: web.Request) -> web.Response:
        return web.json_response({"times": self.times, "tasks": self.tasks})


async def _serve_app(kind: str, app: web.Application, sock: socket.socket) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    _announce(kind, sock)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _announce(kind: str, sock: socket.socket) -> None:
    host, port = sock.getsockname()[:2]
    print(f"{kind} listening on http://{host}:{port}", flush=True)


async def _serve_emulator(port: int, speed: float, sunoapi_credits: int) -> None:
    from suno_async.emulator import EmulatorConfig, serve

    config = EmulatorConfig(speed=speed, sunoapi_credits=sunoapi_credits)
    await serve(
        config,
        "127.0.0.1",
        port,  # the emulator binds its own socket
        on_ready=lambda url: print(f"emulator listening on {url}", flush=True),
    )


async def _main(
    kind: str,
    port: int,
    max_seconds: float,
    bodies: dict[str, bytes] | None,
    speed: float = 1.0,
    sunoapi_credits: int = 0,
) -> None:
    if kind == "emulator":
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_serve_emulator(port, speed, sunoapi_credits), max_seconds)
        return
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    sock.setblocking(False)
    if kind == "canned":
        serving = _serve_canned(sock, bodies or {})
    elif kind == "download":
        app = web.Application()
        app.router.add_get("/audio/{mib:\\d+}.wav", _download)
        serving = _serve_app(kind, app, sock)
    else:
        polling = _Polling()
        app = web.Application()
        app.router.add_post("/bench/start", polling.begin)
        app.router.add_get("/suno/v2/status", polling.status)
        app.router.add_get("/bench/log", polling.log)
        serving = _serve_app(kind, app, sock)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(serving, max_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("kind", choices=("canned", "download", "polling", "emulator"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--max-seconds", type=float, default=600.0, help="stop by itself after this long"
    )
    parser.add_argument("--speed", type=float, default=1.0, help="emulator: clock speed-up")
    parser.add_argument(
        "--sunoapi-credits", type=int, default=500, help="emulator: sunoapi balance"
    )
    args = parser.parse_args()
    bodies = None
    if args.kind == "canned":
        from _payloads import payloads

        bodies = payloads()  # made before the server's loop starts: it runs its own
    asyncio.run(
        _main(args.kind, args.port, args.max_seconds, bodies, args.speed, args.sunoapi_credits)
    )


if __name__ == "__main__":
    main()
