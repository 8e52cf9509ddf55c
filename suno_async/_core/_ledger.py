"""Credit ledgers: one count of credits and one budget for every process that spends them.

A client's own :class:`~suno_async._core._budget.CreditBudget` counts what one process spends.
A fleet of workers sharing one API key needs one count for all of them: a ledger. Its rules
are the budget's (see :mod:`suno_async._core._budget`), made durable and keyed:

* :meth:`CreditLedger.reserve` holds ``cost`` under ``key`` before a paid request is sent, and
  refuses it (:class:`~suno_async.CreditBudgetError`) when spent + uncertain + reserved + cost
  would pass the limit. Reserving a key that is already reserved or settled changes nothing
  and is not refused: a retried step cannot count twice.
* :meth:`CreditLedger.settle` resolves the key once the answer is known: ``"charged"`` (the
  provider accepted it: spent), ``"not_charged"`` (the answer proves nothing was done: the
  reservation is dropped), or ``"uncertain"`` (the answer was lost: it may have been charged).
  An uncertain key may be settled again later, when a lookup tells (``"charged"`` or
  ``"not_charged"``). A dropped key may be settled again as ``"charged"`` or ``"uncertain"``
  when a later answer contradicts the lookup that dropped it (a create answered 409 "already
  training" after the session looked untouched): the work was done, so the limit is not
  checked. A charged key stays charged.
* :meth:`CreditLedger.totals` reads the counts.

:class:`MemoryLedger` keeps them in memory (one process); the SQLite and PostgreSQL ledgers in
:mod:`suno_async.ledger` keep them in a database for several processes or machines.
"""

from __future__ import annotations

from typing import Final, Literal, Protocol, runtime_checkable

import msgspec

from suno_async._core._exceptions import ConfigError, CreditBudgetError

__all__ = ["CreditLedger", "LedgerTotals", "MemoryLedger", "Settlement"]

#: How a reserved key ended: spent, dropped, or unknown.
Settlement = Literal["charged", "not_charged", "uncertain"]
#: The state of a key in a ledger.
KeyState = Literal["reserved", "charged", "not_charged", "uncertain"]
SETTLEMENTS: Final = ("charged", "not_charged", "uncertain")


class LedgerTotals(msgspec.Struct, frozen=True, kw_only=True):
    """A ledger's counts: credits ``spent``, ``uncertain`` (answers lost), ``reserved`` (paid
    requests being sent), and the ``limit`` (``None``: no budget)."""

    spent: int
    uncertain: int
    reserved: int
    limit: int | None

    @property
    def committed(self) -> int:
        """What counts against the limit: spent, uncertain and reserved."""
        return self.spent + self.uncertain + self.reserved


@runtime_checkable
class CreditLedger(Protocol):
    """One count of credits for every process that spends them (see the module docstring)."""

    async def reserve(self, key: str, cost: int, what: str) -> None:
        """Hold ``cost`` credits under ``key`` for ``what``, before the request is sent.

        Raises:
            CreditBudgetError: the limit would be passed; nothing is held.
            ConfigError: ``key`` was reserved before with another cost.
        """
        ...

    async def settle(self, key: str, outcome: Settlement) -> None:
        """Resolve ``key`` (see the module docstring); a key never reserved is ignored."""
        ...

    async def state(self, key: str) -> KeyState | None:
        """What became of ``key`` so far (``None``: never reserved)."""
        ...

    async def totals(self) -> LedgerTotals:
        """The ledger's counts."""
        ...

    async def aclose(self) -> None:
        """Release what the ledger holds open."""
        ...


def check_settlement(outcome: object) -> Settlement:
    """``outcome`` if it is a settlement.

    Raises:
        ConfigError: it is not ``"charged"``, ``"not_charged"`` or ``"uncertain"``.
    """
    if outcome not in SETTLEMENTS:
        raise ConfigError(
            f"outcome must be one of {', '.join(SETTLEMENTS)}, got {outcome!r}.",
            argument="outcome",
        )
    return outcome


def budget_error(cost: int, what: str, committed: int, limit: int) -> CreditBudgetError:
    """The error of a reservation past the limit."""
    return CreditBudgetError(
        f"{what} costs {cost} credits; {committed} of the budget of {limit} are spent, "
        "uncertain or reserved across every process of this ledger, so it was not sent. Raise "
        "the ledger's limit to allow it.",
        cost=cost,
        spent=committed,
        limit=limit,
    )


class MemoryLedger:
    """A ledger in this process's memory (what one client's budget does, keyed)."""

    def __init__(self, limit: int | None = None) -> None:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise ConfigError("limit must be a whole number of credits or None.", argument="limit")
        self.limit = limit
        self._keys: dict[str, tuple[int, KeyState]] = {}

    async def reserve(self, key: str, cost: int, what: str) -> None:
        """See :meth:`CreditLedger.reserve`."""
        held = self._keys.get(key)
        if held is not None:
            if held[0] != cost:
                raise ConfigError(
                    f"key {key!r} was reserved for {held[0]} credits, not {cost}.",
                    argument="key",
                )
            return
        totals = await self.totals()
        if self.limit is not None and totals.committed + cost > self.limit:
            raise budget_error(cost, what, totals.committed, self.limit)
        self._keys[key] = (cost, "reserved")

    async def settle(self, key: str, outcome: Settlement) -> None:
        """See :meth:`CreditLedger.settle`."""
        check_settlement(outcome)
        held = self._keys.get(key)
        if held is None or held[1] == "charged" or held[1] == outcome:
            return
        self._keys[key] = (held[0], outcome)

    async def state(self, key: str) -> KeyState | None:
        """See :meth:`CreditLedger.state`."""
        held = self._keys.get(key)
        return None if held is None else held[1]

    async def totals(self) -> LedgerTotals:
        """See :meth:`CreditLedger.totals`."""
        sums = {"reserved": 0, "charged": 0, "uncertain": 0, "not_charged": 0}
        for cost, state in self._keys.values():
            sums[state] += cost
        return LedgerTotals(
            spent=sums["charged"],
            uncertain=sums["uncertain"],
            reserved=sums["reserved"],
            limit=self.limit,
        )

    async def aclose(self) -> None:
        """Nothing to release."""
