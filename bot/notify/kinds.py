"""The kinds of notice a follower can receive (a setting lists which are on)."""

from __future__ import annotations

RECEIVED = "received"  # status 2: off by default
SUPPLEMENT = "supplement"  # status 5: which papers, by when, where
PAYMENT = "payment"  # status 6: the financial obligation
READY = "ready"  # status 9: where and when to collect, or by post
RETURNED = "returned"  # status 10: thanks
SURVEY = "survey"  # a day after the return: the 1–5 question
REFUSED = "refused"  # status 3
STOPPED = "stopped"  # status 8
APOLOGY = "apology"  # the appointment passed, or the one-stop system recorded a delay
NEW_DATE = "new_date"  # a new appointment after the apology for that date was already sent

ALL = (RECEIVED, SUPPLEMENT, PAYMENT, READY, RETURNED, SURVEY, REFUSED, STOPPED, APOLOGY, NEW_DATE)
DEFAULT = frozenset(ALL) - {RECEIVED}

# Messages of a conversation an officer holds (bot/staff/handoffs.py), sent through the outbox
# as answers within the platform's window; never subject to NOTIFY_KINDS.
OFFICER = "officer"  # the officer's own words
JOINED = "joined"  # an officer took the conversation
BACK = "back"  # the officer gave it back to the bot
CONVERSATION = (OFFICER, JOINED, BACK)
