"""The command line's argument converters (one set for every command), its argparse subclass
whose ``error()`` raises, and how :func:`parse` shows a usage error."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

import pytest

from suno_async.cli import _convert
from suno_async.cli._main import build_parser, parse
from suno_async.cli._parser import Parser, UsageError


@pytest.mark.parametrize(
    ("convert", "text", "value"),
    [
        (_convert.number, "-2.5", -2.5),
        (_convert.number, "0", 0.0),
        (_convert.positive_float, "60", 60.0),
        (_convert.positive_float, "0.001", 0.001),
        (_convert.seconds, "0", 0.0),
        (_convert.seconds, "30.5", 30.5),
        (_convert.probability, "0", 0.0),
        (_convert.probability, "1", 1.0),
        (_convert.probability, "0.25", 0.25),
        (_convert.integer, "-3", -3),
        (_convert.count, "0", 0),
        (_convert.positive_int, "6", 6),
        (_convert.port, "0", 0),
        (_convert.port, "65535", 65535),
        (_convert.time_range, "30:45", {"start_s": 30.0, "end_s": 45.0}),
        (_convert.time_range, "0:1.5", {"start_s": 0.0, "end_s": 1.5}),
        (_convert.id_list, "a, b,,c ", ["a", "b", "c"]),
    ],
)
def test_converters_accept(convert: Callable[[str], Any], text: str, value: Any) -> None:
    assert convert(text) == value


@pytest.mark.parametrize(
    ("convert", "text", "message"),
    [
        (_convert.number, "x", "must be a number, got 'x'"),
        (_convert.number, "nan", "must be a number, got 'nan'"),
        (_convert.positive_float, "abc", "must be a number, got 'abc'"),
        (_convert.positive_float, "0", "must be a number above 0, got '0'"),
        (_convert.positive_float, "-1", "must be a number above 0, got '-1'"),
        (_convert.positive_float, "inf", "must be a number, got 'inf'"),
        (_convert.positive_float, "nan", "must be a number, got 'nan'"),
        (_convert.seconds, "soon", "must be a number of seconds, got 'soon'"),
        (_convert.seconds, "-1", "must be a number of seconds >= 0, got '-1'"),
        (_convert.seconds, "inf", "must be a number of seconds, got 'inf'"),
        (_convert.probability, "lots", "must be a number, got 'lots'"),
        (_convert.probability, "1.5", "must be a probability from 0 to 1, got '1.5'"),
        (_convert.probability, "nan", "must be a number, got 'nan'"),
        (_convert.integer, "1.5", "must be a whole number, got '1.5'"),
        (_convert.count, "-1", "must be 0 or more, got '-1'"),
        (_convert.count, "many", "must be a whole number, got 'many'"),
        (_convert.positive_int, "0", "must be 1 or more, got '0'"),
        (_convert.port, "70000", "must be 0-65535, got '70000'"),
        (_convert.port, "-1", "must be 0-65535, got '-1'"),
        (_convert.time_range, "30", "must be START:END in seconds, e.g. 30:45, got '30'"),
        (_convert.time_range, "a:b", "must be START:END in seconds, e.g. 30:45, got 'a:b'"),
        (_convert.time_range, "-1:5", "must be START:END in seconds, e.g. 30:45, got '-1:5'"),
        (_convert.id_list, " , ", "must be one or more ids separated by commas, got ' , '"),
    ],
)
def test_converters_refuse_with_a_message(
    convert: Callable[[str], Any], text: str, message: str
) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as info:
        convert(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--speed", "inf"],
        ["emulator", "--speed", "inf"],
        ["--emulator", "--speed", "inf", "status", "t"],
    ],
)
def test_every_speed_uses_the_same_converter(argv: list[str]) -> None:
    """demo, emulator and the client commands refuse the same values, with the same message
    (the demo and emulator once took "inf", and gave argparse's own message for "abc")."""
    with pytest.raises(UsageError) as info:
        build_parser().parse_args(argv)
    assert info.value.message == "argument --speed: must be a number, got 'inf'"


def test_error_raises_a_usage_error_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Parser.error raises, carrying the message and the usage of the parser concerned."""
    parser = build_parser()
    with pytest.raises(UsageError) as info:
        parser.parse_args(["--json", "train", "--name", "x", "--bogus"])
    error = info.value
    assert error.message == "unrecognized arguments: --bogus"
    assert error.usage is not None
    assert error.usage.startswith("usage: suno-async ")
    assert error.json() == {
        "error": "unrecognized arguments: --bogus",
        "type": "UsageError",
        "exit_code": 2,
    }
    with pytest.raises(UsageError) as sub:
        parser.parse_args(["emulator", "--port", "x"])
    assert sub.value.prog == "suno-async emulator"
    assert sub.value.usage == "usage: suno-async emulator [options]\n"
    assert sub.value.text() == (
        "usage: suno-async emulator [options]\n"
        "suno-async emulator: error: argument --port: must be a whole number, got 'x'\n"
        "Run 'suno-async emulator --help' for its options and examples.\n"
    )
    assert capsys.readouterr() == ("", "")


def test_subcommand_parsers_are_the_subclass() -> None:
    parser = build_parser()
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    assert {type(sub) for sub in commands.choices.values()} == {Parser}


def test_parse_shows_a_usage_error_as_json_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse(["--json", "train", "--name", "x", "--bogus"])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert json.loads(err) == {
        "error": "unrecognized arguments: --bogus",
        "type": "UsageError",
        "exit_code": 2,
    }
    assert err.count("\n") == 1


def test_parse_shows_a_usage_error_in_three_short_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --json: a one-line usage of the command concerned (no option list), PROG: error:
    MESSAGE, and where the options are (PROG --help); an error found by the command's own check
    gets that command's usage too."""
    with pytest.raises(SystemExit) as info:
        parse(["train", "--name", "x", "--bogus"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "usage: suno-async [options] COMMAND ...\n"
        "suno-async: error: unrecognized arguments: --bogus\n"
        "Run 'suno-async --help' for its options and examples.\n"
    )
    with pytest.raises(SystemExit):
        parse(["generate", "--emulator", "--journal", "j.json"])
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "usage: suno-async generate [options]",
        "suno-async generate: error: --journal needs --output (it records the downloads too)",
        "Run 'suno-async generate --help' for its options and examples.",
    ]
    with pytest.raises(SystemExit):
        parse(["generate", "--speed", "0"])
    assert len(capsys.readouterr().err.splitlines()) == 3  # argparse's own usage was 25 lines
    with pytest.raises(SystemExit):
        parse(["--json", "generate", "--emulator", "--journal", "j.json"])
    assert json.loads(capsys.readouterr().err)["error"].startswith("--journal needs --output")


def test_help_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse(["--json", "generate", "--help"])
    assert info.value.code == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: suno-async generate ")
    assert err == ""


def test_provider_values_are_the_provider_names(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(["--emulator", "pure-music", "lofi", "--provider", "sunoapi"])
    assert args.options.provider == "sunoapi"
    assert parse(["--emulator", "pure-music", "lofi"]).options.provider == "mountsea"
    assert parse(["--provider", "mountsea", "--emulator", "generate"]).options.provider == (
        "mountsea"
    )
    with pytest.raises(SystemExit):
        parse(["--json", "pure-music", "lofi", "--provider", "custom-model"])
    error = json.loads(capsys.readouterr().err)["error"]
    assert error.startswith("argument --provider: invalid choice: 'custom-model'")
    with pytest.raises(SystemExit):
        parse(["--json", "--emulator", "--provider", "sunoapi", "generate"])
    assert json.loads(capsys.readouterr().err)["error"] == (
        "generate works with --provider mountsea only"
    )


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080", True),
        ("http://[::1]:8080", True),
        ("https://api.mountsea.ai", False),
        ("http://10.0.0.1:8080", False),
    ],
)
def test_speed_without_emulator_only_on_loopback(
    url: str, allowed: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--speed", "10", "--base-url", url, "status", "t"]
    if allowed:
        assert parse(argv).options.speed == 10.0
    else:
        with pytest.raises(SystemExit):
            parse(argv)
        assert "loopback" in capsys.readouterr().err
