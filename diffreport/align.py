"""Align two documents level by level: sections, blocks, sentences, clauses.

At each level, units are first paired *within* parents that were paired at the level above;
what is left is then paired across the whole document, which is how content that moved to
another priority or section is found (``moved``). Blocks then get two more chances: a weak
pair within parents is provisional (its units also compete across the document), and a
leftover pairs with its mutual best match if that stands clear of both runners-up (how two
differently written documents pair at all). Finally one-to-many leftovers become ``split`` /
``merged`` groups. Once blocks are aligned, sections are checked bottom-up: a section pair
whose blocks mostly went elsewhere is undone, and free sections pair, at any depth, where
their blocks went. Every node of each side ends in exactly one :class:`Pairing`.

Every pairing step is a globally optimal assignment (``linear_sum_assignment``) over the pairs
that reach the level's threshold. A small group scores all its pairs at once
(``process.cdist``). A large one (more than :data:`scores.DENSE_LIMIT` pairs: a flat document of
thousands of paragraphs, the leftovers of two long codes) never builds the n × m matrix:
candidates are generated first — units that share one of their rarest words (an inverted
index), or the same wording — and only those are scored, exactly; the assignment is then
solved within each connected component of the candidate graph, which is optimal for the graph
as a whole (:mod:`diffreport.candidates`). Split/merge parts are found by
:mod:`diffreport.splits`, sections re-checked by :mod:`diffreport.sections`, and what is
paired so far is kept in a :class:`ledger.Ledger`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import chain, compress, filterfalse
from operator import attrgetter

import numpy as np

from . import articles
from .candidates import assign, assign_sparse
from .ledger import Ledger, free
from .model import LEVELS, Document, Kind, Node
from .parts import share_in, share_of
from .result import Pairing
from .scores import (
    DENSE_COST,
    DENSE_LIMIT,
    POSITION_PRIOR,
    by_pair,
    position_prior,
    same_sequence,
    scores_reaching,
    sparse_edges,
)
from .sections import check_sections
from .sides import Side
from .similarity import (
    EXACT_BUDGET,
    TIE_BREAK,
    Counted,
    Profile,
    SharedCounts,
    Vocabulary,
    containment,
    cost,
    order_prior,
    position,
    similarity,
    unit_lengths,
)
from .splits import RESIDUAL_SHARE, Splits
from .wordstats import WordStats

# Minimum similarity for a pair, by level: containers share less wording than sentences.
THRESHOLDS: dict[str, float] = {"section": 0.12, "block": 0.17, "sentence": 0.4, "clause": 0.45}
# Cross-structure (moved) pairs must be more convincing than pairs within matched parents.
MOVE_THRESHOLDS: dict[str, float] = {"section": 0.3, "block": 0.3, "sentence": 0.55, "clause": 0.6}
# A block pair scoring below this must share a rare word (wordstats.RARE_DF): a weak score made
# of the documents' stock words ("GitHub", "content", 条例) is no evidence that one paragraph
# became the other.
WEAK_BAR: dict[str, float] = {"block": 0.35}
# Between differently written documents (an article's outlook and a plan) true pairs score
# below MOVE_THRESHOLDS, yet stand out: a leftover block still pairs with its mutual best
# match if that scores at least RELATIVE_FLOOR and RELATIVE_MARGIN times the runner-up of
# both (row and column: symmetric). Iterated: a pair taken leaves clearer runners-up.
RELATIVE_FLOOR: dict[str, float] = {"block": 0.15}
RELATIVE_MARGIN = 1.25
RELATIVE_ROUNDS = 5
# ... and only units of some substance: two dates share a month and little else.
RELATIVE_MIN_WORDS = 8
_ID, _ORDERED = attrgetter("id"), attrgetter("ordered")


class Aligner:
    def __init__(
        self,
        old: Document | Side,
        new: Document | Side,
        workers: int | None = None,
        vocab: Vocabulary | None = None,
    ) -> None:
        """Profiles both documents, or takes sides profiled already (:func:`tokenised`, with
        the ``vocab`` they were profiled with, the old side first)."""
        self.vocab = vocab if vocab is not None else Vocabulary()
        self.workers = workers
        self.old = old if isinstance(old, Side) else Side.of(old, self.vocab)
        self.new = new if isinstance(new, Side) else Side.of(new, self.vocab)
        self.ledger = Ledger(self.old, self.new)
        # (the ledger's, read here by their short names: the passes below read them often)
        self.pairs, self.linked_old, self.linked_new = (
            self.ledger.pairs,
            self.ledger.linked_old,
            self.ledger.linked_new,
        )
        self.stats = WordStats(self.old, self.new)
        self.splits = Splits(self.ledger, self.stats)

    def _may_move(self, old: Node, new: Node, a: Profile, b: Profile) -> bool:
        """May these two sentences or clauses pair across the document (the condition
        :meth:`_unlink_stock` checks first): their blocks are paired, or they share a word few
        blocks use?"""
        return self.stats.shares_rare("block", a, b) or self.ledger.blocks_linked(old.id, new.id)

    def _in_linked_blocks(
        self, olds: list[Node], news: list[Node]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(old indices, new indices) of the pairs of ``olds`` × ``news`` whose blocks are
        paired with each other (:meth:`Ledger.blocks_linked`), and of those in no block."""
        # (the units' blocks read in C, and only the units of paired blocks, or of none,
        # walked: between unrelated documents tens of thousands of units, few such)
        blocks_o = list(map(self.old.block.__getitem__, map(_ID, olds)))
        blocks_n = list(map(self.new.block.__getitem__, map(_ID, news)))
        linked_old = self.linked_old
        partners: dict[int, Iterable[str | None]] = {}
        for i, ob in enumerate(blocks_o):
            if ob is None:
                partners[i] = (None,)
            elif ob in linked_old:
                partners[i] = linked_old[ob]
        wanted = set(chain.from_iterable(partners.values()))
        by_block: dict[str | None, list[int]] = defaultdict(list)
        for j in compress(range(len(news)), map(wanted.__contains__, blocks_n)):
            by_block[blocks_n[j]].append(j)
        rows: list[int] = []
        cols: list[int] = []
        for i, linked in partners.items():
            for b in linked:
                found = by_block.get(b, ())
                rows.extend([i] * len(found))
                cols.extend(found)
        return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)

    # -- one level ------------------------------------------------------------------------

    def _pair(
        self,
        level: Kind,
        olds: list[Node],
        news: list[Node],
        threshold: float,
        moved: bool,
        profiles: tuple[list[Profile], list[Profile]] | None = None,
        counted: Counted | None = None,
        lengths: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Pair ``olds`` with ``news`` (``profiles``: theirs, when the caller has them, and
        ``lengths``, their numbers of words; ``counted``: see
        :class:`similarity.SharedCounts`, for a large group)."""
        if not olds or not news:
            return
        if profiles is not None:
            old_p, new_p = profiles
        else:
            old_p = self.old.profiles_of(olds)
            new_p = self.new.profiles_of(news)
        bar = WEAK_BAR.get(level)
        # A sentence or clause paired across the document stays paired only if it shares a
        # word few blocks use or their blocks are paired (:meth:`_unlink_stock`): a pair that
        # is neither is not proposed, so it cannot take a unit from a pair that stays (and
        # unrelated text, sharing only common words, proposes almost nothing).
        rare_only = moved and level in ("sentence", "clause")
        if not moved and same_sequence(old_p, new_p):
            # The same wording in the same order (an unchanged article's sentences): the
            # identity is the one optimal assignment (every pair scores 1, and the position
            # prior is largest for it), so nothing needs scoring.
            matches = [(i, i, 1.0) for i in range(len(olds))]
        elif len(olds) == len(news) == 1 and cost(old_p, new_p) <= EXACT_BUDGET:
            # Most groups (one block's one sentence) are 1 × 1: the same arithmetic as
            # below (similarity_matrix, position_prior, _assign) without numpy's set-up.
            a, b = old_p[0], new_p[0]
            weight = TIE_BREAK if moved else POSITION_PRIOR
            pos = position(0, 1)
            s = similarity(a, b) + order_prior(pos, pos, weight)
            if bar is not None and threshold <= s < bar and not self.stats.shares_rare(level, a, b):
                s = 0.0
            if rare_only and s >= threshold and not self._may_move(olds[0], news[0], a, b):
                s = 0.0
            matches = [(0, 0, s)] if s >= threshold else []
        elif len(olds) * len(news) <= DENSE_LIMIT and cost(old_p, new_p) <= DENSE_COST:
            weight = TIE_BREAK if moved else POSITION_PRIOR
            # (a pair whose similarity is below threshold - weight stays below the threshold)
            score = scores_reaching(old_p, new_p, threshold - weight, self.workers)
            score = score + position_prior(len(olds), len(news), weight)
            if bar is not None:
                for i, j in zip(*np.nonzero((score >= threshold) & (score < bar)), strict=True):
                    if not self.stats.shares_rare(level, old_p[i], new_p[j]):
                        score[i, j] = 0.0
            if rare_only:
                for i, j in zip(*np.nonzero(score >= threshold), strict=True):
                    if not self._may_move(olds[i], news[j], old_p[i], new_p[j]):
                        score[i, j] = 0.0
            matches = assign(score, threshold)
        else:
            must_share = allowed = None
            if rare_only:
                must_share = self.stats.rare_codes("block")
                allowed = self._in_linked_blocks(olds, news)
            edges = by_pair(
                sparse_edges(old_p, new_p, threshold, moved, must_share, allowed, counted, lengths)
            )
            if rare_only:
                edges = {
                    (i, j): s
                    for (i, j), s in edges.items()
                    if self._may_move(olds[i], news[j], old_p[i], new_p[j])
                }
            if bar is not None:
                edges = {
                    (i, j): s
                    for (i, j), s in edges.items()
                    if s >= bar or self.stats.shares_rare(level, old_p[i], new_p[j])
                }
            matches = assign_sparse(edges, len(olds))
        for i, j, s in matches:
            o, n = olds[i], news[j]
            pairing = Pairing(level, [o.id], [n.id], round(min(1.0, s), 4))
            self.pairs[level].append(pairing)
            self.ledger.link(pairing)

    def _pair_relative(
        self,
        level: Kind,
        olds_all: list[Node],
        news_all: list[Node],
        profiles: tuple[list[Profile], list[Profile]],
        counted: SharedCounts | None = None,
        lengths: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Mutual best matches among the leftovers (the free units of ``olds_all`` and
        ``news_all``, whose ``profiles`` are given, and their ``lengths`` if known, numbered
        by their places there in ``counted``), clear of their runners-up (see
        :data:`RELATIVE_FLOOR`). Large groups score only candidate pairs (no n × m matrix):
        an unscored pair shares none of either unit's rarest words."""
        floor = RELATIVE_FLOOR[level]
        low = floor / RELATIVE_MARGIN  # a runner-up below this cannot spoil any margin
        free_o, free_n = free(olds_all, self.linked_old), free(news_all, self.linked_new)
        olds, news = list(compress(olds_all, free_o)), list(compress(news_all, free_n))
        if not olds or not news:
            return
        old_p, new_p = list(compress(profiles[0], free_o)), list(compress(profiles[1], free_n))
        if lengths is not None:
            size_o, size_n = lengths[0][np.array(free_o)], lengths[1][np.array(free_n)]
        else:
            size_o, size_n = unit_lengths(old_p), unit_lengths(new_p)
        # The edges in ascending order of (old, new), as arrays: tens of thousands between
        # unrelated texts.
        if len(olds) * len(news) <= DENSE_LIMIT and cost(old_p, new_p) <= DENSE_COST:
            score = scores_reaching(old_p, new_p, low, self.workers)
            rows, cols = np.nonzero(score >= low)  # (row-major: ascending)
            rows, cols = rows.astype(np.int64), cols.astype(np.int64)
            scores = score[rows, cols].astype(np.float64)
        else:
            numbers = (np.flatnonzero(free_o), np.flatnonzero(free_n))
            known = None if counted is None else (counted, *numbers)
            rows, cols, scores = sparse_edges(
                old_p, new_p, low, moved=True, counted=known, lengths=(size_o, size_n)
            )
        # Scored once; each round takes the clear mutual best pairs, and their rows and
        # columns leave the runner-up lists of the next. (The edges are ordered by row and
        # by column, best first, once: a round only takes edges out, which keeps both.)
        by_row, by_col = np.lexsort((-scores, rows)), np.lexsort((-scores, cols))
        for _ in range(RELATIVE_ROUNDS):
            best_o, second_o = articles.top_two_ordered(rows[by_row], scores[by_row], len(olds))
            best_n, second_n = articles.top_two_ordered(cols[by_col], scores[by_col], len(news))
            runner = np.maximum(second_o[rows], second_n[cols])
            clear = (
                (scores >= floor)
                & (np.minimum(size_o[rows], size_n[cols]) >= RELATIVE_MIN_WORDS)
                & (best_o[rows] <= scores)  # the mutual best
                & (best_n[cols] <= scores)
                & (scores >= RELATIVE_MARGIN * runner)
            )
            taken = [
                (i, j, sc)
                for i, j, sc in zip(
                    rows[clear].tolist(), cols[clear].tolist(), scores[clear].tolist(), strict=True
                )
                if self.stats.shares_rare(level, old_p[i], new_p[j])
            ]
            if not taken:
                return
            for i, j, sc in taken:
                o, n = olds[i], news[j]
                pairing = Pairing(level, [o.id], [n.id], round(min(1.0, sc), 4))
                self.pairs[level].append(pairing)
                self.ledger.link(pairing)
                pairing.moved = self.ledger.parents_differ(o.id, n.id, level)
            gone_o = np.zeros(len(olds), dtype=bool)
            gone_n = np.zeros(len(news), dtype=bool)
            gone_o[[i for i, _, _ in taken]] = True
            gone_n[[j for _, j, _ in taken]] = True
            stay = ~(gone_o[rows] | gone_n[cols])
            by_row, by_col = articles.order_kept(by_row, stay), articles.order_kept(by_col, stay)
            rows, cols, scores = rows[stay], cols[stay], scores[stay]

    def _within_parents(
        self, level: Kind, olds_all: list[Node], news_all: list[Node], parent_level: Kind
    ) -> None:
        """Pair units whose parents were paired (the root pairs with the root)."""
        up_old, up_new = self.old.up, self.new.up
        by_parent_old: dict[str | None, list[Node]] = defaultdict(list)
        for n in olds_all:
            by_parent_old[up_old[n.id]].append(n)
        by_parent_new: dict[str | None, list[Node]] = defaultdict(list)
        for n in news_all:
            by_parent_new[up_new[n.id]].append(n)
        groups = [([None], [None])] + [
            (p.old, p.new) for p in self.pairs[parent_level] if p.old and p.new
        ]
        linked_old, linked_new = self.linked_old, self.linked_new
        prof_old, prof_new = self.old.profiles, self.new.profiles
        made = self.pairs[level]
        threshold = THRESHOLDS[level]
        # Every unit here is free (none of them was paired before this pass) and has one
        # parent, so it is in one group only: no unit is filtered out of a group.
        get_old, get_new = by_parent_old.get, by_parent_new.get
        for parent_olds, parent_news in groups:
            if len(parent_olds) == 1 and len(parent_news) == 1:  # nearly all
                olds = get_old(parent_olds[0])  # (read, never changed)
                news = get_new(parent_news[0])
                if olds is None or news is None:
                    continue  # (nothing to pair: _pair would return at once)
                if len(olds) == 1 and len(news) == 1:
                    # Most groups of all (a block's one sentence, a sentence's one clause):
                    # the same wording pairs as below, in fewer steps.
                    o, n = olds[0].id, news[0].id
                    if prof_old[o].ordered == prof_new[n].ordered:
                        made.append(Pairing(level, [o], [n], 1.0))
                        linked_old[o] = {n}
                        linked_new[n] = {o}
                        continue
                    self._pair(level, olds, news, threshold, moved=False)
                    continue
            else:
                olds = [n for pid in parent_olds for n in by_parent_old.get(pid, ())]
                news = [n for pid in parent_news for n in by_parent_new.get(pid, ())]
            if olds and len(olds) == len(news):
                # Most groups (~20 000 a megabyte: an unchanged article's sentences) hold the
                # same distinct wordings in the same order: pair them as _pair would (the
                # identity, score 1), without its set-up.
                ids_o = [n.id for n in olds]
                ids_n = [n.id for n in news]
                words = [prof_old[i].ordered for i in ids_o]
                same = words == [prof_new[i].ordered for i in ids_n]
                if same and len(set(words)) == len(words):
                    both = list(zip(ids_o, ids_n, strict=True))
                    made.extend([Pairing(level, [o], [n], 1.0) for o, n in both])
                    linked_old.update({o: {n} for o, n in both})
                    linked_new.update({n: {o} for o, n in both})
                    continue
            self._pair(level, olds, news, threshold, moved=False)

    def align_level(self, level: Kind) -> None:
        olds_all = self.old.doc.of_kind(level)
        news_all = self.new.doc.of_kind(level)
        if level == "section":
            # Sections nest: pair them depth by depth, each within its paired parents.
            for depth in range(1, 1 + max((n.depth for n in olds_all + news_all), default=0)):
                olds = [n for n in olds_all if n.depth == depth]
                news = [n for n in news_all if n.depth == depth]
                self._within_parents(level, olds, news, "section")
        elif level == "block" and self._statutes():
            # Articles of two statutes pair over the whole document, by wording, order and
            # chapters (articles.py); what is left may still be part of a split or merge.
            self._pair_articles(olds_all, news_all)
            left_old = [n for n in olds_all if n.id not in self.linked_old]
            left_new = [n for n in news_all if n.id not in self.linked_new]
            self.splits.group(level, left_old, left_new)
            self._leave_unpaired(level, left_old, left_new)
            return
        else:
            parent_level = LEVELS[LEVELS.index(level) - 1]
            self._within_parents(level, olds_all, news_all, parent_level)
            if level == "clause":
                # Parents paired as a split or merge span several blocks: what pairs inside
                # them across those blocks needs distinctive content too. (Not so for the
                # sentences, whose parents are the blocks: a pairing of blocks links each of
                # its blocks with each of the other side's, and sentences in no block pair
                # only with sentences in none.)
                self._unlink_stock(level, 0)
        # Weak pairs within parents are provisional: their units also compete across the
        # document (a task that a clearly better match in another priority takes), and
        # pair as before only if both are still free afterwards.
        provisional: list[Pairing] = []
        if level in WEAK_BAR:
            kept = []
            for p in self.pairs[level]:
                if p.score is not None and p.score < WEAK_BAR[level]:
                    provisional.append(p)
                    del self.linked_old[p.old[0]], self.linked_new[p.new[0]]
                else:
                    kept.append(p)
            self.pairs[level] = kept
        # Across the document: what moved to another parent. From here on a unit is free
        # only if it is free now (pairs are undone only among those made since, or the
        # provisional ones, free now): the passes below look at these lists, not at all.
        left_old = list(compress(olds_all, free(olds_all, self.linked_old)))
        left_new = list(compress(news_all, free(news_all, self.linked_new)))
        # (each leftover's profile looked up once for the passes below, and its length read:
        # between unrelated documents tens of thousands, all over memory)
        profiles = (self.old.profiles_of(left_old), self.new.profiles_of(left_new))
        lengths = (unit_lengths(profiles[0]), unit_lengths(profiles[1]))
        # (the relative pass scores many of the moved pass's pairs again: their shared words
        # are counted once, the units numbered by their places in left_old and left_new)
        counted = SharedCounts(len(left_new)) if level in RELATIVE_FLOOR else None
        if left_old and left_new:
            before = len(self.pairs[level])
            everyone = (np.arange(len(left_old)), np.arange(len(left_new)))
            self._pair(
                level,
                left_old,
                left_new,
                MOVE_THRESHOLDS[level],
                True,
                profiles,
                None if counted is None else (counted, *everyone),
                lengths,
            )
            for p in self.pairs[level][before:]:
                p.moved = self.ledger.parents_differ(p.old[0], p.new[0], level)
            if level in ("sentence", "clause"):
                self._unlink_stock(level, before)
        if level in RELATIVE_FLOOR:
            self._pair_relative(level, left_old, left_new, profiles, counted, lengths)
        for p in provisional:
            if p.old[0] not in self.linked_old and p.new[0] not in self.linked_new:
                self.pairs[level].append(p)
                self.ledger.link(p)
        self.splits.group(level, left_old, left_new, profiles, lengths)
        self._leave_unpaired(level, left_old, left_new)

    def _leave_unpaired(self, level: Kind, olds: list[Node], news: list[Node]) -> None:
        """Nothing lost: what is still unpaired is new or dropped (of ``olds`` and ``news``,
        in document order: every unit of the level that may be free)."""
        # (tens of thousands of units between unrelated documents: the ids read in C)
        made = self.pairs[level]
        ids = filterfalse(self.linked_old.__contains__, map(_ID, olds))
        made.extend([Pairing(level, [i], [], None) for i in ids])
        ids = filterfalse(self.linked_new.__contains__, map(_ID, news))
        made.extend([Pairing(level, [], [i], None) for i in ids])

    def _unlink_stock(self, level: Kind, start: int) -> None:
        """Undo the pairings from ``start`` on that link units of blocks not paired with
        each other on boilerplate alone (see :data:`STOCK_BLOCKS`) or without a word few
        blocks use (`其他后果特别严重的情形` → `其他情节特别严重的情形`, a catch-all tier)."""
        kept = self.pairs[level][:start]
        block_o, block_n, linked = self.old.block, self.new.block, self.linked_old
        for p in self.pairs[level][start:]:
            o, n = p.old[0], p.new[0]
            # Ledger.blocks_linked, inline: every pairing of the level since ``start`` is asked
            ob, nb = block_o[o], block_n[n]
            if (nb in linked.get(ob, ())) if ob is not None and nb is not None else ob is nb:
                kept.append(p)
                continue
            a, b = self.old.profiles[o], self.new.profiles[n]
            if not (self.stats.distinctive(a, b) and self.stats.shares_rare("block", a, b)):
                del self.linked_old[o], self.linked_new[n]
                continue
            kept.append(p)
        self.pairs[level] = kept

    def _statutes(self) -> bool:
        return self.old.doc.genre == "statute" and self.new.doc.genre == "statute"

    def _pair_articles(self, olds: list[Node], news: list[Node]) -> None:
        """Pair the blocks (articles) of two statutes (see :mod:`diffreport.articles`)."""
        if not olds or not news:
            return
        old_p = self.old.profiles_of(olds)
        new_p = self.new.profiles_of(news)
        parts: list[tuple[int, str, int]] = []
        if same_sequence(old_p, new_p):
            found = [(i, i, 1.0, "high") for i in range(len(olds))]
        else:
            statutes = articles.Statutes(self.old, self.new, self.stats, self.vocab, self.workers)
            twins, edges = statutes.edges(olds, news, old_p, new_p)
            sec_o = [self.old.up[n.id] for n in olds]
            sec_n = [self.new.up[n.id] for n in news]

            # Chapters tell something only where there are several of them.
            chapters = len(set(sec_o)) > 1 and len(set(sec_n)) > 1

            related = statutes.related_chapters(set(sec_o), set(sec_n), self.linked_old)

            def same_chapter(i: int, j: int) -> bool:
                return chapters and (sec_o[i], sec_n[j]) in related

            found, parts = articles.pair_articles(
                edges,
                len(olds),
                len(news),
                same_chapter,
                lambda i, j: self.stats.shares_rare("block", old_p[i], new_p[j]),
                lambda i, j: self.stats.distinctive_beyond_topic(old_p[i], new_p[j]),
                twins,
            )
        made = []
        for i, j, score, conf in found:
            o, n = olds[i], news[j]
            pairing = Pairing("block", [o.id], [n.id], round(min(1.0, score), 4))
            pairing.confidence = conf
            self.pairs["block"].append(pairing)
            self.ledger.link(pairing)
            pairing.moved = self.ledger.parents_differ(o.id, n.id, "block")
            made.append(pairing)

        # A part must lie mostly in its whole (most of a merged article's words are in the
        # article it became), and account for what the whole has beyond its partner: lie
        # mostly in that remainder or hold most of it, on distinctive content
        # (:meth:`Splits.beyond_partner`). A dropped article whose words are the liability
        # boilerplate its neighbour also holds was dropped, not merged.
        def part_of(k: int, side: str, idx: int) -> bool:
            part = (old_p if side == "old" else new_p)[idx]
            there = self.new if side == "old" else self.old
            pair = made[k]
            whole_id = (pair.new if side == "old" else pair.old)[0]
            partner_id = (pair.old if side == "old" else pair.new)[0]
            if containment(part, there.profiles[whole_id]) < articles.PART_WHOLE:
                return False
            rest = self.splits.remainder(side, whole_id, partner_id)
            if max(share_in(part, rest), share_of(rest, part)) < RESIDUAL_SHARE:
                return False
            return self.splits.beyond_partner(pair, side, (olds if side == "old" else news)[idx].id)

        parts = [(k, side, idx) for k, side, idx in parts if part_of(k, side, idx)]
        for k, side, idx in parts:
            if side == "old":
                made[k].old.append(olds[idx].id)
            else:
                made[k].new.append(news[idx].id)
        for k in sorted({k for k, _, _ in parts}):
            made[k].moved = False  # as for any split or merge
            self.ledger.link(made[k])

    def run(self) -> dict[str, list[Pairing]]:
        """Each level's pairings (their confidences still to :func:`rating.rate`)."""
        for level in LEVELS:
            self.align_level(level)
            if level == "block":
                check_sections(self.ledger)
        return self.pairs
