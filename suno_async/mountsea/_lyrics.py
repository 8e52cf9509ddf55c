"""mountsea's lyrics, concat and playlists: ``POST /suno/v2/lyrics``, ``/concat`` and
``/playlist/create``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import msgspec

from suno_async._core._exceptions import ConfigError
from suno_async._core._handles import TaskHandle
from suno_async._core._models import TaskKind
from suno_async._core._validation import check_bool, check_id, check_ids, check_name, check_text
from suno_async.mountsea import _constants as c
from suno_async.mountsea._audio_tools import _choice
from suno_async.mountsea._models import TaskSnapshot
from suno_async.mountsea._task_results import (
    ClipsResult,
    LyricsResult,
    ToolsBase,
    clips_result,
    lyrics_result,
)
from suno_async.mountsea._tool_models import (
    ConcatRequest,
    LyricsRequest,
    PlaylistCreated,
    PlaylistRequest,
)

__all__ = ["LyricsAPI"]

_PLAYLIST: Final = msgspec.json.Decoder(PlaylistCreated)


class LyricsAPI(ToolsBase):
    """Lyrics, concat (a whole song from an extension) and playlists (for ``inspiration``)."""

    async def lyrics(
        self, prompt: str, *, lyrics_model: str = "default", resend_if_ambiguous: bool = False
    ) -> TaskHandle[TaskSnapshot, LyricsResult]:
        """``POST /suno/v2/lyrics``: write lyrics from ``prompt``; a handle whose wait returns
        a :class:`LyricsResult` (``text``, ``title``, and ``data`` as sent: the result schema
        is not documented).

        Raises:
            ConfigError: an empty prompt, or ``lyrics_model`` not ``"default"``/``"remi-v1"``.
        """
        text = check_text("prompt", prompt, limit=None, required=True) or ""
        lyrics_model = _choice("lyrics_model", lyrics_model, c.LYRICS_MODELS)
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        body = LyricsRequest(prompt=text, lyrics_model=lyrics_model)
        return await self._submit(
            "lyrics", body, TaskKind.LYRICS, lyrics_result, resend_if_ambiguous=resend_if_ambiguous
        )

    async def concat(
        self,
        clip_id: str,
        *,
        is_infill: bool = False,
        edit_session_id: str | None = None,
        project_id: str | None = None,
        resend_if_ambiguous: bool = False,
    ) -> TaskHandle[TaskSnapshot, ClipsResult]:
        """``POST /suno/v2/concat``: join an extension with what it extends into one whole
        song; a handle whose wait returns a :class:`ClipsResult`.

        Raises:
            ConfigError: a bad id, or ``is_infill`` without ``edit_session_id``.
        """
        check_bool("is_infill", is_infill)
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        if is_infill and edit_session_id is None:
            raise ConfigError(
                "is_infill=True needs edit_session_id (as the provider documents).",
                argument="edit_session_id",
            )
        body = ConcatRequest(
            clip_id=check_id("clip_id", clip_id),
            is_infill=is_infill,
            edit_session_id=(
                msgspec.UNSET
                if edit_session_id is None
                else check_id("edit_session_id", edit_session_id)
            ),
            project_id=msgspec.UNSET if project_id is None else check_id("project_id", project_id),
        )
        return await self._submit(
            "concat", body, TaskKind.EDIT, clips_result, resend_if_ambiguous=resend_if_ambiguous
        )

    async def create_playlist(self, clip_ids: Sequence[str], *, name: str = "Untitled") -> str:
        """``POST /suno/v2/playlist/create``: a playlist of 1 to 4 clips of one account (for
        ``generate(task="inspiration", playlist_id=...)``); return its id. Answers at once.

        Raises:
            ConfigError: no clips, more than four, or an empty name.
        """
        ids = check_ids("clip_ids", clip_ids)
        if len(ids) > c.PLAYLIST_MAX_CLIPS:
            raise ConfigError(
                f"clip_ids takes at most {c.PLAYLIST_MAX_CLIPS} clips, got {len(ids)}.",
                argument="clip_ids",
            )
        body = PlaylistRequest(clip_ids=ids, name=check_name("name", name))
        created = await self._core.call(
            "POST", "/suno/v2/playlist/create", _PLAYLIST, body=body, safe=False
        )
        return created.playlist_id
