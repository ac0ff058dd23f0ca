"""Classify pairings: status, evidence (shared / added / removed key terms), inline diffs.

Pure functions over the two documents and the aligner's pairings. :func:`pair_measures` runs
between the two: it pairs the clauses (measures) the aligner left new and dropped when they
are one measure reworded, moved to another block, or split into parts; :func:`rarity` weighs
words by how few measures use them, for that pairing and for the evidence.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Indel

from .align import Pairing
from .model import Document, Node
from .normalise import match_key
from .tokens import content_words, display_tokens

Status = str  # unchanged | changed | new | dropped | split | merged


@dataclass(slots=True)
class Evidence:
    shared: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Alignment:
    level: str
    status: Status
    old: list[str]
    new: list[str]
    score: float | None
    moved: bool = False
    evidence: Evidence | None = None
    shares: dict[str, float] = field(default_factory=dict)
    diff: list[tuple[str, str]] | None = None  # (op, text): op is equal | insert | delete
    # A move's two places: the block (of a sentence or clause) or section (of a block) that
    # held it in the old version, and the one that holds it in the new.
    places: dict[str, str | None] | None = None

    def to_dict(self) -> dict:
        out: dict = {
            "level": self.level,
            "status": self.status,
            "old": self.old,
            "new": self.new,
            "score": self.score,
            "moved": self.moved,
        }
        if self.evidence is not None:
            out["evidence"] = {
                "shared": self.evidence.shared,
                "added": self.evidence.added,
                "removed": self.evidence.removed,
            }
        if self.shares:
            out["parts"] = [{"id": k, "share": v} for k, v in self.shares.items()]
        if self.diff is not None:
            out["diff"] = [{"op": op, "text": text} for op, text in self.diff]
        if self.places is not None:
            out["places"] = self.places
        return out


_LABEL_PREFIX = re.compile(
    r"^\s*(第[一二三四五六七八九十百零〇\d]+[章节条编](?:之[一二三四五六七八九十\d]+)?|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+(?:\.\d+)*[.．、]?)\s*"
)


def content_key(doc: Document, node: Node) -> str:
    """What must be equal for `unchanged`: the text without its numbering, the whole subtree
    for a section (so a renumbered article or chapter with the same text is unchanged)."""
    if node.kind == "section":
        parts = [match_key(node.title)]
        parts += [content_key(doc, child) for child in doc.children(node.id)]
        return "\n".join(parts)
    text = node.text
    if node.kind == "block" and node.label:
        text = text[len(node.label) :] if text.startswith(node.label) else text
    return match_key(_LABEL_PREFIX.sub("", text, count=1) if node.kind == "block" else text)


def inline_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Token-level diff (rapidfuzz Indel opcodes over jieba tokens; numbers stay whole)."""
    a, b = display_tokens(old), display_tokens(new)
    # One character per distinct token, so the opcodes compare whole tokens.
    vocab = {t: chr(0x10000 + k) for k, t in enumerate(dict.fromkeys(a + b))}
    enc_a = "".join(map(vocab.__getitem__, a))
    enc_b = "".join(map(vocab.__getitem__, b))
    ops: list[tuple[str, str]] = []
    for op in Indel.opcodes(enc_a, enc_b):
        if op.tag == "equal":
            ops.append(("equal", "".join(a[op.src_start : op.src_end])))
        else:
            if op.src_end > op.src_start:
                ops.append(("delete", "".join(a[op.src_start : op.src_end])))
            if op.dest_end > op.dest_start:
                ops.append(("insert", "".join(b[op.dest_start : op.dest_end])))
    return _merge_runs(ops)


def _merge_runs(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fold tiny equal runs (a space, a lone `的`) between changes into the change, and give
    each change region as one deletion then one insertion, so the diff reads as phrases,
    not confetti: `[-User Personal Information-]{+personal information+}`."""
    out: list[tuple[str, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(("delete", "".join(deleted)))
        if inserted:
            out.append(("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for i, (op, text) in enumerate(ops):
        if op == "delete":
            deleted.append(text)
        elif op == "insert":
            inserted.append(text)
        elif (deleted or inserted) and _tiny(text) and i + 1 < len(ops):
            deleted.append(text)
            inserted.append(text)
        else:
            flush()
            if out and out[-1][0] == "equal":
                out[-1] = ("equal", out[-1][1] + text)
            else:
                out.append(("equal", text))
    flush()
    return out


def _tiny(text: str) -> bool:
    return not text.strip() or (len(text) == 1 and "\u4e00" <= text <= "\u9fff")


def _key_terms(words: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for w in words:
        if len(w) >= 2 and not w.isdigit():
            seen.setdefault(w, None)
    return list(seen)


@lru_cache(maxsize=65536)
def _text_key_terms(text: str) -> tuple[str, ...]:
    """One text's key terms; cached, since a section's evidence reads all its units again."""
    return tuple(_key_terms(content_words(text)))


def rarity(old: Document, new: Document) -> dict[str, float]:
    """Inverse document frequency of each content word over the clauses of both documents:
    a word used in one measure (`天拖中学`) says more than one used in forty (`推动`)."""
    df: dict[str, int] = {}
    n = 0
    for doc in (old, new):
        for clause in doc.of_kind("clause"):
            n += 1
            for w in set(content_words(clause.text)):
                df[w] = df.get(w, 0) + 1
    return {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}


def evidence_for(
    old_texts: list[str],
    new_texts: list[str],
    limit: int = 8,
    weights: dict[str, float] | None = None,
) -> Evidence:
    ow = list(dict.fromkeys(w for t in old_texts for w in _text_key_terms(t)))
    nw = list(dict.fromkeys(w for t in new_texts for w in _text_key_terms(t)))
    oset, nset = set(ow), set(nw)
    if weights:
        # Rarest first: the named programme, place or figure, not the stock verb.
        def rank(ws: list[str]) -> list[str]:
            keys = ((-weights.get(w, 0.0), -len(w), k, w) for k, w in enumerate(ws))
            return [w for _, _, _, w in heapq.nsmallest(limit, keys)]
    else:
        # Longer words first: `新质生产力` tells more than `推动`.
        def rank(ws: list[str]) -> list[str]:
            keys = ((-len(w), k, w) for k, w in enumerate(ws))
            return [w for _, _, w in heapq.nsmallest(limit, keys)]

    return Evidence(
        shared=rank([w for w in nw if w in oset]),
        added=rank([w for w in nw if w not in oset]),
        removed=rank([w for w in ow if w not in nset]),
    )


def classify(
    old: Document, new: Document, pairing: Pairing, weights: dict[str, float] | None = None
) -> Alignment:
    if not pairing.new:
        status = "dropped"
    elif not pairing.old:
        status = "new"
    elif len(pairing.new) > 1:
        status = "split"
    elif len(pairing.old) > 1:
        status = "merged"
    elif content_key(old, old.node(pairing.old[0])) == content_key(new, new.node(pairing.new[0])):
        status = "unchanged"
    else:
        status = "changed"
    alignment = Alignment(
        level=pairing.level,
        status=status,
        old=list(pairing.old),
        new=list(pairing.new),
        score=pairing.score if status not in ("new", "dropped") else None,
        moved=pairing.moved,
        shares=dict(pairing.shares),
    )
    if pairing.moved and pairing.old and pairing.new:
        alignment.places = {
            "old": _place(old, old.node(pairing.old[0])),
            "new": _place(new, new.node(pairing.new[0])),
        }
    if status in ("changed", "split", "merged"):
        old_texts = [old.node(i).text for i in pairing.old]
        new_texts = [new.node(i).text for i in pairing.new]
        alignment.evidence = evidence_for(
            [t for i in pairing.old for t in _evidence_texts(old, old.node(i))],
            [t for i in pairing.new for t in _evidence_texts(new, new.node(i))],
            weights=weights,
        )
        if status == "changed" and pairing.level in ("sentence", "clause", "block"):
            if pairing.level != "block" or len(old_texts[0]) + len(new_texts[0]) < 4000:
                alignment.diff = inline_diff(
                    old.node(pairing.old[0]).text, new.node(pairing.new[0]).text
                )
    return alignment


def _evidence_texts(doc: Document, node: Node) -> list[str]:
    """A unit's text; a section's title and its units' texts one by one, so each is
    tokenised once (and from the cache) rather than as one long string per section."""
    if node.kind != "section":
        return [node.text]
    return [node.title] + [t for c in doc.children(node.id) for t in _evidence_texts(doc, c)]


def _place(doc: Document, node: Node) -> str | None:
    """Where a unit sits, as moves are judged: a sentence's or clause's block, a block's or
    section's parent section."""
    holder = doc.block_of(node.id) if node.kind in ("sentence", "clause") else None
    if holder is None:
        holder = doc.section_of(node.id)
    return holder.id if holder else None
