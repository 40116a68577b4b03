#!/usr/bin/env python3
"""COUNT connections at once to 127.0.0.1:PORT, each one `GET /healthcheck` closed after
its answer; prints how many were answered. For the bench scripts:

    flood.py PORT COUNT
"""
import asyncio
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])

async def probe():
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthcheck HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer.startswith(b"HTTP/1.1 ")

async def main():
    answered = await asyncio.gather(*(probe() for _ in range(count)))
    print(sum(answered))

asyncio.run(main())
