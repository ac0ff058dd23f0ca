"""Classify pairings: status, evidence (shared / added / removed key terms), token edits.

Pure functions over the two documents and the pairings (:mod:`diffreport.align`, then
:mod:`diffreport.measures`); evidence is ordered by :func:`diffreport.similarity.rarity`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from heapq import nsmallest
from itertools import chain, filterfalse, islice

from .edits import token_edits
from .model import Document, Node
from .normalise import CN_NUMERALS, LABEL_NUMBER, minor_key, nfkc, strict_key
from .result import Alignment, Evidence, Pairing
from .tokens import FUNCTION_WORDS, content_word_tuple

# A split or merge part holding this share of the words is the article itself, renumbered
# (`第四十八条` → `第五十七条`, one stock sentence of it gone to a general article).
MAIN_PART = 0.8


def main_pair(
    old: Sequence[str], new: Sequence[str], shares: dict[str, float]
) -> tuple[str, str] | None:
    """The (old, new) ids a pairing continues one to one: the pair itself, or of a split or
    merge the part holding :data:`MAIN_PART` of it; else None."""
    if len(old) == 1 and len(new) == 1:
        return old[0], new[0]
    if (len(old) == 1) != (len(new) == 1) and shares:
        part, share = max(shares.items(), key=lambda kv: (kv[1], kv[0]))
        if share >= MAIN_PART:
            return (old[0], part) if len(old) == 1 else (part, new[0])
    return None


# A block pair whose two texts together run longer than this (characters) gets no inline
# diff of its own: a reader follows the diffs of its sentences and clauses, and one diff of a
# whole long article is unreadable (and quadratic to compute).
INLINE_DIFF_MAX_CHARS = 4000
# Evidence lists at most this many key terms per kind (shared, added, removed): the best ones.
EVIDENCE_TERMS = 8
# Above this many key terms on the two sides together (a chapter's), the best are picked by
# a heap, not by sorting them all: the sort's comparisons then cost more than the heap's loop.
EVIDENCE_SORT_MAX = 256
# A key term has at least this many characters: one character (`的`, `和`) names nothing.
KEY_TERM_MIN_CHARS = 2

LABEL_PREFIX = re.compile(
    rf"^\s*({LABEL_NUMBER}|[{CN_NUMERALS}]+、|[（(][{CN_NUMERALS}\d]+[）)]|\d+(?:\.\d+)*[.．、]?)\s*"
)


# Addresses name no subject: `https`, `com`, `en`, `site-policy` are no key terms. A URL
# (bare or in `<…>`), a Markdown link's target `](…)`, an e-mail address.
_ADDRESS = re.compile(
    r"\]\([^)\s]*\)|\b(?:https?|ftp)://[^\s<>()]+|\bwww\.[^\s<>()]+|[\w.+-]+@[\w-]+\.[\w.-]+"
)


@lru_cache(maxsize=65536)
def _text_key_terms(text: str) -> tuple[str, ...]:
    """One text's key terms (content words of two or more characters, not figures, none
    from a web or e-mail address), each once, in reading order; cached, since long codes
    repeat clauses."""
    return tuple(
        [
            w
            for w in dict.fromkeys(content_word_tuple(_key_text(text)))
            if len(w) >= KEY_TERM_MIN_CHARS and not w.isdigit() and w not in FUNCTION_WORDS
        ]
    )


def _key_text(text: str) -> str:
    """``text`` as its key terms are read from it: web and e-mail addresses blanked."""
    if "/" in text or "@" in text or "www." in text:
        return _ADDRESS.sub(" ", text)
    return text


def key_term_texts(doc: Document, nodes: Iterable[Node]) -> list[str]:
    """The texts whose content words (:func:`tokens.content_word_tuple`) a
    :class:`Classifier` of ``doc`` reads for the key terms of ``nodes``: a section's title,
    a unit's own text (without its label), addresses blanked. For another process to find
    those words beforehand (:func:`tokens.give_words`)."""
    subtrees = _Subtrees(doc)
    return [_key_text(subtrees.own_text(node)) for node in nodes]


class _Subtrees:
    """One document's per-node facts that cover a whole subtree (a section's content key
    and key terms hold all its descendants'), each computed once: per pairing they would
    be recomputed at every level of nesting, quadratic in depth x size."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._keys: dict[str, str] = {}
        self._minor_keys: dict[str, str] = {}
        self._sizes: dict[str, int] = {}
        self._terms: dict[str, Sequence[str]] = {}
        # (old section id, new section id) → whether their parts are the same (see
        # _same_parts), by whether minor differences are allowed: kept on the old side.
        self.same_parts: dict[bool, dict[tuple[str, str], bool]] = {False: {}, True: {}}

    def parts(self, node: Node) -> Iterator[Node]:
        """The nodes whose own keys make up ``node``'s content key, in reading order: a
        section and its children's parts; a unit (a block holds its sentences' text)."""
        yield node
        if node.kind == "section":
            for child in self.doc.children(node.id):
                yield from self.parts(child)

    def size(self, node: Node) -> int:
        """How many parts ``node`` has."""
        if node.kind != "section":
            return 1
        size = self._sizes.get(node.id)
        if size is None:
            size = self._sizes[node.id] = 1 + sum(
                [self.size(c) if c.kind == "section" else 1 for c in self.doc.children(node.id)]
            )
        return size

    def own_key(self, node: Node) -> str:
        """A part's share of the content key: a section's title, a unit's text, without
        its numbering label and with only white space and width folded (:func:`strict_key`)."""
        key = self._keys.get(node.id)
        if key is None:
            key = strict_key(self.own_text(node))
            self._keys[node.id] = key
        return key

    def minor_key(self, node: Node) -> str:
        """:meth:`own_key` with punctuation, case, script and glyphs folded as well."""
        key = self._minor_keys.get(node.id)
        if key is None:
            text = nfkc(self.own_text(node))
            if node.kind == "block":  # `⒉` became `2.`: a label once folded
                text = LABEL_PREFIX.sub("", text, count=1)
            key = self._minor_keys[node.id] = minor_key(text)
        return key

    def own_text(self, node: Node) -> str:
        """A section's title; a block's text without its label; a sentence's or clause's
        text without the label of its block when it opens with it (a renumbered article's
        first sentence is the same sentence)."""
        if node.kind == "section":
            return node.title
        if node.kind == "block":
            return _unit_text(node)
        block = self.doc.block_of(node.id)
        if block is not None and block.label and node.text.startswith(block.label):
            return node.text[len(block.label) :].lstrip()
        return node.text

    def key_terms(self, node: Node) -> Sequence[str]:
        """Key terms in reading order, each once: a unit's own; a section's title's, then
        its children's (from their own lists, so each text is read once)."""
        terms = self._terms.get(node.id)
        if terms is None:
            if node.kind == "section":
                children = [self.key_terms(c) for c in self.doc.children(node.id)]
                terms = tuple(dict.fromkeys(chain(_text_key_terms(node.title), *children)))
            else:
                terms = _text_key_terms(self.own_text(node))
            self._terms[node.id] = terms
        return terms


def _same_content(old: _Subtrees, new: _Subtrees, a: Node, b: Node, minor: bool = False) -> bool:
    """Whether ``a`` and ``b`` are `unchanged` (with ``minor``: differ at most in minor
    ways): equal text without numbering, the whole subtree for a section (so a renumbered
    article or chapter with the same text is unchanged, and a chapter one of whose articles
    changed is not). Compared part by part, lazily: a changed chapter stops at its first
    difference, and parts with the same text need no key."""
    if minor:

        def same(x: Node, y: Node) -> bool:
            return _same_text(x, y) or old.minor_key(x) == new.minor_key(y)
    else:

        def same(x: Node, y: Node) -> bool:
            return _same_text(x, y) or old.own_key(x) == new.own_key(y)

    if a.kind != "section":
        return same(a, b)
    return _same_parts(old, new, a, b, same, old.same_parts[minor])


def _same_parts(
    old: _Subtrees,
    new: _Subtrees,
    a: Node,
    b: Node,
    same: Callable[[Node, Node], bool],
    known: dict[tuple[str, str], bool],
) -> bool:
    """Whether the parts of sections ``a`` and ``b`` are pairwise ``same``, in order. Where
    their children line up (as many, of the same sizes) the answer is their children's, and
    a pair of sections is answered once: a chapter's check covers its sections', which are
    classified after it (part by part, every section's check would read its whole subtree:
    quadratic in depth x size)."""
    pair = (a.id, b.id)
    found = known.get(pair)
    if found is not None:
        return found
    if old.size(a) != new.size(b) or not same(a, b):
        found = False
    else:
        kids_a, kids_b = old.doc.children(a.id), new.doc.children(b.id)
        if len(kids_a) == len(kids_b) and all(
            old.size(x) == new.size(y) for x, y in zip(kids_a, kids_b, strict=True)
        ):
            found = all(
                _same_parts(old, new, x, y, same, known)
                if x.kind == "section" and y.kind == "section"
                else same(x, y)  # (a block, or a section of one part: compared as one)
                for x, y in zip(kids_a, kids_b, strict=True)
            )
        else:  # the same number of parts, nested otherwise: compared part by part
            found = all(same(x, y) for x, y in zip(old.parts(a), new.parts(b), strict=True))
    known[pair] = found
    return found


def _same_text(a: Node, b: Node) -> bool:
    """Equal in all that an own key is made of, so equal own keys without computing them."""
    return a.text == b.text and a.title == b.title and a.label == b.label and a.kind == b.kind


def _unit_text(node: Node) -> str:
    """A block's text without its numbering label (`第三十条`, `（一）`, `1.`)."""
    text = node.text
    if node.label and text.startswith(node.label):
        text = text[len(node.label) :]
    return LABEL_PREFIX.sub("", text, count=1)


class _Priority(dict[str, tuple[float, int]]):
    """Word → evidence sort key, filled on first use: rarest first (the named programme,
    place or figure, not the stock verb), then longer (`新质生产力` tells more than `推动`).
    Without weights only length counts."""

    def __init__(self, weights: dict[str, float] | None) -> None:
        super().__init__()
        self.weights = weights or {}

    def __missing__(self, word: str) -> tuple[float, int]:
        key = self[word] = (-self.weights.get(word, 0.0), -len(word))
        return key


class Classifier:
    """Classifies the aligner's pairings of two documents: status, evidence, inline diff.

    One per comparison, so that what many pairings share is computed once per document."""

    def __init__(
        self, old: Document, new: Document, weights: dict[str, float] | None = None
    ) -> None:
        self.old, self.new = old, new
        self._old_nodes, self._new_nodes = old.by_id, new.by_id
        self._old, self._new = _Subtrees(old), _Subtrees(new)
        self._priority = _Priority(weights)
        # Inline diffs by (old text, new text): a long code repeats its clauses.
        self._diffs: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def __call__(self, pairing: Pairing) -> Alignment:
        old_ids, new_ids = pairing.old, pairing.new
        # A pair's two nodes, looked up once for all that follows (None: not a pair).
        a = b = None
        if len(old_ids) == 1 and len(new_ids) == 1:
            a, b = self._old_nodes[old_ids[0]], self._new_nodes[new_ids[0]]
            if (
                not pairing.moved
                and a.kind != "section"
                and a.text == b.text  # (_same_text, inline: tens of thousands of calls)
                and a.title == b.title
                and a.label == b.label
                and a.kind == b.kind
            ):
                # A unit paired with its same text, in place (most pairs of a revision: same
                # unit, same label): nothing to weigh (no evidence, diff, places or label
                # change). Made with its fields in order, holding the pairing's own lists and
                # shares (nothing changes a pairing once classified).
                return Alignment(
                    pairing.level,
                    "unchanged",
                    old_ids,
                    new_ids,
                    pairing.score,
                    False,
                    None,
                    pairing.shares,
                    None,
                    None,
                    False,
                    None,
                    None,
                    pairing.confidence,
                )
            status = "unchanged" if _same_content(self._old, self._new, a, b) else "changed"
        elif not (old_ids and new_ids) and not pairing.shares:
            # A unit new or dropped with no parts (most units between unrelated documents):
            # no evidence, diff, places, labels or confidence; made as below would make it.
            return Alignment(
                pairing.level,
                "new" if new_ids else "dropped",
                old_ids,
                new_ids,
                None,
                pairing.moved,
                shares=pairing.shares,
            )
        elif not new_ids:
            status = "dropped"
        elif not old_ids:
            status = "new"
        elif len(new_ids) > 1:
            status = "split"
        else:
            status = "merged"
        old, new = self.old, self.new
        alignment = Alignment(
            level=pairing.level,
            status=status,
            old=old_ids,
            new=new_ids,
            score=pairing.score if status not in ("new", "dropped") else None,
            moved=pairing.moved,
            shares=pairing.shares,
            confidence=pairing.confidence if old_ids and new_ids else None,
        )
        if pairing.moved and old_ids and new_ids:
            alignment.places = {
                "old": _place(old, a or old.node(old_ids[0])),
                "new": _place(new, b or new.node(new_ids[0])),
            }
        if status == "changed" and a is not None and b is not None:  # (changed: always a pair)
            alignment.minor = _same_content(self._old, self._new, a, b, minor=True)
        if a is not None:  # (main_pair of a pair is the pair)
            main_a, main_b = a, b
        else:
            main = main_pair(old_ids, new_ids, pairing.shares)
            main_a, main_b = (old.node(main[0]), new.node(main[1])) if main else (None, None)
        if (
            main_a is not None
            and main_b is not None
            and main_a.label != main_b.label
            and main_a.label
            and main_b.label
            and main_a.kind in ("section", "block")
        ):
            alignment.old_label, alignment.new_label = main_a.label, main_b.label
        if status in ("changed", "split", "merged"):
            alignment.evidence = self.evidence(pairing)
            if (
                status == "changed"
                and a is not None
                and b is not None
                and pairing.level in ("sentence", "clause", "block")
            ):
                old_text, new_text = a.text, b.text
                if (
                    pairing.level != "block"
                    or len(old_text) + len(new_text) < INLINE_DIFF_MAX_CHARS
                ):
                    alignment.diff = self.diff(old_text, new_text)
        return alignment

    def diff(self, old_text: str, new_text: str) -> list[tuple[str, str]]:
        ops = self._diffs.get((old_text, new_text))
        if ops is None:
            ops = self._diffs[(old_text, new_text)] = token_edits(old_text, new_text)
        return list(ops)  # each alignment its own list

    def evidence(self, pairing: Pairing, limit: int = EVIDENCE_TERMS) -> Evidence:
        """Up to ``limit`` key terms that both sides use, that only the new one uses, and
        that only the old one uses, best first (see :class:`_Priority`)."""
        ow = _union([self._old.key_terms(self._old_nodes[i]) for i in pairing.old])
        nw = _union([self._new.key_terms(self._new_nodes[i]) for i in pairing.new])
        oset, nset = set(ow), set(nw)
        priority = self._priority.__getitem__
        if len(ow) + len(nw) > EVIDENCE_SORT_MAX:
            # (nsmallest is sorted(…)[:limit], ties in reading order, as below)
            return Evidence(
                shared=nsmallest(limit, [w for w in nw if w in oset], key=priority),
                added=nsmallest(limit, [w for w in nw if w not in oset], key=priority),
                removed=nsmallest(limit, [w for w in ow if w not in nset], key=priority),
            )
        # A stable sort keeps reading order among equals; filtering a sorted list keeps it
        # sorted, so the first ``limit`` that pass are the best ``limit`` of the filtered.
        old_best = sorted(ow, key=self._priority.__getitem__)
        new_best = sorted(nw, key=self._priority.__getitem__)
        return Evidence(
            shared=list(islice(filter(oset.__contains__, new_best), limit)),
            added=list(islice(filterfalse(oset.__contains__, new_best), limit)),
            removed=list(islice(filterfalse(nset.__contains__, old_best), limit)),
        )


def _union(seqs: list[Sequence[str]]) -> Sequence[str]:
    """The words of several sequences in order, each once."""
    return seqs[0] if len(seqs) == 1 else tuple(dict.fromkeys(chain(*seqs)))


def _place(doc: Document, node: Node) -> str | None:
    """Where a unit sits, as moves are judged: a sentence's or clause's block, a block's or
    section's parent section."""
    holder = doc.block_of(node.id) if node.kind in ("sentence", "clause") else None
    if holder is None:
        holder = doc.section_of(node.id)
    return holder.id if holder else None
