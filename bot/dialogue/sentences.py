"""A message's sentences, read from its question backwards.

Citizens write circumstances first and ask last ("Ông nội em mất tối qua. … Luật cho tối đa
bao nhiêu ngày để đi khai tử?"). The question sentence decides what is asked; the sentences
before it are read only when it does not say enough ("Cán bộ nhắc phải đi đăng ký biến động.
Hỏi hạn chót là bao lâu?"), the nearest first.
"""

from __future__ import annotations

import re

# A sentence ends at . ? ! ; … or a line break followed by space — not inside "1.000656",
# "000.00.31.H26-230428-0005" or "12.3".
_END = re.compile(r"(?<=[.?!;…])\s+|\s*\n+\s*")
# A comma before a word that turns from the story to the question ("… giấy khai sinh, giờ phải
# sửa thông tin cư trú trong mấy ngày") ends a clause read like a sentence.
_TURN = re.compile(
    r"(?<=,)\s+(?=(?:giờ|gio|bây giờ|bay gio|nay|vậy|vay|xin hỏi|xin hoi"
    r"|cho (?:em |e |tôi |toi |mình |minh )?hỏi|cho (?:em |e |toi |minh )?hoi)\b)",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    return [s for s in (clause.strip() for part in _END.split(text) for clause in _TURN.split(part)) if s]


# "… thì giấy đó còn dùng được không": the question points back into the story, which it needs.
_POINTS_BACK = re.compile(
    r"\b(?:giấy|thẻ|hợp đồng|cái|giay|the|hop dong|hd|hđ) (?:đó|này|ấy|kia|do|nay|ay)\b",
    re.IGNORECASE,
)


def windows(text: str) -> list[str]:
    """The last sentence, the last two, … up to the whole message (once, when it is one sentence).

    A sentence pointing back ("giấy đó") is read with the one before it.
    """
    parts = sentences(text)
    while len(parts) > 1 and _POINTS_BACK.search(parts[-1]):
        parts = [*parts[:-2], f"{parts[-2]} {parts[-1]}"]
    return [" ".join(parts[i:]) for i in range(len(parts) - 1, -1, -1)] or [text]


def questions(text: str) -> list[str]:
    """Sentences written as questions ("…?") before the last one: asked too, not story."""
    return [s for s in sentences(text)[:-1] if s.endswith("?")]
