"""One side of an alignment: a document's nodes profiled (their words as code strings,
:class:`similarity.Profile`), with the lookups the aligner makes ~100,000 times a megabyte
(each node's parent one level up, its block, its position) made once.

:func:`tokenised` makes a side. A section's profile is built from its children's codes, and
so is a block's or sentence's when its text is its children's texts cut at punctuation
(:func:`cut_at_punctuation`): the same words, without tokenising a text once more at every
level. Another process may find the words of the first nodes meanwhile (:func:`words_ahead`,
its messages handed to :func:`node_profiles` through its ``ahead``): the result is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter

from .model import Document, Kind, Node
from .similarity import Profile, Vocabulary
from .tokens import content_word_tuple, give_words


@dataclass(slots=True)
class Side:
    """A document as the aligner reads it: every node's profile (by node id) and where each
    node stands."""

    doc: Document
    profiles: dict[str, Profile]
    # node id → the nearest ancestor one level up (a block's section, a sentence's block, a
    # clause's sentence, a section's parent), the block holding it (itself for a block,
    # None above blocks) and its index in ``doc.nodes``: looked up ~100 000 times a
    # megabyte, made once.
    up: dict[str, str | None] = field(default_factory=dict)
    block: dict[str, str | None] = field(default_factory=dict)
    pos: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        doc: Document,
        vocab: Vocabulary,
        ahead: Ahead | None = None,
    ) -> Side:
        up: dict[str, str | None] = {}
        block: dict[str, str | None] = {}
        # (the parent's kind read off the parent itself, just seen: a table of every node's
        # kind cost another pass over them, ~10 ms a side at 2 MB)
        by_id = doc.by_id
        for node in doc.nodes:
            nid, kind, parent = node.id, node.kind, node.parent
            if parent is None:
                up[nid], block[nid] = None, (nid if kind == "block" else None)
                continue
            above = by_id[parent].kind  # usually what is wanted: no walk up
            up[nid] = parent if kind == "section" or above == _UP[kind] else _nearest_up(doc, node)
            if kind == "block":
                block[nid] = nid
            elif above == "block":
                block[nid] = parent
            elif parent in block:  # a parent seen first (parents come first) holds the same block
                block[nid] = block[parent]
            else:
                held = doc.nearest(nid, "block")
                block[nid] = held.id if held is not None else None
        pos = dict(zip(map(_ID, doc.nodes), range(len(doc.nodes)), strict=True))
        return cls(doc, node_profiles(doc, vocab, ahead), up, block, pos)

    def profiles_of(self, nodes: list[Node]) -> list[Profile]:
        """The profiles of ``nodes`` (of this side), looked up in C: the groups across a
        document run to tens of thousands of units."""
        return list(map(self.profiles.__getitem__, map(_ID, nodes)))


_ID = attrgetter("id")


# The kind one level up the hierarchy from each kind below sections.
_UP: dict[str, Kind] = {"block": "section", "sentence": "block", "clause": "sentence"}


def _nearest_up(doc: Document, node: Node) -> str | None:
    """The nearest ancestor one level up the hierarchy (a block's section, a sentence's
    block, a section's parent section)."""
    if node.kind == "section":
        return node.parent
    up = doc.nearest(node.id, _UP[node.kind])
    return up.id if up is not None else None


def node_profiles(
    doc: Document, vocab: Vocabulary, ahead: Ahead | None = None
) -> dict[str, Profile]:
    """Every node's profile, children first (they come after their parent in ``doc.nodes``).
    A section's covers its title and its whole subtree, built from its children's codes; so is
    a block's or sentence's when its text is its children's texts cut at punctuation (the
    same words, without tokenising the text once more at every level). With ``ahead``,
    ``ahead(k)`` is asked, before the nodes below the k-th are profiled (from the last node
    down, every :data:`AHEAD_POLL` nodes), how many of the first nodes have their words
    given by now (found by another process from the first node on: :func:`words_ahead`),
    with the messages that gave them since it was last asked; once that reaches k it is not
    asked again. Where the two meet changes nothing made here
    (nodes are profiled in the same order, so words take the same codes)."""
    out: dict[str, Profile] = {}
    # Looked up here, not asked of the document and the vocabulary: a call per node cost
    # more than the lookup (nearly every node is a unit profiled by its own text).
    several = doc.branching()  # (the nodes with more than one child)
    profiled, profile, children = vocab.profiled, vocab.profile, doc.children
    nodes = doc.nodes
    # (slices of nodes, each walked by a loop of its own: a generator yielding node by node
    # cost ~70 ns a node, a tenth of the loop's work)
    composed: set[str] = set()  # (ids of nodes another process found made from children)
    slices: Iterable[Iterable[Node]] = (
        [reversed(nodes)] if ahead is None else _asking(nodes, _taking(ahead, nodes, composed))
    )
    for part in slices:
        for node in part:
            nid = node.id
            if node.kind == "section":
                codes = [vocab.encode(content_word_tuple(node.title or node.text))]
                codes.extend([out[child.id].ordered for child in children(nid)])
                out[nid] = Profile("".join(codes))
                continue
            if nid in several:  # (one child has the same words, or the node has its own text)
                kids = children(nid)
                if nid in composed or cut_at_punctuation(node.text, [k.text for k in kids]):
                    out[nid] = Profile("".join([out[k.id].ordered for k in kids]))
                    continue
            got = profiled.get(node.text)
            out[nid] = got if got is not None else profile(node.text)
    return out


# How many nodes node_profiles profiles between two looks at the words given so far (a look
# costs a few microseconds; the nodes ~2 ms), and how many nodes' words another process sends
# at a time (words_ahead: ~6 ms of its work, lost at most where the two meet).
AHEAD_POLL = 500
AHEAD_CHUNK = 1000


def _asking(nodes: list[Node], ahead: Callable[[int], int]) -> Iterator[Iterable[Node]]:
    """``nodes`` from the last to the first, a slice at a time, ``ahead`` asked before each
    as :func:`node_profiles` says."""
    end = len(nodes)
    while end > 0:
        if ahead(end) >= end:  # the words of all the nodes left are given
            yield reversed(nodes[:end])
            return
        start = max(0, end - AHEAD_POLL)
        yield reversed(nodes[start:end])
        end = start


# What words_ahead sends at a time: the positions in the document's nodes of the nodes whose
# texts' words it found (each text once), those words, the positions of the nodes it found to
# be made from their children's codes, the document's node count and a check of what the
# positions stand for (:func:`_check`), and how many of the first nodes are covered by what
# was sent so far. Positions, not texts: the texts are the receiver's already (sent, they
# were half the bytes to unpickle, and each was looked up by comparing two copies).
WordsAhead = tuple[list[int], list[tuple[str, ...]], list[int], int, int, int]


def words_ahead(
    doc: Document,
    count: int | None = None,
    chunk: int | None = None,
    known: set[str] | None = None,
) -> Iterator[WordsAhead]:
    """The words :func:`node_profiles` looks up (:func:`content_word_tuple`) for the first
    ``count`` nodes of ``doc`` (all by default), each text once, ``chunk`` nodes at a time
    (:func:`ahead_chunks` of them): found in another process while ``node_profiles`` works
    up from the last node (its ``ahead`` hands them over). By text, not by
    node: no word can go to another text than its own. Not those of the ``known`` texts
    (the other document's, looked up already: :func:`texts_looked_up`)."""
    several, children, nodes = doc.branching(), doc.children, doc.nodes
    seen: set[str] = set() if known is None else set(known)
    end = len(nodes) if count is None else min(count, len(nodes))
    chunk = AHEAD_CHUNK if chunk is None else chunk
    for start in range(0, end, chunk):
        at: list[int] = []
        texts: list[str] = []
        composed: list[int] = []
        for i, node in enumerate(nodes[start : min(start + chunk, end)], start):
            if node.kind == "section":
                text = node.title or node.text
            elif node.id in several and cut_at_punctuation(
                node.text, [kid.text for kid in children(node.id)]
            ):
                composed.append(i)  # (made from its children's codes)
                continue
            else:
                text = node.text
            if text not in seen:
                seen.add(text)
                at.append(i)
                texts.append(text)
        check = _check(texts, [nodes[i].id for i in composed])
        words = list(map(content_word_tuple, texts))
        yield at, words, composed, len(nodes), check, min(start + chunk, end)


def _check(texts: list[str], composed: list[str]) -> int:
    """What a message of :func:`words_ahead` stands for, as both processes find it (a forked
    child hashes strings as its parent does)."""
    return hash((tuple(texts), tuple(composed)))


def texts_looked_up(doc: Document) -> set[str]:
    """The texts whose words :func:`node_profiles` may look up for ``doc``'s nodes (a
    section's title, every other node's text): once its side is profiled, a text of the
    other side's among them is profiled already (or its words cached)."""
    return set(map(_looked_up, doc.nodes))


def ahead_chunks(count: int) -> int:
    """How many messages :func:`words_ahead` sends for ``count`` nodes (by chunks of
    :data:`AHEAD_CHUNK`)."""
    return -(-count // AHEAD_CHUNK)


# node_profiles' ``ahead``: asked with k, how many of the first nodes have their words given
# by now, and the messages of :func:`words_ahead` taken since it was last asked.
Ahead = Callable[[int], tuple[int, list[WordsAhead]]]


def _taking(ahead: Ahead, nodes: list[Node], composed: set[str]) -> Callable[[int], int]:
    """``ahead`` as :func:`_asking` asks it (how many of the first nodes are covered), the
    words of the messages it took for ``nodes`` handed to :func:`content_word_tuple`, the
    ids of the nodes found to be made from their children's codes added to ``composed``. A
    message that does not stand for these nodes (another document's) is passed over: their
    words are then found here."""

    def asked(end: int) -> int:
        covered, taken = ahead(end)
        for at, words, made, size, check, _ in taken:
            if size != len(nodes):
                continue
            texts = [_looked_up(nodes[i]) for i in at]
            ids = [nodes[i].id for i in made]
            if _check(texts, ids) == check:
                give_words(texts, words)
                composed.update(ids)
        return covered

    return asked


def _looked_up(node: Node) -> str:
    return node.title or node.text if node.kind == "section" else node.text


# Characters no word can run across (tokens.py: numbers, Chinese runs, Latin words), in any
# width: a text cut after one of them has the words of its pieces, in order. Commas and full
# stops join digits into one number, so a cut after them must not be followed by a digit.
_WORD_BREAKS = frozenset("。，；：！？、）」』”》】;:!?)")
_NUMBER_JOINS = frozenset("，,")


def cut_at_punctuation(text: str, pieces: list[str]) -> bool:
    """Is ``text`` the ``pieces`` in order, with only whitespace between them, each cut
    after a character in :data:`_WORD_BREAKS`?"""
    if text == "".join(pieces):  # most often: nothing between them, checked in C
        if not all(pieces):
            return False
        for piece, following in pairwise(pieces):
            last = piece[-1]
            if last not in _WORD_BREAKS or (last in _NUMBER_JOINS and following[0].isdigit()):
                return False
        return True
    pos = 0
    for k, piece in enumerate(pieces):
        while pos < len(text) and text[pos].isspace() and not text.startswith(piece, pos):
            pos += 1
        if not piece or not text.startswith(piece, pos):
            return False
        pos += len(piece)
        if k + 1 < len(pieces):
            last, following = piece[-1], pieces[k + 1][:1]
            if last not in _WORD_BREAKS or (
                last in _NUMBER_JOINS and following.isdigit() and text[pos : pos + 1] == following
            ):
                return False
    return not text[pos:].strip()


def tokenised(doc: Document, vocab: Vocabulary, ahead: Ahead | None = None) -> Side:
    """One side of an :class:`Aligner`, profiled under ``vocab`` (see :func:`node_profiles`
    for ``ahead``): the old side is profiled first (its words take the first codes), as
    the aligner does."""
    return Side.of(doc, vocab, ahead)
