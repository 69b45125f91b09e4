"""Every public route under generated bodies and headers — signed, so that they get past the
door and into parsing, the dialogue, the importer: never a 5xx, never a traceback in the log.

Thousands of requests: 400 examples, each hitting the REST channel, the web chat page, the
push API, both webhooks (and the inbox worker that answers them), the Messenger handshake,
the static files, the procedure sheets and the public report.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_aiohttp.plugin import AiohttpClient, AiohttpServer

from bot.app import create_app
from bot.config import FacebookSettings, Settings, ZaloSettings
from bot.dossiers.api import sign
from bot.runtime import RUNTIME, Runtime
from tests.conftest import DEMO_NOW
from tests.connectors.conftest import APP_ID, APP_SECRET, OA_ID, OA_SECRET, VERIFY_TOKEN, facebook_signature, zalo_signature
from tests.fakes.platforms import FakeGraph, FakeZalo

API_SECRET = "a" * 40
CODE = "000.00.31.H26-261123-0002"
# Pieces real and hostile messages are made of: codes, payload syntax, digits, Vietnamese,
# control characters, a lone surrogate, emoji, very long runs.
PIECES = st.sampled_from(
    [
        "/", "{", "}", '"', ":", ",", "\\", CODE, "000.00.31.H26-261301-0001", "H26.41-261119-0008", "/rate", "/dossier_details",
        "/follow", "/subscribe", '{"code":"', '{"score":"', '"sig":"', "0002", "1234", "5", "khai sinh", "lệ phí", "bao lâu",
        "xem chi tiết", "theo dõi", "hủy theo dõi", "cảm ơn", "\x00", "\ud800", "💥", " ", "\n", "\u200b", "x" * 300, "9" * 40,
    ]
)  # fmt: skip
MESSAGE = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=8).map("".join)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | MESSAGE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
# What an HTTP client can send in a header (non-UTF-8 bytes go by raw socket: tests/test_dossier_api.py).
HEADER = st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters=[chr(c) for c in range(127, 160)]), max_size=40)
CONTENT_TYPE = st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", "", "multipart/form-data"])
RECORD = st.fixed_dictionaries(
    {"code": st.one_of(st.just(CODE), MESSAGE), "status": st.one_of(st.integers(-5, 15), MESSAGE)},
    optional={
        "received_at": st.one_of(st.just("2026-11-20T09:00:00"), MESSAGE, st.integers()),
        "appointment_at": st.one_of(st.just("2026-11-30"), MESSAGE),
        "applicant_name": st.one_of(MESSAGE, st.none()),
        "applicant_phone": st.one_of(st.just("0912345678"), MESSAGE),
        "delay_reason": MESSAGE,
        "channel": st.one_of(st.integers(-1, 5), MESSAGE),
    },
)
EVENT_NAMES = st.sampled_from(["user_send_text", "follow", "unfollow", "user_send_image", "user_submit_info", "oa_send_text", "x"])


@pytest.fixture
async def app(aiohttp_client: AiohttpClient, aiohttp_server: AiohttpServer, settings: Settings) -> TestClient[Any, Any]:
    zalo, graph = await aiohttp_server(FakeZalo().app()), await aiohttp_server(FakeGraph().app())
    zalo_url, graph_url = str(zalo.make_url("")).rstrip("/"), str(graph.make_url("")).rstrip("/")
    configured = replace(
        settings,
        dossier_api_secret=API_SECRET,
        receipt_secret="r" * 40,
        zalo=ZaloSettings(APP_ID, "app-secret", OA_SECRET, "zalo-token", "refresh", zalo_url, zalo_url, zalo_url),
        facebook=FacebookSettings(APP_SECRET, "page-token", VERIFY_TOKEN, graph_base=graph_url),
    )
    return await aiohttp_client(create_app(configured, lambda: DEMO_NOW, background=False))


def _zalo_body(event_name: str, sender: Any, text: str, extra: dict[str, Any]) -> bytes:
    body = {
        "event_name": event_name, "app_id": APP_ID, "sender": {"id": sender}, "recipient": {"id": OA_ID},
        "message": {"text": text, "msg_id": text[:30] or "m"}, "timestamp": str(int(DEMO_NOW.timestamp() * 1000)), **extra,
    }  # fmt: skip
    return json.dumps(body).encode()


def _messenger_body(events: list[dict[str, Any]]) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": events}]}).encode()


MESSENGER_EVENT = st.fixed_dictionaries(
    {"sender": st.one_of(st.fixed_dictionaries({"id": st.one_of(MESSAGE, st.integers())}), JSON), "timestamp": st.integers()},
    optional={
        "message": st.one_of(
            st.fixed_dictionaries({"mid": MESSAGE, "text": MESSAGE}, optional={"quick_reply": st.fixed_dictionaries({"payload": MESSAGE})}),
            JSON,
        ),
        "postback": st.one_of(st.fixed_dictionaries({"payload": MESSAGE, "mid": MESSAGE}), JSON),
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    rest_body=st.one_of(
        st.fixed_dictionaries({"sender": st.one_of(MESSAGE, st.integers(), JSON), "message": st.one_of(MESSAGE, JSON)}), JSON
    ),
    content_type=st.one_of(st.just("application/json"), CONTENT_TYPE),
    cookie=HEADER,
    forwarded=HEADER,
    records=st.one_of(st.lists(RECORD, max_size=4), JSON),
    skew=st.integers(-400, 400),
    zalo=st.tuples(
        EVENT_NAMES, st.one_of(MESSAGE, st.integers(), st.none()), MESSAGE, st.dictionaries(st.text(max_size=8), JSON, max_size=2)
    ),
    messenger=st.lists(MESSENGER_EVENT, max_size=3),
    query=st.dictionaries(st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]), HEADER, max_size=3),
    path=st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="?#%"), max_size=30),
)
async def test_no_public_route_answers_5xx_or_logs_a_traceback(
    app: TestClient[Any, Any],
    caplog: pytest.LogCaptureFixture,
    rest_body: Any,
    content_type: str,
    cookie: str,
    forwarded: str,
    records: Any,
    skew: int,
    zalo: tuple[str, Any, str, dict[str, Any]],
    messenger: list[dict[str, Any]],
    query: dict[str, str],
    path: str,
) -> None:
    caplog.set_level(logging.WARNING)
    raw = json.dumps(rest_body).encode()
    headers = {"Content-Type": content_type, "X-Forwarded-For": forwarded, "Cookie": f"motcua_chat={cookie}"}
    statuses = [(await app.post("/webhooks/rest/webhook", data=raw, headers=headers)).status]
    statuses.append((await app.get("/", headers={"Cookie": f"motcua_chat={cookie}"})).status)
    body = json.dumps(records).encode()
    at = int((DEMO_NOW + timedelta(seconds=skew)).timestamp())
    api_headers = {"Content-Type": content_type, "X-Timestamp": str(at), "X-Signature-256": sign(body, API_SECRET, at)}
    statuses.append((await app.post("/api/dossiers", data=body, headers=api_headers)).status)
    zalo_raw = _zalo_body(*zalo)
    statuses.append((await app.post("/webhooks/zalo", data=zalo_raw, headers={"X-ZEvent-Signature": zalo_signature(zalo_raw)})).status)
    fb_raw = _messenger_body(messenger)
    statuses.append((await app.post("/webhooks/facebook", data=fb_raw, headers={"X-Hub-Signature-256": facebook_signature(fb_raw)})).status)
    statuses.append((await app.get("/webhooks/facebook", params=query)).status)
    statuses.append((await app.get("/static/" + path)).status)
    # The staff console with a made-up session and a form whose CSRF token matches nothing.
    staff_cookie = {"Cookie": f"staff_session={cookie}; staff_login_csrf={cookie}x"}
    statuses.append((await app.get("/staff/dossiers", params={"code": path}, headers=staff_cookie, allow_redirects=False)).status)
    statuses.append((await app.post("/staff/login", data=query | {"csrf": cookie}, headers=staff_cookie)).status)
    statuses.append((await app.get("/procedures", params={"q": cookie})).status)  # the public procedure sheets
    statuses.append((await app.get("/procedures/" + path)).status)
    statuses.append((await app.get("/report", params={"period": cookie})).status)  # the public report
    runtime: Runtime = app.app[RUNTIME]
    await runtime.worker.process_due()  # the stored events go through the dialogue and out to the fakes
    assert all(status < 500 for status in statuses), statuses
    spike = "alert=lookup_failures_spike"  # the hostile lookups are expected to raise it
    broken = [r for r in caplog.records if r.exc_info or (r.levelno >= logging.ERROR and not r.getMessage().startswith(spike))]
    assert not broken, [r.getMessage() for r in broken]
