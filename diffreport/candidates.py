"""Pairing a large group without its n × m matrix: which pairs to score, and the optimal
one-to-one assignment over what was scored.

:func:`candidates` proposes the pairs worth scoring — units with the same wording, and units
that share some of their rarest words (an inverted index); :func:`assign` is the optimal
assignment over a scored matrix, :func:`assign_sparse` over a sparse graph of scored pairs,
solved per connected component (optimal for the graph as a whole).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from itertools import chain

import numpy as np

from .similarity import Profile, linear_sum_assignment

# Each unit looks up its KEY_WORDS rarest words and keeps the CANDIDATES units that share the
# most (rarity-weighted) of them, in both directions.
KEY_WORDS = 6
CANDIDATES = 12
# A connected component larger than this many cells is thinned to each unit's best edges.
COMPONENT_LIMIT = 1_000_000


def candidates(old: list[Profile], new: list[Profile]) -> set[tuple[int, int]]:
    """Pairs worth scoring among ``old`` × ``new`` without looking at them all: units with the
    same wording, and units that share some of their rarest words (an inverted index over the
    words each unit has fewest companions for; each unit keeps the :data:`CANDIDATES` units
    with the largest rarity-weighted overlap, looked up from both sides)."""
    old_sets = [set(p.ordered) for p in old]
    new_sets = [set(p.ordered) for p in new]
    df = Counter(chain.from_iterable(old_sets + new_sets))
    # Rarest first (ties: by code, not by hash), as one rank per word: sorting each unit's
    # words by it needs no key tuples.
    rank = {c: r for r, c in enumerate(sorted(df, key=lambda c: (df[c], c)))}
    out: set[tuple[int, int]] = set()
    same: dict[str, list[int]] = defaultdict(list)
    for j, p in enumerate(new):
        if p.ordered:
            same[p.ordered].append(j)
    for i, p in enumerate(old):
        for j in same.get(p.ordered, ())[:CANDIDATES]:
            out.add((i, j))
    sides = ((old, old_sets, new_sets), False), ((new, new_sets, old_sets), True)
    for (a_units, a_sets, b_sets), flip in sides:
        postings: dict[str, list[int]] = defaultdict(list)
        for j, s in enumerate(b_sets):
            for c in s:
                postings[c].append(j)
        # Units with the same words get the same candidates: long documents repeat clauses.
        found: dict[str, list[int]] = {}
        for i, s in enumerate(a_sets):
            best = found.get(a_units[i].ordered)
            if best is None:
                best = found[a_units[i].ordered] = _best_candidates(s, postings, rank, df)
            out.update((j, i) if flip else (i, j) for j in best)
    return out


def _best_candidates(
    words: set[str], postings: dict[str, list[int]], rank: dict[str, int], df: Counter[str]
) -> list[int]:
    """The :data:`CANDIDATES` units sharing most (rarity-weighted) of ``words``' rarest."""
    # The rarest words that the other side has at all.
    keys = sorted(words & postings.keys(), key=rank.__getitem__)[:KEY_WORDS]
    votes: dict[int, float] = defaultdict(float)
    for c in keys:
        hits = postings[c]
        if len(hits) <= max(CANDIDATES, 4 * len(keys)) * 8:
            weight = 1.0 / math.log(1.0 + df[c])
            for j in hits:
                votes[j] += weight
    # reverse=True keeps equal votes in insertion order, as a key of -votes would
    return sorted(votes, key=votes.__getitem__, reverse=True)[:CANDIDATES]


def assign(score: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """The optimal one-to-one pairing among the pairs that reach ``threshold``."""
    if score.size == 0:
        return []
    if score.shape == (1, 1):
        s = float(score[0, 0])
        return [(0, 0, s)] if s >= threshold else []
    # Pairs below the threshold count for nothing: the solver must not trade a real pair for
    # one that will be dropped anyway.
    rows, cols = linear_sum_assignment(np.where(score >= threshold, score, 0.0), maximize=True)
    return [
        (int(r), int(c), float(score[r, c]))
        for r, c in zip(rows, cols, strict=True)
        if score[r, c] >= threshold
    ]


def assign_sparse(edges: dict[tuple[int, int], float], n_old: int) -> list[tuple[int, int, float]]:
    """The optimal one-to-one pairing over a sparse graph: solved per connected component."""
    parent = list(range(n_old + 1 + max((j for _, j in edges), default=0)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        ri, rj = find(i), find(n_old + j)
        if ri != rj:
            parent[rj] = ri
    components: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, j in edges:
        components[find(i)].append((i, j))
    out: list[tuple[int, int, float]] = []
    for comp in components.values():
        if len(comp) == 1:
            i, j = comp[0]
            out.append((i, j, edges[comp[0]]))
            continue
        rows = sorted({i for i, _ in comp})
        cols = sorted({j for _, j in comp})
        if len(rows) * len(cols) > COMPONENT_LIMIT:
            out.extend(assign_sparse(_thin({e: edges[e] for e in comp}), n_old))
            continue
        ri = {i: k for k, i in enumerate(rows)}
        ci = {j: k for k, j in enumerate(cols)}
        score = np.zeros((len(rows), len(cols)))
        for i, j in comp:
            score[ri[i], ci[j]] = edges[(i, j)]
        for r, c, s in assign(score, 1e-9):
            out.append((rows[r], cols[c], s))
    return out


def _thin(edges: dict[tuple[int, int], float], keep: int = 3) -> dict[tuple[int, int], float]:
    """Each unit's ``keep`` best edges (an edge stays if either end keeps it)."""
    best_o: dict[int, list[tuple[float, int]]] = defaultdict(list)
    best_n: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (i, j), s in edges.items():
        best_o[i].append((s, j))
        best_n[j].append((s, i))
    kept = {(i, j) for i, lst in best_o.items() for _, j in sorted(lst, reverse=True)[:keep]}
    kept |= {(i, j) for j, lst in best_n.items() for _, i in sorted(lst, reverse=True)[:keep]}
    if len(kept) == len(edges):  # cannot thin further: take the best edges greedily
        kept = set()
        used_o: set[int] = set()
        used_n: set[int] = set()
        for (i, j), _ in sorted(edges.items(), key=lambda kv: -kv[1]):
            if i not in used_o and j not in used_n:
                kept.add((i, j))
                used_o.add(i)
                used_n.add(j)
    return {e: edges[e] for e in edges if e in kept}
