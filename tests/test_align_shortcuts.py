"""The aligner's shortcuts against brute-force twins: each pass, run once as written and once
the long way (every group through the general path), must make the same pairings in the
same order, over generated document pairs and the real law revisions."""

from __future__ import annotations

import pytest
from conftest import SEEDS, law_pairs
from hypothesis import given
from test_properties import document_pairs, examples

from diffreport.align import THRESHOLDS, Aligner
from diffreport.compare import load
from diffreport.model import Kind, Node


class _BruteWithinParents(Aligner):
    """Pairs within paired parents with no shortcut: every group of units under paired
    parents goes through :meth:`Aligner._pair` (its units gathered by scanning them all)."""

    def _within_parents(
        self, level: Kind, olds_all: list[Node], news_all: list[Node], parent_level: Kind
    ) -> None:
        groups = [([None], [None])] + [
            (p.old, p.new) for p in self.pairs[parent_level] if p.old and p.new
        ]
        for parent_olds, parent_news in groups:
            olds = [n for pid in parent_olds for n in olds_all if self.old.up[n.id] == pid]
            news = [n for pid in parent_news for n in news_all if self.new.up[n.id] == pid]
            self._pair(level, olds, news, THRESHOLDS[level], moved=False)


def _pairings(aligner: Aligner) -> dict[str, list[tuple]]:
    return {
        level: [(p.old, p.new, p.score, p.moved, p.shares, p.confidence) for p in pairs]
        for level, pairs in aligner.run().items()
    }


def _same_as_brute(old, new) -> None:
    assert _pairings(Aligner(old, new)) == _pairings(_BruteWithinParents(old, new))


@examples(40)
@given(document_pairs())
def test_within_parents_pairs_as_every_group_paired_in_full(pair):
    old, new = pair
    _same_as_brute(load(old.source()).part(front=False), load(new.source()).part(front=False))


_REAL = [(SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"), *law_pairs()[:6]]


@pytest.mark.parametrize("old,new", _REAL, ids=lambda p: p.name)
def test_within_parents_on_real_revisions(old, new):
    _same_as_brute(load(old).part(front=False), load(new).part(front=False))
