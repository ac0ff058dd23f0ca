"""What the aligner has paired so far: each level's pairings, and for each unit the units of
the other side it is paired with (any level), which the passes that follow consult."""

from __future__ import annotations

from operator import attrgetter, not_

from .model import LEVELS, Kind, Node
from .result import Pairing
from .sides import Side

_ID = attrgetter("id")


def free(nodes: list[Node], linked: dict[str, set[str]]) -> list[bool]:
    """For each of ``nodes``, whether it is free (in no pairing, as ``linked`` records them),
    found in C (the leftovers of unrelated text run to tens of thousands a level)."""
    return list(map(not_, map(linked.__contains__, map(_ID, nodes))))


class Ledger:
    """The pairings of two sides, level by level, and who is linked with whom."""

    def __init__(self, old: Side, new: Side) -> None:
        self.old, self.new = old, new
        self.pairs: dict[str, list[Pairing]] = {level: [] for level in LEVELS}
        # node id → ids on the other side in the same pairing (any level)
        self.linked_old: dict[str, set[str]] = {}
        self.linked_new: dict[str, set[str]] = {}

    def link(self, pairing: Pairing) -> None:
        """Records ``pairing``'s units as linked with each other."""
        for o in pairing.old:
            self.linked_old.setdefault(o, set()).update(pairing.new)
        for n in pairing.new:
            self.linked_new.setdefault(n, set()).update(pairing.old)

    def blocks_linked(self, old_id: str, new_id: str) -> bool:
        """Are the blocks holding these two sentences or clauses paired with each other?"""
        ob, nb = self.old.block[old_id], self.new.block[new_id]
        if ob is None or nb is None:
            return ob is None and nb is None
        return nb in self.linked_old.get(ob, ())

    def parents_differ(self, old_id: str, new_id: str, kind: Kind | None = None) -> bool:
        """Moved: a block to another section, a sentence or clause to another block (the
        units' ``kind``, looked up when not given)."""
        if (kind or self.old.doc.node(old_id).kind) in ("sentence", "clause"):
            op, np_ = self.old.block[old_id], self.new.block[new_id]
        else:
            op, np_ = self.old.up[old_id], self.new.up[new_id]
        if op is None and np_ is None:
            return False
        return op is None or np_ is None or np_ not in self.linked_old.get(op, ())
