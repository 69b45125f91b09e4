"""Debian's nginx in front of bot processes on loopback, configured with the deployment's own
routes (deploy/nginx/onestop-locations.conf): for the smoke test and the scale bench."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import ROOT
from nlu.server import free_port

NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
LOCATIONS = ROOT / "deploy" / "nginx" / "onestop-locations.conf"


def configuration(prefix: Path, port: int, bot_ports: list[int]) -> str:
    """The http block of deploy/nginx/onestop.conf without TLS, on a loopback port."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in bot_ports)
    return f"""
pid {prefix}/nginx.pid;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    upstream onestop_bot {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 64k;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        include {LOCATIONS};
    }}
}}
"""


@asynccontextmanager
async def front(prefix: Path, bot_ports: list[int]) -> AsyncIterator[str]:
    """nginx listening on a free loopback port in front of ``bot_ports``; its URL."""
    port = free_port()
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(configuration(prefix, port, bot_ports), encoding="utf-8")
    args = [str(NGINX), "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c", str(conf)]
    check = await asyncio.to_thread(subprocess.run, [*args, "-t"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    proc = await asyncio.create_subprocess_exec(*args, "-g", "daemon off;")
    try:
        await _listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        await proc.wait()


async def _listening(port: int, within: float = 10.0) -> None:
    """Until nginx accepts connections: a request sent before would be refused by nobody."""
    for _ in range(int(within / 0.05)):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError(f"nginx did not listen on {port} within {within:.0f} s")
