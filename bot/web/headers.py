"""Security headers of every response, and the HTML pages' Content-Security-Policy.

No MIME sniffing, no referrer leaking a code in a URL. HTML pages: scripts, styles and requests
only from this origin (no inline script), and never framed by another site — a page meant to be
embedded (the public report) names its allowed origins itself with :func:`html_policy`.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

_ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def html_policy(frame_ancestors: Iterable[str] = ()) -> str:
    ancestors = " ".join(sorted(frame_ancestors)) or "'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )


def allow_framing(response: web.StreamResponse, origins: frozenset[str]) -> None:
    """This page may be shown in an <iframe> by this site and ``origins``. X-Frame-Options cannot
    name other sites: with origins only the policy's frame-ancestors speaks (all browsers in use)."""
    response.headers["Content-Security-Policy"] = html_policy({"'self'", *origins})
    if not origins:
        response.headers["X-Frame-Options"] = "SAMEORIGIN"


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in _ALWAYS.items():
        response.headers.setdefault(name, value)
    if (response.content_type or "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", html_policy())
        if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
            response.headers.setdefault("X-Frame-Options", "DENY")
