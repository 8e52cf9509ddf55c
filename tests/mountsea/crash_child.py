"""A training and generation run with journals, for the crash test to kill and start again.

Usage: python crash_child.py BASE_URL WORKDIR SPEED. Prints every event as a JSON line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import msgspec

from suno_async import Event, MountseaClient, SystemClock


async def main(base_url: str, workdir: Path, speed: float) -> None:
    def show(event: Event) -> None:
        sys.stdout.write(msgspec.json.encode(event).decode() + "\n")
        sys.stdout.flush()

    urls = [f"{base_url}/samples/track-{i}.wav" for i in range(1, 7)]
    async with MountseaClient(
        api_key="crash-test-key", base_url=base_url, clock=SystemClock(speed)
    ) as client:
        training = await client.train_custom_model(
            urls, name="crash", journal=workdir / "train.json", on_event=show
        )
        result = await client.generate_and_download(
            task="create",
            model=training.model_id,
            tags="Pop",
            directory=workdir / "out",
            journal=workdir / "gen.json",
            on_event=show,
        )
    print("DONE", training.model_id, *result.files, flush=True)


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]))
