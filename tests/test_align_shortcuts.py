"""The aligner's shortcuts against brute-force twins: each pass, run once as written and once
the long way (every group through the general path), must make the same pairings in the
same order, over generated document pairs and the real law revisions."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from conftest import SEEDS, law_pairs
from hypothesis import given
from hypothesis import strategies as st
from test_properties import document_pairs, examples

from diffreport import align, articles, similarity
from diffreport.align import THRESHOLDS, Aligner
from diffreport.compare import load
from diffreport.model import Kind, Node
from diffreport.sections import section_chains
from diffreport.sides import Side


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


# --- statutes' articles: twins paired as they are ------------------------------------------


@st.composite
def article_edges(draw) -> tuple[int, int, dict[int, int], dict[tuple[int, int], float], int]:
    """Two statutes' candidate pairs: twins (each the only candidate of both its articles,
    score 1) and scored edges among the other articles, many scores tied."""
    n_old, n_new = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    olds = draw(st.permutations(range(n_old)))
    news = draw(st.permutations(range(n_new)))
    k = draw(st.integers(0, min(n_old, n_new)))
    twins = dict(sorted(zip(olds[:k], news[:k], strict=True)))
    score = st.one_of(
        st.sampled_from([0.2, 0.3, 0.35, 0.45, 0.5, 0.6, 0.9, 1.0]), st.floats(0.0, 1.0)
    )
    rest_o, rest_n = sorted(olds[k:]), sorted(news[k:])
    edges = {}
    if rest_o and rest_n:
        for i, j, s in draw(
            st.lists(
                st.tuples(st.sampled_from(rest_o), st.sampled_from(rest_n), score), max_size=60
            )
        ):
            edges[(i, j)] = s
    return n_old, n_new, twins, edges, draw(st.integers(0, 2**32))


def _answer(seed: int, what: str) -> Callable[[int, int], bool]:
    """A fixed yes or no for each pair (a chapter, rare-word or boilerplate test)."""
    return lambda i, j: random.Random(f"{seed} {what} {i} {j}").random() < 0.6


@examples(300)
@given(article_edges())
def test_twins_pair_as_their_edges_of_score_one_would(case):
    n_old, n_new, twins, edges, seed = case
    tests = [_answer(seed, what) for what in ("chapter", "rare", "distinctive")]
    # (the twins first, as Statutes.edges once gave them among the edges)
    as_edges = {**{(i, j): 1.0 for i, j in twins.items()}, **edges}
    want = articles.pair_articles(as_edges, n_old, n_new, *tests)
    assert articles.pair_articles(edges, n_old, n_new, *tests, twins) == want


@pytest.mark.parametrize("old,new", law_pairs(), ids=lambda p: p.name)
def test_real_statutes_pair_with_twins_as_edges(old, new, monkeypatch):
    old_body, new_body = load(old).part(front=False), load(new).part(front=False)
    want = _pairings(Aligner(old_body, new_body))
    pair_articles = articles.pair_articles

    def twins_as_edges(edges, n_old, n_new, *tests_and_twins):
        *tests, twins = tests_and_twins
        as_edges = {**{(i, j): 1.0 for i, j in (twins or {}).items()}, **edges}
        return pair_articles(as_edges, n_old, n_new, *tests)

    monkeypatch.setattr(articles, "pair_articles", twins_as_edges)
    assert _pairings(Aligner(old_body, new_body)) == want


# --- sections checked: chains, and blocks' moved looked at again where sections changed ---


def _chains_by_block(side: Side) -> dict[str | None, list[str]]:
    """Each block's nearest section → the sections holding it, nearest first, walked from
    every block."""
    chains: dict[str | None, list[str]] = {None: []}
    for b in side.doc.of_kind("block"):
        sec = side.up[b.id]
        if sec not in chains:
            ancestors = side.doc.ancestors(sec)
            chains[sec] = [sec] + [a.id for a in ancestors if a.kind == "section"]
    return chains


def _moved_as_recomputed(aligner: Aligner) -> None:
    """Every one-to-one block pair is moved exactly when its sections are not paired, as the
    ledger stands at the end; and every section's chain is as the blocks' walk finds it."""
    pairs = aligner.run()
    for side in (aligner.old, aligner.new):
        by_block = _chains_by_block(side)
        by_section = section_chains(side.doc)
        assert {sec: by_section[sec] for sec in by_block} == by_block
    for p in pairs["block"]:
        if len(p.old) == 1 and len(p.new) == 1:
            assert p.moved == aligner.ledger.parents_differ(p.old[0], p.new[0], "block")


@examples(60)
@given(document_pairs())
def test_blocks_moved_as_their_sections_finally_stand(pair):
    old, new = pair
    old_body, new_body = load(old.source()).part(front=False), load(new.source()).part(front=False)
    _moved_as_recomputed(Aligner(old_body, new_body))


@pytest.mark.parametrize("old,new", _REAL, ids=lambda p: p.name)
def test_blocks_moved_as_their_sections_finally_stand_on_real_revisions(old, new):
    _moved_as_recomputed(Aligner(load(old).part(front=False), load(new).part(front=False)))


# --- stock pairs: none to undo among the sentences paired within their blocks ---------------


class _SentencesChecked(Aligner):
    """Aligns, checking after the sentences are paired within their paired blocks that the
    stock check (not run there) would undo none of those pairings."""

    def _within_parents(
        self, level: Kind, olds_all: list[Node], news_all: list[Node], parent_level: Kind
    ) -> None:
        super()._within_parents(level, olds_all, news_all, parent_level)
        if level == "sentence":
            before = list(self.pairs[level])
            self._unlink_stock(level, 0)
            assert self.pairs[level] == before


@examples(60)
@given(document_pairs())
def test_no_stock_sentence_pair_within_paired_blocks(pair):
    old, new = pair
    old_body, new_body = load(old.source()).part(front=False), load(new.source()).part(front=False)
    _SentencesChecked(old_body, new_body).run()


@pytest.mark.parametrize("old,new", _REAL, ids=lambda p: p.name)
def test_no_stock_sentence_pair_within_paired_blocks_on_real_revisions(old, new):
    _SentencesChecked(load(old).part(front=False), load(new).part(front=False)).run()


# --- the relative pass reads the words shared that the moved pass counted -------------------


class _Forgetful(similarity.SharedCounts):
    """Remembers nothing: every pair's shared words are counted afresh."""

    def shared_at(self, old, new, rows, cols, len_a, len_b, numbers):
        return similarity.shared_words(
            [old[i] for i in rows.tolist()], [new[j] for j in cols.tolist()]
        )


def _same_as_forgetful(old, new, monkeypatch) -> None:
    """Every group large (scored on candidates, where the counts are kept): the pairings are
    those made counting every pair afresh."""
    monkeypatch.setattr(align, "DENSE_LIMIT", 0)
    kept = _pairings(Aligner(old, new))
    with monkeypatch.context() as m:
        m.setattr(align, "SharedCounts", _Forgetful)
        assert _pairings(Aligner(old, new)) == kept


@examples(40)
@given(document_pairs())
def test_relative_pass_pairs_as_counting_afresh(pair):
    old, new = pair
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same_as_forgetful(
            load(old.source()).part(front=False), load(new.source()).part(front=False), monkeypatch
        )


@pytest.mark.parametrize("old,new", _REAL[:3], ids=lambda p: p.name)
def test_relative_pass_pairs_as_counting_afresh_on_real_revisions(old, new, monkeypatch):
    _same_as_forgetful(load(old).part(front=False), load(new).part(front=False), monkeypatch)
