"""Finding which named things (procedures, matters handled elsewhere) a question mentions.

Each name or alias scores by the share of its distinctive words found in the question,
each word weighted by how rare it is among the entries (so "đăng ký" counts little,
"khai sinh" much), with a bonus when the name appears whole. A question typed with
diacritics is compared with diacritics ("bao nhiêu" is not "giấy báo tử"); one typed
without them is compared folded ("dang ky khai sinh" is "Đăng ký khai sinh").

Typos: a question word that is neither in any name nor an ordinary word (the NLU
training data supplies those) is read as the name word one edit away, when there is
exactly one ("khai sinhh", "thuongg tru"). An inverted index keeps a question's cost
proportional to the names sharing its words, not to the size of the catalogue.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlu.vietnamese import fold, normalize

OFFER = 0.5
CLOSE = 0.1
# A partial match with no rival is taken when this much of the name was found.
ALONE = 0.75
# Words that say little about which entry is meant; a name counts as found without them.
GENERIC = frozenset({"dang", "ky", "lam", "xin", "thu", "tuc", "cho", "cua", "va", "ve", "giay", "cap", "o", "tai", "tren", "online"})
# Words that are also question words: "mất bao nhiêu tiền" (cost) is not "mất giấy kết hôn"
# (lost), "thì sao" (what about) is not "bản sao" (copy). Such a use is not a name word.
_AFTER = {"mat": {"bao", "may", "bn", "phi", "tien", "thoi", "nhieu", "het", "khoang", "chung", "tam", "lau", "it", "mot", "hai", "ba"}}
_ENDINGS = {None, "a", "ah", "ak", "vay", "ad", "nhi", "khong", "ko", "k", "nhe", "nha", "the", "day", "ta", "chu", "ne", "z", "vly"}
_BEFORE = {"sao": {"thi", "the", "lam", "vi", "tai", "ra", "la", "co", "duoc", "nhu"}}


def _question_word(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` (folded) is used as a question word here, not as part of a name."""
    word = words[i]
    before = words[i - 1] if i > 0 else None
    after = words[i + 1] if i + 1 < len(words) else None
    if word in _AFTER and after in _AFTER[word]:
        return True
    if word == "sao" and after == "y":  # "làm sao y" is making a certified copy
        return False
    return word in _BEFORE and (before in _BEFORE[word] or after in _ENDINGS)


# Two spellings of one syllable (i/y): "chữ kí" is "chữ ký", "lí lịch" is "lý lịch".
_SPELLING = {"kí": "ký", "lí": "lý", "kì": "kỳ", "ki": "ky", "li": "ly"}


def _words(text: str) -> list[str]:
    """A text's words as names and questions are compared: normalised, one i/y spelling."""
    return [_SPELLING.get(w, w) for w in normalize(text).split()]


_DOUBLED = re.compile(r"(.)\1")

# Choices offered at most (Messenger's quick replies allow 13).
MAX_CHOICES = 13
# Typos are corrected only in words at least this long (short syllables are too alike).
_TYPO_MIN_LENGTH = 4


@dataclass(frozen=True)
class Match:
    code: str
    score: float
    complete: bool
    # The distinctive question words (folded) the best name matched: what it "uses".
    words: frozenset[str]
    # The question has a rare name word this entry does not use ("tách thửa đất" for "Tách hộ").
    stray: bool = False


@dataclass(frozen=True)
class _Phrase:
    code: str
    exact: tuple[str, ...]
    folded: tuple[str, ...]
    # Distinctive (exact, folded) words: all of the name when it is made only of generic words.
    key: tuple[tuple[str, str], ...]


def has_diacritics(text: str) -> bool:
    return any(not ch.isascii() for ch in text if ch.isalpha())


def _contains(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` becomes ``b`` by one insertion, deletion, substitution or swap."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class NameIndex:
    """Ranks entries (a code and its names) by how well a question names them."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]], ordinary_words: Iterable[str] = ()) -> None:
        phrases: list[_Phrase] = []
        for code, names in entries:
            seen: set[tuple[str, ...]] = set()
            for name in names:
                exact = tuple(_words(name))  # the same normalisation as questions
                if exact and exact not in seen:
                    seen.add(exact)
                    folded = tuple(fold(w) or w for w in exact)
                    pairs = tuple(zip(exact, folded, strict=True))
                    phrases.append(_Phrase(code, exact, folded, tuple(p for p in pairs if p[1] not in GENERIC) or pairs))
        self._phrases = phrases
        codes = {p.code for p in phrases}
        frequency = Counter(w for code in codes for w in {f for p in phrases if p.code == code for f in p.folded})
        self._weight = {w: math.log(1 + max(len(codes), 1) / n) for w, n in frequency.items()}
        self._by_word: dict[str, list[int]] = defaultdict(list)
        for i, phrase in enumerate(phrases):
            for folded_word in {f for _, f in phrase.key}:
                self._by_word[folded_word].append(i)
        vocabulary = {w for w in self._weight if len(w) >= _TYPO_MIN_LENGTH - 1}
        self._near: dict[str, set[str]] = defaultdict(set)
        for word in vocabulary:
            for variant in _deletions(word) | {word}:
                self._near[variant].add(word)
        self._ordinary = {fold(w) for w in ordinary_words} - set(self._weight)
        # Rare: a word of at most a few entries' names (relative to the catalogue's size).
        self._rare = 0.6 * math.log(1 + max(len(codes), 1))

    def _correct(self, word: str) -> str | None:
        """The one name word ``word`` is a typo of, if any."""
        if len(word) < _TYPO_MIN_LENGTH or word in self._weight or word in self._ordinary or not word.isalpha():
            return None
        undoubled = _DOUBLED.sub(r"\1", word)  # a key held down: "hônn", "sinhh"
        if undoubled in self._weight:
            return undoubled
        found = {v for key in _deletions(word) | {word} for v in self._near.get(key, ()) if _one_edit(word, v)}
        return found.pop() if len(found) == 1 else None

    def _says_something_else(self, word: str) -> bool:
        if word in self._weight:
            return self._weight[word] >= self._rare and word not in GENERIC
        return word not in self._ordinary and word.isalpha()

    def rank(self, question: str, limit: int = MAX_CHOICES, among: set[str] | None = None, exclude: str | None = None) -> list[Match]:
        """Entries scoring at least :data:`OFFER`, best first (only codes in ``among`` if given)."""
        with_marks = has_diacritics(question)
        exact_words = _words(question)  # "gks" → "giấy khai sinh", "dk" → "đăng ký"
        folded_words = [_SPELLING.get(fold(w), fold(w)) or w for w in exact_words]
        kept = [i for i in range(len(folded_words)) if not _question_word(folded_words, i)]
        exact_words, folded_words = [exact_words[i] for i in kept], [folded_words[i] for i in kept]
        corrections = {w: c for w in folded_words if (c := self._correct(w)) is not None}
        folded_words = [corrections.get(w, w) for w in folded_words]
        words = exact_words if with_marks else folded_words
        present = set(words)
        corrected = set(corrections.values())
        candidates = {i for w in set(folded_words) for i in self._by_word.get(w, ())}
        # Words that say "something else": rare name words, and words neither in names nor ordinary.
        rare = {w for w in folded_words if self._says_something_else(w)}
        best: dict[str, Match] = {}
        for i in candidates:
            phrase = self._phrases[i]
            if (among is not None and phrase.code not in among) or phrase.code == exclude:
                continue
            own = phrase.exact if with_marks else phrase.folded
            found = [(w, f) for w, f in phrase.key if (w if with_marks else f) in present or f in corrected]
            total = sum(self._weight[f] for _, f in phrase.key)
            coverage = sum(self._weight[f] for _, f in found) / total
            if coverage < OFFER:
                continue
            whole = _contains(words, own) or (bool(corrected) and _contains(folded_words, phrase.folded))
            # A name found whole counts more; of two names found, the more specific one.
            score = coverage + (0.2 + 0.01 * len(own) if whole else 0.0) + 0.03 * len(found)
            current = best.get(phrase.code)
            if current is None or score > current.score:
                used = frozenset(f for _, f in found)
                best[phrase.code] = Match(phrase.code, score, len(found) == len(phrase.key), used, bool(rare - set(phrase.folded)))
        return sorted(best.values(), key=lambda m: (-m.score, m.code))[:limit]

    def choose(self, question: str, among: set[str] | None = None) -> tuple[str | None, list[Match]]:
        """The one clear entry, or ``None`` with the candidates to offer."""
        return clear_choice(self.rank(question, among=among))

    def choose_several(self, question: str) -> list[Match]:
        """Entries named completely by separate words of the question ("A và B"), best first.

        A name whose words are all used by a better one is the same mention
        ("trích lục khai sinh" is not also "khai sinh").
        """
        chosen: list[Match] = []
        for match in self.rank(question, limit=10):
            if match.complete and not any(match.words & c.words for c in chosen):
                chosen.append(match)
        return chosen


def clear_choice(ranked: list[Match]) -> tuple[str | None, list[Match]]:
    if not ranked:
        return None, []
    top = ranked[0]
    alone = len(ranked) == 1 and top.score >= ALONE and not top.stray
    if alone or (top.complete and (len(ranked) == 1 or top.score - ranked[1].score >= CLOSE)):
        return top.code, ranked
    return None, ranked
