"""Running the ``suno-async`` client commands: train, generate, pure-music, status, wait and
download.

:func:`prepare` checks the parsed command line and reads the files it names (a problem there
is a usage error, exit 2, before anything is sent); :func:`execute` opens the client (or starts
the embedded emulator), runs the command with a progress display fed by the library's
``on_event`` events, and prints the result, or the error as one line, returning the exit code
(:mod:`suno_async._cli_exit`).

What each command prints, as ``--json`` (one object on standard output; every object has
``command``):

* ``train``: ``model_id``, ``name``, ``session_id``, ``task_id``, ``clip_ids``, ``outcomes``
  (one per URL: ``url``, ``clip_id``, ``task_ids``, ``attempts``, ``error``, ``fail_code``).
* ``generate``: ``task_id``; unless ``--no-wait`` also ``clips`` (the provider's clip objects);
  with ``--output`` also ``files`` and ``downloads``.
* ``pure-music``: ``provider``, ``task_id``, ``clips``; with ``--output`` ``files``,
  ``downloads``.
* ``status``: ``task_id``, ``status``, ``created_at``, ``finish_at``, ``fail_reason``,
  ``fail_code``, ``data`` (the task's result as the API sent it, or null).
* ``wait``: ``task_id``, ``kind``, then ``clip`` (upload), ``model_id`` and ``model``
  (training), or ``clips`` (generate; with ``--output`` ``files``, ``downloads``).
* ``download``: ``files``, ``downloads`` (``clip_id``, ``path``, ``size``, ``skipped``),
  ``bytes``.

Commands that use the API add ``credits_spent`` (calls of known price this run made: create 100,
generate 40, sunoapi.com 10) and ``requests_made``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import ipaddress
import os
import shlex
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import anyio
import msgspec

from suno_async._base_client import BaseClient
from suno_async._cli_exit import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    error_object,
    exit_code_for,
    hint_for,
    one_line,
)
from suno_async._cli_parser import DEFAULT_EMULATOR_SPEED, SHARED_OPTIONS, shared_option
from suno_async._cli_progress import Display, forward_warnings, make_display, stderr_line
from suno_async._client import SunoClient
from suno_async._clock import SystemClock
from suno_async._constants import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_PURE_MUSIC_MODEL,
    MIN_TRAINING_CLIPS,
    SUNOAPI_API_KEY_ENV,
    SUNOAPI_BASE_URL_ENV,
)
from suno_async._events import (
    DownloadFinished,
    Event,
    GenerationSubmitted,
    SessionPrepared,
    TrainingSubmitted,
)
from suno_async._exceptions import ConfigError, SunoError, TaskTimeoutError
from suno_async._results import TrainingResult
from suno_async._sunoapi_client import SunoApiClient
from suno_async.models.clip import Clip
from suno_async.models.mountsea import GenerateRequest

if TYPE_CHECKING:
    from suno_async.emulator import Emulator

__all__ = ["Options", "Outcome", "execute", "json_usage_errors", "prepare"]

_C = TypeVar("_C", bound=BaseClient)
_T = TypeVar("_T")

#: The key a client is given when it will never send one (downloads), or the emulator's.
_NO_KEY = "not-sent"
_EMULATOR_KEY = "emulator"
#: Keys shorter than this are not hidden in error lines (they would mangle ordinary words).
_MIN_SECRET = 6


class UsageError(Exception):
    """A bad combination of options or an unreadable input file: exit 2, nothing sent."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Options:
    """The shared options of one run, resolved (after the command wins over before it).

    ``speed`` is the client clock's speed-up (``None``: real time); with ``emulator`` it is
    also the embedded emulator's.
    """

    base_url: str | None = None
    api_key: str | None = None
    provider: str = "custom-model"
    emulator: bool = False
    speed: float | None = None
    emulator_api_key: str | None = None
    emulator_credits: int | None = None
    timeout: float | None = None
    max_credits: int | None = None
    json: bool = False
    events: bool = False
    quiet: bool = False

    @property
    def key_env(self) -> str:
        """The environment variable the key comes from."""
        return SUNOAPI_API_KEY_ENV if self.provider == "sunoapi" else API_KEY_ENV

    @property
    def url_env(self) -> str:
        """The environment variable the base URL comes from."""
        return SUNOAPI_BASE_URL_ENV if self.provider == "sunoapi" else BASE_URL_ENV

    def secrets(self) -> list[str]:
        """Every key this run may know, to hide from error lines."""
        keys = [self.api_key, os.environ.get(API_KEY_ENV), os.environ.get(SUNOAPI_API_KEY_ENV)]
        return [key.strip() for key in keys if key and len(key.strip()) >= _MIN_SECRET]


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a command produced: ``data`` for ``--json``, ``lines`` for people."""

    data: dict[str, Any]
    lines: list[str]


# -- usage errors in --json mode ---------------------------------------------------------------


@contextlib.contextmanager
def json_usage_errors(enabled: bool) -> Iterator[None]:
    """While inside, with ``enabled``, an argparse usage error (exit 2) is written to standard
    error as one JSON object (``error``, ``type`` "UsageError", ``exit_code`` 2) instead of
    argparse's usage text. ``--help`` and the like are untouched."""
    if not enabled:
        yield
        return
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            yield
    except SystemExit as exc:
        text = captured.getvalue()
        if exc.code == EXIT_USAGE:
            lines = [line for line in text.splitlines() if line.strip()]
            last = lines[-1] if lines else "usage error"
            message = last.split(": error: ", 1)[-1]
            payload = {"error": message, "type": "UsageError", "exit_code": EXIT_USAGE}
            stderr_line(msgspec.json.encode(payload).decode())
        elif text:
            sys.stderr.write(text)
        raise
    else:
        sys.stderr.write(captured.getvalue())


# -- checking the command line -----------------------------------------------------------------


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _typed(args: argparse.Namespace, name: str, kind: type[_T]) -> _T | None:
    value = shared_option(args, name)
    return value if isinstance(value, kind) else None


def _options(args: argparse.Namespace) -> Options:
    given = {name: shared_option(args, name) for name in SHARED_OPTIONS}
    opts = Options(
        base_url=_typed(args, "base_url", str),
        api_key=_typed(args, "api_key", str),
        provider=_typed(args, "provider", str) or "custom-model",
        emulator=bool(given["emulator"]),
        speed=_typed(args, "speed", float),
        emulator_api_key=_typed(args, "emulator_api_key", str),
        emulator_credits=_typed(args, "emulator_credits", int),
        timeout=_typed(args, "timeout", float),
        max_credits=_typed(args, "max_credits", int),
        json=bool(given["json"]),
        events=bool(given["events"]),
        quiet=bool(given["quiet"]),
    )
    if opts.events and not opts.json:
        raise UsageError("--events needs --json (without it, progress is shown as lines)")
    if opts.events and opts.quiet:
        raise UsageError("--events and --quiet contradict each other")
    if args.command == "download":
        return opts
    if opts.emulator and opts.base_url is not None:
        raise UsageError("--base-url and --emulator: give one (--emulator runs its own)")
    if not opts.emulator:
        for name in ("emulator_api_key", "emulator_credits"):
            if given[name] is not None:
                raise UsageError(f"--{name.replace('_', '-')} needs --emulator")
    if opts.provider == "sunoapi" and args.command != "pure-music":
        raise UsageError(f"{args.command} works with the custom-model provider only")
    if opts.emulator:
        return dataclasses.replace(opts, speed=opts.speed or DEFAULT_EMULATOR_SPEED)
    if opts.speed is not None:
        url = opts.base_url or os.environ.get(opts.url_env, "")
        if not _is_loopback(url):
            raise UsageError(
                "--speed without --emulator is only for an emulator on loopback "
                "(--base-url http://127.0.0.1:PORT), so a real service is never polled faster"
            )
    return opts


def _read(path: str) -> str:
    """The text of ``path`` (``-``: standard input)."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {path}: {reason}") from None


def _prepare_train(args: argparse.Namespace, opts: Options) -> None:
    urls = list(args.urls)
    if args.urls_file:
        for line in _read(args.urls_file).splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                urls.append(line)
    if not urls and not opts.emulator:
        raise UsageError(
            f"give at least {MIN_TRAINING_CLIPS} audio URLs, or --urls-file FILE "
            "(with --emulator and none, its sample tracks are used)"
        )
    args.urls = urls


_FIELD_OPTIONS = (
    "task",
    "model",
    "prompt",
    "gpt_description_prompt",
    "tags",
    "negative_tags",
    "title",
    "make_instrumental",
    "vocal_gender",
    "clip_id",
    "continue_at",
    "range",
    "infill_context_range",
    "continued_aligned_prompt",
    "infill_lyrics",
    "infill_type",
    "audio_url",
    "mashup_clip_ids",
    "playlist_id",
    "playlist_clip_ids",
)


def _nested(args: argparse.Namespace, pairs: dict[str, str]) -> dict[str, Any]:
    return {field: getattr(args, dest) for dest, field in pairs.items() if getattr(args, dest)}


def _prepare_generate(args: argparse.Namespace, opts: Options) -> None:
    fields: dict[str, Any] = {}
    if args.request_file:
        try:
            loaded = msgspec.json.decode(_read(args.request_file))
        except msgspec.DecodeError as exc:
            raise UsageError(f"--request-file {args.request_file}: not JSON ({exc})") from None
        if not isinstance(loaded, dict):
            raise UsageError(f"--request-file {args.request_file}: must hold a JSON object")
        unknown = sorted(set(loaded) - set(GenerateRequest.__struct_fields__))
        if unknown:
            raise UsageError(
                f"--request-file {args.request_file}: unknown generate fields: {', '.join(unknown)}"
            )
        fields.update(loaded)
    if args.prompt_file:
        args.prompt = _read(args.prompt_file)
    for name in _FIELD_OPTIONS:
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    persona = _nested(
        args,
        {
            "persona_id": "persona_id",
            "artist_clip_id": "artist_clip_id",
            "persona_style": "persona_style",
        },
    )
    controls = {
        field: getattr(args, dest)
        for dest, field in (
            ("style_weight", "style_weight"),
            ("audio_weight", "audio_weight"),
            ("weirdness", "weirdness_constraint"),
        )
        if getattr(args, dest) is not None
    }
    sound = _nested(
        args,
        {"sound_description": "description", "sound_type": "type", "sound_key": "key"},
    )
    if args.sound_bpm is not None:
        sound["bpm"] = args.sound_bpm
    for name, given in (("persona", persona), ("controls", controls), ("sound", sound)):
        if given:
            base = fields.get(name)
            fields[name] = {**(base if isinstance(base, dict) else {}), **given}
    fields.setdefault("task", "create")
    fields.setdefault("model", DEFAULT_PURE_MUSIC_MODEL)
    args.fields = fields
    if args.journal and not args.output:
        raise UsageError("--journal needs --output (it records the downloads too)")
    if args.no_wait and (args.output or args.journal):
        raise UsageError("--no-wait prints the task id and stops: it cannot --output")


def _prepare_pure_music(args: argparse.Namespace, opts: Options) -> None:
    if args.model is not None and opts.provider == "sunoapi":
        raise UsageError("--model is for the custom-model provider (sunoapi.com picks v3.5)")


def _prepare_wait(args: argparse.Namespace, opts: Options) -> None:
    if args.output and args.kind != "generate":
        raise UsageError("--output is for --kind generate (only generations have audio)")


def _clip_for_url(url: str) -> Clip:
    stem = PurePosixPath(urlsplit(url).path).stem
    return Clip(id=stem or "audio", audio_url=url)


def _prepare_download(args: argparse.Namespace, opts: Options) -> None:
    clips = [_clip_for_url(url) for url in args.urls]
    if args.from_json:
        source = "standard input" if args.from_json == "-" else args.from_json
        try:
            loaded = msgspec.json.decode(_read(args.from_json))
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


_PREPARE: dict[str, Callable[[argparse.Namespace, Options], None]] = {
    "train": _prepare_train,
    "generate": _prepare_generate,
    "pure-music": _prepare_pure_music,
    "wait": _prepare_wait,
    "download": _prepare_download,
}


def prepare(args: argparse.Namespace) -> Options:
    """Check the parsed command line of a client command and read the files it names.

    Stores what it read on ``args`` (``urls``, ``fields``, ``clips``). A problem is reported
    through the command's parser: usage, one error line, ``SystemExit(2)``.
    """
    try:
        opts = _options(args)
        step = _PREPARE.get(args.command)
        if step is not None:
            step(args, opts)
    except UsageError as exc:
        parser: argparse.ArgumentParser = args.command_parser
        parser.error(str(exc))
    return opts


# -- running -----------------------------------------------------------------------------------


class _Context:
    """One run's display, and what to tell the user if the command stops now.

    Its :meth:`on_event` is the ``on_event`` handler given to the library: it notes the ids
    that a resumption needs and the downloads, then shows the event.
    """

    def __init__(self, display: Display, args: argparse.Namespace) -> None:
        self.display = display
        self.args = args
        self.task_id: str | None = None
        self.resume: str | None = None
        self.downloads: list[DownloadFinished] = []
        self.waitable = True  # a submitted task can be picked up with "suno-async wait"
        self.journal: str | None = getattr(args, "journal", None)
        if self.journal:
            self.resume = (
                f"Run the same command again (same --journal {shlex.quote(self.journal)}) to "
                "carry on."
            )

    def on_event(self, event: Event) -> None:
        if isinstance(event, SessionPrepared):
            self.task_id = event.session_id
        elif isinstance(event, TrainingSubmitted):
            self.task_id = event.task_id
            self.resume = (
                f"The training was submitted (and paid for) in session {event.session_id}: "
                f"pick it up with 'suno-async wait {event.session_id} --kind training'"
                + (" or by running the same command again" if self.journal else "")
                + " instead of training again."
            )
        elif isinstance(event, GenerationSubmitted):
            self.task_id = event.task_id
            if self.waitable:
                output = getattr(self.args, "output", None)
                again = f" --output {shlex.quote(output)}" if output else ""
                self.resume = (
                    f"The generation {event.task_id} was submitted (and paid for): pick it up "
                    f"with 'suno-async wait {event.task_id}{again}'"
                    + (" or by running the same command again" if self.journal else "")
                    + "."
                )
        elif isinstance(event, DownloadFinished):
            self.downloads.append(event)
        self.display(event)

    def resume_hint(self, exc: BaseException) -> str | None:
        """How to pick the work up after ``exc``, if the work may go on without us."""
        if self.resume is None or (isinstance(exc, TaskTimeoutError) and exc.server_side):
            return None
        code = exit_code_for(exc)
        transient = isinstance(exc, OSError) or (isinstance(exc, SunoError) and exc.retryable)
        if code in (EXIT_TIMEOUT, EXIT_INTERRUPTED) or (code == EXIT_ERROR and transient):
            return self.resume
        return None


@contextlib.asynccontextmanager
async def _connect(
    opts: Options, client_type: type[_C]
) -> AsyncIterator[tuple[_C, Emulator | None]]:
    """A client of the API, or of an embedded emulator started here (yielded too)."""
    if opts.emulator:
        from suno_async.emulator import Emulator, EmulatorConfig

        speed = opts.speed or DEFAULT_EMULATOR_SPEED
        clock = SystemClock(speed)
        config = EmulatorConfig(speed=speed, api_key=opts.emulator_api_key)
        if opts.emulator_credits is not None:
            config = dataclasses.replace(
                config, credits=opts.emulator_credits, sunoapi_credits=opts.emulator_credits
            )
        async with (
            Emulator(config, clock=clock) as emulator,
            client_type(
                api_key=opts.api_key or _EMULATOR_KEY,
                base_url=emulator.base_url,
                clock=clock,
                max_credits=opts.max_credits,
            ) as client,
        ):
            yield client, emulator
        return
    if not (opts.api_key or os.environ.get(opts.key_env, "").strip()):
        raise ConfigError(
            f"no API key: set {opts.key_env} (or pass --api-key), or add --emulator to try "
            "it offline.",
            argument="api_key",
        )
    async with client_type(
        api_key=opts.api_key,
        base_url=opts.base_url,
        clock=SystemClock(opts.speed) if opts.speed else None,
        max_credits=opts.max_credits,
    ) as client:
        yield client, None


def _clips_data(clips: list[Clip]) -> list[Any]:
    return [msgspec.to_builtins(clip) for clip in clips]


def _table(rows: list[tuple[str, object]]) -> list[str]:
    width = max((len(name) for name, _ in rows), default=0)
    return [f"{name:<{width}}  {value}".rstrip() for name, value in rows]


def _clip_rows(clips: list[Clip]) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for clip in clips:
        parts = [
            clip.id,
            clip.status or "",
            f'"{clip.title}"' if clip.title else "",
            clip.audio_url,
        ]
        rows.append(("clip", "  ".join(part for part in parts if part)))
    return rows


def _download_rows(ctx: _Context) -> list[tuple[str, object]]:
    return [
        ("file", f"{d.path}  ({d.size:,} bytes{', there already' if d.skipped else ''})")
        for d in ctx.downloads
    ]


def _download_data(ctx: _Context, files: list[str]) -> dict[str, Any]:
    downloads = [
        {"clip_id": d.clip_id, "path": d.path, "size": d.size, "skipped": d.skipped}
        for d in ctx.downloads
    ]
    return {"files": files, "downloads": downloads}


def _usage(client: BaseClient) -> dict[str, Any]:
    return {"credits_spent": client.credits_spent, "requests_made": client.stats.requests}


async def _run_train(args: argparse.Namespace, opts: Options, ctx: _Context) -> Outcome:
    async with _connect(opts, SunoClient) as (client, emulator):
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
                on_event=ctx.on_event,
            )
        if result is None:
            raise TaskTimeoutError(
                f"the training did not finish within {opts.timeout:g} s (--timeout).",
                task_id=ctx.task_id or "",
                server_side=False,
            )
        usage = _usage(client)
    clip_ids = list(result.clip_ids)
    data = {
        "command": "train",
        "model_id": result.model_id,
        "name": result.name,
        "session_id": result.session_id,
        "task_id": result.task_id,
        "clip_ids": clip_ids,
        "outcomes": msgspec.to_builtins(result.outcomes),
        **usage,
    }
    spares = sum(1 for o in result.outcomes if o.skipped)
    rows: list[tuple[str, object]] = [
        ("model_id", result.model_id),
        ("name", result.name),
        ("session_id", result.session_id),
        (
            "clips",
            f"{len(clip_ids)} trained on, {len(result.failed)} failed, {spares} spares unused",
        ),
    ]
    rows += [("failed", f"{o.url}: {o.error}") for o in result.failed]
    return Outcome(data, _table(rows))


async def _run_generate(args: argparse.Namespace, opts: Options, ctx: _Context) -> Outcome:
    fields: dict[str, Any] = args.fields
    resend: bool = args.resend_if_ambiguous
    files: list[str] | None = None
    async with _connect(opts, SunoClient) as (client, _):
        if args.no_wait:
            task_id = await client.generate(resend_if_ambiguous=resend, **fields)
            ctx.on_event(GenerationSubmitted(task_id=task_id, model=str(fields["model"])))
            data = {"command": "generate", "task_id": task_id, **_usage(client)}
            return Outcome(data, [task_id])
        if args.output:
            result = await client.generate_and_download(
                directory=args.output,
                journal=args.journal,
                resend_if_ambiguous=resend,
                timeout=opts.timeout,
                on_event=ctx.on_event,
                **fields,
            )
            task_id, clips, files = result.task_id, result.clips, result.files
        else:
            clips = await client.generate_and_wait(
                timeout=opts.timeout, resend_if_ambiguous=resend, on_event=ctx.on_event, **fields
            )
            task_id = ctx.task_id or ""
        usage = _usage(client)
    data = {"command": "generate", "task_id": task_id, "clips": _clips_data(clips)}
    if files is not None:
        data.update(_download_data(ctx, files))
    data.update(usage)
    rows = [("task_id", task_id), *_clip_rows(clips), *_download_rows(ctx)]
    return Outcome(data, _table(rows))


async def _run_pure_music(args: argparse.Namespace, opts: Options, ctx: _Context) -> Outcome:
    files: list[str] | None = None
    if opts.provider == "sunoapi":
        ctx.waitable = False  # its clips are not tasks "suno-async wait" knows
        async with _connect(opts, SunoApiClient) as (api, _):
            clips = await api.pure_music(
                args.tags, args.title, timeout=opts.timeout, on_event=ctx.on_event
            )
            if args.output:
                files = [
                    str(p)
                    for p in await api.download_clips(clips, args.output, on_event=ctx.on_event)
                ]
            usage = _usage(api)
    else:
        async with _connect(opts, SunoClient) as (client, _):
            clips = await client.pure_music(
                args.tags,
                args.title,
                model=args.model or DEFAULT_PURE_MUSIC_MODEL,
                timeout=opts.timeout,
                on_event=ctx.on_event,
            )
            if args.output:
                files = [
                    str(p)
                    for p in await client.download_clips(clips, args.output, on_event=ctx.on_event)
                ]
            usage = _usage(client)
    data = {
        "command": "pure-music",
        "provider": opts.provider,
        "task_id": ctx.task_id,
        "clips": _clips_data(clips),
    }
    if files is not None:
        data.update(_download_data(ctx, files))
    data.update(usage)
    rows = [("task_id", ctx.task_id), *_clip_rows(clips), *_download_rows(ctx)]
    return Outcome(data, _table(rows))


def _describe_data(data: Any) -> list[tuple[str, object]]:
    """People's rows for a task's ``data``: clips, a model, an uploaded clip."""
    if isinstance(data, list):
        try:
            return _clip_rows(msgspec.convert(data, list[Clip]))
        except msgspec.ValidationError:
            pass
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        is_model = data["id"].startswith("chirp-custom:")
        return [("model_id" if is_model else "clip", data["id"])]
    return [] if data is None else [("data", msgspec.json.encode(data).decode())]


async def _run_status(args: argparse.Namespace, opts: Options, ctx: _Context) -> Outcome:
    async with _connect(opts, SunoClient) as (client, _):
        snapshot = await client.get_status(args.task_id)
        usage = _usage(client)
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
        **usage,
    }
    rows: list[tuple[str, object]] = [("task_id", snapshot.task_id), ("status", snapshot.status)]
    if snapshot.fail_reason or snapshot.fail_code is not None:
        code = f" (code {snapshot.fail_code})" if snapshot.fail_code is not None else ""
        rows.append(("fail_reason", f"{snapshot.fail_reason or ''}{code}".strip()))
    rows += _describe_data(data_value)
    return Outcome(data, _table(rows))


async def _run_wait(args: argparse.Namespace, opts: Options, ctx: _Context) -> Outcome:
    task_id: str = args.task_id
    ctx.resume = f"It may still finish: run 'suno-async wait {task_id} --kind {args.kind}' again."
    data: dict[str, Any] = {"command": "wait", "task_id": task_id, "kind": args.kind}
    rows: list[tuple[str, object]] = [("task_id", task_id)]
    async with _connect(opts, SunoClient) as (client, _):
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
            data["clips"] = _clips_data(clips)
            rows += _clip_rows(clips)
            if args.output:
                paths = await client.download_clips(clips, args.output, on_event=ctx.on_event)
                data.update(_download_data(ctx, [str(p) for p in paths]))
                rows += _download_rows(ctx)
        data.update(_usage(client))
    return Outcome(data, _table(rows))


async def _run_download(args: argparse.Namespace, opts: Options, ctx: _Context) -> Outcome:
    clips: list[Clip] = args.clips
    ctx.display.expect_downloads(len(clips))
    # Downloads send no credentials: the client needs a key to exist, not a real one.
    async with SunoClient(api_key=_NO_KEY, base_url=DEFAULT_BASE_URL) as client:
        paths = await client.download_clips(clips, args.output, on_event=ctx.on_event)
    files = [str(p) for p in paths]
    data = {"command": "download", **_download_data(ctx, files)}
    data["bytes"] = sum(d.size for d in ctx.downloads)
    return Outcome(data, _table(_download_rows(ctx)))


_RUN: dict[str, Callable[[argparse.Namespace, Options, _Context], Awaitable[Outcome]]] = {
    "train": _run_train,
    "generate": _run_generate,
    "pure-music": _run_pure_music,
    "status": _run_status,
    "wait": _run_wait,
    "download": _run_download,
}


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(callable(isatty) and isatty())


def _report(exc: BaseException, args: argparse.Namespace, opts: Options, ctx: _Context) -> int:
    code = exit_code_for(exc)
    message = "interrupted." if isinstance(exc, KeyboardInterrupt) else str(exc)
    hint = ctx.resume_hint(exc) or hint_for(exc, command=args.command, key_env=opts.key_env)
    secrets = opts.secrets()
    text = one_line(message or type(exc).__name__, secrets=secrets)
    hint = one_line(hint, secrets=secrets) if hint else None
    if opts.json:
        payload = error_object(exc, message=text, code=code, hint=hint)
        stderr_line(msgspec.json.encode(payload).decode())
    else:
        stderr_line(f"suno-async {args.command}: error: {text}" + (f" {hint}" if hint else ""))
    return code


def execute(args: argparse.Namespace, opts: Options) -> int:
    """Run a prepared client command; print its result (standard output) or its error (one
    line on standard error); return the exit code."""
    display = make_display(
        json=opts.json,
        events=opts.events,
        quiet=opts.quiet,
        terminal=_is_terminal(sys.stderr),
        uploads=getattr(args, "clip_count", MIN_TRAINING_CLIPS),
    )
    ctx = _Context(display, args)
    try:
        with display, forward_warnings(display):
            outcome = anyio.run(_RUN[args.command], args, opts, ctx)
    except BrokenPipeError:
        raise  # the reader went away: main() stops quietly
    except (SunoError, OSError, KeyboardInterrupt) as exc:
        return _report(exc, args, opts, ctx)
    if opts.json:
        print(msgspec.json.encode(outcome.data).decode(), flush=True)
    else:
        for line in outcome.lines:
            print(line, flush=True)
    return EXIT_OK
