"""Dossier codes (mã hồ sơ): find them in free text and normalise them.

Forms (see the domain notes): ``000.00.31.H26-230428-0005`` (older agency ids with a
province group ``Hxx``) and ``H26.41-230428-0001`` (newer short ids), a yyMMdd receipt
date and a 4–7 digit daily sequence. Citizens also type them lower-case, with spaces
around the separators or with a typographic dash. Procedure codes (``1.001193``),
phone and ID numbers never match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE_PATTERN = (
    r"(?:[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z]\d{2}"
    r"|[A-Z]\d{2}(?:\.[0-9A-Z]{1,4}){1,4})"
    r"-\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-\d{4,7}"
)
_STRICT = re.compile(rf"^{CODE_PATTERN}$")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})
_SPACES = re.compile(r"\s+")
# Permissive on the raw text; every candidate is then checked against the strict pattern.
_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z.\-])"
    r"[0-9A-Za-z]{1,4}(?:[ \t]*\.[ \t]*[0-9A-Za-z]{1,4}){1,4}"
    r"[ \t]*-[ \t]*\d{6}[ \t]*-[ \t]*\d{4,7}"
    r"(?![0-9A-Za-z])"
)


@dataclass(frozen=True)
class FoundCode:
    value: str
    start: int
    end: int


def normalize_code(raw: str) -> str:
    """Upper-case, typographic dashes to '-', whitespace removed."""
    return _SPACES.sub("", raw.translate(_DASHES)).upper()


def is_dossier_code(raw: str) -> bool:
    """Whether ``raw``, once normalised, is a well-formed dossier code."""
    return bool(_STRICT.match(normalize_code(raw)))


def find_codes(text: str) -> list[FoundCode]:
    """Every well-formed dossier code in ``text``, normalised, with its span in ``text``."""
    found: list[FoundCode] = []
    for match in _CANDIDATE.finditer(text.translate(_DASHES)):
        value = normalize_code(match.group())
        if _STRICT.match(value):
            found.append(FoundCode(value, match.start(), match.end()))
    return found
