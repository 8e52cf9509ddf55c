"""A small batch of every kind, end to end, under each reading of the docs the other tests use
(the documented one, each variant alone, every variant at once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from suno_async import MountseaClient, SunoapiClient, run_batch
from suno_async.emulator import Emulator, EmulatorConfig, Readings, VirtualClock
from suno_async.emulator._readings import ODD_READINGS, SINGLE_READINGS
from suno_async.testing import FAST_RETRY

from .conftest import paid_requests, priced_charged, uploads_charged, write_csv

pytestmark = pytest.mark.anyio

READINGS = [Readings(), *SINGLE_READINGS, ODD_READINGS]
IDS = [r.describe() if r is not ODD_READINGS else "odd" for r in READINGS]


@pytest.mark.parametrize("readings", READINGS, ids=IDS)
async def test_a_batch_of_every_kind_under_each_reading(readings: Readings, tmp_path: Path) -> None:
    async with Emulator(EmulatorConfig(readings=readings), clock=VirtualClock()) as emulator:
        options: dict[str, Any] = {
            "api_key": "k",
            "base_url": emulator.base_url,
            "clock": emulator.clock,
            "retry": FAST_RETRY,
        }
        urls = " ".join(emulator.sample_audio_urls(6))
        rows = write_csv(
            tmp_path / "rows.csv",
            "kind,key,tags,title,name,audio_urls",
            "generate,gen,pop,Sun,,",
            "pure_music,pure,jazz,Night,,",
            f"train_generate,train,rock,,Mine,{urls}",
        )
        store = tmp_path / "batch.db"
        async with MountseaClient(**options) as mountsea, SunoapiClient(**options) as sunoapi:
            with anyio.fail_after(20):
                summary = await run_batch(
                    rows,
                    store=store,
                    mountsea=mountsea,
                    sunoapi=sunoapi,
                    directory=tmp_path / "audio",
                )
                assert summary.complete, summary
                paid = paid_requests(emulator)
                again = await run_batch(rows, store=store, mountsea=mountsea, sunoapi=sunoapi)
        assert again.skipped == 3
        assert paid_requests(emulator) == paid == 4
        assert summary.totals.spent == priced_charged(emulator) == 40 + 10 + 100 + 40
        assert summary.totals.unpriced == uploads_charged(emulator) == 6
        assert summary.totals.uncertain == 0
        for key in ("gen", "pure", "train"):
            assert len(list((tmp_path / "audio" / key).iterdir())) == 2
