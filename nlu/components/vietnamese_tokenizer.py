"""Rasa tokenizer for how Vietnamese citizens type.

Each token's text is the word normalised (NFC, lower case, one tone placement,
abbreviations and teencode expanded: "bn" → "bao nhiêu"); its lemma is the same word
with diacritics folded ("giấy" → "giay"), so featurizers with ``use_lemma: true`` see
"giấy khai sinh" and "giay khai sinh" alike while those with ``use_lemma: false`` keep
the diacritics. A dossier code becomes one placeholder token. Offsets stay those of the
words in the message.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.dossier_codes import find_codes
from nlu.vietnamese import WORD, fold, new_tone_placement, nfc, normalize_word

CODE_TOKEN = "__dossier_code__"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **WhitespaceTokenizer.get_default_config(),
            "expand_abbreviations": True,
            "fold_diacritics": True,
            "code_placeholder": True,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        return cls(config)

    def _words(self, word: str) -> list[str]:
        if self._config["expand_abbreviations"]:
            return normalize_word(word)
        return [new_tone_placement(nfc(word).lower())]

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        if attribute != TEXT:
            return super().tokenize(message, attribute)
        text = nfc(message.get(attribute) or "")
        spans = [(c.start, c.end) for c in find_codes(text)] if self._config["code_placeholder"] else []
        tokens: list[Token] = []
        for start, end in spans:
            tokens.append(Token(CODE_TOKEN, start, end, lemma=CODE_TOKEN))
        for match in WORD.finditer(text):
            if any(s <= match.start() < e for s, e in spans):
                continue
            for word in self._words(match.group()):
                lemma = fold(word) if self._config["fold_diacritics"] else word
                tokens.append(Token(word, match.start(), match.end(), lemma=lemma or word))
        tokens.sort(key=lambda t: t.start)
        if not tokens:
            tokens = [Token(text, 0, len(text), lemma=text)]
        return self._apply_token_pattern(tokens)
