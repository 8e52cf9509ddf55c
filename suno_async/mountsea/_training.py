"""The training workflow: train a mountsea custom model from audio URLs.

Training, as the provider documents it: prepare a session; upload audio URLs into it (in
parallel); poll each upload to its clip id; submit ``customModel/create`` with the clip ids
(100 credits); poll the session id (the create's task id equals it) until the model is trained.

Choices where the provider is silent:

* The model is trained on ``clip_count`` clips (six by default, the minimum). The first
  ``clip_count`` URLs are uploaded at once; URLs beyond them are spares, uploaded only when an
  earlier URL fails for good, so a spare costs nothing unless it is needed.
* A failed upload is re-sent in the same session (the provider's recovery rule) up to
  ``upload_attempts`` times in all, except failure 4001 ("Audio source not found."), which
  would fail again; a 400 for the URL is not retried either.
* As soon as six successes are out of reach, the remaining uploads are cancelled and
  :class:`NotEnoughClipsError` is raised; ``create`` is never sent then.
* A ``create`` whose answer was lost (or that got a 5xx) is looked up before it is sent again:
  the status of the session id (create's task id equals it) shows a training queued, running
  or finished with a custom model, and then the workflow waits for it. When the lookup shows no
  training, create is sent once more. A 409 answer (training already submitted for this
  session) is also taken to mean the training runs. The provider does not document what the
  session id's status shows before create; these rules bill once whether it answers 404 or a
  status without a model.
* Errors that concern the whole run (bad key, no credits, network down) stop it at once and
  are raised as themselves, never wrapped in an exception group.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final, Protocol

import anyio
import msgspec

from suno_async._core._concurrency import run_all
from suno_async._core._events import (
    EventHandler,
    SessionPrepared,
    TrainingFinished,
    TrainingSubmitted,
    UploadFailed,
    UploadFinished,
    UploadSubmitted,
    emit,
    reporting_spending,
)
from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIError,
    APIStatusError,
    BadRequestError,
    ConfigError,
    ConflictError,
    CreditBudgetError,
    InsufficientCreditsError,
    PermissionDeniedError,
    SunoError,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
)
from suno_async._core._journal import Journal, JournalTarget, Submission
from suno_async._core._models import Clip
from suno_async._core._retry import RetryPolicy
from suno_async._core._validation import (
    check_bool,
    check_callback,
    check_name,
    check_path,
    check_positive_int,
)
from suno_async.mountsea._constants import (
    CREATE_CUSTOM_MODEL_COST,
    MIN_TRAINING_CLIPS,
)
from suno_async.mountsea._decisions import (
    WORKING,
    after_unclear_create,
    create_arrived,
    status_in,
    upload_lanes,
    upload_will_retry,
    uploads_out_of_reach,
)
from suno_async.mountsea._errors import NotEnoughClipsError
from suno_async.mountsea._journals import TrainingJournal
from suno_async.mountsea._models import CUSTOM_MODEL_PREFIX, CustomModel, TaskSnapshot, TaskStatus
from suno_async.mountsea._results import (
    CANCELLED_UPLOAD,
    TrainingResult,
    UploadOutcome,
    not_enough_clips_message,
)
from suno_async.mountsea._validation import check_audio_urls

if TYPE_CHECKING:
    from suno_async._core._base_client import ClientCore

__all__ = ["TrainingSteps", "train_custom_model"]

logger = logging.getLogger("suno_async")

_CUSTOM_MODEL: Final = msgspec.json.Decoder(CustomModel)


class TrainingSteps(Protocol):
    """The calls the workflow is made of (a :class:`~suno_async.MountseaClient` has them)."""

    @property
    def retry_policy(self) -> RetryPolicy: ...

    async def prepare_custom_model(self) -> str: ...

    async def upload_custom_model_audio(self, session_id: str, audio_url: str) -> str: ...

    async def wait_for_upload(
        self, task_id: str, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> Clip: ...

    async def create_custom_model(
        self, session_id: str, clip_ids: Sequence[str], name: str
    ) -> str: ...

    async def get_status(self, task_id: str) -> TaskSnapshot: ...

    async def wait_for_training(
        self, task_id: str, *, timeout: float | None = None, on_event: EventHandler | None = None
    ) -> CustomModel: ...


class _OutOfReach(Exception):
    """Six successful uploads can no longer be reached."""


class _TrainingLog:
    """Records a training run's steps in its journal, if it has one (else does nothing)."""

    def __init__(self, journal: Journal[TrainingJournal] | None) -> None:
        self._journal = journal

    @classmethod
    def open(
        cls, target: JournalTarget | None, name: str, urls: Sequence[str], clip_count: int
    ) -> _TrainingLog:
        if target is None:
            return cls(None)
        fresh = TrainingJournal(name=name, audio_urls=list(urls), clip_count=clip_count)
        return cls(Journal.open(target, fresh))

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()

    @property
    def state(self) -> TrainingJournal | None:
        return self._journal.state if self._journal else None

    def _update(self, **changes: object) -> None:
        if self._journal is not None:
            for key, value in changes.items():
                setattr(self._journal.state, key, value)
            self._journal.save()

    def upload(self, outcome: UploadOutcome) -> None:
        if self._journal is not None:
            self._update(uploads={**self._journal.state.uploads, outcome.url: outcome})

    def session(self, session_id: str) -> None:
        self._update(session_id=session_id)

    def create(self, state: Submission, task_id: str | None = None) -> None:
        self._update(create=state, task_id=task_id)

    def model(self, model_id: str) -> None:
        self._update(model_id=model_id)

    def baseline(self, view: str | None) -> None:
        self._update(create_baseline=view)


async def _send_upload(
    client: TrainingSteps, session_id: str, url: str, semaphore: anyio.Semaphore
) -> str:
    """POST one upload; an upload whose answer was lost is sent again (the provider allows
    re-sending uploads in a session), up to the retry policy's ``max_retries`` times."""
    resends = client.retry_policy.max_retries
    for lost in range(resends + 1):
        try:
            async with semaphore:
                return await client.upload_custom_model_audio(session_id, url)
        except AmbiguousSubmitError:
            if lost == resends:
                raise
            logger.info("the answer to the upload of %s was lost; sending it again", url)
    raise AssertionError("unreachable")  # pragma: no cover


async def _upload_until_clip(
    client: TrainingSteps,
    session_id: str,
    url: str,
    *,
    attempts: int,
    semaphore: anyio.Semaphore,
    log: _TrainingLog,
    earlier: UploadOutcome | None,
    on_event: EventHandler | None,
) -> UploadOutcome:
    """Upload ``url`` until it gives a clip or its attempts run out.

    An upload task that failed or timed out is tried again in the same session, unless its
    failure code says it would fail again. A 400 is this URL's own problem and is not retried.
    Anything else (bad key, no credits, network down) concerns every upload and propagates.
    ``earlier`` is what a previous run of the journal did: its last task is waited for, not
    sent again.
    """
    task_ids = list(earlier.task_ids) if earlier else []
    waiting = task_ids[-1] if task_ids else None
    error: TaskError | AmbiguousSubmitError | BadRequestError | None = None
    while True:
        if waiting is None:
            if len(task_ids) >= attempts:
                break
            try:
                waiting = await _send_upload(client, session_id, url, semaphore)
            except (AmbiguousSubmitError, BadRequestError) as exc:
                error = exc
                break
            task_ids.append(waiting)
            log.upload(UploadOutcome(url=url, clip_id=None, task_ids=tuple(task_ids)))
            await emit(on_event, UploadSubmitted(url=url, task_id=waiting, attempt=len(task_ids)))
        try:
            clip = await client.wait_for_upload(waiting, on_event=on_event)
        except TaskError as exc:
            error = exc
        else:
            outcome = UploadOutcome(
                url=url, clip_id=clip.id, task_ids=tuple(task_ids), attempts=len(task_ids)
            )
            log.upload(outcome)
            await emit(on_event, UploadFinished(url=url, clip_id=clip.id))
            return outcome
        waiting = None
        fail_code = error.fail_code if isinstance(error, TaskFailedError) else None
        will_retry = upload_will_retry(len(task_ids), attempts, fail_code)
        logger.info("upload of %s failed (attempt %d): %s", url, len(task_ids), error)
        await emit(
            on_event,
            UploadFailed(url=url, error=str(error), attempt=len(task_ids), will_retry=will_retry),
        )
        if not will_retry:
            break
    outcome = UploadOutcome(
        url=url,
        clip_id=None,
        task_ids=tuple(task_ids),
        attempts=len(task_ids),
        error=str(error),
        fail_code=error.fail_code if isinstance(error, TaskFailedError) else None,
    )
    log.upload(outcome)
    return outcome


async def _upload_all(
    client: TrainingSteps,
    session_id: str,
    urls: Sequence[str],
    *,
    wanted: int,
    attempts: int,
    max_concurrency: int,
    log: _TrainingLog,
    on_event: EventHandler | None,
) -> list[UploadOutcome]:
    """Upload until ``wanted`` clips succeeded or the URLs ran out; one outcome per URL.

    URLs a journal shows finished (a clip or a final error) are not uploaded again; URLs it
    shows in flight come first, and are waited for.
    """
    semaphore = anyio.Semaphore(max_concurrency)
    earlier = log.state.uploads if log.state else {}
    outcomes: list[UploadOutcome | None] = [None] * len(urls)
    in_flight: list[tuple[int, str]] = []
    fresh: list[tuple[int, str]] = []
    for index, url in enumerate(urls):
        previous = earlier.get(url)
        if previous is not None and (previous.ok or previous.error is not None):
            outcomes[index] = previous
        else:
            (in_flight if previous is not None else fresh).append((index, url))
    queue = deque(in_flight + fresh)
    started = {index for index, _ in in_flight}
    succeeded = sum(1 for o in outcomes if o is not None and o.ok)
    active = 0

    async def lane() -> None:
        nonlocal succeeded, active
        while queue and succeeded + active < wanted:
            index, url = queue.popleft()
            started.add(index)
            active += 1
            try:
                outcome = await _upload_until_clip(
                    client,
                    session_id,
                    url,
                    attempts=attempts,
                    semaphore=semaphore,
                    log=log,
                    earlier=earlier.get(url),
                    on_event=on_event,
                )
            finally:
                active -= 1
            outcomes[index] = outcome
            succeeded += outcome.ok
            if uploads_out_of_reach(succeeded, active, len(queue)):
                raise _OutOfReach

    lanes = upload_lanes(succeeded, len(queue), wanted)  # 0: a journal shows too many failures
    with contextlib.suppress(_OutOfReach):
        await run_all(lane for _ in range(lanes))
    return [
        outcome
        if outcome is not None
        else UploadOutcome(
            url=url,
            clip_id=None,
            error=CANCELLED_UPLOAD if index in started else None,
        )
        for index, (outcome, url) in enumerate(zip(outcomes, urls, strict=True))
    ]


def create_key(session_id: str) -> str:
    """The budget key of a session's ``customModel/create`` (see ``ClientCore.settle``)."""
    return f"customModel/create:{session_id}"


async def _session_view(client: TrainingSteps, session_id: str) -> str:
    """What the session's status shows, as a comparable signature: ``"model"`` (a trained
    custom model), ``"status:<status>|<createdAt>"`` (an answer with that status and no
    model), or
    ``"http:<code>"`` (a 4xx: the provider does not know the id as a task, whatever code it
    uses for that).

    Raises:
        APIError: the lookup itself failed (5xx, network), so the session's state is unknown.
    """
    try:
        snapshot = await client.get_status(session_id)
    except APIStatusError as exc:
        if 400 <= exc.status_code < 500 and exc.status_code not in (401, 403, 408, 429):
            return f"http:{exc.status_code}"
        raise
    status = snapshot.status
    if status == TaskStatus.SUCCESS:
        try:
            if _CUSTOM_MODEL.decode(snapshot.data).id.startswith(CUSTOM_MODEL_PREFIX):
                return "model"
        except msgspec.ValidationError:
            pass
    # The creation time tells a new task from an old one that shows the same status.
    created = "" if snapshot.created_at is None else str(snapshot.created_at)
    return f"status:{status}|{created}"


async def _submit_create(
    client: TrainingSteps,
    core: ClientCore,
    session_id: str,
    clip_ids: list[str],
    name: str,
    log: _TrainingLog | None = None,
    *,
    resend_if_ambiguous: bool = False,
) -> str:
    """Get the session's training submitted exactly once; return its task id (the session id).

    Before the first create, the session's status is read (and journaled). A create whose
    answer was lost, or that a crashed run left ``"sending"``, is looked up again: it arrived
    when a training shows that was not there before, it did not when the session still answers
    "no such task" (404, 400 or any other 4xx) as before; then create is sent again. When the
    two answers cannot tell, :class:`AmbiguousSubmitError` (with ``session_id``) is raised,
    unless ``resend_if_ambiguous``. A 409 means it is already training.
    """
    log = log or _TrainingLog(None)
    state = log.state
    if state is not None and state.create == "submitted" and state.task_id:
        return state.task_id
    key = create_key(session_id)
    # Credits a lookup settled as "not arrived": a 409 to the next create says the lost one
    # had arrived after all (a status endpoint that lags), and they are counted again.
    dropped = 0
    if state is not None and state.create == "sending":
        before = state.create_baseline
        arrived = await _look_up_create(client, session_id, before)
        next_step = after_unclear_create(arrived, resend_if_ambiguous=resend_if_ambiguous)
        if next_step == "submitted":
            _settle_found(core, key, before)
            log.create("submitted", session_id)
            return session_id
        if next_step == "ambiguous":
            raise _unclear_create(session_id, None)
        if arrived is False:
            dropped += core.settle(key, charged=None)
    else:
        # Read afresh before every new round of create (a failed training's session shows
        # something else than before the first create).
        before = await _baseline(client, session_id)
        log.baseline(before)
    resends = client.retry_policy.max_retries
    for attempt in range(resends + 1):
        log.create("sending")
        try:
            task_id = await client.create_custom_model(session_id, clip_ids, name)
        except (
            ConfigError,
            CreditBudgetError,
            BadRequestError,
            PermissionDeniedError,
            InsufficientCreditsError,
        ) as refusal:
            if dropped and not isinstance(refusal, ConfigError | CreditBudgetError):
                # An earlier create the lookup called "not arrived" may be why this one is
                # refused ("already submitted"): it stays uncertain, and a rerun looks again.
                core.unsettle(key, min(dropped, CREATE_CUSTOM_MODEL_COST))
                raise
            log.create("none")  # refused before any work: nothing to reconcile on a rerun
            raise
        except ConflictError:
            logger.info("training of session %s was already submitted; waiting for it", session_id)
            if dropped:
                core.found_charged(min(dropped, CREATE_CUSTOM_MODEL_COST))
            task_id = session_id
        except AmbiguousSubmitError as exc:
            arrived = await _look_up_create(client, session_id, before)
            next_step = after_unclear_create(arrived, resend_if_ambiguous=resend_if_ambiguous)
            if next_step == "submitted":
                _settle_found(core, key, before)
                logger.info(
                    "create for session %s arrived although its answer was lost", session_id
                )
                task_id = session_id
            elif next_step == "ambiguous":
                raise _unclear_create(session_id, exc) from exc
            else:
                if arrived is False:
                    dropped += core.settle(key, charged=None)
                if attempt == resends:
                    exc.session_id = session_id  # what to look up, or resume with a journal
                    raise
                logger.info(
                    "create for session %s may not have arrived; sending it again", session_id
                )
                continue
        log.create("submitted", task_id)
        return task_id
    raise AssertionError("unreachable")  # pragma: no cover


def _settle_found(core: ClientCore, key: str, before: str | None) -> None:
    """Settle one of this client's uncertain creates of the session as the charged training
    (further ones stay uncertain: a training found does not prove how often it was billed),
    unless a training was already being worked on before create was sent (then the training
    found proves nothing about them)."""
    if before is not None and before.startswith("status:") and status_in(before) in WORKING:
        return
    core.settle(key, charged=CREATE_CUSTOM_MODEL_COST)


async def _baseline(client: TrainingSteps, session_id: str) -> str | None:
    """The session's view before create is sent (``None`` when the lookup failed)."""
    try:
        return await _session_view(client, session_id)
    except APIError as exc:
        logger.info("could not read session %s before create: %s", session_id, exc)
        return None


async def _look_up_create(
    client: TrainingSteps, session_id: str, before: str | None
) -> bool | None:
    try:
        after = await _session_view(client, session_id)
    except APIError as exc:
        logger.info("could not look session %s up after create: %s", session_id, exc)
        return None
    arrived = create_arrived(before, after)
    logger.info(
        "session %s before create: %s, now: %s; create arrived: %s",
        session_id,
        before or "unknown",
        after,
        {True: "yes", False: "no", None: "cannot tell"}[arrived],
    )
    return arrived


def _unclear_create(session_id: str, cause: AmbiguousSubmitError | None) -> AmbiguousSubmitError:
    said = f" ({cause})" if cause is not None else ""
    return AmbiguousSubmitError(
        f"customModel/create for session {session_id} may or may not have arrived{said}, and "
        "the session's status cannot tell. It was not sent again, to avoid paying twice: "
        f"call wait_for_training({session_id!r}) later, or run again with the same journal, "
        "or pass resend_if_ambiguous=True to send it again (which may bill twice).",
        method="POST",
        url="/suno/v2/customModel/create",
        endpoint="/suno/v2/customModel/create",
        status_code=cause.status_code if cause is not None else None,
        body_sent=cause.body_sent if cause is not None else None,
        session_id=session_id,
    )


async def train_custom_model(
    client: TrainingSteps,
    core: ClientCore,
    audio_urls: Iterable[str],
    *,
    name: str,
    clip_count: int,
    max_concurrent_uploads: int,
    upload_attempts: int,
    journal: JournalTarget | None,
    resend_if_ambiguous: bool = False,
    on_event: EventHandler | None,
) -> TrainingResult:
    """See :meth:`~suno_async.MountseaClient.train_custom_model` (``journal`` may also be a
    journal already open, which is left open)."""
    urls = check_audio_urls(audio_urls)
    name = check_name("name", name)
    check_positive_int("max_concurrent_uploads", max_concurrent_uploads)
    check_positive_int("upload_attempts", upload_attempts)
    check_positive_int("clip_count", clip_count)
    if journal is not None and not isinstance(journal, Journal):
        check_path("journal", journal)
    check_callback("on_event", on_event)
    check_bool("resend_if_ambiguous", resend_if_ambiguous)
    if not MIN_TRAINING_CLIPS <= clip_count <= len(urls):
        raise ConfigError(
            f"clip_count must be between {MIN_TRAINING_CLIPS} and the number of URLs "
            f"({len(urls)}), got {clip_count}.",
            argument="clip_count",
        )
    log = _TrainingLog.open(journal, name, urls, clip_count)
    try:
        return await _run_training(
            client,
            core,
            urls,
            log,
            name=name,
            clip_count=clip_count,
            max_concurrent_uploads=max_concurrent_uploads,
            upload_attempts=upload_attempts,
            journaled=journal is not None,
            resend_if_ambiguous=resend_if_ambiguous,
            on_event=on_event,
        )
    finally:
        if not isinstance(journal, Journal):
            log.close()


async def _run_training(
    client: TrainingSteps,
    core: ClientCore,
    urls: Sequence[str],
    log: _TrainingLog,
    *,
    name: str,
    clip_count: int,
    max_concurrent_uploads: int,
    upload_attempts: int,
    journaled: bool,
    resend_if_ambiguous: bool,
    on_event: EventHandler | None,
) -> TrainingResult:
    state = log.state
    if state is not None and state.model_id and state.session_id and state.task_id:
        return _result_from(state, urls)
    if state is None or state.create in ("none", "failed"):
        core.check_budget(CREATE_CUSTOM_MODEL_COST, "training (customModel/create)")

    session_id = state.session_id if state is not None and state.session_id else None
    if session_id is None:
        session_id = await client.prepare_custom_model()
        log.session(session_id)
    await emit(on_event, SessionPrepared(session_id=session_id))
    if state is not None and state.create != "none":
        outcomes = [state.uploads.get(url) or UploadOutcome(url=url, clip_id=None) for url in urls]
    else:
        outcomes = await _upload_all(
            client,
            session_id,
            urls,
            wanted=clip_count,
            attempts=upload_attempts,
            max_concurrency=max_concurrent_uploads,
            log=log,
            on_event=on_event,
        )
    clip_ids = [o.clip_id for o in outcomes if o.clip_id is not None]
    if len(clip_ids) < MIN_TRAINING_CLIPS:
        raise NotEnoughClipsError(
            not_enough_clips_message(outcomes, MIN_TRAINING_CLIPS),
            session_id=session_id,
            outcomes=outcomes,
            required=MIN_TRAINING_CLIPS,
        )
    with reporting_spending(on_event):
        task_id = await _submit_create(
            client, core, session_id, clip_ids, name, log, resend_if_ambiguous=resend_if_ambiguous
        )
    await emit(
        on_event,
        TrainingSubmitted(session_id=session_id, task_id=task_id, clip_count=len(clip_ids)),
    )
    try:
        model = await client.wait_for_training(task_id, on_event=on_event)
    except (TaskFailedError, TaskTimeoutError) as exc:
        if isinstance(exc, TaskTimeoutError) and not exc.server_side:
            exc.add_note(_still_training(session_id, journaled))
            raise
        log.create("failed", task_id)
        exc.add_note(
            f"The training of session {session_id} ended without a model. The provider allows "
            "sending create again in the same session (after fixing its cause)"
            + (": run again with the same journal to do so." if journaled else ".")
        )
        raise
    except SunoError as exc:
        exc.add_note(_still_training(session_id, journaled))
        raise
    log.model(model.id)
    await emit(on_event, TrainingFinished(session_id=session_id, model_id=model.id))
    return TrainingResult(
        model_id=model.id,
        name=model.name or name,
        session_id=session_id,
        task_id=task_id,
        outcomes=tuple(outcomes),
    )


def _still_training(session_id: str, journaled: bool) -> str:
    return (
        f"The training was submitted (and billed) for session {session_id}; to pick it up, "
        f"call client.wait_for_training({session_id!r})"
        + (" or run again with the same journal" if journaled else "")
        + " instead of training again."
    )


def _result_from(state: TrainingJournal, urls: Sequence[str]) -> TrainingResult:
    """The result of a run its journal shows finished."""
    return TrainingResult(
        model_id=state.model_id or "",
        name=state.name,
        session_id=state.session_id or "",
        task_id=state.task_id or "",
        outcomes=tuple(
            state.uploads.get(url) or UploadOutcome(url=url, clip_id=None) for url in urls
        ),
    )
