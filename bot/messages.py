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
