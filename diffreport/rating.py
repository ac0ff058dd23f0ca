"""How sure each pairing is: ``high``, ``medium`` or ``low`` (:func:`articles.confidence`).

A block pair is judged by its score and its margin over the runner-up of either of its units
(the best score of either with another unit, among candidates sharing rare words: a pair two
articles resemble equally is not sure); the other levels, whose units are short and many, by
their score alone.
"""

from __future__ import annotations

import math
from operator import attrgetter

import numpy as np

from . import articles
from .candidates import CandidateSearch
from .model import LEVELS
from .result import Pairing
from .scores import SCORE_SLACK, best_but
from .sides import Side
from .similarity import distinct_sorted, in_sorted, indexed_similarities, unit_lengths

_ID = attrgetter("id")


def rate(
    old: Side, new: Side, pairs: dict[str, list[Pairing]], levels: tuple[str, ...] = LEVELS
) -> None:
    """Give every pair of ``pairs`` (of two sides' aligner) of ``levels`` that has none a
    confidence (:func:`articles.confidence`): blocks from their score and their margin over
    the runner-up of either unit (among candidates sharing rare words); the other levels,
    whose units are short and many, from their score alone (:func:`rate_by_score`). A
    pair's confidence depends on no other level's pairs."""
    todo = [p for level in levels if level != "block" for p in pairs.get(level, [])]
    if "block" in levels:
        blocks = [p for p in pairs.get("block", []) if p.old and p.new]
        _sure(blocks)
        blocks = [p for p in blocks if p.confidence is None]
        if blocks:
            runner = _runner_ups(old, new, blocks)
            for p in blocks:
                score = p.score or 0.0
                best = runner.get(id(p), 0.0)
                p.confidence = articles.confidence(score, score / best if best > 0 else math.inf)
    rate_by_score(todo)


def rate_by_score(pairs: list[Pairing]) -> None:
    """Give each pair of ``pairs`` that has none a confidence from its score alone (as
    :func:`rate` does at the levels other than blocks)."""
    todo = [p for p in pairs if p.old and p.new]
    _sure(todo)
    for p in todo:
        if p.confidence is None:
            p.confidence = articles.confidence(p.score or 0.0, math.inf)


def _sure(pairs: list[Pairing]) -> None:
    """``high`` for each pair of ``pairs`` (of two units) that has no confidence and no
    score or a sure one."""
    for p in pairs:
        if p.confidence is None and (p.score is None or p.score >= articles.SURE):
            p.confidence = "high"


def _runner_ups(old: Side, new: Side, blocks: list[Pairing]) -> dict[int, float]:
    """For each block pairing, the best score of either of its first units with another
    unit (candidates sharing rare words, see :func:`candidates`), or a score less than
    its own divided by :data:`articles.DECISIVE_MARGIN` (0.0 among them) when the best is:
    a runner-up that far below decides its confidence as none would, so a pair is scored
    only as far as the pairings of its two units need. A pairing whose runner-up among its
    units' own candidates (those their lookups find) already makes it ``low`` gets that
    one: a better runner-up could only lower its confidence, and it is the lowest (between
    unrelated documents, most pairings; the others' candidates are not scored for it)."""
    olds_all, news_all = old.doc.of_kind("block"), new.doc.of_kind("block")
    all_o, all_n = old.profiles_of(olds_all), new.profiles_of(news_all)
    oi = dict(zip(map(_ID, olds_all), range(len(olds_all)), strict=True))  # (made in C)
    ni = dict(zip(map(_ID, news_all), range(len(news_all)), strict=True))
    rows = np.array(sorted({oi[p.old[0]] for p in blocks}), dtype=np.int64)
    cols = np.array(sorted({ni[p.new[0]] for p in blocks}), dtype=np.int64)
    # The candidates of the pairings' units: first those their own lookups find (the
    # likeliest runner-ups), then those the other units' lookups find.
    by_row = CandidateSearch([all_o[i] for i in rows.tolist()], all_n)
    by_col = CandidateSearch(all_o, [all_n[j] for j in cols.tolist()])

    def keys(by_row: np.ndarray, by_col: np.ndarray) -> np.ndarray:
        """Pairs found among rows × all new units and all old units × cols as keys of all
        old × all new units (old index × len(all_n) + new index), distinct and sorted."""
        return distinct_sorted(
            np.concatenate(
                (
                    rows[by_row[:, 0]] * len(all_n) + by_row[:, 1],
                    by_col[:, 0] * len(all_n) + cols[by_col[:, 1]],
                )
            )
        )

    own = keys(by_row.found_by_old(), by_col.found_by_new())
    firsts_o = np.array([oi[p.old[0]] for p in blocks], dtype=np.int64)
    firsts_n = np.array([ni[p.new[0]] for p in blocks], dtype=np.int64)
    # Each unit's floor: the least a runner-up must score to decide anything for the
    # pairings it stands first in (none: never).
    decides = np.array([p.score or 0.0 for p in blocks]) / articles.DECISIVE_MARGIN
    lengths = (unit_lengths(all_o), unit_lengths(all_n))  # (read once for both scorings)
    floor_o, floor_n = np.full(len(all_o), np.inf), np.full(len(all_n), np.inf)
    np.minimum.at(floor_o, firsts_o, decides - SCORE_SLACK)
    np.minimum.at(floor_n, firsts_n, decides - SCORE_SLACK)

    def scored(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(old units, new units, scores) of the pairs (keys) that reach their floor."""
        olds, news = keys // len(all_n), keys % len(all_n)
        floor = np.minimum(floor_o[olds], floor_n[news])
        scores = indexed_similarities(all_o, all_n, olds, news, floor, lengths)
        kept = np.flatnonzero(scores >= floor)
        return olds[kept], news[kept], scores[kept]

    def best(olds: np.ndarray, news: np.ndarray, scores: np.ndarray) -> list[float]:
        """Each pairing's best runner-up among these scored pairs."""
        return np.maximum(
            best_but(olds, news, scores, firsts_o, firsts_n),
            best_but(news, olds, scores, firsts_n, firsts_o),
        ).tolist()

    found = scored(own)
    runner = best(*found)
    low = np.array([_is_low(p, b) for p, b in zip(blocks, runner, strict=True)], dtype=bool)
    if not low.all():
        # The other candidates of the pairings not decided yet (a pair counts for the
        # pairing of either of its units).
        open_o, open_n = np.zeros(len(all_o), dtype=bool), np.zeros(len(all_n), dtype=bool)
        open_o[firsts_o[~low]] = True
        open_n[firsts_n[~low]] = True
        rest = keys(by_row.found_by_new(), by_col.found_by_old())
        rest = rest[~in_sorted(rest, own)]
        more = scored(rest[open_o[rest // len(all_n)] | open_n[rest % len(all_n)]])
        runner = best(*(np.concatenate(both) for both in zip(found, more, strict=True)))
    return dict(zip(map(id, blocks), runner, strict=True))


def _is_low(pairing: Pairing, runner: float) -> bool:
    """Is ``pairing``'s confidence ``low`` with this runner-up (as :func:`rate` finds it)?"""
    score = pairing.score or 0.0
    return runner > 0 and articles.confidence(score, score / runner) == "low"
