"""Recognising audio (and MIDI, images, video) by the first bytes of a body (a
``Content-Type`` proves nothing: CDNs send audio as ``application/octet-stream``,
``text/plain`` and worse)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, Literal

__all__ = ["CONTENT_KINDS", "ContentKind", "looks_like", "looks_like_audio"]

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


#: What a download may hold: its kind of content, checked by its first bytes.
ContentKind = Literal["audio", "midi", "image", "video"]


def looks_like_midi(head: bytes) -> bool:
    """True for a Standard MIDI File (``MThd``)."""
    return head.startswith(b"MThd")


def looks_like_image(head: bytes) -> bool:
    """True for PNG, JPEG, GIF or WebP."""
    return head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    )


def looks_like_video(head: bytes) -> bool:
    """True for MP4/QuickTime (``....ftyp``) or WebM/Matroska (the EBML magic)."""
    return head[4:8] == b"ftyp" or head.startswith(b"\x1a\x45\xdf\xa3")


#: The check of each kind of content.
CONTENT_KINDS: Final[Mapping[str, Callable[[bytes], bool]]] = {
    "audio": looks_like_audio,
    "midi": looks_like_midi,
    "image": looks_like_image,
    "video": looks_like_video,
}


def looks_like(kind: str, head: bytes) -> bool:
    """True if ``head`` starts like content of ``kind`` (see :data:`CONTENT_KINDS`)."""
    return CONTENT_KINDS[kind](head)
