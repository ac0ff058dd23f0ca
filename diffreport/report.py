"""Facts the writers share: a comparison seen as a reader sees it (priorities with their
measures), so that the terminal view, Markdown and the Word briefing say the same things."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Node
from .normalise import strict_key
from .result import Alignment, Comparison


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
        return any(n.role == "front" for n in self.old + self.new)

    @property
    def old_title(self) -> str:
        return " + ".join(n.title or n.label or _snippet(n.text) for n in self.old)

    @property
    def new_title(self) -> str:
        return " + ".join(n.title or n.label or _snippet(n.text) for n in self.new)


def _snippet(text: str, width: int = 24) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def block_title(node: Node | None) -> str:
    if node is None:
        return ""
    return node.title or node.label or _snippet(node.text)


def block_changes(c: Comparison) -> list[BlockChange]:
    """Each block alignment with its finest-level measures that are new, dropped, changed or moved."""
    old, new = c.old, c.new
    clause_al = c.at("clause")
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
    for a in c.at("block"):
        bc = BlockChange(a, [old.node(i) for i in a.old], [new.node(i) for i in a.new])
        seen: set[int] = set()
        for bid in a.new:
            for ca in by_new_block.get(bid, []):
                if id(ca) in seen:
                    continue
                seen.add(id(ca))
                text = "".join(new.node(i).text for i in ca.new)
                if ca.status == "new":
                    bc.measures.append(Measure("new", text))
                elif ca.moved:
                    src = old.block_of(ca.old[0])
                    bc.measures.append(Measure("moved-in", text, elsewhere=block_title(src)))
                elif ca.status in ("changed", "split", "merged"):
                    bc.measures.append(Measure("changed", text, ca.diff, minor=ca.minor))
        for bid in a.old:
            for ca in by_old_block.get(bid, []):
                if id(ca) in seen:
                    continue
                seen.add(id(ca))
                text = "".join(old.node(i).text for i in ca.old)
                if ca.status == "dropped":
                    bc.measures.append(Measure("dropped", text))
                elif ca.moved:
                    dst = new.block_of(ca.new[0]) if ca.new else None
                    bc.measures.append(Measure("moved-out", text, elsewhere=block_title(dst)))
        out.append(bc)
    return out


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


def renumbering(old_label: str, new_label: str) -> str:
    """`原第三十条 → 第三十二条` (Chinese labels), `formerly 3. → 4.` otherwise."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in old_label + new_label):
        return f"原{old_label} → {new_label}"
    return f"formerly {old_label} → {new_label}"


def front_lines(c: Comparison) -> tuple[list[str], list[str]]:
    """The front-matter lines (blocks) only the new version has, and only the old one has,
    with changed ones on both lists: what the version line reports."""
    added: list[str] = []
    removed: list[str] = []
    for a in c.at("section"):
        if not is_front(c, a):
            continue
        old = [c.old.node(i).text for i in a.old]
        new = [c.new.node(i).text for i in a.new]
        if [strict_key(t) for t in old] != [strict_key(t) for t in new]:
            added += new
            removed += old
    for a in c.at("block"):
        if a.status == "unchanged" or not is_front(c, a):
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
