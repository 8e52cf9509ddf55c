"""Where the docs are loose, the client reads loosely: status letter case, numeric ids, fail
codes as strings, audio served with any content type, whatever "no such task" looks like after
a lost create; and money is counted from what each answer proves."""

from __future__ import annotations

import hashlib
import logging
import wave
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiohttp import web

from suno_async import (
    AmbiguousSubmitError,
    BadRequestError,
    CreditBudgetError,
    CreditsSpent,
    Event,
    MountseaClient,
    NotFoundError,
    ResponseValidationError,
    SunoapiClient,
    SystemClock,
    TaskFailedError,
    TaskKind,
    TaskTimeoutError,
    WrongBaseURLError,
)
from suno_async.emulator import Emulator

from ..conftest import FAST_RETRY
from ..helpers import tiny_server
from .test_recovery import watch_journal

pytestmark = pytest.mark.anyio

SIX = [f"https://audio.example.com/{i}.mp3" for i in range(6)]
CREATE = "/suno/v2/customModel/create"
GENERATE_PATH = "/suno/v2/generate"
MODEL = {"id": "chirp-custom:0f6e", "name": "m"}


def fast(base: str, **options: Any) -> MountseaClient:
    """A client for a stand-in server, on a clock 500 times as fast as real time."""
    return MountseaClient(
        api_key="k", base_url=base, clock=SystemClock(500), retry=FAST_RETRY, **options
    )


def _wav() -> bytes:
    out = BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 800)
    return out.getvalue()


async def test_status_in_another_letter_case_and_numeric_ids() -> None:
    """``SUCCESS`` is success and a numeric ``taskId`` is an id: the wait ends at once."""

    async def api(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/generate"):
            return web.json_response({"taskId": 12345}, status=201)
        assert request.query["taskId"] == "12345"
        clip = {"id": 777, "status": "Complete", "audio_url": "https://cdn.example.com/a.mp3"}
        return web.json_response({"taskId": 12345, "status": "SUCCESS", "data": [clip]})

    async with tiny_server(api) as base, fast(base) as client:
        clips = await client.generate_and_wait(task="create", model="chirp-v50")
    assert [(c.id, c.status) for c in clips] == [("777", "complete")]


async def test_a_fail_code_as_a_string_is_still_permanent() -> None:
    """``failCode: "4001"`` (audio not found) is the same permanent failure as ``4001``: that
    URL is not uploaded again."""
    uploads: dict[str, int] = {}

    async def api(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/prepare"):
            return web.json_response({"sessionId": "s"}, status=201)
        if request.path.endswith("/upload"):
            url = (await request.json())["audioUrl"]
            uploads[url] = uploads.get(url, 0) + 1
            return web.json_response({"taskId": url.rsplit("/", 1)[1]}, status=201)
        task = request.query["taskId"]
        if task == "0.mp3":
            body = {"taskId": task, "status": "FAILED", "failCode": "4001", "failReason": "x"}
            return web.json_response(body)
        return web.json_response({"taskId": task, "status": "success", "data": {"id": task}})

    async with tiny_server(api) as base, fast(base) as client:
        with pytest.raises(TaskFailedError) as info:
            await client.wait_for_task("0.mp3", kind=TaskKind.UPLOAD)
        assert info.value.fail_code == 4001
        with pytest.raises(Exception, match=r"0.mp3 failed: x \(code 4001\)"):
            await client.train_custom_model(SIX, name="m")
    assert uploads[SIX[0]] == 1


async def test_an_unknown_status_is_named_when_the_wait_times_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A status the library does not know is logged once and named in the timeout."""

    async def api(request: web.Request) -> web.StreamResponse:
        return web.json_response({"taskId": "t", "status": "hatching"})

    caplog.set_level(logging.WARNING, logger="suno_async")
    async with tiny_server(api) as base, fast(base) as client:
        with pytest.raises(TaskTimeoutError, match="does not know: 'hatching'"):
            await client.wait_for_task("t", timeout=60)
    assert sum("hatching" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "image/png"])
async def test_audio_is_recognised_by_its_bytes(tmp_path: Path, content_type: str) -> None:
    """A valid WAV is saved whatever Content-Type it came with."""
    wav = _wav()

    async def cdn(request: web.Request) -> web.StreamResponse:
        return web.Response(body=wav, content_type=content_type)

    async with tiny_server(cdn) as base, MountseaClient(api_key="k") as client:
        size = await client.download(f"{base}/a.wav", tmp_path / "a.wav")
    assert size == len(wav)
    assert (tmp_path / "a.wav").read_bytes() == wav


async def test_a_page_served_as_audio_is_refused(tmp_path: Path) -> None:
    """An HTML page that claims to be audio is still not audio: nothing is saved."""

    async def cdn(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"<html>" + b" " * 100 + b"</html>", content_type="audio/mpeg")

    async with tiny_server(cdn) as base, MountseaClient(api_key="k", max_retries=0) as client:
        with pytest.raises(ResponseValidationError, match="not audio"):
            await client.download(f"{base}/a.mp3", tmp_path / "a.mp3")
    assert not any(tmp_path.iterdir())


async def _prepare_and_upload(request: web.Request) -> web.StreamResponse | None:
    """A stand-in's prepare, upload and upload-status answers (``None`` for anything else)."""
    path = request.path
    if path.endswith("/prepare"):
        return web.json_response({"sessionId": "sess"}, status=201)
    if path.endswith("/upload"):
        url = (await request.json())["audioUrl"]
        return web.json_response({"taskId": "u" + url[-5]}, status=201)
    task = request.query.get("taskId", "")
    if request.method == "GET" and task.startswith("u"):
        return web.json_response({"taskId": task, "status": "success", "data": {"id": task}})
    return None


def _training_server(
    before: Callable[[], web.StreamResponse],
    after_create: Callable[[], web.StreamResponse],
    *,
    create_arrives: bool,
) -> tuple[Callable[[web.Request], Any], dict[str, int]]:
    """A mountsea stand-in: uploads succeed at once; the first create is answered 502 (after
    the work if ``create_arrives``); the session's status is ``before()`` until a create
    arrived, then ``after_create()``, then a trained model once asked twice."""
    counts = {"create": 0, "arrived": 0, "status_after": 0}

    async def api(request: web.Request) -> web.StreamResponse:
        answer = await _prepare_and_upload(request)
        if answer is not None:
            return answer
        path = request.path
        if path.endswith("/create"):
            counts["create"] += 1
            if counts["create"] == 1:
                if create_arrives:
                    counts["arrived"] += 1
                return web.json_response({"message": "bad gateway"}, status=502)
            counts["arrived"] += 1
            return web.json_response({"taskId": "sess"}, status=201)
        if not counts["arrived"]:
            return before()
        counts["status_after"] += 1
        if counts["status_after"] > 1:
            return web.json_response({"taskId": "sess", "status": "success", "data": MODEL})
        return after_create()

    return api, counts


def _status(status: str) -> Callable[[], web.StreamResponse]:
    return lambda: web.json_response({"taskId": "sess", "status": status})


def _error(code: int) -> Callable[[], web.StreamResponse]:
    return lambda: web.json_response({"statusCode": code, "message": "Task not found"}, status=code)


@pytest.mark.parametrize("unknown", [400, 404, 422])
async def test_a_lost_create_that_did_not_arrive_is_sent_again(unknown: int) -> None:
    """Whatever 4xx the server uses for "no such task", the same answer before and after a
    lost create means it did not arrive: sent again, billed once, nothing left uncertain."""
    api, counts = _training_server(_error(unknown), _status("queued"), create_arrives=False)
    async with tiny_server(api) as base, fast(base) as client:
        result = await client.train_custom_model(SIX, name="m")
        assert (client.credits_spent, client.credits_uncertain) == (100, 0)
    assert result.model_id == MODEL["id"]
    assert counts["create"] == 2


@pytest.mark.parametrize(
    "before", [_error(404), _error(400), _status("ready")], ids=["404", "400", "ready"]
)
async def test_a_lost_create_that_arrived_is_waited_for(
    before: Callable[[], web.StreamResponse],
) -> None:
    """A training that appeared after the lost create is waited for, not sent again; its
    100 credits move from uncertain to spent."""
    api, counts = _training_server(before, _status("queued"), create_arrives=True)
    async with tiny_server(api) as base, fast(base) as client:
        result = await client.train_custom_model(SIX, name="m")
        assert (client.credits_spent, client.credits_uncertain) == (100, 0)
    assert result.model_id == MODEL["id"]
    assert counts["create"] == 1


async def test_a_lost_create_the_session_cannot_tell_about_is_ambiguous_at_once() -> None:
    """A session that shows ``ready`` before and after a lost create cannot tell whether the
    training is queued: AmbiguousSubmitError naming the session, at once (not a 15-minute
    wait), with the 100 credits uncertain; resend_if_ambiguous sends it again instead."""
    api, counts = _training_server(_status("ready"), _status("ready"), create_arrives=False)
    counts["status_after"] = -100  # keep answering "ready"
    async with tiny_server(api) as base, fast(base) as client:
        with pytest.raises(AmbiguousSubmitError) as info:
            await client.train_custom_model(SIX, name="m")
        assert info.value.session_id == "sess"
        assert "resend_if_ambiguous" in str(info.value)
        assert (client.credits_spent, client.credits_uncertain) == (0, 100)
    assert counts["create"] == 1

    api, counts = _training_server(_status("ready"), _status("ready"), create_arrives=False)
    async with tiny_server(api) as base, fast(base) as client:
        result = await client.train_custom_model(SIX, name="m", resend_if_ambiguous=True)
        assert (client.credits_spent, client.credits_uncertain) == (100, 100)
    assert result.model_id == MODEL["id"]
    assert counts["create"] == 2


async def test_a_training_past_the_budget_is_refused_before_any_request(
    emulator: Emulator,
) -> None:
    """max_credits below the training's known cost refuses at once: no prepare, no upload."""
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, max_credits=50, retry=FAST_RETRY
    ) as client:
        with pytest.raises(CreditBudgetError, match="100 credits"):
            await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    assert emulator.count("POST", "/suno/v2/customModel/prepare") == 0
    assert emulator.count("POST", "/suno/v2/customModel/upload") == 0


async def test_spending_events_say_what_is_uncertain(emulator: Emulator, tmp_path: Path) -> None:
    """A lost generate is reported as uncertain, the re-sent one as spent."""
    events: list[Event] = []
    emulator.drop_next("POST", "/suno/v2/generate", after_work=True)
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, retry=FAST_RETRY, clock=emulator.clock
    ) as client:
        await client.generate_and_download(
            task="create",
            model="chirp-v50",
            directory=tmp_path,
            resend_if_ambiguous=True,
            on_event=events.append,
        )
        spent = [e for e in events if isinstance(e, CreditsSpent)]
        assert [(e.credits, e.uncertain, e.total, e.total_uncertain) for e in spent] == [
            (40, True, 0, 40),
            (40, False, 40, 40),
        ]
        assert (client.credits_spent, client.credits_uncertain) == (40, 40)
    assert emulator.credits_spent == 80  # both landed: the ledger shows what was uncertain


async def test_sunoapi_pure_music_can_resend_if_ambiguous(emulator: Emulator) -> None:
    """sunoapi.com's pure_music takes resend_if_ambiguous like every paid workflow."""
    emulator.inject_http("POST", "/api/v2/suno/v3.5/custom/create-pure-music", 502)
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, retry=FAST_RETRY, clock=emulator.clock
    ) as client:
        with pytest.raises(AmbiguousSubmitError):
            await client.pure_music("ambient", timeout=600)
        emulator.inject_http("POST", "/api/v2/suno/v3.5/custom/create-pure-music", 502)
        clips = await client.pure_music("ambient", resend_if_ambiguous=True, timeout=600)
        assert len(clips) == 2
        assert (client.credits_spent, client.credits_uncertain) == (10, 20)


async def test_a_rerun_after_a_failed_training_reads_the_session_afresh(
    emulator: Emulator, tmp_path: Path
) -> None:
    """After a failed training, the rerun's create is judged against what the session shows
    now (``failed``), not what it showed before the first create: a second create lost before
    the server saw it is sent again, and counted once, as spent."""
    urls, journal = emulator.sample_audio_urls(6), tmp_path / "train.json"
    emulator.fail_next_tasks("training", reason="GPU fell over.")
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, retry=FAST_RETRY, clock=emulator.clock
    ) as client:
        with pytest.raises(TaskFailedError):
            await client.train_custom_model(urls, name="m", journal=journal)
        # Six upload fees (1 each); the failed training was refunded.
        assert (client.credits_spent, emulator.credits_spent) == (100, 6)
        emulator.drop_next("POST", CREATE, after_work=False)
        result = await client.train_custom_model(urls, name="m", journal=journal)
        assert result.model_id.startswith("chirp-custom:")
        assert emulator.count("POST", CREATE) == 3
        assert (client.credits_spent, client.credits_uncertain) == (200, 0)
    assert emulator.credits_spent == 106


async def test_a_resumed_create_settles_only_its_own_uncertainty(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A rerun that finds the create of a journal "sending" does not settle credits this client
    counted for something else (here a lost generate)."""
    urls, journal = emulator.sample_audio_urls(6), tmp_path / "train.json"
    emulator.slow_next("POST", CREATE, 0.5)
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, retry=FAST_RETRY, clock=emulator.clock
    ) as first:
        async with anyio.create_task_group() as tg:
            with anyio.CancelScope() as scope:
                tg.start_soon(watch_journal, journal, "create", "sending", scope)
                await first.train_custom_model(urls, name="m", journal=journal)
        assert scope.cancelled_caught  # killed while create was in flight: "sending"
    await anyio.sleep(0.6)  # the slowed create lands (and is charged) meanwhile
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, retry=FAST_RETRY, clock=emulator.clock
    ) as client:
        emulator.drop_next("POST", GENERATE_PATH, after_work=False)
        with pytest.raises(AmbiguousSubmitError):
            await client.generate(task="create", model="chirp-v50")
        assert client.credits_uncertain == 40
        await client.train_custom_model(urls, name="m", journal=journal)
        assert (client.credits_spent, client.credits_uncertain) == (0, 40)


@pytest.mark.parametrize("waiting", ["queued", "ready"])
async def test_a_session_waiting_before_and_after_a_lost_create_cannot_tell(
    waiting: str,
) -> None:
    """``queued``, like ``ready``, waits for a worker: the same before and after a lost create
    tells nothing, so AmbiguousSubmitError at once, never a 15-minute wait."""
    api, counts = _training_server(_status(waiting), _status(waiting), create_arrives=False)
    counts["status_after"] = -100
    async with tiny_server(api) as base, fast(base) as client:
        with pytest.raises(AmbiguousSubmitError) as info:
            await client.train_custom_model(SIX, name="m")
    assert info.value.session_id == "sess"
    assert counts["create"] == 1


async def test_a_failed_session_without_a_baseline_cannot_tell() -> None:
    """When the session could not be read before create, a ``failed`` after a lost create may
    be this very create failing: not proof that it did not arrive, so it is not sent again."""
    creates = 0

    async def api(request: web.Request) -> web.StreamResponse:
        nonlocal creates
        answer = await _prepare_and_upload(request)
        if answer is not None:
            return answer
        path = request.path
        if path.endswith("/create"):
            creates += 1
            return web.json_response({"message": "bad gateway"}, status=502)
        if not creates:
            return web.json_response({"message": "down"}, status=500)
        return web.json_response({"taskId": "sess", "status": "failed", "failReason": "x"})

    async with tiny_server(api) as base, fast(base) as client:
        with pytest.raises(AmbiguousSubmitError):
            await client.train_custom_model(SIX, name="m")
        assert (client.credits_spent, client.credits_uncertain) == (0, 100)
    assert creates == 1


async def test_a_lost_create_later_answered_409_counts_as_charged() -> None:
    """A lookup that shows "no such task" after a lost create is confirmed by the next create:
    a 409 (already training) means the first one had arrived, so it is counted as spent."""
    creates = 0

    async def api(request: web.Request) -> web.StreamResponse:
        nonlocal creates
        answer = await _prepare_and_upload(request)
        if answer is not None:
            return answer
        path = request.path
        if path.endswith("/create"):
            creates += 1
            if creates == 1:
                return web.json_response({"message": "bad gateway"}, status=502)
            return web.json_response({"message": "already training"}, status=409)
        if creates < 2:  # a lagging status endpoint: does not know the training yet
            return web.json_response({"message": "Task not found"}, status=404)
        return web.json_response({"taskId": "sess", "status": "success", "data": MODEL})

    async with tiny_server(api) as base, fast(base) as client:
        result = await client.train_custom_model(SIX, name="m")
        assert (client.credits_spent, client.credits_uncertain) == (100, 0)
    assert result.model_id == MODEL["id"]


async def test_a_utf16_page_is_not_taken_for_mp3(tmp_path: Path) -> None:
    """UTF-16 text starts ``FF FE``, which an 11-bit frame sync check takes for MP3."""
    page = "<html>not audio</html>".encode("utf-16")

    async def cdn(request: web.Request) -> web.StreamResponse:
        return web.Response(body=page, content_type="application/octet-stream")

    async with tiny_server(cdn) as base, MountseaClient(api_key="k", max_retries=0) as client:
        with pytest.raises(ResponseValidationError, match="not audio"):
            await client.download(f"{base}/a.mp3", tmp_path / "a.mp3")


async def test_a_resumed_download_is_refused_when_it_is_a_page(tmp_path: Path) -> None:
    """A 206 that continues a broken download with an HTML page is not appended to the audio."""
    wav = _wav()

    async def cdn(request: web.Request) -> web.StreamResponse:
        start = int(request.headers["Range"].removeprefix("bytes=").rstrip("-"))
        page = b"<html>" + b"x" * (len(wav) - start - 13) + b"</html>"
        return web.Response(
            status=206,
            body=page,
            content_type="text/html",
            headers={"Content-Range": f"bytes {start}-{len(wav) - 1}/{len(wav)}"},
        )

    async with tiny_server(cdn) as base, MountseaClient(api_key="k", max_retries=0) as client:
        url = f"{base}/a.wav"
        # What a broken earlier transfer left: the first 1000 bytes, in the part file.
        source = hashlib.sha256(url.encode()).hexdigest()[:16]
        (tmp_path / f".a.wav.{source}.part").write_bytes(wav[:1000])
        with pytest.raises(ResponseValidationError, match="expected audio"):
            await client.download(url, tmp_path / "a.wav")
    assert not (tmp_path / "a.wav").exists()


def test_documented_answers_decode_unchanged_and_loose_ones_normalised() -> None:
    """The fast path (documented statuses, string ids) and the loose one give the same
    normalised structs: numbers become string ids, statuses lower case, digit fail codes int."""
    import msgspec

    from suno_async import Clip
    from suno_async.mountsea import TaskSnapshot

    loose = b'{"id": 7, "status": " Complete ", "metadata": {"history": [{"id": 8}]}}'
    clip = msgspec.json.decode(loose, type=Clip)
    assert (clip.id, clip.status) == ("7", "complete")
    assert clip.metadata is not None
    assert clip.metadata.history is not None
    assert clip.metadata.history[0].id == "8"
    plain = msgspec.json.decode(b'{"id": "7", "status": "complete"}', type=Clip)
    assert (plain.id, plain.status) == ("7", "complete")
    snapshot = msgspec.json.decode(
        b'{"taskId": 9, "status": "FAILED", "failCode": "4001"}', type=TaskSnapshot
    )
    assert (snapshot.task_id, snapshot.status, snapshot.fail_code) == ("9", "failed", 4001)
    unknown = msgspec.json.decode(b'{"taskId": "t", "status": "Hatching"}', type=TaskSnapshot)
    assert unknown.status == "hatching"


async def test_a_training_found_after_two_unclear_creates_settles_one_of_them() -> None:
    """With resend_if_ambiguous, two creates answered 502 and then a training found: one
    create is spent, the other stays uncertain (the lookup does not prove it was not billed)."""
    state = {"create": 0, "after": 0}

    async def api(request: web.Request) -> web.StreamResponse:
        answer = await _prepare_and_upload(request)
        if answer is not None:
            return answer
        if request.path.endswith("/create"):
            state["create"] += 1
            return web.json_response({"message": "bad gateway"}, status=502)
        if state["create"] < 2:
            return web.json_response({"taskId": "sess", "status": "ready"})
        state["after"] += 1
        if state["after"] > 1:
            return web.json_response({"taskId": "sess", "status": "success", "data": MODEL})
        return web.json_response({"taskId": "sess", "status": "queued", "createdAt": "t2"})

    async with tiny_server(api) as base, fast(base) as client:
        await client.train_custom_model(SIX, name="m", resend_if_ambiguous=True)
        assert (client.credits_spent, client.credits_uncertain) == (100, 100)


async def test_a_refusal_after_a_not_arrived_lookup_keeps_the_lost_create_uncertain() -> None:
    """A create lost (502), a lagging lookup that says "no such task", then the resend refused
    ("already submitted"): the lost create may have been billed, so it stays uncertain."""
    creates = 0

    async def api(request: web.Request) -> web.StreamResponse:
        nonlocal creates
        answer = await _prepare_and_upload(request)
        if answer is not None:
            return answer
        if request.path.endswith("/create"):
            creates += 1
            if creates == 1:
                return web.json_response({"message": "bad gateway"}, status=502)
            body = {"statusCode": 400, "message": "training already submitted"}
            return web.json_response(body, status=400)
        return web.json_response({"statusCode": 404, "message": "Task not found"}, status=404)

    async with tiny_server(api) as base, fast(base) as client:
        with pytest.raises(BadRequestError):
            await client.train_custom_model(SIX, name="m")
        assert (client.credits_spent, client.credits_uncertain) == (0, 100)


async def test_the_last_lost_create_names_its_session() -> None:
    """Every create lost and every lookup "not arrived": the final AmbiguousSubmitError still
    names the session to look up."""

    async def api(request: web.Request) -> web.StreamResponse:
        answer = await _prepare_and_upload(request)
        if answer is not None:
            return answer
        if request.path.endswith("/create"):
            return web.json_response({"message": "bad gateway"}, status=502)
        return web.json_response({"statusCode": 404, "message": "Task not found"}, status=404)

    async with tiny_server(api) as base, fast(base) as client:
        with pytest.raises(AmbiguousSubmitError) as info:
            await client.train_custom_model(SIX, name="m")
    assert info.value.session_id == "sess"


async def test_a_plain_404_from_the_api_is_not_a_wrong_base_url() -> None:
    """A framework's default "404: Not Found" (text/plain) may be the API's "no such task",
    even as a client's first answer (a resumed run looks a session up first)."""

    async def api(request: web.Request) -> web.StreamResponse:
        raise web.HTTPNotFound()

    async with tiny_server(api) as base, fast(base) as client:
        with pytest.raises(NotFoundError):
            await client.get_status("sess")


async def test_a_web_page_with_inline_json_is_still_a_wrong_base_url() -> None:
    """A site's 200 page often carries JSON in a script: still not the API, nothing counted."""
    page = (
        b'<!doctype html><html><head><script type="application/ld+json">{"@context":'
        b'"https://schema.org"}</script></head><body>Hi</body></html>'
    )

    async def site(request: web.Request) -> web.StreamResponse:
        return web.Response(body=page, content_type="text/html")

    async with tiny_server(site) as base, fast(base) as client:
        with pytest.raises(WrongBaseURLError):
            await client.generate(task="create", model="chirp-v50")
        assert client.credits_uncertain == 0


@pytest.mark.parametrize("text", ['{"error": 1}', "Error: not found", "hello", "<html>"])
def test_utf16_text_is_never_audio(text: str) -> None:
    from suno_async._core._audio import looks_like_audio

    assert not looks_like_audio(text.encode("utf-16")[:16])


@pytest.mark.parametrize(
    "head", ["FFFB9064", "FFFBB000", "FFF39064", "FFE39064", "FFFA9064", "FFF15080", "FFF95080"]
)
def test_real_mp3_and_aac_headers_are_audio(head: str) -> None:
    from suno_async._core._audio import looks_like_audio

    assert looks_like_audio(bytes.fromhex(head) + b"\0" * 12)
