"""A dialogue whose NLU always answers one intent (as Rasa sometimes does, wrongly)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import Settings
from bot.dialogue.turn import Dialogue
from bot.runtime import open_runtime
from nlu.parse import Parse
from tests.conftest import DEMO_NOW


class FixedIntent:
    """An NLU that always answers one intent."""

    def __init__(self, intent: str) -> None:
        self.intent = intent

    async def parse(self, text: str) -> Parse:
        return Parse(self.intent, 0.99, ())


@pytest.fixture
async def make_dialogue(settings: Settings) -> AsyncIterator[Callable[[str], Dialogue]]:
    """Dialogues on one runtime (catalogue and database), each with a fixed intent."""
    async with open_runtime(settings, clock=lambda: DEMO_NOW) as runtime:

        def make(intent: str) -> Dialogue:
            return Dialogue(FixedIntent(intent), runtime.sessions, runtime.dialogue.catalogue, lambda: DEMO_NOW)

        yield make
