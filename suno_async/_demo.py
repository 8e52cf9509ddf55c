"""The demo: on the embedded emulator, train a custom model, generate a song with it, make a
pure-music track on the second provider, and download everything."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from suno_async._cli_progress import Display, PlainDisplay
from suno_async._client import SunoClient
from suno_async._clock import SystemClock
from suno_async._sunoapi_client import SunoApiClient
from suno_async.models.mountsea import GenerateRequest, GenerateTask

__all__ = ["run_demo"]

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

    Progress goes to ``display`` (the command line's, so bars on a terminal), by default as
    plain lines through ``out``; everything else goes through ``out``.
    """
    from suno_async.emulator import Emulator, EmulatorConfig

    started = time.perf_counter()
    clock = SystemClock(speed)
    show = display if display is not None else PlainDisplay(out)

    async with Emulator(EmulatorConfig(speed=speed), clock=clock) as emulator:
        out(f"emulator listening on {emulator.base_url} (speed x{speed:g})")
        credits_before = emulator.credits
        async with SunoClient(
            api_key="demo-key", base_url=emulator.base_url, clock=clock
        ) as client:
            training = await client.train_custom_model(
                emulator.sample_audio_urls(6), name="Demo Model", on_event=show
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
        show.message("sunoapi.com: custom pure music, v3.5")
        sunoapi_before = emulator.sunoapi_credits
        async with SunoApiClient(
            api_key="demo-key", base_url=emulator.base_url, clock=clock
        ) as sunoapi:
            music = await sunoapi.pure_music("epic reggae", "Electric Dreams", on_event=show)
            music_files = await sunoapi.download_clips(music, output, on_event=show)
            requests += sunoapi.stats.requests
            retries += sunoapi.stats.retries
        summary: dict[str, object] = {
            "model_id": training.model_id,
            "session_id": training.session_id,
            "training_clip_ids": list(training.clip_ids),
            "generated_clip_ids": [clip.id for clip in clips],
            "pure_music_clip_ids": [clip.id for clip in music],
            "files": [str(path) for path in [*files, *music_files]],
            "credits_spent": credits_before - emulator.credits,
            "sunoapi_credits_spent": sunoapi_before - emulator.sunoapi_credits,
            "requests_made": requests,
            "retries": retries,
            "elapsed_seconds": round(time.perf_counter() - started, 2),
        }
    show.close()  # the bars end above the summary
    out("")
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
