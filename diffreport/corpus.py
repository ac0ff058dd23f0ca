"""Facts of a whole batch: which pairs changed most, which terms came and went across the
corpus, which targets were raised or lowered most often. Built from the batch's index entries
and each pair's diffreport/1 JSON (as written by ``diffreport batch``); rendered by
:mod:`diffreport.writers.corpus`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

TOP = 10  # rows per ranking: a one-page overview, not a listing (summary.csv has every pair)
CHANGED = ("changed", "new", "dropped", "split", "merged")


@dataclass(slots=True)
class PairFact:
    old: str
    new: str
    title: str
    blocks: int
    changed: int  # blocks changed, new, dropped, split or merged

    @property
    def share(self) -> float:
        return self.changed / self.blocks if self.blocks else 0.0


@dataclass(slots=True)
class CorpusFacts:
    pairs: int = 0
    compared: int = 0
    same: int = 0
    errors: int = 0
    seconds: float = 0.0
    most_changed: list[PairFact] = field(default_factory=list)
    new_terms: list[tuple[str, int]] = field(default_factory=list)  # (term, pairs)
    dropped_terms: list[tuple[str, int]] = field(default_factory=list)
    raised: list[tuple[str, int]] = field(default_factory=list)  # (indicator, pairs)
    lowered: list[tuple[str, int]] = field(default_factory=list)


def gather(entries: list[dict], reports: dict[int, dict]) -> CorpusFacts:
    """``entries``: the batch index; ``reports``: each ok pair's JSON by its ``row``."""
    facts = CorpusFacts(pairs=len(entries))
    pairs: list[PairFact] = []
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("new", "dropped", "up", "down")}
    for e in entries:
        facts.seconds += float(e.get("seconds") or 0)
        if e.get("status") != "ok":
            facts.errors += 1
            continue
        facts.compared += 1
        facts.same += bool(e.get("same"))
        block = e.get("summary", {}).get("block", {})
        titles = e.get("titles") or ["", ""]
        pairs.append(
            PairFact(
                e["old"],
                e["new"],
                titles[1] or titles[0],
                sum(block.values()),
                sum(block.get(k, 0) for k in CHANGED),
            )
        )
        report = reports.get(e.get("row"))
        if not report:
            continue
        terms = report.get("terms", {})
        # Counted once per pair: how widespread a shift is, not how wordy one document is.
        counts["new"].update({t["term"] for t in terms.get("new", [])})
        counts["dropped"].update({t["term"] for t in terms.get("dropped", [])})
        for t in report.get("targets", []):
            if t["change"] == "raised":
                counts["up"][t["indicator"]] += 1
            elif t["change"] == "lowered":
                counts["down"][t["indicator"]] += 1
    pairs.sort(key=lambda p: (-p.share, -p.changed, p.new))
    facts.most_changed = pairs[:TOP]
    facts.new_terms = _top(counts["new"])
    facts.dropped_terms = _top(counts["dropped"])
    facts.raised = _top(counts["up"])
    facts.lowered = _top(counts["down"])
    return facts


def _top(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
