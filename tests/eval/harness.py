"""Accuracy harness: run diffreport on labelled revision pairs and score it.

    python tests/eval/harness.py            # tables per case and per level, targets found
    python tests/eval/harness.py --check    # … and exit 1 below tests/eval/thresholds.json

Labels live in `tests/eval/labels/` and were written by reading the documents (the law
article labels by `build_law_labels.py`, which compares article text without diffreport).
A label picks a unit by a verbatim key phrase (whitespace and width ignored); the shortest
unit of the labelled level that contains the key is the one scored.

Scores, per case:

* `pairs` — labelled old→new pairings found in one alignment;
* `unchanged` — recall over units labelled unchanged, and *false unchanged*: units reported
  unchanged whose label says they are not;
* `new` / `dropped` — recall over units labelled new (dropped), precision over the labelled
  units of that side that the tool reports new (dropped);
* `moves` — labelled moves reported as one `moved` alignment between the labelled places;
* `targets` — labelled targets found with the labelled values, units, qualifiers and change;
  `not_targets` that were wrongly extracted count against them;
* `terms`, `renames` — labelled term shifts and renamings found.
"""

from __future__ import annotations

import json
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LABELS = HERE / "labels"
sys.path.insert(0, str(ROOT))

from diffreport.compare import Comparison, compare  # noqa: E402
from diffreport.model import Document, Node  # noqa: E402


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass
class Score:
    hit: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, what: str) -> None:
        self.total += 1
        self.hit += ok
        if not ok:
            self.misses.append(what)

    @property
    def ratio(self) -> float | None:
        return self.hit / self.total if self.total else None


@dataclass
class CaseResult:
    name: str
    seconds: float = 0.0
    scores: dict[str, Score] = field(default_factory=dict)
    targets_table: list[tuple[str, str, str, str]] = field(default_factory=list)

    def score(self, key: str) -> Score:
        return self.scores.setdefault(key, Score())


def find_unit(doc: Document, level: str, key: str) -> Node | None:
    k = norm(key)
    hits = [n for n in doc.of_kind(level) if k in norm(n.text)]
    return min(hits, key=lambda n: len(n.text)) if hits else None


def place_of(doc: Document, node: Node) -> str:
    """Where a unit sits: its block's title for sentences and clauses, its section for blocks."""
    if node.kind in ("sentence", "clause"):
        b = doc.block_of(node.id)
        return (b.title or b.text) if b else ""
    s = doc.section_of(node.id)
    return s.text if s else ""


def _index(c: Comparison) -> dict[tuple[str, str], object]:
    out = {}
    for a in c.alignments:
        for i in a.old:
            out[("old", i)] = a
        for i in a.new:
            out[("new", i)] = a
    return out


def evaluate(case: dict, c: Comparison, result: CaseResult) -> None:
    idx = _index(c)
    docs = {"old": c.old, "new": c.new}
    for p in case.get("pairs", []):
        o = find_unit(c.old, p["level"], p["old"])
        n = find_unit(c.new, p["level"], p["new"])
        a = idx.get(("old", o.id)) if o else None
        result.score("pairs").add(bool(a and n and n.id in a.new), f"{p['old']} → {p['new']}")
    for u in case.get("units", []):
        node = find_unit(docs[u["side"]], u["level"], u["key"])
        if node is None:
            result.score("label keys").add(False, f"{u['side']}:{u['key']}")
            continue
        status = idx[(u["side"], node.id)].status
        label = u["status"]
        what = f"{u['side']}:{u['key'][:30]} labelled {label}, got {status}"
        if label == "unchanged":
            result.score("unchanged recall").add(status == "unchanged", what)
        elif status == "unchanged" and label != "continued":
            result.score("false unchanged").add(False, what)
        if label == "not unchanged":
            continue  # only known not to be unchanged: no say on new or dropped
        for kind in ("new", "dropped"):
            if label == kind:
                result.score(f"{kind} recall").add(status == kind, what)
            if status == kind and u["side"] == ("new" if kind == "new" else "old"):
                result.score(f"{kind} precision").add(label == kind, what)
    for m in case.get("moves", []):
        o = find_unit(c.old, m["level"], m["old"])
        n = find_unit(c.new, m["level"], m["new"])
        a = idx.get(("old", o.id)) if o else None
        ok = bool(
            a
            and n
            and a.moved
            and n.id in a.new
            and norm(m["old_block"]) in norm(place_of(c.old, o))
            and norm(m["new_block"]) in norm(place_of(c.new, n))
        )
        result.score("moves").add(ok, f"{m['old']} ({m['old_block']} → {m['new_block']})")
    _targets(case, c, result)
    for kind in ("new", "dropped"):
        found = {t.term for t in c.terms.get(kind, [])}
        for term in case.get("terms", {}).get(kind, []):
            result.score("terms").add(term in found, f"{kind}: {term}")
    renames = {(r.old, r.new) for r in c.terms.get("renames", [])}
    for old, new in case.get("renames", []):
        result.score("renames").add((old, new) in renames, f"{old} → {new}")


def _matches(side: dict | None, t) -> bool:
    if side is None:
        return t is None
    if not side:  # labelled: present but without a number
        return t is None or t.value is None
    if t is None or t.value is None:
        return False
    if abs(t.value - side["value"]) > 1e-9 or t.unit != side["unit"]:
        return False
    return side.get("qualifier", "") == t.qualifier


def _targets(case: dict, c: Comparison, result: CaseResult) -> None:
    for t in c.targets:
        result.targets_table.append(
            (
                t.indicator,
                t.old.text if t.old else "—",
                t.new.text if t.new else "—",
                t.change,
            )
        )
    for label in case.get("targets", []):
        key = norm(label["indicator"])
        ok = False
        for t in c.targets:
            texts = norm(
                t.indicator + (t.old.text if t.old else "") + (t.new.text if t.new else "")
            )
            if key not in texts or t.change != label["change"]:
                continue
            if _matches(label["old"], t.old) and _matches(label["new"], t.new):
                ok = True
                break
        result.score("targets").add(ok, f"{label['indicator']} {label['change']}")
    for bad in case.get("not_targets", []):
        k = norm(bad)
        wrong = [
            t
            for t in c.targets
            for side in (t.old, t.new)
            if side is not None and side.value is not None and norm(side.text).endswith(k)
        ]
        result.score("target precision").add(not wrong, f"not a target: {bad}")


def law_cases() -> list[dict]:
    renames = json.loads((LABELS / "law-renames.json").read_text(encoding="utf-8"))
    reading = json.loads((LABELS / "law-reading.json").read_text(encoding="utf-8"))
    cases = []
    for path in sorted(LABELS.glob("law-*.json")):
        if path.name in ("law-renames.json", "law-reading.json"):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        name = data["old"].split(".")[0]
        read = reading.get(name, {})
        units = []
        for side, key in (("old", "old_articles"), ("new", "new_articles")):
            for art in data[key]:
                # Unlabelled articles are at least known not to be unchanged (no verbatim twin).
                status = art["status"] or "not unchanged"
                for s, st, opening in read.get("units", []):
                    if s == side and norm(art["body"]).startswith(norm(opening)):
                        status = st
                units.append({"level": "block", "side": side, "status": status, "key": art["body"]})
        cases.append(
            {
                "name": f"law: {name}",
                "old": f"tests/fixtures/law/{data['old']}",
                "new": f"tests/fixtures/law/{data['new']}",
                "pairs": [{"level": "block", "old": o, "new": n} for o, n in read.get("pairs", [])],
                "units": units,
                "renames": renames.get(name, []),
            }
        )
    return cases


def all_cases() -> list[dict]:
    cases = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(LABELS.glob("*.json"))
        if not p.name.startswith("law-")
    ]
    return cases + law_cases()


def run() -> list[CaseResult]:
    results = []
    for case in all_cases():
        r = CaseResult(case["name"])
        start = time.perf_counter()
        c = compare(ROOT / case["old"], ROOT / case["new"])
        r.seconds = time.perf_counter() - start
        evaluate(case, c, r)
        results.append(r)
    return results


def totals(results: list[CaseResult]) -> dict[str, Score]:
    out: dict[str, Score] = {}
    for r in results:
        for k, s in r.scores.items():
            t = out.setdefault(k, Score())
            t.hit += s.hit
            t.total += s.total
    return out


METRICS = [
    "pairs",
    "unchanged recall",
    "false unchanged",
    "new recall",
    "new precision",
    "dropped recall",
    "dropped precision",
    "moves",
    "targets",
    "target precision",
    "terms",
    "renames",
    "label keys",
]


def _fmt(s: Score | None, metric: str) -> str:
    if s is None or not s.total:
        return "—"
    if metric == "false unchanged":
        return str(s.total)  # every entry is a false unchanged
    return f"{s.ratio:.2f} ({s.hit}/{s.total})"


def report(results: list[CaseResult], verbose: bool = False) -> str:
    lines = []
    names = [r.name for r in results]
    width = max(len(m) for m in METRICS) + 2
    for r in results:
        lines.append(f"== {r.name}  ({r.seconds:.1f}s)")
        for m in METRICS:
            s = r.scores.get(m)
            if s is not None and s.total:
                lines.append(f"  {m:<{width}}{_fmt(s, m)}")
                if verbose:
                    lines.extend(f"      ✗ {x}" for x in s.misses)
    lines.append("== all cases")
    tot = totals(results)
    for m in METRICS:
        if m in tot and tot[m].total:
            lines.append(f"  {m:<{width}}{_fmt(tot[m], m)}")
        elif m == "false unchanged":
            lines.append(f"  {m:<{width}}0")
    del names
    for r in results:
        if r.targets_table:
            lines.append(f"\n== targets found: {r.name}")
            lines.append(f"  {'change':<10}{'indicator':<24}{'old':<30}new")
            for ind, old, new, change in r.targets_table:
                lines.append(f"  {change:<10}{ind:<24}{old:<30}{new}")
    return "\n".join(lines)


def check(results: list[CaseResult], thresholds: dict) -> list[str]:
    """Failures: each threshold is `metric: minimum ratio` over all cases (`false unchanged`:
    maximum count); `cases` holds minimum ratios for one case (`pairs` 16/16 on the seeds)."""
    tot = totals(results)
    failures = []
    for name, limits in thresholds.get("cases", {}).items():
        case = next((r for r in results if r.name == name), None)
        for metric, limit in limits.items():
            s = case.scores.get(metric) if case else None
            if s is None or s.ratio is None or s.ratio < limit:
                failures.append(f"{name}: {metric}: {s.ratio if s else None} < {limit}")
    for metric, limit in thresholds.items():
        if metric.startswith("_") or metric == "cases":
            continue
        s = tot.get(metric)
        if metric == "false unchanged":
            got = s.total if s else 0
            if got > limit:
                failures.append(f"{metric}: {got} > {limit}")
        elif s is None or s.ratio is None or s.ratio < limit:
            failures.append(f"{metric}: {s.ratio if s else None} < {limit}")
    return failures


def main(argv: list[str]) -> int:
    results = run()
    print(report(results, verbose="-v" in argv or "--verbose" in argv))
    if "--check" in argv:
        thresholds = json.loads((HERE / "thresholds.json").read_text(encoding="utf-8"))
        failures = check(results, thresholds)
        for f in failures:
            print("FAIL", f)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
