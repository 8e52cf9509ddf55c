"""The argument parsers of the ``suno-async`` client commands (train, generate, pure-music,
status, wait, download) and of the options they share.

The shared options are accepted both before the command (``suno-async --emulator generate``)
and after it (``suno-async generate --emulator``); given twice, the one after the command wins.
Before the command they are stored under ``global_<name>``, after it under ``<name>``, and
both default to "absent" (``argparse.SUPPRESS``), so :func:`shared_option` can tell what was
given where. Every value is checked by the command runner
(:mod:`suno_async._cli_commands`), which reports a bad combination as a usage error.
"""

from __future__ import annotations

import argparse
import math
import textwrap
from typing import Final

from suno_async._cli_exit import EXIT_CODES_HELP
from suno_async._constants import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_PURE_MUSIC_MODEL,
    MIN_TRAINING_CLIPS,
    SUNOAPI_API_KEY_ENV,
    SUNOAPI_BASE_URL_ENV,
    SUNOAPI_DEFAULT_BASE_URL,
)
from suno_async.models.mountsea import GenerateTask

__all__ = [
    "CLIENT_COMMANDS",
    "DEFAULT_EMULATOR_SPEED",
    "GLOBAL_PREFIX",
    "SHARED_OPTIONS",
    "TOP_DESCRIPTION",
    "TOP_EPILOG",
    "add_client_commands",
    "add_shared_options",
    "shared_option",
]

#: Where options given before the command are stored: ``global_<name>``.
GLOBAL_PREFIX: Final = "global_"
#: The speed-up of the embedded emulator when ``--emulator`` is given without ``--speed``.
DEFAULT_EMULATOR_SPEED: Final = 60.0
#: The commands that talk to the API (all but ``demo`` and ``emulator``).
CLIENT_COMMANDS: Final = ("train", "generate", "pure-music", "status", "wait", "download")
#: Every shared option's ``dest`` (without the prefix).
SHARED_OPTIONS: Final = (
    "base_url",
    "api_key",
    "provider",
    "emulator",
    "speed",
    "emulator_api_key",
    "emulator_credits",
    "timeout",
    "max_credits",
    "json",
    "events",
    "quiet",
)

_RAW: Final = argparse.RawDescriptionHelpFormatter
_ABSENT: Final = object()

TOP_DESCRIPTION: Final = """\
Train custom models, generate songs and download them, against a Suno-style music API
(the custom-model provider, key in SUNO_API_KEY) or, with --emulator, against the embedded
emulator: offline, no key, no credits.
"""

TOP_EPILOG: Final = f"""\
try it offline (no key needed):
  suno-async --emulator train --name "My Model"      # on the emulator's six sample tracks
  suno-async --emulator generate --tags "pop, upbeat" --prompt "[Verse] ..." --output songs/
  suno-async --emulator pure-music "lofi, chill" --title "Night Drive" --output songs/
  suno-async demo                                    # all of it, end to end

against the service:
  export SUNO_API_KEY=...      # prefer this to --api-key, which others can see in ps
  suno-async train --name "My Model" --urls-file tracks.txt --journal train.json
  suno-async generate --model chirp-custom:UUID --prompt-file lyrics.txt --tags pop \\
      --output songs/
  TASK=$(suno-async generate --no-wait --tags "lofi" --instrumental)
  suno-async wait "$TASK" --output songs/

The shared options (--emulator, --json, --timeout, ...) go before or after the command.
"suno-async COMMAND --help" shows each command's options, with examples.

environment:
  {API_KEY_ENV}, {BASE_URL_ENV}
      the custom-model provider's key and base URL (default {DEFAULT_BASE_URL})
  {SUNOAPI_API_KEY_ENV}, {SUNOAPI_BASE_URL_ENV}
      sunoapi.com's key and base URL, for pure-music --provider sunoapi
      (default {SUNOAPI_DEFAULT_BASE_URL})

output:
  The result goes to standard output: a few "name  value" lines, or with --json one JSON
  object. Progress goes to standard error: live bars on a terminal (they need the "cli"
  extra: pip install "suno_async[cli]"), one line per step otherwise, nothing with --quiet;
  with --json --events, one JSON object per event. An error is one line on standard error
  (with --json a JSON object with "error", "type" and "exit_code"). The API key is never
  printed.

{EXIT_CODES_HELP}"""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text!r}")
    return value


def _time_range(text: str) -> dict[str, float]:
    start, colon, end = text.partition(":")
    if not colon:
        raise argparse.ArgumentTypeError(f"must be START:END in seconds, e.g. 30:45, got {text!r}")
    try:
        return {"start_s": _seconds(start), "end_s": _seconds(end)}
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be START:END in seconds, e.g. 30:45, got {text!r}"
        ) from None


def _id_list(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("must be one or more ids separated by commas")
    return ids


def shared_option(args: argparse.Namespace, name: str, default: object = None) -> object:
    """The value of shared option ``name``: given after the command, else before it, else
    ``default``."""
    value = getattr(args, name, _ABSENT)
    if value is _ABSENT:
        value = getattr(args, GLOBAL_PREFIX + name, _ABSENT)
    return default if value is _ABSENT else value


def add_shared_options(
    parser: argparse.ArgumentParser,
    *,
    prefix: str = "",
    connection: bool = True,
    provider: bool = False,
) -> None:
    """Add the shared options to ``parser``, stored as ``<prefix><name>``, absent by default.

    ``connection=False`` leaves out the ones about the API (for ``download``, which needs no
    key); ``provider`` adds ``--provider`` (the top level and ``pure-music``, where it
    matters).
    """
    absent = argparse.SUPPRESS
    if connection:
        api = parser.add_argument_group(
            "connection (before or after the command)",
            f"The key comes from {API_KEY_ENV} ({SUNOAPI_API_KEY_ENV} for --provider sunoapi),\n"
            f"the base URL from {BASE_URL_ENV} ({SUNOAPI_BASE_URL_ENV}), unless given here.",
        )
        api.add_argument(
            "--base-url",
            dest=prefix + "base_url",
            default=absent,
            metavar="URL",
            help=f"the API's base URL (default: ${BASE_URL_ENV}, else {DEFAULT_BASE_URL})",
        )
        api.add_argument(
            "--api-key",
            dest=prefix + "api_key",
            default=absent,
            metavar="KEY",
            help=f"the API key; prefer ${API_KEY_ENV}: a key on the command line is visible to "
            "other users (ps) and stays in the shell's history",
        )
        if provider:
            api.add_argument(
                "--provider",
                dest=prefix + "provider",
                default=absent,
                choices=("custom-model", "sunoapi"),
                help="which API: the custom-model provider (default; every command) or "
                "sunoapi.com (pure-music only)",
            )
        api.add_argument(
            "--emulator",
            dest=prefix + "emulator",
            action="store_true",
            default=absent,
            help="start the embedded emulator in this process and use it: offline, no key, "
            "no credits (it is gone when the command ends)",
        )
        api.add_argument(
            "--speed",
            dest=prefix + "speed",
            type=_positive_float,
            default=absent,
            metavar="FACTOR",
            help=f"with --emulator, how much faster than real time it runs (default "
            f"{DEFAULT_EMULATOR_SPEED:g}); without, the speed of a loopback emulator you "
            "started with 'suno-async emulator --speed FACTOR', so waits match it",
        )
        api.add_argument(
            "--emulator-api-key",
            dest=prefix + "emulator_api_key",
            default=absent,
            metavar="KEY",
            help="with --emulator, accept only this key (to see what a wrong key does)",
        )
        api.add_argument(
            "--emulator-credits",
            dest=prefix + "emulator_credits",
            type=_count,
            default=absent,
            metavar="N",
            help="with --emulator, the accounts' starting credits (to see what running out does)",
        )
        api.add_argument(
            "--timeout",
            dest=prefix + "timeout",
            type=_positive_float,
            default=absent,
            metavar="SECONDS",
            help="give up waiting for a task after SECONDS (exit 7; the task may still "
            "finish). Default: 10 min for uploads and generations, 15 min for a training; "
            "for train it bounds the whole run. Seconds of the emulator's clock with --speed",
        )
        api.add_argument(
            "--max-credits",
            dest=prefix + "max_credits",
            type=_positive_int,
            default=absent,
            metavar="N",
            help="refuse (exit 4, before sending) a call whose known cost would take this run "
            "past N credits: create 100, generate 40, sunoapi.com 10",
        )
    out = parser.add_argument_group("output (before or after the command)")
    out.add_argument(
        "--json",
        dest=prefix + "json",
        action="store_true",
        default=absent,
        help="print the result as one JSON object on standard output (errors as one JSON "
        "object on standard error)",
    )
    out.add_argument(
        "--events",
        dest=prefix + "events",
        action="store_true",
        default=absent,
        help="with --json, also write every progress event as one JSON line on standard error",
    )
    out.add_argument(
        "--quiet",
        "-q",
        dest=prefix + "quiet",
        action="store_true",
        default=absent,
        help="show no progress and no warnings; the result and errors are still printed",
    )


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    summary: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog + "\n\nExit codes and environment variables: suno-async --help.",
        formatter_class=_RAW,
    )
    parser.set_defaults(command_parser=parser)
    return parser


def add_client_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add train, generate, pure-music, status, wait and download to ``commands``."""
    add_shared_options(_train(commands))
    add_shared_options(_generate(commands))
    add_shared_options(_pure_music(commands), provider=True)
    add_shared_options(_status(commands))
    add_shared_options(_wait(commands))
    add_shared_options(_download(commands), connection=False)


def _train(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    train = _command(
        commands,
        "train",
        summary="train a custom model from six or more audio URLs",
        description=f"""\
Train a custom model: upload the audio (at least {MIN_TRAINING_CLIPS} distinct, publicly
downloadable http(s) URLs), train on the first --clip-count of them (100 credits), and
wait until the model is ready (about 2-3 minutes). URLs after the first --clip-count are
spares, uploaded only to replace one that failed. Prints the model id: pass it to
generate --model.

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
        type=_positive_int,
        default=MIN_TRAINING_CLIPS,
        metavar="N",
        help="train on N clips, %(default)s to the number of URLs (default %(default)s)",
    )
    train.add_argument(
        "--journal",
        metavar="FILE",
        help="record progress in FILE (JSON, no secrets) and resume from it if it exists",
    )
    return train


def _generate(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    tasks = textwrap.fill(
        "Tasks: " + ", ".join(task.value for task in GenerateTask) + ".", width=92
    )
    generate = _command(
        commands,
        "generate",
        summary="generate songs (create, extend, cover, ... any of the 15 tasks)",
        description=f"""\
Start a generation (40 credits), wait for its clips (two, usually) and print them; with
--output, download their audio too. The task's required fields are checked before anything
is sent. --no-wait prints only the task id, to wait for later with "suno-async wait".

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
        help=f"a stock model (default {DEFAULT_PURE_MUSIC_MODEL}) or a trained one, "
        "chirp-custom:UUID",
    )
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
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="extend from this point of the clip",
    )
    edit.add_argument(
        "--range",
        type=_time_range,
        default=None,
        metavar="START:END",
        help="the part of the clip to work on, in seconds",
    )
    edit.add_argument(
        "--infill-context-range",
        type=_time_range,
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
        type=_id_list,
        default=None,
        metavar="ID,ID",
        help="mashup: the clips to combine",
    )
    edit.add_argument("--playlist-id", default=None, metavar="ID", help="inspiration: the playlist")
    edit.add_argument(
        "--playlist-clip-ids",
        type=_id_list,
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
        more.add_argument(flag, type=float, default=None, metavar="X", help=text)
    more.add_argument(
        "--sound-description", default=None, metavar="TEXT", help="sound: what to make"
    )
    more.add_argument("--sound-type", default=None, metavar="TYPE", help="sound: e.g. one_shot")
    more.add_argument("--sound-key", default=None, metavar="KEY", help="sound: musical key")
    more.add_argument("--sound-bpm", type=float, default=None, metavar="BPM", help="sound: tempo")
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
        help="if the answer to the request is lost, send it again instead of stopping with "
        "exit 8 (the provider cannot look it up, so this may pay twice)",
    )
    return generate


def _pure_music(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    pure = _command(
        commands,
        "pure-music",
        summary="instrumental music from style tags, on either provider",
        description="""\
Make instrumental music from style tags and an optional title, wait for the clips and print
them; with --output, download them. Works on both providers: the custom-model provider
(generate, 40 credits; --model picks the model) and sunoapi.com (--provider sunoapi: its v3.5
create-pure-music, 10 credits; key in SUNOAPI_API_KEY).""",
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
        help=f"custom-model provider only: the model (default {DEFAULT_PURE_MUSIC_MODEL})",
    )
    pure.add_argument("--output", "-o", metavar="DIR", help="download the audio into DIR")
    return pure


def _status(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    status = _command(
        commands,
        "status",
        summary="show a task's status once (no waiting)",
        description="""\
Look a task up once and print its status and, once it is done, its result (clips, a model, an
uploaded clip). Exits 0 whatever the status is; "suno-async wait" waits and judges. A training's
task id is its session id. To try it offline, run "suno-async emulator" in another terminal and
point --base-url at it (--emulator starts a fresh emulator, which knows no task).""",
        epilog="""\
examples:
  suno-async status 2f0c6d0e-...
  suno-async --json status 2f0c6d0e-... | jq -r .status
  suno-async --base-url http://127.0.0.1:8080 status TASK   # on a suno-async emulator""",
    )
    status.add_argument("task_id", metavar="TASK_ID", help="the task (or training session) id")
    return status


def _wait(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    wait = _command(
        commands,
        "wait",
        summary="wait for a task to finish and print its result",
        description="""\
Wait for a task (a generation by default) until it finishes, and print its result: the clips
of a generation (downloaded with --output), the model of a training (its task id is the session
id), the clip of an upload. Exits 6 if the task failed, 7 if it did not finish in time (wait
again: it may still finish). Offline, use it with a "suno-async emulator" and --base-url, as
for status.""",
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
    return wait


def _download(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    download = _command(
        commands,
        "download",
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
    return download
