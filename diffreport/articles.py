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
  recurs in many articles: see ``Aligner._stock``); a weak pair must share a word few
  articles use, and stand clear of the runner-up. Otherwise the reader is told nothing
  rather than something wrong: the articles stay new and dropped — unless a second look at
  the leftovers, between pairs already found, finds them, or they are most of a paired
  article (a split or merge part).

Every pair gets a confidence (:func:`confidence`) from its score and its margin over the
runner-up of both articles.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable

from .candidates import assign_sparse
from .similarity import TIE_BREAK, order_prior, position

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
# (align.Aligner._article_edges).
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


class Margins:
    """Each edge's score over the best other edge of its row or column (inf when none), as
    a mapping computed on lookup from the two best edges of every row and column."""

    def __init__(self, edges: dict[tuple[int, int], float]) -> None:
        self.edges = edges
        self.top_o: dict[int, list[tuple[float, int]]] = defaultdict(list)
        self.top_n: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for (i, j), s in edges.items():
            for top, k, other in ((self.top_o, i, j), (self.top_n, j, i)):
                lst = top[k]
                lst.append((s, other))
                if len(lst) > 2:
                    lst.sort(reverse=True)
                    del lst[2:]

    def __getitem__(self, edge: tuple[int, int]) -> float:
        i, j = edge
        runner = max(
            max((t for t, o in self.top_o[i] if o != j), default=0.0),
            max((t for t, o in self.top_n[j] if o != i), default=0.0),
        )
        s = self.edges[edge]
        return s / runner if runner > 0 else float("inf")


def backbone(edges: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """The anchors (clear mutual best pairs) that form the heaviest chain increasing in both
    documents, sorted."""
    best_o: dict[int, tuple[float, int]] = {}
    best_n: dict[int, tuple[float, int]] = {}
    for (i, j), s in edges.items():
        if s > best_o.get(i, (-1.0, 0))[0]:
            best_o[i] = (s, j)
        if s > best_n.get(j, (-1.0, 0))[0]:
            best_n[j] = (s, i)
    margin = Margins(edges)
    anchors = sorted(
        (i, j, s)
        for (i, j), s in edges.items()
        if s >= ANCHOR_SCORE
        and best_o[i][1] == j
        and best_n[j][1] == i
        and margin[(i, j)] >= ANCHOR_MARGIN
    )
    return heaviest_chain(anchors)


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
    anchors around i?"""
    olds = [i for i, _ in chain]
    news = [j for _, j in chain]

    def test(i: int, j: int) -> bool:
        k = bisect_left(olds, i)
        if k < len(olds) and olds[k] == i:
            return news[k] == j
        low = news[k - 1] if k > 0 else -1
        high = news[k] if k < len(news) else float("inf")
        return low < j < high

    return test


def pair_articles(
    edges: dict[tuple[int, int], float],
    n_old: int,
    n_new: int,
    same_chapter: Callable[[int, int], bool],
    shares_rare: Callable[[int, int], bool],
    distinctive: Callable[[int, int], bool],
) -> tuple[list[tuple[int, int, float, str]], list[tuple[int, str, int]]]:
    """The article pairs (old index, new index, score, confidence) among the scored
    candidate ``edges`` (see the module doc), and the parts of splits and merges
    (:func:`_parts`)."""
    if not edges:
        return [], []
    # Equal scores (repeated wording) resolve to the order-keeping choice whichever document
    # is old: a tiny convex prior on the positions, as the aligner's (symmetric).
    tied = {e: s + _tie_break(e[0], e[1], n_old, n_new) for e, s in edges.items()}
    chain = backbone(tied)
    keeps = in_order(chain)
    # What a reader would consider at all: pairs that keep the order of the backbone or stay
    # in paired chapters (a local reordering), and pairs alike enough to have moved far.
    admissible: dict[tuple[int, int], float] = {}
    bonus: dict[tuple[int, int], float] = {}
    for (i, j), s in edges.items():
        if s < ARTICLE_FLOOR:
            continue
        ordered, chapter = keeps(i, j), same_chapter(i, j)
        if ordered or chapter or s >= OUT_OF_ORDER:
            admissible[(i, j)] = s
            bonus[(i, j)] = ORDER_BONUS * ordered + CHAPTER_BONUS * chapter
    margin = Margins(admissible)
    ranked = {
        e: tied[e] + bonus[e]
        for e, s in admissible.items()
        if (s >= WEAK or (margin[e] >= WEAK_MARGIN and shares_rare(*e)))
        and (s >= HIGH or distinctive(*e))
    }
    found = assign_sparse(ranked, n_old)
    # A second look at what is left, as a reader goes through the articles still unmatched
    # between two that were: a weak pair is kept (with its low confidence) where it keeps the
    # order of the pairs found, shares a rare word and more than boilerplate, and stands
    # clear of the other leftovers.
    used_o, used_n = {i for i, _, _ in found}, {j for _, j, _ in found}
    keeps_found = in_order(heaviest_chain(sorted((i, j, tied[(i, j)]) for i, j, _ in found)))
    rest = {
        e: s
        for e, s in admissible.items()
        if e[0] not in used_o
        and e[1] not in used_n
        and (keeps_found(*e) or same_chapter(*e))
        and shares_rare(*e)
        and distinctive(*e)
    }
    rest_margin = Margins(rest)
    found += assign_sparse(
        {e: tied[e] + bonus[e] for e in rest if rest_margin[e] >= LEFTOVER_MARGIN}, n_old
    )
    out = []
    for i, j, _ in found:
        s = edges[(i, j)]
        out.append((i, j, s, confidence(s, margin[(i, j)])))
    return out, _parts(out, admissible, shares_rare, distinctive)


def _parts(
    found: list[tuple[int, int, float, str]],
    edges: dict[tuple[int, int], float],
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
    for (i, j), s in sorted(edges.items()):
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


def _tie_break(i: int, j: int, n_old: int, n_new: int) -> float:
    return order_prior(position(i, n_old), position(j, n_new), TIE_BREAK)
