"""Bad input fails with a ConfigError naming the argument, before any request is sent."""

from __future__ import annotations

from typing import Any

import pytest

from suno_async import ConfigError, MountseaClient, RetryPolicy, TimeRange
from suno_async.emulator import Emulator

pytestmark = pytest.mark.anyio

SIX = [f"https://audio.example.org/song{i}.mp3" for i in range(1, 7)]


@pytest.mark.parametrize(
    ("urls", "name", "argument"),
    [
        (SIX[:5], "m", "audio_urls"),
        ([*SIX[:5], SIX[0]], "m", "audio_urls"),
        ([*SIX[:5], "ftp://host/x.mp3"], "m", "audio_urls"),
        ([*SIX[:5], "not a url"], "m", "audio_urls"),
        ("https://one.example.org/x.mp3", "m", "audio_urls"),
        (SIX, "   ", "name"),
        (SIX, "", "name"),
    ],
)
async def test_train_rejects_bad_input_before_any_request(
    client: MountseaClient, emulator: Emulator, urls: Any, name: str, argument: str
) -> None:
    """Fewer than six, repeated, non-http URLs or an empty name never reach the server."""
    with pytest.raises(ConfigError) as info:
        await client.train_custom_model(urls, name=name)
    assert info.value.argument == argument
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("fields", "argument"),
    [
        ({"task": "create", "model": None}, "model"),  # omitted: chirp-v55
        ({"task": "dance", "model": "chirp-v50"}, "task"),
        ({"task": "create", "model": "chrip-v50"}, "model"),
        ({"task": "create", "model": "gpt-4"}, "model"),
        ({"task": "create", "model": "chirp-custom:not-a-uuid"}, "model"),
        ({"task": "extend", "model": "chirp-v50"}, "clip_id"),
        ({"task": "upload_cover", "model": "chirp-v50"}, "audio_url"),
        ({"task": "replace_section", "model": "chirp-v50", "clip_id": "c"}, "range"),
        ({"task": "add_vocals", "model": "chirp-v50", "clip_id": "c"}, "range"),
        ({"task": "mashup", "model": "chirp-v50"}, "mashup_clip_ids"),
        ({"task": "mashup", "model": "chirp-v50", "mashup_clip_ids": ["a"]}, "mashup_clip_ids"),
        ({"task": "inspiration", "model": "chirp-v50"}, "playlist_id"),
        ({"task": "sound", "model": "chirp-v50"}, "sound"),
        (
            {
                "task": "sample",
                "model": "chirp-v50",
                "clip_id": "c",
                "range": {"start_s": 5, "end_s": 1},
            },
            "range",
        ),
        ({"task": "create", "model": "chirp-v50", "vocal_gender": "x"}, "vocal_gender"),
        ({"task": "create", "model": "chirp-v50", "controls": {"style_weight": 2}}, "controls"),
        ({"task": "create", "model": "chirp-v50", "surprise": 1}, "surprise"),
        ({"task": "create", "model": "chirp-v50", "range": [1, 2]}, "range"),
    ],
)
async def test_generate_rejects_bad_input_before_any_request(
    client: MountseaClient, emulator: Emulator, fields: dict[str, Any], argument: str | None
) -> None:
    """Unknown tasks or models and missing per-task fields are caught client-side."""
    with pytest.raises(ConfigError) as info:
        await client.generate(**fields)
    if argument is not None:
        assert info.value.argument == argument
    assert emulator.requests == []


async def test_generate_accepts_a_well_formed_ranged_task(
    client: MountseaClient, emulator: Emulator
) -> None:
    """A complete replace_section request passes validation and reaches the server."""
    task_id = await client.generate(
        task="replace_section",
        model="chirp-v50",
        clip_id="c",
        range=TimeRange(start_s=1, end_s=2),
        infill_context_range={"start_s": 0, "end_s": 3},
        continued_aligned_prompt="[Verse] ...",
    )
    assert task_id
    assert emulator.count("POST", "/suno/v2/generate") == 1


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.create_custom_model("s", ["a"] * 6, "n"), "clip_ids"),
        (lambda c: c.create_custom_model("s", list("abcde"), "n"), "clip_ids"),
        (lambda c: c.create_custom_model("s", list("abcdef"), " "), "name"),
        (lambda c: c.upload_custom_model_audio("s", "file:///etc/passwd"), "audio_url"),
        (lambda c: c.upload_custom_model_audio("", "https://a.org/x.mp3"), "session_id"),
        (lambda c: c.get_status(" "), "task_id"),
        (lambda c: c.wait_for_task("t", timeout=0), "timeout"),
    ],
)
async def test_low_level_calls_check_arguments(
    client: MountseaClient, emulator: Emulator, call: Any, argument: str
) -> None:
    """Each low-level call names the bad argument and sends nothing."""
    with pytest.raises(ConfigError) as info:
        await call(client)
    assert info.value.argument == argument
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"api_key": ""}, "api_key"),
        ({"api_key": "has space"}, "api_key"),
        ({"api_key": "k", "base_url": "ftp://x"}, "base_url"),
        ({"api_key": "k", "base_url": "http://api.example.org"}, "base_url"),
        ({"api_key": "k", "base_url": "http://127.attacker.example"}, "base_url"),
        ({"api_key": "k", "base_url": "https://user:pw@api.example.org"}, "base_url"),
        ({"api_key": "k", "timeout": 0}, "timeout"),
        ({"api_key": "k", "timeout": float("nan")}, "timeout"),
        ({"api_key": "k", "max_concurrent_polls": 0}, "max_concurrent_polls"),
        ({"api_key": "k", "max_retries": -1}, "max_retries"),
    ],
)
def test_client_config_is_checked(kwargs: dict[str, Any], argument: str) -> None:
    """A bad key, base URL or number fails at construction, naming the argument."""
    with pytest.raises(ConfigError) as info:
        MountseaClient(**kwargs)
    assert info.value.argument == argument


async def test_a_newer_model_is_sent_with_a_warning_and_a_typo_is_refused(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """chirp-v60 (named like the provider's models, unknown to this release) is sent with a
    warning, and the provider judges it; a typo (chrip-v50) fails before sending, with a
    suggestion; allow_unknown_models=False refuses both unless extra_models names them."""
    import logging

    from suno_async import BadRequestError

    async with MountseaClient(api_key="k", base_url=emulator.base_url) as client:
        with caplog.at_level(logging.WARNING, logger="suno_async"), pytest.raises(BadRequestError):
            await client.generate(task="create", model="chirp-v60")  # the emulator: unknown
        assert "chirp-v60" in caplog.text
        assert emulator.count("POST", "/suno/v2/generate") == 1
        with pytest.raises(ConfigError, match="Did you mean 'chirp-v50'") as info:
            await client.generate(task="create", model="chrip-v50")
        assert info.value.argument == "model"
    assert emulator.count("POST", "/suno/v2/generate") == 1
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, allow_unknown_models=False
    ) as client:
        with pytest.raises(ConfigError, match="extra_models"):
            await client.generate(task="create", model="chirp-v60")
    async with MountseaClient(
        api_key="k",
        base_url=emulator.base_url,
        allow_unknown_models=False,
        extra_models=["chirp-v60"],
    ) as client:
        with pytest.raises(BadRequestError):
            await client.generate(task="create", model="chirp-v60")
    assert emulator.count("POST", "/suno/v2/generate") == 2


async def test_timeouts_are_checked_before_paying(
    client: MountseaClient, emulator: Emulator
) -> None:
    """A bad timeout fails before the generation is sent (and paid for)."""
    with pytest.raises(ConfigError):
        await client.generate_and_wait(task="create", model="chirp-v50", timeout=0)
    with pytest.raises(ConfigError):
        await client.generate_and_download(
            task="create", model="chirp-v50", directory="x", timeout=-1
        )
    assert emulator.requests == []


@pytest.mark.parametrize(
    "fields",
    [
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"jitter": 1.5},
        {"factor": 0.5},
        {"initial_delay": -1},
        {"retry_after_cap": -1},
    ],
)
def test_retry_policy_is_checked(fields: dict[str, Any]) -> None:
    """A retry policy that would retry forever or wait a negative time is refused."""
    with pytest.raises(ConfigError) as info:
        RetryPolicy(**fields)
    assert info.value.argument == "retry"


def test_loopback_http_is_fine() -> None:
    """Plain http to loopback (the embedded emulator) needs no consent."""
    for url in ("http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"):
        assert MountseaClient(api_key="k", base_url=url).base_url == url


def test_plain_http_needs_explicit_consent() -> None:
    """A non-loopback http base URL is accepted only with allow_insecure_http."""
    client = MountseaClient(
        api_key="k", base_url="http://api.example.org/", allow_insecure_http=True
    )
    assert client.base_url == "http://api.example.org"


def test_missing_key_names_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a key argument or MOUNTSEA_API_KEY the error says how to provide one."""
    monkeypatch.delenv("MOUNTSEA_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="MOUNTSEA_API_KEY"):
        MountseaClient()


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """MOUNTSEA_API_KEY and MOUNTSEA_BASE_URL are used when no arguments are given."""
    monkeypatch.setenv("MOUNTSEA_API_KEY", "env-key-123")
    monkeypatch.setenv("MOUNTSEA_BASE_URL", "https://suno.example.org/")
    client = MountseaClient()
    assert client.base_url == "https://suno.example.org"
    assert "env-key-123" not in repr(client)
