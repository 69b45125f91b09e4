"""Which fields of a procedure a message asks about, when it asks about more than one.

The NLU gives one intent per message; "mỗi cái mất mấy ngày, phí bao nhiêu" asks two
things. Clear phrases (folded, abbreviations expanded) find every field asked, in the
order asked (phrases are regular expressions over folded text). Weak cues ("thủ tục", "làm sao") are left to the NLU: they are in almost
every question. The legal basis has no NLU intent: it is found here only.
"""

from __future__ import annotations

import re

from nlu.vietnamese import fold, normalize

LEGAL_BASIS = "ask_legal_basis"

_PHRASES: dict[str, tuple[str, ...]] = {
    # "chi phí mai táng" names a benefit, not a fee.
    # Benefits: "được bao nhiêu một tháng" asks the amount, shown with the fees.
    "ask_fee": (
        "le phi", "(?<!chi )phi", "bao nhieu tien", "het bao nhieu", "ton bao nhieu", "mat bao nhieu tien", "nop tien",
        "duoc bao nhieu", "duoc nhan bao nhieu", "bao nhieu (?:mot|1) thang", "muc tro cap", "muc ho tro",
    ),
    "ask_processing_time": (
        "bao lau", "may ngay", "bao nhieu ngay", "thoi gian", "thoi han", "bao gio co", "khi nao co", "may hom", "may tuan",
    ),
    "ask_documents": (
        "giay to gi", "giay to nao", "ho so gom", "can nhung gi", "mang theo gi", "can mang", "chuan bi gi",
        "can gi", "thanh phan ho so", "can nhung giay", "mang gi", "ho so gi", "ho so nhung gi", "giay gi", "giay j",
        "giay to j", "ho so j", "hs j", "hs gi", "hs gom", "can j", "giay to nhung gi", "nop nhung gi", "chuan bi nhung gi",
    ),
    "ask_place": ("o dau", "cho nao", "dia chi", "nop o", "gio lam viec", "noi nop", "di dau"),
    "ask_online": ("online", "truc tuyen", "vneid", "qua mang", "dich vu cong", "tren mang"),
    "ask_postal": ("buu dien", "buu chinh", "gui qua duong"),
    "ask_steps": ("cac buoc", "quy trinh", "trinh tu"),
    LEGAL_BASIS: ("can cu", "van ban nao", "luat nao", "nghi dinh nao", "quy dinh o dau", "co so phap ly", "can cu phap ly"),
}  # fmt: skip
_PATTERNS = [(intent, re.compile(rf"(?<![0-9a-z]){phrase}(?![0-9a-z])")) for intent, phrases in _PHRASES.items() for phrase in phrases]


# "còn tạm trú thì sao?": the same question as before, about another procedure.
_FOLLOW_UP = re.compile(r"^(?:(?:vay|the|da|u|con)\s+)*con\b.*\b(?:thi sao|the nao|sao|thi the nao)(?:\s+(?:a|ad|vay|nhi|nua))*$")


def is_follow_up(text: str) -> bool:
    """Whether ``text`` asks the previous question again about something else ("còn X thì sao")."""
    return _FOLLOW_UP.match(fold(text)) is not None


def asked_fields(text: str) -> list[str]:
    """Field intents clearly asked in ``text``, in the order they appear."""
    folded = fold(normalize(text))
    spans: list[tuple[int, int, str]] = []
    for intent, pattern in _PATTERNS:
        spans.extend((m.start(), m.end(), intent) for m in pattern.finditer(folded))
    # A phrase inside a longer one of another field is part of it ("mất bao nhiêu ngày").
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, intent in sorted(spans, key=lambda s: -(s[1] - s[0])):
        if not any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            kept.append((start, end, intent))
    return list(dict.fromkeys(intent for _, _, intent in sorted(kept)))
