"""Regression tests from the independent review of the mountsea endpoints: the persona flow
after complete, handles that must wait through ``awaiting``, prices, and the budget before the
schema lookup."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from suno_async import ConfigError, CreditBudgetError, MountseaClient, SystemClock, TaskKind
from suno_async.emulator import Emulator

from ..conftest import FAST_RETRY
from ..helpers import tiny_server

pytestmark = pytest.mark.anyio


def fast(base: str, **options: Any) -> MountseaClient:
    return MountseaClient(
        api_key="k", base_url=base, clock=SystemClock(200), retry=FAST_RETRY, **options
    )


async def test_the_persona_flow_waits_through_a_lagging_awaiting_after_complete() -> None:
    """After complete, a status that still says ``awaiting`` is waited through: the flow ends
    at ``success`` with the persona id, not at ``awaiting``."""
    state = {"completed": False, "after": 0}

    async def api(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/voicePersona/init"):
            return web.json_response({"taskId": "t1"}, status=201)
        if request.path.endswith("/voicePersona/complete"):
            state["completed"] = True
            return web.json_response({"taskId": "t1"}, status=201)
        awaiting = {"taskId": "t1", "status": "awaiting", "data": {"phrase_text": "say hi"}}
        if not state["completed"]:
            return web.json_response(awaiting)
        state["after"] += 1
        if state["after"] == 1:  # the provider has not moved on yet
            return web.json_response(awaiting)
        return web.json_response(
            {"taskId": "t1", "status": "success", "data": {"persona_id": "p1"}}
        )

    async def verify(phrase: str) -> str:
        return "https://example.com/v.mp3"

    async with tiny_server(api) as base, fast(base) as client:
        step = await client.create_voice_persona("https://example.com/a.mp3", "en", "me", verify)
    assert (step.status, step.persona_id) == ("success", "p1")
    assert state["after"] == 2


async def test_handles_of_flows_that_never_await_wait_through_it() -> None:
    """A generation handle (re-attached by id) waits through ``awaiting``, as
    wait_for_generation does: its flow never stops for the caller."""
    polls = 0

    async def api(request: web.Request) -> web.StreamResponse:
        nonlocal polls
        polls += 1
        if polls == 1:
            return web.json_response({"taskId": "g", "status": "awaiting"})
        clip = {"id": "c1", "status": "complete", "audio_url": "https://cdn.example.com/c.mp3"}
        return web.json_response({"taskId": "g", "status": "success", "data": [clip]})

    async with tiny_server(api) as base, fast(base) as client:
        await client.task("g", TaskKind.GENERATE).wait(timeout=120)
    assert polls == 2


def test_the_documented_create_price_cannot_be_overridden() -> None:
    with pytest.raises(ConfigError) as info:
        MountseaClient(api_key="k", prices={"customModel/create": 5})
    assert info.value.argument == "prices"


async def test_the_budget_is_checked_before_the_schema_is_asked_for(emulator: Emulator) -> None:
    """A generate past the budget sends nothing, not even the schema lookup."""
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, max_credits=39, check_schema=True
    ) as client:
        with pytest.raises(CreditBudgetError):
            await client.generate(task="create", prompt="x")
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        (
            "midi",
            b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00",
        ),
        ("image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        ("image", b"\xff\xd8\xff\xe0" + b"\x00" * 40),
        ("video", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40),
    ],
)
async def test_midi_images_and_video_download_as_their_own_kind(
    tmp_path: Any, kind: Any, body: bytes
) -> None:
    """Each kind is checked against its own signature; as audio, the same bytes are refused
    (video aside: MP4 holds audio too)."""
    from suno_async import ResponseValidationError

    async def cdn(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type="application/octet-stream")

    async with tiny_server(cdn) as base, MountseaClient(api_key="k", max_retries=0) as client:
        size = await client.download(f"{base}/f", tmp_path / "f", kind=kind)
        assert size == len(body)
        if kind != "video":
            with pytest.raises(ResponseValidationError, match="not audio"):
                await client.download(f"{base}/g", tmp_path / "g")
        with pytest.raises(ConfigError) as info:
            await client.download(f"{base}/f", tmp_path / "h", kind="tarball")  # type: ignore[arg-type]
        assert info.value.argument == "kind"
