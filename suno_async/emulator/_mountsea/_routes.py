"""mountsea.ai's Suno v2 routes on the emulator's server (POSTs answer 201 and GETs 200).

Ids and the status of a POST follow the configured reading of the docs
(:class:`~suno_async.emulator._readings.Readings`): ``sessionId`` and ``taskId`` are strings, or
numbers under ``numeric_ids``; a successful POST answers 201, or ``created_status``.

* ``POST /suno/v2/customModel/prepare``: ``{"sessionId"}``; needs no body and works with any
  ``Content-Type`` or none.
* ``POST /suno/v2/customModel/upload`` ``{sessionId, audioUrl}``: ``{"taskId"}``.
* ``POST /suno/v2/customModel/create`` ``{sessionId, clipIds, name}``: ``{"taskId"}``.
* ``POST /suno/v2/generate`` (see :mod:`~suno_async.emulator._mountsea._validation`):
  ``{"taskId"}``.
* ``GET /suno/v2/status?taskId=<task id>``: the task's status body (see
  :mod:`~suno_async.emulator._mountsea._state`, and :mod:`~._tools` for its other tasks).
* Lyrics, concat, uploads and upload sessions, playlists, voice personas, audio edits and
  analysis, images and ``generate/schema``: :mod:`~suno_async.emulator._mountsea._tools`.

Every ``/suno/v2/`` route needs ``Authorization: Bearer <token>``; the bearer check, error
bodies (NestJS's form), unknown routes and the CDN that serves the clips' audio are the shared
app's (:mod:`~suno_async.emulator._app`).

The 201 for a POST is what a NestJS server answers, and mountsea.ai's OpenAPI operation ids
(``ApiPublicController_*``) show one. A status request without a ``taskId`` (or a blank one)
answers 400.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from suno_async.emulator._app import add_audio_source
from suno_async.emulator._errors import ApiError
from suno_async.emulator._http import json_body, json_response
from suno_async.emulator._mountsea._state import MountseaState
from suno_async.emulator._mountsea._tools import TOOLS_KEY, ToolsState, add_tool_routes

__all__ = ["CREATED", "PREFIX", "STATE_KEY", "add_routes"]

STATE_KEY: Final = web.AppKey("mountsea", MountseaState)
#: Path prefix of every route.
PREFIX: Final = "/suno/v2"


#: What a successful POST answers, as mountsea.ai's OpenAPI documents it (NestJS's default).
CREATED: Final = 201


def _created(state: MountseaState, field: str, value: str) -> web.Response:
    """The answer to a successful POST: ``{field: value}`` with the reading's id and status."""
    readings = state.readings
    return json_response(readings.created(CREATED), {field: readings.wire_id(value)})


async def _prepare(request: web.Request) -> web.Response:
    await request.read()  # no body is needed; whatever came, of whatever type, is ignored
    state = request.app[STATE_KEY]
    return _created(state, "sessionId", state.prepare())


async def _upload(request: web.Request) -> web.Response:
    body = await json_body(request)
    state = request.app[STATE_KEY]
    return _created(state, "taskId", state.upload(body))


async def _create(request: web.Request) -> web.Response:
    body = await json_body(request)
    state = request.app[STATE_KEY]
    return _created(state, "taskId", state.create(body))


async def _generate(request: web.Request) -> web.Response:
    body = await json_body(request)
    state = request.app[STATE_KEY]
    return _created(state, "taskId", state.generate(body))


async def _status(request: web.Request) -> web.Response:
    task_id = request.query.get("taskId", "").strip()
    if not task_id:
        raise ApiError(
            400, "Query parameter taskId is required: GET /suno/v2/status?taskId=<task id>."
        )
    other = request.app[TOOLS_KEY].status(task_id)
    if other is not None:
        return json_response(200, other)
    state = request.app[STATE_KEY]
    await state.wait_for_fetch(task_id)
    return json_response(200, state.status(task_id))


def add_routes(app: web.Application, state: MountseaState) -> None:
    """Serve mountsea.ai's routes from ``app``, backed by ``state`` (its clips' audio too)."""
    app[STATE_KEY] = state
    add_audio_source(app, state)
    router = app.router
    router.add_post(f"{PREFIX}/customModel/prepare", _prepare)
    router.add_post(f"{PREFIX}/customModel/upload", _upload)
    router.add_post(f"{PREFIX}/customModel/create", _create)
    router.add_post(f"{PREFIX}/generate", _generate)
    router.add_get(f"{PREFIX}/status", _status)
    tools = ToolsState(state)
    state.other_settlement = tools.settlement
    add_audio_source(app, tools)
    add_tool_routes(app, tools, PREFIX)
