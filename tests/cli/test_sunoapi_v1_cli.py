"""The sunoapi v1 commands end to end, in-process: credits, lyrics, stems and create (with a
webhook), against the embedded emulator; --json output, exit codes, secret hygiene.

``main`` runs its own event loop, so these are plain sync tests. Commands that follow earlier
work (stems of a song made before) or wait for a webhook use an emulator and a receiver served
on a loop in a background thread (:func:`served`), which outlive one command.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import anyio.from_thread
import pytest

from suno_async import WebhookReceiver
from suno_async.cli import main
from suno_async.emulator import Emulator, EmulatorConfig

from ..cli_helpers import clean_environment, run, run_json

SPEED = "2000"
FAST = ["--emulator", "--speed", SPEED]
HOOK_SECRET = "whsec-CLI-DISTINCTIVE-91"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


class Served:
    """An emulator and a webhook receiver serving on a loop in another thread."""

    def __init__(
        self, portal: anyio.from_thread.BlockingPortal, emulator: Emulator, hooks: str
    ) -> None:
        self.portal = portal
        self.emulator = emulator
        self.hooks_url = hooks
        self.receiver: WebhookReceiver | None = None

    def options(self) -> list[str]:
        return ["--base-url", self.emulator.base_url, "--speed", SPEED]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("SUNOAPI_API_KEY", "test-key")
    receiver = WebhookReceiver(HOOK_SECRET)
    with anyio.from_thread.start_blocking_portal() as portal:
        emulator = portal.call(Emulator, EmulatorConfig(speed=float(SPEED)))
        with (
            portal.wrap_async_context_manager(emulator),
            portal.wrap_async_context_manager(receiver.serve()) as url,
        ):
            serving = Served(portal, emulator, url)
            serving.receiver = receiver
            yield serving


def test_credits_prints_the_balance(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *FAST, "credits")
    assert code == 0, err
    assert out.splitlines() == ["credits        500", "extra_credits  0", "total          500"]
    data = run_json(capsys, *FAST, "credits", "--emulator-credits", "42")
    assert data == {
        "command": "credits",
        "provider": "sunoapi",
        "credits": 42,
        "extra_credits": 0,
        "total": 42,
        "requests_made": 1,
    }


def test_lyrics_waits_and_prints_them(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *FAST, "lyrics", "rain on the window")
    assert code == 0, err
    assert "# Rain On The Window" in out
    assert "[Verse]\nrain on the window" in out
    data = run_json(capsys, *FAST, "lyrics", "the sea", "--provider", "sunoapi")
    assert data["lyrics"][0]["title"] == "The Sea"
    assert data["credits_spent"] == 2
    code, out, _ = run(capsys, *FAST, "--quiet", "lyrics", "the sea", "--no-wait")
    assert code == 0
    assert len(out.split()) == 1


def test_create_stems_and_a_webhook_on_one_emulator(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    """create with --webhook-url (secret from the environment): the songs, and the delivery
    at the receiver; then stems --full of one of them, downloaded."""
    env = pytest.MonkeyPatch()
    env.setenv("SUNOAPI_WEBHOOK_SECRET", HOOK_SECRET)
    try:
        code, out, err = run(
            capsys, "--json", "create", *served.options(), "--prompt", "[Verse] hi",
            "--tags", "pop", "--title", "Song", "--webhook-url", served.hooks_url,
        )  # fmt: skip
    finally:
        env.undo()
    assert code == 0, err
    assert HOOK_SECRET not in out + err
    created = json.loads(out)
    assert created["webhook"] is True
    assert [s["state"] for s in created["songs"]] == ["succeeded", "succeeded"]
    assert created["credits_spent"] == 10
    receiver = served.receiver
    assert receiver is not None

    async def delivered() -> str:
        with anyio.fail_after(10):
            assert receiver is not None
            event = await receiver.wait_for(created["task_id"])
            return event.status

    assert served.portal.call(delivered) == "succeeded"
    clip_id = created["songs"][0]["clip_id"]
    stems = run_json(
        capsys, "stems", clip_id, "--full", *served.options(), "--output", str(tmp_path)
    )
    assert stems["split"] == "full"
    assert len(stems["tracks"]) == 12
    assert stems["tracks"][0]["title"] == "Song (Vocals)"
    assert len(stems["files"]) == 12
    assert all(Path(f).stat().st_size > 0 for f in stems["files"])


def test_create_in_description_mode_without_waiting(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, *FAST, "create", "--description", "a calm sea", "--no-wait")
    assert set(data) == {
        "command", "task_id", "webhook", "credits_spent", "credits_uncertain", "requests_made",
    }  # fmt: skip
    assert data["webhook"] is False


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["credits", "--provider", "mountsea"], "use --provider sunoapi"),
        (["create", "--tags", "pop", "--webhook-secret", HOOK_SECRET], "needs --webhook-url"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    code, out, err = run(capsys, *FAST, "--json", *argv)
    assert code == 2
    assert out == ""
    error = json.loads(err.strip().splitlines()[-1])
    assert words in error["error"]
    assert HOOK_SECRET not in err


def test_bad_input_exits_2_before_sending(capsys: pytest.CaptureFixture[str]) -> None:
    """Lyrics of 200 characters and a create without tags are refused by the library."""
    code, _, err = run(capsys, *FAST, "lyrics", "x" * 200)
    assert code == 2
    assert "prompt" in err
    code, _, err = run(capsys, *FAST, "create", "--prompt", "la")
    assert code == 2
    assert "tags" in err


def test_a_short_balance_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *FAST, "--emulator-credits", "5", "create", "--tags", "lofi",
                       "--instrumental")  # fmt: skip
    assert code == 4, err


@pytest.mark.parametrize("command", ["credits", "lyrics", "stems", "create"])
def test_each_command_teaches_with_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "examples:\n  suno-async " in text
    assert "--json" in text
    assert "SUNOAPI_API_KEY" in text
