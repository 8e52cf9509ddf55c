"""An emulated account's credits: charged when work is accepted, refunded if it fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Literal, TypeVar

__all__ = ["Ledger", "Settlement"]

_W = TypeVar("_W")

#: What became of a piece of paid work: still running, done (keep the charge), failed (refund).
Settlement = Literal["pending", "done", "refund"]


class Ledger(Generic[_W]):
    """Credits of one account, and the paid work not yet settled.

    Refunds are applied lazily: :meth:`settle` asks ``outcome`` about each unsettled piece of
    work (the emulator has no timers; it is called whenever the balance is read).
    """

    def __init__(self, balance: int, outcome: Callable[[_W], Settlement]) -> None:
        self._balance = balance
        self._charged = 0
        self._refunded = 0
        self._outcome = outcome
        self._unsettled: list[tuple[_W, int]] = []

    @property
    def balance(self) -> int:
        """The balance now."""
        self.settle()
        return self._balance

    @property
    def spent(self) -> int:
        """Credits charged minus credits refunded, so far."""
        self.settle()
        return self._charged - self._refunded

    def can_pay(self, cost: int) -> bool:
        """Whether the balance covers ``cost``."""
        return self._balance >= cost

    def charge(self, work: _W, cost: int) -> None:
        """Take ``cost`` for ``work``, refunded later if the work fails."""
        self._balance -= cost
        self._charged += cost
        self._unsettled.append((work, cost))

    def settle(self) -> None:
        """Forget finished work and refund failed work."""
        still: list[tuple[_W, int]] = []
        for work, cost in self._unsettled:
            outcome = self._outcome(work)
            if outcome == "refund":
                self._balance += cost
                self._refunded += cost
            elif outcome == "pending":
                still.append((work, cost))
        self._unsettled = still
