"""The ``suno-async`` command's entry point: the top-level parser, :func:`parse` and
:func:`main`.

A run has two phases. :func:`parse` parses the command line and has the command check it
(:class:`~suno_async.cli._parser.Handler`); any problem there is a usage error, shown as
argparse shows it (or as one JSON object with ``--json``) and leaving through
``SystemExit(2)``, before anything is sent. Then the command's handler runs and returns the
exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Final

from suno_async._version import __version__
from suno_async.cli import (
    _batch,
    _demo,
    _emulator,
    _generate,
    _mountsea_tools,
    _sunoapi_v1,
    _tasks,
    _train,
    _worker,
)
from suno_async.cli._exit import EXIT_CODES_HELP, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE
from suno_async.cli._parser import (
    GLOBAL_PREFIX,
    Handler,
    Parser,
    UsageError,
    add_shared_options,
    report_usage_error,
)
from suno_async.mountsea._constants import API_KEY_ENV as MOUNTSEA_API_KEY_ENV
from suno_async.mountsea._constants import BASE_URL_ENV as MOUNTSEA_BASE_URL_ENV
from suno_async.mountsea._constants import DEFAULT_BASE_URL as MOUNTSEA_DEFAULT_BASE_URL
from suno_async.sunoapi._constants import API_KEY_ENV as SUNOAPI_API_KEY_ENV
from suno_async.sunoapi._constants import BASE_URL_ENV as SUNOAPI_BASE_URL_ENV
from suno_async.sunoapi._constants import DEFAULT_BASE_URL as SUNOAPI_DEFAULT_BASE_URL

__all__ = ["build_parser", "main", "parse"]

TOP_DESCRIPTION: Final = f"""\
Train custom models, generate songs and download them, against a Suno-style music API
(mountsea, key in {MOUNTSEA_API_KEY_ENV}; pure-music, credits, lyrics, stems and create on
sunoapi, key in {SUNOAPI_API_KEY_ENV})
or, with --emulator, against the embedded emulator: offline, no key, no credits.
"""

TOP_EPILOG: Final = f"""\
try it offline (no key needed):
  suno-async --emulator train --name "My Model"      # on the emulator's six sample tracks
  suno-async --emulator generate --tags "pop, upbeat" --prompt "[Verse] ..." --output songs/
  suno-async --emulator pure-music "lofi, chill" --title "Night Drive" --output songs/
  suno-async demo                                    # all of it, end to end
  (each --emulator command starts a fresh emulator; to keep one across commands, run
  "suno-async emulator" in another terminal and paste the export lines it prints)

against the service:
  export {MOUNTSEA_API_KEY_ENV}=...  # prefer this to --api-key, which others can see in ps
  suno-async train --name "My Model" --urls-file tracks.txt --journal train.json
  suno-async generate --model chirp-custom:UUID --prompt-file lyrics.txt --tags pop \\
      --output songs/
  TASK=$(suno-async generate --no-wait --tags "lofi" --instrumental)
  suno-async wait "$TASK" --output songs/
  suno-async batch run songs.csv --out songs/        # thousands of rows, resumable

The shared options (--emulator, --json, --timeout, ...) go before or after the command.
"suno-async COMMAND --help" shows each command's options, with examples.

environment:
  {MOUNTSEA_API_KEY_ENV}, {MOUNTSEA_BASE_URL_ENV}
      mountsea's key and base URL (default {MOUNTSEA_DEFAULT_BASE_URL})
  {SUNOAPI_API_KEY_ENV}, {SUNOAPI_BASE_URL_ENV}
      sunoapi's key and base URL, for pure-music --provider sunoapi
      (default {SUNOAPI_DEFAULT_BASE_URL})
  SUNO_ASYNC_SPEED
      the default of --speed for an emulator on loopback ("suno-async emulator" prints it)
  SUNO_ASYNC_LOG
      debug or info: the library's log records on standard error

output:
  The result goes to standard output: a few "name  value" lines, or with --json one JSON
  object. Progress goes to standard error: live bars on a terminal (they need the "cli"
  extra: pip install "suno_async[cli]"), one line per step otherwise, nothing with --quiet;
  with --json --events, one JSON object per event. An error is one line on standard error
  (with --json a JSON object with "error", "type" and "exit_code"). The API key is never
  printed.

{EXIT_CODES_HELP}"""


def build_parser() -> Parser:
    """The parser of the whole command line: the shared options and every command."""
    parser = Parser(
        prog="suno-async",
        description=TOP_DESCRIPTION,
        epilog=TOP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_shared_options(parser, prefix=GLOBAL_PREFIX, provider=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _demo.add_commands(commands)
    _emulator.add_commands(commands)
    _train.add_commands(commands)
    _generate.add_commands(commands)
    _tasks.add_commands(commands)
    _sunoapi_v1.add_commands(commands)
    _mountsea_tools.add_commands(commands)
    _batch.add_commands(commands)
    _worker.add_commands(commands)
    return parser


def _parse(arguments: Sequence[str]) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(arguments)
    handler: Handler = args.handler
    if not handler.client:
        shared = sorted(name for name in vars(args) if name.startswith(GLOBAL_PREFIX))
        if shared:
            option = "--" + shared[0][len(GLOBAL_PREFIX) :].replace("_", "-")
            parser.error(f"{option} is an option of the client commands, not of {args.command}")
    try:
        handler.check(args)
    except UsageError as exc:
        raise exc.of(args.command_parser) from None
    return args


def parse(arguments: Sequence[str]) -> argparse.Namespace:
    """Parse and check the command line ``arguments`` (without the program name).

    Returns the arguments, with what the command's check resolved (``handler`` runs the
    command). A usage error is written to standard error (with ``--json`` among the
    arguments, as one JSON object: ``error``, ``type`` "UsageError", ``exit_code`` 2) and
    leaves through ``SystemExit(2)``; ``--help`` and ``--version`` leave through
    ``SystemExit(0)``, as argparse does.
    """
    try:
        return _parse(arguments)
    except UsageError as exc:
        report_usage_error(exc, json="--json" in arguments)
        raise SystemExit(EXIT_USAGE) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code (the table ends ``--help``).

    Usage errors and ``--help`` leave through ``SystemExit``, as argparse does (exit code 2 and
    0; see :func:`parse`). When the reader of the output goes away (``suno-async ... |
    head``), the command stops quietly with exit 1.
    """
    try:
        args = parse(list(sys.argv[1:] if argv is None else argv))
        handler: Handler = args.handler
        return handler.execute(args)
    except KeyboardInterrupt:  # before a command ran (say, reading --prompt-file -)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Python's advice: point stdout at devnull, so the interpreter's last flush at exit
        # does not fail again.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
