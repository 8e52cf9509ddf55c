"""``suno-async worker --temporal ADDRESS``: one worker of a fleet that runs train/generate jobs
as Temporal workflows (the ``suno_async[temporal]`` extra; see :mod:`suno_async.temporal`).

The worker polls the task queue (``--task-queue``, default ``suno``) and its downloads queue
next to it, with one mountsea client made from the usual options (the key from
``MOUNTSEA_API_KEY``, ``--base-url``; ``--emulator`` runs it on a fresh embedded emulator, to
try the fleet offline) and one credit ledger (``--ledger``: a ``.db``/``.sqlite`` path is a
:class:`~suno_async.ledger.SqliteLedger` shared by the processes of one machine, a
``postgresql://`` URL a :class:`~suno_async.ledger.PostgresLedger` shared by a fleet; without
it, a :class:`~suno_async.ledger.MemoryLedger` of this process only, with a warning). It runs
until Ctrl-C (exit 130) or SIGTERM (exit 0), after a clean shutdown of the workers, the client
and the ledger.

When it is ready it prints a few ``name  value`` lines on standard output (``--json``: one
object with ``"status": "ready"``). Without the extra the command says how to install it and
exits 2. The API key is never printed.
"""

from __future__ import annotations

import argparse
import importlib
import signal
from collections.abc import Awaitable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

import anyio
import msgspec

from suno_async._core._exceptions import ConfigError, SunoError
from suno_async.cli import _convert
from suno_async.cli._exit import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    error_object,
    exit_code_for,
    hint_for,
    one_line,
)
from suno_async.cli._parser import (
    DEFAULT_EMULATOR_SPEED,
    Commands,
    Handler,
    Parser,
    UsageError,
    add_command,
    add_shared_options,
    cli_terms,
    shared_option,
)
from suno_async.cli._progress import stderr_line
from suno_async.cli._run import Options, connect, resolve_options, table

if TYPE_CHECKING:
    from suno_async.ledger import CreditLedger

__all__ = [
    "DEFAULT_TASK_QUEUE",
    "TEMPORAL_MISSING",
    "add_commands",
    "ledger_kind",
    "load_temporal",
    "report_error",
]

#: The task queue of ``worker`` and ``batch run --temporal`` unless ``--task-queue`` names one.
DEFAULT_TASK_QUEUE: Final = "suno"
#: What to install when the Temporal SDK is missing.
TEMPORAL_MISSING: Final = (
    "the Temporal SDK is not installed ({error}): pip install 'suno_async[temporal]'"
)
_SQLITE_SUFFIXES: Final = (".db", ".sqlite", ".sqlite3")
_POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")


def load_temporal() -> ModuleType:
    """:mod:`suno_async.temporal`, imported now (it needs the ``temporal`` extra).

    Raises:
        ConfigError: the Temporal SDK is not installed (the message says how to install it).
    """
    try:
        return importlib.import_module("suno_async.temporal")
    except ImportError as exc:
        raise ConfigError(TEMPORAL_MISSING.format(error=exc), argument="temporal") from None


def ledger_kind(value: str | None) -> str:
    """``memory`` (no ``--ledger``), ``postgres`` (a ``postgresql://`` URL) or ``sqlite`` (a
    path ending ``.db``, ``.sqlite`` or ``.sqlite3``).

    Raises:
        UsageError: anything else.
    """
    if value is None:
        return "memory"
    if value.startswith(_POSTGRES_SCHEMES):
        return "postgres"
    if Path(value).suffix.lower() in _SQLITE_SUFFIXES and value.strip():
        return "sqlite"
    raise UsageError(
        f"argument --ledger: a path ending {', '.join(_SQLITE_SUFFIXES)} (SQLite: the "
        "processes of one machine) or a postgresql:// URL (PostgreSQL: a fleet), got "
        f"{value!r}"
    )


def report_error(
    exc: BaseException, args: argparse.Namespace, opts: Options, *, command: str
) -> int:
    """Write ``exc`` as one line on standard error (``--json``: one object); return its exit
    code. The keys the run may know are hidden."""
    code = exit_code_for(exc)
    message = str(exc)
    if isinstance(exc, SunoError):
        message = cli_terms(message, args.command_parser)
    hint = hint_for(exc, command=command, key_env=opts.key_env, emulator=opts.emulator)
    secrets = opts.secrets()
    text = one_line(message or type(exc).__name__, secrets=secrets)
    if opts.json:
        stderr_line(
            msgspec.json.encode(error_object(exc, message=text, code=code, hint=hint)).decode()
        )
    else:
        stderr_line(f"suno-async {command}: error: {text}" + (f" {hint}" if hint else ""))
    return code


# -- checking ------------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> None:
    for name, why in (
        ("timeout", "a job's workflow has its own timeouts"),
        ("events", "a worker has no progress events; its log goes to standard error"),
    ):
        if shared_option(args, name) is not None:
            raise UsageError(f"--{name} is not an option of worker: {why}")
    args.options = resolve_options(args)
    args.ledger_kind = ledger_kind(args.ledger)
    if not args.temporal.strip():
        raise UsageError("argument --temporal: the Temporal server's address (host:port)")
    if not args.task_queue.strip():
        raise UsageError("argument --task-queue: a task queue name")


# -- running -------------------------------------------------------------------------------------


async def _open_ledger(args: argparse.Namespace) -> CreditLedger:
    from suno_async.ledger import MemoryLedger, PostgresLedger, SqliteLedger

    limit: int | None = args.ledger_limit
    if args.ledger_kind == "sqlite":
        return SqliteLedger(args.ledger, limit=limit)
    if args.ledger_kind == "postgres":
        return await PostgresLedger.connect(args.ledger, limit=limit)
    return MemoryLedger(limit)


def _ledger_text(args: argparse.Namespace, ledger: CreditLedger) -> str:
    limit = getattr(ledger, "limit", None)
    budget = "no budget" if limit is None else f"budget {limit} credits"
    if args.ledger_kind == "sqlite":
        return f"SQLite {args.ledger} ({budget}, shared by this machine's workers)"
    if args.ledger_kind == "postgres":
        return f"PostgreSQL ({budget}, shared by the fleet)"
    return f"memory ({budget}, this process only)"


def _ready(
    args: argparse.Namespace, opts: Options, ledger: CreditLedger, base_url: str, emulated: bool
) -> None:
    temporal = args.temporal_module
    downloads = temporal.downloads_queue(args.task_queue)
    if args.ledger_kind == "memory" and not opts.quiet:
        stderr_line(
            "suno-async worker: warning: no --ledger: the credit ledger is in this process's "
            "memory, so its budget is this process's only (other workers neither see nor share "
            "it). For a fleet: --ledger postgresql://...; on one machine: --ledger ledger.db."
        )
    speed = opts.speed
    data: dict[str, Any] = {
        "command": "worker",
        "status": "ready",
        "temporal": args.temporal,
        "namespace": args.namespace,
        "task_queue": args.task_queue,
        "downloads_queue": downloads,
        "rate": args.rate,
        "ledger": args.ledger_kind,
        "ledger_limit": getattr(ledger, "limit", None),
        "base_url": base_url,
        "emulator": emulated,
        "speed": speed,
        "directory": args.directory,
    }
    if opts.json:
        print(msgspec.json.encode(data).decode(), flush=True)
        return
    provider = base_url
    if emulated:
        provider = (
            f"embedded emulator {base_url} (speed {speed:g}: submit with --speed {speed:g} "
            "so the jobs poll on its clock)"
        )
    rows: list[tuple[str, object]] = [
        ("worker", "ready (Ctrl-C stops it)"),
        ("temporal", f"{args.temporal} (namespace {args.namespace})"),
        ("task_queue", f"{args.task_queue} (downloads: {downloads})"),
        (
            "rate",
            "no limit" if args.rate is None else f"{args.rate:g} requests/s for the whole queue",
        ),
        ("ledger", _ledger_text(args, ledger)),
        ("provider", provider),
        ("directory", args.directory or "none (downloads are not kept)"),
    ]
    for line in table(rows):
        print(line, flush=True)


async def _stop_on_sigterm(scope: anyio.CancelScope, args: argparse.Namespace) -> None:
    """SIGTERM (a pod or a service manager stopping the worker): stop cleanly, as Ctrl-C
    does, and exit 0."""
    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        async for _ in signals:
            args.terminated = True
            scope.cancel()
            return


async def _serve(args: argparse.Namespace, opts: Options) -> None:
    from suno_async.mountsea._client import MountseaClient

    temporal = args.temporal_module
    async with connect(opts, MountseaClient) as (mountsea, emulator):
        ledger = await _open_ledger(args)
        try:
            try:
                client = await temporal.connect(args.temporal, namespace=args.namespace)
            except RuntimeError as exc:  # temporalio's "Failed client connect: ..."
                raise ConnectionError(f"cannot reach Temporal at {args.temporal}: {exc}") from None
            base_url = emulator.base_url if emulator is not None else str(mountsea.base_url)
            _ready(args, opts, ledger, base_url, emulator is not None)
            running: Awaitable[None] = temporal.run_worker(
                client,
                args.task_queue,
                mountsea=mountsea,
                ledger=ledger,
                rate=args.rate,
                directory=args.directory,
                namespace=args.namespace,
            )
            async with anyio.create_task_group() as group:
                group.start_soon(_stop_on_sigterm, group.cancel_scope, args)
                await running
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await ledger.aclose()


def _execute(args: argparse.Namespace) -> int:
    opts: Options = args.options
    try:
        args.temporal_module = load_temporal()
    except ConfigError as exc:
        return report_error(exc, args, opts, command="worker")
    try:
        anyio.run(_serve, args, opts)
    except KeyboardInterrupt:
        if not opts.quiet:
            stderr_line(
                "suno-async worker: interrupted: the worker stopped; its jobs carry on on the "
                "other workers of the queue (or when a worker starts again)."
            )
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise
    except (SunoError, OSError) as exc:
        return report_error(exc, args, opts, command="worker")
    if getattr(args, "terminated", False) and not opts.quiet:
        stderr_line("suno-async worker: stopped (SIGTERM).")
    return EXIT_OK


# -- the parser ----------------------------------------------------------------------------------


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``worker``."""
    worker = add_command(
        commands,
        "worker",
        handler=Handler(check=_check, execute=_execute),
        summary="run one worker of a fleet that runs jobs on Temporal (extra 'temporal')",
        description=f"""\
Run one worker of a fleet: it takes the train/generate jobs submitted to a Temporal server
(suno-async batch run FILE --temporal ADDRESS, or submit_batch from Python) from the task queue
and runs them with one mountsea client (the key from MOUNTSEA_API_KEY) and one credit ledger,
until Ctrl-C (exit 130) or SIGTERM (exit 0). Run as many as you like, on as many machines:
each job runs once, its paid requests are reserved in the shared ledger before they are sent
(a budget the fleet cannot pass), and --rate is the provider's rate for the whole queue. A
worker that dies loses at most the step it was on; another worker carries the job on.

--ledger: a path ending .db or .sqlite is an SQLite ledger for the workers of one machine, a
postgresql:// URL a PostgreSQL ledger for a fleet (pip install 'suno_async[postgres]');
without it the ledger is this process's memory only. Needs the Temporal SDK: pip install
'suno_async[temporal]'. --emulator runs the worker on a fresh embedded emulator (offline; the
jobs must be submitted with --speed equal to its speed, default {DEFAULT_EMULATOR_SPEED:g}).""",
        epilog="""\
examples:
  temporal server start-dev &                         # a local Temporal server (localhost:7233)
  suno-async worker --temporal localhost:7233 --emulator --speed 60 --directory songs/
  suno-async worker --temporal temporal.internal:7233 --rate 5 \\
      --ledger postgresql://suno@db/suno --ledger-limit 50000 --directory /data/songs""",
    )
    worker.add_argument(
        "--temporal",
        required=True,
        metavar="ADDRESS",
        help="the Temporal server's address, host:port (localhost:7233 for a dev server)",
    )
    worker.add_argument(
        "--task-queue",
        default=DEFAULT_TASK_QUEUE,
        metavar="NAME",
        help="the task queue to take jobs from (default %(default)s; downloads use NAME-downloads)",
    )
    worker.add_argument(
        "--namespace", default="default", help="the Temporal namespace (default %(default)s)"
    )
    worker.add_argument(
        "--rate",
        type=_convert.positive_float,
        metavar="R",
        help="the provider's rate: at most R requests a second for the whole task queue, "
        "every worker together (default: no limit)",
    )
    worker.add_argument(
        "--ledger",
        metavar="PATH_OR_DSN",
        help="the credit ledger: a .db/.sqlite path (this machine's workers) or a "
        "postgresql:// URL (a fleet); default: this process's memory",
    )
    worker.add_argument(
        "--ledger-limit",
        type=_convert.count,
        metavar="N",
        help="the ledger's budget in credits, stored by the first worker that opens it (a "
        "later worker with another value is refused)",
    )
    worker.add_argument(
        "--directory",
        metavar="DIR",
        help="where the jobs' audio is downloaded (DIR/<job key>/), for jobs submitted with "
        "--download (default: not kept)",
    )
    add_shared_options(worker)
