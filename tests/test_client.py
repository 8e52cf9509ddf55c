"""Client lifecycle, and downloads that never leave junk behind."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import anyio
import pytest
from aiohttp import web

from suno_async import (
    ClientClosedError,
    NotFoundError,
    ResponseValidationError,
    SunoClient,
)
from suno_async.emulator import Emulator

from .conftest import FAST_RETRY
from .test_transport import tiny_server

pytestmark = pytest.mark.anyio


async def test_closed_client_refuses_to_reopen(emulator: Emulator) -> None:
    """After the async with block the client raises ClientClosedError on every use."""
    client = SunoClient(api_key="k", base_url=emulator.base_url)
    async with client:
        await client.prepare_custom_model()
    assert client.closed
    with pytest.raises(ClientClosedError):
        await client.prepare_custom_model()
    with pytest.raises(ClientClosedError):
        async with client:
            pass


async def test_client_works_without_async_with(emulator: Emulator) -> None:
    """A client used without a context manager works and closes with aclose()."""
    client = SunoClient(api_key="k", base_url=emulator.base_url)
    try:
        assert await client.prepare_custom_model()
    finally:
        await client.aclose()
        await client.aclose()  # idempotent


async def test_a_session_passed_in_is_used_and_left_open(emulator: Emulator) -> None:
    """The caller's aiohttp session carries the requests and stays open after the client."""
    async with aiohttp.ClientSession() as session:
        async with SunoClient(api_key="k", base_url=emulator.base_url, session=session) as client:
            await client.prepare_custom_model()
        assert not session.closed
        assert emulator.count("POST", "/suno/v2/customModel/prepare") == 1


async def test_one_session_for_every_call(client: SunoClient, emulator: Emulator) -> None:
    """Several calls reuse one aiohttp session (and its connection pool)."""
    await client.prepare_custom_model()
    first = client._transport.session
    await client.prepare_custom_model()
    assert client._transport.session is first
    assert client.stats.requests == 2


async def test_download_of_missing_audio(
    client: SunoClient, emulator: Emulator, tmp_path: Path
) -> None:
    """A 404 from the audio host raises NotFoundError and leaves no file behind."""
    target = tmp_path / "x.wav"
    with pytest.raises(NotFoundError):
        await client.download(emulator.missing_audio_url("nope"), target)
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 - a directory listing in a test


async def test_download_refuses_an_html_page(tmp_path: Path) -> None:
    """An HTML error page served with 200 is not saved as audio."""

    async def html(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>oops</html>", content_type="text/html")

    async with tiny_server(html) as base, SunoClient(api_key="k", base_url=base) as client:
        with pytest.raises(ResponseValidationError, match="expected audio"):
            await client.download(f"{base}/clip.mp3", tmp_path / "clip.mp3")
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 - a directory listing in a test


async def test_download_refuses_non_audio_bytes(tmp_path: Path) -> None:
    """A body labelled as audio that is not audio is rejected; no partial file remains."""

    async def fake(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"<!doctype html>" * 100, content_type="audio/mpeg")

    async with tiny_server(fake) as base, SunoClient(api_key="k", base_url=base) as client:
        with pytest.raises(ResponseValidationError, match="not audio"):
            await client.download(f"{base}/clip.mp3", tmp_path / "clip.mp3")
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 - a directory listing in a test


async def test_download_retries_a_failing_cdn(tmp_path: Path) -> None:
    """A CDN 503 is retried; the file appears once complete, without an Authorization header."""
    seen: list[str | None] = []

    async def flaky(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Authorization"))
        if len(seen) == 1:
            return web.Response(status=503)
        return web.Response(body=b"ID3" + b"\0" * 5000, content_type="audio/mpeg")

    async with (
        tiny_server(flaky) as base,
        SunoClient(api_key="secret", base_url=base, retry=FAST_RETRY) as client,
    ):
        size = await client.download(f"{base}/a.mp3", tmp_path / "a.mp3")
    assert size == 5003
    assert seen == [None, None]
    files = [p.name for p in tmp_path.iterdir()]  # noqa: ASYNC240 - a listing in a test
    assert files == ["a.mp3"]
    assert (await anyio.Path(tmp_path / "a.mp3").read_bytes()).startswith(b"ID3")
