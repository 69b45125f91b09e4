"""The receipt's QR code: a signed message that makes its sender a follower of a dossier.

The receipt slip carries a QR of ``/follow{"code": …, "sig": …}`` — a button payload the
chat understands — or of a link that delivers it (``--link`` with a prefix such as
``https://m.me/PAGE?ref=``). The signature is an HMAC-SHA256 of the code with
``RECEIPT_SECRET``: a forged or altered code is refused; nothing else is needed to follow.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import segno

from bot.http_body import as_bytes
from bot.payloads import make_payload

FOLLOW_INTENT = "follow"


def signature(code: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), code.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode()  # 120 bits, 20 characters


def is_genuine(code: str, given: str, secret: str) -> bool:
    return bool(secret) and hmac.compare_digest(signature(code, secret).encode(), as_bytes(given))


def follow_payload(code: str, secret: str) -> str:
    return make_payload(FOLLOW_INTENT, code=code, sig=signature(code, secret))


def write_qr(content: str, path: Path) -> None:
    """A QR code of ``content`` as PNG or SVG (by the file's suffix)."""
    if path.suffix.lower() not in {".png", ".svg"}:
        raise ValueError(f"{path.name}: the QR file must end in .png or .svg")
    segno.make(content, error="m").save(str(path), scale=8, border=4)
