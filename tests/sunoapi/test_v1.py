"""sunoapi's v1 family against the emulator: credits, create, make-lyrics, stems, task lookups
and task handles (happy paths, failures, bad input), and the description limit."""

from __future__ import annotations

import json
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from aiohttp import web

from suno_async import (
    AmbiguousSubmitError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    CreditBudgetError,
    Credits,
    InsufficientCreditsError,
    Lyrics,
    NotFoundError,
    ResponseValidationError,
    SunoapiClient,
    TaskFailedError,
    TaskHandle,
    TaskStatusChanged,
    TaskTimeoutError,
    V1Clip,
    V1State,
    WebhookReceiver,
)
from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock
from suno_async.sunoapi import LYRICS_SCHEDULE, V1CreateRequest

from ..conftest import FAST_RETRY
from ..helpers import tiny_server

pytestmark = pytest.mark.anyio

V1 = "/api/v1"
CREATE = f"{V1}/suno/create"
LYRICS = f"{V1}/suno/make-lyrics"


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[SunoapiClient]:
    async with SunoapiClient(
        api_key="test-key", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as client:
        yield client


def task_path(task_id: str) -> str:
    return f"{V1}/suno/task/{task_id}"


# -- credits ------------------------------------------------------------------------------------


async def test_credits_are_the_emulators_balance(api: SunoapiClient, emulator: Emulator) -> None:
    """get-credits reads {credits, extra_credits}; a create takes its 10 credits from it."""
    before = await api.v1.get_credits()
    assert before == Credits(credits=emulator.sunoapi_credits, extra_credits=0)
    assert before.total == 500
    handle = await api.v1.create(prompt="[Verse]\nhi", tags="pop")
    assert (await api.credits()).total == 490 == emulator.sunoapi_credits
    assert api.credits_spent == 10
    assert handle.kind == "music"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"credits": 7, "extra_credits": 3}', Credits(credits=7, extra_credits=3)),
        (b'{"code": 200, "data": {"credits": 9}}', Credits(credits=9)),
    ],
)
async def test_credits_read_loosely(body: bytes, expected: Credits) -> None:
    """The documented bare object, or the same inside a {code, data} wrapper."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    async with tiny_server(answer) as url, SunoapiClient(api_key="k", base_url=url) as api:
        assert await api.v1.get_credits() == expected


async def test_credits_errors_are_typed() -> None:
    """A {code: 401} body (even with HTTP 200) is an AuthenticationError; a body without
    credits does not have the documented shape."""
    bodies = iter([b'{"code": 401, "message": "Invalid authorization format."}', b'{"x": 1}'])

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=next(bodies), content_type="application/json")

    async with (
        tiny_server(answer) as url,
        SunoapiClient(api_key="k", base_url=url, max_retries=0) as api,
    ):
        with pytest.raises(AuthenticationError):
            await api.v1.get_credits()
        with pytest.raises(ResponseValidationError):
            await api.v1.get_credits()


# -- create ------------------------------------------------------------------------------------


async def test_create_follows_two_songs_to_succeeded(
    api: SunoapiClient, emulator: Emulator, tmp_path: Path
) -> None:
    """A custom-mode create: the task goes pending, running, streaming, succeeded; the songs
    carry what was asked and their audio is served."""
    handle = await api.v1.create(
        prompt="[Verse]\nNeon rain", tags="synthwave", title="Night", mv="chirp-v5"
    )
    assert isinstance(handle, TaskHandle)
    first = await handle.status()
    assert first.status == V1State.PENDING
    events: list[Any] = []
    songs = await handle.wait(on_event=events.append)
    assert len(songs) == 2
    assert all(isinstance(s, V1Clip) and s.succeeded for s in songs)
    assert {s.title for s in songs} == {"Night"}
    assert songs[0].tags == "synthwave"
    assert songs[0].lyrics == "[Verse]\nNeon rain"
    assert songs[0].mv == "chirp-v5"
    assert songs[0].seconds == pytest.approx(6.0)
    assert handle.settled_by == "poll"
    statuses = [e.status for e in events if isinstance(e, TaskStatusChanged)]
    assert statuses[-1] == "succeeded"
    # One look above, then asks at about 2, 4, 7, 11, 18, 28 and 42 s (done at 40 s).
    assert emulator.count("GET", task_path(handle.id)) <= 8
    url = songs[0].audio_url
    assert url is not None
    path = tmp_path / "song.wav"
    await api.download(url, path)
    with wave.open(str(path)) as audio:
        assert audio.getnframes() > 0


async def test_create_in_description_mode(api: SunoapiClient) -> None:
    """gpt_description_prompt alone sends custom_mode false; the service writes the song."""
    handle = await api.v1.create(gpt_description_prompt="a calm sea at night")
    songs = await handle.wait()
    assert songs[0].gpt_description_prompt == "a calm sea at night"
    assert songs[0].title == "a calm sea at night"


async def test_create_instrumental_needs_no_lyrics(api: SunoapiClient) -> None:
    handle = await api.v1.create(tags="lofi", make_instrumental=True)
    songs = await handle.wait()
    assert songs[0].lyrics == ""


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ({"prompt": "la", "tags": "pop", "gpt_description_prompt": "x"}, "gpt_description_prompt"),
        ({"prompt": "la"}, "tags"),
        ({"tags": "pop"}, "prompt"),
        ({"custom_mode": False, "tags": "pop"}, "gpt_description_prompt"),
        ({"custom_mode": False, "gpt_description_prompt": "d", "prompt": "la"}, "prompt"),
        ({"prompt": "x" * 3000, "tags": "pop"}, "prompt"),
        ({"prompt": "la", "tags": "x" * 200}, "tags"),
        ({"prompt": "la", "tags": "pop", "title": "x" * 80}, "title"),
        ({"gpt_description_prompt": "x" * 200}, "gpt_description_prompt"),
        ({"prompt": "la", "tags": "pop", "mv": "chirp v5"}, "mv"),
        ({"prompt": "la", "tags": "pop", "webhook_secret": "s"}, "webhook_secret"),
        ({"prompt": "la", "tags": "pop", "webhook_url": "ftp://x"}, "webhook_url"),
        (
            {
                "prompt": "la",
                "tags": "pop",
                "webhook_url": "https://x.org/h",
                "webhook_secret": " ",
            },
            "webhook_secret",
        ),
        ({"prompt": "la", "tags": "pop", "receiver": "hooks"}, "receiver"),
        ({"prompt": "la", "tags": "pop", "make_instrumental": "yes"}, "make_instrumental"),
        ({"prompt": "la", "tags": "pop", "resend_if_ambiguous": 1}, "resend_if_ambiguous"),
    ],
)
async def test_create_refuses_bad_input_before_sending(
    api: SunoapiClient, emulator: Emulator, arguments: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ConfigError) as info:
        await api.v1.create(**arguments)
    assert info.value.argument == argument
    assert emulator.requests == []


async def test_create_with_a_receiver_checks_its_secret_and_url(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """A receiver's secret is sent unless another is given (refused: it would refuse every
    delivery); a receiver without a URL needs webhook_url."""
    receiver = WebhookReceiver("right-secret")
    with pytest.raises(ConfigError) as info:
        await api.v1.create(prompt="la", tags="pop", receiver=receiver)
    assert info.value.argument == "webhook_url"
    with pytest.raises(ConfigError) as info:
        await api.v1.create(
            prompt="la", tags="pop", receiver=receiver, webhook_secret="wrong-secret",
            webhook_url="https://example.org/hook",
        )  # fmt: skip
    assert info.value.argument == "webhook_secret"
    assert "wrong-secret" not in str(info.value)
    assert "right-secret" not in str(info.value)
    assert emulator.requests == []


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_credits=5)])
async def test_create_without_credits_is_refused_and_costs_nothing(
    api: SunoapiClient, emulator: Emulator
) -> None:
    with pytest.raises(InsufficientCreditsError):
        await api.v1.create(prompt="la", tags="pop")
    assert api.credits_spent == api.credits_uncertain == 0
    assert emulator.sunoapi_credits == 5


async def test_a_budget_refuses_before_sending(emulator: Emulator) -> None:
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, max_credits=11
    ) as api:
        await api.v1.create(prompt="la", tags="pop")
        with pytest.raises(CreditBudgetError):
            await api.v1.make_lyrics("rain")
    assert emulator.count("POST", LYRICS) == 0


async def test_an_unclear_answer_is_ambiguous_and_resent_only_when_asked(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """A 502 to a create is ambiguous (uncertain credits); resend_if_ambiguous sends it again."""
    emulator.inject_http("POST", CREATE, 502)
    with pytest.raises(AmbiguousSubmitError) as info:
        await api.v1.create(prompt="la", tags="pop", webhook_url="https://x.org/h",
                            webhook_secret="top-secret-value")  # fmt: skip
    assert "top-secret-value" not in str(info.value)
    assert api.credits_uncertain == 10
    emulator.inject_http("POST", CREATE, 502)
    handle = await api.v1.create(prompt="la", tags="pop", resend_if_ambiguous=True)
    assert handle.id
    assert emulator.count("POST", CREATE) == 3
    assert (api.credits_spent, api.credits_uncertain) == (10, 20)


async def test_a_failed_song_raises_and_is_refunded(api: SunoapiClient, emulator: Emulator) -> None:
    emulator.fail_next_tasks("music", reason="The lyrics were flagged.")
    handle = await api.v1.create(prompt="[Verse]\nbad", tags="punk")
    with pytest.raises(TaskFailedError) as info:
        await handle.wait()
    assert info.value.task_id == handle.id
    assert info.value.fail_reason == "The lyrics were flagged."
    assert "flagged" in str(info.value)
    assert emulator.sunoapi_credits == 500  # refunded


async def test_a_stalled_song_times_out_and_can_be_waited_again(
    api: SunoapiClient, emulator: Emulator
) -> None:
    emulator.stall_next_tasks("music")
    handle = await api.v1.create(prompt="la", tags="pop")
    with pytest.raises(TaskTimeoutError) as info:
        await handle.wait(timeout=90)
    assert not info.value.server_side
    assert info.value.task_id == handle.id
    assert (await handle.status()).status == "running"


# -- task lookups and handles -------------------------------------------------------------------


async def test_get_task_of_an_unknown_id_is_not_found(api: SunoapiClient) -> None:
    with pytest.raises(NotFoundError):
        await api.v1.get_task("no-such-task")
    with pytest.raises(ConfigError):
        await api.v1.get_task(" ")


async def test_a_handle_reattaches_from_its_id(api: SunoapiClient) -> None:
    """v1.task(id) makes the same handle from the id alone (nothing is sent until used)."""
    song = await api.v1.create(prompt="la", tags="pop")
    lyrics = await api.v1.make_lyrics("rain on the window")
    again = api.v1.task(song.id)
    assert repr(again) == f"TaskHandle(kind='music', id='{song.id}')"
    assert [c.clip_id for c in await again.wait()] == [c.clip_id for c in await song.wait()]
    written = await api.v1.task(lyrics.id, "lyrics").wait()
    assert written == await lyrics.wait()
    with pytest.raises(ConfigError) as info:
        api.v1.task(song.id, "video")  # type: ignore[call-overload]
    assert info.value.argument == "kind"
    with pytest.raises(ConfigError) as info:
        api.v1.task(lyrics.id, "lyrics", receiver=WebhookReceiver("s"))
    assert info.value.argument == "receiver"


async def test_the_raw_answer_stays_reachable(api: SunoapiClient) -> None:
    handle = await api.v1.make_lyrics("the sea")
    await handle.wait()
    task = await handle.status()
    data = task.data()
    assert isinstance(data, list)
    assert data[0]["state"] == "succeeded"
    assert json.loads(task.raw) == data


# -- lyrics --------------------------------------------------------------------------------------


async def test_make_lyrics_writes_lyrics_for_two_credits(
    api: SunoapiClient, emulator: Emulator
) -> None:
    handle = await api.v1.make_lyrics("a song about rain")
    assert handle.poll_schedule() == LYRICS_SCHEDULE
    (written,) = await handle.wait()
    assert isinstance(written, Lyrics)
    assert written.title == "A Song About Rain"
    assert written.text.startswith("[Verse]\na song about rain")
    assert api.credits_spent == 2
    assert emulator.sunoapi_credits == 498


@pytest.mark.parametrize("prompt", ["", "   ", "x" * 200])
async def test_make_lyrics_refuses_bad_prompts(
    api: SunoapiClient, emulator: Emulator, prompt: str
) -> None:
    with pytest.raises(ConfigError) as info:
        await api.v1.make_lyrics(prompt)
    assert info.value.argument == "prompt"
    assert emulator.requests == []


async def test_make_lyrics_under_the_limit_passes(api: SunoapiClient) -> None:
    handle = await api.v1.make_lyrics("x" * 199)
    assert handle.kind == "lyrics"


# -- stems ---------------------------------------------------------------------------------------


async def test_stems_split_a_song_into_2_or_12_tracks(
    api: SunoapiClient, emulator: Emulator
) -> None:
    (song, _) = await (await api.v1.create(prompt="la", tags="pop", title="Song")).wait()
    assert song.clip_id is not None
    basic = await (await api.v1.stems_basic(song.clip_id)).wait()
    assert [t.title for t in basic] == ["Song (Vocals)", "Song (Instrumental)"]
    full = await (await api.v1.stems_full(song.clip_id)).wait()
    assert len(full) == 12
    assert full[2].title == "Song (Drums)"
    assert all(t.succeeded and t.audio_url for t in full)
    assert api.credits_spent == 10  # stems have no published price: not counted


async def test_stems_of_a_v2_clip_work_too(api: SunoapiClient) -> None:
    (clip, _) = await api.pure_music("lofi", "Rain")
    tracks = await (await api.v1.stems_basic(clip.id)).wait()
    assert tracks[0].title == "Rain (Vocals)"


async def test_stems_of_an_unfinished_song_are_refused(api: SunoapiClient) -> None:
    handle = await api.v1.create(prompt="la", tags="pop")
    song = (await handle.status()).clips[0]
    assert song.clip_id is not None
    with pytest.raises(BadRequestError, match="finished song"):
        await api.v1.stems_full(song.clip_id)
    with pytest.raises(BadRequestError, match="not a song of this account"):
        await api.v1.stems_basic("unknown-clip")
    with pytest.raises(ConfigError) as info:
        await api.v1.stems_basic("two words")
    assert info.value.argument == "clip_id"


# -- the description limit (vendor's list: < 120) -----------------------------------------------


async def test_descriptions_of_120_characters_are_refused(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """The vendor's error list says "less than 120": 119 passes, 120 is refused before any
    request (this failed while the library allowed 199)."""
    with pytest.raises(ConfigError) as info:
        await api.v30.random_pure_music("d" * 120)
    assert info.value.argument == "description"
    assert "120" in str(info.value)
    assert emulator.requests == []
    assert await api.v30.random_pure_music("d" * 119)


# -- hygiene -------------------------------------------------------------------------------------


def test_a_create_request_hides_its_secret() -> None:
    body = V1CreateRequest(custom_mode=True, tags="pop", webhook_secret="hush-hush-123")
    assert "hush-hush-123" not in repr(body)
    assert "webhook_secret=<hidden>" in repr(body)
    assert msgspec.json.decode(msgspec.json.encode(body))["webhook_secret"] == "hush-hush-123"


async def test_v1_follows_the_odd_readings() -> None:
    """Upper-case states, numeric ids, 201 for POSTs and 400 for unknown tasks all read."""
    from suno_async.emulator import Readings

    clock = VirtualClock()
    async with (
        Emulator(EmulatorConfig(readings=Readings.odd()), clock=clock) as emulator,
        SunoapiClient(api_key="k", base_url=emulator.base_url, clock=clock) as api,
    ):
        handle = await api.v1.create(prompt="la", tags="pop")
        assert handle.id.isdigit()
        songs = await handle.wait()
        assert all(s.state == "succeeded" for s in songs)
        assert all(isinstance(s.clip_id, str) for s in songs)
        with pytest.raises(BadRequestError):
            await api.v1.get_task("12345")


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_credits=1)])
async def test_lyrics_without_credits_are_refused(api: SunoapiClient, emulator: Emulator) -> None:
    with pytest.raises(InsufficientCreditsError):
        await api.v1.make_lyrics("rain")
    assert api.credits_spent == 0


async def test_an_unclear_stems_answer_is_ambiguous_and_counted_as_unpriced(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """Stems have no price: nothing is held against the budget, but the call is noted for the
    reconciliation (it may have been billed)."""
    (clip, _) = await api.pure_music("lofi")
    await api.credits()
    emulator.inject_http("POST", f"{V1}/suno/stems/basic", 500, after_work=True)
    with pytest.raises(AmbiguousSubmitError):
        await api.v1.stems_basic(clip.id)
    assert api.credits_uncertain == 0
    report = await api.reconcile()
    assert report.unpriced_calls == 1


async def test_an_ambiguous_create_does_not_carry_the_webhook_secret(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """The body_sent of a lost create says what was asked, with the webhook secret hidden."""
    emulator.drop_next("POST", CREATE, after_work=True)
    with pytest.raises(AmbiguousSubmitError) as info:
        await api.v1.create(
            prompt="la", tags="pop", webhook_url="https://example.org/hook",
            webhook_secret="s3cret-value",
        )  # fmt: skip
    assert info.value.body_sent is not None
    sent = json.loads(info.value.body_sent)
    assert sent["webhook_secret"] == "<hidden>"
    assert sent["webhook_url"] == "https://example.org/hook"
    assert b"s3cret-value" not in info.value.body_sent
    assert "s3cret-value" not in repr(info.value) + str(info.value)
