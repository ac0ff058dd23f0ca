"""Pairing the articles of two versions of a statute, as a lawyer reads a rewrite.

Articles are paired over the whole document at once, not chapter by chapter: in a full
rewrite chapters are split, merged and renamed, and articles move between them. The evidence
a reader uses, in order:

* **wording** — the aligner's word similarity, and the lead sentence (what the article is
  about: `文职人员的培训，分为……` stays the lead however the list after it changes) and a
  liability article's condition (`未办理河道采砂许可证，擅自在长江采砂的，`: the offence, where
  the authority and sanctions after it recur in every such article);
* **order** — articles keep their relative order far more often than not. Clear pairs
  (anchors) form a backbone, the heaviest chain that keeps order in both documents; a pair
  that breaks that order must be much more alike than one that keeps it;
* **chapters** — a pair under related chapters (paired, or sharing a title word) is
  preferred, and may break the backbone's order (a local reordering);
* **rare words** — a pair must share more than boilerplate (`按照国家和军队有关规定执行`
  recurs in many articles: see ``wordstats.WordStats.stock``); a weak pair must share a word few
  articles use, and stand clear of the runner-up. Otherwise the reader is told nothing
  rather than something wrong: the articles stay new and dropped — unless a second look at
  the leftovers, between pairs already found, finds them, or they are most of a paired
  article (a split or merge part).

Every pair gets a confidence (:func:`confidence`) from its score and its margin over the
runner-up of both articles. :class:`Statutes` gathers the wording and chapter evidence from
the aligner's two sides; the functions above it decide on indices and scores alone.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from .candidates import assign_sparse
from .model import Node
from .scores import DENSE_COST, DENSE_LIMIT, by_pair, sparse_edges, unique_twins
from .sides import Side
from .similarity import (
    TIE_BREAK,
    Profile,
    Vocabulary,
    cost,
    order_prior,
    position,
    similarity,
    similarity_matrix,
)
from .tokens import content_words
from .wordstats import WordStats

# Anchors of the order backbone: mutual best pairs at least this alike, and at least
# ANCHOR_MARGIN times their runners-up (an article that two others resemble equally
# anchors nothing).
ANCHOR_SCORE = 0.45
ANCHOR_MARGIN = 1.2
# Bonus for a pair that keeps the backbone's order, and for one under paired chapters: enough
# to choose between two similar candidates, never enough to make a pair out of nothing.
ORDER_BONUS = 0.06
CHAPTER_BONUS = 0.03
# No article pair below this: two articles that share a fifth of their words or less were
# rewritten beyond recognition, or are different articles on the same subject.
ARTICLE_FLOOR = 0.2
# A pair that breaks the backbone's order (an article moved far) must be this alike.
OUT_OF_ORDER = 0.45
# Below this a pair must share a rare word and stand WEAK_MARGIN clear of the runner-up.
WEAK = 0.35
WEAK_MARGIN = 1.2
# A leftover article is part of a split or merge of a paired one at least this alike.
PART_SCORE = WEAK
# ... and holds at least this share of its words.
PART_WHOLE = 0.5
# Among the articles left over, a weak pair must beat the other leftovers' by this much.
LEFTOVER_MARGIN = 1.1
# A lead sentence's similarity, discounted by this, stands for its article's when it is higher
# (:meth:`Statutes.edges`).
LEAD_WEIGHT = 0.8
# Confidence: `high` needs SURE, or HIGH and HIGH_MARGIN; `medium` MEDIUM and WEAK_MARGIN, or
# CLEAR_MARGIN alone (a weak pair nothing else comes near); else `low`.
SURE = 0.9
HIGH = 0.6
HIGH_MARGIN = 1.5
MEDIUM = WEAK
CLEAR_MARGIN = 2.0
# A margin this large decides confidence as no runner-up at all would (the largest above).
DECISIVE_MARGIN = max(HIGH_MARGIN, WEAK_MARGIN, CLEAR_MARGIN)


def confidence(score: float, margin: float) -> str:
    """`high`, `medium` or `low` from a pair's score and its margin over the runner-up."""
    if score >= SURE or (score >= HIGH and margin >= HIGH_MARGIN):
        return "high"
    if (score >= MEDIUM and margin >= WEAK_MARGIN) or margin >= CLEAR_MARGIN:
        return "medium"
    return "low"


def top_two(units: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``n`` units, the largest and the second largest of the ``scores`` of its
    edges (``units[k]`` holds edge k), 0.0 where it has none."""
    order = np.lexsort((-scores, units))
    return top_two_ordered(units[order], scores[order], n)


def top_two_ordered(unit: np.ndarray, score: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_two` of edges given in order of their units, each unit's best first."""
    best, second = np.zeros(n), np.zeros(n)
    if not len(unit):
        return best, second
    starts = np.flatnonzero(np.concatenate(([True], unit[1:] != unit[:-1])))
    best[unit[starts]] = score[starts]
    nxt = starts + 1
    nxt = nxt[nxt < len(unit)]
    nxt = nxt[unit[nxt] == unit[nxt - 1]]
    second[unit[nxt]] = score[nxt]
    return best, second


def order_kept(order: np.ndarray, stay: np.ndarray) -> np.ndarray:
    """Edges ordered by ``order`` (a permutation of their places), once those where
    ``stay`` is false are taken out: the same order of the others, as places among them
    (``np.lexsort`` of what stays, without sorting again)."""
    place = np.cumsum(stay) - 1  # (an edge that stays: its place among those)
    return place[order[stay[order]]]


def _runner_ups(units: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """For each edge (``units[k]`` holds edge k), the best score of the other edges of its
    unit, 0.0 when it has none: the unit's best score if the edge's is below it, else its
    second best (equal to the best on a tie)."""
    best, second = top_two(units, scores, n)
    top = best[units]
    return np.where(scores < top, top, second[units])


def margins(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Each edge's score over the best other edge of its row or column (inf when none)."""
    if not len(scores):
        return np.zeros(0)
    runner = np.maximum(
        _runner_ups(rows, scores, int(rows.max()) + 1),
        _runner_ups(cols, scores, int(cols.max()) + 1),
    )
    out = np.full(len(scores), np.inf)
    np.divide(scores, runner, out=out, where=runner > 0)
    return out


def backbone(
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    known: list[tuple[int, int, float]] | None = None,
) -> list[tuple[int, int]]:
    """The anchors (clear mutual best pairs) that form the heaviest chain increasing in both
    documents, sorted; edge k is (``rows[k]``, ``cols[k]``) scoring ``scores[k]``, and of
    equal best scores of a row or column the first edge is its best. ``known``: anchors
    known without the edges, (old, new, score), of articles no edge has."""
    if not len(scores):
        return heaviest_chain(sorted(known or []))
    first = np.arange(len(scores))
    mutual = np.ones(len(scores), dtype=bool)
    for units in (rows, cols):
        order = np.lexsort((first, -scores, units))
        unit = units[order]
        starts = order[np.concatenate(([True], unit[1:] != unit[:-1]))]
        best = np.zeros(len(scores), dtype=bool)
        best[starts] = True
        mutual &= best
    clear = mutual & (scores >= ANCHOR_SCORE)
    clear[clear] = margins(rows, cols, scores)[clear] >= ANCHOR_MARGIN
    at = np.flatnonzero(clear)
    anchors = [*zip(rows[at].tolist(), cols[at].tolist(), scores[at].tolist(), strict=True)]
    return heaviest_chain(sorted(anchors + (known or [])))


def heaviest_chain(items: list[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """The subset of (i, j, weight), sorted by i, strictly increasing in i and j with the
    largest total weight (O(k log k): a running maximum over j with a Fenwick tree)."""
    if not items:
        return []
    js = sorted({j for _, j, _ in items})
    rank = {j: r + 1 for r, j in enumerate(js)}
    size = len(js)
    tree_val = [0.0] * (size + 1)
    tree_arg = [-1] * (size + 1)

    def query(r: int) -> tuple[float, int]:
        best, arg = 0.0, -1
        while r > 0:
            if tree_val[r] > best:
                best, arg = tree_val[r], tree_arg[r]
            r -= r & -r
        return best, arg

    def update(r: int, val: float, arg: int) -> None:
        while r <= size:
            if val > tree_val[r]:
                tree_val[r], tree_arg[r] = val, arg
            r += r & -r

    total = [0.0] * len(items)
    prev = [-1] * len(items)
    k = 0
    while k < len(items):
        # items with the same i cannot follow one another: query all before updating any
        end = k
        while end < len(items) and items[end][0] == items[k][0]:
            end += 1
        same = range(k, end)
        for m in same:
            best, arg = query(rank[items[m][1]] - 1)
            total[m], prev[m] = best + items[m][2], arg
        for m in same:
            update(rank[items[m][1]], total[m], m)
        k = same[-1] + 1
    end = max(range(len(items)), key=total.__getitem__)
    chain = []
    while end >= 0:
        chain.append((items[end][0], items[end][1]))
        end = prev[end]
    return chain[::-1]


def in_order(chain: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Does the pair (i, j) keep the order of ``chain``: j lies between the partners of the
    anchors around i? (:func:`keeps_order` for one pair.)"""

    def test(i: int, j: int) -> bool:
        return bool(keeps_order(chain, np.array([i]), np.array([j]))[0])

    return test


def pair_articles(
    edges: dict[tuple[int, int], float],
    n_old: int,
    n_new: int,
    same_chapter: Callable[[int, int], bool],
    shares_rare: Callable[[int, int], bool],
    distinctive: Callable[[int, int], bool],
    twins: dict[int, int] | None = None,
) -> tuple[list[tuple[int, int, float, str]], list[tuple[int, str, int]]]:
    """The article pairs (old index, new index, score, confidence) among the scored
    candidate ``edges`` (see the module doc), and the parts of splits and merges
    (:func:`_parts`). ``twins``: old → new index of the articles whose wording occurs once
    on each side (:meth:`Statutes.edges`; ``edges`` holds none of their articles). Each pairs
    as an edge of score 1, the only edge of both its articles, would, placed before the
    others: an anchor nothing comes near, paired first with a high confidence; so the
    twins count only in the order the other pairs keep, and are not scored again with
    them (most articles of a large statute are unchanged)."""
    twins = twins or {}
    if not edges and not twins:
        return [], []
    keys = list(edges)
    rows = np.array([i for i, _ in keys], dtype=np.int64)
    cols = np.array([j for _, j in keys], dtype=np.int64)
    scores = np.array(list(edges.values()), dtype=np.float64)
    # Equal scores (repeated wording) resolve to the order-keeping choice whichever document
    # is old: a tiny convex prior on the positions, as the aligner's (symmetric). In Python
    # floats, as order_prior computes it on floats: numpy squares where Python calls pow(),
    # and the two differ in the last bit about once in a thousand.
    pos_o = [position(i, n_old) for i in range(n_old)]  # (each position once, not per edge)
    pos_n = [position(j, n_new) for j in range(n_new)]
    tied_list = [s + order_prior(pos_o[i], pos_n[j], TIE_BREAK) for (i, j), s in edges.items()]
    tied = np.array(tied_list, dtype=np.float64)
    twin_tied = [(i, j, 1.0 + order_prior(pos_o[i], pos_n[j], TIE_BREAK)) for i, j in twins.items()]
    chain = backbone(rows, cols, tied, twin_tied)
    # What a reader would consider at all: pairs that keep the order of the backbone or stay
    # in paired chapters (a local reordering), and pairs alike enough to have moved far.
    ordered = keeps_order(chain, rows, cols)
    floor = scores >= ARTICLE_FLOOR
    chapter = np.zeros(len(keys), dtype=bool)
    chapter[floor] = [
        same_chapter(i, j) for i, j in zip(rows[floor].tolist(), cols[floor].tolist(), strict=True)
    ]
    admit = np.flatnonzero(floor & (ordered | chapter | (scores >= OUT_OF_ORDER)))
    a_rows, a_cols, a_scores = rows[admit], cols[admit], scores[admit]
    # The bonus of keeping the order and of the chapter, on the tied score.
    a_ranked = (
        tied[admit] + (ORDER_BONUS * ordered[admit] + CHAPTER_BONUS * chapter[admit])
    ).tolist()
    a_margin = margins(a_rows, a_cols, a_scores)
    a_keys = [keys[k] for k in admit.tolist()]
    a_list = a_scores.tolist()
    strong = a_scores >= WEAK
    maybe = strong | (a_margin >= WEAK_MARGIN)
    sure = a_scores >= HIGH
    ranked = {}
    for k in np.flatnonzero(maybe).tolist():
        e = a_keys[k]
        if (strong[k] or shares_rare(*e)) and (sure[k] or distinctive(*e)):
            ranked[e] = a_ranked[k]
    found = [(i, j, 1.0) for i, j in twins.items()] + assign_sparse(ranked, n_old)
    # A second look at what is left, as a reader goes through the articles still unmatched
    # between two that were: a weak pair is kept (with its low confidence) where it keeps the
    # order of the pairs found, shares a rare word and more than boilerplate, and stands
    # clear of the other leftovers.
    used_o = np.zeros(n_old, dtype=bool)
    used_n = np.zeros(n_new, dtype=bool)
    used_o[[i for i, _, _ in found]] = True
    used_n[[j for _, j, _ in found]] = True
    tied_of = dict(zip(keys, tied_list, strict=True))
    tied_of.update({(i, j): t for i, j, t in twin_tied})
    chain_found = heaviest_chain(sorted((i, j, tied_of[(i, j)]) for i, j, _ in found))
    free = np.flatnonzero(~used_o[a_rows] & ~used_n[a_cols])
    keeps_found = keeps_order(chain_found, a_rows[free], a_cols[free])
    rest_at = [
        k
        for k, keep in zip(free.tolist(), keeps_found.tolist(), strict=True)
        if (keep or same_chapter(*a_keys[k]))
        and shares_rare(*a_keys[k])
        and distinctive(*a_keys[k])
    ]
    at = np.array(rest_at, dtype=np.int64)
    rest_margin = margins(a_rows[at], a_cols[at], a_scores[at]).tolist()
    found += assign_sparse(
        {
            a_keys[k]: a_ranked[k]
            for k, m in zip(rest_at, rest_margin, strict=True)
            if m >= LEFTOVER_MARGIN
        },
        n_old,
    )
    margin_of = dict(zip(a_keys, a_margin.tolist(), strict=True))
    out = [(i, j, 1.0, confidence(1.0, math.inf)) for i, j in twins.items()]
    for i, j, _ in found[len(twins) :]:
        s = edges[(i, j)]
        out.append((i, j, s, confidence(s, margin_of[(i, j)])))
    parts = np.flatnonzero(a_scores >= PART_SCORE).tolist()
    return out, _parts(out, [(a_keys[k], a_list[k]) for k in parts], shares_rare, distinctive)


def keeps_order(chain: list[tuple[int, int]], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """:func:`in_order` of ``chain`` for every pair (``rows[k]``, ``cols[k]``) at once."""
    if not chain:
        return np.ones(len(rows), dtype=bool)
    olds = np.array([i for i, _ in chain], dtype=np.int64)
    news = np.array([j for _, j in chain], dtype=np.int64)
    k = np.searchsorted(olds, rows)
    at = np.minimum(k, len(olds) - 1)
    anchored = (k < len(olds)) & (olds[at] == rows)
    low = np.where(k > 0, news[np.maximum(k - 1, 0)], -1)
    high = np.where(k < len(news), news[at], np.iinfo(np.int64).max)
    return np.where(anchored, news[at] == cols, (low < cols) & (cols < high))


def _parts(
    found: list[tuple[int, int, float, str]],
    edges: list[tuple[tuple[int, int], float]],
    shares_rare: Callable[[int, int], bool],
    distinctive: Callable[[int, int], bool],
) -> list[tuple[int, str, int]]:
    """Articles left over that are part of a split or merge: (index in ``found``, the side
    of the part, its index). A leftover joins the paired article it is most like when the
    two share distinctive content and a rare word, score at least :data:`PART_SCORE`, and
    keep the order or the chapter. A pair takes parts from one side only: the side whose
    best part is the more alike."""
    pair_of_old = {i: k for k, (i, _, _, _) in enumerate(found)}
    pair_of_new = {j: k for k, (_, j, _, _) in enumerate(found)}
    best: dict[tuple[str, int], tuple[float, int]] = {}
    for (i, j), s in sorted(edges):
        if s < PART_SCORE:
            continue
        if i not in pair_of_old and j in pair_of_new:
            key, k = ("old", i), pair_of_new[j]
        elif j not in pair_of_new and i in pair_of_old:
            key, k = ("new", j), pair_of_old[i]
        else:
            continue
        if s > best.get(key, (0.0, -1))[0] and shares_rare(i, j) and distinctive(i, j):
            best[key] = (s, k)
    by_pair: dict[int, dict[str, list[tuple[float, int]]]] = defaultdict(
        lambda: {"old": [], "new": []}
    )
    for (side, idx), (s, k) in best.items():
        by_pair[k][side].append((s, idx))
    out = []
    for k, sides in sorted(by_pair.items()):
        if sides["old"] and sides["new"]:
            top_o, top_n = max(sides["old"])[0], max(sides["new"])[0]
            if top_o == top_n:
                continue
            sides["new" if top_o > top_n else "old"] = []
        out.extend((k, side, idx) for side in ("old", "new") for _, idx in sorted(sides[side]))
    return out


# The condition opening a statute's sentence: everything up to the first `的，` (a
# nominalised clause: `……擅自在长江采砂的，由……`).
_CONDITION = re.compile(r"^(.+?的)[，,]")


class Statutes:
    """The evidence the articles of two statutes (the aligner's sides) are paired on, besides
    order: each candidate pair's wording, lead sentence and condition (:meth:`edges`), and
    which chapters may hold corresponding articles (:meth:`related_chapters`)."""

    def __init__(
        self, old: Side, new: Side, stats: WordStats, vocab: Vocabulary, workers: int | None
    ) -> None:
        self.old, self.new = old, new
        self._stats, self._vocab, self._workers = stats, vocab, workers

    def related_chapters(
        self, olds: set[str | None], news: set[str | None], linked_old: dict[str, set[str]]
    ) -> set[tuple[str | None, str | None]]:
        """Chapter pairs whose articles may correspond: paired chapters, and chapters one of
        whose titles holds all the other's words (`培训和考核` split into `培训` and `考核`;
        `岗位等级调整` and `岗位设置与级别` share a word but neither is part of the other).
        ``linked_old``: old section id → the new ones paired with it."""
        # One map per document: the two documents' section ids (`s1`, `s2` …) coincide.
        old_words, new_words = (
            {
                sec: set(content_words(doc.node(sec).title or doc.node(sec).text))
                for sec in secs
                if sec is not None
            }
            for doc, secs in ((self.old.doc, olds), (self.new.doc, news))
        )
        related = {(o, n) for o in old_words for n in linked_old.get(o, ()) if n in new_words}
        # Titles within one another, looked up by word (not every pair of hundreds of
        # chapters): the titles holding all of a title's words hold its first one.
        for words, other, flip in ((old_words, new_words, False), (new_words, old_words, True)):
            holding: dict[str, set[str]] = defaultdict(set)
            for sec, ws in other.items():
                for w in ws:
                    holding[w].add(sec)
            for sec, ws in words.items():
                if not ws:
                    continue
                first, *rest = ws
                found = holding.get(first, set()).intersection(*(holding.get(w, ()) for w in rest))
                related.update((f, sec) if flip else (sec, f) for f in found)
        return related

    def edges(
        self, olds: list[Node], news: list[Node], old_p: list[Profile], new_p: list[Profile]
    ) -> tuple[dict[int, int], dict[tuple[int, int], float]]:
        """The twins and the scores of the other article pairs worth considering: an article
        whose wording occurs once on each side pairs with its twin (score 1, nothing else
        considered for either; old → new index, as :func:`pair_articles` takes them); of the
        rest, all pairs of a group small enough to score in full, else the candidates sharing
        rare words (or the same wording)."""
        twins = unique_twins(old_p, new_p)
        if twins:
            rest_o = [i for i in range(len(olds)) if i not in twins]
            taken = set(twins.values())
            rest_n = [j for j in range(len(news)) if j not in taken]
            out: dict[tuple[int, int], float] = {}
            if rest_o and rest_n:
                sub_twins, sub = self.edges(
                    [olds[i] for i in rest_o],
                    [news[j] for j in rest_n],
                    [old_p[i] for i in rest_o],
                    [new_p[j] for j in rest_n],
                )
                twins.update({rest_o[i]: rest_n[j] for i, j in sub_twins.items()})
                out = {(rest_o[i], rest_n[j]): sc for (i, j), sc in sub.items()}
            return twins, out
        floor = ARTICLE_FLOOR
        if len(olds) * len(news) <= DENSE_LIMIT and cost(old_p, new_p) <= DENSE_COST:
            lead_o = [self._lead(self.old, n) for n in olds]
            lead_n = [self._lead(self.new, n) for n in news]
            whole = similarity_matrix(old_p, new_p, self._workers)
            lead = LEAD_WEIGHT * similarity_matrix(lead_o, lead_n, self._workers)
            edges = {
                (int(i), int(j)): float(whole[i, j])
                for i, j in zip(*np.nonzero(np.maximum(whole, lead) >= floor), strict=True)
            }
            leads = {e: float(lead[e]) for e in edges}
        else:
            # Thousands of articles (a code, a compilation): candidates from rare words, scored
            # on their whole wording only (leads would double the cost for few changes).
            return {}, by_pair(sparse_edges(old_p, new_p, floor, moved=True))
        # The lead sentence says what an article is about: it counts where it says more than
        # the whole article does, unless all the two leads share is boilerplate.
        # A liability article's condition (`违反本条例规定，未办理河道采砂许可证，擅自在长江采砂
        # 的，`) names its offence: the authority, sanctions and `构成犯罪的` after it recur in
        # every such article, so the condition tells a family of articles apart when the
        # whole wording cannot.
        cond_o = [self._condition(self.old, n) for n in olds]
        cond_n = [self._condition(self.new, n) for n in news]
        out = {}
        for (i, j), s in edges.items():
            lead_score = leads[(i, j)]
            if lead_score > s and self._stats.distinctive_beyond_topic(lead_o[i], lead_n[j]):
                s = lead_score
            co, cn = cond_o[i], cond_n[j]
            if co is not None and cn is not None:
                cond_score = LEAD_WEIGHT * similarity(co, cn)
                if cond_score > s and self._stats.distinctive_beyond_topic(co, cn):
                    s = cond_score
            if s >= floor:
                out[(i, j)] = s
        return {}, out

    def _condition(self, side: Side, block: Node) -> Profile | None:
        """The condition that opens a block's lead sentence (its text up to the first `的，`),
        or None."""
        kids = side.doc.children(block.id, "sentence")
        text = kids[0].text if kids else block.text
        m = _CONDITION.match(text)
        return self._vocab.profile(m.group(1)) if m else None

    def _lead(self, side: Side, block: Node) -> Profile:
        """A block's lead sentence (its first), or the block itself."""
        kids = side.doc.children(block.id, "sentence")
        return side.profiles[kids[0].id] if kids else side.profiles[block.id]
