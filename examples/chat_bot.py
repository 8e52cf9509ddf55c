"""A chat-bot command handler that generates songs and trains custom models, showing progress.

The core, :class:`MusicBot`, knows nothing about any chat platform. It gets a command's text
and two coroutines from the adapter: ``reply(text)`` sends a new message and returns it, and
``edit(message, text)`` changes that message. For each command it sends one status message and
edits it as the work moves on, from the library's ``on_event`` callbacks, at most once every
``min_edit_interval`` seconds (chat platforms rate-limit edits: Telegram about one per second
per chat, Discord five per five seconds per channel). The events only record the latest line;
a separate task does the edits, so a slow chat API never holds up the library's polling.

Commands (a leading ``/`` or ``!`` is optional)::

    /generate TAGS | TITLE | LYRICS   a song (without LYRICS: an instrumental)
    /train NAME URL URL URL ...       train a custom model on at least six audio URLs; later
                                      /generate commands use it
    /help

Adapters: ``chat_bot_discord.py`` (discord.py) and ``chat_bot_aiogram.py`` (aiogram 3) in this
folder. Run this file to try the bot in a terminal::

    python examples/chat_bot.py --emulator              # offline: a scripted conversation
    MOUNTSEA_API_KEY=... python examples/chat_bot.py "/generate lofi, rain | Night Bus"
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

import anyio
import msgspec

from suno_async import (
    AuthenticationError,
    Clip,
    Clock,
    ConfigError,
    Event,
    GenerateRequest,
    GenerateTask,
    GenerationSubmitted,
    InsufficientCreditsError,
    MountseaClient,
    NotEnoughClipsError,
    RateLimitError,
    SessionPrepared,
    SunoError,
    SystemClock,
    TaskFailedError,
    TaskStatusChanged,
    TaskTimeoutError,
    TrainingSubmitted,
    UploadFailed,
    UploadFinished,
)

__all__ = ["HELP", "MusicBot", "StatusMessage", "main"]

logger = logging.getLogger("chat_bot")

M = TypeVar("M")  # the chat platform's message object

#: Wall-clock seconds one edit of a status message may take before it is given up.
EDIT_TIMEOUT = 10.0

HELP = """Commands:
/generate TAGS | TITLE | LYRICS  a song (leave out LYRICS for an instrumental)
/train NAME URL URL ...  train a custom model on 6 or more audio URLs
/help  this text"""

_GENERATE_STATUS = {
    "queued": "Queued at the provider…",
    "running": "Composing…",
    "stream": "Almost there: the first audio is streaming…",
    "success": "Done; collecting the clips…",
}
_TRAINING_STATUS = {
    "ready": "Training starts soon…",
    "running": "Training (usually 2-3 minutes)…",
    "success": "Trained; finishing…",
}


class StatusMessage(Generic[M]):
    """One chat message that shows the latest progress line.

    :meth:`show` only records the line and returns at once; :meth:`run` (a background task)
    edits the message to the latest line, at most once per ``interval`` seconds of ``clock``,
    skipping lines that were replaced before their turn. :meth:`close` stops it and edits the
    final text in at once. An edit that fails (the message was deleted, the platform refused)
    is logged and does not stop the work.
    """

    def __init__(
        self,
        message: M,
        text: str,
        edit: Callable[[M, str], Awaitable[object]],
        *,
        clock: Clock,
        interval: float,
        max_length: int,
    ) -> None:
        self._message = message
        self._edit = edit
        self._clock = clock
        self._interval = interval
        self._max_length = max_length
        self._shown = text
        self._latest = text
        self._changed = anyio.Event()
        self._lock = anyio.Lock()

    def show(self, text: str) -> None:
        """Make ``text`` the line to show next (the latest call wins)."""
        self._latest = text
        self._changed.set()

    async def run(self) -> None:
        """Edit the message whenever the line changed, throttled; runs until cancelled."""
        while True:
            await self._changed.wait()
            self._changed = anyio.Event()
            await self._apply(self._latest)
            await self._clock.sleep_until(self._clock.now() + self._interval)

    async def close(self, text: str) -> None:
        """Show ``text`` now, whatever the throttle says (call after cancelling :meth:`run`)."""
        await self._apply(text)

    async def _apply(self, text: str) -> None:
        if len(text) > self._max_length:
            text = text[: self._max_length - 1] + "…"
        # Shielded, so cancelling run() does not cut an edit in half; bounded in wall time, so
        # a chat API that hangs cannot hold the command forever.
        with anyio.move_on_after(EDIT_TIMEOUT, shield=True):
            async with self._lock:
                if text == self._shown:
                    return
                try:
                    await self._edit(self._message, text)
                except Exception:
                    logger.warning("could not edit the status message", exc_info=True)
                    return
                self._shown = text


class MusicBot:
    """The bot's commands, for any chat platform.

    Args:
        client: an open :class:`MountseaClient`, shared by every command (and every chat).
        model: the model ``/generate`` uses until ``/train`` makes a custom one. This example
            keeps one model per bot; a real bot would keep one per user or chat.
        min_edit_interval: seconds (of the client's clock) between two edits of a status
            message.
        max_concurrent_jobs: commands that may call the provider at once; the others wait,
            showing "Waiting for a free slot".
        max_length: the platform's longest message (Discord: 2000, Telegram: 4096).
    """

    def __init__(
        self,
        client: MountseaClient,
        *,
        model: str = "chirp-v55",
        min_edit_interval: float = 3.0,
        max_concurrent_jobs: int = 4,
        max_length: int = 2000,
    ) -> None:
        self.client = client
        self.model = model
        self._interval = min_edit_interval
        self._max_length = max_length
        self._jobs = anyio.CapacityLimiter(max_concurrent_jobs)

    async def handle(
        self,
        command: str,
        reply: Callable[[str], Awaitable[M]],
        edit: Callable[[M, str], Awaitable[object]],
    ) -> None:
        """Carry out one command, answering through ``reply`` and ``edit``.

        Sends exactly one message per command (help, a usage hint, or the status message that
        is then edited to the final answer). Errors of the library become a friendly final
        line; anything else (a bug) propagates to the adapter.
        """
        name, _, rest = command.strip().lstrip("/!").partition(" ")
        name, rest = name.lower(), rest.strip()
        if name == "generate":
            parts = [part.strip() for part in rest.split("|", 2)]
            if not parts[0]:
                await reply("Usage: /generate TAGS | TITLE | LYRICS")
                return
            await self._run(
                reply, edit, "Working on your song…", lambda s: self._generate(s, parts)
            )
        elif name == "train":
            words = rest.split()
            urls = [w for w in words if w.startswith(("http://", "https://"))]
            title = " ".join(w for w in words if w not in urls)
            if not title or len(urls) < 6:
                await reply("Usage: /train NAME URL URL URL URL URL URL (at least six URLs)")
                return
            await self._run(
                reply, edit, f"Training '{title}'…", lambda s: self._train(s, title, urls)
            )
        else:
            await reply(HELP)

    async def _run(
        self,
        reply: Callable[[str], Awaitable[M]],
        edit: Callable[[M, str], Awaitable[object]],
        first_line: str,
        work: Callable[[StatusMessage[M]], Awaitable[str]],
    ) -> None:
        message = await reply(first_line)
        status = StatusMessage(
            message,
            first_line,
            edit,
            clock=self.client.clock,
            interval=self._interval,
            max_length=self._max_length,
        )
        async with anyio.create_task_group() as tg:
            tg.start_soon(status.run)
            try:
                if self._jobs.available_tokens == 0:
                    status.show("Waiting for a free slot…")
                async with self._jobs:
                    final = await work(status)
            except SunoError as exc:
                final = _explain(exc)
            finally:
                tg.cancel_scope.cancel()
        await status.close(final)

    async def _generate(self, status: StatusMessage[M], parts: list[str]) -> str:
        tags = parts[0]
        title = parts[1] if len(parts) > 1 and parts[1] else None
        lyrics = parts[2] if len(parts) > 2 and parts[2] else None

        def on_event(event: Event) -> None:
            match event:
                case GenerationSubmitted():
                    status.show("Submitted; waiting for the provider…")
                case TaskStatusChanged(kind="generate", status=state):
                    status.show(_GENERATE_STATUS.get(state, f"Status: {state}…"))

        request = GenerateRequest(
            task=GenerateTask.CREATE,
            model=self.model,
            tags=tags,
            title=title or msgspec.UNSET,
            prompt=lyrics or msgspec.UNSET,
            make_instrumental=True if lyrics is None else msgspec.UNSET,
        )
        clips = await self.client.generate_and_wait(request, on_event=on_event)
        return _describe_clips(title or tags, clips)

    async def _train(self, status: StatusMessage[M], name: str, urls: list[str]) -> str:
        uploaded = 0

        def on_event(event: Event) -> None:
            nonlocal uploaded
            match event:
                case SessionPrepared():
                    status.show(f"Uploading {len(urls)} tracks…")
                case UploadFinished():
                    uploaded += 1
                    status.show(f"Uploaded {uploaded} of {min(len(urls), 6)} tracks…")
                case UploadFailed(url=url, will_retry=again):
                    tail = "retrying" if again else "using a spare if there is one"
                    status.show(f"Upload of {url.rsplit('/', 1)[-1]} failed; {tail}…")
                case TrainingSubmitted(clip_count=count):
                    status.show(f"Training on {count} clips…")
                case TaskStatusChanged(kind="training", status=state):
                    status.show(_TRAINING_STATUS.get(state, f"Training: {state}…"))

        result = await self.client.train_custom_model(urls, name=name, on_event=on_event)
        self.model = result.model_id
        return f"✅ Model '{name}' is ready: {result.model_id}\n/generate now uses it."


def _describe_clips(heading: str, clips: Sequence[Clip]) -> str:
    lines = [f"✅ {heading}: {len(clips)} clips"]
    lines += [f"• {clip.title or clip.id}: {clip.audio_url}" for clip in clips]
    return "\n".join(lines)


def _explain(exc: SunoError) -> str:
    """A line for the chat: what went wrong and what the user can do about it."""
    match exc:
        case NotEnoughClipsError():
            return "❌ Not enough tracks could be uploaded (6 are needed); no credits were spent."
        case ConfigError():
            return f"❌ {exc.args[0] if exc.args else exc}"
        case InsufficientCreditsError():
            return "❌ The account is out of credits. Try again once it is topped up."
        case AuthenticationError():
            return "❌ The bot's API key was refused; tell the bot's owner."
        case RateLimitError():
            return "❌ The provider is busy; try again in a minute."
        case TaskFailedError(fail_reason=reason):
            return f"❌ The provider could not do it: {reason or 'no reason given'}"
        case TaskTimeoutError():
            return "❌ This took too long; try again later."
    return f"❌ Something went wrong: {type(exc).__name__}"


# -- running it in a terminal ------------------------------------------------------------------


@asynccontextmanager
async def open_client(
    *, emulator: bool, speed: float
) -> AsyncIterator[tuple[MountseaClient, list[str]]]:
    """A client and six audio URLs to train on: on the in-process emulator (its clock runs
    ``speed`` times as fast as real time), or on the provider named by ``MOUNTSEA_API_KEY`` and
    ``MOUNTSEA_BASE_URL`` (no sample URLs then)."""
    if not emulator:
        async with MountseaClient() as client:
            yield client, []
        return
    from suno_async.emulator import Emulator, EmulatorConfig

    clock = SystemClock(speed)
    async with (
        Emulator(EmulatorConfig(), clock=clock) as emu,
        MountseaClient(api_key="emulator", base_url=emu.base_url, clock=clock) as client,
    ):
        yield client, emu.sample_audio_urls(6)


async def run(commands: Sequence[str], *, emulator: bool, speed: float, interval: float) -> None:
    """Run ``commands`` one after another, printing what the bot sends and edits."""

    async def reply(text: str) -> int:
        print(f"bot> {text}")
        return 0

    async def edit(_message: int, text: str) -> None:
        print(f"bot (edit)> {text}")

    async with open_client(emulator=emulator, speed=speed) as (client, sample_urls):
        bot = MusicBot(client, min_edit_interval=interval)
        if not commands:
            commands = [
                "/help",
                "/generate synthwave, night drive | Neon Rain",
                f"/train Emulated Band {' '.join(sample_urls)}",
                "/generate indie pop | Our Song | [Verse]\nWe trained a model tonight",
            ]
        for command in commands:
            print(f"\nyou> {command}")
            await bot.handle(command, reply, edit)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: run the given commands (or, with ``--emulator``, a demo script)."""
    parser = argparse.ArgumentParser(description="Try the music chat bot in a terminal.")
    parser.add_argument("commands", nargs="*", help="commands to send, e.g. '/generate lofi'")
    parser.add_argument("--emulator", action="store_true", help="use the in-process emulator")
    parser.add_argument("--speed", type=float, default=100.0, help="emulator speed-up (100)")
    parser.add_argument(
        "--edit-interval", type=float, default=3.0, help="seconds between edits (3)"
    )
    args = parser.parse_args(argv)
    if not args.emulator and not args.commands:
        parser.error("give commands to send, or --emulator for a demo")
    logging.basicConfig(level=logging.WARNING)
    anyio.run(
        lambda: run(
            args.commands, emulator=args.emulator, speed=args.speed, interval=args.edit_interval
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
