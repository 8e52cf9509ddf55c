"""sunoapi.com v1's routes on the emulator's server (under ``/api/v1/``, the same bearer check
and ``{"code", "message"}`` error bodies as v2):

* ``GET /api/v1/get-credits``: ``{"credits", "extra_credits"}``.
* ``POST /api/v1/suno/create``: the nine documented fields (webhooks included); ``{"code",
  "data": {"task_id"}, "message"}``.
* ``POST /api/v1/suno/make-lyrics`` ``{prompt}``: the same answer.
* ``POST /api/v1/suno/stems/basic`` and ``/stems/full`` ``{clip_id}``: ``{"message",
  "task_id"}``.
* ``GET /api/v1/suno/task/{task_id}``: ``{"code", "data": [item, ...], "message"}``; without
  an id, 400 "missing task id.".

What each answers, and every choice made where the docs are silent, is in
:mod:`~suno_async.emulator._sunoapi._v1_state` (and the checks in
:mod:`~suno_async.emulator._sunoapi._v1_validation`); webhooks in
:mod:`~suno_async.emulator._sunoapi._webhooks`. A successful POST answers 200 (the reading's
``created_status`` if it has one), and a wrapper's ``code`` says the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from suno_async.emulator._app import add_audio_source
from suno_async.emulator._errors import ApiError
from suno_async.emulator._http import json_body, json_response
from suno_async.emulator._sunoapi._v1_state import V1State, V1Work
from suno_async.emulator._sunoapi._webhooks import WebhookSender

__all__ = ["V1", "V1_STATE_KEY", "add_v1_routes"]

V1_STATE_KEY: Final = web.AppKey("sunoapi_v1", V1State)
#: The v1 family's path prefix.
V1: Final = "/api/v1"


def _task_answer(state: V1State, work: V1Work) -> web.Response:
    status = state.readings.created(200)
    return json_response(
        status,
        {
            "code": status,
            "data": {"task_id": state.readings.wire_id(work.id)},
            "message": "success",
        },
    )


async def _credits(request: web.Request) -> web.StreamResponse:
    return json_response(200, request.app[V1_STATE_KEY].balance())


async def _create(request: web.Request) -> web.StreamResponse:
    state = request.app[V1_STATE_KEY]
    return _task_answer(state, state.create(await json_body(request)))


async def _lyrics(request: web.Request) -> web.StreamResponse:
    state = request.app[V1_STATE_KEY]
    return _task_answer(state, state.make_lyrics(await json_body(request)))


def _stems_route(*, full: bool) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[V1_STATE_KEY]
        work = state.stems(await json_body(request), full=full)
        answer = {"message": "success", "task_id": state.readings.wire_id(work.id)}
        return json_response(state.readings.created(200), answer)

    return handle


async def _task(request: web.Request) -> web.StreamResponse:
    state = request.app[V1_STATE_KEY]
    work = state.find(request.match_info["task_id"])
    return json_response(200, {"code": 200, "data": state.items(work), "message": "success"})


async def _missing_task_id(request: web.Request) -> web.StreamResponse:
    raise ApiError(400, "missing task id.")


def add_v1_routes(app: web.Application, state: V1State) -> None:
    """Serve sunoapi.com v1's routes from ``app``, backed by ``state`` (its songs' and tracks'
    audio too), and send its webhooks while the server runs."""
    app[V1_STATE_KEY] = state
    add_audio_source(app, state)
    sender = WebhookSender(state)
    state.sender = sender
    app.cleanup_ctx.append(sender.running)
    router = app.router
    router.add_get(f"{V1}/get-credits", _credits)
    router.add_post(f"{V1}/suno/create", _create)
    router.add_post(f"{V1}/suno/make-lyrics", _lyrics)
    router.add_post(f"{V1}/suno/stems/basic", _stems_route(full=False))
    router.add_post(f"{V1}/suno/stems/full", _stems_route(full=True))
    router.add_get(f"{V1}/suno/task/{{task_id}}", _task)
    router.add_get(f"{V1}/suno/task", _missing_task_id)
    router.add_get(f"{V1}/suno/task/", _missing_task_id)
