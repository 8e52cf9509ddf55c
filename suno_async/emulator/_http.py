"""Small HTTP helpers shared by the route modules: JSON answers and reading a JSON body.

Request bodies are read as an Express server reads them: a body is parsed as JSON only when the
request's ``Content-Type`` is ``application/json`` (matched case-insensitively; parameters such
as ``charset`` are allowed). With any other ``Content-Type``, or none, the body counts as empty.
"""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

__all__ = ["json_body", "json_response"]


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> web.Response:
    """``obj`` as a UTF-8 JSON answer with ``status``."""
    return web.Response(
        status=status,
        body=msgspec.json.encode(obj),
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )


async def json_body(request: web.Request) -> bytes:
    """The body to parse as JSON: all of it for ``application/json``, else nothing (``b""``)."""
    body = await request.read()
    # aiohttp lower-cases the type, drops its parameters and reads a missing header as
    # application/octet-stream.
    return body if request.content_type == "application/json" else b""
