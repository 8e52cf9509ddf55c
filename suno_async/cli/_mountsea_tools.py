"""``suno-async mountsea-lyrics``, ``concat``, ``persona``, ``mountsea-credits``, ``upload`` and
``export``: mountsea's calls besides training and generation.

(``lyrics`` and ``credits`` are sunoapi's commands, hence the ``mountsea-`` names here.)

``--json`` prints, for ``mountsea-lyrics``: ``command``, ``task_id``, ``title``, ``text``,
``data``. For ``concat``: ``command``, ``task_id``, ``clips``; with ``--output`` ``files``,
``downloads``. For ``persona``: ``command``, ``task_id``, ``status`` (``awaiting`` without
``--verification-url``: then ``phrase_text``; ``success``: then ``persona_id``), ``data``. For
``mountsea-credits``: ``command``, ``credits``. For ``upload``: ``command``, ``task_id``,
``clip_id``. For ``export``: ``command``, ``what`` (``timing``, ``downbeats`` or ``midi``),
``task_id``, ``data`` (and ``midi_url`` for midi). Those that call the API end with
``credits_spent``, ``credits_uncertain`` and ``requests_made``.
"""

from __future__ import annotations

import argparse
from typing import Any, Final

import msgspec

from suno_async.cli._parser import Commands, Parser, UsageError, add_command, add_shared_options
from suno_async.cli._run import (
    Context,
    Options,
    Outcome,
    client_handler,
    clip_rows,
    connect,
    download_data,
    download_rows,
    table,
    usage,
)
from suno_async.mountsea._client import MountseaClient
from suno_async.mountsea._constants import PERSONA_LANGUAGES

__all__ = ["add_commands"]

_RESEND_HELP: Final = (
    "if the outcome of the request is unknown (answer lost, 500, 502, 504), send it again "
    "instead of stopping with exit 8 (this may start the work twice)"
)


def _submitted(ctx: Context, what: str, task_id: str) -> None:
    ctx.task_id = task_id
    ctx.waitable = False
    ctx.resume = (
        f"The {what} task {task_id} was submitted; it may still finish: look it up with "
        f"suno-async status {task_id}."
    )


async def _run_lyrics(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, MountseaClient) as (api, _):
        handle = await api.lyrics(
            args.prompt, lyrics_model=args.model, resend_if_ambiguous=args.resend_if_ambiguous
        )
        _submitted(ctx, "lyrics", handle.id)
        result = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
        spent = usage(api)
    data = {
        "command": "mountsea-lyrics",
        "task_id": handle.id,
        "title": result.title,
        "text": result.text,
        "data": result.data,
        **spent,
    }
    lines = [f"task_id  {handle.id}", "", f"# {result.title or ''}", result.text or ""]
    return Outcome(data, lines)


async def _run_concat(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, MountseaClient) as (api, _):
        handle = await api.concat(args.clip_id, resend_if_ambiguous=args.resend_if_ambiguous)
        _submitted(ctx, "concat", handle.id)
        result = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
        data: dict[str, Any] = {
            "command": "concat",
            "task_id": handle.id,
            "clips": [msgspec.to_builtins(clip) for clip in result.clips],
        }
        if args.output:
            paths = await api.download_clips(result.clips, args.output, on_event=ctx.on_event)
            data.update(download_data(ctx, paths))
        data.update(usage(api))
    rows = [("task_id", handle.id), *clip_rows(result.clips), *download_rows(ctx)]
    return Outcome(data, table(rows))


def _prepare_persona(args: argparse.Namespace, opts: Options) -> None:
    if args.complete and not (args.verification_url and args.name):
        raise UsageError("--complete needs --verification-url and --name")
    if not args.complete and not (args.voice_url and args.language):
        raise UsageError("give VOICE_URL and --language (or --complete TASK_ID)")
    if args.verification_url and not args.name:
        raise UsageError("--verification-url needs --name")


async def _run_persona(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, MountseaClient) as (api, _):
        if args.complete:
            handle = await api.complete_voice_persona(
                args.complete, args.verification_url, args.name, description=args.description
            )
            _submitted(ctx, "voice persona", handle.id)
            step = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
        elif args.verification_url:
            url: str = args.verification_url

            async def verify(phrase: str) -> str:
                return url

            step = await api.create_voice_persona(
                args.voice_url,
                args.language,
                args.name,
                verify,
                description=args.description,
                timeout=opts.timeout,
            )
        else:
            handle = await api.init_voice_persona(args.voice_url, args.language)
            _submitted(ctx, "voice persona", handle.id)
            step = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
        spent = usage(api)
    data = {
        "command": "persona",
        "task_id": step.task_id,
        "status": step.status,
        "phrase_text": step.phrase_text,
        "persona_id": step.persona_id,
        "data": step.data,
        **spent,
    }
    rows: list[tuple[str, object]] = [("task_id", step.task_id), ("status", step.status)]
    if step.awaiting:
        rows += [
            ("phrase_text", step.phrase_text or ""),
            (
                "next",
                f"within 30 s: suno-async persona --complete {step.task_id} "
                "--verification-url URL --name NAME",
            ),
        ]
    if step.persona_id:
        rows.append(("persona_id", step.persona_id))
    return Outcome(data, table(rows))


async def _run_credits(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, MountseaClient) as (api, _):
        balance = await api.get_credits()
        requests = api.stats.requests
    data = {"command": "mountsea-credits", "credits": balance.credits, "requests_made": requests}
    return Outcome(data, table([("credits", balance.credits)]))


async def _run_upload(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, MountseaClient) as (api, _):
        handle = await api.upload(args.audio_url, resend_if_ambiguous=args.resend_if_ambiguous)
        _submitted(ctx, "upload", handle.id)
        result = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
        spent = usage(api)
    data = {"command": "upload", "task_id": handle.id, "clip_id": result.clip_id, **spent}
    return Outcome(data, table([("task_id", handle.id), ("clip_id", result.clip_id or "")]))


async def _run_export(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, MountseaClient) as (api, _):
        data: dict[str, Any] = {"command": "export", "what": args.what}
        if args.what == "midi":
            midi = await api.midi(args.clip_id)
            _submitted(ctx, "midi", midi.id)
            result = await midi.wait(timeout=opts.timeout, on_event=ctx.on_event)
            data |= {"task_id": midi.id, "midi_url": result.midi_url, "data": result.data}
            rows: list[tuple[str, object]] = [("midi_url", result.midi_url or "")]
        else:
            call = api.timing if args.what == "timing" else api.downbeats
            handle = await call(args.clip_id)
            _submitted(ctx, args.what, handle.id)
            plain = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
            data |= {"task_id": handle.id, "data": plain.data}
            rows = [("data", msgspec.json.encode(plain.data).decode())]
        data.update(usage(api))
    return Outcome(data, table([("task_id", data["task_id"]), *rows]))


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``mountsea-lyrics``, ``concat``, ``persona``, ``mountsea-credits``, ``upload`` and
    ``export``."""
    lyrics = add_command(
        commands,
        "mountsea-lyrics",
        handler=client_handler(_run_lyrics),
        summary="write lyrics with mountsea (POST /suno/v2/lyrics)",
        description="Have mountsea write lyrics about PROMPT, wait, and print them.",
        epilog="""\
examples:
  suno-async mountsea-lyrics "a rainy night in the city"
  suno-async --emulator --json mountsea-lyrics "the sea" | jq -r .text""",
    )
    lyrics.add_argument("prompt", metavar="PROMPT", help="what the lyrics are about")
    lyrics.add_argument(
        "--model", default="default", choices=("default", "remi-v1"), help="lyrics_model"
    )
    lyrics.add_argument("--resend-if-ambiguous", action="store_true", help=_RESEND_HELP)
    add_shared_options(lyrics)

    concat = add_command(
        commands,
        "concat",
        handler=client_handler(_run_concat),
        summary="join an extension and what it extends into one song",
        description="POST /suno/v2/concat for CLIP_ID (an extension), wait, print the song.",
        epilog="""\
examples:
  suno-async concat CLIP_ID --output songs/""",
    )
    concat.add_argument("clip_id", metavar="CLIP_ID", help="the extension clip")
    concat.add_argument("--output", "-o", metavar="DIR", help="download the song into DIR")
    concat.add_argument("--resend-if-ambiguous", action="store_true", help=_RESEND_HELP)
    add_shared_options(concat)

    persona = add_command(
        commands,
        "persona",
        handler=client_handler(_run_persona, _prepare_persona),
        summary="make a voice persona (init, verify within 30 s, complete)",
        description="""\
Start a voice persona from VOICE_URL (POST /suno/v2/voicePersona/init) and wait until it
awaits verification: print the phrase to record. With --verification-url and --name the whole
flow runs (the URL must already hold the phrase spoken); --complete TASK_ID finishes a persona
started before (within the provider's 30 s window).""",
        epilog="""\
examples:
  suno-async persona https://example.com/voice.mp3 --language en
  suno-async persona --complete TASK_ID --verification-url https://example.com/v.mp3 --name Me""",
    )
    persona.add_argument("voice_url", metavar="VOICE_URL", nargs="?", help="the voice recording")
    persona.add_argument("--language", choices=sorted(PERSONA_LANGUAGES), help="its language")
    persona.add_argument("--name", default=None, help="the persona's name")
    persona.add_argument("--description", default=None, help="the persona's description")
    persona.add_argument("--verification-url", default=None, metavar="URL", help="the phrase")
    persona.add_argument("--complete", default=None, metavar="TASK_ID", help="finish a persona")
    add_shared_options(persona)

    credits = add_command(
        commands,
        "mountsea-credits",
        handler=client_handler(_run_credits),
        summary="show the mountsea account's credit balance",
        description="GET /api-user/credits on mountsea's usage host (dk.mountsea.ai).",
        epilog="""\
examples:
  suno-async --json mountsea-credits | jq .credits""",
    )
    add_shared_options(credits)

    upload = add_command(
        commands,
        "upload",
        handler=client_handler(_run_upload),
        summary="upload audio by URL: a clip id for upload_extend/upload_cover",
        description="POST /suno/v2/upload with AUDIO_URL, wait, print the clip id.",
        epilog="""\
examples:
  suno-async upload https://example.com/song.mp3""",
    )
    upload.add_argument("audio_url", metavar="AUDIO_URL", help="a public audio URL")
    upload.add_argument("--resend-if-ambiguous", action="store_true", help=_RESEND_HELP)
    add_shared_options(upload)

    export = add_command(
        commands,
        "export",
        handler=client_handler(_run_export),
        summary="export a clip's lyrics timing, downbeats or MIDI",
        description="""\
POST /suno/v2/timing, /downbeats or /mdi for CLIP_ID, wait, and print the result (MIDI: its
download link; the clip must come from a gen_stem_all generation).""",
        epilog="""\
examples:
  suno-async --json export timing CLIP_ID | jq .data
  suno-async export midi STEM_CLIP_ID""",
    )
    export.add_argument("what", choices=("timing", "downbeats", "midi"), help="what to export")
    export.add_argument("clip_id", metavar="CLIP_ID", help="the clip")
    add_shared_options(export)
