"""The workflow decisions, as pure functions: what to do next after an upload failed, after a
create's answer was lost, after a generate's answer was lost.

The in-process workflows (:mod:`suno_async.mountsea._training`, ``_generate``) and the Temporal
workflows (:mod:`suno_async.temporal`) both decide by these functions, so the rules exist
once. They read no clock, make no request and hold no state.
"""

from __future__ import annotations

from typing import Final, Literal

from suno_async.mountsea._constants import MIN_TRAINING_CLIPS, PERMANENT_UPLOAD_FAIL_CODES
from suno_async.mountsea._models import TaskStatus

__all__ = [
    "CreateNext",
    "GenerateNext",
    "after_lost_generate",
    "after_unclear_create",
    "create_arrived",
    "status_in",
    "upload_lanes",
    "upload_will_retry",
    "uploads_out_of_reach",
]

#: Statuses that only a task being worked on shows. (``queued`` and ``ready`` wait for a
#: worker: the docs leave open whether a prepared session shows them before create.)
WORKING: Final = frozenset({TaskStatus.RUNNING, TaskStatus.STREAM, TaskStatus.AWAITING})
FINAL: Final = frozenset({TaskStatus.SUCCESS, TaskStatus.FAILED, TaskStatus.TIMEOUT})

#: After a create whose answer was lost: the training is there (``submitted``), send create
#: again (``send_again``), or stop and say the outcome is unknown (``ambiguous``).
CreateNext = Literal["submitted", "send_again", "ambiguous"]
#: After a generate whose answer was lost: send it again, or stop (ambiguous).
GenerateNext = Literal["send_again", "ambiguous"]


def upload_will_retry(attempts_used: int, attempts: int, fail_code: object | None) -> bool:
    """Whether an upload task that failed (``fail_code``, if the provider gave one) or timed
    out is sent again for the same URL: while attempts are left, unless the code says it would
    fail again."""
    return attempts_used < attempts and fail_code not in PERMANENT_UPLOAD_FAIL_CODES


def uploads_out_of_reach(
    succeeded: int, active: int, queued: int, required: int = MIN_TRAINING_CLIPS
) -> bool:
    """Whether ``required`` clips can no longer be reached: those that succeeded, those being
    uploaded and the spare URLs still queued are too few."""
    return succeeded + active + queued < required


def upload_lanes(succeeded: int, queued: int, wanted: int) -> int:
    """How many URLs to upload at once: as many as clips are still wanted (spares wait their
    turn), none when even every queued URL could not reach the minimum."""
    if uploads_out_of_reach(succeeded, 0, queued):
        return 0
    return max(0, min(wanted - succeeded, queued))


def status_in(view: str) -> str:
    """The status part of a session view ``"status:<status>|<created>"``."""
    return view.removeprefix("status:").split("|", 1)[0]


def create_arrived(before: str | None, after: str) -> bool | None:
    """Whether a create whose answer was lost reached the provider, judged from what the
    session showed before it was sent (``None``: not known) and what it shows now; ``None``
    when the two answers cannot tell. (A training that was being worked on already before
    counts as arrived: there is a training to wait for, and create must not be sent again.)

    A view is ``"model"`` (a trained custom model), ``"status:<status>|<createdAt>"``, or
    ``"http:<code>"`` (a 4xx: the provider does not know the session as a task).

    ===========================================  ==================  ==========
    after                                        before              arrived
    ===========================================  ==================  ==========
    a trained model                              anything            yes
    a 4xx ("no such task")                       the same 4xx, none  no
    a 4xx                                        anything else       cannot tell
    a status                                     different           yes
    running, stream, awaiting                    the same, none      yes
    the same final status (success, failed)      the same            no
    anything else (ready, queued, unknown, a     the same, none      cannot tell
    final status without a baseline)
    ===========================================  ==================  ==========
    """
    if after == "model":
        return True
    if after.startswith("http:"):
        # The provider does not know the session as a task: create did not arrive, unless the
        # session answered otherwise before (then the answers contradict each other).
        return False if before in (None, after) else None
    status = status_in(after)
    if before is not None and before != after:
        return True  # a task appeared where there was none, or it moved on, or is a new one
    if status in WORKING:
        return True  # a training is being worked on (it may have been there before)
    if status in FINAL and before is not None:
        return False  # still the same finished state: a new training would have moved it
    return None  # waiting (ready, queued: a prepared session or a queued training?), unknown


def after_unclear_create(arrived: bool | None, *, resend_if_ambiguous: bool) -> CreateNext:
    """What follows a create whose answer was lost, once the session was looked up
    (``arrived`` from :func:`create_arrived`): wait for the training it started; send create
    again when it surely did not arrive, or when it cannot be told and re-sending was asked
    for; otherwise stop, ambiguous."""
    if arrived:
        return "submitted"
    if arrived is None and not resend_if_ambiguous:
        return "ambiguous"
    return "send_again"


def after_lost_generate(*, resend_if_ambiguous: bool) -> GenerateNext:
    """What follows a generate whose answer was lost (the provider offers no lookup without the
    task id): send it again only when asked to (it may bill twice)."""
    return "send_again" if resend_if_ambiguous else "ambiguous"
