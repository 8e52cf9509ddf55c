"""Client lifecycle, and downloads that never leave junk behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

import aiohttp
import anyio
import pytest
from aiohttp import web

from suno_async import (
    ClientClosedError,
    MountseaClient,
    NotFoundError,
    ResponseValidationError,
)
from suno_async.emulator import Emulator

from ..conftest import FAST_RETRY
from ..helpers import tiny_server

pytestmark = pytest.mark.anyio


async def test_closed_client_refuses_to_reopen(emulator: Emulator) -> None:
    """After the async with block the client raises ClientClosedError on every use."""
    client = MountseaClient(api_key="k", base_url=emulator.base_url)
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
    client = MountseaClient(api_key="k", base_url=emulator.base_url)
    try:
        assert await client.prepare_custom_model()
    finally:
        await client.aclose()
        await client.aclose()  # idempotent


async def test_a_session_passed_in_is_used_and_left_open(emulator: Emulator) -> None:
    """The caller's aiohttp session carries the requests and stays open after the client."""
    async with aiohttp.ClientSession() as session:
        async with MountseaClient(
            api_key="k", base_url=emulator.base_url, session=session
        ) as client:
            await client.prepare_custom_model()
        assert not session.closed
        assert emulator.count("POST", "/suno/v2/customModel/prepare") == 1


async def test_one_session_for_every_call(client: MountseaClient, emulator: Emulator) -> None:
    """Several calls reuse one aiohttp session (and its connection pool)."""
    await client.prepare_custom_model()
    first = client._core.transport.session
    await client.prepare_custom_model()
    assert client._core.transport.session is first
    assert client.stats.requests == 2


async def test_download_of_missing_audio(
    client: MountseaClient, emulator: Emulator, tmp_path: Path
) -> None:
    """A 404 from the audio host raises NotFoundError and leaves no file behind."""
    target = tmp_path / "x.wav"
    with pytest.raises(NotFoundError):
        await client.download(emulator.missing_audio_url("nope"), target)
    assert not any(tmp_path.iterdir())


async def test_download_refuses_an_html_page(tmp_path: Path) -> None:
    """An HTML error page served with 200 is not saved as audio."""

    async def html(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>oops</html>", content_type="text/html")

    async with tiny_server(html) as base, MountseaClient(api_key="k", base_url=base) as client:
        with pytest.raises(ResponseValidationError, match=r"(not|expected) audio"):
            await client.download(f"{base}/clip.mp3", tmp_path / "clip.mp3")
    assert not any(tmp_path.iterdir())


async def test_download_refuses_non_audio_bytes(tmp_path: Path) -> None:
    """A body labelled as audio that is not audio is rejected; no partial file remains."""

    async def fake(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"<!doctype html>" * 100, content_type="audio/mpeg")

    async with tiny_server(fake) as base, MountseaClient(api_key="k", base_url=base) as client:
        with pytest.raises(ResponseValidationError, match=r"(not|expected) audio"):
            await client.download(f"{base}/clip.mp3", tmp_path / "clip.mp3")
    assert not any(tmp_path.iterdir())


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
        MountseaClient(api_key="secret", base_url=base, retry=FAST_RETRY) as client,
    ):
        size = await client.download(f"{base}/a.mp3", tmp_path / "a.mp3")
    assert size == 5003
    assert seen == [None, None]
    files = [p.name for p in tmp_path.iterdir()]
    assert files == ["a.mp3"]
    assert (await anyio.Path(tmp_path / "a.mp3").read_bytes()).startswith(b"ID3")


async def test_download_cut_off_keeps_only_a_hidden_part(tmp_path: Path) -> None:
    """A body cut off mid-stream never appears as the file; the hidden part is kept and the
    retry asks for the rest with a Range header."""
    ranges: list[str | None] = []

    async def cut(request: web.Request) -> web.StreamResponse:
        ranges.append(request.headers.get("Range"))
        response = web.StreamResponse(headers={"Content-Length": "100000"})
        response.content_type = "audio/mpeg"
        await response.prepare(request)
        await response.write(b"ID3" + b"\0" * 5000)
        await anyio.sleep(0.02)  # let the bytes reach the client before hanging up
        assert request.transport is not None
        request.transport.close()
        return response

    async with (
        tiny_server(cut) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY, max_retries=1) as client,
    ):
        from suno_async import APIConnectionError

        with pytest.raises(APIConnectionError):
            await client.download(f"{base}/a.mp3", tmp_path / "a.mp3")
        assert client.stats.requests == 2
    assert ranges == [None, "bytes=5003-"]
    names = [p.name for p in tmp_path.iterdir()]
    assert names == [f".a.mp3.{source(f'{base}/a.mp3')}.part"]


def source(url: str) -> str:
    """The hash that ties a download's part file to its URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def ranged_audio(body: bytes, cut_first_at: int) -> tuple[list[str | None], object]:
    """A CDN handler that honours Range and cuts its first answer off after some bytes."""
    seen: list[str | None] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Range")
        seen.append(header)
        start = int(header.removeprefix("bytes=").rstrip("-")) if header else 0
        if start >= len(body):
            return web.Response(status=416, headers={"Content-Range": f"bytes */{len(body)}"})
        status = 206 if header else 200
        extra = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"} if header else {}
        response = web.StreamResponse(
            status=status, headers={"Content-Length": str(len(body) - start), **extra}
        )
        response.content_type = "audio/wav"
        await response.prepare(request)
        if len(seen) == 1:
            await response.write(body[:cut_first_at])
            await anyio.sleep(0.02)  # let the bytes reach the client before hanging up
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write(body[start:])
        await response.write_eof()
        return response

    return seen, handler


async def test_download_resumes_with_range(tmp_path: Path) -> None:
    """After a cut, the rest comes from a 206 answer and the file is whole and exact."""
    body = b"RIFF\0\0\0\0WAVEfmt " + bytes(range(256)) * 400
    seen, handler = ranged_audio(body, cut_first_at=30_000)
    async with (
        tiny_server(handler) as base,  # type: ignore[arg-type]
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        size = await client.download(f"{base}/a.wav", tmp_path / "a.wav")
    assert size == len(body)
    assert seen == [None, "bytes=30000-"]
    assert (await anyio.Path(tmp_path / "a.wav").read_bytes()) == body
    names = [p.name for p in tmp_path.iterdir()]
    assert names == ["a.wav"]


async def test_download_resumes_across_calls(tmp_path: Path) -> None:
    """A part left by an earlier, failed call is resumed by the next call for the same file;
    a part that is already whole is finished without a body (416)."""
    body = b"ID3" + bytes(range(256)) * 100
    seen, handler = ranged_audio(body, cut_first_at=10_000)
    async with (
        tiny_server(handler) as base,  # type: ignore[arg-type]
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY, max_retries=0) as client,
    ):
        from suno_async import APIConnectionError

        with pytest.raises(APIConnectionError):
            await client.download(f"{base}/b.mp3", tmp_path / "b.mp3")
        assert await client.download(f"{base}/b.mp3", tmp_path / "b.mp3") == len(body)
        assert seen == [None, "bytes=10000-"]
        await anyio.Path(tmp_path / f".c.mp3.{source(f'{base}/c.mp3')}.part").write_bytes(body)
        assert await client.download(f"{base}/c.mp3", tmp_path / "c.mp3") == len(body)
        assert seen[-1] == f"bytes={len(body)}-"
    assert (await anyio.Path(tmp_path / "c.mp3").read_bytes()) == body


async def test_download_refuses_an_empty_body(tmp_path: Path) -> None:
    """An empty 200 body is not saved as a zero-byte audio file."""

    async def empty(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"", content_type="audio/mpeg")

    async with tiny_server(empty) as base, MountseaClient(api_key="k", base_url=base) as client:
        with pytest.raises(ResponseValidationError, match="empty"):
            await client.download(f"{base}/a.mp3", tmp_path / "a.mp3")
    assert not any(tmp_path.iterdir())


async def test_download_sniffs_across_tiny_chunks(tmp_path: Path) -> None:
    """Audio whose first chunks are a few bytes each is still recognised and saved whole."""

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_type = "audio/wav"
        await response.prepare(request)
        for piece in (b"RI", b"FF\0\0", b"\0\0WA", b"VEfmt ", b"\0" * 1000):
            await response.write(piece)
            await anyio.sleep(0.01)
        await response.write_eof()
        return response

    async with tiny_server(trickle) as base, MountseaClient(api_key="k", base_url=base) as client:
        size = await client.download(
            f"{base}/a.wav",
            tmp_path / "a.wav",
        )
    assert size == 1016
    assert (await anyio.Path(tmp_path / "a.wav").read_bytes()).startswith(b"RIFF")


def test_clip_filenames_are_safe_and_distinct() -> None:
    """Server-chosen clip ids never name a path outside the target directory."""
    from suno_async import Clip
    from suno_async._core._downloads import clip_filenames

    clips = [
        Clip(id="../../etc/passwd", audio_url="https://cdn.example.org/x.wav"),
        Clip(id="a/b", audio_url="https://cdn.example.org/y"),
        Clip(id="a?b", audio_url="https://cdn.example.org/y.mp3?sig=1"),
        Clip(id="...", audio_url="https://cdn.example.org/z.weird/"),
    ]
    names = clip_filenames(clips)
    assert names == ["_.._etc_passwd.wav", "a_b.mp3", "a_b-2.mp3", "clip.mp3"]
    assert all("/" not in name and not name.startswith(".") for name in names)


async def test_a_part_from_another_url_is_never_resumed(tmp_path: Path) -> None:
    """A leftover part of clip A does not get B's tail appended: B starts from scratch."""
    a_body = b"ID3" + b"A" * 50_000
    b_body = b"ID3" + b"B" * 80_000
    seen: list[str | None] = []

    async def cdn(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Range"))
        return web.Response(body=b_body, content_type="audio/mpeg")

    async with tiny_server(cdn) as base, MountseaClient(api_key="k", base_url=base) as client:
        stale = tmp_path / f".song.mp3.{source(f'{base}/a.mp3')}.part"
        stale.write_bytes(a_body[:30_000])
        assert await client.download(f"{base}/b.mp3", tmp_path / "song.mp3") == len(b_body)
    assert seen == [None]
    assert (tmp_path / "song.mp3").read_bytes() == b_body


@pytest.mark.parametrize("answer", ["206 elsewhere", "416 other total"])
async def test_unusable_resume_answers_start_over(tmp_path: Path, answer: str) -> None:
    """A 206 at another offset, or a 416 whose total is not the part's size, never produce
    the file; the download starts over and ends exact."""
    body = b"ID3" + bytes(range(256)) * 200
    calls = 0

    async def cdn(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if request.headers.get("Range") and calls == 1:
            if answer == "206 elsewhere":
                return web.Response(
                    status=206,
                    body=body[10:],
                    content_type="audio/mpeg",
                    headers={"Content-Range": f"bytes 10-{len(body) - 1}/{len(body)}"},
                )
            return web.Response(status=416, headers={"Content-Range": f"bytes */{len(body)}"})
        return web.Response(body=body, content_type="audio/mpeg")

    async with (
        tiny_server(cdn) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        part = tmp_path / f".x.mp3.{source(f'{base}/x.mp3')}.part"
        part.write_bytes(body[:5000] if answer == "206 elsewhere" else b"ID3" + b"\0" * 99)
        assert await client.download(f"{base}/x.mp3", tmp_path / "x.mp3") == len(body)
    assert (tmp_path / "x.mp3").read_bytes() == body
    assert [p.name for p in tmp_path.iterdir()] == ["x.mp3"]


async def test_a_file_system_error_is_not_retried(tmp_path: Path) -> None:
    """A destination that cannot be written raises the OSError at once, without retries."""
    calls = 0

    async def cdn(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return web.Response(body=b"ID3" + b"\0" * 100, content_type="audio/mpeg")

    async with (
        tiny_server(cdn) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(FileNotFoundError):
            await client.download(f"{base}/x.mp3", tmp_path / "missing-dir" / "x.mp3")
    assert calls == 1


async def test_pure_music_takes_the_titles_generate_takes(client: MountseaClient) -> None:
    """mountsea documents no title limit: pure_music sends an 80+ character title, as
    generate(title=...) does (sunoapi's limit of 80 does not apply here)."""
    title = "A very long title " * 6  # 108 characters
    clips = await client.pure_music("ambient piano", title, timeout=600)
    assert clips
    assert {clip.title for clip in clips} == {title}
