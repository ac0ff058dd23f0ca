"""The neutral document model: readers produce it, parsers structure it, writers consume it.

A :class:`Document` is a flat list of :class:`Node` in document order; the tree is carried by
``parent`` ids. Kinds, from the top: ``section`` (headings, nested by ``depth``), ``block``
(a priority, an article, a paragraph), ``sentence`` and ``clause`` (a measure inside a
list-like sentence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal

Kind = Literal["section", "block", "sentence", "clause"]
LEVELS: tuple[Kind, ...] = ("section", "block", "sentence", "clause")


# Not frozen, but hashed by value as if it were (``unsafe_hash``) and never changed once made:
# a frozen dataclass sets each field through ``object.__setattr__``, which made creating the
# ~45,000 paragraphs of a 2 MB text ~20 ms, twice what plain attributes cost.
@dataclass(slots=True, unsafe_hash=True)
class Paragraph:
    """One paragraph as a reader saw it, before structure is recognised."""

    text: str
    heading_level: int | None = None  # from a heading style or a Markdown `#`
    numbering: str = ""  # list numbering text rendered by the source (docx), if any
    # Marked front matter by the source itself (LawRefBook's `<!-- INFO END -->` closes it).
    front: bool = False


@dataclass(frozen=True, slots=True)
class SourceText:
    """What a reader returns: the paragraphs of one file, plus where it came from."""

    paragraphs: list[Paragraph]
    path: str = ""
    format: str = "txt"
    encoding: str = "utf-8"
    # Lines a reader left out as page furniture (running headers, footers, page numbers),
    # as `p.N: text`, so that `diffreport show` can say what was dropped.
    dropped: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Node:
    id: str
    kind: Kind
    text: str
    parent: str | None = None
    label: str = ""
    title: str = ""
    depth: int = 0  # section nesting depth (1 = top); 0 for non-sections
    # "front" for the front matter (title, enactment history, issuing number, addressees)
    # and everything under it: compared only with the other side's front matter.
    role: str = ""

    def to_dict(self) -> dict:
        out = {
            "id": self.id,
            "parent": self.parent,
            "kind": self.kind,
            "label": self.label,
            "title": self.title,
            "text": self.text,
        }
        if self.role:
            out["role"] = self.role
        return out


@dataclass(slots=True)
class Document:
    nodes: list[Node]
    title: str = ""
    path: str = ""
    genre: str = "generic"
    _by_id: dict[str, Node] = field(default_factory=dict, repr=False)
    _children: dict[str | None, list[Node]] = field(default_factory=dict, repr=False)
    _of_kind: dict[str, list[Node]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self._by_id:  # (else given by :meth:`part`)
            self._by_id = {n.id: n for n in self.nodes}
        if self._children and self._of_kind:
            return  # given by the maker of the nodes (parse, :meth:`part`), kept as it went
        self._children = {}
        self._of_kind = {}
        for n in self.nodes:
            self._children.setdefault(n.parent, []).append(n)
            self._of_kind.setdefault(n.kind, []).append(n)

    def node(self, node_id: str) -> Node:
        return self._by_id[node_id]

    @property
    def by_id(self) -> Mapping[str, Node]:
        """Every node by its id, to read (:meth:`node` for one look-up; this mapping for
        tens of thousands, without a method call each)."""
        return self._by_id

    def children(self, node_id: str | None, kind: Kind | None = None) -> list[Node]:
        kids = self._children.get(node_id, ())
        if kind is None:
            return list(kids)  # (a copy, made in C: every node is asked once per comparison)
        return [k for k in kids if k.kind == kind]

    def branching(self) -> set[str | None]:
        """The ids of the nodes with more than one child (None: more than one top node), read
        off the children index (counting every node's parent cost three times as much: ~10
        against ~3.5 ms at 2 MB a side, once per side and process)."""
        return {parent for parent, kids in self._children.items() if len(kids) > 1}

    def of_kind(self, kind: Kind) -> list[Node]:
        # A copy of the list made once: the stages ask for each level many times (38 scans
        # of all nodes per law-x9 diff), and a caller may change what it is given.
        return list(self._of_kind.get(kind, ()))

    def ancestors(self, node_id: str) -> list[Node]:
        out: list[Node] = []
        parent = self._by_id[node_id].parent
        while parent is not None:
            node = self._by_id[parent]
            out.append(node)
            parent = node.parent
        return out

    def nearest(self, node_id: str, kind: Kind) -> Node | None:
        """The nearest ancestor of ``kind`` (walked up only as far as it: usually the parent)."""
        parent = self._by_id[node_id].parent
        while parent is not None:
            node = self._by_id[parent]
            if node.kind == kind:
                return node
            parent = node.parent
        return None

    def section_of(self, node_id: str) -> Node | None:
        return self.nearest(node_id, "section")

    def block_of(self, node_id: str) -> Node | None:
        node = self._by_id[node_id]
        return node if node.kind == "block" else self.nearest(node_id, "block")

    def part(self, front: bool) -> Document:
        """The front matter (``front``) or the body as a document of its own, same ids."""
        roles = list(map(_ROLE, self.nodes))  # (one pass over the nodes, in C)
        count = roles.count("front")
        if roles[:count].count("front") == count:  # the front matter first, as parse puts it
            head, tail = self.nodes[:count], self.nodes[count:]
            nodes, others = (head, tail) if front else (tail, head)
        else:
            nodes = [n for n in self.nodes if (n.role == "front") == front]
            others = [n for n in self.nodes if (n.role == "front") != front]
        if len(others) > len(nodes) or not nodes:
            return Document(nodes=nodes, title=self.title, path=self.path, genre=self.genre)

        # Most of the document (its body): its indices are this one's without the few others
        # (lists the others are not in are shared: no index list changes once made).
        def kept(n: Node) -> bool:
            return (n.role == "front") == front

        children = _narrowed(self._children, {n.parent for n in others}, kept)
        by_id: dict[str, Node] = {}
        if len(self._by_id) == len(self.nodes):  # ids unique: the others' ids taken out
            by_id = dict(self._by_id)  # (a copy of the table, not a new one built)
            for n in others:
                del by_id[n.id]
        of_kind = _narrowed(self._of_kind, {n.kind for n in others}, kept)
        return Document(
            nodes=nodes,
            title=self.title,
            path=self.path,
            genre=self.genre,
            _by_id=by_id,
            _children=children,
            _of_kind=of_kind,
        )

    def plain_text(self) -> str:
        """The document's text, one line per heading or block, as the redline writes it."""
        lines = []
        for n in self.nodes:
            if n.kind in ("section", "block"):
                lines.append(n.text)
        return "\n".join(lines)


_ROLE = attrgetter("role")


def _narrowed(index: dict, keys: set, kept: Callable[[Node], bool]) -> dict:
    """A copy of ``index`` (key → nodes) whose lists under ``keys`` hold only the nodes
    ``kept`` accepts; a key left with none goes (lists under other keys are shared)."""
    out = dict(index)
    for key in keys:
        nodes = [n for n in out[key] if kept(n)]
        if nodes:
            out[key] = nodes
        else:
            del out[key]
    return out
