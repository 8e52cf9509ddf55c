"""An emulated account's credits: charged when work is accepted, refunded if it fails.

Every charge is also kept in the ledger's history, so a test can count what was billed (two
charged trainings for one intended create is a double charge) and not just the balance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

__all__ = ["Charge", "Ledger", "Settlement"]

_W = TypeVar("_W")

#: What became of a piece of paid work: still running, done (keep the charge), failed (refund).
Settlement = Literal["pending", "done", "refund"]


@dataclass(frozen=True, slots=True)
class Charge:
    """One piece of paid work in an emulated account's books.

    Attributes:
        provider: ``"mountsea"`` or ``"sunoapi"``.
        kind: ``"upload"``, ``"training"`` or ``"generate"`` (mountsea.ai), ``"music"``
            (one sunoapi.com create or extend call).
        task_id: The id of the task (mountsea.ai) or the call's batch (sunoapi.com); for a
            training, the session id. Always the id's string, whatever the reading.
        cost: Credits charged (0 for free work, which is still listed).
        state: ``"pending"`` (not settled yet), ``"kept"`` (the work succeeded) or
            ``"refunded"`` (it failed and the credits came back).
        label: What the request named the work by, to tell pieces of work apart when their
            ids are not known (a client killed before it read the answer never learns them): a
            generation's or music call's ``title``, a training's model ``name``; ``None`` when
            it has none (an upload, an untitled call). Not compared: two charges that differ
            only in it are equal.
    """

    provider: str
    kind: str
    task_id: str
    cost: int
    state: Literal["pending", "kept", "refunded"]
    label: str | None = field(default=None, compare=False)


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
        self._history: list[tuple[_W, int]] = []
        self._settled: dict[int, Settlement] = {}

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
        self._history.append((work, cost))

    def settle(self) -> None:
        """Forget finished work and refund failed work."""
        still: list[tuple[_W, int]] = []
        for work, cost in self._unsettled:
            outcome = self._outcome(work)
            if outcome == "refund":
                self._balance += cost
                self._refunded += cost
            if outcome == "pending":
                still.append((work, cost))
            else:
                self._settled[id(work)] = outcome
        self._unsettled = still

    def history(self) -> list[tuple[_W, int, Settlement]]:
        """Every charge so far, oldest first: the work, its cost and how it settled."""
        self.settle()
        return [
            (work, cost, self._settled.get(id(work), "pending")) for work, cost in self._history
        ]

    def charges(self, provider: str, describe: Callable[[_W], tuple[str, str]]) -> list[Charge]:
        """Every charge so far as :class:`Charge` records, oldest first; ``describe`` gives the
        kind and the task id of a piece of work."""
        states: dict[Settlement, Literal["pending", "kept", "refunded"]] = {
            "pending": "pending",
            "done": "kept",
            "refund": "refunded",
        }
        return [
            Charge(provider, *describe(work), cost, states[settled], label_of(work))
            for work, cost, settled in self.history()
        ]


def label_of(work: Any) -> str | None:
    """The title (of its ``spec`` or ``music`` spec) or ``name`` the request gave ``work``, if
    any (see :attr:`Charge.label`)."""
    for holder in (getattr(work, "spec", None), getattr(work, "music", None), work):
        for attribute in ("title", "name"):
            value = getattr(holder, attribute, None)
            if isinstance(value, str) and value:
                return value
    return None
