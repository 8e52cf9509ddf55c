"""``suno-async emulator``: serve the embedded emulator (both providers' APIs and their CDN) on
loopback until interrupted, with optional fault injection and another reading of the docs
(``--reading NAME=VALUE``, repeatable; see :mod:`suno_async.emulator._readings`).

It prints its base URL on standard output (one line), then on standard error the ``export``
lines that point the command line (and the library) at it: both providers' base URL and key,
and ``SUNO_ASYNC_SPEED``, so the commands' waits keep to its clock. One emulator serves every
command given those lines, and keeps their tasks, models and credits until it is stopped.

:func:`emulator_config` turns the parsed command line into the
:class:`~suno_async.emulator.EmulatorConfig` given to :func:`~suno_async.emulator.serve`.
The emulator package is imported only when this command runs (or its flags are parsed).
"""

from __future__ import annotations

import argparse
import secrets
import shlex
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio

from suno_async._core._validation import is_loopback
from suno_async.cli import _convert
from suno_async.cli._exit import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK
from suno_async.cli._parser import Commands, Handler, Parser, UsageError, add_command
from suno_async.cli._run import SPEED_ENV
from suno_async.mountsea import _constants as mountsea
from suno_async.sunoapi import _constants as sunoapi

if TYPE_CHECKING:
    from suno_async.emulator import EmulatorConfig

__all__ = ["add_commands", "emulator_config", "export_lines"]

#: The key the export lines give when the emulator accepts any key.
_ANY_KEY = "emulator"
#: Addresses that listen on every interface, and the loopback address to reach them by.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}  # noqa: S104 - not a bind


def export_lines(base_url: str, *, api_key: str | None, speed: float) -> list[str]:
    """The shell lines that point the command line (and the library, which reads the same
    variables) at an emulator serving on ``base_url``: its URL and a key for both providers,
    and its speed as ``SUNO_ASYNC_SPEED``. A wildcard address becomes loopback."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    reach = _WILDCARDS.get(host)
    if reach is not None:
        base_url = f"{parts.scheme}://{reach}:{parts.port}"
    url, key = shlex.quote(base_url), shlex.quote(api_key or _ANY_KEY)
    return [
        f"export {mountsea.BASE_URL_ENV}={url} {mountsea.API_KEY_ENV}={key}",
        f"export {sunoapi.BASE_URL_ENV}={url} {sunoapi.API_KEY_ENV}={key}",
        f"export {SPEED_ENV}={speed:g}",
    ]


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
            try:
                times = _convert.positive_int(count)
            except argparse.ArgumentTypeError:
                raise argparse.ArgumentError(
                    self, f"N in KIND:N must be a whole number >= 1, got {values!r}"
                ) from None
        try:
            script = TaskScript(kind, self.effect, times)  # type: ignore[arg-type]
        except ValueError as exc:
            raise argparse.ArgumentError(self, str(exc)) from None
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), script])


def _reading(text: str) -> str:
    """One ``--reading`` value: ``NAME=VALUE``, ``odd`` or ``documented``, checked on its own."""
    from suno_async.emulator import readings_from

    try:
        readings_from([text])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _status_list(text: str) -> tuple[int, ...]:
    """A comma-separated list of HTTP statuses, e.g. ``500,501,502``."""
    items = [item.strip() for item in text.split(",")]
    if not all(item.isdigit() for item in items):
        raise argparse.ArgumentTypeError(
            f"must be HTTP statuses separated by commas, such as 500,501,503, got {text!r}"
        )
    return tuple(int(item) for item in items)


def _add_reading_options(emulator: argparse.ArgumentParser) -> None:
    """The emulator command's ``--reading`` option (the help is written out here so that the
    parser is built without importing the emulator)."""
    readings = emulator.add_argument_group(
        "readings of the docs",
        "Where the providers' docs leave room, answer as another server might; the default is "
        "the documented reading. NAME=VALUE, repeatable, later settings winning: "
        "status_case=lower|upper|title (letter case of every status); "
        "numeric_ids=false|true (task, session and sunoapi clip ids as JSON numbers); "
        "numeric_fail_codes=true|false (mountsea failCode a number or a string); "
        "unknown_task_status=404|400 (a status lookup of an unknown task id); "
        "session_before_create=unknown|ready (a prepared session's status before create); "
        "created_status=none|200|201 (every successful POST; none: mountsea 201, sunoapi 200); "
        "generic_content_type=none|TYPE (the CDN's audio Content-Type, e.g. "
        "application/octet-stream or text/plain). 'odd' sets every one to a variant at once, "
        "'documented' back to the defaults.",
    )
    readings.add_argument(
        "--reading",
        action="append",
        type=_reading,
        default=None,
        dest="readings",
        metavar="NAME=VALUE",
        help="read one open point of the docs another way, e.g. --reading status_case=upper",
    )


def _add_fault_options(emulator: argparse.ArgumentParser) -> None:
    """The emulator command's fault-injection options."""
    tasks = emulator.add_argument_group(
        "task faults",
        "Make the next tasks of one KIND go wrong: upload, training or generate (mountsea) or "
        "music (one sunoapi create or extend call, both of its clips). KIND:N applies to the "
        "next N tasks of that kind (default 1). Each flag may be repeated; scripts of one kind "
        "are used in the order given.",
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
        type=_convert.seconds,
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
        type=_convert.probability,
        default=None,
        metavar="P",
        help="chance that an API request is answered 429 with Retry-After before any work",
    )
    http.add_argument(
        "--chaos-5xx",
        type=_convert.probability,
        default=None,
        metavar="P",
        help="chance that an API request is answered 5xx: before any work 500, 502, 503 "
        "(with or without Retry-After) or 504, or, see --chaos-5xx-after, after the work "
        "500, 502 or 504",
    )
    http.add_argument(
        "--chaos-5xx-after",
        type=_convert.probability,
        default=None,
        metavar="SHARE",
        help="share (0-1) of chaos 5xx answered after the work was done: the task exists and "
        "is paid for, then the 5xx comes (default 0: every 5xx before any work)",
    )
    http.add_argument(
        "--chaos-5xx-before",
        type=_status_list,
        default=None,
        metavar="STATUSES",
        help="the statuses of chaos 5xx before the work, comma-separated, each as likely "
        "(default 500,502,503,504; add 501 to have it too)",
    )
    http.add_argument(
        "--chaos-drop",
        type=_convert.probability,
        default=None,
        metavar="P",
        help="chance that an API request's connection is dropped unanswered, each drop by a "
        "coin toss either before the work or after it (the task exists and is paid for, the "
        "answer is lost)",
    )
    http.add_argument(
        "--chaos-seed",
        type=_convert.integer,
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


def emulator_config(args: argparse.Namespace) -> EmulatorConfig:
    """The emulator's configuration from the parsed ``emulator`` command line.

    Every option is checked on its own first, so an invalid value is reported by its name.
    Without ``--chaos-seed``, a random seed is drawn here, so it can be shown and reused.

    Raises:
        UsageError: an invalid value or combination.
    """
    from suno_async.emulator import Chaos, EmulatorConfig, readings_from

    if args.slow_path is not None and not args.slow:
        raise UsageError("argument --slow-path: needs --slow SECONDS above 0")
    probabilities = {
        "rate_limit": args.chaos_429,
        "server_error": args.chaos_5xx,
        "drop": args.chaos_drop,
    }
    given = {name: p for name, p in probabilities.items() if p is not None}
    chaos: Chaos | None = None
    if given:
        seed = args.chaos_seed if args.chaos_seed is not None else secrets.randbelow(2**32)
        split: dict[str, Any] = {}
        for option, name, value in (
            ("--chaos-retry-after", "retry_after", args.chaos_retry_after),
            ("--chaos-5xx-after", "server_error_after", args.chaos_5xx_after),
            ("--chaos-5xx-before", "server_errors_before", args.chaos_5xx_before),
        ):
            if value is None and name != "retry_after":
                continue
            try:
                Chaos(**{name: value})
            except ValueError as exc:
                raise UsageError(f"argument {option}: {exc}") from None
            split[name] = value
        try:
            chaos = Chaos(**given, **split, seed=seed)
        except ValueError as exc:
            raise UsageError(f"arguments --chaos-429, --chaos-5xx, --chaos-drop: {exc}") from None
    else:
        for option, value, default in (
            ("--chaos-seed", args.chaos_seed, None),
            ("--chaos-retry-after", args.chaos_retry_after, "0"),
            ("--chaos-5xx-after", args.chaos_5xx_after, None),
            ("--chaos-5xx-before", args.chaos_5xx_before, None),
        ):
            if value != default:
                raise UsageError(
                    f"argument {option}: needs --chaos-429, --chaos-5xx or --chaos-drop"
                )
    options: list[tuple[str, dict[str, Any]]] = [
        ("--speed", {"speed": args.speed}),
        ("--audio-seconds", {"audio_seconds": args.audio_seconds}),
        *[
            (f"--{name.replace('_', '-')}", {name: getattr(args, name)})
            for name in ("upload_seconds", "training_seconds", "generate_seconds")
            if getattr(args, name) is not None
        ],
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
            raise UsageError(f"argument {option}: {exc}") from None
    fields = {k: v for _, option_fields in options for k, v in option_fields.items()}
    try:
        readings = readings_from(getattr(args, "readings", None) or ())
    except ValueError as exc:  # each was checked when parsed; this is a second line of defence
        raise UsageError(f"argument --reading: {exc}") from None
    return EmulatorConfig(
        **fields,
        chaos=chaos,
        task_scripts=tuple(getattr(args, "task_scripts", None) or ()),
        readings=readings,
    )


def _check(args: argparse.Namespace) -> None:
    args.emulator_config = emulator_config(args)


def _execute(args: argparse.Namespace) -> int:
    import suno_async.emulator as emulator_pkg  # serve() looked up now: tests replace it

    config: EmulatorConfig = args.emulator_config
    listening = False

    def announce(base_url: str) -> None:
        nonlocal listening
        listening = True
        print(f"suno_async emulator listening on {base_url}", flush=True)
        lines = export_lines(base_url, api_key=config.api_key, speed=config.speed)
        print(
            "Point the command line (or your code) at it: paste these in another terminal.\n"
            + "".join(f"  {line}\n" for line in lines)
            + "It keeps its tasks, models and credits until you stop it (Ctrl-C).",
            file=sys.stderr,
            flush=True,
        )
        if not config.readings.documented:
            print(
                f"suno_async emulator reading: {config.readings.describe()}",
                file=sys.stderr,
                flush=True,
            )
        chaos = config.chaos
        if chaos is not None and chaos.active and args.chaos_seed is None:
            print(
                f"suno_async emulator chaos seed {chaos.seed} "
                f"(--chaos-seed {chaos.seed} repeats this run)",
                file=sys.stderr,
                flush=True,
            )

    if not is_loopback(args.host):
        print(
            f"suno-async emulator: warning: --host {args.host} makes the emulator reachable "
            "from other machines. It accepts any key (unless --api-key is given) and fetches "
            "any URL it is given; keep it on 127.0.0.1 unless you mean this.",
            file=sys.stderr,
            flush=True,
        )
    try:
        anyio.run(
            lambda: emulator_pkg.serve(config, host=args.host, port=args.port, on_ready=announce)
        )
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OSError as exc:
        if listening:
            raise
        print(
            f"suno-async emulator: error: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``emulator``."""
    emulator = add_command(
        commands,
        "emulator",
        handler=Handler(check=_check, execute=_execute, client=False),
        summary="run the embedded emulator as a server",
        description="Serves mountsea's Suno v2 API (under /suno/v2/) and sunoapi's v2 API "
        "(under /api/v2/suno/), with the CDN their audio comes from, on loopback until "
        "interrupted. It prints one line with its base URL (standard output), then the "
        "export lines that point other commands at it (standard error): base URL and key of "
        "both providers and SUNO_ASYNC_SPEED. It keeps tasks, models and credits for as long "
        "as it runs, so 'train' then 'generate --model ...' work across commands. Any "
        "non-empty bearer key is accepted unless --api-key is given. Faults can be injected "
        "for testing a client: scripted task failures, slow answers and random (chaos) HTTP "
        "failures.",
        epilog="""\
examples:
  suno-async emulator --speed 10                 # then paste the export lines elsewhere
  suno-async emulator --port 0 --audio-seconds 60   # any free port, one-minute clips
  suno-async emulator --fail-next upload:2 --chaos-5xx 0.2 --chaos-seed 7""",
    )
    emulator.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (%(default)s). The emulator accepts any bearer key (unless "
        "--api-key is given) and fetches any URL it is given, so it must not be exposed beyond "
        "loopback",
    )
    emulator.add_argument(
        "--port",
        type=_convert.port,
        default=8080,
        help="port to bind, 0 for any free one (%(default)s)",
    )
    emulator.add_argument(
        "--speed",
        type=_convert.positive_float,
        default=1.0,
        help="time speed-up factor (%(default)s)",
    )
    emulator.add_argument("--api-key", default=None, help="accept only this bearer key")
    timing = emulator.add_argument_group(
        "clips and timings",
        "Seconds of the emulator's clock (divided by --speed in real time).",
    )
    timing.add_argument(
        "--audio-seconds",
        type=_convert.positive_float,
        default=6.0,
        metavar="SECONDS",
        help="length of every generated clip, at most 600 (%(default)s); an extend needs "
        "clips longer than its --continue-at",
    )
    for flag, default, text in (
        ("--upload-seconds", 8.0, "from an upload to its clip"),
        ("--training-seconds", 150.0, "from create to the trained model"),
        ("--generate-seconds", 45.0, "from generate to complete clips"),
    ):
        timing.add_argument(
            flag,
            type=_convert.seconds,
            default=None,
            metavar="SECONDS",
            help=f"{text} (default {default:g})",
        )
    emulator.add_argument(
        "--credits",
        type=_convert.count,
        default=None,
        help="starting credits of the mountsea account",
    )
    emulator.add_argument(
        "--sunoapi-credits",
        type=_convert.count,
        default=None,
        help="starting credits of the sunoapi account",
    )
    _add_reading_options(emulator)
    _add_fault_options(emulator)
