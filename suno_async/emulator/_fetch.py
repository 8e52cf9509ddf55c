"""Fetching an upload's ``audioUrl`` the way mountsea.ai must: really, and only once.

:func:`probe_audio` downloads the URL with the emulator's own :class:`aiohttp.ClientSession`,
streaming: it keeps only the first :data:`HEAD_BYTES` bytes (to recognise the format and read a
WAV header), counts the rest and stops after :data:`MAX_BYTES`. Timeouts are wall-clock seconds,
not emulator-clock seconds, because the network does not run on the emulator's clock.

What counts as audio is decided from the first bytes by the client's own
:func:`suno_async._core._audio.looks_like_audio` (a small utility the two share; the provider
only says "MP3, WAV and other common formats"): WAV, AIFF/AIFC, MP3 or AAC (ID3 tag or MPEG/ADTS
frame sync), FLAC, Ogg (Vorbis, Opus), MP4/M4A and ASF (WMA). The Content-Type is not looked at.

Choices where the provider is silent: redirects are followed; any status >= 400, a connection
error, a timeout or a body that is not recognisable audio all mean "Audio source not found."; a
body longer than :data:`MAX_BYTES` is judged by what was read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import aiohttp

from suno_async._core._audio import looks_like_audio
from suno_async.emulator._audio import wav_duration

__all__ = ["FETCH_TIMEOUT", "HEAD_BYTES", "MAX_BYTES", "AudioProbe", "probe_audio"]

_log = logging.getLogger("suno_async.emulator")

#: Wall-clock limit on a whole fetch (seconds).
FETCH_TIMEOUT: Final = 10.0
#: Most bytes read from one URL.
MAX_BYTES: Final = 64 * 1024 * 1024
#: Bytes kept from the start of the body, to sniff the format and parse a WAV header.
HEAD_BYTES: Final = 64 * 1024
_CHUNK: Final = 64 * 1024


@dataclass(frozen=True, slots=True)
class AudioProbe:
    """What fetching a URL found.

    Attributes:
        found: True if the URL served something that looks like audio.
        duration: Length in seconds if it was a WAV whose header could be read, else ``None``.
        detail: Why, for logs ("HTTP 404", "not audio", ...).
    """

    found: bool
    duration: float | None
    detail: str


async def probe_audio(session: aiohttp.ClientSession, url: str) -> AudioProbe:
    """Download ``url`` (streaming, at most :data:`MAX_BYTES`) and say whether it is audio.

    Never raises for network trouble: every failure is an ``AudioProbe`` with ``found=False``.
    """
    try:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
        async with session.get(url, timeout=timeout, allow_redirects=True) as resp:
            if resp.status >= 400:
                return AudioProbe(False, None, f"HTTP {resp.status}")
            head = bytearray()
            total = 0
            async for chunk in resp.content.iter_chunked(_CHUNK):
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                total += len(chunk)
                if total >= MAX_BYTES:
                    break
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return AudioProbe(False, None, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a background fetch must end with an answer, whatever happened
        _log.exception("unexpected error fetching %s", url)
        return AudioProbe(False, None, f"{type(exc).__name__}: {exc}")
    head_bytes = bytes(head)
    if not looks_like_audio(head_bytes):
        return AudioProbe(False, None, "not audio")
    return AudioProbe(True, wav_duration(head_bytes, total), f"{total} bytes")
