"""Downloading clips' audio into a directory, a few at a time, resuming broken transfers."""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Final
from urllib.parse import urlsplit

import anyio

from suno_async._core._concurrency import run_all
from suno_async._core._events import DownloadFinished, EventHandler, emit
from suno_async._core._exceptions import ConfigError
from suno_async._core._models import Clip
from suno_async._core._validation import check_positive_int

__all__ = ["clip_filenames", "download_clips"]

_UNSAFE_FILENAME: Final = re.compile(r"[^A-Za-z0-9._-]")


def clip_filenames(clips: Sequence[Clip]) -> list[str]:
    """One safe file name per clip: ``<clip id><extension of its audio URL>``.

    Characters other than letters, digits, ``.``, ``_`` and ``-`` become ``_`` (an id from the
    server never names a path outside the target directory), ``.mp3`` stands in when the URL
    shows no extension, and repeated names get ``-2``, ``-3``, ... appended.
    """
    names: list[str] = []
    seen: set[str] = set()
    for clip in clips:
        suffix = PurePosixPath(urlsplit(clip.audio_url or "").path).suffix.lower()
        if not suffix or len(suffix) > 5 or _UNSAFE_FILENAME.search(suffix[1:]):
            suffix = ".mp3"
        stem = _UNSAFE_FILENAME.sub("_", clip.id).lstrip(".") or "clip"
        name, n = stem + suffix, 1
        while name in seen:
            n += 1
            name = f"{stem}-{n}{suffix}"
        seen.add(name)
        names.append(name)
    return names


async def download_clips(
    fetch: Callable[[str, anyio.Path], Awaitable[int]],
    clips: Sequence[Clip],
    directory: str | os.PathLike[str],
    *,
    max_concurrency: int,
    overwrite: bool,
    on_event: EventHandler | None,
) -> list[Path]:
    """See :meth:`BaseClient.download_clips`; ``fetch(url, path)`` downloads one file.

    Returns plain :class:`pathlib.Path` objects (the work itself uses ``anyio.Path``, so no
    file operation blocks the event loop)."""
    check_positive_int("max_concurrency", max_concurrency)
    missing = [clip.id for clip in clips if not clip.audio_url]
    if missing:
        raise ConfigError(
            f"clips without an audio_url cannot be downloaded: {', '.join(missing)}. "
            "Wait until they are complete.",
            argument="clips",
        )
    target = anyio.Path(directory)
    await target.mkdir(parents=True, exist_ok=True)
    semaphore = anyio.Semaphore(max_concurrency)
    paths = [target / name for name in clip_filenames(clips)]

    def job(clip: Clip, path: anyio.Path) -> Callable[[], Awaitable[None]]:
        async def download() -> None:
            if not overwrite and await path.exists():
                # Files appear only by an atomic rename once complete: this one is whole.
                size = (await path.stat()).st_size
                await emit(
                    on_event,
                    DownloadFinished(clip_id=clip.id, path=str(path), size=size, skipped=True),
                )
                return
            async with semaphore:
                size = await fetch(clip.audio_url or "", path)
            await emit(on_event, DownloadFinished(clip_id=clip.id, path=str(path), size=size))

        return download

    await run_all(job(clip, path) for clip, path in zip(clips, paths, strict=True))
    return [Path(path) for path in paths]
