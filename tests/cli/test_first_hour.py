"""A newcomer's first hour with the command line (issue 14): one emulator across commands,
``wait`` that reads a task's kind from the task, training errors that tell failed URLs from
cancelled ones, progress in words, visible retries, one count of credits, short usage errors,
and messages that name command-line options.

``main`` runs its own event loop, so these are plain sync tests; an emulator that outlives one
command serves on a loop in another thread (as in ``test_commands.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio.from_thread
import pytest

import suno_async.emulator
from suno_async import (
    CreditsSpent,
    GenerationFinished,
    GenerationSubmitted,
    TaskStatusChanged,
    UploadSubmitted,
)
from suno_async.cli._progress import RichDisplay
from suno_async.emulator import Emulator, EmulatorConfig, TaskScript
from tests.helpers import fake_serve, free_port

from ..cli_helpers import clean_environment, run, run_json
from .test_progress import FakeTerminal

SPEED = "2000"
FAST = ["--emulator", "--speed", SPEED]
URLS = [f"https://example.com/track{n}.mp3" for n in range(1, 8)]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def serve(config: EmulatorConfig, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator on a loop in another thread; the environment points commands at it, as
    the export lines of ``suno-async emulator`` do."""
    with anyio.from_thread.start_blocking_portal() as portal:
        emulator = portal.call(Emulator, config)
        with portal.wrap_async_context_manager(emulator):
            monkeypatch.setenv("MOUNTSEA_BASE_URL", emulator.base_url)
            monkeypatch.setenv("MOUNTSEA_API_KEY", "emulator")
            monkeypatch.setenv("SUNO_ASYNC_SPEED", SPEED)
            yield emulator


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    yield from serve(EmulatorConfig(speed=float(SPEED)), monkeypatch)


# -- one emulator across commands ---------------------------------------------------------------


def test_the_emulator_prints_the_lines_that_point_commands_at_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """stdout keeps its one line; stderr has the export lines (URL, key, speed) and a warning
    when --host leaves loopback; a wildcard host is reached through loopback."""
    seen: list[EmulatorConfig] = []
    monkeypatch.setattr(suno_async.emulator, "serve", fake_serve(seen))
    code, out, err = run(capsys, "emulator", "--speed", "10", "--api-key", "my key")
    assert code == 0
    assert out == "suno_async emulator listening on http://127.0.0.1:4321\n"
    assert "  export MOUNTSEA_BASE_URL=http://127.0.0.1:4321 MOUNTSEA_API_KEY='my key'\n" in err
    assert "  export SUNOAPI_BASE_URL=http://127.0.0.1:4321 SUNOAPI_API_KEY='my key'\n" in err
    assert "  export SUNO_ASYNC_SPEED=10\n" in err
    assert "warning" not in err
    code, out, err = run(capsys, "emulator", "--host", "0.0.0.0")
    assert code == 0
    assert err.startswith("suno-async emulator: warning: --host 0.0.0.0 makes the emulator ")
    assert "MOUNTSEA_BASE_URL=http://127.0.0.1:4321 MOUNTSEA_API_KEY=emulator" in err


def test_clip_length_and_timings_are_options_of_the_standalone_emulator(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[EmulatorConfig] = []
    monkeypatch.setattr(suno_async.emulator, "serve", fake_serve(seen))
    argv = ["emulator", "--audio-seconds", "60", "--training-seconds", "20"]
    code, _, err = run(capsys, *argv, "--generate-seconds", "5", "--upload-seconds", "1")
    assert code == 0, err
    config = seen[-1]
    assert (config.audio_seconds, config.training_seconds) == (60.0, 20.0)
    assert (config.generate_seconds, config.upload_seconds) == (5.0, 1.0)
    code, _, err = run(capsys, "emulator", "--audio-seconds", "601")
    assert code == 2
    assert "argument --audio-seconds: audio_seconds must be > 0 and <= 600" in err


def test_train_then_generate_with_the_model_on_one_emulator(
    capsys: pytest.CaptureFixture[str], served: Emulator, tmp_path: Path
) -> None:
    """With the export lines' variables set, the model trained by one command is there for the
    next: no --base-url, --api-key or --speed needed."""
    trained = run_json(capsys, "train", "--name", "Band", *URLS[:6])
    songs = tmp_path / "songs"
    made = run_json(capsys, "generate", "--model", trained["model_id"], "--output", str(songs))
    assert {clip["model_name"] for clip in made["clips"]} == {trained["model_id"]}
    assert len(list(songs.glob("*.wav"))) == 2


def test_a_fresh_emulator_says_it_knows_nothing_of_earlier_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--emulator with work from an earlier command is refused, pointing at 'suno-async
    emulator'; train --emulator says its model is gone with it."""
    model = "chirp-custom:0b0c2a4e-8a34-4b5e-9d1a-0e7f9b7a1c11"
    for argv in (
        ["wait", "some-task"],
        ["status", "some-task"],
        ["generate", "--model", model],
        ["pure-music", "lofi", "--model", model],
        ["generate", "--task", "extend", "--clip-id", "c1", "--continue-at", "10"],
    ):
        code, _, err = run(capsys, *FAST, *argv)
        assert code == 2, argv
        assert "fresh emulator" in err
        assert "suno-async emulator" in err
    code, _out, err = run(capsys, *FAST, "train", "--name", "Gone")
    assert code == 0, err
    assert "this model lives in this command's own emulator, gone now" in err


def test_the_speed_comes_from_the_export_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SUNO_ASYNC_SPEED is --speed's default, refused (by name) for a host off loopback."""
    monkeypatch.setenv("MOUNTSEA_API_KEY", "k")
    monkeypatch.setenv("SUNO_ASYNC_SPEED", "fast")
    code, _, err = run(capsys, "status", "t", "--base-url", "http://127.0.0.1:9")
    assert code == 2
    assert "SUNO_ASYNC_SPEED must be a number, got 'fast'" in err
    monkeypatch.setenv("SUNO_ASYNC_SPEED", "10")
    code, _, err = run(capsys, "status", "t", "--base-url", "https://api.mountsea.ai")
    assert code == 2
    assert "SUNO_ASYNC_SPEED without --emulator is only for an emulator on loopback" in err


# -- wait reads the kind from the task ----------------------------------------------------------


@pytest.fixture
def slow_generations(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """Generations that take 0.3 real seconds, so a wait starts while nothing shows their
    kind (no clips yet)."""
    yield from serve(EmulatorConfig(speed=float(SPEED), generate_seconds=600.0), monkeypatch)


def test_wait_reads_what_a_task_is_from_the_task(
    capsys: pytest.CaptureFixture[str], slow_generations: Emulator
) -> None:
    """A training's session id, an upload's task id, a generation just submitted: no --kind."""
    trained = run_json(capsys, "train", "--name", "Band", *URLS[:6])
    waited = run_json(capsys, "wait", trained["session_id"])
    assert (waited["kind"], waited["model_id"]) == ("training", trained["model_id"])
    upload = trained["outcomes"][0]
    waited = run_json(capsys, "wait", upload["task_ids"][0])
    assert (waited["kind"], waited["clip"]["id"]) == ("upload", upload["clip_id"])
    code, out, err = run(capsys, "--quiet", "generate", "--no-wait", "--tags", "pop")
    assert code == 0, err
    code, out, err = run(capsys, "wait", out.strip())  # pending: nothing shows its kind yet
    assert code == 0, err
    assert sum(line.startswith("clip ") for line in out.splitlines()) == 2
    assert "] task: " in err  # followed as a task of unknown kind until its result shows
    assert "generation finished: 2 clips" in err
    assert "did not return clips" not in err


def test_a_failed_task_of_unknown_kind_is_not_called_a_generation(
    capsys: pytest.CaptureFixture[str], served: Emulator
) -> None:
    served.fail_next_tasks("training", reason="Not enough singing.")
    trained = run(capsys, "--json", "train", "--name", "Band", *URLS[:6])
    session = json.loads(trained[2].splitlines()[-1])["task_id"]
    code, _, err = run(capsys, "wait", session)
    assert code == 6
    assert f"error: task {session} failed: Not enough singing." in err
    assert "generate task" not in err


# -- training errors tell failed from cancelled -------------------------------------------------


@pytest.fixture
def two_fail_five_stall(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """Two uploads fail for good (4001), the next five never finish."""
    scripts = (TaskScript("upload", "fail", 2), TaskScript("upload", "stall", 5))
    yield from serve(EmulatorConfig(speed=float(SPEED), task_scripts=scripts), monkeypatch)


def test_not_enough_clips_separates_failed_from_cancelled(
    capsys: pytest.CaptureFixture[str], two_fail_five_stall: Emulator
) -> None:
    """The URLs that failed are to be replaced; those cancelled once six were out of reach are
    not blamed, in the text and in the --json outcomes."""
    code, _out, err = run(capsys, "--json", "train", "--name", "Band", *URLS)
    assert code == 6
    error = json.loads(err.splitlines()[-1])
    states = [(o["url"], o["state"]) for o in error["outcomes"]]
    assert states == [(url, "failed") for url in URLS[:2]] + [
        (url, "cancelled") for url in URLS[2:]
    ]
    assert error["outcomes"][0]["fail_code"] == 4001
    assert error["required"] == 6
    two_fail_five_stall.fail_next_tasks("upload", times=2)
    two_fail_five_stall.stall_next_tasks("upload", times=5)
    code, _, err = run(capsys, "train", "--name", "Band", *URLS)
    assert code == 6
    line = err.splitlines()[-1]
    failed = line.split("Failed (replace these): ", 1)[1].split(" Cancelled ", 1)[0]
    assert URLS[0] in failed
    assert URLS[2] not in failed
    assert "(these may be fine): " + ", ".join(URLS[2:]) in line


# -- progress -----------------------------------------------------------------------------------


def test_retries_show_as_they_happen(capsys: pytest.CaptureFixture[str], served: Emulator) -> None:
    """A 503 on a status lookup shows a 'retrying ... (503)' line; --events a Retrying object;
    a server that is not there shows each attempt's wait."""
    code, out, _ = run(capsys, "--quiet", "generate", "--no-wait", "--tags", "pop")
    task = out.strip()
    served.inject_http("GET", "/suno/v2/status", 503)
    code, _, err = run(capsys, "wait", task, "--kind", "generate")
    assert code == 0, err
    assert "] retrying GET /suno/v2/status in " in err
    assert err.count("s (503)") == 1
    served.inject_http("GET", "/suno/v2/status", 503)
    code, _, err = run(capsys, "--json", "--events", "status", task)
    assert code == 0, err
    retry = next(json.loads(line) for line in err.splitlines() if "Retrying" in line)
    assert (retry["request"], retry["reason"]) == ("GET /suno/v2/status", "503")
    nowhere = f"http://127.0.0.1:{free_port()}"
    code, _, err = run(capsys, "status", task, "--base-url", nowhere)
    assert code == 1
    assert err.count("(no connection)") == 4  # the default policy's four retries


def test_sunoapi_bars_show_each_clip_and_carry_their_part(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each bar says what it counts and, after a section, whose it is; a sunoapi generation
    shows the state of each of its clips."""
    pytest.importorskip("rich")
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    for finished in (False, True):
        with RichDisplay() as display:
            display.section("sunoapi: custom pure music, v3.5")
            display(CreditsSpent(what="custom/create-pure-music", credits=10, total=10))
            display(GenerationSubmitted(task_id="b1", model="v3.5"))
            display(TaskStatusChanged(task_id="c1", kind="music", status="queued"))
            display(TaskStatusChanged(task_id="c2", kind="music", status="streaming"))
            if finished:
                display(GenerationFinished(task_id="b1", clip_ids=("c1", "c2")))
        last = terminal.getvalue().rsplit("sunoapi generation", 1)[1]
        assert ("done, 2 clips" if finished else "clip 1 queued, clip 2 streaming") in last


def test_one_count_of_credits_in_train(capsys: pytest.CaptureFixture[str]) -> None:
    """train counts the create (100) in progress and result alike; its uploads' fee is
    unknown, not a number, in both."""
    data = run_json(capsys, *FAST, "--events", "train", "--name", "Band")
    assert (data["credits_spent"], data["uploads"], data["upload_credits"]) == (100, 6, None)
    assert {o["state"] for o in data["outcomes"]} == {"uploaded"}
    code, out, err = run(capsys, *FAST, "train", "--name", "Band", *URLS)
    assert code == 0, err
    assert "credits: 100 for customModel/create (100 this run)" in err
    assert "6 uploads sent (fee unknown: mountsea publishes no upload price)" in err
    assert "100 spent (create); 6 uploads, fee unknown: mountsea publishes no upload price" in out
    assert "6 trained on, 0 failed, 0 cancelled, 1 spares unused" in out


# -- the command line's words -------------------------------------------------------------------


def test_messages_name_command_line_options(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library message reaches the terminal in the command line's words."""
    code, _, err = run(capsys, *FAST, "generate", "--task", "extend")
    assert code == 2
    assert "requires --clip-id" in err
    code, _, err = run(capsys, *FAST, "generate", "--model", "gpt-4")
    assert code == 2
    assert "--allow-model MODEL" in err
    assert "extra_models" not in err
    monkeypatch.setenv("MOUNTSEA_API_KEY", "k")
    code, _, err = run(capsys, "--base-url", "http://example.org", "generate", "--tags", "x")
    assert code == 2
    assert "--base-url uses plain http" in err
    assert "allow_insecure_http" not in err


def test_generate_uses_the_librarys_default_model(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --model, the command line asks for what generate() defaults to: chirp-v55."""
    data = run_json(capsys, *FAST, "generate", "--tags", "pop")
    assert {clip["model_name"] for clip in data["clips"]} == {"chirp-v55"}


def test_usage_errors_are_short_and_point_to_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "generate", "--speed", "0")
    assert code == 2
    assert err.splitlines() == [
        "usage: suno-async generate [options]",
        "suno-async generate: error: argument --speed: must be a number above 0, got '0'",
        "Run 'suno-async generate --help' for its options and examples.",
    ]


def test_plain_progress_counts_uploads_once_before_the_charge() -> None:
    """The plain lines name the uploads' fee as unknown once, before the create's charge."""
    from suno_async.cli._progress import PlainDisplay

    lines: list[str] = []
    display = PlainDisplay(lines.append)
    for n in range(2):
        display(UploadSubmitted(url=f"https://a/{n}.mp3", task_id=f"u{n}", attempt=1))
    display(CreditsSpent(what="customModel/create", credits=100, total=100))
    assert [line.split("] ", 1)[1] for line in lines[-2:]] == [
        "2 uploads sent (fee unknown: mountsea publishes no upload price)",
        "credits: 100 for customModel/create (100 this run)",
    ]
