"""The pytest plugin ``suno_async.testing``, run the way users run it: on test files of their own.

Each test writes a small user test file and runs pytest on it in-process with ``pytester``.
Plugin auto-loading is turned off there and the plugins are named with ``-p``, so the runs are
the same whether or not the ``pytest11`` entry point is installed in this environment.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]

#: anyio's plugin and ours, loaded explicitly. The module may already be imported (by the outer
#: session), which pytest reports as "cannot be rewritten": harmless, it holds no asserts.
PLUGIN_ARGS = (
    "-p",
    "anyio",
    "-p",
    "suno_async.testing",
    "-p",
    "no:cacheprovider",
    "-W",
    "ignore::pytest.PytestAssertRewriteWarning",
)

HEADER = """
import pytest
from suno_async import (
    AmbiguousSubmitError, BadRequestError, ClipFailedError, InsufficientCreditsError,
    RateLimitError, SunoapiClient, MountseaClient, TaskFailedError, TaskStatusChanged,
    TaskTimeoutError, VirtualClock,
)
from suno_async.emulator import Emulator
from suno_async.testing import EmulatorControl

pytestmark = pytest.mark.anyio
STATUS = "/suno/v2/status"
GENERATE = "/suno/v2/generate"
"""


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose runs load only the plugins named on their command line, and treat
    warnings as errors like this suite (so a fixture that leaks a session fails)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    return pytester


def run_user_tests(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    """Write ``source`` (after the common imports) as a user's test file and run pytest on it."""
    pytester.makepyfile(test_user=HEADER + textwrap.dedent(source))
    return pytester.runpytest_inprocess(*PLUGIN_ARGS)


def test_fixtures_give_a_running_emulator_and_ready_clients(pytester: pytest.Pytester) -> None:
    """mountsea_client and sunoapi_client work against suno_emulator, sharing its virtual clock."""
    result = run_user_tests(
        pytester,
        """
        async def test_suno_client(mountsea_client: MountseaClient, suno_control: EmulatorControl):
            clips = await mountsea_client.pure_music("lofi, chill", "Night Drive")
            assert len(clips) == 2
            assert suno_control.credits_spent == 40
            assert len(suno_control.requests_to(GENERATE, method="post")) == 1

        async def test_sunoapi_client(sunoapi_client: SunoapiClient, suno_control):
            clips = await sunoapi_client.pure_music("epic reggae", "Electric Dreams")
            assert [c.status for c in clips] == ["complete", "complete"]
            assert suno_control.sunoapi_credits_spent == 10

        async def test_training_takes_no_wall_time(
            mountsea_client, suno_control, suno_clock: VirtualClock, suno_emulator: Emulator
        ):
            assert suno_emulator.clock is suno_clock is mountsea_client.clock
            result = await mountsea_client.train_custom_model(
                suno_control.sample_audio_urls(6), name="Band"
            )
            assert result.model_id.startswith("chirp-custom:")
            assert suno_control.now() >= 150  # the emulator's training time

        async def test_client_options_build_another_client(suno_control: EmulatorControl):
            async with MountseaClient(**suno_control.client_options()) as client:
                await client.pure_music("jazz")
            assert suno_control.credits_spent == 40

        async def test_each_test_gets_a_fresh_account(suno_control: EmulatorControl):
            assert suno_control.credits_spent == 0
            assert suno_control.requests == []
        """,
    )
    result.assert_outcomes(passed=5)


def test_task_fault_helpers(pytester: pytest.Pytester) -> None:
    """fail_next, time_out_next, stall_next and unknown_status_next script the next tasks."""
    result = run_user_tests(
        pytester,
        """
        async def test_fail_next(mountsea_client, suno_control):
            suno_control.fail_next("generate", reason="The lyrics were flagged.", code=4003)
            with pytest.raises(TaskFailedError) as info:
                await mountsea_client.pure_music("pop")
            assert (info.value.fail_reason, info.value.fail_code) == (
                "The lyrics were flagged.", 4003
            )
            assert suno_control.credits_spent == 0  # refunded
            assert len(await mountsea_client.pure_music("pop")) == 2  # only the next task

        async def test_fail_next_music(sunoapi_client, suno_control):
            suno_control.fail_next("music")
            with pytest.raises(ClipFailedError):
                await sunoapi_client.pure_music("pop")

        async def test_time_out_next(mountsea_client, suno_control):
            suno_control.time_out_next("generate")
            with pytest.raises(TaskTimeoutError):
                await mountsea_client.pure_music("pop")

        async def test_stall_next(mountsea_client, suno_control):
            suno_control.stall_next("generate")
            with pytest.raises(TaskTimeoutError):
                await mountsea_client.pure_music("pop", timeout=300)
            assert suno_control.now() >= 300

        async def test_unknown_status_next(mountsea_client, suno_control):
            suno_control.unknown_status_next("generate", "paused")
            task_id = await mountsea_client.generate(task="create", model="chirp-v50", tags="pop")
            assert (await mountsea_client.get_status(task_id)).status == "paused"
            assert len(await mountsea_client.wait_for_generation(task_id)) == 2

        async def test_unknown_kind_is_refused(suno_control):
            with pytest.raises(ValueError, match="unknown task kind"):
                suno_control.fail_next("render")
        """,
    )
    result.assert_outcomes(passed=6)


def test_http_fault_helpers(pytester: pytest.Pytester) -> None:
    """rate_limit_next, server_error_next, respond_next and drop_next script the next
    requests; requests_to shows what the emulator answered."""
    result = run_user_tests(
        pytester,
        """
        async def test_rate_limit_is_retried(mountsea_client, suno_control):
            suno_control.rate_limit_next("GET", STATUS, retry_after=2)
            await mountsea_client.pure_music("pop")
            statuses = [r.status for r in suno_control.requests_to(STATUS)]
            assert statuses[:2] == [429, 200]

        async def test_rate_limit_past_the_retries(mountsea_client, suno_control):
            suno_control.rate_limit_next("POST", GENERATE, retry_after=7, times=10)
            with pytest.raises(RateLimitError) as info:
                await mountsea_client.pure_music("pop")
            assert info.value.retry_after == 7
            assert suno_control.credits_spent == 0

        async def test_server_error_on_a_lookup_is_retried(mountsea_client, suno_control):
            suno_control.server_error_next("GET", STATUS, times=2)
            await mountsea_client.pure_music("pop")
            assert [r.status for r in suno_control.requests_to(STATUS)][:3] == [503, 503, 200]

        async def test_server_error_on_a_paid_call_is_ambiguous(mountsea_client, suno_control):
            suno_control.server_error_next("POST", GENERATE, status=502)
            with pytest.raises(AmbiguousSubmitError):
                await mountsea_client.pure_music("pop")
            with pytest.raises(ValueError, match="5xx"):
                suno_control.server_error_next("POST", GENERATE, status=404)

        async def test_respond_next(mountsea_client, suno_control):
            body = {"statusCode": 400, "message": ["tags is too fancy"], "error": "Bad Request"}
            suno_control.respond_next("POST", GENERATE, 400, body=body)
            with pytest.raises(BadRequestError, match="tags is too fancy"):
                await mountsea_client.pure_music("pop")

        async def test_drop_after_work(mountsea_client, suno_control):
            suno_control.drop_next("POST", GENERATE, after_work=True)
            with pytest.raises(AmbiguousSubmitError):
                await mountsea_client.pure_music("pop")
            assert suno_control.credits_spent == 40  # the work started and was billed

        async def test_drop_before_work(mountsea_client, suno_control):
            suno_control.drop_next("POST", GENERATE)
            with pytest.raises(AmbiguousSubmitError):
                await mountsea_client.pure_music("pop")
            assert suno_control.credits_spent == 0
        """,
    )
    result.assert_outcomes(passed=7)


def test_advance_moves_the_clock(pytester: pytest.Pytester) -> None:
    """advance() moves the emulator's time at once, and its tasks with it."""
    result = run_user_tests(
        pytester,
        """
        async def test_advance(mountsea_client, suno_control):
            task_id = await mountsea_client.generate(task="create", model="chirp-v50", tags="pop")
            assert (await mountsea_client.get_status(task_id)).status == "queued"
            suno_control.advance(60)
            assert suno_control.now() == 60
            assert (await mountsea_client.get_status(task_id)).status == "success"
            with pytest.raises(ValueError):
                suno_control.advance(-1)

        """,
    )
    result.assert_outcomes(passed=1)


def test_emulator_config_fixture_can_be_overridden(pytester: pytest.Pytester) -> None:
    """A conftest's suno_emulator_config replaces the default, and the client fixtures follow
    its api_key."""
    pytester.makeconftest(
        """
        import pytest
        from suno_async.emulator import EmulatorConfig

        @pytest.fixture
        def suno_emulator_config():
            return EmulatorConfig(api_key="only-this-key", credits=30)
        """
    )
    result = run_user_tests(
        pytester,
        """
        async def test_poor_account(mountsea_client, suno_control):
            with pytest.raises(InsufficientCreditsError):
                await mountsea_client.pure_music("pop")
            assert all(r.authorized for r in suno_control.requests)
            assert suno_control.credits == 30
        """,
    )
    result.assert_outcomes(passed=1)


def test_another_anyio_backend_is_skipped_with_a_reason(pytester: pytest.Pytester) -> None:
    """A test anyio would run on trio is skipped before any async setup, saying what to do."""
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(params=["asyncio", "trio"])
        def anyio_backend(request):
            return request.param
        """
    )
    result = run_user_tests(
        pytester,
        """
        async def test_song(mountsea_client):
            await mountsea_client.pure_music("pop")
        """,
    )
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.no_fnmatch_line("*Error*")
    report = pytester.runpytest_inprocess(*PLUGIN_ARGS, "-rs")
    report.stdout.fnmatch_lines(["*asyncio only*anyio_backend fixture returning 'asyncio'*"])


def test_importing_the_library_does_not_import_pytest() -> None:
    """``import suno_async`` (and its emulator) leaves pytest and the plugin unimported."""
    code = (
        "import sys, suno_async, suno_async.emulator; "
        "print(sorted(m for m in sys.modules if m == 'pytest' or m == 'suno_async.testing'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "[]"
