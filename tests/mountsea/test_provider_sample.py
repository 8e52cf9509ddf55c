"""The provider's documented sample code runs unchanged (but for the base URL) on the emulator."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import anyio
import pytest

from suno_async import SystemClock
from suno_async.emulator import Emulator, EmulatorConfig

pytestmark = pytest.mark.anyio

SAMPLES = Path(__file__).parent / "provider_samples"
NODE = shutil.which("node")


async def run_sample(name: str, interpreter: str, tmp_path: Path) -> tuple[Emulator, str]:
    """Run the sample with only its API_BASE pointed at a fresh emulator; return its output."""
    source = (SAMPLES / name).read_text()
    # A fast clock so the samples' fixed 3 s sleeps are rarely needed.
    async with Emulator(EmulatorConfig(speed=100_000), clock=SystemClock(100_000)) as emulator:
        patched = re.sub(
            r"API_BASE = '[^']+'", f"API_BASE = '{emulator.base_url}'", source, count=1
        )
        assert patched != source
        script = tmp_path / name
        script.write_text(patched)
        with anyio.fail_after(60):
            result = await anyio.run_process([interpreter, str(script)], check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert emulator.count("POST", "/suno/v2/customModel/upload") == 6
    assert emulator.count("POST", "/suno/v2/customModel/create") == 1
    return emulator, result.stdout.decode()


async def test_documented_python_sample_trains_a_model(tmp_path: Path) -> None:
    """requests + ThreadPoolExecutor sample: six uploads, a create, a chirp-custom model."""
    _, out = await run_sample("custom_model_python.py", sys.executable, tmp_path)
    assert re.search(r"Custom model created: \{.*'id': 'chirp-custom:[0-9a-f-]{36}'", out), out


@pytest.mark.skipif(NODE is None, reason="node is not installed")
async def test_documented_node_sample_trains_a_model(tmp_path: Path) -> None:
    """fetch + Promise.all sample: six uploads, a create, a chirp-custom model."""
    assert NODE is not None
    _, out = await run_sample("custom_model_node.mjs", NODE, tmp_path)
    assert "Session ID:" in out
    assert re.search(r"Custom model created: \{.*id: 'chirp-custom:[0-9a-f-]{36}'", out, re.S), out
