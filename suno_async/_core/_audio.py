"""Recognising audio by the first bytes of a body (a ``Content-Type`` proves nothing: CDNs
send audio as ``application/octet-stream``, ``text/plain`` and worse)."""

from __future__ import annotations

from typing import Final

__all__ = ["looks_like_audio"]

#: The ASF header object's GUID, which starts every WMA file.
_ASF_GUID: Final = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")


def looks_like_audio(head: bytes) -> bool:
    """True if ``head`` (the first bytes of a body, 16 are enough) starts like audio.

    Recognised: WAV (``RIFF....WAVE``), AIFF/AIFC (``FORM....AIFF``/``AIFC``), MP3 or AAC
    (``ID3`` or an MPEG/ADTS frame sync), FLAC (``fLaC``), Ogg (``OggS``), MP4/M4A
    (``....ftyp``) and WMA (the ASF header GUID). The embedded emulator uses this too, to judge
    the audio it fetches for uploads.
    """
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return True
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return True
    if head.startswith(_ASF_GUID):
        return True
    if head.startswith((b"ID3", b"fLaC", b"OggS")):
        return True
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:  # MPEG frame sync
        return True
    return head[4:8] == b"ftyp"
