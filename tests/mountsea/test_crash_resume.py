"""Killed with SIGKILL at any point, a journaled run started again finishes without paying
twice, re-sending a finished upload, or downloading a finished file again."""

from __future__ import annotations

import json
import signal
import sys
import wave
from pathlib import Path

import anyio
import pytest
from anyio.abc import Process
from anyio.streams.text import TextReceiveStream

from suno_async import SystemClock
from suno_async.emulator import Emulator, EmulatorConfig

pytestmark = pytest.mark.anyio

CHILD = Path(__file__).parent / "crash_child.py"
SPEED = 150.0


async def run_child(base_url: str, workdir: Path, *, kill_at: tuple[str, int] | None) -> str:
    """Run the child; with kill_at=(event type, n), SIGKILL it at the n-th such event."""
    process: Process = await anyio.open_process(
        [sys.executable, str(CHILD), base_url, str(workdir), str(SPEED)]
    )
    output: list[str] = []
    async with process:
        assert process.stdout is not None
        seen = 0
        with anyio.fail_after(60):
            buffer = ""
            async for text in TextReceiveStream(process.stdout):
                buffer += text
                *lines, buffer = buffer.split("\n")
                output += lines
                if kill_at is None:
                    continue
                seen += sum(1 for line in lines if f'"type":"{kill_at[0]}"' in line)
                if seen >= kill_at[1]:
                    process.send_signal(signal.SIGKILL)
                    break
            code = await process.wait()
    if kill_at is not None:
        assert code == -signal.SIGKILL
    else:
        assert process.stderr is not None
        assert code == 0, "\n".join(output)
    return "\n".join(output)


@pytest.mark.parametrize(
    "kill_at",
    [
        ("UploadSubmitted", 2),
        ("UploadFinished", 3),
        ("TrainingSubmitted", 1),
        ("GenerationSubmitted", 1),
        ("DownloadFinished", 1),
    ],
)
async def test_killed_run_resumes(tmp_path: Path, kill_at: tuple[str, int]) -> None:
    """SIGKILL at a step, then rerun with the same journals: it completes and is billed once."""
    async with Emulator(EmulatorConfig(speed=SPEED), clock=SystemClock(SPEED)) as emulator:
        await run_child(emulator.base_url, tmp_path, kill_at=kill_at)
        journal = json.loads((tmp_path / "train.json").read_text())
        unsent = 6 - sum(1 for u in journal["uploads"].values() if u["task_ids"])
        downloaded = (
            {p.name for p in (tmp_path / "out").glob("*.wav")}
            if (tmp_path / "out").exists()
            else set()
        )
        cdn_before = [r.path for r in emulator.requests if r.path.startswith("/cdn/audio/")]

        output = await run_child(emulator.base_url, tmp_path, kill_at=None)

        done = output.splitlines()[-1].split()
        assert done[0] == "DONE"
        assert done[1].startswith("chirp-custom:")
        assert emulator.count("POST", "/suno/v2/customModel/prepare") == 1
        assert emulator.count("POST", "/suno/v2/customModel/create") == 1
        assert emulator.count("POST", "/suno/v2/generate") == 1
        # Uploads the killed run had sent (task id recorded) were waited for, not re-sent.
        assert emulator.count("POST", "/suno/v2/customModel/upload") <= 6 + unsent
        assert (
            emulator.credits_spent
            == 100
            + 40
            + emulator.count("POST", "/suno/v2/customModel/upload") * emulator.config.upload_cost
        )
        cdn_after = [r.path for r in emulator.requests if r.path.startswith("/cdn/audio/")]
        for name in downloaded:  # a finished download is kept, not fetched again
            assert cdn_after.count(f"/cdn/audio/{name}") == cdn_before.count(f"/cdn/audio/{name}")
    files = [Path(f) for f in done[2:]]
    assert len(files) == 2
    for path in files:
        with wave.open(str(path)) as audio:
            assert audio.getnframes() > 0
    assert "crash-test-key" not in (tmp_path / "train.json").read_text()
    assert "crash-test-key" not in (tmp_path / "gen.json").read_text()
