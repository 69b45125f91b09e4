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


def sentences(text: str) -> list[str]:
    return [s for s in (part.strip() for part in _END.split(text)) if s]


def windows(text: str) -> list[str]:
    """The last sentence, the last two, … up to the whole message (once, when it is one sentence)."""
    parts = sentences(text)
    return [" ".join(parts[i:]) for i in range(len(parts) - 1, -1, -1)] or [text]


def questions(text: str) -> list[str]:
    """Sentences written as questions ("…?") before the last one: asked too, not story."""
    return [s for s in sentences(text)[:-1] if s.endswith("?")]
