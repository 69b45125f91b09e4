"""The fake platforms on 127.0.0.1 in the test process, and a log file for the bot processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from pytest_aiohttp.plugin import AiohttpServer

from tests.fakes.platforms import FakeGraph, FakeZalo
from tests.reliability.harness import Fakes


@pytest.fixture
async def fakes(aiohttp_server: AiohttpServer) -> Fakes:
    zalo, graph = FakeZalo(access_token="zalo-life-1"), FakeGraph()
    zalo_server, graph_server = await aiohttp_server(zalo.app()), await aiohttp_server(graph.app())
    return Fakes(zalo, graph, str(zalo_server.make_url("")).rstrip("/"), str(graph_server.make_url("")).rstrip("/"))


@pytest.fixture
def bot_log(tmp_path: Path) -> Iterator[IO[bytes]]:
    """Where the bots write (kept with the test's temporary files: read it when a test fails)."""
    with (tmp_path / "bot.log").open("ab") as log:
        yield log
