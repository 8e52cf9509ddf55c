"""``suno-async train``: train a custom model on mountsea from audio URLs.

``--json`` prints ``command``, ``model_id``, ``name``, ``session_id``, ``task_id``,
``clip_ids``, ``outcomes`` (one per URL: ``url``, ``state`` (``uploaded``, ``failed``,
``cancelled`` or ``unused``), ``clip_id``, ``task_ids``, ``attempts``, ``error``,
``fail_code``), ``uploads`` (upload requests sent) and ``upload_credits`` (``null``: mountsea
publishes no upload price, so the fee is unknown), ``credits_spent`` (create's 100, the one
price known), ``credits_uncertain`` and ``requests_made``. When fewer than six uploads work,
the error (exit 6) lists the URLs that failed apart from those merely cancelled or unused; its
``--json`` form has the same ``outcomes``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib

import msgspec

from suno_async._core._exceptions import TaskTimeoutError
from suno_async.cli import _convert
from suno_async.cli._parser import Commands, Parser, UsageError, add_command, add_shared_options
from suno_async.cli._progress import UPLOAD_FEE_NOTE
from suno_async.cli._run import (
    Context,
    Options,
    Outcome,
    client_handler,
    connect,
    read_input,
    table,
    usage,
)
from suno_async.mountsea._client import MountseaClient
from suno_async.mountsea._constants import CREATE_CUSTOM_MODEL_COST, MIN_TRAINING_CLIPS
from suno_async.mountsea._results import TrainingResult

__all__ = ["add_commands"]


def _prepare(args: argparse.Namespace, opts: Options) -> None:
    urls = list(args.urls)
    if args.urls_file:
        for line in read_input(args.urls_file).splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                urls.append(line)
    if not urls and not opts.emulator:
        raise UsageError(
            f"give at least {MIN_TRAINING_CLIPS} audio URLs, or --urls-file FILE "
            "(with --emulator and none, its sample tracks are used)"
        )
    args.urls = urls


async def _run(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, MountseaClient) as (client, emulator):
        urls: list[str] = args.urls
        if not urls and emulator is not None:
            urls = emulator.sample_audio_urls(max(args.clip_count, MIN_TRAINING_CLIPS))
        result: TrainingResult | None = None
        deadline = (
            client.clock.cancel_after(opts.timeout)
            if opts.timeout is not None
            else contextlib.nullcontext()
        )
        with deadline:
            result = await client.train_custom_model(
                urls,
                name=args.name,
                clip_count=args.clip_count,
                journal=args.journal,
                resend_if_ambiguous=args.resend_if_ambiguous,
                on_event=ctx.on_event,
            )
        if result is None:
            raise TaskTimeoutError(
                f"the training did not finish within {opts.timeout:g} s (--timeout).",
                task_id=ctx.task_id or "",
                server_side=False,
            )
        spent = usage(client)
    clip_ids = list(result.clip_ids)
    data = {
        "command": "train",
        "model_id": result.model_id,
        "name": result.name,
        "session_id": result.session_id,
        "task_id": result.task_id,
        "clip_ids": clip_ids,
        "outcomes": [{"state": o.state, **msgspec.to_builtins(o)} for o in result.outcomes],
        "uploads": result.uploads,
        "upload_credits": None,
        **spent,
    }
    states = collections.Counter(o.state for o in result.outcomes)
    rows: list[tuple[str, object]] = [
        ("model_id", result.model_id),
        ("name", result.name),
        ("session_id", result.session_id),
        (
            "clips",
            f"{states['uploaded']} trained on, {states['failed']} failed, "
            f"{states['cancelled']} cancelled, {states['unused']} spares unused",
        ),
    ]
    rows += [("failed", f"{o.url}: {o.error}") for o in result.outcomes if o.state == "failed"]
    rows.append(
        (
            "credits",
            f"{spent['credits_spent']} spent (create); {result.uploads} uploads, {UPLOAD_FEE_NOTE}",
        )
    )
    if opts.emulator:
        ctx.display.message(
            "note: this model lives in this command's own emulator, gone now. To generate with "
            "a trained model offline, run 'suno-async emulator' and paste its export lines."
        )
    return Outcome(data, table(rows))


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``train``."""
    train = add_command(
        commands,
        "train",
        handler=client_handler(_run, _prepare),
        summary="train a custom model from six or more audio URLs",
        description=f"""\
Train a custom model on mountsea: upload the audio (at least {MIN_TRAINING_CLIPS} distinct,
publicly downloadable http(s) URLs), train on the first --clip-count of them
({CREATE_CUSTOM_MODEL_COST} credits), and wait until the model is ready (about 2-3 minutes).
URLs after the first --clip-count are spares, uploaded only to replace one that failed. Prints
the model id: pass it to generate --model.

With --journal FILE every step is recorded, so after a crash or Ctrl-C the same command carries
on where it stopped: finished uploads are not sent again and the training is never paid for
twice. With --emulator and no URLs, the emulator's six sample tracks are used.""",
        epilog="""\
examples:
  suno-async --emulator train --name "Demo"
  suno-async train --name "My Band" --journal band.json \\
      https://example.org/a.mp3 https://example.org/b.mp3 ... (six or more)
  suno-async --json train --name "My Band" --urls-file tracks.txt | jq -r .model_id""",
    )
    train.add_argument("urls", nargs="*", metavar="URL", help="audio URLs to train on")
    train.add_argument(
        "--urls-file",
        metavar="FILE",
        help="read more URLs from FILE, one per line ('#' starts a comment; - reads stdin)",
    )
    train.add_argument("--name", required=True, help="the model's name")
    train.add_argument(
        "--clip-count",
        type=_convert.positive_int,
        default=MIN_TRAINING_CLIPS,
        metavar="N",
        help="train on N clips, %(default)s to the number of URLs (default %(default)s)",
    )
    train.add_argument(
        "--journal",
        metavar="FILE",
        help="record progress in FILE (JSON, no secrets) and resume from it if it exists",
    )
    train.add_argument(
        "--resend-if-ambiguous",
        action="store_true",
        help="if create's outcome is unknown and the session's status cannot tell whether it "
        "arrived, send it again instead of stopping with exit 8 (this may pay twice)",
    )
    add_shared_options(train)
