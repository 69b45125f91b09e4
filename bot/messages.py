"""Messages that cross rooms: from connectors to the dialogue and back."""

from __future__ import annotations

from dataclasses import dataclass

MAX_TEXT = 2000


@dataclass(frozen=True)
class Button:
    """A choice: ``title`` is shown (<= 20 characters), ``payload`` comes back as the message."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class InboundMessage:
    """One thing a citizen said, platform-neutral."""

    platform: str
    user_id: str
    text: str
    # The caller's network address on the open channels (REST, web chat), where the sender id
    # is the caller's to choose: the lookup limits count per address too.
    client: str | None = None


def split_reply(reply: Reply, limit: int = MAX_TEXT) -> list[Reply]:
    """Replies of at most ``limit`` characters, cut at line breaks (or spaces); buttons go last."""
    parts: list[str] = []
    current = ""
    for whole_line in reply.text.split("\n"):
        line = whole_line
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            parts, current = _flush(parts, current), ""
            parts.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts, current = _flush(parts, current), line
        else:
            current = candidate
    parts = _flush(parts, current) or [reply.text[:limit]]
    return [Reply(text, reply.buttons if i == len(parts) - 1 else ()) for i, text in enumerate(parts)]


def _flush(parts: list[str], current: str) -> list[str]:
    return [*parts, current] if current else parts
