"""Progress displays of the ``suno-async`` command, built on the library's ``on_event`` events.

A :class:`Display` is an ``on_event`` handler and a context manager. Which one a command gets
(:func:`make_display`):

* :class:`RichDisplay` on a terminal: live bars, each labelled with what it counts (and, in
  the demo, the provider): uploads (n of the clips wanted), training (queued, training, done,
  and the elapsed time), generation (queued, generating, streaming, done; on sunoapi the state
  of each clip) and downloads (files and bytes). ``rich`` is an optional dependency (the
  ``cli`` extra) imported only here, only when a terminal asks for bars; without it the
  command falls back to plain lines.
* :class:`PlainDisplay` when not on a terminal: one short line per event that matters,
  prefixed with the seconds since the command started.
* :class:`JsonDisplay` for ``--json --events``: each event as one JSON line, as the library
  encodes it (``{"type": "UploadFinished", ...}``).
* :class:`NullDisplay` for ``--quiet``, and for ``--json`` without ``--events``.

Statuses are shown in words that say what is happening (:func:`status_word`): a training
that waits for a worker is "queued" (the provider says ``ready``), a finished one "done".

While a command runs, :func:`forward_warnings` hands the display what the library logs that a
person should see: warnings, and each automatic retry ("retrying GET /suno/v2/status in
2.1 s (503)"), so a wait on a flaky connection never looks frozen.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, Self

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
from suno_async._core._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ResponseValidationError,
)
from suno_async.mountsea._constants import MIN_TRAINING_CLIPS

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = [
    "NO_UPLOAD_PRICE",
    "UPLOAD_FEE_NOTE",
    "Display",
    "JsonDisplay",
    "NullDisplay",
    "PlainDisplay",
    "RetryNotice",
    "RichDisplay",
    "describe",
    "forward_warnings",
    "make_display",
    "retry_reason",
    "status_word",
    "stderr_line",
]

#: Why the command line counts no credits for uploads.
NO_UPLOAD_PRICE = "mountsea publishes no upload price"
#: What the command line says about upload fees wherever it counts credits.
UPLOAD_FEE_NOTE = f"fee unknown: {NO_UPLOAD_PRICE}"


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


#: What a task of each kind is doing while its status says it runs.
_WORKING = {
    "upload": "uploading",
    "training": "training",
    "generate": "generating",
    "music": "generating",
}
#: Statuses (mountsea's tasks, sunoapi's clips) in the words the displays use.
_WORDS = {
    "queued": "queued",
    "ready": "queued",  # mountsea: waiting for a worker
    "submitted": "submitted",
    "stream": "streaming",
    "streaming": "streaming",
    "success": "done",
    "complete": "done",
    "failed": "failed",
    "error": "failed",
    "timeout": "timed out",
}


def status_word(kind: str, status: str) -> str:
    """A task's (or sunoapi clip's) ``status`` in words: ``queued`` (``queued``, ``ready``),
    what it does while it runs (``uploading``, ``training``, ``generating``), ``streaming``,
    ``done``, ``failed``, ``timed out``; a status the library does not know, as it came."""
    lowered = status.lower()
    if lowered in ("running", "awaiting"):
        return _WORKING.get(kind, "running")
    return _WORDS.get(lowered, status)


_KIND_NAMES = {"upload": "upload", "training": "training", "generate": "generation"}


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
            return f"training submitted with {n} clips; it takes about 2-3 minutes"
        case TaskStatusChanged(kind="upload"):
            return None
        case TaskStatusChanged(kind="music", task_id=clip_id, status=status):
            return f"clip {clip_id}: {status_word('music', status)}"
        case TaskStatusChanged(kind=kind, status=status):
            return f"{_KIND_NAMES.get(kind, kind)}: {status_word(kind, status)}"
        case TrainingFinished(model_id=model_id):
            return f"model trained: {model_id}"
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


class RetryNotice(NamedTuple):
    """An automatic retry: the request (``what``), the wait before it (seconds of the
    client's clock) and why (``reason``: an HTTP status, ``timeout``, ``no connection``)."""

    what: str
    wait: float
    reason: str

    def text(self) -> str:
        return f"retrying {self.what} in {self.wait:.1f} s ({self.reason})"


def retry_reason(exc: BaseException) -> str:
    """Why a request is retried, in a word or two: its HTTP status, ``timeout``, ``no
    connection`` or ``unreadable answer``."""
    if isinstance(exc, APIStatusError):
        return str(exc.status_code)
    if isinstance(exc, APITimeoutError):
        return "timeout"
    if isinstance(exc, APIConnectionError):
        return "no connection"
    if isinstance(exc, ResponseValidationError):
        return "unreadable answer"
    return type(exc).__name__


def _fee_line(uploads: int) -> str:
    return f"{uploads} upload{'s' if uploads != 1 else ''} sent ({UPLOAD_FEE_NOTE})"


class Display:
    """Shows a command's progress: call it with each event, :meth:`message` with a remark.

    Use it as ``with display: ...``; leaving the block finishes the display (a live one stops
    redrawing and leaves its last state on screen). This base class shows nothing.
    """

    def __call__(self, event: Event) -> None:
        """Take one progress event (the signature of an ``on_event`` handler)."""

    def message(self, text: str) -> None:
        """Show a remark that is not an event (a warning, say)."""

    def retry(self, notice: RetryNotice) -> None:
        """Show that a request is retried automatically (by default as a remark)."""
        self.message(notice.text())

    def section(self, title: str) -> None:
        """Start a part of the run (the demo's providers): a heading, and a label for the bars
        that follow."""
        self.message(title)

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
    """One line per event that :func:`describe` names, as ``[  1.23s] text``; once the uploads
    of a training are done (at its charge), one line with how many were sent and that their fee
    is unknown.

    ``write`` takes one line at a time (default: standard error).
    """

    def __init__(self, write: Callable[[str], None] = stderr_line) -> None:
        self._write = write
        self._started = time.perf_counter()
        self._uploads = 0

    def _line(self, text: str) -> None:
        self._write(f"[{time.perf_counter() - self._started:6.2f}s] {text}")

    def __call__(self, event: Event) -> None:
        if isinstance(event, UploadSubmitted):
            self._uploads += 1
        elif isinstance(event, CreditsSpent | TrainingSubmitted) and self._uploads:
            self._line(_fee_line(self._uploads))
            self._uploads = 0
        line = describe(event)
        if line is not None:
            self._line(line)

    def message(self, text: str) -> None:
        self._line(text)


class JsonDisplay(Display):
    """Each event as one JSON line (``msgspec.json.encode(event)``: a ``type`` tag and the
    event's fields); a remark as ``{"type": "Message", "message": ...}``; a retry as
    ``{"type": "Retrying", "request": ..., "seconds": ..., "reason": ...}``."""

    def __init__(self, write: Callable[[str], None] = stderr_line) -> None:
        self._write = write

    def __call__(self, event: Event) -> None:
        self._write(msgspec.json.encode(event).decode())

    def message(self, text: str) -> None:
        self._write(msgspec.json.encode({"type": "Message", "message": text}).decode())

    def retry(self, notice: RetryNotice) -> None:
        payload = {
            "type": "Retrying",
            "request": notice.what,
            "seconds": round(notice.wait, 3),
            "reason": notice.reason,
        }
        self._write(msgspec.json.encode(payload).decode())

    def section(self, title: str) -> None:
        self.message(title)


class RichDisplay(Display):
    """Live progress bars drawn with ``rich`` on standard error (or standard output).

    Bars, each labelled (after :meth:`section`, with that part's name first): ``uploads``
    counts finished uploads against the clips wanted (``uploads``, six unless told), with
    failures and retries; ``training`` and ``generation`` show the task's state in words
    (:func:`status_word`) and the elapsed time, a sunoapi generation the state of each of its
    clips; ``downloads`` counts files and bytes. Session ids, failed uploads, retries, credits
    spent and the trained model are printed as lines above the bars.

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
            TextColumn("{task.description:<20}", markup=False),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[info]}", markup=False),
            TimeElapsedColumn(),
            console=Console(stderr=stderr),
        )
        self._label = ""
        self._upload_total = uploads
        self._uploads: TaskID | None = None
        self._uploaded = 0
        self._sent = 0
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
        label = f"{self._label} {name}" if self._label else name
        return self._progress.add_task(label, total=total, info=info)

    def _update(self, task: TaskID, **changes: Any) -> None:
        self._progress.update(task, **changes)

    def _finish(self, task: TaskID, info: str) -> None:
        self._update(task, total=1, completed=1, info=info)

    def _show_status(self, task: TaskID, kind: str, status: str) -> None:
        word = status_word(kind, status)
        if word == "done":
            self._finish(task, word)
        else:
            self._update(task, info=word)

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

    def _fees(self) -> None:
        if self._sent:
            self._print(_fee_line(self._sent))
            self._sent = 0

    def _clip_info(self) -> str:
        return ", ".join(
            f"clip {n} {status_word('music', status)}"
            for n, status in enumerate(self._clip_statuses.values(), 1)
        )

    # -- events ----------------------------------------------------------------------------

    def __call__(self, event: Event) -> None:
        if self._closed:
            return
        match event:
            case SessionPrepared(session_id=sid):
                self._print(f"session {sid}")
            case UploadSubmitted():
                self._sent += 1
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
                self._fees()
                self._training = self._add("training", f"submitted ({n} clips)")
            case TaskStatusChanged(kind="training", status=status):
                if self._training is None:
                    self._training = self._add("training", "")
                self._show_status(self._training, "training", status)
            case TrainingFinished(model_id=model_id):
                if self._training is None:
                    self._training = self._add("training", "")
                self._finish(self._training, "done")
                self._print(f"model trained: {model_id}")
            case GenerationSubmitted(task_id=task_id, model=model):
                self._current = task_id
                self._clip_statuses.clear()
                self._generations[task_id] = self._add("generation", f"submitted ({model})")
            case TaskStatusChanged(kind="generate", task_id=task_id, status=status):
                self._show_status(self._generation(task_id), "generate", status)
            case TaskStatusChanged(kind="music", task_id=clip_id, status=status):
                self._clip_statuses[clip_id] = status
                self._update(self._generation(None), info=self._clip_info())
            case TaskStatusChanged(kind=kind, status=status):
                if kind == "upload" and self._uploads is not None:
                    return  # the uploads bar counts them
                bar = self._statuses.get(kind)
                if bar is None:
                    bar = self._statuses[kind] = self._add(kind, status)
                self._show_status(bar, kind, status)
            case GenerationStreaming(task_id=task_id, audio_urls=urls):
                self._update(self._generation(task_id), info=f"streaming ({len(urls)} clips)")
            case CreditsSpent():
                self._fees()
                self._print(describe(event) or "")
            case GenerationFinished(task_id=task_id, clip_ids=ids):
                self._finish(self._generation(task_id), f"done, {len(ids)} clips")
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

    def section(self, title: str) -> None:
        label, _, _ = title.partition(":")
        self._label = label.strip()
        self.message(title)

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
    """Warnings (and worse) as remarks; the records of a retry as retry lines."""

    def __init__(self, display: Display) -> None:
        super().__init__(logging.INFO)
        self._display = display

    def emit(self, record: logging.LogRecord) -> None:
        try:
            error = getattr(record, "retry_error", None)
            if error is not None:
                notice = RetryNotice(
                    what=str(getattr(record, "retry_what", "a request")),
                    wait=float(getattr(record, "retry_wait", 0.0)),
                    reason=retry_reason(error),
                )
                self._display.retry(notice)
            elif record.levelno >= logging.WARNING:
                self._display.message(f"{record.levelname.lower()}: {record.getMessage()}")
        except Exception:  # a display that fails must not break the command
            self.handleError(record)


@contextlib.contextmanager
def forward_warnings(display: Display) -> Iterator[None]:
    """While inside, warnings (and worse) logged by ``suno_async`` go to ``display``, and so
    does each automatic retry (logged at INFO; the logger's level is lowered to INFO, not
    further, to let them through, and put back afterwards)."""
    handler = _ToDisplay(display)
    logger = logging.getLogger("suno_async")
    level = logger.level
    logger.addHandler(handler)
    if not logger.isEnabledFor(logging.INFO):
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
