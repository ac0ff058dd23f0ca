"""Sections checked bottom-up once the blocks are aligned: a section pair stands only on the
evidence of its blocks, and free sections pair where their blocks went."""

from __future__ import annotations

from collections import Counter
from itertools import chain

from .candidates import assign_sparse
from .ledger import Ledger
from .model import Document
from .result import Pairing
from .similarity import TIE_BREAK, similarity

# A section pair stands only if at least this share (by words) of the paired blocks under
# each of the two sections found their partners under the other (bottom-up evidence): a
# section whose content went mostly elsewhere was dissolved, not reworded.
SECTION_SUPPORT = 0.5
# ... and sections paired that way must still share this much wording (a byline section
# holding one news item is not the plan's indicator part).
SECTION_FLOOR = 0.1


def check_sections(ledger: Ledger) -> None:
    """Bottom-up evidence for sections, once blocks are aligned: a section pair (or
    merge/split group) stands only if each side sent at least :data:`SECTION_SUPPORT` of
    its paired blocks' words to the other; then unpaired sections, at any depth, pair
    where their blocks did. Blocks are then marked moved against the sections as they
    now stand. Symmetric: both sides must give the support."""
    old_doc, new_doc = ledger.old.doc, ledger.new.doc
    # (side, section) → words of its paired blocks; (side, section, other section) → of
    # those, the words whose partners lie under the other section. Blocks whose nearest
    # sections and whose partners' nearest sections are the same add to the same counts:
    # their words are summed first, then added once to each of those sections.
    chains = {"o": section_chains(old_doc), "n": section_chains(new_doc)}
    # (side, nearest section, the partners' nearest section or sections) → words
    words: Counter[tuple[str, str | None, str | frozenset[str | None] | None]] = Counter()
    up_o, up_n = ledger.old.up, ledger.new.up
    size_o, size_n = ledger.old.profiles, ledger.new.profiles
    for p in ledger.pairs["block"]:
        po, pn = p.old, p.new
        if not po or not pn:
            continue
        if len(po) == 1 and len(pn) == 1:  # nearly all
            o, n = po[0], pn[0]
            sec_o, sec_n = up_o[o], up_n[n]
            words[("o", sec_o, sec_n)] += size_o[o].size
            words[("n", sec_n, sec_o)] += size_n[n].size
            continue
        there_n = frozenset([up_n[i] for i in pn])
        there_o = frozenset([up_o[i] for i in po])
        for i in po:
            words[("o", up_o[i], there_n)] += size_o[i].size
        for i in pn:
            words[("n", up_n[i], there_o)] += size_n[i].size
    total: Counter[tuple[str, str]] = Counter()
    into: Counter[tuple[str, str, str]] = Counter()
    for (side, sec_here, there), w in words.items():
        other = chains["n" if side == "o" else "o"]
        if isinstance(there, frozenset):
            under = set(chain.from_iterable(other[t] for t in there))
        else:
            under = other[there]
        for sec in chains[side][sec_here]:
            total[(side, sec)] += w
            for t in under:
                into[(side, sec, t)] += w

    def support(olds: list[str], news: list[str]) -> float | None:
        to = sum(total[("o", o)] for o in olds)
        tn = sum(total[("n", n)] for n in news)
        if not to or not tn:
            return None  # no evidence either way: the pair stands on its wording
        so = sum(max(into[("o", o, n)] for n in news) for o in olds) / to
        sn = sum(max(into[("n", n, o)] for o in olds) for n in news) / tn
        return min(so, sn)

    kept: list[Pairing] = []
    # (the old sections whose partners change: their blocks' moved is looked at again)
    touched: set[str] = set()
    for p in ledger.pairs["section"]:
        if p.old and p.new:
            s = support(p.old, p.new)
            if s is not None and s < SECTION_SUPPORT:
                touched.update(p.old)
                for o in p.old:
                    ledger.linked_old[o] -= set(p.new)
                for n in p.new:
                    ledger.linked_new[n] -= set(p.old)
                continue
            kept.append(p)
    free_o = [s.id for s in old_doc.of_kind("section") if not ledger.linked_old.get(s.id)]
    free_n = [s.id for s in new_doc.of_kind("section") if not ledger.linked_new.get(s.id)]
    ni = {n: k for k, n in enumerate(free_n)}
    oi = {o: k for k, o in enumerate(free_o)}
    edges: dict[tuple[int, int], float] = {}
    for (side, o, n), w in into.items():
        if side == "o" and o in oi and n in ni:
            s = support([o], [n])
            if (
                s is not None
                and s >= SECTION_SUPPORT
                and similarity(ledger.old.profiles[o], ledger.new.profiles[n], floor=SECTION_FLOOR)
                >= SECTION_FLOOR
            ):
                # the most words shared; on a tie, the deepest sections
                depth = old_doc.node(o).depth + new_doc.node(n).depth
                edges[(oi[o], ni[n])] = w + into[("n", n, o)] + TIE_BREAK * depth
    for i, j, _ in assign_sparse(edges, len(free_o)) if edges else []:
        o, n = free_o[i], free_n[j]
        score = similarity(ledger.old.profiles[o], ledger.new.profiles[n])
        pairing = Pairing("section", [o], [n], round(min(1.0, score), 4))
        kept.append(pairing)
        ledger.link(pairing)
        touched.add(o)
    if not touched:
        return
    for p in kept:
        p.moved = (
            ledger.parents_differ(p.old[0], p.new[0], "section")
            if len(p.old) == len(p.new) == 1
            else False
        )
    for s in old_doc.of_kind("section"):
        if not ledger.linked_old.get(s.id):
            kept.append(Pairing("section", [s.id], [], None))
    for s in new_doc.of_kind("section"):
        if not ledger.linked_new.get(s.id):
            kept.append(Pairing("section", [], [s.id], None))
    ledger.pairs["section"] = kept
    # A block pair is moved when its sections are not paired (Ledger.parents_differ): that
    # changes only for blocks under the sections touched.
    for p in ledger.pairs["block"]:
        if len(p.old) == 1 and len(p.new) == 1 and up_o[p.old[0]] in touched:
            p.moved = ledger.parents_differ(p.old[0], p.new[0], "block")


def section_chains(doc: Document) -> dict[str | None, list[str]]:
    """Each section (and None, for none) → that section and its section ancestors, nearest
    first: all the sections holding a block whose nearest section it is. (Made for every
    section: a document has hundreds, where it has tens of thousands of blocks.)"""
    chains: dict[str | None, list[str]] = {None: []}
    for sec in doc.of_kind("section"):
        above = [a.id for a in doc.ancestors(sec.id) if a.kind == "section"]
        chains[sec.id] = [sec.id, *above]
    return chains
