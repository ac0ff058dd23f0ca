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
from .candidates import candidate_pairs
from .model import LEVELS
from .result import Pairing
from .scores import SCORE_SLACK, best_but
from .sides import Side
from .similarity import distinct_sorted, indexed_similarities

_ID = attrgetter("id")


def rate(old: Side, new: Side, pairs: dict[str, list[Pairing]]) -> None:
    """Give every pair of ``pairs`` (of two sides' aligner) that has none a confidence
    (:func:`articles.confidence`): blocks from their score and their margin over the
    runner-up of either unit (among candidates sharing rare words); the other levels,
    whose units are short and many, from their score alone."""
    todo = [p for level in LEVELS for p in pairs.get(level, []) if p.old and p.new]
    for p in todo:
        if p.confidence is None and (p.score is None or p.score >= articles.SURE):
            p.confidence = "high"
    blocks = [p for p in pairs.get("block", []) if p.old and p.new and p.confidence is None]
    if blocks:
        runner = _runner_ups(old, new, blocks)
        for p in blocks:
            score = p.score or 0.0
            best = runner.get(id(p), 0.0)
            p.confidence = articles.confidence(score, score / best if best > 0 else math.inf)
    for p in todo:
        if p.confidence is None:
            p.confidence = articles.confidence(p.score or 0.0, math.inf)


def _runner_ups(old: Side, new: Side, blocks: list[Pairing]) -> dict[int, float]:
    """For each block pairing, the best score of either of its first units with another
    unit (candidates sharing rare words, see :func:`candidates`), or a score less than
    its own divided by :data:`articles.DECISIVE_MARGIN` (0.0 among them) when the best is:
    a runner-up that far below decides its confidence as none would, so a pair is scored
    only as far as the pairings of its two units need."""
    olds_all, news_all = old.doc.of_kind("block"), new.doc.of_kind("block")
    all_o, all_n = old.profiles_of(olds_all), new.profiles_of(news_all)
    oi = dict(zip(map(_ID, olds_all), range(len(olds_all)), strict=True))  # (made in C)
    ni = dict(zip(map(_ID, news_all), range(len(news_all)), strict=True))
    rows = np.array(sorted({oi[p.old[0]] for p in blocks}), dtype=np.int64)
    cols = np.array(sorted({ni[p.new[0]] for p in blocks}), dtype=np.int64)
    by_row = candidate_pairs([all_o[i] for i in rows.tolist()], all_n)
    by_col = candidate_pairs(all_o, [all_n[j] for j in cols.tolist()])
    keys = distinct_sorted(
        np.concatenate(
            (
                rows[by_row[:, 0]] * len(all_n) + by_row[:, 1],
                by_col[:, 0] * len(all_n) + cols[by_col[:, 1]],
            )
        )
    )
    if not len(keys):
        return {}
    olds, news = keys // len(all_n), keys % len(all_n)
    firsts_o = np.array([oi[p.old[0]] for p in blocks], dtype=np.int64)
    firsts_n = np.array([ni[p.new[0]] for p in blocks], dtype=np.int64)
    # Each unit's floor: the least a runner-up must score to decide anything for the
    # pairings it stands first in (none: never).
    decides = np.array([p.score or 0.0 for p in blocks]) / articles.DECISIVE_MARGIN
    floor_o, floor_n = np.full(len(all_o), np.inf), np.full(len(all_n), np.inf)
    np.minimum.at(floor_o, firsts_o, decides - SCORE_SLACK)
    np.minimum.at(floor_n, firsts_n, decides - SCORE_SLACK)
    floor = np.minimum(floor_o[olds], floor_n[news])
    scores = indexed_similarities(all_o, all_n, olds, news, floor=floor)
    scored = np.flatnonzero(scores >= floor)
    olds, news, scores = olds[scored], news[scored], scores[scored]
    best = np.maximum(
        best_but(olds, news, scores, firsts_o, firsts_n),
        best_but(news, olds, scores, firsts_n, firsts_o),
    )
    return dict(zip(map(id, blocks), best.tolist(), strict=True))
