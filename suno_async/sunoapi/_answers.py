"""How sunoapi's answers are read: v3.5 sends the object itself, or ``{code, message}`` for an
error (with HTTP 200 at times); v3.0 wraps everything as ``{code, data, message}``.

Each decoder here reports an error carried in the body as
:class:`~suno_async._core._transport.AnswerStatus` and a body without the documented shape as
``msgspec.ValidationError``, so the transport judges every answer by the one rule (an unclear
answer to a paid call is ambiguous, whichever family sent it).
"""

from __future__ import annotations

from typing import Final, Generic, TypeVar

import msgspec

from suno_async._core._transport import AnswerStatus
from suno_async.sunoapi._models import GenerateBatch

__all__ = ["BatchAnswer", "EnvelopeAnswer", "V35Answer"]

_T = TypeVar("_T")


class _CodeProbe(msgspec.Struct):
    """What an error answered with HTTP 200 looks like: ``{code, message}``."""

    code: int | None = None
    message: str | None = None


_PROBE: Final = msgspec.json.Decoder(_CodeProbe)


class _RawEnvelope(msgspec.Struct):
    """:class:`Envelope` with ``data`` left undecoded until ``code`` was checked."""

    code: int
    data: msgspec.Raw = msgspec.Raw(b"null")
    message: str | None = None


_ENVELOPE: Final = msgspec.json.Decoder(_RawEnvelope)


class V35Answer(Generic[_T]):
    """Reads a v3.5 answer of type ``type_``; ``{code >= 400, message}`` is an error."""

    def __init__(self, type_: type[_T]) -> None:
        self._decoder = msgspec.json.Decoder(type_)

    def decode(self, buf: bytes, /) -> _T:
        """The answer, or :class:`AnswerStatus` for an error body."""
        try:
            probe = _PROBE.decode(buf)
        except msgspec.ValidationError:  # not an object: not an error body either
            probe = _CodeProbe()
        if probe.code is not None and probe.code >= 400:
            raise AnswerStatus(probe.code)
        return self._decoder.decode(buf)


class BatchAnswer(V35Answer[GenerateBatch]):
    """Reads a v3.5 create or extend answer: a batch with at least one clip."""

    def __init__(self) -> None:
        super().__init__(GenerateBatch)

    def decode(self, buf: bytes, /) -> GenerateBatch:
        """The batch; one without clips does not have the documented shape."""
        batch = super().decode(buf)
        if not batch.clips:
            raise msgspec.ValidationError("Expected at least one clip - at `$.clips`")
        return batch


class EnvelopeAnswer(Generic[_T]):
    """Reads a v3.0 answer (an :class:`~suno_async.sunoapi.Envelope`): ``data`` of type
    ``type_`` when ``code`` is below 400."""

    def __init__(self, type_: type[_T]) -> None:
        self._data = msgspec.json.Decoder(type_)

    def decode(self, buf: bytes, /) -> _T:
        """``data``, or :class:`AnswerStatus` for an error ``code`` (whatever ``data`` holds)."""
        answer = _ENVELOPE.decode(buf)
        if answer.code >= 400:
            raise AnswerStatus(answer.code)
        if bytes(answer.data).strip() == b"null":
            raise msgspec.ValidationError("Expected `data`, got `null` - at `$.data`")
        try:
            return self._data.decode(answer.data)
        except msgspec.ValidationError as exc:
            raise msgspec.ValidationError(f"{exc} (in `$.data`)") from None
