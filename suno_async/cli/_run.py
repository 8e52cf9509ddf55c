"""Running a client command (train, generate, pure-music, status, wait, download): what they
share.

A client command's :class:`~suno_async.cli._parser.Handler` comes from :func:`client_handler`:

* its ``check`` resolves the shared options into :class:`Options` (stored as
  ``args.options``) and runs the command's own ``prepare`` step, which checks the rest and
  reads the files it names; a problem is a :class:`~suno_async.cli._parser.UsageError` (exit 2)
  before anything is sent;
* its ``execute`` opens the client (or starts the embedded emulator, :func:`connect`), runs the
  command's ``run`` step with a progress display fed by the library's ``on_event`` events, and
  prints the :class:`Outcome`, or the error as one line, returning the exit code
  (:mod:`suno_async.cli._exit`).

Every ``--json`` result has ``command``; commands that use the API add ``credits_spent`` (calls
of known price the provider accepted this run), ``credits_uncertain`` (calls of known price
whose outcome is unknown) and ``requests_made``.

Against an emulator started with ``suno-async emulator``, the lines it prints set
``MOUNTSEA_BASE_URL``, ``MOUNTSEA_API_KEY`` (and the ``SUNOAPI_`` pair) and
:data:`SPEED_ENV`, the default of ``--speed``, so every command keeps to that emulator's clock.
``--emulator`` instead starts a fresh emulator inside the one command: what it trained or
generated is gone when the command ends.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shlex
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

import anyio
import msgspec

from suno_async._core._base_client import BaseClient
from suno_async._core._clock import SystemClock
from suno_async._core._events import (
    DownloadFinished,
    Event,
    GenerationSubmitted,
    SessionPrepared,
    TrainingSubmitted,
)
from suno_async._core._exceptions import ConfigError, SunoError, TaskTimeoutError
from suno_async._core._models import Clip
from suno_async._core._validation import is_loopback
from suno_async.cli import _convert
from suno_async.cli._exit import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TIMEOUT,
    error_object,
    exit_code_for,
    hint_for,
    one_line,
)
from suno_async.cli._parser import (
    DEFAULT_EMULATOR_SPEED,
    DEFAULT_PROVIDER,
    SHARED_OPTIONS,
    Handler,
    UsageError,
    cli_terms,
    shared_option,
)
from suno_async.cli._progress import Display, forward_warnings, make_display, stderr_line
from suno_async.mountsea import _constants as mountsea
from suno_async.sunoapi import _constants as sunoapi

if TYPE_CHECKING:
    from suno_async.emulator import Emulator

__all__ = [
    "SPEED_ENV",
    "Context",
    "Options",
    "Outcome",
    "Prepare",
    "Run",
    "client_handler",
    "clip_rows",
    "clips_data",
    "connect",
    "download_data",
    "download_rows",
    "read_input",
    "resolve_options",
    "table",
    "usage",
]

_C = TypeVar("_C", bound=BaseClient)
_T = TypeVar("_T")

#: The key a client is given against the embedded emulator, unless --api-key says otherwise.
_EMULATOR_KEY = "emulator"
#: The default of ``--speed`` when a command talks to an emulator on loopback (``suno-async
#: emulator`` prints it among its export lines).
SPEED_ENV = "SUNO_ASYNC_SPEED"
#: Commands that follow work submitted earlier: a fresh --emulator cannot know it.
_FOLLOW_UP = ("status", "wait")
#: Keys shorter than this are not hidden in error lines (they would mangle ordinary words).
_MIN_SECRET = 6


@dataclasses.dataclass(frozen=True, kw_only=True)
class Options:
    """The shared options of one run, resolved (after the command wins over before it).

    ``speed`` is the client clock's speed-up (``None``: real time); with ``emulator`` it is
    also the embedded emulator's.
    """

    base_url: str | None = None
    api_key: str | None = None
    provider: str = DEFAULT_PROVIDER
    emulator: bool = False
    speed: float | None = None
    emulator_api_key: str | None = None
    emulator_credits: int | None = None
    timeout: float | None = None
    max_credits: int | None = None
    json: bool = False
    events: bool = False
    quiet: bool = False

    @property
    def key_env(self) -> str:
        """The environment variable the key comes from."""
        return sunoapi.API_KEY_ENV if self.provider == "sunoapi" else mountsea.API_KEY_ENV

    @property
    def url_env(self) -> str:
        """The environment variable the base URL comes from."""
        return sunoapi.BASE_URL_ENV if self.provider == "sunoapi" else mountsea.BASE_URL_ENV

    def secrets(self) -> list[str]:
        """Every key this run may know, to hide from error lines."""
        keys = [
            self.api_key,
            os.environ.get(mountsea.API_KEY_ENV),
            os.environ.get(sunoapi.API_KEY_ENV),
        ]
        return [key.strip() for key in keys if key and len(key.strip()) >= _MIN_SECRET]


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a command produced: ``data`` for ``--json``, ``lines`` for people."""

    data: dict[str, Any]
    lines: list[str]


# -- checking the command line -----------------------------------------------------------------


def _typed(args: argparse.Namespace, name: str, kind: type[_T]) -> _T | None:
    value = shared_option(args, name)
    return value if isinstance(value, kind) else None


#: The commands that run on sunoapi (``--provider sunoapi``); the others are mountsea's.
SUNOAPI_COMMANDS: Final = frozenset({"pure-music", "credits", "lyrics", "stems", "create"})


def resolve_options(args: argparse.Namespace) -> Options:
    """The shared options of a client command, checked together.

    Raises:
        UsageError: a combination that makes no sense (``--events`` without ``--json``,
            ``--base-url`` with ``--emulator``, ``--speed`` against a real service, ...).
    """
    given = {name: shared_option(args, name) for name in SHARED_OPTIONS}
    opts = Options(
        base_url=_typed(args, "base_url", str),
        api_key=_typed(args, "api_key", str),
        provider=_typed(args, "provider", str) or DEFAULT_PROVIDER,
        emulator=bool(given["emulator"]),
        speed=_typed(args, "speed", float),
        emulator_api_key=_typed(args, "emulator_api_key", str),
        emulator_credits=_typed(args, "emulator_credits", int),
        timeout=_typed(args, "timeout", float),
        max_credits=_typed(args, "max_credits", int),
        json=bool(given["json"]),
        events=bool(given["events"]),
        quiet=bool(given["quiet"]),
    )
    if opts.events and not opts.json:
        raise UsageError("--events needs --json (without it, progress is shown as lines)")
    if opts.events and opts.quiet:
        raise UsageError("--events and --quiet contradict each other")
    if args.command == "download":
        return opts
    if opts.emulator and opts.base_url is not None:
        raise UsageError("--base-url and --emulator: give one (--emulator runs its own)")
    if not opts.emulator:
        for name in ("emulator_api_key", "emulator_credits"):
            if given[name] is not None:
                raise UsageError(f"--{name.replace('_', '-')} needs --emulator")
    if opts.provider == "sunoapi" and args.command not in SUNOAPI_COMMANDS | {"batch"}:
        raise UsageError(f"{args.command} works with --provider mountsea only")
    if opts.emulator:
        if args.command in _FOLLOW_UP:
            raise UsageError(
                f"{args.command} --emulator would ask a fresh emulator, which knows no task: "
                "--emulator starts a new one for each command. Run 'suno-async emulator' in "
                "another terminal and paste the export lines it prints here (they point every "
                "command at it, with its key and speed)"
            )
        return dataclasses.replace(opts, speed=opts.speed or DEFAULT_EMULATOR_SPEED)
    option = "--speed"
    if opts.speed is None and os.environ.get(SPEED_ENV, "").strip():
        option = SPEED_ENV
        try:
            opts = dataclasses.replace(
                opts, speed=_convert.positive_float(os.environ[SPEED_ENV].strip())
            )
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"{SPEED_ENV} {exc}") from None
    if opts.speed is not None:
        url = opts.base_url or os.environ.get(opts.url_env, "")
        if not is_loopback(urlsplit(url).hostname or ""):
            raise UsageError(
                f"{option} without --emulator is only for an emulator on loopback "
                "(--base-url http://127.0.0.1:PORT), so a real service is never polled faster"
            )
    return opts


def read_input(path: str) -> str:
    """The text of ``path`` (``-``: standard input).

    Raises:
        UsageError: the file cannot be read.
    """
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {path}: {reason}") from None


# -- running -----------------------------------------------------------------------------------


class Context:
    """One run's display, and what to tell the user if the command stops now.

    Its :meth:`on_event` is the ``on_event`` handler given to the library: it notes the ids
    that a resumption needs and the downloads, then shows the event.
    """

    def __init__(self, display: Display, args: argparse.Namespace) -> None:
        self.display = display
        self.args = args
        self.task_id: str | None = None
        self.resume: str | None = None
        self.downloads: list[DownloadFinished] = []
        self.waitable = True  # a submitted task can be picked up with "suno-async wait"
        self.journal: str | None = getattr(args, "journal", None)
        if self.journal:
            self.resume = (
                f"Run the same command again (same --journal {shlex.quote(self.journal)}) to "
                "carry on."
            )

    def on_event(self, event: Event) -> None:
        if isinstance(event, SessionPrepared):
            self.task_id = event.session_id
        elif isinstance(event, TrainingSubmitted):
            self.task_id = event.task_id
            self.resume = (
                f"The training was submitted (and paid for) in session {event.session_id}: "
                f"pick it up with 'suno-async wait {event.session_id} --kind training'"
                + (" or by running the same command again" if self.journal else "")
                + " instead of training again."
            )
        elif isinstance(event, GenerationSubmitted):
            self.task_id = event.task_id
            if self.waitable:
                output = getattr(self.args, "output", None)
                again = f" --output {shlex.quote(output)}" if output else ""
                self.resume = (
                    f"The generation {event.task_id} was submitted (and paid for): pick it up "
                    f"with 'suno-async wait {event.task_id}{again}'"
                    + (" or by running the same command again" if self.journal else "")
                    + "."
                )
        elif isinstance(event, DownloadFinished):
            self.downloads.append(event)
        self.display(event)

    def resume_hint(self, exc: BaseException) -> str | None:
        """How to pick the work up after ``exc``, if the work may go on without us."""
        if self.resume is None or (isinstance(exc, TaskTimeoutError) and exc.server_side):
            return None
        code = exit_code_for(exc)
        transient = isinstance(exc, OSError) or (isinstance(exc, SunoError) and exc.retryable)
        if code in (EXIT_TIMEOUT, EXIT_INTERRUPTED) or (code == EXIT_ERROR and transient):
            return self.resume
        return None


@contextlib.asynccontextmanager
async def connect(
    opts: Options, client_type: type[_C], **options: Any
) -> AsyncIterator[tuple[_C, Emulator | None]]:
    """A client of the API, or of a fresh embedded emulator started here (yielded too);
    ``options`` are more arguments of ``client_type`` (say, ``extra_models``).

    Raises:
        ConfigError: no key, and no ``--emulator`` (exit 2).
    """
    if opts.emulator:
        from suno_async.emulator import Emulator, EmulatorConfig

        speed = opts.speed or DEFAULT_EMULATOR_SPEED
        clock = SystemClock(speed)
        config = EmulatorConfig(speed=speed, api_key=opts.emulator_api_key)
        if opts.emulator_credits is not None:
            config = dataclasses.replace(
                config, credits=opts.emulator_credits, sunoapi_credits=opts.emulator_credits
            )
        async with (
            Emulator(config, clock=clock) as emulator,
            client_type(
                api_key=opts.api_key or _EMULATOR_KEY,
                base_url=emulator.base_url,
                clock=clock,
                max_credits=opts.max_credits,
                **options,
            ) as client,
        ):
            yield client, emulator
        return
    if not (opts.api_key or os.environ.get(opts.key_env, "").strip()):
        raise ConfigError(
            f"no API key: set {opts.key_env} (or pass --api-key), or add --emulator to try "
            "it offline.",
            argument="api_key",
        )
    async with client_type(
        api_key=opts.api_key,
        base_url=opts.base_url,
        clock=SystemClock(opts.speed) if opts.speed else None,
        max_credits=opts.max_credits,
        **options,
    ) as client:
        yield client, None


def clips_data(clips: list[Clip]) -> list[Any]:
    """Clips as JSON-ready objects."""
    return [msgspec.to_builtins(clip) for clip in clips]


def table(rows: list[tuple[str, object]]) -> list[str]:
    """``name  value`` lines, the values aligned."""
    width = max((len(name) for name, _ in rows), default=0)
    return [f"{name:<{width}}  {value}".rstrip() for name, value in rows]


def clip_rows(clips: list[Clip]) -> list[tuple[str, object]]:
    """One ``clip`` row per clip: id, status, title, audio URL."""
    rows: list[tuple[str, object]] = []
    for clip in clips:
        parts = [
            clip.id,
            clip.status or "",
            f'"{clip.title}"' if clip.title else "",
            clip.audio_url,
        ]
        rows.append(("clip", "  ".join(part for part in parts if part)))
    return rows


def download_rows(ctx: Context) -> list[tuple[str, object]]:
    """One ``file`` row per download of this run."""
    return [
        ("file", f"{d.path}  ({d.size:,} bytes{', there already' if d.skipped else ''})")
        for d in ctx.downloads
    ]


def download_data(ctx: Context, files: Sequence[Path]) -> dict[str, Any]:
    """``files`` (as text) and ``downloads`` (``clip_id``, ``path``, ``size``, ``skipped``)."""
    downloads = [
        {"clip_id": d.clip_id, "path": d.path, "size": d.size, "skipped": d.skipped}
        for d in ctx.downloads
    ]
    return {"files": [str(path) for path in files], "downloads": downloads}


def usage(client: BaseClient) -> dict[str, Any]:
    """``credits_spent``, ``credits_uncertain`` and ``requests_made`` of ``client``."""
    return {
        "credits_spent": client.credits_spent,
        "credits_uncertain": client.credits_uncertain,
        "requests_made": client.stats.requests,
    }


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(callable(isatty) and isatty())


def _report(exc: BaseException, args: argparse.Namespace, opts: Options, ctx: Context) -> int:
    code = exit_code_for(exc)
    message = "interrupted." if isinstance(exc, KeyboardInterrupt) else str(exc)
    if isinstance(exc, SunoError):
        message = cli_terms(message, args.command_parser)
    hint = ctx.resume_hint(exc) or hint_for(
        exc, command=args.command, key_env=opts.key_env, emulator=opts.emulator
    )
    secrets = opts.secrets()
    text = one_line(message or type(exc).__name__, secrets=secrets)
    hint = one_line(hint, secrets=secrets) if hint else None
    if opts.json:
        payload = error_object(exc, message=text, code=code, hint=hint)
        stderr_line(msgspec.json.encode(payload).decode())
    else:
        stderr_line(f"suno-async {args.command}: error: {text}" + (f" {hint}" if hint else ""))
    return code


#: A command's own check of its arguments (after the shared options were resolved).
Prepare = Callable[[argparse.Namespace, Options], None]
#: A command's work: runs inside the event loop, returns what to print.
Run = Callable[[argparse.Namespace, Options, Context], Awaitable[Outcome]]


def _execute(args: argparse.Namespace, run: Run) -> int:
    """Run a prepared client command; print its result (standard output) or its error (one
    line on standard error); return the exit code."""
    opts: Options = args.options
    display = make_display(
        json=opts.json,
        events=opts.events,
        quiet=opts.quiet,
        terminal=_is_terminal(sys.stderr),
        uploads=getattr(args, "clip_count", mountsea.MIN_TRAINING_CLIPS),
    )
    ctx = Context(display, args)
    try:
        with display, forward_warnings(display):
            outcome = anyio.run(run, args, opts, ctx)
    except BrokenPipeError:
        raise  # the reader went away: main() stops quietly
    except (SunoError, OSError, KeyboardInterrupt) as exc:
        return _report(exc, args, opts, ctx)
    if opts.json:
        print(msgspec.json.encode(outcome.data).decode(), flush=True)
    else:
        for line in outcome.lines:
            print(line, flush=True)
    return EXIT_OK


def client_handler(run: Run, prepare: Prepare | None = None) -> Handler:
    """The handler of a client command: resolve the shared options, ``prepare``, ``run``."""

    def check(args: argparse.Namespace) -> None:
        args.options = opts = resolve_options(args)
        if prepare is not None:
            prepare(args, opts)

    return Handler(check=check, execute=lambda args: _execute(args, run))
