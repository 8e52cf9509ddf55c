"""The argument parser of the ``suno-async`` command, and the options its client commands share.

:class:`Parser` is ``argparse.ArgumentParser`` with one change: :meth:`Parser.error` raises a
:class:`UsageError` (the message and the parser's usage) instead of printing and exiting, so
the command line decides how a usage error is shown: argparse's two lines, or with ``--json``
one JSON object (:func:`report_usage_error`). Subcommand parsers are :class:`Parser` too.

The shared options are accepted both before the command (``suno-async --emulator generate``)
and after it (``suno-async generate --emulator``); given twice, the one after the command wins.
Before the command they are stored under ``global_<name>``, after it under ``<name>``, and
both default to "absent" (``argparse.SUPPRESS``), so :func:`shared_option` can tell what was
given where. Each value is converted by :mod:`suno_async.cli._convert`; combinations are
checked when the command is prepared (:mod:`suno_async.cli._run`).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Callable
from typing import Any, Final, NoReturn

import msgspec

from suno_async.cli import _convert
from suno_async.cli._exit import EXIT_USAGE
from suno_async.mountsea import _constants as mountsea
from suno_async.sunoapi import _constants as sunoapi

__all__ = [
    "DEFAULT_EMULATOR_SPEED",
    "DEFAULT_PROVIDER",
    "GLOBAL_PREFIX",
    "PROVIDERS",
    "SHARED_OPTIONS",
    "Commands",
    "Handler",
    "Parser",
    "UsageError",
    "add_command",
    "add_shared_options",
    "cli_terms",
    "report_usage_error",
    "shared_option",
    "short_usage",
]

#: Where options given before the command are stored: ``global_<name>``.
GLOBAL_PREFIX: Final = "global_"
#: The speed-up of the embedded emulator when ``--emulator`` is given without ``--speed``.
DEFAULT_EMULATOR_SPEED: Final = 60.0
#: The values of ``--provider``; the first is the default.
PROVIDERS: Final = ("mountsea", "sunoapi")
DEFAULT_PROVIDER: Final = PROVIDERS[0]
#: Every shared option's ``dest`` (without the prefix).
SHARED_OPTIONS: Final = (
    "base_url",
    "api_key",
    "provider",
    "emulator",
    "speed",
    "emulator_api_key",
    "emulator_credits",
    "timeout",
    "max_credits",
    "json",
    "events",
    "quiet",
)

_ABSENT: Final = object()


def short_usage(parser: argparse.ArgumentParser) -> str:
    """The usage line without the options: ``usage: suno-async train [options] [URL ...]``
    (``--help`` lists them; a usage error should not bury its message under 25 lines)."""
    positionals = [
        action
        for action in parser._actions
        if not action.option_strings and action.help is not argparse.SUPPRESS
    ]
    formatter = parser._get_formatter()
    formatter.add_usage(None, positionals, [])
    head = f"usage: {parser.prog}"
    text = " ".join(formatter.format_help().split())
    return f"{head} [options]{text[len(head) :]}\n"


class UsageError(Exception):
    """A wrong command line: an unknown option, a bad value, a bad combination, an unreadable
    input file. Exit 2; nothing was sent.

    ``message`` is argparse's message (``argument --speed: must be a number above 0, got
    '0'``); ``usage`` (a :func:`short_usage` line) and ``prog`` are those of the parser it
    concerns, or ``None`` when the error was raised outside a parser (the command line fills
    them in, :meth:`of`).
    """

    def __init__(self, message: str, *, usage: str | None = None, prog: str | None = None):
        super().__init__(message)
        self.message = message
        self.usage = usage
        self.prog = prog

    def of(self, parser: argparse.ArgumentParser) -> UsageError:
        """This error, with ``parser``'s usage and name unless it has its own."""
        if self.usage is not None:
            return self
        error = UsageError(self.message, usage=short_usage(parser), prog=parser.prog)
        error.__cause__ = self.__cause__
        return error

    def text(self) -> str:
        """Three lines: the short usage, ``PROG: error: MESSAGE``, and where to read more
        (``PROG --help``)."""
        prog = self.prog or "suno-async"
        return (
            f"{self.usage or ''}{prog}: error: {self.message}\n"
            f"Run '{prog} --help' for its options and examples.\n"
        )

    def json(self) -> dict[str, object]:
        """The ``--json`` form, shaped like every other error: ``error``, ``type``,
        ``exit_code``."""
        return {"error": self.message, "type": "UsageError", "exit_code": EXIT_USAGE}


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose :meth:`error` raises :class:`UsageError`.

    ``--help`` and ``--version`` still print and leave through ``SystemExit(0)``.
    """

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, usage=short_usage(self), prog=self.prog)


def report_usage_error(error: UsageError, *, json: bool) -> None:
    """Write ``error`` to standard error: argparse's usage and error line, or with ``json`` one
    JSON object."""
    if json:
        print(msgspec.json.encode(error.json()).decode(), file=sys.stderr, flush=True)
    else:
        sys.stderr.write(error.text())
        sys.stderr.flush()


@dataclasses.dataclass(frozen=True)
class Handler:
    """What a command does with its parsed arguments (stored on them as ``handler``).

    ``check`` runs before anything happens: it raises :class:`UsageError` for a wrong command
    line and stores what it resolved or read on the arguments. ``execute`` runs the checked
    command and returns the exit code. ``client`` says whether the command takes the shared
    options.
    """

    check: Callable[[argparse.Namespace], None]
    execute: Callable[[argparse.Namespace], int]
    client: bool = True


Commands = argparse._SubParsersAction  # the type of ``add_subparsers()``'s result


def add_command(
    commands: Commands[Parser],
    name: str,
    *,
    handler: Handler,
    summary: str,
    description: str,
    epilog: str | None = None,
    **kwargs: Any,
) -> Parser:
    """Add command ``name``: its parser (with the ``--help`` text given), ``handler`` and
    ``command_parser`` (itself, for errors found later) as defaults."""
    if epilog is not None:
        epilog += "\n\nExit codes and environment variables: suno-async --help."
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )
    parser.set_defaults(handler=handler, command_parser=parser)
    return parser


def shared_option(args: argparse.Namespace, name: str, default: object = None) -> object:
    """The value of shared option ``name``: given after the command, else before it, else
    ``default``."""
    value = getattr(args, name, _ABSENT)
    if value is _ABSENT:
        value = getattr(args, GLOBAL_PREFIX + name, _ABSENT)
    return default if value is _ABSENT else value


def add_shared_options(
    parser: argparse.ArgumentParser,
    *,
    prefix: str = "",
    connection: bool = True,
    provider: bool = False,
) -> None:
    """Add the shared options to ``parser``, stored as ``<prefix><name>``, absent by default.

    ``connection=False`` leaves out the ones about the API (for ``download``, which needs no
    key); ``provider`` adds ``--provider`` (the top level and ``pure-music``, where it
    matters).
    """
    absent = argparse.SUPPRESS
    if connection:
        api = parser.add_argument_group(
            "connection (before or after the command)",
            f"The key comes from {mountsea.API_KEY_ENV} ({sunoapi.API_KEY_ENV} for --provider "
            f"sunoapi),\nthe base URL from {mountsea.BASE_URL_ENV} ({sunoapi.BASE_URL_ENV}), "
            "unless given here.",
        )
        api.add_argument(
            "--base-url",
            dest=prefix + "base_url",
            default=absent,
            metavar="URL",
            help=f"the API's base URL (default: ${mountsea.BASE_URL_ENV}, else "
            f"{mountsea.DEFAULT_BASE_URL}; for sunoapi ${sunoapi.BASE_URL_ENV})",
        )
        api.add_argument(
            "--api-key",
            dest=prefix + "api_key",
            default=absent,
            metavar="KEY",
            help=f"the API key; prefer ${mountsea.API_KEY_ENV} (${sunoapi.API_KEY_ENV}): a key "
            "on the command line is visible to other users (ps) and stays in the shell's history",
        )
        if provider:
            api.add_argument(
                "--provider",
                dest=prefix + "provider",
                default=absent,
                choices=PROVIDERS,
                help="which API: mountsea (default) or sunoapi (pure-music, credits, lyrics, "
                "stems, create)",
            )
        api.add_argument(
            "--emulator",
            dest=prefix + "emulator",
            action="store_true",
            default=absent,
            help="start a fresh embedded emulator in this process and use it: offline, no key, "
            "no credits. Each command gets its own, gone when it ends with all it made; to keep "
            "one across commands (train, then generate with the model), run 'suno-async "
            "emulator' and paste the export lines it prints",
        )
        api.add_argument(
            "--speed",
            dest=prefix + "speed",
            type=_convert.positive_float,
            default=absent,
            metavar="FACTOR",
            help=f"with --emulator, how much faster than real time it runs (default "
            f"{DEFAULT_EMULATOR_SPEED:g}); without, the speed of a loopback emulator you "
            "started with 'suno-async emulator --speed FACTOR', so waits match it (default "
            "$SUNO_ASYNC_SPEED, which its export lines set)",
        )
        api.add_argument(
            "--emulator-api-key",
            dest=prefix + "emulator_api_key",
            default=absent,
            metavar="KEY",
            help="with --emulator, accept only this key (to see what a wrong key does)",
        )
        api.add_argument(
            "--emulator-credits",
            dest=prefix + "emulator_credits",
            type=_convert.count,
            default=absent,
            metavar="N",
            help="with --emulator, the accounts' starting credits (to see what running out does)",
        )
        api.add_argument(
            "--timeout",
            dest=prefix + "timeout",
            type=_convert.positive_float,
            default=absent,
            metavar="SECONDS",
            help="give up waiting for a task after SECONDS (exit 7; the task may still "
            "finish). Default: 10 min for uploads and generations, 15 min for a training; "
            "for train it bounds the whole run. Seconds of the emulator's clock with --speed",
        )
        api.add_argument(
            "--max-credits",
            dest=prefix + "max_credits",
            type=_convert.positive_int,
            default=absent,
            metavar="N",
            help="refuse (exit 4, before sending) a call whose known cost would take this run "
            f"past N credits: mountsea's create {mountsea.CREATE_CUSTOM_MODEL_COST} and generate "
            f"{mountsea.GENERATE_COST}, a sunoapi call {sunoapi.CALL_COST}",
        )
    out = parser.add_argument_group("output (before or after the command)")
    out.add_argument(
        "--json",
        dest=prefix + "json",
        action="store_true",
        default=absent,
        help="print the result as one JSON object on standard output (errors as one JSON "
        "object on standard error)",
    )
    out.add_argument(
        "--events",
        dest=prefix + "events",
        action="store_true",
        default=absent,
        help="with --json, also write every progress event as one JSON line on standard error",
    )
    out.add_argument(
        "--quiet",
        "-q",
        dest=prefix + "quiet",
        action="store_true",
        default=absent,
        help="show no progress and no warnings; the result and errors are still printed",
    )


#: Library phrases that name a Python argument the command line has no option for.
_LIBRARY_PHRASES = (
    (
        "Use https, or pass allow_insecure_http=True if you really mean it.",
        "Use https (the command line sends a key over plain http only to a loopback address).",
    ),
    ("the client's extra_models option", "--allow-model MODEL"),
)
_IDENTIFIER = re.compile(r"(?<![\w'-])[a-z]+(?:_[a-z]+)+\b")


def cli_terms(message: str, parser: argparse.ArgumentParser | None) -> str:
    """A library message (written for Python callers) in the command line's words: each
    snake_case parameter that one of ``parser``'s options sets is named as that option
    (``clip_id`` as ``--clip-id``, ``gpt_description_prompt`` as ``--description``), and
    advice about Python-only arguments is replaced."""
    for old, new in _LIBRARY_PHRASES:
        message = message.replace(old, new)
    if parser is None:
        return message
    flags: dict[str, str] = {}
    for action in parser._actions:
        long = [option for option in action.option_strings if option.startswith("--")]
        if long:
            flags.setdefault(action.dest.removeprefix(GLOBAL_PREFIX), long[0])
    message = _IDENTIFIER.sub(lambda match: flags.get(match.group(0), match.group(0)), message)
    return re.sub(r"(--[a-z][a-z-]*)=True\b", r"\1", message)  # a flag takes no value
