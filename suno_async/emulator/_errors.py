"""HTTP errors the emulator answers with, in the NestJS default form.

The provider does not document its error bodies; its OpenAPI operation ids
(``ApiPublicController_*``) and 201-for-POST show a NestJS server, so every error body is NestJS's
default ``{"statusCode": N, "message": "<text>", "error": "<reason phrase>"}``. ``message`` is
always one string here (NestJS's validation pipe can send a list; the emulator never does), and
it says what was wrong and, where it helps, what to send instead.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Final

__all__ = ["ApiError", "error_body", "reason_phrase"]


class ApiError(Exception):
    """An error answer: raising it in a handler sends ``status`` with a NestJS body.

    Attributes:
        status: The HTTP status code.
        message: The text of the body's ``message``.
        headers: Extra response headers.
    """

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


# Node's phrases (what NestJS sends) where Python's differ, or differ between Python versions.
_NODE_PHRASES: Final = {
    413: "Payload Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    418: "I'm a Teapot",
    422: "Unprocessable Entity",
}


def reason_phrase(status: int) -> str:
    """The reason phrase NestJS sends for ``status`` ("Bad Request"), or ``"Error"`` if none.

    These are Node's phrases, so they are the same on every Python version.
    """
    if status in _NODE_PHRASES:
        return _NODE_PHRASES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(status: int, message: str) -> dict[str, Any]:
    """The NestJS error body for ``status`` and ``message``."""
    return {"statusCode": status, "message": message, "error": reason_phrase(status)}
