"""The client commands end to end, in-process: train, generate, pure-music, status, wait and
download against the embedded emulator; --json output, exit codes, journals, key hygiene.

``main`` runs its own event loop (``anyio.run``), so these are plain sync tests. Commands
with ``--emulator`` start one inside that loop; status, wait and download need an emulator
that outlives one command, so :func:`served` runs one on a loop in a background thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio.from_thread
import pytest

from suno_async import Event, TrainingSubmitted
from suno_async.cli._progress import PlainDisplay
from suno_async.emulator import Emulator, EmulatorConfig

from ..cli_helpers import clean_environment, run, run_json

#: The emulator runs this many times faster than real time: a 150 s training takes 75 ms.
SPEED = "2000"
FAST = ["--emulator", "--speed", SPEED]
#: Audio URLs the emulator takes as audio without fetching (the docs' placeholder host).
URLS = [f"https://example.com/track{n}.mp3" for n in range(1, 7)]
SECRET = "sk-live-DISTINCTIVE-7f3a9c"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator serving (at ``SPEED``) on a loop in another thread, for several commands;
    ``MOUNTSEA_API_KEY`` is set."""
    monkeypatch.setenv("MOUNTSEA_API_KEY", "test-key")
    with anyio.from_thread.start_blocking_portal() as portal:
        emulator = portal.call(Emulator, EmulatorConfig(speed=float(SPEED)))
        with portal.wrap_async_context_manager(emulator):
            yield emulator


def on(emulator: Emulator) -> list[str]:
    """The options that point a command at ``emulator``, with waits at its speed."""
    return ["--base-url", emulator.base_url, "--speed", SPEED]


# -- train -------------------------------------------------------------------------------------


def test_train_prints_the_model_and_progress_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """On the emulator's sample tracks; not a terminal, so progress is one line per step."""
    code, out, err = run(capsys, *FAST, "train", "--name", "CLI Model")
    assert code == 0, err
    assert out.startswith("model_id    chirp-custom:")
    assert "6 trained on, 0 failed" in out
    for step in ("session", "upload finished", "training submitted", "model trained"):
        assert step in err
    assert all(line.startswith("[") for line in err.splitlines())


def test_train_json_and_a_finished_journal_sends_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    journal = tmp_path / "train.json"
    first = run_json(capsys, "train", *FAST, "--name", "Band", "--journal", str(journal), *URLS)
    assert first["command"] == "train"
    assert first["model_id"].startswith("chirp-custom:")
    assert len(first["clip_ids"]) == 6
    assert [o["url"] for o in first["outcomes"]] == URLS
    assert first["credits_spent"] == 100
    again = run_json(capsys, "train", *FAST, "--name", "Band", "--journal", str(journal), *URLS)
    assert again["model_id"] == first["model_id"]
    assert again["requests_made"] == 0  # no prepare, no upload, no create


def test_train_resumes_from_its_journal_without_uploading_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, served: Emulator
) -> None:
    """--max-credits below the training's cost refuses before any request (exit 4); stopped
    at create by a 402 (exit 4), the rerun sends no upload."""
    journal = str(tmp_path / "train.json")
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text("# my tracks\n" + "\n".join(URLS) + "\n")
    args = ["train", *on(served), "--name", "Band", "--journal", journal]
    code, _, err = run(capsys, *args, "--urls-file", str(urls_file), "--max-credits", "50")
    assert code == 4, err
    assert "--max-credits" in err
    assert served.count("POST", "/suno/v2/customModel/prepare") == 0
    served.inject_http("POST", "/suno/v2/customModel/create", 402)
    code, _, err = run(capsys, *args, "--urls-file", str(urls_file))
    assert code == 4, err
    uploads = served.count("POST", "/suno/v2/customModel/upload")
    assert uploads == 6
    result = run_json(capsys, *args, "--urls-file", str(urls_file))
    assert served.count("POST", "/suno/v2/customModel/upload") == uploads
    assert served.count("POST", "/suno/v2/customModel/create") == 2  # the 402, then this one
    assert result["model_id"].startswith("chirp-custom:")


def test_train_fails_with_exit_6_when_too_few_uploads_work(
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls = [*URLS[:5], "https://example.com/notes.txt"]  # not audio: upload fails (4001)
    code, out, err = run(capsys, *FAST, "--json", "train", "--name", "Band", *urls)
    assert code == 6
    assert out == ""
    error = json.loads(err.strip().splitlines()[-1])
    assert error["type"] == "NotEnoughClipsError"
    assert error["exit_code"] == 6
    assert "notes.txt" in error["error"]


# -- generate ----------------------------------------------------------------------------------


def test_generate_downloads_with_a_journal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lyrics = tmp_path / "lyrics.txt"
    lyrics.write_text("[Verse]\nHello from the command line\n")
    out_dir = tmp_path / "songs"
    data = run_json(
        capsys,
        *FAST,
        "generate",
        "--prompt-file",
        str(lyrics),
        "--tags",
        "pop, upbeat",
        "--title",
        "CLI Song",
        "--output",
        str(out_dir),
        "--journal",
        str(tmp_path / "gen.json"),
    )
    assert data["command"] == "generate"
    assert data["task_id"]
    assert len(data["clips"]) == 2
    assert all(clip["status"] == "complete" for clip in data["clips"])
    assert sorted(Path(f).name for f in data["files"]) == sorted(
        f"{clip['id']}.wav" for clip in data["clips"]
    )
    assert all(Path(f).stat().st_size > 0 for f in data["files"])
    assert {d["size"] for d in data["downloads"]} == {Path(data["files"][0]).stat().st_size}
    assert data["credits_spent"] == 40


def test_generate_prints_clips_and_no_wait_prints_the_task_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, *FAST, "generate", "--instrumental", "--tags", "lofi")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("task_id  ")
    assert sum(line.startswith("clip ") for line in lines) == 2
    assert "generation finished: 2 clips" in err
    code, out, err = run(capsys, *FAST, "--quiet", "generate", "--no-wait", "--tags", "lofi")
    assert code == 0, err
    assert len(out.split()) == 1  # just the id, for TASK=$(...)
    assert err == ""


def test_generate_streams_events_as_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *FAST, "--json", "--events", "generate", "--tags", "pop")
    assert code == 0, err
    result = json.loads(out)
    events = [json.loads(line) for line in err.splitlines()]
    types = [event["type"] for event in events]
    assert types[:2] == ["CreditsSpent", "GenerationSubmitted"]  # charged, then submitted
    assert events[0]["credits"] == 40
    assert "TaskStatusChanged" in types
    assert types[-1] == "GenerationFinished"
    assert events[-1]["clip_ids"] == [clip["id"] for clip in result["clips"]]


# -- pure-music --------------------------------------------------------------------------------


@pytest.mark.parametrize(("provider", "credits"), [("mountsea", 40), ("sunoapi", 10)])
def test_pure_music_on_both_providers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider: str, credits: int
) -> None:
    data = run_json(
        capsys,
        *FAST,
        "pure-music",
        "lofi, chill",
        "--title",
        "Night Drive",
        "--provider",
        provider,
        "--output",
        str(tmp_path),
    )
    assert data["provider"] == provider
    assert len(data["clips"]) == 2
    assert len(data["files"]) == 2
    assert data["credits_spent"] == credits


# -- status, wait, download --------------------------------------------------------------------


def test_status_wait_and_download_follow_a_task(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, served: Emulator
) -> None:
    code, out, err = run(capsys, *on(served), "generate", "--no-wait", "--tags", "pop")
    assert code == 0, err
    task_id = out.strip()
    status = run_json(capsys, "status", task_id, *on(served))
    assert status["task_id"] == task_id
    assert status["status"] in ("queued", "ready", "running", "stream", "success")
    waited = run_json(capsys, "wait", task_id, *on(served))
    assert [clip["status"] for clip in waited["clips"]] == ["complete", "complete"]
    code, out, err = run(capsys, "status", task_id, *on(served))
    assert code == 0, err
    assert "status   success" in out
    result = tmp_path / "result.json"
    result.write_text(json.dumps(waited))
    songs = tmp_path / "songs"
    downloaded = run_json(capsys, "download", "--from-json", str(result), "-o", str(songs))
    assert sorted(Path(f).name for f in downloaded["files"]) == sorted(
        f"{clip['id']}.wav" for clip in waited["clips"]
    )
    assert downloaded["bytes"] == sum(Path(f).stat().st_size for f in downloaded["files"])
    url = waited["clips"][0]["audio_url"]
    code, out, err = run(capsys, "download", url, "--output", str(tmp_path / "one"))
    assert code == 0, err
    assert out.startswith("file  ")
    assert (tmp_path / "one" / Path(url).name).exists()


def test_wait_for_training_and_upload(capsys: pytest.CaptureFixture[str], served: Emulator) -> None:
    trained = run_json(capsys, *on(served), "train", "--name", "Band", *URLS)
    session = trained["session_id"]
    waited = run_json(capsys, *on(served), "wait", session, "--kind", "training")
    assert waited["model_id"] == trained["model_id"]
    upload = trained["outcomes"][0]["task_ids"][0]
    waited = run_json(capsys, *on(served), "wait", upload, "--kind", "upload")
    assert waited["clip"]["id"] == trained["outcomes"][0]["clip_id"]


def test_wait_on_an_unknown_task_is_an_api_error(
    capsys: pytest.CaptureFixture[str], served: Emulator
) -> None:
    code, _, err = run(capsys, *on(served), "wait", "no-such-task")
    assert code == 1
    assert "404" in err
    assert "to wait again" not in err  # nothing to pick up


# -- exit codes --------------------------------------------------------------------------------


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "--journal", "j.json", "--emulator")
    assert code == 2
    assert "--journal needs --output" in err
    code, _, err = run(capsys, "--json", "train", "--name", "x", "--emulator", "--bogus")
    assert code == 2
    assert json.loads(err) == {
        "error": "unrecognized arguments: --bogus",
        "type": "UsageError",
        "exit_code": 2,
    }
    code, _, err = run(capsys, "train", "--name", "x")
    assert code == 2
    assert "at least 6 audio URLs" in err
    code, _, err = run(capsys, "pure-music", "lofi")  # no key, no --emulator
    assert code == 2
    assert "MOUNTSEA_API_KEY" in err
    assert "--emulator" in err
    code, _, err = run(
        capsys, "--speed", "50", "--base-url", "https://api.example.org", "status", "t"
    )
    assert code == 2
    assert "loopback" in err
    code, _, err = run(capsys, "--json", "demo")
    assert code == 2
    assert "not of demo" in err
    code, _, err = run(capsys, "generate", "--prompt-file", str(tmp_path / "missing.txt"))
    assert code == 2
    assert "cannot read" in err


def test_invalid_requests_exit_2_before_sending(capsys: pytest.CaptureFixture[str]) -> None:
    """The library's ConfigError (here: an unknown model, an extend without its clip)."""
    code, out, err = run(capsys, *FAST, "generate", "--model", "chrip-v50", "--tags", "pop")
    assert code == 2
    assert out == ""
    assert err.startswith("suno-async generate: error: ")
    assert len(err.splitlines()) == 1
    code, _, err = run(capsys, *FAST, "--json", "generate", "--task", "extend")
    assert code == 2
    assert json.loads(err)["type"] == "ConfigError"


def test_a_refused_key_exits_3_and_is_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        *FAST,
        "--emulator-api-key",
        "the-right-key",
        "--api-key",
        SECRET,
        "generate",
        "--no-wait",
    )
    assert code == 3
    assert "MOUNTSEA_API_KEY" in err
    code, out2, err2 = run(
        capsys,
        *FAST,
        "--json",
        "--emulator-api-key",
        "the-right-key",
        "--api-key",
        SECRET,
        "generate",
        "--tags",
        "pop",
    )
    assert code == 3
    assert json.loads(err2)["type"] == "AuthenticationError"
    code, out3, err3 = run(
        capsys, *FAST, "--json", "--events", "--api-key", SECRET, "generate", "--tags", "pop"
    )
    assert code == 0
    for text in (out, err, out2, err2, out3, err3):
        assert SECRET not in text


def test_credits_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *FAST, "--max-credits", "10", "generate", "--tags", "pop")
    assert code == 4
    assert "CreditBudgetError" not in err  # one line for people: the message and a hint
    assert "--max-credits" in err
    code, _, err = run(capsys, *FAST, "--json", "--emulator-credits", "0", "pure-music", "lofi")
    assert code == 4
    assert json.loads(err)["type"] == "InsufficientCreditsError"


def test_a_deadline_exits_7_and_says_how_to_pick_the_task_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    songs = str(tmp_path / "my songs")
    code, _, err = run(capsys, *FAST, "--timeout", "1", "generate", "--tags", "pop", "-o", songs)
    assert code == 7
    assert "suno-async wait " in err
    assert f"--output '{songs}'" in err
    code, _, err = run(capsys, *FAST, "--json", "--timeout", "5", "train", "--name", "m")
    assert code == 7
    error = json.loads(err)
    assert error["type"] == "TaskTimeoutError"
    assert error["task_id"]  # the session, to wait on


def test_interrupted_exits_130_and_says_how_to_carry_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ctrl-C once the training was paid for: the hint names the session to wait on."""
    show = PlainDisplay.__call__

    def interrupt_after_create(display: PlainDisplay, event: Event) -> None:
        show(display, event)
        if isinstance(event, TrainingSubmitted):
            raise KeyboardInterrupt

    monkeypatch.setattr(PlainDisplay, "__call__", interrupt_after_create)
    journal = str(tmp_path / "train.json")
    code, out, err = run(capsys, *FAST, "train", "--name", "m", "--journal", journal, *URLS)
    assert code == 130
    assert out == ""
    message = err.splitlines()[-1]
    assert message.startswith("suno-async train: error: interrupted. The training was submitted")
    assert "'suno-async wait " in message
    assert "--kind training'" in message
    assert "running the same command again" in message
