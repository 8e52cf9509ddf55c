"""The client's credit count and budget.

Credits are counted from what each paid answer proves:

* ``spent``: calls the provider accepted (a 2xx with the documented answer).
* ``uncertain``: calls whose outcome is unknown: the answer was lost, or was a 500, 502 or 504,
  or the call was cancelled in flight. They may have been charged; a later lookup may settle
  them either way (:meth:`CreditBudget.settle`).
* Nothing for calls the answer proves were not done (any 4xx, 501, 503, 505, a page that is
  not the API) or that never connected.

The budget (``limit``) holds ``spent + uncertain`` and the costs of calls in flight, so
concurrent calls cannot overshoot it together and unknown outcomes are never read as free.

A :class:`Tally` counts the same way for one job (a batch row), across runs: whatever task it is
bound to (:data:`CURRENT_TALLY`) sees every charge, settlement and unpriced call of the client's
budget mirrored into it, and a call in flight is recorded before it is sent, so a run killed in
the middle of one leaves it counted as uncertain, not as free.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Final, TypeVar

import msgspec

from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIStatusError,
    ConfigError,
    CreditBudgetError,
)

__all__ = ["CURRENT_TALLY", "CreditBudget", "Tally", "TallyState"]

_T = TypeVar("_T")
#: Failures that prove a paid call was not done (an error answer, no connection, refused here).
_NOT_DONE: Final = (APIStatusError, APIConnectionError, ConfigError, CreditBudgetError)


class CreditBudget:
    """Counts the credits of calls with a known price, and refuses calls past ``limit``."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.spent = 0
        self.uncertain = 0
        self._reserved = 0
        self._uncertain_by_key: dict[str, int] = {}
        #: Calls of unknown price that were accepted or may have been (every attempt).
        self.unpriced = 0

    @property
    def committed(self) -> int:
        """Credits spent, uncertain or reserved by calls in flight."""
        return self.spent + self.uncertain + self._reserved

    def check(self, cost: int, what: str) -> None:
        """Refuse ``what`` if ``cost`` more credits would pass the limit.

        Raises:
            CreditBudgetError: ``cost`` would take the committed credits past ``limit``.
        """
        committed = self.committed
        if self.limit is not None and committed + cost > self.limit:
            raise CreditBudgetError(
                f"{what} costs {cost} credits; {committed} of the budget of {self.limit} are "
                "spent, uncertain or reserved, so it was not sent. Raise max_credits to allow "
                "it.",
                cost=cost,
                spent=committed,
                limit=self.limit,
            )

    async def charge(
        self,
        cost: int | None,
        what: str,
        call: Callable[[], Awaitable[_T]],
        *,
        key: str | None = None,
    ) -> _T:
        """Run ``call`` with ``cost`` reserved; count it as spent when accepted, as uncertain
        when its outcome is unknown, and not at all when the failure proves it was not done.
        An uncertain cost is filed under ``key`` (if given), so that only a lookup of that very
        work can settle it (:meth:`settle`). A call of unknown price (``cost`` ``None``) is
        not budgeted; it counts in :attr:`unpriced` when it may have been charged.

        Raises:
            CreditBudgetError: ``cost`` would take the spending past ``limit``; ``call`` is not
                made.
        """
        if cost is None:
            return await self._count_unpriced(call)
        self.check(cost, what)
        tally = CURRENT_TALLY.get()
        if tally is not None:
            tally.sending(cost, key)
        self._reserved += cost
        try:
            result = await call()
        except AmbiguousSubmitError:
            self._unsure(cost, key, landed=True)
            raise
        except _NOT_DONE:
            if tally is not None:
                tally.not_sent(cost, key)
            raise  # answered with an error that proves no work, or never connected
        except BaseException:
            self._unsure(
                cost, key, landed=True
            )  # cancelled (or worse) in flight: it may have landed
            raise
        else:
            self.spent += cost
            if tally is not None:
                tally.accepted(cost, key)
            return result
        finally:
            self._reserved -= cost

    async def _count_unpriced(self, call: Callable[[], Awaitable[_T]]) -> _T:
        tally = CURRENT_TALLY.get()
        if tally is not None:
            tally.sending_unpriced()
        try:
            result = await call()
        except _NOT_DONE:
            raise
        except BaseException:
            self._unpriced()  # lost, or cancelled in flight: it may have been charged
            raise
        self._unpriced()
        return result

    def _unpriced(self) -> None:
        self.unpriced += 1
        tally = CURRENT_TALLY.get()
        if tally is not None:
            tally.unpriced()

    def found_charged(self, cost: int) -> None:
        """Count ``cost`` as spent: work settled as not arrived turned out to have been
        charged after all (the provider said so later)."""
        self.spent += cost
        tally = CURRENT_TALLY.get()
        if tally is not None:
            tally.found_charged(cost)

    def _unsure(self, cost: int, key: str | None, *, landed: bool = False) -> None:
        """Count ``cost`` as uncertain: a call in flight that ended so (``landed``), or
        credits settled as not arrived that may have arrived after all."""
        self.uncertain += cost
        if key is not None:
            self._uncertain_by_key[key] = self._uncertain_by_key.get(key, 0) + cost
        tally = CURRENT_TALLY.get()
        if tally is not None:
            tally.unsure(cost, key, in_flight=landed)

    def settle(self, key: str, *, charged: int | None) -> int:
        """Resolve the uncertain credits filed under ``key``, once a lookup showed what became
        of that work: ``charged`` credits of them were surely charged and move to spent (the
        rest stay uncertain: a lookup that finds the work does not prove how often it was
        billed); ``None`` or ``0``: the work never arrived, and all of them are dropped.
        Credits this budget never counted under ``key`` (another process's call, say) are not
        touched. Returns the credits moved or dropped: of this budget, or of the current job's
        tally when that holds more (the call was counted by an earlier run of the job)."""
        tally = CURRENT_TALLY.get()
        in_tally = tally.settle(key, charged=charged) if tally is not None else 0
        moved = _take(self._uncertain_by_key, key, charged)
        self.uncertain -= moved
        if charged:
            self.spent += moved
        return max(moved, in_tally)

    def unsettle(self, key: str, cost: int) -> None:
        """File ``cost`` under ``key`` as uncertain again: work dropped as not arrived may
        have arrived after all (the provider's next answer contradicts the lookup)."""
        self._unsure(cost, key)


class TallyState(msgspec.Struct, kw_only=True):
    """A :class:`Tally` as stored: credits ``spent``, ``uncertain`` (of them ``by_key``, for
    a lookup to settle), calls of unknown price (``unpriced``), and paid calls being sent
    (``in_flight``: cost and key), which a reader after a crash counts as uncertain."""

    spent: int = 0
    uncertain: int = 0
    unpriced: int = 0
    by_key: dict[str, int] = msgspec.field(default_factory=dict)
    in_flight: list[tuple[int, str | None]] = msgspec.field(default_factory=list)


class Tally:
    """The credits of one job, across the runs that worked on it.

    Bind it to the task doing the job's calls (``CURRENT_TALLY.set(tally)``); the client's
    budget mirrors every change into it, and ``on_change`` (if given) is called after each one
    so its owner can store it, except after an accepted call when ``store_accepted_later``:
    then the owner stores it with the next step of the job's journal (the task id that proves
    the acceptance), in one write, so a crash between the two cannot count the call as spent
    while the journal still shows it being sent. A tally read back from a :class:`TallyState` whose
    ``in_flight`` is not empty (a run stopped with a paid call being sent) counts those calls
    as uncertain.
    """

    def __init__(
        self,
        state: TallyState | None = None,
        on_change: Callable[[], None] | None = None,
        *,
        store_accepted_later: bool = False,
    ) -> None:
        self.state = state if state is not None else TallyState()
        for cost, key in self.state.in_flight:
            self._unsure(cost, key)
        self.state.in_flight = []
        self.on_change = on_change
        self.store_accepted_later = store_accepted_later

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def _unsure(self, cost: int, key: str | None) -> None:
        self.state.uncertain += cost
        if key is not None:
            self.state.by_key[key] = self.state.by_key.get(key, 0) + cost

    def sending(self, cost: int, key: str | None) -> None:
        """A paid call of ``cost`` is about to be sent."""
        self.state.in_flight.append((cost, key))
        self._changed()

    def sending_unpriced(self) -> None:
        """A paid call of unknown price is about to be sent (its owner stores what it has:
        the journal step before the call must be on disk before the call leaves)."""
        self._changed()

    def _landed(self, cost: int, key: str | None) -> None:
        self.state.in_flight.remove((cost, key))

    def accepted(self, cost: int, key: str | None) -> None:
        """The call was accepted: ``cost`` is spent."""
        self._landed(cost, key)
        self.state.spent += cost
        if not self.store_accepted_later:
            self._changed()

    def not_sent(self, cost: int, key: str | None) -> None:
        """The answer proves the call was not done."""
        self._landed(cost, key)
        self._changed()

    def unsure(self, cost: int, key: str | None, *, in_flight: bool = True) -> None:
        """The outcome of the call in flight is unknown; or (``in_flight`` false, from
        :meth:`CreditBudget.unsettle`) credits settled earlier are uncertain again, which
        leaves the calls in flight alone."""
        if in_flight:
            self._landed(cost, key)
        self._unsure(cost, key)
        self._changed()

    def unpriced(self) -> None:
        """A call of unknown price was accepted, or may have been."""
        self.state.unpriced += 1
        self._changed()

    def found_charged(self, cost: int) -> None:
        """Work settled as not arrived was charged after all."""
        self.state.spent += cost
        self._changed()

    def settle(self, key: str, *, charged: int | None) -> int:
        """As :meth:`CreditBudget.settle`, for the credits this tally holds under ``key``
        (including those of earlier runs); returns them."""
        moved = _take(self.state.by_key, key, charged)
        self.state.uncertain -= moved
        if charged:
            self.state.spent += moved
        if moved:
            self._changed()
        return moved


def _take(by_key: dict[str, int], key: str, charged: int | None) -> int:
    """Remove from ``by_key[key]`` what a settlement resolves (see :meth:`CreditBudget.settle`)
    and return it."""
    held = by_key.pop(key, 0)
    moved = held if not charged else min(held, charged)
    if held > moved:
        by_key[key] = held - moved
    return moved


#: The tally of the job the current task works on, if any.
CURRENT_TALLY: ContextVar[Tally | None] = ContextVar("suno_async_tally", default=None)
