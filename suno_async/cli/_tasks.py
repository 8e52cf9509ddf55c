"""``suno-async status``, ``wait`` and ``download``: following work already submitted.

``--json`` prints, for ``status``: ``command``, ``task_id``, ``status``, ``created_at``,
``finish_at``, ``fail_reason``, ``fail_code``, ``data`` (the task's result as the API sent it,
or null). For ``wait``: ``command``, ``task_id``, ``kind`` (given with ``--kind``, else read
from the task itself), then ``clip`` (upload), ``model_id`` and ``model`` (training), or
``clips`` (generate; with ``--output`` ``files``, ``downloads``).
Both end with ``credits_spent``, ``credits_uncertain`` and
``requests_made``. For ``download``: ``command``,
``files``, ``downloads`` (``clip_id``, ``path``, ``size``, ``skipped``), ``bytes``.
"""

from __future__ import annotations

import argparse
from pathlib import PurePosixPath
from typing import Any, Final
from urllib.parse import urlsplit

import msgspec

from suno_async._core._events import Event, GenerationFinished, TaskStatusChanged
from suno_async._core._exceptions import ResponseValidationError, TaskError
from suno_async._core._models import Clip, TaskKind
from suno_async._core._polling import DEFAULT_SCHEDULES
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
from suno_async.mountsea._models import CUSTOM_MODEL_PREFIX, CustomModel, TaskSnapshot, TaskStatus

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


#: A wait whose kind is not known yet polls at a generation's pace (the quickest) for as long
#: as a training may take (the longest).
_ANY_TASK_DEADLINE: Final = DEFAULT_SCHEDULES[TaskKind.TRAINING].timeout


def kind_of(snapshot: TaskSnapshot) -> str | None:
    """What a mountsea task is, read from its ``data``: a list of clips is a generation
    (streaming or done), a ``chirp-custom:`` model a training, another object with an ``id``
    an upload's clip; ``None`` while the data tells nothing (the task has produced nothing
    yet)."""
    try:
        data = msgspec.json.decode(snapshot.data)
    except msgspec.DecodeError:
        return None
    if isinstance(data, list) and data:
        return "generate"
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return "training" if data["id"].startswith(CUSTOM_MODEL_PREFIX) else "upload"
    return None


def _prepare_wait(args: argparse.Namespace, opts: Options) -> None:
    if args.output and args.kind not in (None, "generate"):
        raise UsageError("--output is for generations (only they have audio)")


async def _wait_unknown(
    client: MountseaClient, task_id: str, opts: Options, ctx: Context
) -> tuple[str, TaskSnapshot]:
    """Wait for a task whose status does not show its kind yet; return the kind its result
    shows, and that result. Progress is shown as a ``task``, and errors name no kind."""

    def relabel(event: Event) -> None:
        if isinstance(event, TaskStatusChanged):
            event = TaskStatusChanged(task_id=event.task_id, kind="task", status=event.status)
        ctx.on_event(event)

    try:
        snapshot = await client.wait_for_task(
            task_id,
            kind=TaskKind.GENERATE,
            timeout=opts.timeout or _ANY_TASK_DEADLINE,
            on_event=relabel,
        )
    except TaskError as exc:
        exc.args = (str(exc).replace(f"generate task {task_id}", f"task {task_id}", 1),)
        raise
    kind = kind_of(snapshot)
    if kind is None:
        raise ResponseValidationError(
            f"task {task_id} succeeded, but its data is neither clips, a model nor an uploaded "
            "clip, so what it was is unknown: wait again with --kind.",
            body=bytes(snapshot.data),
        )
    return kind, snapshot


async def _run_wait(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    task_id: str = args.task_id
    again = f" --kind {args.kind}" if args.kind else ""
    ctx.resume = f"Run 'suno-async wait {task_id}{again}' to wait again."
    rows: list[tuple[str, object]] = [("task_id", task_id)]
    async with connect(opts, MountseaClient) as (client, _):
        kind: str | None = args.kind
        done: TaskSnapshot | None = None
        if kind is None:
            first = await client.get_status(task_id)
            kind = kind_of(first)
            if kind is None:
                kind, done = await _wait_unknown(client, task_id, opts, ctx)
            elif first.status == TaskStatus.SUCCESS:
                done = first
        data: dict[str, Any] = {"command": "wait", "task_id": task_id, "kind": kind}
        if kind == "upload":
            clip = (
                done.data_as(Clip)
                if done is not None
                else await client.wait_for_upload(
                    task_id, timeout=opts.timeout, on_event=ctx.on_event
                )
            )
            data["clip"] = msgspec.to_builtins(clip)
            rows.append(("clip_id", clip.id))
        elif kind == "training":
            model = (
                done.data_as(CustomModel)
                if done is not None
                else await client.wait_for_training(
                    task_id, timeout=opts.timeout, on_event=ctx.on_event
                )
            )
            data["model_id"] = model.id
            data["model"] = msgspec.to_builtins(model)
            rows += [("model_id", model.id), ("name", model.name or "")]
        else:
            if done is not None:
                clips = done.data_as(list[Clip])
                ctx.on_event(
                    GenerationFinished(task_id=task_id, clip_ids=tuple(c.id for c in clips))
                )
            else:
                clips = await client.wait_for_generation(
                    task_id, timeout=opts.timeout, on_event=ctx.on_event
                )
            data["clips"] = clips_data(clips)
            rows += clip_rows(clips)
            if args.output:
                paths = await client.download_clips(clips, args.output, on_event=ctx.on_event)
                data.update(download_data(ctx, paths))
                rows += download_rows(ctx)
        if args.output and kind != "generate":
            ctx.display.message(f"note: --output ignored: a {kind} task has no audio")
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
    data = {"command": "download", **download_data(ctx, paths)}
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
terminal and paste the export lines it prints (--emulator would start a fresh emulator, which
knows no task).""",
        epilog="""\
examples:
  suno-async status 2f0c6d0e-...
  suno-async --json status 2f0c6d0e-... | jq -r .status""",
    )
    status.add_argument("task_id", metavar="TASK_ID", help="the task (or training session) id")
    add_shared_options(status)

    wait = add_command(
        commands,
        "wait",
        handler=client_handler(_run_wait, _prepare_wait),
        summary="wait for a task to finish and print its result",
        description="""\
Wait for a mountsea task until it finishes, and print its result: the clips of a generation
(downloaded with --output), the model of a training (its task id is the session id), the clip
of an upload. What the task is comes from the task itself (its result, or its data once it
streams); --kind says it in advance. Exits 6 if the task failed, 7 if it did not finish in time
(wait again: it may still finish). Offline, use it with a "suno-async emulator" and its export
lines, as for status.""",
        epilog="""\
examples:
  suno-async wait TASK --output songs/
  suno-async wait SESSION --timeout 1800            # a training: its session id
  suno-async --json wait TASK | jq -r '.clips[].audio_url'""",
    )
    wait.add_argument("task_id", metavar="TASK_ID", help="the task (or training session) id")
    wait.add_argument(
        "--kind",
        choices=("upload", "training", "generate"),
        default=None,
        help="what the task does (default: read from the task); it decides the polling pace",
    )
    wait.add_argument(
        "--output", "-o", metavar="DIR", help="for a generation: download the clips into DIR"
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
