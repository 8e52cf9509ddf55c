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
    if len(head) >= 3 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        return _is_mpeg_or_adts_header(head[1], head[2])
    return head[4:8] == b"ftyp"


def _is_mpeg_or_adts_header(second: int, third: int) -> bool:
    """Whether the bytes after an 11-bit frame sync make a valid MPEG audio or AAC ADTS header
    (so a UTF-16 text's byte-order mark ``FF FE`` is not taken for one)."""
    if (second >> 1) & 0b11 == 0:  # layer "00": an AAC ADTS header
        return second & 0xF0 == 0xF0 and (third >> 2) & 0xF < 13  # 12-bit sync, a known rate
    if (second >> 1) & 0b11 == 0b11:
        return False  # Layer I: all but unused, and what UTF-16 text's "FF FE" would read as
    version = (second >> 3) & 0b11
    bitrate = third >> 4
    sampling = (third >> 2) & 0b11
    return version != 0b01 and bitrate != 0b1111 and sampling != 0b11
