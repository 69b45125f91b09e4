"""The NLU client against real loopback servers: a slow one and a dead port mean keywords."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from nlu.client import CircuitBreaker, NluClient, parse_from_rasa
from tests.conftest import closed_port


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_and_half_opens_after_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=clock)
    breaker.failure()
    assert breaker.allows
    breaker.failure()
    assert not breaker.allows
    clock.now = 10
    assert breaker.allows
    breaker.success()
    breaker.failure()
    assert breaker.allows


@pytest.fixture
async def slow_server() -> AsyncIterator[tuple[str, list[float]]]:
    """A server that answers /model/parse after 2 s; records when each request arrived."""
    calls: list[float] = []

    async def parse(request: web.Request) -> web.Response:
        calls.append(time.monotonic())
        await asyncio.sleep(2)
        return web.json_response({"intent": {"name": "greet", "confidence": 1.0}, "entities": []})

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/"), calls
    await server.close()


async def test_slow_server_times_out_to_keywords_then_is_skipped(slow_server: tuple[str, list[float]]) -> None:
    url, calls = slow_server
    async with aiohttp.ClientSession() as http:
        nlu = NluClient(http, url, timeout=0.2, breakers=lambda: CircuitBreaker(threshold=1, cooldown=60))
        started = time.monotonic()
        first = await nlu.parse("làm giấy khai sinh cần giấy tờ gì")
        second = await nlu.parse("xin chào")
        elapsed = time.monotonic() - started
    assert (first.source, first.intent) == ("keywords", "ask_documents")
    assert (second.source, second.intent) == ("keywords", "greet")
    assert len(calls) == 1  # the open breaker skipped the second call
    assert elapsed < 1.5


async def test_dead_server_means_keywords_and_not_ready() -> None:
    async with aiohttp.ClientSession() as http:
        nlu = NluClient(http, f"http://127.0.0.1:{closed_port()}", timeout=0.5)
        parse = await nlu.parse("tra cứu hồ sơ H26.41-230428-0001")
        assert not await nlu.ready()
    assert (parse.intent, parse.first("dossier_code"), parse.source) == ("check_status", "H26.41-230428-0001", "keywords")


def test_rasa_answer_is_normalised_and_codes_are_never_lost() -> None:
    text = "hs 000.00.31.h26-230428-0005 va H26.41-230428-0001"
    body = {
        "intent": {"name": "check_status", "confidence": 0.93},
        "entities": [
            {"entity": "dossier_code", "value": "000.00.31.h26-230428-0005", "start": 3, "end": 28},
            {"entity": "dossier_code", "value": "1.001193", "start": 0, "end": 1},
        ],
    }
    parse = parse_from_rasa(body, text)
    assert parse.intent == "check_status"
    assert [e.value for e in parse.entities] == ["000.00.31.H26-230428-0005", "H26.41-230428-0001"]


def test_low_confidence_becomes_the_fallback() -> None:
    body = {"intent": {"name": "ask_fee", "confidence": 0.41}, "entities": []}
    assert parse_from_rasa(body, "hmm", threshold=0.55).intent == "nlu_fallback"
    assert parse_from_rasa(body, "hmm", threshold=0.4).intent == "ask_fee"


@pytest.fixture
async def rasa_stand_in() -> AsyncIterator[tuple[str, list[bool]]]:
    """A Rasa server that is down (503, no model) until ``up[0]`` is set, as while its model
    trains; its URL and that switch."""
    up = [False]

    async def status(request: web.Request) -> web.Response:
        return web.json_response({"model_file": "nlu-x.tar.gz" if up[0] else None})

    async def parse(request: web.Request) -> web.Response:
        if not up[0]:
            return web.json_response({"error": "no model"}, status=503)
        return web.json_response({"intent": {"name": "greet", "confidence": 1.0}, "entities": []})

    app = web.Application()
    app.router.add_get("/status", status)
    app.router.add_post("/model/parse", parse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/"), up
    await server.close()


async def test_each_switch_between_rasa_and_keywords_is_logged_once(
    rasa_stand_in: tuple[str, list[bool]], caplog: pytest.LogCaptureFixture
) -> None:
    """A server that is down for a while (as while the model trains), then answers."""
    url, up = rasa_stand_in
    caplog.set_level(logging.INFO, logger="nlu.client")
    async with aiohttp.ClientSession() as http:
        nlu = NluClient(http, url, timeout=1.0, breakers=lambda: CircuitBreaker(threshold=100))
        sources = [(await nlu.parse("xin chào")).source for _ in range(3)]
        up[0] = True
        sources += [(await nlu.parse("xin chào")).source for _ in range(3)]
    assert sources == ["keywords"] * 3 + ["rasa"] * 3 and nlu.mode == "rasa"
    switches = [r.getMessage() for r in caplog.records if r.getMessage().startswith("nlu_switch")]
    assert switches == ["nlu_switch: NLU server unavailable (ClientResponseError); parsing with keywords",
                        "nlu_switch: NLU server answers; parsing with Rasa"]  # fmt: skip


async def test_watch_switches_to_rasa_when_it_loads_without_waiting_for_the_breaker(
    rasa_stand_in: tuple[str, list[bool]], caplog: pytest.LogCaptureFixture
) -> None:
    """At start-up Rasa is still training: keywords, said once at INFO; the watch job sees the
    loaded model and the very next message goes to Rasa though the breaker was open."""
    url, up = rasa_stand_in
    caplog.set_level(logging.INFO, logger="nlu.client")
    async with aiohttp.ClientSession() as http:
        nlu = NluClient(http, url, timeout=1.0, breakers=lambda: CircuitBreaker(threshold=1, cooldown=600))
        await nlu.watch()
        assert nlu.mode == "keywords"
        assert (await nlu.parse("xin chào")).source == "keywords"  # opens the breaker for 10 minutes
        up[0] = True
        assert (await nlu.parse("xin chào")).source == "keywords"  # the breaker still skips Rasa
        await nlu.watch()
        assert nlu.mode == "rasa"
        assert (await nlu.parse("xin chào")).source == "rasa"
    switches = [(r.levelname, r.getMessage()) for r in caplog.records if r.getMessage().startswith("nlu_switch")]
    assert switches == [("INFO", "nlu_switch: NLU server not answering yet; parsing with keywords until it does"),
                        ("INFO", "nlu_switch: NLU server answers; parsing with Rasa")]  # fmt: skip


async def _counting_server(name: str, counts: dict[str, int], up: list[bool]) -> TestServer:
    async def status(request: web.Request) -> web.Response:
        return web.json_response({"model_file": "nlu-x.tar.gz" if up[0] else None})

    async def parse(request: web.Request) -> web.Response:
        if not up[0]:
            return web.json_response({"error": "down"}, status=503)
        counts[name] += 1
        return web.json_response({"intent": {"name": "greet", "confidence": 1.0}, "entities": []})

    app = web.Application()
    app.router.add_get("/status", status)
    app.router.add_post("/model/parse", parse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def test_several_servers_share_the_load_and_cover_for_each_other() -> None:
    """NLU_URL with two Rasa servers: messages alternate; one down, the other takes them all;
    both down, keywords; the one back (seen by the watch job) takes its share again."""
    counts, a_up, b_up = {"a": 0, "b": 0}, [True], [True]
    a, b = await _counting_server("a", counts, a_up), await _counting_server("b", counts, b_up)
    urls = ",".join(str(s.make_url("")).rstrip("/") for s in (a, b))
    try:
        async with aiohttp.ClientSession() as http:
            nlu = NluClient(http, urls, timeout=1.0, breakers=lambda: CircuitBreaker(threshold=1, cooldown=600))
            assert [(await nlu.parse("xin chào")).source for _ in range(4)] == ["rasa"] * 4
            assert counts == {"a": 2, "b": 2}
            a_up[0] = False
            assert [(await nlu.parse("xin chào")).source for _ in range(4)] == ["rasa"] * 4
            assert counts == {"a": 2, "b": 6}  # a failed once (its breaker opened), b answered everything
            b_up[0] = False
            assert (await nlu.parse("xin chào")).source == "keywords"
            assert await nlu.ready() is False
            a_up[0] = b_up[0] = True
            await nlu.watch()
            assert nlu.mode == "rasa"
            assert [(await nlu.parse("xin chào")).source for _ in range(4)] == ["rasa"] * 4
            assert counts == {"a": 4, "b": 8}
    finally:
        await a.close()
        await b.close()
