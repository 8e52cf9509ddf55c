"""mountsea's uploads outside custom models: ``POST /suno/v2/upload`` (a clip id for
``upload_extend``/``upload_cover``) and audio upload sessions
(``/suno/v2/audio/upload/session`` and ``/session/item``, giving ``audioIds``)."""

from __future__ import annotations

from typing import Final

import msgspec

from suno_async._core._exceptions import ResponseValidationError
from suno_async._core._handles import TaskHandle
from suno_async._core._models import TaskKind
from suno_async._core._validation import check_bool, check_http_url, check_id
from suno_async.mountsea._models import TaskSnapshot
from suno_async.mountsea._task_results import (
    TaskResult,
    ToolsBase,
    UploadResult,
    task_result,
    upload_result,
)
from suno_async.mountsea._tool_models import (
    SessionCreated,
    SessionItemRequest,
    StandaloneUploadRequest,
)

__all__ = ["UploadSession", "UploadsAPI"]

_SESSION: Final = msgspec.json.Decoder(SessionCreated)
_SNAPSHOT: Final = msgspec.json.Decoder(TaskSnapshot)


class UploadSession(msgspec.Struct, frozen=True, kw_only=True):
    """An audio upload session polled by its id: ``audio_ids`` uploaded so far, and ``data``
    as sent."""

    session_id: str
    status: str
    audio_ids: list[str] = []
    data: object = None


class UploadsAPI(ToolsBase):
    """Standalone uploads and audio upload sessions."""

    async def upload(
        self, audio_url: str, *, resend_if_ambiguous: bool = False
    ) -> TaskHandle[TaskSnapshot, UploadResult]:
        """``POST /suno/v2/upload``: fetch audio from a public URL; a handle whose wait returns
        an :class:`UploadResult` with the ``clip_id`` to pass to ``upload_extend`` or
        ``upload_cover``. Each call may land on another provider account. The fee is not
        published (counted only if the client's ``prices`` names one for ``"upload"``).

        Raises:
            ConfigError: ``audio_url`` is not an absolute http(s) URL.
        """
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        body = StandaloneUploadRequest(audio_url=check_http_url("audio_url", audio_url))
        return await self._submit(
            "upload", body, TaskKind.UPLOAD, upload_result, resend_if_ambiguous=resend_if_ambiguous
        )

    async def create_upload_session(self) -> str:
        """``POST /suno/v2/audio/upload/session``: a new session for batch uploads; its id.
        Answers at once; polling the id gives ``audioIds`` (:meth:`get_upload_session`)."""
        created = await self._core.call(
            "POST", "/suno/v2/audio/upload/session", _SESSION, safe=True
        )
        return created.session_id

    async def upload_session_item(
        self, session_id: str, audio_url: str, *, resend_if_ambiguous: bool = False
    ) -> TaskHandle[TaskSnapshot, TaskResult]:
        """``POST /suno/v2/audio/upload/session/item``: add one audio URL to a session; a
        handle on the item's task. Costs what an upload costs (not published).

        Raises:
            ConfigError: a bad session id or URL.
        """
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        body = SessionItemRequest(
            session_id=check_id("session_id", session_id),
            audio_url=check_http_url("audio_url", audio_url),
        )
        return await self._submit(
            "audio/upload/session/item",
            body,
            TaskKind.UPLOAD,
            task_result,
            resend_if_ambiguous=resend_if_ambiguous,
        )

    async def get_upload_session(self, session_id: str) -> UploadSession:
        """The session's status (``GET /suno/v2/status?taskId=<session id>``) and its
        ``audioIds`` so far.

        Raises:
            ResponseValidationError: ``data.audioIds`` is not a list of ids.
        """
        snapshot = await self._status(check_id("session_id", session_id), _SNAPSHOT)
        data = msgspec.json.decode(snapshot.data)
        ids = data.get("audioIds", []) if isinstance(data, dict) else []
        if not isinstance(ids, list) or not all(isinstance(i, str | int) for i in ids):
            raise ResponseValidationError(
                f"upload session {session_id}: audioIds is not a list of ids.",
                body=bytes(snapshot.data),
            )
        return UploadSession(
            session_id=snapshot.task_id,
            status=snapshot.status,
            audio_ids=[str(i) for i in ids],
            data=data,
        )
