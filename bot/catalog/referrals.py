"""Matters outside the commune's competence: recognise them and say who handles them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.catalog.names import NameIndex
from bot.catalog.records import Referral


@dataclass(frozen=True)
class ReferralMatch:
    referral: Referral
    score: float
    words: frozenset[str]


class ReferralFinder:
    def __init__(self, referrals: Iterable[Referral], ordinary_words: Iterable[str] = ()) -> None:
        self._by_code = {r.code: r for r in referrals}
        self._index = NameIndex(((r.code, (r.topic, *r.aliases)) for r in self._by_code.values()), ordinary_words)

    def get(self, code: str) -> Referral:
        return self._by_code[code]

    def find(self, question: str) -> ReferralMatch | None:
        """The matter the question names completely, if one does.

        A name of two words must stand together: "chứng thực ở xã thì …" typed without
        diacritics holds "thuc … thi", which is not "thị thực" (a visa).
        """
        for match in self._index.rank(question, limit=1):
            if match.complete and (len(match.words) > 2 or any(together for _, together in match.readings)):
                return ReferralMatch(self._by_code[match.code], match.score, match.words)
        return None
