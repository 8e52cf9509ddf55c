"""The conventions users of openai-python and anthropic expect: ``with_options``, the
``SUNO_ASYNC_LOG`` switch, ``stream_events`` with a bare ``async for``, ``pathlib.Path`` in
results, and one default model for the library and the command line."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web

from suno_async import (
    APITimeoutError,
    ClientClosedError,
    ConfigError,
    CreditBudgetError,
    Event,
    GenerationSubmitted,
    InternalServerError,
    MountseaClient,
    NotEnoughClipsError,
    SunoapiClient,
    TaskStatusChanged,
    TaskTimeoutError,
    UploadOutcome,
    stream_events,
)
from suno_async._core import _base_client
from suno_async.emulator import Emulator
from suno_async.mountsea._results import CANCELLED_UPLOAD, not_enough_clips_message

from ..conftest import FAST_RETRY
from ..helpers import tiny_server

pytestmark = pytest.mark.anyio

GENERATE = "/suno/v2/generate"


# -- with_options -------------------------------------------------------------------------------


@pytest.fixture
async def slow_api() -> AsyncIterator[str]:
    """A server whose status answers take 0.3 s (real time)."""

    async def handler(request: web.Request) -> web.Response:
        await anyio.sleep(0.3)
        return web.json_response({"taskId": "t", "status": "queued"})

    async with tiny_server(handler) as url:
        yield url


async def test_with_options_sets_the_timeout_of_its_calls_only(slow_api: str) -> None:
    """A copy with a short timeout times out; the client keeps its own, longer one."""
    async with MountseaClient(api_key="k", base_url=slow_api, retry=FAST_RETRY) as client:
        hasty = client.with_options(timeout=0.05, max_retries=0)
        with pytest.raises(APITimeoutError):
            await hasty.get_status("t")
        assert (await client.get_status("t")).status == "queued"
        assert hasty.retry_policy.max_retries == 0
        assert client.retry_policy == FAST_RETRY
        assert client.stats.requests == hasty.stats.requests == 2  # one count


async def test_with_options_sets_the_retries_of_its_calls_only(
    client: MountseaClient, emulator: Emulator
) -> None:
    """max_retries=0 gives up at the first 503; the client itself retries it."""
    task_id = await client.generate(task="create", tags="pop")
    emulator.inject_http("GET", "/suno/v2/status", 503)
    with pytest.raises(InternalServerError):
        await client.with_options(max_retries=0).get_status(task_id)
    emulator.inject_http("GET", "/suno/v2/status", 503)
    assert (await client.get_status(task_id)).task_id == task_id


async def test_with_options_shares_the_pool_and_the_credit_count(emulator: Emulator) -> None:
    """The copy sends over the client's aiohttp session and spends from the same budget;
    closing the copy closes nothing shared, closing the client ends the copy too."""
    sent: list[str] = []

    async def on_request(session: object, context: object, params: object) -> None:
        sent.append(str(getattr(params, "url", "")))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        client = MountseaClient(
            api_key="k",
            base_url=emulator.base_url,
            session=session,
            clock=emulator.clock,
            max_credits=80,
        )
        copy = client.with_options(timeout=10)
        await copy.generate(task="create", tags="pop")
        assert len(sent) == 1  # through the caller's session
        assert client.credits_spent == copy.credits_spent == 40
        await client.generate(task="create", tags="pop")
        with pytest.raises(CreditBudgetError):  # 120 would pass 80, counted from either
            await copy.generate(task="create", tags="pop")
        await copy.aclose()
        assert copy.closed
        assert not client.closed
        await client.aclose()
        assert not session.closed  # the caller's session is the caller's to close


async def test_a_copy_ends_with_its_client(emulator: Emulator) -> None:
    """Closing the client that owns the session makes its copies refuse to send."""
    client = MountseaClient(api_key="k", base_url=emulator.base_url, clock=emulator.clock)
    copy = client.with_options(max_retries=1)
    task_id = await copy.generate(task="create", tags="pop")
    assert copy._core.transport.session is client._core.transport.session  # one pool
    await client.aclose()
    assert copy.closed
    with pytest.raises(ClientClosedError):
        await copy.get_status(task_id)


async def test_with_options_rebinds_the_endpoint_groups(slow_api: str) -> None:
    """SunoapiClient.v30 of a copy sends with the copy's settings."""
    async with SunoapiClient(api_key="k", base_url=slow_api, retry=FAST_RETRY) as api:
        hasty = api.with_options(timeout=0.05, max_retries=0)
        assert hasty.v30 is not api.v30
        with pytest.raises(APITimeoutError):
            await hasty.v30.get_task("t")


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"timeout": 0}, "timeout"),
        ({"connect_timeout": -1.0}, "connect_timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"retry": 3}, "retry"),
    ],
)
async def test_with_options_refuses_bad_values(
    client: MountseaClient, options: dict[str, object], argument: str
) -> None:
    with pytest.raises(ConfigError) as info:
        client.with_options(**options)  # type: ignore[arg-type]
    assert info.value.argument == argument


# -- SUNO_ASYNC_LOG ----------------------------------------------------------------------------


@pytest.fixture
def fresh_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """The suno_async logger as a new process finds it, restored afterwards."""
    logger = logging.getLogger("suno_async")
    handlers, level = list(logger.handlers), logger.level
    monkeypatch.setattr(_base_client, "_log_env_read", False)
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


async def test_suno_async_log_debug_logs_requests_and_never_the_key(
    emulator: Emulator,
    fresh_logging: logging.Logger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """SUNO_ASYNC_LOG=debug sends the library's records to stderr once a client is made."""
    monkeypatch.setenv("SUNO_ASYNC_LOG", "debug")
    secret = "sk-live-LOGGED-NEVER-42"
    async with MountseaClient(
        api_key=secret, base_url=emulator.base_url, clock=emulator.clock
    ) as client:
        await client.generate(task="create", tags="pop")
    err = capsys.readouterr().err
    assert "DEBUG suno_async: POST /suno/v2/generate -> 201" in err
    assert secret not in err
    assert fresh_logging.level == logging.DEBUG


async def test_suno_async_log_is_off_unless_asked(
    emulator: Emulator,
    fresh_logging: logging.Logger,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without the variable nothing is configured; a wrong value is named in a warning."""
    monkeypatch.delenv("SUNO_ASYNC_LOG", raising=False)
    before = list(fresh_logging.handlers)
    MountseaClient(api_key="k", base_url=emulator.base_url)
    assert fresh_logging.handlers == before
    monkeypatch.setattr(_base_client, "_log_env_read", False)
    monkeypatch.setenv("SUNO_ASYNC_LOG", "loud")
    MountseaClient(api_key="k", base_url=emulator.base_url)
    assert "SUNO_ASYNC_LOG='loud' is not 'debug' or 'info'; ignored" in caplog.text
    assert fresh_logging.handlers == before


# -- stream_events ------------------------------------------------------------------------------


async def test_stream_events_works_with_a_bare_async_for(client: MountseaClient) -> None:
    """No ``async with`` needed: the loop gets the events, then ``.result`` the clips."""
    events = stream_events(
        lambda on_event: client.generate_and_wait(task="create", tags="pop", on_event=on_event)
    )
    seen: list[Event] = [event async for event in events]
    assert any(isinstance(event, GenerationSubmitted) for event in seen)
    assert len(events.result) == 2
    assert await events.wait() == events.result  # nothing left: the result again


async def test_breaking_out_of_a_bare_loop_stops_the_workflow(
    client: MountseaClient, emulator: Emulator
) -> None:
    """A bare ``async for`` left early: dropping the stream (or ``aclose``) cancels the work."""
    emulator.stall_next_tasks("generate", times=2)
    for close in (False, True):
        events = stream_events(
            lambda on_event: client.generate_and_wait(task="create", tags="x", on_event=on_event)
        )
        async for event in events:
            if isinstance(event, TaskStatusChanged):
                break
        if close:
            await events.aclose()
        else:
            del events
            gc.collect()
        await anyio.sleep(0.05)  # let the cancellation land
        polls = emulator.count("GET", "/suno/v2/status")
        await emulator.clock.sleep(60)  # a running wait would poll again by now
        await anyio.sleep(0.05)
        assert emulator.count("GET", "/suno/v2/status") == polls


async def test_the_context_manager_form_still_works(client: MountseaClient) -> None:
    async with stream_events(
        lambda on_event: client.generate_and_wait(task="create", tags="pop", on_event=on_event)
    ) as events:
        async for _ in events:
            pass
    assert len(events.result) == 2


# -- results and defaults -----------------------------------------------------------------------


async def test_every_result_path_is_a_pathlib_path(client: MountseaClient, tmp_path: Path) -> None:
    """download_clips and GenerationResult.files give pathlib.Path (a plain .stat() works)."""
    result = await client.generate_and_download(task="create", tags="pop", directory=tmp_path)
    assert all(type(path) is type(tmp_path) for path in result.files)
    assert all(path.stat().st_size > 0 for path in result.files)
    again = await client.download_clips(result.clips, tmp_path)
    assert again == result.files == result.paths


async def test_generate_defaults_to_the_command_lines_model(client: MountseaClient) -> None:
    """Without model=, generate asks for chirp-v55, as suno-async generate does."""
    events: list[Event] = []
    clips = await client.generate_and_wait(task="create", tags="pop", on_event=events.append)
    assert {clip.model_name for clip in clips} == {"chirp-v55"}
    submitted = next(e for e in events if isinstance(e, GenerationSubmitted))
    assert submitted.model == "chirp-v55"


# -- what became of each URL --------------------------------------------------------------------


def test_upload_outcomes_tell_failed_from_cancelled_and_unused() -> None:
    """The error message lists failed URLs apart from cancelled ones and unused spares."""
    outcomes = [
        UploadOutcome(url="https://a/1.mp3", clip_id="c1", task_ids=("t1",), attempts=1),
        UploadOutcome(url="https://a/bad.txt", clip_id=None, error="audio not found", attempts=1),
        UploadOutcome(url="https://a/2.mp3", clip_id=None, error=CANCELLED_UPLOAD),
        UploadOutcome(url="https://a/3.mp3", clip_id=None),
    ]
    assert [o.state for o in outcomes] == ["uploaded", "failed", "cancelled", "unused"]
    message = not_enough_clips_message(outcomes, 6)
    failed, _, rest = message.partition("Failed (replace these): ")
    assert failed.startswith("only 1 of 4 URLs produced a clip")
    assert rest.startswith("https://a/bad.txt: audio not found.")
    assert "https://a/2.mp3" not in rest.split(" Cancelled ")[0]
    assert "(these may be fine): https://a/2.mp3." in message
    assert "Not tried: https://a/3.mp3." in message
    error = NotEnoughClipsError(message, session_id="s", outcomes=outcomes, required=6)
    assert error.succeeded == 1


async def test_aclose_lets_the_callers_own_cancellation_through() -> None:
    """A timeout around aclose() still fires while the workflow takes long to stop."""
    import asyncio

    from suno_async import stream_events

    async def slow_to_stop(on_event: Any) -> None:
        try:
            await asyncio.sleep(10)
        finally:
            with anyio.CancelScope(shield=True):
                await asyncio.sleep(1)  # a cleanup that takes its time

    events = stream_events(slow_to_stop)
    with anyio.move_on_after(0.2):
        async for _ in events:
            pass
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await events.aclose()


async def test_a_copy_and_its_client_never_write_one_file_at_once(
    emulator: Any, tmp_path: Path
) -> None:
    """with_options copies share the download locks: the same file fetched through both at
    once is written once, whole, not torn between two part files."""
    url = emulator.sample_audio_urls(1)[0]
    async with MountseaClient(api_key="k", base_url=emulator.base_url) as client:
        copy = client.with_options(timeout=30)
        sizes: list[int] = []

        async def fetch(c: MountseaClient) -> None:
            sizes.append(await c.download(url, tmp_path / "a.wav"))

        async with anyio.create_task_group() as tg:
            tg.start_soon(fetch, client)
            tg.start_soon(fetch, copy)
    assert len(sizes) == 2
    assert sizes[0] == sizes[1] == (tmp_path / "a.wav").stat().st_size


async def test_a_copy_waits_with_its_own_options_and_its_closing_leaves_the_client_alone(
    client: MountseaClient,
) -> None:
    """Waits of a with_options copy send their status requests through the copy (closing the
    copy does not break the client's next wait, whatever was cached by either)."""
    first = await client.generate(task="create", tags="pop")
    await client.wait_for_task(first)
    async with client.with_options(timeout=30) as copy:
        second = await copy.generate(task="create", tags="pop")
        await copy.wait_for_generation(second)
    assert not client.closed
    third = await client.generate(task="create", tags="pop")
    assert await client.wait_for_generation(third)


async def test_a_copys_wait_uses_the_copys_timeout(slow_api: str) -> None:
    async with MountseaClient(api_key="k", base_url=slow_api, retry=FAST_RETRY) as client:
        with pytest.raises(TaskTimeoutError):
            await client.wait_for_task("t", timeout=0.5)  # caches the client's own fetcher
        hasty = client.with_options(timeout=0.05, max_retries=0)
        with pytest.raises(APITimeoutError):
            await hasty.wait_for_task("t", timeout=30)
