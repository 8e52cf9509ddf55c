"""The status bodies the request and decode benchmarks use, made by the embedded emulator.

* ``small``: ``GET /suno/v2/status`` of a generate task still running (``data`` is ``{}``),
  about 150 bytes: what nearly every poll sees.
* ``generation``: the same task once finished: ``data`` holds its two complete clips, made about
  5 KB by long lyrics in the prompt (each clip repeats the prompt in its metadata).

They are taken from the emulator's real answers (on a virtual clock), so their shape follows
whatever the emulator sends today. Should the emulator fail to start (it is being worked on),
hand-made bodies of the same shape stand in, and :data:`SOURCE` says so.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, Final

import aiohttp
import anyio
import msgspec

#: Aimed-for size of the finished generation's status body (bytes).
GENERATION_TARGET_BYTES: Final = 5 * 1024

_VERSE: Final = (
    "[Verse]\nNeon rivers running through the city after midnight,\n"
    "every window hums a different song,\n"
)


def _lyrics(chars: int) -> str:
    text = ""
    n = 0
    while len(text) < chars:
        n += 1
        text += _VERSE.replace("[Verse]", f"[Verse {n}]")
    return text[:chars]


async def _fetch(prompt_chars: int) -> dict[str, bytes]:
    from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock

    clock = VirtualClock()
    async with (
        Emulator(EmulatorConfig(), clock=clock) as emu,
        aiohttp.ClientSession(headers={"Authorization": "Bearer bench"}) as http,
    ):
        body = {
            "task": "create",
            "model": "chirp-v45",
            "title": "Neon Rivers",
            "tags": "synthwave, dreamy, female vocals",
            "prompt": _lyrics(prompt_chars),
        }
        async with http.post(f"{emu.base_url}/suno/v2/generate", json=body) as resp:
            resp.raise_for_status()
            task_id = (await resp.json())["taskId"]
        url = f"{emu.base_url}/suno/v2/status"
        clock.advance(5.0)  # past "queued", before "stream": running, data {}
        async with http.get(url, params={"taskId": task_id}) as resp:
            small = await resp.read()
        clock.advance(emu.config.generate_seconds)
        async with http.get(url, params={"taskId": task_id}) as resp:
            generation = await resp.read()
    return {"small": small, "generation": generation}


def _clip(clip_id: str, prompt: str) -> dict[str, Any]:
    return {
        "id": clip_id,
        "title": "Neon Rivers",
        "status": "complete",
        "audio_url": f"http://127.0.0.1:8080/cdn/audio/{clip_id}.wav",
        "video_url": "",
        "image_url": None,
        "image_large_url": None,
        "is_video_pending": False,
        "model_name": "chirp-v45",
        "created_at": "2024-01-01T00:00:00.000Z",
        "metadata": {
            "tags": "synthwave, dreamy, female vocals",
            "prompt": prompt,
            "gpt_description_prompt": None,
            "type": "gen",
            "duration": 6.0,
            "stream": True,
        },
        "play_count": 0,
        "upvote_count": 0,
        "is_public": False,
    }


def _hand_made(prompt_chars: int) -> dict[str, bytes]:
    task_id = str(uuid.UUID(int=1))
    head = {"taskId": task_id, "createdAt": "2024-01-01T00:00:00.000Z"}
    prompt = _lyrics(prompt_chars)
    clips = [_clip(str(uuid.UUID(int=2)), prompt), _clip(str(uuid.UUID(int=3)), prompt)]
    return {
        "small": msgspec.json.encode({**head, "status": "running", "data": {}}),
        "generation": msgspec.json.encode(
            {**head, "status": "success", "finishAt": "2024-01-01T00:00:45.000Z", "data": clips}
        ),
    }


#: Where :func:`payloads` got its bodies: ``"emulator"`` or ``"hand-made"``.
SOURCE = "emulator"


@functools.cache
def payloads() -> dict[str, bytes]:
    """``{"small": ..., "generation": ...}``: status bodies as the emulator sends them."""
    global SOURCE

    def from_emulator(prompt_chars: int) -> dict[str, bytes]:
        return anyio.run(_fetch, prompt_chars)

    make: Callable[[int], dict[str, bytes]] = from_emulator
    try:
        base = make(0)
    except Exception:  # the emulator is broken right now: stand in for it
        SOURCE = "hand-made"
        base = _hand_made(0)
        make = _hand_made
    overhead = len(base["generation"])
    # Two clips each carry the prompt once; pick the prompt length that lands near the target.
    chars = max(0, (GENERATION_TARGET_BYTES - overhead) // 2)
    return make(chars)


if __name__ == "__main__":
    for name, raw in payloads().items():
        print(f"{name}: {len(raw)} bytes ({SOURCE})")
