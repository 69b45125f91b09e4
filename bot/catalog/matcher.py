"""Which procedure a question is about: ranked candidates from names and everyday names.

Only a candidate with every distinctive word of one of its names found may be chosen
alone ("kết hôn" is enough for "Đăng ký kết hôn"); partial matches are offered as
choices. The scoring itself is :class:`bot.catalog.names.NameIndex`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.catalog.names import MAX_CHOICES, Match, NameIndex, clear_choice
from bot.catalog.records import ProcedureRecord
from nlu.vietnamese import fold, normalize

# A loose reading (:meth:`ProcedureMatcher.likely`) is taken when its words weigh this much
# (about three rare words, or a rare pair and two more) and this many times its runner-up's.
# Chosen on the development dialogue files; 8–16 and 1.3–1.5 gave the same results.
LIKELY_WEIGHT = 12.0
LIKELY_LEAD = 1.5


@dataclass(frozen=True)
class Candidate:
    procedure: ProcedureRecord
    score: float
    complete: bool
    words: frozenset[str] = frozenset()  # the question's name words it uses (folded)
    # Each of its names found complete: its words, and whether they stand together.
    readings: tuple[tuple[frozenset[str], bool], ...] = ()


class ProcedureMatcher:
    def __init__(self, procedures: Iterable[ProcedureRecord], ordinary_words: Iterable[str] = ()) -> None:
        self._by_code = {p.code: p for p in procedures}
        self._index = NameIndex(((p.code, (p.name, *p.aliases)) for p in self._by_code.values()), ordinary_words)

    def get(self, code: str) -> ProcedureRecord | None:
        return self._by_code.get(code)

    def name_of(self, code: str | None) -> str | None:
        """The procedure's name, ``None`` for an unknown (or no) code."""
        procedure = self._by_code.get(code) if code else None
        return procedure.name if procedure else None

    @property
    def procedures(self) -> list[ProcedureRecord]:
        return list(self._by_code.values())

    def _candidates(self, matches: list[Match]) -> list[Candidate]:
        return [Candidate(self._by_code[m.code], m.score, m.complete, m.words, m.readings) for m in matches]

    def rank(self, question: str, limit: int = MAX_CHOICES, among: set[str] | None = None) -> list[Candidate]:
        return self._candidates(self._index.rank(question, limit, among))

    def choose(self, question: str, among: set[str] | None = None) -> tuple[ProcedureRecord | None, list[Candidate]]:
        """The one clear match, or ``None`` with the candidates to offer."""
        code, ranked = clear_choice(self._index.rank(question, among=among))
        return (self._by_code[code] if code else None), self._candidates(ranked)

    def choose_several(self, question: str) -> list[ProcedureRecord]:
        """Procedures named completely and separately in one question ("A và B")."""
        return [self._by_code[m.code] for m in self._index.choose_several(question)]

    def likely(self, question: str) -> ProcedureRecord | None:
        """The procedure whose names share clearly the most distinctive words with ``question``.

        For a question that names no procedure well enough to choose it ("bạn ở quê lên ngủ lại
        vài đêm, có phải báo công an"): see :meth:`NameIndex.closest`.
        """
        ranked = self._index.closest(question)
        if not ranked:
            return None
        (code, top), second = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
        return self._by_code[code] if top >= LIKELY_WEIGHT and top >= LIKELY_LEAD * second else None

    def narrower(self, question: str, chosen: Candidate) -> ProcedureRecord | None:
        """A variant of ``chosen`` that ``question`` names completely: its words and more.

        "Bố tôi là thương binh … vừa từ trần. Làm trợ cấp mai táng thế nào?": the question
        sentence names the funeral allowance, the story makes it the one for people with merit.
        Not when the more is a name of its own elsewhere in the story ("giấy khai sinh để trống
        tên cha … làm thủ tục nhận con" is the recognition, not birth-and-recognition at once).
        """
        for match in self.rank(question):
            if match.procedure.code != chosen.procedure.code and any(
                chosen.words < words and (together or not self._index.is_name(words - chosen.words)) for words, together in match.readings
            ):
                return match.procedure
        return None

    def refine(self, question: str, current: ProcedureRecord) -> ProcedureRecord | None:
        """Another procedure the question names together with ``current``'s name.

        "xóa thì làm thế nào" after "Đăng ký thường trú" is "Xóa đăng ký thường trú": the
        question is read with the current name added, and the procedure found must be
        named completely and use a word of the question itself.
        """
        code, ranked = clear_choice(self._index.rank(f"{question} {current.name}", exclude=current.code))
        own = set(fold(normalize(question)).split())
        if code is None or not ranked[0].complete or not ranked[0].words & own:
            return None
        return self._by_code[code]
