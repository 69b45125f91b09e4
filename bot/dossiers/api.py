"""``POST /api/dossiers``: the one-stop system pushes dossier records as a JSON batch.

Authenticated by ``X-Timestamp: <Unix seconds>`` and ``X-Signature-256: sha256=<hex>``, the
HMAC-SHA256 with ``DOSSIER_API_SECRET`` of the timestamp, a dot and the raw body
(``b"1764660000." + body``), checked before the body is parsed and compared in constant time.
A timestamp more than 5 minutes from the server's clock is refused, so a captured request
cannot be replayed later.
The body is ``[record, …]`` or ``{"dossiers": [record, …]}`` with the keys of
``import-dossiers``. Answers: 200 ``{"inserted", "updated", "unchanged"}``; 422 with the same
counts and ``errors: [{"index", "error"}]`` when some records are wrong (the good ones are
applied; re-sending a batch changes nothing); 400 malformed JSON; 401 bad or missing
signature; 403 when no secret is configured (the API is closed); 413 body too large.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.db import SessionFactory
from bot.dossiers.importer import check_rows, import_checked
from bot.http_body import BodyTooLargeError, as_bytes, parse_json, read_body
from bot.notify.outbox import policy_of

Clock = Callable[[], datetime]
SIGNATURE_HEADER = "X-Signature-256"
MAX_BODY = 10 * 1024 * 1024
MAX_RECORDS = 10_000


TIMESTAMP_HEADER = "X-Timestamp"
MAX_SKEW = timedelta(minutes=5)


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (what the one-stop system sends)."""
    return "sha256=" + hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _timestamp(raw: str, now: datetime) -> int | None:
    """The request's Unix time if it is a whole number within :data:`MAX_SKEW` of ``now``."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    value = int(text)
    return value if abs(now.timestamp() - value) <= MAX_SKEW.total_seconds() else None


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def push_dossiers(request: web.Request, settings: Settings, sessions: SessionFactory, clock: Clock) -> web.Response:
    secret = settings.dossier_api_secret
    if not secret:
        return _error(403, "the dossier API is closed: DOSSIER_API_SECRET is not set")
    try:
        raw = await read_body(request, MAX_BODY)
    except BodyTooLargeError as exc:
        return _error(413, str(exc))
    timestamp = _timestamp(request.headers.get(TIMESTAMP_HEADER, ""), clock())
    if timestamp is None:
        return _error(401, f"missing {TIMESTAMP_HEADER} (Unix seconds) or more than 5 minutes from the server's time")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not hmac.compare_digest(as_bytes(given), sign(raw, secret, timestamp).encode()):
        return _error(401, f"missing or wrong {SIGNATURE_HEADER} (sha256=HMAC-SHA256 of the timestamp, '.', and the body)")
    try:
        body = parse_json(raw)
    except ValueError as exc:
        return _error(400, f"body must be UTF-8 JSON: {exc}")
    records = body.get("dossiers") if isinstance(body, dict) else body
    if not isinstance(records, list):
        return _error(400, 'body must be a list of records or {"dossiers": [...]}')
    if len(records) > MAX_RECORDS:
        return _error(413, f"at most {MAX_RECORDS} records per batch")
    checked = check_rows(list(enumerate(records)), where="record")
    async with sessions() as session, session.begin():
        report = await import_checked(session, checked, policy_of(settings), clock())
    report.count()
    counts = {
        "inserted": report.counts.inserted,
        "updated": report.counts.updated,
        "unchanged": report.counts.unchanged,
        "notices": report.notices,
    }
    if report.rejected:
        errors = [{"index": index, "error": reason} for index, reason in report.rejected]
        return _error(422, f"{len(errors)} of {len(records)} records rejected; the others were applied", **counts, errors=errors)
    return web.json_response(counts)


def add_routes(app: web.Application, settings: Settings, sessions: Callable[[], SessionFactory], clock: Clock) -> None:
    """``sessions`` gives the runtime's session factory (opened when the app starts)."""

    async def handler(request: web.Request) -> web.Response:
        return await push_dossiers(request, settings, sessions(), clock)

    app.router.add_post("/api/dossiers", handler)
