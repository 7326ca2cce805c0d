#!/usr/bin/env python3
"""The peer reference for herald-bench: a broadcast the way aiogram's users write one, against a loopback Bot API.
Sends one text to N chats, sequentially (concurrency 1) or with at most C calls in flight; prints messages per second.
Usage: aiogram_broadcast.py BASE_URL N CONCURRENCY"""
import asyncio, sys, time
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

async def main(base, count, concurrency):
    session = AiohttpSession(api=TelegramAPIServer.from_base(base))
    bot = Bot("1:bench", session=session)
    chats = range(1_000_000, 1_000_000 + count)
    start = time.perf_counter()
    if concurrency == 1:
        for chat in chats:
            await bot.send_message(chat, f"Hello {chat}")
    else:
        gate = asyncio.Semaphore(concurrency)
        async def one(chat):
            async with gate:
                await bot.send_message(chat, f"Hello {chat}")
        await asyncio.gather(*(one(chat) for chat in chats))
    elapsed = time.perf_counter() - start
    await session.close()
    print(f"{count / elapsed:.1f}")

if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
