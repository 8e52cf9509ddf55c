"""The examples in ``examples/``, run against the emulator: chat bot, CSV batch, web service.

Each example is imported from its file. Their cores run on the suite's emulator and client
(one VirtualClock, so generations take no wall time); each ``main()`` also runs once in-process
with ``--emulator`` at a high clock speed, as a user would start it.
"""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from suno_async import MountseaClient
from suno_async.batch import JobStore
from suno_async.emulator import Emulator

from .conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GENERATE = "/suno/v2/generate"
#: Clock speed-up for the runs of ``main()``: a 45 s generation takes about 20 ms.
SPEED = "2000"


def _load(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` (registered in sys.modules, as dataclasses need)."""
    module_name = f"_suno_example_{name}"
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


chat_bot = _load("chat_bot")
batch = _load("batch_from_csv")
web_service = _load("web_service")


# -- the chat bot ------------------------------------------------------------------------------


class FakeChat:
    """A chat that records what the bot sends and edits, with the clock time of each edit."""

    def __init__(self, clock_now: Callable[[], float]) -> None:
        self.now = clock_now
        self.sent: list[str] = []
        self.edits: list[tuple[int, str, float]] = []
        self.fail_edits = 0

    async def reply(self, text: str) -> int:
        self.sent.append(text)
        return len(self.sent) - 1

    async def edit(self, message: int, text: str) -> None:
        if self.fail_edits:
            self.fail_edits -= 1
            raise RuntimeError("the chat refused the edit")
        self.edits.append((message, text, self.now()))

    @property
    def texts(self) -> list[str]:
        return [text for _, text, _ in self.edits]


async def test_bot_generates_and_edits_one_status_message(
    client: MountseaClient, emulator: Emulator
) -> None:
    """/generate sends one message, edits it with progress, and ends with the clips' URLs."""
    chat = FakeChat(emulator.clock.now)
    bot = chat_bot.MusicBot(client, min_edit_interval=3.0)
    await bot.handle("/generate lofi, rain | Night Bus", chat.reply, chat.edit)

    assert chat.sent == ["Working on your song…"]
    assert {message for message, _, _ in chat.edits} == {0}
    final = chat.texts[-1]
    assert final.startswith("✅ Night Bus: 2 clips")
    assert final.count(f"{emulator.base_url}/cdn/audio/") == 2
    assert len(chat.texts) >= 2  # at least one progress line before the answer
    assert all(a != b for a, b in itertools.pairwise(chat.texts))
    assert emulator.count("POST", GENERATE) == 1


async def test_bot_throttles_progress_edits(client: MountseaClient, emulator: Emulator) -> None:
    """Progress edits are at least min_edit_interval apart on the clock; the answer comes
    last all the same."""
    chat = FakeChat(emulator.clock.now)
    bot = chat_bot.MusicBot(client, min_edit_interval=20.0)
    await bot.handle("generate lofi", chat.reply, chat.edit)

    progress_times = [at for _, _, at in chat.edits[:-1]]
    gaps = [b - a for a, b in itertools.pairwise(progress_times)]
    assert all(gap >= 20.0 for gap in gaps), chat.edits
    assert chat.texts[-1].startswith("✅ lofi: 2 clips")


async def test_bot_trains_a_model_then_generates_with_it(
    client: MountseaClient, emulator: Emulator
) -> None:
    """/train uploads, trains and reports the model; the next /generate uses that model."""
    chat = FakeChat(emulator.clock.now)
    bot = chat_bot.MusicBot(client, min_edit_interval=1.0)
    urls = " ".join(emulator.sample_audio_urls(6))
    await bot.handle(f"/train My Band {urls}", chat.reply, chat.edit)

    assert chat.sent == ["Training 'My Band'…"]
    assert any(text.startswith("Uploaded ") for text in chat.texts)
    assert chat.texts[-1].startswith("✅ Model 'My Band' is ready: chirp-custom:")
    assert bot.model.startswith("chirp-custom:")
    assert emulator.count("POST", "/suno/v2/customModel/create") == 1

    await bot.handle("/generate indie | Ours | [Verse]\nla la", chat.reply, chat.edit)
    assert chat.texts[-1].startswith("✅ Ours: 2 clips")
    assert emulator.credits_spent == 6 + 100 + 40  # uploads, training, one generation


async def test_bot_explains_a_failed_generation(client: MountseaClient, emulator: Emulator) -> None:
    """A failed task ends the status message with the provider's reason, not a traceback."""
    emulator.fail_next_tasks("generate", reason="The lyrics were flagged.", code=4003)
    chat = FakeChat(emulator.clock.now)
    await chat_bot.MusicBot(client).handle("/generate pop", chat.reply, chat.edit)
    assert chat.texts[-1] == "❌ The provider could not do it: The lyrics were flagged."


async def test_bot_keeps_working_when_an_edit_fails(
    client: MountseaClient, emulator: Emulator
) -> None:
    """An edit the chat refuses is skipped; the answer still arrives."""
    chat = FakeChat(emulator.clock.now)
    chat.fail_edits = 1
    await chat_bot.MusicBot(client, min_edit_interval=1.0).handle(
        "/generate pop | Still Here", chat.reply, chat.edit
    )
    assert chat.texts[-1].startswith("✅ Still Here: 2 clips")


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/generate", "Usage: /generate TAGS | TITLE | LYRICS"),
        ("/train Band https://example.com/a.mp3", "Usage: /train NAME URL"),
        ("/dance", "Commands:"),
        ("help", "Commands:"),
    ],
)
async def test_bot_answers_usage_and_help_without_calling_the_provider(
    client: MountseaClient, emulator: Emulator, command: str, answer: str
) -> None:
    """Malformed commands get a usage line, unknown ones the help; nothing is sent upstream."""
    chat = FakeChat(emulator.clock.now)
    await chat_bot.MusicBot(client).handle(command, chat.reply, chat.edit)
    assert len(chat.sent) == 1
    assert chat.sent[0].startswith(answer)
    assert chat.edits == []
    assert emulator.requests == []


def test_bot_main_runs_a_conversation_on_the_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    """``chat_bot.py --emulator`` generates, trains and generates with the trained model."""
    assert chat_bot.main(["--emulator", "--speed", SPEED, "--edit-interval", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "✅ Neon Rain: 2 clips" in out
    assert "✅ Model 'Emulated Band' is ready: chirp-custom:" in out
    assert "✅ Our Song: 2 clips" in out


# -- the CSV batch -----------------------------------------------------------------------------

CSV = """key,title,tags,prompt
neon,Neon Rain,"synthwave, night",
kitchen,Kitchen Radio,indie pop,"[Verse]
Toast is burning"
river,Slow River,ambient,
"""


def _statuses(out: Path) -> dict[str, str]:
    with JobStore.open(out / "batch.db", readonly=True) as store:
        return {record.key: record.status for record in store.records()}


async def test_batch_generates_every_row_and_a_rerun_skips_them(
    client: MountseaClient, emulator: Emulator, tmp_path: Path
) -> None:
    """Every row is generated and downloaded once; a second run generates nothing."""
    (tmp_path / "songs.csv").write_text(CSV)
    out = tmp_path / "out"

    first = await batch.generate_all(client, tmp_path / "songs.csv", out, concurrency=2)
    assert (first.done, first.failed, first.invalid) == (3, 0, 0)
    assert _statuses(out) == {"neon": "done", "kitchen": "done", "river": "done"}
    assert len(list(out.glob("*/*.wav"))) == 6
    assert emulator.count("POST", GENERATE) == 3

    second = await batch.generate_all(client, tmp_path / "songs.csv", out, concurrency=2)
    assert (second.done, second.skipped) == (0, 3)
    assert second.complete
    assert emulator.count("POST", GENERATE) == 3


async def test_batch_records_a_failed_row_and_retries_it_next_time(
    client: MountseaClient, emulator: Emulator, tmp_path: Path
) -> None:
    """A failed generation is stored with its reason; the rerun generates it again."""
    (tmp_path / "one.csv").write_text("key,tags,prompt\nk,pop,la la\n")
    emulator.fail_next_tasks("generate", reason="The lyrics were flagged.")

    first = await batch.generate_all(client, tmp_path / "one.csv", tmp_path)
    assert first.failed == 1
    assert _statuses(tmp_path) == {"k": "failed"}

    second = await batch.generate_all(client, tmp_path / "one.csv", tmp_path)
    assert second.done == 1
    assert _statuses(tmp_path) == {"k": "done"}


async def test_batch_never_pays_twice_for_a_row_whose_answer_was_lost(
    client: MountseaClient, emulator: Emulator, tmp_path: Path
) -> None:
    """A generate whose answer was lost is not sent again by the rerun (it may be running)."""
    (tmp_path / "one.csv").write_text("key,tags\nk,pop\n")
    emulator.drop_next("POST", GENERATE, after_work=True)
    first = await batch.generate_all(client, tmp_path / "one.csv", tmp_path)
    second = await batch.generate_all(client, tmp_path / "one.csv", tmp_path)
    assert (first.ambiguous, second.ambiguous) == (1, 1)
    assert _statuses(tmp_path) == {"k": "ambiguous"}
    assert emulator.count("POST", GENERATE) == 1


def test_batch_main_runs_the_sample_twice_on_the_emulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``batch_from_csv.py --emulator`` generates the sample rows; a rerun skips them."""
    out = str(tmp_path / "out")
    assert batch.main(["--emulator", "--speed", SPEED, "--out", out]) == 0
    assert "3 generated, 0 already done, 0 failed" in capsys.readouterr().out
    assert batch.main(["--emulator", "--speed", SPEED, "--out", out]) == 0
    assert "0 generated, 3 already done, 0 failed" in capsys.readouterr().out


def test_batch_main_writes_to_a_temporary_folder_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``batch_from_csv.py --emulator`` without --out leaves nothing in the working folder."""
    monkeypatch.chdir(tmp_path)
    assert batch.main(["--emulator", "--speed", SPEED]) == 0
    out = capsys.readouterr().out
    folder = Path(out.split("writing to ", 1)[1].split(" (choose with --out)", 1)[0])
    try:
        assert folder.is_dir()
        assert not folder.is_relative_to(tmp_path)
        assert len(list(folder.glob("*/*.wav"))) == 6
        assert list(tmp_path.iterdir()) == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- the web service ---------------------------------------------------------------------------

ALICE = {"Authorization": "Bearer alice-token"}
BOB = {"Authorization": "Bearer bob-token"}


@asynccontextmanager
async def service(emulator: Emulator, **options: Any) -> AsyncIterator[TestClient[Any, Any]]:
    """The web service on a loopback test server, its MountseaClient on the emulator."""

    def make_client() -> MountseaClient:
        return MountseaClient(
            api_key="k", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
        )

    app = web_service.create_app(
        make_client, tokens={"alice-token": "alice", "bob-token": "bob"}, **options
    )
    async with TestClient(TestServer(app)) as http:
        yield http


async def _wait_for_job(http: TestClient[Any, Any], emulator: Emulator, url: str) -> dict[str, Any]:
    """Poll the job on the emulator's clock (no wall time) until it is done or failed."""
    for _ in range(200):
        response = await http.get(url, headers=ALICE)
        assert response.status == 200
        job: dict[str, Any] = await response.json()
        if job["status"] in ("done", "failed"):
            return job
        await emulator.clock.sleep(1.0)
    raise AssertionError(f"job {url} did not finish: {job}")


async def test_service_generates_for_its_user(emulator: Emulator) -> None:
    """POST /generate answers 202 with a job; GET /jobs/{id} shows it done with two clips."""
    async with service(emulator) as http:
        response = await http.post(
            "/generate", json={"tags": "lofi", "title": "Night Bus"}, headers=ALICE
        )
        assert response.status == 202
        created = await response.json()
        assert response.headers["Location"] == created["url"] == f"/jobs/{created['id']}"

        job = await _wait_for_job(http, emulator, created["url"])
        assert job["status"] == "done"
        assert job["title"] == "Night Bus"
        assert len(job["clips"]) == 2
        assert all(c["audio_url"].startswith(emulator.base_url) for c in job["clips"])

        other = await http.get(created["url"], headers=BOB)
        assert other.status == 404  # a job is seen only by its owner
        anonymous = await http.get(created["url"])
        assert anonymous.status == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"title": "no tags"}', "missing required field `tags`"),
        (b'{"tags": ""}', "length >= 1"),
        (b'{"tags": "pop", "mood": "sad"}', "unknown field `mood`"),
        (b'{"tags": "pop", "title": 5}', "Expected `str | null`"),
        (b"tags=pop", "Invalid body"),
    ],
)
async def test_service_refuses_invalid_input(emulator: Emulator, body: bytes, message: str) -> None:
    """Bad bodies get 400 with a reason, and nothing reaches the provider."""
    async with service(emulator) as http:
        response = await http.post("/generate", data=body, headers=ALICE)
        assert response.status == 400
        assert message in (await response.json())["error"]
    assert emulator.count("POST", GENERATE) == 0


async def test_service_limits_unfinished_jobs_per_user(emulator: Emulator) -> None:
    """Beyond max_active_per_user unfinished jobs a user gets 429; shutdown stops the stalled
    job cleanly."""
    emulator.stall_next_tasks("generate")
    async with service(emulator, max_active_per_user=1) as http:
        first = await http.post("/generate", json={"tags": "pop"}, headers=ALICE)
        assert first.status == 202
        second = await http.post("/generate", json={"tags": "pop"}, headers=ALICE)
        assert second.status == 429
        others = await http.post("/generate", json={"tags": "pop"}, headers=BOB)
        assert others.status == 202


async def test_service_reports_a_failed_job(emulator: Emulator) -> None:
    """A failed generation shows as status failed with a reason fit for the user."""
    emulator.fail_next_tasks("generate", reason="The lyrics were flagged.")
    async with service(emulator) as http:
        response = await http.post("/generate", json={"tags": "pop"}, headers=ALICE)
        job = await _wait_for_job(http, emulator, (await response.json())["url"])
    assert job["status"] == "failed"
    assert job["error"] == "The song could not be made: The lyrics were flagged."


def test_service_main_smoke_runs_one_job_on_the_emulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``web_service.py --emulator --smoke`` serves, runs one job to done and exits."""
    assert web_service.main(["--emulator", "--smoke", "--speed", SPEED]) == 0
    out = capsys.readouterr().out
    assert "POST /generate -> 202" in out
    assert "-> done:" in out


def test_chat_adapters_compile() -> None:
    """The discord.py and aiogram adapters, not run here, are at least valid Python."""
    for name in ("chat_bot_discord", "chat_bot_aiogram"):
        source = (EXAMPLES / f"{name}.py").read_text()
        compile(source, name, "exec")


def test_service_main_prints_a_curl_line_that_works_as_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``web_service.py --emulator`` prints a curl line with the demo token, no placeholder."""

    class Served:
        async def wait(self) -> None:  # instead of serving until Ctrl-C
            return None

    monkeypatch.setattr(web_service.asyncio, "Event", Served)
    assert web_service.main(["--emulator", "--port", "0", "--speed", SPEED]) == 0
    out = capsys.readouterr().out
    assert 'curl -s -H "Authorization: Bearer demo-token"' in out
    assert "<token>" not in out
