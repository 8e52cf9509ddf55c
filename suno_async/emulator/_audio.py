"""Audio the emulator makes, and what it reads from a fetched WAV's header.

:func:`synth_wav` writes a real, playable WAV (16-bit PCM, mono, 22050 Hz, so 44,100 bytes per
second): a little melody whose notes are drawn from a pentatonic scale by a random generator
seeded with a string (a clip id, a sample name), so the same seed always gives the same bytes
and different seeds give different tracks. Each note is a whole number of periods of one
precomputed wave, so notes join without clicks and synthesis is array copying, not a per-sample
loop (a 600 s clip takes well under a second).

Synthesised WAVs are cached, bounded by their total size (the least recently used go first):
:data:`WAV_CACHE_BYTES` (64 MiB) holds about 250 clips of the default 6 s (264,644 bytes each)
but only two of the 600 s maximum (26,460,044 bytes each). A WAV larger than the whole budget is
not cached at all.

Whether fetched bytes are audio at all is decided by the client's own
:func:`suno_async._core._audio.looks_like_audio` (see :mod:`suno_async.emulator._fetch`).
"""

from __future__ import annotations

import io
import math
import random
import sys
import threading
import wave
from array import array
from collections import OrderedDict
from typing import Final

__all__ = [
    "AUDIO_EXTENSIONS",
    "SAMPLE_RATE",
    "WAV_CACHE",
    "WAV_CACHE_BYTES",
    "WavCache",
    "has_audio_extension",
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

#: Most bytes the cache of synthesised WAVs holds (64 MiB).
WAV_CACHE_BYTES: Final = 64 * 1024 * 1024


class WavCache:
    """Synthesised WAVs by ``(seed, seconds)``, least recently used out first, bounded in bytes.

    Args:
        max_bytes: The most bytes of WAV data held at once; a WAV larger than this is never
            held. Thread-safe: emulators may run in several threads of one process.
    """

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes!r}")
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, float], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Bytes of WAV data held now."""
        return self._size

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[str, float]) -> bytes | None:
        """The WAV stored under ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: tuple[str, float], data: bytes) -> None:
        """Store ``data`` under ``key``, dropping the least recently used WAVs to make room."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            while self._items and self._size + len(data) > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)
            self._items[key] = data
            self._size += len(data)

    def clear(self) -> None:
        """Drop every WAV."""
        with self._lock:
            self._items.clear()
            self._size = 0


#: The cache :func:`synth_wav` uses.
WAV_CACHE: Final = WavCache(WAV_CACHE_BYTES)


def synth_wav(seed: str, seconds: float) -> bytes:
    """A complete WAV file of ``seconds`` seconds (rounded to whole frames) seeded by ``seed``.

    Deterministic: equal arguments give equal bytes. Results are kept in :data:`WAV_CACHE`.
    """
    key = (seed, seconds)
    cached = WAV_CACHE.get(key)
    if cached is not None:
        return cached
    data = _synth(seed, seconds)
    WAV_CACHE.put(key, data)
    return data


def _synth(seed: str, seconds: float) -> bytes:
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
