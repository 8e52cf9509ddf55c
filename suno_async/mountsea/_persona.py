"""mountsea's voice personas: ``POST /suno/v2/voicePersona/init`` and ``/complete``, and the
helper that runs init → ``awaiting`` → complete within the provider's 30 s window.

The flow, as documented: ``init`` starts a task (queued → running → ``awaiting``); at
``awaiting`` the task's data holds the phrase the verification recording must say, and
``complete`` must arrive within 30 s, or the task fails with ``VP_USER_TIMEOUT``; after
``complete`` the task runs on to ``success``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

import msgspec

from suno_async._core._exceptions import APIStatusError, ConfigError
from suno_async._core._handles import TaskHandle
from suno_async._core._models import TaskKind
from suno_async._core._validation import (
    check_bool,
    check_callback,
    check_finite,
    check_http_url,
    check_id,
    check_name,
    check_positive,
)
from suno_async.mountsea import _constants as c
from suno_async.mountsea._audio_tools import _choice
from suno_async.mountsea._models import TaskSnapshot
from suno_async.mountsea._task_results import (
    PersonaStep,
    ToolsBase,
    VoicePersonaTimeoutError,
    persona_step,
)
from suno_async.mountsea._tool_models import PersonaCompleteRequest, PersonaInitRequest

__all__ = ["PersonaAPI"]

#: The answer of ``complete`` is not documented: any JSON; its ``taskId`` if it has one.
_ANSWER: Final = msgspec.json.Decoder(Any)


class PersonaAPI(ToolsBase):
    """Voice personas."""

    async def init_voice_persona(
        self,
        voice_audio_url: str,
        language: str,
        *,
        vocal_start_s: float | None = None,
        vocal_end_s: float | None = None,
        resend_if_ambiguous: bool = False,
    ) -> TaskHandle[TaskSnapshot, PersonaStep]:
        """``POST /suno/v2/voicePersona/init``: start a voice persona from a recording; a
        handle whose wait returns at ``awaiting`` (a :class:`PersonaStep` with
        ``phrase_text``), not at the end: call :meth:`complete_voice_persona` within 30 s.

        Raises:
            ConfigError: a bad URL, a language the provider does not list, or a bad range.
        """
        language = _choice("language", language, c.PERSONA_LANGUAGES)
        start = (
            msgspec.UNSET
            if vocal_start_s is None
            else check_finite("vocal_start_s", vocal_start_s, minimum=0)
        )
        end = (
            msgspec.UNSET
            if vocal_end_s is None
            else check_finite("vocal_end_s", vocal_end_s, minimum=0)
        )
        if not isinstance(end, msgspec.UnsetType) and end <= (
            0.0 if isinstance(start, msgspec.UnsetType) else start
        ):
            raise ConfigError("vocal_end_s must come after vocal_start_s.", argument="vocal_end_s")
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        body = PersonaInitRequest(
            voice_audio_url=check_http_url("voice_audio_url", voice_audio_url),
            language=language,
            vocal_start_s=start,
            vocal_end_s=end,
        )
        return await self._submit(
            "voicePersona/init",
            body,
            TaskKind.PERSONA,
            persona_step,
            resend_if_ambiguous=resend_if_ambiguous,
        )

    async def complete_voice_persona(
        self,
        task_id: str,
        verification_audio_url: str,
        name: str,
        *,
        description: str | None = None,
        is_public: bool = False,
        image_s3_id: str | None = None,
    ) -> TaskHandle[TaskSnapshot, PersonaStep]:
        """``POST /suno/v2/voicePersona/complete`` for an ``awaiting`` persona task; a handle on
        the same task whose wait returns its ``success`` (``persona_id``).

        Raises:
            ConfigError: a bad id, URL or name.
        """
        task_id = check_id("task_id", task_id)
        body = PersonaCompleteRequest(
            task_id=task_id,
            verification_audio_url=check_http_url("verification_audio_url", verification_audio_url),
            name=check_name("name", name),
            description=(
                msgspec.UNSET if description is None else check_name("description", description)
            ),
            is_public=check_bool("is_public", is_public),
            image_s3_id=msgspec.UNSET
            if image_s3_id is None
            else check_id("image_s3_id", image_s3_id),
        )
        answer = await self._core.call(
            "POST", "/suno/v2/voicePersona/complete", _ANSWER, body=body, safe=False
        )
        sent = answer.get("taskId") if isinstance(answer, dict) else None
        same = str(sent) if isinstance(sent, str | int) and str(sent).strip() else task_id
        # After complete, ``awaiting`` (a status that lags behind) is waited through.
        return self._handle(same, TaskKind.PERSONA, persona_step, stop_awaiting=False)

    async def create_voice_persona(
        self,
        voice_audio_url: str,
        language: str,
        name: str,
        verify: Callable[[str], Awaitable[str]],
        *,
        vocal_start_s: float | None = None,
        vocal_end_s: float | None = None,
        description: str | None = None,
        is_public: bool = False,
        timeout: float | None = None,
    ) -> PersonaStep:
        """The whole voice persona flow: init, wait for ``awaiting``, ``await verify(phrase)``
        (your coroutine records the phrase and returns the recording's public URL), complete,
        and wait for ``success``.

        ``verify`` must finish well inside the provider's 30 s window (measured on the
        client's clock from when ``awaiting`` was seen, which is up to a poll interval after
        it began).

        Raises:
            ConfigError: bad arguments, or ``verify`` is not callable.
            VoicePersonaTimeoutError: the window was missed (``VP_USER_TIMEOUT``).
            TaskFailedError / TaskTimeoutError: the task failed or took too long.
        """
        check_callback("verify", verify)
        if verify is None:
            raise ConfigError("verify is required.", argument="verify")
        name = check_name("name", name)
        if description is not None:
            check_name("description", description)
        check_bool("is_public", is_public)
        if timeout is not None:
            check_positive("timeout", timeout)
        handle = await self.init_voice_persona(
            voice_audio_url, language, vocal_start_s=vocal_start_s, vocal_end_s=vocal_end_s
        )
        step = await handle.wait(timeout=timeout)
        if not step.awaiting:
            return step  # already done: nothing to verify
        seen = self.clock.now()
        url = await verify(step.phrase_text or "")
        late = self.clock.now() - seen > c.PERSONA_WINDOW
        try:
            if late:
                raise _Late
            done = await self.complete_voice_persona(
                handle.id, url, name, description=description, is_public=is_public
            )
        except (_Late, APIStatusError) as exc:
            snapshot = await handle.status()
            said = f"{exc} {snapshot.fail_reason or ''} {snapshot.fail_code or ''}"
            if late or c.PERSONA_TIMEOUT_CODE in said:
                raise VoicePersonaTimeoutError(
                    f"voice persona {handle.id}: verify took longer than the provider's "
                    f"{c.PERSONA_WINDOW:g} s window ({c.PERSONA_TIMEOUT_CODE}). Start again.",
                    task_id=handle.id,
                    snapshot=snapshot,
                    fail_reason=snapshot.fail_reason,
                    fail_code=snapshot.fail_code or c.PERSONA_TIMEOUT_CODE,
                ) from (None if isinstance(exc, _Late) else exc)
            raise
        return await done.wait(timeout=timeout)


class _Late(Exception):
    """verify returned after the window had closed."""
