"""Why a dossier was late, in a few categories the public report can show without the free text
(an officer's note may name a person; the category never does)."""

from __future__ import annotations

import re

from nlu.vietnamese import fold

# First match wins; the words are folded (no diacritics, lower case). Written for the reasons an
# apology slip gives (Decree 61/2018, Form 04); a reason none fits is "other", never guessed.
_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("supplement", ("bo sung", "thieu giay", "thieu ho so", "chua du", "hoan thien ho so", "chua nop", "sai sot", "sai thong tin")),
    ("verification", ("xac minh", "niem yet", "tham dinh", "kiem tra thuc dia", "do dac", "lay y kien", "cong khai", "doi chieu")),
    (
        "coordination",
        ("lien thong", "phoi hop", "co quan khac", "cap tren", "chuyen ho so", "cho y kien", "cho ket qua", "trinh ky", "cho ky"),
    ),
    ("system", ("phan mem", "he thong", "loi ky thuat", "mat mang", "duong truyen", "mat dien", "co so du lieu")),
    ("workload", ("qua tai", "nhan luc", "nghi phep", "om", "so luong lon", "dong ho so", "cong chuc nghi", "thieu can bo")),
)
CATEGORIES = (*(key for key, _ in _CATEGORIES), "other", "none")
_PATTERNS = tuple((key, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")) for key, words in _CATEGORIES)


def category(reason: str | None) -> str:
    """One of :data:`CATEGORIES`: "none" when no reason was recorded, "other" when none fits."""
    if not reason or not reason.strip():
        return "none"
    folded = fold(reason)
    for key, pattern in _PATTERNS:
        if pattern.search(folded):
            return key
    return "other"
