"""The whole flow of both providers under every reading of the docs, and a few chaos seeds.

The emulator is one reading of the providers' docs; a real server may read them differently
(:class:`~suno_async.emulator.Readings`). Each flow runs against the documented reading, each
variant on its own, and every variant at once ("odd"):

* mountsea: train a custom model (seven URLs, one with no audio: it fails with 4001 and a
  spare replaces it), generate with the model, download the clips;
* mountsea again, with the first ``customModel/create`` lost before the server saw it: the
  workflow must look the session up (its status before create is what the readings
  ``session_before_create`` and ``unknown_task_status`` vary) and send create once more;
* sunoapi v3.5: ``pure_music``, then download the clips;
* sunoapi v3.0: ``create_pure_music``, ``wait_for_task``, then download the clips.

Each must complete, and the client's ``credits_spent`` must equal what the emulator's ledger
charged, with one charge per intended submit. Client and emulator share a ``VirtualClock``.

The chaos tests run a few seeds of ``benchmarks/chaos_sweep.py`` (the same flows under 10 %
429, 10 % 5xx before or after the work and 5 % drops) and check what must hold whatever the
faults: nothing billed twice, nothing billed that the client does not count as spent or
uncertain, and a flow stops only on an answer that could not prove whether the work was done.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest

from suno_async import (
    AmbiguousSubmitError,
    GenerateRequest,
    GenerateTask,
    MountseaClient,
    SunoapiClient,
)
from suno_async.emulator import Emulator, EmulatorConfig, Readings, VirtualClock
from suno_async.emulator._readings import ODD_READINGS, SINGLE_READINGS

from .conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

CREATE = "/suno/v2/customModel/create"
#: The documented reading, each variant alone, then every variant at once.
READINGS = [Readings(), *SINGLE_READINGS, ODD_READINGS]
IDS = [r.describe() if r is not ODD_READINGS else "odd" for r in READINGS]
#: Wall-clock seconds one flow may take (it takes a fraction of one).
FLOW_LIMIT = 20.0

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@asynccontextmanager
async def emulated(readings: Readings) -> AsyncIterator[Emulator]:
    """An emulator with ``readings`` whose uploads are free, so its ledger holds only the
    calls whose prices the client knows (create 100, generate 40, sunoapi 10)."""
    config = EmulatorConfig(readings=readings, upload_cost=0)
    async with Emulator(config, clock=VirtualClock()) as emulator:
        yield emulator


@asynccontextmanager
async def mountsea(emulator: Emulator) -> AsyncIterator[MountseaClient]:
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as client:
        yield client


@asynccontextmanager
async def sunoapi(emulator: Emulator) -> AsyncIterator[SunoapiClient]:
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as client:
        yield client


def kept(emulator: Emulator) -> Counter[str]:
    """How many charges of each kind the ledger kept (or still holds), refunds left out."""
    return Counter(c.kind for c in emulator.charges if c.state != "refunded")


async def files_are_audio(paths: list[Any]) -> None:
    assert len(paths) == 2
    for path in paths:
        head = (await anyio.Path(path).read_bytes())[:4]
        assert head == b"RIFF", path


async def train_generate_download(
    client: MountseaClient, emulator: Emulator, directory: Path
) -> Any:
    """Train on seven URLs (the fourth has no audio), generate with the model, download."""
    good = emulator.sample_audio_urls(6)
    missing = emulator.missing_audio_url("gone")
    urls = [*good[:3], missing, *good[3:]]
    with anyio.fail_after(FLOW_LIMIT):
        training = await client.train_custom_model(urls, name="Readings")
        assert training.model_id.startswith("chirp-custom:")
        assert len(training.clip_ids) == 6
        (failed,) = training.failed
        assert failed.url == missing
        assert str(failed.fail_code) == "4001"
        assert failed.attempts == 1  # 4001 means the audio is not there: not worth a retry
        result = await client.generate_and_download(
            GenerateRequest(task=GenerateTask.CREATE, model=training.model_id, tags="Pop"),
            directory=directory,
        )
    await files_are_audio(result.files)
    return training


@pytest.mark.parametrize("readings", READINGS, ids=IDS)
async def test_mountsea_train_generate_download(readings: Readings, tmp_path: Path) -> None:
    """Train (one URL fails with 4001, a spare replaces it), generate, download: completes,
    one training and one generation charged, and the client counts what the ledger charged."""
    async with emulated(readings) as emulator, mountsea(emulator) as client:
        await train_generate_download(client, emulator, tmp_path)
        assert emulator.count("POST", CREATE) == 1
        assert kept(emulator)["training"] == 1
        assert kept(emulator)["generate"] == 1
        assert emulator.credits_spent == 140
        assert client.credits_spent == emulator.credits_spent


@pytest.mark.parametrize("readings", READINGS, ids=IDS)
async def test_mountsea_lost_create_is_looked_up_then_sent_again(
    readings: Readings, tmp_path: Path
) -> None:
    """The first create is lost before the server saw it: the workflow looks up the session,
    finds no training, sends create again, and the flow completes with one training charged.

    Where the session shows ``ready`` before create, the same ``ready`` after it cannot tell
    "not arrived" from "a queued training" (the docs define ``ready`` as queued): the workflow
    stops at once with AmbiguousSubmitError naming the session and the 100 credits counted as
    uncertain; with ``resend_if_ambiguous`` it sends create again and completes."""
    async with emulated(readings) as emulator, mountsea(emulator) as client:
        emulator.drop_next("POST", CREATE, after_work=False)
        if readings.session_before_create == "ready":
            urls, journal = emulator.sample_audio_urls(6), tmp_path / "train.json"
            with anyio.fail_after(FLOW_LIMIT):
                with pytest.raises(AmbiguousSubmitError) as info:
                    await client.train_custom_model(urls, name="Readings", journal=journal)
                assert info.value.session_id is not None
                assert (client.credits_spent, client.credits_uncertain) == (0, 100)
                assert emulator.credits_spent == 0
                training = await client.train_custom_model(
                    urls, name="Readings", journal=journal, resend_if_ambiguous=True
                )
            assert training.session_id == info.value.session_id  # resumed, not started over
            assert emulator.count("POST", CREATE) == 2
            assert kept(emulator)["training"] == 1
            assert emulator.credits_spent == 100
            assert client.credits_spent == 100
            return
        training = await train_generate_download(client, emulator, tmp_path)
        assert emulator.count("POST", CREATE) == 2
        assert kept(emulator)["training"] == 1
        assert training.task_id == training.session_id
        assert emulator.credits_spent == 140
        assert client.credits_spent == emulator.credits_spent
        assert client.credits_uncertain == 0  # the lookup settled the lost one


@pytest.mark.parametrize("readings", READINGS, ids=IDS)
async def test_sunoapi_pure_music_download(readings: Readings, tmp_path: Path) -> None:
    """v3.5 pure_music, then download both clips: completes, one call charged and counted."""
    async with emulated(readings) as emulator, sunoapi(emulator) as client:
        with anyio.fail_after(FLOW_LIMIT):
            clips = await client.pure_music("epic reggae", "Readings")
            assert len(clips) == 2
            paths = await client.download_clips(clips, tmp_path)
        await files_are_audio(paths)
        assert kept(emulator)["music"] == 1
        assert emulator.sunoapi_credits_spent == 10
        assert client.credits_spent == emulator.sunoapi_credits_spent


@pytest.mark.parametrize("readings", READINGS, ids=IDS)
async def test_sunoapi_v30_wait_download(readings: Readings, tmp_path: Path) -> None:
    """v3.0 create_pure_music, wait_for_task, then download: completes, one call charged."""
    async with emulated(readings) as emulator, sunoapi(emulator) as client:
        with anyio.fail_after(FLOW_LIMIT):
            task_id = await client.v30.create_pure_music("jazz")
            clips = await client.v30.wait_for_task(task_id)
            assert len(clips) == 2
            paths = await client.download_clips(clips, tmp_path)
        await files_are_audio(paths)
        assert kept(emulator)["music"] == 1
        assert emulator.sunoapi_credits_spent == 10
        assert client.credits_spent == emulator.sunoapi_credits_spent


# -- a few seeds of the chaos sweep -----------------------------------------------------------


def _load_sweep() -> ModuleType:
    """Import ``benchmarks/chaos_sweep.py`` (registered in sys.modules, as dataclasses need)."""
    name = "_suno_chaos_sweep"
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / "chaos_sweep.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sweep = _load_sweep()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_chaos_sweep_seed(seed: int) -> None:
    """Both flows under one seed of the sweep's chaos (5xx before and after the work): nothing
    is billed twice, the ledger lies within what the client counts as spent or uncertain, and
    a flow stops only on an AmbiguousSubmitError whose answer could not prove either way."""
    results = await sweep.run_seed(seed)
    assert [r.provider for r in results] == ["mountsea", "sunoapi"]
    for result in results:
        where = f"{result.provider} seed {seed}: {result.outcome}"
        assert result.double == 0, where
        uncertain = result.uncertain or 0
        assert result.spent <= result.charged <= result.spent + uncertain, (
            f"{where}: spent {result.spent}, charged {result.charged}, uncertain {result.uncertain}"
        )
        if not result.completed:
            assert result.ambiguous.startswith("unprovable"), f"{where}: {result.error!r}"
    assert sum(sum(r.chaos.values()) for r in results) > 0  # chaos really struck
