"""msgspec Structs as Temporal payloads.

Every workflow and activity of this package takes and returns one msgspec Struct. They travel
as plain JSON (encoding ``json/plain``, as the SDK's own JSON converter writes), encoded and
decoded by msgspec against the Struct type of the signature, so a payload is readable in the
Temporal UI and by workers in other languages. Anything that is not a Struct falls through to
the SDK's JSON converter unchanged.

Why a converter and not bytes in the signatures: the SDK reads each activity's and workflow's
type hints to decode its arguments, so with a converter the signatures stay typed
(``async def create(self, request: CreateRequest) -> CreateAnswer``), and workflow code never
touches encoding. The converter runs outside the workflow sandbox (in the worker and the
client), and the Struct classes are passed through the sandbox (see
:func:`~suno_async.temporal.sandbox_runner`), so a Struct decoded by the converter is an
instance of the very class the workflow code imports.
"""

from __future__ import annotations

from typing import Any

import msgspec
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

__all__ = ["MsgspecPayloadConverter", "data_converter"]

_ENCODER = msgspec.json.Encoder()


class _MsgspecJSON(JSONPlainPayloadConverter):
    """The SDK's JSON converter, with msgspec Structs encoded and decoded by msgspec."""

    def to_payload(self, value: Any) -> Payload | None:
        if isinstance(value, msgspec.Struct):
            return Payload(
                metadata={"encoding": self.encoding.encode()}, data=_ENCODER.encode(value)
            )
        return super().to_payload(value)

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        if isinstance(type_hint, type) and issubclass(type_hint, msgspec.Struct):
            return msgspec.json.decode(payload.data, type=type_hint)
        return super().from_payload(payload, type_hint)


class MsgspecPayloadConverter(CompositePayloadConverter):
    """The SDK's default payload converter with :class:`_MsgspecJSON` for JSON."""

    def __init__(self) -> None:
        super().__init__(
            *(
                _MsgspecJSON() if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


#: The data converter to connect clients with (``Client.connect(..., data_converter=...)``).
data_converter = DataConverter(payload_converter_class=MsgspecPayloadConverter)
