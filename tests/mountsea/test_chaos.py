"""The whole flow under chaos: 10% 429s, 10% 5xx and 5% dropped connections on every API
request. It must finish, with exactly one 100-credit charge for the training."""

from __future__ import annotations

from pathlib import Path

import pytest

from suno_async import GenerateRequest, GenerateTask, MountseaClient, RetryPolicy
from suno_async.emulator import Chaos, Emulator, EmulatorConfig, VirtualClock

pytestmark = pytest.mark.anyio

#: Upload and generate cost nothing here, so credits_spent counts create charges only.
CHAOS_CONFIG = {"upload_cost": 0, "generate_cost": 0, "max_custom_models": 1}
RETRY = RetryPolicy(max_retries=6, initial_delay=0.001, max_delay=0.004)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_train_and_generate_under_chaos(tmp_path: Path, seed: int) -> None:
    """train + generate + download completes under chaos and pays for one training."""
    chaos = Chaos(rate_limit=0.10, server_error=0.10, drop=0.05, seed=seed)
    config = EmulatorConfig(chaos=chaos, **CHAOS_CONFIG)  # type: ignore[arg-type]
    async with (
        Emulator(config, clock=VirtualClock()) as emulator,
        MountseaClient(
            api_key="k", base_url=emulator.base_url, clock=emulator.clock, retry=RETRY
        ) as client,
    ):
        training = await client.train_custom_model(
            emulator.sample_audio_urls(6), name="chaos", journal=tmp_path / "train.json"
        )
        result = await client.generate_and_download(
            GenerateRequest(task=GenerateTask.CREATE, model=training.model_id, tags="Pop"),
            directory=tmp_path / "out",
            journal=tmp_path / "gen.json",
            resend_if_ambiguous=True,
        )
        stats = emulator.chaos_stats
        assert emulator.credits_spent == 100  # exactly one training charge
        assert len(result.files) == 2
        assert all(Path(f).stat().st_size > 0 for f in result.files)
    # The run really went through chaos: every kind of fault struck at least once overall.
    assert sum(stats.values()) > 0
