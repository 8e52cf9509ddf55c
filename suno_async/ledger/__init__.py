"""Credit ledgers: one count of credits and one budget for every process that spends them.

A ledger holds a keyed cost before a paid request is sent (:meth:`CreditLedger.reserve`),
refusing it when it would pass the limit, and settles it once the answer is known
(:meth:`CreditLedger.settle`); a key reserved twice counts once, so a retried step cannot pay
twice. Three ledgers keep the same rules (see :mod:`suno_async._core._ledger`):

* :class:`MemoryLedger`: in this process's memory (one process; the default).
* :class:`SqliteLedger`: in one SQLite file (standard library), for several processes on one
  machine.
* :class:`PostgresLedger`: in PostgreSQL (``pip install 'suno_async[postgres]'``), for a fleet
  of machines.

The limit belongs to the ledger: the first process to open a SQLite or PostgreSQL ledger stores
it, later ones use it (``limit=None``), and ``set_limit`` changes it for all of them.
"""

from suno_async._core._ledger import CreditLedger, LedgerTotals, MemoryLedger
from suno_async.ledger._postgres import PostgresLedger
from suno_async.ledger._sqlite import SqliteLedger

__all__ = ["CreditLedger", "LedgerTotals", "MemoryLedger", "PostgresLedger", "SqliteLedger"]
