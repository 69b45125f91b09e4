"""Which procedure a question is about: ranked candidates from names and everyday names.

Each name or alias scores by the share of its words found in the question, each word
weighted by how rare it is in the catalogue (so "đăng ký" counts little, "khai sinh"
much), with a bonus when the name appears whole. A question typed with diacritics is
compared with diacritics ("bao nhiêu" is not "giấy báo tử"); one typed without them is
compared folded ("dang ky khai sinh" is "Đăng ký khai sinh").

Only a candidate with every distinctive word of one of its names found may be chosen
alone ("kết hôn" is enough for "Đăng ký kết hôn"); partial matches are offered as choices.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.catalog.records import ProcedureRecord
from nlu.vietnamese import fold, normalize

OFFER = 0.5
CLOSE = 0.1
# A partial match with no rival is taken when this much of the name was found.
ALONE = 0.75
# Words that say little about which procedure is meant; a name counts as found without them.
_GENERIC = frozenset({"dang", "ky", "lam", "xin", "thu", "tuc", "cho", "cua", "va", "ve", "giay", "cap", "o", "tai", "tren", "online"})


@dataclass(frozen=True)
class Candidate:
    procedure: ProcedureRecord
    score: float
    complete: bool


@dataclass(frozen=True)
class _Phrase:
    code: str
    exact: tuple[str, ...]
    folded: tuple[str, ...]


def _has_diacritics(text: str) -> bool:
    return any(not ch.isascii() for ch in text if ch.isalpha())


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1))


class ProcedureMatcher:
    def __init__(self, procedures: Iterable[ProcedureRecord]) -> None:
        self._by_code = {p.code: p for p in procedures}
        self._phrases: list[_Phrase] = []
        for p in self._by_code.values():
            seen: set[tuple[str, ...]] = set()
            for name in (p.name, *p.aliases):
                exact = tuple(normalize(name).split())  # the same normalisation as questions
                if exact and exact not in seen:
                    seen.add(exact)
                    self._phrases.append(_Phrase(p.code, exact, tuple(fold(w) or w for w in exact)))
        frequency = Counter(w for code in self._by_code for w in {w for ph in self._phrases if ph.code == code for w in ph.folded})
        total = max(len(self._by_code), 1)
        self._weight = {w: math.log(1 + total / n) for w, n in frequency.items()}
        self._optional = _GENERIC

    def get(self, code: str) -> ProcedureRecord | None:
        return self._by_code.get(code)

    @property
    def procedures(self) -> list[ProcedureRecord]:
        return list(self._by_code.values())

    def rank(self, question: str, limit: int = 5) -> list[Candidate]:
        """Candidates scoring at least :data:`OFFER`, best first."""
        with_marks = _has_diacritics(question)
        expanded = normalize(question)  # "gks" → "giấy khai sinh", "dk" → "đăng ký"
        words = expanded.split() if with_marks else fold(expanded).split()
        present = set(words)
        best: dict[str, Candidate] = {}
        for phrase in self._phrases:
            own = phrase.exact if with_marks else phrase.folded
            # Only distinctive words count; a name made only of generic words counts them all.
            pairs = [(w, f) for w, f in zip(own, phrase.folded, strict=True) if f not in self._optional] or list(
                zip(own, phrase.folded, strict=True)
            )
            total = sum(self._weight[f] for _, f in pairs)
            coverage = sum(self._weight[f] for w, f in pairs if w in present) / total
            complete = all(w in present for w, _ in pairs)
            score = coverage + (0.2 + 0.01 * len(own) if _contains(words, own) else 0.0)
            current = best.get(phrase.code)
            if coverage >= OFFER and (current is None or score > current.score):
                best[phrase.code] = Candidate(self._by_code[phrase.code], score, complete)
        return sorted(best.values(), key=lambda c: -c.score)[:limit]

    def choose(self, question: str) -> tuple[ProcedureRecord | None, list[Candidate]]:
        """The one clear match, or ``None`` with the candidates to offer."""
        ranked = self.rank(question)
        if not ranked:
            return None, []
        top = ranked[0]
        alone = len(ranked) == 1 and top.score >= ALONE
        if alone or (top.complete and (len(ranked) == 1 or top.score - ranked[1].score >= CLOSE)):
            return top.procedure, ranked
        return None, ranked
