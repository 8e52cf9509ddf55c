"""``suno-async status``, ``wait`` and ``download``: following work already submitted.

``--json`` prints, for ``status``: ``command``, ``task_id``, ``status``, ``created_at``,
``finish_at``, ``fail_reason``, ``fail_code``, ``data`` (the task's result as the API sent it,
or null). For ``wait``: ``command``, ``task_id``, ``kind``, then ``clip`` (upload), ``model_id``
and ``model`` (training), or ``clips`` (generate; with ``--output`` ``files``, ``downloads``).
Both end with ``credits_spent``, ``credits_uncertain`` and
``requests_made``. For ``download``: ``command``,
``files``, ``downloads`` (``clip_id``, ``path``, ``size``, ``skipped``), ``bytes``.
"""

from __future__ import annotations

import argparse
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import msgspec

from suno_async._core._models import Clip
from suno_async.cli._parser import Commands, Parser, UsageError, add_command, add_shared_options
from suno_async.cli._run import (
    Context,
    Options,
    Outcome,
    client_handler,
    clip_rows,
    clips_data,
    connect,
    download_data,
    download_rows,
    read_input,
    table,
    usage,
)
from suno_async.mountsea._client import MountseaClient
from suno_async.mountsea._constants import DEFAULT_BASE_URL as MOUNTSEA_DEFAULT_BASE_URL

__all__ = ["add_commands"]

#: The key the download client is given: it never sends one (audio comes from the CDN).
_NO_KEY = "not-sent"


# -- status ------------------------------------------------------------------------------------


def _describe_data(data: Any) -> list[tuple[str, object]]:
    """People's rows for a task's ``data``: clips, a model, an uploaded clip."""
    if isinstance(data, list):
        try:
            return clip_rows(msgspec.convert(data, list[Clip]))
        except msgspec.ValidationError:
            pass
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        is_model = data["id"].startswith("chirp-custom:")
        return [("model_id" if is_model else "clip", data["id"])]
    return [] if data is None else [("data", msgspec.json.encode(data).decode())]


async def _run_status(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, MountseaClient) as (client, _):
        snapshot = await client.get_status(args.task_id)
        spent = usage(client)
    data_value = msgspec.json.decode(snapshot.data)
    data = {
        "command": "status",
        "task_id": snapshot.task_id,
        "status": snapshot.status,
        "created_at": snapshot.created_at,
        "finish_at": snapshot.finish_at,
        "fail_reason": snapshot.fail_reason,
        "fail_code": snapshot.fail_code,
        "data": data_value,
        **spent,
    }
    rows: list[tuple[str, object]] = [("task_id", snapshot.task_id), ("status", snapshot.status)]
    if snapshot.fail_reason or snapshot.fail_code is not None:
        code = f" (code {snapshot.fail_code})" if snapshot.fail_code is not None else ""
        rows.append(("fail_reason", f"{snapshot.fail_reason or ''}{code}".strip()))
    rows += _describe_data(data_value)
    return Outcome(data, table(rows))


# -- wait --------------------------------------------------------------------------------------


def _prepare_wait(args: argparse.Namespace, opts: Options) -> None:
    if args.output and args.kind != "generate":
        raise UsageError("--output is for --kind generate (only generations have audio)")


async def _run_wait(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    task_id: str = args.task_id
    ctx.resume = f"It may still finish: run 'suno-async wait {task_id} --kind {args.kind}' again."
    data: dict[str, Any] = {"command": "wait", "task_id": task_id, "kind": args.kind}
    rows: list[tuple[str, object]] = [("task_id", task_id)]
    async with connect(opts, MountseaClient) as (client, _):
        if args.kind == "upload":
            clip = await client.wait_for_upload(
                task_id, timeout=opts.timeout, on_event=ctx.on_event
            )
            data["clip"] = msgspec.to_builtins(clip)
            rows.append(("clip_id", clip.id))
        elif args.kind == "training":
            model = await client.wait_for_training(
                task_id, timeout=opts.timeout, on_event=ctx.on_event
            )
            data["model_id"] = model.id
            data["model"] = msgspec.to_builtins(model)
            rows += [("model_id", model.id), ("name", model.name or "")]
        else:
            clips = await client.wait_for_generation(
                task_id, timeout=opts.timeout, on_event=ctx.on_event
            )
            data["clips"] = clips_data(clips)
            rows += clip_rows(clips)
            if args.output:
                paths = await client.download_clips(clips, args.output, on_event=ctx.on_event)
                data.update(download_data(ctx, [str(p) for p in paths]))
                rows += download_rows(ctx)
        data.update(usage(client))
    return Outcome(data, table(rows))


# -- download ----------------------------------------------------------------------------------


def _clip_for_url(url: str) -> Clip:
    stem = PurePosixPath(urlsplit(url).path).stem
    return Clip(id=stem or "audio", audio_url=url)


def _prepare_download(args: argparse.Namespace, opts: Options) -> None:
    clips = [_clip_for_url(url) for url in args.urls]
    if args.from_json:
        source = "standard input" if args.from_json == "-" else args.from_json
        try:
            loaded = msgspec.json.decode(read_input(args.from_json))
        except msgspec.DecodeError as exc:
            raise UsageError(f"--from-json {source}: not JSON ({exc})") from None
        items = loaded.get("clips") if isinstance(loaded, dict) else loaded
        if not isinstance(items, list) or not items:
            raise UsageError(
                f"--from-json {source}: no clips there (give the --json output of generate, "
                "pure-music or wait)"
            )
        try:
            clips.extend(msgspec.convert(items, list[Clip]))
        except msgspec.ValidationError as exc:
            raise UsageError(f"--from-json {source}: not clips ({exc})") from None
    if not clips:
        raise UsageError("give audio URLs, or --from-json FILE")
    args.clips = clips


async def _run_download(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    clips: list[Clip] = args.clips
    ctx.display.expect_downloads(len(clips))
    # Downloads send no credentials: the client needs a key to exist, not a real one.
    async with MountseaClient(api_key=_NO_KEY, base_url=MOUNTSEA_DEFAULT_BASE_URL) as client:
        paths = await client.download_clips(clips, args.output, on_event=ctx.on_event)
    files = [str(p) for p in paths]
    data = {"command": "download", **download_data(ctx, files)}
    data["bytes"] = sum(d.size for d in ctx.downloads)
    return Outcome(data, table(download_rows(ctx)))


# -- the parsers -------------------------------------------------------------------------------


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``status``, ``wait`` and ``download``."""
    status = add_command(
        commands,
        "status",
        handler=client_handler(_run_status),
        summary="show a task's status once (no waiting)",
        description="""\
Look a mountsea task up once and print its status and, once it is done, its result (clips, a
model, an uploaded clip). Exits 0 whatever the status is; "suno-async wait" waits and judges. A
training's task id is its session id. To try it offline, run "suno-async emulator" in another
terminal and point --base-url at it (--emulator starts a fresh emulator, which knows no task).""",
        epilog="""\
examples:
  suno-async status 2f0c6d0e-...
  suno-async --json status 2f0c6d0e-... | jq -r .status
  suno-async --base-url http://127.0.0.1:8080 status TASK   # on a suno-async emulator""",
    )
    status.add_argument("task_id", metavar="TASK_ID", help="the task (or training session) id")
    add_shared_options(status)

    wait = add_command(
        commands,
        "wait",
        handler=client_handler(_run_wait, _prepare_wait),
        summary="wait for a task to finish and print its result",
        description="""\
Wait for a mountsea task (a generation by default) until it finishes, and print its result: the
clips of a generation (downloaded with --output), the model of a training (its task id is the
session id), the clip of an upload. Exits 6 if the task failed, 7 if it did not finish in time
(wait again: it may still finish). Offline, use it with a "suno-async emulator" and --base-url,
as for status.""",
        epilog="""\
examples:
  suno-async wait TASK --output songs/
  suno-async wait SESSION --kind training --timeout 1800
  suno-async --base-url http://127.0.0.1:8080 --speed 10 wait TASK  # emulator --speed 10
  suno-async --json wait TASK | jq -r '.clips[].audio_url'""",
    )
    wait.add_argument("task_id", metavar="TASK_ID", help="the task (or training session) id")
    wait.add_argument(
        "--kind",
        choices=("upload", "training", "generate"),
        default="generate",
        help="what the task does (default %(default)s); it decides the polling pace and "
        "what the result holds",
    )
    wait.add_argument(
        "--output", "-o", metavar="DIR", help="generate only: download the clips into DIR"
    )
    add_shared_options(wait)

    download = add_command(
        commands,
        "download",
        handler=client_handler(_run_download, _prepare_download),
        summary="download audio by URL, or every clip of a --json result",
        description="""\
Download audio into a directory, each file appearing only once complete (a broken transfer
resumes on the next run; a file already there is kept). Give the audio URLs, or --from-json
with the --json output of generate, pure-music or wait (a file, or - for standard input), to
save each clip as CLIP_ID.EXT. No API key is needed: audio comes from the CDN, and no
credentials are sent there.""",
        epilog="""\
examples:
  suno-async download https://cdn.example.org/abc.mp3 --output songs/
  suno-async --json generate --tags pop > result.json
  suno-async download --from-json result.json --output songs/
  suno-async --json pure-music "lofi" | suno-async download --from-json - -o songs/""",
    )
    download.add_argument("urls", nargs="*", metavar="URL", help="audio URLs")
    download.add_argument(
        "--from-json",
        metavar="FILE",
        help="take the clips from a --json result (an object with 'clips', or a list of clips; "
        "- reads stdin)",
    )
    download.add_argument(
        "--output",
        "-o",
        metavar="DIR",
        default=".",
        help="where the files go (default: the current directory)",
    )
    add_shared_options(download, connection=False)
