"""mountsea.ai's endpoints besides custom models and generate, on the emulator.

Routes (all under ``/suno/v2``; POSTs answer 201 ``{"taskId"}`` unless noted; tasks are polled
through ``GET /suno/v2/status`` like every other):

* ``POST /lyrics`` ``{prompt, lyrics_model}``; ``POST /concat`` ``{clip_id, is_infill,
  edit_session_id?, project_id?}``; ``POST /upload`` ``{audioUrl}``;
  ``POST /audio/upload/session`` (no body) → ``{"sessionId"}``;
  ``POST /audio/upload/session/item`` ``{sessionId, audioUrl}``;
  ``POST /playlist/create`` ``{clip_ids, name?}`` → ``{"playlist_id"}``;
  ``POST /voicePersona/init`` and ``/voicePersona/complete``; ``POST /remaster``,
  ``/adjustSpeed``, ``/timing``, ``/downbeats``, ``/mdi``, ``/audio/crop``, ``/audio/fade``,
  ``/image/generate``; ``GET /generate/schema[?task=]``.
* The usage host's paths (``X-API-Key`` or ``?key=``, on the same port): ``GET
  /api-user/credits`` → ``{"credits"}``, ``GET /api-user/services``, ``POST
  /api-user/usage/search`` and ``/api-user/points/search`` ``{dateRange: {start, end}, page,
  limit}`` → ``{"records", "total", "page", "limit"}`` (guessed), the account's charges, newest
  first (the dates are not used to filter).
* Files, no auth (a CDN): ``GET /cdn/midi/<id>.mid`` (a Standard MIDI File) and
  ``GET /cdn/image/<id>.png`` (a PNG). New clips' audio is served by the shared
  ``/cdn/audio/<id>.wav``.

Timelines (clock seconds after the POST): ``queued`` for 1 s, ``running`` until
:data:`DURATIONS` of the endpoint, then ``success``. A voice persona: ``running`` until 3 s,
then ``awaiting`` (``data`` ``{"phrase_text"}``) for :data:`PERSONA_WINDOW` seconds; then
``failed`` with ``failReason`` and ``failCode`` ``"VP_USER_TIMEOUT"`` unless ``complete``
came, after which it runs 2 s more to ``success``. ``complete`` is refused (400) unless the
task is ``awaiting``; after the window its message starts with ``VP_USER_TIMEOUT``.

Prices (:data:`PRICES`): ``image/generate`` advanced 40 (two images at about 20); the rest free
or unpublished, so not charged. Failed tasks are refunded as everywhere.

Guessed result shapes (the provider documents only crop/fade and image), in one place:

* ``lyrics``: ``{"text", "title", "status": "complete"}``.
* ``upload``: a Suno clip object (``id``, ``audio_url`` = the source URL) with ``clip_id``.
* upload session item: ``{"audioId"}``; the session's own status: ``success`` with
  ``{"audioIds": [...]}`` of the items finished so far (documented).
* ``concat``, ``remaster``, ``adjustSpeed``: a list with one new Suno clip (audio served).
* ``timing``: ``{"lines": [{"text", "start_s", "end_s", "words": [{"word", "start_s",
  "end_s"}]}]}``; ``downbeats``: ``{"bpm", "downbeats": [seconds...]}``.
* ``mdi``: ``{"midi_url"}``; fails (``"Clip is not a gen_stem_all result."``, 4002) for a clip
  that is not a stem of a ``gen_stem_all`` generation of this emulator.
* crop/fade: ``{"status": "complete", "action_clip_id", "clip"}`` (documented); image:
  ``{"batch_id", "items": [{"status", "image_url"}] * 2}`` (documented).
* voice persona success: ``{"persona_id", "name", "description", "is_public"}``.

Choices where the provider is silent: clip ids are not checked to exist (except by ``mdi``);
``generate/schema`` lists the emulator's own table (:mod:`._validation`): the task's required
fields, every other documented field as optional, ``notAllowed`` empty.
"""

from __future__ import annotations

import hmac
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web

from suno_async.emulator._app import CONFIG_KEY
from suno_async.emulator._audio import synth_wav
from suno_async.emulator._errors import ApiError
from suno_async.emulator._http import json_body, json_response
from suno_async.emulator._ledger import Settlement
from suno_async.emulator._mountsea._state import MountseaState
from suno_async.emulator._mountsea._validation import (
    GENERATE_FIELDS,
    REQUIRED_FIELDS,
    check_http_url,
    require_strings,
)
from suno_async.emulator._state import new_id
from suno_async.emulator._validation import parse_object, reject_unknown

__all__ = ["DURATIONS", "PERSONA_WINDOW", "PRICES", "ToolsState", "add_tool_routes", "midi_file"]

#: Seconds from the POST to ``success``, per endpoint.
DURATIONS: Final[dict[str, float]] = {
    "lyrics": 4.0,
    "upload": 3.0,
    "item": 3.0,
    "concat": 6.0,
    "remaster": 8.0,
    "adjustSpeed": 6.0,
    "timing": 3.0,
    "downbeats": 3.0,
    "mdi": 4.0,
    "crop": 2.0,
    "fade": 2.0,
    "image": 5.0,
}
#: Credits charged per endpoint (``image:advanced``); the others are free or unpublished.
PRICES: Final[dict[str, int]] = {"image:advanced": 40}
PERSONA_RUNNING: Final = 3.0
PERSONA_WINDOW: Final = 30.0
PERSONA_FINISH: Final = 2.0
VP_USER_TIMEOUT: Final = "VP_USER_TIMEOUT"
PENDING: Final = 1.0
_LANGUAGES: Final = frozenset({"zh", "en", "ja", "ko", "es", "fr", "de", "pt", "ru", "hi"})


@dataclass(eq=False, kw_only=True)
class _Work:
    id: str
    kind: str
    created: float
    cost: int = 0
    data: Callable[[], Any] = lambda: {}
    fail: tuple[str, int | str] | None = None
    # voice personas
    completed: float | None = None
    persona: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class _Session:
    id: str
    items: list[_Work] = field(default_factory=list)


def midi_file(seed: str) -> bytes:
    """A small valid Standard MIDI File (format 0, one track, a few notes from ``seed``)."""
    notes = [60 + (b % 12) for b in seed.encode()[:8]] or [60]
    events = b"\x00\xff\x51\x03\x07\xa1\x20"  # tempo 120 bpm
    for note in notes:
        events += bytes([0x00, 0x90, note, 0x60, 0x60, 0x80, note, 0x40])
    events += b"\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96)
    return header + b"MTrk" + struct.pack(">I", len(events)) + events


def png_file(seed: str) -> bytes:
    """A small valid PNG (8 x 8, one colour from ``seed``)."""
    colour = zlib.crc32(seed.encode()).to_bytes(4, "big")[:3]
    raw = b"".join(b"\x00" + colour * 8 for _ in range(8))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class ToolsState:
    """The tasks of the endpoints in the module docstring, next to ``state``'s (same clock,
    ids, credits and readings)."""

    def __init__(self, state: MountseaState) -> None:
        self.state = state
        self.shared = state.shared
        self.clock = state.clock
        self.readings = state.readings
        self._work: dict[str, _Work] = {}
        self._sessions: dict[str, _Session] = {}
        self._audio: dict[str, float] = {}  # clip id -> when its audio is there
        self._files: dict[str, str] = {}  # file id -> seed

    # -- the state machine -------------------------------------------------------------------

    def phase(self, work: _Work, now: float) -> tuple[str, float | None]:
        """The status of ``work`` at ``now`` and, once ended, when it ended."""
        elapsed = now - work.created
        if elapsed < PENDING:
            return "queued", None
        if work.kind == "persona":
            awaiting = work.created + PERSONA_RUNNING
            if work.completed is not None:
                done = work.completed + PERSONA_FINISH
                return ("success", done) if now >= done else ("running", None)
            if now < awaiting:
                return "running", None
            if now <= awaiting + PERSONA_WINDOW:
                return "awaiting", None
            return "failed", awaiting + PERSONA_WINDOW
        end = work.created + DURATIONS[work.kind]
        if now < end:
            return "running", None
        return ("failed" if work.fail is not None else "success"), end

    def settlement(self, work: _Work) -> Settlement:
        status, _ = self.phase(work, self.clock.now())
        if status in ("failed", "timeout"):
            return "refund"
        return "done" if status == "success" else "pending"

    def _accept(self, kind: str, *, cost: int = 0, **fields: Any) -> _Work:
        self.state.settle()
        work = _Work(id=self.shared.task_id(), kind=kind, created=self.clock.now(), cost=cost)
        for name, value in fields.items():
            setattr(work, name, value)
        if cost:
            ledger = self.state.ledger
            if not ledger.can_pay(cost):
                raise ApiError(
                    402,
                    f"Insufficient credits: this call costs {cost}, the account has "
                    f"{ledger.balance}.",
                )
            ledger.charge(work, cost)
        self._work[work.id] = work
        return work

    def status(self, task_id: str) -> dict[str, Any] | None:
        """The status body of one of these tasks or sessions; ``None`` if it is none of them."""
        readings = self.readings
        session = self._sessions.get(task_id)
        now = self.clock.now()
        if session is not None:
            done = [w for w in session.items if self.phase(w, now)[0] == "success"]
            return {
                "taskId": readings.wire_id(session.id),
                "status": readings.status("success"),
                "createdAt": self.shared.iso(now),
                "data": {"audioIds": [w.persona["audio_id"] for w in done]},
            }
        work = self._work.get(task_id)
        if work is None:
            return None
        self.state.settle()
        status, finish = self.phase(work, now)
        body: dict[str, Any] = {
            "taskId": readings.wire_id(work.id),
            "status": readings.status(status),
            "createdAt": self.shared.iso(work.created),
        }
        if finish is not None:
            body["finishAt"] = self.shared.iso(finish)
        if status == "failed":
            reason, code = work.fail or (VP_USER_TIMEOUT, VP_USER_TIMEOUT)
            body["failReason"] = reason
            body["failCode"] = code if isinstance(code, str) else readings.fail_code(code)
            body["data"] = {}
        elif status == "awaiting":
            body["data"] = {"phrase_text": work.persona["phrase_text"]}
        elif status == "success":
            body["data"] = work.data()
        else:
            body["data"] = {}
        return body

    # -- what the tasks make -----------------------------------------------------------------

    def _new_clip(self, work: _Work, title: str, source: str | None) -> dict[str, Any]:
        clip_id = new_id()
        self._audio[clip_id] = work.created + DURATIONS[work.kind]
        return {
            "id": clip_id,
            "title": title,
            "status": self.readings.status("complete"),
            "audio_url": f"{self.shared.base_url}/cdn/audio/{clip_id}.wav",
            "created_at": self.shared.iso(work.created),
            "metadata": {
                "type": work.kind,
                "duration": self.shared.clip_seconds(),
                "source_clip_id": source,
            },
        }

    def clip_audio(self, clip_id: str, *, streaming: bool) -> bytes | None:
        """The WAV of a clip these tasks made, once its task has finished."""
        ready = self._audio.get(clip_id)
        if ready is None or self.clock.now() < ready:
            return None
        return synth_wav(clip_id, self.shared.config.audio_seconds)

    def file(self, file_id: str) -> str | None:
        """The seed of a MIDI or image file these tasks made, or ``None``."""
        return self._files.get(file_id)

    # -- operations --------------------------------------------------------------------------

    def lyrics(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"prompt", "lyrics_model"}))
        require_strings(obj, ("prompt",))
        model = obj.get("lyrics_model", "default")
        if model not in ("default", "remi-v1"):
            raise ApiError(400, "lyrics_model must be one of: default, remi-v1.")
        prompt = obj["prompt"]
        text = f"[Verse]\n{prompt}\nUnder the emulator's sky\n\n[Chorus]\n{prompt}, oh {prompt}"
        title = prompt.split()[0].title() if prompt.split() else "Untitled"
        result = {"text": text, "title": title, "status": self.readings.status("complete")}
        return self._accept("lyrics", data=lambda: result).id

    def upload(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"audioUrl"}))
        require_strings(obj, ("audioUrl",))
        check_http_url(obj["audioUrl"], "audioUrl")
        clip_id = new_id()
        url = obj["audioUrl"]
        work = self._accept("upload")
        clip = {
            "id": clip_id,
            "clip_id": clip_id,
            "status": self.readings.status("complete"),
            "title": url.rsplit("/", 1)[-1] or "upload",
            "audio_url": url,
            "created_at": self.shared.iso(work.created),
            "metadata": {"type": "upload", "duration": self.shared.config.audio_seconds},
        }
        work.data = lambda: clip
        return work.id

    def session(self) -> str:
        session = _Session(self.shared.task_id())
        self._sessions[session.id] = session
        return session.id

    def session_item(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"sessionId", "audioUrl"}))
        if "sessionId" in obj:
            obj["sessionId"] = self.readings.take_id(obj["sessionId"])
        require_strings(obj, ("sessionId", "audioUrl"))
        check_http_url(obj["audioUrl"], "audioUrl")
        session = self._sessions.get(obj["sessionId"])
        if session is None:
            raise ApiError(400, f"Unknown sessionId: {obj['sessionId']}.")
        audio_id = new_id()
        work = self._accept("item", persona={"audio_id": audio_id})
        work.data = lambda: {"audioId": audio_id}
        session.items.append(work)
        return work.id

    def playlist(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"clip_ids", "name"}))
        ids = obj.get("clip_ids")
        if (
            not isinstance(ids, list)
            or not 1 <= len(ids) <= 4
            or not all(isinstance(i, str) and i for i in ids)
        ):
            raise ApiError(400, "clip_ids must hold 1 to 4 clip ids.")
        if "name" in obj and not isinstance(obj["name"], str):
            raise ApiError(400, "name must be a string.")
        return new_id()

    def concat(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"clip_id", "is_infill", "edit_session_id", "project_id"}))
        require_strings(obj, ("clip_id",))
        if not isinstance(obj.get("is_infill"), bool):
            raise ApiError(400, "is_infill is required and must be a boolean.")
        if obj["is_infill"]:
            require_strings(obj, ("edit_session_id",))
        return self._clip_task("concat", obj["clip_id"], "Full song")

    def _clip_task(self, kind: str, source: str, title: str) -> str:
        work = self._accept(kind)
        clip = self._new_clip(work, title, source)
        work.data = lambda: [clip]
        return work.id

    def remaster(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"clip_id", "model_name", "variation_category"}))
        require_strings(obj, ("clip_id", "model_name"))
        if obj["model_name"] not in ("chirp-carp", "chirp-bass"):
            raise ApiError(400, "model_name must be chirp-carp or chirp-bass.")
        if obj.get("variation_category", "normal") not in ("subtle", "normal", "high"):
            raise ApiError(400, "variation_category must be subtle, normal or high.")
        return self._clip_task("remaster", obj["clip_id"], "Remaster")

    def adjust_speed(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"clip_id", "speed_multiplier", "keep_pitch", "title"}))
        require_strings(obj, ("clip_id",))
        speed = obj.get("speed_multiplier")
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0.25 <= speed <= 4:
            raise ApiError(400, "speed_multiplier is required, from 0.25 to 4.")
        if "keep_pitch" in obj and not isinstance(obj["keep_pitch"], bool):
            raise ApiError(400, "keep_pitch must be a boolean.")
        return self._clip_task("adjustSpeed", obj["clip_id"], obj.get("title") or "Speed")

    def analysis(self, kind: str, body: bytes) -> str:
        """``timing``, ``downbeats`` or ``mdi``: ``{clip_id}``."""
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"clip_id"}))
        require_strings(obj, ("clip_id",))
        clip_id = obj["clip_id"]
        if kind == "timing":
            words = ["hello", "emulator", "world"]
            line = {
                "text": " ".join(words),
                "start_s": 0.0,
                "end_s": 3.0,
                "words": [
                    {"word": w, "start_s": float(i), "end_s": float(i) + 0.9}
                    for i, w in enumerate(words)
                ],
            }
            result: Any = {"lines": [line]}
            return self._accept(kind, data=lambda: result).id
        if kind == "downbeats":
            beats = {"bpm": 120, "downbeats": [2.0 * i for i in range(8)]}
            return self._accept(kind, data=lambda: beats).id
        fail = None
        if self.state.generated_task_of(clip_id) != "gen_stem_all":
            fail = ("Clip is not a gen_stem_all result.", 4002)
        file_id = new_id()
        self._files[file_id] = clip_id
        midi = {"midi_url": f"{self.shared.base_url}/cdn/midi/{file_id}.mid"}
        return self._accept(kind, data=lambda: midi, fail=fail).id

    def crop(self, body: bytes) -> str:
        obj = parse_object(body)
        allowed = {"clip_id", "crop_start_s", "crop_end_s", "is_crop_remove", "ui_surface"}
        reject_unknown(obj, frozenset(allowed))
        require_strings(obj, ("clip_id",))
        start, end = obj.get("crop_start_s"), obj.get("crop_end_s")
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (start, end)
        ) or not (0 <= start < end):  # type: ignore[operator]
            raise ApiError(400, "crop_start_s and crop_end_s are required, 0 <= start < end.")
        return self._edit("crop", obj["clip_id"], "Cropped")

    def fade(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"clip_id", "fade_in_time", "fade_out_time", "title"}))
        require_strings(obj, ("clip_id",))
        fades = [obj[k] for k in ("fade_in_time", "fade_out_time") if obj.get(k) is not None]
        if not fades or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in fades
        ):
            raise ApiError(400, "fade_in_time or fade_out_time (seconds above 0) is required.")
        return self._edit("fade", obj["clip_id"], obj.get("title") or "Faded")

    def _edit(self, kind: str, source: str, title: str) -> str:
        work = self._accept(kind)
        clip = self._new_clip(work, title, source)
        action = new_id()
        result = {"status": "complete", "action_clip_id": action, "clip": clip}
        work.data = lambda: result
        return work.id

    def image(self, body: bytes) -> str:
        obj = parse_object(body)
        reject_unknown(obj, frozenset({"prompt", "image_gen_category"}))
        require_strings(obj, ("prompt",))
        category = obj.get("image_gen_category", "basic")
        if category not in ("basic", "advanced"):
            raise ApiError(400, "image_gen_category must be basic or advanced.")
        ids = [new_id(), new_id()]
        for file_id in ids:
            self._files[file_id] = obj["prompt"]
        batch = {
            "batch_id": new_id(),
            "items": [
                {"status": "complete", "image_url": f"{self.shared.base_url}/cdn/image/{i}.png"}
                for i in ids
            ],
        }
        cost = PRICES.get(f"image:{category}", 0)
        return self._accept("image", cost=cost, data=lambda: batch).id

    def persona_init(self, body: bytes) -> str:
        obj = parse_object(body)
        allowed = {"voice_audio_url", "language", "vocal_start_s", "vocal_end_s"}
        reject_unknown(obj, frozenset(allowed))
        require_strings(obj, ("voice_audio_url", "language"))
        check_http_url(obj["voice_audio_url"], "voice_audio_url")
        if obj["language"] not in _LANGUAGES:
            raise ApiError(400, f"language must be one of: {', '.join(sorted(_LANGUAGES))}.")
        phrase = "The quick brown fox sings over the lazy emulator"
        return self._accept("persona", persona={"phrase_text": phrase}).id

    def persona_complete(self, body: bytes) -> str:
        obj = parse_object(body)
        allowed = {
            "taskId",
            "verification_audio_url",
            "name",
            "description",
            "is_public",
            "image_s3_id",
        }
        reject_unknown(obj, frozenset(allowed))
        if "taskId" in obj:
            obj["taskId"] = self.readings.take_id(obj["taskId"])
        require_strings(obj, ("taskId", "verification_audio_url", "name"))
        check_http_url(obj["verification_audio_url"], "verification_audio_url")
        work = self._work.get(obj["taskId"])
        if work is None or work.kind != "persona":
            raise ApiError(400, f"Unknown voice persona task: {obj['taskId']}.")
        status, _ = self.phase(work, self.clock.now())
        if status == "failed":
            raise ApiError(
                400, f"{VP_USER_TIMEOUT}: complete came after the {PERSONA_WINDOW:g} s window."
            )
        if status != "awaiting" or work.completed is not None:
            raise ApiError(400, f"Voice persona task {work.id} is not awaiting (it is {status}).")
        work.completed = self.clock.now()
        persona = {
            "persona_id": new_id(),
            "name": obj["name"],
            "description": obj.get("description"),
            "is_public": bool(obj.get("is_public", False)),
        }
        work.data = lambda: persona
        return work.id

    def schema(self, task: str | None) -> list[dict[str, Any]]:
        tasks = list(REQUIRED_FIELDS) if task is None else [task]
        if task is not None and task not in REQUIRED_FIELDS:
            raise ApiError(400, f"Unknown task {task!r}: use one of {', '.join(REQUIRED_FIELDS)}.")
        answer = []
        for name in tasks:
            required = REQUIRED_FIELDS[name]
            optional = sorted(GENERATE_FIELDS - set(required) - {"task"})
            answer.append(
                {
                    "task": name,
                    "description": f"{name} (the emulator's table)",
                    "required": [{"field": f, "type": "string"} for f in required],
                    "optional": [{"field": f} for f in optional],
                    "notAllowed": [],
                    "example": {"task": name},
                }
            )
        return answer


# -- routes ------------------------------------------------------------------------------------

TOOLS_KEY: Final = web.AppKey("mountsea_tools", ToolsState)


def _created(tools: ToolsState, field_name: str, value: str) -> web.Response:
    readings = tools.readings
    return json_response(readings.created(201), {field_name: readings.wire_id(value)})


def _post(op: Callable[[ToolsState, bytes], str], field_name: str = "taskId") -> Any:
    async def handler(request: web.Request) -> web.Response:
        body = await json_body(request)
        tools = request.app[TOOLS_KEY]
        return _created(tools, field_name, op(tools, body))

    return handler


async def _session(request: web.Request) -> web.Response:
    await request.read()
    tools = request.app[TOOLS_KEY]
    return _created(tools, "sessionId", tools.session())


async def _schema(request: web.Request) -> web.Response:
    task = request.query.get("task") or None
    return json_response(200, request.app[TOOLS_KEY].schema(task))


def _usage_key(request: web.Request) -> None:
    """The usage host's auth: ``X-API-Key: <key>`` or ``?key=<key>`` (401 otherwise)."""
    api_key = request.app[CONFIG_KEY].api_key
    token = request.headers.get("X-API-Key") or request.query.get("key")
    if not token or (api_key is not None and not hmac.compare_digest(token, api_key)):
        raise ApiError(401, "Invalid or missing API key (X-API-Key header or key query).")


async def _credits(request: web.Request) -> web.Response:
    _usage_key(request)
    return json_response(200, {"credits": request.app[TOOLS_KEY].state.credits})


async def _services(request: web.Request) -> web.Response:
    _usage_key(request)
    return json_response(200, {"services": [{"name": "suno", "enabled": True}]})


async def _search(request: web.Request) -> web.Response:
    """Usage (or points) records, newest first, paged: ``{records, total, page, limit}``."""
    _usage_key(request)
    obj = parse_object(await request.read())
    reject_unknown(obj, frozenset({"dateRange", "page", "limit"}))
    page, limit = obj.get("page", 1), obj.get("limit", 20)
    for name, value in (("page", page), ("limit", limit)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ApiError(400, f"{name} must be an integer of at least 1.")
    date_range = obj.get("dateRange")
    if not isinstance(date_range, dict) or not all(
        isinstance(date_range.get(k), str) for k in ("start", "end")
    ):
        raise ApiError(400, "dateRange must be {start, end}.")
    tools = request.app[TOOLS_KEY]
    records = [
        {"taskId": c.task_id, "type": c.kind, "credits": c.cost, "state": c.state}
        for c in reversed(tools.state.charges())
    ]
    chunk = records[(page - 1) * limit : page * limit]
    body = {"records": chunk, "total": len(records), "page": page, "limit": limit}
    return json_response(200, body)


async def _midi(request: web.Request) -> web.Response:
    seed = request.app[TOOLS_KEY].file(request.match_info["file_id"])
    if seed is None:
        raise ApiError(404, "No such MIDI file.")
    return web.Response(body=midi_file(seed), content_type="audio/midi")


async def _image(request: web.Request) -> web.Response:
    seed = request.app[TOOLS_KEY].file(request.match_info["file_id"])
    if seed is None:
        raise ApiError(404, "No such image.")
    return web.Response(body=png_file(seed), content_type="image/png")


def add_tool_routes(app: web.Application, tools: ToolsState, prefix: str) -> None:
    """Serve the routes of the module docstring from ``app``, backed by ``tools``."""
    app[TOOLS_KEY] = tools
    router = app.router
    posts: dict[str, Callable[[ToolsState, bytes], str]] = {
        "lyrics": ToolsState.lyrics,
        "upload": ToolsState.upload,
        "audio/upload/session/item": ToolsState.session_item,
        "concat": ToolsState.concat,
        "remaster": ToolsState.remaster,
        "adjustSpeed": ToolsState.adjust_speed,
        "timing": lambda t, b: t.analysis("timing", b),
        "downbeats": lambda t, b: t.analysis("downbeats", b),
        "mdi": lambda t, b: t.analysis("mdi", b),
        "audio/crop": ToolsState.crop,
        "audio/fade": ToolsState.fade,
        "image/generate": ToolsState.image,
        "voicePersona/init": ToolsState.persona_init,
        "voicePersona/complete": ToolsState.persona_complete,
    }
    for path, op in posts.items():
        router.add_post(f"{prefix}/{path}", _post(op))
    router.add_post(f"{prefix}/playlist/create", _post(ToolsState.playlist, "playlist_id"))
    router.add_post(f"{prefix}/audio/upload/session", _session)
    router.add_get(f"{prefix}/generate/schema", _schema)
    router.add_get("/api-user/credits", _credits)
    router.add_get("/api-user/services", _services)
    router.add_post("/api-user/usage/search", _search)
    router.add_post("/api-user/points/search", _search)
    router.add_get("/cdn/midi/{file_id}.mid", _midi)
    router.add_get("/cdn/image/{file_id}.png", _image)
