"""Which way the bot understands messages right now, for ``/healthz`` and the web chat's header.

Three modes: ``rasa`` (the NLU server answers), ``starting`` (a local starter says it is
installing, training or loading — ``make run``'s first minutes) and ``keywords`` (Rasa is
down: the bot goes on with keyword matching, and says so).
"""

from __future__ import annotations

import math

from bot.texts import vi
from nlu.status import WORKING, NluStatus


def nlu_mode(rasa: bool, starter: NluStatus | None) -> str:
    if rasa:
        return "rasa"
    return "starting" if starter is not None and starter.state in WORKING else "keywords"


def remaining_seconds(starter: NluStatus, now: float) -> float | None:
    """What is left of the training, from the pace of its epochs; None when not yet known."""
    if starter.state != "training" or starter.expected_seconds is None:
        return None
    return max(0.0, starter.expected_seconds - (now - starter.since))


def nlu_notice(mode: str, starter: NluStatus | None, now: float) -> str:
    """The header's sentence for users: empty when Rasa answers."""
    if mode == "rasa":
        return ""
    if mode == "keywords" or starter is None:
        return vi.NLU_KEYWORDS
    left = remaining_seconds(starter, now)
    if left is None:
        eta = ""
    elif left < 60:
        eta = vi.NLU_STARTING_ETA_SOON
    else:
        eta = vi.NLU_STARTING_ETA.format(minutes=math.ceil(left / 60))
    return vi.NLU_STARTING.format(eta=eta)


def nlu_report(rasa: bool, starter: NluStatus | None, now: float) -> dict[str, object]:
    """The public description: mode, the sentence, and the starter's step and pace (no pid)."""
    mode = nlu_mode(rasa, starter)
    body: dict[str, object] = {"mode": mode, "notice": nlu_notice(mode, starter, now)}
    if mode == "starting" and starter is not None:
        body["step"] = starter.state
        if starter.epochs is not None:
            body["epoch"], body["epochs"] = starter.epoch, starter.epochs
        left = remaining_seconds(starter, now)
        if left is not None:
            body["remaining_seconds"] = round(left)
    return body
