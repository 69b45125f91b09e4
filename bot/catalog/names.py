"""Finding which named things (procedures, matters handled elsewhere) a question mentions.

Each name or alias scores by the share of its distinctive words found in the question,
each word weighted by how rare it is among the entries (so "đăng ký" counts little,
"khai sinh" much), with a bonus when the name appears whole, and a bonus for explaining more of the
question. Words are compared one by one: a word typed with diacritics keeps them ("bán" is
not "bản"), one typed without a tone mark ignores tones ("khai tư" is "khai tử"), one typed
plain is compared folded ("dang ky khai sinh" is "Đăng ký khai sinh"). A complete name whose
words are all inside another complete name's is the less specific reading and is dropped
("tạm trú" when "xóa tạm trú" is named).

Words are read from their use: "mất" is lost only beside a verb of losing or a document ("ốm
rồi mất" is died), "lại" after "sửa" or a person is not the "re-" of a name, "thất lạc" and
"bị cháy" are lost, a country is abroad, "hiện thường trú ở Hà Nội" and "hộ khẩu ở quê" say
where someone lives. A partial match carried by everyday words alone (a verb, a kinship or a
time word) is no reading; a longer name whose words stand apart as two names is both.

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
from dataclasses import dataclass, replace
from itertools import pairwise

from nlu.vietnamese import fold, normalize, strip_tones

OFFER = 0.5
CLOSE = 0.1
# A partial match with no rival is taken when this much of the name was found.
ALONE = 0.75
# Words that say little about which entry is meant; a name counts as found without them.
# Spelled with diacritics in names ("tại" is generic, "tài sản" is not); folded in questions.
GENERIC_NAME_WORDS = frozenset(
    {"đăng", "ký", "làm", "xin", "thủ", "tục", "cho", "của", "và", "về", "giấy", "cấp", "ở", "tại", "trên", "online"}
)
GENERIC = frozenset(fold(w) for w in GENERIC_NAME_WORDS)
# Everyday words that are also in names: a time expression, a kinship word, a generic verb.
# A partial match carried by these alone is no reading of the question ("thẻ phí đổi bao
# nhiêu" after an identity-card answer does not name "đổi họ"); a whole name made of them is,
# when its words stand together ("nhận con", not "xác nhận … cho các con").
COMMON = frozenset(
    {"doi", "thay", "sua", "lay", "nhan", "di", "ve", "gui", "den", "len", "ra", "vao", "co", "la", "duoc", "can", "bi"}
    | {"bo", "me", "cha", "con", "vo", "chong", "ong", "ba", "anh", "chi", "em", "chau", "nguoi", "gia", "dinh"}
    | {"ngay", "thang", "nam", "lau", "gio", "tuan", "hom", "sau", "truoc", "trong", "khi", "moi", "lan", "dau", "lai", "tu", "bao"}
)
# Words that are also question words: "mất bao nhiêu tiền" (cost) is not "mất giấy kết hôn"
# (lost), "thì sao" (what about) is not "bản sao" (copy). Such a use is not a name word.
_AFTER = {
    "bao": {"nhieu", "lau", "gio", "nhiu"},
    "mat": {"bao", "may", "bn", "phi", "tien", "thoi", "nhieu", "het", "khoang", "chung", "tam", "lau", "it", "mot", "hai", "ba"},
}
_ENDINGS = {None, "a", "ah", "ak", "vay", "ad", "nhi", "khong", "ko", "k", "nhe", "nha", "the", "day", "ta", "chu", "ne", "z", "vly"}
_BEFORE = {"sao": {"thi", "the", "lam", "vi", "tai", "ra", "la", "co", "duoc", "nhu"}}
# "nơi thường trú", "nơi tạm trú", "nơi cư trú" describe where someone lives (which commune is
# competent), they do not name the residence procedures.
_RESIDENCE = {"thuong", "tam", "cu"}
_AT = {"o", "tai", "thuong"}
# "nhà em", "nhà tôi": the family, unless the house is damaged.
_PEOPLE = {"e", "em", "toi", "tui", "minh", "anh", "chi", "chu", "bac", "co", "ong", "ba", "cau", "di", "mi"}
_DAMAGE = {"bi", "sap", "chay", "hu", "do", "troi", "ngap", "dot", "lu", "bao", "hong", "nut"}
# "bị xóa hộ khẩu ở nhà", "nhập hộ khẩu ở quê": a verb before it makes "hộ khẩu" the procedure's.
_MOVE_BOOK = {"xoa", "cat", "nhap", "chuyen", "tach"}
# Verbs before "thường trú/tạm trú" that make it the procedure ("đăng ký tạm trú ở phòng trọ").
_REGISTER = (["dk"], ["lam"], ["xin"], ["xoa"], ["han"], ["bao"])


def _question_word(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` (folded) is used as a question word here, not as part of a name."""
    word = words[i]
    before = words[i - 1] if i > 0 else None
    after = words[i + 1] if i + 1 < len(words) else None
    if word in _AFTER and after in _AFTER[word]:
        return True
    if word == "sao" and after == "y":  # "làm sao y" is making a certified copy
        return False
    if word == "lai" and before in _NOT_AGAIN:
        return True  # "sửa lại cho đúng", "bố em lại đi công tác": not the "again" of "đăng ký lại"
    if word == "mat" and not _lost(words, i):
        return True  # died ("bà em ốm rồi mất", "nơi mất"), not lost: no "mất giấy …" name is meant
    # "hộ khẩu ở quê", "hộ khẩu tại Bắc Ninh" say where someone lives, not "cắt hộ khẩu".
    if (word, after) == ("ho", "khau") and i + 2 < len(words) and words[i + 2] in _AT and before not in _MOVE_BOOK:
        return True
    if (before, word) == ("ho", "khau") and after in _AT and (words[i - 2] if i > 1 else None) not in _MOVE_BOOK:
        return True
    if word == "nha" and after in _PEOPLE and not _DAMAGE & set(words[i + 2 : i + 6]):
        return True  # "nhà em được hỗ trợ mai táng không": the family, not a house ("nhà em bị sập")
    start = i if word in _RESIDENCE and after == "tru" else i - 1 if word == "tru" and before in _RESIDENCE else None
    if start is not None and "noi" in words[max(start - 3, 0) : start]:
        return True  # "nơi (bố) thường trú"
    registering = start is not None and (words[max(start - 2, 0) : start] == ["dang", "ky"] or words[start - 1 : start] in _REGISTER)
    if start is not None and not registering and (words[start - 1 : start] in (["hien"], ["dang"], ["van"]) or _lives_at(words, start + 2)):
        return True  # "hiện thường trú ở Hà Nội", "tạm trú tại phường X" say where one lives
    return word in _BEFORE and (before in _BEFORE[word] or after in _ENDINGS)


def _lives_at(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i:]`` is "ở/tại <a place>" (not "ở đâu", a question about the office)."""
    if i + 1 >= len(words) or words[i] not in ("o", "tai") or words[i + 1] in ("dau", "cho", "cong", "nha", "uy", "ubnd"):
        return False
    return words[i + 1] not in ("xa", "phuong") or words[i + 2 : i + 3] not in (["nao"], ["khac"], [])


# "mất" is both "died" and "lost". It is "lost" (a word of the "mất giấy khai tử" names) only
# beside a verb of losing or before a document: "bị mất", "làm mất", "mất giấy", "mất cả sổ".
_LOSING = {"bi", "lam", "danh", "lay", "trom"}
_DOCUMENTS = {"giay", "so", "ban", "trich", "the", "cmnd", "cccd", "can", "ho", "bang", "chung", "hop"}


def _lost(words: Sequence[str], i: int) -> bool:
    dropped = words[max(i - 2, 0) : i] == ["danh", "roi"]  # "đánh rơi mất" ("ốm rồi mất" is died)
    return dropped or (i > 0 and words[i - 1] in _LOSING) or any(w in _DOCUMENTS for w in words[i + 1 : i + 3])


# Words asking for two things done as one ("khai sinh kết hợp nhận cha con", "cùng lúc").
_COMBINED = re.compile(r"(?<![a-z])(?:ket hop|cung luc|mot the|dong thoi|lam chung|chung (?:1|mot) lan|mot lan luon)(?![a-z])")

# "lại" after these is "back/then", never the "re-" of a procedure's name ("đăng ký lại khai sinh").
_NOT_AGAIN = {"sua", "chinh", "e", "em", "toi", "minh", "anh", "chi", "ong", "ba", "bo", "me", "no", "ho", "nguoi", "tra", "quay", "tro"}

# Two spellings of one syllable (i/y): "chữ kí" is "chữ ký", "lí lịch" is "lý lịch".
_SPELLING = {"kí": "ký", "lí": "lý", "kì": "kỳ", "ki": "ky", "li": "ly"}


# Ways of saying a document is lost, read as "mất" (the word of the "mất giấy …" names).
_LOST = re.compile(
    r"\b(?:bị cháy mất|bi chay mat|thất lạc|that lac|bị cháy|bi chay|cháy mất|chay mat|bị hư|bi hu|hư hết|hu het|mối ăn|moi an)\b"
)
# Countries people marry into or move to, read as "nước ngoài" (the names say "có yếu tố nước
# ngoài", "người nước ngoài", "định cư nước ngoài").
_ABROAD = re.compile(
    r"\b(?:hàn quốc|han quoc|trung quốc|trung quoc|đài loan|dai loan|nhật bản|nhat ban|hoa kỳ|hoa ky|thái lan|thai lan|"
    r"ấn độ|campuchia|singapore|malaysia|canada|(?<=sang )(?:mỹ|my|úc|uc|nhật|nhat|pháp|đức|nga|lào)|"
    r"(?<=người )(?:mỹ|úc|nhật|pháp|đức|nga|lào))\b"
)


def _words(text: str) -> list[str]:
    """A text's words as names and questions are compared: normalised, one i/y spelling."""
    return [_SPELLING.get(w, w) for w in _ABROAD.sub("nước ngoài", _LOST.sub("mất", normalize(text))).split()]


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
    # Every name of the entry found complete: its words, and whether they stand together in
    # the question ("xóa tạm trú") rather than scattered.
    readings: tuple[tuple[frozenset[str], bool], ...] = ()


@dataclass(frozen=True)
class _Word:
    exact: str
    toneless: str
    folded: str

    @classmethod
    def of(cls, exact: str) -> _Word:
        folded = fold(exact) or exact
        return cls(exact, strip_tones(exact), _SPELLING.get(folded, folded))


@dataclass(frozen=True)
class _Phrase:
    code: str
    words: tuple[_Word, ...]
    # Distinctive words: all of the name when it is made only of generic words.
    key: tuple[_Word, ...]


class _Question:
    """A question's words and what each can match (see the module docstring)."""

    def __init__(self, words: list[_Word], corrections: dict[str, str]) -> None:
        self.words = words
        marked = [has_diacritics(w.exact) for w in words]
        self.exact = {w.exact for w, m in zip(words, marked, strict=True) if m}
        self.toneless = {w.toneless for w, m in zip(words, marked, strict=True) if m and w.exact == w.toneless}
        self.folded = {w.folded for w, m in zip(words, marked, strict=True) if not m} | set(corrections.values())
        self._marked = marked
        self._corrections = corrections

    def folded_words(self) -> list[str]:
        """The words in order, folded, typos corrected."""
        return [self._corrections.get(w.folded, w.folded) for w in self.words]

    def has(self, word: _Word) -> bool:
        return word.exact in self.exact or word.toneless in self.toneless or word.folded in self.folded

    def _same(self, i: int, word: _Word) -> bool:
        mine = self.words[i]
        if self._marked[i]:
            return mine.exact == word.exact or (mine.exact == mine.toneless and mine.toneless == word.toneless)
        return self._corrections.get(mine.folded, mine.folded) == word.folded

    def contains(self, phrase: tuple[_Word, ...]) -> bool:
        n, first = len(phrase), phrase[0]
        starts = (i for i in range(len(self.words) - n + 1) if self._same(i, first))
        return any(all(self._same(i + j, phrase[j]) for j in range(1, n)) for i in starts)


def has_diacritics(text: str) -> bool:
    return any(not ch.isascii() for ch in text if ch.isalpha())


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
                    words = tuple(_Word.of(w) for w in exact)
                    phrases.append(_Phrase(code, words, tuple(w for w in words if w.exact not in GENERIC_NAME_WORDS) or words))
        self._phrases = phrases
        words_of_code: dict[str, set[str]] = defaultdict(set)
        for phrase in phrases:
            words_of_code[phrase.code].update(w.folded for w in phrase.words)
        codes = set(words_of_code)
        self._codes_of: dict[str, set[str]] = defaultdict(set)
        for code, code_words in words_of_code.items():
            for w in code_words:
                self._codes_of[w].add(code)
        pairs_of_code: dict[str, set[str]] = defaultdict(set)
        for phrase in phrases:
            pairs_of_code[phrase.code].update(f"{a.folded} {b.folded}" for a, b in pairwise(phrase.words))
        pair_frequency = Counter(w for ps in pairs_of_code.values() for w in ps)
        self._pair_weight = {w: math.log(1 + max(len(codes), 1) / n) for w, n in pair_frequency.items()}
        for code, code_pairs in pairs_of_code.items():
            for w in code_pairs:
                self._codes_of[w].add(code)
        frequency = Counter(w for words in words_of_code.values() for w in words)
        self._weight = {w: math.log(1 + max(len(codes), 1) / n) for w, n in frequency.items()}
        # Folded word → (phrase, weight it brings): sums give each phrase's best possible coverage.
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._totals = [sum(self._weight[w.folded] for w in phrase.key) for phrase in phrases]
        for i, phrase in enumerate(phrases):
            for folded_word, count in Counter(w.folded for w in phrase.key).items():
                self._postings[folded_word].append((i, count * self._weight[folded_word]))
        self._folded_words = [frozenset(w.folded for w in phrase.words) for phrase in phrases]
        self._names = {frozenset(w.folded for w in phrase.key) for phrase in phrases}
        self._last: tuple[tuple[str, int, str | None], list[Match]] | None = None
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
        key = (question, limit, exclude)
        if among is None and self._last is not None and self._last[0] == key:
            return self._last[1]  # the dialogue asks twice about one message (several? one?)
        ranked = self._rank(question, limit, among, exclude)
        if among is None:
            self._last = (key, ranked)
        return ranked

    def _read(self, question: str) -> tuple[_Question, set[str], list[str]]:
        """The question's name words (typos corrected), the folded words looked up, all its folded words."""
        words = [_Word.of(w) for w in _words(question)]  # "gks" → "giấy khai sinh", "dk" → "đăng ký"
        folded = [w.folded for w in words]
        words = [w for i, w in enumerate(words) if not _question_word(folded, i)]
        corrections = {w.folded: c for w in words if (c := self._correct(w.folded)) is not None}
        return _Question(words, corrections), {corrections.get(w.folded, w.folded) for w in words}, folded

    def closest(self, question: str) -> list[tuple[str, float]]:
        """Entries by the weight of the question's distinctive words found anywhere among their names.

        A looser reading than :meth:`rank`, which needs most of one name: "bạn ở quê lên ngủ lại
        vài đêm, có phải báo công an" shares "ngủ", "đêm", "bạn" and "công an" with the names
        of the stay notice, though no single name is there.
        """
        asked, looked_up, _ = self._read(question)
        folded = asked.folded_words()
        pairs = {f"{a} {b}" for a, b in pairwise(folded)}
        scores: dict[str, float] = defaultdict(float)
        for w in (looked_up - GENERIC - COMMON) | pairs:
            for code in self._codes_of.get(w, ()):
                scores[code] += self._pair_weight.get(w) or self._weight[w]
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    def _rank(self, question: str, limit: int, among: set[str] | None, exclude: str | None) -> list[Match]:
        asked, looked_up, folded = self._read(question)
        reach: dict[int, float] = defaultdict(float)
        for w in looked_up:
            for i, brought in self._postings.get(w, ()):
                reach[i] += brought
        candidates = [i for i, brought in reach.items() if brought >= OFFER * self._totals[i] - 1e-9]
        # Words that say "something else", and all the question's name words (what to explain).
        rare = {w for w in looked_up if self._says_something_else(w)}
        content = sum(self._weight[w] for w in looked_up if w in self._weight and w not in GENERIC) or 1.0
        best: dict[str, Match] = {}
        readings: dict[str, list[tuple[frozenset[str], bool]]] = defaultdict(list)
        weight, totals, has = self._weight, self._totals, asked.has
        for i in candidates:
            phrase = self._phrases[i]
            if (among is not None and phrase.code not in among) or phrase.code == exclude:
                continue
            found = [w for w in phrase.key if has(w)]
            coverage = sum(weight[w.folded] for w in found) / totals[i]
            if coverage < OFFER:
                continue
            used = frozenset(w.folded for w in found)
            complete = len(found) == len(phrase.key)
            if used <= COMMON and not (complete and (asked.contains(phrase.words) or asked.contains(phrase.key))):
                continue  # "xác nhận … cho các con" is not "nhận con": everyday words must stand together
            explained = sum(weight[w] for w in used if w not in GENERIC) / content
            # A name found whole counts more; of two names found, the more specific one.
            whole = 0.2 + 0.01 * len(phrase.words) if complete and asked.contains(phrase.words) else 0.0
            score = coverage + whole + 0.03 * len(found) + 0.1 * explained
            if complete:
                readings[phrase.code].append((used, asked.contains(phrase.words) or asked.contains(phrase.key)))
            current = best.get(phrase.code)
            if current is None or score > current.score:
                best[phrase.code] = Match(phrase.code, score, complete, used, bool(rare - self._folded_words[i]))
        named = [replace(m, readings=tuple(readings[m.code])) for m in best.values() if m.complete]
        combined = _COMBINED.search(" ".join(folded)) is not None
        readings_of = {m.code: m for m in named}
        kept = [
            readings_of.get(m.code, m)
            for m in best.values()
            if not (m.complete and any(self._reads_more(o, m, combined) for o in named if o.code != m.code))
        ]
        return sorted(kept, key=lambda m: (-m.score, m.code))[:limit]

    def is_name(self, words: frozenset[str]) -> bool:
        """Whether ``words`` (folded) are exactly the distinctive words of some name."""
        return words in self._names

    def _reads_more(self, other: Match, match: Match, combined: bool) -> bool:
        """Whether ``other`` is the more specific reading of the words that name ``match``.

        Not when its words stand apart and the rest are a name of their own: "làm khai tử …
        có lấy được trích lục không" names the death registration and its extract, not a copy
        — unless the question asks for them together ("làm khai sinh và nhận con luôn một thể").
        """
        mine = [match.words, *(words for words, _ in match.readings)]  # "kết hôn" as well as "kết hôn ở xã"
        return any(
            own < words and (together or combined or words - own not in self._names) for words, together in other.readings for own in mine
        )

    def choose(self, question: str, among: set[str] | None = None) -> tuple[str | None, list[Match]]:
        """The one clear entry, or ``None`` with the candidates to offer."""
        return clear_choice(self.rank(question, among=among))

    def choose_several(self, question: str) -> list[Match]:
        """Entries named completely by separate words of the question ("A và B"), best first.

        Each must bring words of its own, most of its weight: "tạm trú" beside "khai báo
        tạm vắng" does ("trú"); "khai sinh" beside "trích lục khai sinh" does not.
        """
        chosen: list[Match] = []
        for match in self.rank(question):
            taken = {w for c in chosen for w in c.words}
            own = sum(self._weight[w] for w in match.words - taken)
            if match.complete and own >= 0.4 * sum(self._weight[w] for w in match.words):
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
