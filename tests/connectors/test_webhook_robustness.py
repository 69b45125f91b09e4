"""Random and malformed bodies, signed or not: never a 5xx, and the server stays up."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.connectors.conftest import Platforms, facebook_signature, zalo_signature

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(["event_name", "sender", "message", "follower", "object", "entry", "messaging", "timestamp", "user_id"])
SHAPED = st.dictionaries(KEYS, JSON, max_size=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(SHAPED, JSON), raw_bytes=st.binary(max_size=200))
async def test_random_bodies_never_break_the_webhooks(platforms: Platforms, body: Any, raw_bytes: bytes) -> None:
    stamped = {**body, "timestamp": str(int(platforms.now[0].timestamp() * 1000))} if isinstance(body, dict) else body
    raw = json.dumps(stamped).encode()
    for path, headers in (
        ("/webhooks/zalo", {"X-ZEvent-Signature": zalo_signature(raw) if isinstance(stamped, dict) else "mac=0"}),
        ("/webhooks/facebook", {"X-Hub-Signature-256": facebook_signature(raw)}),
    ):
        resp = await platforms.client.post(path, data=raw, headers=headers)
        assert resp.status < 500, (path, raw)
    for path in ("/webhooks/zalo", "/webhooks/facebook"):
        resp = await platforms.client.post(path, data=raw_bytes, headers={"X-Hub-Signature-256": facebook_signature(raw_bytes)})
        assert resp.status < 500, (path, raw_bytes)
    assert (await platforms.client.get("/healthz")).status < 500
