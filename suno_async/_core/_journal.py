"""Journals: the state of a workflow on disk, so a run killed at any point can carry on.

A journal is a small JSON file rewritten atomically (temporary file, fsync, rename) after every
step, so after a crash it holds either the state before a step or the state after it, never
half of one. It records ids and outcomes only; it never holds the API key. A journal belongs to
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
from typing import Final, Generic, Literal, Protocol, TypeVar

import msgspec

from suno_async._core._exceptions import ConfigError

__all__ = ["JOURNAL_VERSION", "Journal", "JournalState", "Submission"]

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
    """A journal file and the state it holds; :meth:`save` after every change."""

    def __init__(self, path: Path, state: _S) -> None:
        self.path = path
        self.state: _S = state

    @classmethod
    def open(cls, path: str | os.PathLike[str], fresh: _S) -> Journal[_S]:
        """The journal at ``path``: its saved state if the file exists, else ``fresh`` (saved).

        Raises:
            ConfigError: the file is not a journal of this kind and version, or it belongs to
                a run with other inputs (compare the fields that ``fresh`` sets).
        """
        where = Path(path)
        kind = type(fresh)
        for leftover in where.parent.glob(f".{where.name}.*.tmp"):
            leftover.unlink(missing_ok=True)  # a save cut short by a crash
        if not where.exists():
            journal = cls(where, fresh)
            journal.save()
            return journal
        try:
            state: _S = msgspec.json.decode(where.read_bytes(), type=kind)
        except (msgspec.DecodeError, OSError) as exc:
            raise ConfigError(
                f"journal {where} cannot be read as a {fresh.kind} journal ({exc}). Use another "
                "path, or delete the file to start over.",
                argument="journal",
            ) from None
        if state.version != JOURNAL_VERSION:
            raise ConfigError(
                f"journal {where} has version {state.version}; this library writes "
                f"{JOURNAL_VERSION}.",
                argument="journal",
            )
        if state.identity() != fresh.identity():
            raise ConfigError(
                f"journal {where} belongs to another run (its inputs differ). Use another path "
                "for a new run, or delete it to start over.",
                argument="journal",
            )
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
