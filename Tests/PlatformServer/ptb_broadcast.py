#!/usr/bin/env python3
"""The second peer reference for herald-bench: a broadcast the way python-telegram-bot's users write one, against a
loopback Bot API. Sends one text to N chats, sequentially (concurrency 1) or with at most C calls in flight (the
HTTP pool sized to match); prints messages per second.
Usage: ptb_broadcast.py BASE_URL N CONCURRENCY"""
import asyncio, sys, time
from telegram import Bot
from telegram.request import HTTPXRequest

async def main(base, count, concurrency):
    request = HTTPXRequest(connection_pool_size=max(1, concurrency))
    bot = Bot("1:bench", base_url=f"{base}/bot", request=request)
    chats = range(1_000_000, 1_000_000 + count)
    async with bot:
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
    print(f"{count / elapsed:.1f}")

if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
