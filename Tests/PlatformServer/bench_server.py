#!/usr/bin/env python3
"""A minimal, fast loopback Bot API endpoint for herald-bench: HTTP/1.1 keep-alive, a fixed Telegram success
body, optional latency, optional enforced limit (429 past N requests in any 1 s window), and stats at GET /_/stats.
Usage: bench_server.py PORT_FILE [--latency-ms N] [--limit N]"""
import argparse, asyncio, collections, json, os, time

stats = {"requests": 0, "rejected": 0, "first": None, "last": None}
window = collections.deque()
OK = b'{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},"text":"x"}}'
LIMITED = b'{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}'

def response(status, body):
    reason = b"OK" if status == 200 else b"Too Many Requests"
    return b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (status, reason, len(body), body)

async def handle(reader, writer, latency, limit):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            if head.startswith(b"GET /_/stats"):
                writer.write(response(200, json.dumps(stats).encode()))
                continue
            if latency:
                await asyncio.sleep(latency)
            now = time.monotonic()
            if limit:
                while window and now - window[0] >= 1.0:
                    window.popleft()
                if len(window) >= limit:
                    stats["rejected"] += 1
                    writer.write(response(429, LIMITED))
                    continue
                window.append(now)
            stats["requests"] += 1
            stats["first"] = stats["first"] or now
            stats["last"] = now
            writer.write(response(200, OK))
    except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        writer.close()

async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    server = await asyncio.start_server(lambda r, w: handle(r, w, args.latency_ms / 1000, args.limit), "127.0.0.1", 0, backlog=4096)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    async with server:
        await server.serve_forever()

asyncio.run(main())
