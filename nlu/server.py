"""Starting a Rasa NLU server as a child process and waiting until its model is loaded.

Used by ``python -m nlu evaluate``, the benchmarks and the integration tests.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def model_loaded(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/status", timeout=2) as resp:
            return bool(json.load(resp).get("model_file"))
    except (OSError, ValueError):
        return False


@contextmanager
def running_server(model: Path, log: Path, timeout: float = 240, port: int | None = None) -> Iterator[str]:
    """``python -m nlu serve`` with ``model`` on ``port`` (default: a free one) of loopback; yields its URL."""
    port = port or free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nlu", "serve", "--port", str(port), "--model", str(model)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not model_loaded(url):
            if proc.poll() is not None:
                raise RuntimeError(f"Rasa exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Rasa did not load {model.name} within {timeout:.0f} s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
