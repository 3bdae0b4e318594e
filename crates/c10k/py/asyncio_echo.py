# An asyncio echo server (streams API): one task per connection, one thread.
# Echoes frames in the course format: struct.pack('i', len) + body.
# Usage: python3 asyncio_echo.py HOST PORT  (PORT 0: any free port)
import asyncio
import struct
import sys


async def echo(reader, writer):
    try:
        while True:
            head = await reader.readexactly(4)
            (n,) = struct.unpack("i", head)
            if n < 0 or n > 65536:
                break
            body = await reader.readexactly(n)
            writer.write(head + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def main():
    srv = await asyncio.start_server(echo, sys.argv[1], int(sys.argv[2]), backlog=4096)
    host, port = srv.sockets[0].getsockname()[:2]
    print(f"listening on {host}:{port} (model py-asyncio)", flush=True)
    async with srv:
        await srv.serve_forever()


asyncio.run(main())
