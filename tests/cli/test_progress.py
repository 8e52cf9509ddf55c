"""Progress displays: plain lines, JSON lines, rich bars on a terminal, and life without rich."""

from __future__ import annotations

import io
import json
import logging
import sys
import typing
from pathlib import Path

import msgspec
import pytest

from suno_async import (
    CreditsSpent,
    DownloadFinished,
    Event,
    GenerationFinished,
    GenerationStreaming,
    GenerationSubmitted,
    SessionPrepared,
    TaskStatusChanged,
    TrainingFinished,
    TrainingSubmitted,
    UploadFailed,
    UploadFinished,
    UploadSubmitted,
)
from suno_async.cli import main
from suno_async.cli._progress import (
    Display,
    JsonDisplay,
    NullDisplay,
    PlainDisplay,
    RichDisplay,
    describe,
    forward_warnings,
    make_display,
)

URL = "https://example.com/track1.mp3"

#: One of each event, in the order a train-then-generate run sends them.
EVENTS: list[Event] = [
    SessionPrepared(session_id="s1"),
    UploadSubmitted(url=URL, task_id="u1", attempt=1),
    TaskStatusChanged(task_id="u1", kind="upload", status="running"),
    UploadFailed(url=URL, error="upload task u1 failed", attempt=1, will_retry=True),
    UploadFinished(url=URL, clip_id="c1"),
    TrainingSubmitted(session_id="s1", task_id="s1", clip_count=6),
    CreditsSpent(what="customModel/create", credits=100, total=100),
    TaskStatusChanged(task_id="s1", kind="training", status="running"),
    TrainingFinished(session_id="s1", model_id="chirp-custom:m1"),
    GenerationSubmitted(task_id="g1", model="chirp-custom:m1"),
    TaskStatusChanged(task_id="g1", kind="generate", status="stream"),
    GenerationStreaming(task_id="g1", audio_urls=("https://cdn/a.mp3",)),
    GenerationFinished(task_id="g1", clip_ids=("a", "b")),
    DownloadFinished(clip_id="a", path="songs/a.mp3", size=2_500_000),
    DownloadFinished(clip_id="b", path="songs/b.mp3", size=100, skipped=True),
    TaskStatusChanged(task_id="a", kind="music", status="streaming"),
    TaskStatusChanged(task_id="s1", kind="training", status="ready"),
]


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def block_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``import rich...`` fail, as if rich were not installed."""
    for name in [name for name in sys.modules if name == "rich" or name.startswith("rich.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "rich", None)


def test_every_event_kind_is_described() -> None:
    assert {type(event) for event in EVENTS} == set(typing.get_args(Event))
    lines = {type(event).__name__: describe(event) for event in EVENTS}
    assert lines["UploadFinished"] == "upload finished   track1.mp3 -> clip c1"
    assert lines["UploadFailed"] == "upload failed     track1.mp3: upload task u1 failed (retrying)"
    assert lines["TrainingFinished"] == "model trained: chirp-custom:m1"
    assert lines["CreditsSpent"] == "credits: 100 for customModel/create (100 this run)"
    assert describe(EVENTS[2]) is None  # single uploads' statuses would flood the output
    assert describe(EVENTS[-2]) == "clip a: streaming"
    assert describe(EVENTS[-3]) == "kept songs/b.mp3 (100 bytes, there already)"


@pytest.mark.parametrize(
    ("kind", "status", "words"),
    [
        ("training", "ready", "training: queued"),  # waiting for a worker, not "ready"
        ("training", "queued", "training: queued"),
        ("training", "running", "training: training"),
        ("training", "success", "training: done"),
        ("generate", "RUNNING", "generation: generating"),
        ("generate", "stream", "generation: streaming"),
        ("generate", "timeout", "generation: timed out"),
        ("task", "running", "task: running"),
        ("music", "complete", "clip c: done"),
        ("music", "error", "clip c: failed"),
        ("generate", "paused", "generation: paused"),  # unknown: as it came
    ],
)
def test_statuses_are_shown_in_words_of_what_happens(kind: str, status: str, words: str) -> None:
    """A queued training is "queued" (mountsea says ready), a finished one "done"."""
    assert describe(TaskStatusChanged(task_id="c", kind=kind, status=status)) == words


def test_plain_lines_carry_the_time() -> None:
    lines: list[str] = []
    with PlainDisplay(lines.append) as display:
        for event in EVENTS:
            display(event)
        display.message("warning: slow")
    # One line per described event, the remark, and the uploads' fee line before training.
    assert len(lines) == len([e for e in EVENTS if describe(e) is not None]) + 2
    fee = next(i for i, line in enumerate(lines) if "upload sent" in line)
    assert lines[fee].endswith("] 1 upload sent (fee unknown: mountsea publishes no upload price)")
    assert "training submitted" in lines[fee + 1]
    assert lines[0].startswith("[  0.0")
    assert lines[0].endswith("] session s1 prepared")
    assert lines[-1].endswith("] warning: slow")


def test_json_lines_decode_back_to_the_events() -> None:
    lines: list[str] = []
    display = JsonDisplay(lines.append)
    for event in EVENTS:
        display(event)
    display.message("warning: slow")
    assert [msgspec.json.decode(line, type=Event) for line in lines[:-1]] == EVENTS
    assert json.loads(lines[-1]) == {"type": "Message", "message": "warning: slow"}


def test_which_display() -> None:
    def pick(*, json: bool = False, events: bool = False, quiet: bool = False) -> type[Display]:
        display = make_display(json=json, events=events, quiet=quiet, terminal=quiet or events)
        display.close()
        return type(display)

    assert pick() is PlainDisplay  # not a terminal
    assert pick(quiet=True) is NullDisplay  # on a terminal
    assert pick(json=True) is NullDisplay
    assert pick(json=True, events=True) is JsonDisplay  # on a terminal


def test_rich_bars_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    display = make_display(json=False, events=False, quiet=False, terminal=True)
    assert isinstance(display, RichDisplay)
    with display:
        for event in EVENTS:
            display(event)
        display.message("warning: slow")
    display(EVENTS[0])  # after closing: ignored
    text = terminal.getvalue()
    for shown in ("uploads", "1/6 clips, 1 retried", "training", "model trained", "generation"):
        assert shown in text
    assert "1 upload sent (fee unknown: mountsea publishes no upload price)" in text
    assert "downloads" in text
    assert "2/2 files, 2.5 MB" in text
    assert "warning: slow" in text


def test_without_rich_a_terminal_gets_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    block_rich(monkeypatch)
    with pytest.raises(ImportError):
        RichDisplay()
    display = make_display(json=False, events=False, quiet=False, terminal=True)
    assert isinstance(display, PlainDisplay)


def test_a_command_on_a_terminal_with_and_without_rich(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole command, in-process: bars with rich, plain lines once rich is gone."""
    pytest.importorskip("rich")
    argv = ["--emulator", "--speed", "2000", "pure-music", "lofi", "-o", str(tmp_path)]
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(argv) == 0
    assert "generation" in terminal.getvalue()
    assert "2/2 files" in terminal.getvalue()
    assert "clip " in capsys.readouterr().out

    block_rich(monkeypatch)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(argv) == 0
    lines = terminal.getvalue().splitlines()
    assert lines
    assert all(line.startswith("[") for line in lines)
    assert any("generation finished: 2 clips" in line for line in lines)
    assert sum("downloaded " in line for line in lines) == 2


def test_library_warnings_reach_the_display() -> None:
    lines: list[str] = []
    display = PlainDisplay(lines.append)
    logger = logging.getLogger("suno_async")
    with forward_warnings(display):
        logger.warning("task %s reported unknown status %r", "t1", "paused")
        logger.info("not shown")
    logger.warning("after: not forwarded")
    assert len(lines) == 1
    assert lines[0].endswith("warning: task t1 reported unknown status 'paused'")
