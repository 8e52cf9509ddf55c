"""Journals: the state of a workflow on disk, so a run killed at any point can carry on.

A journal lives in a job store (a path ending ``.db``, ``.sqlite`` or ``.sqlite3``: one row of
an SQLite file, see :mod:`suno_async._core._store`), or in a small JSON file (any other path)
rewritten atomically (temporary file, fsync, rename). Either way it is saved after every step,
so after a crash it holds either the state before a step or the state after it, never half of
one. It records ids and outcomes only; it never holds the API key. A journal belongs to
one run: resuming it with other inputs raises :class:`ConfigError`.

Before a request that starts paid work is sent, the journal records the intent (``"sending"``),
and after the answer the result (``"submitted"`` with the task id). A run that finds
``"sending"`` on resuming does not know whether the request arrived, and reconciles before
sending anything (for mountsea's ``customModel/create``, by the session's status).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Final, Generic, Literal, Protocol, TypeVar

import msgspec

from suno_async._core._budget import Tally
from suno_async._core._exceptions import ConfigError
from suno_async._core._store import STORE_SUFFIXES, JobStore

__all__ = ["JOURNAL_VERSION", "Journal", "JournalState", "JournalTarget", "Submission"]

JOURNAL_VERSION: Final = 1

#: ``failed``: the work was submitted and the provider reported it failed (or timed out); a
#: rerun may submit it again where the provider allows that.
Submission = Literal["none", "sending", "submitted", "failed"]


class JournalState(Protocol):
    """What a journal holds: a msgspec Struct with these members (a provider's workflow defines
    its own)."""

    @property
    def version(self) -> int:
        """The format version (:data:`JOURNAL_VERSION`)."""
        ...

    @property
    def kind(self) -> str:
        """What run the journal belongs to, e.g. ``"train"``."""
        ...

    def identity(self) -> tuple[object, ...]:
        """The run's inputs; a journal opened with other inputs is refused."""
        ...


_S = TypeVar("_S", bound=JournalState)
_ENCODER: Final = msgspec.json.Encoder()


class Journal(Generic[_S]):
    """A journal and the state it holds; :meth:`save` after every change, :meth:`close` when
    the run ends."""

    def __init__(self, state: _S, where: str) -> None:
        self.state: _S = state
        #: Where the journal is kept, for messages.
        self.where = where

    @classmethod
    def open(cls, target: JournalTarget, fresh: _S) -> Journal[_S]:
        """The journal at ``target``: its saved state if there is one, else ``fresh`` (saved).

        ``target`` is a path (a job store if it ends ``.db``, ``.sqlite`` or ``.sqlite3``,
        in any case, else a JSON file), or a journal already open (from a batch's store).

        Raises:
            ConfigError: the target holds no journal of this kind and version, or one that
                belongs to a run with other inputs (compare the fields that ``fresh`` sets).
            StoreBusyError: another process has the job store open.
        """
        if isinstance(target, Journal):
            _check_same_run(target.where, target.state, fresh)
            opened: Journal[_S] = target
            return opened
        where = Path(target)
        if where.suffix.lower() in STORE_SUFFIXES:
            return StoreJournal.open_in(JobStore.open(where), "journal", fresh, owned=True)
        return FileJournal.open_file(where, fresh)

    def save(self) -> None:
        """Record the state: after a crash the journal holds the old state or the new."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the journal holds open (nothing for a file)."""


class FileJournal(Journal[_S]):
    """A journal in a JSON file."""

    def __init__(self, path: Path, state: _S) -> None:
        super().__init__(state, str(path))
        self.path = path

    @classmethod
    def open_file(cls, where: Path, fresh: _S) -> FileJournal[_S]:
        """See :meth:`Journal.open`."""
        for leftover in where.parent.glob(f".{where.name}.*.tmp"):
            leftover.unlink(missing_ok=True)  # a save cut short by a crash
        if not where.exists():
            journal = cls(where, fresh)
            journal.save()
            return journal
        try:
            state = _decode(where.read_bytes(), fresh)
        except OSError as exc:
            raise _unreadable(str(where), fresh, exc) from None
        _check_same_run(str(where), state, fresh)
        return cls(where, state)

    def save(self) -> None:
        """Write the state atomically: the file holds the old state or the new, never half."""
        data = _ENCODER.encode(self.state)
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_directory(directory)


class StoreJournal(Journal[_S]):
    """A journal in one row of a job store (the row's ``journal`` column)."""

    def __init__(
        self, store: JobStore, key: str, state: _S, *, owned: bool, tally: Tally | None = None
    ) -> None:
        super().__init__(state, f"{store.path} (job {key})")
        self.store = store
        self.key = key
        self._owned = owned
        #: The job's credits, written with each save (see :class:`Tally`).
        self._tally = tally

    @classmethod
    def open_in(
        cls, store: JobStore, key: str, fresh: _S, *, owned: bool, tally: Tally | None = None
    ) -> StoreJournal[_S]:
        """The journal of the job ``key`` in ``store`` (the job is added if missing, as a
        ``running`` job of kind ``fresh.kind``); with ``owned`` the store is closed with the
        journal; with ``tally`` each save also writes the job's credits."""
        try:
            record = store.get(key)
            if record is None:
                spec = _ENCODER.encode(list(fresh.identity())).decode()
                store.add(key, fresh.kind, spec, None, None)
                store.update(key, status="running")
                journal = cls(store, key, fresh, owned=owned)
                journal.save()
                return journal
            where = f"{store.path} (job {key})"
            state = fresh if record.journal is None else _decode(record.journal, fresh, where)
            _check_same_run(where, state, fresh)
            return cls(store, key, state, owned=owned, tally=tally)
        except BaseException:
            if owned:
                store.close()
            raise

    def save(self) -> None:
        """Write the state (and the job's credits, if kept) in one change of the store. A
        journal without a tally is committed at once; one with a tally (a batch's) with the
        other changes of this turn of the event loop: its tally commits before any paid
        request is sent (see :class:`Tally`)."""
        if self._tally is None:
            self.store.update(self.key, journal=_ENCODER.encode(self.state), commit_now=True)
        else:
            self.store.update(
                self.key, journal=_ENCODER.encode(self.state), credits=self._tally.state
            )

    def close(self) -> None:
        """Close the store if this journal opened it."""
        if self._owned:
            self.store.close()


class PartJournal(Journal[_S]):
    """One field of another journal's state, saved with it (a workflow of several steps keeps
    each step's journal in one record)."""

    def __init__(self, whole: Journal[Any], state: _S) -> None:
        super().__init__(state, whole.where)
        self._whole = whole

    def save(self) -> None:
        """Save the whole journal."""
        self._whole.save()


#: Where a journal is: a path, or a journal already open.
JournalTarget = str | os.PathLike[str] | Journal[Any]


def _decode(data: bytes, fresh: _S, where: str = "") -> _S:
    try:
        state: _S = msgspec.json.decode(data, type=type(fresh))
    except msgspec.DecodeError as exc:
        raise _unreadable(where, fresh, exc) from None
    return state


def _unreadable(where: str, fresh: JournalState, exc: Exception) -> ConfigError:
    return ConfigError(
        f"journal {where} cannot be read as a {fresh.kind} journal ({exc}). Use another path, "
        "or delete it to start over.",
        argument="journal",
    )


def _check_same_run(where: str, state: JournalState, fresh: JournalState) -> None:
    if state.version != JOURNAL_VERSION:
        raise ConfigError(
            f"journal {where} has version {state.version}; this library writes {JOURNAL_VERSION}.",
            argument="journal",
        )
    if state.identity() != fresh.identity():
        raise ConfigError(
            f"journal {where} belongs to another run (its inputs differ). Use another path "
            "for a new run, or delete it to start over.",
            argument="journal",
        )


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
