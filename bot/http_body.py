"""Reading a request body with a size limit, without buffering more than the limit, and
parsing JSON from outside (webhooks, the REST channel, the push API, button payloads)."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

# No message we accept nests deeper; a deeper one is refused before it costs anything.
MAX_JSON_DEPTH = 32
# JSON escapes of characters no database text takes: a lone UTF-16 surrogate ("\ud800") cannot
# even be encoded, and PostgreSQL refuses NUL ("\u0000") — either would fail a whole batch.
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")


class BodyTooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"body larger than {limit} bytes")


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, or :class:`BodyTooLargeError` as soon as it passes ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLargeError(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes | str) -> Any:
    """The JSON value of ``raw``; :class:`ValueError` for bad UTF-8, bad JSON or nesting deeper
    than :data:`MAX_JSON_DEPTH` (Python's parser would hit its recursion limit: a 500). Lone
    surrogates and NUL become U+FFFD: one odd character must not fail a whole signed batch."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw  # UnicodeDecodeError is a ValueError
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_JSON_DEPTH:
                    raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
                level.append((child, depth + 1))
    return _storable(value) if _UNSTORABLE_ESCAPE.search(text) else value


def _storable(value: Any) -> Any:
    """``value`` with every lone surrogate and NUL in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace").replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def as_bytes(text: str) -> bytes:
    """Text from outside (a header, a JSON string) as bytes to compare with a signature.

    aiohttp keeps a header's non-UTF-8 bytes as lone surrogates and JSON may escape them
    ("\\ud800"): a plain ``encode()`` raises on those (a 500); this gives them back as bytes,
    which simply do not match.
    """
    return text.encode("utf-8", "surrogatepass")
