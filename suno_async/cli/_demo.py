"""``suno-async demo``: on the embedded emulator, train a custom model on mountsea, generate a
song with it, make a pure-music track on sunoapi, and download everything.

Progress goes to standard error (bars on a terminal, lines otherwise), the summary to standard
output. The summary counts credits as the progress does: the client's ``credits_spent`` (calls
of known price), with the uploads' fee "unknown" (mountsea publishes no upload price).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import anyio

from suno_async._core._clock import SystemClock
from suno_async.cli import _convert
from suno_async.cli._exit import EXIT_INTERRUPTED, EXIT_OK
from suno_async.cli._parser import DEFAULT_EMULATOR_SPEED, Commands, Handler, Parser, add_command
from suno_async.cli._progress import (
    NO_UPLOAD_PRICE,
    Display,
    PlainDisplay,
    forward_warnings,
    make_display,
    stderr_line,
)
from suno_async.mountsea._client import MountseaClient
from suno_async.mountsea._constants import MIN_TRAINING_CLIPS
from suno_async.mountsea._models import GenerateRequest, GenerateTask
from suno_async.sunoapi._client import SunoapiClient

__all__ = ["add_commands", "run_demo"]

_LYRICS = """[Verse]
Six small songs went in the night
The model learned to hum them right

[Chorus]
Play it back, play it loud
An emulated summer crowd"""


async def run_demo(
    *,
    output: Path,
    speed: float,
    out: Callable[[str], None] = print,
    display: Display | None = None,
) -> dict[str, object]:
    """Run the whole demo against an in-process emulator; return the summary it prints.

    Progress goes to ``display`` (the command line's: bars on a terminal), by default as plain
    lines on standard error; the summary goes through ``out``.
    """
    from suno_async.emulator import Emulator, EmulatorConfig

    started = time.perf_counter()
    clock = SystemClock(speed)
    show = display if display is not None else PlainDisplay(stderr_line)

    async with Emulator(EmulatorConfig(speed=speed), clock=clock) as emulator:
        show.message(f"emulator listening on {emulator.base_url} (speed x{speed:g})")
        show.section("mountsea: train a custom model, generate a song with it")
        async with MountseaClient(
            api_key="demo-key", base_url=emulator.base_url, clock=clock
        ) as client:
            training = await client.train_custom_model(
                emulator.sample_audio_urls(MIN_TRAINING_CLIPS), name="Demo Model", on_event=show
            )
            request = GenerateRequest(
                task=GenerateTask.CREATE,
                model=training.model_id,
                prompt=_LYRICS,
                tags="Pop, Upbeat",
                title="Emulated Summer",
            )
            clips = await client.generate_and_wait(request, on_event=show)
            files = await client.download_clips(clips, output, on_event=show)
            requests, retries = client.stats.requests, client.stats.retries
            spent = client.credits_spent
        show.section("sunoapi: custom pure music, v3.5")
        async with SunoapiClient(
            api_key="demo-key", base_url=emulator.base_url, clock=clock
        ) as sunoapi:
            music = await sunoapi.pure_music("epic reggae", "Electric Dreams", on_event=show)
            music_files = await sunoapi.download_clips(music, output, on_event=show)
            requests += sunoapi.stats.requests
            retries += sunoapi.stats.retries
            sunoapi_spent = sunoapi.credits_spent
        summary: dict[str, object] = {
            "model_id": training.model_id,
            "session_id": training.session_id,
            "training_clip_ids": list(training.clip_ids),
            "generated_clip_ids": [clip.id for clip in clips],
            "pure_music_clip_ids": [clip.id for clip in music],
            "files": [str(path) for path in [*files, *music_files]],
            "credits_spent": spent,
            "upload_fees": f"unknown ({training.uploads} uploads; {NO_UPLOAD_PRICE})",
            "sunoapi_credits_spent": sunoapi_spent,
            "requests_made": requests,
            "retries": retries,
            "elapsed_seconds": round(time.perf_counter() - started, 2),
        }
    show.close()  # the bars end above the summary
    out("summary")
    width = max(len(key) for key in summary)
    for key, value in summary.items():
        if isinstance(value, list):
            out(f"  {key:<{width}}  {value[0] if value else ''}")
            for item in value[1:]:
                out(f"  {'':<{width}}  {item}")
        else:
            out(f"  {key:<{width}}  {value}")
    return summary


def _execute(args: argparse.Namespace) -> int:
    display = make_display(
        json=False,
        events=False,
        quiet=False,
        terminal=sys.stderr.isatty(),
    )
    try:
        with display, forward_warnings(display):
            anyio.run(lambda: run_demo(output=args.output, speed=args.speed, display=display))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK


def _check(args: argparse.Namespace) -> None:
    """Nothing to check beyond what the parser did."""


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``demo``."""
    demo = add_command(
        commands,
        "demo",
        handler=Handler(check=_check, execute=_execute, client=False),
        summary="train a custom model, generate songs and download them, all on the emulator",
        description="Starts the embedded emulator in-process, trains a custom model on mountsea "
        "from six sample tracks, generates a song with it, makes a pure-music track on sunoapi "
        "(v3.5) and downloads the audio. No key, no credits, no network. Progress goes to "
        "standard error, the summary to standard output.",
    )
    demo.add_argument(
        "--output", type=Path, default=Path("suno-output"), help="where audio goes (%(default)s)"
    )
    demo.add_argument(
        "--speed",
        type=_convert.positive_float,
        default=DEFAULT_EMULATOR_SPEED,
        help="how much faster than the real service the emulator runs (%(default)s)",
    )
