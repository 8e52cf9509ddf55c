"""The payloads of the Temporal workflows and activities: msgspec Structs (see ``_payloads``).

These are plain data, importable inside the workflow sandbox (they import nothing but msgspec).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

__all__ = [
    "CheckAnswer",
    "ClipInfo",
    "CreateAnswer",
    "CreateRequest",
    "DownloadRequest",
    "GenerateAnswer",
    "GenerateRequest",
    "JobOptions",
    "JobOutcome",
    "JobSpec",
    "SessionView",
    "SettleRequest",
    "TaskRef",
    "TrainSpec",
    "UploadRequest",
]

#: How a job ended: ``done``; ``ambiguous`` (a paid request's answer was lost and it was not
#: sent again: it may have been billed); ``failed`` (the provider failed the work, or too few
#: uploads succeeded); ``refused`` (the ledger's budget or the provider refused a paid request:
#: nothing was charged).
JobStatus = Literal["done", "ambiguous", "failed", "refused"]


class TrainSpec(msgspec.Struct, frozen=True, kw_only=True):
    """Train a custom model called ``name`` on ``clip_count`` of ``audio_urls`` (the URLs
    after the first ``clip_count`` are spares, uploaded only to replace one that failed)."""

    name: str
    audio_urls: list[str]
    clip_count: int = 6
    upload_attempts: int = 2


class JobOptions(msgspec.Struct, frozen=True, kw_only=True):
    """How a job's workflow runs its activities.

    ``poll_scale`` multiplies every poll schedule (``1.0`` for a real provider; ``1/speed``
    for an emulator running ``speed`` times as fast). ``heartbeat_timeout`` is how soon an
    activity on a dead worker is given up (seconds); ``activity_timeout`` bounds one activity.
    ``max_resends`` bounds how often a create that did not arrive is sent again (and, with
    ``resend_if_ambiguous``, a generate whose answer was lost).
    """

    poll_scale: float = 1.0
    heartbeat_timeout: float = 10.0
    activity_timeout: float = 120.0
    max_resends: int = 2


class JobSpec(msgspec.Struct, frozen=True, kw_only=True):
    """One job: train a model (``train``), generate (``generate``: the fields of
    ``MountseaClient.generate``; with ``train``, ``model`` is set to the new model), or both;
    ``download`` the clips on the downloads task queue (to the worker's directory or sink)."""

    key: str
    train: TrainSpec | None = None
    generate: dict[str, Any] | None = None
    download: bool = False
    resend_if_ambiguous: bool = False
    options: JobOptions = JobOptions()


class ClipInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A finished clip: its id and the URL of its audio."""

    id: str
    audio_url: str
    title: str | None = None


class JobOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What became of a job (see :data:`JobStatus`); ``error`` says why when not done."""

    key: str
    status: JobStatus
    error: str | None = None
    session_id: str | None = None
    model_id: str | None = None
    task_id: str | None = None
    clips: list[ClipInfo] = []
    files: list[str] = []
    creates_sent: int = 0
    generates_sent: int = 0


class BatchInput(msgspec.Struct, frozen=True, kw_only=True):
    """A shard of a batch: its jobs (at most a few hundred), started as child workflows with
    ids ``<prefix><hash of the key>``."""

    jobs: list[JobSpec]
    id_prefix: str
    task_queue: str | None = None


class BatchOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """A shard's counts by status, and the keys whose workflow was already started before
    (``already``: another submission of the same job; its outcome is its own workflow's)."""

    counts: dict[str, int]
    already: list[str] = []
    outcomes: list[JobOutcome] = []


# -- activities -----------------------------------------------------------------------------


class UploadRequest(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    audio_url: str


class TaskRef(msgspec.Struct, frozen=True, kw_only=True):
    """A task id, and what kind of task it is (``upload``, ``training``, ``generate``)."""

    task_id: str
    kind: str


class CheckAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """One status request's verdict: ``pending``, ``done`` (``result_id``: the clip id of an
    upload, the model id of a training; ``clips`` of a generation), ``failed`` (the task
    failed or timed out on the provider's side, ``fail_code``), or ``error`` (the request
    failed in a way a retry would not fix, e.g. 404)."""

    state: Literal["pending", "done", "failed", "error"]
    status: str | None = None
    result_id: str | None = None
    clips: list[ClipInfo] = []
    fail_code: int | str | None = None
    error: str | None = None


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    """What a session's status shows (the training workflow's ``_session_view``), ``None``
    when the lookup failed."""

    view: str | None


class CreateRequest(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    clip_ids: list[str]
    name: str
    ledger_key: str


#: ``accepted`` (the task id is known), ``lost`` (the answer was lost: it may have arrived),
#: ``conflict`` (409: this session's training was submitted already), ``refused`` (the
#: provider refused it: not charged), ``budget`` (the ledger refused it: not sent).
PaidState = Literal["accepted", "lost", "conflict", "refused", "budget"]


class CreateAnswer(msgspec.Struct, frozen=True, kw_only=True):
    state: PaidState
    task_id: str | None = None
    error: str | None = None
    #: False: accepted, but its ledger key could not be settled yet (the workflow does it).
    settled: bool = True


class GenerateRequest(msgspec.Struct, frozen=True, kw_only=True):
    fields: dict[str, Any]
    ledger_key: str


class GenerateAnswer(msgspec.Struct, frozen=True, kw_only=True):
    state: PaidState
    task_id: str | None = None
    error: str | None = None
    #: False: accepted, but its ledger key could not be settled yet (the workflow does it).
    settled: bool = True


class SettleRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Settle a ledger key (the workflow's part when a paid activity's worker died)."""

    key: str
    outcome: Literal["charged", "not_charged", "uncertain"]


class DownloadRequest(msgspec.Struct, frozen=True, kw_only=True):
    job_key: str
    clips: list[ClipInfo]


class DownloadAnswer(msgspec.Struct, frozen=True, kw_only=True):
    files: list[str]
