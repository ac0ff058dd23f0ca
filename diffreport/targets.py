"""Quantitative targets: pair the figures of two versions (:mod:`diffreport.figures` reads
them) and say how each changed.

Pairing: a target pairs only with one in a unit the alignment paired with its own (the article
or priority, or the sentence or clause, also when moved), never across unrelated articles; among
those by fuzzy similarity of the indicators (rapidfuzz), one-to-one with an optimal assignment.
A target whose indicator is kept but whose figure gave way to a qualitative aim
(`专精特新中小企业达到40家` → `“专精特新”企业数量…保持中心城区首位`) is `reworded`, with the aim
as the other side (value `None`).

Direction (:func:`_change`): bound by bound in the base unit — `raised` if a bound rose and none
fell, `lowered` the reverse, `reworded` if bounds moved both ways, if the units cannot be
compared, or if only the qualifier changed; `unchanged` otherwise. A shorter deadline is
`lowered`.
"""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz import fuzz, process

from .figures import COUNTERS, TARGET, base_unit, block_label, bounds, extract_targets, unit_kind
from .model import Document, Node
from .result import Target, TargetChange
from .similarity import linear_sum_assignment

# Relative tolerance for equal values (floats from unit factors such as 1/24).
_EQUAL = 1e-9

# A qualitative aim that can stand in for a figure: `保持中心城区首位`, `数量…前列`.
_AIM = re.compile(r"数量|规模|比重|比例|排名|首位|前列|水平|增长|增速")


def _change(old: Target, new: Target) -> str:
    """Bound by bound in the base unit: `raised` if a bound rose and none fell, `lowered` the
    reverse, `reworded` when they moved both ways, when the units do not compare, or when only
    the wording of the bound changed (`以下` → `以内`)."""
    if old.value is None or new.value is None:
        return "reworded"
    old_base, new_base = base_unit(old.unit)[0], base_unit(new.unit)[0]
    if old_base != new_base and not (old_base in COUNTERS and new_base in COUNTERS):
        return "reworded"
    pairs = [(o, n) for o, n in zip(bounds(old), bounds(new), strict=True) if None not in (o, n)]
    if not pairs:  # `以上` against `以下`: only the figures themselves compare
        factor_o, factor_n = base_unit(old.unit)[1], base_unit(new.unit)[1]
        pairs = [(old.value * factor_o, new.value * factor_n)]
    rose = any(n > o * (1 + _EQUAL) for o, n in pairs)
    fell = any(n < o * (1 - _EQUAL) for o, n in pairs)
    if rose and fell:
        return "reworded"
    if rose:
        return "raised"
    if fell:
        return "lowered"
    same_bounds = (old.low is None) == (new.low is None) and (old.high is None) == (
        new.high is None
    )
    return "unchanged" if same_bounds and old.qualifier == new.qualifier else "reworded"


# An indicator's core this short names too little to find it again in a clause without a figure.
AIM_CORE_CHARS = 4


def _core(key: str) -> str:
    """The name inside an indicator, without its generic head noun: `专精特新中小企业` →
    `专精特新`, which a rewording keeps (`“专精特新”企业数量`)."""
    return re.sub(r"(?:中小企业|企业|项目|数量)$", "", key) or key


def _aims(doc: Document) -> list[tuple[str, Node]]:
    """Clauses that state a qualitative aim and no figure, with their text unquoted."""
    return [
        (c.text.replace("“", "").replace("”", ""), c)
        for c in doc.of_kind("clause")
        if _AIM.search(c.text) and not TARGET.search(c.text)
    ]


def _aim_for(
    target: Target,
    aims: list[tuple[str, Node]],
    taken: set[str],
    doc: Document,
    partners: set[str] | None,
) -> Target | None:
    """A clause among ``aims`` (in a block among ``partners``, when given) that keeps
    ``target``'s indicator with a qualitative aim instead of a figure, as a `Target` with
    value None."""
    core = _core(target.key)
    if len(core) < AIM_CORE_CHARS:
        return None
    for text, c in aims:
        if c.id in taken or core not in text:
            continue
        block = doc.block_of(c.id)
        if partners is not None and (block is None or block.id not in partners):
            continue
        bid = block.id if block else ""
        return Target(
            target.indicator,
            target.key,
            c.text.strip("，,；;。 "),
            None,
            "",
            "",
            c.id,
            block=bid,
            block_label=block_label(doc, block),
        )
    return None


def _codes(old: list[str], new: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each string as the index of its first occurrence among the distinct strings of both."""
    index: dict[str, int] = {}
    for k in old + new:
        index.setdefault(k, len(index))
    return np.array([index[k] for k in old]), np.array([index[k] for k in new])


# Pairs scored one by one (in Python) only while they are this many times fewer than the
# distinct pairs :func:`process.cdist` would score together in C.
_SPARSE_SHARE = 4


def _same(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """1.0 where the codes of a row and a column are equal, 0.0 elsewhere."""
    return (old[:, None] == new[None, :]).astype(np.float32)


# Above this many cells, rapidfuzz scores the key matrix on every core: threads cost more below.
PARALLEL_CELLS = 10_000


def key_scores(old: list[str], new: list[str], wanted: np.ndarray | None = None) -> np.ndarray:
    """WRatio of every old key against every new key, for the optimal assignment. Each
    distinct pair is scored once (a long code repeats its indicators: law-x9 has 360 figures
    a side but 21 keys), on all cores when there are many (WRatio is costly). With
    ``wanted`` (a boolean matrix), only those pairs are scored and the others are 0: the
    figures of units the alignment paired are a small share of all pairs."""
    distinct_old, distinct_new = list(dict.fromkeys(old)), list(dict.fromkeys(new))
    if wanted is not None:
        rows, cols = np.nonzero(wanted)
        if len(rows) * _SPARSE_SHARE < len(distinct_old) * len(distinct_new):
            out = np.zeros(wanted.shape, dtype=np.float32)
            scored: dict[tuple[str, str], float] = {}
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                pair = (old[r], new[c])
                got = scored.get(pair)
                if got is None:
                    got = scored[pair] = fuzz.WRatio(*pair)
                out[r, c] = got
            return out
    scores = process.cdist(
        distinct_old,
        distinct_new,
        scorer=fuzz.WRatio,
        dtype=np.float32,
        workers=-1 if len(distinct_old) * len(distinct_new) > PARALLEL_CELLS else 1,
    )
    row = {k: i for i, k in enumerate(distinct_old)}
    col = {k: j for j, k in enumerate(distinct_new)}
    return scores[np.ix_([row[k] for k in old], [col[k] for k in new])]


# Score bonuses over the indicators' WRatio (0-100): same kind of unit (money, time …); figures in
# clauses or sentences the alignment paired (the same provision, reworded); the same place among
# the figures of their paired unit (the second fine of an article with the second).
_SAME_KIND = 10.0
_SAME_CLAUSE = 20.0
_SAME_RANK = 5.0
# … and the likeness of the sentences around them (what the fine or the deadline is for), which
# tells the figures of one article apart when their indicators are alike (`…的罚款`).
_CONTEXT = 20.0
# … and bounds of the same shape (`以下` with `以下`, a range with a range): a tier of a fine
# keeps its form more often than it turns into another tier's.
_SAME_SHAPE = 5.0
_NOT_PAIRED = -1e6  # units the alignment did not pair: never a target pair
# Two figures outside paired units may pair from this WRatio of their indicators: below it the
# names are of different things.
ALIKE_INDICATORS = 70.0
# A figure under an aggravating or mitigating condition (`情节严重的，对个人处二万元以上十万元
# 以下的罚款`) is another tier of the provision than the ordinary fine before it: a tier pairs
# only with the same tier (a grave tier a revision removed is dropped, not the ordinary fine's
# partner). The condition runs from the start of its `；`-delimited part of the sentence.
_GRAVE = re.compile(
    r"情节(?:特别|较为|较)?(?:严重|恶劣)|(?:特别)?严重后果|后果(?:特别)?严重|影响(?:特别)?恶劣"
)
_LIGHT = re.compile(r"情节(?:较|显著)?(?:轻微|较轻)|情节较轻")
_CONDITION_END = re.compile(r"[；;。]")


# A pairing of units of both sides, as the targets read it: (level, old ids, new ids).
Paired = tuple[str, list[str], list[str]]


def paired_units(alignments) -> list[Paired]:
    """What :func:`compare_targets` reads of the comparison's alignments: each of both sides
    (the aligner's pairings, before they are classified, give the same)."""
    return [(a.level, a.old, a.new) for a in alignments if a.old and a.new]


class Units:
    """Which units the alignment paired, of the units asked about: each node id → the index of
    its pairing, per level. Only the figures' units are asked about (~4,500 of ~180,000 node
    ids at 2 MB a side): indexing every pairing's nodes cost most of the figures' pairing."""

    def __init__(self, paired: list[Paired], old_asked: set[str], new_asked: set[str]) -> None:
        # (level, side) → node id → pairing index
        self.group: dict[tuple[str, str], dict[str, int]] = {}
        group = self.group
        for i, (level, old_ids, new_ids) in enumerate(paired):
            for node in old_ids:
                if node in old_asked:
                    group.setdefault((level, "old"), {})[node] = i
            for node in new_ids:
                if node in new_asked:
                    group.setdefault((level, "new"), {})[node] = i

    def codes(self, level: str, side: str, ids: list[str]) -> np.ndarray:
        """The alignment index of each node, or a code no node of the other side has."""
        group = self.group.get((level, side), {})
        missing = -1 if side == "old" else -2
        return np.array([group.get(i, missing) for i in ids], dtype=np.int64)


def _ranks(targets: list[Target], groups: np.ndarray) -> np.ndarray:
    """Each target's place among the targets of its paired unit (0 for the first)."""
    seen: dict[int, int] = {}
    out = np.empty(len(targets), dtype=np.int64)
    for i, g in enumerate(groups.tolist()):
        out[i] = seen.get(g, 0)
        seen[g] = out[i] + 1
    return out


def compare_targets(
    old: Document,
    new: Document,
    alignments=None,
    threshold: float = ALIKE_INDICATORS,
    figures: tuple[list[Target], list[Target]] | None = None,
    pairs: list[Paired] | None = None,
) -> list[TargetChange]:
    """Pair the targets of ``old`` and ``new`` and say how each changed. With ``alignments``
    (the comparison's), a pair must lie in units the alignment paired: the same block
    alignment, or the same sentence or clause alignment (a moved clause). ``pairs`` are
    :func:`paired_units` of them, when given instead. ``figures`` are each side's
    :func:`extract_targets` (old, new) when already found."""
    olds, news = figures or (extract_targets(old), extract_targets(new))
    if pairs is None and alignments is not None:
        pairs = paired_units(alignments)
    # each figure's sentence (its clause's parent)
    parents_o, parents_n = (
        [_parent(old, t.node) for t in olds],
        [_parent(new, t.node) for t in news],
    )
    units = None
    if pairs is not None:
        units = Units(
            pairs,
            {t.block for t in olds} | {t.node for t in olds} | set(parents_o),
            {t.block for t in news} | {t.node for t in news} | set(parents_n),
        )
    changes: list[TargetChange] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    if olds and news:
        near = np.zeros((len(olds), len(news)), dtype=bool)
        paired = None
        if units is not None:
            blocks_o = units.codes("block", "old", [t.block for t in olds])
            blocks_n = units.codes("block", "new", [t.block for t in news])
            paired = blocks_o[:, None] == blocks_n[None, :]
            for level, nodes_o, nodes_n in (
                ("clause", [t.node for t in olds], [t.node for t in news]),
                ("sentence", parents_o, parents_n),
            ):
                co, cn = units.codes(level, "old", nodes_o), units.codes(level, "new", nodes_n)
                near |= co[:, None] == cn[None, :]
            paired |= near
        # Only pairs in paired units can pair (below): only they are scored.
        score = key_scores([t.key for t in olds], [t.key for t in news], paired)
        key_score = score.copy()
        kinds = _codes([unit_kind(t.unit) for t in olds], [unit_kind(t.unit) for t in news])
        same_kind = _same(*kinds)
        score = score + _SAME_KIND * same_kind
        if paired is not None:
            score = score + _SAME_CLAUSE * near
            ranks = _ranks(olds, blocks_o)[:, None] == _ranks(news, blocks_n)[None, :]
            score = score + _SAME_RANK * ranks
            score = score + _CONTEXT * _context_scores(old, new, olds, news, paired)
            shapes = _codes([_shape(t) for t in olds], [_shape(t) for t in news])
            score = score + _SAME_SHAPE * _same(*shapes)
            score = np.where(paired, score, _NOT_PAIRED)
        # Figures of different kinds never pair: a fine in 元 that became a multiple of the
        # gain (`倍`) or a share of turnover (`%`) is a fine on another basis (dropped, and a
        # new one), and comparing it with an amount says nothing. Tiers (:data:`_GRAVE`) pair
        # only with their own. A pair that could not be accepted is kept out of the
        # assignment, where it would take a figure from its real partner.
        same = same_kind.astype(bool)
        alike = key_score >= threshold
        tiers = _codes([_tier(old, t) for t in olds], [_tier(new, t) for t in news])
        acceptable = (alike | near) & same & _same(*tiers).astype(bool)
        score = np.where(acceptable, score, _NOT_PAIRED)
        rows, cols = linear_sum_assignment(-score)
        for r, c in zip(rows, cols, strict=True):
            if score[r, c] > _NOT_PAIRED / 2:
                used_old.add(int(r))
                used_new.add(int(c))
                o, n = olds[r], news[c]
                changes.append(TargetChange(n.indicator, o, n, _change(o, n)))
    taken_new = {t.node for t in news}
    taken_old = {t.node for t in olds}
    new_aims = _aims(new) if len(used_old) < len(olds) else []
    old_aims = _aims(old) if len(used_new) < len(news) else []
    partners = None
    if pairs is not None:
        partners = block_partners(
            pairs,
            {t.block for i, t in enumerate(olds) if i not in used_old},
            {t.block for i, t in enumerate(news) if i not in used_new},
        )
    # An unpaired figure whose indicator continues as a qualitative aim is `reworded`.
    sides = (
        ("old", olds, used_old, new_aims, taken_new, new),
        ("new", news, used_new, old_aims, taken_old, old),
    )
    for side, targets, used, aims, taken, other in sides:
        for i, t in enumerate(targets):
            if i in used:
                continue
            allowed = partners.get((side, t.block), set()) if partners is not None else None
            aim = _aim_for(t, aims, taken, other, allowed) if aims else None
            if aim is not None:
                taken.add(aim.node)
            pair = (t, aim) if side == "old" else (aim, t)
            change = "reworded" if aim is not None else ("dropped" if side == "old" else "new")
            changes.append(TargetChange(t.indicator, *pair, change))
    return changes


def _context_scores(
    old: Document, new: Document, olds: list[Target], news: list[Target], paired: np.ndarray
) -> np.ndarray:
    """Likeness (0-1, rapidfuzz ratio) of the clauses and of the sentences holding each allowed
    pair of targets, half each: the clause tells `尚未实施…的，可以处五十万元` from `没有销售额的，
    处五百万元` in one sentence; the sentence, what a short clause (`并处…罚款`) is for."""
    out = np.zeros(paired.shape, dtype=np.float32)
    cache: dict[tuple[str, str], float] = {}

    def likeness(o: str, n: str) -> float:
        if (o, n) not in cache:
            cache[(o, n)] = fuzz.ratio(old.node(o).text, new.node(n).text) / 100 if o and n else 0.0
        return cache[(o, n)]

    for r, c in zip(*np.nonzero(paired), strict=True):
        o, n = olds[r].node, news[c].node
        out[r, c] = (likeness(o, n) + likeness(_parent(old, o), _parent(new, n))) / 2
    return out


def _tier(doc: Document, t: Target) -> str:
    """`grave`, `light` or `base`: the condition a figure's part of its sentence opens with
    (:data:`_GRAVE`)."""
    if not t.node:
        return "base"
    clause = doc.node(t.node)
    sentence = doc.node(clause.parent) if clause.parent else clause
    at = max(clause.text.find(t.figure or t.text), 0)
    start = sentence.text.find(clause.text)
    head = sentence.text[: start + at] if start >= 0 else clause.text[:at]
    head = _CONDITION_END.split(head)[-1]
    if _GRAVE.search(head):
        return "grave"
    return "light" if _LIGHT.search(head) else "base"


def _shape(t: Target) -> str:
    """Which bounds a figure has: `low`, `high`, `range` or `exact`."""
    return {(True, True): "range", (True, False): "low", (False, True): "high"}.get(
        (t.low is not None, t.high is not None), "exact"
    )


def _parent(doc: Document, node_id: str) -> str:
    return doc.node(node_id).parent or ""


def block_partners(
    paired: list[Paired], old_asked: set[str], new_asked: set[str]
) -> dict[tuple[str, str], set[str]]:
    """Each block asked about (by side) → the blocks of the other side its block alignment
    paired it with."""
    out: dict[tuple[str, str], set[str]] = {}
    for level, old_ids, new_ids in paired:
        if level != "block":
            continue
        for o in old_ids:
            if o in old_asked:
                out.setdefault(("old", o), set()).update(new_ids)
        for n in new_ids:
            if n in new_asked:
                out.setdefault(("new", n), set()).update(old_ids)
    return out
