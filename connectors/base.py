"""What every platform connector shares: inbound events, the sender interface, send errors.

A connector verifies and parses webhooks into :class:`InboundEvent` (platform-neutral), and
sends :class:`bot.messages.Reply` objects. Platform error codes are mapped to a small tree
so that the inbox worker decides the same way for every platform: retry later, refresh the
token, give up on this message (outside the window, user unreachable, bad request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.messages import Reply

# Kinds of inbound events the dialogue cares about.
TEXT = "text"  # typed text
PAYLOAD = "payload"  # a button / quick reply / postback: the text is the payload
FOLLOW = "follow"  # the user followed the OA: welcome
UNFOLLOW = "unfollow"  # the user left: stop notifications
UNSUPPORTED = "unsupported"  # image, sticker, file…: ask them to type


@dataclass(frozen=True)
class InboundEvent:
    platform: str
    message_id: str  # the platform's id, unique per platform: redeliveries share it
    user_id: str
    kind: str
    text: str = ""


class SendError(Exception):
    """A reply could not be sent; ``reason`` is safe to store (no message text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLaterError(SendError):
    """Temporary: server error, rate limit, network. Try again after a backoff."""


class TokenExpiredError(SendError):
    """The access token is invalid or expired: refresh it, then retry once."""


class OutsideWindowError(SendError):
    """The platform no longer allows this kind of message to this user (final)."""


class UnreachableError(SendError):
    """The user blocked the account, left, or does not exist (final)."""


class BadRequestError(SendError):
    """The platform refused the message itself (final: a bug to look at)."""


class Sender(Protocol):
    async def send(self, user_id: str, replies: list[Reply]) -> None: ...
