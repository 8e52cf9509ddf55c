"""HTTP errors the emulator answers with: NestJS's default form, or sunoapi.com's.

Which form a path gets is decided by its prefix (:func:`error_body_for`): ``/api/`` paths belong
to sunoapi.com, every other path to mountsea.ai (and the CDN).

* mountsea.ai does not document its error bodies; its OpenAPI operation ids
  (``ApiPublicController_*``) and 201-for-POST show a NestJS server, so its error body is
  NestJS's default ``{"statusCode": N, "message": "<text>", "error": "<reason phrase>"}``.
  ``message`` is always one string here (NestJS's validation pipe can send a list; the emulator
  never does), and it says what was wrong and, where it helps, what to send instead.
* sunoapi.com documents no v2 error body either. Its success answers are wrapped as ``{code,
  data, message}`` with ``code`` "the HTTP status code of the response", so its error body is
  ``{"code": N, "message": "<text>"}`` with ``N`` equal to the HTTP status (api-notes B.6); the
  texts are the vendor's documented ones where it has them.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Final

__all__ = [
    "ApiError",
    "error_body",
    "error_body_for",
    "is_sunoapi_path",
    "reason_phrase",
    "sunoapi_error_body",
]


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


def sunoapi_error_body(status: int, message: str) -> dict[str, Any]:
    """sunoapi.com's error body for ``status`` and ``message``: ``{"code", "message"}``."""
    return {"code": status, "message": message}


def is_sunoapi_path(path: str) -> bool:
    """True if ``path`` is one of sunoapi.com's (it is ``/api`` or starts with ``/api/``)."""
    return path == "/api" or path.startswith("/api/")


def error_body_for(path: str, status: int, message: str) -> dict[str, Any]:
    """The error body a request to ``path`` gets: sunoapi.com's form on its paths, else NestJS's."""
    if is_sunoapi_path(path):
        return sunoapi_error_body(status, message)
    return error_body(status, message)
