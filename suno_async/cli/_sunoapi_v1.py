"""``suno-async credits``, ``lyrics``, ``stems`` and ``create``: sunoapi's v1 calls.

They exist only on sunoapi, so ``--provider`` defaults to ``sunoapi`` for them (``--provider
mountsea`` is a usage error); the key comes from ``SUNOAPI_API_KEY``.

``--json`` prints, for ``credits``: ``command``, ``provider``, ``credits``, ``extra_credits``,
``total``. For ``lyrics``: ``command``, ``task_id``, ``lyrics`` (``title``, ``text`` each). For
``stems``: ``command``, ``task_id``, ``split`` (``basic`` or ``full``), ``tracks`` (the
provider's items); with ``--output`` ``files``, ``downloads``. For ``create``: ``command``,
``task_id``, ``webhook`` (whether a webhook was asked for), ``songs``; with ``--output``
``files``, ``downloads``. With ``--no-wait`` only ``task_id`` (and ``split``, ``webhook``). All
end with ``credits_spent``, ``credits_uncertain`` and ``requests_made``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from typing import Any, Final

import msgspec

from suno_async._core._models import Clip
from suno_async.cli._parser import (
    Commands,
    Handler,
    Parser,
    UsageError,
    add_command,
    add_shared_options,
    shared_option,
)
from suno_async.cli._run import (
    Context,
    Options,
    Outcome,
    Prepare,
    Run,
    client_handler,
    connect,
    download_data,
    download_rows,
    read_input,
    resolve_options,
    table,
    usage,
)
from suno_async.sunoapi._client import SunoapiClient
from suno_async.sunoapi._constants import CALL_COST, LYRICS_COST
from suno_async.sunoapi._v1_models import V1Clip

__all__ = ["WEBHOOK_SECRET_ENV", "add_commands"]

#: Where ``create --webhook-url`` takes its secret from when ``--webhook-secret`` is not given.
WEBHOOK_SECRET_ENV: Final = "SUNOAPI_WEBHOOK_SECRET"  # noqa: S105 - a variable name
_PROVIDER: Final = "sunoapi"


def _handler(run: Run, prepare: Prepare | None = None) -> Handler:
    """A client command of sunoapi's v1: the shared options resolved for sunoapi."""
    client = client_handler(run)

    def check(args: argparse.Namespace) -> None:
        given = shared_option(args, "provider")
        if given not in (None, _PROVIDER):
            raise UsageError(
                f"{args.command} is a call of sunoapi's v1 API: use --provider sunoapi "
                "(or leave --provider out)"
            )
        # These commands exist only on sunoapi: --provider defaults to it here.
        probe = argparse.Namespace(**vars(args))
        probe.provider = _PROVIDER
        args.options = opts = dataclasses.replace(resolve_options(probe), provider=_PROVIDER)
        if prepare is not None:
            prepare(args, opts)

    return Handler(check=check, execute=client.execute)


def _clip(item: V1Clip) -> Clip:
    """A v1 item as the Clip the downloads take."""
    return Clip(
        id=item.clip_id or "track", status=item.state, title=item.title, audio_url=item.audio_url
    )


def _item_rows(name: str, items: list[V1Clip]) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for item in items:
        parts = [item.clip_id or "", item.state or "", f'"{item.title}"' if item.title else ""]
        rows.append((name, "  ".join(p for p in (*parts, item.audio_url or "") if p)))
    return rows


def _submitted(ctx: Context, what: str, task_id: str) -> None:
    ctx.task_id = task_id
    ctx.resume = (
        f"The {what} task {task_id} was submitted (and paid for); it may still finish: look it "
        f"up with GET /api/v1/suno/task/{task_id} instead of paying for another."
    )


# -- credits -----------------------------------------------------------------------------------


async def _run_credits(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    async with connect(opts, SunoapiClient) as (api, _):
        balance = await api.credits()
        requests = api.stats.requests
    data = {
        "command": "credits",
        "provider": _PROVIDER,
        "credits": balance.credits,
        "extra_credits": balance.extra_credits,
        "total": balance.total,
        "requests_made": requests,
    }
    rows: list[tuple[str, object]] = [
        ("credits", balance.credits),
        ("extra_credits", balance.extra_credits),
        ("total", balance.total),
    ]
    return Outcome(data, table(rows))


# -- lyrics ------------------------------------------------------------------------------------


async def _run_lyrics(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    ctx.waitable = False
    async with connect(opts, SunoapiClient) as (api, _):
        handle = await api.v1.make_lyrics(args.prompt, resend_if_ambiguous=args.resend_if_ambiguous)
        _submitted(ctx, "lyrics", handle.id)
        if args.no_wait:
            return Outcome({"command": "lyrics", "task_id": handle.id, **usage(api)}, [handle.id])
        written = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
        spent = usage(api)
    data = {
        "command": "lyrics",
        "task_id": handle.id,
        "lyrics": [msgspec.to_builtins(lyrics) for lyrics in written],
        **spent,
    }
    lines = [f"task_id  {handle.id}"]
    for lyrics in written:
        lines += ["", f"# {lyrics.title}", lyrics.text]
    return Outcome(data, lines)


# -- stems -------------------------------------------------------------------------------------


async def _run_stems(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    ctx.waitable = False
    split = "full" if args.full else "basic"
    async with connect(opts, SunoapiClient) as (api, _):
        call = api.v1.stems_full if args.full else api.v1.stems_basic
        handle = await call(args.clip_id, resend_if_ambiguous=args.resend_if_ambiguous)
        _submitted(ctx, "stems", handle.id)
        data: dict[str, Any] = {"command": "stems", "task_id": handle.id, "split": split}
        if args.no_wait:
            return Outcome({**data, **usage(api)}, [handle.id])
        tracks = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
        data["tracks"] = [msgspec.to_builtins(track) for track in tracks]
        if args.output:
            clips = [_clip(track) for track in tracks]
            paths = await api.download_clips(clips, args.output, on_event=ctx.on_event)
            data.update(download_data(ctx, paths))
        data.update(usage(api))
    rows = [("task_id", handle.id), *_item_rows("track", tracks), *download_rows(ctx)]
    return Outcome(data, table(rows))


# -- create ------------------------------------------------------------------------------------


def _prepare_create(args: argparse.Namespace, opts: Options) -> None:
    if args.prompt_file:
        args.prompt = read_input(args.prompt_file)
    secret = args.webhook_secret
    if secret is None and args.webhook_url:
        secret = os.environ.get(WEBHOOK_SECRET_ENV, "").strip() or None
    if secret is not None and not args.webhook_url:
        raise UsageError("--webhook-secret needs --webhook-url")
    args.secret = secret
    if args.no_wait and args.output:
        raise UsageError("--no-wait prints the task id and stops: it cannot --output")


async def _run_create(args: argparse.Namespace, opts: Options, ctx: Context) -> Outcome:
    ctx.waitable = False
    async with connect(opts, SunoapiClient) as (api, _):
        handle = await api.v1.create(
            prompt=args.prompt,
            tags=args.tags,
            title=args.title,
            gpt_description_prompt=args.description,
            make_instrumental=args.instrumental,
            mv=args.mv,
            webhook_url=args.webhook_url,
            webhook_secret=args.secret,
            resend_if_ambiguous=args.resend_if_ambiguous,
        )
        _submitted(ctx, "create", handle.id)
        data: dict[str, Any] = {
            "command": "create",
            "task_id": handle.id,
            "webhook": args.webhook_url is not None,
        }
        if args.no_wait:
            return Outcome({**data, **usage(api)}, [handle.id])
        songs = await handle.wait(timeout=opts.timeout, on_event=ctx.on_event)
        data["songs"] = [msgspec.to_builtins(song) for song in songs]
        if args.output:
            clips = [_clip(song) for song in songs]
            paths = await api.download_clips(clips, args.output, on_event=ctx.on_event)
            data.update(download_data(ctx, paths))
        data.update(usage(api))
    rows = [("task_id", handle.id), *_item_rows("song", songs), *download_rows(ctx)]
    return Outcome(data, table(rows))


# -- the parsers -------------------------------------------------------------------------------

_RESEND_HELP: Final = (
    "if the outcome of the paid request is unknown (answer lost, 500, 502, 504), send it again "
    "instead of stopping with exit 8 (this may pay twice)"
)


def add_commands(commands: Commands[Parser]) -> None:
    """Add ``credits``, ``lyrics``, ``stems`` and ``create``."""
    credits = add_command(
        commands,
        "credits",
        handler=_handler(_run_credits),
        summary="show the sunoapi account's credit balance",
        description="""\
Print the sunoapi account's balance (GET /api/v1/get-credits): its credits, its one-time extra
credits and their total. Costs nothing. The key comes from SUNOAPI_API_KEY.""",
        epilog="""\
examples:
  suno-async credits
  suno-async --json credits | jq .total
  suno-async --emulator credits --emulator-credits 42""",
    )
    add_shared_options(credits, provider=True)

    lyrics = add_command(
        commands,
        "lyrics",
        handler=_handler(_run_lyrics),
        summary="write lyrics about a subject (sunoapi, 2 credits)",
        description=f"""\
Have sunoapi write lyrics about PROMPT (POST /api/v1/suno/make-lyrics, {LYRICS_COST} credits;
fewer than 200 characters), wait for them and print their title and text. --no-wait prints
only the task id.""",
        epilog="""\
examples:
  suno-async lyrics "a rainy night in the city"
  suno-async --emulator lyrics "the sea" --json | jq -r '.lyrics[0].text'""",
    )
    lyrics.add_argument("prompt", metavar="PROMPT", help="what the lyrics are about")
    lyrics.add_argument("--no-wait", action="store_true", help="print the task id and stop")
    lyrics.add_argument("--resend-if-ambiguous", action="store_true", help=_RESEND_HELP)
    add_shared_options(lyrics, provider=True)

    stems = add_command(
        commands,
        "stems",
        handler=_handler(_run_stems),
        summary="split a sunoapi song into 2 (or, --full, 12) tracks",
        description="""\
Split a finished song of the sunoapi account into tracks (POST /api/v1/suno/stems/basic: vocals
and instrumental; with --full, stems/full: 12 tracks), wait for them and print them; with
--output, download them. No price is published for stems, so --max-credits does not count
them; "suno-async credits" before and after shows what they cost.""",
        epilog="""\
examples:
  suno-async stems CLIP_ID --output stems/
  suno-async stems CLIP_ID --full --json | jq -r '.tracks[].title'""",
    )
    stems.add_argument("clip_id", metavar="CLIP_ID", help="the song to split")
    stems.add_argument("--full", action="store_true", help="12 tracks instead of 2")
    stems.add_argument("--output", "-o", metavar="DIR", help="download the tracks into DIR")
    stems.add_argument("--no-wait", action="store_true", help="print the task id and stop")
    stems.add_argument("--resend-if-ambiguous", action="store_true", help=_RESEND_HELP)
    add_shared_options(stems, provider=True)

    create = add_command(
        commands,
        "create",
        handler=_handler(_run_create, _prepare_create),
        summary="make two songs with sunoapi's v1 create (every field, webhooks too)",
        description=f"""\
Make two songs with sunoapi's v1 create ({CALL_COST} credits), wait for them and print them;
with --output, download them. Custom mode takes your lyrics (--prompt or --prompt-file) and
--tags; --description alone lets the service write the song. With --webhook-url the service
also POSTs the finished task there, signed with --webhook-secret (default
${WEBHOOK_SECRET_ENV}); this command still waits by polling (receive the webhook with
suno_async.WebhookReceiver in your own service).""",
        epilog=f"""\
examples:
  suno-async create --prompt "[Verse] Neon rain" --tags synthwave --title Night -o songs/
  suno-async create --description "a calm sea at night" --instrumental
  export {WEBHOOK_SECRET_ENV}=...   # prefer this to --webhook-secret (visible in ps)
  suno-async create --tags lofi --instrumental --webhook-url https://my.example/hooks/suno""",
    )
    what = create.add_argument_group("what to make")
    prompt = what.add_mutually_exclusive_group()
    prompt.add_argument("--prompt", default=None, metavar="TEXT", help="the lyrics")
    prompt.add_argument(
        "--prompt-file", metavar="FILE", help="read the lyrics from FILE (- reads stdin)"
    )
    what.add_argument(
        "--description",
        default=None,
        metavar="TEXT",
        help="describe the song instead of giving lyrics (gpt_description_prompt)",
    )
    what.add_argument("--tags", default=None, help="style tags, e.g. 'pop, upbeat'")
    what.add_argument("--title", default=None, help="the song's title")
    what.add_argument("--instrumental", action="store_true", help="no vocals")
    what.add_argument("--mv", default=None, metavar="MODEL", help="the model, e.g. chirp-v5")
    hooks = create.add_argument_group("webhook")
    hooks.add_argument(
        "--webhook-url", default=None, metavar="URL", help="where the service POSTs the result"
    )
    hooks.add_argument(
        "--webhook-secret",
        default=None,
        metavar="SECRET",
        help=f"the secret the delivery is signed with (default ${WEBHOOK_SECRET_ENV}; a secret "
        "on the command line is visible to other users)",
    )
    out = create.add_argument_group("waiting and saving")
    out.add_argument("--output", "-o", metavar="DIR", help="download the songs into DIR")
    out.add_argument("--no-wait", action="store_true", help="print the task id and stop")
    out.add_argument("--resend-if-ambiguous", action="store_true", help=_RESEND_HELP)
    add_shared_options(create, provider=True)
