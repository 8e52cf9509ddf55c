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
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIStatusError,
    ConfigError,
    CreditBudgetError,
)

__all__ = ["CreditBudget"]

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
        self._reserved += cost
        try:
            result = await call()
        except AmbiguousSubmitError:
            self._unsure(cost, key)
            raise
        except _NOT_DONE:
            raise  # answered with an error that proves no work, or never connected
        except BaseException:
            self._unsure(cost, key)  # cancelled (or worse) in flight: it may have landed
            raise
        else:
            self.spent += cost
            return result
        finally:
            self._reserved -= cost

    async def _count_unpriced(self, call: Callable[[], Awaitable[_T]]) -> _T:
        try:
            result = await call()
        except _NOT_DONE:
            raise
        except BaseException:
            self.unpriced += 1  # lost, or cancelled in flight: it may have been charged
            raise
        self.unpriced += 1
        return result

    def found_charged(self, cost: int) -> None:
        """Count ``cost`` as spent: work settled as not arrived turned out to have been
        charged after all (the provider said so later)."""
        self.spent += cost

    def _unsure(self, cost: int, key: str | None) -> None:
        self.uncertain += cost
        if key is not None:
            self._uncertain_by_key[key] = self._uncertain_by_key.get(key, 0) + cost

    def settle(self, key: str, *, charged: int | None) -> int:
        """Resolve the uncertain credits filed under ``key``, once a lookup showed what became
        of that work: ``charged`` credits of them were surely charged and move to spent (the
        rest stay uncertain: a lookup that finds the work does not prove how often it was
        billed); ``None`` or ``0``: the work never arrived, and all of them are dropped.
        Credits this budget never counted under ``key`` (another process's call, say) are not
        touched. Returns the credits moved or dropped."""
        held = self._uncertain_by_key.pop(key, 0)
        moved = held if not charged else min(held, charged)
        self.uncertain -= moved
        if charged:
            self.spent += moved
        if held > moved:
            self._uncertain_by_key[key] = held - moved
        return moved

    def unsettle(self, key: str, cost: int) -> None:
        """File ``cost`` under ``key`` as uncertain again: work dropped as not arrived may
        have arrived after all (the provider's next answer contradicts the lookup)."""
        self._unsure(cost, key)
