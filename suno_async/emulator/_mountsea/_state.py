"""mountsea.ai's state: one account, its sessions, tasks, clips and credits.

Nothing runs on a timer. A task stores when it was created (on the emulator's clock) and what
will happen to it; its status is worked out from the clock each time someone looks
(:meth:`MountseaState.phase`). Credits are settled the same way: before every operation and
every read of the balance, tasks that have ended in failure since the last look are refunded.
The only real background work is the fetch of an upload's ``audioUrl``.

Timelines (clock seconds after the task was accepted):

* upload: ``queued`` for 1 s, ``running`` until ``upload_seconds``, then ``success`` if the fetch
  found audio or ``failed`` (``"Audio source not found."``, 4001) if not; while the fetch is
  still in flight it stays ``running``, and ends when the fetch lands.
* training: ``ready`` for 5 s, ``running`` until ``training_seconds``, then ``success``.
* generate: ``queued`` for 2 s, ``running``, ``stream`` from 45 % of ``generate_seconds``, then
  ``success``.
* A scripted failure or timeout replaces ``success`` at the same moment; a stalled task stays
  ``running`` forever; a scripted status value replaces ``queued``/``ready``.
* For an upload, a scripted outcome wins over what its fetch finds. A stalled upload stays
  ``running`` forever even when the fetch found no audio (it never fails, so its credit is not
  refunded); a scripted failure or timeout ends it at ``upload_seconds`` with the scripted
  reason whether or not the fetch found audio, or has finished. The fetch still happens.

Choices where the provider is silent:

* ``finishAt`` is the clock moment the task ended, not the moment someone noticed; ``data`` is
  ``{}`` until there is a result. Timestamps are the emulator's
  (:meth:`~suno_async.emulator._state.SharedState.iso`): the wall-clock time the emulator started
  plus the clock time elapsed since, ISO-8601 in UTC with milliseconds.
* A timed-out task has ``failReason`` ``"Task timed out."`` and no ``failCode``.
* Upload ``data`` is a Suno clip object whose ``title`` is the URL's file name and whose
  ``audio_url`` is the source URL; ``metadata.duration`` is the WAV's length if the fetched file
  was a WAV, ``audio_seconds`` for audio on an offline host, ``null`` otherwise.
* Training ``data`` is ``{"id": "chirp-custom:<uuid>", "name", "sessionId", "clipIds",
  "createdAt"}`` (``createdAt`` = when training ended).
* Generate ``data`` is a list of Suno clip objects: 2 per task, 4 for ``gen_stem_all``; stems
  are titled ``"<title> (vocals)"`` and so on. Streaming clips point at ``/cdn/stream/<id>.wav``
  and have ``duration`` null; complete clips point at ``/cdn/audio/<id>.wav``. A generation that
  fails after streaming reports ``data`` ``{}`` and its audio is gone.
* ``customModel/create`` checks, in order: body fields, the session, the clip ids (400); a
  training of this session that is queued, running or succeeded (409, because a second create
  would bill twice); the account's model limit (403); credits (402). After a training that
  failed or timed out, create may be sent again for the same session: the session's task id
  then reports the new training.
* Uploads to a session that already trains are accepted; they just cannot join that training.
  Sessions never expire.
* Faults scripted with ``fail_next_tasks`` and friends are taken by the next *accepted* task of
  that kind; a refused request does not use them up.

How the answers are written follows the configured reading of the docs
(:class:`~suno_async.emulator._readings.Readings`): the letter case of ``status`` (the task's and
its clips'), task and session ids as strings or numbers (taken back either way), ``failCode`` as
a number or a string, 404 or 400 for an unknown task id, and what a prepared session's id shows
before create (an unknown task, or ``ready``). The timelines above are the same in every reading.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote, urlsplit

import aiohttp

from suno_async.emulator._audio import has_audio_extension, synth_wav
from suno_async.emulator._errors import ApiError
from suno_async.emulator._faults import Outcome, TaskKind
from suno_async.emulator._fetch import AudioProbe, probe_audio
from suno_async.emulator._ledger import Charge, Ledger, Settlement
from suno_async.emulator._mountsea._validation import (
    GenerateSpec,
    check_http_url,
    require_strings,
    validate_generate,
)
from suno_async.emulator._state import SharedState, new_id
from suno_async.emulator._validation import parse_object, reject_unknown

__all__ = ["MountseaState", "Phase"]

_log = logging.getLogger("suno_async.emulator")

#: How long a new task reports its waiting status (clock seconds), and which status that is.
PENDING_SECONDS: Final[dict[TaskKind, float]] = {"upload": 1.0, "training": 5.0, "generate": 2.0}
PENDING_STATUS: Final[dict[TaskKind, str]] = {
    "upload": "queued",
    "training": "ready",
    "generate": "queued",
}
#: Fraction of ``generate_seconds`` after which a generation streams.
STREAM_FRACTION: Final = 0.45
#: Documented stock models of ``generate``.
STOCK_MODELS: Final = (
    "chirp-v35",
    "chirp-v40",
    "chirp-v45",
    "chirp-45+",
    "chirp-v45-lite",
    "chirp-v50",
    "chirp-v55",
)
CUSTOM_PREFIX: Final = "chirp-custom:"
MIN_CLIPS: Final = 6
AUDIO_NOT_FOUND: Final = ("Audio source not found.", 4001)
TIMED_OUT: Final = "Task timed out."
#: Wall-clock seconds a status request waits for an upload's fetch that is due but in flight,
#: so runs on a virtual clock do not race the real network.
FETCH_GRACE_SECONDS: Final = 2.0
_STEMS: Final[dict[str, tuple[str, ...]]] = {
    "gen_stem_two": ("vocals", "instrumental"),
    "gen_stem_all": ("vocals", "drums", "bass", "other"),
}
_FAILED: Final = frozenset({"failed", "timeout"})


@dataclass(frozen=True, slots=True)
class Phase:
    """Where a task is at one moment: its status and, once ended, when and why."""

    status: str
    finish: float | None = None
    fail_reason: str | None = None
    fail_code: int | str | None = None


@dataclass(eq=False, kw_only=True)
class _Task:
    id: str
    kind: TaskKind
    created: float
    duration: float
    cost: int
    outcome: Outcome | None
    status_override: str | None


@dataclass(eq=False, kw_only=True)
class _Upload(_Task):
    session_id: str
    audio_url: str
    clip_id: str
    probe: AudioProbe | None = None
    probe_at: float | None = None
    fetch: asyncio.Task[None] | None = None


@dataclass(eq=False, kw_only=True)
class _Training(_Task):
    session_id: str
    name: str
    clip_ids: list[str]
    model_id: str


@dataclass(eq=False, kw_only=True)
class _Generation(_Task):
    spec: GenerateSpec
    clip_ids: list[str]


@dataclass(eq=False)
class _Session:
    id: str
    created: float
    uploads: list[_Upload] = field(default_factory=list)
    training: _Training | None = None


def _is_offline(url: str, hosts: frozenset[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h.lower() or host.endswith("." + h.lower()) for h in hosts)


class MountseaState:
    """mountsea.ai's bookkeeping; its routes turn requests into calls on this.

    Args:
        shared: The emulator's settings (``credits``, the prices and durations of uploads,
            trainings and generations, ``audio_seconds``), clock, task scripts (this state takes
            those of kinds ``"upload"``, ``"training"`` and ``"generate"``), time stamps and
            base URL.

    Every method that takes a body raises :class:`ApiError` for a request the provider would
    refuse, and changes nothing in that case.
    """

    def __init__(self, shared: SharedState) -> None:
        self.shared = shared
        self.config = shared.config
        self.clock = shared.clock
        self.faults = shared.faults
        self.readings = shared.readings
        # Work of other route sets (``_tools``) is charged here too, settled by its own rule.
        self.ledger: Ledger[Any] = Ledger(self.config.credits, self._settlement)
        self.other_settlement: Callable[[Any], Settlement] | None = None
        self._sessions: dict[str, _Session] = {}
        self._tasks: dict[str, _Task] = {}
        self._trainings: list[_Training] = []
        self._clips: dict[str, _Generation] = {}
        self._fetches: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, http: aiohttp.ClientSession) -> None:
        """Begin serving (after the shared state has started), fetching uploads with ``http``."""
        self._http = http

    async def aclose(self) -> None:
        """Cancel the fetches still in flight and wait until they have stopped."""
        fetches = list(self._fetches)
        for fetch in fetches:
            fetch.cancel()
        if fetches:
            await asyncio.gather(*fetches, return_exceptions=True)
        self._http = None

    # -- money -----------------------------------------------------------------------------

    @property
    def credits(self) -> int:
        """The account's balance now."""
        return self.ledger.balance

    @property
    def credits_spent(self) -> int:
        """Credits charged minus credits refunded, so far."""
        return self.ledger.spent

    def settle(self) -> None:
        """Mark tasks that have ended as such, refunding those that failed or timed out."""
        self.ledger.settle()

    def charges(self) -> list[Charge]:
        """Every charge of the account so far, oldest first (see :class:`Charge`)."""
        return self.ledger.charges("mountsea", lambda task: (task.kind, task.id))

    def _settlement(self, task: Any) -> Settlement:
        if not isinstance(task, _Task) and self.other_settlement is not None:
            return self.other_settlement(task)
        status = self.phase(task, self.clock.now()).status
        if status in _FAILED:
            return "refund"
        return "done" if status == "success" else "pending"

    def _charge(self, task: _Task) -> None:
        if not self.ledger.can_pay(task.cost):
            raise ApiError(
                402,
                f"Insufficient credits: this call costs {task.cost}, the account has "
                f"{self.ledger.balance}.",
            )
        self.ledger.charge(task, task.cost)

    def _accept(self, task: _Task) -> None:
        self._charge(task)
        self._tasks[task.id] = task

    # -- the state machine -----------------------------------------------------------------

    def phase(self, task: _Task, now: float) -> Phase:
        """The status of ``task`` at clock time ``now``."""
        total = task.duration
        elapsed = now - task.created
        if elapsed < min(PENDING_SECONDS[task.kind], total):
            return Phase(task.status_override or PENDING_STATUS[task.kind])
        outcome = task.outcome
        if outcome is not None and outcome.kind == "stall":
            return Phase("running")
        if elapsed < total:
            if task.kind == "generate" and elapsed >= STREAM_FRACTION * total:
                return Phase("stream")
            return Phase("running")
        end = task.created + total
        if outcome is not None and outcome.kind == "fail":
            return Phase("failed", end, outcome.reason, outcome.code)
        if outcome is not None and outcome.kind == "timeout":
            return Phase("timeout", end, TIMED_OUT)
        if isinstance(task, _Upload):
            if task.probe is None or task.probe_at is None:
                return Phase("running")
            end = max(end, task.probe_at)
            if not task.probe.found:
                return Phase("failed", end, *AUDIO_NOT_FOUND)
        return Phase("success", end)

    # -- operations --------------------------------------------------------------------------

    def prepare(self) -> str:
        """``customModel/prepare``: a new session id."""
        session = _Session(self.shared.task_id(), self.clock.now())
        self._sessions[session.id] = session
        return session.id

    def _session(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise ApiError(
                400, f"Unknown sessionId: {session_id}. Call customModel/prepare to get one."
            )
        return session

    def upload(self, body: bytes) -> str:
        """``customModel/upload``: accept one audio URL and start fetching it; the task id."""
        self.settle()
        obj = self._ids_in(parse_object(body))
        reject_unknown(obj, frozenset({"sessionId", "audioUrl"}))
        require_strings(obj, ("sessionId", "audioUrl"))
        session = self._session(obj["sessionId"])
        url: str = obj["audioUrl"]
        check_http_url(url, "audioUrl")
        now = self.clock.now()
        task = _Upload(
            id=self.shared.task_id(),
            kind="upload",
            created=now,
            duration=self.config.upload_seconds,
            cost=self.config.upload_cost,
            outcome=None,
            status_override=None,
            session_id=session.id,
            audio_url=url,
            clip_id=new_id(),
        )
        self._accept(task)  # raises 402 before any script is used
        task.outcome, task.status_override = self.faults.take("upload")
        session.uploads.append(task)
        if _is_offline(url, self.config.offline_audio_hosts):
            found = has_audio_extension(urlsplit(url).path)
            duration = self.shared.clip_seconds() if found else None
            task.probe = AudioProbe(found, duration, "offline host")
            task.probe_at = now
        else:
            fetch = asyncio.get_running_loop().create_task(self._fetch(task))
            task.fetch = fetch
            self._fetches.add(fetch)
            fetch.add_done_callback(self._fetches.discard)
        return task.id

    async def _fetch(self, task: _Upload) -> None:
        if self._http is None:
            raise RuntimeError("the emulator is not running")
        probe = await probe_audio(self._http, task.audio_url)
        task.probe, task.probe_at = probe, self.clock.now()
        _log.debug("upload %s fetched %s: %s", task.id, task.audio_url, probe.detail)

    def create(self, body: bytes) -> str:
        """``customModel/create``: start training a model; the task id (= the session id)."""
        self.settle()
        obj = self._ids_in(parse_object(body))
        reject_unknown(obj, frozenset({"sessionId", "clipIds", "name"}))
        missing = [name for name in ("sessionId", "clipIds", "name") if obj.get(name) in (None, "")]
        if missing:
            raise ApiError(400, f"Missing required field(s): {', '.join(missing)}.")
        session_id, clip_ids, name = obj["sessionId"], obj["clipIds"], obj["name"]
        if not isinstance(session_id, str):
            raise ApiError(400, "Field sessionId must be a string.")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "Field name must be a non-empty string.")
        if not isinstance(clip_ids, list) or not all(isinstance(c, str) for c in clip_ids):
            raise ApiError(400, "Field clipIds must be a list of clip id strings.")
        session = self._session(session_id)
        if len(clip_ids) < MIN_CLIPS:
            raise ApiError(
                400,
                f"clipIds needs at least {MIN_CLIPS} clip ids from successful uploads of this "
                f"session, got {len(clip_ids)}.",
            )
        duplicates = sorted({c for c in clip_ids if clip_ids.count(c) > 1})
        if duplicates:
            raise ApiError(400, f"clipIds has duplicates: {', '.join(duplicates)}.")
        now = self.clock.now()
        uploaded = {u.clip_id for u in session.uploads if self.phase(u, now).status == "success"}
        foreign = [c for c in clip_ids if c not in uploaded]
        if foreign:
            raise ApiError(
                400,
                f"clipIds not from a successful upload of session {session.id}: "
                f"{', '.join(foreign)}.",
            )
        if session.training is not None:
            status = self.phase(session.training, now).status
            if status not in _FAILED:
                raise ApiError(
                    409,
                    f"Session {session.id} already has a custom model training ({status}); "
                    "poll it, or prepare a new session for another model.",
                )
        active = [t for t in self._trainings if self.phase(t, now).status not in _FAILED]
        limit = self.config.max_custom_models
        if len(active) >= limit:
            raise ApiError(
                403,
                f"Custom model limit reached: this account already has {len(active)} custom "
                f"model(s) and may have at most {limit}.",
            )
        training = _Training(
            id=session.id,
            kind="training",
            created=now,
            duration=self.config.training_seconds,
            cost=self.config.create_cost,
            outcome=None,
            status_override=None,
            session_id=session.id,
            name=name,
            clip_ids=list(clip_ids),
            model_id=CUSTOM_PREFIX + new_id(),
        )
        self._accept(training)
        training.outcome, training.status_override = self.faults.take("training")
        session.training = training
        self._trainings.append(training)
        return training.id

    def generate(self, body: bytes) -> str:
        """``generate``: start a generation; the task id."""
        self.settle()
        spec = validate_generate(parse_object(body))
        self._check_model(spec.model)
        count = 4 if spec.task == "gen_stem_all" else 2
        task = _Generation(
            id=self.shared.task_id(),
            kind="generate",
            created=self.clock.now(),
            duration=self.config.generate_seconds,
            cost=self.config.generate_cost,
            outcome=None,
            status_override=None,
            spec=spec,
            clip_ids=[new_id() for _ in range(count)],
        )
        self._accept(task)
        task.outcome, task.status_override = self.faults.take("generate")
        for clip_id in task.clip_ids:
            self._clips[clip_id] = task
        return task.id

    def _ids_in(self, obj: dict[str, Any]) -> dict[str, Any]:
        """``obj`` with a numeric ``sessionId`` read as its string, under ``numeric_ids``."""
        if "sessionId" in obj:
            obj["sessionId"] = self.readings.take_id(obj["sessionId"])
        return obj

    def _check_model(self, model: str) -> None:
        if model in STOCK_MODELS:
            return
        if model.startswith(CUSTOM_PREFIX):
            now = self.clock.now()
            trained = {
                t.model_id for t in self._trainings if self.phase(t, now).status == "success"
            }
            if model in trained:
                return
            raise ApiError(
                400,
                f"Unknown model {model}: it is not a custom model of this account that has "
                "finished training.",
            )
        raise ApiError(
            400,
            f"Unknown model {model!r}: use one of {', '.join(STOCK_MODELS)}, or "
            f"{CUSTOM_PREFIX}<uuid> of a custom model this account trained.",
        )

    # -- reading ---------------------------------------------------------------------------

    async def wait_for_fetch(self, task_id: str) -> None:
        """If ``task_id`` is an upload that is due but still fetching, wait a little for it.

        Waits at most :data:`FETCH_GRACE_SECONDS` of wall-clock time; the fetch goes on after.
        """
        task = self._tasks.get(task_id)
        if (
            isinstance(task, _Upload)
            and task.outcome is None
            and task.fetch is not None
            and not task.fetch.done()
            and self.clock.now() - task.created >= task.duration
        ):
            await asyncio.wait({task.fetch}, timeout=FETCH_GRACE_SECONDS)

    def status(self, task_id: str) -> dict[str, Any]:
        """The ``GET /suno/v2/status`` body of ``task_id``.

        A prepared session without a training is an unknown task, or under the reading
        ``session_before_create="ready"`` a task that waits (``ready``, ``data`` ``{}``).

        Raises:
            ApiError: 404 (or 400, per ``readings.unknown_task_status``) if there is no such
                task.
        """
        self.settle()
        readings = self.readings
        task = self._tasks.get(task_id)
        if task is None:
            session = self._sessions.get(task_id)
            if session is not None and readings.session_before_create == "ready":
                return {
                    "taskId": readings.wire_id(session.id),
                    "status": readings.status("ready"),
                    "createdAt": self.shared.iso(session.created),
                    "data": {},
                }
            raise ApiError(readings.unknown_task_status, f"Task not found: {task_id}")
        now = self.clock.now()
        phase = self.phase(task, now)
        body: dict[str, Any] = {
            "taskId": readings.wire_id(task.id),
            "status": readings.status(phase.status),
            "createdAt": self.shared.iso(task.created),
        }
        if phase.finish is not None:
            body["finishAt"] = self.shared.iso(phase.finish)
        if phase.fail_reason is not None:
            body["failReason"] = phase.fail_reason
            if phase.fail_code is not None:
                body["failCode"] = readings.fail_code(phase.fail_code)
        body["data"] = self._data(task, phase)
        return body

    def _data(self, task: _Task, phase: Phase) -> Any:
        if isinstance(task, _Upload) and phase.status == "success":
            return self._upload_clip(task)
        if isinstance(task, _Training) and phase.status == "success":
            finish = task.created + task.duration if phase.finish is None else phase.finish
            return {
                "id": task.model_id,
                "name": task.name,
                "sessionId": self.readings.wire_id(task.session_id),
                "clipIds": list(task.clip_ids),
                "createdAt": self.shared.iso(finish),
            }
        if isinstance(task, _Generation) and phase.status in ("stream", "success"):
            complete = phase.status == "success"
            return [self._generated_clip(task, i, complete) for i in range(len(task.clip_ids))]
        return {}

    def _upload_clip(self, task: _Upload) -> dict[str, Any]:
        probe = task.probe
        name = unquote(urlsplit(task.audio_url).path.rsplit("/", 1)[-1]) or "upload"
        return {
            "id": task.clip_id,
            "status": self.readings.status("complete"),
            "title": name,
            "audio_url": task.audio_url,
            "created_at": self.shared.iso(task.created),
            "metadata": {"type": "upload", "duration": probe.duration if probe else None},
        }

    def _generated_clip(self, task: _Generation, index: int, complete: bool) -> dict[str, Any]:
        spec = task.spec
        clip_id = task.clip_ids[index]
        stems = _STEMS.get(spec.task)
        title = f"{spec.title} ({stems[index]})" if stems else spec.title
        route = "audio" if complete else "stream"
        return {
            "id": clip_id,
            "title": title,
            "status": self.readings.status("complete" if complete else "streaming"),
            "audio_url": f"{self.shared.base_url}/cdn/{route}/{clip_id}.wav",
            "video_url": "",
            "image_url": None,
            "image_large_url": None,
            "is_video_pending": False,
            "model_name": spec.model,
            "created_at": self.shared.iso(task.created),
            "metadata": {
                "tags": spec.tags,
                "prompt": spec.prompt,
                "gpt_description_prompt": spec.gpt_description_prompt,
                "type": "gen",
                "duration": self.shared.clip_seconds() if complete else None,
                "stream": True,
            },
            "play_count": 0,
            "upvote_count": 0,
            "is_public": False,
        }

    def generated_task_of(self, clip_id: str) -> str | None:
        """The generate task (``"gen_stem_all"``, ...) that made ``clip_id``, or ``None``."""
        task = self._clips.get(clip_id)
        return task.spec.task if task is not None else None

    def clip_audio(self, clip_id: str, *, streaming: bool) -> bytes | None:
        """The WAV of a generated clip, or ``None`` if it is not there (yet, or any more).

        A complete clip is served by both routes; a streaming one only when ``streaming``.
        """
        task = self._clips.get(clip_id)
        if task is None:
            return None
        status = self.phase(task, self.clock.now()).status
        if status == "success" or (streaming and status == "stream"):
            return synth_wav(clip_id, self.config.audio_seconds)
        return None
