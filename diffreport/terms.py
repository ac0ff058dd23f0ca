"""Term shifts: policy terms that appeared or vanished between the two documents.

Candidates are quoted slogans (`“两重”`, `“高效办成一件事”`) and jieba's TF-IDF keywords;
a term is `new` when the old document never uses it and `dropped` when the new one never does.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .model import Document
from .tokens import keywords

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,16})[”\"」』]")


@dataclass(slots=True)
class TermShift:
    term: str
    old_count: int
    new_count: int
    where: list[str] = field(default_factory=list)  # ids of blocks that use it

    def to_dict(self) -> dict:
        return {
            "term": self.term,
            "old_count": self.old_count,
            "new_count": self.new_count,
            "where": self.where,
        }


def _quoted_terms(doc: Document) -> Counter[str]:
    return Counter(m.group(1) for b in doc.of_kind("block") for m in _QUOTED.finditer(b.text))


def _keywords(doc: Document, top: int = 80) -> list[str]:
    text = "\n".join(b.text for b in doc.of_kind("block"))
    return [w for w in keywords(text, top) if len(w) >= 2 and not w.isdigit()]


def _where(doc: Document, term: str, limit: int = 5) -> list[str]:
    return [b.id for b in doc.of_kind("block") if term in b.text][:limit]


def _full_text(doc: Document) -> str:
    return "\n".join(n.text for n in doc.nodes if n.kind in ("section", "block"))


def term_shifts(old: Document, new: Document, limit: int = 30) -> dict[str, list[TermShift]]:
    old_text, new_text = _full_text(old), _full_text(new)
    candidates: dict[str, None] = {}
    for term in list(_quoted_terms(new)) + list(_quoted_terms(old)):
        candidates.setdefault(term, None)
    if re.search(r"[\u4e00-\u9fff]", old_text + new_text):
        for term in _keywords(new) + _keywords(old):
            candidates.setdefault(term, None)
    new_terms: list[TermShift] = []
    dropped: list[TermShift] = []
    for term in candidates:
        oc, nc = old_text.count(term), new_text.count(term)
        if oc == 0 and nc > 0:
            new_terms.append(TermShift(term, 0, nc, _where(new, term)))
        elif nc == 0 and oc > 0:
            dropped.append(TermShift(term, oc, 0, _where(old, term)))
    key = lambda t: (-(t.new_count + t.old_count), t.term)  # noqa: E731
    return {"new": sorted(new_terms, key=key)[:limit], "dropped": sorted(dropped, key=key)[:limit]}
