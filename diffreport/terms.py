"""Term shifts: policy terms that appeared, vanished, rose, fell or were renamed.

Candidates are quoted slogans (`“两重”`, `“高效办成一件事”`), terms of the policy dictionary
(`data/policy_terms.txt`) and jieba's TF-IDF keywords of three or more characters (two-character
keywords such as `助力` are mostly style). A term is `new` when the old document never uses it
and `dropped` when the new one never does; `rose` / `fell` are terms used on both sides whose
frequency (per character of text) changed most. A *rename* is a replacement that recurs in
several paired units (`质量技监部门` → `市场监管部门` in nine articles) while the old term
disappears: it is reported once, not as forty edits, and its two terms are not listed again
as new and dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Indel

from .edits import token_edits
from .model import Document, Node
from .normalise import CN_NUMERALS, compiled_later
from .result import Alignment, Rename, TermShift
from .tokens import (
    FUNCTION_WORDS,
    NUMBER_TAILS,
    STOP_LATIN,
    UNIT,
    cut_run,
    keywords,
    segmenter,
)

# Quoted spans paired in order, whatever their length: with a length in the pattern, a
# straight quote closing a long span would open a false one (`"work based on…" and a "…`).
_quoted = compiled_later(r"[“\"「『]([^”\"」』]*)[”\"」』]")
QUOTED_TERM_CHARS = (2, 16)  # a quoted span this long (inclusive) may be a defined term
_between_cjk = compiled_later(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
_cjk_word = compiled_later(r"[\u4e00-\u9fff]+")
# Keywords (TF-IDF) taken from each document as candidate terms.
KEYWORDS_PER_DOCUMENT = 80


@lru_cache(maxsize=1)
def _policy_terms() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "policy_terms.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.split()[0] for line in lines if line.strip())


def _quoted_terms(doc: Document) -> Counter[str]:
    shortest, longest = QUOTED_TERM_CHARS
    out: Counter[str] = Counter()
    for b in doc.of_kind("block"):
        for m in _quoted().finditer(b.text):
            # A line break inside Chinese is no space; between Latin words it is one.
            term = _between_cjk().sub("", " ".join(m.group(1).split()))
            if shortest <= len(term) <= longest:
                out[term] += 1
    return out


def _keywords(doc: Document, top: int = KEYWORDS_PER_DOCUMENT) -> list[str]:
    text = "\n".join(b.text for b in doc.of_kind("block"))
    return [w for w in keywords(text, top) if len(w) >= TERM_MIN_CHARS and not w.isdigit()]


# A term's places: the first blocks that hold it, in reading order.
WHERE_LIMIT = 5


def _full_nodes(doc: Document) -> list[Node]:
    """The nodes whose texts, one a line, make :func:`_full_text`."""
    return [n for n in doc.nodes if n.kind in ("section", "block")]


def _full_text(doc: Document) -> str:
    return "\n".join(n.text for n in _full_nodes(doc))


def full_texts(old: Document, new: Document) -> tuple[str, str]:
    """The texts the terms are counted in, of both documents (:func:`term_uses` and
    :func:`term_shifts` take them when already made: a second core makes them beforehand)."""
    return _full_text(old), _full_text(new)


class _Places:
    """Which block of a document each offset of its :func:`_full_text` lies in, to turn a
    term's uses (found once for all terms by :func:`count_terms`) into the blocks holding it:
    searching the blocks one by one for each term read the document once per term."""

    def __init__(self, doc: Document) -> None:
        self.nodes = _full_nodes(doc)
        self.starts = list(accumulate((len(n.text) + 1 for n in self.nodes), initial=0))

    def where(self, counts: TermCounts, term: str, limit: int = WHERE_LIMIT) -> list[str]:
        """The first ``limit`` blocks whose text holds ``term``."""
        ends = counts.ends(term)
        if ends is None or "\n" in term:  # (a use then may cross two nodes' texts)
            return _where([n for n in self.nodes if n.kind == "block"], term, limit)
        out: list[str] = []
        for end in ends:
            node = self.nodes[bisect_right(self.starts, end - len(term) + 1) - 1]
            if node.kind == "block" and (not out or out[-1] != node.id):
                out.append(node.id)
                if len(out) == limit:
                    break
        return out


def _where(blocks: list[Node], term: str, limit: int = WHERE_LIMIT) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if term in b.text:
            out.append(b.id)
            if len(out) == limit:
                break
    return out


# --- renames -------------------------------------------------------------------------------
# A rename is found in three steps: the changes of the finest changed units give candidate
# term pairs (a change, or a few close changes, completed into whole words with the unchanged
# text around them); a candidate stands if the old term is (almost) gone from the new version
# and the substitution recurs across paired units (counted in the texts, however the diff cut
# them); overlapping candidates keep the one most units support (the fuller one on a tie).

# A term is at most this long (`互联网及其他公共信息网络运营商、服务商` is 19 characters,
# `User Personal Information` 25).
TERM_CHARS = 32
# Changes this close (atoms of unchanged text between them, no punctuation) may make one
# replacement: `发展[与]改革[行政主管]部门` → `发展改革部门`, `质量[技]监[]部门` → `市场监管部门`.
JOIN_GAP = 4
# ... up to this many changes.
JOIN_CHANGES = 3
# Unchanged atoms on each side a candidate may take to complete its words (`民政` + `局` →
# `部门`; `国务院` + `科学技术` → `卫生健康` + `主管部门`).
CONTEXT_ATOMS = 6
# The old term is (almost) gone: at most this share of its uses is left in the new version.
GONE_SHARE = 0.25
# A short new term left of the old one (`区` of `区、县`, `降碳` of `减污降碳`) counts in a unit
# whose diff does not show the replacement only where it stands in the old term's place.
SHORT_TERM = 2
# A word is part of the old term when it follows this share of its uses (`质量技监部门`).
FOLLOWED = 0.75
# A fuller reading of a rename (`主体` → `企业等经营主体`) stands if it holds in this share of
# the units the shorter one holds in.
FULLER = 0.8
# A term has at least this many characters: one (`区`, `的`) names nothing on its own.
TERM_MIN_CHARS = 2
# A keyword is followed as a term from this many characters (quoted and policy terms at any
# length): shorter ones are everyday words whose counts say little.
KEYWORD_TERM_CHARS = 3
# A rename is a replacement made in at least this many units: once is an edit of one provision.
RENAME_MIN_UNITS = 2
# The new term's uses beyond the old term's letters grow by at least this many per unit where
# it replaced the old one (else the "new" term was there all along).
RENAME_NEW_USES = 0.5
# A term's use rose or fell when its count moved by at least this many ...
SHIFT_MIN_CHANGE = 2
# ... and its rate per character grew or shrank by this factor: less is the documents' length.
SHIFT_RATIO = 1.5
# Words past the nearest word edge a candidate may take from the unchanged text around its
# change: one on the left, two on the right (a head word: `质量技监` + `部门`).
LEFT_WORDS = 1
RIGHT_WORDS = 2
# The unchanged text kept on each side before atomising: room for CONTEXT_ATOMS atoms of up to
# three characters (a Chinese character is one atom; longer English words leave room for fewer).
CONTEXT_CHARS = 3 * CONTEXT_ATOMS
# The function words, to find one at a term's two edges (str.startswith takes a tuple).
_FUNCTION_WORD_TUPLE = tuple(sorted(FUNCTION_WORDS))
# Term shifts kept per kind (new, dropped, rose, fell, renames), the most used first.
SHIFTS_SHOWN = 60

_PUNCT = re.compile(r"[^\w\s]|_")
# A unit's own label is not part of a term (`第十条各部` → `第十四条国务院组成部门`).
_leading_label = compiled_later(
    rf"^\s*(?:第[{CN_NUMERALS}\d]+[编章节条款项](?:之[{CN_NUMERALS}\d]+)?"
    rf"|[（(][{CN_NUMERALS}\d]+[）)]|[{CN_NUMERALS}]+、)\s*"
)
_label_in = compiled_later(rf"第[{CN_NUMERALS}\d]+(?:、[{CN_NUMERALS}\d]+)*[编章节条款项]")
# Figures are targets, links and paths are not terms.
# A word that is a number, or a number and its unit (`三`, `三人`).
_figure = compiled_later(rf"[{CN_NUMERALS}万亿]+(?:{UNIT}|[{NUMBER_TAILS}])?")
_NUMERAL_ONLY = re.compile(rf"[\s{CN_NUMERALS}万亿\d.．%‰]*")
_NOT_TERM = re.compile(r"[\d/.:#()\[\]]")
# Characters that join or qualify words: a term neither starts nor ends with one.
_PARTICLES = frozenset("的和与及或等之其")
# One-character words that introduce, qualify or place (`在未`, `未采取`, `的情况下`), not name:
# no term's first or last word.
_EDGE_CHARACTERS = frozenset(
    "在对向从将把被于以为由未不也都并而即应须可经按依至使让给上下中内外前后时间"
)
# Inside a term: an enumeration comma (`区、县`) or brackets (`聘（任）期`), no other punctuation.
_INNER_PUNCT = re.compile(r"[^\w\s、（）]|_")
_cjk_spaced = compiled_later(r"[\u4e00-\u9fff]\s|\s[\u4e00-\u9fff]")
_token_runs = compiled_later(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z][A-Za-z'’\-]*|\d+|\S|\s+")


# _token_runs with a Chinese character as a token of its own: the atoms of a text without
# characters of CJK Extension A (a run holding one is an atom whole).
_atom = compiled_later(r"[\u4e00-\u9fff]|[A-Za-z][A-Za-z'’\-]*|\d+|\S|\s+")
_extension_a = compiled_later(r"[\u3400-\u4dbf]")


def atoms(text: str) -> list[str]:
    """Pieces a replacement is made of: Chinese characters one by one (a rename may change part
    of a word: `民政局` → `民政部门`), Latin words, numbers and punctuation whole."""
    if not _extension_a().search(text):
        return _atom().findall(text)
    out: list[str] = []
    for m in _token_runs().finditer(text):
        t = m.group()
        if _cjk_word().fullmatch(t):
            out.extend(t)
        else:
            out.append(t)
    return out


# _token_runs' runs of Chinese characters (the other tokens hold none).
_han_runs = compiled_later(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def _token_edges(text: str) -> set[int]:
    """Offsets where :data:`_token_runs`' tokens start or end: they tile the text (every
    character is ``\\S`` or ``\\s``), so their lengths summed give all (found in C)."""
    return set(accumulate(map(len, _token_runs().findall(text)), initial=0))


@lru_cache(maxsize=65536)
def word_edges(text: str) -> frozenset[int]:
    """Offsets where a word starts or ends: jieba's words with and without its HMM (which may
    join a character to the next word: `市水|行政|主管部门`), other tokens whole."""
    edges = _token_edges(text)
    cut = segmenter().cut
    for m in _han_runs().finditer(text):
        run, start = m.group(), m.start()
        if _cjk_word().fullmatch(run):
            edges.update(accumulate(map(len, cut_run(run)), initial=start))
            edges.update(accumulate(map(len, cut(run, False)), initial=start))
    return frozenset(edges)


@lru_cache(maxsize=65536)
def hmm_edges(text: str) -> frozenset[int]:
    """Offsets where jieba's usual words (HMM on) and other tokens start or end."""
    edges = _token_edges(text)
    for m in _han_runs().finditer(text):
        run = m.group()
        if _cjk_word().fullmatch(run):
            edges.update(accumulate(map(len, cut_run(run)), initial=m.start()))
    return frozenset(edges)


def _inside_word(text: str, start: int, end: int, strict: bool = False) -> bool:
    """``text[start:end]`` lies in one of jieba's words and is not all of it (`大` in `股东大会`,
    `书` in `通知书`); ``strict``: not at its edges either (an insertion point in `中国`)."""
    edges = sorted(hmm_edges(text))
    k = bisect_right(edges, start)
    if k == 0 or k == len(edges):
        return False
    word_start, word_end = edges[k - 1], edges[k]
    if end > word_end or (word_start, word_end) == (start, end):
        return False
    return not strict or word_start < start < word_end


@lru_cache(maxsize=65536)
def _edge_word(term: str) -> bool:
    """Starts and ends with a content word (not `与改革`, `国家有关`, `本法`)."""
    return edge_characters(term) and _edge_words(term)


@lru_cache(maxsize=65536)
def edge_characters(term: str) -> bool:
    """:func:`_edge_word`'s tests of the characters alone (no segmenting: made first)."""
    if not term:  # a cut of spaces only (`Bullseye 的新版` → `bullseye 的`)
        return False
    if not (term[0].isalnum() and term[-1].isalnum()) or _INNER_PUNCT.search(term):
        return False
    if _cjk_spaced().search(term):
        return False  # `条 网络`: a label's last character, not a word
    if term[0] in _PARTICLES or term[-1] in _PARTICLES:
        return False
    return not (term.startswith(_FUNCTION_WORD_TUPLE) or term.endswith(_FUNCTION_WORD_TUPLE))


def _edge_words(term: str) -> bool:
    """:func:`_edge_word`'s test of the first and last words, for a term whose characters
    pass."""
    words = _words(term)
    return not any(w in _EDGE_CHARACTERS or w.lower() in STOP_LATIN for w in (words[0], words[-1]))


@lru_cache(maxsize=65536)
def _words(term: str) -> tuple[str, ...]:
    """jieba's words (HMM on) and other tokens of a term, without spaces (cached: a change's
    terms are read with every reach into the text around it)."""
    out: list[str] = []
    for m in _token_runs().finditer(term):
        if _cjk_word().fullmatch(m.group()):
            out.extend(cut_run(m.group()))
        elif not m.group().isspace():
            out.append(m.group())
    return tuple(out)


@lru_cache(maxsize=65536)
def _has_figure(term: str) -> bool:
    """One of the term's words is a number or a number and its unit (`三`, `三人`)."""
    return any(_figure().fullmatch(w) for w in _words(term))


def _context(before: str, after: str) -> tuple[str, str]:
    """The unchanged text on each side of a change, up to the nearest punctuation."""
    left = _PUNCT.split(before)[-1] if before else ""
    right = _PUNCT.split(after)[0] if after else ""
    return left[-CONTEXT_CHARS:], right[:CONTEXT_CHARS]


def _term_pairs(before: str, deleted: str, inserted: str, after: str) -> frozenset[tuple[str, str]]:
    """Candidate (old term, new term) pairs for one change between ``before`` and ``after``:
    each run of up to JOIN_CHANGES close character-level changes, with up to CONTEXT_ATOMS of
    the unchanged text on each side, where both terms start and end on word edges."""
    return _pairs_in_context(*_context(before, after), deleted, inserted)


@lru_cache(maxsize=65536)
def _pairs_in_context(
    left: str, right: str, deleted: str, inserted: str
) -> frozenset[tuple[str, str]]:
    """:func:`_term_pairs` once the context is cut (cached: long codes repeat their changes)."""
    old_s, new_s = left + deleted + right, left + inserted + right
    a, b = atoms(old_s), atoms(new_s)
    kinds = dict.fromkeys(a + b)
    vocab = dict(zip(kinds, map(chr, range(0x10000, 0x10000 + len(kinds))), strict=True))
    # (changed, old start, old end, new start, new end); a deletion next to an insertion is
    # one change.
    ops: list[list] = []
    codes_a, codes_b = "".join(map(vocab.__getitem__, a)), "".join(map(vocab.__getitem__, b))
    for tag, src_start, src_end, dest_start, dest_end in Indel.opcodes(codes_a, codes_b).as_list():
        changed = tag != "equal"
        if changed and ops and ops[-1][0]:
            ops[-1][2], ops[-1][4] = src_end, dest_end
        else:
            ops.append([changed, src_start, src_end, dest_start, dest_end])
    a_off = [0, *accumulate(map(len, a))]
    b_off = [0, *accumulate(map(len, b))]
    changes = [k for k, op in enumerate(ops) if op[0]]

    def room(k: int, step: int) -> int:
        """Unchanged atoms next to change ``k`` (before it: step -1) up to punctuation."""
        j = k + step
        if not 0 <= j < len(ops) or ops[j][0]:
            return 0
        run = a[ops[j][1] : ops[j][2]]
        if step < 0:
            run = run[::-1]
        n = 0
        for t in run[:CONTEXT_ATOMS]:
            if _PUNCT.fullmatch(t):
                break
            n += 1
        return n

    out: set[tuple[str, str]] = set()
    for i, first in enumerate(changes):
        for joined, last in enumerate(changes[i : i + JOIN_CHANGES]):
            if last != first:
                gap = ops[last - 1]  # the unchanged run before `last`
                if gap[2] - gap[1] > JOIN_GAP or any(
                    _PUNCT.fullmatch(t) for t in a[gap[1] : gap[2]]
                ):
                    break
            s0, s1 = ops[first][1], ops[last][2]
            d0, d1 = ops[first][3], ops[last][4]
            core_old, core_new = "".join(a[s0:s1]), "".join(b[d0:d1])
            if _NUMERAL_ONLY.fullmatch(core_old) and _NUMERAL_ONLY.fullmatch(core_new):
                continue  # a figure
            insertion = not any(ops[k][2] > ops[k][1] for k in changes[i : i + joined + 1])
            if insertion and not (
                first == last and _inside_word(old_s, a_off[s0], a_off[s0], strict=True)
            ):
                continue  # words added next to a term that stays (`未[按照…]采取`)
            if core_old.strip() in FUNCTION_WORDS and core_new.strip() in FUNCTION_WORDS:
                continue  # `相关` → `有关`: wording, not a term
            deletion = not core_new.strip()
            mode = "inside" if insertion else ""  # `中国` → `中[华人民共和]国`
            if insertion:
                pass
            elif deletion:
                # A deletion is a rename only as the word it changes: an item dropped from an
                # enumeration (`区、县` → `区`), a word dropped before another (`行政处分` →
                # `处分`), characters dropped inside a word (`股东大会` → `股东会`).
                word = core_old.strip("、")
                at = a_off[s0] + core_old.index(word)
                one_word = (
                    _cjk_word().fullmatch(word) is not None
                    and word not in FUNCTION_WORDS
                    and not any(at < e < at + len(word) for e in word_edges(old_s))
                )
                if one_word and core_old[0] == "、" and len(core_old) - len(word) == 1:
                    mode = "after"  # the term is the word before and the item
                elif one_word and core_old[-1] == "、" and len(core_old) - len(word) == 1:
                    mode = "before"
                elif one_word and word == core_old and len(word) >= TERM_MIN_CHARS:
                    mode = "before"
                elif _cjk_word().fullmatch(core_old) and _inside_word(old_s, at, at + len(word)):
                    mode = "inside"  # `股东[大]会` → `股东会`, `通知[书]` → `通知`
                else:
                    continue
            # How far the terms reach into the unchanged text: to the nearest word edges, and on
            # the right up to two words further (a head word: `质量技监` + `部门`); a word
            # before both is context, not term (`涉密` + `计算机`).
            old_edges, new_edges = word_edges(old_s), word_edges(new_s)
            lefts = [
                x
                for x in range(room(first, -1) + 1)
                if a_off[s0 - x] in old_edges and b_off[d0 - x] in new_edges
            ][: LEFT_WORDS + 1]
            rights = [
                y
                for y in range(room(last, 1) + 1)
                if a_off[s1 + y] in old_edges and b_off[d1 + y] in new_edges
            ][: RIGHT_WORDS + 1]
            for x in lefts:
                for y in rights:
                    if (
                        (mode == "after" and (x == 0 or y))
                        or (mode == "before" and (x or y == 0))
                        or (mode == "inside" and x + y == 0)
                    ):
                        continue
                    o0, o1 = a_off[s0 - x], a_off[s1 + y]
                    n0, n1 = b_off[d0 - x], b_off[d1 + y]
                    o, n = old_s[o0:o1].strip(), new_s[n0:n1].strip()
                    if o == n or not TERM_MIN_CHARS <= max(len(o), len(n)) <= TERM_CHARS:
                        continue
                    if _NOT_TERM.search(o + n) or _label_in().search(o + n):
                        continue
                    if len(n) < TERM_MIN_CHARS and not (mode in ("after", "before") and "、" in o):
                        continue  # one character only for an enumeration cut (`区、县` → `区`)
                    # The tests of characters first: those of words segment the terms.
                    if not edge_characters(o) or not edge_characters(n):
                        continue
                    if _has_figure(o) or _has_figure(n) or not _edge_words(o) or not _edge_words(n):
                        continue
                    if set(_words(o)) ^ set(_words(n)) <= FUNCTION_WORDS:
                        continue  # `会同相关行政管理` → `会同有关行政管理`: wording
                    out.add((o, n))
    return frozenset(out)


# The levels whose changes show renames, finest first: the finest whose units changed is read.
RENAME_LEVELS = ("clause", "sentence", "block")


def _shows_change(a: Alignment) -> bool:
    return a.status == "changed" and bool(a.diff)


def _rename_level(alignments: Iterable[Alignment]) -> str | None:
    """The finest of :data:`RENAME_LEVELS` with a changed unit (with an inline diff)."""
    levels = {a.level for a in alignments if _shows_change(a)}
    return next((lv for lv in RENAME_LEVELS if lv in levels), None)


def shift_level_needed(classified: Mapping[str, Sequence[Alignment]]) -> str | None:
    """The level whose alignments :func:`term_shifts` may read that ``classified`` (level →
    its alignments, in reading order) lacks; None once it holds all it reads: the blocks, and
    the finest level that shows changes (so the levels can be classified in that order)."""
    if "block" not in classified:
        return "block"
    for level in RENAME_LEVELS[:-1]:
        if level not in classified:
            return level
        if any(map(_shows_change, classified[level])):
            return None
    return None


def shift_alignments(classified: Mapping[str, Sequence[Alignment]]) -> list[Alignment]:
    """The alignments :func:`term_shifts` reads, of ``classified`` once
    :func:`shift_level_needed` asks for no more: given only them, it finds the same shifts
    as from all (the changed blocks of both sides, and the changes of the finest level)."""
    blocks = [a for a in classified["block"] if a.old and a.new and a.status != "unchanged"]
    # (_rename_level of them all, each level read only up to its first change)
    level = next(
        (lv for lv in RENAME_LEVELS if any(map(_shows_change, classified.get(lv, ())))), None
    )
    if level is None or level == "block":
        return blocks
    return blocks + [a for a in classified[level] if _shows_change(a)]


def _candidates(alignments: list[Alignment], new: Document) -> dict[tuple[str, str], set[str]]:
    """Candidate renames from the changes of the finest changed units, in reading order, each
    with the new blocks whose changes show it."""
    level = _rename_level(alignments)
    out: dict[tuple[str, str], set[str]] = {}
    for a in alignments:
        if a.level != level or not _shows_change(a):
            continue
        block = new.block_of(a.new[0])
        block_id = block.id if block is not None else a.new[0]
        for pair in _diff_pairs(a.diff):
            out.setdefault(pair, set()).add(block_id)
    return out


def _diff_pairs(diff: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Candidate (old term, new term) pairs of one unit's inline diff, in order."""
    # The unit as runs: unchanged text, then (deleted, inserted), alternately.
    runs: list = [""]
    for op, text in diff:
        if op == "equal":
            if isinstance(runs[-1], str):
                runs[-1] += text
            else:
                runs.append(text)
        else:
            if isinstance(runs[-1], str):
                runs.append(["", ""])
            runs[-1][op == "insert"] += text
    if isinstance(runs[-1], list):
        runs.append("")
    for i in range(1, len(runs), 2):
        # A change, or a few changes a short unchanged run apart (`第五十[九]条
        # [互联网及其他公共信息]网络[运营商、服务商→运营者]`).
        deleted, inserted = runs[i]
        for j in range(i, min(i + 2 * JOIN_CHANGES, len(runs) - 1), 2):
            if j > i:
                gap = runs[j - 1]
                if len(gap) > JOIN_GAP or _PUNCT.search(gap):
                    break
                deleted += gap + runs[j][0]
                inserted += gap + runs[j][1]
            before, after = runs[i - 1], runs[j + 1]
            old_t, new_t = deleted, inserted
            if not before.strip():
                old_t = _leading_label().sub("", old_t, count=1)
                new_t = _leading_label().sub("", new_t, count=1)
            if not old_t.strip():
                continue
            yield from sorted(_term_pairs(before, old_t, new_t, after))


def ready_renames(
    old: Document, new: Document, pairs: Mapping[str, Iterable[tuple[list[str], list[str]]]]
) -> Iterator[list[tuple[str, str]]]:
    """Finds ahead, a unit at a time, the candidate renames :func:`term_shifts` will most
    likely read, into the caches it reads them from (:func:`_pairs_in_context`): those of the
    inline diffs (as the classifier diffs a changed pair: :func:`edits.token_edits`) of the
    pairs of different texts of the finest of the clauses and sentences that has one (``pairs``:
    each level's pairings' ids, old and new, read only as far as needed). Yields the
    candidates of each such pair, and nothing every :data:`READY_SCANNED` pairings looked at
    without one: a caller stops when it has other work (each step fills caches only: the
    shifts are the same whenever it stops). Told the pairings, a second core finds them while the first classifies (the
    finest level's changes: ~85 % of term_shifts' time: real-2m 214 -> 91 ms once readied,
    in 224-235 ms; unrelated-1m 122 -> 31, in 114)."""
    for level in READIED_LEVELS:
        seen: set[tuple[str, str]] = set()
        for k, (old_ids, new_ids) in enumerate(pairs.get(level, ()), 1):
            if len(old_ids) == 1 and len(new_ids) == 1:
                texts = old.node(old_ids[0]).text, new.node(new_ids[0]).text
                if texts[0] != texts[1] and texts not in seen:
                    seen.add(texts)
                    yield list(_diff_pairs(token_edits(*texts)))
                    continue
            if k % READY_SCANNED == 0:
                yield []
        if seen:
            return


# The levels whose changes :func:`ready_renames` reads, finest first: a block's diff may be
# left out (too long), and the finest level below it shows the same changes.
READIED_LEVELS = RENAME_LEVELS[:-1]
# :func:`ready_renames` yields at least once in this many pairings looked at (~0.3 ms).
READY_SCANNED = 1024


# Two changes in one block are read crosswise when that pairs terms this much more alike (the
# sum of two normalised similarities, 0..2): `试用期考核和聘期考核` → `聘（任）期考核和专项考核`.
CROSS_MARGIN = 0.1
# A block showing more candidates than this is not checked for crossed ones (pairs: squared).
CROSS_CANDIDATES = 60


def _crossed(candidates: dict[tuple[str, str], set[str]]) -> set[tuple[str, str, str]]:
    """(old, new, block) of candidates that a block's changes show position by position where
    a reordered list puts them crosswise: `试用期考核和聘期考核` → `聘（任）期考核和专项考核` is not
    `聘期考核` → `专项考核` there, as `聘期考核` is far more like `聘（任）期考核`. Such a block
    supports neither reading as a rename."""
    by_block: dict[str, list[tuple[str, str]]] = {}
    for pair, shown in candidates.items():
        for block in shown:
            by_block.setdefault(block, []).append(pair)
    out: set[tuple[str, str, str]] = set()
    like = Indel.normalized_similarity
    for block, pairs in by_block.items():
        if len(pairs) > CROSS_CANDIDATES:
            continue
        for k, (o1, n1) in enumerate(pairs):
            for o2, n2 in pairs[k + 1 :]:
                # two different changes, not one read with more or less context, nor a chain
                # (`涉密计算机` → `涉密信息系统` → `信息系统、信息设备`)
                if any(a in b or b in a for a, b in ((o1, o2), (n1, n2), (o1, n2), (o2, n1))):
                    continue
                if like(o1, n2) + like(o2, n1) > like(o1, n1) + like(o2, n2) + CROSS_MARGIN:
                    out.update(((o1, n1, block), (o2, n2, block)))
    return out


def _units(alignments: list[Alignment], old: Document, new: Document) -> list[tuple[str, str, str]]:
    """(old text, new text, first new id) of every paired block that changed."""
    return [
        (
            "\n".join(old.node(i).text for i in a.old),
            "\n".join(new.node(i).text for i in a.new),
            a.new[0],
        )
        for a in alignments
        if a.level == "block" and a.old and a.new and a.status != "unchanged"
    ]


def _whole(term: str) -> bool:
    """Whole words in jieba's usual segmentation (HMM on) too: `质量技监部门`, not `质量技`."""
    return len(term) in hmm_edges(term)


def _resolve(found: list[Rename], count: Callable[[bool, str], int]) -> list[Rename]:
    """One rename per old term, none inside another: a candidate made of two others (`区、县民
    政局` → `区民政部门` is `区、县` → `区` and `民政局` → `民政部门`) goes; then, most supported
    first (the fuller on a tie: `各部、各委员会` → `国务院组成部门`, not `组成部门`), a candidate
    whose old term holds or is held by one taken goes; a new term taken by another old term is
    left to the second round (two terms may merge into one), where the first round's choices
    already stand (`环境保护行政主管部门` → `生态环境部门`, not `水务部门`, which `水行政主管部门`
    became)."""

    def inside(q: Rename, r: Rename) -> bool:
        return q is not r and q.old in r.old and q.new in r.new

    def composed(r: Rename) -> bool:
        parts = [q for q in found if inside(q, r)]
        for k, p in enumerate(parts):
            po, pn = r.old.find(p.old), r.new.find(p.new)
            for q in parts[k + 1 :]:
                qo, qn = r.old.find(q.old), r.new.find(q.new)
                if (po + len(p.old) <= qo or qo + len(q.old) <= po) and (
                    pn + len(p.new) <= qn or qn + len(q.new) <= pn
                ):
                    return True
        return False

    found = [r for r in found if not composed(r)]

    def context(q: Rename, r: Rename) -> tuple[str, str] | None:
        """The words (before, after) that ``r`` adds around ``q`` on both sides alike, if so."""
        i, j = r.old.find(q.old), r.new.find(q.new)
        before, after = r.old[:i], r.old[i + len(q.old) :]
        if r.new[:j] == before and r.new[j + len(q.new) :] == after:
            return before, after
        return None

    def completes(q: Rename, r: Rename) -> bool:
        """``r`` is the fuller reading of ``q``, whose old term is (nearly) always part of
        ``r``'s: the whole new term (`组成部门` → `国务院组成部门`, `主体` → `企业等经营主体`,
        `information` → `personal information`), or the word that follows the old term
        (`质量技监` → `质量技监部门`, not `信息设备` → `信息设备赠送`); not a word before both
        (`涉密计算机` is `计算机` in context)."""
        if not inside(q, r) or r.new == q.new or r.count < FULLER * q.count:
            return False
        # the old term is (nearly) always used as part of the fuller one
        if count(False, r.old) < FOLLOWED * count(False, q.old):
            return False
        around = context(q, r)
        return around is None or (not around[0] and r.count >= q.count)

    def narrower(r: Rename) -> bool:
        """``r`` is a rename found with words around it that are not part of it."""
        return any(
            inside(q, r) and q.count >= r.count and context(q, r) and not completes(q, r)
            for q in found
        )

    ranked = sorted(
        (r for r in found if not any(completes(r, q) for q in found) and not narrower(r)),
        key=lambda r: (
            -r.count,
            not (_whole(r.old) and _whole(r.new)),
            -r.old_count,
            -len(r.old) - len(r.new),
            r.old,
            r.new,
        ),
    )
    taken: list[Rename] = []
    for first_round in (True, False):
        for r in ranked:
            if any(t is r or t.old in r.old or r.old in t.old for t in taken):
                continue
            if first_round and any(t.new == r.new for t in taken):
                continue
            taken.append(r)
    return sorted(taken, key=lambda r: (-r.count, r.old))


def _in_place(old: str, new: str, old_text: str, new_text: str) -> bool:
    """The new term stands where the old one stood: next to the same character on one side
    (`区、县水` → `区水`; `减污降碳加速` → `助力降碳达峰` is another sentence)."""
    at = old_text.find(old)
    while at >= 0:
        before, after = old_text[at - 1 : at], old_text[at + len(old) : at + len(old) + 1]
        if (before and before + new in new_text) or (after and new + after in new_text):
            return True
        at = old_text.find(old, at + 1)
    return False


class TermCounts:
    """How often each of a set of terms occurs in one text, as ``text.count(term)`` counts
    (non-overlapping, left to right), from one pass of an Aho-Corasick automaton over the
    text for all the terms (see :func:`count_terms`). One ``str.count`` per term read the
    whole text once per term, and the terms grow with the text: superlinear."""

    def __init__(self, text: str, ends: dict[str, list[int]]) -> None:
        self.text = text
        self._ends = ends  # term → (inclusive) end index of every occurrence, overlapping
        self._counts: dict[str, int] = {}

    def ends(self, term: str) -> list[int] | None:
        """The end index of every use of ``term``, overlapping ones too, in order; None if
        the automaton did not look for it."""
        return self._ends.get(term)

    def count(self, term: str) -> int:
        got = self._counts.get(term)
        if got is None:
            ends = self._ends.get(term)
            if ends is None:  # not a term the automaton looked for
                got = self.text.count(term)
            elif _overlaps_itself(term):
                got = len(_greedy(ends, len(term)))
            else:
                got = len(ends)
            self._counts[term] = got
        return got

    def count_outside(self, term: str, other: str) -> int:
        """``text.replace(other, "\\0").count(term)``: the uses of ``term`` that are not
        inside (or across) a use of ``other``."""
        if term not in self._ends or other not in self._ends or "\0" in term:
            return self.text.replace(other, "\0").count(term)
        blocked = _greedy(self._ends[other], len(other))  # what replace replaces
        size = len(term)
        k = count = 0
        free = 0  # the first index a counted use may start at
        for end in self._ends[term]:
            start = end - size + 1
            while k < len(blocked) and blocked[k] < start:
                k += 1
            if k < len(blocked) and blocked[k] - len(other) + 1 <= end:
                continue  # it meets a replaced use of `other`
            if start >= free:
                count += 1
                free = end + 1
        return count


def _overlaps_itself(term: str) -> bool:
    """Can two uses of ``term`` overlap (`区区` in `区区区`)? Only then does counting them
    need more than their number."""
    return any(term[:k] == term[-k:] for k in range(1, len(term)))


def _greedy(ends: list[int], size: int) -> list[int]:
    """The ends of the uses ``str.count`` counts: left to right, each after the last."""
    out: list[int] = []
    free = 0
    for end in ends:
        if end - size + 1 >= free:
            out.append(end)
            free = end + 1
    return out


def count_terms(
    texts: list[str], terms: Iterable[str], halves: bool | None = None
) -> list[TermCounts]:
    """:class:`TermCounts` of ``terms`` in each of ``texts``: one automaton for all the
    terms, one pass over each text; its characters in halves (:func:`_halves`) where the
    terms start with :data:`HALVES_FROM_FIRSTS` characters or more (``halves``: either way,
    as told)."""
    import ahocorasick

    index = {term: k for k, term in enumerate(dict.fromkeys(t for t in terms if t))}
    # ("".count is the text's length + 1: left to str.count)
    if not index:
        return [TermCounts(text, {}) for text in texts]
    if halves is None:
        halves = len({term[0] for term in index}) >= HALVES_FROM_FIRSTS
    read = _halves if halves else str
    automaton = ahocorasick.Automaton()
    for term, k in index.items():
        automaton.add_word(read(term), k)
    automaton.make_automaton()
    shift = 1 if halves else 0  # (a use ends with its last character's low half)
    out = []
    for text in texts:
        ends: list[list[int]] = [[] for _ in index]
        for end, k in automaton.iter(read(text)):
            ends[k].append(end >> shift)
        out.append(TermCounts(text, {term: ends[k] for term, k in index.items()}))
    return out


# From this many first characters of the terms, their automaton reads the texts in halves:
# with fewer, the root's letters are few anyway and halving the text costs more (both texts at
# real-2m, plain against halves: 10 first characters 7 against 20 ms, 40: 19 / 27, 60: 27 / 33,
# 80: 36 / 34, 120: 49 / 38, 200: 65 / 39).
HALVES_FROM_FIRSTS = 80


# :func:`_halves`: a character's code above these low bits, and the low bits, each moved into
# a range of its own (high halves from _HIGH_HALF, low halves from _LOW_HALF, apart): no use
# of a term can start at a low half. Ten bits: the automaton's scan of both texts at real-2m
# took 104, 81, 67, 60, 55, 55, 61 ms at 6 to 12 bits.
_LOW_BITS = 10
_LOW_HALF = 0x400
_HIGH_HALF = _LOW_HALF + (1 << _LOW_BITS)  # (0x10FFFF >> 10 = 1087: up to 0xC3F, no surrogate)


def _halves(text: str) -> str:
    """``text`` with each character written as two (its code's high bits, then its low
    ones), for the terms' automaton: pyahocorasick finds a node's next letter by a linear
    scan of its letters, and the root's are every first character of the terms (465 at
    real-2m, where 44 % of the text's characters start none and are compared with all); in
    halves, a node's letters are few. A use
    ending at half ``e`` ends at character ``e >> 1``. count_terms of the candidate terms in
    both texts: real-2m 156-160 -> 69-75 ms, unrelated-1m 87 -> 47 ms."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    halves = np.empty(2 * len(codes), np.uint32)
    halves[0::2] = (codes >> _LOW_BITS) + _HIGH_HALF
    halves[1::2] = (codes & ((1 << _LOW_BITS) - 1)) + _LOW_HALF
    return halves.tobytes().decode("utf-32-le")


def _holders(texts: list[str], terms: Iterable[str]) -> dict[str, list[int]]:
    """Each of ``terms`` → the indices of the ``texts`` holding it, ascending: one automaton
    pass over the texts end to end (a ``str.find`` per term read them once per term)."""
    import ahocorasick

    joined = "\0".join(texts)
    starts = list(accumulate((len(t) + 1 for t in texts), initial=0))
    out: dict[str, list[int]] = {}
    automaton = ahocorasick.Automaton()
    for term in terms:
        if term in out:
            continue
        out[term] = []
        if term and "\0" not in term:
            automaton.add_word(term, (term, len(term) - 1))
        else:  # (the empty term: every text; "\0": across texts, as find would see it)
            at = joined.find(term)
            while at >= 0:
                k = bisect_right(starts, at) - 1
                out[term].append(k)
                at = joined.find(term, starts[k + 1])
    if len(automaton):
        automaton.make_automaton()
        for end, (term, back) in automaton.iter(joined):
            k = bisect_right(starts, end - back) - 1
            held = out[term]
            if not held or held[-1] != k:
                held.append(k)
    return out


def _renames(
    candidates: dict[tuple[str, str], set[str]],
    old: Document,
    new: Document,
    alignments: list[Alignment],
    min_units: int,
    texts: tuple[str, str],
) -> list[Rename]:
    units = _units(alignments, old, new)
    holders = _holders([u[0] for u in units], [o for o, _ in candidates])
    crossed = _crossed(candidates)
    # Paired units where the old term was replaced by the new one (counted, not diffed: the
    # diff of a reworded article may cut the terms anywhere), among the changed units holding
    # the old term (less text than the documents). Found first: only the terms of candidates
    # that enough units show are counted in the whole texts (most are shown by one).
    shown_in: dict[tuple[str, str], list[str]] = {}
    for (o, n), shown in candidates.items():
        held = [units[k] for k in holders[o]]
        if len(held) < min_units:
            continue
        where = [
            uid
            for old_u, new_u, uid in held
            if (o, n, uid) not in crossed
            and old_u.count(o) > new_u.count(o)
            and new_u.count(n) > old_u.replace(o, "\0").count(n)
            and (uid in shown or n not in o or len(n) > SHORT_TERM or _in_place(o, n, old_u, new_u))
        ]
        if len(where) >= min_units:
            shown_in[o, n] = where
    old_counts, new_counts = count_terms(list(texts), [t for pair in shown_in for t in pair])

    def count(in_new: bool, term: str) -> int:
        return (new_counts if in_new else old_counts).count(term)

    found: list[Rename] = []
    for (o, n), where in shown_in.items():
        # The old term is (almost) gone; the new one may have existed (`区、县` → `区`).
        oc_old = count(False, o)
        if not oc_old or count(True, o) > oc_old * GONE_SHARE:
            continue
        # ... and the new term is used more than before, beyond the old term's letters
        # (`区` in `区、县`).
        nc_new = count(True, n)
        if nc_new - old_counts.count_outside(n, o) < len(where) * RENAME_NEW_USES:
            continue
        found.append(Rename(o, n, len(where), oc_old, nc_new, where[:WHERE_LIMIT]))
    return _resolve(found, count)


# Numbering and figures that jieba's statistics take for words: `第十七条`, `第二百`, `二十九条`,
# `三十九`, `五十万元`, `二年内`.
_numbered = compiled_later(
    rf"第?[{CN_NUMERALS}万亿\d]+(?:[编章节条款项]|(?:{UNIT}|[{NUMBER_TAILS}])内?)?"
)


def _key_word(term: str) -> bool:
    """A keyword names something: not a label or figure, not led or closed by a word that
    joins or qualifies (`国家有关`, `之日起`)."""
    return not _numbered().fullmatch(term) and _edge_word(term)


def _is_term(term: str, quoted: set[str]) -> bool:
    return term in quoted or term in _policy_terms() or len(term) >= KEYWORD_TERM_CHARS


@dataclass(frozen=True, slots=True)
class TermUse:
    """How often a candidate term is used in each document (as ``str.count`` counts), and
    the first blocks holding it there."""

    old_count: int
    new_count: int
    old_places: list[str]
    new_places: list[str]


def term_uses(
    old: Document, new: Document, texts: tuple[str, str] | None = None
) -> dict[str, TermUse]:
    """Every candidate term of a shift — quoted spans, the policy terms, each document's
    TF-IDF keywords — with its uses: what :func:`term_shifts` needs of the two documents
    alone (a second core finds it while the first aligns); ``texts``: :func:`full_texts`."""
    old_text, new_text = texts or full_texts(old, new)
    quoted = set(_quoted_terms(new)) | set(_quoted_terms(old))
    candidates: dict[str, None] = dict.fromkeys(sorted(quoted, key=lambda t: -len(t)))
    if re.search(r"[\u4e00-\u9fff]", old_text + new_text):
        for term in _keywords(new) + _keywords(old):
            if _key_word(term):
                candidates.setdefault(term, None)
        for term in sorted(_policy_terms()):
            candidates.setdefault(term, None)
    shift_terms = [t for t in candidates if _is_term(t, quoted)]
    old_counts, new_counts = count_terms([old_text, new_text], shift_terms)
    old_places, new_places = _Places(old), _Places(new)
    uses: dict[str, TermUse] = {}
    for term in shift_terms:
        oc, nc = old_counts.count(term), new_counts.count(term)
        if oc or nc:
            uses[term] = TermUse(
                oc,
                nc,
                old_places.where(old_counts, term) if oc else [],
                new_places.where(new_counts, term) if nc else [],
            )
    return uses


def term_shifts(
    old: Document,
    new: Document,
    alignments: list[Alignment] | None = None,
    limit: int = SHIFTS_SHOWN,
    uses: dict[str, TermUse] | None = None,
    texts: tuple[str, str] | None = None,
) -> dict[str, list]:
    """New, dropped, rising and falling terms, and renames; ``uses`` are :func:`term_uses`
    of the two documents and ``texts`` their :func:`full_texts`, when already found."""
    old_text, new_text = texts = texts or full_texts(old, new)
    if uses is None:
        uses = term_uses(old, new, texts)
    rename_candidates = _candidates(alignments, new) if alignments else {}
    renames = []
    if rename_candidates:
        texts = (old_text, new_text)
        renames = _renames(rename_candidates, old, new, alignments, RENAME_MIN_UNITS, texts)
    renamed = {r.old for r in renames} | {r.new for r in renames}
    new_terms: list[TermShift] = []
    dropped: list[TermShift] = []
    rose: list[tuple[float, TermShift]] = []
    fell: list[tuple[float, TermShift]] = []
    old_len, new_len = max(1, len(old_text)), max(1, len(new_text))
    for term, use in uses.items():
        if any(term in r for r in renamed):
            continue
        oc, nc = use.old_count, use.new_count
        if oc == 0 and nc > 0:
            new_terms.append(TermShift(term, 0, nc, use.new_places))
        elif nc == 0 and oc > 0:
            dropped.append(TermShift(term, oc, 0, use.old_places))
        elif oc and nc and abs(nc - oc) >= SHIFT_MIN_CHANGE:
            ratio = (nc / new_len) / (oc / old_len)
            shift = TermShift(term, oc, nc, use.new_places)
            if ratio >= SHIFT_RATIO:
                rose.append((ratio, shift))
            elif ratio <= 1 / SHIFT_RATIO:
                fell.append((ratio, shift))
    key = lambda t: (-(t.new_count + t.old_count), t.term)  # noqa: E731
    return {
        "new": sorted(new_terms, key=key)[:limit],
        "dropped": sorted(dropped, key=key)[:limit],
        "rose": [t for _, t in sorted(rose, key=lambda x: (-x[0], x[1].term))][:limit],
        "fell": [t for _, t in sorted(fell, key=lambda x: (x[0], x[1].term))][:limit],
        "renames": renames[:limit],
    }
