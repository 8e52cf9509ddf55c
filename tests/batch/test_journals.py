"""Single-job journals in a job store (a path ending .db, .sqlite or .sqlite3) work and resume
as the JSON ones do, and the JSON ones keep working."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from suno_async import (
    AmbiguousSubmitError,
    ConfigError,
    JobStore,
    MountseaClient,
    StoreBusyError,
    TaskFailedError,
)
from suno_async.testing import EmulatorControl

from .conftest import CREATE, GENERATE, UPLOAD

pytestmark = pytest.mark.anyio

SUFFIXES = [".json", ".db"]


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_generate_journal_resumes_without_sending_again(
    tmp_path: Path, suffix: str, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    journal = tmp_path / f"song{suffix}"
    first = await mountsea_client.generate_and_download(
        directory=tmp_path / "a", journal=journal, task="create", tags="pop"
    )
    assert len(first.files) == 2
    again = await mountsea_client.generate_and_download(
        directory=tmp_path / "a", journal=journal, task="create", tags="pop"
    )
    assert again.task_id == first.task_id
    assert suno_control.emulator.count("POST", GENERATE) == 1
    if suffix != ".json":
        with JobStore.open(journal, readonly=True) as store:
            (record,) = list(store.records())
            assert record.key == "journal"
            assert record.journal is not None
            assert b'"submitted"' in record.journal


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_generate_journal_of_a_lost_answer(
    tmp_path: Path, suffix: str, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    journal = tmp_path / f"song{suffix}"
    suno_control.drop_next("POST", GENERATE, after_work=True)
    call: dict[str, Any] = {
        "directory": tmp_path / "a",
        "journal": journal,
        "task": "create",
        "tags": "pop",
    }
    with pytest.raises(AmbiguousSubmitError):
        await mountsea_client.generate_and_download(**call)
    with pytest.raises(AmbiguousSubmitError, match="being sent when the run stopped"):
        await mountsea_client.generate_and_download(**call)
    assert suno_control.emulator.count("POST", GENERATE) == 1
    done = await mountsea_client.generate_and_download(**call, resend_if_ambiguous=True)
    assert len(done.files) == 2
    assert suno_control.emulator.count("POST", GENERATE) == 2


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_generate_journal_sends_a_failed_generation_again(
    tmp_path: Path, suffix: str, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    journal = tmp_path / f"song{suffix}"
    call: dict[str, Any] = {
        "directory": tmp_path / "a",
        "journal": journal,
        "task": "create",
        "tags": "pop",
    }
    suno_control.fail_next("generate")
    with pytest.raises(TaskFailedError):
        await mountsea_client.generate_and_download(**call)
    done = await mountsea_client.generate_and_download(**call)
    assert len(done.files) == 2
    assert suno_control.emulator.count("POST", GENERATE) == 2


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_a_journal_of_another_run_is_refused(
    tmp_path: Path, suffix: str, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    journal = tmp_path / f"song{suffix}"
    await mountsea_client.generate_and_download(
        directory=tmp_path / "a", journal=journal, task="create", tags="pop"
    )
    with pytest.raises(ConfigError, match="belongs to another run") as info:
        await mountsea_client.generate_and_download(
            directory=tmp_path / "a", journal=journal, task="create", tags="rock"
        )
    assert info.value.argument == "journal"
    with pytest.raises(ConfigError, match="journal") as info:
        await mountsea_client.train_custom_model(
            suno_control.sample_audio_urls(6), name="Mine", journal=journal
        )
    assert info.value.argument == "journal"
    assert suno_control.emulator.count("POST", GENERATE) == 1
    assert suno_control.emulator.count("POST", "/suno/v2/customModel/prepare") == 0


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_training_journal_resumes_without_sending_again(
    tmp_path: Path, suffix: str, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    journal = tmp_path / f"train{suffix}"
    urls = suno_control.sample_audio_urls(6)
    first = await mountsea_client.train_custom_model(urls, name="Mine", journal=journal)
    requests = len(suno_control.requests)
    again = await mountsea_client.train_custom_model(urls, name="Mine", journal=journal)
    assert again.model_id == first.model_id
    assert len(suno_control.requests) == requests
    assert suno_control.emulator.count("POST", CREATE) == 1
    assert suno_control.emulator.count("POST", UPLOAD) == 6


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_training_journal_after_a_failed_training(
    tmp_path: Path, suffix: str, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """A training the provider failed is sent again in the same session, uploads kept."""
    journal = tmp_path / f"train{suffix}"
    urls = suno_control.sample_audio_urls(6)
    suno_control.fail_next("training")
    with pytest.raises(TaskFailedError):
        await mountsea_client.train_custom_model(urls, name="Mine", journal=journal)
    done = await mountsea_client.train_custom_model(urls, name="Mine", journal=journal)
    assert done.model_id
    assert suno_control.emulator.count("POST", CREATE) == 2
    assert suno_control.emulator.count("POST", UPLOAD) == 6


async def test_a_store_journal_in_use_is_refused(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    journal = tmp_path / "song.db"
    with JobStore.open(journal), pytest.raises(StoreBusyError):
        await mountsea_client.generate_and_download(
            directory=tmp_path / "a", journal=journal, task="create", tags="pop"
        )
    assert suno_control.requests == []
    # and the journal's own lock is let go when the call ends, failed or not
    suno_control.fail_next("generate")
    with pytest.raises(TaskFailedError):
        await mountsea_client.generate_and_download(
            directory=tmp_path / "a", journal=journal, task="create", tags="pop"
        )
    JobStore.open(journal).close()


async def test_a_journal_that_is_not_a_store_is_refused(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    journal = tmp_path / "song.db"
    journal.write_text("not sqlite " * 100)
    with pytest.raises(ConfigError, match="not a job store"):
        await mountsea_client.generate_and_download(
            directory=tmp_path / "a", journal=journal, task="create", tags="pop"
        )
    assert suno_control.requests == []


@pytest.mark.parametrize("suffix", [".sqlite", ".sqlite3", ".DB"])
async def test_store_suffixes(
    tmp_path: Path, suffix: str, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """.sqlite and .sqlite3 are stores too, and the suffix's case does not matter."""
    journal = tmp_path / f"song{suffix}"
    await mountsea_client.generate_and_download(
        directory=tmp_path / "a", journal=journal, task="create", tags="pop"
    )
    assert journal.read_bytes().startswith(b"SQLite format 3")
