"""Audio the emulator makes and audio it recognises.

:func:`synth_wav` writes a real, playable WAV (16-bit PCM, mono, 22050 Hz): a little melody whose
notes are drawn from a pentatonic scale by a random generator seeded with a string (a clip id, a
sample name), so the same seed always gives the same bytes and different seeds give different
tracks. Each note is a whole number of periods of one precomputed wave, so notes join without
clicks and synthesis is array copying, not a per-sample loop.

:func:`sniff_audio` decides from a file's first bytes whether it is audio. The provider only says
"MP3, WAV and other common formats"; the emulator accepts the signatures of the formats the
provider's sibling product lists (mp3, wav, flac, m4a, aac, ogg, wma, opus) plus AIFF:
``RIFF....WAVE``, ``ID3``, an MPEG/ADTS frame sync (``0xFFE``), ``fLaC``, ``OggS``,
``....ftyp``, ``FORM....AIFF``/``AIFC`` and the ASF header GUID.
"""

from __future__ import annotations

import io
import math
import random
import sys
import wave
from array import array
from functools import lru_cache
from typing import Final

__all__ = [
    "AUDIO_EXTENSIONS",
    "SAMPLE_RATE",
    "has_audio_extension",
    "sniff_audio",
    "synth_wav",
    "wav_duration",
]

#: Frames per second of every synthesised WAV.
SAMPLE_RATE: Final = 22050
#: Path endings that count as audio on an offline host.
AUDIO_EXTENSIONS: Final = (".mp3", ".wav", ".flac", ".m4a", ".ogg", ".aac")

_AMPLITUDE: Final = 0.3 * 32767
# Pentatonic major scale, in semitones above the tonic, over two octaves.
_SCALE: Final = (0, 2, 4, 7, 9, 12, 14, 16, 19, 21)
_NOTE_SECONDS: Final = (0.25, 0.25, 0.5, 0.5, 0.75)
_ASF_GUID: Final = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")


@lru_cache(maxsize=64)
def synth_wav(seed: str, seconds: float) -> bytes:
    """A complete WAV file of ``seconds`` seconds (rounded to whole frames) seeded by ``seed``.

    Deterministic: equal arguments give equal bytes. Results are cached.
    """
    rng = random.Random(f"suno_async.emulator:{seed}")
    tonic = rng.randint(52, 64)  # MIDI note number, E3 to E4
    total = max(1, round(seconds * SAMPLE_RATE))
    samples = array("h")
    while len(samples) < total:
        midi = tonic + rng.choice(_SCALE)
        samples.extend(_note(midi, rng.choice(_NOTE_SECONDS)))
    del samples[total:]
    if sys.byteorder == "big":  # WAV is little-endian
        samples.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _note(midi: int, seconds: float) -> array[int]:
    """Whole periods of one tone (a sine with a soft second harmonic) lasting about ``seconds``."""
    frequency = 440.0 * 2.0 ** ((midi - 69) / 12)
    period = max(2, round(SAMPLE_RATE / frequency))
    wave_: array[int] = array(
        "h",
        (
            int(
                _AMPLITUDE
                * (
                    0.8 * math.sin(2 * math.pi * k / period)
                    + 0.2 * math.sin(4 * math.pi * k / period)
                )
            )
            for k in range(period)
        ),
    )
    repeats: int = max(1, round(seconds * SAMPLE_RATE / period))
    return wave_ * repeats


def sniff_audio(head: bytes) -> bool:
    """True if ``head`` (the first bytes of a file, at least 12 to be sure) looks like audio."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return True
    if len(head) >= 12 and head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return True
    if head[:3] == b"ID3" or head[:4] in (b"fLaC", b"OggS"):
        return True
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return True
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return True
    return head[:16] == _ASF_GUID


def wav_duration(head: bytes, total_size: int | None = None) -> float | None:
    """Length in seconds of the WAV whose first bytes are ``head``, or ``None`` if unknown.

    ``head`` must reach the start of the ``data`` chunk. ``total_size`` is how many bytes the
    whole file had; when given, a ``data`` size larger than what was there (a header written for
    streaming) is cut to what was there. The result is rounded to milliseconds.
    """
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos = 12
    byte_rate = 0
    while pos + 8 <= len(head):
        chunk_id = head[pos : pos + 4]
        size = int.from_bytes(head[pos + 4 : pos + 8], "little")
        body = pos + 8
        if chunk_id == b"fmt ":
            if body + 12 > len(head):
                return None
            byte_rate = int.from_bytes(head[body + 8 : body + 12], "little")
        elif chunk_id == b"data":
            if byte_rate <= 0:
                return None
            if total_size is not None:
                size = max(0, min(size, total_size - body))
            return round(size / byte_rate, 3)
        pos = body + size + (size & 1)
    return None


def has_audio_extension(path: str) -> bool:
    """True if a URL path ends in one of :data:`AUDIO_EXTENSIONS` (case-insensitive)."""
    return path.lower().endswith(AUDIO_EXTENSIONS)
