"""The provider's documented sample code runs unchanged (but for the base URL) on the emulator."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import anyio
import pytest

from suno_async import SystemClock
from suno_async.emulator import Emulator, EmulatorConfig

pytestmark = pytest.mark.anyio

SAMPLE = Path(__file__).parent / "provider_samples" / "custom_model_python.py"


async def test_documented_python_sample_trains_a_model(tmp_path: Path) -> None:
    """requests + ThreadPoolExecutor sample: six uploads, a create, a chirp-custom model."""
    source = SAMPLE.read_text()
    # A fast clock so the sample's fixed 3 s sleeps are rarely needed.
    async with Emulator(EmulatorConfig(speed=100_000), clock=SystemClock(100_000)) as emulator:
        patched = source.replace(
            "API_BASE = 'https://api.mountsea.ai'", f"API_BASE = '{emulator.base_url}'"
        )
        assert patched != source
        script = tmp_path / "sample.py"
        script.write_text(patched)
        with anyio.fail_after(60):
            result = await anyio.run_process([sys.executable, str(script)], check=False)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert re.search(r"Custom model created: \{.*'id': 'chirp-custom:[0-9a-f-]{36}'", out), out
    assert emulator.count("POST", "/suno/v2/customModel/upload") == 6
    assert emulator.count("POST", "/suno/v2/customModel/create") == 1
