"""What every platform connector shares: inbound events, the sender interface, send errors.

A connector verifies and parses webhooks into :class:`InboundEvent` (platform-neutral), and
sends :class:`bot.messages.Reply` objects. Platform error codes are mapped to a small tree
so that the inbox worker decides the same way for every platform: retry later, refresh the
token, give up on this message (outside the window, user unreachable, bad request).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
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


class PausedError(SendError):
    """The platform's token is dead (refresh failed, Zalo -14014, Messenger 190): nothing can be
    sent until an administrator fixes it. Messages wait; they are not dropped."""


# Every platform call gives up after this long, well within a row's lease (bot/delivery.py).
HTTP_TIMEOUT = timedelta(seconds=10)
# Why a message is sent: an answer to the user's message, or a notice the bot starts.
RESPONSE = "response"
NOTICE = "notice"


@dataclass(frozen=True)
class Template:
    """An approved template message for a notice outside the free-form window."""

    kind: str  # the notice kind (supplement, ready, apology …), which picks the template id
    data: Mapping[str, str] = field(default_factory=dict)
    phone: str | None = None  # Zalo: by phone (ZNS) when known, else by user id
    tracking_id: str = ""  # the platform's dedupe key where it has one (Zalo ZNS)


class Sender(Protocol):
    """One platform's outbound side; :mod:`bot.delivery` decides what to send and when."""

    # Free-form messages are allowed this long after the user's last message.
    window: timedelta

    def parts(self, replies: list[Reply]) -> list[Reply]:
        """The messages ``replies`` become on this platform, in order (split, numbered)."""
        ...

    async def send_part(self, user_id: str, part: Reply, purpose: str, outside_window: bool = False) -> None:
        """Send one part; ``outside_window`` asks for the platform's tagged form (Messenger)."""
        ...

    def can_tag(self) -> bool:
        """Whether free-form notices may go out after the window (Messenger's ACCOUNT_UPDATE tag)."""
        ...

    def has_template(self, kind: str) -> bool: ...

    async def send_template(self, user_id: str, template: Template) -> str:
        """Send an approved template; the route it took (``template`` or ``zns``)."""
        ...


# A webhook hands its verified events to this (the inbox stores them before the 200).
Accept = Callable[[list[InboundEvent]], Awaitable[None]]
