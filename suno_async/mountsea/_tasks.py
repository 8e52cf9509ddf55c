"""mountsea's task status (``GET /suno/v2/status``) and waiting on any task by its id.

Every mountsea task (upload, training, generation) is followed through this one endpoint; the
endpoint groups (:mod:`._custom_model`, :mod:`._generate`) build on :class:`TasksAPI`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final, TypeVar, cast

import msgspec

from suno_async._core._base_client import BaseClient
from suno_async._core._events import EventHandler
from suno_async._core._exceptions import ResponseValidationError, TaskFailedError, TaskTimeoutError
from suno_async._core._handles import TaskHandle
from suno_async._core._models import TaskKind
from suno_async._core._validation import check_callback, check_choice, check_id
from suno_async.mountsea._models import TaskSnapshot, TaskStatus

__all__ = ["TasksAPI"]

_T = TypeVar("_T")
_S = TypeVar("_S", bound=TaskSnapshot)

_SNAPSHOT: Final = msgspec.json.Decoder(TaskSnapshot)
_KNOWN_STATUSES: Final = frozenset(s.value for s in TaskStatus)
#: Kinds of task whose documented flows never stop at ``awaiting``.
_NEVER_AWAIT: Final = frozenset({TaskKind.UPLOAD, TaskKind.TRAINING, TaskKind.GENERATE})


@functools.cache
def _judge(kind: TaskKind, *, stop_awaiting: bool = True) -> Callable[[_S], _S | None]:
    """Done on ``success``, and on ``awaiting`` (the task waits for the caller: a voice persona
    before ``complete``) when ``stop_awaiting``, except for the kinds whose documented flows
    never await (uploads, trainings, generations: there it is waited through);
    :class:`TaskFailedError` on ``failed``; :class:`TaskTimeoutError` (``server_side=True``)
    on ``timeout``; pending otherwise."""
    done = (
        {TaskStatus.SUCCESS.value, TaskStatus.AWAITING.value}
        if stop_awaiting and kind not in _NEVER_AWAIT
        else {TaskStatus.SUCCESS.value}
    )

    def judge(snapshot: _S) -> _S | None:
        status = snapshot.status
        if status in done:
            return snapshot
        if status == TaskStatus.FAILED:
            reason = snapshot.fail_reason or "no reason given"
            code = f" (code {snapshot.fail_code})" if snapshot.fail_code is not None else ""
            raise TaskFailedError(
                f"{kind.value} task {snapshot.task_id} failed: {reason}{code}.",
                task_id=snapshot.task_id,
                snapshot=snapshot,
                fail_reason=snapshot.fail_reason,
                fail_code=snapshot.fail_code,
            )
        if status == TaskStatus.TIMEOUT:
            raise TaskTimeoutError(
                f"{kind.value} task {snapshot.task_id} timed out on the provider's side"
                f"{': ' + snapshot.fail_reason if snapshot.fail_reason else ''}. "
                "Submit the work again.",
                task_id=snapshot.task_id,
                snapshot=snapshot,
                server_side=True,
            )
        return None

    return judge


def _status_of(snapshot: TaskSnapshot) -> str:
    return snapshot.status


class TasksAPI(BaseClient):
    """``GET /suno/v2/status`` and the waits built on it."""

    async def get_status(self, task_id: str) -> TaskSnapshot:
        """``GET /suno/v2/status``: the task's current status and, once done, its data.

        Raises:
            NotFoundError: no task has this id.
        """
        return await self._status(task_id, _SNAPSHOT)

    def _status(self, task_id: str, decoder: msgspec.json.Decoder[_S]) -> Coroutine[Any, Any, _S]:
        """``GET /suno/v2/status``, to await (not a coroutine of its own: every poll of every
        wait goes through here, and a frame fewer is a few percent of a status request)."""
        params = {"taskId": check_id("task_id", task_id)}
        return self._core.call("GET", "/suno/v2/status", decoder, params=params, safe=True)

    async def wait_for_task(
        self,
        task_id: str,
        *,
        kind: TaskKind = TaskKind.GENERATE,
        timeout: float | None = None,
        on_event: EventHandler | None = None,
    ) -> TaskSnapshot:
        """Poll ``task_id`` until it succeeds, or (a ``kind`` other than upload, training and
        generate) awaits the caller (``awaiting``: a voice persona waiting for ``complete``);
        return that snapshot.

        ``kind`` picks the poll schedule; ``timeout`` (seconds) overrides its deadline.

        Raises:
            TaskFailedError: status ``failed`` (``fail_reason``, ``fail_code``).
            TaskTimeoutError: status ``timeout`` (``server_side=True``), or the deadline passed
                (``server_side=False``; the task may still end: wait on it again).
            APIError: status requests kept failing, or failed in a way not worth retrying.
        """
        kind = check_choice("kind", kind, TaskKind)
        return await self._wait(task_id, kind, timeout, on_event, None, _SNAPSHOT)

    def _fetcher(self, decoder: msgspec.json.Decoder[_S]) -> Callable[[str], Awaitable[_S]]:
        """``_status`` with ``decoder``, made once per client and decoder (a wait holds it)."""
        # Keyed by the core too: a with_options copy shares this dict but sends with its own.
        fetchers: dict[object, Any] = self.__dict__.setdefault("_fetchers", {})
        key = (decoder, self._core)
        fetcher = fetchers.get(key)
        if fetcher is None:
            fetcher = fetchers[key] = functools.partial(self._status, decoder=decoder)
        return cast(Callable[[str], Awaitable[_S]], fetcher)

    def _wait(
        self,
        task_id: str,
        kind: TaskKind,
        timeout: float | None,
        on_event: EventHandler | None,
        on_answer: Callable[[_S], Awaitable[None]] | None,
        decoder: msgspec.json.Decoder[_S],
    ) -> Coroutine[Any, Any, _S]:
        """The wait on a handle of ``task_id``, to await (not a coroutine of its own, so a
        pending wait holds one frame fewer)."""
        observe = None
        if on_answer is not None:
            hook = on_answer

            async def observe(snapshot: _S, _: EventHandler | None) -> None:
                await hook(snapshot)

        handle = TaskHandle(
            self._core,
            check_id("task_id", task_id),
            kind=kind.value,
            poll_kind=kind,
            fetch=self._fetcher(decoder),
            judge=_judge(kind),
            status_of=_status_of,
            known_statuses=_KNOWN_STATUSES,
            observe=observe,
        )
        # The handle's poll itself, without the frame of wait(): nothing else sees this handle,
        # so how it settled needs no record, and a pending wait stays small.
        schedule = handle.poll_schedule(timeout)
        check_callback("on_event", on_event)
        return handle.poll(schedule, on_event)

    async def _wait_for_data(
        self,
        task_id: str,
        kind: TaskKind,
        decoder: msgspec.json.Decoder[_T],
        timeout: float | None,
        on_event: EventHandler | None,
    ) -> _T:
        snapshot = await self._wait(task_id, kind, timeout, on_event, None, _SNAPSHOT)
        try:
            return decoder.decode(snapshot.data)
        except msgspec.ValidationError as exc:
            raise ResponseValidationError(
                f"{kind.value} task {task_id} succeeded but its data has an unexpected shape: "
                f"{exc}.",
                body=bytes(snapshot.data),
            ) from exc
