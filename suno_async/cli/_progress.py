"""Progress displays of the ``suno-async`` command, built on the library's ``on_event`` events.

A :class:`Display` is an ``on_event`` handler and a context manager. Which one a command gets
(:func:`make_display`):

* :class:`RichDisplay` on a terminal: live bars for uploads (n of the clips wanted), training
  (status and elapsed time), generation (status) and downloads (files and bytes). ``rich`` is an
  optional dependency (the ``cli`` extra) imported only here, only when a terminal asks for
  bars; without it the command falls back to plain lines.
* :class:`PlainDisplay` when not on a terminal: one short line per event that matters,
  prefixed with the seconds since the command started.
* :class:`JsonDisplay` for ``--json --events``: each event as one JSON line, as the library
  encodes it (``{"type": "UploadFinished", ...}``).
* :class:`NullDisplay` for ``--quiet``, and for ``--json`` without ``--events``.

Warnings the library logs (``suno_async`` logger) reach the display too, through
:func:`forward_warnings`, so they do not tear a live bar apart.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import msgspec

from suno_async._core._events import (
    CreditsSpent,
    DownloadFinished,
    Event,
    GenerationFinished,
    GenerationStreaming,
    GenerationSubmitted,
    SessionPrepared,
    TaskStatusChanged,
    TrainingFinished,
    TrainingSubmitted,
    UploadFailed,
    UploadFinished,
    UploadSubmitted,
)
from suno_async.mountsea._constants import MIN_TRAINING_CLIPS

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = [
    "Display",
    "JsonDisplay",
    "NullDisplay",
    "PlainDisplay",
    "RichDisplay",
    "describe",
    "forward_warnings",
    "make_display",
    "stderr_line",
]


def stderr_line(line: str) -> None:
    """Write ``line`` to the current ``sys.stderr`` (looked up at each call) and flush."""
    print(line, file=sys.stderr, flush=True)


def _name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or url


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} B"


def describe(event: Event) -> str | None:
    """One short line for ``event``, or ``None`` for events too frequent to list one by one
    (the status changes of single uploads)."""
    match event:
        case SessionPrepared(session_id=sid):
            return f"session {sid} prepared"
        case UploadSubmitted(url=url, attempt=attempt):
            return f"upload submitted  {_name(url)} (attempt {attempt})"
        case UploadFinished(url=url, clip_id=clip_id):
            return f"upload finished   {_name(url)} -> clip {clip_id}"
        case UploadFailed(url=url, error=error, will_retry=again):
            return f"upload failed     {_name(url)}: {error}" + (" (retrying)" if again else "")
        case TrainingSubmitted(clip_count=n):
            return f"training submitted with {n} clips (100 credits); about 2-3 minutes"
        case TaskStatusChanged(kind="training" | "generate" as kind, status=status):
            return f"{kind} status: {status}"
        case TaskStatusChanged(kind="music", task_id=clip_id, status=status):
            return f"clip {clip_id} status: {status}"
        case TrainingFinished(model_id=model_id):
            return f"model ready: {model_id}"
        case GenerationSubmitted(task_id=task_id, model=model):
            return f"generation {task_id} submitted with {model}"
        case GenerationStreaming(audio_urls=urls):
            return f"generation streaming: {len(urls)} clips playable already"
        case GenerationFinished(clip_ids=ids):
            return f"generation finished: {len(ids)} clips"
        case CreditsSpent(
            what=what, credits=credits, total=total, uncertain=True, total_uncertain=unsure
        ):
            return (
                f"credits: {credits} for {what} may have been charged (the outcome is unknown); "
                f"{total} spent, {unsure} uncertain this run"
            )
        case CreditsSpent(what=what, credits=credits, total=total, total_uncertain=unsure):
            also = f", {unsure} uncertain" if unsure else ""
            return f"credits: {credits} for {what} ({total} this run{also})"
        case DownloadFinished(path=path, size=size, skipped=True):
            return f"kept {path} ({size:,} bytes, there already)"
        case DownloadFinished(path=path, size=size):
            return f"downloaded {path} ({size:,} bytes)"
    return None


class Display:
    """Shows a command's progress: call it with each event, :meth:`message` with a remark.

    Use it as ``with display: ...``; leaving the block finishes the display (a live one stops
    redrawing and leaves its last state on screen). This base class shows nothing.
    """

    def __call__(self, event: Event) -> None:
        """Take one progress event (the signature of an ``on_event`` handler)."""

    def message(self, text: str) -> None:
        """Show a remark that is not an event (a warning, say)."""

    def expect_downloads(self, count: int) -> None:
        """Say how many files the next downloads will be, for a bar with an end."""

    def close(self) -> None:
        """Finish the display. Safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class NullDisplay(Display):
    """Shows nothing (``--quiet``, or ``--json`` without ``--events``)."""


class PlainDisplay(Display):
    """One line per event that :func:`describe` names, as ``[  1.23s] text``.

    ``write`` takes one line at a time (default: standard error).
    """

    def __init__(self, write: Callable[[str], None] = stderr_line) -> None:
        self._write = write
        self._started = time.perf_counter()

    def _line(self, text: str) -> None:
        self._write(f"[{time.perf_counter() - self._started:6.2f}s] {text}")

    def __call__(self, event: Event) -> None:
        line = describe(event)
        if line is not None:
            self._line(line)

    def message(self, text: str) -> None:
        self._line(text)


class JsonDisplay(Display):
    """Each event as one JSON line (``msgspec.json.encode(event)``: a ``type`` tag and the
    event's fields); a remark as ``{"type": "Message", "message": ...}``."""

    def __init__(self, write: Callable[[str], None] = stderr_line) -> None:
        self._write = write

    def __call__(self, event: Event) -> None:
        self._write(msgspec.json.encode(event).decode())

    def message(self, text: str) -> None:
        self._write(msgspec.json.encode({"type": "Message", "message": text}).decode())


class RichDisplay(Display):
    """Live progress bars drawn with ``rich`` on standard error (or standard output).

    Bars: ``uploads`` counts finished uploads against the clips wanted (``uploads``, six
    unless told), with failures and retries; ``training`` and ``generation`` show the task's
    status (``streaming`` once the clips can be played) and elapsed time; ``downloads`` counts
    files and bytes. Session ids, failed uploads, credits spent and the trained model are
    printed as lines above the bars.

    Raises:
        ImportError: ``rich`` is not installed (:func:`make_display` then falls back).
    """

    def __init__(self, *, stderr: bool = True, uploads: int = MIN_TRAINING_CLIPS) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress: Progress = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description:<10}", markup=False),
            BarColumn(bar_width=28),
            TextColumn("{task.fields[info]}", markup=False),
            TimeElapsedColumn(),
            console=Console(stderr=stderr),
        )
        self._upload_total = uploads
        self._uploads: TaskID | None = None
        self._uploaded = 0
        self._failed = 0
        self._retrying = 0
        self._training: TaskID | None = None
        self._generations: dict[str, TaskID] = {}
        self._current: str | None = None
        self._clip_statuses: dict[str, str] = {}
        self._statuses: dict[str, TaskID] = {}
        self._downloads: TaskID | None = None
        self._download_total: int | None = None
        self._downloaded = 0
        self._bytes = 0
        self._closed = False
        self._progress.start()

    # -- helpers ---------------------------------------------------------------------------

    def _add(self, name: str, info: str, total: float | None = None) -> TaskID:
        return self._progress.add_task(name, total=total, info=info)

    def _update(self, task: TaskID, **changes: Any) -> None:
        self._progress.update(task, **changes)

    def _finish(self, task: TaskID, info: str) -> None:
        self._update(task, total=1, completed=1, info=info)

    def _show_status(self, task: TaskID, status: str) -> None:
        if status == "success":
            self._finish(task, status)
        else:
            self._update(task, info=status)

    def _print(self, text: str) -> None:
        self._progress.console.print(text, markup=False, highlight=False)

    def _upload_info(self) -> str:
        info = f"{self._uploaded}/{self._upload_total} clips"
        if self._retrying:
            info += f", {self._retrying} retried"
        if self._failed:
            info += f", {self._failed} failed"
        return info

    def _show_uploads(self) -> None:
        if self._uploads is None:
            self._uploads = self._add("uploads", "", total=self._upload_total)
        self._update(self._uploads, completed=self._uploaded, info=self._upload_info())

    def _generation(self, task_id: str | None) -> TaskID:
        key = task_id or self._current or "generation"
        bar = self._generations.get(key)
        if bar is None:
            bar = self._generations[key] = self._add("generation", "submitted")
            self._current = key
        return bar

    # -- events ----------------------------------------------------------------------------

    def __call__(self, event: Event) -> None:
        if self._closed:
            return
        match event:
            case SessionPrepared(session_id=sid):
                self._print(f"session {sid}")
            case UploadSubmitted():
                self._show_uploads()
            case UploadFinished():
                self._uploaded += 1
                self._show_uploads()
            case UploadFailed(will_retry=again):
                if again:
                    self._retrying += 1
                else:
                    self._failed += 1
                self._print(describe(event) or "")
                self._show_uploads()
            case TrainingSubmitted(clip_count=n):
                if self._uploads is not None:
                    self._update(self._uploads, completed=self._upload_total)
                self._training = self._add("training", f"submitted ({n} clips)")
            case TaskStatusChanged(kind="training", status=status):
                if self._training is None:
                    self._training = self._add("training", status)
                self._show_status(self._training, status)
            case TrainingFinished(model_id=model_id):
                if self._training is None:
                    self._training = self._add("training", "")
                self._finish(self._training, "ready")
                self._print(f"model ready: {model_id}")
            case GenerationSubmitted(task_id=task_id, model=model):
                self._current = task_id
                self._clip_statuses.clear()
                self._generations[task_id] = self._add("generation", f"submitted ({model})")
            case TaskStatusChanged(kind="generate", task_id=task_id, status=status):
                self._update(self._generation(task_id), info=status)
            case TaskStatusChanged(kind="music", task_id=clip_id, status=status):
                self._clip_statuses[clip_id] = status
                counts = collections.Counter(self._clip_statuses.values())
                info = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                self._update(self._generation(None), info=f"clips: {info}")
            case TaskStatusChanged(kind=kind, status=status):
                if kind == "upload" and self._uploads is not None:
                    return  # the uploads bar counts them
                bar = self._statuses.get(kind)
                if bar is None:
                    bar = self._statuses[kind] = self._add(kind, status)
                self._show_status(bar, status)
            case GenerationStreaming(task_id=task_id, audio_urls=urls):
                self._update(self._generation(task_id), info=f"streaming ({len(urls)} clips)")
            case CreditsSpent():
                self._print(describe(event) or "")
            case GenerationFinished(task_id=task_id, clip_ids=ids):
                self._finish(self._generation(task_id), f"{len(ids)} clips")
                self._downloads, self._download_total = None, len(ids)
            case DownloadFinished(size=size):
                if self._downloads is None:
                    self._downloaded = self._bytes = 0
                    self._downloads = self._add("downloads", "", total=self._download_total)
                self._downloaded += 1
                self._bytes += size
                total = self._download_total
                shown = f"{self._downloaded}/{total}" if total else f"{self._downloaded}"
                self._update(
                    self._downloads,
                    completed=self._downloaded,
                    info=f"{shown} files, {_size(self._bytes)}",
                )

    def message(self, text: str) -> None:
        if not self._closed:
            self._print(text)

    def expect_downloads(self, count: int) -> None:
        self._downloads, self._download_total = None, count

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._progress.stop()


def make_display(
    *,
    json: bool,
    events: bool,
    quiet: bool,
    terminal: bool,
    write: Callable[[str], None] = stderr_line,
    stderr: bool = True,
    uploads: int = MIN_TRAINING_CLIPS,
) -> Display:
    """The display for these settings (see the module docstring).

    ``terminal`` says whether the stream the display writes to is a terminal; ``write`` takes
    the plain and JSON lines; ``stderr`` picks the stream of the bars; ``uploads`` is the
    number of clips a training wants. Bars need ``rich``: without it, plain lines are shown.
    """
    if quiet:
        return NullDisplay()
    if json:
        return JsonDisplay(write) if events else NullDisplay()
    if terminal:
        try:
            return RichDisplay(stderr=stderr, uploads=uploads)
        except ImportError:
            pass
    return PlainDisplay(write)


class _ToDisplay(logging.Handler):
    def __init__(self, display: Display) -> None:
        super().__init__(logging.WARNING)
        self._display = display

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._display.message(f"{record.levelname.lower()}: {record.getMessage()}")
        except Exception:  # a display that fails must not break the command
            self.handleError(record)


@contextlib.contextmanager
def forward_warnings(display: Display) -> Iterator[None]:
    """While inside, warnings (and worse) logged by ``suno_async`` go to ``display``."""
    handler = _ToDisplay(display)
    logger = logging.getLogger("suno_async")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
