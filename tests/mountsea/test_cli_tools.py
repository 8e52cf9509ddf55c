"""The command line's mountsea commands (lyrics, concat, persona, credits, upload, export) on
the embedded emulator, with --json."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ..cli_helpers import clean_environment, run

FAST = ["--emulator", "--speed", "1000"]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "--json", *FAST, *argv)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_lyrics_and_credits(capsys: pytest.CaptureFixture[str]) -> None:
    """mountsea-lyrics prints the lyrics; mountsea-credits the balance from the usage host."""
    lyrics = run_json(capsys, "mountsea-lyrics", "the sea")
    assert "the sea" in lyrics["text"]
    assert lyrics["task_id"]
    credits = run_json(capsys, "mountsea-credits")
    assert credits["credits"] > 0


def test_upload_concat_and_export(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    """upload gives a clip id, concat downloads the song, export prints timing and MIDI."""
    assert run_json(capsys, "upload", "https://example.com/a.mp3")["clip_id"]
    concat = run_json(capsys, "concat", "clip-1", "--output", str(tmp_path))
    assert len(concat["files"]) == 1
    timing = run_json(capsys, "export", "timing", "clip-1")
    assert timing["data"]["lines"]
    code, _, err = run(capsys, *FAST, "export", "midi", "not-a-stem")
    assert code != 0
    assert "gen_stem_all" in err


def test_persona_flows(capsys: pytest.CaptureFixture[str]) -> None:
    """persona stops at awaiting with the phrase, or runs through with --verification-url."""
    waiting = run_json(capsys, "persona", "https://example.com/v.mp3", "--language", "en")
    assert waiting["status"] == "awaiting"
    assert waiting["phrase_text"]
    done = run_json(
        capsys,
        "persona",
        "https://example.com/v.mp3",
        "--language",
        "en",
        "--name",
        "Me",
        "--verification-url",
        "https://example.com/x.mp3",
    )
    assert done["status"] == "success"
    assert done["persona_id"]
    code, _, _ = run(capsys, *FAST, "persona", "--complete", "t-1")
    assert code == 2
