"""Rasa entity extractor for dossier codes, using the same pattern as the bot.

A learned extractor would have to see every agency id to recognise codes reliably; the
codes have a strict published form, so a pattern finds all of them and nothing else.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.dossier_codes import find_codes

ENTITY = "dossier_code"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DossierCodeExtractor(GraphComponent, EntityExtractorMixin):
    """Adds a ``dossier_code`` entity, normalised, for every well-formed code in the text."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DossierCodeExtractor:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = [
                {
                    "entity": ENTITY,
                    "value": code.value,
                    "start": code.start,
                    "end": code.end,
                    "confidence": 1.0,
                    "extractor": self.__class__.__name__,
                }
                for code in find_codes(text)
            ]
            if found:
                message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages
