"""The facts every writer states, made once from a :class:`Comparison`: counts and the
summary table, blocks with their measures, and the judgements a reader needs (reworded or
rewritten, notable new and dropped content, what moved); writers only render them, and the
briefing's wording lives in ``templates/brief.<lang>.j2``. Facts are plain data, so a writer
or template can only say what is true of this pair of documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from . import edits
from .errors import printable
from .model import LEVELS, Document, Node
from .normalise import strict_key
from .parse import is_article_label
from .result import STATUSES, TARGET_STATUSES, Alignment, Comparison
from .sidebyside import heading_rows


@cache
def _markdown():
    """The inline Markdown parser, made when a title first holds markup (importing and
    setting it up is ~10 ms of a cold briefing; Chinese documents rarely need it)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


@dataclass(slots=True)
class Measure:
    status: str  # new | dropped | changed | moved-in | moved-out
    text: str
    diff: list[tuple[str, str]] | None = None
    elsewhere: str = ""  # for a move: the block title on the other side
    minor: bool = False  # changed only in punctuation, case, script or numbering glyphs


@dataclass(slots=True)
class BlockChange:
    alignment: Alignment
    old: list[Node]
    new: list[Node]
    measures: list[Measure] = field(default_factory=list)

    @property
    def front(self) -> bool:
        """Front matter (title, enactment history, addressees): shown apart from the body."""
        for n in self.old:  # (loops, not generators: asked of every block)
            if n.role == "front":
                return True
        for n in self.new:
            if n.role == "front":
                return True
        return False

    @property
    def old_title(self) -> str:
        return _titles(self.old)

    @property
    def new_title(self) -> str:
        return _titles(self.new)

    def titles(self) -> tuple[str, str, str]:
        """(the renumbering to state beside the titles, old title, new title): a renumbered
        pair titled only by its labels is titled by its renumbering (`原第三十条 → 第三十二条`)
        and has nothing to state beside; otherwise the renumbering, if any, is stated apart."""
        a, old, new = self.alignment, self.old_title, self.new_title
        if a.old_label is None:
            return "", old, new
        renumbered = renumbering(a.old_label, a.new_label or "")
        if old == a.old_label and new == a.new_label:
            return "", renumbered, renumbered
        return renumbered, old, new


def _titles(nodes: list[Node]) -> str:
    """Blocks' titles (else labels, else openings), joined by ` + `."""
    if len(nodes) == 1:  # most blocks: no generator, no join
        n = nodes[0]
        return n.title or n.label or snippet(n.text, 24)
    return " + ".join(n.title or n.label or _snippet(n.text) for n in nodes)


def _snippet(text: str, width: int = 24) -> str:
    return snippet(text, width)


def block_title(node: Node | None) -> str:
    if node is None:
        return ""
    return node.title or node.label or _snippet(node.text)


def block_changes(c: Comparison, at: dict[str, list[Alignment]] | None = None) -> list[BlockChange]:
    """Each block alignment with its finest-level measures that are new, dropped, changed or
    moved (``at``: the alignments by level, :func:`by_level`, when the caller has them)."""
    old, new = c.old, c.new
    at = at or by_level(c)
    # Only clauses that make a measure: the others (unchanged, in place) are passed over
    # below whichever block they sit in (most clauses of a long document).
    clause_al = [
        a for a in at["clause"] if a.moved or a.status == "dropped" or a.status in _MEASURED_NEW
    ]
    by_old_block: dict[str, list[Alignment]] = {}
    by_new_block: dict[str, list[Alignment]] = {}
    for a in clause_al:
        if a.old:
            b = old.block_of(a.old[0])
            if b:
                by_old_block.setdefault(b.id, []).append(a)
        if a.new:
            b = new.block_of(a.new[0])
            if b:
                by_new_block.setdefault(b.id, []).append(a)
    out: list[BlockChange] = []
    old_nodes, new_nodes = old.by_id, new.by_id
    for a in at["block"]:
        bc = BlockChange(a, [old_nodes[i] for i in a.old], [new_nodes[i] for i in a.new])
        out.append(bc)
        for bid in a.new:  # (loops, not generators: every block is asked)
            if bid in by_new_block:
                break
        else:
            for bid in a.old:
                if bid in by_old_block:
                    break
            else:
                continue  # no clause of it makes a measure (most blocks)
        # A new or dropped block's label is new or dropped with it; a paired one's is not.
        paired = bool(bc.old and bc.new)
        old_label = _shown_label(bc.old) if paired else ""
        new_label = _shown_label(bc.new) if paired else ""
        seen: set[int] = set()
        for bid in a.new:
            for ca in by_new_block.get(bid, []):
                if id(ca) in seen:
                    continue
                seen.add(id(ca))
                if not (ca.status in _MEASURED_NEW or ca.moved):
                    continue  # no measure: its text is not needed
                text = _unlabelled("".join(new.node(i).text for i in ca.new), new_label)
                if ca.status == "new":
                    bc.measures.append(Measure("new", text))
                elif ca.moved:
                    src = old.block_of(ca.old[0])
                    bc.measures.append(Measure("moved-in", text, elsewhere=block_title(src)))
                elif ca.status in ("changed", "split", "merged"):
                    diff = ca.diff
                    old_text = _unlabelled("".join(old.node(i).text for i in ca.old), old_label)
                    # Split and merged clauses carry no diff of their own: the words of all
                    # their parts on each side, compared (else the reader sees no change).
                    if not diff or not _diff_of(diff, old_text, text):
                        diff = edits.token_edits(old_text, text)
                    bc.measures.append(Measure("changed", text, diff, minor=ca.minor))
        for bid in a.old:
            for ca in by_old_block.get(bid, []):
                if id(ca) in seen:
                    continue
                seen.add(id(ca))
                if not (ca.status == "dropped" or ca.moved):
                    continue  # no measure: its text is not needed
                text = _unlabelled("".join(old.node(i).text for i in ca.old), old_label)
                if ca.status == "dropped":
                    bc.measures.append(Measure("dropped", text))
                elif ca.moved:
                    dst = new.block_of(ca.new[0]) if ca.new else None
                    bc.measures.append(Measure("moved-out", text, elsewhere=block_title(dst)))
    return out


# The statuses of a clause that make a measure of its new side (with moves).
_MEASURED_NEW = frozenset(("new", "changed", "split", "merged"))


def _shown_label(nodes: list[Node]) -> str:
    """The label a block's heading shows in place of a title (`第四条`), else ``""``."""
    return nodes[0].label if nodes and not nodes[0].title else ""


def _diff_of(diff: list[tuple[str, str]], old: str, new: str) -> bool:
    """Whether ``diff`` turns ``old`` into ``new`` (its equal and deleted runs give ``old``)."""
    kept = "".join(t for op, t in diff if op != edits.INSERT)
    made = "".join(t for op, t in diff if op != edits.DELETE)
    return kept == old and made == new


def _unlabelled(text: str, label: str) -> str:
    """A clause's text without its article's label (`第四条 国家…` → `国家…`): the block's
    heading shows the label, and a label that opens one clause in the old version and another
    in the new one would otherwise read as deleted from one clause and added to another."""
    text = text.strip()
    if label and text.startswith(label) and text != label:
        return text[len(label) :].lstrip()
    return text


def moved_places(c: Comparison, places: dict) -> str:
    """`old place → new place` for a moved alignment, by title (or text)."""

    def name(doc, node_id: str | None) -> str:
        if node_id is None:
            return "∅"
        node = doc.node(node_id)
        return node.title or node.text

    return f"{name(c.old, places.get('old'))} → {name(c.new, places.get('new'))}"


def is_front(c: Comparison, a: Alignment) -> bool:
    """Whether an alignment is of the front matter (its nodes are, on either side)."""
    if a.old:
        return c.old.node(a.old[0]).role == "front"
    return bool(a.new) and c.new.node(a.new[0]).role == "front"


def by_level(c: Comparison) -> dict[str, list[Alignment]]:
    """The alignments of each level (``Comparison.at`` of every level, in one pass)."""
    out: dict[str, list[Alignment]] = {level: [] for level in LEVELS}
    for a in c.alignments:
        if a.level in out:
            out[a.level].append(a)
        else:
            out[a.level] = [a]
    return out


def split_front(
    c: Comparison, alignments: list[Alignment]
) -> tuple[list[Alignment], list[Alignment]]:
    """``alignments`` of the body and of the front matter (:func:`is_front`), in order."""
    old, new = c.old.by_id, c.new.by_id
    body: list[Alignment] = []
    front: list[Alignment] = []
    for a in alignments:  # is_front inline: tens of thousands
        if a.old:
            is_it = old[a.old[0]].role == "front"
        else:
            is_it = bool(a.new) and new[a.new[0]].role == "front"
        (front if is_it else body).append(a)
    return body, front


def renumbering(old_label: str, new_label: str) -> str:
    """`原第三十条 → 第三十二条` (Chinese labels), `formerly 3. → 4.` otherwise."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in old_label + new_label):
        return f"原{old_label} → {new_label}"
    return f"formerly {old_label} → {new_label}"


def front_lines(
    c: Comparison, front: dict[str, list[Alignment]] | None = None
) -> tuple[list[str], list[str]]:
    """The front-matter lines (blocks) only the new version has, and only the old one has,
    with changed ones on both lists: what the version line reports (``front``: the front
    matter's section and block alignments, :func:`split_front`, when the caller has them)."""
    if front is None:
        front = {level: split_front(c, c.at(level))[1] for level in ("section", "block")}
    added: list[str] = []
    removed: list[str] = []
    for a in front["section"]:
        old = [c.old.node(i).text for i in a.old]
        new = [c.new.node(i).text for i in a.new]
        if [strict_key(t) for t in old] != [strict_key(t) for t in new]:
            added += new
            removed += old
    for a in front["block"]:
        if a.status == "unchanged":
            continue
        added += [c.new.node(i).text for i in a.new]
        removed += [c.old.node(i).text for i in a.old]
    return added, removed


def target_place(t) -> str:
    """Where a target change sits: the article or priority of its new side (or old side), with
    the old one first when they differ (`第二十八条 → 第三十二条`)."""
    old = t.old.block_label if t.old else ""
    new = t.new.block_label if t.new else ""
    if old and new and old != new:
        return f"{old} → {new}"
    return new or old


# ---------------------------------------------------------------- the summary table

# The statuses the summary table counts, in its column order (then moved, then minor).
SUMMARY_STATUSES = STATUSES


@dataclass(slots=True)
class LevelSummary:
    """One row of the summary table: a level's alignments in the body (front matter is
    compared apart) by status, with how many moved and how many changed only in minor ways."""

    level: str
    counts: dict[str, int]  # every status of SUMMARY_STATUSES, zero when absent
    moved: int
    minor: int


def summary(
    c: Comparison,
    levels: tuple[str, ...] = LEVELS,
    bodies: dict[str, list[Alignment]] | None = None,
) -> list[LevelSummary]:
    """The summary table: one row per level of ``levels`` (``bodies``: each level's body
    alignments, :func:`split_front`, when the caller has them)."""
    out = []
    for level in levels:
        if bodies is not None and level in bodies:
            body = bodies[level]
        else:
            body = [a for a in c.at(level) if not is_front(c, a)]
        counts = dict.fromkeys(SUMMARY_STATUSES, 0)
        for a in body:
            counts[a.status] = counts.get(a.status, 0) + 1
        moved = sum(1 for a in body if a.moved)
        minor = sum(1 for a in body if a.minor)
        out.append(LevelSummary(level, counts, moved, minor))
    return out


# ---------------------------------------------------------------- the briefing's facts

# Below this similarity a changed block is "rewritten" rather than "reworded".
REWRITTEN_BELOW = 0.5
# Below this share of paired blocks, the briefing says the documents look unrelated.
UNRELATED_BELOW_PERCENT = 15
# Every key is present (zero when absent), so templates can use them without guards.
BLOCK_STATUSES = (
    "unchanged",
    "minor",
    "reworded",
    "rewritten",
    "new",
    "dropped",
    "split",
    "merged",
)
SECTION_STATUSES = STATUSES
TARGET_CHANGES = TARGET_STATUSES


def detect_language(c: Comparison) -> str:
    """zh when Chinese characters (U+3400–U+9FFF) outnumber Latin letters in the two
    documents, else en."""
    return documents_language(c.old, c.new)


def documents_language(old: Document, new: Document) -> str:
    """:func:`detect_language` of two documents (known before their comparison is)."""
    return texts_language(old.plain_text(), new.plain_text())


def texts_language(old_text: str, new_text: str) -> str:
    """:func:`documents_language` from the documents' :meth:`Document.plain_text`."""
    # Counted over the code points as an array: a long pair is millions of characters.
    codes = np.frombuffer(
        (old_text + new_text).encode("utf-32-le", "surrogatepass"),
        dtype=np.uint32,
    )
    cjk = np.count_nonzero((codes >= 0x3400) & (codes <= 0x9FFF))
    folded = codes | 0x20  # A-Z onto a-z; nothing else lands there
    latin = np.count_nonzero((folded >= ord("a")) & (folded <= ord("z")))
    return "zh" if cjk >= latin else "en"


# Inline Markdown a title would show raw: emphasis, code, links, autolinks, escapes.
_INLINE_MARKUP = re.compile(r"[*_`\[\]<\\&]")
# A list item's bullet at the start of a block (`- `, `* `, `+ `, `• `).
_BULLET = re.compile(r"^[-*+•]\s+")
# A Latin word character: a cut between two of them is a cut mid-word.
_WORD_CHAR = re.compile(r"[A-Za-z0-9'’-]")
# A snippet backs off to the last space before a word it would cut, unless that loses more
# than this share of its width (one long word is cut rather than dropped).
WORD_CUT_SLACK = 0.5


def plain_inline(text: str) -> str:
    """The text a reader of a Markdown document sees: `**Short version:** _We host_` →
    `Short version: We host`, `[Terms](https://…)` → `Terms`; other text is returned as is."""
    if not _INLINE_MARKUP.search(text):
        return text
    inline = _markdown().parseInline(text)[0].children or []
    out: list[str] = []
    for token in inline:
        if token.type in ("text", "code_inline", "html_inline", "image"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


@lru_cache(
    maxsize=16_384
)  # a briefing asks for the same titles again (25 836 asks, 14 218 distinct at 1 MB)
def snippet(text: str, width: int) -> str:
    """The opening of ``text`` as a title: inline Markdown and a leading bullet removed,
    whitespace folded, cut to ``width`` characters with `…`, never in the middle of a Latin
    word when a space comes soon enough before it."""
    text = " ".join(_BULLET.sub("", plain_inline(text.strip())).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if _WORD_CHAR.match(cut[-1]) and _WORD_CHAR.match(text[width - 1]):
        space = cut.rfind(" ")
        if space >= width * WORD_CUT_SLACK:
            cut = cut[:space]
    return cut.rstrip() + "…"


HEADLINE_TARGETS = 3  # the summary names a few changed figures; the table lists them all


def _headline(targets: list[TargetFact]) -> list[TargetFact]:
    """The first changed figures, each said once: two fines of one article raised alike
    (`五十万元以下` → `三百万元以下`) would read as the same sentence twice."""
    seen: set[tuple] = set()
    out: list[TargetFact] = []
    for t in targets:
        said = (t.change, t.indicator, t.here, t.old_value, t.new_value)
        if said not in seen:
            seen.add(said)
            out.append(t)
    return out[:HEADLINE_TARGETS]


def _a_unit(change: BlockChange, section: str, nodes: list[Node]) -> bool:
    """A priority sits in a section and an article carries its number (a statute may have no
    chapters); front matter (dates, addressees) is neither."""
    return not change.front and bool(section or (nodes and nodes[0].label))


def _named(title: str, nodes: list[Node], width: int) -> str:
    """A block as the summary names it: its title, or its opening words when its title is
    only its number (`第五条` says nothing of what the new article is about)."""
    if nodes and not nodes[0].title and title == nodes[0].label:
        return snippet(nodes[0].text, width)
    return snippet(title, width)


@dataclass(slots=True)
class BlockFact:
    change: BlockChange
    # unchanged | minor (punctuation, case, script or numbering glyphs only) | reworded |
    # rewritten | new | dropped | split | merged
    status: str
    moved: bool
    old_title: str
    new_title: str
    old_section: str
    new_section: str
    score: float | None
    added: list[str]
    removed: list[str]
    new: list[Measure] = field(default_factory=list)
    dropped: list[Measure] = field(default_factory=list)
    changed: list[Measure] = field(default_factory=list)
    moved_in: list[Measure] = field(default_factory=list)
    moved_out: list[Measure] = field(default_factory=list)
    # Both labels when the pair was renumbered (`第三十条` → `第三十二条`), else "".
    old_label: str = ""
    new_label: str = ""

    @property
    def renumbered(self) -> bool:
        return bool(self.old_label)

    confidence: str | None = None  # of the pairing: high | medium | low
    # Some of its text changed place in the edit script (the block moved, or a sentence
    # moved inside it), though its status may be unchanged.
    reordered: bool = False

    @property
    def noteworthy(self) -> bool:
        """Worth a heading of its own in the briefing: changed beyond minor ways, or moved."""
        return self.status not in ("unchanged", "minor") or self.moved or self.reordered

    @property
    def anchor(self) -> tuple[str, str]:
        """Where the appendix comment goes: the first new paragraph, or the old one."""
        a = self.change.alignment
        return ("new", a.new[0]) if a.new else ("old", a.old[0])

    @property
    def title(self) -> str:
        return self.new_title or self.old_title

    @property
    def titled(self) -> bool:
        """Whether the block has a lead phrase or label (else its title is a text snippet)."""
        return any(n.title or n.label for n in self.change.old + self.change.new)


@dataclass(slots=True)
class SectionFact:
    status: str
    old_title: str
    new_title: str
    depth: int
    score: float | None
    moved: bool
    old_blocks: int  # blocks directly under it
    new_blocks: int


@dataclass(slots=True)
class TargetFact:
    indicator: str
    old: str
    new: str
    change: str
    anchor: tuple[str, str] | None
    where: str = ""  # the article or priority holding it: `第三十二条`, `原第二十八条 → 第三十二条`
    old_figure: str = ""  # the figure alone, as written: `二百元以上二千元以下`
    new_figure: str = ""

    @property
    def here(self) -> str:
        """Where it is now (the old place if it was dropped), for the summary's sentence."""
        return self.where.split(" → ")[-1]

    @property
    def old_value(self) -> str:
        """The old figure (`4%以上`, `二百元以上二千元以下`), else the text without the
        indicator's name (a qualitative aim)."""
        return self.old_figure or _without(self.old, self.indicator)

    @property
    def new_value(self) -> str:
        return self.new_figure or _without(self.new, self.indicator)


def _without(text: str, indicator: str) -> str:
    rest = text[len(indicator) :] if indicator and text.startswith(indicator) else text
    return rest.strip() or text


@dataclass(slots=True)
class RenumberFact:
    """A paired article or priority whose number changed, and what else happened to it."""

    old_label: str
    new_label: str
    status: str  # as BlockFact.status
    moved: bool


@dataclass(slots=True)
class TermFact:
    term: str
    old_count: int
    new_count: int
    where: list[str]  # block titles


@dataclass(slots=True)
class Facts:
    lang: str
    genre: str
    old_title: str
    new_title: str
    old_path: str
    new_path: str
    date: str
    version: str
    # The body's units in the document's own terms: a statute's articles, other documents'
    # blocks (front matter never counts).
    blocks_old: int
    blocks_new: int
    summary: list[LevelSummary]
    block_counts: dict[str, int]
    measure_counts: dict[str, int]
    sections: list[SectionFact]
    section_counts: dict[str, int]
    blocks: list[BlockFact]
    groups: list[tuple[str, list[BlockFact]]]  # (section title, its blocks) in reading order
    targets: list[TargetFact]
    target_counts: dict[str, int]
    headline_targets: list[TargetFact]
    notable_new: list[str]
    notable_dropped: list[str]
    new_priorities: list[str]
    dropped_priorities: list[str]
    new_terms: list[TermFact]
    dropped_terms: list[TermFact]
    same: bool
    paired_percent: int  # share of all blocks (both sides) that found a counterpart
    unrelated: bool  # so few pairs that the two are probably not versions of one document
    # Front matter (title, enactment history, issuing number): the lines only the new
    # version has, and only the old one (a changed line is on both), for the version line.
    front_added: list[str] = field(default_factory=list)
    front_removed: list[str] = field(default_factory=list)
    renumbered: list[RenumberFact] = field(default_factory=list)
    # The whole document's edit script (the briefing's appendix renders it).
    script: edits.Script | None = None


def _section_title(doc: Document, node_id: str | None) -> str:
    if node_id is None:
        return ""
    sec = doc.section_of(node_id)
    return (sec.title or sec.text) if sec else ""


# Scores are shown to two decimals; a changed unit shows at most this, never 1.00, which a
# reader takes for "identical" (a changed year in a long paragraph scores 0.996).
CHANGED_SCORE_SHOWN_AT_MOST = 0.99


def shown_score(score: float | None, unchanged: bool) -> float | None:
    """A similarity as the outputs show it: a changed unit's never rounds up to 1.00."""
    if score is None or unchanged:
        return score
    return min(score, CHANGED_SCORE_SHOWN_AT_MOST)


class _SectionTitles:
    """The title of the section each node sits in (:func:`_section_title`), found once per
    parent: a document's blocks share a few hundred sections."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._nodes = doc.by_id
        self._by_parent: dict[str | None, str] = {}

    def __call__(self, node_id: str) -> str:
        parent = self._nodes[node_id].parent
        title = self._by_parent.get(parent)
        if title is None:
            title = self._by_parent[parent] = _section_title(self.doc, node_id)
        return title


def _block_fact(
    c: Comparison,
    bc: BlockChange,
    sections: tuple[_SectionTitles, _SectionTitles] | None = None,
) -> BlockFact:
    """A block's facts but whether the edit script moves text into it (``reordered``, set
    by :func:`_mark_reordered` once the script is known)."""
    a = bc.alignment
    old_section, new_section = sections or (_SectionTitles(c.old), _SectionTitles(c.new))
    status = a.status
    if status == "changed":
        if a.minor:
            status = "minor"
        else:
            status = "reworded" if (a.score or 0) >= REWRITTEN_BELOW else "rewritten"
    ev = a.evidence
    fact = BlockFact(
        change=bc,
        status=status,
        moved=a.moved,
        old_title=bc.old_title,
        new_title=bc.new_title,
        old_section=old_section(a.old[0]) if a.old else "",
        new_section=new_section(a.new[0]) if a.new else "",
        score=shown_score(a.score, a.status == "unchanged"),
        added=list(ev.added) if ev else [],
        removed=list(ev.removed) if ev else [],
        old_label=a.old_label or "",
        new_label=a.new_label or "",
        confidence=a.confidence,
    )
    if bc.measures:
        lists = {
            "new": fact.new,
            "dropped": fact.dropped,
            "changed": fact.changed,
            "moved-in": fact.moved_in,
            "moved-out": fact.moved_out,
        }
        for m in bc.measures:
            lists[m.status].append(m)
    return fact


def _mark_reordered(blocks: list[BlockFact], moved_in: set[str]) -> None:
    """Marks the blocks the edit script moves text into (``moved_in``: its new units)."""
    for b in blocks:
        new = b.change.alignment.new
        b.reordered = (new[0] in moved_in) if len(new) == 1 else any(i in moved_in for i in new)


def _groups(
    c: Comparison, blocks: list[BlockFact], sections: list[Alignment] | None = None
) -> list[tuple[str, list[BlockFact]]]:
    """Blocks under the section they sit in (new side; old side for dropped ones), sections in
    the order of the section alignments (``sections``, when the caller has them); blocks
    outside any section come first."""
    old_order: dict[str, int] = {}  # each side's section ids, by place
    new_order: dict[str, int] = {}
    titles: list[str] = [""]
    for a in c.at("section") if sections is None else sections:
        idx = len(titles)
        node = c.new.node(a.new[0]) if a.new else c.old.node(a.old[0])
        titles.append(node.text or node.title)  # with its number: `第一章 总则`
        for i in a.old:
            old_order.setdefault(i, idx)
        for i in a.new:
            new_order[i] = idx
    buckets: dict[int, list[BlockFact]] = {}
    for b in blocks:
        a = b.change.alignment
        ids, doc, order = (a.new, c.new, new_order) if a.new else (a.old, c.old, old_order)
        sec = doc.section_of(ids[0])
        idx = order.get(sec.id, 0) if sec else 0
        buckets.setdefault(idx, []).append(b)
    return [(titles[i], buckets[i]) for i in sorted(buckets)]


def _notable(
    measures: list[Measure],
    terms: list[str],
    limit: int,
    width: int,
    other: str,
    named: set[str] = frozenset(),
) -> list[str]:
    """Measures that carry the most new (or dropped) terms, then the longest ones; none the
    other version still says word for word (``other``: its text), which is not new or gone,
    and none already named as a whole new (or dropped) unit (``named``: those names)."""

    def rank(m: Measure) -> tuple[int, int]:
        return (-sum(1 for t in terms if t in m.text), -len(m.text))

    seen: set[str] = set(named)
    out: list[str] = []
    for m in sorted(measures, key=rank):
        if m.text.rstrip("，,；;。") in other:
            continue
        s = snippet(m.text.rstrip("，,；;。"), width)
        if s not in seen:
            seen.add(s)
            out.append(s)
        if len(out) == limit:
            break
    return out


def _has(doc: Document, node_id: str) -> bool:
    try:
        doc.node(node_id)
    except KeyError:
        return False
    return True


def _target_fact(c: Comparison, t) -> TargetFact:
    anchor = None
    for side, tgt, doc in (("new", t.new, c.new), ("old", t.old, c.old)):
        if tgt is not None:
            block = doc.block_of(tgt.node) if _has(doc, tgt.node) else None
            if block is not None:
                anchor = (side, block.id)
                break
    return TargetFact(
        t.indicator,
        t.old.text if t.old else "",
        t.new.text if t.new else "",
        t.change,
        anchor,
        target_place(t),
        t.old.figure if t.old else "",
        t.new.figure if t.new else "",
    )


def _front_row(c: Comparison, row) -> bool:
    """Whether a side-by-side row shows front matter."""
    return any(c.old.node(i).role == "front" for i in row.old_ids) or any(
        c.new.node(i).role == "front" for i in row.new_ids
    )


def _units(doc: Document) -> int:
    """The body's units as the document counts them: articles in a statute, else blocks."""
    body = [n for n in doc.of_kind("block") if n.role != "front"]
    if doc.genre == "statute":
        return sum(1 for n in body if is_article_label(n.label))
    return len(body)


def section_facts(c: Comparison) -> list[SectionFact]:
    """The structure table: the heading rows of the side-by-side view (the 对照表 and the
    HTML report render the same rows), without the front matter (the version line)."""
    sections = []
    for row in heading_rows(c):
        if _front_row(c, row):
            continue
        a = row.alignment
        sections.append(
            SectionFact(
                status=row.status,
                old_title=" + ".join(cell.text for cell in row.old),
                new_title=" + ".join(cell.text for cell in row.new),
                depth=row.depth,
                score=shown_score(a.score, row.status == "unchanged") if a else None,
                moved=row.moved,
                old_blocks=sum(len(c.old.children(i, "block")) for i in row.old_ids),
                new_blocks=sum(len(c.new.children(i, "block")) for i in row.new_ids),
            )
        )
    return sections


@dataclass(slots=True)
class BodyFacts:
    """The briefing's facts that need only the two documents and their alignments (not the
    figures' changes, the terms' shifts, the edit script or the structure table):
    :func:`body_facts`, which a writer may make before the comparison is done (while it
    waits for its side work) and hand to :func:`gather`."""

    lang: str
    summary: list[LevelSummary]
    blocks: list[BlockFact]
    block_counts: dict[str, int]
    measure_counts: dict[str, int]
    new_units: list[str]
    dropped_units: list[str]
    groups: list[tuple[str, list[BlockFact]]]
    paired_percent: int
    units_old: int
    units_new: int
    front_added: list[str]
    front_removed: list[str]
    plain: tuple[str, str]  # each document's plain_text (what a notable measure is not in)


def body_facts(c: Comparison, lang: str, plain: tuple[str, str] | None = None) -> BodyFacts:
    """What :func:`gather` finds from ``c``'s documents and alignments alone (``lang``: the
    briefing's language, which sets the names' width): ``c``'s targets and terms are not
    read, so a comparison of the same documents and alignments without them gives the same.
    ``plain``: the documents' :meth:`Document.plain_text`, where the caller has them."""
    at = by_level(c)  # once: each level is asked for several times below
    bodies: dict[str, list[Alignment]] = {}
    fronts: dict[str, list[Alignment]] = {}
    for level in ("section", "block", "clause"):
        bodies[level], fronts[level] = split_front(c, at[level])
    # Front matter is reported apart (the version line), never as a block or section.
    changes = [bc for bc in block_changes(c, at) if not bc.front]
    body = bodies["block"]
    total_blocks = sum(len(a.old) + len(a.new) for a in body)
    paired_blocks = sum(len(a.old) + len(a.new) for a in body if a.old and a.new)
    paired_percent = round(100 * paired_blocks / total_blocks) if total_blocks else 100
    width = _width(lang)
    front_added, front_removed = (
        [snippet(t, width) for t in lines] for lines in front_lines(c, fronts)
    )
    level_summary = summary(c, ("section", "block", "clause"), bodies)
    titles = (_SectionTitles(c.old), _SectionTitles(c.new))
    blocks = [_block_fact(c, bc, titles) for bc in changes]
    block_counts = dict.fromkeys(BLOCK_STATUSES, 0)
    for b in blocks:
        block_counts[b.status] = block_counts.get(b.status, 0) + 1
    block_counts["moved"] = sum(1 for b in blocks if b.moved)
    measure_counts = {
        kind: sum(len(getattr(b, kind)) for b in blocks)
        for kind in ("new", "dropped", "changed", "moved_in")
    }
    new_units = [
        _named(b.new_title, b.change.new, width)
        for b in blocks
        if b.status == "new" and _a_unit(b.change, b.new_section, b.change.new)
    ][:3]
    dropped_units = [
        _named(b.old_title, b.change.old, width)
        for b in blocks
        if b.status == "dropped" and _a_unit(b.change, b.old_section, b.change.old)
    ][:3]
    return BodyFacts(
        lang=lang,
        summary=level_summary,
        blocks=blocks,
        block_counts=block_counts,
        measure_counts=measure_counts,
        new_units=new_units,
        dropped_units=dropped_units,
        groups=_groups(c, blocks, at["section"]),
        paired_percent=paired_percent,
        units_old=_units(c.old),
        units_new=_units(c.new),
        front_added=front_added,
        front_removed=front_removed,
        plain=plain or (c.old.plain_text(), c.new.plain_text()),
    )


def _width(lang: str) -> int:
    """How many characters a named unit or a notable measure shows in ``lang``."""
    return 36 if lang == "zh" else 90


def gather(
    c: Comparison,
    lang: str,
    date: str,
    version: str,
    moved_in: Callable[[], set[str]] | None = None,
    sections: Callable[[], list[SectionFact]] | None = None,
    body: BodyFacts | None = None,
) -> Facts:
    """The briefing's facts, with the edit script they were judged on; or, given
    ``moved_in`` (the script's :attr:`edits.Script.moved_in`), without the script. ``moved_in``
    and ``sections`` (:func:`section_facts`) are asked for once each, in this order and as
    late as possible: a writer may find them elsewhere meanwhile. ``body``: what
    :func:`body_facts` made beforehand of ``c``'s documents and alignments in ``lang`` (its
    blocks are marked here: it serves one call)."""
    script = edits.script(c) if moved_in is None else None
    if body is None:
        body = body_facts(c, lang)
    elif body.lang != lang:
        raise ValueError(f"body facts made in {body.lang!r}, gathered in {lang!r}")
    targets = [_target_fact(c, t) for t in c.targets]
    target_counts = dict.fromkeys(TARGET_CHANGES, 0)
    for t in targets:
        target_counts[t.change] = target_counts.get(t.change, 0) + 1
    headline = _headline([t for t in targets if t.change in ("raised", "lowered")])
    if not headline:
        headline = _headline([t for t in targets if t.change != "unchanged"])
    new_terms = [t.term for t in c.terms.get("new", [])]
    dropped_terms = [t.term for t in c.terms.get("dropped", [])]
    width = _width(lang)

    def term_facts(kind: str, doc: Document) -> list[TermFact]:
        nodes = doc.by_id  # (every node's id: no set of them made)
        return [
            TermFact(
                t.term,
                t.old_count,
                t.new_count,
                [block_title(nodes[i]) for i in t.where if i in nodes],
            )
            for t in c.terms.get(kind, [])
        ]

    new_term_facts, dropped_term_facts = term_facts("new", c.new), term_facts("dropped", c.old)
    blocks = body.blocks
    notable_new = _notable(
        [m for b in blocks for m in b.new],
        new_terms,
        3,
        width,
        body.plain[0],
        named=set(body.new_units),
    )
    notable_dropped = _notable(
        [m for b in blocks for m in b.dropped],
        dropped_terms,
        3,
        width,
        body.plain[1],
        named=set(body.dropped_units),
    )
    # Nothing above reads whether a block is reordered (the writer does): the script's moves
    # are asked for here, as late as they can be (one of the two is given).
    _mark_reordered(blocks, script.moved_in if script is not None else moved_in())
    structure = sections() if sections is not None else section_facts(c)
    section_counts = dict.fromkeys(SECTION_STATUSES, 0)
    for s in structure:
        section_counts[s.status] = section_counts.get(s.status, 0) + 1
    paired_percent = body.paired_percent
    return Facts(
        lang=lang,
        genre=c.new.genre if c.new.genre == c.old.genre else "generic",
        # file names as a reader may see them (controls and bytes that are not UTF-8 escaped)
        old_title=c.old.title or printable(c.old.path),
        new_title=c.new.title or printable(c.new.path),
        old_path=printable(c.old.path),
        new_path=printable(c.new.path),
        date=date,
        version=version,
        blocks_old=body.units_old,
        blocks_new=body.units_new,
        summary=body.summary,
        block_counts=body.block_counts,
        measure_counts=body.measure_counts,
        sections=structure,
        section_counts=section_counts,
        blocks=blocks,
        groups=body.groups,
        targets=targets,
        target_counts=target_counts,
        headline_targets=headline,
        notable_new=notable_new,
        notable_dropped=notable_dropped,
        new_priorities=body.new_units,
        dropped_priorities=body.dropped_units,
        new_terms=new_term_facts,
        dropped_terms=dropped_term_facts,
        same=c.same,
        paired_percent=paired_percent,
        unrelated=not c.same and paired_percent < UNRELATED_BELOW_PERCENT,
        front_added=body.front_added,
        front_removed=body.front_removed,
        renumbered=[
            RenumberFact(b.old_label, b.new_label, b.status, b.moved)
            for b in blocks
            if b.renumbered
        ],
        script=script,
    )
