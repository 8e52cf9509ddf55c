"""A small aiohttp web service that lets its own users generate songs.

Endpoints (every call needs ``Authorization: Bearer <token>``, one of the service's own tokens,
not the Suno key, which never leaves the server)::

    POST /generate   {"tags": "...", "title": "...", "prompt": "lyrics"}   -> 202 {"id", ...}
    GET  /jobs/{id}  -> 200 {"id", "status", "clips": [{"id", "title", "audio_url"}], ...}

``tags`` is required; without ``prompt`` the song is instrumental. Unknown fields, wrong types
and texts over the limits are refused with 400 and ``{"error": "..."}``. A job is seen only by
the user who made it (404 for anyone else). Its ``status`` moves through ``queued`` (waiting
for a free slot), ``submitted``, the provider's own statuses (``queued``, ``running``,
``stream``, ...), then ``done`` with its clips, or ``failed`` with an ``error`` fit to show the
user.

How it holds together:

* One :class:`~suno_async.MountseaClient` for the app's lifetime, opened and closed by a
  ``cleanup_ctx`` (one connection pool, one shared limiter for status polls).
* Each job runs in an asyncio task that the :class:`JobRegistry` keeps a reference to (so it
  is not garbage-collected), at most ``max_concurrent`` generating at once, each user with at
  most ``max_active_per_user`` unfinished jobs (429 beyond). Every failure lands in the job,
  never in an unretrieved task exception. On shutdown the tasks are cancelled and awaited
  before the client closes. Finished jobs beyond ``max_kept`` are forgotten, oldest first.
* Jobs live in memory: a restart forgets them (use a database for anything real).

    python examples/web_service.py --emulator --smoke   # offline: one job end to end, exits
    python examples/web_service.py --emulator           # offline, serves on 127.0.0.1:8080
    MOUNTSEA_API_KEY=... SERVICE_TOKENS=alice:s3cret,bob:hunter2 python examples/web_service.py
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

import aiohttp
import anyio
import msgspec
from aiohttp import web

from suno_async import (
    ConfigError,
    Event,
    GenerateRequest,
    GenerateTask,
    MountseaClient,
    RateLimitError,
    SunoError,
    SystemClock,
    TaskFailedError,
    TaskStatusChanged,
    TaskTimeoutError,
)

__all__ = ["GenerateBody", "Job", "JobRefusedError", "JobRegistry", "create_app", "main"]

logger = logging.getLogger("web_service")


class GenerateBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /generate``."""

    tags: Annotated[str, msgspec.Meta(min_length=1, max_length=199)]
    title: Annotated[str, msgspec.Meta(max_length=79)] | None = None
    prompt: Annotated[str, msgspec.Meta(max_length=2999)] | None = None


_BODY: Final = msgspec.json.Decoder(GenerateBody)


@dataclass(slots=True)
class Job:
    """One user's generation."""

    id: str
    owner: str
    title: str | None
    status: str = "queued"
    task_id: str | None = None
    clips: list[dict[str, str | None]] = field(default_factory=list)
    error: str | None = None

    @property
    def finished(self) -> bool:
        """True once the job is done or failed."""
        return self.status in ("done", "failed")

    def to_json(self) -> dict[str, Any]:
        """The job as ``GET /jobs/{id}`` shows it."""
        return {
            "id": self.id,
            "status": self.status,
            "title": self.title,
            "clips": self.clips,
            "error": self.error,
        }


class JobRefusedError(Exception):
    """A job was not started; ``status`` is the HTTP status to answer (429: the user has too
    many unfinished jobs, 503: the service is shutting down)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class JobRegistry:
    """The jobs of the service and the asyncio tasks that run them.

    Args:
        client: the shared, open client.
        model: the model every job generates with.
        max_concurrent: jobs generating at once; the others wait as ``queued``.
        max_active_per_user: unfinished jobs one user may have.
        max_kept: jobs remembered; the oldest finished ones are forgotten beyond it.
    """

    def __init__(
        self,
        client: MountseaClient,
        *,
        model: str = "chirp-v55",
        max_concurrent: int = 4,
        max_active_per_user: int = 3,
        max_kept: int = 1000,
    ) -> None:
        self._client = client
        self._model = model
        self._slots = asyncio.Semaphore(max_concurrent)
        self._max_active = max_active_per_user
        self._max_kept = max_kept
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def start(self, owner: str, body: GenerateBody) -> Job:
        """Create a job for ``owner`` and start it in the background.

        Raises:
            JobRefusedError: ``owner`` has too many unfinished jobs, or the service is
                shutting down.
        """
        if self._closed:
            raise JobRefusedError("The service is shutting down.", status=503)
        active = sum(1 for job in self._jobs.values() if job.owner == owner and not job.finished)
        if active >= self._max_active:
            raise JobRefusedError(
                f"You already have {active} unfinished jobs; wait for one to finish.", status=429
            )
        job = Job(id=uuid.uuid4().hex, owner=owner, title=body.title)
        self._jobs[job.id] = job
        self._forget_old()
        task = asyncio.create_task(self._run(job, body), name=f"job-{job.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def get(self, job_id: str, owner: str) -> Job | None:
        """The job with this id if ``owner`` made it, else ``None``."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    async def aclose(self) -> None:
        """Refuse new jobs, cancel the running ones and wait until they have stopped."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _forget_old(self) -> None:
        excess = len(self._jobs) - self._max_kept
        for job_id in [j.id for j in self._jobs.values() if j.finished][: max(0, excess)]:
            del self._jobs[job_id]

    async def _run(self, job: Job, body: GenerateBody) -> None:
        def on_event(event: Event) -> None:
            if isinstance(event, TaskStatusChanged) and not job.finished:
                job.status = event.status

        request = GenerateRequest(
            task=GenerateTask.CREATE,
            model=self._model,
            tags=body.tags,
            title=body.title or msgspec.UNSET,
            prompt=body.prompt if body.prompt else msgspec.UNSET,
            make_instrumental=True if not body.prompt else msgspec.UNSET,
        )
        try:
            async with self._slots:
                job.task_id = await self._client.generate(request)
                job.status = "submitted"
                clips = await self._client.wait_for_generation(job.task_id, on_event=on_event)
        except asyncio.CancelledError:
            job.status, job.error = "failed", "The service stopped before the song was ready."
            raise
        except SunoError as exc:
            logger.info("job %s failed: %r", job.id, exc)
            job.status, job.error = "failed", _public_error(exc)
        except Exception:
            logger.exception("job %s crashed", job.id)
            job.status, job.error = "failed", "Internal error."
        else:
            job.clips = [
                {"id": clip.id, "title": clip.title, "audio_url": clip.audio_url} for clip in clips
            ]
            job.status = "done"


def _public_error(exc: SunoError) -> str:
    """What a user of the service may see: no keys, no provider internals."""
    match exc:
        case ConfigError():
            return f"Invalid request: {exc.args[0] if exc.args else exc}"
        case TaskFailedError(fail_reason=reason):
            return f"The song could not be made: {reason or 'no reason given'}"
        case TaskTimeoutError():
            return "The song took too long; try again."
        case RateLimitError():
            return "The music service is busy; try again in a minute."
    return "The music service is unavailable; try again later."


JOBS_KEY: Final = web.AppKey("jobs", JobRegistry)
TOKENS_KEY: Final = web.AppKey[dict[str, str]]("tokens")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _user(request: web.Request) -> str | None:
    """The service user the request's bearer token belongs to, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    for known, user in request.app[TOKENS_KEY].items():
        if secrets.compare_digest(known.encode(), token.strip().encode()):
            return user
    return None


async def post_generate(request: web.Request) -> web.Response:
    """``POST /generate``: validate, start a job, answer 202 with its id."""
    user = _user(request)
    if user is None:
        return _error(401, "Send 'Authorization: Bearer <your token>'.")
    try:
        body = _BODY.decode(await request.read())
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
        return _error(400, f"Invalid body: {exc}")
    try:
        job = request.app[JOBS_KEY].start(user, body)
    except JobRefusedError as exc:
        return _error(exc.status, str(exc))
    url = f"/jobs/{job.id}"
    return web.json_response(
        {"id": job.id, "status": job.status, "url": url}, status=202, headers={"Location": url}
    )


async def get_job(request: web.Request) -> web.Response:
    """``GET /jobs/{id}``: the job, if the caller made it."""
    user = _user(request)
    if user is None:
        return _error(401, "Send 'Authorization: Bearer <your token>'.")
    job = request.app[JOBS_KEY].get(request.match_info["job_id"], user)
    if job is None:
        return _error(404, "No such job.")
    return web.json_response(job.to_json())


def create_app(
    make_client: Callable[[], MountseaClient],
    *,
    tokens: Mapping[str, str],
    model: str = "chirp-v55",
    max_concurrent: int = 4,
    max_active_per_user: int = 3,
) -> web.Application:
    """The service. ``make_client`` is called once at startup; ``tokens`` maps each of the
    service's bearer tokens to its user's name."""
    if not tokens:
        raise ValueError("the service needs at least one user token")
    app = web.Application(client_max_size=64 * 1024)
    app[TOKENS_KEY] = dict(tokens)

    async def suno_lifetime(app: web.Application) -> AsyncIterator[None]:
        async with make_client() as client:
            jobs = JobRegistry(
                client,
                model=model,
                max_concurrent=max_concurrent,
                max_active_per_user=max_active_per_user,
            )
            app[JOBS_KEY] = jobs
            try:
                yield
            finally:
                await jobs.aclose()

    app.cleanup_ctx.append(suno_lifetime)
    app.router.add_post("/generate", post_generate)
    app.router.add_get("/jobs/{job_id}", get_job)
    return app


# -- the command line --------------------------------------------------------------------------


@asynccontextmanager
async def client_factory(
    *, emulator: bool, speed: float
) -> AsyncIterator[Callable[[], MountseaClient]]:
    """How the app makes its client: on the in-process emulator (its clock ``speed`` times
    real time), or on the provider named by ``MOUNTSEA_API_KEY`` and ``MOUNTSEA_BASE_URL``."""
    if not emulator:
        yield MountseaClient
        return
    from suno_async.emulator import Emulator, EmulatorConfig

    clock = SystemClock(speed)
    async with Emulator(EmulatorConfig(), clock=clock) as emu:
        yield lambda: MountseaClient(api_key="emulator", base_url=emu.base_url, clock=clock)


def parse_tokens(text: str) -> dict[str, str]:
    """``"alice:token1,bob:token2"`` as ``{"token1": "alice", "token2": "bob"}``."""
    tokens: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        user, _, token = item.partition(":")
        if not user or not token:
            raise ValueError(f"SERVICE_TOKENS entries look like user:token, got {item!r}")
        tokens[token] = user
    return tokens


async def smoke(base_url: str, token: str) -> None:
    """Play one user: post a job, poll it until it finishes, print what came back."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(base_url, headers=headers) as http:
        body = {"tags": "lofi, rain", "title": "Night Bus"}
        async with http.post("/generate", json=body) as response:
            job = await response.json()
            print(f"POST /generate -> {response.status} {job}")
        while job["status"] not in ("done", "failed"):
            await anyio.sleep(0.05)
            async with http.get(job["url"]) as response:
                job = await response.json() | {"url": job["url"]}
        print(f"GET {job['url']} -> {job['status']}: {job['clips'] or job['error']}")


#: The one user's token with --emulator and no SERVICE_TOKENS (no secret: it is a demo).
DEMO_TOKEN = "demo-token"  # noqa: S105 - a demo token, printed on purpose


async def serve(args: argparse.Namespace) -> None:
    """Serve until cancelled (or, with ``--smoke``, until one job went through)."""
    tokens = parse_tokens(os.environ.get("SERVICE_TOKENS", ""))
    if args.emulator and not tokens:
        tokens = {DEMO_TOKEN: "demo"}
    async with client_factory(emulator=args.emulator, speed=args.speed) as make_client:
        runner = web.AppRunner(create_app(make_client, tokens=tokens, model=args.model))
        await runner.setup()
        try:
            port = args.port if args.port is not None else (0 if args.smoke else 8080)
            await web.TCPSite(runner, args.host, port).start()
            host, port = runner.addresses[0][:2]
            base_url = f"http://{host}:{port}"
            print(f"serving on {base_url}; users: {', '.join(sorted(tokens.values()))}")
            if args.smoke:
                await smoke(base_url, next(iter(tokens)))
                return
            # The demo token is no secret; a real one is not printed (its user has it).
            demo = DEMO_TOKEN in tokens
            print(
                f'try: curl -s -H "Authorization: Bearer {DEMO_TOKEN if demo else "$TOKEN"}" '
                f"-d '{{\"tags\": \"lofi\"}}' -H 'Content-Type: application/json' "
                f"{base_url}/generate"
                + ("" if demo else "   (TOKEN: one of the tokens in SERVICE_TOKENS)")
            )
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """The command line. Users and their tokens come from ``SERVICE_TOKENS``
    (``user:token,...``); with ``--emulator`` and none set, one user ``demo`` with the token
    ``demo-token``."""
    parser = argparse.ArgumentParser(description="A web service that generates songs.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, help="port (8080; any free one with --smoke)")
    parser.add_argument("--model", default="chirp-v55", help="model to generate with")
    parser.add_argument("--emulator", action="store_true", help="use the in-process emulator")
    parser.add_argument("--speed", type=float, default=100.0, help="emulator speed-up (100)")
    parser.add_argument("--smoke", action="store_true", help="run one job end to end and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.smoke else logging.INFO)
    try:
        anyio.run(serve, args)
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
