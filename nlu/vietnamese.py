"""Vietnamese text normalisation shared by the NLU components and the bot's matchers.

Citizens type in NFC or NFD, with old or new tone placement ("hoà"/"hòa"), or with no
diacritics at all. Matching folds all of these to one plain form.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """Compose characters so that equal-looking strings compare equal."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and punctuation, collapse spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP).lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain).strip()


def tokens(text: str) -> list[str]:
    """Folded words of a text."""
    return fold(text).split()
