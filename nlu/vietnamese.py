"""Vietnamese text normalisation shared by the NLU components and the bot's matchers.

Citizens type in NFC or NFD, with old or new tone placement ("hoà"/"hòa"), without
diacritics, and in abbreviations and teencode ("ko", "dc", "bn", "cccd"). Everything
here is plain Python (no Rasa, no bot imports) so both processes can use it.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
# Words as citizens type them: letters (with combining marks) and digits, "đ" included.
WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Tone marks (as combining characters) and the vowels of "oa", "oe", "uy" that carry them.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
# Old style puts the tone on the second vowel of oa/oe/uy ("hoà", "thuý"); the 1997
# rules and most keyboards today put it on the first ("hòa", "thúy"). We use the new style.
_OLD_TONE = re.compile(rf"(?<![qg])([oO])([aAeE])([{_TONES}])(?![^\W\d_])|(?<![q])([uU])([yY])([{_TONES}])(?![^\W\d_])")

# Abbreviations and teencode, folded form → full words (with diacritics).
ABBREVIATIONS: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kg": "không",
    "khg": "không",
    "hok": "không",
    "kh": "không",
    "dc": "được",
    "dk": "đăng ký",
    "dx": "được",
    "duoc": "được",
    "j": "gì",
    "gi": "gì",
    "z": "vậy",
    "v": "vậy",
    "zay": "vậy",
    "bn": "bao nhiêu",
    "bnh": "bao nhiêu",
    "bnhieu": "bao nhiêu",
    "nhiu": "nhiêu",
    "bh": "bao giờ",
    "bjo": "bao giờ",
    "ntn": "như thế nào",
    "hs": "hồ sơ",
    "tthc": "thủ tục hành chính",
    "gt": "giấy tờ",
    "cmnd": "chứng minh nhân dân",
    "cccd": "căn cước công dân",
    "cc": "căn cước",
    "sdt": "số điện thoại",
    "gks": "giấy khai sinh",
    "ks": "khai sinh",
    "ubnd": "ủy ban nhân dân",
    "dvc": "dịch vụ công",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "gpxd": "giấy phép xây dựng",
    "qsdd": "quyền sử dụng đất",
    "hkd": "hộ kinh doanh",
    "nvqs": "nghĩa vụ quân sự",
    "ad": "admin",
    "e": "em",
    "a": "anh",
    "c": "chị",
    "mn": "mọi người",
    "mk": "mình",
    "ck": "chồng",
    "vk": "vợ",
    "vs": "với",
    "r": "rồi",
    "ns": "nói",
    "ng": "người",
    "trc": "trước",
    "ms": "mới",
    "cx": "cũng",
    "lm": "làm",
    "oke": "ok",
    "okie": "ok",
    "ok": "ok",
    "tks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "camon": "cảm ơn",
    "cmon": "cảm ơn",
    "xl": "xin lỗi",
    "sr": "xin lỗi",
    "ib": "nhắn tin",
}
# Left out on purpose, being ambiguous here: "tt" (thủ tục, tạm trú, thường trú, thông tin),
# "dt" (điện thoại, diện tích), "hong" (không, or hồng as in sổ hồng), "vay" (vậy, or a loan).


def nfc(text: str) -> str:
    """Compose characters so that equal-looking strings compare equal."""
    return unicodedata.normalize("NFC", text)


def new_tone_placement(text: str) -> str:
    """ "hoà" → "hòa", "thuý" → "thúy": one spelling for both tone-placement styles."""
    decomposed = unicodedata.normalize("NFD", text)

    def move(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1) + match.group(3) + match.group(2)
        return match.group(4) + match.group(6) + match.group(5)

    return unicodedata.normalize("NFC", _OLD_TONE.sub(move, decomposed))


def strip_tones(word: str) -> str:
    """The word without its tone mark, vowel shapes kept: "tử" → "tư", "cước" → "cươc"."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and punctuation, collapse spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP).lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain).strip()


def tokens(text: str) -> list[str]:
    """Folded words of a text."""
    return fold(text).split()


def normalize_word(word: str) -> list[str]:
    """One typed word as the words it stands for: NFC, lower case, new tone placement,
    abbreviations expanded ("bn" → ["bao", "nhiêu"])."""
    lowered = new_tone_placement(nfc(word).lower())
    expansion = ABBREVIATIONS.get(lowered)
    return expansion.split() if expansion is not None else [lowered]


def normalize(text: str) -> str:
    """A whole message normalised word by word (punctuation dropped)."""
    return " ".join(w for match in WORD.finditer(nfc(text)) for w in normalize_word(match.group()))
