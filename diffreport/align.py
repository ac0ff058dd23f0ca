"""Align two documents level by level: sections, blocks, sentences, clauses.

At each level, units are first paired *within* parents that were paired at the level above
(a globally optimal assignment, ``scipy.optimize.linear_sum_assignment``, per parent pair);
what is left is then paired across the whole document, which is how content that moved to
another priority or section is found (``moved``). Finally one-to-many leftovers become
``split`` / ``merged`` groups. Every node of each side ends in exactly one :class:`Pairing`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from .model import LEVELS, Document, Kind, Node
from .similarity import Profile, Vocabulary, containment, similarity_matrix

# Minimum similarity for a pair, by level: containers share less wording than sentences.
THRESHOLDS: dict[str, float] = {"section": 0.12, "block": 0.12, "sentence": 0.4, "clause": 0.45}
# Cross-structure (moved) pairs must be more convincing than pairs within matched parents.
MOVE_THRESHOLDS: dict[str, float] = {"section": 0.3, "block": 0.3, "sentence": 0.55, "clause": 0.6}
# A leftover is part of a split/merge when this share of its words lies in the other unit.
PART_CONTAINMENT = 0.7
# Above this many candidate pairs the global pass only scores pairs that share a rare word.
DENSE_LIMIT = 250_000


@dataclass(slots=True)
class Pairing:
    level: Kind
    old: list[str]
    new: list[str]
    score: float | None
    moved: bool = False
    shares: dict[str, float] = field(default_factory=dict)  # split/merge: part id → share


@dataclass(slots=True)
class _Side:
    doc: Document
    profiles: dict[str, Profile]


def _subtree_text(doc: Document, node: Node) -> str:
    parts = [node.title or node.text] if node.kind == "section" else [node.text]
    if node.kind == "section":
        for child in doc.children(node.id):
            parts.append(_subtree_text(doc, child))
    return "\n".join(parts)


def _assign(score: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    if score.size == 0:
        return []
    rows, cols = linear_sum_assignment(-score)
    return [
        (int(r), int(c), float(score[r, c]))
        for r, c in zip(rows, cols, strict=True)
        if score[r, c] >= threshold
    ]


def _position_prior(n_old: int, n_new: int) -> np.ndarray:
    """A small bonus for keeping relative order: breaks ties between equally good pairs."""
    po = (np.arange(n_old) + 0.5) / max(1, n_old)
    pn = (np.arange(n_new) + 0.5) / max(1, n_new)
    return 0.02 * (1.0 - np.abs(po[:, None] - pn[None, :]))


class Aligner:
    def __init__(self, old: Document, new: Document, workers: int = 1) -> None:
        self.vocab = Vocabulary()
        self.workers = workers
        self.old = _Side(old, {})
        self.new = _Side(new, {})
        for side in (self.old, self.new):
            for node in side.doc.nodes:
                text = _subtree_text(side.doc, node) if node.kind == "section" else node.text
                side.profiles[node.id] = self.vocab.profile(text)
        self.pairs: dict[str, list[Pairing]] = {level: [] for level in LEVELS}
        # node id → ids on the other side in the same pairing (any level)
        self.linked_old: dict[str, set[str]] = {}
        self.linked_new: dict[str, set[str]] = {}

    def _link(self, pairing: Pairing) -> None:
        for o in pairing.old:
            self.linked_old.setdefault(o, set()).update(pairing.new)
        for n in pairing.new:
            self.linked_new.setdefault(n, set()).update(pairing.old)

    # -- one level ------------------------------------------------------------------------

    def _pair(
        self, level: Kind, olds: list[Node], news: list[Node], threshold: float, moved: bool
    ) -> None:
        if not olds or not news:
            return
        score = similarity_matrix(
            [self.old.profiles[n.id] for n in olds],
            [self.new.profiles[n.id] for n in news],
            self.workers,
        )
        if not moved:
            score = score + _position_prior(len(olds), len(news))
        for i, j, s in _assign(score, threshold):
            o, n = olds[i], news[j]
            pairing = Pairing(level, [o.id], [n.id], round(min(1.0, s), 4))
            self.pairs[level].append(pairing)
            self._link(pairing)

    def _pair_sparse(
        self, level: Kind, olds: list[Node], news: list[Node], threshold: float
    ) -> None:
        """Global pass for large leftovers: candidates share one of their rarer words."""
        index: dict[str, list[int]] = defaultdict(list)
        for j, n in enumerate(news):
            for w in set(self.new.profiles[n.id].words):
                index[w].append(j)
        limit = max(8, int(len(news) ** 0.5))
        edges: dict[tuple[int, int], float] = {}
        from .similarity import similarity

        for i, o in enumerate(olds):
            po = self.old.profiles[o.id]
            cands: set[int] = set()
            for w in set(po.words):
                hits = index.get(w, ())
                if 0 < len(hits) <= limit:
                    cands.update(hits)
            for j in cands:
                s = similarity(po, self.new.profiles[news[j].id])
                if s >= threshold:
                    edges[(i, j)] = s
        # Greedy by score on a sparse graph: optimal assignment needs the dense matrix.
        used_o: set[int] = set()
        used_n: set[int] = set()
        for (i, j), s in sorted(edges.items(), key=lambda kv: -kv[1]):
            if i in used_o or j in used_n:
                continue
            used_o.add(i)
            used_n.add(j)
            o, n = olds[i], news[j]
            pairing = Pairing(level, [o.id], [n.id], round(min(1.0, s), 4))
            self.pairs[level].append(pairing)
            self._link(pairing)

    def _within_parents(
        self, level: Kind, olds_all: list[Node], news_all: list[Node], parent_level: Kind
    ) -> None:
        """Pair units whose parents were paired (the root pairs with the root)."""
        old_doc, new_doc = self.old.doc, self.new.doc
        by_parent_old: dict[str | None, list[Node]] = defaultdict(list)
        for n in olds_all:
            by_parent_old[self._parent_of(old_doc, n)].append(n)
        by_parent_new: dict[str | None, list[Node]] = defaultdict(list)
        for n in news_all:
            by_parent_new[self._parent_of(new_doc, n)].append(n)
        groups = [([None], [None])] + [
            (p.old, p.new) for p in self.pairs[parent_level] if p.old and p.new
        ]
        for parent_olds, parent_news in groups:
            olds = [
                n
                for pid in parent_olds
                for n in by_parent_old.get(pid, [])
                if n.id not in self.linked_old
            ]
            news = [
                n
                for pid in parent_news
                for n in by_parent_new.get(pid, [])
                if n.id not in self.linked_new
            ]
            self._pair(level, olds, news, THRESHOLDS[level], moved=False)

    def align_level(self, level: Kind) -> None:
        olds_all = self.old.doc.of_kind(level)
        news_all = self.new.doc.of_kind(level)
        if level == "section":
            # Sections nest: pair them depth by depth, each within its paired parents.
            for depth in range(1, 1 + max((n.depth for n in olds_all + news_all), default=0)):
                olds = [n for n in olds_all if n.depth == depth]
                news = [n for n in news_all if n.depth == depth]
                self._within_parents(level, olds, news, "section")
        else:
            parent_level = LEVELS[LEVELS.index(level) - 1]
            self._within_parents(level, olds_all, news_all, parent_level)
        # Across the document: what moved to another parent.
        left_old = [n for n in olds_all if n.id not in self.linked_old]
        left_new = [n for n in news_all if n.id not in self.linked_new]
        if left_old and left_new:
            before = len(self.pairs[level])
            if len(left_old) * len(left_new) <= DENSE_LIMIT:
                self._pair(level, left_old, left_new, MOVE_THRESHOLDS[level], moved=True)
            else:
                self._pair_sparse(level, left_old, left_new, MOVE_THRESHOLDS[level])
            for p in self.pairs[level][before:]:
                p.moved = self._parents_differ(p.old[0], p.new[0])
        self._group_parts(level)
        # Nothing lost: what is still unpaired is new or dropped.
        for n in olds_all:
            if n.id not in self.linked_old:
                self.pairs[level].append(Pairing(level, [n.id], [], None))
        for n in news_all:
            if n.id not in self.linked_new:
                self.pairs[level].append(Pairing(level, [], [n.id], None))

    def _parent_of(self, doc: Document, node: Node) -> str | None:
        """The nearest ancestor one level up the hierarchy (a block's section, a sentence's block)."""
        if node.kind == "section":
            return node.parent
        want = {"block": "section", "sentence": "block", "clause": "sentence"}[node.kind]
        for anc in doc.ancestors(node.id):
            if anc.kind == want:
                return anc.id
        return None

    def _parents_differ(self, old_id: str, new_id: str) -> bool:
        """Moved: a block to another section, a sentence or clause to another block."""
        old_node, new_node = self.old.doc.node(old_id), self.new.doc.node(new_id)
        if old_node.kind in ("sentence", "clause"):
            ob, nb = self.old.doc.block_of(old_id), self.new.doc.block_of(new_id)
            op, np_ = (ob.id if ob else None), (nb.id if nb else None)
        else:
            op = self._parent_of(self.old.doc, old_node)
            np_ = self._parent_of(self.new.doc, new_node)
        if op is None and np_ is None:
            return False
        return op is None or np_ is None or np_ not in self.linked_old.get(op, ())

    def _group_parts(self, level: Kind) -> None:
        """Attach leftovers whose words lie mostly inside a paired unit: splits and merges."""
        left_new = [n for n in self.new.doc.of_kind(level) if n.id not in self.linked_new]
        left_old = [n for n in self.old.doc.of_kind(level) if n.id not in self.linked_old]
        by_old = {p.old[0]: p for p in self.pairs[level] if len(p.old) == 1 and len(p.new) == 1}
        by_new = {p.new[0]: p for p in self.pairs[level] if len(p.old) == 1 and len(p.new) == 1}
        for node in left_new:
            prof = self.new.profiles[node.id]
            if len(prof.words) < 3:
                continue
            best = max(
                by_old, key=lambda oid: containment(prof, self.old.profiles[oid]), default=None
            )
            if best and containment(prof, self.old.profiles[best]) >= PART_CONTAINMENT:
                pairing = by_old[best]
                if len(pairing.old) == 1:
                    pairing.new.append(node.id)
                    self._link(pairing)
        for node in left_old:
            prof = self.old.profiles[node.id]
            if len(prof.words) < 3:
                continue
            best = max(
                by_new, key=lambda nid: containment(prof, self.new.profiles[nid]), default=None
            )
            if best and containment(prof, self.new.profiles[best]) >= PART_CONTAINMENT:
                pairing = by_new[best]
                if len(pairing.new) == 1:
                    pairing.old.append(node.id)
                    self._link(pairing)
        for pairing in self.pairs[level]:
            if len(pairing.old) > 1 or len(pairing.new) > 1:
                whole_side, part_side = (
                    (self.old, self.new) if len(pairing.new) > 1 else (self.new, self.old)
                )
                whole_ids, part_ids = (
                    (pairing.old, pairing.new)
                    if len(pairing.new) > 1
                    else (pairing.new, pairing.old)
                )
                whole = whole_side.profiles[whole_ids[0]]
                covered = {
                    pid: containment(part_side.profiles[pid], whole)
                    * len(part_side.profiles[pid].words)
                    for pid in part_ids
                }
                total = sum(covered.values()) or 1.0
                pairing.shares = {pid: round(v / total, 3) for pid, v in covered.items()}

    def run(self) -> dict[str, list[Pairing]]:
        for level in LEVELS:
            self.align_level(level)
        return self.pairs


def align_documents(old: Document, new: Document, workers: int = 1) -> dict[str, list[Pairing]]:
    """Pair the units of two documents at every level. Pure: no I/O, no global state."""
    return Aligner(old, new, workers).run()
