"""The ``suno-async`` command (also ``python -m suno_async``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio

__all__ = ["main"]


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="suno-async",
        description="Asyncio client for Suno-style music APIs, with an embedded emulator.",
    )
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
        description="Serves the custom-model provider's Suno v2 API (the only provider the "
        "emulator has for now) on loopback until interrupted, and prints one line with its "
        "base URL. Any non-empty bearer key is accepted unless --api-key is given.",
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
        "--credits", type=int, default=None, help="starting credits of the account"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from suno_async._demo import run_demo

            anyio.run(lambda: run_demo(output=args.output, speed=args.speed))
        elif args.command == "emulator":
            from suno_async.emulator import EmulatorConfig, serve

            usage: argparse.ArgumentParser = args.emulator_parser
            if not 0 <= args.port <= 65535:
                usage.error(f"argument --port: must be 0-65535, got {args.port}")
            # Each option is checked on its own, so an invalid value is reported by its name.
            options: list[tuple[str, dict[str, Any]]] = [
                ("--speed", {"speed": args.speed}),
                ("--api-key", {"api_key": args.api_key}),
                ("--credits", {} if args.credits is None else {"credits": args.credits}),
            ]
            for option, fields in options:
                try:
                    EmulatorConfig(**fields)
                except ValueError as exc:
                    usage.error(f"argument {option}: {exc}")
            config = EmulatorConfig(**{k: v for _, fields in options for k, v in fields.items()})
            listening = False

            def announce(base_url: str) -> None:
                nonlocal listening
                listening = True
                print(f"suno_async emulator listening on {base_url}", flush=True)

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
