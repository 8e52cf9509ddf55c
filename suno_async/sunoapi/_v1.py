"""sunoapi's v1 family (``/api/v1/...``, api-notes B.8 and B.9): the credit balance, songs with
every create field (webhooks included), lyrics, and 2- or 12-track stems.

Reached as ``SunoapiClient.v1`` (:class:`SunoapiV1`); it shares the client's transport, errors,
retries, budget, clock and poll limiter. Every paid call returns a :class:`~suno_async.TaskHandle`
(``await handle.wait()`` for the result); ``v1.task(task_id)`` re-attaches to a task from its
id alone.

Prices (docs.sunoapi.com's credits guide): create 10 credits (two songs), make-lyrics 2.
Stems have no published price: they are sent with no cost counted (``None``), and
:meth:`SunoapiClient.reconcile <suno_async.SunoapiClient.reconcile>` reports how many such
calls were sent (every attempt, resends and lost answers included), since the balance may show
their price. For the same report, the client notes the price of every priced task it started
and which of them it then saw fail (the provider refunds failed work).

Choices where the docs are silent (api-notes B.9 and C):

* ``custom_mode`` is sent on every create: given, or ``True`` unless only
  ``gpt_description_prompt`` (description mode) is given. Custom mode needs ``tags``, and
  ``prompt`` (the lyrics) unless ``make_instrumental``; description mode takes no ``prompt``.
  ``mv`` is sent only when given (the service's default model otherwise) and is not checked
  against a list: the vendor adds models.
* A lyrics task is polled quickly (:data:`LYRICS_SCHEDULE`: lyrics take seconds, not minutes);
  a song or stems task by the client's ``music`` schedule.
* While a webhook is expected (a create with a ``receiver``), polling slows to
  :data:`WEBHOOK_SAFETY_NET`: looks at about 60, 120, 210 and 345 s, then every 180 s,
  against about seven looks in the first two minutes without a webhook. The service fires
  webhooks only for create (the webhook guide), so lyrics and stems are always polled.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Final, Literal, TypeVar, overload
from urllib.parse import quote

import msgspec

from suno_async._core._budget import CreditBudget
from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    ConfigError,
    TaskFailedError,
)
from suno_async._core._handles import TaskHandle
from suno_async._core._models import TaskKind, WireId, loosen
from suno_async._core._polling import DEFAULT_SCHEDULES, PollSchedule
from suno_async._core._transport import AnswerStatus
from suno_async._core._validation import (
    check_bool,
    check_http_url,
    check_id,
    check_instance,
    check_text,
)
from suno_async.sunoapi._constants import (
    CALL_COST,
    LYRICS_COST,
    MAX_PROMPT_CHARS,
    MAX_TAGS_CHARS,
    MAX_TITLE_CHARS,
    STEMS_COST,
)
from suno_async.sunoapi._v1_models import (
    V1_KNOWN_STATES,
    Credits,
    Lyrics,
    V1Clip,
    V1CreateRequest,
    V1LyricsRequest,
    V1State,
    V1StemsRequest,
    V1Task,
)
from suno_async.sunoapi._validation import (
    check_given_text,
    check_gpt_description,
    check_lyrics_prompt,
)
from suno_async.sunoapi._webhooks import WebhookReceiver

if TYPE_CHECKING:
    from suno_async._core._base_client import ClientCore

__all__ = ["LYRICS_SCHEDULE", "WEBHOOK_SAFETY_NET", "CreditsTracker", "SunoapiV1", "V1Kind"]


_HIDDEN: Final = "<hidden>"
#: How many started priced tasks the client remembers until it sees them conclude.
_OPEN_TASKS: Final = 100_000
_V1: Final = "/api/v1"
_R = TypeVar("_R")

#: What a v1 task makes: songs (create), lyrics (make-lyrics) or stems tracks.
V1Kind = Literal["music", "lyrics", "stems"]

#: How a lyrics task is polled: lyrics take seconds (the docs give no figure), so from 2 s,
#: growing by 1.5 to at most 8 s (never more than half the time elapsed + 1 s), for at most
#: five minutes.
LYRICS_SCHEDULE: Final = DEFAULT_SCHEDULES[TaskKind.LYRICS]
#: How a create is polled while its webhook is expected: a safety net for a delivery that is
#: lost, late, forged or stale. The first look comes 60 s after the wait starts, then the
#: waits grow by 1.5 from 60 s to at most 180 s (looks at about 60, 120, 210, 345 s, then every
#: 180 s), each jittered by 10 %; the deadline is the ``music`` schedule's (10 minutes) or the
#: wait's ``timeout``. A delivery usually ends the wait before the first look.
WEBHOOK_SAFETY_NET: Final = PollSchedule(
    first_delay=60.0, interval=60.0, factor=1.5, max_interval=180.0, timeout=600.0
)


class CreditsTracker:
    """What a client's credit reconciliation needs beyond the budget, shared by the client,
    ``v1`` and their copies: the opening balance and the budget's counts then; the priced
    tasks started and not yet seen to conclude, and the credits of those seen to fail
    (refunds expected); and the limit the user set, apart from
    the one :meth:`~suno_async.SunoapiClient.budget_from_balance` derives from it."""

    def __init__(self) -> None:
        self.opening: Credits | None = None
        self.spent_at_opening = 0
        self.uncertain_at_opening = 0
        self.unpriced_at_opening = 0
        self.refunds_at_opening = 0
        #: Credits of priced tasks this client saw fail (the provider refunds them).
        self.refunds = 0
        #: Priced tasks started and not yet seen to conclude: their price, by task id.
        self.open_tasks: dict[str, int] = {}
        #: The limit budget_from_balance last set (``None``: never), and the user's own.
        self.derived_limit: int | None = None
        self.user_limit: int | None = None

    def open_with(self, balance: Credits, budget: CreditBudget) -> None:
        """Take ``balance`` as the opening reading, with the budget's counts then, unless
        there is one already."""
        if self.opening is None:
            self.opening = balance
            self.spent_at_opening = budget.spent
            self.uncertain_at_opening = budget.uncertain
            self.unpriced_at_opening = budget.unpriced
            self.refunds_at_opening = self.refunds

    def started(self, task_id: str, cost: int) -> None:
        """A priced task was accepted: remember its price until it concludes."""
        self.open_tasks[task_id] = cost
        while len(self.open_tasks) > _OPEN_TASKS:
            del self.open_tasks[next(iter(self.open_tasks))]

    def saw(self, task: V1Task) -> None:
        """``task`` was seen (polled or pushed): once failed, its price is a refund due."""
        status = task.status
        if status == V1State.FAILED:
            self.refunds += self.open_tasks.pop(task.task_id, 0)
        elif status == V1State.SUCCEEDED:
            self.open_tasks.pop(task.task_id, None)


# -- reading the answers ---------------------------------------------------------------------


class _Probe(msgspec.Struct):
    code: int | None = None
    task_id: WireId | None = None
    credits: int | None = None
    data: msgspec.Raw = msgspec.Raw(b"null")

    @property
    def has_data(self) -> bool:
        return bytes(self.data).strip() != b"null"

    def __post_init__(self) -> None:
        loosen(self, ids=("task_id",))


class _RefData(msgspec.Struct):
    task_id: WireId

    def __post_init__(self) -> None:
        loosen(self, ids=("task_id",))


_PROBE: Final = msgspec.json.Decoder(_Probe)
_REF_DATA: Final = msgspec.json.Decoder(_RefData | str)
_CREDITS: Final = msgspec.json.Decoder(Credits)
_ITEMS: Final = msgspec.json.Decoder(list[V1Clip] | None)


def _probe(buf: bytes) -> _Probe:
    probe = _PROBE.decode(buf)
    if probe.code is not None and probe.code >= 400:
        raise AnswerStatus(probe.code)
    return probe


class _CreditsAnswer:
    """``{credits, extra_credits}`` (documented), or the same inside ``data``."""

    def decode(self, buf: bytes, /) -> Credits:
        probe = _probe(buf)
        if probe.credits is None and probe.has_data:
            try:
                return _CREDITS.decode(probe.data)
            except msgspec.ValidationError as exc:
                raise msgspec.ValidationError(f"{exc} (in `$.data`)") from None
        return _CREDITS.decode(buf)


class _RefAnswer:
    """A task id: ``data.task_id`` (documented), a top-level ``task_id``, or ``data`` itself."""

    def decode(self, buf: bytes, /) -> str:
        probe = _probe(buf)
        if probe.task_id:
            return str(probe.task_id)
        if probe.has_data:
            try:
                ref = _REF_DATA.decode(probe.data)
            except msgspec.ValidationError:
                ref = ""
            task_id = ref if isinstance(ref, str) else str(ref.task_id)
            if task_id.strip():
                return task_id
        raise msgspec.ValidationError("Expected a task id - at `$.data.task_id`")


class _TaskAnswer:
    """``{code, data: [item, ...]}``: the items and ``data`` as sent."""

    def decode(self, buf: bytes, /) -> tuple[list[V1Clip], bytes]:
        probe = _probe(buf)
        raw = bytes(probe.data)
        try:
            items = _ITEMS.decode(raw) or []
        except msgspec.ValidationError as exc:
            raise msgspec.ValidationError(f"{exc} (in `$.data`)") from None
        return items, raw


_CREDITS_ANSWER: Final = _CreditsAnswer()
_REF_ANSWER: Final = _RefAnswer()
_TASK_ANSWER: Final = _TaskAnswer()


# -- judging a task --------------------------------------------------------------------------


def _raise_if_failed(task: V1Task, kind: str) -> None:
    for clip in task.clips:
        if clip.state == V1State.FAILED:
            why = f": {clip.error_message.rstrip('.')}" if clip.error_message else ""
            raise TaskFailedError(
                f"{kind} task {task.task_id} failed (item {clip.clip_id or '?'}{why}). "
                "Nothing more will come of it; submit it again if you still want it.",
                task_id=task.task_id,
                snapshot=task,
                fail_reason=clip.error_message,
                fail_code=V1State.FAILED.value,
            )


def _done(task: V1Task) -> bool:
    return bool(task.clips) and all(clip.succeeded for clip in task.clips)


def _judge_clips(kind: str) -> Callable[[V1Task], list[V1Clip] | None]:
    def judge(task: V1Task) -> list[V1Clip] | None:
        _raise_if_failed(task, kind)
        return list(task.clips) if _done(task) else None

    return judge


def _judge_lyrics(task: V1Task) -> list[Lyrics] | None:
    _raise_if_failed(task, "lyrics")
    if not _done(task):
        return None
    return [Lyrics(title=c.title or "", text=c.text or c.lyrics or "") for c in task.clips]


def _noting(
    tracker: CreditsTracker, judge: Callable[[V1Task], _R | None]
) -> Callable[[V1Task], _R | None]:
    """``judge``, telling ``tracker`` of every snapshot first (a pushed failure included)."""

    def noted(task: V1Task) -> _R | None:
        tracker.saw(task)
        return judge(task)

    return noted


def _status_of(task: V1Task) -> str:
    return task.status


class SunoapiV1:
    """sunoapi's v1 calls (see the module docstring). Reached as ``SunoapiClient.v1``.

    Every paid call is held against the client's budget before sending and counted in
    ``credits_spent`` when accepted. When its outcome is unknown it is not sent again
    (:class:`~suno_async.AmbiguousSubmitError`: look for the task among the account's recent
    work), unless ``resend_if_ambiguous`` (which may start, and bill, it twice).
    """

    def __init__(self, core: ClientCore, tracker: CreditsTracker | None = None) -> None:
        self._core = core
        self._tracker = tracker if tracker is not None else CreditsTracker()

    # -- the balance -----------------------------------------------------------------------

    async def get_credits(self) -> Credits:
        """``GET /api/v1/get-credits``: the account's balance (``credits``, ``extra_credits``).

        As with ``SunoapiClient.credits()``, the first balance the client reads is the opening
        of its :meth:`~suno_async.SunoapiClient.reconcile`.

        Raises:
            AuthenticationError: the key was not accepted.
            APIError: the request failed.
        """
        balance = await self._read_credits()
        budget = self._core.budget
        self._tracker.open_with(balance, budget)
        return balance

    async def _read_credits(self) -> Credits:
        """The balance, without taking it as the opening reading."""
        return await self._core.call("GET", f"{_V1}/get-credits", _CREDITS_ANSWER, safe=True)

    # -- paid calls ------------------------------------------------------------------------

    async def create(
        self,
        *,
        prompt: str | None = None,
        tags: str | None = None,
        title: str | None = None,
        gpt_description_prompt: str | None = None,
        custom_mode: bool | None = None,
        make_instrumental: bool = False,
        mv: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        receiver: WebhookReceiver | None = None,
        resend_if_ambiguous: bool = False,
    ) -> TaskHandle[V1Task, list[V1Clip]]:
        """``POST /api/v1/suno/create``: two songs (10 credits); returns the task's handle.

        Custom mode (the default): ``prompt`` is the lyrics (not needed with
        ``make_instrumental``), ``tags`` the style, ``title`` optional. Description mode
        (``gpt_description_prompt`` alone, or ``custom_mode=False``): the service writes the
        song from the description. ``mv`` picks the model.

        Webhooks: with ``webhook_url`` and ``webhook_secret`` the service POSTs the finished
        task there, signed. Give ``receiver`` (a :class:`~suno_async.WebhookReceiver`) and the
        handle's waits race its verified deliveries against polling, which slows to
        :data:`WEBHOOK_SAFETY_NET`; ``webhook_url`` then defaults to the receiver's URL and
        ``webhook_secret`` to its secret.

        Raises:
            ConfigError: a missing or too long field (prompt 3000, tags 200, title 80,
                gpt_description_prompt 200), both modes at once, a webhook secret without a
                URL or that differs from the receiver's, or a wrong type; nothing was sent.
            CreditBudgetError: the call would pass ``max_credits``; nothing was sent.
            InsufficientCreditsError: the account's credits do not cover it.
            AmbiguousSubmitError: the outcome is unknown (the songs may be under way and
                billed; ``body_sent`` holds the request body, with ``webhook_secret`` shown
                as ``<hidden>``).
        """
        body, receiver = _create_body(
            prompt=prompt,
            tags=tags,
            title=title,
            gpt_description_prompt=gpt_description_prompt,
            custom_mode=custom_mode,
            make_instrumental=make_instrumental,
            mv=mv,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            receiver=receiver,
        )
        task_id = await self._submit("suno/create", CALL_COST, body, resend_if_ambiguous)
        return self.task(task_id, "music", receiver=receiver)

    async def make_lyrics(
        self, prompt: str, *, resend_if_ambiguous: bool = False
    ) -> TaskHandle[V1Task, list[Lyrics]]:
        """``POST /api/v1/suno/make-lyrics``: lyrics about ``prompt`` (2 credits); returns the
        task's handle, whose wait returns the :class:`~suno_async.Lyrics` written.

        Raises:
            ConfigError: an empty prompt, or one of 200 characters or more.
            CreditBudgetError, InsufficientCreditsError, AmbiguousSubmitError: as for
                :meth:`create`.
        """
        body = V1LyricsRequest(prompt=check_lyrics_prompt(prompt))
        task_id = await self._submit("suno/make-lyrics", LYRICS_COST, body, resend_if_ambiguous)
        return self.task(task_id, "lyrics")

    async def stems_basic(
        self, clip_id: str, *, resend_if_ambiguous: bool = False
    ) -> TaskHandle[V1Task, list[V1Clip]]:
        """``POST /api/v1/suno/stems/basic``: split a song into 2 tracks (vocals,
        instrumental). No price is published: nothing is counted against ``max_credits``.
        The wait returns the tracks (each a :class:`~suno_async.V1Clip`, its name in
        ``title``).

        Raises:
            ConfigError: ``clip_id`` is not an id.
            InsufficientCreditsError, AmbiguousSubmitError: as for :meth:`create`.
        """
        return await self._stems("basic", clip_id, resend_if_ambiguous)

    async def stems_full(
        self, clip_id: str, *, resend_if_ambiguous: bool = False
    ) -> TaskHandle[V1Task, list[V1Clip]]:
        """``POST /api/v1/suno/stems/full``: split a song into 12 tracks (vocals, backing
        vocals, drums, bass, ...), otherwise as :meth:`stems_basic`."""
        return await self._stems("full", clip_id, resend_if_ambiguous)

    async def _stems(
        self, which: str, clip_id: str, resend: bool
    ) -> TaskHandle[V1Task, list[V1Clip]]:
        body = V1StemsRequest(clip_id=check_id("clip_id", clip_id))
        task_id = await self._submit(f"suno/stems/{which}", STEMS_COST, body, resend)
        return self.task(task_id, "stems")

    async def _submit(
        self, route: str, cost: int | None, body: msgspec.Struct, resend: bool
    ) -> str:
        """Send a paid call; with ``resend``, again while its outcome is unknown. Every attempt
        is counted by the budget (an unpriced one in ``budget.unpriced``)."""
        check_bool("resend_if_ambiguous", resend)
        try:
            task_id = await self._core.paid_call(
                cost, route, f"{_V1}/{route}", _REF_ANSWER, body, resend_if_ambiguous=resend
            )
        except AmbiguousSubmitError as exc:
            if getattr(body, "webhook_secret", None):
                # What was asked, to look the work up by, without the secret.
                hidden = msgspec.structs.replace(body, webhook_secret=_HIDDEN)
                exc.body_sent = msgspec.json.encode(hidden)
            raise
        if cost is not None:
            self._tracker.started(task_id, cost)
        return task_id

    # -- following tasks -------------------------------------------------------------------

    async def get_task(self, task_id: str) -> V1Task:
        """``GET /api/v1/suno/task/{task_id}``: the task's items and their states.

        Raises:
            ConfigError: ``task_id`` is not an id.
            NotFoundError (or BadRequestError "task not found."): no task has this id.
        """
        task_id = check_id("task_id", task_id)
        path = f"{_V1}/suno/task/{quote(task_id, safe='')}"
        items, raw = await self._core.call("GET", path, _TASK_ANSWER, safe=True)
        task = V1Task(task_id=task_id, clips=items, raw=raw)
        self._tracker.saw(task)
        return task

    @overload
    def task(
        self,
        task_id: str,
        kind: Literal["music", "stems"] = ...,
        *,
        receiver: WebhookReceiver | None = None,
    ) -> TaskHandle[V1Task, list[V1Clip]]: ...

    @overload
    def task(
        self,
        task_id: str,
        kind: Literal["lyrics"],
        *,
        receiver: WebhookReceiver | None = None,
    ) -> TaskHandle[V1Task, list[Lyrics]]: ...

    def task(
        self,
        task_id: str,
        kind: V1Kind = "music",
        *,
        receiver: WebhookReceiver | None = None,
    ) -> TaskHandle[V1Task, list[V1Clip]] | TaskHandle[V1Task, list[Lyrics]]:
        """The handle of a v1 task from its id alone (sends nothing): ``kind`` says what its
        wait returns (``"music"`` and ``"stems"``: the items; ``"lyrics"``: the lyrics).
        With ``receiver`` (a music task created with its webhook) waits race its deliveries
        against polling.

        Raises:
            ConfigError: ``task_id`` is not an id, ``kind`` is not one of the three, or
                ``receiver`` is not a :class:`~suno_async.WebhookReceiver` (or is given for a
                lyrics or stems task, which have no webhook).
        """
        task_id = check_id("task_id", task_id)
        if kind not in ("music", "lyrics", "stems"):
            raise ConfigError(
                f"kind must be 'music', 'lyrics' or 'stems', got {kind!r}.", argument="kind"
            )
        if receiver is not None:
            check_instance("receiver", receiver, WebhookReceiver, "a WebhookReceiver")
            if kind != "music":
                raise ConfigError(
                    f"receiver is for music tasks: the service sends no webhook for {kind}.",
                    argument="receiver",
                )
        if kind == "lyrics":
            return self._handle(task_id, kind, _judge_lyrics, LYRICS_SCHEDULE)
        return self._handle(task_id, kind, _judge_clips(kind), None, receiver)

    def _handle(
        self,
        task_id: str,
        kind: str,
        judge: Callable[[V1Task], _R | None],
        schedule: PollSchedule | None,
        receiver: WebhookReceiver | None = None,
    ) -> TaskHandle[V1Task, _R]:
        pushed = None if receiver is None else _deliveries(receiver, task_id)
        return TaskHandle(
            self._core,
            task_id,
            kind=kind,
            poll_kind=TaskKind.MUSIC,
            fetch=self.get_task,
            judge=_noting(self._tracker, judge),
            status_of=_status_of,
            known_statuses=V1_KNOWN_STATES,
            schedule=schedule,
            pushed=pushed,
            push_schedule=None if receiver is None else WEBHOOK_SAFETY_NET,
        )


def _deliveries(
    receiver: WebhookReceiver, task_id: str
) -> Callable[[], AsyncGenerator[V1Task, None]]:
    async def snapshots() -> AsyncGenerator[V1Task, None]:
        events = receiver.events(task_id)
        try:
            async for event in events:
                yield event.task()
        finally:
            await events.aclose()

    return snapshots


def _create_body(
    *,
    prompt: str | None,
    tags: str | None,
    title: str | None,
    gpt_description_prompt: str | None,
    custom_mode: bool | None,
    make_instrumental: bool,
    mv: str | None,
    webhook_url: str | None,
    webhook_secret: str | None,
    receiver: WebhookReceiver | None,
) -> tuple[V1CreateRequest, WebhookReceiver | None]:
    """The create body, every argument checked (see :meth:`SunoapiV1.create`)."""
    check_bool("make_instrumental", make_instrumental)
    if custom_mode is not None:
        check_bool("custom_mode", custom_mode)
    lyrics = check_given_text("prompt", prompt, limit=MAX_PROMPT_CHARS)
    style = check_given_text("tags", tags, limit=MAX_TAGS_CHARS)
    description = check_gpt_description(gpt_description_prompt)
    named = check_text("title", title, limit=MAX_TITLE_CHARS, required=False)  # blank: left out
    model = None if mv is None else check_id("mv", mv)
    if custom_mode is None:
        if lyrics is not None and description is not None:
            raise ConfigError(
                "give prompt (custom mode: your lyrics) or gpt_description_prompt (description "
                "mode), not both; or say which with custom_mode.",
                argument="gpt_description_prompt",
            )
        custom_mode = description is None
    if custom_mode:
        if style is None:
            raise ConfigError("tags is required in custom mode.", argument="tags")
        if lyrics is None and not make_instrumental:
            raise ConfigError(
                "prompt (the lyrics) is required in custom mode, unless make_instrumental.",
                argument="prompt",
            )
    else:
        if description is None:
            raise ConfigError(
                "gpt_description_prompt is required in description mode (custom_mode=False).",
                argument="gpt_description_prompt",
            )
        if lyrics is not None:
            raise ConfigError(
                "prompt (lyrics) is for custom mode; in description mode the service writes "
                "them from gpt_description_prompt.",
                argument="prompt",
            )
    url = None if webhook_url is None else check_http_url("webhook_url", webhook_url)
    secret = check_given_text("webhook_secret", webhook_secret, limit=None)
    if receiver is not None:
        receiver = check_instance("receiver", receiver, WebhookReceiver, "a WebhookReceiver")
        if secret is not None and not receiver.signs_with(secret):
            raise ConfigError(
                "webhook_secret differs from the receiver's secret: it would refuse every "
                "delivery. Leave webhook_secret out to use the receiver's.",
                argument="webhook_secret",
            )
        secret = receiver._secret()
        url = url or receiver.url
        if url is None:
            raise ConfigError(
                "webhook_url is needed: the receiver has no URL (give it url=..., or serve it "
                "with 'async with receiver.serve()').",
                argument="webhook_url",
            )
    if secret is not None and url is None:
        raise ConfigError(
            "webhook_secret was given without webhook_url.", argument="webhook_secret"
        )
    fields: dict[str, object] = {
        "custom_mode": custom_mode,
        "prompt": lyrics,
        "tags": style,
        "title": named,
        "gpt_description_prompt": description,
        "mv": model,
        "webhook_url": url,
        "webhook_secret": secret,
        "make_instrumental": make_instrumental,
    }
    given = {name: value for name, value in fields.items() if value is not None}
    return V1CreateRequest(**given), receiver  # type: ignore[arg-type]
