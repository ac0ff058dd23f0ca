"""Term shifts: policy terms that appeared, vanished, rose, fell or were renamed.

Candidates are quoted slogans (`“两重”`, `“高效办成一件事”`), terms of the policy dictionary
(`data/policy_terms.txt`) and jieba's TF-IDF keywords of three or more characters (two-character
keywords such as `助力` are mostly style). A term is `new` when the old document never uses it
and `dropped` when the new one never does; `rose` / `fell` are terms used on both sides whose
frequency (per character of text) changed most. A *rename* is a replacement that recurs in
several paired units (`质量技监部门` → `市场监管部门` in nine articles) while the old term
disappears: it is reported once, not as forty edits, and its two terms are not listed again
as new and dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .model import Document, Node
from .tokens import display_tokens, keywords

if TYPE_CHECKING:
    from .classify import Alignment

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,16})[”\"」』]")
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z]{2}")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _policy_terms() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "policy_terms.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.split()[0] for line in lines if line.strip())


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


@dataclass(slots=True)
class Rename:
    old: str
    new: str
    count: int  # paired units where the replacement was made
    old_count: int  # uses of the old term in the old document
    new_count: int  # uses of the new term in the new document
    where: list[str] = field(default_factory=list)  # new-side ids of the units

    def to_dict(self) -> dict:
        return {
            "old": self.old,
            "new": self.new,
            "count": self.count,
            "old_count": self.old_count,
            "new_count": self.new_count,
            "where": self.where,
        }


def _quoted_terms(doc: Document) -> Counter[str]:
    return Counter(
        "".join(m.group(1).split()) for b in doc.of_kind("block") for m in _QUOTED.finditer(b.text)
    )


def _keywords(doc: Document, top: int = 80) -> list[str]:
    text = "\n".join(b.text for b in doc.of_kind("block"))
    return [w for w in keywords(text, top) if len(w) >= 2 and not w.isdigit()]


def _where(blocks: list[Node], term: str, limit: int = 5) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if term in b.text:
            out.append(b.id)
            if len(out) == limit:
                break
    return out


def _full_text(doc: Document) -> str:
    return "\n".join(n.text for n in doc.nodes if n.kind in ("section", "block"))


def _replacements(alignments: list[Alignment]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(deleted, inserted) → [(new unit id, following token)] over the finest changed units."""
    finest: dict[str, int] = {}
    for a in alignments:
        if a.diff and a.status == "changed":
            finest[a.level] = finest.get(a.level, 0) + 1
    level = next((lv for lv in ("clause", "sentence", "block") if lv in finest), None)
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a in alignments:
        if a.level != level or a.status != "changed" or not a.diff:
            continue
        ops = a.diff
        for i in range(len(ops) - 1):
            (op1, t1), (op2, t2) = ops[i], ops[i + 1]
            if (op1, op2) != ("delete", "insert"):
                continue
            old, new = t1.strip(), t2.strip()
            if not (_WORDY.search(old) and _WORDY.search(new)) or len(old) > 40 or len(new) > 40:
                continue
            if re.search(r"\d", old + new):
                continue  # figures are targets, not terms
            if re.search(r"[/.:#()\[\]]", old + new):
                continue  # links and paths, not terms
            after = ops[i + 2][1] if i + 2 < len(ops) and ops[i + 2][0] == "equal" else ""
            first = display_tokens(after[:8])[0] if after else ""
            out.setdefault((old, new), []).append((a.new[0], first))
            for pair in _stem_pairs(old, new):
                out.setdefault(pair, []).append((a.new[0], ""))
    return out


def _stem_pairs(old: str, new: str) -> set[tuple[str, str]]:
    """Word-level renames inside a larger replacement that keep their stem:
    `、县民政局和市殡葬管理处` → `民政部门` holds `民政局` → `民政部门`."""
    out: set[tuple[str, str]] = set()
    new_toks = display_tokens(new)
    for d in set(display_tokens(old)):
        if len(d) < 2 or not _CJK_WORD.fullmatch(d):
            continue
        for k, t in enumerate(new_toks):
            if t[:2] != d[:2] or t == d:
                continue
            seq = t
            # `民政` + `部门`: a shorter stem word continues into the next word.
            for nxt in new_toks[k + 1 : k + 3]:
                if len(seq) >= len(d) or not _CJK_WORD.fullmatch(nxt):
                    break
                seq += nxt
            if seq != d and (seq, d) != (new, old):
                out.add((d, seq))
    return out


def find_renames(
    old: Document, new: Document, alignments: list[Alignment], min_units: int = 2
) -> list[Rename]:
    old_text, new_text = _full_text(old), _full_text(new)
    counted: dict[tuple[bool, str], int] = {}  # a term recurs across pairs; each count reads it all

    def count(in_new: bool, term: str) -> int:
        key = (in_new, term)
        if key not in counted:
            counted[key] = (new_text if in_new else old_text).count(term)
        return counted[key]

    found: list[Rename] = []
    for (o, n), uses in _replacements(alignments).items():
        units = {u for u, _ in uses}
        if len(units) < min_units:
            continue
        # `质量技监` → `市场监管` before `部门` every time: the terms are `…部门`.
        follow = Counter(f for _, f in uses).most_common(1)[0]
        if follow[0] and _WORDY.fullmatch(follow[0]) and follow[1] * 3 >= len(uses) * 2:
            o, n = o + follow[0], n + follow[0]
        # A rename: the old term is (almost) gone, the new one is (mostly) new.
        oc_old, oc_new = count(False, o), count(True, o)
        if oc_new * 4 > oc_old:
            continue
        nc_old, nc_new = count(False, n), count(True, n)
        if nc_old * 2 > nc_new:
            continue
        found.append(Rename(o, n, len(units), oc_old, nc_new, sorted(units)[:5]))
    found.sort(key=lambda r: (-r.count, r.old))
    # `各类市场主体` → `企业等经营主体` is the rename `市场主体` → `企业等经营主体` again.
    return [
        r for r in found if not any(q is not r and q.new == r.new and q.old in r.old for q in found)
    ]


def _is_term(term: str, quoted: set[str]) -> bool:
    return term in quoted or term in _policy_terms() or len(term) >= 3


def term_shifts(
    old: Document,
    new: Document,
    alignments: list[Alignment] | None = None,
    limit: int = 60,
) -> dict[str, list]:
    old_text, new_text = _full_text(old), _full_text(new)
    quoted = set(_quoted_terms(new)) | set(_quoted_terms(old))
    candidates: dict[str, None] = dict.fromkeys(sorted(quoted, key=lambda t: -len(t)))
    cjk = bool(re.search(r"[\u4e00-\u9fff]", old_text + new_text))
    if cjk:
        for term in _keywords(new) + _keywords(old):
            candidates.setdefault(term, None)
        for term in sorted(_policy_terms()):
            candidates.setdefault(term, None)
    renames = find_renames(old, new, alignments) if alignments else []
    renamed = {r.old for r in renames} | {r.new for r in renames}
    new_terms: list[TermShift] = []
    dropped: list[TermShift] = []
    rose: list[tuple[float, TermShift]] = []
    fell: list[tuple[float, TermShift]] = []
    old_len, new_len = max(1, len(old_text)), max(1, len(new_text))
    old_blocks, new_blocks = old.of_kind("block"), new.of_kind("block")  # once: of_kind scans
    for term in candidates:
        if not _is_term(term, quoted) or any(term in r for r in renamed):
            continue
        oc, nc = old_text.count(term), new_text.count(term)
        if oc == 0 and nc > 0:
            new_terms.append(TermShift(term, 0, nc, _where(new_blocks, term)))
        elif nc == 0 and oc > 0:
            dropped.append(TermShift(term, oc, 0, _where(old_blocks, term)))
        elif oc and nc and abs(nc - oc) >= 2:
            ratio = (nc / new_len) / (oc / old_len)
            shift = TermShift(term, oc, nc, _where(new_blocks, term))
            if ratio >= 1.5:
                rose.append((ratio, shift))
            elif ratio <= 1 / 1.5:
                fell.append((ratio, shift))
    key = lambda t: (-(t.new_count + t.old_count), t.term)  # noqa: E731
    return {
        "new": sorted(new_terms, key=key)[:limit],
        "dropped": sorted(dropped, key=key)[:limit],
        "rose": [t for _, t in sorted(rose, key=lambda x: (-x[0], x[1].term))][:limit],
        "fell": [t for _, t in sorted(fell, key=lambda x: (x[0], x[1].term))][:limit],
        "renames": renames[:limit],
    }
