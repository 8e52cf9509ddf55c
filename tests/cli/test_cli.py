"""The command line: the demo (the main job), the standalone emulator, and --help.

The client commands are tested in ``test_commands.py``, exit codes in ``test_exit.py``
and progress displays in ``test_progress.py``; the argument converters and the parser in
``test_parser.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import wave
from pathlib import Path

import aiohttp
import anyio
import pytest

from suno_async.cli import main
from tests.helpers import free_port

pytestmark = pytest.mark.anyio


async def test_demo_trains_generates_and_downloads(tmp_path: Path) -> None:
    """python -m suno_async demo writes playable audio and prints the summary."""
    out = tmp_path / "suno-output"
    started = time.monotonic()
    result = await anyio.run_process(
        [sys.executable, "-m", "suno_async", "demo", "--output", str(out), "--speed", "200"],
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert time.monotonic() - started < 30
    text = result.stdout.decode()
    for key in (
        "model_id",
        "generated_clip_ids",
        "pure_music_clip_ids",
        "files",
        "credits_spent",
        "requests_made",
    ):
        assert key in text
    assert "chirp-custom:" in text
    # One count of credits: the summary says what the progress said (uploads: price unknown).
    assert text.startswith("summary\n")  # the result alone on stdout; progress on stderr
    progress = result.stderr.decode()
    assert "credits: 40 for generate (140 this run)" in progress
    assert "6 uploads sent (fee unknown: mountsea publishes no upload price)" in progress
    assert "credits_spent          140" in text  # 100 create + 40 generate
    assert "upload_fees            unknown (6 uploads; mountsea publishes no upload price)" in text
    assert "sunoapi_credits_spent  10" in text
    assert "credits: 10 for custom/create-pure-music (10 this run)" in progress
    assert "training: queued" in progress
    assert not re.search(r"\bready\b", progress)  # a word of its own, not "already"
    files = sorted(out.glob("*.wav"))
    assert len(files) == 4
    for path in files:
        with wave.open(str(path)) as audio:
            assert audio.getnframes() > 0


async def test_standalone_emulator_serves_the_api() -> None:
    """python -m suno_async emulator --port P --speed F answers on that port until stopped."""
    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child we read line by line
        [sys.executable, "-m", "suno_async", "emulator", "--port", str(port), "--speed", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = await anyio.to_thread.run_sync(proc.stdout.readline)
        assert f"http://127.0.0.1:{port}" in line
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"http://127.0.0.1:{port}/suno/v2/customModel/prepare",
                headers={"Authorization": "Bearer anything"},
            ) as resp,
        ):
            assert resp.status == 201
            assert "sessionId" in await resp.json()
    finally:
        proc.terminate()
        await anyio.to_thread.run_sync(proc.wait, 10)
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()


def test_help_teaches_both_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """--help names the demo and the emulator; a missing command is a usage error."""
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "demo" in text
    assert "emulator" in text
    with pytest.raises(SystemExit) as bad:
        main([])
    assert bad.value.code == 2


@pytest.mark.parametrize(
    "command", ["train", "generate", "pure-music", "status", "wait", "download"]
)
def test_each_client_command_teaches_with_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every client command's --help has a description, examples and the shared options."""
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "examples:\n  suno-async " in text
    assert "--json" in text
    if command != "download":  # needs no key
        assert "MOUNTSEA_API_KEY" in text
        assert "--emulator" in text


def test_top_level_help_names_commands_env_and_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for word in ("train", "generate", "pure-music", "status", "wait", "download"):
        assert f"    {word} " in text
    for env in ("MOUNTSEA_API_KEY", "MOUNTSEA_BASE_URL", "SUNOAPI_API_KEY", "SUNOAPI_BASE_URL"):
        assert env in text
    assert "exit codes:" in text
    assert "130  interrupted" in text


async def test_the_process_exit_code_and_json_error() -> None:
    """python -m suno_async exits with the mapped code; --json errors are one JSON line."""
    result = await anyio.run_process(
        [
            sys.executable,
            "-m",
            "suno_async",
            "--json",
            "--emulator",
            "--max-credits",
            "10",
            "generate",
            "--tags",
            "pop",
        ],
        check=False,
    )
    assert result.returncode == 4
    assert result.stdout == b""
    error = json.loads(result.stderr)
    assert error["type"] == "CreditBudgetError"
    assert error["exit_code"] == 4
