"""Split and merge: which leftovers join a one-to-one pairing as its parts (a split of one
unit into several, or a merge of several into one), and each part's share of its whole.

A leftover is a part only when its words lie mostly inside the paired unit
(:class:`parts.Wholes` finds which) and in what that unit has beyond its partner (its
:class:`parts.Remainder`); a sentence or clause joining units of another block must also
share distinctive content with it (:class:`wordstats.WordStats`).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import compress
from operator import attrgetter

import numpy as np

from .ledger import Ledger, free
from .model import Kind, Node
from .parts import MIN_PART_WORDS, Remainder, Wholes, share_in
from .result import Pairing
from .similarity import Profile, shared_words, unit_lengths
from .wordstats import WordStats

# A leftover is part of a split/merge only if this share of its words lies in what its whole
# gained over (or lost from) its partner: a deleted clause whose words an unchanged neighbour
# also holds was deleted, not merged into it.
RESIDUAL_SHARE = 0.5
_ID, _ORDERED = attrgetter("id"), attrgetter("ordered")


class Splits:
    """The split/merge parts of the pairings a :class:`Ledger` holds, level by level."""

    def __init__(self, ledger: Ledger, stats: WordStats) -> None:
        self.ledger, self.stats = ledger, stats
        # (side of the part, whole id, partner id) → the whole's words its partner lacks
        self._remainders: dict[tuple[str, str, str], Remainder] = {}

    def beyond_partner(self, pairing: Pairing, side: str, part_id: str) -> bool:
        """A leftover article joins a pair as a split or merge part only on distinctive content
        in what its whole has beyond its partner: `按照国家和军队有关规定执行` alone does not
        make a new article on settling in part of the old one on home leave."""
        here = self.ledger.old if side == "old" else self.ledger.new
        whole_id = pairing.new[0] if side == "old" else pairing.old[0]
        partner_id = pairing.old[0] if side == "old" else pairing.new[0]
        return self.stats.distinctive_in(
            here.profiles[part_id], self.remainder(side, whole_id, partner_id)
        )

    def part_of(self, level: Kind, side: str, part_id: str, pairing: Pairing) -> bool:
        """May the leftover ``part_id`` (of ``side``) join ``pairing`` as a split or merge
        part? Its words must lie in what the whole has beyond its partner
        (:data:`RESIDUAL_SHARE`), and a sentence or clause joining units of another block
        must share distinctive content with that remainder (:data:`STOCK_BLOCKS`)."""
        here, there = (
            (self.ledger.new, self.ledger.old)
            if side == "new"
            else (self.ledger.old, self.ledger.new)
        )
        whole_id = pairing.old[0] if side == "new" else pairing.new[0]
        partner_id = pairing.new[0] if side == "new" else pairing.old[0]
        part = here.profiles[part_id]
        rest = self.remainder(side, whole_id, partner_id)
        if share_in(part, rest) < RESIDUAL_SHARE:
            return False
        if level not in ("sentence", "clause"):
            return True
        old_id, new_id = (whole_id, part_id) if side == "new" else (part_id, whole_id)
        return self.ledger.blocks_linked(old_id, new_id) or self.stats.distinctive_in(part, rest)

    def remainder(self, side: str, whole_id: str, partner_id: str) -> Remainder:
        """The words of ``whole_id`` (not of ``side``) that ``partner_id`` (of ``side``)
        lacks; many leftovers are tried against the same pair, so it is counted once."""
        key = (side, whole_id, partner_id)
        rest = self._remainders.get(key)
        if rest is None:
            here, there = (
                (self.ledger.new, self.ledger.old)
                if side == "new"
                else (self.ledger.old, self.ledger.new)
            )
            rest = Remainder(there.profiles[whole_id].ordered, here.profiles[partner_id].ordered)
            self._remainders[key] = rest
        return rest

    def group(
        self,
        level: Kind,
        olds: list[Node],
        news: list[Node],
        profiles: tuple[list[Profile], list[Profile]] | None = None,
        lengths: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Attach leftovers (the free units of ``olds`` and ``news``, in document order; with
        their ``profiles`` and ``lengths`` (numbers of words) when the caller has them) whose
        words lie mostly inside a paired unit: splits and merges.

        Symmetric in the two documents (swapping them swaps splits and merges): both sides
        propose against the same one-to-one pairs, a tie goes to the pair whose partner stands
        nearest the leftover in its own document, and a pair that leftovers of both sides
        would extend takes the side with more words (neither on a tie)."""
        singles = [p for p in self.ledger.pairs[level] if len(p.old) == 1 and len(p.new) == 1]
        proposals: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"old": [], "new": []})
        for side, here, there in (
            ("new", self.ledger.new, self.ledger.old),
            ("old", self.ledger.old, self.ledger.new),
        ):
            linked = self.ledger.linked_new if side == "new" else self.ledger.linked_old
            units = news if side == "new" else olds
            is_free = free(units, linked)
            left = list(compress(units, is_free))
            if not left or not singles:
                continue
            other = "old" if side == "new" else "new"
            # (tens of thousands of leftovers at the clause level of unrelated text: each
            # profile looked up once, its length read in C)
            if profiles is not None:
                profs = list(compress(profiles[1 if side == "new" else 0], is_free))
            else:
                profs = here.profiles_of(left)
            if lengths is not None:
                sizes = lengths[1 if side == "new" else 0][np.array(is_free)]
            else:
                sizes = unit_lengths(profs)
            parts = list(compress(profs, (sizes >= MIN_PART_WORDS).tolist()))
            wholes = Wholes(
                [getattr(p, other)[0] for p in singles],
                there.profiles,
                parts,
                self.stats.frequency(),
            )
            held = wholes.held()  # (the wordings of parts some unit may hold)
            pos = here.pos

            def near(k: int, pos: dict[str, int] = pos, side: str = side) -> int:
                """Where pair k's unit of this side stands (asked only on a tie)."""
                return pos[getattr(singles[k], side)[0]]

            holds = list(map(held.__contains__, map(_ORDERED, profs)))
            for node, prof in zip(compress(left, holds), compress(profs, holds), strict=True):
                at = pos[node.id]
                best = wholes.best(prof, order=lambda k, at=at: (abs(near(k) - at), near(k)))
                if best is not None and self.part_of(level, side, node.id, singles[best]):
                    proposals[best][side].append(node.id)
        for k, parts in proposals.items():
            if parts["old"] and parts["new"]:
                size = {
                    side: sum(prof[i].size for i in parts[side])
                    for side, prof in (
                        ("old", self.ledger.old.profiles),
                        ("new", self.ledger.new.profiles),
                    )
                }
                if size["old"] == size["new"]:
                    continue
                parts[min(size, key=size.__getitem__)] = []
            singles[k].old.extend(parts["old"])
            singles[k].new.extend(parts["new"])
            self.ledger.link(singles[k])
        # Each part's share: its words in the whole (containment), all pairs counted at once.
        grouped = []
        for pairing in self.ledger.pairs[level]:
            if len(pairing.old) > 1 or len(pairing.new) > 1:
                whole_side, part_side = (
                    (self.ledger.old, self.ledger.new)
                    if len(pairing.new) > 1
                    else (self.ledger.new, self.ledger.old)
                )
                whole_ids, part_ids = (
                    (pairing.old, pairing.new)
                    if len(pairing.new) > 1
                    else (pairing.new, pairing.old)
                )
                whole = whole_side.profiles[whole_ids[0]]
                grouped.append(
                    (pairing, whole, [(pid, part_side.profiles[pid]) for pid in part_ids])
                )
        items = [(part, whole) for _, whole, parts in grouped for _, part in parts]
        shared = iter(shared_words([p for p, _ in items], [w for _, w in items]).tolist())
        for pairing, _, parts in grouped:
            covered = {}
            for pid, part in parts:
                common = next(shared)
                # as containment() gives it, times the part's size
                covered[pid] = (common / part.size if part.size else 0.0) * part.size
            total = sum(covered.values()) or 1.0
            pairing.shares = {pid: round(v / total, 3) for pid, v in covered.items()}
