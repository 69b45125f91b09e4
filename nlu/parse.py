"""The only shape of NLU output the rest of the bot sees."""

from __future__ import annotations

from dataclasses import dataclass, field

FALLBACK_INTENT = "nlu_fallback"
# Below this confidence the bot treats a message as not understood. Tuned on the
# development file (`python -m nlu tune-threshold`): 0.55–0.60 scored best.
DEFAULT_FALLBACK_THRESHOLD = 0.55


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Parse:
    """An intent with its confidence and the entities found; ``source`` says who parsed it.
    ``guess``: the top intent when its confidence was below the threshold (the intent is then
    the fallback) — what the unanswered-questions page shows as the NLU's best guess."""

    intent: str
    confidence: float
    entities: tuple[Entity, ...] = field(default_factory=tuple)
    source: str = "rasa"
    guess: str | None = None

    def first(self, entity: str) -> str | None:
        """The value of the first entity of that name, if any."""
        for found in self.entities:
            if found.entity == entity:
                return found.value
        return None
