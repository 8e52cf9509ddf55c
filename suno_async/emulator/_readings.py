"""Readings of the docs: what the emulator does where the providers' docs leave room.

The emulator is one reading of mountsea.ai's and sunoapi.com's documentation; the real servers
may read it differently. :class:`Readings` (in :class:`~suno_async.emulator.EmulatorConfig`,
field ``readings``) names each point the docs leave open and lets a run pick another answer, so
a client can be tested against every plausible server, not just one. ``Readings()`` is the
documented reading, what the emulator always did.

Each field, its default and its variants:

* ``status_case``: the letter case of every status value the server sends. ``"lower"`` (the
  documented ``success``, ``complete``), ``"upper"`` (``SUCCESS``, ``COMPLETE``) or ``"title"``
  (``Success``, ``Complete``). It applies to mountsea.ai's task ``status`` (the status route,
  including a scripted unknown status) and the ``status`` of the clips in its ``data``, and to
  sunoapi.com's clip ``status`` (v3.5 and v3.0), the v3.5 batch ``status`` and the v3.0 task
  ``status``.
* ``numeric_ids``: ``False`` (ids are uuid strings, as documented) or ``True``: the ids the
  server mints for its own tasks are JSON numbers, below 2**53 so JavaScript reads them exactly.
  That is mountsea.ai's ``taskId`` (in the upload, create and generate answers and in status
  answers) and ``sessionId`` (a create's task id equals its session id, so both are numbers),
  and sunoapi.com's clip ids (v3.5 and v3.0 clips, an extension's ``metadata.history``), v3.5
  batch ``id`` and v3.0 ``task_id``. Clip ids of mountsea.ai (Suno's own) and model ids
  (``chirp-custom:<uuid>``) stay strings. The server still takes the ids back as strings, in a
  query (``taskId=123``, ``ids=123,124``, a v3.0 path) or a body (``"sessionId": "123"``), and
  in a body as numbers too. A JSON object's keys are strings, so v3.0 ``clips`` stays keyed by
  ``"123"``.
* ``numeric_fail_codes``: ``True`` (the documented type, a number: ``"failCode": 4001``;
  a scripted code is sent as it was given) or ``False``: every mountsea.ai ``failCode`` is a
  string (``"4001"``).
* ``unknown_task_status``: ``404`` (the emulator's reading so far) or ``400`` (as sunoapi.com's
  vendor documents "task not found." among its 400s): the status of a status lookup for a task
  id the server does not know, on mountsea.ai's ``GET /suno/v2/status`` and sunoapi.com's
  ``GET v3.0/clip/{task_id}``. The body is the path's usual error body either way.
* ``session_before_create``: what ``GET /suno/v2/status?taskId=<session id>`` shows for a
  prepared custom-model session that no ``customModel/create`` has been accepted for yet:
  ``"unknown"`` (answered like an unknown task: ``unknown_task_status``) or ``"ready"`` (a 200
  status answer with status ``ready``, ``createdAt`` the session's, ``data`` ``{}`` and no
  ``finishAt``, as a task that waits). Once create was accepted, the session's status is its
  training's, as always.
* ``created_status``: ``None`` (the documented statuses: mountsea.ai's POSTs answer 201, as
  its OpenAPI says, sunoapi.com's 200), or ``200`` or ``201`` for every successful POST of
  mountsea.ai and sunoapi.com alike (the calls that create work, and ``customModel/prepare``).
  sunoapi.com's v3.0 wrapper ``code`` is "the HTTP status code of the response", so it follows.
* ``generic_content_type``: ``None`` (the CDN serves audio as ``audio/wav``) or a media type the
  CDN sends instead, such as ``"application/octet-stream"`` or ``"text/plain"``; it applies to
  ``/cdn/audio/`` and ``/cdn/stream/`` answers (the full ones and the 206 ranges), not to the
  sample tracks under ``/samples/`` (they stand for the user's own audio host).

:data:`ODD_READINGS` (:meth:`Readings.odd`) sets every field to a variant at once;
:data:`SINGLE_READINGS` (:meth:`Readings.variants`) holds each variant on its own.
:func:`readings_from` reads ``NAME=VALUE`` settings (the command line's ``--reading``).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

__all__ = [
    "ODD_READINGS",
    "READING_VALUES",
    "SINGLE_READINGS",
    "IdMaker",
    "Readings",
    "SessionBeforeCreate",
    "StatusCase",
    "readings_from",
]

StatusCase = Literal["lower", "upper", "title"]
SessionBeforeCreate = Literal["unknown", "ready"]

#: Ids minted under ``numeric_ids`` start at a random point below this, so they are large and
#: unalike between runs, and count up from there (unique within a run).
_ID_START_BELOW: Final = 10**15
#: JavaScript's largest exact integer (2**53 - 1): numeric ids stay below it.
_JS_SAFE: Final = 2**53 - 1
_MEDIA_TYPE: Final = re.compile(
    r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=[^\x00-\x1f\x7f;]+)*"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Readings:
    """One reading of what the providers' docs leave open (see
    :mod:`suno_async.emulator._readings`).

    ``Readings()`` is the documented reading, what the emulator did before readings existed.

    Attributes:
        status_case: Letter case of every status value sent: ``"lower"`` (documented),
            ``"upper"`` or ``"title"``.
        numeric_ids: If true, the task, session, batch and sunoapi.com clip ids the server
            mints are JSON numbers (below 2**53); they are still taken back as strings.
        numeric_fail_codes: If true (documented), ``failCode`` is sent as given (a number by
            default, 4001); if false, every ``failCode`` is a string (``"4001"``).
        unknown_task_status: The HTTP status of a status lookup for an unknown task id:
            404 (default) or 400.
        session_before_create: What the status of a prepared session shows before its create:
            ``"unknown"`` (default: an unknown task) or ``"ready"`` (200, status ``ready``).
        created_status: HTTP status of every successful POST: ``None`` for the documented ones
            (mountsea.ai 201, sunoapi.com 200), or 200 or 201 for every POST of either.
        generic_content_type: The ``Content-Type`` the CDN serves audio with instead of
            ``audio/wav`` (e.g. ``"application/octet-stream"``, ``"text/plain"``); ``None``
            for ``audio/wav``.

    Raises:
        ValueError: A field holds a value outside its choices, or ``generic_content_type`` is
            not a media type (``type/subtype``).
    """

    status_case: StatusCase = "lower"
    numeric_ids: bool = False
    numeric_fail_codes: bool = True
    unknown_task_status: Literal[400, 404] = 404
    session_before_create: SessionBeforeCreate = "unknown"
    created_status: Literal[200, 201] | None = None
    generic_content_type: str | None = None

    def __post_init__(self) -> None:
        if self.status_case not in get_args(StatusCase):
            raise ValueError(
                f"status_case must be 'lower', 'upper' or 'title', got {self.status_case!r}"
            )
        for name in ("numeric_ids", "numeric_fail_codes"):
            value = getattr(self, name)
            if type(value) is not bool:
                raise ValueError(f"{name} must be True or False, got {value!r}")
        if not _is_int_in(self.unknown_task_status, (400, 404)):
            raise ValueError(
                f"unknown_task_status must be 400 or 404, got {self.unknown_task_status!r}"
            )
        if self.session_before_create not in get_args(SessionBeforeCreate):
            raise ValueError(
                "session_before_create must be 'unknown' or 'ready', "
                f"got {self.session_before_create!r}"
            )
        if self.created_status is not None and not _is_int_in(self.created_status, (200, 201)):
            raise ValueError(
                f"created_status must be 200, 201 or None, got {self.created_status!r}"
            )
        kind = self.generic_content_type
        if kind is not None and (not isinstance(kind, str) or not _MEDIA_TYPE.fullmatch(kind)):
            raise ValueError(
                "generic_content_type must be a media type such as 'application/octet-stream' "
                f"or None, got {kind!r}"
            )

    # -- applying the reading --------------------------------------------------------------

    def status(self, value: str) -> str:
        """``value`` (a status as documented, lower case) in this reading's letter case."""
        if self.status_case == "upper":
            return value.upper()
        if self.status_case == "title":
            return value[:1].upper() + value[1:].lower()
        return value

    def wire_id(self, value: str) -> str | int:
        """An id the server minted, as sent: a number under ``numeric_ids`` if it is one."""
        if self.numeric_ids and value.isdigit():
            return int(value)
        return value

    def fail_code(self, code: int | str) -> int | str:
        """A ``failCode`` as sent: as given, or as a string unless ``numeric_fail_codes``."""
        return code if self.numeric_fail_codes else str(code)

    def created(self, documented: int) -> int:
        """The status of a successful POST whose documented status is ``documented``."""
        return documented if self.created_status is None else self.created_status

    def audio_type(self, documented: str) -> str:
        """The ``Content-Type`` of CDN audio whose documented type is ``documented``."""
        return documented if self.generic_content_type is None else self.generic_content_type

    def take_id(self, value: Any) -> Any:
        """An id read from a request body: a number (not a bool) becomes its decimal string
        under ``numeric_ids``; anything else is left for the route's own checks."""
        if self.numeric_ids and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    # -- the readings worth testing ---------------------------------------------------------

    @staticmethod
    def odd() -> Readings:
        """Every field set to a variant at once (:data:`ODD_READINGS`): title-case statuses,
        numeric ids, string fail codes, 400 for unknown tasks, ``ready`` sessions before create,
        200 for every POST and ``text/plain`` audio."""
        return ODD_READINGS

    @staticmethod
    def variants() -> tuple[Readings, ...]:
        """Each variant of each field on its own, the others documented
        (:data:`SINGLE_READINGS`): one reading per way a server may differ."""
        return SINGLE_READINGS

    # -- describing it ---------------------------------------------------------------------

    @property
    def documented(self) -> bool:
        """True for the documented reading (every field at its default)."""
        return self == Readings()

    def settings(self) -> dict[str, Any]:
        """The fields that differ from the documented reading, by name."""
        default = Readings()
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if getattr(self, field.name) != getattr(default, field.name)
        }

    def describe(self) -> str:
        """``name=value`` for each field off its default (``"documented"`` if none), in the
        syntax :func:`readings_from` reads."""
        settings = self.settings()
        if not settings:
            return "documented"
        return ", ".join(f"{name}={_show(value)}" for name, value in settings.items())


def _is_int_in(value: object, allowed: tuple[int, ...]) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in allowed


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else str(value)


class IdMaker:
    """Makes the ids one server mints: uuid4 strings, or decimal digits under ``numeric_ids``.

    Numeric ids count up from a random start below 10**15 (well under 2**53), so they are
    unique within a run and unalike between runs. They are kept as strings inside the emulator
    (what a query or a path carries) and turned into numbers only on the wire
    (:meth:`Readings.wire_id`).
    """

    def __init__(self, readings: Readings) -> None:
        self._numeric = readings.numeric_ids
        self._next = _ID_START_BELOW // 10 + secrets.randbelow(_ID_START_BELOW // 2)

    def __call__(self) -> str:
        """A new id."""
        if not self._numeric:
            return str(uuid.uuid4())
        value = self._next
        self._next += 1 + secrets.randbelow(7)
        if value > _JS_SAFE:  # pragma: no cover - 10**15 + runs of ids never get there
            raise RuntimeError("numeric ids ran past 2**53")
        return str(value)


#: Every field's variants, by name: what the command line's ``--reading NAME=VALUE`` accepts
#: (the first is the default).
READING_VALUES: Final[Mapping[str, tuple[str, ...]]] = {
    "status_case": ("lower", "upper", "title"),
    "numeric_ids": ("false", "true"),
    "numeric_fail_codes": ("true", "false"),
    "unknown_task_status": ("404", "400"),
    "session_before_create": ("unknown", "ready"),
    "created_status": ("none", "200", "201"),
    "generic_content_type": ("none", "application/octet-stream", "text/plain", "<type/subtype>"),
}

_TRUE: Final = frozenset({"true", "yes", "on", "1"})
_FALSE: Final = frozenset({"false", "no", "off", "0"})


def _convert(name: str, text: str) -> Any:
    """The value of field ``name`` written as ``text``.

    Raises:
        ValueError: ``text`` is not one of the field's values.
    """
    lowered = text.strip().lower()
    if name in ("numeric_ids", "numeric_fail_codes"):
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"{name} takes true or false, got {text!r}")
    if name in ("unknown_task_status", "created_status"):
        if name == "created_status" and lowered in ("none", "documented"):
            return None
        if lowered.isdigit():
            return int(lowered)
        choices = "400 or 404" if name == "unknown_task_status" else "200, 201 or none"
        raise ValueError(f"{name} takes {choices}, got {text!r}")
    if name == "generic_content_type":
        return None if lowered in ("none", "documented") else text.strip()
    return lowered


def readings_from(items: Iterable[str], base: Readings | None = None) -> Readings:
    """The readings that ``NAME=VALUE`` settings make of ``base`` (default: documented).

    Names are :class:`Readings`' fields (see :data:`READING_VALUES`); ``true``/``false`` (or
    ``yes``/``no``, ``on``/``off``, ``1``/``0``) for the flags, ``none`` for "as documented"
    where a field may be ``None``. The single word ``odd`` stands for :data:`ODD_READINGS`, and
    ``documented`` for ``Readings()``; settings apply in order, a later one winning.

    Raises:
        ValueError: A setting is not ``NAME=VALUE``, names no field, or gives a value the field
            does not take; the message names the setting and what it takes.
    """
    readings = base if base is not None else Readings()
    names = tuple(READING_VALUES)
    for item in items:
        text = item.strip()
        if text.lower() == "odd":
            readings = ODD_READINGS
            continue
        if text.lower() == "documented":
            readings = Readings()
            continue
        name, equals, value = text.partition("=")
        name = name.strip()
        if not equals:
            raise ValueError(
                f"a reading is NAME=VALUE (or 'odd', or 'documented'), got {item!r}; "
                f"names: {', '.join(names)}"
            )
        if name not in READING_VALUES:
            raise ValueError(f"unknown reading {name!r}: use one of {', '.join(names)}")
        try:
            readings = dataclasses.replace(readings, **{name: _convert(name, value)})
        except ValueError as exc:
            raise ValueError(
                f"bad reading {text!r}: {exc}; values: {', '.join(READING_VALUES[name])}"
            ) from None
    return readings


#: Every field at once set to a variant: the oddest server the docs allow.
ODD_READINGS: Final = Readings(
    status_case="title",
    numeric_ids=True,
    numeric_fail_codes=False,
    unknown_task_status=400,
    session_before_create="ready",
    created_status=200,
    generic_content_type="text/plain",
)

#: Each variant on its own, every other field documented: one server per way of reading a point.
SINGLE_READINGS: Final[tuple[Readings, ...]] = (
    Readings(status_case="upper"),
    Readings(status_case="title"),
    Readings(numeric_ids=True),
    Readings(numeric_fail_codes=False),
    Readings(unknown_task_status=400),
    Readings(session_before_create="ready"),
    Readings(created_status=200),
    Readings(created_status=201),
    Readings(generic_content_type="application/octet-stream"),
    Readings(generic_content_type="text/plain"),
)
