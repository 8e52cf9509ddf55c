"""``suno-async generate`` (mountsea, any of its generate tasks) and ``suno-async pure-music``
(on either provider).

``--json`` prints, for ``generate``: ``command``, ``task_id``; unless ``--no-wait`` also
``clips`` (the provider's clip objects); with ``--output`` also ``files`` and ``downloads``.
For ``pure-music``: ``command``, ``provider``, ``task_id``, ``clips``; with ``--output``
``files``, ``downloads``. Both end with ``credits_spent``, ``credits_uncertain`` and
``requests_made``.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import Any

import msgspec

from suno_async._core._events import GenerationSubmitted
from suno_async._core._models import Clip
from suno_async.cli import _convert
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
from suno_async.mountsea._constants import DEFAULT_MODEL, GENERATE_COST
from suno_async.mountsea._models import CUSTOM_MODEL_PREFIX, GenerateRequest, GenerateTask
from suno_async.sunoapi._client import SunoapiClient
from suno_async.sunoapi._constants import CALL_COST as SUNOAPI_CALL_COST

__all__ = ["add_commands"]

#: The options that are generate fields of the same name (their ``dest``).
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
            loaded = msgspec.json.decode(read_input(args.request_file))
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
        args.prompt = read_input(args.prompt_file)
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
    fields.setdefault("model", DEFAULT_MODEL)
    args.fields = fields
    _refuse_earlier_work(opts, str(fields["model"]), fields.get("clip_id"))
    if args.journal and not args.output:
        raise UsageError("--journal needs --output (it records the downloads too)")
    if args.no_wait and (args.output or args.journal):
        raise UsageError("--no-wait prints the task id and stops: it cannot --output")


def _refuse_earlier_work(opts: Options, model: str, clip_id: object = None) -> None:
    """With ``--emulator``, refuse a model or clip from an earlier command: the fresh emulator
    cannot know it."""
    if not opts.emulator:
        return
    what = (
        f"--model {model}"
        if model.startswith(CUSTOM_MODEL_PREFIX)
        else f"--clip-id {clip_id}"
        if clip_id
        else None
    )
    if what is not None:
        raise UsageError(
            f"{what} with --emulator: --emulator starts a fresh emulator for this command "
            "alone, which knows no model or clip made earlier. Run 'suno-async emulator' in "
            "another terminal and paste the export lines it prints (then train and generate "
            "without --emulator), or train and generate in Python on one emulator"
        )


async def _run_generate(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    fields: dict[str, Any] = args.fields
    resend: bool = args.resend_if_ambiguous
    files: list[Path] | None = None
    allowed = {"extra_models": args.allow_model or ()}
    async with connect(opts, MountseaClient, **allowed) as (client, _):
        if args.no_wait:
            task_id = await client.generate(resend_if_ambiguous=resend, **fields)
            ctx.on_event(GenerationSubmitted(task_id=task_id, model=str(fields["model"])))
            data = {"command": "generate", "task_id": task_id, **usage(client)}
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
        spent = usage(client)
    data = {"command": "generate", "task_id": task_id, "clips": clips_data(clips)}
    if files is not None:
        data.update(download_data(ctx, files))
    data.update(spent)
    rows = [("task_id", task_id), *clip_rows(clips), *download_rows(ctx)]
    return Outcome(data, table(rows))


def _prepare_pure_music(args: argparse.Namespace, opts: Options) -> None:
    if (args.model is not None or args.allow_model) and opts.provider == "sunoapi":
        raise UsageError("--model is for --provider mountsea (sunoapi picks v3.5)")
    _refuse_earlier_work(opts, args.model or DEFAULT_MODEL)


async def _run_pure_music(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    files: list[Path] | None = None
    clips: list[Clip]
    if opts.provider == "sunoapi":
        ctx.waitable = False  # its clips are not tasks "suno-async wait" knows
        async with connect(opts, SunoapiClient) as (api, _):
            clips = await api.pure_music(
                args.tags,
                args.title,
                timeout=opts.timeout,
                resend_if_ambiguous=args.resend_if_ambiguous,
                on_event=ctx.on_event,
            )
            if args.output:
                files = await api.download_clips(clips, args.output, on_event=ctx.on_event)
            spent = usage(api)
    else:
        allowed = {"extra_models": args.allow_model or ()}
        async with connect(opts, MountseaClient, **allowed) as (client, _):
            clips = await client.pure_music(
                args.tags,
                args.title,
                model=args.model or DEFAULT_MODEL,
                timeout=opts.timeout,
                resend_if_ambiguous=args.resend_if_ambiguous,
                on_event=ctx.on_event,
            )
            if args.output:
                files = await client.download_clips(clips, args.output, on_event=ctx.on_event)
            spent = usage(client)
    data = {
        "command": "pure-music",
        "provider": opts.provider,
        "task_id": ctx.task_id,
        "clips": clips_data(clips),
    }
    if files is not None:
        data.update(download_data(ctx, files))
    data.update(spent)
    rows = [("task_id", ctx.task_id), *clip_rows(clips), *download_rows(ctx)]
    return Outcome(data, table(rows))


def _add_allow_model(group: Any) -> None:
    group.add_argument(
        "--allow-model",
        action="append",
        default=None,
        metavar="MODEL",
        help="accept this model name although this release does not know it (a model the "
        "provider added later); repeatable",
    )


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``generate`` and ``pure-music``."""
    add_shared_options(_generate_parser(commands))
    add_shared_options(_pure_music_parser(commands), provider=True)


def _generate_parser(commands: Commands[Parser]) -> Parser:
    tasks = textwrap.fill(
        "Tasks: " + ", ".join(task.value for task in GenerateTask) + ".", width=92
    )
    generate = add_command(
        commands,
        "generate",
        handler=client_handler(_run_generate, _prepare_generate),
        summary="generate songs on mountsea (create, extend, cover, ... any of the 15 tasks)",
        description=f"""\
Start a generation on mountsea ({GENERATE_COST} credits), wait for its clips (two, usually) and
print them; with --output, download their audio too. The task's required fields are checked
before anything is sent. --no-wait prints only the task id, to wait for later with
"suno-async wait".

{tasks}
A field without its own option can come from --request-file.""",
        epilog="""\
examples:
  suno-async --emulator generate --prompt "[Verse] Hello" --tags "pop, upbeat" --output songs/
  suno-async generate --model chirp-custom:UUID --prompt-file lyrics.txt --tags "indie" \\
      --title "Night Drive" --output songs/ --journal night.json
  suno-async generate --instrumental --tags "lofi, chill" --title "Rain"
  suno-async generate --task extend --clip-id CLIP --continue-at 30 --prompt "[Chorus] ..."
  suno-async generate --task add_vocals --clip-id CLIP --range 0:30 --prompt "[Verse] ..."
  TASK=$(suno-async generate --no-wait --tags "lofi"); suno-async wait "$TASK" --output songs/""",
    )
    what = generate.add_argument_group("what to make")
    what.add_argument(
        "--task",
        choices=[task.value for task in GenerateTask],
        default=None,
        metavar="TASK",
        help="the kind of generation (default create)",
    )
    what.add_argument(
        "--model",
        default=None,
        help=f"a stock model (default {DEFAULT_MODEL}) or a trained one, chirp-custom:UUID",
    )
    _add_allow_model(what)
    prompt = what.add_mutually_exclusive_group()
    prompt.add_argument("--prompt", default=None, metavar="TEXT", help="the lyrics")
    prompt.add_argument(
        "--prompt-file", metavar="FILE", help="read the lyrics from FILE (- reads stdin)"
    )
    what.add_argument(
        "--description",
        dest="gpt_description_prompt",
        default=None,
        metavar="TEXT",
        help="describe the song instead of giving lyrics (gpt_description_prompt)",
    )
    what.add_argument("--tags", default=None, help="style tags, e.g. 'pop, upbeat'")
    what.add_argument("--negative-tags", default=None, metavar="TAGS", help="styles to avoid")
    what.add_argument("--title", default=None, help="the song's title")
    what.add_argument(
        "--instrumental",
        dest="make_instrumental",
        action="store_true",
        default=None,
        help="no vocals",
    )
    what.add_argument("--vocal-gender", choices=("m", "f"), default=None, help="the singer's voice")
    edit = generate.add_argument_group("working on existing audio")
    edit.add_argument("--clip-id", default=None, metavar="ID", help="the clip to work on")
    edit.add_argument(
        "--continue-at",
        type=_convert.seconds,
        default=None,
        metavar="SECONDS",
        help="extend from this point of the clip",
    )
    edit.add_argument(
        "--range",
        type=_convert.time_range,
        default=None,
        metavar="START:END",
        help="the part of the clip to work on, in seconds",
    )
    edit.add_argument(
        "--infill-context-range",
        type=_convert.time_range,
        default=None,
        metavar="START:END",
        help="replace_section: the context around --range",
    )
    edit.add_argument(
        "--continued-aligned-prompt",
        default=None,
        metavar="TEXT",
        help="replace_section: the lyrics of the whole song after the change",
    )
    edit.add_argument(
        "--infill-lyrics", default=None, metavar="TEXT", help="new lyrics for --range"
    )
    edit.add_argument("--infill-type", default=None, metavar="TYPE", help="how to infill")
    edit.add_argument(
        "--audio-url",
        default=None,
        metavar="URL",
        help="upload_extend, upload_cover: the audio to start from",
    )
    edit.add_argument(
        "--mashup-clip-ids",
        type=_convert.id_list,
        default=None,
        metavar="ID,ID",
        help="mashup: the clips to combine",
    )
    edit.add_argument("--playlist-id", default=None, metavar="ID", help="inspiration: the playlist")
    edit.add_argument(
        "--playlist-clip-ids",
        type=_convert.id_list,
        default=None,
        metavar="ID,ID",
        help="inspiration: clips of the playlist",
    )
    more = generate.add_argument_group("persona, controls and sound")
    more.add_argument("--persona-id", default=None, metavar="ID", help="sing as this persona")
    more.add_argument("--artist-clip-id", default=None, metavar="ID", help="the persona's clip")
    more.add_argument("--persona-style", default=None, metavar="TEXT", help="the persona's style")
    for flag, text in (
        ("--style-weight", "how closely to follow the tags (0-1)"),
        ("--audio-weight", "how closely to follow the source audio (0-1)"),
        ("--weirdness", "how adventurous to be (0-1; weirdness_constraint)"),
    ):
        more.add_argument(flag, type=_convert.number, default=None, metavar="X", help=text)
    more.add_argument(
        "--sound-description", default=None, metavar="TEXT", help="sound: what to make"
    )
    more.add_argument("--sound-type", default=None, metavar="TYPE", help="sound: e.g. one_shot")
    more.add_argument("--sound-key", default=None, metavar="KEY", help="sound: musical key")
    more.add_argument(
        "--sound-bpm", type=_convert.number, default=None, metavar="BPM", help="sound: tempo"
    )
    more.add_argument(
        "--request-file",
        metavar="FILE",
        help="a JSON object of generate fields (snake_case, as the API takes them); the "
        "options given here override it",
    )
    out = generate.add_argument_group("waiting and saving")
    out.add_argument(
        "--output",
        "-o",
        metavar="DIR",
        help="download the clips' audio into DIR as CLIP_ID.EXT (kept if already there)",
    )
    out.add_argument(
        "--journal",
        metavar="FILE",
        help="with --output: record progress in FILE, so running the same command again "
        "after a crash waits for the same generation instead of paying for another",
    )
    out.add_argument(
        "--no-wait",
        action="store_true",
        help="print the task id as soon as the generation is accepted, and stop",
    )
    out.add_argument(
        "--resend-if-ambiguous",
        action="store_true",
        help="if the outcome of the paid request is unknown (answer lost, 500, 502, 504), send "
        "it again instead of stopping with exit 8 (the provider cannot look it up, so this may "
        "pay twice)",
    )
    return generate


def _pure_music_parser(commands: Commands[Parser]) -> Parser:
    pure = add_command(
        commands,
        "pure-music",
        handler=client_handler(_run_pure_music, _prepare_pure_music),
        summary="instrumental music from style tags, on either provider",
        description=f"""\
Make instrumental music from style tags and an optional title, wait for the clips and print
them; with --output, download them. Works on both providers: mountsea (the default: generate,
{GENERATE_COST} credits; --model picks the model) and sunoapi (--provider sunoapi: its v3.5
create-pure-music, {SUNOAPI_CALL_COST} credits; key in SUNOAPI_API_KEY).""",
        epilog="""\
examples:
  suno-async --emulator pure-music "lofi, chill" --title "Night Drive" --output songs/
  suno-async pure-music "epic reggae" --provider sunoapi --title "Electric Dreams"
  suno-async --json pure-music "ambient" | jq -r '.clips[].audio_url'""",
    )
    pure.add_argument("tags", help="style tags, e.g. 'lofi, chill'")
    pure.add_argument("--title", default=None, help="the track's title")
    pure.add_argument(
        "--model",
        default=None,
        help=f"mountsea only: the model (default {DEFAULT_MODEL})",
    )
    _add_allow_model(pure)
    pure.add_argument("--output", "-o", metavar="DIR", help="download the audio into DIR")
    pure.add_argument(
        "--resend-if-ambiguous",
        action="store_true",
        help="if the outcome of the paid request is unknown (answer lost, 500, 502, 504), send "
        "it again instead of stopping with exit 8 (this may pay twice)",
    )
    return pure
