"""The music chat bot on Telegram, with aiogram 3 (``pip install aiogram``).

Not run by the tests: it needs a bot token and the network. The commands are the core's
(:class:`chat_bot.MusicBot`): ``/generate lofi | Night Bus``, ``/train``, ``/help``. aiogram
handles each update in its own task while polling, so a long training does not block other
chats, and all of them share one :class:`~suno_async.MountseaClient`, passed to the handler by
aiogram's dependency injection (``start_polling(bot, music=...)``).

    MOUNTSEA_API_KEY=... TELEGRAM_BOT_TOKEN=... python examples/chat_bot_aiogram.py
"""

from __future__ import annotations

import os

import anyio
from aiogram import Bot, Dispatcher  # type: ignore[import-not-found,unused-ignore]
from aiogram.filters import Command  # type: ignore[import-not-found,unused-ignore]
from aiogram.types import Message  # type: ignore[import-not-found,unused-ignore]
from chat_bot import MusicBot

from suno_async import MountseaClient


async def on_command(message: Message, music: MusicBot) -> None:
    """Hand a command to the bot core; its status message is edited as work moves on."""

    async def reply(text: str) -> Message:
        return await message.answer(text)

    async def edit(sent: Message, text: str) -> None:
        await sent.edit_text(text)

    await music.handle(message.text or "", reply, edit)


async def main() -> None:
    """Poll Telegram until interrupted (the key comes from ``MOUNTSEA_API_KEY``)."""
    dispatcher = Dispatcher()
    dispatcher.message.register(on_command, Command("generate", "train", "help", "start"))
    async with MountseaClient() as client:
        bot = Bot(token=os.environ["TELEGRAM_BOT_TOKEN"])
        try:
            await dispatcher.start_polling(bot, music=MusicBot(client, max_length=4096))
        finally:
            await bot.session.close()


if __name__ == "__main__":
    anyio.run(main)
