"""The ``suno-async`` command (also ``python -m suno_async``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

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
        help="train a custom model, generate a song and download it, all on the emulator",
        description="Starts the embedded emulator in-process, trains a custom model from six "
        "sample tracks, generates a song with it and downloads the audio.",
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
        description="Serves both documented APIs on loopback until interrupted. Any non-empty "
        "bearer key is accepted unless --api-key is given.",
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to bind (%(default)s)")
    emulator.add_argument("--port", type=int, default=8080, help="port to bind (%(default)s)")
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

            overrides: dict[str, object] = {"speed": args.speed, "api_key": args.api_key}
            if args.credits is not None:
                overrides["credits"] = args.credits
            config = EmulatorConfig(**overrides)  # type: ignore[arg-type]
            anyio.run(lambda: serve(config, host=args.host, port=args.port))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
