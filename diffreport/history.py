"""History: a unit followed through three or more versions.

``history([v1, v2, …, vn])`` compares each version with the next (:func:`compare`, so every
step says exactly what ``diffreport diff`` says of the same two files) and chains the pairings
into **tracks**: one per section, block and clause through all versions, with its members in
each version (none where absent; several where split or merged) and one event per step. A unit
dropped at one step that matches a unit new at a later step is *reinstated*: one track with a
gap, not two. Targets and policy terms get trajectories: a value or a count per version.

Pure: documents in, a :class:`History` out; writers render it (``diffreport.writers.history``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .compare import compare, load
from .errors import printable
from .model import Document, SourceText
from .result import Comparison, Target, json_text, orjson_indented

SCHEMA = "diffreport-history/1"
TRACK_LEVELS = ("section", "block", "clause")
# A dropped unit and a later new one are the same unit come back when their content words
# agree this much (Indel similarity over word lists): the bar of a reworded unit, not of a
# vaguely related one, since nothing but the text links two versions that are apart.
REINSTATE_SIMILARITY = 0.6
# Units this short ("（一）", a two-word heading) match too easily to be reinstated by text.
REINSTATE_MIN_WORDS = 3


@dataclass(slots=True)
class Event:
    """What happened to a track between version ``step`` and ``step + 1``."""

    step: int
    status: str  # unchanged | changed | new | dropped | split | merged (as in diffreport/1)
    moved: bool = False
    score: float | None = None
    minor: bool = False
    renumbered: bool = False
    reinstated: bool = False  # a `new` step that brings back a unit dropped earlier

    def to_dict(self) -> dict:
        out: dict = {"step": self.step, "status": self.status, "moved": self.moved}
        out["score"] = self.score
        for flag in ("minor", "renumbered", "reinstated"):
            if getattr(self, flag):
                out[flag] = True
        return out


@dataclass(slots=True)
class Track:
    id: str
    level: str
    members: list[list[str]]  # node ids in each version
    events: list[Event] = field(default_factory=list)
    # Front matter (title, enactment history) in every version it is in: compared, as in
    # `diff`, only with front matter, and not counted among the body's units.
    front: bool = False

    @property
    def present(self) -> list[int]:
        return [k for k, ids in enumerate(self.members) if ids]

    @property
    def first(self) -> int:
        return self.present[0]

    @property
    def last(self) -> int:
        return self.present[-1]

    @property
    def reinstated(self) -> bool:
        return any(e.reinstated for e in self.events)

    @property
    def changed_every_step(self) -> bool:
        """Present in every version and changed at each step."""
        steps = len(self.members) - 1
        changed = [e for e in self.events if e.status not in ("unchanged", "new", "dropped")]
        return len(self.present) == len(self.members) and len(changed) == steps

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "level": self.level,
            "members": self.members,
            "events": [e.to_dict() for e in self.events],
            "first": self.first,
            "last": self.last,
            "versions_present": len(self.present),
            "reinstated": self.reinstated,
            "changed_every_step": self.changed_every_step,
            "front": self.front,
        }


@dataclass(slots=True)
class TargetTrajectory:
    indicator: str
    values: list[Target | None]  # one per version
    changes: list[str | None]  # one per step: raised | lowered | … (None: absent both sides)

    def to_dict(self) -> dict:
        values = [
            None if v is None else {"version": k} | v.to_dict() for k, v in enumerate(self.values)
        ]
        return {"indicator": self.indicator, "values": values, "changes": self.changes}


@dataclass(slots=True)
class TermTrajectory:
    term: str
    counts: list[int]

    @property
    def first(self) -> int:
        return next(k for k, c in enumerate(self.counts) if c)

    @property
    def came_back(self) -> bool:
        """Absent in some version between two that use it."""
        present = [k for k, c in enumerate(self.counts) if c]
        return any(b - a > 1 for a, b in zip(present, present[1:], strict=False))

    def to_dict(self) -> dict:
        return {
            "term": self.term,
            "counts": self.counts,
            "first": self.first,
            "came_back": self.came_back,
        }


@dataclass(slots=True)
class History:
    versions: list[Document]
    steps: list[Comparison]
    tracks: list[Track]
    targets: list[TargetTrajectory]
    terms: list[TermTrajectory]

    def at(self, level: str) -> list[Track]:
        return [t for t in self.tracks if t.level == level]

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "generator": f"diffreport {__version__}",
            "versions": [
                # a name's bytes that are not UTF-8 are written \xNN (errors.printable)
                {"path": printable(d.path), "title": d.title, "genre": d.genre}
                for d in self.versions
            ],
            "nodes": [[n.to_dict() for n in d.nodes] for d in self.versions],
            "steps": [[a.to_dict() for a in c.alignments] for c in self.steps],
            "tracks": [t.to_dict() for t in self.tracks],
            "targets": [t.to_dict() for t in self.targets],
            "terms": [t.to_dict() for t in self.terms],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """``json.dumps(..., ensure_ascii=False, indent=indent)``; with the default indent
        orjson writes the same bytes, as for a comparison's JSON (Python's encoder is pure
        Python once it indents: 8.5 of 12 s CPU for three versions of 1 MB)."""
        return json_text(self.to_dict(), indent, self._plain_numbers)

    def to_json_bytes(self) -> bytes:
        """:meth:`to_json` encoded as UTF-8, for a file (orjson's bytes as they are)."""
        import json

        data = self.to_dict()
        fast = orjson_indented(data, self._plain_numbers)
        if fast is not None:
            return fast
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")

    def _plain_numbers(self) -> bool:
        # Every float here is a step's (scores, shares, target values); each checks its own.
        return all(step.plain_numbers() for step in self.steps)


def history(
    versions: Sequence[str | Path | Document | SourceText],
    *,
    max_bytes: int | None = None,
    workers: int = 1,
) -> History:
    """Follow every unit through ``versions`` (oldest first, at least two). ``workers`` > 1
    compares the steps in that many processes (the result is the same)."""
    if len(versions) < 2:
        raise ValueError("a history needs at least two versions")
    # Each version read and parsed once; a middle version serves two steps.
    docs = [load(v, max_bytes) for v in versions]
    if workers > 1 and len(docs) > 2:
        steps = _parallel_steps(docs, workers)
    else:
        steps = [compare(a, b) for a, b in zip(docs, docs[1:], strict=False)]
    tracks = [t for level in TRACK_LEVELS for t in _tracks(docs, steps, level)]
    return History(docs, steps, tracks, _target_trajectories(docs, steps), _terms(docs, steps))


# The versions, for steps compared in forked processes: a fork inherits them, where sending
# them costs pickling each (0.1 s a MB-sized version) for every step that reads it.
_FORKED_VERSIONS: list[Document] = []


def _parallel_steps(docs: list[Document], workers: int) -> list[Comparison]:
    """Each version compared with the next, in ``workers`` processes: this one compares the
    last step (it would only wait), others the rest. A step comes back without its two
    documents (two thirds of its pickle: 16 MB for a step of 1 MB versions), which are
    this process's own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _FORKED_VERSIONS
    fork = multiprocessing.get_start_method() == "fork"
    context = multiprocessing.get_context("fork") if fork else None
    _FORKED_VERSIONS = docs if fork else []
    try:
        with ProcessPoolExecutor(
            max_workers=max(1, min(workers - 1, len(docs) - 2)), mp_context=context
        ) as pool:
            others = [
                pool.submit(_step, k, None if fork else (docs[k], docs[k + 1]))
                for k in range(len(docs) - 2)
            ]
            last = compare(docs[-2], docs[-1], workers=1)
            steps = [f.result() for f in others] + [last]
    finally:
        _FORKED_VERSIONS = []
    for k, step in enumerate(steps):
        step.old, step.new = docs[k], docs[k + 1]
    return steps


def _step(k: int, pair: tuple[Document, Document] | None) -> Comparison:
    """Step ``k`` in a worker, from the versions it forked with unless ``pair`` is given."""
    old, new = pair or (_FORKED_VERSIONS[k], _FORKED_VERSIONS[k + 1])
    step = compare(old, new, workers=1)
    step.old = step.new = None  # type: ignore[assignment]  # the caller has them
    return step


# --- tracks -------------------------------------------------------------------------------


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[tuple[int, str], tuple[int, str]] = {}

    def find(self, x: tuple[int, str]) -> tuple[int, str]:
        root = x
        while self.parent.setdefault(root, root) != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: tuple[int, str], b: tuple[int, str]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _tracks(docs: list[Document], steps: list[Comparison], level: str) -> list[Track]:
    uf = _UnionFind()
    for k, doc in enumerate(docs):
        for node in doc.of_kind(level):
            uf.find((k, node.id))
    for k, step in enumerate(steps):
        for a in step.at(level):
            ends = [(k, i) for i in a.old] + [(k + 1, i) for i in a.new]
            for other in ends[1:]:
                uf.union(ends[0], other)
    _reinstate(docs, uf, level)
    groups: dict[tuple[int, str], list[list[str]]] = {}
    for k, doc in enumerate(docs):
        for node in doc.of_kind(level):
            members = groups.setdefault(uf.find((k, node.id)), [[] for _ in docs])
            members[k].append(node.id)
    tracks = [Track("", level, members) for members in groups.values()]
    tracks.sort(key=_track_order(docs))
    by_old = [defaultdict(list) for _ in steps]  # per step: old node id -> its alignments
    for k, step in enumerate(steps):
        for a in step.at(level):
            for i in a.old:
                by_old[k][i].append(a)
    prefix = level[0]
    for n, track in enumerate(tracks, 1):
        track.id = f"{prefix}{n}"
        track.events = _events(track, docs, by_old, level)
        track.front = all(
            docs[k].node(i).role == "front" for k, ids in enumerate(track.members) for i in ids
        )
    return tracks


def _track_order(docs: list[Document]):
    """Reading order of the latest version a track is in; older ones after newer ones."""
    pos = [{n.id: i for i, n in enumerate(d.nodes)} for d in docs]

    def key(track: Track) -> tuple[int, int]:
        k = max(i for i, ids in enumerate(track.members) if ids)
        return (-k, min(pos[k][i] for i in track.members[k]))

    return key


def _reinstate(docs: list[Document], uf: _UnionFind, level: str) -> None:
    """Join a track that ended before the last version to one that starts two or more versions
    later with the same content (mutual best, above :data:`REINSTATE_SIMILARITY`)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    from .similarity import Vocabulary
    from .tokens import content_words

    spans: dict[tuple[int, str], list[int]] = defaultdict(list)
    text: dict[tuple[int, str], list[str]] = defaultdict(list)
    for k, doc in enumerate(docs):
        for node in doc.of_kind(level):
            root = uf.find((k, node.id))
            spans[root].append(k)
            text[(root, k)].append(node.text)
    last = len(docs) - 1
    ended = [r for r, ks in spans.items() if max(ks) < last]
    started = [r for r, ks in spans.items() if min(ks) > 0]
    vocabulary = Vocabulary()

    def codes(root, k: int) -> str:
        return vocabulary.encode(content_words("".join(text[(root, k)])))

    # Only a track ending two or more versions before another starts can be joined to it
    # (adjacent: that step's comparison said no), so only those pairs are scored: with three
    # versions, what ended in the first against what starts in the last.
    ends_in: dict[int, list] = defaultdict(list)
    starts_in: dict[int, list] = defaultdict(list)
    for r in ended:
        ends_in[max(spans[r])].append(r)
    for r in started:
        starts_in[min(spans[r])].append(r)
    candidates = []
    for end_k, these in ends_in.items():
        later = [r for k, group in starts_in.items() if k - end_k >= 2 for r in group]
        if not later:
            continue
        ends = [(r, codes(r, end_k)) for r in these]
        starts = [(r, codes(r, min(spans[r]))) for r in later]
        ends = [e for e in ends if len(e[1]) >= REINSTATE_MIN_WORDS]
        starts = [s for s in starts if len(s[1]) >= REINSTATE_MIN_WORDS]
        if not ends or not starts:
            continue
        # All scores at once in C; only pairs above the bar come back as non-zero.
        score = process.cdist(
            [c for _, c in ends],
            [c for _, c in starts],
            scorer=Indel.normalized_similarity,
            score_cutoff=REINSTATE_SIMILARITY,
        )
        for i, j in zip(*score.nonzero(), strict=True):
            candidates.append((float(score[i, j]), ends[i][0], starts[j][0]))
    used: set = set()
    for _score, e, s in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if e in used or s in used:
            continue
        used.update((e, s))
        uf.union(e, s)


def _events(track: Track, docs: list[Document], by_old: list[dict], level: str):
    events = []
    seen_before = False
    for k, index in enumerate(by_old):
        old_ids, new_ids = track.members[k], track.members[k + 1]
        seen_before = seen_before or bool(old_ids)
        if old_ids and not new_ids:
            events.append(Event(k, "dropped"))
        elif new_ids and not old_ids:
            events.append(Event(k, "new", reinstated=seen_before))
        elif old_ids and new_ids:
            events.append(_paired_event(k, index, old_ids, new_ids, docs))
    return events


def _paired_event(k: int, by_old: dict, old_ids, new_ids, docs) -> Event:
    wanted = set(new_ids)
    linking = [a for i in old_ids for a in by_old.get(i, ()) if wanted.intersection(a.new)]
    # The step's most telling alignment: a change outranks an unchanged one.
    a = next((x for x in linking if x.status != "unchanged"), linking[0] if linking else None)
    if a is None:  # joined through another step (a split chain): no direct pairing here
        return Event(k, "changed")
    old_labels = [docs[k].node(i).label for i in old_ids]
    new_labels = [docs[k + 1].node(i).label for i in new_ids]
    renumbered = len(old_ids) == len(new_ids) == 1 and old_labels != new_labels
    return Event(
        k,
        a.status,
        moved=a.moved,
        score=a.score,
        minor=bool(getattr(a, "minor", False)),
        renumbered=renumbered and bool(old_labels[0] and new_labels[0]),
    )


# --- targets and terms ----------------------------------------------------------------------


def _target_trajectories(docs: list[Document], steps: list[Comparison]) -> list[TargetTrajectory]:
    """Each step's target pairs chained where a step's new figure is the next step's old one."""
    n = len(docs)
    open_by_key: dict[tuple[int, str, str], TargetTrajectory] = {}
    out: list[TargetTrajectory] = []
    for k, step in enumerate(steps):
        for change in step.targets:
            old, new = change.old, change.new
            traj = open_by_key.get((k, old.node, old.text)) if old is not None else None
            if traj is None:
                traj = TargetTrajectory(change.indicator, [None] * n, [None] * (n - 1))
                out.append(traj)
                if old is not None:
                    traj.values[k] = old
            traj.indicator = change.indicator
            traj.changes[k] = change.change
            if new is not None:
                traj.values[k + 1] = new
                open_by_key[(k + 1, new.node, new.text)] = traj
    return out


def _terms(docs: list[Document], steps: list[Comparison]) -> list[TermTrajectory]:
    """Counts in every version of each term some step found new, dropped, rising or falling."""
    terms: dict[str, None] = {}
    for step in steps:
        for kind in ("new", "dropped", "rose", "fell"):
            for shift in step.terms.get(kind, []):
                terms.setdefault(shift.term, None)
    texts = ["\n".join(n.text for n in d.of_kind("block")) for d in docs]
    out = [TermTrajectory(t, [text.count(t) for text in texts]) for t in terms]
    out = [t for t in out if any(t.counts)]
    out.sort(key=lambda t: (t.first, -sum(t.counts), t.term))
    return out
