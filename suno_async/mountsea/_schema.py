"""The provider's own description of generate (``GET /suno/v2/generate/schema``), a low-level
:meth:`~SchemaAPI.request` for endpoints this library does not know, and :meth:`~SchemaAPI.task`,
which re-attaches a handle to any task by its id."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, overload

import msgspec

from suno_async._core._exceptions import APIError, ConfigError
from suno_async._core._handles import TaskHandle
from suno_async._core._models import Clip, TaskKind
from suno_async._core._validation import check_bool, check_id
from suno_async.mountsea._models import CustomModel, TaskSnapshot
from suno_async.mountsea._task_results import (
    ClipsResult,
    EditResult,
    ImageResult,
    LyricsResult,
    MidiResult,
    PersonaStep,
    TaskResult,
    ToolsBase,
    UploadResult,
    clips_result,
    edit_result,
    image_result,
    lyrics_result,
    midi_result,
    persona_step,
    task_result,
    upload_result,
)
from suno_async.mountsea._tool_models import TaskSchema

__all__ = ["TASK_KINDS", "SchemaAPI"]

_SCHEMAS: Final = msgspec.json.Decoder(list[TaskSchema])
_ANY: Final = msgspec.json.Decoder(Any)
_ENCODER: Final = msgspec.json.Encoder()


def _generated(snapshot: TaskSnapshot) -> list[Clip]:
    return snapshot.data_as(list[Clip])


def _trained(snapshot: TaskSnapshot) -> CustomModel:
    return snapshot.data_as(CustomModel)


#: What :meth:`SchemaAPI.task` accepts as ``kind``: the poll schedule and the result each gives.
TASK_KINDS: Final[Mapping[str, tuple[TaskKind, Callable[[TaskSnapshot], Any]]]] = {
    "generate": (TaskKind.GENERATE, _generated),
    "upload": (TaskKind.UPLOAD, upload_result),
    "custom_model_upload": (TaskKind.UPLOAD, lambda s: s.data_as(Clip)),
    "training": (TaskKind.TRAINING, _trained),
    "session_item": (TaskKind.UPLOAD, task_result),
    "lyrics": (TaskKind.LYRICS, lyrics_result),
    "concat": (TaskKind.EDIT, clips_result),
    "remaster": (TaskKind.EDIT, clips_result),
    "adjust_speed": (TaskKind.EDIT, clips_result),
    "timing": (TaskKind.EDIT, task_result),
    "downbeats": (TaskKind.EDIT, task_result),
    "midi": (TaskKind.EDIT, midi_result),
    "crop": (TaskKind.EDIT, edit_result),
    "fade": (TaskKind.EDIT, edit_result),
    "image": (TaskKind.IMAGE, image_result),
    "persona": (TaskKind.PERSONA, persona_step),
    "other": (TaskKind.EDIT, task_result),
}


class SchemaAPI(ToolsBase):
    """``generate/schema``, :meth:`request` and :meth:`task`."""

    _schema_cache: dict[str, TaskSchema] | None = None

    async def generate_schema(self, task: str | None = None) -> list[TaskSchema]:
        """``GET /suno/v2/generate/schema``: the provider's fields of each generate task (all
        tasks, or ``task``'s). Not cached (see :meth:`cached_generate_schema`)."""
        params = None if task is None else {"task": check_id("task", task)}
        return await self._core.call(
            "GET", "/suno/v2/generate/schema", _SCHEMAS, params=params, safe=True
        )

    async def cached_generate_schema(self) -> dict[str, TaskSchema] | None:
        """Every task's schema by name, fetched once per client and kept; ``None`` if the
        endpoint could not be reached or read (the built-in table is then used, and asked
        again next time)."""
        if self._schema_cache is None:
            try:
                schemas = await self.generate_schema()
            except APIError:
                return None
            self._schema_cache = {schema.task: schema for schema in schemas}
        return self._schema_cache

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        safe: bool | None = None,
    ) -> Any:
        """Call an endpoint this library has no method for, with the client's key, retries
        and error mapping; return the decoded JSON answer (plain values).

        ``path`` starts with ``/`` (``"/suno/v2/..."``); ``json`` is the body (a JSON
        object), ``params`` the query. ``safe`` says whether sending the
        request twice does no harm (default: true for GET); an unsafe request whose answer
        is lost raises :class:`AmbiguousSubmitError` instead of being sent again. Nothing is
        counted against the budget: check prices yourself.

        Raises:
            ConfigError: a bad method or path.
            APIError: as for every call.
        """
        method = method.upper() if isinstance(method, str) else ""
        if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            raise ConfigError("method must be GET, POST, PUT, PATCH or DELETE.", argument="method")
        if not isinstance(path, str) or not path.startswith("/") or "://" in path:
            raise ConfigError("path must start with '/', e.g. '/suno/v2/...'.", argument="path")
        if params is not None and (
            not isinstance(params, Mapping)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
        ):
            raise ConfigError("params must be a dict of strings.", argument="params")
        is_safe = method == "GET" if safe is None else check_bool("safe", safe)
        if json is not None and (
            not isinstance(json, Mapping) or not all(isinstance(k, str) for k in json)
        ):
            raise ConfigError("json must be a dict (a JSON object) or None.", argument="json")
        self._core.check_open()
        payload = None if json is None else _ENCODER.encode(json)
        return await self._core.transport.request(
            method, path, _ANY, params=params, body=payload, safe=is_safe
        )

    @overload
    def task(
        self, task_id: str, kind: Literal["generate"]
    ) -> TaskHandle[TaskSnapshot, list[Clip]]: ...
    @overload
    def task(
        self, task_id: str, kind: Literal["upload"]
    ) -> TaskHandle[TaskSnapshot, UploadResult]: ...
    @overload
    def task(
        self, task_id: str, kind: Literal["custom_model_upload"]
    ) -> TaskHandle[TaskSnapshot, Clip]: ...
    @overload
    def task(
        self, task_id: str, kind: Literal["training"]
    ) -> TaskHandle[TaskSnapshot, CustomModel]: ...
    @overload
    def task(
        self, task_id: str, kind: Literal["lyrics"]
    ) -> TaskHandle[TaskSnapshot, LyricsResult]: ...
    @overload
    def task(
        self, task_id: str, kind: Literal["concat", "remaster", "adjust_speed"]
    ) -> TaskHandle[TaskSnapshot, ClipsResult]: ...
    @overload
    def task(self, task_id: str, kind: Literal["midi"]) -> TaskHandle[TaskSnapshot, MidiResult]: ...
    @overload
    def task(
        self, task_id: str, kind: Literal["crop", "fade"]
    ) -> TaskHandle[TaskSnapshot, EditResult]: ...
    @overload
    def task(
        self, task_id: str, kind: Literal["image"]
    ) -> TaskHandle[TaskSnapshot, ImageResult]: ...
    @overload
    def task(
        self, task_id: str, kind: Literal["persona"]
    ) -> TaskHandle[TaskSnapshot, PersonaStep]: ...
    @overload
    def task(
        self,
        task_id: str,
        kind: Literal["session_item", "timing", "downbeats", "other"] = "other",
    ) -> TaskHandle[TaskSnapshot, TaskResult]: ...
    @overload
    def task(self, task_id: str, kind: str) -> TaskHandle[TaskSnapshot, Any]: ...
    def task(self, task_id: str, kind: str = "other") -> TaskHandle[TaskSnapshot, Any]:
        """A handle on a task by its id alone (say, after a restart): ``await
        handle.status()`` or ``await handle.wait()``.

        ``kind`` picks the poll schedule and the result a wait returns: ``"generate"``
        (``list[Clip]``), ``"upload"`` (:class:`UploadResult`), ``"custom_model_upload"``
        (:class:`Clip`), ``"training"`` (:class:`CustomModel`), ``"session_item"``, ``"lyrics"``,
        ``"concat"``, ``"remaster"``, ``"adjust_speed"``, ``"timing"``, ``"downbeats"``,
        ``"midi"``, ``"crop"``, ``"fade"``, ``"image"``, ``"persona"`` (a wait returns at
        ``awaiting`` too) or ``"other"`` (:class:`TaskResult`). A literal ``kind`` types the
        handle's result (``client.task(id, "crop")`` waits to an :class:`EditResult`).

        Raises:
            ConfigError: a bad id or an unknown kind.
        """
        task_id = check_id("task_id", task_id)
        entry = TASK_KINDS.get(kind) if isinstance(kind, str) else None
        if entry is None:
            raise ConfigError(
                f"kind must be one of {', '.join(TASK_KINDS)}, got {kind!r}.", argument="kind"
            )
        poll_kind, result = entry
        return self._handle(task_id, poll_kind, result)
