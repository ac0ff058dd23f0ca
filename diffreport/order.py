"""The reading order of a comparison's pairings: where each alignment is listed (the new
document's order, a dropped unit right after its old neighbour's partner)."""

from __future__ import annotations

import numpy as np

from .model import LEVELS, Document, Node
from .result import Pairing


def level_positions(
    pairs: dict[str, list[Pairing]],
    old: Document,
    new: Document,
    levels: tuple[str, ...] = LEVELS,
) -> dict[str, list[int]]:
    """Each level's pairings' indices in reading order (see :func:`reading_order`): what the
    classifying walks, and the order the alignments are listed in."""
    out: dict[str, list[int]] = {}
    for level in levels:
        # A level's pairings hold only its own units: their order among those is all the
        # sort needs (one pass over each side's units of the level, not over all nodes).
        old_units, new_units = old.of_kind(level), new.of_kind(level)
        old_pos = {n.id: i for i, n in enumerate(old_units)}
        new_pos = {n.id: i for i, n in enumerate(new_units)}
        out[level] = reading_positions(pairs[level], old_units, old_pos, new_pos)
    return out


def reading_order(
    pairs: list[Pairing], old_units: list[Node], old_pos: dict[str, int], new_pos: dict[str, int]
) -> list[Pairing]:
    """Alignments in reading order of the new document; a dropped unit sorts right after the
    new-side partner of the nearest paired unit before it in the old document (``old_units``:
    the old units of the level, in reading order)."""
    return [pairs[k] for k in reading_positions(pairs, old_units, old_pos, new_pos)]


def reading_positions(
    pairs: list[Pairing], old_units: list[Node], old_pos: dict[str, int], new_pos: dict[str, int]
) -> list[int]:
    """The index of each pairing of :func:`reading_order`'s, in its order."""
    # Each pairing's key is (its first new position, 0, its first old position) or, dropped,
    # (its anchor, 1, its old position): positions gathered in one pass each, the anchors
    # and the sort in numpy (tens of thousands of pairings a level; a tuple key each and a
    # dictionary of partners were a third of the time).
    # One node or none a side is nearly every pairing: looked up inline, not by `_first`.
    count = len(pairs)
    first_new = np.fromiter(
        (
            new_pos[p.new[0]] if len(p.new) == 1 else _first(p.new, new_pos) if p.new else -1
            for p in pairs
        ),
        np.int64,
        count,
    )
    first_old = np.fromiter(
        (
            old_pos[p.old[0]] if len(p.old) == 1 else _first(p.old, old_pos) if p.old else 0
            for p in pairs
        ),
        np.int64,
        count,
    )
    paired = first_new >= 0
    # partner[i]: the first new position of the pairing that holds old unit i (-1: none)
    partner = np.full(len(old_units), -1, np.int64)
    single = np.fromiter((len(p.old) == 1 for p in pairs), bool, count)
    partner[first_old[paired & single]] = first_new[paired & single]
    for k in np.flatnonzero(paired & ~single).tolist():  # merges; and new units (no old)
        for o in pairs[k].old:
            partner[old_pos[o]] = first_new[k]
    # anchor[i]: the partner of the nearest old unit before i that has one (-1: none)
    holder = np.maximum.accumulate(np.where(partner >= 0, np.arange(len(old_units)), -1))
    before = np.concatenate(([-1], holder[:-1]))[: len(old_units)]
    anchor = np.where(before >= 0, partner[before], -1)
    dropped = np.flatnonzero(~paired)
    # (a dropped pairing is keyed by its first listed old unit, as it was read)
    dropped_old = np.fromiter(
        (old_pos[pairs[k].old[0]] for k in dropped.tolist()), np.int64, len(dropped)
    )
    primary = first_new.copy()
    primary[dropped] = anchor[dropped_old]
    last = first_old.copy()
    last[dropped] = dropped_old
    return np.lexsort((last, (~paired).astype(np.int64), primary)).tolist()


def _first(ids: list[str], pos: dict[str, int]) -> int:
    """The earliest position of ``ids`` (0 for none); most pairings hold one node."""
    if len(ids) == 1:
        return pos[ids[0]]
    return min((pos[i] for i in ids), default=0)
