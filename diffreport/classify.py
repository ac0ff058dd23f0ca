"""Classify pairings: status, evidence (shared / added / removed key terms), inline diffs.

Pure functions over the two documents and the aligner's pairings. :func:`pair_measures` runs
between the two: it pairs the clauses (measures) the aligner left new and dropped when they
are one measure reworded, moved to another block, or split into parts; :func:`rarity` weighs
words by how few measures use them, for that pairing and for the evidence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import Indel

from .align import Pairing
from .model import Document, Node
from .normalise import match_key
from .similarity import Vocabulary, containment, linear_sum_assignment, similarity_matrix
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
    vocab: dict[str, str] = {}
    enc_a = "".join(vocab.setdefault(t, chr(0x10000 + len(vocab))) for t in a)
    enc_b = "".join(vocab.setdefault(t, chr(0x10000 + len(vocab))) for t in b)
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
    ow = _key_terms([w for t in old_texts for w in content_words(t)])
    nw = _key_terms([w for t in new_texts for w in content_words(t)])
    oset, nset = set(ow), set(nw)
    if weights:
        # Rarest first: the named programme, place or figure, not the stock verb.
        def rank(ws: list[str]) -> list[str]:
            return [
                w
                for _, _, _, w in sorted(
                    (-weights.get(w, 0.0), -len(w), k, w) for k, w in enumerate(ws)
                )
            ]
    else:
        # Longer words first: `新质生产力` tells more than `推动`.
        def rank(ws: list[str]) -> list[str]:
            return [w for _, _, w in sorted((-len(w), k, w) for k, w in enumerate(ws))]

    return Evidence(
        shared=rank([w for w in nw if w in oset])[:limit],
        added=rank([w for w in nw if w not in oset])[:limit],
        removed=rank([w for w in ow if w not in nset])[:limit],
    )


# A lone clause is part of a split/merge when this share of its words lies in the other unit.
PART_CONTAINMENT = 0.7
# Measure pairing (see `pair_measures`): a reworded measure inside a paired block, and a
# measure that moved to another block, which must be more convincing.
MEASURE_THRESHOLD = 0.3
MEASURE_MOVE_THRESHOLD = 0.4
# Bonus per shared anchor, counted up to two. An anchor is a run of one to three whole words,
# four to six characters long, found in no other clause of either document: `天拖中学`,
# `西营门外小学`, `航运金融`. One anchor alone counts only if it holds a name (a word jieba's
# general-language IDF table lacks or finds rare), so `全力推动` does not tie two measures.
ANCHOR_BONUS = 0.15
# …and only for units that already share this much wording: anchors confirm, never decide.
ANCHOR_FLOOR = 0.2
_RARE_IDF = 11.0
_CJK = re.compile(r"^[\u3400-\u9fff]+$")


def _spans(text: str) -> set[str]:
    toks = display_tokens(text)
    out: set[str] = set()
    for i in range(len(toks)):
        run = ""
        for j in range(i, min(i + 3, len(toks))):
            if not _CJK.match(toks[j]):
                break
            run += toks[j]
            if 4 <= len(run) <= 6:
                out.add(run)
    return out


def _unique_spans(doc: Document) -> set[str]:
    seen: dict[str, int] = {}
    for clause in doc.of_kind("clause"):
        for g in _spans(clause.text):
            seen[g] = seen.get(g, 0) + 1
    return {g for g, k in seen.items() if k == 1}


def _regions(text: str, spans: list[str]) -> int:
    """How many separate places of ``text`` the spans cover: `西营门外` and `西营门外小学`
    are one anchor, `航运金融` and `航运科技` two."""
    intervals = sorted((text.find(g), text.find(g) + len(g)) for g in spans)
    count, end = 0, -1
    for start, stop in intervals:
        if start >= end:
            count += 1
        end = max(end, stop)
    return count


def _names_something(span: str, weights: dict[str, float], floor: float) -> bool:
    """Does ``span`` hold a name: a word rare in general language and used by few measures
    here (`天拖`, `西营门`; not the district's own name, which half the measures use)?"""
    from .tokens import _idf

    table, _ = _idf()
    return any(
        len(w) >= 2 and table.get(w, 99.0) >= _RARE_IDF and weights.get(w, floor) >= floor
        for w in display_tokens(span)
    )


def pair_measures(
    old: Document,
    new: Document,
    pairs: dict[str, list[Pairing]],
    weights: dict[str, float] | None = None,
) -> dict[str, list[Pairing]]:
    """Pair clauses the aligner left new and dropped when they are one measure reworded.

    The aligner pairs clauses within paired sentences, then across the document with a strict
    threshold; a measure whose sentence was rewritten around it falls through both. Here the
    leftovers are scored by word similarity blended with a rarity-weighted overlap (sharing
    `汾水道消防站` or `天津港集团` counts, sharing `推动` hardly does). Candidates are the
    leftovers of paired blocks (a pair is `changed`) and leftovers anywhere that share an
    anchor (a pair across blocks is `moved`), so the work grows with the leftovers of each
    block, not with their product over the document. Every node stays in exactly one pairing:
    a dropped and a new pairing become one.
    """
    level = "clause"
    plist = pairs.get(level, [])
    dropped = [p for p in plist if p.old and not p.new and len(p.old) == 1]
    added = [p for p in plist if p.new and not p.old and len(p.new) == 1]
    if not dropped or not added:
        return pairs
    weights = weights if weights is not None else rarity(old, new)
    block_links: dict[str, set[str]] = {}
    for p in pairs.get("block", []):
        for o in p.old:
            block_links.setdefault(o, set()).update(p.new)
    old_nodes = [old.node(p.old[0]) for p in dropped]
    new_nodes = [new.node(p.new[0]) for p in added]
    unique = _unique_spans(old) & _unique_spans(new)
    edges = _measure_edges(old, new, old_nodes, new_nodes, weights, pairs, unique)
    # Equal scores (repeated wording) resolve to the order-keeping choice whichever document
    # is old: a tiny squared-distance prior, as the aligner does.
    old_units, new_units = old.of_kind(level), new.of_kind(level)  # once: of_kind scans all
    po = {n.id: k / max(1, len(old_units)) for k, n in enumerate(old_units)}
    pn = {n.id: k / max(1, len(new_units)) for k, n in enumerate(new_units)}
    ranked = {
        (i, j): (s - 1e-4 * (po[old_nodes[i].id] - pn[new_nodes[j].id]) ** 2, moved)
        for (i, j), (s, moved) in edges.items()
    }
    used_old: set[int] = set()
    used_new: set[int] = set()
    made: list[Pairing] = []
    for i, j in _assign_sparse(ranked):
        used_old.add(i)
        used_new.add(j)
        score, moved = edges[(i, j)]
        made.append(
            Pairing(level, [old_nodes[i].id], [new_nodes[j].id], round(score, 4), moved=moved)
        )
    gone = {id(dropped[i]) for i in used_old} | {id(added[j]) for j in used_new}
    kept = [p for p in plist if id(p) not in gone] + made
    # What is still alone may be a part of a measure that was split or merged.
    left_new = [added[j] for j in range(len(added)) if j not in used_new]
    left_old = [dropped[i] for i in range(len(dropped)) if i not in used_old]
    parts = _attach_parts(old, new, kept, left_old, left_new, block_links)
    if not made and not parts:
        return pairs
    out = dict(pairs)
    out[level] = [p for p in kept if id(p) not in parts]
    return out


def _measure_edges(
    old: Document,
    new: Document,
    old_nodes: list[Node],
    new_nodes: list[Node],
    weights: dict[str, float],
    pairs: dict[str, list[Pairing]],
    unique: set[str],
) -> dict[tuple[int, int], tuple[float, bool]]:
    """Candidate pairs (old index, new index) → (score, moved) above their threshold."""
    by_old_block: dict[str | None, list[int]] = {}
    for i, n in enumerate(old_nodes):
        b = old.block_of(n.id)
        by_old_block.setdefault(b.id if b else None, []).append(i)
    by_new_block: dict[str | None, list[int]] = {}
    for j, n in enumerate(new_nodes):
        b = new.block_of(n.id)
        by_new_block.setdefault(b.id if b else None, []).append(j)
    edges: dict[tuple[int, int], tuple[float, bool]] = {}
    for p in pairs.get("block", []):
        rows = [i for b in p.old for i in by_old_block.get(b, [])]
        cols = [j for b in p.new for j in by_new_block.get(b, [])]
        if not rows or not cols:
            continue
        score, _ = _measure_scores(
            [old_nodes[i] for i in rows], [new_nodes[j] for j in cols], weights, unique
        )
        for r, c in zip(*np.nonzero(score >= MEASURE_THRESHOLD), strict=True):
            edges[(rows[r], cols[c])] = (float(score[r, c]), False)
    # Across blocks: only leftovers that share an anchor are worth scoring.
    where: dict[str, int] = {}
    for j, n in enumerate(new_nodes):
        for g in _spans(n.text) & unique:
            where[g] = j
    cross: set[tuple[int, int]] = set()
    for i, o in enumerate(old_nodes):
        for g in _spans(o.text) & unique:
            j = where.get(g)
            if j is not None and (i, j) not in edges:
                cross.add((i, j))
    for i, j in sorted(cross):
        score, _ = _measure_scores([old_nodes[i]], [new_nodes[j]], weights, unique)
        if score[0, 0] >= MEASURE_MOVE_THRESHOLD:
            edges[(i, j)] = (float(score[0, 0]), True)
    return edges


def _assign_sparse(edges: dict[tuple[int, int], tuple[float, bool]]) -> list[tuple[int, int]]:
    """Optimal one-to-one choice among candidate pairs, solved per connected component."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        parent[find(("o", i))] = find(("n", j))
    components: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for i, j in sorted(edges):
        components.setdefault(find(("o", i)), []).append((i, j))
    chosen: list[tuple[int, int]] = []
    for comp in components.values():
        rows = sorted({i for i, _ in comp})
        cols = sorted({j for _, j in comp})
        m = np.zeros((len(rows), len(cols)))
        ri = {i: k for k, i in enumerate(rows)}
        ci = {j: k for k, j in enumerate(cols)}
        for i, j in comp:
            m[ri[i], ci[j]] = edges[(i, j)][0]
        for r, c in zip(*linear_sum_assignment(-m), strict=True):
            if m[r, c] > 0:
                chosen.append((rows[r], cols[c]))
    return chosen


def _attach_parts(
    old: Document,
    new: Document,
    kept: list[Pairing],
    left_old: list[Pairing],
    left_new: list[Pairing],
    block_links: dict[str, set[str]],
) -> set[int]:
    """Join a lone clause to the 1:1 pairing in the same paired blocks whose other side holds
    most of its words (`做优高端医疗器械产业集群。` split from `…用好医工所…，发展高端医疗器械
    产业集群；`). Returns the ids of the lone pairings that were absorbed."""
    vocab = Vocabulary()
    profiles: dict[tuple[str, str], object] = {}

    def profile(side: str, doc: Document, node_id: str):
        key = (side, node_id)
        if key not in profiles:
            profiles[key] = vocab.profile(doc.node(node_id).text)
        return profiles[key]

    reverse_links: dict[str, set[str]] = {}
    for o, ns in block_links.items():
        for n in ns:
            reverse_links.setdefault(n, set()).add(o)
    by_old_block: dict[str, list[Pairing]] = {}
    by_new_block: dict[str, list[Pairing]] = {}
    for p in kept:
        if len(p.old) == 1 and len(p.new) == 1:
            ob, nb = old.block_of(p.old[0]), new.block_of(p.new[0])
            if ob:
                by_old_block.setdefault(ob.id, []).append(p)
            if nb:
                by_new_block.setdefault(nb.id, []).append(p)
    # All candidates first, then the best shares win: the same result whichever side is old.
    candidates: list[tuple[float, str, str, Pairing, Pairing, str]] = []
    for lone, side in [(p, "new") for p in left_new] + [(p, "old") for p in left_old]:
        doc, other, other_side = (new, old, "old") if side == "new" else (old, new, "new")
        node = doc.node((lone.new if side == "new" else lone.old)[0])
        prof = profile(side, doc, node.id)
        if len(prof.words) < 3:
            continue
        block = doc.block_of(node.id)
        if block is None:
            continue
        if side == "new":
            pool = [
                p
                for ob in sorted(reverse_links.get(block.id, ()))
                for p in by_old_block.get(ob, [])
            ]
        else:
            pool = [
                p for nb in sorted(block_links.get(block.id, ())) for p in by_new_block.get(nb, [])
            ]
        for p in pool:
            whole_id = p.old[0] if side == "new" else p.new[0]
            share = containment(prof, profile(other_side, other, whole_id))
            if share >= PART_CONTAINMENT:
                whole = other.node(whole_id).text
                candidates.append((share, node.text, whole, lone, p, side))
    absorbed: set[int] = set()
    grown: set[int] = set()
    for _, _, _, lone, p, side in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if id(lone) in absorbed or id(p) in grown:
            continue
        node_id = (lone.new if side == "new" else lone.old)[0]
        (p.new if side == "new" else p.old).append(node_id)
        absorbed.add(id(lone))
        grown.add(id(p))
    for p in kept:
        if len(p.old) > 1 or len(p.new) > 1:
            parts_doc, part_ids = (new, p.new) if len(p.new) > 1 else (old, p.old)
            sizes = {i: len(vocab.profile(parts_doc.node(i).text).words) or 1 for i in part_ids}
            total = sum(sizes.values())
            p.shares = {i: round(v / total, 3) for i, v in sizes.items()}
    return absorbed


def _measure_scores(
    old_nodes: list[Node],
    new_nodes: list[Node],
    weights: dict[str, float],
    unique: set[str],
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, anchors): word similarity blended with rarity-weighted overlap, plus the
    anchor bonus; anchors counts the places that hold (0 where none does)."""
    vocab = Vocabulary()
    sim = similarity_matrix(
        [vocab.profile(n.text) for n in old_nodes], [vocab.profile(n.text) for n in new_nodes]
    )
    index: dict[str, int] = {}
    old_sets = [set(content_words(n.text)) for n in old_nodes]
    new_sets = [set(content_words(n.text)) for n in new_nodes]
    for ws in old_sets + new_sets:
        for w in ws:
            index.setdefault(w, len(index))
    wvec = np.zeros(len(index))
    for w, i in index.items():
        wvec[i] = weights.get(w, 0.0)

    def matrix(sets: list[set[str]]) -> np.ndarray:
        m = np.zeros((len(sets), len(index)))
        for r, ws in enumerate(sets):
            m[r, [index[w] for w in ws]] = 1.0
        return m

    mo, mn = matrix(old_sets), matrix(new_sets)
    shared = (mo * wvec) @ mn.T
    total = (mo @ wvec)[:, None] + (mn @ wvec)[None, :]
    weighted = np.divide(2 * shared, total, out=np.zeros_like(shared), where=total > 0)
    anchors = np.zeros_like(weighted)
    # A name is used by at most ~10 measures: rarity at least that of a word in 10 clauses
    # (the rarest words, in one clause, weigh log(7) more).
    floor = max(weights.values(), default=0.0) - math.log(7)
    if unique:
        where: dict[str, int] = {}
        for j, n in enumerate(new_nodes):
            for g in _spans(n.text) & unique:
                where[g] = j
        found: dict[tuple[int, int], list[str]] = {}
        for i, o in enumerate(old_nodes):
            for g in _spans(o.text) & unique:
                if g in where:
                    found.setdefault((i, where[g]), []).append(g)
        for (i, j), spans in found.items():
            regions = min(_regions(old_nodes[i].text, spans), _regions(new_nodes[j].text, spans))
            if regions >= 2 or any(_names_something(g, weights, floor) for g in spans):
                anchors[i, j] = regions
    base = 0.5 * sim + 0.5 * weighted
    bonus = np.where(base >= ANCHOR_FLOOR, ANCHOR_BONUS * np.minimum(anchors, 2), 0.0)
    return base + bonus, anchors


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
