"""The ``suno-async`` command (also ``python -m suno_async``).

Commands: ``train``, ``generate``, ``pure-music``, ``status``, ``wait`` and ``download`` talk to
the API (a real provider with ``SUNO_API_KEY``, or the embedded emulator with ``--emulator``);
``demo`` runs the whole workflow on the emulator; ``emulator`` serves the emulator. ``--help``
on each teaches it, with examples. The client commands live in :mod:`suno_async._cli_parser`
(arguments), :mod:`suno_async._cli_commands` (running), :mod:`suno_async._cli_progress`
(progress bars and lines) and :mod:`suno_async._cli_exit` (exit codes).

Exit codes (the same table ends ``suno-async --help``):

====  =========================================================================================
0     done
1     any other error: the API refused or failed after the automatic retries, a file could not
      be written, ...
2     bad input or usage: a wrong option, argument or file (``ConfigError``); nothing was sent
3     the API key was not accepted (``AuthenticationError``)
4     not enough credits (``InsufficientCreditsError``), or ``--max-credits`` would be passed
      (``CreditBudgetError``)
5     rate limited after the automatic retries (``RateLimitError``)
6     the task failed (``TaskFailedError``, ``ClipFailedError``, ``NotEnoughClipsError``)
7     timed out (``TaskTimeoutError``, ``APITimeoutError``)
8     a paid request may have been sent but its answer was lost (``AmbiguousSubmitError``):
      look for the work before running the command again
130   interrupted (Ctrl-C)
====  =========================================================================================

The API key is never printed: not in results, progress, errors or ``--json`` output.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from suno_async._cli_commands import execute, json_usage_errors, prepare
from suno_async._cli_exit import EXIT_ERROR, EXIT_INTERRUPTED
from suno_async._cli_parser import (
    CLIENT_COMMANDS,
    GLOBAL_PREFIX,
    TOP_DESCRIPTION,
    TOP_EPILOG,
    add_client_commands,
    add_shared_options,
)
from suno_async._cli_progress import make_display
from suno_async._version import __version__

if TYPE_CHECKING:
    from suno_async.emulator import EmulatorConfig

__all__ = ["main"]


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def _seconds(text: str) -> float:
    value = _number(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, got {text!r}")
    return value


def _probability(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be a probability from 0 to 1, got {text!r}")
    return value


class _TaskScriptAction(argparse.Action):
    """``--fail-next KIND[:N]`` and friends: append a ``TaskScript`` to ``task_scripts``.

    All four flags share one list, so scripts of one kind are queued in command-line order
    (``--fail-next generate --timeout-next generate``: the first generate fails, the second
    times out).
    """

    def __init__(self, option_strings: list[str], dest: str, *, effect: str, **kwargs: Any):
        super().__init__(option_strings, dest, **kwargs)
        self.effect = effect

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from suno_async.emulator import TaskScript

        kind, colon, count = str(values).partition(":")
        times = 1
        if colon:
            if not count.isdigit() or int(count) < 1:
                raise argparse.ArgumentError(
                    self, f"N in KIND:N must be a whole number >= 1, got {values!r}"
                )
            times = int(count)
        try:
            script = TaskScript(kind, self.effect, times)  # type: ignore[arg-type]
        except ValueError as exc:
            raise argparse.ArgumentError(self, str(exc)) from None
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), script])


def _add_fault_options(emulator: argparse.ArgumentParser) -> None:
    """The emulator command's fault-injection options."""
    tasks = emulator.add_argument_group(
        "task faults",
        "Make the next tasks of one KIND go wrong: upload, training or generate (the "
        "custom-model provider) or music (one sunoapi.com create or extend call, both of its "
        "clips). KIND:N applies to the next N tasks of that kind (default 1). Each flag may be "
        "repeated; scripts of one kind are used in the order given.",
    )
    kinds: list[tuple[str, str, str]] = [
        (
            "--fail-next",
            "fail",
            "the tasks fail (credits refunded) with the default reason: 'Audio source not "
            "found.' (failCode 4001), or for music clips 'The lyrics were flagged.' "
            "(error_type moderation)",
        ),
        (
            "--timeout-next",
            "timeout",
            "the tasks time out (credits refunded): status timeout, or for music clips error "
            "with error_type timeout",
        ),
        ("--stall-next", "stall", "the tasks never finish: they stay running (music: queued)"),
        (
            "--unknown-status-next",
            "unknown_status",
            "the tasks report the undocumented status 'paused' while they would be pending, "
            "then go on as usual",
        ),
    ]
    for flag, effect, text in kinds:
        tasks.add_argument(
            flag,
            action=_TaskScriptAction,
            effect=effect,
            dest="task_scripts",
            metavar="KIND[:N]",
            help=text,
        )

    http = emulator.add_argument_group(
        "HTTP faults",
        "API routes are the paths under /suno/v2/ and /api/; the CDN (/cdn/) and the sample "
        "tracks (/samples/) are never touched by chaos, nor is the emulator's own fetch of "
        "upload audio. Chaos draws at most one fault per API request, so the three "
        "probabilities may add up to 1 at most.",
    )
    http.add_argument(
        "--slow",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="hold every API answer this many real (wall-clock) seconds after the work is "
        "done, like a slow network; the work itself happens at once (%(default)s)",
    )
    http.add_argument(
        "--slow-path",
        default=None,
        metavar="PATH",
        help="apply --slow only to answers to this path (any path, a CDN one too), e.g. "
        "/suno/v2/generate",
    )
    http.add_argument(
        "--chaos-429",
        type=_probability,
        default=None,
        metavar="P",
        help="chance that an API request is answered 429 with Retry-After before any work",
    )
    http.add_argument(
        "--chaos-5xx",
        type=_probability,
        default=None,
        metavar="P",
        help="chance that an API request is answered 500, 502 or 503 before any work",
    )
    http.add_argument(
        "--chaos-drop",
        type=_probability,
        default=None,
        metavar="P",
        help="chance that an API request's connection is dropped unanswered, each drop by a "
        "coin toss either before the work or after it (the task exists and is paid for, the "
        "answer is lost)",
    )
    http.add_argument(
        "--chaos-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed of the chaos generator, so a run can be repeated (default: a random seed, "
        "printed to stderr)",
    )
    http.add_argument(
        "--chaos-retry-after",
        default="0",
        metavar="VALUE",
        help="the Retry-After header of chaos 429s, sent as given (%(default)s)",
    )


def _emulator_config(args: argparse.Namespace) -> EmulatorConfig:
    """The emulator's configuration from the parsed ``emulator`` command line.

    Every option is checked on its own first, so an invalid value is reported by its name.
    Without ``--chaos-seed``, a random seed is drawn here, so it can be shown and reused.

    Exits through the emulator parser's ``error`` (status 2) on an invalid value.
    """
    from suno_async.emulator import Chaos, EmulatorConfig

    usage: argparse.ArgumentParser = args.emulator_parser
    if not 0 <= args.port <= 65535:
        usage.error(f"argument --port: must be 0-65535, got {args.port}")
    if args.slow_path is not None and not args.slow:
        usage.error("argument --slow-path: needs --slow SECONDS above 0")
    probabilities = {
        "rate_limit": args.chaos_429,
        "server_error": args.chaos_5xx,
        "drop": args.chaos_drop,
    }
    given = {name: p for name, p in probabilities.items() if p is not None}
    chaos: Chaos | None = None
    if given:
        seed = args.chaos_seed if args.chaos_seed is not None else secrets.randbelow(2**32)
        try:
            Chaos(retry_after=args.chaos_retry_after)
        except ValueError as exc:
            usage.error(f"argument --chaos-retry-after: {exc}")
        try:
            chaos = Chaos(**given, seed=seed, retry_after=args.chaos_retry_after)
        except ValueError as exc:
            usage.error(f"arguments --chaos-429, --chaos-5xx, --chaos-drop: {exc}")
    else:
        for option, value, default in (
            ("--chaos-seed", args.chaos_seed, None),
            ("--chaos-retry-after", args.chaos_retry_after, "0"),
        ):
            if value != default:
                usage.error(f"argument {option}: needs --chaos-429, --chaos-5xx or --chaos-drop")
    options: list[tuple[str, dict[str, Any]]] = [
        ("--speed", {"speed": args.speed}),
        ("--api-key", {"api_key": args.api_key}),
        ("--credits", {} if args.credits is None else {"credits": args.credits}),
        (
            "--sunoapi-credits",
            {} if args.sunoapi_credits is None else {"sunoapi_credits": args.sunoapi_credits},
        ),
        ("--slow", {"slow_seconds": args.slow}),
        ("--slow-path", {"slow_path": args.slow_path}),
    ]
    for option, fields in options:
        try:
            EmulatorConfig(**fields)
        except ValueError as exc:
            usage.error(f"argument {option}: {exc}")
    fields = {k: v for _, option_fields in options for k, v in option_fields.items()}
    return EmulatorConfig(
        **fields, chaos=chaos, task_scripts=tuple(getattr(args, "task_scripts", None) or ())
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="suno-async",
        description=TOP_DESCRIPTION,
        epilog=TOP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_shared_options(parser, prefix=GLOBAL_PREFIX, provider=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="train a custom model, generate songs and download them, all on the emulator",
        description="Starts the embedded emulator in-process, trains a custom model from six "
        "sample tracks, generates a song with it, makes a pure-music track on the second "
        "provider (sunoapi.com v3.5) and downloads the audio.",
    )
    demo.add_argument(
        "--output", type=Path, default=Path("suno-output"), help="where audio goes (%(default)s)"
    )
    demo.add_argument(
        "--speed",
        type=_positive_float,
        default=60.0,
        help="how much faster than the real service the emulator runs (%(default)s)",
    )

    emulator = commands.add_parser(
        "emulator",
        help="run the embedded emulator as a server",
        description="Serves the custom-model provider's Suno v2 API (under /suno/v2/) and "
        "sunoapi.com's v2 API (under /api/v2/suno/), with the CDN their audio comes from, on "
        "loopback until interrupted, and prints one line with its base URL. Any non-empty "
        "bearer key is accepted unless --api-key is given. Faults can be injected for testing "
        "a client: scripted task failures, slow answers and random (chaos) HTTP failures.",
    )
    emulator.set_defaults(emulator_parser=emulator)
    emulator.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (%(default)s). The emulator accepts any bearer key (unless "
        "--api-key is given) and fetches any URL it is given, so it must not be exposed beyond "
        "loopback",
    )
    emulator.add_argument(
        "--port", type=int, default=8080, help="port to bind, 0 for any free one (%(default)s)"
    )
    emulator.add_argument(
        "--speed", type=_positive_float, default=1.0, help="time speed-up factor (%(default)s)"
    )
    emulator.add_argument("--api-key", default=None, help="accept only this bearer key")
    emulator.add_argument(
        "--credits",
        type=int,
        default=None,
        help="starting credits of the custom-model provider's account",
    )
    emulator.add_argument(
        "--sunoapi-credits",
        type=int,
        default=None,
        help="starting credits of the sunoapi.com account",
    )
    _add_fault_options(emulator)
    add_client_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code (see the module docstring).

    Usage errors and ``--help`` leave through ``SystemExit``, as argparse does (exit code 2 and
    0); with ``--json`` a usage error is one JSON object on standard error. When the reader of
    the output goes away (``suno-async ... | head``), the command stops quietly with exit 1.
    """
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # before a command ran (say, reading --prompt-file -)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Python's advice: point stdout at devnull, so the interpreter's last flush at exit
        # does not fail again.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR


def _main(arguments: list[str]) -> int:
    parser = _parser()
    with json_usage_errors("--json" in arguments):
        args = parser.parse_args(arguments)
        if args.command in CLIENT_COMMANDS:
            options = prepare(args)
        else:
            shared = sorted(name for name in vars(args) if name.startswith(GLOBAL_PREFIX))
            if shared:
                option = "--" + shared[0][len(GLOBAL_PREFIX) :].replace("_", "-")
                parser.error(f"{option} is an option of the client commands, not of {args.command}")
    if args.command in CLIENT_COMMANDS:
        return execute(args, options)
    try:
        if args.command == "demo":
            from suno_async._demo import run_demo

            display = make_display(
                json=False,
                events=False,
                quiet=False,
                terminal=sys.stdout.isatty(),
                write=print,
                stderr=False,
            )
            with display:
                anyio.run(lambda: run_demo(output=args.output, speed=args.speed, display=display))
        elif args.command == "emulator":
            from suno_async.emulator import serve

            config = _emulator_config(args)
            listening = False

            def announce(base_url: str) -> None:
                nonlocal listening
                listening = True
                print(f"suno_async emulator listening on {base_url}", flush=True)
                chaos = config.chaos
                if chaos is not None and chaos.active and args.chaos_seed is None:
                    print(
                        f"suno_async emulator chaos seed {chaos.seed} "
                        f"(--chaos-seed {chaos.seed} repeats this run)",
                        file=sys.stderr,
                        flush=True,
                    )

            try:
                anyio.run(lambda: serve(config, host=args.host, port=args.port, on_ready=announce))
            except OSError as exc:
                if listening:
                    raise
                print(
                    f"suno-async emulator: error: cannot listen on {args.host}:{args.port}: {exc}",
                    file=sys.stderr,
                )
                return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
