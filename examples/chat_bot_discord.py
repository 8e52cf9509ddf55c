"""The music chat bot on Discord, with discord.py (``pip install discord.py``).

Not run by the tests: it needs a bot token and the network. The commands are the core's
(:class:`chat_bot.MusicBot`) with a ``!`` prefix: ``!generate lofi | Night Bus``, ``!train``,
``!help``. The bot needs the "message content" privileged intent (Developer Portal, Bot tab).
discord.py runs each event handler in its own task, so a long training does not block other
messages, and all of them share one :class:`~suno_async.MountseaClient`.

    MOUNTSEA_API_KEY=... DISCORD_TOKEN=... python examples/chat_bot_discord.py
"""

from __future__ import annotations

import os

import anyio
import discord  # type: ignore[import-not-found,unused-ignore]
from chat_bot import MusicBot

from suno_async import MountseaClient

PREFIX = "!"
COMMANDS = frozenset({"generate", "train", "help"})


def build_client(music: MusicBot) -> discord.Client:
    """A Discord client that hands ``!generate``, ``!train`` and ``!help`` to ``music``."""
    intents = discord.Intents.default()
    intents.message_content = True
    bot = discord.Client(intents=intents)

    async def on_message(message: discord.Message) -> None:
        first_word = message.content.partition(" ")[0]
        if message.author.bot or first_word not in {PREFIX + name for name in COMMANDS}:
            return

        async def reply(text: str) -> discord.Message:
            return await message.reply(text, mention_author=False)

        async def edit(sent: discord.Message, text: str) -> None:
            await sent.edit(content=text)

        await music.handle(message.content, reply, edit)

    bot.event(on_message)  # discord.py finds the handler by its name
    return bot


async def main() -> None:
    """Run the bot until interrupted (the key comes from ``MOUNTSEA_API_KEY``)."""
    async with MountseaClient() as client:
        bot = build_client(MusicBot(client, max_length=2000))
        async with bot:
            await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    anyio.run(main)
