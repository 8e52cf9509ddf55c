"""Each fault the emulator can script, against the whole train + generate + download flow:
the run finishes and the training is paid for once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from suno_async import MountseaClient, TaskTimeoutError
from suno_async.emulator import Emulator, EmulatorConfig

pytestmark = pytest.mark.anyio

STATUS = "/suno/v2/status"
UPLOAD = "/suno/v2/customModel/upload"
CREATE = "/suno/v2/customModel/create"
GENERATE = "/suno/v2/generate"

FAULTS: dict[str, Callable[[Emulator], None]] = {
    "429 with Retry-After on status": lambda e: e.inject_http(
        "GET", STATUS, 429, times=3, headers={"Retry-After": "0"}
    ),
    "503 on status": lambda e: e.inject_http("GET", STATUS, 503, times=3),
    "502 on an upload": lambda e: e.inject_http("POST", UPLOAD, 502, times=2),
    "429 on create": lambda e: e.inject_http("POST", CREATE, 429, headers={"Retry-After": "0"}),
    "500 on create": lambda e: e.inject_http("POST", CREATE, 500),
    "create dropped before the work": lambda e: e.drop_next("POST", CREATE, after_work=False),
    "create dropped after the work": lambda e: e.drop_next("POST", CREATE, after_work=True),
    "upload dropped after the work": lambda e: e.drop_next("POST", UPLOAD, after_work=True),
    "slow status answers": lambda e: e.slow_next("GET", STATUS, 0.05, times=2),
    "truncated status answers": lambda e: e.malform_next("GET", STATUS, "truncated", times=2),
    "create answered with HTML after the work": lambda e: e.malform_next(
        "POST", CREATE, "invalid", after_work=True
    ),
    "unknown status while training": lambda e: e.unknown_status_next_tasks("training"),
    "an upload task fails once": lambda e: e.fail_next_tasks("upload", reason="Glitch.", code=9),
    "an upload task times out once": lambda e: e.timeout_next_tasks("upload"),
}


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(upload_cost=0, generate_cost=0)])
@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_the_flow_survives(
    client: MountseaClient, emulator: Emulator, tmp_path: Path, fault: str
) -> None:
    """The scripted fault is absorbed: a model, two files, one training charge."""
    FAULTS[fault](emulator)
    training = await client.train_custom_model(
        emulator.sample_audio_urls(7), name="m", journal=tmp_path / "t.json"
    )
    result = await client.generate_and_download(
        task="create",
        model=training.model_id,
        directory=tmp_path / "out",
        journal=tmp_path / "g.json",
    )
    assert len(result.files) == 2
    assert emulator.credits_spent == 100


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(upload_cost=0, generate_cost=0)])
async def test_a_training_that_times_out_is_typed_and_resumable(
    client: MountseaClient, emulator: Emulator, tmp_path: Path
) -> None:
    """A training the provider times out raises TaskTimeoutError saying create may be sent
    again; a rerun with the journal does so in the same session, without new uploads."""
    emulator.timeout_next_tasks("training")
    urls = emulator.sample_audio_urls(6)
    journal = tmp_path / "t.json"
    with pytest.raises(TaskTimeoutError) as info:
        await client.train_custom_model(urls, name="m", journal=journal)
    assert info.value.server_side
    assert any("same journal" in note for note in info.value.__notes__)
    assert emulator.count("POST", CREATE) == 1
    assert emulator.credits_spent == 0  # the provider refunded it
    result = await client.train_custom_model(urls, name="m", journal=journal)
    assert result.model_id.startswith("chirp-custom:")
    assert emulator.count("POST", CREATE) == 2
    assert emulator.count("POST", UPLOAD) == 6
    assert emulator.count("POST", "/suno/v2/customModel/prepare") == 1
    assert emulator.credits_spent == 100
