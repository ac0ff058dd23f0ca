"""How alike two units are: rapidfuzz scorers over jieba tokens.

Each unit is encoded once as a *code string*, one character per distinct content word, so
rapidfuzz's C++ scorers (and ``process.cdist`` for whole matrices) work on words, not
characters. Two views are blended:

* ``ordered`` — ``fuzz.ratio`` on the words in order: rewording, insertions, deletions;
* ``bag`` — ``fuzz.ratio`` on the words sorted: the Indel similarity of two sorted sequences is
  the Dice coefficient of their word multisets, which ignores reordering.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from .tokens import content_words


@dataclass(slots=True)
class Profile:
    words: list[str]
    ordered: str
    bag: str


@dataclass(slots=True)
class Vocabulary:
    """Interns words as characters; shared by both documents of a comparison."""

    codes: dict[str, str] = field(default_factory=dict)

    def encode(self, words: list[str]) -> str:
        out = []
        for w in words:
            ch = self.codes.get(w)
            if ch is None:
                # Supplementary planes: no clash with any text rapidfuzz might also see.
                ch = self.codes[w] = chr(0x10000 + len(self.codes))
            out.append(ch)
        return "".join(out)

    def profile(self, text: str) -> Profile:
        words = content_words(text)
        ordered = self.encode(words)
        return Profile(words, ordered, "".join(sorted(ordered)))


def similarity(a: Profile, b: Profile) -> float:
    """0..1: how much of the two units' wording is shared, in order and as a bag of words."""
    if not a.ordered and not b.ordered:
        return 1.0
    return (0.4 * fuzz.ratio(a.ordered, b.ordered) + 0.6 * fuzz.ratio(a.bag, b.bag)) / 100.0


def similarity_matrix(old: list[Profile], new: list[Profile], workers: int = 1) -> np.ndarray:
    """All pairs at once with ``process.cdist`` (C++, optionally multi-threaded)."""
    if not old or not new:
        return np.zeros((len(old), len(new)))
    ordered = process.cdist(
        [p.ordered for p in old],
        [p.ordered for p in new],
        scorer=fuzz.ratio,
        workers=workers,
        dtype=np.float32,
    )
    bag = process.cdist(
        [p.bag for p in old],
        [p.bag for p in new],
        scorer=fuzz.ratio,
        workers=workers,
        dtype=np.float32,
    )
    return (0.4 * ordered + 0.6 * bag) / 100.0


def containment(part: Profile, whole: Profile) -> float:
    """Share of ``part``'s words that also occur in ``whole`` (multiset), 0..1."""
    if not part.words:
        return 0.0
    pool: dict[str, int] = {}
    for w in whole.words:
        pool[w] = pool.get(w, 0) + 1
    hit = 0
    for w in part.words:
        if pool.get(w, 0) > 0:
            pool[w] -= 1
            hit += 1
    return hit / len(part.words)
